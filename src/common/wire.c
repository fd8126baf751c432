/* SPDX-License-Identifier: MIT */
/* The wire codec (docs/design/wire.md).  Pure: no I/O, no allocation. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "wire.h"
#include "le.h"

#define W_EINTR     4
#define W_ETIMEDOUT 110
#define W_SENDONLY  AXON_WIRE_SENDONLY

#define CRED_SIZE (7u * 4u + AXON_WIRE_NGROUPS * 4u)

/* Fixed body size of each type (before any data), or -1: unknown. */
static int
body_size(unsigned type)
{
	switch (type) {
	case AXON_W_HELLO:
		return 16 + AXON_WIRE_NODE_NAME;
	case AXON_W_AUTH:
		return AXON_WIRE_MAC_SIZE;
	case AXON_W_AUTH_OK:
	case AXON_W_DISCONNECT:
	case AXON_W_RECEIVED:
	case AXON_W_MSGREAD_SUCCESS:
	case AXON_W_MSGWRITE:
	case AXON_W_NODES_REQ:
		return 0;
	case AXON_W_PING:
	case AXON_W_PONG:
		return 8;
	case AXON_W_BYE:
	case AXON_W_NODEINFO:
	case AXON_W_CONNECT_FAIL:
	case AXON_W_SERVER_GONE:
	case AXON_W_MSGREAD_FAIL:
	case AXON_W_MSGREAD:
	case AXON_W_UNBLOCK:
	case AXON_W_NAMES:
	case AXON_W_PS_REQ:
	case AXON_W_PS_ANS:
	case AXON_W_NODES_ANS:
	case AXON_W_STDIO:
	case AXON_W_KILL:
		return 4;
	case AXON_W_SPAWN_OK:
	case AXON_W_STDIO_ACK:
	case AXON_W_EXIT:
	case AXON_W_PATH_REQ:
		return 8;
	case AXON_W_PATH_ANS:
	case AXON_W_TRACE_ANS:
		return 4;
	case AXON_W_TRACE_REQ:
		return 16;
	case AXON_W_SPAWN:
		return 8 + (int) CRED_SIZE;
	case AXON_W_CONNECT_CRED:
		return 12 + (int) CRED_SIZE;
	case AXON_W_CONNECT_SUCCESS:
		return 12;
	case AXON_W_MSGSEND:
		return 20;
	case AXON_W_MSGSEND_CRED:
		return 20 + (int) CRED_SIZE;
	case AXON_W_MSGREPLY:
		return 16;
	case AXON_W_EVENT:
		return 32;
	case AXON_W_PULSE:
		return 16;
	default:
		return -1;
	}
}

static int
carries_data(unsigned type)
{
	return type == AXON_W_MSGSEND || type == AXON_W_MSGSEND_CRED ||
	    type == AXON_W_MSGREPLY || type == AXON_W_MSGREAD_SUCCESS ||
	    type == AXON_W_MSGWRITE || type == AXON_W_NAMES ||
	    type == AXON_W_PS_ANS || type == AXON_W_NODES_ANS ||
	    type == AXON_W_SPAWN || type == AXON_W_STDIO ||
	    type == AXON_W_PATH_REQ || type == AXON_W_PATH_ANS ||
	    type == AXON_W_TRACE_ANS;
}

/* A PATH_REQ's data: one absolute path, its NUL the last byte. */
static int
path_ok(const uint8_t *p, uint32_t len)
{
	if (len < 2 || len > AXON_WIRE_PATH_MAX || p[0] != '/' ||
	    p[len - 1] != '\0' || memchr(p, '\0', len - 1) != NULL) {
		return -EPROTO;
	}
	for (uint32_t i = 0; i < len - 1; i++) {
		if (p[i] == '\n') {
			return -EPROTO; /* the answers are lines */
		}
	}
	return 0;
}

