/* SPDX-License-Identifier: MIT */
/*
 * QNX 7.1's secure events: MsgRegisterEvent(), MsgUnregisterEvent() and
 * MsgVerifyEvent() (MsgDeliverEvent(3)).
 *
 * A client registers a sigevent and names the one server allowed to
 * deliver it (a coid, or -1 for any).  The event is replaced, in the
 * caller's structure, by a handle: type _SIGEV_HANDLE, the handle in
 * sigev_signo (a generation and an index, always positive), the value
 * and the flags kept.  The client sends that to the server as it would
 * send any event; the server's MsgDeliverEvent() passes the handle back
 * through the connection (pulse.c, and axond across nodes), and this
 * process looks it up when the event arrives (cconn.c): delivered as
 * registered if the connection it came through goes to the server
 * named, refused and counted on the status page otherwise (the server
 * cannot be told: its MsgDeliverEvent() returned long ago).  With
 * SIGEV_FLAG_UPDATEABLE (SIGEV_MAKE_UPDATEABLE) the server's value
 * replaces the registered one, as QNX lets a server update the value of
 * such an event; without it the registered value is delivered whatever
 * the server put there.
 *
 * The server is named by what ConnectAttach() was given (node, pid,
 * chid), not by the coid, so that a coid detached and reused for
 * another server cannot inherit the permission.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "internal.h"

#define AXON_REGEVENTS 1024 /* per process */

struct regevent {
	bool used;
	bool any;            /* coid -1: every server */
	bool sysmgr;         /* SYSMGR_COID: the system manager, which
			      * libaxon is (procmgr_event_notify()) */
	uint32_t nd;         /* else the server allowed */
	pid_t pid;
	int chid;
	uint32_t gen;
	struct sigevent ev;  /* as registered */
};

static pthread_mutex_t re_lock = PTHREAD_MUTEX_INITIALIZER;
static struct regevent re_tab[AXON_REGEVENTS];
static uint32_t re_gen;

/* handle = gen (bits 10-30) << 10 | index: positive, never 0. */
static int
re_handle(int idx, uint32_t gen)
{
	return (int) ((gen & 0x1fffffu) << 10 | (uint32_t) idx);
}

/* The entry of handle h; re_lock held.  NULL if none. */
static struct regevent *
re_find(int h)
{
	struct regevent *r;

	if (h <= 0) {
		return NULL;
	}
	r = &re_tab[(uint32_t) h & 0x3ffu];
	return r->used && re_handle((int) ((uint32_t) h & 0x3ffu), r->gen) == h
	    ? r
	    : NULL;
}

int
MsgRegisterEvent_r(struct sigevent *event, int coid)
{
	AXON_KEEP_ERRNO;

	struct axon_cconn *cc = NULL;
	struct regevent *r = NULL;
	int rc;
	int i;

	if (event == NULL) {
		return -EFAULT;
	}
	if (SIGEV_GET_TYPE(event) == _SIGEV_HANDLE) {
		return -EINVAL; /* registered already */
	}
	rc = axon__sigev_check(event);
	if (rc < 0 && SIGEV_GET_TYPE(event) != SIGEV_UNBLOCK) {
		return rc;
	}
	if (coid != -1 && coid != _NTO_SIDE_CHANNEL) {
		rc = axon__coid_get(coid, &cc);
		if (rc < 0) {
			return rc;
		}
	}
	pthread_mutex_lock(&re_lock);
	for (i = 0; i < AXON_REGEVENTS; i++) {
		/* Index 0 never: a handle is never 0 even at generation 0. */
		if (i > 0 && !re_tab[i].used) {
			r = &re_tab[i];
			break;
		}
	}
	if (r == NULL) {
		pthread_mutex_unlock(&re_lock);
		if (cc != NULL) {
			axon__cconn_put(cc);
		}
		return -EAGAIN;
	}
	memset(r, 0, sizeof(*r));
	r->used = true;
	r->gen = ++re_gen & 0x1fffffu;
	if (r->gen == 0) {
		r->gen = re_gen = 1;
	}
	r->sysmgr = coid == _NTO_SIDE_CHANNEL;
	r->any = cc == NULL && !r->sysmgr;
	if (cc != NULL) {
		r->nd = cc->nd;
		r->pid = cc->pid;
		r->chid = cc->chid;
	}
	r->ev = *event;
	event->sigev_notify = (event->sigev_notify & ~SIGEV_TYPE_MASK) |
	    _SIGEV_HANDLE;
	event->sigev_signo = re_handle(i, r->gen);
	pthread_mutex_unlock(&re_lock);
	if (cc != NULL) {
		axon__cconn_put(cc);
	}
	return 0;
}

