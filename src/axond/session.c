/* SPDX-License-Identifier: MIT */
/*
 * axond's session layer: TCP sessions, the handshake (HELLO, AUTH),
 * dialling (host names resolved off the loop), keep-alive, and the
 * frames in, each handed to the module that owns its type (module.h).
 * The peer table is peer.c, the AUTH proof auth.c, the output
 * (buffers, streams, flushing) output.c, logging log.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>


#include <sys/netmgr.h>

#include "axond.h"
#include "auth.h"
#include "metrics.h"
#include "session.h"
#include "link.h"
#include "module.h"

struct axd_global g;

/* ---- sessions ---- */

static struct axd_sess *
sess_new(int fd, bool outgoing)
{
	struct axd_sess *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		return NULL;
	}
	s->id = ++g.next_sess_id;
	s->fd = fd;
	s->outgoing = outgoing;
	s->st_tail = &s->st_head;
	s->started = s->last_rx = s->last_tx = axd_now();
	if (getrandom(&s->nonce, sizeof(s->nonce), 0) != sizeof(s->nonce)) {
		s->nonce = s->started ^ (uint64_t) getpid();
	}
	s->next = g.sessions;
	g.sessions = s;
	return s;
}

struct axd_sess *
axd_sess_by_id(uint64_t id)
{
	for (struct axd_sess *s = g.sessions; s != NULL; s = s->next) {
		if (s->id == id) {
			return s;
		}
	}
	return NULL;
}

