/* SPDX-License-Identifier: MIT */
/*
 * The name service: name_attach/name_detach/name_open/name_close (the
 * dispatch structure is dispatch.c's).
 *
 * A name is a file $AXON_RUNDIR/name/{local,global}/<name> holding
 * "pid chid starttime".  It is created with link(), which fails if the
 * name exists, so only one process can hold a name; an entry whose
 * process is gone (pid dead, or reused: start time differs) is stale and
 * is replaced.  name_open() connects to the recorded channel.
 *
 * The registries are every user's (sticky, 01777): an entry counts only
 * if its file's owner is root or one of its process's uids, and what is
 * in the way of a name and is no live entry (a stale or planted file, a
 * planted directory) is removed by whoever may: the owner, root, or
 * axond (running as root, it reclaims such things on every tick, and
 * gives registry directories to root so that no user may remove what
 * others put in them).  name_attach() by root does the same itself;
 * another user's waits for axond (docs/design/names.md, "Trust").
 *
 * Global names are also other nodes': the node's axond publishes every
 * global name it knows of, this node's and its peers', with the claim
 * that serves each marked, in $AXON_RUNDIR/names (docs/design/names.md);
 * name_open(NAME_FLAG_ATTACH_GLOBAL) looks there first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sys/dispatch.h>
#include <sys/netmgr.h>

#include "dispatch_int.h"
#include "internal.h"
#include "wire.h"

static int
name_valid(const char *name)
{
	size_t len;

	if (name == NULL) {
		return -EINVAL;
	}
	len = strlen(name);
	if (len == 0 || name[0] == '/' || name[len - 1] == '/') {
		return -EINVAL;
	}
	if (len > NAME_MAX) {
		return -ENAMETOOLONG;
	}
	for (const char *p = name; *p != '\0'; p++) {
		if (p[0] == '.' && p[1] == '.' &&
		    (p == name || p[-1] == '/') && (p[2] == '/' || p[2] == 0)) {
			return -EINVAL;
		}
		if (p[0] == '/' && p[1] == '/') {
			return -EINVAL;
		}
	}
	return 0;
}

static int
name_path(char *buf, size_t len, const char *name, bool global)
{
	char rd[256];
	int rc = axon__rundir(rd, sizeof(rd));

	if (rc < 0) {
		return rc;
	}
	if ((size_t) snprintf(buf, len, "%s/name/%s/%s", rd,
		global ? "global" : "local", name) >= len) {
		return -ENAMETOOLONG;
	}
	return 0;
}

const char *
axon__name_of_path(const char *path, bool *ret_global)
{
	static const char local[] = "/dev/name/local/";
	static const char global[] = "/dev/name/global/";

	if (path == NULL) {
		return NULL;
	}
	if (strncmp(path, local, sizeof(local) - 1) == 0) {
		*ret_global = false;
		return path + sizeof(local) - 1;
	}
	if (strncmp(path, global, sizeof(global) - 1) == 0) {
		*ret_global = true;
		return path + sizeof(global) - 1;
	}
	return NULL;
}

int
axon__name_lookup(const char *name, bool global, pid_t *ret_pid,
    int *ret_chid)
{
	char fpath[PATH_MAX];
	struct axon_name_entry r;
	int rc = name_valid(name);

	if (rc == 0) {
		rc = name_path(fpath, sizeof(fpath), name, global);
	}
	if (rc == 0) {
		rc = axon__name_entry_read(AT_FDCWD, fpath, &r);
	}
	if (rc == 0 && !axon__name_entry_live(&r)) {
		rc = -ENOENT;
	}
	if (rc < 0) {
		return rc == -EINVAL || rc == -ENOTDIR ? -ENOENT : rc;
	}
	*ret_pid = r.pid;
	*ret_chid = r.chid;
	return 0;
}

/* Directories a registry may have below name/{local,global} (a name
 * has at most 128 components), and entries reclaimed at most per call. */
#define NAME_DEPTH_MAX   128
#define NAME_RECLAIM_MAX 4096

