/* SPDX-License-Identifier: MIT */
/*
 * The message path's own header: what its files share, and nothing
 * else includes.  The message state machine: MsgSend*, MsgReceive*,
 * MsgReply*, MsgError, MsgRead*, MsgWrite*, MsgInfo, MsgSendPulse,
 * MsgDeliverEvent.
 *
 * A message lives in one slot of its connection's shared region.  The
 * slot's state word is the single point of decision: the client posts
 * (FREE -> SENT), the server takes it (SENT -> RECEIVED) or the client
 * withdraws it (SENT -> FREE: timeout, signal), the server answers
 * (RECEIVED -> REPLIED) or the client leaves (RECEIVED -> ABANDONED).
 * Each transition is one compare-and-swap that includes the message's
 * sequence number, so a reply can never land on a different send.
 *
 * The files (docs/design/local-transport.md):
 *   slot.c        a client connection's slots: take, free, abandon, big
 *                 buffers, notices about a slot (ABANDON, UNBLOCK)
 *   send.c        MsgSend*(): post, wait, take the reply
 *   wake.c        wake-ups: bells, a receiver's spin and sleep
 *   receive.c     MsgReceive*(): take a pulse or a message
 *   reply.c       MsgReply*(), MsgError(), MsgRead*(), MsgWrite*(),
 *                 MsgInfo(): a held message, by rcvid
 *   pulse.c       MsgSendPulse*(), MsgDeliverEvent()
 *   netmgr_msg.c  the network manager's interface (axon__nsend_*,
 *                 axon__msg_peek)
 * A helper one file defines for another keeps its name with axon__ in
 * front; small ones are static inline here.
 */
#ifndef AXON_LIB_MSG_INT_H
#define AXON_LIB_MSG_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "internal.h"

#define RCVID_MAKE(gen, slot, idx) \
	((int32_t) (((uint32_t) (gen) << 22) | ((uint32_t) (slot) << 16) | \
	    (uint32_t) (idx)))

#define ONE_IOV(name, p, n) iov_t name = {.iov_base = (void *) (p), \
	.iov_len = (n)}

static inline uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Where the reply area starts: right after the message, 16-byte aligned,
 * so that a small message and its reply share a cache line. */
static inline uint64_t
reply_offset(uint64_t sbytes)
{
	return (sbytes + 15u) & ~(uint64_t) 15u;
}

/*
 * How long to spin before sleeping: the base budget, plus time for the
 * peer to copy the bytes it has to copy (about 20 GB/s; a 1 MiB round
 * trip adds ~100 us).  A sleep costs tens of microseconds to wake from
 * on a virtual machine, so spinning through a copy pays.
 */
static inline uint64_t
spin_budget(uint64_t bytes)
{
	return (uint64_t) axon__proc.spin_ns + bytes / 20u;
}

static inline bool
should_spin(int peer_cpu)
{
	return axon__proc.ncpu > 1 && peer_cpu >= 0 &&
	    peer_cpu != axon__getcpu();
}

/* The count of receivers of this kind asleep (chan->lock held). */
static inline int *
sleepers(struct axon_chan *chan, bool pulse_only)
{
	return pulse_only ? &chan->pulse_sleepers : &chan->msg_sleepers;
}

/* ---- slot.c ---- */
/* Takes a free slot, reclaiming those the server has handed back: its
 * index, or -EAGAIN if every slot is busy.  With cc->lock held iff
 * locked. */
int axon__slot_try(struct axon_cconn *cc, bool locked);
/* Slot i is free again (its state FREE): wakes a sender waiting for one. */
void axon__slot_free(struct axon_cconn *cc, int i);
/* Slot i was abandoned: it comes back once the server has freed it. */
void axon__slot_abandoned(struct axon_cconn *cc, int i);
/* Makes sure slot i has a big buffer of at least need bytes, shared with
 * the server: 0 and its data in *ret_data, or -errno. */
int axon__big_ensure(struct axon_cconn *cc, int i, uint64_t need,
    uint8_t **ret_data);
