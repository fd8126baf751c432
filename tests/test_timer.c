/* SPDX-License-Identifier: MIT */
/*
 * QNX timers and clocks (TimerCreate(3), ClockTime(3)): timers that
 * pulse a channel of this process or of another, signal, start threads
 * or do nothing; one-shot and periodic, relative and absolute, on
 * CLOCK_REALTIME and CLOCK_MONOTONIC; TimerInfo's fields; their errors;
 * faults (a destroyed channel, a dead server, fork); the process alarm;
 * ClockTime, ClockPeriod, ClockAdjust and ClockCycles against the system
 * page.  Times are asserted loosely (the machine is shared): counts and
 * order, bounds of seconds, never microseconds.
 */
#include "axon_test.h"
#include "attack.h"

#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/syspage.h>
#include <sys/time.h>

#define MS 1000000ull

static uint64_t
now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

/* Receives one pulse on chid within ms; 0, or -errno. */
static int
recv_pulse(int chid, struct _pulse *p, uint64_t ms)
{
	uint64_t t = ms * MS;
	rcvid_t r;

	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &t, NULL);
	r = MsgReceive(chid, p, sizeof(*p), NULL);
	if (r == -1) {
		return -errno;
	}
	ck_assert_int_eq(r, 0); /* nobody sends messages here */
	return 0;
}

/* Takes every pulse already queued; how many. */
static int
drain(int chid)
{
	struct _pulse p;
	int n = 0;

	while (recv_pulse(chid, &p, 0) == 0) {
		n++;
	}
	return n;
}

static int
self_coid(int chid)
{
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);

	ck_assert_int_ge(coid, 0);
	return coid;
}

/* ---- pulses ------------------------------------------------------------ */

START_TEST(test_pulse_periodic)
{
	void *val = (void *) (uintptr_t) 0x123456789abcull; /* all 64 bits */
	int chid = ChannelCreate(0);
	int coid = self_coid(chid);
	struct _itimer it = {.nsec = 10 * MS, .interval_nsec = 10 * MS};
	struct _timer_info ti;
	struct sigevent ev;
	struct sched_param sp;
	struct _pulse p;
	uint64_t t0;
	int id;

	SIGEV_PULSE_INIT(&ev, coid, 15, 5, val);
	id = TimerCreate(CLOCK_MONOTONIC, &ev);
	ck_assert_int_ge(id, 0);
	/* Created disarmed. */
	ck_assert_int_eq(TimerInfo(0, id, 0, &ti), id);
	ck_assert_int_eq(ti.flags & _NTO_TI_ACTIVE, 0);
	ck_assert_int_eq(recv_pulse(chid, &p, 30), -ETIMEDOUT);

	t0 = now_ns(CLOCK_MONOTONIC);
	ck_assert_int_eq(TimerSettime(id, 0, &it, NULL), 0);
	for (int i = 0; i < 10; i++) {
		ck_assert_int_eq(recv_pulse(chid, &p, 5000), 0);
		ck_assert_int_eq(p.type, _PULSE_TYPE);
		ck_assert_int_eq(p.code, 5);
		ck_assert_ptr_eq(p.value.sival_ptr, val);
		ck_assert_int_eq(p.scoid & _NTO_SIDE_CHANNEL, _NTO_SIDE_CHANNEL);
	}
	/* Ten expirations of 10 ms cannot come in less than 100 ms. */
	ck_assert_uint_ge(now_ns(CLOCK_MONOTONIC) - t0, 95 * MS);
	/* The receiver ran at the pulse's priority (root may raise it). */
	if (geteuid() == 0) {
		ck_assert_int_eq(SchedGet(0, 0, &sp), SCHED_FIFO);
		ck_assert_int_eq(sp.sched_priority, 15);
	}

	ck_assert_int_eq(TimerInfo(0, id, 0, &ti), id);
	ck_assert_int_ne(ti.flags & _NTO_TI_ACTIVE, 0);
	ck_assert_int_ne(ti.flags & _NTO_TI_EXPIRED, 0);
	ck_assert_int_eq(ti.flags & _NTO_TI_ABSOLUTE, 0);
	ck_assert_int_ne(ti.flags & _NTO_TI_TARGET_PROCESS, 0);
	ck_assert_uint_eq(ti.itime.interval_nsec, 10 * MS);
	ck_assert_uint_le(ti.otime.nsec, 10 * MS);
	ck_assert_uint_gt(ti.itime.nsec, now_ns(CLOCK_MONOTONIC) - 20 * MS);
	ck_assert_int_eq(ti.clockid, CLOCK_MONOTONIC);
	ck_assert_int_eq(ti.notify, SIGEV_PULSE);
	ck_assert_int_eq(ti.event.sigev_code, 5);
	ck_assert_int_eq(ti.event.sigev_coid, coid);

	/* After TimerDestroy() returns, no pulse of it is ever sent. */
	ck_assert_int_eq(TimerDestroy(id), 0);
	axt_sleep_ms(30);
	(void) drain(chid);
	ck_assert_int_eq(recv_pulse(chid, &p, 60), -ETIMEDOUT);
	ck_assert_int_eq(TimerInfo(0, id, 0, &ti), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	ck_assert_int_eq(ChannelDestroy(chid), 0);
}
END_TEST

START_TEST(test_pulse_oneshot_abs)
{
	clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_SOFTTIME};
	int chid = ChannelCreate(0);
	int coid = self_coid(chid);

	for (size_t c = 0; c < sizeof(clocks) / sizeof(clocks[0]); c++) {
		clockid_t k = clocks[c] == CLOCK_SOFTTIME ? CLOCK_REALTIME
							  : clocks[c];
		struct _timer_info ti;
		struct _itimer it = {0};
		struct _itimer old;
		struct sigevent ev;
		struct _pulse p;
		int id;

		SIGEV_PULSE_INT_INIT(&ev, coid, 10, 1, (int) c);
		id = TimerCreate(clocks[c], &ev);
		ck_assert_int_ge(id, 0);
		it.nsec = now_ns(k) + 20 * MS;
		ck_assert_int_eq(TimerSettime(id, TIMER_ABSTIME, &it, &old), 0);
		ck_assert_uint_eq(old.nsec, 0); /* it was disarmed */
		ck_assert_int_eq(TimerInfo(0, id, 0, &ti), id);
		ck_assert_int_ne(ti.flags & _NTO_TI_ABSOLUTE, 0);
		ck_assert_int_eq(!!(ti.flags & _NTO_TI_TOD_BASED),
		    k == CLOCK_REALTIME);
		/* itime is the date itself, give or take the reading. */
		ck_assert_uint_le(ti.itime.nsec, it.nsec + 5 * MS);
		ck_assert_uint_ge(ti.itime.nsec + 5 * MS, it.nsec);
		ck_assert_int_eq(recv_pulse(chid, &p, 5000), 0);
		ck_assert_uint_ge(now_ns(k), it.nsec - MS);
		ck_assert_int_eq(p.code, 1);
		ck_assert_int_eq(p.value.sival_int, (int) c);
		/* One-shot: no second pulse; spent, not active. */
		ck_assert_int_eq(recv_pulse(chid, &p, 50), -ETIMEDOUT);
		ck_assert_int_eq(TimerInfo(0, id, 0, &ti), id);
		ck_assert_int_eq(ti.flags & _NTO_TI_ACTIVE, 0);
		ck_assert_int_ne(ti.flags & _NTO_TI_EXPIRED, 0);
		/* A date already past fires at once. */
		it.nsec = now_ns(k) - 1000 * MS;
		ck_assert_int_eq(TimerSettime(id, TIMER_ABSTIME, &it, NULL), 0);
		ck_assert_int_eq(recv_pulse(chid, &p, 2000), 0);
		/* Relative, re-armed, then disarmed before it fires: oitime
		 * gives what was left. */
		it.nsec = 5000 * MS;
		ck_assert_int_eq(TimerSettime(id, 0, &it, NULL), 0);
		it.nsec = 0;
		ck_assert_int_eq(TimerSettime(id, 0, &it, &old), 0);
		ck_assert_uint_gt(old.nsec, 4000 * MS);
		ck_assert_uint_le(old.nsec, 5000 * MS);
		ck_assert_int_eq(recv_pulse(chid, &p, 30), -ETIMEDOUT);
		ck_assert_int_eq(TimerDestroy(id), 0);
	}
	ck_assert_int_eq(ChannelDestroy(chid), 0);
}
END_TEST

