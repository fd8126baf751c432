/* SPDX-License-Identifier: MIT */
/*
 * QNX's thread and scheduling calls (ThreadCreate(3)) and the TimerTimeout
 * states beyond message passing (TimerTimeout(3)): ThreadCreate and its
 * tid, ThreadJoin with its status and _NTO_TIMEOUT_JOIN, ThreadDestroy
 * of itself and of another, ThreadDetach, ThreadCtl (run masks, names,
 * and the commands Linux cannot honour), SchedGet/SchedSet/SchedInfo in
 * QNX priorities, and their errors.  Every wait is bounded.
 */
#include "axon_test.h"
#include "attack.h"

#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/sched_aps.h>

#define MS 1000000ull

static atomic_int gate;

static void *
ret_tid(void *arg)
{
	(void) arg;
	return (void *) (intptr_t) syscall(SYS_gettid);
}

/* Waits (bounded) for the gate to open, then returns arg. */
static void *
wait_gate(void *arg)
{
	double end = axt_now() + 20;

	while (atomic_load(&gate) == 0 && axt_now() < end) {
		axt_sleep_ms(2);
	}
	return arg;
}

static void *
destroy_self(void *arg)
{
	ThreadDestroy(0, -1, arg);
	return NULL; /* never reached */
}

static void *
block_in_receive(void *arg)
{
	int chid = (int) (intptr_t) arg;
	char buf[8];

	(void) MsgReceive(chid, buf, sizeof(buf), NULL);
	return NULL;
}

START_TEST(test_create_join)
{
	void *st = NULL;
	int tid;

	tid = ThreadCreate(0, ret_tid, NULL, NULL);
	ck_assert_int_gt(tid, 0);
	ck_assert_int_ne(tid, (int) syscall(SYS_gettid));
	ck_assert_int_eq(ThreadJoin(tid, &st), 0);
	ck_assert_int_eq((int) (intptr_t) st, tid); /* the Linux tid */
	/* Joined: gone. */
	ck_assert_int_eq(ThreadJoin(tid, NULL), -1);
	ck_assert_int_eq(errno, ESRCH);

	tid = ThreadCreate(getpid(), destroy_self, (void *) 0x77, NULL);
	ck_assert_int_gt(tid, 0);
	ck_assert_int_eq(ThreadJoin(tid, &st), 0);
	ck_assert_ptr_eq(st, (void *) 0x77);
}
END_TEST

/* Once ThreadJoin() has returned the thread is gone, as on QNX: its tid
 * names no thread (ClockId() and SchedGet() say ESRCH), not a dying one
 * for a moment.  A busy sibling keeps both CPUs contended, where the
 * window between pthread_join() and the kernel's release is widest. */
static atomic_bool spin_stop;

static void *
spin_main(void *arg)
{
	(void) arg;
	while (!atomic_load(&spin_stop)) {
	}
	return NULL;
}

START_TEST(test_join_gone)
{
	struct sched_param sp;
	pthread_t spin[2];

	for (int k = 0; k < 2; k++) {
		ck_assert_int_eq(pthread_create(&spin[k], NULL, spin_main,
		    NULL), 0);
	}
	for (int i = 0; i < 500; i++) {
		int tid = ThreadCreate(0, ret_tid, NULL, NULL);

		ck_assert_int_gt(tid, 0);
		ck_assert_int_eq(ThreadJoin(tid, NULL), 0);
		ck_assert_int_eq(ClockId(0, tid), -1);
		ck_assert_int_eq(errno, ESRCH);
		ck_assert_int_eq(SchedGet(0, tid, &sp), -1);
		ck_assert_int_eq(errno, ESRCH);
	}
	atomic_store(&spin_stop, true);
	for (int k = 0; k < 2; k++) {
		ck_assert_int_eq(pthread_join(spin[k], NULL), 0);
	}
}
END_TEST

