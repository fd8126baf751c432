/* SPDX-License-Identifier: MIT */
/* Send/receive/reply between real processes: success paths and errors. */
#include "axon_test.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

/* An echo server: replies to each message with its bytes, status = the
 * message length; answers pulses by exiting when code 1 arrives. */
static void
echo_server(int fd, void *arg)
{
	unsigned flags = arg != NULL ? *(unsigned *) arg : 0;
	int chid = ChannelCreate(flags);
	static char buf[65536];

	axt_report(fd, chid);
	for (;;) {
		struct _msg_info info;
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), &info);

		if (r < 0) {
			_exit(3);
		}
		if (r == 0) {
			struct _pulse *p = (struct _pulse *) buf;

			if (p->code == 1) {
				_exit(0);
			}
			continue;
		}
		MsgReply(r, info.msglen, buf, (size_t) info.msglen);
	}
}

START_TEST(test_send_receive_reply)
{
	struct axt_child srv = axt_spawn(echo_server, NULL);
	char out[100];
	char in[100];
	int coid;
	long st;

	ck_assert_int_gt(srv.val, 0);
	coid = ConnectAttach(ND_LOCAL_NODE, srv.pid, srv.val, _NTO_SIDE_CHANNEL,
	    0);
	ck_assert_int_ge(coid, 0);
	ck_assert(coid & _NTO_SIDE_CHANNEL);
	for (int i = 0; i < 1000; i++) {
		snprintf(out, sizeof(out), "hello %d", i);
		memset(in, 0, sizeof(in));
		st = MsgSend(coid, out, strlen(out) + 1, in, sizeof(in));
		ck_assert_int_eq(st, (long) strlen(out) + 1);
		ck_assert_str_eq(in, out);
	}
	ck_assert_int_eq(MsgSendPulse(coid, 10, 1, 0), 0);
	ck_assert_int_eq(axt_child_wait(&srv, 5), 0);
	ck_assert_int_eq(ConnectDetach(coid), 0);
}
END_TEST

/* An echo server in a process where epoll_pwait2 is refused with EPERM
 * (as some container filters do): receives fall back to epoll_wait.
 * Before it reports its chid, it checks that a timed receive still
 * sleeps for its time rather than spin or fail. */
static void
filtered_server(int fd, void *arg)
{
#ifdef SYS_epoll_pwait2
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_epoll_pwait2, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = 4, .filter = f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		axt_report(fd, -2);
		_exit(1);
	}
#endif
	int chid = ChannelCreate(0);
	uint64_t t = 200000000ull;
	char buf[256];
	double t0 = axt_now();

	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &t, NULL);
	rcvid_t r = MsgReceive_r(chid, buf, sizeof(buf), NULL);
	double dt = axt_now() - t0;
	if (r != -ETIMEDOUT || dt < 0.19 || dt > 5.0) {
		axt_report(fd, -3);
		_exit(1);
	}
	axt_report(fd, chid);
	(void) arg;
	for (;;) {
		struct _msg_info info;

		r = MsgReceive(chid, buf, sizeof(buf), &info);
		if (r > 0) {
			MsgReply(r, info.msglen, buf, (size_t) info.msglen);
		}
	}
}

START_TEST(test_receive_without_epoll_pwait2)
{
	struct axt_child srv = axt_spawn(filtered_server, NULL);
	char in[32];

	ck_assert_msg(srv.val > 0, "server set-up failed: %d", srv.val);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	for (int i = 0; i < 200; i++) {
		ck_assert_int_eq(MsgSend(coid, "ping", 5, in, sizeof(in)), 5);
		ck_assert_str_eq(in, "ping");
	}
	axt_child_kill(&srv);
}
END_TEST

/* Server that checks _msg_info and reports fields in the reply. */
static void
info_server(int fd, void *arg)
{
	int chid = ChannelCreate(_NTO_CHF_SENDER_LEN | _NTO_CHF_REPLY_LEN);
	char buf[8];

	(void) arg;
	axt_report(fd, chid);
	for (;;) {
		struct _msg_info info;
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), &info);

		if (r <= 0) {
			continue;
		}
		MsgReply(r, 0, &info, sizeof(info));
	}
}

START_TEST(test_msg_info)
{
	struct axt_child srv = axt_spawn(info_server, NULL);
	struct _msg_info info;
	char big[100];
	int coid;

	coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	memset(big, 'a', sizeof(big));
	ck_assert_int_eq(MsgSend(coid, big, sizeof(big), &info, sizeof(info)),
	    0);
	ck_assert_uint_eq(info.nd, ND_LOCAL_NODE);
	ck_assert_int_eq(info.pid, getpid());
	ck_assert_int_eq(info.tid, (int) syscall(SYS_gettid));
	ck_assert_int_eq(info.chid, srv.val);
	ck_assert(info.scoid & _NTO_SIDE_CHANNEL);
	ck_assert_int_eq(info.coid, coid);
	ck_assert_int_eq(info.msglen, 8);       /* truncated to the buffer */
	ck_assert_int_eq(info.srcmsglen, 100);  /* what was sent */
	ck_assert_int_eq(info.dstmsglen, (int) sizeof(info));
	ck_assert_int_eq(info.priority, 10);
	axt_child_kill(&srv);
}
END_TEST