/* Two timers due together, pulses at 10 and 20, queued before anyone
 * receives: the higher priority comes first, as any pulse's would. */
START_TEST(test_pulse_priority_order)
{
	int chid = ChannelCreate(_NTO_CHF_FIXED_PRIORITY);
	int coid = self_coid(chid);
	struct _itimer it = {0};
	struct sigevent ev;
	struct _pulse p;
	int a;
	int b;

	SIGEV_PULSE_INIT(&ev, coid, 10, 10, 0);
	a = TimerCreate(CLOCK_MONOTONIC, &ev);
	SIGEV_PULSE_INIT(&ev, coid, 20, 20, 0);
	b = TimerCreate(CLOCK_MONOTONIC, &ev);
	ck_assert_int_ge(a, 0);
	ck_assert_int_ge(b, 0);
	it.nsec = now_ns(CLOCK_MONOTONIC) + 10 * MS;
	ck_assert_int_eq(TimerSettime(a, TIMER_ABSTIME, &it, NULL), 0);
	ck_assert_int_eq(TimerSettime(b, TIMER_ABSTIME, &it, NULL), 0);
	axt_sleep_ms(150);
	ck_assert_int_eq(recv_pulse(chid, &p, 0), 0);
	ck_assert_int_eq(p.code, 20);
	ck_assert_int_eq(recv_pulse(chid, &p, 0), 0);
	ck_assert_int_eq(p.code, 10);
	ck_assert_int_eq(TimerDestroy(a), 0);
	ck_assert_int_eq(TimerDestroy(b), 0);
}
END_TEST

/* Pulses are queued, one per expiration (QNX: "timer overruns occur
 * only for signals"): a receiver that looks away for 100 ms of a 2 ms
 * timer finds every tick waiting, and nothing is counted as overrun.
 * As root, the timer thread is made to fall behind by the whole 100 ms
 * (this thread, real-time and busy, holds the one CPU they share), so
 * that it reads fifty expirations at once and must queue fifty pulses. */
/* Voluntary context switches of this process's thread named name
 * (-1 if there is none). */
static long
thread_switches(const char *name)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	long n = -1;

	ck_assert_ptr_nonnull(d);
	while (n < 0 && (e = readdir(d)) != NULL) {
		char path[300], buf[256];
		FILE *f;
		bool match = false;

		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
		    e->d_name);
		f = fopen(path, "r");
		if (f != NULL && fgets(buf, sizeof(buf), f) != NULL) {
			buf[strcspn(buf, "\n")] = '\0';
			match = strcmp(buf, name) == 0;
		}
		if (f != NULL) {
			fclose(f);
		}
		snprintf(path, sizeof(path), "/proc/self/task/%s/status",
		    e->d_name);
		f = match ? fopen(path, "r") : NULL;
		while (f != NULL && fgets(buf, sizeof(buf), f) != NULL) {
			if (sscanf(buf, "voluntary_ctxt_switches: %ld", &n) ==
			    1) {
				break;
			}
		}
		if (f != NULL) {
			fclose(f);
		}
	}
	closedir(d);
	return n;
}

/* Waits (bounded) until timer id counts an overrun. */
static bool
wait_overruns(int id)
{
	struct _timer_info ti = {0};

	for (int i = 0; i < 5000; i++) {
		ck_assert_int_eq(TimerInfo(0, id, 0, &ti), id);
		if (ti.overruns > 0) {
			return true;
		}
		axt_sleep_ms(1);
	}
	return false;
}

/* The id of this process's thread named name, or -1. */
/* Waits (bounded) until the timer thread is back in its epoll wait: it
 * has delivered what had expired. */
static void
wait_timer_thread_idle(void)
{
#ifdef SYS_epoll_wait
	long nr = SYS_epoll_wait;
#else
	long nr = SYS_epoll_pwait;
#endif
	pid_t tid = axt_thread_named("axon-timer");

	ck_assert_int_gt(tid, 0);
	ck_assert(axt_wait_syscall(tid, nr));
}

/*
 * A receiver asleep on the channel takes the timer's expiry itself, as a
 * timerfd reader would: one wake-up per tick, not the timer thread's and
 * then the receiver's (before, the timer thread woke for every tick).
 * A pulse-only receiver, which sleeps elsewhere, is still served by the
 * thread; and a receiver that comes late finds every tick queued.
 */
START_TEST(test_receiver_takes_expiry)
{
	enum { N = 200 };
	int chid = ChannelCreate(0);
	int coid = self_coid(chid);
	struct _itimer it = {.nsec = MS, .interval_nsec = MS};
	struct _itimer off = {0};
	struct sigevent ev;
	struct _pulse p;
	long before, after;
	int id;

	SIGEV_PULSE_INIT(&ev, coid, 10, 4, 0);
	id = TimerCreate(CLOCK_MONOTONIC, &ev);
	ck_assert_int_ge(id, 0);
	ck_assert_int_eq(TimerSettime(id, 0, &it, NULL), 0);
	/* (Not zero: a tick that comes while the receiver is not asleep
	 * in the channel's set, preempted say, goes to the thread.  A
	 * machine loaded enough to preempt it most of the time gets three
	 * rounds; the old design woke the thread every tick of each.) */
	for (int round = 0; round < 3; round++) {
		before = thread_switches("axon-timer");
		ck_assert_int_ge(before, 0);
		for (int i = 0; i < N; i++) {
			ck_assert_int_eq(recv_pulse(chid, &p, 5000), 0);
			ck_assert_int_eq(p.code, 4);
		}
		after = thread_switches("axon-timer");
		if (after - before < N / 2 || round == 2) {
			break;
		}
	}
	ck_assert_msg(after - before < N / 2,
	    "the timer thread woke %ld times for %d ticks", after - before,
	    N);
	/* A pulse-only receiver. */
	for (int i = 0; i < 20; i++) {
		uint64_t t = 5000 * MS;

		TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &t,
		    NULL);
		ck_assert_int_eq(MsgReceivePulse(chid, &p, sizeof(p), NULL),
		    0);
		ck_assert_int_eq(p.code, 4);
	}
	/* Nobody receives for 30 ticks: they are all queued meanwhile. */
	(void) drain(chid);
	axt_sleep_ms(30);
	/* The thread has queued them before the disarm drops what it has
	 * not read (a loaded machine may not have run it meanwhile). */
	wait_timer_thread_idle();
	ck_assert_int_eq(TimerSettime(id, 0, &off, NULL), 0);
	ck_assert_int_ge(drain(chid), 25);
	ck_assert_int_eq(TimerDestroy(id), 0);
}
END_TEST

