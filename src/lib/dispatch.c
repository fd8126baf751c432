/* SPDX-License-Identifier: MIT */
/*
 * The dispatch layer: a channel, what is attached to it (resmgr links,
 * message ranges, pulse codes, watched descriptors), contexts to receive
 * into, and dispatch_handler() routing what was received.
 *
 * select_attach() has no ionotify() to lean on: a watcher thread waits
 * on the descriptors with epoll (one-shot) and sends the channel a
 * private pulse when one is ready, so the callback runs on a thread
 * that called dispatch_handler(), as on QNX.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "dispatch_int.h"
#include "internal.h"

#define DISPATCH_PULSE_PRIO 10

static int dispatch_coid_chid = -1; /* our COID_DISCONNECT channel */
static pthread_mutex_t dispatch_chan_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * A channel as QNX's dispatch_create() makes: unblock and disconnect
 * pulses, and on the process's first one COID_DISCONNECT (it may be on
 * one channel per process only).
 */
int
axon__dispatch_chan(void)
{
	unsigned flags = _NTO_CHF_UNBLOCK | _NTO_CHF_DISCONNECT;
	int chid;

	pthread_mutex_lock(&dispatch_chan_lock);
	if (dispatch_coid_chid < 0) {
		chid = ChannelCreate_r(flags | _NTO_CHF_COID_DISCONNECT);
		if (chid >= 0) {
			dispatch_coid_chid = chid;
			pthread_mutex_unlock(&dispatch_chan_lock);
			return chid;
		}
		if (chid != -EBUSY) {
			pthread_mutex_unlock(&dispatch_chan_lock);
			return chid;
		}
	}
	pthread_mutex_unlock(&dispatch_chan_lock);
	return ChannelCreate_r(flags);
}

static dispatch_t *
dispatch_new(int chid, bool own, unsigned flags)
{
	dispatch_t *d = calloc(1, sizeof(*d));

	if (d == NULL) {
		return NULL;
	}
	d->chid = chid;
	d->own_chan = own;
	d->flags = flags;
	d->sel_epfd = -1;
	d->sel_wake = -1;
	d->msg_max_size = sizeof(resmgr_iomsgs_t);
	d->nparts_max = 1;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cv, NULL);
	return d;
}

dispatch_t *
dispatch_create_channel(int chid, unsigned flags)
{
	dispatch_t *d;
	bool own = chid == -1;

	if (chid < -1 || (flags & ~(unsigned) DISPATCH_FLAG_NOLOCK) != 0) {
		errno = EINVAL;
		return NULL;
	}
	if (own) {
		chid = axon__dispatch_chan();
		if (chid < 0) {
			errno = -chid;
			return NULL;
		}
	}
	d = dispatch_new(chid, own, flags);
	if (d == NULL) {
		if (own) {
			(void) ChannelDestroy_r(chid);
		}
		errno = ENOMEM;
	}
	return d;
}

dispatch_t *
dispatch_create(void)
{
	return dispatch_create_channel(-1, 0);
}

static void
sel_stop(dispatch_t *dpp)
{
	uint64_t one = 1;

	if (!dpp->sel_running) {
		return;
	}
	(void) !write(dpp->sel_wake, &one, sizeof(one));
	(void) pthread_join(dpp->sel_thread, NULL);
	dpp->sel_running = false;
}

int
dispatch_destroy(dispatch_t *dpp)
{
	if (dpp == NULL) {
		errno = EINVAL;
		return -1;
	}
	sel_stop(dpp);
	if (dpp->sel_epfd >= 0) {
		(void) close(dpp->sel_epfd);
	}
	if (dpp->sel_wake >= 0) {
		(void) close(dpp->sel_wake);
	}
	axon__resmgr_cleanup(dpp);
	if (dpp->own_chan) {
		pthread_mutex_lock(&dispatch_chan_lock);
		if (dpp->chid == dispatch_coid_chid) {
			dispatch_coid_chid = -1;
		}
		pthread_mutex_unlock(&dispatch_chan_lock);
		(void) ChannelDestroy_r(dpp->chid);
	}
	free(dpp->ranges);
	free(dpp->pulses);
	free(dpp->sels);
	pthread_mutex_destroy(&dpp->lock);
	pthread_cond_destroy(&dpp->cv);
	free(dpp);
	return 0;
}

/* Raises the sizes contexts are made with: -EINVAL once contexts exist
 * and the sizes would have to grow (as QNX 7). */
