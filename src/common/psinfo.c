/* SPDX-License-Identifier: MIT */
/*
 * Process status (`axon ps`): the reader of the status pages that
 * libaxon's processes publish in $AXON_RUNDIR/ps/<pid> (src/lib/ps.c),
 * and the text form that carries what it found to other nodes.
 *
 * The text form: one record a line, fields separated by one space,
 * every line (the last one too) ending in '\n', at most AXON_PS_LINE_MAX
 * bytes with it:
 *
 *	axon-ps 1                       first line: the format, version 1
 *	P pid uid trunc name            a process; trunc is 1 if a table of
 *	                                its page was full, else 0
 *	T tid RUNNING                   its threads that used Axon
 *	T tid RECEIVE chid
 *	T tid RECVPULSE chid
 *	T tid SEND coid node pid chid   blocked on coid, a connection to
 *	T tid REPLY coid node pid chid  channel chid of pid on node
 *	C chid flags                    its channels (flags: _NTO_CHF_*)
 *	N coid node pid chid            its connections
 *
 * Numbers are decimal, without sign or leading zeros.  Nodes are names,
 * never node descriptors (an nd means something else on every node):
 * 1 to 63 of [A-Za-z0-9_-], or "?" for one the node could not name.  A
 * process name is 1 to 63 printable ASCII characters other than space.
 * Processes come in ascending pid order, each followed by its T, then C,
 * then N lines, each kind in ascending order of its first number; so
 * there are no duplicates, and a list has exactly one text.
 *
 * The decoder takes input from other nodes: it accepts exactly this
 * grammar within the limits of psinfo.h and refuses anything else whole.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nodename.h"
#include "psinfo.h"

#define PS_HEADER  "axon-ps 1"
#define PS_PID_MAX 4194304u    /* Linux's PID_MAX_LIMIT */
#define PS_ID_MAX  2147483647u /* chids, coids */
#define PS_TOKENS  7           /* fields of the longest line */

static const char *const state_names[AXON_PS_NSTATES] = {
	[AXON_PS_RUNNING] = "RUNNING",
	[AXON_PS_RECEIVE] = "RECEIVE",
	[AXON_PS_RECVPULSE] = "RECVPULSE",
	[AXON_PS_SEND] = "SEND",
	[AXON_PS_REPLY] = "REPLY",
};

const char *
axon__ps_state_name(int state)
{
	if (state < 0 || state >= AXON_PS_NSTATES) {
		return "?";
	}
	return state_names[state];
}

void
axon__ps_free(struct axon_ps_list *l)
{
	if (l == NULL) {
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		free(l->procs[i].threads);
		free(l->procs[i].chans);
		free(l->procs[i].conns);
	}
	free(l->procs);
	l->procs = NULL;
	l->n = 0;
}

/* ------------------------------------------------------------------ */
/* Fields                                                               */
/* ------------------------------------------------------------------ */

static bool
node_ok(const char *s, size_t len)
{
	return (len == 1 && s[0] == '?') || axon__node_name_ok(s, len);
}

static bool
pname_ok(const char *s, size_t len)
{
	if (len == 0 || len >= AXON_PS_NAME_LEN) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] <= ' ' || s[i] > '~') {
			return false;
		}
	}
	return true;
}

static bool
in_range(long long v, unsigned long long min, unsigned long long max)
{
	return v >= 0 && (unsigned long long) v >= min &&
	    (unsigned long long) v <= max;
}

static bool
thread_ok(const struct axon_ps_thread *t)
{
	if (!in_range(t->tid, 1, PS_PID_MAX)) {
		return false;
	}
	switch (t->state) {
	case AXON_PS_RUNNING:
		return true;
	case AXON_PS_RECEIVE:
	case AXON_PS_RECVPULSE:
		return in_range(t->chid, 1, PS_ID_MAX);
	case AXON_PS_SEND:
	case AXON_PS_REPLY:
		return in_range(t->coid, 0, PS_ID_MAX) &&
		    node_ok(t->node, strnlen(t->node, AXON_PS_NAME_LEN)) &&
		    in_range(t->pid, 1, PS_PID_MAX) &&
		    in_range(t->tchid, 0, PS_ID_MAX);
	default:
		return false;
	}
}

/* ------------------------------------------------------------------ */
/* Encoding                                                             */
/* ------------------------------------------------------------------ */

struct sbuf {
	char *p;
	size_t len;
	size_t cap;
	int err;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char line[AXON_PS_LINE_MAX + 1];
	va_list ap;
	int n;