static void
sess_free(struct axd_sess *s)
{
	struct axd_sess **pp;

	for (pp = &g.sessions; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	axd_sess_dirty_remove(s);
	free(s->in);
	free(s->out.buf);
	free(s);
}

/*
 * Ends a session: everything in flight on it fails (clients of this node
 * get err; virtual clients of the peer's nodes go away, as dead clients
 * do).  The peer is dialled again later if it is configured.
 */
void
axd_sess_close(struct axd_sess *s, int err, const char *why)
{
	struct axd_peer *p = s->peer;

	if (s->state == S_DEAD) {
		return;
	}
	axd_metrics_session_end(s);
	bool was_up = s->state == S_UP;
	s->state = S_DEAD;
	if (p != NULL) {
		axd_log(was_up ? AXD_WARN : AXD_INFO, "session with %s %s: %s",
		    p->name, was_up ? "lost" : "not established", why);
	} else {
		axd_log(AXD_INFO, "session %s: %s",
		    s->peer_name[0] ? s->peer_name : "(unidentified)", why);
	}
	if (s->fd >= 0) {
		(void) epoll_ctl(g.epfd, EPOLL_CTL_DEL, s->fd, NULL);
		axd_link_close(s);
		(void) close(s->fd);
		s->fd = -1;
	}
	if (s->sink_ref != NULL) {
		s->sink_mod->sink_done(s->sink_ref);
		s->sink_ref = NULL;
		s->sink_left = 0;
	}
	/* What was in flight on it fails in axd_reap(): callers up the
	 * stack may still hold those messages and connections. */
	s->close_err = err;
	if (p != NULL) {
		if (p->sess == s) {
			axd_mod_session_lost(s); /* its names go */
			p->sess = NULL;
			p->was_up = true;
		}
		if (p->dialing == s) {
			p->dialing = NULL;
		}
		if (p->sess == NULL) {
			/* The next address of this round at once; after the
			 * last one, a new round (resolved again) later. */
			bool more = !was_up && s->outgoing &&
			    p->dial_i < p->dial_n;

			axd_peer_set_state(p, p->dialing != NULL || more
					      ? PEER_CONNECTING
					      : PEER_DOWN);
			p->next_dial = axd_now() + (more ? 0 : 500000000ull);
		}
	}
	/* Freed by axd_reap(), once no caller up the stack can hold it. */
}

void
axd_reap(void)
{
	struct axd_sess *s = g.sessions;

	while (s != NULL) {
		struct axd_sess *next = s->next;

		if (s->state == S_DEAD) {
			axd_mod_session_gone(s, s->close_err);
			/* Streams left point nowhere now. */
			s->st_head = NULL;
			s->st_tail = &s->st_head;
			sess_free(s);
		}
		s = next;
	}
}

static void
send_hello(struct axd_sess *s)
{
	struct axon_wire_frame f;

	memset(&f, 0, sizeof(f));
	f.type = AXON_W_HELLO;
	f.u.hello.proto_min = AXON_WIRE_VERSION;
	f.u.hello.proto_max = AXON_WIRE_VERSION;
	f.u.hello.nonce = s->nonce;
	snprintf(f.u.hello.node, sizeof(f.u.hello.node), "%s", g.cfg.node);
	(void) axd_send_frame(s, &f);
	s->hello_sent = true;
}

static void
send_bye(struct axd_sess *s, int reason)
{
	struct axon_wire_frame f;

	memset(&f, 0, sizeof(f));
	f.type = AXON_W_BYE;
	f.u.bye.reason = axon__wire_errno_out(reason);
	(void) axd_send_frame(s, &f);
	if (s->out.len > s->out.off && s->state != S_TLS &&
	    s->state != S_CONNECTING) {
		(void) axd_link_send(s, s->out.buf + s->out.off,
		    axd_obuf_queued(&s->out));
	}
}

static void
sess_up(struct axd_sess *s)
{
	struct axd_peer *p = s->peer;

	s->state = S_UP;
	if (p->dialing == s) {
		p->dialing = NULL;
	}
	if (p->sess != NULL && p->sess != s) {
		/* The peer started over (it restarted, or its end of the
		 * old session died first): the new session wins. */
		axd_sess_close(p->sess, EHOSTUNREACH, "replaced");
	}
	if (p->dialing != NULL) {
		struct axd_sess *d = p->dialing;

		p->dialing = NULL;
		axd_sess_close(d, EHOSTUNREACH, "the peer's session won");
	}
	p->sess = s;
	p->dial_n = p->dial_i = 0; /* the next round resolves again */
	p->hidden = false;
	axd_peer_set_state(p, PEER_UP);
	/* Tell the peer how we name it, for its netmgr_remote_nd(). */
	struct axon_wire_frame ni;
	memset(&ni, 0, sizeof(ni));
	ni.type = AXON_W_NODEINFO;
	ni.u.nodeinfo.your_nd = (uint32_t) p->nd;
	(void) axd_send_frame(s, &ni);
	char how[128];
	axd_log(AXD_INFO, "session with %s up (%s, %s)", p->name,
	    s->outgoing ? "outgoing" : "incoming",
	    axd_link_describe(s, how, sizeof(how)));
	/* Messages waiting for it, our global names, ps and spawn. */
	axd_mod_session_up(s);
}

/* A HELLO from the peer: who it is.  Returns 0 or an errno to close with. */
static int
on_hello(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_peer *p;

	if (s->hello_got) {
		return EPROTO;
	}
	if (f->u.hello.proto_min > AXON_WIRE_VERSION ||
	    f->u.hello.proto_max < AXON_WIRE_VERSION) {
		axd_log(AXD_WARN, "%s speaks protocol %u-%u, we speak %u",
		    f->u.hello.node, f->u.hello.proto_min,
		    f->u.hello.proto_max, AXON_WIRE_VERSION);
		return EPROTONOSUPPORT;
	}
	if (!axond_name_valid(f->u.hello.node) ||
	    strcmp(f->u.hello.node, g.cfg.node) == 0) {
		return EINVAL;
	}
	if (axd_link_check_peer(s, f->u.hello.node) < 0) {
		return EACCES; /* its certificate names another node */
	}
	s->hello_got = true;
	s->peer_nonce = f->u.hello.nonce;
	snprintf(s->peer_name, sizeof(s->peer_name), "%s", f->u.hello.node);
	if (s->outgoing) {
		if (strcmp(s->peer_name, s->peer->name) != 0) {
			axd_log(AXD_WARN, "%s:%s is node %s, not %s",
			    s->peer->addr.host, s->peer->addr.port,
			    s->peer_name, s->peer->name);
			return EINVAL;
		}
	} else {
		p = axd_peer_by_name(s->peer_name);
		if (p == NULL) {
			/* A node we do not know: it joins the table once it
			 * has proved the cluster secret (AUTH). */
			send_hello(s);
			goto auth;
		}
		/*
		 * One session per node pair.  When two exist, both ends keep
		 * the same one: the one opened by the node with the lower
		 * name, or of two opened by the same node, the newer (that
		 * node would not open another unless it lost the first).
		 */
		bool lower = strcmp(g.cfg.node, p->name) < 0;

		if (p->dialing != NULL && p->dialing->state != S_DEAD) {
			if (lower) {
				return EALREADY;
			}
			axd_sess_close(p->dialing, EHOSTUNREACH,
			    "the peer's session won");
		}
		if (p->sess != NULL && p->sess->state == S_UP &&
		    p->sess->outgoing && lower) {
			return EALREADY;
		}
		for (struct axd_sess *o = g.sessions; o != NULL; o = o->next) {
			if (o != s && o->state != S_DEAD && o->state != S_UP &&
			    !o->outgoing && o->peer == p) {
				axd_sess_close(o, EHOSTUNREACH, "superseded");
			}
		}
		s->peer = p;
		send_hello(s);
	}
auth:
	s->state = S_AUTH;
	struct axon_wire_frame a;
	memset(&a, 0, sizeof(a));
	a.type = AXON_W_AUTH;
	axd_auth_mac(s, true, a.u.auth.mac);
	(void) axd_send_frame(s, &a);
	return 0;
}

static int
on_session_frame(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axon_wire_frame r;

	switch (f->type) {
	case AXON_W_HELLO:
		return on_hello(s, f);
	case AXON_W_AUTH: {
		if (!s->hello_got || s->auth_ok_sent) {
			return EPROTO;
		}
		if (axd_auth_check(s, f->u.auth.mac) < 0) {
			return EACCES;
		}
		if (s->peer == NULL) {
			struct axd_peer *p = axd_peer_by_name(s->peer_name);

			if (p == NULL) {
				p = axd_peer_add(s->peer_name, NULL);
			}
			if (p == NULL) {
				return ENOMEM;
			}
			s->peer = p;
		}
		memset(&r, 0, sizeof(r));
		r.type = AXON_W_AUTH_OK;
		(void) axd_send_frame(s, &r);
		s->auth_ok_sent = true;
		break;
	}
	case AXON_W_AUTH_OK:
		if (!s->hello_got || s->auth_ok_got) {
			return EPROTO;
		}
		s->auth_ok_got = true;
		break;
	case AXON_W_PING:
		memset(&r, 0, sizeof(r));
		r.type = AXON_W_PONG;
		r.u.ping.stamp = f->u.ping.stamp;
		(void) axd_send_frame(s, &r);
		return 0;
	case AXON_W_PONG:
		if (f->u.ping.stamp == s->ping_sent && s->peer != NULL) {
			s->peer->rtt_ns = axd_now() - s->ping_sent;
			s->ping_sent = 0;
		}
		return 0;
	case AXON_W_NODEINFO:
		if (s->state != S_UP) {
			return EPROTO;
		}
		if (s->peer->peer_nd != (int) f->u.nodeinfo.your_nd) {
			s->peer->peer_nd = (int) f->u.nodeinfo.your_nd;
			g.nodes_dirty = true;
		}
		return 0;
	case AXON_W_BYE:
		return axon__wire_errno_in(f->u.bye.reason) == EACCES
		    ? EACCES
		    : ECONNRESET;
	default:
		return EPROTO;
	}
	if (s->state == S_AUTH && s->auth_ok_sent && s->auth_ok_got) {
		sess_up(s);
	}
	return 0;
}

/* Handles one decoded frame of n bytes.  Returns false if the session
 * ended. */
static bool
sess_dispatch(struct axd_sess *s, const struct axon_wire_frame *f, size_t n)
{
	int err;

	s->last_rx = axd_now();
	if (s->peer != NULL) {
		s->peer->rx_frames++;
		s->peer->rx_bytes += (uint64_t) n;
	}
	const struct axd_module *m = axd_mod_owner(f->type);

	if (m == NULL && f->type < AXON_W_CONNECT_CRED) {
		err = on_session_frame(s, f);
	} else if (s->state != S_UP) {
		/* nothing flows before AUTH_OK */
		err = f->type < AXON_W_CONNECT_CRED ? EPROTO : EACCES;
	} else if (m != NULL) {
		err = m->frame(s, f); /* forwarding, names, services */
	} else {
		err = EPROTO;
	}
	if (err != 0) {
		if (err != ECONNRESET) {
			send_bye(s, err);
		}
		axd_sess_close(s, err == ECONNRESET ? EHOSTUNREACH : err,
		    err == EACCES     ? "authentication failed"
		    : err == EPROTO   ? "protocol error"
		    : err == EALREADY ? "duplicate session"
				      : strerror(err));
		return false;
	}
	return s->state != S_DEAD;
}

/* Data frames at least this large whose data has not all arrived are
 * received in place (module.h, sink). */
#define SINK_MIN 16384u
/* What is read of the stream, after a large frame, before the next
 * frame's head is known: a head and a little more. */
#define RX_HEAD (AXON_WIRE_HDR_SIZE + 256u)

/* Decodes and handles every whole frame in the input buffer; the data
 * of a large frame still arriving goes straight where it belongs. */
static void
sess_input(struct axd_sess *s)
{
	size_t off = 0;

	while (s->state != S_DEAD && off < s->in_len) {
		struct axon_wire_frame f;
		long n;

		if (s->state == S_UP) {
			long hn = axon__wire_decode_head(s->in + off,
			    s->in_len - off, &f);
			size_t have = hn > 0 ? s->in_len - off - (size_t) hn : 0;

			if (hn > 0 && f.data_len >= SINK_MIN &&
			    have < f.data_len) {
				const struct axd_module *m =
				    axd_mod_owner(f.type);
				void *ref = NULL;
				uint8_t *dst = m != NULL && m->sink != NULL
				    ? m->sink(s, &f, &ref)
				    : NULL;

				if (dst != NULL) {
					memcpy(dst, s->in + off + hn, have);
					s->sink = dst + have;
					s->sink_left = f.data_len - have;
					s->sink_ref = ref;
					s->sink_mod = m;
					f.data = dst;
					s->sink_frame = f;
					s->sink_size = (size_t) hn + f.data_len;
					s->rx_big = true;
					off = s->in_len;
					break;
				}
			}
		}
		n = axon__wire_decode(s->in + off, s->in_len - off, &f);
		if (n == 0) {
			break;
		}
		if (n < 0 && s->ssl == NULL && s->state == S_HELLO &&
		    off == 0 && s->in[0] == 0x16) {
			axd_log(AXD_WARN, "a peer speaks TLS to this node, "
			    "which runs --insecure: dropped");
			axd_sess_close(s, EHOSTUNREACH, "TLS on an insecure "
			    "node");
			return;
		}
		if (n < 0) {
			axd_log(AXD_WARN, "malformed frame from %s: dropped",
			    s->peer_name[0] ? s->peer_name : "a peer");
			send_bye(s, EPROTO);
			axd_sess_close(s, EHOSTUNREACH, "malformed frame");
			return;
		}
		off += (size_t) n;
		s->rx_big = f.data_len >= SINK_MIN;
		if (!sess_dispatch(s, &f, (size_t) n)) {
			return;
		}
	}
	if (s->state == S_DEAD) {
		return;
	}
	memmove(s->in, s->in + off, s->in_len - off);
	s->in_len -= off;
}

/* Why a session's input ended: n is what axd_link_recv returned. */
static const char *
input_end(ssize_t n)
{
	return n == 0		 ? "closed by the peer"
	    : n == -EBADMSG ? "TLS record refused (altered, injected or "
			      "replayed bytes)"
			    : strerror((int) -n);
}

/* The rest of an in-place frame's data, straight from the stream.
 * Returns 1 when it is complete (and handled) or when TLS holds more of
 * it, 0 if more is to come from the socket, -1 if the session ended. */
static int
sess_sink(struct axd_sess *s)
{
	/* A plain session reads the next frame's head (RX_HEAD, as
	 * axd_sess_readable would next) in the same call: the input
	 * buffer is empty while a frame is sunk (sess_input). */
	size_t more = s->ssl == NULL && s->in_len == 0 &&
	    s->in_cap >= RX_HEAD ? RX_HEAD : 0;
	size_t want = s->sink_left + more;
	ssize_t n = axd_link_recv2(s, s->sink, s->sink_left, s->in, more);
	size_t extra = 0;

	if (n == -EINTR || n == -EAGAIN) {
		return 0;
	}
	if (n <= 0) {
		axd_sess_close(s, EHOSTUNREACH, input_end(n));
		return -1;
	}
	if ((size_t) n > s->sink_left) {
		extra = (size_t) n - s->sink_left;
		n = (ssize_t) s->sink_left;
	}
	s->sink += n;
	s->sink_left -= (size_t) n;
	if (s->sink_left > 0) {
		return axd_link_pending(s) ? 1 : 0;
	}
	struct axon_wire_frame f = s->sink_frame;
	void *ref = s->sink_ref;
	const struct axd_module *m = s->sink_mod;

	s->sink = NULL;
	s->sink_ref = NULL;
	s->inplace = true;
	bool up = sess_dispatch(s, &f, s->sink_size);
	s->inplace = false;
	m->sink_done(ref);
	if (!up) {
		return -1;
	}
	if (extra > 0) {
		/* The next frame's head (and perhaps more): on, as if
		 * read by axd_sess_readable. */
		s->in_len = extra;
		sess_input(s);
		if (s->state == S_DEAD) {
			return -1;
		}
	}
	/* Less than asked for: the socket is drained. */
	return more > 0 && (size_t) extra + (size_t) n < want ? 0 : 1;
}

/*
 * Drives the TLS handshake.  Once it is done, axond's own handshake
 * starts (the dialling side sends HELLO).  Returns false if the session
 * ended.
 */
static bool
sess_tls_step(struct axd_sess *s)
{
	int rc = axd_link_handshake(s);

	if (rc < 0) {
		axd_sess_close(s, EHOSTDOWN, "TLS handshake failed");
		return false;
	}
	if (rc > 0) {
		s->state = S_HELLO;
		if (s->outgoing) {
			send_hello(s);
		}
	}
	axd_sess_events(s);
	return true;
}

void
axd_sess_readable(struct axd_sess *s)
{
	int rounds;

	s->again = false;
	if (s->state == S_TLS && (!sess_tls_step(s) || s->state == S_TLS)) {
		return;
	}
	for (rounds = 0; rounds < 16 && s->state != S_DEAD; rounds++) {
		if (s->sink_left > 0) {
			int r = sess_sink(s);

			if (r < 0) {
				return;
			}
			if (r == 0) {
				break;
			}
			continue;
		}
		if (s->in_cap - s->in_len < 65536) {
			size_t cap = s->in_cap ? s->in_cap * 2 : 262144;
			uint8_t *n;

			if (cap > 4 * (AXON_WIRE_HDR_SIZE + AXON_WIRE_MAX_BODY)) {
				cap = 4 * (AXON_WIRE_HDR_SIZE +
					      AXON_WIRE_MAX_BODY);
			}
			if (cap <= s->in_cap) {
				/* A frame never needs more than this. */
				axd_sess_close(s, EHOSTUNREACH, "input overrun");
				return;
			}
			n = realloc(s->in, cap);
			if (n == NULL) {
				axd_sess_close(s, EHOSTUNREACH, "out of memory");
				return;
			}
			s->in = n;
			s->in_cap = cap;
		}
		size_t room = s->in_cap - s->in_len;

		if (s->rx_big && s->in_len == 0 && room > RX_HEAD) {
			/* Large frames are coming: read the next one's head
			 * alone, so that its data is received in place
			 * (sess_input) rather than here and copied. */
			room = RX_HEAD;
		}
		ssize_t n = axd_link_recv(s, s->in + s->in_len, room);
		if (n == -EINTR) {
			continue;
		}
		if (n == -EAGAIN) {
			break;
		}
		if (n <= 0) {
			axd_sess_close(s, EHOSTUNREACH, input_end(n));
			return;
		}
		s->in_len += (size_t) n;
		sess_input(s);
		/* Drained: spare the recv that says so.  TLS returns a
		 * record at a time; what it holds beyond is pending. */
		if (s->sink_left == 0 &&
		    (s->ssl != NULL ? !axd_link_pending(s) : (size_t) n < room)) {
			break;
		}
	}
	if (s->state == S_DEAD) {
		return;
	}
	if (rounds == 16 && axd_link_pending(s)) {
		/* The socket may be empty while TLS holds input: epoll
		 * would not report it, so the main loop comes back. */
		s->again = true;
		g.sess_again = true;
	}
	axd_flush(s);
}

void
axd_sess_writable(struct axd_sess *s)
{
	if (s->state == S_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 ||
		    err != 0) {
			axd_sess_close(s, EHOSTDOWN,
			    err ? strerror(err) : "connect failed");
			return;
		}
		s->want_out = false;
		if (axd_link_tls()) {
			s->state = S_TLS;
			if (axd_link_start(s) < 0) {
				axd_sess_close(s, EHOSTDOWN, "out of memory");
				return;
			}
		} else {
			s->state = S_HELLO;
			send_hello(s);
		}
	}
	if (s->state == S_TLS) {
		if (sess_tls_step(s) && s->state == S_HELLO) {
			axd_sess_readable(s); /* the peer may have spoken */
		}
		return;
	}
	axd_flush(s);
}

