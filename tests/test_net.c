/* SPDX-License-Identifier: MIT */
/*
 * Messages between nodes: real axonds on loopback, a server on node beta,
 * clients on node alpha (net_test.h, net_srv.h).
 */
#include "net_srv.h"
#include "psinfo.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/prctl.h>

static void
net_setup(void)
{
	axn_setup(2);
}

static void
net_teardown(void)
{
	axn_teardown();
}

START_TEST(test_remote_send_reply)
{
	struct axn_srv s;
	int coid = two_nodes(&s, 0);
	struct srv_cmd cmd = {.op = OP_ECHO};
	struct srv_cmd back;
	long r;

	r = MsgSend(coid, &cmd, sizeof(cmd), &back, sizeof(back));
	ck_assert_int_eq(r, sizeof(cmd));
	ck_assert_int_eq(back.op, OP_ECHO);

	/* Who the server saw. */
	struct who w;
	cmd.op = OP_INFO;
	ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), &w, sizeof(w)), 0);
	ck_assert_int_eq(w.info.nd, axn_nd(1, 0));
	ck_assert_int_ne(w.info.nd, 0);
	ck_assert_int_eq(w.info.pid, getpid());
	ck_assert_int_eq(w.info.tid, (int) syscall(SYS_gettid));
	ck_assert_int_eq(w.info.msglen, sizeof(cmd));
	ck_assert_int_eq(w.info.srcmsglen, sizeof(cmd));
	ck_assert_int_eq(w.info.dstmsglen, sizeof(w));
	ck_assert_uint_eq(w.info.type_id, 0);
#if UINTPTR_MAX > 0xffffffffu
	{ /* QNX 7's _msg_info64 offsets, for a message axond delivered */
		int64_t len;
		int16_t prio;

		memcpy(&len, (const char *) &w.info + 40, sizeof(len));
		ck_assert_int_eq(len, sizeof(cmd));
		memcpy(&len, (const char *) &w.info + 48, sizeof(len));
		ck_assert_int_eq(len, sizeof(w));
		memcpy(&prio, (const char *) &w.info + 28, sizeof(prio));
		ck_assert_int_eq(prio, w.info.priority);
		ck_assert_int_gt(prio, 0);
	}
#endif
	ck_assert_int_eq(w.ci.nd, w.info.nd);
	ck_assert_int_eq(w.ci.pid, getpid());
	/* Root is mapped to nobody (65534) unless configured otherwise. */
	ck_assert_int_eq(w.ci.cred.euid, geteuid() == 0 ? 65534 : geteuid());
	ck_assert_int_eq(w.ci.cred.ruid, getuid() == 0 ? 65534 : getuid());

	/* Status, negative status and MsgError. */
	cmd.op = OP_STATUS;
	cmd.a = -77;
	ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), NULL, 0), -77);
	cmd.op = OP_ERROR;
	cmd.a = EINVAL;
	errno = 0;
	ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), NULL, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	cmd.op = 999;
	ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), NULL, 0), -1);
	ck_assert_int_eq(errno, ENOSYS);
	/* The _r form. */
	cmd.op = OP_ERROR;
	cmd.a = EPERM;
	ck_assert_int_eq(MsgSend_r(coid, &cmd, sizeof(cmd), NULL, 0), -EPERM);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	axn_srv_stop(&s);
}
END_TEST

/* Messages of any size both ways, MsgRead and MsgWrite at any offset. */
/* Loop tests run twice: _i 0, sessions over TLS (the default); 1, plain
 * (--insecure), where large frames go to the socket from where their
 * data lies, several at once (output.c). */
static void
net_mode(int i)
{
	if (i == 1) {
		for (int k = 0; k < 2; k++) {
			axn[k].secret[0] = '\0';
			snprintf(axn[k].extra, sizeof(axn[k].extra),
			    "--insecure");
		}
	}
}

START_TEST(test_remote_sizes)
{
	static const size_t sizes[] = {sizeof(struct srv_cmd), 8192, 70000,
	    1u << 20, 8u << 20};
	struct axn_srv s;
	int coid;

	net_mode(_i);
	coid = two_nodes(&s, 0);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		size_t rn = n + 1000;
		uint8_t *m = malloc(n);
		uint8_t *rb = malloc(rn);
		struct srv_cmd cmd = {.op = OP_BIG, .a = (int) rn, .b = (int) n};

		for (size_t i = 0; i < n; i++) {
			m[i] = srv_pattern(i);
		}
		memcpy(m, &cmd, sizeof(cmd));
		memset(rb, 0xee, rn);
		long r = MsgSend(coid, m, n, rb, rn);
		ck_assert_msg(r == 1234, "size %zu: %ld (%s)", n, r,
		    strerror(errno));
		for (size_t i = 0; i < rn; i++) {
			if (rb[i] != srv_pattern(i + 3)) {
				ck_abort_msg("size %zu: reply byte %zu wrong", n,
				    i);
			}
		}
		free(m);
		free(rb);
	}
	/* An iov send with a short reply buffer. */
	struct srv_cmd cmd = {.op = OP_ECHO};
	char tail[5000];
	char back[100];
	iov_t siov[2], riov[1];

	memset(tail, 'x', sizeof(tail));
	SETIOV(&siov[0], &cmd, sizeof(cmd));
	SETIOV(&siov[1], tail, sizeof(tail));
	SETIOV(&riov[0], back, sizeof(back));
	ck_assert_int_eq(MsgSendv(coid, siov, 2, riov, 1),
	    sizeof(cmd) + sizeof(tail));
	ck_assert_int_eq(back[sizeof(cmd)], 'x');
	axn_srv_stop(&s);
}
END_TEST

/* A remote reply is copied into the client's buffer as it arrives
 * (axond.md, "Data"): whatever order the server wrote it in, with
 * overlapping writes shipped out of order, into a buffer of several
 * parts, shorter than the reply or not, and with MsgError after the
 * writes, the client ends up with exactly the reply's bytes. */
