/* SPDX-License-Identifier: MIT */
/*
 * rt_boost: a real-time client's round trips to a one-thread server that
 * ordinary clients flood, with and without the send-time boost (issue 10,
 * item 5; docs/benchmarks.md).
 *
 * A SCHED_FIFO 30 client sends a 16-byte message every 200 us to a server
 * process with one receiving thread (SCHED_OTHER).  Three phases, one
 * run, each with a fresh client process:
 *
 *   idle      the real-time client alone;
 *   flood     8 SCHED_OTHER clients send to the same server without
 *             pause (the server spends WORK us on each of their
 *             messages), and the real-time client's sends boost the
 *             server thread while they wait;
 *   noboost   the same flood, the client started with AXON_NO_BOOST=1
 *             (receive-time inheritance only, as before the boost).
 *
 * For each phase one line of key=value pairs: count, p50, p99, p99.9 and
 * max (us), and how many round trips took over 1 ms; then the targets:
 * no round trip over 1 ms under the flood, and its p99.9 at most the
 * idle p99.9 (ratio printed).  Exit 0 whether or not the targets are met
 * (a loaded machine decides that); 1 on a failure to run, 77 if the
 * process may not use SCHED_FIFO.
 *
 *   rt_boost [-t SECONDS] [-c CLIENTS] [-w WORK_US] [-i INTERVAL_US]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/neutrino.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static void
busy(uint64_t ns)
{
	uint64_t t0 = now_ns();

	while (now_ns() - t0 < ns) {
	}
}

/* The server: one thread; WORK us of work on each flood message. */
static void
serve(int chid, uint64_t work_ns)
{
	char msg[16];

	for (;;) {
		rcvid_t r = MsgReceive(chid, msg, sizeof(msg), NULL);

		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			_exit(1);
		}
		if (r == 0) {
			continue; /* a pulse */
		}
		if (msg[0] == 'f') {
			busy(work_ns);
		}
		(void) MsgReply(r, 0, msg, sizeof(msg));
	}
}

static void
flood(pid_t srv, int chid)
{
	char msg[16] = "f";
	int coid = ConnectAttach(0, srv, chid, _NTO_SIDE_CHANNEL, 0);

	if (coid < 0) {
		_exit(1);
	}
	for (;;) {
		(void) MsgSend(coid, msg, sizeof(msg), msg, sizeof(msg));
	}
}

struct result {
	size_t n;
	double p50, p99, p999, max;
	size_t over;
	int rc; /* 0, 1 failure, 77 no SCHED_FIFO */
};

/* The real-time client, in a child of its own; its result comes back
 * through shared memory. */
static void
rt_client(pid_t srv, int chid, double secs, uint64_t interval_ns,
    struct result *res)
{
	struct sched_param sp = {.sched_priority = 30};
	size_t cap = (size_t) (secs * 1e9 / (double) interval_ns) + 16;
	uint64_t *rt = calloc(cap, sizeof(*rt));
	char msg[16] = "r";
	size_t n = 0;
	int coid;

	if (rt == NULL) {
		res->rc = 1;
		_exit(1);
	}
	if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) {
		res->rc = 77;
		_exit(77);
	}
	(void) mlockall(MCL_CURRENT | MCL_FUTURE);
	coid = ConnectAttach(0, srv, chid, _NTO_SIDE_CHANNEL, 0);
	if (coid < 0) {
		res->rc = 1;
		_exit(1);
	}
	/* Warm up: a few round trips not counted. */
	for (int k = 0; k < 50; k++) {
		(void) MsgSend(coid, msg, sizeof(msg), msg, sizeof(msg));
	}
	uint64_t start = now_ns();
	uint64_t next = start;

	while (n < cap && now_ns() - start < (uint64_t) (secs * 1e9)) {
		struct timespec ts;

		next += interval_ns;
		ts.tv_sec = (time_t) (next / 1000000000ull);
		ts.tv_nsec = (long) (next % 1000000000ull);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
			   NULL) == EINTR) {
		}
		uint64_t t0 = now_ns();

		if (MsgSend(coid, msg, sizeof(msg), msg, sizeof(msg)) < 0) {
			res->rc = 1;
			_exit(1);
		}
		rt[n++] = now_ns() - t0;
		if (now_ns() > next + interval_ns) {
			next = now_ns(); /* overran: no burst to catch up */
		}
	}
	qsort(rt, n, sizeof(*rt), cmp_u64);
	res->n = n;
	res->p50 = (double) rt[n / 2] / 1e3;
	res->p99 = (double) rt[n * 99 / 100] / 1e3;
	res->p999 = (double) rt[n * 999 / 1000] / 1e3;
	res->max = (double) rt[n - 1] / 1e3;
	res->over = 0;
	for (size_t k = 0; k < n; k++) {
		res->over += rt[k] > 1000000;
	}
	res->rc = 0;
	_exit(0);
}