static void
sock_setup(int fd)
{
	int one = 1;

	(void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int
sess_watch(struct axd_sess *s, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.u64 = s->id};

	s->events = events;
	return epoll_ctl(g.epfd, EPOLL_CTL_ADD, s->fd, &ev);
}

/*
 * Resolving host names, off the loop: getaddrinfo may block for as long
 * as the resolver's timeouts, so each resolution runs on a thread of its
 * own (one per peer at most, AXD_MAX_RESOLVING at once) and hands its
 * result to the loop through a list and an eventfd (AXD_TAG_RESOLVED),
 * as the connect threads of fwd_server.c do.  Peers are never freed, so a
 * job names its peer by nd.
 */
#define AXD_MAX_RESOLVING 64

struct rjob {
	struct rjob *next;
	int nd;
	char host[256];
	char port[8];
	int rc;                   /* getaddrinfo's */
	int n;
	struct sockaddr_storage sa[AXD_PEER_ADDRS];
	socklen_t salen[AXD_PEER_ADDRS];
};

static pthread_mutex_t rdone_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rjob *rdone_head;
static int rdone_fd = -1;
static int n_resolving;

/* Fills the job's addresses from getaddrinfo (TCP, in its order). */
static void
rjob_resolve(struct rjob *j, int flags)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = flags | AI_NUMERICSERV,
	};
	struct addrinfo *ai = NULL;

	j->n = 0;
	j->rc = getaddrinfo(j->host, j->port, &hints, &ai);
	for (struct addrinfo *a = ai; j->rc == 0 && a != NULL &&
	     j->n < AXD_PEER_ADDRS; a = a->ai_next) {
		if (a->ai_addrlen > sizeof(j->sa[0]) ||
		    (a->ai_family != AF_INET && a->ai_family != AF_INET6)) {
			continue;
		}
		memcpy(&j->sa[j->n], a->ai_addr, a->ai_addrlen);
		j->salen[j->n++] = a->ai_addrlen;
	}
	if (ai != NULL) {
		freeaddrinfo(ai);
	}
	if (j->rc == 0 && j->n == 0) {
		j->rc = EAI_NONAME;
	}
}

