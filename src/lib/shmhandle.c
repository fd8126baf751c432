/* SPDX-License-Identifier: MIT */
/*
 * QNX 7.1's shared memory handles (shm_handle(3)): shm_create_handle()
 * lets one process, named by its pid, open a shared memory object once,
 * with at most the access the handle allows, whatever the object's own
 * permissions; shm_open_handle() is that open; shm_delete_handle()
 * drops a handle unused.
 *
 * On QNX the process manager keeps the handles.  Here the creating
 * process does: each handle is a listening socket of its own in the
 * abstract namespace ("axon-shmh/" and the handle's high 32 bits in
 * hex), with a duplicate of the object's descriptor, and a thread of
 * the library ("axon-shmh") answers them.  A connection counts only if
 * the kernel says (SO_PEERCRED) it comes from the handle's pid, and the
 * process that had the pid when the handle was made has not exited (a
 * pidfd taken then, and its start time), so a later process given the
 * same pid is refused.  The creator then speaks
 * first with the handle's low 32 bits, which no name shows: a process
 * that bound a dead creator's name (names show in /proc/net/unix)
 * cannot say them, and the recipient takes nothing from it.  The object
 * goes back by SCM_RIGHTS as a new open description made with the
 * access asked for (a reopen of /proc/self/fd/N: a shared description's
 * mode cannot be narrowed), close-on-exec as QNX's.  A handle is used
 * up by its recipient's first open, succeeded or refused for its
 * access; another process's attempt does not use it.  The creator's
 * exit (or exec) takes its handles with it; a fork child has none of
 * their descriptors (the thread waits on the sockets with an epoll, not
 * on copies of them, and atfork handlers close the table's and what the
 * thread has in hand).  See docs/design/shm.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "internal.h"

#define OP_OPEN   1
#define OP_DELETE 2
#define REQ_TIMEOUT_MS 2000  /* the creator's wait for a request */
#define REPLY_TIMEOUT_S 5    /* the recipient's wait for an answer */
#define MAX_HANDLES 1024     /* open handles a process may hold */
#define LISTEN_BACKLOG 64  /* connections waiting on one handle's socket */
#define ACCEPT_MAX 64      /* served on one socket per wake-up */

/* The creator's first word: 0 and the handle's low 32 bits (which no
 * name shows: an impostor bound to a dead creator's name cannot say
 * them), or ESRCH to anyone but the recipient. */
struct hello {
	int32_t err;
	uint32_t proof;
};

struct req {
	uint32_t op;
	int32_t flags;
};

struct reply {
	int32_t err; /* 0 or an errno */
};

struct handle {
	uint64_t h;
	int lfd;        /* its listening socket */
	int objfd;      /* the object */
	pid_t pid;      /* the recipient */
	int pidfd;      /* it, since the handle was made (-1: no pidfd) */
	uint64_t start; /* its start time */
	int acc;        /* O_RDONLY, O_WRONLY or O_RDWR */
	unsigned options;
};

static pthread_mutex_t h_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t h_once = PTHREAD_ONCE_INIT;
static struct handle *h_tab;
static size_t h_n, h_cap;
static int h_ep = -1; /* epoll: the handles' sockets, by handle */
static bool h_running;
/* What serve() has in hand (under h_lock): its connection, a handle's
 * object taken out of the table, the descriptor made to send.  A fork
 * child closes them with the table's. */
static int h_conn = -1, h_obj = -1, h_out = -1;

static void
close_slot(int *fd)
{
	if (*fd >= 0) {
		(void) close(*fd);
	}
	*fd = -1;
}

/* A fork() waits for the table to be whole (h_lock): every descriptor
 * of the handles' is then either in the table or in h_conn, h_obj,
 * h_out, or is the thread's epoll's; none is anywhere else. */
static void
atfork_prepare(void)
{
	pthread_mutex_lock(&h_lock);
}

static void
atfork_parent(void)
{
	pthread_mutex_unlock(&h_lock);
}

