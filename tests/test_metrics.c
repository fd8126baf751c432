/* SPDX-License-Identifier: MIT */
/*
 * axond --metrics (src/axond/metrics.c): real axonds scraped over real
 * TCP, their answers held to the Prometheus text exposition format
 * (version 0.0.4) by a strict parser; counters that move with traffic
 * between two nodes; HTTP errors; and what a hostile or slow client can
 * do: garbage, oversized requests, a client that never finishes its
 * request while messages go between the nodes, many connections at
 * once, and a port already in use.
 */
#include "net_srv.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/tcp.h>
#include <pthread.h>

/* ------------------------------------------------------------------ */
/* HTTP                                                                 */
/* ------------------------------------------------------------------ */

static int mport[AXN_MAX]; /* node i's metrics port */

static uint64_t
now_ns(void)
{
	return (uint64_t) (axt_now() * 1e9);
}

static int
mx_connect(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
	    .sin_port = htons((uint16_t) port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	return fd;
}

/* Reads fd to its end (bounded by ms, scaled) into buf; the length, or
 * -1 on a timeout. */
static ssize_t
read_all(int fd, char *buf, size_t cap, int ms)
{
	size_t n = 0;
	uint64_t end = now_ns() + (uint64_t) (ms * axn_scale()) * 1000000u;

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		uint64_t now = now_ns();

		if (now >= end) {
			return -1;
		}
		if (poll(&pfd, 1, (int) ((end - now) / 1000000u) + 1) != 1) {
			continue;
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);

		if (r < 0 && errno == ECONNRESET) {
			break;
		}
		ck_assert_int_ge(r, 0);
		if (r == 0) {
			break;
		}
		n += (size_t) r;
		ck_assert_uint_lt(n, cap - 1);
	}
	buf[n] = '\0';
	return (ssize_t) n;
}

struct resp {
	int status;
	char head[2048];
	char *body; /* into raw */
	size_t blen;
	char raw[1 << 18];
};

/* Sends req (len bytes) to port and reads the whole answer. */
static void
http_raw(int port, const char *req, size_t len, struct resp *r)
{
	int fd = mx_connect(port);
	ssize_t n;
	char *e;

	ck_assert_int_eq(write(fd, req, len), (ssize_t) len);
	n = read_all(fd, r->raw, sizeof(r->raw), 5000);
	close(fd);
	ck_assert_msg(n > 0, "no answer to '%.40s'", req);
	ck_assert_int_eq(sscanf(r->raw, "HTTP/1.1 %d ", &r->status), 1);
	e = strstr(r->raw, "\r\n\r\n");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_lt((size_t) (e - r->raw), sizeof(r->head));
	memcpy(r->head, r->raw, (size_t) (e - r->raw) + 2);
	r->head[e - r->raw + 2] = '\0';
	r->body = e + 4;
	r->blen = (size_t) n - (size_t) (r->body - r->raw);
	/* The length says so. */
	size_t clen = 0;
	char *cl = strstr(r->head, "\r\nContent-Length: ");

	ck_assert_ptr_nonnull(cl);
	ck_assert_int_eq(sscanf(cl, "\r\nContent-Length: %zu", &clen), 1);
	if (strncmp(req, "HEAD ", 5) != 0) {
		ck_assert_uint_eq(clen, r->blen);
	} else {
		ck_assert_uint_eq(r->blen, 0);
	}
	ck_assert_ptr_nonnull(strstr(r->head, "\r\nConnection: close\r\n"));
}

static void
http(int port, const char *req, struct resp *r)
{
	http_raw(port, req, strlen(req), r);
}

/* ------------------------------------------------------------------ */
/* The exposition format, strictly                                     */
/* ------------------------------------------------------------------ */

#define MAXS 512
#define MAXF 64

struct sample {
	char name[96];
	char labels[256]; /* as written, between the braces */
	double v;
};

struct family {
	char name[96];
	char type[16];
	bool help;
	bool has_samples;
};

struct expo {
	struct sample s[MAXS];
	int ns;
	struct family f[MAXF];
	int nf;
};

static bool
name_ok(const char *s, size_t n, bool label)
{
	if (n == 0) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '_' || (!label && c == ':');

		if (!alpha && !(i > 0 && c >= '0' && c <= '9')) {
			return false;
		}
	}
	return true;
}

