/* SPDX-License-Identifier: MIT */
/*
 * Faults between nodes (issue 3): a peer's axond that dies, stops, has
 * another cluster secret or is sent garbage; a local axond that dies; a
 * thousand remote clients blocked at once; credentials that change on one
 * connection; remote root mapping.  Real axonds on loopback (net_test.h).
 */
#include "net_peer.h"
#include "net_srv.h"
#include "attack.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "internal.h"
#include "shm.h"
#include "wire.h"

/* ---- cleanup: the test's teardown stops the axonds and removes the
 * directories; if the test fails or times out, Check kills what is left
 * of its process group and the runner removes the directories ---- */


static void
fault_setup(void)
{
	axn_setup(2); /* (registers its directories) */
	srv_report_every = true; /* test_wrong_secret wants to see none */
}

static void
fault_teardown(void)
{
	axn_teardown();
}

/* ---- a server on a node (net_srv.h) ---- */

/* Waits (bounded) for a report of a held message, skipping pulses. */
static int
srv_wait_held(struct axn_srv *s, int ms)
{
	ms = (int) (ms * axn_scale());
	double end = axt_now() + ms / 1000.0;
	struct srv_report r;

	while (axt_now() < end) {
		int left = (int) ((end - axt_now()) * 1000) + 1;

		if (!srv_report(s, &r, (int) (left * axn_scale()))) {
			return 0;
		}
		if (r.kind == 1) {
			return 1;
		}
	}
	return 0;
}

/* MsgSend of OP_STATUS that must return v, bounded by a kernel timeout
 * so that a hang fails the test instead of timing it out. */
static void
send_status_ok(int coid, int v, const char *what)
{
	struct srv_cmd cmd = {.op = OP_STATUS, .a = v};
	uint64_t to = 5000000000ull;
	long r;

	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY,
	    NULL, &to, NULL);
	errno = 0;
	r = MsgSend(coid, &cmd, sizeof(cmd), NULL, 0);
	ck_assert_msg(r == v, "%s: MsgSend returned %ld (%s), want %d", what,
	    r, r < 0 ? strerror(errno) : "-", v);
}

/* ---- a send in the background ---- */

struct bg_send {
	pthread_t th;
	int coid;
	struct srv_cmd cmd;
	long rc;
	int err;
	double t_done;
	int done[2];
	int joined;
};

static void *
bg_main(void *arg)
{
	struct bg_send *b = arg;

	errno = 0;
	b->rc = MsgSend(b->coid, &b->cmd, sizeof(b->cmd), NULL, 0);
	b->err = errno;
	b->t_done = axt_now();
	(void) !write(b->done[1], "x", 1);
	return NULL;
}

static void
bg_start(struct bg_send *b, int coid, int op, int a)
{
	memset(b, 0, sizeof(*b));
	b->coid = coid;
	b->cmd.op = op;
	b->cmd.a = a;
	ck_assert_int_eq(pipe2(b->done, O_CLOEXEC), 0);
	ck_assert_int_eq(pthread_create(&b->th, NULL, bg_main, b), 0);
}

/* Waits (bounded) for the send to return; 1 if it did. */
static int
bg_wait(struct bg_send *b, int ms)
{
	ms = (int) (ms * axn_scale());
	struct pollfd pfd = {.fd = b->done[0], .events = POLLIN};

	if (poll(&pfd, 1, ms) != 1) {
		return 0;
	}
	pthread_join(b->th, NULL);
	b->joined = 1;
	close(b->done[0]);
	close(b->done[1]);
	return 1;
}

/* A client on alpha blocked (REPLY) on s; returns when s holds it. */
static void
block_one(struct bg_send *b, struct axn_srv *s, int coid)
{
	bg_start(b, coid, OP_HOLD, 0);
	ck_assert_msg(srv_wait_held(s, 5000), "the server never got the "
					      "message");
	axt_sleep_ms(50);
	ck_assert_msg(!bg_wait(b, 0), "the client returned early: %ld (%s)",
	    b->rc, strerror(b->err));
}

static int
proc_alive(pid_t pid)
{
	return pid > 0 && waitpid(pid, NULL, WNOHANG) == 0 && kill(pid, 0) == 0;
}

/* ------------------------------------------------------------------ */

/* 1. The peer's axond dies: blocked clients are released; the session
 * comes back by itself once it is restarted. */
