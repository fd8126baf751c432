/* SPDX-License-Identifier: MIT */
/*
 * The message state machine: MsgSend*, MsgReceive*, MsgReply*, MsgError,
 * MsgRead*, MsgWrite*, MsgInfo, MsgSendPulse, MsgDeliverEvent.
 *
 * A message lives in one slot of its connection's shared region.  The
 * slot's state word is the single point of decision: the client posts
 * (FREE -> SENT), the server takes it (SENT -> RECEIVED) or the client
 * withdraws it (SENT -> FREE: timeout, signal), the server answers
 * (RECEIVED -> REPLIED) or the client leaves (RECEIVED -> ABANDONED).
 * Each transition is one compare-and-swap that includes the message's
 * sequence number, so a reply can never land on a different send.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define RCVID_MAKE(gen, slot, idx) \
	((int32_t) (((uint32_t) (gen) << 22) | ((uint32_t) (slot) << 16) | \
	    (uint32_t) (idx)))

void
axon__msg_rcvid_decode(int32_t rcvid, int *idx, uint32_t *slot, uint8_t *gen)
{
	*idx = rcvid & 0xffff;
	*slot = ((uint32_t) rcvid >> 16) & 0x3fu;
	*gen = (uint8_t) (((uint32_t) rcvid >> 22) & 0xffu);
}

static uint64_t
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

/* ------------------------------------------------------------------ */
/* Client side                                                          */
/* ------------------------------------------------------------------ */

/* Takes a free slot, reclaiming those the server has handed back;
 * -1 if every slot is busy.  With cc->lock held iff locked. */
static int
slot_try(struct axon_cconn *cc, bool locked)
{
	for (int pass = 0; pass < 2; pass++) {
		uint64_t m = atomic_load(&cc->free_mask);

		while (m != 0) {
			int i = __builtin_ctzll(m);

			if (atomic_compare_exchange_weak(&cc->free_mask, &m,
				m & ~(1ull << i))) {
				return i;
			}
		}
		if (pass == 1) {
			break;
		}
		if (!locked) {
			pthread_mutex_lock(&cc->lock);
		}
		for (unsigned i = 0; i < AXON_SLOTS; i++) {
			if ((cc->abandoned_mask & (1ull << i)) &&
			    AXON_ST_PHASE(atomic_load(&cc->rgn->slot[i].state)) ==
				AXON_PH_FREE) {
				cc->abandoned_mask &= ~(1ull << i);
				atomic_fetch_or(&cc->free_mask, 1ull << i);
			}
		}
		if (!locked) {
			pthread_mutex_unlock(&cc->lock);
		}
	}
	return -1;
}

static int
slot_alloc(struct axon_cconn *cc, int coid, const struct axon_deadline *dl)
{
	(void) dl;
	for (;;) {
		if (atomic_load(&cc->dead)) {
			return -EBADF;
		}
		int i = slot_try(cc, false);
		if (i >= 0) {
			return i;
		}
		pthread_mutex_lock(&cc->lock);
		i = slot_try(cc, true);
		if (i < 0) {
			struct timespec ts;

			/* Every slot is busy: wait for one (bounded, because
			 * abandoned slots come back without a signal). */
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 10000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			cc->slot_waiters++;
			axon__ps_send_block(cc, coid, -1, false);
			pthread_cond_timedwait(&cc->slot_cv, &cc->lock, &ts);
			axon__ps_running();
			cc->slot_waiters--;
		}
		pthread_mutex_unlock(&cc->lock);
		if (i >= 0) {
			return i;
		}
	}
}

/* Where the reply area starts: right after the message, 16-byte aligned,
 * so that a small message and its reply share a cache line. */
static uint64_t
reply_offset(uint64_t sbytes)
{
	return (sbytes + 15u) & ~(uint64_t) 15u;
}

static void
slot_free(struct axon_cconn *cc, int i)
{
	atomic_store(&cc->cancel[i], 0);
	cc->slot_tid[i] = 0;
	atomic_fetch_or(&cc->free_mask, 1ull << i);
	if (cc->slot_waiters > 0) {
		pthread_mutex_lock(&cc->lock);
		pthread_cond_signal(&cc->slot_cv);
		pthread_mutex_unlock(&cc->lock);
	}
}

static void
slot_abandoned(struct axon_cconn *cc, int i)
{
	atomic_store(&cc->cancel[i], 0);
	cc->slot_tid[i] = 0;
	pthread_mutex_lock(&cc->lock);
	cc->abandoned_mask |= 1ull << i;
	pthread_mutex_unlock(&cc->lock);
}

/* Makes sure slot i has a big buffer of at least need bytes, shared with
 * the server.  Returns the data pointer. */
static int
big_ensure(struct axon_cconn *cc, int i, uint64_t need, uint8_t **ret_data)
{
	struct axon_ctl m;
	uint64_t size = 64 * 1024;
	void *map;
	int fd;
	int rc;

	if (cc->big[i].map != NULL && cc->big[i].size >= need) {
		*ret_data = cc->big[i].map;
		return 0;
	}
	while (size < need) {
		if (size > (UINT64_MAX >> 2)) {
			return -EOVERFLOW;
		}
		size <<= 1;
	}
	fd = memfd_create("axon-msg", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		return -ENOMEM;
	}
	if (ftruncate(fd, (off_t) size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) <
		0) {
		(void) close(fd);
		return -ENOMEM;
	}
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		(void) close(fd);
		return -ENOMEM;
	}
	pthread_mutex_lock(&cc->lock);
	uint32_t gen = ++cc->next_gen;
	if (gen == 0) {
		gen = ++cc->next_gen;
	}
	pthread_mutex_unlock(&cc->lock);
	axon__ctl_init(&m, AXON_CTL_BUF);
	m.u.buf.slot = (uint32_t) i;
	m.u.buf.gen = gen;
	m.u.buf.size = size;
	rc = axon__cconn_sendctl(cc, &m, fd);
	if (rc < 0) {
		(void) munmap(map, size);
		(void) close(fd);
		return rc == -EPIPE || rc == -ECONNRESET ? -ESRCH : rc;
	}
	if (cc->big[i].map != NULL) {
		(void) munmap(cc->big[i].map, cc->big[i].size);
		(void) close(cc->big[i].fd);
	}
	cc->big[i].map = map;
	cc->big[i].size = size;
	cc->big[i].fd = fd;
	cc->big[i].gen = gen;
	*ret_data = map;
	return 0;
}

static int
ring_bell(struct axon_cconn *cc, int i)
{
	uint64_t zero = 0; /* (see make_bell: never blocks) */

	/* Mark the slot, then ring, so that the receiver the bell wakes
	 * finds the mark (it takes the marks, then the slots' states). */
	atomic_fetch_or(&cc->rgn->posted, (uint64_t) 1 << i);
	/* A receiver that watches our slots sees the post: no system call.
	 * (Dekker: we stored the post, then load srv_spin; it stores
	 * srv_spin = 0, then looks at the slots once more before it
	 * sleeps.  One of the two sees the other.) */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load(&cc->rgn->srv_spin) != 0) {
		return 0;
	}
	if (write(cc->bell, &zero, sizeof(zero)) != (ssize_t) sizeof(zero)) {
		/* Cannot happen to a live eventfd; whatever broke it, our
		 * socket carries the news instead. */
		struct axon_ctl m;

		axon__ctl_init(&m, AXON_CTL_TOKEN);
		m.u.slot.slot = (uint32_t) i;
		return axon__cconn_sendctl(cc, &m, -1) < 0 ? -EAGAIN : 0;
	}
	return 0;
}

