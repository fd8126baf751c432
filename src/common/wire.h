/* SPDX-License-Identifier: MIT */
/*
 * The node-to-node wire format of axond (docs/design/wire.md): a
 * versioned, fixed-layout, little-endian framing over one TCP session per
 * node pair, carrying the patent's network-manager messages.
 *
 * This module is pure: it encodes into caller buffers and decodes from
 * caller buffers, with no I/O, so that it can be tested against golden
 * frames and fuzzed.  Decoding follows "decode fully, then apply": a
 * frame is checked completely (size, magic, version, type, every field's
 * range) before the caller sees any of it.
 */
#ifndef AXON_COMMON_WIRE_H
#define AXON_COMMON_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define AXON_WIRE_MAGIC     0x31574e41u /* "ANW1" */
#define AXON_WIRE_VERSION   1u
#define AXON_WIRE_HDR_SIZE  32u
#define AXON_WIRE_MAX_DATA  65536u /* data bytes in one frame (a chunk) */
#define AXON_WIRE_MAX_BODY  (256u + AXON_WIRE_MAX_DATA)
#define AXON_WIRE_SHIP      8192u  /* message bytes shipped with a send */
#define AXON_WIRE_NODE_NAME 64u
#define AXON_WIRE_NGROUPS   16u
#define AXON_WIRE_MAC_SIZE  32u

/* EVENT notify values are those of Axon's <sys/siginfo.h>; a pulse
 * event (this one) carries the client's coid in signo. */
#define AXON_WIRE_SIGEV_PULSE 0x43
#define AXON_WIRE_SIGEV_HANDLE 0x46 /* a registered event: signo = handle */

/* Frame flags. */
#define AXON_WF_FIRST 0x0001u /* first chunk of a message or reply */
#define AXON_WF_LAST  0x0002u /* last chunk */

/* In an UNBLOCK's reason, with ETIMEDOUT only: the client's timeout was
 * for the SEND state alone -- withdraw the message if the server has not
 * received it, else nothing (only the REPLY rules apply then). */
#define AXON_WIRE_SENDONLY 0x10000

enum axon_wire_type {
	/* session */
	AXON_W_HELLO = 1,
	AXON_W_AUTH = 2,
	AXON_W_AUTH_OK = 3,
	AXON_W_PING = 4,
	AXON_W_PONG = 5,
	AXON_W_BYE = 6,
	AXON_W_NODEINFO = 7,
	AXON_W_NAMES = 8,
	/* the patent's network-manager messages */
	AXON_W_CONNECT_CRED = 16,
	AXON_W_CONNECT_SUCCESS = 17,
	AXON_W_CONNECT_FAIL = 18,
	AXON_W_DISCONNECT = 19,
	AXON_W_MSGSEND = 20,
	AXON_W_MSGSEND_CRED = 21,
	AXON_W_MSGREPLY = 22,
	AXON_W_MSGREAD = 23,
	AXON_W_MSGREAD_SUCCESS = 24,
	AXON_W_MSGREAD_FAIL = 25,
	AXON_W_MSGWRITE = 26,
	AXON_W_UNBLOCK = 27,
	AXON_W_EVENT = 28,
	AXON_W_PULSE = 29,
	AXON_W_SERVER_GONE = 30, /* the server end of conn went away */
	AXON_W_RECEIVED = 31,    /* the server received msg: its client
				  * is REPLY-blocked from now on */
	/* operator services (axon(1)), on sessions and on axond's
	 * control socket */
	AXON_W_PS_REQ = 40,
	AXON_W_PS_ANS = 41,
	AXON_W_NODES_REQ = 42,
	AXON_W_NODES_ANS = 43,
	AXON_W_SPAWN = 44,
	AXON_W_SPAWN_OK = 45,
	AXON_W_STDIO = 46,
	AXON_W_STDIO_ACK = 47,
	AXON_W_EXIT = 48,
	AXON_W_KILL = 49,
	/* the path namespace of another node (/net/NODE, name_open) */
	AXON_W_PATH_REQ = 50,
	AXON_W_PATH_ANS = 51,
	/* `axon trace` on another node: the trace switch, then its events
	 * (docs/design/wire.md, "Traces") */
	AXON_W_TRACE_REQ = 52,
	AXON_W_TRACE_ANS = 53,
	AXON_W_TYPE_COUNT
};