/*
 * Makes the directories above path's entry (01777, as the registries
 * are every user's).  Those of the first base bytes of path (the run
 * directory) are only made; below, something in the way that is no
 * directory is reclaimed if it is no live entry (-EBUSY if we may not).
 * A directory someone else owns could have what we put in it removed
 * by its owner: root takes it over (axond does the same for everyone);
 * anyone else reports it through *foreign, and the caller decides.
 */
static int
mkparents(const char *path, size_t base, bool *foreign)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path);
	uid_t me = geteuid();

	if (len >= sizeof(tmp)) {
		return -ENAMETOOLONG;
	}
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; *p != '\0'; p++) {
		struct stat st;
		int rc;

		if (*p != '/') {
			continue;
		}
		*p = '\0';
		if (mkdir(tmp, 01777) == 0) {
			(void) chmod(tmp, 01777); /* despite the umask */
		} else if (errno != EEXIST) {
			return -errno;
		} else if ((size_t) (p - tmp) < base) {
			/* above the registries: not ours to judge */
		} else if (lstat(tmp, &st) < 0) {
			return -errno;
		} else if (!S_ISDIR(st.st_mode)) {
			rc = axon__name_reclaim(AT_FDCWD, tmp, 0);
			if (rc == 0 && mkdir(tmp, 01777) == 0) {
				(void) chmod(tmp, 01777);
			} else if (rc == -EEXIST) {
				return -ENOTDIR; /* a live name: "a" of "a/b" */
			} else {
				return -EBUSY; /* in the way, not ours */
			}
		} else if (st.st_uid != 0 && st.st_uid != me) {
			int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);

			if (fd < 0 || me != 0 || fchown(fd, 0, 0) < 0 ||
			    fchmod(fd, 01777) < 0) {
				*foreign = true;
			}
			if (fd >= 0) {
				(void) close(fd);
			}
		}
		*p = '/';
	}
	return 0;
}

