/* SPDX-License-Identifier: MIT */
/*
 * Control messages on a connection's socket (AF_UNIX SOCK_SEQPACKET, one
 * message per packet).  The data path does not use the socket; it carries
 * the handshake, file descriptors for big buffers, pulses, unblock
 * requests and events, and its hang-up is how each side learns that the
 * other is gone.
 *
 * Every packet is a struct axon_ctl; the decoder checks the length, the
 * type and every field's range before the caller sees it.
 */
#ifndef AXON_LIB_CTL_H
#define AXON_LIB_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "shm.h" /* AXON_SLOTS */

#define AXON_CTL_MAGIC   0x4c544341u /* "ACTL" */
#define AXON_CTL_VERSION 3u

enum axon_ctl_type {
	AXON_CTL_CONNECT = 1,   /* c->s: + region fd */
	AXON_CTL_CONNECTED = 2, /* s->c: + doorbell fd (or err) */
	AXON_CTL_BUF = 3,       /* c->s: + big buffer fd for a slot */
	AXON_CTL_TOKEN = 4,     /* c->s: a slot was posted (bell full) */
	AXON_CTL_UNBLOCK = 5,   /* c->s: REPLY-blocked client wants out */
	AXON_CTL_ABANDON = 6,   /* c->s: client left a received slot */
	AXON_CTL_PULSE = 7,     /* c->s: a pulse */
	AXON_CTL_EVENT = 8,     /* s->c: MsgDeliverEvent */
	AXON_CTL_REPLIED = 9,   /* s->c: a NOTIFY slot was replied */
	AXON_CTL_NETCRED = 10,  /* c->s: a virtual client's new credentials */
	AXON_CTL_READ = 11,     /* s->c: the server reads beyond what has
				 * arrived of a virtual client's message */
	AXON_CTL_RECEIVED = 12, /* s->c: a NOTIFY slot was received (a
				 * virtual client's: its remote client
				 * is REPLY-blocked from now on) */
	AXON_CTL_TYPE_COUNT
};

/* In an UNBLOCK's reason, with ETIMEDOUT: a timeout armed for the SEND
 * state only, from a client whose message the network manager holds
 * (AXON_ST_NETPEND): withdraw the message if the remote server has not
 * received it, else nothing (only the REPLY rules apply then). */
#define AXON_UNBLOCK_SENDONLY 0x10000

/* Connect flags. */
#define AXON_CONNF_NET 0x1u /* a virtual client: netcred holds who it is */

#define AXON_CTL_NGROUPS 16u

/*
 * Who a virtual client is: a process of another node, presented by this
 * node's network manager (the patent's NetCred).  A server accepts it
 * only from that manager.
 */
struct axon_netcred {
	uint32_t nd;      /* the client's node, as this node names it */
	int32_t pid;      /* the client's pid on its node */
	uint32_t ruid, euid, suid;
	uint32_t rgid, egid, sgid;
	uint32_t ngroups; /* <= AXON_CTL_NGROUPS */
	uint32_t groups[AXON_CTL_NGROUPS];
};

struct axon_ctl {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	union {
		struct {
			uint32_t nd;
			int32_t pid;      /* target process */
			int32_t chid;
			uint32_t flags;   /* AXON_CONNF_* */
			uint64_t region_size;
			struct axon_netcred net; /* AXON_CONNF_NET */
		} connect;
		struct axon_netcred netcred;
		struct {
			int32_t err;      /* 0 or a positive errno */
			int32_t scoid;
			uint32_t chflags;
			int32_t srv_pid;
			uint64_t srv_start; /* server start time (pid reuse) */
		} connected;
		struct {
			uint32_t slot;
			uint32_t gen;
			uint64_t size;
		} buf;
		struct {
			uint32_t slot;
			uint32_t seq;
			int32_t reason;   /* EINTR or ETIMEDOUT, which
					   * may carry AXON_UNBLOCK_SENDONLY */
		} slot; /* TOKEN, UNBLOCK, ABANDON, REPLIED, READ,
			 * RECEIVED */
		struct {
			int32_t prio;
			int32_t code;
			int64_t value;
			uint64_t stamp; /* CLOCK_MONOTONIC ns at the send */
		} pulse;
		struct {
			int32_t tid;      /* client thread the event is for */
			int32_t notify;   /* SIGEV_* type */
			int32_t signo;    /* or coid for pulses */
			int32_t prio;
			int32_t code;
			uint32_t msg;     /* AXON_EVENT_MSG(slot, seq): the
					   * message the server held when
					   * it sent it, or 0 */
			int64_t value;
		} event;
	} u;
};

/* An event's message (u.event.msg): the client's slot and its sequence,
 * with a bit that says it is set.  A SIGEV_UNBLOCK for a message the
 * client's slot no longer holds is void (it came after the reply, and
 * the slot may carry the thread's next message by then). */
#define AXON_EVENT_MSG(slot, seq) \
	(0x1000000u | ((uint32_t) (slot) << 16) | ((uint32_t) (seq) & 0xffffu))
#define AXON_EVENT_MSG_SLOT(m) (((m) >> 16) & 0xffu)
#define AXON_EVENT_MSG_SEQ(m)  ((m) & 0xffffu)
#define AXON_EVENT_MSG_OK(m) \
	((m) == 0 || (((m) & 0xff000000u) == 0x1000000u && \
			 AXON_EVENT_MSG_SLOT(m) < AXON_SLOTS))

/*
 * Decodes one received packet of len bytes into *ret_msg.  Returns 0, or
 * -EPROTO when the packet is not a well-formed control message (wrong
 * size, magic, version or type, or a field out of range).  *ret_msg is
 * written only on success.
 */
int axon__ctl_decode(const void *buf, size_t len, struct axon_ctl *ret_msg);

/* Fills the header of *msg for a message of the given type, zeroing the
 * body. */
void axon__ctl_init(struct axon_ctl *msg, enum axon_ctl_type type);

#endif /* AXON_LIB_CTL_H */
