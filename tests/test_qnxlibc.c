/* SPDX-License-Identifier: MIT */
/*
 * QNX's headers and libc extras (qnx-libc(3), spawn(3),
 * procmgr_daemon(3)): the string extras, <gulliver.h>, <atomic.h>,
 * union sigval's sival_long as pulses carry it, pthread_create() with a
 * NULL id, getprio()/setprio() and sched_param_t, the spawn family with each mode,
 * procmgr_daemon(), procmgr_event_notify() death events,
 * procmgr_ability(), confstr() names, sopen() and the system page.
 * Processes are real (fork, spawn); every wait is bounded.
 */
#include "attack.h"

#include <atomic.h>
#include <confname.h>
#include <gulliver.h>
#include <process.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/states.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <share.h>
#include <string.h>
#include <sys/iofunc.h>
#include <sys/neutrino.h>
#include <sys/procmgr.h>
#include <sys/stat.h>
#include <sys/syspage.h>
#include <sys/utsname.h>

/* ---- <string.h> -------------------------------------------------------- */

START_TEST(test_strlcpy_strlcat)
{
	char b[8];

	ck_assert_uint_eq(strlcpy(b, "hello world", sizeof(b)), 11);
	ck_assert_str_eq(b, "hello w");
	ck_assert_uint_eq(strlcpy(b, "hi", sizeof(b)), 2);
	ck_assert_str_eq(b, "hi");
	b[0] = 'x';
	ck_assert_uint_eq(strlcpy(b, "abc", 0), 3); /* size 0: no write */
	ck_assert_int_eq(b[0], 'x');
	strlcpy(b, "ab", sizeof(b));
	ck_assert_uint_eq(strlcat(b, "cdefghij", sizeof(b)), 10);
	ck_assert_str_eq(b, "abcdefg");
	/* No terminator within size: nothing appended, size + strlen. */
	memset(b, 'z', sizeof(b));
	ck_assert_uint_eq(strlcat(b, "abc", 4), 7);
	ck_assert_int_eq(b[3], 'z');
}
END_TEST

START_TEST(test_string_extras)
{
	char s[] = "Hello, World 9";
	char r[] = "abcd";
	char t[] = "abcdef";

	ck_assert_str_eq(strupr(s), "HELLO, WORLD 9");
	ck_assert_str_eq(strlwr(s), "hello, world 9");
	ck_assert_str_eq(strrev(r), "dcba");
	ck_assert_str_eq(strnset(t, '*', 3), "***def");
	ck_assert_str_eq(strset(t, '-'), "------");
	ck_assert_int_eq(stricmp("ABC", "abc"), 0);
	ck_assert_int_lt(stricmp("abc", "ABD"), 0);
	ck_assert_int_eq(strcmpi("QnX", "qNx"), 0);
	ck_assert_int_eq(strnicmp("ABCx", "abcy", 3), 0);
	ck_assert_int_ne(strnicmp("ABCx", "abcy", 4), 0);
	ck_assert_int_eq(memicmp("A\0B", "a\0b", 3), 0);
	ck_assert_int_gt(memicmp("b", "A", 1), 0);
}
END_TEST

/* ---- <sys/neutrino.h>'s extras: min, max, delay, time, nanospin -------- */

static void
ex_usr1(int sig)
{
	(void) sig;
}

/* SIGUSR1 to target every 10 ms until stop (one that came before the
 * sleep began leaves the next to end it). */
struct ex_kick {
	pthread_t target;
	atomic_bool stop;
};

static void *
ex_kicker(void *arg)
{
	struct ex_kick *k = arg;

	axt_sleep_ms(30);
	while (!atomic_load(&k->stop)) {
		pthread_kill(k->target, SIGUSR1);
		axt_sleep_ms(10);
	}
	return NULL;
}

