/* SPDX-License-Identifier: MIT */
/*
 * axon-fs: the node's path namespace as a FUSE file system.  Linux file
 * calls on $AXON_RUNDIR/fs/PATH become the _IO_* messages a QNX client
 * sends to the manager attached at PATH.  See axon-fs(8) and
 * docs/design/fuse.md.
 *
 * Who asks matters: a manager's iofunc_*_verify() decides with its
 * client's credentials, which the library takes from the kernel.  The
 * bridge's own threads serve callers with the bridge's identity; when
 * the bridge runs as root, any other caller is served by a helper
 * process that runs with exactly the caller's uid, gid and groups
 * (forked by a single-threaded spawner made before any thread exists).
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 312
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <fuse_lowlevel.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sys/iofunc.h>
#include <sys/netmgr.h>

#include "axon_spi.h"
#include "devlinks.h"
#include "dirents.h"
#include "fsdevctl.h"
#include "fsproto.h"
#include "wire.h"

#define FS_HELPERS_MAX   64        /* credential sets served at once */
#define FS_NGROUPS       32        /* supplementary groups carried */
#define FS_DIR_MAX       (1u << 20) /* bytes of one directory's listing */
#define FS_DEF_THREADS   64
#define FS_RESOLVE_MAX   16
#define FS_EXIT_GRACE    2 /* s a stopping bridge waits for its calls */

/* ---- the operations one client (the bridge or a helper) runs ------- */

struct fs_cred {
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[FS_NGROUPS];
};

/*
 * Kept connections.  Each open is its own coid, but the coids of one
 * process to one server share one connection, which the last
 * ConnectDetach() tears down: without a kept alias every lookup, stat
 * and open would set a connection up anew (a socket, a sealed region,
 * the server's handshake: about a millisecond for `cat` of a path).  A
 * client (the bridge, or a helper) keeps one alias per server it
 * reached, at most FS_KEEP, the least recently used dropped first, and
 * one whose server ended dropped when the next is kept.
 */
#define FS_KEEP 32

static struct {
	pid_t pid;
	int chid;
	int coid;      /* 0: free */
	uint64_t used;
} kept[FS_KEEP];
static pthread_mutex_t keep_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t keep_clock;

static void
keep_conn(int coid)
{
	struct _server_info si, ki;
	int drop[FS_KEEP + 1], ndrop = 0, slot = -1, c;

	if (ConnectServerInfo_r(0, coid, &si) != coid ||
	    (si.flags & _NTO_COF_DEAD)) {
		return;
	}
	pthread_mutex_lock(&keep_lock);
	for (int i = 0; i < FS_KEEP; i++) {
		if (kept[i].coid == 0) {
			continue;
		}
		if (ConnectServerInfo_r(0, kept[i].coid, &ki) !=
		    kept[i].coid || (ki.flags & _NTO_COF_DEAD)) {
			drop[ndrop++] = kept[i].coid; /* its server ended */
			kept[i].coid = 0;
		} else if (kept[i].pid == si.pid && kept[i].chid == si.chid) {
			kept[i].used = ++keep_clock;
			slot = -2;
		}
	}
	for (int i = 0; i < FS_KEEP && slot == -1; i++) {
		if (kept[i].coid == 0) {
			slot = i;
		}
	}
	if (slot == -1) {
		slot = 0;
		for (int i = 1; i < FS_KEEP; i++) {
			if (kept[i].used < kept[slot].used) {
				slot = i;
			}
		}
		drop[ndrop++] = kept[slot].coid;
		kept[slot].coid = 0;
	}
	if (slot >= 0) {
		/* An alias of the live connection: no new set-up. */
		c = ConnectAttach_r(0, si.pid, si.chid, _NTO_SIDE_CHANNEL, 0);
		if (c > 0) {
			kept[slot].pid = si.pid;
			kept[slot].chid = si.chid;
			kept[slot].coid = c;
			kept[slot].used = ++keep_clock;
		}
	}
	pthread_mutex_unlock(&keep_lock);
	for (int i = 0; i < ndrop; i++) {
		(void) ConnectDetach_r(drop[i]);
	}
}

/* Runs q against the managers; out (outcap bytes) receives what the
 * reply carries, *outlen how much.  The request's own fields are
 * checked here: a helper trusts nothing it is told. */
static int64_t
fs_run(const struct fs_req *q, const void *in, void *out, size_t outcap,
    uint64_t *outlen)
{
	const char *path = in;
	int64_t r;
	int coid;

	*outlen = 0;
	switch (q->op) {
	case OP_OPEN:
	case OP_PATHSTAT:
	case OP_PATHCHMOD:
	case OP_PATHCHOWN:
	case OP_PATHUTIME:
		if (q->len == 0 || path[q->len - 1] != '\0' ||
		    strlen(path) + 1 != q->len || q->nd < 0) {
			return -EINVAL;
		}
		break;
	default:
		break;
	}
	switch (q->op) {
	case OP_OPEN:
		/* Another node's manager: resolved by its axond, reached
		 * through ours, as this process (the caller). */
		r = axon__io_open_nd(q->nd, path, q->ioflag, q->mode);
		if (r > 0 && q->nd == 0) {
			keep_conn((int) r);
		}
		return r;
	case OP_READ:
		if (q->want > outcap) {
			return -EINVAL;
		}
		r = axon__io_read(q->coid, out, q->want); /* clamped */
		if (r > 0) {
			*outlen = (uint64_t) r;
		}
		return r;
	case OP_WRITE:
		return axon__io_write(q->coid, in, q->len); /* clamped */
	case OP_STAT:
		if (outcap < sizeof(struct stat)) {
			return -EINVAL;
		}
		memset(out, 0, sizeof(struct stat));
		r = axon__io_stat(q->coid, out);
		if (r == 0) {
			*outlen = sizeof(struct stat);
		}
		return r;
	case OP_LSEEK:
		return axon__io_lseek(q->coid, q->off, (int) q->a);
	case OP_CLOSE:
		return axon__io_close(q->coid);
	case OP_SPACE:
		return axon__io_space(q->coid, (int) q->a, (int) q->b, q->off,
		    (int64_t) q->want, NULL);
	case OP_SYNC:
		return axon__io_sync(q->coid, (int) q->a);
	case OP_UTIME:
		return axon__io_utime(q->coid, (int) q->a, (time_t) q->off,
		    (time_t) q->want);
	case OP_PATHCONNECT: {
		/* The path, and for a rename the old one after it. */
		const char *old = NULL;

		if (q->len == 0 || q->want == 0 || q->want > q->len ||
		    path[q->want - 1] != '\0' || path[q->len - 1] != '\0' ||
		    strlen(path) + 1 != q->want || q->nd < 0) {
			return -EINVAL;
		}
		if (q->want < q->len) {
			old = path + q->want;
			if (strlen(old) + 1 != q->len - q->want) {
				return -EINVAL;
			}
		}
		if ((q->a != _IO_CONNECT_MKNOD && q->a != _IO_CONNECT_UNLINK &&
			q->a != _IO_CONNECT_RENAME) ||
		    (q->a == _IO_CONNECT_RENAME) != (old != NULL)) {
			return -EINVAL;
		}
		return axon__io_connect_nd(q->nd, path, q->a, q->mode, q->b,
		    old);
	}
	case OP_PATHUTIME:
		coid = axon__io_open_nd(q->nd, path, 0, 0);
		if (coid < 0) {
			return coid;
		}
		if (q->nd == 0) {
			keep_conn(coid);
		}
		r = axon__io_utime(coid, (int) q->a, (time_t) q->off,
		    (time_t) q->want);
		(void) axon__io_close(coid);
		return r;
	case OP_DEVCTL: {
		iov_t si, ri;
		int32_t info = 0;

		if (q->len > AXON_FSDC_MAX || q->want != q->len + sizeof(info) ||
		    outcap < q->want) {
			return -EINVAL;
		}
		/* (What the manager does not write reads back as zeros,
		 * never as this process's memory.) */
		memset(out, 0, q->want);
		SETIOV(&si, (void *) (uintptr_t) in, q->len);
		SETIOV(&ri, (char *) out + sizeof(info), q->len);
		r = axon__io_devctl(q->coid, (int) q->a, &si, 1, &ri, 1, &info);
		if (r == 0) {
			memcpy(out, &info, sizeof(info));
			*outlen = q->want;
		}
		return r;
	}
	case OP_GRANT: {
		struct fs_grant g;

		if (outcap < sizeof(g) || (int32_t) q->a <= 0) {
			return -EINVAL;
		}
		memset(&g, 0, sizeof(g));
		r = axon__io_grant(q->coid, (pid_t) q->a, g.token, &g.mpid,
		    &g.chid);
		if (r == 0) {
			memcpy(out, &g, sizeof(g));
			*outlen = sizeof(g);
		}
		memset(&g, 0, sizeof(g));
		return r;
	}
	case OP_PATHSTAT:
	case OP_PATHCHMOD:
	case OP_PATHCHOWN:
		if (outcap < sizeof(struct stat)) {
			return -EINVAL;
		}
		coid = axon__io_open_nd(q->nd, path, 0, 0);
		if (coid < 0) {
			return coid;
		}
		if (q->nd == 0) {
			keep_conn(coid);
		}
		if (q->op == OP_PATHSTAT) {
			memset(out, 0, sizeof(struct stat));
			r = axon__io_stat(coid, out);
			if (r == 0) {
				*outlen = sizeof(struct stat);
			}
		} else if (q->op == OP_PATHCHMOD) {
			r = axon__io_chmod(coid, q->mode);
		} else {
			r = axon__io_chown(coid, q->a, q->b);
		}
		(void) axon__io_close(coid);
		return r;
	default:
		return -ENOSYS;
	}
}

/* ---- framing on a helper's stream sockets -------------------------- */

static int
write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return -EIO;
		}
		p += w;
		n -= (size_t) w;
	}
	return 0;
}

/* Reads n bytes; on EINTR calls intr(arg) (when given) and goes on. */
static int
read_full(int fd, void *buf, size_t n, void (*intr)(void *), void *arg)
{
	char *p = buf;

	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR) {
			if (intr != NULL) {
				intr(arg);
			}
			continue;
		}
		if (r <= 0) {
			return -EIO;
		}
		p += r;
		n -= (size_t) r;
	}
	return 0;
}

/* ---- the helper process: runs requests as the caller ---------------- */

static void
helper_sig(int sig)
{
	(void) sig; /* only interrupts the send in progress */
}

