/* SPDX-License-Identifier: MIT */
/*
 * The network manager's interface to the message path (internal.h,
 * docs/design/axond.md): non-blocking sends on a virtual client's
 * connection (axon__nsend_*), and a received message's buffers lent in
 * place (axon__msg_peek, axon__msg_write_peek, axon__msg_unpeek).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "msg_int.h"

int
axon__nsend_alloc(struct axon_cconn *cc, uint64_t sbytes, uint64_t rbytes,
    uint8_t **ret_data)
{
	uint64_t reply_off = reply_offset(sbytes);
	uint64_t need = reply_off + rbytes;
	int i;

	if (sbytes > INT32_MAX || rbytes > INT32_MAX) {
		return -EOVERFLOW;
	}
	if (atomic_load(&cc->dead)) {
		return -EBADF;
	}
	i = axon__slot_try(cc, false); /* (never waits) */
	if (i < 0) {
		return i; /* -EAGAIN: all are busy */
	}
	uint8_t *data;
	uint32_t buf_gen = 0;

	if (need <= AXON_INLINE) {
		data = cc->rgn->data[i];
	} else {
		int rc = axon__big_ensure(cc, i, need, &data);

		if (rc < 0) {
			axon__slot_free(cc, i);
			return rc;
		}
		buf_gen = cc->big[i].gen;
	}
	struct axon_slot *s = &cc->rgn->slot[i];
	s->buf_gen = buf_gen;
	s->sbytes = sbytes;
	s->rbytes = rbytes;
	s->reply_off = reply_off;
	cc->ndata[i] = data;
	cc->nreply_off[i] = reply_off;
	cc->nrbytes[i] = rbytes;
	*ret_data = data;
	return i;
}

void
axon__nsend_avail(struct axon_cconn *cc, int i, uint32_t avail, int err)
{
	struct axon_slot *s = &cc->rgn->slot[i];

	if (err != 0) {
		atomic_store(&s->rd_err, err);
		/* (A change to the word they sleep on: a reader that looked
		 * at rd_err just before would sleep through the wake-up.
		 * Nothing more comes.) */
		(void) atomic_fetch_and(&s->avail, ~AXON_AVAIL_MORE);
	} else {
		uint32_t old = atomic_exchange_explicit(&s->avail, avail,
		    memory_order_acq_rel);

		/* While more is coming (AXON_AVAIL_MORE), a server copying
		 * as it comes is woken once per AXON_AVAIL_STEP, not per
		 * chunk: each wake-up is a switch on a busy CPU. */
		if ((avail & AXON_AVAIL_MORE) &&
		    (avail & ~AXON_AVAIL_MORE) / AXON_AVAIL_STEP ==
			(old & ~AXON_AVAIL_MORE) / AXON_AVAIL_STEP) {
			return;
		}
	}
	axon__futex_wake(&s->avail, INT32_MAX);
}

int
axon__nsend_post(struct axon_cconn *cc, int i, int32_t coid, int32_t tid,
    int32_t prio, uint32_t avail, bool newcred, bool watched)
{
	uint32_t fl = (watched ? 0 : AXON_ST_NOTIFY) |
	    (newcred ? AXON_ST_NEWCRED : 0);
	struct axon_slot *s = &cc->rgn->slot[i];

	atomic_store(&s->avail, avail);
	atomic_store(&s->rd_err, 0);
	_Atomic uint32_t *sp = &s->state;
	uint32_t seq = (AXON_ST_SEQ(atomic_load(sp)) + 1) & 0xffffu;

	s->tid = tid;
	s->stamp = axon__now_ns();
	s->coid = coid;
	s->prio = prio & 0x1ff;
	s->cli_cpu = -1;
	cc->nseq[i] = seq;
	cc->slot_tid[i] = tid;
	atomic_store_explicit(sp, AXON_ST_MAKE(AXON_PH_SENT, fl, seq),
	    memory_order_release);
	if (axon__ring_bell(cc, i) < 0) {
		/* The server reads neither its bell nor its socket:
		 * take the message back, unless it has been taken. */
		uint32_t st = AXON_ST_MAKE(AXON_PH_SENT, fl, seq);

		if (atomic_compare_exchange_strong(sp, &st,
			AXON_ST_MAKE(AXON_PH_FREE, 0, seq))) {
			cc->ndata[i] = NULL;
			axon__slot_free(cc, i);
			return -EAGAIN;
		}
	}
	/* The send-time boost travels with the message: a remote
	 * real-time client raises the server's receiving thread here, as a
	 * local one would (boost.c). */
	axon__boost(cc, i, seq, s->prio);
	return 0;
}

/* The phase of a slot posted with axon__nsend_post: AXON_PH_SENT,
 * AXON_PH_RECEIVED or AXON_PH_REPLIED, or 0 if it is no longer ours. */
int
axon__nsend_phase(struct axon_cconn *cc, int i)
{
	uint32_t st = atomic_load_explicit(&cc->rgn->slot[i].state,
	    memory_order_acquire);

	return AXON_ST_SEQ(st) == cc->nseq[i] ? (int) AXON_ST_PHASE(st) : 0;
}

