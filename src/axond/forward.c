/* SPDX-License-Identifier: MIT */
/*
 * axond: message forwarding (the patent's method).
 *
 * Client side ("a"): a local client's MsgSend to a remote (nd, pid, chid)
 * arrives on this node's NET_MSG channel; it travels as CONNECT_CRED (the
 * first time), MSGSEND or MSGSEND_CRED, and its reply comes back as
 * MSGWRITE / MSGREPLY, applied with MsgWrite / MsgReply / MsgError.  The
 * client stays REPLY-blocked on us meanwhile; the channel has
 * _NTO_CHF_UNBLOCK, so its timeouts and signals come to us as UNBLOCK
 * pulses and travel to the server's node, where the server's own channel
 * flags decide.
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
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/neutrino.h>
#include <sys/netmgr.h>

#include "axond.h"
#include "forward.h"

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
/* The network channel's descriptor (axon__net_chan_fd) */
static int chan_fd = -1;

static unsigned
hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	return x % AXD_HASH;
}

/* ------------------------------------------------------------------ */
/* Client side                                                          */
/* ------------------------------------------------------------------ */

static struct axd_aconn *
aconn_by_id(uint32_t id)
{
	for (struct axd_aconn *c = g.aconn[hash32(id)]; c != NULL;
	     c = c->hnext) {
		if (c->id == id) {
			return c;
		}
	}
	return NULL;
}

static struct axd_amsg *
amsg_by_id(struct axd_sess *s, uint32_t id)
{
	for (struct axd_amsg *m = s->amsg[hash32(id)]; m != NULL;
	     m = m->hnext) {
		if (m->id == id) {
			return m;
		}
	}
	return NULL;
}

static struct axd_amsg *
amsg_by_rcvid(rcvid_t rcvid)
{
	for (struct axd_amsg *m = g.amsg_by_rcvid[hash32((uint32_t) rcvid)];
	     m != NULL; m = m->rnext) {
		if (m->rcvid == rcvid) {
			return m;
		}
	}
	return NULL;
}

static void
cred_from_info(const struct _client_info *ci, struct axon_wire_cred *c)
{
	memset(c, 0, sizeof(*c));
	c->ruid = ci->cred.ruid;
	c->euid = ci->cred.euid;
	c->suid = ci->cred.suid;
	c->rgid = ci->cred.rgid;
	c->egid = ci->cred.egid;
	c->sgid = ci->cred.sgid;
	c->ngroups = ci->cred.ngroups;
	if (c->ngroups > __NGROUPS_MAX) {
		c->ngroups = __NGROUPS_MAX;
	}
	for (uint32_t i = 0; i < c->ngroups; i++) {
		c->groups[i] = ci->cred.grouplist[i];
	}
}

/*
 * The client's credentials now, from the kernel: its /proc status, read
 * through a descriptor kept open for the connection (a third of the cost
 * of opening it per message).  Returns 0 or -1.
 */
static int
cred_now(struct axd_aconn *c, struct axon_wire_cred *w)
{
	char buf[4096];
	ssize_t n;
	int have = 0;

	if (c->status_fd < 0) {
		return -1;
	}
	n = pread(c->status_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		return -1;
	}
	buf[n] = '\0';
	memset(w, 0, sizeof(*w));
	for (char *line = buf; line != NULL && *line != '\0';) {
		char *nl = strchr(line, '\n');
		unsigned long a, b, d;

		if (nl != NULL) {
			*nl = '\0';
		}
		if (sscanf(line, "Uid: %lu %lu %lu", &a, &b, &d) == 3) {
			w->ruid = (uint32_t) a;
			w->euid = (uint32_t) b;
			w->suid = (uint32_t) d;
			have |= 1;
		} else if (sscanf(line, "Gid: %lu %lu %lu", &a, &b, &d) == 3) {
			w->rgid = (uint32_t) a;
			w->egid = (uint32_t) b;
			w->sgid = (uint32_t) d;
			have |= 2;
		} else if (strncmp(line, "Groups:", 7) == 0) {
			char *p = line + 7;
			char *end;

			for (;;) {
				unsigned long gid = strtoul(p, &end, 10);

				if (end == p) {
					break;
				}
				if (w->ngroups < __NGROUPS_MAX) {
					w->groups[w->ngroups++] = (uint32_t) gid;
				}
				p = end;
			}
			break; /* Groups comes after Uid and Gid */
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	return have == 3 ? 0 : -1;
}

/* The connection of a local client (scoid) to a remote server. */
static struct axd_aconn *
aconn_get(int scoid, int *ret_err)
{
	struct axd_aconn *c = g.aconn_by_scoid[scoid & 0xffff];
	struct _client_info ci;
	uint32_t nd;
	pid_t pid;
	int chid;
	int rc;

	if (c != NULL) {
		return c;
	}
	rc = axon__net_target(scoid, &nd, &pid, &chid);
	if (rc < 0) {
		*ret_err = -rc;
		return NULL;
	}
	if (ConnectClientInfo_r(scoid, &ci, __NGROUPS_MAX) < 0) {
		*ret_err = ESRCH;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		*ret_err = ENOMEM;
		return NULL;
	}
	do {
		c->id = ++g.next_conn;
	} while (c->id == 0 || aconn_by_id(c->id) != NULL);
	c->scoid = scoid;
	c->peer = g.peers[nd & ND_NODE_MASK];
	c->pid = pid;
	c->chid = chid;
	c->client_pid = ci.pid;
	cred_from_info(&ci, &c->cred);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int) ci.pid);
	c->status_fd = open(path, O_RDONLY | O_CLOEXEC);
	c->hnext = g.aconn[hash32(c->id)];
	g.aconn[hash32(c->id)] = c;
	g.aconn_by_scoid[scoid & 0xffff] = c;
	return c;
}

