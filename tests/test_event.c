/* SPDX-License-Identifier: MIT */
/*
 * Pulses and events (qnx-api.md §1.8, §1.10): MsgSendPulse fields and
 * errors, the priority order of pulses and messages on a channel,
 * MsgReceivePulse, MsgDeliverEvent with every notification type, and the
 * <sys/siginfo.h> sigevent macros.
 *
 * Helpers are forked "kids" with a pipe each way that die with the test
 * (PR_SET_PDEATHSIG).  Where the order of queued items matters, the test
 * waits (bounded) for observable states instead of sleeping: a sender is
 * SEND-blocked once its thread sleeps on a futex, and a pulse is queued
 * once this process's monitor thread sleeps in epoll_wait() with no
 * unread bytes on any socket.
 */
#include "axon_test.h"
#include "attack.h"
#include "psinfo.h"

#include <sys/socket.h>

#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* ---- helpers ---------------------------------------------------------- */

struct kid {
	pid_t pid;
	int rd; /* the kid's reports */
	int wr; /* our commands */
};

typedef void (*kid_fn)(int out, int in, void *arg);

static struct kid
kid_spawn(kid_fn fn, void *arg)
{
	struct kid k;
	pid_t parent = getpid();
	int up[2];
	int down[2];

	ck_assert_int_eq(pipe2(up, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(down, O_CLOEXEC), 0);
	k.pid = fork();
	ck_assert_int_ge(k.pid, 0);
	if (k.pid == 0) {
		(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) {
			_exit(98);
		}
		(void) close(up[0]);
		(void) close(down[1]);
		fn(up[1], down[0], arg);
		_exit(0);
	}
	(void) close(up[1]);
	(void) close(down[0]);
	k.rd = up[0];
	k.wr = down[1];
	return k;
}

static void
kid_kill(struct kid *k)
{
	if (k->pid > 0) {
		(void) kill(k->pid, SIGKILL);
		(void) waitpid(k->pid, NULL, 0);
		k->pid = -1;
		(void) close(k->rd);
		(void) close(k->wr);
	}
}

/* Reads exactly n bytes of the kid's reports, waiting at most 3 s. */
static bool
kid_get(struct kid *k, void *buf, size_t n)
{
	double end = axt_now() + 3.0;
	size_t got = 0;

	while (got < n) {
		struct pollfd pfd = {.fd = k->rd, .events = POLLIN};
		int ms = (int) ((end - axt_now()) * 1000.0);
		int pr;
		ssize_t r;

		if (ms <= 0) {
			return false;
		}
		pr = poll(&pfd, 1, ms);
		if (pr < 0 && errno == EINTR) {
			continue;
		}
		if (pr <= 0) {
			return false;
		}
		r = read(k->rd, (char *) buf + got, n - got);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			return false;
		}
		got += (size_t) r;
	}
	return true;
}

static bool
kid_has_data(struct kid *k)
{
	struct pollfd pfd = {.fd = k->rd, .events = POLLIN};

	return poll(&pfd, 1, 0) > 0;
}

static void
kid_cmd(struct kid *k, const void *buf, size_t n)
{
	ck_assert_int_eq(write(k->wr, buf, n), (ssize_t) n);
}

static void
put(int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, (const char *) buf + done, n - done);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			_exit(97);
		}
		done += (size_t) w;
	}
}

static bool
get(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *) buf + got, n - got);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			return false;
		}
		got += (size_t) r;
	}
	return true;
}

static pid_t
my_tid(void)
{
	return (pid_t) syscall(SYS_gettid);
}

/* Whether thread tid of pid sleeps in system call nr right now. */
static bool
in_syscall(pid_t pid, pid_t tid, long nr)
{
	char path[96];
	char buf[160];
	char *end;
	ssize_t n;
	long v;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int) pid,
	    (int) tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return false;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	(void) close(fd);
	if (n <= 0) {
		return false;
	}
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	return end != buf && v == nr;
}

/* Bounded wait until thread tid of pid sleeps on a futex (3 times in a
 * row): its MsgSend() has posted the message and is SEND-blocked. */
static bool
wait_blocked(pid_t pid, pid_t tid)
{
	int seen = 0;

	for (int i = 0; i < 3000; i++) {
		if (in_syscall(pid, tid, SYS_futex)) {
			if (++seen == 3) {
				return true;
			}
		} else {
			seen = 0;
		}
		axt_sleep_ms(1);
	}
	return false;
}

/* A receive bounded by a 2 s kernel timeout. */
static const uint64_t two_s = 2000000000ull;

static int
recv_pulse(int chid, struct _pulse *p)
{
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &two_s,
	    NULL);
	return MsgReceivePulse(chid, p, sizeof(*p), NULL);
}

static rcvid_t
recv_any(int chid, void *buf, size_t n, struct _msg_info *info)
{
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &two_s,
	    NULL);
	return MsgReceive(chid, buf, n, info);
}

/* Nothing is queued for a pulse receiver right now. */
static bool
no_pulse(int chid)
{
	struct _pulse p;

	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, NULL, NULL);
	return MsgReceivePulse_r(chid, &p, sizeof(p), NULL) == -ETIMEDOUT;
}

/* ---- a generic client kid ------------------------------------------- */
/*
 * Forked before the test process has any thread (see cli_spawn); it
 * optionally switches itself to SCHED_FIFO rtprio first, is told over the
 * command pipe where to connect, connects to (srv, chid), reports
 * {coid, tid, prio}, then runs commands: C_SEND sends
 * a message of slen bytes (first byte tag) and reports {ret, err};
 * C_PULSE sends a pulse and reports {ret, err}.
 */
struct cli_arg {
	pid_t srv;
	int chid;
};

struct cli_hello {
	int coid;
	pid_t tid;
	int prio; /* the QNX priority its messages carry */
};

enum { C_SEND = 1, C_PULSE, C_EXIT };

struct ccmd {
	int op;
	int a, b, c; /* C_SEND: tag, slen; C_PULSE: prio, code, value */
};

struct cres {
	long ret;
	int err;
};

static void
cli_main(int out, int in, void *p)
{
	int rtprio = (int) (intptr_t) p;
	struct cli_hello h = {-1, my_tid(), 10};
	struct cli_arg a;

	if (rtprio > 0) {
		struct sched_param sp = {.sched_priority = rtprio};

		if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0) {
			h.prio = rtprio;
		}
	}
	if (!get(in, &a, sizeof(a))) {
		_exit(0);
	}
	h.coid = ConnectAttach(0, a.srv, a.chid, _NTO_SIDE_CHANNEL, 0);
	put(out, &h, sizeof(h));
	for (;;) {
		struct ccmd c;
		struct cres res;
		char msg[64];

		if (!get(in, &c, sizeof(c)) || c.op == C_EXIT) {
			_exit(0);
		}
		errno = 0;
		if (c.op == C_SEND) {
			memset(msg, c.a, sizeof(msg));
			res.ret = MsgSend(h.coid, msg, (size_t) c.b, NULL, 0);
		} else {
			res.ret = MsgSendPulse(h.coid, c.a, c.b, c.c);
		}
		res.err = errno;
		put(out, &res, sizeof(res));
	}
}

/*
 * Kids are forked before the test makes its first Axon call: a process
 * with threads (libaxon's monitor) should not fork (ThreadSanitizer
 * refuses it), so the channel to connect to comes later, by pipe.
 */
static struct kid
cli_spawn(int rtprio)
{
	return kid_spawn(cli_main, (void *) (intptr_t) rtprio);
}

static struct cli_hello
cli_connect(struct kid *k, int chid)
{
	struct cli_arg a = {getpid(), chid};
	struct cli_hello h;

	kid_cmd(k, &a, sizeof(a));
	ck_assert(kid_get(k, &h, sizeof(h)));
	ck_assert_int_ge(h.coid, 0);
	return h;
}

static void
cli_cmd(struct kid *k, int op, int a, int b, int c)
{
	struct ccmd cmd = {op, a, b, c};

	kid_cmd(k, &cmd, sizeof(cmd));
}

static struct cres
cli_result(struct kid *k)
{
	struct cres res;

	ck_assert_msg(kid_get(k, &res, sizeof(res)), "client gave no result");
	return res;
}

/* ---- pulses ----------------------------------------------------------- */

START_TEST(test_pulse_fields)
{
	struct kid k = cli_spawn(0);
	int chid = ChannelCreate(0);
	struct cli_hello h = cli_connect(&k, chid);
	struct { int code; int value; } pv[] = {{0, INT_MIN}, {127, -1},
	    {5, INT_MAX}, {_PULSE_CODE_MAXAVAIL, 0}, {-3, 42}};
	struct _msg_info info, junk;
	char buf[64];
	struct _pulse p;
	rcvid_t r;

	/* A message first, to learn the connection's scoid. */
	cli_cmd(&k, C_SEND, 'm', 8, 0);
	r = recv_any(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	ck_assert(info.scoid & _NTO_SIDE_CHANNEL);
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	ck_assert_int_eq(cli_result(&k).ret, 0);

	for (size_t i = 0; i < sizeof(pv) / sizeof(pv[0]); i++) {
		cli_cmd(&k, C_PULSE, 10, pv[i].code, pv[i].value);
		ck_assert_int_eq(cli_result(&k).ret, 0);
		memset(&p, 0xab, sizeof(p));
		memset(&junk, 0xcd, sizeof(junk));
		memcpy(&info, &junk, sizeof(info));
		/* MsgReceive returns 0 for a pulse and leaves info alone. */
		TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &two_s,
		    NULL);
		ck_assert_int_eq(MsgReceive(chid, &p, sizeof(p), &info), 0);
		ck_assert_int_eq(p.type, _PULSE_TYPE);
		ck_assert_int_eq(p.subtype, _PULSE_SUBTYPE);
		ck_assert_int_eq(p.code, pv[i].code);
		ck_assert_int_eq(p.zero[0], 0);
		ck_assert_int_eq(p.zero[1], 0);
		ck_assert_int_eq(p.zero[2], 0);
		ck_assert_int_eq(p.value.sival_int, pv[i].value);
		ck_assert(p.scoid & _NTO_SIDE_CHANNEL);
		ck_assert(memcmp(&info, &junk, sizeof(info)) == 0);
	}
	/* The scoid is the sender's server connection id. */
	cli_cmd(&k, C_PULSE, 10, 9, 9);
	ck_assert_int_eq(cli_result(&k).ret, 0);
	ck_assert(axt_settle()); /* queued before the message is sent */
	cli_cmd(&k, C_SEND, 'm', 8, 0);
	ck_assert(wait_blocked(k.pid, h.tid));
	r = recv_any(chid, buf, sizeof(buf), &info);
	ck_assert_int_eq(r, 0); /* the pulse came first */
	memcpy(&p, buf, sizeof(p));
	ck_assert_int_eq(p.code, 9);
	r = recv_any(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(p.scoid, info.scoid);
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	ck_assert_int_eq(cli_result(&k).ret, 0);
	/* MsgReceivePulse and MsgReceivePulsev return 0 too. */
	cli_cmd(&k, C_PULSE, 10, 10, 100);
	ck_assert_int_eq(cli_result(&k).ret, 0);
	ck_assert_int_eq(recv_pulse(chid, &p), 0);
	ck_assert_int_eq(p.code, 10);
	ck_assert_int_eq(p.value.sival_int, 100);
	cli_cmd(&k, C_PULSE, 10, 11, 110);
	ck_assert_int_eq(cli_result(&k).ret, 0);
	iov_t iov;
	SETIOV(&iov, &p, sizeof(p));
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &two_s, NULL);
	ck_assert_int_eq(MsgReceivePulsev(chid, &iov, 1, NULL), 0);
	ck_assert_int_eq(p.code, 11);
	ck_assert_int_eq(p.value.sival_int, 110);
	kid_kill(&k);
}
END_TEST

/* Items in the order they were sent: a tag and its effective priority;
 * the expected receive order is a stable sort by priority, highest first. */
struct seq {
	char tag[16];
	int prio[16];
	int n;
};

static void
seq_add(struct seq *s, char tag, int prio)
{
	s->tag[s->n] = tag;
	s->prio[s->n] = prio;
	s->n++;
}

