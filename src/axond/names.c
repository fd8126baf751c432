/* SPDX-License-Identifier: MIT */
/*
 * axond: global names (names.h, docs/design/names.md).
 *
 * This node's names: every tick, the registry $AXON_RUNDIR/name/global/
 * is walked; an entry counts while its owner lives (the pid exists and
 * its start time is the one recorded, and the file's owner is root or
 * one of the process's uids, as name_open() checks).  Its registration
 * stamp is our own wall-clock time at the scan that first saw it live
 * (nothing a user can set, as a file's times are), kept across our
 * restarts through the names file we wrote (see names_prev_load()).
 * What is in a registry and is no live entry (a killed server's entry,
 * a planted file, an old empty directory) is removed, and registry
 * directories are given to root, so that nobody squats names for
 * others (docs/design/names.md, "Trust").  When the list of live
 * names changes, it goes to every peer whole, as a stream of NAMES
 * chunks (FIRST ... LAST) that the session's scheduler interleaves with
 * messages; a change while a list is on its way starts it over, and the
 * receiver drops the half it got.  A new session gets the list at once.
 *
 * Peers' names: a peer's list replaces what we knew from it when its
 * LAST chunk arrives; when its session is lost, all of them go.
 *
 * Every change rewrites $AXON_RUNDIR/names, which is what name_open()
 * reads.
 */
#define _GNU_SOURCE
#include "names.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "session.h"
#include "module.h"

/* A live entry's start time is read again this often (a pid that was
 * reused while we were not looking). */
#define NAMES_RECHECK_NS 1000000000ull

/* A name has at most 128 components (255 bytes). */
#define NAMES_DEPTH_MAX 128

/* An empty registry directory is removed once it has not changed for
 * this long (name_attach() makes the directories, then links the entry
 * in; it makes them again if they went meanwhile). */
#define NAMES_EMPTY_DIR_NS 1000000000ull

/* The local registry is only reclaimed (nothing is published): this
 * often. */
#define NAMES_LOCAL_NS 1000000000ull

/* The names file we read back at start: at most this big. */
#define NAMES_PREV_MAX (4u << 20)

/* The names of one node, sorted by name. */
struct names_list {
	struct axon_wire_name *v;
	uint32_t n, cap;
};

/* One entry of this node's registry, as last scanned. */
struct names_ent {
	struct axon_wire_name n;  /* name, pid, chid, stamp (first seen) */
	unsigned long long start; /* the owner's start time, as recorded */
	uid_t owner;              /* the file's owner */
	dev_t dev;                /* the file, as read: a change of any of */
	ino_t ino;                /* these (ctime cannot be set back) means */
	off_t size;               /* it is read again */
	struct timespec mtime, ctime;
	bool valid;               /* the entry parsed */
	bool live;
	uid_t uid;                /* the file's owner: whose share it uses */
	bool over;                /* live, beyond its owner's share */
	uint64_t checked;         /* when its start time was last compared */
};

/* What we exchange with one peer (by nd). */
struct names_peer {
	struct axd_stream st;     /* first: our list on its way to it */
	uint32_t next;            /* our next entry to send */
	struct names_list have;   /* its names, as last applied */
	struct names_list part;   /* its list being received */
	bool part_open;           /* FIRST came, LAST not yet */
	bool part_over;           /* longer than AXD_NAMES_MAX */
};

struct names_scan {
	struct names_ent *v;
	uint32_t n, cap;
	uint32_t visited;         /* directory entries of any kind */
	uint64_t now;
	uint64_t wall;            /* CLOCK_REALTIME, ns: new entries' stamp */
	bool local;               /* name/local: reclaimed, not collected */
	bool full;                /* AXD_NAMES_SCAN_MAX entries seen */
	bool failed;              /* incomplete: keep what we had */
};

static struct names_ent *reg;      /* the registry, sorted by name */
static uint32_t nreg;
static struct names_list own;      /* our live names */
static struct names_peer *npeer[ND_NODE_MASK + 1];
static bool names_dirty;           /* the names file is out of date */
static struct names_ent *prev;     /* our claims as the names file we
				    * found at start had them, by name */
static uint32_t nprev;
static uint64_t local_next;        /* when name/local is reclaimed next */
static uint64_t last_wall;         /* when the last scan began (wall) */
static bool own_over_logged, scan_over_logged, user_over_logged;
static uint8_t chunk[AXON_WIRE_NAMES_MAX * AXON_WIRE_NAME_ENTRY];

/* ---- the conflict rule and the names file ---- */

