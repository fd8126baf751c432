/* SPDX-License-Identifier: MIT */
/*
 * The send-time boost (issue 10, item 5; docs/design/local-transport.md
 * §6): a real-time client whose message waits, no server thread taking it,
 * raises the server's receiving thread to its priority; the boost ends
 * with the message (taken, or withdrawn); _NTO_CHF_FIXED_PRIORITY turns
 * it off.  Real processes: this process is the one-thread server, forked
 * kids are the clients (one ordinary, one SCHED_FIFO 30).  The server
 * thread's priority is read from the kernel (sched_getscheduler), as
 * /proc/<pid>/task/<tid>/sched would show it.
 */
#include "axon_test.h"

#include <fcntl.h>

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "shm.h"

/* ---- a client kid ------------------------------------------------------ */
/*
 * Forked before this process makes its first Axon call (kids must not
 * fork a process with threads); told (pid, chid) by pipe, connects,
 * answers with its tid, then runs commands: send one message with tag
 * and, if ms > 0, a SEND-only timeout of ms; answers {ret, errno}.
 */
struct kid {
	pid_t pid;
	int in;  /* we write commands */
	int out; /* we read answers */
};

struct kcmd {
	int op; /* 1 connect (a = chid), 2 send (a = tag, b = ms), 3 exit */
	int a, b;
};

struct kres {
	long ret;
	int err;
};

static bool
get(int fd, void *p, size_t n)
{
	return read(fd, p, n) == (ssize_t) n;
}

static void
put(int fd, const void *p, size_t n)
{
	if (write(fd, p, n) != (ssize_t) n) {
		_exit(98);
	}
}

static void
kid_main(int in, int out, int rtprio, pid_t srv)
{
	struct kcmd c;
	int coid = -1;

	if (rtprio > 0) {
		struct sched_param sp = {.sched_priority = rtprio};

		if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) {
			_exit(77);
		}
	}
	while (get(in, &c, sizeof(c))) {
		struct kres r = {0, 0};
		char msg[16];

		if (c.op == 1) {
			coid = ConnectAttach(0, srv, c.a, _NTO_SIDE_CHANNEL, 0);
			r.ret = gettid();
			r.err = coid < 0 ? errno : 0;
		} else if (c.op == 2) {
			memset(msg, c.a, sizeof(msg));
			if (c.b > 0) {
				uint64_t ns = (uint64_t) c.b * 1000000ull;

				(void) TimerTimeout(CLOCK_MONOTONIC,
				    _NTO_TIMEOUT_SEND, NULL, &ns, NULL);
			}
			errno = 0;
			r.ret = MsgSend(coid, msg, sizeof(msg), NULL, 0);
			r.err = errno;
		} else {
			_exit(0);
		}
		put(out, &r, sizeof(r));
	}
	_exit(0);
}

static struct kid
kid_spawn(int rtprio)
{
	struct kid k;
	int a[2], b[2];
	pid_t srv = getpid();

	ck_assert_int_eq(pipe2(a, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(b, O_CLOEXEC), 0);
	k.pid = fork();
	ck_assert_int_ge(k.pid, 0);
	if (k.pid == 0) {
		close(a[1]);
		close(b[0]);
		kid_main(a[0], b[1], rtprio, srv);
	}
	close(a[0]);
	close(b[1]);
	k.in = a[1];
	k.out = b[0];
	return k;
}

static void
kid_do(struct kid *k, int op, int a, int b)
{
	struct kcmd c = {op, a, b};

	put(k->in, &c, sizeof(c));
}

static struct kres
kid_result(struct kid *k)
{
	struct kres r;

	ck_assert_msg(get(k->out, &r, sizeof(r)), "kid %d gave no answer",
	    (int) k->pid);
	return r;
}

static void
kid_end(struct kid *k)
{
	(void) kill(k->pid, SIGKILL);
	(void) waitpid(k->pid, NULL, 0);
	close(k->in);
	close(k->out);
}

/* ---- helpers ------------------------------------------------------------ */

static const uint64_t two_s = 2000000000ull;

static rcvid_t
recv_one(int chid, char *tag, struct _msg_info *info)
{
	char msg[16];
	rcvid_t r;

	(void) TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL,
	    &two_s, NULL);
	r = MsgReceive(chid, msg, sizeof(msg), info);
	ck_assert_int_gt(r, 0);
	*tag = msg[0];
	return r;
}

/* This thread's QNX-style priority: its FIFO/RR priority, or 0 when it
 * runs under another policy. */
