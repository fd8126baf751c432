/* SPDX-License-Identifier: MIT */
/*
 * Dead mutexes (SyncMutexEvent(), SyncMutexRevive(); SyncTypeCreate(3),
 * "Dead mutexes"): a pthread mutex in memory shared with a child that
 * dies holding it goes DEAD; the registered event comes once (a pulse
 * carrying the mutex's address, or a signal); the reviver owns it
 * locked and the waiters stay blocked until it unlocks; a mutex that
 * is not dead, of a kind these calls do not take, or not there, gets an
 * error; an event unregistered is not delivered.
 */
#include "axon_test.h"

#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>

struct shared {
	pthread_mutex_t m;
	int waiter_got;
};

static struct shared *
shared_mutex(int type)
{
	struct shared *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t a;

	ck_assert_ptr_ne(s, MAP_FAILED);
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_settype(&a, type);
	ck_assert_int_eq(pthread_mutex_init(&s->m, &a), 0);
	pthread_mutexattr_destroy(&a);
	return s;
}

/* A child that locks the mutex and ends holding it. */
static pid_t
die_holding(struct shared *s)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		_exit(pthread_mutex_lock(&s->m) == 0 ? 0 : 1);
	}
	return pid;
}

/* A pulse within seconds: its code, value in *value; -1 for none. */
static int
pulse_within(int chid, double seconds, void **value)
{
	uint64_t ns = (uint64_t) (seconds * 1e9);
	struct _pulse p;

	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &ns, NULL);
	if (MsgReceivePulse(chid, &p, sizeof(p), NULL) < 0) {
		return -1;
	}
	*value = p.value.sival_ptr;
	return p.code;
}

START_TEST(test_dead_and_revived)
{
	struct shared *s = shared_mutex(PTHREAD_MUTEX_NORMAL);
	int chid = ChannelCreate(_NTO_CHF_PRIVATE);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct sigevent ev;
	void *v = NULL;
	int st;

	SIGEV_PULSE_PTR_INIT(&ev, coid, 10, 5, &s->m);
	ck_assert_int_eq(SyncMutexEvent(&s->m, &ev), 0);
	/* Not dead: free, then held by a live thread. */
	ck_assert_int_eq(SyncMutexRevive(&s->m), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pthread_mutex_lock(&s->m), 0);
	ck_assert_int_eq(SyncMutexRevive_r(&s->m), -EINVAL);
	ck_assert_int_eq(pthread_mutex_unlock(&s->m), 0);

	pid_t pid = die_holding(s);

	ck_assert_int_eq(pulse_within(chid, 5, &v), 5);
	ck_assert_ptr_eq(v, &s->m);
	/* Once per death. */
	ck_assert_int_eq(pulse_within(chid, 0.2, &v), -1);
	ck_assert_int_eq(pthread_mutex_trylock(&s->m), EBUSY);
	ck_assert_int_eq(SyncMutexRevive_r(&s->m), 0);
	ck_assert_int_eq(SyncMutexRevive_r(&s->m), -EINVAL); /* ours now */
	ck_assert_int_eq(pthread_mutex_unlock(&s->m), 0);
	ck_assert_int_eq(pthread_mutex_lock(&s->m), 0);
	ck_assert_int_eq(pthread_mutex_unlock(&s->m), 0);
	ck_assert_int_eq(axt_waitpid(pid, 5), 0); /* reaped only now */
	(void) st;

	/* Dies again, after the revive: the event comes again. */
	pid = die_holding(s);
	ck_assert_int_eq(axt_waitpid(pid, 5), 0);
	ck_assert_int_eq(pulse_within(chid, 5, &v), 5);
	ck_assert_int_eq(SyncMutexRevive(&s->m), 0);
	ck_assert_int_eq(pthread_mutex_unlock(&s->m), 0);

	/* Unregistered: nothing comes. */
	ck_assert_int_eq(SyncMutexEvent(&s->m, NULL), 0);
	pid = die_holding(s);
	ck_assert_int_eq(axt_waitpid(pid, 5), 0);
	ck_assert_int_eq(pulse_within(chid, 0.3, &v), -1);
	ck_assert_int_eq(SyncMutexRevive(&s->m), 0); /* still DEAD */
	ck_assert_int_eq(pthread_mutex_unlock(&s->m), 0);
	ConnectDetach(coid);
	ChannelDestroy(chid);
	munmap(s, sizeof(*s));
}
END_TEST

