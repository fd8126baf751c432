/* SPDX-License-Identifier: MIT */
/*
 * net_rr: MsgSend/MsgReceive/MsgReply round trips between two nodes,
 * through their axonds (bench/net_run.sh starts everything).
 *
 *   net_rr server [MAXSIZE]
 *	(AXON_RUNDIR of the server's node) ChannelCreate, print "pid chid",
 *	then receive and reply forever.  The first 4 bytes of a message are
 *	the size of the reply wanted; the whole message is received (MsgRead
 *	of what MsgReceive did not get) before the reply.  Op 1 in bytes
 *	4..7 makes it reply and exit.
 *
 *   net_rr server [MAXSIZE [THREADS]]
 *	As above with THREADS receiving threads on the channel (default 1).
 *
 *   net_rr mclient ND PID CHID CONC ITERS [SIZE]
 *	CONC threads, each with a connection of its own, make ITERS round
 *	trips each of SIZE bytes (default 16) both ways, all at once.
 *	Prints "axon_conc conc=C size=S msgs=N elapsed_s= msgs_per_s=".
 *
 *   net_rr client ND PID CHID SIZE ITERS [RSIZE] [MAXSEC]
 *	(AXON_RUNDIR of the client's node) ConnectAttach(ND, PID, CHID);
 *	ND is a number or a node name (netmgr_strtond).  A warm-up of 10 %
 *	of ITERS (20..1000), then ITERS round trips of a SIZE-byte request
 *	and an RSIZE-byte reply (default SIZE, as ../shared/baselines/tcp_rr
 *	does), each timed on its own, stopping early after MAXSEC seconds
 *	(default 0: no cap).  Prints one line:
 *
 *	axon_remote size=S rsize=R iters=N median_us= p99_us= mean_us=
 *	    min_us= mbps= mbps_req=
 *
 *	median and p99 (nearest rank) of the per-round-trip times; mbps =
 *	(S + R) * N / elapsed, i.e. request + reply payload per second as in
 *	the baselines (MB = 10^6 B); mbps_req = S * N / elapsed, the request
 *	direction alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/neutrino.h>
#include <sys/netmgr.h>

#include "bench.h"

#define HDR 8u /* {uint32 reply size, uint32 op} */

static void *
xbuf(size_t n)
{
	void *p = malloc(n < HDR ? HDR : n);

	if (p == NULL) {
		perror("malloc");
		exit(1);
	}
	memset(p, 0x5a, n < HDR ? HDR : n); /* pre-fault */
	return p;
}

static void *serve(void *arg);

struct srv {
	int chid;
	size_t cap;
};

static int
server(size_t cap, int threads)
{
	static struct srv sv;
	int chid;

	if (cap < (1u << 20) + 4096) {
		cap = (1u << 20) + 4096;
	}
	chid = ChannelCreate(0);
	if (chid < 0) {
		perror("ChannelCreate");
		return 1;
	}
	sv.chid = chid;
	sv.cap = cap;
	printf("%d %d\n", (int) getpid(), chid);
	fflush(stdout);
	for (int t = 1; t < threads; t++) {
		pthread_t th;

		if (pthread_create(&th, NULL, serve, &sv) != 0) {
			perror("pthread_create");
			return 1;
		}
	}
	return (int) (intptr_t) serve(&sv);
}

static void *
serve(void *arg)
{
	const struct srv *sv = arg;
	int chid = sv->chid;
	size_t cap = sv->cap;
	char *in = xbuf(cap);
	char *out = xbuf(cap);

	for (;;) {
		struct _msg_info info;
		rcvid_t r = MsgReceive(chid, in, cap, &info);
		size_t have;
		size_t want;
		uint32_t rsize;
		uint32_t op;

		if (r == 0) {
			struct _pulse *p = (struct _pulse *) in;

			if (p->code == _PULSE_CODE_DISCONNECT) {
				ConnectDetach(p->scoid);
			}
			continue;
		}
		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			perror("MsgReceive");
			return (void *) 1;
		}
		/* The whole message, whatever MsgReceive got of it. */
		have = (size_t) info.msglen;
		want = (size_t) info.srcmsglen < cap ? (size_t) info.srcmsglen
						     : cap;
		while (have < want) {
			ssize_t n = MsgRead(r, in + have, want - have,
			    (size_t) have);

			if (n <= 0) {
				break;
			}
			have += (size_t) n;
		}
		if (have < want || have < HDR) {
			MsgError(r, EBADMSG);
			continue;
		}
		memcpy(&rsize, in, 4);
		memcpy(&op, in + 4, 4);
		if (rsize > cap) {
			rsize = (uint32_t) cap;
		}
		if (rsize >= 4) {
			memcpy(out, &rsize, 4);
		}
		MsgReply(r, 0, out, rsize);
		if (op == 1) {
			exit(0);
		}
	}
}