/* One channel: requests one at a time, for one bridge thread. */
static void *
helper_chan(void *arg)
{
	int fd = (int) (intptr_t) arg;
	int32_t tid = (int32_t) gettid();
	void *in = NULL, *out = NULL;

	if (write_full(fd, &tid, sizeof(tid)) < 0) {
		goto out;
	}
	for (;;) {
		struct fs_req q;
		struct fs_rep p;
		uint64_t outlen = 0;
		size_t outcap = sizeof(struct stat);

		if (read_full(fd, &q, sizeof(q), NULL, NULL) < 0 ||
		    q.len > FS_DATA_MAX || q.want > FS_DATA_MAX) {
			break;
		}
		free(in);
		free(out);
		if (q.want > outcap) {
			outcap = q.want;
		}
		in = malloc(q.len + 1);
		out = malloc(outcap);
		if (in == NULL || out == NULL ||
		    read_full(fd, in, q.len, NULL, NULL) < 0) {
			break;
		}
		p.rc = fs_run(&q, in, out, outcap, &outlen);
		p.len = outlen;
		if (write_full(fd, &p, sizeof(p)) < 0 ||
		    write_full(fd, out, outlen) < 0) {
			break;
		}
	}
out:
	free(in);
	free(out);
	(void) close(fd);
	return NULL;
}

/* The helper's main: every descriptor that comes on ctl is a channel. */
static void
helper_main(int ctl)
{
	struct sigaction sa = {.sa_handler = helper_sig};
	int32_t pid = (int32_t) getpid();

	(void) sigaction(SIGUSR1, &sa, NULL); /* no SA_RESTART */
	(void) signal(SIGPIPE, SIG_IGN);
	if (write_full(ctl, &pid, sizeof(pid)) < 0) {
		_exit(1);
	}
	for (;;) {
		char c;
		char cbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = {&c, 1};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
		    .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
		struct cmsghdr *cm;
		pthread_t t;
		ssize_t r = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC);
		int fd = -1;

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			_exit(0); /* the bridge is gone */
		}
		cm = CMSG_FIRSTHDR(&mh);
		if (cm != NULL && cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int))) {
			memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
		}
		if (fd < 0) {
			continue;
		}
		if (pthread_create(&t, NULL, helper_chan,
			(void *) (intptr_t) fd) != 0) {
			(void) close(fd);
			continue;
		}
		(void) pthread_detach(t);
	}
}

/* Becomes cred for good, or exits. */
static void
drop_to(const struct fs_cred *c)
{
	if (setgroups((size_t) c->ngroups, c->groups) < 0 ||
	    setresgid(c->gid, c->gid, c->gid) < 0 ||
	    setresuid(c->uid, c->uid, c->uid) < 0 ||
	    getuid() != c->uid || geteuid() != c->uid ||
	    getegid() != c->gid) {
		_exit(97);
	}
	/* (Cleared by the change of credentials: set again.) */
	(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* The spawner: single-threaded, root, never touches libaxon.  Each
 * request is a credential set and a socket; a child becomes those
 * credentials and serves the socket as a helper. */
static void
spawner_main(int sock)
{
	(void) signal(SIGCHLD, SIG_IGN); /* children reap themselves */
	(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		struct fs_cred c;
		char cbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = {&c, sizeof(c)};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
		    .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
		struct cmsghdr *cm;
		ssize_t r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		int fd = -1;
		pid_t pid;

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			_exit(0);
		}
		cm = CMSG_FIRSTHDR(&mh);
		if (cm != NULL && cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int))) {
			memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
		}
		if (fd < 0) {
			continue;
		}
		if (r != (ssize_t) sizeof(c) || c.ngroups < 0 ||
		    c.ngroups > FS_NGROUPS) {
			(void) close(fd);
			continue;
		}
		pid = fork();
		if (pid == 0) {
			(void) close(sock);
			(void) signal(SIGCHLD, SIG_DFL);
			drop_to(&c);
			helper_main(fd);
			_exit(0);
		}
		(void) close(fd);
	}
}

/* ---- the bridge's side of helpers ----------------------------------- */

struct fs_chan {
	int fd;
	pid_t tid;  /* the helper thread that serves it */
};

struct fs_helper {
	struct fs_cred cred;
	pid_t pid;
	int ctl;
	int refs;             /* table's, files', calls' (under fs.lock) */
	bool dead;
	struct fs_chan *free_ch; /* idle channels (under fs.lock) */
	int nfree, capfree;
};

static struct {
	pthread_mutex_t lock;
	struct fs_helper *helpers[FS_HELPERS_MAX];
	int spawner;          /* socket to the spawner, or -1 */
	pthread_mutex_t spawn_lock;
	uid_t uid;            /* the bridge's */
	gid_t gid;
	bool root;
} fs = {.lock = PTHREAD_MUTEX_INITIALIZER,
    .spawn_lock = PTHREAD_MUTEX_INITIALIZER, .spawner = -1};

static void
helper_put(struct fs_helper *h)
{
	bool last;

	if (h == NULL) {
		return;
	}
	pthread_mutex_lock(&fs.lock);
	last = --h->refs == 0;
	pthread_mutex_unlock(&fs.lock);
	if (last) {
		for (int i = 0; i < h->nfree; i++) {
			(void) close(h->free_ch[i].fd);
		}
		free(h->free_ch);
		(void) close(h->ctl);
		free(h);
	}
}

/* The helper is no use any more: out of the table (its files fail). */
static void
helper_kill(struct fs_helper *h)
{
	bool drop = false;

	pthread_mutex_lock(&fs.lock);
	if (!h->dead) {
		h->dead = true;
		for (int i = 0; i < FS_HELPERS_MAX; i++) {
			if (fs.helpers[i] == h) {
				fs.helpers[i] = NULL;
				drop = true;
			}
		}
	}
	pthread_mutex_unlock(&fs.lock);
	if (h->pid > 0) {
		(void) kill(h->pid, SIGKILL);
	}
	if (drop) {
		helper_put(h);
	}
}

static bool
cred_eq(const struct fs_cred *a, const struct fs_cred *b)
{
	return a->uid == b->uid && a->gid == b->gid &&
	    a->ngroups == b->ngroups &&
	    memcmp(a->groups, b->groups,
		(size_t) a->ngroups * sizeof(gid_t)) == 0;
}

static int
gid_cmp(const void *a, const void *b)
{
	gid_t x = *(const gid_t *) a, y = *(const gid_t *) b;

	return x < y ? -1 : x > y;
}

/* Waits up to ms for fd to be readable: 0, or -ETIMEDOUT/-EIO. */
static int
wait_readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int r;

	do {
		r = poll(&p, 1, ms);
	} while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : r == 0 ? -ETIMEDOUT : -EIO;
}

static struct fs_helper *
helper_spawn(const struct fs_cred *c)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {(void *) c, sizeof(*c)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;
	struct fs_helper *h;
	int sv[2];
	int32_t pid = -1;
	ssize_t r;

	if (fs.spawner < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		return NULL;
	}
	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &sv[1], sizeof(int));
	pthread_mutex_lock(&fs.spawn_lock);
	do {
		r = sendmsg(fs.spawner, &mh, MSG_NOSIGNAL);
	} while (r < 0 && errno == EINTR);
	pthread_mutex_unlock(&fs.spawn_lock);
	(void) close(sv[1]);
	/* The helper says its pid once it is the caller (bounded). */
	if (r != (ssize_t) sizeof(*c) || wait_readable(sv[0], 5000) < 0 ||
	    read(sv[0], &pid, sizeof(pid)) != (ssize_t) sizeof(pid) ||
	    pid <= 0) {
		(void) close(sv[0]);
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		(void) kill(pid, SIGKILL);
		(void) close(sv[0]);
		return NULL;
	}
	h->cred = *c;
	h->pid = pid;
	h->ctl = sv[0];
	h->refs = 1; /* the table's */
	return h;
}

/*
 * Who is asking: NULL in *ret for the bridge itself, else a helper with
 * the caller's credentials (a reference).  0 or -errno.
 */
static int
caller(struct fs_helper **ret)
{
	struct fuse_context *ctx = fuse_get_context();
	struct fs_cred c;
	struct fs_helper *h = NULL;
	int n, slot = -1;

	*ret = NULL;
	if (!fs.root || (ctx->uid == 0 && ctx->gid == 0)) {
		/* Not root: the kernel admits only the bridge's user. */
		return 0;
	}
	memset(&c, 0, sizeof(c));
	c.uid = ctx->uid;
	c.gid = ctx->gid;
	n = fuse_getgroups(FS_NGROUPS, c.groups);
	if (n < 0 || n > FS_NGROUPS) {
		return n < 0 ? n : -E2BIG; /* never serve with groups lost */
	}
	c.ngroups = n;
	qsort(c.groups, (size_t) n, sizeof(gid_t), gid_cmp);

	pthread_mutex_lock(&fs.lock);
	for (int i = 0; i < FS_HELPERS_MAX; i++) {
		if (fs.helpers[i] != NULL && cred_eq(&fs.helpers[i]->cred,
			&c)) {
			h = fs.helpers[i];
			h->refs++;
			break;
		}
		if (fs.helpers[i] == NULL && slot < 0) {
			slot = i;
		}
	}
	pthread_mutex_unlock(&fs.lock);
	if (h != NULL) {
		*ret = h;
		return 0;
	}
	if (slot < 0) {
		/* Full: a helper nobody uses (no open file, no call) makes
		 * room, so that a node's 65th user is not refused for good. */
		struct fs_helper *idle = NULL;

		/* (Out of the table under the lock that lookups take: no
		 * call can pick it up meanwhile.  The table's reference
		 * becomes ours.) */
		pthread_mutex_lock(&fs.lock);
		for (int i = 0; i < FS_HELPERS_MAX && idle == NULL; i++) {
			if (fs.helpers[i] != NULL && fs.helpers[i]->refs == 1) {
				idle = fs.helpers[i];
				idle->dead = true;
				fs.helpers[i] = NULL;
			}
		}
		pthread_mutex_unlock(&fs.lock);
		if (idle == NULL) {
			return -EAGAIN;
		}
		(void) kill(idle->pid, SIGKILL);
		helper_put(idle);
	}
	h = helper_spawn(&c);
	if (h == NULL) {
		return -EAGAIN;
	}
	pthread_mutex_lock(&fs.lock);
	for (int i = 0; i < FS_HELPERS_MAX; i++) {
		if (fs.helpers[i] != NULL && cred_eq(&fs.helpers[i]->cred,
			&c)) {
			/* Another thread made one first: use that. */
			struct fs_helper *o = fs.helpers[i];

			o->refs++;
			pthread_mutex_unlock(&fs.lock);
			helper_kill(h);
			helper_put(h);
			*ret = o;
			return 0;
		}
	}
	slot = -1;
	for (int i = 0; i < FS_HELPERS_MAX && slot < 0; i++) {
		if (fs.helpers[i] == NULL) {
			slot = i;
		}
	}
	if (slot < 0) {
		pthread_mutex_unlock(&fs.lock);
		helper_kill(h);
		helper_put(h);
		return -EAGAIN;
	}
	fs.helpers[slot] = h;
	h->refs++; /* the caller's */
	pthread_mutex_unlock(&fs.lock);
	*ret = h;
	return 0;
}