	if (b->err != 0) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* (Cannot happen with validated fields: the longest line is
	 * about 150 bytes.) */
	if (n < 0 || (size_t) n > AXON_PS_LINE_MAX) {
		b->err = -EINVAL;
		return;
	}
	if (b->len + (size_t) n > AXON_PS_TEXT_MAX) {
		b->err = -EMSGSIZE;
		return;
	}
	if (b->len + (size_t) n + 1 > b->cap) {
		size_t cap = b->cap == 0 ? 4096 : b->cap;
		char *p;

		while (cap < b->len + (size_t) n + 1) {
			cap *= 2;
		}
		p = realloc(b->p, cap);
		if (p == NULL) {
			b->err = -ENOMEM;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, line, (size_t) n + 1);
	b->len += (size_t) n;
}

/* Emits one process; -EINVAL for what the decoder would refuse. */
static int
format_proc(struct sbuf *b, const struct axon_ps_proc *pr)
{
	if (!in_range(pr->pid, 1, PS_PID_MAX) ||
	    !pname_ok(pr->name, strnlen(pr->name, AXON_PS_NAME_LEN)) ||
	    pr->nthreads > AXON_PS_THREADS || pr->nchans > AXON_PS_CHANS ||
	    pr->nconns > AXON_PS_CONNS) {
		return -EINVAL;
	}
	sb_printf(b, "P %d %u %d %s\n", pr->pid, pr->uid,
	    pr->truncated ? 1 : 0, pr->name);
	for (size_t i = 0; i < pr->nthreads; i++) {
		const struct axon_ps_thread *t = &pr->threads[i];

		if (!thread_ok(t) || (i > 0 && t->tid <= t[-1].tid)) {
			return -EINVAL;
		}
		if (t->state == AXON_PS_RUNNING) {
			sb_printf(b, "T %d RUNNING\n", t->tid);
		} else if (t->state == AXON_PS_RECEIVE ||
		    t->state == AXON_PS_RECVPULSE) {
			sb_printf(b, "T %d %s %d\n", t->tid,
			    state_names[t->state], t->chid);
		} else {
			sb_printf(b, "T %d %s %d %s %d %d\n", t->tid,
			    state_names[t->state], t->coid, t->node, t->pid,
			    t->tchid);
		}
	}
	for (size_t i = 0; i < pr->nchans; i++) {
		const struct axon_ps_chan *c = &pr->chans[i];

		if (!in_range(c->chid, 1, PS_ID_MAX) ||
		    (i > 0 && c->chid <= c[-1].chid)) {
			return -EINVAL;
		}
		sb_printf(b, "C %d %u\n", c->chid, c->flags);
	}
	for (size_t i = 0; i < pr->nconns; i++) {
		const struct axon_ps_conn *c = &pr->conns[i];

		if (!in_range(c->coid, 0, PS_ID_MAX) ||
		    (i > 0 && c->coid <= c[-1].coid) ||
		    !node_ok(c->node, strnlen(c->node, AXON_PS_NAME_LEN)) ||
		    !in_range(c->pid, 1, PS_PID_MAX) ||
		    !in_range(c->chid, 0, PS_ID_MAX)) {
			return -EINVAL;
		}
		sb_printf(b, "N %d %s %d %d\n", c->coid, c->node, c->pid,
		    c->chid);
	}
	return 0;
}

int
axon__ps_format(const struct axon_ps_list *l, char **text, size_t *len)
{
	struct sbuf b = {0};
	int rc;

	if (l->n > AXON_PS_MAX_PROCS) {
		return -EINVAL;
	}
	sb_printf(&b, PS_HEADER "\n");
	for (size_t i = 0; i < l->n && b.err == 0; i++) {
		if (i > 0 && l->procs[i].pid <= l->procs[i - 1].pid) {
			b.err = -EINVAL;
			break;
		}
		rc = format_proc(&b, &l->procs[i]);
		if (rc < 0) {
			b.err = rc;
		}
	}
	if (b.err != 0) {
		free(b.p);
		return b.err;
	}
	*text = b.p;
	*len = b.len;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                             */
/* ------------------------------------------------------------------ */

struct tok {
	const char *s;
	size_t len;
};

/* Splits at single spaces; -1 for an empty field or too many. */
static int
split(const char *line, size_t len, struct tok *t)
{
	size_t start = 0;
	int n = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != ' ') {
			continue;
		}
		if (i == start || n == PS_TOKENS) {
			return -1;
		}
		t[n].s = line + start;
		t[n].len = i - start;
		n++;
		start = i + 1;
	}
	return n;
}

static bool
tok_is(const struct tok *t, const char *word)
{
	return t->len == strlen(word) && memcmp(t->s, word, t->len) == 0;
}

/* A decimal in [min, max]: digits only, no leading zero. */
static bool
tok_num(const struct tok *t, unsigned long long min, unsigned long long max,
    unsigned long long *ret)
{
	unsigned long long v = 0;

	if (t->len == 0 || t->len > 10 || (t->len > 1 && t->s[0] == '0')) {
		return false;
	}
	for (size_t i = 0; i < t->len; i++) {
		if (t->s[i] < '0' || t->s[i] > '9') {
			return false;
		}
		v = v * 10 + (unsigned long long) (t->s[i] - '0');
	}
	if (v < min || v > max) {
		return false;
	}
	*ret = v;
	return true;
}

static bool
tok_int(const struct tok *t, unsigned long long min, unsigned long long max,
    int *ret)
{
	unsigned long long v;

	if (!tok_num(t, min, max, &v)) {
		return false;
	}
	*ret = (int) v;
	return true;
}

static bool
tok_node(const struct tok *t, char out[AXON_PS_NAME_LEN])
{
	if (!node_ok(t->s, t->len)) {
		return false;
	}
	memcpy(out, t->s, t->len);
	out[t->len] = '\0';
	return true;
}

