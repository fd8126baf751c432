/*
 * cpu_watch: a QNX-style watchdog that measures a worker thread's CPU
 * time through ClockId() and ClockTime(), waits for its start with
 * sem_timedwait_monotonic() and for a lock with
 * pthread_mutex_timedlock_monotonic(), installs its handler with the
 * SignalAction() kernel call, and sends its report as a packed record
 * (<_pack1.h>) the way a driver lays out a wire format.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/neutrino.h>
#include <time.h>

#include <_pack1.h>
struct report {
	uint8_t kind;
	uint32_t busy_ms;
	uint16_t flags;
};
#include <_packpop.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static sem_t started;
static volatile int stop;
static volatile sig_atomic_t pinged;

static void *
worker(void *arg)
{
	(void) arg;
	pthread_mutex_lock(&m); /* held while it works */
	sem_post(&started);
	while (!stop) {
	}
	pthread_mutex_unlock(&m);
	return NULL;
}

static void
ping(int sig)
{
	(void) sig;
	pinged = 1;
}

static struct timespec
in_ms(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return ts;
}

int
main(void)
{
	struct sigaction act;
	struct report r;
	struct timespec ts;
	uint64_t t0, t1;
	int tid, id, rc;

	printf("report: %zu bytes\n", sizeof(r));
	memset(&act, 0, sizeof(act));
	act.sa_handler = ping;
	sigemptyset(&act.sa_mask);
	if (SignalAction(0, __signalstub, SIGUSR1, &act, NULL) == -1) {
		perror("SignalAction");
		return 1;
	}
	raise(SIGUSR1);
	printf("handler ran: %s\n", pinged ? "yes" : "no");
	sem_init(&started, 0, 0);
	ts = in_ms(50);
	rc = sem_timedwait_monotonic(&started, &ts);
	printf("before the worker: %s\n",
	    rc == -1 && errno == ETIMEDOUT ? "ETIMEDOUT" : "?");
	tid = ThreadCreate(0, worker, NULL, NULL);
	if (tid == -1) {
		perror("ThreadCreate");
		return 1;
	}
	ts = in_ms(5000);
	rc = sem_timedwait_monotonic(&started, &ts);
	printf("worker started: %s\n", rc == 0 ? "yes" : "no");
	id = ClockId(0, tid);
	if (id == -1) {
		perror("ClockId");
		return 1;
	}
	ClockTime(id, NULL, &t0);
	ts = in_ms(200); /* the worker holds it meanwhile */
	rc = pthread_mutex_timedlock_monotonic(&m, &ts);
	printf("lock while it works: %s\n", rc == ETIMEDOUT ? "ETIMEDOUT" :
	    strerror(rc));
	ClockTime(id, NULL, &t1);
	stop = 1;
	ThreadJoin(tid, NULL);
	ts = in_ms(1000);
	rc = pthread_mutex_timedlock_monotonic(&m, &ts);
	printf("lock after: %s\n", rc == 0 ? "EOK" : strerror(rc));
	r.kind = 1;
	r.busy_ms = (uint32_t) ((t1 - t0) / 1000000u);
	r.flags = 0;
	printf("worker busy: %s\n", r.busy_ms > 0 ? "yes" : "no");
	printf("gone: %s\n", ClockId(0, tid) == -1 && errno == ESRCH ?
	    "ESRCH" : "?");
	return 0;
}