static int
chan_get(struct fs_helper *h, struct fs_chan *ch)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char c = 'c';
	struct iovec iov = {&c, 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;
	int sv[2];
	int32_t tid;
	ssize_t r;

	pthread_mutex_lock(&fs.lock);
	if (h->dead) {
		pthread_mutex_unlock(&fs.lock);
		return -EIO;
	}
	if (h->nfree > 0) {
		*ch = h->free_ch[--h->nfree];
		pthread_mutex_unlock(&fs.lock);
		return 0;
	}
	pthread_mutex_unlock(&fs.lock);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		return -errno;
	}
	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &sv[1], sizeof(int));
	do {
		r = sendmsg(h->ctl, &mh, MSG_NOSIGNAL);
	} while (r < 0 && errno == EINTR);
	(void) close(sv[1]);
	if (r != 1 || wait_readable(sv[0], 5000) < 0 ||
	    read_full(sv[0], &tid, sizeof(tid), NULL, NULL) < 0) {
		(void) close(sv[0]);
		helper_kill(h);
		return -EIO;
	}
	ch->fd = sv[0];
	ch->tid = tid;
	return 0;
}

static void
chan_put(struct fs_helper *h, struct fs_chan *ch)
{
	pthread_mutex_lock(&fs.lock);
	if (!h->dead && h->nfree == h->capfree) {
		int ncap = h->capfree == 0 ? 8 : h->capfree * 2;
		struct fs_chan *n = realloc(h->free_ch,
		    (size_t) ncap * sizeof(*n));

		if (n != NULL) {
			h->free_ch = n;
			h->capfree = ncap;
		}
	}
	if (!h->dead && h->nfree < h->capfree) {
		h->free_ch[h->nfree++] = *ch;
		ch = NULL;
	}
	pthread_mutex_unlock(&fs.lock);
	if (ch != NULL) {
		(void) close(ch->fd);
	}
}

struct intr_arg {
	struct fs_helper *h;
	pid_t tid;
};

/* The FUSE request was interrupted (libfuse signalled this thread):
 * the helper thread holding the send gets the signal in turn, and its
 * MsgSend() asks the manager to unblock, as a QNX client's would. */
static void
pass_interrupt(void *arg)
{
	struct intr_arg *a = arg;

	if (fuse_interrupted()) {
		(void) syscall(SYS_tgkill, a->h->pid, a->tid, SIGUSR1);
	}
}

/* A helper that answered what no helper could (fsproto.h), or sent less
 * than it said: logged (at most once a second: a user's helpers may be
 * made to do it again and again), before it is ended. */
static void
fs_bad_helper(const struct fs_helper *h, const struct fs_req *q,
    const struct fs_rep *p)
{
	static int64_t last;
	struct timespec ts;
	int64_t now, prev;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t) ts.tv_sec;
	prev = __atomic_load_n(&last, __ATOMIC_SEQ_CST);
	if (now == prev || !__atomic_compare_exchange_n(&last, &prev, now,
	    false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		return;
	}
	fprintf(stderr, "axon-fs: helper %d (uid %u): a bad reply to "
	    "request %u (status %lld, %llu bytes; asked %llu): ended\n",
	    (int) h->pid, (unsigned) h->cred.uid, (unsigned) q->op,
	    (long long) p->rc, (unsigned long long) p->len,
	    (unsigned long long) (q->op == OP_READ ? q->want : q->len));
}

/* Runs q as the caller h stands for (NULL: here). */
static int64_t
fs_call(struct fs_helper *h, const struct fs_req *q, const void *in,
    void *out, size_t outcap, uint64_t *outlen)
{
	struct fs_chan ch;
	struct fs_rep p;
	struct intr_arg ia;
	int rc;

	if (h == NULL) {
		return fs_run(q, in, out, outcap, outlen);
	}
	*outlen = 0;
	rc = chan_get(h, &ch);
	if (rc < 0) {
		return rc;
	}
	ia.h = h;
	ia.tid = ch.tid;
	if (write_full(ch.fd, q, sizeof(*q)) < 0 ||
	    write_full(ch.fd, in, q->len) < 0 ||
	    read_full(ch.fd, &p, sizeof(p), pass_interrupt, &ia) < 0) {
		/* The helper died: it serves no more. */
		(void) close(ch.fd);
		helper_kill(h);
		return -EIO;
	}
	/* Judged before a byte that follows is read: a count of more than
	 * it sends, or than was asked, would hand the kernel the bridge's
	 * own memory. */
	if (axon__fs_rep_check(q, &p, outcap) < 0 ||
	    read_full(ch.fd, out, p.len, NULL, NULL) < 0) {
		fs_bad_helper(h, q, &p);
		(void) close(ch.fd);
		helper_kill(h);
		return -EIO;
	}
	chan_put(h, &ch);
	*outlen = p.len;
	return p.rc;
}

/* ---- the file system ----------------------------------------------- */

struct fs_file {
	struct fs_helper *h;  /* who opened it (NULL: the bridge) */
	int nd;               /* the manager's node (0: this one) */
	int coid;
	int64_t pos;          /* the manager's OCB offset, as we know it
			       * (-1: not known) */
	pthread_mutex_t lock; /* one call on the OCB at a time */
	int poll_slot;        /* its slot in fsp.slot, plus one (0: none) */
};

/*
 * The two mounts: the node's namespace ($AXON_RUNDIR/fs), and the net
 * directory, where /NODE/PATH is PATH on node NODE (this node's own
 * name is its namespace, as the fs mount shows it).  Each is served by
 * a process of its own (main); the mount says which it is.
 */
struct fs_mount {
	bool net;
};

enum { WHERE_PATH, WHERE_NETROOT, WHERE_NODE };

/* Where a path of this mount lies: on node *nd, at *rpath (which may
 * point into buf).  WHERE_NETROOT for the net directory itself,
 * WHERE_NODE for a node's directory (rpath "/"), WHERE_PATH for
 * anything else, or -ENOENT (no such node). */
static int
fs_where(const char *path, int *nd, const char **rpath, char *buf,
    size_t len)
{
	struct fs_mount *m = fuse_get_context()->private_data;
	const char *name, *rest;
	char node[64];
	size_t nl;
	int n;

	*nd = 0;
	*rpath = path;
	if (m == NULL || !m->net) {
		return WHERE_PATH;
	}
	if (strcmp(path, "/") == 0) {
		return WHERE_NETROOT;
	}
	name = path + 1;
	nl = strcspn(name, "/");
	if (nl == 0 || nl >= sizeof(node) || memchr(name, '~', nl) != NULL) {
		return -ENOENT;
	}
	memcpy(node, name, nl);
	node[nl] = '\0';
	/* Read every time: nds are not to be cached (netmgr_strtond). */
	n = netmgr_strtond(node, NULL);
	if (n < 0) {
		return -ENOENT;
	}
	*nd = n;
	rest = name + nl;
	if (*rest == '\0') {
		*rpath = "/";
		return WHERE_NODE;
	}
	if ((size_t) snprintf(buf, len, "%s", rest) >= len) {
		return -ENAMETOOLONG;
	}
	*rpath = buf;
	return WHERE_PATH;
}

/* The entries of node nd's namespace (all of them here; another node's
 * at or below path, from its axond). */
static int
fs_list(int nd, const char *path, struct axon_path_entry **e)
{
	if (nd == 0) {
		return axon__path_list(e);
	}
	return axon__netpath(nd, AXON_WIRE_PATH_LIST, 0, path, e);
}

/* A manager's error as the Linux caller should see it. */
static int
fs_err(int64_t r)
{
	/* The manager died under the call: the device is gone.  (Below
	 * -4095 is no errno: never cast into a count.) */
	return r == -ESRCH || r == -EBADF || r < -4095 ? -EIO : (int) r;
}

/* Whether path is "/" or lies above an attached mountpoint (so it is
 * a made-up directory). */
static bool
is_synth_dir(const char *path, const struct axon_path_entry *e, int n)
{
	size_t l = strlen(path);

	if (strcmp(path, "/") == 0) {
		return true;
	}
	for (int i = 0; i < n; i++) {
		if (strncmp(e[i].mount, path, l) == 0 &&
		    e[i].mount[l] == '/') {
			return true;
		}
	}
	return false;
}

static void
synth_stat(struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFDIR | 0555;
	st->st_nlink = 2;
	st->st_uid = fs.uid;
	st->st_gid = fs.gid;
}

static int
path_call(int nd, const char *path, uint32_t op, uint32_t mode, uint32_t a,
    uint32_t b, struct stat *st)
{
	struct fs_req q = {.op = op, .nd = nd, .mode = mode, .a = a, .b = b,
	    .len = strlen(path) + 1};
	struct stat tmp;
	struct fs_helper *h;
	uint64_t got;
	int64_t r;
	int rc = caller(&h);

	if (rc < 0) {
		return rc;
	}
	r = fs_call(h, &q, path, st != NULL ? st : &tmp, sizeof(tmp), &got);
	helper_put(h);
	if (r == 0 && st != NULL && got != sizeof(*st)) {
		r = -EIO;
	}
	return r == -ESRCH ? -ENOENT : (int) r;
}

/* What the kernel may be shown: a directory stays one; everything else
 * (a QNX character device, a name, a FIFO) is a regular file, since a
 * device node on a FUSE mount would be opened by the kernel's driver
 * for st_rdev, not by the bridge. */
static void
fix_stat(struct stat *st)
{
	if (!S_ISDIR(st->st_mode)) {
		st->st_mode = S_IFREG | (st->st_mode & 07777);
	}
	st->st_rdev = 0;
	if (st->st_nlink == 0) {
		st->st_nlink = 1;
	}
}

static int
fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct axon_path_entry *e = NULL;
	char buf[PATH_MAX];
	const char *rpath;
	bool synth;
	int nd, n, rc;

	if (fi != NULL && fi->fh != 0) {
		struct fs_file *f = (struct fs_file *) (uintptr_t) fi->fh;
		struct fs_req q = {.op = OP_STAT, .coid = f->coid};
		uint64_t got;
		int64_t r;

		r = fs_call(f->h, &q, NULL, st, sizeof(*st), &got);
		if (r < 0) {
			return fs_err(r);
		}
		if (got != sizeof(*st)) {
			return -EIO;
		}
		fix_stat(st);
		return 0;
	}
	rc = fs_where(path, &nd, &rpath, buf, sizeof(buf));
	if (rc < 0) {
		return rc;
	}
	if (rc == WHERE_NETROOT || (rc == WHERE_NODE && nd != 0)) {
		/* The net directory and another node's directory: made up,
		 * without asking the network. */
		synth_stat(st);
		return 0;
	}
	path = rpath;
	/* A manager's path first (one resolution: the usual case). */
	rc = path_call(nd, path, OP_PATHSTAT, 0, 0, 0, st);
	if (rc == 0) {
		fix_stat(st);
		return 0;
	}
	if (rc != -ENOENT && rc != -ENOSYS) {
		return rc;
	}
	n = fs_list(nd, path, &e);
	if (n < 0) {
		return n;
	}
	synth = is_synth_dir(path, e, n);
	free(e);
	if (synth) {
		synth_stat(st);
		return 0;
	}
	return rc;
}

