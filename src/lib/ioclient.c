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
#include <linux/kcmp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <devctl.h>

#include <sys/iofunc.h>

#include "dispatch_int.h"
#include "fsdevctl.h"
#include "internal.h"
#include "iodirect.h"
#include "wire.h"

#define IO_RESOLVE_MAX 16

/* A send's result: the manager's status, or -errno.  A status below
 * -4095 is neither a count nor an errno (a broken or hostile manager):
 * -EIO, never a value that a cast to int would turn into a count, a
 * coid or success. */
static long
io_status(long r)
{
	return r < -4095 ? -EIO : r;
}

/* One connect message (subtype; extra_type and extra_len bytes of extra
 * after the path) to match m's manager on node nd.  An OPEN answers a
 * coid bound to the open; any other subtype the manager's status (0 or
 * -errno), its connection detached. */
static int
io_connect_msg(int nd, const struct axon_path_match *m, unsigned subtype,
    uint32_t ioflag, mode_t mode, unsigned extra_type, const void *extra,
    size_t extra_len)
{
	size_t plen = strlen(m->rest) + 1;
	struct _io_connect c;
	iov_t siov[3];
	int coid;
	long r;

	if (plen > UINT16_MAX || extra_len > UINT16_MAX) {
		return -ENAMETOOLONG;
	}
	coid = ConnectAttach_r((uint32_t) nd, m->e.pid, m->e.chid,
	    _NTO_SIDE_CHANNEL, 0);
	if (coid < 0) {
		return coid == -ESRCH ? -ENOENT : coid;
	}
	memset(&c, 0, sizeof(c));
	c.type = _IO_CONNECT;
	c.subtype = (uint16_t) subtype;
	c.file_type = _FTYPE_ANY;
	c.handle = (uint32_t) m->e.handle;
	c.ioflag = ioflag;
	c.mode = mode;
	c.path_len = (uint16_t) plen;
	c.extra_type = (uint8_t) extra_type;
	c.extra_len = (uint16_t) extra_len;
	SETIOV(&siov[0], &c, offsetof(struct _io_connect, path));
	SETIOV(&siov[1], m->rest, plen);
	SETIOV(&siov[2], extra, extra_len);
	r = io_status(MsgSendv_r(coid, siov, extra_len > 0 ? 3 : 2, NULL,
	    0));
	if (r < 0 || subtype != _IO_CONNECT_OPEN) {
		(void) ConnectDetach_r(coid);
		return r < 0 ? (int) r : 0;
	}
	return coid;
}

static int
io_connect_one(int nd, const struct axon_path_match *m, uint32_t ioflag,
    mode_t mode)
{
	return io_connect_msg(nd, m, _IO_CONNECT_OPEN, ioflag, mode,
	    _IO_CONNECT_EXTRA_NONE, NULL, 0);
}

/* The managers of path on node nd, in the order they are tried: *ret
 * (IO_RESOLVE_MAX of them; each rest points into *store, which the
 * caller frees with *ret), the count or -errno. */
static int
io_resolve(int nd, const char *path, struct axon_path_match **ret,
    void **store)
{
	struct axon_path_match *m;
	struct axon_path_entry *e = NULL;
	int n;

	*ret = NULL;
	*store = NULL;
	if (path == NULL) {
		return -EFAULT;
	}
	m = calloc(IO_RESOLVE_MAX, sizeof(*m));
	if (m == NULL) {
		return -ENOMEM;
	}
	if (nd == 0) {
		char *norm = malloc(PATH_MAX);

		if (norm == NULL) {
			free(m);
			return -ENOMEM;
		}
		n = axon__path_resolve(path, _FTYPE_ANY, getpid(), m,
		    IO_RESOLVE_MAX, norm, PATH_MAX);
		*store = norm;
	} else {
		n = axon__netpath(nd, AXON_WIRE_PATH_RESOLVE, _FTYPE_ANY,
		    path, &e);
		if (n > IO_RESOLVE_MAX) {
			n = IO_RESOLVE_MAX;
		}
		for (int i = 0; i < n; i++) {
			m[i].e = e[i];
			m[i].rest = e[i].mount;
		}
		*store = e;
	}
	if (n < 0) {
		free(m);
		free(*store);
		*store = NULL;
		return n;
	}
	*ret = m;
	return n;
}

