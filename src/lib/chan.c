/* SPDX-License-Identifier: MIT */
/*
 * Channels: the server-private queue of posted messages and pulses, in
 * priority order, and the epoll set receivers sleep on.
 *
 * Each connection has its own bell, an eventfd that only its client and
 * this process hold (in the channel's epoll set): the client marks the
 * slots it posted in its region and rings its bell (a write of 0, which
 * cannot block); a receiver woken by it takes the marks
 * (axon__sconn_chan_bell).  No client can touch another's bell, so none
 * can steal or suppress another's wake-up.  The process itself wakes
 * receivers through the channel's own eventfd (axon__chan_poke).
 * MsgReceivePulse never takes bells (it could not take the messages):
 * it sleeps on a second eventfd of the channel's own, pulse_fd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"

#define AXON_CHF_KNOWN                                                  \
	(_NTO_CHF_FIXED_PRIORITY | _NTO_CHF_UNBLOCK | _NTO_CHF_THREAD_DEATH | \
	    _NTO_CHF_DISCONNECT | _NTO_CHF_NET_MSG | _NTO_CHF_SENDER_LEN |    \
	    _NTO_CHF_COID_DISCONNECT | _NTO_CHF_REPLY_LEN |                 \
	    _NTO_CHF_STICKY | _NTO_CHF_ASYNC_NONBLOCK | _NTO_CHF_ASYNC |      \
	    _NTO_CHF_GLOBAL | _NTO_CHF_PRIVATE | _NTO_CHF_MSG_PAUSING)

struct axon_chan *
axon__chan_get(int chid)
{
	struct axon_chan *c = NULL;

	if (chid < 1 || chid >= AXON_MAX_CHANS) {
		return NULL;
	}
	pthread_mutex_lock(&axon__proc.lock);
	if (axon__proc.inited) {
		c = axon__proc.chans[chid];
	}
	if (c != NULL) {
		atomic_fetch_add(&c->refs, 1);
	}
	pthread_mutex_unlock(&axon__proc.lock);
	return c;
}

/* The node's network manager channel of this process, +ref, or NULL. */
struct axon_chan *
axon__chan_get_net(void)
{
	struct axon_chan *c = NULL;

	pthread_mutex_lock(&axon__proc.lock);
	if (axon__proc.inited && axon__proc.net_chid > 0) {
		c = axon__proc.chans[axon__proc.net_chid];
	}
	if (c != NULL) {
		atomic_fetch_add(&c->refs, 1);
	}
	pthread_mutex_unlock(&axon__proc.lock);
	return c;
}

void
axon__chan_put(struct axon_chan *chan)
{
	if (chan == NULL || atomic_fetch_sub(&chan->refs, 1) != 1) {
		return;
	}
	while (chan->head != NULL) {
		struct axon_qitem *it = chan->head;

		chan->head = it->next;
		if (it->sc != NULL) {
			axon__sconn_put(it->sc);
		}
		free(it);
	}
	if (chan->epfd >= 0) {
		(void) close(chan->epfd);
	}
	if (chan->poke_fd >= 0) {
		(void) close(chan->poke_fd);
	}
	if (chan->pulse_fd >= 0) {
		(void) close(chan->pulse_fd);
	}
	pthread_mutex_destroy(&chan->lock);
	free(chan);
}

/* Adds 1 to one of the channel's own eventfds. */
static void
ring(int fd)
{
	uint64_t one = 1;

	(void) !write(fd, &one, sizeof(one));
}

/* Wakes one sleeping receiver (edge-triggered: every write is an event,
 * and the counter, never read, cannot fill in 2^64 writes). */
void
axon__chan_poke(struct axon_chan *chan)
{
	ring(chan->poke_fd);
}

/*
 * Wakes a receiver for queued work, chan->lock held: for a pulse, a
 * pulse-only receiver if one sleeps (it waits for nothing else), else
 * one MsgReceive; for a message, one MsgReceive.  A watched channel
 * (netloop.c) is poked whether a receiver sleeps or not.  pulse_fd is read by
 * the receivers it wakes (level-triggered), poke_fd never (each write
 * is an edge).
 */
void
axon__chan_wake(struct axon_chan *chan, bool pulse)
{
	if (pulse && chan->pulse_sleepers > 0) {
		ring(chan->pulse_fd);
	} else if (chan->msg_sleepers > 0 || chan->watched) {
		axon__chan_poke(chan);
	}
}

