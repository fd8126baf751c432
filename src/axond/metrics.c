/* SPDX-License-Identifier: MIT */
/*
 * axond's counters in the Prometheus text exposition format (metrics.h,
 * axond(8) "Metrics").
 *
 * A connection goes through three phases, each bounded: READ (the
 * request, until its blank line, at most MX_REQ_MAX bytes), WRITE (the
 * whole answer, made at once in memory) and DRAIN (our side shut down,
 * whatever the client still sends read and dropped until it closes, so
 * that the close does not reset an answer it has not read yet; at most
 * MX_DRAIN_MAX bytes, then it is closed).  The
 * deadline, MX_CONN_NS from the accept, covers all three.  Every answer
 * closes the connection (Connection: close): no keep-alive state.
 *
 * Requests: "METHOD SP TARGET SP HTTP/1.x" then header lines, each line
 * ending in CRLF (or LF alone), then a blank line.  GET and HEAD of
 * /metrics (a query string is ignored) get 200 (or 503 beyond
 * MX_RENDERS_PER_SEC in one second); of another target, 404; another
 * method, 405; a request line or header line that is not that
 * grammar, or a byte that is not printable ASCII or tab, 400; a request
 * longer than MX_REQ_MAX, 431.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "axond.h"
#include "session.h"
#include "metrics.h"
#include "module.h"

#ifndef AXON_VERSION
#define AXON_VERSION "0.1.0"
#endif

#define MX_CONNS    16
#define MX_REQ_MAX  4096
#define MX_CONN_NS  5000000000ull
#define MX_LISTEN   0xffffu

enum mx_phase { MX_FREE, MX_READ, MX_WRITE, MX_DRAIN };

struct mx_conn {
	int fd;
	enum mx_phase phase;
	uint32_t gen;
	uint64_t deadline;
	char in[MX_REQ_MAX];
	size_t in_len;
	char *out;
	size_t out_len, out_off;
	size_t drained;           /* bytes read and dropped in DRAIN */
};

/* Per peer, by nd (nds are never reused for another node). */
struct mx_peer {
	uint64_t refused_pulses, refused_events;
	uint64_t sess_lost, sess_failed;
};

enum mx_code { C200, C400, C404, C405, C431, C503, NCODES };

static const int code_num[NCODES] = {200, 400, 404, 405, 431, 503};
static const char *const code_text[NCODES] = {
	"OK", "Bad Request", "Not Found", "Method Not Allowed",
	"Request Header Fields Too Large", "Service Unavailable",
};

/* Counters made at most this many times a second: beyond, 503 with
 * Retry-After (no pass over the peers).  A Prometheus server scrapes
 * once every few seconds; a client that asks without pause must not
 * take the loop's time from the messages. */
#define MX_RENDERS_PER_SEC 20

static struct {
	int lfd;
	uint32_t gen;
	struct mx_conn c[MX_CONNS];
	int nconns;
	struct mx_peer peer[ND_NODE_MASK + 1];
	uint64_t refused_pulses, refused_events; /* the node's, all peers */
	uint64_t answers[NCODES];
	uint64_t rejected;      /* accepted and closed: no slot */
	uint64_t timed_out;     /* closed at their deadline */
	uint64_t window;        /* the second of the renders counted */
	unsigned renders;       /* in that second */
	double start_time;      /* seconds since the epoch */
} mx = {.lfd = -1};

void
axd_metrics_refused(const struct axd_peer *p, bool event)
{
	if (event) {
		mx.refused_events++;
	} else {
		mx.refused_pulses++;
	}
	if (p != NULL && p->nd > 0 && p->nd <= (int) ND_NODE_MASK) {
		if (event) {
			mx.peer[p->nd].refused_events++;
		} else {
			mx.peer[p->nd].refused_pulses++;
		}
	}
}

void
axd_metrics_session_end(const struct axd_sess *s)
{
	const struct axd_peer *p = s->peer;

	if (s->state == S_DEAD || p == NULL || p->nd <= 0 ||
	    p->nd > (int) ND_NODE_MASK) {
		return;
	}
	if (s->state == S_UP) {
		mx.peer[p->nd].sess_lost++;
	} else if (p->sess == NULL || p->sess == s ||
	    p->sess->state != S_UP) {
		mx.peer[p->nd].sess_failed++;
	}
}

