/* SPDX-License-Identifier: MIT */
/*
 * Process and thread death as QNX tells it (issue 10, item 4): the
 * pulses of _NTO_CHF_THREAD_DEATH, _NTO_CHF_COID_DISCONNECT and
 * _NTO_CHF_DISCONNECT, with their code, value, scoid and priority, for
 * every way a thread, a process or a channel goes; the same across two
 * real axonds; and procmgr_event_notify_add()/_delete().
 *
 * Priority: a pulse's priority shows in the receiving thread, which
 * takes it on (MsgReceive(3)).  prime() first raises the receiver to
 * SCHED_FIFO 20 with a pulse of its own, so that a death pulse of
 * priority 10 visibly brings it back to its original policy (QNX 10)
 * and one of any other priority p leaves it at FIFO p.  That needs the
 * right to use real-time priorities (root, or RLIMIT_RTPRIO); without it
 * the priority checks are skipped, and say so.
 */
#include "net_srv.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/procmgr.h>
#include <sys/syscall.h>

#define PRIME_CODE 99

/* ---- helpers ---- */

static bool
can_rt(void)
{
	static int known = -1;
	struct sched_param sp = {.sched_priority = 1};
	struct sched_param old;
	int pol;

	if (known < 0) {
		pthread_getschedparam(pthread_self(), &pol, &old);
		known = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) ==
		    0;
		pthread_setschedparam(pthread_self(), pol, &old);
		if (!known) {
			fprintf(stderr, "test_death: no real-time priorities: "
					"pulse priorities not checked\n");
		}
	}
	return known == 1;
}

/* The calling thread's priority as QNX numbers it. */
static int
qnx_prio(void)
{
	struct sched_param sp;
	int pol;

	pthread_getschedparam(pthread_self(), &pol, &sp);
	return pol == SCHED_FIFO || pol == SCHED_RR ? sp.sched_priority : 10;
}

/* MsgReceive() bounded by secs (scaled): a message or pulse that never
 * comes fails the test with what this process and its children were
 * doing, not with the test's timeout. */
static rcvid_t
recv_bounded(int chid, void *buf, size_t len, struct _msg_info *info,
    double secs)
{
	uint64_t ns = (uint64_t) (secs * axn_scale() * 1e9);

	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &ns, NULL);
	rcvid_t r = MsgReceive(chid, buf, len, info);
	if (r < 0 && errno == ETIMEDOUT) {
		axt_dump_family();
	}
	ck_assert_msg(r >= 0, "nothing received in %.1f s: %s", secs,
	    strerror(errno));
	return r;
}

/* Raises the receiving thread to FIFO 20 with a pulse to itself on chid
 * (through self, a connection to chid).  Other pulses taken meanwhile
 * are a failure: prime() runs only when none can be queued. */
static void
prime(int chid, int self)
{
	struct _pulse p;

	ck_assert_int_eq(MsgSendPulse(self, 20, PRIME_CODE, 0), 0);
	ck_assert_int_eq(recv_bounded(chid, &p, sizeof(p), NULL, 10.0), 0);
	ck_assert_int_eq(p.code, PRIME_CODE);
	if (can_rt()) {
		ck_assert_int_eq(qnx_prio(), 20);
	}
}

/* Receives one pulse (bounded) and returns the priority it carried. */
static int
recv_pulse(int chid, struct _pulse *p, double secs)
{
	uint64_t ns = (uint64_t) (secs * axn_scale() * 1e9);

	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &ns, NULL);
	rcvid_t r = MsgReceive(chid, p, sizeof(*p), NULL);
	ck_assert_msg(r == 0, "no pulse in %.1f s: %ld (%s)", secs, (long) r,
	    r < 0 ? strerror(errno) : "a message");
	return qnx_prio();
}

static void
assert_prio(int prio, int want)
{
	if (can_rt()) {
		ck_assert_int_eq(prio, want);
	}
}

/* Nothing more arrives on chid within ms. */
static void
assert_quiet(int chid, int ms)
{
	uint64_t ns = (uint64_t) ms * 1000000u;
	struct _pulse p;

	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &ns, NULL);
	rcvid_t r = MsgReceive(chid, &p, sizeof(p), NULL);
	ck_assert_msg(r == -1 && errno == ETIMEDOUT,
	    "unexpected: %ld, code %d value %d", (long) r, p.code,
	    p.value.sival_int);
}

/* A local server: reports its chid, replies to every message with its
 * scoid, and destroys its channel when the message is "destroy". */
static void
local_server(int fd, void *arg)
{
	int chid = ChannelCreate(0);
	char buf[16];
	struct _msg_info info;

	(void) arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	axt_report(fd, chid);
	for (;;) {
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), &info);

		if (r > 0) {
			MsgReply(r, info.scoid, NULL, 0);
			if (strcmp(buf, "destroy") == 0) {
				ChannelDestroy(chid);
				pause();
			}
		} else if (r < 0) {
			pause();
		}
	}
}

/* ---- _NTO_CHF_THREAD_DEATH ---- */

struct tinfo {
	_Atomic pid_t tid;
	int how; /* 0 return, 1 pthread_exit, 2 MsgSendPulse then return */
	int coid;
};

