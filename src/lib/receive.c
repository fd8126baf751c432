/* SPDX-License-Identifier: MIT */
/*
 * The server's receive (msg_int.h): MsgReceive*() take the first item of
 * the channel's queue -- a pulse, or a posted message made RECEIVED and
 * copied out -- or spin, or sleep until the bells bring one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msg_int.h"

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
	/* A message for another node: the network manager takes it, but
	 * its client stays SEND-blocked until the remote server receives
	 * it (axon__net_received). */
	bool net = (sc->chan->flags & _NTO_CHF_NET_MSG) != 0;
	uint32_t add = net ? AXON_ST_NETPEND : 0;

	/* Who takes a real-time client's message (boost.c,
	 * axon__boost_taken, which only such a client reads), published by
	 * the CAS below. */
	if (s->prio & 0x100) {
		atomic_store_explicit(&s->taker,
		    sc->chan->flags & _NTO_CHF_FIXED_PRIORITY ? 0
							      : axon__gettid(),
		    memory_order_relaxed);
	}
	/* The client may set flags (WAITER) at any moment: retry on those,
	 * give up only if it withdrew the message. */
	while (!atomic_compare_exchange_weak(sp, &st,
	    AXON_ST_MAKE(AXON_PH_RECEIVED, (st & 0xff00u) | add, seq))) {
		if (AXON_ST_PHASE(st) != AXON_PH_SENT ||
		    AXON_ST_SEQ(st) != seq) {
			return 0; /* withdrawn just now */
		}
	}
	if ((st & AXON_ST_WAKERCV) && !net) {
		axon__futex_wake(sp, 1); /* its REPLY timeout starts now */
	}
	if (sc->virt && (st & AXON_ST_NOTIFY)) {
		/* The network manager sleeps: tell it its remote client is
		 * REPLY-blocked now. */
		axon__notify_received(sc, slot, seq);
	}
	if (st & AXON_ST_BOOSTED) {
		/* Its client raised one of our threads while it waited
		 * (boost.c): maybe not this one. */
		axon__prio_recheck();
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
					axon__notify_replied(sc, slot, seq);
				}
				break;
			}
		}
		return 0;
	}
	ss->seq = seq;
	ss->gen = (uint8_t) (ss->gen + 1);
	ss->received = true;
	if (!net) {
		axon__ps_hold(sc, slot, true); /* its sender is REPLY-blocked */
	}
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
				 memory_order_acquire) &
		    ~AXON_AVAIL_MORE;

		ss->avail = a < sbytes ? a : sbytes;
	}
	ss->data = data;
	ss->data_size = data_size;
	ss->n_ext = 0;
	return 1;
}