struct axon_wire_cred {
	uint32_t ruid, euid, suid;
	uint32_t rgid, egid, sgid;
	uint32_t ngroups; /* <= AXON_WIRE_NGROUPS */
	uint32_t groups[AXON_WIRE_NGROUPS];
};

/* One global name in a NAMES frame's data: AXON_WIRE_NAME_ENTRY bytes,
 * i32 pid, i32 chid, u64 stamp, then the name (as name_attach() takes
 * it: 1 to 255 bytes, '/'-separated components, none "." or ".."),
 * NUL-padded. */
#define AXON_WIRE_NAME_ENTRY 272u
#define AXON_WIRE_NAME_LEN   (AXON_WIRE_NAME_ENTRY - 16u) /* with NUL */
#define AXON_WIRE_NAMES_MAX  (AXON_WIRE_MAX_DATA / AXON_WIRE_NAME_ENTRY)

struct axon_wire_name {
	int32_t pid, chid;
	uint64_t stamp; /* registration time, ns since the Unix epoch */
	char name[AXON_WIRE_NAME_LEN];
};

/* PATH_REQ: what is asked (u.path.op), and how long its path may be
 * (with its NUL).  docs/design/wire.md, "Paths". */
#define AXON_WIRE_PATH_RESOLVE 1u /* the managers of the path, in order */
#define AXON_WIRE_PATH_LIST    2u /* the entries at or below the path */
#define AXON_WIRE_PATH_MAX     4096u

/* TRACE_REQ: what is asked (u.trace.op), and the longest trace. */
#define AXON_WIRE_TRACE_START   1u /* switch on for seconds: "now" */
#define AXON_WIRE_TRACE_STOP    2u /* switch off: the events since */
#define AXON_WIRE_TRACE_MAX_SEC 86400u

/* SPAWN limits: strings in its data (cwd, argv, environment). */
#define AXON_WIRE_SPAWN_STRINGS 4096u

/* A decoded frame.  Integer fields are host order; data points into the
 * caller's buffer (valid as long as that buffer is). */
struct axon_wire_frame {
	uint8_t type;
	uint16_t flags;
	uint32_t conn;   /* connection (network client token) id */
	uint32_t msg;    /* message id, 0 if none */
	uint32_t offset; /* byte offset of data in the message or reply */
	union {
		struct {
			uint32_t proto_min, proto_max;
			uint64_t nonce;
			char node[AXON_WIRE_NODE_NAME]; /* NUL-terminated */
		} hello;
		struct {
			uint8_t mac[AXON_WIRE_MAC_SIZE];
		} auth;
		struct {
			uint64_t stamp;
		} ping; /* PING and PONG */
		struct {
			int32_t reason; /* wire errno */
		} bye;
		struct {
			uint32_t your_nd; /* how the sender names the receiver */
		} nodeinfo;
		struct {
			int32_t pid, chid; /* target */
			int32_t client_pid;
			struct axon_wire_cred cred;
		} connect;
		struct {
			int32_t scoid;
			uint32_t chflags;
			uint32_t max_ship;
		} connected;
		struct {
			int32_t err;
		} fail; /* CONNECT_FAIL, MSGREAD_FAIL, SERVER_GONE */
		struct {
			int32_t tid, coid, prio;
			uint32_t sbytes, rbytes;
			struct axon_wire_cred cred; /* MSGSEND_CRED only */
		} send;
		struct {
			int64_t status;
			int32_t err;
			uint32_t total; /* reply bytes in all chunks */
		} reply;
		struct {
			uint32_t len;
		} read; /* MSGREAD: offset + len */
		struct {
			int32_t reason; /* EINTR 4, ETIMEDOUT 110, or
					 * 110 | AXON_WIRE_SENDONLY */
		} unblock;
		struct {
			int32_t tid, notify, signo, prio, code;
			int64_t value;
		} event;
		struct {
			int32_t prio, code;
			int64_t value;
		} pulse;
		struct {
			uint32_t count; /* entries in this chunk's data */
		} names;
		struct {
			int32_t pid; /* 0: every process */
		} ps;
		struct {
			int32_t err; /* 0, or the request's failure */
		} ans; /* PS_ANS, NODES_ANS, PATH_ANS, TRACE_ANS */
		struct {
			uint32_t op;      /* AXON_WIRE_TRACE_* */
			uint32_t seconds; /* START: 1..TRACE_MAX_SEC; STOP: 0 */
			uint64_t since;   /* STOP: the node's CLOCK_MONOTONIC ns
					   * its START answered; START: 0 */
		} trace; /* TRACE_REQ */
		struct {
			uint32_t op;    /* AXON_WIRE_PATH_* */
			uint32_t ftype; /* RESOLVE: _FTYPE_*; LIST: 0 */
		} path; /* PATH_REQ; data: the path */
		struct {
			uint32_t argc, envc; /* data: cwd, argv, env strings */
			struct axon_wire_cred cred;
		} spawn;
		struct {
			int32_t pid, err;
		} spawned; /* SPAWN_OK */
		struct {
			uint32_t fd; /* 0, 1, 2; no data: end of file */
		} stdio;
		struct {
			uint32_t fd, bytes;
		} ack; /* STDIO_ACK */
		struct {
			int32_t code, signo; /* one of them is 0 */
		} exit;
		struct {
			int32_t signo;
		} kill;
	} u;
	const uint8_t *data; /* chunk data, or NULL */
	uint32_t data_len;
};