static struct family *
fam(struct expo *x, const char *name)
{
	for (int i = 0; i < x->nf; i++) {
		if (strcmp(x->f[i].name, name) == 0) {
			return &x->f[i];
		}
	}
	return NULL;
}

/* The family a sample name belongs to (counters' _total is part of the
 * name as the 0.0.4 format writes it). */
static struct family *
sample_fam(struct expo *x, const char *name)
{
	return fam(x, name);
}

/* Checks labels "k=\"v\",k=\"v\"" strictly: names, escapes, no
 * repeats. */
static void
check_labels(const char *l, int line)
{
	char seen[8][64];
	int nseen = 0;
	const char *p = l;

	while (*p != '\0') {
		const char *eq = strchr(p, '=');

		ck_assert_msg(eq != NULL, "line %d: label without =", line);
		ck_assert_msg(name_ok(p, (size_t) (eq - p), true),
		    "line %d: bad label name", line);
		ck_assert_msg(eq - p < 64 && nseen < 8, "line %d", line);
		for (int i = 0; i < nseen; i++) {
			ck_assert_msg(strncmp(seen[i], p, (size_t) (eq - p)) !=
				0 || seen[i][eq - p] != '\0',
			    "line %d: label repeated", line);
		}
		memcpy(seen[nseen], p, (size_t) (eq - p));
		seen[nseen++][eq - p] = '\0';
		ck_assert_msg(eq[1] == '"', "line %d: unquoted value", line);
		p = eq + 2;
		while (*p != '"') {
			ck_assert_msg(*p != '\0' && *p != '\n',
			    "line %d: unterminated value", line);
			if (*p == '\\') {
				ck_assert_msg(p[1] == '\\' || p[1] == '"' ||
				    p[1] == 'n', "line %d: bad escape", line);
				p++;
			}
			p++;
		}
		p++;
		if (*p == ',') {
			p++;
			ck_assert_msg(*p != '\0', "line %d: trailing ,", line);
		} else {
			ck_assert_msg(*p == '\0', "line %d: junk after value",
			    line);
		}
	}
}

/* Parses body (len bytes) into x, failing the test on anything that is
 * not the text format 0.0.4 as Prometheus reads it: HELP and TYPE once
 * per family, before its samples, which are together; known types;
 * counters named _total and never negative; no series twice; every line
 * ends in '\n'. */