static void *
dying_thread(void *arg)
{
	struct tinfo *t = arg;

	atomic_store(&t->tid, (pid_t) syscall(SYS_gettid));
	if (t->how == 2) {
		(void) MsgSendPulse(t->coid, 10, 1, 0);
	}
	if (t->how == 1) {
		pthread_exit(NULL);
	}
	return NULL;
}

static void
expect_thread_death(int chid, const struct tinfo *t)
{
	struct _pulse p;
	int prio;

	for (;;) {
		prio = recv_pulse(chid, &p, 5.0);
		if (p.code != 1) {
			break; /* (skips how 2's own pulse) */
		}
	}
	ck_assert_int_eq(p.code, _PULSE_CODE_THREADDEATH);
	ck_assert_int_eq(p.value.sival_int, atomic_load(&t->tid));
	ck_assert_int_eq(p.scoid, -1);
	ck_assert_int_eq(p.type, _PULSE_TYPE);
	ck_assert_int_eq(p.subtype, _PULSE_SUBTYPE);
	assert_prio(prio, 10);
}

/* Threads that never call libaxon die by return and by pthread_exit,
 * threads that do, and a ThreadCreate() thread: one pulse each, value
 * the thread id, priority 10. */
START_TEST(test_thread_death)
{
	int chid = ChannelCreate(_NTO_CHF_THREAD_DEATH);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);

	ck_assert_int_gt(chid, 0);
	for (int how = 0; how < 3; how++) {
		struct tinfo t = {0, how, self};
		pthread_t th;

		prime(chid, self);
		ck_assert_int_eq(pthread_create(&th, NULL, dying_thread, &t),
		    0);
		ck_assert_int_eq(pthread_join(th, NULL), 0);
		expect_thread_death(chid, &t);
	}
	/* A detached thread started with no id pointer (QNX allows it). */
	struct tinfo t = {0, 0, self};
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	prime(chid, self);
	ck_assert_int_eq(pthread_create(NULL, &a, dying_thread, &t), 0);
	expect_thread_death(chid, &t);
	/* ThreadCreate(), ending by ThreadDestroy() of itself. */
	prime(chid, self);
	int tid = ThreadCreate(0, dying_thread, &t, NULL);
	ck_assert_int_gt(tid, 0);
	ck_assert_int_eq(ThreadJoin(tid, NULL), 0);
	ck_assert_int_eq(atomic_load(&t.tid), tid);
	expect_thread_death(chid, &t);
	assert_quiet(chid, 200);
	/* One such channel per process; free again once destroyed. */
	ck_assert_int_eq(ChannelCreate(_NTO_CHF_THREAD_DEATH), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(ChannelDestroy(chid), 0);
	chid = ChannelCreate(_NTO_CHF_THREAD_DEATH);
	ck_assert_int_gt(chid, 0);
	ChannelDestroy(chid);
}
END_TEST