static bool
io_same_manager(const struct axon_path_match *a,
    const struct axon_path_match *b)
{
	return a->e.pid == b->e.pid && a->e.chid == b->e.chid &&
	    a->e.handle == b->e.handle;
}

int
axon__io_connect_nd(int nd, const char *path, unsigned subtype,
    mode_t mode, unsigned extra_type, const char *oldpath)
{
	struct axon_path_match *m = NULL, *o = NULL;
	void *ms = NULL, *os = NULL;
	int n, no = 0, rc = -ENOENT;
	bool paired = false;

	if (subtype == _IO_CONNECT_OPEN || subtype == _IO_CONNECT_COMBINE ||
	    subtype == _IO_CONNECT_COMBINE_CLOSE ||
	    subtype == _IO_CONNECT_READLINK) {
		return -EINVAL; /* (these answer more than a status) */
	}
	n = io_resolve(nd, path, &m, &ms);
	if (n < 0) {
		return n;
	}
	if (oldpath != NULL) {
		no = io_resolve(nd, oldpath, &o, &os);
		if (no < 0) {
			rc = no;
			goto out;
		}
	}
	/* Several managers over one place: the next is tried while one
	 * says the name is not its.  With an old path, only a manager
	 * that serves both is asked (its own name of the old path as the
	 * extra); none: the two are on different managers. */
	for (int i = 0; i < n; i++) {
		const struct axon_path_match *old = NULL;

		for (int j = 0; oldpath != NULL && j < no; j++) {
			if (io_same_manager(&m[i], &o[j])) {
				old = &o[j];
				break;
			}
		}
		if (oldpath != NULL && old == NULL) {
			continue;
		}
		paired = true;
		rc = io_connect_msg(nd, &m[i], subtype, 0, mode, extra_type,
		    old != NULL ? old->rest : NULL, old != NULL ?
		    strlen(old->rest) + 1 : 0);
		if (rc != -ENOENT) {
			break;
		}
	}
	if (oldpath != NULL && !paired && n > 0 && no > 0) {
		rc = -EXDEV;
	}
out:
	free(m);
	free(ms);
	free(o);
	free(os);
	return rc;
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
	return axon__io_open_nd(0, path, ioflag, mode);
}

int
axon__io_open_nd(int nd, const char *path, uint32_t ioflag, mode_t mode)
{
	struct axon_path_match *m;
	void *store;
	int n, rc = -ENOENT;

	n = io_resolve(nd, path, &m, &store);
	if (n < 0) {
		return n;
	}
	/* Several managers over one place: the next is tried while one
	 * says the name is not its (a union, as QNX resolves); another
	 * node's in the order that node gives them. */
	for (int i = 0; i < n; i++) {
		rc = io_connect_one(nd, &m[i], ioflag, mode);
		if (rc != -ENOENT) {
			break;
		}
	}
	free(m);
	free(store);
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
	rc = io_status(MsgSend_r(coid, &r, sizeof(r), buf, n));
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
	rc = io_status(MsgSendv_r(coid, siov, 2, NULL, 0));
	return rc > (long) n ? -EIO : rc; /* as for a read */
}

int
axon__io_stat(int coid, struct stat *st)
{
	struct _io_stat s = {.type = _IO_STAT,
	    .format = _STAT_FORM_PREFERRED};
	long r = io_status(MsgSend_r(coid, &s, sizeof(s), st,
	    sizeof(*st)));

	return r < 0 ? (int) r : 0;
}

int64_t
axon__io_lseek(int coid, int64_t off, int whence)
{
	struct _io_lseek l = {.type = _IO_LSEEK, .whence = (int16_t) whence,
	    .offset = (uint64_t) off};
	uint64_t pos = 0;
	long r = io_status(MsgSend_r(coid, &l, sizeof(l), &pos,
	    sizeof(pos)));

	if (r < 0) {
		return r;
	}
	/* A position no off_t holds (a broken or hostile manager's) must
	 * not read as an errno when taken for signed. */
	return pos > (uint64_t) INT64_MAX ? -EOVERFLOW : (int64_t) pos;
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
	r = io_status(MsgSendv_r(coid, siov, (size_t) sparts + 1, riov,
	    (size_t) rparts + 1));
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
	long r = io_status(MsgSend_r(coid, &c, sizeof(c), NULL, 0));

	return r < 0 ? (int) r : 0;
}