START_TEST(test_remote_reply_layout)
{
	static const size_t sizes[] = {200000, 1u << 20, (3u << 20) + 17};
	struct axn_srv s;
	int coid;

	net_mode(_i);
	coid = two_nodes(&s, 0);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		for (int v = 0; v < 3; v++) {
			size_t n = sizes[k];
			/* v 0: the whole reply; 1: a third of it; 2: an
			 * error after the writes. */
			size_t rn = v == 1 ? n / 3 : n;
			uint8_t *rb = malloc(rn + 64);
			struct srv_cmd cmd = {.op = OP_LAYOUT, .a = (int) n,
			    .b = v == 2 ? EDOM : 0};
			iov_t riov[3];
			size_t p1 = rn / 5 + 3, p2 = rn / 2 - 1;

			memset(rb, 0xee, rn + 64);
			SETIOV(&riov[0], rb, p1);
			SETIOV(&riov[1], rb + p1, p2);
			SETIOV(&riov[2], rb + p1 + p2, rn - p1 - p2);
			errno = 0;
			long r = MsgSendsv(coid, &cmd, sizeof(cmd), riov, 3);
			if (v == 2) {
				ck_assert_msg(r == -1 && errno == EDOM,
				    "size %zu: %ld (%s)", n, r,
				    strerror(errno));
			} else {
				ck_assert_msg(r == 4321, "size %zu/%d: %ld (%s)",
				    n, v, r, strerror(errno));
			}
			for (size_t i = 0; i < rn; i++) {
				if (rb[i] != srv_layout_byte(i, n)) {
					ck_abort_msg("size %zu/%d: reply byte "
						     "%zu wrong", n, v, i);
				}
			}
			for (size_t i = rn; i < rn + 64; i++) {
				ck_assert_int_eq(rb[i], 0xee);
			}
			free(rb);
		}
	}
	axn_srv_stop(&s);
}
END_TEST

/* Whether file path holds text, waiting up to ms. */
static bool
file_has(const char *path, const char *text, int ms)
{
	double end = axt_now() + ms / 1e3;

	do {
		char buf[8192] = {0};
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

		if (fd >= 0) {
			close(fd);
		}
		if (n > 0 && strstr(buf, text) != NULL) {
			return true;
		}
		axt_sleep_ms(20);
	} while (axt_now() < end);
	return false;
}

/* A pulse from a remote root, mapped to nobody, to a server of root's on
 * beta: refused there as QNX refuses it (the sender cannot know), and
 * counted on the server's status page on beta, which axon ps shows, and
 * in a warning of beta's axond (rate-limited, with counts). */
START_TEST(test_remote_pulse_refused_counted)
{
	struct axn_srv s;
	struct srv_report r;
	struct axon_ps_list l;
	unsigned refused = 0;
	unsigned uid = 0;
	int coid;

	if (geteuid() != 0) {
		fprintf(stderr, "test_remote_pulse_refused_counted: skipped: "
				"not root\n");
		return;
	}
	axn[1].log_file = true;
	coid = two_nodes(&s, 0);
	ck_assert_int_eq(MsgSendPulse(coid, 12, 7, 0x1234), 0);
	ck_assert(!srv_report(&s, &r, 300)); /* never arrives */
	for (int i = 0; i < 500 && refused == 0; i++) {
		ck_assert_int_eq(axon__ps_collect(axn[1].rundir, s.pid, &l), 0);
		for (size_t k = 0; k < l.n; k++) {
			if (l.procs[k].pid == s.pid) {
				refused = l.procs[k].pulses_refused;
				uid = l.procs[k].refused_uid;
			}
		}
		axon__ps_free(&l);
		if (refused == 0) {
			axt_sleep_ms(10);
		}
	}
	ck_assert_uint_eq(refused, 1);
	ck_assert_uint_eq(uid, 65534);
	{
		char lp[300];

		snprintf(lp, sizeof(lp), "%s/axond.log", axn[1].rundir);
		ck_assert_msg(file_has(lp, "1 pulse(s) and 0 event(s) from "
					   "other nodes not delivered",
				  (int) (5000 * axn_scale())),
		    "beta's axond did not log the refused pulse");
	}
	axn_srv_stop(&s);
}
END_TEST

struct slow_arg {
	int coid;
	int ms;
};

static void *
slow_send(void *arg)
{
	struct slow_arg *a = arg;
	struct srv_cmd cmd = {.op = OP_SLOW, .a = a->ms};

	(void) MsgSend(a->coid, &cmd, sizeof(cmd), NULL, 0);
	return NULL;
}

/* Pulses to a server on another node keep their own priorities, above
 * Linux's real-time 99 too: queued while the server is busy, they come
 * out highest first.  (axond used to forward the priority its own thread
 * took on, clamped to 99 or not taken at all.) */
START_TEST(test_remote_pulse_priorities)
{
	static const int prio[] = {5, 40, 20, 150, 200, 120};
	static const int order[] = {5, 4, 6, 2, 3, 1}; /* codes, 1-based */
	struct slow_arg sa;
	struct axn_srv s;
	struct srv_report r;
	pthread_t th;

	/* Root's pulses count as root's on beta. */
	snprintf(axn[1].extra, sizeof(axn[1].extra), "--maproot none");
	srv_report_every = true;
	sa.coid = two_nodes(&s, 0);
	sa.ms = (int) (1500 * axn_scale());
	{
		struct srv_cmd c = {.op = OP_STATUS, .a = 3};

		ck_assert_int_eq(MsgSend(sa.coid, &c, sizeof(c), NULL, 0), 3);
	}
	ck_assert(srv_report(&s, &r, 5000));
	ck_assert_int_eq(pthread_create(&th, NULL, slow_send, &sa), 0);
	/* The server is asleep in OP_SLOW once it reported it. */
	ck_assert(srv_report(&s, &r, 5000));
	ck_assert_int_eq(r.kind, 2);
	ck_assert_int_eq(r.code, OP_SLOW);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(MsgSendPulse(sa.coid, prio[i], i + 1, i), 0);
	}
	for (int i = 0; i < 6; i++) {
		ck_assert(srv_report(&s, &r, (int) (10000 * axn_scale())));
		ck_assert_int_eq(r.kind, 0);
		ck_assert_msg(r.code == order[i],
		    "pulse %d came out with code %d, not %d", i, r.code,
		    order[i]);
	}
	pthread_join(th, NULL);
	axn_srv_stop(&s);
}
END_TEST