static void
parse_expo(const char *body, size_t len, struct expo *x)
{
	const char *p = body, *end = body + len;
	struct family *cur = NULL;
	int line = 0;

	memset(x, 0, sizeof(*x));
	ck_assert_msg(len > 0 && body[len - 1] == '\n', "no final newline");
	ck_assert_ptr_null(memchr(body, '\0', len));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		char l[1024];
		size_t n = (size_t) (nl - p);

		line++;
		ck_assert_uint_lt(n, sizeof(l));
		memcpy(l, p, n);
		l[n] = '\0';
		p = nl + 1;
		ck_assert_msg(n > 0, "line %d: empty", line);
		ck_assert_ptr_null(strchr(l, '\r'));
		if (l[0] == '#') {
			char kind[8], name[96];
			int off = 0;

			ck_assert_msg(sscanf(l, "# %7s %95s %n", kind, name,
					  &off) == 2 && off > 0,
			    "line %d: '%s'", line, l);
			ck_assert(name_ok(name, strlen(name), false));
			struct family *f = fam(x, name);

			if (f == NULL) {
				ck_assert_int_lt(x->nf, MAXF);
				f = &x->f[x->nf++];
				snprintf(f->name, sizeof(f->name), "%s", name);
			}
			ck_assert_msg(!f->has_samples, "line %d: %s after its "
			    "samples", line, kind);
			if (strcmp(kind, "HELP") == 0) {
				ck_assert_msg(!f->help, "line %d: HELP twice",
				    line);
				ck_assert_msg(l[off] != '\0', "line %d: empty "
				    "HELP", line);
				f->help = true;
			} else {
				ck_assert_msg(strcmp(kind, "TYPE") == 0,
				    "line %d: comment '%s'", line, l);
				ck_assert_msg(f->type[0] == '\0',
				    "line %d: TYPE twice", line);
				ck_assert_msg(strcmp(l + off, "counter") == 0 ||
				    strcmp(l + off, "gauge") == 0,
				    "line %d: type '%s'", line, l + off);
				snprintf(f->type, sizeof(f->type), "%s",
				    l + off);
			}
			continue;
		}
		/* A sample: name[{labels}] value */
		struct sample *s;
		char *sp, *br, *vend;

		ck_assert_int_lt(x->ns, MAXS);
		s = &x->s[x->ns++];
		br = strchr(l, '{');
		sp = strrchr(l, ' ');
		ck_assert_msg(sp != NULL, "line %d: no value", line);
		if (br != NULL && br < sp) {
			char *cb = strrchr(l, '}');

			ck_assert_msg(cb != NULL && cb + 1 == sp,
			    "line %d: '%s'", line, l);
			ck_assert_uint_lt((size_t) (br - l), sizeof(s->name));
			memcpy(s->name, l, (size_t) (br - l));
			*cb = '\0';
			check_labels(br + 1, line);
			snprintf(s->labels, sizeof(s->labels), "%s", br + 1);
		} else {
			ck_assert_uint_lt((size_t) (sp - l), sizeof(s->name));
			memcpy(s->name, l, (size_t) (sp - l));
		}
		ck_assert_msg(name_ok(s->name, strlen(s->name), false),
		    "line %d: name '%s'", line, s->name);
		errno = 0;
		s->v = strtod(sp + 1, &vend);
		ck_assert_msg(sp[1] != '\0' && *vend == '\0' && errno == 0,
		    "line %d: value '%s'", line, sp + 1);
		struct family *f = sample_fam(x, s->name);

		ck_assert_msg(f != NULL && f->help && f->type[0] != '\0',
		    "line %d: %s without HELP and TYPE", line, s->name);
		ck_assert_msg(cur == NULL || cur == f || !f->has_samples,
		    "line %d: %s's samples apart", line, s->name);
		cur = f;
		f->has_samples = true;
		if (strcmp(f->type, "counter") == 0) {
			size_t nl2 = strlen(s->name);

			ck_assert_msg(nl2 > 6 &&
			    strcmp(s->name + nl2 - 6, "_total") == 0,
			    "line %d: counter %s", line, s->name);
			ck_assert_msg(s->v >= 0 && !isnan(s->v),
			    "line %d: negative counter", line);
		}
		for (int i = 0; i < x->ns - 1; i++) {
			ck_assert_msg(strcmp(x->s[i].name, s->name) != 0 ||
			    strcmp(x->s[i].labels, s->labels) != 0,
			    "line %d: series twice", line);
		}
	}
}

/* The value of series name{labels}; NAN if absent. */
static double
val(const struct expo *x, const char *name, const char *labels)
{
	for (int i = 0; i < x->ns; i++) {
		if (strcmp(x->s[i].name, name) == 0 &&
		    strcmp(x->s[i].labels, labels) == 0) {
			return x->s[i].v;
		}
	}
	return NAN;
}

/* axond_info names the node, with a version, and is 1. */
static bool
info_is(const struct expo *x, const char *node)
{
	char want[96];

	snprintf(want, sizeof(want), "node=\"%s\",version=\"", node);
	for (int i = 0; i < x->ns; i++) {
		if (strcmp(x->s[i].name, "axond_info") == 0) {
			return strncmp(x->s[i].labels, want, strlen(want)) ==
			    0 && x->s[i].v == 1;
		}
	}
	return false;
}

/* Node i's counters, parsed (waiting out the rate limit if a test
 * scrapes that fast). */
static void
scrape(int i, struct expo *x)
{
	static struct resp r;

	for (int t = 0; t < 50; t++) {
		http(mport[i], "GET /metrics HTTP/1.1\r\nHost: localhost\r\n"
			       "User-Agent: test\r\nAccept: text/plain\r\n\r\n",
		    &r);
		if (r.status != 503) {
			break;
		}
		ck_assert_ptr_nonnull(strstr(r.head, "\r\nRetry-After: 1\r\n"));
		axt_sleep_ms(200);
	}
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.head, "\r\nContent-Type: text/plain; "
					     "version=0.0.4; charset=utf-8\r\n"));
	parse_expo(r.body, r.blen, x);
}

/* ------------------------------------------------------------------ */
/* Fixtures                                                             */
/* ------------------------------------------------------------------ */

static void
setup2(void)
{
	axn_setup(2);
	for (int i = 0; i < 2; i++) {
		mport[i] = axn_free_port();
		snprintf(axn[i].extra, sizeof(axn[i].extra), "--metrics %d",
		    mport[i]);
	}
}