/* open(2) flags as a connect's ioflag: O_RDONLY..O_RDWR plus one are
 * _IO_FLAG_RD/_WR; the rest pass as they are. */
static uint32_t
ioflag_of(int flags)
{
	int keep = O_APPEND | O_NONBLOCK | O_TRUNC | O_CREAT | O_EXCL |
	    O_SYNC | O_DSYNC | O_NOCTTY;

	return (uint32_t) ((flags & keep) | ((flags & O_ACCMODE) + 1));
}

static int
open_as(const char *path, int flags, mode_t mode, struct fuse_file_info *fi)
{
	struct fs_req q = {.op = OP_OPEN, .ioflag = ioflag_of(flags),
	    .mode = mode};
	char buf[PATH_MAX];
	struct fs_file *f;
	uint64_t got;
	int64_t r;
	int rc, nd;

	if ((flags & O_ACCMODE) == O_ACCMODE) {
		return -EINVAL;
	}
	rc = fs_where(path, &nd, &path, buf, sizeof(buf));
	if (rc < 0) {
		return rc;
	}
	if (rc == WHERE_NETROOT) {
		return -EISDIR;
	}
	q.nd = nd;
	q.len = strlen(path) + 1;
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		return -ENOMEM;
	}
	rc = caller(&f->h);
	if (rc < 0) {
		free(f);
		return rc;
	}
	r = fs_call(f->h, &q, path, NULL, 0, &got);
	if (r < 0) {
		helper_put(f->h);
		free(f);
		return r == -ESRCH ? -ENOENT : (int) r;
	}
	f->coid = (int) r;
	f->nd = nd;
	/* O_APPEND starts the OCB at the end (iofunc_ocb_attach), where
	 * Linux reads from 0: the first call seeks. */
	f->pos = (flags & O_APPEND) ? -1 : 0;
	pthread_mutex_init(&f->lock, NULL);
	fi->fh = (uint64_t) (uintptr_t) f;
	fi->direct_io = 1;
	return 0;
}

static int
fs_open(const char *path, struct fuse_file_info *fi)
{
	return open_as(path, fi->flags, 0, fi);
}

static int
fs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	return open_as(path, fi->flags | O_CREAT, mode, fi);
}

/* Brings the OCB's offset to off (FUSE says where each call is). */
static int
seek_to(struct fs_file *f, off_t off)
{
	struct fs_req q = {.op = OP_LSEEK, .coid = f->coid, .off = off,
	    .a = SEEK_SET};
	uint64_t got;
	int64_t r;

	if (off == f->pos) {
		return 0;
	}
	r = fs_call(f->h, &q, NULL, NULL, 0, &got);
	if (r < 0) {
		return fs_err(r);
	}
	f->pos = r;
	return r == off ? 0 : -EIO;
}

static int
fs_read(const char *path, char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	struct fs_file *f = (struct fs_file *) (uintptr_t) fi->fh;
	struct fs_req q = {.op = OP_READ, .want = size};
	uint64_t got;
	int64_t r;
	int rc;

	(void) path;
	if (size > FS_DATA_MAX) {
		q.want = size = FS_DATA_MAX;
	}
	q.coid = f->coid;
	pthread_mutex_lock(&f->lock);
	rc = seek_to(f, off);
	if (rc < 0) {
		pthread_mutex_unlock(&f->lock);
		return rc;
	}
	r = fs_call(f->h, &q, NULL, buf, size, &got);
	if (r > 0 && f->pos >= 0) {
		f->pos += r;
	}
	pthread_mutex_unlock(&f->lock);
	return r < 0 ? fs_err(r) : (int) r;
}

static int
fs_write(const char *path, const char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	struct fs_file *f = (struct fs_file *) (uintptr_t) fi->fh;
	struct fs_req q = {.op = OP_WRITE, .len = size};
	uint64_t got;
	int64_t r;
	int rc;

	(void) path;
	if (size > FS_DATA_MAX) {
		q.len = size = FS_DATA_MAX;
	}
	q.coid = f->coid;
	pthread_mutex_lock(&f->lock);
	rc = fi->flags & O_APPEND ? 0 : seek_to(f, off);
	if (rc < 0) {
		pthread_mutex_unlock(&f->lock);
		return rc;
	}
	r = fs_call(f->h, &q, buf, NULL, 0, &got);
	if (r > 0 && f->pos >= 0) {
		/* An appending write went where the manager's end was. */
		f->pos = fi->flags & O_APPEND ? -1 : f->pos + r;
	}
	pthread_mutex_unlock(&f->lock);
	return r < 0 ? fs_err(r) : (int) r;
}

/*
 * devctl() of a QNX program on a descriptor of this mount: one
 * restricted ioctl carrying the command, the data and dev_info
 * (fsdevctl.h).  Not under the file's lock: a devctl may be what
 * releases a reader blocked on the same file.
 */
/* The process (thread group) of thread tid, or -errno. */
static pid_t
tgid_of(pid_t tid)
{
	char p[64], line[256];
	pid_t tg = -ESRCH;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/status", (int) tid);
	f = fopen(p, "re");
	if (f == NULL) {
		return -ESRCH;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		int v;

		if (sscanf(line, "Tgid: %d", &v) == 1) {
			tg = v;
			break;
		}
	}
	(void) fclose(f);
	return tg;
}

/*
 * A grant of a direct connection to the file's OCB (fsdevctl.h,
 * iodirect.h), for the calling process only: the ioctl on the
 * descriptor shows that it holds the file; the pid it names must be its
 * own (FUSE says which thread asks).  Local managers only.
 */
static int
fs_grant(struct fs_file *f, void *data)
{
	struct fs_req q = {.op = OP_GRANT};
	struct axon_fsgrant g;
	struct fs_grant out;
	uint64_t got;
	int64_t r;
	pid_t tid = fuse_get_context()->pid;

	memcpy(&g, data, sizeof(g));
	if (g.magic != AXON_FSGRANT_MAGIC || g.pid <= 0) {
		return -EINVAL;
	}
	if (f->nd != 0) {
		r = -EPERM; /* another node's pid is not this node's to name */
	} else if (tid <= 0 || tgid_of(tid) != g.pid) {
		r = -EPERM;
	} else {
		q.coid = f->coid;
		q.a = (uint32_t) g.pid;
		r = fs_call(f->h, &q, NULL, &out, sizeof(out), &got);
		if (r == 0 && got != sizeof(out)) {
			r = -EIO;
		}
	}
	memset(g.token, 0, sizeof(g.token));
	g.err = r < 0 ? (int32_t) -r : 0;
	if (r == 0) {
		g.mpid = out.mpid;
		g.chid = out.chid;
		memcpy(g.token, out.token, sizeof(g.token));
	}
	memcpy(data, &g, sizeof(g));
	memset(&out, 0, sizeof(out));
	return 0; /* the call's own result is in err */
}

static int
fs_ioctl(const char *path, unsigned int cmd, void *arg,
    struct fuse_file_info *fi, unsigned int flags, void *data)
{
	struct fs_file *f = (struct fs_file *) (uintptr_t) fi->fh;
	struct fs_req q = {.op = OP_DEVCTL};
	struct axon_fsdc h;
	size_t size = _IOC_SIZE(cmd);
	unsigned char *out;
	uint64_t got;
	int64_t r;

	(void) path;
	(void) arg;
	if ((flags & (FUSE_IOCTL_COMPAT | FUSE_IOCTL_DIR)) == 0 &&
	    cmd == AXON_FSGRANT_CMD && f != NULL && data != NULL) {
		return fs_grant(f, data);
	}
	if ((flags & (FUSE_IOCTL_COMPAT | FUSE_IOCTL_DIR)) != 0 ||
	    _IOC_TYPE(cmd) != AXON_FSDC_TYPE || _IOC_NR(cmd) != AXON_FSDC_NR ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE) || f == NULL) {
		return -ENOTTY;
	}
	if (size < sizeof(h) || data == NULL) {
		return -EINVAL;
	}
	memcpy(&h, data, sizeof(h));
	if (h.magic != AXON_FSDC_MAGIC || h.nbytes > size - sizeof(h)) {
		return -EINVAL;
	}
	q.coid = f->coid;
	q.a = (uint32_t) h.dcmd;
	q.len = h.nbytes;
	q.want = (uint64_t) h.nbytes + sizeof(h.info);
	out = malloc(q.want);
	if (out == NULL) {
		return -ENOMEM;
	}
	r = fs_call(f->h, &q, (unsigned char *) data + sizeof(h), out, q.want,
	    &got);
	if (r == 0 && got != q.want) {
		r = -EIO;
	}
	h.err = r < 0 ? -fs_err(r) : 0;
	if (r == 0) {
		memcpy(&h.info, out, sizeof(h.info));
		memcpy((unsigned char *) data + sizeof(h), out + sizeof(h.info),
		    h.nbytes);
	}
	memcpy(data, &h, sizeof(h));
	free(out);
	return 0; /* the call's own result is in the header */
}

/*
 * poll(2), select(2), epoll: the manager's io_notify answers.  A poll
 * asks (_NOTIFY_ACTION_POLLARM) for the conditions the caller polls;
 * those not met arm the manager with a pulse to this process's notify
 * channel, whose value names the slot holding libfuse's poll handle;
 * when the manager triggers, fuse_notify_poll() makes the kernel poll
 * again.  The pulse's code is SI_NOTIFY, so the trigger ORs the
 * condition that fired into the value's top bits (_NOTIFY_COND_MASK):
 * as QNX's own poll() and select() take the event for readiness, the
 * next poll of the file reports it (once) without asking the manager,
 * which may answer "nothing met" (a manager that passes iofunc_notify()
 * no trig and triggers from a timer).  A manager without io_notify
 * (ENOSYS) is always ready, as are files a helper process opened (their
 * connection is the helper's: the pulse would go there) and polls
 * beyond FS_POLL_SLOTS files.  Never -ENOSYS: the kernel would then
 * stop asking for every file of the mount.
 */
#define FS_POLL_SLOT_BITS 12 /* the slot, in the value's low bits */
#define FS_POLL_SLOTS (1 << FS_POLL_SLOT_BITS) /* files polled at once */
#define FS_POLL_GEN_BITS 16  /* the generation, above the slot */
#define FS_READY (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

/* The slot and generation fit below the conditions a trigger ORs in. */
_Static_assert(((((1u << FS_POLL_GEN_BITS) - 1) << FS_POLL_SLOT_BITS) |
    (FS_POLL_SLOTS - 1)) == _NOTIFY_DATA_MASK,
    "poll token is _NOTIFY_DATA_MASK");

struct fs_poll_slot {
	struct fs_file *f;          /* NULL: free */
	struct fuse_pollhandle *ph; /* the last poll's, until notified */
	uint32_t gen;               /* in the pulse's value with the slot */
	uint32_t fired;             /* conditions triggered, not yet told */
};