static void
atfork_child(void)
{
	/* The handles are the parent's: its sockets, its thread and what
	 * it had in hand.  A child holding a copy of a listening socket
	 * would keep the handle answerable (but never answered) after the
	 * parent deleted it or exited. */
	for (size_t i = 0; i < h_n; i++) {
		(void) close(h_tab[i].lfd);
		(void) close(h_tab[i].objfd);
		if (h_tab[i].pidfd >= 0) {
			(void) close(h_tab[i].pidfd);
		}
	}
	free(h_tab);
	h_tab = NULL;
	h_n = h_cap = 0;
	close_slot(&h_ep);
	close_slot(&h_conn);
	close_slot(&h_obj);
	close_slot(&h_out);
	h_running = false;
	pthread_mutex_unlock(&h_lock); /* atfork_prepare's */
}

static void
h_init(void)
{
	(void) pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

static int
handle_addr(uint64_t h, struct sockaddr_un *sa, socklen_t *len)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	/* sun_path[0] stays 0: the abstract namespace */
	n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1,
	    "axon-shmh/%08x", (unsigned) (h >> 32));
	*len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 +
	    (size_t) n);
	return 0;
}

/* Called with h_lock held: index of h, or -1. */
static ssize_t
find(uint64_t h)
{
	for (size_t i = 0; i < h_n; i++) {
		if (h_tab[i].h == h) {
			return (ssize_t) i;
		}
	}
	return -1;
}

/* Called with h_lock held: takes entry i out (its socket closed, its
 * object descriptor returned, or closed if objfd is NULL). */
static void
take(size_t i, int *objfd)
{
	/* out of the epoll first: a copy elsewhere (a vfork child's before
	 * its exec) would keep it there after the close */
	(void) epoll_ctl(h_ep, EPOLL_CTL_DEL, h_tab[i].lfd, NULL);
	(void) close(h_tab[i].lfd);
	if (h_tab[i].pidfd >= 0) {
		(void) close(h_tab[i].pidfd);
	}
	if (objfd != NULL) {
		*objfd = h_tab[i].objfd;
	} else {
		(void) close(h_tab[i].objfd);
	}
	h_tab[i] = h_tab[--h_n];
}

/* Called with h_lock held: the handle's recipient is still the
 * process it was made for.  Its pidfd, taken then, says whether that
 * process has exited (a pid is not given again before): start times
 * have clock-tick resolution, and a pid can come back within one tick.
 * Without pidfds (before Linux 5.3), the start time alone. */
static bool
recipient_alive(const struct handle *e)
{
	if (e->pidfd >= 0) {
		struct pollfd pf = { .fd = e->pidfd, .events = POLLIN };

		if (poll(&pf, 1, 0) != 0) {
			return false; /* exited (or the pidfd fails) */
		}
	}
	return axon__proc_start_time(e->pid) == e->start;
}

/* A new open description of objfd with access acc (close-on-exec); the
 * same description if it has that access already and cannot be
 * reopened (its mode refuses its owner: a 0400 object open O_RDWR). */
static int
reopen(int objfd, int acc)
{
	int fd = axon__fd_reopen(objfd, acc | O_CLOEXEC);
	int dup;

	if (fd < 0 && (fcntl(objfd, F_GETFL) & O_ACCMODE) == acc) {
		dup = fcntl(objfd, F_DUPFD_CLOEXEC, 0);
		return dup >= 0 ? dup : -errno;
	}
	return fd;
}

static void
send_reply(int c, int err, int fd)
{
	struct reply r = { .err = err };
	struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		u.h.cmsg_level = SOL_SOCKET;
		u.h.cmsg_type = SCM_RIGHTS;
		u.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&u.h), &fd, sizeof(int));
	}
	(void) sendmsg(c, &m, MSG_NOSIGNAL);
}

/* Access acc grants no more than allowed does. */
static bool
acc_within(int acc, int allowed)
{
	if (allowed == O_RDWR) {
		return true;
	}
	return acc == allowed;
}

