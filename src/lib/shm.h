/* SPDX-License-Identifier: MIT */
/*
 * The shared-memory layout of one connection (docs/design/local-transport.md).
 *
 * The client creates the region (a sealed memfd) and passes it to the
 * server in the connect handshake.  Only the client and that one server
 * map it, so a client that scribbles over it can only break its own
 * connection; the server copies every field it uses into private memory
 * and validates it before use.
 */
#ifndef AXON_LIB_SHM_H
#define AXON_LIB_SHM_H

#include <stdatomic.h>
#include <stdint.h>

#define AXON_SHM_MAGIC   0x4e4f5841u /* "AXON" */
#define AXON_SHM_VERSION 4u
#define AXON_SLOTS       64u   /* concurrent sends per connection */
#define AXON_INLINE      8192u /* inline data bytes per slot */
#define AXON_MAX_EXT     6u    /* reply extents recorded per message */
#define AXON_BIG_MAX     (1ull << 33) /* largest big buffer: 2 x 2 GiB + */

/* Slot state word: phase in bits 0-7, flags in 8-15, sequence in 16-31. */
enum axon_phase {
	AXON_PH_FREE = 0,      /* owned by the client */
	AXON_PH_SENT = 1,      /* posted, SEND-blocked */
	AXON_PH_RECEIVED = 2,  /* taken by the server, REPLY-blocked */
	AXON_PH_REPLIED = 3,   /* reply written, client to consume */
	AXON_PH_ABANDONED = 4, /* client left while REPLY-blocked */
};
#define AXON_ST_PHASE(s)  ((s) & 0xffu)
#define AXON_ST_SEQ(s)    ((s) >> 16)
#define AXON_ST_WAITER    0x100u /* client sleeps on the futex */
#define AXON_ST_UNBLOCK   0x200u /* client asked to be unblocked */
#define AXON_ST_WAKERCV   0x400u /* wake the client when received */
#define AXON_ST_NOTIFY    0x800u /* a network manager's non-blocking
				  * send: tell it (REPLIED) on reply */
#define AXON_ST_NEWCRED   0x1000u /* a NETCRED precedes this message on
				  * the socket: read it first */
#define AXON_ST_NETPEND   0x4000u /* taken by this node's network
				  * manager, not yet by the remote
				  * server: the client is SEND-blocked
				  * (cleared by axon__net_received) */
#define AXON_ST_MORE      0x8000u /* a connection to the network manager:
				  * reply data is arriving in the reply
				  * area (avail says how much); the
				  * client may copy it while the rest
				  * comes (axon__net_reply_progress) */
#define AXON_ST_BOOSTED   0x2000u /* the client raised the server's
				  * receiving thread to its priority
				  * while the message waited (the
				  * send-time boost, boost.c) */
#define AXON_ST_MAKE(ph, fl, seq) \
	((uint32_t) (ph) | (uint32_t) (fl) | ((uint32_t) (seq) << 16))

struct axon_ext {
	uint64_t off;
	uint64_t len;
};

/* In axon_slot.avail: the shipped part is still arriving (below). */
#define AXON_AVAIL_MORE 0x80000000u
/* Bytes between wake-ups of a reader that copies as they arrive: each
 * wake-up is a switch on a busy CPU. */
#define AXON_AVAIL_STEP (256u << 10)

/* One message slot.  "c:" fields are written by the client, "s:" by the
 * server.  The first cache line holds the state word and all the
 * client's fields, the second the server's answer, so that a small
 * round trip moves as few lines between CPUs as it can. */
