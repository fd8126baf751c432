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
#include <pthread.h>
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

/*
 * The lists are indexed as the _NOTIFY_CONDE_* bits: bit i of a set of
 * lists is nop[i], and the classic conditions, equivalent to RDNORM,
 * WRNORM and RDBAND, are lists 0 to 2 (iofunc.h's IOFUNC_NOTIFY_*).
 */
#define CLASSIC (_NOTIFY_COND_INPUT | _NOTIFY_COND_OUTPUT | _NOTIFY_COND_OBAND)
#define CLASSIC_SHIFT 28 /* _NOTIFY_COND_INPUT >> 28 is list 0's bit */

static uint32_t
classic_lists(uint32_t flags)
{
	return (flags & CLASSIC) >> CLASSIC_SHIFT;
}

/*
 * The arrays whose extended lists (IOFUNC_NOTIFY_NCOND and on) hold
 * entries, with how many: iofunc_notify_remove() takes no size, and
 * may look past the third list only of an array known to have more
 * (an array of three is never here: only a manager that said
 * _NOTIFY_COND_EXTEN arms its extended lists).  A manager's arrays
 * with extended entries armed at once are few: a short list.
 */
static struct {
	pthread_mutex_t lock;
	struct xarray {
		const iofunc_notify_t *nop;
		long n;
	} *a;
	size_t len, cap;
} xreg = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Counts delta entries more in nop's extended lists: 0 or ENOMEM. */
static int
xreg_add(const iofunc_notify_t *nop, long delta)
{
	int rc = 0;
	size_t i;

	pthread_mutex_lock(&xreg.lock);
	for (i = 0; i < xreg.len && xreg.a[i].nop != nop; i++) {
	}
	if (i == xreg.len && delta > 0) {
		if (xreg.len == xreg.cap) {
			size_t cap = xreg.cap == 0 ? 8 : 2 * xreg.cap;
			struct xarray *a = realloc(xreg.a, cap * sizeof(*a));

			if (a == NULL) {
				rc = ENOMEM;
				goto out;
			}
			xreg.a = a;
			xreg.cap = cap;
		}
		xreg.a[xreg.len++] = (struct xarray) {.nop = nop, .n = 0};
	}
	if (i < xreg.len) {
		xreg.a[i].n += delta;
		if (xreg.a[i].n <= 0) {
			xreg.a[i] = xreg.a[--xreg.len];
		}
	}
out:
	pthread_mutex_unlock(&xreg.lock);
	return rc;
}

static bool
xreg_has(const iofunc_notify_t *nop)
{
	bool found = false;

	pthread_mutex_lock(&xreg.lock);
	for (size_t i = 0; i < xreg.len && !found; i++) {
		found = xreg.a[i].nop == nop;
	}
	pthread_mutex_unlock(&xreg.lock);
	return found;
}

/* Whether list index of nop may be looked at by a trigger or a remove:
 * a classic one always; an extended one only while the array is known
 * to hold entries there (an empty extended list has nothing to do, and
 * a manager of three lists passing a larger index or limit is not read
 * past them, as before the extended lists). */
static bool
list_known(const iofunc_notify_t *nop, int index)
{
	return index >= 0 && (index < IOFUNC_NOTIFY_NCOND ||
	    (index < _NOTIFY_MAXCOND && xreg_has(nop)));
}

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

/*
 * The condition a trigger of list index tells an event armed with the
 * SI_NOTIFY code, in the top bits of its value (_NOTIFY_COND_MASK), as
 * QNX's iofunc_notify_trigger() page has it: _NOTIFY_COND_INPUT shifted
 * by the index for the classic lists (INPUT, OUTPUT, OBAND); an
 * extended list's condition has no bit of its own there, so it is told
 * as _NOTIFY_COND_EXTEN (the mask's last bit: the client asks which).
 */
static uint32_t
fired_cond(int index)
{
	return index < IOFUNC_NOTIFY_NCOND ?
	    (uint32_t) _NOTIFY_COND_INPUT << index : _NOTIFY_COND_EXTEN;
}

/* Delivers e's event for a trigger of list index: a pulse or a signal
 * with a code (SIGEV_SIGNAL_CODE, SIGEV_SIGNAL_THREAD) whose code is
 * SI_NOTIFY gets the condition ORed into its value; any other event
 * goes as the client gave it.  A client gone meanwhile: ESRCH, nothing
 * to do. */
