/* SPDX-License-Identifier: MIT */
/*
 * QNX's Sync* kernel calls (SyncTypeCreate(3)) on Linux futexes.  A
 * sync_t is two words, as on QNX:
 *
 *   mutex      __owner is a PI futex word: 0 free, the owner's thread id,
 *              _NTO_SYNC_WAITING (FUTEX_WAITERS) when others wait; the
 *              kernel hands it over by priority and boosts the owner
 *              (FUTEX_LOCK_PI / FUTEX_UNLOCK_PI).  _NTO_SYNC_INITIALIZER
 *              (a static initializer) becomes a free mutex when first
 *              used.
 *   semaphore  __owner is _NTO_SYNC_SEM, __count the value (a futex).
 *   condvar    __owner is _NTO_SYNC_COND, __count a sequence that every
 *              signal advances (a futex).
 *   destroyed  __owner is _NTO_SYNC_DESTROYED; every call then fails
 *              with EINVAL.
 *
 * The futexes are not private, so that objects in memory shared between
 * processes work as QNX's do.  A pending TimerTimeout for
 * _NTO_TIMEOUT_MUTEX, _CONDVAR or _SEM bounds the matching wait, and the
 * next blocking call disarms it as for the other kernel calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

_Static_assert(sizeof(sync_t) == 8, "sync_t is QNX's two words");
_Static_assert(_NTO_SYNC_WAITING == FUTEX_WAITERS &&
	_NTO_SYNC_DEAD == FUTEX_OWNER_DIED,
    "the mutex word is Linux's PI futex word");

static _Atomic unsigned *
owner_word(sync_t *s)
{
	return (_Atomic unsigned *) &s->__owner;
}

static _Atomic int *
count_word(sync_t *s)
{
	return (_Atomic int *) &s->__count;
}

static long
futex(void *addr, int op, unsigned val, const struct timespec *ts,
    unsigned val3)
{
	return syscall(SYS_futex, addr, op, val, ts, NULL, val3);
}

/* A mutex word (not a marker of another kind of object). */
static bool
is_mutex(unsigned v)
{
	return v < _NTO_SYNC_COND;
}

/* The calling thread's deadline for a wait in state: 0 and *ret_ts (NULL
 * for none; CLOCK_MONOTONIC absolute), or -ETIMEDOUT if the caller asked
 * not to wait at all. */
static int
wait_deadline(const struct axon_deadline *dl, int state,
    const struct timespec **ret_ts)
{
	*ret_ts = NULL;
	if (!axon__deadline_applies(dl, state)) {
		return 0;
	}
	if (dl->immediate) {
		return -ETIMEDOUT;
	}
	*ret_ts = &dl->at;
	return 0;
}

#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif

/* FUTEX_LOCK_PI2 (Linux 5.14) takes an absolute CLOCK_MONOTONIC time;
 * without it, FUTEX_LOCK_PI takes CLOCK_REALTIME, which a clock step
 * moves. */
static atomic_bool no_lock_pi2;

/* FUTEX_LOCK_PI's absolute CLOCK_REALTIME time for mono. */
static struct timespec
mono_to_realtime(const struct timespec *mono)
{
	struct timespec now_m, now_r, r;
	int64_t left;

	clock_gettime(CLOCK_MONOTONIC, &now_m);
	clock_gettime(CLOCK_REALTIME, &now_r);
	left = ((int64_t) mono->tv_sec - now_m.tv_sec) * 1000000000ll +
	    (mono->tv_nsec - now_m.tv_nsec);
	if (left < 0) {
		left = 0;
	}
	r.tv_sec = now_r.tv_sec + (time_t) (left / 1000000000ll);
	r.tv_nsec = now_r.tv_nsec + (long) (left % 1000000000ll);
	if (r.tv_nsec >= 1000000000l) {
		r.tv_sec++;
		r.tv_nsec -= 1000000000l;
	}
	return r;
}

/* Locks mutex m, waiting at most until at (NULL: for ever; immediate:
 * not at all). */
