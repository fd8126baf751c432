/* SPDX-License-Identifier: MIT */
/*
 * TraceEvent() and the trace_log*() helpers (TraceEvent(3)): events a
 * process inserts while its node is tracing (the switch turned on as
 * `axon trace` turns it, axon__tr_switch) are in its ring, with their
 * payload, and the collector's chunks put together give back what was
 * inserted: strings, simple and combine events, other classes, long
 * strings and buffers split and cut at the caps, threads inserting at
 * once, a forked child.  With the switch off nothing is recorded and
 * every call succeeds.  The errors: bad codes and classes, NULL, unknown
 * commands, the commands of a recorder of one's own (ENOTSUP).  The JSON
 * of `axon trace` and the text form are in test_trace.c.
 */
#include "axon_test.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/trace.h>

#include "traceinfo.h"

#define MAXU 64

static struct axon_tr_user users[MAXU];

/*
 * Collects rundir's events since since and puts together pid's user
 * events of thread tid (0: any; single-threaded inserts) into users[],
 * in order.  Returns how many; *nchunks (if not NULL) the chunks seen.
 */
static size_t
collect_users(pid_t pid, int tid, uint64_t since, size_t *nchunks)
{
	struct axon_tr_list l;
	size_t nu = 0, nc = 0;
	bool open = false;

	ck_assert_int_eq(axon__tr_collect(axt_rundir, since, &l), 0);
	for (size_t i = 0; i < l.nev; i++) {
		const struct axon_tr_event *e = &l.ev[i];

		if (e->pid != pid || e->type != AXON_TR_USER ||
		    (tid != 0 && e->tid != tid)) {
			continue;
		}
		nc++;
		if (open && axon__tr_user_add(&users[nu - 1], e)) {
			continue;
		}
		ck_assert_uint_lt(nu, MAXU);
		ck_assert(axon__tr_user_start(&users[nu], e));
		nu++;
		open = true;
	}
	axon__tr_free(&l);
	if (nchunks != NULL) {
		*nchunks = nc;
	}
	return nu;
}

static uint64_t
switch_on(unsigned seconds)
{
	uint64_t t0;

	ck_assert_int_eq(axon__tr_switch(axt_rundir, seconds, &t0), 0);
	return t0;
}

static bool
ring_exists(pid_t pid)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/trace/%d", axt_rundir, (int) pid);
	return access(path, F_OK) == 0;
}

static void
check_text(const struct axon_tr_user *u, int code, const char *text)
{
	ck_assert_int_eq(u->cls, _NTO_TRACE_USER);
	ck_assert_int_eq(u->code, code);
	ck_assert_int_eq(u->kind, AXON_TR_UKIND_STR);
	ck_assert(u->whole);
	ck_assert_uint_eq(u->len, strlen(text));
	ck_assert_str_eq(u->u.text, text);
}

static void
check_ints(const struct axon_tr_user *u, int cls, int code,
    const int32_t *v, size_t n)
{
	ck_assert_int_eq(u->cls, cls);
	ck_assert_int_eq(u->code, code);
	ck_assert_int_eq(u->kind, AXON_TR_UKIND_INTS);
	ck_assert(u->whole);
	ck_assert_uint_eq(u->len, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(u->u.data[i], v[i]);
	}
}

/* Every kind of insert while tracing: each event comes back whole, in
 * order, with its class, code and payload. */