static void *
resolve_main(void *arg)
{
	struct rjob *j = arg;
	bool first;

	rjob_resolve(j, 0);
	pthread_mutex_lock(&rdone_lock);
	first = rdone_head == NULL;
	j->next = rdone_head;
	rdone_head = j;
	pthread_mutex_unlock(&rdone_lock);
	if (first) {
		uint64_t one = 1;

		(void) !write(rdone_fd, &one, sizeof(one));
	}
	return NULL;
}

int
axd_resolve_start(void)
{
	struct epoll_event ev = {.events = EPOLLIN,
	    .data.u64 = AXD_TAG_RESOLVED};

	rdone_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (rdone_fd < 0 || epoll_ctl(g.epfd, EPOLL_CTL_ADD, rdone_fd,
	    &ev) < 0) {
		return -1;
	}
	return 0;
}

/* The first address of a list, as text, for the log. */
static void
sa_text(const struct sockaddr_storage *sa, char *buf, size_t len)
{
	const void *a = sa->ss_family == AF_INET6
	    ? (const void *) &((const struct sockaddr_in6 *) sa)->sin6_addr
	    : (const void *) &((const struct sockaddr_in *) sa)->sin_addr;

	if (inet_ntop(sa->ss_family, a, buf, (socklen_t) len) == NULL) {
		snprintf(buf, len, "?");
	}
}

