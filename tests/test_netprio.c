/* SPDX-License-Identifier: MIT */
/*
 * Priorities across nodes (issue 10, item 5): the client's priority, its
 * real-time bit included, travels with the message; the receiving thread
 * on the server's node takes it on (unless _NTO_CHF_FIXED_PRIORITY); and
 * the send-time boost travels too: a remote real-time client's waiting
 * message raises the busy server thread.  Real axonds on loopback
 * (net_test.h), a one-thread server on beta, clients forked on alpha.
 */
#include "net_test.h"

#include <sched.h>
#include <stdint.h>
#include <sys/prctl.h>

/* A message: 'P' asks who the server saw and at what priority it runs;
 * 'H' keeps the server busy (not RECEIVE-blocked) until its own thread
 * runs at priority >= a, or 5 s have passed. */
struct pmsg {
	char op;
	int a;
};

struct pans {
	int info_prio; /* _msg_info.priority */
	int rt_prio;   /* the server thread's FIFO/RR priority, 0: none */
	int waited_ms; /* 'H': how long it waited for its boost */
};

static int
rt_prio_of(pid_t tid)
{
	struct sched_param sp;
	int pol = sched_getscheduler(tid);

	if ((pol != SCHED_FIFO && pol != SCHED_RR) ||
	    sched_getparam(tid, &sp) != 0) {
		return 0;
	}
	return sp.sched_priority;
}

/* arg: the channel flags. */
static void
psrv_main(int wfd, void *arg)
{
	int chid = ChannelCreate(*(const int *) arg);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (write(wfd, &chid, sizeof(chid)) != sizeof(chid)) {
		_exit(1);
	}
	for (;;) {
		struct _msg_info info;
		struct pmsg m = {0};
		struct pans a = {0};
		rcvid_t r = MsgReceive(chid, &m, sizeof(m), &info);

		if (r < 0) {
			_exit(2);
		}
		if (r == 0) {
			continue;
		}
		a.info_prio = info.priority;
		if (m.op == 'H') {
			/* Tell the test we are busy, then wait for the boost. */
			int one = 1;

			(void) !write(wfd, &one, sizeof(one));
			double t0 = axt_now();

			while (rt_prio_of(0) < m.a && axt_now() - t0 < 5.0) {
				axt_sleep_ms(1);
			}
			a.waited_ms = (int) ((axt_now() - t0) * 1000);
		}
		a.rt_prio = rt_prio_of(0);
		(void) MsgReply(r, 0, &a, sizeof(a));
	}
}

/* A client on alpha, forked: SCHED_FIFO rt (0: ordinary), sends m to
 * the server on beta and writes the answer (and MsgSend's result) to
 * its pipe. */
struct cli {
	pid_t pid;
	int rfd;
};

struct cres {
	long ret;
	int err;
	struct pans a;
};

static struct cli
cli_send(const struct axn_srv *s, int rt, struct pmsg m)
{
	struct cli c;
	int p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		struct cres res = {0};
		struct sched_param sp = {.sched_priority = rt};

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		if (rt > 0 && sched_setscheduler(0, SCHED_FIFO, &sp) != 0) {
			_exit(77);
		}
		axn_enter(0);
		int coid = ConnectAttach((uint32_t) axn_nd(0, 1), s->pid,
		    s->chid, _NTO_SIDE_CHANNEL, 0);

		res.ret = coid < 0 ? -1
				   : MsgSend(coid, &m, sizeof(m), &res.a,
					 sizeof(res.a));
		res.err = errno;
		(void) !write(p[1], &res, sizeof(res));
		_exit(0);
	}
	close(p[1]);
	c.rfd = p[0];
	return c;
}

static struct cres
cli_result(struct cli *c)
{
	struct cres res = {.ret = -2};
	struct pollfd pfd = {.fd = c->rfd, .events = POLLIN};

	if (poll(&pfd, 1, (int) (20000 * axn_scale())) == 1) {
		(void) !read(c->rfd, &res, sizeof(res));
	}
	close(c->rfd);
	(void) kill(c->pid, SIGKILL);
	(void) waitpid(c->pid, NULL, 0);
	ck_assert_msg(res.ret >= 0, "client: %ld, %s", res.ret,
	    strerror(res.err));
	return res;
}

static struct axn_srv
start(int chflags)
{
	axn_start(0);
	axn_start(1);
	ck_assert(axn_wait_state(0, 1, "up", 10000));
	return axn_srv_start(1, psrv_main, &chflags);
}

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