int
axon__name_entry_read(int dirfd, const char *file,
    struct axon_name_entry *r)
{
	char buf[128];
	struct stat st;
	ssize_t n;
	int pid, chid;
	unsigned long long start;
	int fd = openat(dirfd, file,
	    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		(void) close(fd);
		return -EINVAL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	(void) close(fd);
	if (n <= 0) {
		return -EINVAL;
	}
	buf[n] = '\0';
	if (sscanf(buf, "%d %d %llu", &pid, &chid, &start) != 3 || pid <= 0 ||
	    chid < 0) {
		return -EINVAL;
	}
	r->pid = pid;
	r->chid = chid;
	r->start = start;
	r->owner = st.st_uid;
	return 0;
}

/* What an entry is worth: its process lives and may hold it (LIVE), it
 * is nobody's (DEAD: no such process, another process since, or a file
 * owner the process has no uid of), or we could not tell (UNSURE: we
 * are out of descriptors or memory). */
enum entry_state { ENTRY_LIVE, ENTRY_DEAD, ENTRY_UNSURE };

static enum entry_state
entry_state(const struct axon_name_entry *r)
{
	uid_t uids[4];
	bool owned = r->owner == 0;
	uint64_t start;
	int rc = 0;

	if (kill(r->pid, 0) < 0 && errno == ESRCH) {
		return ENTRY_DEAD;
	}
	/* The uids first, then the start time: if the start time is still
	 * the one recorded, the uids were that process's. */
	if (!owned) {
		rc = axon__proc_uids(r->pid, uids);
		for (int i = 0; rc == 0 && i < 4; i++) {
			owned = owned || uids[i] == r->owner;
		}
	}
	start = axon__proc_start_time(r->pid);
	if (start == 0 || (rc < 0 && rc != -ENOENT && rc != -ESRCH)) {
		/* Gone meanwhile, or we cannot read /proc. */
		return kill(r->pid, 0) < 0 && errno == ESRCH ? ENTRY_DEAD
							     : ENTRY_UNSURE;
	}
	if (start != r->start || !owned) {
		return ENTRY_DEAD;
	}
	return ENTRY_LIVE;
}

bool
axon__name_entry_live(const struct axon_name_entry *r)
{
	return entry_state(r) == ENTRY_LIVE;
}

/* Unlinks file (relative to dirfd) if it is still what st describes. */
static int
unlink_same(int dirfd, const char *file, const struct stat *st, int flags)
{
	struct stat now;

	if (fstatat(dirfd, file, &now, AT_SYMLINK_NOFOLLOW) < 0) {
		return errno == ENOENT ? 0 : -errno;
	}
	if (now.st_dev != st->st_dev || now.st_ino != st->st_ino) {
		return -EAGAIN; /* replaced meanwhile: look again */
	}
	if (unlinkat(dirfd, file, flags) < 0) {
		return errno == ENOENT ? 0 : -errno;
	}
	return 0;
}

static int
reclaim(int dfd, const char *file, int depth, int *budget)
{
	struct axon_name_entry r;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = 0;
	int fd;

	if (--*budget < 0) {
		return -E2BIG;
	}
	if (fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		return errno == ENOENT ? 0 : -errno;
	}
	if (S_ISREG(st.st_mode)) {
		rc = axon__name_entry_read(dfd, file, &r);
		if (rc == 0) {
			switch (entry_state(&r)) {
			case ENTRY_LIVE:
				return -EEXIST;
			case ENTRY_UNSURE:
				return -EAGAIN; /* never remove on a doubt */
			case ENTRY_DEAD:
				break;
			}
		} else if (rc != -EINVAL) {
			return rc == -ENOENT ? 0 : rc;
		}
		return unlink_same(dfd, file, &st, 0);
	}
	if (!S_ISDIR(st.st_mode)) {
		return unlink_same(dfd, file, &st, 0);
	}
	if (depth >= NAME_DEPTH_MAX) {
		return -ELOOP;
	}
	fd = openat(dfd, file, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		rc = -errno;
		(void) close(fd);
		return rc;
	}
	while ((de = readdir(d)) != NULL) {
		int r2;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0) {
			continue;
		}
		r2 = reclaim(dirfd(d), de->d_name, depth + 1, budget);
		if (r2 == -EEXIST || (r2 < 0 && rc == 0)) {
			rc = r2; /* a live entry inside says it all */
		}
		if (r2 == -E2BIG) {
			break;
		}
	}
	(void) closedir(d);
	if (rc < 0) {
		return rc;
	}
	rc = unlink_same(dfd, file, &st, AT_REMOVEDIR);
	return rc == -ENOTEMPTY ? -EAGAIN : rc;
}

int
axon__name_reclaim(int dirfd, const char *file, int depth)
{
	int budget = NAME_RECLAIM_MAX;

	return reclaim(dirfd, file, depth, &budget);
}

static int
name_read(const char *path, struct axon_name_entry *r)
{
	return axon__name_entry_read(AT_FDCWD, path, r);
}

/* How long a name_attach() that found something of another user's in
 * the way (a planted file, a directory someone else owns) waits for
 * axond to reclaim it: an empty directory goes once it is a second
 * old, a planted file at the next tick. */
#define NAME_WAIT_NS 3000000000ll