START_TEST(test_waiters_keep_waiting)
{
	struct shared *s = shared_mutex(PTHREAD_MUTEX_RECURSIVE);
	int chid = ChannelCreate(_NTO_CHF_PRIVATE);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct sigevent ev;
	void *v;

	SIGEV_PULSE_INIT(&ev, coid, 10, 7, 0);
	ck_assert_int_eq(SyncMutexEvent(&s->m, &ev), 0);
	pid_t holder = die_holding(s);

	ck_assert_int_eq(axt_waitpid(holder, 5), 0);
	pid_t waiter = fork();

	ck_assert_int_ge(waiter, 0);
	if (waiter == 0) {
		int rc = pthread_mutex_lock(&s->m);

		s->waiter_got = rc == 0 ? 1 : -1;
		pthread_mutex_unlock(&s->m);
		_exit(0);
	}
	ck_assert_int_eq(pulse_within(chid, 5, &v), 7);
	ck_assert(axt_wait_futex(waiter)); /* blocked in it */
	ck_assert_int_eq(SyncMutexRevive(&s->m), 0);
	axt_sleep_ms(50);
	ck_assert_int_eq(s->waiter_got, 0); /* still waiting */
	/* Recursive: the revive is one lock, one unlock frees it. */
	ck_assert_int_eq(pthread_mutex_lock(&s->m), 0);
	ck_assert_int_eq(pthread_mutex_unlock(&s->m), 0);
	ck_assert_int_eq(pthread_mutex_unlock(&s->m), 0);
	ck_assert_int_eq(axt_waitpid(waiter, 5), 0);
	ck_assert_int_eq(s->waiter_got, 1);
	ConnectDetach(coid);
	ChannelDestroy(chid);
	munmap(s, sizeof(*s));
}
END_TEST

static volatile sig_atomic_t got_sig;
static void *volatile got_ptr;

static void
on_usr1(int sig, siginfo_t *si, void *ctx)
{
	(void) ctx;
	got_sig = sig;
	got_ptr = si->si_value.sival_ptr;
}

START_TEST(test_signal_event)
{
	struct shared *s = shared_mutex(PTHREAD_MUTEX_ERRORCHECK);
	struct sigaction sa;
	struct sigevent ev;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	SIGEV_SIGNAL_VALUE_INIT(&ev, SIGUSR1, &s->m);
	ck_assert_int_eq(SyncMutexEvent_r(&s->m, &ev), 0);
	pid_t pid = die_holding(s);

	ck_assert_int_eq(axt_waitpid(pid, 5), 0);
	for (int i = 0; i < 500 && got_sig == 0; i++) {
		axt_sleep_ms(10);
	}
	ck_assert_int_eq(got_sig, SIGUSR1);
	ck_assert_ptr_eq(got_ptr, &s->m);
	/* Error-checking: the reviver is the owner the unlock checks (it
	 * would be EPERM for another), and the unlock frees it. */
	ck_assert_int_eq(SyncMutexRevive(&s->m), 0);
	ck_assert_int_eq(pthread_mutex_unlock(&s->m), 0);
	ck_assert_int_eq(pthread_mutex_trylock(&s->m), 0);
	ck_assert_int_eq(pthread_mutex_unlock(&s->m), 0);
	ck_assert_int_eq(SyncMutexEvent(&s->m, NULL), 0);
	munmap(s, sizeof(*s));
}
END_TEST