/* Makes room for one more element in *arr (n used, *cap allocated). */
static int
grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t ncap;

	if (n < *cap) {
		return 0;
	}
	ncap = *cap == 0 ? 8 : *cap * 2;
	p = realloc(*arr, ncap * size);
	if (p == NULL) {
		return -ENOMEM;
	}
	*arr = p;
	*cap = ncap;
	return 0;
}

struct parse_state {
	struct axon_ps_list l;
	size_t cap;
	size_t tcap, ccap, ncap; /* of the current process's tables */
	int kind;                /* of the last line: 'P', 'T', 'C', 'N' */
};

static int
parse_proc(struct parse_state *ps, const struct tok *t, int nt)
{
	struct axon_ps_proc pr = {0};
	unsigned long long uid;
	int trunc;
	int rc;

	if (nt != 5 || !tok_int(&t[1], 1, PS_PID_MAX, &pr.pid) ||
	    !tok_num(&t[2], 0, UINT32_MAX, &uid) ||
	    !tok_int(&t[3], 0, 1, &trunc) || !pname_ok(t[4].s, t[4].len)) {
		return -EPROTO;
	}
	if (ps->l.n >= AXON_PS_MAX_PROCS ||
	    (ps->l.n > 0 && pr.pid <= ps->l.procs[ps->l.n - 1].pid)) {
		return -EPROTO;
	}
	pr.uid = (unsigned) uid;
	pr.truncated = trunc != 0;
	memcpy(pr.name, t[4].s, t[4].len);
	pr.name[t[4].len] = '\0';
	rc = grow((void **) &ps->l.procs, &ps->cap, ps->l.n,
	    sizeof(*ps->l.procs));
	if (rc < 0) {
		return rc;
	}
	ps->l.procs[ps->l.n++] = pr;
	ps->tcap = 0;
	ps->ccap = 0;
	ps->ncap = 0;
	ps->kind = 'P';
	return 0;
}

static int
parse_thread(struct parse_state *ps, struct axon_ps_proc *pr,
    const struct tok *t, int nt)
{
	struct axon_ps_thread th = {.coid = -1};
	int state = -1;
	int rc;

	if (nt < 3 || ps->kind == 'C' || ps->kind == 'N' ||
	    !tok_int(&t[1], 1, PS_PID_MAX, &th.tid)) {
		return -EPROTO;
	}
	for (int s = 0; s < AXON_PS_NSTATES; s++) {
		if (tok_is(&t[2], state_names[s])) {
			state = s;
		}
	}
	th.state = state;
	switch (state) {
	case AXON_PS_RUNNING:
		if (nt != 3) {
			return -EPROTO;
		}
		break;
	case AXON_PS_RECEIVE:
	case AXON_PS_RECVPULSE:
		if (nt != 4 || !tok_int(&t[3], 1, PS_ID_MAX, &th.chid)) {
			return -EPROTO;
		}
		break;
	case AXON_PS_SEND:
	case AXON_PS_REPLY:
		if (nt != 7 || !tok_int(&t[3], 0, PS_ID_MAX, &th.coid) ||
		    !tok_node(&t[4], th.node) ||
		    !tok_int(&t[5], 1, PS_PID_MAX, &th.pid) ||
		    !tok_int(&t[6], 0, PS_ID_MAX, &th.tchid)) {
			return -EPROTO;
		}
		break;
	default:
		return -EPROTO;
	}
	if (pr->nthreads >= AXON_PS_THREADS ||
	    (pr->nthreads > 0 && th.tid <= pr->threads[pr->nthreads - 1].tid)) {
		return -EPROTO;
	}
	rc = grow((void **) &pr->threads, &ps->tcap, pr->nthreads,
	    sizeof(*pr->threads));
	if (rc < 0) {
		return rc;
	}
	pr->threads[pr->nthreads++] = th;
	ps->kind = 'T';
	return 0;
}

static int
parse_chan(struct parse_state *ps, struct axon_ps_proc *pr,
    const struct tok *t, int nt)
{
	struct axon_ps_chan c;
	unsigned long long flags;
	int rc;

	if (nt != 3 || ps->kind == 'N' ||
	    !tok_int(&t[1], 1, PS_ID_MAX, &c.chid) ||
	    !tok_num(&t[2], 0, UINT32_MAX, &flags)) {
		return -EPROTO;
	}
	c.flags = (unsigned) flags;
	if (pr->nchans >= AXON_PS_CHANS ||
	    (pr->nchans > 0 && c.chid <= pr->chans[pr->nchans - 1].chid)) {
		return -EPROTO;
	}
	rc = grow((void **) &pr->chans, &ps->ccap, pr->nchans,
	    sizeof(*pr->chans));
	if (rc < 0) {
		return rc;
	}
	pr->chans[pr->nchans++] = c;
	ps->kind = 'C';
	return 0;
}