static void dial_next(struct axd_peer *p);

/* A resolution is done (on the loop): its addresses are this round's. */
static void
resolve_done(struct rjob *j)
{
	struct axd_peer *p = g.peers[j->nd];
	char first[64];

	n_resolving--;
	if (p == NULL) {
		return;
	}
	p->resolving = false;
	if (!p->has_addr || strcmp(p->addr.host, j->host) != 0 ||
	    strcmp(p->addr.port, j->port) != 0) {
		/* Its address changed meanwhile (reload): dial again. */
		p->next_dial = 0;
		return;
	}
	if (j->rc != 0) {
		/* Said once at warn, then at debug until it resolves. */
		axd_log(p->resolve_failed ? AXD_DEBUG : AXD_WARN,
		    "peer %s: cannot resolve %s: %s", p->name, p->addr.host,
		    j->rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(j->rc));
		p->resolve_failed = true;
		p->resolved[0] = '\0';
		if (p->sess == NULL && p->dialing == NULL) {
			axd_peer_set_state(p, PEER_DOWN);
		}
		return;
	}
	sa_text(&j->sa[0], first, sizeof(first));
	if (p->resolve_failed || strcmp(first, p->resolved) != 0) {
		axd_log(AXD_INFO, "peer %s: %s resolves to %s%s (%d "
				  "address%s)", p->name, p->addr.host, first,
		    p->resolved[0] != '\0' ? " now" : "", j->n,
		    j->n == 1 ? "" : "es");
	}
	p->resolve_failed = false;
	snprintf(p->resolved, sizeof(p->resolved), "%s", first);
	memcpy(p->dial_sa, j->sa, sizeof(j->sa));
	memcpy(p->dial_salen, j->salen, sizeof(j->salen));
	p->dial_n = j->n;
	p->dial_i = 0;
	dial_next(p);
}

