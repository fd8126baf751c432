/* SPDX-License-Identifier: MIT */
/*
 * QNX's Sync* kernel calls on futexes (SyncTypeCreate(3)): mutexes with
 * priority inheritance, condition variables and semaphores, within a
 * process and in memory shared between processes; TimerTimeout's MUTEX,
 * CONDVAR and SEM states; and every error.  Every wait is bounded.
 */
#include "axon_test.h"

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define MS 1000000ull

static pid_t
tid(void)
{
	return (pid_t) syscall(SYS_gettid);
}

/* ---- mutexes ---------------------------------------------------------- */

START_TEST(test_mutex_basics)
{
	sync_t m = _NTO_SYNC_MUTEX_INITIALIZER;
	sync_t n;
	struct _sync_attr a = {.__protocol = PTHREAD_PRIO_INHERIT};

	/* A static initializer works without SyncTypeCreate. */
	ck_assert_int_eq(SyncMutexLock(&m), 0);
	ck_assert_uint_eq(m.__owner & ~_NTO_SYNC_WAITING, (unsigned) tid());
	ck_assert_int_eq(SyncMutexLock(&m), -1);
	ck_assert_int_eq(errno, EDEADLK);
	ck_assert_int_eq(SyncMutexUnlock(&m), 0);
	ck_assert_uint_eq(m.__owner, 0);
	ck_assert_int_eq(SyncMutexUnlock_r(&m), -EPERM);
	ck_assert_int_eq(SyncDestroy(&m), 0);
	ck_assert_int_eq(SyncMutexLock_r(&m), -EINVAL);
	ck_assert_int_eq(SyncDestroy_r(&m), -EINVAL);

	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_MUTEX_FREE, &n, &a), 0);
	ck_assert_int_eq(SyncMutexLock(&n), 0);
	ck_assert_int_eq(SyncMutexUnlock(&n), 0);
	ck_assert_int_eq(SyncTypeDestroy_r(_NTO_SYNC_SEM, &n), -EINVAL);
	ck_assert_int_eq(SyncTypeDestroy(_NTO_SYNC_MUTEX_FREE, &n), 0);

	/* Its owner may destroy a locked mutex (QNX 7: "only if you're its
	 * owner"). */
	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_MUTEX_FREE, &n, NULL), 0);
	ck_assert_int_eq(SyncMutexLock(&n), 0);
	ck_assert_int_eq(SyncDestroy(&n), 0);
	ck_assert_int_eq(SyncMutexUnlock_r(&n), -EINVAL);
}
END_TEST

struct counter {
	sync_t m;
	long n;
};

static void *
count_up(void *p)
{
	struct counter *c = p;

	for (int i = 0; i < 20000; i++) {
		if (SyncMutexLock(&c->m) != 0) {
			return (void *) 1;
		}
		c->n++;
		if (SyncMutexUnlock(&c->m) != 0) {
			return (void *) 1;
		}
	}
	return NULL;
}

/* Contended: nothing lost, and the word ends free. */
START_TEST(test_mutex_contended)
{
	struct counter c = {.n = 0};
	pthread_t t[4];
	void *r;

	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_MUTEX_FREE, &c.m, NULL), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_create(&t[i], NULL, count_up, &c), 0);
	}
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &r), 0);
		ck_assert_ptr_null(r);
	}
	ck_assert_int_eq(c.n, 4 * 20000);
	ck_assert_uint_eq(c.m.__owner, 0);
}
END_TEST

struct holder {
	sync_t *m;
	atomic_int state; /* 1 holding, 2 told to let go, 3 done */
	pid_t tid;
	int rc;
};

static void *
hold(void *p)
{
	struct holder *h = p;

	h->tid = tid();
	h->rc = SyncMutexLock(h->m);
	atomic_store(&h->state, 1);
	while (atomic_load(&h->state) != 2) {
		usleep(1000);
	}
	if (SyncMutexUnlock(h->m) != 0) {
		h->rc = -1;
	}
	atomic_store(&h->state, 3);
	return NULL;
}

static void
wait_state(atomic_int *s, int want)
{
	for (int i = 0; i < 5000 && atomic_load(s) != want; i++) {
		usleep(1000);
	}
	ck_assert_int_eq(atomic_load(s), want);
}