static struct {
	pthread_mutex_t lock;
	pthread_once_t once;
	int chid;
	int self;                   /* the event's connection; -1: none */
	struct fs_poll_slot slot[FS_POLL_SLOTS];
} fsp = {.lock = PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT,
    .self = -1};

/* The pulse's value for slot i at generation gen: within
 * _NOTIFY_DATA_MASK (the trigger's conditions go above). */
static int
poll_token(int i, uint32_t gen)
{
	return (int) ((gen & ((1u << FS_POLL_GEN_BITS) - 1)) <<
	    FS_POLL_SLOT_BITS | (uint32_t) i);
}

static void *
poll_thread(void *arg)
{
	(void) arg;
	for (;;) {
		struct _pulse p;
		struct fuse_pollhandle *ph = NULL;
		long r = MsgReceive_r(fsp.chid, &p, sizeof(p), NULL);
		int i, token;

		if (r < 0) {
			if (r == -EINTR) {
				continue;
			}
			return NULL;
		}
		if (r > 0) {
			(void) MsgError_r(r, ENOSYS); /* nobody's to send */
			continue;
		}
		if (p.code != SI_NOTIFY) {
			continue;
		}
		token = (int) ((uint32_t) p.value.sival_int &
		    _NOTIFY_DATA_MASK);
		i = token & (FS_POLL_SLOTS - 1);
		pthread_mutex_lock(&fsp.lock);
		if (fsp.slot[i].f != NULL &&
		    poll_token(i, fsp.slot[i].gen) == token) {
			/* The conditions that fired, for the next poll
			 * (a late pulse of a replaced handle or a
			 * released file: another generation, nothing). */
			fsp.slot[i].fired |= (uint32_t) p.value.sival_int &
			    _NOTIFY_COND_MASK;
			ph = fsp.slot[i].ph;
			fsp.slot[i].ph = NULL;
		}
		pthread_mutex_unlock(&fsp.lock);
		if (ph != NULL) {
			(void) fuse_notify_poll(ph);
			fuse_pollhandle_destroy(ph);
		}
	}
}

static void
poll_init(void)
{
	pthread_attr_t a;
	pthread_t t;
	sigset_t all, old;
	int chid, self;

	chid = ChannelCreate_r(_NTO_CHF_PRIVATE);
	if (chid < 0) {
		return;
	}
	self = ConnectAttach_r(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	if (self < 0) {
		(void) ChannelDestroy_r(chid);
		return;
	}
	fsp.chid = chid;
	(void) pthread_attr_init(&a);
	(void) pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);
	(void) pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&t, &a, poll_thread, NULL) == 0) {
		fsp.self = self;
	} else {
		(void) ConnectDetach_r(self);
		(void) ChannelDestroy_r(chid);
	}
	(void) pthread_sigmask(SIG_SETMASK, &old, NULL);
	(void) pthread_attr_destroy(&a);
}

/* Frees f's slot (its file is going), with the handle in it. */
static void
poll_slot_free(struct fs_file *f)
{
	struct fuse_pollhandle *ph = NULL;

	if (f->poll_slot == 0) {
		return;
	}
	pthread_mutex_lock(&fsp.lock);
	ph = fsp.slot[f->poll_slot - 1].ph;
	fsp.slot[f->poll_slot - 1].ph = NULL;
	fsp.slot[f->poll_slot - 1].f = NULL;
	fsp.slot[f->poll_slot - 1].fired = 0;
	fsp.slot[f->poll_slot - 1].gen++;
	pthread_mutex_unlock(&fsp.lock);
	f->poll_slot = 0;
	if (ph != NULL) {
		fuse_pollhandle_destroy(ph);
	}
}

/* Puts ph in f's slot (taking one if it has none), freeing the one it
 * replaces: the token of the pulse that is to wake it, or -1 (no slot
 * free, or no notify channel). */
static int
poll_slot_set(struct fs_file *f, struct fuse_pollhandle *ph)
{
	struct fuse_pollhandle *old = NULL;
	int token = -1;

	pthread_mutex_lock(&fsp.lock);
	if (f->poll_slot == 0) {
		for (int i = 0; i < FS_POLL_SLOTS; i++) {
			if (fsp.slot[i].f == NULL) {
				fsp.slot[i].f = f;
				f->poll_slot = i + 1;
				break;
			}
		}
	}
	if (f->poll_slot != 0) {
		struct fs_poll_slot *sl = &fsp.slot[f->poll_slot - 1];

		old = sl->ph;
		sl->ph = ph;
		sl->gen++;
		token = poll_token(f->poll_slot - 1, sl->gen);
	}
	pthread_mutex_unlock(&fsp.lock);
	if (old != NULL) {
		fuse_pollhandle_destroy(old);
	}
	return token;
}

/* Takes the conditions a trigger told f's slot since the last poll
 * (0: none): told once, a later poll asks the manager again. */
static uint32_t
poll_slot_fired(struct fs_file *f)
{
	uint32_t fired = 0;

	if (f->poll_slot == 0) {
		return 0;
	}
	pthread_mutex_lock(&fsp.lock);
	fired = fsp.slot[f->poll_slot - 1].fired;
	fsp.slot[f->poll_slot - 1].fired = 0;
	pthread_mutex_unlock(&fsp.lock);
	return fired;
}

/* Takes back the handle of token if still there (not armed after all). */
static void
poll_slot_drop(struct fs_file *f, int token)
{
	struct fuse_pollhandle *ph = NULL;

	pthread_mutex_lock(&fsp.lock);
	if (f->poll_slot != 0) {
		struct fs_poll_slot *sl = &fsp.slot[f->poll_slot - 1];

		if (poll_token(f->poll_slot - 1, sl->gen) == token) {
			ph = sl->ph;
			sl->ph = NULL;
		}
	}
	pthread_mutex_unlock(&fsp.lock);
	if (ph != NULL) {
		fuse_pollhandle_destroy(ph);
	}
}

/*
 * The conditions (ionotify()'s flags) for the events poll asks (the
 * kernel's fi->poll_events): the classic ones as before, and QNX 7's
 * extended ones where Linux has the event: POLLPRI (also OBAND, as
 * before, for a manager that reports only that), POLLRDBAND, POLLWRBAND,
 * and POLLERR and POLLHUP, which poll(2) always asks, as ERR and HUP.
 * A manager before QNX 7's answers the classic ones only.  0: nothing
 * asked that a manager could report (epoll's registration with no
 * events still asks for POLLERR and POLLHUP: nothing is armed for it).
 */
static int
poll_want(unsigned ev)
{
	uint32_t c = 0, e = 0;

	if (ev & (POLLIN | POLLRDNORM)) {
		c |= _NOTIFY_COND_INPUT;
	}
	if (ev & (POLLOUT | POLLWRNORM)) {
		c |= _NOTIFY_COND_OUTPUT;
	}
	if (ev & (POLLPRI | POLLRDBAND)) {
		c |= _NOTIFY_COND_OBAND;
	}
	if (ev & POLLPRI) {
		e |= _NOTIFY_CONDE_PRI;
	}
	if (ev & POLLRDBAND) {
		e |= _NOTIFY_CONDE_RDBAND;
	}
	if (ev & POLLWRBAND) {
		e |= _NOTIFY_CONDE_WRBAND;
	}
	if (c == 0 && e == 0) {
		return 0;
	}
	if (ev & POLLERR) {
		e |= _NOTIFY_CONDE_ERR;
	}
	if (ev & POLLHUP) {
		e |= _NOTIFY_CONDE_HUP;
	}
	return (int) (c | (e != 0 ? _NOTIFY_COND_EXTEN | e : 0));
}

/* The events for the conditions ionotify() says are met. */
static unsigned
poll_revents(unsigned r)
{
	static const struct {
		unsigned cond, ev;
	} map[] = {
		{_NOTIFY_COND_INPUT, POLLIN | POLLRDNORM},
		{_NOTIFY_COND_OUTPUT, POLLOUT | POLLWRNORM},
		{_NOTIFY_COND_OBAND, POLLPRI | POLLRDBAND},
		{_NOTIFY_CONDE_PRI, POLLPRI},
		{_NOTIFY_CONDE_RDBAND, POLLRDBAND},
		{_NOTIFY_CONDE_WRBAND, POLLWRBAND},
		{_NOTIFY_CONDE_ERR, POLLERR},
		{_NOTIFY_CONDE_HUP, POLLHUP},
	};
	unsigned ev = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (r & map[i].cond) {
			ev |= map[i].ev;
		}
	}
	return ev;
}

static int
fs_poll(const char *path, struct fuse_file_info *fi,
    struct fuse_pollhandle *ph, unsigned *reventsp)
{
	struct fs_file *f = (struct fs_file *) (uintptr_t) fi->fh;
	unsigned ev = fi->poll_events, fired;
	int want = 0, token = -1, r;
	struct sigevent sev;

	(void) path;
	if (ev == 0) {
		/* A kernel that does not say (poll(2) always asks these). */
		ev = POLLIN | POLLOUT | POLLERR | POLLHUP;
	}
	want = poll_want(ev);
	if (f == NULL || f->h != NULL || want == 0) {
		/* A helper's connection, or nothing asked (epoll's
		 * registration with no events): ready, as ever. */
		if (ph != NULL) {
			fuse_pollhandle_destroy(ph);
		}
		*reventsp = want == 0 ? 0 : FS_READY;
		return 0;
	}
	/* A trigger since the last poll: its conditions are ready, as
	 * QNX's poll() and select() take the event (whatever the manager
	 * would answer now); the poller returns, nothing is armed. */
	fired = poll_revents(poll_slot_fired(f)) &
	    (ev | POLLERR | POLLHUP);
	if (fired != 0) {
		if (ph != NULL) {
			fuse_pollhandle_destroy(ph);
		}
		*reventsp = fired;
		return 0;
	}
	if (ph != NULL) {
		(void) pthread_once(&fsp.once, poll_init);
		if (fsp.self >= 0) {
			token = poll_slot_set(f, ph);
		}
		if (token < 0) {
			/* No slot or no channel: nothing could wake the
			 * poller, so it is told ready (as before) rather
			 * than left to sleep. */
			fuse_pollhandle_destroy(ph);
			*reventsp = FS_READY;
			return 0;
		}
	}
	if (token >= 0) {
		SIGEV_PULSE_INT_INIT(&sev, fsp.self, SIGEV_PULSE_PRIO_INHERIT,
		    SI_NOTIFY, token);
		r = ionotify(f->coid, _NOTIFY_ACTION_POLLARM, want, &sev);
	} else {
		r = ionotify(f->coid, _NOTIFY_ACTION_POLL, want, NULL);
	}
	if (r != 0 && token >= 0) {
		poll_slot_drop(f, token); /* met, or failed: not armed */
	}
	if (r < 0) {
		if (errno == ENOSYS) {
			*reventsp = FS_READY; /* no io_notify: as before */
			return 0;
		}
		return fs_err(-errno);
	}
	*reventsp = poll_revents((unsigned) r);
	return 0;
}