/* The end of the last reply this thread took (see axon__reply_len). */
static __thread size_t last_reply_len;

size_t
axon__reply_len(void)
{
	return last_reply_len;
}

/* Copies the reply the server left in slot i into the caller's iov. */
static void
reply_consume(struct axon_cconn *cc, int i, const uint8_t *data,
    uint64_t data_size, uint64_t reply_off, uint64_t rbytes,
    const iov_t *riov, size_t rparts)
{
	struct axon_slot *s = &cc->rgn->slot[i];
	uint32_t n_ext = s->n_ext;

	size_t end = 0;

	if (n_ext > AXON_MAX_EXT) {
		n_ext = AXON_MAX_EXT;
	}
	for (uint32_t e = 0; e < n_ext; e++) {
		uint64_t off = s->ext[e].off;
		uint64_t len = s->ext[e].len;

		if (off >= rbytes) {
			continue;
		}
		if (len > rbytes - off) {
			len = rbytes - off;
		}
		if (reply_off + off + len > data_size) {
			continue;
		}
		axon__iov_copy_out(riov, rparts, off, data + reply_off + off,
		    len);
		if (off + len > end) {
			end = (size_t) (off + len);
		}
	}
	last_reply_len = end;
}

struct send_args {
	const iov_t *siov;
	size_t sparts;
	const iov_t *riov;
	size_t rparts;
};

/*
 * How long to spin before sleeping: the base budget, plus time for the
 * peer to copy the bytes it has to copy (about 20 GB/s; a 1 MiB round
 * trip adds ~100 us).  A sleep costs tens of microseconds to wake from
 * on a virtual machine, so spinning through a copy pays.
 */
static uint64_t
spin_budget(uint64_t bytes)
{
	return (uint64_t) axon__proc.spin_ns + bytes / 20u;
}

static bool
ts_passed(const struct timespec *at)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > at->tv_sec ||
	    (now.tv_sec == at->tv_sec && now.tv_nsec >= at->tv_nsec);
}

static bool
should_spin(int peer_cpu)
{
	return axon__proc.ncpu > 1 && peer_cpu >= 0 &&
	    peer_cpu != axon__getcpu();
}

/* Tells the server about slot i: ABANDON, or UNBLOCK with its reason. */
static void
slot_ctl(struct axon_cconn *cc, enum axon_ctl_type type, int i, uint32_t seq,
    int reason)
{
	struct axon_ctl m;

	axon__ctl_init(&m, type);
	m.u.slot.slot = (uint32_t) i;
	m.u.slot.seq = seq;
	if (type == AXON_CTL_UNBLOCK) {
		m.u.slot.reason = reason == ETIMEDOUT ? ETIMEDOUT : EINTR;
	}
	(void) axon__cconn_sendctl(cc, &m, -1);
}

/*
 * Handles a timeout, signal or cancellation while waiting.  Returns 1 if
 * the wait should go on, or the negative errno to return (the slot has
 * been given up).
 */
static int
send_interrupted(struct axon_cconn *cc, int i, uint32_t seq, int reason,
    bool *unblock_sent)
{
	_Atomic uint32_t *sp = &cc->rgn->slot[i].state;

	for (;;) {
		uint32_t st = atomic_load(sp);

		if (AXON_ST_SEQ(st) != seq) {
			return -EIO; /* cannot happen: the slot is ours */
		}
		switch (AXON_ST_PHASE(st)) {
		case AXON_PH_SENT:
			/* The server never saw it: withdraw. */
			if (atomic_compare_exchange_strong(sp, &st,
				AXON_ST_MAKE(AXON_PH_FREE, 0, seq))) {
				slot_free(cc, i);
				return -reason;
			}
			continue;
		case AXON_PH_RECEIVED:
			if (reason == EBADF || atomic_load(&cc->dead) ||
			    !(cc->chflags & _NTO_CHF_UNBLOCK)) {
				if (atomic_compare_exchange_strong(sp, &st,
					AXON_ST_MAKE(AXON_PH_ABANDONED, 0,
					    seq))) {
					slot_ctl(cc, AXON_CTL_ABANDON, i, seq,
					    0);
					slot_abandoned(cc, i);
					return -reason;
				}
				continue;
			}
			/* _NTO_CHF_UNBLOCK: ask, and stay REPLY-blocked. */
			if (!*unblock_sent) {
				*unblock_sent = true;
				atomic_fetch_or(sp, AXON_ST_UNBLOCK);
				slot_ctl(cc, AXON_CTL_UNBLOCK, i, seq, reason);
			}
			return 1;
		default:
			return 1; /* REPLIED: take the reply */
		}
	}
}

static __thread int axon__send_err;

static long
send_common(int coid, const struct send_args *a, bool cancel_point);

/*
 * Sends and waits.  Returns the server's reply status (any value, even a
 * negative one, as QNX's MsgSend() does) with *ret_err = 0, or -1 with
 * *ret_err set to the positive errno.
 */
long
axon__send(int coid, const iov_t *siov, size_t sparts, const iov_t *riov,
    size_t rparts, bool cancel_point, int *ret_err)
{
	struct send_args a = {siov, sparts, riov, rparts};
	long r;

	if (sparts > INT32_MAX || rparts > INT32_MAX) {
		*ret_err = EOVERFLOW;
		return -1;
	}
	axon__send_err = 0;
	r = send_common(coid, &a, cancel_point);
	*ret_err = axon__send_err;
	return *ret_err != 0 ? -1 : r;
}