START_TEST(test_qnx_extras)
{
	struct sigaction sa = {.sa_handler = ex_usr1};
	struct ex_kick k = {.target = pthread_self()};
	struct timespec ts, big = {.tv_sec = (time_t) 1 << 62};
	pthread_t th;
	unsigned long count;
	int i = 1, delay = 7; /* a variable may still be called delay */
	unsigned left;
	double t0;

	/* min and max are macros over any type, each argument evaluated
	 * as C's ?: does. */
	ck_assert_int_eq(min(3, -5), -5);
	ck_assert_int_eq(max(3, -5), 3);
	ck_assert(min(2.5, 7.0) == 2.5);
	ck_assert_int_eq(max(i++, 0), 2);
	ck_assert_int_eq(delay, 7);
	/* delay(): milliseconds, 0 when all were slept; interrupted by a
	 * signal's handler, those left (rounded up). */
	t0 = axt_now();
	ck_assert_uint_eq(delay(30), 0);
	ck_assert(axt_now() - t0 >= 0.029);
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	atomic_store(&k.stop, false);
	ck_assert_int_eq(pthread_create(&th, NULL, ex_kicker, &k), 0);
	left = delay(2000);
	atomic_store(&k.stop, true);
	pthread_join(th, NULL);
	ck_assert_uint_gt(left, 0);
	ck_assert_uint_lt(left, 2000);
	/* Nanoseconds and timespecs, both ways; too many seconds saturate. */
	nsec2timespec(&ts, 3123456789ull);
	ck_assert_int_eq(ts.tv_sec, 3);
	ck_assert_int_eq(ts.tv_nsec, 123456789);
	ck_assert_uint_eq(timespec2nsec(&ts), 3123456789ull);
	ck_assert_uint_eq(timespec2nsec(&big), UINT64_MAX);
	/* Busy waits: at least as long as asked, at most 500 ms. */
	t0 = axt_now();
	ck_assert_int_eq(nanospin_ns(2000000), 0);
	ck_assert(axt_now() - t0 >= 0.00199);
	ck_assert_int_eq(nanospin_ns(500000001), E2BIG);
	ts = (struct timespec){.tv_nsec = 1000000};
	t0 = axt_now();
	ck_assert_int_eq(nanospin(&ts), 0);
	ck_assert(axt_now() - t0 >= 0.00099);
	ts = (struct timespec){.tv_sec = 1};
	ck_assert_int_eq(nanospin(&ts), E2BIG);
	ts = (struct timespec){.tv_nsec = -1};
	ck_assert_int_eq(nanospin(&ts), EINVAL);
	/* itoa() and kin: lowercase digits, a sign in radix 10 only. */
	{
		static const char *const want[] = {"11000111011101",
		    "3013131", "135033", "30735", "12765", "7479", "491b",
		    "31dd"};
		char buf[8 * sizeof(long long) + 2];

		for (int base = 2, j = 0; base <= 16; base += 2, j++) {
			ck_assert_str_eq(itoa(12765, buf, base), want[j]);
		}
		ck_assert_str_eq(itoa(-42, buf, 10), "-42");
		ck_assert_str_eq(itoa(-1, buf, 16), "ffffffff");
		ck_assert_str_eq(itoa(INT_MIN, buf, 10), "-2147483648");
		ck_assert_str_eq(ltoa(-5L, buf, 10), "-5");
		ck_assert_str_eq(lltoa(LLONG_MIN, buf, 10),
		    "-9223372036854775808");
		ck_assert_str_eq(utoa(UINT_MAX, buf, 36), "1z141z3");
		ck_assert_str_eq(ultoa(255UL, buf, 2), "11111111");
		ck_assert_str_eq(ulltoa(ULLONG_MAX, buf, 16),
		    "ffffffffffffffff");
		errno = 0;
		ck_assert_ptr_null(itoa(1, buf, 37));
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_ptr_null(utoa(1, buf, 1));
	}
	/* Counted spins: calibrated on the fastest of several runs, so a
	 * count spins about as long as asked, or longer (here at least a
	 * quarter, should the clock speed change in between). */
	ck_assert_int_eq(nanospin_calibrate(0), 0);
	count = nanospin_ns_to_count(2000000);
	ck_assert_uint_gt(count, 0);
	t0 = axt_now();
	nanospin_count(count);
	ck_assert(axt_now() - t0 >= 0.0005);
}
END_TEST

/* ---- <pthread.h> sleepon locks ----------------------------------------- */

static volatile int so_ready, so_woke;
static int so_key_a, so_key_b;

static void *
so_consumer(void *arg)
{
	(void) arg;
	ck_assert_int_eq(pthread_sleepon_lock(), 0);
	while (!so_ready) {
		ck_assert_int_eq(pthread_sleepon_wait(&so_ready), 0);
	}
	so_woke++;
	ck_assert_int_eq(pthread_sleepon_unlock(), 0);
	return NULL;
}

/* Waits on &so_key_a once, up to 2 s; counts the wake-up. */
static void *
so_once(void *arg)
{
	int rc;

	atomic_store((_Atomic pid_t *) arg, (pid_t) syscall(SYS_gettid));
	pthread_sleepon_lock();
	rc = pthread_sleepon_timedwait(&so_key_a, 2000000000ull);
	if (rc == 0) {
		so_woke++;
	}
	pthread_sleepon_unlock();
	return NULL;
}

/* Waits on &so_key_b until cancelled; its cleanup unlocks, as a
 * condition variable's waiter's does. */
static void
so_unlock_cleanup(void *arg)
{
	(void) arg;
	pthread_sleepon_unlock();
}

static void *
so_cancel_me(void *arg)
{
	atomic_store((_Atomic pid_t *) arg, (pid_t) syscall(SYS_gettid));
	pthread_sleepon_lock();
	pthread_cleanup_push(so_unlock_cleanup, NULL);
	for (;;) {
		pthread_sleepon_wait(&so_key_b);
	}
	pthread_cleanup_pop(1);
	return NULL;
}