START_TEST(test_peer_dies)
{
	struct axn_srv s;
	int coid = two_nodes(&s, 0);
	struct bg_send b;
	double t0;

	send_status_ok(coid, 11, "before");
	block_one(&b, &s, coid);
	t0 = axt_now();
	axn_kill(1, SIGKILL);
	ck_assert_msg(bg_wait(&b, 3000), "client not released in 3 s");
	ck_assert_int_eq(b.rc, -1);
	ck_assert_msg(b.err == EHOSTUNREACH || b.err == EHOSTDOWN,
	    "released with %s", strerror(b.err));
	ck_assert(b.t_done - t0 < 3.0 * axn_scale());

	/* While beta is down: a new send fails, bounded. */
	int c2 = srv_attach(&s);
	struct srv_cmd cmd = {.op = OP_STATUS, .a = 1};
	t0 = axt_now();
	ck_assert_int_eq(MsgSend(c2, &cmd, sizeof(cmd), NULL, 0), -1);
	ck_assert_msg(errno == EHOSTUNREACH || errno == EHOSTDOWN,
	    "while down: %s", strerror(errno));
	ck_assert(axt_now() - t0 < 3.0 * axn_scale());
	ConnectDetach(c2);

	/* Beta comes back, with a new server. */
	axn_start(1);
	ck_assert_msg(axn_wait_state(0, 1, "up", 5000),
	    "the session did not come back");
	struct axn_srv s2 = srv_start(1, 0);
	int c3 = srv_attach(&s2);
	send_status_ok(c3, 33, "new server after restart");
	/* The old coid died with the session (its server saw its virtual
	 * client go: issue 10's death notification), but the old server,
	 * which outlived the axond it was reached through, is reached
	 * again through a new connection. */
	struct srv_cmd old = {.op = OP_STATUS, .a = 34};
	ck_assert_int_eq(MsgSend(coid, &old, sizeof(old), NULL, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	coid = srv_attach(&s);
	send_status_ok(coid, 34, "old server, new coid after restart");
	axn_srv_stop(&s2);
	axn_srv_stop(&s);
}
END_TEST

/* 2. The peer's axond stops answering (SIGSTOP): clients are released
 * after --dead-after; after SIGCONT the session comes back. */
START_TEST(test_peer_silent)
{
	struct axn_srv s;
	int coid = two_nodes(&s, 0);
	struct bg_send b;
	double t0;

	send_status_ok(coid, 5, "before");
	block_one(&b, &s, coid);
	t0 = axt_now();
	axn_kill(1, SIGSTOP);
	ck_assert_msg(bg_wait(&b, 3000), "client not released in 3 s");
	kill(axn[1].pid, SIGCONT);
	ck_assert_int_eq(b.rc, -1);
	ck_assert_msg(b.err == EHOSTUNREACH, "released with %s",
	    strerror(b.err));
	/* Not before the peer could be declared dead (dead-after 1 s). */
	ck_assert_msg(b.t_done - t0 > 0.7, "released after %.2f s",
	    b.t_done - t0);
	ck_assert(b.t_done - t0 < 3.0 * axn_scale());
	ck_assert_msg(axn_wait_state(0, 1, "up", 5000),
	    "the session did not come back");
	ck_assert(proc_alive(axn[1].pid));
	/* The session was declared dead: so was the connection made
	 * over it (issue 10's death notification). */
	struct srv_cmd old = {.op = OP_STATUS, .a = 6};
	ck_assert_int_eq(MsgSend(coid, &old, sizeof(old), NULL, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	int c2 = srv_attach(&s);
	send_status_ok(c2, 7, "new coid after SIGCONT");
	axn_srv_stop(&s);
}
END_TEST


/* 3. Nodes with different cluster secrets never talk; with the same one
 * they do. */
START_TEST(test_wrong_secret)
{
	struct axn_srv s;
	struct srv_report r;
	struct bg_send b;
	int coid;
	double t0;

	axn_secret_write(axn[0].secret, sizeof(axn[0].secret), "one",
	    "the first secret\n");
	axn_secret_write(axn[1].secret, sizeof(axn[1].secret), "two",
	    "the second secret\n");
	coid = two_nodes(&s, 0);
	t0 = axt_now();
	bg_start(&b, coid, OP_HOLD, 0);
	ck_assert_msg(bg_wait(&b, 4000), "client not released in 4 s");
	ck_assert_int_eq(b.rc, -1);
	ck_assert_msg(b.err == EHOSTDOWN, "released with %s",
	    strerror(b.err));
	ck_assert(b.t_done - t0 < 4.0 * axn_scale());
	/* Again, now that the node has been tried and refused. */
	struct srv_cmd cmd = {.op = OP_STATUS, .a = 3};
	ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), NULL, 0), -1);
	ck_assert_int_eq(errno, EHOSTDOWN);
	ck_assert_msg(!srv_report(&s, &r, (int) (300 * axn_scale())),
	    "the server saw a message");
	ck_assert(!axn_wait_state(0, 1, "up", 1000));
	ck_assert(!axn_wait_state(1, 0, "up", 10));
	ck_assert(proc_alive(axn[0].pid));
	ck_assert(proc_alive(axn[1].pid));
	axn_srv_stop(&s);
	ConnectDetach(coid);

	/* The same secret on both: it works. */
	axn_kill(0, SIGTERM);
	axn_kill(1, SIGTERM);
	snprintf(axn[1].secret, sizeof(axn[1].secret), "%s", axn[0].secret);
	coid = two_nodes(&s, 0);
	send_status_ok(coid, 77, "same secret");
	ck_assert(axn_wait_state(0, 1, "up", 1000));
	ck_assert(axn_wait_state(1, 0, "up", 1000));
	axn_srv_stop(&s);
}
END_TEST

/* ---- raw TCP to an axond ---- */

/* Reads until the peer closes (bounded): 0 on EOF, -errno on an error,
 * 1 on timeout. */
static int
raw_wait_close(int fd, int ms, size_t *ret_got)
{
	double end = axt_now() + ms / 1000.0;
	size_t got = 0;

	for (;;) {
		char buf[4096];
		int left = (int) ((end - axt_now()) * 1000);
		struct pollfd pfd = {.fd = fd, .events = POLLIN};

		if (left <= 0 || poll(&pfd, 1, left) != 1) {
			*ret_got = got;
			return 1;
		}
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n == 0) {
			*ret_got = got;
			return 0;
		}
		if (n < 0) {
			*ret_got = got;
			return -errno;
		}
		got += (size_t) n;
	}
}

static size_t
enc(const struct axon_wire_frame *f, uint8_t *buf, size_t cap)
{
	long n = axon__wire_encode(f, buf, cap);

	ck_assert_int_gt(n, 0);
	return (size_t) n;
}

static size_t
hello(uint8_t *buf, size_t cap, const char *name)
{
	struct axon_wire_frame f;

	memset(&f, 0, sizeof(f));
	f.type = AXON_W_HELLO;
	f.u.hello.proto_min = AXON_WIRE_VERSION;
	f.u.hello.proto_max = AXON_WIRE_VERSION;
	f.u.hello.nonce = 0x0123456789abcdefull;
	snprintf(f.u.hello.node, sizeof(f.u.hello.node), "%s", name);
	return enc(&f, buf, cap);
}

static void
put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) v;
	p[1] = (uint8_t) (v >> 8);
	p[2] = (uint8_t) (v >> 16);
	p[3] = (uint8_t) (v >> 24);
}

/* Sends bytes to beta on a fresh socket; beta must close it within ms. */
static void
attack(const char *what, const uint8_t *bytes, size_t len, int ms)
{
	ms = (int) (ms * axn_scale());
	int fd = raw_connect(1);
	size_t got;
	int rc;

	if (len > 0) {
		ck_assert_int_eq(send(fd, bytes, len, MSG_NOSIGNAL),
		    (ssize_t) len);
	}
	rc = raw_wait_close(fd, ms, &got);
	ck_assert_msg(rc == 0, "%s: %s after %zu bytes", what,
	    rc == 1 ? "not closed in time" : strerror(-rc), got);
	close(fd);
	ck_assert_msg(proc_alive(axn[1].pid), "%s: beta's axond died", what);
}

/* A client that keeps sending from alpha to beta meanwhile. */
struct pinger {
	pthread_t th;
	int coid;
	_Atomic int stop; /* the test sets it while the pinger runs */
	int ok, bad;
	long last_rc;
	int last_err;
};

static void *
pinger_main(void *arg)
{
	struct pinger *p = arg;

	while (!p->stop) {
		struct srv_cmd cmd = {.op = OP_STATUS, .a = p->ok + 1};
		uint64_t to = 3000000000ull;
		long r;

		TimerTimeout(CLOCK_MONOTONIC,
		    _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY, NULL, &to, NULL);
		r = MsgSend(p->coid, &cmd, sizeof(cmd), NULL, 0);
		if (r == cmd.a) {
			p->ok++;
		} else {
			p->bad++;
			p->last_rc = r;
			p->last_err = errno;
		}
		axt_sleep_ms(5);
	}
	return NULL;
}

