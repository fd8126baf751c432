/* SPDX-License-Identifier: MIT */
/*
 * Data movement (every send form, IOVs, truncation, MsgRead/MsgWrite at
 * offsets, 8 MiB messages, MsgError, ERESTART), pulses in priority order,
 * and MsgDeliverEvent.
 */
#include "axon_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>

/* A server thread in this process runs fn for each received message. */
struct srv {
	int chid;
	void (*fn)(struct srv *s, rcvid_t r, struct _msg_info *info,
	    char *buf);
	int count;
	int stop;
	pthread_t t;
	long aux;
};

static char srvbuf[128 * 1024];

static void *
srv_main(void *p)
{
	struct srv *s = p;

	while (!s->stop) {
		struct _msg_info info;
		rcvid_t r = MsgReceive(s->chid, srvbuf, sizeof(srvbuf), &info);

		if (r > 0) {
			s->count++;
			s->fn(s, r, &info, srvbuf);
		} else if (r == 0) {
			struct _pulse *pu = (struct _pulse *) srvbuf;

			if (pu->code == 99) {
				break;
			}
		} else {
			break;
		}
	}
	return NULL;
}

static int
srv_start(struct srv *s, unsigned flags)
{
	int coid;

	s->chid = ChannelCreate(flags);
	ck_assert_int_gt(s->chid, 0);
	pthread_create(&s->t, NULL, srv_main, s);
	coid = ConnectAttach(0, 0, s->chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	return coid;
}

static void
srv_stop(struct srv *s, int coid)
{
	MsgSendPulse(coid, 10, 99, 0);
	pthread_join(s->t, NULL);
	ConnectDetach(coid);
	ChannelDestroy(s->chid);
}

static void
echo_fn(struct srv *s, rcvid_t r, struct _msg_info *info, char *buf)
{
	(void) s;
	MsgReply(r, info->srcmsglen, buf, (size_t) info->msglen);
}

START_TEST(test_send_forms)
{
	struct srv s = {.fn = echo_fn};
	int coid = srv_start(&s, 0);
	char a[] = "hello ", b[] = "world";
	char r1[4], r2[16];
	iov_t siov[2], riov[2];
	long n;

	SETIOV(&siov[0], a, 6);
	SETIOV(&siov[1], b, 6);
	SETIOV(&riov[0], r1, sizeof(r1));
	SETIOV(&riov[1], r2, sizeof(r2));
	memset(r1, 0, sizeof(r1));
	memset(r2, 0, sizeof(r2));
	n = MsgSendv(coid, siov, 2, riov, 2);
	ck_assert_int_eq(n, 12);
	ck_assert(memcmp(r1, "hell", 4) == 0);
	ck_assert_str_eq(r2, "o world");

	memset(r2, 0, sizeof(r2));
	ck_assert_int_eq(MsgSendsv(coid, "abc", 4, &riov[1], 1), 4);
	ck_assert_str_eq(r2, "abc");
	memset(r2, 0, sizeof(r2));
	ck_assert_int_eq(MsgSendvs(coid, siov, 2, r2, sizeof(r2)), 12);
	ck_assert_str_eq(r2, "hello world");
	memset(r2, 0, sizeof(r2));
	ck_assert_int_eq(MsgSendnc(coid, "xy", 3, r2, sizeof(r2)), 3);
	ck_assert_str_eq(r2, "xy");
	ck_assert_int_eq(MsgSendvnc(coid, siov, 1, riov, 1), 6);
	ck_assert_int_eq(MsgSendsvnc(coid, "q", 2, riov, 1), 2);
	ck_assert_int_eq(MsgSendvsnc(coid, siov, 2, r2, sizeof(r2)), 12);
	/* Reply truncated to the client's buffer. */
	ck_assert_int_eq(MsgSend(coid, "0123456789", 11, r1, 4), 11);
	ck_assert(memcmp(r1, "0123", 4) == 0);
	/* Same buffer for send and reply. */
	char same[16] = "samebuf";
	ck_assert_int_eq(MsgSend(coid, same, 8, same, sizeof(same)), 8);
	ck_assert_str_eq(same, "samebuf");
	/* Zero-length. */
	ck_assert_int_eq(MsgSend(coid, NULL, 0, NULL, 0), 0);
	/* _r forms leave errno alone. */
	errno = 1234;
	ck_assert_int_eq(MsgSend_r(coid, NULL, 5, NULL, 0), -EFAULT);
	ck_assert_int_eq(MsgSendv_r(coid, NULL, 1, NULL, 0), -EFAULT);
	ck_assert_int_eq(errno, 1234);
	srv_stop(&s, coid);
}
END_TEST

static void
error_fn(struct srv *s, rcvid_t r, struct _msg_info *info, char *buf)
{
	(void) info;
	if (buf[0] == 'e') {
		MsgError(r, EPERM);
	} else if (buf[0] == 'o') {
		MsgError(r, EOK);
	} else if (buf[0] == 'n') {
		MsgReply(r, -5, NULL, 0); /* a negative status */
	} else if (buf[0] == 'r' && s->aux++ == 0) {
		MsgError(r, ERESTART); /* first time: make the client re-send */
	} else {
		MsgReply(r, 1000 + (long) s->aux, NULL, 0);
	}
}

START_TEST(test_msg_error)
{
	struct srv s = {.fn = error_fn};
	int coid = srv_start(&s, 0);

	ck_assert_int_eq(MsgSend(coid, "e", 2, NULL, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(MsgSend_r(coid, "e", 2, NULL, 0), -EPERM);
	ck_assert_int_eq(MsgSend(coid, "o", 2, NULL, 0), 0);
	/* A negative reply status comes back as is from MsgSend(); the _r
	 * form cannot tell it from an error, as in QNX. */
	errno = 0;
	ck_assert_int_eq(MsgSend(coid, "n", 2, NULL, 0), -5);
	ck_assert_int_eq(errno, 0);
	int before = s.count;
	ck_assert_int_eq(MsgSend(coid, "r", 2, NULL, 0), 1002);
	ck_assert_int_eq(s.count - before, 2); /* received twice */
	srv_stop(&s, coid);
}
END_TEST

/* Reads the message in pieces at offsets, writes the reply at offsets. */
static void
rw_fn(struct srv *s, rcvid_t r, struct _msg_info *info, char *buf)
{
	size_t total = (size_t) info->srcmsglen;
	uint8_t *all = malloc(total + 1);
	size_t off = 0;
	uint32_t sum = 0;

	(void) s;
	(void) buf;
	while (off < total) {
		ssize_t n = MsgRead(r, all + off, 3000, off);

		if (n <= 0) {
			break;
		}
		off += (size_t) n;
	}
	/* Reading past the end gives nothing. */
	if (MsgRead(r, all, 10, total) != 0 ||
	    MsgRead(r, all, 10, total + 100) != 0) {
		off = 0;
	}
	for (size_t i = 0; i < off; i++) {
		sum = sum * 31 + all[i];
	}
	/* Reply: write the sum at offset 8, a marker at offset 100, and
	 * leave the bytes in between untouched. */
	MsgWrite(r, &sum, sizeof(sum), 8);
	MsgWrite(r, "MARK", 4, 100);
	MsgReply(r, (long) off, NULL, 0);
	free(all);
}

START_TEST(test_read_write_offsets)
{
	struct srv s = {.fn = rw_fn};
	int coid = srv_start(&s, 0);
	size_t len = 1 << 20;
	uint8_t *msg = malloc(len);
	uint8_t reply[200];
	uint32_t sum = 0;
	uint32_t got;

	for (size_t i = 0; i < len; i++) {
		msg[i] = (uint8_t) (i * 7 + (i >> 12));
		sum = sum * 31 + msg[i];
	}
	memset(reply, 0xee, sizeof(reply));
	ck_assert_int_eq(MsgSend(coid, msg, len, reply, sizeof(reply)),
	    (long) len);
	memcpy(&got, reply + 8, sizeof(got));
	ck_assert_uint_eq(got, sum);
	ck_assert(memcmp(reply + 100, "MARK", 4) == 0);
	/* Untouched bytes stay as they were. */
	for (int i = 0; i < 8; i++) {
		ck_assert_uint_eq(reply[i], 0xee);
	}
	for (int i = 12; i < 100; i++) {
		ck_assert_uint_eq(reply[i], 0xee);
	}
	for (int i = 104; i < 200; i++) {
		ck_assert_uint_eq(reply[i], 0xee);
	}
	free(msg);
	srv_stop(&s, coid);
}
END_TEST

/* 8 MiB each way, in another process. */
static void
big_server(int fd, void *p)
{
	int chid = ChannelCreate(0);
	size_t len = 8u << 20;
	uint8_t *buf = malloc(len);

	(void) p;
	axt_report(fd, chid);
	for (;;) {
		struct _msg_info info;
		rcvid_t r = MsgReceive(chid, buf, len, &info);

		if (r <= 0) {
			continue;
		}
		for (int i = 0; i < info.msglen; i++) {
			buf[i] = (uint8_t) ~buf[i];
		}
		MsgReply(r, info.msglen, buf, (size_t) info.msglen);
	}
}

START_TEST(test_eight_mib)
{
	struct axt_child srv = axt_spawn(big_server, NULL);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	size_t len = 8u << 20;
	uint8_t *out = malloc(len);
	uint8_t *in = malloc(len);

	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < len; i++) {
			out[i] = (uint8_t) (i * 13 + round);
		}
		ck_assert_int_eq(MsgSend(coid, out, len, in, len), (long) len);
		for (size_t i = 0; i < len; i++) {
			if ((uint8_t) (in[i] + out[i]) != 0xff) {
				ck_abort_msg("byte %zu differs", i);
			}
		}
	}
	free(out);
	free(in);
	axt_child_kill(&srv);
}
END_TEST

START_TEST(test_rcvid_errors)
{
	char b[8];
	struct _msg_info info;

	ck_assert_int_eq(MsgReply(12345, 0, NULL, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(MsgError(-5, EIO), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(MsgRead(0x7fff0001, b, 1, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(MsgWrite_r(77, b, 1, 0), -ESRCH);
	ck_assert_int_eq(MsgInfo_r(77, &info), -ESRCH);
	ck_assert_int_eq(MsgReceive_r(4000, b, sizeof(b), NULL), -ESRCH);
	ck_assert_int_eq(MsgReceive_r(-1, b, sizeof(b), NULL), -ESRCH);
	int chid = ChannelCreate(0);
	ck_assert_int_eq(MsgReceive_r(chid, NULL, 8, NULL), -EFAULT);
	/* A pulse into a buffer smaller than struct _pulse: EFAULT. */
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_eq(MsgSendPulse(coid, 10, 1, 1), 0);
	ck_assert_int_eq(MsgReceive_r(chid, b, 4, NULL), -EFAULT);
	ck_assert_int_eq(MsgSendPulse_r(coid, 10, 200, 1), -EINVAL);
	ck_assert_int_eq(MsgSendPulse_r(coid, 300, 1, 1), -EINVAL);
	ck_assert_int_eq(MsgSendPulse_r(_NTO_SIDE_CHANNEL | 999, 1, 1, 1),
	    -EBADF);
}
END_TEST

/* Pulses and messages are taken in priority order, FIFO within one. */
START_TEST(test_priority_order)
{
	int chid = ChannelCreate(0);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	int prios[] = {5, 20, 10, 20, 5, 30};
	int order[6];
	struct _pulse p;

	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(MsgSendPulse(coid, prios[i], i, i * 10), 0);
	}
	/* Let the monitor queue them all (pulses travel the socket). */
	ck_assert(axt_settle());
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(MsgReceive(chid, &p, sizeof(p), NULL), 0);
		ck_assert_int_eq(p.type, _PULSE_TYPE);
		ck_assert_int_eq(p.subtype, _PULSE_SUBTYPE);
		ck_assert(p.scoid & _NTO_SIDE_CHANNEL);
		ck_assert_int_eq(p.value.sival_int, p.code * 10);
		order[i] = p.code;
	}
	ck_assert_int_eq(order[0], 5); /* prio 30 */
	ck_assert_int_eq(order[1], 1); /* prio 20, first */
	ck_assert_int_eq(order[2], 3); /* prio 20, second */
	ck_assert_int_eq(order[3], 2); /* prio 10 */
	ck_assert_int_eq(order[4], 0); /* prio 5 */
	ck_assert_int_eq(order[5], 4);
}
END_TEST

/* A burst of pulses from another process, more than one bell's worth
 * (a connection's 64 slots) and more than its socket holds at once: all
 * of them sent before the server receives, so all are on its queue
 * then, and it takes them highest priority first, FIFO within one
 * (docs/design/local-transport.md §6).  Several rounds: the library's
 * monitor thread queues pulses too, at the same time, and the last of
 * them are still in the connection's socket when the server receives. */
#define BURST_N 600

struct burst_arg {
	pid_t pid;
	int chid;
};

static void
burst_child(int report_fd, void *arg)
{
	struct burst_arg *a = arg;
	int coid = ConnectAttach(0, a->pid, a->chid, _NTO_SIDE_CHANNEL, 0);

	if (coid < 0) {
		axt_report(report_fd, -errno);
		return;
	}
	for (int i = 0; i < BURST_N; i++) {
		/* (EAGAIN: the socket is full until the server's monitor
		 * thread queues what is in it.) */
		int r = axt_pulse_retry(coid, axt_burst_prio(i), i % 100, i);

		if (r != 0) {
			axt_report(report_fd, r);
			return;
		}
	}
	axt_report(report_fd, BURST_N); /* every send has returned */
	pause();
}

START_TEST(test_pulse_burst_order)
{
	struct burst_arg a = {getpid(), ChannelCreate(0)};

	ck_assert_int_ge(a.chid, 0);
	for (int round = 0; round < 10; round++) {
		struct axt_child c = axt_spawn(burst_child, &a);
		struct _pulse p;
		int last = -1;

		ck_assert_int_eq(c.val, BURST_N);
		for (int k = 0; k < BURST_N; k++) {
			ck_assert_int_eq(MsgReceive(a.chid, &p, sizeof(p), NULL),
			    0);
			ck_assert_int_eq(p.type, _PULSE_TYPE);
			int i = p.value.sival_int;

			ck_assert_int_eq(p.code, i % 100);
			if (last >= 0) {
				/* Not higher than the one before; FIFO
				 * within one priority. */
				ck_assert_msg(axt_burst_in_order(last, i),
				    "round %d, pulse %d: #%d (priority %d) "
				    "after #%d (priority %d)", round, k, i,
				    axt_burst_prio(i), last, axt_burst_prio(last));
			}
			last = i;
		}
		axt_child_kill(&c);
	}
}
END_TEST

/*
 * The same race made likely: the server process is stopped (its monitor
 * thread with it) while a client sends a burst of more than 64 pulses,
 * and continued with its receiving thread and its monitor woken at the
 * same moment.  The receiver must take every pulse in the socket before
 * it chooses, however far the monitor has got.
 */
#define RACE_N 150

struct race_server {
	int go_rd;  /* the test says how many to take */
	int res_wr; /* and hears back 0, or the first one out of order */
	bool pulse_only; /* MsgReceivePulse(), not MsgReceive() */
};

static void
race_server(int report_fd, void *arg)
{
	struct race_server *rs = arg;
	int chid = ChannelCreate(0);
	int n;
	int bad = 0;
	int last = -1;
	struct _pulse p;

	axt_report(report_fd, chid);
	if (read(rs->go_rd, &n, sizeof(n)) != (ssize_t) sizeof(n)) {
		_exit(3);
	}
	for (int k = 0; k < n; k++) {
		if ((rs->pulse_only ? MsgReceivePulse(chid, &p, sizeof(p), NULL)
				    : MsgReceive(chid, &p, sizeof(p), NULL)) != 0) {
			bad = -1;
			break;
		}
		int i = p.value.sival_int;

		if (bad == 0 && last >= 0 &&
		    !axt_burst_in_order(last, i)) {
			bad = k + 1;
		}
		last = i;
	}
	if (write(rs->res_wr, &bad, sizeof(bad)) != (ssize_t) sizeof(bad)) {
		_exit(4);
	}
	pause();
}

struct race_client {
	int pid, chid;
	int go_rd;  /* send now */
	int res_wr; /* how many were sent */
};

static void
race_client(int report_fd, void *arg)
{
	struct race_client *rc = arg;
	int coid = ConnectAttach(0, rc->pid, rc->chid, _NTO_SIDE_CHANNEL, 0);
	char b;
	int i;

	axt_report(report_fd, coid < 0 ? -errno : 0);
	if (coid < 0 || read(rc->go_rd, &b, 1) != 1) {
		return;
	}
	/* The server's monitor is stopped: stop at a full socket. */
	for (i = 0; i < RACE_N; i++) {
		if (MsgSendPulse_r(coid, axt_burst_prio(i), i % 100, i) != 0) {
			break;
		}
	}
	if (write(rc->res_wr, &i, sizeof(i)) != (ssize_t) sizeof(i)) {
		_exit(4);
	}
	pause();
}

/* _i: 0 MsgReceive(), 1 MsgReceivePulse(). */
START_TEST(test_pulse_burst_race)
{
	int go[2];
	int res[2];
	int cgo[2];
	int cres[2];

	ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(res, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(cgo, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(cres, O_CLOEXEC), 0);
	for (int round = 0; round < 20; round++) {
		struct race_server rs = {go[0], res[1], _i == 1};
		struct axt_child s = axt_spawn(race_server, &rs);
		struct race_client rc = {s.pid, s.val, cgo[0], cres[1]};
		int st;
		int n = -1;
		int bad = -2;

		ck_assert_int_ge(s.val, 0);
		struct axt_child c = axt_spawn(race_client, &rc);

		ck_assert_int_eq(c.val, 0);
		ck_assert_int_eq(kill(s.pid, SIGSTOP), 0);
		ck_assert_int_eq(waitpid(s.pid, &st, WUNTRACED), s.pid);
		ck_assert(WIFSTOPPED(st));
		ck_assert_int_eq(write(cgo[1], "g", 1), 1);
		ck_assert_int_eq(read(cres[0], &n, sizeof(n)),
		    (ssize_t) sizeof(n));
		ck_assert_msg(n > 64, "only %d pulses sent", n);
		ck_assert_int_eq(write(go[1], &n, sizeof(n)),
		    (ssize_t) sizeof(n));
		ck_assert_int_eq(kill(s.pid, SIGCONT), 0);
		ck_assert_int_eq(read(res[0], &bad, sizeof(bad)),
		    (ssize_t) sizeof(bad));
		ck_assert_msg(bad == 0, "round %d: pulse %d of %d taken out of "
					"priority order", round, bad, n);
		axt_child_kill(&c);
		axt_child_kill(&s);
	}
}
END_TEST

#define THIEF_N 2000

/* Sends THIEF_N messages to chid, each bounded (2 s): how many came
 * back in time. */
static void *
thief_client(void *arg)
{
	int *io = arg; /* in: chid; out: round trips in time */
	int coid = ConnectAttach(0, 0, *io, _NTO_SIDE_CHANNEL, 0);
	int ok = 0;
	char buf[16] = "ping";

	for (int i = 0; coid >= 0 && i < THIEF_N; i++) {
		uint64_t ns = 2000000000u;

		TimerTimeout(CLOCK_MONOTONIC,
		    _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY, NULL, &ns, NULL);
		if (MsgSend(coid, buf, sizeof(buf), buf, sizeof(buf)) != 0) {
			break;
		}
		ok++;
	}
	*io = ok;
	return NULL;
}

/* A MsgReceivePulse() that takes the bells (to read the pulses behind
 * them) queues the messages they announce: a MsgReceive asleep on those
 * bells must still be woken for each. */
struct bell_thief {
	int chid;
	atomic_bool stop;
	int took;
};

static void *
bell_thief(void *arg)
{
	struct bell_thief *t = arg;
	struct _pulse p;

	while (!atomic_load(&t->stop)) {
		/* (A poll: the call collects the bells, finds no pulse.) */
		TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, NULL,
		    NULL);
		if (MsgReceivePulse(t->chid, &p, sizeof(p), NULL) == 0) {
			t->took++;
		}
	}
	return NULL;
}

static void *
echo_server(void *arg)
{
	int chid = *(int *) arg;
	char buf[16];

	for (;;) {
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), NULL);

		if (r > 0) {
			MsgReply(r, 0, buf, sizeof(buf));
		} else if (r < 0 && errno != EINTR) {
			return NULL;
		}
	}
}

START_TEST(test_receive_pulse_wakes_receiver)
{
	int chid = ChannelCreate(0);
	struct bell_thief t = {.chid = chid};
	pthread_t th;
	pthread_t srv;
	int ok = 0;

	ck_assert_int_eq(pthread_create(&srv, NULL, echo_server, &chid), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, bell_thief, &t), 0);
	pthread_t cl;

	ok = chid;
	ck_assert_int_eq(pthread_create(&cl, NULL, thief_client, &ok), 0);
	pthread_join(cl, NULL);
	atomic_store(&t.stop, true);
	pthread_join(th, NULL);
	ck_assert_int_eq(t.took, 0);
	ck_assert_msg(ok == THIEF_N, "%d of %d round trips in time", ok,
	    THIEF_N);
	ChannelDestroy(chid);
	pthread_join(srv, NULL);
}
END_TEST

struct sender {
	int coid;
	long r;
};

static void *
bg_send(void *p)
{
	struct sender *s = p;
	char b[8];

	s->r = MsgSend(s->coid, "m", 2, b, sizeof(b));
	return NULL;
}

START_TEST(test_receive_pulse_skips_messages)
{
	int chid = ChannelCreate(0);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct sender s = {coid, 0};
	struct _pulse p;
	pthread_t t;
	char buf[16];

	pthread_create(&t, NULL, bg_send, &s);
	axt_sleep_ms(50); /* the message is queued first */
	ck_assert_int_eq(MsgSendPulse(coid, 1, 7, 70), 0);
	ck_assert_int_eq(MsgReceivePulse(chid, &p, sizeof(p), NULL), 0);
	ck_assert_int_eq(p.code, 7);
	/* The message is still there for MsgReceive. */
	rcvid_t r = MsgReceive(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r, 0);
	ck_assert_str_eq(buf, "m");
	MsgReply(r, 4, NULL, 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(s.r, 4);
}
END_TEST

/* ---- events ---------------------------------------------------------- */

struct evreq {
	uint16_t type;
	struct sigevent ev;
};

static void
event_server(int fd, void *p)
{
	int chid = ChannelCreate(0);
	struct evreq req;

	(void) p;
	axt_report(fd, chid);
	for (;;) {
		rcvid_t r = MsgReceive(chid, &req, sizeof(req), NULL);

		if (r <= 0) {
			continue;
		}
		if (req.type == 1) {
			/* Reply first, deliver afterwards. */
			MsgReply(r, 0, NULL, 0);
			axt_sleep_ms(20);
			MsgDeliverEvent(r, &req.ev);
		} else {
			/* Deliver while the client is still blocked. */
			MsgDeliverEvent(r, &req.ev);
			axt_sleep_ms(200);
			MsgReply(r, 5, NULL, 0);
		}
	}
}

START_TEST(test_event_pulse)
{
	struct axt_child srv = axt_spawn(event_server, NULL);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	int mych = ChannelCreate(_NTO_CHF_PRIVATE);
	int self = ConnectAttach(0, 0, mych, _NTO_SIDE_CHANNEL, 0);
	struct evreq req = {.type = 1};
	struct _pulse p;

	SIGEV_PULSE_INIT(&req.ev, self, 15, 42, 4242);
	ck_assert_int_eq(SIGEV_GET_TYPE(&req.ev), SIGEV_PULSE);
	ck_assert_int_eq(req.ev.sigev_coid, self);
	ck_assert_int_eq(MsgSend(coid, &req, sizeof(req), NULL, 0), 0);
	ck_assert_int_eq(MsgReceivePulse(mych, &p, sizeof(p), NULL), 0);
	ck_assert_int_eq(p.code, 42);
	ck_assert_int_eq(p.value.sival_int, 4242);
	axt_child_kill(&srv);
}
END_TEST

START_TEST(test_event_signals)
{
	struct axt_child srv = axt_spawn(event_server, NULL);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	struct evreq req = {.type = 1};
	sigset_t set;
	siginfo_t si;
	struct timespec ts = {5, 0};

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	SIGEV_SIGNAL_VALUE_INIT(&req.ev, SIGUSR1, 31);
	ck_assert_int_eq(MsgSend(coid, &req, sizeof(req), NULL, 0), 0);
	ck_assert_int_eq(sigtimedwait(&set, &si, &ts), SIGUSR1);
	ck_assert_int_eq(si.si_value.sival_int, 31);

	SIGEV_SIGNAL_CODE_INIT(&req.ev, SIGUSR2, 32, 3);
	ck_assert_int_eq(MsgSend(coid, &req, sizeof(req), NULL, 0), 0);
	ck_assert_int_eq(sigtimedwait(&set, &si, &ts), SIGUSR2);
	ck_assert_int_eq(si.si_value.sival_int, 32);

	/* The thread form goes to the thread that sent the message. */
	SIGEV_SIGNAL_THREAD_INIT(&req.ev, SIGUSR1, 33, 4);
	ck_assert_int_eq(MsgSend(coid, &req, sizeof(req), NULL, 0), 0);
	ck_assert_int_eq(sigtimedwait(&set, &si, &ts), SIGUSR1);
	ck_assert_int_eq(si.si_value.sival_int, 33);

	SIGEV_NONE_INIT(&req.ev);
	ck_assert_int_eq(MsgSend(coid, &req, sizeof(req), NULL, 0), 0);
	axt_child_kill(&srv);
}
END_TEST

START_TEST(test_event_unblock)
{
	struct axt_child srv = axt_spawn(event_server, NULL);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	struct evreq req = {.type = 2};

	/* Delivered while we are REPLY-blocked: released like a timeout. */
	SIGEV_UNBLOCK_INIT(&req.ev);
	ck_assert_int_eq(MsgSend(coid, &req, sizeof(req), NULL, 0), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	axt_child_kill(&srv);
}
END_TEST

static void
deliver_fn(struct srv *s, rcvid_t r, struct _msg_info *info, char *buf)
{
	(void) info;
	(void) buf;
	s->aux = (long) r;
	MsgReply(r, 0, NULL, 0);
}

START_TEST(test_event_errors)
{
	struct srv s = {.fn = deliver_fn};
	int coid = srv_start(&s, 0);
	struct sigevent ev;

	ck_assert_int_eq(MsgSend(coid, "x", 2, NULL, 0), 0);
	SIGEV_SIGNAL_INIT(&ev, 0);
	ck_assert_int_eq(MsgDeliverEvent_r((rcvid_t) s.aux, &ev), -EINVAL);
	ev.sigev_notify = 0x7f;
	ck_assert_int_eq(MsgDeliverEvent_r((rcvid_t) s.aux, &ev), -EINVAL);
	ck_assert_int_eq(MsgDeliverEvent_r((rcvid_t) s.aux, NULL), -EFAULT);
	SIGEV_NONE_INIT(&ev);
	ck_assert_int_eq(MsgDeliverEvent_r(999999, &ev), -ESRCH);
	ck_assert_int_eq(MsgDeliverEvent((rcvid_t) s.aux, &ev), 0);
	srv_stop(&s, coid);
}
END_TEST

static Suite *
xfer_suite(void)
{
	Suite *s = suite_create("xfer");
	TCase *tc = axt_tcase("data", 30);
	TCase *tp = axt_tcase("pulses-events", 20);

	tcase_add_test(tc, test_send_forms);
	tcase_add_test(tc, test_msg_error);
	tcase_add_test(tc, test_read_write_offsets);
	tcase_add_test(tc, test_eight_mib);
	tcase_add_test(tc, test_rcvid_errors);
	tcase_add_test(tp, test_priority_order);
	tcase_add_test(tp, test_pulse_burst_order);
	tcase_add_loop_test(tp, test_pulse_burst_race, 0, 2);
	tcase_add_test(tp, test_receive_pulse_wakes_receiver);
	tcase_add_test(tp, test_receive_pulse_skips_messages);
	tcase_add_test(tp, test_event_pulse);
	tcase_add_test(tp, test_event_signals);
	tcase_add_test(tp, test_event_unblock);
	tcase_add_test(tp, test_event_errors);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tp);
	return s;
}

int
main(void)
{
	return axt_run(xfer_suite());
}