static int
parse_conn(struct parse_state *ps, struct axon_ps_proc *pr,
    const struct tok *t, int nt)
{
	struct axon_ps_conn c;
	int rc;

	if (nt != 5 || !tok_int(&t[1], 0, PS_ID_MAX, &c.coid) ||
	    !tok_node(&t[2], c.node) ||
	    !tok_int(&t[3], 1, PS_PID_MAX, &c.pid) ||
	    !tok_int(&t[4], 0, PS_ID_MAX, &c.chid)) {
		return -EPROTO;
	}
	if (pr->nconns >= AXON_PS_CONNS ||
	    (pr->nconns > 0 && c.coid <= pr->conns[pr->nconns - 1].coid)) {
		return -EPROTO;
	}
	rc = grow((void **) &pr->conns, &ps->ncap, pr->nconns,
	    sizeof(*pr->conns));
	if (rc < 0) {
		return rc;
	}
	pr->conns[pr->nconns++] = c;
	ps->kind = 'N';
	return 0;
}

static int
parse_line(struct parse_state *ps, const char *line, size_t len)
{
	struct tok t[PS_TOKENS];
	struct axon_ps_proc *pr;
	int nt = split(line, len, t);

	if (nt < 1 || t[0].len != 1) {
		return -EPROTO;
	}
	if (t[0].s[0] == 'P') {
		return parse_proc(ps, t, nt);
	}
	if (ps->l.n == 0) {
		return -EPROTO; /* a table line before any process */
	}
	pr = &ps->l.procs[ps->l.n - 1];
	switch (t[0].s[0]) {
	case 'T':
		return parse_thread(ps, pr, t, nt);
	case 'C':
		return parse_chan(ps, pr, t, nt);
	case 'N':
		return parse_conn(ps, pr, t, nt);
	default:
		return -EPROTO;
	}
}

int
axon__ps_parse(const uint8_t *text, size_t len, struct axon_ps_list *out)
{
	struct parse_state ps = {.kind = 0};
	size_t pos = 0;
	bool header = false;
	int rc = 0;

	if (text == NULL || len > AXON_PS_TEXT_MAX) {
		return -EPROTO;
	}
	while (pos < len && rc == 0) {
		size_t room = len - pos < AXON_PS_LINE_MAX ? len - pos
							   : AXON_PS_LINE_MAX;
		const uint8_t *nl = memchr(text + pos, '\n', room);
		const char *line = (const char *) text + pos;
		size_t ll;

		if (nl == NULL) {
			rc = -EPROTO; /* over-long, or no final newline */
			break;
		}
		ll = (size_t) (nl - (text + pos));
		pos += ll + 1;
		if (!header) {
			header = ll == strlen(PS_HEADER) &&
			    memcmp(line, PS_HEADER, ll) == 0;
			rc = header ? 0 : -EPROTO;
			continue;
		}
		rc = parse_line(&ps, line, ll);
	}
	if (rc == 0 && !header) {
		rc = -EPROTO;
	}
	if (rc < 0) {
		axon__ps_free(&ps.l);
		return rc;
	}
	*out = ps.l;
	return 0;
}

/* ------------------------------------------------------------------ */
/* One page, converted                                                  */
/* ------------------------------------------------------------------ */