START_TEST(test_inserts)
{
	static const int32_t c7[7] = {1, -1, INT32_MIN, INT32_MAX, 0, 5, 6};
	const int32_t c3[3] = {10, 20, 30};
	const unsigned char b6[6] = {'a', 'b', 'c', 'd', 'e', 'f'};
	const unsigned char b5[5] = {1, 2, 3, 4, 0xff};
	int32_t w[2];
	uint64_t t0 = switch_on(60);

	ck_assert_int_eq(TraceEvent(_NTO_TRACE_INSERTUSRSTREVENT, 23,
	    "hello, world"), 0);
	ck_assert_int_eq(TraceEvent(_NTO_TRACE_INSERTSUSEREVENT, 24, 1, -2),
	    0);
	ck_assert_int_eq(TraceEvent(_NTO_TRACE_INSERTCUSEREVENT, 25, c7, 7u),
	    0);
	ck_assert_int_eq(TraceEvent(_NTO_TRACE_INSERTSCLASSEVENT,
	    _NTO_TRACE_COMM, 300, 5, 6), 0);
	ck_assert_int_eq(TraceEvent(_NTO_TRACE_INSERTCCLASSEVENT,
	    _NTO_TRACE_USER, 26, c3, 3u), 0);
	ck_assert_int_eq(trace_logi(27, 0xffffffffu, 3), 0);
	ck_assert_int_eq(trace_logb(28, b6, sizeof(b6)), 0);
	ck_assert_int_eq(trace_logbc(_NTO_TRACE_SYSTEM, 9, b5, sizeof(b5)),
	    0);
	ck_assert_int_eq(trace_logf(29, "x=%d %s", 42, "y"), 0);
	ck_assert_int_eq(trace_nlogf(30, 3, "%s", "abcdef"), 0);
	ck_assert_int_eq(TraceEvent(_NTO_TRACE_INSERTUSRSTREVENT, 31, ""), 0);
	ck_assert_int_eq(TraceEvent(_NTO_TRACE_INSERTCUSEREVENT,
	    _NTO_TRACE_USERLAST, NULL, 0u), 0);
	ck_assert_int_eq(trace_logi(_NTO_TRACE_USERFIRST, 0, 0), 0);
	ck_assert(ring_exists(getpid()));

	ck_assert_uint_eq(collect_users(getpid(), 0, t0, NULL), 13);
	check_text(&users[0], 23, "hello, world");
	w[0] = 1;
	w[1] = -2;
	check_ints(&users[1], _NTO_TRACE_USER, 24, w, 2);
	check_ints(&users[2], _NTO_TRACE_USER, 25, c7, 7);
	w[0] = 5;
	w[1] = 6;
	check_ints(&users[3], _NTO_TRACE_COMM, 300, w, 2);
	check_ints(&users[4], _NTO_TRACE_USER, 26, c3, 3);
	w[0] = -1;
	w[1] = 3;
	check_ints(&users[5], _NTO_TRACE_USER, 27, w, 2);
	/* Bytes: the integers they fill, the last padded with zeros. */
	int32_t bw[2] = {0, 0};
	memcpy(bw, b6, sizeof(b6));
	check_ints(&users[6], _NTO_TRACE_USER, 28, bw, 2);
	memset(bw, 0, sizeof(bw));
	memcpy(bw, b5, sizeof(b5));
	check_ints(&users[7], _NTO_TRACE_SYSTEM, 9, bw, 2);
	check_text(&users[8], 29, "x=42 y");
	check_text(&users[9], 30, "abc");
	check_text(&users[10], 31, "");
	check_ints(&users[11], _NTO_TRACE_USER, _NTO_TRACE_USERLAST, NULL, 0);
	w[0] = 0;
	w[1] = 0;
	check_ints(&users[12], _NTO_TRACE_USER, 0, w, 2);
}
END_TEST

/* The chunks' encoding is fixed: a string's bytes little-endian in c, d,
 * e and x whatever the host's order, b as traceinfo.h lays it out. */
