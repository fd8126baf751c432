/* SPDX-License-Identifier: MIT */
/*
 * QNX's general spawn() and spawnp() (<spawn.h>, see spawn(3)).
 *
 * Everything that can be checked is checked in the caller first (the
 * arguments, each descriptor of fd_map, the flags, the node), so that
 * the usual errors cost no process.  Then a child is forked (_Fork() where
 * glibc has it: no pthread_atfork handler runs, libaxon's included, and
 * the child may call only async-signal-safe functions anyway) with every
 * signal blocked, so that no handler of the caller's runs in it.  The
 * child applies the inheritance, rearranges its descriptors and execs;
 * whatever fails on the way, the exec included, it writes as an errno on
 * a close-on-exec pipe and exits 127.  The caller reads the pipe until
 * end of file: an errno means spawn() fails with it, as QNX's does, and
 * end of file alone means the exec happened.
 *
 *   SPAWN_NOZOMBIE  through a middle process that forks the child, reports
 *                   its pid on the same pipe and exits at once, so the
 *                   child is re-parented (to init or the nearest
 *                   subreaper) and never becomes the caller's zombie;
 *                   the caller reaps only the middle process
 *   SPAWN_HOLD      the child stops itself (SIGSTOP) just before the exec,
 *                   after closing its end of the pipe, and spawn() returns
 *                   once it is stopped (waitid(WNOWAIT), which leaves the
 *                   stop to be seen by the caller's own wait); SIGCONT
 *                   lets it exec.  An exec failing after that can only
 *                   be an exit status of 127.
 *   SPAWN_EXEC      no child: the inheritance is applied to the caller,
 *                   which then execs; a failure returns -1 with the
 *                   caller's descriptors and signal actions as changed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <paths.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <spawn.h>
#include <sys/netmgr.h>

#include "internal.h"

extern char **environ;

#define QS_KNOWN                                                           \
	(SPAWN_SETGROUP | SPAWN_SETSIGMASK | SPAWN_SETSIGDEF |             \
	    SPAWN_SETSIGIGN | SPAWN_TCSETPGROUP | SPAWN_SETSID |           \
	    SPAWN_SETND | SPAWN_EXPLICIT_SCHED | SPAWN_EXPLICIT_CPU |      \
	    SPAWN_SETSTACKMAX | SPAWN_SEARCH_PATH | SPAWN_CHECK_SCRIPT |   \
	    SPAWN_HOLD | SPAWN_NOZOMBIE | SPAWN_EXEC | SPAWN_DEBUG |       \
	    SPAWN_ALIGN_MASK)

/* What goes up the pipe: the child's pid (from the middle process of
 * SPAWN_NOZOMBIE) or an errno. */
enum { QS_PID = 1, QS_ERR = 2 };
struct qs_msg {
	int kind;
	int val;
};

/* Everything the child needs, made ready in the caller: the child
 * allocates nothing. */
struct qs_plan {
	struct inheritance in;
	char **paths;        /* the candidates, in PATH order */
	size_t npaths;
	char **sh_argv;      /* SPAWN_CHECK_SCRIPT: sh, the script, argv[1..] */
	char *const *argv;
	char *const *envp;
	int fd_count;
	const int *fd_map;
	int *tmp;            /* fd_count slots */
	int fd_base;         /* above every descriptor fd_map names */
	int open_max;
	sigset_t mask;       /* the caller's own, for the child */
};

static pid_t
qs_fork(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
	return _Fork();
#else
	return fork();
#endif
}

static void
qs_close_from(int lo, int hi, int open_max)
{
#ifdef SYS_close_range
	if (lo > hi || syscall(SYS_close_range, (unsigned) lo,
	    (unsigned) hi, 0) == 0) {
		return;
	}
#endif
	for (int fd = lo; fd <= hi && fd < open_max; fd++) {
		(void) close(fd);
	}
}

/* Child descriptor i becomes the caller's fd_map[i] (or is closed), and
 * nothing else stays open but *errfd, moved out of the way first.  Two
 * passes, through copies above every number involved, because a map may
 * name a descriptor that an earlier slot overwrites (0 <- 1, 1 <- 0). */
