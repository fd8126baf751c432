/* SPDX-License-Identifier: MIT */
/*
 * axon_rr: MsgSend/MsgReceive/MsgReply round trips, measured the way the
 * IPC baselines in ../shared/baselines measure theirs (same options, same
 * output line), so that the two can be compared in one run.
 *
 * A forked server does ChannelCreate + MsgReceive into a private buffer +
 * MsgReply of S bytes; the client ConnectAttach()es and times each
 * MsgSend of S bytes with an S-byte reply buffer.  Per size: a warm-up of
 * 10% of the iterations (20..1000), then up to 20000 (<= 1 KiB), 5000
 * (64 KiB) or 1000 (larger) timed round trips, capped at -t seconds.
 * Placement: split = client on CPU 0, server on CPU 1; same = both CPU 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sys/neutrino.h>

#include "bench.h"

#define MAX_SIZES 8

static void
pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0) {
		return;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		perror("sched_setaffinity");
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	const char *pinname = "split";
	size_t sizes[MAX_SIZES] = {16, 1024, 65536, 1048576};
	int nsizes = 4;
	double scale = 1.0;
	double max_sec = 0.75;
	size_t maxsz = 0;
	int o;

	while ((o = getopt(argc, argv, "p:s:n:t:")) != -1) {
		switch (o) {
		case 'p':
			pinname = optarg;
			break;
		case 's': {
			char *s = optarg;

			nsizes = 0;
			while (*s != '\0' && nsizes < MAX_SIZES) {
				char *end;

				sizes[nsizes++] = strtoull(s, &end, 0);
				s = *end == ',' ? end + 1 : end;
				if (end == s && *end != '\0') {
					break;
				}
			}
			break;
		}
		case 'n':
			scale = atof(optarg);
			break;
		case 't':
			max_sec = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-p split|same|none] "
					"[-s sizes] [-n scale] [-t sec]\n",
			    argv[0]);
			return 2;
		}
	}
	for (int i = 0; i < nsizes; i++) {
		if (sizes[i] > maxsz) {
			maxsz = sizes[i];
		}
	}
	int ccpu = strcmp(pinname, "none") == 0 ? -1 : 0;
	int scpu = strcmp(pinname, "split") == 0 ? 1 : ccpu;
	int p[2];

	if (pipe(p) != 0) {
		return 1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* Room for a pulse too: the quit pulse must not be lost. */
		size_t cap = maxsz > sizeof(struct _pulse) ? maxsz
							   : sizeof(struct _pulse);
		char *buf = malloc(cap);
		int chid;

		pin(scpu);
		chid = ChannelCreate(0);
		if (write(p[1], &chid, sizeof(chid)) != sizeof(chid)) {
			_exit(1);
		}
		for (;;) {
			struct _msg_info info;
			rcvid_t r = MsgReceive(chid, buf, cap, &info);

			if (r > 0) {
				MsgReply(r, 0, buf, (size_t) info.msglen);
			} else if (r == 0) {
				_exit(0);
			}
		}
	}
	pin(ccpu);
	int chid;
	if (read(p[0], &chid, sizeof(chid)) != sizeof(chid)) {
		return 1;
	}
	int coid = ConnectAttach(0, pid, chid, _NTO_SIDE_CHANNEL, 0);
	if (coid < 0) {
		perror("ConnectAttach");
		return 1;
	}
	char *out = malloc(maxsz);
	char *in = malloc(maxsz);
	memset(out, 'a', maxsz);
	for (int si = 0; si < nsizes; si++) {
		size_t s = sizes[si];
		int iters = (int) ((s <= 1024 ? 20000 : s <= 65536 ? 5000 : 1000) *
		    scale);
		int warm = iters / 10 < 20 ? 20 : iters / 10 > 1000 ? 1000
								   : iters / 10;
		uint64_t *lat = malloc(sizeof(*lat) * (size_t) iters);
		uint64_t t0, start;
		int n = 0;
		double sum = 0;

		for (int i = 0; i < warm; i++) {
			if (MsgSend(coid, out, s, in, s) < 0) {
				perror("MsgSend");
				return 1;
			}
		}
		start = now_ns();
		for (; n < iters; n++) {
			t0 = now_ns();
			if (MsgSend(coid, out, s, in, s) < 0) {
				perror("MsgSend");
				return 1;
			}
			lat[n] = now_ns() - t0;
			sum += (double) lat[n];
			if ((double) (now_ns() - start) > max_sec * 1e9) {
				n++;
				break;
			}
		}
		double elapsed = (double) (now_ns() - start) / 1e9;
		qsort(lat, (size_t) n, sizeof(*lat), cmp_u64);
		size_t p99 = (size_t) ((double) n * 0.99);
		if (p99 >= (size_t) n) {
			p99 = (size_t) n - 1;
		}
		printf("bench=axon variant=msgsend pin=%s size=%zu iters=%d "
		       "median_us=%.3f p99_us=%.3f mean_us=%.3f min_us=%.3f "
		       "mbps=%.1f\n",
		    pinname, s, n, (double) lat[n / 2] / 1e3,
		    (double) lat[p99] / 1e3, sum / n / 1e3,
		    (double) lat[0] / 1e3,
		    2.0 * (double) s * n / elapsed / 1e6);
		fflush(stdout);
		free(lat);
	}
	MsgSendPulse(coid, 10, 1, 0);
	waitpid(pid, NULL, 0);
	return 0;
}