static int
phase(const char *name, pid_t srv, int chid, double secs,
    uint64_t interval_ns, bool noboost, struct result *res)
{
	pid_t c;
	int status;

	memset(res, 0, sizeof(*res));
	res->rc = 1;
	c = fork();
	if (c < 0) {
		return 1;
	}
	if (c == 0) {
		if (noboost) {
			setenv("AXON_NO_BOOST", "1", 1);
		}
		rt_client(srv, chid, secs, interval_ns, res);
	}
	if (waitpid(c, &status, 0) < 0 || !WIFEXITED(status)) {
		fprintf(stderr, "rt_boost: the %s client died\n", name);
		return 1;
	}
	if (res->rc != 0) {
		if (res->rc == 77) {
			fprintf(stderr, "rt_boost: SCHED_FIFO not permitted\n");
		}
		return res->rc;
	}
	printf("phase=%s count=%zu p50_us=%.1f p99_us=%.1f p999_us=%.1f "
	       "max_us=%.1f over_1ms=%zu\n",
	    name, res->n, res->p50, res->p99, res->p999, res->max,
	    res->over);
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	double secs = 3;
	int nclients = 8;
	long work_us = 20;
	long interval_us = 200;
	int opt;
	int pfd[2];
	int chid;
	pid_t srv;
	pid_t fl[64] = {0};
	int rc = 0;
	struct result *res;

	while ((opt = getopt(argc, argv, "t:c:w:i:")) != -1) {
		switch (opt) {
		case 't':
			secs = atof(optarg);
			break;
		case 'c':
			nclients = atoi(optarg);
			break;
		case 'w':
			work_us = atol(optarg);
			break;
		case 'i':
			interval_us = atol(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || secs <= 0 || secs > 600 || nclients < 1 ||
	    nclients > 64 || work_us < 0 || interval_us < 10) {
usage:
		fprintf(stderr, "usage: rt_boost [-t SECONDS] [-c CLIENTS] "
				"[-w WORK_US] [-i INTERVAL_US]\n");
		return 2;
	}
	res = mmap(NULL, 3 * sizeof(*res), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED || pipe(pfd) < 0) {
		perror("rt_boost");
		return 1;
	}
	srv = fork();
	if (srv < 0) {
		perror("rt_boost: fork");
		return 1;
	}
	if (srv == 0) {
		close(pfd[0]);
		chid = ChannelCreate(0);
		if (chid < 0 || write(pfd[1], &chid, sizeof(chid)) !=
				    (ssize_t) sizeof(chid)) {
			_exit(1);
		}
		close(pfd[1]);
		serve(chid, (uint64_t) work_us * 1000);
	}
	close(pfd[1]);
	if (read(pfd[0], &chid, sizeof(chid)) != (ssize_t) sizeof(chid)) {
		fprintf(stderr, "rt_boost: the server did not start\n");
		kill(srv, SIGKILL);
		waitpid(srv, NULL, 0);
		return 1;
	}
	close(pfd[0]);
	printf("rt_boost: SCHED_FIFO 30 client every %ld us, %.0f s per "
	       "phase; %d SCHED_OTHER flood clients, %ld us of server work "
	       "each; %ld CPUs\n",
	    interval_us, secs, nclients, work_us, sysconf(_SC_NPROCESSORS_ONLN));
	fflush(stdout);
	rc = phase("idle", srv, chid, secs, (uint64_t) interval_us * 1000,
	    false, &res[0]);
	for (int k = 0; rc == 0 && k < nclients; k++) {
		fl[k] = fork();
		if (fl[k] == 0) {
			flood(srv, chid);
		}
	}
	if (rc == 0) {
		usleep(200000); /* the flood under way */
		rc = phase("flood", srv, chid, secs,
		    (uint64_t) interval_us * 1000, false, &res[1]);
	}
	if (rc == 0) {
		rc = phase("noboost", srv, chid, secs,
		    (uint64_t) interval_us * 1000, true, &res[2]);
	}
	for (int k = 0; k < nclients; k++) {
		if (fl[k] > 0) {
			kill(fl[k], SIGKILL);
			waitpid(fl[k], NULL, 0);
		}
	}
	kill(srv, SIGKILL);
	waitpid(srv, NULL, 0);
	if (rc != 0) {
		return rc;
	}
	double ratio = res[1].p999 / (res[0].p999 > 0 ? res[0].p999 : 1);

	printf("flood_over_1ms=%zu flood_p999/idle_p999=%.2f "
	       "noboost_over_1ms=%zu noboost_p999/idle_p999=%.2f "
	       "target=%s\n",
	    res[1].over, ratio, res[2].over,
	    res[2].p999 / (res[0].p999 > 0 ? res[0].p999 : 1),
	    res[1].over == 0 && ratio <= 1.0 ? "met" : "missed");
	return 0;
}