static int
fs_release(const char *path, struct fuse_file_info *fi)
{
	struct fs_file *f = (struct fs_file *) (uintptr_t) fi->fh;
	struct fs_req q = {.op = OP_CLOSE};
	uint64_t got;

	(void) path;
	if (f == NULL) {
		return 0;
	}
	q.coid = f->coid;
	poll_slot_free(f);
	(void) fs_call(f->h, &q, NULL, NULL, 0, &got);
	helper_put(f->h);
	pthread_mutex_destroy(&f->lock);
	free(f);
	return 0;
}

/* ---- directories ---------------------------------------------------- */

/* The listing of a directory manager's directory at path of node nd. */
static int
manager_dir(int nd, const char *path, struct axon_fs_names *s)
{
	struct fs_req q = {.op = OP_OPEN, .nd = nd,
	    .ioflag = ioflag_of(O_RDONLY), .len = strlen(path) + 1};
	struct fs_helper *h;
	unsigned char *buf;
	size_t total = 0;
	uint64_t got;
	int64_t r;
	int coid, rc = caller(&h);

	if (rc < 0) {
		return rc;
	}
	r = fs_call(h, &q, path, NULL, 0, &got);
	if (r < 0) {
		helper_put(h);
		return (int) r;
	}
	coid = (int) r;
	buf = malloc(65536);
	rc = buf == NULL ? -ENOMEM : 0;
	while (rc == 0 && total < FS_DIR_MAX) {
		struct fs_req rq = {.op = OP_READ, .coid = coid,
		    .want = 65536};

		r = fs_call(h, &rq, NULL, buf, 65536, &got);
		if (r <= 0) {
			rc = (int) r;
			break;
		}
		total += (size_t) r;
		rc = axon__fs_dirents(buf, (size_t) r, s);
	}
	free(buf);
	q = (struct fs_req){.op = OP_CLOSE, .coid = coid};
	(void) fs_call(h, &q, NULL, NULL, 0, &got);
	helper_put(h);
	return rc;
}

/* The net directory: this node and every node it knows. */
static int
net_readdir(void *buf, fuse_fill_dir_t fill)
{
	char (*v)[64] = NULL;
	int n = axon__nd_names(&v);

	if (n < 0) {
		return n;
	}
	(void) fill(buf, ".", NULL, 0, 0);
	(void) fill(buf, "..", NULL, 0, 0);
	for (int i = 0; i < n; i++) {
		if (fill(buf, v[i], NULL, 0, 0) != 0) {
			break;
		}
	}
	free(v);
	return 0;
}

static int
fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
    struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct axon_path_entry *e = NULL;
	struct axon_fs_names s = {0};
	char pbuf[PATH_MAX];
	size_t l;
	bool synth;
	int n, nd, rc = 0;

	(void) off;
	(void) fi;
	(void) flags;
	rc = fs_where(path, &nd, &path, pbuf, sizeof(pbuf));
	if (rc < 0) {
		return rc;
	}
	if (rc == WHERE_NETROOT) {
		return net_readdir(buf, fill);
	}
	rc = 0;
	l = strlen(path);
	n = fs_list(nd, path, &e);
	if (n < 0) {
		return n;
	}
	synth = is_synth_dir(path, e, n);
	/* The next component of every mountpoint below path. */
	for (int i = 0; i < n && rc == 0; i++) {
		const char *m = e[i].mount, *rest, *end;

		if (strcmp(path, "/") == 0) {
			rest = m + 1;
		} else if (strncmp(m, path, l) == 0 && m[l] == '/') {
			rest = m + l + 1;
		} else {
			continue;
		}
		end = strchrnul(rest, '/');
		rc = axon__fs_names_add(&s, rest, (size_t) (end - rest));
	}
	free(e);
	if (rc == 0) {
		/* A directory manager's own entries (ENOENT: none here). */
		rc = manager_dir(nd, path, &s);
		if (rc == -ESRCH) {
			rc = -ENOENT;
		}
		if (synth && rc < 0 && rc != -ENOMEM) {
			rc = 0; /* the made-up part stands on its own */
		}
	}
	if (rc == 0) {
		(void) fill(buf, ".", NULL, 0, 0);
		(void) fill(buf, "..", NULL, 0, 0);
		for (int i = 0; i < s.n; i++) {
			if (fill(buf, s.v[i], NULL, 0, 0) != 0) {
				break;
			}
		}
	}
	axon__fs_names_free(&s);
	return rc == -ESRCH ? -ENOENT : rc;
}

static int
fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	char buf[PATH_MAX];
	int nd, rc = fs_where(path, &nd, &path, buf, sizeof(buf));

	(void) fi;
	if (rc < 0 || rc == WHERE_NETROOT) {
		return rc < 0 ? rc : -EPERM;
	}
	return path_call(nd, path, OP_PATHCHMOD, mode, 0, 0, NULL);
}

static int
fs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	char buf[PATH_MAX];
	int nd, rc = fs_where(path, &nd, &path, buf, sizeof(buf));

	(void) fi;
	if (rc < 0 || rc == WHERE_NETROOT) {
		return rc < 0 ? rc : -EPERM;
	}
	return path_call(nd, path, OP_PATHCHOWN, 0, uid, gid, NULL);
}

/* _IO_SPACE on an open file: what QNX's ftruncate() and fcntl()'s
 * F_ALLOCSP/F_FREESP send. */
static int
space_call(struct fs_file *f, int subtype, off_t start, off_t len)
{
	struct fs_req q = {.op = OP_SPACE, .coid = f->coid, .a = (uint32_t)
	    subtype, .b = SEEK_SET, .off = start, .want = (uint64_t) len};
	uint64_t got;
	int64_t r;

	pthread_mutex_lock(&f->lock);
	r = fs_call(f->h, &q, NULL, NULL, 0, &got);
	pthread_mutex_unlock(&f->lock);
	return r < 0 ? fs_err(r) : 0;
}

/* truncate(2) and ftruncate(2): F_FREESP64 from size with no length
 * sets the size (shrinking or growing).  truncate(2) of a path opens it
 * for writing, so the manager's open checks the caller as QNX's
 * truncate() would. */
static int
fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct fuse_file_info own = {.flags = O_WRONLY};
	int rc;

	if (size < 0) {
		return -EINVAL;
	}
	if (fi != NULL && fi->fh != 0) {
		return space_call((struct fs_file *) (uintptr_t) fi->fh,
		    F_FREESP64, size, 0);
	}
	rc = open_as(path, O_WRONLY, 0, &own);
	if (rc < 0) {
		return rc;
	}
	rc = space_call((struct fs_file *) (uintptr_t) own.fh, F_FREESP64,
	    size, 0);
	(void) fs_release(path, &own);
	return rc;
}

/* fallocate(2): mode 0 is F_ALLOCSP64 over the range (the size grows to
 * its end); a punched hole (PUNCH_HOLE|KEEP_SIZE) is F_FREESP64 over
 * it.  Other modes have no _IO_SPACE form. */
static int
fs_fallocate(const char *path, int mode, off_t off, off_t len,
    struct fuse_file_info *fi)
{
	(void) path;
	if (fi == NULL || fi->fh == 0 || off < 0 || len <= 0) {
		return fi == NULL || fi->fh == 0 ? -EBADF : -EINVAL;
	}
	if (mode == 0) {
		return space_call((struct fs_file *) (uintptr_t) fi->fh,
		    F_ALLOCSP64, off, len);
	}
	if (mode == (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)) {
		return space_call((struct fs_file *) (uintptr_t) fi->fh,
		    F_FREESP64, off, len);
	}
	return -EOPNOTSUPP;
}

/* fsync(2), fdatasync(2): _IO_SYNC with O_SYNC or O_DSYNC. */
static int
fs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	struct fs_file *f;
	struct fs_req q = {.op = OP_SYNC};
	uint64_t got;
	int64_t r;

	(void) path;
	if (fi == NULL || fi->fh == 0) {
		return -EBADF;
	}
	f = (struct fs_file *) (uintptr_t) fi->fh;
	q.coid = f->coid;
	q.a = (uint32_t) (datasync ? O_DSYNC : O_SYNC);
	pthread_mutex_lock(&f->lock);
	r = fs_call(f->h, &q, NULL, NULL, 0, &got);
	pthread_mutex_unlock(&f->lock);
	return r < 0 ? fs_err(r) : 0;
}

/* ---- mkdir, mknod, unlink, rmdir, rename, utimens ------------------- */

/* What a call that no manager answered (-ENOENT) becomes: on a made-up
 * directory (itself, or the one it would be made in) -EROFS: nobody
 * keeps entries there.  exists: the call names an entry that must exist
 * (unlink, rmdir, utime, rename's old path), which a made-up directory
 * is; otherwise the entry is to be made in path's parent. */
static int
synth_refusal(int nd, const char *path, bool exists)
{
	struct axon_path_entry *e = NULL;
	char parent[PATH_MAX];
	char *slash;
	int n, rc = -ENOENT;

	n = fs_list(nd, path, &e);
	if (n < 0) {
		return -ENOENT;
	}
	if (is_synth_dir(path, e, n)) {
		rc = exists ? -EROFS : -EEXIST;
	} else if (!exists) {
		snprintf(parent, sizeof(parent), "%s", path);
		slash = strrchr(parent, '/');
		if (slash != NULL) {
			slash[slash == parent ? 1 : 0] = '\0';
			if (is_synth_dir(parent, e, n)) {
				rc = -EROFS;
			}
		}
	}
	free(e);
	return rc;
}

/* A connect message other than an open for path (and old, a rename's
 * old path), on node nd, from the caller's process. */
static int
connect_call(int nd, const char *path, const char *old, unsigned subtype,
    mode_t mode, unsigned extra_type)
{
	size_t pl = strlen(path) + 1, ol = old != NULL ? strlen(old) + 1 : 0;
	struct fs_req q = {.op = OP_PATHCONNECT, .nd = nd, .mode = mode,
	    .a = subtype, .b = extra_type, .len = pl + ol, .want = pl};
	struct fs_helper *h;
	char *in;
	uint64_t got;
	int64_t r;
	int rc;

	if (pl + ol > 2 * PATH_MAX) {
		return -ENAMETOOLONG;
	}
	in = malloc(pl + ol);
	if (in == NULL) {
		return -ENOMEM;
	}
	memcpy(in, path, pl);
	if (old != NULL) {
		memcpy(in + pl, old, ol);
	}
	rc = caller(&h);
	if (rc < 0) {
		free(in);
		return rc;
	}
	r = fs_call(h, &q, in, NULL, 0, &got);
	helper_put(h);
	free(in);
	if (r == -ENOENT) {
		/* No manager took it: a made-up directory's refusal, or
		 * the name is nobody's. */
		return synth_refusal(nd, old != NULL ? old : path,
		    subtype != _IO_CONNECT_MKNOD);
	}
	return r < 0 ? fs_err(r) : 0;
}

/* Where a path of this mount is, for a call that changes an entry: the
 * net directory and a node's own directory are made up. */