static int
qs_fds(struct qs_plan *p, int *errfd)
{
	int i;

	if (p->fd_count == 0) {
		return 0; /* all but FD_CLOEXEC ones, which the exec closes */
	}
	if (*errfd >= 0) {
		int e = fcntl(*errfd, F_DUPFD_CLOEXEC, p->fd_base);

		if (e < 0) {
			return errno;
		}
		(void) close(*errfd);
		*errfd = e;
	}
	for (i = 0; i < p->fd_count; i++) {
		p->tmp[i] = -1;
		if (p->fd_map[i] == SPAWN_FDCLOSED) {
			continue;
		}
		p->tmp[i] = fcntl(p->fd_map[i], F_DUPFD_CLOEXEC, p->fd_base);
		if (p->tmp[i] < 0) {
			return errno;
		}
	}
	for (i = 0; i < p->fd_count; i++) {
		if (p->tmp[i] < 0) {
			(void) close(i);
		} else if (dup2(p->tmp[i], i) < 0) { /* clears FD_CLOEXEC */
			return errno;
		}
	}
	if (*errfd >= 0) {
		qs_close_from(p->fd_count, *errfd - 1, p->open_max);
		qs_close_from(*errfd + 1, INT_MAX, p->open_max);
	} else {
		qs_close_from(p->fd_count, INT_MAX, p->open_max);
	}
	return 0;
}

/* Sets each signal of set to act (SIG_IGN or SIG_DFL).  SIGKILL and
 * SIGSTOP, and the C library's own signals, cannot be set and are
 * skipped. */
static int
qs_sigset_act(const sigset_t *set, void (*act)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = act;
	for (int sig = 1; sig < _NSIG; sig++) {
		if (sigismember(set, sig) != 1) {
			continue;
		}
		if (sigaction(sig, &sa, NULL) != 0 && errno != EINVAL) {
			return errno;
		}
	}
	return 0;
}

/* Applies the inheritance to the calling process (the child, or the
 * caller itself for SPAWN_EXEC).  Returns 0 or an errno. */
static int
qs_apply(struct qs_plan *p, int *errfd)
{
	const struct inheritance *in = &p->in;
	int err;

	if ((in->flags & SPAWN_SETSID) != 0 && setsid() < 0) {
		return errno;
	}
	if ((in->flags & SPAWN_SETGROUP) != 0 &&
	    ((in->flags & SPAWN_SETSID) == 0 ||
		in->pgroup != SPAWN_NEWPGROUP) &&
	    setpgid(0, in->pgroup) != 0) {
		return errno; /* a session leader's group is its own */
	}
	if ((in->flags & SPAWN_TCSETPGROUP) != 0) {
		/* SIGTTOU is blocked here, so a background group may. */
		int t = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

		if (t < 0) {
			return errno;
		}
		err = tcsetpgrp(t, getpgrp()) != 0 ? errno : 0;
		(void) close(t);
		if (err != 0) {
			return err;
		}
	}
	if ((in->flags & SPAWN_EXPLICIT_SCHED) != 0) {
		struct sched_param sp = in->param;

		if (in->policy != SCHED_FIFO && in->policy != SCHED_RR) {
			sp.sched_priority = 0;
		}
		if (sched_setscheduler(0, in->policy, &sp) != 0) {
			return errno;
		}
	}
	if ((in->flags & SPAWN_EXPLICIT_CPU) != 0) {
		cpu_set_t cs;

		CPU_ZERO(&cs);
		for (int c = 0; c < 32; c++) {
			if ((in->runmask & (1U << c)) != 0) {
				CPU_SET(c, &cs);
			}
		}
		if (sched_setaffinity(0, sizeof(cs), &cs) != 0) {
			return errno;
		}
	}
	if ((in->flags & SPAWN_SETSTACKMAX) != 0) {
		struct rlimit rl;

		if (getrlimit(RLIMIT_STACK, &rl) != 0) {
			return errno;
		}
		rl.rlim_cur = in->stack_max;
		if (setrlimit(RLIMIT_STACK, &rl) != 0) {
			return errno; /* above the hard limit */
		}
	}
	err = qs_fds(p, errfd);
	if (err != 0) {
		return err;
	}
	/* Ignored first, so that a signal in both sets ends at SIG_DFL. */
	if ((in->flags & SPAWN_SETSIGIGN) != 0) {
		err = qs_sigset_act(&in->sigignore, SIG_IGN);
		if (err != 0) {
			return err;
		}
	}
	if ((in->flags & SPAWN_SETSIGDEF) != 0) {
		err = qs_sigset_act(&in->sigdefault, SIG_DFL);
		if (err != 0) {
			return err;
		}
	}
	return 0;
}

