/* SPDX-License-Identifier: MIT */
/*
 * timer_jitter: the lateness of a 1 ms periodic timer, as QNX programs
 * use one (TimerCreate with a SIGEV_PULSE, MsgReceive on the channel),
 * the same through the POSIX calls (timer_create() and timer_settime()
 * with the pulse event, Axon's <time.h>), against a Linux timerfd read
 * in the same run (issue 10, item 3).
 *
 * Both timers start at an absolute CLOCK_MONOTONIC time and tick every
 * period; the lateness of tick n is when the receiver has it minus
 * start + n periods.  Rounds alternate between the two so that both see
 * the same machine.  Prints p50, p99 and max of each (us), and the ratios
 * of the p99s.
 *
 *   timer_jitter [-n TICKS] [-r ROUNDS] [-p PERIOD_US]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/neutrino.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* Ticks of the Axon timer into lat[], made with TimerCreate() or with
 * timer_create(); 0, or -1. */
static int
run_axon(int chid, int coid, int n, uint64_t period, uint64_t *lat,
    bool posix)
{
	struct sigevent ev;
	struct itimerspec its;
	struct _itimer it;
	struct _pulse p;
	uint64_t start;
	timer_t t;
	int id;

	SIGEV_PULSE_INIT(&ev, coid, SIGEV_PULSE_PRIO_INHERIT, 1, 0);
	if (posix) {
		if (timer_create(CLOCK_MONOTONIC, &ev, &t) != 0) {
			return -1;
		}
		id = (int) (intptr_t) t;
	} else {
		id = TimerCreate(CLOCK_MONOTONIC, &ev);
		if (id < 0) {
			return -1;
		}
	}
	start = now_ns() + 10 * period;
	if (posix) {
		its.it_value.tv_sec = (time_t) (start / 1000000000ull);
		its.it_value.tv_nsec = (long) (start % 1000000000ull);
		its.it_interval.tv_sec = 0;
		its.it_interval.tv_nsec = (long) period;
		if (timer_settime(t, TIMER_ABSTIME, &its, NULL) != 0) {
			return -1;
		}
	} else {
		it.nsec = start;
		it.interval_nsec = period;
		if (TimerSettime(id, TIMER_ABSTIME, &it, NULL) != 0) {
			return -1;
		}
	}
	for (int i = 0; i < n; i++) {
		if (MsgReceive(chid, &p, sizeof(p), NULL) != 0) {
			return -1;
		}
		uint64_t got = now_ns();
		uint64_t due = start + (uint64_t) i * period;

		lat[i] = got > due ? got - due : 0;
	}
	if (posix) {
		timer_delete(t);
	} else {
		TimerDestroy(id);
	}
	/* Ticks sent while the last was handled: not this round's. */
	for (;;) {
		TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, NULL,
		    NULL);
		if (MsgReceive(chid, &p, sizeof(p), NULL) != 0) {
			break;
		}
	}
	return 0;
}

static int
run_timerfd(int n, uint64_t period, uint64_t *lat)
{
	struct itimerspec its;
	uint64_t start;
	uint64_t cnt;
	uint64_t seen = 0;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);

	if (fd < 0) {
		return -1;
	}
	start = now_ns() + 10 * period;
	its.it_value.tv_sec = (time_t) (start / 1000000000ull);
	its.it_value.tv_nsec = (long) (start % 1000000000ull);
	its.it_interval.tv_sec = 0;
	its.it_interval.tv_nsec = (long) period;
	if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) != 0) {
		return -1;
	}
	while ((int) seen < n) {
		if (read(fd, &cnt, sizeof(cnt)) != (ssize_t) sizeof(cnt)) {
			return -1;
		}
		uint64_t t = now_ns();

		/* An expiration read late stands for several ticks: each of
		 * them is as late as this read. */
		for (uint64_t k = 0; k < cnt && (int) seen < n; k++, seen++) {
			uint64_t due = start + seen * period;

			lat[seen] = t > due ? t - due : 0;
		}
	}
	close(fd);
	return 0;
}

static void
report(const char *name, uint64_t *lat, size_t n, uint64_t *ret_p99)
{
	qsort(lat, n, sizeof(*lat), cmp_u64);
	*ret_p99 = lat[n * 99 / 100];
	printf("%-8s ticks=%zu p50=%.1f p99=%.1f max=%.1f us\n", name, n,
	    (double) lat[n / 2] / 1e3, (double) lat[n * 99 / 100] / 1e3,
	    (double) lat[n - 1] / 1e3);
}

int
main(int argc, char **argv)
{
	int n = 2000;
	int rounds = 3;
	uint64_t period = 1000000;
	uint64_t *la;
	uint64_t *lp;
	uint64_t *lt;
	uint64_t pa;
	uint64_t pp;
	uint64_t pt;
	int chid;
	int coid;
	int c;

	while ((c = getopt(argc, argv, "n:r:p:")) != -1) {
		switch (c) {
		case 'n':
			n = atoi(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'p':
			period = (uint64_t) atoi(optarg) * 1000u;
			break;
		default:
			fprintf(stderr,
			    "usage: timer_jitter [-n ticks] [-r rounds] "
			    "[-p period_us]\n");
			return 2;
		}
	}
	if (n < 100 || rounds < 1 || period == 0) {
		fprintf(stderr, "timer_jitter: bad arguments\n");
		return 2;
	}
	la = calloc((size_t) (n * rounds), sizeof(*la));
	lp = calloc((size_t) (n * rounds), sizeof(*lp));
	lt = calloc((size_t) (n * rounds), sizeof(*lt));
	chid = ChannelCreate(0);
	coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	if (la == NULL || lp == NULL || lt == NULL || chid < 0 || coid < 0) {
		perror("timer_jitter");
		return 1;
	}
	for (int r = 0; r < rounds; r++) {
		if (run_axon(chid, coid, n, period, la + r * n, false) != 0 ||
		    run_axon(chid, coid, n, period, lp + r * n, true) != 0 ||
		    run_timerfd(n, period, lt + r * n) != 0) {
			perror("timer_jitter");
			return 1;
		}
	}
	printf("period %.0f us, %d rounds of %d ticks, interleaved\n",
	    (double) period / 1e3, rounds, n);
	report("axon", la, (size_t) (n * rounds), &pa);
	report("posix", lp, (size_t) (n * rounds), &pp);
	report("timerfd", lt, (size_t) (n * rounds), &pt);
	printf("p99 axon/timerfd = %.2f, posix/timerfd = %.2f "
	       "(target <= 1.2)\n",
	    pt > 0 ? (double) pa / (double) pt : 0.0,
	    pt > 0 ? (double) pp / (double) pt : 0.0);
	free(la);
	free(lp);
	free(lt);
	return 0;
}
