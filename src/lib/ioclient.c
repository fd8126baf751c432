/* SPDX-License-Identifier: MIT */
/*
 * A QNX client's side of the resource-manager protocol: resolve a path
 * in the node's namespace, ConnectAttach() to the manager and send it
 * the _IO_* messages QNX's C library sends for open, read, write, stat,
 * lseek, devctl and close.  Used by the tests and, later, the FUSE
 * bridge; and behind devctl() for coids that are such connections.
 *
 * Each open is its own connection id (as QNX's open() gives each file
 * descriptor its own coid), which is what the manager binds its OCB to.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <devctl.h>

#include <sys/iofunc.h>

#include "dispatch_int.h"
#include "fsdevctl.h"
#include "internal.h"
#include "wire.h"

#define IO_RESOLVE_MAX 16

static int
io_connect_one(int nd, const struct axon_path_match *m, uint32_t ioflag,
    mode_t mode)
{
	size_t plen = strlen(m->rest) + 1;
	struct _io_connect c;
	iov_t siov[2];
	int coid;
	long r;

	if (plen > UINT16_MAX) {
		return -ENAMETOOLONG;
	}
	coid = ConnectAttach_r((uint32_t) nd, m->e.pid, m->e.chid,
	    _NTO_SIDE_CHANNEL, 0);
	if (coid < 0) {
		return coid == -ESRCH ? -ENOENT : coid;
	}
	memset(&c, 0, sizeof(c));
	c.type = _IO_CONNECT;
	c.subtype = _IO_CONNECT_OPEN;
	c.file_type = _FTYPE_ANY;
	c.handle = (uint32_t) m->e.handle;
	c.ioflag = ioflag;
	c.mode = mode;
	c.path_len = (uint16_t) plen;
	SETIOV(&siov[0], &c, offsetof(struct _io_connect, path));
	SETIOV(&siov[1], m->rest, plen);
	r = MsgSendv_r(coid, siov, 2, NULL, 0);
	if (r < 0) {
		(void) ConnectDetach_r(coid);
		return (int) r;
	}
	return coid;
}

int
axon__io_open(const char *path, int oflag, mode_t mode)
{
	/* O_RDONLY..O_RDWR become _IO_FLAG_RD/_WR by adding one. */
	return axon__io_open_ioflag(path, (uint32_t) ((oflag & ~O_ACCMODE) |
	    ((oflag & O_ACCMODE) + 1)), mode);
}

int
axon__io_open_ioflag(const char *path, uint32_t ioflag, mode_t mode)
{
	struct axon_path_match *m;
	char *norm;
	int n, rc = -ENOENT;

	if (path == NULL) {
		return -EFAULT;
	}
	m = calloc(IO_RESOLVE_MAX, sizeof(*m));
	norm = malloc(PATH_MAX);
	if (m == NULL || norm == NULL) {
		free(m);
		free(norm);
		return -ENOMEM;
	}
	n = axon__path_resolve(path, _FTYPE_ANY, getpid(), m, IO_RESOLVE_MAX,
	    norm, PATH_MAX);
	if (n < 0) {
		rc = n;
	}
	/* Several managers over one place: the next is tried while one
	 * says the name is not its (a union, as QNX resolves). */
	for (int i = 0; i < n; i++) {
		rc = io_connect_one(0, &m[i], ioflag, mode);
		if (rc != -ENOENT) {
			break;
		}
	}
	free(m);
	free(norm);
	return rc;
}

int
axon__io_open_nd(int nd, const char *path, uint32_t ioflag, mode_t mode)
{
	struct axon_path_entry *e = NULL;
	int n, rc = -ENOENT;

	if (nd == 0) {
		return axon__io_open_ioflag(path, ioflag, mode);
	}
	if (path == NULL) {
		return -EFAULT;
	}
	n = axon__netpath(nd, AXON_WIRE_PATH_RESOLVE, _FTYPE_ANY, path, &e);
	if (n < 0) {
		return n;
	}
	/* In the order the node gives them, as for a local path. */
	for (int i = 0; i < n; i++) {
		struct axon_path_match m = {.e = e[i], .rest = e[i].mount};

		rc = io_connect_one(nd, &m, ioflag, mode);
		if (rc != -ENOENT) {
			break;
		}
	}
	free(e);
	return rc;
}

ssize_t
axon__io_read(int coid, void *buf, size_t n)
{
	struct _io_read r = {.type = _IO_READ};
	long rc;

	if (n > UINT32_MAX) {
		n = UINT32_MAX;
	}
	r.nbytes = (uint32_t) n;
	rc = MsgSend_r(coid, &r, sizeof(r), buf, n);
	/* The manager's status is the count it says it read: more than was
	 * asked for is not data (a broken or hostile manager). */
	return rc > (long) n ? -EIO : rc;
}

