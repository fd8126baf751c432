/* SPDX-License-Identifier: MIT */
/*
 * Blocking states (qnx-api.md §1.9): kernel timeouts, signals,
 * _NTO_CHF_UNBLOCK, and what death and destruction do to blocked threads.
 */
#include "axon_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/syscall.h>

static const uint64_t ms100 = 100000000ull;

/* A server that receives one message, reports the rcvid's pid on the
 * pipe, then waits for a command byte: 'r' reply, 'x' exit. */
struct hold_arg {
	unsigned flags;
	int cmd_fd;
};

static void
hold_server(int fd, void *p)
{
	struct hold_arg *a = p;
	int chid = ChannelCreate(a->flags);
	char buf[64];
	char c;

	axt_report(fd, chid);
	for (;;) {
		struct _msg_info info;
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), &info);

		if (r <= 0) {
			continue;
		}
		axt_report(fd, (int) r);
		if (read(a->cmd_fd, &c, 1) != 1 || c == 'x') {
			_exit(0);
		}
		if (c == 'r') {
			MsgReply(r, 5, "ok", 3);
		}
	}
}

START_TEST(test_receive_timeout)
{
	int chid = ChannelCreate(0);
	char buf[64];
	double t0;

	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE,
			     NULL, &ms100, NULL),
	    0);
	t0 = axt_now();
	ck_assert_int_eq(MsgReceive(chid, buf, sizeof(buf), NULL), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert(axt_now() - t0 >= 0.09);
	/* Immediate: nothing queued. */
	ck_assert_int_eq(TimerTimeout(CLOCK_REALTIME, _NTO_TIMEOUT_RECEIVE,
			     NULL, NULL, NULL),
	    0);
	ck_assert_int_eq(MsgReceive_r(chid, buf, sizeof(buf), NULL),
	    -ETIMEDOUT);
	/* The timeout covered only that call: a pulse is then received. */
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_eq(MsgSendPulse(coid, 10, 3, 4), 0);
	ck_assert_int_eq(MsgReceive(chid, buf, sizeof(buf), NULL), 0);
	/* Bad arguments. */
	struct sigevent ev;
	SIGEV_SIGNAL_INIT(&ev, SIGUSR1);
	ck_assert_int_eq(TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE,
			     &ev, &ms100, NULL),
	    -EINVAL);
	ck_assert_int_eq(TimerTimeout_r(12345, _NTO_TIMEOUT_RECEIVE, NULL,
			     &ms100, NULL),
	    -EINVAL);
	struct timespec ts = {0, 50000000};
	ck_assert_int_eq(timer_timeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE,
			     NULL, &ts, NULL),
	    0);
	ck_assert_int_eq(MsgReceive(chid, buf, sizeof(buf), NULL), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
}
END_TEST

START_TEST(test_send_timeout_never_seen)
{
	int chid = ChannelCreate(0);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	char buf[64];
	struct _msg_info info;
	rcvid_t r;

	/* Nobody receives: the send times out SEND-blocked. */
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY,
	    NULL, &ms100, NULL);
	ck_assert_int_eq(MsgSend(coid, "lost", 5, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	/* ... and the server never sees it; a later pulse comes first. */
	ck_assert_int_eq(MsgSendPulse(coid, 10, 9, 0), 0);
	r = MsgReceive(chid, buf, sizeof(buf), &info);
	ck_assert_int_eq(r, 0);
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, NULL, NULL);
	ck_assert_int_eq(MsgReceive_r(chid, buf, sizeof(buf), NULL),
	    -ETIMEDOUT);
}
END_TEST