bool
axon__nsend_is(struct axon_cconn *cc, int i, uint32_t seq)
{
	return i >= 0 && i < (int) AXON_SLOTS && cc->nseq[i] == (seq & 0xffffu);
}

/* A watched slot (axon__nsend_post): asks for the REPLIED notice, unless
 * the reply is there.  Both sides change the state word by CAS only:
 * either the server replies before the flag is set (and the caller sees
 * it replied), or it sees the flag and notifies. */
bool
axon__nsend_notify(struct axon_cconn *cc, int i)
{
	_Atomic uint32_t *sp = &cc->rgn->slot[i].state;
	uint32_t st = atomic_load(sp);

	for (;;) {
		if ((AXON_ST_PHASE(st) != AXON_PH_SENT &&
			AXON_ST_PHASE(st) != AXON_PH_RECEIVED) ||
		    AXON_ST_SEQ(st) != cc->nseq[i]) {
			return true; /* replied (or no longer ours) */
		}
		if (atomic_compare_exchange_weak(sp, &st,
			st | AXON_ST_NOTIFY)) {
			return false;
		}
	}
}

int
axon__nsend_result(struct axon_cconn *cc, int i, struct axon_nresult *r)
{
	struct axon_slot *s = &cc->rgn->slot[i];
	uint32_t st = atomic_load_explicit(&s->state, memory_order_acquire);

	if (AXON_ST_PHASE(st) != AXON_PH_REPLIED ||
	    AXON_ST_SEQ(st) != cc->nseq[i]) {
		return 0;
	}
	/* The server wrote these in memory it shares with us: check them
	 * as untrusted. */
	r->status = (long) s->status;
	r->err = s->err;
	if (r->err < 0 || r->err > 4095) {
		r->err = EFAULT;
	}
	r->reply = cc->ndata[i] + cc->nreply_off[i];
	r->rbytes = cc->nrbytes[i];
	r->n_ext = s->n_ext <= AXON_MAX_EXT ? s->n_ext : 0;
	for (uint32_t e = 0; e < r->n_ext; e++) {
		uint64_t off = s->ext[e].off;
		uint64_t len = s->ext[e].len;

		if (off > r->rbytes || len > r->rbytes - off) {
			off = 0;
			len = 0;
		}
		r->ext[e].off = off;
		r->ext[e].len = len;
	}
	return 1;
}

void
axon__nsend_release(struct axon_cconn *cc, int i)
{
	atomic_store(&cc->rgn->slot[i].state,
	    AXON_ST_MAKE(AXON_PH_FREE, 0, cc->nseq[i]));
	cc->ndata[i] = NULL;
	axon__slot_free(cc, i);
}

/*
 * The remote client was signalled or timed out (reason).  Returns 1 when
 * that ended the send here (withdrawn before the server saw it, or
 * abandoned where the channel has no _NTO_CHF_UNBLOCK; the slot is
 * released), 0 when the server was asked (it will reply), or -EIO.
 */
int
axon__nsend_unblock(struct axon_cconn *cc, int i, int reason)
{
	_Atomic uint32_t *sp = &cc->rgn->slot[i].state;
	uint32_t seq = cc->nseq[i];
	bool send_only = (reason & AXON_UNBLOCK_SENDONLY) != 0;

	reason &= ~AXON_UNBLOCK_SENDONLY;
	for (;;) {
		uint32_t st = atomic_load(sp);

		if (AXON_ST_SEQ(st) != seq) {
			return -EIO;
		}
		switch (AXON_ST_PHASE(st)) {
		case AXON_PH_SENT:
			if (atomic_compare_exchange_strong(sp, &st,
				AXON_ST_MAKE(AXON_PH_FREE, 0, seq))) {
				if (st & AXON_ST_BOOSTED) {
					axon__unboost(cc, i);
				}
				cc->ndata[i] = NULL;
				axon__slot_free(cc, i);
				return 1;
			}
			continue;
		case AXON_PH_RECEIVED:
			if (send_only) {
				/* A timeout for the SEND state alone, and
				 * the server has the message: it no longer
				 * applies (only the REPLY rules do). */
				return 0;
			}
			if (atomic_load(&cc->dead) ||
			    !(cc->chflags & _NTO_CHF_UNBLOCK)) {
				if (atomic_compare_exchange_strong(sp, &st,
					AXON_ST_MAKE(AXON_PH_ABANDONED, 0,
					    seq))) {
					axon__slot_ctl(cc,
					    AXON_CTL_ABANDON, i, seq, 0);
					cc->ndata[i] = NULL;
					axon__slot_abandoned(cc, i);
					return 1;
				}
				continue;
			}
			if (!(st & AXON_ST_UNBLOCK)) {
				atomic_fetch_or(sp, AXON_ST_UNBLOCK);
				axon__slot_ctl(cc, AXON_CTL_UNBLOCK, i, seq,
				    reason);
			}
			return 0;
		default:
			return 0; /* REPLIED: the notice is on its way */
		}
	}
}

