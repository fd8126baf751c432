/* SPDX-License-Identifier: MIT */
/*
 * The SEND-blocked state across nodes (issue 10, item 5): a client on
 * another node is SEND-blocked until the remote server receives its
 * message.  A TimerTimeout on _NTO_TIMEOUT_SEND alone ends the call with
 * ETIMEDOUT while the server has not received it (and the server never
 * sees it); once received, only the REPLY rules apply; a REPLY timeout
 * does not end the call before the server receives; axon ps shows the
 * client SEND- then REPLY-blocked; the server dying and the link going
 * release a SEND-blocked client.  Real axonds on loopback (net_test.h),
 * a one-thread server on beta (net_srv.h), clients forked on alpha.
 */
#include "net_srv.h"
#include "psinfo.h"

#include <stdint.h>
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

/* A client process on alpha: connects to s, arms TimerTimeout(flags, ns)
 * unless flags is 0, sends cmd and writes the outcome to its pipe. */
struct bg {
	pid_t pid;
	int rfd;
};

struct bgres {
	long ret;
	int err;
	double secs; /* how long MsgSend took */
};

static struct bg
bg_send(const struct axn_srv *s, struct srv_cmd cmd, int flags, uint64_t ns)
{
	struct bg b;
	int p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	b.pid = fork();
	ck_assert_int_ge(b.pid, 0);
	if (b.pid == 0) {
		struct bgres r = {0};

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		axn_enter(0);
		int coid = ConnectAttach((uint32_t) axn_nd(0, 1), s->pid,
		    s->chid, _NTO_SIDE_CHANNEL, 0);

		if (coid < 0) {
			r.ret = -2;
			r.err = errno;
		} else {
			double t0 = axt_now();

			if (flags != 0) {
				(void) TimerTimeout(CLOCK_MONOTONIC, flags,
				    NULL, &ns, NULL);
			}
			r.ret = MsgSend(coid, &cmd, sizeof(cmd), NULL, 0);
			r.err = errno;
			r.secs = axt_now() - t0;
		}
		(void) !write(p[1], &r, sizeof(r));
		_exit(0);
	}
	close(p[1]);
	b.rfd = p[0];
	return b;
}

/* The outcome (bounded by ms); ret -3 if none came. */
static struct bgres
bg_result(struct bg *b, int ms)
{
	struct bgres r = {.ret = -3};
	struct pollfd pfd = {.fd = b->rfd, .events = POLLIN};

	if (poll(&pfd, 1, (int) (ms * axn_scale())) == 1) {
		(void) !read(b->rfd, &r, sizeof(r));
	}
	return r;
}

static void
bg_end(struct bg *b)
{
	close(b->rfd);
	(void) kill(b->pid, SIGKILL);
	(void) waitpid(b->pid, NULL, 0);
}

/* The state axon ps shows for thread tid of pid on node i, or -1. */
static int
ps_state(int i, pid_t pid)
{
	struct axon_ps_list l;
	int st = -1;

	if (axon__ps_collect(axn[i].rundir, pid, &l) != 0) {
		return -1;
	}
	for (size_t k = 0; k < l.n; k++) {
		for (size_t t = 0; l.procs[k].pid == pid &&
		     t < l.procs[k].nthreads; t++) {
			if (l.procs[k].threads[t].tid == pid) {
				st = l.procs[k].threads[t].state;
			}
		}
	}
	axon__ps_free(&l);
	return st;
}

static bool
wait_ps(int i, pid_t pid, int state)
{
	double end = axt_now() + 10 * axn_scale();

	do {
		if (ps_state(i, pid) == state) {
			return true;
		}
		axt_sleep_ms(5);
	} while (axt_now() < end);
	return false;
}

/* Two nodes, a server on beta; nothing on alpha but axond. */
static struct axn_srv
start(int chflags)
{
	axn_start(0);
	axn_start(1);
	ck_assert(axn_wait_state(0, 1, "up", 10000));
	axn_enter(0);
	return srv_start(1, chflags);
}

/* The server is busy with another client's message for busy_ms (it
 * reports it took it). */
static struct bg
keep_busy(struct axn_srv *s, int busy_ms)
{
	struct srv_cmd slow = {.op = OP_SLOW, .a = busy_ms};
	struct srv_report r;
	struct bg b = bg_send(s, slow, 0, 0);

	ck_assert(srv_report(s, &r, 10000));
	ck_assert_int_eq(r.kind, 2);
	ck_assert_int_eq(r.code, OP_SLOW);
	return b;
}

/* SEND-only timeout while the remote server has not received: ETIMEDOUT
 * at the timeout (not when the server gets to it), and the server never
 * sees the message. */