START_TEST(test_reply_timeout_released)
{
	/* Without _NTO_CHF_UNBLOCK a REPLY-blocked client leaves at once;
	 * the server's later reply fails with ESRCH. */
	int cmd[2];
	struct hold_arg a = {0, -1};
	int p[2];
	int chid;
	int rcvid;
	pid_t pid;
	char buf[64];

	ck_assert_int_eq(pipe(cmd), 0);
	ck_assert_int_eq(pipe(p), 0);
	a.cmd_fd = cmd[0];
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		hold_server(p[1], &a);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &chid, sizeof(chid)), sizeof(chid));
	int coid = ConnectAttach(0, pid, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	/* REPLY alone: with SEND too, a server not scheduled within the
	 * 100 ms would never see the message (a loaded machine). */
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_REPLY, NULL, &ms100, NULL);
	double t0 = axt_now();
	ck_assert_int_eq(MsgSend(coid, "x", 2, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	/* Not held until the server's reply, which comes only after. */
	ck_assert(axt_now() - t0 < 5.0);
	/* The server had received it (it reported the rcvid). */
	ck_assert_int_eq(read(p[0], &rcvid, sizeof(rcvid)), sizeof(rcvid));
	ck_assert_int_gt(rcvid, 0);
	/* Let it reply to the stale rcvid (fails inside the server), then
	 * a new send is answered normally. */
	ck_assert_int_eq(write(cmd[1], "r", 1), 1);
	ck_assert_int_eq(write(cmd[1], "r", 1), 1);
	ck_assert_int_eq(MsgSend(coid, "y", 2, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "ok");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
END_TEST

/* In-process server thread for the UNBLOCK tests. */
struct unb {
	int chid;
	rcvid_t rcvid;
	int pulse_code;
	int pulse_value;
	int unblock_flag;
	int reply_rc;
	int reply_errno;
	int mode; /* 0: MsgError(-1), 1: MsgReply */
};

static void *
unb_server(void *p)
{
	struct unb *u = p;
	char buf[64];
	struct _msg_info info;
	struct _pulse pulse;

	u->rcvid = MsgReceive(u->chid, buf, sizeof(buf), &info);
	if (MsgReceive(u->chid, &pulse, sizeof(pulse), NULL) != 0) {
		return NULL;
	}
	u->pulse_code = pulse.code;
	u->pulse_value = pulse.value.sival_int;
	MsgInfo(u->rcvid, &info);
	u->unblock_flag = (info.flags & _NTO_MI_UNBLOCK_REQ) != 0;
	if (u->mode == 0) {
		u->reply_rc = MsgError(u->rcvid, -1);
	} else {
		u->reply_rc = MsgReply(u->rcvid, 77, "late", 5);
	}
	u->reply_errno = errno;
	return NULL;
}

START_TEST(test_reply_timeout_unblock)
{
	for (int mode = 0; mode < 2; mode++) {
		struct unb u = {.chid = ChannelCreate(_NTO_CHF_UNBLOCK),
		    .mode = mode};
		int coid = ConnectAttach(0, 0, u.chid, _NTO_SIDE_CHANNEL, 0);
		pthread_t t;
		char buf[64] = {0};
		double t0;
		long r;

		pthread_create(&t, NULL, unb_server, &u);
		TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_REPLY, NULL, &ms100,
		    NULL);
		t0 = axt_now();
		r = MsgSend(coid, "q", 2, buf, sizeof(buf));
		pthread_join(t, NULL);
		ck_assert(axt_now() - t0 >= 0.09);
		ck_assert_int_eq(u.pulse_code, _PULSE_CODE_UNBLOCK);
		ck_assert_int_eq(u.pulse_value, (int) u.rcvid);
		ck_assert_int_eq(u.unblock_flag, 1);
		ck_assert_int_eq(u.reply_rc, 0);
		if (mode == 0) {
			/* MsgError(-1) forwards the recorded ETIMEDOUT. */
			ck_assert_int_eq(r, -1);
			ck_assert_int_eq(errno, ETIMEDOUT);
		} else {
			ck_assert_int_eq(r, 77);
			ck_assert_str_eq(buf, "late");
		}
		ConnectDetach(coid);
		ChannelDestroy(u.chid);
	}
}
END_TEST

struct snd {
	int coid;
	long st;
	int err;
};

static void *
send_state_sender(void *p)
{
	struct snd *x = p;
	char b[8];

	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND, NULL, &ms100, NULL);
	x->st = MsgSend(x->coid, "a", 2, b, sizeof(b));
	x->err = errno;
	return NULL;
}

START_TEST(test_send_timeout_only_send_state)
{
	/* _NTO_TIMEOUT_SEND alone does not time out the REPLY state. */
	int chid = ChannelCreate(0);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	static const uint64_t s3 = 3000000000ull;
	int round;

	/* A round in which the receiver was not scheduled within the 100 ms
	 * (a loaded machine) ends with the send's ETIMEDOUT, as it must;
	 * then try again. */
	for (round = 0; round < 10; round++) {
		struct snd sd = {coid, 0, 0};
		pthread_t t;
		char buf[64];
		rcvid_t r;

		pthread_create(&t, NULL, send_state_sender, &sd);
		TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &s3,
		    NULL);
		r = MsgReceive(chid, buf, sizeof(buf), NULL);
		if (r == -1) {
			ck_assert_int_eq(errno, ETIMEDOUT);
			pthread_join(t, NULL);
			ck_assert_int_eq(sd.st, -1);
			ck_assert_int_eq(sd.err, ETIMEDOUT);
			continue;
		}
		ck_assert_int_gt(r, 0);
		axt_sleep_ms(300); /* well past the 100 ms timeout */
		ck_assert_int_eq(MsgReply(r, 3, NULL, 0), 0);
		pthread_join(t, NULL);
		ck_assert_int_eq(sd.st, 3);
		break;
	}
	ck_assert_int_lt(round, 10);
}
END_TEST

static volatile sig_atomic_t got_sig;

static void
on_sig(int s)
{
	(void) s;
	got_sig = 1;
}

struct kicker {
	pthread_t target;
	pid_t tid; /* the target's thread id */
	int ms;
};

/* Signals the target once it sleeps in the kernel: a signal that lands
 * while the call still spins runs the handler without interrupting it
 * (MsgSend(3), CAVEATS), and on a loaded machine the target may not
 * have reached its sleep after any fixed delay. */
static void *
kick(void *p)
{
	struct kicker *k = p;

	axt_sleep_ms(k->ms);
	(void) axt_wait_asleep(k->tid);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

START_TEST(test_signals_interrupt_with_sa_restart)
{
	struct sigaction sa;
	int chid = ChannelCreate(0);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct kicker k = {pthread_self(), (pid_t) syscall(SYS_gettid), 100};
	pthread_t t;
	char buf[64];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);

	/* RECEIVE-blocked. */
	pthread_create(&t, NULL, kick, &k);
	ck_assert_int_eq(MsgReceive(chid, buf, sizeof(buf), NULL), -1);
	ck_assert_int_eq(errno, EINTR);
	ck_assert(got_sig);
	pthread_join(t, NULL);

	/* SEND-blocked (nobody receives). */
	got_sig = 0;
	pthread_create(&t, NULL, kick, &k);
	ck_assert_int_eq(MsgSend(coid, "s", 2, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EINTR);
	ck_assert(got_sig);
	pthread_join(t, NULL);
	/* The withdrawn message is never received. */
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, NULL, NULL);
	ck_assert_int_eq(MsgReceive_r(chid, buf, sizeof(buf), NULL),
	    -ETIMEDOUT);
}
END_TEST

