/* SPDX-License-Identifier: MIT */
/*
 * A process's entries in the run directory: where it listens, how a
 * client makes sure the process it reached is the one it asked for, and
 * how the entries of dead processes are reclaimed.  See
 * docs/design/local-transport.md §1, §5 and §8.
 *
 * $AXON_RUNDIR/pid/ is everyone's (01777, sticky), so any local user may
 * put anything there under any name.  Nothing in it is taken on trust:
 *
 * - A process listens on pid/<pid>; when that name is held by a file it
 *   may not remove (another user's, planted for a pid before it was ours),
 *   it listens on pid/<pid>.<16 random hex digits> instead, a name nobody
 *   can plant in advance.
 * - A client connects to pid/<pid> (one connect, the usual case) and asks
 *   the kernel which process called listen() on the socket it reached
 *   (SO_PEERCRED, and SO_PEERPIDFD to tell that process from a later
 *   one with the same number; before Linux 6.5, the later one's user).
 *   Only if that is not the process it asked for does it look at the
 *   pid's other names, pid/<pid>.*, with the same check.
 * - Entries whose process is gone are removed by axond (every few
 *   seconds) and, a bounded few, by each process that makes its own
 *   (axon__rundir_sweep); liveness comes from the kernel (the process,
 *   its start time, a listener behind the socket, the status page's
 *   lock), never from a file being there.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* Linux 6.5 (asm-generic) */
#endif

#define FALLBACK_TRIES 16   /* pid/<pid>.* names a client tries at most */
#define SHORT_WAIT_MS  100  /* for a listener that may be a squatter's */
#define SWEEP_SLACK_MS 1000 /* allowed between an entry's making and its
			     * process's start (clock ticks, clock steps) */

/* The path of pid's primary entry. */
static int
entry_path(const char *rundir, pid_t pid, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if ((size_t) snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/pid/%d",
		rundir, (int) pid) >= sizeof(sa->sun_path)) {
		return -ENAMETOOLONG;
	}
	return 0;
}

bool axon__no_peerpidfd;

/* Whether process pid runs as uid (real, effective, saved or fs). */
static bool
proc_has_uid(pid_t pid, uid_t uid)
{
	uid_t uids[4];

	if (axon__proc_uids(pid, uids) < 0) {
		return false;
	}
	for (int i = 0; i < 4; i++) {
		if (uids[i] == uid) {
			return true;
		}
	}
	return false;
}

int
axon__peer_pidfd(int sock, const struct ucred *cr)
{
	socklen_t len;
	int pidfd = -1;

	/*
	 * cr->pid is the process that called connect() or listen(), which
	 * may have handed its socket on and exited, and its number since
	 * been given to another process.  A pidfd names one process, never
	 * a later one of the same number.
	 */
	len = sizeof(pidfd);
	if (!axon__no_peerpidfd &&
	    getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0) {
		if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0 &&
		    errno == ESRCH) {
			(void) close(pidfd);
			return -ESRCH;
		}
		return pidfd;
	}
	if (!axon__no_peerpidfd && (errno == EMFILE || errno == ENFILE)) {
		return -EMFILE;
	}
	if (!axon__no_peerpidfd && errno != ENOPROTOOPT) {
		return -ESRCH; /* the peer's process is gone */
	}
	/* Before Linux 6.5: the process now of that number must at least be
	 * of the peer's user (or the peer root). */
	pidfd = (int) syscall(SYS_pidfd_open, cr->pid, 0);
	if (pidfd < 0) {
		return errno == EMFILE || errno == ENFILE ? -EMFILE : -ESRCH;
	}
	if (cr->uid != 0 && !proc_has_uid(cr->pid, cr->uid)) {
		(void) close(pidfd);
		return -ESRCH;
	}
	return pidfd;
}

int
axon__peer_alive(int sock, pid_t pid, uint64_t start)
{
	socklen_t len = sizeof(int);
	int pidfd = -1;

	/*
	 * The socket keeps the peer's struct pid, so a pidfd made from it
	 * now names the process that connected, never a later one of its
	 * number; it is closed at once (a server holds no descriptor per
	 * client for this, docs/design/local-transport.md §9).
	 */
	if (!axon__no_peerpidfd &&
	    getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0) {
		bool gone = syscall(SYS_pidfd_send_signal, pidfd, 0, NULL,
				0) < 0 &&
		    errno == ESRCH;

		(void) close(pidfd);
		return gone ? -ESRCH : 0;
	}
	if (!axon__no_peerpidfd && errno != ENOPROTOOPT && errno != EMFILE &&
	    errno != ENFILE) {
		return -ESRCH; /* the peer's process is gone */
	}
	/* Before Linux 6.5, or out of descriptors: the process of that pid
	 * must have started when the one that connected did (start times
	 * count clock ticks since boot; a pid is not reused within one). */
	return start != 0 && axon__proc_start_time(pid) == start ? 0 : -ESRCH;
}