static int
entry_where(const char *path, int *nd, const char **rpath, char *buf,
    size_t len)
{
	int rc = fs_where(path, nd, rpath, buf, len);

	if (rc == WHERE_NETROOT || rc == WHERE_NODE) {
		return -EROFS;
	}
	return rc < 0 ? rc : 0;
}

/* mkdir(2): _IO_CONNECT_MKNOD with S_IFDIR, as QNX's mkdir() sends it. */
static int
fs_mkdir(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	int nd, rc = entry_where(path, &nd, &path, buf, sizeof(buf));

	if (rc < 0) {
		return rc;
	}
	return connect_call(nd, path, NULL, _IO_CONNECT_MKNOD,
	    S_IFDIR | (mode & 07777), _IO_CONNECT_EXTRA_NONE);
}

/* mknod(2) of a FIFO or a regular file: _IO_CONNECT_MKNOD with the mode
 * (a device node is the kernel's, never a manager's: EPERM). */
static int
fs_mknod(const char *path, mode_t mode, dev_t rdev)
{
	char buf[PATH_MAX];
	int nd, rc;

	(void) rdev;
	if (!S_ISFIFO(mode) && !S_ISREG(mode)) {
		return -EPERM;
	}
	rc = entry_where(path, &nd, &path, buf, sizeof(buf));
	if (rc < 0) {
		return rc;
	}
	return connect_call(nd, path, NULL, _IO_CONNECT_MKNOD,
	    (mode & S_IFMT) | (mode & 07777), _IO_CONNECT_EXTRA_NONE);
}

/* unlink(2) and rmdir(2): both _IO_CONNECT_UNLINK, as QNX sends them;
 * the kind Linux expects (rmdir of a file ENOTDIR, unlink of a
 * directory EISDIR) is checked first with the manager's own stat. */
static int
remove_entry(const char *path, bool dir)
{
	char buf[PATH_MAX];
	struct stat st;
	int nd, rc = entry_where(path, &nd, &path, buf, sizeof(buf));

	if (rc < 0) {
		return rc;
	}
	rc = path_call(nd, path, OP_PATHSTAT, 0, 0, 0, &st);
	if (rc == 0 && S_ISDIR(st.st_mode) != dir) {
		return dir ? -ENOTDIR : -EISDIR;
	}
	return connect_call(nd, path, NULL, _IO_CONNECT_UNLINK, 0,
	    _IO_CONNECT_EXTRA_NONE);
}

static int
fs_unlink(const char *path)
{
	return remove_entry(path, false);
}

static int
fs_rmdir(const char *path)
{
	return remove_entry(path, true);
}

/* rename(2): _IO_CONNECT_RENAME to the new path's manager, the old path
 * (as that manager names it) in the extra (_IO_CONNECT_EXTRA_RENAME);
 * paths of two managers, or two nodes: EXDEV.  renameat2()'s flags have
 * no QNX form: EINVAL (the kernel's answer where they are not had). */
static int
fs_rename(const char *from, const char *to, unsigned int flags)
{
	char b1[PATH_MAX], b2[PATH_MAX];
	int nd1, nd2, rc;

	if (flags != 0) {
		return -EINVAL;
	}
	if ((rc = entry_where(from, &nd1, &from, b1, sizeof(b1))) < 0 ||
	    (rc = entry_where(to, &nd2, &to, b2, sizeof(b2))) < 0) {
		return rc;
	}
	if (nd1 != nd2) {
		return -EXDEV;
	}
	return connect_call(nd1, to, from, _IO_CONNECT_RENAME, 0,
	    _IO_CONNECT_EXTRA_RENAME);
}

/* utimensat(2): _IO_UTIME, as QNX's utime() sends it (cur_flag for
 * "both now"; otherwise both times, an omitted one read back from the
 * manager's stat, a "now" one the bridge's clock), on the open file or
 * on a connect of the path with no access asked. */
static int
fs_utimens(const char *path, const struct timespec tv[2],
    struct fuse_file_info *fi)
{
	struct fs_req q = {.op = OP_PATHUTIME};
	time_t t[2] = {0, 0};
	char buf[PATH_MAX];
	struct fs_helper *h;
	struct stat st;
	uint64_t got;
	int64_t r;
	int nd, rc;
	bool cur = tv == NULL || (tv[0].tv_nsec == UTIME_NOW &&
	    tv[1].tv_nsec == UTIME_NOW);
	const char *mpath = path; /* the mount's own name, for getattr */

	rc = entry_where(path, &nd, &path, buf, sizeof(buf));
	if (rc < 0) {
		return rc;
	}
	if (!cur) {
		if (tv[0].tv_nsec == UTIME_OMIT ||
		    tv[1].tv_nsec == UTIME_OMIT) {
			rc = fs_getattr(mpath, &st, fi);
			if (rc < 0) {
				return rc;
			}
			t[0] = st.st_atime;
			t[1] = st.st_mtime;
		}
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_nsec == UTIME_NOW) {
				t[i] = time(NULL);
			} else if (tv[i].tv_nsec != UTIME_OMIT) {
				t[i] = tv[i].tv_sec;
			}
		}
	}
	q.a = cur ? 1 : 0;
	q.off = (int64_t) t[0];
	q.want = (uint64_t) (int64_t) t[1];
	if (fi != NULL && fi->fh != 0) {
		struct fs_file *f = (struct fs_file *) (uintptr_t) fi->fh;

		q.op = OP_UTIME;
		q.coid = f->coid;
		pthread_mutex_lock(&f->lock);
		r = fs_call(f->h, &q, NULL, NULL, 0, &got);
		pthread_mutex_unlock(&f->lock);
		return r < 0 ? fs_err(r) : 0;
	}
	q.nd = nd;
	q.len = strlen(path) + 1;
	rc = caller(&h);
	if (rc < 0) {
		return rc;
	}
	r = fs_call(h, &q, path, NULL, 0, &got);
	helper_put(h);
	if (r == -ENOENT || r == -ESRCH) {
		return synth_refusal(nd, path, true);
	}
	return r < 0 ? fs_err(r) : 0;
}

static void *
fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/* Nothing cached: a path whose manager is gone vanishes at once,
	 * and every read reaches the manager whatever st_size says. */
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	/* An interrupted request's worker gets SIGUSR1 (its handler is
	 * main's: libfuse installs its own only for the "intr" option,
	 * which fuse_new no longer parses). */
	cfg->intr = 1;
	cfg->intr_signal = SIGUSR1;
	cfg->use_ino = 0;
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC) {
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	}
	return fuse_get_context()->private_data; /* the struct fs_mount */
}

static const struct fuse_operations fs_ops = {
	.init = fs_init,
	.getattr = fs_getattr,
	.open = fs_open,
	.create = fs_create,
	.read = fs_read,
	.write = fs_write,
	.release = fs_release,
	.readdir = fs_readdir,
	.chmod = fs_chmod,
	.chown = fs_chown,
	.truncate = fs_truncate,
	.fallocate = fs_fallocate,
	.fsync = fs_fsync,
	.mkdir = fs_mkdir,
	.mknod = fs_mknod,
	.unlink = fs_unlink,
	.rmdir = fs_rmdir,
	.rename = fs_rename,
	.utimens = fs_utimens,
	.ioctl = fs_ioctl,
	.poll = fs_poll,
};

/* ---- main ------------------------------------------------------------ */

static void
usage(FILE *f)
{
	fprintf(f,
"usage: axon-fs [--fs-dir DIR] [--net-dir DIR|none] [--dev-links ROOT|none]\n"
"               [--max-threads N] [-d] [-h]\n"
"  Mounts the node's path namespace ($AXON_RUNDIR) at DIR\n"
"  ($AXON_RUNDIR/fs by default), and every node's under the net\n"
"  directory (/net for root on /run/axon, else $AXON_RUNDIR/net);\n"
"  runs until unmounted or signalled.\n"
"  --fs-dir DIR       the mount point of the namespace\n"
"  --net-dir DIR      the mount point of /net/NODE/... (none: no such\n"
"                     mount)\n"
"  --dev-links ROOT   link ROOT/dev/X to the mount's /dev/X for paths\n"
"                     only root's managers attach (default: / for root\n"
"                     on /run/axon, else none)\n"
"  --max-threads N    FUSE worker threads at most, per mount (%d)\n"
"  -d                 FUSE debug output\n", FS_DEF_THREADS);
}

/* A FUSE mount left by a bridge that died (ENOTCONN) is detached; a
 * live one is refused. */
static int
prepare_mountpoint(const char *dir)
{
	struct stat st, pst;
	char parent[PATH_MAX];
	char *slash;

	if (lstat(dir, &st) < 0 && errno == ENOTCONN) {
		if (umount2(dir, MNT_DETACH) < 0) {
			char cmd[PATH_MAX + 64];
			int r;

			/* Not root: fusermount3 may (the user's mount). */
			snprintf(cmd, sizeof(cmd),
			    "fusermount3 -u -z -- '%s' 2>/dev/null", dir);
			r = strchr(dir, '\'') == NULL ? system(cmd) : -1;
			if (r != 0) {
				fprintf(stderr, "axon-fs: %s: a stale mount "
				    "that cannot be detached\n", dir);
				return -1;
			}
		}
		fprintf(stderr, "axon-fs: %s: stale mount detached\n", dir);
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "axon-fs: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "axon-fs: %s: not a directory\n", dir);
		return -1;
	}
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash != NULL && slash != parent) {
		*slash = '\0';
		if (stat(parent, &pst) == 0 && pst.st_dev != st.st_dev) {
			fprintf(stderr, "axon-fs: %s: already mounted\n", dir);
			return -1;
		}
	}
	return 0;
}

static struct fuse_session *main_se;

/*
 * Ending is bounded: the loop, told to end, cancels its workers and
 * joins them, but a worker in a call that a manager holds (a read that
 * waits for data) is in no cancellation point and would keep the
 * bridge, its mount and that caller waiting forever, once nobody is
 * left to kill it (axond dead).  So whatever tells the loop to end also
 * sets the alarm: FS_EXIT_GRACE seconds later on_alarm detaches the
 * mount (root may; otherwise fusermount3's watcher does, auto_unmount)
 * and ends the process, and the kernel aborts the mount's requests (the
 * callers get ECONNABORTED).  (Left to the watcher alone, a root mount
 * stayed, stale, about one time in ten under ASan.)
 */
static void (*fuse_stop_handler[NSIG])(int); /* libfuse's, chained */
static char stop_dir[PATH_MAX];              /* the mount on_alarm ends */
static char mounts_file[PATH_MAX]; /* $AXON_RUNDIR/mounts, main's only */

static void
on_alarm(int sig)
{
	(void) sig;
	if (stop_dir[0] != '\0') {
		(void) umount2(stop_dir, MNT_DETACH);
	}
	if (mounts_file[0] != '\0') {
		(void) unlink(mounts_file);
	}
	_exit(1);
}

