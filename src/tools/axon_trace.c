/* SPDX-License-Identifier: MIT */
/*
 * axon trace: records the message passing of one or more nodes for a
 * while and writes it as Chrome trace-event JSON (Perfetto,
 * chrome://tracing).  See axon-trace(1) and docs/design/
 * local-transport.md §11.
 *
 * This node: its trace switch and rings are read directly (no axond
 * needed).  Another node: TRACE_REQ START, then STOP, through axond,
 * which relays them to that node's axond.  Each answer carries that
 * node's CLOCK_MONOTONIC; its offset from ours is estimated from the
 * request with the shorter round trip (Cristian's method: the remote
 * clock was read at the midpoint, within half the round trip).
 *
 * Linking needs no help from the wire: a thread has one send
 * outstanding at a time, so a receive's client (pid, tid as _msg_info
 * names it, on this node or another as its nd says) sending to the
 * receiver's pid and channel at that time is one send; its reply is the
 * next reply of the same rcvid in the server process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/netmgr.h>
#include <sys/trace.h>

#include "axon.h"
#include "nodename.h"
#include "psinfo.h"
#include "traceinfo.h"

const char axon_trace_usage[] =
    "usage: axon trace [-n NODE]... [--all] [--seconds N] -o FILE\n"
    "\n"
    "Records every send, receive, reply, pulse and block/unblock of the\n"
    "Axon processes on the chosen nodes for N seconds (or until\n"
    "interrupted), and the events they insert with TraceEvent(), and\n"
    "writes Chrome trace-event JSON to FILE, which Perfetto\n"
    "(ui.perfetto.dev) and chrome://tracing open: one track per thread,\n"
    "arrows from each send to its receive, reply and return.\n"
    "\n"
    "  -n, --node NODE   trace NODE (repeatable; default: this node)\n"
    "  -a, --all         this node and every node its axond knows\n"
    "  -s, --seconds N   how long, 1 to 86400 (default 5)\n"
    "  -o, --output FILE where the JSON goes ('-': stdout)\n";

#define MAX_NODES 64
/* Events a thread's sends are matched against a receive with: the
 * clocks of two nodes may disagree by the offset's error. */
#define SLACK_NS 2000000ll

struct tnode {
	char name[AXON_PS_NAME_LEN];
	int nd;                 /* as this node names it; 0: this node */
	uint64_t since;         /* its clock at START */
	int64_t offset;         /* its clock minus ours */
	uint64_t err_ns;        /* the offset is good to within this */
	bool on;                /* its switch is on (to turn off) */
	bool done;              /* its events are in l */
	struct axon_tr_list l;
};

/* One event of the merged trace. */
struct mev {
	const struct axon_tr_event *e;
	int node;
	int64_t ts;             /* ns on our clock, since the start */
	long flow;              /* the arrow it is on, or -1 */
	int flow_ph;            /* 's', 't', 'f' */
	long peer;              /* send: its SENDEND; receive: its send */
	long recv;              /* send: the receive that took it */
	bool relay;             /* made by axond (a network manager) */
};

static volatile sig_atomic_t stop_now;

static void
on_signal(int sig)
{
	(void) sig;
	stop_now = 1;
}

/* ---- asking axond ---- */

static int
trace_query(int fd, const struct tnode *n, uint32_t op, unsigned seconds,
    struct axon_tr_list *l, uint64_t *rtt_mid, uint64_t *rtt)
{
	static uint8_t buf[AXC_FRAME_MAX];
	static uint32_t msg;
	uint64_t t0 = axc_now();
	uint64_t deadline = t0 + AXC_TIMEOUT_MS * 1000000ull;
	struct axon_wire_frame q = {0};
	char *text = NULL;
	size_t len = 0;
	bool done = false;
	int rc;

	q.type = AXON_W_TRACE_REQ;
	q.msg = ++msg;
	q.conn = (uint32_t) n->nd;
	q.u.trace.op = op;
	q.u.trace.seconds = seconds;
	q.u.trace.since = op == AXON_WIRE_TRACE_STOP ? n->since : 0;
	rc = axc_send(fd, &q, deadline);
	while (rc == 0 && !done) {
		struct axon_wire_frame f;
		char *nt;

		rc = axc_recv(fd, buf, &f, deadline);
		if (rc < 0) {
			break;
		}
		if (f.type != AXON_W_TRACE_ANS || f.msg != q.msg) {
			rc = -EPROTO;
			break;
		}
		if (f.u.ans.err != 0) {
			rc = -axon__wire_errno_in(f.u.ans.err);
			axon_err("%s: %s", n->name, strerror(-rc));
			free(text);
			return -EIO;
		}
		if (f.offset != len || len + f.data_len > AXON_TR_TEXT_MAX) {
			rc = -EPROTO;
			break;
		}
		nt = realloc(text, len + f.data_len + 1);
		if (nt == NULL) {
			rc = -ENOMEM;
			break;
		}
		text = nt;
		memcpy(text + len, f.data, f.data_len);
		len += f.data_len;
		done = (f.flags & AXON_WF_LAST) != 0;
	}
	*rtt = axc_now() - t0;
	*rtt_mid = t0 + *rtt / 2;
	if (rc == 0) {
		rc = axon__tr_parse(text != NULL ? text : "", len, l);
		if (rc == -EPROTO) {
			axon_err("%s: malformed trace from axond", n->name);
			rc = -EIO;
		}
	}
	free(text);
	if (rc == -ETIMEDOUT) {
		axon_err("%s: no answer from axond within %d s", n->name,
		    AXC_TIMEOUT_MS / 1000);
	} else if (rc < 0 && rc != -EIO) {
		axon_err("%s: asking axond: %s", n->name, strerror(-rc));
	}
	return rc < 0 ? -EIO : 0;
}

