/* SPDX-License-Identifier: MIT */
/*
 * Smaller QNX names a survey of public programs found missing
 * (qnx-libc(3), ClockTime(3), SignalKill(3), shm_ctl(3)): the packing
 * headers <_pack1.h> and <_packpop.h> (checked at compile time),
 * ClockId() against the kernel's own clock ids and a spinning thread,
 * SignalAction() in the caller and another process, the *_monotonic
 * timed waits (their deadline on CLOCK_MONOTONIC, success, EINVAL),
 * POSIX typed memory (none on Linux), <sys/slogcodes.h> and the QNX 8
 * payload macros of <sys/iomsg.h>.  Every wait is bounded.
 */
#include "axon_test.h"

#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/iomsg.h>
#include <sys/mman.h>
#include <sys/neutrino.h>
#include <sys/slog.h>
#include <sys/slogcodes.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- <_pack1.h>, <_packpop.h> ---------------------------------------- */

#include <_pack1.h>
struct packed_one {
	char c;
	int i;
	short s;
	double d;
};
#include <_pack1.h> /* nested: pushed again */
struct packed_two {
	char c;
	long l;
};
#include <_packpop.h>
struct packed_still { /* one pop: still the outer pack(1) */
	char c;
	int i;
};
#include <_packpop.h>
struct unpacked {
	char c;
	int i;
	short s;
	double d;
};

_Static_assert(sizeof(struct packed_one) ==
	sizeof(char) + sizeof(int) + sizeof(short) + sizeof(double),
    "no padding between <_pack1.h> and <_packpop.h>");
_Static_assert(offsetof(struct packed_one, i) == 1, "int at byte 1");
_Static_assert(offsetof(struct packed_one, d) == 7, "double at byte 7");
_Static_assert(sizeof(struct packed_two) == 1 + sizeof(long), "nested");
_Static_assert(sizeof(struct packed_still) == 1 + sizeof(int),
    "one <_packpop.h> pops one <_pack1.h>");
_Static_assert(offsetof(struct unpacked, i) == _Alignof(int),
    "natural alignment again after <_packpop.h>");
_Static_assert(sizeof(struct unpacked) % _Alignof(double) == 0 &&
	sizeof(struct unpacked) > sizeof(struct packed_one),
    "normal padding again after <_packpop.h>");

/* ---- <sys/slogcodes.h>, <sys/iomsg.h> payloads ----------------------- */

#if _SLOGC_TEST != _SLOGC_PRIVATE_START || \
    _SLOGC_PRIVATE_END <= _SLOGC_PRIVATE_START
#error "<sys/slogcodes.h>'s documented codes"
#endif

START_TEST(test_slogcodes_payloads)
{
	io_devctl_t dc;
	io_open_t op;
	int code = _SLOG_SETCODE(_SLOGC_TEST, 3);

	ck_assert_int_eq(_SLOG_GETMAJOR(code), _SLOGC_PRIVATE_START);
	ck_assert_int_eq(_SLOG_GETMINOR(code), 3);
	ck_assert_int_eq(_SLOGC_PRIVATE_END, 19999);
	ck_assert_ptr_eq(_IO_INPUT_PAYLOAD(&dc), (char *) &dc.i + sizeof(dc.i));
	ck_assert_ptr_eq(_IO_OUTPUT_PAYLOAD(&dc),
	    (char *) &dc.o + sizeof(dc.o));
	/* QNX: the same address for a devctl message, as _DEVCTL_DATA's. */
	ck_assert_ptr_eq(_IO_INPUT_PAYLOAD(&dc), _IO_OUTPUT_PAYLOAD(&dc));
	ck_assert_ptr_eq(_IO_INPUT_PAYLOAD(&dc), _DEVCTL_DATA(dc.i));
	ck_assert_ptr_eq(_IO_LINK_REPLY_PAYLOAD(&op),
	    (char *) &op.link_reply + sizeof(op.link_reply));
}
END_TEST

/* ---- ClockId() --------------------------------------------------------- */

struct spinner {
	pthread_t th;
	atomic_int tid;
	atomic_bool stop;
};

static void *
spin(void *arg)
{
	struct spinner *s = arg;

	atomic_store(&s->tid, (int) syscall(SYS_gettid));
	while (!atomic_load(&s->stop)) {
	}
	return NULL;
}

static uint64_t
cpu_ns(int id)
{
	uint64_t t = 0;

	ck_assert_int_eq(ClockTime(id, NULL, &t), 0);
	return t;
}

