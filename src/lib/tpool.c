/* SPDX-License-Identifier: MIT */
/*
 * Thread pools: threads that each run context_alloc, then block_func and
 * handler_func in a loop, the pool growing by `increment` when fewer than
 * lo_water are blocked (never past `maximum`) and a thread leaving when
 * it would make more than hi_water blocked, as QNX's.
 *
 * thread_pool_control() changes the limits of a running pool and acts on
 * them at once: it starts the threads the new lo_water wants and wakes
 * (unblock_func) the idle ones past the new hi_water or maximum, which
 * then leave by the rule above; then it may wait until the number of
 * threads lies in [lower, upper].
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch_int.h"
#include "internal.h"

struct tp_thread {
	struct tp_thread *next;
	dispatch_context_t *ctp;
	bool blocked;
};

struct _thread_pool {
	thread_pool_attr_t attr;
	unsigned flags;
	pthread_mutex_t lock;
	pthread_cond_t cv;     /* a thread left */
	int total;             /* threads of the pool, starting ones too */
	int blocked;           /* in block_func */
	int starting;          /* counted in total, not yet at block_func */
	int controllers;       /* thread_pool_control() calls waiting */
	bool started;
	bool destroying;
	bool free_on_exit;     /* destroyed from one of its threads */
	struct tp_thread *threads;
};

static __thread struct _thread_pool *tls_pool;

static void *tp_main(void *arg);

/* Starts n threads (already counted in total; lock not held). */
static void
tp_spawn(struct _thread_pool *p, int n)
{
	for (int i = 0; i < n; i++) {
		pthread_t t;

		if (pthread_create(&t, p->attr.attr, tp_main, p) != 0) {
			pthread_mutex_lock(&p->lock);
			p->total--;
			p->starting--;
			pthread_cond_broadcast(&p->cv);
			pthread_mutex_unlock(&p->lock);
			continue;
		}
		(void) pthread_detach(t);
	}
}

static void
tp_unlink(struct _thread_pool *p, struct tp_thread *t)
{
	struct tp_thread **pp = &p->threads;

	while (*pp != NULL && *pp != t) {
		pp = &(*pp)->next;
	}
	if (*pp == t) {
		*pp = t->next;
	}
}

static void
tp_run(struct _thread_pool *p)
{
	struct tp_thread self = {0};
	void (*cfree)(dispatch_context_t *) = p->attr.context_free;
	dispatch_context_t *ctp;
	bool last;

	tls_pool = p;
	if (p->attr.tid_name != NULL) {
		(void) pthread_setname_np(pthread_self(), p->attr.tid_name);
	}
	ctp = p->attr.context_alloc(p->attr.handle);
	pthread_mutex_lock(&p->lock);
	p->starting--;
	if (ctp != NULL) {
		self.ctp = ctp;
		self.next = p->threads;
		p->threads = &self;
	}
	while (ctp != NULL && !p->destroying) {
		dispatch_context_t *n;
		int grow = 0;

		p->blocked++;
		self.blocked = true;
		pthread_mutex_unlock(&p->lock);
		n = p->attr.block_func(ctp);
		pthread_mutex_lock(&p->lock);
		p->blocked--;
		self.blocked = false;
		if (n == NULL) {
			continue; /* interrupted: block again */
		}
		ctp = self.ctp = n;
		if (p->destroying) {
			break;
		}
		if (p->blocked < p->attr.lo_water &&
		    p->total < p->attr.maximum) {
			grow = p->attr.maximum - p->total;
			if (grow > p->attr.increment) {
				grow = p->attr.increment;
			}
			if (grow < 1) {
				grow = 1;
			}
			p->total += grow;
			p->starting += grow;
		}
		pthread_mutex_unlock(&p->lock);
		tp_spawn(p, grow);
		(void) p->attr.handler_func(ctp);
		pthread_mutex_lock(&p->lock);
		if (p->blocked >= p->attr.hi_water || p->total > p->attr.maximum) {
			break; /* enough are waiting without us */
		}
	}
	if (ctp != NULL) {
		tp_unlink(p, &self);
	}
	/* The context goes while the thread still counts, so that
	 * thread_pool_destroy() returns after every context_free. */
	pthread_mutex_unlock(&p->lock);
	if (ctp != NULL && cfree != NULL) {
		cfree(ctp);
	}
	pthread_mutex_lock(&p->lock);
	p->total--;
	last = p->total == 0 && p->free_on_exit;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->lock);
	/* Past this the pool may be freed, unless we are its last. */
	tls_pool = NULL;
	if (last) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->cv);
		free(p);
	}
}

static void *
tp_main(void *arg)
{
	tp_run(arg);
	return NULL;
}

