/* SPDX-License-Identifier: MIT */
/*
 * <sys/procmgr.h>: procmgr_daemon(), procmgr_event_notify(),
 * procmgr_event_notify_add()/_delete() and procmgr_ability() (see
 * procmgr_daemon(3)).
 *
 * procmgr_event_notify() has no process manager to ask on Linux: a
 * watcher thread, running only while a request is armed (the one of
 * procmgr_event_notify() and any number of procmgr_event_notify_add()'s,
 * each delivered its own event), lists /proc every
 * AXON_PM_SCAN_MS and compares with its previous list.  A pid that has
 * gone (or become a zombie) has died; it was a daemon if it led its own
 * session with no controlling terminal, which is what procmgr_daemon()
 * and daemon(3) make (QNX puts daemons in session 1; Linux has no such
 * session).  Deaths are therefore seen up to one scan late, and only in
 * this process's pid namespace.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sys/procmgr.h>

#include "internal.h"

#define AXON_PM_SCAN_MS 100

#define PM_DEATHS (PROCMGR_EVENT_DAEMON_DEATH | PROCMGR_EVENT_PROCESS_DEATH)
#define PM_KNOWN                                                         \
	(PROCMGR_EVENT_SYNC | PROCMGR_EVENT_PATHSPACE |                  \
	    PROCMGR_EVENT_SYSCONF | PROCMGR_EVENT_CONFSTR | PM_DEATHS |  \
	    PROCMGR_EVENT_CONTIG_ALLOC_FAIL | PROCMGR_EVENT_TOD |        \
	    PROCMGR_EVENT_APS_BANKRUPTCY | PROCMGR_EVENT_PROCESS_CREATE)

int
procmgr_daemon(int status, unsigned flags)
{
	pid_t pid;

	if (flags & ~(PROCMGR_DAEMON_NOCHDIR | PROCMGR_DAEMON_NOCLOSE |
			PROCMGR_DAEMON_NODEVNULL | PROCMGR_DAEMON_KEEPUMASK)) {
		errno = EINVAL;
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		return -1;
	}
	if (pid > 0) {
		_exit(status); /* the parent sees status, as from exit() */
	}
	if (setsid() < 0) {
		return -1;
	}
	if (!(flags & PROCMGR_DAEMON_NOCHDIR) && chdir("/") != 0) {
		return -1;
	}
	if (!(flags & PROCMGR_DAEMON_KEEPUMASK)) {
		(void) umask(0);
	}
	/* libaxon's own descriptors were already closed by its fork
	 * handler: the daemon starts without channels or connections. */
	if (!(flags & PROCMGR_DAEMON_NOCLOSE)) {
		(void) close_range(3, ~0u, 0);
	}
	if (!(flags & PROCMGR_DAEMON_NODEVNULL)) {
		int fd = open("/dev/null", O_RDWR);

		if (fd < 0) {
			return -1;
		}
		for (int i = 0; i < 3; i++) {
			if (fd != i && dup2(fd, i) < 0) {
				return -1;
			}
		}
		if (fd > 2) {
			(void) close(fd);
		}
	}
	return 0;
}

int
procmgr_ability(pid_t pid, unsigned ability, ...)
{
	(void) pid;
	(void) ability;
	errno = ENOTSUP;
	return ENOTSUP;
}

/* ---- procmgr_event_notify() ------------------------------------------- */

struct pm_proc {
	pid_t pid;
	bool daemon;
};

/* One notification request: procmgr_event_notify()'s (handle 0, at most
 * one) or one of procmgr_event_notify_add()'s (handle > 0). */
struct pm_req {
	struct pm_req *next;
	int handle;
	unsigned flags;
	struct sigevent ev;
	pid_t tid; /* who asked (SIGEV_SIGNAL_THREAD) */
};

