/* SPDX-License-Identifier: MIT */
/*
 * What a server does with a message it holds, by rcvid (msg_int.h):
 * MsgReply*(), MsgError(), MsgRead*() (waiting for the rest of a message
 * from another node), MsgWrite*() and MsgInfo().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "msg_int.h"

void
axon__msg_rcvid_decode(int32_t rcvid, int *idx, uint32_t *slot, uint8_t *gen)
{
	*idx = rcvid & 0xffff;
	*slot = ((uint32_t) rcvid >> 16) & 0x3fu;
	*gen = (uint8_t) (((uint32_t) rcvid >> 22) & 0xffu);
}

/* Looks up a live rcvid: 0 with *ret_sc locked and referenced, or
 * -ESRCH. */
int
axon__rcvid_lock(rcvid_t rcvid, struct axon_sconn **ret_sc,
    uint32_t *ret_slot)
{
	struct axon_sconn *sc;
	uint32_t slot;
	uint8_t gen;
	int idx;

	if (rcvid <= 0 || rcvid > INT32_MAX) {
		return -ESRCH;
	}
	axon__msg_rcvid_decode((int32_t) rcvid, &idx, &slot, &gen);
	sc = axon__sconn_get(idx);
	if (sc == NULL) {
		return -ESRCH;
	}
	pthread_mutex_lock(&sc->lock);
	if (sc->dead || slot >= AXON_SLOTS || !sc->slot[slot].received ||
	    sc->slot[slot].gen != gen) {
		pthread_mutex_unlock(&sc->lock);
		axon__sconn_put(sc);
		return -ESRCH;
	}
	*ret_slot = slot;
	*ret_sc = sc;
	return 0;
}

void
axon__rcvid_unlock(struct axon_sconn *sc)
{
	pthread_mutex_unlock(&sc->lock);
	axon__sconn_put(sc);
}

/* Records that [off, off+len) of the reply area was written. */
void
axon__ext_add(struct axon_sslot *ss, uint64_t off, uint64_t len)
{
	if (len == 0) {
		return;
	}
	/* Merge with an overlapping or adjacent extent. */
	for (uint32_t e = 0; e < ss->n_ext; e++) {
		struct axon_ext *x = &ss->ext[e];

		if (off <= x->off + x->len && x->off <= off + len) {
			uint64_t lo = off < x->off ? off : x->off;
			uint64_t hi = off + len > x->off + x->len
			    ? off + len
			    : x->off + x->len;
			x->off = lo;
			x->len = hi - lo;
			return;
		}
	}
	if (ss->n_ext < AXON_MAX_EXT) {
		ss->ext[ss->n_ext].off = off;
		ss->ext[ss->n_ext].len = len;
		ss->n_ext++;
		return;
	}
	/* Out of extents: widen the last one to cover this write too.  The
	 * gap between them carries whatever the reply area held (see
	 * MsgWrite(3), BUGS). */
	struct axon_ext *x = &ss->ext[AXON_MAX_EXT - 1];
	uint64_t lo = off < x->off ? off : x->off;
	uint64_t hi = off + len > x->off + x->len ? off + len
						  : x->off + x->len;
	x->off = lo;
	x->len = hi - lo;
}

static ssize_t
write_locked(struct axon_sconn *sc, uint32_t slot, const iov_t *iov,
    size_t parts, size_t offset)
{
	struct axon_sslot *ss = &sc->slot[slot];
	size_t want = axon__iov_total(iov, parts);
	size_t n;

	if (offset >= ss->rbytes) {
		return 0;
	}
	n = ss->rbytes - offset;
	if (want < n) {
		n = want;
	}
	axon__iov_copy_in(ss->data + ss->reply_off + offset, iov, parts, 0, n);
	axon__ext_add(ss, offset, n);
	return (ssize_t) n;
}

/* A network manager's non-blocking send was answered: tell it. */
static void
notify(struct axon_sconn *sc, int type, uint32_t slot, uint32_t seq)
{
	struct axon_ctl m;

	axon__ctl_init(&m, type);
	m.u.slot.slot = slot;
	m.u.slot.seq = seq;
	if (sc->sock >= 0) {
		(void) send(sc->sock, &m, sizeof(m), MSG_DONTWAIT |
		    MSG_NOSIGNAL);
	}
}

