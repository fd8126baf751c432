/* SPDX-License-Identifier: MIT */
/*
 * POSIX timers as Linux programs use them (SIGEV_SIGNAL, SIGEV_THREAD,
 * SIGEV_NONE), which Axon's <time.h> hands to glibc unchanged.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int calls;
static atomic_int value;

static void
on_thread(union sigval v)
{
	atomic_store(&value, v.sival_int);
	atomic_fetch_add(&calls, 1);
}

int
main(void)
{
	struct itimerspec its = {.it_value.tv_nsec = 5000000,
	    .it_interval.tv_nsec = 5000000};
	struct itimerspec cur;
	struct sigevent ev;
	struct timespec wait = {.tv_sec = 5};
	siginfo_t si;
	sigset_t set;
	timer_t ts;
	timer_t tt;
	timer_t tn;
	int got = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	ev.sigev_value.sival_int = 7;
	if (timer_create(CLOCK_MONOTONIC, &ev, &ts) != 0 ||
	    timer_settime(ts, 0, &its, NULL) != 0) {
		perror("signal timer");
		return 1;
	}
	for (int i = 0; i < 3; i++) {
		if (sigtimedwait(&set, &si, &wait) == SIGUSR1 &&
		    si.si_code == SI_TIMER && si.si_value.sival_int == 7) {
			got++;
		}
	}
	printf("signal timer: %d of 3 with SI_TIMER and the value\n", got);
	got = timer_gettime(ts, &cur);
	printf("gettime: %d, interval %ld ns\n", got, cur.it_interval.tv_nsec);
	printf("getoverrun >= 0: %d\n", timer_getoverrun(ts) >= 0);
	printf("delete: %d\n", timer_delete(ts));

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD;
	ev.sigev_notify_function = on_thread;
	ev.sigev_value.sival_int = 9;
	its.it_interval.tv_nsec = 0;
	if (timer_create(CLOCK_REALTIME, &ev, &tt) != 0 ||
	    timer_settime(tt, 0, &its, NULL) != 0) {
		perror("thread timer");
		return 1;
	}
	for (int i = 0; i < 500 && atomic_load(&calls) == 0; i++) {
		usleep(10000);
	}
	printf("thread timer: %d call, value %d\n", atomic_load(&calls),
	    atomic_load(&value));
	printf("delete: %d\n", timer_delete(tt));

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_NONE;
	its.it_value.tv_sec = 100;
	if (timer_create(CLOCK_MONOTONIC, &ev, &tn) != 0 ||
	    timer_settime(tn, 0, &its, NULL) != 0 ||
	    timer_gettime(tn, &cur) != 0) {
		perror("none timer");
		return 1;
	}
	printf("none timer: armed %d\n", cur.it_value.tv_sec >= 99);
	printf("delete: %d\n", timer_delete(tn));

	return 0;
}
