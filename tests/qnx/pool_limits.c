/*
 * pool_limits: a thread pool whose limits change while it runs.  Three
 * clients send messages the handler holds until released; with maximum
 * 1 one is in, thread_pool_control() raising the maximum to 4 (and
 * lo_water to 1) returns once the pool has four threads, all three
 * clients in; released, thread_pool_limits() lowering the maximum to 1
 * returns once at most one thread is left.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/dispatch.h>
#include <sys/neutrino.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int released, held, live;

static int
hold(message_context_t *ctp, int type, unsigned flags, void *handle)
{
	(void) type;
	(void) flags;
	(void) handle;
	pthread_mutex_lock(&lock);
	held++;
	while (!released) {
		pthread_cond_wait(&cv, &lock);
	}
	held--;
	pthread_mutex_unlock(&lock);
	MsgReply(ctp->rcvid, EOK, NULL, 0);
	return 0;
}

static dispatch_context_t *
ctx_alloc(dispatch_t *dpp)
{
	dispatch_context_t *c = dispatch_context_alloc(dpp);

	pthread_mutex_lock(&lock);
	live += c != NULL;
	pthread_mutex_unlock(&lock);
	return c;
}

static void
ctx_free(dispatch_context_t *c)
{
	pthread_mutex_lock(&lock);
	live--;
	pthread_mutex_unlock(&lock);
	dispatch_context_free(c);
}

static void *
client(void *arg)
{
	uint16_t type = 0x6000;

	return (void *) (intptr_t) MsgSend((int) (intptr_t) arg, &type,
	    sizeof(type), NULL, 0);
}

/* Waits (at most 10 s) until held == n. */
static int
wait_held(int n)
{
	struct timespec ts = {0, 10000000};

	for (int i = 0; i < 1000; i++) {
		int h;

		pthread_mutex_lock(&lock);
		h = held;
		pthread_mutex_unlock(&lock);
		if (h == n) {
			return 0;
		}
		nanosleep(&ts, NULL);
	}
	return -1;
}

int
main(void)
{
	dispatch_t *dpp = dispatch_create();
	thread_pool_attr_t pa, na;
	thread_pool_t *tp;
	pthread_t cl[3];
	int coid;

	if (dpp == NULL || message_attach(dpp, NULL, 0x6000, 0x6000, hold,
	    NULL) == -1) {
		perror("dispatch");
		return 1;
	}
	memset(&pa, 0, sizeof(pa));
	pa.handle = dpp;
	pa.context_alloc = ctx_alloc;
	pa.block_func = dispatch_block;
	pa.unblock_func = dispatch_unblock;
	pa.handler_func = dispatch_handler;
	pa.context_free = ctx_free;
	pa.lo_water = 1;
	pa.hi_water = 1;
	pa.increment = 1;
	pa.maximum = 1;
	if ((tp = thread_pool_create(&pa, 0)) == NULL ||
	    thread_pool_start(tp) != EOK) {
		perror("thread_pool");
		return 1;
	}
	coid = message_connect(dpp, MSG_FLAG_SIDE_CHANNEL);
	for (int i = 0; i < 3; i++) {
		pthread_create(&cl[i], NULL, client, (void *) (intptr_t) coid);
	}
	if (wait_held(1) != 0) {
		return 1;
	}
	printf("maximum 1: %d client in\n", held);

	memset(&na, 0, sizeof(na));
	na.maximum = 4;
	na.lo_water = 1;
	if (thread_pool_control(tp, &na, 4, 4, THREAD_POOL_CONTROL_MAXIMUM |
	    THREAD_POOL_CONTROL_LOWATER) == -1 || wait_held(3) != 0) {
		perror("thread_pool_control");
		return 1;
	}
	/* The fourth, idle, thread may still be starting. */
	for (int i = 0; i < 1000 && live != 4; i++) {
		struct timespec ts = {0, 10000000};

		nanosleep(&ts, NULL);
	}
	printf("maximum 4: %d threads, %d clients in\n", live, held);

	pthread_mutex_lock(&lock);
	released = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < 3; i++) {
		void *r;

		pthread_join(cl[i], &r);
		if ((intptr_t) r != 0) {
			return 1;
		}
	}
	if (thread_pool_limits(tp, 0, 1, 1, -1, 0) == -1) {
		perror("thread_pool_limits");
		return 1;
	}
	printf("maximum 1 again: %s\n", live <= 1 ? "at most one thread" :
	    "too many");
	thread_pool_destroy(tp);
	printf("destroyed: %d contexts left\n", live);
	return 0;
}