int
axon__io_utime(int coid, int cur, time_t atime, time_t mtime)
{
	struct _io_utime c = {.type = _IO_UTIME, .cur_flag = cur ? 1 : 0};
	long r;

	c.times.actime = atime;
	c.times.modtime = mtime;
	r = io_status(MsgSend_r(coid, &c, sizeof(c), NULL, 0));
	return r < 0 ? (int) r : 0;
}

int
axon__io_chown(int coid, uid_t uid, gid_t gid)
{
	struct _io_chown c = {.type = _IO_CHOWN, .uid = (int32_t) uid,
	    .gid = (int32_t) gid};
	long r = io_status(MsgSend_r(coid, &c, sizeof(c), NULL, 0));

	return r < 0 ? (int) r : 0;
}

int
axon__io_space(int coid, int subtype, int whence, int64_t start,
    int64_t len, uint64_t *size)
{
	struct _io_space q = {.type = _IO_SPACE, .subtype = (uint16_t) subtype,
	    .whence = (int16_t) whence, .start = (uint64_t) start,
	    .len = (uint64_t) len};
	uint64_t got = 0;
	long r = io_status(MsgSend_r(coid, &q, sizeof(q), &got,
	    sizeof(got)));

	if (r < 0) {
		return (int) r;
	}
	if (size != NULL) {
		*size = got;
	}
	return 0;
}

int
axon__io_sync(int coid, int flag)
{
	struct _io_sync q = {.type = _IO_SYNC, .flag = (uint32_t) flag};
	long r = io_status(MsgSend_r(coid, &q, sizeof(q), NULL, 0));

	return r < 0 ? (int) r : 0;
}

int
axon__io_lock(int coid, int cmd, struct flock *fl)
{
	struct _io_lock q = {.type = _IO_LOCK, .subtype = (uint32_t) cmd,
	    .nbytes = (int32_t) sizeof(*fl)};
	iov_t s[2], r[1];
	struct flock got;
	long rc;

	if (fl == NULL) {
		return -EINVAL;
	}
	SETIOV(&s[0], &q, sizeof(q));
	SETIOV(&s[1], fl, sizeof(*fl));
	SETIOV(&r[0], &got, sizeof(got));
	rc = io_status(MsgSendv_r(coid, s, 2, r, 1));
	if (rc < 0) {
		return (int) rc;
	}
	if (cmd == F_GETLK) {
		*fl = got;
	}
	return 0;
}

long
axon__io_pathconf(int coid, int name)
{
	struct _io_pathconf q = {.type = _IO_PATHCONF, .name = (int16_t) name};

	return io_status(MsgSend_r(coid, &q, sizeof(q), NULL, 0));
}

int
axon__io_close(int coid)
{
	struct _io_close c = {.type = _IO_CLOSE};
	long r = io_status(MsgSend_r(coid, &c, sizeof(c), NULL, 0));
	int d = ConnectDetach_r(coid);

	return r < 0 ? (int) r : d;
}

/*
 * A grant of a direct connection to the OCB open on coid, for the local
 * process pid (iodirect.h): the token, and where to connect (the
 * manager's pid and chid).  0 or -errno.
 */
int
axon__io_grant(int coid, pid_t pid, uint8_t token[AXON_GRANT_TOKEN],
    pid_t *ret_pid, int *ret_chid)
{
	struct axon_io_grant g;
	struct axon_io_grant_reply rep;
	struct _server_info si;
	long r;

	if (ConnectServerInfo_r(0, coid, &si) != coid) {
		return -EBADF;
	}
	if (si.nd != 0 || (si.flags & _NTO_COF_DEAD)) {
		return si.nd != 0 ? -EPERM : -ESRCH; /* local managers only */
	}
	memset(&g, 0, sizeof(g));
	g.hdr.type = _IO_MSG;
	g.hdr.mgrid = AXON_IOMGR_DIRECT;
	g.hdr.subtype = AXON_IOMSG_GRANT;
	g.magic = AXON_GRANT_MAGIC;
	g.pid = pid;
	r = io_status(MsgSend_r(coid, &g, sizeof(g), &rep, sizeof(rep)));
	if (r < 0) {
		return (int) r;
	}
	memcpy(token, rep.token, sizeof(rep.token));
	*ret_pid = si.pid;
	*ret_chid = si.chid;
	return 0;
}

