/* SPDX-License-Identifier: MIT */
/*
 * The client's side of a message (msg_int.h): MsgSend*() post a message in
 * a slot, wait (spin, yield or futex) for its REPLIED state, and take the
 * reply; timeouts, signals and a dead server withdraw or abandon it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "msg_int.h"

static int
slot_alloc(struct axon_cconn *cc, int coid, const struct axon_deadline *dl)
{
	(void) dl;
	for (;;) {
		if (atomic_load(&cc->dead)) {
			return -EBADF;
		}
		int i = axon__slot_try(cc, false);
		if (i >= 0) {
			return i;
		}
		pthread_mutex_lock(&cc->lock);
		i = axon__slot_try(cc, true);
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

static bool
ts_passed(const struct timespec *at)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > at->tv_sec ||
	    (now.tv_sec == at->tv_sec && now.tv_nsec >= at->tv_nsec);
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
				axon__slot_free(cc, i);
				return -reason;
			}
			continue;
		case AXON_PH_RECEIVED:
			if (reason == EBADF || atomic_load(&cc->dead) ||
			    !(cc->chflags & _NTO_CHF_UNBLOCK)) {
				if (atomic_compare_exchange_strong(sp, &st,
					AXON_ST_MAKE(AXON_PH_ABANDONED, 0,
					    seq))) {
					axon__slot_ctl(cc,
					    AXON_CTL_ABANDON, i, seq, 0);
					axon__slot_abandoned(cc, i);
					return -reason;
				}
				continue;
			}
			/* _NTO_CHF_UNBLOCK: ask, and stay REPLY-blocked. */
			if (!*unblock_sent) {
				*unblock_sent = true;
				atomic_fetch_or(sp, AXON_ST_UNBLOCK);
				axon__slot_ctl(cc, AXON_CTL_UNBLOCK, i, seq,
				    reason);
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
		int rc = axon__big_ensure(cc, i, need, &data);

		if (rc < 0) {
			axon__slot_free(cc, i);
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
	(void) axon__ring_bell(cc, i); /* (blocking: cannot fail but dead) */

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
				axon__slot_free(cc, i);
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
	axon__slot_free(cc, i);
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