static int
mutex_lock(sync_t *m, const struct timespec *at, bool immediate)
{
	_Atomic unsigned *w = owner_word(m);
	unsigned tid = (unsigned) gettid();
	unsigned v = atomic_load(w);
	struct timespec rt;

	if (v == _NTO_SYNC_INITIALIZER) {
		(void) atomic_compare_exchange_strong(w, &v, 0);
		v = atomic_load(w);
	}
	if (!is_mutex(v)) {
		return -EINVAL;
	}
	if ((v & FUTEX_TID_MASK) == tid) {
		return -EDEADLK;
	}
	v = 0;
	if (atomic_compare_exchange_strong(w, &v, tid)) {
		return 0;
	}
	if (immediate) {
		if (futex(w, FUTEX_TRYLOCK_PI, 0, NULL, 0) == 0) {
			goto locked;
		}
		return errno == EWOULDBLOCK || errno == EAGAIN ||
			errno == EBUSY
		    ? -ETIMEDOUT
		    : errno == ESRCH ? -EOWNERDEAD
				     : -errno;
	}
	for (;;) {
		long r;

		if (!atomic_load_explicit(&no_lock_pi2, memory_order_relaxed)) {
			r = futex(w, FUTEX_LOCK_PI2, 0, at, 0);
			if (r != 0 && errno == ENOSYS) {
				atomic_store(&no_lock_pi2, true);
				continue;
			}
		} else {
			if (at != NULL) {
				rt = mono_to_realtime(at);
			}
			r = futex(w, FUTEX_LOCK_PI, 0, at != NULL ? &rt : NULL,
			    0);
		}
		if (r == 0) {
			break;
		}
		if (errno == EINTR || errno == EAGAIN) {
			continue; /* a signal, or the owner is leaving */
		}
		if (errno == ESRCH) {
			return -EOWNERDEAD; /* its owner died holding it */
		}
		return -errno; /* ETIMEDOUT, EINVAL, EDEADLK */
	}
locked:
	/* Not a robust mutex: a dead owner's mark is not ours to report. */
	(void) atomic_fetch_and(w, ~(unsigned) FUTEX_OWNER_DIED);
	return 0;
}

static int
mutex_unlock(sync_t *m)
{
	_Atomic unsigned *w = owner_word(m);
	unsigned tid = (unsigned) gettid();
	unsigned v = atomic_load(w);

	if (!is_mutex(v) && v != _NTO_SYNC_INITIALIZER) {
		return -EINVAL;
	}
	if (v == _NTO_SYNC_INITIALIZER || (v & FUTEX_TID_MASK) != tid) {
		return -EPERM; /* not locked by the caller */
	}
	v = tid;
	if (atomic_compare_exchange_strong(w, &v, 0)) {
		return 0;
	}
	/* The kernel hands the word over: a release on it here (the value
	 * unchanged) pairs with the new owner's read-modify-write after its
	 * lock, for the tools that check the memory order (TSan). */
	(void) atomic_fetch_or_explicit(w, 0, memory_order_release);
	return futex(w, FUTEX_UNLOCK_PI, 0, NULL, 0) == 0 ? 0 : -errno;
}

/* The object at s is of kind marker (a condvar's initializer becomes
 * one on first use): 0 or -EINVAL. */
static int
check_kind(sync_t *s, unsigned marker)
{
	unsigned v = atomic_load(owner_word(s));

	if (v == _NTO_SYNC_INITIALIZER && marker == _NTO_SYNC_COND) {
		(void) atomic_compare_exchange_strong(owner_word(s), &v,
		    _NTO_SYNC_COND);
		v = atomic_load(owner_word(s));
	}
	return v == marker ? 0 : -EINVAL;
}

int
SyncTypeCreate_r(unsigned type, sync_t *sync, const struct _sync_attr *attr)
{
	AXON_KEEP_ERRNO;

	if (sync == NULL) {
		return -EFAULT;
	}
	if (attr != NULL && attr->__protocol != PTHREAD_PRIO_INHERIT &&
	    attr->__protocol != PTHREAD_PRIO_NONE) {
		/* PTHREAD_PRIO_PROTECT: Linux's PI futexes have no
		 * ceiling. */
		return attr->__protocol == PTHREAD_PRIO_PROTECT ? -ENOTSUP
								: -EINVAL;
	}
	switch (type) {
	case _NTO_SYNC_MUTEX_FREE:
		sync->__count = 0;
		atomic_store(owner_word(sync), 0);
		return 0;
	case _NTO_SYNC_SEM:
		/* The initial value is what __count holds. */
		if (sync->__count < 0) {
			return -EINVAL;
		}
		atomic_store(owner_word(sync), _NTO_SYNC_SEM);
		return 0;
	case _NTO_SYNC_COND:
		sync->__count = 0;
		atomic_store(owner_word(sync), _NTO_SYNC_COND);
		return 0;
	default:
		return -EINVAL;
	}
}