/* Inserts it in priority order (FIFO within one priority), chan->lock
 * held by the caller. */
static void
chan_insert(struct axon_chan *chan, struct axon_qitem *it)
{
	struct axon_qitem **pp = &chan->head;

	while (*pp != NULL && ((*pp)->prio > it->prio ||
				  ((*pp)->prio == it->prio &&
				      (*pp)->stamp <= it->stamp))) {
		pp = &(*pp)->next;
	}
	it->next = *pp;
	*pp = it;
}

void
axon__chan_insert(struct axon_chan *chan, struct axon_qitem *it)
{
	chan_insert(chan, it);
}

void
axon__chan_enqueue(struct axon_chan *chan, struct axon_qitem *it)
{
	pthread_mutex_lock(&chan->lock);
	chan_insert(chan, it);
	axon__chan_wake(chan, it->is_pulse);
	pthread_mutex_unlock(&chan->lock);
}

int
axon__chan_pulse(struct axon_chan *chan, int prio, int code,
    union sigval value, int scoid)
{
	return axon__chan_pulse_at(chan, prio, code, value, scoid,
	    axon__now_ns());
}

/* A pulse's queue item, not queued yet (NULL: no memory). */
struct axon_qitem *
axon__pulse_item(int prio, int code, union sigval value, int scoid,
    uint64_t stamp)
{
	struct axon_qitem *it = calloc(1, sizeof(*it));

	if (it == NULL) {
		return NULL;
	}
	it->is_pulse = true;
	it->prio = prio;
	it->stamp = stamp;
	it->pulse.type = _PULSE_TYPE;
	it->pulse.subtype = _PULSE_SUBTYPE;
	it->pulse.code = (int8_t) code;
	it->pulse.value = value;
	it->pulse.scoid = scoid;
	return it;
}

int
axon__chan_pulse_at(struct axon_chan *chan, int prio, int code,
    union sigval value, int scoid, uint64_t stamp)
{
	struct axon_qitem *it = axon__pulse_item(prio, code, value, scoid,
	    stamp);

	if (it == NULL) {
		return -EAGAIN;
	}
	pthread_mutex_lock(&chan->lock);
	if (chan->destroyed) {
		pthread_mutex_unlock(&chan->lock);
		free(it);
		return -ESRCH;
	}
	pthread_mutex_unlock(&chan->lock);
	axon__chan_enqueue(chan, it);
	return 0;
}

/* Queues a pulse on one of this process's own channels. */
int
axon__local_pulse(int chid, int prio, int code, union sigval value,
    int scoid)
{
	struct axon_chan *c = axon__chan_get(chid);
	int rc;

	if (c == NULL) {
		return -ESRCH;
	}
	rc = axon__chan_pulse(c, prio, code, value, scoid);
	axon__chan_put(c);
	return rc;
}

/* Removes every queued message of sc (the client died or detached). */
void
axon__chan_drop_sconn(struct axon_chan *chan, struct axon_sconn *sc)
{
	struct axon_qitem **pp;
	struct axon_qitem *dead = NULL;

	pthread_mutex_lock(&chan->lock);
	pp = &chan->head;
	while (*pp != NULL) {
		struct axon_qitem *it = *pp;

		if (it->sc == sc) {
			*pp = it->next;
			it->next = dead;
			dead = it;
		} else {
			pp = &it->next;
		}
	}
	pthread_mutex_unlock(&chan->lock);
	while (dead != NULL) {
		struct axon_qitem *it = dead;

		dead = it->next;
		axon__sconn_put(it->sc);
		free(it);
	}
}

/* Removes a still-queued UNBLOCK pulse for rcvid (the server replied). */
bool
axon__chan_drop_unblock(struct axon_chan *chan, int32_t rcvid)
{
	struct axon_qitem **pp;
	struct axon_qitem *found = NULL;

	pthread_mutex_lock(&chan->lock);
	for (pp = &chan->head; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->is_pulse && (*pp)->unblock_rcvid == rcvid) {
			found = *pp;
			*pp = found->next;
			break;
		}
	}
	pthread_mutex_unlock(&chan->lock);
	free(found);
	return found != NULL;
}

