/* SPDX-License-Identifier: MIT */
/*
 * The dispatch layer beyond resmgr_attach: a thread-pool manager under
 * concurrent clients (the RM guide's multi-threaded skeleton), private
 * messages through message_attach() and periodic pulses through
 * pulse_attach(), select_attach() on a pipe, and thread_pool_destroy().
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <sys/iofunc.h>
#include <sys/dispatch.h>

#include "axon_test.h"

#include "dispatch_int.h"

#define WAIT_FOR(cond)                                                 \
	do {                                                           \
		for (int w_ = 0; w_ < 1000 && !(cond); w_++) {         \
			axt_sleep_ms(10);                              \
		}                                                      \
		ck_assert(cond);                                       \
	} while (0)

/* ---- A thread-pool manager ----------------------------------------- */

#include "pool_manager.h"

/* A client's answer: the thread that served it and the most reads the
 * manager had in at once (-errno and 0 for a failure). */
struct pool_ans {
	int tid;
	int peak;
};

static void
pool_client(int rep, void *arg)
{
	char buf[32] = {0};
	int coid = axon__io_open("/dev/axtest/pool", O_RDONLY, 0);
	struct pool_ans a = {coid, 0};
	ssize_t n;

	(void) arg;
	if (coid >= 0) {
		n = axon__io_read(coid, buf, sizeof(buf) - 1);
		(void) axon__io_close(coid);
		if (n <= 0 || sscanf(buf, "%d %d", &a.tid, &a.peak) != 2) {
			a.tid = -1;
		}
	}
	(void) !write(rep, &a, sizeof(a)); /* (atomic: under PIPE_BUF) */
	_exit(0);
}

START_TEST(test_pool_concurrent)
{
	struct axt_child m = axt_spawn(mgr_pool, (void *) 8);
	struct pool_ans a[8];
	pid_t c[8];
	int distinct = 0, p[2];

	ck_assert_int_ge(m.val, 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	for (int i = 0; i < 8; i++) {
		c[i] = fork();
		ck_assert_int_ge(c[i], 0);
		if (c[i] == 0) {
			pool_client(p[1], NULL);
		}
	}
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(read(p[0], &a[i], sizeof(a[i])),
		    sizeof(a[i]));
	}
	for (int i = 0; i < 8; i++) {
		bool seen = false;

		ck_assert_int_gt(a[i].tid, 0);
		/* Served side by side: the eight reads were in at once. */
		ck_assert_int_eq(a[i].peak, 8);
		for (int j = 0; j < i; j++) {
			seen = seen || a[j].tid == a[i].tid;
		}
		distinct += seen ? 0 : 1;
		ck_assert_int_eq(waitpid(c[i], NULL, 0), c[i]);
	}
	ck_assert_int_eq(distinct, 8); /* the pool grew past lo_water */
	close(p[0]);
	close(p[1]);
	axt_child_kill(&m);
}
END_TEST

/* ---- message_attach and pulse_attach ------------------------------- */

#define MY_MSG_GET 0x5001
#define MY_MSG_ECHO 0x5002

struct my_msg {
	uint16_t type;
	uint16_t pad;
	int32_t value;
};

static int ticks;
static int tick_code = -1;
static int other_msgs;

static int
tick(message_context_t *ctp, int code, unsigned flags, void *handle)
{
	if (code == tick_code) {
		ticks++;
	}
	return 0;
}

static int
my_message(message_context_t *ctp, int type, unsigned flags, void *handle)
{
	struct my_msg *m = (struct my_msg *) ctp->msg;
	int32_t v = type == MY_MSG_GET ? ticks : m->value * 2;

	if (ctp->size < sizeof(*m)) {
		return MsgError(ctp->rcvid, EBADMSG);
	}
	MsgReply(ctp->rcvid, EOK, &v, sizeof(v));
	return 0;
}