static void
put_cred(uint8_t *p, const struct axon_wire_cred *c)
{
	put32(p, c->ruid);
	put32(p + 4, c->euid);
	put32(p + 8, c->suid);
	put32(p + 12, c->rgid);
	put32(p + 16, c->egid);
	put32(p + 20, c->sgid);
	put32(p + 24, c->ngroups);
	for (unsigned i = 0; i < AXON_WIRE_NGROUPS; i++) {
		put32(p + 28 + 4 * i, i < c->ngroups ? c->groups[i] : 0);
	}
}

static int
get_cred(const uint8_t *p, struct axon_wire_cred *c)
{
	c->ruid = get32(p);
	c->euid = get32(p + 4);
	c->suid = get32(p + 8);
	c->rgid = get32(p + 12);
	c->egid = get32(p + 16);
	c->sgid = get32(p + 20);
	c->ngroups = get32(p + 24);
	if (c->ngroups > AXON_WIRE_NGROUPS) {
		return -EPROTO;
	}
	for (unsigned i = 0; i < AXON_WIRE_NGROUPS; i++) {
		c->groups[i] = get32(p + 28 + 4 * i);
		if (i >= c->ngroups && c->groups[i] != 0) {
			return -EPROTO; /* unused entries must be zero */
		}
	}
	return 0;
}

static int
errno_ok(int32_t e)
{
	return e > 0 && e < 4096;
}