/*
 * The network manager sends a client's message from where it lies: a
 * pointer to up to len bytes at offset, valid until axon__msg_unpeek(*ret_ref)
 * (the reference keeps the mapping; a live rcvid's buffer is never
 * swapped).  Returns the byte count, or a negative errno.
 */
ssize_t
axon__msg_peek(rcvid_t rcvid, size_t offset, size_t len,
    const uint8_t **ret_ptr, void **ret_ref)
{
	struct axon_sconn *sc;
	uint32_t slot;
	int rc;
	ssize_t n = 0;

	rc = axon__rcvid_lock(rcvid, &sc, &slot);
	if (rc < 0) {
		return rc;
	}
	struct axon_sslot *ss = &sc->slot[slot];
	if (offset < ss->avail) {
		n = (ssize_t) (len < ss->avail - offset ? len
							: ss->avail - offset);
	}
	*ret_ptr = ss->data + offset;
	atomic_fetch_add(&sc->refs, 1);
	sc->peeks++;
	*ret_ref = sc;
	axon__rcvid_unlock(sc);
	return n;
}

/*
 * The network manager receives a reply straight into the client's reply
 * area: a pointer to len bytes at offset of it (all of them must fit),
 * recorded as written, as MsgWrite() would; valid until
 * axon__msg_unpeek(*ret_ref).  Returns 0 or a negative errno.
 */
int
axon__msg_write_peek(rcvid_t rcvid, size_t offset, size_t len,
    uint8_t **ret_ptr, void **ret_ref)
{
	struct axon_sconn *sc;
	uint32_t slot;
	int rc;

	rc = axon__rcvid_lock(rcvid, &sc, &slot);
	if (rc < 0) {
		return rc;
	}
	struct axon_sslot *ss = &sc->slot[slot];
	if (offset > ss->rbytes || len > ss->rbytes - offset) {
		axon__rcvid_unlock(sc);
		return -EMSGSIZE;
	}
	axon__ext_add(ss, offset, len);
	*ret_ptr = ss->data + ss->reply_off + offset;
	atomic_fetch_add(&sc->refs, 1);
	sc->peeks++;
	*ret_ref = sc;
	axon__rcvid_unlock(sc);
	return 0;
}

void
axon__msg_unpeek(void *ref)
{
	struct axon_sconn *sc = ref;
	struct axon_zombie *z = NULL;

	if (sc == NULL) {
		return;
	}
	pthread_mutex_lock(&sc->lock);
	if (--sc->peeks == 0) {
		z = sc->zombies;
		sc->zombies = NULL;
	}
	pthread_mutex_unlock(&sc->lock);
	while (z != NULL) {
		struct axon_zombie *next = z->next;

		(void) munmap(z->map, z->size);
		free(z);
		z = next;
	}
	axon__sconn_put(sc);
}

/* How long MsgReceive waits for the next bytes of a message posted early
 * (below): on a working link they come within a millisecond. */
#define AXON_VMSG_STALL_NS 20000000

size_t
axon__vmsg_copy_rest(struct axon_sconn *sc, uint32_t slot, const iov_t *iov,
    size_t parts, size_t done, size_t cap)
{
	struct axon_slot *s = &sc->rgn->slot[slot];
	struct axon_sslot *ss = &sc->slot[slot];
	const uint8_t *data = ss->data;
	size_t want = ss->sbytes < cap ? (size_t) ss->sbytes : cap;
	uint32_t raw = atomic_load_explicit(&s->avail, memory_order_acquire);

	if (!(raw & AXON_AVAIL_MORE) || done >= want) {
		return done;
	}
	/* The slot is ours (RECEIVED) and sc is referenced: its data
	 * stays mapped while the lock is dropped. */
	pthread_mutex_unlock(&sc->lock);
	for (;;) {
		size_t have = raw & ~AXON_AVAIL_MORE;

		if (have > want) {
			have = want;
		}
		if (have > done) {
			axon__iov_copy_out(iov, parts, done, data + done,
			    have - done);
			done = have;
		}
		if (done >= want || !(raw & AXON_AVAIL_MORE) ||
		    atomic_load(&s->rd_err) != 0) {
			break;
		}
		/* A stalled transfer (a slow or cut link, a peer that stops
		 * sending) does not hold the server: after AXON_VMSG_STALL
		 * without a byte it gets what is here, as with a message
		 * larger than ships (msglen < srcmsglen), and MsgRead waits
		 * for the rest.  A network manager that dies wakes nobody:
		 * the wait is bounded either way. */
		struct timespec at;
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_nsec += AXON_VMSG_STALL_NS;
		if (at.tv_nsec >= 1000000000) {
			at.tv_sec++;
			at.tv_nsec -= 1000000000;
		}
		uint32_t before = raw;

		(void) axon__futex_wait(&s->avail, raw, &at);
		raw = atomic_load_explicit(&s->avail, memory_order_acquire);
		if (raw == before) {
			struct timespec now;

			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec > at.tv_sec ||
			    (now.tv_sec == at.tv_sec &&
				now.tv_nsec >= at.tv_nsec)) {
				break; /* stalled */
			}
		}
	}
	pthread_mutex_lock(&sc->lock);
	if (done > ss->avail) {
		ss->avail = done;
	}
	return done;
}
