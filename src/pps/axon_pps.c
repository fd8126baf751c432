/* SPDX-License-Identifier: MIT */
/*
 * axon-pps(8): the core of QNX's Persistent Publish/Subscribe service
 * for an Axon node.  A directory resource manager (_RESMGR_FLAG_DIR)
 * attached at /pps (-m PATH) whose objects are files: a publisher
 * writes attribute lines, a subscriber reads the object whole (full
 * mode) or only what changed since its last read (?delta), waits for a
 * change (?wait) or asks select/poll/ionotify.  docs/design/pps.md says
 * what is done, how, and what QNX does that this does not.
 *
 * One thread serves everything (dispatch_block/handler): the tree, the
 * OCBs' delta queues and the parked ?wait reads are touched only by
 * handlers, one at a time, so there is no lock of our own.
 *
 * Who may do what: an object's or directory's mode and owner are its
 * creator's (the connect's mode, the client's effective ids); every
 * open, creation, mkdir and unlink is checked with iofunc_open() and
 * iofunc_check_access() against the client's credentials (what Axon's
 * transport gives the manager).  Each user other than root has a
 * budget (nodes, bytes, opens: see the limits below), so that no local
 * user can fill the daemon's memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>

struct pps_node;
struct pps_ocb;
#define IOFUNC_ATTR_T struct pps_node
#define IOFUNC_OCB_T struct pps_ocb
#include <sys/iofunc.h>
#include <sys/dispatch.h>
#include <sys/neutrino.h>

#include "ppsline.h"

/* ---- Limits (docs/design/pps.md, axon-pps(8)) ------------------------ */
#define PPS_OBJ_MAX       (32 * 1024) /* an object as read, bytes: EFBIG */
#define PPS_WRITE_MAX     (64 * 1024) /* one write, bytes: EFBIG */
#define PPS_ATTRS_MAX     1024	/* attributes of one object: ENOSPC */
#define PPS_NODES_MAX     65536	/* objects and directories: ENOSPC */
#define PPS_DEPTH_MAX     32	/* directories below the root */
#define PPS_BACKLOG       (64 * 1024) /* an OCB's delta queue: then purged */
#define PPS_NODE_COST     256	/* what a node counts, besides its name */
/* A user other than root: nodes made, bytes of them (their objects as
 * read, plus PPS_NODE_COST and the name for each), opens (EDQUOT for
 * the first two, EMFILE for the third). */
#define PPS_USER_NODES    1024
#define PPS_USER_BYTES    (1024 * 1024)
#define PPS_USER_OPENS    256
#define PPS_USERS_MAX     256	/* users with something at once: EAGAIN */

/* Open options (?delta,wait,...). */
#define OPT_DELTA 1u
#define OPT_WAIT  2u
#define OPT_NOPERSIST 4u
#define OPT_ALL   8u	/* the directory's .all */


struct pps_node {
	iofunc_attr_t attr;	/* first: the library's view */
	struct pps_node *parent;
	struct pps_node *next;	/* sibling, in creation order */
	struct pps_node *children, *last_child;
	char *name;
	uid_t owner;		/* the creator: whose budget it is in */
	size_t charged;		/* what it counts against that budget */
	bool gone;		/* unlinked, still open */
	bool nopersist;
	struct pps_line *lines;	/* an object's attributes, in order */
	int nlines;
	size_t size;		/* the object as read: "@name\n" + lines */
	uint64_t gen;		/* bumped at every change */
	struct pps_ocb *ocbs;	/* the opens of it */
};

struct pps_ocb {
	iofunc_ocb_t ocb;	/* first */
	struct pps_ocb *onext;	/* in the node's list */
	unsigned opts;
	uid_t uid;		/* the opener: its opens budget */
	uint64_t seen;		/* full mode: the generation last read */
	bool first_done;	/* delta mode: the whole object was read */
	bool purged;		/* delta mode: the queue overflowed */
	bool gone_sent;		/* "-@name" was read */
	struct pps_text q;	/* delta mode: the changes not read yet */
	int wait_rcvid;		/* a ?wait read parked (0: none) */
	size_t wait_nbytes;
	iofunc_notify_t notify[3];
};

struct pps_user {
	uid_t uid;
	int nodes;
	size_t bytes;
	int opens;
};

static struct pps_user users[PPS_USERS_MAX];
static int n_nodes;
static uint64_t next_inode = 2;
static struct pps_node *root;
static int verbosity = 1;
static volatile sig_atomic_t stopping;
static const char *mount_path = "/pps";

static IOFUNC_OCB_T *pps_ocb_calloc(resmgr_context_t *ctp, IOFUNC_ATTR_T *a);
static void pps_ocb_free(IOFUNC_OCB_T *ocb);
static iofunc_funcs_t pps_ocb_funcs = {_IOFUNC_NFUNCS, pps_ocb_calloc,
    pps_ocb_free};
static iofunc_mount_t pps_mount = {.funcs = &pps_ocb_funcs};
static resmgr_io_funcs_t io_funcs;

static void __attribute__((format(printf, 2, 3)))
plog(int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (level > verbosity) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *p = buf; *p != '\0'; p++) {
		if ((unsigned char) *p < 0x20 || *p == 0x7f) {
			*p = '?'; /* no client's name forges a log line */
		}
	}
	fprintf(stderr, "axon-pps: %s\n", buf);
	fflush(stderr);
}

/* ---- Budgets ---------------------------------------------------------- */

/* uid's entry (made if make), or NULL: none, or the table is full. */
static struct pps_user *
user_get(uid_t uid, bool make)
{
	struct pps_user *free_slot = NULL;

	for (int i = 0; i < PPS_USERS_MAX; i++) {
		struct pps_user *u = &users[i];
		bool empty = u->nodes == 0 && u->bytes == 0 && u->opens == 0;

		if (!empty && u->uid == uid) {
			return u;
		}
		if (empty && free_slot == NULL) {
			free_slot = u;
		}
	}
	if (!make || free_slot == NULL) {
		return NULL;
	}
	free_slot->uid = uid;
	return free_slot;
}

/* Whether uid may take nodes more nodes and bytes more bytes (either
 * may be negative: giving back); takes them if so.  Root is not
 * budgeted (the global node limit holds for everyone). */