/* The exec, along the candidates as execvp() goes along PATH: past those
 * that are not there, remembering one that was there but not allowed.
 * Returns the errno. */
static int
qs_exec(struct qs_plan *p)
{
	bool denied = false;
	int err = ENOENT;

	for (size_t i = 0; i < p->npaths; i++) {
		(void) execve(p->paths[i], p->argv, p->envp);
		err = errno;
		if (err == ENOEXEC && p->sh_argv != NULL) {
			p->sh_argv[1] = p->paths[i];
			(void) execve(_PATH_BSHELL, p->sh_argv, p->envp);
			err = errno;
		}
		switch (err) {
		case EACCES:
			denied = true;
			/* fall through */
		case ENOENT:
		case ENOTDIR:
		case ESTALE:
		case ENODEV:
		case ETIMEDOUT:
			continue;
		default:
			return err;
		}
	}
	return denied ? EACCES : err;
}

static void
qs_report(int fd, int kind, int val)
{
	struct qs_msg m = { kind, val };

	if (fd >= 0) {
		(void) !write(fd, &m, sizeof(m));
	}
}

/* The child: never returns. */
static void
qs_child(struct qs_plan *p, int errfd)
{
	int err = qs_apply(p, &errfd);

	if (err == 0 && (p->in.flags & SPAWN_HOLD) != 0) {
		/* Nothing can be reported from here on: the caller returns
		 * as soon as this process is stopped. */
		(void) close(errfd);
		errfd = -1;
		(void) kill(getpid(), SIGSTOP);
	}
	if (err == 0) {
		sigset_t m = p->mask;

		if ((p->in.flags & SPAWN_SETSIGMASK) != 0) {
			m = p->in.sigmask;
		}
		(void) sigprocmask(SIG_SETMASK, &m, NULL);
		err = qs_exec(p);
	}
	qs_report(errfd, QS_ERR, err);
	_exit(127);
}

/* Waits until pid stops (SPAWN_HOLD) or ends, leaving either to be
 * collected by its parent's own wait. */
static void
qs_wait_held(pid_t pid)
{
	siginfo_t si;

	while (waitid(P_PID, (id_t) pid, &si,
	    WSTOPPED | WEXITED | WNOWAIT) != 0 && errno == EINTR) {
	}
}

static void
qs_reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
}

/* The middle process of SPAWN_NOZOMBIE: never returns. */
static void
qs_middle(struct qs_plan *p, int errfd)
{
	pid_t pid = qs_fork();

	if (pid == 0) {
		qs_child(p, errfd);
	}
	if (pid < 0) {
		qs_report(errfd, QS_ERR, errno);
		_exit(0);
	}
	if ((p->in.flags & SPAWN_HOLD) != 0) {
		qs_wait_held(pid);
	}
	qs_report(errfd, QS_PID, pid);
	_exit(0);
}

static pid_t
qs_run(struct qs_plan *p)
{
	bool nozombie = (p->in.flags & SPAWN_NOZOMBIE) != 0;
	int err = 0;
	pid_t child = -1;
	pid_t pid;
	sigset_t all;
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) != 0) {
		return -1;
	}
	(void) sigfillset(&all);
	(void) pthread_sigmask(SIG_SETMASK, &all, &p->mask);
	pid = qs_fork();
	if (pid == 0) {
		(void) close(fds[0]);
		if (nozombie) {
			qs_middle(p, fds[1]);
		}
		qs_child(p, fds[1]);
	}
	err = pid < 0 ? errno : 0;
	(void) pthread_sigmask(SIG_SETMASK, &p->mask, NULL);
	(void) close(fds[1]);
	if (pid < 0) {
		(void) close(fds[0]);
		errno = err;
		return -1;
	}
	if (!nozombie) {
		child = pid;
	}
	for (;;) {
		struct qs_msg m;
		ssize_t n = read(fds[0], &m, sizeof(m));

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n != (ssize_t) sizeof(m)) {
			break; /* end of file: the exec happened (or is held) */
		}
		if (m.kind == QS_PID) {
			child = m.val;
		} else if (err == 0) {
			err = m.val != 0 ? m.val : EIO;
		}
	}
	(void) close(fds[0]);
	if (nozombie) {
		qs_reap(pid);
		if (err == 0 && child < 0) {
			err = EIO; /* the middle process died unheard */
		}
	} else if (err != 0) {
		qs_reap(pid);
	} else if ((p->in.flags & SPAWN_HOLD) != 0) {
		qs_wait_held(pid);
	}
	if (err != 0) {
		errno = err;
		return -1;
	}
	return child;
}