int
axon__dispatch_grow(dispatch_t *dpp, size_t msg_max, unsigned nparts)
{
	int rc = 0;

	pthread_mutex_lock(&dpp->lock);
	if (dpp->ctx_alloced &&
	    (msg_max > dpp->msg_max_size || nparts > dpp->nparts_max)) {
		rc = -EINVAL;
	} else {
		if (msg_max > dpp->msg_max_size) {
			dpp->msg_max_size = msg_max;
		}
		if (nparts > dpp->nparts_max) {
			dpp->nparts_max = nparts;
		}
		dpp->attached = true;
	}
	pthread_mutex_unlock(&dpp->lock);
	return rc;
}

void
axon__dispatch_name(dispatch_t *dpp)
{
	/* Contexts made before keep their size: the connect fits. */
	(void) axon__dispatch_grow(dpp, sizeof(resmgr_iomsgs_t), 1);
	pthread_mutex_lock(&dpp->lock);
	dpp->name_connect = true;
	dpp->attached = true;
	pthread_mutex_unlock(&dpp->lock);
}

dispatch_context_t *
dispatch_context_alloc(dispatch_t *dpp)
{
	struct axon_ctx *c;
	size_t msg_max;
	unsigned nparts;

	if (dpp == NULL) {
		errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&dpp->lock);
	if (!dpp->attached) {
		pthread_mutex_unlock(&dpp->lock);
		errno = EINVAL; /* nothing to block on yet */
		return NULL;
	}
	dpp->ctx_alloced = true;
	msg_max = dpp->msg_max_size;
	nparts = dpp->nparts_max;
	pthread_mutex_unlock(&dpp->lock);
	c = calloc(1, sizeof(*c) + (nparts - 1) * sizeof(iov_t));
	if (c == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	c->buf = calloc(1, msg_max);
	if (c->buf == NULL) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->dpp = dpp;
	c->nparts = nparts;
	c->pub.resmgr_context.dpp = dpp;
	c->pub.resmgr_context.msg = c->buf;
	c->pub.resmgr_context.msg_max_size = msg_max;
	c->pub.resmgr_context.id = -1;
	return &c->pub;
}

void
dispatch_context_free(dispatch_context_t *ctp)
{
	struct axon_ctx *c;

	if (ctp == NULL) {
		return;
	}
	c = axon__ctx_of(&ctp->resmgr_context);
	free(c->buf);
	free(c);
}

dispatch_context_t *
dispatch_block(dispatch_context_t *ctp)
{
	resmgr_context_t *r;
	struct axon_ctx *c;
	dispatch_t *dpp;
	bool timed;
	uint64_t ns;
	rcvid_t rcvid;

	if (ctp == NULL) {
		errno = EFAULT;
		return NULL;
	}
	r = &ctp->resmgr_context;
	c = axon__ctx_of(r);
	dpp = c->dpp;
	pthread_mutex_lock(&dpp->lock);
	timed = dpp->has_timeout;
	ns = dpp->timeout_ns;
	pthread_mutex_unlock(&dpp->lock);
	if (timed) {
		(void) TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE,
		    NULL, &ns, NULL);
	}
	rcvid = MsgReceive_r(dpp->chid, c->buf, r->msg_max_size, &r->info);
	if (rcvid == -ETIMEDOUT && timed) {
		r->rcvid = -1;
		r->size = 0;
		return ctp;
	}
	if (rcvid < 0) {
		errno = (int) -rcvid;
		return NULL;
	}
	r->rcvid = rcvid;
	r->msg = c->buf;
	r->id = -1;
	r->offset = 0;
	r->status = 0;
	if (rcvid == 0) {
		r->size = sizeof(struct _pulse);
	} else {
		size_t n = r->info.msglen < 0 ? 0 : (size_t) r->info.msglen;

		r->size = n < r->msg_max_size ? n : r->msg_max_size;
	}
	c->bind = NULL;
	c->link = NULL;
	return ctp;
}