/* The offset of n's clock from ours, from an exchange whose remote
 * clock reading was now, taken if it is the best so far. */
static void
offset_take(struct tnode *n, uint64_t now, uint64_t mid, uint64_t rtt)
{
	if (n->err_ns == 0 || rtt / 2 < n->err_ns) {
		n->offset = (int64_t) (now - mid);
		n->err_ns = rtt / 2 > 0 ? rtt / 2 : 1;
	}
}

static int
node_start(int fd, const char *rundir, struct tnode *n, unsigned seconds)
{
	struct axon_tr_list l;
	uint64_t mid, rtt;
	int rc;

	if (n->nd == 0) {
		rc = axon__tr_switch(rundir, seconds, &n->since);
		if (rc < 0) {
			axon_err("%s: cannot turn tracing on (%s/trace/ctl: "
				 "%s)",
			    n->name, rundir, strerror(-rc));
			return -1;
		}
		n->on = true;
		return 0;
	}
	if (trace_query(fd, n, AXON_WIRE_TRACE_START, seconds, &l, &mid,
		&rtt) < 0) {
		return -1;
	}
	n->since = l.now;
	n->on = true;
	offset_take(n, l.now, mid, rtt);
	axon__tr_free(&l);
	return 0;
}

static int
node_stop(int fd, const char *rundir, struct tnode *n)
{
	uint64_t now, mid, rtt;
	int rc;

	n->on = false;
	if (n->nd == 0) {
		rc = axon__tr_switch(rundir, 0, &now);
		if (rc == 0) {
			rc = axon__tr_collect(rundir, n->since, &n->l);
		}
		if (rc < 0) {
			axon_err("%s: %s", n->name, strerror(-rc));
			return -1;
		}
		n->done = true;
		return 0;
	}
	if (trace_query(fd, n, AXON_WIRE_TRACE_STOP, 0, &n->l, &mid,
		&rtt) < 0) {
		return -1;
	}
	offset_take(n, n->l.now, mid, rtt);
	n->done = true;
	return 0;
}

/* The nodes axond knows (--all), after this one. */
static int
add_all(int fd, struct tnode *nodes, int *nn)
{
	bool answered;
	char *text, *line, *save = NULL;
	size_t len;
	int rc;

	rc = axc_query(fd, AXON_W_NODES_REQ, 0, 0, &text, &len, &answered);
	if (rc < 0) {
		axon_err("asking axond for its nodes: %s", strerror(-rc));
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char name[AXON_PS_NAME_LEN];
		int nd;

		if (sscanf(line, "node %d %63s", &nd, name) != 2 ||
		    nd <= 0 || nd > 0xffff ||
		    !axon__node_name_ok(name, strlen(name)) ||
		    *nn >= MAX_NODES) {
			continue;
		}
		memset(&nodes[*nn], 0, sizeof(nodes[*nn]));
		snprintf(nodes[*nn].name, sizeof(nodes[*nn].name), "%s", name);
		nodes[*nn].nd = nd;
		(*nn)++;
	}
	free(text);
	return 0;
}

/* ---- merging and linking ---- */

static int
mev_cmp(const void *pa, const void *pb)
{
	const struct mev *a = pa, *b = pb;

	if (a->node != b->node) {
		return a->node < b->node ? -1 : 1;
	}
	if (a->e->pid != b->e->pid) {
		return a->e->pid < b->e->pid ? -1 : 1;
	}
	if (a->e->tid != b->e->tid) {
		return a->e->tid < b->e->tid ? -1 : 1;
	}
	if (a->ts != b->ts) {
		return a->ts < b->ts ? -1 : 1;
	}
	return a->e < b->e ? -1 : a->e > b->e;
}

/* How far (ns) t lies outside [t0, t1]. */
static int64_t
outside(int64_t t, int64_t t0, int64_t t1)
{
	return t < t0 ? t0 - t : t > t1 ? t - t1 : 0;
}

