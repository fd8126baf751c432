/* SPDX-License-Identifier: MIT */
/*
 * A mutex whose owner died (SyncTypeCreate(3), "Dead mutexes"): QNX's
 * SyncMutexEvent() asks the kernel for an event when a mutex goes DEAD,
 * its owner's process having ended while holding it (a mutex in memory
 * shared between processes), and SyncMutexRevive() hands a DEAD mutex to
 * the caller, locked, with the waiters still waiting for it.
 *
 * A QNX program's mutexes are its pthread mutexes (QNX's pthread_mutex_t
 * is its sync_t), so under Axon these calls take glibc's
 * pthread_mutex_t: its lock word and its owner's thread id
 * (__data.__lock, __data.__owner, which glibc keeps for every kind of
 * mutex).  Linux tells nobody when a non-robust mutex's owner dies, so
 * libaxon watches: a thread of its own, running while events are
 * registered, looks every WATCH_MS at each registered mutex, and when it
 * is locked by a thread that no longer exists (or whose process is a
 * zombie) it delivers the event once (for that owner).  That is a
 * thread's end, not only its process's, as QNX has it: a thread that
 * ends holding a mutex leaves it DEAD here.  The owner must be in this
 * process's pid namespace.  The watcher reads the mutex with
 * process_vm_readv(), so a mutex the program unmapped without
 * unregistering is dropped, not a fault, if nothing was mapped there
 * again before it looked (the program must unregister first).  Revive takes the owner's id over with a compare-and-swap
 * (one reviver wins) and leaves the lock word locked: the waiters stay
 * blocked until the new owner unlocks, as on QNX.
 *
 * Not: robust, priority-inheritance and priority-protect mutexes (their
 * lock word is the owner's id, which the kernel manages; robust ones
 * have POSIX's EOWNERDEAD instead, which QNX keeps apart too), and
 * Axon's own sync_t mutexes.  A thread id reused before the watcher
 * looks hides that death.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer) && !defined(__SANITIZE_THREAD__)
#define __SANITIZE_THREAD__ 1
#endif
#endif
#ifdef __SANITIZE_THREAD__
#include <sanitizer/tsan_interface.h>
/* ThreadSanitizer saw another process lock the mutex: tell it the
 * reviver holds it now, as a lock would have. */
#define REVIVED(m)                                                      \
	do {                                                            \
		__tsan_mutex_pre_lock((m), 0);                          \
		__tsan_mutex_post_lock((m), 0, 1);                      \
	} while (0)
#else
#define REVIVED(m) ((void) (m))
#endif

#define WATCH_MS 20

struct watch {
	struct watch *next;
	pthread_mutex_t *m;
	struct sigevent ev;
	pid_t tid;          /* the registering thread */
	int reported;       /* the owner whose death was delivered */
};

static pthread_mutex_t w_lock = PTHREAD_MUTEX_INITIALIZER;
static struct watch *w_list;
static bool w_running;  /* the watcher thread runs */
static pthread_once_t w_once = PTHREAD_ONCE_INIT;

static void
atfork_child(void)
{
	/* The registrations were the parent's, and so is the watcher. */
	pthread_mutex_init(&w_lock, NULL);
	w_list = NULL;
	w_running = false;
}

static void
w_init(void)
{
	(void) pthread_atfork(NULL, NULL, atfork_child);
}

/* The mutex as this process can read it now: 0, -EFAULT (NULL, not mapped),
 * or -errno (process_vm_readv() refused: a seccomp filter, ENOSYS). */
static int
peek(const pthread_mutex_t *m, pthread_mutex_t *out)
{
	struct iovec local = {out, sizeof(*out)};
	struct iovec remote = {(void *) m, sizeof(*m)};
	ssize_t n;

	if (m == NULL) {
		return -EFAULT;
	}
	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (n == (ssize_t) sizeof(*m)) {
		return 0;
	}
	return n >= 0 || errno == EFAULT ? -EFAULT : -errno;
}

/* A kind of mutex whose owner these calls can take over. */
static bool
plain_kind(const pthread_mutex_t *m)
{
	/* glibc's __kind: the type in the low bits; robust 16, PI 32,
	 * PP 64 (the pshared bit 128 and elision bits do not matter). */
	return (m->__data.__kind & (16 | 32 | 64)) == 0;
}

/* Is thread tid gone?  Its process may be a zombie nobody has waited
 * for yet: ended, for the mutex. */
