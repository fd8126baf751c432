/* SPDX-License-Identifier: MIT */
/*
 * openfd() and iofdinfo(): QNX's client calls for a second open of what
 * a descriptor is open on, and for what an open is.
 *
 * A descriptor is one of two things here.  An Axon connection to a
 * resource manager (ConnectServerInfo() knows it): the call is an
 * _IO_* message to the manager, as QNX's C library sends it; openfd()
 * sends _IO_OPENFD on a new connection of its own, naming the old one,
 * and the manager binds its new OCB to the new connection.  Anything
 * else is a Linux descriptor: Linux answers (fstat, fcntl, and
 * /proc/self/fdinfo and /proc/self/fd for the position and the path).  A reopen of
 * /proc/self/fd/N is a new open file description of the same file (its
 * own offset and flags), which is what openfd() asks for; the kernel
 * checks the file's permissions again for it, and the access asked for
 * is first checked here to be no wider than the descriptor's (an O_PATH
 * descriptor has none), so a descriptor cannot be turned into one with
 * more rights than it had.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/iomgr.h>
#include <sys/neutrino.h>

#include "dispatch_int.h"
#include "internal.h"

/* What openfd() takes beyond the access mode (QNX's list, and
 * O_NONBLOCK, which an open takes too). */
#define OPENFD_OFLAGS \
	(O_APPEND | O_CLOEXEC | O_LARGEFILE | O_NONBLOCK | O_TRUNC)

/* As ioclient.c's: a status below -4095 is no errno (a broken or hostile
 * manager). */
static long
io_status(long r)
{
	return r < -4095 ? -EIO : r;
}

/* Whether fd is an Axon connection id: its server's info in *si. */
static bool
axon_coid(int fd, struct _server_info *si)
{
	/* (ConnectServerInfo() answers for the first connection from fd
	 * on: only fd itself is fd's.) */
	return fd >= 0 && ConnectServerInfo_r(0, fd, si) == fd;
}

/* The access of an open's flags as _IO_FLAG_* bits; O_PATH has none. */
static uint32_t
access_bits(int fl)
{
	if ((fl & O_PATH) == O_PATH) {
		return 0;
	}
	return (uint32_t) (fl & O_ACCMODE) + 1;
}

static int
coid_openfd(int fd, const struct _server_info *si, int oflag)
{
	struct _io_openfd m;
	int coid;
	long r;

	coid = ConnectAttach_r((uint32_t) si->nd, si->pid, si->chid,
	    _NTO_SIDE_CHANNEL, (oflag & O_CLOEXEC) ? _NTO_COF_CLOEXEC : 0);
	if (coid < 0) {
		return coid == -ESRCH ? -EBADF : coid; /* the manager is gone */
	}
	memset(&m, 0, sizeof(m));
	m.type = _IO_OPENFD;
	m.combine_len = sizeof(m);
	m.ioflag = (uint32_t) (oflag & ~(O_ACCMODE | O_CLOEXEC)) +
	    access_bits(oflag);
	m.info.nd = si->nd;
	m.info.pid = si->pid;
	m.info.chid = si->chid;
	m.info.scoid = si->scoid;
	m.info.coid = fd;
	r = io_status(MsgSend_r(coid, &m, sizeof(m), NULL, 0));
	if (r < 0) {
		(void) ConnectDetach_r(coid);
		return (int) r;
	}
	return coid;
}

static int
linux_openfd(int fd, int oflag)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0) {
		return -EBADF;
	}
	if ((access_bits(oflag) & ~access_bits(fl)) != 0) {
		return -EACCES;
	}
	return axon__fd_reopen(fd, oflag);
}

int
openfd(int fd, int oflag)
{
	struct _server_info si;
	int rc;

	if ((oflag & O_ACCMODE) == O_ACCMODE ||
	    (oflag & ~(O_ACCMODE | OPENFD_OFLAGS)) != 0) {
		errno = EINVAL;
		return -1;
	}
	/* Truncating is writing. */
	if ((oflag & O_TRUNC) && (oflag & O_ACCMODE) == O_RDONLY) {
		errno = EACCES;
		return -1;
	}
	if (axon_coid(fd, &si)) {
		rc = coid_openfd(fd, &si, oflag);
	} else {
		rc = linux_openfd(fd, oflag);
	}
	return axon__errno_ret(rc);
}

/* ---- iofdinfo() ---------------------------------------------------- */