/* Checks every field of a decoded body; 0 or -EPROTO. */
static int
check(const struct axon_wire_frame *f)
{
	switch (f->type) {
	case AXON_W_HELLO: {
		size_t n = strnlen(f->u.hello.node, AXON_WIRE_NODE_NAME);

		if (n == 0 || n == AXON_WIRE_NODE_NAME ||
		    f->u.hello.proto_min > f->u.hello.proto_max ||
		    f->u.hello.proto_min == 0) {
			return -EPROTO;
		}
		for (size_t i = n; i < AXON_WIRE_NODE_NAME; i++) {
			if (f->u.hello.node[i] != '\0') {
				return -EPROTO;
			}
		}
		break;
	}
	case AXON_W_BYE:
		if (f->u.bye.reason < 0 || f->u.bye.reason >= 4096) {
			return -EPROTO;
		}
		break;
	case AXON_W_NODEINFO:
		if (f->u.nodeinfo.your_nd == 0 ||
		    f->u.nodeinfo.your_nd > 0xffff) {
			return -EPROTO;
		}
		break;
	case AXON_W_CONNECT_CRED:
		if (f->u.connect.pid <= 0 || f->u.connect.chid < 0 ||
		    f->u.connect.client_pid <= 0 || f->conn == 0 ||
		    f->u.connect.cred.ngroups > AXON_WIRE_NGROUPS) {
			return -EPROTO;
		}
		break;
	case AXON_W_CONNECT_SUCCESS:
		if (f->conn == 0 || f->u.connected.max_ship == 0 ||
		    f->u.connected.max_ship > AXON_WIRE_MAX_DATA) {
			return -EPROTO;
		}
		break;
	case AXON_W_CONNECT_FAIL:
	case AXON_W_MSGREAD_FAIL:
		if (!errno_ok(f->u.fail.err)) {
			return -EPROTO;
		}
		break;
	case AXON_W_SERVER_GONE:
		if (f->conn == 0 || !errno_ok(f->u.fail.err)) {
			return -EPROTO;
		}
		break;
	case AXON_W_DISCONNECT:
		if (f->conn == 0) {
			return -EPROTO;
		}
		break;
	case AXON_W_MSGSEND:
	case AXON_W_MSGSEND_CRED:
		if (f->conn == 0 || f->msg == 0 || f->u.send.tid <= 0 ||
		    f->u.send.cred.ngroups > AXON_WIRE_NGROUPS ||
		    f->u.send.sbytes > INT32_MAX ||
		    f->u.send.rbytes > INT32_MAX ||
		    (f->u.send.prio & ~0x1ff) != 0 ||
		    (uint64_t) f->offset + f->data_len > f->u.send.sbytes) {
			return -EPROTO;
		}
		break;
	case AXON_W_MSGREPLY:
		if (f->msg == 0 || (f->u.reply.err != 0 &&
					 !errno_ok(f->u.reply.err)) ||
		    f->u.reply.total > INT32_MAX ||
		    (uint64_t) f->offset + f->data_len > INT32_MAX) {
			return -EPROTO;
		}
		break;
	case AXON_W_MSGREAD:
		if (f->msg == 0 || f->u.read.len == 0 ||
		    f->u.read.len > INT32_MAX ||
		    (uint64_t) f->offset + f->u.read.len > INT32_MAX) {
			return -EPROTO;
		}
		break;
	case AXON_W_MSGREAD_SUCCESS:
	case AXON_W_MSGWRITE:
		if (f->msg == 0 ||
		    (uint64_t) f->offset + f->data_len > INT32_MAX) {
			return -EPROTO;
		}
		break;
	case AXON_W_UNBLOCK:
		if (f->msg == 0 || (f->u.unblock.reason != W_EINTR &&
					 f->u.unblock.reason != W_ETIMEDOUT &&
					 f->u.unblock.reason !=
					     (W_ETIMEDOUT | W_SENDONLY))) {
			return -EPROTO;
		}
		break;
	case AXON_W_RECEIVED:
		if (f->conn == 0 || f->msg == 0) {
			return -EPROTO;
		}
		break;
	case AXON_W_EVENT:
		/* A pulse event's signo field carries the client's coid. */
		if (f->conn == 0 || f->u.event.code < -128 ||
		    f->u.event.code > 127 || f->u.event.signo < 0 ||
		    (f->u.event.notify != AXON_WIRE_SIGEV_PULSE &&
			f->u.event.notify != AXON_WIRE_SIGEV_HANDLE &&
			f->u.event.signo > 64) ||
		    f->u.event.prio < -1 ||
		    f->u.event.prio > 255) {
			return -EPROTO;
		}
		break;
	case AXON_W_PULSE:
		if (f->conn == 0 || f->u.pulse.code < -128 ||
		    f->u.pulse.code > 127 || f->u.pulse.prio < 0 ||
		    f->u.pulse.prio > 255) {
			return -EPROTO;
		}
		break;
	case AXON_W_NAMES:
		if (f->u.names.count > AXON_WIRE_NAMES_MAX ||
		    f->data_len != f->u.names.count * AXON_WIRE_NAME_ENTRY ||
		    f->offset != 0) {
			return -EPROTO;
		}
		for (uint32_t i = 0; f->data != NULL && i < f->u.names.count;
		    i++) {
			struct axon_wire_name n;

			if (axon__wire_name_get(f, i, &n) < 0) {
				return -EPROTO;
			}
		}
		break;
	case AXON_W_PS_REQ:
		if (f->msg == 0 || f->u.ps.pid < 0) {
			return -EPROTO;
		}
		break;
	case AXON_W_PATH_REQ:
		if (f->msg == 0 || f->offset != 0 ||
		    (f->u.path.op != AXON_WIRE_PATH_RESOLVE &&
			f->u.path.op != AXON_WIRE_PATH_LIST) ||
		    (f->u.path.op == AXON_WIRE_PATH_LIST ?
			f->u.path.ftype != 0 : f->u.path.ftype > 255) ||
		    f->data_len < 2 || f->data_len > AXON_WIRE_PATH_MAX) {
			return -EPROTO;
		}
		if (f->data != NULL && path_ok(f->data, f->data_len) < 0) {
			return -EPROTO;
		}
		break;
	case AXON_W_TRACE_REQ:
		if (f->msg == 0 || f->offset != 0 ||
		    (f->u.trace.op == AXON_WIRE_TRACE_START
			    ? f->u.trace.seconds == 0 ||
				f->u.trace.seconds > AXON_WIRE_TRACE_MAX_SEC ||
				f->u.trace.since != 0
			    : f->u.trace.op != AXON_WIRE_TRACE_STOP ||
				f->u.trace.seconds != 0)) {
			return -EPROTO;
		}
		break;
	case AXON_W_PS_ANS:
	case AXON_W_NODES_ANS:
	case AXON_W_PATH_ANS:
	case AXON_W_TRACE_ANS:
		if (f->msg == 0 ||
		    (f->u.ans.err != 0 && !errno_ok(f->u.ans.err)) ||
		    (f->u.ans.err != 0 && f->data_len != 0) ||
		    (uint64_t) f->offset + f->data_len > INT32_MAX) {
			return -EPROTO;
		}
		break;
	case AXON_W_NODES_REQ:
		if (f->msg == 0) {
			return -EPROTO;
		}
		break;
	case AXON_W_SPAWN:
		if (f->u.spawn.argc == 0 ||
		    f->u.spawn.argc > AXON_WIRE_SPAWN_STRINGS ||
		    f->u.spawn.envc > AXON_WIRE_SPAWN_STRINGS -
			f->u.spawn.argc ||
		    f->u.spawn.cred.ngroups > AXON_WIRE_NGROUPS ||
		    f->offset != 0) {
			return -EPROTO;
		}
		if ((f->data != NULL || f->data_len == 0) &&
		    axon__wire_spawn_strings(f, NULL) < 0) {
			return -EPROTO;
		}
		break;
	case AXON_W_SPAWN_OK:
		if (f->conn == 0 || (f->u.spawned.err == 0 ?
			f->u.spawned.pid <= 0 :
			(!errno_ok(f->u.spawned.err) ||
			    f->u.spawned.pid != 0))) {
			return -EPROTO;
		}
		break;
	case AXON_W_STDIO:
	case AXON_W_STDIO_ACK:
		if (f->conn == 0 || f->u.stdio.fd > 2 ||
		    (f->type == AXON_W_STDIO_ACK &&
			(f->u.ack.bytes == 0 ||
			    f->u.ack.bytes > INT32_MAX))) {
			return -EPROTO;
		}
		break;
	case AXON_W_EXIT:
		if (f->conn == 0 || f->u.exit.code < 0 ||
		    f->u.exit.code > 255 || f->u.exit.signo < 0 ||
		    f->u.exit.signo > 64 ||
		    (f->u.exit.code != 0 && f->u.exit.signo != 0)) {
			return -EPROTO;
		}
		break;
	case AXON_W_KILL:
		if (f->conn == 0 || f->u.kill.signo <= 0 ||
		    f->u.kill.signo > 64) {
			return -EPROTO;
		}
		break;
	default:
		break;
	}
	return 0;
}