static long
send_common(int coid, const struct send_args *a, bool cancel_point)
{
	struct axon_deadline dl;
	struct axon_cconn *cc;
	int err = 0;
	long ret;

	if (cancel_point) {
		pthread_testcancel();
	}
	axon__timeout_take(&dl);
	cc = axon__coid_get(coid, &err);
	if (cc == NULL) {
		axon__send_err = err;
		return -err;
	}
	if (a->sparts > 0 && a->siov == NULL) {
		ret = -EFAULT;
		goto out;
	}
	if (a->rparts > 0 && a->riov == NULL) {
		ret = -EFAULT;
		goto out;
	}
	size_t ssize = axon__iov_total(a->siov, a->sparts);
	size_t rsize = axon__iov_total(a->riov, a->rparts);
	if (ssize == SIZE_MAX || rsize == SIZE_MAX || ssize > INT32_MAX ||
	    rsize > INT32_MAX) {
		ret = -EOVERFLOW;
		goto out;
	}
restart:
	if (atomic_load(&cc->dead)) {
		ret = -EBADF;
		goto out;
	}
	int i = slot_alloc(cc, coid, &dl);
	if (i < 0) {
		ret = i;
		goto out;
	}
	struct axon_slot *s = &cc->rgn->slot[i];
	_Atomic uint32_t *sp = &s->state;
	uint64_t reply_off = reply_offset(ssize);
	uint64_t need = reply_off + rsize;
	uint8_t *data;
	uint64_t data_size;
	uint32_t buf_gen = 0;

	if (need <= AXON_INLINE) {
		data = cc->rgn->data[i];
		data_size = AXON_INLINE;
	} else {
		int rc = big_ensure(cc, i, need, &data);

		if (rc < 0) {
			slot_free(cc, i);
			ret = rc;
			goto out;
		}
		data_size = cc->big[i].size;
		buf_gen = cc->big[i].gen;
	}
	axon__iov_copy_in(data, a->siov, a->sparts, 0, ssize);
	uint32_t seq = (AXON_ST_SEQ(atomic_load(sp)) + 1) & 0xffffu;
	s->tid = axon__gettid();
	s->stamp = axon__now_ns();
	s->coid = coid;
	s->prio = axon__my_prio();
	s->cli_cpu = axon__getcpu();
	s->buf_gen = buf_gen;
	s->sbytes = ssize;
	s->rbytes = rsize;
	s->reply_off = reply_off;
	/* (status, err and n_ext are the server's: it sets all three.) */
	cc->slot_coid[i] = coid;
	cc->slot_tid[i] = s->tid;
	atomic_store_explicit(sp, AXON_ST_MAKE(AXON_PH_SENT, 0, seq),
	    memory_order_release);
	(void) ring_bell(cc, i); /* (blocking: cannot fail but dead) */

	bool unblock_sent = false;
	bool immediate_waited = false;
	bool spun = false;
	for (;;) {
		uint32_t st = atomic_load_explicit(sp, memory_order_acquire);
		int ph = AXON_ST_PHASE(st);
		int rc;

		if (ph == AXON_PH_REPLIED) {
			break;
		}
		int cancel = atomic_load(&cc->cancel[i]);
		if (cancel != 0) {
			atomic_store(&cc->cancel[i], 0);
			rc = send_interrupted(cc, i, seq, cancel, &unblock_sent);
			if (rc < 0) {
				ret = rc;
				goto out;
			}
			continue;
		}
		if (atomic_load(&cc->dead)) {
			int de = atomic_load(&cc->dead_err);

			/* A network manager that went away (restarted, or
			 * killed) leaves its clients' nodes unreachable. */
			rc = send_interrupted(cc, i, seq,
			    de == EBADF        ? EBADF
			    : cc->nd != 0      ? EHOSTDOWN
						: ESRCH,
			    &unblock_sent);
			if (rc < 0) {
				ret = rc;
				goto out;
			}
			/* Dead but replied in time: take the reply. */
			if (AXON_ST_PHASE(atomic_load(sp)) != AXON_PH_REPLIED) {
				/* Only reachable with UNBLOCK semantics. */
				atomic_store(sp, AXON_ST_MAKE(AXON_PH_FREE, 0,
						     seq));
				slot_free(cc, i);
				ret = cc->nd != 0 ? -EHOSTDOWN : -ESRCH;
				goto out;
			}
			continue;
		}
		/* Which timeout applies in this state, if any. */
		const struct timespec *at = NULL;
		int state = ph == AXON_PH_SENT ? _NTO_TIMEOUT_SEND
					       : _NTO_TIMEOUT_REPLY;
		if (!unblock_sent && axon__deadline_applies(&dl, state)) {
			if (dl.immediate && ph == AXON_PH_SENT &&
			    !immediate_waited) {
				/* A poll: a server that is RECEIVE-blocked takes
				 * the message within a wake-up; give it that
				 * long (AXON_POLL_NS, 1 ms by default) before
				 * withdrawing. */
				struct timespec w;

				immediate_waited = true;
				clock_gettime(CLOCK_MONOTONIC, &w);
				w.tv_nsec += axon__proc.poll_ns;
				if (w.tv_nsec >= 1000000000) {
					w.tv_sec++;
					w.tv_nsec -= 1000000000;
				}
				uint32_t want = st | AXON_ST_WAITER |
				    AXON_ST_WAKERCV;
				if (st != want &&
				    !atomic_compare_exchange_strong(sp, &st,
					want)) {
					continue;
				}
				axon__ps_send_block(cc, coid, i, false);
				(void) axon__futex_wait(sp, want, &w);
				axon__ps_running();
				continue;
			}
			if (dl.immediate) {
				rc = send_interrupted(cc, i, seq, ETIMEDOUT,
				    &unblock_sent);
				if (rc < 0) {
					ret = rc;
					goto out;
				}
				dl.armed = false;
				continue;
			}
			at = &dl.at;
			if (ts_passed(at)) {
				rc = send_interrupted(cc, i, seq, ETIMEDOUT,
				    &unblock_sent);
				if (rc < 0) {
					ret = rc;
					goto out;
				}
				continue;
			}
		}
		if (!spun && cc->nd == 0) {
			/* (A remote reply takes a network round trip: no
			 * use spinning for it, and the CPU is needed by the
			 * network managers.) */
			int sc_cpu = atomic_load(&cc->rgn->srv_cpu);

			spun = true;
			if (sc_cpu >= 0 && sc_cpu == axon__getcpu()) {
				/* The server runs on our CPU: let it run now
				 * rather than sleep and be woken. */
				sched_yield();
				continue;
			}
			if (should_spin(sc_cpu) && axon__proc.spin_ns > 0) {
				uint64_t t0 = now_ns();
				int k = 0;

				while (AXON_ST_PHASE(atomic_load_explicit(sp,
					   memory_order_acquire)) !=
				    AXON_PH_REPLIED) {
					cpu_relax();
					if ((++k & 63) == 0 &&
					    now_ns() - t0 > spin_budget(
							      ssize + rsize)) {
						break;
					}
				}
				continue;
			}
		}
		/* A REPLY timeout must start counting when the server takes
		 * the message: ask to be woken then. */
		uint32_t want = AXON_ST_WAITER;
		if (ph == AXON_PH_SENT && !unblock_sent &&
		    axon__deadline_applies(&dl, _NTO_TIMEOUT_REPLY)) {
			want |= AXON_ST_WAKERCV;
		}
		if ((st & want) != want) {
			if (!atomic_compare_exchange_strong(sp, &st, st | want)) {
				continue;
			}
			st |= want;
		}
		/* (Only now, about to sleep: a reply caught by spinning costs
		 * the status page nothing.) */
		axon__ps_send_block(cc, coid, i, ph == AXON_PH_RECEIVED);
		rc = axon__futex_wait(sp, st, at);
		axon__ps_running();
		/* A timeout is judged at the top of the loop against the
		 * state the message is in by then: the server may have taken
		 * it meanwhile, and a SEND-only timeout then no longer
		 * applies. */
		if (rc == -EINTR) {
			rc = send_interrupted(cc, i, seq, EINTR, &unblock_sent);
			if (rc < 0) {
				ret = rc;
				goto out;
			}
		}
	}
	/* REPLIED: consume. */
	atomic_thread_fence(memory_order_acquire);
	int serr = s->err;
	long status = (long) s->status;
	/* Data the server wrote (MsgWrite) reaches the caller even when it
	 * then answered with MsgError, as with QNX's direct copies. */
	reply_consume(cc, i, data, data_size, reply_off, rsize, a->riov,
	    a->rparts);
	atomic_store(sp, AXON_ST_MAKE(AXON_PH_FREE, 0, seq));
	slot_free(cc, i);
	if (serr == ERESTART) {
		goto restart;
	}
	if (serr > 0 && serr < 4096) {
		ret = -serr;
	} else {
		axon__cconn_put(cc);
		return status; /* any value, negative ones included */
	}
out:
	axon__send_err = (int) -ret;
	axon__cconn_put(cc);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The network manager's non-blocking sends (internal.h)               */
/* ------------------------------------------------------------------ */

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
	i = slot_try(cc, false); /* never waits: EAGAIN when all are busy */
	if (i < 0) {
		return -EAGAIN;
	}
	uint8_t *data;
	uint32_t buf_gen = 0;

	if (need <= AXON_INLINE) {
		data = cc->rgn->data[i];
	} else {
		int rc = big_ensure(cc, i, need, &data);

		if (rc < 0) {
			slot_free(cc, i);
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
	} else {
		atomic_store_explicit(&s->avail, avail, memory_order_release);
	}
	axon__futex_wake(&s->avail, INT32_MAX);
}

int
axon__nsend_post(struct axon_cconn *cc, int i, int32_t coid, int32_t tid,
    int32_t prio, uint32_t avail, bool newcred)
{
	uint32_t fl = AXON_ST_NOTIFY | (newcred ? AXON_ST_NEWCRED : 0);
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
	if (ring_bell(cc, i) < 0) {
		/* The server reads neither its bell nor its socket:
		 * take the message back, unless it has been taken. */
		uint32_t st = AXON_ST_MAKE(AXON_PH_SENT, fl, seq);

		if (atomic_compare_exchange_strong(sp, &st,
			AXON_ST_MAKE(AXON_PH_FREE, 0, seq))) {
			cc->ndata[i] = NULL;
			slot_free(cc, i);
			return -EAGAIN;
		}
	}
	return 0;
}

/*
 * Waits a little for the reply to slot i, as a local client would: when
 * the server runs on another CPU, spinning beats being woken; when it
 * runs on ours, yielding lets it answer at once.  Meanwhile the slot's
 * NOTIFY flag is taken back, so that a reply in that window costs no
 * REPLIED notice (both sides change the state word by CAS only).
 * Returns true if it is replied: the caller takes the reply, and no
 * notice comes; false if not yet: the notice will come.
 */
bool
axon__nsend_spin(struct axon_cconn *cc, int i)
{
	_Atomic uint32_t *sp = &cc->rgn->slot[i].state;
	int sc_cpu = atomic_load(&cc->rgn->srv_cpu);
	bool same = sc_cpu < 0 || sc_cpu == axon__getcpu();
	uint32_t st;
	uint64_t t0;
	int k = 0;

	if (axon__proc.spin_ns <= 0 || (same && axon__proc.ncpu > 1 &&
					   sc_cpu < 0)) {
		return false;
	}
	st = atomic_load(sp);
	while (st & AXON_ST_NOTIFY) {
		if (AXON_ST_PHASE(st) == AXON_PH_REPLIED) {
			return false; /* its notice is on the way */
		}
		if (atomic_compare_exchange_weak(sp, &st,
			st & ~AXON_ST_NOTIFY)) {
			break;
		}
	}
	t0 = now_ns();
	for (;;) {
		st = atomic_load_explicit(sp, memory_order_acquire);
		if (AXON_ST_PHASE(st) == AXON_PH_REPLIED) {
			return true;
		}
		if (same) {
			sched_yield();
		} else {
			cpu_relax();
		}
		if ((same || (++k & 63) == 0) &&
		    now_ns() - t0 > spin_budget(cc->nrbytes[i])) {
			break;
		}
	}
	/* Give up: ask for the notice again, unless the reply came. */
	for (;;) {
		if (AXON_ST_PHASE(st) == AXON_PH_REPLIED) {
			return true;
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
	slot_free(cc, i);
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

	for (;;) {
		uint32_t st = atomic_load(sp);

		if (AXON_ST_SEQ(st) != seq) {
			return -EIO;
		}
		switch (AXON_ST_PHASE(st)) {
		case AXON_PH_SENT:
			if (atomic_compare_exchange_strong(sp, &st,
				AXON_ST_MAKE(AXON_PH_FREE, 0, seq))) {
				cc->ndata[i] = NULL;
				slot_free(cc, i);
				return 1;
			}
			continue;
		case AXON_PH_RECEIVED:
			if (atomic_load(&cc->dead) ||
			    !(cc->chflags & _NTO_CHF_UNBLOCK)) {
				if (atomic_compare_exchange_strong(sp, &st,
					AXON_ST_MAKE(AXON_PH_ABANDONED, 0,
					    seq))) {
					slot_ctl(cc, AXON_CTL_ABANDON, i, seq,
					    0);
					cc->ndata[i] = NULL;
					slot_abandoned(cc, i);
					return 1;
				}
				continue;
			}
			if (!(st & AXON_ST_UNBLOCK)) {
				atomic_fetch_or(sp, AXON_ST_UNBLOCK);
				slot_ctl(cc, AXON_CTL_UNBLOCK, i, seq, reason);
			}
			return 0;
		default:
			return 0; /* REPLIED: the notice is on its way */
		}
	}
}

#define ONE_IOV(name, p, n) iov_t name = {.iov_base = (void *) (p), \
	.iov_len = (n)}

/* ------------------------------------------------------------------ */
/* Server side                                                          */
/* ------------------------------------------------------------------ */

/* A network manager's non-blocking send was answered: tell it. */
static void
notify_replied(struct axon_sconn *sc, uint32_t slot, uint32_t seq)
{
	struct axon_ctl m;

	axon__ctl_init(&m, AXON_CTL_REPLIED);
	m.u.slot.slot = slot;
	m.u.slot.seq = seq;
	if (sc->sock >= 0) {
		(void) send(sc->sock, &m, sizeof(m), MSG_DONTWAIT |
		    MSG_NOSIGNAL);
	}
}

/* Reads the posted message in item->slot, validates it, and makes it
 * RECEIVED.  sc->lock held.  Returns 1 on success, 0 if the message is
 * gone (withdrawn) or was refused as malformed. */
static int
take_message(struct axon_sconn *sc, uint32_t slot)
{
	struct axon_slot *s = &sc->rgn->slot[slot];
	struct axon_sslot *ss = &sc->slot[slot];
	_Atomic uint32_t *sp = &s->state;
	uint32_t st = atomic_load_explicit(sp, memory_order_acquire);
	uint32_t seq;

	ss->queued = false;
	if (sc->dead || ss->received || AXON_ST_PHASE(st) != AXON_PH_SENT) {
		return 0;
	}
	if (sc->virt && (st & AXON_ST_NEWCRED)) {
		/* A new NETCRED for this message precedes it on the
		 * socket: apply it before the server can ask. */
		(void) axon__sconn_drain(sc);
	}
	seq = AXON_ST_SEQ(st);
	/* Copy every field once; the client may change them under us. */
	uint64_t sbytes = s->sbytes;
	uint64_t rbytes = s->rbytes;
	uint64_t reply_off = s->reply_off;
	uint32_t buf_gen = s->buf_gen;
	uint8_t *data;
	uint64_t data_size;
	int err = 0;

	if (buf_gen == 0) {
		data = sc->rgn->data[slot];
		data_size = AXON_INLINE;
	} else {
		if (ss->big == NULL || ss->big_gen != buf_gen) {
			/* The descriptor is queued on the socket ahead of
			 * the token: fetch it. */
			(void) axon__sconn_drain(sc);
		}
		data = ss->big;
		data_size = ss->big_size;
		if (data == NULL || ss->big_gen != buf_gen) {
			err = EFAULT;
		}
	}
	if (err == 0 &&
	    (sbytes > data_size || reply_off < sbytes ||
		reply_off > data_size || rbytes > data_size - reply_off)) {
		err = EFAULT;
	}
	/* The client may set flags (WAITER) at any moment: retry on those,
	 * give up only if it withdrew the message. */
	while (!atomic_compare_exchange_weak(sp, &st,
	    AXON_ST_MAKE(AXON_PH_RECEIVED, st & 0xff00u, seq))) {
		if (AXON_ST_PHASE(st) != AXON_PH_SENT ||
		    AXON_ST_SEQ(st) != seq) {
			return 0; /* withdrawn just now */
		}
	}
	if (st & AXON_ST_WAKERCV) {
		axon__futex_wake(sp, 1); /* its REPLY timeout starts now */
	}
	if (err != 0) {
		/* A fault on the sender's side: fail its send, keep going. */
		s->status = 0;
		s->err = err;
		s->n_ext = 0;
		uint32_t cur = atomic_load(sp);
		while (AXON_ST_PHASE(cur) == AXON_PH_RECEIVED &&
		    AXON_ST_SEQ(cur) == seq) {
			if (atomic_compare_exchange_weak(sp, &cur,
				AXON_ST_MAKE(AXON_PH_REPLIED, 0, seq))) {
				if (cur & AXON_ST_WAITER) {
					axon__futex_wake(sp, 1);
				}
				if (cur & AXON_ST_NOTIFY) {
					notify_replied(sc, slot, seq);
				}
				break;
			}
		}
		return 0;
	}
	ss->seq = seq;
	ss->gen = (uint8_t) (ss->gen + 1);
	ss->received = true;
	axon__ps_hold(sc, slot, true); /* its sender is REPLY-blocked now */
	ss->replied = false;
	ss->tid = s->tid;
	ss->coid = s->coid;
	ss->prio = s->prio & 0x1ff;
	ss->unblock_reason = 0;
	ss->sbytes = sbytes;
	ss->rbytes = rbytes;
	ss->reply_off = reply_off;
	ss->avail = sbytes;
	ss->fetching = false;
	if (sc->virt) {
		uint32_t a = atomic_load_explicit(&s->avail,
		    memory_order_acquire);

		ss->avail = a < sbytes ? a : sbytes;
	}
	ss->data = data;
	ss->data_size = data_size;
	ss->n_ext = 0;
	return 1;
}

static void
fill_info(struct axon_sconn *sc, uint32_t slot, size_t msglen,
    struct _msg_info *info)
{
	struct axon_sslot *ss = &sc->slot[slot];
	uint32_t st = atomic_load(&sc->rgn->slot[slot].state);

	memset(info, 0, sizeof(*info));
	info->nd = sc->nd;
	info->srcnd = 0;
	info->pid = sc->pid;
	info->tid = ss->tid;
	info->chid = sc->chan->chid;
	info->scoid = sc->idx | _NTO_SIDE_CHANNEL;
	info->coid = ss->coid;
	info->msglen = (int32_t) msglen;
	info->srcmsglen = (int32_t) ss->sbytes;
	info->dstmsglen = (int32_t) ss->rbytes;
	info->priority = (int16_t) (ss->prio & 0xff);
	info->flags = (int16_t) ((AXON_ST_PHASE(st) == AXON_PH_RECEIVED &&
				     AXON_ST_SEQ(st) == ss->seq &&
				     (st & AXON_ST_UNBLOCK))
		? _NTO_MI_UNBLOCK_REQ
		: 0);
}

/* Pops the first item a receiver may take (pulses only if pulse_only). */
static struct axon_qitem *
queue_take(struct axon_chan *chan, bool pulse_only, bool *more)
{
	struct axon_qitem **pp;
	struct axon_qitem *it = NULL;

	for (pp = &chan->head; *pp != NULL; pp = &(*pp)->next) {
		if (!pulse_only || (*pp)->is_pulse) {
			it = *pp;
			*pp = it->next;
			break;
		}
	}
	*more = chan->head != NULL;
	return it;
}

/* Whether a pulse (or a message) is queued (chan->lock held). */
static bool
queue_has(const struct axon_chan *chan, bool pulse)
{
	for (const struct axon_qitem *it = chan->head; it != NULL;
	    it = it->next) {
		if (it->is_pulse == pulse) {
			return true;
		}
	}
	return false;
}

/* The count of receivers of this kind asleep (chan->lock held). */
static int *
sleepers(struct axon_chan *chan, bool pulse_only)
{
	return pulse_only ? &chan->pulse_sleepers : &chan->msg_sleepers;
}

/* A receiver took one item and more are queued (chan->lock held): a
 * MsgReceive can take any of them, a MsgReceivePulse only a pulse. */
static void
wake_for_rest(struct axon_chan *chan)
{
	if (chan->msg_sleepers > 0) {
		axon__chan_poke(chan);
	} else if (chan->pulse_sleepers > 0 && queue_has(chan, true)) {
		axon__chan_wake(chan, true);
	}
}

/* A receiver leaves (chan->lock held): wake one for what is queued. */
static void
pass_on(struct axon_chan *chan)
{
	if (queue_has(chan, true)) {
		axon__chan_wake(chan, true);
	}
	if (queue_has(chan, false)) {
		axon__chan_wake(chan, false);
	}
}

/* Bells rung (epoll events): queues what their clients marked posted.
 * Tag 0 is the channel's own poke, which only asks to look at the
 * queue.  Returns how many messages were queued. */
static int
bells_take(struct axon_chan *chan, const struct epoll_event *ev, int n)
{
	int q = 0;

	for (int k = 0; k < n; k++) {
		if (ev[k].data.u64 != 0) {
			q += axon__sconn_chan_bell(chan, ev[k].data.u64);
		}
	}
	return q;
}

#define AXON_BELL_BATCH 32

/* Takes the bells rung so far without blocking; returns how many
 * messages were queued.  (The raw system call: not a cancellation
 * point, so a receiver is never cancelled holding events.) */
static int
bells_collect(struct axon_chan *chan, bool *got_any)
{
	struct epoll_event ev[AXON_BELL_BATCH];
	int n = (int) syscall(SYS_epoll_pwait, chan->epfd, ev, AXON_BELL_BATCH,
	    0, NULL, (size_t) 8);

	*got_any = n > 0;
	return n > 0 ? bells_take(chan, ev, n) : 0;
}

/* Messages posted on sc's connection, found in memory: queued as their
 * bell would queue them.  Stops at the first unless all. */
static bool
spin_peek(struct axon_chan *chan, struct axon_sconn *sc, bool all)
{
	bool found = false;

	for (uint32_t i = 0; i < AXON_SLOTS; i++) {
		if (AXON_ST_PHASE(atomic_load_explicit(&sc->rgn->slot[i].state,
			memory_order_relaxed)) == AXON_PH_SENT &&
		    axon__sconn_chan_slot(chan, sc, i) > 0) {
			found = true;
			if (!all) {
				break;
			}
		}
	}
	return found;
}

struct sleeper {
	struct axon_chan *chan;
	bool pulse_only;
};

/*
 * A receiver cancelled in its sleep (epoll and ppoll waits are
 * cancellation points).  It must not leave the channel counting it
 * asleep, nor keep its reference, and it may have taken bell events
 * with it (glibc acts on a cancellation even as the wait returns): the
 * marks those bells announced are still in the regions, so all are
 * taken now, and another receiver is woken for whatever is queued.
 */
static void
receive_cancelled(void *arg)
{
	struct sleeper *z = arg;
	struct axon_chan *chan = z->chan;

	pthread_mutex_lock(&chan->lock);
	(*sleepers(chan, z->pulse_only))--;
	pthread_mutex_unlock(&chan->lock);
	if (!z->pulse_only) {
		(void) axon__sconn_chan_sweep(chan);
	}
	pthread_mutex_lock(&chan->lock);
	if (chan->destroyed) {
		axon__chan_wake(chan, true);
		axon__chan_wake(chan, false);
	} else {
		pass_on(chan);
	}
	pthread_mutex_unlock(&chan->lock);
	axon__chan_put(chan);
}

/* A relative timeout in milliseconds, rounded up (never early); -1 for
 * none. */
static int
ts_ms(const struct timespec *tp)
{
	if (tp == NULL) {
		return -1;
	}
	int64_t t = (int64_t) tp->tv_sec * 1000 +
	    (tp->tv_nsec + 999999) / 1000000;

	return t > INT32_MAX ? INT32_MAX : (int) t;
}

/* epoll_pwait2, or epoll_wait where the kernel lacks it (before 5.11)
 * or a filter refuses it (milliseconds, rounded up: never early).
 * Returns events or -errno. */
static int
bell_wait(struct axon_chan *chan, struct epoll_event *ev,
    const struct timespec *tp)
{
	static atomic_bool no_pwait2;
	int n;

	if (!atomic_load_explicit(&no_pwait2, memory_order_relaxed)) {
		n = epoll_pwait2(chan->epfd, ev, AXON_BELL_BATCH, tp, NULL);
		if (n >= 0 || (errno != ENOSYS && errno != EPERM)) {
			return n < 0 ? -errno : n;
		}
		atomic_store(&no_pwait2, true);
	}
	n = epoll_wait(chan->epfd, ev, AXON_BELL_BATCH, ts_ms(tp));
	return n < 0 ? -errno : n;
}

/*
 * Sleeps until woken or tp (relative, NULL: none) passes.  A receiver
 * of messages sleeps on the channel's epoll set and queues what the
 * bells it is given announce; a pulse-only receiver sleeps on pulse_fd,
 * which it then reads, so that it never takes a bell meant for a
 * receiver of messages.  Returns > 0 when woken, 0 on timeout, or
 * -errno (EINTR for a signal: neither wait restarts).
 */
static int
receive_sleep(struct axon_chan *chan, const struct timespec *tp,
    bool pulse_only)
{
	struct epoll_event ev[AXON_BELL_BATCH];
	struct sleeper z = {chan, pulse_only};
	struct pollfd pfd = {.fd = chan->pulse_fd, .events = POLLIN};
	volatile int n;

	pthread_cleanup_push(receive_cancelled, &z);
	if (pulse_only) {
		n = ppoll(&pfd, 1, tp, NULL);
		n = n < 0 ? -errno : n;
	} else {
		n = bell_wait(chan, ev, tp);
	}
	pthread_cleanup_pop(0);
	if (n > 0 && pulse_only) {
		uint64_t v;

		/* (The raw call: read() is a cancellation point, and we are
		 * past the clean-up handler.) */
		(void) syscall(SYS_read, chan->pulse_fd, &v, sizeof(v));
	} else if (n > 0) {
		(void) bells_take(chan, ev, n);
	}
	return n;
}

static rcvid_t
receive_common(int chid, const iov_t *iov, size_t parts,
    struct _msg_info *info, bool pulse_only)
{
	struct axon_deadline dl;
	struct axon_chan *chan;
	size_t cap;
	rcvid_t ret;

	pthread_testcancel();
	(void) axon__gettid(); /* registers the thread for THREAD_DEATH */
	axon__timeout_take(&dl);
	chan = axon__chan_get(chid);
	if (chan == NULL) {
		return -ESRCH;
	}
	if (parts > 0 && iov == NULL) {
		ret = -EFAULT;
		goto out;
	}
	cap = axon__iov_total(iov, parts);

	bool spun = false;
	bool polled = false;
	bool collected = false;
	for (;;) {
		struct axon_qitem *it;
		bool more;
		bool got;

		/* Messages wait behind their bells until a receiver takes
		 * the events, pulses go straight to the queue: before taking
		 * from a non-empty queue, collect what was posted, so that
		 * priority and send order decide, not the path.  (A
		 * pulse-only receiver leaves the bells to those that can take
		 * the messages.) */
		if (!collected && !pulse_only) {
			bool nonempty;

			pthread_mutex_lock(&chan->lock);
			nonempty = chan->head != NULL;
			pthread_mutex_unlock(&chan->lock);
			collected = true;
			if (nonempty) {
				(void) bells_collect(chan, &got);
			}
		}
		pthread_mutex_lock(&chan->lock);
		if (chan->destroyed) {
			/* ChannelDestroy woke one of us: wake the next. */
			axon__chan_wake(chan, pulse_only);
			pthread_mutex_unlock(&chan->lock);
			ret = -ESRCH;
			goto out;
		}
		it = queue_take(chan, pulse_only, &more);
		if (it != NULL && more) {
			/* Someone else can take what we leave. */
			wake_for_rest(chan);
		}
		pthread_mutex_unlock(&chan->lock);
		if (it != NULL && it->is_pulse) {
			if (cap < sizeof(struct _pulse)) {
				free(it);
				ret = -EFAULT; /* the pulse is lost, as in QNX */
				goto out;
			}
			axon__iov_copy_out(iov, parts, 0, &it->pulse,
			    sizeof(it->pulse));
			if (!(chan->flags & _NTO_CHF_FIXED_PRIORITY)) {
				int pp = it->prio & 0xff;

				/* A pulse carries a plain QNX priority: 10 is
				 * the default (SCHED_OTHER), others are
				 * real-time. */
				axon__apply_prio(pp == 10 ? 10 : pp | 0x100);
			}
			free(it);
			ret = 0;
			goto out;
		}
		if (it != NULL) {
			struct axon_sconn *sc = it->sc;
			uint32_t slot = it->slot;

			free(it);
			pthread_mutex_lock(&sc->lock);
			if (take_message(sc, slot)) {
				struct axon_sslot *ss = &sc->slot[slot];
				size_t n = ss->avail < cap ? ss->avail : cap;
				int prio = ss->prio;

				axon__iov_copy_out(iov, parts, 0, ss->data, n);
				if (info != NULL) {
					fill_info(sc, slot, n, info);
				}
				ret = RCVID_MAKE(ss->gen, slot, sc->idx);
				int cpu = axon__getcpu();
				if (atomic_load_explicit(&sc->rgn->srv_cpu,
					memory_order_relaxed) != cpu) {
					atomic_store(&sc->rgn->srv_cpu, cpu);
				}
				atomic_store(&chan->last_cli_cpu,
				    sc->rgn->slot[slot].cli_cpu);
				atomic_store(&chan->last_bytes,
				    ss->sbytes + ss->rbytes);
				atomic_store(&chan->hint_idx, sc->idx);
				pthread_mutex_unlock(&sc->lock);
				axon__sconn_put(sc);
				if (!(chan->flags & _NTO_CHF_FIXED_PRIORITY)) {
					axon__apply_prio(prio);
				}
				goto out;
			}
			pthread_mutex_unlock(&sc->lock);
			axon__sconn_put(sc);
			continue;
		}
		/* Nothing queued. */
		if (dl.armed && (dl.states & _NTO_TIMEOUT_RECEIVE) &&
		    dl.immediate) {
			/* A poll: look at the bells once before giving up. */
			if (!polled && !pulse_only) {
				polled = true;
				if (bells_collect(chan, &got) > 0 || got) {
					continue;
				}
			}
			ret = -ETIMEDOUT;
			goto out;
		}
		if (!spun && !pulse_only) {
			int pc = atomic_load(&chan->last_cli_cpu);

			spun = true;
			if (should_spin(pc) && axon__proc.spin_ns > 0) {
				uint64_t t0 = now_ns();
				bool hit = false;

				uint64_t budget = spin_budget(
				    atomic_load(&chan->last_bytes));
				/* The client of the last message is the likely
				 * sender of the next: watch its slots in memory,
				 * and the bells (a system call) less often. */
				struct axon_sconn *hint = axon__sconn_get(
				    atomic_load(&chan->hint_idx));
				int k = 0;

				if (hint != NULL && hint->chan != chan) {
					axon__sconn_put(hint);
					hint = NULL;
				}
				/* Not cancelled while srv_spin is set. */
				int ocs;
				pthread_setcancelstate(PTHREAD_CANCEL_DISABLE,
				    &ocs);
				if (hint != NULL) {
					atomic_store(&hint->rgn->srv_spin, 1);
				}
				while (now_ns() - t0 < budget) {
					if (hint != NULL &&
					    spin_peek(chan, hint, false)) {
						hit = true;
						break;
					}
					if ((hint == NULL || (++k & 7) == 0) &&
					    (bells_collect(chan, &got) > 0 ||
						got)) {
						hit = true;
						break;
					}
					cpu_relax();
				}
				if (hint != NULL) {
					/* Posts made while srv_spin was set rang
					 * no bell: sweep them all up. */
					atomic_store(&hint->rgn->srv_spin, 0);
					atomic_thread_fence(
					    memory_order_seq_cst);
					if (spin_peek(chan, hint, true)) {
						hit = true;
					}
				}
				axon__sconn_put(hint);
				pthread_setcancelstate(ocs, NULL);
				if (hit) {
					continue;
				}
			}
		}
		struct timespec rel;
		const struct timespec *tp = NULL;
		int prc;

		if (axon__deadline_applies(&dl, _NTO_TIMEOUT_RECEIVE)) {
			struct timespec now;

			clock_gettime(CLOCK_MONOTONIC, &now);
			rel.tv_sec = dl.at.tv_sec - now.tv_sec;
			rel.tv_nsec = dl.at.tv_nsec - now.tv_nsec;
			if (rel.tv_nsec < 0) {
				rel.tv_nsec += 1000000000;
				rel.tv_sec--;
			}
			if (rel.tv_sec < 0) {
				ret = -ETIMEDOUT;
				goto out;
			}
			tp = &rel;
		}
		pthread_mutex_lock(&chan->lock);
		(*sleepers(chan, pulse_only))++;
		bool pending = chan->destroyed ||
		    (pulse_only ? queue_has(chan, true) : chan->head != NULL);
		pthread_mutex_unlock(&chan->lock);
		if (!pending) {
			axon__ps_recv_block(chid, pulse_only);
		}
		prc = pending ? 1 : receive_sleep(chan, tp, pulse_only);
		axon__ps_running();
		pthread_mutex_lock(&chan->lock);
		(*sleepers(chan, pulse_only))--;
		if (prc <= 0) {
			/* Leaving without taking anything: a wake-up meant
			 * for whoever takes what is queued may have come to
			 * us, still counted asleep.  Pass it on. */
			pass_on(chan);
		}
		pthread_mutex_unlock(&chan->lock);
		if (prc == 0) {
			ret = -ETIMEDOUT;
			goto out;
		}
		if (prc < 0) {
			/* EINTR: a signal.  Anything else (the wait itself
			 * refused: ENOMEM, or a filter) is reported rather
			 * than retried at full speed. */
			ret = prc;
			goto out;
		}
		spun = false;
	}
out:
	axon__chan_put(chan);
	return ret;
}

rcvid_t
MsgReceivev_r(int chid, const iov_t *iov, size_t parts,
    struct _msg_info *info)
{
	AXON_KEEP_ERRNO;

	return receive_common(chid, iov, parts, info, false);
}

rcvid_t
MsgReceive_r(int chid, void *msg, size_t bytes, struct _msg_info *info)
{
	AXON_KEEP_ERRNO;

	ONE_IOV(v, msg, bytes);

	if (msg == NULL && bytes > 0) {
		return -EFAULT;
	}
	return receive_common(chid, &v, 1, info, false);
}

int
MsgReceivePulsev_r(int chid, const iov_t *iov, size_t parts,
    struct _msg_info *info)
{
	AXON_KEEP_ERRNO;

	return (int) receive_common(chid, iov, parts, info, true);
}

int
MsgReceivePulse_r(int chid, void *pulse, size_t bytes,
    struct _msg_info *info)
{
	AXON_KEEP_ERRNO;

	ONE_IOV(v, pulse, bytes);

	if (pulse == NULL) {
		return -EFAULT;
	}
	return (int) receive_common(chid, &v, 1, info, true);
}

/* Looks up a live rcvid: returns sc with sc->lock held and a reference,
 * or NULL with *ret_err set. */
static struct axon_sconn *
rcvid_lock(rcvid_t rcvid, uint32_t *ret_slot, int *ret_err)
{
	struct axon_sconn *sc;
	uint32_t slot;
	uint8_t gen;
	int idx;

	if (rcvid <= 0 || rcvid > INT32_MAX) {
		*ret_err = ESRCH;
		return NULL;
	}
	axon__msg_rcvid_decode((int32_t) rcvid, &idx, &slot, &gen);
	sc = axon__sconn_get(idx);
	if (sc == NULL) {
		*ret_err = ESRCH;
		return NULL;
	}
	pthread_mutex_lock(&sc->lock);
	if (sc->dead || slot >= AXON_SLOTS || !sc->slot[slot].received ||
	    sc->slot[slot].gen != gen) {
		pthread_mutex_unlock(&sc->lock);
		axon__sconn_put(sc);
		*ret_err = ESRCH;
		return NULL;
	}
	*ret_slot = slot;
	return sc;
}

static void
rcvid_unlock(struct axon_sconn *sc)
{
	pthread_mutex_unlock(&sc->lock);
	axon__sconn_put(sc);
}

/* Records that [off, off+len) of the reply area was written. */
static void
ext_add(struct axon_sslot *ss, uint64_t off, uint64_t len)
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
	ext_add(ss, offset, n);
	return (ssize_t) n;
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
		notify_replied(sc, slot, ss->seq);
	}
	return 0;
}