static bool
qs_policy_ok(const struct inheritance *in)
{
	int lo;
	int hi;

	switch (in->policy) {
	case SCHED_FIFO:
	case SCHED_RR:
		lo = sched_get_priority_min(in->policy);
		hi = sched_get_priority_max(in->policy);
		return in->param.sched_priority >= lo &&
		    in->param.sched_priority <= hi;
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
		return true; /* no priority on Linux: param is not used */
	default:
		return false;
	}
}

/* The arguments, as far as the caller can tell: 0 or an errno. */
static int
qs_check(const char *path, int fd_count, const int fd_map[],
    const struct inheritance *in, char *const argv[], int open_max)
{
	if (path == NULL || argv == NULL || argv[0] == NULL || fd_count < 0 ||
	    fd_count > open_max || (fd_count > 0 && fd_map == NULL)) {
		return EINVAL;
	}
	if ((in->flags & ~QS_KNOWN) != 0 ||
	    (in->flags & SPAWN_ALIGN_MASK) == SPAWN_ALIGN_MASK) {
		return EINVAL;
	}
	if ((in->flags & SPAWN_SETGROUP) != 0 && in->pgroup < 0) {
		return EINVAL;
	}
	if ((in->flags & SPAWN_EXPLICIT_SCHED) != 0 && !qs_policy_ok(in)) {
		return EINVAL;
	}
	if ((in->flags & SPAWN_EXPLICIT_CPU) != 0 && in->runmask == 0) {
		return EINVAL;
	}
	for (int i = 0; i < fd_count; i++) {
		if (fd_map[i] != SPAWN_FDCLOSED &&
		    (fd_map[i] < 0 || fcntl(fd_map[i], F_GETFD) < 0)) {
			return EBADF;
		}
	}
	/* Another node's child would need this caller's descriptors on
	 * that node, which Axon cannot give it: refused, never run here. */
	if ((in->flags & SPAWN_SETND) != 0 && in->nd != ND_LOCAL_NODE) {
		return ENOSYS;
	}
	if (path[0] == '\0') {
		return ENOENT;
	}
	return 0;
}

static void
qs_free(struct qs_plan *p)
{
	for (size_t i = 0; i < p->npaths; i++) {
		free(p->paths[i]);
	}
	free(p->paths);
	free(p->sh_argv);
	free(p->tmp);
}

/* The candidates for path: itself, or with SPAWN_SEARCH_PATH and no slash
 * in it, each directory of PATH (the system's default path where PATH is
 * not set) joined to it; an empty entry is the current directory. */
static int
qs_paths(struct qs_plan *p, const char *path, bool search)
{
	const char *dirs;
	char *dflt = NULL;
	size_t n = 1;

	if (!search || strchr(path, '/') != NULL) {
		p->paths = calloc(1, sizeof(*p->paths));
		if (p->paths == NULL ||
		    (p->paths[0] = strdup(path)) == NULL) {
			return ENOMEM;
		}
		p->npaths = 1;
		return 0;
	}
	dirs = getenv("PATH");
	if (dirs == NULL) {
		size_t len = confstr(_CS_PATH, NULL, 0);

		dflt = malloc(len > 0 ? len : 1);
		if (dflt == NULL) {
			return ENOMEM;
		}
		dflt[0] = '\0';
		if (len > 0) {
			(void) confstr(_CS_PATH, dflt, len);
		}
		dirs = dflt;
	}
	for (const char *c = dirs; *c != '\0'; c++) {
		n += *c == ':';
	}
	p->paths = calloc(n, sizeof(*p->paths));
	if (p->paths == NULL) {
		free(dflt);
		return ENOMEM;
	}
	for (const char *d = dirs;; d++) {
		const char *e = strchrnul(d, ':');
		int dl = (int) (e - d);
		char *s = NULL;

		if (asprintf(&s, "%.*s%s%s", dl, d, dl > 0 ? "/" : "",
		    path) < 0) {
			free(dflt);
			return ENOMEM;
		}
		p->paths[p->npaths++] = s;
		if (*e == '\0') {
			break;
		}
		d = e;
	}
	free(dflt);
	return 0;
}