/*
 * Pulses sent before a reply reach the server before the reply, across
 * nodes as locally: a server on beta calls this process back (REPLY-
 * blocked on alpha); the call's receiver sends it a burst of pulses
 * (more than 64), then replies; the server, released, takes them all,
 * highest priority first.  Forty rounds: the reply used to overtake the
 * last pulses now and then, in alpha's axond (in 8 to 19 runs of 60)
 * and, for more than 64, in the server's library (docs/compat.md).
 */
#define PO_N      70
#define PO_ROUNDS 40

struct po_hello {
	pid_t pid;
	int chid;
};

static void
po_server(int wfd, void *arg)
{
	int chid = srv_chan_open(wfd, 0);
	struct po_hello h;
	struct _msg_info info;
	rcvid_t rcvid;
	int back;

	(void) arg;
	rcvid = MsgReceive(chid, &h, sizeof(h), &info);
	if (rcvid <= 0) {
		_exit(2);
	}
	MsgReply(rcvid, 0, NULL, 0);
	back = ConnectAttach(info.nd, h.pid, h.chid, _NTO_SIDE_CHANNEL, 0);
	for (int round = 0; round < PO_ROUNDS; round++) {
		struct srv_report r = {3, 0, round, 0};
		struct _pulse p;
		int last = -1;

		if (back < 0 || MsgSend(back, "c", 2, NULL, 0) != 0) {
			r.code = -1;
		}
		for (int k = 0; r.code == 0 && k < PO_N; k++) {
			if (MsgReceive(chid, &p, sizeof(p), NULL) != 0) {
				r.code = -2;
				break;
			}
			int i = p.value.sival_int;

			if (last >= 0 && !axt_burst_in_order(last, i)) {
				r.code = k + 1; /* the first out of order */
				r.scoid = i;
			}
			last = i;
		}
		if (write(wfd, &r, sizeof(r)) != sizeof(r)) {
			_exit(3);
		}
	}
	pause();
}

START_TEST(test_remote_pulses_before_reply)
{
	struct axn_srv s;
	struct srv_report r;

	snprintf(axn[1].extra, sizeof(axn[1].extra), "--maproot none");
	axn_start(0);
	axn_start(1);
	s = axn_srv_start(1, po_server, NULL);
	axn_enter(0);
	int coid = srv_attach(&s);
	int cb = ChannelCreate(_NTO_CHF_DISCONNECT);
	struct po_hello h = {getpid(), cb};

	ck_assert_int_ge(cb, 0);
	ck_assert_int_eq(MsgSend(coid, &h, sizeof(h), NULL, 0), 0);
	for (int round = 0; round < PO_ROUNDS; round++) {
		uint64_t to = (uint64_t) (10e9 * axn_scale());
		char b[8];

		TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &to,
		    NULL);
		rcvid_t rcvid = MsgReceive(cb, b, sizeof(b), NULL);

		ck_assert_int_gt(rcvid, 0);
		for (int i = 0; i < PO_N; i++) {
			ck_assert_int_eq(axt_pulse_retry(coid, axt_burst_prio(i),
					     i % 100, i), 0);
		}
		ck_assert_int_eq(MsgReply(rcvid, 0, NULL, 0), 0);
		ck_assert(srv_report(&s, &r, (int) (10000 * axn_scale())));
		ck_assert_int_eq(r.kind, 3);
		ck_assert_int_eq(r.value, round);
		ck_assert_msg(r.code == 0, "round %d: pulse %d of %d (#%d) "
					   "out of priority order (or %d)",
		    round, r.code, PO_N, r.scoid, r.code);
	}
	axn_srv_stop(&s);
	/* Its connection to us is gone (alpha's axond has let it go) before
	 * the nodes stop. */
	uint64_t to = (uint64_t) (10e9 * axn_scale());
	struct _pulse p;

	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &to, NULL);
	ck_assert_int_eq(MsgReceive(cb, &p, sizeof(p), NULL), 0);
	ck_assert_int_eq(p.code, _PULSE_CODE_DISCONNECT);
	ck_assert_int_eq(ConnectDetach(p.scoid), 0);
}
END_TEST

/*
 * A remote burst larger than the server's socket holds, sent while the
 * server process is stopped: every MsgSendPulse returns at once (the
 * client's node took the pulse), so none may be lost.  The server's node
 * keeps what the socket cannot take and sends it when it can (it used
 * to drop them, counted as refused with EAGAIN).
 */
#define BL_N 1000

START_TEST(test_remote_pulse_backlog)
{
	struct axn_srv s;
	struct srv_report r;
	static bool seen[BL_N];
	int got = 0;

	snprintf(axn[1].extra, sizeof(axn[1].extra), "--maproot none");
	int coid = two_nodes(&s, 0);

	/* The connection exists (a round trip) before the server stops. */
	{
		struct srv_cmd c = {.op = OP_STATUS, .a = 3};

		ck_assert_int_eq(MsgSend(coid, &c, sizeof(c), NULL, 0), 3);
	}
	ck_assert_int_eq(kill(s.pid, SIGSTOP), 0);
	for (int i = 0; i < BL_N; i++) {
		/* (EAGAIN: this node's axond has not read our socket yet.) */
		ck_assert_int_eq(axt_pulse_retry(coid, 10 + i % 50, 1 + i % 100,
				     i), 0);
	}
	/* Let beta's axond meet the full socket, then let the server go. */
	axt_sleep_ms((int) (300 * axn_scale()));
	ck_assert_int_eq(kill(s.pid, SIGCONT), 0);
	memset(seen, 0, sizeof(seen));
	while (got < BL_N &&
	    srv_report(&s, &r, (int) (10000 * axn_scale()))) {
		if (r.kind != 0) {
			continue;
		}
		ck_assert_int_ge(r.value, 0);
		ck_assert_int_lt(r.value, BL_N);
		ck_assert_msg(!seen[r.value], "pulse %d twice", r.value);
		ck_assert_int_eq(r.code, 1 + r.value % 100);
		seen[r.value] = true;
		got++;
	}
	ck_assert_msg(got == BL_N, "%d of %d pulses received", got, BL_N);
	axn_srv_stop(&s);
}
END_TEST

/* A message sent after pulses that wait on the server's node for room
 * in the server's socket does not overtake them: it goes to the server
 * once they are on its queue, where priority decides (the pulses' 11 and
 * up before the message's 10).  One that times out while held is gone
 * for good. */
