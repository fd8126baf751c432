/* SPDX-License-Identifier: MIT */
/*
 * The client's side of a message (msg_int.h): MsgSend*() post a message in
 * a slot, wait (spin, yield or futex) for its REPLIED state, and take the
 * reply; timeouts, signals and a dead server withdraw or abandon it.
 * The sixteen MsgSend*() entry points are made from send_table.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "msg_int.h"
#include "send_table.h"

/*
 * rc = a futex(2) wait on *addr while it holds val, until *abs_mono
 * (CLOCK_MONOTONIC; never NULL), with cancellation enabled and
 * asynchronous for the system call alone, under the caller's
 * pthread_cleanup_push(): 0 (woken, or the value changed), -ETIMEDOUT or
 * -EINTR.  A macro, so that no frame of ours lies under the system call:
 * a cancellation unwinds from glibc's signal handler by a longjmp to the
 * clean-up's frame, and a callee's stack (poisoned by ASan around its
 * locals) would be left behind under the stack pointer.
 */
#define FUTEX_WAIT_CANCELLABLE(rc, addr, val, abs_mono)                      \
	do {                                                                 \
		int os_, ot_, e_;                                            \
		long r_;                                                     \
		(void) pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &os_);  \
		(void) pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS,    \
		    &ot_);                                                   \
		r_ = syscall(SYS_futex, (addr), FUTEX_WAIT_BITSET, (val),    \
		    (abs_mono), NULL, FUTEX_BITSET_MATCH_ANY);               \
		e_ = errno;                                                  \
		(void) pthread_setcanceltype(ot_, NULL);                     \
		(void) pthread_setcancelstate(os_, NULL);                    \
		(rc) = r_ == 0 ? 0                                           \
		    : e_ == ETIMEDOUT ? -ETIMEDOUT                           \
		    : e_ == EINTR     ? -EINTR                               \
				      : 0;                                   \
	} while (0)

/* A thread cancelled while it waits for a slot holds only the call's
 * connection reference, and counts as a waiter. */
static void
slot_wait_cancelled(void *arg)
{
	struct axon_cconn *cc = arg;

	atomic_fetch_sub(&cc->slot_waiters, 1);
	axon__ps_running();
	axon__cconn_put(cc);
}

/* When a wait for a slot ends: in 10 ms (abandoned slots come back
 * without a wake-up), or at the SEND deadline if that is sooner.  0, or
 * -ETIMEDOUT if the deadline has passed (a poll's at once). */
