/* SPDX-License-Identifier: MIT */
/*
 * axon-ham(8): QNX's High Availability Manager for an Axon node.  A
 * resource manager attached at /proc/ham that answers libaxon's ham_*()
 * calls (one devctl, DCMD_AXON_HAM, per call: src/lib/hammsg.h), keeps
 * the entities, their conditions and actions, and runs the actions when
 * a condition is met.  docs/design/ham.md says how and why.
 *
 * Threads: the main thread serves /proc/ham (dispatch_block/handler);
 * the watcher sleeps in epoll on every self-attached entity's pidfd and
 * a 10 ms timerfd (missed heartbeats, reaping the children actions
 * start); two runners take triggered conditions off their queues and
 * run their actions in order, one for the HCONDNOWAIT conditions and
 * one for the others, so that a waitfor never delays a NOWAIT
 * condition; a job in a waitfor is parked and its path looked at every
 * 10 ms while its runner goes on with the others' jobs.  ham_lock guards the entity tree; a runner works on a
 * copy of a condition's actions made when it was triggered, and takes
 * the lock only to act on the tree (heartbeat_healthy, a restart, the
 * removal of a failed action).
 *
 * Who may do what (every check here, on the credentials Axon's
 * transport gives the manager, ConnectClientInfo(), and the sender's
 * pid from MsgReceive's info): an entity's own process (or root)
 * detaches it or heartbeats for it; its owner (the user who made it) or
 * root adds and removes its conditions and actions; an execute or
 * restart action runs as the user who added it (the daemon, if root,
 * drops to that user's ids and groups in the child before exec; if not
 * root, it takes such actions from its own user only); a pulse or
 * signal reaches a process only if the action's user could signal it
 * (root, or the same user, as kill(2) decides).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <devctl.h>
#include <ha/ham.h>
#include <sys/dispatch.h>
#include <sys/iofunc.h>
#include <sys/neutrino.h>

#include "dispatch_int.h"
#include "hammsg.h"

#define MAX_ENTITIES   1024
#define MAX_USER_ENTITIES 64	/* of one user other than root */
/* What one user other than root may add, in all its entities and
 * others': conditions and actions, and their text's bytes (ENOMEM
 * beyond), so that no user fills the HAM's memory. */
#define MAX_USER_ITEMS 1024
#define MAX_USER_BYTES (256 * 1024)
#define MAX_CONDITIONS 64
#define MAX_ACTIONS    64
#define MAX_ARGS       64
#define WAITFOR_MAX_MS (600 * 1000) /* the longest waitfor: 10 min */
/* Jobs (triggered conditions, waiting or not) a runner holds: in all,
 * and of one owner (the entity's) other than root, so that no user
 * fills the queue or the memory with them. */
#define RUNQ_MAX       4096
#define RUNQ_USER_MAX  256
#define SYMLINK_MAX    40 /* symbolic links a waitfor's path may cross */
#define TICK_NS        10000000L
/* Restarts of one entity: at most restart_max in restart_window_ns; the
 * next fails (EAGAIN), so that a program that dies at once is not
 * started again and again for ever (QNX documents no limit: Axon's). */
static int restart_max = 10;			/* -R N:SECONDS */
static int64_t restart_window_ns = 10 * 1000000000LL;
#define HAM_NGROUPS    64 /* an action keeps its user's first 64 groups */

#define COND_FLAGS   (HCONDNOWAIT | HCONDINDEPENDENT | HREARMAFTERRESTART)
#define ACTION_FLAGS (HREARMAFTERRESTART | HACTIONDONOW | \
	HACTIONBREAKONFAIL | HACTIONKEEPONFAIL)

/* Who added an action: what it runs as. */
struct creds {
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[HAM_NGROUPS];
};

struct action {
	struct action *next;
	char name[AXON_HAM_NAME_MAX + 1];
	int kind;
	unsigned flags;
	int32_t arg[5];
	char *text;
	struct creds cr;
};

struct condition {
	struct condition *next;
	char name[AXON_HAM_NAME_MAX + 1];
	uid_t by;		/* who added it: whose budget it is in */
	int type;
	unsigned flags;
	struct action *actions;
};

struct entity {
	struct entity *next;
	char name[AXON_HAM_NAME_MAX + 1];
	uint64_t id;		/* the watcher's key for its pidfd */
	uid_t owner;
	pid_t pid;		/* 0: a placeholder, or dead and restarting */
	int pidfd;
	uint64_t hp;		/* ns; 0: no heartbeat */
	int hpdl, hpdh;
	int64_t last_hb;	/* monotonic ns */
	bool low_fired, high_fired;
	int64_t restart_window;	/* when the current window began */
	int restarts;		/* restarts in it */
	bool restarting;	/* a restart's command is being started */
	struct condition *conds;
};

/* A triggered condition: its actions as they were then. */
struct job {
	struct job *next;
	char ename[AXON_HAM_NAME_MAX + 1];
	char cname[AXON_HAM_NAME_MAX + 1];
	uid_t owner;		/* the entity's: what the job counts against */
	int pc;			/* the next action to run */
	bool waiting;		/* acts[pc], a waitfor, is waiting ... */
	int64_t deadline;	/* ... until then */
	int n;
	struct action acts[];	/* text strdup'ed */
};

/* One owner's jobs in a queue (n == 0: a free slot). */
struct owner_count {
	uid_t uid;
	int n;
};

/* A runner's jobs: queued (head), waiting in a waitfor (parked: polled
 * every 10 ms while the runner serves the queue), n of them in all. */
struct runq {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	struct job *head, *tail;
	struct job *parked;
	int n;
	struct owner_count owners[RUNQ_MAX];
};

static pthread_mutex_t ham_lock = PTHREAD_MUTEX_INITIALIZER;
static struct entity *entities;
static int n_entities;
static uint64_t next_id = 1;
static int epfd = -1;
static int verbosity = 1;
static volatile sig_atomic_t stopping;
static struct runq q_nowait = {PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_COND_INITIALIZER, NULL, NULL, NULL, 0, {{0, 0}}};
static struct runq q_other = {PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_COND_INITIALIZER, NULL, NULL, NULL, 0, {{0, 0}}};
static char *env_rundir;