/* The request is one a recipient makes. */
static bool
req_ok(const struct req *rq)
{
	switch (rq->op) {
	case OP_OPEN:
		return (rq->flags & ~O_ACCMODE) == 0 &&
		    (rq->flags & O_ACCMODE) != O_ACCMODE;
	case OP_DELETE:
		return rq->flags == 0;
	default:
		return false;
	}
}

/* Called with h_lock held: serves one connection to handle h's socket:
 * 1, or 0 if none waits (or there is no such handle), -1 if accept()
 * fails otherwise.  The descriptors in hand are in h_conn, h_obj and
 * h_out, always under h_lock, for a fork child to close; h_lock is
 * dropped only while the recipient is given REQ_TIMEOUT_MS to ask. */
static int
serve(uint64_t h)
{
	struct ucred cr;
	socklen_t crl = sizeof(cr);
	struct hello hi = { 0 };
	struct req rq;
	struct pollfd pf;
	struct handle e;
	ssize_t i = find(h), n;
	bool ok;
	int err;

	if (i < 0) {
		return 0;
	}
	h_conn = accept4(h_tab[i].lfd, NULL, NULL,
	    SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (h_conn < 0) {
		h_conn = -1;
		return errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == ECONNABORTED || errno == EINTR ? 0 : -1;
	}
	/* Only the recipient, the process that had the pid when the handle
	 * was made; anyone else learns nothing but "no such handle".  (The
	 * peer's pid is the connecting process's, fixed at connect(): if
	 * that process has exited since, the check fails, never passes.) */
	ok = getsockopt(h_conn, SOL_SOCKET, SO_PEERCRED, &cr, &crl) == 0 &&
	    cr.pid == h_tab[i].pid && recipient_alive(&h_tab[i]);
	if (!ok) {
		hi.err = ESRCH;
		(void) send(h_conn, &hi, sizeof(hi), MSG_NOSIGNAL);
		close_slot(&h_conn);
		return 1;
	}
	hi.proof = (uint32_t) h;
	if (send(h_conn, &hi, sizeof(hi), MSG_NOSIGNAL) !=
	    (ssize_t) sizeof(hi)) {
		close_slot(&h_conn);
		return 1;
	}
	pf.fd = h_conn;
	pf.events = POLLIN;
	pthread_mutex_unlock(&h_lock);
	n = poll(&pf, 1, REQ_TIMEOUT_MS);
	pthread_mutex_lock(&h_lock);
	if (n != 1 ||
	    recv(h_conn, &rq, sizeof(rq), MSG_TRUNC) != (ssize_t) sizeof(rq) ||
	    !req_ok(&rq)) {
		close_slot(&h_conn); /* the recipient gave up, or is confused */
		return 1;
	}
	i = find(h);
	if (i < 0) {
		send_reply(h_conn, ESRCH, -1);
		close_slot(&h_conn);
		return 0;
	}
	e = h_tab[i];
	take((size_t) i, &h_obj); /* used up: opened, refused or deleted */
	err = 0;
	if (rq.op == OP_OPEN) {
		int acc = rq.flags & O_ACCMODE;

		if ((e.options & SHM_CREATE_HANDLE_OPT_NOFD) != 0 ||
		    !acc_within(acc, e.acc)) {
			err = EACCES;
		} else if ((h_out = reopen(h_obj, acc)) < 0) {
			err = -h_out;
			h_out = -1;
		}
	}
	send_reply(h_conn, err, h_out);
	close_slot(&h_out);
	close_slot(&h_obj);
	close_slot(&h_conn);
	return 0;
}

/* The thread: waits on the handles' sockets (registered in h_ep by
 * shm_create_handle(), by handle; it holds no copy of them) and serves
 * the connections. */
static void *
h_main(void *arg)
{
	int ep = (int) (intptr_t) arg;

	(void) pthread_setname_np(pthread_self(), "axon-shmh");
	for (;;) {
		struct epoll_event ev[16];
		int n = epoll_wait(ep, ev, 16, -1);
		bool fault = false;

		/* Each ready socket drained (up to ACCEPT_MAX: the others'
		 * turn comes, and epoll reports this one again): a stream
		 * of other users' connections, each refused at once, cannot
		 * keep its backlog full ahead of the recipient's. */
		for (int k = 0; k < n; k++) {
			int r = 1;

			pthread_mutex_lock(&h_lock);
			for (int j = 0; j < ACCEPT_MAX && r > 0; j++) {
				r = serve(ev[k].data.u64);
			}
			pthread_mutex_unlock(&h_lock);
			fault = fault || r < 0;
		}
		if (fault || (n < 0 && errno != EINTR)) {
			(void) usleep(10000); /* EMFILE and the like */
		}
	}
	return NULL;
}

/* A shared memory object: a regular file of a tmpfs or hugetlbfs. */
static int
shm_fd_ok(int fd, int *acc)
{
	struct statfs sfs;
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0) {
		return -EBADF;
	}
	if ((fl & O_PATH) != 0) {
		return -EBADF;
	}
	if (fstat(fd, &st) != 0) {
		return -errno;
	}
	if (!S_ISREG(st.st_mode) || fstatfs(fd, &sfs) != 0 ||
	    (sfs.f_type != TMPFS_MAGIC && sfs.f_type != HUGETLBFS_MAGIC)) {
		return -EINVAL;
	}
	*acc = fl & O_ACCMODE;
	return 0;
}

