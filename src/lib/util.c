/* SPDX-License-Identifier: MIT */
/* Small system helpers: fd passing, iov copies, futexes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

uint64_t
axon__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

/* A client's send time orders its message among others of the same
 * priority; it cannot be later than now nor earlier than 10 s ago, so a
 * lying client gains at most a place it could have had by sending
 * earlier. */
uint64_t
axon__clamp_stamp(uint64_t stamp)
{
	uint64_t now = axon__now_ns();

	if (stamp > now) {
		return now;
	}
	if (now - stamp > 10000000000ull) {
		return now - 10000000000ull;
	}
	return stamp;
}

/*
 * Creates tmp afresh for writing (the temporary half of a write-and-
 * rename), for directories other users can write to: whatever is at tmp
 * is removed first (if we may), and a file or link someone planted there
 * meanwhile is never opened or written through.  Returns an fd or
 * -errno.
 */
int
axon__tmp_create(const char *tmp)
{
	int fd;

	(void) unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	return fd < 0 ? -errno : fd;
}

/* As axon__tmp_create, as a stdio stream (NULL and errno on failure). */
FILE *
axon__tmp_fopen(const char *tmp)
{
	int fd = axon__tmp_create(tmp);
	FILE *f;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		int e = errno;

		(void) close(fd);
		(void) unlink(tmp);
		errno = e;
	}
	return f;
}

/* Whether a look-up on a file system of this type can wait for good on
 * another process or machine: FUSE (any user's server; Axon's own bridge
 * asks managers) and the network file systems (a hard NFS mount of a
 * server that is gone waits forever). */
bool
axon__fstype_may_hang(const char *type)
{
	static const char *const net[] = {"nfs", "nfs4", "cifs", "smb3",
	    "smbfs", "ceph", "9p", "afs", "coda", "ncpfs", "lustre",
	    "glusterfs", "virtiofs", "orangefs", "gfs2", "ocfs2"};

	if (strncmp(type, "fuse", 4) == 0) {
		return true;
	}
	for (size_t i = 0; i < sizeof(net) / sizeof(net[0]); i++) {
		if (strcmp(type, net[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* Whether the /proc/PID/mountinfo line is a mount whose look-ups may
 * wait for good (axon__fstype_may_hang); if so, its device in *maj and
 * *min and its mountpoint, \ooo escapes (a blank, a tab, a newline, a
 * backslash) decoded, in mp (PATH_MAX bytes). */
bool
axon__mountinfo_hang(const char *line, unsigned *maj, unsigned *min,
    char *mp)
{
	const char *sep = strstr(line, " - ");
	char type[64];
	char *d = mp;

	if (sep == NULL || sscanf(sep, " - %63s", type) != 1 ||
	    !axon__fstype_may_hang(type) ||
	    sscanf(line, "%*s %*s %u:%u %*s %4095s", maj, min, mp) != 3) {
		return false;
	}
	for (const char *q = mp; *q != '\0'; q++) {
		if (q[0] == '\\' && q[1] >= '0' && q[1] <= '3' &&
		    q[2] >= '0' && q[2] <= '7' && q[3] >= '0' && q[3] <= '7') {
			*d++ = (char) ((q[1] - '0') * 64 + (q[2] - '0') * 8 +
			    (q[3] - '0'));
			q += 3;
		} else {
			*d++ = *q;
		}
	}
	*d = '\0';
	return true;
}

/* A new open file description of the file fd is open on, with oflag
 * (O_NOCTTY added): open(2) of /proc/self/fd/N, which checks the file's
 * mode again.  The descriptor, or -errno. */
int
axon__fd_reopen(int fd, int oflag)
{
	char proc[sizeof("/proc/self/fd/") + 3 * sizeof(int)];
	int nfd;

	(void) snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	nfd = open(proc, oflag | O_NOCTTY);
	return nfd < 0 ? -errno : nfd;
}

int
axon__sendmsg_fd(int sock, const void *buf, size_t len, int fd)
{
	return axon__sendmsg_fd_flags(sock, buf, len, fd, 0);
}

int
axon__sendmsg_fd_flags(int sock, const void *buf, size_t len, int fd,
    int flags)
{
	return axon__sendmsg_fds(sock, buf, len, &fd, fd >= 0 ? 1 : 0, flags);
}

int
axon__sendmsg_fds(int sock, const void *buf, size_t len, const int *fds,
    int nfds, int flags)
{
	struct iovec iov = {.iov_base = (void *) buf, .iov_len = len};
	union {
		char b[CMSG_SPACE(sizeof(int) * AXON_MAX_PASS_FDS)];
		struct cmsghdr align;
	} cbuf;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (nfds > (int) AXON_MAX_PASS_FDS) {
		return -EINVAL;
	}
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t) nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t) nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t) nfds);
	}
	do {
		n = sendmsg(sock, &mh, MSG_NOSIGNAL | flags);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		return -errno;
	}
	return (size_t) n == len ? 0 : -EIO;
}