/* A channel without the flag hears nothing. */
START_TEST(test_thread_death_needs_flag)
{
	int chid = ChannelCreate(0);
	struct tinfo t = {0, 0, -1};
	pthread_t th;

	ck_assert_int_eq(pthread_create(&th, NULL, dying_thread, &t), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	assert_quiet(chid, 200);
}
END_TEST

/* ---- _NTO_CHF_COID_DISCONNECT ---- */

static void
expect_coiddeath(int chid, int coid_a, int coid_b)
{
	struct _pulse p;
	bool seen_a = false;
	bool seen_b = coid_b < 0;

	while (!seen_a || !seen_b) {
		int prio = recv_pulse(chid, &p, 5.0);

		ck_assert_int_eq(p.code, _PULSE_CODE_COIDDEATH);
		ck_assert_int_eq(p.scoid, -1);
		assert_prio(prio, 10);
		if (p.value.sival_int == coid_a && !seen_a) {
			seen_a = true;
		} else {
			ck_assert_int_eq(p.value.sival_int, coid_b);
			ck_assert(!seen_b);
			seen_b = true;
		}
	}
}

/* The server is SIGKILLed: one pulse per connection id (a side-channel
 * id and an fd-style id that alias one connection), each dead (EBADF)
 * until detached. */
START_TEST(test_coid_death_server_killed)
{
	/* (Children first: see test_disconnect_client_killed.) */
	struct axt_child srv = axt_spawn(local_server, NULL);
	int chid = ChannelCreate(_NTO_CHF_COID_DISCONNECT);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	int a = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	int b = ConnectAttach(0, srv.pid, srv.val, 0, 0); /* an fd number */

	ck_assert_int_ge(a, 0);
	ck_assert_int_ge(b, 0);
	ck_assert(!(b & _NTO_SIDE_CHANNEL));
	ck_assert_int_ge(MsgSend(a, "x", 2, NULL, 0), 0);
	prime(chid, self);
	axt_child_kill(&srv);
	expect_coiddeath(chid, a, b);
	ck_assert_int_eq(MsgSend(a, "x", 2, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(MsgSendPulse(b, 10, 1, 1), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(ConnectDetach(a), 0);
	ck_assert_int_eq(ConnectDetach(b), 0);
	assert_quiet(chid, 200);
}
END_TEST

/* The server destroys its channel: the same pulse. */
START_TEST(test_coid_death_channel_destroyed)
{
	struct axt_child srv = axt_spawn(local_server, NULL);
	int chid = ChannelCreate(_NTO_CHF_COID_DISCONNECT);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	int a = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);

	prime(chid, self);
	ck_assert_int_ge(MsgSend(a, "destroy", 8, NULL, 0), 0);
	expect_coiddeath(chid, a, -1);
	ck_assert_int_eq(MsgSend(a, "x", 2, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(ConnectDetach(a), 0);
	/* Our own channel, destroyed under our own connection. */
	int own = ChannelCreate(0);
	int c = ConnectAttach(0, 0, own, _NTO_SIDE_CHANNEL, 0);
	prime(chid, self);
	ck_assert_int_eq(ChannelDestroy(own), 0);
	expect_coiddeath(chid, c, -1);
	ck_assert_int_eq(ConnectDetach(c), 0);
	axt_child_kill(&srv);
}
END_TEST

/* A connection detached before its server dies generates nothing; of
 * two aliases, only the one still attached is told. */
START_TEST(test_coid_detached_before_death)
{
	struct axt_child s1 = axt_spawn(local_server, NULL);
	struct axt_child s2 = axt_spawn(local_server, NULL);
	struct axt_child s3 = axt_spawn(local_server, NULL);
	int chid = ChannelCreate(_NTO_CHF_COID_DISCONNECT);
	int gone = ConnectAttach(0, s1.pid, s1.val, _NTO_SIDE_CHANNEL, 0);
	int a = ConnectAttach(0, s2.pid, s2.val, _NTO_SIDE_CHANNEL, 0);
	int b = ConnectAttach(0, s2.pid, s2.val, _NTO_SIDE_CHANNEL, 0);
	struct _pulse p;

	ck_assert_int_ge(MsgSend(gone, "x", 2, NULL, 0), 0);
	ck_assert_int_ge(MsgSend(a, "x", 2, NULL, 0), 0);
	ck_assert_int_eq(ConnectDetach(gone), 0);
	ck_assert_int_eq(ConnectDetach(a), 0);
	axt_child_kill(&s1);
	axt_child_kill(&s2);
	(void) recv_pulse(chid, &p, 5.0);
	ck_assert_int_eq(p.code, _PULSE_CODE_COIDDEATH);
	ck_assert_int_eq(p.value.sival_int, b);
	assert_quiet(chid, 300);
	ck_assert_int_eq(ConnectDetach(b), 0);
	/* Without the flag, nothing. */
	ck_assert_int_eq(ChannelDestroy(chid), 0);
	chid = ChannelCreate(0);
	int c = ConnectAttach(0, s3.pid, s3.val, _NTO_SIDE_CHANNEL, 0);
	axt_child_kill(&s3);
	assert_quiet(chid, 300);
	ck_assert_int_eq(ConnectDetach(c), 0);
}
END_TEST

/* More aliases than fit the monitor's small array: every one told. */
START_TEST(test_coid_death_many_aliases)
{
	enum { N = 100 };
	struct axt_child srv = axt_spawn(local_server, NULL);
	int chid = ChannelCreate(_NTO_CHF_COID_DISCONNECT);
	int coid[N];
	bool seen[N] = {false};
	struct _pulse p;

	for (int i = 0; i < N; i++) {
		coid[i] = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL,
		    0);
		ck_assert_int_ge(coid[i], 0);
	}
	ck_assert_int_ge(MsgSend(coid[0], "x", 2, NULL, 0), 0);
	axt_child_kill(&srv);
	for (int n = 0; n < N; n++) {
		(void) recv_pulse(chid, &p, 5.0);
		ck_assert_int_eq(p.code, _PULSE_CODE_COIDDEATH);
		int i = 0;
		while (i < N && coid[i] != p.value.sival_int) {
			i++;
		}
		ck_assert_int_lt(i, N);
		ck_assert(!seen[i]);
		seen[i] = true;
	}
	assert_quiet(chid, 200);
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(ConnectDetach(coid[i]), 0);
	}
}
END_TEST

/* ---- _NTO_CHF_DISCONNECT ---- */

/* A client: attaches twice to ids[0]/ids[1], sends on both (the server
 * replies with the scoid: the same), then by mode ids[2]: 0 blocks
 * REPLY-blocked until killed, 1 detaches one, then the other. */
static void
disc_client(int fd, void *arg)
{
	int *ids = arg;
	int a = ConnectAttach(0, ids[0], ids[1], _NTO_SIDE_CHANNEL, 0);
	int b = ConnectAttach(0, ids[0], ids[1], _NTO_SIDE_CHANNEL, 0);

	axt_report(fd, 0);
	if (MsgSend(a, "x", 2, NULL, 0) != MsgSend(b, "x", 2, NULL, 0)) {
		_exit(2); /* one connection: one scoid */
	}
	if (ids[2] == 0) {
		MsgSend(a, "hold", 5, NULL, 0);
		_exit(1);
	}
	ConnectDetach(a);
	axt_sleep_ms(300); /* the server must not hear of the first */
	ConnectDetach(b);
	pause();
}

/* A disc_client forked before this process has any thread, and told
 * its ids once the channels exist (disc_go).  A fork while our monitor
 * thread works (here: taking the first client's connection) can leave
 * the child's own monitor thread stuck at its start on a lock the
 * parent's held (seen under ASan: its allocator's). */
struct disc_pre {
	pid_t pid;
	int go;  /* we write the ids */
	int rep; /* it reports */
};

static struct disc_pre
disc_fork(void)
{
	struct disc_pre d;
	int go[2];
	int rep[2];

	ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(rep, O_CLOEXEC), 0);
	d.pid = fork();
	ck_assert_int_ge(d.pid, 0);
	if (d.pid == 0) {
		int ids[3];

		close(go[1]);
		close(rep[0]);
		if (read(go[0], ids, sizeof(ids)) != (ssize_t) sizeof(ids)) {
			_exit(3);
		}
		disc_client(rep[1], ids);
		_exit(0);
	}
	close(go[0]);
	close(rep[1]);
	d.go = go[1];
	d.rep = rep[0];
	return d;
}

static struct axt_child
disc_go(struct disc_pre *d, const int ids[3])
{
	struct axt_child c = {d->pid, -1};
	struct pollfd pfd = {.fd = d->rep, .events = POLLIN};

	ck_assert_int_eq(write(d->go, ids, 3 * sizeof(int)),
	    (ssize_t) (3 * sizeof(int)));
	if (poll(&pfd, 1, (int) (AXT_SPAWN_REPORT_MS * axn_scale())) == 0) {
		axt_dump_family();
	}
	ck_assert_int_eq(read(d->rep, &c.val, sizeof(c.val)),
	    (ssize_t) sizeof(c.val));
	close(d->go);
	close(d->rep);
	return c;
}

static rcvid_t
serve_one(int chid, struct _msg_info *info, int self, bool reply)
{
	char buf[16];
	rcvid_t r = recv_bounded(chid, buf, sizeof(buf), info, 10.0);

	ck_assert_int_gt(r, 0);
	if (reply) {
		MsgReply(r, info->scoid, NULL, 0);
	} else {
		prime(chid, self); /* the client is blocked: nothing else */
	}
	return r;
}

START_TEST(test_disconnect_client_killed)
{
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT);
	int ids[3] = {getpid(), chid, 0};
	struct _msg_info info;
	struct _client_info ci;
	struct _pulse p;
	/* The client's two sends, then its held one.  (Children first: a
	 * fork while our monitor thread allocates can leave the child stuck
	 * on ASan's allocator lock.) */
	struct axt_child c = axt_spawn(disc_client, ids);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	pid_t child = c.pid;

	serve_one(chid, &info, self, true);
	serve_one(chid, &info, self, true);
	rcvid_t held = serve_one(chid, &info, self, false);
	ck_assert_int_eq(info.pid, child);
	axt_child_kill(&c);
	int prio = recv_pulse(chid, &p, 5.0);
	ck_assert_int_eq(p.code, _PULSE_CODE_DISCONNECT);
	ck_assert_int_eq(p.scoid, info.scoid);
	ck_assert(p.scoid & _NTO_SIDE_CHANNEL);
	ck_assert_int_eq(p.value.sival_int, 0);
	assert_prio(prio, 10);
	ck_assert_int_eq(MsgReply(held, 0, NULL, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	/* The scoid stays until the server detaches it (its client info
	 * went with the client: Axon reads it from the live process). */
	(void) child;
	struct _client_info *ext = (struct _client_info *) &ci;
	ck_assert_int_eq(ConnectClientInfoExt(p.scoid, &ext,
	    _NTO_CLIENTINFO_GETGROUPS), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(ext);
	ck_assert_int_eq(ConnectClientInfo(p.scoid, &ci, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(ConnectDetach(p.scoid), 0);
	ck_assert_int_eq(ConnectClientInfo(p.scoid, &ci, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(ConnectDetach(p.scoid), -1);
	ck_assert_int_eq(errno, EINVAL);
	assert_quiet(chid, 200);
}
END_TEST

/* One pulse per client process, after its last alias is detached. */
START_TEST(test_disconnect_detach)
{
	struct disc_pre d = disc_fork();
	struct disc_pre d2 = disc_fork();
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT);
	int plain = ChannelCreate(0);
	int ids[3] = {getpid(), chid, 1};
	int ids2[3] = {getpid(), plain, 0};
	struct _msg_info info;
	struct _pulse p;

	struct axt_child c = disc_go(&d, ids);
	struct axt_child c2 = disc_go(&d2, ids2);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);

	serve_one(chid, &info, self, true);
	serve_one(chid, &info, self, true);
	prime(chid, self);
	int prio = recv_pulse(chid, &p, 5.0);
	ck_assert_int_eq(p.code, _PULSE_CODE_DISCONNECT);
	ck_assert_int_eq(p.scoid, info.scoid);
	assert_prio(prio, 10);
	ck_assert_int_eq(ConnectDetach(p.scoid), 0);
	axt_child_kill(&c);
	assert_quiet(chid, 300); /* and nothing more when it dies */
	/* Without the flag, nothing at all. */
	serve_one(plain, &info, -1, true);
	serve_one(plain, &info, -1, true);
	char buf[8];
	ck_assert_int_gt(recv_bounded(plain, buf, sizeof(buf), NULL, 10.0), 0);
	axt_child_kill(&c2);
	assert_quiet(plain, 300);
}
END_TEST

/* ---- procmgr_event_notify_add() / _delete() ---- */

/* A child that lives until killed; it has left its session (a daemon)
 * by the time this returns. */
static pid_t
pm_child(bool daemon)
{
	int p[2];
	char one = 0;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t c = fork();

	ck_assert_int_ge(c, 0);
	if (c == 0) {
		if (daemon) {
			(void) setsid(); /* leads a session, no terminal */
		}
		(void) !write(p[1], &one, 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &one, 1), 1);
	close(p[0]);
	return c;
}

/*
 * Kills a child that lived past wait_ms (scans of the watcher) and
 * collects, for up to secs, the pulses that name it (every event here
 * is updateable: its value is the pid that died; other processes of the
 * machine die too and are ignored).  Returns the codes seen for it, as
 * a bit mask, and fails if one code comes twice.
 */
static unsigned
pm_death_round(int chid, bool daemon, double secs, int wait_ms)
{
	pid_t c = pm_child(daemon);
	unsigned seen = 0;
	double end;

	axt_sleep_ms(wait_ms);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	end = axt_now() + secs * axn_scale();
	while (axt_now() < end) {
		uint64_t ns = 50000000u;
		struct _pulse p;

		TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &ns,
		    NULL);
		if (MsgReceive(chid, &p, sizeof(p), NULL) != 0) {
			continue;
		}
		if (p.value.sival_int != c) {
			continue;
		}
		ck_assert_int_ge(p.code, 1);
		ck_assert_int_le(p.code, 8);
		ck_assert_msg(!(seen & (1u << p.code)), "code %d twice",
		    p.code);
		seen |= 1u << p.code;
	}
	return seen;
}

/*
 * pm_death_round() again, with a longer life (three rounds at most),
 * while it saw nothing though want is not nothing.  The watcher sees a
 * death only if one of its 100 ms scans listed the child first, and on
 * a loaded machine a scan can come after any fixed delay (it missed the
 * child at 300 ms, then at 700 ms); a missed child misses every code,
 * and some codes without the others are a failure.
 */
static unsigned
pm_death(int chid, bool daemon, double secs, unsigned want)
{
	unsigned seen = 0;

	for (int round = 0, ms = 700; round < 3; round++, ms *= 2) {
		seen = pm_death_round(chid, daemon, secs, ms);
		if (seen != 0 || want == 0) {
			break;
		}
	}
	return seen;
}

#define B(code) (1u << (code))

START_TEST(test_procmgr_event_notify_add)
{
	int chid = ChannelCreate(_NTO_CHF_PRIVATE);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct sigevent e1, e2, e3, e4;

	SIGEV_PULSE_INIT(&e1, coid, 10, 1, 0);
	SIGEV_MAKE_UPDATEABLE(&e1);
	SIGEV_PULSE_INIT(&e2, coid, 12, 2, 0);
	SIGEV_MAKE_UPDATEABLE(&e2);
	SIGEV_PULSE_INIT(&e3, coid, 11, 3, 0); /* daemons only */
	SIGEV_MAKE_UPDATEABLE(&e3);
	int h1 = procmgr_event_notify_add(PROCMGR_EVENT_PROCESS_DEATH, &e1);
	int h2 = procmgr_event_notify_add(PROCMGR_EVENT_PROCESS_DEATH, &e2);
	int h3 = procmgr_event_notify_add(PROCMGR_EVENT_DAEMON_DEATH, &e3);
	ck_assert_int_gt(h1, 0);
	ck_assert_int_gt(h2, 0);
	ck_assert_int_gt(h3, 0);
	ck_assert_int_ne(h1, h2);
	ck_assert_int_ne(h2, h3);

	/* An ordinary process: the two PROCESS_DEATH requests. */
	ck_assert_uint_eq(pm_death(chid, false, 2.0, B(1) | B(2)), B(1) | B(2));
	/* A daemon: all three. */
	ck_assert_uint_eq(pm_death(chid, true, 2.0, B(1) | B(2) | B(3)),
	    B(1) | B(2) | B(3));
	/* Deleting one leaves the others. */
	ck_assert_int_eq(procmgr_event_notify_delete(h2), 0);
	ck_assert_int_eq(procmgr_event_notify_delete(h2), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_uint_eq(pm_death(chid, true, 2.0, B(1) | B(3)), B(1) | B(3));

	/* procmgr_event_notify()'s request is one of its own, beside
	 * these, and replaced by the next call. */
	SIGEV_PULSE_INIT(&e4, coid, 10, 4, 0);
	SIGEV_MAKE_UPDATEABLE(&e4);
	ck_assert_int_eq(procmgr_event_notify(PROCMGR_EVENT_DAEMON_DEATH, &e4),
	    0);
	SIGEV_PULSE_INIT(&e4, coid, 10, 5, 0);
	SIGEV_MAKE_UPDATEABLE(&e4);
	ck_assert_int_eq(procmgr_event_notify(PROCMGR_EVENT_PROCESS_DEATH,
			     &e4), 0);
	ck_assert_int_eq(procmgr_event_notify_delete(h1), 0);
	ck_assert_int_eq(procmgr_event_notify_delete(h3), 0);
	ck_assert_uint_eq(pm_death(chid, false, 2.0, B(5)), B(5));
	/* Disarmed: nothing for anyone. */
	ck_assert_int_eq(procmgr_event_notify(0, NULL), 0);
	ck_assert_uint_eq(pm_death(chid, true, 1.0, 0), 0);

	/* A handle is not reused by the next request. */
	int h4 = procmgr_event_notify_add(PROCMGR_EVENT_PROCESS_DEATH, &e1);
	ck_assert_int_gt(h4, h3);
	ck_assert_uint_eq(pm_death(chid, false, 2.0, B(1)), B(1));
	ck_assert_int_eq(procmgr_event_notify_delete(h4), 0);
}
END_TEST

/* QNX 7.1's secure events: an event registered for the system manager
 * (SYSMGR_COID, <sys/procmgr.h>) is one procmgr_event_notify() takes;
 * one registered for another server is refused. */
START_TEST(test_procmgr_registered_event)
{
	int chid = ChannelCreate(_NTO_CHF_PRIVATE);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct sigevent ev, other;

	SIGEV_PULSE_INIT(&ev, coid, 10, 6, 0);
	SIGEV_MAKE_UPDATEABLE(&ev); /* the value: the pid that died */
	ck_assert_int_eq(MsgRegisterEvent(&ev, SYSMGR_COID), 0);
	ck_assert_int_eq(SIGEV_GET_TYPE(&ev), _SIGEV_HANDLE);
	ck_assert_int_eq(procmgr_event_notify(PROCMGR_EVENT_PROCESS_DEATH,
			     &ev),
	    0);
	ck_assert_uint_eq(pm_death(chid, false, 2.0, B(6)), B(6));
	ck_assert_int_eq(procmgr_event_notify(0, NULL), 0);

	SIGEV_PULSE_INIT(&other, coid, 10, 7, 0);
	ck_assert_int_eq(MsgRegisterEvent(&other, coid), 0); /* not ours */
	ck_assert_int_eq(procmgr_event_notify_add(PROCMGR_EVENT_PROCESS_DEATH,
			     &other),
	    -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(MsgUnregisterEvent(&ev), 0);
	ck_assert_int_eq(procmgr_event_notify(PROCMGR_EVENT_PROCESS_DEATH,
			     &ev),
	    -1);
	ck_assert_int_eq(errno, EINVAL); /* no such registration */
	ck_assert_int_eq(MsgUnregisterEvent(&other), 0);
	ConnectDetach(coid);
	ChannelDestroy(chid);
}
END_TEST

START_TEST(test_procmgr_event_notify_add_errors)
{
	struct sigevent ev;

	SIGEV_PULSE_INIT(&ev, 0x40000000, 10, 1, 0);
	errno = 0;
	ck_assert_int_eq(procmgr_event_notify_add(0, &ev), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(procmgr_event_notify_add(0x80000000u, &ev), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(procmgr_event_notify_add(PROCMGR_EVENT_PATHSPACE, &ev),
	    -1);
	ck_assert_int_eq(errno, ENOTSUP);
	ck_assert_int_eq(procmgr_event_notify_add(PROCMGR_EVENT_PROCESS_CREATE |
			     PROCMGR_EVENT_PROCESS_DEATH, &ev), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	ck_assert_int_eq(procmgr_event_notify_add(PROCMGR_EVENT_PROCESS_DEATH,
			     NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
	SIGEV_UNBLOCK_INIT(&ev);
	ck_assert_int_eq(procmgr_event_notify_add(PROCMGR_EVENT_PROCESS_DEATH,
			     &ev), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(procmgr_event_notify_delete(0), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(procmgr_event_notify_delete(-1), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(procmgr_event_notify_delete(123456), -1);
	ck_assert_int_eq(errno, ESRCH);
}
END_TEST

/* ---- across nodes ---- */

/* A server on a node: reports (kind, code, value, scoid, prio) for
 * every pulse and message.  Messages: "destroy" destroys its channel
 * after the reply; "hold" is not replied (prime first: the client is
 * blocked, so its death pulse is the next thing); anything else gets
 * its scoid as the status, after a prime. */
struct nrep {
	int kind; /* 0 pulse, 1 message */
	int code;
	int value;
	int scoid;
	int prio;
};

static void
net_server(int wfd, void *arg)
{
	int chid = ChannelCreate(*(const int *) arg);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	union {
		struct _pulse p;
		char s[16];
	} buf;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (write(wfd, &chid, sizeof(chid)) != sizeof(chid)) {
		_exit(1);
	}
	for (;;) {
		struct _msg_info info;
		struct nrep r = {0};
		rcvid_t rcvid = MsgReceive(chid, &buf, sizeof(buf), &info);

		if (rcvid < 0) {
			pause();
		}
		if (rcvid == 0) {
			if (buf.p.code == PRIME_CODE) {
				continue;
			}
			r.code = buf.p.code;
			r.value = buf.p.value.sival_int;
			r.scoid = buf.p.scoid;
			r.prio = qnx_prio();
			(void) !write(wfd, &r, sizeof(r));
			continue;
		}
		buf.s[sizeof(buf.s) - 1] = '\0';
		r.kind = 1;
		r.scoid = info.scoid;
		if (strcmp(buf.s, "exit") == 0) {
			/* QNX: the reply is the client's once MsgReply
			 * returns, whatever the server does next. */
			MsgReply(rcvid, 7, "bye", 4);
			_exit(0);
		}
		if (strcmp(buf.s, "destroy") == 0) {
			MsgReply(rcvid, 0, NULL, 0);
			ChannelDestroy(chid);
			(void) !write(wfd, &r, sizeof(r));
			pause();
		}
		/* Up to FIFO 20 while the client is still blocked. */
		MsgSendPulse(self, 20, PRIME_CODE, 0);
		struct _pulse pp;
		while (MsgReceivePulse(chid, &pp, sizeof(pp), NULL) == 0 &&
		    pp.code != PRIME_CODE) {
		}
		r.prio = qnx_prio();
		if (strcmp(buf.s, "hold") != 0) {
			MsgReply(rcvid, info.scoid, NULL, 0);
		}
		(void) !write(wfd, &r, sizeof(r));
	}
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

static struct axn_srv
net_start(int chflags)
{
	axn_start(0);
	axn_start(1);
	struct axn_srv s = axn_srv_start(1, net_server, &chflags);
	axn_enter(0);
	return s;
}

static void
nrep_read(struct axn_srv *s, struct nrep *r)
{
	ck_assert_msg(axn_srv_read(s, r, sizeof(*r),
			  (int) (5000 * axn_scale())),
	    "the server reported nothing");
}

/* The remote server is SIGKILLed: each connection id of the client gets
 * its COIDDEATH, as for a local server; the ids are dead (EBADF). */
START_TEST(test_remote_coid_death_server_killed)
{
	struct axn_srv s = net_start(0);
	int chid = ChannelCreate(_NTO_CHF_COID_DISCONNECT);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	uint32_t nd = (uint32_t) axn_nd(0, 1);
	int a = ConnectAttach(nd, s.pid, s.chid, _NTO_SIDE_CHANNEL, 0);
	int b = ConnectAttach(nd, s.pid, s.chid, _NTO_SIDE_CHANNEL, 0);
	struct nrep r;

	ck_assert_int_ge(a, 0);
	ck_assert_int_ge(b, 0);
	ck_assert_int_gt(MsgSend(a, "x", 2, NULL, 0), 0);
	nrep_read(&s, &r);
	prime(chid, self);
	kill(s.pid, SIGKILL);
	expect_coiddeath(chid, a, b);
	ck_assert_int_eq(MsgSend(a, "x", 2, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(MsgSendPulse(b, 10, 1, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(ConnectDetach(a), 0);
	ck_assert_int_eq(ConnectDetach(b), 0);
	assert_quiet(chid, 300);
	axn_srv_stop(&s);
	/* A new server on the same node is reached as before. */
	s = axn_srv_start(1, net_server, &(int){0});
	axn_enter(0);
	a = ConnectAttach(nd, s.pid, s.chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_gt(MsgSend(a, "x", 2, NULL, 0), 0);
	axn_srv_stop(&s);
}
END_TEST

/* A client blocked on the remote server when it dies: ESRCH for the
 * send, then the pulse. */
START_TEST(test_remote_coid_death_blocked)
{
	struct axn_srv s = net_start(0);
	int chid = ChannelCreate(_NTO_CHF_COID_DISCONNECT);
	uint32_t nd = (uint32_t) axn_nd(0, 1);
	int a = ConnectAttach(nd, s.pid, s.chid, _NTO_SIDE_CHANNEL, 0);
	pid_t killer = fork();

	if (killer == 0) {
		struct nrep r;

		if (axn_srv_read(&s, &r, sizeof(r), 10000)) {
			kill(s.pid, SIGKILL);
		}
		_exit(0);
	}
	ck_assert_int_eq(MsgSend(a, "hold", 5, NULL, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	waitpid(killer, NULL, 0);
	expect_coiddeath(chid, a, -1);
	ck_assert_int_eq(ConnectDetach(a), 0);
	axn_srv_stop(&s);
}
END_TEST

/* The remote server destroys its channel. */
START_TEST(test_remote_coid_death_channel_destroyed)
{
	struct axn_srv s = net_start(0);
	int chid = ChannelCreate(_NTO_CHF_COID_DISCONNECT);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	uint32_t nd = (uint32_t) axn_nd(0, 1);
	int a = ConnectAttach(nd, s.pid, s.chid, _NTO_SIDE_CHANNEL, 0);
	struct nrep r;

	prime(chid, self);
	ck_assert_int_eq(MsgSend(a, "destroy", 8, NULL, 0), 0);
	nrep_read(&s, &r);
	expect_coiddeath(chid, a, -1);
	ck_assert_int_eq(MsgSend(a, "x", 2, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(ConnectDetach(a), 0);
	axn_srv_stop(&s);
}
END_TEST

/* A remote server that replies and exits at once: the reply reaches the
 * client (it was lost to the server's death notice, 1 run in 7: 24
 * rounds catch that 97 times in 100). */
START_TEST(test_remote_reply_then_exit)
{
	uint32_t nd;

	axn_start(0);
	axn_start(1);
	nd = 0;
	for (int i = 0; i < 24; i++) {
		struct axn_srv s = axn_srv_start(1, net_server, &(int){0});
		char got[8] = "";
		int a;

		axn_enter(0);
		if (nd == 0) {
			nd = (uint32_t) axn_nd(0, 1);
		}
		a = ConnectAttach(nd, s.pid, s.chid, _NTO_SIDE_CHANNEL, 0);
		ck_assert_int_ge(a, 0);
		ck_assert_msg(MsgSend(a, "exit", 5, got, sizeof(got)) == 7,
		    "round %d: %s", i, strerror(errno));
		ck_assert_str_eq(got, "bye");
		ck_assert_int_eq(ConnectDetach(a), 0);
		axn_srv_stop(&s);
	}
}
END_TEST

/* The server's node goes (its axond SIGKILLed): the connection made
 * through it is dead; one never used is not told (it never reached the
 * node), and one detached before is not either. */
START_TEST(test_remote_coid_death_node_gone)
{
	struct axn_srv s = net_start(0);
	int chid = ChannelCreate(_NTO_CHF_COID_DISCONNECT);
	int self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	uint32_t nd = (uint32_t) axn_nd(0, 1);
	int a = ConnectAttach(nd, s.pid, s.chid, _NTO_SIDE_CHANNEL, 0);
	struct nrep r;

	ck_assert_int_gt(MsgSend(a, "x", 2, NULL, 0), 0);
	nrep_read(&s, &r);
	/* Another server there, reached and then let go. */
	struct axn_srv s2 = axn_srv_start(1, net_server, &(int){0});
	axn_enter(0);
	int d = ConnectAttach(nd, s2.pid, s2.chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_gt(MsgSend(d, "x", 2, NULL, 0), 0);
	ck_assert_int_eq(ConnectDetach(d), 0);
	int unused = ConnectAttach(nd, s2.pid, s2.chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(unused, 0);
	prime(chid, self);
	axn_kill(1, SIGKILL);
	expect_coiddeath(chid, a, -1);
	ck_assert_int_eq(MsgSend(a, "x", 2, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(ConnectDetach(a), 0);
	assert_quiet(chid, 500);
	ck_assert_int_eq(ConnectDetach(unused), 0);
	axn_srv_stop(&s2);
	axn_srv_stop(&s);
}
END_TEST

/* A remote client dies (SIGKILL) REPLY-blocked, or detaches: the server
 * gets _PULSE_CODE_DISCONNECT with the scoid it knew, value 0,
 * priority 10, once per client process. */
static void
remote_client(int fd, void *arg)
{
	const int *t = arg; /* pid, chid, mode */
	uint32_t nd = (uint32_t) axn_nd(0, 1);
	int a = ConnectAttach(nd, t[0], t[1], _NTO_SIDE_CHANNEL, 0);
	int b = ConnectAttach(nd, t[0], t[1], _NTO_SIDE_CHANNEL, 0);

	axt_report(fd, 0);
	if (MsgSend(a, "x", 2, NULL, 0) <= 0 ||
	    MsgSend(b, "x", 2, NULL, 0) <= 0) {
		_exit(2);
	}
	if (t[2] == 0) {
		MsgSend(a, "hold", 5, NULL, 0);
		_exit(1);
	}
	ConnectDetach(a);
	ConnectDetach(b);
	pause();
}

START_TEST(test_remote_disconnect)
{
	struct axn_srv s = net_start(_NTO_CHF_DISCONNECT);

	for (int mode = 0; mode < 2; mode++) {
		int t[3] = {s.pid, s.chid, mode};
		struct nrep r;
		int scoid;

		axn_enter(0);
		struct axt_child c = axt_spawn(remote_client, t);
		nrep_read(&s, &r); /* "x" on a */
		ck_assert_int_eq(r.kind, 1);
		scoid = r.scoid;
		nrep_read(&s, &r); /* "x" on b: the same connection */
		ck_assert_int_eq(r.kind, 1);
		ck_assert_int_eq(r.scoid, scoid);
		if (mode == 0) {
			nrep_read(&s, &r); /* "hold" */
			ck_assert_int_eq(r.kind, 1);
			kill(c.pid, SIGKILL);
		}
		nrep_read(&s, &r);
		ck_assert_int_eq(r.kind, 0);
		ck_assert_int_eq(r.code, _PULSE_CODE_DISCONNECT);
		ck_assert_int_eq(r.scoid, scoid);
		ck_assert_int_eq(r.value, 0);
		assert_prio(r.prio, 10);
		axt_child_kill(&c);
		ck_assert_msg(!axn_srv_read(&s, &r, sizeof(r), 300),
		    "a second report: kind %d code %d", r.kind, r.code);
	}
	axn_srv_stop(&s);
}
END_TEST

static Suite *
death_suite(void)
{
	Suite *s = suite_create("death");
	TCase *tc = axt_tcase("local", 30);
	TCase *net = axt_tcase("net", 60);

	tcase_add_test(tc, test_thread_death);
	tcase_add_test(tc, test_thread_death_needs_flag);
	tcase_add_test(tc, test_coid_death_server_killed);
	tcase_add_test(tc, test_coid_death_channel_destroyed);
	tcase_add_test(tc, test_coid_detached_before_death);
	tcase_add_test(tc, test_coid_death_many_aliases);
	tcase_add_test(tc, test_disconnect_client_killed);
	tcase_add_test(tc, test_disconnect_detach);
	tcase_add_test(tc, test_procmgr_event_notify_add);
	tcase_add_test(tc, test_procmgr_registered_event);
	tcase_add_test(tc, test_procmgr_event_notify_add_errors);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(net, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(net, net_setup, net_teardown);
	tcase_add_test(net, test_remote_coid_death_server_killed);
	tcase_add_test(net, test_remote_coid_death_blocked);
	tcase_add_test(net, test_remote_coid_death_channel_destroyed);
	tcase_add_test(net, test_remote_reply_then_exit);
	tcase_add_test(net, test_remote_coid_death_node_gone);
	tcase_add_test(net, test_remote_disconnect);
	suite_add_tcase(s, net);
	return s;
}

int
main(void)
{
	return axt_run(death_suite());
}
