/* SPDX-License-Identifier: MIT */
/*
 * QNX's *_monotonic timed calls (qnx-libc(3)): the same waits as their
 * POSIX forms, with the absolute deadline on CLOCK_MONOTONIC, so that
 * setting the time of day does not move it.  glibc has clock forms of
 * the mutex, rwlock, semaphore and join waits, used with
 * CLOCK_MONOTONIC.  It has none for message queues: the mq calls wait on
 * the CLOCK_REALTIME time that is as far away as the deadline when each
 * wait starts and, after a timeout, look at CLOCK_MONOTONIC again and
 * wait once more if the deadline has not come (the time of day was set
 * back: the wait ends late, never early, by as much as the time was set
 * forward during the wait).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <mqueue.h>
#include <pthread.h>
#include <semaphore.h>
#include <time.h>

#include "internal.h"

#define NSEC 1000000000L

/*
 * ThreadSanitizer (clang 14's runtime) intercepts none of glibc's clock
 * forms: a mutex taken with pthread_mutex_clocklock() is then unlocked
 * "unlocked", and a thread joined with pthread_clockjoin_np() stays in
 * its registry until the next pthread_create() fails a CHECK.  In its
 * builds alone the waits below go on the CLOCK_REALTIME forms it knows,
 * in slices of at most 100 ms each aimed anew at the monotonic deadline
 * (never early; a step back of the time of day lengthens the slice in
 * progress).  Every other build waits on CLOCK_MONOTONIC itself.
 */
#if defined(__SANITIZE_THREAD__)
#define AXON_TSAN_WAITS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AXON_TSAN_WAITS 1
#endif
#endif

/* glibc's joins take a bad tv_nsec as no limit (they wait, spinning, for
 * the thread); QNX's, as POSIX's timed waits, refuse it. */
static bool
bad_timespec(const struct timespec *ts)
{
	return ts != NULL && (ts->tv_nsec < 0 || ts->tv_nsec >= NSEC);
}

#ifdef AXON_TSAN_WAITS
#define SLICE_NS 100000000LL

/* True if the CLOCK_MONOTONIC time at has come; else *rt is the
 * CLOCK_REALTIME time of the next slice's end. */
static bool
slice_end(const struct timespec *at, struct timespec *rt)
{
	struct timespec now;
	long long left;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((long long) at->tv_sec - now.tv_sec > 1) {
		left = SLICE_NS;
	} else {
		left = ((long long) at->tv_sec - now.tv_sec) * NSEC +
		    (at->tv_nsec - now.tv_nsec);
		if (left <= 0) {
			return true;
		}
		if (left > SLICE_NS) {
			left = SLICE_NS;
		}
	}
	clock_gettime(CLOCK_REALTIME, rt);
	rt->tv_nsec += (long) left;
	if (rt->tv_nsec >= NSEC) {
		rt->tv_sec++;
		rt->tv_nsec -= NSEC;
	}
	return false;
}

/* One timed wait in slices: wait(obj, realtime) until it is not
 * ETIMEDOUT, try(obj) once the deadline has come. */
#define SLICED(try, wait, obj, at)                                      \
	do {                                                            \
		struct timespec rt_;                                    \
		int rc_;                                                \
                                                                        \
		if (bad_timespec(at)) {                                 \
			return EINVAL;                                  \
		}                                                       \
		for (;;) {                                              \
			if (slice_end(at, &rt_)) {                      \
				rc_ = try;                              \
				return rc_ == EBUSY ? ETIMEDOUT : rc_;  \
			}                                               \
			rc_ = wait;                                     \
			if (rc_ != ETIMEDOUT) {                         \
				return rc_;                             \
			}                                               \
		}                                                       \
	} while (0)
#endif

int
axon__join_until(pthread_t thread, void **status, const struct timespec *at)
{
#ifdef AXON_TSAN_WAITS
	SLICED(pthread_tryjoin_np(thread, status),
	    pthread_timedjoin_np(thread, status, &rt_), thread, at);
#else
	if (bad_timespec(at)) {
		return EINVAL;
	}
	return pthread_clockjoin_np(thread, status, CLOCK_MONOTONIC, at);
#endif
}

int
pthread_mutex_timedlock_monotonic(pthread_mutex_t *mutex,
    const struct timespec *abs_timeout)
{
#ifdef AXON_TSAN_WAITS
	SLICED(pthread_mutex_trylock(mutex),
	    pthread_mutex_timedlock(mutex, &rt_), mutex, abs_timeout);
#else
	return pthread_mutex_clocklock(mutex, CLOCK_MONOTONIC, abs_timeout);
#endif
}