/* ---- The exposition ---- */

static void
head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: node names are [A-Za-z0-9_-], but the format's escapes
 * are kept all the same. */
static void
label(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"') {
			fputc('\\', f);
			fputc(*s, f);
		} else if (*s == '\n') {
			fputs("\\n", f);
		} else {
			fputc(*s, f);
		}
	}
}

static void
peer_sample(FILE *f, const char *name, const struct axd_peer *p,
    const char *extra, unsigned long long v)
{
	fprintf(f, "%s{peer=\"", name);
	label(f, p->name);
	fprintf(f, "\"%s} %llu\n", extra, v);
}

/* The peers listed, in nd order: known and not hidden (as `axon
 * nodes`). */
#define FOR_PEERS(p)                                                     \
	for (int nd_ = 1; nd_ <= g.npeers_hwm; nd_++)                    \
		for (const struct axd_peer *p = g.peers[nd_];            \
		     p != NULL && !p->hidden; p = NULL)

static int
render(char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	int npeers = 0, nsess = 0;

	if (f == NULL) {
		return -ENOMEM;
	}
	FOR_PEERS(p) {
		npeers++;
	}
	for (const struct axd_sess *s = g.sessions; s != NULL; s = s->next) {
		nsess += s->state == S_UP;
	}
	head(f, "axond_info", "gauge",
	    "This node's name and axond's version (always 1).");
	fprintf(f, "axond_info{node=\"");
	label(f, g.cfg.node);
	fprintf(f, "\",version=\"%s\"} 1\n", AXON_VERSION);
	head(f, "axond_start_time_seconds", "gauge",
	    "When axond started, in seconds since the epoch.");
	fprintf(f, "axond_start_time_seconds %.3f\n", mx.start_time);
	head(f, "axond_peers", "gauge", "Nodes this node knows.");
	fprintf(f, "axond_peers %d\n", npeers);
	head(f, "axond_sessions_up", "gauge", "Sessions up with peers.");
	fprintf(f, "axond_sessions_up %d\n", nsess);
	head(f, "axond_refused_total", "counter",
	    "Pulses and events from other nodes this node could not "
	    "deliver.");
	fprintf(f, "axond_refused_total{kind=\"pulse\"} %llu\n",
	    (unsigned long long) mx.refused_pulses);
	fprintf(f, "axond_refused_total{kind=\"event\"} %llu\n",
	    (unsigned long long) mx.refused_events);

	head(f, "axond_peer_up", "gauge",
	    "1 if the session with the peer is up, else 0.");
	FOR_PEERS(p) {
		peer_sample(f, "axond_peer_up", p, "", p->state == PEER_UP);
	}
	head(f, "axond_peer_state", "gauge",
	    "The peer's session state: 1 for the current one.");
	FOR_PEERS(p) {
		static const char *const st[] = {"down", "connecting", "up"};
		const char *cur = axd_peer_state_name(p);

		for (size_t i = 0; i < 3; i++) {
			char extra[32];

			snprintf(extra, sizeof(extra), ",state=\"%s\"", st[i]);
			peer_sample(f, "axond_peer_state", p, extra,
			    strcmp(cur, st[i]) == 0);
		}
	}
	head(f, "axond_peer_frames_sent_total", "counter",
	    "Frames sent to the peer.");
	FOR_PEERS(p) {
		peer_sample(f, "axond_peer_frames_sent_total", p, "",
		    p->tx_frames);
	}
	head(f, "axond_peer_frames_received_total", "counter",
	    "Frames received from the peer.");
	FOR_PEERS(p) {
		peer_sample(f, "axond_peer_frames_received_total", p, "",
		    p->rx_frames);
	}
	head(f, "axond_peer_bytes_sent_total", "counter",
	    "Bytes of frames sent to the peer (before TLS).");
	FOR_PEERS(p) {
		peer_sample(f, "axond_peer_bytes_sent_total", p, "",
		    p->tx_bytes);
	}
	head(f, "axond_peer_bytes_received_total", "counter",
	    "Bytes of frames received from the peer (after TLS).");
	FOR_PEERS(p) {
		peer_sample(f, "axond_peer_bytes_received_total", p, "",
		    p->rx_bytes);
	}
	head(f, "axond_peer_rtt_seconds", "gauge",
	    "The last keepalive round trip to the peer (absent before "
	    "the first).");
	FOR_PEERS(p) {
		if (p->rtt_ns != 0) {
			fprintf(f, "axond_peer_rtt_seconds{peer=\"");
			label(f, p->name);
			fprintf(f, "\"} %.9f\n", (double) p->rtt_ns / 1e9);
		}
	}
	head(f, "axond_peer_messages_in_flight", "gauge",
	    "Messages in flight: out, of this node's clients to the peer's "
	    "servers (waiting for a session included); in, of the peer's "
	    "clients to this node's servers.");
	/* (One pass over the sessions, summed by the peer's nd.) */
	unsigned long long *in = calloc((size_t) g.npeers_hwm + 1,
	    sizeof(*in));

	if (in == NULL) {
		(void) fclose(f);
		free(*text);
		*text = NULL;
		return -ENOMEM;
	}
	for (const struct axd_sess *s = g.sessions; s != NULL; s = s->next) {
		if (s->peer != NULL && s->state != S_DEAD && s->peer->nd > 0 &&
		    s->peer->nd <= g.npeers_hwm) {
			in[s->peer->nd] += (unsigned long long) s->n_bmsg;
		}
	}
	FOR_PEERS(p) {
		peer_sample(f, "axond_peer_messages_in_flight", p,
		    ",direction=\"out\"", p->n_amsg);
		peer_sample(f, "axond_peer_messages_in_flight", p,
		    ",direction=\"in\"", in[nd_]);
	}
	free(in);
	head(f, "axond_peer_output_queued_bytes", "gauge",
	    "Bytes waiting to be written to the peer's session.");
	FOR_PEERS(p) {
		peer_sample(f, "axond_peer_output_queued_bytes", p, "",
		    p->sess != NULL ? axd_obuf_queued(&p->sess->out) : 0);
	}
	head(f, "axond_peer_session_errors_total", "counter",
	    "Sessions with the peer that ended: lost once up, or failed "
	    "before (connect, TLS, handshake).");
	FOR_PEERS(p) {
		peer_sample(f, "axond_peer_session_errors_total", p,
		    ",kind=\"lost\"", mx.peer[nd_].sess_lost);
		peer_sample(f, "axond_peer_session_errors_total", p,
		    ",kind=\"failed\"", mx.peer[nd_].sess_failed);
	}
	head(f, "axond_peer_refused_total", "counter",
	    "Pulses and events from the peer this node could not deliver "
	    "(target gone, channel full, or sender not allowed).");
	FOR_PEERS(p) {
		peer_sample(f, "axond_peer_refused_total", p,
		    ",kind=\"pulse\"", mx.peer[nd_].refused_pulses);
		peer_sample(f, "axond_peer_refused_total", p,
		    ",kind=\"event\"", mx.peer[nd_].refused_events);
	}
	head(f, "axond_metrics_answers_total", "counter",
	    "Answers of this metrics server, by HTTP status.");
	for (int i = 0; i < NCODES; i++) {
		fprintf(f, "axond_metrics_answers_total{code=\"%d\"} %llu\n",
		    code_num[i], (unsigned long long) mx.answers[i]);
	}
	head(f, "axond_metrics_connections_dropped_total", "counter",
	    "Connections to this metrics server closed unanswered: over "
	    "the limit at once, or at their deadline.");
	fprintf(f, "axond_metrics_connections_dropped_total{reason=\"limit\"} "
		   "%llu\n", (unsigned long long) mx.rejected);
	fprintf(f, "axond_metrics_connections_dropped_total{reason=\"timeout\"} "
		   "%llu\n", (unsigned long long) mx.timed_out);
	if (ferror(f) | fclose(f)) {
		free(*text);
		*text = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* ---- Connections ---- */

static void
conn_close(struct mx_conn *c)
{
	if (c->fd >= 0) {
		(void) epoll_ctl(g.epfd, EPOLL_CTL_DEL, c->fd, NULL);
		(void) close(c->fd);
	}
	free(c->out);
	c->out = NULL;
	c->fd = -1;
	c->phase = MX_FREE;
	mx.nconns--;
}

static uint64_t
conn_tag(const struct mx_conn *c)
{
	return AXD_TAG_METRICS | (uint64_t) c->gen << 16 |
	    (uint64_t) (c - mx.c);
}

static void
conn_watch(struct mx_conn *c, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.u64 = conn_tag(c)};

	if (epoll_ctl(g.epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
		conn_close(c);
	}
}

/* The end of the request's head in c->in (the offset after its blank
 * line), or 0 if it has not all come. */
static size_t
head_end(const struct mx_conn *c)
{
	for (size_t i = 0; i + 1 < c->in_len; i++) {
		if (c->in[i] == '\n' && c->in[i + 1] == '\n') {
			return i + 2;
		}
		if (c->in[i] == '\n' && c->in[i + 1] == '\r' &&
		    i + 2 < c->in_len && c->in[i + 2] == '\n') {
			return i + 3;
		}
	}
	return 0;
}

static bool
tchar(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

/* Decides the answer to the head of n bytes at in (its blank line
 * included).  Sets *head_only for HEAD. */
static enum mx_code
judge(const char *in, size_t n, bool *head_only)
{
	const char *p = in, *end = in + n, *eol, *sp1, *sp2;
	size_t mlen, tlen;
	bool first = true;

	*head_only = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char) in[i];

		if (!(ch == '\t' || ch == '\r' || ch == '\n' ||
			(ch >= 0x20 && ch < 0x7f))) {
			return C400;
		}
	}
	for (;; first = false) {
		eol = memchr(p, '\n', (size_t) (end - p));
		if (eol == NULL) {
			return C400;
		}
		size_t len = (size_t) (eol - p);

		if (len > 0 && p[len - 1] == '\r') {
			len--;
		}
		if (memchr(p, '\r', len) != NULL) {
			return C400; /* a CR alone inside a line */
		}
		if (len == 0) {
			if (first) {
				return C400; /* no request line */
			}
			break; /* the blank line */
		}
		if (!first) {
			/* name ":" value; the name a token, no blank before
			 * the colon, and no continuation lines (obs-fold). */
			const char *colon = memchr(p, ':', len);

			if (colon == NULL || colon == p) {
				return C400;
			}
			for (const char *q = p; q < colon; q++) {
				if (!tchar(*q)) {
					return C400;
				}
			}
		}
		p = eol + 1;
		if (!first) {
			continue;
		}
		/* The request line: METHOD SP TARGET SP HTTP/1.x */
		sp1 = memchr(in, ' ', len);
		if (sp1 == NULL) {
			return C400;
		}
		mlen = (size_t) (sp1 - in);
		sp2 = memchr(sp1 + 1, ' ', len - mlen - 1);
		if (mlen == 0 || sp2 == NULL) {
			return C400;
		}
		tlen = (size_t) (sp2 - sp1 - 1);
		if (len - mlen - tlen - 2 != 8 ||
		    (memcmp(sp2 + 1, "HTTP/1.0", 8) != 0 &&
			memcmp(sp2 + 1, "HTTP/1.1", 8) != 0)) {
			return C400;
		}
		for (size_t i = 0; i < mlen; i++) {
			if (!tchar(in[i])) {
				return C400;
			}
		}
		if (tlen == 0 || sp1[1] != '/' ||
		    memchr(sp1 + 1, '\t', tlen) != NULL) {
			return C400;
		}
	}
	/* Valid: now what it asks. */
	sp1 = memchr(in, ' ', n);
	mlen = (size_t) (sp1 - in);
	sp2 = memchr(sp1 + 1, ' ', (size_t) (end - sp1 - 1));
	tlen = (size_t) (sp2 - sp1 - 1);
	if (mlen == 4 && memcmp(in, "HEAD", 4) == 0) {
		*head_only = true;
	} else if (!(mlen == 3 && memcmp(in, "GET", 3) == 0)) {
		return C405;
	}
	if ((tlen == 8 || (tlen > 8 && sp1[9] == '?')) &&
	    memcmp(sp1 + 1, "/metrics", 8) == 0) {
		return C200;
	}
	return C404;
}

/* Makes c's answer and starts writing it. */
static void
answer(struct mx_conn *c, enum mx_code code, bool head_only)
{
	char *body = NULL;
	size_t blen = 0;
	const char *ctype = "text/plain; charset=utf-8";
	FILE *f;

	if (code == C200) {
		uint64_t sec = axd_now() / 1000000000u;

		if (sec != mx.window) {
			mx.window = sec;
			mx.renders = 0;
		}
		if (mx.renders >= MX_RENDERS_PER_SEC) {
			code = C503;
		} else {
			mx.renders++;
		}
	}
	if (code == C200) {
		if (render(&body, &blen) < 0) {
			conn_close(c);
			return;
		}
		ctype = "text/plain; version=0.0.4; charset=utf-8";
	} else {
		if (asprintf(&body, "%d %s\n", code_num[code],
			code_text[code]) < 0) {
			conn_close(c);
			return;
		}
		blen = strlen(body);
	}
	mx.answers[code]++;
	f = open_memstream(&c->out, &c->out_len);
	if (f == NULL) {
		free(body);
		conn_close(c);
		return;
	}
	fprintf(f, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
		   "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
	    code_num[code], code_text[code], ctype, blen,
	    code == C405   ? "Allow: GET, HEAD\r\n"
	    : code == C503 ? "Retry-After: 1\r\n"
			   : "");
	if (!head_only) {
		(void) fwrite(body, 1, blen, f);
	}
	free(body);
	if (ferror(f) | fclose(f)) {
		conn_close(c);
		return;
	}
	c->out_off = 0;
	c->phase = MX_WRITE;
	conn_watch(c, EPOLLOUT);
}

static void
conn_write(struct mx_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
		    c->out_len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return; /* EPOLLOUT again */
		}
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->out_off += (size_t) n;
	}
	(void) shutdown(c->fd, SHUT_WR);
	c->phase = MX_DRAIN;
	conn_watch(c, EPOLLIN);
}