static int
other_message(message_context_t *ctp, int type, unsigned flags,
    void *handle)
{
	other_msgs++;
	MsgReply(ctp->rcvid, other_msgs, NULL, 0);
	return 0;
}

/* Stands in for a timer_create(SIGEV_PULSE) timer (Axon has no
 * TimerCreate yet): a pulse every 10 ms on the manager's channel. */
static void *
ticker(void *arg)
{
	int coid = *(int *) arg;

	for (;;) {
		axt_sleep_ms(10);
		(void) MsgSendPulse(coid, 10, tick_code, 0);
	}
	return NULL;
}

static void
mgr_msg(int rep, void *arg)
{
	message_attr_t mattr = {.flags = MSG_FLAG_DEFAULT_FUNC};
	dispatch_context_t *ctp;
	dispatch_t *dpp;
	pthread_t t;
	int coid;

	(void) arg;
	dpp = dispatch_create();
	if (message_attach(dpp, NULL, 0x5000, 0x50ff, my_message, NULL) ==
	    -1 || message_attach(dpp, &mattr, 0, 0, other_message, NULL) ==
	    -1) {
		_exit(1);
	}
	tick_code = pulse_attach(dpp, MSG_FLAG_ALLOC_PULSE, 0, tick, NULL);
	if (tick_code == -1) {
		_exit(1);
	}
	ctp = dispatch_context_alloc(dpp);
	coid = message_connect(dpp, MSG_FLAG_SIDE_CHANNEL);
	pthread_create(&t, NULL, ticker, &coid);
	{
		struct _server_info si;

		if (ConnectServerInfo(0, coid, &si) == -1) {
			_exit(1);
		}
		axt_report(rep, si.chid);
	}
	for (;;) {
		if ((ctp = dispatch_block(ctp)) == NULL) {
			_exit(2);
		}
		dispatch_handler(ctp);
	}
}