static int
client(int argc, char **argv)
{
	char *end;
	int nd;
	pid_t pid;
	int chid;
	size_t size;
	size_t rsize;
	long iters;
	long warm;
	double maxsec = 0;

	if (argc < 7) {
		return 2;
	}
	nd = (int) strtol(argv[2], &end, 0);
	if (*end != '\0') {
		nd = netmgr_strtond(argv[2], NULL);
		if (nd < 0) {
			fprintf(stderr, "net_rr: node %s: %s\n", argv[2],
			    strerror(errno));
			return 1;
		}
	}
	pid = (pid_t) atoi(argv[3]);
	chid = atoi(argv[4]);
	size = strtoull(argv[5], NULL, 0);
	iters = atol(argv[6]);
	rsize = argc > 7 ? strtoull(argv[7], NULL, 0) : size;
	if (argc > 8) {
		maxsec = atof(argv[8]);
	}
	if (size < HDR || iters < 1) {
		fprintf(stderr, "net_rr: SIZE >= %u and ITERS >= 1\n", HDR);
		return 2;
	}
	warm = iters / 10 < 20 ? 20 : iters / 10 > 1000 ? 1000 : iters / 10;

	int coid = ConnectAttach((uint32_t) nd, pid, chid, _NTO_SIDE_CHANNEL,
	    0);
	if (coid < 0) {
		perror("ConnectAttach");
		return 1;
	}
	char *out = xbuf(size);
	char *in = xbuf(rsize);
	uint64_t *lat = malloc(sizeof(*lat) * (size_t) iters);
	uint32_t r32 = (uint32_t) rsize;
	uint32_t op = 0;

	if (lat == NULL) {
		perror("malloc");
		return 1;
	}
	memcpy(out, &r32, 4);
	memcpy(out + 4, &op, 4);
	for (long i = 0; i < warm; i++) {
		if (MsgSend(coid, out, size, in, rsize) != 0) {
			perror("MsgSend (warm-up)");
			return 1;
		}
	}

	uint64_t cap = (uint64_t) (maxsec * 1e9);
	uint64_t start = now_ns();
	uint64_t t1 = start;
	long n;

	for (n = 0; n < iters && (cap == 0 || t1 - start < cap); n++) {
		uint64_t t0 = t1;
		long st = MsgSend(coid, out, size, in, rsize);

		t1 = now_ns();
		if (st != 0) {
			perror("MsgSend");
			return 1;
		}
		lat[n] = t1 - t0;
	}
	if (rsize >= 4) {
		uint32_t got;

		memcpy(&got, in, 4);
		if (got != r32) {
			fprintf(stderr, "net_rr: reply header %u, want %u\n",
			    got, r32);
			return 1;
		}
	}
	double elapsed = (double) (t1 - start) / 1e9;
	double sum = 0;

	for (long i = 0; i < n; i++) {
		sum += (double) lat[i];
	}
	qsort(lat, (size_t) n, sizeof(*lat), cmp_u64);
	double med = (n & 1) ? (double) lat[n / 2]
			     : 0.5 * ((double) lat[n / 2 - 1] +
				   (double) lat[n / 2]);
	long i99 = (long) (0.99 * (double) n + 0.999999) - 1;

	if (i99 < 0) {
		i99 = 0;
	}
	printf("axon_remote size=%zu rsize=%zu iters=%ld median_us=%.3f "
	       "p99_us=%.3f mean_us=%.3f min_us=%.3f mbps=%.1f "
	       "mbps_req=%.1f\n",
	    size, rsize, n, med / 1e3, (double) lat[i99] / 1e3,
	    sum / (double) n / 1e3, (double) lat[0] / 1e3,
	    (double) (size + rsize) * (double) n / elapsed / 1e6,
	    (double) size * (double) n / elapsed / 1e6);
	fflush(stdout);
	free(lat);
	free(out);
	free(in);
	ConnectDetach(coid);
	return 0;
}

struct mc {
	uint32_t nd;
	pid_t pid;
	int chid;
	size_t size;
	long iters;
	pthread_barrier_t *go;
	int err;
	uint64_t t0, t1; /* this client's own start and end */
};

static void *
mc_main(void *arg)
{
	struct mc *m = arg;
	char *buf = xbuf(m->size);
	char *in = xbuf(m->size);
	uint32_t r32 = (uint32_t) m->size;
	int coid = ConnectAttach(m->nd, m->pid, m->chid, _NTO_SIDE_CHANNEL,
	    0);

	memcpy(buf, &r32, 4);
	memset(buf + 4, 0, 4);
	if (coid < 0 || MsgSend(coid, buf, m->size, in, m->size) != 0) {
		m->err = errno;
	}
	pthread_barrier_wait(m->go);
	m->t0 = now_ns();
	for (long i = 0; i < m->iters && m->err == 0; i++) {
		if (MsgSend(coid, buf, m->size, in, m->size) != 0) {
			m->err = errno;
		}
	}
	m->t1 = now_ns();
	pthread_barrier_wait(m->go);
	if (coid >= 0) {
		ConnectDetach(coid);
	}
	free(buf);
	free(in);
	return NULL;
}

