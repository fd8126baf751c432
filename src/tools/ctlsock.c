/* SPDX-License-Identifier: MIT */
/*
 * The client side of axond's control socket, $AXON_RUNDIR/axond.sock
 * (docs/design/wire.md, "The control socket"): the frames of the wire
 * format, with its codec, without a handshake.  axond is another
 * process: every frame is decoded and checked in full before use, every
 * wait has a deadline, and an answer's size is bounded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "axon.h"

uint64_t
axc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

int
axc_connect(const char *rundir)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

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

/* Waits for events on fd until deadline (0: forever). */
static int
wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd p = {.fd = fd, .events = events};

	for (;;) {
		int ms = -1;
		int n;

		if (deadline != 0) {
			uint64_t now = axc_now();

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

static int
send_all(int fd, const uint8_t *p, size_t len, uint64_t deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int rc = wait_fd(fd, POLLOUT, deadline);

			if (rc < 0) {
				return rc;
			}
			continue;
		}
		if (n < 0) {
			return -errno;
		}
		p += n;
		len -= (size_t) n;
	}
	return 0;
}

int
axc_send(int fd, const struct axon_wire_frame *f, uint64_t deadline)
{
	static uint8_t buf[AXC_FRAME_MAX];
	long n = axon__wire_encode(f, buf, sizeof(buf));

	if (n < 0) {
		return (int) n;
	}
	return send_all(fd, buf, (size_t) n, deadline);
}

static int
recv_all(int fd, uint8_t *p, size_t len, uint64_t deadline)
{
	while (len > 0) {
		ssize_t n = recv(fd, p, len, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int rc = wait_fd(fd, POLLIN, deadline);

			if (rc < 0) {
				return rc;
			}
			continue;
		}
		if (n < 0) {
			return errno == ECONNRESET ? -ECONNRESET : -errno;
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
axc_recv(int fd, uint8_t *buf, struct axon_wire_frame *f, uint64_t deadline)
{
	uint32_t blen;
	long n;
	int rc;

	rc = recv_all(fd, buf, AXON_WIRE_HDR_SIZE, deadline);
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
	rc = recv_all(fd, buf + AXON_WIRE_HDR_SIZE, blen, deadline);
	if (rc < 0) {
		return rc;
	}
	n = axon__wire_decode(buf, AXON_WIRE_HDR_SIZE + blen, f);
	if (n <= 0) {
		return -EPROTO;
	}
	return 0;
}

int
axc_query(int fd, int type, uint32_t conn, int32_t pid, char **ret_text,
    size_t *ret_len, bool *ret_answered)
{
	static uint8_t buf[AXC_FRAME_MAX];
	uint64_t deadline = axc_now() + AXC_TIMEOUT_MS * 1000000ull;
	struct axon_wire_frame q = {0};
	int want = type == AXON_W_PS_REQ ? AXON_W_PS_ANS : AXON_W_NODES_ANS;
	char *text = NULL;
	size_t len = 0;
	int rc;

	*ret_answered = false;
	q.type = (uint8_t) type;
	q.msg = 1;
	if (type == AXON_W_PS_REQ) {
		q.conn = conn;
		q.u.ps.pid = pid;
	}
	rc = axc_send(fd, &q, deadline);
	for (bool done = false; rc == 0 && !done;) {
		struct axon_wire_frame f;
		char *nt;

		rc = axc_recv(fd, buf, &f, deadline);
		if (rc < 0) {
			break;
		}
		if (f.type != want || f.msg != q.msg) {
			rc = -EPROTO; /* not an answer to what we asked */
			break;
		}
		if (f.u.ans.err != 0) {
			*ret_answered = true;
			rc = -axon__wire_errno_in(f.u.ans.err);
			break;
		}
		/* Chunks arrive in order on the one connection. */
		if (f.offset != len || len + f.data_len > AXC_TEXT_MAX) {
			rc = f.offset != len ? -EPROTO : -EFBIG;
			break;
		}
		nt = realloc(text, len + f.data_len + 1);
		if (nt == NULL) {
			rc = -ENOMEM;
			break;
		}
		text = nt;
		if (f.data_len > 0) {
			memcpy(text + len, f.data, f.data_len);
		}
		len += f.data_len;
		text[len] = '\0';
		done = (f.flags & AXON_WF_LAST) != 0;
	}
	if (rc < 0) {
		free(text);
		return rc;
	}
	if (text == NULL) {
		text = calloc(1, 1);
		if (text == NULL) {
			return -ENOMEM;
		}
	}
	*ret_answered = true;
	*ret_text = text;
	*ret_len = len;
	return 0;
}
