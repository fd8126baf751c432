/* SPDX-License-Identifier: MIT */
/*
 * Another node's path namespace, as this node's axond tells it: a
 * PATH_REQ on the control socket ($AXON_RUNDIR/axond.sock), relayed by
 * axond to that node's axond, which resolves the path in its own run
 * directory (docs/design/wire.md, "Paths"; docs/design/fuse.md,
 * "/net/NODE").  axond is another process: every frame is decoded in
 * full, every line of the answer checked, every wait bounded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sys/iofunc.h>

#include "dispatch_int.h"
#include "internal.h"
#include "wire.h"

/* axond went away, or was never there: ENOREMOTE, as for a message to
 * another node without axond. */
static int
np_gone(int rc)
{
	return rc >= 0 || rc == -ETIMEDOUT || rc == -EPROTO ? rc : -ENOREMOTE;
}

/* A decimal field of a line, then one space: 0, or -EPROTO. */
static int
np_num(const char **p, const char *end, long long lo, long long hi,
    long long *ret)
{
	long long v = 0;
	const char *s = *p;

	if (s >= end || *s < '0' || *s > '9' || (*s == '0' && s + 1 < end &&
						    s[1] != ' ')) {
		return -EPROTO;
	}
	while (s < end && *s >= '0' && *s <= '9') {
		v = v * 10 + (*s - '0');
		if (v > hi) {
			return -EPROTO;
		}
		s++;
	}
	if (s >= end || *s != ' ' || v < lo) {
		return -EPROTO;
	}
	*p = s + 1;
	*ret = v;
	return 0;
}

int
axon__netpath_parse(const char *text, size_t len, bool rest,
    struct axon_path_entry **ret)
{
	struct axon_path_entry *all = NULL;
	const char *p = text, *end = text + len;
	int n = 0, cap = 0;

	*ret = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		struct axon_path_entry e;
		long long v[5];
		size_t sl;

		if (nl == NULL || memchr(p, '\0', (size_t) (nl - p)) != NULL) {
			goto bad; /* every line ends; no NUL in one */
		}
		memset(&e, 0, sizeof(e));
		if (np_num(&p, nl, 1, INT32_MAX, &v[0]) < 0 ||
		    np_num(&p, nl, 0, INT32_MAX, &v[1]) < 0 ||
		    np_num(&p, nl, 0, INT32_MAX, &v[2]) < 0 ||
		    np_num(&p, nl, 0, _RESMGR_FLAG_MASK, &v[3]) < 0 ||
		    np_num(&p, nl, 0, _FTYPE_ALL, &v[4]) < 0 ||
		    ((unsigned) v[3] & ~(unsigned) _RESMGR_FLAG_MASK) != 0) {
			goto bad;
		}
		sl = (size_t) (nl - p);
		/* A rest is relative; a mountpoint is absolute. */
		if (sl >= sizeof(e.mount) || (rest ? sl > 0 && p[0] == '/'
						   : sl == 0 || p[0] != '/')) {
			goto bad;
		}
		e.pid = (pid_t) v[0];
		e.chid = (int) v[1];
		e.handle = (int) v[2];
		e.flags = (unsigned) v[3];
		e.ftype = (unsigned) v[4];
		memcpy(e.mount, p, sl);
		e.mount[sl] = '\0';
		if (n == cap) {
			int ncap = cap == 0 ? 8 : cap * 2;
			struct axon_path_entry *m;

			if (ncap > 65536) {
				goto bad;
			}
			m = realloc(all, (size_t) ncap * sizeof(*m));
			if (m == NULL) {
				free(all);
				return -ENOMEM;
			}
			all = m;
			cap = ncap;
		}
		all[n++] = e;
		p = nl + 1;
	}
	*ret = all;
	return n;
bad:
	free(all);
	return -EPROTO;
}

int
axon__netpath(int nd, unsigned op, unsigned ftype, const char *path,
    struct axon_path_entry **ret)
{
	uint64_t deadline = axon__ctl_now() +
	    (uint64_t) AXON_NETPATH_TIMEOUT_MS * 1000000u;
	struct axon_wire_frame q;
	uint8_t *buf;
	char rd[PATH_MAX];
	char *text = NULL;
	size_t len = 0, plen;
	long n;
	int fd, rc;

	if (path == NULL || ret == NULL) {
		return -EINVAL;
	}
	*ret = NULL;
	plen = strlen(path) + 1;
	if (nd <= 0 || path[0] != '/') {
		return -EINVAL;
	}
	if (plen > AXON_WIRE_PATH_MAX) {
		return -ENAMETOOLONG;
	}
	buf = malloc(AXON_WIRE_HDR_SIZE + AXON_WIRE_MAX_BODY);
	if (buf == NULL) {
		return -ENOMEM;
	}
	memset(&q, 0, sizeof(q));
	q.type = AXON_W_PATH_REQ;
	q.flags = AXON_WF_FIRST | AXON_WF_LAST;
	q.conn = (uint32_t) nd;
	q.msg = 1;
	q.u.path.op = op;
	q.u.path.ftype = ftype;
	q.data = (const uint8_t *) path;
	q.data_len = (uint32_t) plen;
	n = axon__wire_encode(&q, buf, AXON_WIRE_HDR_SIZE + AXON_WIRE_MAX_BODY);
	if (n < 0) {
		free(buf);
		return -EINVAL; /* a newline in the path, an unknown op */
	}
	rc = axon__rundir(rd, sizeof(rd));
	fd = rc < 0 ? rc : axon__ctl_connect(rd);
	if (fd < 0) {
		free(buf);
		return fd == -ENOENT || fd == -ECONNREFUSED ? -ENOREMOTE : fd;
	}
	rc = np_gone(axon__ctl_send_bytes(fd, buf, (size_t) n, deadline));
	for (bool done = false; rc == 0 && !done;) {
		struct axon_wire_frame f;
		char *nt;

		rc = np_gone(axon__ctl_recv(fd, buf, &f, deadline));
		if (rc < 0) {
			break;
		}
		if (f.type != AXON_W_PATH_ANS || f.msg != q.msg) {
			rc = -EPROTO;
			break;
		}
		if (f.u.ans.err != 0) {
			rc = -axon__wire_errno_in(f.u.ans.err);
			break;
		}
		if (f.offset != len || ((f.flags & AXON_WF_FIRST) != 0) !=
		    (len == 0) || f.data_len > AXON_NETPATH_TEXT_MAX - len) {
			rc = -EPROTO;
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
		done = (f.flags & AXON_WF_LAST) != 0;
	}
	(void) close(fd);
	free(buf);
	if (rc == 0) {
		rc = axon__netpath_parse(text != NULL ? text : "", len,
		    op == AXON_WIRE_PATH_RESOLVE, ret);
	}
	free(text);
	return rc;
}