START_TEST(test_sleepon)
{
	pthread_t th[3];
	_Atomic pid_t tid[3] = {0, 0, 0};
	double t0;

	/* Misuse: errors, not corruption. */
	ck_assert_int_eq(pthread_sleepon_unlock(), EPERM);
	ck_assert_int_eq(pthread_sleepon_wait(&so_key_a), EPERM);
	ck_assert_int_eq(pthread_sleepon_lock(), 0);
	ck_assert_int_eq(pthread_sleepon_lock(), EDEADLK);
	/* Time limits, and a wake-up of another address is not ours. */
	ck_assert_int_eq(pthread_sleepon_timedwait(&so_key_a, 0), ETIMEDOUT);
	ck_assert_int_eq(pthread_sleepon_signal(&so_key_b), 0);
	t0 = axt_now();
	ck_assert_int_eq(pthread_sleepon_timedwait(&so_key_a, 50000000),
	    ETIMEDOUT);
	ck_assert(axt_now() - t0 >= 0.049);
	ck_assert_int_eq(pthread_sleepon_unlock(), 0);
	/* The classic: a consumer waits until a producer sets the flag. */
	so_ready = 0;
	so_woke = 0;
	ck_assert_int_eq(pthread_create(&th[0], NULL, so_consumer, NULL), 0);
	axt_sleep_ms(20);
	ck_assert_int_eq(pthread_sleepon_lock(), 0);
	so_ready = 1;
	ck_assert_int_eq(pthread_sleepon_signal(&so_ready), 0);
	ck_assert_int_eq(pthread_sleepon_unlock(), 0);
	ck_assert_int_eq(pthread_join(th[0], NULL), 0);
	ck_assert_int_eq(so_woke, 1);
	/* Signal wakes one waiter of three, broadcast the others; neither
	 * needs the caller to hold the lock. */
	so_woke = 0;
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(pthread_create(&th[i], NULL, so_once,
		    (void *) &tid[i]), 0);
	}
	for (int i = 0; i < 3; i++) {
		while (atomic_load(&tid[i]) == 0) {
			axt_sleep_ms(1);
		}
		ck_assert(axt_wait_futex(atomic_load(&tid[i])));
	}
	ck_assert_int_eq(pthread_sleepon_signal(&so_key_a), 0);
	axt_sleep_ms(100);
	pthread_sleepon_lock();
	ck_assert_int_eq(so_woke, 1);
	pthread_sleepon_unlock();
	ck_assert_int_eq(pthread_sleepon_broadcast(&so_key_a), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	}
	ck_assert_int_eq(so_woke, 3);
	/* A waiter cancelled in its wait: its cleanup unlocks, it leaves no
	 * trace (the lock and a signal of its address work after). */
	atomic_store(&tid[0], 0);
	ck_assert_int_eq(pthread_create(&th[0], NULL, so_cancel_me,
	    (void *) &tid[0]), 0);
	while (atomic_load(&tid[0]) == 0) {
		axt_sleep_ms(1);
	}
	ck_assert(axt_wait_futex(atomic_load(&tid[0])));
	ck_assert_int_eq(pthread_cancel(th[0]), 0);
	ck_assert_int_eq(pthread_join(th[0], NULL), 0);
	ck_assert_int_eq(pthread_sleepon_lock(), 0);
	ck_assert_int_eq(pthread_sleepon_signal(&so_key_b), 0);
	ck_assert_int_eq(pthread_sleepon_timedwait(&so_key_b, 1000000),
	    ETIMEDOUT);
	ck_assert_int_eq(pthread_sleepon_unlock(), 0);
}
END_TEST

/* ---- <gulliver.h> and <atomic.h> --------------------------------------- */

START_TEST(test_gulliver)
{
	uint8_t buf[16] = {0};
	uint32_t w = 0x11223344u;
	int calls = 0;

	ck_assert_uint_eq(ENDIAN_RET16(0x1234), 0x3412);
	ck_assert_uint_eq(ENDIAN_RET32(0x11223344u), 0x44332211u);
	ck_assert(ENDIAN_RET64(0x0102030405060708ull) ==
	    0x0807060504030201ull);
#ifdef __LITTLEENDIAN__
	ck_assert_uint_eq(ENDIAN_LE32(0x11223344u), 0x11223344u);
	ck_assert_uint_eq(ENDIAN_BE32(0x11223344u), 0x44332211u);
	ck_assert_uint_eq(ENDIAN_BE16(0x1234), 0x3412);
#else
	ck_assert_uint_eq(ENDIAN_BE32(0x11223344u), 0x11223344u);
#endif
	ENDIAN_SWAP32(&w);
	ck_assert_uint_eq(w, 0x44332211u);
	/* Odd addresses, and each argument evaluated once. */
	UNALIGNED_PUT32(buf + 1 + 0 * calls++, 0xdeadbeefu);
	ck_assert_int_eq(calls, 1);
	ck_assert_uint_eq(UNALIGNED_RET32(buf + 1), 0xdeadbeefu);
	UNALIGNED_PUT64(buf + 3, 0x0102030405060708ull);
	ck_assert(UNALIGNED_RET64(buf + 3) == 0x0102030405060708ull);
	UNALIGNED_PUT16(buf + 13, 0xabcd);
	ck_assert_uint_eq(UNALIGNED_RET16(buf + 13), 0xabcd);
	ENDIAN_SWAP16(buf + 13);
	ck_assert_uint_eq(UNALIGNED_RET16(buf + 13), 0xcdab);
}
END_TEST

static volatile unsigned at_counter;

static void *
at_adder(void *arg)
{
	(void) arg;
	for (int i = 0; i < 100000; i++) {
		atomic_add(&at_counter, 3);
		atomic_sub(&at_counter, 1);
	}
	return NULL;
}

START_TEST(test_atomic)
{
	volatile unsigned v = 0xf0;
	pthread_t th[4];

	ck_assert_uint_eq(atomic_add_value(&v, 0x10), 0xf0);
	ck_assert_uint_eq(v, 0x100);
	ck_assert_uint_eq(atomic_sub_value(&v, 1), 0x100);
	ck_assert_uint_eq(v, 0xff);
	ck_assert_uint_eq(atomic_clr_value(&v, 0x0f), 0xff);
	ck_assert_uint_eq(v, 0xf0);
	ck_assert_uint_eq(atomic_set_value(&v, 0x101), 0xf0);
	ck_assert_uint_eq(v, 0x1f1);
	ck_assert_uint_eq(atomic_toggle_value(&v, 0x11), 0x1f1);
	ck_assert_uint_eq(v, 0x1e0);
	atomic_set(&v, 1);
	atomic_clr(&v, 0x100);
	atomic_toggle(&v, 0xe0);
	ck_assert_uint_eq(v, 1);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_create(&th[i], NULL, at_adder, NULL),
		    0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
	}
	ck_assert_uint_eq(at_counter, 4u * 100000u * 2u);
}
END_TEST

/* ---- union sigval's sival_long ---------------------------------------- */

struct ub_arg {
	int chid;
	long result;
	int err;
};

static void *
ub_client(void *p)
{
	struct ub_arg *a = p;
	int coid = ConnectAttach(0, 0, a->chid, _NTO_SIDE_CHANNEL, 0);
	uint64_t ns = 50000000;
	char r;

	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_REPLY, NULL, &ns, NULL);
	a->result = MsgSend(coid, "x", 1, &r, 1);
	a->err = errno;
	ConnectDetach(coid);
	return NULL;
}