int
axd_names_rank(const struct axd_claim *a, const struct axd_claim *b)
{
	int c;

	if (a->stamp != b->stamp) {
		return a->stamp < b->stamp ? -1 : 1;
	}
	c = strcmp(a->node, b->node);
	if (c != 0) {
		return c < 0 ? -1 : 1;
	}
	if (a->pid != b->pid) {
		return a->pid < b->pid ? -1 : 1;
	}
	if (a->chid != b->chid) {
		return a->chid < b->chid ? -1 : 1;
	}
	return 0;
}

static int
claim_cmp(const void *x, const void *y)
{
	const struct axd_claim *a = x;
	const struct axd_claim *b = y;
	int c = strcmp(a->name, b->name);

	return c != 0 ? c : axd_names_rank(a, b);
}

void
axd_names_sort(struct axd_claim *v, size_t n)
{
	if (n > 1) {
		qsort(v, n, sizeof(*v), claim_cmp);
	}
}

int
axd_names_fprint(FILE *f, const struct axd_claim *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool first = i == 0 || strcmp(v[i].name, v[i - 1].name) != 0;

		fprintf(f, "%c %d %d %d %llu %llu %s %s\n", first ? '+' : '-',
		    v[i].nd, (int) v[i].pid, (int) v[i].chid,
		    (unsigned long long) v[i].stamp,
		    (unsigned long long) v[i].start, v[i].node, v[i].name);
	}
	return ferror(f) ? -EIO : 0;
}

static void
names_path(char *buf, size_t len, const char *suffix)
{
	snprintf(buf, len, "%s/names%s", g.rundir, suffix);
}

static const struct names_ent *reg_find(const char *name);

#define NAMES_HEADER "# axon names v2: state nd pid chid stamp start node name\n"

/* $AXON_RUNDIR/names: every claim we know, this node's with nd 0. */
static void
names_write(void)
{
	char path[PATH_MAX];
	char tmp[PATH_MAX];
	struct axd_claim *v;
	size_t n = own.n;
	size_t k = 0;
	FILE *f;
	int rc;

	for (int nd = 1; nd <= g.npeers_hwm; nd++) {
		if (npeer[nd] != NULL && g.peers[nd] != NULL) {
			n += npeer[nd]->have.n;
		}
	}
	v = calloc(n > 0 ? n : 1, sizeof(*v));
	if (v == NULL) {
		axd_log(AXD_WARN, "cannot write the names file: %s",
		    strerror(ENOMEM));
		return; /* still dirty: the next tick tries again */
	}
	names_dirty = false;
	for (uint32_t i = 0; i < own.n; i++) {
		const struct names_ent *e = reg_find(own.v[i].name);

		v[k++] = (struct axd_claim){
			.name = own.v[i].name,
			.node = g.cfg.node,
			.nd = ND_LOCAL_NODE,
			.pid = own.v[i].pid,
			.chid = own.v[i].chid,
			.stamp = own.v[i].stamp,
			.start = e != NULL ? e->start : 0,
		};
	}
	for (int nd = 1; nd <= g.npeers_hwm; nd++) {
		struct names_peer *np = npeer[nd];

		for (uint32_t i = 0; np != NULL && g.peers[nd] != NULL &&
		     i < np->have.n; i++) {
			v[k++] = (struct axd_claim){
				.name = np->have.v[i].name,
				.node = g.peers[nd]->name,
				.nd = nd,
				.pid = np->have.v[i].pid,
				.chid = np->have.v[i].chid,
				.stamp = np->have.v[i].stamp,
			};
		}
	}
	axd_names_sort(v, k);
	names_path(path, sizeof(path), "");
	names_path(tmp, sizeof(tmp), ".tmp");
	f = axon__tmp_fopen(tmp);
	if (f == NULL) {
		axd_log(AXD_WARN, "cannot write %s: %s", tmp, strerror(errno));
		free(v);
		return;
	}
	fputs(NAMES_HEADER, f);
	rc = axd_names_fprint(f, v, k);
	if (fclose(f) != 0 || rc < 0 || rename(tmp, path) < 0) {
		axd_log(AXD_WARN, "cannot write %s: %s", path,
		    strerror(rc < 0 ? -rc : errno));
		(void) unlink(tmp);
	}
	free(v);
}

/* ---- lists ---- */