struct behind_arg {
	int coid;
	int rc;
};

static void *
behind_send(void *arg)
{
	struct behind_arg *a = arg;
	struct srv_cmd c = {.op = OP_STATUS, .a = 7};

	a->rc = MsgSend(a->coid, &c, sizeof(c), NULL, 0);
	return NULL;
}

START_TEST(test_remote_msg_behind_backlog)
{
	struct axn_srv s;
	struct srv_report r;
	struct behind_arg a = {.rc = -2};
	pthread_t th;
	int got = 0;
	bool msg = false;

	srv_report_every = true;
	snprintf(axn[1].extra, sizeof(axn[1].extra), "--maproot none");
	a.coid = two_nodes(&s, 0);
	{
		struct srv_cmd c = {.op = OP_STATUS, .a = 3};

		ck_assert_int_eq(MsgSend(a.coid, &c, sizeof(c), NULL, 0), 3);
		ck_assert(srv_report(&s, &r, 5000));
		ck_assert_int_eq(r.kind, 2);
	}
	ck_assert_int_eq(kill(s.pid, SIGSTOP), 0);
	for (int i = 0; i < BL_N; i++) {
		ck_assert_int_eq(axt_pulse_retry(a.coid, 11 + i % 50, 1, i), 0);
	}
	/* The pulses meet the full socket on beta; the messages follow
	 * (this thread's priority, 10, is below every pulse's).  The
	 * first, held behind them, times out SEND-blocked: it leaves the
	 * held list and never reaches the server. */
	axt_sleep_ms((int) (300 * axn_scale()));
	{
		struct srv_cmd c = {.op = OP_ECHO};
		uint64_t ns = (uint64_t) (300e6 * axn_scale());

		TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND, NULL, &ns,
		    NULL);
		ck_assert_int_eq(MsgSend(a.coid, &c, sizeof(c), NULL, 0), -1);
		ck_assert_int_eq(errno, ETIMEDOUT);
	}
	ck_assert_int_eq(pthread_create(&th, NULL, behind_send, &a), 0);
	axt_sleep_ms((int) (300 * axn_scale()));
	ck_assert_int_eq(kill(s.pid, SIGCONT), 0);
	while (!msg && srv_report(&s, &r, (int) (10000 * axn_scale()))) {
		if (r.kind == 0) {
			got++;
		} else {
			ck_assert_int_eq(r.kind, 2);
			ck_assert_int_eq(r.code, OP_STATUS); /* not OP_ECHO */
			msg = true;
		}
	}
	ck_assert_msg(msg, "the message never came (%d pulses)", got);
	ck_assert_msg(got == BL_N, "the message came after %d of %d pulses",
	    got, BL_N);
	pthread_join(th, NULL);
	ck_assert_int_eq(a.rc, 7);
	axn_srv_stop(&s);
}
END_TEST

/* Pulses to a remote server; events back to the client's node. */
static volatile sig_atomic_t got_sig;
static volatile sig_atomic_t got_sig_val;

static void
on_sig(int sig, siginfo_t *si, void *uc)
{
	(void) uc;
	got_sig = sig;
	got_sig_val = si->si_value.sival_int;
}

START_TEST(test_remote_pulse_event)
{
	struct axn_srv s;
	int coid;

	/* Pulses need the sender's uid to match the server's (or root):
	 * keep root as root for this test. */
	snprintf(axn[1].extra, sizeof(axn[1].extra), "--maproot none");
	coid = two_nodes(&s, 0);
	struct srv_report r;

	ck_assert_int_eq(MsgSendPulse(coid, 12, 7, 0x1234), 0);
	ck_assert(srv_report(&s, &r, 5000));
	ck_assert_int_eq(r.kind, 0);
	ck_assert_int_eq(r.code, 7);
	ck_assert_int_eq(r.value, 0x1234);

	/* A pulse event, to a channel of ours. */
	int mychid = ChannelCreate(0);
	int mycoid = ConnectAttach(0, 0, mychid, _NTO_SIDE_CHANNEL, 0);
	struct srv_cmd cmd = {.op = OP_EVENT};
	struct _pulse p;

	ck_assert_int_ge(mycoid, 0);
	SIGEV_PULSE_INIT(&cmd.ev, mycoid, 10, 33, 0x5678);
	ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), NULL, 0), 0);
	uint64_t to = 5000000000ull;
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &to, NULL);
	ck_assert_int_eq(MsgReceivePulse(mychid, &p, sizeof(p), NULL), 0);
	ck_assert_int_eq(p.code, 33);
	ck_assert_int_eq(p.value.sival_int, 0x5678);

	/* A registered pulse event, which only this server may deliver:
	 * the handle crosses both nodes and comes back as the pulse. */
	SIGEV_PULSE_INIT(&cmd.ev, mycoid, 10, 34, 0x789);
	ck_assert_int_eq(MsgRegisterEvent(&cmd.ev, coid), 0);
	ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), NULL, 0), 0);
	to = 5000000000ull;
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &to, NULL);
	ck_assert_int_eq(MsgReceivePulse(mychid, &p, sizeof(p), NULL), 0);
	ck_assert_int_eq(p.code, 34);
	ck_assert_int_eq(p.value.sival_int, 0x789);
	ck_assert_int_eq(MsgUnregisterEvent(&cmd.ev), 0);

	/* A signal event. */
	struct sigaction sa = {.sa_sigaction = on_sig, .sa_flags = SA_SIGINFO};
	sigaction(SIGUSR1, &sa, NULL);
	SIGEV_SIGNAL_VALUE_INIT(&cmd.ev, SIGUSR1, 99);
	ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), NULL, 0), 0);
	for (int i = 0; i < 500 && !got_sig; i++) {
		axt_sleep_ms(10);
	}
	ck_assert_int_eq(got_sig, SIGUSR1);
	ck_assert_int_eq(got_sig_val, 99);
	axn_srv_stop(&s);
}
END_TEST

/* A SIGEV_UNBLOCK from a server on another node, delivered just before
 * its reply, ends that message or nothing: never the thread's next one
 * (the event and the reply take different paths on both nodes; the
 * event names the message, and a node that has passed its reply on
 * voids it).  The second message is held 20 ms and never unblocked. */