START_TEST(test_errors)
{
	pthread_attr_t a;
	int tid;
	int j;

	ck_assert_int_eq(ThreadCreate_r(1, ret_tid, NULL, NULL), -ESRCH);
	ck_assert_int_eq(ThreadCreate_r(0, NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ThreadJoin_r((int) syscall(SYS_gettid), NULL),
	    -EDEADLK);
	ck_assert_int_eq(ThreadJoin_r(0, NULL), -ESRCH);
	ck_assert_int_eq(ThreadJoin_r(-1, NULL), -ESRCH);
	ck_assert_int_eq(ThreadJoin_r(1, NULL), -ESRCH); /* not ours */
	ck_assert_int_eq(ThreadDestroy_r(1, -1, NULL), -ESRCH);
	ck_assert_int_eq(ThreadDestroy_r(-1, -1, NULL), -EINVAL);
	ck_assert_int_eq(ThreadDestroy_r(5, 300, NULL), -EINVAL);
	ck_assert_int_eq(ThreadDetach_r(1), -ESRCH);

	/* Detached, by attribute or by call: not joinable. */
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	atomic_store(&gate, 0);
	tid = ThreadCreate(0, wait_gate, NULL, &a);
	ck_assert_int_gt(tid, 0);
	ck_assert_int_eq(ThreadJoin_r(tid, NULL), -EINVAL);
	ck_assert_int_eq(ThreadDetach_r(tid), -EINVAL);
	pthread_attr_destroy(&a);
	j = ThreadCreate(0, wait_gate, NULL, NULL);
	ck_assert_int_eq(ThreadDetach(j), 0);
	ck_assert_int_eq(ThreadJoin_r(j, NULL), -EINVAL);
	atomic_store(&gate, 1);
	/* Both end (bounded: not a fixed delay, which a loaded machine
	 * can exceed) and take their records with them. */
	for (int i = 0; i < 5000 && (ThreadJoin_r(tid, NULL) == -EINVAL ||
	    ThreadJoin_r(j, NULL) == -EINVAL); i++) {
		axt_sleep_ms(1);
	}
	ck_assert_int_eq(ThreadJoin_r(tid, NULL), -ESRCH);
	ck_assert_int_eq(ThreadJoin_r(j, NULL), -ESRCH);
}
END_TEST

struct joiner {
	int tid;
	int rc;
	atomic_int self; /* the joiner's thread id, once it runs */
};

static void *
join_it(void *arg)
{
	struct joiner *j = arg;

	atomic_store(&j->self, (int) syscall(SYS_gettid));
	j->rc = ThreadJoin_r(j->tid, NULL);
	return NULL;
}

/* _NTO_TIMEOUT_JOIN bounds the next ThreadJoin(); other states leave it
 * alone; the timeout is spent by that call. */
START_TEST(test_timeout_join)
{
	uint64_t t = 30 * MS;
	struct joiner jr;
	pthread_t th;
	double t0;
	void *st;
	int tid;

	atomic_store(&gate, 0);
	tid = ThreadCreate(0, wait_gate, (void *) 5, NULL);
	ck_assert_int_gt(tid, 0);

	t0 = axt_now();
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_JOIN, NULL,
			     &t, NULL),
	    0);
	ck_assert_int_eq(ThreadJoin(tid, NULL), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert(axt_now() - t0 >= 0.025);
	/* Immediate (NULL time): polls. */
	ck_assert_int_eq(TimerTimeout(CLOCK_REALTIME, _NTO_TIMEOUT_JOIN, NULL,
			     NULL, NULL),
	    0);
	ck_assert_int_eq(ThreadJoin_r(tid, NULL), -ETIMEDOUT);
	/* Absolute on CLOCK_REALTIME. */
	{
		struct timespec now;
		uint64_t at;

		clock_gettime(CLOCK_REALTIME, &now);
		at = (uint64_t) now.tv_sec * 1000000000ull +
		    (uint64_t) now.tv_nsec + 20 * MS;
		ck_assert_int_eq(TimerTimeout(CLOCK_REALTIME,
				     _NTO_TIMEOUT_JOIN | TIMER_ABSTIME, NULL,
				     &at, NULL),
		    0);
		ck_assert_int_eq(ThreadJoin_r(tid, NULL), -ETIMEDOUT);
	}
	/* While one joiner waits, another is refused. */
	jr.tid = tid;
	jr.rc = 1;
	atomic_store(&jr.self, 0);
	ck_assert_int_eq(pthread_create(&th, NULL, join_it, &jr), 0);
	/* Once it sleeps in its join (not after a fixed delay: on a loaded
	 * machine this thread's join could come first, and wait for ever). */
	for (int i = 0; i < 5000 && atomic_load(&jr.self) == 0; i++) {
		axt_sleep_ms(1);
	}
	ck_assert(axt_wait_futex(atomic_load(&jr.self)));
	ck_assert_int_eq(ThreadJoin_r(tid, NULL), -EBUSY);
	/* A timeout for other states does not bound a join, and is spent
	 * by it. */
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC,
			     _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_MUTEX, NULL,
			     NULL, NULL),
	    0);
	atomic_store(&gate, 1);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(jr.rc, 0);
	(void) st;

	/* The JOIN timeout armed, then spent by a join that completes. */
	tid = ThreadCreate(0, ret_tid, NULL, NULL);
	t = 5000 * MS;
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_JOIN, NULL, &t, NULL);
	ck_assert_int_eq(ThreadJoin(tid, &st), 0);
	ck_assert_int_eq((int) (intptr_t) st, tid);

	/* Every QNX state is accepted; an unknown bit is not. */
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC,
			     _NTO_TIMEOUT_SIGSUSPEND |
				 _NTO_TIMEOUT_SIGWAITINFO |
				 _NTO_TIMEOUT_NANOSLEEP | _NTO_TIMEOUT_MUTEX |
				 _NTO_TIMEOUT_CONDVAR | _NTO_TIMEOUT_INTR |
				 _NTO_TIMEOUT_SEM,
			     NULL, &t, NULL),
	    0);
	ck_assert_int_eq(TimerTimeout_r(CLOCK_MONOTONIC, 1 << 20, NULL, &t,
			     NULL),
	    -EINVAL);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, 0, NULL, NULL, NULL),
	    0);
}
END_TEST

/* Runs for about 2 s (QNX's lab shape, 20 s, scaled down), then
 * returns arg. */
static void *
run_2s(void *arg)
{
	axt_sleep_ms(2000);
	return arg;
}

static atomic_int finished;

static void *
finish_now(void *arg)
{
	atomic_store(&finished, 1);
	return arg;
}

/* Whether a timeout is still armed (TimerTimeout's otime of an armed
 * 1 s timeout is nonzero; of a disarmed one, 0).  Leaves it disarmed. */
static bool
timeout_armed(void)
{
	uint64_t o = 1;

	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, 0, NULL, NULL, &o), 0);
	return o != 0;
}

/*
 * pthread_join() in a QNX program is ThreadJoin(): a JOIN timeout
 * (here 100 ms on a thread that runs 2 s) ends it with ETIMEDOUT and the
 * thread stays joinable; the timeout is spent, so the next join waits;
 * a finished thread is joined at once under a timeout; a timeout for
 * other states does not bound it but is spent by it.
 */
