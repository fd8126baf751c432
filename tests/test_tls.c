/* SPDX-License-Identifier: MIT */
/*
 * Encrypted sessions, tested as attacks (issue 12, item 1).  A machine
 * in the middle is played by a relay process: node alpha dials beta
 * through it, and it forwards every byte both ways while it records,
 * injects or alters them on the test's command.  With TLS (the default)
 * each attack is refused and the session torn down, after which the
 * nodes talk again; with --insecure the same injection runs a command on
 * beta and the bytes cross in clear text, which is why --insecure is not
 * the default.  Also: a replayed session, a node that runs --insecure
 * against one that runs TLS, and clusters keyed by certificates (a
 * certificate of another CA, or naming another node, is refused).
 */
#include "net_peer.h"
#include "net_srv.h"

#include <sys/stat.h>

/* ---- the relay ---- */

enum { RL_INJECT = 'i', RL_TAMPER = 't' };

struct relay {
	pid_t pid;
	int port;
	int ctl;       /* commands to it */
	int ev;        /* what it saw: 'a' or 'b' (that side closed) */
	char rec[300]; /* alpha's bytes of connection N: rec.N */
};

static struct relay rl = {.pid = -1, .ctl = -1, .ev = -1};

/* Writes all of len bytes to a blocking descriptor. */
static bool
put_all(int fd, const void *b, size_t len)
{
	const uint8_t *p = b;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return false;
		}
		p += n;
		len -= (size_t) n;
	}
	return true;
}

static int
tcp_to(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t) port);
	if (fd < 0 ||
	    connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	return fd;
}

/*
 * One connection from alpha at a time, forwarded to beta's port (its
 * bytes from alpha recorded in rec.0, rec.1, ...).  A
 * command applies to the connection in progress: RL_INJECT (u32 length,
 * bytes) writes the bytes into alpha's direction once it has been idle
 * for 50 ms (between frames); RL_TAMPER flips one bit in the middle of
 * the next chunk from alpha of at least 1000 bytes.
 */
static void
relay_main(int lfd, int beta_port, int ctl, int ev, const char *rec)
{
	static uint8_t buf[1 << 16];
	static uint8_t inj[1 << 16];
	size_t inj_len = 0;
	bool tamper = false;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (int conn = 0;;) {
		char path[340];
		int a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		int b = a >= 0 ? tcp_to(beta_port) : -1;
		int rfd;
		char who = 0;

		if (a < 0) {
			_exit(1);
		}
		if (b < 0) {
			close(a);
			continue;
		}
		snprintf(path, sizeof(path), "%s.%d", rec, conn++);
		rfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		while (who == 0) {
			struct pollfd p[3] = {{.fd = a, .events = POLLIN},
			    {.fd = b, .events = POLLIN},
			    {.fd = ctl, .events = POLLIN}};
			int n = poll(p, 3, inj_len > 0 ? 50 : -1);

			if (n == 0 && inj_len > 0) {
				/* alpha idle for 50 ms: between frames */
				(void) put_all(b, inj, inj_len);
				inj_len = 0;
				continue;
			}
			if (p[2].revents & POLLIN) {
				char c;
				uint32_t l = 0;

				if (read(ctl, &c, 1) != 1) {
					_exit(0);
				}
				if (c == RL_TAMPER) {
					tamper = true;
				} else if (read(ctl, &l, 4) == 4 &&
				    l <= sizeof(inj) &&
				    read(ctl, inj, l) == (ssize_t) l) {
					inj_len = l;
				}
			}
			if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
				ssize_t k = read(a, buf, sizeof(buf));

				if (k <= 0) {
					who = 'a';
					break;
				}
				if (tamper && k >= 1000) {
					buf[k / 2] ^= 0x10;
					tamper = false;
				}
				if (rfd >= 0) {
					(void) !write(rfd, buf, (size_t) k);
				}
				if (!put_all(b, buf, (size_t) k)) {
					who = 'b';
				}
			}
			if (who == 0 &&
			    (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
				ssize_t k = read(b, buf, sizeof(buf));

				if (k <= 0 || !put_all(a, buf, (size_t) k)) {
					who = k <= 0 ? 'b' : 'a';
				}
			}
		}
		close(a);
		close(b);
		if (rfd >= 0) {
			close(rfd);
		}
		(void) !write(ev, &who, 1);
	}
}