START_TEST(test_remote_unblock_late)
{
	struct axn_srv s;
	int coid = two_nodes(&s, 0);
	struct srv_cmd u = {.op = OP_UNBLOCK};
	struct srv_cmd slow = {.op = OP_SLOW, .a = 20};
	int failed = 0;

	for (int i = 0; i < 20; i++) {
		long r = MsgSend(coid, &u, sizeof(u), NULL, 0);

		ck_assert(r == 1 || (r == -1 && errno == ETIMEDOUT));
		if (MsgSend(coid, &slow, sizeof(slow), NULL, 0) != 0) {
			failed++;
		}
	}
	ck_assert_msg(failed == 0, "%d of 20 next messages were ended",
	    failed);
	axn_srv_stop(&s);
}
END_TEST

/* Kernel timeouts: SEND-blocked (never seen by the server), REPLY-blocked
 * without and with _NTO_CHF_UNBLOCK. */
START_TEST(test_remote_timeouts)
{
	struct axn_srv s;
	int coid = two_nodes(&s, 0);
	struct srv_cmd cmd = {.op = OP_HOLD};
	struct srv_report r;
	uint64_t to = 300000000ull;
	double t0;

	/* REPLY-blocked, no UNBLOCK flag: released at the timeout.  (REPLY
	 * alone: with SEND too, a server not scheduled within the 300 ms,
	 * two network managers away on a loaded machine, would never see
	 * the message.) */
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_REPLY, NULL, &to, NULL);
	t0 = axt_now();
	ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), NULL, 0), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	/* The server holds it for ever: any release is the timeout's. */
	ck_assert(axt_now() - t0 < 5.0 * axn_scale());
	ck_assert(srv_report(&s, &r, 2000));
	ck_assert_int_eq(r.kind, 1);
	axn_srv_stop(&s);

	/* With _NTO_CHF_UNBLOCK: the server gets the pulse, the client
	 * stays blocked until the server answers. */
	struct axn_srv s2 = srv_start(1, _NTO_CHF_UNBLOCK);
	int coid2 = ConnectAttach((uint32_t) axn_nd(0, 1), s2.pid, s2.chid,
	    _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid2, 0);
	/* The server does nothing with the unblock pulse, so the client
	 * stays REPLY-blocked past its timeout; the killer reads that the
	 * server saw the message and then the pulse for it (not a fixed
	 * delay: the server may not have either by then on a loaded
	 * machine), leaves the client 300 ms more, and kills the server:
	 * the client is released with ESRCH.  Its exit status says what it
	 * read wrong. */
	pid_t killer = fork();
	if (killer == 0) {
		struct srv_report r2;
		int held;

		if (!srv_report(&s2, &r2, 10000) || r2.kind != 1) {
			kill(s2.pid, SIGKILL);
			_exit(1);
		}
		held = r2.value;
		if (!srv_report(&s2, &r2, 10000) || r2.kind != 0 ||
		    r2.code != _PULSE_CODE_UNBLOCK || r2.value != held) {
			kill(s2.pid, SIGKILL);
			_exit(2);
		}
		axt_sleep_ms(300);
		kill(s2.pid, SIGKILL);
		_exit(0);
	}
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_REPLY, NULL, &to, NULL);
	t0 = axt_now();
	ck_assert_int_eq(MsgSend(coid2, &cmd, sizeof(cmd), NULL, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	/* Past its 300 ms timeout and the killer's 300 ms after the pulse. */
	ck_assert(axt_now() - t0 > 0.6);
	int st = -1;

	ck_assert_int_eq(waitpid(killer, &st, 0), killer);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the server's reports: %#x", st);
	axn_srv_stop(&s2);
}
END_TEST

struct held_send {
	int coid;
	atomic_int tid;
};

static void *
held_sender(void *p)
{
	struct held_send *h = p;
	struct srv_cmd cmd = {.op = OP_HOLD};

	atomic_store(&h->tid, (int) syscall(SYS_gettid));
	(void) MsgSend(h->coid, &cmd, sizeof(cmd), NULL, 0);
	return NULL; /* (never: it is cancelled) */
}

/* pthread_cancel() of a thread REPLY-blocked on another node's server, as
 * locally: without _NTO_CHF_UNBLOCK it leaves at once; with it, the
 * server gets the unblock pulse through both network managers and the
 * thread stays blocked until the server's end releases it, then is
 * cancelled. */
START_TEST(test_remote_cancel)
{
	struct axn_srv s;
	int coid0 = two_nodes(&s, 0);

	for (int unb = 0; unb < 2; unb++) {
		struct srv_report r;
		struct held_send h = {.coid = coid0};
		struct timespec until;
		pthread_t t;
		void *ret = NULL;

		if (unb) {
			s = srv_start(1, _NTO_CHF_UNBLOCK);
			h.coid = ConnectAttach((uint32_t) axn_nd(0, 1), s.pid,
			    s.chid, _NTO_SIDE_CHANNEL, 0);
		}
		ck_assert_int_ge(h.coid, 0);
		ck_assert_int_eq(pthread_create(&t, NULL, held_sender, &h), 0);
		ck_assert(srv_report(&s, &r, 10000)); /* received, held */
		ck_assert_int_eq(r.kind, 1);
		int held = r.value;

		ck_assert(axt_wait_asleep(atomic_load(&h.tid)));
		ck_assert_int_eq(pthread_cancel(t), 0);
		if (unb) {
			ck_assert(srv_report(&s, &r, 10000));
			ck_assert_int_eq(r.kind, 0);
			ck_assert_int_eq(r.code, _PULSE_CODE_UNBLOCK);
			ck_assert_int_eq(r.value, held);
			/* Still REPLY-blocked: the server has not answered. */
			ck_assert(axt_wait_asleep(atomic_load(&h.tid)));
			ck_assert_int_eq(pthread_tryjoin_np(t, NULL), EBUSY);
			axn_srv_stop(&s); /* its end releases the thread */
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t) (10 * axn_scale());
		ck_assert_int_eq(pthread_timedjoin_np(t, &ret, &until), 0);
		ck_assert_ptr_eq(ret, PTHREAD_CANCELED);
		ck_assert_int_eq(ConnectDetach(h.coid), 0);
		if (!unb) {
			axn_srv_stop(&s);
		}
	}
}
END_TEST

/* A SEND-blocked remote message that times out never reaches the server. */
START_TEST(test_remote_send_timeout)
{
	struct axn_srv s;
	struct srv_cmd slow = {.op = OP_SLOW};
	struct srv_cmd cmd = {.op = OP_HOLD};
	struct srv_report r;
	uint64_t to = 200000000ull;

	srv_report_every = true; /* (the server says it is busy) */
	slow.a = (int) (1500 * axn_scale());
	int coid = two_nodes(&s, 0);

	/* Keep the (single-threaded) server busy from another process. */
	pid_t busy = fork();
	if (busy == 0) {
		int c = ConnectAttach((uint32_t) axn_nd(0, 1), s.pid, s.chid,
		    _NTO_SIDE_CHANNEL, 0);
		_exit(MsgSend(c, &slow, sizeof(slow), NULL, 0) == 0 ? 0 : 1);
	}
	/* Busy once it says so (not after a fixed delay: the held message
	 * could get there first on a loaded machine). */
	ck_assert(srv_report(&s, &r, 10000));
	ck_assert_int_eq(r.kind, 2);
	ck_assert_int_eq(r.code, OP_SLOW);
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY,
	    NULL, &to, NULL);
	ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), NULL, 0), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	int st;
	ck_assert_int_eq(waitpid(busy, &st, 0), busy);
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	/* The held message never arrived. */
	ck_assert(!srv_report(&s, &r, 500) || r.kind != 1);
	axn_srv_stop(&s);
}
END_TEST