int
axon__wire_name_get(const struct axon_wire_frame *f, uint32_t i,
    struct axon_wire_name *ret_name)
{
	const uint8_t *p;
	struct axon_wire_name n;
	size_t len;

	if (f->type != AXON_W_NAMES || f->data == NULL ||
	    i >= f->u.names.count ||
	    (uint64_t) (i + 1) * AXON_WIRE_NAME_ENTRY > f->data_len) {
		return -EPROTO;
	}
	p = f->data + (size_t) i * AXON_WIRE_NAME_ENTRY;
	n.pid = (int32_t) get32(p);
	n.chid = (int32_t) get32(p + 4);
	n.stamp = get64(p + 8);
	memcpy(n.name, p + 16, AXON_WIRE_NAME_LEN);
	len = strnlen(n.name, AXON_WIRE_NAME_LEN);
	if (n.pid <= 0 || n.chid < 0 || len == 0 ||
	    len == AXON_WIRE_NAME_LEN) {
		return -EPROTO;
	}
	for (size_t k = len; k < AXON_WIRE_NAME_LEN; k++) {
		if (n.name[k] != '\0') {
			return -EPROTO;
		}
	}
	/* Components separated by single '/', none empty, "." or "..". */
	for (size_t k = 0, start = 0; k <= len; k++) {
		unsigned char c = (unsigned char) n.name[k];

		if (k < len && (c < 0x20 || c == 0x7f)) {
			return -EPROTO;
		}
		if (k == len || c == '/') {
			size_t clen = k - start;

			if (clen == 0 || (clen == 1 && n.name[start] == '.') ||
			    (clen == 2 && n.name[start] == '.' &&
				n.name[start + 1] == '.')) {
				return -EPROTO;
			}
			start = k + 1;
		}
	}
	*ret_name = n;
	return 0;
}