/* Starts the relay to node k and makes node i dial k through it. */
static void
relay_start(int i, int k)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int c[2], e[2];

	ck_assert_int_ge(lfd, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lfd, 8), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *) &sa, &len), 0);
	rl.port = ntohs(sa.sin_port);
	snprintf(rl.rec, sizeof(rl.rec), "%s/rec", axn[i].rundir);
	ck_assert_int_eq(pipe2(c, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(e, O_CLOEXEC), 0);
	rl.pid = fork();
	ck_assert_int_ge(rl.pid, 0);
	if (rl.pid == 0) {
		close(c[1]);
		close(e[0]);
		relay_main(lfd, axn[k].port, c[0], e[1], rl.rec);
		_exit(0);
	}
	close(lfd);
	close(c[0]);
	close(e[1]);
	rl.ctl = c[1];
	rl.ev = e[0];
	axn[i].dial[k] = rl.port;
	axn[k].dial[i] = -1; /* k learns i when i dials it */
}

/* The next connection end the relay saw: 'a' or 'b' (the side that
 * closed first), or 0 if none came within ms.  A node that refuses a
 * TLS record sends an alert before it closes, and the other may close
 * at once on it: either side may come first. */
static char
relay_event(int ms)
{
	struct pollfd p = {.fd = rl.ev, .events = POLLIN};
	char c = 0;

	if (poll(&p, 1, (int) (ms * axn_scale())) == 1 &&
	    read(rl.ev, &c, 1) != 1) {
		c = 0;
	}
	return c;
}

static void
relay_stop(void)
{
	if (rl.pid > 0) {
		kill(rl.pid, SIGKILL);
		waitpid(rl.pid, NULL, 0);
		rl.pid = -1;
	}
	if (rl.ctl >= 0) {
		close(rl.ctl);
		close(rl.ev);
		rl.ctl = rl.ev = -1;
	}
}

static void
relay_inject(const uint8_t *b, uint32_t len)
{
	char c = RL_INJECT;

	ck_assert(put_all(rl.ctl, &c, 1));
	ck_assert(put_all(rl.ctl, &len, 4));
	ck_assert(put_all(rl.ctl, b, len));
}

static void
relay_tamper(void)
{
	char c = RL_TAMPER;

	ck_assert(put_all(rl.ctl, &c, 1));
}

/* ---- fixture ---- */

static void
tls_setup(void)
{
	axn_setup(2);
	srv_report_every = true; /* every message reaches the test */
}

static void
tls_teardown(void)
{
	relay_stop();
	axn_teardown();
}

/* ---- helpers ---- */

static bool
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* A SPAWN that creates marker on the node that runs it, as root. */
static uint32_t
spawn_frame(uint8_t *out, size_t cap, const char *marker)
{
	char data[400];
	char cmd[340];
	size_t n = 0;
	struct axon_wire_frame f;
	long len;

	snprintf(cmd, sizeof(cmd), "touch %s", marker);
	const char *strs[] = {"/", "/bin/sh", "-c", cmd};
	for (size_t i = 0; i < 4; i++) {
		memcpy(data + n, strs[i], strlen(strs[i]) + 1);
		n += strlen(strs[i]) + 1;
	}
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_SPAWN;
	f.conn = 4242;
	f.flags = AXON_WF_FIRST | AXON_WF_LAST;
	f.u.spawn.argc = 3;
	f.u.spawn.envc = 0;
	f.u.spawn.cred.ngroups = 1; /* root, in group 0 */
	f.data = (const uint8_t *) data;
	f.data_len = (uint32_t) n;
	len = axon__wire_encode(&f, out, cap);
	ck_assert_int_gt(len, 0);
	return (uint32_t) len;
}

/* Message round trip from alpha to s on beta, bounded. */
static long
status_send(int coid, int v)
{
	struct srv_cmd cmd = {.op = OP_STATUS, .a = v};
	uint64_t to = (uint64_t) (5e9 * axn_scale());

	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY,
	    NULL, &to, NULL);
	return MsgSend(coid, &cmd, sizeof(cmd), NULL, 0);
}

/* Until alpha has a session with beta and a message makes it through
 * (the session is redialled after a refused attack).  The session's
 * end took the connection with it (its client saw the server go, as
 * on QNX: EBADF), so *coid is attached again when it is gone. */
