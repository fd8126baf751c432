/* SPDX-License-Identifier: MIT */
/*
 * axond: message forwarding, the server side, the module forward-server
 * (module.h; fwd_client.c the client side, forward.c what both share).
 *
 * Server side ("b"): a remote client is presented to the local server as a
 * virtual client (axon__vconnect) whose sends never block this daemon
 * (axon__nsend_*): the server's reply reaches us as a REPLIED notice on
 * the virtual connection's socket, which the main loop watches
 * (axon__vconn_event runs the hooks below on the loop's thread).
 *
 * Everything here runs on the main loop's thread.  The one exception is
 * the local handshake of a virtual connect (connect_main), on a thread of
 * its own, whose result comes back to the loop as an event (cdone).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/neutrino.h>
#include <sys/netmgr.h>

#include "axond.h"
#include "cred.h"
#include "session.h"
#include "fwd.h"
#include "module.h"

/* Local handshakes in progress, each on a thread of its own: bounded, so
 * that a peer cannot make us start threads without end. */
#define AXD_MAX_CONNECTING 64
static int n_connecting;
/* Handshakes beyond those 64 wait here, oldest first, for a thread to
 * end (a burst of new remote clients is queued, not refused; each is a
 * connection of its peer, so max-conns bounds the queue). */
struct cjob;
static struct cjob *cwait_head;
static struct cjob **cwait_tail = &cwait_head;
/* Handshakes done, for the loop (the only state shared with those
 * threads): a list under cdone_lock, and an eventfd written when the
 * list becomes non-empty. */
struct cjob;
static pthread_mutex_t cdone_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cjob *cdone_head;
static int cdone_fd = -1;

/* One pulse to b's server: 0 (sent, or refused and counted), or -EAGAIN
 * (its socket is full: nothing done). */
static int
b_pulse_try(struct axd_sess *s, struct axd_bconn *b, int prio, int code,
    int value)
{
	int rc = MsgSendPulse_r(b->coid, prio, code, value);

	if (rc == -EAGAIN) {
		return rc;
	}
	/* The server's library refuses a pulse of a sender that may not
	 * signal it (QNX's rule, sconn.c: not root, not the server's
	 * user) and counts it on its status page; the sender's uid is the
	 * mapped one (a remote root mapped to nobody): said here too,
	 * where the operator looks. */
	if (rc == 0 && b->nc.euid != 0 && b->nc.euid != axon__vconn_srv_uid(b->cc)) {
		rc = -EPERM;
	}
	if (rc < 0) {
		axd_fwd_note_refused(false, s, -rc);
	}
	return 0;
}

/*
 * The backlog.  A remote client's MsgSendPulse returned when its node
 * took the pulse, so a pulse that the server's socket has no room for
 * (its process stopped, or slow to read: EAGAIN here) is kept, in
 * order behind any already kept, and sent again at each iteration of
 * the loop (its late(); at least every tick) until the socket takes
 * it.  At most AXD_PULSE_BACKLOG per connection and AXD_PULSE_BACKLOG_ALL
 * in all (a peer's many connections to slow servers must not take the
 * node's memory: about 48 bytes each): beyond, a pulse is refused and
 * counted (EAGAIN), as when the session is lost.
 */
#define AXD_PULSE_BACKLOG     16384u
#define AXD_PULSE_BACKLOG_ALL 262144u

static struct axd_bconn *back_head;
static unsigned back_all; /* pulses on every backlog */

static void
back_free(struct axd_bconn *b)
{
	while (b->pback != NULL) {
		struct axd_qpulse *q = b->pback;

		b->pback = q->next;
		free(q);
	}
	b->pback_tail = &b->pback;
	back_all -= b->npback;
	b->npback = 0;
	if (b->bkprev != NULL) {
		*b->bkprev = b->bknext;
		if (b->bknext != NULL) {
			b->bknext->bkprev = b->bkprev;
		}
		b->bknext = NULL;
		b->bkprev = NULL;
	}
}

static void
back_add(struct axd_sess *s, struct axd_bconn *b, int prio, int code,
    int value)
{
	struct axd_qpulse *q = NULL;

	if (b->npback < AXD_PULSE_BACKLOG && back_all < AXD_PULSE_BACKLOG_ALL) {
		q = calloc(1, sizeof(*q));
	}
	if (q == NULL) {
		axd_fwd_note_refused(false, s, EAGAIN);
		return;
	}
	q->prio = prio;
	q->code = code;
	q->value = value;
	q->seq = b->bseq++;
	*b->pback_tail = q;
	b->pback_tail = &q->next;
	b->npback++;
	back_all++;
	if (b->bkprev == NULL) {
		b->bknext = back_head;
		if (back_head != NULL) {
			back_head->bkprev = &b->bknext;
		}
		back_head = b;
		b->bkprev = &back_head;
	}
}

static void b_post(struct axd_sess *s, struct axd_bmsg *m);

/* The messages held behind b's backlog that came before its first
 * pulse still waiting (all, once none waits) go to the server, in
 * order. */
static void
held_post(struct axd_bconn *b)
{
	while (b->held != NULL) {
		struct axd_bmsg *m = b->held;

		if (b->pback != NULL &&
		    (int32_t) (m->hseq - b->pback->seq) > 0) {
			return; /* behind a pulse still waiting */
		}
		b->held = m->pnext;
		if (b->held == NULL) {
			b->held_tail = &b->held;
		}
		m->held = false;
		m->pnext = NULL;
		b_post(b->sess, m); /* (frees m if the server is stuck) */
	}
}

/* Sends what each backlog's socket takes now, and the messages held
 * behind its pulses as their turn comes (late()). */
static void
back_send(void)
{
	struct axd_bconn *b = back_head;

	while (b != NULL) {
		struct axd_bconn *next = b->bknext;

		for (;;) {
			held_post(b);
			if (b->pback == NULL ||
			    b_pulse_try(b->sess, b, b->pback->prio,
				b->pback->code, b->pback->value) != 0) {
				break;
			}
			struct axd_qpulse *q = b->pback;

			b->pback = q->next;
			free(q);
			b->npback--;
			back_all--;
		}
		if (b->pback == NULL) {
			back_free(b); /* (off the list) */
		}
		b = next;
	}
}