/* Detach and client death give the server its DISCONNECT pulse. */
START_TEST(test_remote_disconnect)
{
	struct axn_srv s;
	int coid = two_nodes(&s, _NTO_CHF_DISCONNECT);
	struct srv_cmd cmd = {.op = OP_STATUS, .a = 5};
	struct srv_report r;

	ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), NULL, 0), 5);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	ck_assert(srv_report(&s, &r, 5000));
	ck_assert_int_eq(r.code, _PULSE_CODE_DISCONNECT);

	/* A client that dies while REPLY-blocked. */
	pid_t c = fork();
	if (c == 0) {
		struct srv_cmd hold = {.op = OP_HOLD};
		int k = ConnectAttach((uint32_t) axn_nd(0, 1), s.pid, s.chid,
		    _NTO_SIDE_CHANNEL, 0);
		MsgSend(k, &hold, sizeof(hold), NULL, 0);
		_exit(1);
	}
	ck_assert(srv_report(&s, &r, 5000));
	ck_assert_int_eq(r.kind, 1);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	ck_assert(srv_report(&s, &r, 5000));
	ck_assert_int_eq(r.code, _PULSE_CODE_DISCONNECT);
	axn_srv_stop(&s);
}
END_TEST

/* A server that dies releases its remote clients with ESRCH. */
START_TEST(test_remote_server_death)
{
	struct axn_srv s;
	int coid = two_nodes(&s, 0);
	struct srv_cmd cmd = {.op = OP_HOLD};
	pid_t killer = fork();

	if (killer == 0) {
		axt_sleep_ms(500);
		kill(s.pid, SIGKILL);
		_exit(0);
	}
	ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), NULL, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	waitpid(killer, NULL, 0);
	axn_srv_stop(&s);
	/* A pid that does not exist. */
	int c2 = ConnectAttach((uint32_t) axn_nd(0, 1), 999999, 1,
	    _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(c2, 0);
	ck_assert_int_eq(MsgSend(c2, &cmd, sizeof(cmd), NULL, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
}
END_TEST

/* Without an axond, and with a node that does not exist. */
START_TEST(test_remote_no_route)
{
	struct srv_cmd cmd = {.op = OP_ECHO};

	axn_enter(0);
	errno = 0;
	ck_assert_int_eq(ConnectAttach(5, 1234, 1, _NTO_SIDE_CHANNEL, 0), -1);
	ck_assert_int_eq(errno, ENOREMOTE);
	axn_start(0);
	int coid = ConnectAttach(77, 1234, 1, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), NULL, 0), -1);
	ck_assert_int_eq(errno, EHOSTUNREACH);
}
END_TEST

/* Many clients in many threads on one shared coid. */
struct par {
	int coid;
	int n;
	int bad;
};

static void *
par_main(void *arg)
{
	struct par *p = arg;

	for (int i = 0; i < p->n; i++) {
		struct srv_cmd cmd = {.op = OP_STATUS, .a = i};

		if (MsgSend(p->coid, &cmd, sizeof(cmd), NULL, 0) != i) {
			p->bad++;
		}
	}
	return NULL;
}

