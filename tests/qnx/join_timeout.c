/*
 * join_timeout: a QNX lab exercise's shape.  main starts a worker that
 * runs longer than main will wait, arms a kernel timeout for the JOIN
 * state (TimerTimeout with SIGEV_UNBLOCK, as the QNX "Kernel timeouts"
 * chapter suggests for pthread_join) and joins: the join gives up with
 * ETIMEDOUT.  The timeout is gone after that call, so a second join
 * without re-arming waits for the worker and gets its status.  Then a
 * worker already over is joined at once under a timer_timeout().
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/neutrino.h>
#include <sys/siginfo.h>
#include <time.h>
#include <unistd.h>

static void *
worker(void *arg)
{
	delay(1000); /* 1 s: longer than main's 100 ms */
	return arg;
}

static void *
quick(void *arg)
{
	return arg;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return timespec2nsec(&ts);
}

static const char *
errname(int e)
{
	switch (e) {
	case EOK:
		return "EOK";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case ESRCH:
		return "ESRCH";
	case EDEADLK:
		return "EDEADLK";
	default:
		return "other";
	}
}

int
main(void)
{
	struct sigevent event;
	struct timespec ts;
	uint64_t timeout = 100000000ull; /* 100 ms */
	uint64_t t0;
	pthread_t tid;
	void *status = NULL;
	int rval;

	SIGEV_UNBLOCK_INIT(&event);
	if (pthread_create(&tid, NULL, worker, (void *) 0x2a) != EOK) {
		return 1;
	}
	t0 = now_ns();
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_JOIN, &event, &timeout,
	    NULL);
	rval = pthread_join(tid, &status);
	printf("first join: %s after %s 100 ms\n", errname(rval),
	    now_ns() - t0 >= timeout ? "at least" : "less than");
	printf("worker still running: %s\n",
	    now_ns() - t0 < 900000000ull ? "yes" : "no");

	rval = pthread_join(tid, &status); /* not re-armed: waits */
	printf("second join: %s, worker returned %p after %s 1 s\n",
	    errname(rval), status,
	    now_ns() - t0 >= 990000000ull ? "at least" : "less than");

	if (pthread_create(&tid, NULL, quick, (void *) 0x77) != EOK) {
		return 1;
	}
	delay(50);
	nsec2timespec(&ts, 5000000000ull);
	timer_timeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_JOIN, &event, &ts, NULL);
	t0 = now_ns();
	rval = pthread_join(tid, &status);
	printf("finished worker: %s, returned %p, %s\n", errname(rval),
	    status, now_ns() - t0 < 1000000000ull ? "at once" : "late");

	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_JOIN, &event, &timeout,
	    NULL);
	rval = pthread_join(pthread_self(), NULL);
	printf("self join: %s\n", errname(rval));
	return 0;
}