/* 4. Garbage, oversized and out-of-order frames on beta's port: beta
 * closes that socket, survives, and alpha's clients never notice. */
START_TEST(test_malformed_frames)
{
	struct axn_srv s;
	int coid = two_nodes(&s, 0);
	struct pinger pg = {.coid = coid};
	uint8_t buf[4096];
	size_t n;

	send_status_ok(coid, 1, "before");
	int fds_before = axn_fd_count(axn[1].pid);
	ck_assert_int_eq(pthread_create(&pg.th, NULL, pinger_main, &pg), 0);

	/* Not a frame at all. */
	static const char http[] = "GET / HTTP/1.1\r\nHost: beta\r\n"
				   "Connection: close\r\n\r\n";
	attack("garbage", (const uint8_t *) http, sizeof(http) - 1, 3000);

	/* Random bytes, 32 of them and more. */
	for (size_t i = 0; i < sizeof(buf); i++) {
		buf[i] = (uint8_t) (i * 131u + 17u + (i >> 5));
	}
	attack("random bytes", buf, 1000, 3000);

	/* A HELLO header claiming a 4 GiB body. */
	n = hello(buf, sizeof(buf), "mallory");
	put32le(buf + 8, 0xfffffff0u);
	attack("huge body length", buf, AXON_WIRE_HDR_SIZE, 3000);

	/* A header claiming the largest body a data frame may have, then
	 * nothing: the handshake times out (--connect-timeout 1 s). */
	memset(buf, 0, AXON_WIRE_HDR_SIZE);
	put32le(buf, AXON_WIRE_MAGIC);
	buf[4] = AXON_WIRE_VERSION;
	buf[5] = AXON_W_MSGWRITE;
	put32le(buf + 8, AXON_WIRE_MAX_BODY);
	put32le(buf + 16, 1);
	attack("max body, never sent", buf, AXON_WIRE_HDR_SIZE, 3000);

	/* Half a header, then silence. */
	attack("half a header", buf, 10, 3000);

	/* Nothing at all: the handshake times out. */
	attack("silent connection", NULL, 0, 3000);

	/* A valid HELLO, then junk. */
	n = hello(buf, sizeof(buf), "mallory");
	memset(buf + n, 0x5a, 100);
	attack("HELLO then junk", buf, n + 100, 3000);

	/* A valid HELLO, then a forwarding frame before AUTH. */
	{
		struct axon_wire_frame f;

		n = hello(buf, sizeof(buf), "mallory");
		memset(&f, 0, sizeof(f));
		f.type = AXON_W_CONNECT_CRED;
		f.conn = 1;
		f.u.connect.pid = s.pid;
		f.u.connect.chid = s.chid;
		f.u.connect.client_pid = 1;
		n += enc(&f, buf + n, sizeof(buf) - n);
		attack("CONNECT before AUTH", buf, n, 3000);
	}

	/* A HELLO with a wrong AUTH. */
	{
		struct axon_wire_frame f;

		n = hello(buf, sizeof(buf), "mallory");
		memset(&f, 0, sizeof(f));
		f.type = AXON_W_AUTH;
		memset(f.u.auth.mac, 0xab, sizeof(f.u.auth.mac));
		n += enc(&f, buf + n, sizeof(buf) - n);
		attack("wrong AUTH", buf, n, 3000);
	}

	/* A HELLO claiming to be beta itself, and one claiming alpha (whose
	 * real session must survive). */
	n = hello(buf, sizeof(buf), "beta");
	attack("HELLO as beta", buf, n, 3000);
	n = hello(buf, sizeof(buf), "alpha");
	memset(buf + n, 0xff, 64);
	attack("HELLO as alpha, then junk", buf, n + 64, 3000);

	/* Two HELLOs. */
	n = hello(buf, sizeof(buf), "mallory");
	n += hello(buf + n, sizeof(buf) - n, "mallory");
	attack("two HELLOs", buf, n, 3000);

	/* Many at once. */
	{
		int fds[64];

		for (int i = 0; i < 64; i++) {
			fds[i] = raw_connect(1);
			ck_assert_int_eq(send(fds[i], http, sizeof(http) - 1,
					     MSG_NOSIGNAL),
			    (ssize_t) sizeof(http) - 1);
		}
		for (int i = 0; i < 64; i++) {
			size_t got;
			int rc = raw_wait_close(fds[i], 3000, &got);

			ck_assert_msg(rc == 0, "burst %d: %d", i, rc);
			close(fds[i]);
		}
	}

	pg.stop = 1;
	pthread_join(pg.th, NULL);
	if (getenv("AXN_DEBUG")) {
		char cmdl[400];
		snprintf(cmdl, sizeof(cmdl), "cat %s/nodes >&2", axn[1].rundir);
		(void) !system(cmdl);
	}
	ck_assert_msg(pg.bad == 0, "%d sends failed during the attack, "
				   "last %ld (%s)", pg.bad, pg.last_rc,
	    strerror(pg.last_err));
	ck_assert_int_gt(pg.ok, 10);
	ck_assert(proc_alive(axn[1].pid));
	ck_assert(axn_wait_state(0, 1, "up", 10));
	send_status_ok(coid, 2, "after");
	/* No descriptor left behind. */
	int fds_after = -1;
	for (int i = 0; i < 200; i++) {
		fds_after = axn_fd_count(axn[1].pid);
		if (fds_after <= fds_before) {
			break;
		}
		axt_sleep_ms(10);
	}
	ck_assert_msg(fds_after <= fds_before, "beta's axond: %d fds, was %d",
	    fds_after, fds_before);
	axn_srv_stop(&s);
}
END_TEST

/* 5. The local axond dies: clients blocked on it are released; a new
 * one works. */
START_TEST(test_local_axond_dies)
{
	struct axn_srv s;
	int coid = two_nodes(&s, 0);
	struct bg_send b;
	double t0;

	send_status_ok(coid, 8, "before");
	block_one(&b, &s, coid);
	t0 = axt_now();
	axn_kill(0, SIGKILL);
	ck_assert_msg(bg_wait(&b, 3000), "client not released in 3 s");
	ck_assert_int_eq(b.rc, -1);
	ck_assert_msg(b.err == EHOSTDOWN, "released with %s (want EHOSTDOWN)",
	    strerror(b.err));
	ck_assert(b.t_done - t0 < 3.0 * axn_scale());

	/* No axond: a new connection to another node cannot be made. */
	errno = 0;
	ck_assert_int_eq(ConnectAttach((uint32_t) axn_nd(0, 1), s.pid, s.chid,
			     _NTO_SIDE_CHANNEL, 0),
	    -1);
	ck_assert_int_eq(errno, ENOREMOTE);

	axn_start(0);
	ck_assert_msg(axn_wait_state(0, 1, "up", 5000),
	    "the session did not come back");
	int c2 = srv_attach(&s);
	send_status_ok(c2, 9, "new coid, restarted axond");
	/* The old connection went with the old axond: it fails, at once. */
	{
		struct srv_cmd cmd = {.op = OP_STATUS, .a = 10};
		uint64_t to = 3000000000ull;
		long r;

		TimerTimeout(CLOCK_MONOTONIC,
		    _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY, NULL, &to, NULL);
		t0 = axt_now();
		r = MsgSend(coid, &cmd, sizeof(cmd), NULL, 0);
		if (getenv("AXN_DEBUG")) {
			fprintf(stderr, "old coid: %ld %s %.3f s\n", r,
			    strerror(errno), axt_now() - t0);
		}
		ck_assert_int_eq(r, -1);
		ck_assert_int_ne(errno, ETIMEDOUT);
	}
	axn_srv_stop(&s);
}
END_TEST