static int
my_rt_prio(void)
{
	struct sched_param sp;
	int pol = sched_getscheduler(0);

	if (pol != SCHED_FIFO && pol != SCHED_RR) {
		return 0;
	}
	ck_assert_int_eq(sched_getparam(0, &sp), 0);
	return sp.sched_priority;
}

/* Waits (bounded) until the kid's thread tid sleeps in futex(2) on its
 * send, three samples in a row: by then its boost is done or was not
 * made.  (axt_wait_futex reads the main thread, which is the kid.) */
static void
wait_kid_blocked(const struct kid *k)
{
	ck_assert_msg(axt_wait_futex(k->pid), "kid %d never blocked",
	    (int) k->pid);
}

struct setup {
	struct kid o; /* ordinary */
	struct kid r; /* SCHED_FIFO 30 */
	int chid;
};

/* The kids connected to a new channel (flags), and this thread holding
 * an ordinary client's message (it is busy: not RECEIVE-blocked). */
static rcvid_t
setup(struct setup *s, unsigned flags)
{
	struct _msg_info info;
	struct kres res;
	char tag;
	rcvid_t r;

	s->o = kid_spawn(0);
	s->r = kid_spawn(30);
	s->chid = ChannelCreate(flags);
	ck_assert_int_ge(s->chid, 0);
	kid_do(&s->o, 1, s->chid, 0);
	res = kid_result(&s->o);
	ck_assert_int_eq(res.err, 0);
	kid_do(&s->o, 2, 'o', 0);
	r = recv_one(s->chid, &tag, &info);
	ck_assert_int_eq(tag, 'o');
	ck_assert_int_eq(info.priority, 10);
	/* The real-time kid connects after a thread received here: its
	 * first message knows whom to boost. */
	kid_do(&s->r, 1, s->chid, 0);
	res = kid_result(&s->r);
	ck_assert_int_eq(res.err, 0);
	ck_assert_int_eq(my_rt_prio(), 0);
	return r;
}

static void
teardown(struct setup *s)
{
	kid_end(&s->o);
	kid_end(&s->r);
}

/* A real-time client's message waits: the busy server thread runs at its
 * priority before taking it, keeps it while handling it, and returns to
 * its own with the next ordinary message. */
START_TEST(test_boost_at_send)
{
	struct setup s;
	struct _msg_info info;
	rcvid_t ro = setup(&s, 0);
	char tag;
	rcvid_t r;

	kid_do(&s.r, 2, 'r', 0);
	wait_kid_blocked(&s.r);
	ck_assert_int_eq(my_rt_prio(), 30); /* boosted while busy */
	ck_assert_int_eq(MsgReply(ro, 0, NULL, 0), 0);
	ck_assert_int_eq(kid_result(&s.o).ret, 0);
	r = recv_one(s.chid, &tag, &info);
	ck_assert_int_eq(tag, 'r');
	ck_assert_int_eq(info.priority, 30);
	ck_assert_int_eq(my_rt_prio(), 30);
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	ck_assert_int_eq(kid_result(&s.r).ret, 0);
	kid_do(&s.o, 2, 'o', 0);
	r = recv_one(s.chid, &tag, &info);
	ck_assert_int_eq(tag, 'o');
	ck_assert_int_eq(info.priority, 10);
	ck_assert_int_eq(my_rt_prio(), 0); /* its own again */
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	ck_assert_int_eq(kid_result(&s.o).ret, 0);
	teardown(&s);
}
END_TEST

/* The boosted message is withdrawn (its SEND timeout): the boost does
 * not outlive it.  The server thread last applied priority 10, so only
 * the unboost notice makes it drop the 30 it was given. */
START_TEST(test_boost_withdrawn)
{
	struct setup s;
	struct _msg_info info;
	rcvid_t ro = setup(&s, 0);
	struct kres res;
	char tag;
	rcvid_t r;

	kid_do(&s.r, 2, 'r', 200);
	res = kid_result(&s.r);
	ck_assert_int_eq(res.ret, -1);
	ck_assert_int_eq(res.err, ETIMEDOUT);
	ck_assert_int_eq(my_rt_prio(), 30); /* was boosted, still is */
	ck_assert_int_eq(MsgReply(ro, 0, NULL, 0), 0);
	ck_assert_int_eq(kid_result(&s.o).ret, 0);
	/* The withdrawal's notice comes with its bell, which the server
	 * takes at its next look at the bells: here a poll. */
	(void) TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL,
	    NULL, NULL);
	ck_assert_int_eq(MsgReceive(s.chid, &tag, 1, NULL), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_eq(my_rt_prio(), 30); /* (changed at the next take) */
	kid_do(&s.o, 2, 'o', 0);
	r = recv_one(s.chid, &tag, &info);
	ck_assert_int_eq(tag, 'o');
	ck_assert_int_eq(info.priority, 10);
	ck_assert_int_eq(my_rt_prio(), 0);
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	ck_assert_int_eq(kid_result(&s.o).ret, 0);
	teardown(&s);
}
END_TEST