static void
deliver_event(const struct _iofunc_notify_event *e, int index)
{
	struct sigevent ev = e->event;
	int type = SIGEV_GET_TYPE(&ev);

	if ((type == SIGEV_PULSE || type == SIGEV_SIGNAL_CODE ||
	    type == SIGEV_SIGNAL_THREAD) && ev.sigev_code == SI_NOTIFY) {
		ev.sigev_value.sival_int = (int) ((uint32_t)
		    ev.sigev_value.sival_int | fired_cond(index));
	}
	(void) MsgDeliverEvent_r(e->rcvid, &ev);
}

/* Takes the entries of nop[index] that keep(ctp, e, count) says go out
 * of the list, delivering their events if deliver; the count of the
 * extended entries kept up to date. */
static void
take_list(const resmgr_context_t *ctp, iofunc_notify_t *nop, int index,
    int count, bool deliver)
{
	struct _iofunc_notify_event **pp = &nop[index].list;
	long gone = 0;

	while (*pp != NULL) {
		struct _iofunc_notify_event *e = *pp;

		if ((ctp == NULL || same_client(e, ctp)) &&
		    (!deliver || e->cnt <= count)) {
			*pp = e->next;
			if (deliver) {
				deliver_event(e, index);
			}
			free(e);
			gone++;
		} else {
			pp = &e->next;
		}
	}
	recount(&nop[index]);
	if (gone > 0 && index >= IOFUNC_NOTIFY_NCOND) {
		(void) xreg_add(nop, -gone);
	}
}

/* Arms nop[index] for ctp's client: replaces its entry there if it has
 * one (a client re-arming does not pile up entries).  0 or ENOMEM. */
static int
arm_list(resmgr_context_t *ctp, iofunc_notify_t *nop, int index, int cnt,
    const struct sigevent *ev)
{
	iofunc_notify_t *n = &nop[index];
	struct _iofunc_notify_event *e;

	for (e = n->list; e != NULL; e = e->next) {
		if (same_client(e, ctp)) {
			break;
		}
	}
	if (e == NULL) {
		if (index >= IOFUNC_NOTIFY_NCOND && xreg_add(nop, 1) != 0) {
			return ENOMEM;
		}
		e = calloc(1, sizeof(*e));
		if (e == NULL) {
			if (index >= IOFUNC_NOTIFY_NCOND) {
				(void) xreg_add(nop, -1);
			}
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

/* Whether MsgDeliverEvent() can deliver ev (checked when it is armed,
 * so a client's bad event is its EINVAL, not a silent loss). */
static bool
event_ok(const struct sigevent *ev)
{
	int type = SIGEV_GET_TYPE(ev);

	if (type == SIGEV_SIGNAL || type == SIGEV_SIGNAL_CODE ||
	    type == SIGEV_SIGNAL_THREAD) {
		return ev->sigev_signo > 0 && ev->sigev_signo < NSIG;
	}
	if (type == SIGEV_PULSE) {
		return ev->sigev_code >= -128 && ev->sigev_code <= 127;
	}
	if (type == _SIGEV_HANDLE) {
		return ev->sigev_signo > 0;
	}
	return type == SIGEV_UNBLOCK;
}

int
iofunc_notify(resmgr_context_t *ctp, io_notify_t *msg, iofunc_notify_t *nop,
    int trig, const int *notifycounts, int *armed)
{
	uint32_t flags, asked_c, asked_e, all, want, have, met;
	bool exten, mexten, arm;
	int action, type;

	if (armed != NULL) {
		*armed = 0;
	}
	if (ctp == NULL || msg == NULL || nop == NULL) {
		return EINVAL;
	}
	/* The manager's array has the extended lists only if it says so
	 * (an array of three is what managers before QNX 7 keep). */
	exten = ((uint32_t) trig & _NOTIFY_COND_EXTEN) != 0;
	all = (1u << (exten ? _NOTIFY_MAXCOND : IOFUNC_NOTIFY_NCOND)) - 1;
	action = msg->i.action & _NOTIFY_ACTION_MASK;
	flags = (uint32_t) msg->i.flags;
	mexten = (flags & _NOTIFY_COND_EXTEN) != 0;
	asked_c = classic_lists(flags);
	asked_e = mexten ? (uint32_t) msg->i.flags_extra_mask &
	    _NOTIFY_CONDE_MASK : 0;
	want = (asked_c | asked_e) & all;
	have = classic_lists((uint32_t) trig) |
	    (exten ? (uint32_t) trig & _NOTIFY_CONDE_MASK : 0);
	met = want & have;
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
		for (int i = 0; i < _NOTIFY_MAXCOND; i++) {
			if (want & (1u << i)) {
				take_list(ctp, nop, i, 0, false);
			}
		}
		arm = false;
	} else if (arm) {
		if (!event_ok(&msg->i.event)) {
			return EINVAL;
		}
		if (want != 0) {
			/* (Before arming: a list armed before an ENOMEM
			 * holds an entry too.) */
			axon__notify_armed = nop;
		}
		for (int i = 0; i < _NOTIFY_MAXCOND; i++) {
			int cnt;
			int r;

			if (!(want & (1u << i))) {
				continue;
			}
			cnt = notifycounts != NULL && notifycounts[i] > 0 ?
			    notifycounts[i] : 1;
			r = arm_list(ctp, nop, i, cnt, &msg->i.event);
			if (r != 0) {
				return r;
			}
		}
		if (want != 0 && armed != NULL) {
			*armed = exten ? (int) want : 1;
		}
	}
	memset(&msg->o, 0, sizeof(msg->o));
	msg->o.flags = (met & asked_c) << CLASSIC_SHIFT;
	if (mexten) {
		/* The extended fields answered: those asked that this
		 * manager can report, and those met. */
		msg->o.flags |= _NOTIFY_COND_EXTEN;
		msg->o.flags_extra_mask = (int32_t) (asked_e & all);
		msg->o.flags_exten = (int32_t) (met & asked_e);
	}
	return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o));
}