/* A connection to the manager (pid, chid) bound to the OCB a grant
 * names: a side-channel coid, or -errno. */
int
axon__io_dup_token(pid_t pid, int chid, const uint8_t token[AXON_GRANT_TOKEN])
{
	struct axon_io_dup d;
	int coid;
	long r;

	coid = ConnectAttach_r(0, pid, chid, _NTO_SIDE_CHANNEL, 0);
	if (coid < 0) {
		return coid;
	}
	memset(&d, 0, sizeof(d));
	d.hdr.type = _IO_DUP;
	d.hdr.key = AXON_DUP_KEY;
	memcpy(d.token, token, sizeof(d.token));
	r = io_status(MsgSend_r(coid, &d, sizeof(d), NULL, 0));
	memset(&d, 0, sizeof(d));
	if (r < 0) {
		(void) ConnectDetach_r(coid);
		return (int) r;
	}
	return coid;
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
	r = io_status(MsgSend_r(coid, &c,
	    offsetof(struct _io_connect, path) + 1, NULL, 0));
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

/*
 * Direct connections (iodirect.h; fuse.md, "Direct calls"): for each
 * descriptor of the mount this process used devctl() on, a connection
 * of its own to the same OCB (coid), or none (coid 0: the bridge or the
 * manager would not grant one; the calls go through FUSE).
 *
 * A descriptor number is not a file: the program may close it and open
 * another file under the same number, and nothing here sees close().
 * So each entry's file is registered in a private epoll set (which does
 * not hold the file open: the kernel takes a file out of every epoll
 * set when it is released), and each use first asks the kernel whether
 * the descriptor is still that file (kcmp(2) KCMP_EPOLL_TFD).  A
 * descriptor that is another file now, or whose file was released, is
 * looked up afresh; its old connection is detached (the OCB itself was
 * closed by the bridge at the release, which also dropped the alias).
 *
 * A forked child has none of its parent's connections (libaxon's fork
 * handler) and its own epoll set: it starts empty, and a devctl() there
 * asks for a grant for the child's pid (QNX: the child's descriptor is
 * its own connection to the same OCB).
 */
#define DIRECT_MAX 64

struct direct {
	int fd;        /* -1: free */
	int coid;      /* > 0; 0: the calls go through the bridge; -1: a
			* grant is being asked for (the bridge meanwhile) */
	int users;     /* calls on coid now */
	bool stale;    /* detach coid when the last user is done */
	bool armed;    /* an ionotify() armed on coid: never the LRU's to
			* end (its notification would go with it) */
	uint64_t used;
};

static struct {
	pthread_mutex_t lock;
	pid_t pid;     /* this process (getpid() is a system call) */
	int epfd;      /* -1: none yet */
	bool off;      /* no epoll set or no kcmp(2): never direct */
	uint64_t clock;
	struct direct e[DIRECT_MAX];
} dc = {.lock = PTHREAD_MUTEX_INITIALIZER, .epfd = -1};
static pthread_once_t dc_once = PTHREAD_ONCE_INIT;

static void
dc_atfork_child(void)
{
	/* The coids are gone (libaxon's handler); the epoll set is the
	 * parent's: forget both, never touch the parent's set. */
	pthread_mutex_init(&dc.lock, NULL);
	dc.pid = getpid();
	if (dc.epfd >= 0) {
		(void) close(dc.epfd);
	}
	dc.epfd = -1;
	dc.off = false;
	for (int i = 0; i < DIRECT_MAX; i++) {
		dc.e[i].fd = -1;
		dc.e[i].coid = 0;
		dc.e[i].users = 0;
		dc.e[i].stale = false;
		dc.e[i].armed = false;
	}
}

static void
dc_init(void)
{
	for (int i = 0; i < DIRECT_MAX; i++) {
		dc.e[i].fd = -1;
	}
	dc.pid = getpid();
	(void) pthread_atfork(NULL, NULL, dc_atfork_child);
}

/* Whether descriptor fd is the file registered under fd in the set
 * (several files may be registered under one number: one released
 * late, while a dup of it lived, and the new one). */
static bool
dc_same_file(int fd)
{
	pid_t me = dc.pid;

	for (uint32_t off = 0; off < 4; off++) {
		struct kcmp_epoll_slot slot = {.efd = (uint32_t) dc.epfd,
		    .tfd = (uint32_t) fd, .toff = off};
		long r = syscall(SYS_kcmp, me, me, KCMP_EPOLL_TFD, fd, &slot);

		if (r == 0) {
			return true;
		}
		if (r < 0) {
			return false;
		}
	}
	return false;
}

/* Ends a direct connection: _IO_CLOSE (which drops only the alias; a
 * bare ConnectDetach would leave it bound until this process's last
 * connection to the manager goes, on a coid number the next
 * ConnectAttach may be given), at most 100 ms of it, then detached. */
static void
dc_release(int coid)
{
	uint64_t ns = 100000000u;

	if (coid <= 0) {
		return;
	}
	(void) TimerTimeout_r(CLOCK_MONOTONIC,
	    _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY, NULL, &ns, NULL);
	(void) axon__io_close(coid);
}

/* Drops entry d (dc.lock held): its coid, if any, to detach now
 * (returned) or by its last user. */
static int
dc_drop(struct direct *d)
{
	int coid = d->coid;

	if (d->users > 0) {
		/* In use: the entry stays, out of the lookup, until its
		 * last user is done (dc_put). */
		d->stale = true;
		return 0;
	}
	d->fd = -1;
	d->coid = 0;
	d->stale = false;
	d->armed = false;
	return coid > 0 ? coid : 0;
}

/* Whether the bridge's direct path is on (AXON_FS_DIRECT=0 turns it
 * off: for comparisons, and a way out). */
static bool
dc_enabled(void)
{
	const char *v = getenv("AXON_FS_DIRECT");

	return v == NULL || strcmp(v, "0") != 0;
}

/* Asks the bridge for a grant on fd and connects: coid or -errno. */
static int
dc_connect(int fd)
{
	struct axon_fsgrant g = {.magic = AXON_FSGRANT_MAGIC,
	    .pid = dc.pid};
	int coid;

	if (ioctl(fd, AXON_FSGRANT_CMD, &g) != 0) {
		return -errno;
	}
	if (g.err != 0) {
		return g.err > 0 ? -g.err : -EIO;
	}
	coid = axon__io_dup_token(g.mpid, g.chid, g.token);
	memset(&g, 0, sizeof(g));
	return coid;
}

/*
 * The entry for fd, its users count taken (dc_put after), its coid in
 * *ret_coid (0: through the bridge), or NULL: no entry (known_fs false
 * and fd not known as the same file: the caller checks that it is the
 * bridge's and asks again with known_fs; or none could be made: no
 * epoll on it, a full table in use).  A grant is asked without the
 * lock (a hung manager must not hold the other descriptors' calls);
 * meanwhile the entry says "through the bridge" to other threads.
 */
static struct direct *
dc_get(int fd, bool known_fs, int *ret_coid)
{
	struct direct *d = NULL, *free_e = NULL, *lru = NULL;
	struct epoll_event ev = {.events = 0};
	int detach[2] = {0, 0}, coid;

	*ret_coid = 0;
	(void) pthread_once(&dc_once, dc_init);
	pthread_mutex_lock(&dc.lock);
	if (dc.epfd < 0 && !dc.off) {
		dc.epfd = epoll_create1(EPOLL_CLOEXEC);
		/* Without kcmp(2) (a kernel without it, a seccomp filter
		 * that refuses it) nothing tells a reused number: the
		 * calls go through the bridge. */
		if (dc.epfd >= 0 && syscall(SYS_kcmp, dc.pid, dc.pid,
			KCMP_FILE, dc.epfd, dc.epfd) != 0) {
			(void) close(dc.epfd);
			dc.epfd = -1;
		}
		dc.off = dc.epfd < 0;
	}
	if (dc.off) {
		pthread_mutex_unlock(&dc.lock);
		return NULL;
	}
	for (int i = 0; i < DIRECT_MAX; i++) {
		struct direct *e = &dc.e[i];

		if (e->fd == fd && !e->stale) {
			d = e;
		} else if (e->fd == -1 && free_e == NULL) {
			free_e = e;
		} else if (e->fd != -1 && e->users == 0 && !e->armed &&
		    (lru == NULL || e->used < lru->used)) {
			lru = e;
		}
	}
	if (d != NULL && dc_same_file(fd)) {
		d->users++;
		d->used = ++dc.clock;
		*ret_coid = d->coid > 0 ? d->coid : 0;
		pthread_mutex_unlock(&dc.lock);
		return d;
	}
	if (d != NULL) {
		detach[0] = dc_drop(d); /* another file now, or none */
		if (d->fd == -1 && free_e == NULL) {
			free_e = d;
		}
		d = NULL;
	}
	if (known_fs && free_e == NULL && lru != NULL) {
		/* Full: the least recently used goes (it is still its
		 * file's, or its item went with the file). */
		if (dc_same_file(lru->fd)) {
			(void) epoll_ctl(dc.epfd, EPOLL_CTL_DEL, lru->fd, NULL);
		}
		detach[1] = dc_drop(lru);
		free_e = lru->fd == -1 ? lru : NULL;
	}
	if (known_fs && free_e != NULL &&
	    (epoll_ctl(dc.epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ||
		errno == EEXIST)) {
		d = free_e;
		d->fd = fd;
		d->coid = -1; /* being asked for */
		d->users = 1;
		d->stale = false;
		d->used = ++dc.clock;
	}
	pthread_mutex_unlock(&dc.lock);
	for (int i = 0; i < 2; i++) {
		if (detach[i] > 0) {
			dc_release(detach[i]);
		}
	}
	if (d == NULL) {
		return NULL;
	}
	coid = dc_connect(fd);
	pthread_mutex_lock(&dc.lock);
	d->coid = coid > 0 ? coid : 0;
	*ret_coid = d->coid;
	pthread_mutex_unlock(&dc.lock);
	return d;
}

/* Done with d; drop it too (its connection is dead or refused). */
static void
dc_put(struct direct *d, bool drop)
{
	int coid = 0;

	pthread_mutex_lock(&dc.lock);
	d->users--;
	if (drop && !d->stale) {
		/* (By number: only if fd is still that file.) */
		(void) epoll_ctl(dc.epfd, EPOLL_CTL_DEL, d->fd, NULL);
		coid = dc_drop(d);
	} else if (d->stale && d->users == 0) {
		coid = d->coid;
		d->fd = -1;
		d->coid = 0;
		d->stale = false;
		d->armed = false;
	}
	pthread_mutex_unlock(&dc.lock);
	if (coid > 0) {
		dc_release(coid);
	}
}

/* Whether fd is a descriptor of the bridge's mount: 0, or an errno
 * (EBADF, ENOTTY). */
static int
fs_fd_check(int fd)
{
	struct statx st;

	/* (Not fstat(): on the mount that asks the manager, which may be
	 * gone; the device number needs nobody.) */
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, 0, &st) < 0) {
		return errno; /* EBADF */
	}
	if (!axon_fs_dev(makedev(st.stx_dev_major, st.stx_dev_minor))) {
		return ENOTTY;
	}
	return 0;
}