/* Inheritance: the receiving thread takes on the remote client's
 * priority, FIFO 10 included (the real-time bit travels), and an
 * ordinary client's leaves it at its own. */
START_TEST(test_remote_inherit)
{
	struct axn_srv s = start(0);
	struct pmsg m = {'P', 0};
	struct cli c;
	struct cres r;

	c = cli_send(&s, 30, m);
	r = cli_result(&c);
	ck_assert_int_eq(r.a.info_prio, 30);
	ck_assert_int_eq(r.a.rt_prio, 30);
	c = cli_send(&s, 0, m);
	r = cli_result(&c);
	ck_assert_int_eq(r.a.info_prio, 10);
	ck_assert_int_eq(r.a.rt_prio, 0);
	c = cli_send(&s, 10, m); /* SCHED_FIFO 10 is not SCHED_OTHER */
	r = cli_result(&c);
	ck_assert_int_eq(r.a.info_prio, 10);
	ck_assert_int_eq(r.a.rt_prio, 10);
	c = cli_send(&s, 45, m);
	r = cli_result(&c);
	ck_assert_int_eq(r.a.info_prio, 45);
	ck_assert_int_eq(r.a.rt_prio, 45);
	axn_srv_stop(&s);
}
END_TEST

/* _NTO_CHF_FIXED_PRIORITY: the priority is reported, not taken on. */
START_TEST(test_remote_fixed_priority)
{
	struct axn_srv s = start(_NTO_CHF_FIXED_PRIORITY);
	struct pmsg m = {'P', 0};
	struct cli c = cli_send(&s, 30, m);
	struct cres r = cli_result(&c);

	ck_assert_int_eq(r.a.info_prio, 30);
	ck_assert_int_eq(r.a.rt_prio, 0);
	axn_srv_stop(&s);
}
END_TEST

/* The boost travels: the server thread, busy with an ordinary remote
 * client's message, is raised to 30 by a remote SCHED_FIFO 30 client's
 * message waiting behind it, and then handles that one at 30. */
START_TEST(test_remote_boost)
{
	struct axn_srv s = start(0);
	struct pmsg p = {'P', 0};
	struct pmsg h = {'H', 30};
	struct cli c0, busy, rt;
	struct cres r;
	int one;

	/* A first message, so that the server thread has received. */
	c0 = cli_send(&s, 0, p);
	(void) cli_result(&c0);
	busy = cli_send(&s, 0, h);
	ck_assert(axn_srv_read(&s, &one, sizeof(one), 20000));
	rt = cli_send(&s, 30, p);
	r = cli_result(&busy);
	ck_assert_int_eq(r.a.info_prio, 10);
	ck_assert_msg(r.a.rt_prio == 30, "not boosted (waited %d ms)",
	    r.a.waited_ms);
	r = cli_result(&rt);
	ck_assert_int_eq(r.a.info_prio, 30);
	ck_assert_int_eq(r.a.rt_prio, 30);
	/* And an ordinary message after: its own priority again. */
	c0 = cli_send(&s, 0, p);
	r = cli_result(&c0);
	ck_assert_int_eq(r.a.rt_prio, 0);
	axn_srv_stop(&s);
}
END_TEST

/* No boost under _NTO_CHF_FIXED_PRIORITY, across nodes either: the busy
 * server waits its 5 s out unboosted. */
START_TEST(test_remote_boost_fixed)
{
	struct axn_srv s = start(_NTO_CHF_FIXED_PRIORITY);
	struct pmsg p = {'P', 0};
	struct pmsg h = {'H', 30};
	struct cli c0, busy, rt;
	struct cres r;
	int one;

	c0 = cli_send(&s, 0, p);
	(void) cli_result(&c0);
	busy = cli_send(&s, 0, h);
	ck_assert(axn_srv_read(&s, &one, sizeof(one), 20000));
	rt = cli_send(&s, 30, p);
	r = cli_result(&busy);
	ck_assert_int_eq(r.a.rt_prio, 0);
	ck_assert_int_ge(r.a.waited_ms, 4900);
	r = cli_result(&rt);
	ck_assert_int_eq(r.a.info_prio, 30);
	ck_assert_int_eq(r.a.rt_prio, 0);
	axn_srv_stop(&s);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("netprio");
	TCase *tc = axt_tcase("netprio", 60);

	tcase_add_unchecked_fixture(tc, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(tc, net_setup, net_teardown);
	tcase_add_test(tc, test_remote_inherit);
	tcase_add_test(tc, test_remote_fixed_priority);
	tcase_add_test(tc, test_remote_boost);
	tcase_add_test(tc, test_remote_boost_fixed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(suite());
}