START_TEST(test_connect_errors)
{
	int chid = ChannelCreate(0);

	ck_assert_int_gt(chid, 0);
	/* No network manager yet. */
	ck_assert_int_eq(ConnectAttach(5, getpid(), chid, _NTO_SIDE_CHANNEL, 0),
	    -1);
	ck_assert_int_eq(errno, ENOREMOTE);
	ck_assert_int_eq(ConnectAttach_r(5, getpid(), chid, _NTO_SIDE_CHANNEL,
			     0),
	    -ENOREMOTE);
	/* No such channel / process. */
	ck_assert_int_eq(ConnectAttach(0, 0, chid + 100, _NTO_SIDE_CHANNEL, 0),
	    -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(ConnectAttach(0, 999999, 1, _NTO_SIDE_CHANNEL, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	/* Unknown flags. */
	ck_assert_int_eq(ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL,
			     0x08000000),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	/* Bad coids. */
	ck_assert_int_eq(ConnectDetach(_NTO_SIDE_CHANNEL | 4000), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(MsgSend(_NTO_SIDE_CHANNEL | 4000, "x", 1, NULL, 0),
	    -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(MsgSend_r(_NTO_SIDE_CHANNEL | 4000, "x", 1, NULL, 0),
	    -EBADF);
	ck_assert_int_eq(ChannelDestroy(chid), 0);
	ck_assert_int_eq(ChannelDestroy(chid), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_channel_flags)
{
	int a = ChannelCreate(_NTO_CHF_COID_DISCONNECT);
	int b;

	ck_assert_int_gt(a, 0);
	/* Only one channel per process may carry COID_DISCONNECT. */
	ck_assert_int_eq(ChannelCreate(_NTO_CHF_COID_DISCONNECT), -1);
	ck_assert_int_eq(errno, EBUSY);
	b = ChannelCreate(_NTO_CHF_THREAD_DEATH);
	ck_assert_int_gt(b, 0);
	ck_assert_int_eq(ChannelCreate_r(_NTO_CHF_THREAD_DEATH), -EBUSY);
	ck_assert_int_eq(ChannelCreate_r(0x80000000u), -EINVAL);
	/* The node's network manager channel: one per node. */
	int net = ChannelCreate(_NTO_CHF_NET_MSG);
	ck_assert_int_gt(net, 0);
	ck_assert_int_eq(ChannelCreate_r(_NTO_CHF_NET_MSG), -EAGAIN);
	ck_assert_int_eq(ChannelDestroy(net), 0);
	net = ChannelCreate(_NTO_CHF_NET_MSG);
	ck_assert_int_gt(net, 0);
	ck_assert_int_eq(ChannelDestroy(net), 0);
	ck_assert_int_eq(ChannelDestroy(a), 0);
	/* ... and may again once it is gone. */
	a = ChannelCreate(_NTO_CHF_COID_DISCONNECT);
	ck_assert_int_gt(a, 0);
	ck_assert_int_eq(ChannelDestroy(a), 0);
	ck_assert_int_eq(ChannelDestroy(b), 0);
}
END_TEST

/* Intra-process: a thread sends to the main thread's channel over a
 * connection to ourselves (pid 0). */
struct self_arg {
	int chid;
	long result;
};

static void *
self_client(void *p)
{
	struct self_arg *a = p;
	int coid = ConnectAttach(0, 0, a->chid, _NTO_SIDE_CHANNEL, 0);
	char r[16] = {0};

	a->result = MsgSend(coid, "ping", 5, r, sizeof(r));
	if (strcmp(r, "pong") != 0) {
		a->result = -100;
	}
	ConnectDetach(coid);
	return NULL;
}

START_TEST(test_self_connection)
{
	struct self_arg a = {ChannelCreate(0), 0};
	pthread_t t;
	char buf[16];
	rcvid_t r;

	ck_assert_int_gt(a.chid, 0);
	pthread_create(&t, NULL, self_client, &a);
	r = MsgReceive(a.chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r, 0);
	ck_assert_str_eq(buf, "ping");
	ck_assert_int_eq(MsgReply(r, 42, "pong", 5), 0);
	/* A second reply to the same rcvid fails. */
	ck_assert_int_eq(MsgReply(r, 42, "pong", 5), -1);
	ck_assert_int_eq(errno, ESRCH);
	pthread_join(t, NULL);
	ck_assert_int_eq(a.result, 42);
}
END_TEST

/* fd-range coids: index 0 gives the lowest free fd >= 0, never a
 * descriptor that is in use. */
START_TEST(test_fd_coid)
{
	int chid = ChannelCreate(0);
	int coid = ConnectAttach(0, 0, chid, 0, 0);
	int coid2;
	int fd;

	ck_assert_int_ge(coid, 3);
	ck_assert(!(coid & _NTO_SIDE_CHANNEL));
	fd = open("/dev/null", O_RDONLY);
	ck_assert_int_ne(fd, coid); /* the number is reserved */
	coid2 = ConnectAttach(0, 0, chid, 100, 0);
	ck_assert_int_ge(coid2, 100);
	close(fd);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	ck_assert_int_eq(ConnectDetach(coid2), 0);
	ck_assert_int_eq(ChannelDestroy(chid), 0);
}
END_TEST

/* A stand-in network manager: owns the NET_MSG channel and answers every
 * message with its own pid, the way axond will carry it to another node. */
static void
netmgr_server(int fd, void *arg)
{
	int chid = ChannelCreate(_NTO_CHF_NET_MSG | _NTO_CHF_DISCONNECT);
	char buf[64];

	(void) arg;
	axt_report(fd, chid);
	for (;;) {
		struct _msg_info info;
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), &info);

		if (r > 0) {
			int me = getpid();

			MsgReply(r, info.msglen, &me, sizeof(me));
		}
	}
}

/* otime gives the ntime of the timeout still armed: 0 for none and for
 * an immediate one (it used to give the one before that). */
START_TEST(test_timeout_otime)
{
	uint64_t five = 5000000000ull, one = 1000000000ull, o = 42;

	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND,
	    NULL, &five, &o), 0);
	ck_assert_uint_eq(o, 0);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND,
	    NULL, &one, &o), 0);
	ck_assert_uint_eq(o, five);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND,
	    NULL, NULL, &o), 0);
	ck_assert_uint_eq(o, one);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND,
	    NULL, &one, &o), 0);
	ck_assert_uint_eq(o, 0);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, 0, NULL, NULL, &o), 0);
	ck_assert_uint_eq(o, one);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, 0, NULL, NULL, &o), 0);
	ck_assert_uint_eq(o, 0);
}
END_TEST