static pthread_mutex_t pm_ctl_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pm_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pm_cv = PTHREAD_COND_INITIALIZER;
static struct pm_req *pm_reqs;  /* armed requests, under pm_lock */
static int pm_next_handle = 1;  /* under pm_lock */
static bool pm_running;
static bool pm_ready;           /* the watcher has its first list */
static pthread_t pm_thread;

/* pid's state: -1 gone or a zombie, 1 a daemon, 0 anything else. */
static int
pm_stat(pid_t pid)
{
	char path[64];
	char buf[512];
	char state;
	int ppid, pgrp, sid, tty;
	ssize_t n;
	char *p;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	(void) close(fd);
	if (n <= 0) {
		return -1;
	}
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold anything */
	if (p == NULL || sscanf(p + 1, " %c %d %d %d %d", &state, &ppid,
			     &pgrp, &sid, &tty) != 5) {
		return -1;
	}
	if (state == 'Z' || state == 'X') {
		return -1;
	}
	return sid == pid && tty == 0 ? 1 : 0;
}

static int
pm_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct pm_proc *) a)->pid;
	pid_t y = ((const struct pm_proc *) b)->pid;

	return (x > y) - (x < y);
}

/* This pid namespace's live processes, sorted; NULL if out of memory. */
static struct pm_proc *
pm_scan(size_t *ret_n)
{
	DIR *d = opendir("/proc");
	struct pm_proc *v = NULL;
	size_t n = 0;
	size_t cap = 0;
	struct dirent *e;

	if (d == NULL) {
		return NULL;
	}
	while ((e = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		int st;

		if (*end != '\0' || pid <= 0) {
			continue;
		}
		st = pm_stat((pid_t) pid);
		if (st < 0) {
			continue;
		}
		if (n == cap) {
			struct pm_proc *nv;

			cap = cap != 0 ? 2 * cap : 256;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL) {
				free(v);
				(void) closedir(d);
				return NULL;
			}
			v = nv;
		}
		v[n].pid = (pid_t) pid;
		v[n].daemon = st == 1;
		n++;
	}
	(void) closedir(d);
	if (n > 0) {
		qsort(v, n, sizeof(*v), pm_cmp);
	}
	*ret_n = n;
	return v != NULL ? v : calloc(1, sizeof(*v));
}

static bool
pm_wants(const struct pm_req *r, const struct pm_proc *p)
{
	return (r->flags & PROCMGR_EVENT_PROCESS_DEATH) ||
	    ((r->flags & PROCMGR_EVENT_DAEMON_DEATH) && p->daemon);
}

/* p died: every request that asked for it is told, each once. */
static void
pm_died(const struct pm_proc *p)
{
	struct pm_req *v = NULL;
	size_t n = 0;

	pthread_mutex_lock(&pm_lock);
	for (struct pm_req *r = pm_reqs; r != NULL; r = r->next) {
		n += pm_wants(r, p);
	}
	if (n > 0) {
		v = malloc(n * sizeof(*v));
	}
	n = 0;
	for (struct pm_req *r = pm_reqs; v != NULL && r != NULL; r = r->next) {
		if (pm_wants(r, p)) {
			v[n++] = *r;
		}
	}
	pthread_mutex_unlock(&pm_lock);
	/* Delivered without the lock: a pulse or a signal handler may
	 * call procmgr_event_notify*() itself. */
	for (size_t i = 0; i < n; i++) {
		union sigval sv = v[i].ev.sigev_value;

		if (v[i].ev.sigev_notify & SIGEV_FLAG_UPDATEABLE) {
			sv.sival_ptr = NULL;
			sv.sival_int = (int) p->pid; /* as QNX 6.6+: who */
		}
		(void) axon__sigev_deliver(&v[i].ev, sv, v[i].tid);
	}
	free(v);
}