/* Tells the server about slot i: ABANDON, or UNBLOCK with its reason. */
void axon__slot_ctl(struct axon_cconn *cc, enum axon_ctl_type type, int i,
    uint32_t seq, int reason);

/* ---- boost.c ---- */
/* The send-time boost: raises the server's receiving thread to prio
 * while the message in slot i (seq) is SENT, if it is lower. */
void axon__boost(struct axon_cconn *cc, int i, uint32_t seq, int prio);
/* The same once the server took it (RECEIVED): its thread may not have
 * applied prio yet, and waits behind ordinary work until it does. */
void axon__boost_taken(struct axon_cconn *cc, int i, uint32_t seq, int prio);
/* A boost may outlive its message: tell the server (unboost, bell). */
void axon__unboost(struct axon_cconn *cc, int i);

/* ---- wake.c ---- */
/* Marks slot i posted and rings the bell, unless the server spins on our
 * slots: 0, or -EAGAIN if neither bell nor socket took it. */
int axon__ring_bell(struct axon_cconn *cc, int i);
/* Whether a pulse (or a message) is queued (chan->lock held). */
bool axon__queue_has(const struct axon_chan *chan, bool pulse);
/* A receiver took one item and more are queued (chan->lock held). */
void axon__wake_for_rest(struct axon_chan *chan);
/* A receiver leaves (chan->lock held): wake one for what is queued. */
void axon__pass_on(struct axon_chan *chan);
/* Queues what the bells rung so far announce, without blocking: how
 * many messages were queued; *got_any: whether any event came. */
int axon__bells_collect(struct axon_chan *chan, bool *got_any);
/* Spins a while before a receiver sleeps (when the last client runs on
 * another CPU), watching for posts: whether something was queued. */
bool axon__receive_spin(struct axon_chan *chan);
/* MsgReceive for the network manager's loop (netloop.c): with an
 * immediate RECEIVE timeout armed, takes what is queued and collects the
 * bells only when nothing is. */
rcvid_t axon__receive_net(int chid, void *msg, size_t bytes,
    struct _msg_info *info);
/* Sleeps until woken or tp (relative; NULL: none) passes: > 0 woken,
 * 0 timed out, or -errno (-EINTR: a signal). */
int axon__receive_sleep(struct axon_chan *chan, const struct timespec *tp,
    bool pulse_only);

/* ---- receive.c ---- */
/* Fills info for the message in slot of sc (sc->lock held). */
void axon__fill_info(struct axon_sconn *sc, uint32_t slot, size_t msglen,
    struct _msg_info *info);

/* ---- reply.c ---- */
/* Looks up a live rcvid: 0 with *ret_sc locked (sc->lock) and
 * referenced, or -ESRCH. */
int axon__rcvid_lock(rcvid_t rcvid, struct axon_sconn **ret_sc,
    uint32_t *ret_slot);
void axon__rcvid_unlock(struct axon_sconn *sc);
/* Records that [off, off+len) of the reply area was written. */
void axon__ext_add(struct axon_sslot *ss, uint64_t off, uint64_t len);
/* A network manager's non-blocking send was answered: tells it. */
void axon__notify_replied(struct axon_sconn *sc, uint32_t slot,
    uint32_t seq);
/* ... and it took the message (a NOTIFY slot): tells it. */
void axon__notify_received(struct axon_sconn *sc, uint32_t slot,
    uint32_t seq);

/* ---- netmgr_msg.c ---- */
/* MsgReceive of a virtual client's message posted before all that ships
 * with it arrived (AXON_AVAIL_MORE, shm.h): copies into iov from done up
 * to cap bytes as they arrive.  Called with sc->lock held (the slot just
 * taken), drops it while waiting and takes it again; returns the bytes
 * in iov (fewer than asked if the rest cannot come: rd_err, or the
 * client's node gone). */
size_t axon__vmsg_copy_rest(struct axon_sconn *sc, uint32_t slot,
    const iov_t *iov, size_t parts, size_t done, size_t cap);

#endif /* AXON_LIB_MSG_INT_H */
