/* SPDX-License-Identifier: MIT */
/*
 * The `axon` command's side of axond's control socket: the library's
 * client (src/lib/ctlclient.c, declared in axon_spi.h) under the names
 * the subcommands use, and axc_query(), a question answered in chunks
 * of text.  axond is another process: every frame is decoded and
 * checked in full before use, every wait has a deadline, and an
 * answer's size is bounded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "axon.h"
#include "axon_spi.h"

uint64_t
axc_now(void)
{
	return axon__ctl_now();
}

int
axc_connect(const char *rundir)
{
	return axon__ctl_connect(rundir);
}

int
axc_send(int fd, const struct axon_wire_frame *f, uint64_t deadline)
{
	static uint8_t buf[AXC_FRAME_MAX];

	return axon__ctl_send(fd, f, buf, sizeof(buf), deadline);
}

int
axc_recv(int fd, uint8_t *buf, struct axon_wire_frame *f, uint64_t deadline)
{
	return axon__ctl_recv(fd, buf, f, deadline);
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