static void
aconn_free(struct axd_aconn *c)
{
	struct axd_aconn **pp;

	for (pp = &g.aconn[hash32(c->id)]; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	}
	if (g.aconn_by_scoid[c->scoid & 0xffff] == c) {
		g.aconn_by_scoid[c->scoid & 0xffff] = NULL;
	}
	if (c->status_fd >= 0) {
		(void) close(c->status_fd);
	}
	free(c);
}

static void
waitq_remove(struct axd_peer *p, struct axd_amsg *m)
{
	struct axd_amsg **pp;

	for (pp = &p->waitq; *pp != NULL; pp = &(*pp)->wnext) {
		if (*pp == m) {
			*pp = m->wnext;
			break;
		}
	}
	p->waitq_tail = &p->waitq;
	while (*p->waitq_tail != NULL) {
		p->waitq_tail = &(*p->waitq_tail)->wnext;
	}
}

/* Forgets m (its client has been answered, or is gone). */
static void
amsg_free(struct axd_amsg *m)
{
	struct axd_amsg **pp;

	if (m->sess != NULL) {
		axd_stream_remove(m->sess, &m->st);
		for (pp = &m->sess->amsg[hash32(m->id)]; *pp != NULL;
		     pp = &(*pp)->hnext) {
			if (*pp == m) {
				*pp = m->hnext;
				break;
			}
		}
		m->sess->n_amsg--;
	} else if (m->conn->peer != NULL) {
		waitq_remove(m->conn->peer, m);
	}
	for (pp = &g.amsg_by_rcvid[hash32((uint32_t) m->rcvid)]; *pp != NULL;
	     pp = &(*pp)->rnext) {
		if (*pp == m) {
			*pp = m->rnext;
			break;
		}
	}
	m->conn->inflight--;
	if (m->conn->peer != NULL) {
		m->conn->peer->n_amsg--;
	}
	free(m);
}

static void
amsg_fail(struct axd_amsg *m, int err)
{
	(void) MsgError_r(m->rcvid, err);
	amsg_free(m);
}

static void
send_connect(struct axd_sess *s, struct axd_aconn *c)
{
	struct axon_wire_frame f;

	if (s->state != S_UP) {
		return; /* its messages fail when the session is reaped */
	}
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_CONNECT_CRED;
	f.conn = c->id;
	f.u.connect.pid = c->pid;
	f.u.connect.chid = c->chid;
	f.u.connect.client_pid = c->client_pid;
	f.u.connect.cred = c->cred;
	(void) axd_send_frame(s, &f);
	c->sess = s;
	c->refused = false;
}

/* The next chunk of a client's message, read from the client itself:
 * first what ships with the send, then what the server's node asked
 * for with MSGREAD. */
static bool
amsg_produce(struct axd_sess *s, struct axd_stream *st)
{
	struct axd_amsg *m = (struct axd_amsg *) st;
	struct axon_wire_frame f;
	bool first = m->sent == 0;

	memset(&f, 0, sizeof(f));
	f.conn = m->conn->id;
	f.msg = m->id;
	if (first || m->sent < m->ship) {
		uint32_t len = m->ship - m->sent;
		const uint8_t *data = NULL;
		void *ref = NULL;

		if (len > AXD_CHUNK) {
			len = AXD_CHUNK;
		}
		/* Straight from the client's memory (no copy of ours). */
		if (len > 0 &&
		    axon__msg_peek(m->rcvid, m->sent, len, &data, &ref) !=
			(ssize_t) len) {
			/* The client is gone: its DISCONNECT follows, and
			 * the peer drops the partial message then. */
			axon__msg_unpeek(ref);
			return false;
		}
		f.type = first && m->cred_changed ? AXON_W_MSGSEND_CRED
						  : AXON_W_MSGSEND;
		f.offset = m->sent;
		f.flags = (uint16_t) ((first ? AXON_WF_FIRST : 0) |
		    (m->sent + len == m->ship ? AXON_WF_LAST : 0));
		f.u.send.tid = m->tid;
		f.u.send.coid = m->coid;
		f.u.send.prio = m->prio;
		f.u.send.sbytes = m->sbytes;
		f.u.send.rbytes = m->rbytes;
		if (f.type == AXON_W_MSGSEND_CRED) {
			f.u.send.cred = m->conn->cred;
		}
		f.data = len > 0 ? data : NULL;
		f.data_len = len;
		int rc = axd_send_frame(s, &f);
		axon__msg_unpeek(ref);
		if (rc < 0) {
			return false;
		}
		m->sent += len;
		return m->sent < m->ship || m->rd_off < m->rd_end;
	}
	if (m->rd_off < m->rd_end) {
		uint32_t len = m->rd_end - m->rd_off;
		ssize_t n;

		if (len > AXD_CHUNK) {
			len = AXD_CHUNK;
		}
		const uint8_t *data = NULL;
		void *ref = NULL;

		n = axon__msg_peek(m->rcvid, m->rd_off, len, &data, &ref);
		if (n != (ssize_t) len) {
			axon__msg_unpeek(ref);
			f.type = AXON_W_MSGREAD_FAIL;
			f.u.fail.err = axon__wire_errno_out(n < 0 ? (int) -n
								  : EFAULT);
			m->rd_off = m->rd_end;
			(void) axd_send_frame(s, &f);
			return false;
		}
		f.type = AXON_W_MSGREAD_SUCCESS;
		f.offset = m->rd_off;
		f.flags = (uint16_t) ((m->rd_off == m->rd_start ? AXON_WF_FIRST
								: 0) |
		    (m->rd_off + len == m->rd_end ? AXON_WF_LAST : 0));
		f.data = data;
		f.data_len = len;
		int rc = axd_send_frame(s, &f);
		axon__msg_unpeek(ref);
		if (rc < 0) {
			return false;
		}
		m->rd_off += len;
		return m->rd_off < m->rd_end;
	}
	return false;
}

