/* SPDX-License-Identifier: MIT */
/*
 * __tls() and struct _thread_local_storage (<sys/storage.h>, __tls(3)):
 * each thread's own block, the same for the thread's life, with the
 * thread id Axon uses everywhere (the Linux tid: _msg_info's tid, the
 * procfs devctls), getpid() (the child's after fork(), and after a fork
 * that runs no atfork handler), &errno, the start argument of a thread
 * Axon started, the stack's address; the rest zero.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <sys/storage.h>
#include <sys/procfs.h>
#include <devctl.h>

#include "axon_test.h"

/* Whether every member Linux has no meaning for is zero. */
static bool
rest_zero(const struct _thread_local_storage *t)
{
	return t->__exitfunc == NULL && t->__errval == 0 && t->__flags == 0 &&
	    t->__owner == 0 && t->__reserved1 == 0 && t->__numkeys == 0 &&
	    t->__keydata == NULL && t->__cleanup == NULL &&
	    t->__fpuemu_data == NULL && t->__reserved3 == NULL &&
	    t->__sigaction == NULL;
}

START_TEST(test_main_thread)
{
	struct _thread_local_storage *t = __tls();
	int here;

	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_eq(__tls(), t);
	/* The test runs in its process's main thread, whose tid is the
	 * pid. */
	ck_assert_int_eq(t->__tid, (int) gettid());
	ck_assert_int_eq(t->__tid, (int) getpid());
	ck_assert_int_eq(t->__pid, (int) getpid());
	ck_assert_ptr_eq(t->__errptr, &errno);
	errno = 1234;
	ck_assert_int_eq(*__tls()->__errptr, 1234);
	*t->__errptr = 77;
	ck_assert_int_eq(errno, 77);
	ck_assert_ptr_null(t->__arg);
	/* The stack grows down from above __stackaddr. */
	ck_assert_ptr_nonnull(t->__stackaddr);
	ck_assert((char *) &here > (char *) t->__stackaddr);
	ck_assert(rest_zero(t));
}
END_TEST

#define NTHR 8

struct seen {
	struct _thread_local_storage *t;
	struct _thread_local_storage *again; /* at the thread's end */
	int tid, gettid, pid, tid_again;
	void *arg;
	int *errptr, *errno_addr;
	void *stackaddr;
	bool rest_zero;
};

static struct seen seen[NTHR + 3];
static pthread_barrier_t bar;

/* Records what __tls() shows, waits for every other thread to have
 * done so (all alive at once), and looks again. */
static void *
looker(void *arg)
{
	struct seen *s = &seen[*(int *) arg];
	struct _thread_local_storage *t = __tls();

	s->t = t;
	s->tid = t->__tid;
	s->gettid = (int) gettid();
	s->pid = t->__pid;
	s->arg = t->__arg;
	s->errptr = t->__errptr;
	s->errno_addr = &errno;
	s->stackaddr = t->__stackaddr;
	s->rest_zero = rest_zero(t);
	(void) pthread_barrier_wait(&bar);
	s->again = __tls();
	s->tid_again = s->again->__tid;
	return NULL;
}

static int idx[NTHR + 3];

static pthread_t glibc_thread(int i);