/* (Also for the page's records, which begin with the list's.) */
static int
cmp_thread(const void *a, const void *b)
{
	const struct axon_ps_thread *x = a;
	const struct axon_ps_thread *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

static int
cmp_chan(const void *a, const void *b)
{
	const struct axon_ps_chan *x = a;
	const struct axon_ps_chan *y = b;

	return (x->chid > y->chid) - (x->chid < y->chid);
}

static int
cmp_conn(const void *a, const void *b)
{
	const struct axon_ps_conn *x = a;
	const struct axon_ps_conn *y = b;

	return (x->coid > y->coid) - (x->coid < y->coid);
}

/*
 * Sorts n elements of size bytes at base by cmp and drops the repeats
 * (a page is the process's own memory: a broken or hostile one may hold
 * duplicates, which the text form cannot carry).  Returns the new n.
 */
static size_t
sort_unique(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	uint8_t *b = base;
	size_t k = 0;

	if (n == 0) {
		return 0; /* base may be NULL: qsort must not see it */
	}
	qsort(base, n, size, cmp);
	for (size_t i = 0; i < n; i++) {
		if (k > 0 && cmp(b + (k - 1) * size, b + i * size) == 0) {
			continue;
		}
		if (k != i) {
			memcpy(b + k * size, b + i * size, size);
		}
		k++;
	}
	return k;
}

/* One thread record, checked; false to leave it out (a tid out of
 * range: not a thread). */
static bool
decode_thread(const struct axon_psp_thread *r, bool untorn,
    struct axon_ps_page_thread *o)
{
	struct axon_ps_thread *t = &o->t;

	memset(o, 0, sizeof(*o));
	t->coid = -1;
	o->slot = -1;
	t->tid = r->tid;
	if (!in_range(t->tid, 1, PS_PID_MAX)) {
		return false;
	}
	/* A record that never held still: its thread keeps blocking and
	 * waking, which is running as far as anyone can tell. */
	t->state = untorn ? r->state : AXON_PS_RUNNING;
	switch (t->state) {
	case AXON_PS_RECEIVE:
	case AXON_PS_RECVPULSE:
		t->chid = r->chid;
		break;
	case AXON_PS_SEND:
	case AXON_PS_REPLY:
		t->coid = r->coid;
		t->pid = r->pid;
		t->tchid = r->tchid;
		t->node[0] = '?'; /* (named by axon__ps_page_proc) */
		o->nd = r->nd;
		if (t->state == AXON_PS_SEND && r->srv_pid > 0 &&
		    r->scoid != 0 && r->slot >= 0 &&
		    r->slot < (int32_t) AXON_PS_SLOTS) {
			o->srv_pid = r->srv_pid;
			o->scoid = r->scoid;
			o->slot = r->slot;
		}
		break;
	default:
		t->state = AXON_PS_RUNNING;
		break;
	}
	if (!thread_ok(t)) {
		memset(o, 0, sizeof(*o));
		t->tid = r->tid;
		t->state = AXON_PS_RUNNING;
		t->coid = -1;
		o->slot = -1;
	}
	return true;
}

int
axon__ps_page_decode(const struct axon_psp *pg, size_t len, int pid,
    uint64_t start_time, const bool untorn[AXON_PS_THREADS],
    struct axon_ps_page *out)
{
	/* The header: the page of this process, not of one before it
	 * with the same pid. */
	if (pg == NULL || len != sizeof(*pg) || pg->hdr.magic != AXON_PS_MAGIC ||
	    pg->hdr.version != AXON_PS_VERSION ||
	    pg->hdr.size != sizeof(*pg) || pg->hdr.pid != pid ||
	    !in_range(pid, 1, PS_PID_MAX) || start_time == 0 ||
	    pg->hdr.start_time != start_time) {
		return -EPROTO;
	}
	out->truncated = atomic_load_explicit(&pg->hdr.flags,
			     memory_order_relaxed) != 0;
	out->pulses_refused = atomic_load_explicit(&pg->hdr.pulses_refused,
	    memory_order_relaxed);
	out->refused_uid = atomic_load_explicit(&pg->hdr.refused_uid,
	    memory_order_relaxed);
	out->events_failed = atomic_load_explicit(&pg->hdr.events_failed,
	    memory_order_relaxed);
	out->nthreads = 0;
	out->nchans = 0;
	out->nconns = 0;
	for (unsigned i = 0; i < AXON_PS_THREADS; i++) {
		if (pg->thr[i].tid != 0 &&
		    decode_thread(&pg->thr[i], untorn[i],
			&out->thr[out->nthreads])) {
			out->nthreads++;
		}
	}
	for (unsigned i = 0; i < AXON_PS_CHANS; i++) {
		const struct axon_psp_chan *ch = &pg->chan[i];

		if (in_range(ch->chid, 1, PS_ID_MAX)) {
			out->chan[out->nchans].chid = ch->chid;
			out->chan[out->nchans].flags = ch->flags;
			out->nchans++;
		}
	}
	for (unsigned i = 0; i < AXON_PS_CONNS; i++) {
		const struct axon_psp_conn *cn = &pg->conn[i];
		struct axon_ps_page_conn *o = &out->conn[out->nconns];

		if (!cn->used || !in_range(cn->coid, 0, PS_ID_MAX) ||
		    !in_range(cn->pid, 1, PS_PID_MAX) ||
		    !in_range(cn->chid, 0, PS_ID_MAX)) {
			continue;
		}
		memset(o, 0, sizeof(*o));
		o->c.coid = cn->coid;
		o->c.pid = cn->pid;
		o->c.chid = cn->chid;
		o->c.node[0] = '?';
		o->nd = cn->nd;
		out->nconns++;
	}
	/* A broken or hostile page may hold repeats, which the text form
	 * cannot carry. */
	out->nthreads = sort_unique(out->thr, out->nthreads,
	    sizeof(out->thr[0]), cmp_thread);
	out->nchans = sort_unique(out->chan, out->nchans, sizeof(out->chan[0]),
	    cmp_chan);
	out->nconns = sort_unique(out->conn, out->nconns, sizeof(out->conn[0]),
	    cmp_conn);
	return 0;
}

/* The lookup's name of node nd, or "?" if it has none or it is not a
 * node name. */
static void
name_node(const struct axon_ps_lookup *lk, uint32_t nd,
    char out[AXON_PS_NAME_LEN])
{
	char buf[AXON_PS_NAME_LEN];

	memset(buf, 0, sizeof(buf));
	if (lk != NULL && lk->node != NULL) {
		lk->node(lk->arg, nd, buf);
	}
	if (!node_ok(buf, strnlen(buf, sizeof(buf)))) {
		snprintf(out, AXON_PS_NAME_LEN, "?");
		return;
	}
	memcpy(out, buf, AXON_PS_NAME_LEN);
}

int
axon__ps_page_proc(const struct axon_ps_page *d, int pid, unsigned uid,
    const char *comm, size_t comm_len, const struct axon_ps_lookup *lk,
    struct axon_ps_proc *out)
{
	struct axon_ps_proc pr;

	if (!in_range(pid, 1, PS_PID_MAX) || d->nthreads > AXON_PS_THREADS ||
	    d->nchans > AXON_PS_CHANS || d->nconns > AXON_PS_CONNS) {
		return -EINVAL;
	}
	memset(&pr, 0, sizeof(pr));
	pr.pid = pid;
	pr.uid = uid;
	/* comm is whatever the program set (prctl): keep it one field. */
	if (comm_len > 0 && comm[comm_len - 1] == '\n') {
		comm_len--;
	}
	if (comm_len > AXON_PS_NAME_LEN - 1) {
		comm_len = AXON_PS_NAME_LEN - 1;
	}
	if (comm_len == 0) {
		snprintf(pr.name, sizeof(pr.name), "?");
	}
	for (size_t i = 0; i < comm_len; i++) {
		pr.name[i] = comm[i] <= ' ' || comm[i] > '~' ? '?' : comm[i];
	}
	pr.truncated = d->truncated;
	pr.pulses_refused = d->pulses_refused;
	pr.refused_uid = d->refused_uid;
	pr.events_failed = d->events_failed;
	if (d->nthreads > 0) {
		pr.threads = malloc(d->nthreads * sizeof(*pr.threads));
	}
	if (d->nchans > 0) {
		pr.chans = malloc(d->nchans * sizeof(*pr.chans));
	}
	if (d->nconns > 0) {
		pr.conns = malloc(d->nconns * sizeof(*pr.conns));
	}
	if ((d->nthreads > 0 && pr.threads == NULL) ||
	    (d->nchans > 0 && pr.chans == NULL) ||
	    (d->nconns > 0 && pr.conns == NULL)) {
		free(pr.threads);
		free(pr.chans);
		free(pr.conns);
		return -ENOMEM;
	}
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct axon_ps_page_thread *r = &d->thr[i];
		struct axon_ps_thread *t = &pr.threads[i];

		*t = r->t;
		if (t->state != AXON_PS_SEND && t->state != AXON_PS_REPLY) {
			continue;
		}
		name_node(lk, r->nd, t->node);
		if (t->state == AXON_PS_SEND && r->slot >= 0 && lk != NULL &&
		    lk->held != NULL &&
		    lk->held(lk->arg, r->srv_pid, r->scoid, pid, r->slot)) {
			t->state = AXON_PS_REPLY;
		}
	}
	if (d->nchans > 0) {
		memcpy(pr.chans, d->chan, d->nchans * sizeof(*pr.chans));
	}
	for (size_t i = 0; i < d->nconns; i++) {
		pr.conns[i] = d->conn[i].c;
		name_node(lk, d->conn[i].nd, pr.conns[i].node);
	}
	pr.nthreads = d->nthreads;
	pr.nchans = d->nchans;
	pr.nconns = d->nconns;
	*out = pr;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading the status pages                                             */
/* ------------------------------------------------------------------ */

/*
 * (Left out of the fuzzing build, which links this file alone: the
 * reader needs libaxon's /proc and nodes-file helpers.)
 */
#ifndef AXON_PS_NO_COLLECT

#include "axon_spi.h" /* axon__proc_uids, _start_time, axon__nd_name_at */

#define PS_TRIES   50 /* consistent reads of one page attempted */
#define PS_SERVERS 64 /* servers' client tables kept per collect */

static bool
full_pread(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (uint8_t *) buf + done, len - done,
		    (off_t) done);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return false;
		}
		done += (size_t) n;
	}
	return true;
}