int
SyncDestroy_r(sync_t *sync)
{
	AXON_KEEP_ERRNO;

	_Atomic unsigned *w;
	unsigned v;

	if (sync == NULL) {
		return -EFAULT;
	}
	w = owner_word(sync);
	v = atomic_load(w);
	for (;;) {
		if (v == _NTO_SYNC_DESTROYED) {
			return -EINVAL;
		}
		/* A locked mutex only by its owner, and with nobody waiting
		 * (their wait is in the kernel's hands). */
		if (is_mutex(v) && (v & FUTEX_TID_MASK) != 0 &&
		    (v != (unsigned) gettid())) {
			return -EBUSY;
		}
		if (atomic_compare_exchange_weak(w, &v, _NTO_SYNC_DESTROYED)) {
			break;
		}
	}
	if (v == _NTO_SYNC_SEM || v == _NTO_SYNC_COND) {
		/* Waiters wake and find it destroyed (EINVAL). */
		(void) atomic_fetch_add(count_word(sync), 1);
		(void) futex(count_word(sync), FUTEX_WAKE, (unsigned) INT_MAX,
		    NULL, 0);
	}
	return 0;
}

int
SyncTypeDestroy_r(uint32_t type, sync_t *sync)
{
	AXON_KEEP_ERRNO;

	unsigned v;

	if (sync == NULL) {
		return -EFAULT;
	}
	v = atomic_load(owner_word(sync));
	if (type == _NTO_SYNC_MUTEX_FREE ? !is_mutex(v) &&
		    v != _NTO_SYNC_INITIALIZER
		: type == _NTO_SYNC_SEM || type == _NTO_SYNC_COND
		? v != type && !(type == _NTO_SYNC_COND &&
				   v == _NTO_SYNC_INITIALIZER)
		: true) {
		return -EINVAL;
	}
	return SyncDestroy_r(sync);
}

int
SyncMutexLock_r(sync_t *sync)
{
	AXON_KEEP_ERRNO;

	struct axon_deadline dl;
	const struct timespec *at;
	int rc;

	axon__timeout_take(&dl);
	if (sync == NULL) {
		return -EFAULT;
	}
	rc = wait_deadline(&dl, _NTO_TIMEOUT_MUTEX, &at);
	return mutex_lock(sync, at, rc == -ETIMEDOUT);
}

int
SyncMutexUnlock_r(sync_t *sync)
{
	AXON_KEEP_ERRNO;

	return sync == NULL ? -EFAULT : mutex_unlock(sync);
}

int
SyncCondvarWait_r(sync_t *sync, sync_t *mutex)
{
	AXON_KEEP_ERRNO;

	struct axon_deadline dl;
	const struct timespec *at;
	int seq, rc, wrc = 0;

	axon__timeout_take(&dl);
	if (sync == NULL || mutex == NULL) {
		return -EFAULT;
	}
	rc = check_kind(sync, _NTO_SYNC_COND);
	if (rc < 0) {
		return rc;
	}
	seq = atomic_load(count_word(sync));
	rc = mutex_unlock(mutex);
	if (rc < 0) {
		return rc; /* EPERM: the caller does not hold it */
	}
	if (wait_deadline(&dl, _NTO_TIMEOUT_CONDVAR, &at) < 0) {
		wrc = -ETIMEDOUT;
	} else if (futex(count_word(sync), FUTEX_WAIT_BITSET, (unsigned) seq,
		       at, FUTEX_BITSET_MATCH_ANY) != 0 &&
	    errno == ETIMEDOUT) {
		wrc = -ETIMEDOUT;
	}
	/* EAGAIN (signalled already) and EINTR are wake-ups: the caller
	 * tests its predicate again, as after any condvar wait. */
	rc = mutex_lock(mutex, NULL, false);
	if (rc == 0 && wrc == 0 && check_kind(sync, _NTO_SYNC_COND) < 0) {
		wrc = -EINVAL; /* destroyed while we waited */
	}
	return rc < 0 ? rc : wrc;
}