static int
charge(uid_t uid, int nodes, ssize_t bytes)
{
	struct pps_user *u;

	if (nodes > 0 && n_nodes + nodes > PPS_NODES_MAX) {
		return ENOSPC;
	}
	if (uid != 0) {
		if ((u = user_get(uid, nodes > 0 || bytes > 0)) == NULL) {
			if (nodes > 0 || bytes > 0) {
				return EAGAIN;
			}
		} else {
			if (nodes > 0 && u->nodes + nodes > PPS_USER_NODES) {
				return EDQUOT;
			}
			if (bytes > 0 &&
			    u->bytes + (size_t) bytes > PPS_USER_BYTES) {
				return EDQUOT;
			}
			u->nodes += nodes;
			u->bytes = (size_t) ((ssize_t) u->bytes + bytes);
		}
	}
	n_nodes += nodes;
	return EOK;
}

/* ---- The tree --------------------------------------------------------- */

static bool
node_name_ok(const char *s, size_t len)
{
	if (len == 0 || len > PPS_NAME_MAX || s[0] == '.') {
		return false; /* '.' begins the special objects' names */
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) s[i];

		if (c < 0x20 || c == 0x7f || c == '/' || c == '?' ||
		    c == '@' || c == '[' || c == ']') {
			return false;
		}
	}
	return true;
}

static struct pps_node *
child_find(const struct pps_node *dir, const char *name, size_t len)
{
	for (struct pps_node *c = dir->children; c != NULL; c = c->next) {
		if (strlen(c->name) == len && memcmp(c->name, name, len) == 0) {
			return c;
		}
	}
	return NULL;
}

static size_t
node_charge(const struct pps_node *n)
{
	return PPS_NODE_COST + strlen(n->name) + n->size;
}

/* A new node below dir (mode with its S_IF* type), charged to the
 * client; *err when NULL. */
static struct pps_node *
node_new(struct pps_node *dir, const char *name, size_t len, mode_t mode,
    struct _client_info *info, int *err)
{
	struct pps_node *n;
	int depth = 0;
	int rc;