static bool
gone(pid_t tid)
{
	char path[64], buf[512];
	ssize_t n;
	int fd;

	if (tid <= 0) {
		return false;
	}
	/* No such thread: gone.  Its /proc entry missing is not enough
	 * (/proc not mounted, hidepid, another pid namespace). */
	if (kill(tid, 0) < 0 && errno == ESRCH) {
		return true;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int) tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return false; /* there, as far as anyone can tell */
	}
	n = read(fd, buf, sizeof(buf) - 1);
	(void) close(fd);
	if (n <= 0) {
		return n < 0 && errno == ESRCH; /* ended meanwhile */
	}
	buf[n] = '\0';
	const char *paren = strrchr(buf, ')');

	return paren != NULL && paren[1] == ' ' &&
	    (paren[2] == 'Z' || paren[2] == 'X');
}

static void *
watcher(void *arg)
{
	(void) arg;
	(void) pthread_setname_np(pthread_self(), "axon-mutex");
	for (;;) {
		struct timespec nap = {0, WATCH_MS * 1000000L};
		struct watch fire[16];
		size_t nfire = 0;

		(void) nanosleep(&nap, NULL);
		pthread_mutex_lock(&w_lock);
		if (w_list == NULL) {
			w_running = false;
			pthread_mutex_unlock(&w_lock);
			return NULL;
		}
		for (struct watch **pp = &w_list; *pp != NULL;) {
			struct watch *w = *pp;
			pthread_mutex_t now;

			if (peek(w->m, &now) < 0) {
				*pp = w->next; /* unmapped: dropped */
				free(w);
				continue;
			}
			int owner = now.__data.__owner;

			if (now.__data.__lock != 0 && owner != w->reported &&
			    gone(owner) && nfire < 16) {
				w->reported = owner;
				fire[nfire++] = *w;
			}
			pp = &w->next;
		}
		pthread_mutex_unlock(&w_lock);
		for (size_t i = 0; i < nfire; i++) {
			(void) axon__sigev_deliver(&fire[i].ev,
			    fire[i].ev.sigev_value, fire[i].tid);
		}
	}
}

static int
mutex_event(pthread_mutex_t *m, const struct sigevent *ev)
{
	pthread_mutex_t now;
	struct watch *w = NULL, *old = NULL;
	int rc;

	rc = peek(m, &now);
	if (rc < 0) {
		return rc;
	}
	if (!plain_kind(&now)) {
		return -EINVAL;
	}
	if (ev != NULL) {
		rc = axon__sigev_check(ev);
		if (rc < 0) {
			return rc;
		}
		w = calloc(1, sizeof(*w));
		if (w == NULL) {
			return -ENOMEM;
		}
		w->m = m;
		w->ev = *ev;
		w->tid = axon__gettid();
	}
	(void) pthread_once(&w_once, w_init);
	pthread_mutex_lock(&w_lock);
	for (struct watch **pp = &w_list; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->m == m) {
			old = *pp;
			*pp = old->next;
			break;
		}
	}
	if (w != NULL) {
		w->reported = old != NULL ? old->reported : 0;
		w->next = w_list;
		w_list = w;
		if (!w_running) {
			pthread_attr_t a;
			pthread_t th;

			pthread_attr_init(&a);
			pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
			rc = -axon__thread_create_quiet(&th, &a, watcher,
			    NULL);
			pthread_attr_destroy(&a);
			if (rc != 0) {
				w_list = w->next;
				pthread_mutex_unlock(&w_lock);
				free(w);
				free(old);
				return -rc;
			}
			w_running = true;
		}
	}
	pthread_mutex_unlock(&w_lock);
	free(old);
	return 0;
}

static int
mutex_revive(pthread_mutex_t *m)
{
	pthread_mutex_t now;
	int owner, me = axon__gettid();
	int rc;

	rc = peek(m, &now);
	if (rc < 0) {
		return rc;
	}
	owner = now.__data.__owner;
	if (!plain_kind(&now) || now.__data.__lock == 0 || !gone(owner)) {
		return -EINVAL; /* not DEAD */
	}
	if (!__atomic_compare_exchange_n(&m->__data.__owner, &owner, me,
		false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		return -EINVAL; /* another revived it first */
	}
	/* Locked once by the caller (a recursive mutex's count too). */
	m->__data.__count = (m->__data.__kind & 3) == PTHREAD_MUTEX_RECURSIVE
	    ? 1 : 0;
	REVIVED(m);
	return 0;
}

int
SyncMutexEvent_r(pthread_mutex_t *mutex, const struct sigevent *event)
{
	AXON_KEEP_ERRNO;

	return mutex_event(mutex, event);
}

int
SyncMutexEvent(pthread_mutex_t *mutex, const struct sigevent *event)
{
	int rc = mutex_event(mutex, event);

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

int
SyncMutexRevive_r(pthread_mutex_t *mutex)
{
	AXON_KEEP_ERRNO;

	return mutex_revive(mutex);
}

int
SyncMutexRevive(pthread_mutex_t *mutex)
{
	int rc = mutex_revive(mutex);

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}
