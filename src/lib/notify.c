/* SPDX-License-Identifier: MIT */
/*
 * Notification for resource managers: iofunc_notify() and its trigger
 * and remove helpers behind select()/poll()/ionotify() (_IO_NOTIFY),
 * and the client's ionotify().
 *
 * An armed entry is the client's event and the receive id of the
 * _IO_NOTIFY that armed it; a trigger delivers the event with
 * MsgDeliverEvent() on that receive id (valid while the client's
 * connection lives; a client gone meanwhile makes the delivery fail
 * with ESRCH, which only drops the entry) and disarms the entry, as
 * QNX's notifications fire once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <sys/iofunc.h>

#include "dispatch_int.h"
#include "internal.h"

struct _iofunc_notify_event {
	struct _iofunc_notify_event *next;
	rcvid_t rcvid;       /* of the arming message: where the event goes */
	int32_t scoid;       /* the client, for iofunc_notify_remove() */
	int32_t coid;
	int cnt;             /* units it waits for */
	struct sigevent event;
};

__thread void *axon__notify_armed;

static const uint32_t cond_bit[IOFUNC_NOTIFY_NCOND] = {
	_NOTIFY_COND_INPUT, _NOTIFY_COND_OUTPUT, _NOTIFY_COND_OBAND,
};

static bool
same_client(const struct _iofunc_notify_event *e, const resmgr_context_t *ctp)
{
	/* The client's connection (the library sets these to the closing
	 * one's around close_ocb, whoever's pulse it came by). */
	return e->scoid == ctp->info.scoid && e->coid == ctp->info.coid;
}

/* The smallest count of the list's entries (0 for an empty list). */
static void
recount(iofunc_notify_t *n)
{
	int min = 0;

	for (struct _iofunc_notify_event *e = n->list; e != NULL;
	    e = e->next) {
		if (e == n->list || e->cnt < min) {
			min = e->cnt;
		}
	}
	n->cnt = min;
}

/* Drops ctp's client's entries from one list (all if ctp is NULL). */
static void
remove_list(resmgr_context_t *ctp, iofunc_notify_t *n)
{
	struct _iofunc_notify_event **pp = &n->list;

	while (*pp != NULL) {
		struct _iofunc_notify_event *e = *pp;

		if (ctp == NULL || same_client(e, ctp)) {
			*pp = e->next;
			free(e);
		} else {
			pp = &e->next;
		}
	}
	recount(n);
}

/* Arms one list for ctp's client: replaces its entry there if it has
 * one (a client re-arming does not pile up entries).  0 or ENOMEM. */
static int
arm_list(resmgr_context_t *ctp, iofunc_notify_t *n, int cnt,
    const struct sigevent *ev)
{
	struct _iofunc_notify_event *e;

	for (e = n->list; e != NULL; e = e->next) {
		if (same_client(e, ctp)) {
			break;
		}
	}
	if (e == NULL) {
		e = calloc(1, sizeof(*e));
		if (e == NULL) {
			return ENOMEM;
		}
		e->scoid = ctp->info.scoid;
		e->coid = ctp->info.coid;
		e->next = n->list;
		n->list = e;
	}
	e->rcvid = ctp->rcvid;
	e->cnt = cnt;
	e->event = *ev;
	recount(n);
	return 0;
}

int
iofunc_notify(resmgr_context_t *ctp, io_notify_t *msg, iofunc_notify_t *nop,
    int trig, const int *notifycounts, int *armed)
{
	uint32_t want, met;
	int action, type;
	bool arm;

	if (armed != NULL) {
		*armed = 0;
	}
	if (ctp == NULL || msg == NULL || nop == NULL) {
		return EINVAL;
	}
	action = msg->i.action & _NOTIFY_ACTION_MASK;
	want = (uint32_t) msg->i.flags &
	    (_NOTIFY_COND_INPUT | _NOTIFY_COND_OUTPUT | _NOTIFY_COND_OBAND);
	met = want & (uint32_t) trig;
	type = SIGEV_GET_TYPE(&msg->i.event);
	switch (action) {
	case _NOTIFY_ACTION_POLL:
		arm = false;
		break;
	case _NOTIFY_ACTION_POLLARM:
	case _NOTIFY_ACTION_CONDARM:
		arm = met == 0; /* met: the client knows now, no event */
		break;
	case _NOTIFY_ACTION_TRANARM:
	case _NOTIFY_ACTION_EDGEARM:
		arm = true; /* the next trigger, whatever holds now */
		break;
	default:
		return EINVAL;
	}
	if (action != _NOTIFY_ACTION_POLL && type == SIGEV_NONE) {
		/* ionotify(fd, action, flags, NULL): disarm those lists,
		 * whatever holds now. */
		for (int i = 0; i < IOFUNC_NOTIFY_NCOND; i++) {
			if (want & cond_bit[i]) {
				remove_list(ctp, &nop[i]);
			}
		}
		arm = false;
	} else if (arm) {
		/* What MsgDeliverEvent() can deliver (checked now, so a
		 * client's bad event is its EINVAL, not a silent loss). */
		if (type == SIGEV_SIGNAL || type == SIGEV_SIGNAL_CODE ||
		    type == SIGEV_SIGNAL_THREAD) {
			if (msg->i.event.sigev_signo <= 0 ||
			    msg->i.event.sigev_signo >= NSIG) {
				return EINVAL;
			}
		} else if (type == SIGEV_PULSE) {
			if (msg->i.event.sigev_code < -128 ||
			    msg->i.event.sigev_code > 127) {
				return EINVAL;
			}
		} else if (type == _SIGEV_HANDLE) {
			if (msg->i.event.sigev_signo <= 0) {
				return EINVAL;
			}
		} else if (type != SIGEV_UNBLOCK) {
			return EINVAL;
		}
		if (want != 0) {
			/* (Before arming: a list armed before an ENOMEM
			 * holds an entry too.) */
			axon__notify_armed = nop;
		}
		for (int i = 0; i < IOFUNC_NOTIFY_NCOND; i++) {
			int cnt;
			int r;

			if (!(want & cond_bit[i])) {
				continue;
			}
			cnt = notifycounts != NULL && notifycounts[i] > 0 ?
			    notifycounts[i] : 1;
			r = arm_list(ctp, &nop[i], cnt, &msg->i.event);
			if (r != 0) {
				return r;
			}
		}
		if (want != 0 && armed != NULL) {
			*armed = 1;
		}
	}
	memset(&msg->o, 0, sizeof(msg->o));
	msg->o.flags = met;
	return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o));
}

