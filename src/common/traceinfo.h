/* SPDX-License-Identifier: MIT */
/*
 * Message tracing (`axon trace`, docs/design/local-transport.md §11):
 * the run directory's switch, the per-process event rings libaxon
 * writes when it is on (src/lib/trace.c), and what `axon trace` and
 * axond make of them: a collector (axon__tr_collect) and a text form
 * that travels between nodes (axon__tr_format, axon__tr_parse).
 *
 * Files, all under $AXON_RUNDIR/trace/ (a directory shared by every user
 * of the node, mode 01777 like ps/):
 *   ctl    the switch (struct axon_tr_ctl), made by the first process
 *          that uses Axon in the run directory (normally axond) and
 *          mapped read-only by every other; whoever may write it may
 *          turn tracing on and off for the whole node.
 *   <pid>  one process's ring (struct axon_tr_ring), made by that
 *          process at its first event while tracing is on, and left in
 *          place when it exits so that a trace keeps the events of
 *          processes that ended during it; a collector removes the
 *          rings of dead processes (their owner's OFD lock is gone)
 *          once it has read them.
 */
#ifndef AXON_COMMON_TRACEINFO_H
#define AXON_COMMON_TRACEINFO_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define AXON_TR_CTL_MAGIC   0x43525441u /* "ATRC" */
#define AXON_TR_RING_MAGIC  0x52525441u /* "ATRR" */
#define AXON_TR_VERSION     1u
#define AXON_TR_ENTRIES     8192u /* events a ring holds (power of 2) */
#define AXON_TR_NAME_LEN    16u   /* a process name, NUL included */

/* The switch.  Events are recorded while on != 0 and their timestamp is
 * before until (CLOCK_MONOTONIC ns): a tracer that dies leaves the node
 * tracing until then at most, and the next trace resets it. */
struct axon_tr_ctl {
	uint32_t magic;
	uint32_t version;
	_Atomic uint32_t on;
	uint32_t pad;
	_Atomic uint64_t until;
	uint8_t pad2[64 - 24];
};
_Static_assert(sizeof(struct axon_tr_ctl) == 64, "trace ctl size");

/* Event types (struct axon_tr_ent.type), and what a..x hold. */
enum axon_tr_type {
	AXON_TR_SEND = 1,     /* MsgSend*() begins: a coid, b nd (as given
			       * to ConnectAttach), c pid, d chid */
	AXON_TR_SENDEND = 2,  /* it returns: a coid, b 0 or errno, x status */
	AXON_TR_RECV = 3,     /* MsgReceive*() took a message: a chid,
			       * b rcvid, c nd, d pid, e tid (the client's,
			       * as _msg_info names it), x msglen */
	AXON_TR_PULSE_RX = 4, /* ...took a pulse: a chid, b code, x value */
	AXON_TR_REPLY = 5,    /* MsgReply*() (b 0) or MsgError*() (b the
			       * errno): a rcvid, c 0 or the call's errno,
			       * x status */
	AXON_TR_PULSE_TX = 6, /* a pulse sent: a coid, b code, c 0 or
			       * errno, d the target pid, e its chid,
			       * x value */
	AXON_TR_BLOCK = 7,    /* the thread sleeps: a the state
			       * (enum axon_ps_state), b chid (RECEIVE,
			       * RECVPULSE) or coid (SEND, REPLY) */
	AXON_TR_UNBLOCK = 8,  /* ...and wakes */
	AXON_TR_USER = 9,     /* TraceEvent()'s inserts, trace_log*(): one
			       * chunk of an event (below) */
	AXON_TR_NTYPES
};

/*
 * A user event (TraceEvent(3)) is one or more AXON_TR_USER events of
 * one thread, in a row: its chunks.  a is the event's code (user events:
 * 0..1023; other classes: 0..65535); b packs
 *   bits 0-3    the kind: AXON_TR_UKIND_INTS or AXON_TR_UKIND_STR
 *   bits 4-11   the class (<sys/trace.h>'s _NTO_TRACE_*: 6 for user
 *               events)
 *   bits 12-19  this chunk's index, from 0
 *   bits 20-27  the number of chunks, 1-255
 *   bits 28-30  integers: how many this chunk holds (0-5); strings: 0
 * and c, d, e, x the chunk's payload:
 *   integers  up to 5 int32: c, d, e, then x's low and high halves;
 *   strings   20 bytes, the string's in order: c, d, e, x, each
 *             little-endian (byte 0 is c's low byte, byte 12 x's),
 *             so that it reads the same on every node; the last chunk
 *             is padded with NULs and a string has none of its own.
 * A string holds at most AXON_TR_USTR_MAX bytes, integers at most
 * AXON_TR_UINTS_MAX: the recorder cuts longer ones.  A reader puts the
 * chunks together with axon__tr_user_add(); chunks lost (a ring that
 * went round, the trace's start or end between them) leave an event
 * that is not whole.
 */
#define AXON_TR_UKIND_INTS  1
#define AXON_TR_UKIND_STR   2
#define AXON_TR_USTR_MAX    1024u /* bytes of a string, NUL not counted */
#define AXON_TR_UINTS_MAX   256u  /* integers of an event */
#define AXON_TR_USTR_CHUNK  20u   /* bytes per chunk */
#define AXON_TR_UINTS_CHUNK 5u    /* integers per chunk */

static inline int32_t
axon__tr_ub(int kind, int cls, unsigned idx, unsigned n, unsigned used)
{
	return (int32_t) ((unsigned) kind | (unsigned) cls << 4 | idx << 12 |
	    n << 20 | used << 28);
}