START_TEST(test_pulse_no_overrun)
{
	cpu_set_t one;
	cpu_set_t all;
	bool rt = geteuid() == 0;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(all), &all), 0);
	if (rt) {
		CPU_ZERO(&one);
		for (int c = 0; c < CPU_SETSIZE; c++) {
			if (CPU_ISSET(c, &all)) {
				CPU_SET(c, &one);
				break;
			}
		}
		/* Before the first timer: its thread inherits the mask. */
		ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	}
	int chid = ChannelCreate(0);
	int coid = self_coid(chid);
	struct _itimer it = {.nsec = 2 * MS, .interval_nsec = 2 * MS};
	struct _itimer off = {0};
	struct _timer_info ti;
	struct sigevent ev;
	uint64_t t0;
	uint64_t t1;
	int n;
	int id;

	SIGEV_PULSE_INIT(&ev, coid, 10, 3, 0);
	id = TimerCreate(CLOCK_MONOTONIC, &ev);
	t0 = now_ns(CLOCK_MONOTONIC);
	ck_assert_int_eq(TimerSettime(id, 0, &it, NULL), 0);
	if (rt) {
		struct sched_param sp = {.sched_priority = 5};

		ck_assert_int_eq(SchedSet(0, 0, SCHED_FIFO, &sp), 0);
		while (now_ns(CLOCK_MONOTONIC) - t0 < 100 * MS) {
			/* the timer thread cannot run */
		}
		sp.sched_priority = 10;
		ck_assert_int_eq(SchedSet(0, 0, SCHED_OTHER, &sp), 0);
		ck_assert_int_eq(sched_setaffinity(0, sizeof(all), &all), 0);
	} else {
		axt_sleep_ms(100);
	}
	/* It catches up before the timer is disarmed, which drops what it
	 * has not read (not a fixed 20 ms: a loaded machine may not run it
	 * by then). */
	wait_timer_thread_idle();
	ck_assert_int_eq(TimerSettime(id, 0, &off, NULL), 0);
	t1 = now_ns(CLOCK_MONOTONIC);
	axt_sleep_ms(20);
	n = drain(chid);
	/* As many pulses as 2 ms periods passed, give or take the edges. */
	ck_assert_int_ge(n, (int) ((t1 - t0) / (2 * MS)) - 2);
	ck_assert_int_le(n, (int) ((t1 - t0) / (2 * MS)) + 1);
	ck_assert_int_eq(TimerInfo(0, id, 0, &ti), id);
	ck_assert_uint_eq(ti.overruns, 0);
	ck_assert_int_eq(TimerDestroy(id), 0);
}
END_TEST

/* ---- signals, threads, nothing --------------------------------------- */

static int
wait_sig(int sig, siginfo_t *si, int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
	    .tv_nsec = (long) (ms % 1000) * 1000000};
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, si, &ts);
}

static void
block_sig(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, &set, NULL), 0);
}

struct thr_sig {
	int id;
	pid_t tid;
	int got;
	int value;
};

static void *
thread_signal_main(void *arg)
{
	struct thr_sig *ts = arg;
	struct _itimer it = {.nsec = 10 * MS};
	struct sigevent ev;
	siginfo_t si;

	ts->tid = (pid_t) syscall(SYS_gettid);
	SIGEV_SIGNAL_THREAD_INIT(&ev, SIGUSR2, 77, SI_USER);
	ts->id = TimerCreate(CLOCK_MONOTONIC, &ev);
	if (ts->id >= 0 && TimerSettime(ts->id, 0, &it, NULL) == 0 &&
	    wait_sig(SIGUSR2, &si, 5000) == SIGUSR2) {
		ts->got = 1;
		ts->value = si.si_value.sival_int;
	}
	return NULL;
}