static void __attribute__((format(printf, 1, 2)))
hlog(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* Nothing a client wrote may forge a line of the log. */
	for (char *p = buf; *p != '\0'; p++) {
		if ((unsigned char) *p < 0x20 || *p == 0x7f) {
			*p = '?';
		}
	}
	fprintf(stderr, "axon-ham: %s\n", buf);
	fflush(stderr);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- the tree (ham_lock held) -------------------------------------- */

/* One user's share (MAX_USER_ITEMS, MAX_USER_BYTES) in use; root has
 * none. */
struct budget {
	uid_t uid;
	int items;
	size_t bytes;
};

static struct budget *budgets;
static int n_budgets, cap_budgets;

static struct budget *
budget_of(uid_t uid)
{
	for (int i = 0; i < n_budgets; i++) {
		if (budgets[i].uid == uid) {
			return &budgets[i];
		}
	}
	return NULL;
}

/* Takes one item of bytes text bytes from uid's share: 0, or ENOMEM. */
static int
budget_take(uid_t uid, size_t bytes)
{
	struct budget *b;

	if (uid == 0) {
		return 0;
	}
	if ((b = budget_of(uid)) == NULL) {
		if (n_budgets == cap_budgets) {
			int ncap = cap_budgets == 0 ? 16 : cap_budgets * 2;
			struct budget *nb = realloc(budgets,
			    (size_t) ncap * sizeof(*nb));

			if (nb == NULL) {
				return ENOMEM;
			}
			budgets = nb;
			cap_budgets = ncap;
		}
		b = &budgets[n_budgets++];
		b->uid = uid;
		b->items = 0;
		b->bytes = 0;
	}
	if (b->items >= MAX_USER_ITEMS || bytes > MAX_USER_BYTES - b->bytes) {
		if (b->items == 0 && b->bytes == 0) {
			*b = budgets[--n_budgets];
		}
		return ENOMEM;
	}
	b->items++;
	b->bytes += bytes;
	return 0;
}

/* Gives back what budget_take() took. */
static void
budget_give(uid_t uid, size_t bytes)
{
	struct budget *b;

	if (uid == 0 || (b = budget_of(uid)) == NULL) {
		return;
	}
	b->items--;
	b->bytes -= bytes;
	if (b->items <= 0) {
		*b = budgets[--n_budgets];
	}
}

/* An action's text bytes in its user's share. */
static size_t
action_bytes(const struct action *a)
{
	return a->text != NULL ? strlen(a->text) + 1 : 0;
}

static struct entity *
entity_find(const char *name)
{
	for (struct entity *e = entities; e != NULL; e = e->next) {
		if (strcmp(e->name, name) == 0) {
			return e;
		}
	}
	return NULL;
}

static struct condition *
cond_find(struct entity *e, const char *name)
{
	for (struct condition *c = e->conds; c != NULL; c = c->next) {
		if (strcmp(c->name, name) == 0) {
			return c;
		}
	}
	return NULL;
}

static struct action *
action_find(struct condition *c, const char *name)
{
	for (struct action *a = c->actions; a != NULL; a = a->next) {
		if (strcmp(a->name, name) == 0) {
			return a;
		}
	}
	return NULL;
}

static void
action_free(struct action *a)
{
	budget_give(a->cr.uid, action_bytes(a));
	free(a->text);
	free(a);
}

static void
cond_free(struct condition *c)
{
	while (c->actions != NULL) {
		struct action *a = c->actions;

		c->actions = a->next;
		action_free(a);
	}
	budget_give(c->by, 0);
	free(c);
}

static void
entity_unlink(struct entity *e)
{
	for (struct entity **pp = &entities; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			n_entities--;
			break;
		}
	}
	if (e->pidfd >= 0) {
		close(e->pidfd); /* leaves the watcher's epoll set too */
	}
	while (e->conds != NULL) {
		struct condition *c = e->conds;

		e->conds = c->next;
		cond_free(c);
	}
	free(e);
}

/* A job of cond c's actions (all, or only one when one is set). */
static struct job *
job_make(const struct entity *e, const struct condition *c,
    const struct action *one)
{
	int n = 0;
	struct job *j;

	for (const struct action *a = c->actions; a != NULL; a = a->next) {
		n++;
	}
	if (one != NULL) {
		n = 1;
	}
	j = calloc(1, sizeof(*j) + (size_t) n * sizeof(struct action));
	if (j == NULL) {
		return NULL;
	}
	memcpy(j->ename, e->name, sizeof(j->ename));
	memcpy(j->cname, c->name, sizeof(j->cname));
	j->owner = e->owner;
	const struct action *a = one != NULL ? one : c->actions;

	for (int i = 0; i < n; i++, a = a->next) {
		j->acts[i] = *a;
		j->acts[i].next = NULL;
		j->acts[i].text = strdup(a->text != NULL ? a->text : "");
		if (j->acts[i].text == NULL) {
			j->n = i;
			return j; /* what could be copied */
		}
	}
	j->n = n;
	return j;
}

static void
job_free(struct job *j)
{
	for (int i = 0; i < j->n; i++) {
		free(j->acts[i].text);
	}
	free(j);
}

/* uid's count in q (q->lock held): its slot, or NULL (a new owner
 * gets a free one when make is set). */
static struct owner_count *
owner_slot(struct runq *q, uid_t uid, bool make)
{
	struct owner_count *free_slot = NULL;

	for (int i = 0; i < RUNQ_MAX; i++) {
		struct owner_count *o = &q->owners[i];

		if (o->n > 0 && o->uid == uid) {
			return o;
		}
		if (o->n == 0 && free_slot == NULL) {
			free_slot = o;
		}
	}
	if (make && free_slot != NULL) {
		free_slot->uid = uid;
	}
	return make ? free_slot : NULL;
}

/* Queues j: false (j not taken) if q holds RUNQ_MAX jobs, or
 * RUNQ_USER_MAX of j's owner (not root). */
static bool
runq_push(struct runq *q, struct job *j)
{
	struct owner_count *o;

	pthread_mutex_lock(&q->lock);
	o = owner_slot(q, j->owner, true);
	if (q->n >= RUNQ_MAX || o == NULL ||
	    (j->owner != 0 && o->n >= RUNQ_USER_MAX)) {
		pthread_mutex_unlock(&q->lock);
		return false;
	}
	o->n++;
	q->n++;
	if (q->tail != NULL) {
		q->tail->next = j;
	} else {
		q->head = j;
	}
	q->tail = j;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->lock);
	return true;
}

/* A job q ran to its end: no longer counted. */
static void
runq_done(struct runq *q, struct job *j)
{
	struct owner_count *o;

	pthread_mutex_lock(&q->lock);
	if ((o = owner_slot(q, j->owner, false)) != NULL) {
		o->n--;
	}
	q->n--;
	pthread_mutex_unlock(&q->lock);
}

static void job_free(struct job *j);

/* Queues c's job j (made by job_make): 0, or -ENOMEM (none made), or
 * -EAGAIN (the queue, or the owner's share of it, is full): logged. */
static int
job_queue(const struct condition *c, struct job *j)
{
	if (j == NULL) {
		hlog("out of memory: condition %s not run", c->name);
		return -ENOMEM;
	}
	if (!runq_push((c->flags & HCONDNOWAIT) ? &q_nowait : &q_other, j)) {
		hlog("entity %s: condition %s not run: too many jobs queued "
		    "(of user %u, or in all)", j->ename, c->name,
		    (unsigned) j->owner);
		job_free(j);
		return -EAGAIN;
	}
	return 0;
}

/* Triggers every condition of e of type (and every CONDANY one). */
static void
trigger(struct entity *e, int type)
{
	for (struct condition *c = e->conds; c != NULL; c = c->next) {
		if (c->type == type || c->type == CONDANY) {
			(void) job_queue(c, job_make(e, c, NULL));
		}
	}
}