/* devctl on a Linux descriptor: the direct connection when there is
 * one, else through the bridge.  0 or -errno. */
static int
fd_devctl(int fd, int dcmd, const iov_t *sv, int sparts, const iov_t *rv,
    int rparts, int *ret_info)
{
	struct direct *d = NULL;
	size_t sn = 0, rn = 0;
	int rc, coid = 0;
	bool direct = dc_enabled();

	if (sparts < 0 || rparts < 0 || sparts > 16 || rparts > 16) {
		return -EINVAL;
	}
	for (int i = 0; i < sparts; i++) {
		sn += sv[i].iov_len;
	}
	for (int i = 0; i < rparts; i++) {
		rn += rv[i].iov_len;
	}
	if (direct) {
		d = dc_get(fd, false, &coid);
	}
	if (d == NULL) {
		rc = fs_fd_check(fd);
		if (rc == ENOTTY) {
			/* Not the mount's: a process's /proc entry or a
			 * terminal, if it is one. */
			pid_t pid = axon__proc_fd_pid(fd);

			if (pid < 0) {
				return -ESRCH; /* the process is gone */
			}
			if (pid > 0) {
				return axon__proc_devctl(fd, pid, dcmd, sv,
				    sparts, rv, rparts, ret_info);
			}
			return axon__tty_devctl(fd, dcmd, sv, sparts, rv, rparts,
			    ret_info);
		}
		if (rc != 0) {
			return -rc;
		}
		if (direct) {
			d = dc_get(fd, true, &coid);
		}
	}
	/* The same limit whichever way it goes. */
	if ((sn > rn ? sn : rn) > AXON_FSDC_MAX) {
		if (d != NULL) {
			dc_put(d, false);
		}
		return -E2BIG;
	}
	if (coid > 0) {
		rc = axon__io_devctl(coid, dcmd, sv, sparts, rv, rparts,
		    ret_info);
		if (rc == -EBADF || rc == -ESRCH || rc == -ENOTCONN) {
			/* The alias was dropped (the file was released
			 * meanwhile) or the manager is gone: the bridge
			 * has the answer FUSE gives (EIO, EBADF). */
			dc_put(d, true);
		} else {
			dc_put(d, false);
			return rc;
		}
	} else if (d != NULL) {
		dc_put(d, false);
	}
	return fs_devctl(fd, dcmd, sv, sparts, rv, rparts, ret_info);
}