	for (struct pps_node *p = dir; p != root; p = p->parent) {
		depth++;
	}
	if (depth >= PPS_DEPTH_MAX) {
		*err = ENAMETOOLONG;
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (n == NULL || (n->name = strndup(name, len)) == NULL) {
		free(n);
		*err = ENOMEM;
		return NULL;
	}
	n->size = S_ISDIR(mode) ? 0 : len + 2;
	n->charged = node_charge(n);
	if ((rc = charge(info->cred.euid, 1, (ssize_t) n->charged)) != EOK) {
		free(n->name);
		free(n);
		*err = rc;
		return NULL;
	}
	iofunc_attr_init(&n->attr, mode, &dir->attr, info);
	n->attr.mount = &pps_mount;
	n->attr.inode = (ino_t) next_inode++;
	n->attr.nbytes = (off_t) n->size;
	n->owner = info->cred.euid;
	n->parent = dir;
	n->gen = 1;
	if (dir->last_child != NULL) {
		dir->last_child->next = n;
	} else {
		dir->children = n;
	}
	dir->last_child = n;
	if (S_ISDIR(mode)) {
		dir->attr.nlink++;
	}
	dir->attr.flags |= IOFUNC_ATTR_MTIME | IOFUNC_ATTR_CTIME;
	plog(2, "made %s (uid %d)", n->name, (int) n->owner);
	return n;
}

/* Takes n out of its directory's list. */
static void
node_detach(struct pps_node *n)
{
	struct pps_node *dir = n->parent, **pp;

	dir->last_child = NULL;
	for (pp = &dir->children; *pp != n; pp = &(*pp)->next) {
		dir->last_child = *pp;
	}
	*pp = n->next;
	for (struct pps_node *c = n->next; c != NULL; c = c->next) {
		dir->last_child = c;
	}
	n->next = NULL;
	if (S_ISDIR(n->attr.mode)) {
		dir->attr.nlink--;
	}
	dir->attr.flags |= IOFUNC_ATTR_MTIME | IOFUNC_ATTR_CTIME;
}

static void
node_free(struct pps_node *n)
{
	(void) charge(n->owner, -1, -(ssize_t) n->charged);
	pps_lines_free(n->lines);
	pthread_mutex_destroy(&n->attr.lock);
	free(n->name);
	free(n);
}

/* ---- Rendering -------------------------------------------------------- */

/* The object as read into buf (at least n->size + 1 bytes). */
static size_t
render(const struct pps_node *n, char *buf)
{
	char *p = buf;

	p += sprintf(p, "@%s\n", n->name);
	for (const struct pps_line *l = n->lines; l != NULL; l = l->next) {
		p += sprintf(p, "%s%s:%s:%s\n", l->nopersist ? "[n]" : "",
		    l->name, l->enc, l->val);
	}
	return (size_t) (p - buf);
}

/* Appends text to an OCB's delta queue; an overflow drops the queue,
 * and the next read gives the whole object again. */
static void
queue_add(struct pps_ocb *o, const char *text, size_t len)
{
	bool over = o->q.len + len > PPS_BACKLOG;

	if (o->purged) {
		return;
	}
	if (!over) {
		pps_text_add(&o->q, text, len);
	}
	if (over || o->q.bad) {
		free(o->q.p);
		memset(&o->q, 0, sizeof(o->q));
		o->purged = true;
	}
}

static bool
has_unread(const struct pps_ocb *o)
{
	const struct pps_node *n = o->ocb.attr;

	if (S_ISDIR(n->attr.mode) && !(o->opts & OPT_ALL)) {
		return false;
	}
	if (n->gone) {
		return !o->gone_sent;
	}
	if (o->opts & OPT_DELTA) {
		return !o->first_done || o->purged || o->q.len > 0;
	}
	return o->seen != n->gen;
}

/* Whether a change group begins at q[i] (i < len): a line "@...",
 * "-@...", "#@..." or "+@..." (no attribute line begins so). */
static bool
group_start(const char *q, size_t i, size_t len)
{
	return q[i] == '@' || ((q[i] == '-' || q[i] == '#' || q[i] == '+') &&
	    i + 1 < len && q[i + 1] == '@');
}

/* The bytes of a full read of o: its object, or for a directory's .all
 * every object in the directory. */
static size_t
full_size(const struct pps_ocb *o)
{
	const struct pps_node *n = o->ocb.attr;
	size_t size = 0;

	if (!(o->opts & OPT_ALL)) {
		return n->size;
	}
	for (const struct pps_node *c = n->children; c != NULL; c = c->next) {
		if (S_ISREG(c->attr.mode)) {
			size += c->size;
		}
	}
	return size;
}

static size_t
full_render(const struct pps_ocb *o, char *buf)
{
	const struct pps_node *n = o->ocb.attr;
	size_t len = 0;

	if (!(o->opts & OPT_ALL)) {
		return render(n, buf);
	}
	for (const struct pps_node *c = n->children; c != NULL; c = c->next) {
		if (S_ISREG(c->attr.mode)) {
			len += render(c, buf + len);
		}
	}
	return len;
}

/*
 * What a read of nbytes on o gives now: *out (malloc'd) and its length,
 * 0 when there is nothing new, or -errno.  Full mode: the whole object
 * when it changed since this open's last read (or from offset 0);
 * delta mode: the whole object first, then the queued changes, as many
 * whole groups as fit.  A read too small for what is to be given fails
 * (EMSGSIZE) rather than give a part, as QNX's PPS does.
 */
static ssize_t
produce(struct pps_ocb *o, size_t nbytes, char **out)
{
	struct pps_node *n = o->ocb.attr;
	size_t len;
	char *buf;

	*out = NULL;
	if (n->gone) {
		if (o->gone_sent) {
			return 0;
		}
		len = strlen(n->name) + 3;
		if (len > nbytes) {
			return -EMSGSIZE;
		}
		if ((buf = malloc(len + 1)) == NULL) {
			return -ENOMEM;
		}
		sprintf(buf, "-@%s\n", n->name);
		o->gone_sent = true;
		*out = buf;
		return (ssize_t) len;
	}
	if ((o->opts & OPT_DELTA) && o->first_done && !o->purged) {
		size_t take = 0;

		if (o->q.len == 0) {
			return 0;
		}
		for (size_t i = 0; i < o->q.len;) {
			size_t e = i;

			while (e < o->q.len && o->q.p[e] != '\n') {
				e++;
			}
			e++; /* past the newline */
			i = e;
			if (e < o->q.len && !group_start(o->q.p, e, o->q.len)) {
				continue; /* the group goes on */
			}
			if (e > nbytes) {
				break;
			}
			take = e;
		}
		if (take == 0) {
			return -EMSGSIZE;
		}
		if ((buf = malloc(take)) == NULL) {
			return -ENOMEM;
		}
		memcpy(buf, o->q.p, take);
		memmove(o->q.p, o->q.p + take, o->q.len - take);
		o->q.len -= take;
		*out = buf;
		return (ssize_t) take;
	}
	if (!(o->opts & OPT_DELTA) && o->seen == n->gen &&
	    o->ocb.offset != 0) {
		return 0;
	}
	len = full_size(o);
	if (len > nbytes) {
		return -EMSGSIZE;
	}
	if ((buf = malloc(len + 1)) == NULL) {
		return -ENOMEM;
	}
	len = full_render(o, buf);
	o->seen = n->gen;
	o->first_done = true;
	o->purged = false;
	o->q.len = 0;
	*out = buf;
	return (ssize_t) len;
}

/* Tells every open of n that something changed: a parked ?wait read
 * gets it, select/poll/ionotify waiters are told. */
static void
wake_all(struct pps_node *n)
{
	for (struct pps_ocb *o = n->ocbs; o != NULL; o = o->onext) {
		if (o->wait_rcvid != 0) {
			char *buf;
			ssize_t r = produce(o, o->wait_nbytes, &buf);

			if (r > 0) {
				o->ocb.offset += r;
				(void) MsgReply(o->wait_rcvid, r, buf,
				    (size_t) r);
				o->wait_rcvid = 0;
			} else if (r < 0) {
				(void) MsgError(o->wait_rcvid, (int) -r);
				o->wait_rcvid = 0;
			}
			free(buf);
		}
		if (has_unread(o)) {
			iofunc_notify_trigger(o->notify, 1,
			    IOFUNC_NOTIFY_INPUT);
		}
	}
}

/* Queues a change group for n's delta opens and tells everyone. */
static void persist_save(const struct pps_node *n);

static void
queue_all(struct pps_node *n, const char *group, size_t len)
{
	n->gen++;
	for (struct pps_ocb *o = n->ocbs; o != NULL; o = o->onext) {
		if ((o->opts & OPT_DELTA) && o->first_done) {
			queue_add(o, group, len);
		}
	}
	wake_all(n);
}

/* Tells the opens of dir's .all that a thing in it was made (+),
 * removed (-). */
static void
dir_event(struct pps_node *dir, char what, const char *name)
{
	char *g;

	if (asprintf(&g, "%c@%s\n", what, name) >= 0) {
		queue_all(dir, g, strlen(g));
		free(g);
	}
}

static void
changed(struct pps_node *n, const char *group, size_t len)
{
	persist_save(n);
	n->attr.nbytes = (off_t) n->size;
	n->attr.flags |= IOFUNC_ATTR_MTIME | IOFUNC_ATTR_CTIME;
	queue_all(n, group, len);
	if (n != root) {
		queue_all(n->parent, group, len); /* its directory's .all */
	}
}

/* Removes every attribute of n (an open with O_TRUNC): "#@name". */
static void
truncate_object(struct pps_node *n)
{
	char *g;
	size_t old = n->charged;

	pps_lines_free(n->lines);
	n->lines = NULL;
	n->nlines = 0;
	n->size = strlen(n->name) + 2;
	n->charged = node_charge(n);
	(void) charge(n->owner, 0, (ssize_t) n->charged - (ssize_t) old);
	if (asprintf(&g, "#@%s\n", n->name) < 0) {
		g = NULL;
	}
	changed(n, g != NULL ? g : "", g != NULL ? strlen(g) : 0);
	free(g);
}

/* ---- Writes ----------------------------------------------------------- */

/*
 * Applies a write (buf, len bytes) to n, all or nothing: the lines as
 * pps_lines_apply() (ppsline.h) takes them, then the limits: EFBIG (the
 * object's size), ENOSPC (its attribute count), EDQUOT (the owner's
 * budget); on any error nothing changes.
 */
static int
apply_write(struct pps_node *n, const char *buf, size_t len)
{
	struct pps_line *copy;
	struct pps_text group;
	size_t size = strlen(n->name) + 2, newcharge;
	int count = 0, rc;
	bool any;

	rc = pps_lines_apply(n->lines, n->name, buf, len, &copy, &group,
	    &any);
	if (rc != EOK) {
		return rc;
	}
	for (const struct pps_line *l = copy; l != NULL; l = l->next) {
		size += pps_line_size(l);
		count++;
	}
	if (size > PPS_OBJ_MAX) {
		rc = EFBIG;
	} else if (count > PPS_ATTRS_MAX) {
		rc = ENOSPC;
	} else if (any) {
		newcharge = PPS_NODE_COST + strlen(n->name) + size;
		rc = charge(n->owner, 0, (ssize_t) newcharge -
		    (ssize_t) n->charged);
		if (rc == EOK) {
			n->charged = newcharge;
		}
	}
	if (rc != EOK || !any) {
		pps_lines_free(copy);
		free(group.p);
		return rc;
	}
	pps_lines_free(n->lines);
	n->lines = copy;
	n->nlines = count;
	n->size = size;
	changed(n, group.p, group.len);
	free(group.p);
	return EOK;
}

/* ---- Paths ------------------------------------------------------------ */

/*
 * Walks path (relative to the mount, plen bytes) to its last component:
 * *dirp the directory that holds it (each directory on the way
 * searchable by the client), *last and *lastlen its name (length 0 for
 * the root itself).
 */
static int
walk(resmgr_context_t *ctp, const char *path, size_t plen,
    struct _client_info *info, struct pps_node **dirp, const char **last,
    size_t *lastlen)
{
	struct pps_node *d = root;
	size_t i = 0;

	while (plen > 0 && path[plen - 1] == '/') {
		plen--; /* "dir/" */
	}
	for (;;) {
		const char *s = path + i;
		const char *e = memchr(s, '/', plen - i);
		size_t cl = e != NULL ? (size_t) (e - s) : plen - i;
		struct pps_node *c;
		int rc;

		if (e == NULL) {
			*dirp = d;
			*last = s;
			*lastlen = cl;
			return EOK;
		}
		if ((rc = iofunc_check_access(ctp, &d->attr, S_IEXEC, info))
		    != EOK) {
			return rc;
		}
		if ((c = child_find(d, s, cl)) == NULL) {
			return ENOENT;
		}
		if (!S_ISDIR(c->attr.mode)) {
			return ENOTDIR;
		}
		d = c;
		i += cl + 1;
	}
}

/* The open options after '?': OPT_* in *opts, or an errno: EINVAL for
 * what QNX does not have, ENOTSUP for what it has and this does not. */
static int
parse_opts(const char *s, unsigned *opts)
{
	static const char *const unsupported[] = {"deltadir", "notify",
		"f", "server", "critical", "cred", "crypt", "backlog",
		"flow", "opens", "verbose", "nocreate", NULL};

	*opts = 0;
	while (*s != '\0') {
		const char *e = strchr(s, ',');
		size_t len = e != NULL ? (size_t) (e - s) : strlen(s);
		size_t key = strcspn(s, "=,");
		bool known = false;

		if (key > len) {
			key = len;
		}
		if (len == 5 && memcmp(s, "delta", 5) == 0) {
			*opts |= OPT_DELTA;
		} else if (len == 4 && memcmp(s, "wait", 4) == 0) {
			*opts |= OPT_WAIT;
		} else if (len == 9 && memcmp(s, "nopersist", 9) == 0) {
			*opts |= OPT_NOPERSIST;
		} else if (len != 0) {
			for (int i = 0; unsupported[i] != NULL; i++) {
				if (strlen(unsupported[i]) == key &&
				    memcmp(s, unsupported[i], key) == 0) {
					known = true;
				}
			}
			return known ? ENOTSUP : EINVAL;
		}
		s += len;
		if (*s == ',') {
			s++;
		}
	}
	return EOK;
}

static struct _client_info *
client(resmgr_context_t *ctp, int *rc)
{
	struct _client_info *info = NULL;

	*rc = iofunc_client_info_ext(ctp, 0, &info,
	    _NTO_CLIENTINFO_GETGROUPS);
	return *rc == EOK ? info : NULL;
}

/* ---- Persistence (-p DIR) --------------------------------------------- */

/*
 * Each object and directory is a file of the persistence directory,
 * named by its path below the mount, percent-encoded (every byte but
 * letters, digits, '-' and '_' as %XX, so '/' is %2F and no name
 * begins with '.'): a first line "axon-pps 1 KIND MODE UID GID" (KIND
 * d or o, MODE octal), then an object's persistent attributes as a read
 * shows them.  Saved at every change (written to ".tmp" and renamed over
 * the old one), removed with the thing, loaded at the start.
 */
static int persist_fd = -1;

/* n's path below the mount, encoded, into buf (cap bytes): its length,
 * or 0 if it does not fit. */
static size_t
persist_name(const struct pps_node *n, char *buf, size_t cap)
{
	const struct pps_node *chain[PPS_DEPTH_MAX + 2];
	int depth = 0;
	size_t len = 0;

	for (const struct pps_node *p = n; p != root; p = p->parent) {
		if (depth == PPS_DEPTH_MAX + 1) {
			return 0;
		}
		chain[depth++] = p;
	}
	while (depth-- > 0) {
		if (len > 0) {
			if (len + 3 >= cap) {
				return 0;
			}
			memcpy(buf + len, "%2F", 3);
			len += 3;
		}
		for (const char *c = chain[depth]->name; *c != '\0'; c++) {
			unsigned char b = (unsigned char) *c;

			if (len + 4 >= cap) {
				return 0;
			}
			if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') ||
			    (b >= '0' && b <= '9') || b == '-' || b == '_') {
				buf[len++] = (char) b;
			} else {
				len += (size_t) sprintf(buf + len, "%%%02X", b);
			}
		}
	}
	buf[len] = '\0';
	return len;
}