static bool
has_restart(const struct entity *e)
{
	for (struct condition *c = e->conds; c != NULL; c = c->next) {
		for (struct action *a = c->actions; a != NULL; a = a->next) {
			if (a->kind == AXON_HAM_A_RESTART) {
				return true;
			}
		}
	}
	return false;
}

/* After a restart: what was not to be rearmed goes. */
static void
prune_after_restart(struct entity *e)
{
	struct condition **cp = &e->conds;

	while (*cp != NULL) {
		struct condition *c = *cp;

		if (!(c->flags & HREARMAFTERRESTART)) {
			*cp = c->next;
			cond_free(c);
			continue;
		}
		struct action **ap = &c->actions;

		while (*ap != NULL) {
			struct action *a = *ap;

			if (!(a->flags & HREARMAFTERRESTART)) {
				*ap = a->next;
				action_free(a);
			} else {
				ap = &a->next;
			}
		}
		cp = &c->next;
	}
}

/* e's process is gone (ham_lock held): its death conditions run; it
 * stays, waiting to be attached again, if it has a restart action. */
static void
entity_died(struct entity *e)
{
	hlog("entity %s: process %d died", e->name, (int) e->pid);
	if (e->pidfd >= 0) {
		close(e->pidfd);
		e->pidfd = -1;
	}
	e->pid = 0;
	trigger(e, CONDDEATH);
	if (!has_restart(e)) {
		entity_unlink(e);
	}
}

/* ---- running actions (no lock held) -------------------------------- */

/* Splits line into argv (QNX's rule: words apart by blanks, a quoted
 * part with ' or " taken as is) in buf: argc, or -EINVAL for an
 * unterminated quote, no words or too many. */
static int
split_line(const char *line, char *buf, size_t len, char **argv)
{
	size_t o = 0;
	int argc = 0;
	const char *p = line;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == '\n') {
			p++;
		}
		if (*p == '\0') {
			break;
		}
		if (argc == MAX_ARGS) {
			return -EINVAL;
		}
		argv[argc++] = &buf[o];
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n') {
			if (*p == '\'' || *p == '"') {
				char q = *p++;

				while (*p != '\0' && *p != q) {
					if (o + 1 >= len) {
						return -EINVAL;
					}
					buf[o++] = *p++;
				}
				if (*p != q) {
					return -EINVAL;
				}
				p++;
				continue;
			}
			if (o + 1 >= len) {
				return -EINVAL;
			}
			buf[o++] = *p++;
		}
		buf[o++] = '\0';
	}
	argv[argc] = NULL;
	return argc > 0 ? argc : -EINVAL;
}

/* Starts line as cr's user: 0 once it is exec'ed, or -errno (the
 * exec's, or the failure to become that user). */
static int
spawn_line(const char *line, const struct creds *cr)
{
	char *argv[MAX_ARGS + 1];
	char *buf;
	char env_path[] = "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	char env_home[] = "HOME=/";
	char *envp[4] = {env_path, env_home, env_rundir, NULL};
	int p[2];
	int err = 0;
	ssize_t n;
	pid_t pid;
	bool root = geteuid() == 0;

	if ((buf = malloc(strlen(line) + 1)) == NULL) {
		return -ENOMEM;
	}
	if (split_line(line, buf, strlen(line) + 1, argv) < 0 ||
	    argv[0][0] != '/') {
		free(buf);
		return -EINVAL;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(buf);
		return -errno;
	}
	pid = fork();
	if (pid == 0) {
		sigset_t none;

		/* The child: async-signal-safe calls only.  Every handler
		 * back to the default first, then the mask emptied: a
		 * signal pending meanwhile meets no handler of the HAM's. */
		for (int s = 1; s < NSIG; s++) {
			struct sigaction sa;

			memset(&sa, 0, sizeof(sa));
			sa.sa_handler = SIG_DFL;
			(void) sigaction(s, &sa, NULL);
		}
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* A user's command does not inherit the HAM's scheduling
		 * (a real-time policy, a nice value): SCHED_OTHER, nice 0,
		 * set while the child may still raise its priority. */
		if (cr->uid != 0) {
			struct sched_param sp;

			memset(&sp, 0, sizeof(sp));
			(void) sched_setscheduler(0, SCHED_OTHER, &sp);
			(void) setpriority(PRIO_PROCESS, 0, 0);
		}
		if (p[1] != 3) {
			dup2(p[1], 3);
		}
		fcntl(3, F_SETFD, FD_CLOEXEC);
		syscall(SYS_close_range, 4, ~0U, 0);
		/* Standard input, output and error: /dev/null.  Not the
		 * HAM's log: a user's command must not write lines into it
		 * that look like the HAM's own. */
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			if (null > 2) {
				close(null);
			}
		}
		(void) setsid();
		if (chdir("/") < 0 ||
		    (root && (setgroups((size_t) cr->ngroups, cr->groups) < 0 ||
		    setresgid(cr->gid, cr->gid, cr->gid) < 0 ||
		    setresuid(cr->uid, cr->uid, cr->uid) < 0)) ||
		    (cr->uid != 0 && geteuid() == 0)) {
			err = errno != 0 ? errno : EPERM;
		} else {
			execve(argv[0], argv, envp);
			err = errno;
		}
		(void) !write(3, &err, sizeof(err));
		_exit(127);
	}
	err = pid < 0 ? errno : 0;
	close(p[1]);
	free(buf);
	if (pid > 0) {
		do {
			n = read(p[0], &err, sizeof(err));
		} while (n < 0 && errno == EINTR);
		if (n != (ssize_t) sizeof(err)) {
			err = 0; /* closed by the exec: started */
		}
	}
	close(p[0]);
	return -err;
}

/* Whether cr's user may signal process pid: root, or its real or saved
 * user is cr's (kill(2)'s rule, with cr's one user as both). */
static bool
may_signal(const struct creds *cr, pid_t pid)
{
	char path[64];
	char line[256];
	FILE *f;
	bool ok = false;

	if (cr->uid == 0) {
		return true;
	}
	snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
	if ((f = fopen(path, "re")) == NULL) {
		return false;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned r, e, s;

		if (sscanf(line, "Uid: %u %u %u", &r, &e, &s) == 3) {
			ok = r == cr->uid || s == cr->uid;
			break;
		}
	}
	fclose(f);
	return ok;
}

static bool target_lives(int pfd);

/* A pidfd of process pid, once cr's user may signal it (may_signal()),
 * or -errno.  The check reads /proc by number, so the pidfd is taken
 * first and asked after the check whether its process still lives: if
 * it does, the pid was never free in between, and the check and what
 * follows through the pidfd are about the same process. */
static int
target_open(const struct creds *cr, pid_t pid)
{
	int pfd;

	if (pid <= 0) {
		return -EPERM;
	}
	if ((pfd = (int) syscall(SYS_pidfd_open, pid, 0)) < 0) {
		return -errno;
	}
	if (!may_signal(cr, pid)) {
		close(pfd);
		return -EPERM;
	}
	if (!target_lives(pfd)) {
		close(pfd);
		return -ESRCH;
	}
	return pfd;
}

