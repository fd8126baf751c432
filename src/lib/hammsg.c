/* SPDX-License-Identifier: MIT */
/*
 * The HAM's request codec (hammsg.h): encoded by libaxon's ham.c,
 * decoded whole and checked field by field by axon-ham(8) before it
 * acts.  Pure.
 */
#include <errno.h>
#include <string.h>

#include "hammsg.h"
#include "le.h"

/* Which names an op carries: bit 0 ename, 1 cname, 2 aname. */
static const uint8_t op_names[AXON_HAM_OP_MAX + 1] = {
	[AXON_HAM_ATTACH_SELF] = 1,
	[AXON_HAM_DETACH_SELF] = 1,
	[AXON_HAM_HEARTBEAT] = 0,
	[AXON_HAM_ENTITY] = 1,
	[AXON_HAM_DETACH] = 1,
	[AXON_HAM_CONDITION] = 3,
	[AXON_HAM_CONDITION_REMOVE] = 3,
	[AXON_HAM_ACTION] = 7,
	[AXON_HAM_ACTION_REMOVE] = 7,
	[AXON_HAM_LOOKUP] = 1,	/* and optionally the rest: below */
	[AXON_HAM_STOP] = 0,
};

int
axon__ham_encode(const struct axon_ham_req *r, uint8_t *buf, size_t len)
{
	const char *s[4] = {r->ename, r->cname, r->aname, r->text};
	size_t l[4];
	size_t total = AXON_HAM_HDR;

	for (int i = 0; i < 4; i++) {
		size_t max = i < 3 ? AXON_HAM_NAME_MAX : AXON_HAM_TEXT_MAX;

		l[i] = strnlen(s[i], max + 1);
		if (l[i] > max) {
			return -EINVAL;
		}
		total += l[i];
	}
	if (total > len) {
		return -ENOSPC;
	}
	put32(buf, AXON_HAM_MAGIC);
	put16(buf + 4, r->op);
	put16(buf + 6, 0);
	put32(buf + 8, r->flags);
	for (int i = 0; i < 6; i++) {
		put32(buf + 12 + 4 * i, (uint32_t) r->arg[i]);
	}
	put64(buf + 36, r->hp);
	size_t off = AXON_HAM_HDR;

	for (int i = 0; i < 4; i++) {
		put16(buf + 44 + 2 * i, (uint16_t) l[i]);
		memcpy(buf + off, s[i], l[i]);
		off += l[i];
	}
	return (int) total;
}

/* A name of len bytes at p: -EINVAL for '/' or a control character
 * (names are printed in the log), -EBADMSG for a NUL. */
static int
check_name(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\0') {
			return -EBADMSG;
		}
		if (p[i] == '/' || p[i] < 0x20 || p[i] == 0x7f) {
			return -EINVAL;
		}
	}
	return 0;
}

int
axon__ham_decode(const uint8_t *buf, size_t n, struct axon_ham_req *r)
{
	size_t l[4];
	size_t total = AXON_HAM_HDR;
	uint16_t op;
	unsigned want;
	int32_t kind;
	int rc;

	if (n < AXON_HAM_HDR || n > AXON_HAM_MSG_MAX ||
	    get32(buf) != AXON_HAM_MAGIC || get16(buf + 6) != 0) {
		return -EBADMSG;
	}
	op = get16(buf + 4);
	if (op < 1 || op > AXON_HAM_OP_MAX) {
		return -EBADMSG;
	}
	for (int i = 0; i < 4; i++) {
		l[i] = get16(buf + 44 + 2 * i);
		total += l[i];
	}
	if (total != n || l[3] > AXON_HAM_TEXT_MAX) {
		return -EBADMSG;
	}
	/* The strings: none where the op has none, each name checked. */
	want = op_names[op];
	if (op == AXON_HAM_LOOKUP) {
		want |= l[1] > 0 ? 2u : 0u;
		want |= l[1] > 0 && l[2] > 0 ? 4u : 0u;
	}
	size_t off = AXON_HAM_HDR;

	for (int i = 0; i < 3; i++) {
		if (!(want & (1u << i))) {
			if (l[i] != 0) {
				return -EINVAL;
			}
			continue;
		}
		if (l[i] == 0) {
			return -EINVAL;
		}
		if (l[i] > AXON_HAM_NAME_MAX) {
			return -ENAMETOOLONG;
		}
		if ((rc = check_name(buf + off, l[i])) < 0) {
			return rc;
		}
		off += l[i];
	}
	/* The combined name, as QNX limits it (_POSIX_PATH_MAX). */
	if (l[0] + l[1] + l[2] > AXON_HAM_NAME_MAX) {
		return -ENAMETOOLONG;
	}
	if (memchr(buf + off, '\0', l[3]) != NULL) {
		return -EBADMSG;
	}
	kind = (int32_t) get32(buf + 12);
	if (op == AXON_HAM_ACTION) {
		if (kind < 1 || kind > AXON_HAM_A_MAX) {
			return -EBADMSG;
		}
		if ((kind == AXON_HAM_A_EXECUTE || kind == AXON_HAM_A_RESTART) &&
		    l[3] == 0) {
			return -EINVAL;
		}
		if ((kind == AXON_HAM_A_PULSE || kind == AXON_HAM_A_SIGNAL ||
		    kind == AXON_HAM_A_HEALTHY) && l[3] != 0) {
			return -EBADMSG;
		}
	} else if (l[3] != 0) {
		return -EBADMSG;
	}
	/* Whole and well formed: fill *r. */
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->flags = get32(buf + 8);
	for (int i = 0; i < 6; i++) {
		r->arg[i] = (int32_t) get32(buf + 12 + 4 * i);
	}
	r->hp = get64(buf + 36);
	char *dst[4] = {r->ename, r->cname, r->aname, r->text};

	off = AXON_HAM_HDR;
	for (int i = 0; i < 4; i++) {
		memcpy(dst[i], buf + off, l[i]);
		dst[i][l[i]] = '\0';
		off += l[i];
	}
	return 0;
}
