/* SPDX-License-Identifier: MIT */
/*
 * The reading side of `axon trace` (traceinfo.h): the switch, the
 * collector of a node's rings, and their text form between nodes.
 *
 * A ring is another user's file: everything in it is checked (magic,
 * version, size, pid, each event's sequence word, type and name) and
 * copied out before use, never trusted as a length or an index.  As for
 * the status pages (local-transport.md §10), a reader never maps one
 * (its owner could truncate it under the reader: SIGBUS): it reads it
 * twice and keeps the events that are whole and the same in both
 * copies.  The switch, too, is written with pwrite(), not mapped.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sys/trace.h>

#include "traceinfo.h"

static const char *const type_names[AXON_TR_NTYPES] = {
    [AXON_TR_SEND] = "send",
    [AXON_TR_SENDEND] = "send-end",
    [AXON_TR_RECV] = "receive",
    [AXON_TR_PULSE_RX] = "pulse-receive",
    [AXON_TR_REPLY] = "reply",
    [AXON_TR_PULSE_TX] = "pulse",
    [AXON_TR_BLOCK] = "block",
    [AXON_TR_UNBLOCK] = "unblock",
    [AXON_TR_USER] = "user",
};

const char *
axon__tr_type_name(int type)
{
	return type > 0 && type < AXON_TR_NTYPES ? type_names[type] : NULL;
}

/* The classes an event may be inserted in (not the pseudo-classes). */
static const char *const class_names[] = {
    [_NTO_TRACE_CONTROL] = "control",
    [_NTO_TRACE_INTENTER] = "intenter",
    [_NTO_TRACE_INTEXIT] = "intexit",
    [_NTO_TRACE_KERCALLENTER] = "kercallenter",
    [_NTO_TRACE_KERCALLEXIT] = "kercallexit",
    [_NTO_TRACE_USER] = "user",
    [_NTO_TRACE_PROCESS] = "process",
    [_NTO_TRACE_THREAD] = "thread",
    [_NTO_TRACE_VTHREAD] = "vthread",
    [_NTO_TRACE_COMM] = "comm",
    [_NTO_TRACE_SYSTEM] = "system",
    [_NTO_TRACE_KERCALLINT] = "kercallint",
    [_NTO_TRACE_INT_HANDLER_ENTER] = "int_handler_enter",
    [_NTO_TRACE_INT_HANDLER_EXIT] = "int_handler_exit",
    [_NTO_TRACE_QUIP] = "quip",
    [_NTO_TRACE_SEC] = "sec",
};

const char *
axon__tr_class_name(int cls)
{
	return cls >= 0 &&
		cls < (int) (sizeof(class_names) / sizeof(class_names[0]))
	    ? class_names[cls]
	    : NULL;
}

/* A chunk of a user event as traceinfo.h lays it out. */
static bool
user_ok(const struct axon_tr_event *e)
{
	uint32_t b = (uint32_t) e->b;
	int kind = AXON_TR_UB_KIND(b);
	int cls = AXON_TR_UB_CLASS(b);
	unsigned n = AXON_TR_UB_N(b), used = AXON_TR_UB_USED(b);
	unsigned max = kind == AXON_TR_UKIND_STR
	    ? (AXON_TR_USTR_MAX + AXON_TR_USTR_CHUNK - 1) / AXON_TR_USTR_CHUNK
	    : (AXON_TR_UINTS_MAX + AXON_TR_UINTS_CHUNK - 1) /
		AXON_TR_UINTS_CHUNK;

	if ((b >> 31) != 0 || axon__tr_class_name(cls) == NULL ||
	    e->a < 0 ||
	    e->a > (cls == _NTO_TRACE_USER ? _NTO_TRACE_USERLAST : 0xffff) ||
	    n == 0 || n > max || AXON_TR_UB_IDX(b) >= n) {
		return false;
	}
	if (kind == AXON_TR_UKIND_STR) {
		return used == 0;
	}
	return kind == AXON_TR_UKIND_INTS && used <= AXON_TR_UINTS_CHUNK;
}