static int
list_push(struct names_list *l, const struct axon_wire_name *n)
{
	if (l->n == l->cap) {
		uint32_t cap = l->cap > 0 ? l->cap * 2 : 16;
		struct axon_wire_name *v;

		if (cap > AXD_NAMES_MAX) {
			cap = AXD_NAMES_MAX;
		}
		if (cap <= l->n) {
			return -ENOSPC;
		}
		v = reallocarray(l->v, cap, sizeof(*v));
		if (v == NULL) {
			return -ENOMEM;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *n;
	return 0;
}

static bool
name_eq(const struct axon_wire_name *a, const struct axon_wire_name *b)
{
	return a->pid == b->pid && a->chid == b->chid &&
	    a->stamp == b->stamp && strcmp(a->name, b->name) == 0;
}

static bool
list_eq(const struct names_list *a, const struct names_list *b)
{
	if (a->n != b->n) {
		return false;
	}
	for (uint32_t i = 0; i < a->n; i++) {
		if (!name_eq(&a->v[i], &b->v[i])) {
			return false;
		}
	}
	return true;
}

static void
list_swap(struct names_list *a, struct names_list *b)
{
	struct names_list t = *a;

	*a = *b;
	*b = t;
}

static void
list_free(struct names_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static struct names_peer *
peer_get(int nd)
{
	if (nd <= 0 || nd > ND_NODE_MASK) {
		return NULL;
	}
	if (npeer[nd] == NULL) {
		npeer[nd] = calloc(1, sizeof(*npeer[nd]));
	}
	return npeer[nd];
}

/* ---- sending our list ---- */

/* The next chunk of our list to the peer of s; true while more remain. */
static bool
names_produce(struct axd_sess *s, struct axd_stream *st)
{
	struct names_peer *np = (struct names_peer *) st;
	struct axon_wire_frame f;
	uint32_t cnt;

	if (np->next > own.n) {
		np->next = 0; /* cannot happen: a change restarts the list */
	}
	cnt = own.n - np->next;
	if (cnt > AXON_WIRE_NAMES_MAX) {
		cnt = AXON_WIRE_NAMES_MAX;
	}
	for (uint32_t i = 0; i < cnt; i++) {
		axon__wire_name_put(chunk + (size_t) i * AXON_WIRE_NAME_ENTRY,
		    &own.v[np->next + i]);
	}
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_NAMES;
	f.flags = (uint16_t) ((np->next == 0 ? AXON_WF_FIRST : 0) |
	    (np->next + cnt == own.n ? AXON_WF_LAST : 0));
	f.u.names.count = cnt;
	f.data = cnt > 0 ? chunk : NULL;
	f.data_len = cnt * AXON_WIRE_NAME_ENTRY;
	if (axd_send_frame(s, &f) < 0 || s->state == S_DEAD) {
		np->next = 0;
		return false;
	}
	np->next += cnt;
	if (np->next == own.n) {
		np->next = 0;
		return false;
	}
	return true;
}

/* Starts (over) sending our list on the peer's session. */
static void
send_list(struct axd_sess *s, struct names_peer *np)
{
	np->next = 0;
	np->st.produce = names_produce;
	axd_stream_add(s, &np->st);
}

/* ---- this node's registry ---- */

static bool
chars_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char) *s;

		if (c < 0x20 || c == 0x7f) {
			return false;
		}
	}
	return true;
}

static int
ent_cmp(const void *x, const void *y)
{
	const struct names_ent *a = x;
	const struct names_ent *b = y;

	return strcmp(a->n.name, b->n.name);
}

static int
ent_key_cmp(const void *key, const void *x)
{
	const struct names_ent *e = x;

	return strcmp(key, e->n.name);
}

static const struct names_ent *
reg_find(const char *name)
{
	if (nreg == 0) {
		return NULL;
	}
	return bsearch(name, reg, nreg, sizeof(*reg), ent_key_cmp);
}

/* "pid chid starttime", as name_attach() writes it. */
static bool
ent_read(int dfd, const char *file, struct names_ent *e)
{
	struct axon_name_entry r;

	if (axon__name_entry_read(dfd, file, &r) < 0) {
		return false;
	}
	e->n.pid = r.pid;
	e->n.chid = r.chid;
	e->start = r.start;
	e->owner = r.owner;
	return true;
}

static bool
ent_live(const struct names_ent *e)
{
	struct axon_name_entry r = {
		.pid = e->n.pid,
		.chid = e->n.chid,
		.start = e->start,
		.owner = e->owner,
	};

	return axon__name_entry_live(&r);
}

static bool
ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* The same registration: one name, one process, one channel. */
static bool
ent_same(const struct names_ent *a, const struct names_ent *b)
{
	return a->n.pid == b->n.pid && a->n.chid == b->n.chid &&
	    a->start == b->start && strcmp(a->n.name, b->n.name) == 0;
}