START_TEST(test_send_timeout_not_received)
{
	struct axn_srv s;
	struct srv_cmd hold = {.op = OP_HOLD};
	struct srv_report r;
	struct bg busy, c;
	struct bgres res;

	srv_report_every = true;
	s = start(0);
	busy = keep_busy(&s, 3000);
	c = bg_send(&s, hold, _NTO_TIMEOUT_SEND, 300000000ull);
	res = bg_result(&c, 10000);
	ck_assert_int_eq(res.ret, -1);
	ck_assert_int_eq(res.err, ETIMEDOUT);
	ck_assert_msg(res.secs < 2.5, "released after %.2f s", res.secs);
	ck_assert_int_eq(bg_result(&busy, 10000).ret, 0);
	/* The withdrawn message never reached the server. */
	ck_assert(!srv_report(&s, &r, 500));
	bg_end(&c);
	bg_end(&busy);
	axn_srv_stop(&s);
}
END_TEST

/* SEND-only timeout, message received in time: the timeout no longer
 * applies; the call ends with the reply, long after. */
START_TEST(test_send_timeout_received)
{
	struct axn_srv s;
	struct srv_cmd slow = {.op = OP_SLOW, .a = 1200};
	struct bg c;
	struct bgres res;

	s = start(0);
	c = bg_send(&s, slow, _NTO_TIMEOUT_SEND, 300000000ull);
	res = bg_result(&c, 10000);
	ck_assert_int_eq(res.ret, 0);
	ck_assert_msg(res.secs > 1.1, "returned after %.2f s", res.secs);
	bg_end(&c);
	axn_srv_stop(&s);
}
END_TEST

/* SEND-only timeout on a message the server holds: it stays blocked past
 * the timeout (REPLY rules: nothing), until the server dies (ESRCH). */
START_TEST(test_send_timeout_received_server_dies)
{
	struct axn_srv s;
	struct srv_cmd hold = {.op = OP_HOLD};
	struct srv_report r;
	struct bg c;
	struct bgres res;

	s = start(0);
	c = bg_send(&s, hold, _NTO_TIMEOUT_SEND, 200000000ull);
	ck_assert(srv_report(&s, &r, 10000));
	ck_assert_int_eq(r.kind, 1);
	ck_assert(wait_ps(0, c.pid, AXON_PS_REPLY));
	res = bg_result(&c, 800); /* 4 times the timeout: still blocked */
	ck_assert_int_eq(res.ret, -3);
	axn_srv_stop(&s);
	res = bg_result(&c, 10000);
	ck_assert_int_eq(res.ret, -1);
	ck_assert_int_eq(res.err, ESRCH);
	bg_end(&c);
}
END_TEST

/* A REPLY-only timeout that expires while the message waits for the
 * remote server ends the call only once the server has received it. */
START_TEST(test_reply_timeout_waits_for_receive)
{
	struct axn_srv s;
	struct srv_cmd hold = {.op = OP_HOLD};
	struct srv_report r;
	struct bg busy, c;
	struct bgres res;

	srv_report_every = true;
	s = start(0);
	busy = keep_busy(&s, 1500);
	c = bg_send(&s, hold, _NTO_TIMEOUT_REPLY, 300000000ull);
	res = bg_result(&c, 10000);
	ck_assert_int_eq(res.ret, -1);
	ck_assert_int_eq(res.err, ETIMEDOUT);
	ck_assert_msg(res.secs > 1.0, "released after %.2f s, before the "
	    "server received", res.secs);
	/* The server did receive it (and holds it, abandoned). */
	ck_assert(srv_report(&s, &r, 5000));
	ck_assert_int_eq(r.kind, 1);
	ck_assert_int_eq(bg_result(&busy, 10000).ret, 0);
	bg_end(&c);
	bg_end(&busy);
	axn_srv_stop(&s);
}
END_TEST

/* axon ps on the client's node: SEND-blocked while the remote server is
 * busy, REPLY-blocked once it has received the message. */
START_TEST(test_ps_send_then_reply)
{
	struct axn_srv s;
	struct srv_cmd hold = {.op = OP_HOLD};
	struct srv_report r;
	struct bg busy, c;

	srv_report_every = true;
	s = start(0);
	busy = keep_busy(&s, 1500);
	c = bg_send(&s, hold, 0, 0);
	ck_assert_msg(wait_ps(0, c.pid, AXON_PS_SEND), "not SEND-blocked "
	    "(state %d)", ps_state(0, c.pid));
	ck_assert(srv_report(&s, &r, 10000)); /* the server took it */
	ck_assert_int_eq(r.kind, 1);
	ck_assert_msg(wait_ps(0, c.pid, AXON_PS_REPLY), "not REPLY-blocked "
	    "(state %d)", ps_state(0, c.pid));
	ck_assert_int_eq(bg_result(&busy, 10000).ret, 0);
	bg_end(&c);
	bg_end(&busy);
	axn_srv_stop(&s);
}
END_TEST