/* 6. A thousand remote clients blocked at once on one server that holds
 * them all; the server's axond does not use a thread per message. */
#define MANY_PROCS   20
#define MANY_THREADS 50
#define MANY         (MANY_PROCS * MANY_THREADS)

static void
collector_main(int wfd, int gofd)
{
	static rcvid_t rcvids[MANY];
	static int vals[MANY];
	int chid = srv_chan_open(wfd, 0);
	int n = 0;

	while (n < MANY) {
		struct srv_cmd cmd = {0};
		struct _msg_info info;
		rcvid_t rcvid = MsgReceive(chid, &cmd, sizeof(cmd), &info);

		if (rcvid < 0) {
			_exit(2);
		}
		if (rcvid == 0) {
			continue;
		}
		rcvids[n] = rcvid;
		vals[n] = cmd.a;
		n++;
	}
	(void) !write(wfd, &n, sizeof(n));
	char go;
	if (read(gofd, &go, 1) != 1) {
		_exit(3);
	}
	int bad = 0;
	for (int i = 0; i < MANY; i++) {
		bad += MsgReply(rcvids[i], vals[i] + 7, NULL, 0) < 0;
	}
	(void) !write(wfd, &bad, sizeof(bad));
	pause();
	_exit(0);
}

struct many_arg {
	int coid;
	int a;
	int ok;
};

static void *
many_thread(void *arg)
{
	struct many_arg *m = arg;
	struct srv_cmd cmd = {.op = OP_STATUS, .a = m->a};

	m->ok = MsgSend(m->coid, &cmd, sizeof(cmd), NULL, 0) == m->a + 7;
	return NULL;
}

