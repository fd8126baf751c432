/* SPDX-License-Identifier: MIT */
/*
 * Client connections: ConnectAttach/ConnectDetach, the coid table, and
 * what the monitor thread does for a client (events from the server, the
 * server's death).
 *
 * One struct axon_cconn exists per (nd, pid, chid) this process is
 * connected to; further ConnectAttach calls alias it (QNX connection
 * sharing), so the server sees one scoid and one DISCONNECT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <sys/netmgr.h>

#include "internal.h"

#define AXON_COF_KNOWN                                               \
	(_NTO_COF_CLOEXEC | _NTO_COF_NOSHARE | _NTO_COF_NETCON |      \
	    _NTO_COF_NOEVENT | _NTO_COF_INSECURE | _NTO_COF_REG_EVENTS)
#define AXON_CONNECT_TIMEOUT_MS 5000

static struct axon_coid *
coid_slot(int coid)
{
	struct axon_proc *p = &axon__proc;

	if (coid & _NTO_SIDE_CHANNEL) {
		int n = coid & ~_NTO_SIDE_CHANNEL;

		if (n < 0 || n >= AXON_MAX_COIDS || p->coids == NULL) {
			return NULL;
		}
		return &p->coids[n];
	}
	if (coid < 0 || coid >= p->fdcoids_len) {
		return NULL;
	}
	return &p->fdcoids[coid];
}

/* Recomputes cc->evflags from the coids that point at cc: proc.lock
 * held. */
static void
cc_evflags_sync(struct axon_cconn *cc)
{
	struct axon_proc *p = &axon__proc;
	unsigned v = 0;

	for (int i = 0; i < p->coid_hwm; i++) {
		if (p->coids[i].cc == cc) {
			v |= (unsigned) p->coids[i].flags;
		}
	}
	for (int i = 0; i < p->fdcoids_len; i++) {
		if (p->fdcoids[i].cc == cc) {
			v |= (unsigned) p->fdcoids[i].flags;
		}
	}
	atomic_store(&cc->evflags, v & (_NTO_COF_NOEVENT |
					    _NTO_COF_REG_EVENTS));
}

int
axon__coid_get_seq(int coid, struct axon_cconn **ret_cc, uint32_t *ret_dseq)
{
	struct axon_coid *c;
	struct axon_cconn *cc = NULL;

	(void) axon__gettid(); /* registers the thread for THREAD_DEATH */
	pthread_mutex_lock(&axon__proc.lock);
	c = axon__proc.inited ? coid_slot(coid) : NULL;
	if (c != NULL && c->cc != NULL) {
		cc = c->cc;
		atomic_fetch_add(&cc->refs, 1);
		if (ret_dseq != NULL) {
			/* (ConnectDetach bumps it under this lock.) */
			*ret_dseq = atomic_load(&cc->detach_seq);
		}
	}
	pthread_mutex_unlock(&axon__proc.lock);
	if (cc == NULL) {
		return -EBADF;
	}
	*ret_cc = cc;
	return 0;
}

int
axon__coid_get(int coid, struct axon_cconn **ret_cc)
{
	return axon__coid_get_seq(coid, ret_cc, NULL);
}

/* Whether coid still names cc (not ConnectDetach()ed meanwhile). */
bool
axon__coid_is(int coid, const struct axon_cconn *cc)
{
	struct axon_coid *c;
	bool is;

	pthread_mutex_lock(&axon__proc.lock);
	c = axon__proc.inited ? coid_slot(coid) : NULL;
	is = c != NULL && c->cc == cc;
	pthread_mutex_unlock(&axon__proc.lock);
	return is;
}

void
axon__cconn_put(struct axon_cconn *cc)
{
	if (cc == NULL || atomic_fetch_sub(&cc->refs, 1) != 1) {
		return;
	}
	for (unsigned i = 0; i < AXON_SLOTS; i++) {
		if (cc->big[i].map != NULL) {
			(void) munmap(cc->big[i].map, cc->big[i].size);
		}
		if (cc->big[i].fd >= 0) {
			(void) close(cc->big[i].fd);
		}
	}
	if (cc->rgn != NULL) {
		(void) munmap(cc->rgn, AXON_REGION_SIZE);
	}
	if (cc->sock >= 0) {
		(void) close(cc->sock);
	}
	if (cc->bell >= 0) {
		(void) close(cc->bell);
	}
	pthread_mutex_destroy(&cc->lock);
	free(cc);
}

int
axon__cconn_sendctl(struct axon_cconn *cc, const struct axon_ctl *m, int fd)
{
	int rc;

	/* The network manager never waits for a local server that does not
	 * read its socket (stopped, stuck): it gets EAGAIN instead. */
	int flags = atomic_load(&cc->net_user) != NULL ? MSG_DONTWAIT : 0;
	int state;

	/* sendmsg() is a cancellation point: a thread cancelled in it would
	 * leave cc->lock held and every later user of the connection
	 * stuck.  Control messages are sent whole or not at all, so no
	 * cancellation is lost, only deferred to the caller's next point. */
	(void) pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &state);
	pthread_mutex_lock(&cc->lock);
	rc = cc->sock >= 0
	    ? axon__sendmsg_fd_flags(cc->sock, m, sizeof(*m), fd, flags)
	    : -EBADF;
	pthread_mutex_unlock(&cc->lock);
	(void) pthread_setcancelstate(state, NULL);
	return rc;
}

/*
 * Wakes the thread that waits on slot i, having set what it is to act on
 * (cc->cancel[i] or cc->dead).  Clearing WAITER changes the word a thread
 * about to sleep compares in its futex wait, so that wait fails at once;
 * a thread already asleep is woken.  Its other half is send.c's
 * send_recheck(): a waiter that publishes WAITER looks at cancel and
 * dead after it, so one of the two sees the other (the wake-up that was
 * lost when the event came between the sender's look and its sleep).
 */