ssize_t
axon__io_write(int coid, const void *buf, size_t n)
{
	struct _io_write w = {.type = _IO_WRITE};
	iov_t siov[2];
	long rc;

	if (n > UINT32_MAX) {
		n = UINT32_MAX;
	}
	w.nbytes = (uint32_t) n;
	SETIOV(&siov[0], &w, sizeof(w));
	SETIOV(&siov[1], buf, n);
	rc = MsgSendv_r(coid, siov, 2, NULL, 0);
	return rc > (long) n ? -EIO : rc; /* as for a read */
}

int
axon__io_stat(int coid, struct stat *st)
{
	struct _io_stat s = {.type = _IO_STAT,
	    .format = _STAT_FORM_PREFERRED};
	long r = MsgSend_r(coid, &s, sizeof(s), st, sizeof(*st));

	return r < 0 ? (int) r : 0;
}

int64_t
axon__io_lseek(int coid, int64_t off, int whence)
{
	struct _io_lseek l = {.type = _IO_LSEEK, .whence = (int16_t) whence,
	    .offset = (uint64_t) off};
	uint64_t pos = 0;
	long r = MsgSend_r(coid, &l, sizeof(l), &pos, sizeof(pos));

	return r < 0 ? r : (int64_t) pos;
}

int
axon__io_devctl(int coid, int dcmd, const iov_t *sv, int sparts,
    const iov_t *rv, int rparts, int *ret_info)
{
	struct _io_devctl d = {.type = _IO_DEVCTL, .dcmd = dcmd};
	struct _io_devctl_reply o;
	iov_t siov[1 + 16], riov[1 + 16];
	size_t sn = 0, rn = 0;
	long r;

	if (sparts < 0 || rparts < 0 || sparts > 16 || rparts > 16) {
		return -EINVAL;
	}
	for (int i = 0; i < sparts; i++) {
		sn += sv[i].iov_len;
	}
	for (int i = 0; i < rparts; i++) {
		rn += rv[i].iov_len;
	}
	d.nbytes = (uint32_t) (sn > rn ? sn : rn);
	SETIOV(&siov[0], &d, sizeof(d));
	SETIOV(&riov[0], &o, sizeof(o));
	/* Data goes only the way the command's direction bits say. */
	if (!(get_device_direction(dcmd) & _POSIX_DEVDIR_TO)) {
		sparts = 0;
	}
	if (!(get_device_direction(dcmd) & _POSIX_DEVDIR_FROM)) {
		rparts = 0;
	}
	memcpy(&siov[1], sv, (size_t) sparts * sizeof(iov_t));
	memcpy(&riov[1], rv, (size_t) rparts * sizeof(iov_t));
	memset(&o, 0, sizeof(o));
	r = MsgSendv_r(coid, siov, (size_t) sparts + 1, riov,
	    (size_t) rparts + 1);
	if (r < 0) {
		return (int) r;
	}
	if (ret_info != NULL) {
		*ret_info = o.ret_val;
	}
	return 0;
}

int
axon__io_chmod(int coid, mode_t mode)
{
	struct _io_chmod c = {.type = _IO_CHMOD, .mode = mode};
	long r = MsgSend_r(coid, &c, sizeof(c), NULL, 0);

	return r < 0 ? (int) r : 0;
}

int
axon__io_chown(int coid, uid_t uid, gid_t gid)
{
	struct _io_chown c = {.type = _IO_CHOWN, .uid = (int32_t) uid,
	    .gid = (int32_t) gid};
	long r = MsgSend_r(coid, &c, sizeof(c), NULL, 0);

	return r < 0 ? (int) r : 0;
}

int
axon__io_close(int coid)
{
	struct _io_close c = {.type = _IO_CLOSE};
	long r = MsgSend_r(coid, &c, sizeof(c), NULL, 0);
	int d = ConnectDetach_r(coid);

	return r < 0 ? (int) r : d;
}

/*
 * What QNX's name_open() sends the server once connected: an _IO_CONNECT
 * (subtype OPEN, file type _FTYPE_NAME, O_RDWR, an empty path), which
 * QNX servers answer with EOK.  A server that answers with an error
 * refuses the open; any other answer is taken.
 */
int
axon__io_name_connect(int coid)
{
	struct _io_connect c;
	long r;

	memset(&c, 0, sizeof(c));
	c.type = _IO_CONNECT;
	c.subtype = _IO_CONNECT_OPEN;
	c.file_type = _FTYPE_NAME;
	c.ioflag = O_RDWR + 1;
	c.path_len = 1; /* path[0] is the NUL */
	r = MsgSend_r(coid, &c, offsetof(struct _io_connect, path) + 1, NULL,
	    0);
	if (r < 0) {
		(void) ConnectDetach_r(coid);
		return (int) r;
	}
	return coid;
}

/* ---- devctl(): QNX's client call ------------------------------------ */

/*
 * Whether the device dev is a mount of the FUSE bridge: a line of
 * /proc/self/mountinfo with its major:minor (third field) and the
 * bridge's type (first field after " - ").  Devices found are kept (a
 * new mount is a new device number); others are looked up each time.
 */
