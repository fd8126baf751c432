/* SPDX-License-Identifier: MIT */
/*
 * QNX's clock calls (ClockTime(3)): ClockTime, ClockPeriod, ClockAdjust
 * and ClockCycles, over the Linux clocks.
 *
 * Axon's cycle is the nanosecond of CLOCK_MONOTONIC, read through the
 * vDSO: ClockCycles() and SYSPAGE_ENTRY(qtime)->nsec count the same
 * thing and cycles_per_sec is 1000000000 (qnxlibc.c), so the usual
 * (ClockCycles() - t0) * 1e9 / cycles_per_sec is nanoseconds everywhere.
 * The period is the clock's resolution (clock_getres(), 1 ns with high
 * resolution timers), the same value as qtime's timer_rate.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define NSEC 1000000000ull

/* Linux's slew under adjtime(): 500 microseconds per second, that is
 * 500 ns in each millisecond; ClockAdjust() reports in those ticks. */
#define SLEW_TICK_NS 500

static clockid_t
kclock(clockid_t id)
{
	return id == CLOCK_SOFTTIME ? CLOCK_REALTIME : id;
}

static bool
clock_known(clockid_t id)
{
	struct timespec ts;

	/* QNX's names plus any clock Linux has (CPU-time clocks from
	 * clock_getcpuclockid() among them). */
	return id == CLOCK_SOFTTIME || clock_getres(id, &ts) == 0;
}

uint64_t
ClockCycles(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * NSEC + (uint64_t) ts.tv_nsec;
}

int
ClockTime_r(clockid_t id, const uint64_t *new_time, uint64_t *old_time)
{
	AXON_KEEP_ERRNO;

	struct timespec ts;

	if (!clock_known(id)) {
		return -EINVAL;
	}
	if (old_time != NULL) {
		if (clock_gettime(kclock(id), &ts) != 0) {
			return -EINVAL;
		}
		*old_time = (uint64_t) ts.tv_sec * NSEC + (uint64_t) ts.tv_nsec;
	}
	if (new_time != NULL) {
		if (kclock(id) != CLOCK_REALTIME) {
			return -EINVAL; /* only the time of day can be set */
		}
		if (*new_time > (uint64_t) INT64_MAX) {
			return -EINVAL;
		}
		ts.tv_sec = (time_t) (*new_time / NSEC);
		ts.tv_nsec = (long) (*new_time % NSEC);
		if (clock_settime(CLOCK_REALTIME, &ts) != 0) {
			return errno == EPERM ? -EPERM : -EINVAL;
		}
	}
	return 0;
}

int
ClockPeriod_r(clockid_t id, const struct _clockperiod *new_p,
    struct _clockperiod *old_p, int reserved)
{
	AXON_KEEP_ERRNO;

	struct timespec res;
	uint64_t ns;

	if (!clock_known(id) || clock_getres(kclock(id), &res) != 0) {
		return -EINVAL;
	}
	ns = (uint64_t) res.tv_sec * NSEC + (uint64_t) res.tv_nsec;
	if (ns > UINT32_MAX) {
		ns = UINT32_MAX;
	}
	if (old_p != NULL) {
		old_p->nsec = (uint32_t) ns;
		old_p->fract = 0;
	}
	if (new_p != NULL) {
		/* QNX needs privilege to set the tick; Linux's high
		 * resolution timers have no tick to set, so even root may
		 * only ask for the period there is. */
		if (geteuid() != 0) {
			return -EPERM;
		}
		if (new_p->nsec != ns) {
			return -EINVAL;
		}
	}
	return 0;
}

int
ClockAdjust_r(clockid_t id, const struct _clockadjust *new_a,
    struct _clockadjust *old_a)
{
	AXON_KEEP_ERRNO;

	struct timeval delta;
	struct timeval old;
	int64_t ns;
	int64_t us;