START_TEST(test_pthread_join_timeout)
{
	struct sigevent ev;
	uint64_t t = 100 * MS;
	pthread_t th;
	double t0;
	void *st = NULL;

	SIGEV_UNBLOCK_INIT(&ev);
	ck_assert_int_eq(pthread_create(&th, NULL, run_2s, (void *) 7), 0);
	t0 = axt_now();
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_JOIN, &ev,
			     &t, NULL),
	    0);
	ck_assert_int_eq(pthread_join(th, &st), ETIMEDOUT);
	ck_assert(axt_now() - t0 >= 0.095);
	ck_assert(axt_now() - t0 < 1.5);
	ck_assert_ptr_null(st);
	ck_assert(!timeout_armed());
	/* Not re-armed: this one waits for the thread, which was still
	 * joinable. */
	ck_assert_int_eq(pthread_join(th, &st), 0);
	ck_assert(axt_now() - t0 >= 1.5);
	ck_assert_int_eq((int) (intptr_t) st, 7);

	/* Immediate (NULL time) on a running thread: at once. */
	ck_assert_int_eq(pthread_create(&th, NULL, run_2s, (void *) 8), 0);
	ck_assert_int_eq(TimerTimeout(CLOCK_REALTIME, _NTO_TIMEOUT_JOIN, &ev,
			     NULL, NULL),
	    0);
	t0 = axt_now();
	ck_assert_int_eq(pthread_join(th, NULL), ETIMEDOUT);
	ck_assert(axt_now() - t0 < 1.0);
	/* Absolute on CLOCK_REALTIME, as QNX programs arm it too. */
	{
		struct timespec now;
		uint64_t at;

		clock_gettime(CLOCK_REALTIME, &now);
		at = (uint64_t) now.tv_sec * 1000000000ull +
		    (uint64_t) now.tv_nsec + 50 * MS;
		ck_assert_int_eq(TimerTimeout(CLOCK_REALTIME,
				     _NTO_TIMEOUT_JOIN | TIMER_ABSTIME, &ev,
				     &at, NULL),
		    0);
		ck_assert_int_eq(pthread_join(th, NULL), ETIMEDOUT);
	}
	/* Another state's timeout: no bound (the join waits the thread
	 * out), and spent. */
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC,
			     _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_MUTEX, &ev, &t,
			     NULL),
	    0);
	ck_assert_int_eq(pthread_join(th, &st), 0);
	ck_assert_int_eq((int) (intptr_t) st, 8);
	ck_assert(!timeout_armed());

	/* A thread already over: joined at once, the timeout spent. */
	atomic_store(&finished, 0);
	ck_assert_int_eq(pthread_create(&th, NULL, finish_now, (void *) 9),
	    0);
	for (int i = 0; i < 5000 && atomic_load(&finished) == 0; i++) {
		axt_sleep_ms(1);
	}
	axt_sleep_ms(20); /* past its return */
	t = 5000 * MS;
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_JOIN, &ev,
			     &t, NULL),
	    0);
	t0 = axt_now();
	ck_assert_int_eq(pthread_join(th, &st), 0);
	ck_assert(axt_now() - t0 < 1.0);
	ck_assert_int_eq((int) (intptr_t) st, 9);
	ck_assert(!timeout_armed());
	/* And with an immediate timeout. */
	ck_assert_int_eq(pthread_create(&th, NULL, finish_now, (void *) 10),
	    0);
	axt_sleep_ms(50);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_JOIN, &ev,
			     NULL, NULL),
	    0);
	for (int i = 0; i < 100; i++) {
		int rc = pthread_join(th, &st);

		if (rc == 0) {
			break;
		}
		ck_assert_int_eq(rc, ETIMEDOUT); /* not over yet: again */
		ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC,
				     _NTO_TIMEOUT_JOIN, &ev, NULL, NULL),
		    0);
		axt_sleep_ms(20);
	}
	ck_assert_int_eq((int) (intptr_t) st, 10);
}
END_TEST

/* pthread_join()'s errors, with and without a JOIN timeout armed: a
 * thread id nobody started (ESRCH), the caller itself (EDEADLK); and a
 * QNX thread id, as QNX's pthread_t is, joins a ThreadCreate() thread. */
START_TEST(test_pthread_join_errors)
{
	uint64_t t = 100 * MS;
	void *st = NULL;
	int tid;

	ck_assert_int_eq(pthread_join((pthread_t) 0, NULL), ESRCH);
	ck_assert_int_eq(pthread_join((pthread_t) 1, NULL), ESRCH);
	ck_assert_int_eq(pthread_join((pthread_t) syscall(SYS_gettid), NULL),
	    EDEADLK);
	ck_assert_int_eq(pthread_join(pthread_self(), NULL), EDEADLK);
	for (int i = 0; i < 3; i++) {
		pthread_t bad[] = {(pthread_t) 1, pthread_self(),
		    (pthread_t) syscall(SYS_gettid)};

		ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC,
				     _NTO_TIMEOUT_JOIN, NULL, &t, NULL),
		    0);
		ck_assert_int_eq(pthread_join(bad[i], NULL),
		    i == 0 ? ESRCH : EDEADLK);
		ck_assert(!timeout_armed());
	}
	/* errno is not the channel: it stays as it was. */
	errno = 55;
	ck_assert_int_eq(pthread_join((pthread_t) 1, NULL), ESRCH);
	ck_assert_int_eq(errno, 55);

	tid = ThreadCreate(0, ret_tid, NULL, NULL);
	ck_assert_int_gt(tid, 0);
	ck_assert_int_eq(pthread_join((pthread_t) tid, &st), 0);
	ck_assert_int_eq((int) (intptr_t) st, tid);
	ck_assert_int_eq(pthread_join((pthread_t) tid, NULL), ESRCH);
	/* A ThreadCreate() thread under a JOIN timeout, by its id. */
	atomic_store(&gate, 0);
	tid = ThreadCreate(0, wait_gate, (void *) 3, NULL);
	ck_assert_int_gt(tid, 0);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_JOIN, NULL,
			     &t, NULL),
	    0);
	ck_assert_int_eq(pthread_join((pthread_t) tid, NULL), ETIMEDOUT);
	atomic_store(&gate, 1);
	ck_assert_int_eq(pthread_join((pthread_t) tid, &st), 0);
	ck_assert_int_eq((int) (intptr_t) st, 3);
}
END_TEST

/* ThreadDestroy() of another thread: it ends at its next cancellation
 * point (here, blocked in MsgReceive), and its joiner gets the status
 * given to ThreadDestroy(). */
START_TEST(test_destroy_other)
{
	int chid = ChannelCreate(0);
	void *st = NULL;
	int tid;

	tid = ThreadCreate(0, block_in_receive, (void *) (intptr_t) chid,
	    NULL);
	ck_assert_int_gt(tid, 0);
	/* Blocked in MsgReceive (not after a fixed delay: on a loaded
	 * machine it may not be there yet). */
	ck_assert(axt_wait_asleep(tid));
	ck_assert_int_eq(ThreadDestroy(tid, 10, (void *) 0x55), 0);
	ck_assert_int_eq(ThreadJoin(tid, &st), 0);
	ck_assert_ptr_eq(st, (void *) 0x55);
	ck_assert_int_eq(ChannelDestroy(chid), 0);
}
END_TEST

/* ---- ThreadCtl ----------------------------------------------------------- */