static long long
name_clock(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* True if axond may still clear the way: it runs, and we may wait. */
static bool
name_wait(long long deadline)
{
	pid_t pid;

	if (axon__netmgr_pid(&pid) < 0 || name_clock() >= deadline) {
		return false;
	}
	(void) usleep(20000);
	return true;
}

static int
name_register(const char *path, int chid)
{
	char tmp[PATH_MAX + 32];
	char rd[256];
	char buf[96];
	long long deadline = name_clock() + NAME_WAIT_NS;
	bool foreign = false;
	int fd;
	int len;
	int rc;

	rc = axon__rundir(rd, sizeof(rd));
	if (rc < 0) {
		return rc;
	}
	/* The entry is written next to the registries, not in them, so that
	 * axond, which scans them, never sees a name that is not one. */
	if ((size_t) snprintf(tmp, sizeof(tmp), "%s/name/.tmp.%d.%d", rd,
		(int) getpid(), (int) axon__gettid()) >= sizeof(tmp)) {
		return -ENAMETOOLONG;
	}
	for (;;) {
		foreign = false;
		rc = mkparents(path, strlen(rd) + strlen("/name"), &foreign);
		if (rc == 0 && !foreign) {
			break;
		}
		/* In the way, and not ours to clear: axond clears it. */
		if ((rc < 0 && rc != -EBUSY) || !name_wait(deadline)) {
			if (rc < 0) {
				return rc == -EBUSY ? -EEXIST : rc;
			}
			break; /* without axond: as good as it gets */
		}
	}
	/* name/ is shared by every user (sticky, 01777): a file or link
	 * someone planted under this name is never written through (and
	 * never linked in as the entry), only replaced if it is ours. */
	fd = axon__tmp_create(tmp);
	if (fd < 0) {
		return fd;
	}
	len = snprintf(buf, sizeof(buf), "%d %d %llu\n", (int) getpid(), chid,
	    (unsigned long long) axon__proc_start_time(getpid()));
	if (write(fd, buf, (size_t) len) != len) {
		rc = -EIO;
		(void) close(fd);
		(void) unlink(tmp);
		return rc;
	}
	(void) close(fd);
	for (int tries = 0; tries < 100; tries++) {
		if (link(tmp, path) == 0) {
			(void) unlink(tmp);
			return 0;
		}
		rc = -errno;
		if (rc == -ENOENT || rc == -ENOTDIR) {
			/* A directory above went meanwhile (axond removes
			 * empty ones that are old enough): make it again. */
			rc = mkparents(path, strlen(rd) + strlen("/name"),
			    &foreign);
			if (rc < 0) {
				rc = rc == -EBUSY ? -EEXIST : rc;
				break;
			}
			continue;
		}
		if (rc != -EEXIST) {
			break;
		}
		/* Taken: by a live server, or by something stale or planted
		 * that whoever may removes (us, root or axond)? */
		rc = axon__name_reclaim(AT_FDCWD, path, 0);
		if (rc == -EEXIST) {
			break;
		}
		if (rc < 0 && rc != -EAGAIN && !name_wait(deadline)) {
			rc = -EEXIST;
			break;
		}
		rc = -EEXIST;
	}
	(void) unlink(tmp);
	return rc;
}

struct name_entry {
	name_attach_t *na;
	char *path;
	struct name_entry *next;
};
static struct name_entry *names;
static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;

static int
name_remember(name_attach_t *na, char *path)
{
	struct name_entry *e = malloc(sizeof(*e));

	if (e == NULL) {
		return -ENOMEM;
	}
	e->na = na;
	e->path = path;
	pthread_mutex_lock(&names_lock);
	e->next = names;
	names = e;
	pthread_mutex_unlock(&names_lock);
	return 0;
}

name_attach_t *
name_attach(dispatch_t *dpp, const char *path, unsigned flags)
{
	char fpath[PATH_MAX];
	name_attach_t *na;
	bool own = dpp == NULL;
	int rc;

	rc = name_valid(path);
	if (rc == 0 && (flags & ~(unsigned) NAME_FLAG_ATTACH_GLOBAL)) {
		rc = -EINVAL;
	}
	if (rc == 0) {
		rc = name_path(fpath, sizeof(fpath), path,
		    (flags & NAME_FLAG_ATTACH_GLOBAL) != 0);
	}
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	na = calloc(1, sizeof(*na));
	if (na == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if (own) {
		dpp = dispatch_create();
		if (dpp == NULL) {
			free(na);
			return NULL;
		}
	}
	rc = name_register(fpath, dpp->chid);
	if (rc < 0) {
		if (own) {
			(void) dispatch_destroy(dpp);
		}
		free(na);
		errno = -rc;
		return NULL;
	}
	axon__dispatch_name(dpp); /* its dispatch answers name_open() */
	na->dpp = dpp;
	na->chid = dpp->chid;
	/* mntid remembers where the name lives: 1 local, 2 global. */
	na->mntid = (flags & NAME_FLAG_ATTACH_GLOBAL) ? 2 : 1;
	na->zero[0] = own ? 1 : 0; /* we created the dispatch */
	/* Keep the name so name_detach can remove it. */
	char *copy = strdup(fpath);
	if (copy == NULL) {
		(void) unlink(fpath);
		if (own) {
			(void) dispatch_destroy(dpp);
		}
		free(na);
		errno = ENOMEM;
		return NULL;
	}
	/* name_attach_t has no room for a pointer, so keep a side table. */
	if (name_remember(na, copy) < 0) {
		free(copy);
		(void) unlink(fpath);
		if (own) {
			(void) dispatch_destroy(dpp);
		}
		free(na);
		errno = ENOMEM;
		return NULL;
	}
	return na;
}

int
name_detach(name_attach_t *attach, unsigned flags)
{
	struct name_entry **pp;
	struct name_entry *e = NULL;
	struct axon_name_entry r;

	if (attach == NULL) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&names_lock);
	for (pp = &names; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->na == attach) {
			e = *pp;
			*pp = e->next;
			break;
		}
	}
	pthread_mutex_unlock(&names_lock);
	if (e == NULL) {
		errno = EINVAL;
		return -1;
	}
	/* Remove the file only if it is still ours. */
	if (name_read(e->path, &r) == 0 && r.pid == getpid() &&
	    r.chid == attach->chid) {
		(void) unlink(e->path);
	}
	if (attach->zero[0] == 1 && !(flags & NAME_FLAG_DETACH_SAVEDPP)) {
		(void) dispatch_destroy(attach->dpp);
	}
	free(e->path);
	free(e);
	free(attach);
	return 0;
}