static void
on_stop(int sig)
{
	int e = errno;

	if (sig > 0 && sig < NSIG && fuse_stop_handler[sig] != NULL) {
		fuse_stop_handler[sig](sig);
	}
	(void) alarm(FS_EXIT_GRACE);
	errno = e;
}

/* Wraps libfuse's handler of sig (fuse_set_signal_handlers'), if it has
 * one, so that the signal also sets the alarm. */
static void
bound_stop(int sig)
{
	struct sigaction old, sa = {.sa_handler = on_stop};

	if (sigaction(sig, NULL, &old) != 0 || (old.sa_flags & SA_SIGINFO) ||
	    old.sa_handler == SIG_DFL || old.sa_handler == SIG_IGN ||
	    old.sa_handler == on_stop) {
		return;
	}
	fuse_stop_handler[sig] = old.sa_handler;
	sa.sa_mask = old.sa_mask;
	sa.sa_flags = old.sa_flags;
	(void) sigaction(sig, &sa, NULL);
}

/* The other mount's process ended (or the spawner did): this one ends
 * too, so that axond starts both again.  (Installed with SA_NOCLDSTOP:
 * a child stopped or continued, by job control or a debugger, has not
 * ended.) */
static void
on_child(int sig)
{
	(void) sig;
	if (main_se != NULL) {
		fuse_session_exit(main_se);
		(void) alarm(FS_EXIT_GRACE);
	}
}

/*
 * Serves one mount until it is unmounted or a signal ends it: the
 * namespace (net false) at dir, or the net directory.  Forks the
 * spawner first when root (before any thread).  Returns main's status.
 */
static int
serve(const char *dir, bool net, long threads, bool debug, char *argv0)
{
	static struct fs_mount mount;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_loop_config *lc;
	struct fuse *f;
	char opts[256];
	int rc;

	mount.net = net;
	fs.uid = geteuid();
	fs.gid = getegid();
	fs.root = fs.uid == 0;
	(void) signal(SIGPIPE, SIG_IGN);
	{
		struct sigaction sa = {.sa_handler = helper_sig};

		/* No SA_RESTART: the signal must end a wait (fs_init). */
		(void) sigaction(SIGUSR1, &sa, NULL);
	}
	if (fs.root) {
		int sv[2];
		pid_t pid;

		/* Before any thread: the spawner forks a single-threaded
		 * process, so its children start clean. */
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
			sv) < 0 || (pid = fork()) < 0) {
			perror("axon-fs: spawner");
			return 1;
		}
		if (pid == 0) {
			(void) close(sv[0]);
			spawner_main(sv[1]);
			_exit(0);
		}
		(void) close(sv[1]);
		fs.spawner = sv[0];
	}
	/* (intr here, not in init: fuse_new installs the signal's
	 * handler, and without it SIGUSR1 would end the bridge.) */
	snprintf(opts, sizeof(opts), "fsname=%s,subtype=axon,"
	    "auto_unmount%s", net ? "axon-net" : "axon",
	    fs.root ? ",allow_other" : "");
	if (fuse_opt_add_arg(&args, argv0) < 0 ||
	    fuse_opt_add_arg(&args, "-o") < 0 ||
	    fuse_opt_add_arg(&args, opts) < 0 ||
	    (debug && fuse_opt_add_arg(&args, "-d") < 0)) {
		return 1;
	}
	f = fuse_new(&args, &fs_ops, sizeof(fs_ops), &mount);
	if (f == NULL) {
		fuse_opt_free_args(&args);
		return 1;
	}
	if (fuse_mount(f, dir) != 0) {
		fuse_destroy(f);
		fuse_opt_free_args(&args);
		return 1;
	}
	if (fuse_set_signal_handlers(fuse_get_session(f)) != 0) {
		fuse_unmount(f);
		fuse_destroy(f);
		fuse_opt_free_args(&args);
		return 1;
	}
	snprintf(stop_dir, sizeof(stop_dir), "%s", dir);
	(void) signal(SIGALRM, on_alarm);
	bound_stop(SIGTERM);
	bound_stop(SIGINT);
	bound_stop(SIGHUP);
	main_se = fuse_get_session(f);
	{
		/* (No SA_RESTART: a worker's read ends, and sees the exit.
		 * SA_NOCLDSTOP: only an end is one; a stop (SIGSTOP of the
		 * fusermount3 watcher, Ctrl-Z of a foreground bridge) ended
		 * the bridge and its mount.) */
		struct sigaction sa = {.sa_handler = on_child,
		    .sa_flags = SA_NOCLDSTOP};

		(void) sigaction(SIGCHLD, &sa, NULL);
	}
	lc = fuse_loop_cfg_create();
	fuse_loop_cfg_set_max_threads(lc, (unsigned) threads);
	fuse_loop_cfg_set_idle_threads(lc, 4);
	rc = fuse_loop_mt(f, lc);
	fuse_loop_cfg_destroy(lc);
	(void) signal(SIGCHLD, SIG_DFL);
	main_se = NULL;
	fuse_remove_signal_handlers(fuse_get_session(f));
	fuse_unmount(f);
	fuse_destroy(f);
	fuse_opt_free_args(&args);
	if (fs.spawner >= 0) {
		(void) close(fs.spawner);
	}
	/* libfuse's loop returns the signal that stopped it: a stop, not a
	 * failure (axon-fs(8), EXIT STATUS). */
	return rc == 0 || rc == SIGTERM || rc == SIGINT || rc == SIGHUP ? 0
									 : 1;
}

/* Sets buf to the mount point asked for (absolute), or the default
 * under the run directory; 0, or -1 (said why). */
static int
mount_dir(char *buf, size_t len, const char *asked, const char *rundir,
    const char *sub, const char *opt)
{
	if (asked == NULL) {
		if ((size_t) snprintf(buf, len, "%s/%s", rundir, sub) >= len) {
			fprintf(stderr, "axon-fs: run directory too long\n");
			return -1;
		}
		return 0;
	}
	if (asked[0] != '/' || (size_t) snprintf(buf, len, "%s", asked) >=
	    len) {
		fprintf(stderr, "axon-fs: %s: an absolute path\n", opt);
		return -1;
	}
	return 0;
}

/*
 * $AXON_RUNDIR/mounts says where this node's paths appear, for
 * `axon paths` (axon(1)): "fs DIR" and "net DIR" (or "net none"), one
 * a line, written whole (a temporary file renamed into place) and
 * removed when the bridge ends.
 */

static void
mounts_write(const char *rundir, const char *fsdir, const char *netdir)
{
	char tmp[PATH_MAX + 16];
	FILE *f;
	int fd;

	if ((size_t) snprintf(mounts_file, sizeof(mounts_file), "%s/mounts",
		rundir) >= sizeof(mounts_file) ||
	    (size_t) snprintf(tmp, sizeof(tmp), "%s.%d", mounts_file,
		(int) getpid()) >= sizeof(tmp) ||
	    strchr(fsdir, '\n') != NULL ||
	    (netdir != NULL && strchr(netdir, '\n') != NULL)) {
		mounts_file[0] = '\0';
		return;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL) {
		if (fd >= 0) {
			(void) close(fd);
		}
		mounts_file[0] = '\0';
		return;
	}
	fprintf(f, "fs %s\nnet %s\n", fsdir, netdir != NULL ? netdir : "none");
	if ((ferror(f) | fclose(f)) || rename(tmp, mounts_file) < 0) {
		(void) unlink(tmp);
		mounts_file[0] = '\0';
	}
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"fs-dir", required_argument, NULL, 'D'},
		{"net-dir", required_argument, NULL, 'N'},
		{"max-threads", required_argument, NULL, 'T'},
		{"dev-links", required_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char rundir[PATH_MAX], dir[PATH_MAX], ndir[PATH_MAX];
	const char *fsdir = NULL, *netdir = NULL, *devlinks = NULL;
	char dlroot[PATH_MAX];
	pid_t links;
	long threads = FS_DEF_THREADS;
	bool debug = false, net = true;
	pid_t child = -1;
	int c, rc;

	while ((c = getopt_long(argc, argv, "dh", lo, NULL)) != -1) {
		switch (c) {
		case 'D':
			fsdir = optarg;
			break;
		case 'N':
			netdir = optarg;
			net = strcmp(optarg, "none") != 0;
			break;
		case 'L':
			devlinks = optarg;
			break;
		case 'T': {
			char *end;

			threads = strtol(optarg, &end, 10);
			if (*end != '\0' || threads < 2 || threads > 4096) {
				fprintf(stderr, "axon-fs: --max-threads: 2 to "
				    "4096\n");
				return 2;
			}
			break;
		}
		case 'd':
			debug = true;
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
	rc = axon__rundir(rundir, sizeof(rundir));
	if (rc < 0) {
		fprintf(stderr, "axon-fs: run directory: %s\n", strerror(-rc));
		return 1;
	}
	/* Helpers find the same node whatever their user's default. */
	(void) setenv("AXON_RUNDIR", rundir, 1);
	if (mount_dir(dir, sizeof(dir), fsdir, rundir, "fs", "--fs-dir") < 0) {
		return 2;
	}
	/* The machine's default node (root's, on /run/axon) has /net, as
	 * QNX has; any other node its own. */
	if (net && netdir == NULL && geteuid() == 0 &&
	    strcmp(rundir, "/run/axon") == 0) {
		netdir = "/net";
	}
	if (net && mount_dir(ndir, sizeof(ndir), netdir, rundir, "net",
		       "--net-dir") < 0) {
		return 2;
	}
	if (devlinks_root(devlinks, rundir, dlroot, sizeof(dlroot)) < 0) {
		return 2;
	}
	if (prepare_mountpoint(dir) < 0 ||
	    (net && prepare_mountpoint(ndir) < 0)) {
		return 1;
	}
	if (net) {
		/* The net directory has a process of its own (its own
		 * spawner and helpers); either ending ends both. */
		child = fork();
		if (child < 0) {
			perror("axon-fs: fork");
			return 1;
		}
		if (child == 0) {
			(void) prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() == 1) {
				_exit(1);
			}
			_exit(serve(ndir, true, threads, debug, argv[0]));
		}
	}
	/* Links to attached paths where they are attached (devlinks.h):
	 * a process of its own, forked before any thread. */
	links = devlinks_start(dlroot, dir, rundir);
	if (links < 0) {
		return 1;
	}
	mounts_write(rundir, dir, net ? ndir : NULL);
	rc = serve(dir, false, threads, debug, argv[0]);
	(void) alarm(0); /* served out in time; the rest is bounded */
	devlinks_stop(links);
	if (mounts_file[0] != '\0') {
		(void) unlink(mounts_file);
	}
	if (child > 0) {
		int st, i;

		(void) kill(child, SIGTERM);
		for (i = 0; i < 300 && waitpid(child, &st, WNOHANG) == 0; i++) {
			usleep(10000);
		}
		if (i == 300) {
			(void) kill(child, SIGKILL);
			(void) waitpid(child, &st, 0);
		}
	}
	return rc;
}