START_TEST(test_threadctl)
{
	cpu_set_t orig;
	cpu_set_t now;
	unsigned m;
	unsigned old;
	char nb[sizeof(struct _thread_name) + 64];
	struct _thread_name *tn = (struct _thread_name *) nb;
	char name[16];
	int first = -1;
	struct {
		int size;
		unsigned run[1];
		unsigned inh[1];
	} rm;

	/* No I/O privilege for a Linux process. */
	ck_assert_int_eq(ThreadCtl(_NTO_TCTL_IO, NULL), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(ThreadCtl_r(_NTO_TCTL_IO_PRIV, NULL), -EPERM);
	ck_assert_int_eq(ThreadCtl_r(_NTO_TCTL_ONE_THREAD_HOLD, NULL),
	    -ENOTSUP);
	ck_assert_int_eq(ThreadCtl_r(_NTO_TCTL_THREADS_HOLD, NULL), -ENOTSUP);
	ck_assert_int_eq(ThreadCtl_r(9999, NULL), -EINVAL);

	/* Run masks: to the first CPU we may use, and back. */
	ck_assert_int_eq(sched_getaffinity(0, sizeof(orig), &orig), 0);
	for (int c = 0; c < 32; c++) {
		if (CPU_ISSET(c, &orig)) {
			first = c;
			break;
		}
	}
	ck_assert_int_ge(first, 0);
	ck_assert_int_eq(ThreadCtl(_NTO_TCTL_RUNMASK,
			     (void *) (uintptr_t) (1u << first)),
	    0);
	ck_assert_int_eq(sched_getaffinity(0, sizeof(now), &now), 0);
	ck_assert_int_eq(CPU_COUNT(&now), 1);
	ck_assert(CPU_ISSET(first, &now));
	sched_yield();
	ck_assert_int_eq(sched_getcpu(), first);
	ck_assert_int_eq(ThreadCtl_r(_NTO_TCTL_RUNMASK, (void *) 0), -EINVAL);
	/* Get and set: 0 only gets. */
	m = 0;
	ck_assert_int_eq(ThreadCtl(_NTO_TCTL_RUNMASK_GET_AND_SET, &m), 0);
	ck_assert_uint_eq(m, 1u << first);
	m = 0;
	for (int c = 0; c < 32; c++) {
		if (CPU_ISSET(c, &orig)) {
			m |= 1u << c;
		}
	}
	old = m;
	ck_assert_int_eq(ThreadCtl(_NTO_TCTL_RUNMASK_GET_AND_SET, &m), 0);
	ck_assert_uint_eq(m, 1u << first);
	ck_assert_int_eq(ThreadCtl_r(_NTO_TCTL_RUNMASK_GET_AND_SET, NULL),
	    -EFAULT);
	/* With the inherit mask: the same mask maps, another does not. */
	rm.size = RMSK_SIZE(32);
	ck_assert_int_eq(rm.size, 1);
	rm.run[0] = 0;
	rm.inh[0] = 0;
	RMSK_SET(first, rm.run);
	RMSK_SET(first, rm.inh);
	ck_assert_int_eq(ThreadCtl(_NTO_TCTL_RUNMASK_GET_AND_SET_INHERIT, &rm),
	    0);
	ck_assert_uint_eq(rm.run[0], old);
	ck_assert_uint_eq(rm.inh[0], old);
	rm.run[0] = old;
	rm.inh[0] = 1u << first;
	if (old != (1u << first)) {
		ck_assert_int_eq(ThreadCtl_r(
				     _NTO_TCTL_RUNMASK_GET_AND_SET_INHERIT,
				     &rm),
		    -ENOTSUP);
	}
	rm.inh[0] = 0;
	ck_assert_int_eq(ThreadCtl(_NTO_TCTL_RUNMASK_GET_AND_SET_INHERIT, &rm),
	    0);
	ck_assert_uint_eq(rm.run[0], 1u << first);
	rm.size = 0;
	ck_assert_int_eq(ThreadCtl_r(_NTO_TCTL_RUNMASK_GET_AND_SET_INHERIT,
			     &rm),
	    -EINVAL);
	ck_assert_int_eq(sched_getaffinity(0, sizeof(now), &now), 0);
	ck_assert(CPU_EQUAL(&now, &orig));

	/* Names: set, and the old one comes back. */
	ck_assert_int_eq(pthread_setname_np(pthread_self(), "before"), 0);
	tn->name_buf_len = 64;
	tn->new_name_len = (int) strlen("worker-1");
	memcpy(tn->name_buf, "worker-1", strlen("worker-1"));
	ck_assert_int_eq(ThreadCtl(_NTO_TCTL_NAME, tn), 0);
	ck_assert_str_eq(tn->name_buf, "before");
	ck_assert_int_eq(pthread_getname_np(pthread_self(), name,
			     sizeof(name)),
	    0);
	ck_assert_str_eq(name, "worker-1");
	tn->new_name_len = 0;
	ck_assert_int_eq(ThreadCtl(_NTO_TCTL_NAME, tn), 0);
	ck_assert_str_eq(tn->name_buf, "worker-1");
	/* Linux keeps 15 bytes: longer names are refused, not cut. */
	tn->new_name_len = 20;
	memcpy(tn->name_buf, "a-name-of-twenty-ch", 20);
	ck_assert_int_eq(ThreadCtl_r(_NTO_TCTL_NAME, tn), -E2BIG);
	ck_assert_int_eq(ThreadCtl_r(_NTO_TCTL_NAME, NULL), -EFAULT);
	ck_assert_int_eq(pthread_getname_np(pthread_self(), name,
			     sizeof(name)),
	    0);
	ck_assert_str_eq(name, "worker-1");
}
END_TEST

/* ---- ThreadCtlExt ---------------------------------------------------------- */

static atomic_int worker_tid;

/* Publishes its tid, then waits for the gate. */
static void *
tid_then_gate(void *arg)
{
	atomic_store(&worker_tid, (int) syscall(SYS_gettid));
	return wait_gate(arg);
}

static uint64_t
mask_bits(const cpu_set_t *set)
{
	uint64_t b = 0;

	for (int c = 0; c < 64; c++) {
		if (CPU_ISSET(c, set)) {
			b |= 1ull << c;
		}
	}
	return b;
}

static void
set_name(struct _thread_name *tn, const char *name)
{
	tn->name_buf_len = 64;
	tn->new_name_len = name != NULL ? (int) strlen(name) : 0;
	if (name != NULL) {
		memcpy(tn->name_buf, name, strlen(name));
	}
}

START_TEST(test_threadctl_ext)
{
	char nb[sizeof(struct _thread_name) + 64];
	struct _thread_name *tn = (struct _thread_name *) nb;
	cpu_set_t orig, mine, set;
	char name[16];
	pthread_t th;
	double end;
	unsigned m;
	int tid;

	atomic_store(&gate, 0);
	atomic_store(&worker_tid, 0);
	ck_assert_int_eq(pthread_create(&th, NULL, tid_then_gate, NULL), 0);
	end = axt_now() + 10;
	while (atomic_load(&worker_tid) == 0 && axt_now() < end) {
		axt_sleep_ms(1);
	}
	tid = atomic_load(&worker_tid);
	ck_assert_int_gt(tid, 0);

	/* The calling thread: (0, 0), (0, its tid), (getpid(), its tid). */
	ck_assert_int_eq(pthread_setname_np(pthread_self(), "me"), 0);
	set_name(tn, NULL);
	ck_assert_int_eq(ThreadCtlExt(0, 0, _NTO_TCTL_NAME, tn), 0);
	ck_assert_str_eq(tn->name_buf, "me");
	set_name(tn, NULL);
	ck_assert_int_eq(ThreadCtlExt(0, (int) syscall(SYS_gettid),
	    _NTO_TCTL_NAME, tn), 0);
	ck_assert_str_eq(tn->name_buf, "me");
	set_name(tn, NULL);
	ck_assert_int_eq(ThreadCtlExt(getpid(), (int) syscall(SYS_gettid),
	    _NTO_TCTL_NAME, tn), 0);
	ck_assert_str_eq(tn->name_buf, "me");

	/* Another thread of ours: its name, the old one back. */
	ck_assert_int_eq(pthread_setname_np(th, "w-before"), 0);
	set_name(tn, "w-after");
	ck_assert_int_eq(ThreadCtlExt(0, tid, _NTO_TCTL_NAME, tn), 0);
	ck_assert_str_eq(tn->name_buf, "w-before");
	ck_assert_int_eq(pthread_getname_np(th, name, sizeof(name)), 0);
	ck_assert_str_eq(name, "w-after");
	ck_assert_int_eq(pthread_getname_np(pthread_self(), name,
	    sizeof(name)), 0);
	ck_assert_str_eq(name, "me");
	set_name(tn, NULL);
	ck_assert_int_eq(ThreadCtlExt(getpid(), tid, _NTO_TCTL_NAME, tn), 0);
	ck_assert_str_eq(tn->name_buf, "w-after");
	set_name(tn, "a-name-of-twenty-ch");
	ck_assert_int_eq(ThreadCtlExt_r(0, tid, _NTO_TCTL_NAME, tn), -E2BIG);

	/* Its run mask: CPU 0 alone, ours untouched, the old one back. */
	ck_assert_int_eq(sched_getaffinity(tid, sizeof(orig), &orig), 0);
	ck_assert_int_eq(sched_getaffinity(0, sizeof(mine), &mine), 0);
	m = 1;
	ck_assert_int_eq(ThreadCtlExt(0, tid, _NTO_TCTL_RUNMASK_GET_AND_SET,
	    &m), 0);
	ck_assert_uint_eq(m, (unsigned) mask_bits(&orig));
	ck_assert_int_eq(sched_getaffinity(tid, sizeof(set), &set), 0);
	ck_assert_int_eq(CPU_COUNT(&set), 1);
	ck_assert(CPU_ISSET(0, &set));
	ck_assert_int_eq(sched_getaffinity(0, sizeof(set), &set), 0);
	ck_assert(CPU_EQUAL(&set, &mine));
	ck_assert_int_eq(ThreadCtlExt(0, tid, _NTO_TCTL_RUNMASK,
	    (void *) (uintptr_t) mask_bits(&orig)), 0);
	ck_assert_int_eq(sched_getaffinity(tid, sizeof(set), &set), 0);
	ck_assert(CPU_EQUAL(&set, &orig));
	ck_assert_int_eq(ThreadCtlExt_r(0, tid, _NTO_TCTL_RUNMASK, NULL),
	    -EINVAL);

	/* Errors. */
	ck_assert_int_eq(ThreadCtlExt(0, tid, _NTO_TCTL_IO, NULL), -1);
	ck_assert_int_eq(errno, EINVAL); /* the calling thread's alone */
	ck_assert_int_eq(ThreadCtlExt_r(0, 0, _NTO_TCTL_IO, NULL), -EPERM);
	ck_assert_int_eq(ThreadCtlExt_r(0, tid, 9999, NULL), -EINVAL);
	ck_assert_int_eq(ThreadCtlExt_r(0, tid, _NTO_TCTL_NAME, NULL),
	    -EFAULT);
	ck_assert_int_eq(ThreadCtlExt_r(0, tid, _NTO_TCTL_THREADS_HOLD,
	    NULL), -ENOTSUP);
	ck_assert_int_eq(ThreadCtlExt_r(getpid(), 0, _NTO_TCTL_NAME, tn),
	    -EINVAL); /* a pid needs a tid */
	ck_assert_int_eq(ThreadCtlExt_r(0, -1, _NTO_TCTL_NAME, tn), -ESRCH);
	ck_assert_int_eq(ThreadCtlExt_r(-1, tid, _NTO_TCTL_NAME, tn), -ESRCH);
	ck_assert_int_eq(ThreadCtlExt_r(0, 0x3ffffff0, _NTO_TCTL_NAME, tn),
	    -ESRCH);
	/* A thread of another process is not ours to name by our pid. */
	ck_assert_int_eq(ThreadCtlExt_r(0, 1, _NTO_TCTL_NAME, tn), -ESRCH);

	/* The thread ends: ESRCH, once Linux has removed it (the join
	 * returns when the thread has left, a moment before its tid goes:
	 * ThreadCreate(3), BUGS). */
	atomic_store(&gate, 1);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	{
		char task[64];

		snprintf(task, sizeof(task), "/proc/self/task/%d", tid);
		for (int i = 0; i < 2000 && access(task, F_OK) == 0; i++) {
			usleep(1000);
		}
		ck_assert_int_ne(access(task, F_OK), 0);
	}
	set_name(tn, NULL);
	ck_assert_int_eq(ThreadCtlExt(0, tid, _NTO_TCTL_NAME, tn), -1);
	ck_assert_int_eq(errno, ESRCH);
	m = 1;
	ck_assert_int_eq(ThreadCtlExt_r(0, tid, _NTO_TCTL_RUNMASK_GET_AND_SET,
	    &m), -ESRCH);
}
END_TEST

/* A process that names its thread, reports, and waits to be killed. */
static void
named_child(int rep, void *arg)
{
	(void) arg;
	(void) pthread_setname_np(pthread_self(), "kid");
	axt_report(rep, 0);
	for (int i = 0; i < 2000; i++) {
		axt_sleep_ms(10);
	}
	_exit(0);
}

START_TEST(test_threadctl_ext_other)
{
	char nb[sizeof(struct _thread_name) + 64];
	struct _thread_name *tn = (struct _thread_name *) nb;
	struct axt_child kid = axt_spawn(named_child, NULL);
	cpu_set_t orig, set;
	unsigned m;
	pid_t pid;
	int st;

	/* Its name may be read, not set (Linux lets a process name only
	 * its own threads). */
	set_name(tn, NULL);
	ck_assert_int_eq(ThreadCtlExt(kid.pid, kid.pid, _NTO_TCTL_NAME, tn),
	    0);
	ck_assert_str_eq(tn->name_buf, "kid");
	set_name(tn, "renamed");
	ck_assert_int_eq(ThreadCtlExt_r(kid.pid, kid.pid, _NTO_TCTL_NAME, tn),
	    -ENOTSUP);
	set_name(tn, NULL);
	ck_assert_int_eq(ThreadCtlExt(kid.pid, kid.pid, _NTO_TCTL_NAME, tn),
	    0);
	ck_assert_str_eq(tn->name_buf, "kid");
	/* Its run mask may be set. */
	ck_assert_int_eq(sched_getaffinity(kid.pid, sizeof(orig), &orig), 0);
	m = 1;
	ck_assert_int_eq(ThreadCtlExt(kid.pid, kid.pid,
	    _NTO_TCTL_RUNMASK_GET_AND_SET, &m), 0);
	ck_assert_uint_eq(m, (unsigned) mask_bits(&orig));
	ck_assert_int_eq(sched_getaffinity(kid.pid, sizeof(set), &set), 0);
	ck_assert_int_eq(CPU_COUNT(&set), 1);
	ck_assert(CPU_ISSET(0, &set));
	/* I/O privilege is the calling thread's alone; a pid needs a tid;
	 * a tid of another process is not one of this one's. */
	ck_assert_int_eq(ThreadCtlExt_r(kid.pid, kid.pid, _NTO_TCTL_IO, NULL),
	    -EINVAL);
	ck_assert_int_eq(ThreadCtlExt_r(kid.pid, 0, _NTO_TCTL_NAME, tn),
	    -EINVAL);
	ck_assert_int_eq(ThreadCtlExt_r(kid.pid, getpid(), _NTO_TCTL_NAME,
	    tn), -ESRCH);

	/* Another user may do neither to root's process. */
	if (axa_user("test_threadctl_ext_other")) {
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			unsigned mm = 3;

			axa_become();
			set_name(tn, NULL);
			if (ThreadCtlExt_r(kid.pid, kid.pid, _NTO_TCTL_NAME,
			    tn) != -EPERM) {
				_exit(1);
			}
			if (ThreadCtlExt_r(kid.pid, kid.pid, _NTO_TCTL_RUNMASK,
			    (void *) (uintptr_t) 3) != -EPERM ||
			    ThreadCtlExt_r(kid.pid, kid.pid,
				_NTO_TCTL_RUNMASK_GET_AND_SET, &mm) != -EPERM) {
				_exit(2);
			}
			_exit(0);
		}
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert(WIFEXITED(st));
		ck_assert_int_eq(WEXITSTATUS(st), 0);
		ck_assert_int_eq(sched_getaffinity(kid.pid, sizeof(set), &set),
		    0);
		ck_assert_int_eq(CPU_COUNT(&set), 1); /* still CPU 0 alone */
	}

	/* Once it has died: ESRCH. */
	pid = kid.pid;
	axt_child_kill(&kid);
	set_name(tn, NULL);
	ck_assert_int_eq(ThreadCtlExt(pid, pid, _NTO_TCTL_NAME, tn), -1);
	ck_assert_int_eq(errno, ESRCH);
}
END_TEST