int
axon__peer_is(int sock, pid_t pid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int pidfd;

	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 ||
	    cr.pid != pid) {
		return -ESRCH;
	}
	pidfd = axon__peer_pidfd(sock, &cr);
	if (pidfd < 0) {
		return pidfd == -EMFILE ? -EMFILE : -ESRCH;
	}
	(void) close(pidfd);
	return 0;
}

/* Connects a new socket to path within timeout_ms (a listener that does
 * not accept fills its backlog, and connect() would then wait for ever)
 * and checks it reached pid.  Returns the socket, -ESRCH (nobody, or
 * someone else), -EAGAIN (a listener that does not take connections) or
 * -EMFILE. */
static int
connect_checked(const char *path, pid_t pid, int timeout_ms)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	struct timeval zero = {0, 0};
	int fd;
	int rc;

	if ((size_t) snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path) >=
	    sizeof(sa.sun_path)) {
		return -ESRCH;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return errno == EMFILE || errno == ENFILE ? -EMFILE : -EAGAIN;
	}
	(void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
		rc = errno == EAGAIN || errno == EINPROGRESS ? -EAGAIN
								: -ESRCH;
		(void) close(fd);
		return rc;
	}
	(void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &zero, sizeof(zero));
	rc = axon__peer_is(fd, pid);
	if (rc < 0) {
		(void) close(fd);
		return rc;
	}
	return fd;
}

/* Whether name is "<pid>.<suffix>" for this pid. */
static bool
is_fallback(const char *name, const char *prefix, size_t plen)
{
	return strncmp(name, prefix, plen) == 0 && name[plen] != '\0';
}

