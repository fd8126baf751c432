/* SPDX-License-Identifier: MIT */
/*
 * QNX's sleepon locks (qnx-libc(3)): pthread_sleepon_lock()/_unlock()
 * take one process-wide mutex; pthread_sleepon_wait(addr) releases it
 * and sleeps until a pthread_sleepon_signal(addr) or _broadcast(addr)
 * of the same address, as a condition variable would, but with no
 * condition variable to declare per condition.
 *
 * Each waiter brings its own condition variable, on its stack, into the
 * list of waiters (oldest first); signal wakes the oldest waiter on the
 * address, broadcast every one.  A waiter leaves only when it was woken
 * (or timed out), so a spurious wake-up of the condition variable is not
 * one of the call.  Like a condition variable's, a wake-up says only
 * that the waiter should look again: the caller loops on its condition.
 *
 * The mutex records its owner, so that a wait or an unlock by a thread
 * that does not hold it fails with EPERM rather than corrupting the
 * list.  A waiter cancelled in its wait leaves the list and holds the
 * mutex, as after pthread_cond_wait(): its cleanup unlocks.  Signal and broadcast take the mutex themselves when the caller
 * does not hold it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "internal.h"

struct sleeper {
	struct sleeper *next;
	const volatile void *addr;
	pthread_cond_t cv;
	bool woken;
};

static pthread_mutex_t so_lock = PTHREAD_MUTEX_INITIALIZER;
/* The holder (its pthread_self()), 0 for none: only the holder writes
 * its own id, so a thread reading its own id there holds the mutex. */
static _Atomic uintptr_t so_owner;
static struct sleeper *so_head, **so_tail = &so_head;

static bool
held_by_me(void)
{
	return atomic_load_explicit(&so_owner, memory_order_relaxed) ==
	    (uintptr_t) pthread_self();
}

static void
set_owner(bool mine)
{
	atomic_store_explicit(&so_owner, mine ? (uintptr_t) pthread_self() : 0,
	    memory_order_relaxed);
}

int
axon_pthread_sleepon_lock(void)
{
	int rc;

	if (held_by_me()) {
		return EDEADLK;
	}
	rc = pthread_mutex_lock(&so_lock);
	if (rc == 0) {
		set_owner(true);
	}
	return rc;
}

int
axon_pthread_sleepon_unlock(void)
{
	if (!held_by_me()) {
		return EPERM;
	}
	set_owner(false);
	return pthread_mutex_unlock(&so_lock);
}

static void
unlink_sleeper(struct sleeper *w)
{
	struct sleeper **pp = &so_head;

	while (*pp != w) {
		pp = &(*pp)->next;
	}
	*pp = w->next;
	if (so_tail == &w->next) {
		so_tail = pp;
	}
}

/* A waiter cancelled in its wait (a cancellation point, as
 * pthread_cond_wait): it holds the mutex again, as after a wait, so that
 * the program's own cleanup can unlock it; it leaves the list before its
 * stack goes. */
static void
sleep_cancelled(void *arg)
{
	struct sleeper *w = arg;

	set_owner(true);
	unlink_sleeper(w);
	pthread_cond_destroy(&w->cv);
}

/* Waits until w is woken or at passes: 0 or ETIMEDOUT. */
static int
wait_woken(struct sleeper *w, const struct timespec *at)
{
	int rc = 0;

	while (!w->woken && rc != ETIMEDOUT) {
		set_owner(false);
		rc = at == NULL ? pthread_cond_wait(&w->cv, &so_lock)
				: pthread_cond_timedwait(&w->cv, &so_lock, at);
		set_owner(true);
	}
	return w->woken ? 0 : rc;
}

static int
sleep_on(const volatile void *addr, const struct timespec *at)
{
	struct sleeper w = {.addr = addr};
	pthread_condattr_t ca;
	int rc;

	if (!held_by_me()) {
		return EPERM;
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w.cv, &ca);
	pthread_condattr_destroy(&ca);
	*so_tail = &w;
	so_tail = &w.next;
	pthread_cleanup_push(sleep_cancelled, &w);
	rc = wait_woken(&w, at);
	pthread_cleanup_pop(0);
	unlink_sleeper(&w);
	pthread_cond_destroy(&w.cv);
	return rc;
}

int
axon_pthread_sleepon_wait(const volatile void *addr)
{
	return sleep_on(addr, NULL);
}

int
axon_pthread_sleepon_timedwait(const volatile void *addr, uint64_t nsec)
{
	/* The latest time a time_t holds: beyond it, "forever". */
	const uint64_t tmax = sizeof(time_t) == 4 ? (uint64_t) INT32_MAX
						  : (uint64_t) INT64_MAX;
	struct timespec at;
	uint64_t s, ns;

	clock_gettime(CLOCK_MONOTONIC, &at);
	ns = (uint64_t) at.tv_nsec + nsec % 1000000000u;
	s = nsec / 1000000000u + ns / 1000000000u;
	if (s > tmax - (uint64_t) at.tv_sec) {
		at.tv_sec = (time_t) tmax;
		at.tv_nsec = 0;
	} else {
		at.tv_sec += (time_t) s;
		at.tv_nsec = (long) (ns % 1000000000u);
	}
	return sleep_on(addr, &at);
}

static int
wake(const volatile void *addr, bool all)
{
	bool mine = held_by_me();

	if (!mine) {
		pthread_mutex_lock(&so_lock);
	}
	for (struct sleeper *w = so_head; w != NULL; w = w->next) {
		if (w->addr == addr && !w->woken) {
			w->woken = true;
			pthread_cond_signal(&w->cv);
			if (!all) {
				break;
			}
		}
	}
	if (!mine) {
		pthread_mutex_unlock(&so_lock);
	}
	return 0;
}

int
axon_pthread_sleepon_signal(const volatile void *addr)
{
	return wake(addr, false);
}

int
axon_pthread_sleepon_broadcast(const volatile void *addr)
{
	return wake(addr, true);
}

/* QNX's names (AXON_QNX_NAME, internal.h). */
#undef pthread_sleepon_lock
#undef pthread_sleepon_unlock
#undef pthread_sleepon_wait
#undef pthread_sleepon_timedwait
#undef pthread_sleepon_signal
#undef pthread_sleepon_broadcast
AXON_QNX_NAME(pthread_sleepon_lock, axon_pthread_sleepon_lock);
AXON_QNX_NAME(pthread_sleepon_unlock, axon_pthread_sleepon_unlock);
AXON_QNX_NAME(pthread_sleepon_wait, axon_pthread_sleepon_wait);
AXON_QNX_NAME(pthread_sleepon_timedwait, axon_pthread_sleepon_timedwait);
AXON_QNX_NAME(pthread_sleepon_signal, axon_pthread_sleepon_signal);
AXON_QNX_NAME(pthread_sleepon_broadcast, axon_pthread_sleepon_broadcast);