int
SyncCondvarSignal_r(sync_t *sync, int broadcast)
{
	AXON_KEEP_ERRNO;

	int rc;

	if (sync == NULL) {
		return -EFAULT;
	}
	rc = check_kind(sync, _NTO_SYNC_COND);
	if (rc < 0) {
		return rc;
	}
	(void) atomic_fetch_add(count_word(sync), 1);
	(void) futex(count_word(sync), FUTEX_WAKE,
	    broadcast ? (unsigned) INT_MAX : 1u, NULL, 0);
	return 0;
}

int
SyncSemPost_r(sync_t *sync)
{
	AXON_KEEP_ERRNO;

	_Atomic int *c;
	int v, rc;

	if (sync == NULL) {
		return -EFAULT;
	}
	rc = check_kind(sync, _NTO_SYNC_SEM);
	if (rc < 0) {
		return rc;
	}
	c = count_word(sync);
	v = atomic_load(c);
	do {
		if (v == INT_MAX) {
			return -EOVERFLOW;
		}
	} while (!atomic_compare_exchange_weak(c, &v, v + 1));
	(void) futex(c, FUTEX_WAKE, 1, NULL, 0);
	return 0;
}

int
SyncSemWait_r(sync_t *sync, int tryto)
{
	AXON_KEEP_ERRNO;

	struct axon_deadline dl;
	const struct timespec *at;
	_Atomic int *c;
	bool poll;
	int rc;

	axon__timeout_take(&dl);
	if (sync == NULL) {
		return -EFAULT;
	}
	rc = check_kind(sync, _NTO_SYNC_SEM);
	if (rc < 0) {
		return rc;
	}
	poll = wait_deadline(&dl, _NTO_TIMEOUT_SEM, &at) < 0;
	c = count_word(sync);
	for (;;) {
		int v = atomic_load(c);

		if (v > 0) {
			if (atomic_compare_exchange_weak(c, &v, v - 1)) {
				return 0;
			}
			continue;
		}
		if (tryto) {
			return -EAGAIN;
		}
		if (poll) {
			return -ETIMEDOUT;
		}
		if (futex(c, FUTEX_WAIT_BITSET, (unsigned) v, at,
			FUTEX_BITSET_MATCH_ANY) != 0) {
			if (errno == ETIMEDOUT || errno == EINTR) {
				return -errno;
			}
		}
		if (check_kind(sync, _NTO_SYNC_SEM) < 0) {
			return -EINVAL; /* destroyed meanwhile */
		}
	}
}

int
SyncTypeCreate(unsigned type, sync_t *sync, const struct _sync_attr *attr)
{
	return axon__errno_ret(SyncTypeCreate_r(type, sync, attr));
}

int
SyncDestroy(sync_t *sync)
{
	return axon__errno_ret(SyncDestroy_r(sync));
}

int
SyncTypeDestroy(uint32_t type, sync_t *sync)
{
	return axon__errno_ret(SyncTypeDestroy_r(type, sync));
}

int
SyncMutexLock(sync_t *sync)
{
	return axon__errno_ret(SyncMutexLock_r(sync));
}

int
SyncMutexUnlock(sync_t *sync)
{
	return axon__errno_ret(SyncMutexUnlock_r(sync));
}

int
SyncCondvarWait(sync_t *sync, sync_t *mutex)
{
	return axon__errno_ret(SyncCondvarWait_r(sync, mutex));
}

int
SyncCondvarSignal(sync_t *sync, int broadcast)
{
	return axon__errno_ret(SyncCondvarSignal_r(sync, broadcast));
}

int
SyncSemPost(sync_t *sync)
{
	return axon__errno_ret(SyncSemPost_r(sync));
}

int
SyncSemWait(sync_t *sync, int tryto)
{
	return axon__errno_ret(SyncSemWait_r(sync, tryto));
}