START_TEST(test_threads)
{
	struct _thread_local_storage *mine = __tls();
	pthread_t th[NTHR + 1];
	pthread_attr_t a;
	size_t ssize = 256 * 1024;
	void *stack = aligned_alloc(4096, ssize);
	int tid;

	ck_assert_ptr_nonnull(stack);
	ck_assert_int_eq(pthread_barrier_init(&bar, NULL, NTHR + 3), 0);
	for (int i = 0; i < NTHR + 3; i++) {
		idx[i] = i;
	}
	/* QNX programs' pthread_create (Axon's), one on a stack of ours. */
	for (int i = 0; i < NTHR - 1; i++) {
		ck_assert_int_eq(pthread_create(&th[i], NULL, looker, &idx[i]),
		    0);
	}
	ck_assert_int_eq(pthread_attr_init(&a), 0);
	ck_assert_int_eq(pthread_attr_setstack(&a, stack, ssize), 0);
	ck_assert_int_eq(
	    pthread_create(&th[NTHR - 1], &a, looker, &idx[NTHR - 1]), 0);
	(void) pthread_attr_destroy(&a);
	/* ThreadCreate()'s, and one glibc's pthread_create() started. */
	tid = ThreadCreate(0, looker, &idx[NTHR], NULL);
	ck_assert_int_gt(tid, 0);
	th[NTHR] = glibc_thread(NTHR + 1);
	(void) pthread_barrier_wait(&bar);
	for (int i = 0; i < NTHR; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	}
	ck_assert_int_eq(ThreadJoin(tid, NULL), 0);
	ck_assert_int_eq(pthread_join(th[NTHR], NULL), 0);

	for (int i = 0; i < NTHR + 2; i++) {
		struct seen *s = &seen[i];

		ck_assert_ptr_nonnull(s->t);
		ck_assert_ptr_eq(s->again, s->t); /* for the thread's life */
		ck_assert_ptr_ne(s->t, mine);
		ck_assert_int_eq(s->tid, s->gettid);
		ck_assert_int_eq(s->tid_again, s->tid);
		ck_assert_int_ne(s->tid, mine->__tid);
		ck_assert_int_eq(s->pid, (int) getpid());
		ck_assert_ptr_eq(s->errptr, s->errno_addr);
		ck_assert_ptr_ne(s->errptr, &errno);
		ck_assert_ptr_nonnull(s->stackaddr);
		for (int j = 0; j < i; j++) {
			ck_assert_int_ne(s->tid, seen[j].tid);
			ck_assert_ptr_ne(s->t, seen[j].t);
		}
		if (i < NTHR + 1) {
			/* Started by Axon: its argument. */
			ck_assert_ptr_eq(s->arg, &idx[i]);
		} else {
			ck_assert_ptr_null(s->arg);
		}
		ck_assert(s->rest_zero);
	}
	ck_assert_ptr_eq(seen[NTHR - 1].stackaddr, stack);
	ck_assert_int_eq(seen[NTHR].tid, tid); /* ThreadCreate()'s id */
	(void) pthread_barrier_destroy(&bar);
	free(stack);
}
END_TEST

/* What a forked child checks, exiting 0 or the number of the first
 * check that failed.  held is the pointer the parent's thread had. */
static int
child_checks(struct _thread_local_storage *held)
{
	struct _thread_local_storage *t = __tls();

	if (t != held) {
		return 10;
	}
	/* The child's only thread is its main one: tid == pid. */
	if (t->__pid != (int) getpid() || t->__tid != (int) getpid() ||
	    t->__tid != (int) gettid()) {
		return 11;
	}
	if (t->__errptr != &errno) {
		return 12;
	}
	return 0;
}

/* A pointer held across fork() is the child's, updated (the atfork
 * handler), before the child calls __tls() again. */
static int
child_held_checks(struct _thread_local_storage *held)
{
	if (held->__pid != (int) getpid()) {
		return 20;
	}
	if (held->__tid != (int) getpid()) {
		return 21;
	}
	return child_checks(held);
}

static void
fork_and_check(bool raw)
{
	struct _thread_local_storage *t = __tls();
	int ppid = t->__pid, ptid = t->__tid;
	pid_t pid;
	int st;

	/* _Fork() runs no atfork handler: only the call's own check can
	 * tell the child. */
	pid = raw ? _Fork() : fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		_exit(raw ? child_checks(t) : child_held_checks(t));
	}
	st = axt_waitpid(pid, 10);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "child failed check %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	/* The parent's block is untouched. */
	ck_assert_int_eq(__tls()->__pid, ppid);
	ck_assert_int_eq(t->__tid, ptid);
}

START_TEST(test_fork)
{
	fork_and_check(false);
}
END_TEST