/* The bytes of /proc/<pid>/comm in name (not NUL-terminated); how
 * many (0 if it cannot be read). */
static size_t
proc_comm(int pid, char name[AXON_PS_NAME_LEN])
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, name, AXON_PS_NAME_LEN) : -1;
	if (fd >= 0) {
		(void) close(fd);
	}
	return n > 0 ? (size_t) n : 0;
}

/*
 * Reads the page of pid into *a, using *b: two whole reads, one after
 * the other.  The tables count when the header's generation is even
 * and the same in both, and the tables are the same bytes in both; a
 * thread record counts (thr_ok) when its seq is even and it is the same
 * bytes in both.  (A record torn in A was being written while A copied
 * it; its writer had made seq odd first, so B, copied afterwards,
 * differs.)  The page is read with pread(), never mapped: its owner
 * could truncate the file under a mapping and kill the reader with
 * SIGBUS.  Returns true for the page of a live process, read whole.
 */
static bool
page_read(int dfd, int pid, struct axon_psp *a, struct axon_psp *b,
    bool thr_ok[AXON_PS_THREADS])
{
	const size_t t0 = __builtin_offsetof(struct axon_psp, chan);
	const size_t t1 = __builtin_offsetof(struct axon_psp, held);
	struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
	uid_t uids[4];
	struct stat st;
	char name[16];
	bool ok = false;
	int fd;

	snprintf(name, sizeof(name), "%d", pid);
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		return false;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size != (off_t) sizeof(*a)) {
		goto out;
	}
	/*
	 * Its process holds a lock on the page for as long as it maps it
	 * (ps.c): no lock, and the process has died or exec'd.  (Without
	 * open file description locks, the start time below decides.)
	 */
	if (fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_UNLCK) {
		goto out;
	}
	/* Only the process's own user could have made the page. */
	if (axon__proc_uids(pid, uids) < 0 ||
	    (st.st_uid != uids[0] && st.st_uid != uids[1] &&
		st.st_uid != uids[2] && st.st_uid != uids[3])) {
		goto out;
	}
	for (int tries = 0; tries < PS_TRIES; tries++) {
		bool all = true;
		uint32_t gen;

		if (tries > 0) {
			struct timespec ts = {0, 100000};

			(void) nanosleep(&ts, NULL);
		}
		if (!full_pread(fd, a, sizeof(*a)) ||
		    !full_pread(fd, b, sizeof(*b)) ||
		    a->hdr.magic != AXON_PS_MAGIC ||
		    a->hdr.version != AXON_PS_VERSION ||
		    a->hdr.size != sizeof(*a) || a->hdr.pid != pid) {
			ok = false;
			break;
		}
		gen = atomic_load_explicit(&a->hdr.gen, memory_order_relaxed);
		ok = (gen & 1u) == 0 &&
		    gen == atomic_load_explicit(&b->hdr.gen,
			       memory_order_relaxed) &&
		    memcmp((uint8_t *) a + t0, (uint8_t *) b + t0, t1 - t0) ==
			0;
		if (!ok) {
			continue;
		}
		for (unsigned i = 0; i < AXON_PS_THREADS; i++) {
			thr_ok[i] = (atomic_load_explicit(&a->thr[i].seq,
					 memory_order_relaxed) &
					1u) == 0 &&
			    memcmp(&a->thr[i], &b->thr[i], sizeof(a->thr[i])) ==
				0;
			all = all && thr_ok[i];
		}
		if (all) {
			break;
		}
	}
	/* The pid is not a newer process's: same start time. */
	if (ok && (a->hdr.start_time == 0 ||
		      axon__proc_start_time(pid) != a->hdr.start_time)) {
		ok = false;
	}