START_TEST(test_signals)
{
	struct _itimer it = {.nsec = 10 * MS};
	struct _timer_info ti;
	struct thr_sig ts = {0};
	struct sigevent ev;
	pthread_t th;
	siginfo_t si;
	int id;

	block_sig(SIGUSR1);
	block_sig(SIGUSR2);
	block_sig(SIGALRM);

	SIGEV_SIGNAL_VALUE_INIT(&ev, SIGUSR1, 42);
	id = TimerCreate(CLOCK_REALTIME, &ev);
	ck_assert_int_ge(id, 0);
	ck_assert_int_eq(TimerSettime(id, 0, &it, NULL), 0);
	ck_assert_int_eq(wait_sig(SIGUSR1, &si, 5000), SIGUSR1);
	ck_assert_int_eq(si.si_code, SI_TIMER);
	ck_assert_int_eq(si.si_value.sival_int, 42);
	ck_assert_int_eq(TimerDestroy(id), 0);

	SIGEV_SIGNAL_CODE_INIT(&ev, SIGUSR1, 43, -70);
	id = TimerCreate(CLOCK_MONOTONIC, &ev);
	ck_assert_int_eq(TimerSettime(id, 0, &it, NULL), 0);
	ck_assert_int_eq(wait_sig(SIGUSR1, &si, 5000), SIGUSR1);
	ck_assert_int_eq(si.si_code, -70);
	ck_assert_int_eq(si.si_value.sival_int, 43);
	ck_assert_int_eq(TimerDestroy(id), 0);

	/* No event: SIGALRM to the process. */
	id = TimerCreate(CLOCK_MONOTONIC, NULL);
	ck_assert_int_ge(id, 0);
	ck_assert_int_eq(TimerSettime(id, 0, &it, NULL), 0);
	ck_assert_int_eq(wait_sig(SIGALRM, &si, 5000), SIGALRM);
	ck_assert_int_eq(TimerDestroy(id), 0);

	/* SIGEV_SIGNAL_THREAD: to the thread that made the timer, which
	 * takes it with the signal blocked in every other thread too. */
	ck_assert_int_eq(pthread_create(&th, NULL, thread_signal_main, &ts),
	    0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_ge(ts.id, 0);
	ck_assert_int_eq(ts.got, 1);
	ck_assert_int_eq(ts.value, 77);
	ck_assert_int_eq(TimerInfo(0, ts.id, 0, &ti), ts.id);
	ck_assert_int_eq(ti.tid, ts.tid);
	ck_assert_int_eq(ti.flags & _NTO_TI_TARGET_PROCESS, 0);
	ck_assert_int_eq(TimerDestroy(ts.id), 0);
}
END_TEST

static atomic_int thr_calls;
static atomic_int thr_value;

static void
on_timer(union sigval v)
{
	atomic_store(&thr_value, v.sival_int);
	atomic_fetch_add(&thr_calls, 1);
}

START_TEST(test_sigev_thread_none)
{
	struct _itimer it = {.nsec = 5 * MS, .interval_nsec = 5 * MS};
	struct _timer_info ti;
	struct sigevent ev;
	double end;
	int id;

	SIGEV_THREAD_INIT(&ev, on_timer, 99, NULL);
	id = TimerCreate(CLOCK_MONOTONIC, &ev);
	ck_assert_int_ge(id, 0);
	ck_assert_int_eq(TimerSettime(id, 0, &it, NULL), 0);
	end = axt_now() + 5;
	while (atomic_load(&thr_calls) < 3 && axt_now() < end) {
		axt_sleep_ms(5);
	}
	ck_assert_int_ge(atomic_load(&thr_calls), 3);
	ck_assert_int_eq(atomic_load(&thr_value), 99);
	ck_assert_int_eq(TimerDestroy(id), 0);

	/* SIGEV_NONE: it runs, expires and counts, and tells no one. */
	SIGEV_NONE_INIT(&ev);
	id = TimerCreate(CLOCK_MONOTONIC, &ev);
	it.nsec = 5 * MS;
	it.interval_nsec = 0;
	ck_assert_int_eq(TimerSettime(id, 0, &it, NULL), 0);
	end = axt_now() + 5;
	do {
		axt_sleep_ms(5);
		ck_assert_int_eq(TimerInfo(0, id, 0, &ti), id);
	} while (!(ti.flags & _NTO_TI_EXPIRED) && axt_now() < end);
	ck_assert_int_ne(ti.flags & _NTO_TI_EXPIRED, 0);
	ck_assert_int_eq(ti.notify, SIGEV_NONE);
	ck_assert_int_eq(TimerDestroy(id), 0);
}
END_TEST

/* ---- errors ------------------------------------------------------------ */

START_TEST(test_errors)
{
	int chid = ChannelCreate(0);
	int coid = self_coid(chid);
	struct _itimer it = {.nsec = MS};
	struct _timer_info ti;
	struct sigevent ev;
	int id;
	int a;
	int b;

	SIGEV_PULSE_INIT(&ev, coid, 10, 1, 0);
	/* Clocks a timerfd cannot follow, or none. */
	ck_assert_int_eq(TimerCreate(CLOCK_PROCESS_CPUTIME_ID, &ev), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(TimerCreate(12345, &ev), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* Events: a code out of range, no such connection, kinds that
	 * make no sense for a timer here. */
	SIGEV_PULSE_INIT(&ev, coid, 10, 200, 0);
	ck_assert_int_eq(TimerCreate(CLOCK_MONOTONIC, &ev), -1);
	ck_assert_int_eq(errno, EINVAL);
	SIGEV_PULSE_INIT(&ev, coid + 1000, 10, 1, 0);
	ck_assert_int_eq(TimerCreate(CLOCK_MONOTONIC, &ev), -1);
	ck_assert_int_eq(errno, EBADF);
	SIGEV_UNBLOCK_INIT(&ev);
	ck_assert_int_eq(TimerCreate(CLOCK_MONOTONIC, &ev), -1);
	ck_assert_int_eq(errno, EINVAL);
	SIGEV_INTR_INIT(&ev);
	ck_assert_int_eq(TimerCreate_r(CLOCK_MONOTONIC, &ev), -EINVAL);
	SIGEV_SIGNAL_INIT(&ev, 0);
	ck_assert_int_eq(TimerCreate_r(CLOCK_MONOTONIC, &ev), -EINVAL);
	ev.sigev_notify = 0x7e;
	ck_assert_int_eq(TimerCreate_r(CLOCK_MONOTONIC, &ev), -EINVAL);

	SIGEV_PULSE_INIT(&ev, coid, 10, 1, 0);
	id = TimerCreate(CLOCK_MONOTONIC, &ev);
	ck_assert_int_ge(id, 0);
	/* _r forms: negative errno, errno untouched. */
	errno = 1234;
	ck_assert_int_eq(TimerSettime_r(id, 0x1000, &it, NULL), -EINVAL);
	ck_assert_int_eq(TimerSettime_r(id, 0, NULL, NULL), -EFAULT);
	ck_assert_int_eq(TimerSettime_r(-1, 0, &it, NULL), -EINVAL);
	ck_assert_int_eq(TimerSettime_r(4096, 0, &it, NULL), -EINVAL);
	it.nsec = UINT64_MAX;
	ck_assert_int_eq(TimerSettime_r(id, 0, &it, NULL), -EINVAL);
	ck_assert_int_eq(TimerInfo_r(1, id, 0, &ti), -ESRCH);
	ck_assert_int_eq(TimerInfo_r(0, id, 0, NULL), -EFAULT);
	ck_assert_int_eq(TimerInfo_r(0, id, 0x4000, &ti), -EINVAL);
	ck_assert_int_eq(errno, 1234);
	ck_assert_int_eq(TimerSettime(id, 0x1000, &it, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);

	/* Search: from an unused id to the next timer; past the last,
	 * none.  Overruns reset with no info asked. */
	a = TimerCreate(CLOCK_MONOTONIC, &ev);
	b = TimerCreate(CLOCK_MONOTONIC, &ev);
	ck_assert_int_eq(TimerDestroy(a), 0);
	ck_assert_int_eq(TimerInfo(getpid(), a, _NTO_TIMER_SEARCH, &ti), b);
	ck_assert_int_eq(TimerInfo_r(0, b + 1, _NTO_TIMER_SEARCH, &ti),
	    -EINVAL);
	ck_assert_int_eq(TimerInfo(0, b, _NTO_TIMER_RESET_OVERRUNS, NULL), b);
	ck_assert_int_eq(TimerDestroy(b), 0);
	ck_assert_int_eq(TimerDestroy(b), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(TimerDestroy_r(-5), -EINVAL);

	/* Tolerance: kept and reported, the timer unchanged. */
	it.nsec = 3 * MS;
	ck_assert_int_eq(TimerSettime(id, TIMER_TOLERANCE, &it, NULL), 0);
	ck_assert_int_eq(TimerInfo(0, id, _NTO_TI_REPORT_TOLERANCE, &ti), id);
	ck_assert_uint_eq(ti.otime.interval_nsec, 3 * MS);
	ck_assert_int_eq(ti.flags & _NTO_TI_ACTIVE, 0);
	ck_assert_int_eq(TimerDestroy(id), 0);
	ck_assert_int_eq(ChannelDestroy(chid), 0);
}
END_TEST

/* ---- faults ------------------------------------------------------------ */

/* The channel a timer pulses is destroyed: its pulses are lost and
 * counted as overruns, and the timer thread goes on serving others. */
START_TEST(test_channel_destroyed)
{
	int dead = ChannelCreate(0);
	int live = ChannelCreate(0);
	int dcoid = self_coid(dead);
	int lcoid = self_coid(live);
	struct _itimer it = {.nsec = 2 * MS, .interval_nsec = 2 * MS};
	struct _timer_info ti;
	struct sigevent ev;
	struct _pulse p;
	int a;
	int b;

	SIGEV_PULSE_INIT(&ev, dcoid, 10, 3, 0);
	a = TimerCreate(CLOCK_MONOTONIC, &ev);
	SIGEV_PULSE_INIT(&ev, lcoid, 10, 4, 0);
	b = TimerCreate(CLOCK_MONOTONIC, &ev);
	ck_assert_int_ge(a, 0);
	ck_assert_int_ge(b, 0);
	ck_assert_int_eq(TimerSettime(a, 0, &it, NULL), 0);
	ck_assert_int_eq(recv_pulse(dead, &p, 5000), 0);
	ck_assert_int_eq(ChannelDestroy(dead), 0);
	ck_assert_int_eq(TimerSettime(b, 0, &it, NULL), 0);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(recv_pulse(live, &p, 5000), 0);
		ck_assert_int_eq(p.code, 4);
	}
	/* The timer thread counts them as it comes to the ticks (bounded:
	 * a loaded machine may not run it within a fixed delay). */
	ck_assert(wait_overruns(a));
	ck_assert_int_eq(TimerInfo(0, a, _NTO_TIMER_RESET_OVERRUNS, &ti), a);
	ck_assert_uint_gt(ti.overruns, 0); /* the count before the reset */
	ck_assert_int_eq(TimerDestroy(a), 0);
	ck_assert_int_eq(TimerDestroy(b), 0);
	ck_assert_int_eq(ConnectDetach(dcoid), 0);
	ck_assert_int_eq(ConnectDetach(lcoid), 0);
	ck_assert_int_eq(ChannelDestroy(live), 0);
}
END_TEST

/* A server in another process, pulsed by our timer through our
 * connection to it; then it dies, and the timer pulses a dead coid. */
static void
pulsed_server(int fd, void *arg)
{
	int chid = ChannelCreate(0);
	struct _pulse p;
	int ok = 1;

	(void) arg;
	axt_report(fd, chid);
	for (int i = 0; i < 3; i++) {
		if (recv_pulse(chid, &p, 5000) != 0 || p.code != 9 ||
		    p.value.sival_int != 1234) {
			ok = 0;
		}
	}
	_exit(ok ? 0 : 1);
}

START_TEST(test_remote_coid)
{
	struct axt_child c = axt_spawn(pulsed_server, NULL);
	struct _itimer it = {.nsec = 5 * MS, .interval_nsec = 5 * MS};
	struct _timer_info ti;
	struct sigevent ev;
	struct _pulse p;
	int chid = ChannelCreate(0);
	int coid;
	int id;
	int own;
	int st;

	ck_assert_int_gt(c.val, 0);
	coid = ConnectAttach(0, c.pid, c.val, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	SIGEV_PULSE_INT_INIT(&ev, coid, 12, 9, 1234);
	id = TimerCreate(CLOCK_REALTIME, &ev);
	ck_assert_int_ge(id, 0);
	ck_assert_int_eq(TimerSettime(id, 0, &it, NULL), 0);
	st = axt_child_wait(&c, 10);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	/* The server is gone; the timer keeps firing into nothing. */
	ck_assert(wait_overruns(id));
	ck_assert_int_eq(TimerInfo(0, id, 0, &ti), id);
	ck_assert_uint_gt(ti.overruns, 0);
	SIGEV_PULSE_INIT(&ev, self_coid(chid), 10, 2, 0);
	own = TimerCreate(CLOCK_MONOTONIC, &ev);
	ck_assert_int_eq(TimerSettime(own, 0, &it, NULL), 0);
	ck_assert_int_eq(recv_pulse(chid, &p, 5000), 0);
	ck_assert_int_eq(p.code, 2);
	ck_assert_int_eq(TimerDestroy(id), 0);
	ck_assert_int_eq(TimerDestroy(own), 0);
	ck_assert_int_eq(ConnectDetach(coid), 0);
}
END_TEST

/* fork() while a 1 ms timer fires: the child inherits no timer (POSIX,
 * QNX), can make its own, and the parent's keeps pulsing. */
START_TEST(test_fork)
{
	int chid = ChannelCreate(0);
	int coid = self_coid(chid);
	struct _itimer it = {.nsec = MS, .interval_nsec = MS};
	struct sigevent ev;
	struct _pulse p;
	int id;

	SIGEV_PULSE_INIT(&ev, coid, 10, 6, 0);
	id = TimerCreate(CLOCK_MONOTONIC, &ev);
	ck_assert_int_ge(id, 0);
	ck_assert_int_eq(TimerSettime(id, 0, &it, NULL), 0);
	for (int round = 0; round < 8; round++) {
		pid_t pid = fork();
		int st;

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			struct _timer_info ti;
			int cchid = ChannelCreate(0);
			int cc = ConnectAttach(0, 0, cchid, _NTO_SIDE_CHANNEL,
			    0);
			struct _itimer one = {.nsec = 2 * MS};
			int mine;

			if (TimerInfo_r(0, id, 0, &ti) != -EINVAL ||
			    TimerInfo_r(0, 0, _NTO_TIMER_SEARCH, &ti) !=
				-EINVAL) {
				_exit(2); /* inherited */
			}
			SIGEV_PULSE_INIT(&ev, cc, 10, 8, 0);
			mine = TimerCreate(CLOCK_MONOTONIC, &ev);
			if (mine < 0 || TimerSettime(mine, 0, &one, NULL) != 0 ||
			    recv_pulse(cchid, &p, 5000) != 0 || p.code != 8) {
				_exit(3);
			}
			_exit(0);
		}
		/* (Bounded: a child stuck in the library is dumped and
		 * named, not left to the case's timeout.) */
		st = axt_waitpid(pid, 20);
		ck_assert_msg(st != -1, "round %d: child %d stuck", round,
		    (int) pid);
		ck_assert(WIFEXITED(st));
		ck_assert_int_eq(WEXITSTATUS(st), 0);
		(void) drain(chid);
		ck_assert_int_eq(recv_pulse(chid, &p, 5000), 0);
		ck_assert_int_eq(p.code, 6);
	}
	ck_assert_int_eq(TimerDestroy(id), 0);
}
END_TEST

/* Many timers, no thread each: they all pulse, and destroying them
 * while they fire leaves nothing behind. */
START_TEST(test_many)
{
	enum { N = 200 };
	int chid = ChannelCreate(0);
	int coid = self_coid(chid);
	/* (200 timers at 3 ms were 66 000 pulses a second into one
	 * receiver, more than a sanitizer build drains: each timer's
	 * backlog, queued in order, kept the later ones out of sight for
	 * the whole bound.  At 50 ms it is 4 000.) */
	struct _itimer it = {.nsec = 3 * MS, .interval_nsec = 50 * MS};
	struct sigevent ev;
	struct _pulse p;
	int ids[N];
	int seen[N] = {0};
	int nseen = 0;
	double end;
	int fds;

	for (int i = 0; i < N; i++) {
		SIGEV_PULSE_INT_INIT(&ev, coid, 10, 1, i);
		ids[i] = TimerCreate(CLOCK_MONOTONIC, &ev);
		ck_assert_int_ge(ids[i], 0);
		ck_assert_int_eq(TimerSettime(ids[i], 0, &it, NULL), 0);
	}
	fds = axt_fd_count();
	end = axt_now() + 20;
	while (nseen < N && axt_now() < end) {
		ck_assert_int_eq(recv_pulse(chid, &p, 5000), 0);
		ck_assert_int_ge(p.value.sival_int, 0);
		ck_assert_int_lt(p.value.sival_int, N);
		if (!seen[p.value.sival_int]++) {
			nseen++;
		}
	}
	ck_assert_int_eq(nseen, N);
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(TimerDestroy(ids[i]), 0);
	}
	ck_assert_int_le(axt_fd_settle(fds - N), fds - N); /* none left */
}
END_TEST

/* ---- the process alarm ------------------------------------------------- */

START_TEST(test_alarm)
{
	struct _itimer it = {.nsec = 20 * MS};
	struct _itimer old;
	siginfo_t si;

	block_sig(SIGALRM);
	ck_assert_int_eq(TimerAlarm(CLOCK_REALTIME, &it, &old), 0);
	ck_assert_uint_eq(old.nsec, 0);
	ck_assert_int_eq(wait_sig(SIGALRM, &si, 5000), SIGALRM);
	/* alarm() and TimerAlarm() are one alarm, as on QNX. */
	it.nsec = 7000 * MS;
	ck_assert_int_eq(TimerAlarm(CLOCK_REALTIME, &it, NULL), 0);
	ck_assert_uint_eq(alarm(0), 7);
	ck_assert_uint_eq(alarm(9), 0);
	ck_assert_int_eq(TimerAlarm(CLOCK_MONOTONIC, NULL, &old), 0);
	ck_assert_uint_gt(old.nsec, 8000 * MS);
	ck_assert_uint_le(old.nsec, 9000 * MS);
	it.nsec = 0;
	ck_assert_int_eq(TimerAlarm(CLOCK_REALTIME, &it, NULL), 0);
	ck_assert_uint_eq(alarm(0), 0);
	ck_assert_int_eq(TimerAlarm_r(CLOCK_THREAD_CPUTIME_ID, &it, NULL),
	    -EINVAL);
}
END_TEST

/* ---- clocks ------------------------------------------------------------ */

START_TEST(test_clock_cycles)
{
	uint64_t c1 = ClockCycles();
	uint64_t q = SYSPAGE_ENTRY(qtime)->nsec;
	uint64_t c2 = ClockCycles();
	uint64_t cps = SYSPAGE_ENTRY(qtime)->cycles_per_sec;

	/* One counter: the system page's time lies between two reads. */
	ck_assert_uint_le(c1, q);
	ck_assert_uint_le(q, c2);
	ck_assert_uint_eq(cps, 1000000000ull);
	axt_sleep_ms(20);
	c2 = ClockCycles();
	/* The idiom: elapsed seconds = cycles / cycles_per_sec. */
	ck_assert_uint_ge((c2 - c1) * 1000 / cps, 19);
	ck_assert_uint_lt((c2 - c1) / cps, 10);
}
END_TEST

START_TEST(test_clock_time)
{
	struct _clockperiod per;
	struct _clockadjust adj;
	struct timespec res;
	uint64_t t;

	ck_assert_int_eq(ClockTime(CLOCK_REALTIME, NULL, &t), 0);
	ck_assert_uint_le(now_ns(CLOCK_REALTIME) - t, 1000 * MS);
	ck_assert_int_eq(ClockTime(CLOCK_MONOTONIC, NULL, &t), 0);
	ck_assert_uint_le(now_ns(CLOCK_MONOTONIC) - t, 1000 * MS);
	ck_assert_int_eq(ClockTime(CLOCK_SOFTTIME, NULL, &t), 0);
	ck_assert_int_eq(ClockTime(12345, NULL, &t), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(ClockTime_r(CLOCK_MONOTONIC, &t, NULL), -EINVAL);

	/* The period is the clock's resolution, and the system page's. */
	ck_assert_int_eq(clock_getres(CLOCK_REALTIME, &res), 0);
	ck_assert_int_eq(ClockPeriod(CLOCK_REALTIME, NULL, &per, 0), 0);
	ck_assert_uint_eq(per.nsec, (uint64_t) res.tv_nsec);
	ck_assert_uint_eq(per.nsec, SYSPAGE_ENTRY(qtime)->timer_rate);
	ck_assert_int_eq(ClockPeriod_r(12345, NULL, &per, 0), -EINVAL);
	if (geteuid() == 0) {
		struct _clockperiod same = per;
		struct _clockperiod other = {.nsec = per.nsec + 10000};

		ck_assert_int_eq(ClockPeriod(CLOCK_REALTIME, &same, NULL, 0),
		    0);
		ck_assert_int_eq(ClockPeriod_r(CLOCK_REALTIME, &other, NULL, 0),
		    -EINVAL);
	}
	ck_assert_int_eq(ClockAdjust(CLOCK_REALTIME, NULL, &adj), 0);
	ck_assert_int_eq(ClockAdjust_r(CLOCK_MONOTONIC, NULL, &adj), -EINVAL);
}
END_TEST

/* Setting the time, the tick or a slew needs privilege: as an ordinary
 * user each fails with EPERM and changes nothing. */
START_TEST(test_clock_unprivileged)
{
	pid_t pid;
	int st;

	if (!axa_user("test_clock_unprivileged")) {
		return;
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct _clockperiod per;
		struct _clockadjust adj = {.tick_count = 1000,
		    .tick_nsec_inc = 1000};
		uint64_t t;

		axa_become();
		if (ClockTime(CLOCK_REALTIME, NULL, &t) != 0) {
			_exit(1);
		}
		t += 3600ull * 1000000000ull;
		if (ClockTime_r(CLOCK_REALTIME, &t, NULL) != -EPERM) {
			_exit(2);
		}
		if (ClockPeriod(CLOCK_REALTIME, NULL, &per, 0) != 0 ||
		    ClockPeriod_r(CLOCK_REALTIME, &per, NULL, 0) != -EPERM) {
			_exit(3);
		}
		if (ClockAdjust_r(CLOCK_REALTIME, &adj, NULL) != -EPERM) {
			_exit(4);
		}
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST


/* ---- timer_create() with QNX's events (include/axon/time.h) ------------ */

/* Ours: the tag in the top bits, the TimerCreate() id in the int. */
static bool
is_axon_timer(timer_t t)
{
	return ((uint64_t) (uintptr_t) t & 0xffff000000000000ull) ==
	    AXON_TIMER_TAG;
}

START_TEST(test_posix_pulse_periodic)
{
	void *val = (void *) (uintptr_t) 0x123456789abcull;
	int chid = ChannelCreate(0);
	int coid = self_coid(chid);
	struct itimerspec its = {.it_value.tv_nsec = 10 * MS,
	    .it_interval.tv_nsec = 10 * MS};
	struct itimerspec cur;
	struct _timer_info ti;
	struct sigevent ev;
	struct _pulse p;
	timer_t t;
	uint64_t t0;

	memset(&ev, 0, sizeof(ev));
	SIGEV_PULSE_INIT(&ev, coid, 12, 7, val);
	ck_assert_int_eq(timer_create(CLOCK_MONOTONIC, &ev, &t), 0);
	ck_assert(is_axon_timer(t));
	/* (int) of it is the TimerCreate() id, as on QNX. */
	ck_assert_int_eq(TimerInfo(0, (int) (intptr_t) t, 0, &ti),
	    (int) (intptr_t) t);
	ck_assert_int_eq(ti.notify, SIGEV_PULSE);
	/* Disarmed until set. */
	ck_assert_int_eq(timer_gettime(t, &cur), 0);
	ck_assert_int_eq(cur.it_value.tv_sec, 0);
	ck_assert_int_eq(cur.it_value.tv_nsec, 0);
	ck_assert_int_eq(recv_pulse(chid, &p, 30), -ETIMEDOUT);

	t0 = now_ns(CLOCK_MONOTONIC);
	ck_assert_int_eq(timer_settime(t, 0, &its, NULL), 0);
	for (int i = 0; i < 10; i++) {
		ck_assert_int_eq(recv_pulse(chid, &p, 5000), 0);
		ck_assert_int_eq(p.type, _PULSE_TYPE);
		ck_assert_int_eq(p.code, 7);
		ck_assert_ptr_eq(p.value.sival_ptr, val);
	}
	ck_assert_uint_ge(now_ns(CLOCK_MONOTONIC) - t0, 95 * MS);
	ck_assert_int_eq(timer_gettime(t, &cur), 0);
	ck_assert_int_eq(cur.it_interval.tv_sec, 0);
	ck_assert_int_eq(cur.it_interval.tv_nsec, 10 * MS);
	ck_assert_int_le(cur.it_value.tv_nsec, 10 * MS);
	ck_assert_int_eq(timer_getoverrun(t), 0);

	/* timer_delete() stops it for good; the id is then unknown. */
	ck_assert_int_eq(timer_delete(t), 0);
	axt_sleep_ms(30);
	(void) drain(chid);
	ck_assert_int_eq(recv_pulse(chid, &p, 60), -ETIMEDOUT);
	ck_assert_int_eq(timer_settime(t, 0, &its, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(timer_gettime(t, &cur), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(timer_getoverrun(t), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(timer_delete(t), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	ck_assert_int_eq(ChannelDestroy(chid), 0);
}
END_TEST

static struct timespec
ts_of(uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t) (ns / 1000000000ull),
	    .tv_nsec = (long) (ns % 1000000000ull)};

	return ts;
}

START_TEST(test_posix_oneshot)
{
	clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC};
	int chid = ChannelCreate(0);
	int coid = self_coid(chid);

	for (size_t c = 0; c < 2; c++) {
		struct itimerspec its = {0};
		struct itimerspec old;
		struct sigevent ev;
		struct _pulse p;
		uint64_t due;
		timer_t t;

		memset(&ev, 0, sizeof(ev));
		SIGEV_PULSE_INT_INIT(&ev, coid, 10, 2, (int) c + 100);
		ck_assert_int_eq(timer_create(clocks[c], &ev, &t), 0);

		/* Absolute. */
		due = now_ns(clocks[c]) + 20 * MS;
		its.it_value = ts_of(due);
		ck_assert_int_eq(timer_settime(t, TIMER_ABSTIME, &its, &old),
		    0);
		ck_assert_int_eq(old.it_value.tv_sec, 0);
		ck_assert_int_eq(old.it_value.tv_nsec, 0);
		ck_assert_int_eq(recv_pulse(chid, &p, 5000), 0);
		ck_assert_uint_ge(now_ns(clocks[c]), due - MS);
		ck_assert_int_eq(p.code, 2);
		ck_assert_int_eq(p.value.sival_int, (int) c + 100);
		ck_assert_int_eq(recv_pulse(chid, &p, 50), -ETIMEDOUT);

		/* Relative. */
		due = now_ns(CLOCK_MONOTONIC) + 20 * MS;
		its.it_value = ts_of(20 * MS);
		ck_assert_int_eq(timer_settime(t, 0, &its, NULL), 0);
		ck_assert_int_eq(recv_pulse(chid, &p, 5000), 0);
		ck_assert_uint_ge(now_ns(CLOCK_MONOTONIC), due - MS);
		ck_assert_int_eq(recv_pulse(chid, &p, 50), -ETIMEDOUT);

		/* A date past fires at once. */
		its.it_value = ts_of(now_ns(clocks[c]) - 1000 * MS);
		ck_assert_int_eq(timer_settime(t, TIMER_ABSTIME, &its, NULL),
		    0);
		ck_assert_int_eq(recv_pulse(chid, &p, 2000), 0);

		/* Armed far off, then disarmed: old has what was left, and
		 * nothing comes. */
		its.it_value = ts_of(5000 * MS);
		ck_assert_int_eq(timer_settime(t, 0, &its, NULL), 0);
		its.it_value = ts_of(0);
		ck_assert_int_eq(timer_settime(t, 0, &its, &old), 0);
		ck_assert_int_ge(old.it_value.tv_sec, 4);
		ck_assert_int_le(old.it_value.tv_sec, 5);
		ck_assert_int_eq(recv_pulse(chid, &p, 30), -ETIMEDOUT);
		ck_assert_int_eq(timer_delete(t), 0);
	}
	ck_assert_int_eq(ChannelDestroy(chid), 0);
}
END_TEST

/* A pulse timer and glibc's own timers side by side: the SIGEV_SIGNAL
 * and SIGEV_THREAD ones are glibc's (ids untagged, signals with SI_TIMER
 * from the kernel), the QNX ones Axon's, and each call finds its own. */
#if defined(__SANITIZE_THREAD__)
static const bool tsan = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
static const bool tsan = true;
#else
static const bool tsan = false;
#endif
#else
static const bool tsan = false;
#endif

START_TEST(test_posix_mixed)
{
	int chid = ChannelCreate(0);
	int coid = self_coid(chid);
	struct itimerspec its = {.it_value.tv_nsec = 20 * MS,
	    .it_interval.tv_nsec = 20 * MS};
	struct itimerspec cur;
	struct sigevent ev;
	struct _pulse p;
	siginfo_t si;
	timer_t tp;
	timer_t ts;
	timer_t tt;
	timer_t tc;
	int pulses = 0;
	int sigs = 0;

	block_sig(SIGUSR1);
	block_sig(SIGUSR2);
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	ev.sigev_value.sival_int = 31;
	ck_assert_int_eq(timer_create(CLOCK_MONOTONIC, &ev, &ts), 0);
	ck_assert(!is_axon_timer(ts));
	memset(&ev, 0, sizeof(ev));
	SIGEV_PULSE_INIT(&ev, coid, 10, 3, NULL);
	ck_assert_int_eq(timer_create(CLOCK_MONOTONIC, &ev, &tp), 0);
	ck_assert(is_axon_timer(tp));
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD;
	ev.sigev_notify_function = on_timer;
	ev.sigev_value.sival_int = 55;
	atomic_store(&thr_calls, 0);
	if (tsan) {
		/* glibc runs SIGEV_THREAD functions on a thread it makes
		 * internally, which ThreadSanitizer never sees created: it
		 * crashes on the first instrumented access there.  A plain
		 * signal timer stands in. */
		ev.sigev_notify = SIGEV_SIGNAL;
		ev.sigev_signo = SIGUSR2;
	}
	ck_assert_int_eq(timer_create(CLOCK_REALTIME, &ev, &tt), 0);
	ck_assert(!is_axon_timer(tt));

	ck_assert_int_eq(timer_settime(ts, 0, &its, NULL), 0);
	ck_assert_int_eq(timer_settime(tp, 0, &its, NULL), 0);
	its.it_interval.tv_nsec = 0;
	ck_assert_int_eq(timer_settime(tt, 0, &its, NULL), 0);
	while (pulses < 5 || sigs < 5) {
		if (pulses < 5) {
			ck_assert_int_eq(recv_pulse(chid, &p, 5000), 0);
			ck_assert_int_eq(p.code, 3);
			pulses++;
		}
		if (sigs < 5) {
			ck_assert_int_eq(wait_sig(SIGUSR1, &si, 5000),
			    SIGUSR1);
			ck_assert_int_eq(si.si_code, SI_TIMER);
			ck_assert_int_eq(si.si_value.sival_int, 31);
			sigs++;
		}
	}
	if (tsan) {
		ck_assert_int_eq(wait_sig(SIGUSR2, &si, 5000), SIGUSR2);
		ck_assert_int_eq(si.si_value.sival_int, 55);
	} else {
		for (int i = 0; i < 500 && atomic_load(&thr_calls) == 0;
		     i++) {
			axt_sleep_ms(10);
		}
		ck_assert_int_eq(atomic_load(&thr_calls), 1);
		ck_assert_int_eq(atomic_load(&thr_value), 55);
	}
	ck_assert_int_eq(timer_gettime(ts, &cur), 0);
	ck_assert_int_eq(cur.it_interval.tv_nsec, 20 * MS);
	ck_assert_int_ge(timer_getoverrun(ts), 0);
	ck_assert_int_eq(timer_delete(ts), 0);
	ck_assert_int_eq(timer_delete(tp), 0);
	ck_assert_int_eq(timer_delete(tt), 0);
	(void) drain(chid);

	/* SIGEV_SIGNAL_CODE through timer_create(): the event's code. */
	memset(&ev, 0, sizeof(ev));
	SIGEV_SIGNAL_CODE_INIT(&ev, SIGUSR2, 44, -71);
	ck_assert_int_eq(timer_create(CLOCK_REALTIME, &ev, &tc), 0);
	ck_assert(is_axon_timer(tc));
	its.it_value.tv_nsec = 10 * MS;
	ck_assert_int_eq(timer_settime(tc, 0, &its, NULL), 0);
	ck_assert_int_eq(wait_sig(SIGUSR2, &si, 5000), SIGUSR2);
	ck_assert_int_eq(si.si_code, -71);
	ck_assert_int_eq(si.si_value.sival_int, 44);
	ck_assert_int_eq(timer_delete(tc), 0);
	ck_assert_int_eq(ChannelDestroy(chid), 0);
}
END_TEST

START_TEST(test_posix_errors)
{
	int chid = ChannelCreate(0);
	int coid = self_coid(chid);
	struct itimerspec its = {.it_value.tv_nsec = 10 * MS};
	struct sigevent ev;
	timer_t t;
	timer_t bogus = (timer_t) (uintptr_t) (AXON_TIMER_TAG | 0x7fff0000ull);

	memset(&ev, 0, sizeof(ev));
	SIGEV_UNBLOCK_INIT(&ev);
	ck_assert_int_eq(timer_create(CLOCK_MONOTONIC, &ev, &t), -1);
	ck_assert_int_eq(errno, EINVAL);
	SIGEV_INTR_INIT(&ev);
	ck_assert_int_eq(timer_create(CLOCK_MONOTONIC, &ev, &t), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* A connection that does not exist, a clock without timers. */
	SIGEV_PULSE_INIT(&ev, coid + 100, 10, 1, NULL);
	ck_assert_int_eq(timer_create(CLOCK_MONOTONIC, &ev, &t), -1);
	ck_assert_int_eq(errno, EBADF);
	SIGEV_PULSE_INIT(&ev, coid, 10, 1, NULL);
	ck_assert_int_eq(timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &t),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(timer_create(CLOCK_MONOTONIC, &ev, NULL), -1);
	ck_assert_int_eq(errno, EFAULT);

	ck_assert_int_eq(timer_create(CLOCK_MONOTONIC, &ev, &t), 0);
	its.it_value.tv_nsec = 1000000000;
	ck_assert_int_eq(timer_settime(t, 0, &its, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	its.it_value.tv_nsec = -1;
	ck_assert_int_eq(timer_settime(t, 0, &its, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	its.it_value.tv_nsec = 0;
	its.it_value.tv_sec = -1;
	ck_assert_int_eq(timer_settime(t, 0, &its, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(timer_settime(t, 0, NULL, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(timer_gettime(t, NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_int_eq(timer_delete(t), 0);
	/* Tagged values no TimerCreate() made. */
	ck_assert_int_eq(timer_delete(bogus), -1);
	ck_assert_int_eq(errno, EINVAL);
	bogus = (timer_t) (uintptr_t) (AXON_TIMER_TAG | 0x100000000ull);
	ck_assert_int_eq(timer_gettime(bogus, &its), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(ChannelDestroy(chid), 0);
}
END_TEST

static Suite *
timer_suite(void)
{
	Suite *s = suite_create("timer");
	TCase *tp = axt_tcase("pulses", 30);
	TCase *ts = axt_tcase("events", 30);
	TCase *tf = axt_tcase("faults", 60);
	TCase *tc = axt_tcase("clocks", 30);
	TCase *tx = axt_tcase("posix", 30);

	tcase_add_test(tp, test_pulse_periodic);
	tcase_add_test(tp, test_pulse_oneshot_abs);
	tcase_add_test(tp, test_pulse_priority_order);
	tcase_add_test(tp, test_pulse_no_overrun);
	tcase_add_test(tp, test_receiver_takes_expiry);
	tcase_add_test(ts, test_signals);
	tcase_add_test(ts, test_sigev_thread_none);
	tcase_add_test(ts, test_errors);
	tcase_add_test(ts, test_alarm);
	tcase_add_test(tf, test_channel_destroyed);
	tcase_add_test(tf, test_remote_coid);
	tcase_add_test(tf, test_fork);
	tcase_add_test(tf, test_many);
	tcase_add_test(tc, test_clock_cycles);
	tcase_add_test(tc, test_clock_time);
	tcase_add_test(tc, test_clock_unprivileged);
	suite_add_tcase(s, tp);
	suite_add_tcase(s, ts);
	suite_add_tcase(s, tf);
	suite_add_tcase(s, tc);
	tcase_add_test(tx, test_posix_pulse_periodic);
	tcase_add_test(tx, test_posix_oneshot);
	tcase_add_test(tx, test_posix_mixed);
	tcase_add_test(tx, test_posix_errors);
	suite_add_tcase(s, tx);
	return s;
}

int
main(void)
{
	return axt_run(timer_suite());
}