static bool
target_lives(int pfd)
{
	return syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0) == 0;
}

static int
run_pulse(const struct action *a)
{
	int coid;
	int pfd = -1;
	int rc = 0;

	/* Another node's process (root's actions only, action_check):
	 * its node judges the pulse. */
	if (a->arg[0] == ND_LOCAL_NODE &&
	    (pfd = target_open(&a->cr, a->arg[1])) < 0) {
		return pfd;
	}
	coid = ConnectAttach((uint32_t) a->arg[0], a->arg[1], a->arg[2],
	    _NTO_SIDE_CHANNEL, 0);
	if (coid == -1) {
		rc = -errno;
	} else if (pfd >= 0 && !target_lives(pfd)) {
		rc = -ESRCH; /* the pid may name another process now */
	} else if (MsgSendPulse(coid, -1, a->arg[3], a->arg[4]) == -1) {
		rc = -errno;
	}
	if (coid != -1) {
		ConnectDetach(coid);
	}
	if (pfd >= 0) {
		close(pfd);
	}
	return rc;
}

static int
run_signal(const struct action *a)
{
	siginfo_t si;
	int pfd;
	int rc = 0;

	if ((pfd = target_open(&a->cr, a->arg[1])) < 0) {
		return pfd;
	}
	/* What sigqueue(3) sends, through the pidfd. */
	memset(&si, 0, sizeof(si));
	si.si_signo = a->arg[2];
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = a->arg[4];
	if (syscall(SYS_pidfd_send_signal, pfd, a->arg[2], &si, 0) != 0) {
		rc = -errno;
	}
	close(pfd);
	return rc;
}

/* What the waitfors look at, read at most once per 10 ms tick whatever
 * the number of waiting jobs (snap.lock held while used): the path
 * namespace's entries and the mountpoints of the file systems whose
 * look-ups may never end (axon__fstype_may_hang). */
static struct {
	pthread_mutex_t lock;
	int64_t at;			/* when read (0: never) */
	struct axon_path_entry *ns;
	int n_ns;
	bool mounts_ok;
	char mounts[65536];
} snap = {.lock = PTHREAD_MUTEX_INITIALIZER};

static bool hang_mounts(char *buf, size_t len);

/* Reads the snapshot again if it is older than a tick (lock held). */
static void
snap_refresh(void)
{
	int64_t now = now_ns();

	if (snap.at != 0 && now - snap.at < TICK_NS) {
		return;
	}
	free(snap.ns);
	snap.ns = NULL;
	snap.n_ns = axon__path_list(&snap.ns);
	if (snap.n_ns < 0) {
		snap.n_ns = 0;
	}
	snap.mounts_ok = hang_mounts(snap.mounts, sizeof(snap.mounts));
	snap.at = now;
}

/* Whether path (normalised) is in the node's path namespace: a
 * manager's mountpoint is path or below it.  Read from the namespace's
 * entries only: nothing is sent to a manager (one that never answers
 * must not hold a runner).  snap.lock held. */
static bool
ns_has(const char *path)
{
	char norm[PATH_MAX];
	size_t l;

	if (axon__path_norm(path, norm, sizeof(norm)) < 0) {
		return false;
	}
	l = strlen(norm);
	for (int i = 0; i < snap.n_ns; i++) {
		const char *m = snap.ns[i].mount;

		if (strcmp(m, norm) == 0 || (l == 1 && m[0] == '/') ||
		    (strncmp(m, norm, l) == 0 && m[l] == '/')) {
			return true;
		}
	}
	return false;
}

/* The mountpoints of the file systems whose look-ups may never end
 * (axon__fstype_may_hang: FUSE, whose server, any user's, may never
 * answer, and the network ones), '\n' apart in buf: false if unknown. */
static bool
hang_mounts(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[PATH_MAX * 2];
	size_t o = 0;

	if (f == NULL) {
		return false;
	}
	buf[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		char mp[PATH_MAX];
		unsigned maj, min;

		if (!axon__mountinfo_hang(line, &maj, &min, mp)) {
			continue;
		}
		if (o + strlen(mp) + 2 > len) {
			fclose(f);
			return false;
		}
		o += (size_t) snprintf(buf + o, len - o, "%s\n", mp);
	}
	fclose(f);
	return true;
}

/* Whether path is one of mounts ('\n' apart) or below one. */
static bool
under_mount(const char *path, const char *mounts)
{
	size_t pl = strlen(path);

	for (const char *m = mounts; *m != '\0';) {
		const char *nl = strchr(m, '\n');
		size_t ml = (size_t) (nl - m);

		if ((ml == 1 && m[0] == '/') || (ml <= pl &&
		    strncmp(path, m, ml) == 0 &&
		    (path[ml] == '\0' || path[ml] == '/'))) {
			return true;
		}
		m = nl + 1;
	}
	return false;
}

/* Whether path exists in the file system, found without a look-up on
 * a FUSE or network file system: its components are looked at one by
 * one with lstat(2), symbolic links followed by hand, and a component
 * on such a mount ends the search (not found: such a path is seen
 * through the path namespace only).  snap.lock held (its mountpoints). */
static bool
fs_has(const char *path)
{
	const char *mounts = snap.mounts;
	char cur[PATH_MAX], rest[PATH_MAX], next[PATH_MAX], tgt[PATH_MAX];
	const char *p;
	int links = 0;
	bool ok = true;

	if (path[0] != '/' || strlen(path) >= sizeof(rest)) {
		return false;
	}
	if (!snap.mounts_ok) {
		return false;
	}
	memcpy(rest, path, strlen(path) + 1);
	cur[0] = '\0';
	p = rest;
	while (ok) {
		struct stat st;
		const char *s;
		size_t n;
		ssize_t tl;

		while (*p == '/') {
			p++;
		}
		if (*p == '\0') {
			break;
		}
		s = p;
		while (*p != '\0' && *p != '/') {
			p++;
		}
		n = (size_t) (p - s);
		if (n == 1 && s[0] == '.') {
			continue;
		}
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			char *slash = strrchr(cur, '/');

			if (slash != NULL) {
				*slash = '\0';
			}
			continue;
		}
		if (strlen(cur) + 1 + n + 1 > sizeof(next)) {
			ok = false;
			break;
		}
		{
			size_t cl = strlen(cur);

			memcpy(next, cur, cl);
			next[cl] = '/';
			memcpy(next + cl + 1, s, n);
			next[cl + 1 + n] = '\0';
		}
		if (under_mount(next, mounts) || lstat(next, &st) < 0) {
			ok = false;
			break;
		}
		if (!S_ISLNK(st.st_mode)) {
			memcpy(cur, next, strlen(next) + 1);
			continue;
		}
		tl = readlink(next, tgt, sizeof(tgt) - 1);
		if (tl <= 0 || ++links > SYMLINK_MAX ||
		    (size_t) tl + 1 + strlen(p) + 1 > sizeof(rest)) {
			ok = false;
			break;
		}
		tgt[tl] = '\0';
		if (tgt[0] == '/') {
			cur[0] = '\0';
		}
		/* rest becomes the link's target, then what followed it */
		memcpy(next, tgt, (size_t) tl);
		next[tl] = '/';
		memcpy(next + tl + 1, p, strlen(p) + 1);
		memcpy(rest, next, strlen(next) + 1);
		p = rest;
	}
	return ok;
}