int
MsgReplyv_r(rcvid_t rcvid, long status, const iov_t *iov, size_t parts)
{
	AXON_KEEP_ERRNO;

	struct axon_sconn *sc;
	uint32_t slot;
	int err = 0;
	int rc;

	if (parts > 0 && iov == NULL) {
		return -EFAULT;
	}
	sc = rcvid_lock(rcvid, &slot, &err);
	if (sc == NULL) {
		return -err;
	}
	if (parts > 0) {
		(void) write_locked(sc, slot, iov, parts, 0);
	}
	rc = finish_locked(sc, slot, status, 0);
	rcvid_unlock(sc);
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
	int err = 0;
	int rc;

	sc = rcvid_lock(rcvid, &slot, &err);
	if (sc == NULL) {
		return -err;
	}
	if (error == -1) {
		/* Forward the error recorded with the unblock request. */
		error = sc->slot[slot].unblock_reason != 0
		    ? sc->slot[slot].unblock_reason
		    : EINTR;
	}
	if (error < 0 || error >= 4096) {
		rcvid_unlock(sc);
		return -EINVAL;
	}
	rc = finish_locked(sc, slot, 0, error);
	rcvid_unlock(sc);
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
	int err = 0;

	for (;;) {
		struct axon_slot *s = &sc->rgn->slot[slot];
		struct axon_sslot *ss = &sc->slot[slot];
		uint32_t a = atomic_load_explicit(&s->avail,
		    memory_order_acquire);
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
		if (!ss->fetching) {
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
		rcvid_unlock(sc);
		(void) axon__futex_wait(ap, a, &at);
		uint32_t slot2;
		sc = rcvid_lock(rcvid, &slot2, &err);
		*scp = sc;
		if (sc == NULL) {
			return -err;
		}
	}
}

ssize_t
MsgReadv_r(rcvid_t rcvid, const iov_t *iov, size_t parts, size_t offset)
{
	AXON_KEEP_ERRNO;

	struct axon_sconn *sc;
	uint32_t slot;
	int err = 0;
	ssize_t n = 0;

	if (parts > 0 && iov == NULL) {
		return -EFAULT;
	}
	sc = rcvid_lock(rcvid, &slot, &err);
	if (sc == NULL) {
		return -err;
	}
	struct axon_sslot *ss = &sc->slot[slot];
	if (offset < ss->sbytes) {
		size_t avail = ss->sbytes - offset;
		size_t cap = axon__iov_total(iov, parts);

		n = (ssize_t) (cap < avail ? cap : avail);
		if (offset + (size_t) n > ss->avail) {
			/* A message from another node, not all here yet. */
			int rc = read_wait(rcvid, &sc, slot,
			    offset + (size_t) n);

			if (rc < 0) {
				if (sc != NULL) {
					rcvid_unlock(sc);
				}
				return rc;
			}
			ss = &sc->slot[slot];
		}
		axon__iov_copy_out(iov, parts, 0, ss->data + offset,
		    (size_t) n);
	}
	rcvid_unlock(sc);
	return n;
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
	int err = 0;
	ssize_t n = 0;

	sc = rcvid_lock(rcvid, &slot, &err);
	if (sc == NULL) {
		return -err;
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
	rcvid_unlock(sc);
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
	int err = 0;

	sc = rcvid_lock(rcvid, &slot, &err);
	if (sc == NULL) {
		return -err;
	}
	struct axon_sslot *ss = &sc->slot[slot];
	if (offset > ss->rbytes || len > ss->rbytes - offset) {
		rcvid_unlock(sc);
		return -EMSGSIZE;
	}
	ext_add(ss, offset, len);
	*ret_ptr = ss->data + ss->reply_off + offset;
	atomic_fetch_add(&sc->refs, 1);
	sc->peeks++;
	*ret_ref = sc;
	rcvid_unlock(sc);
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
	int err = 0;
	ssize_t n;

	if (parts > 0 && iov == NULL) {
		return -EFAULT;
	}
	sc = rcvid_lock(rcvid, &slot, &err);
	if (sc == NULL) {
		return -err;
	}
	n = write_locked(sc, slot, iov, parts, offset);
	rcvid_unlock(sc);
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

int
MsgInfo_r(rcvid_t rcvid, struct _msg_info *info)
{
	AXON_KEEP_ERRNO;

	struct axon_sconn *sc;
	uint32_t slot;
	int err = 0;

	if (info == NULL) {
		return -EFAULT;
	}
	sc = rcvid_lock(rcvid, &slot, &err);
	if (sc == NULL) {
		return -err;
	}
	struct axon_sslot *ss = &sc->slot[slot];
	fill_info(sc, slot, 0, info);
	info->msglen = (int32_t) ss->sbytes;
	rcvid_unlock(sc);
	return 0;
}

int
MsgSendPulse_r(int coid, int priority, int code, int value)
{
	return axon__pulse_send(coid, priority, code, (int64_t) value, false);
}

int
MsgSendPulsePtr_r(int coid, int priority, int code, void *value)
{
	return axon__pulse_send(coid, priority, code,
	    (int64_t) (intptr_t) value, false);
}

/* Whether MsgDeliverEvent() could reach the client of rcvid (which it
 * can after the reply): 0, or -ESRCH. */
int
axon__msg_rcvid_check(rcvid_t rcvid)
{
	struct axon_sconn *sc;
	uint32_t slot;
	uint8_t gen;
	int idx;
	bool live;

	if (rcvid <= 0 || rcvid > INT32_MAX) {
		return -ESRCH;
	}
	axon__msg_rcvid_decode((int32_t) rcvid, &idx, &slot, &gen);
	sc = axon__sconn_get(idx);
	if (sc == NULL) {
		return -ESRCH;
	}
	pthread_mutex_lock(&sc->lock);
	live = !sc->dead && sc->sock >= 0;
	pthread_mutex_unlock(&sc->lock);
	axon__sconn_put(sc);
	return live ? 0 : -ESRCH;
}

int
MsgDeliverEvent_r(rcvid_t rcvid, const struct sigevent *event)
{
	AXON_KEEP_ERRNO;

	struct axon_sconn *sc;
	struct axon_ctl m;
	uint32_t slot;
	uint8_t gen;
	int idx;
	int type;
	int rc;

	if (event == NULL) {
		return -EFAULT;
	}
	type = SIGEV_GET_TYPE(event);
	switch (type) {
	case SIGEV_NONE:
	case SIGEV_UNBLOCK:
		break;
	case SIGEV_SIGNAL:
	case SIGEV_SIGNAL_CODE:
	case SIGEV_SIGNAL_THREAD:
		if (event->sigev_signo <= 0 || event->sigev_signo >= NSIG) {
			return -EINVAL;
		}
		break;
	case SIGEV_PULSE:
		if (event->sigev_code < -128 || event->sigev_code > 127) {
			return -EINVAL;
		}
		break;
	case _SIGEV_HANDLE:
		/* A registered event: the client looks the handle up. */
		if (event->sigev_signo <= 0) {
			return -EINVAL;
		}
		break;
	default:
		return -EINVAL;
	}
	if (rcvid <= 0 || rcvid > INT32_MAX) {
		return -ESRCH;
	}
	axon__msg_rcvid_decode((int32_t) rcvid, &idx, &slot, &gen);
	sc = axon__sconn_get(idx);
	if (sc == NULL) {
		return -ESRCH;
	}
	axon__ctl_init(&m, AXON_CTL_EVENT);
	pthread_mutex_lock(&sc->lock);
	m.u.event.tid = slot < AXON_SLOTS ? sc->slot[slot].tid : 0;
	m.u.event.notify = type;
	m.u.event.signo = event->sigev_signo;
	m.u.event.prio = type == SIGEV_PULSE ? event->sigev_priority : 0;
	m.u.event.code = type == SIGEV_PULSE || type == SIGEV_SIGNAL_CODE ||
		type == SIGEV_SIGNAL_THREAD
	    ? event->sigev_code
	    : 0;
	m.u.event.value = (int64_t) (intptr_t) event->sigev_value.sival_ptr;
	if (sc->dead || sc->sock < 0) {
		rc = -ESRCH;
	} else {
		rc = (int) send(sc->sock, &m, sizeof(m),
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		rc = rc < 0 ? (errno == EAGAIN ? -EAGAIN : -ESRCH) : 0;
	}
	pthread_mutex_unlock(&sc->lock);
	axon__sconn_put(sc);
	return rc;
}
