/* SPDX-License-Identifier: MIT */
/*
 * The network manager's event-loop SPI (src/lib/netloop.c) on its own,
 * with real client processes: the channel's descriptor is readable
 * exactly when something may be taken, axon__net_receive() never
 * blocks, takes messages and pulses, says -EAGAIN when nothing waits,
 * and copes with a client that dies while its message is queued.  (The
 * virtual-connection half, axon__vconn_watch()/axon__vconn_event(),
 * needs axond's own virtual connections and is exercised by test_net
 * and test_netfault through a real axond.)
 */
#define _GNU_SOURCE
#include <poll.h>

#include "axon_test.h"
#include "internal.h"

/* Whether fd becomes readable within ms. */
static bool
readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* Takes one message or pulse as a loop would: poll, then receive until
 * something comes or the bound passes.  Returns the rcvid, or -ETIME. */
static rcvid_t
take(int chid, int fd, void *buf, size_t n, struct _msg_info *info,
    int ms)
{
	double end = axt_now() + ms / 1e3;
	bool more;

	while (axt_now() < end) {
		rcvid_t r = axon__net_receive(chid, buf, n, info, &more);

		if (r != -EAGAIN) {
			return r;
		}
		(void) readable(fd, 50);
	}
	return -ETIME;
}

START_TEST(test_errors_and_empty)
{
	int chid = ChannelCreate(0);
	char buf[64];
	struct _msg_info info;
	bool more = true;
	int fd;

	ck_assert_int_eq(axon__net_chan_fd(9999), -ESRCH);
	ck_assert_int_lt(axon__net_receive(9999, buf, sizeof(buf), &info,
			     &more), 0);
	ck_assert(!more);
	ck_assert_int_ge(chid, 0);
	fd = axon__net_chan_fd(chid);
	ck_assert_int_ge(fd, 0);
	/* Nothing queued: not readable, and the receive does not wait. */
	ck_assert(!readable(fd, 0));
	double t0 = axt_now();

	ck_assert_int_eq(axon__net_receive(chid, buf, sizeof(buf), &info,
			     &more), -EAGAIN);
	ck_assert(!more);
	/* (A receive that waited would wait for ever: the bound is not a
	 * measure, and a loaded machine may take a second.) */
	ck_assert_msg(axt_now() - t0 < 5.0, "the receive waited");
	/* Asked again: the same descriptor. */
	ck_assert_int_eq(axon__net_chan_fd(chid), fd);
	ck_assert_int_eq(ChannelDestroy(chid), 0);
	ck_assert_int_eq(axon__net_chan_fd(chid), -ESRCH);
}
END_TEST

struct target {
	pid_t pid;
	int chid;
};

static void
pulser(int rep, void *arg)
{
	const struct target *t = arg;
	int coid = ConnectAttach(0, t->pid, t->chid, _NTO_SIDE_CHANNEL, 0);

	axt_report(rep, coid >= 0 && MsgSendPulse(coid, 10, 7, 1234) == 0
		? 0
		: -errno);
	for (;;) {
		pause();
	}
}

/* A pulse from another process (queued by the monitor thread): the
 * descriptor becomes readable, the receive takes it, and then nothing. */
START_TEST(test_pulse_wakes)
{
	struct target t = {getpid(), ChannelCreate(0)};
	struct axt_child c;
	struct _pulse p;
	struct _msg_info info;
	bool more;
	int fd;

	fd = axon__net_chan_fd(t.chid);
	ck_assert_int_ge(fd, 0);
	c = axt_spawn(pulser, &t);
	ck_assert_int_eq(c.val, 0);
	ck_assert_msg(readable(fd, 5000), "the pulse did not wake the fd");
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(take(t.chid, fd, &p, sizeof(p), &info, 5000), 0);
	ck_assert_int_eq(p.code, 7);
	ck_assert_int_eq(p.value.sival_int, 1234);
	ck_assert_int_eq(axon__net_receive(t.chid, &p, sizeof(p), &info,
			     &more), -EAGAIN);
	axt_child_kill(&c);
}
END_TEST