static void
talk_again(const struct axn_srv *s, int *coid, int v)
{
	double end = axt_now() + 10 * axn_scale();
	long r = -1;

	while (axt_now() < end && (r = status_send(*coid, v)) != v) {
		if (r == -1 && errno == EBADF) {
			(void) ConnectDetach(*coid);
			*coid = srv_attach(s);
			continue;
		}
		axt_sleep_ms(100);
	}
	ck_assert_msg(r == v, "no message made it after the attack: %s",
	    strerror(errno));
}

/* Counts the messages server s reported, waiting ms for more. */
static int
srv_messages(struct axn_srv *s, int ms)
{
	struct srv_report r;
	int n = 0;

	while (srv_report(s, &r, ms) == 1) {
		n += r.kind == 2;
	}
	return n;
}

/* Relay in the middle, two nodes up (extra: both nodes' options), a
 * server on beta, this process on alpha: returns its coid. */
static int
middle(struct axn_srv *s, const char *extra)
{
	relay_start(0, 1);
	snprintf(axn[0].extra, sizeof(axn[0].extra), "%s", extra);
	snprintf(axn[1].extra, sizeof(axn[1].extra), "--maproot none %s",
	    extra);
	axn_start(0);
	axn_start(1);
	*s = srv_start(1, 0);
	axn_enter(0);
	ck_assert_msg(axn_wait_state(0, 1, "up", 5000), "no session");
	int coid = srv_attach(s);
	ck_assert_int_eq(status_send(coid, 5), 5);
	ck_assert_int_eq(srv_messages(s, 100), 1);
	return coid;
}

/* ---- tests ---- */

/* 1. What crosses the wire is encrypted: a message's bytes never appear
 * in it (and with --insecure they do). */
static void
canary(const char *extra, bool want_seen)
{
	static const char mark[] = "AXON-CLEARTEXT-CANARY-7f3a9c";
	struct axn_srv s;
	struct srv_cmd *cmd;
	uint8_t msg[4096];
	uint8_t rep[4096];
	char path[340];
	static uint8_t rec[1 << 20];
	ssize_t n;
	int fd;
	int coid = middle(&s, extra);

	memset(msg, 0, sizeof(msg));
	cmd = (struct srv_cmd *) msg;
	cmd->op = OP_ECHO;
	memcpy(msg + 100, mark, sizeof(mark));
	ck_assert_int_eq(MsgSend(coid, msg, sizeof(msg), rep, sizeof(rep)),
	    sizeof(msg));
	ck_assert(memcmp(rep + 100, mark, sizeof(mark)) == 0);
	axt_sleep_ms(100);
	snprintf(path, sizeof(path), "%s.0", rl.rec);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	n = read(fd, rec, sizeof(rec));
	close(fd);
	ck_assert_int_gt(n, (ssize_t) sizeof(msg));
	ck_assert_msg((memmem(rec, (size_t) n, mark, sizeof(mark) - 1) !=
			  NULL) == want_seen,
	    "the message %s in the recorded bytes",
	    want_seen ? "is not" : "is");
	axn_srv_stop(&s);
}

START_TEST(test_tls_encrypted)
{
	canary("", false);
}
END_TEST

START_TEST(test_insecure_cleartext)
{
	canary("--insecure", true);
}
END_TEST

/* 2. A frame injected into a live session through the relay (a SPAWN
 * of a root command): with TLS it fails the record check, beta ends
 * the session, nothing runs, and the nodes talk again; with --insecure
 * the command runs. */
static void
inject(const char *extra, bool want_run)
{
	struct axn_srv s;
	uint8_t f[1024];
	char marker[300];
	int coid = middle(&s, extra);
	char who;

	snprintf(marker, sizeof(marker), "%s/injected", axn[1].rundir);
	relay_inject(f, spawn_frame(f, sizeof(f), marker));
	if (!want_run) {
		who = relay_event(3000);
		ck_assert_msg(who != 0, "the session went on");
		axt_sleep_ms((int) (500 * axn_scale()));
		ck_assert_msg(!exists(marker), "the injected command ran");
		ck_assert(kill(axn[1].pid, 0) == 0);
		ck_assert(kill(axn[0].pid, 0) == 0);
		talk_again(&s, &coid, 6);
	} else {
		for (int t = 0; t < 300 && !exists(marker); t++) {
			axt_sleep_ms(10);
		}
		ck_assert_msg(exists(marker), "the injection did not run");
	}
	axn_srv_stop(&s);
	ConnectDetach(coid);
}