static const struct names_ent *
prev_find(const char *name);

/*
 * The stamp of a live entry: kept while it is the same registration, or
 * as we recorded it before a restart.  A new one gets the file's change
 * time (which a user can only move forward: link(), rename(), writes
 * and utimensat() all set it to now), bounded by this scan and the one
 * before (which did not see it: it came after that one began, unless
 * it was moved in with a directory, whose files keep their times).  At
 * our first scan there is no scan before: an entry we have no record of
 * is as new as that scan.  Never anything its owner could set back.
 */
static uint64_t
ent_stamp(const struct names_ent *e, const struct names_ent *old,
    const struct names_scan *sc)
{
	const struct names_ent *p = prev_find(e->n.name);
	uint64_t c = (uint64_t) e->ctime.tv_sec * 1000000000ull +
	    (uint64_t) e->ctime.tv_nsec;

	if (old != NULL && old->live && old->n.stamp != 0 &&
	    ent_same(e, old)) {
		return old->n.stamp;
	}
	if (p != NULL && ent_same(e, p)) {
		return p->n.stamp;
	}
	if (last_wall == 0 || last_wall > sc->wall) {
		return sc->wall; /* the first scan, or the clock went back */
	}
	return c < last_wall ? last_wall : c > sc->wall ? sc->wall : c;
}

/* Removes what is at file, unless it became a live entry meanwhile, or
 * is not ours to remove (we do not run as root: then it stays). */
static void
ent_reclaim(int dfd, const char *file)
{
	(void) axon__name_reclaim(dfd, file, NAMES_DEPTH_MAX);
}

static void
scan_file(int dfd, const char *file, const char *rel, const struct stat *st,
    struct names_scan *sc)
{
	const struct names_ent *old = sc->local ? NULL : reg_find(rel);
	struct names_ent e;
	bool fresh = true;

	if (sc->local) {
		/* Only reclaimed: a stale or planted file goes. */
		memset(&e, 0, sizeof(e));
		if (!ent_read(dfd, file, &e) || !ent_live(&e)) {
			ent_reclaim(dfd, file);
		}
		return;
	}
	if (sc->n == AXD_NAMES_SCAN_MAX) {
		sc->full = true;
		return;
	}
	if (sc->n == sc->cap) {
		uint32_t cap = sc->cap > 0 ? sc->cap * 2 : 64;
		struct names_ent *v;

		if (cap > AXD_NAMES_SCAN_MAX) {
			cap = AXD_NAMES_SCAN_MAX;
		}
		v = reallocarray(sc->v, cap, sizeof(*v));
		if (v == NULL) {
			sc->failed = true;
			return;
		}
		sc->v = v;
		sc->cap = cap;
	}
	memset(&e, 0, sizeof(e));
	e.uid = st->st_uid;
	e.dev = st->st_dev;
	e.ino = st->st_ino;
	e.size = st->st_size;
	e.mtime = st->st_mtim;
	e.ctime = st->st_ctim;
	if (old != NULL && old->dev == e.dev && old->ino == e.ino &&
	    old->size == e.size && ts_eq(&old->mtime, &e.mtime) &&
	    ts_eq(&old->ctime, &e.ctime)) {
		e = *old; /* the same file: what we read from it holds */
		fresh = false;
		e.uid = st->st_uid;
	} else {
		snprintf(e.n.name, sizeof(e.n.name), "%s", rel);
		e.valid = ent_read(dfd, file, &e);
	}
	if (!e.valid) {
		e.live = false;
	} else if (kill(e.n.pid, 0) < 0 && errno == ESRCH) {
		e.live = false;
	} else if (fresh || sc->now - e.checked >= NAMES_RECHECK_NS) {
		e.live = ent_live(&e);
		e.checked = sc->now;
	}
	if (e.live && (fresh || e.n.stamp == 0)) {
		e.n.stamp = ent_stamp(&e, old, sc);
	} else if (!e.live) {
		e.n.stamp = 0;
	}
	if (!e.live && (fresh || old == NULL || old->live)) {
		/* A killed server's entry, or one that names a process
		 * it may not: nobody's name, and in someone's way. */
		ent_reclaim(dfd, file);
	}
	sc->v[sc->n++] = e;
}

/* A registry directory: root's, so that no user may remove what others
 * put in it (the owner of a sticky directory may), and every user's
 * (01777).  Only root can do it; anyone else leaves it. */