long
axon__fd_direct(int fd, long (*call)(int coid, void *arg), void *arg,
    bool arm)
{
	struct direct *d;
	long rc;
	int coid = 0;

	rc = fs_fd_check(fd);
	if (rc != 0) {
		return rc == ENOTTY ? -ENOTSUP : -rc;
	}
	if (!dc_enabled() || (d = dc_get(fd, true, &coid)) == NULL) {
		return -ENOTSUP;
	}
	if (coid <= 0) {
		dc_put(d, false);
		return -ENOTSUP; /* another node's path, or no grant */
	}
	rc = call(coid, arg);
	if (rc == -EBADF || rc == -ESRCH || rc == -ENOTCONN) {
		/* The file was released meanwhile, or the manager is
		 * gone: as the bridge answers a call on such a file. */
		dc_put(d, true);
		return rc == -EBADF ? -EBADF : -EIO;
	}
	if (rc >= 0 && arm) {
		pthread_mutex_lock(&dc.lock);
		d->armed = true;
		pthread_mutex_unlock(&dc.lock);
	}
	dc_put(d, false);
	return rc;
}

struct notify_call {
	const struct _io_notify *m;
	struct _io_notify_reply *r;
};

static long
notify_call(int coid, void *arg)
{
	struct notify_call *c = arg;

	return MsgSend_r(coid, c->m, sizeof(*c->m), c->r, sizeof(*c->r));
}

int
axon__fd_notify(int fd, const struct _io_notify *m,
    struct _io_notify_reply *r)
{
	struct notify_call c = {.m = m, .r = r};
	long rc = axon__fd_direct(fd, notify_call, &c,
	    m->action != _NOTIFY_ACTION_POLL);

	return rc < 0 ? (int) rc : 0;
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
		 * bridge (or the direct connection it grants). */
		rc = fd_devctl(fd, dcmd, sv, sparts, rv, rparts, dev_info_ptr);
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

int
_devctl(int fd, int dcmd, void *data, size_t nbytes, unsigned flags)
{
	int info = 0;
	int rc;

	if ((flags & ~(_DEVCTL_FLAG_NORETVAL | _DEVCTL_FLAG_NOTTY)) != 0) {
		errno = EINVAL;
		return -1;
	}
	rc = devctl(fd, dcmd, data, nbytes, &info);
	if (rc != EOK) {
		if (rc == ENOSYS && (flags & _DEVCTL_FLAG_NOTTY)) {
			rc = ENOTTY;
		}
		errno = rc;
		return -1;
	}
	return (flags & _DEVCTL_FLAG_NORETVAL) ? 0 : info;
}