static pid_t
qs_spawn(const char *path, int fd_count, const int fd_map[],
    const struct inheritance *inherit, char *const argv[],
    char *const envp[], bool search)
{
	struct qs_plan p;
	long om = sysconf(_SC_OPEN_MAX);
	pid_t r = -1;
	int err;

	memset(&p, 0, sizeof(p));
	if (inherit != NULL) {
		p.in = *inherit;
	}
	if (search) {
		p.in.flags |= SPAWN_SEARCH_PATH;
	}
	p.open_max = om > 0 && om < INT_MAX ? (int) om : 1024;
	err = qs_check(path, fd_count, fd_map, &p.in, argv, p.open_max);
	if (err != 0) {
		errno = err;
		return -1;
	}
	p.argv = argv;
	p.envp = envp != NULL ? envp : environ;
	p.fd_count = fd_count;
	p.fd_map = fd_map;
	p.fd_base = fd_count;
	for (int i = 0; i < fd_count; i++) {
		if (fd_map[i] >= p.fd_base) {
			p.fd_base = fd_map[i] + 1;
		}
	}
	err = qs_paths(&p, path, (p.in.flags & SPAWN_SEARCH_PATH) != 0);
	if (err == 0 && fd_count > 0) {
		p.tmp = calloc((size_t) fd_count, sizeof(*p.tmp));
		err = p.tmp == NULL ? ENOMEM : 0;
	}
	if (err == 0 && (p.in.flags & SPAWN_CHECK_SCRIPT) != 0) {
		size_t n = 0;

		while (argv[n] != NULL) {
			n++;
		}
		p.sh_argv = calloc(n + 2, sizeof(*p.sh_argv));
		if (p.sh_argv == NULL) {
			err = ENOMEM;
		} else {
			p.sh_argv[0] = (char *) "sh";
			for (size_t i = 1; i < n; i++) {
				p.sh_argv[i + 1] = argv[i];
			}
		}
	}
	if (err != 0) {
		qs_free(&p);
		errno = err;
		return -1;
	}
	if ((p.in.flags & SPAWN_EXEC) != 0) {
		int nofd = -1;

		(void) pthread_sigmask(SIG_SETMASK, NULL, &p.mask);
		err = qs_apply(&p, &nofd);
		if (err == 0 && (p.in.flags & SPAWN_HOLD) != 0) {
			(void) kill(getpid(), SIGSTOP);
		}
		if (err == 0) {
			if ((p.in.flags & SPAWN_SETSIGMASK) != 0) {
				(void) pthread_sigmask(SIG_SETMASK,
				    &p.in.sigmask, NULL);
			}
			err = qs_exec(&p);
			(void) pthread_sigmask(SIG_SETMASK, &p.mask, NULL);
		}
		errno = err;
	} else {
		/* Not a cancellation point (QNX's spawn() is not one): a
		 * cancellation in the wait for the child's report (read,
		 * waitpid) would leak the plan, the pipe and an unreaped
		 * child. */
		int cs;

		(void) pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cs);
		r = qs_run(&p);
		err = errno;
		(void) pthread_setcancelstate(cs, NULL);
		errno = err;
	}
	err = errno;
	qs_free(&p);
	errno = err;
	return r;
}

pid_t
axon_spawn(const char *path, int fd_count, const int fd_map[],
    const struct inheritance *inherit, char *const argv[],
    char *const envp[])
{
	return qs_spawn(path, fd_count, fd_map, inherit, argv, envp, false);
}

pid_t
axon_spawnp(const char *file, int fd_count, const int fd_map[],
    const struct inheritance *inherit, char *const argv[],
    char *const envp[])
{
	return qs_spawn(file, fd_count, fd_map, inherit, argv, envp, true);
}

/* QNX's names (AXON_QNX_NAME, internal.h). */
#undef spawn
#undef spawnp
AXON_QNX_NAME(spawn, axon_spawn);
AXON_QNX_NAME(spawnp, axon_spawnp);