static void
dir_claim(int fd, const struct stat *st)
{
	if (geteuid() != 0) {
		return;
	}
	if ((st->st_uid != 0 || st->st_gid != 0) && fchown(fd, 0, 0) < 0) {
		axd_log(AXD_DEBUG, "cannot give a registry directory to root: "
		    "%s", strerror(errno));
	}
	if ((st->st_mode & 07777) != 01777) {
		(void) fchmod(fd, 01777);
	}
}

/* Walks the directory dfd (closed here), rel being its path in the
 * registry (rlen bytes, rel has room for a whole name). */
static void
scan_dir(int dfd, char *rel, size_t rlen, int depth, struct names_scan *sc)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (d == NULL) {
		(void) close(dfd);
		sc->failed = true;
		return;
	}
	while (!sc->full && !sc->failed && (de = readdir(d)) != NULL) {
		const char *nm = de->d_name;
		size_t len = strlen(nm);
		size_t nl = rlen;
		struct stat st;

		/* Every entry counts toward the bound, names or not: the
		 * directory is anyone's (01777), and a tick must stay short
		 * whatever they put there. */
		if (++sc->visited > 4 * AXD_NAMES_SCAN_MAX) {
			sc->full = true;
			break;
		}
		if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 ||
		    !chars_ok(nm) ||
		    rlen + (rlen > 0 ? 1 : 0) + len >= AXON_WIRE_NAME_LEN) {
			continue; /* not a name libaxon can publish */
		}
		if (fstatat(dirfd(d), nm, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			continue; /* gone meanwhile */
		}
		if (rlen > 0) {
			rel[nl++] = '/';
		}
		memcpy(rel + nl, nm, len + 1);
		nl += len;
		if (S_ISDIR(st.st_mode) && depth < NAMES_DEPTH_MAX) {
			int sub = openat(dirfd(d), nm, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			uint64_t changed = (uint64_t) st.st_ctim.tv_sec *
			    1000000000ull + (uint64_t) st.st_ctim.tv_nsec;

			if (sub >= 0) {
				dir_claim(sub, &st);
				scan_dir(sub, rel, nl, depth + 1, sc);
				/* Empty for a while: nobody's, and maybe in
				 * the way of a name (only an empty one goes). */
				if (sc->wall > changed + NAMES_EMPTY_DIR_NS) {
					(void) unlinkat(dirfd(d), nm,
					    AT_REMOVEDIR);
				}
			} else if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOMEM) {
				sc->failed = true; /* ours: the next tick retries */
			} /* else replaced or gone meanwhile: not a name */
		} else if (S_ISREG(st.st_mode)) {
			scan_file(dirfd(d), nm, rel, &st, sc);
		} else if (!S_ISDIR(st.st_mode)) {
			ent_reclaim(dirfd(d), nm); /* a link, a FIFO...: junk */
		}
		rel[rlen] = '\0';
	}
	(void) closedir(d);
}

/* Live entries of reg by owner, then (reg being sorted) by name. */
static int
live_uid_cmp(const void *x, const void *y)
{
	uint32_t i = *(const uint32_t *) x;
	uint32_t j = *(const uint32_t *) y;

	if (reg[i].uid != reg[j].uid) {
		return reg[i].uid < reg[j].uid ? -1 : 1;
	}
	return i < j ? -1 : i > j;
}

/*
 * Per-user shares: marks each live entry beyond its owner's first
 * --user-names (in name order) as over; root has no such cap.  Returns
 * the first uid over its share, -1 if none is, or -2 if out of memory.
 */
static long long
names_shares(void)
{
	uint32_t *ix;
	uint32_t n = 0;
	long long first = -1;

	for (uint32_t i = 0; i < nreg; i++) {
		reg[i].over = false;
		n += reg[i].live;
	}
	if (n <= g.cfg.user_names) {
		return -1; /* nobody can be over */
	}
	ix = malloc((size_t) n * sizeof(*ix));
	if (ix == NULL) {
		return -2;
	}
	n = 0;
	for (uint32_t i = 0; i < nreg; i++) {
		if (reg[i].live) {
			ix[n++] = i;
		}
	}
	qsort(ix, n, sizeof(*ix), live_uid_cmp);
	for (uint32_t k = 0, j = 0; k < n; k = j) {
		uid_t uid = reg[ix[k]].uid;

		for (j = k; j < n && reg[ix[j]].uid == uid; j++) {
			if (uid != 0 && j - k >= g.cfg.user_names) {
				reg[ix[j]].over = true;
				if (first == -1) {
					first = uid;
				}
			}
		}
	}
	free(ix);
	return first;
}