static void *
pm_main(void *arg)
{
	struct pm_proc *old;
	size_t nold = 0;

	(void) arg;
	(void) pthread_setname_np(pthread_self(), "axon-procmgr");
	old = pm_scan(&nold);
	pthread_mutex_lock(&pm_lock);
	pm_ready = true; /* deaths from now on are seen */
	pthread_cond_broadcast(&pm_cv);
	while (pm_reqs != NULL) {
		struct timespec until;
		struct pm_proc *cur;
		size_t ncur = 0;
		size_t j = 0;

		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += AXON_PM_SCAN_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (pm_reqs != NULL &&
		    pthread_cond_timedwait(&pm_cv, &pm_lock, &until) !=
			ETIMEDOUT) {
		}
		if (pm_reqs == NULL) {
			break;
		}
		pthread_mutex_unlock(&pm_lock);
		cur = pm_scan(&ncur);
		if (cur != NULL) {
			/* Both lists are sorted: walk them together. */
			for (size_t i = 0; old != NULL && i < nold; i++) {
				while (j < ncur && cur[j].pid < old[i].pid) {
					j++;
				}
				if (j < ncur && cur[j].pid == old[i].pid) {
					cur[j].daemon |= old[i].daemon;
				} else {
					pm_died(&old[i]);
				}
			}
			free(old);
			old = cur;
			nold = ncur;
		}
		pthread_mutex_lock(&pm_lock);
	}
	pthread_mutex_unlock(&pm_lock);
	free(old);
	return NULL;
}

static void
pm_atfork_child(void)
{
	/* The watcher is not copied by fork(); nor are the requests, which
	 * are the parent's (the memory is the child's to leak: another
	 * thread may have held the lock). */
	pthread_mutex_init(&pm_ctl_lock, NULL);
	pthread_mutex_init(&pm_lock, NULL);
	pthread_cond_init(&pm_cv, NULL);
	pm_reqs = NULL;
	pm_running = false;
	pm_ready = false;
}

static void
pm_once(void)
{
	(void) pthread_atfork(NULL, NULL, pm_atfork_child);
}

/* Checks what a request asks for, and the event to deliver into *ev (a
 * registered one resolved: registered for the system manager,
 * SYSMGR_COID, or for any server); 0 or an errno. */
static int
pm_check(unsigned flags, const struct sigevent *event, struct sigevent *ev)
{
	int rc;

	if (flags & ~PM_KNOWN) {
		return EINVAL;
	}
	if (flags & ~PM_DEATHS) {
		return ENOTSUP; /* no source of these events on Linux */
	}
	rc = axon__regevent_local(event, ev);
	if (rc == 0) {
		rc = axon__sigev_check(ev);
	}
	return rc < 0 ? -rc : 0;
}

/*
 * Starts or stops the watcher to match the requests: pm_ctl_lock held,
 * so that a stop (with its join) and a start cannot share one watcher.
 * 0 or an errno (the watcher could not start).
 */
static int
pm_sync_watcher(void)
{
	pthread_t stop = 0;
	bool join = false;
	int rc = 0, state;

	/* No cancellation point: the waits below hold pm_lock (and the
	 * caller pm_ctl_lock), which a cancelled thread would keep. */
	(void) pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &state);
	pthread_mutex_lock(&pm_lock);
	if (pm_reqs != NULL && !pm_running) {
		/* The watcher takes no signals: a handler that calls these
		 * functions must not run on it. */
		pm_ready = false;
		rc = -axon__thread_create_quiet(&pm_thread, NULL, pm_main,
		    NULL);
		pm_running = rc == 0;
		/* The caller returns once the watcher knows who is alive:
		 * a process that dies after that is reported. */
		while (pm_running && !pm_ready) {
			pthread_cond_wait(&pm_cv, &pm_lock);
		}
	} else if (pm_reqs == NULL && pm_running) {
		stop = pm_thread;
		join = true;
		pm_running = false;
		pm_ready = false;
		pthread_cond_broadcast(&pm_cv);
	}
	pthread_mutex_unlock(&pm_lock);
	if (join) {
		(void) pthread_join(stop, NULL);
	}
	(void) pthread_setcancelstate(state, NULL);
	return rc;
}