/* In DRAIN, what a client may still send before it is cut off, and
 * reads per event (a client that sends without pause cannot keep the
 * loop here; the rest comes at its next pass). */
#define MX_DRAIN_MAX   (64u << 10)
#define MX_READS_EVENT 16

static void
conn_read(struct mx_conn *c)
{
	for (int reads = 0; reads < MX_READS_EVENT; reads++) {
		char drop[512];
		char *dst = c->phase == MX_DRAIN ? drop : c->in + c->in_len;
		size_t room = c->phase == MX_DRAIN ? sizeof(drop)
						   : sizeof(c->in) - c->in_len;
		ssize_t n;

		if (room == 0) {
			answer(c, C431, false);
			return;
		}
		n = recv(c->fd, dst, room, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		}
		if (n <= 0) {
			conn_close(c); /* EOF or error: nothing to answer */
			return;
		}
		if (c->phase == MX_DRAIN) {
			c->drained += (size_t) n;
			if (c->drained > MX_DRAIN_MAX) {
				conn_close(c);
				return;
			}
			continue;
		}
		c->in_len += (size_t) n;
		size_t e = head_end(c);

		if (e > 0) {
			bool head_only;
			enum mx_code code = judge(c->in, e, &head_only);

			answer(c, code, head_only);
			return;
		}
	}
}