/* n echo round trips on coid, each checked. */
static void
echo(int coid, int n)
{
	for (int k = 0; k < n; k++) {
		struct srv_cmd cmd = {.op = OP_ECHO, .a = k};
		struct srv_cmd back;

		ck_assert_int_eq(MsgSend(coid, &cmd, sizeof(cmd), &back,
		    sizeof(back)), (long) sizeof(cmd));
		ck_assert_int_eq(back.a, k);
	}
}

/* Waits (bounded) until node i's series name{labels} is v. */
static bool
wait_val(int i, const char *name, const char *labels, double v)
{
	static struct expo x;

	for (int t = 0; t < (int) (100 * axn_scale()); t++) {
		scrape(i, &x);
		if (val(&x, name, labels) == v) {
			return true;
		}
		axt_sleep_ms(50);
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Tests                                                                */
/* ------------------------------------------------------------------ */

static void *
hold_thread(void *arg)
{
	struct srv_cmd cmd = {.op = OP_HOLD};

	(void) MsgSend(*(int *) arg, &cmd, sizeof(cmd), NULL, 0);
	return NULL;
}

/* Every family documented and typed; the peers' counters move with the
 * traffic, in step on both nodes; messages in flight both ways. */
START_TEST(test_scrape_counts)
{
	static struct expo a0, a1, b1;
	static const char *const fams[] = {"axond_info",
	    "axond_start_time_seconds", "axond_peers", "axond_sessions_up",
	    "axond_refused_total", "axond_peer_up", "axond_peer_state",
	    "axond_peer_frames_sent_total",
	    "axond_peer_frames_received_total",
	    "axond_peer_bytes_sent_total", "axond_peer_bytes_received_total",
	    "axond_peer_rtt_seconds", "axond_peer_messages_in_flight",
	    "axond_peer_output_queued_bytes",
	    "axond_peer_session_errors_total", "axond_peer_refused_total",
	    "axond_metrics_answers_total",
	    "axond_metrics_connections_dropped_total"};
	struct axn_srv s;
	struct srv_report rep;
	int coid = two_nodes(&s, 0);

	echo(coid, 1); /* the session is up */
	scrape(0, &a0);
	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		struct family *f = fam(&a0, fams[i]);

		ck_assert_msg(f != NULL && f->help && f->type[0] != '\0',
		    "no %s", fams[i]);
	}
	ck_assert(info_is(&a0, "alpha"));
	ck_assert(val(&a0, "axond_peers", "") == 1);
	ck_assert(val(&a0, "axond_sessions_up", "") == 1);
	ck_assert(val(&a0, "axond_peer_up", "peer=\"beta\"") == 1);
	ck_assert(val(&a0, "axond_peer_state", "peer=\"beta\",state=\"up\"") ==
	    1);
	ck_assert(val(&a0, "axond_peer_state",
	    "peer=\"beta\",state=\"down\"") == 0);
	ck_assert(val(&a0, "axond_start_time_seconds", "") > 1.7e9);
	/* Every status has its series from the start, 503 included. */
	ck_assert(val(&a0, "axond_metrics_answers_total", "code=\"503\"") == 0);
	ck_assert(val(&a0, "axond_metrics_answers_total", "code=\"431\"") == 0);
	double fs0 = val(&a0, "axond_peer_frames_sent_total", "peer=\"beta\"");
	double bs0 = val(&a0, "axond_peer_bytes_sent_total", "peer=\"beta\"");
	double fr0 = val(&a0, "axond_peer_frames_received_total",
	    "peer=\"beta\"");
	double br0 = val(&a0, "axond_peer_bytes_received_total",
	    "peer=\"beta\"");

	ck_assert(fs0 >= 1 && bs0 > fs0 && fr0 >= 1 && br0 > fr0);

	echo(coid, 50);
	scrape(0, &a1);
	/* 50 sends and 50 replies at least (keepalives besides). */
	ck_assert(val(&a1, "axond_peer_frames_sent_total", "peer=\"beta\"") >=
	    fs0 + 50);
	ck_assert(val(&a1, "axond_peer_frames_received_total",
	    "peer=\"beta\"") >= fr0 + 50);
	ck_assert(val(&a1, "axond_peer_bytes_sent_total", "peer=\"beta\"") >=
	    bs0 + 50 * sizeof(struct srv_cmd));
	ck_assert(val(&a1, "axond_peer_bytes_received_total",
	    "peer=\"beta\"") >= br0 + 50 * sizeof(struct srv_cmd));
	ck_assert(val(&a1, "axond_peer_messages_in_flight",
	    "peer=\"beta\",direction=\"out\"") == 0);
	/* Beta saw the same from alpha. */
	scrape(1, &b1);
	ck_assert(info_is(&b1, "beta"));
	ck_assert(val(&b1, "axond_peer_frames_received_total",
	    "peer=\"alpha\"") >= 51);
	ck_assert(val(&b1, "axond_peer_messages_in_flight",
	    "peer=\"alpha\",direction=\"in\"") == 0);
	/* Keepalives measure the round trip (within a few keepalives). */
	ck_assert(wait_val(0, "axond_peer_up", "peer=\"beta\"", 1));
	for (int t = 0; t < (int) (100 * axn_scale()); t++) {
		scrape(0, &a1);
		if (!isnan(val(&a1, "axond_peer_rtt_seconds",
			"peer=\"beta\""))) {
			break;
		}
		axt_sleep_ms(50);
	}
	double rtt = val(&a1, "axond_peer_rtt_seconds", "peer=\"beta\"");

	ck_assert_msg(rtt > 0 && rtt < 5, "rtt %g", rtt);

	/* A message held by the server: in flight on both nodes, until the
	 * server goes. */
	pthread_t th;

	ck_assert_int_eq(pthread_create(&th, NULL, hold_thread, &coid), 0);
	ck_assert(srv_report(&s, &rep, (int) (5000 * axn_scale())));
	ck_assert_int_eq(rep.kind, 1);
	ck_assert(wait_val(0, "axond_peer_messages_in_flight",
	    "peer=\"beta\",direction=\"out\"", 1));
	ck_assert(wait_val(1, "axond_peer_messages_in_flight",
	    "peer=\"alpha\",direction=\"in\"", 1));
	axn_srv_stop(&s);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert(wait_val(0, "axond_peer_messages_in_flight",
	    "peer=\"beta\",direction=\"out\"", 0));
	ck_assert(wait_val(1, "axond_peer_messages_in_flight",
	    "peer=\"alpha\",direction=\"in\"", 0));

	/* The peer goes: its state and the lost session show. */
	axn_kill(1, SIGKILL);
	ck_assert(wait_val(0, "axond_peer_up", "peer=\"beta\"", 0));
	ck_assert(wait_val(0, "axond_sessions_up", "", 0));
	scrape(0, &a1);
	ck_assert(val(&a1, "axond_peer_session_errors_total",
	    "peer=\"beta\",kind=\"lost\"") >= 1);
	ck_assert(val(&a1, "axond_peer_state",
	    "peer=\"beta\",state=\"up\"") == 0);
	/* Our scrapes were counted. */
	ck_assert(val(&a1, "axond_metrics_answers_total", "code=\"200\"") >= 4);
	axn_srv_stop(&s);
	ConnectDetach(coid);
}
END_TEST

/* A pulse beta cannot deliver (its server is gone) is counted for the
 * peer that sent it, and for the node. */
START_TEST(test_refused_counted)
{
	static struct expo x;
	struct axn_srv s;
	int coid;

	/* Beta takes every remote user for 65534, which may not pulse the
	 * server (ours, not 65534's: kill(2)'s rule). */
	ck_assert_uint_ne(geteuid(), 65534);
	strcat(axn[1].extra, " --mapany 65534");
	coid = two_nodes(&s, 0);
	echo(coid, 1);
	scrape(1, &x);
	ck_assert(val(&x, "axond_peer_refused_total",
	    "peer=\"alpha\",kind=\"pulse\"") == 0);
	ck_assert(val(&x, "axond_refused_total", "kind=\"pulse\"") == 0);
	ck_assert_int_eq(MsgSendPulse(coid, 10, 1, 7), 0);
	ck_assert(wait_val(1, "axond_peer_refused_total",
	    "peer=\"alpha\",kind=\"pulse\"", 1));
	scrape(1, &x);
	ck_assert(val(&x, "axond_refused_total", "kind=\"pulse\"") >=
	    val(&x, "axond_peer_refused_total",
		"peer=\"alpha\",kind=\"pulse\""));
	axn_srv_stop(&s);
	ConnectDetach(coid);
}
END_TEST

/* What is not GET /metrics, and what is not HTTP. */
START_TEST(test_http_errors)
{
	static struct resp r;
	static struct expo x;
	char big[6000];

	axn_start(0);
	http(mport[0], "GET /metrics HTTP/1.0\r\n\r\n", &r);
	ck_assert_int_eq(r.status, 200);
	http(mport[0], "GET /metrics?x=1 HTTP/1.1\nHost: a\n\n", &r);
	ck_assert_int_eq(r.status, 200); /* LF alone, a query string */
	http(mport[0], "HEAD /metrics HTTP/1.1\r\n\r\n", &r);
	ck_assert_int_eq(r.status, 200);
	http(mport[0], "GET / HTTP/1.1\r\n\r\n", &r);
	ck_assert_int_eq(r.status, 404);
	http(mport[0], "GET /metricsx HTTP/1.1\r\n\r\n", &r);
	ck_assert_int_eq(r.status, 404);
	http(mport[0], "GET /metrics/ HTTP/1.1\r\n\r\n", &r);
	ck_assert_int_eq(r.status, 404);
	http(mport[0], "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
	    &r);
	ck_assert_int_eq(r.status, 405);
	ck_assert_ptr_nonnull(strstr(r.head, "\r\nAllow: GET, HEAD\r\n"));
	static const char *const bad[] = {
	    "garbage\r\n\r\n",
	    "\r\n\r\n",
	    "GET /metrics\r\n\r\n",
	    "GET /metrics HTTP/2.0\r\n\r\n",
	    "GET /metrics HTTP/1.1 x\r\n\r\n",
	    "GET  /metrics HTTP/1.1\r\n\r\n",
	    "GET metrics HTTP/1.1\r\n\r\n",
	    "G(T /metrics HTTP/1.1\r\n\r\n",
	    "GET /metrics HTTP/1.1\r\nno colon\r\n\r\n",
	    "GET /metrics HTTP/1.1\r\n: empty name\r\n\r\n",
	    "GET /metrics HTTP/1.1\r\nHost : a\r\n\r\n",
	    "GET /metrics HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
	    "GET /metrics HTTP/1.1\r\nX: a\rb\r\n\r\n",
	    "GET /metrics HTTP/1.1\r\nX: \x01\r\n\r\n",
	    "GET /m\xc3\xa9trics HTTP/1.1\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http(mport[0], bad[i], &r);
		ck_assert_msg(r.status == 400, "'%s': %d", bad[i], r.status);
	}
	/* A NUL inside. */
	{
		static const char nul[] = "GET /metrics HTTP/1.1\r\nX: \0\r\n\r\n";

		http_raw(mport[0], nul, sizeof(nul) - 1, &r);
	}
	ck_assert_int_eq(r.status, 400);
	/* Oversized: a head that never ends. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /metrics HTTP/1.1\r\nX-Pad: ", 30);
	http_raw(mport[0], big, sizeof(big), &r);
	ck_assert_int_eq(r.status, 431);
	/* A request that ends early gets no answer, and no harm done. */
	{
		int fd = mx_connect(mport[0]);
		char buf[64];

		ck_assert_int_eq(write(fd, "GET /met", 8), 8);
		shutdown(fd, SHUT_WR);
		ck_assert_int_eq(read_all(fd, buf, sizeof(buf), 5000), 0);
		close(fd);
	}
	/* A client that goes on sending after its request: cut off once it
	 * has sent 64 KiB more, not kept until the deadline. */
	{
		static char junk[1 << 16];
		static const char req[] = "GET /metrics HTTP/1.1\r\n\r\n";
		int fd = mx_connect(mport[0]);
		bool cut = false;
		uint64_t end = now_ns() + (uint64_t) (20e9 * axn_scale());

		ck_assert_int_eq(write(fd, req, sizeof(req) - 1),
		    (ssize_t) sizeof(req) - 1);
		ck_assert_int_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
		while (!cut && now_ns() < end) {
			ssize_t n = send(fd, junk, sizeof(junk), MSG_NOSIGNAL);

			if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
				cut = true;
			} else if (n < 0) {
				struct pollfd pfd = {.fd = fd, .events = POLLOUT};

				ck_assert_int_eq(errno, EAGAIN);
				(void) poll(&pfd, 1, 100);
			}
		}
		ck_assert(cut);
		close(fd);
	}
	/* Every answer was counted, by status. */
	scrape(0, &x);
	ck_assert(val(&x, "axond_metrics_answers_total", "code=\"400\"") ==
	    (double) (sizeof(bad) / sizeof(bad[0]) + 1));
	ck_assert(val(&x, "axond_metrics_answers_total", "code=\"404\"") == 3);
	ck_assert(val(&x, "axond_metrics_answers_total", "code=\"405\"") == 1);
	ck_assert(val(&x, "axond_metrics_answers_total", "code=\"431\"") == 1);
	ck_assert(val(&x, "axond_metrics_answers_total", "code=\"200\"") == 4);
	/* (None of them was kept to its deadline.) */
	ck_assert(val(&x, "axond_metrics_connections_dropped_total",
	    "reason=\"timeout\"") == 0);
	ck_assert_int_gt(kill(axn[0].pid, 0), -1);
}
END_TEST