static bool
persists(const struct pps_node *n)
{
	for (const struct pps_node *p = n; p != root; p = p->parent) {
		if (p->nopersist || p->gone) {
			return false;
		}
	}
	return persist_fd >= 0 && n != root;
}

static void
persist_remove(const struct pps_node *n)
{
	char name[NAME_MAX + 1];

	if (persist_fd >= 0 && n != root &&
	    persist_name(n, name, sizeof(name)) > 0) {
		(void) unlinkat(persist_fd, name, 0);
	}
}

/* Saves n (if it persists): a temporary file renamed over the old. */
static void
persist_save(const struct pps_node *n)
{
	char name[NAME_MAX + 1];
	FILE *f;
	int fd;

	if (!persists(n)) {
		return;
	}
	if (persist_name(n, name, sizeof(name)) == 0) {
		plog(1, "not saved (its path is too long to be a file "
		    "name): %s", n->name);
		return;
	}
	(void) unlinkat(persist_fd, ".tmp", 0);
	fd = openat(persist_fd, ".tmp", O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0) {
			close(fd);
		}
		plog(0, "cannot save %s: %s", name, strerror(errno));
		return;
	}
	fprintf(f, "axon-pps 1 %c %o %u %u\n", S_ISDIR(n->attr.mode) ?
	    'd' : 'o', (unsigned) (n->attr.mode & 07777),
	    (unsigned) n->attr.uid, (unsigned) n->attr.gid);
	for (const struct pps_line *l = n->lines; l != NULL; l = l->next) {
		if (!l->nopersist) {
			fprintf(f, "%s:%s:%s\n", l->name, l->enc, l->val);
		}
	}
	if (fclose(f) != 0 ||
	    renameat(persist_fd, ".tmp", persist_fd, name) != 0) {
		plog(0, "cannot save %s: %s", name, strerror(errno));
		(void) unlinkat(persist_fd, ".tmp", 0);
	}
}

