/* SPDX-License-Identifier: MIT */
/*
 * The client side of axond's control socket, $AXON_RUNDIR/axond.sock
 * (docs/design/wire.md, "The control socket"): frames of the wire
 * format, with its codec, without a handshake.  One implementation for
 * the library (netpath.c) and the `axon` command (src/tools/ctlsock.c).
 * axond is another process: every frame is decoded and checked in full
 * before use, every wait has a deadline (or none, if the caller says
 * 0), and a frame's size is bounded before it is read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "wire.h"

uint64_t
axon__ctl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

int
axon__ctl_connect(const char *rundir)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (rundir == NULL) {
		return -EINVAL;
	}
	if ((size_t) snprintf(sa.sun_path, sizeof(sa.sun_path),
		"%s/axond.sock", rundir) >= sizeof(sa.sun_path)) {
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	while (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
		int err = errno;

		if (err == EINTR) {
			continue;
		}
		(void) close(fd);
		return -err;
	}
	return fd;
}

/* Waits for events on fd until deadline (0: no deadline): 0,
 * -ETIMEDOUT or -errno. */
static int
ctl_wait(int fd, short events, uint64_t deadline)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = events};
		int ms = -1;
		int n;

		if (deadline != 0) {
			uint64_t now = axon__ctl_now();

			if (now >= deadline) {
				return -ETIMEDOUT;
			}
			ms = (int) ((deadline - now + 999999) / 1000000);
		}
		n = poll(&p, 1, ms);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return -errno;
		}
		if (n > 0) {
			return 0;
		}
	}
}

int
axon__ctl_send_bytes(int fd, const uint8_t *p, size_t len,
    uint64_t deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int rc = ctl_wait(fd, POLLOUT, deadline);

			if (rc < 0) {
				return rc;
			}
			continue;
		}
		if (n < 0) {
			return errno == EPIPE ? -ECONNRESET : -errno;
		}
		p += n;
		len -= (size_t) n;
	}
	return 0;
}

int
axon__ctl_send(int fd, const struct axon_wire_frame *f, uint8_t *buf,
    size_t cap, uint64_t deadline)
{
	long n = axon__wire_encode(f, buf, cap);

	if (n < 0) {
		return (int) n;
	}
	return axon__ctl_send_bytes(fd, buf, (size_t) n, deadline);
}

static int
ctl_recv_bytes(int fd, uint8_t *p, size_t len, uint64_t deadline)
{
	while (len > 0) {
		ssize_t n = recv(fd, p, len, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int rc = ctl_wait(fd, POLLIN, deadline);

			if (rc < 0) {
				return rc;
			}
			continue;
		}
		if (n < 0) {
			return -errno;
		}
		if (n == 0) {
			return -ECONNRESET;
		}
		p += n;
		len -= (size_t) n;
	}
	return 0;
}

int
axon__ctl_recv(int fd, uint8_t *buf, struct axon_wire_frame *f,
    uint64_t deadline)
{
	uint32_t blen;
	int rc = ctl_recv_bytes(fd, buf, AXON_WIRE_HDR_SIZE, deadline);

	if (rc < 0) {
		return rc;
	}
	/* The body length (header offset 8, little-endian), bounded before
	 * reading that much. */
	blen = (uint32_t) buf[8] | (uint32_t) buf[9] << 8 |
	    (uint32_t) buf[10] << 16 | (uint32_t) buf[11] << 24;
	if (blen > AXON_WIRE_MAX_BODY) {
		return -EPROTO;
	}
	rc = ctl_recv_bytes(fd, buf + AXON_WIRE_HDR_SIZE, blen, deadline);
	if (rc < 0) {
		return rc;
	}
	/* One whole frame: the codec must account for every byte. */
	return axon__wire_decode(buf, AXON_WIRE_HDR_SIZE + blen, f) ==
		(long) (AXON_WIRE_HDR_SIZE + blen)
	    ? 0
	    : -EPROTO;
}
