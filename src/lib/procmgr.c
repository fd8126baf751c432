/* SPDX-License-Identifier: MIT */
/*
 * <sys/procmgr.h>: procmgr_daemon(), procmgr_event_notify() and
 * procmgr_ability() (see procmgr_daemon(3)).
 *
 * procmgr_event_notify() has no process manager to ask on Linux: a
 * watcher thread, running only while an event is armed, lists /proc every
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
#include <pthread.h>
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
	    PROCMGR_EVENT_CONTIG_ALLOC_FAIL)

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

static pthread_mutex_t pm_ctl_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pm_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pm_cv = PTHREAD_COND_INITIALIZER;
static unsigned pm_flags;       /* armed events, under pm_lock */
static struct sigevent pm_ev;
static pid_t pm_tid;            /* who armed it (SIGEV_SIGNAL_THREAD) */
static bool pm_running;
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

static void
pm_died(const struct pm_proc *p)
{
	struct sigevent ev;
	unsigned flags;
	pid_t tid;
	union sigval v;

	pthread_mutex_lock(&pm_lock);
	flags = pm_flags;
	ev = pm_ev;
	tid = pm_tid;
	pthread_mutex_unlock(&pm_lock);
	if (!((flags & PROCMGR_EVENT_PROCESS_DEATH) ||
		((flags & PROCMGR_EVENT_DAEMON_DEATH) && p->daemon))) {
		return;
	}
	v = ev.sigev_value;
	if (ev.sigev_notify & SIGEV_FLAG_UPDATEABLE) {
		v.sival_ptr = NULL;
		v.sival_int = (int) p->pid; /* as QNX 6.6+: who died */
	}
	(void) axon__sigev_deliver(&ev, v, tid);
}

static void *
pm_main(void *arg)
{
	struct pm_proc *old;
	size_t nold = 0;

	(void) arg;
	old = pm_scan(&nold);
	pthread_mutex_lock(&pm_lock);
	while (pm_flags != 0) {
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
		while (pm_flags != 0 &&
		    pthread_cond_timedwait(&pm_cv, &pm_lock, &until) !=
			ETIMEDOUT) {
		}
		if (pm_flags == 0) {
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
	/* The watcher is not copied by fork(); nor is the request, which
	 * is the parent's. */
	pthread_mutex_init(&pm_ctl_lock, NULL);
	pthread_mutex_init(&pm_lock, NULL);
	pthread_cond_init(&pm_cv, NULL);
	pm_flags = 0;
	pm_running = false;
}

static void
pm_once(void)
{
	(void) pthread_atfork(NULL, NULL, pm_atfork_child);
}

int
procmgr_event_notify(unsigned flags, const struct sigevent *event)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_t stop = 0;
	bool join = false;
	int rc;

	if (flags & ~PM_KNOWN) {
		errno = EINVAL;
		return -1;
	}
	if (flags & ~PM_DEATHS) {
		errno = ENOTSUP; /* no source of these events on Linux */
		return -1;
	}
	if (flags != 0) {
		rc = axon__sigev_check(event);
		if (rc < 0) {
			errno = -rc;
			return -1;
		}
	}
	(void) pthread_once(&once, pm_once);
	/* One caller at a time, the join included, so that a disarm and a
	 * re-arm cannot share one watcher. */
	pthread_mutex_lock(&pm_ctl_lock);
	pthread_mutex_lock(&pm_lock);
	pm_flags = flags;
	if (flags != 0) {
		pm_ev = *event;
		pm_tid = axon__gettid();
	}
	if (flags != 0 && !pm_running) {
		rc = pthread_create(&pm_thread, NULL, pm_main, NULL);
		if (rc != 0) {
			pm_flags = 0;
			pthread_mutex_unlock(&pm_lock);
			pthread_mutex_unlock(&pm_ctl_lock);
			errno = rc;
			return -1;
		}
		pm_running = true;
	} else if (flags == 0 && pm_running) {
		stop = pm_thread;
		join = true;
		pm_running = false;
		pthread_cond_broadcast(&pm_cv);
	}
	pthread_mutex_unlock(&pm_lock);
	if (join) {
		(void) pthread_join(stop, NULL);
	}
	pthread_mutex_unlock(&pm_ctl_lock);
	return 0;
}
