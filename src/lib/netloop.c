/* SPDX-License-Identifier: MIT */
/*
 * The network manager's own event loop (internal.h): its NET_MSG channel
 * and its virtual connections as descriptors of one epoll set, so that
 * axond receives its clients' messages and its servers' notices (REPLIED,
 * READ, events, hang-ups) on the thread that does the work, with no
 * hand-off between threads.  See docs/design/axond.md, "Threads".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/epoll.h>

#include "msg_int.h"

bool axon__net_own;

int
axon__net_chan_fd(int chid)
{
	struct axon_chan *chan = axon__chan_get(chid);
	int fd;

	if (chan == NULL) {
		return -ESRCH;
	}
	pthread_mutex_lock(&chan->lock);
	chan->watched = true;
	fd = chan->epfd;
	/* Whatever was queued before it watched: the next poll sees it. */
	if (chan->head != NULL) {
		axon__chan_poke(chan);
	}
	pthread_mutex_unlock(&chan->lock);
	axon__chan_put(chan);
	return fd;
}

rcvid_t
axon__net_receive(int chid, void *msg, size_t bytes, struct _msg_info *info,
    bool *ret_more)
{
	struct axon_chan *chan;
	rcvid_t r;

	*ret_more = false;
	/* An immediate RECEIVE timeout: the queue, and the bells once
	 * when it is empty, never a spin or a sleep (receive.c): one
	 * epoll_pwait queues every message rung so far, and the calls
	 * that follow take them without a system call. */
	(void) TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL,
	    NULL, NULL);
	r = axon__receive_net(chid, msg, bytes, info);
	if (r == -ETIMEDOUT) {
		return -EAGAIN;
	}
	/* What the bells announced is queued now and shows on no
	 * descriptor; bells not yet taken still make the descriptor
	 * readable. */
	chan = axon__chan_get(chid);
	if (chan != NULL) {
		pthread_mutex_lock(&chan->lock);
		*ret_more = chan->head != NULL;
		pthread_mutex_unlock(&chan->lock);
		axon__chan_put(chan);
	}
	return r;
}

void
axon__net_own_vconns(void)
{
	axon__net_own = true;
}

int
axon__vconn_watch(struct axon_cconn *cc, int epfd, uint64_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};

	if (epfd <= 0) {
		return -EINVAL;
	}
	cc->loop_epfd = epfd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, cc->sock, &ev) < 0) {
		int err = errno;

		/* Nobody would ever see it hang up: it has, now. */
		axon__cconn_event(cc, EPOLLHUP);
		return -err;
	}
	return 0;
}

void
axon__vconn_event(struct axon_cconn *cc, uint32_t events)
{
	axon__cconn_event(cc, events);
}