static int
tp_limits_ok(int lo, int hi, int max, int inc)
{
	return lo >= 0 && hi >= 0 && max >= 1 && inc >= 0 && lo <= 65535 &&
	    hi <= 65535 && max <= 65535 && inc <= 65535 && lo <= max;
}

thread_pool_t *
thread_pool_create(thread_pool_attr_t *attr, unsigned flags)
{
	struct _thread_pool *p;

	if (attr == NULL || attr->block_func == NULL ||
	    attr->handler_func == NULL || attr->context_alloc == NULL ||
	    (flags & ~(unsigned) (POOL_FLAG_EXIT_SELF | POOL_FLAG_USE_SELF)) !=
		0 || (flags & POOL_FLAG_EXIT_SELF && flags & POOL_FLAG_USE_SELF) ||
	    !tp_limits_ok(attr->lo_water, attr->hi_water, attr->maximum,
		attr->increment)) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	p->attr = *attr;
	p->flags = flags;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cv, NULL);
	return p;
}

int
thread_pool_start(void *pool)
{
	struct _thread_pool *p = pool;
	int n, self;

	if (p == NULL) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&p->lock);
	if (p->started || p->destroying) {
		pthread_mutex_unlock(&p->lock);
		errno = EBUSY;
		return -1;
	}
	p->started = true;
	n = p->attr.lo_water > 0 ? p->attr.lo_water : 1;
	if (n > p->attr.maximum) {
		n = p->attr.maximum;
	}
	self = (p->flags & POOL_FLAG_USE_SELF) ? 1 : 0;
	p->total += n;
	p->starting += n;
	pthread_mutex_unlock(&p->lock);
	tp_spawn(p, n - self);
	if (self) {
		tp_run(p);
		return EOK;
	}
	if (p->flags & POOL_FLAG_EXIT_SELF) {
		pthread_exit(NULL);
	}
	return EOK;
}

/* The pool's way to wake a thread in block_func, or NULL. */
static void (*tp_unblock_fn(const struct _thread_pool *p))(dispatch_context_t *)
{
	if (p->attr.unblock_func != NULL) {
		return p->attr.unblock_func;
	}
	if (p->attr.block_func == dispatch_block ||
	    p->attr.block_func == (dispatch_context_t *(*)(
		dispatch_context_t *)) resmgr_block) {
		return dispatch_unblock; /* what QNX's own pools use */
	}
	return NULL;
}

/*
 * Acts on the limits now (p->lock held): the threads lo_water wants
 * (those starting count as blocked, so that calls in a row do not
 * overshoot) are counted in total and returned for the caller to start
 * with the lock dropped; idle threads past hi_water or maximum are woken
 * and leave after their (empty) handling.
 */
static int
tp_adjust(struct _thread_pool *p)
{
	void (*unblock)(dispatch_context_t *) = tp_unblock_fn(p);
	int want = p->attr.lo_water - (p->blocked + p->starting);
	int room = p->attr.maximum - p->total;
	int over = p->blocked - p->attr.hi_water;
	int grow = 0;

	if (!p->started || p->destroying) {
		return 0;
	}
	if (want > 0 && room > 0) {
		grow = want < room ? want : room;
		p->total += grow;
		p->starting += grow;
	}
	if (p->total - p->attr.maximum > over) {
		over = p->total - p->attr.maximum;
	}
	for (struct tp_thread *t = p->threads; t != NULL && over > 0 &&
	     unblock != NULL; t = t->next) {
		if (t->blocked) {
			unblock(t->ctp);
			over--;
		}
	}
	return grow;
}

static void
tp_control_cleanup(void *arg)
{
	struct _thread_pool *p = arg;

	p->controllers--;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->lock);
}

/* A cancellation point while it waits (the lock is dropped and the
 * count of waiting controllers put back if cancelled). */