/* A client that never finishes its request, and one that never reads
 * its answer: messages between the nodes go on meanwhile, other scrapes
 * are answered, and axond closes the slow ones at their deadline. */
START_TEST(test_slow_clients)
{
	static struct expo x;
	struct axn_srv s;
	int coid = two_nodes(&s, 0);
	int slow, deaf;
	char buf[256];
	uint64_t t0;

	echo(coid, 1);
	slow = mx_connect(mport[0]);
	ck_assert_int_eq(write(slow, "GET /metr", 9), 9);
	/* deaf: a tiny receive buffer, and never read. */
	deaf = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	{
		int small = 1024;
		struct sockaddr_in sa = {.sin_family = AF_INET,
		    .sin_port = htons((uint16_t) mport[0])};

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ck_assert_int_eq(setsockopt(deaf, SOL_SOCKET, SO_RCVBUF,
		    &small, sizeof(small)), 0);
		ck_assert_int_eq(connect(deaf, (struct sockaddr *) &sa,
		    sizeof(sa)), 0);
		static const char req[] = "GET /metrics HTTP/1.1\r\n\r\n";

		ck_assert_int_eq(write(deaf, req, sizeof(req) - 1),
		    (ssize_t) sizeof(req) - 1);
	}
	t0 = now_ns();
	echo(coid, 200); /* not held up */
	scrape(0, &x);   /* nor is another scrape */
	ck_assert(val(&x, "axond_peer_up", "peer=\"beta\"") == 1);
	/* The slow one is closed at its deadline (5 s), unanswered. */
	ck_assert_int_eq(read_all(slow, buf, sizeof(buf), 8000), 0);
	ck_assert_uint_ge(now_ns() - t0, 3000000000ull);
	close(slow);
	close(deaf);
	scrape(0, &x);
	ck_assert(val(&x, "axond_metrics_connections_dropped_total",
	    "reason=\"timeout\"") >= 1);
	echo(coid, 10);
	axn_srv_stop(&s);
	ConnectDetach(coid);
}
END_TEST

