/* SPDX-License-Identifier: MIT */
/*
 * Thread pools: threads that each run context_alloc, then block_func and
 * handler_func in a loop, the pool growing by `increment` when fewer than
 * lo_water are blocked (never past `maximum`) and a thread leaving when
 * it would make more than hi_water blocked, as QNX's.
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

int
thread_pool_limits(thread_pool_t *p, int lowater, int hiwater, int maximum,
    int increment, unsigned flags)
{
	if (p == NULL || flags != 0 ||
	    !tp_limits_ok(lowater, hiwater, maximum, increment)) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&p->lock);
	p->attr.lo_water = (unsigned short) lowater;
	p->attr.hi_water = (unsigned short) hiwater;
	p->attr.maximum = (unsigned short) maximum;
	p->attr.increment = (unsigned short) increment;
	pthread_mutex_unlock(&p->lock);
	return 0;
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
	unblock = p->attr.unblock_func;
	if (unblock == NULL &&
	    (p->attr.block_func == dispatch_block ||
		p->attr.block_func == (dispatch_context_t *(*)(
		    dispatch_context_t *)) resmgr_block)) {
		unblock = dispatch_unblock; /* what QNX's own pools use */
	}
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
		if (p->total <= (inside ? 1 : 0)) {
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