static void
names_broadcast(void)
{
	for (int nd = 1; nd <= g.npeers_hwm; nd++) {
		struct axd_peer *p = g.peers[nd];
		struct names_peer *np;

		if (p == NULL || p->sess == NULL || p->sess->state != S_UP) {
			continue;
		}
		np = peer_get(nd);
		if (np == NULL) {
			axd_sess_close(p->sess, EHOSTUNREACH, "out of memory");
			continue;
		}
		send_list(p->sess, np);
		axd_flush(p->sess);
	}
}

static uint64_t
names_wall(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

/* name/local: nothing is published, but what is no live entry goes, as
 * in name/global. */
static void
names_reclaim_local(const struct names_scan *gsc)
{
	char dir[PATH_MAX];
	char rel[AXON_WIRE_NAME_LEN] = "";
	struct names_scan sc = {.now = gsc->now, .wall = gsc->wall,
	    .local = true};
	int dfd;

	snprintf(dir, sizeof(dir), "%s/name/local", g.rundir);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		scan_dir(dfd, rel, 0, 0, &sc);
	}
}

/* Rescans the registry; returns true if our live names changed. */
static bool
names_scan(void)
{
	char dir[PATH_MAX];
	char rel[AXON_WIRE_NAME_LEN] = "";
	struct names_scan sc = {.now = axd_now(), .wall = names_wall()};
	struct names_list next = {0};
	bool over = false;
	int dfd;

	if (sc.now >= local_next) {
		names_reclaim_local(&sc);
		local_next = sc.now + NAMES_LOCAL_NS;
	}
	snprintf(dir, sizeof(dir), "%s/name/global", g.rundir);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		scan_dir(dfd, rel, 0, 0, &sc);
	} else if (errno != ENOENT) {
		sc.failed = true;
	}
	if (sc.failed) {
		free(sc.v);
		return false; /* keep what we had; the next tick retries */
	}
	if (sc.full && !scan_over_logged) {
		axd_log(AXD_WARN, "more than %u entries in %s: the rest are "
				  "not looked at", AXD_NAMES_SCAN_MAX, dir);
	}
	scan_over_logged = sc.full;
	if (sc.n > 1) {
		qsort(sc.v, sc.n, sizeof(*sc.v), ent_cmp);
	}
	free(reg);
	reg = sc.v;
	nreg = sc.n;
	last_wall = sc.wall;
	/* What the names file at start said served its purpose: every
	 * entry there then has its stamp now. */
	free(prev);
	prev = NULL;
	nprev = 0;
	long long first_over = names_shares();

	if (first_over == -2) {
		return false; /* the next tick retries */
	}
	if (first_over >= 0 && !user_over_logged) {
		axd_log(AXD_WARN, "uid %lld has more than %u live global names "
				  "(--user-names): the rest are ignored",
		    first_over, g.cfg.user_names);
	}
	user_over_logged = first_over >= 0;
	/* Root's names are published first: the others share what is left
	 * of AXD_NAMES_MAX, so that no user can crowd root out. */
	uint32_t root = 0, others = 0;

	for (uint32_t i = 0; i < nreg; i++) {
		root += reg[i].live && reg[i].uid == 0;
	}
	for (uint32_t i = 0; i < nreg; i++) {
		if (!reg[i].live || reg[i].over) {
			continue;
		}
		if (reg[i].uid != 0 && others + root >= AXD_NAMES_MAX) {
			over = true;
			continue;
		}
		others += reg[i].uid != 0;
		int rc = list_push(&next, &reg[i].n);

		if (rc == -ENOSPC) {
			over = true;
			break;
		}
		if (rc < 0) {
			list_free(&next);
			return false;
		}
	}
	if (over && !own_over_logged) {
		axd_log(AXD_WARN, "more than %u live global names: the rest "
				  "are not published", AXD_NAMES_MAX);
	}
	own_over_logged = over;
	if (list_eq(&own, &next)) {
		list_free(&next);
		return false;
	}
	list_swap(&own, &next);
	list_free(&next);
	return true;
}

/* ---- what we published before a restart ---- */

static const struct names_ent *
prev_find(const char *name)
{
	if (nprev == 0) {
		return NULL;
	}
	return bsearch(name, prev, nprev, sizeof(*prev), ent_key_cmp);
}

/* One line of a v2 names file (without its '\n'): a claim of this node
 * (nd 0, in any state) into e; false for anything else. */