static void
sender(int rep, void *arg)
{
	const struct target *t = arg;
	int coid = ConnectAttach(0, t->pid, t->chid, _NTO_SIDE_CHANNEL, 0);
	int v = getpid(), r = 0;

	if (coid < 0 || MsgSend(coid, &v, sizeof(v), &r, sizeof(r)) != 0) {
		axt_report(rep, -errno);
	} else {
		axt_report(rep, r == v + 1 ? 1 : -1000);
	}
	_exit(0);
}

/* Several blocked senders: a loop of poll-then-receive takes every
 * message (each with its sender's pid in the info), replies reach them,
 * and afterwards the channel is empty. */
START_TEST(test_messages_batch)
{
	enum { N = 6 };
	struct target t = {getpid(), ChannelCreate(0)};
	struct axt_child c[N];
	int fd = axon__net_chan_fd(t.chid);
	bool more;

	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < N; i++) {
		int p[2];

		/* (axt_spawn waits for the first report, which comes after
		 * the reply: start them by hand.) */
		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
		c[i].pid = fork();
		ck_assert_int_ge(c[i].pid, 0);
		if (c[i].pid == 0) {
			(void) close(p[0]);
			sender(p[1], &t);
		}
		(void) close(p[1]);
		c[i].val = p[0]; /* the report's pipe, read below */
	}
	for (int got = 0; got < N; got++) {
		struct _msg_info info;
		int v = 0;
		rcvid_t r = take(t.chid, fd, &v, sizeof(v), &info, 10000);

		ck_assert_int_gt(r, 0);
		ck_assert_int_eq(v, info.pid);
		v++;
		ck_assert_int_eq(MsgReply(r, 0, &v, sizeof(v)), 0);
	}
	for (int i = 0; i < N; i++) {
		int res = 0;

		ck_assert_int_eq(read(c[i].val, &res, sizeof(res)),
		    sizeof(res));
		ck_assert_int_eq(res, 1);
		(void) close(c[i].val);
		ck_assert_int_ne(axt_child_wait(&c[i], 5), -1);
	}
	ck_assert_int_eq(axon__net_receive(t.chid, &t, sizeof(t), NULL,
			     &more), -EAGAIN);
}
END_TEST

static void
blocked_sender(int rep, void *arg)
{
	const struct target *t = arg;
	int coid = ConnectAttach(0, t->pid, t->chid, _NTO_SIDE_CHANNEL, 0);
	int v = 1;

	axt_report(rep, coid);
	(void) MsgSend(coid, &v, sizeof(v), NULL, 0);
	_exit(0);
}

/* A client that dies with its message queued and not yet taken: the
 * loop takes either nothing or the message (whose reply goes nowhere);
 * it never blocks, and the channel ends empty. */
START_TEST(test_sender_dies_queued)
{
	struct target t = {getpid(), ChannelCreate(0)};
	int fd = axon__net_chan_fd(t.chid);
	struct axt_child c;
	double end;
	bool more;
	int v;

	ck_assert_int_ge(fd, 0);
	c = axt_spawn(blocked_sender, &t);
	ck_assert_int_ge(c.val, 0);
	ck_assert(readable(fd, 5000));
	axt_child_kill(&c);
	end = axt_now() + 5.0;
	while (axt_now() < end) {
		struct _msg_info info;
		rcvid_t r = axon__net_receive(t.chid, &v, sizeof(v), &info,
		    &more);

		if (r > 0) {
			/* (The death is seen asynchronously: the reply may
			 * still find the slot, or find it gone.) */
			int rc = MsgReply_r(r, 0, NULL, 0);

			ck_assert_msg(rc == 0 || rc == -ESRCH, "reply: %d", rc);
		} else if (r == -EAGAIN && !readable(fd, 100)) {
			break;
		}
	}
	ck_assert_int_eq(axon__net_receive(t.chid, &v, sizeof(v), NULL,
			     &more), -EAGAIN);
}
END_TEST

static Suite *
netloop_suite(void)
{
	Suite *s = suite_create("netloop");
	TCase *tc = axt_tcase("spi", 30);

	tcase_add_test(tc, test_errors_and_empty);
	tcase_add_test(tc, test_pulse_wakes);
	tcase_add_test(tc, test_messages_batch);
	tcase_add_test(tc, test_sender_dies_queued);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(netloop_suite());
}