/* Whether a waitfor's path (not empty) is there: in the node's path
 * namespace, or in the file system. */
static bool
waitfor_there(const char *path)
{
	bool there;

	if (path[0] == '\0') {
		return false;
	}
	pthread_mutex_lock(&snap.lock);
	snap_refresh();
	there = ns_has(path) || fs_has(path);
	pthread_mutex_unlock(&snap.lock);
	return there;
}

static void
run_healthy(const char *ename)
{
	struct entity *e;

	pthread_mutex_lock(&ham_lock);
	if ((e = entity_find(ename)) != NULL) {
		e->low_fired = false;
		e->high_fired = false;
		e->last_hb = now_ns();
	}
	pthread_mutex_unlock(&ham_lock);
}

/* Whether ename may be restarted now (counted if so). */
static bool
restart_allowed(const char *ename)
{
	struct entity *e;
	int64_t now = now_ns();
	bool ok = true;

	pthread_mutex_lock(&ham_lock);
	if ((e = entity_find(ename)) != NULL) {
		if (now - e->restart_window > restart_window_ns) {
			e->restart_window = now;
			e->restarts = 0;
		}
		ok = e->restarts < restart_max;
		e->restarts += ok;
		/* Whatever the new process does meanwhile (it may attach
		 * before restarted() runs), the restart is this one. */
		e->restarting = ok;
	}
	pthread_mutex_unlock(&ham_lock);
	return ok;
}

/* A restart started the entity's command again (ok), or failed to:
 * keyed on the entity's restarting flag, not on its pid (the new
 * process may have attached already). */
static void
restarted(const char *ename, bool ok)
{
	struct entity *e;

	pthread_mutex_lock(&ham_lock);
	if ((e = entity_find(ename)) != NULL && e->restarting) {
		e->restarting = false;
		if (ok) {
			/* The restart's own condition runs as it was;
			 * what was not to be rearmed goes after. */
			trigger(e, CONDRESTART);
			prune_after_restart(e);
		}
	}
	pthread_mutex_unlock(&ham_lock);
}

static void
drop_failed(const struct job *j, const struct action *a)
{
	struct entity *e;
	struct condition *c;

	pthread_mutex_lock(&ham_lock);
	if ((e = entity_find(j->ename)) != NULL &&
	    (c = cond_find(e, j->cname)) != NULL) {
		for (struct action **pp = &c->actions; *pp != NULL;
		    pp = &(*pp)->next) {
			if (strcmp((*pp)->name, a->name) == 0) {
				struct action *dead = *pp;

				*pp = dead->next;
				action_free(dead);
				break;
			}
		}
	}
	pthread_mutex_unlock(&ham_lock);
}

static int
run_action(const struct job *j, const struct action *a)
{
	int rc = 0;

	switch (a->kind) {
	case AXON_HAM_A_EXECUTE:
		rc = spawn_line(a->text, &a->cr);
		break;
	case AXON_HAM_A_RESTART:
		if (!restart_allowed(j->ename)) {
			hlog("entity %s: restart limit (%d in %lld s) reached",
			    j->ename, restart_max,
			    (long long) (restart_window_ns / 1000000000LL));
			rc = -EAGAIN;
			break;
		}
		rc = spawn_line(a->text, &a->cr);
		if (rc == 0) {
			hlog("entity %s: restarted (%s)", j->ename, a->text);
		}
		restarted(j->ename, rc == 0);
		break;
	case AXON_HAM_A_PULSE:
		rc = run_pulse(a);
		break;
	case AXON_HAM_A_SIGNAL:
		rc = run_signal(a);
		break;
	case AXON_HAM_A_LOG:
		/* A user other than root's line says whose it is, so that
		 * it cannot pass for one of the HAM's own. */
		if (verbosity < a->arg[1]) {
			break;
		}
		if (a->cr.uid != 0 && a->arg[0]) {
			hlog("user %u: %s/%s/%s: %s", (unsigned) a->cr.uid,
			    j->ename, j->cname, a->name, a->text);
		} else if (a->cr.uid != 0) {
			hlog("user %u: %s", (unsigned) a->cr.uid, a->text);
		} else if (a->arg[0]) {
			hlog("%s/%s/%s: %s", j->ename, j->cname, a->name,
			    a->text);
		} else {
			hlog("%s", a->text);
		}
		break;
	case AXON_HAM_A_HEALTHY:
		run_healthy(j->ename);
		break;
	default:
		rc = -EINVAL;
		break;
	}
	return rc;
}

/* Runs j's actions from j->pc on: true if a waitfor is waiting (j
 * parked, to be run again), false once j is over. */
static bool
job_run(struct job *j)
{
	for (; j->pc < j->n; j->pc++) {
		const struct action *a = &j->acts[j->pc];
		int rc;

		if (a->kind == AXON_HAM_A_WAITFOR) {
			int64_t now = now_ns();

			if (!j->waiting) {
				j->waiting = true;
				j->deadline = now + (int64_t) a->arg[0] * 1000000;
			}
			if (waitfor_there(a->text)) {
				rc = 0;
			} else if (now >= j->deadline) {
				rc = a->text[0] != '\0' ? -ETIMEDOUT : 0;
			} else {
				return true;
			}
			j->waiting = false;
		} else {
			rc = run_action(j, a);
		}
		if (rc == 0) {
			continue;
		}
		hlog("%s/%s/%s: failed: %s", j->ename, j->cname, a->name,
		    strerror(-rc));
		if (!(a->flags & HACTIONKEEPONFAIL)) {
			drop_failed(j, a);
		}
		if (a->flags & HACTIONBREAKONFAIL) {
			break;
		}
	}
	return false;
}

/* Ends or parks j after a run. */
static void
job_after(struct runq *q, struct job *j, bool parked)
{
	if (parked) {
		pthread_mutex_lock(&q->lock);
		j->next = q->parked;
		q->parked = j;
		pthread_mutex_unlock(&q->lock);
		return;
	}
	runq_done(q, j);
	job_free(j);
}

/* A runner: the queue's jobs in order; a job in a waitfor is parked and
 * its path looked at every 10 ms (never by asking a manager) while the
 * runner goes on with the queue, so that no waitfor holds the others'
 * jobs. */
