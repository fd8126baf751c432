/* SPDX-License-Identifier: MIT */
/*
 * pulse_cost: what one MsgSendPulse() costs its caller, to a server in
 * another process that receives them, and to a channel of the caller's
 * own process received by another of its threads.  Bursts of 32 pulses,
 * each call timed, then the sender waits until all 32 were received,
 * so that the queue never grows.  Prints p50, p99 and the mean (us).
 *
 *   pulse_cost [-r ROUNDS]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/neutrino.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define BURST 32

/* Receives pulses on chid; one byte to fd after each BURST; ends at
 * code 2. */
static void
receiver(int chid, int fd)
{
	struct _pulse p;
	int n = 0;

	for (;;) {
		if (MsgReceive(chid, &p, sizeof(p), NULL) != 0) {
			continue;
		}
		if (p.code == 2) {
			return;
		}
		if (++n == BURST) {
			n = 0;
			if (write(fd, "k", 1) != 1) {
				return;
			}
		}
	}
}

struct thr {
	int chid;
	int fd;
};

static void *
thr_main(void *arg)
{
	struct thr *t = arg;

	receiver(t->chid, t->fd);
	return NULL;
}

static int
run(int coid, int ack, int rounds, uint64_t *lat)
{
	char c;

	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < BURST; i++) {
			uint64_t t0 = now_ns();

			if (MsgSendPulse(coid, 10, 1, i) != 0) {
				return -1;
			}
			lat[r * BURST + i] = now_ns() - t0;
		}
		if (read(ack, &c, 1) != 1) {
			return -1;
		}
	}
	return MsgSendPulse(coid, 10, 2, 0);
}

static void
report(const char *name, uint64_t *lat, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++) {
		sum += (double) lat[i];
	}
	qsort(lat, n, sizeof(*lat), cmp_u64);
	printf("%-14s calls=%zu p50=%.2f p99=%.2f mean=%.2f us\n", name, n,
	    (double) lat[n / 2] / 1e3, (double) lat[n * 99 / 100] / 1e3,
	    sum / (double) n / 1e3);
}

int
main(int argc, char **argv)
{
	int rounds = 2000;
	int p[2];
	int q[2];
	int chid;
	int coid;
	pid_t pid;
	pthread_t th;
	struct thr t;
	uint64_t *lat;
	int c;

	while ((c = getopt(argc, argv, "r:")) != -1) {
		if (c != 'r' || (rounds = atoi(optarg)) < 10) {
			fprintf(stderr, "usage: pulse_cost [-r rounds]\n");
			return 2;
		}
	}
	lat = calloc((size_t) rounds * BURST, sizeof(*lat));
	if (lat == NULL || pipe(p) != 0 || pipe(q) != 0) {
		perror("pulse_cost");
		return 1;
	}
	/* Another process. */
	pid = fork();
	if (pid == 0) {
		int ch = ChannelCreate(0);

		if (write(q[1], &ch, sizeof(ch)) != (ssize_t) sizeof(ch)) {
			_exit(1);
		}
		receiver(ch, p[1]);
		_exit(0);
	}
	if (read(q[0], &chid, sizeof(chid)) != (ssize_t) sizeof(chid) ||
	    (coid = ConnectAttach(0, pid, chid, _NTO_SIDE_CHANNEL, 0)) < 0 ||
	    run(coid, p[0], rounds, lat) != 0) {
		perror("pulse_cost: other process");
		return 1;
	}
	waitpid(pid, NULL, 0);
	report("other process", lat, (size_t) rounds * BURST);
	/* This process. */
	t.chid = ChannelCreate(0);
	t.fd = p[1];
	coid = ConnectAttach(0, 0, t.chid, _NTO_SIDE_CHANNEL, 0);
	if (t.chid < 0 || coid < 0 ||
	    pthread_create(&th, NULL, thr_main, &t) != 0 ||
	    run(coid, p[0], rounds, lat) != 0) {
		perror("pulse_cost: this process");
		return 1;
	}
	pthread_join(th, NULL);
	report("this process", lat, (size_t) rounds * BURST);
	free(lat);
	return 0;
}