/* REPLY-blocked client in a child process, signalled by the parent. */
static void
sig_client(int fd, void *p)
{
	int *ids = p; /* pid, chid */
	struct sigaction sa;
	char buf[16];
	int coid = ConnectAttach(0, ids[0], ids[1], _NTO_SIDE_CHANNEL, 0);
	long r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	axt_report(fd, 1);
	r = MsgSend(coid, "z", 2, buf, sizeof(buf));
	axt_report(fd, r == -1 ? errno : 1000 + (int) r);
	_exit(0);
}

static void
sig_reply_case(unsigned flags, int expect)
{
	int ids[2] = {getpid(), 0};
	int p[2];
	int q[2];
	struct axt_child c;
	char buf[64];
	rcvid_t r;
	int result = -1;
	int chid;

	/* Fork before this process has threads (TSan cannot follow a
	 * multi-threaded fork); the child learns the chid through q. */
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pipe(q), 0);
	c.pid = fork();
	if (c.pid == 0) {
		close(p[0]);
		close(q[1]);
		if (read(q[0], &ids[1], sizeof(ids[1])) != sizeof(ids[1])) {
			_exit(1);
		}
		sig_client(p[1], ids);
	}
	close(p[1]);
	close(q[0]);
	chid = ChannelCreate(flags);
	ck_assert_int_eq(write(q[1], &chid, sizeof(chid)), sizeof(chid));
	ck_assert_int_eq(read(p[0], &result, sizeof(result)), sizeof(result));
	r = MsgReceive(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r, 0);
	/* Signal it once it sleeps in the kernel: a signal that lands while
	 * it still spins, before it sleeps, would run the handler without
	 * interrupting the call (see MsgSend(3), CAVEATS). */
	ck_assert(axt_wait_futex(c.pid));
	kill(c.pid, SIGUSR1);
	if (flags & _NTO_CHF_UNBLOCK) {
		struct _pulse pulse;

		/* The client stays blocked; we get an UNBLOCK pulse. */
		ck_assert_int_eq(MsgReceive(chid, &pulse, sizeof(pulse), NULL),
		    0);
		ck_assert_int_eq(pulse.code, _PULSE_CODE_UNBLOCK);
		ck_assert_int_eq(pulse.value.sival_int, (int) r);
		ck_assert_int_eq(MsgError(r, EINTR), 0);
	}
	ck_assert_int_eq(read(p[0], &result, sizeof(result)), sizeof(result));
	ck_assert_int_eq(result, expect);
	if (!(flags & _NTO_CHF_UNBLOCK)) {
		/* The client left; a late reply fails. */
		ck_assert_int_eq(MsgReply(r, 0, NULL, 0), -1);
		ck_assert_int_eq(errno, ESRCH);
	}
	waitpid(c.pid, NULL, 0);
	close(p[0]);
	close(q[1]);
	ChannelDestroy(chid);
}

START_TEST(test_signal_reply_blocked)
{
	sig_reply_case(0, EINTR);
}
END_TEST

START_TEST(test_signal_reply_blocked_unblock)
{
	sig_reply_case(_NTO_CHF_UNBLOCK, EINTR);
}
END_TEST

/* ---- death and destruction ------------------------------------------ */

static void
recv_once_server(int fd, void *p)
{
	int reply = p != NULL;
	int chid = ChannelCreate(0);
	char buf[64];

	axt_report(fd, chid);
	for (;;) {
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), NULL);

		if (r > 0) {
			axt_report(fd, 1);
			if (reply) {
				MsgReply(r, 0, NULL, 0);
			}
		}
	}
}

struct killer {
	pid_t pid;
	int ms;
};

static void *
killer_fn(void *p)
{
	struct killer *k = p;

	axt_sleep_ms(k->ms);
	kill(k->pid, SIGKILL);
	return NULL;
}