static void
select_run(resmgr_context_t *r, int fd)
{
	dispatch_t *dpp = r->dpp;
	int (*func)(select_context_t *, int, unsigned, void *) = NULL;
	void *handle = NULL;
	unsigned ready = 0;

	pthread_mutex_lock(&dpp->lock);
	for (int i = 0; i < dpp->nsels; i++) {
		if (dpp->sels[i].fd == fd) {
			func = dpp->sels[i].func;
			handle = dpp->sels[i].handle;
			ready = dpp->sels[i].ready;
			dpp->sels[i].ready = 0;
			break;
		}
	}
	pthread_mutex_unlock(&dpp->lock);
	if (func == NULL) {
		return; /* detached meanwhile */
	}
	func(r, fd, ready, handle);
	pthread_mutex_lock(&dpp->lock);
	for (int i = 0; i < dpp->nsels; i++) {
		struct axon_sel *s = &dpp->sels[i];
		struct epoll_event ev = {0};

		if (s->fd != fd) {
			continue;
		}
		if (s->flags & SELECT_FLAG_REARM) {
			ev.events = EPOLLONESHOT |
			    ((s->flags & SELECT_FLAG_READ) ? EPOLLIN : 0) |
			    ((s->flags & SELECT_FLAG_WRITE) ? EPOLLOUT : 0) |
			    ((s->flags & SELECT_FLAG_EXCEPT) ? EPOLLPRI : 0);
			ev.data.fd = fd;
			(void) epoll_ctl(dpp->sel_epfd, EPOLL_CTL_MOD, fd, &ev);
		} else {
			/* Without REARM a callback is a one-shot. */
			(void) epoll_ctl(dpp->sel_epfd, EPOLL_CTL_DEL, fd,
			    NULL);
			dpp->sels[i] = dpp->sels[--dpp->nsels];
		}
		break;
	}
	pthread_mutex_unlock(&dpp->lock);
}

static int
handle_pulse(resmgr_context_t *r)
{
	dispatch_t *dpp = r->dpp;
	int code = r->msg->pulse.code;
	int (*func)(message_context_t *, int, unsigned, void *) = NULL;
	void *handle = NULL;

	if (code == AXON_PULSE_CODE_WAKE) {
		return 0;
	}
	if (code == AXON_PULSE_CODE_SELECT) {
		select_run(r, r->msg->pulse.value.sival_int);
		return 0;
	}
	if (dpp->resmgr_on && axon__resmgr_pulse(r)) {
		return 0;
	}
	pthread_mutex_lock(&dpp->lock);
	for (int i = 0; i < dpp->npulses; i++) {
		if (dpp->pulses[i].code == code) {
			func = dpp->pulses[i].func;
			handle = dpp->pulses[i].handle;
			break;
		}
	}
	pthread_mutex_unlock(&dpp->lock);
	if (func == NULL) {
		return -1;
	}
	(void) func(r, code, 0, handle);
	return 0;
}

int
dispatch_handler(dispatch_context_t *ctp)
{
	resmgr_context_t *r;
	dispatch_t *dpp;
	int (*func)(message_context_t *, int, unsigned, void *) = NULL;
	void *handle = NULL;
	int type;

	if (ctp == NULL) {
		errno = EFAULT;
		return -1;
	}
	r = &ctp->resmgr_context;
	dpp = r->dpp;
	if (r->rcvid == -1) {
		return 0; /* a dispatch_timeout() expiry */
	}
	if (r->rcvid == 0) {
		return handle_pulse(r);
	}
	if (r->size < sizeof(uint16_t)) {
		(void) MsgError_r(r->rcvid, EBADMSG);
		return -1;
	}
	type = r->msg->type;
	if (type >= _IO_BASE && type <= _IO_MAX &&
	    (dpp->resmgr_on || dpp->name_connect)) {
		axon__resmgr_message(r);
		return 0;
	}
	pthread_mutex_lock(&dpp->lock);
	for (int i = 0; i < dpp->nranges; i++) {
		if (type >= dpp->ranges[i].low && type <= dpp->ranges[i].high) {
			func = dpp->ranges[i].func;
			handle = dpp->ranges[i].handle;
			break;
		}
	}
	if (func == NULL) {
		func = dpp->default_func;
		handle = dpp->default_handle;
	}
	pthread_mutex_unlock(&dpp->lock);
	if (func == NULL) {
		(void) MsgError_r(r->rcvid, ENOSYS);
		return -1;
	}
	(void) func(r, type, 0, handle);
	return 0;
}

void
dispatch_unblock(dispatch_context_t *ctp)
{
	union sigval v = {.sival_int = 0};

	if (ctp == NULL) {
		return;
	}
	/* The context's owner may be receiving into it: only what never
	 * changes after dispatch_context_alloc() is read. */
	(void) axon__local_pulse(axon__ctx_of(&ctp->resmgr_context)->dpp->chid,
	    DISPATCH_PULSE_PRIO, AXON_PULSE_CODE_WAKE, v, 0);
}