/* Another thread's mutex: unlocking it is EPERM; TimerTimeout's MUTEX
 * state bounds the wait, immediately or after a while. */
START_TEST(test_mutex_timeout)
{
	sync_t m;
	struct holder h = {.m = &m};
	uint64_t t50 = 50 * MS;
	double t0;
	pthread_t t;

	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_MUTEX_FREE, &m, NULL), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, hold, &h), 0);
	wait_state(&h.state, 1);
	ck_assert_int_eq(h.rc, 0);
	ck_assert_int_eq(SyncMutexUnlock_r(&m), -EPERM);
	ck_assert_int_eq(SyncDestroy_r(&m), -EBUSY); /* another's lock */

	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_MUTEX,
			     NULL, NULL, NULL),
	    0);
	ck_assert_int_eq(SyncMutexLock_r(&m), -ETIMEDOUT);

	t0 = axt_now();
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_MUTEX,
			     NULL, &t50, NULL),
	    0);
	ck_assert_int_eq(SyncMutexLock(&m), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert(axt_now() - t0 >= 0.045);

	/* Another state does not bound it, and is used up by it. */
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND,
			     NULL, &t50, NULL),
	    0);
	atomic_store(&h.state, 2);
	ck_assert_int_eq(SyncMutexLock(&m), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(h.rc, 0);
	ck_assert_int_eq(SyncMutexUnlock(&m), 0);
}
END_TEST

/* The effective priority of thread t (/proc: -1 - rtprio for real-time
 * threads), which priority inheritance raises. */
static int
effective_rtprio(pid_t t)
{
	char path[64], buf[512];
	FILE *f;
	int prio = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int) t);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	char *p = strrchr(buf, ')');
	ck_assert_ptr_nonnull(p);
	/* Field 18 (priority) is the 16th after the command. */
	for (int i = 0; i < 16 && p != NULL; i++) {
		p = strchr(p + 1, ' ');
	}
	ck_assert_ptr_nonnull(p);
	prio = atoi(p + 1);
	return prio < 0 ? -1 - prio : 0;
}

static int
start_fifo(pthread_t *t, int prio, void *(*fn)(void *), void *arg)
{
	struct sched_param sp = {.sched_priority = prio};
	pthread_attr_t attr;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
	pthread_attr_setschedparam(&attr, &sp);
	rc = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return rc;
}

static void *
lock_once(void *p)
{
	struct holder *h = p;

	h->tid = tid();
	atomic_store(&h->state, 1);
	h->rc = SyncMutexLock(h->m);
	if (h->rc == 0) {
		h->rc = SyncMutexUnlock(h->m);
	}
	atomic_store(&h->state, 3);
	return NULL;
}

/* A SCHED_FIFO 30 waiter raises a FIFO 10 owner to 30 until it lets go
 * (Linux's PI futexes, as QNX's mutexes inherit). */
START_TEST(test_mutex_priority_inheritance)
{
	sync_t m;
	struct holder low = {.m = &m}, high = {.m = &m};
	pthread_t tl, th;

	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_MUTEX_FREE, &m, NULL), 0);
	if (start_fifo(&tl, 10, hold, &low) != 0) {
		fprintf(stderr, "test_mutex_priority_inheritance: skipped, no "
				"real-time priorities here\n");
		return;
	}
	wait_state(&low.state, 1);
	ck_assert_int_eq(effective_rtprio(low.tid), 10);
	ck_assert_int_eq(start_fifo(&th, 30, lock_once, &high), 0);
	wait_state(&high.state, 1);
	for (int i = 0; i < 2000 && effective_rtprio(low.tid) != 30; i++) {
		usleep(1000);
	}
	ck_assert_int_eq(effective_rtprio(low.tid), 30);
	ck_assert(m.__owner & _NTO_SYNC_WAITING);
	atomic_store(&low.state, 2);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(pthread_join(tl, NULL), 0);
	ck_assert_int_eq(high.rc, 0);
	ck_assert_int_eq(low.rc, 0);
	ck_assert_uint_eq(m.__owner, 0);
}
END_TEST