int
thread_pool_control(thread_pool_t *p, thread_pool_attr_t *attr,
    uint16_t lower, uint16_t upper, unsigned flags)
{
	const unsigned set = THREAD_POOL_CONTROL_HIWATER |
	    THREAD_POOL_CONTROL_LOWATER | THREAD_POOL_CONTROL_MAXIMUM |
	    THREAD_POOL_CONTROL_INCREMENT;
	int lo, hi, max, inc, grow;
	volatile int rc = 0; /* set between cleanup_push and _pop */

	if (p == NULL || (flags & ~(set | THREAD_POOL_CONTROL_NONBLOCK)) != 0 ||
	    ((flags & set) != 0 && attr == NULL) ||
	    (!(flags & THREAD_POOL_CONTROL_NONBLOCK) && lower > upper)) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&p->lock);
	if (p->destroying) {
		pthread_mutex_unlock(&p->lock);
		errno = EINVAL;
		return -1;
	}
	lo = (flags & THREAD_POOL_CONTROL_LOWATER) ? attr->lo_water :
	    p->attr.lo_water;
	hi = (flags & THREAD_POOL_CONTROL_HIWATER) ? attr->hi_water :
	    p->attr.hi_water;
	max = (flags & THREAD_POOL_CONTROL_MAXIMUM) ? attr->maximum :
	    p->attr.maximum;
	inc = (flags & THREAD_POOL_CONTROL_INCREMENT) ? attr->increment :
	    p->attr.increment;
	if (!tp_limits_ok(lo, hi, max, inc)) {
		pthread_mutex_unlock(&p->lock);
		errno = EINVAL; /* nothing changed */
		return -1;
	}
	p->attr.lo_water = (unsigned short) lo;
	p->attr.hi_water = (unsigned short) hi;
	p->attr.maximum = (unsigned short) max;
	p->attr.increment = (unsigned short) inc;
	grow = tp_adjust(p);
	if ((flags & THREAD_POOL_CONTROL_NONBLOCK) || !p->started) {
		pthread_mutex_unlock(&p->lock);
		tp_spawn(p, grow);
		return 0;
	}
	p->controllers++;
	pthread_cleanup_push(tp_control_cleanup, p);
	for (;;) {
		struct timespec ts;

		if (grow > 0) {
			pthread_mutex_unlock(&p->lock);
			tp_spawn(p, grow);
			pthread_mutex_lock(&p->lock);
		}
		if (p->destroying) {
			rc = ECANCELED;
			break;
		}
		if (p->total >= lower && p->total <= upper) {
			break;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50000000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		/* Woken when a thread leaves; the timeout looks again at
		 * threads that came or idle ones not yet woken. */
		if (pthread_cond_timedwait(&p->cv, &p->lock, &ts) ==
		    ETIMEDOUT) {
			grow = tp_adjust(p);
		}
	}
	pthread_cleanup_pop(1);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

int
thread_pool_limits(thread_pool_t *p, int lowater, int hiwater, int maximum,
    int increment, unsigned flags)
{
	thread_pool_attr_t a;
	unsigned set = 0;

	memset(&a, 0, sizeof(a));
	if (p == NULL || (flags & ~(unsigned) THREAD_POOL_CONTROL_NONBLOCK) !=
	    0 || lowater > 65535 || hiwater > 65535 || maximum > 65535 ||
	    increment > 65535) {
		errno = EINVAL;
		return -1;
	}
	/* A negative value leaves that limit as it is. */
	if (lowater >= 0) {
		a.lo_water = (unsigned short) lowater;
		set |= THREAD_POOL_CONTROL_LOWATER;
	}
	if (hiwater >= 0) {
		a.hi_water = (unsigned short) hiwater;
		set |= THREAD_POOL_CONTROL_HIWATER;
	}
	if (maximum >= 0) {
		a.maximum = (unsigned short) maximum;
		set |= THREAD_POOL_CONTROL_MAXIMUM;
	}
	if (increment >= 0) {
		a.increment = (unsigned short) increment;
		set |= THREAD_POOL_CONTROL_INCREMENT;
	}
	return thread_pool_control(p, &a,
	    lowater >= 0 ? (uint16_t) lowater : 0,
	    maximum >= 0 ? (uint16_t) maximum : UINT16_MAX, set | flags);
}

static int
thread_pool_destroy_body(thread_pool_t *p)
{
	void (*unblock)(dispatch_context_t *);
	bool inside;

	if (p == NULL) {
		errno = EINVAL;
		return -1;
	}
	unblock = tp_unblock_fn(p);
	inside = tls_pool == p;
	pthread_mutex_lock(&p->lock);
	p->destroying = true;
	p->attr.lo_water = p->attr.hi_water = 0;
	for (;;) {
		/* Wake every blocked thread; woken ones see destroying. */
		for (struct tp_thread *t = p->threads; t != NULL; t = t->next) {
			if (t->blocked && unblock != NULL) {
				unblock(t->ctp);
			}
		}
		/* (Waiting controllers see destroying and leave.) */
		pthread_cond_broadcast(&p->cv);
		if (p->total <= (inside ? 1 : 0) && p->controllers == 0) {
			break;
		}
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50000000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void) pthread_cond_timedwait(&p->cv, &p->lock, &ts);
	}
	if (inside) {
		p->free_on_exit = true; /* the caller's thread frees it */
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cv);
	free(p);
	return 0;
}

/* Not a cancellation point (it waits with a lock held). */
int
thread_pool_destroy(thread_pool_t *p)
{
	int rc;
	int state;

	(void) pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &state);
	rc = thread_pool_destroy_body(p);
	(void) pthread_setcancelstate(state, NULL);
	return rc;
}