static bool
prev_parse(char *line, struct names_ent *e)
{
	char *f[7];
	char *p = line;
	unsigned long long v[5];

	for (int i = 0; i < 7; i++) {
		char *sp = strchr(p, ' ');

		if (sp == NULL || sp == p) {
			return false;
		}
		*sp = '\0';
		f[i] = p;
		p = sp + 1;
	}
	if (strlen(f[0]) != 1 || strchr("+-~", f[0][0]) == NULL ||
	    *p == '\0' || strlen(p) >= sizeof(e->n.name)) {
		return false;
	}
	for (int i = 0; i < 5; i++) {
		char *end;

		if (f[i + 1][0] < '0' || f[i + 1][0] > '9') {
			return false;
		}
		errno = 0;
		v[i] = strtoull(f[i + 1], &end, 10);
		if (*end != '\0' || errno != 0) {
			return false;
		}
	}
	if (v[0] != 0 || v[1] == 0 || v[1] > INT32_MAX || v[2] > INT32_MAX ||
	    v[3] == 0) {
		return false;
	}
	memset(e, 0, sizeof(*e));
	e->n.pid = (int32_t) v[1];
	e->n.chid = (int32_t) v[2];
	e->n.stamp = v[3];
	e->start = v[4];
	snprintf(e->n.name, sizeof(e->n.name), "%s", p);
	return true;
}

/*
 * The stamps we gave before a restart: our claims in the names file the
 * last axond of this node left (it writes it on every change, and when
 * it stops; if it was killed, the last one it wrote).  Only a file of
 * ours is believed (a regular file owned by our own uid, in a directory
 * no user may write to); an entry that is the same registration as one
 * there (name, pid, start time and chid) keeps its stamp, any other is
 * new to us, and its stamp is when we first see it.
 */
static void
names_prev_load(void)
{
	char path[PATH_MAX];
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd;

	names_path(path, sizeof(path), "");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY);
	if (fd < 0) {
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || st.st_size <= 0 ||
	    st.st_size > (off_t) NAMES_PREV_MAX ||
	    (buf = malloc((size_t) st.st_size + 1)) == NULL) {
		(void) close(fd);
		return;
	}
	while (len < (size_t) st.st_size &&
	    ((n = read(fd, buf + len, (size_t) st.st_size - len)) > 0 ||
		(n < 0 && errno == EINTR))) {
		len += n > 0 ? (size_t) n : 0;
	}
	(void) close(fd);
	buf[len] = '\0';
	if (strncmp(buf, NAMES_HEADER, strlen(NAMES_HEADER)) != 0) {
		free(buf); /* v1 or not ours: no stamps to keep */
		return;
	}
	for (char *line = buf + strlen(NAMES_HEADER), *next; *line != '\0';
	     line = next) {
		struct names_ent e;

		next = strchr(line, '\n');
		if (next == NULL) {
			break; /* a cut line */
		}
		*next++ = '\0';
		if (prev_parse(line, &e) && nprev < AXD_NAMES_MAX) {
			struct names_ent *v = reallocarray(prev, nprev + 1,
			    sizeof(*v));

			if (v == NULL) {
				break;
			}
			prev = v;
			prev[nprev++] = e;
		}
	}
	free(buf);
	if (nprev > 1) {
		qsort(prev, nprev, sizeof(*prev), ent_cmp);
	}
}

/* ---- the hooks ---- */

/* The registries, root's when we are root (a user who made them first
 * could remove what others put in them), every user's (01777). */
static void
names_dirs(void)
{
	static const char *const sub[] = {"name", "name/local",
	    "name/global"};

	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		char dir[PATH_MAX];
		struct stat st;
		int fd;

		snprintf(dir, sizeof(dir), "%s/%s", g.rundir, sub[i]);
		if (mkdir(dir, 01777) < 0 && errno != EEXIST) {
			axd_log(AXD_WARN, "cannot make %s: %s", dir,
			    strerror(errno));
			return;
		}
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0) {
			axd_log(AXD_WARN, "cannot open %s: %s", dir,
			    strerror(errno));
		} else if (geteuid() == 0) {
			dir_claim(fd, &st);
		} else if ((st.st_mode & 07777) != 01777 &&
		    st.st_uid == geteuid()) {
			(void) fchmod(fd, 01777); /* despite the umask */
		}
		if (fd >= 0) {
			(void) close(fd);
		}
	}
}

void
axd_names_start(void)
{
	names_dirs();
	names_prev_load();
	(void) names_scan();
	names_write();
}

void
axd_names_tick(void)
{
	if (names_scan()) {
		names_dirty = true;
		names_broadcast();
	}
	axd_names_flush();
}

void
axd_names_flush(void)
{
	if (names_dirty) {
		names_write();
	}
}