void
axon__fill_info(struct axon_sconn *sc, uint32_t slot, size_t msglen,
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
	info->msglen = (ssize_t) msglen;
	info->srcmsglen = (ssize_t) ss->sbytes;
	info->dstmsglen = (ssize_t) ss->rbytes;
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

/* Collects what the bells announce before a receiver takes from a
 * non-empty queue (see receive_common). */
static void
collect_first(struct axon_chan *chan)
{
	bool nonempty;
	bool got;

	pthread_mutex_lock(&chan->lock);
	nonempty = chan->head != NULL;
	pthread_mutex_unlock(&chan->lock);
	if (nonempty) {
		(void) axon__bells_collect(chan, &got);
	}
}

/* A pulse-only receiver (MsgReceivePulse) takes the bells rung so far
 * before it chooses, whatever the queue holds: it sleeps on pulse_fd,
 * not on the bells, so that pulses in a client's socket (rung, not yet
 * read by the monitor thread) would otherwise come to it one at a time,
 * lowest priority first if so sent.  Messages the bells announce go on
 * the queue as for any receiver.  A MsgReceive asleep on the set is
 * poked again if we took anything from it: the bells of those messages,
 * or a poke meant for it (tag 0), which we cannot act on. */
static void
collect_pulses(struct axon_chan *chan)
{
	bool got;

	(void) axon__bells_collect(chan, &got);
	if (got) {
		pthread_mutex_lock(&chan->lock);
		if (chan->msg_sleepers > 0) {
			axon__chan_poke(chan);
		}
		pthread_mutex_unlock(&chan->lock);
	}
}

/* Pops the first item this receiver may take into *ret_it (NULL: none),
 * and wakes another for what is left: 0, or -ESRCH if the channel is
 * being destroyed. */
static int
queue_pop(struct axon_chan *chan, bool pulse_only,
    struct axon_qitem **ret_it)
{
	struct axon_qitem *it;
	bool more;

	pthread_mutex_lock(&chan->lock);
	if (chan->destroyed) {
		/* ChannelDestroy woke one of us: wake the next. */
		axon__chan_wake(chan, pulse_only);
		pthread_mutex_unlock(&chan->lock);
		return -ESRCH;
	}
	it = queue_take(chan, pulse_only, &more);
	if (it != NULL && more) {
		/* Someone else can take what we leave. */
		axon__wake_for_rest(chan);
	}
	pthread_mutex_unlock(&chan->lock);
	*ret_it = it;
	return 0;
}

/* The priority of the pulse this thread took last (1-255): what a
 * network manager forwards, whatever its own thread's scheduling could
 * take on (Linux's real-time priorities stop at 99; axond's loop thread
 * need not change at all). */
static __thread int tls_pulse_prio;

int
axon__last_pulse_prio(void)
{
	return tls_pulse_prio;
}

/* Copies a queued pulse out and frees it: 0, or -EFAULT. */
static int
take_pulse(struct axon_chan *chan, struct axon_qitem *it, const iov_t *iov,
    size_t parts, size_t cap)
{
	if (cap < sizeof(struct _pulse)) {
		free(it);
		return -EFAULT; /* the pulse is lost, as in QNX */
	}
	axon__iov_copy_out(iov, parts, 0, &it->pulse, sizeof(it->pulse));
	tls_pulse_prio = it->prio & 0xff;
	if (!(chan->flags & _NTO_CHF_FIXED_PRIORITY)) {
		int pp = it->prio & 0xff;

		/* A pulse carries a plain QNX priority: 10 is the default
		 * (SCHED_OTHER), others are real-time. */
		axon__apply_prio(pp == 10 ? 10 : pp | 0x100);
	}
	free(it);
	return 0;
}

/* Takes the message a queued item announces (and frees the item): true
 * with its rcvid in *ret_rcvid, false if it is gone (withdrawn, or
 * refused as malformed). */
static bool
take_queued(struct axon_chan *chan, struct axon_qitem *it, const iov_t *iov,
    size_t parts, size_t cap, struct _msg_info *info, rcvid_t *ret_rcvid)
{
	struct axon_sconn *sc = it->sc;
	uint32_t slot = it->slot;

	free(it);
	pthread_mutex_lock(&sc->lock);
	if (!take_message(sc, slot)) {
		pthread_mutex_unlock(&sc->lock);
		axon__sconn_put(sc);
		return false;
	}
	struct axon_sslot *ss = &sc->slot[slot];
	size_t n = ss->avail < cap ? ss->avail : cap;
	int prio = ss->prio;

	axon__iov_copy_out(iov, parts, 0, ss->data, n);
	if (sc->virt && n < cap && n < ss->sbytes) {
		/* The rest may still be arriving (netmgr_msg.c). */
		n = axon__vmsg_copy_rest(sc, slot, iov, parts, n, cap);
		ss = &sc->slot[slot];
	}
	if (info != NULL) {
		axon__fill_info(sc, slot, n, info);
	}
	*ret_rcvid = RCVID_MAKE(ss->gen, slot, sc->idx);
	int cpu = axon__getcpu();
	if (atomic_load_explicit(&sc->rgn->srv_cpu, memory_order_relaxed) !=
	    cpu) {
		atomic_store(&sc->rgn->srv_cpu, cpu);
	}
	atomic_store(&chan->last_cli_cpu, sc->rgn->slot[slot].cli_cpu);
	atomic_store(&chan->last_bytes, ss->sbytes + ss->rbytes);
	atomic_store(&chan->hint_idx, sc->idx);
	if (!(chan->flags & _NTO_CHF_FIXED_PRIORITY)) {
		/* The thread a real-time client of this connection raises
		 * while its next message waits (boost.c); stored only when
		 * it changes. */
		pid_t me = axon__gettid();

		if (atomic_load_explicit(&sc->rgn->srv_tid,
			memory_order_relaxed) != me) {
			axon__prio_base(); /* what it returns to: its own */
			atomic_store(&sc->rgn->srv_tid, me);
		}
		if (atomic_load_explicit(&chan->last_tid,
			memory_order_relaxed) != me) {
			atomic_store(&chan->last_tid, me);
		}
	}
	pthread_mutex_unlock(&sc->lock);
	axon__sconn_put(sc);
	if (!(chan->flags & _NTO_CHF_FIXED_PRIORITY)) {
		axon__apply_prio(prio);
	}
	return true;
}

/* The time left until dl, if a RECEIVE timeout applies: 0 with *ret_tp
 * pointing at *rel (or NULL: none), or -ETIMEDOUT if it has passed. */
static int
receive_left(const struct axon_deadline *dl, struct timespec *rel,
    const struct timespec **ret_tp)
{
	struct timespec now;

	*ret_tp = NULL;
	if (!axon__deadline_applies(dl, _NTO_TIMEOUT_RECEIVE)) {
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	rel->tv_sec = dl->at.tv_sec - now.tv_sec;
	rel->tv_nsec = dl->at.tv_nsec - now.tv_nsec;
	if (rel->tv_nsec < 0) {
		rel->tv_nsec += 1000000000;
		rel->tv_sec--;
	}
	if (rel->tv_sec < 0) {
		return -ETIMEDOUT;
	}
	*ret_tp = rel;
	return 0;
}

/* Nothing queued: sleeps until woken, counted among the channel's
 * sleepers.  1 when woken, or -errno (-ETIMEDOUT, -EINTR for a signal;
 * anything else, the wait itself refused -- ENOMEM, or a filter -- is
 * reported rather than retried at full speed). */
static int
receive_wait(struct axon_chan *chan, int chid, const struct axon_deadline *dl,
    bool pulse_only)
{
	const struct timespec *tp;
	struct timespec rel;
	bool pending;
	int prc;

	prc = receive_left(dl, &rel, &tp);
	if (prc < 0) {
		return prc;
	}
	pthread_mutex_lock(&chan->lock);
	(*sleepers(chan, pulse_only))++;
	pending = chan->destroyed ||
	    (pulse_only ? axon__queue_has(chan, true) : chan->head != NULL);
	pthread_mutex_unlock(&chan->lock);
	if (!pending) {
		axon__ps_recv_block(chid, pulse_only);
	}
	prc = pending ? 1 : axon__receive_sleep(chan, tp, pulse_only);
	axon__ps_running();
	pthread_mutex_lock(&chan->lock);
	(*sleepers(chan, pulse_only))--;
	if (prc <= 0) {
		/* Leaving without taking anything: a wake-up meant for
		 * whoever takes what is queued may have come to us, still
		 * counted asleep.  Pass it on. */
		axon__pass_on(chan);
	}
	pthread_mutex_unlock(&chan->lock);
	return prc == 0 ? -ETIMEDOUT : prc > 0 ? 1 : prc;
}

/*
 * net: the network manager's receive (netloop.c), which takes a batch of
 * items one call at a time: it collects the bells only when the queue is
 * empty, so that one epoll_pwait queues every message rung so far and
 * the calls that follow take them without a system call.  (Order between
 * a pulse and a message not yet collected does not matter to it: the
 * items of one client connection keep their order either way.)
 */
static rcvid_t
receive_common(int chid, const iov_t *iov, size_t parts,
    struct _msg_info *info, bool pulse_only, bool net)
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
	bool collected = net;
	for (;;) {
		struct axon_qitem *it;
		bool got;

		/* Messages wait behind their bells until a receiver takes
		 * the events, pulses go straight to the queue: before taking
		 * from a non-empty queue, collect what was posted, so that
		 * priority and send order decide, not the path.  (A
		 * pulse-only receiver collects in any case: collect_pulses.) */
		if (!collected) {
			collected = true;
			if (pulse_only) {
				collect_pulses(chan);
			} else {
				collect_first(chan);
			}
		}
		ret = queue_pop(chan, pulse_only, &it);
		if (ret < 0) {
			goto out;
		}
		if (it != NULL && it->is_pulse) {
			ret = take_pulse(chan, it, iov, parts, cap);
			goto out;
		}
		if (it != NULL) {
			if (take_queued(chan, it, iov, parts, cap, info,
				&ret)) {
				goto out;
			}
			continue;
		}
		/* Nothing queued. */
		if (dl.armed && (dl.states & _NTO_TIMEOUT_RECEIVE) &&
		    dl.immediate) {
			/* A poll: look at the bells once before giving up. */
			if (!polled && !pulse_only) {
				polled = true;
				if (axon__bells_collect(chan, &got) > 0 ||
				    got) {
					continue;
				}
			}
			ret = -ETIMEDOUT;
			goto out;
		}
		if (!spun && !pulse_only) {
			spun = true;
			if (axon__receive_spin(chan)) {
				continue;
			}
		}
		ret = receive_wait(chan, chid, &dl, pulse_only);
		if (ret < 0) {
			goto out;
		}
		spun = false;
	}
out:
	AXON_TRACE(recv, chid, ret, iov, parts, info);
	axon__chan_put(chan);
	return ret;
}

rcvid_t
MsgReceivev_r(int chid, const iov_t *iov, size_t parts,
    struct _msg_info *info)
{
	AXON_KEEP_ERRNO;

	return receive_common(chid, iov, parts, info, false, false);
}

rcvid_t
MsgReceive_r(int chid, void *msg, size_t bytes, struct _msg_info *info)
{
	AXON_KEEP_ERRNO;

	ONE_IOV(v, msg, bytes);

	if (msg == NULL && bytes > 0) {
		return -EFAULT;
	}
	return receive_common(chid, &v, 1, info, false, false);
}

int
MsgReceivePulsev_r(int chid, const iov_t *iov, size_t parts,
    struct _msg_info *info)
{
	AXON_KEEP_ERRNO;

	return (int) receive_common(chid, iov, parts, info, true, false);
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
	return (int) receive_common(chid, &v, 1, info, true, false);
}

rcvid_t
axon__receive_net(int chid, void *msg, size_t bytes, struct _msg_info *info)
{
	ONE_IOV(v, msg, bytes);

	return receive_common(chid, &v, 1, info, false, true);
}