bool
axon__tr_event_ok(const struct axon_tr_event *e)
{
	return axon__tr_type_name(e->type) != NULL && e->tid > 0 &&
	    (e->type != AXON_TR_USER || user_ok(e));
}

/* Appends chunk e's payload to u. */
static void
user_take(struct axon_tr_user *u, const struct axon_tr_event *e)
{
	uint32_t w[5] = {(uint32_t) e->c, (uint32_t) e->d, (uint32_t) e->e,
	    (uint32_t) ((uint64_t) e->x & 0xffffffffu),
	    (uint32_t) ((uint64_t) e->x >> 32)};

	if (u->kind == AXON_TR_UKIND_INTS) {
		for (unsigned i = 0; i < AXON_TR_UB_USED(e->b); i++) {
			if (u->len < AXON_TR_UINTS_MAX) {
				u->u.data[u->len++] = (int32_t) w[i];
			}
		}
		return;
	}
	for (unsigned i = 0; i < AXON_TR_USTR_CHUNK; i++) {
		char ch = (char) (w[i / 4] >> (8 * (i % 4)) & 0xffu);

		if (ch == '\0') {
			break;
		}
		if (u->len < AXON_TR_USTR_MAX) {
			u->u.text[u->len++] = ch;
		}
	}
	u->u.text[u->len] = '\0';
}

bool
axon__tr_user_start(struct axon_tr_user *u, const struct axon_tr_event *e)
{
	if (e->type != AXON_TR_USER || !user_ok(e)) {
		return false;
	}
	memset(u, 0, offsetof(struct axon_tr_user, u));
	u->code = e->a;
	u->cls = AXON_TR_UB_CLASS(e->b);
	u->kind = AXON_TR_UB_KIND(e->b);
	u->nchunks = AXON_TR_UB_N(e->b);
	u->first = AXON_TR_UB_IDX(e->b);
	u->next = u->first + 1;
	u->u.text[0] = '\0';
	user_take(u, e);
	u->whole = u->first == 0 && u->next == u->nchunks;
	return true;
}

bool
axon__tr_user_add(struct axon_tr_user *u, const struct axon_tr_event *e)
{
	if (e->type != AXON_TR_USER || !user_ok(e) || e->a != u->code ||
	    AXON_TR_UB_CLASS(e->b) != u->cls ||
	    AXON_TR_UB_KIND(e->b) != u->kind ||
	    AXON_TR_UB_N(e->b) != u->nchunks ||
	    AXON_TR_UB_IDX(e->b) != u->next) {
		return false;
	}
	user_take(u, e);
	u->next++;
	u->whole = u->first == 0 && u->next == u->nchunks;
	return true;
}

void
axon__tr_free(struct axon_tr_list *l)
{
	free(l->procs);
	free(l->ev);
	memset(l, 0, sizeof(*l));
}

/* A name as the text carries it: 1-15 graphic ASCII characters. */
static bool
name_ok(const char *s, size_t n)
{
	if (n == 0 || n >= AXON_TR_NAME_LEN) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= ' ' || s[i] > '~') {
			return false;
		}
	}
	return true;
}

#ifndef AXON_TR_NO_COLLECT

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

/* Whether the process that made the ring open as fd is gone: nobody
 * holds its OFD lock. */
static bool
ring_dead(int fd)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

	return fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_UNLCK;
}

/* The pid a ring's file name gives, or 0: not a ring's name. */
static int
ring_pid(const char *name)
{
	long v = 0;

	if (name[0] < '1' || name[0] > '9') {
		return 0;
	}
	for (const char *p = name; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || v > INT32_MAX / 10) {
			return 0;
		}
		v = v * 10 + (*p - '0');
	}
	return v <= INT32_MAX ? (int) v : 0;
}