int
ChannelCreate_r(unsigned flags)
{
	AXON_KEEP_ERRNO;

	struct axon_proc *p = &axon__proc;
	struct axon_chan *c;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 0};
	int chid = -1;
	int rc;

	if (flags & ~AXON_CHF_KNOWN) {
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		return -ENOMEM;
	}
	c->flags = flags;
	atomic_init(&c->refs, 1);
	atomic_init(&c->last_cli_cpu, -1);
	pthread_mutex_init(&c->lock, NULL);
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	c->poke_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->pulse_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->epfd < 0 || c->poke_fd < 0 || c->pulse_fd < 0 ||
	    epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->poke_fd, &ev) < 0) {
		rc = errno == EMFILE || errno == ENFILE ? -EAGAIN : -errno;
		axon__chan_put(c);
		return rc;
	}

	pthread_mutex_lock(&p->lock);
	rc = axon__mon_start();
	if (rc < 0) {
		goto err_unlock;
	}
	if (((flags & _NTO_CHF_COID_DISCONNECT) && p->death_chid > 0) ||
	    ((flags & _NTO_CHF_THREAD_DEATH) && p->tdeath_chid > 0)) {
		rc = -EBUSY;
		goto err_unlock;
	}

	for (int i = 1; i < AXON_MAX_CHANS; i++) {
		if (p->chans[i] == NULL) {
			chid = i;
			break;
		}
	}
	if (chid < 0) {
		rc = -EAGAIN;
		goto err_unlock;
	}
	if (flags & _NTO_CHF_NET_MSG) {
		/* The node's network manager: one per node (EAGAIN), and only
		 * root or the node's owner (EPERM). */
		rc = p->net_chid > 0 ? -EAGAIN : axon__netmgr_claim();
		if (rc < 0) {
			goto err_unlock;
		}
	}
	c->chid = chid;
	p->chans[chid] = c;
	if (flags & _NTO_CHF_COID_DISCONNECT) {
		p->death_chid = chid;
	}
	if (flags & _NTO_CHF_THREAD_DEATH) {
		p->tdeath_chid = chid;
	}
	if (flags & _NTO_CHF_NET_MSG) {
		p->net_chid = chid;
	}
	axon__ps_chan_add(chid, flags);
	pthread_mutex_unlock(&p->lock);
	axon__ps_thread();
	return chid;

err_unlock:
	pthread_mutex_unlock(&p->lock);
	axon__chan_put(c);
	return rc;
}

int
ChannelDestroy_r(int chid)
{
	AXON_KEEP_ERRNO;

	struct axon_proc *p = &axon__proc;
	struct axon_chan *c;

	if (chid < 1 || chid >= AXON_MAX_CHANS) {
		return -EINVAL;
	}
	pthread_mutex_lock(&p->lock);
	c = p->inited ? p->chans[chid] : NULL;
	if (c == NULL) {
		pthread_mutex_unlock(&p->lock);
		return -EINVAL;
	}
	p->chans[chid] = NULL;
	axon__ps_chan_del(chid);
	if (p->death_chid == chid) {
		p->death_chid = -1;
	}
	if (p->tdeath_chid == chid) {
		p->tdeath_chid = -1;
	}
	if (p->net_chid == chid) {
		p->net_chid = 0;
		axon__netmgr_release();
	}
	pthread_mutex_lock(&c->lock);
	c->destroyed = true;
	pthread_mutex_unlock(&c->lock);
	/*
	 * Every server connection of this channel dies: its socket is shut
	 * down, so each client's monitor releases its blocked threads with
	 * ESRCH and marks the coid dead; our own monitor then frees the
	 * connection.  Clients we have received from are answered ESRCH.
	 */
	for (int i = AXON_SCOID_MIN; i <= AXON_MAX_SCONNS; i++) {
		struct axon_sconn *sc = p->sconns[i];

		if (sc != NULL && sc->chan == c) {
			atomic_fetch_add(&sc->refs, 1);
			pthread_mutex_unlock(&p->lock);
			axon__sconn_kill(sc);
			axon__sconn_put(sc);
			pthread_mutex_lock(&p->lock);
		}
	}
	pthread_mutex_unlock(&p->lock);
	/* Wake a receiver of each kind: it sees the channel gone and wakes
	 * the next (receive_common). */
	ring(c->poke_fd);
	ring(c->pulse_fd);
	axon__chan_put(c);
	return 0;
}

int
ChannelCreate(unsigned flags)
{
	return axon__errno_ret(ChannelCreate_r(flags));
}

int
ChannelDestroy(int chid)
{
	return axon__errno_ret(ChannelDestroy_r(chid));
}