/*
 * The send a receive r took: a send of its client's thread (on r's node
 * if its nd is 0, on another if not) to r's process and channel, not
 * yet taken, whose interval holds r's time; across nodes, the earliest
 * within the two clocks' error.  -1 if none.
 */
/* The first index of m (sorted by mev_cmp) at or after (node, pid, tid);
 * tid 0: the process's first. */
static size_t
lower(const struct mev *m, size_t n, int node, int pid, int tid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mev *x = &m[mid];

		if (x->node < node ||
		    (x->node == node &&
			(x->e->pid < pid ||
			    (x->e->pid == pid && x->e->tid < tid)))) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

static long
find_send(const struct mev *m, size_t n, const struct tnode *nodes,
    int nn, const struct mev *r, int64_t end)
{
	int64_t best_d = 0;
	long best = -1;

	/* The client's thread on each node, in m's order. */
	for (int k = 0; k < nn; k++)
	for (size_t i = lower(m, n, k, r->e->d, r->e->e);
	     i < n && m[i].node == k && m[i].e->pid == r->e->d &&
	     m[i].e->tid == r->e->e;
	     i++) {
		const struct axon_tr_event *s = m[i].e;
		int64_t slack = 0, d;

		if (s->type != AXON_TR_SEND || s->pid != r->e->d ||
		    s->tid != r->e->e || s->c != r->e->pid ||
		    s->d != r->e->a || m[i].flow >= 0 ||
		    (r->e->c == 0) != (m[i].node == r->node)) {
			continue;
		}
		if (m[i].node != r->node) {
			slack = (int64_t) (nodes[m[i].node].err_ns +
					   nodes[r->node].err_ns) +
			    SLACK_NS;
		}
		d = outside(r->ts, m[i].ts,
		    m[i].peer >= 0 ? m[m[i].peer].ts : end);
		if (d > slack) {
			continue;
		}
		/* On r's node a send holds r exactly (slack 0).  From
		 * another node the earliest send not yet taken within the
		 * error: a client thread's sends follow one another, each
		 * received before the next is sent, and receives are
		 * taken in time order (link_all); the nearest could be the
		 * next send when the clocks' offset is misjudged. */
		if (best < 0 || (slack == 0 && d < best_d) ||
		    (slack > 0 && m[i].ts < m[best].ts)) {
			best = (long) i;
			best_d = d;
		}
	}
	return best;
}

/* The pulse r received: the earliest not yet taken of the same code
 * and value sent to r's process and channel before it (across nodes,
 * within the clocks' error).  A pulse from another node is sent twice:
 * by its sender, then by r's node's axond for it; the sender's is
 * preferred (relays: only when there is no other). */
static long
find_pulse(const struct mev *m, const size_t *tx, size_t ntx,
    const struct tnode *nodes, const struct mev *r, bool relays)
{
	long best = -1;

	for (size_t k = 0; k < ntx; k++) {
		size_t i = tx[k];

		if (m[i].relay != relays) {
			continue;
		}
		const struct axon_tr_event *s = m[i].e;
		int64_t slack = m[i].node == r->node
		    ? 0
		    : (int64_t) (nodes[m[i].node].err_ns +
				 nodes[r->node].err_ns) +
			SLACK_NS;

		if (s->type != AXON_TR_PULSE_TX || s->d != r->e->pid ||
		    s->e != r->e->a || s->b != r->e->b || s->x != r->e->x ||
		    m[i].flow >= 0 || m[i].ts > r->ts + slack) {
			continue;
		}
		if (best < 0 || m[i].ts < m[best].ts) {
			best = (long) i;
		}
	}
	return best;
}

/* qsort() has no context argument: the events ord_cmp orders. */
static const struct mev *ord_m;

/* Indices of ord_m by node, then time, then index. */
static int
ord_cmp(const void *a, const void *b)
{
	size_t i = *(const size_t *) a, j = *(const size_t *) b;
	const struct mev *x = &ord_m[i], *y = &ord_m[j];

	if (x->node != y->node) {
		return x->node < y->node ? -1 : 1;
	}
	if (x->ts != y->ts) {
		return x->ts < y->ts ? -1 : 1;
	}
	return i < j ? -1 : i > j;
}

static void
link_all(struct mev *m, size_t n, const struct tnode *nodes, int nn,
    int64_t end, size_t *tx)
{
	size_t ntx = 0;
	long flow = 0;

	/* The pulses sent, for the receipts to look among. */
	for (size_t i = 0; i < n; i++) {
		if (m[i].e->type == AXON_TR_PULSE_TX) {
			tx[ntx++] = i;
		}
	}

	/* A send's end: the next SENDEND of its thread. */
	for (size_t i = 0; i < n; i++) {
		m[i].flow = -1;
		m[i].peer = -1;
		m[i].recv = -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (m[i].e->type != AXON_TR_SEND) {
			continue;
		}
		for (size_t j = i + 1; j < n && m[j].node == m[i].node &&
		     m[j].e->pid == m[i].e->pid && m[j].e->tid == m[i].e->tid;
		     j++) {
			if (m[j].e->type == AXON_TR_SEND) {
				break;
			}
			if (m[j].e->type == AXON_TR_SENDEND) {
				m[i].peer = (long) j;
				break;
			}
		}
	}
	/* Receipts in time order on each node (m is by thread): a send is
	 * taken by the first receive that can have taken it. */
	size_t *ord = malloc((n > 0 ? n : 1) * sizeof(*ord));

	for (size_t k = 0; k < n; k++) {
		if (ord != NULL) {
			ord[k] = k;
		}
	}
	if (ord != NULL) {
		ord_m = m;
		qsort(ord, n, sizeof(*ord), ord_cmp);
	}
	for (size_t k = 0; k < n; k++) {
		size_t i = ord != NULL ? ord[k] : k;
		long s;

		if (m[i].e->type == AXON_TR_RECV) {
			s = find_send(m, n, nodes, nn, &m[i], end);
			if (s < 0) {
				continue;
			}
			m[s].flow = m[i].flow = flow;
			m[s].flow_ph = 's';
			m[i].flow_ph = 't';
			m[i].peer = s;
			m[s].recv = (long) i;
			if (m[s].peer >= 0) {
				m[m[s].peer].flow = flow;
				m[m[s].peer].flow_ph = 'f';
			}
			/* Its reply: the first REPLY of that rcvid in the
			 * process after it (any thread). */
			long best = -1;
			for (size_t j = lower(m, n, m[i].node, m[i].e->pid, 0);
			     j < n && m[j].node == m[i].node &&
			     m[j].e->pid == m[i].e->pid;
			     j++) {
				if (m[j].e->type == AXON_TR_REPLY &&
				    m[j].e->a == m[i].e->b && m[j].flow < 0 &&
				    m[j].ts >= m[i].ts &&
				    (best < 0 || m[j].ts < m[best].ts)) {
					best = (long) j;
				}
			}
			if (best >= 0) {
				m[best].flow = flow;
				m[best].flow_ph = 't';
			}
			flow++;
		} else if (m[i].e->type == AXON_TR_PULSE_RX) {
			s = find_pulse(m, tx, ntx, nodes, &m[i], false);
			if (s < 0) {
				s = find_pulse(m, tx, ntx, nodes, &m[i], true);
			}
			if (s < 0) {
				continue;
			}
			m[s].flow = m[i].flow = flow++;
			m[s].flow_ph = 's';
			m[i].flow_ph = 'f';
		}
	}
	free(ord);
}

/* ---- the JSON ---- */

static const char *
state_label(int state)
{
	switch (state) {
	case AXON_PS_RECEIVE:
		return "RECEIVE-blocked";
	case AXON_PS_RECVPULSE:
		return "RECEIVE-blocked (pulse)";
	case AXON_PS_SEND:
		return "SEND-blocked";
	case AXON_PS_REPLY:
		return "REPLY-blocked";
	default:
		return "blocked";
	}
}

/* A JSON pid for (node, pid): unique across nodes. */
static long
jpid(int node, int pid)
{
	return (long) node * 4194304L + pid;
}

static void
ts_us(FILE *f, int64_t ns)
{
	fprintf(f, "%s%" PRId64 ".%03d", ns < 0 && ns > -1000 ? "-" : "",
	    ns / 1000, (int) ((ns < 0 ? -ns : ns) % 1000));
}

static bool first_ev = true;

static void
ev_open(FILE *f, const char *ph, const char *name, int node, int pid,
    int tid, int64_t ts)
{
	fprintf(f, "%s\n{\"ph\":\"%s\",\"name\":", first_ev ? "" : ",", ph);
	first_ev = false;
	axon_json_str(f, name, strlen(name));
	fprintf(f, ",\"cat\":\"axon\",\"pid\":%ld,\"tid\":%d,\"ts\":",
	    jpid(node, pid), tid);
	ts_us(f, ts);
}

static void
flow_ev(FILE *f, const struct mev *m, int64_t ts)
{
	ev_open(f, m->flow_ph == 's' ? "s" : m->flow_ph == 't' ? "t" : "f",
	    "message", m->node, m->e->pid, m->e->tid, ts);
	fprintf(f, ",\"id\":%ld%s}", m->flow,
	    m->flow_ph == 'f' ? ",\"bp\":\"e\"" : "");
}

static void
block_slice(FILE *f, const struct mev *m, int state, int64_t t0, int64_t t1)
{
	ev_open(f, "X", state_label(state), m->node, m->e->pid, m->e->tid,
	    t0);
	fprintf(f, ",\"dur\":");
	ts_us(f, t1 - t0 > 0 ? t1 - t0 : 0);
	fprintf(f, ",\"args\":{\"%s\":%d}}",
	    state == AXON_PS_SEND || state == AXON_PS_REPLY ? "coid" : "chid",
	    m->e->b);
}

/* A short slice for an instant that an arrow can end on. */
#define DOT_NS 1000

/*
 * The user event (TraceEvent(3)) whose first chunk kept is m[i], put
 * together from the chunks that follow it on its thread: a short slice
 * named after its code and, for a string, its text, the whole text or
 * the integers in its args.  Returns the index of its last chunk.
 */
static size_t
user_slice(FILE *f, const struct mev *m, size_t n, size_t i)
{
	static struct axon_tr_user u;
	const struct axon_tr_event *e = m[i].e;
	char name[160];
	size_t j = i;
	int64_t dur = DOT_NS;

	if (!axon__tr_user_start(&u, e)) {
		return i; /* (the parser let through only good ones) */
	}
	while (j + 1 < n && m[j + 1].node == m[i].node &&
	    m[j + 1].e->pid == e->pid && m[j + 1].e->tid == e->tid &&
	    axon__tr_user_add(&u, m[j + 1].e)) {
		j++;
	}
	if (j + 1 < n && m[j + 1].node == m[i].node &&
	    m[j + 1].e->pid == e->pid && m[j + 1].e->tid == e->tid &&
	    m[j + 1].ts - m[i].ts < dur) {
		dur = m[j + 1].ts - m[i].ts;
	}
	if (u.cls != _NTO_TRACE_USER) {
		snprintf(name, sizeof(name), "%s event %d",
		    axon__tr_class_name(u.cls), u.code);
	} else if (u.kind == AXON_TR_UKIND_STR) {
		snprintf(name, sizeof(name), "user event %d: %.100s", u.code,
		    u.u.text);
	} else {
		snprintf(name, sizeof(name), "user event %d", u.code);
	}
	ev_open(f, "X", name, m[i].node, e->pid, e->tid, m[i].ts);
	fprintf(f, ",\"dur\":");
	ts_us(f, dur > 0 ? dur : 0);
	fprintf(f, ",\"args\":{");
	if (u.cls != _NTO_TRACE_USER) {
		fprintf(f, "\"class\":\"%s\",", axon__tr_class_name(u.cls));
	}
	fprintf(f, "\"code\":%d,", u.code);
	if (u.kind == AXON_TR_UKIND_STR) {
		fprintf(f, "\"text\":");
		axon_json_str(f, u.u.text, u.len);
	} else {
		fprintf(f, "\"data\":[");
		for (size_t k = 0; k < u.len; k++) {
			fprintf(f, "%s%" PRId32, k > 0 ? "," : "", u.u.data[k]);
		}
		fprintf(f, "]");
	}
	fprintf(f, "%s}}", u.whole ? "" : ",\"incomplete\":true");
	return j;
}

static void
write_events(FILE *f, const struct tnode *nodes, const struct mev *m,
    size_t n, int64_t end)
{
	char name[160];

	for (size_t i = 0; i < n; i++) {
		const struct axon_tr_event *e = m[i].e;
		const struct tnode *nd = &nodes[m[i].node];
		int64_t dur = DOT_NS;

		/* A dot ends before the thread's next event: an arrow
		 * binds to the slice it starts. */
		if (i + 1 < n && m[i + 1].node == m[i].node &&
		    m[i + 1].e->pid == e->pid && m[i + 1].e->tid == e->tid &&
		    m[i + 1].ts - m[i].ts < dur) {
			dur = m[i + 1].ts - m[i].ts;
		}

		switch (e->type) {
		case AXON_TR_SEND: {
			int64_t t1 = m[i].peer >= 0 ? m[m[i].peer].ts : end;

			if (e->b == 0) {
				snprintf(name, sizeof(name),
				    "MsgSend to %s pid %d chid %d", nd->name,
				    e->c, e->d);
			} else {
				snprintf(name, sizeof(name),
				    "MsgSend to nd %d pid %d chid %d", e->b,
				    e->c, e->d);
			}
			ev_open(f, "X", name, m[i].node, e->pid, e->tid,
			    m[i].ts);
			fprintf(f, ",\"dur\":");
			ts_us(f, t1 - m[i].ts > 0 ? t1 - m[i].ts : 0);
			fprintf(f, ",\"args\":{\"coid\":%d,\"nd\":%d,\"pid\":%d,"
				   "\"chid\":%d",
			    e->a, e->b, e->c, e->d);
			if (m[i].peer >= 0) {
				const struct axon_tr_event *x = m[m[i].peer].e;

				fprintf(f, ",\"status\":%" PRId64 ",\"errno\":%d",
				    x->x, x->b);
			} else {
				fprintf(f, ",\"unfinished\":true");
			}
			fprintf(f, "}}");
			if (m[i].flow >= 0) {
				flow_ev(f, &m[i], m[i].ts);
			}
			continue;
		}
		case AXON_TR_SENDEND:
			if (m[i].flow >= 0) {
				flow_ev(f, &m[i], m[i].ts - 1);
			}
			continue;
		case AXON_TR_RECV:
			if (e->c == 0) {
				snprintf(name, sizeof(name),
				    "receive from pid %d tid %d", e->d, e->e);
			} else {
				snprintf(name, sizeof(name),
				    "receive from nd %d pid %d tid %d", e->c,
				    e->d, e->e);
			}
			ev_open(f, "X", name, m[i].node, e->pid, e->tid,
			    m[i].ts);
			fprintf(f, ",\"dur\":");
			ts_us(f, dur);
			fprintf(f, ",\"args\":{\"chid\":%d,"
				   "\"rcvid\":%d,\"nd\":%d,\"pid\":%d,"
				   "\"tid\":%d,\"msglen\":%" PRId64 "}}",
			    e->a, e->b, e->c, e->d, e->e, e->x);
			break;
		case AXON_TR_PULSE_RX:
			snprintf(name, sizeof(name), "pulse received, code %d",
			    e->b);
			ev_open(f, "X", name, m[i].node, e->pid, e->tid,
			    m[i].ts);
			fprintf(f, ",\"dur\":");
			ts_us(f, dur);
			fprintf(f, ",\"args\":{\"chid\":%d,"
				   "\"code\":%d,\"value\":%" PRId64 "}}",
			    e->a, e->b, e->x);
			break;
		case AXON_TR_REPLY:
			if (e->b != 0) {
				snprintf(name, sizeof(name), "MsgError %s",
				    axon_errno_name(e->b));
			} else {
				snprintf(name, sizeof(name), "MsgReply");
			}
			ev_open(f, "X", name, m[i].node, e->pid, e->tid,
			    m[i].ts);
			fprintf(f, ",\"dur\":");
			ts_us(f, dur);
			fprintf(f, ",\"args\":{\"rcvid\":%d,"
				   "\"errno\":%d,\"status\":%" PRId64 "}}",
			    e->a, e->b, e->x);
			break;
		case AXON_TR_PULSE_TX:
			snprintf(name, sizeof(name), "pulse to pid %d chid %d, "
						     "code %d",
			    e->d, e->e, e->b);
			ev_open(f, "X", name, m[i].node, e->pid, e->tid,
			    m[i].ts);
			fprintf(f, ",\"dur\":");
			ts_us(f, dur);
			fprintf(f, ",\"args\":{\"coid\":%d,"
				   "\"code\":%d,\"value\":%" PRId64 "}}",
			    e->a, e->b, e->x);
			break;
		case AXON_TR_BLOCK: {
			int64_t t1 = end;

			for (size_t j = i + 1; j < n &&
			     m[j].node == m[i].node &&
			     m[j].e->pid == e->pid && m[j].e->tid == e->tid;
			     j++) {
				if (m[j].e->type == AXON_TR_UNBLOCK ||
				    m[j].e->type == AXON_TR_BLOCK) {
					t1 = m[j].ts;
					break;
				}
			}
			int64_t t = m[i].ts;
			int state = e->a;

			if (state == AXON_PS_SEND) {
				/* SEND-blocked until its message was received
				 * (the thread sleeps on, REPLY-blocked). */
				long s = -1, r;

				for (size_t j = i; j > 0 &&
				     m[j - 1].node == m[i].node &&
				     m[j - 1].e->pid == e->pid &&
				     m[j - 1].e->tid == e->tid && s < 0;
				     j--) {
					if (m[j - 1].e->type == AXON_TR_SEND) {
						s = (long) j - 1;
					}
				}
				r = s >= 0 ? m[s].recv : -1;
				if (r >= 0 && m[r].ts > t && m[r].ts < t1) {
					block_slice(f, &m[i], AXON_PS_SEND, t,
					    m[r].ts);
					t = m[r].ts;
					state = AXON_PS_REPLY;
				}
			}
			block_slice(f, &m[i], state, t, t1);
			continue;
		}
		case AXON_TR_USER:
			i = user_slice(f, m, n, i);
			continue;
		default:
			continue; /* UNBLOCK: the end of its BLOCK's slice */
		}
		if (m[i].flow >= 0) {
			flow_ev(f, &m[i], m[i].ts);
		}
	}
}

static void
write_meta(FILE *f, const struct tnode *nodes, int nn, const struct mev *m,
    size_t n)
{
	char name[160];

	for (int k = 0; k < nn; k++) {
		const struct axon_tr_list *l = &nodes[k].l;

		for (size_t i = 0; i < l->nprocs; i++) {
			const struct axon_tr_proc *p = &l->procs[i];

			snprintf(name, sizeof(name), "%.63s: %.15s (pid %d)",
			    nodes[k].name, p->name, p->pid);
			fprintf(f, "%s\n{\"ph\":\"M\",\"name\":\"process_name\","
				   "\"pid\":%ld,\"tid\":0,\"args\":{\"name\":",
			    first_ev ? "" : ",", jpid(k, p->pid));
			first_ev = false;
			axon_json_str(f, name, strlen(name));
			fprintf(f, "}}");
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && m[i].node == m[i - 1].node &&
		    m[i].e->pid == m[i - 1].e->pid &&
		    m[i].e->tid == m[i - 1].e->tid) {
			continue;
		}
		snprintf(name, sizeof(name), "%.63s tid %d",
		    nodes[m[i].node].name, m[i].e->tid);
		fprintf(f, ",\n{\"ph\":\"M\",\"name\":\"thread_name\","
			   "\"pid\":%ld,\"tid\":%d,\"args\":{\"name\":",
		    jpid(m[i].node, m[i].e->pid), m[i].e->tid);
		axon_json_str(f, name, strlen(name));
		fprintf(f, "}}");
	}
}

static int
write_json(FILE *f, struct tnode *nodes, int nn, uint64_t t0, uint64_t t1)
{
	struct mev *m;
	size_t *tx;
	size_t n = 0, k = 0;

	for (int i = 0; i < nn; i++) {
		n += nodes[i].l.nev;
	}
	m = calloc(n > 0 ? n : 1, sizeof(*m));
	if (m == NULL) {
		axon_err("out of memory");
		return -1;
	}
	for (int i = 0; i < nn; i++) {
		for (size_t j = 0; j < nodes[i].l.nev; j++) {
			m[k].e = &nodes[i].l.ev[j];
			m[k].node = i;
			m[k].ts = (int64_t) (m[k].e->ts - nodes[i].offset - t0);
			for (size_t p = 0; p < nodes[i].l.nprocs; p++) {
				if (nodes[i].l.procs[p].pid == m[k].e->pid) {
					m[k].relay = strcmp(
					    nodes[i].l.procs[p].name,
					    "axond") == 0;
				}
			}
			k++;
		}
	}
	qsort(m, n, sizeof(*m), mev_cmp);
	tx = calloc(n > 0 ? n : 1, sizeof(*tx));
	if (tx == NULL) {
		free(m);
		axon_err("out of memory");
		return -1;
	}
	link_all(m, n, nodes, nn, (int64_t) (t1 - t0), tx);
	free(tx);
	fprintf(f, "{\"displayTimeUnit\":\"ns\",\"otherData\":{"
		   "\"tool\":\"axon trace\",\"nodes\":[");
	for (int i = 0; i < nn; i++) {
		uint64_t dropped = 0;

		for (size_t j = 0; j < nodes[i].l.nprocs; j++) {
			dropped += nodes[i].l.procs[j].dropped;
		}
		fprintf(f, "%s{\"name\":", i > 0 ? "," : "");
		axon_json_str(f, nodes[i].name, strlen(nodes[i].name));
		fprintf(f, ",\"nd\":%d,\"clock_offset_ns\":%" PRId64
			   ",\"clock_error_ns\":%" PRIu64 ",\"events\":%zu,"
			   "\"dropped\":%" PRIu64 ",\"lost\":%" PRIu64
			   ",\"traced\":%s}",
		    nodes[i].nd, nodes[i].offset, nodes[i].err_ns,
		    nodes[i].l.nev, dropped, nodes[i].l.lost,
		    nodes[i].done ? "true" : "false");
	}
	fprintf(f, "]},\"traceEvents\":[");
	first_ev = true;
	write_meta(f, nodes, nn, m, n);
	write_events(f, nodes, m, n, (int64_t) (t1 - t0));
	fprintf(f, "\n]}\n");
	free(m);
	return 0;
}

/* ---- the command ---- */

static int
add_node(struct tnode *nodes, int *nn, const char *name)
{
	char nm[AXON_PS_NAME_LEN];
	int nd = axon_node_nd(name);

	if (nd < 0) {
		return -1;
	}
	for (int i = 0; i < *nn; i++) {
		if (nodes[i].nd == nd) {
			return 0;
		}
	}
	if (*nn >= MAX_NODES) {
		axon_err("at most %d nodes", MAX_NODES);
		return -1;
	}
	if (netmgr_ndtostr(0, nd, nm, sizeof(nm)) < 0) {
		snprintf(nm, sizeof(nm), "%s", name);
	}
	memset(&nodes[*nn], 0, sizeof(nodes[*nn]));
	snprintf(nodes[*nn].name, sizeof(nodes[*nn].name), "%s", nm);
	nodes[*nn].nd = nd;
	(*nn)++;
	return 0;
}

int
cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"node", required_argument, NULL, 'n'},
	    {"all", no_argument, NULL, 'a'},
	    {"seconds", required_argument, NULL, 's'},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static struct tnode nodes[MAX_NODES];
	const char *given[MAX_NODES];
	struct sigaction sa;
	char rundir[256];
	const char *out = NULL;
	bool all = false, remote = false;
	long seconds = 5;
	int ngiven = 0, nn = 0, fd = -1, c, status = AXON_EXIT_OK;
	uint64_t t0, t1;
	FILE *f;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:n:as:o:h", opts, NULL)) !=
	    -1) {
		switch (c) {
		case 'n':
			if (ngiven >= MAX_NODES) {
				return axon_usage_err("at most %d nodes",
				    MAX_NODES);
			}
			given[ngiven++] = optarg;
			break;
		case 'a':
			all = true;
			break;
		case 's':
			if (axon_parse_long(optarg, 1, AXON_WIRE_TRACE_MAX_SEC,
				&seconds) < 0) {
				return axon_usage_err("bad --seconds '%s' "
						      "(1 to %u)",
				    optarg, AXON_WIRE_TRACE_MAX_SEC);
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			return axon_help(axon_trace_usage);
		default:
			return axon_opt_err(c, argv);
		}
	}
	if (optind < argc) {
		return axon_usage_err("unexpected argument '%s'", argv[optind]);
	}
	if (out == NULL) {
		return axon_usage_err("no output file (-o FILE)");
	}
	if (all && ngiven > 0) {
		return axon_usage_err("--all and --node exclude each other");
	}
	if (axon_rundir(rundir, sizeof(rundir)) < 0) {
		axon_err("AXON_RUNDIR is too long");
		return AXON_EXIT_ERR;
	}
	if (ngiven == 0) {
		memset(&nodes[0], 0, sizeof(nodes[0]));
		if (netmgr_ndtostr(0, ND_LOCAL_NODE, nodes[0].name,
			sizeof(nodes[0].name)) < 0) {
			snprintf(nodes[0].name, sizeof(nodes[0].name), "local");
		}
		nn = 1;
	}
	for (int i = 0; i < ngiven; i++) {
		if (add_node(nodes, &nn, given[i]) < 0) {
			return AXON_EXIT_ERR;
		}
	}
	for (int i = 0; i < nn; i++) {
		remote |= nodes[i].nd != 0;
	}
	if (remote || all) {
		fd = axc_connect(rundir);
		if (fd < 0) {
			axon_err("%s", fd == -ENOENT || fd == -ECONNREFUSED
				? "axond is not running on this node (needed "
				  "for other nodes)"
				: strerror(-fd));
			return AXON_EXIT_ERR;
		}
	}
	if (all && add_all(fd, nodes, &nn) < 0) {
		(void) close(fd);
		return AXON_EXIT_ERR;
	}
	/* The file first: a trace is not taken for nothing. */
	if (strcmp(out, "-") == 0) {
		f = stdout;
	} else {
		f = fopen(out, "w");
		if (f == NULL) {
			axon_err("%s: %s", out, strerror(errno));
			if (fd >= 0) {
				(void) close(fd);
			}
			return AXON_EXIT_ERR;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	(void) sigaction(SIGINT, &sa, NULL);
	(void) sigaction(SIGTERM, &sa, NULL);
	t0 = axc_now();
	for (int i = 0; i < nn; i++) {
		/* Another node's switch turns itself off a little after
		 * the trace should have ended, if we cannot tell it to. */
		if (node_start(fd, rundir, &nodes[i],
			(unsigned) seconds + 10) < 0) {
			if (!all || nodes[i].nd == 0) {
				status = AXON_EXIT_ERR;
			}
		}
	}
	if (status == AXON_EXIT_OK) {
		struct timespec ts = {0, 10000000};
		uint64_t end = t0 + (uint64_t) seconds * 1000000000ull;

		while (!stop_now && axc_now() < end) {
			(void) nanosleep(&ts, NULL);
		}
	}
	t1 = axc_now();
	for (int i = 0; i < nn; i++) {
		if (nodes[i].on && node_stop(fd, rundir, &nodes[i]) < 0 &&
		    (!all || nodes[i].nd == 0)) {
			status = AXON_EXIT_ERR;
		}
	}
	if (fd >= 0) {
		(void) close(fd);
	}
	if (status == AXON_EXIT_OK) {
		status = write_json(f, nodes, nn, t0, t1) < 0 ? AXON_EXIT_ERR
							    : AXON_EXIT_OK;
	}
	for (int i = 0; i < nn; i++) {
		axon__tr_free(&nodes[i].l);
	}
	if (f != stdout) {
		if (fclose(f) != 0 && status == AXON_EXIT_OK) {
			axon_err("%s: %s", out, strerror(errno));
			status = AXON_EXIT_ERR;
		}
		if (status != AXON_EXIT_OK) {
			(void) unlink(out);
		}
		return status;
	}
	return axon_finish(status);
}