START_TEST(test_server_death_reply_blocked)
{
	int p[2];
	struct axt_child srv;
	int chid;
	int coid;
	int one;
	char buf[8];
	pthread_t t;
	struct killer k;
	double t0;

	ck_assert_int_eq(pipe(p), 0);
	srv.pid = fork();
	if (srv.pid == 0) {
		close(p[0]);
		recv_once_server(p[1], NULL);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &chid, sizeof(chid)), sizeof(chid));
	coid = ConnectAttach(0, srv.pid, chid, _NTO_SIDE_CHANNEL, 0);
	k.pid = srv.pid;
	k.ms = 200;
	pthread_create(&t, NULL, killer_fn, &k);
	t0 = axt_now();
	ck_assert_int_eq(MsgSend(coid, "d", 2, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert(axt_now() - t0 < 5.0); /* the server dies at 0.2 s */
	ck_assert_int_eq(read(p[0], &one, sizeof(one)), sizeof(one));
	pthread_join(t, NULL);
	waitpid(srv.pid, NULL, 0);
	/* The connection is dead now. */
	ck_assert_int_eq(MsgSend(coid, "d", 2, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EBADF);
	struct _server_info si;
	ck_assert_int_eq(ConnectServerInfo(0, coid, &si), coid);
	ck_assert(si.flags & _NTO_COF_DEAD);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	close(p[0]);
}
END_TEST

static void
never_receive_server(int fd, void *p)
{
	(void) p;
	axt_report(fd, ChannelCreate(0));
	for (;;) {
		pause();
	}
}

START_TEST(test_server_death_send_blocked)
{
	struct axt_child srv = axt_spawn(never_receive_server, NULL);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	struct killer k = {srv.pid, 200};
	pthread_t t;
	char buf[8];

	ck_assert_int_ge(coid, 0);
	pthread_create(&t, NULL, killer_fn, &k);
	ck_assert_int_eq(MsgSend(coid, "d", 2, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ESRCH);
	pthread_join(t, NULL);
	waitpid(srv.pid, NULL, 0);
	srv.pid = -1;
}
END_TEST

/* A client process that sends and is then killed while REPLY-blocked. */
static void
doomed_client(int fd, void *p)
{
	int *ids = p;
	int coid = ConnectAttach(0, ids[0], ids[1], _NTO_SIDE_CHANNEL, 0);
	char buf[8];

	axt_report(fd, coid);
	MsgSend(coid, "doomed", 7, buf, sizeof(buf));
	_exit(1);
}

START_TEST(test_client_death_disconnect_pulse)
{
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT);
	int ids[2] = {getpid(), chid};
	struct axt_child c = axt_spawn(doomed_client, ids);
	struct _msg_info info;
	struct _pulse pulse;
	char buf[64];
	rcvid_t r;

	r = MsgReceive(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(info.pid, c.pid);
	axt_child_kill(&c);
	ck_assert_int_eq(MsgReceive(chid, &pulse, sizeof(pulse), NULL), 0);
	ck_assert_int_eq(pulse.code, _PULSE_CODE_DISCONNECT);
	ck_assert_int_eq(pulse.scoid, info.scoid);
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(MsgRead(r, buf, 4, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(ConnectDetach(pulse.scoid), 0);
	ChannelDestroy(chid);
}
END_TEST

static void
attach_detach_client(int fd, void *p)
{
	int *ids = p;
	int a = ConnectAttach(0, ids[0], ids[1], _NTO_SIDE_CHANNEL, 0);
	int b = ConnectAttach(0, ids[0], ids[1], _NTO_SIDE_CHANNEL, 0);
	int scoid_a = 0;
	int scoid_b = 0;
	char go;

	MsgSend(a, "a", 2, &scoid_a, sizeof(scoid_a));
	MsgSend(b, "b", 2, &scoid_b, sizeof(scoid_b));
	axt_report(fd, scoid_a == scoid_b ? 1 : 0);
	ConnectDetach(a);
	axt_report(fd, 2);
	if (read(ids[2], &go, 1) != 1) {
		_exit(1);
	}
	ConnectDetach(b);
	axt_report(fd, 3);
	pause();
}

static void *
scoid_echo(void *p)
{
	int chid = *(int *) p;

	for (;;) {
		struct _msg_info info;
		char buf[8];
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), &info);

		if (r > 0) {
			MsgReply(r, 0, &info.scoid, sizeof(info.scoid));
		} else if (r == 0) {
			struct _pulse *pu = (struct _pulse *) buf;

			(void) pu;
		}
	}
	return NULL;
}

START_TEST(test_sharing_and_last_detach)
{
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT);
	int go[2];
	int ids[3];
	int p[2];
	int v;
	struct _pulse pulse;
	pid_t pid;
	char buf[8];

	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(p), 0);
	ids[0] = getpid();
	ids[1] = chid;
	ids[2] = go[0];
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		attach_detach_client(p[1], ids);
	}
	close(p[1]);
	/* Serve the two sends in this thread. */
	for (int i = 0; i < 2; i++) {
		struct _msg_info info;
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), &info);

		ck_assert_int_gt(r, 0);
		MsgReply(r, 0, &info.scoid, sizeof(info.scoid));
	}
	ck_assert_int_eq(read(p[0], &v, sizeof(v)), sizeof(v));
	ck_assert_int_eq(v, 1); /* one shared server connection */
	ck_assert_int_eq(read(p[0], &v, sizeof(v)), sizeof(v));
	ck_assert_int_eq(v, 2); /* first detach done */
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &ms100, NULL);
	ck_assert_int_eq(MsgReceive_r(chid, &pulse, sizeof(pulse), NULL),
	    -ETIMEDOUT); /* no DISCONNECT yet */
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	ck_assert_int_eq(read(p[0], &v, sizeof(v)), sizeof(v));
	ck_assert_int_eq(MsgReceive(chid, &pulse, sizeof(pulse), NULL), 0);
	ck_assert_int_eq(pulse.code, _PULSE_CODE_DISCONNECT);
	ck_assert_int_eq(ConnectDetach(pulse.scoid), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	(void) scoid_echo;
}
END_TEST

struct blocked {
	int coid;
	long r;
	int err;
	atomic_int tid; /* set by the thread as it starts */
};

/* Waits (bounded) until b's thread has started and sleeps in its call:
 * a fixed delay is not enough on a loaded machine. */
static void
wait_blocked(struct blocked *b)
{
	for (int i = 0; i < 5000 && atomic_load(&b->tid) == 0; i++) {
		axt_sleep_ms(1);
	}
	ck_assert(axt_wait_asleep(atomic_load(&b->tid)));
}

static void *
blocked_sender(void *p)
{
	struct blocked *b = p;
	char buf[8];

	atomic_store(&b->tid, (int) syscall(SYS_gettid));
	b->r = MsgSend(b->coid, "b", 2, buf, sizeof(buf));
	b->err = errno;
	return NULL;
}