START_TEST(test_fork_no_handlers)
{
	fork_and_check(true);
}
END_TEST

static void *
fork_from_thread(void *arg)
{
	(void) arg;
	ck_assert_int_ne(__tls()->__tid, (int) getpid());
	fork_and_check(false);
	fork_and_check(true);
	return NULL;
}

/* A thread other than main forks: in the child it is the main thread,
 * its tid the child's pid. */
START_TEST(test_fork_from_thread)
{
	pthread_t th;

	ck_assert_int_eq(pthread_create(&th, NULL, fork_from_thread, NULL),
	    0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
}
END_TEST

/* The ids are the ones the rest of Axon uses: a sender's __tid and
 * __pid are what the server's MsgReceive() reports, and __tid names
 * the thread to DCMD_PROC_TIDSTATUS. */
struct sender {
	int chid;
	int tid, pid;
};

static void *
sender_main(void *arg)
{
	struct sender *s = arg;
	int coid = ConnectAttach(0, 0, s->chid, _NTO_SIDE_CHANNEL, 0);
	int msg[2];

	ck_assert_int_ge(coid, 0);
	s->tid = __tls()->__tid;
	s->pid = __tls()->__pid;
	msg[0] = s->tid;
	msg[1] = s->pid;
	ck_assert_int_eq(MsgSend(coid, msg, sizeof(msg), NULL, 0), 0);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	return NULL;
}

START_TEST(test_matches_axon_ids)
{
	struct sender s = {0};
	struct _msg_info info;
	procfs_status st;
	pthread_t th;
	rcvid_t rcvid;
	int msg[2];
	int fd;

	s.chid = ChannelCreate(0);
	ck_assert_int_gt(s.chid, 0);
	ck_assert_int_eq(pthread_create(&th, NULL, sender_main, &s), 0);
	rcvid = MsgReceive(s.chid, msg, sizeof(msg), &info);
	ck_assert_int_gt(rcvid, 0);
	ck_assert_int_eq(info.tid, msg[0]);
	ck_assert_int_eq(info.pid, msg[1]);
	ck_assert_int_eq(info.pid, getpid());
	/* The sender is blocked in its MsgSend: still there to ask about. */
	fd = open("/proc/self", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	memset(&st, 0, sizeof(st));
	st.tid = msg[0];
	ck_assert_int_eq(
	    devctl(fd, DCMD_PROC_TIDSTATUS, &st, sizeof(st), NULL), EOK);
	ck_assert_int_eq(st.tid, msg[0]);
	memset(&st, 0, sizeof(st));
	st.tid = __tls()->__tid;
	ck_assert_int_eq(
	    devctl(fd, DCMD_PROC_TIDSTATUS, &st, sizeof(st), NULL), EOK);
	ck_assert_int_eq(st.tid, __tls()->__tid);
	ck_assert_uint_eq(st.state, STATE_RUNNING);
	(void) close(fd);
	ck_assert_int_eq(MsgReply(rcvid, 0, NULL, 0), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(s.tid, msg[0]);
	ck_assert_int_eq(ChannelDestroy(s.chid), 0);
}
END_TEST

static Suite *
storage_suite(void)
{
	Suite *s = suite_create("storage");
	TCase *t = axt_tcase("storage", 20);

	tcase_add_test(t, test_main_thread);
	tcase_add_test(t, test_threads);
	tcase_add_test(t, test_fork);
	tcase_add_test(t, test_fork_no_handlers);
	tcase_add_test(t, test_fork_from_thread);
	tcase_add_test(t, test_matches_axon_ids);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(storage_suite());
}

/* glibc's own pthread_create(), which a library built without Axon's
 * flags calls: no start argument is known for its threads. */
#undef pthread_create
static pthread_t
glibc_thread(int i)
{
	pthread_t th;

	ck_assert_int_eq(pthread_create(&th, NULL, looker, &idx[i]), 0);
	return th;
}