static void *
runner(void *arg)
{
	struct runq *q = arg;

	for (;;) {
		struct job *j = NULL, *parked;

		pthread_mutex_lock(&q->lock);
		while (q->head == NULL && q->parked == NULL) {
			pthread_cond_wait(&q->cv, &q->lock);
		}
		if (q->head == NULL) {
			pthread_mutex_unlock(&q->lock);
			poll(NULL, 0, 10);
			pthread_mutex_lock(&q->lock);
		}
		if ((j = q->head) != NULL) {
			q->head = j->next;
			if (q->head == NULL) {
				q->tail = NULL;
			}
			j->next = NULL;
		}
		parked = q->parked;
		q->parked = NULL;
		pthread_mutex_unlock(&q->lock);
		if (j != NULL) {
			job_after(q, j, job_run(j));
		}
		while (parked != NULL) {
			struct job *p = parked;

			parked = p->next;
			p->next = NULL;
			job_after(q, p, job_run(p));
		}
	}
	return NULL;
}

/* ---- the watcher: deaths, heartbeats, children ---------------------- */

static void
heartbeat_check(int64_t now)
{
	for (struct entity *e = entities; e != NULL; e = e->next) {
		int64_t missed;

		if (e->pid == 0 || e->hp == 0) {
			continue;
		}
		missed = (now - e->last_hb) / (int64_t) e->hp;
		if (e->hpdl > 0 && missed >= e->hpdl && !e->low_fired) {
			e->low_fired = true;
			hlog("entity %s: %lld heartbeats missed (low)", e->name,
			    (long long) missed);
			trigger(e, CONDHBEATMISSEDLOW);
		}
		if (e->hpdh > 0 && missed >= e->hpdh && !e->high_fired) {
			e->high_fired = true;
			hlog("entity %s: %lld heartbeats missed (high)",
			    e->name, (long long) missed);
			trigger(e, CONDHBEATMISSEDHIGH);
		}
	}
}

static void *
watcher(void *arg)
{
	int tfd = *(int *) arg;

	for (;;) {
		struct epoll_event ev[32];
		int n = epoll_wait(epfd, ev, 32, -1);

		if (n < 0) {
			continue; /* EINTR */
		}
		pthread_mutex_lock(&ham_lock);
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u64 == 0) {
				uint64_t ticks;

				(void) !read(tfd, &ticks, sizeof(ticks));
				heartbeat_check(now_ns());
				while (waitpid(-1, NULL, WNOHANG) > 0) {
				}
				continue;
			}
			for (struct entity *e = entities; e != NULL;
			    e = e->next) {
				if (e->id == ev[i].data.u64 && e->pid != 0) {
					entity_died(e);
					break;
				}
			}
		}
		pthread_mutex_unlock(&ham_lock);
	}
	return NULL;
}

/* ---- requests ------------------------------------------------------- */

struct sender {
	pid_t pid;
	struct creds cr;
};

static bool
is_owner(const struct entity *e, const struct sender *s)
{
	return s->cr.uid == 0 || s->cr.uid == e->owner;
}

static struct entity *
entity_new(const char *name, uid_t owner)
{
	struct entity *e = calloc(1, sizeof(*e));

	if (e == NULL) {
		return NULL;
	}
	memcpy(e->name, name, strlen(name) + 1);
	e->id = next_id++;
	e->owner = owner;
	e->pidfd = -1;
	e->next = entities;
	entities = e;
	n_entities++;
	return e;
}

/* Whether uid may make one more entity: the HAM's limit, and one
 * user's share of it, so that no user can fill the HAM for the others
 * (root has no share). */
static bool
entity_room(uid_t uid)
{
	int mine = 0;

	if (n_entities >= MAX_ENTITIES) {
		return false;
	}
	if (uid == 0) {
		return true;
	}
	for (struct entity *e = entities; e != NULL; e = e->next) {
		mine += e->owner == uid;
	}
	return mine < MAX_USER_ENTITIES;
}

static int
op_attach_self(const struct axon_ham_req *r, const struct sender *s)
{
	struct entity *e = entity_find(r->ename);
	bool placeholder = e != NULL;
	int hpdl = r->arg[0], hpdh = r->arg[1];
	struct epoll_event ev = {.events = EPOLLIN};
	int pfd;

	if (r->flags != 0 || (r->hp != 0 && (r->hp < HAMHBEATMIN ||
	    hpdl < 0 || hpdh < 0 || (hpdl > 0 && hpdh > 0 && hpdl > hpdh)))) {
		return EINVAL;
	}
	if (e != NULL && e->pid != 0) {
		return EEXIST;
	}
	if (e != NULL && !is_owner(e, s)) {
		return EPERM;
	}
	if (e == NULL && !entity_room(s->cr.uid)) {
		return ENOMEM;
	}
	if ((pfd = (int) syscall(SYS_pidfd_open, s->pid, 0)) < 0) {
		return ESRCH;
	}
	if (e == NULL && (e = entity_new(r->ename, s->cr.uid)) == NULL) {
		close(pfd);
		return ENOMEM;
	}
	ev.data.u64 = e->id;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, pfd, &ev) < 0) {
		int err = errno;

		close(pfd);
		if (!placeholder) {
			entity_unlink(e);
		}
		return err;
	}
	e->pidfd = pfd;
	e->pid = s->pid;
	/* A placeholder another user made (root fills it): the entity is
	 * now its process's user's, so that whoever took the name first
	 * cannot detach it or change it (what it added still runs, as
	 * it). */
	if (e->owner != s->cr.uid) {
		hlog("entity %s: owner %u -> %u (attached)", e->name,
		    (unsigned) e->owner, (unsigned) s->cr.uid);
		e->owner = s->cr.uid;
	}
	e->hp = r->hp;
	e->hpdl = hpdl;
	e->hpdh = hpdh;
	e->last_hb = now_ns();
	e->low_fired = e->high_fired = false;
	hlog("entity %s: attached by process %d", e->name, (int) e->pid);
	if (placeholder) {
		trigger(e, CONDATTACH);
	}
	return EOK;
}

static int
op_detach(const struct axon_ham_req *r, const struct sender *s, bool self)
{
	struct entity *e = entity_find(r->ename);

	if (r->flags != 0) {
		return EINVAL;
	}
	if (e == NULL || (self && e->pid == 0)) {
		return ENOENT;
	}
	/* Self: the entity's own process or root; otherwise also its
	 * owner. */
	if (!(s->cr.uid == 0 || (e->pid != 0 && s->pid == e->pid) ||
	    (!self && s->cr.uid == e->owner))) {
		return EPERM;
	}
	hlog("entity %s: detached", e->name);
	trigger(e, CONDDETACH);
	entity_unlink(e);
	return EOK;
}