START_TEST(test_sival_long_pulses)
{
	struct ub_arg a = {0};
	struct _pulse p;
	pthread_t th;
	char m;
	rcvid_t rcvid;
	int coid;

	ck_assert_uint_eq(sizeof(union sigval), sizeof(void *));
	a.chid = ChannelCreate(_NTO_CHF_UNBLOCK);
	ck_assert_int_ge(a.chid, 0);
	coid = ConnectAttach(0, 0, a.chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	/* A pulse's value, negative included, reads back as a long. */
	ck_assert_int_eq(MsgSendPulse(coid, 10, 5, -7), 0);
	ck_assert_int_eq(MsgReceive(a.chid, &p, sizeof(p), NULL), 0);
	ck_assert_int_eq(p.value.sival_long, -7);
	ck_assert_int_eq(p.value.sival_int, -7);
	/* The UNBLOCK pulse carries the rcvid in sival_long. */
	ck_assert_int_eq(pthread_create(&th, NULL, ub_client, &a), 0);
	rcvid = MsgReceive(a.chid, &m, 1, NULL);
	ck_assert_int_gt(rcvid, 0);
	ck_assert_int_eq(MsgReceive(a.chid, &p, sizeof(p), NULL), 0);
	ck_assert_int_eq(p.code, _PULSE_CODE_UNBLOCK);
	ck_assert_int_eq(p.value.sival_long, (long) rcvid);
	ck_assert_int_eq(MsgError(rcvid, ETIMEDOUT), 0);
	pthread_join(th, NULL);
	ck_assert_int_eq(a.result, -1);
	ck_assert_int_eq(a.err, ETIMEDOUT);
}
END_TEST

/* ---- pthread_create(NULL, ...) ---------------------------------------- */

static sem_t pc_sem;
static pthread_t pc_self;

static void *
pc_main(void *arg)
{
	pc_self = pthread_self();
	sem_post(&pc_sem);
	return arg;
}

START_TEST(test_pthread_create_null_id)
{
	struct timespec until;
	pthread_t t;
	void *ret = NULL;

	ck_assert_int_eq(sem_init(&pc_sem, 0, 0), 0);
	/* glibc writes through the pointer: without Axon this crashes. */
	ck_assert_int_eq(pthread_create(NULL, NULL, pc_main, &pc_sem), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	ck_assert_int_eq(sem_timedwait(&pc_sem, &until), 0);
	/* The thread stays joinable, as on QNX: whoever learns its id
	 * (here from the thread itself) can join it. */
	ck_assert_int_eq(pthread_join(pc_self, &ret), 0);
	ck_assert_ptr_eq(ret, &pc_sem);
	/* And with an id it is glibc's, joinable. */
	ck_assert_int_eq(pthread_create(&t, NULL, pc_main, NULL), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(sem_wait(&pc_sem), 0);
}
END_TEST

/* ---- getprio() / setprio() -------------------------------------------- */

START_TEST(test_prio)
{
	struct sched_param sp;
	sched_param_t qp; /* QNX's name for the same structure */
	int pol;

	_Static_assert(_Generic((sched_param_t *) NULL,
	    struct sched_param *: 1, default: 0), "sched_param_t");
	memset(&qp, 0xff, sizeof(qp));
	ck_assert_int_eq(sched_getparam(0, &qp), 0);
	ck_assert_int_eq(qp.sched_priority, 0); /* SCHED_OTHER */
	ck_assert_int_eq(sched_setparam(0, &qp), 0);

	ck_assert_int_eq(getprio(0), 10); /* SCHED_OTHER: QNX's default */
	ck_assert_int_eq(getprio(getpid()), 10);
	ck_assert_int_eq(setprio(0, 10), 10); /* no change */
	ck_assert_int_eq(sched_getscheduler(0), SCHED_OTHER);
	errno = 0;
	ck_assert_int_eq(setprio(0, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(setprio(0, 200), -1); /* no such Linux priority */
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(getprio(-5), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(getprio(4194304 + 7), -1);
	ck_assert_int_eq(errno, ESRCH);
	if (geteuid() == 0) {
		ck_assert_int_eq(setprio(0, 20), 10);
		ck_assert_int_eq(getprio(0), 20);
		pol = sched_getscheduler(0);
		ck_assert_int_eq(pol, SCHED_RR);
		ck_assert_int_eq(sched_getparam(0, &sp), 0);
		ck_assert_int_eq(sp.sched_curpriority, 20);
		ck_assert_int_eq(setprio(0, 15), 20);
		ck_assert_int_eq(getprio(0), 15);
	}
}
END_TEST

/* ---- spawn ------------------------------------------------------------- */

START_TEST(test_spawn_modes)
{
	char path[300];
	char cmd[1024];
	struct stat st;
	pid_t pid;
	int status;
	char *argv[] = {"sh", "-c", "exit 4", NULL};
	char *envp[] = {"AXON_SPAWN_X=yes", NULL};

	status = spawnl(P_WAIT, "/bin/sh", "sh", "-c", "exit 3", NULL);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 3);
	status = spawnv(P_WAIT, "/bin/sh", argv);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 4);
	status = spawnlp(P_WAIT, "true", "true", NULL);
	ck_assert_int_eq(status, 0);
	status = spawnvp(P_WAIT, "sh", argv);
	ck_assert_int_eq(WEXITSTATUS(status), 4);
	status = spawnle(P_WAIT, "/bin/sh", "sh", "-c",
	    "test \"$AXON_SPAWN_X\" = yes", NULL, envp);
	ck_assert_int_eq(status, 0);
	status = spawnlpe(P_WAIT, "sh", "sh", "-c",
	    "test -z \"$HOME\" && test \"$AXON_SPAWN_X\" = yes", NULL, envp);
	ck_assert_int_eq(status, 0);
	status = spawnve(P_WAIT, "/bin/sh", argv, envp);
	ck_assert_int_eq(WEXITSTATUS(status), 4);
	status = spawnvpe(P_WAIT, "sh", argv, envp);
	ck_assert_int_eq(WEXITSTATUS(status), 4);

	/* P_NOWAIT: a child of ours. */
	pid = spawnl(P_NOWAIT, "/bin/sh", "sh", "-c", "exit 6", NULL);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 6);

	/* P_NOWAITO: it runs, but is not ours to wait for. */
	snprintf(path, sizeof(path), "%s/nowaito", axt_rundir);
	snprintf(cmd, sizeof(cmd), "echo $$ > %s.tmp && mv %s.tmp %s", path,
	    path, path);
	pid = spawnl(P_NOWAITO, "/bin/sh", "sh", "-c", cmd, NULL);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), -1);
	ck_assert_int_eq(errno, ECHILD);
	for (int i = 0; i < 500 && stat(path, &st) != 0; i++) {
		axt_sleep_ms(10);
	}
	ck_assert_int_eq(stat(path, &st), 0);
	{
		FILE *f = fopen(path, "r");
		int got = 0;

		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(fscanf(f, "%d", &got), 1);
		fclose(f);
		ck_assert_int_eq(got, pid); /* the pid returned is the child's */
	}

	/* P_OVERLAY: the caller becomes the program. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		(void) spawnl(P_OVERLAY, "/bin/sh", "sh", "-c", "exit 9", NULL);
		_exit(100);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 9);
}
END_TEST

START_TEST(test_spawn_errors)
{
	char *noargs[] = {NULL};
	char *argv[] = {"x", NULL};

	errno = 0;
	ck_assert_int_eq(spawnl(P_WAIT, "/nonexistent/prog", "prog", NULL), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(spawnl(P_NOWAIT, "/nonexistent/prog", "p", NULL), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(spawnl(P_NOWAITO, "/nonexistent/prog", "p", NULL),
	    -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(spawnlp(P_WAIT, "axon-no-such-program", "p", NULL),
	    -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(spawnl(P_OVERLAY, "/nonexistent/prog", "p", NULL),
	    -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(spawnl(P_WAIT, "/etc/passwd", "p", NULL), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(spawnv(42, "/bin/true", argv), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(spawnv(P_WAIT, "/bin/true", noargs), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(spawnv(P_WAIT, "/bin/true", NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(spawnl(P_WAIT, "/bin/true", NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(spawnv(P_WAIT, NULL, argv), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* ---- procmgr ----------------------------------------------------------- */

/* A child that becomes a daemon with flags; the daemon writes what it
 * finds into path and, if asked, waits for path.go before exiting. */
static pid_t
pm_daemon_child(int status, unsigned flags, const char *path, int keep_fd,
    int linger_ms)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char cwd[256];
		char tmp[320];
		FILE *f;
		mode_t um;

		(void) umask(022);
		if (procmgr_daemon(status, flags) != 0) {
			_exit(90);
		}
		um = umask(0);
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		f = fopen(tmp, "w");
		if (f == NULL) {
			_exit(91);
		}
		fprintf(f, "%d %d %d %d %s %d\n", (int) getpid(),
		    getsid(0) == getpid(), fcntl(keep_fd, F_GETFD) >= 0,
		    (int) um, getcwd(cwd, sizeof(cwd)) ? cwd : "?",
		    isatty(0) || fcntl(0, F_GETFD) < 0 ? -1 : 0);
		fclose(f);
		rename(tmp, path);
		usleep((useconds_t) linger_ms * 1000);
		_exit(0);
	}
	return pid;
}