static int
ctl_open(const char *rundir, int *ret_fd)
{
	struct axon_tr_ctl c = {
	    .magic = AXON_TR_CTL_MAGIC, .version = AXON_TR_VERSION};
	char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX];
	struct stat st;
	int fd;

	if ((size_t) snprintf(dir, sizeof(dir), "%s/trace", rundir) >=
		sizeof(dir) ||
	    (size_t) snprintf(path, sizeof(path), "%s/ctl", dir) >=
		sizeof(path) ||
	    (size_t) snprintf(tmp, sizeof(tmp), "%s/.ctl.%d", dir,
		(int) getpid()) >= sizeof(tmp)) {
		return -ENAMETOOLONG;
	}
	if (mkdir(dir, 01777) == 0) {
		(void) chmod(dir, 01777);
	} else if (errno != EEXIST) {
		return -errno;
	}
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		struct stat rst;
		int t;

		/* Only those whose switch every process maps make one. */
		if (stat(rundir, &rst) < 0) {
			return -errno;
		}
		if (geteuid() != 0 && geteuid() != rst.st_uid) {
			return -EACCES;
		}
		(void) unlink(tmp);
		t = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
			O_NOFOLLOW, 0644);
		if (t < 0) {
			return -errno;
		}
		(void) fchmod(t, 0644);
		if (write(t, &c, sizeof(c)) != (ssize_t) sizeof(c)) {
			(void) close(t);
			(void) unlink(tmp);
			return -EIO;
		}
		(void) close(t);
		(void) link(tmp, path); /* (one that is there stays) */
		(void) unlink(tmp);
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0) {
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size != (off_t) sizeof(c)) {
		(void) close(fd);
		return -EPROTO;
	}
	*ret_fd = fd;
	return 0;
}

static void collect_dir(const char *rundir, uint64_t since,
    struct axon_tr_list *l, bool dead_only);

/* Aligned stores of 4 and 8 bytes, which the readers' loads see whole. */
static int
put_word(int fd, const void *p, size_t len, size_t off)
{
	return pwrite(fd, p, len, (off_t) off) == (ssize_t) len ? 0 : -EIO;
}

int
axon__tr_switch(const char *rundir, unsigned seconds, uint64_t *ret_now)
{
	struct axon_tr_ctl c;
	uint64_t until = 0;
	uint32_t on = 0;
	int fd, rc;

	rc = ctl_open(rundir, &fd);
	if (rc < 0) {
		return rc;
	}
	if (pread(fd, &c, sizeof(c), 0) != (ssize_t) sizeof(c) ||
	    c.magic != AXON_TR_CTL_MAGIC || c.version != AXON_TR_VERSION) {
		(void) close(fd);
		return -EPROTO;
	}
	*ret_now = now_ns();
	if (seconds > 0) {
		/* The rings of processes gone since the last trace. */
		collect_dir(rundir, UINT64_MAX, NULL, true);
		until = *ret_now + (uint64_t) seconds * 1000000000ull;
		on = 1;
		/* until first: on with an old until records nothing */
		rc = put_word(fd, &until, sizeof(until),
		    offsetof(struct axon_tr_ctl, until));
		if (rc == 0) {
			rc = put_word(fd, &on, sizeof(on),
			    offsetof(struct axon_tr_ctl, on));
		}
	} else {
		rc = put_word(fd, &on, sizeof(on),
		    offsetof(struct axon_tr_ctl, on));
		if (rc == 0) {
			rc = put_word(fd, &until, sizeof(until),
			    offsetof(struct axon_tr_ctl, until));
		}
	}
	(void) close(fd);
	return rc;
}

/* Adds what ring r holds from since on to l: the events whole in r and
 * the same in r2, a second copy read after it. */