START_TEST(test_errors)
{
	pthread_mutex_t robust, pi;
	pthread_mutexattr_t a;
	struct sigevent ev;

	SIGEV_NONE_INIT(&ev);
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&robust, &a);
	pthread_mutexattr_destroy(&a);
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&pi, &a);
	pthread_mutexattr_destroy(&a);

	/* Robust and priority-inheritance mutexes: not these calls'. */
	ck_assert_int_eq(SyncMutexEvent_r(&robust, &ev), -EINVAL);
	ck_assert_int_eq(SyncMutexEvent_r(&pi, &ev), -EINVAL);
	ck_assert_int_eq(SyncMutexRevive_r(&robust), -EINVAL);
	/* Not there. */
	ck_assert_int_eq(SyncMutexEvent_r(NULL, &ev), -EFAULT);
	ck_assert_int_eq(SyncMutexRevive(NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
	void *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(gone, MAP_FAILED);
	munmap(gone, 4096);
	ck_assert_int_eq(SyncMutexEvent_r(gone, &ev), -EFAULT);
	ck_assert_int_eq(SyncMutexRevive_r(gone), -EFAULT);
	/* An event that makes no sense here. */
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

	SIGEV_UNBLOCK_INIT(&ev);
	errno = 0;
	ck_assert_int_eq(SyncMutexEvent(&m, &ev), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* errno kept by the _r forms. */
	errno = 99;
	ck_assert_int_eq(SyncMutexRevive_r(&m), -EINVAL);
	ck_assert_int_eq(errno, 99);
}
END_TEST

static volatile sig_atomic_t usr2;

static void
on_usr2(int sig)
{
	(void) sig;
	usr2++;
}

START_TEST(test_unmapped_registration)
{
	struct shared *s = shared_mutex(PTHREAD_MUTEX_NORMAL);
	struct sigevent ev;
	pid_t dead = fork();

	/* A thread id that no longer exists. */
	ck_assert_int_ge(dead, 0);
	if (dead == 0) {
		_exit(0);
	}
	ck_assert_int_eq(axt_waitpid(dead, 5), 0);

	/* Registered, then unmapped without unregistering: the watcher
	 * drops it (no fault).  Memory mapped at the same place later,
	 * holding what looks like a mutex locked by a dead thread, is then
	 * no registered mutex: no event. */
	SIGEV_SIGNAL_INIT(&ev, SIGUSR2);
	signal(SIGUSR2, on_usr2);
	ck_assert_int_eq(SyncMutexEvent(&s->m, &ev), 0);
	munmap(s, sizeof(*s));
	axt_sleep_ms(200); /* ten looks of the watcher */
	struct shared *again = mmap(s, sizeof(*s), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	ck_assert_ptr_eq(again, s);
	again->m.__data.__lock = 1;
	again->m.__data.__owner = dead;
	axt_sleep_ms(200);
	ck_assert_int_eq(usr2, 0);
	/* The same, registered: the event comes (the test can fail). */
	ck_assert_int_eq(SyncMutexEvent(&again->m, &ev), 0);
	for (int i = 0; i < 500 && usr2 == 0; i++) {
		axt_sleep_ms(10);
	}
	ck_assert_int_eq(usr2, 1);
	ck_assert_int_eq(SyncMutexEvent(&again->m, NULL), 0);
	munmap(again, sizeof(*again));
}
END_TEST

/* A live owner is never taken for dead, even where /proc does not show
 * it (not mounted, hidepid, another user's): here a tmpfs over /proc in
 * a mount namespace of the child's own. */
static void *
holder_thread(void *arg)
{
	pthread_mutex_t *m = arg;

	pthread_mutex_lock(m);
	pause();
	return NULL;
}

static void
hidden_proc(int fd, void *arg)
{
	static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_t th;

	(void) arg;
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("none", "/proc", "tmpfs", 0, NULL) < 0) {
		axt_report(fd, -1000);
		return;
	}
	pthread_create(&th, NULL, holder_thread, &m);
	while (pthread_mutex_trylock(&m) == 0) {
		pthread_mutex_unlock(&m);
		usleep(1000);
	}
	axt_report(fd, SyncMutexRevive_r(&m));
}

START_TEST(test_live_owner_hidden)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test_live_owner_hidden: skipped: needs root "
				"(a mount namespace)\n");
		return;
	}
	struct axt_child c = axt_spawn(hidden_proc, NULL);

	if (c.val == -1000) {
		fprintf(stderr, "test_live_owner_hidden: skipped: no mount "
				"namespace here\n");
	} else {
		ck_assert_int_eq(c.val, -EINVAL);
	}
	axt_child_kill(&c);
}
END_TEST

static Suite *
deadmutex_suite(void)
{
	Suite *s = suite_create("deadmutex");
	TCase *t = axt_tcase("deadmutex", 30);

	tcase_add_checked_fixture(t, axt_setup, axt_teardown);
	tcase_add_test(t, test_dead_and_revived);
	tcase_add_test(t, test_waiters_keep_waiting);
	tcase_add_test(t, test_signal_event);
	tcase_add_test(t, test_errors);
	tcase_add_test(t, test_unmapped_registration);
	tcase_add_test(t, test_live_owner_hidden);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(deadmutex_suite());
}