/* Connections taken per event: the rest wait for the next pass of the
 * loop (level-triggered), so that a flood of connects cannot keep the
 * loop here. */
#define MX_ACCEPT_BATCH 64

static void
do_accept(void)
{
	for (int batch = 0; batch < MX_ACCEPT_BATCH; batch++) {
		struct mx_conn *c = NULL;
		struct epoll_event ev;
		int fd = accept4(mx.lfd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED) {
				continue;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				axd_log(AXD_WARN, "metrics: accept: %s",
				    strerror(errno));
			}
			return;
		}
		for (int i = 0; i < MX_CONNS; i++) {
			if (mx.c[i].phase == MX_FREE) {
				c = &mx.c[i];
				break;
			}
		}
		if (c == NULL) {
			mx.rejected++;
			(void) close(fd);
			continue;
		}
		c->fd = fd;
		c->gen = (mx.gen = (mx.gen + 1) & 0xffffffu);
		c->phase = MX_READ;
		c->in_len = 0;
		c->drained = 0;
		c->out = NULL;
		c->out_len = c->out_off = 0;
		c->deadline = axd_now() + MX_CONN_NS;
		mx.nconns++;
		ev.events = EPOLLIN;
		ev.data.u64 = conn_tag(c);
		if (epoll_ctl(g.epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			c->fd = -1;
			(void) close(fd);
			c->phase = MX_FREE;
			mx.nconns--;
		}
	}
}