/* More connections than axond keeps: the extra ones are closed at once,
 * messages go on, and once they are gone a scrape is answered. */
START_TEST(test_many_connections)
{
	static struct expo x;
	struct axn_srv s;
	int coid = two_nodes(&s, 0);
	int fds[64];
	int closed = 0;

	echo(coid, 1);
	for (int i = 0; i < 64; i++) {
		fds[i] = mx_connect(mport[0]);
	}
	echo(coid, 100);
	/* At least 64 - 16 were accepted and closed at once. */
	for (int i = 0; i < 64; i++) {
		struct pollfd pfd = {.fd = fds[i], .events = POLLIN};
		char c;

		if (poll(&pfd, 1, (int) (2000 * axn_scale())) == 1 &&
		    read(fds[i], &c, 1) <= 0) {
			closed++;
		}
		if (closed >= 48) {
			break;
		}
	}
	ck_assert_int_ge(closed, 48);
	for (int i = 0; i < 64; i++) {
		close(fds[i]);
	}
	/* Once the kept ones are gone (their ends closed), scrapes work. */
	bool ok = false;

	for (int t = 0; t < (int) (100 * axn_scale()) && !ok; t++) {
		static struct resp r;
		int fd = mx_connect(mport[0]);
		static const char req[] = "GET /metrics HTTP/1.1\r\n\r\n";

		ck_assert_int_eq(write(fd, req, sizeof(req) - 1),
		    (ssize_t) sizeof(req) - 1);
		ok = read_all(fd, r.raw, sizeof(r.raw), 2000) > 0;
		close(fd);
		if (!ok) {
			axt_sleep_ms(50);
		}
	}
	ck_assert(ok);
	scrape(0, &x);
	ck_assert(val(&x, "axond_metrics_connections_dropped_total",
	    "reason=\"limit\"") >= 48);
	echo(coid, 10);
	axn_srv_stop(&s);
	ConnectDetach(coid);
}
END_TEST