/* A child that waits to be killed; its pid. */
static pid_t
sleeper(void)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		for (;;) {
			pause();
		}
	}
	return pid;
}

static void
reap(pid_t pid)
{
	int st;

	(void) kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
}

START_TEST(test_clockid)
{
	struct spinner s = {0};
	clockid_t c;
	int id, me, self = (int) syscall(SYS_gettid);
	uint64_t t0, t1, m0, m1;
	pid_t child;

	/* The process: clock_getcpuclockid()'s for its pid. */
	ck_assert_int_eq(clock_getcpuclockid(getpid(), &c), 0);
	ck_assert_int_eq(ClockId(0, 0), (int) c);
	ck_assert_int_eq(ClockId(getpid(), 0), (int) c);
	ck_assert_int_eq(ClockId_r(0, 0), (int) c);
	/* The calling thread: the id glibc makes for it. */
	ck_assert_int_eq(pthread_getcpuclockid(pthread_self(), &c), 0);
	me = ClockId(0, self);
	ck_assert_int_eq(me, (int) c);
	ck_assert_int_lt(me, 0); /* Linux's ids are negative, never -1 */
	ck_assert_int_ne(me, -1);
	/* Another thread: its own clock, which runs while it spins and
	 * this thread sleeps. */
	atomic_store(&s.stop, false);
	ck_assert_int_eq(pthread_create(&s.th, NULL, spin, &s), 0);
	while (atomic_load(&s.tid) == 0) {
		axt_sleep_ms(1);
	}
	id = ClockId(0, atomic_load(&s.tid));
	ck_assert_int_ne(id, -1);
	ck_assert_int_eq(pthread_getcpuclockid(s.th, &c), 0);
	ck_assert_int_eq(id, (int) c);
	t0 = cpu_ns(id);
	m0 = cpu_ns(me);
	axt_sleep_ms(300);
	t1 = cpu_ns(id);
	m1 = cpu_ns(me);
	atomic_store(&s.stop, true);
	ck_assert_int_eq(pthread_join(s.th, NULL), 0);
	/* On a busy machine the spinner gets less than 300 ms, but far more
	 * than the sleeper. */
	ck_assert_msg(t1 - t0 >= 20000000u, "spinner ran %llu ns",
	    (unsigned long long) (t1 - t0));
	ck_assert_msg(t1 - t0 > 4 * (m1 - m0), "spinner %llu, sleeper %llu",
	    (unsigned long long) (t1 - t0), (unsigned long long) (m1 - m0));
	/* Another process: its clock, readable; its threads' are not on
	 * Linux (ENOTSUP); a tid not of that process ESRCH. */
	child = sleeper();
	ck_assert_int_eq(clock_getcpuclockid(child, &c), 0);
	ck_assert_int_eq(ClockId(child, 0), (int) c);
	(void) cpu_ns(ClockId(child, 0));
	errno = 0;
	ck_assert_int_eq(ClockId(child, child), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	errno = 0;
	ck_assert_int_eq(ClockId(child, self), -1);
	ck_assert_int_eq(errno, ESRCH);
	reap(child);
	/* Gone, or never there: ESRCH (the _r form returns it, errno
	 * untouched). */
	errno = 0;
	ck_assert_int_eq(ClockId(child, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	errno = 0;
	ck_assert_int_eq(ClockId(0, atomic_load(&s.tid)), -1);
	ck_assert_int_eq(errno, ESRCH);
	errno = 1234;
	ck_assert_int_eq(ClockId_r(-5, 0), -ESRCH);
	ck_assert_int_eq(ClockId_r(0, -1), -ESRCH);
	ck_assert_int_eq(ClockId_r(child, 0), -ESRCH);
	ck_assert_int_eq(errno, 1234);
}
END_TEST

/* ---- SignalAction() ---------------------------------------------------- */

static volatile sig_atomic_t got_sig;

static void
on_sig(int sig)
{
	got_sig = sig;
}

START_TEST(test_signalaction)
{
	struct sigaction act, old, cur;
	pid_t child;

	memset(&act, 0, sizeof(act));
	act.sa_handler = on_sig;
	sigemptyset(&act.sa_mask);
	ck_assert_int_eq(SignalAction(0, __signalstub, SIGUSR2, &act, &old),
	    0);
	ck_assert_ptr_eq(old.sa_handler, SIG_DFL);
	/* What sigaction() sees, and what a signal runs. */
	ck_assert_int_eq(sigaction(SIGUSR2, NULL, &cur), 0);
	ck_assert_ptr_eq(cur.sa_handler, on_sig);
	got_sig = 0;
	ck_assert_int_eq(raise(SIGUSR2), 0);
	ck_assert_int_eq(got_sig, SIGUSR2);
	/* The caller's own pid; a query alone. */
	memset(&cur, 0, sizeof(cur));
	ck_assert_int_eq(SignalAction(getpid(), __signalstub, SIGUSR2, NULL,
	    &cur), 0);
	ck_assert_ptr_eq(cur.sa_handler, on_sig);
	ck_assert_int_eq(SignalAction_r(0, __signalstub, SIGUSR2, &old, NULL),
	    EOK);
	ck_assert_int_eq(sigaction(SIGUSR2, NULL, &cur), 0);
	ck_assert_ptr_eq(cur.sa_handler, SIG_DFL);
	/* Bad signals. */
	errno = 0;
	ck_assert_int_eq(SignalAction(0, __signalstub, 0, &act, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(SignalAction(0, __signalstub, _NSIG + 1, NULL, &cur),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(SignalAction_r(0, __signalstub, SIGKILL, &act, NULL),
	    -EINVAL);
	/* Another process: EPERM, changing nothing there; none: ESRCH. */
	child = sleeper();
	errno = 0;
	ck_assert_int_eq(SignalAction(child, __signalstub, SIGUSR2, &act,
	    NULL), -1);
	ck_assert_int_eq(errno, EPERM);
	errno = 1234;
	ck_assert_int_eq(SignalAction_r(child, __signalstub, SIGUSR2, NULL,
	    &cur), -EPERM);
	ck_assert_int_eq(errno, 1234);
	reap(child);
	ck_assert_int_eq(SignalAction_r(child, __signalstub, SIGUSR2, NULL,
	    &cur), -ESRCH);
	ck_assert_int_eq(SignalAction_r(-3, __signalstub, SIGUSR2, NULL,
	    &cur), -ESRCH);
	/* Nothing changed here either. */
	ck_assert_int_eq(sigaction(SIGUSR2, NULL, &cur), 0);
	ck_assert_ptr_eq(cur.sa_handler, SIG_DFL);
}
END_TEST

/* ---- *_monotonic ------------------------------------------------------- */

#define WAIT_MS 150

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* CLOCK_MONOTONIC's now + ms.  (As a CLOCK_REALTIME time it would be
 * decades past, and a wait on that clock would end at once: each test
 * below sees the wait last WAIT_MS.) */
static struct timespec
mono_in(int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += (long) ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return ts;
}

static const struct timespec bad_ts = {.tv_sec = 1, .tv_nsec = 1000000000L};

/* Checks a call that timed out: at its monotonic deadline, not before,
 * nor long after. */
static void
timed_out_at(double t0, int rc)
{
	double dt = mono_now() - t0;

	ck_assert_int_eq(rc, ETIMEDOUT);
	ck_assert_msg(dt >= WAIT_MS / 1000.0 - 0.001, "ended early: %f", dt);
	ck_assert_msg(dt < WAIT_MS / 1000.0 + 2.0, "ended late: %f", dt);
}

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rwl = PTHREAD_RWLOCK_INITIALIZER;

static void *
try_mutex(void *arg)
{
	struct timespec ts = mono_in(WAIT_MS);
	double t0 = mono_now();

	(void) arg;
	timed_out_at(t0, pthread_mutex_timedlock_monotonic(&mtx, &ts));
	ck_assert_int_eq(pthread_mutex_timedlock_monotonic(&mtx, &bad_ts),
	    EINVAL);
	return NULL;
}

static void *
try_rwlock(void *arg)
{
	struct timespec ts = mono_in(WAIT_MS);
	double t0 = mono_now();
	bool write_held = arg != NULL;

	if (write_held) {
		timed_out_at(t0, pthread_rwlock_timedrdlock_monotonic(&rwl,
		    &ts));
		ck_assert_int_eq(pthread_rwlock_timedrdlock_monotonic(&rwl,
		    &bad_ts), EINVAL);
	}
	ts = mono_in(WAIT_MS);
	t0 = mono_now();
	timed_out_at(t0, pthread_rwlock_timedwrlock_monotonic(&rwl, &ts));
	ck_assert_int_eq(pthread_rwlock_timedwrlock_monotonic(&rwl, &bad_ts),
	    EINVAL);
	return NULL;
}

static void
in_thread(void *(*f)(void *), void *arg)
{
	pthread_t th;

	ck_assert_int_eq(pthread_create(&th, NULL, f, arg), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
}

START_TEST(test_mutex_rwlock_monotonic)
{
	struct timespec ts = mono_in(WAIT_MS);

	/* Free: taken at once. */
	ck_assert_int_eq(pthread_mutex_timedlock_monotonic(&mtx, &ts), 0);
	in_thread(try_mutex, NULL);
	ck_assert_int_eq(pthread_mutex_unlock(&mtx), 0);
	ck_assert_int_eq(pthread_rwlock_timedwrlock_monotonic(&rwl, &ts), 0);
	in_thread(try_rwlock, &rwl); /* write-held: both wait */
	ck_assert_int_eq(pthread_rwlock_unlock(&rwl), 0);
	ck_assert_int_eq(pthread_rwlock_timedrdlock_monotonic(&rwl, &ts), 0);
	in_thread(try_rwlock, NULL); /* read-held: a writer waits */
	ck_assert_int_eq(pthread_rwlock_unlock(&rwl), 0);
}
END_TEST

static void *
sleep_then_return(void *arg)
{
	axt_sleep_ms(3 * WAIT_MS);
	return arg;
}

START_TEST(test_sem_join_monotonic)
{
	struct timespec ts;
	pthread_t th;
	void *val = NULL;
	double t0;
	sem_t sem;
	int rc;

	ck_assert_int_eq(sem_init(&sem, 0, 0), 0);
	ts = mono_in(WAIT_MS);
	t0 = mono_now();
	errno = 0;
	rc = sem_timedwait_monotonic(&sem, &ts);
	ck_assert_int_eq(rc, -1);
	timed_out_at(t0, errno);
	errno = 0;
	ck_assert_int_eq(sem_timedwait_monotonic(&sem, &bad_ts), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sem_post(&sem), 0);
	ts = mono_in(WAIT_MS);
	ck_assert_int_eq(sem_timedwait_monotonic(&sem, &ts), 0);
	ck_assert_int_eq(sem_destroy(&sem), 0);
	/* Joins: a thread that ends later times out, then is joined. */
	ck_assert_int_eq(pthread_create(&th, NULL, sleep_then_return, &ts), 0);
	ts = mono_in(WAIT_MS);
	t0 = mono_now();
	timed_out_at(t0, pthread_timedjoin_monotonic(th, &val, &ts));
	ck_assert_int_eq(pthread_timedjoin_monotonic(th, &val, &bad_ts),
	    EINVAL);
	ts = mono_in(10 * WAIT_MS);
	ck_assert_int_eq(pthread_timedjoin_monotonic(th, &val, &ts), 0);
	ck_assert_ptr_eq(val, &ts);
	/* pthread_timedjoin(): the same on CLOCK_REALTIME. */
	ck_assert_int_eq(pthread_create(&th, NULL, sleep_then_return, &val),
	    0);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += WAIT_MS * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	t0 = mono_now();
	timed_out_at(t0, pthread_timedjoin(th, NULL, &ts));
	ts.tv_sec += 10;
	val = NULL;
	ck_assert_int_eq(pthread_timedjoin(th, &val, &bad_ts), EINVAL);
	ck_assert_int_eq(pthread_timedjoin(th, &val, &ts), 0);
	ck_assert_ptr_eq(val, &val);
}
END_TEST

/* Sends "late" to the queue *arg after WAIT_MS. */
static void *
mq_late_sender(void *arg)
{
	mqd_t q = *(mqd_t *) arg;

	usleep(WAIT_MS * 1000);
	return mq_send(q, "late", 5, 3) == 0 ? NULL : arg;
}

START_TEST(test_mq_monotonic)
{
	struct mq_attr attr = {.mq_maxmsg = 1, .mq_msgsize = 16};
	char name[64], buf[16];
	struct timespec ts;
	unsigned prio = 0;
	double t0;
	mqd_t q;

	snprintf(name, sizeof(name), "/axt-mono-%d", (int) getpid());
	q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
	ck_assert_msg(q != (mqd_t) -1, "mq_open: %s", strerror(errno));
	ck_assert_int_eq(mq_unlink(name), 0);
	/* Empty: a receive times out at its monotonic time. */
	ts = mono_in(WAIT_MS);
	t0 = mono_now();
	errno = 0;
	ck_assert_int_eq(mq_timedreceive_monotonic(q, buf, sizeof(buf), &prio,
	    &ts), -1);
	timed_out_at(t0, errno);
	errno = 0;
	ck_assert_int_eq(mq_timedreceive_monotonic(q, buf, sizeof(buf), &prio,
	    &bad_ts), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* Room: sent at once. */
	ts = mono_in(WAIT_MS);
	ck_assert_int_eq(mq_timedsend_monotonic(q, "hello", 6, 7, &ts), 0);
	/* Full: a send times out. */
	ts = mono_in(WAIT_MS);
	t0 = mono_now();
	errno = 0;
	ck_assert_int_eq(mq_timedsend_monotonic(q, "again", 6, 1, &ts), -1);
	timed_out_at(t0, errno);
	errno = 0;
	ck_assert_int_eq(mq_timedsend_monotonic(q, "again", 6, 1, &bad_ts),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	/* A message there: received even with a deadline passed. */
	ts = mono_in(0);
	ts.tv_sec -= 1;
	ck_assert_int_eq(mq_timedreceive_monotonic(q, buf, sizeof(buf), &prio,
	    &ts), 6);
	ck_assert_str_eq(buf, "hello");
	ck_assert_uint_eq(prio, 7);
	/* A deadline as far as time goes ("forever"): waits, no overflow. */
	{
		pthread_t th;
		void *rv = &rv;

		ck_assert_int_eq(pthread_create(&th, NULL, mq_late_sender, &q),
		    0);
		ts.tv_sec = (time_t) LLONG_MAX;
		ts.tv_nsec = 999999999L;
		ck_assert_int_eq(mq_timedreceive_monotonic(q, buf, sizeof(buf),
		    &prio, &ts), 5);
		ck_assert_str_eq(buf, "late");
		ck_assert_int_eq(pthread_join(th, &rv), 0);
		ck_assert_ptr_null(rv);
	}
	/* A bad descriptor: mq's own EBADF. */
	ts = mono_in(WAIT_MS);
	errno = 0;
	ck_assert_int_eq(mq_timedsend_monotonic((mqd_t) -1, "x", 1, 0, &ts),
	    -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(mq_close(q), 0);
}
END_TEST

/* ---- POSIX typed memory ------------------------------------------------ */

START_TEST(test_typed_mem)
{
	struct posix_typed_mem_info info = {0};
	char longname[PATH_MAX + 8];

	/* No typed memory object exists on Linux. */
	errno = 0;
	ck_assert_int_eq(posix_typed_mem_open("/sysram", O_RDWR,
	    POSIX_TYPED_MEM_ALLOCATE), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(posix_typed_mem_open("below4G", O_RDONLY, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(posix_typed_mem_open("ram", O_WRONLY,
	    POSIX_TYPED_MEM_MAP_ALLOCATABLE), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* Arguments first: more than one tflag, unknown bits, oflag with
	 * more than an access mode; a name too long; none. */
	errno = 0;
	ck_assert_int_eq(posix_typed_mem_open("/sysram", O_RDWR,
	    POSIX_TYPED_MEM_ALLOCATE | POSIX_TYPED_MEM_ALLOCATE_CONTIG), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(posix_typed_mem_open("/sysram", O_RDWR, 0x100), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(posix_typed_mem_open("/sysram", O_RDWR | O_CREAT, 0),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(posix_typed_mem_open("/sysram", O_ACCMODE, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	errno = 0;
	ck_assert_int_eq(posix_typed_mem_open(longname, O_RDWR, 0), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	errno = 0;
	ck_assert_int_eq(posix_typed_mem_open(NULL, O_RDWR, 0), -1);
	ck_assert_int_eq(errno, EFAULT);
	/* No descriptor is one: ENODEV, or EBADF for none (an error
	 * number, errno untouched). */
	errno = 1234;
	ck_assert_int_eq(posix_typed_mem_get_info(0, &info), ENODEV);
	ck_assert_int_eq(posix_typed_mem_get_info(-1, &info), EBADF);
	ck_assert_int_eq(posix_typed_mem_get_info(INT_MAX, &info), EBADF);
	ck_assert_int_eq(errno, 1234);
	ck_assert_uint_eq(info.posix_tmi_length, 0);
}
END_TEST

static Suite *
qnxextra_suite(void)
{
	Suite *s = suite_create("qnxextra");
	TCase *t = tcase_create("qnxextra");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_slogcodes_payloads);
	tcase_add_test(t, test_clockid);
	tcase_add_test(t, test_signalaction);
	tcase_add_test(t, test_mutex_rwlock_monotonic);
	tcase_add_test(t, test_sem_join_monotonic);
	tcase_add_test(t, test_mq_monotonic);
	tcase_add_test(t, test_typed_mem);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(qnxextra_suite());
}