/*
 * Decodes one frame from the len bytes at buf.  Returns the number of
 * bytes it used (> 0) and fills *ret_frame; 0 if buf holds only part of
 * a frame (read more, then call again); or -EPROTO if the bytes are not a
 * well-formed frame of this version (drop the peer).  *ret_frame is
 * written only on success.
 */
long axon__wire_decode(const uint8_t *buf, size_t len,
    struct axon_wire_frame *ret_frame);

/*
 * As axon__wire_decode, but needs only the header and the fixed part of
 * the body: the frame's data (f.data_len bytes, f.data NULL) follows in
 * the stream, and the caller reads it where it belongs.  Returns the
 * bytes of header and fixed body, 0, or -EPROTO, as above; every check
 * that does not need the data bytes is made.  The data of NAMES, SPAWN
 * and PATH_REQ has a structure that only axon__wire_decode checks:
 * frames of those types must be decoded fully, never received in place.
 */
long axon__wire_decode_head(const uint8_t *buf, size_t len,
    struct axon_wire_frame *ret_frame);

/*
 * Encodes f into buf (cap bytes).  Returns the frame's size, or -ENOSPC
 * if cap is too small, or -EINVAL if f is not encodable (unknown type,
 * data too long, a field out of range).
 */
long axon__wire_encode(const struct axon_wire_frame *f, uint8_t *buf,
    size_t cap);

/*
 * As axon__wire_encode, but writes only the header and the fixed part of
 * the body (whose length counts f->data_len data bytes): the caller sends
 * the data from where it lies.  Returns the bytes written.
 */
long axon__wire_encode_head(const struct axon_wire_frame *f, uint8_t *buf,
    size_t cap);

/*
 * Entry i of a decoded NAMES frame (i < f->u.names.count, data present).
 * Returns 0, or -EPROTO if the entry is malformed.
 */
int axon__wire_name_get(const struct axon_wire_frame *f, uint32_t i,
    struct axon_wire_name *ret_name);

/* Writes one entry (AXON_WIRE_NAME_ENTRY bytes) at p. */
void axon__wire_name_put(uint8_t *p, const struct axon_wire_name *n);

/*
 * Splits a SPAWN frame's data into its 1 + argc + envc NUL-terminated
 * strings: out[0] the working directory, then argv, then the
 * environment (out has room for all of them; NULL: only check them).
 * Returns 0 or -EPROTO.
 */
int axon__wire_spawn_strings(const struct axon_wire_frame *f,
    const char **out);

/* Errno values on the wire are Linux's generic (x86/arm) numbers; these
 * map the local errno to and from them. */
int32_t axon__wire_errno_out(int err);
int axon__wire_errno_in(int32_t werr);

#endif /* AXON_COMMON_WIRE_H */