static int
slot_wait_until(const struct axon_deadline *dl, struct timespec *ret_at)
{
	bool dl_on = axon__deadline_applies(dl, _NTO_TIMEOUT_SEND);
	struct timespec now;

	if (dl_on && dl->immediate) {
		return -ETIMEDOUT;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (dl_on && (now.tv_sec > dl->at.tv_sec ||
			 (now.tv_sec == dl->at.tv_sec &&
			     now.tv_nsec >= dl->at.tv_nsec))) {
		return -ETIMEDOUT;
	}
	*ret_at = now;
	ret_at->tv_nsec += 10000000;
	if (ret_at->tv_nsec >= 1000000000) {
		ret_at->tv_sec++;
		ret_at->tv_nsec -= 1000000000;
	}
	if (dl_on && (dl->at.tv_sec < ret_at->tv_sec ||
			 (dl->at.tv_sec == ret_at->tv_sec &&
			     dl->at.tv_nsec < ret_at->tv_nsec))) {
		*ret_at = dl->at;
	}
	return 0;
}

/*
 * A free slot of the connection, or -errno.  With every slot busy the
 * thread waits, SEND-blocked as far as anyone can tell: a SEND timeout
 * ends the wait (ETIMEDOUT), a signal too (EINTR), and a cancellation
 * request is acted on in it if the call is a cancellation point
 * (FUTEX_WAIT_CANCELLABLE).
 */
static int
slot_alloc(struct axon_cconn *cc, int coid, const struct axon_deadline *dl,
    bool cancellable)
{
	for (;;) {
		uint32_t seq = atomic_load(&cc->slot_seq);
		struct timespec at;
		int rc;

		if (atomic_load(&cc->dead)) {
			return -EBADF;
		}
		int i = axon__slot_try(cc, false);
		if (i >= 0) {
			return i;
		}
		rc = slot_wait_until(dl, &at);
		if (rc < 0) {
			return rc;
		}
		atomic_fetch_add(&cc->slot_waiters, 1);
		i = axon__slot_try(cc, false);
		if (i >= 0 || atomic_load(&cc->dead)) {
			atomic_fetch_sub(&cc->slot_waiters, 1);
			if (i >= 0) {
				return i;
			}
			continue;
		}
		axon__ps_send_block(cc, coid, -1, false);
		if (cancellable) {
			pthread_cleanup_push(slot_wait_cancelled, cc);
			FUTEX_WAIT_CANCELLABLE(rc, &cc->slot_seq, seq, &at);
			pthread_cleanup_pop(0);
		} else {
			rc = axon__futex_wait(&cc->slot_seq, seq, &at);
		}
		axon__ps_running();
		atomic_fetch_sub(&cc->slot_waiters, 1);
		if (rc == -EINTR) {
			return -EINTR;
		}
		/* ConnectDetach() of our coid (another alias keeps the
		 * connection) wakes us: EBADF, as for a thread it found
		 * blocked. */
		if (!axon__coid_is(coid, cc)) {
			return -EBADF;
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

/* Copies the reply the server left in slot i into the caller's iov, but
 * for its first skip bytes, copied already as they came (see
 * send_reply_progress). */
static void
reply_consume(struct axon_cconn *cc, int i, const uint8_t *data,
    uint64_t data_size, uint64_t reply_off, uint64_t rbytes,
    const iov_t *riov, size_t rparts, uint64_t skip)
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
		uint64_t from = off < skip ? skip : off;

		if (off + len > from) {
			axon__iov_copy_out(riov, rparts, from,
			    data + reply_off + from, off + len - from);
		}
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
	/* (AXON_UNBLOCK_SENDONLY is for the network manager only.) */
	int err = reason & ~AXON_UNBLOCK_SENDONLY;

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
				if (st & AXON_ST_BOOSTED) {
					/* Its boost must not outlive it. */
					axon__unboost(cc, i);
				}
				axon__slot_free(cc, i);
				return -err;
			}
			continue;
		case AXON_PH_RECEIVED:
			if (err == EBADF || atomic_load(&cc->dead) ||
			    !(cc->chflags & _NTO_CHF_UNBLOCK)) {
				if (atomic_compare_exchange_strong(sp, &st,
					AXON_ST_MAKE(AXON_PH_ABANDONED, 0,
					    seq))) {
					axon__slot_ctl(cc,
					    AXON_CTL_ABANDON, i, seq, 0);
					axon__slot_abandoned(cc, i);
					return -err;
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

/* A send in progress: what the steps of send_common() share. */
struct send_op {
	const struct send_args *a;
	struct axon_cconn *cc;
	int coid;
	struct axon_deadline dl;
	size_t ssize;
	size_t rsize;
	int i;                 /* the slot */
	_Atomic uint32_t *sp;  /* its state word */
	uint32_t seq;
	uint8_t *data;         /* its data area: inline, or its big buffer */
	uint64_t data_size;
	uint64_t reply_off;
	bool unblock_sent;     /* UNBLOCK asked: no timeout applies now */
	bool immediate_waited; /* a poll's one short wait is done */
	bool spun;             /* spun (or yielded) once already */
	bool boosted;          /* the send-time boost was tried */
	int prio;              /* ours, as posted */
	bool cancellable;      /* a cancellation point, enabled by the caller */
	uint64_t rdone;        /* reply bytes copied as they came (remote) */
	uint32_t detach_seq0;  /* cc->detach_seq when the coid was looked up */
};

/* Checks the caller's IOVs and sums them: 0, or -errno. */
static int
send_sizes(struct send_op *op)
{
	const struct send_args *a = op->a;

	if (a->sparts > 0 && a->siov == NULL) {
		return -EFAULT;
	}
	if (a->rparts > 0 && a->riov == NULL) {
		return -EFAULT;
	}
	op->ssize = axon__iov_total(a->siov, a->sparts);
	op->rsize = axon__iov_total(a->riov, a->rparts);
	if (op->ssize == SIZE_MAX || op->rsize == SIZE_MAX ||
	    op->ssize > INT32_MAX || op->rsize > INT32_MAX) {
		return -EOVERFLOW;
	}
	return 0;
}

/* Takes a slot, copies the message in, posts it (FREE -> SENT) and rings
 * the bell: 0, or -errno (then no slot is held). */
static int
send_post(struct send_op *op)
{
	struct axon_cconn *cc = op->cc;
	uint32_t buf_gen = 0;
	uint64_t need;
	int i;

	if (atomic_load(&cc->dead)) {
		return -EBADF;
	}
	i = slot_alloc(cc, op->coid, &op->dl, op->cancellable);
	if (i < 0) {
		return i;
	}
	struct axon_slot *s = &cc->rgn->slot[i];

	op->i = i;
	op->sp = &s->state;
	op->reply_off = reply_offset(op->ssize);
	need = op->reply_off + op->rsize;
	if (need <= AXON_INLINE) {
		op->data = cc->rgn->data[i];
		op->data_size = AXON_INLINE;
	} else {
		int rc = axon__big_ensure(cc, i, need, &op->data);

		if (rc < 0) {
			axon__slot_free(cc, i);
			return rc;
		}
		op->data_size = cc->big[i].size;
		buf_gen = cc->big[i].gen;
	}
	axon__iov_copy_in(op->data, op->a->siov, op->a->sparts, 0, op->ssize);
	op->seq = (AXON_ST_SEQ(atomic_load(op->sp)) + 1) & 0xffffu;
	s->tid = axon__gettid();
	s->stamp = axon__now_ns();
	s->coid = op->coid;
	s->prio = axon__my_prio();
	op->prio = s->prio;
	s->cli_cpu = axon__getcpu();
	s->buf_gen = buf_gen;
	s->sbytes = op->ssize;
	s->rbytes = op->rsize;
	s->reply_off = op->reply_off;
	/* (The network manager's, once it has the message: how much of a
	 * remote reply is there.) */
	atomic_store_explicit(&s->avail, 0, memory_order_relaxed);
	op->rdone = 0;
	if (cc->nd != 0) {
		/* Through the network manager: whether our ids changed
		 * (released by the state's store below). */
		atomic_store_explicit(&cc->rgn->cred_hint, axon__cred_hint(),
		    memory_order_relaxed);
	}
	/* (status, err and n_ext are the server's: it sets all three.) */
	cc->slot_coid[i] = op->coid;
	cc->slot_tid[i] = s->tid;
	atomic_store_explicit(op->sp, AXON_ST_MAKE(AXON_PH_SENT, 0, op->seq),
	    memory_order_release);
	(void) axon__ring_bell(cc, i); /* (blocking: cannot fail but dead) */
	/* A ConnectDetach() of our coid since the call began found nothing
	 * of ours to end if it looked before this post: end it ourselves.
	 * (Dekker: the post, then a full barrier in axon__ring_bell, then
	 * detach_seq; it bumps detach_seq, then looks at the slots.) */
	if (atomic_load(&cc->detach_seq) != op->detach_seq0 &&
	    !axon__coid_is(op->coid, cc)) {
		atomic_store(&cc->cancel[i], AXON_CANCEL_MAKE(op->seq, EBADF));
	}
	op->unblock_sent = false;
	op->immediate_waited = false;
	op->spun = false;
	op->boosted = false;
	return 0;
}

/*
 * The steps of the wait (send_wait) return 0 to go on to the next step,
 * 1 to look at the slot's state again, or -errno when the slot has been
 * given up.
 */

/* Takes the reason set for leaving (cconn.c, cc_cancel): for this
 * message, or 0; one left for an earlier message of the slot is
 * dropped. */
static int
send_take_cancel(struct send_op *op)
{
	uint32_t c = atomic_load(&op->cc->cancel[op->i]);

	if (c == 0) {
		return 0;
	}
	c = atomic_exchange(&op->cc->cancel[op->i], 0);
	return c != 0 && AXON_CANCEL_SEQ(c) == op->seq ? AXON_CANCEL_ERR(c)
						       : 0;
}

/* A cancellation asked for, or a dead server. */
static int
send_check_events(struct send_op *op)
{
	struct axon_cconn *cc = op->cc;
	int cancel = send_take_cancel(op);
	int rc;

	if (cancel != 0) {
		return send_interrupted(cc, op->i, op->seq, cancel,
		    &op->unblock_sent);
	}
	if (!atomic_load(&cc->dead)) {
		return 0;
	}
	int de = atomic_load(&cc->dead_err);

	/* A network manager that went away (restarted, or killed) leaves
	 * its clients' nodes unreachable. */
	rc = send_interrupted(cc, op->i, op->seq,
	    de == EBADF        ? EBADF
	    : cc->nd != 0      ? EHOSTDOWN
				: ESRCH,
	    &op->unblock_sent);
	if (rc < 0) {
		return rc;
	}
	/* Dead but replied in time: take the reply. */
	if (AXON_ST_PHASE(atomic_load(op->sp)) != AXON_PH_REPLIED) {
		/* Only reachable with UNBLOCK semantics. */
		atomic_store(op->sp, AXON_ST_MAKE(AXON_PH_FREE, 0, op->seq));
		axon__slot_free(cc, op->i);
		return cc->nd != 0 ? -EHOSTDOWN : -ESRCH;
	}
	return 1;
}

/*
 * Called after publishing WAITER and before the futex wait: true if a
 * cancellation or the server's end was set meanwhile, which the caller
 * must act on instead of sleeping.  The waker (cconn.c, cc_poke) sets
 * those first and clears WAITER after; with both sequentially
 * consistent, either this sees them or the wait's compare fails.
 */
static bool
send_recheck(struct send_op *op)
{
	uint32_t c = atomic_load(&op->cc->cancel[op->i]);

	return (c != 0 && AXON_CANCEL_SEQ(c) == op->seq) ||
	    atomic_load(&op->cc->dead);
}

/* A poll (a zero timeout): a server that is RECEIVE-blocked takes the
 * message within a wake-up; give it that long (AXON_POLL_NS, 1 ms by
 * default) before withdrawing.  Always 1. */
static int
send_poll_wait(struct send_op *op, uint32_t st)
{
	struct timespec w;

	op->immediate_waited = true;
	clock_gettime(CLOCK_MONOTONIC, &w);
	w.tv_nsec += axon__proc.poll_ns;
	if (w.tv_nsec >= 1000000000) {
		w.tv_sec++;
		w.tv_nsec -= 1000000000;
	}
	uint32_t want = st | AXON_ST_WAITER | AXON_ST_WAKERCV;
	if (st != want &&
	    !atomic_compare_exchange_strong(op->sp, &st, want)) {
		return 1;
	}
	if (send_recheck(op)) {
		return 1;
	}
	axon__ps_send_block(op->cc, op->coid, op->i, false);
	(void) axon__futex_wait(op->sp, want, &w);
	axon__ps_running();
	return 1;
}

/* The timeout that applies in the state st says, if any: a poll, one
 * that has passed, or the time to sleep until (*ret_at). */
static int
send_check_deadline(struct send_op *op, uint32_t st,
    const struct timespec **ret_at)
{
	int ph = AXON_ST_PHASE(st);
	/* A message this node's network manager holds for a remote server
	 * that has not received it yet: SEND-blocked (axond.md). */
	bool netpend = ph == AXON_PH_RECEIVED && (st & AXON_ST_NETPEND);
	int state = ph == AXON_PH_SENT || netpend ? _NTO_TIMEOUT_SEND
						  : _NTO_TIMEOUT_REPLY;
	/* Armed for the SEND state alone: the remote node withdraws the
	 * message if its server has not received it, else nothing. */
	int reason = netpend &&
		!axon__deadline_applies(&op->dl, _NTO_TIMEOUT_REPLY)
	    ? ETIMEDOUT | AXON_UNBLOCK_SENDONLY
	    : ETIMEDOUT;
	int rc;

	if (op->unblock_sent || !axon__deadline_applies(&op->dl, state)) {
		return 0;
	}
	if (op->dl.immediate && ph == AXON_PH_SENT &&
	    !op->immediate_waited) {
		return send_poll_wait(op, st);
	}
	if (op->dl.immediate) {
		rc = send_interrupted(op->cc, op->i, op->seq, reason,
		    &op->unblock_sent);
		if (rc < 0) {
			return rc;
		}
		op->dl.armed = false;
		return 1;
	}
	*ret_at = &op->dl.at;
	if (ts_passed(*ret_at)) {
		return send_interrupted(op->cc, op->i, op->seq, reason,
		    &op->unblock_sent);
	}
	return 0;
}

/* Once per post, for a local server: yield to it if it runs on our CPU,
 * or spin for the reply if it runs on another. */
static int
send_spin(struct send_op *op)
{
	/* (A remote reply takes a network round trip: no use spinning for
	 * it, and the CPU is needed by the network managers.) */
	if (op->spun || op->cc->nd != 0) {
		return 0;
	}
	int sc_cpu = atomic_load(&op->cc->rgn->srv_cpu);

	op->spun = true;
	if (sc_cpu >= 0 && sc_cpu == axon__getcpu()) {
		/* The server runs on our CPU: let it run now rather than
		 * sleep and be woken. */
		sched_yield();
		return 1;
	}
	if (!should_spin(sc_cpu) || axon__proc.spin_ns <= 0) {
		return 0;
	}
	uint64_t t0 = now_ns();
	uint64_t budget = spin_budget(op->ssize + op->rsize);
	int k = 0;

	while (AXON_ST_PHASE(atomic_load_explicit(op->sp,
		   memory_order_acquire)) != AXON_PH_REPLIED) {
		cpu_relax();
		if ((++k & 63) == 0 && now_ns() - t0 > budget) {
			break;
		}
	}
	return 1;
}

/*
 * The thread is being cancelled while it waits (send_sleep): end the
 * message as a signal would, and let go of everything the call holds.
 * A message the server has not received is withdrawn; one it has is
 * given up, or, on a channel with _NTO_CHF_UNBLOCK, the server is asked
 * to unblock and the thread stays REPLY-blocked until it replies, as
 * QNX's kernel keeps it (cancellation is disabled here: glibc runs
 * clean-up handlers so).  A reply that came meanwhile is dropped.
 */
static void
send_cancelled(void *arg)
{
	struct send_op *op = arg;
	struct axon_cconn *cc = op->cc;

	axon__ps_running();
	for (;;) {
		int cancel = send_take_cancel(op);
		int why = cancel != 0 ? cancel
		    : atomic_load(&cc->dead) ? EBADF
					     : EINTR;
		uint32_t st;

		if (send_interrupted(cc, op->i, op->seq, why,
			&op->unblock_sent) < 0) {
			break; /* withdrawn or given up */
		}
		st = atomic_load_explicit(op->sp, memory_order_acquire);
		if (AXON_ST_PHASE(st) == AXON_PH_REPLIED) {
			atomic_store(op->sp,
			    AXON_ST_MAKE(AXON_PH_FREE, 0, op->seq));
			axon__slot_free(cc, op->i);
			break;
		}
		/* UNBLOCK asked: wait for the reply (or the server's end,
		 * or a ConnectDetach: cc->cancel and cc->dead, above). */
		if (!(st & AXON_ST_WAITER) &&
		    !atomic_compare_exchange_strong(op->sp, &st,
			st | AXON_ST_WAITER)) {
			continue;
		}
		if (send_recheck(op)) {
			continue;
		}
		(void) axon__futex_wait(op->sp, st | AXON_ST_WAITER, NULL);
	}
	axon__cconn_put(cc);
}

/* The futex wait of send_sleep(), where a cancellation request is acted
 * on if the call is a cancellation point (send_common() disabled
 * cancellation for the rest of the call; FUTEX_WAIT_CANCELLABLE). */
static int
send_futex_wait(struct send_op *op, uint32_t st, const struct timespec *at)
{
	struct timespec far;
	int rc;

	if (!op->cancellable) {
		return axon__futex_wait(op->sp, st, at);
	}
	if (at == NULL) {
		/* (As axon__futex_wait: a timeout, so that a signal ends
		 * the wait even under SA_RESTART.) */
		clock_gettime(CLOCK_MONOTONIC, &far);
		far.tv_sec += 86400;
	}
	pthread_cleanup_push(send_cancelled, op);
	FUTEX_WAIT_CANCELLABLE(rc, op->sp, st, at != NULL ? at : &far);
	pthread_cleanup_pop(0);
	if (rc == -ETIMEDOUT && at == NULL) {
		rc = 0; /* spurious: the caller looks again */
	}
	return rc;
}

/* Sleeps on the state word until it changes, a signal, or at. */
static int
send_sleep(struct send_op *op, uint32_t st, const struct timespec *at)
{
	int ph = AXON_ST_PHASE(st);
	int rc;

	/* A REPLY timeout must start counting when the server takes the
	 * message: ask to be woken then. */
	uint32_t want = AXON_ST_WAITER;
	bool netpend = ph == AXON_PH_RECEIVED && (st & AXON_ST_NETPEND);
	if ((ph == AXON_PH_SENT || netpend) && !op->unblock_sent &&
	    axon__deadline_applies(&op->dl, _NTO_TIMEOUT_REPLY)) {
		want |= AXON_ST_WAKERCV;
	}
	if ((st & want) != want) {
		if (!atomic_compare_exchange_strong(op->sp, &st, st | want)) {
			return 1;
		}
		st |= want;
	}
	/* The send-time boost: a real-time sender whose message still
	 * waits raises the server's receiving thread (boost.c); one whose
	 * message was taken raises the thread that took it, if it has not
	 * applied the inherited priority yet (axon__boost_taken).  Once per
	 * post, only now (a reply caught by spinning costs nothing), and
	 * only for a local server: for another node the server's node does
	 * it (axon__nsend_post). */
	if ((ph == AXON_PH_SENT || ph == AXON_PH_RECEIVED) && !op->boosted &&
	    op->cc->nd == 0 && (op->prio & 0x100)) {
		op->boosted = true;
		if (ph == AXON_PH_SENT) {
			axon__boost(op->cc, op->i, op->seq, op->prio);
		} else {
			axon__boost_taken(op->cc, op->i, op->seq, op->prio);
		}
		return 1; /* the state may have changed meanwhile */
	}
	if (send_recheck(op)) {
		return 1;
	}
	/* (Only now, about to sleep: a reply caught by spinning costs the
	 * status page nothing.) */
	axon__ps_send_block(op->cc, op->coid, op->i,
	    ph == AXON_PH_RECEIVED && !netpend);
	rc = send_futex_wait(op, st, at);
	axon__ps_running();
	/* A timeout is judged at the top of the loop against the state the
	 * message is in by then: the server may have taken it meanwhile,
	 * and a SEND-only timeout then no longer applies. */
	if (rc == -EINTR) {
		return send_interrupted(op->cc, op->i, op->seq, EINTR,
		    &op->unblock_sent);
	}
	return 1;
}

/* A remote reply is arriving (AXON_ST_MORE, cleared by the caller):
 * copies what is there since the last look into the caller's iov, so
 * that the copy overlaps the transfer instead of following it.  The
 * network manager only raises avail over bytes that are final; if that
 * stops holding it sets avail to 0, and send_take_reply copies it all. */
static void
send_reply_progress(struct send_op *op)
{
	struct axon_slot *s = &op->cc->rgn->slot[op->i];
	uint32_t a = atomic_load(&s->avail); /* (see net_reply_progress) */
	uint64_t have = a & ~AXON_AVAIL_MORE;

	if (!(a & AXON_AVAIL_MORE)) {
		return;
	}
	if (have > op->rsize) {
		have = op->rsize;
	}
	if (have <= op->rdone || op->reply_off + have > op->data_size) {
		return;
	}
	axon__iov_copy_out(op->a->riov, op->a->rparts, (size_t) op->rdone,
	    op->data + op->reply_off + op->rdone, (size_t) (have - op->rdone));
	op->rdone = have;
}

/* Waits for the reply: 0 when the slot is REPLIED, or -errno (the slot
 * has been given up). */
static int
send_wait(struct send_op *op)
{
	for (;;) {
		uint32_t st = atomic_load_explicit(op->sp,
		    memory_order_acquire);
		const struct timespec *at = NULL;
		int rc;

		if (AXON_ST_PHASE(st) == AXON_PH_REPLIED) {
			return 0;
		}
		if ((st & AXON_ST_MORE) && op->cc->nd != 0 &&
		    AXON_ST_PHASE(st) == AXON_PH_RECEIVED) {
			if (atomic_compare_exchange_weak(op->sp, &st,
				st & ~AXON_ST_MORE)) {
				send_reply_progress(op);
			}
			continue;
		}
		rc = send_check_events(op);
		if (rc == 0) {
			rc = send_check_deadline(op, st, &at);
		}
		if (rc == 0) {
			rc = send_spin(op);
		}
		if (rc == 0) {
			rc = send_sleep(op, st, at);
		}
		if (rc < 0) {
			return rc;
		}
	}
}

/* Takes the reply from the REPLIED slot and frees it: 0 with the
 * server's status in *ret_status, 1 if the server asked for the message
 * again (ERESTART), or the server's error, negated. */
static int
send_take_reply(struct send_op *op, long *ret_status)
{
	struct axon_slot *s = &op->cc->rgn->slot[op->i];

	atomic_thread_fence(memory_order_acquire);
	int serr = s->err;
	long status = (long) s->status;
	/* What came in order and stayed so was copied as it came. */
	uint32_t a = atomic_load_explicit(&s->avail, memory_order_relaxed);
	uint64_t skip = op->rdone > 0 && (a & AXON_AVAIL_MORE) &&
		(a & ~AXON_AVAIL_MORE) >= op->rdone
	    ? op->rdone
	    : 0;
	/* Data the server wrote (MsgWrite) reaches the caller even when it
	 * then answered with MsgError, as with QNX's direct copies. */
	reply_consume(op->cc, op->i, op->data, op->data_size, op->reply_off,
	    op->rsize, op->a->riov, op->a->rparts, skip);
	atomic_store(op->sp, AXON_ST_MAKE(AXON_PH_FREE, 0, op->seq));
	axon__slot_free(op->cc, op->i);
	if (serr == ERESTART) {
		return 1;
	}
	if (serr > 0 && serr < 4096) {
		return -serr;
	}
	*ret_status = status; /* any value, negative ones included */
	return 0;
}

static int
send_common(int coid, const struct send_args *a, bool cancel_point,
    long *ret_status)
{
	struct send_op op = {.a = a, .coid = coid};
	int cstate;
	int rc;

	if (cancel_point) {
		pthread_testcancel();
	}
	/* Acted on at the start and at the end only (MsgSend(3),
	 * Cancellation): between, the call holds a reference and a slot
	 * that a cancellation at any point inside (a library call that
	 * happens to be one) would leak for ever, and with them the
	 * connection.  The one exception is the sleep of send_sleep(),
	 * where a request ends the message as a signal would and lets go
	 * of it (send_cancelled). */
	(void) pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cstate);
	op.cancellable = cancel_point && cstate == PTHREAD_CANCEL_ENABLE;
	axon__timeout_take(&op.dl);
	rc = axon__coid_get_seq(coid, &op.cc, &op.detach_seq0);
	if (rc < 0) {
		if (coid == _NTO_SIDE_CHANNEL) { /* SYSMGR_COID */
			rc = axon__sysmgr_send(a->siov, a->sparts, a->riov,
			    a->rparts, ret_status);
		}
		(void) pthread_setcancelstate(cstate, NULL);
		return rc;
	}
	AXON_TRACE(send, coid, op.cc);
	rc = send_sizes(&op);
	if (rc == 0) {
		do {
			rc = send_post(&op);
			if (rc == 0) {
				rc = send_wait(&op);
			}
			if (rc == 0) {
				rc = send_take_reply(&op, ret_status);
			}
		} while (rc == 1); /* ERESTART: post it again */
	}
	AXON_TRACE(send_end, coid, rc, ret_status);
	axon__cconn_put(op.cc);
	(void) pthread_setcancelstate(cstate, NULL);
	if (cancel_point) {
		pthread_testcancel();
	}
	return rc;
}

/*
 * Sends and waits: 0 with the server's reply status in *ret_status (any
 * value, even a negative one, as QNX's MsgSend() returns it), or -errno.
 */
int
axon__send(int coid, const iov_t *siov, size_t sparts, const iov_t *riov,
    size_t rparts, bool cancel_point, long *ret_status)
{
	struct send_args a = {siov, sparts, riov, rparts};

	if (sparts > INT32_MAX || rparts > INT32_MAX) {
		return -EOVERFLOW;
	}
	return send_common(coid, &a, cancel_point, ret_status);
}

/*
 * The send family (send_table.h).  Each form is one call of axon__send().
 * The plain form returns the server's reply status as is (negative
 * values included, as QNX's does) or -1 with errno; the _r form returns
 * the status or -errno.  A buffer argument is turned into a one-part IOV.
 */
struct side {
	const void *buf; /* buffer form, or NULL */
	size_t bytes;
	const iov_t *iov; /* IOV form */
	size_t parts;
	bool is_iov;
};

/* 0 with the server's status in *ret_status, or -errno. */
static int
send_any(int coid, struct side sd, struct side rd, bool cancel,
    long *ret_status)
{
	iov_t s = {.iov_base = (void *) sd.buf, .iov_len = sd.bytes};
	iov_t r = {.iov_base = (void *) rd.buf, .iov_len = rd.bytes};

	if ((!sd.is_iov && sd.buf == NULL && sd.bytes > 0) ||
	    (!rd.is_iov && rd.buf == NULL && rd.bytes > 0) ||
	    (sd.is_iov && sd.iov == NULL && sd.parts > 0) ||
	    (rd.is_iov && rd.iov == NULL && rd.parts > 0)) {
		return -EFAULT;
	}
	return axon__send(coid, sd.is_iov ? sd.iov : &s,
	    sd.is_iov ? sd.parts : 1, rd.is_iov ? rd.iov : &r,
	    rd.is_iov ? rd.parts : 1, cancel, ret_status);
}

/* A row's sides: the parameters, and the struct side made of them. */
#define SEND_SPARAMS_BUF const void *smsg, size_t sbytes
#define SEND_SPARAMS_IOV const iov_t *siov, size_t sparts
#define SEND_RPARAMS_BUF void *rmsg, size_t rbytes
#define SEND_RPARAMS_IOV const iov_t *riov, size_t rparts
#define SEND_SSIDE_BUF ((struct side){smsg, sbytes, NULL, 0, false})
#define SEND_SSIDE_IOV ((struct side){NULL, 0, siov, sparts, true})
#define SEND_RSIDE_BUF ((struct side){rmsg, rbytes, NULL, 0, false})
#define SEND_RSIDE_IOV ((struct side){NULL, 0, riov, rparts, true})

/* One row: NAME and NAME_r (errno is set here, and only here). */
#define SEND_DEFINE(name, sk, rk, cancel)                                  \
	long name(int coid, SEND_SPARAMS_##sk, SEND_RPARAMS_##rk)          \
	{                                                                  \
		int saved = errno;                                         \
		long status = 0;                                           \
		int rc = send_any(coid, SEND_SSIDE_##sk, SEND_RSIDE_##rk,  \
		    cancel, &status);                                      \
                                                                           \
		if (rc < 0) {                                              \
			errno = -rc;                                       \
			return -1;                                         \
		}                                                          \
		errno = saved; /* success leaves errno alone */            \
		return status;                                             \
	}                                                                  \
                                                                           \
	long name##_r(int coid, SEND_SPARAMS_##sk, SEND_RPARAMS_##rk)      \
	{                                                                  \
		AXON_KEEP_ERRNO;                                           \
                                                                           \
		long status = 0;                                           \
		int rc = send_any(coid, SEND_SSIDE_##sk, SEND_RSIDE_##rk,  \
		    cancel, &status);                                      \
                                                                           \
		return rc < 0 ? rc : status;                               \
	}

AXON_SEND_TABLE(SEND_DEFINE)