void
axd_names_session_up(struct axd_sess *s)
{
	struct names_peer *np = peer_get(s->peer->nd);

	if (np == NULL) {
		axd_sess_close(s, EHOSTUNREACH, "out of memory");
		return;
	}
	/* Whatever was under way belonged to an older session. */
	np->st.queued = false;
	np->st.next = NULL;
	np->part.n = 0;
	np->part_open = false;
	send_list(s, np);
}

void
axd_names_session_lost(struct axd_sess *s)
{
	struct names_peer *np = s->peer != NULL ? npeer[s->peer->nd] : NULL;

	if (np == NULL) {
		return;
	}
	axd_stream_remove(s, &np->st);
	np->next = 0;
	np->part_open = false;
	if (np->have.n > 0) {
		names_dirty = true;
	}
	list_free(&np->have);
	list_free(&np->part);
}

int
axd_names_frame(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_peer *p = s->peer;
	struct names_peer *np = peer_get(p->nd);

	if (np == NULL) {
		return ENOMEM;
	}
	if (f->flags & AXON_WF_FIRST) {
		np->part.n = 0; /* a list we got half of is dropped */
		np->part_open = true;
		np->part_over = false;
	} else if (!np->part_open) {
		return EPROTO; /* a chunk of no list */
	}
	for (uint32_t i = 0; i < f->u.names.count && !np->part_over; i++) {
		struct axon_wire_name n;
		int rc;

		if (axon__wire_name_get(f, i, &n) < 0) {
			return EPROTO;
		}
		rc = list_push(&np->part, &n);
		if (rc == -ENOSPC) {
			np->part_over = true;
		} else if (rc < 0) {
			return ENOMEM;
		}
	}
	if (!(f->flags & AXON_WF_LAST)) {
		return 0;
	}
	np->part_open = false;
	if (np->part_over) {
		axd_log(AXD_WARN, "%s has more than %u global names: the rest "
				  "are ignored", p->name, AXD_NAMES_MAX);
	}
	if (!list_eq(&np->have, &np->part)) {
		list_swap(&np->have, &np->part);
		names_dirty = true;
	}
	np->part.n = 0;
	return 0;
}

/* Stopping: the file keeps only our own claims, each '~' (serving
 * nobody: name_open() takes none of them, this node's registry answers
 * until the next axond), so that the next axond keeps their stamps. */
static void
names_write_stopped(const char *path)
{
	char tmp[PATH_MAX];
	FILE *f;
	int rc = 0;

	names_path(tmp, sizeof(tmp), ".tmp");
	f = axon__tmp_fopen(tmp);
	if (f == NULL) {
		(void) unlink(path);
		return;
	}
	fputs(NAMES_HEADER, f);
	for (uint32_t i = 0; i < own.n; i++) {
		const struct names_ent *e = reg_find(own.v[i].name);

		fprintf(f, "~ 0 %d %d %llu %llu %s %s\n", (int) own.v[i].pid,
		    (int) own.v[i].chid, (unsigned long long) own.v[i].stamp,
		    e != NULL ? e->start : 0ull, g.cfg.node, own.v[i].name);
	}
	if (ferror(f)) {
		rc = -EIO;
	}
	if (fclose(f) != 0 || rc < 0 || rename(tmp, path) < 0) {
		(void) unlink(tmp);
		(void) unlink(path); /* rather none than a wrong one */
	}
}

void
axd_names_stop(void)
{
	char path[PATH_MAX];

	names_path(path, sizeof(path), "");
	names_write_stopped(path);
	names_dirty = false;
	for (int nd = 1; nd <= ND_NODE_MASK; nd++) {
		if (npeer[nd] != NULL) {
			list_free(&npeer[nd]->have);
			list_free(&npeer[nd]->part);
			free(npeer[nd]);
			npeer[nd] = NULL;
		}
	}
	list_free(&own);
	free(reg);
	reg = NULL;
	nreg = 0;
	free(prev);
	prev = NULL;
	nprev = 0;
	last_wall = 0;
}

/* ---- the module (module.h) ---- */

static int
names_start(void)
{
	axd_names_start();
	return 0;
}

static void
names_tick(uint64_t now)
{
	(void) now;
	axd_names_tick();
}

const struct axd_module axd_mod_names = {
	.name = "names",
	.types = {AXON_W_NAMES},
	.start = names_start,
	.fini = axd_names_stop,
	.session_up = axd_names_session_up,
	.session_lost = axd_names_session_lost,
	.frame = axd_names_frame,
	.tick = names_tick,
	.flush = axd_names_flush,
};