/* A pulse of a remote client to its server (b connected). */
static void
b_pulse_send(struct axd_sess *s, struct axd_bconn *b, int prio, int code,
    int value)
{
	if (b->npback > 0 || b_pulse_try(s, b, prio, code, value) == -EAGAIN) {
		back_add(s, b, prio, code, value);
	}
}

/* ------------------------------------------------------------------ */
/* Server side                                                          */
/* ------------------------------------------------------------------ */

/* Connections refused lately (--max-conns), so that the messages the
 * peer sent right behind the refused CONNECT_CRED fail with the
 * refusal's EAGAIN rather than as sent on an unknown connection (EBADF).
 * A few suffice: those messages come in the same burst of frames. */
#define AXD_REFUSED 64
static struct {
	uint64_t sess;
	uint32_t conn;
} refused_ids[AXD_REFUSED];
static unsigned refused_next;

static void
refused_note(const struct axd_sess *s, uint32_t conn, bool on)
{
	for (unsigned i = 0; i < AXD_REFUSED; i++) {
		if (refused_ids[i].sess == s->id &&
		    refused_ids[i].conn == conn) {
			refused_ids[i].sess = 0;
		}
	}
	if (on) {
		refused_ids[refused_next].sess = s->id;
		refused_ids[refused_next].conn = conn;
		refused_next = (refused_next + 1) % AXD_REFUSED;
	}
}

static bool
refused_was(const struct axd_sess *s, uint32_t conn)
{
	for (unsigned i = 0; i < AXD_REFUSED; i++) {
		if (refused_ids[i].sess == s->id &&
		    refused_ids[i].conn == conn) {
			return true;
		}
	}
	return false;
}

static struct axd_bconn *
bconn_by_id(struct axd_sess *s, uint32_t id)
{
	for (struct axd_bconn *b = s->bconn[hash32(id)]; b != NULL;
	     b = b->hnext) {
		if (b->id == id) {
			return b;
		}
	}
	return NULL;
}

static struct axd_bconn *
bconn_by_key(uint64_t key)
{
	for (struct axd_bconn *b = g.bconn_by_key[hash32((uint32_t) key)];
	     b != NULL; b = b->knext) {
		if (b->key == key) {
			return b;
		}
	}
	return NULL;
}

static struct axd_bmsg *
bmsg_by_id(struct axd_sess *s, uint32_t id)
{
	for (struct axd_bmsg *m = s->bmsg[hash32(id)]; m != NULL;
	     m = m->hnext) {
		if (m->id == id) {
			return m;
		}
	}
	return NULL;
}

/* ---- replies watched in memory (module.h: due, scan, arm) ---- */

static struct axd_bmsg *watch_head;
/* Replies seen, sent in this iteration's late(): after the network
 * channel's pulses (fwd_client's late() runs first), so that a pulse a
 * server sent before its reply goes before the reply on the wire.  On
 * the same links as the watch list (a message is on one at most). */
static struct axd_bmsg *ready_head;

static void
list_push(struct axd_bmsg **head, struct axd_bmsg *m)
{
	m->qnext = *head;
	if (*head != NULL) {
		(*head)->qprev = &m->qnext;
	}
	*head = m;
	m->qprev = head;
}

static void
watch_add(struct axd_bmsg *m)
{
	list_push(&watch_head, m);
}

/* Off the watch list or the ready list, whichever it is on. */
static void
watch_remove(struct axd_bmsg *m)
{
	if (m->qprev == NULL) {
		return;
	}
	*m->qprev = m->qnext;
	if (m->qnext != NULL) {
		m->qnext->qprev = m->qprev;
	}
	m->qnext = NULL;
	m->qprev = NULL;
}

static void bmsg_replied(struct axd_bmsg *m);

/* The server took m (its reply not sent yet): tell the client's node,
 * once, that its client is REPLY-blocked from now on (RECEIVED, issue
 * 10 item 5).  A quick reply makes it unneeded: the reply says so. */
static void
bmsg_received(struct axd_bmsg *m)
{
	struct axon_wire_frame f;

	if (m->rcv_told || m->st.queued || m->bc->sess->state != S_UP) {
		return;
	}
	m->rcv_told = true;
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_RECEIVED;
	f.conn = m->bc->id;
	f.msg = m->id;
	(void) axd_send_frame(m->bc->sess, &f);
	axd_flush(m->bc->sess);
}

static bool
watch_scan(void)
{
	struct axd_bmsg *m = watch_head;
	bool any = false;

	while (m != NULL) {
		struct axd_bmsg *next = m->qnext;

		if (axon__nsend_result(m->bc->cc, m->slot, &m->res) == 1) {
			bmsg_replied(m); /* (leaves the list) */
			any = true;
		} else if (!m->rcv_told && axon__nsend_phase(m->bc->cc,
					       m->slot) == AXON_PH_RECEIVED) {
			bmsg_received(m);
		}
		m = next;
	}
	return any;
}

static bool
watch_arm(void)
{
	bool any = false;

	while (watch_head != NULL) {
		struct axd_bmsg *m = watch_head;

		watch_remove(m);
		if (axon__nsend_notify(m->bc->cc, m->slot) &&
		    axon__nsend_result(m->bc->cc, m->slot, &m->res) == 1) {
			bmsg_replied(m);
			any = true;
		} else if (axon__nsend_phase(m->bc->cc, m->slot) ==
		    AXON_PH_RECEIVED) {
			/* Taken before the notice was asked for: none
			 * will come for that. */
			bmsg_received(m);
		}
	}
	return any;
}

static bool
watch_any(void)
{
	return watch_head != NULL;
}

/* Takes m off a list linked by pnext (a connection's pend or held
 * list), keeping the list's tail. */
static void
mlist_remove(struct axd_bmsg **head, struct axd_bmsg ***tail,
    struct axd_bmsg *m)
{
	struct axd_bmsg **pp;