/* A SEND-blocked remote client whose server dies: ESRCH. */
START_TEST(test_send_blocked_server_dies)
{
	struct axn_srv s;
	struct srv_cmd hold = {.op = OP_HOLD};
	struct bg busy, c;
	struct bgres res;

	srv_report_every = true;
	s = start(0);
	busy = keep_busy(&s, 20000);
	c = bg_send(&s, hold, _NTO_TIMEOUT_SEND, 20000000000ull);
	ck_assert(wait_ps(0, c.pid, AXON_PS_SEND));
	axn_srv_stop(&s);
	res = bg_result(&c, 10000);
	ck_assert_int_eq(res.ret, -1);
	ck_assert_int_eq(res.err, ESRCH);
	bg_end(&c);
	bg_end(&busy);
}
END_TEST

/* The link goes (the server's axond dies) while the client is SEND-blocked,
 * and while it is REPLY-blocked: released either way. */
START_TEST(test_link_lost)
{
	struct axn_srv s;
	struct srv_cmd hold = {.op = OP_HOLD};
	struct srv_report r;
	struct bg busy, c, c2;
	struct bgres res;

	srv_report_every = true;
	s = start(0);
	c2 = bg_send(&s, hold, _NTO_TIMEOUT_SEND, 20000000000ull);
	ck_assert(srv_report(&s, &r, 10000));
	ck_assert_int_eq(r.kind, 1);
	ck_assert(wait_ps(0, c2.pid, AXON_PS_REPLY));
	busy = keep_busy(&s, 20000);
	c = bg_send(&s, hold, _NTO_TIMEOUT_SEND, 20000000000ull);
	ck_assert(wait_ps(0, c.pid, AXON_PS_SEND));
	axn_kill(1, SIGKILL);
	res = bg_result(&c, 10000);
	ck_assert_int_eq(res.ret, -1);
	ck_assert_msg(res.err == EHOSTDOWN || res.err == EHOSTUNREACH,
	    "SEND-blocked: released with %s", strerror(res.err));
	res = bg_result(&c2, 10000);
	ck_assert_int_eq(res.ret, -1);
	ck_assert_msg(res.err == EHOSTDOWN || res.err == EHOSTUNREACH,
	    "REPLY-blocked: released with %s", strerror(res.err));
	bg_end(&c);
	bg_end(&c2);
	bg_end(&busy);
	axn_srv_stop(&s);
}
END_TEST

/* The client's own node's axond dies while it is SEND-blocked on a
 * remote server (its SEND timeout far off): EHOSTDOWN at once. */
START_TEST(test_own_axond_dies)
{
	struct axn_srv s;
	struct srv_cmd hold = {.op = OP_HOLD};
	struct bg busy, c;
	struct bgres res;

	srv_report_every = true;
	s = start(0);
	busy = keep_busy(&s, 20000);
	c = bg_send(&s, hold, _NTO_TIMEOUT_SEND, 20000000000ull);
	ck_assert(wait_ps(0, c.pid, AXON_PS_SEND));
	axn_kill(0, SIGKILL);
	res = bg_result(&c, 10000);
	ck_assert_int_eq(res.ret, -1);
	ck_assert_msg(res.err == EHOSTDOWN, "released with %s",
	    strerror(res.err));
	ck_assert(res.secs < 15.0);
	bg_end(&c);
	bg_end(&busy);
	axn_srv_stop(&s);
}
END_TEST

/* Both states armed (the usual TimerTimeout): unchanged -- a message the
 * server has received is abandoned at the timeout. */
START_TEST(test_send_reply_timeout_received)
{
	struct axn_srv s;
	struct srv_cmd hold = {.op = OP_HOLD};
	struct srv_report r;
	struct bg c;
	struct bgres res;

	s = start(0);
	c = bg_send(&s, hold, _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY,
	    400000000ull);
	ck_assert(srv_report(&s, &r, 10000));
	ck_assert_int_eq(r.kind, 1);
	res = bg_result(&c, 10000);
	ck_assert_int_eq(res.ret, -1);
	ck_assert_int_eq(res.err, ETIMEDOUT);
	ck_assert(res.secs < 3.0);
	bg_end(&c);
	axn_srv_stop(&s);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("netsend");
	TCase *tc = axt_tcase("netsend", 60);

	tcase_add_unchecked_fixture(tc, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(tc, net_setup, net_teardown);
	tcase_add_test(tc, test_send_timeout_not_received);
	tcase_add_test(tc, test_send_timeout_received);
	tcase_add_test(tc, test_send_timeout_received_server_dies);
	tcase_add_test(tc, test_reply_timeout_waits_for_receive);
	tcase_add_test(tc, test_ps_send_then_reply);
	tcase_add_test(tc, test_send_blocked_server_dies);
	tcase_add_test(tc, test_link_lost);
	tcase_add_test(tc, test_own_axond_dies);
	tcase_add_test(tc, test_send_reply_timeout_received);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(suite());
}
