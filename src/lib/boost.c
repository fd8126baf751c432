/* SPDX-License-Identifier: MIT */
/*
 * The send-time boost (docs/design/local-transport.md §6): a real-time
 * client whose message waits on the channel (no server thread was
 * RECEIVE-blocked to take it at once) raises the server thread that last
 * took a message from its connection to its own priority, so that it
 * never waits behind the server's ordinary work.  QNX's kernel does this
 * to the thread last receiving on the channel; on Linux the client does
 * it itself, with the kernel's permission (root, CAP_SYS_NICE, or the
 * server's user within the server's RLIMIT_RTPRIO), and does nothing
 * where it is refused.
 *
 * The server learns of it through the slot's BOOSTED flag (seen when the
 * message is taken) or the region's unboost word (a boosted message that
 * was withdrawn): either makes every thread of the server check its own
 * priority again (axon__prio_recheck), since what a receiving thread
 * last applied is no longer what it has.
 *
 * AXON_NO_BOOST=1 in the sender's environment turns it off (read once):
 * for bench/rt_boost, which measures the difference in one run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "msg_int.h"

static int
boost_off(void)
{
	static _Atomic int off = -1;
	int v = atomic_load_explicit(&off, memory_order_relaxed);

	if (v < 0) {
		const char *e = getenv("AXON_NO_BOOST");

		v = e != NULL && e[0] == '1';
		atomic_store(&off, v);
	}
	return v;
}

/* The server thread tid, if it is one of the server's own and runs below
 * prio (axon__my_prio's form): tid, or 0. */
static pid_t
boost_target(struct axon_cconn *cc, pid_t tid, int prio)
{
	struct sched_param sp_cur;
	int pol;

	if (!(prio & 0x100) || boost_off()) {
		return 0; /* QNX's default, 10: nothing to raise anyone to */
	}
	/* The server wrote tid: it must name one of its own threads (a
	 * hostile server cannot make us raise another process). */
	if (tid <= 0 || cc->peer_pid <= 0 ||
	    syscall(SYS_tgkill, cc->peer_pid, tid, 0) != 0) {
		return 0;
	}
	pol = sched_getscheduler(tid);
	if (pol < 0 || sched_getparam(tid, &sp_cur) != 0) {
		return 0;
	}
	if ((pol == SCHED_FIFO || pol == SCHED_RR) &&
	    sp_cur.sched_priority >= (prio & 0xff)) {
		return 0; /* as high already: no boost */
	}
	return tid;
}

/* Raises the server's receiving thread for the message in slot i (seq),
 * sent at prio (axon__my_prio's form), if it is lower.  cc->peer_pid is
 * the process that takes the message.  The caller's message is SENT. */
void
axon__boost(struct axon_cconn *cc, int i, uint32_t seq, int prio)
{
	_Atomic uint32_t *sp = &cc->rgn->slot[i].state;
	pid_t tid = boost_target(cc,
	    atomic_load_explicit(&cc->rgn->srv_tid, memory_order_relaxed), prio);
	struct sched_param sp_cur;

	if (tid == 0) {
		return;
	}
	/* Flag first, so that whoever takes the message knows. */
	uint32_t st = atomic_load(sp);
	for (;;) {
		if (AXON_ST_PHASE(st) != AXON_PH_SENT ||
		    AXON_ST_SEQ(st) != seq) {
			return; /* taken (at our priority) or withdrawn */
		}
		if ((st & AXON_ST_BOOSTED) ||
		    atomic_compare_exchange_weak(sp, &st,
			st | AXON_ST_BOOSTED)) {
			break;
		}
	}
	sp_cur.sched_priority = prio & 0xff;
	if (sched_setscheduler(tid, SCHED_FIFO, &sp_cur) != 0) {
		return; /* not permitted: as without the boost */
	}
	st = atomic_load(sp);
	if (AXON_ST_PHASE(st) != AXON_PH_SENT || AXON_ST_SEQ(st) != seq) {
		/* Taken meanwhile: the taker may have applied another
		 * priority before our change landed. */
		axon__unboost(cc, i);
	}
}

/*
 * The message in slot i (seq) is taken, but the thread that took it may
 * not run yet at the priority it inherits: it applies that itself once it
 * runs (receive_common), and a thread woken, or preempted, at an ordinary
 * priority first waits behind ordinary work for a time slice, where QNX's
 * kernel raises it in the same step as the receive.  A real-time client
 * about to sleep REPLY-blocked therefore raises it if it is still lower:
 * the thread that took this message (the slot's taker, stored before the
 * state said RECEIVED, which the caller saw), which applies this same
 * priority itself (receive.c), so the two agree whichever lands last.
 * If the message is no longer held by then, the raise may have landed on
 * the thread's next message: the server's threads check their priorities
 * again.
 */
void
axon__boost_taken(struct axon_cconn *cc, int i, uint32_t seq, int prio)
{
	struct axon_slot *s = &cc->rgn->slot[i];
	_Atomic uint32_t *sp = &s->state;
	uint32_t st = atomic_load_explicit(sp, memory_order_acquire);
	pid_t tid;
	struct sched_param sp_cur;

	if (AXON_ST_PHASE(st) != AXON_PH_RECEIVED || AXON_ST_SEQ(st) != seq) {
		return;
	}
	tid = boost_target(cc,
	    atomic_load_explicit(&s->taker, memory_order_relaxed), prio);
	if (tid == 0) {
		return;
	}
	sp_cur.sched_priority = prio & 0xff;
	if (sched_setscheduler(tid, SCHED_FIFO, &sp_cur) != 0) {
		return;
	}
	st = atomic_load(sp);
	if (AXON_ST_PHASE(st) != AXON_PH_RECEIVED || AXON_ST_SEQ(st) != seq) {
		axon__unboost(cc, i);
	}
}

/* A boosted message of slot i will not be taken (withdrawn), or the
 * boost may have landed late: the server's threads check their
 * priorities again when the bell's receiver sees the word. */
void
axon__unboost(struct axon_cconn *cc, int i)
{
	atomic_store(&cc->rgn->unboost, 1);
	(void) axon__ring_bell(cc, i);
}