/* Delivers and disarms the entries of nop[index] waiting for count or
 * fewer units: every client's (ctp NULL) or only those armed on ctp's
 * client's connection. */
static void
trigger(const resmgr_context_t *ctp, iofunc_notify_t *nop, int count,
    int index)
{
	struct _iofunc_notify_event **pp;

	if (nop == NULL || index < 0 || index >= IOFUNC_NOTIFY_NCOND) {
		return;
	}
	pp = &nop[index].list;
	while (*pp != NULL) {
		struct _iofunc_notify_event *e = *pp;

		if (e->cnt <= count && (ctp == NULL || same_client(e, ctp))) {
			*pp = e->next;
			/* A client gone meanwhile: ESRCH, nothing to do. */
			(void) MsgDeliverEvent_r(e->rcvid, &e->event);
			free(e);
		} else {
			pp = &e->next;
		}
	}
	recount(&nop[index]);
}

void
iofunc_notify_trigger(iofunc_notify_t *nop, int count, int index)
{
	trigger(NULL, nop, count, index);
}

void
iofunc_notify_trigger_strict(resmgr_context_t *ctp, iofunc_notify_t *nop,
    int count, int index)
{
	trigger(ctp, nop, count, index);
}

void
iofunc_notify_remove_strict(resmgr_context_t *ctp, iofunc_notify_t *nop,
    int lim)
{
	if (nop == NULL) {
		return;
	}
	for (int i = 0; i < lim && i < IOFUNC_NOTIFY_NCOND; i++) {
		remove_list(ctp, &nop[i]);
	}
}

void
iofunc_notify_remove(resmgr_context_t *ctp, iofunc_notify_t *nop)
{
	iofunc_notify_remove_strict(ctp, nop, IOFUNC_NOTIFY_NCOND);
}

void
axon__notify_remove_client(resmgr_context_t *ctp, void *nop)
{
	if (ctp != NULL) { /* (never all of them) */
		iofunc_notify_remove_strict(ctp, nop, IOFUNC_NOTIFY_NCOND);
	}
}

/* ---- Client ------------------------------------------------------------ */

int
ionotify(int fd, int action, int flags, const struct sigevent *event)
{
	struct _io_notify m;
	struct _io_notify_reply r;
	long rc;

	if (action < _NOTIFY_ACTION_POLL || action > _NOTIFY_ACTION_EDGEARM) {
		errno = EINVAL;
		return -1;
	}
	memset(&m, 0, sizeof(m));
	memset(&r, 0, sizeof(r));
	m.type = _IO_NOTIFY;
	m.action = action;
	m.flags = flags;
	if (event != NULL) {
		m.event = *event;
	} else {
		SIGEV_NONE_INIT(&m.event);
	}
	if (!(fd & _NTO_SIDE_CHANNEL)) {
		/* A Linux descriptor: of the bridge's mount (a QNX
		 * program's open() of a manager's path), on its direct
		 * connection to the manager; of anything else, poll() or
		 * select() it instead. */
		rc = axon__fd_notify(fd, &m, &r);
		if (rc == -ENOTSUP && fcntl(fd, F_GETFD) < 0) {
			rc = -EBADF;
		}
	} else {
		rc = MsgSend_r(fd, &m, sizeof(m), &r, sizeof(r));
	}
	if (rc < 0) {
		errno = (int) -rc;
		return -1;
	}
	return (int) (r.flags & (_NOTIFY_COND_MASK & ~_NOTIFY_COND_EXTEN));
}