/* The decoded path of an encoded file name (into out, cap bytes), or
 * false when it is not one. */
static bool
persist_decode(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	for (const char *c = in; *c != '\0'; c++) {
		unsigned v;

		if (o + 1 >= cap) {
			return false;
		}
		if (*c == '%') {
			if (sscanf(c + 1, "%2x", &v) != 1 || v == 0 ||
			    c[1] == '\0' || c[2] == '\0') {
				return false;
			}
			out[o++] = (char) v;
			c += 2;
		} else {
			out[o++] = *c;
		}
	}
	out[o] = '\0';
	return o > 0;
}

/* The saved thing (path: decoded) and its directories made again. */
static void
persist_load_one(const char *file, const char *path)
{
	struct _client_info info;
	struct pps_node *d = root, *n;
	char kind, *line = NULL, *text = NULL;
	unsigned mode, uid, gid;
	size_t cap = 0, tlen = 0;
	ssize_t r;
	FILE *f;
	int fd, rc;

	fd = openat(persist_fd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (f = fdopen(fd, "r")) == NULL) {
		if (fd >= 0) {
			close(fd);
		}
		return;
	}
	if (getline(&line, &cap, f) <= 0 ||
	    sscanf(line, "axon-pps 1 %c %o %u %u", &kind, &mode, &uid, &gid)
	    != 4 || (kind != 'd' && kind != 'o') || mode > 07777) {
		plog(0, "%s: not a saved object; left alone", file);
		goto out;
	}
	while ((r = getline(&line, &cap, f)) > 0) {
		char *t = realloc(text, tlen + (size_t) r + 1);

		if (t == NULL) {
			goto out;
		}
		text = t;
		if (tlen + (size_t) r > PPS_OBJ_MAX) {
			plog(0, "%s: too large; left alone", file);
			goto out;
		}
		memcpy(text + tlen, line, (size_t) r);
		tlen += (size_t) r;
	}
	memset(&info, 0, sizeof(info));
	info.cred.euid = uid;
	info.cred.egid = gid;
	for (const char *s = path;;) {
		const char *e = strchr(s, '/');
		size_t cl = e != NULL ? (size_t) (e - s) : strlen(s);

		if (!node_name_ok(s, cl)) {
			plog(0, "%s: a bad name; left alone", file);
			goto out;
		}
		n = child_find(d, s, cl);
		if (e == NULL) {
			if (n != NULL) {
				goto out; /* made already (as a directory) */
			}
			n = node_new(d, s, cl, (kind == 'd' ? S_IFDIR :
			    S_IFREG) | mode, &info, &rc);
			if (n == NULL) {
				plog(0, "%s: %s; left alone", file,
				    strerror(rc));
				goto out;
			}
			if (kind == 'd') {
				n->attr.nlink = 2;
			} else if (tlen > 0) {
				rc = apply_write(n, text, tlen);
				if (rc != EOK) {
					plog(0, "%s: %s; its attributes "
					    "left out", file, strerror(rc));
				}
			}
			goto out;
		}
		if (n == NULL) {
			struct _client_info r0;

			memset(&r0, 0, sizeof(r0)); /* root's, 0755 */
			n = node_new(d, s, cl, S_IFDIR | 0755, &r0, &rc);
			if (n == NULL) {
				goto out;
			}
			n->attr.nlink = 2;
		} else if (!S_ISDIR(n->attr.mode)) {
			goto out;
		}
		d = n;
		s = e + 1;
	}
out:
	free(line);
	free(text);
	fclose(f);
}

static int
by_length(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *) a), lb = strlen(*(char *const *) b);

	return la < lb ? -1 : la > lb;
}

/* Loads every saved thing, the shorter paths (the directories above)
 * first. */