static void *
blocked_receiver(void *p)
{
	struct blocked *b = p;
	char buf[8];

	atomic_store(&b->tid, (int) syscall(SYS_gettid));
	b->r = MsgReceive(b->coid, buf, sizeof(buf), NULL);
	b->err = errno;
	return NULL;
}

START_TEST(test_channel_destroy_releases)
{
	int chid = ChannelCreate(0);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct blocked snd = {coid, 0, 0, 0};
	struct blocked rpl = {coid, 0, 0, 0};
	struct blocked rcv = {0, 0, 0, 0};
	pthread_t t1, t2, t3;
	char buf[8];
	int chid2 = ChannelCreate(0);

	/* One REPLY-blocked, one SEND-blocked, one RECEIVE-blocked (on a
	 * second channel, destroyed later). */
	pthread_create(&t1, NULL, blocked_sender, &rpl);
	rcvid_t r = MsgReceive(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r, 0);
	pthread_create(&t2, NULL, blocked_sender, &snd);
	rcv.coid = chid2;
	pthread_create(&t3, NULL, blocked_receiver, &rcv);
	wait_blocked(&snd);
	wait_blocked(&rcv);
	ck_assert_int_eq(ChannelDestroy(chid), 0);
	ck_assert_int_eq(ChannelDestroy(chid2), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	pthread_join(t3, NULL);
	ck_assert_int_eq(rpl.r, -1);
	ck_assert_int_eq(rpl.err, ESRCH);
	ck_assert_int_eq(snd.r, -1);
	ck_assert_int_eq(snd.err, ESRCH);
	ck_assert_int_eq(rcv.r, -1);
	ck_assert_int_eq(rcv.err, ESRCH);
	ck_assert_int_eq(MsgSend(coid, "x", 2, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(MsgSendPulse(coid, 1, 1, 1), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(ConnectDetach(coid), 0);
}
END_TEST

START_TEST(test_coid_death_pulse)
{
	int mine = ChannelCreate(_NTO_CHF_COID_DISCONNECT);
	struct axt_child srv = axt_spawn(never_receive_server, NULL);
	double t0 = axt_now();
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	struct _pulse pulse;

	ck_assert_msg(coid >= 0, "ConnectAttach: %s (server %d, chid %d), "
				 "after %.2f s",
	    strerror(errno), (int) srv.pid, srv.val, axt_now() - t0);
	axt_child_kill(&srv);
	ck_assert_int_eq(MsgReceive(mine, &pulse, sizeof(pulse), NULL), 0);
	ck_assert_int_eq(pulse.code, _PULSE_CODE_COIDDEATH);
	ck_assert_int_eq(pulse.value.sival_int, coid);
	ck_assert_int_eq(pulse.scoid, -1);
	ck_assert_int_eq(ConnectDetach(coid), 0);
}
END_TEST

START_TEST(test_detach_releases_blocked_thread)
{
	struct axt_child srv = axt_spawn(never_receive_server, NULL);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	struct blocked b = {coid, 0, 0, 0};
	pthread_t t;

	pthread_create(&t, NULL, blocked_sender, &b);
	wait_blocked(&b);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(b.r, -1);
	ck_assert_int_eq(b.err, EBADF);
	axt_child_kill(&srv);
}
END_TEST

static void *
detacher(void *p)
{
	int *coid = p;

	*coid = ConnectDetach(*coid);
	return NULL;
}

/* A thread cancelled while it waits for one of a connection's 64 slots
 * leaves the connection usable: its wait is no cancellation point that
 * could keep the connection's lock (it was, and ConnectDetach then hung
 * for ever). */
/* Thread tid is asleep in a futex wait (/proc: its system call). */
static bool
in_futex_wait(pid_t tid)
{
	char path[64], buf[64];
	FILE *f;
	bool r = false;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int) tid);
	f = fopen(path, "r");
	if (f != NULL) {
		r = fgets(buf, sizeof(buf), f) != NULL &&
		    atol(buf) == SYS_futex;
		fclose(f);
	}
	return r;
}

/* Joins t (bounded: 10 s and more); its return value. */
static void *
join_bounded(pthread_t t)
{
	struct timespec until;
	void *ret = NULL;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	ck_assert_int_eq(pthread_timedjoin_np(t, &ret, &until), 0);
	return ret;
}

static atomic_int slot_waiter_tid;

static void *
tid_sender(void *p)
{
	atomic_store(&slot_waiter_tid, (int) syscall(SYS_gettid));
	return blocked_sender(p);
}

START_TEST(test_cancel_waiting_for_slot)
{
	struct axt_child srv = axt_spawn(never_receive_server, NULL);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	enum { N = 64 + 1 }; /* a connection has 64 slots (src/lib/shm.h) */
	struct blocked b[N];
	pthread_t t[N], d;
	struct timespec until;
	int dcoid = coid;

	ck_assert_int_ge(coid, 0);
	for (int i = 0; i < N; i++) {
		b[i] = (struct blocked) {coid, 0, 0, 0};
		ck_assert_int_eq(pthread_create(&t[i], NULL,
				     i == N - 1 ? tid_sender : blocked_sender,
				     &b[i]),
		    0);
		if (i == N - 2) {
			axt_sleep_ms(200); /* every slot taken */
		}
	}
	/* The last one sleeps waiting for a slot (bounded); seen once is
	 * enough (a second look may catch it between two waits). */
	bool seen = false;

	for (int i = 0; i < 10000 && !seen; i++) {
		seen = atomic_load(&slot_waiter_tid) != 0 &&
		    in_futex_wait(atomic_load(&slot_waiter_tid));
		if (!seen) {
			axt_sleep_ms(1);
		}
	}
	ck_assert(seen);
	ck_assert_int_eq(pthread_cancel(t[N - 1]), 0);
	/* It leaves by itself: the wait for a slot, like the sleep for the
	 * reply, is a cancellation point. */
	ck_assert_ptr_eq(join_bounded(t[N - 1]), PTHREAD_CANCELED);
	ck_assert_int_eq(pthread_create(&d, NULL, detacher, &dcoid), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 8;
	ck_assert_msg(pthread_timedjoin_np(d, NULL, &until) == 0,
	    "ConnectDetach hung behind a cancelled slot waiter");
	ck_assert_int_eq(dcoid, 0);
	/* Every other sender leaves with EBADF. */
	for (int i = 0; i < N - 1; i++) {
		ck_assert_int_eq(pthread_timedjoin_np(t[i], NULL, &until), 0);
		ck_assert_int_eq(b[i].r, -1);
		ck_assert_int_eq(b[i].err, EBADF);
	}
	axt_child_kill(&srv);
}
END_TEST


/* Starts n senders on coid, each in a thread of t with b[i], and waits
 * until each is blocked (a connection has 64 slots: src/lib/shm.h). */
static void
fill_slots(int coid, struct blocked *b, pthread_t *t, int n)
{
	for (int i = 0; i < n; i++) {
		b[i] = (struct blocked) {coid, 0, 0, 0};
		ck_assert_int_eq(pthread_create(&t[i], NULL, blocked_sender,
				     &b[i]),
		    0);
	}
	for (int i = 0; i < n; i++) {
		wait_blocked(&b[i]);
	}
}

/* ConnectDetach(coid): each of fill_slots()'s senders leaves with
 * EBADF. */
static void
detach_slots(int coid, struct blocked *b, pthread_t *t, int n)
{
	ck_assert_int_eq(ConnectDetach(coid), 0);
	for (int i = 0; i < n; i++) {
		ck_assert_ptr_eq(join_bounded(t[i]), NULL);
		ck_assert_int_eq(b[i].r, -1);
		ck_assert_int_eq(b[i].err, EBADF);
	}
}

/* A sender that waits for a slot is SEND-blocked as far as anyone can
 * tell: a SEND timeout ends its wait with ETIMEDOUT (it waited for ever),
 * a signal with EINTR. */
START_TEST(test_slot_wait_timeout)
{
	struct axt_child srv = axt_spawn(never_receive_server, NULL);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	enum { N = 64 }; /* a connection has 64 slots (src/lib/shm.h) */
	struct blocked b[N];
	pthread_t t[N];
	uint64_t ns = 100000000, zero = 0;
	char buf[8];

	ck_assert_int_ge(coid, 0);
	fill_slots(coid, b, t, N);
	/* (A slot still free, if a sender was seen in another futex wait,
	 * makes the send SEND-blocked instead: the same ETIMEDOUT.) */
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND, NULL,
			     &ns, NULL),
	    0);
	ck_assert_int_eq(MsgSend(coid, "t", 2, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND, NULL,
			     &zero, NULL),
	    0);
	ck_assert_int_eq(MsgSend(coid, "t", 2, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	/* A signal ends the wait with EINTR, as it ends a SEND-blocked
	 * one. */
	struct sigaction sa = {.sa_handler = on_sig};
	struct blocked x = {coid, 0, 0, 0};
	pthread_t xt;

	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	ck_assert_int_eq(pthread_create(&xt, NULL, blocked_sender, &x), 0);
	wait_blocked(&x);
	/* (Again until it returns: the futex wait seen may have been
	 * another, before the call's, which a signal does not end.) */
	for (int i = 0; i < 200; i++) {
		struct timespec soon;

		ck_assert_int_eq(pthread_kill(xt, SIGUSR1), 0);
		clock_gettime(CLOCK_REALTIME, &soon);
		soon.tv_nsec += 50000000;
		if (soon.tv_nsec >= 1000000000) {
			soon.tv_sec++;
			soon.tv_nsec -= 1000000000;
		}
		if (pthread_timedjoin_np(xt, NULL, &soon) == 0) {
			xt = 0;
			break;
		}
	}
	ck_assert_msg(xt == 0, "a signal did not end the wait for a slot");
	ck_assert_int_eq(x.r, -1);
	ck_assert_int_eq(x.err, EINTR);
	detach_slots(coid, b, t, N);
	axt_child_kill(&srv);
}
END_TEST

/* ConnectDetach() of a coid releases a thread of it that waits for a
 * slot too (another alias of the connection has all 64 busy, and keeps
 * them): EBADF, as for one it finds blocked in a slot; the alias's
 * senders stay blocked. */
START_TEST(test_slot_wait_detached)
{
	struct axt_child srv = axt_spawn(never_receive_server, NULL);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	int coid2 = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	enum { N = 64 };
	struct blocked b[N];
	struct blocked x;
	pthread_t t[N], xt;

	ck_assert_int_ge(coid, 0);
	ck_assert_int_ge(coid2, 0);
	fill_slots(coid, b, t, N);
	x = (struct blocked) {coid2, 0, 0, 0};
	ck_assert_int_eq(pthread_create(&xt, NULL, blocked_sender, &x), 0);
	wait_blocked(&x);
	ck_assert_int_eq(ConnectDetach(coid2), 0);
	ck_assert_ptr_eq(join_bounded(xt), NULL);
	ck_assert_int_eq(x.r, -1);
	ck_assert_int_eq(x.err, EBADF);
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(b[i].r, 0); /* still blocked */
	}
	detach_slots(coid, b, t, N);
	axt_child_kill(&srv);
}
END_TEST

/*
 * pthread_cancel() of a thread blocked in MsgSend(), as on QNX: the wait
 * is a cancellation point.  SEND-blocked, the message is withdrawn (the
 * server never sees it); REPLY-blocked on a channel without
 * _NTO_CHF_UNBLOCK, the reply is given up (the server's MsgReply() then
 * fails with ESRCH); with it, the server gets the unblock pulse and the
 * thread stays REPLY-blocked until the server replies, then is cancelled.
 * Each time the connection stays usable and nothing leaks (ASan).
 */
START_TEST(test_cancel_blocked_send)
{
	for (int mode = 0; mode < 3; mode++) {
		int chid = ChannelCreate(mode == 2 ? _NTO_CHF_UNBLOCK : 0);
		int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
		struct blocked b = {coid, 0, 0, 0};
		uint64_t none = 0;
		struct _pulse pulse;
		char buf[16];
		rcvid_t rcvid = 0;
		pthread_t t;

		ck_assert_int_ge(coid, 0);
		ck_assert_int_eq(pthread_create(&t, NULL, blocked_sender, &b),
		    0);
		if (mode > 0) {
			rcvid = MsgReceive(chid, buf, sizeof(buf), NULL);
			ck_assert_int_gt(rcvid, 0);
			ck_assert_str_eq(buf, "b");
		}
		wait_blocked(&b);
		ck_assert_int_eq(pthread_cancel(t), 0);
		if (mode == 0) {
			ck_assert_ptr_eq(join_bounded(t), PTHREAD_CANCELED);
			/* Withdrawn: nothing to receive. */
			TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE,
			    NULL, &none, NULL);
			ck_assert_int_eq(MsgReceive(chid, buf, sizeof(buf),
					     NULL),
			    -1);
			ck_assert_int_eq(errno, ETIMEDOUT);
		} else if (mode == 1) {
			ck_assert_ptr_eq(join_bounded(t), PTHREAD_CANCELED);
			ck_assert_int_eq(MsgReply(rcvid, 0, "r", 2), -1);
			ck_assert_int_eq(errno, ESRCH);
		} else {
			ck_assert_int_eq(MsgReceive(chid, &pulse,
					     sizeof(pulse), NULL),
			    0);
			ck_assert_int_eq(pulse.code, _PULSE_CODE_UNBLOCK);
			ck_assert_int_eq(pulse.value.sival_int, (int) rcvid);
			/* Still REPLY-blocked until the server answers. */
			ck_assert(axt_wait_futex(b.tid));
			ck_assert_int_eq(MsgReply(rcvid, 0, "r", 2), 0);
			ck_assert_ptr_eq(join_bounded(t), PTHREAD_CANCELED);
		}
		ck_assert_int_eq(b.r, 0); /* MsgSend() never returned */
		/* The connection still works. */
		b = (struct blocked) {coid, 0, 0, 0};
		ck_assert_int_eq(pthread_create(&t, NULL, blocked_sender, &b),
		    0);
		rcvid = MsgReceive(chid, buf, sizeof(buf), NULL);
		ck_assert_int_gt(rcvid, 0);
		ck_assert_int_eq(MsgReply(rcvid, 3, "ok", 3), 0);
		ck_assert_ptr_eq(join_bounded(t), NULL);
		ck_assert_int_eq(b.r, 3);
		ck_assert_int_eq(ConnectDetach(coid), 0);
		ck_assert_int_eq(ChannelDestroy(chid), 0);
	}
}
END_TEST

static void *
pulser(void *p)
{
	struct blocked *x = p;

	x->r = MsgSendPulse(x->coid, 10, 1, 1);
	x->err = (int) syscall(SYS_gettid);
	(void) MsgSendPulse(x->coid, 10, 1, 2); /* touches libaxon TLS */
	return NULL;
}

START_TEST(test_thread_death_pulse)
{
	int chid = ChannelCreate(_NTO_CHF_THREAD_DEATH);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct blocked b = {coid, 0, 0, 0};
	struct _pulse pulse;
	pthread_t t;

	/* A thread that used libaxon exits. */
	pthread_create(&t, NULL, pulser, &b);
	pthread_join(t, NULL);
	/* Two pulses the thread sent and its death, in any order: the
	 * death pulse is queued directly, the others through the socket. */
	int ones = 0;
	int deaths = 0;
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(MsgReceive(chid, &pulse, sizeof(pulse), NULL),
		    0);
		if (pulse.code == 1) {
			ones++;
		} else {
			ck_assert_int_eq(pulse.code, _PULSE_CODE_THREADDEATH);
			ck_assert_int_eq(pulse.value.sival_int, b.err);
			deaths++;
		}
	}
	ck_assert_int_eq(ones, 2);
	ck_assert_int_eq(deaths, 1);
}
END_TEST