void
axon__wire_name_put(uint8_t *p, const struct axon_wire_name *n)
{
	size_t len = strnlen(n->name, AXON_WIRE_NAME_LEN - 1);

	put32(p, (uint32_t) n->pid);
	put32(p + 4, (uint32_t) n->chid);
	put64(p + 8, n->stamp);
	memset(p + 16, 0, AXON_WIRE_NAME_LEN);
	memcpy(p + 16, n->name, len);
}

int
axon__wire_spawn_strings(const struct axon_wire_frame *f, const char **out)
{
	uint32_t want, got = 0;
	const char *p, *end;

	if (f->type != AXON_W_SPAWN || f->data == NULL) {
		return -EPROTO;
	}
	want = 1 + f->u.spawn.argc + f->u.spawn.envc;
	p = (const char *) f->data;
	end = p + f->data_len;
	while (p < end) {
		const char *z = memchr(p, '\0', (size_t) (end - p));

		if (z == NULL || got == want) {
			return -EPROTO;
		}
		if (got == 1 && z == p) {
			return -EPROTO; /* argv[0] is empty */
		}
		if (out != NULL) {
			out[got] = p;
		}
		got++;
		p = z + 1;
	}
	if (got != want) {
		return -EPROTO;
	}
	return 0;
}

static long decode(const uint8_t *buf, size_t len,
    struct axon_wire_frame *ret_frame, bool head_only);

long
axon__wire_decode(const uint8_t *buf, size_t len,
    struct axon_wire_frame *ret_frame)
{
	return decode(buf, len, ret_frame, false);
}

long
axon__wire_decode_head(const uint8_t *buf, size_t len,
    struct axon_wire_frame *ret_frame)
{
	return decode(buf, len, ret_frame, true);
}