/* Puts m on session s: connect first if the connection is new there. */
static void
amsg_start(struct axd_sess *s, struct axd_amsg *m)
{
	struct axd_aconn *c = m->conn;

	if (c->sess != s || c->refused) {
		send_connect(s, c);
		m->cred_changed = false;
	}
	m->sess = s;
	m->hnext = s->amsg[hash32(m->id)];
	s->amsg[hash32(m->id)] = m;
	s->n_amsg++;
	m->st.produce = amsg_produce;
	axd_stream_add(s, &m->st);
}

static void
a_message(rcvid_t rcvid, const struct _msg_info *info)
{
	struct _client_info ci;
	struct axon_wire_cred cred;
	struct axd_aconn *c;
	struct axd_amsg *m;
	int err = 0;

	c = aconn_get(info->scoid, &err);
	if (c == NULL) {
		(void) MsgError_r(rcvid, err);
		return;
	}
	if (c->peer == NULL) {
		(void) MsgError_r(rcvid, EHOSTUNREACH); /* no such node */
		return;
	}
	if (info->srcmsglen < 0 || info->dstmsglen < 0) {
		(void) MsgError_r(rcvid, EFAULT);
		return;
	}
	if (c->peer->sess == NULL && !c->peer->has_addr) {
		(void) MsgError_r(rcvid, EHOSTDOWN);
		return;
	}
	if (c->peer->n_amsg >= g.cfg.max_msgs_in_flight) {
		axd_log(AXD_WARN, "%u messages in flight to %s: refused",
		    c->peer->n_amsg, c->peer->name);
		(void) MsgError_r(rcvid, EAGAIN);
		return;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		(void) MsgError_r(rcvid, ENOMEM);
		return;
	}
	c->peer->n_amsg++;
	do {
		m->id = ++g.next_msg;
	} while (m->id == 0);
	m->rcvid = rcvid;
	m->conn = c;
	m->since = axd_now();
	m->tid = info->tid > 0 ? info->tid : 1;
	m->coid = info->coid;
	m->prio = info->priority & 0xff;
	m->sbytes = (uint32_t) info->srcmsglen;
	m->rbytes = (uint32_t) info->dstmsglen;
	m->ship = m->sbytes < AXD_SHIP ? m->sbytes : AXD_SHIP;
	/* The client's credentials now: a change since the last message
	 * travels with this one (MSGSEND_CRED).  They are read from the
	 * kernel when the client's hint says its ids changed, and at
	 * least every AXD_CRED_RECHECK whatever the hint says (shm.h,
	 * cred_hint). */
	uint32_t hint = 0;
	uint64_t now = m->since;

	(void) axon__net_cred_hint(info->scoid, &hint);
	if (c->cred_at == 0 || hint != c->cred_hint ||
	    now - c->cred_at >= AXD_CRED_RECHECK) {
		int rc = cred_now(c, &cred);

		if (rc < 0 && ConnectClientInfo_r(info->scoid, &ci,
				  __NGROUPS_MAX) == 0) {
			cred_from_info(&ci, &cred);
			rc = 0;
		}
		if (rc == 0) {
			c->cred_hint = hint;
			c->cred_at = now;
			if (memcmp(&cred, &c->cred, sizeof(cred)) != 0) {
				c->cred = cred;
				m->cred_changed = true;
			}
		}
	}
	m->rnext = g.amsg_by_rcvid[hash32((uint32_t) rcvid)];
	g.amsg_by_rcvid[hash32((uint32_t) rcvid)] = m;
	c->inflight++;
	if (c->peer->sess != NULL) {
		amsg_start(c->peer->sess, m);
		axd_flush(c->peer->sess);
	} else {
		*c->peer->waitq_tail = m;
		c->peer->waitq_tail = &m->wnext;
		axd_dial(c->peer);
	}
}