out:
	(void) close(fd);
	return ok;
}

struct nd_cache {
	int n;
	struct {
		uint32_t nd;
		char name[AXON_PS_NAME_LEN];
	} e[32];
};

static void
node_name(const char *rundir, struct nd_cache *c, uint32_t nd,
    char out[AXON_PS_NAME_LEN])
{
	for (int i = 0; i < c->n; i++) {
		if (c->e[i].nd == nd) {
			memcpy(out, c->e[i].name, AXON_PS_NAME_LEN);
			return;
		}
	}
	if (nd > INT32_MAX ||
	    axon__nd_name_at(rundir, (int) nd, out, AXON_PS_NAME_LEN) < 0 ||
	    !node_ok(out, strlen(out))) {
		snprintf(out, AXON_PS_NAME_LEN, "?");
	}
	if (c->n < (int) (sizeof(c->e) / sizeof(c->e[0]))) {
		c->e[c->n].nd = nd;
		memcpy(c->e[c->n].name, out, AXON_PS_NAME_LEN);
		c->n++;
	}
}

/* What a client's state needs of a server's page. */
struct srv {
	int pid;
	bool ok;
	struct axon_psp_client cli[AXON_PS_CLIENTS];
	uint64_t held[AXON_PS_CLIENTS];
};

struct collect {
	const char *rundir;
	int dfd;
	struct axon_psp *a; /* the page being converted */
	struct axon_psp *b; /* page_read()'s second copy */
	bool thr_ok[AXON_PS_THREADS];
	struct srv *srvs;   /* servers looked at so far */
	size_t nsrvs;
	struct srv spare;   /* once srvs is full */
	struct axon_psp *sa;
	struct nd_cache nds;
	struct axon_ps_page *dec; /* the page being converted, decoded */
};

/* The client table of process pid's page; NULL if none or not live. */
static const struct srv *
srv_get(struct collect *c, int pid)
{
	struct srv *s = &c->spare;
	bool thr_ok[AXON_PS_THREADS];

	for (size_t i = 0; i < c->nsrvs; i++) {
		if (c->srvs[i].pid == pid) {
			return c->srvs[i].ok ? &c->srvs[i] : NULL;
		}
	}
	if (c->nsrvs < PS_SERVERS) {
		s = &c->srvs[c->nsrvs++];
	}
	s->pid = pid;
	s->ok = page_read(c->dfd, pid, c->sa, c->b, thr_ok);
	if (s->ok) {
		memcpy(s->cli, c->sa->cli, sizeof(s->cli));
		for (unsigned i = 0; i < AXON_PS_CLIENTS; i++) {
			s->held[i] = atomic_load_explicit(&c->sa->held[i],
			    memory_order_relaxed);
		}
	}
	return s->ok ? s : NULL;
}

/*
 * Is the message in slot of connection scoid of client pid taken by
 * srv_pid (received, not replied)?  Its page says, in held[].
 */
static bool
held_by(struct collect *c, int srv_pid, int scoid, int pid, int slot)
{
	const struct srv *s;

	if (slot < 0 || slot >= (int) AXON_PS_SLOTS || srv_pid <= 0 ||
	    scoid == 0) {
		return false;
	}
	s = srv_get(c, srv_pid);
	if (s == NULL) {
		return false;
	}
	for (unsigned i = 0; i < AXON_PS_CLIENTS; i++) {
		if (s->cli[i].scoid == scoid && s->cli[i].pid == pid) {
			return (s->held[i] >> slot) & 1u;
		}
	}
	return false;
}

