/* SPDX-License-Identifier: MIT */
/*
 * axond: message forwarding, the client side, the module forward-client
 * (module.h; fwd_server.c the server side, forward.c what both share).
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
 * Everything here runs on the main loop's thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/neutrino.h>
#include <sys/netmgr.h>

#include "axond.h"
#include "session.h"
#include "fwd.h"
#include "module.h"

/* The network channel's descriptor (axon__net_chan_fd) */
static int chan_fd = -1;

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
	/* ci is ConnectClientInfoExt()'s: it holds every group. */
	c->ngroups = ci->cred.ngroups;
	if (c->ngroups > AXON_WIRE_NGROUPS) {
		c->ngroups = AXON_WIRE_NGROUPS;
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
				if (w->ngroups < AXON_WIRE_NGROUPS) {
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
	struct _client_info *ci = NULL;
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
	if (axon__client_info_ext(scoid, &ci, _NTO_CLIENTINFO_GETGROUPS) <
	    0) {
		*ret_err = ESRCH;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		(void) axon__client_info_ext_free(&ci);
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
	c->client_pid = ci->pid;
	cred_from_info(ci, &c->cred);
	(void) axon__client_info_ext_free(&ci);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int) c->client_pid);
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
		int rc = axd_send_frame_held(s, &f, axon__msg_unpeek, ref);
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
		int rc = axd_send_frame_held(s, &f, axon__msg_unpeek, ref);
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
	struct _client_info *ci = NULL;
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
	/* The client's priority with its real-time bit (FIFO 10 is not
	 * SCHED_OTHER): the server's node posts it as is, so that the
	 * receiving thread takes it on and the send-time boost applies
	 * there (issue 10 item 5). */
	m->prio = axon__net_msg_prio(rcvid);
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

		if (rc < 0 && axon__client_info_ext(info->scoid, &ci,
				  _NTO_CLIENTINFO_GETGROUPS) == 0) {
			cred_from_info(ci, &cred);
			(void) axon__client_info_ext_free(&ci);
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
	/* A timeout for the SEND state alone (the client's library says
	 * so): the server's node withdraws the message only if its server
	 * has not received it (issue 10 item 5, wire.md UNBLOCK). */
	bool send_only = (reason & AXON_UNBLOCK_SENDONLY) != 0;

	reason &= ~AXON_UNBLOCK_SENDONLY;
	if (m->sess == NULL) {
		amsg_fail(m, reason); /* never left this node */
		return;
	}
	struct axon_wire_frame f;

	if (m->rd_off >= m->rd_end && !send_only) {
		/* The unshipped rest is not needed.  (A MSGREAD being
		 * answered goes on: the server waits for it.  After a
		 * SEND-only timeout the rest goes on too: the server's
		 * node may have posted the message at its first chunk, and
		 * the server took it, which the client then waits for.) */
		axd_stream_remove(m->sess, &m->st);
	}
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_UNBLOCK;
	f.conn = m->conn->id;
	f.msg = m->id;
	f.u.unblock.reason = axon__wire_errno_out(reason) |
	    (send_only ? AXON_WIRE_SENDONLY : 0);
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
 * all: until the channel says there is nothing (its bells collected
 * once more after the queue ran dry), not only while items are queued:
 * a local server's reply is about to be sent (g.chan_poke), and every
 * pulse it sent before replying must be on its way first, including
 * those still in its connection's socket behind what the library's
 * monitor thread had queued.
 */
static void
chan_event(bool *again, bool all)
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
		if (all) {
			more = true; /* until -EAGAIN */
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

/* Reply data landed in m's client's reply area at [off, off + len): its
 * library is told how much is there in order from offset 0, so that it
 * copies while the rest comes; a frame below that point (the server
 * wrote a part twice) ends it, and the client copies the whole reply at
 * the end.  last: the reply follows at once, only the end matters. */
static void
amsg_landed(struct axd_amsg *m, uint32_t off, uint32_t len, bool last)
{
	if (m->rprog_bad || len == 0) {
		return;
	}
	if (off < m->rprog) {
		m->rprog_bad = true;
		(void) axon__net_reply_progress(m->rcvid, 0);
		return;
	}
	if (off > m->rprog || last) {
		return; /* (a gap: what follows it is copied at the end) */
	}
	m->rprog += len; /* (off + len fits the reply area: checked) */
	(void) axon__net_reply_progress(m->rcvid, m->rprog);
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
		if (!here && f->offset < m->rprog) {
			/* (Before it lands, whatever MsgWrite takes.) */
			amsg_landed(m, f->offset, f->data_len, true);
		}
		if (here || (f->data_len > 0 &&
				MsgWrite_r(m->rcvid, f->data, f->data_len,
				    f->offset) == (ssize_t) f->data_len)) {
			amsg_landed(m, f->offset, f->data_len, false);
		}
		m->wrote = true;
		return;
	}
	amsg_landed(m, f->offset, f->data_len, true);
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

static void
a_event(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_aconn *c = aconn_by_id(f->conn);
	struct axon_ctl ev;
	int rc;

	if (c == NULL) {
		axd_fwd_note_refused(true, s, ESRCH); /* its client is gone */
		return;
	}
	axon__ctl_init(&ev, AXON_CTL_EVENT);
	if (f->msg != 0 && f->u.event.notify == SIGEV_UNBLOCK) {
		/* For that message only, while its client waits for it
		 * (fwd_server.c, hook_event). */
		struct axd_amsg *m = amsg_by_id(s, f->msg);

		ev.u.event.msg = m != NULL ? axon__net_msg_tag(m->rcvid) : 0;
		if (ev.u.event.msg == 0) {
			return; /* replied already: void */
		}
	}
	ev.u.event.tid = f->u.event.tid;
	ev.u.event.notify = f->u.event.notify;
	ev.u.event.signo = f->u.event.signo;
	ev.u.event.prio = f->u.event.prio;
	ev.u.event.code = f->u.event.code;
	ev.u.event.value = f->u.event.value;
	rc = axon__net_deliver_event(c->scoid, &ev);
	if (rc < 0) {
		axd_fwd_note_refused(true, s, -rc);
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

/* Receiving in place (module.h, sink): a reply for one of our clients
 * goes straight into its reply area. */
static uint8_t *
fwdc_sink(struct axd_sess *s, const struct axon_wire_frame *h,
    void **ret_ref)
{
	if (h->type == AXON_W_MSGWRITE || h->type == AXON_W_MSGREPLY) {
		/* A reply for one of our clients: into its reply area. */
		struct axd_amsg *am = amsg_by_id(s, h->msg);
		uint8_t *p;

		if (am == NULL || am->conn->id != h->conn ||
		    axon__msg_write_peek(am->rcvid, h->offset, h->data_len,
			&p, ret_ref) < 0) {
			return NULL;
		}
		if (h->offset < am->rprog) {
			/* (Before it lands over what the client may have
			 * copied.) */
			amsg_landed(am, h->offset, h->data_len, true);
		}
		return p;
	}
	return NULL;
}

/* The client side's frames (the answers to what we sent); EPROTO for
 * any other type. */
static int
fwdc_frame(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_aconn *c;

	switch (f->type) {
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
	case AXON_W_RECEIVED: {
		/* The remote server took the message: its client is
		 * REPLY-blocked from now on (issue 10 item 5). */
		struct axd_amsg *am = amsg_by_id(s, f->msg);

		if (am != NULL && am->conn->id == f->conn) {
			(void) axon__net_received(am->rcvid);
		}
		break;
	}
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

static void
fwdc_session_up(struct axd_sess *s)
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

static void
fwdc_session_gone(struct axd_sess *s, int err)
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
}

static void
expire_waiting(struct axd_peer *p, uint64_t now, uint64_t cto)
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

static int
fwdc_start(void)
{
	struct epoll_event ev = {.events = EPOLLIN};

	chan_fd = axon__net_chan_fd(g.chid);
	if (chan_fd < 0) {
		return -EMFILE;
	}
	ev.data.u64 = AXD_TAG_CHAN;
	if (epoll_ctl(g.epfd, EPOLL_CTL_ADD, chan_fd, &ev) < 0) {
		return -errno;
	}
	return 0;
}

static void
fwdc_stop(void)
{
	/* Messages and pulses still waiting for a session fail now. */
	for (int nd = 1; nd <= g.npeers_hwm; nd++) {
		if (g.peers[nd] != NULL) {
			expire_waiting(g.peers[nd], UINT64_MAX, 0);
		}
	}
	/* The channel is destroyed: it is no longer watched. */
	if (chan_fd >= 0) {
		(void) epoll_ctl(g.epfd, EPOLL_CTL_DEL, chan_fd, NULL);
		chan_fd = -1;
	}
}

static void
fwdc_sink_done(void *ref)
{
	axon__msg_unpeek(ref);
}

/* Every tick: messages and pulses waiting too long for a session (the
 * connect timeout) fail. */
static void
fwdc_tick(uint64_t now)
{
	uint64_t cto = (uint64_t) g.cfg.connect_timeout_ms * 1000000u;

	for (int nd = 1; nd <= g.npeers_hwm; nd++) {
		if (g.peers[nd] != NULL) {
			expire_waiting(g.peers[nd], now, cto);
		}
	}
}

/* The channel is readable (its epoll event), or was left with more than
 * a batch: taken after the sessions' input (late). */
static bool chan_ready;

static void
fwdc_event(uint64_t tag, uint32_t events)
{
	(void) tag;
	(void) events;
	chan_ready = true;
}

static bool
fwdc_late(void)
{
	if (chan_ready || g.chan_poke) {
		bool all = g.chan_poke;

		g.chan_poke = false;
		chan_event(&chan_ready, all);
	}
	return chan_ready;
}

const struct axd_module axd_mod_fwd_client = {
	.name = "forward-client",
	.types = {AXON_W_CONNECT_SUCCESS, AXON_W_CONNECT_FAIL,
	    AXON_W_MSGREPLY, AXON_W_MSGREAD, AXON_W_MSGWRITE,
	    AXON_W_SERVER_GONE, AXON_W_EVENT, AXON_W_RECEIVED},
	.tags = AXD_TAG_CHAN,
	.start = fwdc_start,
	.stop = fwdc_stop,
	.session_up = fwdc_session_up,
	.session_gone = fwdc_session_gone,
	.frame = fwdc_frame,
	.sink = fwdc_sink,
	.sink_done = fwdc_sink_done,
	.tick = fwdc_tick,
	.event = fwdc_event,
	.late = fwdc_late,
};