/* The eventfd of finished resolutions is readable. */
void
axd_resolve_event(void)
{
	uint64_t x;
	struct rjob *j;

	(void) !read(rdone_fd, &x, sizeof(x));
	pthread_mutex_lock(&rdone_lock);
	j = rdone_head;
	rdone_head = NULL;
	pthread_mutex_unlock(&rdone_lock);
	while (j != NULL) {
		struct rjob *next = j->next;

		resolve_done(j);
		free(j);
		j = next;
	}
}

/* Connects to the next address of this round (non-blocking); when none
 * is left, the round ends and the next one is about a second later. */
static void
dial_next(struct axd_peer *p)
{
	struct axd_sess *s;
	int fd = -1;

	if (p->sess != NULL || p->dialing != NULL) {
		return;
	}
	while (p->dial_i < p->dial_n) {
		int i = p->dial_i++;

		fd = socket(p->dial_sa[i].ss_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			continue;
		}
		sock_setup(fd);
		if (connect(fd, (struct sockaddr *) &p->dial_sa[i],
			p->dial_salen[i]) == 0 || errno == EINPROGRESS) {
			break;
		}
		axd_log(AXD_DEBUG, "connect to %s: %s", p->name,
		    strerror(errno));
		(void) close(fd);
		fd = -1;
	}
	if (fd < 0) {
		if (p->state == PEER_CONNECTING) {
			axd_peer_set_state(p, PEER_DOWN);
		}
		return;
	}
	s = sess_new(fd, true);
	if (s == NULL) {
		(void) close(fd);
		return;
	}
	s->peer = p;
	snprintf(s->peer_name, sizeof(s->peer_name), "%s", p->name);
	s->state = S_CONNECTING;
	p->dialing = s;
	if (p->state == PEER_DOWN) {
		axd_peer_set_state(p, PEER_CONNECTING);
	}
	s->want_out = true;
	if (sess_watch(s, EPOLLIN | EPOLLOUT) < 0) {
		axd_sess_close(s, EHOSTDOWN, "epoll");
	}
}