static void
quiet_echo_server(int fd, void *p)
{
	int chid = ChannelCreate(0);
	char buf[64];

	(void) p;
	axt_report(fd, chid);
	for (;;) {
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), NULL);

		if (r > 0) {
			MsgReply(r, 0, NULL, 0);
		}
	}
}

START_TEST(test_no_fd_leak)
{
	struct axt_child srv = axt_spawn(quiet_echo_server, NULL);
	int base;
	char buf[8];
	int one;

	(void) one;
	/* Warm up: the first attach starts the monitor and listener. */
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	base = axt_fd_settle(0);
	base = axt_fd_count();
	for (int i = 0; i < 200; i++) {
		coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
		ck_assert_int_ge(coid, 0);
		if (i % 20 == 0) {
			ck_assert_int_eq(MsgSend(coid, "l", 2, buf, sizeof(buf)),
			    0);
		}
		ck_assert_int_eq(ConnectDetach(coid), 0);
	}
	ck_assert_int_eq(axt_fd_settle(base), base);
	axt_child_kill(&srv);
}
END_TEST

struct poll_rcv {
	int chid;
	rcvid_t r;
	atomic_int tid;
};

static void *
waiting_receiver(void *p)
{
	struct poll_rcv *pr = p;
	char buf[16];

	atomic_store(&pr->tid, (int) syscall(SYS_gettid));
	pr->r = MsgReceive(pr->chid, buf, sizeof(buf), NULL);
	if (pr->r > 0) {
		MsgReply(pr->r, 6, NULL, 0);
	}
	return NULL;
}