ssize_t
axon__recvmsg_fd(int sock, void *buf, size_t len, int *ret_fd, int flags)
{
	int fd = -1;
	ssize_t n = axon__recvmsg_fds(sock, buf, len, &fd, 1, flags);

	if (ret_fd != NULL) {
		*ret_fd = fd;
	} else if (fd >= 0) {
		(void) close(fd);
	}
	return n;
}

ssize_t
axon__recvmsg_fds(int sock, void *buf, size_t len, int *fds, int maxfds,
    int flags)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	union {
		char b[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} cbuf;
	struct msghdr mh = {.msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = cbuf.b,
	    .msg_controllen = sizeof(cbuf.b)};
	struct cmsghdr *c;
	ssize_t n;
	int got = 0;

	for (int i = 0; i < maxfds; i++) {
		fds[i] = -1;
	}
	do {
		n = recvmsg(sock, &mh, flags | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		return -errno;
	}
	/* Take at most maxfds, in order; close any extra a peer stuffed in
	 * (and any cut off: MSG_CTRUNC leaves none open). */
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < nfd; i++) {
				int f;

				memcpy(&f, CMSG_DATA(c) + i * sizeof(int),
				    sizeof(int));
				if (got < maxfds) {
					fds[got++] = f;
				} else {
					(void) close(f);
				}
			}
		}
	}
	if (mh.msg_flags & MSG_TRUNC) {
		for (int i = 0; i < got; i++) {
			(void) close(fds[i]);
			fds[i] = -1;
		}
		return -EPROTO;
	}
	return n;
}

size_t
axon__iov_total(const iov_t *iov, size_t parts)
{
	size_t t = 0;

	for (size_t i = 0; i < parts; i++) {
		if (SIZE_MAX - t < iov[i].iov_len) {
			return SIZE_MAX;
		}
		t += iov[i].iov_len;
	}
	return t;
}

size_t
axon__iov_copy_out(const iov_t *iov, size_t parts, size_t off,
    const void *src, size_t len)
{
	const uint8_t *s = src;
	size_t done = 0;

	for (size_t i = 0; i < parts && done < len; i++) {
		size_t l = iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		size_t n = l - off;
		if (n > len - done) {
			n = len - done;
		}
		memcpy((uint8_t *) iov[i].iov_base + off, s + done, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t
axon__iov_copy_in(void *dst, const iov_t *iov, size_t parts, size_t off,
    size_t len)
{
	uint8_t *d = dst;
	size_t done = 0;

	for (size_t i = 0; i < parts && done < len; i++) {
		size_t l = iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		size_t n = l - off;
		if (n > len - done) {
			n = len - done;
		}
		memcpy(d + done, (const uint8_t *) iov[i].iov_base + off, n);
		done += n;
		off = 0;
	}
	return done;
}

/*
 * Waits while *addr == val, until abs_mono (CLOCK_MONOTONIC; NULL = for
 * ever).  A timeout is always passed to the kernel so that a handled
 * signal interrupts the wait even under SA_RESTART, as QNX kernel calls
 * are interrupted.  Returns 0 (woken or value changed), -ETIMEDOUT or
 * -EINTR.
 */
int
axon__futex_wait(_Atomic uint32_t *addr, uint32_t val,
    const struct timespec *abs_mono)
{
	struct timespec far;
	long r;

	if (abs_mono == NULL) {
		clock_gettime(CLOCK_MONOTONIC, &far);
		far.tv_sec += 86400;
		abs_mono = &far;
	}
	r = syscall(SYS_futex, addr, FUTEX_WAIT_BITSET, val, abs_mono, NULL,
	    FUTEX_BITSET_MATCH_ANY);
	if (r == 0) {
		return 0;
	}
	switch (errno) {
	case EAGAIN:
		return 0;
	case ETIMEDOUT:
		if (abs_mono == &far) {
			return 0; /* spurious: caller re-checks and waits */
		}
		return -ETIMEDOUT;
	case EINTR:
		return -EINTR;
	default:
		return 0;
	}
}

void
axon__futex_wake(_Atomic uint32_t *addr, int n)
{
	(void) syscall(SYS_futex, addr, FUTEX_WAKE, n, NULL, NULL, 0);
}