/* The lookups of axon__ps_page_proc(), for the collector. */
static void
lookup_node(void *arg, uint32_t nd, char out[AXON_PS_NAME_LEN])
{
	struct collect *c = arg;

	node_name(c->rundir, &c->nds, nd, out);
}

static bool
lookup_held(void *arg, int srv_pid, int scoid, int pid, int slot)
{
	return held_by(arg, srv_pid, scoid, pid, slot);
}

/* The record of process pid, whose page page_read() put in c->a: 0,
 * 1 if it is not (any longer) a page to list, or -ENOMEM. */
static int
conv_proc(struct collect *c, int pid, struct axon_ps_proc *pr)
{
	const struct axon_ps_lookup lk = {lookup_node, lookup_held, c};
	char comm[AXON_PS_NAME_LEN];
	uid_t uids[4] = {0};
	size_t clen;

	/* (page_read() found the page's start time to be the kernel's.) */
	if (axon__ps_page_decode(c->a, sizeof(*c->a), pid,
		c->a->hdr.start_time, c->thr_ok, c->dec) < 0) {
		return 1;
	}
	(void) axon__proc_uids(pid, uids);
	clen = proc_comm(pid, comm);
	return axon__ps_page_proc(c->dec, pid, uids[1], comm, clen, &lk, pr);
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *) a;
	int y = *(const int *) b;

	return (x > y) - (x < y);
}

/* The pids that have a page in rundir/ps, ascending. */
static int
list_pids(int dfd, int only_pid, int **ret, size_t *ret_n)
{
	int dfd2 = dup(dfd);
	DIR *d;
	struct dirent *e;
	int *pids = NULL;
	size_t n = 0;
	size_t cap = 0;
	int rc = 0;

	if (dfd2 < 0) {
		return -errno;
	}
	d = fdopendir(dfd2);
	if (d == NULL) {
		rc = -errno;
		(void) close(dfd2);
		return rc;
	}
	while ((e = readdir(d)) != NULL) {
		struct tok t = {e->d_name, strlen(e->d_name)};
		int pid;

		/* Page names are canonical pids; anything else (the
		 * ".<pid>.new" of a page being made) is not a page. */
		if (!tok_int(&t, 1, PS_PID_MAX, &pid) ||
		    (only_pid != 0 && pid != only_pid)) {
			continue;
		}
		if (n >= 4 * AXON_PS_MAX_PROCS) {
			break;
		}
		rc = grow((void **) &pids, &cap, n, sizeof(*pids));
		if (rc < 0) {
			break;
		}
		pids[n++] = pid;
	}
	(void) closedir(d);
	if (rc < 0) {
		free(pids);
		return rc;
	}
	if (n > 0) {
		qsort(pids, n, sizeof(*pids), cmp_int);
	}
	*ret = pids;
	*ret_n = n;
	return 0;
}

int
axon__ps_collect(const char *rundir, int only_pid, struct axon_ps_list *out)
{
	struct collect *c;
	struct axon_ps_list l = {0};
	char path[4096];
	int *pids = NULL;
	size_t npids = 0;
	int dfd;
	int rc = 0;

	if ((size_t) snprintf(path, sizeof(path), "%s/ps", rundir) >=
	    sizeof(path)) {
		return -ENAMETOOLONG;
	}
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == ENOENT) {
			*out = l;
			return 0;
		}
		return -errno;
	}
	c = calloc(1, sizeof(*c));
	if (c != NULL) {
		c->rundir = rundir;
		c->dfd = dfd;
		c->a = malloc(sizeof(*c->a));
		c->b = malloc(sizeof(*c->b));
		c->sa = malloc(sizeof(*c->sa));
		c->srvs = calloc(PS_SERVERS, sizeof(*c->srvs));
		c->dec = malloc(sizeof(*c->dec));
	}
	if (c == NULL || c->a == NULL || c->b == NULL || c->sa == NULL ||
	    c->srvs == NULL || c->dec == NULL) {
		rc = -ENOMEM;
	}
	if (rc == 0) {
		rc = list_pids(dfd, only_pid, &pids, &npids);
	}
	if (rc == 0 && npids > 0) {
		l.procs = calloc(npids < AXON_PS_MAX_PROCS ? npids
							   : AXON_PS_MAX_PROCS,
		    sizeof(*l.procs));
		rc = l.procs == NULL ? -ENOMEM : 0;
	}
	for (size_t i = 0; i < npids && rc == 0 && l.n < AXON_PS_MAX_PROCS;
	    i++) {
		if (!page_read(dfd, pids[i], c->a, c->b, c->thr_ok)) {
			continue;
		}
		rc = conv_proc(c, pids[i], &l.procs[l.n]);
		if (rc == 0) {
			l.n++;
		}
		rc = rc > 0 ? 0 : rc;
	}
	if (c != NULL) {
		free(c->a);
		free(c->b);
		free(c->sa);
		free(c->srvs);
		free(c->dec);
		free(c);
	}
	free(pids);
	(void) close(dfd);
	if (rc < 0) {
		axon__ps_free(&l);
		return rc;
	}
	*out = l;
	return 0;
}

#endif /* AXON_PS_NO_COLLECT */