static void
a_disconnect(int scoid)
{
	struct axd_aconn *c = g.aconn_by_scoid[scoid & 0xffff];

	if (c != NULL) {
		/* Its messages died with it (their rcvids are gone). */
		for (unsigned h = 0; h < AXD_HASH && c->inflight > 0; h++) {
			struct axd_amsg *m = g.amsg_by_rcvid[h];

			while (m != NULL) {
				struct axd_amsg *next = m->rnext;

				if (m->conn == c) {
					amsg_free(m);
				}
				m = next;
			}
		}
		if (c->sess != NULL && c->sess->state == S_UP) {
			struct axon_wire_frame f;

			memset(&f, 0, sizeof(f));
			f.type = AXON_W_DISCONNECT;
			f.conn = c->id;
			(void) axd_send_frame(c->sess, &f);
			axd_flush(c->sess);
		}
		aconn_free(c);
	}
	(void) ConnectDetach_r(scoid);
}

/*
 * Death notification (issue 10): the server end of c is gone, because
 * the server's node said so (SERVER_GONE) or because the session that
 * carried the connection died.  Its messages still here fail with err,
 * and the client's connection to us is cut (ConnectDetach of its scoid),
 * so that the client's library sees it hang up exactly as when a local
 * server dies: the coid is dead (EBADF from then on) and a
 * _NTO_CHF_COID_DISCONNECT channel gets _PULSE_CODE_COIDDEATH for each
 * of its connection ids.  The scoid is detached by us, so no DISCONNECT
 * pulse comes back for it.
 */
static void
a_server_gone(struct axd_aconn *c, int err)
{
	int scoid = c->scoid;

	for (unsigned h = 0; h < AXD_HASH && c->inflight > 0; h++) {
		struct axd_amsg *m = g.amsg_by_rcvid[h];

		while (m != NULL) {
			struct axd_amsg *next = m->rnext;

			if (m->conn == c) {
				amsg_fail(m, err);
			}
			m = next;
		}
	}
	axd_log(AXD_DEBUG, "connection %u to pid %d chid %d: server gone (%s)",
	    c->id, (int) c->pid, c->chid, strerror(err));
	aconn_free(c);
	(void) ConnectDetach_r(scoid);
}

static void
a_unblock(rcvid_t rcvid)
{
	struct axd_amsg *m = amsg_by_rcvid(rcvid);
	int reason = axon__net_unblock_reason(rcvid);

	if (m == NULL) {
		return;
	}
	if (reason == 0) {
		reason = EINTR;
	}
	if (m->sess == NULL) {
		amsg_fail(m, reason); /* never left this node */
		return;
	}
	struct axon_wire_frame f;

	if (m->rd_off >= m->rd_end) {
		/* The unshipped rest is not needed.  (A MSGREAD being
		 * answered goes on: the server waits for it.) */
		axd_stream_remove(m->sess, &m->st);
	}
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_UNBLOCK;
	f.conn = m->conn->id;
	f.msg = m->id;
	f.u.unblock.reason = axon__wire_errno_out(reason);
	(void) axd_send_frame(m->sess, &f);
	axd_flush(m->sess);
}

static void
pulse_send(struct axd_sess *s, struct axd_aconn *c, int prio, int code,
    int value)
{
	struct axon_wire_frame f;

	if (c->sess != s || c->refused) {
		send_connect(s, c);
	}
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_PULSE;
	f.conn = c->id;
	f.u.pulse.prio = prio & 0xff;
	f.u.pulse.code = code;
	f.u.pulse.value = value;
	(void) axd_send_frame(s, &f);
}

static void
a_pulse(const struct _pulse *pu)
{
	struct axd_aconn *c;
	int err = 0;
	/* The pulse's own priority, not what this thread took on (a
	 * pulse above 99, or axond without real-time rights). */
	int prio = axon__last_pulse_prio();

	if (prio <= 0) {
		prio = 10;
	}

	c = aconn_get(pu->scoid, &err);
	if (c == NULL || c->peer == NULL) {
		axd_log(AXD_DEBUG, "pulse for an unknown node dropped (%s)",
		    strerror(err));
		return;
	}
	if (c->peer->sess == NULL) {
		/* Wait for the session, as messages do (bounded by the
		 * connect timeout, after which it is dropped). */
		struct axd_qpulse *q = calloc(1, sizeof(*q));
		struct axd_qpulse **pp = &c->peer->pulseq;

		if (q == NULL) {
			return;
		}
		q->scoid = pu->scoid;
		q->prio = prio;
		q->code = pu->code;
		q->value = pu->value.sival_int;
		q->since = axd_now();
		while (*pp != NULL) {
			pp = &(*pp)->next;
		}
		*pp = q;
		axd_dial(c->peer);
		return;
	}
	pulse_send(c->peer->sess, c, prio, pu->code, pu->value.sival_int);
	axd_flush(c->peer->sess);
}

/* At most this many messages and pulses per wake-up of the loop, so that
 * a flood of local clients does not starve the sessions. */
#define AXD_RX_BATCH 256