static void
seq_expect(const struct seq *s, char *out)
{
	bool used[16] = {false};
	int k = 0;

	for (int prio = 255; prio >= 0; prio--) {
		for (int i = 0; i < s->n; i++) {
			if (!used[i] && s->prio[i] == prio) {
				used[i] = true;
				out[k++] = s->tag[i];
			}
		}
	}
	out[k] = '\0';
}

START_TEST(test_pulse_priority_fifo)
{
	struct kid k = cli_spawn(0);
	int chid = ChannelCreate(_NTO_CHF_FIXED_PRIORITY);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	(void) cli_connect(&k, chid);
	/* {priority, from the kid?}; priority 0 is raised to 1. */
	struct { int prio; bool kid; } sends[] = {{5, false}, {20, true},
	    {10, false}, {20, false}, {0, true}, {1, false}, {255, true},
	    {10, true}, {1, true}, {0, false}, {254, false}, {20, true}};
	int n = (int) (sizeof(sends) / sizeof(sends[0]));
	struct seq s = {.n = 0};
	char want[17], got[17];

	ck_assert_int_ge(self, 0);
	for (int i = 0; i < n; i++) {
		char tag = (char) ('a' + i);

		if (sends[i].kid) {
			cli_cmd(&k, C_PULSE, sends[i].prio, tag, i);
			ck_assert_int_eq(cli_result(&k).ret, 0);
		} else {
			ck_assert_int_eq(MsgSendPulse(self, sends[i].prio, tag,
					     i),
			    0);
		}
		/* Queued before the next one is sent. */
		ck_assert(axt_settle());
		seq_add(&s, tag, sends[i].prio == 0 ? 1 : sends[i].prio);
	}
	seq_expect(&s, want);
	for (int i = 0; i < n; i++) {
		struct _pulse p;

		ck_assert_int_eq(recv_pulse(chid, &p), 0);
		got[i] = (char) p.code;
		ck_assert_int_eq(p.value.sival_int, p.code - 'a');
	}
	got[n] = '\0';
	ck_assert_msg(strcmp(got, want) == 0, "order %s, want %s", got, want);
	ck_assert(no_pulse(chid));
	kid_kill(&k);
}
END_TEST

/*
 * Messages and pulses share one queue in priority order, FIFO within one
 * priority (qnx-api.md §1.8, §1.10): queue them while nobody receives,
 * then take them.  Message senders are kids (real-time ones where the
 * system allows it); pulses come from this process.
 */
START_TEST(test_pulse_message_order)
{
	/* 'A'.. are messages from kids (rt = SCHED_FIFO priority, 0 = none),
	 * 'a'.. pulses at prio. */
	struct { char tag; int prio; } plan[] = {{'A', 0}, {'a', 10},
	    {'b', 30}, {'B', 0}, {'C', 20}, {'c', 5}, {'d', 20}, {'D', 30},
	    {'e', 10}, {'E', 0}};
	int n = (int) (sizeof(plan) / sizeof(plan[0]));
	struct kid kids[8];
	pid_t kpid[8];
	char ktag[8];
	int nk = 0;
	struct seq s = {.n = 0};
	char want[17], got[17];
	int chid, self;

	for (int i = 0; i < n; i++) {
		if (plan[i].tag >= 'A' && plan[i].tag <= 'Z') {
			kids[nk++] = cli_spawn(plan[i].prio);
		}
	}
	chid = ChannelCreate(_NTO_CHF_FIXED_PRIORITY);
	self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(self, 0);
	nk = 0;
	for (int i = 0; i < n; i++) {
		if (plan[i].tag >= 'A' && plan[i].tag <= 'Z') {
			struct cli_hello h = cli_connect(&kids[nk], chid);

			kpid[nk] = kids[nk].pid;
			ktag[nk] = plan[i].tag;
			cli_cmd(&kids[nk], C_SEND, plan[i].tag, 1, 0);
			ck_assert_msg(wait_blocked(kids[nk].pid, h.tid),
			    "sender %c never blocked", plan[i].tag);
			seq_add(&s, plan[i].tag, h.prio);
			nk++;
		} else {
			ck_assert_int_eq(MsgSendPulse(self, plan[i].prio,
					     plan[i].tag, 0),
			    0);
			ck_assert(axt_settle());
			seq_add(&s, plan[i].tag, plan[i].prio);
		}
	}
	seq_expect(&s, want);
	for (int i = 0; i < n; i++) {
		struct _msg_info info;
		char buf[64];
		rcvid_t r = recv_any(chid, buf, sizeof(buf), &info);

		ck_assert_int_ge(r, 0);
		if (r == 0) {
			got[i] = (char) ((struct _pulse *) buf)->code;
			continue;
		}
		got[i] = '?';
		for (int j = 0; j < nk; j++) {
			if (kpid[j] == info.pid) {
				got[i] = ktag[j];
			}
		}
		ck_assert_int_eq(buf[0], got[i]);
		ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	}
	got[n] = '\0';
	for (int j = 0; j < nk; j++) {
		ck_assert_int_eq(cli_result(&kids[j]).ret, 0);
		kid_kill(&kids[j]);
	}
	ck_assert_msg(strcmp(got, want) == 0, "order %s, want %s", got, want);
}
END_TEST

/* The two halves of the above, each alone: one SEND-blocked message
 * (priority 10) and one pulse queued after it. */
static void
message_then_pulse(int pulse_prio, char *got)
{
	struct kid k = cli_spawn(0);
	int chid = ChannelCreate(_NTO_CHF_FIXED_PRIORITY);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct cli_hello h = cli_connect(&k, chid);

	ck_assert_int_ge(self, 0);
	ck_assert_int_eq(h.prio, 10);
	cli_cmd(&k, C_SEND, 'M', 1, 0);
	ck_assert(wait_blocked(k.pid, h.tid));
	ck_assert_int_eq(MsgSendPulse(self, pulse_prio, 'p', 0), 0);
	ck_assert(axt_settle());
	for (int i = 0; i < 2; i++) {
		char buf[64];
		rcvid_t r = recv_any(chid, buf, sizeof(buf), NULL);

		ck_assert_int_ge(r, 0);
		got[i] = r == 0 ? (char) ((struct _pulse *) buf)->code : buf[0];
		if (r > 0) {
			ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
		}
	}
	got[2] = '\0';
	ck_assert_int_eq(cli_result(&k).ret, 0);
	kid_kill(&k);
}

/* A message outranks a lower-priority pulse that was queued later. */
START_TEST(test_message_beats_lower_pulse)
{
	char got[3];

	message_then_pulse(5, got);
	ck_assert_msg(strcmp(got, "Mp") == 0,
	    "got %s: a priority-5 pulse overtook a priority-10 message", got);
}
END_TEST

/* At one priority, a message sent before a pulse is taken first. */
START_TEST(test_message_pulse_fifo)
{
	char got[3];

	message_then_pulse(10, got);
	ck_assert_msg(strcmp(got, "Mp") == 0,
	    "got %s: a pulse overtook an earlier message of its priority", got);
}
END_TEST


/*
 * Once MsgSendPulse() has returned, the pulse is on the channel's queue
 * (issue 10, item 5): a kid on another CPU sends pulses at 10, 30 and 20,
 * then a message at 15 (SCHED_FIFO 15), while this process takes no
 * time to queue anything.  Its monitor thread is held off: every thread
 * of this process is pinned to one CPU where the test thread spins at
 * SCHED_FIFO 50 until the kid is SEND-blocked.  Then four MsgReceive()s
 * at once must give 30, 20, 15, 10 (qnx-api.md §1.8: pulses and
 * messages in one priority-ordered queue).  Before pulses rang the
 * connection's bell, the receiver found only the message (pulses waited
 * in the socket for the starved monitor): "Mbca".  Root and two CPUs.
 */
static void
order_kid(int out, int in, void *arg)
{
	int chid = *(int *) arg;
	int cpu = -1;
	struct sched_param sp = {.sched_priority = 15};
	char go;
	char m = 'M';
	int coid;
	cpu_set_t set;

	(void) read(in, &cpu, sizeof(cpu));
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	coid = ConnectAttach(0, getppid(), chid, _NTO_SIDE_CHANNEL, 0);
	if (coid < 0 || sched_setaffinity(0, sizeof(set), &set) != 0 ||
	    pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) != 0) {
		coid = -1;
	}
	if (write(out, &coid, sizeof(coid)) != (ssize_t) sizeof(coid) ||
	    coid < 0 || read(in, &go, 1) != 1) {
		_exit(1);
	}
	if (MsgSendPulse(coid, 10, 'a', 0) != 0 ||
	    MsgSendPulse(coid, 30, 'b', 0) != 0 ||
	    MsgSendPulse(coid, 20, 'c', 0) != 0) {
		_exit(2);
	}
	_exit(MsgSend(coid, &m, 1, NULL, 0) == 0 ? 0 : 3);
}

/* Pins every thread of this process to cpu. */
static bool
pin_all(int cpu)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	cpu_set_t set;
	bool ok = d != NULL;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	while (ok && (e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.' &&
		    sched_setaffinity(atoi(e->d_name), sizeof(set), &set) != 0) {
			ok = false;
		}
	}
	if (d != NULL) {
		closedir(d);
	}
	return ok;
}

START_TEST(test_pulse_order_at_return)
{
	struct sched_param rt = {.sched_priority = 50};
	struct sched_param other = {.sched_priority = 0};
	cpu_set_t mine;
	int cpus[2] = {-1, -1};
	int n = 0;
	int chid;
	int coid = -1;
	char got[5];
	struct kid k;
	int st;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(mine), &mine), 0);
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++) {
		if (CPU_ISSET(c, &mine)) {
			cpus[n++] = c;
		}
	}
	if (geteuid() != 0 || n < 2) {
		fprintf(stderr, "test_pulse_order_at_return: needs root and "
				"two CPUs; skipped\n");
		return;
	}
	chid = ChannelCreate(_NTO_CHF_FIXED_PRIORITY);
	ck_assert_int_ge(chid, 0);
	k = kid_spawn(order_kid, &chid);
	ck_assert_int_eq(write(k.wr, &cpus[1], sizeof(int)), sizeof(int));
	ck_assert_int_eq(read(k.rd, &coid, sizeof(coid)), sizeof(coid));
	ck_assert_int_ge(coid, 0);

	ck_assert(pin_all(cpus[0]));
	ck_assert_int_eq(pthread_setschedparam(pthread_self(), SCHED_FIFO, &rt),
	    0);
	ck_assert_int_eq(write(k.wr, "g", 1), 1);
	/* Spin (never sleep: the monitor would run) until the kid's main
	 * thread is in futex(2) three looks in a row, for at most 2 s. */
	int seen = 0;
	double end = axt_now() + 2.0;

	while (seen < 3 && axt_now() < end) {
		seen = in_syscall(k.pid, k.pid, SYS_futex) ? seen + 1 : 0;
	}
	for (int i = 0; i < 4; i++) {
		char buf[64];
		rcvid_t r = recv_any(chid, buf, sizeof(buf), NULL);

		if (r < 0) {
			got[i] = '-';
			continue;
		}
		got[i] = r == 0 ? (char) ((struct _pulse *) buf)->code : buf[0];
		if (r > 0) {
			ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
		}
	}
	got[4] = '\0';
	(void) pthread_setschedparam(pthread_self(), SCHED_OTHER, &other);
	ck_assert_msg(seen == 3, "the kid never SEND-blocked");
	ck_assert_int_eq(waitpid(k.pid, &st, 0), k.pid);
	k.pid = -1;
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	ck_assert_msg(strcmp(got, "bcMa") == 0, "order %s, want bcMa", got);
	close(k.rd);
	close(k.wr);
	ck_assert_int_eq(ChannelDestroy(chid), 0);
}
END_TEST

/* ---- refused pulses and events leave a trace (issue 10, item 5) ------- */

/* Our own status page's counters, as axon ps reads them. */
static struct axon_ps_proc
page_of(pid_t pid)
{
	struct axon_ps_list l;
	struct axon_ps_proc pr = {0};

	ck_assert_int_eq(axon__ps_collect(axt_rundir, pid, &l), 0);
	for (size_t i = 0; i < l.n; i++) {
		if (l.procs[i].pid == pid) {
			pr = l.procs[i];
			pr.threads = NULL;
			pr.chans = NULL;
			pr.conns = NULL;
		}
	}
	axon__ps_free(&l);
	return pr;
}

