/* SPDX-License-Identifier: MIT */
/*
 * Wake-ups (msg_int.h): the client rings its connection's bell; a
 * receiver takes the bells rung (the channel's epoll set), watches a
 * client's slots while it spins, sleeps on the bells (or on pulse_fd),
 * and passes on a wake-up it will not use.  The sweep of every region
 * after a cancelled sleep is axon__sconn_chan_sweep() (sconn.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "msg_int.h"

int
axon__ring_bell(struct axon_cconn *cc, int i)
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
	/* (The raw call: write() is a cancellation point, and the message
	 * is posted; MsgSendnc() is none.) */
	if (syscall(SYS_write, cc->bell, &zero, sizeof(zero)) !=
	    (long) sizeof(zero)) {
		/* Cannot happen to a live eventfd; whatever broke it, our
		 * socket carries the news instead. */
		struct axon_ctl m;

		axon__ctl_init(&m, AXON_CTL_TOKEN);
		m.u.slot.slot = (uint32_t) i;
		return axon__cconn_sendctl(cc, &m, -1) < 0 ? -EAGAIN : 0;
	}
	return 0;
}

/* Whether a pulse (or a message) is queued (chan->lock held). */
bool
axon__queue_has(const struct axon_chan *chan, bool pulse)
{
	for (const struct axon_qitem *it = chan->head; it != NULL;
	    it = it->next) {
		if (it->is_pulse == pulse) {
			return true;
		}
	}
	return false;
}

/* A receiver took one item and more are queued (chan->lock held): a
 * MsgReceive can take any of them, a MsgReceivePulse only a pulse. */
void
axon__wake_for_rest(struct axon_chan *chan)
{
	if (chan->msg_sleepers > 0) {
		axon__chan_poke(chan);
	} else if (chan->pulse_sleepers > 0 && axon__queue_has(chan, true)) {
		axon__chan_wake(chan, true);
	}
}

/* A receiver leaves (chan->lock held): wake one for what is queued. */
void
axon__pass_on(struct axon_chan *chan)
{
	if (axon__queue_has(chan, true)) {
		axon__chan_wake(chan, true);
	}
	if (axon__queue_has(chan, false)) {
		axon__chan_wake(chan, false);
	}
}

/* Bells rung (epoll events): queues what their clients marked posted.
 * Tag 0 is the channel's own poke, which only asks to look at the
 * queue; a timer's tag (AXON_TIMER_EPTAG) queues its pulse.  Returns how
 * many messages were queued. */
static int
bells_take(struct axon_chan *chan, const struct epoll_event *ev, int n)
{
	int q = 0;

	for (int k = 0; k < n; k++) {
		if (ev[k].data.u64 & AXON_TIMER_EPTAG) {
			axon__timer_ready(ev[k].data.u64); /* queues a pulse */
		} else if (ev[k].data.u64 != 0) {
			q += axon__sconn_chan_bell(chan, ev[k].data.u64);
		}
	}
	return q;
}

#define AXON_BELL_BATCH 32

/* How long a receiver that finds its messages in memory goes without
 * taking the bells (axon__receive_spin). */
#define AXON_BELLS_STALE_NS 20000ull

/* Takes the bells rung so far without blocking; returns how many
 * messages were queued.  (The raw system call: not a cancellation
 * point, so a receiver is never cancelled holding events.) */
int
axon__bells_collect(struct axon_chan *chan, bool *got_any)
{
	struct epoll_event ev[AXON_BELL_BATCH];
	int n = (int) syscall(SYS_epoll_pwait, chan->epfd, ev, AXON_BELL_BATCH,
	    0, NULL, (size_t) 8);

	atomic_store_explicit(&chan->bells_ns, now_ns(),
	    memory_order_relaxed);
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

/*
 * Spins a while before a receiver sleeps, when the client of the last
 * message runs on another CPU: it is the likely sender of the next, so
 * its slots are watched in memory, and the bells (a system call) less
 * often.  Returns whether something was queued.
 */
bool
axon__receive_spin(struct axon_chan *chan)
{
	int pc = atomic_load(&chan->last_cli_cpu);

	if (!should_spin(pc) || axon__proc.spin_ns <= 0) {
		return false;
	}
	uint64_t t0 = now_ns();
	bool hit = false;
	bool got;

	uint64_t budget = spin_budget(atomic_load(&chan->last_bytes));
	struct axon_sconn *hint = axon__sconn_get(
	    atomic_load(&chan->hint_idx));
	int k = 0;

	if (hint != NULL && hint->chan != chan) {
		axon__sconn_put(hint);
		hint = NULL;
	}
	/* Not cancelled while srv_spin is set. */
	int ocs;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &ocs);
	if (hint != NULL) {
		atomic_store(&hint->rgn->srv_spin, 1);
	}
	for (uint64_t now = t0; now - t0 < budget; now = now_ns()) {
		if (hint != NULL && spin_peek(chan, hint, false)) {
			hit = true;
			/* Found in memory, no system call; but a receiver
			 * in a tight exchange with one client would find its
			 * next message so every time, and the bells of the
			 * others, a higher priority among them, would wait
			 * for as long as that lasts (a real-time client's
			 * message waited a CFS slice, about 1 ms, behind a
			 * flooding one: bench-boost).  So the bells are
			 * taken too once they are AXON_BELLS_STALE_NS old:
			 * one system call per that much of such an
			 * exchange, and that the bound on the wait. */
			if (now - atomic_load_explicit(&chan->bells_ns,
					   memory_order_relaxed) >
			    AXON_BELLS_STALE_NS) {
				(void) axon__bells_collect(chan, &got);
			}
			break;
		}
		if ((hint == NULL || (++k & 7) == 0) &&
		    (axon__bells_collect(chan, &got) > 0 || got)) {
			hit = true;
			break;
		}
		cpu_relax();
	}
	if (hint != NULL) {
		/* Posts made while srv_spin was set rang no bell: sweep them
		 * all up. */
		atomic_store(&hint->rgn->srv_spin, 0);
		atomic_thread_fence(memory_order_seq_cst);
		if (spin_peek(chan, hint, true)) {
			hit = true;
		}
	}
	axon__sconn_put(hint);
	pthread_setcancelstate(ocs, NULL);
	return hit;
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
		axon__pass_on(chan);
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
int
axon__receive_sleep(struct axon_chan *chan, const struct timespec *tp,
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
	if (n >= 0 && !pulse_only) {
		/* (The bells are taken as of now: axon__receive_spin.) */
		atomic_store_explicit(&chan->bells_ns, now_ns(),
		    memory_order_relaxed);
	}
	return n;
}