START_TEST(test_polls)
{
	int chid = ChannelCreate(0);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct poll_rcv pr = {chid, 0, 0};
	struct blocked sd = {coid, 0, 0, 0};
	pthread_t t;
	char buf[16];

	/* An immediate SEND timeout succeeds when a receiver waits. */
	pthread_create(&t, NULL, waiting_receiver, &pr);
	for (int i = 0; i < 5000 && atomic_load(&pr.tid) == 0; i++) {
		axt_sleep_ms(1);
	}
	/* The poll gives the waiting receiver one wake-up's time to take
	 * the message (AXON_POLL_NS, 1 ms: TimerTimeout(3)); on a loaded
	 * machine its wake-up can take longer, and the message is then
	 * withdrawn as it must be.  Some round succeeds. */
	long r0 = -1;

	for (int round = 0; round < 20 && r0 != 6; round++) {
		ck_assert(axt_wait_asleep(atomic_load(&pr.tid)));
		TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND, NULL, NULL,
		    NULL);
		r0 = MsgSend(coid, "p", 2, buf, sizeof(buf));
		if (r0 == -1) {
			ck_assert_int_eq(errno, ETIMEDOUT);
		}
	}
	ck_assert_int_eq(r0, 6);
	pthread_join(t, NULL);

	/* A polled receive sees a message that is waiting (sent with no
	 * timeout: a SEND timeout could withdraw it between two polls). */
	pthread_create(&t, NULL, blocked_sender, &sd);
	/* Poll until the message is there (bounded): a poll must see a
	 * posted message, not only a queued one. */
	rcvid_t r = -1;
	for (int i = 0; i < 500 && r < 0; i++) {
		TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, NULL,
		    NULL);
		r = MsgReceive(chid, buf, sizeof(buf), NULL);
		if (r < 0) {
			ck_assert_int_eq(errno, ETIMEDOUT);
			axt_sleep_ms(10);
		}
	}
	ck_assert_int_gt(r, 0);
	MsgReply(r, 9, NULL, 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(sd.r, 9);
}
END_TEST