START_TEST(test_tls_inject)
{
	inject("", false);
}
END_TEST

START_TEST(test_insecure_inject_runs)
{
	inject("--insecure", true);
}
END_TEST

/* 3. One bit altered in a message in flight: with TLS the record fails,
 * beta ends the session, the server never sees the message, the client
 * gets an error and later messages go through. */
START_TEST(test_tls_tamper)
{
	struct axn_srv s;
	uint8_t msg[8192] = {0};
	uint8_t rep[8192];
	struct srv_cmd *cmd = (struct srv_cmd *) msg;
	int coid = middle(&s, "");
	uint64_t to = (uint64_t) (5e9 * axn_scale());
	long r;

	cmd->op = OP_ECHO;
	relay_tamper();
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY,
	    NULL, &to, NULL);
	r = MsgSend(coid, msg, sizeof(msg), rep, sizeof(rep));
	ck_assert_msg(r == -1 && (errno == EHOSTUNREACH || errno == EHOSTDOWN),
	    "the altered message returned %ld (%s)", r,
	    r < 0 ? strerror(errno) : "no error");
	ck_assert_msg(relay_event(3000) != 0, "the session went on");
	ck_assert_int_eq(srv_messages(&s, 200), 0);
	talk_again(&s, &coid, 7);
	axn_srv_stop(&s);
	ConnectDetach(coid);
}
END_TEST

/* 4. A recorded session played again to beta (alpha gone): the TLS
 * handshake fails, nothing reaches the server, and no session with
 * "alpha" comes up. */
START_TEST(test_tls_replay)
{
	static uint8_t rec[1 << 20];
	struct axn_srv s;
	char path[340];
	uint8_t junk[4096];
	ssize_t n;
	int fd;
	int coid = middle(&s, "");
	double end;

	ConnectDetach(coid);
	axn_kill(0, SIGKILL);
	ck_assert_int_eq(relay_event(3000), 'a');
	ck_assert(axn_wait_state(1, 0, "down", 5000));
	(void) srv_messages(&s, 100); /* the disconnect, if any */
	snprintf(path, sizeof(path), "%s.0", rl.rec);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	n = read(fd, rec, sizeof(rec));
	close(fd);
	ck_assert_int_gt(n, 200);
	fd = raw_connect(1);
	(void) raw_write(fd, rec, (size_t) n);
	end = axt_now() + 3 * axn_scale();
	for (;;) {
		ssize_t k = raw_recv(fd, junk, sizeof(junk), 50);

		ck_assert_msg(!axn_wait_state(1, 0, "up", 1),
		    "the replayed session came up");
		if (k == 0 || (k < 0 && errno != EAGAIN)) {
			break;
		}
		ck_assert_msg(axt_now() < end, "beta kept the replay open");
	}
	raw_close(fd);
	ck_assert_int_eq(srv_messages(&s, 300), 0);
	ck_assert(kill(axn[1].pid, 0) == 0);
	axn_srv_stop(&s);
}
END_TEST

/* 5. A node that runs --insecure and one that runs TLS never talk (and
 * both stay up); the client is released with EHOSTDOWN. */
START_TEST(test_tls_against_insecure)
{
	struct axn_srv s;

	snprintf(axn[1].extra, sizeof(axn[1].extra), "--insecure");
	int coid = two_nodes(&s, 0);
	long r = status_send(coid, 3);

	ck_assert_int_eq(r, -1);
	ck_assert_msg(errno == EHOSTDOWN, "released with %s", strerror(errno));
	ck_assert(!axn_wait_state(0, 1, "up", 500));
	ck_assert_int_eq(srv_messages(&s, 100), 0);
	ck_assert(kill(axn[0].pid, 0) == 0);
	ck_assert(kill(axn[1].pid, 0) == 0);
	axn_srv_stop(&s);
}
END_TEST

/* ---- certificates ---- */

static char pki[64];

/* A CA (name) and, signed by it, a certificate for each node name in
 * nodes ("alpha beta"), in the test's secret directory. */