/* Called with h_lock held: drops the handles whose recipient is gone
 * (it can never open them: its pid's next process is another). */
static void
sweep(void)
{
	for (size_t i = 0; i < h_n;) {
		if (!recipient_alive(&h_tab[i])) {
			take(i, NULL);
		} else {
			i++;
		}
	}
}

/* Called with h_lock held (a fork meanwhile gets none of the
 * descriptors half made here): makes the handle. */
static int
create_locked(int fd, pid_t pid, int flags, shm_handle_t *handlep,
    unsigned options)
{
	struct sockaddr_un sa;
	socklen_t salen;
	struct handle e;
	struct epoll_event ev = { .events = EPOLLIN };
	int rc, lfd, objfd;
	uint64_t h = 0;

	memset(&e, 0, sizeof(e));
	/* The pidfd first: the start time read after it is then surely
	 * the same process's. */
	e.pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	if (e.pidfd < 0 && errno == ESRCH) {
		return -ESRCH;
	}
	if (e.pidfd < 0 && errno != ENOSYS) {
		return -errno; /* EMFILE, ENFILE, ENOMEM */
	}
	e.start = axon__proc_start_time(pid);
	if (e.start == 0) {
		rc = -ESRCH;
		goto fail_pidfd;
	}
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (lfd < 0) {
		rc = -errno;
		goto fail_pidfd;
	}
	for (int tries = 0;; tries++) {
		if (getrandom(&h, sizeof(h), 0) != (ssize_t) sizeof(h)) {
			rc = -EAGAIN;
			goto fail;
		}
		if (h == 0) {
			continue;
		}
		handle_addr(h, &sa, &salen);
		if (bind(lfd, (struct sockaddr *) &sa, salen) == 0) {
			break;
		}
		if (errno != EADDRINUSE || tries >= 16) {
			rc = -errno;
			goto fail;
		}
	}
	if (listen(lfd, LISTEN_BACKLOG) != 0) {
		rc = -errno;
		goto fail;
	}
	objfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (objfd < 0) {
		rc = -errno;
		goto fail;
	}
	e.h = h;
	e.lfd = lfd;
	e.objfd = objfd;
	e.pid = pid;
	e.acc = flags & O_ACCMODE;
	e.options = options;

	sweep();
	rc = 0;
	if (h_ep < 0 && (h_ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		rc = -errno;
	} else if (h_n >= MAX_HANDLES) {
		rc = -EAGAIN;
	} else if (h_n == h_cap) {
		size_t nc = h_cap ? 2 * h_cap : 8;
		struct handle *t = realloc(h_tab, nc * sizeof(*t));

		if (t == NULL) {
			rc = -ENOMEM;
		} else {
			h_tab = t;
			h_cap = nc;
		}
	}
	if (rc == 0 && !h_running) {
		pthread_attr_t a;
		pthread_t th;

		pthread_attr_init(&a);
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		rc = axon__thread_create_quiet(&th, &a, h_main,
		    (void *) (intptr_t) h_ep);
		pthread_attr_destroy(&a);
		h_running = rc == 0;
	}
	ev.data.u64 = h;
	if (rc == 0 && epoll_ctl(h_ep, EPOLL_CTL_ADD, lfd, &ev) != 0) {
		rc = -errno;
	}
	if (rc < 0) {
		(void) close(objfd);
		goto fail;
	}
	h_tab[h_n++] = e;
	*handlep = h;
	return 0;
fail:
	(void) close(lfd);
fail_pidfd:
	if (e.pidfd >= 0) {
		(void) close(e.pidfd);
	}
	return rc;
}

static int
create_handle(int fd, pid_t pid, int flags, shm_handle_t *handlep,
    unsigned options)
{
	int acc = 0, rc;

	if (handlep == NULL) {
		return -EFAULT;
	}
	if ((options & ~SHM_CREATE_HANDLE_OPT_NOFD) != 0 ||
	    (flags & ~O_ACCMODE) != 0 || (flags & O_ACCMODE) == O_ACCMODE) {
		return -EINVAL;
	}
	rc = shm_fd_ok(fd, &acc);
	if (rc < 0) {
		return rc;
	}
	if (!acc_within(flags, acc)) {
		return -EACCES;
	}
	if (pid <= 0) {
		return -ESRCH;
	}
	pthread_once(&h_once, h_init);
	pthread_mutex_lock(&h_lock);
	rc = create_locked(fd, pid, flags, handlep, options);
	pthread_mutex_unlock(&h_lock);
	return rc;
}

AXON_EXPORT int
shm_create_handle(int fd, pid_t pid, int flags, shm_handle_t *handlep,
    unsigned options)
{
	return axon__errno_ret(create_handle(fd, pid, flags, handlep,
	    options));
}

/* A received errno: a known one (1..4095), else ESRCH. */
static int
errno_ok(int32_t err)
{
	return err > 0 && err < 4096 ? err : ESRCH;
}

/* The creator's answer to rq, decoded and checked whole before it is
 * believed: its size, its error (0 or an errno, the only ones the
 * creator sends) and the descriptors that came with it (exactly one
 * for an open's success, none otherwise; the one sent is a shared
 * memory object with the access asked for).  The descriptor, or 0
 * (OP_DELETE), or -errno; ESRCH for anything else.  Every descriptor
 * received and not returned is closed. */
static int
decode_reply(const struct msghdr *m, ssize_t n, const struct reply *r,
    const struct req *rq)
{
	struct cmsghdr *cm;
	size_t nfd = 0;
	int fd = -1, acc, rc;

	for (cm = CMSG_FIRSTHDR(m); n >= 0 && cm != NULL;
	    cm = CMSG_NXTHDR((struct msghdr *) m, cm)) {
		size_t k;

		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len < CMSG_LEN(0)) {
			continue;
		}
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t j = 0; j < k; j++) {
			int f;

			memcpy(&f, CMSG_DATA(cm) + j * sizeof(int),
			    sizeof(int));
			if (nfd++ == 0) {
				fd = f;
			} else {
				(void) close(f);
			}
		}
	}
	if (n < 0) {
		rc = (errno == EAGAIN || errno == EWOULDBLOCK) ? -EAGAIN :
		    (errno == ECONNRESET) ? -ESRCH : -errno;
	} else if (n != (ssize_t) sizeof(*r) ||
	    (m->msg_flags & MSG_TRUNC) != 0) {
		rc = -ESRCH; /* the creator closed without a word, or babbles */
	} else if ((m->msg_flags & MSG_CTRUNC) != 0) {
		/* a descriptor sent, but no room for it here */
		rc = r->err == 0 && rq->op == OP_OPEN && nfd == 0 ? -EMFILE :
		    -ESRCH;
	} else if (r->err != 0) {
		rc = nfd == 0 ? -errno_ok(r->err) : -ESRCH;
	} else if (rq->op == OP_DELETE) {
		rc = nfd == 0 ? 0 : -ESRCH;
	} else if (nfd != 1 || shm_fd_ok(fd, &acc) != 0 ||
	    acc != (rq->flags & O_ACCMODE)) {
		rc = -ESRCH;
	} else {
		rc = fd;
		fd = -1;
	}
	if (fd >= 0) {
		(void) close(fd);
	}
	return rc;
}