static void *
lock_and_leave(void *p)
{
	sync_t *m = p;

	return (void *) (intptr_t) SyncMutexLock(m);
}

/* A thread that ends holding the mutex: the next locker is told, not
 * left waiting for ever. */
START_TEST(test_mutex_owner_died)
{
	sync_t m;
	uint64_t t2 = 2000 * MS;
	pthread_t t;
	void *r;
	int rc;

	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_MUTEX_FREE, &m, NULL), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, lock_and_leave, &m), 0);
	ck_assert_int_eq(pthread_join(t, &r), 0);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_MUTEX,
			     NULL, &t2, NULL),
	    0);
	rc = SyncMutexLock_r(&m);
	ck_assert_msg(rc == -EOWNERDEAD, "lock of a dead owner's mutex: %d",
	    rc);
}
END_TEST

/* ---- condition variables ---------------------------------------------- */

struct cv {
	sync_t m, c;
	int ready;
	atomic_int woke;
};

static void *
cv_waiter(void *p)
{
	struct cv *v = p;
	int rc = 0;

	SyncMutexLock(&v->m);
	while (!v->ready && rc == 0) {
		rc = SyncCondvarWait(&v->c, &v->m);
	}
	SyncMutexUnlock(&v->m);
	atomic_fetch_add(&v->woke, 1);
	return (void *) (intptr_t) rc;
}

START_TEST(test_condvar)
{
	struct cv v = {.ready = 0};
	uint64_t t30 = 30 * MS;
	pthread_t t[3];
	void *r;

	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_MUTEX_FREE, &v.m, NULL), 0);
	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_COND, &v.c, NULL), 0);
	/* A signal with nobody waiting is lost, as it should be. */
	ck_assert_int_eq(SyncCondvarSignal(&v.c, 0), 0);

	/* A timed wait: ETIMEDOUT, with the mutex held again. */
	ck_assert_int_eq(SyncMutexLock(&v.m), 0);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_CONDVAR,
			     NULL, &t30, NULL),
	    0);
	ck_assert_int_eq(SyncCondvarWait_r(&v.c, &v.m), -ETIMEDOUT);
	ck_assert_uint_eq(v.m.__owner & ~_NTO_SYNC_WAITING, (unsigned) tid());
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_CONDVAR,
			     NULL, NULL, NULL),
	    0);
	ck_assert_int_eq(SyncCondvarWait_r(&v.c, &v.m), -ETIMEDOUT);
	ck_assert_int_eq(SyncMutexUnlock(&v.m), 0);
	/* Without the mutex: EPERM. */
	ck_assert_int_eq(SyncCondvarWait_r(&v.c, &v.m), -EPERM);

	/* Broadcast wakes every waiter. */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(pthread_create(&t[i], NULL, cv_waiter, &v), 0);
	}
	axt_sleep_ms(50);
	ck_assert_int_eq(atomic_load(&v.woke), 0);
	ck_assert_int_eq(SyncMutexLock(&v.m), 0);
	v.ready = 1;
	ck_assert_int_eq(SyncCondvarSignal(&v.c, 1), 0);
	ck_assert_int_eq(SyncMutexUnlock(&v.m), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(pthread_join(t[i], &r), 0);
		ck_assert_ptr_null(r);
	}
	ck_assert_int_eq(atomic_load(&v.woke), 3);
	ck_assert_int_eq(SyncTypeDestroy(_NTO_SYNC_COND, &v.c), 0);
	ck_assert_int_eq(SyncCondvarSignal_r(&v.c, 0), -EINVAL);
}
END_TEST

struct tokens {
	sync_t m, c;
	int tokens, entered;
	atomic_int done, einval;
};

static void *
token_taker(void *p)
{
	struct tokens *k = p;
	int rc = 0;

	SyncMutexLock(&k->m);
	k->entered++;
	while (k->tokens == 0 && rc == 0) {
		rc = SyncCondvarWait(&k->c, &k->m);
	}
	if (rc == 0) {
		k->tokens--;
		atomic_fetch_add(&k->done, 1);
	} else if (rc == -1 && errno == EINVAL) {
		atomic_fetch_add(&k->einval, 1);
	}
	SyncMutexUnlock(&k->m);
	return NULL;
}