	for (pp = head; *pp != NULL; pp = &(*pp)->pnext) {
		if (*pp == m) {
			*pp = m->pnext;
			break;
		}
	}
	*tail = head;
	while (**tail != NULL) {
		*tail = &(**tail)->pnext;
	}
}

static void
bmsg_free(struct axd_bmsg *m)
{
	struct axd_sess *s = m->bc->sess;
	struct axd_bmsg **pp;

	watch_remove(m);
	axd_stream_remove(s, &m->st);
	for (pp = &s->bmsg[hash32(m->id)]; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == m) {
			*pp = m->hnext;
			break;
		}
	}
	s->n_bmsg--;
	m->bc->nmsg--;
	if (m->slot >= 0 && m->bc->slot_msg[m->slot] == m) {
		m->bc->slot_msg[m->slot] = NULL;
	}
	if (m->pending) {
		m->bc->npend--;
		mlist_remove(&m->bc->pend, &m->bc->pend_tail, m);
	}
	if (m->held) {
		mlist_remove(&m->bc->held, &m->bc->held_tail, m);
	}
	free(m->buf);
	free(m);
}

static void
b_reply_err(struct axd_sess *s, uint32_t conn, uint32_t msg, int err)
{
	struct axon_wire_frame f;

	memset(&f, 0, sizeof(f));
	f.type = AXON_W_MSGREPLY;
	f.conn = conn;
	f.msg = msg;
	f.flags = AXON_WF_FIRST | AXON_WF_LAST;
	f.u.reply.err = axon__wire_errno_out(err);
	(void) axd_send_frame(s, &f);
}

/* The next frame of a server's reply: what it wrote (MsgWrite, the
 * reply data), then the status. */
static bool
bmsg_produce(struct axd_sess *s, struct axd_stream *st)
{
	struct axd_bmsg *m = (struct axd_bmsg *) st;
	struct axon_nresult *r = &m->res;
	struct axon_wire_frame f;

	memset(&f, 0, sizeof(f));
	f.conn = m->bc->id;
	f.msg = m->id;
	while (m->ext_i < r->n_ext) {
		const struct axon_ext *e = &r->ext[m->ext_i];
		uint64_t left = e->len - m->ext_off;

		if (left == 0) {
			m->ext_i++;
			m->ext_off = 0;
			continue;
		}
		uint32_t len = left > AXD_CHUNK ? AXD_CHUNK : (uint32_t) left;
		bool only = r->n_ext == 1 && e->off == 0 && e->len <= AXD_CHUNK;

		f.offset = (uint32_t) (e->off + m->ext_off);
		f.data = r->reply + e->off + m->ext_off;
		f.data_len = len;
		if (only) {
			/* The common case: one frame carries it all. */
			f.type = AXON_W_MSGREPLY;
			f.flags = AXON_WF_FIRST | AXON_WF_LAST;
			f.u.reply.status = r->status;
			f.u.reply.err = r->err ? axon__wire_errno_out(r->err)
					       : 0;
			f.u.reply.total = len;
			(void) axd_send_frame(s, &f);
			goto done;
		}
		f.type = AXON_W_MSGWRITE;
		f.flags = m->ext_i == 0 && m->ext_off == 0 ? AXON_WF_FIRST : 0;
		/* The slot holds the data until the last frame is queued. */
		(void) axd_send_frame_held(s, &f, NULL, NULL);
		m->ext_off += len;
		return true;
	}
	f.type = AXON_W_MSGREPLY;
	f.flags = AXON_WF_FIRST | AXON_WF_LAST;
	f.offset = 0;
	f.data = NULL;
	f.data_len = 0;
	f.u.reply.status = r->status;
	f.u.reply.err = r->err ? axon__wire_errno_out(r->err) : 0;
	(void) axd_send_frame(s, &f);
done:
	axon__nsend_release(m->bc->cc, m->slot);
	bmsg_free(m);
	return false;
}

/* The server answered m (or died): its reply goes out in this loop
 * iteration's late(), after the pulses the server sent before it. */
static void
bmsg_replied(struct axd_bmsg *m)
{
	watch_remove(m);
	m->ready = true;
	list_push(&ready_head, m);
	g.chan_poke = true;
}

/* Sends the replies seen (late(): after the network channel), and the
 * pulses of the backlogs that the servers' sockets take now. */
static bool
ready_send(void)
{
	if (back_head != NULL) {
		back_send();
	}
	while (ready_head != NULL) {
		struct axd_bmsg *m = ready_head;
		struct axd_sess *s = m->bc->sess;

		watch_remove(m);
		m->ready = false;
		m->st.produce = bmsg_produce;
		m->ext_i = 0;
		m->ext_off = 0;
		axd_stream_add(s, &m->st);
		axd_flush(s);
	}
	return false;
}

static void
bconn_close(struct axd_bconn *b)
{
	struct axd_bconn **pp;


	for (unsigned i = 0; i < AXON_SLOTS; i++) {
		struct axd_bmsg *m = b->slot_msg[i];

		if (m != NULL) {
			if (m->posted && !m->complete && b->cc != NULL) {
				/* A server waiting for the rest stops. */
				axon__nsend_avail(b->cc, m->slot, 0, ECONNRESET);
			}
			bmsg_free(m);
		}
	}
	/* Messages still arriving in chunks have no slot entry: looked
	 * for in the session's table only if there are any (closing every
	 * connection of a session that holds many messages would otherwise
	 * cost connections x messages). */
	for (unsigned h = 0; b->nmsg > 0 && h < AXD_HASH; h++) {
		struct axd_bmsg *m = b->sess->bmsg[h];

		while (m != NULL) {
			struct axd_bmsg *next = m->hnext;

			if (m->bc == b) {
				bmsg_free(m);
			}
			m = next;
		}
	}
	for (pp = &b->sess->bconn[hash32(b->id)]; *pp != NULL;
	     pp = &(*pp)->hnext) {
		if (*pp == b) {
			*pp = b->hnext;
			b->sess->n_bconn--;
			break;
		}
	}
	for (pp = &g.bconn_by_key[hash32((uint32_t) b->key)]; *pp != NULL;
	     pp = &(*pp)->knext) {
		if (*pp == b) {
			*pp = b->knext;
			break;
		}
	}
	while (b->ppulse != NULL) {
		struct axd_qpulse *q = b->ppulse;

		b->ppulse = q->next;
		free(q);
	}
	back_free(b);
	if (b->cc != NULL) {
		/* The server sees its client go, as when a local one
		 * detaches or dies. */
		axon__vconn_forget(b->cc);
		(void) ConnectDetach_r(b->coid);
		axon__cconn_put(b->cc);
	}
	free(b);
}
/* Maps a remote client's credentials as this node's policy says. */
static void
map_cred(const struct axon_wire_cred *w, struct axd_sess *s, pid_t pid,
    struct axon_netcred *nc)
{
	struct axon_wire_cred m = *w;