static void
pm_read(const char *path, int *pid, int *leader, int *keep, int *um,
    char *cwd)
{
	struct stat st;
	FILE *f;
	int null0;

	for (int i = 0; i < 500 && stat(path, &st) != 0; i++) {
		axt_sleep_ms(10);
	}
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d %d %d %d %255s %d", pid, leader, keep,
			     um, cwd, &null0),
	    6);
	fclose(f);
}

START_TEST(test_procmgr_daemon)
{
	char path[300];
	char cwd[256];
	char here[256];
	int pid, leader, keep, um;
	int status;
	int fd = open("/dev/null", O_RDONLY);
	pid_t c;

	ck_assert_int_gt(fd, 2);
	snprintf(path, sizeof(path), "%s/d1", axt_rundir);
	c = pm_daemon_child(5, 0, path, fd, 0);
	ck_assert_int_eq(waitpid(c, &status, 0), c);
	ck_assert_int_eq(WEXITSTATUS(status), 5); /* the parent's status */
	pm_read(path, &pid, &leader, &keep, &um, cwd);
	ck_assert_int_ne(pid, c);
	ck_assert_int_eq(leader, 1);
	ck_assert_int_eq(keep, 0);  /* fds above 2 closed */
	ck_assert_int_eq(um, 0);    /* umask 0 */
	ck_assert_str_eq(cwd, "/");

	snprintf(path, sizeof(path), "%s/d2", axt_rundir);
	c = pm_daemon_child(0,
	    PROCMGR_DAEMON_NOCHDIR | PROCMGR_DAEMON_NOCLOSE |
		PROCMGR_DAEMON_NODEVNULL | PROCMGR_DAEMON_KEEPUMASK,
	    path, fd, 0);
	ck_assert_int_eq(waitpid(c, &status, 0), c);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	pm_read(path, &pid, &leader, &keep, &um, cwd);
	ck_assert_int_eq(leader, 1);
	ck_assert_int_eq(keep, 1);
	ck_assert_int_eq(um, 022);
	ck_assert_str_eq(cwd, getcwd(here, sizeof(here)));

	errno = 0;
	ck_assert_int_eq(procmgr_daemon(0, 0x100), -1); /* no fork happens */
	ck_assert_int_eq(errno, EINVAL);
	close(fd);
}
END_TEST