static long
decode(const uint8_t *buf, size_t len, struct axon_wire_frame *ret_frame,
    bool head_only)
{
	struct axon_wire_frame f;
	uint32_t blen;
	int fixed;
	const uint8_t *b;

	if (len < AXON_WIRE_HDR_SIZE) {
		return 0;
	}
	if (get32(buf) != AXON_WIRE_MAGIC || buf[4] != AXON_WIRE_VERSION) {
		return -EPROTO;
	}
	memset(&f, 0, sizeof(f));
	f.type = buf[5];
	f.flags = get16(buf + 6);
	blen = get32(buf + 8);
	f.conn = get32(buf + 12);
	f.msg = get32(buf + 16);
	f.offset = get32(buf + 20);
	if (get32(buf + 24) != 0 || get32(buf + 28) != 0 ||
	    (f.flags & ~(AXON_WF_FIRST | AXON_WF_LAST)) != 0) {
		return -EPROTO;
	}
	fixed = body_size(f.type);
	if (fixed < 0 || blen > AXON_WIRE_MAX_BODY || blen < (uint32_t) fixed ||
	    (!carries_data(f.type) && blen != (uint32_t) fixed) ||
	    blen - (uint32_t) fixed > AXON_WIRE_MAX_DATA) {
		return -EPROTO;
	}
	if (len - AXON_WIRE_HDR_SIZE < (head_only ? (uint32_t) fixed : blen)) {
		return 0; /* the rest is still on its way */
	}
	b = buf + AXON_WIRE_HDR_SIZE;
	switch (f.type) {
	case AXON_W_HELLO:
		f.u.hello.proto_min = get32(b);
		f.u.hello.proto_max = get32(b + 4);
		f.u.hello.nonce = get64(b + 8);
		memcpy(f.u.hello.node, b + 16, AXON_WIRE_NODE_NAME);
		break;
	case AXON_W_AUTH:
		memcpy(f.u.auth.mac, b, AXON_WIRE_MAC_SIZE);
		break;
	case AXON_W_PING:
	case AXON_W_PONG:
		f.u.ping.stamp = get64(b);
		break;
	case AXON_W_BYE:
		f.u.bye.reason = (int32_t) get32(b);
		break;
	case AXON_W_NODEINFO:
		f.u.nodeinfo.your_nd = get32(b);
		break;
	case AXON_W_CONNECT_CRED:
		f.u.connect.pid = (int32_t) get32(b);
		f.u.connect.chid = (int32_t) get32(b + 4);
		f.u.connect.client_pid = (int32_t) get32(b + 8);
		if (get_cred(b + 12, &f.u.connect.cred) < 0) {
			return -EPROTO;
		}
		break;
	case AXON_W_CONNECT_SUCCESS:
		f.u.connected.scoid = (int32_t) get32(b);
		f.u.connected.chflags = get32(b + 4);
		f.u.connected.max_ship = get32(b + 8);
		break;
	case AXON_W_CONNECT_FAIL:
	case AXON_W_SERVER_GONE:
	case AXON_W_MSGREAD_FAIL:
		f.u.fail.err = (int32_t) get32(b);
		break;
	case AXON_W_MSGSEND:
	case AXON_W_MSGSEND_CRED:
		f.u.send.tid = (int32_t) get32(b);
		f.u.send.coid = (int32_t) get32(b + 4);
		f.u.send.prio = (int32_t) get32(b + 8);
		f.u.send.sbytes = get32(b + 12);
		f.u.send.rbytes = get32(b + 16);
		if (f.type == AXON_W_MSGSEND_CRED &&
		    get_cred(b + 20, &f.u.send.cred) < 0) {
			return -EPROTO;
		}
		break;
	case AXON_W_MSGREPLY:
		f.u.reply.status = (int64_t) get64(b);
		f.u.reply.err = (int32_t) get32(b + 8);
		f.u.reply.total = get32(b + 12);
		break;
	case AXON_W_MSGREAD:
		f.u.read.len = get32(b);
		break;
	case AXON_W_UNBLOCK:
		f.u.unblock.reason = (int32_t) get32(b);
		break;
	case AXON_W_EVENT:
		f.u.event.tid = (int32_t) get32(b);
		f.u.event.notify = (int32_t) get32(b + 4);
		f.u.event.signo = (int32_t) get32(b + 8);
		f.u.event.prio = (int32_t) get32(b + 12);
		f.u.event.code = (int32_t) get32(b + 16);
		if (get32(b + 20) != 0) {
			return -EPROTO;
		}
		f.u.event.value = (int64_t) get64(b + 24);
		break;
	case AXON_W_PULSE:
		f.u.pulse.prio = (int32_t) get32(b);
		f.u.pulse.code = (int32_t) get32(b + 4);
		f.u.pulse.value = (int64_t) get64(b + 8);
		break;
	case AXON_W_NAMES:
		f.u.names.count = get32(b);
		break;
	case AXON_W_PS_REQ:
		f.u.ps.pid = (int32_t) get32(b);
		break;
	case AXON_W_PS_ANS:
	case AXON_W_NODES_ANS:
	case AXON_W_PATH_ANS:
	case AXON_W_TRACE_ANS:
		f.u.ans.err = (int32_t) get32(b);
		break;
	case AXON_W_TRACE_REQ:
		f.u.trace.op = get32(b);
		f.u.trace.seconds = get32(b + 4);
		f.u.trace.since = get64(b + 8);
		break;
	case AXON_W_PATH_REQ:
		f.u.path.op = get32(b);
		f.u.path.ftype = get32(b + 4);
		break;
	case AXON_W_SPAWN:
		f.u.spawn.argc = get32(b);
		f.u.spawn.envc = get32(b + 4);
		if (get_cred(b + 8, &f.u.spawn.cred) < 0) {
			return -EPROTO;
		}
		break;
	case AXON_W_SPAWN_OK:
		f.u.spawned.pid = (int32_t) get32(b);
		f.u.spawned.err = (int32_t) get32(b + 4);
		break;
	case AXON_W_STDIO:
		f.u.stdio.fd = get32(b);
		break;
	case AXON_W_STDIO_ACK:
		f.u.ack.fd = get32(b);
		f.u.ack.bytes = get32(b + 4);
		break;
	case AXON_W_EXIT:
		f.u.exit.code = (int32_t) get32(b);
		f.u.exit.signo = (int32_t) get32(b + 4);
		break;
	case AXON_W_KILL:
		f.u.kill.signo = (int32_t) get32(b);
		break;
	default:
		break; /* AUTH_OK, DISCONNECT, MSGREAD_SUCCESS, MSGWRITE,
			* NODES_REQ */
	}
	if (carries_data(f.type)) {
		f.data_len = blen - (uint32_t) fixed;
		f.data = f.data_len > 0 && !head_only ? b + fixed : NULL;
	}
	if (check(&f) < 0) {
		return -EPROTO;
	}
	*ret_frame = f;
	return (long) (AXON_WIRE_HDR_SIZE +
	    (head_only ? (uint32_t) fixed : blen));
}