/* The claim that serves the global name: 0, or -ENOENT if the names file
 * (or a well-formed '+' line for the name in it) is missing. */
static int
names_winner(const char *name, struct axon_name_claim *ret_claim)
{
	char path[PATH_MAX];
	char rd[256];
	char buf[4096];
	struct axon_names_scan sc;
	struct stat st;
	int state;
	int fd;
	int rc;

	rc = axon__rundir(rd, sizeof(rd));
	if (rc < 0) {
		return rc;
	}
	if ((size_t) snprintf(path, sizeof(path), "%s/names", rd) >=
	    sizeof(path)) {
		return -ENAMETOOLONG;
	}
	axon__names_scan_init(&sc, name);
	/* A cancelled read would leak the descriptor. */
	(void) pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &state);
	/* O_NONBLOCK: a FIFO planted there must not hang the caller. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		while (!sc.found) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n < 0 && errno == EINTR) {
				continue;
			}
			if (n <= 0) {
				break; /* a last line without '\n' is cut */
			}
			(void) axon__names_scan_feed(&sc, buf, (size_t) n);
		}
	}
	if (fd >= 0) {
		(void) close(fd);
	}
	(void) pthread_setcancelstate(state, NULL);
	if (!sc.found) {
		return -ENOENT;
	}
	*ret_claim = sc.claim;
	return 0;
}

/*
 * name_open() of a full path, as QNX programs write it: a name as the
 * path space shows it (/dev/name/local/NAME, /dev/name/global/NAME),
 * maybe under another node's directory (/net/NODE/dev/name/...), whose
 * axond then finds the name in that node's registry.  coid or -errno.
 */
static int
name_open_path(const char *path, int flags, int cof)
{
	struct axon_path_entry *e = NULL;
	const char *name, *rest = path;
	bool global = false;
	int nd = ND_LOCAL_NODE, n, rc;

	if (strncmp(path, "/net/", 5) == 0) {
		char *end = NULL;

		nd = netmgr_strtond(path, &end);
		if (nd < 0) {
			return errno == EINVAL ? -EINVAL : -ENOENT;
		}
		rest = end;
	}
	name = axon__name_of_path(rest, &global);
	if (name == NULL) {
		return -EINVAL; /* no name's path */
	}
	if (nd == ND_LOCAL_NODE) {
		rc = name_open(name, global ? flags | NAME_FLAG_ATTACH_GLOBAL
					    : flags & ~NAME_FLAG_ATTACH_GLOBAL);
		return rc < 0 ? -errno : rc;
	}
	if (name_valid(name) < 0) {
		return -EINVAL;
	}
	n = axon__netpath(nd, AXON_WIRE_PATH_RESOLVE, _FTYPE_NAME, rest, &e);
	if (n <= 0) {
		return n == 0 ? -ENOENT : n;
	}
	rc = ConnectAttach_r((uint32_t) nd, e[0].pid, e[0].chid,
	    _NTO_SIDE_CHANNEL, cof);
	free(e);
	if (rc >= 0) {
		rc = axon__io_name_connect(rc); /* as QNX's, see there */
	}
	return rc == -ESRCH ? -ENOENT : rc;
}