/* ---- scheduling ---------------------------------------------------------- */

START_TEST(test_sched)
{
	struct sched_param sp;
	struct _sched_info si;
	int tid = (int) syscall(SYS_gettid);

	ck_assert_int_eq(SchedGet(0, 0, &sp), SCHED_OTHER);
	ck_assert_int_eq(sp.sched_priority, 10); /* QNX's default */
	ck_assert_int_eq(SchedGet(getpid(), tid, &sp), SCHED_OTHER);
	ck_assert_int_eq(SchedGet_r(0, 999999999, &sp), -ESRCH);
	ck_assert_int_eq(SchedGet_r(-1, 0, &sp), -ESRCH);
	ck_assert_int_eq(SchedYield(), 0);

	ck_assert_int_eq(SchedInfo(0, SCHED_FIFO, &si), 0);
	ck_assert_int_eq(si.priority_min, 1);
	ck_assert_int_eq(si.priority_max, 99);
	ck_assert_int_eq(SchedInfo(0, SCHED_OTHER, &si), 0);
	ck_assert_int_eq(si.priority_min, 10);
	ck_assert_int_eq(si.priority_max, 10);
	ck_assert_int_eq(SchedInfo_r(0, 77, &si), -EINVAL);
	ck_assert_int_eq(SchedInfo_r(0, SCHED_RR, NULL), -EFAULT);

	sp.sched_priority = 0;
	ck_assert_int_eq(SchedSet_r(0, 0, SCHED_FIFO, &sp), -EINVAL);
	sp.sched_priority = 100;
	ck_assert_int_eq(SchedSet_r(0, 0, SCHED_RR, &sp), -EINVAL);
	sp.sched_priority = 20;
	ck_assert_int_eq(SchedSet_r(0, 0, SCHED_OTHER, &sp), -EINVAL);
	ck_assert_int_eq(SchedSet_r(0, 0, 77, &sp), -EINVAL);
	ck_assert_int_eq(SchedSet_r(0, 0, SCHED_FIFO, NULL), -EFAULT);
	if (geteuid() != 0) {
		return;
	}
	/* As root: real-time, and it reads back as getprio() does. */
	sp.sched_priority = 20;
	ck_assert_int_eq(SchedSet(0, 0, SCHED_FIFO, &sp), 0);
	ck_assert_int_eq(SchedGet(0, 0, &sp), SCHED_FIFO);
	ck_assert_int_eq(sp.sched_priority, 20);
	ck_assert_int_eq(getprio(0), 20);
	sp.sched_priority = 25;
	ck_assert_int_eq(SchedSet(0, tid, SCHED_NOCHANGE, &sp), 0);
	ck_assert_int_eq(SchedGet(0, tid, &sp), SCHED_FIFO);
	ck_assert_int_eq(sp.sched_priority, 25);
	sp.sched_priority = 10;
	ck_assert_int_eq(SchedSet(0, 0, SCHED_OTHER, &sp), 0);
	ck_assert_int_eq(SchedGet(0, 0, &sp), SCHED_OTHER);
	/* SCHED_NOCHANGE from QNX's default to another priority: round
	 * robin, as setprio() does. */
	sp.sched_priority = 12;
	ck_assert_int_eq(SchedSet(0, 0, SCHED_NOCHANGE, &sp), 0);
	ck_assert_int_eq(SchedGet(0, 0, &sp), SCHED_RR);
	ck_assert_int_eq(sp.sched_priority, 12);
	sp.sched_priority = 10;
	ck_assert_int_eq(SchedSet(0, 0, SCHED_OTHER, &sp), 0);
}
END_TEST