START_TEST(test_encoding)
{
	struct axon_tr_list l;
	const struct axon_tr_event *ev[2];
	size_t n = 0;
	uint64_t t0 = switch_on(60);

	/* 21 bytes: two chunks, the second one byte. */
	ck_assert_int_eq(trace_logf(7, "ABCDEFGHIJKLMNOPQRSTU"), 0);
	ck_assert_int_eq(axon__tr_collect(axt_rundir, t0, &l), 0);
	for (size_t i = 0; i < l.nev; i++) {
		if (l.ev[i].pid == getpid() && l.ev[i].type == AXON_TR_USER) {
			ck_assert_uint_lt(n, 2);
			ev[n++] = &l.ev[i];
		}
	}
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ev[0]->a, 7);
	ck_assert_int_eq(ev[0]->b, AXON_TR_UKIND_STR | 6 << 4 | 0 << 12 |
	    2 << 20);
	ck_assert_int_eq(ev[1]->b, AXON_TR_UKIND_STR | 6 << 4 | 1 << 12 |
	    2 << 20);
	ck_assert_int_eq(ev[0]->c, 0x44434241); /* "ABCD" */
	ck_assert_int_eq(ev[0]->e, 0x4c4b4a49); /* "IJKL" */
	ck_assert(ev[0]->x == 0x54535251504f4e4dll); /* "MNOPQRST" */
	ck_assert_int_eq(ev[1]->c, 0x55);
	ck_assert(ev[1]->d == 0 && ev[1]->e == 0 && ev[1]->x == 0);
	ck_assert_int_eq(ev[0]->tid, ev[1]->tid);
	ck_assert_int_eq(ev[0]->tid, (int) syscall(SYS_gettid));
	axon__tr_free(&l);
}
END_TEST

/* Long strings and buffers: split into chunks and put back together,
 * cut at AXON_TRACE_STR_MAX bytes and AXON_TRACE_INTS_MAX integers;
 * every byte value but NUL survives. */
START_TEST(test_long)
{
	static char s[3000];
	static int32_t v[300];
	static unsigned char raw[1100];
	size_t chunks;
	uint64_t t0 = switch_on(60);

	for (size_t i = 0; i < sizeof(s) - 1; i++) {
		s[i] = (char) (1 + i % 255); /* 1..255 */
	}
	for (int i = 0; i < 300; i++) {
		v[i] = i * 1000003 - 7;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		raw[i] = (unsigned char) i;
	}
	ck_assert_int_eq(TraceEvent(_NTO_TRACE_INSERTUSRSTREVENT, 100, s), 0);
	ck_assert_int_eq(TraceEvent(_NTO_TRACE_INSERTCUSEREVENT, 101, v,
	    300u), 0);
	ck_assert_int_eq(trace_logf(102, "%s", s), 0);
	ck_assert_int_eq(trace_nlogf(103, 1000, "%s", s), 0);
	ck_assert_int_eq(trace_logb(104, raw + 1, 1025), 0); /* unaligned */
	ck_assert_uint_eq(collect_users(getpid(), 0, t0, &chunks), 5);
	/* 52 + 52 (256 ints) + 52 + 50 + 52 */
	ck_assert_uint_eq(chunks, 52 + 52 + 52 + 50 + 52);
	s[AXON_TRACE_STR_MAX] = '\0';
	check_text(&users[0], 100, s);
	check_ints(&users[1], _NTO_TRACE_USER, 101, v, AXON_TRACE_INTS_MAX);
	check_text(&users[2], 102, s);
	s[1000] = '\0';
	check_text(&users[3], 103, s);
	int32_t rv[AXON_TRACE_INTS_MAX];
	memcpy(rv, raw + 1, sizeof(rv));
	check_ints(&users[4], _NTO_TRACE_USER, 104, rv, AXON_TRACE_INTS_MAX);
}
END_TEST

/* The switch off: every insert succeeds, nothing is recorded, no ring is
 * made; then on, and the next is recorded. */
