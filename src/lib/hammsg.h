/* SPDX-License-Identifier: MIT */
/*
 * The HAM's messages (docs/design/ham.md, "Messages"): what libaxon's
 * ham_*() calls (ham.c) send axon-ham(8) in one devctl() to /proc/ham,
 * DCMD_AXON_HAM, and how the manager decodes them.  One place for the
 * format; pure (no I/O), fuzzed by tests/fuzz/fuzz_ham.c.
 *
 * A request is a 52-byte header and then up to four strings, each its
 * length in bytes with no NUL: the entity, condition and action names
 * and a text (a command line, a path or a log message).  Little-endian:
 *
 *    0 u32 magic (AXON_HAM_MAGIC)     4 u16 op      6 u16 zero
 *    8 u32 flags                     12 i32 arg[6]
 *   36 u64 hp (heartbeat period, ns) 44 u16 len[4] (ename cname aname
 *   text)                            52 the strings, in that order
 *
 * The reply is devctl()'s status alone (EOK or an errno); the data
 * comes back unchanged.
 */
#ifndef AXON_LIB_HAMMSG_H
#define AXON_LIB_HAMMSG_H

#include <stddef.h>
#include <stdint.h>

#include <devctl.h>

#define AXON_HAM_PATH  "/proc/ham"
#define AXON_HAM_MAGIC 0x314d4148u /* "HAM1" */
#define AXON_HAM_HDR   52
/* A name (entity, condition, action) and the three together. */
#define AXON_HAM_NAME_MAX  255
/* A command line, path or log message. */
#define AXON_HAM_TEXT_MAX  4096
#define AXON_HAM_MSG_MAX   (AXON_HAM_HDR + 3 * AXON_HAM_NAME_MAX + \
	AXON_HAM_TEXT_MAX)
/* The one devctl command (its size is a hint, as for every devctl). */
#define DCMD_AXON_HAM __DIOTF(_DCMD_MISC, 0x48, uint8_t[AXON_HAM_HDR])

enum axon_ham_op {
	AXON_HAM_ATTACH_SELF = 1,	/* ename; hp, arg0 hpdl, arg1 hpdh */
	AXON_HAM_DETACH_SELF,		/* ename */
	AXON_HAM_HEARTBEAT,		/* nothing: the sender's entities */
	AXON_HAM_ENTITY,		/* ename: a placeholder */
	AXON_HAM_DETACH,		/* ename */
	AXON_HAM_CONDITION,		/* ename cname; arg0 type */
	AXON_HAM_CONDITION_REMOVE,	/* ename cname */
	AXON_HAM_ACTION,		/* ename cname aname; arg0 kind... */
	AXON_HAM_ACTION_REMOVE,		/* ename cname aname */
	AXON_HAM_LOOKUP,		/* ename [cname [aname]] exist? */
	AXON_HAM_STOP,			/* nothing */
	AXON_HAM_OP_MAX = AXON_HAM_STOP
};

/* AXON_HAM_ACTION's arg0, and what its other arguments are. */
enum axon_ham_kind {
	AXON_HAM_A_EXECUTE = 1,	/* text: command line */
	AXON_HAM_A_RESTART,	/* text: command line */
	AXON_HAM_A_PULSE,	/* arg1 nd, arg2 pid, arg3 chid, arg4 code,
				 * arg5 value */
	AXON_HAM_A_SIGNAL,	/* arg1 nd, arg2 pid, arg3 signo, arg4 code,
				 * arg5 value */
	AXON_HAM_A_WAITFOR,	/* text: path (may be empty); arg1 delay ms */
	AXON_HAM_A_LOG,		/* text: message; arg1 attachprefix,
				 * arg2 verbosity */
	AXON_HAM_A_HEALTHY,	/* nothing */
	AXON_HAM_A_MAX = AXON_HAM_A_HEALTHY
};

/* A decoded request: the strings NUL-terminated, "" when absent. */
struct axon_ham_req {
	uint16_t op;
	uint32_t flags;
	int32_t arg[6];
	uint64_t hp;
	char ename[AXON_HAM_NAME_MAX + 1];
	char cname[AXON_HAM_NAME_MAX + 1];
	char aname[AXON_HAM_NAME_MAX + 1];
	char text[AXON_HAM_TEXT_MAX + 1];
};

/*
 * Encodes r into buf (len bytes): the size used, or -EINVAL (a string
 * too long for the format or holding a NUL: it cannot) or -ENOSPC.
 * The names are checked by the decoder, not here: the manager is the
 * judge.
 */
int axon__ham_encode(const struct axon_ham_req *r, uint8_t *buf,
    size_t len);

/*
 * Decodes and checks a whole request of n bytes: 0 with *r filled, or
 * -EBADMSG (not a request of this format: wrong magic, size, unknown
 * op or kind, a NUL in a string, a string a request of its op must not
 * have), -EINVAL (a required name empty or holding '/', a name where
 * none belongs) or -ENAMETOOLONG (a name over AXON_HAM_NAME_MAX, or
 * the three together).  *r is untouched on failure.
 */
int axon__ham_decode(const uint8_t *buf, size_t n, struct axon_ham_req *r);

#endif /* AXON_LIB_HAMMSG_H */