static void
many_client(int p, uint32_t nd, pid_t spid, int chid)
{
	pthread_t th[MANY_THREADS];
	struct many_arg a[MANY_THREADS];
	pthread_attr_t attr;
	int coid;
	int bad = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	coid = ConnectAttach(nd, spid, chid, _NTO_SIDE_CHANNEL, 0);
	if (coid < 0) {
		_exit(100);
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (int t = 0; t < MANY_THREADS; t++) {
		a[t] = (struct many_arg){coid, p * MANY_THREADS + t, 0};
		if (pthread_create(&th[t], &attr, many_thread, &a[t]) != 0) {
			_exit(101);
		}
	}
	for (int t = 0; t < MANY_THREADS; t++) {
		pthread_join(th[t], NULL);
		bad += !a[t].ok;
	}
	_exit(bad > 99 ? 99 : bad);
}

START_TEST(test_thousand_blocked)
{
	int rep[2], go[2];
	pid_t spid, clients[MANY_PROCS];
	int chid, n;
	double end = axt_now() + 45.0;

	axn_start(0);
	axn_start(1);
	ck_assert_int_eq(pipe2(rep, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
	spid = fork();
	ck_assert_int_ge(spid, 0);
	if (spid == 0) {
		axn_enter(1);
		collector_main(rep[1], go[0]);
	}
	close(rep[1]);
	close(go[0]);
	ck_assert_int_eq(read(rep[0], &chid, sizeof(chid)), sizeof(chid));
	axn_enter(0);
	uint32_t nd = (uint32_t) axn_nd(0, 1);
	for (int p = 0; p < MANY_PROCS; p++) {
		clients[p] = fork();
		ck_assert_int_ge(clients[p], 0);
		if (clients[p] == 0) {
			many_client(p, nd, spid, chid);
		}
	}
	/* All of them reach the server, which holds them. */
	struct pollfd pfd = {.fd = rep[0], .events = POLLIN};
	ck_assert_msg(poll(&pfd, 1, 30000) == 1,
	    "the server did not get %d messages in 30 s", MANY);
	ck_assert_int_eq(read(rep[0], &n, sizeof(n)), sizeof(n));
	ck_assert_int_eq(n, MANY);
	/* The short-lived threads that made the virtual connections may
	 * still be finishing; a thread per blocked client would not. */
	/* axond's own threads: main, receive, the library's monitor and
	 * reaper, the ps collector; sanitizers may add one of theirs. */
	int tb = axn_threads(axn[1].pid);
	for (double t1 = axt_now() + 5.0 * axn_scale();
	    tb > 6 && axt_now() < t1; tb = axn_threads(axn[1].pid)) {
		axt_sleep_ms(50);
	}
	int ta = axn_threads(axn[0].pid);
	fprintf(stderr, "thousand_blocked: %d held; axond threads: alpha %d, "
			"beta %d\n", n, ta, tb);
	ck_assert_int_ge(tb, 1);
	ck_assert_msg(tb <= 6, "beta's axond has %d threads", tb);
	/* No client has returned yet. */
	for (int p = 0; p < MANY_PROCS; p++) {
		int st = 0;

		ck_assert_msg(waitpid(clients[p], &st, WNOHANG) == 0,
		    "client process %d ended early: status %#x (exit %d)", p,
		    st, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
	/* Now every answer. */
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	ck_assert_int_eq(poll(&pfd, 1, 30000), 1);
	int bad = -1;
	ck_assert_int_eq(read(rep[0], &bad, sizeof(bad)), sizeof(bad));
	ck_assert_int_eq(bad, 0);
	for (int p = 0; p < MANY_PROCS; p++) {
		int st = -1;
		pid_t r = 0;

		while (axt_now() < end &&
		    (r = waitpid(clients[p], &st, WNOHANG)) == 0) {
			axt_sleep_ms(10);
		}
		if (r != clients[p]) {
			for (int k = p; k < MANY_PROCS; k++) {
				kill(clients[k], SIGKILL);
				waitpid(clients[k], NULL, 0);
			}
			kill(spid, SIGKILL);
			waitpid(spid, NULL, 0);
			ck_abort_msg("client %d did not finish", p);
		}
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "client process %d: status %#x (%d bad)", p, st,
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
	kill(spid, SIGKILL);
	waitpid(spid, NULL, 0);
	close(rep[0]);
	close(go[1]);
	ck_assert(proc_alive(axn[0].pid));
	ck_assert(proc_alive(axn[1].pid));
}
END_TEST

static struct who
info_of(int coid)
{
	struct srv_cmd cmd = {.op = OP_INFO};
	struct who w;
	uint64_t to = 5000000000ull;

	memset(&w, 0, sizeof(w));
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY,
	    NULL, &to, NULL);
	ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), &w, sizeof(w)), 0);
	return w;
}

/* 7. A client whose credentials change between two sends on one
 * connection is seen with the new ones. */
START_TEST(test_cred_change)
{
	struct axn_srv s;
	struct who w;
	int coid;

	if (geteuid() != 0) {
		fprintf(stderr, "test_cred_change: skipped: not root\n");
		return;
	}
	snprintf(axn[1].extra, sizeof(axn[1].extra), "--maproot none");
	coid = two_nodes(&s, 0);
	w = info_of(coid);
	ck_assert_int_eq(w.ci.cred.euid, 0);
	ck_assert_int_eq(w.ci.cred.ruid, 0);
	ck_assert_int_eq(w.info.pid, getpid());

	ck_assert_int_eq(seteuid(12345), 0);
	w = info_of(coid);
	ck_assert_int_eq(seteuid(0), 0);
	ck_assert_int_eq(w.ci.cred.euid, 12345);
	ck_assert_int_eq(w.ci.cred.ruid, 0);

	w = info_of(coid);
	ck_assert_int_eq(w.ci.cred.euid, 0);

	/* Twice in a row, and a group change. */
	ck_assert_int_eq(setegid(4321), 0);
	ck_assert_int_eq(seteuid(12345), 0);
	w = info_of(coid);
	struct who w2 = info_of(coid);
	ck_assert_int_eq(seteuid(0), 0);
	ck_assert_int_eq(setegid(0), 0);
	ck_assert_int_eq(w.ci.cred.euid, 12345);
	ck_assert_int_eq(w.ci.cred.egid, 4321);
	ck_assert_int_eq(w2.ci.cred.euid, 12345);
	w = info_of(coid);
	ck_assert_int_eq(w.ci.cred.euid, 0);
	ck_assert_int_eq(w.ci.cred.egid, 0);
	axn_srv_stop(&s);
}
END_TEST

/* 7b. A client that forges its credential hint (shm.h, cred_hint: here a
 * thread keeps writing back the value from before the change, so that
 * axond would see no change) is still seen with its new ids: axond
 * reads them from the kernel at least every AXD_CRED_RECHECK (10 ms). */
static struct {
	_Atomic uint32_t *hint;
	uint32_t val;
	atomic_bool stop;
} forge;

static void *
forge_hint(void *arg)
{
	(void) arg;
	while (!atomic_load(&forge.stop)) {
		atomic_store(forge.hint, forge.val);
	}
	return NULL;
}

START_TEST(test_cred_hint_forged)
{
	struct axon_cconn *cc;
	struct axn_srv s;
	struct who w;
	pthread_t t;
	bool seen = false;
	int coid;

	if (geteuid() != 0) {
		fprintf(stderr, "test_cred_hint_forged: skipped: not root\n");
		return;
	}
	snprintf(axn[1].extra, sizeof(axn[1].extra), "--maproot none");
	coid = two_nodes(&s, 0);
	w = info_of(coid);
	ck_assert_int_eq(w.ci.cred.euid, 0);
	ck_assert_int_eq(axon__coid_get(coid, &cc), 0);
	forge.hint = &cc->rgn->cred_hint;
	forge.val = atomic_load(forge.hint);
	ck_assert_uint_ne(forge.val, 0); /* the library does set it */
	atomic_store(&forge.stop, false);
	ck_assert_int_eq(pthread_create(&t, NULL, forge_hint, NULL), 0);

	ck_assert_int_eq(seteuid(12345), 0);
	/* 100 tries 5 ms apart: far beyond the bound, without timing. */
	for (int i = 0; i < 100 && !seen; i++) {
		w = info_of(coid);
		seen = w.ci.cred.euid == 12345;
		if (!seen) {
			axt_sleep_ms(5);
		}
	}
	ck_assert_int_eq(seteuid(0), 0);
	atomic_store(&forge.stop, true);
	pthread_join(t, NULL);
	axon__cconn_put(cc);
	ck_assert_msg(seen, "a forged hint hid the client's new euid");
	axn_srv_stop(&s);
}
END_TEST

/* 8. Remote root is mapped: to nobody by default, to --maproot. */
START_TEST(test_maproot)
{
	struct axn_srv s;
	struct who w;
	int coid;

	if (geteuid() != 0) {
		fprintf(stderr, "test_maproot: skipped: not root\n");
		return;
	}
	coid = two_nodes(&s, 0);
	w = info_of(coid);
	ck_assert_int_eq(w.ci.cred.euid, 65534);
	ck_assert_int_eq(w.ci.cred.ruid, 65534);
	ck_assert_int_eq(w.ci.cred.suid, 65534);
	/* Only the ids that are root are mapped. */
	ck_assert_int_eq(seteuid(12345), 0);
	w = info_of(coid);
	ck_assert_int_eq(seteuid(0), 0);
	ck_assert_int_eq(w.ci.cred.euid, 12345);
	ck_assert_int_eq(w.ci.cred.ruid, 65534);
	axn_srv_stop(&s);
	ConnectDetach(coid);

	axn_kill(1, SIGTERM);
	snprintf(axn[1].extra, sizeof(axn[1].extra), "--maproot 4242");
	axn_start(1);
	s = srv_start(1, 0);
	ck_assert(axn_wait_state(0, 1, "up", 5000));
	coid = srv_attach(&s);
	w = info_of(coid);
	ck_assert_int_eq(w.ci.cred.euid, 4242);
	ck_assert_int_eq(w.ci.cred.ruid, 4242);
	ck_assert_int_eq(w.ci.cred.suid, 4242);
	ck_assert_int_ne(w.ci.cred.egid, 0);
	axn_srv_stop(&s);
}
END_TEST

/* What the server on beta sees of a client on alpha that runs as uid,
 * gid and supplementary groups gs: the client is a child that drops to
 * them before it first uses libaxon, and reports through a pipe. */
static struct who
info_as(const struct axn_srv *s, uid_t uid, gid_t gid, const gid_t *gs,
    size_t ngs)
{
	struct who w;
	struct pollfd pfd;
	int p[2];
	int st = 0;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct srv_cmd cmd = {.op = OP_INFO};
		uint64_t to = 5000000000ull;
		int coid;

		close(p[0]);
		if (setgroups(ngs, gs) < 0 || setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0) {
			_exit(98);
		}
		coid = ConnectAttach((uint32_t) axn_nd(0, 1), s->pid, s->chid,
		    _NTO_SIDE_CHANNEL, 0);
		TimerTimeout(CLOCK_MONOTONIC,
		    _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY, NULL, &to, NULL);
		if (coid < 0 || MsgSend(coid, &cmd, sizeof(cmd), &w,
		    sizeof(w)) != 0) {
			_exit(97);
		}
		_exit(write(p[1], &w, sizeof(w)) == sizeof(w) ? 0 : 96);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "client as uid %u: status %#x", (unsigned) uid, st);
	ck_assert_int_eq(read(p[0], &w, sizeof(w)), sizeof(w));
	close(p[0]);
	return w;
}

static bool
has_group(const struct who *w, gid_t gid)
{
	for (uint32_t i = 0; i < w->ci.cred.ngroups; i++) {
		if (w->ci.cred.grouplist[i] == gid) {
			return true;
		}
	}
	return false;
}

/* beta restarted with extra arguments, a server on it, alpha up to it. */
static void
beta_again(struct axn_srv *s, const char *extra)
{
	axn_srv_stop(s);
	axn_kill(1, SIGTERM);
	snprintf(axn[1].extra, sizeof(axn[1].extra), "%s", extra);
	axn_start(1);
	*s = srv_start(1, 0);
	ck_assert(axn_wait_state(0, 1, "up", 5000));
}

/* 8b. The root group is squashed too: a remote client that is not root
 * but runs with gid 0 and supplementary group 0 is seen in --maproot's
 * group (it was seen as gid 0, root's group, before).  --mapany makes
 * every remote user one uid and gid, root or not, with that gid as its
 * only group, and it overrides --maproot. */
START_TEST(test_map_group)
{
	const gid_t root_only[] = {0};
	const gid_t mixed[] = {0, 27, 1002};
	struct passwd *pw = getpwuid(65534);
	gid_t nobody_gid = pw != NULL ? pw->pw_gid : 65534;
	struct axn_srv s;
	struct who w;

	if (geteuid() != 0) {
		fprintf(stderr, "test_map_group: skipped: not root\n");
		return;
	}
	axn_start(0);
	axn_start(1);
	axa_share_rundir(axn[0].rundir); /* for the clients' own uids */
	s = srv_start(1, 0);
	axn_enter(0);
	ck_assert(axn_wait_state(0, 1, "up", 5000));

	/* Default --maproot 65534: gid 0 becomes nobody's group. */
	w = info_as(&s, 1002, 0, root_only, 1);
	ck_assert_int_eq(w.ci.cred.ruid, 1002);
	ck_assert_int_eq(w.ci.cred.euid, 1002);
	ck_assert_int_eq(w.ci.cred.rgid, nobody_gid);
	ck_assert_int_eq(w.ci.cred.egid, nobody_gid);
	ck_assert_int_eq(w.ci.cred.sgid, nobody_gid);
	ck_assert_int_eq(w.ci.cred.ngroups, 1);
	ck_assert(!has_group(&w, 0));
	ck_assert(has_group(&w, nobody_gid));
	/* Other groups stay. */
	w = info_as(&s, 1002, 1002, mixed, 3);
	ck_assert_int_eq(w.ci.cred.egid, 1002);
	ck_assert_int_eq(w.ci.cred.ngroups, 3);
	ck_assert(!has_group(&w, 0));
	ck_assert(has_group(&w, 27));
	ck_assert(has_group(&w, 1002));
	/* Root, all of it. */
	w = info_as(&s, 0, 0, root_only, 1);
	ck_assert_int_eq(w.ci.cred.euid, 65534);
	ck_assert_int_eq(w.ci.cred.egid, nobody_gid);
	ck_assert(!has_group(&w, 0));

	/* --maproot UID:GID. */
	beta_again(&s, "--maproot 4242:4343");
	w = info_as(&s, 1002, 0, root_only, 1);
	ck_assert_int_eq(w.ci.cred.euid, 1002);
	ck_assert_int_eq(w.ci.cred.egid, 4343);
	ck_assert_int_eq(w.ci.cred.rgid, 4343);
	ck_assert(has_group(&w, 4343));
	ck_assert(!has_group(&w, 0));

	/* --mapany: everyone is 5005:5006, whatever --maproot says. */
	beta_again(&s, "--maproot none --mapany 5005:5006");
	w = info_as(&s, 1002, 1002, mixed, 3);
	ck_assert_int_eq(w.ci.cred.ruid, 5005);
	ck_assert_int_eq(w.ci.cred.euid, 5005);
	ck_assert_int_eq(w.ci.cred.suid, 5005);
	ck_assert_int_eq(w.ci.cred.rgid, 5006);
	ck_assert_int_eq(w.ci.cred.egid, 5006);
	ck_assert_int_eq(w.ci.cred.sgid, 5006);
	ck_assert_int_eq(w.ci.cred.ngroups, 1);
	ck_assert_int_eq(w.ci.cred.grouplist[0], 5006);
	w = info_as(&s, 0, 0, root_only, 1);
	ck_assert_int_eq(w.ci.cred.euid, 5005);
	ck_assert_int_eq(w.ci.cred.egid, 5006);
	ck_assert_int_eq(w.ci.cred.ngroups, 1);
	ck_assert_int_eq(w.ci.cred.grouplist[0], 5006);
	axn_srv_stop(&s);
}
END_TEST

/* A remote client in 20 supplementary groups: its node carries the
 * first 16 (the wire's most), not the 8 a plain _client_info holds, and
 * ConnectClientInfoExt() on the server's node gives them all. */
START_TEST(test_remote_many_groups)
{
	gid_t gs[20];
	struct axn_srv s;
	struct who w;

	if (geteuid() != 0) {
		fprintf(stderr, "test_remote_many_groups: skipped: not root\n");
		return;
	}
	for (int i = 0; i < 20; i++) {
		gs[i] = 6000 + (gid_t) i;
	}
	axn_start(0);
	axn_start(1);
	axa_share_rundir(axn[0].rundir);
	s = srv_start(1, 0);
	axn_enter(0);
	ck_assert(axn_wait_state(0, 1, "up", 5000));
	w = info_as(&s, 1002, 1002, gs, 20);
	ck_assert_int_eq(w.ci.cred.euid, 1002);
	ck_assert_int_eq(w.ci.cred.ngroups, 16);
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(w.ci.cred.grouplist[i], 6000 + i);
	}
	ck_assert_int_eq(w.ext_err, 0);
	ck_assert_int_eq(w.ext_ngroups, 16);
	for (int i = 0; i < 16; i++) {
		ck_assert_int_eq(w.ext_groups[i], 6000 + i);
	}
	/* A second message, through the credentials axond reads again. */
	w = info_as(&s, 1002, 1002, gs, 12);
	ck_assert_int_eq(w.ext_ngroups, 12);
	ck_assert_int_eq(w.ext_groups[11], 6011);
	axn_srv_stop(&s);
}
END_TEST

