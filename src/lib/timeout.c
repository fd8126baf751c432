/* SPDX-License-Identifier: MIT */
/*
 * TimerTimeout: a per-thread timeout armed for the next blocking call.
 * It is disarmed by that call whether or not it fired.  Every QNX state
 * may be named; the calls that block in each take the deadline with
 * axon__timeout_take() (message passing: SEND, REPLY, RECEIVE; ThreadJoin:
 * JOIN; the Sync* calls of sync.c: MUTEX, CONDVAR, SEM; InterruptWait of
 * interrupt.c: INTR).  States with no blocking call under Axon are
 * accepted and never fire, as QNX's would not for a call that does not
 * block in them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define AXON_TIMEOUT_STATES                                             \
	(_NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY | _NTO_TIMEOUT_RECEIVE |   \
	    _NTO_TIMEOUT_SIGSUSPEND | _NTO_TIMEOUT_SIGWAITINFO |           \
	    _NTO_TIMEOUT_NANOSLEEP | _NTO_TIMEOUT_MUTEX |                  \
	    _NTO_TIMEOUT_CONDVAR | _NTO_TIMEOUT_JOIN | _NTO_TIMEOUT_INTR | \
	    _NTO_TIMEOUT_SEM)

static __thread struct axon_deadline tls_dl;
static __thread uint64_t tls_last_ns;

void
axon__timeout_take(struct axon_deadline *ret_dl)
{
	*ret_dl = tls_dl;
	tls_dl.armed = false;
}

bool
axon__deadline_applies(const struct axon_deadline *dl, int state)
{
	return dl->armed && (dl->states & state) != 0;
}

int
TimerTimeout_r(clockid_t id, int flags, const struct sigevent *notify,
    const uint64_t *ntime, uint64_t *otime)
{
	AXON_KEEP_ERRNO;

	struct timespec now;
	struct timespec mono;
	int states = flags & AXON_TIMEOUT_STATES;
	bool abs = (flags & TIMER_ABSTIME) != 0;

	if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC) {
		return -EINVAL;
	}
	if (flags & ~(AXON_TIMEOUT_STATES | TIMER_ABSTIME |
			_NTO_TIMEOUT_ACTIVE)) {
		return -EINVAL;
	}
	if (notify != NULL && SIGEV_GET_TYPE(notify) != SIGEV_UNBLOCK) {
		return -EINVAL; /* only SIGEV_UNBLOCK (or NULL) is supported */
	}
	if (otime != NULL) {
		*otime = tls_dl.armed ? tls_last_ns : 0;
	}
	if (states == 0) {
		tls_dl.armed = false;
		return 0;
	}
	tls_dl.armed = true;
	tls_dl.states = states;
	tls_dl.immediate = ntime == NULL;
	if (ntime == NULL) {
		tls_last_ns = 0; /* what a later otime reports of it */
		return 0;
	}
	tls_last_ns = *ntime;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	if (abs) {
		/* Convert an absolute time on id to CLOCK_MONOTONIC. */
		uint64_t n;

		clock_gettime(id, &now);
		n = (uint64_t) now.tv_sec * 1000000000ull +
		    (uint64_t) now.tv_nsec;
		if (*ntime <= n) {
			tls_dl.immediate = true;
			return 0;
		}
		uint64_t rel = *ntime - n;
		mono.tv_sec += (time_t) (rel / 1000000000ull);
		mono.tv_nsec += (long) (rel % 1000000000ull);
	} else {
		mono.tv_sec += (time_t) (*ntime / 1000000000ull);
		mono.tv_nsec += (long) (*ntime % 1000000000ull);
	}
	if (mono.tv_nsec >= 1000000000) {
		mono.tv_sec++;
		mono.tv_nsec -= 1000000000;
	}
	tls_dl.at = mono;
	return 0;
}

int
TimerTimeout(clockid_t id, int flags, const struct sigevent *notify,
    const uint64_t *ntime, uint64_t *otime)
{
	return axon__errno_ret(TimerTimeout_r(id, flags, notify, ntime, otime));
}

int
timer_timeout(clockid_t id, int flags, const struct sigevent *notify,
    const struct timespec *ntime, struct timespec *otime)
{
	uint64_t n;
	uint64_t o = 0;
	int rc;

	if (ntime != NULL) {
		if (ntime->tv_sec < 0 || ntime->tv_nsec < 0 ||
		    ntime->tv_nsec >= 1000000000) {
			errno = EINVAL;
			return -1;
		}
		n = (uint64_t) ntime->tv_sec * 1000000000ull +
		    (uint64_t) ntime->tv_nsec;
	}
	rc = TimerTimeout_r(id, flags, notify, ntime != NULL ? &n : NULL, &o);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	if (otime != NULL) {
		otime->tv_sec = (time_t) (o / 1000000000ull);
		otime->tv_nsec = (long) (o % 1000000000ull);
	}
	return 0;
}