void
axon__notify_replied(struct axon_sconn *sc, uint32_t slot, uint32_t seq)
{
	notify(sc, AXON_CTL_REPLIED, slot, seq);
}

void
axon__notify_received(struct axon_sconn *sc, uint32_t slot, uint32_t seq)
{
	notify(sc, AXON_CTL_RECEIVED, slot, seq);
}

/* Completes a received message: status/err and extents go to the slot,
 * then one CAS hands it to the client.  sc->lock held. */
static int
finish_locked(struct axon_sconn *sc, uint32_t slot, long status, int err)
{
	struct axon_sslot *ss = &sc->slot[slot];
	struct axon_slot *s = &sc->rgn->slot[slot];
	_Atomic uint32_t *sp = &s->state;
	int32_t rcvid = RCVID_MAKE(ss->gen, slot, sc->idx);
	uint32_t st;

	s->status = status;
	s->err = err;
	s->n_ext = ss->n_ext;
	memcpy(s->ext, ss->ext, ss->n_ext * sizeof(s->ext[0]));
	ss->received = false;
	axon__ps_hold(sc, slot, false);
	(void) axon__chan_drop_unblock(sc->chan, rcvid);
	st = atomic_load(sp);
	for (;;) {
		if (AXON_ST_PHASE(st) != AXON_PH_RECEIVED ||
		    AXON_ST_SEQ(st) != ss->seq) {
			/* The client left (timeout, signal): hand the
			 * slot back if it was abandoned. */
			if (AXON_ST_PHASE(st) == AXON_PH_ABANDONED &&
			    AXON_ST_SEQ(st) == ss->seq) {
				(void) atomic_compare_exchange_strong(sp, &st,
				    AXON_ST_MAKE(AXON_PH_FREE, 0, ss->seq));
			}
			return -ESRCH;
		}
		if (atomic_compare_exchange_weak_explicit(sp, &st,
			AXON_ST_MAKE(AXON_PH_REPLIED, 0, ss->seq),
			memory_order_release, memory_order_relaxed)) {
			break;
		}
	}
	int cpu = axon__getcpu();
	if (atomic_load_explicit(&sc->rgn->srv_cpu, memory_order_relaxed) !=
	    cpu) {
		atomic_store(&sc->rgn->srv_cpu, cpu);
	}
	if (st & AXON_ST_WAITER) {
		axon__futex_wake(sp, 1);
	}
	if (st & AXON_ST_NOTIFY) {
		axon__notify_replied(sc, slot, ss->seq);
	}
	return 0;
}

int
MsgReplyv_r(rcvid_t rcvid, long status, const iov_t *iov, size_t parts)
{
	AXON_KEEP_ERRNO;

	struct axon_sconn *sc;
	uint32_t slot;
	int rc;

	if (parts > 0 && iov == NULL) {
		return -EFAULT;
	}
	rc = axon__rcvid_lock(rcvid, &sc, &slot);
	if (rc < 0) {
		return rc;
	}
	if (parts > 0) {
		(void) write_locked(sc, slot, iov, parts, 0);
	}
	AXON_TRACE(reply, rcvid, 0, status, 0);
	rc = finish_locked(sc, slot, status, 0);
	axon__rcvid_unlock(sc);
	return rc;
}

int
MsgReply_r(rcvid_t rcvid, long status, const void *msg, size_t bytes)
{
	AXON_KEEP_ERRNO;

	ONE_IOV(v, msg, bytes);

	if (msg == NULL && bytes > 0) {
		return -EFAULT;
	}
	return MsgReplyv_r(rcvid, status, &v, bytes > 0 ? 1 : 0);
}

