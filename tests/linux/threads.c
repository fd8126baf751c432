/* An ordinary Linux program: threads, scheduling, signals, a timer. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int hits;
static volatile sig_atomic_t got;
static volatile int value;

static void *
work(void *arg)
{
	atomic_fetch_add(&hits, *(int *) arg);
	return arg;
}

static void
on_sig(int sig, siginfo_t *si, void *uc)
{
	(void) sig;
	(void) uc;
	value = si->si_value.sival_int;
	got = 1;
}

int
main(void)
{
	pthread_t t[4];
	int one = 1;
	struct sched_param sp;
	struct sigaction sa;
	struct sigevent ev;
	struct itimerspec its;
	union sigval v;
	timer_t tm;

	for (int i = 0; i < 4; i++) {
		pthread_create(&t[i], NULL, work, &one);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
	}
	sched_getparam(0, &sp);
	printf("hits %d prio %d policy %d\n", atomic_load(&hits),
	    sp.sched_priority, sched_getscheduler(0));
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	v.sival_int = 42;
	sigqueue(getpid(), SIGUSR1, v);
	while (!got) {
	}
	printf("sigqueue %d size %zu\n", value, sizeof(union sigval));
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	ev.sigev_value.sival_int = 7;
	got = 0;
	timer_create(CLOCK_MONOTONIC, &ev, &tm);
	memset(&its, 0, sizeof(its));
	its.it_value.tv_nsec = 1000000;
	timer_settime(tm, 0, &its, NULL);
	while (!got) {
	}
	timer_delete(tm);
	printf("timer %d\n", value);
	return 0;
}