static void
pki_make(const char *ca, const char *nodes)
{
	char cmd[2048];
	char dummy[300];

	axn_secret_write(dummy, sizeof(dummy), "dummy", "x"); /* the dir */
	snprintf(pki, sizeof(pki), "%s", axn_secret_dir);
	snprintf(cmd, sizeof(cmd),
	    "set -e; cd %s; "
	    "[ -f %s.crt ] || openssl req -x509 -newkey ec "
	    "-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout %s.key "
	    "-out %s.crt -subj /CN=%s -days 2 2>/dev/null; "
	    "for n in %s; do "
	    "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	    "-keyout $n.key -out $n.csr -subj /CN=$n 2>/dev/null; "
	    "printf 'subjectAltName=DNS:%%s\\n' $n > $n.ext; "
	    "openssl x509 -req -in $n.csr -CA %s.crt -CAkey %s.key "
	    "-CAcreateserial -out $n.crt -days 2 -extfile $n.ext "
	    "2>/dev/null; done",
	    pki, ca, ca, ca, ca, nodes, ca, ca);
	ck_assert_int_eq(system(cmd), 0);
}

/* Node i uses the certificate of node cert, signed by ca. */
static void
pki_use(int i, const char *cert, const char *ca, const char *more)
{
	axn[i].secret[0] = '\0';
	snprintf(axn[i].extra, sizeof(axn[i].extra),
	    "--cert %s/%s.crt --key %s/%s.key --ca %s/%s.crt %s", pki, cert,
	    pki, cert, pki, ca, more);
}

static bool
have_openssl(void)
{
	if (system("openssl version >/dev/null 2>&1") != 0) {
		fprintf(stderr, "certificates: skipped: no openssl(1)\n");
		return false;
	}
	return true;
}

/* 6. A cluster keyed by certificates of one CA, no secret: the nodes
 * talk. */
START_TEST(test_certs)
{
	struct axn_srv s;

	if (!have_openssl()) {
		return;
	}
	pki_make("ca", "alpha beta");
	pki_use(0, "alpha", "ca", "");
	pki_use(1, "beta", "ca", "");
	int coid = two_nodes(&s, 0);

	ck_assert_int_eq(status_send(coid, 9), 9);
	axn_srv_stop(&s);
}
END_TEST

/* 7. A certificate of another CA, and one of the cluster's CA that
 * names another node, are refused. */
START_TEST(test_certs_refused)
{
	struct axn_srv s;

	if (!have_openssl()) {
		return;
	}
	pki_make("ca", "alpha gamma");
	pki_make("evil", "beta");
	pki_use(0, "alpha", "ca", "");
	/* beta's certificate comes from another CA (which it trusts). */
	pki_use(1, "beta", "evil", "");
	int coid = two_nodes(&s, 0);

	ck_assert_int_eq(status_send(coid, 1), -1);
	ck_assert_int_eq(errno, EHOSTDOWN);
	ck_assert(!axn_wait_state(0, 1, "up", 300));
	axn_srv_stop(&s);
	ConnectDetach(coid);
	axn_kill(1, SIGTERM);

	/* beta now holds gamma's certificate, from the right CA. */
	pki_use(1, "gamma", "ca", "");
	axn_start(1);
	s = srv_start(1, 0);
	axn_enter(0);
	coid = srv_attach(&s);
	ck_assert_int_eq(status_send(coid, 1), -1);
	ck_assert_int_eq(errno, EHOSTDOWN);
	ck_assert(!axn_wait_state(0, 1, "up", 300));
	ck_assert_int_eq(srv_messages(&s, 100), 0);
	ck_assert(kill(axn[0].pid, 0) == 0);
	ck_assert(kill(axn[1].pid, 0) == 0);
	axn_srv_stop(&s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = axt_tcase("tls", 60);

	tcase_add_unchecked_fixture(tc, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(tc, tls_setup, tls_teardown);
	tcase_add_test(tc, test_tls_encrypted);
	tcase_add_test(tc, test_insecure_cleartext);
	tcase_add_test(tc, test_tls_inject);
	tcase_add_test(tc, test_insecure_inject_runs);
	tcase_add_test(tc, test_tls_tamper);
	tcase_add_test(tc, test_tls_replay);
	tcase_add_test(tc, test_tls_against_insecure);
	tcase_add_test(tc, test_certs);
	tcase_add_test(tc, test_certs_refused);
	suite_add_tcase(s, tc);
	return axt_run(s);
}