int
dispatch_timeout(dispatch_t *dpp, struct timespec *reltime)
{
	if (dpp == NULL || (reltime != NULL &&
	    (reltime->tv_sec < 0 || reltime->tv_nsec < 0 ||
		reltime->tv_nsec >= 1000000000L))) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&dpp->lock);
	dpp->has_timeout = reltime != NULL;
	if (reltime != NULL) {
		dpp->timeout_ns = (uint64_t) reltime->tv_sec * 1000000000ull +
		    (uint64_t) reltime->tv_nsec;
	}
	pthread_mutex_unlock(&dpp->lock);
	return 0;
}

/* ---- message_attach / pulse_attach --------------------------------- */

int
message_attach(dispatch_t *dpp, message_attr_t *attr, int low, int high,
    int (*func)(message_context_t *ctp, int code, unsigned flags,
	void *handle),
    void *handle)
{
	unsigned flags = attr != NULL ? attr->flags : 0;
	size_t msg_max = attr != NULL ? attr->msg_max_size : 0;
	unsigned nparts = attr != NULL ? attr->nparts_max : 0;
	struct axon_mrange *n;
	int rc;

	if (dpp == NULL || func == NULL ||
	    (flags & ~(unsigned) (MSG_FLAG_CROSS_ENDIAN |
		MSG_FLAG_DEFAULT_FUNC)) != 0) {
		errno = EINVAL;
		return -1;
	}
	if (!(flags & MSG_FLAG_DEFAULT_FUNC) &&
	    (low < 0 || high > 0xffff || low > high)) {
		errno = EINVAL;
		return -1;
	}
	if (msg_max < sizeof(resmgr_iomsgs_t)) {
		msg_max = sizeof(resmgr_iomsgs_t);
	}
	rc = axon__dispatch_grow(dpp, msg_max, nparts > 0 ? nparts : 1);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	pthread_mutex_lock(&dpp->lock);
	if (flags & MSG_FLAG_DEFAULT_FUNC) {
		dpp->default_func = func;
		dpp->default_handle = handle;
		pthread_mutex_unlock(&dpp->lock);
		return 0;
	}
	for (int i = 0; i < dpp->nranges; i++) {
		if (low <= dpp->ranges[i].high && dpp->ranges[i].low <= high) {
			pthread_mutex_unlock(&dpp->lock);
			errno = EINVAL; /* overlapping ranges */
			return -1;
		}
	}
	n = realloc(dpp->ranges, (size_t) (dpp->nranges + 1) * sizeof(*n));
	if (n == NULL) {
		pthread_mutex_unlock(&dpp->lock);
		errno = ENOMEM;
		return -1;
	}
	dpp->ranges = n;
	n[dpp->nranges++] = (struct axon_mrange){low, high, func, handle};
	pthread_mutex_unlock(&dpp->lock);
	return 0;
}

int
message_detach(dispatch_t *dpp, int low, int high, int flags)
{
	if (dpp == NULL) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&dpp->lock);
	if (flags & MSG_FLAG_DEFAULT_FUNC) {
		dpp->default_func = NULL;
		dpp->default_handle = NULL;
		pthread_mutex_unlock(&dpp->lock);
		return 0;
	}
	for (int i = 0; i < dpp->nranges; i++) {
		if (dpp->ranges[i].low == low && dpp->ranges[i].high == high) {
			dpp->ranges[i] = dpp->ranges[--dpp->nranges];
			pthread_mutex_unlock(&dpp->lock);
			return 0;
		}
	}
	pthread_mutex_unlock(&dpp->lock);
	errno = EINVAL;
	return -1;
}

static bool
pulse_taken(const dispatch_t *dpp, int code)
{
	for (int i = 0; i < dpp->npulses; i++) {
		if (dpp->pulses[i].code == code) {
			return true;
		}
	}
	return false;
}