/* Delivers and disarms the entries of nop[index] waiting for count or
 * fewer units: every client's (ctp NULL) or only those armed on ctp's
 * client's connection. */
static void
trigger(const resmgr_context_t *ctp, iofunc_notify_t *nop, int count,
    int index)
{
	if (nop == NULL || !list_known(nop, index)) {
		return;
	}
	take_list(ctp, nop, index, count, true);
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
	for (int i = 0; i < lim && list_known(nop, i); i++) {
		take_list(ctp, nop, i, 0, false);
	}
}

void
iofunc_notify_remove(resmgr_context_t *ctp, iofunc_notify_t *nop)
{
	iofunc_notify_remove_strict(ctp, nop, _NOTIFY_MAXCOND);
}

void
axon__notify_remove_client(resmgr_context_t *ctp, void *nop)
{
	if (ctp != NULL) { /* (never all of them) */
		iofunc_notify_remove(ctp, nop);
	}
}

/* ---- Client ------------------------------------------------------------ */

int
ionotify(int fd, int action, int flags, const struct sigevent *event)
{
	struct _io_notify m;
	struct _io_notify_reply r;
	uint32_t met;
	long rc;

	if (action < _NOTIFY_ACTION_POLL || action > _NOTIFY_ACTION_EDGEARM) {
		errno = EINVAL;
		return -1;
	}
	memset(&m, 0, sizeof(m));
	memset(&r, 0, sizeof(r));
	m.type = _IO_NOTIFY;
	m.combine_len = sizeof(m);
	m.action = action;
	if ((uint32_t) flags & _NOTIFY_COND_EXTEN) {
		/* QNX 7's extended conditions: asked in flags_extra_mask. */
		m.flags = (int32_t) ((uint32_t) flags & _NOTIFY_COND_MASK);
		m.flags_extra_mask = (int32_t) ((uint32_t) flags &
		    _NOTIFY_CONDE_MASK);
	} else {
		m.flags = flags;
	}
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
	/* The classic conditions met, and the extended ones asked that a
	 * manager answering them reports met (one that does not, a
	 * manager before QNX 7's, reports only the classic ones). */
	met = r.flags & (_NOTIFY_COND_MASK & ~_NOTIFY_COND_EXTEN);
	if ((r.flags & _NOTIFY_COND_EXTEN) && (m.flags & _NOTIFY_COND_EXTEN)) {
		met |= (uint32_t) r.flags_exten &
		    (uint32_t) m.flags_extra_mask;
	}
	return (int) met;
}