	axd_map_cred(&m);
	memset(nc, 0, sizeof(*nc));
	nc->nd = (uint32_t) s->peer->nd;
	nc->pid = pid;
	nc->ruid = m.ruid;
	nc->euid = m.euid;
	nc->suid = m.suid;
	nc->rgid = m.rgid;
	nc->egid = m.egid;
	nc->sgid = m.sgid;
	nc->ngroups = m.ngroups <= AXON_CTL_NGROUPS ? m.ngroups : 0;
	memcpy(nc->groups, m.groups, sizeof(nc->groups));
}

/* The local handshake of a virtual connect, on a thread of its own so
 * that a server that does not answer (stopped, stuck) holds up nothing
 * but its own clients.  Its result comes back to the loop (cdone). */
struct cjob {
	struct cjob *next;
	uint64_t key;
	pid_t pid;
	int chid;
	struct axon_netcred nc;
	int rc;                   /* the coid, or -errno */
	struct axon_cconn *cc;
};

static void b_post(struct axd_sess *s, struct axd_bmsg *m);
static int b_attach(struct axd_sess *s, struct axd_bmsg *m);

static void *
connect_main(void *arg)
{
	struct cjob *j = arg;
	bool first;

	j->cc = NULL;
	j->rc = axon__vconnect(j->pid, j->chid, &j->nc,
	    (void *) (uintptr_t) j->key, &j->cc);
	pthread_mutex_lock(&cdone_lock);
	first = cdone_head == NULL;
	j->next = cdone_head;
	cdone_head = j;
	pthread_mutex_unlock(&cdone_lock);
	if (first) {
		uint64_t one = 1;

		(void) !write(cdone_fd, &one, sizeof(one));
	}
	return NULL;
}

/* One handshake done (on the loop): the virtual connection is watched
 * from now on, and the messages and pulses that waited for it go on. */
static void
connect_done(struct cjob *j)
{
	struct axon_cconn *cc = j->cc;
	int rc = j->rc;
	struct axon_wire_frame r;

	n_connecting--;
	struct axd_bconn *b = bconn_by_key(j->key);

	if (b == NULL || b->sess->state == S_DEAD) {
		/* The peer gave up on it meanwhile. */
		if (rc >= 0) {
			axon__vconn_forget(cc);
			(void) axon__vconn_watch(cc, g.epfd,
			    AXD_TAG_VCONN | (uint64_t) (uintptr_t) cc);
			(void) ConnectDetach_r(rc);
			axon__cconn_put(cc);
		}
		return;
	}
	struct axd_sess *s = b->sess;

	b->connecting = false;
	memset(&r, 0, sizeof(r));
	r.conn = b->id;
	if (rc < 0) {
		b->err = -rc;
		r.type = AXON_W_CONNECT_FAIL;
		r.u.fail.err = axon__wire_errno_out(-rc);
	} else {
		b->cc = cc;
		b->coid = rc;
		if (memcmp(&b->nc, &j->nc, sizeof(b->nc)) != 0) {
			if (axon__vconn_netcred(cc, &b->nc) < 0) {
				/* New credentials came meanwhile and cannot
				 * be told: the messages waiting fail. */
				b->err = EAGAIN;
			}
			b->newcred = true;
		}
		r.type = AXON_W_CONNECT_SUCCESS;
		int scoid;
		unsigned chflags;

		axon__vconn_info(cc, &scoid, &chflags);
		r.u.connected.scoid = scoid;
		r.u.connected.chflags = chflags;
		r.u.connected.max_ship = AXD_CHUNK;
	}
	(void) axd_send_frame(s, &r);
	if (rc >= 0) {
		/* (If that fails, the hang-up ran: b->err is EBADF.) */
		(void) axon__vconn_watch(cc, g.epfd,
		    AXD_TAG_VCONN | (uint64_t) (uintptr_t) cc);
	}
	/* Messages that came meanwhile go on now, in order of arrival. */
	struct axd_bmsg *m = b->pend;

	b->pend = NULL;
	b->pend_tail = &b->pend;
	b->npend = 0;
	for (struct axd_bmsg *m2 = m; m2 != NULL; m2 = m2->pnext) {
		m2->pending = false;
	}
	while (m != NULL) {
		struct axd_bmsg *next = m->pnext;

		if (b_attach(s, m) == 0 && (m->complete || m->got > 0)) {
			b_post(s, m); /* (early if incomplete: b_send) */
		}
		m = next;
	}
	if (b->err == EAGAIN && b->cc != NULL) {
		b->err = 0; /* only those */
	}
	while (b->ppulse != NULL) {
		struct axd_qpulse *q = b->ppulse;

		b->ppulse = q->next;
		if (b->cc != NULL) {
			b_pulse_send(s, b, q->prio, q->code, q->value);
		} else {
			axd_fwd_note_refused(false, s, b->err != 0 ? b->err : EBADF);
		}
		free(q);
	}
	axd_flush(s);
}

/* Starts j's handshake on a thread of its own; -1 if none starts. */
static int
cjob_start(struct cjob *j)
{
	pthread_attr_t attr;
	pthread_t th;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&th, &attr, connect_main, j);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		return -1;
	}
	n_connecting++;
	return 0;
}