START_TEST(test_message_and_pulse)
{
	struct axt_child m = axt_spawn(mgr_msg, NULL);
	struct my_msg msg = {.type = MY_MSG_ECHO, .value = 21};
	int32_t v = 0;
	int coid;
	double end;

	ck_assert_int_ge(m.val, 0);
	coid = ConnectAttach(0, m.pid, m.val, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(MsgSend(coid, &msg, sizeof(msg), &v, sizeof(v)), 0);
	ck_assert_int_eq(v, 42);
	/* The pulses arrive and are counted by the pulse_attach handler. */
	msg.type = MY_MSG_GET;
	end = axt_now() + 5;
	do {
		axt_sleep_ms(20);
		ck_assert_int_eq(MsgSend(coid, &msg, sizeof(msg), &v,
		    sizeof(v)), 0);
	} while (v < 3 && axt_now() < end);
	ck_assert_int_ge(v, 3);
	/* Other types go to the MSG_FLAG_DEFAULT_FUNC handler. */
	msg.type = 0x6000;
	ck_assert_int_eq(MsgSend(coid, &msg, sizeof(msg), NULL, 0), 1);
	ck_assert_int_eq(MsgSend(coid, &msg, sizeof(msg), NULL, 0), 2);
	msg.type = _IO_READ; /* no resmgr here: unmatched as well */
	ck_assert_int_eq(MsgSend(coid, &msg, sizeof(msg), NULL, 0), 3);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	axt_child_kill(&m);
}
END_TEST

/* ---- select_attach ------------------------------------------------- */

static int sel_calls;
static unsigned sel_flags;

static int
on_ready(select_context_t *ctp, int fd, unsigned flags, void *handle)
{
	char c;

	sel_calls++;
	sel_flags = flags;
	(void) !read(fd, &c, 1);
	return 0;
}

START_TEST(test_select)
{
	dispatch_t *dpp = dispatch_create();
	dispatch_context_t *ctp;
	int p[2], q[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pipe(q), 0);
	ck_assert_int_eq(select_attach(dpp, NULL, p[0],
	    SELECT_FLAG_READ | SELECT_FLAG_REARM, on_ready, NULL), 0);
	ck_assert_int_eq(select_attach(dpp, NULL, p[0], SELECT_FLAG_READ,
	    on_ready, NULL), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(select_attach(dpp, NULL, q[0], SELECT_FLAG_READ,
	    on_ready, NULL), 0);
	ctp = dispatch_context_alloc(dpp);
	ck_assert_ptr_nonnull(ctp);
	ck_assert_int_eq(dispatch_timeout(dpp,
	    &(struct timespec){2, 0}), 0);
	for (int i = 1; i <= 3; i++) {
		ck_assert_int_eq(write(p[1], "x", 1), 1);
		ck_assert_ptr_nonnull(ctp = dispatch_block(ctp));
		ck_assert_int_eq(ctp->resmgr_context.rcvid, 0);
		ck_assert_int_eq(dispatch_handler(ctp), 0);
		ck_assert_int_eq(sel_calls, i); /* REARM: every time */
		ck_assert_uint_eq(sel_flags, SELECT_FLAG_READ);
	}
	/* Without REARM: once, then it is detached. */
	ck_assert_int_eq(write(q[1], "y", 1), 1);
	ck_assert_ptr_nonnull(ctp = dispatch_block(ctp));
	ck_assert_int_eq(dispatch_handler(ctp), 0);
	ck_assert_int_eq(sel_calls, 4);
	ck_assert_int_eq(select_detach(dpp, q[0]), -1);
	ck_assert_int_eq(select_detach(dpp, p[0]), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(dispatch_timeout(dpp,
	    &(struct timespec){0, 50000000}), 0);
	ck_assert_ptr_nonnull(ctp = dispatch_block(ctp));
	ck_assert_int_eq(ctp->resmgr_context.rcvid, -1); /* nothing came */
	dispatch_context_free(ctp);
	ck_assert_int_eq(dispatch_destroy(dpp), 0);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}
END_TEST

/* The program's signals run on the program's threads, never on the
 * library's (select_attach's thread, the timer thread, the monitor): a
 * handler that calls MsgSend() or takes the program's locks must not
 * find itself on a thread the library needs to make progress.  The main
 * thread blocks SIGUSR1 after the library's threads exist, so each
 * kill() goes to some thread that does not block it: only the sink. */
static _Atomic pid_t sig_tid;
static atomic_int sig_n;

static void
on_usr1(int sig)
{
	(void) sig;
	atomic_store(&sig_tid, (pid_t) syscall(SYS_gettid));
	atomic_fetch_add(&sig_n, 1);
}

static _Atomic pid_t sink_tid;
static atomic_bool sink_stop;

static void *
sink_main(void *arg)
{
	(void) arg;
	atomic_store(&sink_tid, (pid_t) syscall(SYS_gettid));
	while (!atomic_load(&sink_stop)) {
		usleep(1000);
	}
	return NULL;
}

START_TEST(test_library_threads_take_no_signals)
{
	dispatch_t *dpp = dispatch_create();
	struct sigevent ev;
	struct sigaction sa = {.sa_handler = on_usr1};
	sigset_t usr1;
	pthread_t sink;
	int p[2], chid, coid, tid;

	ck_assert_ptr_nonnull(dpp);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(select_attach(dpp, NULL, p[0], SELECT_FLAG_READ,
	    on_ready, NULL), 0);
	chid = ChannelCreate(0);
	ck_assert_int_ge(chid, 0);
	coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	SIGEV_PULSE_INIT(&ev, coid, 10, 1, 0);
	tid = TimerCreate(CLOCK_MONOTONIC, &ev);
	ck_assert_int_ge(tid, 0);
	ck_assert_int_eq(pthread_create(&sink, NULL, sink_main, NULL), 0);
	WAIT_FOR(atomic_load(&sink_tid) != 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, &usr1, NULL), 0);
	for (int i = 1; i <= 200; i++) {
		ck_assert_int_eq(kill(getpid(), SIGUSR1), 0);
		pid_t ran_on, sink_on;

		WAIT_FOR(atomic_load(&sig_n) == i);
		ran_on = atomic_load(&sig_tid);
		sink_on = atomic_load(&sink_tid);
		ck_assert_int_eq(ran_on, sink_on);
	}
	atomic_store(&sink_stop, true);
	ck_assert_int_eq(pthread_join(sink, NULL), 0);
	ck_assert_int_eq(pthread_sigmask(SIG_UNBLOCK, &usr1, NULL), 0);
	ck_assert_int_eq(TimerDestroy(tid), 0);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	ck_assert_int_eq(ChannelDestroy(chid), 0);
	ck_assert_int_eq(select_detach(dpp, p[0]), 0);
	ck_assert_int_eq(dispatch_destroy(dpp), 0);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* ---- thread_pool_create/start/destroy in one process ---------------- */

static int
count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0;

	while (d != NULL && readdir(d) != NULL) {
		n++;
	}
	if (d != NULL) {
		closedir(d);
	}
	return n - 2;
}

static atomic_int ctx_live;

static dispatch_context_t *
counted_alloc(dispatch_t *dpp)
{
	dispatch_context_t *c = dispatch_context_alloc(dpp);

	if (c != NULL) {
		atomic_fetch_add(&ctx_live, 1);
	}
	return c;
}

static void
counted_free(dispatch_context_t *c)
{
	atomic_fetch_sub(&ctx_live, 1);
	dispatch_context_free(c);
}

static void *
nothing(void *arg)
{
	return arg;
}

START_TEST(test_pool_destroy)
{
	thread_pool_attr_t pa;
	thread_pool_t *tp;
	dispatch_t *dpp = dispatch_create();
	struct my_msg msg = {.type = MY_MSG_ECHO, .value = 5};
	int32_t v = 0;
	int coid, base;

	ck_assert_int_eq(message_attach(dpp, NULL, 0x5000, 0x50ff, my_message,
	    NULL), 0);
	memset(&pa, 0, sizeof(pa));
	pa.handle = dpp;
	pa.context_alloc = counted_alloc;
	pa.block_func = dispatch_block;
	pa.handler_func = dispatch_handler;
	pa.context_free = counted_free;
	pa.lo_water = 2;
	pa.hi_water = 3;
	pa.increment = 2;
	pa.maximum = 4;
	ck_assert_ptr_null(thread_pool_create(NULL, 0));
	pa.maximum = 0;
	ck_assert_ptr_null(thread_pool_create(&pa, 0));
	ck_assert_int_eq(errno, EINVAL);
	pa.maximum = 4;
	tp = thread_pool_create(&pa, 0);
	ck_assert_ptr_nonnull(tp);
	coid = message_connect(dpp, MSG_FLAG_SIDE_CHANNEL);
	ck_assert_int_ge(coid, 0);
	{
		/* Sanitizers start a helper thread at the first create. */
		pthread_t t;

		ck_assert_int_eq(pthread_create(&t, NULL, nothing, NULL), 0);
		ck_assert_int_eq(pthread_join(t, NULL), 0);
	}
	base = count_threads();
	ck_assert_int_eq(thread_pool_start(tp), EOK);
	ck_assert_int_eq(thread_pool_start(tp), -1); /* once */
	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(MsgSend(coid, &msg, sizeof(msg), &v,
		    sizeof(v)), 0);
		ck_assert_int_eq(v, 10);
	}
	ck_assert_int_ge(count_threads(), base + 2);
	ck_assert_int_le(count_threads(), base + 4);
	/* Destroy wakes the blocked threads (dispatch_unblock, as the pool
	 * falls back to for dispatch_block) and waits for them. */
	ck_assert_int_eq(thread_pool_destroy(tp), 0);
	ck_assert_int_eq(atomic_load(&ctx_live), 0); /* every context_free ran */
	for (int i = 0; i < 200 && count_threads() > base; i++) {
		axt_sleep_ms(5);
	}
	ck_assert_int_eq(count_threads(), base);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	ck_assert_int_eq(dispatch_destroy(dpp), 0);
}
END_TEST

/* ---- thread_pool_control / thread_pool_limits under load ----------- */

/* Messages of 0x5100: held in the handler until the gate opens. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static bool gate_open;
static atomic_int in_gate;

static int
gate_message(message_context_t *ctp, int type, unsigned flags, void *h)
{
	(void) type;
	(void) flags;
	(void) h;
	atomic_fetch_add(&in_gate, 1);
	pthread_mutex_lock(&gate_lock);
	while (!gate_open) {
		pthread_cond_wait(&gate_cv, &gate_lock);
	}
	pthread_mutex_unlock(&gate_lock);
	atomic_fetch_sub(&in_gate, 1);
	(void) MsgReply(ctp->rcvid, 0, NULL, 0);
	return 0;
}

static void *
gate_client(void *arg)
{
	uint16_t type = 0x5100;

	return (void *) (intptr_t) MsgSend((int) (intptr_t) arg, &type,
	    sizeof(type), NULL, 0);
}

/* Threads of this process named name. */
static int
threads_named(const char *name)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[300], buf[32] = {0};
		int fd;

		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
		    e->d_name);
		fd = e->d_name[0] == '.' ? -1 : open(path, O_RDONLY);
		if (fd >= 0) {
			(void) !read(fd, buf, sizeof(buf) - 1);
			close(fd);
			n += strncmp(buf, name, strlen(name)) == 0 &&
			    buf[strlen(name)] == '\n';
		}
	}
	if (d != NULL) {
		closedir(d);
	}
	return n;
}