/*
 * The network channel is readable: local clients' messages and pulses for
 * other nodes, taken without blocking while more are queued (or until a
 * batch is done: then *again, and the loop comes back without sleeping).
 * The frames they make go out once per loop iteration (axd_flush).
 */
void
axd_fwd_chan_event(bool *again)
{
	union {
		struct _pulse pulse;
		uint8_t bytes[256];
	} buf;
	bool more = true;

	*again = false;
	for (int k = 0; k < AXD_RX_BATCH && more; k++) {
		struct _msg_info info;
		rcvid_t rcvid = axon__net_receive(g.chid, &buf, sizeof(buf),
		    &info, &more);

		if (rcvid == -EAGAIN) {
			return;
		}
		if (rcvid == -EINTR) {
			more = true;
			continue;
		}
		if (rcvid < 0) {
			if (!g.stop) {
				axd_log(AXD_ERR, "MsgReceive: %s",
				    strerror((int) -rcvid));
			}
			return;
		}
		if (rcvid == 0) {
			axd_log(AXD_DEBUG, "pulse code %d from scoid %#x",
			    buf.pulse.code, buf.pulse.scoid);
		}
		if (rcvid > 0) {
			a_message(rcvid, &info);
		} else if (buf.pulse.code == _PULSE_CODE_UNBLOCK) {
			a_unblock(buf.pulse.value.sival_int);
		} else if (buf.pulse.code == _PULSE_CODE_DISCONNECT) {
			a_disconnect(buf.pulse.scoid);
		} else if (buf.pulse.code >= _PULSE_CODE_MINAVAIL) {
			a_pulse(&buf.pulse);
		}
	}
	*again = more;
}

static void
a_reply(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_amsg *m = amsg_by_id(s, f->msg);

	if (m == NULL) {
		return; /* answered already (unblocked), or its client died */
	}
	/* (Data received in place is in the client's reply area already.) */
	bool here = s->inplace;

	if (f->type == AXON_W_MSGWRITE ||
	    !(f->flags & AXON_WF_LAST)) {
		if (f->data_len > 0 && !here) {
			(void) MsgWrite_r(m->rcvid, f->data, f->data_len,
			    f->offset);
		}
		m->wrote = true;
		return;
	}
	int err = f->u.reply.err != 0 ? axon__wire_errno_in(f->u.reply.err)
				      : 0;
	if (here) {
		if (err != 0) {
			(void) MsgError_r(m->rcvid, err);
		} else {
			(void) MsgReply_r(m->rcvid, (long) f->u.reply.status,
			    NULL, 0);
		}
	} else if (err == 0 && !m->wrote && f->offset == 0) {
		(void) MsgReply_r(m->rcvid, (long) f->u.reply.status, f->data,
		    f->data_len);
	} else {
		if (f->data_len > 0) {
			(void) MsgWrite_r(m->rcvid, f->data, f->data_len,
			    f->offset);
		}
		if (err != 0) {
			(void) MsgError_r(m->rcvid, err);
		} else {
			(void) MsgReply_r(m->rcvid, (long) f->u.reply.status,
			    NULL, 0);
		}
	}
	amsg_free(m);
}

/*
 * A pulse or event from another node that this node could not deliver
 * (the target is gone, its channel is full, or it refused the mapped
 * sender: a remote root mapped to nobody may not pulse root's server).
 * Never dropped without a trace: each is counted, and the counts are
 * logged as a warning at most once every 10 s, with the last one's
 * node and reason, so that a flood cannot flood the log.
 */
#define REFUSED_LOG_NS 10000000000ull

static struct {
	uint64_t pulses, events; /* since the last warning */
	uint64_t total;          /* since start */
	uint64_t logged;         /* when the last warning went out */
} refused;

static void
note_refused(bool event, const struct axd_sess *s, int err)
{
	uint64_t now = axd_now();

	if (event) {
		refused.events++;
	} else {
		refused.pulses++;
	}
	refused.total++;
	axd_log(AXD_DEBUG, "%s from %s not delivered: %s",
	    event ? "event" : "pulse", s != NULL ? s->peer_name : "?",
	    strerror(err));
	if (refused.logged != 0 && now - refused.logged < REFUSED_LOG_NS) {
		return;
	}
	axd_log(AXD_WARN, "%llu pulse(s) and %llu event(s) from other nodes "
			  "not delivered (%llu since start); the last, from "
			  "%s: %s",
	    (unsigned long long) refused.pulses,
	    (unsigned long long) refused.events,
	    (unsigned long long) refused.total,
	    s != NULL ? s->peer_name : "?", strerror(err));
	refused.pulses = 0;
	refused.events = 0;
	refused.logged = now;
}

/* A pulse of a remote client to its server (b connected). */
static void
b_pulse_send(struct axd_sess *s, struct axd_bconn *b, int prio, int code,
    int value)
{
	int rc = MsgSendPulse_r(b->coid, prio, code, value);

	/* The server's library refuses a pulse of a sender that may not
	 * signal it (QNX's rule, sconn.c: not root, not the server's
	 * user) and counts it on its status page; the sender's uid is the
	 * mapped one (a remote root mapped to nobody): said here too,
	 * where the operator looks. */
	if (rc == 0 && b->nc.euid != 0 && b->nc.euid != axon__vconn_srv_uid(b->cc)) {
		rc = -EPERM;
	}
	if (rc < 0) {
		note_refused(false, s, -rc);
	}
}