START_TEST(test_off)
{
	const int32_t d[2] = {1, 2};
	uint64_t t0;

	/* (The switch made, off, as a process's first Axon call makes it.) */
	ck_assert_int_gt(ChannelCreate(0), 0);
	ck_assert_int_eq(TraceEvent(_NTO_TRACE_INSERTUSRSTREVENT, 1, "off"), 0);
	ck_assert_int_eq(TraceEvent(_NTO_TRACE_INSERTSUSEREVENT, 1, 2, 3), 0);
	ck_assert_int_eq(TraceEvent(_NTO_TRACE_INSERTCUSEREVENT, 1, d, 2u), 0);
	ck_assert_int_eq(TraceEvent(_NTO_TRACE_INSERTSCLASSEVENT,
	    _NTO_TRACE_THREAD, 1, 2, 3), 0);
	ck_assert_int_eq(trace_logi(1, 2, 3), 0);
	ck_assert_int_eq(trace_logb(1, d, sizeof(d)), 0);
	ck_assert_int_eq(trace_logbc(_NTO_TRACE_USER, 1, d, sizeof(d)), 0);
	ck_assert_int_eq(trace_logf(1, "%s", "off"), 0);
	ck_assert_int_eq(trace_nlogf(1, 2, "%s", "off"), 0);
	ck_assert(!ring_exists(getpid()));
	t0 = switch_on(60);
	ck_assert_int_eq(trace_logf(2, "on"), 0);
	ck_assert_uint_eq(collect_users(getpid(), 0, 0, NULL), 1);
	check_text(&users[0], 2, "on");
	ck_assert_int_eq(axon__tr_switch(axt_rundir, 0, &t0), 0);
	ck_assert_int_eq(trace_logf(3, "off again"), 0);
	ck_assert_uint_eq(collect_users(getpid(), 0, 0, NULL), 1);
}
END_TEST

/* A process whose only Axon calls are inserts: the first maps the switch
 * (no switch yet: it makes it, off). */
START_TEST(test_first_call)
{
	uint64_t t0;

	ck_assert_int_eq(trace_logf(5, "before any switch"), 0);
	ck_assert(!ring_exists(getpid()));
	t0 = switch_on(60);
	ck_assert_int_eq(trace_logf(5, "first"), 0);
	ck_assert_uint_eq(collect_users(getpid(), 0, t0, NULL), 1);
	check_text(&users[0], 5, "first");
}
END_TEST

static void
expect_err(int rc, int err, const char *what)
{
	ck_assert_msg(rc == -1 && errno == err, "%s: %d, errno %d (want %d)",
	    what, rc, errno, err);
}

/* The errors, while tracing (so that a failed call is seen to record
 * nothing) and while not. */