/* _NTO_CHF_FIXED_PRIORITY: neither the boost nor inheritance. */
START_TEST(test_boost_fixed_priority)
{
	struct setup s;
	struct _msg_info info;
	rcvid_t ro = setup(&s, _NTO_CHF_FIXED_PRIORITY);
	char tag;
	rcvid_t r;

	kid_do(&s.r, 2, 'r', 0);
	wait_kid_blocked(&s.r);
	ck_assert_int_eq(my_rt_prio(), 0);
	ck_assert_int_eq(MsgReply(ro, 0, NULL, 0), 0);
	ck_assert_int_eq(kid_result(&s.o).ret, 0);
	r = recv_one(s.chid, &tag, &info);
	ck_assert_int_eq(tag, 'r');
	ck_assert_int_eq(info.priority, 30);
	ck_assert_int_eq(my_rt_prio(), 0);
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	ck_assert_int_eq(kid_result(&s.r).ret, 0);
	teardown(&s);
}
END_TEST

/* The boost only raises: a server thread already above the client's
 * priority keeps its own, and takes the client's at receive as before. */
START_TEST(test_boost_never_lowers)
{
	struct setup s;
	struct _msg_info info;
	struct sched_param sp = {.sched_priority = 40};
	rcvid_t ro = setup(&s, 0);
	char tag;
	rcvid_t r;

	ck_assert_int_eq(SchedSet(0, 0, SCHED_FIFO, &sp), 0);
	kid_do(&s.r, 2, 'r', 0);
	wait_kid_blocked(&s.r);
	ck_assert_int_eq(my_rt_prio(), 40);
	ck_assert_int_eq(MsgReply(ro, 0, NULL, 0), 0);
	ck_assert_int_eq(kid_result(&s.o).ret, 0);
	r = recv_one(s.chid, &tag, &info);
	ck_assert_int_eq(tag, 'r');
	ck_assert_int_eq(my_rt_prio(), 30); /* inheritance: the sender's */
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	ck_assert_int_eq(kid_result(&s.r).ret, 0);
	teardown(&s);
}
END_TEST

/* A client that may not use SCHED_FIFO boosts nothing (a 10 sender). */
START_TEST(test_boost_ordinary_sender)
{
	struct kid o2 = kid_spawn(0); /* (before any Axon call) */
	struct setup s;
	rcvid_t ro = setup(&s, 0);
	struct kres res;

	kid_do(&o2, 1, s.chid, 0);
	res = kid_result(&o2);
	ck_assert_int_eq(res.err, 0);
	kid_do(&o2, 2, 'p', 0);
	wait_kid_blocked(&o2);
	ck_assert_int_eq(my_rt_prio(), 0);
	ck_assert_int_eq(MsgReply(ro, 0, NULL, 0), 0);
	ck_assert_int_eq(kid_result(&s.o).ret, 0);
	kid_end(&o2);
	teardown(&s);
}
END_TEST

/* Every connection region this process (the server) maps: srv_tid set
 * to tid, as a hostile server could; returns how many. */