int
pthread_rwlock_timedrdlock_monotonic(pthread_rwlock_t *rwlock,
    const struct timespec *abs_timeout)
{
#ifdef AXON_TSAN_WAITS
	SLICED(pthread_rwlock_tryrdlock(rwlock),
	    pthread_rwlock_timedrdlock(rwlock, &rt_), rwlock, abs_timeout);
#else
	return pthread_rwlock_clockrdlock(rwlock, CLOCK_MONOTONIC,
	    abs_timeout);
#endif
}

int
pthread_rwlock_timedwrlock_monotonic(pthread_rwlock_t *rwlock,
    const struct timespec *abs_timeout)
{
#ifdef AXON_TSAN_WAITS
	SLICED(pthread_rwlock_trywrlock(rwlock),
	    pthread_rwlock_timedwrlock(rwlock, &rt_), rwlock, abs_timeout);
#else
	return pthread_rwlock_clockwrlock(rwlock, CLOCK_MONOTONIC,
	    abs_timeout);
#endif
}

int
pthread_timedjoin(pthread_t thread, void **value_ptr,
    const struct timespec *abstime)
{
	if (bad_timespec(abstime)) {
		return EINVAL;
	}
	return pthread_timedjoin_np(thread, value_ptr, abstime);
}

int
pthread_timedjoin_monotonic(pthread_t thread, void **value_ptr,
    const struct timespec *abstime)
{
	return axon__join_until(thread, value_ptr, abstime);
}

int
sem_timedwait_monotonic(sem_t *sem, const struct timespec *abs_timeout)
{
	return sem_clockwait(sem, CLOCK_MONOTONIC, abs_timeout);
}

/*
 * The CLOCK_REALTIME time as far ahead of now as *mono_deadline is on
 * CLOCK_MONOTONIC (now, if that has passed).  0, or -EINVAL for a
 * timespec that is not one.
 */
/* The longest one realtime wait is asked for: 100 years, far enough
 * that (seconds * NSEC) cannot overflow. */
#define MAX_WAIT_SEC (100LL * 365 * 86400)

static int
realtime_deadline(const struct timespec *mono_deadline, struct timespec *rt,
    bool *passed)
{
	struct timespec mono;
	long long left;

	if (mono_deadline->tv_nsec < 0 || mono_deadline->tv_nsec >= NSEC) {
		return -EINVAL;
	}
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, rt);
	if ((long long) mono_deadline->tv_sec < (long long) mono.tv_sec - 1) {
		*passed = true;
		return 0;
	}
	if ((long long) mono_deadline->tv_sec - mono.tv_sec > MAX_WAIT_SEC) {
		/* "forever": wait that long, then the caller looks again */
		left = MAX_WAIT_SEC * NSEC;
	} else {
		left = ((long long) mono_deadline->tv_sec - mono.tv_sec) *
		    NSEC + (mono_deadline->tv_nsec - mono.tv_nsec);
	}
	*passed = left <= 0;
	if (left > 0) {
		left += rt->tv_nsec;
		rt->tv_sec += (time_t) (left / NSEC);
		rt->tv_nsec = (long) (left % NSEC);
	}
	return 0;
}

ssize_t
mq_timedreceive_monotonic(mqd_t mqdes, char *msg_ptr, size_t msg_len,
    unsigned int *msg_prio, const struct timespec *abs_timeout)
{
	struct timespec rt;
	bool passed;
	ssize_t n;
	int rc;

	for (;;) {
		if (abs_timeout == NULL) {
			errno = EFAULT;
			return -1;
		}
		rc = realtime_deadline(abs_timeout, &rt, &passed);
		if (rc < 0) {
			errno = -rc;
			return -1;
		}
		/* A deadline passed still takes a message that is there. */
		n = mq_timedreceive(mqdes, msg_ptr, msg_len, msg_prio, &rt);
		if (n >= 0 || errno != ETIMEDOUT || passed) {
			return n;
		}
	}
}

int
mq_timedsend_monotonic(mqd_t mqdes, const char *msg_ptr, size_t msg_len,
    unsigned int msg_prio, const struct timespec *abs_timeout)
{
	struct timespec rt;
	bool passed;
	int rc;

	for (;;) {
		if (abs_timeout == NULL) {
			errno = EFAULT;
			return -1;
		}
		rc = realtime_deadline(abs_timeout, &rt, &passed);
		if (rc < 0) {
			errno = -rc;
			return -1;
		}
		rc = mq_timedsend(mqdes, msg_ptr, msg_len, msg_prio, &rt);
		if (rc == 0 || errno != ETIMEDOUT || passed) {
			return rc;
		}
	}
}