/* Starts the handshakes that waited, while threads are free. */
static void
cwait_start(void)
{
	while (cwait_head != NULL && n_connecting < AXD_MAX_CONNECTING) {
		struct cjob *j = cwait_head;
		struct axd_bconn *b = bconn_by_key(j->key);

		cwait_head = j->next;
		if (cwait_head == NULL) {
			cwait_tail = &cwait_head;
		}
		j->next = NULL;
		if (b == NULL || b->sess->state == S_DEAD) {
			free(j); /* the peer gave up on it meanwhile */
		} else if (cjob_start(j) != 0) {
			n_connecting++; /* (connect_done counts it down) */
			j->rc = -EAGAIN;
			j->cc = NULL;
			connect_done(j);
			free(j);
		}
	}
}

/* The eventfd of finished handshakes is readable. */
static void
connect_event(void)
{
	uint64_t x;
	struct cjob *j, *rev = NULL;

	(void) !read(cdone_fd, &x, sizeof(x));
	pthread_mutex_lock(&cdone_lock);
	j = cdone_head;
	cdone_head = NULL;
	pthread_mutex_unlock(&cdone_lock);
	while (j != NULL) { /* oldest first */
		struct cjob *next = j->next;

		j->next = rev;
		rev = j;
		j = next;
	}
	while (rev != NULL) {
		j = rev;
		rev = j->next;
		connect_done(j);
		free(j);
	}
	cwait_start();
}

static void
b_connect(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_bconn *b = bconn_by_id(s, f->conn);
	struct axon_wire_frame r;
	struct cjob *j;

	if (b != NULL) {
		bconn_close(b); /* the peer starts this connection over */
	}
	memset(&r, 0, sizeof(r));
	r.conn = f->conn;
	r.type = AXON_W_CONNECT_FAIL;
	if ((unsigned) s->n_bconn >= g.cfg.max_conns_per_peer) {
		axd_log(AXD_WARN, "%s: connection refused (%d connections, "
				  "%d being made)",
		    s->peer->name, s->n_bconn, n_connecting);
		r.u.fail.err = axon__wire_errno_out(EAGAIN);
		(void) axd_send_frame(s, &r);
		refused_note(s, f->conn, true);
		return;
	}
	refused_note(s, f->conn, false);
	b = calloc(1, sizeof(*b));
	j = calloc(1, sizeof(*j));
	if (b == NULL || j == NULL) {
		free(b);
		free(j);
		r.u.fail.err = axon__wire_errno_out(ENOMEM);
		(void) axd_send_frame(s, &r);
		return;
	}
	b->id = f->conn;
	b->key = ++g.next_key;
	b->sess = s;
	b->coid = -1;
	b->connecting = true;
	b->pend_tail = &b->pend;
	b->pback_tail = &b->pback;
	b->held_tail = &b->held;
	map_cred(&f->u.connect.cred, s, f->u.connect.client_pid, &b->nc);
	j->key = b->key;
	j->pid = f->u.connect.pid;
	j->chid = f->u.connect.chid;
	j->nc = b->nc;
	if (n_connecting >= AXD_MAX_CONNECTING || cwait_head != NULL) {
		*cwait_tail = j; /* started by cwait_start */
		cwait_tail = &j->next;
	} else if (cjob_start(j) != 0) {
		free(b);
		free(j);
		r.u.fail.err = axon__wire_errno_out(EAGAIN);
		(void) axd_send_frame(s, &r);
		return;
	}
	b->hnext = s->bconn[hash32(b->id)];
	s->bconn[hash32(b->id)] = b;
	s->n_bconn++;
	b->knext = g.bconn_by_key[hash32((uint32_t) b->key)];
	g.bconn_by_key[hash32((uint32_t) b->key)] = b;
}

/* Asks the client's node for the rest of m. */
static void
b_fetch(struct axd_sess *s, struct axd_bmsg *m)
{
	struct axon_wire_frame f;

	if (m->fetching || m->got >= m->sbytes) {
		return;
	}
	if (!m->complete) {
		/* The shipped part is still arriving (posted early): ask
		 * for the rest when it is here. */
		m->want_fetch = true;
		return;
	}
	m->fetching = true;
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_MSGREAD;
	f.conn = m->bc->id;
	f.msg = m->id;
	f.offset = m->got;
	f.u.read.len = m->sbytes - m->got;
	(void) axd_send_frame(s, &f);
}

/* Gives m a slot of its connection (copying what came meanwhile).
 * Returns 0, or -1 after failing m. */
static int
b_attach(struct axd_sess *s, struct axd_bmsg *m)
{
	struct axd_bconn *b = m->bc;
	uint8_t *data;
	int slot;

	if (b->cc == NULL || b->err != 0) {
		b_reply_err(s, b->id, m->id, b->err ? b->err : EBADF);
		bmsg_free(m);
		return -1;
	}
	slot = axon__nsend_alloc(b->cc, m->sbytes, m->rbytes, &data);
	if (slot < 0) {
		b_reply_err(s, b->id, m->id, slot == -EBADF ? EBADF : -slot);
		bmsg_free(m);
		return -1;
	}
	if (m->buf != NULL) {
		memcpy(data, m->buf, m->got);
		free(m->buf);
		m->buf = NULL;
	}
	m->slot = slot;
	m->data = data;
	b->slot_msg[slot] = m;
	return 0;
}

/* avail for m's slot: the bytes here, and AXON_AVAIL_MORE while the rest
 * of what ships with it is on its way (shm.h). */
static uint32_t
b_avail(const struct axd_bmsg *m)
{
	return m->complete ? m->got : m->got | AXON_AVAIL_MORE;
}

/* The shipped part of m is here, or its first chunk of several (posted
 * early, so that the server's copy overlaps the transfer of the rest):
 * the server may take it. */
static void
b_post(struct axd_sess *s, struct axd_bmsg *m)
{
	/* The loop watches its reply in memory while it is awake (and
	 * polls for it a while before it sleeps): a quick server's reply
	 * costs no REPLIED notice, which is asked for only when the loop
	 * is about to sleep (watch_arm). */
	if (axon__nsend_post(m->bc->cc, m->slot, m->coid, m->tid, m->prio,
		b_avail(m), m->bc->newcred, true) < 0) {
		/* The server is stuck: its socket is full. */
		m->bc->slot_msg[m->slot] = NULL;
		m->slot = -1;
		b_reply_err(s, m->bc->id, m->id, EAGAIN);
		bmsg_free(m);
		return;
	}
	m->posted = true;
	m->bc->newcred = false;
	watch_add(m);
}