	if (kclock(id) != CLOCK_REALTIME) {
		return -EINVAL;
	}
	if (new_a != NULL) {
		ns = (int64_t) new_a->tick_count * new_a->tick_nsec_inc;
		us = ns / 1000;
		delta.tv_sec = (time_t) (us / 1000000);
		delta.tv_usec = (suseconds_t) (us % 1000000);
		if (adjtime(&delta, &old) != 0) {
			return errno == EPERM ? -EPERM : -EINVAL;
		}
	} else if (adjtime(NULL, &old) != 0) {
		return -EINVAL;
	}
	if (old_a != NULL) {
		ns = ((int64_t) old.tv_sec * 1000000 + old.tv_usec) * 1000;
		old_a->tick_nsec_inc = ns < 0 ? -SLEW_TICK_NS
			: ns > 0		 ? SLEW_TICK_NS
						 : 0;
		if (ns < 0) {
			ns = -ns;
		}
		old_a->tick_count =
		    (uint32_t) ((ns + SLEW_TICK_NS - 1) / SLEW_TICK_NS);
	}
	return 0;
}

int
ClockTime(clockid_t id, const uint64_t *new_time, uint64_t *old_time)
{
	return axon__errno_ret(ClockTime_r(id, new_time, old_time));
}

int
ClockPeriod(clockid_t id, const struct _clockperiod *new_p,
    struct _clockperiod *old_p, int reserved)
{
	return axon__errno_ret(ClockPeriod_r(id, new_p, old_p, reserved));
}

int
ClockAdjust(clockid_t id, const struct _clockadjust *new_a,
    struct _clockadjust *old_a)
{
	return axon__errno_ret(ClockAdjust_r(id, new_a, old_a));
}

/*
 * ClockId(): a process's or a thread's CPU-time clock.  A process's is
 * clock_getcpuclockid()'s.  A thread's is the id Linux gives a thread
 * clock, as glibc's pthread_getcpuclockid() makes it: the bitwise
 * complement of the tid shifted left by 3, with bit 2 (per thread) and
 * the scheduler clock (2) in the low bits (the kernel's
 * MAKE_THREAD_CPUCLOCK(); test_qnxextra checks the two agree).  Every
 * such id is negative with low bits 010 or 110, so none is -1 or a
 * -errno that ClockId_r() returns (-ESRCH ends in 101, -ENOTSUP in 001).
 * Linux lets a process read the CPU clock of its own threads only, so
 * another process's thread fails with ENOTSUP.
 */
#define CPUCLOCK_PERTHREAD 4
#define CPUCLOCK_SCHED     2

static int
clock_id(pid_t pid, int tid, clockid_t *ret)
{
	clockid_t c;
	long rc;

	if (pid < 0 || tid < 0) {
		return -ESRCH;
	}
	if (pid == 0) {
		pid = getpid();
	}
	if (tid == 0) {
		rc = clock_getcpuclockid(pid, &c);
		if (rc != 0) {
			return rc == EPERM ? -EPERM : -ESRCH;
		}
		*ret = c;
		return 0;
	}
	/* Is tid a thread of pid?  (Signal 0: nothing is sent; EPERM
	 * means it exists.) */
	rc = syscall(SYS_tgkill, pid, tid, 0);
	if (rc != 0 && errno != EPERM) {
		return -ESRCH;
	}
	if (pid != getpid()) {
		return -ENOTSUP;
	}
	*ret = (clockid_t) ((~(unsigned) tid << 3) | CPUCLOCK_PERTHREAD |
	    CPUCLOCK_SCHED);
	return 0;
}

int
ClockId_r(pid_t pid, int tid)
{
	AXON_KEEP_ERRNO;

	clockid_t c = 0;
	int rc = clock_id(pid, tid, &c);

	return rc < 0 ? rc : (int) c;
}

int
ClockId(pid_t pid, int tid)
{
	clockid_t c = 0;
	int rc;

	{
		AXON_KEEP_ERRNO;

		rc = clock_id(pid, tid, &c);
	}
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return (int) c;
}