START_TEST(test_remote_threads)
{
	struct axn_srv s;
	int coid = two_nodes(&s, 0);
	pthread_t th[8];
	struct par p[8];

	for (int i = 0; i < 8; i++) {
		p[i] = (struct par){coid, 200, 0};
		pthread_create(&th[i], NULL, par_main, &p[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(p[i].bad, 0);
	}
	axn_srv_stop(&s);
}
END_TEST

/* Large messages from several threads at once, with small ones among
 * them: their frames share the session, gathered into one write by the
 * client's node (output.c, batch_write) and, when the socket does not
 * take them all (beta's axond is stopped at first, and six MiB are
 * more than a socket's send buffer holds), partly queued.
 * Every byte is checked both ways (OP_BIG
 * checks the request's pattern, the reply's is checked here), and the
 * small messages' statuses say that nothing got out of order. */
struct bigpar {
	int coid;
	int id;
	int bad;
};

static void *
bigpar_main(void *arg)
{
	struct bigpar *p = arg;

	for (int i = 0; i < 4 && p->bad == 0; i++) {
		size_t n = (1u << 20) + (size_t) p->id * 4099u +
		    (size_t) i * 13u;
		size_t rn = n / 2 + (size_t) i * 65536u;
		uint8_t *m = malloc(n);
		uint8_t *rb = malloc(rn);
		struct srv_cmd cmd = {.op = OP_BIG, .a = (int) rn,
		    .b = (int) n};

		for (size_t k = 0; k < n; k++) {
			m[k] = srv_pattern(k);
		}
		memcpy(m, &cmd, sizeof(cmd));
		memset(rb, 0xee, rn);
		if (MsgSend(p->coid, m, n, rb, rn) != 1234) {
			p->bad = 1;
		}
		for (size_t k = 0; p->bad == 0 && k < rn; k++) {
			if (rb[k] != srv_pattern(k + 3)) {
				p->bad = 2;
			}
		}
		free(m);
		free(rb);
	}
	return NULL;
}

START_TEST(test_remote_big_parallel)
{
	struct axn_srv s;
	int coid;
	pthread_t th[7];
	struct bigpar p[6];
	struct par small;

	net_mode(_i);
	coid = two_nodes(&s, 0);
	small = (struct par){coid, 300, 0};

	/* beta's axond reads nothing for a while: the socket fills. */
	ck_assert_int_eq(kill(axn[1].pid, SIGSTOP), 0);
	for (int i = 0; i < 6; i++) {
		p[i] = (struct bigpar){coid, i, 0};
		pthread_create(&th[i], NULL, bigpar_main, &p[i]);
	}
	pthread_create(&th[6], NULL, par_main, &small);
	axt_sleep_ms(300);
	ck_assert_int_eq(kill(axn[1].pid, SIGCONT), 0);
	for (int i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		ck_assert_msg(p[i].bad == 0, "thread %d: %s", i,
		    p[i].bad == 1 ? "bad status" : "reply data wrong");
	}
	pthread_join(th[6], NULL);
	ck_assert_int_eq(small.bad, 0);
	axn_srv_stop(&s);
}
END_TEST

/* A server with a receive buffer larger than what ships (1 MiB): checks
 * what MsgReceive gave (msglen of srcmsglen), reads the rest with
 * MsgRead, and replies with msglen, or -1 if a byte was wrong. */
static void
whole_server(int wfd, void *arg)
{
	static uint8_t buf[4u << 20];
	int chid = srv_chan_open(wfd, 0);

	(void) arg;
	for (;;) {
		struct _msg_info info;
		rcvid_t rcvid = MsgReceive(chid, buf, sizeof(buf), &info);
		int bad = 0;

		if (rcvid <= 0) {
			continue;
		}
		size_t len = (size_t) info.msglen;
		size_t all = (size_t) info.srcmsglen;
		bad |= len > all || len == 0;
		if (!bad && len < all) {
			bad |= MsgRead(rcvid, buf + len, all - len, len) !=
			    (ssize_t) (all - len);
		}
		for (size_t i = 0; !bad && i < all; i++) {
			bad |= buf[i] != srv_pattern(i);
		}
		MsgReply(rcvid, bad ? -1 : (long) len, NULL, 0);
	}
}

/* A message of several chunks is posted to the server at its first chunk
 * and MsgReceive copies the rest as it arrives (docs/design/axond.md,
 * Data): the server gets every byte of up to 1 MiB in MsgReceive when
 * the link keeps up, and the right bytes whatever msglen says, also when
 * the client's node stops for a while in the middle of the transfer. */
START_TEST(test_remote_big_receive)
{
	static const size_t sizes[] = {70000, 1u << 20, (1u << 20) + 5,
	    3u << 20};
	struct axn_srv s;
	int coid;

	net_mode(_i);
	axn_start(0);
	axn_start(1);
	s = axn_srv_start(1, whole_server, NULL);
	axn_enter(0);
	coid = srv_attach(&s);
	uint8_t *m = malloc(3u << 20);
	for (size_t i = 0; i < (3u << 20); i++) {
		m[i] = srv_pattern(i);
	}
	for (int round = 0; round < 3; round++) {
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			size_t n = sizes[k];
			long r = MsgSend(coid, m, n, NULL, 0);

			ck_assert_msg(r > 0, "size %zu: %ld (%s)", n, r,
			    r < 0 ? strerror(errno) : "bad bytes");
			ck_assert_int_le(r, n < (1u << 20) ? n : 1u << 20);
		}
	}
	/* alpha's axond stops now and then while 1 MiB messages go. */
	for (int i = 0; i < 20; i++) {
		pid_t p = fork();

		ck_assert_int_ge(p, 0);
		if (p == 0) {
			axt_sleep_ms(1 + i % 4);
			kill(axn[0].pid, SIGSTOP);
			axt_sleep_ms(40);
			kill(axn[0].pid, SIGCONT);
			_exit(0);
		}
		long r = MsgSend(coid, m, 1u << 20, NULL, 0);

		ck_assert_int_eq(waitpid(p, NULL, 0), p);
		kill(axn[0].pid, SIGCONT);
		ck_assert_msg(r > 0, "stopped %d: %ld (%s)", i, r,
		    r < 0 ? strerror(errno) : "bad bytes");
	}
	free(m);
	axn_srv_stop(&s);
}
END_TEST

/* A server that uses the vector forms on remote rcvids: MsgReceivev into
 * two parts, MsgInfo, MsgReadv at an offset, MsgWritev beyond the reply,
 * MsgReplyv in two parts. */
static void
forms_server(int chflags, int wfd)
{
	int chid = srv_chan_open(wfd, chflags);

	for (;;) {
		char a[4], b[12], tail[8];
		iov_t riov[2], wiov[1], piov[2];
		struct _msg_info info, info2;
		int bad = 0;

		SETIOV(&riov[0], a, sizeof(a));
		SETIOV(&riov[1], b, sizeof(b));
		rcvid_t rcvid = MsgReceivev(chid, riov, 2, &info);
		if (rcvid <= 0) {
			continue;
		}
		bad |= MsgInfo(rcvid, &info2) != 0 || info2.nd != info.nd ||
		    info2.pid != info.pid || info.nd == 0;
		bad |= memcmp(a, "abcd", 4) != 0 || memcmp(b, "efghijklmnop", 12);
		SETIOV(&riov[0], tail, sizeof(tail));
		bad |= MsgReadv(rcvid, riov, 1, 16) != 8 ||
		    memcmp(tail, "qrstuvwx", 8) != 0;
		SETIOV(&wiov[0], "WRITTEN", 7);
		/* (7 bytes, or what fits in a shorter reply buffer) */
		bad |= MsgWritev(rcvid, wiov, 1, 10) != (info.dstmsglen >= 17
			? 7
			: info.dstmsglen - 10);
		SETIOV(&piov[0], "rep", 3);
		SETIOV(&piov[1], "ly", 2);
		MsgReplyv(rcvid, bad ? -1 : 42, piov, 2);
	}
}

START_TEST(test_remote_forms)
{
	static const char msg[] = "abcdefghijklmnopqrstuvwx";
	struct axn_srv s = {-1, -1, -1};
	int p[2];
	char back[20];
	iov_t siov[2], riov[2];
	char r1[5], r2[15];

	axn_start(0);
	axn_start(1);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	s.pid = fork();
	if (s.pid == 0) {
		close(p[0]);
		axn_enter(1);
		forms_server(0, p[1]);
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &s.chid, sizeof(s.chid)), sizeof(s.chid));
	s.rep = p[0];
	axn_enter(0);
	int coid = ConnectAttach((uint32_t) axn_nd(0, 1), s.pid, s.chid,
	    _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);

	/* Each send form; the reply: "reply" then "WRITTEN" at 10. */
	memset(back, 0, sizeof(back));
	ck_assert_int_eq(MsgSend(coid, msg, 24, back, sizeof(back)), 42);
	ck_assert_int_eq(memcmp(back, "reply", 5), 0);
	ck_assert_int_eq(memcmp(back + 10, "WRITTEN", 7), 0);
	memset(back, 0, sizeof(back));
	ck_assert_int_eq(MsgSendnc(coid, msg, 24, back, sizeof(back)), 42);
	ck_assert_int_eq(memcmp(back + 10, "WRITTEN", 7), 0);
	SETIOV(&siov[0], msg, 10);
	SETIOV(&siov[1], msg + 10, 14);
	SETIOV(&riov[0], r1, sizeof(r1));
	SETIOV(&riov[1], r2, sizeof(r2));
	memset(r2, 0, sizeof(r2));
	ck_assert_int_eq(MsgSendv(coid, siov, 2, riov, 2), 42);
	ck_assert_int_eq(memcmp(r1, "reply", 5), 0);
	ck_assert_int_eq(memcmp(r2 + 5, "WRITTEN", 7), 0);
	ck_assert_int_eq(MsgSendvnc(coid, siov, 2, riov, 2), 42);
	ck_assert_int_eq(MsgSendsv(coid, msg, 24, riov, 2), 42);
	ck_assert_int_eq(MsgSendsvnc(coid, msg, 24, riov, 2), 42);
	memset(back, 0, sizeof(back));
	ck_assert_int_eq(MsgSendvs(coid, siov, 2, back, sizeof(back)), 42);
	ck_assert_int_eq(memcmp(back + 10, "WRITTEN", 7), 0);
	ck_assert_int_eq(MsgSendvsnc(coid, siov, 2, back, sizeof(back)), 42);
	/* A reply buffer too short for the MsgWrite: what fits arrives. */
	memset(back, 0, sizeof(back));
	ck_assert_int_eq(MsgSend(coid, msg, 24, back, 12), 42);
	ck_assert_int_eq(memcmp(back + 10, "WR", 2), 0);
	axn_srv_stop(&s);
}
END_TEST