static int
take_ring(const struct axon_tr_ring *r, const struct axon_tr_ring *r2,
    int pid, uint64_t since, struct axon_tr_list *l, size_t *text)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint64_t first = head > AXON_TR_ENTRIES ? head - AXON_TR_ENTRIES : 0;
	struct axon_tr_proc *pr;
	char name[AXON_TR_NAME_LEN];
	bool oldest_in = false;

	memcpy(name, r->name, sizeof(name));
	name[AXON_TR_NAME_LEN - 1] = '\0';
	if (!name_ok(name, strlen(name))) {
		strcpy(name, "?");
	}
	if (l->nprocs >= AXON_TR_MAX_PROCS ||
	    *text + 2 * AXON_TR_LINE_MAX > AXON_TR_TEXT_MAX) {
		/* No room for it: its events (at most) count as left out. */
		l->lost += head - first;
		return 0;
	}
	if (l->nprocs % 64 == 0) {
		void *np = realloc(l->procs, (l->nprocs + 64) * sizeof(*pr));

		if (np == NULL) {
			return -ENOMEM;
		}
		l->procs = np;
	}
	pr = &l->procs[l->nprocs++];
	memset(pr, 0, sizeof(*pr));
	pr->pid = pid;
	memcpy(pr->name, name, sizeof(name));
	*text += AXON_TR_LINE_MAX;
	for (uint64_t i = first; i < head; i++) {
		const struct axon_tr_ent *e = &r->ent[i % AXON_TR_ENTRIES];
		uint64_t s1 = atomic_load_explicit(&e->seq,
		    memory_order_relaxed);
		struct axon_tr_event ev;
		int type;

		if (s1 != i + 1 ||
		    memcmp(e, &r2->ent[i % AXON_TR_ENTRIES], sizeof(*e)) != 0) {
			continue; /* being written, or written over */
		}
		ev.pid = pid;
		ev.tid = e->tid;
		ev.ts = e->ts;
		type = e->type;
		ev.a = e->a;
		ev.b = e->b;
		ev.c = e->c;
		ev.d = e->d;
		ev.e = e->e;
		ev.x = e->x;
		ev.type = type;
		if (!axon__tr_event_ok(&ev)) {
			continue;
		}
		if (i == first && ev.ts >= since) {
			oldest_in = true;
		}
		if (ev.ts < since) {
			continue;
		}
		if (*text + AXON_TR_LINE_MAX > AXON_TR_TEXT_MAX) {
			l->lost++;
			continue;
		}
		if (l->nev % 1024 == 0) {
			void *np = realloc(l->ev, (l->nev + 1024) * sizeof(ev));

			if (np == NULL) {
				return -ENOMEM;
			}
			l->ev = np;
		}
		l->ev[l->nev++] = ev;
		*text += AXON_TR_LINE_MAX;
	}
	/* The ring went round during the trace: the events written over
	 * (some may be from before it: at most). */
	if (oldest_in && first > 0) {
		pr->dropped = first;
	}
	return 0;
}

/* Reads every ring of rundir into l (l NULL: none), and removes those of
 * dead processes (dead_only: only looks at those). */
static void
collect_dir(const char *rundir, uint64_t since, struct axon_tr_list *l,
    bool dead_only)
{
	struct axon_tr_ring *r = NULL, *r2 = NULL;
	char dir[PATH_MAX];
	size_t text = AXON_TR_LINE_MAX; /* the first line's */
	struct dirent *de;
	DIR *d;
	int dfd;

	if ((size_t) snprintf(dir, sizeof(dir), "%s/trace", rundir) >=
		sizeof(dir)) {
		return;
	}
	if (l != NULL && ((r = malloc(sizeof(*r))) == NULL ||
			     (r2 = malloc(sizeof(*r2))) == NULL)) {
		free(r);
		return;
	}
	if ((d = opendir(dir)) == NULL) {
		free(r);
		free(r2);
		return;
	}
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		int pid = ring_pid(de->d_name);
		struct stat st;
		bool dead;
		int fd;

		if (pid == 0) {
			continue;
		}
		fd = openat(dfd, de->d_name, O_RDONLY | O_CLOEXEC |
			O_NOFOLLOW | O_NONBLOCK);
		if (fd < 0) {
			continue;
		}
		dead = ring_dead(fd);
		if (dead_only && !dead) {
			(void) close(fd);
			continue;
		}
		if (l != NULL && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size == (off_t) sizeof(*r) &&
		    pread(fd, r, sizeof(*r), 0) == (ssize_t) sizeof(*r) &&
		    pread(fd, r2, sizeof(*r2), 0) == (ssize_t) sizeof(*r2) &&
		    r->magic == AXON_TR_RING_MAGIC &&
		    r->version == AXON_TR_VERSION && r->size == sizeof(*r) &&
		    r->pid == pid) {
			(void) take_ring(r, r2, pid, since, l, &text);
		}
		(void) close(fd);
		if (dead) {
			(void) unlinkat(dfd, de->d_name, 0);
		}
	}
	(void) closedir(d);
	free(r);
	free(r2);
}

