/* SPDX-License-Identifier: MIT */
/*
 * POSIX timer_create() and friends for QNX programs (include/axon/time.h,
 * TimerCreate(3)): the QNX notify types go to TimerCreate()'s engine
 * (timer.c), every other sigevent to glibc's timer_*() untouched.
 *
 * Which engine a timer_t belongs to is in its value: AXON_TIMER_TAG in
 * the top 16 bits and the TimerCreate() id in the low bits is ours,
 * anything else glibc's (time.h says why the two cannot meet).  A value
 * with the tag and no live timer behind it fails with EINVAL, as glibc
 * fails for a deleted id.
 */
#define _GNU_SOURCE
#define AXON_NO_TIMER_WRAP /* this file calls glibc's own */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define TAG_MASK 0xffff000000000000ull
#define NSEC     1000000000ull

#if UINTPTR_MAX > 0xffffffffu
#define AXON_PTIMER 1 /* a 32-bit timer_t has no values glibc leaves */
#endif

/* A sigevent only QNX knows: its type, or QNX's flag bits. */
static bool
qnx_kind(const struct sigevent *ev)
{
	switch (SIGEV_GET_TYPE(ev)) {
	case SIGEV_SIGNAL_CODE:
	case SIGEV_SIGNAL_THREAD:
	case SIGEV_PULSE:
	case SIGEV_UNBLOCK:
	case SIGEV_INTR:
		return true;
	default:
		return (ev->sigev_notify & ~SIGEV_TYPE_MASK) != 0;
	}
}

/* The TimerCreate() id behind a timer_t, or -1 if it is glibc's. */
static int
axon_id(timer_t t)
{
#ifdef AXON_PTIMER
	uint64_t v = (uint64_t) (uintptr_t) t;

	if ((v & TAG_MASK) == AXON_TIMER_TAG) {
		/* Not a TimerCreate() id: no such timer (EINVAL). */
		return v & ~TAG_MASK & ~(uint64_t) INT_MAX ? INT_MAX
							   : (int) (v & INT_MAX);
	}
#else
	(void) t;
#endif
	return -1;
}

static int
ts_to_ns(const struct timespec *ts, uint64_t *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= (long) NSEC ||
	    (uint64_t) ts->tv_sec > (uint64_t) INT64_MAX / NSEC - 1) {
		return -EINVAL;
	}
	*ns = (uint64_t) ts->tv_sec * NSEC + (uint64_t) ts->tv_nsec;
	return 0;
}

static void
ns_to_ts(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t) (ns / NSEC);
	ts->tv_nsec = (long) (ns % NSEC);
}

int
axon_timer_create(clockid_t clock, struct sigevent *restrict evp,
    timer_t *restrict timerid)
{
	int id;

	if (evp == NULL || !qnx_kind(evp)) {
		return timer_create(clock, evp, timerid);
	}
#ifdef AXON_PTIMER
	if (timerid == NULL) {
		errno = EFAULT;
		return -1;
	}
	/* SIGEV_UNBLOCK and SIGEV_INTR fail with EINVAL, as TimerCreate()
	 * says; so do clocks the engine has no timerfd for. */
	id = TimerCreate_r(clock, evp);
	if (id < 0) {
		errno = -id;
		return -1;
	}
	*timerid = (timer_t) (uintptr_t) (AXON_TIMER_TAG | (uint64_t) id);
	return 0;
#else
	(void) id;
	errno = EINVAL;
	return -1;
#endif
}

int
axon_timer_delete(timer_t timerid)
{
	int id = axon_id(timerid);

	if (id < 0) {
		return timer_delete(timerid);
	}
	return axon__errno_ret(TimerDestroy_r(id));
}

int
axon_timer_settime(timer_t timerid, int flags,
    const struct itimerspec *restrict value,
    struct itimerspec *restrict ovalue)
{
	struct _itimer it;
	struct _itimer old;
	int id = axon_id(timerid);
	int rc;

	if (id < 0) {
		return timer_settime(timerid, flags, value, ovalue);
	}
	if (value == NULL) {
		errno = EINVAL; /* Linux's answer to a NULL value */
		return -1;
	}
	if (ts_to_ns(&value->it_value, &it.nsec) != 0 ||
	    ts_to_ns(&value->it_interval, &it.interval_nsec) != 0) {
		errno = EINVAL;
		return -1;
	}
	/* Flags other than TIMER_ABSTIME mean nothing to POSIX (Linux
	 * ignores them); QNX's TIMER_TOLERANCE must not slip in. */
	rc = TimerSettime_r(id, flags & TIMER_ABSTIME, &it, &old);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	if (ovalue != NULL) {
		ns_to_ts(old.nsec, &ovalue->it_value);
		ns_to_ts(old.interval_nsec, &ovalue->it_interval);
	}
	return 0;
}

int
axon_timer_gettime(timer_t timerid, struct itimerspec *value)
{
	struct _timer_info info;
	int id = axon_id(timerid);
	int rc;

	if (id < 0) {
		return timer_gettime(timerid, value);
	}
	if (value == NULL) {
		errno = EFAULT;
		return -1;
	}
	rc = TimerInfo_r(0, id, 0, &info);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	ns_to_ts(info.otime.nsec, &value->it_value);
	ns_to_ts(info.otime.interval_nsec, &value->it_interval);
	return 0;
}

/*
 * The expirations not delivered since the last call: for a pulse, those
 * whose pulse could not be queued (QNX queues one per expiration), for a
 * signal those it could not carry.  Read and reset, as TimerInfo() with
 * _NTO_TIMER_RESET_OVERRUNS; at most DELAYTIMER_MAX.
 */
int
axon_timer_getoverrun(timer_t timerid)
{
	struct _timer_info info;
	int id = axon_id(timerid);
	int rc;

	if (id < 0) {
		return timer_getoverrun(timerid);
	}
	rc = TimerInfo_r(0, id, _NTO_TIMER_RESET_OVERRUNS, &info);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return info.overruns > INT_MAX ? INT_MAX : (int) info.overruns;
}