/*
 * Opens a session to p, unless one exists or is being opened: the next
 * address of this round, or a new round.  A round starts by resolving
 * the peer's host: at once for a numeric address, on a resolver thread
 * for a name (the dial goes on when it is done), so that a name that
 * moved is followed at each reconnection.
 */
void
axd_dial(struct axd_peer *p)
{
	struct rjob *j;
	pthread_attr_t attr;
	pthread_t th;

	if (!p->has_addr || p->hidden || p->sess != NULL ||
	    p->dialing != NULL || p->resolving) {
		return;
	}
	for (struct axd_sess *o = g.sessions; o != NULL; o = o->next) {
		if (o->state != S_DEAD && o->peer == p) {
			return; /* the peer is opening one to us */
		}
	}
	p->next_dial = axd_now() + 1000000000ull;
	if (p->dial_i < p->dial_n) {
		dial_next(p);
		return;
	}
	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		return;
	}
	j->nd = p->nd;
	snprintf(j->host, sizeof(j->host), "%s", p->addr.host);
	snprintf(j->port, sizeof(j->port), "%s", p->addr.port);
	if (axd_host_numeric(p->addr.host)) {
		rjob_resolve(j, AI_NUMERICHOST); /* never blocks */
		n_resolving++;
		p->resolving = true;
		resolve_done(j);
		free(j);
		return;
	}
	if (n_resolving >= AXD_MAX_RESOLVING || rdone_fd < 0) {
		free(j);
		return; /* again at the next tick that may dial */
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, resolve_main, j) != 0) {
		pthread_attr_destroy(&attr);
		free(j);
		return;
	}
	pthread_attr_destroy(&attr);
	n_resolving++;
	p->resolving = true;
	if (p->state == PEER_DOWN) {
		axd_peer_set_state(p, PEER_CONNECTING);
	}
}