static void
cc_poke(struct axon_cconn *cc, unsigned i)
{
	_Atomic uint32_t *sp = &cc->rgn->slot[i].state;

	(void) atomic_fetch_and(sp, ~AXON_ST_WAITER);
	axon__futex_wake(sp, 1);
}

/*
 * Asks the sender of slot i's message seq to leave with err, if the slot
 * still holds that message, SEND- or REPLY-blocked: a message it no
 * longer holds (replied meanwhile, and the slot perhaps taken by the
 * thread's next send) is left alone, as is a reason already set for the
 * same message.  The sender takes it at its next look (send.c,
 * send_check_events).
 */
static void
cc_cancel(struct axon_cconn *cc, unsigned i, uint32_t seq, int err)
{
	uint32_t st = atomic_load(&cc->rgn->slot[i].state);
	uint32_t c = atomic_load(&cc->cancel[i]);
	int ph = AXON_ST_PHASE(st);

	if ((ph != AXON_PH_SENT && ph != AXON_PH_RECEIVED) ||
	    AXON_ST_SEQ(st) != (seq & 0xffffu)) {
		return;
	}
	do {
		if (c != 0 && AXON_CANCEL_SEQ(c) == AXON_ST_SEQ(st)) {
			break; /* the first reason stands */
		}
	} while (!atomic_compare_exchange_weak(&cc->cancel[i], &c,
	    AXON_CANCEL_MAKE(AXON_ST_SEQ(st), err)));
	cc_poke(cc, i);
}

/* Whether slot i holds a message, SEND- or REPLY-blocked, whose owner
 * (*owner: the slot's tid or coid, read between two looks at the state)
 * is want; its sequence in *ret_seq. */
static bool
cc_slot_is(struct axon_cconn *cc, unsigned i, const _Atomic int *owner,
    int want, uint32_t *ret_seq)
{
	uint32_t st = atomic_load(&cc->rgn->slot[i].state);
	int ph = AXON_ST_PHASE(st);

	if ((ph != AXON_PH_SENT && ph != AXON_PH_RECEIVED) ||
	    atomic_load(owner) != want) {
		return false;
	}
	/* (The owner is written before the post's state, and a slot is
	 * FREE before it is posted again with the next sequence: the same
	 * message, still blocked, at a second look means the owner read
	 * between is its own.) */
	uint32_t st2 = atomic_load(&cc->rgn->slot[i].state);

	ph = AXON_ST_PHASE(st2);
	if ((ph != AXON_PH_SENT && ph != AXON_PH_RECEIVED) ||
	    AXON_ST_SEQ(st2) != AXON_ST_SEQ(st)) {
		return false;
	}
	*ret_seq = AXON_ST_SEQ(st);
	return true;
}

/* Releases every thread blocked on cc with err (ESRCH or EBADF). */
void
axon__cconn_mark_dead(struct axon_cconn *cc, int err)
{
	int expect = 0;

	(void) atomic_compare_exchange_strong(&cc->dead_err, &expect, err);
	atomic_store(&cc->dead, true);
	for (unsigned i = 0; i < AXON_SLOTS; i++) {
		cc_poke(cc, i);
	}
	atomic_fetch_add(&cc->slot_seq, 1);
	axon__futex_wake(&cc->slot_seq, INT32_MAX);
}

/* The client's connection flags allow this event (ConnectFlags(3)):
 * _NTO_COF_NOEVENT refuses every event, _NTO_COF_REG_EVENTS every event
 * that is not a registered one (MsgRegisterEvent()). */
static bool
event_allowed(struct axon_cconn *cc, const struct axon_ctl *m)
{
	unsigned ef = atomic_load(&cc->evflags);

	if (ef & _NTO_COF_NOEVENT) {
		return false;
	}
	return !(ef & _NTO_COF_REG_EVENTS) ||
	    m->u.event.notify == _SIGEV_HANDLE;
}