int
pulse_attach(dispatch_t *dpp, int flags, int code,
    int (*func)(message_context_t *ctp, int code, unsigned flags,
	void *handle),
    void *handle)
{
	struct axon_pulseh *n;
	int rc;

	if (dpp == NULL || func == NULL ||
	    (flags & ~MSG_FLAG_ALLOC_PULSE) != 0 ||
	    (!(flags & MSG_FLAG_ALLOC_PULSE) &&
		(code < -128 || code > 127 || code == AXON_PULSE_CODE_WAKE ||
		    code == AXON_PULSE_CODE_SELECT))) {
		errno = EINVAL;
		return -1;
	}
	rc = axon__dispatch_grow(dpp, sizeof(resmgr_iomsgs_t), 1);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	pthread_mutex_lock(&dpp->lock);
	if (flags & MSG_FLAG_ALLOC_PULSE) {
		code = _PULSE_CODE_MINAVAIL;
		while (code <= _PULSE_CODE_MAXAVAIL && pulse_taken(dpp, code)) {
			code++;
		}
		if (code > _PULSE_CODE_MAXAVAIL) {
			pthread_mutex_unlock(&dpp->lock);
			errno = EAGAIN;
			return -1;
		}
	} else if (pulse_taken(dpp, code) ||
	    (dpp->resmgr_on && (code == _PULSE_CODE_UNBLOCK ||
		code == _PULSE_CODE_DISCONNECT))) {
		/* The resmgr layer owns those two on its dispatch. */
		pthread_mutex_unlock(&dpp->lock);
		errno = EINVAL;
		return -1;
	}
	n = realloc(dpp->pulses, (size_t) (dpp->npulses + 1) * sizeof(*n));
	if (n == NULL) {
		pthread_mutex_unlock(&dpp->lock);
		errno = ENOMEM;
		return -1;
	}
	dpp->pulses = n;
	n[dpp->npulses++] = (struct axon_pulseh){code, func, handle};
	pthread_mutex_unlock(&dpp->lock);
	return code;
}

int
pulse_detach(dispatch_t *dpp, int code, int flags)
{
	if (dpp == NULL || flags != 0) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&dpp->lock);
	for (int i = 0; i < dpp->npulses; i++) {
		if (dpp->pulses[i].code == code) {
			dpp->pulses[i] = dpp->pulses[--dpp->npulses];
			pthread_mutex_unlock(&dpp->lock);
			return 0;
		}
	}
	pthread_mutex_unlock(&dpp->lock);
	errno = EINVAL;
	return -1;
}

int
message_connect(dispatch_t *dpp, int flags)
{
	if (dpp == NULL || (flags & ~MSG_FLAG_SIDE_CHANNEL) != 0) {
		errno = EINVAL;
		return -1;
	}
	return ConnectAttach(0, 0, dpp->chid,
	    (flags & MSG_FLAG_SIDE_CHANNEL) ? _NTO_SIDE_CHANNEL : 0, 0);
}

/* ---- select_attach ------------------------------------------------- */

static void *
sel_main(void *arg)
{
	dispatch_t *dpp = arg;
	struct epoll_event evs[16];

	(void) pthread_setname_np(pthread_self(), "axon-select");
	for (;;) {
		int n = epoll_wait(dpp->sel_epfd, evs, 16, -1);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			unsigned ready = 0;
			union sigval v = {.sival_int = fd};

			if (fd == dpp->sel_wake) {
				return NULL;
			}
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
				ready |= SELECT_FLAG_READ;
			}
			if (evs[i].events & EPOLLOUT) {
				ready |= SELECT_FLAG_WRITE;
			}
			if (evs[i].events & EPOLLPRI) {
				ready |= SELECT_FLAG_EXCEPT;
			}
			pthread_mutex_lock(&dpp->lock);
			for (int j = 0; j < dpp->nsels; j++) {
				if (dpp->sels[j].fd == fd) {
					dpp->sels[j].ready |=
					    ready & dpp->sels[j].flags;
				}
			}
			pthread_mutex_unlock(&dpp->lock);
			(void) axon__local_pulse(dpp->chid,
			    DISPATCH_PULSE_PRIO, AXON_PULSE_CODE_SELECT, v, 0);
		}
	}
}

static int
sel_start(dispatch_t *dpp)
{
	struct epoll_event ev = {.events = EPOLLIN};

	if (dpp->sel_running) {
		return 0;
	}
	if (dpp->sel_epfd < 0) {
		dpp->sel_epfd = epoll_create1(EPOLL_CLOEXEC);
		if (dpp->sel_epfd < 0) {
			return -errno;
		}
	}
	if (dpp->sel_wake < 0) {
		dpp->sel_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (dpp->sel_wake < 0) {
			return -errno;
		}
		ev.data.fd = dpp->sel_wake;
		if (epoll_ctl(dpp->sel_epfd, EPOLL_CTL_ADD, dpp->sel_wake,
			&ev) < 0) {
			return -errno;
		}
	}
	/* The program's signals are its own threads': none runs here. */
	if (axon__thread_create_quiet(&dpp->sel_thread, NULL, sel_main,
		dpp) != 0) {
		return -EAGAIN;
	}
	dpp->sel_running = true;
	return 0;
}