static int
persist_load(const char *dir)
{
	char **names = NULL, path[PATH_MAX];
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *d;
	int dfd;

	if ((persist_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0
	    || (dfd = dup(persist_fd)) < 0 || (d = fdopendir(dfd)) == NULL) {
		fprintf(stderr, "axon-pps: -p %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') {
			continue; /* ".", "..", ".tmp" */
		}
		if (n == cap) {
			char **m = realloc(names, (cap = cap ? cap * 2 : 64) *
			    sizeof(*m));

			if (m == NULL) {
				break;
			}
			names = m;
		}
		if ((names[n] = strdup(e->d_name)) != NULL) {
			n++;
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_length);
	for (size_t i = 0; i < n; i++) {
		if (persist_decode(names[i], path, sizeof(path))) {
			persist_load_one(names[i], path);
		}
		free(names[i]);
	}
	free(names);
	plog(1, "loaded %zu saved objects and directories from %s", n, dir);
	return 0;
}

/* ---- Connect handlers ------------------------------------------------- */

static int
pps_open(resmgr_context_t *ctp, io_open_t *msg, RESMGR_HANDLE_T *handle,
    void *extra)
{
	const char *path = msg->connect.path;
	const char *q = strchr(path, '?');
	size_t plen = q != NULL ? (size_t) (q - path) : strlen(path);
	struct _client_info *info;
	struct pps_node *dir = NULL, *n = NULL;
	struct pps_ocb *o;
	struct pps_user *u = NULL;
	const char *last;
	size_t lastlen;
	unsigned opts = 0;
	uint32_t ioflag = msg->connect.ioflag;
	bool made = false;
	int rc;

	(void) handle;
	(void) extra;
	if (q != NULL && (rc = parse_opts(q + 1, &opts)) != EOK) {
		return rc;
	}
	if ((info = client(ctp, &rc)) == NULL) {
		return rc;
	}
	rc = walk(ctp, path, plen, info, &dir, &last, &lastlen);
	if (rc != EOK) {
		goto out;
	}
	if (lastlen == 0) {
		n = dir; /* the root */
	} else {
		if ((rc = iofunc_check_access(ctp, &dir->attr, S_IEXEC,
		    info)) != EOK) {
			goto out;
		}
		if (lastlen == 4 && memcmp(last, ".all", 4) == 0) {
			n = dir; /* every object in it (O_CREAT or not) */
			opts |= OPT_ALL;
			ioflag &= ~(uint32_t) (O_CREAT | O_TRUNC);
		} else {
			n = child_find(dir, last, lastlen);
		}
	}
	if (n == NULL) {
		if (!(ioflag & O_CREAT)) {
			rc = ENOENT;
			goto out;
		}
		if (!node_name_ok(last, lastlen)) {
			rc = EINVAL;
			goto out;
		}
		if ((rc = iofunc_check_access(ctp, &dir->attr, S_IWRITE,
		    info)) != EOK) {
			goto out;
		}
		n = node_new(dir, last, lastlen,
		    S_IFREG | (msg->connect.mode & 0777), info, &rc);
		if (n == NULL) {
			goto out;
		}
		made = true;
	} else if ((rc = iofunc_open(ctp, msg, &n->attr, &dir->attr, info))
	    != EOK) {
		goto out;
	}
	if (S_ISDIR(n->attr.mode) && opts != 0 && !(opts & OPT_ALL)) {
		rc = EINVAL;
		goto out;
	}
	if (info->cred.euid != 0) {
		if ((u = user_get(info->cred.euid, true)) == NULL) {
			rc = EAGAIN;
			goto out;
		}
		if (u->opens >= PPS_USER_OPENS) {
			rc = EMFILE;
			goto out;
		}
	}
	if ((o = calloc(1, sizeof(*o))) == NULL) {
		rc = ENOMEM;
		goto out;
	}
	o->opts = opts;
	o->uid = info->cred.euid;
	if ((rc = iofunc_ocb_attach(ctp, msg, o, n, &io_funcs)) != EOK) {
		free(o);
		goto out;
	}
	if (u != NULL) {
		u->opens++;
	}
	o->onext = n->ocbs;
	n->ocbs = o;
	if ((opts & OPT_NOPERSIST) && !n->nopersist) {
		n->nopersist = true;
		persist_remove(n);
	}
	if (made) {
		persist_save(n);
		dir_event(dir, '+', n->name);
	} else if ((ioflag & O_TRUNC) && (ioflag & _IO_FLAG_WR) &&
	    S_ISREG(n->attr.mode)) {
		truncate_object(n);
	}
	made = false;
out:
	if (made && rc != EOK) {
		node_detach(n); /* made, but not opened: gone again */
		node_free(n);
	}
	(void) iofunc_client_info_ext_free(&info);
	return rc;
}

/* What mknod and unlink begin with: the client, the path walked to its
 * last component (not the root: root_err), write and search permission
 * on the directory that holds it.  On EOK *info is the caller's to
 * free. */
static int
dir_op_start(resmgr_context_t *ctp, const char *path, int root_err,
    struct _client_info **info, struct pps_node **dir, const char **last,
    size_t *lastlen)
{
	int rc;

	if (strchr(path, '?') != NULL) {
		return EINVAL;
	}
	if ((*info = client(ctp, &rc)) == NULL) {
		return rc;
	}
	rc = walk(ctp, path, strlen(path), *info, dir, last, lastlen);
	if (rc == EOK && *lastlen == 0) {
		rc = root_err;
	}
	if (rc == EOK) {
		rc = iofunc_check_access(ctp, &(*dir)->attr, S_IWRITE | S_IEXEC,
		    *info);
	}
	if (rc != EOK) {
		(void) iofunc_client_info_ext_free(info);
	}
	return rc;
}

static int
pps_mknod(resmgr_context_t *ctp, io_mknod_t *msg, RESMGR_HANDLE_T *handle,
    void *reserved)
{
	const char *path = msg->connect.path;
	struct _client_info *info;
	struct pps_node *dir = NULL, *n;
	const char *last = NULL;
	size_t lastlen = 0;
	int rc;

	(void) handle;
	(void) reserved;
	if (!S_ISDIR(msg->connect.mode)) {
		return ENOTSUP; /* objects come by open(O_CREAT) */
	}
	rc = dir_op_start(ctp, path, EEXIST, &info, &dir, &last, &lastlen);
	if (rc != EOK) {
		return rc;
	}
	if (child_find(dir, last, lastlen) != NULL) {
		rc = EEXIST;
	}
	if (rc == EOK && !node_name_ok(last, lastlen)) {
		rc = EINVAL;
	}
	if (rc == EOK) {
		n = node_new(dir, last, lastlen,
		    S_IFDIR | (msg->connect.mode & 01777), info, &rc);
		if (n != NULL) {
			n->attr.nlink = 2;
			persist_save(n);
			dir_event(dir, '+', n->name);
		}
	}
	(void) iofunc_client_info_ext_free(&info);
	return rc;
}

static int
pps_unlink(resmgr_context_t *ctp, io_unlink_t *msg, RESMGR_HANDLE_T *handle,
    void *reserved)
{
	const char *path = msg->connect.path;
	struct _client_info *info;
	struct pps_node *dir = NULL, *n = NULL;
	const char *last = NULL;
	size_t lastlen = 0;
	int rc;

	(void) handle;
	(void) reserved;
	rc = dir_op_start(ctp, path, EBUSY, &info, &dir, &last, &lastlen);
	if (rc != EOK) {
		return rc;
	}
	if ((n = child_find(dir, last, lastlen)) == NULL) {
		rc = ENOENT;
	}
	/* A sticky directory: only the owner of the thing or of the
	 * directory (or root) removes it. */
	if (rc == EOK && (dir->attr.mode & S_ISVTX) && info->cred.euid != 0 &&
	    info->cred.euid != n->attr.uid && info->cred.euid != dir->attr.uid) {
		rc = EPERM;
	}
	if (rc == EOK && S_ISDIR(n->attr.mode) && n->children != NULL) {
		rc = ENOTEMPTY;
	}
	(void) iofunc_client_info_ext_free(&info);
	if (rc != EOK) {
		return rc;
	}
	persist_remove(n);
	node_detach(n);
	dir_event(dir, '-', n->name);
	plog(2, "removed %s", n->name);
	if (n->ocbs == NULL) {
		node_free(n);
	} else {
		n->gone = true;
		n->attr.nlink = 0;
		wake_all(n); /* "-@name" to every open of it */
	}
	return EOK;
}

/* ---- I/O handlers ----------------------------------------------------- */

static IOFUNC_OCB_T *
pps_ocb_calloc(resmgr_context_t *ctp, IOFUNC_ATTR_T *a)
{
	(void) ctp;
	(void) a;
	return calloc(1, sizeof(struct pps_ocb));
}

static void
pps_ocb_free(IOFUNC_OCB_T *ocb)
{
	free(ocb);
}

/* The bytes a directory record for name takes, 8-byte aligned (as
 * tests/resmgr/dir.c and QNX's managers fill them). */
static size_t
dirent_size(const char *name)
{
	return (offsetof(struct dirent, d_name) + strlen(name) + 1 + 7) &
	    ~(size_t) 7;
}

static int
read_dir(resmgr_context_t *ctp, io_read_t *msg, struct pps_ocb *o)
{
	struct pps_node *d = o->ocb.attr, *c = d->children;
	size_t left = msg->i.nbytes, used = 0;
	char *reply;
	off_t i = 0;

	if (left > 65536) {
		left = 65536;
	}
	if ((reply = calloc(1, left + 1)) == NULL) {
		return ENOMEM;
	}
	for (; c != NULL && i < o->ocb.offset; c = c->next) {
		i++;
	}
	for (; c != NULL; c = c->next) {
		size_t sz = dirent_size(c->name);
		struct dirent *dp = (struct dirent *) (reply + used);

		if (sz > left) {
			break;
		}
		dp->d_ino = c->attr.inode;
		dp->d_off = i;
		dp->d_reclen = (unsigned short) sz;
		dp->d_type = (unsigned char) strlen(c->name);
		strcpy(dp->d_name, c->name);
		used += sz;
		left -= sz;
		i++;
	}
	o->ocb.offset = i;
	d->attr.flags |= IOFUNC_ATTR_ATIME;
	(void) MsgReply(ctp->rcvid, (long) used, reply, used);
	free(reply);
	return _RESMGR_NOREPLY;
}

static int
pps_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *o)
{
	int nonblock, rc;
	ssize_t r;
	char *buf;

	if ((rc = iofunc_read_verify(ctp, msg, o, &nonblock)) != EOK) {
		return rc;
	}
	if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE) {
		return ENOSYS;
	}
	if (S_ISDIR(o->ocb.attr->attr.mode) && !(o->opts & OPT_ALL)) {
		return read_dir(ctp, msg, o);
	}
	r = produce(o, msg->i.nbytes, &buf);
	if (r < 0) {
		return (int) -r;
	}
	if (r == 0) {
		if ((o->opts & OPT_WAIT) && !nonblock &&
		    !o->ocb.attr->gone) {
			if (o->wait_rcvid != 0) {
				return EBUSY; /* one waiting read an open */
			}
			o->wait_rcvid = ctp->rcvid;
			o->wait_nbytes = msg->i.nbytes;
			return _RESMGR_NOREPLY;
		}
		_IO_SET_READ_NBYTES(ctp, 0);
		return _RESMGR_NPARTS(0);
	}
	o->ocb.offset += r;
	o->ocb.attr->attr.flags |= IOFUNC_ATTR_ATIME;
	(void) MsgReply(ctp->rcvid, r, buf, (size_t) r);
	free(buf);
	return _RESMGR_NOREPLY;
}