/* Receives pulses (bounded) until one with code and value v arrives. */
static bool
pm_wait_pulse(int chid, int code, int v, double secs)
{
	double end = axt_now() + secs;

	while (axt_now() < end) {
		struct _pulse p;
		uint64_t ns = 100000000;

		TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &ns,
		    NULL);
		if (MsgReceive(chid, &p, sizeof(p), NULL) == 0 &&
		    p.code == code && p.value.sival_int == v) {
			return true;
		}
	}
	return false;
}

START_TEST(test_procmgr_event_notify)
{
	struct sigevent ev;
	char path[300];
	char cwd[256];
	int pid, leader, keep, um;
	int chid = ChannelCreate(_NTO_CHF_PRIVATE);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	int status;
	pid_t c;

	ck_assert_int_ge(coid, 0);
	SIGEV_PULSE_INIT(&ev, coid, 10, 7, 0);
	SIGEV_MAKE_UPDATEABLE(&ev);
	ck_assert_int_eq(procmgr_event_notify(PROCMGR_EVENT_PROCESS_DEATH, &ev),
	    0);
	axt_sleep_ms(250); /* the watcher's first list */
	/* The watcher sees a death only if one of its 100 ms scans listed
	 * the child first, and on a loaded machine a scan can come after
	 * any fixed life: a round that saw nothing is tried again with a
	 * longer life (three at most). */
	bool seen = false;

	for (int round = 0, ms = 300; round < 3 && !seen;
	    round++, ms *= 3) {
		c = fork();
		ck_assert_int_ge(c, 0);
		if (c == 0) {
			usleep((useconds_t) ms * 1000);
			_exit(0);
		}
		seen = pm_wait_pulse(chid, 7, c, 3.0);
		ck_assert_int_eq(waitpid(c, &status, 0), c);
	}
	ck_assert(seen);

	/* A daemon's death, with the event's own value (not updateable). */
	SIGEV_PULSE_INIT(&ev, coid, 10, 8, 1234);
	ck_assert_int_eq(procmgr_event_notify(PROCMGR_EVENT_DAEMON_DEATH, &ev),
	    0);
	snprintf(path, sizeof(path), "%s/d3", axt_rundir);
	/* It lives past a scan: the watcher sees processes, not forks (in
	 * rounds, as above). */
	seen = false;
	for (int round = 0, ms = 400; round < 3 && !seen;
	    round++, ms *= 3) {
		c = pm_daemon_child(0, PROCMGR_DAEMON_NOCHDIR, path, 0, ms);
		ck_assert_int_eq(waitpid(c, &status, 0), c);
		pm_read(path, &pid, &leader, &keep, &um, cwd);
		seen = pm_wait_pulse(chid, 8, 1234, 3.0);
	}
	ck_assert(seen);

	/* Disarmed: no more pulses.  The disarm stops the watcher before
	 * it returns, but what it delivered before may still be queued (a
	 * round above whose death was seen late, under load, made another
	 * daemon die): that is taken first. */
	ck_assert_int_eq(procmgr_event_notify(0, NULL), 0);
	for (;;) {
		struct _pulse p;

		TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, NULL,
		    NULL);
		if (MsgReceive(chid, &p, sizeof(p), NULL) != 0) {
			break;
		}
	}
	c = fork();
	if (c == 0) {
		_exit(0);
	}
	ck_assert_int_eq(waitpid(c, &status, 0), c);
	ck_assert(!pm_wait_pulse(chid, 8, 1234, 0.5));

	/* Errors. */
	errno = 0;
	ck_assert_int_eq(procmgr_event_notify(0x80000000u, &ev), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(procmgr_event_notify(PROCMGR_EVENT_PATHSPACE, &ev),
	    -1);
	ck_assert_int_eq(errno, ENOTSUP);
	ck_assert_int_eq(
	    procmgr_event_notify(PROCMGR_EVENT_PROCESS_DEATH, NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
	SIGEV_UNBLOCK_INIT(&ev);
	ck_assert_int_eq(procmgr_event_notify(PROCMGR_EVENT_PROCESS_DEATH, &ev),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(procmgr_ability(0, PROCMGR_ADN_NONROOT |
					     PROCMGR_AOP_DENY |
					     PROCMGR_AID_SPAWN,
			     PROCMGR_AID_EOL),
	    ENOTSUP);
	ck_assert_int_eq(errno, ENOTSUP);
}
END_TEST

/* ---- confstr, sopen, syspage ------------------------------------------ */

START_TEST(test_confstr)
{
	char buf[256];
	char host[256];
	struct utsname u;
	size_t n;

	ck_assert_int_eq(gethostname(host, sizeof(host)), 0);
	ck_assert_int_eq(uname(&u), 0);
	n = confstr(_CS_HOSTNAME, buf, sizeof(buf));
	ck_assert_uint_eq(n, strlen(host) + 1);
	ck_assert_str_eq(buf, host);
	ck_assert_uint_eq(confstr(_CS_HOSTNAME, NULL, 0), n);
	ck_assert_uint_eq(confstr(_CS_SYSNAME, buf, 3), strlen(u.sysname) + 1);
	ck_assert_uint_eq(strlen(buf), 2); /* truncated, terminated */
	confstr(_CS_MACHINE, buf, sizeof(buf));
	ck_assert_str_eq(buf, u.machine);
	confstr(_CS_RELEASE, buf, sizeof(buf));
	ck_assert_str_eq(buf, u.release);
	ck_assert_uint_gt(confstr(_CS_PATH, buf, sizeof(buf)), 1); /* glibc */
	errno = 0;
	ck_assert_uint_eq(confstr(-12345, buf, sizeof(buf)), 0);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* QNX's name file type under both its spellings, and its test; a name
 * is none of Linux's types. */
START_TEST(test_ifnam)
{
	ck_assert_int_eq(_S_IFNAM, S_IFNAM);
	ck_assert(S_ISNAM(_S_IFNAM | 0644));
	ck_assert(!S_ISNAM(S_IFREG | 0644));
	ck_assert(!S_ISNAM(S_IFDIR | 0755));
	ck_assert(!S_ISREG(_S_IFNAM) && !S_ISDIR(_S_IFNAM) &&
	    !S_ISCHR(_S_IFNAM) && !S_ISFIFO(_S_IFNAM));
}
END_TEST

START_TEST(test_sopen)
{
	char path[300];
	int a, b;
	FILE *f;

	snprintf(path, sizeof(path), "%s/shared", axt_rundir);
	a = sopen(path, O_RDWR | O_CREAT, SH_DENYRW, 0600);
	ck_assert_int_ge(a, 0);
	errno = 0;
	ck_assert_int_eq(sopen(path, O_RDONLY, SH_DENYWR), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_ptr_null(fsopen(path, "r", SH_DENYRW));
	ck_assert_int_eq(errno, EBUSY);
	b = sopen(path, O_RDONLY, SH_DENYNO); /* no lock asked */
	ck_assert_int_ge(b, 0);
	close(b);
	close(a);
	a = sopen(path, O_RDONLY, SH_DENYWR);
	b = sopen(path, O_RDONLY, SH_DENYWR); /* two sharers */
	ck_assert_int_ge(a, 0);
	ck_assert_int_ge(b, 0);
	close(a);
	close(b);
	f = fsopen(path, "w", SH_DENYRW);
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(sopen(path, O_RDONLY, 77), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(fsopen(path, "x", SH_DENYNO));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(fsopen("/nonexistent/x", "r", SH_DENYNO));
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_syspage)
{
	uint64_t a = SYSPAGE_ENTRY(qtime)->nsec;
	uint64_t b;

	ck_assert(SYSPAGE_ENTRY(qtime)->cycles_per_sec == 1000000000ull);
	axt_sleep_ms(20);
	b = SYSPAGE_ENTRY(qtime)->nsec;
	ck_assert(b >= a + 15000000ull);
	ck_assert_uint_ge(_syspage_ptr->num_cpu, 1);
	ck_assert_int_eq(_syspage_ptr->num_cpu, sysconf(_SC_NPROCESSORS_ONLN));
	ck_assert_uint_gt(SYSPAGE_ENTRY(qtime)->boot_time, 1000000000u);
	ck_assert_uint_eq(SYSPAGE_ENTRY_SIZE(qtime), sizeof(struct qtime_entry));
	ck_assert_int_eq(SYSPAGE_ENTRY(qtime)->intr, -1);
	ck_assert_uint_eq(SYSPAGE_ENTRY(qtime)->epoch, 1970);
	ck_assert_uint_ge(SYSPAGE_ENTRY(qtime)->nsec_inc, 1);
	ck_assert_uint_eq(SYSPAGE_ENTRY_SIZE(hypinfo), 0); /* none */
	ck_assert_ptr_nonnull(SYSPAGE_ENTRY(hypinfo));
}
END_TEST

/* The name at offset off of the strings section, checked to lie in it
 * and end there. */
static const char *
sp_string(unsigned off)
{
	const char *pool = SYSPAGE_ENTRY(strings)->data;
	size_t size = SYSPAGE_ENTRY_SIZE(strings);

	ck_assert_uint_lt(off, size);
	ck_assert_ptr_nonnull(memchr(pool + off, '\0', size - off));
	return pool + off;
}

/* System RAM in /proc/iomem, read here: its bytes, or 0 if the
 * addresses are hidden from this user. */
static unsigned long long
iomem_ram(void)
{
	FILE *f = fopen("/proc/iomem", "r");
	char line[512];
	unsigned long long total = 0, a, b;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		int n = -1;

		if (sscanf(line, "%llx-%llx : System RAM%n", &a, &b, &n) == 2 &&
		    n > 0 && line[0] != ' ' && !(a == 0 && b == 0)) {
			total += b - a + 1;
		}
	}
	fclose(f);
	return total;
}

/* asinfo, cpuinfo and strings: a walk as QNX programs write it, each
 * element checked against the section sizes, each owner containing its
 * children, the RAM as /proc/iomem has it. */
static int
check_asinfo(unsigned long long *ram)
{
	size_t el = SYSPAGE_ELEMENT_SIZE(asinfo);
	size_t size = SYSPAGE_ENTRY_SIZE(asinfo);
	size_t n;
	int roots = 0;

	ck_assert_uint_ge(el, sizeof(struct asinfo_entry));
	ck_assert_uint_eq(size % el, 0);
	n = size / el;
	*ram = 0;
	for (size_t i = 0; i < n; i++) {
		const struct asinfo_entry *as = SYSPAGE_ARRAY_IDX(asinfo, i);
		const char *name = sp_string(as->name);

		ck_assert_ptr_eq(as, &SYSPAGE_ENTRY(asinfo)[i]);
		ck_assert_uint_le(as->start, as->end);
		if (as->owner == AS_NULL_OFF) {
			roots++;
		} else {
			ck_assert_uint_eq(as->owner % el, 0);
			ck_assert_uint_lt(as->owner / el, i); /* before it */
			const struct asinfo_entry *up =
			    SYSPAGE_ARRAY_IDX(asinfo, as->owner / el);

			ck_assert(up->attr & AS_ATTR_KIDS);
			ck_assert_uint_ge(as->start, up->start);
			ck_assert_uint_le(as->end, up->end);
		}
		if (strcmp(name, "ram") == 0) {
			*ram += as->end - as->start + 1;
		}
	}
	ck_assert_str_eq(sp_string(SYSPAGE_ENTRY(asinfo)[0].name), "memory");
	return roots;
}

START_TEST(test_syspage_sections)
{
	unsigned long long ram;
	int roots = check_asinfo(&ram);

	ck_assert_int_ge(roots, 1);
	ck_assert_uint_eq(ram, iomem_ram());
	if (geteuid() == 0) {
		ck_assert_uint_gt(ram, 0); /* root sees the addresses */
	}
	/* cpuinfo: one per CPU, with a name. */
	ck_assert_uint_eq(SYSPAGE_ENTRY_SIZE(cpuinfo),
	    (size_t) _syspage_ptr->num_cpu * SYSPAGE_ELEMENT_SIZE(cpuinfo));
	for (unsigned i = 0; i < _syspage_ptr->num_cpu; i++) {
		const struct cpuinfo_entry *c = SYSPAGE_ARRAY_IDX(cpuinfo, i);

		ck_assert_uint_gt(strlen(sp_string(c->name)), 0);
		ck_assert(c->flags & CPU_FLAG_FPU);
	}
}
END_TEST

/* As a user Linux hides the addresses from: no ranges but the roots. */
static void
sp_unprivileged(int fd, void *arg)
{
	unsigned long long ram;
	int roots;

	(void) arg;
	axa_become();
	roots = check_asinfo(&ram);
	axt_report(fd, (int) (SYSPAGE_ENTRY_SIZE(asinfo) /
				 SYSPAGE_ELEMENT_SIZE(asinfo)) -
		roots + (ram != iomem_ram() ? 1000 : 0));
}

START_TEST(test_syspage_unprivileged)
{
	if (!axa_user("test_syspage_unprivileged")) {
		return;
	}
	struct axt_child c = axt_spawn(sp_unprivileged, NULL);

	ck_assert_int_eq(c.val, 0);
	ck_assert_int_eq(axt_child_wait(&c, 10), 0);
}
END_TEST

/* <sys/states.h>: every state distinct and a bit of a 32-bit
 * TimerTimeout() mask, and the masks made of them. */
START_TEST(test_states)
{
	static const int st[] = {STATE_DEAD, STATE_RUNNING, STATE_READY,
	    STATE_STOPPED, STATE_SEND, STATE_RECEIVE, STATE_REPLY,
	    STATE_STACK, STATE_WAITTHREAD, STATE_WAITPAGE, STATE_SIGSUSPEND,
	    STATE_SIGWAITINFO, STATE_NANOSLEEP, STATE_MUTEX, STATE_CONDVAR,
	    STATE_JOIN, STATE_INTR, STATE_SEM, STATE_WAITCTX, STATE_NET_SEND,
	    STATE_NET_REPLY, STATE_MQ_SEND, STATE_MQ_RECEIVE, STATE_BARRIER,
	    STATE_RWLOCK_READ, STATE_RWLOCK_WRITE, STATE_PIPE};
	unsigned seen = 0;

	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		ck_assert_int_ge(st[i], 0);
		ck_assert_int_lt(st[i], STATE_MAX);
		ck_assert_int_lt(st[i], 31);
		ck_assert_uint_eq(seen & (1u << st[i]), 0);
		seen |= 1u << st[i];
	}
	ck_assert_int_eq(_NTO_TIMEOUT_SEND, 1 << STATE_SEND);
	ck_assert_int_eq(_NTO_TIMEOUT_JOIN, 1 << STATE_JOIN);
	ck_assert_int_eq(_NTO_TIMEOUT_SEM, 1 << STATE_SEM);
	/* The release the calls are (7.1), as programs test it. */
#if _NTO_VERSION < 710 || _NTO_VERSION >= 800
	ck_abort_msg("_NTO_VERSION %d", _NTO_VERSION);
#endif
}
END_TEST

static Suite *
qnxlibc_suite(void)
{
	Suite *s = suite_create("qnxlibc");
	TCase *tl = axt_tcase("libc", 20);
	TCase *tp = axt_tcase("process", 30);

	tcase_add_test(tl, test_strlcpy_strlcat);
	tcase_add_test(tl, test_string_extras);
	tcase_add_test(tl, test_sleepon);
	tcase_add_test(tl, test_qnx_extras);
	tcase_add_test(tl, test_gulliver);
	tcase_add_test(tl, test_atomic);
	tcase_add_test(tl, test_states);
	tcase_add_test(tl, test_sival_long_pulses);
	tcase_add_test(tl, test_pthread_create_null_id);
	tcase_add_test(tl, test_confstr);
	tcase_add_test(tl, test_sopen);
	tcase_add_test(tl, test_ifnam);
	tcase_add_test(tl, test_syspage);
	tcase_add_test(tl, test_syspage_sections);
	tcase_add_test(tl, test_syspage_unprivileged);
	tcase_add_test(tp, test_prio);
	tcase_add_test(tp, test_spawn_modes);
	tcase_add_test(tp, test_spawn_errors);
	tcase_add_test(tp, test_procmgr_daemon);
	tcase_add_test(tp, test_procmgr_event_notify);
	suite_add_tcase(s, tl);
	suite_add_tcase(s, tp);
	return s;
}

int
main(void)
{
	return axt_run(qnxlibc_suite());
}