static void
wait_entered(struct tokens *k, int n)
{
	for (int i = 0; i < 5000; i++) {
		int e;

		SyncMutexLock(&k->m);
		e = k->entered;
		SyncMutexUnlock(&k->m);
		if (e == n) {
			return;
		}
		usleep(1000);
	}
	ck_abort_msg("the waiters never waited");
}

/* One signal lets exactly one waiter through, a broadcast the rest;
 * destroying the condvar releases its waiters with EINVAL. */
START_TEST(test_condvar_signal_one_and_destroy)
{
	struct tokens k = {.tokens = 0};
	pthread_t t[3];

	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_MUTEX_FREE, &k.m, NULL), 0);
	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_COND, &k.c, NULL), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(pthread_create(&t[i], NULL, token_taker, &k),
		    0);
	}
	wait_entered(&k, 3);
	SyncMutexLock(&k.m);
	k.tokens = 1;
	ck_assert_int_eq(SyncCondvarSignal(&k.c, 0), 0);
	SyncMutexUnlock(&k.m);
	for (int i = 0; i < 2000 && atomic_load(&k.done) < 1; i++) {
		usleep(1000);
	}
	axt_sleep_ms(50);
	ck_assert_int_eq(atomic_load(&k.done), 1);
	SyncMutexLock(&k.m);
	ck_assert_int_eq(k.tokens, 0);
	SyncMutexUnlock(&k.m);
	/* The two left: destroyed under them. */
	ck_assert_int_eq(SyncDestroy(&k.c), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	}
	ck_assert_int_eq(atomic_load(&k.einval), 2);
	ck_assert_uint_eq(k.m.__owner, 0);
}
END_TEST

/* ---- semaphores ------------------------------------------------------- */

static void *
sem_waiter(void *p)
{
	return (void *) (intptr_t) SyncSemWait_r(p, 0);
}

START_TEST(test_semaphore)
{
	sync_t s = {.__count = 2};
	uint64_t t30 = 30 * MS;
	pthread_t t;
	void *r;

	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_SEM, &s, NULL), 0);
	ck_assert_int_eq(SyncSemWait(&s, 1), 0);
	ck_assert_int_eq(SyncSemWait(&s, 1), 0);
	ck_assert_int_eq(SyncSemWait(&s, 1), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEM, NULL,
			     &t30, NULL),
	    0);
	ck_assert_int_eq(SyncSemWait_r(&s, 0), -ETIMEDOUT);

	ck_assert_int_eq(pthread_create(&t, NULL, sem_waiter, &s), 0);
	axt_sleep_ms(30);
	ck_assert_int_eq(SyncSemPost(&s), 0);
	ck_assert_int_eq(pthread_join(t, &r), 0);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(s.__count, 0);

	/* Destroyed under a waiter: it wakes with EINVAL. */
	ck_assert_int_eq(pthread_create(&t, NULL, sem_waiter, &s), 0);
	axt_sleep_ms(30);
	ck_assert_int_eq(SyncDestroy(&s), 0);
	ck_assert_int_eq(pthread_join(t, &r), 0);
	ck_assert_int_eq((int) (intptr_t) r, -EINVAL);
	s.__count = 0;
	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_SEM, &s, NULL), 0);

	s.__count = INT_MAX;
	ck_assert_int_eq(SyncSemPost_r(&s), -EOVERFLOW);
	ck_assert_int_eq(SyncDestroy(&s), 0);
	ck_assert_int_eq(SyncSemPost_r(&s), -EINVAL);
	ck_assert_int_eq(SyncSemWait_r(&s, 1), -EINVAL);
}
END_TEST

/* ---- between processes ------------------------------------------------ */

/* A semaphore and a mutex in shared memory work between a parent and a
 * child, as QNX's do. */