struct axon_slot {
	_Atomic uint32_t state;    /* the one word both sides CAS */
	int32_t tid;               /* c: sending thread (gettid) */
	int32_t coid;              /* c: coid used for the send */
	int32_t prio;              /* c: sender's QNX priority */
	int32_t cli_cpu;           /* c: CPU the sender last ran on */
	uint32_t buf_gen;          /* c: 0 = inline data, else big buffer */
	uint64_t sbytes;           /* c: bytes of send data */
	uint64_t rbytes;           /* c: capacity of the reply buffer */
	uint64_t reply_off;        /* c: reply area offset in the data */
	uint64_t stamp;            /* c: CLOCK_MONOTONIC ns at the send */
	/* A virtual client's message arrives in parts: its network manager
	 * raises avail (bytes present from offset 0) as they come, or sets
	 * rd_err when the rest cannot come; the server waits on avail.
	 * AXON_AVAIL_MORE in avail: what ships with the message (its first
	 * AXD_SHIP bytes) is still arriving, the message was posted early
	 * so that the server's copy overlaps the transfer; MsgReceive and
	 * MsgRead wait for it instead of asking for it (no READ notice).
	 * On a client's connection to its network manager, avail is the
	 * other way round once the message is taken: the manager raises it
	 * (AXON_AVAIL_MORE | bytes) as a remote reply lands in the reply
	 * area in order from offset 0, those bytes final, and sets it to 0
	 * when that stops holding (AXON_ST_MORE; the client zeroes it at
	 * each post). */
	_Atomic uint32_t avail;    /* c: (s: reply progress, above) */
	_Atomic int32_t rd_err;    /* c: */
	/* second line: the answer */
	int64_t status;            /* s: MsgReply status */
	int32_t err;               /* s: 0, or the errno for the client */
	uint32_t n_ext;            /* s: reply extents that follow */
	struct axon_ext ext[AXON_MAX_EXT]; /* s: reply data written */
	/* s: the thread that took a real-time client's message, stored
	 * before the state says RECEIVED (0 under _NTO_CHF_FIXED_PRIORITY;
	 * not stored for an ordinary client, which never reads it): the one a
	 * real-time client raises if it has not applied the inherited
	 * priority yet (boost.c, axon__boost_taken).  A hint: the client
	 * checks it is a thread of the server's process. */
	_Atomic int32_t taker;
	uint8_t pad[256 - 84 - 16 * AXON_MAX_EXT];
};
_Static_assert(__builtin_offsetof(struct axon_slot, status) == 64,
    "the answer starts the second cache line");
_Static_assert(sizeof(struct axon_slot) == 256, "slot size");

struct axon_region {
	uint32_t magic;
	uint32_t version;
	uint32_t nslots;
	uint32_t inline_size;
	_Atomic int32_t srv_cpu;   /* s: CPU the server last ran on */
	uint32_t pad0;
	/* c: slots posted since the server last looked (bit i: slot i),
	 * set before the bell rings; the server takes them all at once.
	 * A hint like the bell: each is checked against the slot state. */
	_Atomic uint64_t posted;
	/* c: pulses were sent on the socket since the server last looked,
	 * set after the send and before the bell rings: the receiver the
	 * bell wakes reads them from the socket itself, so that a pulse is
	 * on the channel's queue for any MsgReceive that starts after
	 * MsgSendPulse returned (the monitor thread may not have run yet).
	 * A hint: a client that sets it for nothing costs its server one
	 * empty read. */
	_Atomic uint32_t pulsed;
	/* c: a connection to another node (through the network manager):
	 * a hash of the client's ids (real, effective and saved uid and
	 * gid, supplementary groups) as they were at its last send.  When
	 * it changes, the network manager reads the client's credentials
	 * from the kernel again; it does anyway every AXD_CRED_RECHECK, so
	 * a hint left alone (a client that lies) delays a change by that
	 * bound at most.  Never trusted as the ids themselves. */
	_Atomic uint32_t cred_hint;
	/* s: the thread that last took a message from this connection,
	 * which a real-time client raises to its own priority while its
	 * message waits (the send-time boost, boost.c); 0 under
	 * _NTO_CHF_FIXED_PRIORITY.  A hint: the client checks that it is
	 * a thread of the server's process, and only ever raises it. */
	_Atomic int32_t srv_tid;
	/* c: a boost may outlive its message (withdrawn before the server
	 * took it): the receiver that takes the bell makes every thread
	 * of the server check its priority again. */
	_Atomic uint32_t unboost;
	uint8_t pad[64 - 48];
	/* s: a receiver watches this connection's slots in memory: a post
	 * needs no bell (see ring_bell and receive_common).  On a
	 * line of its own: it changes at every receive. */
	_Atomic uint32_t srv_spin;
	uint8_t pad2[64 - 4];
	struct axon_slot slot[AXON_SLOTS];
	uint8_t data[AXON_SLOTS][AXON_INLINE];
};

#define AXON_REGION_SIZE sizeof(struct axon_region)

#endif /* AXON_LIB_SHM_H */