/* Delivers an event the server sent with MsgDeliverEvent(). */
static void
deliver_event(struct axon_cconn *cc, const struct axon_ctl *m)
{
	union sigval v;
	siginfo_t si;
	bool failed = false;

	if (m->u.event.notify == _SIGEV_HANDLE) {
		/* A registered event: what it stands for, if this server may
		 * deliver it (regevent.c). */
		struct sigevent ev;
		struct axon_ctl r = *m;

		if (axon__regevent_resolve(cc, m->u.event.signo,
			m->u.event.value, &ev) != 0) {
			axon__ps_event_failed();
			return;
		}
		r.u.event.notify = SIGEV_GET_TYPE(&ev);
		r.u.event.signo = ev.sigev_signo;
		r.u.event.prio = SIGEV_GET_TYPE(&ev) == SIGEV_PULSE
		    ? ev.sigev_priority
		    : 0;
		r.u.event.code = SIGEV_GET_TYPE(&ev) == SIGEV_PULSE ||
			SIGEV_GET_TYPE(&ev) == SIGEV_SIGNAL_CODE ||
			SIGEV_GET_TYPE(&ev) == SIGEV_SIGNAL_THREAD
		    ? ev.sigev_code
		    : 0;
		r.u.event.value = (int64_t) (intptr_t) ev.sigev_value.sival_ptr;
		if (r.u.event.notify == _SIGEV_HANDLE) {
			axon__ps_event_failed(); /* never registered so */
			return;
		}
		deliver_event(cc, &r);
		return;
	}
	v.sival_ptr = (void *) (intptr_t) m->u.event.value;
	switch (m->u.event.notify) {
	case SIGEV_PULSE: {
		int prio = m->u.event.prio;

		if (prio == SIGEV_PULSE_PRIO_INHERIT || prio < 0 ||
		    prio > 255) {
			prio = 10;
		}
		failed = MsgSendPulse_r(m->u.event.signo, prio,
			     m->u.event.code, v.sival_int) != 0;
		break;
	}
	case SIGEV_SIGNAL:
	case SIGEV_SIGNAL_CODE:
		failed = m->u.event.signo <= 0 || m->u.event.signo >= NSIG ||
		    sigqueue(getpid(), m->u.event.signo, v) != 0;
		break;
	case SIGEV_SIGNAL_THREAD:
		if (m->u.event.signo > 0 && m->u.event.signo < NSIG) {
			memset(&si, 0, sizeof(si));
			si.si_signo = m->u.event.signo;
			si.si_code = SI_QUEUE;
			si.si_pid = getpid();
			si.si_uid = getuid();
			si.si_value = v;
			failed = syscall(SYS_rt_tgsigqueueinfo, getpid(),
				     m->u.event.tid, m->u.event.signo,
				     &si) != 0;
		} else {
			failed = true;
		}
		break;
	case SIGEV_UNBLOCK:
		/* Unblock that thread from its blocking call on this
		 * connection, as a kernel timeout would: from the message
		 * the server held when it sent the event, if it named one,
		 * and only while the slot still holds it; else from the one
		 * the thread is blocked on now (an event sent after the
		 * reply, with the rcvid kept). */
		if (m->u.event.msg != 0) {
			unsigned i = AXON_EVENT_MSG_SLOT(m->u.event.msg);
			uint32_t seq;

			if (cc_slot_is(cc, i, &cc->slot_tid[i], m->u.event.tid,
				&seq) &&
			    seq == AXON_EVENT_MSG_SEQ(m->u.event.msg)) {
				cc_cancel(cc, i, seq, ETIMEDOUT);
			}
			break;
		}
		for (unsigned i = 0; i < AXON_SLOTS; i++) {
			uint32_t seq;

			if (cc_slot_is(cc, i, &cc->slot_tid[i], m->u.event.tid,
				&seq)) {
				cc_cancel(cc, i, seq, ETIMEDOUT);
			}
		}
		break;
	default:
		break; /* SIGEV_NONE */
	}
	/* Nobody to tell but the status page (axon ps): the server's
	 * MsgDeliverEvent succeeded long ago. */
	if (failed) {
		axon__ps_event_failed();
	}
}

/* The monitor thread's handler for a client connection socket. */
void
axon__cconn_event(struct axon_cconn *cc, uint32_t events)
{
	bool hup = (events & (EPOLLHUP | EPOLLERR)) != 0;

	/* One notice per call: the socket is watched level-triggered (the
	 * monitor's set, or the network manager's loop), so another one
	 * queued brings us back, and the read that would only say EAGAIN
	 * is saved. */
	if (!hup) {
		struct axon_ctl m;
		uint8_t buf[sizeof(m) + 1];
		ssize_t n = axon__recvmsg_fd(cc->sock, buf, sizeof(buf), NULL,
		    MSG_DONTWAIT);

		if (n == -EAGAIN) {
			return;
		}
		void *user = atomic_load(&cc->net_user);

		if (n <= 0 || axon__ctl_decode(buf, (size_t) n, &m) < 0 ||
		    (m.type != AXON_CTL_EVENT &&
			((m.type != AXON_CTL_REPLIED &&
			     m.type != AXON_CTL_READ &&
			     m.type != AXON_CTL_RECEIVED) ||
			    user == NULL))) {
			hup = true; /* gone, or not speaking the protocol */
		} else if (user != NULL && m.type == AXON_CTL_REPLIED) {
			axon__net_hooks.replied(user, m.u.slot.slot);
		} else if (user != NULL && m.type == AXON_CTL_RECEIVED) {
			if (axon__net_hooks.received != NULL) {
				axon__net_hooks.received(user, m.u.slot.slot);
			}
		} else if (user != NULL && m.type == AXON_CTL_READ) {
			axon__net_hooks.read(user, m.u.slot.slot);
		} else if (user != NULL) {
			axon__net_hooks.event(user, &m);
		} else if (m.type == AXON_CTL_EVENT &&
		    !event_allowed(cc, &m)) {
			axon__ps_event_failed(); /* the client said no */
		} else {
			deliver_event(cc, &m);
		}
	}
	if (!hup) {
		return;
	}
	/* The server died, destroyed its channel or cut us off. */
	if (cc->loop_epfd > 0) {
		/* The network manager's loop watches it (netloop.c). */
		(void) epoll_ctl(cc->loop_epfd, EPOLL_CTL_DEL, cc->sock, NULL);
	} else {
		axon__mon_del(cc->sock);
	}
	axon__cconn_mark_dead(cc, ESRCH);
	void *user = atomic_load(&cc->net_user);
	if (user != NULL) {
		axon__net_hooks.dead(user);
	}
	/* _NTO_CHF_COID_DISCONNECT: one pulse per connection id that
	 * aliases this connection (each must be detached). */
	pthread_mutex_lock(&axon__proc.lock);
	int death_chid = axon__proc.death_chid;
	bool ours = cc->detached;
	int coids_small[64];
	int *coids = coids_small;
	int ncoids = 0;
	int max = 0;

	if (!ours && death_chid > 0) {
		for (int i = 0; i < axon__proc.coid_hwm; i++) {
			max += axon__proc.coids[i].cc == cc;
		}
		for (int i = 0; i < axon__proc.fdcoids_len; i++) {
			max += axon__proc.fdcoids[i].cc == cc;
		}
		if (max > 64) {
			coids = malloc((size_t) max * sizeof(*coids));
			if (coids == NULL) {
				coids = coids_small; /* the first 64 only */
				max = 64;
			}
		}
		for (int i = 0; i < axon__proc.coid_hwm && ncoids < max; i++) {
			if (axon__proc.coids[i].cc == cc) {
				coids[ncoids++] = i | _NTO_SIDE_CHANNEL;
			}
		}
		for (int i = 0; i < axon__proc.fdcoids_len && ncoids < max;
		    i++) {
			if (axon__proc.fdcoids[i].cc == cc) {
				coids[ncoids++] = i;
			}
		}
	}
	pthread_mutex_unlock(&axon__proc.lock);
	for (int i = 0; i < ncoids; i++) {
		union sigval v = {.sival_int = coids[i]};

		(void) axon__local_pulse(death_chid, 10, _PULSE_CODE_COIDDEATH,
		    v, -1);
	}
	if (coids != coids_small) {
		free(coids);
	}
	axon__cconn_put(cc); /* the monitor's registration */
}