static void
a_event(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_aconn *c = aconn_by_id(f->conn);
	struct axon_ctl ev;
	int rc;

	if (c == NULL) {
		note_refused(true, s, ESRCH); /* its client is gone */
		return;
	}
	axon__ctl_init(&ev, AXON_CTL_EVENT);
	ev.u.event.tid = f->u.event.tid;
	ev.u.event.notify = f->u.event.notify;
	ev.u.event.signo = f->u.event.signo;
	ev.u.event.prio = f->u.event.prio;
	ev.u.event.code = f->u.event.code;
	ev.u.event.value = f->u.event.value;
	rc = axon__net_deliver_event(c->scoid, &ev);
	if (rc < 0) {
		note_refused(true, s, -rc);
	}
}

/* The server's node reads more of a client's message (MSGREAD): the
 * bytes follow as MSGREAD_SUCCESS chunks, between other frames. */
static void
a_read(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_amsg *m = amsg_by_id(s, f->msg);

	if (m == NULL || f->conn != m->conn->id) {
		struct axon_wire_frame r;

		memset(&r, 0, sizeof(r));
		r.type = AXON_W_MSGREAD_FAIL;
		r.conn = f->conn;
		r.msg = f->msg;
		r.u.fail.err = axon__wire_errno_out(ESRCH);
		(void) axd_send_frame(s, &r);
		return;
	}
	uint64_t end = (uint64_t) f->offset + f->u.read.len;
	m->rd_start = m->rd_off = f->offset < m->sbytes ? f->offset
							: m->sbytes;
	m->rd_end = end < m->sbytes ? (uint32_t) end : m->sbytes;
	if (m->rd_off == m->rd_end) {
		/* Nothing there: say so with an empty chunk. */
		struct axon_wire_frame r;

		memset(&r, 0, sizeof(r));
		r.type = AXON_W_MSGREAD_SUCCESS;
		r.conn = f->conn;
		r.msg = f->msg;
		r.offset = m->rd_off;
		r.flags = AXON_WF_FIRST | AXON_WF_LAST;
		(void) axd_send_frame(s, &r);
		return;
	}
	axd_stream_add(s, &m->st);
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

/* ---- replies watched in memory (forward.h, axd_fwd_watch_*) ---- */

static struct axd_bmsg *watch_head;

static void
watch_add(struct axd_bmsg *m)
{
	m->qnext = watch_head;
	if (watch_head != NULL) {
		watch_head->qprev = &m->qnext;
	}
	watch_head = m;
	m->qprev = &watch_head;
}

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

bool
axd_fwd_watch_scan(void)
{
	struct axd_bmsg *m = watch_head;
	bool any = false;

	while (m != NULL) {
		struct axd_bmsg *next = m->qnext;

		if (axon__nsend_result(m->bc->cc, m->slot, &m->res) == 1) {
			bmsg_replied(m); /* (leaves the list) */
			any = true;
		}
		m = next;
	}
	return any;
}

bool
axd_fwd_watch_arm(void)
{
	bool any = false;

	while (watch_head != NULL) {
		struct axd_bmsg *m = watch_head;

		watch_remove(m);
		if (axon__nsend_notify(m->bc->cc, m->slot) &&
		    axon__nsend_result(m->bc->cc, m->slot, &m->res) == 1) {
			bmsg_replied(m);
			any = true;
		}
	}
	return any;
}

bool
axd_fwd_watch_any(void)
{
	return watch_head != NULL;
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
		struct axd_bmsg **qq;

		m->bc->npend--;
		for (qq = &m->bc->pend; *qq != NULL; qq = &(*qq)->pnext) {
			if (*qq == m) {
				*qq = m->pnext;
				break;
			}
		}
		m->bc->pend_tail = &m->bc->pend;
		while (*m->bc->pend_tail != NULL) {
			m->bc->pend_tail = &(*m->bc->pend_tail)->pnext;
		}
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
		(void) axd_send_frame(s, &f);
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

/* The server answered m (or died): send its reply. */
static void
bmsg_replied(struct axd_bmsg *m)
{
	struct axd_sess *s = m->bc->sess;

	watch_remove(m);
	m->st.produce = bmsg_produce;
	m->ext_i = 0;
	m->ext_off = 0;
	axd_stream_add(s, &m->st);
	axd_flush(s);
}

static void
bconn_close(struct axd_bconn *b)
{
	struct axd_bconn **pp;


	for (unsigned i = 0; i < AXON_SLOTS; i++) {
		if (b->slot_msg[i] != NULL) {
			bmsg_free(b->slot_msg[i]);
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
	if (b->cc != NULL) {
		/* The server sees its client go, as when a local one
		 * detaches or dies. */
		axon__vconn_forget(b->cc);
		(void) ConnectDetach_r(b->coid);
		axon__cconn_put(b->cc);
	}
	free(b);
}

/* The gid of a mapping: gid if set, else uid's login group (the uid
 * itself if it has none). */
static gid_t
map_gid(long uid, long gid)
{
	struct passwd pw;
	struct passwd *res = NULL;
	char buf[1024];

	if (gid >= 0) {
		return (gid_t) gid;
	}
	if (getpwuid_r((uid_t) uid, &pw, buf, sizeof(buf), &res) == 0 &&
	    res != NULL) {
		return res->pw_gid;
	}
	return (gid_t) uid;
}

/*
 * A remote caller's credentials as this node takes them, in place: the
 * one policy for messages (CONNECT_CRED, MSGSEND_CRED) and commands
 * (SPAWN).  --mapany comes first and squashes everyone: every uid
 * becomes its uid, every gid its gid, and that gid is the only
 * supplementary group.  Otherwise --maproot squashes root: each uid
 * that is 0 and, whatever the uid, each gid that is 0 (real, effective,
 * saved, supplementary) become its uid and gid, so that a caller that
 * is root by group only is not root's group here either.
 */
void
axd_map_cred(struct axon_wire_cred *c)
{
	uid_t u;
	gid_t gid;

	if (c->ngroups > AXON_WIRE_NGROUPS) {
		c->ngroups = AXON_WIRE_NGROUPS; /* (the decoder refuses it) */
	}
	if (g.cfg.mapany >= 0) {
		u = (uid_t) g.cfg.mapany;
		gid = map_gid(g.cfg.mapany, g.cfg.mapany_gid);
		c->ruid = c->euid = c->suid = u;
		c->rgid = c->egid = c->sgid = gid;
		memset(c->groups, 0, sizeof(c->groups));
		c->groups[0] = gid;
		c->ngroups = 1;
		return;
	}
	if (g.cfg.maproot < 0) {
		return;
	}
	u = (uid_t) g.cfg.maproot;
	gid = map_gid(g.cfg.maproot, g.cfg.maproot_gid);
	c->ruid = c->ruid == 0 ? u : c->ruid;
	c->euid = c->euid == 0 ? u : c->euid;
	c->suid = c->suid == 0 ? u : c->suid;
	c->rgid = c->rgid == 0 ? gid : c->rgid;
	c->egid = c->egid == 0 ? gid : c->egid;
	c->sgid = c->sgid == 0 ? gid : c->sgid;
	for (uint32_t i = 0; i < c->ngroups; i++) {
		if (c->groups[i] == 0) {
			c->groups[i] = gid;
		}
	}
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

static void connect_done(struct cjob *j);

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

		if (b_attach(s, m) == 0 && m->complete) {
			b_post(s, m);
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
			note_refused(false, s, b->err != 0 ? b->err : EBADF);
		}
		free(q);
	}
	axd_flush(s);
}

/* The eventfd of finished handshakes is readable. */
void
axd_fwd_connect_event(void)
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

/* The shipped part of m is here: the server may take it. */
static void
b_post(struct axd_sess *s, struct axd_bmsg *m)
{
	/* The loop watches its reply in memory while it is awake (and
	 * polls for it a while before it sleeps): a quick server's reply
	 * costs no REPLIED notice, which is asked for only when the loop
	 * is about to sleep (axd_fwd_watch_arm). */
	if (axon__nsend_post(m->bc->cc, m->slot, m->coid, m->tid, m->prio,
		m->got, m->bc->newcred, true) < 0) {
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
	} else if (m == NULL || m->posted || m->complete ||
	    m->bc->id != f->conn || f->u.send.sbytes != m->sbytes) {
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
		if (m->slot >= 0) {
			b_post(s, m);
		}
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
	int reason = axon__wire_errno_in(f->u.unblock.reason);
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
		rc = axon__nsend_unblock(m->bc->cc, m->slot, reason);
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
	note_refused(false, s, -rc);
}

/*
 * Where the data of frame h (its header decoded, its data still arriving)
 * should be received: the next part of a message to a local server, in
 * the server's slot.  Returns the address of its first data byte, with a
 * reference (*ret_ref) that keeps the memory mapped until
 * axd_fwd_sink_done(); or NULL: receive it the usual way.
 */
uint8_t *
axd_fwd_sink(struct axd_sess *s, const struct axon_wire_frame *h,
    void **ret_ref, int *ret_kind)
{
	struct axd_bmsg *m;

	if (h->type == AXON_W_MSGWRITE || h->type == AXON_W_MSGREPLY) {
		/* A reply for one of our clients: into its reply area. */
		struct axd_amsg *am = amsg_by_id(s, h->msg);
		uint8_t *p;

		if (am == NULL || am->conn->id != h->conn ||
		    axon__msg_write_peek(am->rcvid, h->offset, h->data_len,
			&p, ret_ref) < 0) {
			return NULL;
		}
		*ret_kind = 2;
		return p;
	}
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
		? (m->posted || m->complete || h->u.send.sbytes != m->sbytes)
		: !m->posted) {
		return NULL;
	}
	axon__cconn_hold(m->bc->cc);
	*ret_ref = m->bc->cc;
	*ret_kind = 1;
	return m->data + h->offset;
}

void
axd_fwd_sink_done(void *ref, int kind)
{
	if (kind == 1) {
		axon__cconn_put(ref);
	} else {
		axon__msg_unpeek(ref);
	}
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
	watch_remove(m);
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
		for (unsigned i = 0; i < AXON_SLOTS; i++) {
			struct axd_bmsg *m = b->slot_msg[i];

			if (m == NULL) {
				continue;
			}
			if (m->st.queued ||
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

/* ------------------------------------------------------------------ */

int
axd_fwd_frame(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_aconn *c;
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
	/* for the client side (we sent) */
	case AXON_W_CONNECT_SUCCESS:
		break;
	case AXON_W_CONNECT_FAIL:
		c = aconn_by_id(f->conn);
		if (c != NULL && c->sess == s) {
			c->refused = true; /* connect again on the next send */
		}
		break;
	case AXON_W_MSGREPLY:
	case AXON_W_MSGWRITE:
		a_reply(s, f);
		break;
	case AXON_W_MSGREAD:
		a_read(s, f);
		break;
	case AXON_W_SERVER_GONE:
		c = aconn_by_id(f->conn);
		if (c != NULL && c->sess == s) {
			a_server_gone(c, axon__wire_errno_in(f->u.fail.err));
		}
		break;
	case AXON_W_EVENT:
		a_event(s, f);
		break;
	default:
		return EPROTO;
	}
	return 0;
}

void
axd_fwd_session_up(struct axd_sess *s)
{
	struct axd_peer *p = s->peer;

	while (p->waitq != NULL) {
		struct axd_amsg *m = p->waitq;

		p->waitq = m->wnext;
		m->wnext = NULL;
		amsg_start(s, m);
	}
	p->waitq_tail = &p->waitq;
	while (p->pulseq != NULL) {
		struct axd_qpulse *q = p->pulseq;
		struct axd_aconn *c = g.aconn_by_scoid[q->scoid & 0xffff];

		p->pulseq = q->next;
		if (c != NULL && c->peer == p) {
			pulse_send(s, c, q->prio, q->code, q->value);
		}
		free(q);
	}
	axd_flush(s);
}

void
axd_fwd_session_gone(struct axd_sess *s, int err)
{
	/* Our clients' messages on it fail. */
	for (unsigned h = 0; h < AXD_HASH; h++) {
		while (s->amsg[h] != NULL) {
			amsg_fail(s->amsg[h], err);
		}
	}
	/* Death notification (issue 10): a connection made over the
	 * session lost its server with it (the peer's axond went away, or
	 * the session was declared dead), and its client sees the server
	 * die (a_server_gone).  A connection that never got as far as a
	 * session is not touched: a later message dials again. */
	for (unsigned h = 0; h < AXD_HASH; h++) {
		struct axd_aconn *c = g.aconn[h];

		while (c != NULL) {
			struct axd_aconn *next = c->hnext;

			if (c->sess == s) {
				a_server_gone(c, err != 0 ? err : EHOSTUNREACH);
			}
			c = next;
		}
	}
	/* The peer's clients are gone for our servers. */
	for (unsigned h = 0; h < AXD_HASH; h++) {
		while (s->bconn[h] != NULL) {
			bconn_close(s->bconn[h]);
		}
	}
	/* Streams left point nowhere now. */
	s->st_head = NULL;
	s->st_tail = &s->st_head;
}

void
axd_fwd_expire_waiting(struct axd_peer *p, uint64_t now, uint64_t cto)
{
	while (p->waitq != NULL && now - p->waitq->since > cto) {
		amsg_fail(p->waitq, p->was_up ? EHOSTUNREACH : EHOSTDOWN);
	}
	while (p->pulseq != NULL && now - p->pulseq->since > cto) {
		struct axd_qpulse *q = p->pulseq;

		p->pulseq = q->next;
		free(q);
		axd_log(AXD_DEBUG, "pulse for %s dropped: node down", p->name);
	}
}

int
axd_fwd_start(void)
{
	struct axon_net_hooks h = {
		.replied = hook_replied,
		.read = hook_read,
		.event = hook_event,
		.dead = hook_dead,
	};
	struct epoll_event ev = {.events = EPOLLIN};

	axon__net_set_hooks(&h);
	axon__net_own_vconns();
	cdone_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	chan_fd = axon__net_chan_fd(g.chid);
	if (cdone_fd < 0 || chan_fd < 0) {
		return -EMFILE;
	}
	ev.data.u64 = AXD_TAG_CONND;
	if (epoll_ctl(g.epfd, EPOLL_CTL_ADD, cdone_fd, &ev) < 0) {
		return -errno;
	}
	ev.data.u64 = AXD_TAG_CHAN;
	if (epoll_ctl(g.epfd, EPOLL_CTL_ADD, chan_fd, &ev) < 0) {
		return -errno;
	}
	return 0;
}

void
axd_fwd_stop(void)
{
	while (cwait_head != NULL) {
		struct cjob *j = cwait_head;

		cwait_head = j->next;
		free(j);
	}
	cwait_tail = &cwait_head;
	/* The channel is destroyed: it is no longer watched. */
	if (chan_fd >= 0) {
		(void) epoll_ctl(g.epfd, EPOLL_CTL_DEL, chan_fd, NULL);
		chan_fd = -1;
	}
}