static int
op_condition(const struct axon_ham_req *r, const struct sender *s)
{
	struct entity *e = entity_find(r->ename);
	struct condition *c;
	int n = 0;

	if (e == NULL) {
		return ENOENT;
	}
	if (!is_owner(e, s)) {
		return EPERM;
	}
	if ((r->flags & ~COND_FLAGS) != 0 || r->arg[0] < CONDDEATH ||
	    r->arg[0] > CONDANY || r->arg[0] == CONDRAISE ||
	    r->arg[0] == CONDSTATE) {
		return EINVAL;
	}
	if (cond_find(e, r->cname) != NULL) {
		return EEXIST;
	}
	for (c = e->conds; c != NULL; c = c->next) {
		n++;
	}
	if (n >= MAX_CONDITIONS || budget_take(s->cr.uid, 0) != 0) {
		return ENOMEM;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		budget_give(s->cr.uid, 0);
		return ENOMEM;
	}
	c->by = s->cr.uid;
	memcpy(c->name, r->cname, sizeof(c->name));
	c->type = r->arg[0];
	c->flags = r->flags;
	/* Appended: a condition's place is the order it was added in. */
	struct condition **pp = &e->conds;

	while (*pp != NULL) {
		pp = &(*pp)->next;
	}
	*pp = c;
	return EOK;
}

static int
op_condition_remove(const struct axon_ham_req *r, const struct sender *s)
{
	struct entity *e = entity_find(r->ename);

	if (e == NULL) {
		return ENOENT;
	}
	if (!is_owner(e, s)) {
		return EPERM;
	}
	for (struct condition **pp = &e->conds; *pp != NULL;
	    pp = &(*pp)->next) {
		if (strcmp((*pp)->name, r->cname) == 0) {
			struct condition *c = *pp;

			*pp = c->next;
			cond_free(c);
			return EOK;
		}
	}
	return ENOENT;
}

/* The kind-specific checks of a new action (c is its condition). */
static int
action_check(const struct axon_ham_req *r, const struct sender *s,
    const struct entity *e, const struct condition *c)
{
	char *argv[MAX_ARGS + 1];
	char *buf;
	int rc;

	switch (r->arg[0]) {
	case AXON_HAM_A_EXECUTE:
	case AXON_HAM_A_RESTART:
		if ((buf = malloc(strlen(r->text) + 1)) == NULL) {
			return ENOMEM;
		}
		rc = split_line(r->text, buf, strlen(r->text) + 1, argv);
		rc = rc < 0 || argv[0][0] != '/' ? EINVAL : 0;
		free(buf);
		if (rc != 0) {
			return rc;
		}
		/* Not root: it can run commands as its own user only. */
		if (geteuid() != 0 && s->cr.uid != geteuid()) {
			return EPERM;
		}
		if (r->arg[0] == AXON_HAM_A_RESTART) {
			if (c->type != CONDDEATH && c->type != CONDABNORMALDEATH) {
				return EINVAL;
			}
			if (has_restart(e)) {
				return EEXIST;
			}
		}
		return 0;
	case AXON_HAM_A_PULSE:
		/* Another node's process: root's only (its node maps us). */
		if (r->arg[1] != 0 && s->cr.uid != 0) {
			return EPERM;
		}
		return r->arg[2] <= 0 || r->arg[3] < 0 ? EINVAL : 0;
	case AXON_HAM_A_SIGNAL:
		if (r->arg[1] != 0) {
			return ENOSYS; /* SignalKill is local only */
		}
		return r->arg[2] <= 0 || r->arg[3] <= 0 || r->arg[3] >= NSIG ?
		    EINVAL : 0;
	case AXON_HAM_A_WAITFOR:
		if (r->arg[1] <= 0 || r->arg[1] > WAITFOR_MAX_MS ||
		    (c->flags & HCONDNOWAIT)) {
			return EINVAL;
		}
		return 0;
	case AXON_HAM_A_LOG:
	case AXON_HAM_A_HEALTHY:
		return 0;
	default:
		return EINVAL;
	}
}

static int
op_action(const struct axon_ham_req *r, const struct sender *s)
{
	struct entity *e = entity_find(r->ename);
	struct condition *c;
	struct action *a;
	int n = 0;
	int rc;

	if (e == NULL || (c = cond_find(e, r->cname)) == NULL) {
		return ENOENT;
	}
	if (!is_owner(e, s)) {
		return EPERM;
	}
	if ((r->flags & ~ACTION_FLAGS) != 0) {
		return EINVAL;
	}
	if (action_find(c, r->aname) != NULL) {
		return EEXIST;
	}
	if ((rc = action_check(r, s, e, c)) != 0) {
		return rc;
	}
	for (a = c->actions; a != NULL; a = a->next) {
		n++;
	}
	if (n >= MAX_ACTIONS ||
	    budget_take(s->cr.uid, strlen(r->text) + 1) != 0) {
		return ENOMEM;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->text = strdup(r->text)) == NULL) {
		budget_give(s->cr.uid, strlen(r->text) + 1);
		free(a);
		return ENOMEM;
	}
	memcpy(a->name, r->aname, sizeof(a->name));
	a->kind = r->arg[0];
	a->flags = r->flags;
	for (int i = 0; i < 5; i++) {
		a->arg[i] = r->arg[i + 1];
	}
	a->cr = s->cr;
	struct action **pp = &c->actions;

	while (*pp != NULL) {
		pp = &(*pp)->next;
	}
	*pp = a;
	/* DONOW: run at once; not taken if it cannot be queued. */
	if ((a->flags & HACTIONDONOW) &&
	    (rc = job_queue(c, job_make(e, c, a))) < 0) {
		*pp = NULL;
		action_free(a);
		return -rc;
	}
	return EOK;
}

static int
op_action_remove(const struct axon_ham_req *r, const struct sender *s)
{
	struct entity *e = entity_find(r->ename);
	struct condition *c;

	if (e == NULL || (c = cond_find(e, r->cname)) == NULL) {
		return ENOENT;
	}
	if (!is_owner(e, s)) {
		return EPERM;
	}
	for (struct action **pp = &c->actions; *pp != NULL;
	    pp = &(*pp)->next) {
		if (strcmp((*pp)->name, r->aname) == 0) {
			struct action *a = *pp;

			*pp = a->next;
			action_free(a);
			return EOK;
		}
	}
	return ENOENT;
}

static int
op_lookup(const struct axon_ham_req *r)
{
	struct entity *e = entity_find(r->ename);
	struct condition *c = NULL;

	if (e == NULL) {
		return ENOENT;
	}
	if (r->cname[0] != '\0' && (c = cond_find(e, r->cname)) == NULL) {
		return ENOENT;
	}
	if (r->aname[0] != '\0' && action_find(c, r->aname) == NULL) {
		return ENOENT;
	}
	return EOK;
}