START_TEST(test_detach_scoid_vs_coid)
{
	/* A process that is client and server: ConnectDetach(scoid) frees
	 * the server connection and leaves its own coids alone. */
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct _msg_info info;
	struct blocked sd = {coid, 0, 0, 0};
	pthread_t t;
	char buf[16];

	pthread_create(&t, NULL, blocked_sender, &sd);
	rcvid_t r = MsgReceive(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	MsgReply(r, 1, NULL, 0);
	pthread_join(t, NULL);
	ck_assert_int_ne(info.scoid, coid);
	ck_assert_int_eq(ConnectDetach(info.scoid), 0);
	ck_assert_int_eq(ConnectDetach(info.scoid), -1);
	ck_assert_int_eq(ConnectDetach(coid), 0);
}
END_TEST

static Suite *
states_suite(void)
{
	Suite *s = suite_create("states");
	TCase *tc = axt_tcase("timeouts", 20);
	TCase *td = axt_tcase("death", 20);

	tcase_add_test(tc, test_receive_timeout);
	tcase_add_test(tc, test_send_timeout_never_seen);
	tcase_add_test(tc, test_reply_timeout_unblock);
	tcase_add_test(tc, test_send_timeout_only_send_state);
	tcase_add_test(tc, test_signals_interrupt_with_sa_restart);
	tcase_add_test(tc, test_signal_reply_blocked);
	tcase_add_test(tc, test_signal_reply_blocked_unblock);
	tcase_add_test(tc, test_reply_timeout_released);
	tcase_add_test(tc, test_polls);
	tcase_add_test(tc, test_detach_scoid_vs_coid);
	tcase_add_test(td, test_server_death_reply_blocked);
	tcase_add_test(td, test_server_death_send_blocked);
	tcase_add_test(td, test_client_death_disconnect_pulse);
	tcase_add_test(td, test_sharing_and_last_detach);
	tcase_add_test(td, test_channel_destroy_releases);
	tcase_add_test(td, test_coid_death_pulse);
	tcase_add_test(td, test_detach_releases_blocked_thread);
	tcase_add_test(td, test_cancel_waiting_for_slot);
	tcase_add_test(td, test_cancel_blocked_send);
	tcase_add_test(td, test_slot_wait_timeout);
	tcase_add_test(td, test_slot_wait_detached);
	tcase_add_test(td, test_thread_death_pulse);
	tcase_add_test(td, test_no_fd_leak);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, td);
	return s;
}

int
main(void)
{
	return axt_run(states_suite());
}