/* 10. Chunks that overlap, or run past the message, and a peer that
 * floods without reading: that peer's session ends, axond stays up, and
 * other nodes keep working. */
START_TEST(test_hostile_peer)
{
	struct axn_srv s;
	static uint8_t bb[1 << 16];
	uint8_t d[100];
	size_t l = 0;
	struct axon_wire_frame f;

	snprintf(axn[1].extra, sizeof(axn[1].extra), "--max-queued 1M");
	int coid = two_nodes(&s, 0);
	struct axn_srv stuck = srv_start(1, 0);

	send_status_ok(coid, 1, "before");
	kill(stuck.pid, SIGSTOP);
	/* Overlapping chunks: the same 100 bytes 200 times. */
	int fd = raw_peer(1);
	memset(d, 'A', sizeof(d));
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_CONNECT_CRED;
	f.conn = 1;
	f.u.connect.pid = s.pid;
	f.u.connect.chid = s.chid;
	f.u.connect.client_pid = 4242;
	l += (size_t) axon__wire_encode(&f, bb + l, sizeof(bb) - l);
	for (int i = 0; i < 200; i++) {
		memset(&f, 0, sizeof(f));
		f.type = AXON_W_MSGSEND;
		f.conn = 1;
		f.msg = 7;
		f.flags = (uint16_t) ((i == 0 ? AXON_WF_FIRST : 0) |
		    (i == 199 ? AXON_WF_LAST : 0));
		f.u.send.tid = 1;
		f.u.send.prio = 10;
		f.u.send.sbytes = 100;
		f.data = d;
		f.data_len = 100;
		long k = axon__wire_encode(&f, bb + l, sizeof(bb) - l);
		ck_assert_int_gt(k, 0);
		l += (size_t) k;
	}
	(void) raw_write(fd, bb, l);
	axt_sleep_ms(300);
	ck_assert(proc_alive(axn[1].pid));
	send_status_ok(coid, 2, "after overlapping chunks");
	raw_close(fd);
	/* A flood of sends to a stopped server, never reading replies. */
	fd = raw_peer(1);
	l = 0;
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_CONNECT_CRED;
	f.conn = 1;
	f.u.connect.pid = stuck.pid;
	f.u.connect.chid = stuck.chid;
	f.u.connect.client_pid = 4242;
	l += (size_t) axon__wire_encode(&f, bb + l, sizeof(bb) - l);
	(void) raw_write(fd, bb, l);
	double t0 = axt_now();
	for (uint32_t id = 1; axt_now() - t0 < 10 * axn_scale(); id++) {
		l = 0;
		for (int i = 0; i < 500; i++, id++) {
			memset(&f, 0, sizeof(f));
			f.type = AXON_W_MSGSEND;
			f.conn = 1;
			f.msg = id;
			f.flags = AXON_WF_FIRST | AXON_WF_LAST;
			f.u.send.tid = 1;
			f.u.send.prio = 10;
			l += (size_t) axon__wire_encode(&f, bb + l,
			    sizeof(bb) - l);
		}
		if (!raw_write(fd, bb, l)) {
			break; /* cut off, or it stopped reading us */
		}
	}
	raw_close(fd);
	ck_assert(proc_alive(axn[1].pid));
	send_status_ok(coid, 3, "after the flood");
	kill(stuck.pid, SIGCONT);
	axn_srv_stop(&stuck);
	axn_srv_stop(&s);
}
END_TEST