/* The same over IPv6. */
START_TEST(test_remote_ipv6)
{
	struct axn_srv s;
	int coid;
	struct srv_cmd cmd = {.op = OP_STATUS, .a = 66};

	axn_teardown();
	axn_ipv6 = 1;
	axn_setup(2);
	coid = two_nodes(&s, 0);
	ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), NULL, 0), 66);
	axn_srv_stop(&s);
}
END_TEST

/* Node descriptors as axond publishes them. */
START_TEST(test_remote_nd)
{
	char name[64];
	char *end;

	axn_start(0);
	axn_start(1);
	ck_assert(axn_wait_state(0, 1, "up", 5000));
	axn_enter(0);
	int nd = netmgr_strtond("beta", &end);
	ck_assert_int_gt(nd, 0);
	ck_assert_int_eq(nd, axn_nd(0, 1));
	ck_assert_int_eq(*end, '\0');
	ck_assert_int_eq(netmgr_strtond("alpha", NULL), ND_LOCAL_NODE);
	ck_assert_int_eq(netmgr_ndtostr(0, nd, name, sizeof(name)), 4);
	ck_assert_str_eq(name, "beta");
	/* How beta names us: learned from beta over the session. */
	int back = -1;
	for (int i = 0; i < 200 && back < 0; i++) {
		back = netmgr_remote_nd(nd, ND_LOCAL_NODE);
		if (back < 0) {
			axt_sleep_ms(10);
		}
	}
	ck_assert_int_eq(back, axn_nd(1, 0));
	errno = 0;
	ck_assert_int_eq(netmgr_strtond("nosuchnode", NULL), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

static Suite *
net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = axt_tcase("net", 60);

	tcase_add_unchecked_fixture(tc, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(tc, net_setup, net_teardown);

	tcase_add_test(tc, test_remote_send_reply);
	tcase_add_loop_test(tc, test_remote_sizes, 0, 2);
	tcase_add_loop_test(tc, test_remote_reply_layout, 0, 2);
	tcase_add_test(tc, test_remote_pulse_event);
	tcase_add_test(tc, test_remote_pulse_priorities);
	tcase_add_test(tc, test_remote_pulses_before_reply);
	tcase_add_test(tc, test_remote_pulse_backlog);
	tcase_add_test(tc, test_remote_msg_behind_backlog);
	tcase_add_test(tc, test_remote_pulse_refused_counted);
	tcase_add_test(tc, test_remote_timeouts);
	tcase_add_test(tc, test_remote_unblock_late);
	tcase_add_test(tc, test_remote_send_timeout);
	tcase_add_test(tc, test_remote_cancel);
	tcase_add_test(tc, test_remote_disconnect);
	tcase_add_test(tc, test_remote_server_death);
	tcase_add_test(tc, test_remote_no_route);
	tcase_add_test(tc, test_remote_threads);
	tcase_add_loop_test(tc, test_remote_big_parallel, 0, 2);
	tcase_add_loop_test(tc, test_remote_big_receive, 0, 2);
	tcase_add_test(tc, test_remote_nd);
	tcase_add_test(tc, test_remote_ipv6);
	tcase_add_test(tc, test_remote_forms);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(net_suite());
}