int
axon__tr_collect(const char *rundir, uint64_t since, struct axon_tr_list *l)
{
	memset(l, 0, sizeof(*l));
	l->now = now_ns();
	collect_dir(rundir, since, l, false);
	return 0;
}

#endif /* AXON_TR_NO_COLLECT */

/* ---- the text form ---- */

int
axon__tr_format(const struct axon_tr_list *l, char **ret_text,
    size_t *ret_len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f;
	int rc = 0;

	*ret_text = NULL;
	*ret_len = 0;
	for (size_t i = 0; i < l->nprocs; i++) {
		const struct axon_tr_proc *p = &l->procs[i];

		if (p->pid <= 0 || !name_ok(p->name, strnlen(p->name,
						      AXON_TR_NAME_LEN))) {
			return -EINVAL;
		}
	}
	f = open_memstream(&buf, &size);
	if (f == NULL) {
		return -ENOMEM;
	}
	fprintf(f, "now %" PRIu64 " lost %" PRIu64 "\n", l->now, l->lost);
	for (size_t i = 0; i < l->nprocs; i++) {
		const struct axon_tr_proc *p = &l->procs[i];

		fprintf(f, "P %d %" PRIu64 " %s\n", p->pid, p->dropped,
		    p->name);
	}
	for (size_t i = 0; i < l->nev; i++) {
		const struct axon_tr_event *e = &l->ev[i];

		if (e->pid <= 0 || !axon__tr_event_ok(e)) {
			rc = -EINVAL;
			break;
		}
		fprintf(f,
		    "E %d %d %" PRIu64 " %d %" PRId32 " %" PRId32 " %" PRId32
		    " %" PRId32 " %" PRId32 " %" PRId64 "\n",
		    e->pid, e->tid, e->ts, e->type, e->a, e->b, e->c, e->d,
		    e->e, e->x);
	}
	if (fclose(f) != 0 && rc == 0) {
		rc = -ENOMEM;
	}
	if (rc < 0 || buf == NULL) {
		free(buf);
		return rc < 0 ? rc : -ENOMEM;
	}
	*ret_text = buf;
	*ret_len = size;
	return 0;
}

/* ---- the parser: canonical numbers only ---- */

struct cur {
	const char *p, *end;
};

static bool
lit(struct cur *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t) (c->end - c->p) < n || memcmp(c->p, s, n) != 0) {
		return false;
	}
	c->p += n;
	return true;
}

/* An unsigned decimal without leading zeros, at most max. */
static bool
get_u(struct cur *c, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	const char *s = c->p;

	if (s == c->end || *s < '0' || *s > '9') {
		return false;
	}
	if (*s == '0') {
		c->p++;
		*v = 0;
		return c->p == c->end || *c->p < '0' || *c->p > '9';
	}
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		unsigned d = (unsigned) (*c->p - '0');

		if (d > max || x > (max - d) / 10) {
			return false;
		}
		x = x * 10 + d;
		c->p++;
	}
	*v = x;
	return true;
}

/* A signed decimal: "-" then a non-zero unsigned one, or an unsigned
 * one, within [min, max]. */
static bool
get_s(struct cur *c, int64_t min, int64_t max, int64_t *v)
{
	uint64_t u;

	if (c->p < c->end && *c->p == '-') {
		c->p++;
		if (!get_u(c, (uint64_t) -(min + 1) + 1, &u) || u == 0) {
			return false;
		}
		*v = u == (uint64_t) -(min + 1) + 1 ? min : -(int64_t) u;
		return true;
	}
	if (!get_u(c, (uint64_t) max, &u)) {
		return false;
	}
	*v = (int64_t) u;
	return true;
}