void
axd_metrics_event(uint64_t tag, uint32_t events)
{
	unsigned slot = (unsigned) (tag & 0xffffu);
	uint32_t gen = (uint32_t) ((tag >> 16) & 0xffffffu);
	struct mx_conn *c;

	if (slot == MX_LISTEN) {
		if (mx.lfd >= 0) {
			do_accept();
		}
		return;
	}
	if (slot >= MX_CONNS) {
		return;
	}
	c = &mx.c[slot];
	if (c->phase == MX_FREE || c->gen != gen) {
		return; /* closed meanwhile (stale event) */
	}
	if (c->phase == MX_WRITE) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
			conn_write(c);
		}
	} else if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		conn_read(c);
	}
}

void
axd_metrics_tick(uint64_t now)
{
	for (int i = 0; i < MX_CONNS; i++) {
		struct mx_conn *c = &mx.c[i];

		if (c->phase != MX_FREE && now >= c->deadline) {
			if (c->phase != MX_DRAIN) {
				mx.timed_out++;
			}
			conn_close(c);
		}
	}
}

int
axd_metrics_start(void)
{
	const struct axond_addr *a = &g.cfg.metrics;
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV,
	};
	struct addrinfo *ai = NULL;
	struct epoll_event ev;
	struct timespec ts;
	int one = 1;
	int rc;

	for (int i = 0; i < MX_CONNS; i++) {
		mx.c[i].fd = -1;
		mx.c[i].phase = MX_FREE;
	}
	(void) clock_gettime(CLOCK_REALTIME, &ts);
	mx.start_time = (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
	if (a->host[0] == '\0') {
		return 0;
	}
	rc = getaddrinfo(a->host, a->port, &hints, &ai);
	if (rc != 0 || ai == NULL) {
		axd_log(AXD_ERR, "metrics: %s:%s: %s", a->host, a->port,
		    rc != 0 ? gai_strerror(rc) : "no address");
		return -1;
	}
	mx.lfd = socket(ai->ai_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (mx.lfd < 0) {
		axd_log(AXD_ERR, "metrics: socket: %s", strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	(void) setsockopt(mx.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6) {
		(void) setsockopt(mx.lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	}
	if (bind(mx.lfd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(mx.lfd, 64) < 0) {
		axd_log(AXD_ERR, "metrics: cannot listen on %s%s%s:%s: %s",
		    ai->ai_family == AF_INET6 ? "[" : "", a->host,
		    ai->ai_family == AF_INET6 ? "]" : "", a->port,
		    strerror(errno));
		freeaddrinfo(ai);
		(void) close(mx.lfd);
		mx.lfd = -1;
		return -1;
	}
	freeaddrinfo(ai);
	ev.events = EPOLLIN;
	ev.data.u64 = AXD_TAG_METRICS | MX_LISTEN;
	if (epoll_ctl(g.epfd, EPOLL_CTL_ADD, mx.lfd, &ev) < 0) {
		axd_log(AXD_ERR, "metrics: epoll: %s", strerror(errno));
		(void) close(mx.lfd);
		mx.lfd = -1;
		return -1;
	}
	axd_log(AXD_INFO, "metrics: serving http://%s%s%s:%s/metrics",
	    strchr(a->host, ':') != NULL ? "[" : "", a->host,
	    strchr(a->host, ':') != NULL ? "]" : "", a->port);
	return 0;
}

void
axd_metrics_stop(void)
{
	for (int i = 0; i < MX_CONNS; i++) {
		if (mx.c[i].phase != MX_FREE) {
			conn_close(&mx.c[i]);
		}
	}
	if (mx.lfd >= 0) {
		(void) epoll_ctl(g.epfd, EPOLL_CTL_DEL, mx.lfd, NULL);
		(void) close(mx.lfd);
		mx.lfd = -1;
	}
}

/* The module (module.h).  The forwarding module and the session layer
 * tell it what it counts by direct calls (axd_metrics_refused,
 * axd_metrics_session_end): counting is the one thing that crosses. */
const struct axd_module axd_mod_metrics = {
	.name = "metrics",
	.tags = AXD_TAG_METRICS,
	.start = axd_metrics_start,
	.stop = axd_metrics_stop,
	.tick = axd_metrics_tick,
	.event = axd_metrics_event,
};