/* CONC clients at once: aggregate round trips per second. */
static int
mclient(int argc, char **argv)
{
	char *end;
	int nd;
	int conc;
	long iters;
	size_t size;
	pthread_barrier_t go;

	if (argc < 7) {
		return 2;
	}
	nd = (int) strtol(argv[2], &end, 0);
	if (*end != '\0') {
		nd = netmgr_strtond(argv[2], NULL);
	}
	conc = atoi(argv[5]);
	iters = atol(argv[6]);
	size = argc > 7 ? strtoull(argv[7], NULL, 0) : 16;
	if (nd < 0 || conc < 1 || conc > 4096 || iters < 1 || size < HDR) {
		fprintf(stderr, "net_rr: mclient ND PID CHID CONC ITERS "
				"[SIZE]\n");
		return 2;
	}
	struct mc *m = calloc((size_t) conc, sizeof(*m));
	pthread_t *th = calloc((size_t) conc, sizeof(*th));

	if (m == NULL || th == NULL) {
		perror("calloc");
		return 1;
	}
	pthread_barrier_init(&go, NULL, (unsigned) conc + 1);
	for (int i = 0; i < conc; i++) {
		m[i] = (struct mc){(uint32_t) nd, (pid_t) atoi(argv[3]),
		    atoi(argv[4]), size, iters, &go, 0, 0, 0};
		if (pthread_create(&th[i], NULL, mc_main, &m[i]) != 0) {
			perror("pthread_create");
			return 1;
		}
	}
	pthread_barrier_wait(&go);
	uint64_t t0 = now_ns();
	pthread_barrier_wait(&go);
	uint64_t t1 = now_ns();
	int bad = 0;

	for (int i = 0; i < conc; i++) {
		pthread_join(th[i], NULL);
		if (m[i].err != 0 && bad++ == 0) {
			fprintf(stderr, "net_rr: MsgSend: %s\n",
			    strerror(m[i].err));
		}
	}
	double el = (double) (t1 - t0) / 1e9;
	double sum = 0;

	/* Also each client's own rate, added up: the way a set of
	 * independent ping-pongs (tcp_rr) is measured, without the tail
	 * where the last clients run alone. */
	for (int i = 0; i < conc; i++) {
		if (m[i].t1 > m[i].t0) {
			sum += (double) iters * 1e9 / (double) (m[i].t1 - m[i].t0);
		}
	}
	printf("axon_conc conc=%d size=%zu msgs=%ld elapsed_s=%.3f "
	       "msgs_per_s=%.0f sum_rate=%.0f\n",
	    conc, size, (long) conc * iters, el,
	    (double) conc * (double) iters / el, sum);
	free(m);
	free(th);
	return bad ? 1 : 0;
}

static int
quit(int argc, char **argv)
{
	char msg[HDR] = {0};
	uint32_t op = 1;
	int nd;
	char *end;

	if (argc < 5) {
		return 2;
	}
	nd = (int) strtol(argv[2], &end, 0);
	if (*end != '\0') {
		nd = netmgr_strtond(argv[2], NULL);
	}
	int coid = ConnectAttach((uint32_t) nd, (pid_t) atoi(argv[3]),
	    atoi(argv[4]), _NTO_SIDE_CHANNEL, 0);
	if (coid < 0) {
		perror("ConnectAttach");
		return 1;
	}
	memcpy(msg + 4, &op, 4);
	return MsgSend(coid, msg, sizeof(msg), NULL, 0) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	int rc = 2;

	if (argc >= 2 && strcmp(argv[1], "server") == 0) {
		rc = server(argc > 2 ? strtoull(argv[2], NULL, 0) : 0,
		    argc > 3 ? atoi(argv[3]) : 1);
	} else if (argc >= 2 && strcmp(argv[1], "mclient") == 0) {
		rc = mclient(argc, argv);
	} else if (argc >= 2 && strcmp(argv[1], "client") == 0) {
		rc = client(argc, argv);
	} else if (argc >= 2 && strcmp(argv[1], "quit") == 0) {
		rc = quit(argc, argv);
	}
	if (rc == 2) {
		fprintf(stderr,
		    "usage: net_rr server [MAXSIZE]\n"
		    "       net_rr client ND PID CHID SIZE ITERS [RSIZE] "
		    "[MAXSEC]\n"
		    "       net_rr quit ND PID CHID\n");
	}
	return rc;
}
