/* SPDX-License-Identifier: MIT */
/*
 * The name service: name_attach/name_detach/name_open/name_close and a
 * minimal dispatch_create/dispatch_destroy.
 *
 * A name is a file $AXON_RUNDIR/name/{local,global}/<name> holding
 * "pid chid starttime".  It is created with link(), which fails if the
 * name exists, so only one process can hold a name; an entry whose
 * process is gone (pid dead, or reused: start time differs) is stale and
 * is replaced.  name_open() connects to the recorded channel.
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

#include "internal.h"

struct _dispatch {
	int chid;
};

static int dispatch_coid_chid = -1; /* our COID_DISCONNECT channel */

static int
dispatch_chan(void)
{
	unsigned flags = _NTO_CHF_UNBLOCK | _NTO_CHF_DISCONNECT;
	int chid;

	/* COID_DISCONNECT may be on only one channel per process. */
	if (dispatch_coid_chid < 0) {
		chid = ChannelCreate_r(flags | _NTO_CHF_COID_DISCONNECT);
		if (chid >= 0) {
			dispatch_coid_chid = chid;
			return chid;
		}
		if (chid != -EBUSY) {
			return chid;
		}
	}
	return ChannelCreate_r(flags);
}

dispatch_t *
dispatch_create(void)
{
	dispatch_t *d = calloc(1, sizeof(*d));
	int chid;

	if (d == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	chid = dispatch_chan();
	if (chid < 0) {
		free(d);
		errno = -chid;
		return NULL;
	}
	d->chid = chid;
	return d;
}

int
dispatch_destroy(dispatch_t *dpp)
{
	if (dpp == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (dpp->chid == dispatch_coid_chid) {
		dispatch_coid_chid = -1;
	}
	(void) ChannelDestroy_r(dpp->chid);
	free(dpp);
	return 0;
}

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

struct name_rec {
	pid_t pid;
	int chid;
	unsigned long long start;
};

static int
name_read(const char *path, struct name_rec *r)
{
	char buf[128];
	ssize_t n;
	int pid;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		return -errno;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	(void) close(fd);
	if (n <= 0) {
		return -EINVAL;
	}
	buf[n] = '\0';
	if (sscanf(buf, "%d %d %llu", &pid, &r->chid, &r->start) != 3 ||
	    pid <= 0) {
		return -EINVAL;
	}
	r->pid = pid;
	return 0;
}

static bool
name_live(const struct name_rec *r)
{
	if (kill(r->pid, 0) < 0 && errno == ESRCH) {
		return false;
	}
	return axon__proc_start_time(r->pid) == r->start;
}

static int
name_register(const char *path, int chid)
{
	char tmp[PATH_MAX + 32];
	char buf[96];
	int fd;
	int len;
	int rc;

	rc = mkparents(path);
	if (rc < 0) {
		return rc;
	}
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int) getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		return -errno;
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
		struct name_rec r;

		if (link(tmp, path) == 0) {
			(void) unlink(tmp);
			return 0;
		}
		if (errno != EEXIST) {
			rc = -errno;
			break;
		}
		/* Taken: by a live server, or a stale entry? */
		if (name_read(path, &r) == 0 && name_live(&r)) {
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
	struct name_rec r;

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

int
name_open(const char *name, int flags)
{
	char fpath[PATH_MAX];
	struct name_rec r;
	int rc;
	int cof = 0;

	rc = name_valid(name);
	if (rc == 0 && (flags & ~(NAME_FLAG_ATTACH_GLOBAL |
				_NAME_FLAG_COF_CLOEXEC | _NAME_FLAG_COF_INSECURE |
				_NAME_FLAG_COF_NOEVENT |
				_NAME_FLAG_COF_REG_EVENTS))) {
		rc = -EINVAL;
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
	if (rc == 0 && !name_live(&r)) {
		rc = -ENOENT;
	}
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	if (flags & _NAME_FLAG_COF_CLOEXEC) {
		cof |= _NTO_COF_CLOEXEC;
	}
	rc = ConnectAttach_r(0, r.pid, r.chid,
	    _NTO_SIDE_CHANNEL, cof);
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