static int
pps_write(resmgr_context_t *ctp, io_write_t *msg, RESMGR_OCB_T *o)
{
	size_t n = msg->i.nbytes;
	struct pps_node *node = o->ocb.attr;
	char *buf;
	int rc;

	if ((rc = iofunc_write_verify(ctp, msg, o, NULL)) != EOK) {
		return rc;
	}
	if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE) {
		return ENOSYS;
	}
	if (node->gone) {
		return ENOENT;
	}
	if (n > PPS_WRITE_MAX) {
		return EFBIG;
	}
	if ((buf = malloc(n + 1)) == NULL) {
		return ENOMEM;
	}
	if (resmgr_msgread(ctp, buf, n, sizeof(msg->i)) != (ssize_t) n) {
		free(buf);
		return EBADMSG;
	}
	rc = apply_write(node, buf, n);
	free(buf);
	if (rc != EOK) {
		return rc;
	}
	_IO_SET_WRITE_NBYTES(ctp, n);
	return EOK;
}

static int
pps_notify(resmgr_context_t *ctp, io_notify_t *msg, RESMGR_OCB_T *o)
{
	int trig = _NOTIFY_COND_OUTPUT;

	if (has_unread(o)) {
		trig |= _NOTIFY_COND_INPUT;
	}
	return iofunc_notify(ctp, msg, o->notify, trig, NULL, NULL);
}