static int
make_region(struct axon_region **ret_rgn, int *ret_fd)
{
	struct axon_region *r;
	int fd;
	int rc;

	fd = memfd_create("axon-conn", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		return -errno;
	}
	if (ftruncate(fd, (off_t) AXON_REGION_SIZE) < 0 ||
	    fcntl(fd, F_ADD_SEALS,
		F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		rc = -errno;
		(void) close(fd);
		return rc;
	}
	r = mmap(NULL, AXON_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	if (r == MAP_FAILED) {
		(void) close(fd);
		return -ENOMEM;
	}
	r->magic = AXON_SHM_MAGIC;
	r->version = AXON_SHM_VERSION;
	r->nslots = AXON_SLOTS;
	r->inline_size = AXON_INLINE;
	atomic_store(&r->srv_cpu, -1);
	*ret_rgn = r;
	*ret_fd = fd;
	return 0;
}

/*
 * The connection's bell (docs/design/local-transport.md §4): an eventfd
 * that starts at 1 and that we ring by writing 0.  The server keeps a
 * descriptor of it in its channel's epoll set, so it could change the
 * file's blocking mode or fill its counter; a write of 0 never blocks
 * and never fails whatever it does, and still wakes the set (the counter
 * stays readable).
 */
static int
make_bell(struct axon_cconn *cc)
{
	cc->bell = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);
	if (cc->bell < 0) {
		return errno == EMFILE ? -EMFILE : -EAGAIN;
	}
	return 0;
}

/* Connects to chid of process pid on node nd (for a remote node,
 * through this node's network manager) and completes the handshake. */
static int
cconn_open(uint32_t nd, pid_t pid, int chid, const struct axon_netcred *net,
    struct axon_cconn **ret_cc)
{
	struct axon_proc *p = &axon__proc;
	struct axon_cconn *cc;
	struct axon_ctl m;
	struct ucred cr;
	socklen_t crl = sizeof(cr);
	struct pollfd pfd;
	uint8_t buf[sizeof(m) + 1];
	int fds[2] = {-1, -1}; /* the region, the bell */
	ssize_t n;
	int rc;

	cc = calloc(1, sizeof(*cc));
	if (cc == NULL) {
		return -ENOMEM;
	}
	cc->sock = -1;
	cc->bell = -1;
	for (unsigned i = 0; i < AXON_SLOTS; i++) {
		cc->big[i].fd = -1;
	}
	atomic_init(&cc->refs, 1);
	atomic_init(&cc->free_mask, ~(uint64_t) 0);
	pthread_mutex_init(&cc->lock, NULL);
	cc->nd = nd;
	cc->pid = pid;
	cc->chid = chid;

	pid_t peer = pid;
	if (nd != ND_LOCAL_NODE) {
		rc = axon__netmgr_pid(&peer);
		if (rc < 0) {
			goto err;
		}
	}
	/* The kernel, not the peer, says who listens there (ESRCH: not
	 * the process asked for; see rundir.c). */
	cc->sock = axon__pid_connect(p->rundir, peer,
	    AXON_CONNECT_TIMEOUT_MS);
	if (cc->sock < 0) {
		rc = cc->sock == -EMFILE ? -EMFILE
		    : nd != ND_LOCAL_NODE ? -ENOREMOTE
		    : cc->sock;
		cc->sock = -1;
		goto err;
	}
	rc = make_region(&cc->rgn, &fds[0]);
	if (rc < 0) {
		goto err;
	}
	rc = make_bell(cc);
	if (rc < 0) {
		(void) close(fds[0]);
		goto err;
	}
	fds[1] = cc->bell;
	axon__ctl_init(&m, AXON_CTL_CONNECT);
	m.u.connect.nd = nd;
	m.u.connect.pid = pid;
	m.u.connect.chid = chid;
	m.u.connect.region_size = AXON_REGION_SIZE;
	if (net != NULL) {
		m.u.connect.flags = AXON_CONNF_NET;
		m.u.connect.net = *net;
	}
	rc = axon__sendmsg_fds(cc->sock, &m, sizeof(m), fds, 2, 0);
	(void) close(fds[0]);
	if (rc < 0) {
		/* A server out of descriptors takes the connection only to
		 * refuse it, before it reads (sconn.c); the kernel drops its
		 * answer when a send finds the peer closed.  A server that
		 * still lives is out of resources; one gone is gone. */
		rc = axon__proc_start_time(peer) != 0 ? -EAGAIN : -ESRCH;
		goto err;
	}
	pfd.fd = cc->sock;
	pfd.events = POLLIN;
	do {
		rc = poll(&pfd, 1, AXON_CONNECT_TIMEOUT_MS);
	} while (rc < 0 && errno == EINTR);
	if (rc <= 0) {
		/* The server process is not answering, or gone (a zombie
		 * counts as gone: kill(pid, 0) would call it alive). */
		rc = axon__proc_start_time(peer) != 0 ? -EAGAIN : -ESRCH;
		goto err;
	}
	n = axon__recvmsg_fd(cc->sock, buf, sizeof(buf), NULL, MSG_DONTWAIT);
	if (n == -ECONNRESET) {
		/* A server that closed without reading what we sent (one
		 * out of descriptors, sconn.c) leaves that error ahead of
		 * its answer. */
		n = axon__recvmsg_fd(cc->sock, buf, sizeof(buf), NULL,
		    MSG_DONTWAIT);
	}
	if (n <= 0 || axon__ctl_decode(buf, (size_t) n, &m) < 0 ||
	    m.type != AXON_CTL_CONNECTED) {
		rc = -ESRCH;
		goto err;
	}
	if (m.u.connected.err != 0) {
		rc = -m.u.connected.err;
		goto err;
	}
	if (m.u.connected.srv_pid != peer) {
		rc = -ESRCH;
		goto err;
	}
	if (getsockopt(cc->sock, SOL_SOCKET, SO_PEERCRED, &cr, &crl) == 0) {
		cc->srv_uid = cr.uid;
	}
	cc->peer_pid = peer;
	cc->scoid = m.u.connected.scoid;
	cc->chflags = m.u.connected.chflags;
	*ret_cc = cc;
	return 0;
err:
	axon__cconn_put(cc);
	return rc;
}

/* Allocates a coid for cc (proc.lock held). */
static int
coid_alloc(struct axon_cconn *cc, unsigned index, int flags)
{
	struct axon_proc *p = &axon__proc;

	if (index & _NTO_SIDE_CHANNEL) {
		/* The lowest free id, as QNX hands out; not 0, which is
		 * SYSMGR_COID's (sysmgr.c). */
		for (int n = 1; n < AXON_MAX_COIDS; n++) {
			if (p->coids[n].cc == NULL) {
				p->coids[n].cc = cc;
				p->coids[n].flags = flags;
				p->coids[n].fdres = -1;
				if (n >= p->coid_hwm) {
					p->coid_hwm = n + 1;
				}
				return n | _NTO_SIDE_CHANNEL;
			}
		}
		return -EAGAIN;
	}
	/* An fd-range coid: reserve the fd number with a real descriptor so
	 * that nothing else in the process can be given it. */
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int res;

	if (fd < 0) {
		return -EMFILE;
	}
	res = fcntl(fd, F_DUPFD_CLOEXEC, (int) index);
	(void) close(fd);
	if (res < 0) {
		return errno == EINVAL ? -EINVAL : -EMFILE;
	}
	if (res >= p->fdcoids_len) {
		int nlen = res + 64;
		struct axon_coid *n = realloc(p->fdcoids,
		    (size_t) nlen * sizeof(*n));

		if (n == NULL) {
			(void) close(res);
			return -ENOMEM;
		}
		memset(n + p->fdcoids_len, 0,
		    (size_t) (nlen - p->fdcoids_len) * sizeof(*n));
		p->fdcoids = n;
		p->fdcoids_len = nlen;
	}
	p->fdcoids[res].cc = cc;
	p->fdcoids[res].flags = flags;
	p->fdcoids[res].fdres = res;
	return res;
}

int
ConnectAttach_r(uint32_t nd, pid_t pid, int chid, unsigned index, int flags)
{
	AXON_KEEP_ERRNO;

	struct axon_proc *p = &axon__proc;
	struct axon_cconn *cc = NULL;
	int rc;

	if (flags & ~AXON_COF_KNOWN) {
		return -EINVAL;
	}
	if (ND_NODE_CMP(nd, ND_LOCAL_NODE) == 0) {
		nd = ND_LOCAL_NODE; /* another QoS of this node is this node */
	}
	if (pid < 0 || chid < 0 || (nd != ND_LOCAL_NODE && pid == 0)) {
		return -ESRCH;
	}
	if (!(index & _NTO_SIDE_CHANNEL) && index > (unsigned) INT32_MAX) {
		return -EINVAL;
	}
	pthread_mutex_lock(&p->lock);
	rc = axon__mon_start();
	if (rc < 0) {
		pthread_mutex_unlock(&p->lock);
		return rc;
	}
	if (pid == 0 && nd == ND_LOCAL_NODE) {
		pid = p->pid;
	}
	/* Share a live connection to the same (nd, pid, chid). */
	if (!(flags & _NTO_COF_NOSHARE)) {
		for (int i = 0; i < p->coid_hwm && cc == NULL; i++) {
			struct axon_cconn *c = p->coids[i].cc;

			if (c != NULL && !c->noshare && c->pid == pid &&
			    c->nd == nd && c->chid == chid &&
			    !atomic_load(&c->dead)) {
				cc = c;
			}
		}
		for (int i = 0; i < p->fdcoids_len && cc == NULL; i++) {
			struct axon_cconn *c = p->fdcoids[i].cc;

			if (c != NULL && !c->noshare && c->pid == pid &&
			    c->nd == nd && c->chid == chid &&
			    !atomic_load(&c->dead)) {
				cc = c;
			}
		}
	}
	if (cc != NULL) {
		rc = coid_alloc(cc, index, flags);
		if (rc >= 0) {
			/* One more coid: its flags join the others'. */
			(void) atomic_fetch_or(&cc->evflags, (unsigned) flags &
			    (_NTO_COF_NOEVENT | _NTO_COF_REG_EVENTS));
			cc->aliases++;
			atomic_fetch_add(&cc->refs, 1);
			axon__ps_conn_add(rc, nd, pid, chid);
		}
		pthread_mutex_unlock(&p->lock);
		if (rc >= 0) {
			axon__ps_thread();
		}
		return rc;
	}
	pthread_mutex_unlock(&p->lock);

	rc = cconn_open(nd, pid, chid, NULL, &cc);
	if (rc < 0) {
		return rc;
	}
	cc->noshare = (flags & _NTO_COF_NOSHARE) != 0;
	pthread_mutex_lock(&p->lock);
	rc = coid_alloc(cc, index, flags);
	if (rc < 0) {
		pthread_mutex_unlock(&p->lock);
		axon__cconn_put(cc);
		return rc;
	}
	cc->aliases = 1;
	atomic_store(&cc->evflags, (unsigned) flags &
	    (_NTO_COF_NOEVENT | _NTO_COF_REG_EVENTS));
	/* refs: 1 (creation) is the coid's; one more for the monitor. */
	atomic_fetch_add(&cc->refs, 1);
	if (axon__mon_add(cc->sock, AXON_TAG_CCONN, cc) < 0) {
		atomic_fetch_sub(&cc->refs, 1);
		coid_slot(rc)->cc = NULL;
		if (!(rc & _NTO_SIDE_CHANNEL)) {
			(void) close(rc);
		}
		pthread_mutex_unlock(&p->lock);
		axon__cconn_put(cc);
		return -ENOMEM;
	}
	axon__ps_conn_add(rc, nd, pid, chid);
	pthread_mutex_unlock(&p->lock);
	axon__ps_thread();
	return rc;
}

struct axon_net_hooks axon__net_hooks;

void
axon__net_set_hooks(const struct axon_net_hooks *h)
{
	axon__net_hooks = *h;
}

/* The SPI's view of a connection (axon_spi.h): axond holds references
 * to its virtual clients and detaches them. */
void
axon__cconn_hold(struct axon_cconn *cc)
{
	atomic_fetch_add(&cc->refs, 1);
}

void
axon__vconn_forget(struct axon_cconn *cc)
{
	atomic_store(&cc->net_user, NULL);
}

uid_t
axon__vconn_srv_uid(const struct axon_cconn *cc)
{
	return cc->srv_uid;
}

void
axon__vconn_info(const struct axon_cconn *cc, int *ret_scoid,
    unsigned *ret_chflags)
{
	*ret_scoid = cc->scoid;
	*ret_chflags = cc->chflags;
}

/*
 * The network manager connects to a local server on behalf of a process
 * of another node (a virtual client).  The connection is never shared.
 * Returns the coid, with *ret_cc holding a reference for the caller.
 */
int
axon__vconnect(pid_t pid, int chid, const struct axon_netcred *net,
    void *user, struct axon_cconn **ret_cc)
{
	struct axon_proc *p = &axon__proc;
	struct axon_cconn *cc = NULL;
	int rc;

	if (pid <= 0 || chid < 0) {
		return -ESRCH;
	}
	pthread_mutex_lock(&p->lock);
	rc = axon__mon_start();
	pthread_mutex_unlock(&p->lock);
	if (rc < 0) {
		return rc;
	}
	rc = cconn_open(ND_LOCAL_NODE, pid, chid, net, &cc);
	if (rc < 0) {
		return rc;
	}
	cc->noshare = true;
	atomic_store(&cc->net_user, user);
	pthread_mutex_lock(&p->lock);
	rc = coid_alloc(cc, _NTO_SIDE_CHANNEL, 0);
	if (rc < 0) {
		pthread_mutex_unlock(&p->lock);
		axon__cconn_put(cc);
		return rc;
	}
	cc->aliases = 1;
	/* refs: the coid's, the monitor's (or the caller's loop's:
	 * axon__vconn_watch) and the caller's. */
	atomic_fetch_add(&cc->refs, 2);
	if (!axon__net_own && axon__mon_add(cc->sock, AXON_TAG_CCONN, cc) < 0) {
		atomic_fetch_sub(&cc->refs, 2);
		coid_slot(rc)->cc = NULL;
		pthread_mutex_unlock(&p->lock);
		axon__cconn_put(cc);
		return -ENOMEM;
	}
	pthread_mutex_unlock(&p->lock);
	*ret_cc = cc;
	return rc;
}

/* The remote client's credentials changed: the server sees the new ones
 * from its next message on (the control message is read before it). */
int
axon__vconn_netcred(struct axon_cconn *cc, const struct axon_netcred *net)
{
	struct axon_ctl m;

	axon__ctl_init(&m, AXON_CTL_NETCRED);
	m.u.netcred = *net;
	return axon__cconn_sendctl(cc, &m, -1);
}

int
ConnectDetach_r(int coid)
{
	AXON_KEEP_ERRNO;

	struct axon_proc *p = &axon__proc;
	struct axon_coid *c;
	struct axon_cconn *cc;
	bool last;

	pthread_mutex_lock(&p->lock);
	if ((coid & _NTO_SIDE_CHANNEL) &&
	    (coid & ~_NTO_SIDE_CHANNEL) >= AXON_SCOID_MIN) {
		/* A server connection id: free it after its DISCONNECT. */
		pthread_mutex_unlock(&p->lock);
		return axon__sconn_detach(coid);
	}
	c = p->inited ? coid_slot(coid) : NULL;
	if (c == NULL || c->cc == NULL) {
		pthread_mutex_unlock(&p->lock);
		return -EINVAL;
	}
	cc = c->cc;
	c->cc = NULL;
	/* Before it looks for the coid's blocked senders: one that had
	 * the coid but has not posted yet sees it move (send_post). */
	atomic_fetch_add(&cc->detach_seq, 1);
	axon__ps_conn_del(coid);
	if (c->fdres >= 0) {
		(void) close(c->fdres);
		c->fdres = -1;
	}
	last = --cc->aliases == 0;
	if (last) {
		cc->detached = true;
	} else {
		cc_evflags_sync(cc);
	}
	pthread_mutex_unlock(&p->lock);

	/* Threads blocked on this coid leave with EBADF. */
	for (unsigned i = 0; i < AXON_SLOTS; i++) {
		uint32_t seq;

		if (cc_slot_is(cc, i, &cc->slot_coid[i], coid, &seq)) {
			cc_cancel(cc, i, seq, EBADF);
		}
	}
	/* And those still waiting for a slot, to find the coid gone
	 * (slot_alloc). */
	if (atomic_load(&cc->slot_waiters) > 0) {
		atomic_fetch_add(&cc->slot_seq, 1);
		axon__futex_wake(&cc->slot_seq, INT32_MAX);
	}
	if (last) {
		axon__cconn_mark_dead(cc, EBADF);
		pthread_mutex_lock(&cc->lock);
		if (cc->sock >= 0) {
			(void) shutdown(cc->sock, SHUT_RDWR);
		}
		pthread_mutex_unlock(&cc->lock);
	}
	axon__cconn_put(cc);
	return 0;
}

int
ConnectServerInfo_r(pid_t pid, int coid, struct _server_info *info)
{
	AXON_KEEP_ERRNO;

	struct axon_proc *p = &axon__proc;
	int found = -1;
	struct axon_cconn *cc = NULL;

	if (pid != 0 && pid != getpid()) {
		return -ESRCH; /* other processes' tables are not visible */
	}
	if (coid < 0) {
		return -EINVAL;
	}
	pthread_mutex_lock(&p->lock);
	if (!(coid & _NTO_SIDE_CHANNEL)) {
		for (int i = coid; i < p->fdcoids_len; i++) {
			if (p->fdcoids[i].cc != NULL) {
				found = i;
				cc = p->fdcoids[i].cc;
				break;
			}
		}
		coid = _NTO_SIDE_CHANNEL;
	}
	if (found < 0 && p->coids != NULL) {
		for (int i = coid & ~_NTO_SIDE_CHANNEL; i < p->coid_hwm;
		    i++) {
			if (p->coids[i].cc != NULL) {
				found = i | _NTO_SIDE_CHANNEL;
				cc = p->coids[i].cc;
				break;
			}
		}
	}
	if (found >= 0 && info != NULL) {
		memset(info, 0, sizeof(*info));
		info->nd = cc->nd;
		info->pid = cc->pid;
		info->chid = cc->chid;
		info->scoid = cc->scoid;
		info->coid = found;
		info->flags = (int16_t) ((coid_slot(found)->flags &
					     _NTO_COF_CLOEXEC) |
		    (atomic_load(&cc->dead) ? _NTO_COF_DEAD : 0));
	}
	pthread_mutex_unlock(&p->lock);
	return found >= 0 ? found : -EINVAL;
}

int
ConnectFlags_r(pid_t pid, int coid, unsigned mask, unsigned bits)
{
	AXON_KEEP_ERRNO;

	struct axon_proc *p = &axon__proc;
	const unsigned settable = _NTO_COF_CLOEXEC | _NTO_COF_NOEVENT |
	    _NTO_COF_INSECURE | _NTO_COF_REG_EVENTS;
	struct axon_coid *c;
	int old;

	if (pid != 0 && pid != getpid()) {
		return -ESRCH; /* other processes' tables are not visible */
	}
	if (mask & ~settable) {
		return -ENOTSUP;
	}
	pthread_mutex_lock(&p->lock);
	c = p->inited ? coid_slot(coid) : NULL;
	if (c == NULL || c->cc == NULL ||
	    ((coid & _NTO_SIDE_CHANNEL) &&
		(coid & ~_NTO_SIDE_CHANNEL) >= AXON_SCOID_MIN)) {
		pthread_mutex_unlock(&p->lock);
		return -EBADF;
	}
	old = c->flags;
	if ((mask & _NTO_COF_INSECURE) && !(bits & _NTO_COF_INSECURE) &&
	    (old & _NTO_COF_INSECURE)) {
		pthread_mutex_unlock(&p->lock);
		return -EPERM; /* only the kernel clears it, on QNX */
	}
	c->flags = (int) (((unsigned) old & ~mask) | (bits & mask));
	cc_evflags_sync(c->cc);
	pthread_mutex_unlock(&p->lock);
	return old & (int) (settable | _NTO_COF_NOSHARE | _NTO_COF_NETCON);
}

int
ConnectFlags(pid_t pid, int coid, unsigned mask, unsigned bits)
{
	return axon__errno_ret(ConnectFlags_r(pid, coid, mask, bits));
}

int
ConnectAttach(uint32_t nd, pid_t pid, int chid, unsigned index, int flags)
{
	return axon__errno_ret(ConnectAttach_r(nd, pid, chid, index, flags));
}

int
ConnectDetach(int coid)
{
	return axon__errno_ret(ConnectDetach_r(coid));
}

int
ConnectServerInfo(pid_t pid, int coid, struct _server_info *info)
{
	return axon__errno_ret(ConnectServerInfo_r(pid, coid, info));
}

/*
 * A pulse to a channel of this very process, queued at once rather than
 * through the socket and the monitor thread: 1, or 0 if the connection
 * does not lead here (or no longer does), or -errno.  The server side of
 * the connection names the channel, so a chid reused since cannot be
 * reached by mistake.
 */
/*
 * The channel of this process that coid's pulses go straight to (as
 * pulse_direct() finds it), with a reference the caller puts; NULL if
 * they go through a socket.  (Timers watch it: timer.c.)
 */
struct axon_chan *
axon__coid_direct_chan(int coid)
{
	struct axon_cconn *cc;
	struct axon_sconn *sc;
	struct axon_chan *chan = NULL;

	if (axon__coid_get(coid, &cc) < 0) {
		return NULL;
	}
	if (cc->nd == 0 && cc->peer_pid == getpid() &&
	    (cc->scoid & _NTO_SIDE_CHANNEL) != 0 &&
	    (sc = axon__sconn_get(cc->scoid & ~_NTO_SIDE_CHANNEL)) != NULL) {
		pthread_mutex_lock(&sc->lock);
		if (!sc->dead && !sc->detached && !sc->virt &&
		    sc->pid == getpid() && sc->chan != NULL &&
		    sc->chan->chid == cc->chid) {
			chan = sc->chan;
			atomic_fetch_add(&chan->refs, 1);
		}
		pthread_mutex_unlock(&sc->lock);
		axon__sconn_put(sc);
	}
	axon__cconn_put(cc);
	return chan;
}

static int
pulse_direct(struct axon_cconn *cc, int priority, int code, int64_t value)
{
	struct axon_sconn *sc;
	struct axon_chan *chan = NULL;
	union sigval v;
	int rc;

	if (cc->nd != 0 || cc->peer_pid != getpid() ||
	    (cc->scoid & _NTO_SIDE_CHANNEL) == 0) {
		return 0;
	}
	sc = axon__sconn_get(cc->scoid & ~_NTO_SIDE_CHANNEL);
	if (sc == NULL) {
		return 0;
	}
	pthread_mutex_lock(&sc->lock);
	if (!sc->dead && !sc->detached && !sc->virt &&
	    sc->pid == getpid() && sc->chan != NULL &&
	    sc->chan->chid == cc->chid) {
		chan = sc->chan;
		atomic_fetch_add(&chan->refs, 1);
	}
	pthread_mutex_unlock(&sc->lock);
	if (chan == NULL) {
		axon__sconn_put(sc);
		return 0;
	}
	v.sival_ptr = (void *) (intptr_t) value;
	rc = axon__chan_pulse(chan, priority, code, v, sc->idx |
	    _NTO_SIDE_CHANNEL);
	axon__chan_put(chan);
	axon__sconn_put(sc);
	return rc < 0 ? -EBADF : 1; /* the channel is being destroyed */
}

/*
 * The pulse is in the server's socket: mark it and ring the bell, always
 * (a receiver spinning on the slots does not look at the socket), so
 * that a receiver takes it from the socket before it takes anything
 * from the queue; without this a MsgReceive could start before the
 * server's monitor thread queued the pulse and take a lower priority
 * first (MsgSendPulse(3), local-transport.md §4).  cc->lock held.
 */
static void
pulse_ring(struct axon_cconn *cc)
{
	uint64_t zero = 0;

	if (cc->rgn == NULL || cc->bell < 0) {
		return;
	}
	/* Marked already: the bell rang for that mark and the receiver
	 * it wakes has not taken the mark yet, so it will read this pulse
	 * too.  (A burst of pulses costs one bell.) */
	if (atomic_exchange(&cc->rgn->pulsed, 1) != 0) {
		return;
	}
	/* A write of 0 never blocks (make_bell); if it failed all the same
	 * the monitor still queues the pulse, only later. */
	(void) !write(cc->bell, &zero, sizeof(zero));
}

/*
 * A pulse through a connection: MsgSendPulse(), MsgSendPulsePtr() and the
 * sigevents libaxon raises itself (timers, procmgr events), which carry a
 * whole sival_ptr.  Never blocks.  direct: a pulse to a channel of this
 * process is queued on it before the call returns (timers: one thread
 * fewer between the expiry and the receiver); otherwise it goes through
 * the socket like any other.
 */
int
axon__pulse_send(int coid, int priority, int code, int64_t value,
    bool direct)
{
	AXON_KEEP_ERRNO;

	struct axon_cconn *cc;
	struct axon_ctl m;
	int rc;

	if (code < -128 || code > 127 || priority < -1 || priority > 255) {
		return -EINVAL;
	}
	rc = axon__coid_get(coid, &cc);
	if (rc < 0) {
		return rc;
	}
	AXON_TRACE(pulse_tx, coid, cc, code, value);
	if (atomic_load(&cc->dead)) {
		axon__cconn_put(cc);
		return -EBADF;
	}
	if (geteuid() != 0 && getuid() != cc->srv_uid &&
	    geteuid() != cc->srv_uid) {
		axon__cconn_put(cc);
		return -EPERM;
	}
	if (priority == -1) {
		priority = axon__my_prio() & 0xff;
	}
	if (priority == 0) {
		priority = 1;
	}
	if (direct) {
		rc = pulse_direct(cc, priority, code, value);
		if (rc != 0) {
			axon__cconn_put(cc);
			return rc < 0 ? rc : 0;
		}
	}
	axon__ctl_init(&m, AXON_CTL_PULSE);
	m.u.pulse.prio = priority;
	m.u.pulse.code = code;
	m.u.pulse.value = value;
	m.u.pulse.stamp = axon__now_ns();
	pthread_mutex_lock(&cc->lock);
	rc = cc->sock >= 0 ? (int) send(cc->sock, &m, sizeof(m),
				     MSG_DONTWAIT | MSG_NOSIGNAL)
			   : -1;
	if (rc < 0) {
		rc = errno == EAGAIN ? -EAGAIN : -EBADF;
	} else {
		rc = 0;
		pulse_ring(cc);
	}
	pthread_mutex_unlock(&cc->lock);
	axon__cconn_put(cc);
	return rc;
}