/* A server whose effective uid is the attacker's but whose real and
 * saved uids are root's (a set-uid program between two privileged
 * steps): the attacker passes its own check (the server's effective
 * uid is its own) and sends, the server refuses the pulse as QNX does
 * (real or saved uid).  It reports whether a pulse came in 1 s. */
static void
refusing_server(int out, int in, void *arg)
{
	struct _pulse p;
	uint64_t t = 1000000000ull;
	int chid;
	int got;
	char c;

	(void) arg;
	if (setresuid(0, axa_uid, 0) != 0) {
		_exit(97);
	}
	chid = ChannelCreate(0);
	if (write(out, &chid, sizeof(chid)) != (ssize_t) sizeof(chid) ||
	    read(in, &c, 1) != 1) {
		_exit(1);
	}
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &t, NULL);
	got = MsgReceive(chid, &p, sizeof(p), NULL) == 0;
	if (write(out, &got, sizeof(got)) != (ssize_t) sizeof(got) ||
	    read(in, &c, 1) != 1) {
		_exit(1);
	}
	_exit(0);
}

START_TEST(test_refused_pulse_counted)
{
	struct axon_ps_proc pr;
	struct kid srv;
	pid_t pid;
	int chid = -1;
	int got = -1;
	int st;

	if (!axa_user("test_refused_pulse_counted")) {
		return;
	}
	axa_share_rundir(axt_rundir);
	/* The run directory's own directories, made by root for all. */
	ck_assert_int_ge(ChannelCreate(0), 0);
	srv = kid_spawn(refusing_server, NULL);
	ck_assert_int_eq(read(srv.rd, &chid, sizeof(chid)), sizeof(chid));
	ck_assert_int_ge(chid, 0);
	pr = page_of(srv.pid);
	ck_assert_uint_eq(pr.pulses_refused, 0);

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		axa_become();
		int coid = ConnectAttach(0, srv.pid, chid, _NTO_SIDE_CHANNEL, 0);

		/* The sender cannot know: MsgSendPulse succeeds. */
		_exit(coid >= 0 && MsgSendPulse(coid, 10, 5, 77) == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	ck_assert_int_eq(write(srv.wr, "g", 1), 1);
	ck_assert_int_eq(read(srv.rd, &got, sizeof(got)), sizeof(got));
	ck_assert_int_eq(got, 0); /* refused */
	pr = page_of(srv.pid);
	ck_assert_uint_eq(pr.pulses_refused, 1);
	ck_assert_uint_eq(pr.refused_uid, axa_uid);
	ck_assert_int_eq(write(srv.wr, "q", 1), 1);
	kid_kill(&srv);
}
END_TEST

static void *
event_asker(void *arg)
{
	int coid = *(int *) arg;
	char m = 'e';

	(void) MsgSend(coid, &m, 1, NULL, 0);
	return NULL;
}

/* An event the client cannot carry out (its pulse names a connection it
 * does not have): the server's MsgDeliverEvent succeeds, the client's
 * page counts it. */
START_TEST(test_failed_event_counted)
{
	int chid = ChannelCreate(0);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct sigevent ev;
	pthread_t th;
	rcvid_t r;
	char m;
	bool seen = false;

	ck_assert_int_ge(coid, 0);
	ck_assert_uint_eq(page_of(getpid()).events_failed, 0);
	ck_assert_int_eq(pthread_create(&th, NULL, event_asker, &coid), 0);
	r = recv_any(chid, &m, 1, NULL);
	ck_assert_int_gt(r, 0);
	SIGEV_PULSE_INIT(&ev, coid + 500, 10, 3, 0);
	ck_assert_int_eq(MsgDeliverEvent(r, &ev), 0);
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	for (int i = 0; i < 2000 && !seen; i++) {
		seen = page_of(getpid()).events_failed == 1;
		if (!seen) {
			axt_sleep_ms(1);
		}
	}
	ck_assert_msg(seen, "the failed event was not counted");
	ck_assert(no_pulse(chid));
}
END_TEST

/* ---- secure events (MsgRegisterEvent, QNX 7.1) ------------------------ */

struct ev_ask {
	int coid;
	struct sigevent ev;
};

static void *
ev_asker(void *arg)
{
	struct ev_ask *a = arg;

	(void) MsgSend(a->coid, &a->ev, sizeof(a->ev), NULL, 0);
	return NULL;
}

/* The client (a thread) hands ev to the server on schid through coid; the
 * server sets the value to new_value and delivers what it got. */
static void
hand_over(int coid, int schid, const struct sigevent *ev, int new_value)
{
	struct ev_ask a = {.coid = coid, .ev = *ev};
	struct sigevent got;
	pthread_t th;
	rcvid_t r;

	ck_assert_int_eq(pthread_create(&th, NULL, ev_asker, &a), 0);
	r = recv_any(schid, &got, sizeof(got), NULL);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(MsgVerifyEvent(r, &got), 0);
	got.sigev_value.sival_int = new_value;
	ck_assert_int_eq(MsgDeliverEvent(r, &got), 0);
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
}

static unsigned
failed_events(void)
{
	return page_of(getpid()).events_failed;
}

/* Waits (bounded) for the failed-event count to reach n. */
static bool
failed_reaches(unsigned n)
{
	for (int i = 0; i < 2000; i++) {
		if (failed_events() >= n) {
			return failed_events() == n;
		}
		axt_sleep_ms(1);
	}
	return false;
}

START_TEST(test_registered_events)
{
	int schid = ChannelCreate(0);   /* the server */
	int other = ChannelCreate(0);   /* another server */
	int cchid = ChannelCreate(0);   /* the client's own, for pulses */
	int coid = ConnectAttach(0, 0, schid, _NTO_SIDE_CHANNEL, 0);
	int ocoid = ConnectAttach(0, 0, other, _NTO_SIDE_CHANNEL, 0);
	int ccoid = ConnectAttach(0, 0, cchid, _NTO_SIDE_CHANNEL, 0);
	struct sigevent ev;
	struct sigevent plain;
	struct _pulse p;
	unsigned failed = 0;

	ck_assert_int_ge(coid, 0);
	ck_assert_int_ge(ocoid, 0);
	ck_assert_int_ge(ccoid, 0);

	/* Registered for this server: delivered with the registered value
	 * whatever the server puts there. */
	SIGEV_PULSE_INIT(&ev, ccoid, 10, 9, 100);
	plain = ev;
	ck_assert_int_eq(MsgVerifyEvent(0, &plain), 0);
	ck_assert_int_eq(MsgRegisterEvent(&ev, coid), 0);
	ck_assert_int_ne(SIGEV_GET_TYPE(&ev), SIGEV_PULSE); /* a handle now */
	ck_assert_int_eq(MsgVerifyEvent(0, &ev), 0);
	hand_over(coid, schid, &ev, 555);
	ck_assert_int_eq(recv_pulse(cchid, &p), 0);
	ck_assert_int_eq(p.code, 9);
	ck_assert_int_eq(p.value.sival_int, 100);

	/* Another server may not deliver it: nothing comes, the client's
	 * page counts it. */
	hand_over(ocoid, other, &ev, 1);
	ck_assert(failed_reaches(++failed));
	ck_assert(no_pulse(cchid));

	/* Unregistered: no longer delivered, no longer verified. */
	ck_assert_int_eq(MsgUnregisterEvent(&ev), 0);
	ck_assert_int_eq(MsgVerifyEvent(0, &ev), -1);
	ck_assert_int_eq(errno, ESRCH);
	hand_over(coid, schid, &ev, 1);
	ck_assert(failed_reaches(++failed));
	ck_assert(no_pulse(cchid));
	ck_assert_int_eq(MsgUnregisterEvent(&ev), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(MsgUnregisterEvent(&plain), -1);
	ck_assert_int_eq(errno, ESRCH);

	/* Updateable, for any server: the server's value is delivered. */
	SIGEV_PULSE_INIT(&ev, ccoid, 12, 10, 100);
	SIGEV_MAKE_UPDATEABLE(&ev);
	ck_assert_int_eq(MsgRegisterEvent(&ev, -1), 0);
	hand_over(ocoid, other, &ev, 777);
	ck_assert_int_eq(recv_pulse(cchid, &p), 0);
	ck_assert_int_eq(p.code, 10);
	ck_assert_int_eq(p.value.sival_int, 777);
	ck_assert_int_eq(MsgUnregisterEvent(&ev), 0);

	/* A registered signal event. */
	sigset_t set;
	siginfo_t si;
	struct timespec two = {.tv_sec = 2};

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	SIGEV_SIGNAL_VALUE_INIT(&ev, SIGUSR2, 41);
	ck_assert_int_eq(MsgRegisterEvent(&ev, coid), 0);
	hand_over(coid, schid, &ev, 0);
	ck_assert_int_eq(sigtimedwait(&set, &si, &two), SIGUSR2);
	ck_assert_int_eq(si.si_value.sival_int, 41);
	ck_assert_int_eq(MsgUnregisterEvent(&ev), 0);
	ck_assert_uint_eq(failed_events(), failed);
}
END_TEST

/* ConnectFlags(): _NTO_COF_NOEVENT refuses the server's events,
 * _NTO_COF_REG_EVENTS all but registered ones; both are counted on the
 * client's page like any refused event. */
START_TEST(test_connect_flags_events)
{
	int schid = ChannelCreate(0);
	int cchid = ChannelCreate(0);
	int coid = ConnectAttach(0, 0, schid, _NTO_SIDE_CHANNEL, 0);
	int ccoid = ConnectAttach(0, 0, cchid, _NTO_SIDE_CHANNEL, 0);
	unsigned failed = failed_events();
	struct sigevent ev, reg;
	struct _pulse p;

	ck_assert_int_ge(coid, 0);
	ck_assert_int_ge(ccoid, 0);
	SIGEV_PULSE_INIT(&ev, ccoid, 10, 3, 30);
	ck_assert_int_eq(ConnectFlags(0, coid, 0, 0), 0);

	ck_assert_int_eq(ConnectFlags(0, coid, _NTO_COF_NOEVENT,
			     _NTO_COF_NOEVENT),
	    0);
	ck_assert_int_eq(ConnectFlags(0, coid, 0, 0), _NTO_COF_NOEVENT);
	hand_over(coid, schid, &ev, 30);
	ck_assert(failed_reaches(++failed));
	ck_assert(no_pulse(cchid));

	ck_assert_int_eq(ConnectFlags(0, coid, _NTO_COF_NOEVENT, 0),
	    _NTO_COF_NOEVENT);
	hand_over(coid, schid, &ev, 31);
	ck_assert_int_eq(recv_pulse(cchid, &p), 0);
	ck_assert_int_eq(p.code, 3);
	ck_assert_int_eq(p.value.sival_int, 31);

	ck_assert_int_eq(ConnectFlags(0, coid, _NTO_COF_REG_EVENTS,
			     _NTO_COF_REG_EVENTS),
	    0);
	hand_over(coid, schid, &ev, 32);
	ck_assert(failed_reaches(++failed));
	ck_assert(no_pulse(cchid));
	reg = ev;
	ck_assert_int_eq(MsgRegisterEvent(&reg, coid), 0);
	hand_over(coid, schid, &reg, 33);
	ck_assert_int_eq(recv_pulse(cchid, &p), 0);
	ck_assert_int_eq(p.value.sival_int, 30); /* the registered value */
	ck_assert_int_eq(MsgUnregisterEvent(&reg), 0);

	/* A second coid to the same channel shares the connection: the
	 * flag of either applies to both; detaching the flagged one lifts
	 * it. */
	int alias = ConnectAttach(0, 0, schid, _NTO_SIDE_CHANNEL, 0);

	ck_assert_int_ge(alias, 0);
	ck_assert_int_eq(ConnectFlags(0, alias, 0, 0), 0);
	hand_over(alias, schid, &ev, 34);
	ck_assert(failed_reaches(++failed));
	ck_assert(no_pulse(cchid));
	ck_assert_int_eq(ConnectDetach(coid), 0);
	hand_over(alias, schid, &ev, 35);
	ck_assert_int_eq(recv_pulse(cchid, &p), 0);
	ck_assert_int_eq(p.value.sival_int, 35);
	ck_assert_uint_eq(failed_events(), failed);
}
END_TEST

START_TEST(test_connect_flags_errors)
{
	int chid = ChannelCreate(0);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	int fdcoid = ConnectAttach(0, 0, chid, 0, _NTO_COF_CLOEXEC |
					       _NTO_COF_NOSHARE);
	struct _server_info si;

	ck_assert_int_ge(coid, 0);
	ck_assert_int_ge(fdcoid, 0);
	/* CLOEXEC is kept and reported, also by ConnectServerInfo. */
	ck_assert_int_eq(ConnectFlags(0, coid, _NTO_COF_CLOEXEC,
			     _NTO_COF_CLOEXEC),
	    0);
	ck_assert_int_eq(ConnectServerInfo(0, coid, &si), coid);
	ck_assert_int_eq(si.flags & _NTO_COF_CLOEXEC, _NTO_COF_CLOEXEC);
	ck_assert_int_eq(ConnectFlags(getpid(), coid, _NTO_COF_CLOEXEC, 0),
	    _NTO_COF_CLOEXEC);
	ck_assert_int_eq(ConnectServerInfo(0, coid, &si), coid);
	ck_assert_int_eq(si.flags & _NTO_COF_CLOEXEC, 0);
	ck_assert_int_eq(ConnectFlags(0, fdcoid, 0, 0) &
			     (_NTO_COF_CLOEXEC | _NTO_COF_NOSHARE),
	    _NTO_COF_CLOEXEC | _NTO_COF_NOSHARE);

	/* INSECURE can be set, not cleared. */
	ck_assert_int_eq(ConnectFlags(0, coid, _NTO_COF_INSECURE,
			     _NTO_COF_INSECURE),
	    0);
	ck_assert_int_eq(ConnectFlags(0, coid, _NTO_COF_INSECURE, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(ConnectFlags_r(0, coid, 0, 0), _NTO_COF_INSECURE);

	/* Bits that are not the caller's to change, bad ids. */
	ck_assert_int_eq(ConnectFlags(0, coid, _NTO_COF_DEAD, 0), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	ck_assert_int_eq(ConnectFlags_r(0, coid, 0x4000, 0x4000), -ENOTSUP);
	ck_assert_int_eq(ConnectFlags(0, 4000 | _NTO_SIDE_CHANNEL, 0, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(ConnectFlags_r(0, -1, 0, 0), -EBADF);
	ck_assert_int_eq(ConnectFlags_r(1, coid, 0, 0), -ESRCH);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	ck_assert_int_eq(ConnectFlags_r(0, coid, 0, 0), -EBADF);
	ck_assert_int_eq(ConnectDetach(fdcoid), 0);
}
END_TEST

struct cur_arg {
	rcvid_t r;
	int rc, err, policy, prio;
};

static void *
cur_thread(void *p)
{
	struct cur_arg *a = p;
	struct sched_param sp;

	a->rc = MsgCurrent(a->r);
	a->err = errno;
	pthread_getschedparam(pthread_self(), &a->policy, &sp);
	a->prio = sp.sched_priority;
	return NULL;
}

/* MsgCurrent() from an ordinary thread other than the receiver. */
static struct cur_arg
current_from_other_thread(rcvid_t r)
{
	struct cur_arg a = {.r = r, .rc = -2};
	struct sched_param sp = {.sched_priority = 0};
	pthread_attr_t attr;
	pthread_t t;

	pthread_attr_init(&attr);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_OTHER);
	pthread_attr_setschedparam(&attr, &sp);
	ck_assert_int_eq(pthread_create(&t, &attr, cur_thread, &a), 0);
	pthread_attr_destroy(&attr);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	return a;
}

/* MsgCurrent: the calling thread takes on the sender's priority, unless
 * the channel has _NTO_CHF_FIXED_PRIORITY; ESRCH once replied.  MsgPause:
 * ENOSYS. */
START_TEST(test_msg_current)
{
	struct kid k = cli_spawn(25);
	struct kid kf = cli_spawn(25);
	int chid = ChannelCreate(0);
	int fixed = ChannelCreate(_NTO_CHF_FIXED_PRIORITY);
	struct cli_hello h = cli_connect(&k, chid);
	struct _msg_info info;
	struct cur_arg a;
	char buf[64];
	rcvid_t r;

	(void) cli_connect(&kf, fixed);
	cli_cmd(&k, C_SEND, 'm', 8, 0);
	r = recv_any(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(info.priority, h.prio);
	a = current_from_other_thread(r);
	ck_assert_int_eq(a.rc, 0);
	if (h.prio != 10) { /* real-time priorities are allowed here */
		ck_assert_int_eq(a.policy, SCHED_FIFO);
		ck_assert_int_eq(a.prio, h.prio);
	} else {
		fprintf(stderr, "test_msg_current: priority part skipped, no "
				"real-time priorities here\n");
	}
	ck_assert_int_eq(MsgPause(r, (unsigned) r), -1);
	ck_assert_int_eq(errno, ENOSYS);
	ck_assert_int_eq(MsgPause_r(r, 0), -ENOSYS);
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	ck_assert_int_eq(cli_result(&k).ret, 0);
	ck_assert_int_eq(MsgCurrent(r), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(MsgCurrent_r(0), -ESRCH);
	ck_assert_int_eq(MsgCurrent_r(-5), -ESRCH);

	cli_cmd(&kf, C_SEND, 'f', 8, 0);
	r = recv_any(fixed, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	a = current_from_other_thread(r);
	ck_assert_int_eq(a.rc, 0);
	ck_assert_int_eq(a.policy, SCHED_OTHER);
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	ck_assert_int_eq(cli_result(&kf).ret, 0);
	kid_kill(&k);
	kid_kill(&kf);
}
END_TEST

START_TEST(test_registered_event_errors)
{
	int chid = ChannelCreate(0);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct sigevent ev;

	ck_assert_int_eq(MsgRegisterEvent(NULL, coid), -1);
	ck_assert_int_eq(errno, EFAULT);
	SIGEV_PULSE_INIT(&ev, coid, 10, 1, 0);
	ck_assert_int_eq(MsgRegisterEvent(&ev, coid + 100), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(SIGEV_GET_TYPE(&ev), SIGEV_PULSE); /* untouched */
	SIGEV_SIGNAL_INIT(&ev, 0);
	ck_assert_int_eq(MsgRegisterEvent(&ev, coid), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(MsgVerifyEvent(0, &ev), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* Registered twice: the handle is not an event. */
	SIGEV_PULSE_INIT(&ev, coid, 10, 1, 0);
	ck_assert_int_eq(MsgRegisterEvent(&ev, coid), 0);
	ck_assert_int_eq(MsgRegisterEvent(&ev, coid), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(MsgUnregisterEvent(&ev), 0);
	/* A forged handle. */
	ev.sigev_signo ^= 0x400;
	ck_assert_int_eq(MsgVerifyEvent(0, &ev), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(MsgUnregisterEvent_r(&ev), -ESRCH);
	/* A pulse to a connection that does not exist; a dead rcvid. */
	SIGEV_PULSE_INIT(&ev, coid + 100, 10, 1, 0);
	ck_assert_int_eq(MsgVerifyEvent(0, &ev), -1);
	ck_assert_int_eq(errno, ESRCH);
	SIGEV_PULSE_INIT(&ev, coid, 10, 1, 0);
	ck_assert_int_eq(MsgVerifyEvent_r(12345, &ev), -ESRCH);
	ck_assert_int_eq(MsgVerifyEvent(0, NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
}
END_TEST

/* Priority -1 is the caller's priority: 10 for an ordinary thread, its
 * SCHED_FIFO priority for a real-time one. */
struct rt_pulse {
	int coid;
	int rc;
};

static void *
rt_pulser(void *p)
{
	struct rt_pulse *a = p;

	a->rc = MsgSendPulse(a->coid, -1, 'e', 0);
	return NULL;
}

START_TEST(test_pulse_prio_caller)
{
	int chid = ChannelCreate(_NTO_CHF_FIXED_PRIORITY);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	char got[8];
	struct _pulse p;

	ck_assert_int_ge(self, 0);
	ck_assert_int_eq(MsgSendPulse(self, 11, 'a', 0), 0);
	ck_assert_int_eq(MsgSendPulse(self, -1, 'b', 0), 0);
	ck_assert_int_eq(MsgSendPulse(self, 9, 'c', 0), 0);
	ck_assert_int_eq(MsgSendPulse(self, 10, 'd', 0), 0);
	ck_assert(axt_settle());
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(recv_pulse(chid, &p), 0);
		got[i] = (char) p.code;
	}
	got[4] = '\0';
	ck_assert_msg(strcmp(got, "abdc") == 0, "order %s", got);

	/* A SCHED_FIFO 30 thread. */
	pthread_attr_t attr;
	struct sched_param sp = {.sched_priority = 30};
	struct rt_pulse a = {self, -2};
	pthread_t t;
	pthread_attr_init(&attr);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
	pthread_attr_setschedparam(&attr, &sp);
	if (pthread_create(&t, &attr, rt_pulser, &a) != 0) {
		pthread_attr_destroy(&attr);
		return; /* no real-time priorities here */
	}
	pthread_attr_destroy(&attr);
	pthread_join(t, NULL);
	ck_assert_int_eq(a.rc, 0);
	ck_assert_int_eq(MsgSendPulse(self, 31, 'f', 0), 0);
	ck_assert_int_eq(MsgSendPulse(self, 30, 'g', 0), 0);
	ck_assert_int_eq(MsgSendPulse(self, 29, 'h', 0), 0);
	ck_assert(axt_settle());
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(recv_pulse(chid, &p), 0);
		got[i] = (char) p.code;
	}
	got[4] = '\0';
	ck_assert_msg(strcmp(got, "fegh") == 0, "order %s", got);
}
END_TEST

/* MsgReceivePulse skips messages; they stay queued for MsgReceive. */
START_TEST(test_receive_pulse_skips_messages)
{
	struct kid k1 = cli_spawn(0);
	struct kid k2 = cli_spawn(40); /* higher, if allowed */
	int chid = ChannelCreate(_NTO_CHF_FIXED_PRIORITY);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct cli_hello h1 = cli_connect(&k1, chid);
	struct cli_hello h2 = cli_connect(&k2, chid);
	struct _msg_info info;
	struct _pulse p;
	char buf[64];
	rcvid_t r;
	iov_t iov;

	cli_cmd(&k1, C_SEND, 'A', 10, 0);
	ck_assert(wait_blocked(k1.pid, h1.tid));
	cli_cmd(&k2, C_SEND, 'B', 10, 0);
	ck_assert(wait_blocked(k2.pid, h2.tid));
	ck_assert_int_eq(MsgSendPulse(self, 10, 7, 70), 0);
	ck_assert_int_eq(MsgSendPulse(self, 1, 8, 80), 0);
	ck_assert(axt_settle());
	ck_assert_int_eq(recv_pulse(chid, &p), 0);
	ck_assert_int_eq(p.code, 7);
	ck_assert_int_eq(p.value.sival_int, 70);
	SETIOV(&iov, &p, sizeof(p));
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &two_s, NULL);
	ck_assert_int_eq(MsgReceivePulsev(chid, &iov, 1, NULL), 0);
	ck_assert_int_eq(p.code, 8);
	/* No pulse left; the messages were not taken. */
	ck_assert(no_pulse(chid));
	ck_assert(!kid_has_data(&k1));
	ck_assert(!kid_has_data(&k2));
	/* MsgReceive gets them. */
	for (int i = 0; i < 2; i++) {
		r = recv_any(chid, buf, sizeof(buf), &info);
		ck_assert_int_gt(r, 0);
		ck_assert(info.pid == k1.pid || info.pid == k2.pid);
		if (h2.prio > 10) {
			ck_assert_int_eq(buf[0], i == 0 ? 'B' : 'A');
		}
		ck_assert_int_eq(MsgReply(r, 4 + i, NULL, 0), 0);
	}
	ck_assert_int_ge(cli_result(&k1).ret, 4);
	ck_assert_int_ge(cli_result(&k2).ret, 4);
	kid_kill(&k1);
	kid_kill(&k2);
}
END_TEST

/*
 * A MsgReceivePulse never takes a message's wake-up: a message goes to
 * the MsgReceive that waits with it, and the pulse-only receiver sleeps
 * on (it is not even woken: its voluntary context switches do not move).
 * The two go to sleep in both orders, since which sleeper a wake-up
 * reaches is the kernel's choice.
 */
struct rcv_thread {
	pthread_t th;
	int chid;
	int count; /* MsgReceive: messages to take and answer */
	_Atomic pid_t tid;
	long ret;
	long raw; /* what the last MsgReceive returned */
	char buf[64];
};

static void *
pulse_only_main(void *p)
{
	struct rcv_thread *t = p;
	struct _pulse pl;

	atomic_store(&t->tid, my_tid());
	t->ret = recv_pulse(t->chid, &pl);
	return NULL;
}

static void *
msg_main(void *p)
{
	struct rcv_thread *t = p;

	atomic_store(&t->tid, my_tid());
	for (int i = 0; i < t->count; i++) {
		t->ret = (long) recv_any(t->chid, t->buf, sizeof(t->buf),
		    NULL);
		t->raw = t->ret;
		if (t->ret <= 0 || t->buf[0] != 'M' ||
		    MsgReply((rcvid_t) t->ret, 6, NULL, 0) != 0) {
			t->ret = -1;
			break;
		}
	}
	return NULL;
}

/* Thread tid of this process sleeps in a receive (epoll or ppoll). */
static bool
sleeps_receiving(struct rcv_thread *t)
{
	for (int i = 0; i < 2000; i++) {
		pid_t tid = atomic_load(&t->tid);

		if (tid > 0 &&
		    (axt_in_epoll_wait(tid) || in_syscall(getpid(), tid, SYS_ppoll))) {
			return true;
		}
		axt_sleep_ms(1);
	}
	return false;
}

/* voluntary_ctxt_switches of thread tid of this process. */
static long
vol_switches(pid_t tid)
{
	char path[96];
	char line[128];
	long v = -1;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int) tid);
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1) {
			break;
		}
	}
	fclose(f);
	return v;
}

START_TEST(test_pulse_receiver_passes_messages_on)
{
	struct kid k = cli_spawn(0);
	int chid = ChannelCreate(0);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	enum { MSGS = 20 };

	cli_connect(&k, chid);
	for (int round = 0; round < 4; round++) {
		struct rcv_thread pt = {.chid = chid};
		struct rcv_thread mt = {.chid = chid, .count = MSGS};
		struct rcv_thread *first = round % 2 ? &pt : &mt;
		struct rcv_thread *second = round % 2 ? &mt : &pt;

		ck_assert_int_eq(pthread_create(&first->th, NULL,
				     first == &pt ? pulse_only_main : msg_main,
				     first), 0);
		ck_assert(sleeps_receiving(first));
		ck_assert_int_eq(pthread_create(&second->th, NULL,
				     second == &pt ? pulse_only_main : msg_main,
				     second), 0);
		ck_assert(sleeps_receiving(second));
		long sw = vol_switches(pt.tid);
		for (int i = 0; i < MSGS; i++) {
			cli_cmd(&k, C_SEND, 'M', 10, 0);
			ck_assert_int_eq(cli_result(&k).ret, 6);
		}
		pthread_join(mt.th, NULL);
		ck_assert_msg(mt.ret > 0, "round %d: MsgReceive gave %ld",
		    round, mt.ret);
		ck_assert_msg(vol_switches(pt.tid) == sw,
		    "round %d: the pulse receiver woke %ld times", round,
		    vol_switches(pt.tid) - sw);
		ck_assert_int_eq(MsgSendPulse(self, 10, 3, round), 0);
		pthread_join(pt.th, NULL);
		ck_assert_int_eq(pt.ret, 0);
	}
	kid_kill(&k);
}
END_TEST

/* The eventpoll descriptors of this process, as a bitmap. */
static void
epoll_fds(char *has, int max)
{
	char path[64];
	char link[64];

	for (int fd = 0; fd < max; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(path, link, sizeof(link) - 1);

		has[fd] = 0;
		if (n > 0) {
			link[n] = '\0';
			has[fd] = strcmp(link, "anon_inode:[eventpoll]") == 0;
		}
	}
}

static void *
cancel_me(void *p)
{
	struct rcv_thread *t = p;
	char b[64];

	atomic_store(&t->tid, my_tid());
	(void) MsgReceive(t->chid, b, sizeof(b), NULL);
	return NULL;
}

/*
 * A receiver cancelled in its sleep may take bell events with it (glibc
 * acts on a cancellation even as the wait returns): the messages they
 * announced must still reach the other receivers.  Here the event is
 * taken deterministically (the test reads it off the channel's epoll set
 * itself), then a sleeping receiver is cancelled: the one left must get
 * the message.
 */
START_TEST(test_cancelled_receiver_loses_nothing)
{
	struct kid k = cli_spawn(0);
	enum { MAXFD = 1024 };
	static char before[MAXFD], after[MAXFD];
	int warm = ChannelCreate(0); /* (starts the monitor and its set) */

	epoll_fds(before, MAXFD);
	int chid = ChannelCreate(0);
	epoll_fds(after, MAXFD);
	int epfd = -1;
	for (int fd = 0; fd < MAXFD; fd++) {
		if (after[fd] && !before[fd]) {
			epfd = fd;
		}
	}
	ck_assert_int_ge(epfd, 0);
	struct cli_hello h = cli_connect(&k, chid);

	cli_cmd(&k, C_SEND, 'M', 10, 0);
	ck_assert(wait_blocked(k.pid, h.tid));
	/* The bell rang with nobody asleep: take its event away. */
	struct epoll_event ev[4];
	ck_assert_int_eq(epoll_wait(epfd, ev, 4, 1000), 1);

	struct rcv_thread keep = {.chid = chid, .count = 1};
	struct rcv_thread gone = {.chid = chid};
	ck_assert_int_eq(pthread_create(&keep.th, NULL, msg_main, &keep), 0);
	ck_assert(sleeps_receiving(&keep));
	ck_assert_int_eq(pthread_create(&gone.th, NULL, cancel_me, &gone), 0);
	ck_assert(sleeps_receiving(&gone));
	ck_assert(!kid_has_data(&k));
	ck_assert_int_eq(pthread_cancel(gone.th), 0);
	pthread_join(gone.th, NULL);
	pthread_join(keep.th, NULL);
	ck_assert_msg(keep.ret > 0, "the message was lost (MsgReceive: %ld)",
	    keep.ret);
	ck_assert_int_eq(cli_result(&k).ret, 6);
	ChannelDestroy(warm);
	kid_kill(&k);
}
END_TEST

/* A signal handler that keeps its thread away a while. */
static atomic_int in_handler;

static void
slow_handler(int sig)
{
	(void) sig;
	struct timespec ts = {0, 150000000};

	atomic_store(&in_handler, 1);
	nanosleep(&ts, NULL);
}

static void *
pulse_eintr_main(void *p)
{
	struct rcv_thread *t = p;
	struct _pulse pl;

	atomic_store(&t->tid, my_tid());
	t->ret = MsgReceivePulse_r(t->chid, &pl, sizeof(pl), NULL);
	return NULL;
}

/*
 * A receiver that leaves without taking anything (here a MsgReceivePulse
 * interrupted by a signal) may have been the one a wake-up was meant
 * for: it was still counted asleep when a pulse came.  It passes the
 * wake-up on, and the MsgReceive asleep beside it gets the pulse.
 */
START_TEST(test_leaving_receiver_passes_wakeup_on)
{
	int chid = ChannelCreate(0);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct sigaction sa = {.sa_handler = slow_handler};
	struct rcv_thread mt = {.chid = chid, .count = 1};
	struct rcv_thread pt = {.chid = chid};

	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	ck_assert_int_eq(pthread_create(&mt.th, NULL, msg_main, &mt), 0);
	ck_assert(sleeps_receiving(&mt));
	ck_assert_int_eq(pthread_create(&pt.th, NULL, pulse_eintr_main, &pt),
	    0);
	ck_assert(sleeps_receiving(&pt));
	ck_assert_int_eq(pthread_kill(pt.th, SIGUSR1), 0);
	/* In its handler: its wait has returned EINTR, and it is still
	 * counted asleep. */
	for (int i = 0; i < 2000 && !atomic_load(&in_handler); i++) {
		axt_sleep_ms(1);
	}
	ck_assert(atomic_load(&in_handler));
	ck_assert_int_eq(MsgSendPulse(self, 10, 5, 55), 0);
	pthread_join(pt.th, NULL);
	ck_assert_int_eq(pt.ret, -EINTR);
	pthread_join(mt.th, NULL);
	ck_assert_msg(mt.raw == 0, "the MsgReceive did not get the pulse "
	    "(%ld)", mt.raw);
	ck_assert_int_eq(((struct _pulse *) mt.buf)->code, 5);
	signal(SIGUSR1, SIG_DFL);
}
END_TEST

/* A server kid that only exists to be connected to (and killed). */
static void
idle_server(int out, int in, void *p)
{
	int chid = ChannelCreate(0);
	char c;

	(void) p;
	put(out, &chid, sizeof(chid));
	(void) get(in, &c, 1);
}

START_TEST(test_pulse_errors)
{
	struct kid srv = kid_spawn(idle_server, NULL);
	int chid = ChannelCreate(0);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	int fdcoid = ConnectAttach(0, 0, chid, 0, 0);
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int bad_codes[] = {128, 200, -129, INT_MAX, INT_MIN};
	int bad_prios[] = {-2, 256, 1000, INT_MIN};
	struct _pulse p;

	ck_assert_int_ge(self, 0);
	ck_assert_int_ge(fdcoid, 0);
	for (size_t i = 0; i < sizeof(bad_codes) / sizeof(bad_codes[0]); i++) {
		errno = 0;
		ck_assert_int_eq(MsgSendPulse(self, 10, bad_codes[i], 0), -1);
		ck_assert_int_eq(errno, EINVAL);
		errno = 4242;
		ck_assert_int_eq(MsgSendPulse_r(self, 10, bad_codes[i], 0),
		    -EINVAL);
		ck_assert_int_eq(errno, 4242);
	}
	for (size_t i = 0; i < sizeof(bad_prios) / sizeof(bad_prios[0]); i++) {
		errno = 0;
		ck_assert_int_eq(MsgSendPulse(self, bad_prios[i], 1, 0), -1);
		ck_assert_int_eq(errno, EINVAL);
		errno = 4242;
		ck_assert_int_eq(MsgSendPulse_r(self, bad_prios[i], 1, 0),
		    -EINVAL);
		ck_assert_int_eq(errno, 4242);
	}
	/* None of those was queued; the limits themselves are fine. */
	ck_assert(axt_settle());
	ck_assert(no_pulse(chid));
	ck_assert_int_eq(MsgSendPulse(self, 255, 127, 1), 0);
	ck_assert_int_eq(MsgSendPulse(fdcoid, 1, -128, 2), 0);
	ck_assert_int_eq(MsgSendPulse(self, 0, 0, 3), 0);
	ck_assert_int_eq(recv_pulse(chid, &p), 0);
	ck_assert_int_eq(p.code, 127);
	ck_assert_int_eq(recv_pulse(chid, &p), 0);
	ck_assert_int_eq(p.value.sival_int, 2);
	ck_assert_int_eq(p.code, -128);
	ck_assert_int_eq(recv_pulse(chid, &p), 0);
	ck_assert_int_eq(p.value.sival_int, 3);

	/* Bad coids: EBADF. */
	int bad[] = {_NTO_SIDE_CHANNEL | 12345, _NTO_SIDE_CHANNEL | 32767, -1,
	    devnull, 0x3fffffff, INT_MAX};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ck_assert_msg(MsgSendPulse(bad[i], 10, 1, 0) == -1, "coid %#x",
		    bad[i]);
		ck_assert_int_eq(errno, EBADF);
		errno = 4242;
		ck_assert_int_eq(MsgSendPulse_r(bad[i], 10, 1, 0), -EBADF);
		ck_assert_int_eq(errno, 4242);
	}
	/* A detached coid. */
	ck_assert_int_eq(ConnectDetach(fdcoid), 0);
	ck_assert_int_eq(MsgSendPulse_r(fdcoid, 10, 1, 0), -EBADF);
	/* A coid whose server died (bounded wait for the death to be
	 * noticed). */
	int schid;
	ck_assert(kid_get(&srv, &schid, sizeof(schid)));
	int dead = ConnectAttach(0, srv.pid, schid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(dead, 0);
	ck_assert_int_eq(MsgSendPulse(dead, 10, 1, 0), 0);
	kid_kill(&srv);
	int rc = 0;
	for (int i = 0; i < 2000 && rc != -EBADF; i++) {
		rc = MsgSendPulse_r(dead, 10, 1, 0);
		if (rc != -EBADF) {
			axt_sleep_ms(1);
		}
	}
	ck_assert_int_eq(rc, -EBADF);
	ck_assert_int_eq(ConnectDetach(dead), 0);
	(void) close(devnull);
}
END_TEST

/* ---- events ----------------------------------------------------------- */

/*
 * An event server kid: receives a request carrying two sigevents, replies
 * at once (EV_SAVE) or not (EV_HOLD), reports the sender's tid, then runs
 * commands on that rcvid, reporting each result, until K_NEXT.
 */
struct evreq {
	int op;
	struct sigevent ev;
	struct sigevent ev2;
};

enum { EV_SAVE = 1, EV_HOLD };
enum { K_DELIVER = 1, K_DELIVER2, K_REPLY, K_ERROR, K_NEXT };

struct kcmd {
	int op;
	long arg;
};

static void
event_server(int out, int in, void *p)
{
	unsigned flags = p != NULL ? *(unsigned *) p : 0;
	int chid = ChannelCreate(flags);

	put(out, &chid, sizeof(chid));
	for (;;) {
		struct _msg_info info;
		struct evreq req;
		rcvid_t r = MsgReceive(chid, &req, sizeof(req), &info);
		pid_t tid;

		if (r < 0) {
			_exit(3);
		}
		if (r == 0) {
			continue;
		}
		if (req.op == EV_SAVE) {
			MsgReply(r, 0, NULL, 0);
		}
		tid = info.tid;
		put(out, &tid, sizeof(tid));
		for (;;) {
			struct kcmd c;
			int rc;

			if (!get(in, &c, sizeof(c))) {
				_exit(0);
			}
			if (c.op == K_NEXT) {
				break;
			}
			switch (c.op) {
			case K_DELIVER:
				rc = MsgDeliverEvent_r(r, &req.ev);
				break;
			case K_DELIVER2:
				rc = MsgDeliverEvent_r(r, &req.ev2);
				break;
			case K_REPLY:
				rc = MsgReply_r(r, c.arg, NULL, 0);
				break;
			default:
				rc = MsgError_r(r, (int) c.arg);
				break;
			}
			put(out, &rc, sizeof(rc));
		}
	}
}

static int
ev_start(struct kid *k, unsigned *flags)
{
	int chid;
	int coid;

	*k = kid_spawn(event_server, flags);
	ck_assert(kid_get(k, &chid, sizeof(chid)));
	ck_assert_int_gt(chid, 0);
	coid = ConnectAttach(0, k->pid, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	return coid;
}

/* Runs a command in the event server; returns its result. */
static int
ev_do(struct kid *k, int op, long arg)
{
	struct kcmd c = {op, arg};
	int rc;

	kid_cmd(k, &c, sizeof(c));
	if (op == K_NEXT) {
		return 0;
	}
	ck_assert_msg(kid_get(k, &rc, sizeof(rc)), "event server silent");
	return rc;
}

static pid_t
ev_received(struct kid *k)
{
	pid_t tid = 0;

	ck_assert_msg(kid_get(k, &tid, sizeof(tid)),
	    "event server got no request");
	return tid;
}

/* A thread that sends one request and records the result. */
struct ev_sender {
	int coid;
	struct evreq req;
	long ret;
	int err;
	pid_t tid;
	int done; /* atomic */
};

static void *
ev_send_thread(void *p)
{
	struct ev_sender *s = p;

	s->tid = my_tid();
	errno = 0;
	s->ret = MsgSend(s->coid, &s->req, sizeof(s->req), NULL, 0);
	s->err = errno;
	__atomic_store_n(&s->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static bool
join_bounded(pthread_t t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 3;
	return pthread_timedjoin_np(t, NULL, &ts) == 0;
}

START_TEST(test_event_pulse)
{
	struct kid srv;
	int coid = ev_start(&srv, NULL);
	int mych = ChannelCreate(_NTO_CHF_PRIVATE);
	int self = ConnectAttach(0, 0, mych, _NTO_SIDE_CHANNEL, 0);
	struct evreq req = {.op = EV_SAVE};
	struct _pulse p;

	ck_assert_int_ge(self, 0);
	SIGEV_PULSE_INIT(&req.ev, self, 15, 42, 4242);
	SIGEV_PULSE_INT_INIT(&req.ev2, self, SIGEV_PULSE_PRIO_INHERIT, 7, -7);
	ck_assert_int_eq(MsgSend(coid, &req, sizeof(req), NULL, 0), 0);
	ck_assert_int_eq(ev_received(&srv), my_tid());
	/* Replied; nothing delivered yet. */
	ck_assert(axt_settle());
	ck_assert(no_pulse(mych));
	/* Delivered later, on the saved rcvid. */
	ck_assert_int_eq(ev_do(&srv, K_DELIVER, 0), 0);
	ck_assert_int_eq(recv_pulse(mych, &p), 0);
	ck_assert_int_eq(p.type, _PULSE_TYPE);
	ck_assert_int_eq(p.subtype, _PULSE_SUBTYPE);
	ck_assert_int_eq(p.code, 42);
	ck_assert_int_eq(p.value.sival_int, 4242);
	ck_assert(p.scoid & _NTO_SIDE_CHANNEL);
	/* As often as the server likes. */
	ck_assert_int_eq(ev_do(&srv, K_DELIVER, 0), 0);
	ck_assert_int_eq(ev_do(&srv, K_DELIVER2, 0), 0);
	ck_assert_int_eq(recv_pulse(mych, &p), 0);
	ck_assert_int_eq(p.code, 42);
	ck_assert_int_eq(recv_pulse(mych, &p), 0);
	ck_assert_int_eq(p.code, 7);
	ck_assert_int_eq(p.value.sival_int, -7);
	ck_assert(axt_settle());
	ck_assert(no_pulse(mych));
	ck_assert_int_eq(ev_do(&srv, K_NEXT, 0), 0);

	/* Delivered while the client is still REPLY-blocked. */
	struct ev_sender s = {.coid = coid, .req = {.op = EV_HOLD}};
	pthread_t t;
	SIGEV_PULSE_INIT(&s.req.ev, self, 12, 3, 33);
	ck_assert_int_eq(pthread_create(&t, NULL, ev_send_thread, &s), 0);
	(void) ev_received(&srv);
	ck_assert_int_eq(ev_do(&srv, K_DELIVER, 0), 0);
	ck_assert_int_eq(recv_pulse(mych, &p), 0);
	ck_assert_int_eq(p.code, 3);
	ck_assert_int_eq(p.value.sival_int, 33);
	ck_assert(!__atomic_load_n(&s.done, __ATOMIC_SEQ_CST));
	ck_assert_int_eq(ev_do(&srv, K_REPLY, 9), 0);
	ck_assert(join_bounded(t));
	ck_assert_int_eq(s.ret, 9);
	kid_kill(&srv);
}
END_TEST

/* Where signal sig is pending: 1 on thread tid only, 2 process-wide,
 * 3 on another thread, 0 nowhere. */
static uint64_t
status_mask(pid_t tid, const char *field)
{
	char path[96];
	char buf[4096];
	ssize_t n;
	int fd;
	char *at;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int) tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	(void) close(fd);
	if (n <= 0) {
		return 0;
	}
	buf[n] = '\0';
	at = strstr(buf, field);
	if (at == NULL) {
		return 0;
	}
	return strtoull(at + strlen(field), NULL, 16);
}

static int
pending_where(int sig, pid_t tid)
{
	uint64_t bit = 1ull << (sig - 1);
	DIR *d;
	struct dirent *e;
	int where = 0;

	if (status_mask(my_tid(), "ShdPnd:") & bit) {
		return 2;
	}
	if (tid > 0 && (status_mask(tid, "SigPnd:") & bit)) {
		where = 1;
	}
	d = opendir("/proc/self/task");
	if (d == NULL) {
		return where;
	}
	while ((e = readdir(d)) != NULL) {
		pid_t t;

		if (e->d_name[0] == '.') {
			continue;
		}
		t = (pid_t) atoi(e->d_name);
		if (t != tid && (status_mask(t, "SigPnd:") & bit)) {
			where = 3;
		}
	}
	closedir(d);
	return where;
}

static int
wait_pending(int sig, pid_t tid)
{
	for (int i = 0; i < 2000; i++) {
		int w = pending_where(sig, tid);

		if (w != 0) {
			return w;
		}
		axt_sleep_ms(1);
	}
	return 0;
}

static int
take_signal(int sig, siginfo_t *si)
{
	sigset_t one;
	struct timespec ts = {2, 0};

	sigemptyset(&one);
	sigaddset(&one, sig);
	return sigtimedwait(&one, si, &ts);
}

static void
block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 1);
	ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, &set, NULL), 0);
}

static bool
nothing_pending(void)
{
	sigset_t set;

	sigpending(&set);
	return !sigismember(&set, SIGUSR1) && !sigismember(&set, SIGUSR2) &&
	    !sigismember(&set, SIGRTMIN) && !sigismember(&set, SIGRTMIN + 1);
}

START_TEST(test_event_signal)
{
	struct kid srv;
	struct evreq req = {.op = EV_SAVE};
	siginfo_t si;
	int coid;

	/* Before any thread exists, so that all of them block these. */
	block_signals();
	coid = ev_start(&srv, NULL);

	/* SIGEV_SIGNAL, to the process. */
	SIGEV_SIGNAL_INIT(&req.ev, SIGUSR1);
	SIGEV_SIGNAL_VALUE_INIT(&req.ev2, SIGUSR2, 77);
	ck_assert_int_eq(MsgSend(coid, &req, sizeof(req), NULL, 0), 0);
	(void) ev_received(&srv);
	ck_assert(nothing_pending());
	ck_assert_int_eq(ev_do(&srv, K_DELIVER, 0), 0);
	ck_assert_int_eq(wait_pending(SIGUSR1, 0), 2);
	memset(&si, 0, sizeof(si));
	ck_assert_int_eq(take_signal(SIGUSR1, &si), SIGUSR1);
	ck_assert_int_eq(si.si_signo, SIGUSR1);
	ck_assert_int_eq(ev_do(&srv, K_DELIVER2, 0), 0);
	memset(&si, 0, sizeof(si));
	ck_assert_int_eq(take_signal(SIGUSR2, &si), SIGUSR2);
	ck_assert_int_eq(si.si_value.sival_int, 77);
	ck_assert_int_eq(ev_do(&srv, K_NEXT, 0), 0);

	/* SIGEV_SIGNAL_CODE: the value arrives; real-time signals queue in
	 * order. */
	SIGEV_SIGNAL_CODE_INIT(&req.ev, SIGRTMIN, 78, 5);
	SIGEV_SIGNAL_CODE_INIT(&req.ev2, SIGRTMIN, 79, 6);
	ck_assert_int_eq(MsgSend(coid, &req, sizeof(req), NULL, 0), 0);
	(void) ev_received(&srv);
	ck_assert_int_eq(ev_do(&srv, K_DELIVER, 0), 0);
	ck_assert_int_eq(ev_do(&srv, K_DELIVER2, 0), 0);
	ck_assert_int_eq(ev_do(&srv, K_DELIVER, 0), 0);
	int vals[] = {78, 79, 78};
	for (int i = 0; i < 3; i++) {
		memset(&si, 0, sizeof(si));
		ck_assert_int_eq(take_signal(SIGRTMIN, &si), SIGRTMIN);
		ck_assert_int_eq(si.si_value.sival_int, vals[i]);
	}
	ck_assert(nothing_pending());
	kid_kill(&srv);
}
END_TEST

/* SIGEV_SIGNAL_THREAD goes to the thread that sent the message. */
struct sig_thread {
	int coid;
	struct evreq req;
	int ready[2]; /* thread -> main: sent */
	int go[2];    /* main -> thread: take the signal now */
	pid_t tid;
	long ret;
	int got;
	int value;
};

static void *
sig_thread_main(void *p)
{
	struct sig_thread *s = p;
	sigset_t one;
	siginfo_t si;
	struct timespec zero = {0, 0};
	char c = 'r';

	s->tid = my_tid();
	s->ret = MsgSend(s->coid, &s->req, sizeof(s->req), NULL, 0);
	if (write(s->ready[1], &c, 1) != 1 || read(s->go[0], &c, 1) != 1) {
		return NULL;
	}
	sigemptyset(&one);
	sigaddset(&one, SIGUSR1);
	memset(&si, 0, sizeof(si));
	s->got = sigtimedwait(&one, &si, &zero);
	s->value = si.si_value.sival_int;
	return NULL;
}

START_TEST(test_event_signal_thread)
{
	struct kid srv;
	struct sig_thread s;
	pthread_t t;
	char c;

	block_signals();
	memset(&s, 0, sizeof(s));
	s.coid = ev_start(&srv, NULL);
	s.req.op = EV_SAVE;
	SIGEV_SIGNAL_THREAD_INIT(&s.req.ev, SIGUSR1, 99, 3);
	ck_assert_int_eq(pipe(s.ready), 0);
	ck_assert_int_eq(pipe(s.go), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, sig_thread_main, &s), 0);
	ck_assert_int_eq(read(s.ready[0], &c, 1), 1);
	ck_assert_int_eq(s.ret, 0);
	ck_assert_int_eq(ev_received(&srv), s.tid);
	ck_assert_int_ne(s.tid, my_tid());
	ck_assert_int_eq(ev_do(&srv, K_DELIVER, 0), 0);
	/* Pending on that thread, not on the process or another thread. */
	ck_assert_int_eq(wait_pending(SIGUSR1, s.tid), 1);
	ck_assert_int_eq(write(s.go[1], "g", 1), 1);
	ck_assert(join_bounded(t));
	ck_assert_int_eq(s.got, SIGUSR1);
	ck_assert_int_eq(s.value, 99);
	ck_assert(nothing_pending());
	kid_kill(&srv);
}
END_TEST

/* SIGEV_NONE: accepted, and nothing happens. */
START_TEST(test_event_none)
{
	struct kid srv;
	struct evreq req = {.op = EV_SAVE};
	int coid, mych, self;
	struct _pulse p;

	block_signals();
	coid = ev_start(&srv, NULL);
	mych = ChannelCreate(_NTO_CHF_PRIVATE);
	self = ConnectAttach(0, 0, mych, _NTO_SIDE_CHANNEL, 0);
	/* Garbage in the other fields does not matter. */
	memset(&req.ev, 0x5c, sizeof(req.ev));
	SIGEV_NONE_INIT(&req.ev);
	ck_assert_int_eq(SIGEV_GET_TYPE(&req.ev), SIGEV_NONE);
	/* A marker, delivered after it over the same connection. */
	SIGEV_PULSE_INIT(&req.ev2, self, 10, 55, 0);
	ck_assert_int_eq(MsgSend(coid, &req, sizeof(req), NULL, 0), 0);
	(void) ev_received(&srv);
	ck_assert_int_eq(ev_do(&srv, K_DELIVER, 0), 0);
	ck_assert_int_eq(ev_do(&srv, K_DELIVER, 0), 0);
	ck_assert_int_eq(ev_do(&srv, K_DELIVER2, 0), 0);
	ck_assert_int_eq(recv_pulse(mych, &p), 0);
	ck_assert_int_eq(p.code, 55);
	ck_assert(axt_settle());
	ck_assert(no_pulse(mych));
	ck_assert(nothing_pending());
	kid_kill(&srv);
}
END_TEST

/* SIGEV_UNBLOCK to a REPLY-blocked client: released with ETIMEDOUT; the
 * server's later reply fails. */
START_TEST(test_event_unblock_reply_blocked)
{
	struct kid srv;
	int coid = ev_start(&srv, NULL);
	struct ev_sender s = {.coid = coid, .req = {.op = EV_HOLD}};
	pthread_t t;

	SIGEV_UNBLOCK_INIT(&s.req.ev);
	ck_assert_int_eq(pthread_create(&t, NULL, ev_send_thread, &s), 0);
	(void) ev_received(&srv);
	ck_assert(!__atomic_load_n(&s.done, __ATOMIC_SEQ_CST));
	ck_assert_int_eq(ev_do(&srv, K_DELIVER, 0), 0);
	ck_assert(join_bounded(t));
	ck_assert_int_eq(s.ret, -1);
	ck_assert_int_eq(s.err, ETIMEDOUT);
	ck_assert_int_eq(ev_do(&srv, K_REPLY, 5), -ESRCH);
	ck_assert_int_eq(ev_do(&srv, K_NEXT, 0), 0);
	/* The connection goes on working. */
	struct evreq req = {.op = EV_SAVE};
	SIGEV_NONE_INIT(&req.ev);
	ck_assert_int_eq(MsgSend(coid, &req, sizeof(req), NULL, 0), 0);
	kid_kill(&srv);
}
END_TEST

/* SIGEV_UNBLOCK to a SEND-blocked client, on the rcvid of its previous
 * (answered) message: the new message is withdrawn with ETIMEDOUT and the
 * server never sees it. */
START_TEST(test_event_unblock_send_blocked)
{
	struct kid k = cli_spawn(0);
	int chid = ChannelCreate(0);
	struct cli_hello h = cli_connect(&k, chid);
	struct sigevent ev;
	struct _msg_info info;
	struct cres res;
	char buf[64];
	rcvid_t r1, r;

	cli_cmd(&k, C_SEND, '1', 4, 0);
	r1 = recv_any(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r1, 0);
	ck_assert_int_eq(MsgReply(r1, 1, NULL, 0), 0);
	ck_assert_int_eq(cli_result(&k).ret, 1);
	/* Message 2: nobody receives it. */
	cli_cmd(&k, C_SEND, '2', 4, 0);
	ck_assert(wait_blocked(k.pid, h.tid));
	SIGEV_UNBLOCK_INIT(&ev);
	ck_assert_int_eq(MsgDeliverEvent(r1, &ev), 0);
	res = cli_result(&k);
	ck_assert_int_eq(res.ret, -1);
	ck_assert_int_eq(res.err, ETIMEDOUT);
	/* Message 3 is the next one the server gets. */
	cli_cmd(&k, C_SEND, '3', 4, 0);
	r = recv_any(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(buf[0], '3');
	ck_assert_int_eq(MsgReply(r, 3, NULL, 0), 0);
	ck_assert_int_eq(cli_result(&k).ret, 3);
	kid_kill(&k);
}
END_TEST

/* On a channel with _NTO_CHF_UNBLOCK the client stays REPLY-blocked and
 * the server gets an unblock pulse; MsgError(rcvid, -1) forwards
 * ETIMEDOUT. */
START_TEST(test_event_unblock_chf_unblock)
{
	struct kid k = cli_spawn(0);
	int chid = ChannelCreate(_NTO_CHF_UNBLOCK);
	(void) cli_connect(&k, chid);
	struct sigevent ev;
	struct _msg_info info;
	struct cres res;
	char buf[64];
	rcvid_t r;

	cli_cmd(&k, C_SEND, 'u', 4, 0);
	r = recv_any(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	SIGEV_UNBLOCK_INIT(&ev);
	ck_assert_int_eq(MsgDeliverEvent(r, &ev), 0);
	ck_assert_int_eq(recv_any(chid, buf, sizeof(buf), NULL), 0);
	struct _pulse *p = (struct _pulse *) buf;
	ck_assert_int_eq(p->code, _PULSE_CODE_UNBLOCK);
	ck_assert_int_eq(p->value.sival_int, (int) r);
	ck_assert_int_eq(MsgInfo(r, &info), 0);
	ck_assert(info.flags & _NTO_MI_UNBLOCK_REQ);
	ck_assert(!kid_has_data(&k));
	ck_assert_int_eq(MsgError(r, -1), 0);
	res = cli_result(&k);
	ck_assert_int_eq(res.ret, -1);
	ck_assert_int_eq(res.err, ETIMEDOUT);
	kid_kill(&k);
}
END_TEST

/*
 * A SIGEV_UNBLOCK for a message that has been replied to by the time it
 * reaches the client (the event travels the connection's socket, the
 * reply the shared slot, so the reply can come first) must not end the
 * thread's next message, which usually takes the same slot: the event
 * names the message the server held (before, 11 of 20 next sends here
 * failed with ETIMEDOUT).  The server delivers the event and replies at
 * once; the second message it holds 20 ms and never unblocks.
 */
static void *
late_unblock_srv(void *arg)
{
	int chid = *(int *) arg;
	char buf[8];

	for (;;) {
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), NULL);

		if (r < 0) {
			return NULL;
		}
		if (r == 0) {
			return NULL; /* the pulse that ends it */
		}
		if (buf[0] == 'u') {
			struct sigevent ev;

			SIGEV_UNBLOCK_INIT(&ev);
			(void) MsgDeliverEvent(r, &ev);
			(void) MsgReply(r, 1, NULL, 0);
		} else {
			usleep(20000);
			(void) MsgReply(r, 2, NULL, 0);
		}
	}
}

START_TEST(test_event_unblock_late)
{
	int chid = ChannelCreate(0);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	pthread_t t;
	int failed = 0;

	ck_assert_int_gt(chid, 0);
	ck_assert_int_ge(coid, 0);
	pthread_create(&t, NULL, late_unblock_srv, &chid);
	for (int i = 0; i < 20; i++) {
		/* The first: replied, or unblocked, whichever comes first. */
		long r1 = MsgSend(coid, "u", 2, NULL, 0);

		ck_assert(r1 == 1 || (r1 == -1 && errno == ETIMEDOUT));
		if (MsgSend(coid, "x", 2, NULL, 0) != 2) {
			failed++;
		}
	}
	ck_assert_int_eq(MsgSendPulse(coid, 10, 1, 0), 0);
	pthread_join(t, NULL);
	ConnectDetach(coid);
	ChannelDestroy(chid);
	ck_assert_msg(failed == 0, "%d of 20 next messages were ended", failed);
}
END_TEST

/* MsgDeliverEvent on the rcvid of a client that died: ESRCH once the death
 * is noticed (bounded wait). */
static int
deliver_until_esrch(rcvid_t r, const struct sigevent *ev)
{
	int rc = 0;

	for (int i = 0; i < 2000; i++) {
		rc = MsgDeliverEvent_r(r, ev);
		if (rc == -ESRCH) {
			break;
		}
		axt_sleep_ms(1);
	}
	return rc;
}

START_TEST(test_event_dead_client)
{
	struct kid k = cli_spawn(0);
	struct kid k2 = cli_spawn(0);
	int chid = ChannelCreate(0);
	struct cli_hello h = cli_connect(&k, chid);
	struct sigevent none, pulse;
	char buf[64];
	rcvid_t r;

	SIGEV_NONE_INIT(&none);
	SIGEV_PULSE_INIT(&pulse, h.coid, 10, 1, 0);
	cli_cmd(&k, C_SEND, 'x', 4, 0);
	r = recv_any(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	ck_assert_int_eq(cli_result(&k).ret, 0);
	ck_assert_int_eq(MsgDeliverEvent(r, &none), 0);
	kid_kill(&k);
	ck_assert_int_eq(deliver_until_esrch(r, &none), -ESRCH);
	errno = 0;
	ck_assert_int_eq(MsgDeliverEvent(r, &pulse), -1);
	ck_assert_int_eq(errno, ESRCH);

	/* The same for a client that died REPLY-blocked. */
	k = k2;
	h = cli_connect(&k, chid);
	cli_cmd(&k, C_SEND, 'y', 4, 0);
	r = recv_any(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(MsgDeliverEvent(r, &none), 0);
	kid_kill(&k);
	ck_assert_int_eq(deliver_until_esrch(r, &none), -ESRCH);
	/* MsgDeliverEvent() sees the dead socket at once; the rcvid itself
	 * dies when the monitor has handled the hang-up (bounded wait with
	 * MsgInfo, which changes nothing). */
	struct _msg_info mi;
	int rc = 0;
	for (int i = 0; i < 2000 && rc != -ESRCH; i++) {
		rc = MsgInfo_r(r, &mi);
		if (rc != -ESRCH) {
			axt_sleep_ms(1);
		}
	}
	ck_assert_int_eq(rc, -ESRCH);
	ck_assert_int_eq(MsgReply_r(r, 0, NULL, 0), -ESRCH);
	ck_assert_int_eq(MsgRead_r(r, buf, 4, 0), -ESRCH);
}
END_TEST

START_TEST(test_event_bad)
{
	struct kid k = cli_spawn(0);
	int chid = ChannelCreate(0);
	struct cli_hello h = cli_connect(&k, chid);
	struct sigevent ev;
	char buf[64];
	rcvid_t r;

	cli_cmd(&k, C_SEND, 'x', 4, 0);
	r = recv_any(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	ck_assert_int_eq(cli_result(&k).ret, 0);

	/* Bad events: EINVAL (and errno left alone by the _r form). */
	struct sigevent bad[10];
	int nbad = 0;
	memset(bad, 0, sizeof(bad));
	bad[nbad++].sigev_notify = 0x7f;
	bad[nbad++].sigev_notify = 0x3f;
	SIGEV_INTR_INIT(&bad[nbad]);
	nbad++;
	SIGEV_THREAD_INIT(&bad[nbad], NULL, 0, NULL);
	nbad++;
	/* (The macros evaluate their first argument more than once.) */
	SIGEV_SIGNAL_INIT(&bad[nbad], 0);
	nbad++;
	SIGEV_SIGNAL_INIT(&bad[nbad], -1);
	nbad++;
	SIGEV_SIGNAL_INIT(&bad[nbad], 1000);
	nbad++;
	SIGEV_SIGNAL_CODE_INIT(&bad[nbad], 0, 1, 1);
	nbad++;
	SIGEV_SIGNAL_THREAD_INIT(&bad[nbad], NSIG, 1, 1);
	nbad++;
	SIGEV_PULSE_INIT(&bad[nbad], h.coid, 10, 200, 0);
	nbad++;
	for (int i = 0; i < nbad; i++) {
		errno = 0;
		ck_assert_msg(MsgDeliverEvent(r, &bad[i]) == -1, "event %d", i);
		ck_assert_int_eq(errno, EINVAL);
		errno = 4242;
		ck_assert_int_eq(MsgDeliverEvent_r(r, &bad[i]), -EINVAL);
		ck_assert_int_eq(errno, 4242);
	}
	/* NULL: EFAULT. */
	errno = 0;
	ck_assert_int_eq(MsgDeliverEvent(r, NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
	/* Bad rcvids: ESRCH. */
	SIGEV_NONE_INIT(&ev);
	rcvid_t bogus[] = {0, -1, 1, (rcvid_t) 1 << 40, INT64_MIN, 0x3fff0001};
	for (size_t i = 0; i < sizeof(bogus) / sizeof(bogus[0]); i++) {
		errno = 0;
		ck_assert_int_eq(MsgDeliverEvent(bogus[i], &ev), -1);
		ck_assert_int_eq(errno, ESRCH);
		ck_assert_int_eq(MsgDeliverEvent_r(bogus[i], &ev), -ESRCH);
	}
	/* Flag bits are ignored. */
	SIGEV_MAKE_CRITICAL(&ev);
	SIGEV_MAKE_UPDATEABLE(&ev);
	ck_assert_int_eq(MsgDeliverEvent(r, &ev), 0);
	kid_kill(&k);
}
END_TEST

/* ---- the sigevent macros, alongside glibc's <signal.h> -------------- */

static void
dummy_notify(union sigval v)
{
	(void) v;
}

START_TEST(test_sigevent_macros)
{
	struct sigevent e;
	pthread_attr_t attr;
	int types[] = {SIGEV_NONE, SIGEV_SIGNAL, SIGEV_SIGNAL_CODE,
	    SIGEV_SIGNAL_THREAD, SIGEV_PULSE, SIGEV_UNBLOCK, SIGEV_INTR,
	    SIGEV_THREAD, SIGEV_THREAD_ID};

	/* Distinct types, each within the type mask. */
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		ck_assert_int_eq(types[i] & ~SIGEV_TYPE_MASK, 0);
		for (size_t j = 0; j < i; j++) {
			ck_assert_int_ne(types[i], types[j]);
		}
	}

	memset(&e, 0x77, sizeof(e));
	SIGEV_PULSE_INIT(&e, _NTO_SIDE_CHANNEL | 3, 21, 42, 4242);
	ck_assert_int_eq(e.sigev_notify, SIGEV_PULSE);
	ck_assert_int_eq(SIGEV_GET_TYPE(&e), SIGEV_PULSE);
	ck_assert_int_eq(e.sigev_coid, _NTO_SIDE_CHANNEL | 3);
	ck_assert_int_eq(e.sigev_priority, 21);
	ck_assert_int_eq(e.sigev_code, 42);
	ck_assert_ptr_eq(e.sigev_value.sival_ptr, (void *) 4242);
	ck_assert_int_eq(e.sigev_value.sival_int, 4242);
	SIGEV_PULSE_INIT(&e, 5, SIGEV_PULSE_PRIO_INHERIT, -3, 0);
	ck_assert_int_eq(e.sigev_priority, -1);
	ck_assert_int_eq(e.sigev_code, -3);
	SIGEV_PULSE_INT_INIT(&e, 5, 10, 1, -9);
	ck_assert_int_eq(e.sigev_value.sival_int, -9);

	/* Flag bits do not change the type. */
	SIGEV_MAKE_CRITICAL(&e);
	ck_assert_int_eq(SIGEV_GET_TYPE(&e), SIGEV_PULSE);
	ck_assert_int_ne(e.sigev_notify, SIGEV_PULSE);
	SIGEV_MAKE_UPDATEABLE(&e);
	SIGEV_SET_TYPE(&e, SIGEV_UNBLOCK);
	ck_assert_int_eq(SIGEV_GET_TYPE(&e), SIGEV_UNBLOCK);
	ck_assert(e.sigev_notify & SIGEV_FLAG_CRITICAL);
	ck_assert(e.sigev_notify & SIGEV_FLAG_UPDATEABLE);
	SIGEV_CLEAR_CRITICAL(&e);
	SIGEV_CLEAR_UPDATEABLE(&e);
	ck_assert_int_eq(e.sigev_notify, SIGEV_UNBLOCK);

	memset(&e, 0x77, sizeof(e));
	SIGEV_SIGNAL_INIT(&e, SIGUSR1);
	ck_assert_int_eq(e.sigev_notify, SIGEV_SIGNAL);
	ck_assert_int_eq(SIGEV_GET_TYPE(&e), SIGEV_SIGNAL);
	ck_assert_int_eq(e.sigev_signo, SIGUSR1);

	SIGEV_SIGNAL_VALUE_INIT(&e, SIGUSR2, 17);
	ck_assert_int_eq(SIGEV_GET_TYPE(&e), SIGEV_SIGNAL);
	ck_assert_int_eq(e.sigev_signo, SIGUSR2);
	ck_assert_int_eq(e.sigev_value.sival_int, 17);

	memset(&e, 0x77, sizeof(e));
	SIGEV_SIGNAL_CODE_INIT(&e, SIGRTMIN, 18, 6);
	ck_assert_int_eq(SIGEV_GET_TYPE(&e), SIGEV_SIGNAL_CODE);
	ck_assert_int_eq(e.sigev_signo, SIGRTMIN);
	ck_assert_int_eq(e.sigev_value.sival_int, 18);
	ck_assert_int_eq(e.sigev_code, 6);

	memset(&e, 0x77, sizeof(e));
	SIGEV_SIGNAL_THREAD_INIT(&e, SIGUSR1, 19, 7);
	ck_assert_int_eq(SIGEV_GET_TYPE(&e), SIGEV_SIGNAL_THREAD);
	ck_assert_int_eq(e.sigev_signo, SIGUSR1);
	ck_assert_int_eq(e.sigev_value.sival_int, 19);
	ck_assert_int_eq(e.sigev_code, 7);

	memset(&e, 0x77, sizeof(e));
	SIGEV_UNBLOCK_INIT(&e);
	ck_assert_int_eq(e.sigev_notify, SIGEV_UNBLOCK);
	SIGEV_NONE_INIT(&e);
	ck_assert_int_eq(e.sigev_notify, SIGEV_NONE);
	ck_assert_int_eq(SIGEV_GET_TYPE(&e), SIGEV_NONE);
	SIGEV_INTR_INIT(&e);
	ck_assert_int_eq(SIGEV_GET_TYPE(&e), SIGEV_INTR);

	pthread_attr_init(&attr);
	SIGEV_THREAD_INIT(&e, dummy_notify, 20, &attr);
	ck_assert_int_eq(e.sigev_notify, SIGEV_THREAD);
	ck_assert_ptr_eq(e.sigev_notify_attributes, &attr);
	ck_assert(e.sigev_notify_function == dummy_notify);
	ck_assert_int_eq(e.sigev_value.sival_int, 20);
	pthread_attr_destroy(&attr);

	/* They are expressions, usable where one is expected. */
	ck_assert((SIGEV_NONE_INIT(&e), SIGEV_GET_TYPE(&e)) == SIGEV_NONE);
	if (SIGEV_SIGNAL_INIT(&e, SIGUSR2) != SIGUSR2) {
		ck_abort_msg("SIGEV_SIGNAL_INIT is not an expression");
	}
	/* glibc's own names still work on the same struct. */
	e.sigev_notify = SIGEV_THREAD_ID;
	e.sigev_signo = SIGUSR1;
	ck_assert_int_eq(SIGEV_GET_TYPE(&e), SIGEV_THREAD_ID);
}
END_TEST

static Suite *
event_suite(void)
{
	Suite *s = suite_create("event");
	TCase *tp = axt_tcase("pulses", 15);
	TCase *te = axt_tcase("events", 15);

	tcase_add_test(tp, test_pulse_fields);
	tcase_add_test(tp, test_pulse_priority_fifo);
	tcase_add_test(tp, test_pulse_message_order);
	tcase_add_test(tp, test_message_beats_lower_pulse);
	tcase_add_test(tp, test_message_pulse_fifo);
	tcase_add_test(tp, test_pulse_order_at_return);
	tcase_add_test(tp, test_refused_pulse_counted);
	tcase_add_test(tp, test_failed_event_counted);
	tcase_add_test(tp, test_registered_events);
	tcase_add_test(tp, test_registered_event_errors);
	tcase_add_test(tp, test_connect_flags_events);
	tcase_add_test(tp, test_connect_flags_errors);
	tcase_add_test(tp, test_msg_current);
	tcase_add_test(tp, test_pulse_prio_caller);
	tcase_add_test(tp, test_receive_pulse_skips_messages);
	tcase_add_test(tp, test_pulse_receiver_passes_messages_on);
	tcase_add_test(tp, test_cancelled_receiver_loses_nothing);
	tcase_add_test(tp, test_leaving_receiver_passes_wakeup_on);
	tcase_add_test(tp, test_pulse_errors);
	tcase_add_test(te, test_event_pulse);
	tcase_add_test(te, test_event_signal);
	tcase_add_test(te, test_event_signal_thread);
	tcase_add_test(te, test_event_none);
	tcase_add_test(te, test_event_unblock_reply_blocked);
	tcase_add_test(te, test_event_unblock_send_blocked);
	tcase_add_test(te, test_event_unblock_chf_unblock);
	tcase_add_test(te, test_event_unblock_late);
	tcase_add_test(te, test_event_dead_client);
	tcase_add_test(te, test_event_bad);
	tcase_add_test(te, test_sigevent_macros);
	suite_add_tcase(s, tp);
	suite_add_tcase(s, te);
	return s;
}

int
main(void)
{
	return axt_run(event_suite());
}