static int
scribble_srv_tid(pid_t tid)
{
	FILE *f = fopen("/proc/self/maps", "r");
	/* Written through /proc/self/mem, as another process would write
	 * the shared page: ThreadSanitizer sees no store of ours racing
	 * the monitor thread's mapping of it. */
	int mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	char line[512];
	int n = 0;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;

		if (strstr(line, "memfd:axon-conn") != NULL &&
		    sscanf(line, "%lx-%lx", &lo, &hi) == 2 &&
		    hi - lo >= sizeof(struct axon_region)) {
			struct axon_region *r = (struct axon_region *) lo;
			int32_t v = (int32_t) tid;

			if (mem >= 0 &&
			    pwrite(mem, &v, sizeof(v),
				(off_t) (uintptr_t) &r->srv_tid) ==
				(ssize_t) sizeof(v)) {
				n++;
			}
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	if (mem >= 0) {
		(void) close(mem);
	}
	return n;
}

/* An attack by a hostile server: it names a thread of another process
 * (of the same user, which the client could raise) as the one to boost.
 * The client checks that the thread is the server's and raises nobody. */
START_TEST(test_boost_foreign_tid_refused)
{
	pid_t victim = fork();

	ck_assert_int_ge(victim, 0);
	if (victim == 0) {
		for (;;) {
			pause();
		}
	}
	struct setup s;
	rcvid_t ro = setup(&s, 0);
	struct sched_param sp;

	ck_assert_int_ge(scribble_srv_tid(victim), 2);
	kid_do(&s.r, 2, 'r', 0);
	wait_kid_blocked(&s.r);
	ck_assert_int_eq(sched_getscheduler(victim), SCHED_OTHER);
	ck_assert_int_eq(sched_getparam(victim, &sp), 0);
	ck_assert_int_eq(sp.sched_priority, 0);
	ck_assert_int_eq(my_rt_prio(), 0); /* nor us: the named one */
	ck_assert_int_eq(MsgReply(ro, 0, NULL, 0), 0);
	ck_assert_int_eq(kid_result(&s.o).ret, 0);
	(void) kill(victim, SIGKILL);
	(void) waitpid(victim, NULL, 0);
	teardown(&s);
}
END_TEST

/* The server took the real-time client's message but its thread has not
 * applied the inherited priority yet (a thread woken, or preempted, at an
 * ordinary priority waits behind ordinary work until it runs again): the
 * client raises it before it sleeps REPLY-blocked, where QNX's kernel
 * raises it in the receive itself.  Here the thread drops back to
 * SCHED_OTHER at once after taking the message, on the other CPU, while
 * the client is still on its way to sleep; once it sleeps, the thread
 * must be at 30 again.  Timing decides whether the drop comes before the
 * client's look, so a few tries; without the raise none would see 30. */
START_TEST(test_boost_taken_not_applied)
{
	struct kid r = kid_spawn(30);
	int chid = ChannelCreate(0);
	cpu_set_t c0, c1;
	int raised = 0;
	int tries;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		kid_end(&r);
		fprintf(stderr, "test_boost_taken_not_applied: one CPU, "
				"skipped\n");
		return;
	}
	ck_assert_int_ge(chid, 0);
	kid_do(&r, 1, chid, 0);
	ck_assert_int_eq(kid_result(&r).err, 0);
	CPU_ZERO(&c0);
	CPU_SET(0, &c0);
	CPU_ZERO(&c1);
	CPU_SET(1, &c1);
	ck_assert_int_eq(sched_setaffinity(r.pid, sizeof(c0), &c0), 0);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(c1), &c1), 0);
	for (tries = 0; tries < 40 && raised < 3; tries++) {
		struct sched_param other = {.sched_priority = 0};
		double end = axt_now() + 2.0;
		char tag = 0;
		rcvid_t rcv;

		kid_do(&r, 2, 'r', 0);
		do { /* (polling: taken within a microsecond of its post) */
			(void) TimerTimeout(CLOCK_MONOTONIC,
			    _NTO_TIMEOUT_RECEIVE, NULL, NULL, NULL);
			rcv = MsgReceive(chid, &tag, 1, NULL);
		} while (rcv < 0 && errno == ETIMEDOUT && axt_now() < end);
		ck_assert_int_gt(rcv, 0);
		ck_assert_int_eq(tag, 'r');
		ck_assert_int_eq(sched_setscheduler(0, SCHED_OTHER, &other),
		    0);
		wait_kid_blocked(&r);
		int p = my_rt_prio();

		ck_assert_msg(p == 30 || p == 0, "priority %d", p);
		raised += p == 30;
		ck_assert_int_eq(MsgReply(rcv, 0, NULL, 0), 0);
		ck_assert_int_eq(kid_result(&r).ret, 0);
	}
	ck_assert_msg(raised > 0, "never raised in %d tries", tries);
	kid_end(&r);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("boost");
	TCase *tc = axt_tcase("boost", 30);

	tcase_add_test(tc, test_boost_at_send);
	tcase_add_test(tc, test_boost_withdrawn);
	tcase_add_test(tc, test_boost_fixed_priority);
	tcase_add_test(tc, test_boost_never_lowers);
	tcase_add_test(tc, test_boost_ordinary_sender);
	tcase_add_test(tc, test_boost_foreign_tid_refused);
	tcase_add_test(tc, test_boost_taken_not_applied);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(suite());
}