static int
pps_unblock(resmgr_context_t *ctp, io_pulse_t *msg, RESMGR_OCB_T *o)
{
	(void) msg;
	if (o->wait_rcvid != 0 && o->wait_rcvid == ctp->rcvid) {
		o->wait_rcvid = 0;
		return EINTR;
	}
	return _RESMGR_DEFAULT;
}

static int
pps_close_ocb(resmgr_context_t *ctp, void *reserved, RESMGR_OCB_T *o)
{
	struct pps_node *n = o->ocb.attr;
	struct pps_ocb **pp;
	struct pps_user *u;

	(void) reserved;
	for (pp = &n->ocbs; *pp != NULL && *pp != o; pp = &(*pp)->onext) {
	}
	if (*pp == o) {
		*pp = o->onext;
	}
	if (o->wait_rcvid != 0) {
		(void) MsgError(o->wait_rcvid, EBADF);
	}
	iofunc_notify_remove(NULL, o->notify);
	if (o->uid != 0 && (u = user_get(o->uid, false)) != NULL &&
	    u->opens > 0) {
		u->opens--;
	}
	free(o->q.p);
	(void) iofunc_close_ocb(ctp, o, n);
	if (n->gone && n->ocbs == NULL) {
		node_free(n);
	}
	return EOK;
}

/* A .all open is a file, readable where its directory is, of the size
 * a full read of it has (so that it reads as one through the FUSE
 * bridge: `cat DIR/.all`). */
static int
pps_stat(resmgr_context_t *ctp, io_stat_t *msg, RESMGR_OCB_T *o)
{
	int rc = iofunc_stat_default(ctp, msg, o);

	if (o->opts & OPT_ALL) {
		msg->o.st_mode = S_IFREG | (msg->o.st_mode & 0444);
		msg->o.st_size = (off_t) full_size(o);
		msg->o.st_nlink = 1;
	}
	return rc;
}

/* ---- main ------------------------------------------------------------- */

static void
on_term(int sig)
{
	(void) sig;
	stopping = 1;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: axon-pps [-m PATH] [-M MODE] [-p DIR] [-v N] "
	    "[--ready-file FILE]\n"
	    "  QNX's Persistent Publish/Subscribe service at PATH (/pps) in\n"
	    "  the node's path namespace (AXON_RUNDIR); see axon-pps(8).\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"mount", required_argument, NULL, 'm'},
		{"mode", required_argument, NULL, 'M'},
		{"persist", required_argument, NULL, 'p'},
		{"verbosity", required_argument, NULL, 'v'},
		{"ready-file", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static resmgr_connect_funcs_t cfuncs;
	struct sigaction sa = {.sa_handler = on_term};
	mode_t root_mode = 0755;
	const char *ready = NULL, *pdir = NULL;
	dispatch_context_t *ctp;
	dispatch_t *dpp;
	int id, c;

	while ((c = getopt_long(argc, argv, "m:M:p:v:r:h", opts, NULL)) != -1) {
		char *end;
		long v;

		switch (c) {
		case 'm':
			if (optarg[0] != '/' || strchr(optarg, '?') != NULL) {
				fprintf(stderr, "axon-pps: bad -m %s (an "
				    "absolute path)\n", optarg);
				return 2;
			}
			mount_path = optarg;
			break;
		case 'M':
			v = strtol(optarg, &end, 8);
			if (*end != '\0' || v < 0 || v > 01777) {
				fprintf(stderr, "axon-pps: bad -M %s (octal, "
				    "at most 1777)\n", optarg);
				return 2;
			}
			root_mode = (mode_t) v;
			break;
		case 'p':
			pdir = optarg;
			break;
		case 'v':
			verbosity = atoi(optarg);
			break;
		case 'r':
			ready = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	(void) sigaction(SIGTERM, &sa, NULL);
	(void) sigaction(SIGINT, &sa, NULL);
	if ((dpp = dispatch_create()) == NULL) {
		perror("axon-pps: dispatch_create");
		return 1;
	}
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &cfuncs, _RESMGR_IO_NFUNCS,
	    &io_funcs);
	cfuncs.open = pps_open;
	cfuncs.mknod = pps_mknod;
	cfuncs.unlink = pps_unlink;
	io_funcs.read = pps_read;
	io_funcs.write = pps_write;
	io_funcs.notify = pps_notify;
	io_funcs.unblock = pps_unblock;
	io_funcs.close_ocb = pps_close_ocb;
	io_funcs.stat = pps_stat;
	if ((root = calloc(1, sizeof(*root))) == NULL ||
	    (root->name = strdup("")) == NULL) {
		return 1;
	}
	iofunc_attr_init(&root->attr, S_IFDIR | root_mode, NULL, NULL);
	root->attr.mount = &pps_mount;
	root->attr.inode = 1;
	root->attr.nlink = 2;
	root->parent = root;
	root->gen = 1;
	if (pdir != NULL && persist_load(pdir) != 0) {
		return 1;
	}
	id = resmgr_attach(dpp, NULL, mount_path, _FTYPE_ANY, _RESMGR_FLAG_DIR,
	    &cfuncs, &io_funcs, root);
	if (id == -1) {
		fprintf(stderr, "axon-pps: resmgr_attach %s: %s\n",
		    mount_path, strerror(errno));
		return 1;
	}
	if ((ctp = dispatch_context_alloc(dpp)) == NULL) {
		perror("axon-pps: dispatch_context_alloc");
		return 1;
	}
	if (ready != NULL) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644);

		if (fd >= 0) {
			close(fd);
		}
	}
	plog(1, "serving %s (verbosity %d)", mount_path, verbosity);
	while (!stopping) {
		if (dispatch_block(ctp) == NULL) {
			if (errno == EINTR) {
				continue;
			}
			perror("axon-pps: dispatch_block");
			return 1;
		}
		(void) dispatch_handler(ctp);
	}
	plog(1, "stopped");
	dispatch_context_free(ctp);
	(void) resmgr_detach(dpp, id, 0);
	(void) dispatch_destroy(dpp);
	return 0;
}