START_TEST(test_remote_goes_to_netmgr)
{
	struct axt_child nm = axt_spawn(netmgr_server, NULL);
	int who = 0;
	int coid;

	ck_assert_int_gt(nm.val, 0);
	/* Node 5, some pid and chid there: the connection is made to this
	 * node's network manager, which carries the message. */
	coid = ConnectAttach(5, 4242, 1, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(MsgSend(coid, "far", 4, &who, sizeof(who)), 4);
	ck_assert_int_eq(who, nm.pid);
	/* The same (nd, pid, chid) shares the connection; another nd
	 * does not. */
	int again = ConnectAttach(5, 4242, 1, _NTO_SIDE_CHANNEL, 0);
	struct _server_info a, b;
	ck_assert_int_eq(ConnectServerInfo(0, coid, &a), coid);
	ck_assert_int_eq(ConnectServerInfo(0, again, &b), again);
	ck_assert_int_eq(a.scoid, b.scoid);
	ck_assert_int_eq(a.nd, 5);
	ck_assert_int_eq(ConnectAttach_r(5, 0, 1, _NTO_SIDE_CHANNEL, 0),
	    -ESRCH); /* pid 0 means "me": meaningless elsewhere */
	axt_child_kill(&nm);
	/* The network manager is gone: the connection dies, and new ones
	 * are refused. */
	ck_assert_int_eq(MsgSend(coid, "far", 4, &who, sizeof(who)), -1);
	ck_assert(errno == EHOSTDOWN || errno == EBADF);
	ck_assert_int_eq(ConnectAttach_r(6, 4242, 1, _NTO_SIDE_CHANNEL, 0),
	    -ENOREMOTE);
}
END_TEST

static Suite *
msg_suite(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = axt_tcase("core", 20);

	tcase_add_test(tc, test_send_receive_reply);
	tcase_add_test(tc, test_receive_without_epoll_pwait2);
	tcase_add_test(tc, test_msg_info);
	tcase_add_test(tc, test_connect_errors);
	tcase_add_test(tc, test_channel_flags);
	tcase_add_test(tc, test_self_connection);
	tcase_add_test(tc, test_fd_coid);
	tcase_add_test(tc, test_remote_goes_to_netmgr);
	tcase_add_test(tc, test_timeout_otime);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(msg_suite());
}