int
MsgUnregisterEvent_r(const struct sigevent *event)
{
	AXON_KEEP_ERRNO;

	struct regevent *r;

	if (event == NULL) {
		return -EFAULT;
	}
	if (SIGEV_GET_TYPE(event) != _SIGEV_HANDLE) {
		return -ESRCH;
	}
	pthread_mutex_lock(&re_lock);
	r = re_find(event->sigev_signo);
	if (r != NULL) {
		r->used = false;
	}
	pthread_mutex_unlock(&re_lock);
	return r != NULL ? 0 : -ESRCH;
}

/*
 * The event a handle stands for, arrived through cc with the server's
 * value: 0 and *out, or -ESRCH (unknown: unregistered, never ours) or
 * -EACCES (another server's).
 */
int
axon__regevent_resolve(const struct axon_cconn *cc, int handle,
    int64_t value, struct sigevent *out)
{
	struct regevent *r;
	int rc = 0;

	pthread_mutex_lock(&re_lock);
	r = re_find(handle);
	if (r == NULL) {
		rc = -ESRCH;
	} else if (!r->any && (cc == NULL || cc->nd != r->nd ||
				  cc->pid != r->pid || cc->chid != r->chid)) {
		rc = -EACCES;
	} else {
		*out = r->ev;
		if (r->ev.sigev_notify & SIGEV_FLAG_UPDATEABLE) {
			out->sigev_value.sival_ptr = (void *) (intptr_t) value;
		}
	}
	pthread_mutex_unlock(&re_lock);
	return rc;
}

/*
 * rcvid 0: the caller checks an event it is about to hand out (a
 * registered one must still be registered; a pulse's connection must
 * exist).  Another rcvid: a server checks the rcvid and the event's
 * form; what a handle stands for is the client's to know.
 */
int
MsgVerifyEvent_r(rcvid_t rcvid, const struct sigevent *event)
{
	AXON_KEEP_ERRNO;

	struct axon_cconn *cc;
	struct sigevent ev;
	int rc;

	if (event == NULL) {
		return -EFAULT;
	}
	ev = *event;
	if (SIGEV_GET_TYPE(&ev) == _SIGEV_HANDLE) {
		if (rcvid != 0) {
			return ev.sigev_signo > 0
			    ? axon__msg_rcvid_check(rcvid)
			    : -EINVAL;
		}
		/* Registered (for whichever server): check what it stands
		 * for. */
		struct regevent *r;

		pthread_mutex_lock(&re_lock);
		r = re_find(ev.sigev_signo);
		if (r != NULL) {
			ev = r->ev;
		}
		pthread_mutex_unlock(&re_lock);
		if (r == NULL) {
			return -ESRCH;
		}
	}
	if (SIGEV_GET_TYPE(&ev) != SIGEV_UNBLOCK) {
		rc = axon__sigev_check(&ev);
		if (rc < 0) {
			return rc;
		}
	}
	if (rcvid != 0) {
		return axon__msg_rcvid_check(rcvid);
	}
	if (SIGEV_GET_TYPE(&ev) == SIGEV_PULSE) {
		if (axon__coid_get(ev.sigev_coid, &cc) < 0) {
			return -ESRCH; /* QNX: the pulse's connection */
		}
		axon__cconn_put(cc);
	}
	return 0;
}

/*
 * The event libaxon itself delivers for in (procmgr_event_notify()): in
 * itself, or, for a registered one, what it stands for if it was
 * registered for the system manager or for any server.  0, -EINVAL (no
 * such registration), or -EPERM (registered for another server).
 */
int
axon__regevent_local(const struct sigevent *in, struct sigevent *out)
{
	struct regevent *r;
	int rc = 0;

	if (in == NULL) {
		return -EFAULT;
	}
	if (SIGEV_GET_TYPE(in) != _SIGEV_HANDLE) {
		*out = *in;
		return 0;
	}
	pthread_mutex_lock(&re_lock);
	r = re_find(in->sigev_signo);
	if (r == NULL) {
		rc = -EINVAL;
	} else if (!r->any && !r->sysmgr) {
		rc = -EPERM;
	} else {
		*out = r->ev;
		if (in->sigev_notify & SIGEV_FLAG_UPDATEABLE) {
			out->sigev_value = in->sigev_value;
		}
	}
	pthread_mutex_unlock(&re_lock);
	return rc;
}

int
MsgRegisterEvent(struct sigevent *event, int coid)
{
	return axon__errno_ret(MsgRegisterEvent_r(event, coid));
}

int
MsgUnregisterEvent(const struct sigevent *event)
{
	return axon__errno_ret(MsgUnregisterEvent_r(event));
}

int
MsgVerifyEvent(rcvid_t rcvid, const struct sigevent *event)
{
	return axon__errno_ret(MsgVerifyEvent_r(rcvid, event));
}