/* A server with a 2 MiB receive buffer: reports {msglen, srcmsglen} of
 * each message as MsgReceive gave it, then reads the rest with one
 * MsgRead, checks the pattern, reports {bytes read or -errno, bad}, and
 * replies. */
static void
stall_server(int wfd, void *arg)
{
	static uint8_t buf[2u << 20];
	int chid = srv_chan_open(wfd, 0);

	(void) arg;
	for (;;) {
		struct _msg_info info;
		rcvid_t rcvid = MsgReceive(chid, buf, sizeof(buf), &info);
		int rep[2];
		int bad = 0;

		if (rcvid <= 0) {
			continue;
		}
		rep[0] = (int) info.msglen;
		rep[1] = (int) info.srcmsglen;
		(void) !write(wfd, rep, sizeof(rep));
		for (size_t i = 0; i < (size_t) info.msglen; i++) {
			bad |= buf[i] != srv_pattern(i);
		}
		ssize_t n = MsgRead(rcvid, buf + info.msglen,
		    (size_t) (info.srcmsglen - info.msglen),
		    (size_t) info.msglen);
		for (ssize_t i = 0; i < n; i++) {
			bad |= buf[info.msglen + i] !=
			    srv_pattern((size_t) (info.msglen + i));
		}
		rep[0] = n < 0 ? -errno : (int) n;
		rep[1] = bad;
		(void) !write(wfd, rep, sizeof(rep));
		MsgReply(rcvid, 5, NULL, 0);
	}
}

/* Chunk k (of 64 KiB) of a 1 MiB message msg on connection 1, from a
 * hand-made peer. */
static void
stall_chunk(int fd, uint32_t msg, unsigned k)
{
	static uint8_t d[AXON_WIRE_MAX_DATA];
	struct axon_wire_frame f;

	for (size_t i = 0; i < sizeof(d); i++) {
		d[i] = srv_pattern(k * sizeof(d) + i);
	}
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_MSGSEND;
	f.conn = 1;
	f.msg = msg;
	f.flags = (uint16_t) ((k == 0 ? AXON_WF_FIRST : 0) |
	    (k == 15 ? AXON_WF_LAST : 0));
	f.u.send.tid = 1;
	f.u.send.prio = 10;
	f.u.send.sbytes = 1u << 20;
	f.u.send.rbytes = 16;
	f.offset = k * (uint32_t) sizeof(d);
	f.data = d;
	f.data_len = sizeof(d);
	raw_send(fd, &f);
}

/* 11. A message of several chunks is posted to the server when its first
 * chunk is here, so that the server's copy overlaps the transfer
 * (docs/design/axond.md): a peer that stops sending after the first
 * chunk does not hold the server in MsgReceive (it gets the first chunk,
 * msglen < srcmsglen, and MsgRead waits for the rest, which comes
 * whole); an UNBLOCK, or the session's end, while the server waits in
 * MsgRead ends that wait with an error, not a hang; beta stays up. */