static void
b_send(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_bmsg *m = bmsg_by_id(s, f->msg);
	struct axd_bconn *b;

	if (f->flags & AXON_WF_FIRST) {
		if (m != NULL) {
			return; /* a duplicate id: the peer is confused */
		}
		b = bconn_by_id(s, f->conn);
		if (b == NULL || (!b->connecting &&
				     (b->cc == NULL || b->err != 0))) {
			int err = b != NULL && b->err != 0 ? b->err
				  : b == NULL && refused_was(s, f->conn)
				      ? EAGAIN
				      : EBADF;

			b_reply_err(s, f->conn, f->msg, err);
			return;
		}
		if ((unsigned) s->n_bmsg >= g.cfg.max_msgs_in_flight) {
			b_reply_err(s, f->conn, f->msg, EAGAIN);
			return;
		}
		if (f->type == AXON_W_MSGSEND_CRED) {
			map_cred(&f->u.send.cred, s, b->nc.pid, &b->nc);
			if (b->cc != NULL &&
			    axon__vconn_netcred(b->cc, &b->nc) < 0) {
				/* Never with the old credentials. */
				b_reply_err(s, f->conn, f->msg, EAGAIN);
				return;
			}
			b->newcred = b->cc != NULL;
		}
		m = calloc(1, sizeof(*m));
		if (m == NULL) {
			b_reply_err(s, f->conn, f->msg, ENOMEM);
			return;
		}
		m->id = f->msg;
		m->bc = b;
		b->nmsg++;
		m->slot = -1;
		m->sbytes = f->u.send.sbytes;
		m->rbytes = f->u.send.rbytes;
		m->tid = f->u.send.tid;
		m->coid = f->u.send.coid;
		m->prio = f->u.send.prio;
		m->hnext = s->bmsg[hash32(m->id)];
		s->bmsg[hash32(m->id)] = m;
		s->n_bmsg++;
		if (b->connecting && b->npend >= (int) AXON_SLOTS) {
			b_reply_err(s, f->conn, f->msg, EAGAIN);
			s->n_bmsg--;
			b->nmsg--;
			for (struct axd_bmsg **pp = &s->bmsg[hash32(m->id)];
			     *pp != NULL; pp = &(*pp)->hnext) {
				if (*pp == m) {
					*pp = m->hnext;
					break;
				}
			}
			free(m);
			return;
		}
		if (b->connecting) {
			/* Hold what ships until the connection exists. */
			size_t n = m->sbytes < AXD_SHIP ? m->sbytes : AXD_SHIP;

			m->buf = malloc(n > 0 ? n : 1);
			if (m->buf == NULL) {
				b_reply_err(s, f->conn, f->msg, ENOMEM);
				bmsg_free(m);
				return;
			}
			m->data = m->buf;
			m->pending = true;
			*b->pend_tail = m;
			b->pend_tail = &m->pnext;
			b->npend++;
		} else if (b_attach(s, m) < 0) {
			return;
		}
	} else if (m == NULL || m->complete || m->bc->id != f->conn ||
	    f->u.send.sbytes != m->sbytes) {
		return; /* the rest of a message that was refused/unblocked */
	}
	/* Chunks come in order, each where the last one ended: anything
	 * else is not from an Axon node. */
	if (f->offset != m->got ||
	    (uint64_t) m->got + f->data_len > m->sbytes) {
		return;
	}
	if (f->data_len > 0) {
		if (m->buf != NULL &&
		    (uint64_t) f->offset + f->data_len > AXD_SHIP) {
			return; /* more than ships: not from an Axon node */
		}
		if (f->data != m->data + f->offset) { /* not received there */
			memcpy(m->data + f->offset, f->data, f->data_len);
		}
		m->got += f->data_len;
	}
	if (f->flags & AXON_WF_LAST) {
		m->complete = true;
	}
	if (m->slot < 0) {
		return; /* held until its connection exists */
	}
	if (m->posted) {
		axon__nsend_avail(m->bc->cc, m->slot, b_avail(m), 0);
		if (m->complete && m->want_fetch) {
			m->want_fetch = false;
			b_fetch(s, m);
		}
	} else if (m->held) {
		/* (posted with what has come by then) */
	} else if ((m->complete || m->got > 0) &&
	    (m->bc->npback > 0 || m->bc->held != NULL)) {
		/* Pulses sent before it wait for room in the server's
		 * socket: it waits behind them (back_send). */
		m->held = true;
		m->hseq = m->bc->bseq;
		*m->bc->held_tail = m;
		m->bc->held_tail = &m->pnext;
	} else if (m->complete || m->got > 0) {
		b_post(s, m);
	}
}

/* MSGREAD_SUCCESS / MSGREAD_FAIL: more of a message, for the server. */
static void
b_read_reply(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_bmsg *m = bmsg_by_id(s, f->msg);

	if (m == NULL || !m->posted || m->slot < 0 || m->bc->id != f->conn) {
		return; /* replied or unblocked meanwhile */
	}
	if (f->type == AXON_W_MSGREAD_FAIL) {
		axon__nsend_avail(m->bc->cc, m->slot, 0,
		    axon__wire_errno_in(f->u.fail.err));
		return;
	}
	if (f->offset != m->got ||
	    (uint64_t) f->offset + f->data_len > m->sbytes) {
		return; /* not what we asked for: ignore it */
	}
	if (f->data_len > 0) {
		if (f->data != m->data + f->offset) {
			memcpy(m->data + f->offset, f->data, f->data_len);
		}
		m->got += f->data_len;
	} else if (m->got < m->sbytes) {
		/* The client's node has no more: the message shrank?
		 * Cannot happen; fail the read rather than wait. */
		axon__nsend_avail(m->bc->cc, m->slot, 0, EFAULT);
		return;
	}
	axon__nsend_avail(m->bc->cc, m->slot, m->got, 0);
}