START_TEST(test_errors)
{
	const int32_t d[2] = {1, 2};
	uint64_t t0 = 0;

	for (int on = 0; on < 2; on++) {
		if (on) {
			t0 = switch_on(60);
		}
		/* Codes outside USERFIRST..USERLAST, classes not insertable. */
		expect_err(TraceEvent(_NTO_TRACE_INSERTUSRSTREVENT, -1, "x"),
		    EINVAL, "str -1");
		expect_err(TraceEvent(_NTO_TRACE_INSERTUSRSTREVENT,
		    _NTO_TRACE_USERLAST + 1, "x"), EINVAL, "str 1024");
		expect_err(TraceEvent(_NTO_TRACE_INSERTSUSEREVENT, 1024, 1, 2),
		    EINVAL, "simple 1024");
		expect_err(TraceEvent(_NTO_TRACE_INSERTCUSEREVENT, -5, d, 2u),
		    EINVAL, "combine -5");
		expect_err(TraceEvent(_NTO_TRACE_INSERTSCLASSEVENT,
		    _NTO_TRACE_EMPTY, 1, 1, 2), EINVAL, "class EMPTY");
		expect_err(TraceEvent(_NTO_TRACE_INSERTSCLASSEVENT,
		    _NTO_TRACE_KERCALL, 1, 1, 2), EINVAL, "class KERCALL");
		expect_err(TraceEvent(_NTO_TRACE_INSERTCCLASSEVENT, 99, 1, d,
		    2u), EINVAL, "class 99");
		expect_err(TraceEvent(_NTO_TRACE_INSERTSCLASSEVENT,
		    _NTO_TRACE_COMM, 65536, 1, 2), EINVAL, "comm 65536");
		expect_err(TraceEvent(_NTO_TRACE_INSERTSCLASSEVENT,
		    _NTO_TRACE_USER, 1024, 1, 2), EINVAL, "user class 1024");
		expect_err(trace_logi(2000, 1, 2), EINVAL, "logi");
		expect_err(trace_logb(-1, d, 8), EINVAL, "logb");
		expect_err(trace_logbc(_NTO_TRACE_EMPTY, 1, d, 8), EINVAL,
		    "logbc");
		expect_err(trace_logf(1024, "x"), EINVAL, "logf");
		expect_err(trace_nlogf(1, -1, "x"), EINVAL, "nlogf max -1");
		/* NULL */
		expect_err(TraceEvent(_NTO_TRACE_INSERTUSRSTREVENT, 1,
		    (const char *) NULL), EFAULT, "str NULL");
		expect_err(TraceEvent(_NTO_TRACE_INSERTCUSEREVENT, 1,
		    (const void *) NULL, 2u), EFAULT, "combine NULL");
		expect_err(TraceEvent(_NTO_TRACE_INSERTCCLASSEVENT,
		    _NTO_TRACE_COMM, 1, (const void *) NULL, 1u), EFAULT,
		    "cclass NULL");
		expect_err(trace_logb(1, NULL, 4), EFAULT, "logb NULL");
		expect_err(trace_logbc(_NTO_TRACE_USER, 1, NULL, 4), EFAULT,
		    "logbc NULL");
		expect_err(trace_logf(1, NULL), EFAULT, "logf NULL");
		/* Unknown commands. */
		expect_err(TraceEvent(0), EINVAL, "cmd 0");
		expect_err(TraceEvent(-1), EINVAL, "cmd -1");
		expect_err(TraceEvent(9999), EINVAL, "cmd 9999");
		/* A recorder of one's own. */
		expect_err(TraceEvent(_NTO_TRACE_START), ENOTSUP, "START");
		expect_err(TraceEvent(_NTO_TRACE_STARTNOSTATE), ENOTSUP,
		    "STARTNOSTATE");
		expect_err(TraceEvent(_NTO_TRACE_STOP), ENOTSUP, "STOP");
		expect_err(TraceEvent(_NTO_TRACE_ALLOCBUFFER, 2u,
		    (void **) NULL), ENOTSUP, "ALLOCBUFFER");
		expect_err(TraceEvent(_NTO_TRACE_DEALLOCBUFFER), ENOTSUP,
		    "DEALLOCBUFFER");
		expect_err(TraceEvent(_NTO_TRACE_QUERYEVENTS), ENOTSUP,
		    "QUERYEVENTS");
		expect_err(TraceEvent(_NTO_TRACE_INSERTEVENT, 0, 0, 0, 0),
		    ENOTSUP, "INSERTEVENT");
		/* The configuration: accepted. */
		ck_assert_int_eq(TraceEvent(_NTO_TRACE_FLUSHBUFFER), 0);
		ck_assert_int_eq(TraceEvent(_NTO_TRACE_SETRINGMODE), 0);
		ck_assert_int_eq(TraceEvent(_NTO_TRACE_SETLINEARMODE), 0);
		ck_assert_int_eq(TraceEvent(_NTO_TRACE_ADDALLCLASSES), 0);
		ck_assert_int_eq(TraceEvent(_NTO_TRACE_DELALLCLASSES), 0);
		ck_assert_int_eq(TraceEvent(_NTO_TRACE_ADDCLASS,
		    _NTO_TRACE_USER), 0);
		ck_assert_int_eq(TraceEvent(_NTO_TRACE_DELCLASS,
		    _NTO_TRACE_KERCALL), 0);
		ck_assert_int_eq(TraceEvent(_NTO_TRACE_ADDEVENT,
		    _NTO_TRACE_USER, 3), 0);
		ck_assert_int_eq(TraceEvent(_NTO_TRACE_DELEVENT,
		    _NTO_TRACE_USER, 3), 0);
		ck_assert_int_eq(TraceEvent(_NTO_TRACE_SETALLCLASSESFAST), 0);
		ck_assert_int_eq(TraceEvent(_NTO_TRACE_SETALLCLASSESWIDE), 0);
		ck_assert_int_eq(TraceEvent(_NTO_TRACE_SETCLASSFAST,
		    _NTO_TRACE_COMM), 0);
		ck_assert_int_eq(TraceEvent(_NTO_TRACE_SETCLASSWIDE,
		    _NTO_TRACE_COMM), 0);
		ck_assert_int_eq(TraceEvent(_NTO_TRACE_SETEVENTFAST,
		    _NTO_TRACE_COMM, 1), 0);
		ck_assert_int_eq(TraceEvent(_NTO_TRACE_SETEVENTWIDE,
		    _NTO_TRACE_COMM, 1), 0);
	}
	/* None of the failures recorded anything; a NULL buffer of no
	 * integers is an event without data. */
	ck_assert_uint_eq(collect_users(getpid(), 0, t0, NULL), 0);
	ck_assert_int_eq(trace_logb(1, NULL, 0), 0);
	ck_assert_uint_eq(collect_users(getpid(), 0, t0, NULL), 1);
	ck_assert_uint_eq(users[0].len, 0);
}
END_TEST