/* Asks handle h's creator: the object's new descriptor (OP_OPEN), or 0
 * (OP_DELETE); -ESRCH when there is no such handle for this process,
 * or the answer is not one the creator gives.  A descriptor is
 * returned only as decode_reply() allows. */
static int
ask(uint64_t h, uint32_t op, int flags)
{
	struct sockaddr_un sa;
	socklen_t salen;
	struct req rq = { .op = op, .flags = flags };
	struct hello hi;
	struct reply r;
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT_S };
	struct iovec hiov = { .iov_base = &hi, .iov_len = sizeof(hi) };
	struct msghdr hm = { .msg_iov = &hiov, .msg_iovlen = 1 };
	struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
	union {
		struct cmsghdr h;
		/* room for more than one, to see (and close) them all */
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} u;
	struct msghdr m = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	ssize_t n;
	int rc;
	int c = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (c < 0) {
		return -errno;
	}
	handle_addr(h, &sa, &salen);
	(void) setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void) setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(c, (struct sockaddr *) &sa, salen) != 0) {
		/* no such socket, or its creator is gone */
		rc = (errno == ECONNREFUSED || errno == ENOENT) ? -ESRCH :
		    (errno == EAGAIN || errno == EWOULDBLOCK) ? -EAGAIN :
		    -errno;
		goto out;
	}
	/* The creator speaks first: the recipient's refusal (ESRCH, the
	 * only error it sends), or its proof of being the handle's
	 * creator.  Anything else is no creator's: ESRCH.  (No control
	 * buffer: a descriptor sent with it is never installed.) */
	n = recvmsg(c, &hm, 0);
	if (n < 0) {
		rc = (errno == EAGAIN || errno == EWOULDBLOCK) ? -EAGAIN :
		    (errno == ECONNRESET) ? -ESRCH : -errno;
		goto out;
	}
	if (n != (ssize_t) sizeof(hi) || (hm.msg_flags & MSG_TRUNC) != 0 ||
	    hi.err != 0 || hi.proof != (uint32_t) h) {
		rc = -ESRCH;
		goto out;
	}
	if (send(c, &rq, sizeof(rq), MSG_NOSIGNAL) != (ssize_t) sizeof(rq)) {
		rc = (errno == EPIPE || errno == ECONNRESET) ? -ESRCH :
		    -errno;
		goto out;
	}
	memset(&u, 0, sizeof(u));
	n = recvmsg(c, &m, MSG_CMSG_CLOEXEC);
	rc = decode_reply(&m, n, &r, &rq);
out:
	(void) close(c);
	return rc;
}

AXON_EXPORT int
shm_open_handle(shm_handle_t handle, int flags)
{
	if ((flags & ~(O_ACCMODE | O_CLOEXEC)) != 0 ||
	    (flags & O_ACCMODE) == O_ACCMODE) {
		return axon__errno_ret(-EINVAL);
	}
	return axon__errno_ret(ask(handle, OP_OPEN, flags & O_ACCMODE));
}

AXON_EXPORT int
shm_delete_handle(shm_handle_t handle)
{
	ssize_t i;

	/* The creator's own: here. */
	pthread_once(&h_once, h_init);
	pthread_mutex_lock(&h_lock);
	i = find(handle);
	if (i >= 0) {
		take((size_t) i, NULL);
		pthread_mutex_unlock(&h_lock);
		return 0;
	}
	pthread_mutex_unlock(&h_lock);
	/* The recipient's: its creator drops it. */
	return axon__errno_ret(ask(handle, OP_DELETE, 0));
}