static long
encode(const struct axon_wire_frame *f, uint8_t *buf, size_t cap,
    bool with_data);

long
axon__wire_encode(const struct axon_wire_frame *f, uint8_t *buf, size_t cap)
{
	return encode(f, buf, cap, true);
}

long
axon__wire_encode_head(const struct axon_wire_frame *f, uint8_t *buf,
    size_t cap)
{
	return encode(f, buf, cap, false);
}

static long
encode(const struct axon_wire_frame *f, uint8_t *buf, size_t cap,
    bool with_data)
{
	int fixed = f->type < AXON_W_TYPE_COUNT ? body_size(f->type) : -1;
	uint32_t dlen = carries_data(f->type) ? f->data_len : 0;
	size_t total;
	uint8_t *b;

	if (fixed < 0 || dlen > AXON_WIRE_MAX_DATA ||
	    (dlen > 0 && f->data == NULL) ||
	    (f->flags & ~(AXON_WF_FIRST | AXON_WF_LAST)) != 0 ||
	    check(f) < 0) {
		return -EINVAL;
	}
	total = AXON_WIRE_HDR_SIZE + (size_t) fixed + dlen;
	if (cap < (with_data ? total : total - dlen)) {
		return -ENOSPC;
	}
	memset(buf, 0, AXON_WIRE_HDR_SIZE + (size_t) fixed);
	put32(buf, AXON_WIRE_MAGIC);
	buf[4] = AXON_WIRE_VERSION;
	buf[5] = f->type;
	put16(buf + 6, f->flags);
	put32(buf + 8, (uint32_t) fixed + dlen);
	put32(buf + 12, f->conn);
	put32(buf + 16, f->msg);
	put32(buf + 20, f->offset);
	b = buf + AXON_WIRE_HDR_SIZE;
	switch (f->type) {
	case AXON_W_HELLO:
		put32(b, f->u.hello.proto_min);
		put32(b + 4, f->u.hello.proto_max);
		put64(b + 8, f->u.hello.nonce);
		memcpy(b + 16, f->u.hello.node, AXON_WIRE_NODE_NAME);
		break;
	case AXON_W_AUTH:
		memcpy(b, f->u.auth.mac, AXON_WIRE_MAC_SIZE);
		break;
	case AXON_W_PING:
	case AXON_W_PONG:
		put64(b, f->u.ping.stamp);
		break;
	case AXON_W_BYE:
		put32(b, (uint32_t) f->u.bye.reason);
		break;
	case AXON_W_NODEINFO:
		put32(b, f->u.nodeinfo.your_nd);
		break;
	case AXON_W_CONNECT_CRED:
		put32(b, (uint32_t) f->u.connect.pid);
		put32(b + 4, (uint32_t) f->u.connect.chid);
		put32(b + 8, (uint32_t) f->u.connect.client_pid);
		put_cred(b + 12, &f->u.connect.cred);
		break;
	case AXON_W_CONNECT_SUCCESS:
		put32(b, (uint32_t) f->u.connected.scoid);
		put32(b + 4, f->u.connected.chflags);
		put32(b + 8, f->u.connected.max_ship);
		break;
	case AXON_W_CONNECT_FAIL:
	case AXON_W_SERVER_GONE:
	case AXON_W_MSGREAD_FAIL:
		put32(b, (uint32_t) f->u.fail.err);
		break;
	case AXON_W_MSGSEND:
	case AXON_W_MSGSEND_CRED:
		put32(b, (uint32_t) f->u.send.tid);
		put32(b + 4, (uint32_t) f->u.send.coid);
		put32(b + 8, (uint32_t) f->u.send.prio);
		put32(b + 12, f->u.send.sbytes);
		put32(b + 16, f->u.send.rbytes);
		if (f->type == AXON_W_MSGSEND_CRED) {
			put_cred(b + 20, &f->u.send.cred);
		}
		break;
	case AXON_W_MSGREPLY:
		put64(b, (uint64_t) f->u.reply.status);
		put32(b + 8, (uint32_t) f->u.reply.err);
		put32(b + 12, f->u.reply.total);
		break;
	case AXON_W_MSGREAD:
		put32(b, f->u.read.len);
		break;
	case AXON_W_UNBLOCK:
		put32(b, (uint32_t) f->u.unblock.reason);
		break;
	case AXON_W_EVENT:
		put32(b, (uint32_t) f->u.event.tid);
		put32(b + 4, (uint32_t) f->u.event.notify);
		put32(b + 8, (uint32_t) f->u.event.signo);
		put32(b + 12, (uint32_t) f->u.event.prio);
		put32(b + 16, (uint32_t) f->u.event.code);
		put64(b + 24, (uint64_t) f->u.event.value);
		break;
	case AXON_W_PULSE:
		put32(b, (uint32_t) f->u.pulse.prio);
		put32(b + 4, (uint32_t) f->u.pulse.code);
		put64(b + 8, (uint64_t) f->u.pulse.value);
		break;
	case AXON_W_NAMES:
		put32(b, f->u.names.count);
		break;
	case AXON_W_PS_REQ:
		put32(b, (uint32_t) f->u.ps.pid);
		break;
	case AXON_W_PS_ANS:
	case AXON_W_NODES_ANS:
	case AXON_W_PATH_ANS:
	case AXON_W_TRACE_ANS:
		put32(b, (uint32_t) f->u.ans.err);
		break;
	case AXON_W_TRACE_REQ:
		put32(b, f->u.trace.op);
		put32(b + 4, f->u.trace.seconds);
		put64(b + 8, f->u.trace.since);
		break;
	case AXON_W_PATH_REQ:
		put32(b, f->u.path.op);
		put32(b + 4, f->u.path.ftype);
		break;
	case AXON_W_SPAWN:
		put32(b, f->u.spawn.argc);
		put32(b + 4, f->u.spawn.envc);
		put_cred(b + 8, &f->u.spawn.cred);
		break;
	case AXON_W_SPAWN_OK:
		put32(b, (uint32_t) f->u.spawned.pid);
		put32(b + 4, (uint32_t) f->u.spawned.err);
		break;
	case AXON_W_STDIO:
		put32(b, f->u.stdio.fd);
		break;
	case AXON_W_STDIO_ACK:
		put32(b, f->u.ack.fd);
		put32(b + 4, f->u.ack.bytes);
		break;
	case AXON_W_EXIT:
		put32(b, (uint32_t) f->u.exit.code);
		put32(b + 4, (uint32_t) f->u.exit.signo);
		break;
	case AXON_W_KILL:
		put32(b, (uint32_t) f->u.kill.signo);
		break;
	default:
		break;
	}
	if (!with_data) {
		return (long) (total - dlen);
	}
	if (dlen > 0) {
		memcpy(b + fixed, f->data, dlen);
	}
	return (long) total;
}

/*
 * Errno numbers on the wire are Linux's generic ones (x86, arm, riscv).
 * On those architectures the map is the identity; a port to one with
 * other numbers (mips, sparc, alpha, parisc) fills the table in.
 */
int32_t
axon__wire_errno_out(int err)
{
	return err > 0 && err < 4096 ? (int32_t) err : 5 /* EIO */;
}

int
axon__wire_errno_in(int32_t werr)
{
	return werr > 0 && werr < 4096 ? (int) werr : EIO;
}