int
name_open(const char *name, int flags)
{
	char fpath[PATH_MAX];
	struct axon_name_claim c;
	struct axon_name_entry r;
	int rc;
	int cof = 0;

	rc = name_valid(name);
	if (rc == 0 && (flags & ~(NAME_FLAG_ATTACH_GLOBAL |
				_NAME_FLAG_COF_CLOEXEC | _NAME_FLAG_COF_INSECURE |
				_NAME_FLAG_COF_NOEVENT |
				_NAME_FLAG_COF_REG_EVENTS))) {
		rc = -EINVAL;
	}
	if (flags & _NAME_FLAG_COF_CLOEXEC) {
		cof |= _NTO_COF_CLOEXEC;
	}
	if (flags & _NAME_FLAG_COF_INSECURE) {
		cof |= _NTO_COF_INSECURE;
	}
	if (flags & _NAME_FLAG_COF_NOEVENT) {
		cof |= _NTO_COF_NOEVENT;
	}
	if (flags & _NAME_FLAG_COF_REG_EVENTS) {
		cof |= _NTO_COF_REG_EVENTS;
	}
	if (name != NULL && name[0] == '/' &&
	    (flags & ~(NAME_FLAG_ATTACH_GLOBAL | _NAME_FLAG_COF_CLOEXEC |
		_NAME_FLAG_COF_INSECURE | _NAME_FLAG_COF_NOEVENT |
		_NAME_FLAG_COF_REG_EVENTS)) == 0) {
		rc = name_open_path(name, flags, cof);
		if (rc < 0) {
			errno = -rc;
			return -1;
		}
		return rc;
	}
	if (rc == 0 && (flags & NAME_FLAG_ATTACH_GLOBAL) &&
	    names_winner(name, &c) == 0) {
		/* The claim every node agrees serves the name, maybe on
		 * another node (nd 0 is this one). */
		bool gone = c.nd == ND_LOCAL_NODE &&
		    ((kill(c.pid, 0) < 0 && errno == ESRCH) ||
			axon__proc_start_time(c.pid) != c.start);

		/* A claim of this node whose process is gone (the file may
		 * be a killed axond's, its pid reused since) is not taken. */
		rc = gone ? -ESRCH : ConnectAttach_r(c.nd, c.pid, c.chid,
		    _NTO_SIDE_CHANNEL, cof);
		if (rc >= 0) {
			rc = axon__io_name_connect(rc);
			if (rc < 0) {
				errno = -rc;
				return -1;
			}
			return rc;
		}
		if (rc != -ESRCH && rc != -ENOREMOTE) {
			errno = -rc;
			return -1;
		}
		/* Gone since axond looked, or axond is: this node's own
		 * registry still answers. */
		rc = 0;
	}
	if (rc == 0) {
		rc = name_path(fpath, sizeof(fpath), name,
		    (flags & NAME_FLAG_ATTACH_GLOBAL) != 0);
	}
	if (rc == 0) {
		rc = name_read(fpath, &r);
		if (rc == -EINVAL) {
			rc = -ENOENT;
		}
	}
	if (rc == 0 && !axon__name_entry_live(&r)) {
		rc = -ENOENT;
	}
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	rc = ConnectAttach_r(0, r.pid, r.chid,
	    _NTO_SIDE_CHANNEL, cof);
	if (rc >= 0) {
		rc = axon__io_name_connect(rc); /* as QNX's, see there */
	}
	if (rc < 0) {
		errno = rc == -ESRCH ? ENOENT : -rc;
		return -1;
	}
	return rc;
}

int
name_close(int coid)
{
	return ConnectDetach(coid);
}