/* A client that scrapes without pause gets 503 beyond 20 a second, and
 * 200 again the next second; messages go on meanwhile. */
START_TEST(test_rate_limited)
{
	static struct resp r;
	static struct expo x;
	struct axn_srv s;
	int coid = two_nodes(&s, 0);
	int ok = 0, busy = 0;
	uint64_t end;

	echo(coid, 1);
	end = now_ns() + 10000000000ull;
	while (busy == 0 && now_ns() < end) {
		http(mport[0], "GET /metrics HTTP/1.1\r\n\r\n", &r);
		if (r.status == 503) {
			busy++;
			ck_assert_ptr_nonnull(strstr(r.head,
			    "\r\nRetry-After: 1\r\n"));
			ck_assert_str_eq(r.body, "503 Service Unavailable\n");
		} else {
			ck_assert_int_eq(r.status, 200);
			ok++;
		}
	}
	ck_assert_int_ge(ok, 20);
	ck_assert_int_eq(busy, 1);
	echo(coid, 100);
	scrape(0, &x); /* (waits for the next second) */
	ck_assert(val(&x, "axond_metrics_answers_total", "code=\"503\"") >= 1);
	axn_srv_stop(&s);
	ConnectDetach(coid);
}
END_TEST

/* The metrics port is taken: axond says so and does not start. */
START_TEST(test_port_in_use)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ep[2];
	char err[4096];
	char mport_arg[32];
	char listen_arg[64];
	pid_t pid;
	int st;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lfd, 1), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *) &sa, &sl), 0);
	snprintf(mport_arg, sizeof(mport_arg), "%d", ntohs(sa.sin_port));
	snprintf(listen_arg, sizeof(listen_arg), "127.0.0.1:%d", axn[0].port);
	ck_assert_int_eq(pipe2(ep, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(ep[1], 2);
		setenv("AXON_RUNDIR", axn[0].rundir, 1);
		execl(axn_bin(), axn_bin(), "--node", "alpha", "--listen",
		    listen_arg, "--insecure", "--metrics", mport_arg,
		    (char *) NULL);
		_exit(127);
	}
	close(ep[1]);
	ck_assert_int_ge(read_all(ep[0], err, sizeof(err), 10000), 0);
	close(ep[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	char want[128];

	snprintf(want, sizeof(want), "metrics: cannot listen on 127.0.0.1:%s: "
	    "Address already in use", mport_arg);
	ck_assert_msg(strstr(err, want) != NULL, "stderr: %s", err);
	close(lfd);
}
END_TEST

/* Off by default: no port is opened. */
START_TEST(test_off_by_default)
{
	char path[64], link[256];
	int sockets = 0;

	axn[0].extra[0] = '\0';
	axn_start(0);
	/* Its TCP sockets: the listening one, nothing else (no peer up). */
	snprintf(path, sizeof(path), "/proc/%d/fd", (int) axn[0].pid);
	DIR *d = opendir(path);

	ck_assert_ptr_nonnull(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		char fp[320];
		ssize_t n;

		snprintf(fp, sizeof(fp), "%s/%s", path, e->d_name);
		n = readlink(fp, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			sockets += strncmp(link, "socket:", 7) == 0;
		}
	}
	closedir(d);
	/* And nothing answers on the port the test would have used. */
	struct sockaddr_in sa = {.sin_family = AF_INET,
	    .sin_port = htons((uint16_t) mport[0])};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	close(fd);
	ck_assert_int_gt(sockets, 0);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = axt_tcase("metrics", 60);

	tcase_add_unchecked_fixture(tc, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(tc, setup2, axn_teardown);
	tcase_add_test(tc, test_scrape_counts);
	tcase_add_test(tc, test_refused_counted);
	tcase_add_test(tc, test_http_errors);
	tcase_add_test(tc, test_slow_clients);
	tcase_add_test(tc, test_many_connections);
	tcase_add_test(tc, test_rate_limited);
	tcase_add_test(tc, test_port_in_use);
	tcase_add_test(tc, test_off_by_default);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(metrics_suite());
}