/* A forked child's events are in its own ring, under its pid, not in
 * its parent's (the parent had inserted before the fork). */
START_TEST(test_fork)
{
	uint64_t t0 = switch_on(60);
	int st;
	pid_t pid;

	ck_assert_int_eq(trace_logf(40, "parent"), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		_exit(trace_logf(41, "child %d", 1) == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(trace_logf(42, "parent again"), 0);
	ck_assert_uint_eq(collect_users(pid, 0, t0, NULL), 1);
	check_text(&users[0], 41, "child 1");
	ck_assert_uint_eq(collect_users(getpid(), 0, t0, NULL), 2);
	check_text(&users[0], 40, "parent");
	check_text(&users[1], 42, "parent again");
}
END_TEST

#define NTHREADS 4
#define PER_THREAD 30

struct th {
	pthread_t t;
	int tid;
	int k;
};

static void *
th_main(void *p)
{
	struct th *a = p;
	char s[200];

	a->tid = (int) syscall(SYS_gettid);
	for (int i = 0; i < PER_THREAD; i++) {
		memset(s, 'a' + a->k, sizeof(s) - 1);
		s[sizeof(s) - 1] = '\0';
		snprintf(s, 20, "t%d i%d ", a->k, i);
		s[strlen(s)] = '-';
		if (trace_logf(a->k, "%s", s) != 0) {
			return (void *) 1;
		}
	}
	return NULL;
}

/* Threads inserting long strings at once: their chunks interleave in
 * the ring, and each thread's events still come back whole, in order. */
START_TEST(test_threads)
{
	struct th th[NTHREADS];
	uint64_t t0 = switch_on(60);
	char want[200];

	for (int k = 0; k < NTHREADS; k++) {
		th[k].k = k;
		ck_assert_int_eq(pthread_create(&th[k].t, NULL, th_main, &th[k]),
		    0);
	}
	for (int k = 0; k < NTHREADS; k++) {
		void *rv;

		ck_assert_int_eq(pthread_join(th[k].t, &rv), 0);
		ck_assert_ptr_null(rv);
	}
	for (int k = 0; k < NTHREADS; k++) {
		ck_assert_uint_eq(collect_users(getpid(), th[k].tid, t0, NULL),
		    PER_THREAD);
		for (int i = 0; i < PER_THREAD; i++) {
			memset(want, 'a' + k, sizeof(want) - 1);
			want[sizeof(want) - 1] = '\0';
			snprintf(want, 20, "t%d i%d ", k, i);
			want[strlen(want)] = '-';
			check_text(&users[i], k, want);
		}
	}
}
END_TEST

static Suite *
traceevent_suite(void)
{
	Suite *s = suite_create("traceevent");
	TCase *tc = axt_tcase("traceevent", 30);

	tcase_add_test(tc, test_inserts);
	tcase_add_test(tc, test_encoding);
	tcase_add_test(tc, test_long);
	tcase_add_test(tc, test_off);
	tcase_add_test(tc, test_first_call);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_fork);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(traceevent_suite());
}