int
select_attach(void *dpp_arg, select_attr_t *attr, int fd, unsigned flags,
    int (*func)(select_context_t *ctp, int fd, unsigned flags,
	void *handle),
    void *handle)
{
	dispatch_t *dpp = dpp_arg;
	unsigned io = SELECT_FLAG_READ | SELECT_FLAG_WRITE | SELECT_FLAG_EXCEPT;
	struct epoll_event ev = {0};
	struct axon_sel *n;
	int rc;

	(void) attr;
	if (dpp == NULL || func == NULL || (flags & io) == 0 ||
	    (flags & ~(io | SELECT_FLAG_REARM | SELECT_FLAG_SRVEXCEPT)) != 0) {
		errno = EINVAL;
		return -1;
	}
	if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
		errno = EBADF;
		return -1;
	}
	rc = axon__dispatch_grow(dpp, sizeof(resmgr_iomsgs_t), 1);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	pthread_mutex_lock(&dpp->lock);
	for (int i = 0; i < dpp->nsels; i++) {
		if (dpp->sels[i].fd == fd) {
			pthread_mutex_unlock(&dpp->lock);
			errno = EBUSY;
			return -1;
		}
	}
	rc = sel_start(dpp);
	n = rc < 0 ? NULL :
	    realloc(dpp->sels, (size_t) (dpp->nsels + 1) * sizeof(*n));
	if (n == NULL) {
		pthread_mutex_unlock(&dpp->lock);
		errno = rc < 0 ? -rc : ENOMEM;
		return -1;
	}
	dpp->sels = n;
	ev.events = EPOLLONESHOT |
	    ((flags & SELECT_FLAG_READ) ? EPOLLIN : 0) |
	    ((flags & SELECT_FLAG_WRITE) ? EPOLLOUT : 0) |
	    ((flags & SELECT_FLAG_EXCEPT) ? EPOLLPRI : 0);
	ev.data.fd = fd;
	n[dpp->nsels] = (struct axon_sel){fd, flags, 0, func, handle};
	if (epoll_ctl(dpp->sel_epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		rc = errno == EPERM ? EINVAL : errno; /* a regular file */
		pthread_mutex_unlock(&dpp->lock);
		errno = rc;
		return -1;
	}
	dpp->nsels++;
	pthread_mutex_unlock(&dpp->lock);
	return 0;
}

int
select_detach(void *dpp_arg, int fd)
{
	dispatch_t *dpp = dpp_arg;

	if (dpp == NULL) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&dpp->lock);
	for (int i = 0; i < dpp->nsels; i++) {
		if (dpp->sels[i].fd == fd) {
			(void) epoll_ctl(dpp->sel_epfd, EPOLL_CTL_DEL, fd,
			    NULL);
			dpp->sels[i] = dpp->sels[--dpp->nsels];
			pthread_mutex_unlock(&dpp->lock);
			return 0;
		}
	}
	pthread_mutex_unlock(&dpp->lock);
	errno = EINVAL;
	return -1;
}

/* ---- The resmgr_context_t forms ------------------------------------ */

resmgr_context_t *
resmgr_context_alloc(dispatch_t *dpp)
{
	dispatch_context_t *c = dispatch_context_alloc(dpp);

	return c != NULL ? &c->resmgr_context : NULL;
}

void
resmgr_context_free(resmgr_context_t *ctp)
{
	dispatch_context_free((dispatch_context_t *) ctp);
}

resmgr_context_t *
resmgr_block(resmgr_context_t *ctp)
{
	dispatch_context_t *c = dispatch_block((dispatch_context_t *) ctp);

	return c != NULL ? &c->resmgr_context : NULL;
}

int
resmgr_handler(resmgr_context_t *ctp)
{
	return dispatch_handler((dispatch_context_t *) ctp);
}

void
resmgr_unblock(resmgr_context_t *ctp)
{
	dispatch_unblock((dispatch_context_t *) ctp);
}