/* Priorities are the same everywhere: a thread made FIFO 30 with
 * SchedSet() sends at 30, and the server receives at 30. */
struct prio_srv {
	int chid;
	int got;
};

static void *
prio_server(void *arg)
{
	struct prio_srv *ps = arg;
	struct _msg_info info;
	char b[4];
	rcvid_t r = MsgReceive(ps->chid, b, sizeof(b), &info);

	if (r > 0) {
		struct sched_param sp;

		ps->got = SchedGet(0, 0, &sp) == SCHED_FIFO
		    ? sp.sched_priority
		    : -info.priority;
		MsgReply(r, 0, NULL, 0);
	}
	return NULL;
}

START_TEST(test_sched_inherit)
{
	struct prio_srv ps = {.chid = ChannelCreate(0)};
	struct sched_param sp = {.sched_priority = 30};
	pthread_t th;
	int coid;

	if (geteuid() != 0) {
		return;
	}
	coid = ConnectAttach(0, 0, ps.chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_eq(pthread_create(&th, NULL, prio_server, &ps), 0);
	ck_assert_int_eq(SchedSet(0, 0, SCHED_FIFO, &sp), 0);
	ck_assert_int_eq(MsgSend(coid, "x", 1, NULL, 0), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(ps.got, 30);
	sp.sched_priority = 10;
	ck_assert_int_eq(SchedSet(0, 0, SCHED_OTHER, &sp), 0);
}
END_TEST

/* As an ordinary user (no RLIMIT_RTPRIO), real-time is refused. */
START_TEST(test_sched_unprivileged)
{
	pid_t pid;
	int st;

	if (!axa_user("test_sched_unprivileged")) {
		return;
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sched_param sp = {.sched_priority = 20};
		struct rlimit rl = {0, 0};
		struct _sched_info si;

		(void) setrlimit(RLIMIT_RTPRIO, &rl);
		axa_become();
		if (SchedSet_r(0, 0, SCHED_FIFO, &sp) != -EPERM) {
			_exit(1);
		}
		if (SchedInfo(0, SCHED_FIFO, &si) != 0 ||
		    si.priority_priv != 0) {
			_exit(2);
		}
		if (SchedSet_r(1, 0, SCHED_OTHER,
			&(struct sched_param){.sched_priority = 10}) !=
		    -EPERM) {
			_exit(3); /* init's scheduling is not ours */
		}
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST

/* ---- signals ------------------------------------------------------------- */

static volatile sig_atomic_t handled;

static void
on_usr1(int sig)
{
	(void) sig;
	handled = 1;
}

START_TEST(test_signal_calls)
{
	sigset_t set;
	sigset_t old;
	sigset_t pend;
	siginfo_t si;
	uint64_t t = 30 * MS;
	int me = (int) syscall(SYS_gettid);
	struct sigaction sa;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	ck_assert_int_eq(SignalProcmask(0, 0, SIG_BLOCK, &set, &old), 0);
	ck_assert(!sigismember(&old, SIGUSR1));

	/* To this thread, with a code and a value. */
	ck_assert_int_eq(SignalKill(ND_LOCAL_NODE, 0, me, SIGUSR1, -9, 1234),
	    0);
	ck_assert_int_eq(SignalProcmask(getpid(), me, SIG_PENDING, NULL,
			     &pend),
	    0);
	ck_assert(sigismember(&pend, SIGUSR1));
	ck_assert_int_eq(SignalWaitinfo(&set, &si), SIGUSR1);
	ck_assert_int_eq(si.si_code, -9);
	ck_assert_int_eq(si.si_value.sival_int, 1234);
	/* To the process. */
	ck_assert_int_eq(SignalKill(0, getpid(), 0, SIGUSR2, SI_QUEUE, 7), 0);
	ck_assert_int_eq(SignalWaitinfo(&set, &si), SIGUSR2);
	ck_assert_int_eq(si.si_value.sival_int, 7);
	ck_assert_int_eq(si.si_pid, getpid());

	/* _NTO_TIMEOUT_SIGWAITINFO and _NTO_TIMEOUT_SIGSUSPEND. */
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SIGWAITINFO, NULL, &t,
	    NULL);
	ck_assert_int_eq(SignalWaitinfo(&set, &si), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SIGWAITINFO, NULL, NULL,
	    NULL);
	ck_assert_int_eq(SignalWaitinfo_r(&set, &si), -ETIMEDOUT);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	sigemptyset(&pend); /* suspend with nothing blocked */
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SIGSUSPEND, NULL, &t, NULL);
	ck_assert_int_eq(SignalSuspend_r(&set), -ETIMEDOUT);
	ck_assert_int_eq(SignalKill(0, 0, me, SIGUSR1, SI_QUEUE, 0), 0);
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SIGSUSPEND, NULL, &t, NULL);
	ck_assert_int_eq(SignalSuspend_r(&pend), -EINTR);
	ck_assert_int_eq(handled, 1);

	/* Errors. */
	ck_assert_int_eq(SignalKill_r(3, getpid(), 0, SIGUSR1, 0, 0),
	    -ENOREMOTE);
	ck_assert_int_eq(SignalKill_r(0, getpid(), 0, 999, 0, 0), -EINVAL);
	ck_assert_int_eq(SignalKill_r(0, 0, 999999999, SIGUSR1, 0, 0),
	    -ESRCH);
	ck_assert_int_eq(SignalKill_r(0, 999999999, 0, 0, 0, 0), -ESRCH);
	ck_assert_int_eq(SignalKill(0, getpid(), 0, 0, 0, 0), 0); /* exists */
	ck_assert_int_eq(SignalProcmask_r(0, 0, 77, &set, NULL), -EINVAL);
	ck_assert_int_eq(SignalProcmask_r(0, 0, SIG_PENDING, NULL, NULL),
	    -EFAULT);
	ck_assert_int_eq(SignalProcmask_r(1, 0, SIG_BLOCK, &set, NULL),
	    -ENOTSUP);
	ck_assert_int_eq(SignalSuspend_r(NULL), -EFAULT);
	ck_assert_int_eq(SignalProcmask(0, 0, SIG_SETMASK, &old, NULL), 0);
}
END_TEST

/* Another user's process cannot be signalled. */
START_TEST(test_signal_unprivileged)
{
	pid_t pid;
	int st;

	if (!axa_user("test_signal_unprivileged")) {
		return;
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		axa_become();
		_exit(SignalKill_r(0, getppid(), 0, SIGTERM, SI_QUEUE, 0) ==
			    -EPERM
			? 0
			: 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST

/* SchedCtl(): Axon is a QNX system without adaptive partitioning, so
 * each of <sys/sched_aps.h>'s commands is ENOSYS once its arguments are
 * whole, and leaves the data as it was; bad arguments first. */
START_TEST(test_schedctl)
{
	static const struct {
		int cmd;
		size_t size;
	} cmds[] = {
	    {SCHED_APS_QUERY_PARMS, sizeof(sched_aps_info)},
	    {SCHED_APS_SET_PARMS, sizeof(sched_aps_parms)},
	    {SCHED_APS_CREATE_PARTITION, sizeof(sched_aps_create_parms)},
	    {SCHED_APS_QUERY_PARTITION, sizeof(sched_aps_partition_info)},
	    {SCHED_APS_LOOKUP, sizeof(sched_aps_lookup_parms)},
	    {SCHED_APS_JOIN_PARTITION, sizeof(sched_aps_join_parms)},
	    {SCHED_APS_MODIFY_PARTITION, sizeof(sched_aps_modify_parms)},
	    {SCHED_APS_QUERY_THREAD, sizeof(sched_aps_query_thread_parms)},
	    {SCHED_APS_QUERY_PROCESS, sizeof(sched_aps_query_process_parms)},
	    {SCHED_APS_MARK_CRITICAL, sizeof(sched_aps_mark_crit_parms)},
	    {SCHED_APS_CLEAR_CRITICAL, sizeof(sched_aps_mark_crit_parms)},
	};
	union {
		sched_aps_info info;
		sched_aps_partition_info part;
		unsigned char raw[256];
	} d, before;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		memset(&d, 0xa5, sizeof(d));
		before = d;
		errno = 0;
		ck_assert_int_eq(SchedCtl(cmds[i].cmd, &d, cmds[i].size), -1);
		ck_assert_int_eq(errno, ENOSYS);
		ck_assert_int_eq(memcmp(&d, &before, sizeof(d)), 0);
		ck_assert_int_eq(SchedCtl_r(cmds[i].cmd, &d, cmds[i].size),
		    -ENOSYS);
		/* A length that is not the structure's; no data. */
		ck_assert_int_eq(SchedCtl_r(cmds[i].cmd, &d, cmds[i].size - 1),
		    -EINVAL);
		ck_assert_int_eq(SchedCtl_r(cmds[i].cmd, &d, cmds[i].size + 8),
		    -EINVAL);
		ck_assert_int_eq(SchedCtl_r(cmds[i].cmd, &d, 0), -EINVAL);
		ck_assert_int_eq(SchedCtl_r(cmds[i].cmd, NULL, cmds[i].size),
		    -EFAULT);
	}
	/* The documented way: APS_INIT_DATA, then the "no APS" answer. */
	sched_aps_create_parms cp;

	APS_INIT_DATA(&cp);
	ck_assert_int_eq(cp.budget_percent, 0);
	ck_assert_ptr_null(cp.name);
	cp.name = "DebugReserve";
	cp.budget_percent = 15;
	errno = 0;
	ck_assert_int_eq(SchedCtl(SCHED_APS_CREATE_PARTITION, &cp,
			     sizeof(cp)),
	    -1);
	ck_assert_int_eq(errno, ENOSYS);
	ck_assert_int_eq(cp.id, 0); /* no id came back */
	/* Unknown commands, whatever the rest. */
	errno = 0;
	ck_assert_int_eq(SchedCtl(0, &d, sizeof(d.info)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(SchedCtl_r(-1, &d, sizeof(d.info)), -EINVAL);
	ck_assert_int_eq(SchedCtl_r(0x7fffffff, NULL, 0), -EINVAL);
	/* Success is never an answer here, and errno stays for _r. */
	errno = 77;
	(void) SchedCtl_r(SCHED_APS_QUERY_PARMS, &d, sizeof(d.info));
	ck_assert_int_eq(errno, 77);
	ck_assert_int_eq(APS_SYSTEM_PARTITION_ID, 0);
}
END_TEST

static Suite *
thread_suite(void)
{
	Suite *s = suite_create("thread");
	TCase *tt = axt_tcase("threads", 30);
	TCase *ts = axt_tcase("sched", 30);

	tcase_add_test(tt, test_create_join);
	tcase_add_test(tt, test_join_gone);
	tcase_add_test(tt, test_errors);
	tcase_add_test(tt, test_timeout_join);
	tcase_add_test(tt, test_pthread_join_timeout);
	tcase_add_test(tt, test_pthread_join_errors);
	tcase_add_test(tt, test_destroy_other);
	tcase_add_test(tt, test_threadctl);
	tcase_add_test(tt, test_threadctl_ext);
	tcase_add_test(tt, test_threadctl_ext_other);
	tcase_add_test(ts, test_sched);
	tcase_add_test(ts, test_sched_inherit);
	tcase_add_test(ts, test_sched_unprivileged);
	tcase_add_test(ts, test_signal_calls);
	tcase_add_test(ts, test_signal_unprivileged);
	tcase_add_test(ts, test_schedctl);
	suite_add_tcase(s, tt);
	suite_add_tcase(s, ts);
	return s;
}

int
main(void)
{
	return axt_run(thread_suite());
}