#define AXON_TR_UB_KIND(b)  ((int) ((uint32_t) (b) & 0xfu))
#define AXON_TR_UB_CLASS(b) ((int) (((uint32_t) (b) >> 4) & 0xffu))
#define AXON_TR_UB_IDX(b)   ((unsigned) (((uint32_t) (b) >> 12) & 0xffu))
#define AXON_TR_UB_N(b)     ((unsigned) (((uint32_t) (b) >> 20) & 0xffu))
#define AXON_TR_UB_USED(b)  ((unsigned) (((uint32_t) (b) >> 28) & 0x7u))

/* One event: 64 bytes.  seq is the event's index + 1 once it is
 * complete, 0 while its thread writes it. */
struct axon_tr_ent {
	_Atomic uint64_t seq;
	uint64_t ts;       /* CLOCK_MONOTONIC ns */
	int32_t tid;
	uint16_t type;
	uint16_t pad;
	int32_t a, b, c, d, e;
	int32_t pad2;
	int64_t x;
	uint64_t pad3;
};
_Static_assert(sizeof(struct axon_tr_ent) == 64, "trace event size");

struct axon_tr_ring {
	uint32_t magic;    /* written last at creation */
	uint32_t version;
	uint32_t size;     /* sizeof(struct axon_tr_ring) */
	int32_t pid;
	char name[AXON_TR_NAME_LEN]; /* the process's name (comm) */
	_Atomic uint64_t head; /* events ever started; the next index */
	uint8_t pad[64 - 40];
	struct axon_tr_ent ent[AXON_TR_ENTRIES];
};
_Static_assert(sizeof(struct axon_tr_ring) == 64 + 64 * AXON_TR_ENTRIES,
    "trace ring size");

/* ---- What a collector gives, and its text form ---- */
#define AXON_TR_MAX_PROCS  4096
#define AXON_TR_TEXT_MAX   (4u << 20) /* bytes of text, at most */
#define AXON_TR_LINE_MAX   192        /* bytes of one line, at most */

struct axon_tr_proc {
	int pid;
	char name[AXON_TR_NAME_LEN]; /* 1-15 graphic ASCII characters */
	uint64_t dropped;            /* events its ring overwrote */
};

struct axon_tr_event {
	int pid, tid;
	uint64_t ts;
	int type;          /* enum axon_tr_type */
	int32_t a, b, c, d, e;
	int64_t x;
};

struct axon_tr_list {
	uint64_t now;      /* the node's CLOCK_MONOTONIC when collected */
	uint64_t lost;     /* events left out: the text would be too long */
	struct axon_tr_proc *procs;
	size_t nprocs;
	struct axon_tr_event *ev;
	size_t nev;
};

/*
 * Turns tracing in rundir on (seconds > 0: until now + seconds) or off
 * (seconds == 0).  Turning it on first removes the rings of dead
 * processes.  Returns 0 with *ret_now (CLOCK_MONOTONIC ns) set, or
 * -errno: -EACCES if this user may not write the switch.
 */
int axon__tr_switch(const char *rundir, unsigned seconds, uint64_t *ret_now);

/*
 * Collects the events of every ring in rundir with a timestamp >= since,
 * oldest first per process, at most as many as fit the text form
 * (the rest counted in lost), and removes the rings of dead processes.
 * Returns 0 or -errno (-ENOMEM; a missing directory is an empty list).
 */
int axon__tr_collect(const char *rundir, uint64_t since,
    struct axon_tr_list *l);

/* The text form of l (malloc'd, *ret_len bytes, NUL after them).
 * Returns 0, -EINVAL for a list that has no text form, or -ENOMEM. */
int axon__tr_format(const struct axon_tr_list *l, char **ret_text,
    size_t *ret_len);

/*
 * Parses a text form, as another node's axond sent it, strictly: every
 * line and field checked.  Returns 0 with *l filled, or -EPROTO (l left
 * empty) or -ENOMEM.
 */
int axon__tr_parse(const char *text, size_t len, struct axon_tr_list *l);

void axon__tr_free(struct axon_tr_list *l);

/* The name of an event type ("send", ...), or NULL. */
const char *axon__tr_type_name(int type);

/* A user event put together from its chunks (AXON_TR_USER). */
struct axon_tr_user {
	int32_t code;      /* the event's code (a) */
	int cls;           /* its class (<sys/trace.h>'s _NTO_TRACE_*) */
	int kind;          /* AXON_TR_UKIND_INTS or _STR */
	unsigned nchunks;  /* chunks it has (b's count) */
	unsigned first;    /* the index of the first chunk kept */
	unsigned next;     /* the index of the next chunk expected */
	bool whole;        /* every chunk, from the first, is there */
	size_t len;        /* bytes of text, or integers of data */
	union {
		char text[AXON_TR_USTR_MAX + 1]; /* NUL-terminated */
		int32_t data[AXON_TR_UINTS_MAX];
	} u;
};

/*
 * Starts u with e, a chunk of a user event (its first, or whichever of
 * it a trace kept first).  Returns false if e is not a well-formed chunk
 * (then u is not started).
 */
bool axon__tr_user_start(struct axon_tr_user *u,
    const struct axon_tr_event *e);

/*
 * Adds e, the same thread's event after the last chunk added, to u if it
 * is u's next chunk: true if it was.  u->whole says whether u has all
 * its chunks.
 */
bool axon__tr_user_add(struct axon_tr_user *u,
    const struct axon_tr_event *e);

/* The name of a class of <sys/trace.h> ("user", "comm", ...), or NULL. */
const char *axon__tr_class_name(int cls);

/* Whether e is an event the text form carries: a known type, a thread,
 * and for AXON_TR_USER a well-formed chunk (the layout above). */
bool axon__tr_event_ok(const struct axon_tr_event *e);

#endif /* AXON_COMMON_TRACEINFO_H */