START_TEST(test_stalled_big_message)
{
	struct axn_srv s;
	int coid = two_nodes(&s, 0);
	struct axn_srv big = axn_srv_start(1, stall_server, NULL);
	struct axon_wire_frame f;
	int rep[2];

	send_status_ok(coid, 1, "before");
	int fd = raw_peer(1);
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_CONNECT_CRED;
	f.conn = 1;
	f.u.connect.pid = big.pid;
	f.u.connect.chid = big.chid;
	f.u.connect.client_pid = 4242;
	raw_send(fd, &f);

	/* Stalled, then the rest. */
	stall_chunk(fd, 7, 0);
	ck_assert_msg(axn_srv_read(&big, rep, sizeof(rep),
			  (int) (5000 * axn_scale())),
	    "the server never got the first chunk");
	ck_assert_int_eq(rep[0], AXON_WIRE_MAX_DATA);
	ck_assert_int_eq(rep[1], 1 << 20);
	axt_sleep_ms(50); /* the server waits in MsgRead meanwhile */
	for (unsigned k = 1; k < 16; k++) {
		stall_chunk(fd, 7, k);
	}
	ck_assert(axn_srv_read(&big, rep, sizeof(rep),
	    (int) (5000 * axn_scale())));
	ck_assert_int_eq(rep[0], (1 << 20) - AXON_WIRE_MAX_DATA);
	ck_assert_int_eq(rep[1], 0);

	/* Stalled, then unblocked: MsgRead fails with the reason. */
	stall_chunk(fd, 8, 0);
	ck_assert(axn_srv_read(&big, rep, sizeof(rep),
	    (int) (5000 * axn_scale())));
	ck_assert_int_eq(rep[0], AXON_WIRE_MAX_DATA);
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_UNBLOCK;
	f.conn = 1;
	f.msg = 8;
	f.u.unblock.reason = axon__wire_errno_out(EINTR);
	raw_send(fd, &f);
	ck_assert(axn_srv_read(&big, rep, sizeof(rep),
	    (int) (5000 * axn_scale())));
	ck_assert_msg(rep[0] == -EINTR || rep[0] == -ESRCH,
	    "MsgRead after UNBLOCK: %d", rep[0]);

	/* Stalled, then the session ends: MsgRead fails. */
	stall_chunk(fd, 9, 0);
	ck_assert(axn_srv_read(&big, rep, sizeof(rep),
	    (int) (5000 * axn_scale())));
	ck_assert_int_eq(rep[0], AXON_WIRE_MAX_DATA);
	raw_close(fd);
	ck_assert(axn_srv_read(&big, rep, sizeof(rep),
	    (int) (5000 * axn_scale())));
	ck_assert_int_lt(rep[0], 0);

	ck_assert(proc_alive(axn[1].pid));
	send_status_ok(coid, 2, "after");
	axn_srv_stop(&big);
	axn_srv_stop(&s);
}
END_TEST

/* 9. A server of beta that does not answer a connect (stopped) must
 * not stall beta's axond: other remote clients of beta keep working and
 * the session stays up. */
START_TEST(test_stuck_server)
{
	struct axn_srv s;
	int coid = two_nodes(&s, 0);
	struct axn_srv stuck = srv_start(1, 0);
	struct pinger pg = {.coid = coid};
	struct bg_send held, b;

	send_status_ok(coid, 1, "before");
	block_one(&held, &s, coid);
	kill(stuck.pid, SIGSTOP);
	int c2 = srv_attach(&stuck);
	ck_assert_int_eq(pthread_create(&pg.th, NULL, pinger_main, &pg), 0);
	bg_start(&b, c2, OP_STATUS, 5);
	/* For 3 s: the session stays up, the held client stays blocked. */
	for (int t = 0; t < 30; t++) {
		axt_sleep_ms(100);
		ck_assert_msg(axn_wait_state(0, 1, "up", 10),
		    "beta went down after %.1f s", (t + 1) / 10.0);
		ck_assert_msg(!bg_wait(&held, 0),
		    "the held client was released: %ld (%s)", held.rc,
		    strerror(held.err));
	}
	pg.stop = 1;
	pthread_join(pg.th, NULL);
	ck_assert_msg(pg.bad == 0, "%d of %d sends to a running server failed "
				   "meanwhile, last %ld (%s)", pg.bad,
	    pg.bad + pg.ok, pg.last_rc, strerror(pg.last_err));
	kill(stuck.pid, SIGCONT);
	ck_assert(bg_wait(&b, 10000));
	axn_srv_stop(&stuck);
	axn_srv_stop(&s);
	ck_assert(bg_wait(&held, 5000));
}
END_TEST

/* 10. A connection that never authenticates leaves no trace: no node is
 * added for the name in its HELLO. */
START_TEST(test_unauth_hello_no_node)
{
	uint8_t buf[256];
	size_t n;

	axn_start(0);
	axn_start(1);
	ck_assert(axn_wait_state(1, 0, "up", 5000));
	n = hello(buf, sizeof(buf), "mallory");
	attack("HELLO, no AUTH", buf, n, 3000);
	axt_sleep_ms(200); /* the nodes file is written on the next tick */
	struct axn_node save = axn[0];
	snprintf(axn[0].name, sizeof(axn[0].name), "mallory");
	int nd = axn_nd(1, 0);
	axn[0] = save;
	ck_assert_msg(nd < 0, "beta's nodes file lists unauthenticated node "
			      "mallory as nd %d", nd);
}
END_TEST

static Suite *
netfault_suite(void)
{
	Suite *s = suite_create("netfault");
	TCase *tc = axt_tcase("netfault", 30);
	TCase *big = axt_tcase("netfault-many", 60);

	tcase_add_unchecked_fixture(tc, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(tc, fault_setup, fault_teardown);
	tcase_add_test(tc, test_peer_dies);
	tcase_add_test(tc, test_peer_silent);
	tcase_add_test(tc, test_wrong_secret);
	tcase_add_test(tc, test_malformed_frames);
	tcase_add_test(tc, test_local_axond_dies);
	tcase_add_test(tc, test_cred_change);
	tcase_add_test(tc, test_cred_hint_forged);
	tcase_add_test(tc, test_maproot);
	tcase_add_test(tc, test_map_group);
	tcase_add_test(tc, test_remote_many_groups);
	tcase_add_test(tc, test_stuck_server);
	tcase_add_test(tc, test_hostile_peer);
	tcase_add_test(tc, test_stalled_big_message);
	tcase_add_test(tc, test_unauth_hello_no_node);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(big, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(big, fault_setup, fault_teardown);
	tcase_add_test(big, test_thousand_blocked);
	suite_add_tcase(s, big);
	return s;
}

int
main(void)
{
	return axt_run(netfault_suite());
}