START_TEST(test_shared_between_processes)
{
	struct {
		sync_t sem, m;
		int seen;
	} *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t t5 = 5000 * MS;
	int status;
	pid_t kid;

	ck_assert_ptr_ne(sh, MAP_FAILED);
	sh->sem.__count = 0;
	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_SEM, &sh->sem, NULL), 0);
	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_MUTEX_FREE, &sh->m, NULL), 0);
	ck_assert_int_eq(SyncMutexLock(&sh->m), 0);
	kid = fork();
	if (kid == 0) {
		alarm(10);
		/* Blocks until the parent lets go, then posts. */
		if (SyncMutexLock(&sh->m) != 0) {
			_exit(1);
		}
		sh->seen = 1;
		SyncMutexUnlock(&sh->m);
		_exit(SyncSemPost(&sh->sem) == 0 ? 0 : 2);
	}
	ck_assert_int_gt(kid, 0);
	axt_sleep_ms(50);
	ck_assert_int_eq(sh->seen, 0);
	ck_assert_int_eq(SyncMutexUnlock(&sh->m), 0);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEM, NULL,
			     &t5, NULL),
	    0);
	ck_assert_int_eq(SyncSemWait(&sh->sem, 0), 0);
	ck_assert_int_eq(sh->seen, 1);
	ck_assert_int_eq(waitpid(kid, &status, 0), kid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	munmap(sh, 4096);
}
END_TEST

/* ---- errors ----------------------------------------------------------- */

START_TEST(test_errors)
{
	struct _sync_attr pp = {.__protocol = PTHREAD_PRIO_PROTECT};
	struct _sync_attr bad = {.__protocol = 99};
	sync_t s = {.__count = -1};
	sync_t c;

	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_MUTEX_FREE, NULL, NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_int_eq(SyncTypeCreate_r(12345, &c, NULL), -EINVAL);
	ck_assert_int_eq(SyncTypeCreate_r(_NTO_SYNC_MUTEX_FREE, &c, &pp),
	    -ENOTSUP);
	ck_assert_int_eq(SyncTypeCreate_r(_NTO_SYNC_MUTEX_FREE, &c, &bad),
	    -EINVAL);
	ck_assert_int_eq(SyncTypeCreate_r(_NTO_SYNC_SEM, &s, NULL), -EINVAL);
	ck_assert_int_eq(SyncMutexLock_r(NULL), -EFAULT);
	ck_assert_int_eq(SyncMutexUnlock_r(NULL), -EFAULT);
	ck_assert_int_eq(SyncCondvarWait_r(NULL, &c), -EFAULT);
	ck_assert_int_eq(SyncCondvarSignal_r(NULL, 0), -EFAULT);
	ck_assert_int_eq(SyncSemPost_r(NULL), -EFAULT);
	ck_assert_int_eq(SyncSemWait_r(NULL, 1), -EFAULT);
	ck_assert_int_eq(SyncDestroy_r(NULL), -EFAULT);
	ck_assert_int_eq(SyncTypeDestroy_r(_NTO_SYNC_COND, NULL), -EFAULT);

	/* One kind used as another. */
	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_COND, &c, NULL), 0);
	ck_assert_int_eq(SyncMutexLock_r(&c), -EINVAL);
	ck_assert_int_eq(SyncSemPost_r(&c), -EINVAL);
	ck_assert_int_eq(SyncTypeDestroy_r(_NTO_SYNC_MUTEX_FREE, &c), -EINVAL);
	ck_assert_int_eq(SyncTypeCreate(_NTO_SYNC_MUTEX_FREE, &s, NULL), 0);
	ck_assert_int_eq(SyncCondvarSignal_r(&s, 1), -EINVAL);
	ck_assert_int_eq(SyncSemWait_r(&s, 1), -EINVAL);
	ck_assert_int_eq(SyncCondvarWait_r(&c, &c), -EINVAL);
}
END_TEST

static Suite *
sync_suite(void)
{
	Suite *s = suite_create("sync");
	TCase *tc = axt_tcase("sync", 30);

	tcase_add_test(tc, test_mutex_basics);
	tcase_add_test(tc, test_mutex_contended);
	tcase_add_test(tc, test_mutex_timeout);
	tcase_add_test(tc, test_mutex_priority_inheritance);
	tcase_add_test(tc, test_mutex_owner_died);
	tcase_add_test(tc, test_condvar);
	tcase_add_test(tc, test_condvar_signal_one_and_destroy);
	tcase_add_test(tc, test_semaphore);
	tcase_add_test(tc, test_shared_between_processes);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(sync_suite());
}