/* Acts on one decoded request: EOK or an errno. */
static int
handle(const struct axon_ham_req *r, const struct sender *s)
{
	int rc = EOK;

	pthread_mutex_lock(&ham_lock);
	switch (r->op) {
	case AXON_HAM_ATTACH_SELF:
		rc = op_attach_self(r, s);
		break;
	case AXON_HAM_DETACH_SELF:
		rc = op_detach(r, s, true);
		break;
	case AXON_HAM_DETACH:
		rc = op_detach(r, s, false);
		break;
	case AXON_HAM_HEARTBEAT:
		for (struct entity *e = entities; e != NULL; e = e->next) {
			if (e->pid == s->pid) {
				e->last_hb = now_ns();
			}
		}
		break;
	case AXON_HAM_ENTITY:
		if (r->flags != 0) {
			rc = EINVAL;
		} else if (entity_find(r->ename) != NULL) {
			rc = EEXIST;
		} else if (!entity_room(s->cr.uid) ||
		    entity_new(r->ename, s->cr.uid) == NULL) {
			rc = ENOMEM;
		}
		break;
	case AXON_HAM_CONDITION:
		rc = op_condition(r, s);
		break;
	case AXON_HAM_CONDITION_REMOVE:
		rc = op_condition_remove(r, s);
		break;
	case AXON_HAM_ACTION:
		rc = op_action(r, s);
		break;
	case AXON_HAM_ACTION_REMOVE:
		rc = op_action_remove(r, s);
		break;
	case AXON_HAM_LOOKUP:
		rc = op_lookup(r);
		break;
	case AXON_HAM_STOP:
		if (s->cr.uid != 0 && s->cr.uid != geteuid()) {
			rc = EPERM;
		} else {
			stopping = 1;
		}
		break;
	default:
		rc = EBADMSG;
		break;
	}
	pthread_mutex_unlock(&ham_lock);
	return rc;
}

static int
ham_devctl(resmgr_context_t *ctp, io_devctl_t *msg, RESMGR_OCB_T *ocb)
{
	struct _client_info *ci = NULL;
	struct sender s;
	struct axon_ham_req *r;
	uint8_t *buf;
	size_t n = msg->i.nbytes;
	int rc;

	if (msg->i.dcmd != DCMD_AXON_HAM) {
		return iofunc_devctl_default(ctp, msg, ocb);
	}
	if (n < AXON_HAM_HDR || n > AXON_HAM_MSG_MAX) {
		return EBADMSG;
	}
	/* Every group of the client (ConnectClientInfo() gives the first
	 * __NGROUPS_MAX only, and counts them all). */
	if (ConnectClientInfoExt(ctp->info.scoid, &ci,
	    _NTO_CLIENTINFO_GETGROUPS) == -1) {
		return errno;
	}
	memset(&s, 0, sizeof(s));
	s.pid = ctp->info.pid;
	s.cr.uid = ci->cred.euid;
	s.cr.gid = ci->cred.egid;
	s.cr.ngroups = (int) (ci->cred.ngroups < HAM_NGROUPS ?
	    ci->cred.ngroups : HAM_NGROUPS);
	memcpy(s.cr.groups, ci->cred.grouplist,
	    (size_t) s.cr.ngroups * sizeof(gid_t));
	(void) ClientInfoExtFree(&ci);
	if (ctp->info.nd != 0) {
		return EPERM; /* another node's client: not this node's HAM's */
	}
	buf = malloc(n);
	r = malloc(sizeof(*r));
	if (buf == NULL || r == NULL) {
		free(buf);
		free(r);
		return ENOMEM;
	}
	if (resmgr_msgread(ctp, buf, n, sizeof(msg->i)) != (ssize_t) n) {
		rc = EBADMSG;
	} else if ((rc = axon__ham_decode(buf, n, r)) < 0) {
		rc = -rc;
	} else {
		rc = handle(r, &s);
	}
	free(buf);
	free(r);
	if (rc != EOK) {
		return rc;
	}
	memset(&msg->o, 0, sizeof(msg->o));
	return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o));
}

/* ---- main ------------------------------------------------------------ */

static void
usage(FILE *f)
{
	fprintf(f, "usage: axon-ham [-v N] [-R N:SECONDS] [--ready-file FILE]\n"
	    "  QNX's High Availability Manager at /proc/ham in the node's\n"
	    "  path namespace (AXON_RUNDIR); see axon-ham(8).\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"verbosity", required_argument, NULL, 'v'},
		{"ready-file", required_argument, NULL, 'r'},
		{"restart-limit", required_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static resmgr_connect_funcs_t cfuncs;
	static resmgr_io_funcs_t iofuncs;
	static iofunc_attr_t attr;
	const char *ready = NULL;
	const char *rd = getenv("AXON_RUNDIR");
	struct itimerspec its = {{0, TICK_NS}, {0, TICK_NS}};
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0};
	dispatch_context_t *ctp;
	dispatch_t *dpp;
	pthread_t t;
	int tfd;
	int id;
	int c;

	while ((c = getopt_long(argc, argv, "v:r:R:h", opts, NULL)) != -1) {
		int n, secs;
		char end;

		switch (c) {
		case 'R':
			if (sscanf(optarg, "%d:%d%c", &n, &secs, &end) != 2 ||
			    n < 1 || secs < 1 || secs > 86400) {
				fprintf(stderr, "axon-ham: bad -R %s (N:SECONDS)\n",
				    optarg);
				return 2;
			}
			restart_max = n;
			restart_window_ns = (int64_t) secs * 1000000000LL;
			break;
		case 'v':
			verbosity = atoi(optarg);
			break;
		case 'r':
			ready = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (rd != NULL && asprintf(&env_rundir, "AXON_RUNDIR=%s", rd) < 0) {
		return 1;
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (epfd < 0 || tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0 ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ev) < 0) {
		perror("axon-ham: epoll/timerfd");
		return 1;
	}
	if ((dpp = dispatch_create()) == NULL) {
		perror("axon-ham: dispatch_create");
		return 1;
	}
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &cfuncs, _RESMGR_IO_NFUNCS,
	    &iofuncs);
	iofuncs.devctl = ham_devctl;
	iofunc_attr_init(&attr, S_IFNAM | 0666, NULL, NULL);
	id = resmgr_attach(dpp, NULL, AXON_HAM_PATH, _FTYPE_ANY, 0, &cfuncs,
	    &iofuncs, &attr);
	if (id == -1) {
		perror("axon-ham: resmgr_attach " AXON_HAM_PATH);
		return 1;
	}
	if ((ctp = dispatch_context_alloc(dpp)) == NULL ||
	    pthread_create(&t, NULL, watcher, &tfd) != 0 ||
	    pthread_create(&t, NULL, runner, &q_nowait) != 0 ||
	    pthread_create(&t, NULL, runner, &q_other) != 0) {
		perror("axon-ham: start");
		return 1;
	}
	if (ready != NULL) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644);

		if (fd >= 0) {
			close(fd);
		}
	}
	hlog("serving %s (verbosity %d)", AXON_HAM_PATH, verbosity);
	while (!stopping) {
		if (dispatch_block(ctp) == NULL) {
			if (errno == EINTR) {
				continue;
			}
			perror("axon-ham: dispatch_block");
			return 1;
		}
		(void) dispatch_handler(ctp);
	}
	hlog("stopped by ham_stop()");
	/* Everything goes before the exit (the runners and the watcher
	 * end with it): the entities, so that no condition runs after
	 * this line, and the manager. */
	pthread_mutex_lock(&ham_lock);
	while (entities != NULL) {
		entity_unlink(entities);
	}
	pthread_mutex_unlock(&ham_lock);
	dispatch_context_free(ctp);
	(void) resmgr_detach(dpp, id, 0);
	(void) dispatch_destroy(dpp);
	free(env_rundir);
	return 0;
}