static void
b_unblock(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_bmsg *m = bmsg_by_id(s, f->msg);
	/* (SENDONLY: nothing if the server has received it already.) */
	int reason = axon__wire_errno_in(
	    f->u.unblock.reason & ~AXON_WIRE_SENDONLY);
	int flag = f->u.unblock.reason & AXON_WIRE_SENDONLY
	    ? AXON_UNBLOCK_SENDONLY
	    : 0;
	int rc;

	if (m == NULL || m->st.queued) {
		return; /* replied already, or the reply is on its way */
	}
	if (!m->posted) {
		if (m->slot >= 0) {
			axon__nsend_release(m->bc->cc, m->slot);
			m->bc->slot_msg[m->slot] = NULL;
			m->slot = -1;
		}
		rc = 1;
	} else {
		if (!m->complete && flag == 0) {
			/* Posted early: the client's node sends no more of
			 * it after an UNBLOCK that is not SEND-only
			 * (fwd_client.c, a_unblock), so a server that took
			 * it stops waiting for the rest. */
			m->complete = true;
			axon__nsend_avail(m->bc->cc, m->slot, 0, reason);
		}
		rc = axon__nsend_unblock(m->bc->cc, m->slot, reason | flag);
		if (rc == 1) {
			m->bc->slot_msg[m->slot] = NULL;
			m->slot = -1;
		}
	}
	if (rc == 1) {
		b_reply_err(s, m->bc->id, m->id, reason);
		bmsg_free(m);
	}
}

static void
b_pulse(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_bconn *b = bconn_by_id(s, f->conn);
	int rc = -EBADF;

	if (b != NULL && b->connecting && b->npend < (int) AXON_SLOTS) {
		/* Sent after the connection's first frame: keep it for when
		 * the connection exists. */
		struct axd_qpulse *q = calloc(1, sizeof(*q));
		struct axd_qpulse **pp = &b->ppulse;

		if (q != NULL) {
			q->prio = f->u.pulse.prio;
			q->code = f->u.pulse.code;
			q->value = (int) f->u.pulse.value;
			while (*pp != NULL) {
				pp = &(*pp)->next;
			}
			*pp = q;
			b->npend++;
			return;
		}
	}
	if (b != NULL && b->cc != NULL && b->err == 0) {
		b_pulse_send(s, b, f->u.pulse.prio, f->u.pulse.code,
		    (int) f->u.pulse.value);
		return;
	}
	axd_fwd_note_refused(false, s, -rc);
}


/* Receiving in place (module.h, sink): the next part of a message to a
 * local server goes straight into the server's slot. */
static uint8_t *
fwds_sink(struct axd_sess *s, const struct axon_wire_frame *h,
    void **ret_ref)
{
	struct axd_bmsg *m;

	if ((h->type != AXON_W_MSGSEND || (h->flags & AXON_WF_FIRST)) &&
	    h->type != AXON_W_MSGREAD_SUCCESS) {
		return NULL;
	}
	m = bmsg_by_id(s, h->msg);
	if (m == NULL || m->slot < 0 || m->bc->id != h->conn ||
	    m->bc->cc == NULL || h->offset != m->got ||
	    (uint64_t) h->offset + h->data_len > m->sbytes) {
		return NULL;
	}
	if (h->type == AXON_W_MSGSEND
		? (m->complete || h->u.send.sbytes != m->sbytes)
		: !m->posted) {
		return NULL;
	}
	axon__cconn_hold(m->bc->cc);
	*ret_ref = m->bc->cc;
	return m->data + h->offset;
}

/* ---- the hooks: notices on a virtual connection (axon__vconn_event,
 * from the main loop) ---- */

static void
hook_replied(void *user, uint32_t slot)
{
	struct axd_bconn *b = bconn_by_key((uint64_t) (uintptr_t) user);
	struct axd_bmsg *m = b != NULL && slot < AXON_SLOTS ? b->slot_msg[slot]
							    : NULL;

	if (m != NULL && m->posted && !m->st.queued &&
	    axon__nsend_result(b->cc, m->slot, &m->res) == 1) {
		bmsg_replied(m);
	}
}

/* The server took a message of ours that is not watched (RECEIVED). */
static void
hook_received(void *user, uint32_t slot)
{
	struct axd_bconn *b = bconn_by_key((uint64_t) (uintptr_t) user);
	struct axd_bmsg *m = b != NULL && slot < AXON_SLOTS ? b->slot_msg[slot]
							    : NULL;

	if (m != NULL && m->posted) {
		bmsg_received(m);
	}
}

static void
hook_read(void *user, uint32_t slot)
{
	struct axd_bconn *b = bconn_by_key((uint64_t) (uintptr_t) user);
	struct axd_bmsg *m = b != NULL && slot < AXON_SLOTS ? b->slot_msg[slot]
							    : NULL;

	if (m != NULL && m->posted && b->sess->state == S_UP) {
		b_fetch(b->sess, m);
		axd_flush(b->sess);
	}
}

static void
hook_event(void *user, const struct axon_ctl *ev)
{
	struct axd_bconn *b = bconn_by_key((uint64_t) (uintptr_t) user);

	if (b != NULL && b->sess->state == S_UP) {
		struct axon_wire_frame f;

		memset(&f, 0, sizeof(f));
		f.type = AXON_W_EVENT;
		f.conn = b->id;
		/* An unblock for the message the server held names it (msg):
		 * the client's node voids it if that message has had its
		 * reply meanwhile, so that it does not end the thread's
		 * next one (MsgSendPulse(3)). */
		if (ev->u.event.notify == SIGEV_UNBLOCK &&
		    ev->u.event.msg != 0) {
			int slot = (int) AXON_EVENT_MSG_SLOT(ev->u.event.msg);
			struct axd_bmsg *m = b->slot_msg[slot];

			if (m == NULL || !m->posted ||
			    !axon__nsend_is(b->cc, slot,
				AXON_EVENT_MSG_SEQ(ev->u.event.msg))) {
				return; /* replied already: void */
			}
			f.msg = m->id;
		}
		f.u.event.tid = ev->u.event.tid;
		f.u.event.notify = ev->u.event.notify;
		f.u.event.signo = ev->u.event.signo;
		f.u.event.prio = ev->u.event.prio;
		f.u.event.code = ev->u.event.code;
		f.u.event.value = ev->u.event.value;
		(void) axd_send_frame(b->sess, &f);
		axd_flush(b->sess);
	}
}