static bool
axon_fs_dev(dev_t dev)
{
	static _Atomic unsigned long long known[8];
	static atomic_uint next;
	char line[4096];
	bool found = false;
	FILE *f;

	for (size_t i = 0; i < 8; i++) {
		if (atomic_load(&known[i]) == (unsigned long long) dev + 1) {
			return true;
		}
	}
	f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL) {
		return false;
	}
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		unsigned maj, min;
		const char *t = strstr(line, " - ");

		if (sscanf(line, "%*s %*s %u:%u", &maj, &min) == 2 &&
		    makedev(maj, min) == dev && t != NULL &&
		    strncmp(t + 3, AXON_FS_FSTYPE " ",
			sizeof(AXON_FS_FSTYPE)) == 0) {
			found = true;
		}
	}
	(void) fclose(f);
	if (found) {
		atomic_store(&known[atomic_fetch_add(&next, 1) % 8],
		    (unsigned long long) dev + 1);
	}
	return found;
}

/* devctl on a Linux descriptor of the FUSE bridge's mount (fsdevctl.h):
 * 0 or -errno. */
static int
fs_devctl(int fd, int dcmd, const iov_t *sv, int sparts, const iov_t *rv,
    int rparts, int *ret_info)
{
	struct axon_fsdc h = {.magic = AXON_FSDC_MAGIC, .dcmd = dcmd};
	size_t sn = 0, rn = 0, n, at;
	unsigned char *buf;
	int rc = 0;

	if (sparts < 0 || rparts < 0 || sparts > 16 || rparts > 16) {
		return -EINVAL;
	}
	for (int i = 0; i < sparts; i++) {
		sn += sv[i].iov_len;
	}
	for (int i = 0; i < rparts; i++) {
		rn += rv[i].iov_len;
	}
	n = sn > rn ? sn : rn;
	if (n > AXON_FSDC_MAX) {
		return -E2BIG;
	}
	buf = calloc(1, sizeof(h) + n);
	if (buf == NULL) {
		return -ENOMEM;
	}
	h.nbytes = (uint32_t) n;
	memcpy(buf, &h, sizeof(h));
	at = sizeof(h);
	for (int i = 0; i < sparts; i++) {
		if (sv[i].iov_len > 0) {
			memcpy(buf + at, sv[i].iov_base, sv[i].iov_len);
		}
		at += sv[i].iov_len;
	}
	if (ioctl(fd, AXON_FSDC_CMD(sizeof(h) + n), buf) != 0) {
		rc = -errno;
	} else if (memcpy(&h, buf, sizeof(h)), h.err != 0) {
		rc = h.err > 0 ? -h.err : -EIO;
	} else {
		/* Data comes back only the way the command says. */
		at = sizeof(h);
		for (int i = 0; i < rparts &&
		     (get_device_direction(dcmd) & _POSIX_DEVDIR_FROM); i++) {
			if (rv[i].iov_len > 0) {
				memcpy(rv[i].iov_base, buf + at,
				    rv[i].iov_len);
			}
			at += rv[i].iov_len;
		}
		if (ret_info != NULL) {
			*ret_info = h.info;
		}
	}
	free(buf);
	return rc;
}

int
devctlv(int fd, int dcmd, int sparts, int rparts, const iov_t *sv,
    const iov_t *rv, int *dev_info_ptr)
{
	AXON_KEEP_ERRNO;

	int rc;

	if ((sparts > 0 && sv == NULL) || (rparts > 0 && rv == NULL)) {
		return EFAULT;
	}
	if (!(fd & _NTO_SIDE_CHANNEL)) {
		/* A Linux descriptor: a manager's only through the FUSE
		 * bridge, which carries the command. */
		struct statx st;

		/* (Not fstat(): on the mount that asks the manager, which
		 * may be gone; the device number needs nobody.) */
		if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, 0,
			&st) < 0) {
			return errno; /* EBADF */
		}
		if (!axon_fs_dev(makedev(st.stx_dev_major,
			st.stx_dev_minor))) {
			return ENOTTY;
		}
		rc = fs_devctl(fd, dcmd, sv, sparts, rv, rparts, dev_info_ptr);
		return rc < 0 ? -rc : EOK;
	}
	rc = axon__io_devctl(fd, dcmd, sv, sparts, rv, rparts, dev_info_ptr);
	return rc < 0 ? -rc : EOK;
}

int
devctl(int fd, int dcmd, void *dev_data_ptr, size_t n_bytes,
    int *dev_info_ptr)
{
	iov_t iov;

	if (dev_data_ptr == NULL && n_bytes > 0) {
		return EFAULT;
	}
	SETIOV(&iov, dev_data_ptr, n_bytes);
	return devctlv(fd, dcmd, 1, 1, &iov, &iov, dev_info_ptr);
}