void
axd_accept(int lfd)
{
	for (int i = 0; i < 64; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct axd_sess *s;

		if (fd < 0) {
			return;
		}
		sock_setup(fd);
		s = sess_new(fd, false);
		if (s == NULL) {
			(void) close(fd);
			continue;
		}
		s->state = axd_link_tls() ? S_TLS : S_HELLO;
		if (axd_link_start(s) < 0 || sess_watch(s, EPOLLIN) < 0) {
			axd_sess_close(s, EHOSTUNREACH, "out of memory");
		}
	}
}

/* Every tick: handshakes that take too long, silent peers, keep-alives,
 * dialling configured peers that are down, clients waiting too long for
 * a session. */
void
axd_tick(void)
{
	uint64_t now = axd_now();
	uint64_t ka = (uint64_t) g.cfg.keepalive_ms * 1000000u;
	uint64_t dead = (uint64_t) g.cfg.dead_after_ms * 1000000u;
	uint64_t cto = (uint64_t) g.cfg.connect_timeout_ms * 1000000u;
	struct axd_sess *s = g.sessions;

	while (s != NULL) {
		struct axd_sess *next = s->next;

		if (s->state != S_UP) {
			if (now - s->started > cto) {
				axd_sess_close(s, EHOSTDOWN,
				    "handshake timed out");
			}
		} else if (now - s->last_rx > dead) {
			axd_sess_close(s, EHOSTUNREACH, "peer silent");
		} else if ((now - s->last_rx > ka || now - s->last_tx > ka) &&
		    s->ping_sent == 0) {
			/* Also when we sent nothing for that long: a peer
			 * that only reads (a backlog of our frames, with our
			 * PING behind it) still hears from us, and does not
			 * take us for dead while it drains. */
			struct axon_wire_frame f;

			memset(&f, 0, sizeof(f));
			f.type = AXON_W_PING;
			f.u.ping.stamp = s->ping_sent = now;
			(void) axd_send_frame(s, &f);
			axd_flush(s);
		} else if (s->ping_sent != 0 && now - s->ping_sent > ka) {
			s->ping_sent = 0; /* ask again */
		}
		s = next;
	}
	for (int nd = 1; nd <= g.npeers_hwm; nd++) {
		struct axd_peer *p = g.peers[nd];

		if (p == NULL) {
			continue;
		}
		if (p->sess == NULL && p->dialing == NULL && p->has_addr &&
		    !p->resolving && !p->hidden && now >= p->next_dial) {
			axd_dial(p);
		}
	}
	axd_mod_tick(now);
	if (g.nodes_dirty) {
		axd_nodes_write();
	}
}

void
axd_sess_shutdown_all(void)
{
	for (struct axd_sess *s = g.sessions; s != NULL; s = s->next) {
		if (s->state == S_UP) {
			send_bye(s, 0);
		}
		axd_sess_close(s, EHOSTUNREACH, "shutting down");
	}
	axd_reap();
}
