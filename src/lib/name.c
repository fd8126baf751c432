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
#include <sys/stat.h>
#include <unistd.h>

#include <sys/dispatch.h>
#include <sys/netmgr.h>

#include "dispatch_int.h"
#include "internal.h"

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

static int
mkparents(const char *path)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(tmp)) {
		return -ENAMETOOLONG;
	}
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 01777) == 0) {
				(void) chmod(tmp, 01777); /* despite the umask */
			} else if (errno != EEXIST) {
				return -errno;
			}
			*p = '/';
		}
	}
	return 0;
}

int
axon__name_entry_read(int dirfd, const char *file,
    struct axon_name_entry *r)
{
	char buf[128];
	ssize_t n;
	int pid, chid;
	unsigned long long start;
	int fd = openat(dirfd, file,
	    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		return -errno;
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
	return 0;
}

bool
axon__name_entry_live(const struct axon_name_entry *r)
{
	if (kill(r->pid, 0) < 0 && errno == ESRCH) {
		return false;
	}
	return axon__proc_start_time(r->pid) == r->start;
}

static int
name_read(const char *path, struct axon_name_entry *r)
{
	return axon__name_entry_read(AT_FDCWD, path, r);
}


static int
name_register(const char *path, int chid)
{
	char tmp[PATH_MAX + 32];
	char rd[256];
	char buf[96];
	int fd;
	int len;
	int rc;

	rc = mkparents(path);
	if (rc == 0) {
		rc = axon__rundir(rd, sizeof(rd));
	}
	if (rc < 0) {
		return rc;
	}
	/* The entry is written next to the registries, not in them, so that
	 * axond, which scans them, never sees a name that is not one. */
	if ((size_t) snprintf(tmp, sizeof(tmp), "%s/name/.tmp.%d.%d", rd,
		(int) getpid(), (int) axon__gettid()) >= sizeof(tmp)) {
		return -ENAMETOOLONG;
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
	for (int tries = 0; tries < 3; tries++) {
		struct axon_name_entry r;

		if (link(tmp, path) == 0) {
			(void) unlink(tmp);
			return 0;
		}
		if (errno != EEXIST) {
			rc = -errno;
			break;
		}
		/* Taken: by a live server, or a stale entry? */
		if (name_read(path, &r) == 0 && axon__name_entry_live(&r)) {
			rc = -EEXIST;
			break;
		}
		(void) unlink(path);
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

/*
 * $AXON_RUNDIR/names, written by axond (atomically: temporary file and
 * rename) whenever its view changes, one claim of a global name a line:
 *
 *	# axon names v1: state nd pid chid stamp node name
 *	+ 1 4242 1 1764000000123456789 beta printer/ps
 *	- 0 777 2 1764000000987654321 alpha printer/ps
 *
 * '+' marks the claim that serves the name, '-' one it shadows.  The
 * name is the rest of the line (it may hold spaces).  The file comes
 * from another process: lines are bounded, and one that does not parse
 * exactly is skipped.
 */
#define NAMES_LINE_MAX 512

struct name_claim {
	uint32_t nd;
	pid_t pid;
	int chid;
};

/* A decimal number up to max: digits only, no leading zero. */
static bool
names_num(const char *s, size_t len, unsigned long long max,
    unsigned long long *ret)
{
	unsigned long long v = 0;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0')) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned) (s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || v > (max - d) / 10) {
			return false;
		}
		v = v * 10 + d;
	}
	*ret = v;
	return true;
}

static bool
names_node_ok(const char *s, size_t len)
{
	if (len == 0 || len > 63) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '-')) {
			return false;
		}
	}
	return true;
}

/* One line (without its '\n'; any bytes): the '+' claim of want? */
static bool
names_parse(const char *line, size_t len, const char *want,
    struct name_claim *c)
{
	const char *f[6];
	size_t fl[6];
	size_t nf = 0;
	size_t start = 0;
	unsigned long long nd, pid, chid, stamp;

	for (size_t i = 0; i < len && nf < 6; i++) {
		if (line[i] != ' ') {
			continue;
		}
		if (i == start) {
			return false; /* an empty field */
		}
		f[nf] = line + start;
		fl[nf++] = i - start;
		start = i + 1;
	}
	if (nf != 6 || len - start != strlen(want) ||
	    memcmp(line + start, want, len - start) != 0) {
		return false;
	}
	if (fl[0] != 1 || f[0][0] != '+' ||
	    !names_num(f[1], fl[1], ND_NODE_MASK, &nd) ||
	    !names_num(f[2], fl[2], INT_MAX, &pid) || pid == 0 ||
	    !names_num(f[3], fl[3], INT_MAX, &chid) ||
	    !names_num(f[4], fl[4], UINT64_MAX, &stamp) ||
	    !names_node_ok(f[5], fl[5])) {
		return false;
	}
	c->nd = (uint32_t) nd;
	c->pid = (pid_t) pid;
	c->chid = (int) chid;
	return true;
}

/* The claim that serves the global name: 0, or -ENOENT if the names file
 * (or a well-formed '+' line for the name in it) is missing. */
static int
names_winner(const char *name, struct name_claim *ret_claim)
{
	char path[PATH_MAX];
	char rd[256];
	char buf[4096];
	char line[NAMES_LINE_MAX];
	struct name_claim c;
	struct stat st;
	size_t ll = 0;
	bool over = false;
	bool found = false;
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
	/* A cancelled read would leak the descriptor. */
	(void) pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &state);
	/* O_NONBLOCK: a FIFO planted there must not hang the caller. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		while (!found) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n < 0 && errno == EINTR) {
				continue;
			}
			if (n <= 0) {
				break; /* a last line without '\n' is cut */
			}
			for (ssize_t i = 0; i < n && !found; i++) {
				if (buf[i] == '\n') {
					found = !over && names_parse(line, ll,
					    name, &c);
					ll = 0;
					over = false;
				} else if (ll < sizeof(line)) {
					line[ll++] = buf[i];
				} else {
					over = true; /* too long: skipped */
				}
			}
		}
	}
	if (fd >= 0) {
		(void) close(fd);
	}
	(void) pthread_setcancelstate(state, NULL);
	if (!found) {
		return -ENOENT;
	}
	*ret_claim = c;
	return 0;
}

int
name_open(const char *name, int flags)
{
	char fpath[PATH_MAX];
	struct name_claim c;
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
	if (rc == 0 && (flags & NAME_FLAG_ATTACH_GLOBAL) &&
	    names_winner(name, &c) == 0) {
		/* The claim every node agrees serves the name, maybe on
		 * another node (nd 0 is this one). */
		rc = ConnectAttach_r(c.nd, c.pid, c.chid, _NTO_SIDE_CHANNEL,
		    cof);
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