int
axon__pid_connect(const char *rundir, pid_t pid, int timeout_ms)
{
	struct sockaddr_un sa;
	char dir[PATH_MAX];
	char prefix[24];
	char cand[FALLBACK_TRIES][NAME_MAX + 1];
	bool mine[FALLBACK_TRIES];
	int ncand = 0;
	size_t plen;
	struct stat st;
	uid_t uids[4];
	bool busy;
	DIR *d;
	int rc;

	rc = entry_path(rundir, pid, &sa);
	if (rc < 0) {
		return rc;
	}
	/* A listener that takes no connections (its queue full) may be one
	 * that squats the name: a short wait, then the other names, and
	 * only then the full one. */
	rc = connect_checked(sa.sun_path, pid, SHORT_WAIT_MS);
	if (rc >= 0 || rc == -EMFILE) {
		return rc;
	}
	busy = rc == -EAGAIN;
	/*
	 * Not pid's, or nobody's: pid may listen under another name
	 * because a file it may not remove holds this one.  Names owned by
	 * a user the process runs as are tried first, and given the full
	 * wait, so that names others planted can delay the search a little
	 * but not hide it.
	 */
	snprintf(dir, sizeof(dir), "%s/pid", rundir);
	plen = (size_t) snprintf(prefix, sizeof(prefix), "%d.", (int) pid);
	if (axon__proc_uids(pid, uids) < 0) {
		goto primary; /* no such process */
	}
	d = opendir(dir);
	if (d == NULL) {
		goto primary;
	}
	for (int pass = 0; pass < 2 && ncand < FALLBACK_TRIES; pass++) {
		struct dirent *e;

		rewinddir(d);
		while ((e = readdir(d)) != NULL && ncand < FALLBACK_TRIES) {
			bool own;

			if (!is_fallback(e->d_name, prefix, plen) ||
			    fstatat(dirfd(d), e->d_name, &st,
				AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISSOCK(st.st_mode)) {
				continue;
			}
			own = st.st_uid == uids[0] || st.st_uid == uids[1] ||
			    st.st_uid == uids[2] || st.st_uid == uids[3];
			if (own != (pass == 0)) {
				continue;
			}
			mine[ncand] = own;
			snprintf(cand[ncand++], sizeof(cand[0]), "%s",
			    e->d_name);
		}
	}
	(void) closedir(d);
	for (int i = 0; i < ncand; i++) {
		char path[PATH_MAX];

		if ((size_t) snprintf(path, sizeof(path), "%s/%s", dir,
			cand[i]) >= sizeof(path)) {
			continue;
		}
		rc = connect_checked(path, pid,
		    mine[i] ? timeout_ms : SHORT_WAIT_MS);
		if (rc >= 0 || rc == -EMFILE) {
			return rc;
		}
		busy = busy || rc == -EAGAIN;
	}
primary:
	if (!busy) {
		return -ESRCH;
	}
	/* Only the first name's listener might be pid, and busy. */
	return connect_checked(sa.sun_path, pid, timeout_ms);
}

int
axon__pid_listen(const char *rundir, pid_t pid, int *ret_fd, char *ret_path,
    size_t len)
{
	struct sockaddr_un sa;
	int fd;
	int rc;

	rc = entry_path(rundir, pid, &sa);
	if (rc < 0) {
		return rc;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		return -errno;
	}
	/* A file at our pid's name is a dead namesake's, or planted: remove
	 * it if we may (ours, or we are root)... */
	(void) unlink(sa.sun_path);
	rc = bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ? -errno : 0;
	/* ...and if we may not, take a name nobody could know before. */
	for (int tries = 0; rc == -EADDRINUSE && tries < 8; tries++) {
		uint64_t r;

		if (getrandom(&r, sizeof(r), 0) != (ssize_t) sizeof(r)) {
			rc = -EAGAIN;
			break;
		}
		rc = entry_path(rundir, pid, &sa);
		if (rc == 0 && (size_t) snprintf(sa.sun_path +
			strlen(sa.sun_path), sizeof(sa.sun_path) -
			strlen(sa.sun_path), ".%016llx",
			(unsigned long long) r) >= sizeof(sa.sun_path) -
			strlen(sa.sun_path)) {
			rc = -ENAMETOOLONG;
		}
		if (rc == 0 && bind(fd, (struct sockaddr *) &sa, sizeof(sa)) <
		    0) {
			rc = -errno;
		}
	}
	if (rc == 0 && (chmod(sa.sun_path, 0777) < 0 || listen(fd, 128) < 0)) {
		rc = -errno;
		(void) unlink(sa.sun_path);
	}
	if (rc == 0 && (size_t) snprintf(ret_path, len, "%s", sa.sun_path) >=
	    len) {
		ret_path[0] = '\0';
	}
	if (rc < 0) {
		(void) close(fd);
		return rc;
	}
	*ret_fd = fd;
	return 0;
}

/* ---- reclaiming the entries of dead processes ---- */

struct sweep {
	int64_t boot_wall;   /* CLOCK_REALTIME of boot, in ms */
	long hz;
	uid_t euid;
	bool quick;          /* only pids nobody has */
	unsigned removed;
	unsigned max;
};

/*
 * Whether an entry made at ctime (wall clock) for process pid can be
 * that process's: pid is alive (not a zombie) and started before the
 * entry was made.  An entry older than its pid's process is a dead
 * namesake's.
 */
static bool
owner_alive(const struct sweep *sw, pid_t pid, const struct timespec *ctime)
{
	uint64_t st = axon__proc_start_time(pid); /* 0: gone, or a zombie */

	if (st == 0) {
		return false;
	}
	return sw->boot_wall + (int64_t) (st * 1000 / (uint64_t) sw->hz) <=
	    (int64_t) ctime->tv_sec * 1000 + ctime->tv_nsec / 1000000 +
	    SWEEP_SLACK_MS;
}

/* Removes dir/name if it is still the file st describes. */
static void
remove_if_same(struct sweep *sw, int dfd, const char *name,
    const struct stat *st)
{
	struct stat now;

	if (fstatat(dfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    now.st_ino == st->st_ino && now.st_dev == st->st_dev &&
	    unlinkat(dfd, name, 0) == 0) {
		sw->removed++;
	}
}

/* Whether someone listens on the socket dir/name (connect without
 * waiting: a full backlog still says someone is there). */
static bool
has_listener(const char *dir, const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	bool yes;
	int fd;

	if ((size_t) snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir,
		name) >= sizeof(sa.sun_path)) {
		return true; /* cannot tell: keep it */
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		return true;
	}
	yes = connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0 ||
	    errno == EAGAIN;
	(void) close(fd);
	return yes;
}

/* The pid an entry's name is for ("123", "123.<hex>", ".123.new"). */
static pid_t
entry_pid(const char *name)
{
	char *end;
	long v;

	if (name[0] == '.') {
		name++;
	}
	if (name[0] < '0' || name[0] > '9') {
		return -1;
	}
	v = strtol(name, &end, 10);
	if (v <= 0 || v > INT_MAX || (*end != '\0' && *end != '.')) {
		return -1;
	}
	return (pid_t) v;
}

/* One entry of dir (d): removed if its process is gone and we may. */
static void
sweep_entry(struct sweep *sw, DIR *d, const char *dir,
    const struct stat *dst, const char *name, bool ps)
{
	struct stat st;
	pid_t pid = entry_pid(name);

	if (pid <= 0) {
		return;
	}
	/* A quick sweep leaves every pid in use (a zombie, a reused pid)
	 * to a full one: one system call per live entry. */
	if (sw->quick && (kill(pid, 0) == 0 || errno != ESRCH)) {
		return;
	}
	if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		return;
	}
	/* Only what we may remove (sticky directory). */
	if (sw->euid != 0 && st.st_uid != sw->euid &&
	    dst->st_uid != sw->euid) {
		return;
	}
	if (ps && name[0] != '.' && S_ISREG(st.st_mode)) {
		/* A status page is locked as long as its process lives
		 * (ps.c): no lock, no process. */
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		int fd = openat(dirfd(d), name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

		if (fd < 0) {
			return;
		}
		if (fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_UNLCK) {
			remove_if_same(sw, dirfd(d), name, &st);
		}
		(void) close(fd);
		return;
	}
	if (owner_alive(sw, pid, &st.st_ctim)) {
		return;
	}
	if (S_ISSOCK(st.st_mode) && has_listener(dir, name)) {
		return; /* someone holds it (handed on?): not ours */
	}
	remove_if_same(sw, dirfd(d), name, &st);
}

static void
sweep_dir(struct sweep *sw, const char *rundir, const char *sub, bool ps,
    unsigned scan)
{
	char dir[PATH_MAX];
	struct stat dst;
	unsigned skip = 0;
	unsigned idx = 0;
	unsigned seen = 0;
	bool wrapped = false;
	DIR *d;
	struct dirent *e;

	if ((size_t) snprintf(dir, sizeof(dir), "%s/%s", rundir, sub) >=
	    sizeof(dir)) {
		return;
	}
	d = opendir(dir);
	if (d == NULL || fstat(dirfd(d), &dst) < 0) {
		if (d != NULL) {
			(void) closedir(d);
		}
		return;
	}
	if (scan != 0) {
		/* A bounded sweep starts at a random place and wraps round,
		 * so that live entries at the front do not hide the dead
		 * ones behind. */
		if (getrandom(&skip, sizeof(skip), GRND_NONBLOCK) !=
		    (ssize_t) sizeof(skip)) {
			skip = (unsigned) getpid(); /* any start will do */
		}
		skip %= scan;
	}
	while (sw->removed < sw->max && (scan == 0 || seen < scan)) {
		unsigned i;

		e = readdir(d);
		if (e == NULL) {
			if (wrapped || skip == 0) {
				break;
			}
			rewinddir(d);
			wrapped = true;
			idx = 0;
			continue;
		}
		i = idx++;
		if (!wrapped && i < skip) {
			continue;
		}
		if (wrapped && i >= skip) {
			break;
		}
		seen++;
		sweep_entry(sw, d, dir, &dst, e->d_name, ps);
	}
	(void) closedir(d);
}

unsigned
axon__rundir_sweep(const char *rundir, unsigned scan, unsigned max)
{
	struct timespec rt;
	struct timespec bt;
	struct sweep sw = {
		.euid = geteuid(),
		.max = max != 0 ? max : UINT_MAX,
		.quick = scan != 0,
		.hz = sysconf(_SC_CLK_TCK),
	};

	if (sw.hz <= 0) {
		sw.hz = 100;
	}
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	sw.boot_wall = ((int64_t) rt.tv_sec - (int64_t) bt.tv_sec) * 1000 +
	    ((int64_t) rt.tv_nsec - (int64_t) bt.tv_nsec) / 1000000;
	sweep_dir(&sw, rundir, "pid", false, scan);
	sweep_dir(&sw, rundir, "ps", true, scan);
	return sw.removed;
}