/* Waits (bounded) until cond holds, then asserts it. */
static void *
far_control(void *arg)
{
	thread_pool_attr_t a;

	memset(&a, 0, sizeof(a));
	/* 50 threads never come (maximum 8): waits until destroyed. */
	if (thread_pool_control(arg, &a, 50, 50, 0) == -1) {
		return (void *) (intptr_t) errno;
	}
	return NULL;
}

START_TEST(test_pool_control)
{
	thread_pool_attr_t pa, na;
	thread_pool_t *tp;
	dispatch_t *dpp = dispatch_create();
	pthread_t cl[6], far;
	void *ret;
	int coid;

	ck_assert_int_eq(message_attach(dpp, NULL, 0x5100, 0x5100,
	    gate_message, NULL), 0);
	memset(&pa, 0, sizeof(pa));
	pa.handle = dpp;
	pa.context_alloc = counted_alloc;
	pa.block_func = dispatch_block;
	pa.handler_func = dispatch_handler;
	pa.context_free = counted_free;
	pa.tid_name = "tpctl";
	pa.lo_water = 1;
	pa.hi_water = 1;
	pa.increment = 1;
	pa.maximum = 2;
	tp = thread_pool_create(&pa, 0);
	ck_assert_ptr_nonnull(tp);
	/* Before the start: kept, nothing to wait for. */
	ck_assert_int_eq(thread_pool_limits(tp, -1, -1, 2, -1, 0), 0);
	ck_assert_int_eq(thread_pool_start(tp), EOK);
	WAIT_FOR(threads_named("tpctl") == 1);
	coid = message_connect(dpp, MSG_FLAG_SIDE_CHANNEL);
	ck_assert_int_ge(coid, 0);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(pthread_create(&cl[i], NULL, gate_client,
		    (void *) (intptr_t) coid), 0);
	}
	/* Six clients, two threads at most: two held, four queued. */
	WAIT_FOR(atomic_load(&in_gate) == 2);
	axt_sleep_ms(100);
	ck_assert_int_eq(atomic_load(&in_gate), 2);
	ck_assert_int_eq(threads_named("tpctl"), 2);

	/* Bad arguments change nothing. */
	memset(&na, 0, sizeof(na));
	ck_assert_int_eq(thread_pool_control(NULL, &na, 0, 1, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(thread_pool_control(tp, &na, 0, 1, 0x100), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(thread_pool_control(tp, NULL, 0, 9,
	    THREAD_POOL_CONTROL_MAXIMUM), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(thread_pool_control(tp, &na, 5, 4, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	na.maximum = 0; /* no thread at all */
	ck_assert_int_eq(thread_pool_control(tp, &na, 0, 9,
	    THREAD_POOL_CONTROL_MAXIMUM), -1);
	ck_assert_int_eq(errno, EINVAL);
	na.lo_water = 5; /* above the maximum (2) */
	ck_assert_int_eq(thread_pool_control(tp, &na, 0, 9,
	    THREAD_POOL_CONTROL_LOWATER), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(thread_pool_limits(tp, 70000, -1, -1, -1, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(thread_pool_limits(tp, -1, -1, -1, -1, 0x100), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* Already in range: back at once. */
	ck_assert_int_eq(thread_pool_control(tp, &na, 2, 2, 0), 0);
	axt_sleep_ms(100);
	ck_assert_int_eq(atomic_load(&in_gate), 2);

	/* Grow: maximum 8, two idle wanted (and kept); returns with 8 threads, every
	 * client in its handler and two threads waiting for more. */
	na.maximum = 8;
	na.lo_water = 2;
	na.hi_water = 2;
	ck_assert_int_eq(thread_pool_control(tp, &na, 8, 8,
	    THREAD_POOL_CONTROL_MAXIMUM | THREAD_POOL_CONTROL_LOWATER |
	    THREAD_POOL_CONTROL_HIWATER), 0);
	WAIT_FOR(atomic_load(&in_gate) == 6);
	WAIT_FOR(threads_named("tpctl") == 8);
	axt_sleep_ms(100);
	ck_assert_int_eq(threads_named("tpctl"), 8);

	/* A controller that waits for what never comes ends with the
	 * pool (below). */
	ck_assert_int_eq(pthread_create(&far, NULL, far_control, tp), 0);

	/* Shrink: the clients go, lo 0, hi 1, max 2: returns with two
	 * threads or fewer, the idle ones past hi_water woken to leave. */
	pthread_mutex_lock(&gate_lock);
	gate_open = true;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_lock);
	ck_assert_int_eq(thread_pool_limits(tp, 0, 1, 2, -1, 0), 0);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(pthread_join(cl[i], &ret), 0);
		ck_assert_int_eq((int) (intptr_t) ret, 0);
	}
	WAIT_FOR(threads_named("tpctl") <= 1);
	axt_sleep_ms(100);
	ck_assert_int_le(threads_named("tpctl"), 1);

	/* THREAD_POOL_CONTROL_NONBLOCK: back at once, the pool grows to
	 * three idle threads by itself. */
	ck_assert_int_eq(thread_pool_limits(tp, 3, 4, 4, -1,
	    THREAD_POOL_CONTROL_NONBLOCK), 0);
	WAIT_FOR(threads_named("tpctl") == 3);

	ck_assert_int_eq(thread_pool_destroy(tp), 0);
	ck_assert_int_eq(pthread_join(far, &ret), 0);
	ck_assert_int_eq((int) (intptr_t) ret, ECANCELED);
	ck_assert_int_eq(atomic_load(&ctx_live), 0);
	WAIT_FOR(threads_named("tpctl") == 0);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	ck_assert_int_eq(dispatch_destroy(dpp), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("dispatch");
	TCase *tc = axt_tcase("dispatch", 20);

	tcase_add_test(tc, test_pool_concurrent);
	tcase_add_test(tc, test_message_and_pulse);
	tcase_add_test(tc, test_select);
	tcase_add_test(tc, test_library_threads_take_no_signals);
	tcase_add_test(tc, test_pool_destroy);
	tcase_add_test(tc, test_pool_control);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(suite());
}