/* Sends m's reply now, all of it, so that a frame queued after it (a
 * SERVER_GONE) follows it on the wire: a reply queued as a stream would
 * go out after every frame queued meanwhile.  Frees m. */
static void
bmsg_reply_now(struct axd_bmsg *m)
{
	struct axd_sess *s = m->bc->sess;

	if (m->st.produce != bmsg_produce) {
		m->st.produce = bmsg_produce;
		m->ext_i = 0;
		m->ext_off = 0;
	}
	watch_remove(m); /* (or off the ready list) */
	m->ready = false;
	axd_stream_remove(s, &m->st);
	while (bmsg_produce(s, &m->st)) {
	}
}

static void
hook_dead(void *user)
{
	struct axd_bconn *b = bconn_by_key((uint64_t) (uintptr_t) user);

	if (b != NULL && b->cc != NULL) {
		b->err = EBADF; /* later sends: the connection is gone */
		back_free(b); /* (pulses for a server that is gone) */
		for (unsigned i = 0; i < AXON_SLOTS; i++) {
			struct axd_bmsg *m = b->slot_msg[i];

			if (m == NULL) {
				continue;
			}
			if (m->st.queued || m->ready ||
			    (m->posted && axon__nsend_result(b->cc, m->slot,
					      &m->res) == 1)) {
				/* Answered before it died (its reply may be
				 * queued, or seen in memory only now): out
				 * before the SERVER_GONE below. */
				bmsg_reply_now(m);
				continue;
			}
			axon__nsend_release(b->cc, m->slot);
			b->slot_msg[i] = NULL;
			m->slot = -1;
			b_reply_err(b->sess, b->id, m->id, ESRCH);
			bmsg_free(m);
		}
		/* Death notification (issue 10): the server died, destroyed
		 * its channel or cut the connection.  The client's node
		 * cuts the client's own connection, so that it sees the
		 * server go as a local client would: _PULSE_CODE_COIDDEATH,
		 * then EBADF.  After the replies above, in order. */
		if (b->sess->state == S_UP) {
			struct axon_wire_frame f;

			memset(&f, 0, sizeof(f));
			f.type = AXON_W_SERVER_GONE;
			f.conn = b->id;
			f.u.fail.err = axon__wire_errno_out(ESRCH);
			(void) axd_send_frame(b->sess, &f);
		}
		axd_flush(b->sess);
	}
}

/* The server side's frames (from the clients we serve); EPROTO for any
 * other type. */
static int
fwds_frame(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_bconn *b;

	switch (f->type) {
	/* for the server side (we serve) */
	case AXON_W_CONNECT_CRED:
		b_connect(s, f);
		break;
	case AXON_W_DISCONNECT:
		b = bconn_by_id(s, f->conn);
		if (b != NULL) {
			bconn_close(b);
		}
		break;
	case AXON_W_MSGSEND:
	case AXON_W_MSGSEND_CRED:
		b_send(s, f);
		break;
	case AXON_W_UNBLOCK:
		b_unblock(s, f);
		break;
	case AXON_W_PULSE:
		b_pulse(s, f);
		break;
	case AXON_W_MSGREAD_SUCCESS:
	case AXON_W_MSGREAD_FAIL:
		b_read_reply(s, f);
		break;
	default:
		return EPROTO;
	}
	return 0;
}

static void
fwds_session_gone(struct axd_sess *s, int err)
{
	(void) err;
	/* The peer's clients are gone for our servers. */
	for (unsigned h = 0; h < AXD_HASH; h++) {
		while (s->bconn[h] != NULL) {
			bconn_close(s->bconn[h]);
		}
	}
}

static int
fwds_start(void)
{
	struct axon_net_hooks h = {
		.replied = hook_replied,
		.read = hook_read,
		.received = hook_received,
		.event = hook_event,
		.dead = hook_dead,
	};
	struct epoll_event ev = {.events = EPOLLIN};

	axon__net_set_hooks(&h);
	axon__net_own_vconns();
	cdone_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (cdone_fd < 0) {
		return -EMFILE;
	}
	ev.data.u64 = AXD_TAG_CONND;
	if (epoll_ctl(g.epfd, EPOLL_CTL_ADD, cdone_fd, &ev) < 0) {
		return -errno;
	}
	return 0;
}

static void
fwds_sink_done(void *ref)
{
	axon__cconn_put(ref);
}

/* The eventfd of finished virtual connects, or a virtual connection's
 * socket (its notices run the hooks above). */
static void
fwds_event(uint64_t tag, uint32_t events)
{
	if (tag == AXD_TAG_CONND) {
		connect_event();
	} else {
		axon__vconn_event((struct axon_cconn *) (uintptr_t)
		    (tag & ~AXD_TAG_VCONN), events);
	}
}

/* Handshakes that waited for a thread are dropped. */
static void
fwds_stop(void)
{
	while (cwait_head != NULL) {
		struct cjob *j = cwait_head;

		cwait_head = j->next;
		free(j);
	}
	cwait_tail = &cwait_head;
}

const struct axd_module axd_mod_fwd_server = {
	.name = "forward-server",
	.types = {AXON_W_CONNECT_CRED, AXON_W_DISCONNECT, AXON_W_MSGSEND,
	    AXON_W_MSGSEND_CRED, AXON_W_UNBLOCK, AXON_W_PULSE,
	    AXON_W_MSGREAD_SUCCESS, AXON_W_MSGREAD_FAIL},
	.tags = AXD_TAG_CONND | AXD_TAG_VCONN,
	.start = fwds_start,
	.stop = fwds_stop,
	.session_gone = fwds_session_gone,
	.frame = fwds_frame,
	.sink = fwds_sink,
	.sink_done = fwds_sink_done,
	.event = fwds_event,
	.late = ready_send,
	.due = watch_any,
	.scan = watch_scan,
	.arm = watch_arm,
};
