/* SPDX-License-Identifier: MIT */
/*
 * Pulses and events (msg_int.h): MsgSendPulse*() (the pulse itself goes
 * through axon__pulse_send(), cconn.c) and MsgDeliverEvent().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include "msg_int.h"

int
MsgSendPulse_r(int coid, int priority, int code, int value)
{
	return axon__pulse_send(coid, priority, code, (int64_t) value, false);
}

int
MsgSendPulsePtr_r(int coid, int priority, int code, void *value)
{
	return axon__pulse_send(coid, priority, code,
	    (int64_t) (intptr_t) value, false);
}

/* Whether MsgDeliverEvent() could reach the client of rcvid (which it
 * can after the reply): 0, or -ESRCH. */
int
axon__msg_rcvid_check(rcvid_t rcvid)
{
	struct axon_sconn *sc;
	uint32_t slot;
	uint8_t gen;
	int idx;
	bool live;

	if (rcvid <= 0 || rcvid > INT32_MAX) {
		return -ESRCH;
	}
	axon__msg_rcvid_decode((int32_t) rcvid, &idx, &slot, &gen);
	sc = axon__sconn_get(idx);
	if (sc == NULL) {
		return -ESRCH;
	}
	pthread_mutex_lock(&sc->lock);
	live = !sc->dead && sc->sock >= 0;
	pthread_mutex_unlock(&sc->lock);
	axon__sconn_put(sc);
	return live ? 0 : -ESRCH;
}

int
MsgDeliverEvent_r(rcvid_t rcvid, const struct sigevent *event)
{
	AXON_KEEP_ERRNO;

	struct axon_sconn *sc;
	struct axon_ctl m;
	uint32_t slot;
	uint8_t gen;
	int idx;
	int type;
	int rc;

	if (event == NULL) {
		return -EFAULT;
	}
	type = SIGEV_GET_TYPE(event);
	switch (type) {
	case SIGEV_NONE:
	case SIGEV_UNBLOCK:
		break;
	case SIGEV_SIGNAL:
	case SIGEV_SIGNAL_CODE:
	case SIGEV_SIGNAL_THREAD:
		if (event->sigev_signo <= 0 || event->sigev_signo >= NSIG) {
			return -EINVAL;
		}
		break;
	case SIGEV_PULSE:
		if (event->sigev_code < -128 || event->sigev_code > 127) {
			return -EINVAL;
		}
		break;
	case _SIGEV_HANDLE:
		/* A registered event: the client looks the handle up. */
		if (event->sigev_signo <= 0) {
			return -EINVAL;
		}
		break;
	default:
		return -EINVAL;
	}
	if (rcvid <= 0 || rcvid > INT32_MAX) {
		return -ESRCH;
	}
	axon__msg_rcvid_decode((int32_t) rcvid, &idx, &slot, &gen);
	sc = axon__sconn_get(idx);
	if (sc == NULL) {
		return -ESRCH;
	}
	axon__ctl_init(&m, AXON_CTL_EVENT);
	pthread_mutex_lock(&sc->lock);
	m.u.event.tid = slot < AXON_SLOTS ? sc->slot[slot].tid : 0;
	/* The message, while we hold it: an unblock that reaches the client
	 * after our reply must not end its next one. */
	if (slot < AXON_SLOTS && sc->slot[slot].received &&
	    sc->slot[slot].gen == gen) {
		m.u.event.msg = AXON_EVENT_MSG(slot, sc->slot[slot].seq);
	}
	m.u.event.notify = type;
	/* (SIGEV_NONE and SIGEV_UNBLOCK use no other field: their
	 * initialisers set none, and what is there must not travel; a
	 * network manager's wire check refused it.) */
	m.u.event.signo = type == SIGEV_NONE || type == SIGEV_UNBLOCK
	    ? 0
	    : event->sigev_signo;
	m.u.event.prio = type == SIGEV_PULSE ? event->sigev_priority : 0;
	m.u.event.code = type == SIGEV_PULSE || type == SIGEV_SIGNAL_CODE ||
		type == SIGEV_SIGNAL_THREAD
	    ? event->sigev_code
	    : 0;
	m.u.event.value = (int64_t) (intptr_t) event->sigev_value.sival_ptr;
	if (sc->dead || sc->sock < 0) {
		rc = -ESRCH;
	} else {
		rc = (int) send(sc->sock, &m, sizeof(m),
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		rc = rc < 0 ? (errno == EAGAIN ? -EAGAIN : -ESRCH) : 0;
	}
	pthread_mutex_unlock(&sc->lock);
	axon__sconn_put(sc);
	return rc;
}