int
MsgError_r(rcvid_t rcvid, int error)
{
	AXON_KEEP_ERRNO;

	struct axon_sconn *sc;
	uint32_t slot;
	int rc;

	rc = axon__rcvid_lock(rcvid, &sc, &slot);
	if (rc < 0) {
		return rc;
	}
	if (error == -1) {
		/* Forward the error recorded with the unblock request. */
		error = sc->slot[slot].unblock_reason != 0
		    ? sc->slot[slot].unblock_reason & ~AXON_UNBLOCK_SENDONLY
		    : EINTR;
	}
	if (error < 0 || error >= 4096) {
		axon__rcvid_unlock(sc);
		return -EINVAL;
	}
	AXON_TRACE(reply, rcvid, error, 0, 0);
	rc = finish_locked(sc, slot, 0, error);
	axon__rcvid_unlock(sc);
	return rc;
}

/*
 * Waits until the first need bytes of a virtual client's message are
 * here, asking its network manager to fetch the rest (once).  Called and
 * returns with *scp locked (or *scp NULL after a failure to relock); the
 * lock is dropped while waiting.
 */
static int
read_wait(rcvid_t rcvid, struct axon_sconn **scp, uint32_t slot,
    size_t need)
{
	struct axon_sconn *sc = *scp;
	int rc;

	for (;;) {
		struct axon_slot *s = &sc->rgn->slot[slot];
		struct axon_sslot *ss = &sc->slot[slot];
		uint32_t raw = atomic_load_explicit(&s->avail,
		    memory_order_acquire);
		uint32_t a = raw & ~AXON_AVAIL_MORE;
		int32_t re = atomic_load(&s->rd_err);

		if (a > ss->sbytes) {
			a = (uint32_t) ss->sbytes;
		}
		if (a > ss->avail) {
			ss->avail = a;
		}
		if (ss->avail >= need) {
			return 0;
		}
		if (re != 0) {
			return re > 0 && re < 4096 ? -re : -EIO;
		}
		if (!sc->virt) {
			return -EFAULT; /* cannot happen: local data is whole */
		}
		if (!ss->fetching && !(raw & AXON_AVAIL_MORE)) {
			/* (With MORE, the shipped part is on its way.) */
			struct axon_ctl m;

			ss->fetching = true;
			axon__ctl_init(&m, AXON_CTL_READ);
			m.u.slot.slot = slot;
			m.u.slot.seq = ss->seq;
			if (send(sc->sock, &m, sizeof(m),
				MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
				return -ESRCH;
			}
		}
		/* Bounded waits: a client that goes away wakes nobody. */
		struct timespec at;
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_nsec += 100000000;
		if (at.tv_nsec >= 1000000000) {
			at.tv_sec++;
			at.tv_nsec -= 1000000000;
		}
		_Atomic uint32_t *ap = &s->avail;
		axon__rcvid_unlock(sc);
		(void) axon__futex_wait(ap, raw, &at);
		uint32_t slot2;
		rc = axon__rcvid_lock(rcvid, &sc, &slot2);
		if (rc < 0) {
			*scp = NULL;
			return rc;
		}
		*scp = sc;
	}
}

ssize_t
MsgReadv_r(rcvid_t rcvid, const iov_t *iov, size_t parts, size_t offset)
{
	AXON_KEEP_ERRNO;

	struct axon_sconn *sc;
	uint32_t slot;
	int rc;
	ssize_t n = 0;

	if (parts > 0 && iov == NULL) {
		return -EFAULT;
	}
	rc = axon__rcvid_lock(rcvid, &sc, &slot);
	if (rc < 0) {
		return rc;
	}
	struct axon_sslot *ss = &sc->slot[slot];
	if (offset < ss->sbytes) {
		size_t avail = ss->sbytes - offset;
		size_t cap = axon__iov_total(iov, parts);

		n = (ssize_t) (cap < avail ? cap : avail);
		if (offset + (size_t) n > ss->avail) {
			/* A message from another node, not all here yet. */
			rc = read_wait(rcvid, &sc, slot, offset + (size_t) n);
			if (rc < 0) {
				if (sc != NULL) {
					axon__rcvid_unlock(sc);
				}
				return rc;
			}
			ss = &sc->slot[slot];
		}
		axon__iov_copy_out(iov, parts, 0, ss->data + offset,
		    (size_t) n);
	}
	axon__rcvid_unlock(sc);
	return n;
}

ssize_t
MsgRead_r(rcvid_t rcvid, void *msg, size_t bytes, size_t offset)
{
	AXON_KEEP_ERRNO;

	ONE_IOV(v, msg, bytes);

	if (msg == NULL && bytes > 0) {
		return -EFAULT;
	}
	return MsgReadv_r(rcvid, &v, 1, offset);
}

ssize_t
MsgWritev_r(rcvid_t rcvid, const iov_t *iov, size_t parts, size_t offset)
{
	AXON_KEEP_ERRNO;

	struct axon_sconn *sc;
	uint32_t slot;
	int rc;
	ssize_t n;

	if (parts > 0 && iov == NULL) {
		return -EFAULT;
	}
	rc = axon__rcvid_lock(rcvid, &sc, &slot);
	if (rc < 0) {
		return rc;
	}
	n = write_locked(sc, slot, iov, parts, offset);
	axon__rcvid_unlock(sc);
	return n;
}

ssize_t
MsgWrite_r(rcvid_t rcvid, const void *msg, size_t bytes, size_t offset)
{
	AXON_KEEP_ERRNO;

	ONE_IOV(v, msg, bytes);

	if (msg == NULL && bytes > 0) {
		return -EFAULT;
	}
	return MsgWritev_r(rcvid, &v, 1, offset);
}

/* 0 if rcvid names a message whose client may still be there, -ESRCH
 * if not: gone as far as the monitor knows, or, for a local client,
 * its socket already hung up (the kernel closes a dead process's end at
 * once; the monitor thread marks the connection dead a moment later).
 * One poll(2): for resmgr_msg_again(), not for every reply. */
int
axon__rcvid_live(rcvid_t rcvid)
{
	struct axon_sconn *sc;
	uint32_t slot;
	int rc;

	rc = axon__rcvid_lock(rcvid, &sc, &slot);
	if (rc < 0) {
		return rc;
	}
	if (!sc->virt && sc->sock >= 0) {
		struct pollfd p = {.fd = sc->sock, .events = POLLRDHUP};

		if (poll(&p, 1, 0) > 0 &&
		    (p.revents & (POLLHUP | POLLRDHUP | POLLERR)) != 0) {
			rc = -ESRCH;
		}
	}
	axon__rcvid_unlock(sc);
	return rc;
}

int
MsgInfo_r(rcvid_t rcvid, struct _msg_info *info)
{
	AXON_KEEP_ERRNO;

	struct axon_sconn *sc;
	uint32_t slot;
	int rc;

	if (info == NULL) {
		return -EFAULT;
	}
	rc = axon__rcvid_lock(rcvid, &sc, &slot);
	if (rc < 0) {
		return rc;
	}
	struct axon_sslot *ss = &sc->slot[slot];
	axon__fill_info(sc, slot, 0, info);
	info->msglen = (ssize_t) ss->sbytes;
	axon__rcvid_unlock(sc);
	return 0;
}

int
MsgCurrent_r(rcvid_t rcvid)
{
	AXON_KEEP_ERRNO;

	struct axon_sconn *sc;
	uint32_t slot;
	bool fixed;
	int prio, rc;

	rc = axon__rcvid_lock(rcvid, &sc, &slot);
	if (rc < 0) {
		return rc; /* ESRCH: not a message waiting for its reply */
	}
	prio = sc->slot[slot].prio;
	fixed = sc->chan != NULL && (sc->chan->flags & _NTO_CHF_FIXED_PRIORITY);
	axon__rcvid_unlock(sc);
	if (!fixed) {
		axon__apply_prio(prio);
	}
	return 0;
}

int
MsgCurrent(rcvid_t rcvid)
{
	return axon__errno_ret(MsgCurrent_r(rcvid));
}

/* QNX pauses a message to break a deadlock with its memory manager
 * (a client writing from a buffer mapped from a file the same server
 * manages), which cannot arise here: Linux resolves those page faults
 * itself.  QNX 8 answers ENOSYS for the same reason. */
int
MsgPause_r(rcvid_t rcvid, unsigned cookie)
{
	(void) rcvid;
	(void) cookie;
	return -ENOSYS;
}

int
MsgPause(rcvid_t rcvid, unsigned cookie)
{
	return axon__errno_ret(MsgPause_r(rcvid, cookie));
}