static bool
get_i32(struct cur *c, int32_t *v)
{
	int64_t x;

	if (!lit(c, " ") || !get_s(c, INT32_MIN, INT32_MAX, &x)) {
		return false;
	}
	*v = (int32_t) x;
	return true;
}

static bool
get_pos(struct cur *c, int *v)
{
	uint64_t x;

	if (!lit(c, " ") || !get_u(c, INT32_MAX, &x) || x == 0) {
		return false;
	}
	*v = (int) x;
	return true;
}

static int
parse_lines(struct cur *c, struct axon_tr_list *l)
{
	uint64_t u;

	if (!lit(c, "now ") || !get_u(c, UINT64_MAX, &l->now) ||
	    !lit(c, " lost ") || !get_u(c, UINT64_MAX, &l->lost) ||
	    !lit(c, "\n")) {
		return -EPROTO;
	}
	while (c->p < c->end && *c->p == 'P') {
		struct axon_tr_proc *p;
		const char *nm;

		if (l->nprocs >= AXON_TR_MAX_PROCS) {
			return -EPROTO;
		}
		if (l->nprocs % 64 == 0) {
			void *np = realloc(l->procs,
			    (l->nprocs + 64) * sizeof(*p));

			if (np == NULL) {
				return -ENOMEM;
			}
			l->procs = np;
		}
		p = &l->procs[l->nprocs];
		memset(p, 0, sizeof(*p));
		c->p++;
		if (!get_pos(c, &p->pid) || !lit(c, " ") ||
		    !get_u(c, UINT64_MAX, &p->dropped) || !lit(c, " ")) {
			return -EPROTO;
		}
		nm = c->p;
		while (c->p < c->end && *c->p != '\n') {
			c->p++;
		}
		if (!name_ok(nm, (size_t) (c->p - nm)) || !lit(c, "\n")) {
			return -EPROTO;
		}
		memcpy(p->name, nm, (size_t) (c->p - 1 - nm));
		for (size_t i = 0; i < l->nprocs; i++) {
			if (l->procs[i].pid == p->pid) {
				return -EPROTO;
			}
		}
		l->nprocs++;
	}
	while (c->p < c->end) {
		struct axon_tr_event e;
		bool known = false;

		if (!lit(c, "E") || !get_pos(c, &e.pid) ||
		    !get_pos(c, &e.tid) || !lit(c, " ") ||
		    !get_u(c, UINT64_MAX, &e.ts) || !lit(c, " ") ||
		    !get_u(c, AXON_TR_NTYPES - 1, &u) || u == 0 ||
		    !get_i32(c, &e.a) || !get_i32(c, &e.b) ||
		    !get_i32(c, &e.c) || !get_i32(c, &e.d) ||
		    !get_i32(c, &e.e) || !lit(c, " ") ||
		    !get_s(c, INT64_MIN, INT64_MAX, &e.x) || !lit(c, "\n")) {
			return -EPROTO;
		}
		e.type = (int) u;
		if (!axon__tr_event_ok(&e)) {
			return -EPROTO; /* a user event's chunk malformed */
		}
		for (size_t i = 0; i < l->nprocs && !known; i++) {
			known = l->procs[i].pid == e.pid;
		}
		if (!known) {
			return -EPROTO; /* an event of a process not listed */
		}
		if (l->nev % 1024 == 0) {
			void *np = realloc(l->ev, (l->nev + 1024) * sizeof(e));

			if (np == NULL) {
				return -ENOMEM;
			}
			l->ev = np;
		}
		l->ev[l->nev++] = e;
	}
	return 0;
}

int
axon__tr_parse(const char *text, size_t len, struct axon_tr_list *l)
{
	struct cur c = {text, text + len};
	int rc;

	memset(l, 0, sizeof(*l));
	if (len > AXON_TR_TEXT_MAX) {
		return -EPROTO;
	}
	rc = parse_lines(&c, l);
	if (rc < 0) {
		axon__tr_free(l);
	}
	return rc;
}