static int
coid_fdinfo(int fd, unsigned flags, struct _fdinfo *info, char *path,
    int maxlen)
{
	struct _io_fdinfo m;
	struct _io_fdinfo_reply o;
	iov_t siov[1], riov[2];
	long r;

	memset(&m, 0, sizeof(m));
	m.type = _IO_FDINFO;
	m.combine_len = sizeof(m);
	m.flags = flags;
	m.path_len = (uint32_t) maxlen;
	memset(&o, 0, sizeof(o));
	SETIOV(&siov[0], &m, sizeof(m));
	SETIOV(&riov[0], &o, sizeof(o));
	SETIOV(&riov[1], path, (size_t) maxlen);
	r = io_status(MsgSendv_r(fd, siov, 1, riov, maxlen > 0 ? 2 : 1));
	if (r < 0) {
		return (int) r;
	}
	if (r > INT_MAX) {
		return -EIO; /* no path is that long: not an answer */
	}
	if (info != NULL) {
		*info = o.info;
	}
	return (int) r;
}

/* The open's position as the kernel keeps it: /proc/self/fdinfo's
 * "pos:" (lseek(2) would ask the file's driver, which may do more than
 * tell); 0 when there is none to read. */
static uint64_t
fd_pos(int fd)
{
	char proc[sizeof("/proc/self/fdinfo/") + 3 * sizeof(int)];
	unsigned long long pos = 0;
	const char *p;
	char *buf;

	(void) snprintf(proc, sizeof(proc), "/proc/self/fdinfo/%d", fd);
	if (axon__proc_slurp(proc, &buf, NULL) != 0) {
		return 0;
	}
	p = strncmp(buf, "pos:", 4) == 0 ? buf : strstr(buf, "\npos:");
	if (p != NULL && sscanf(p + (p == buf ? 4 : 5), "%llu", &pos) != 1) {
		pos = 0;
	}
	free(buf);
	return (uint64_t) pos;
}

static int
linux_fdinfo(int fd, struct _fdinfo *info, char *path, int maxlen)
{
	char proc[sizeof("/proc/self/fd/") + 3 * sizeof(int)];
	char link[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fl;

	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fstat(fd, &st) < 0) {
		return -EBADF;
	}
	if (info != NULL) {
		memset(info, 0, sizeof(*info));
		info->mode = (uint32_t) st.st_mode;
		info->ioflag = (uint32_t) (fl & ~O_ACCMODE) + access_bits(fl);
		info->size = (uint64_t) st.st_size;
		info->offset = fd_pos(fd); /* (a pipe's: 0) */
		/* Linux keeps no count of a file's opens, readers or
		 * writers, and no share locks: all 0. */
	}
	(void) snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, link, sizeof(link) - 1);
	if (n < 0) {
		n = 0; /* no /proc: no path */
	}
	link[n] = '\0';
	if (path != NULL && maxlen > 0) {
		size_t k = (size_t) n < (size_t) maxlen - 1 ? (size_t) n :
		    (size_t) maxlen - 1;

		memcpy(path, link, k);
		path[k] = '\0';
	}
	return (int) n + 1;
}

struct fdinfo_call {
	unsigned flags;
	struct _fdinfo *info;
	char *path;
	int maxlen;
};

static long
fdinfo_call(int coid, void *arg)
{
	struct fdinfo_call *c = arg;

	return coid_fdinfo(coid, c->flags, c->info, c->path, c->maxlen);
}

int
iofdinfo(int fd, unsigned flags, struct _fdinfo *info, char *path,
    int maxlen)
{
	struct fdinfo_call c = {.flags = flags, .info = info, .path = path};
	struct _server_info si;
	long rc = -ENOTSUP;

	if ((flags & ~_FDINFO_FLAG_LOCALPATH) != 0 || maxlen < 0) {
		errno = EINVAL;
		return -1;
	}
	if (path == NULL) {
		maxlen = 0;
	}
	c.maxlen = maxlen;
	if (maxlen > 0) {
		/* What the manager does not write stays a NUL. */
		memset(path, 0, (size_t) maxlen);
	}
	if (axon_coid(fd, &si)) {
		rc = coid_fdinfo(fd, flags, info, path, maxlen);
	} else if (fd >= 0) {
		/* A Linux descriptor of the bridge's mount (a QNX
		 * program's open() of a manager's path): the manager's
		 * answer, on the descriptor's direct connection to it. */
		rc = axon__fd_direct(fd, fdinfo_call, &c, false);
		if (rc == -ENOTSUP || rc == -EBADF || rc == -EIO) {
			/* None (not the mount's, another node's path, the
			 * direct path off) or gone: Linux answers. */
			if (maxlen > 0) {
				memset(path, 0, (size_t) maxlen);
			}
			rc = linux_fdinfo(fd, info, path, maxlen);
		}
	} else {
		rc = -EBADF;
	}
	if (rc >= 0 && maxlen > 0) {
		path[maxlen - 1] = '\0';
	}
	return axon__errno_ret((int) rc);
}