/* Takes the request with this handle off the list; NULL if none. */
static struct pm_req *
pm_unlink(int handle)
{
	for (struct pm_req **pp = &pm_reqs; *pp != NULL; pp = &(*pp)->next) {
		struct pm_req *r = *pp;

		if (r->handle == handle) {
			*pp = r->next;
			return r;
		}
	}
	return NULL;
}

static bool
pm_handle_used(int handle)
{
	for (struct pm_req *r = pm_reqs; r != NULL; r = r->next) {
		if (r->handle == handle) {
			return true;
		}
	}
	return false;
}

int
procmgr_event_notify(unsigned flags, const struct sigevent *event)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct pm_req *r = NULL;
	struct pm_req *old;
	int rc;

	if (flags != 0) {
		struct sigevent ev;

		rc = pm_check(flags, event, &ev);
		if (rc == 0 && (r = calloc(1, sizeof(*r))) == NULL) {
			rc = ENOMEM;
		}
		if (rc != 0) {
			errno = rc;
			return -1;
		}
		r->handle = 0;
		r->flags = flags;
		r->ev = ev;
		r->tid = axon__gettid();
	}
	(void) pthread_once(&once, pm_once);
	pthread_mutex_lock(&pm_ctl_lock);
	pthread_mutex_lock(&pm_lock);
	old = pm_unlink(0); /* one such request per process: replaced */
	if (r != NULL) {
		r->next = pm_reqs;
		pm_reqs = r;
	}
	pthread_mutex_unlock(&pm_lock);
	free(old);
	rc = pm_sync_watcher();
	if (rc != 0) {
		pthread_mutex_lock(&pm_lock);
		free(pm_unlink(0));
		pthread_mutex_unlock(&pm_lock);
	}
	pthread_mutex_unlock(&pm_ctl_lock);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

int
procmgr_event_notify_add(unsigned flags, const struct sigevent *event)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct pm_req *r = NULL;
	struct sigevent ev;
	int rc = flags == 0 ? EINVAL : pm_check(flags, event, &ev);

	if (rc == 0 && (r = calloc(1, sizeof(*r))) == NULL) {
		rc = ENOMEM;
	}
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	r->flags = flags;
	r->ev = ev;
	r->tid = axon__gettid();
	(void) pthread_once(&once, pm_once);
	pthread_mutex_lock(&pm_ctl_lock);
	pthread_mutex_lock(&pm_lock);
	/* Handles are not reused while the counter has not wrapped, so
	 * that a stale handle deletes nothing (ESRCH). */
	do {
		r->handle = pm_next_handle;
		pm_next_handle = pm_next_handle == INT_MAX ? 1
							   : pm_next_handle + 1;
	} while (pm_handle_used(r->handle));
	r->next = pm_reqs;
	pm_reqs = r;
	pthread_mutex_unlock(&pm_lock);
	rc = pm_sync_watcher();
	if (rc != 0) {
		pthread_mutex_lock(&pm_lock);
		free(pm_unlink(r->handle));
		pthread_mutex_unlock(&pm_lock);
		pthread_mutex_unlock(&pm_ctl_lock);
		errno = rc;
		return -1;
	}
	pthread_mutex_unlock(&pm_ctl_lock);
	return r->handle;
}

int
procmgr_event_notify_delete(int handle)
{
	struct pm_req *r = NULL;

	pthread_mutex_lock(&pm_ctl_lock);
	if (handle > 0) {
		pthread_mutex_lock(&pm_lock);
		r = pm_unlink(handle);
		pthread_mutex_unlock(&pm_lock);
	}
	if (r != NULL) {
		(void) pm_sync_watcher();
	}
	pthread_mutex_unlock(&pm_ctl_lock);
	if (r == NULL) {
		errno = ESRCH;
		return -1;
	}
	free(r);
	return 0;
}
