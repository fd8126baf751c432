/* SPDX-License-Identifier: MIT */
/*
 * The resmgr layer: links (resmgr_attach), OCB bindings, and the routing
 * of _IO_* messages and of the unblock and disconnect pulses to the
 * handler tables.
 *
 * An OCB is bound to the (scoid, coid) its open came on, as QNX binds it
 * to the client's connection: each open of a QNX client is its own coid.
 * The binding is dropped by _IO_CLOSE, or when the client's whole
 * connection goes (_PULSE_CODE_DISCONNECT: closed or dead; the manager's
 * close_dup then runs for it, as QNX fakes an _IO_CLOSE: conn_gone()),
 * and the OCB's close_ocb handler runs once no handler is using it any
 * more.
 *
 * A second connection may share an open's OCB as an alias, granted to a
 * local process by whoever holds the open (iodirect.h: the FUSE
 * bridge, for the program whose descriptor it serves).  An alias holds
 * a reference to its open's binding; dropping it never closes the OCB
 * (its close_dup runs, and its notify entries go: conn_gone());
 * dropping the open drops its aliases.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "dispatch_int.h"
#include "internal.h"
#include "iodirect.h"

/* The link whose connect handler this thread runs (resmgr_detach from
 * inside it must not wait for itself). */
static __thread int tls_link = -1;

/* A connect handler, whatever its message and extra types. */
typedef int (*cfn_t)(resmgr_context_t *, void *, void *, void *);

static unsigned
bucket(int scoid, int coid)
{
	return ((unsigned) scoid * 31u + (unsigned) coid) % AXON_BIND_BUCKETS;
}

/* The binding of (scoid, coid), a reference taken, or NULL.  One whose
 * close is being handled counts only with closing (the unblock pulse of
 * a client held in that close); a new open on the coid comes first. */
static struct axon_bind *
bind_get(dispatch_t *dpp, int scoid, int coid, bool closing)
{
	struct axon_bind *b, *found = NULL;

	pthread_mutex_lock(&dpp->lock);
	for (b = dpp->binds[bucket(scoid, coid)]; b != NULL; b = b->next) {
		if (b->scoid == scoid && b->coid == coid &&
		    (!b->closing || (closing && found == NULL))) {
			found = b;
			if (!b->closing) {
				break;
			}
		}
	}
	if (found != NULL) {
		found->refs++;
	}
	pthread_mutex_unlock(&dpp->lock);
	return found;
}

/* Takes b out of the table (dpp->lock held); the table's reference is
 * the caller's to drop. */
static void
bind_unlink(dispatch_t *dpp, struct axon_bind *b)
{
	struct axon_bind **pp = &dpp->binds[bucket(b->scoid, b->coid)];

	while (*pp != NULL && *pp != b) {
		pp = &(*pp)->next;
	}
	if (*pp == b) {
		*pp = b->next;
		if (b->origin != NULL) {
			b->origin->naliases--;
		}
	}
	b->next = NULL;
	b->unbound = true;
}

/* Takes the aliases of o out of the table onto *gone (dpp->lock held;
 * the table's references become the caller's to drop). */
static void
unlink_aliases(dispatch_t *dpp, struct axon_bind *o, struct axon_bind **gone)
{
	for (int i = 0; i < AXON_BIND_BUCKETS && o->naliases > 0; i++) {
		struct axon_bind *b = dpp->binds[i], *next;

		for (; b != NULL; b = next) {
			next = b->next;
			if (b->origin == o) {
				bind_unlink(dpp, b);
				b->next = *gone;
				*gone = b;
			}
		}
	}
}

static bool
io_has(const resmgr_io_funcs_t *f, size_t off)
{
	size_t idx = (off - offsetof(resmgr_io_funcs_t, read)) / sizeof(void *);

	return f != NULL && idx < f->nfuncs;
}

#define IO_FN(_f, _m) \
	(io_has((_f), offsetof(resmgr_io_funcs_t, _m)) ? (_f)->_m : NULL)

/*
 * A connection goes without its own _IO_CLOSE having run close_dup: its
 * client closed the connection or died, its open's reply found it gone,
 * or (an alias) its open's end took it.  QNX's layer fakes an _IO_CLOSE
 * for such a connection, so the manager's close_dup runs for it: the
 * client's record locks go (iofunc_close_dup_default), and a manager
 * that removes a connection's notify entries in close_dup, as
 * iofunc_notify_remove(3) advises where connections share an OCB, does
 * so (before, only close_ocb ran, with no close_dup, for a client that
 * went without closing).  An alias's OCB lives on besides (the open
 * holds it), so neither close_ocb nor anything else of the manager's
 * would see the alias again: its entries in the notify lists an
 * _IO_NOTIFY on it armed are removed here too (a dead alias's entry
 * stayed for good, and a trigger sent its event on a receive id of a
 * client gone).  Under the OCB's lock_ocb, with ctp->info naming the
 * connection and its client, and no receive id to answer (rcvid 0).
 */
static void
conn_gone(resmgr_context_t *ctp, struct axon_bind *b)
{
	const resmgr_io_funcs_t *f = b->iofuncs;
	int (*lk)(resmgr_context_t *, void *, void *) = IO_FN(f, lock_ocb);
	int (*ulk)(resmgr_context_t *, void *, void *) = IO_FN(f, unlock_ocb);
	int (*cd)(resmgr_context_t *, io_close_t *, void *);
	bool dup_closed;
	struct axon_ctx *c = axon__ctx_of(ctp);
	struct axon_bind *sbind = c->bind;
	struct _msg_info sinfo = ctp->info;
	rcvid_t srcvid = ctp->rcvid;
	int sid = ctp->id;
	bool locked, any = false;

	/* Claimed under the lock, as its _IO_CLOSE claims it: a close
	 * taken by one thread while another handles the disconnect runs
	 * close_dup once, whichever comes first. */
	pthread_mutex_lock(&ctp->dpp->lock);
	dup_closed = b->dup_closed;
	b->dup_closed = true;
	pthread_mutex_unlock(&ctp->dpp->lock);
	cd = dup_closed ? NULL : IO_FN(f, close_dup);
	for (int i = 0; i < AXON_ALIAS_NOTIFY; i++) {
		any = any || b->notify[i] != NULL;
	}
	if (cd == NULL && !any) {
		return;
	}
	c->bind = b;
	ctp->id = b->link_id;
	ctp->rcvid = 0;
	ctp->info.scoid = b->scoid;
	ctp->info.coid = b->coid;
	ctp->info.pid = b->pid;
	ctp->info.nd = b->nd;
	locked = lk == NULL || lk(ctp, NULL, b->ocb) == EOK;
	for (int i = 0; i < AXON_ALIAS_NOTIFY; i++) {
		if (b->notify[i] != NULL) {
			axon__notify_remove_client(ctp, b->notify[i]);
		}
	}
	if (cd != NULL) {
		io_close_t m;

		memset(&m, 0, sizeof(m));
		m.i.type = _IO_CLOSE;
		ctp->status = 0;
		(void) cd(ctp, &m, b->ocb); /* nobody to answer */
	}
	if (locked && lk != NULL && ulk != NULL) {
		(void) ulk(ctp, NULL, b->ocb);
	}
	c->bind = sbind;
	ctp->info = sinfo;
	ctp->rcvid = srcvid;
	ctp->id = sid;
}

/* Keeps nop as a notify list an _IO_NOTIFY on alias b armed in; false
 * when b keeps AXON_ALIAS_NOTIFY others already. */
static bool
alias_note(dispatch_t *dpp, struct axon_bind *b, void *nop)
{
	bool ok = false;

	pthread_mutex_lock(&dpp->lock);
	for (int i = 0; i < AXON_ALIAS_NOTIFY && !ok; i++) {
		if (b->notify[i] == nop) {
			ok = true;
		}
	}
	for (int i = 0; i < AXON_ALIAS_NOTIFY && !ok; i++) {
		if (b->notify[i] == NULL) {
			b->notify[i] = nop;
			ok = true;
		}
	}
	pthread_mutex_unlock(&dpp->lock);
	return ok;
}

static void
bind_put(resmgr_context_t *ctp, struct axon_bind *b)
{
	dispatch_t *dpp = ctp->dpp;
	int (*close_ocb)(resmgr_context_t *, void *, void *);
	bool last;

	pthread_mutex_lock(&dpp->lock);
	last = --b->refs == 0;
	pthread_mutex_unlock(&dpp->lock);
	if (!last) {
		return;
	}
	if (b->origin != NULL) {
		/* An alias: the OCB is its open's to close. */
		struct axon_bind *o = b->origin;

		conn_gone(ctp, b);
		free(b);
		bind_put(ctp, o);
		return;
	}
	close_ocb = IO_FN(b->iofuncs, close_ocb);
	if (close_ocb != NULL) {
		struct axon_ctx *c = axon__ctx_of(ctp);
		struct axon_bind *saved = c->bind;
		int id = ctp->id;

		int scoid = ctp->info.scoid, coid = ctp->info.coid;

		c->bind = b;
		ctp->id = b->link_id;
		/* The closing connection's, for iofunc_notify_remove(ctp)
		 * (a disconnect pulse's ctp is nobody's). */
		ctp->info.scoid = b->scoid;
		ctp->info.coid = b->coid;
		(void) close_ocb(ctp, NULL, b->ocb);
		c->bind = saved;
		ctp->id = id;
		ctp->info.scoid = scoid;
		ctp->info.coid = coid;
	}
	free(b);
}

int
axon__resmgr_reply(resmgr_context_t *ctp, int r, int dflt)
{
	struct axon_ctx *c = axon__ctx_of(ctp);

	if (r == _RESMGR_NOREPLY) {
		return 0;
	}
	if (r == _RESMGR_DEFAULT) {
		r = dflt;
		if (r == _RESMGR_NOREPLY) {
			return 0;
		}
	}
	if (r > 0) {
		return MsgError_r(ctp->rcvid, r);
	}
	if (r == 0) {
		return MsgReply_r(ctp->rcvid, ctp->status, NULL, 0);
	}
	if ((unsigned) -r > c->nparts) {
		return MsgError_r(ctp->rcvid, EFAULT); /* more than iov[] */
	}
	return MsgReplyv_r(ctp->rcvid, ctp->status, ctp->iov, (size_t) -r);
}

/* ---- Attaching ----------------------------------------------------- */

int
resmgr_attach(dispatch_t *dpp, resmgr_attr_t *attr, const char *path,
    enum _file_type file_type, unsigned flags,
    const resmgr_connect_funcs_t *connect_funcs,
    const resmgr_io_funcs_t *io_funcs, void *handle)
{
	size_t msg_max = AXON_RESMGR_MSG_MIN;
	unsigned nparts = AXON_RESMGR_NPARTS_MIN;
	char norm[PATH_MAX];
	char *entry = NULL;
	char *mount = NULL;
	struct axon_link *l;
	int id = -1, rc;

	if (dpp == NULL || (flags & ~(unsigned) _RESMGR_FLAG_MASK) != 0 ||
	    (unsigned) file_type > _FTYPE_ALL) {
		errno = EINVAL;
		return -1;
	}
	if (attr != NULL) {
		if (attr->msg_max_size > msg_max) {
			msg_max = attr->msg_max_size;
		}
		if (attr->nparts_max > nparts) {
			nparts = attr->nparts_max;
		}
	}
	if (flags & _RESMGR_FLAG_FTYPEALL) {
		file_type = _FTYPE_ALL;
	}
	if (path != NULL) {
		char abs[PATH_MAX];

		if (path[0] == '/') {
			rc = axon__path_norm(path, norm, sizeof(norm));
		} else if (getcwd(abs, sizeof(abs)) == NULL) {
			rc = -errno;
		} else if (strlen(abs) + 1 + strlen(path) >= sizeof(abs)) {
			rc = -ENAMETOOLONG;
		} else {
			strcat(abs, "/");
			strcat(abs, path);
			rc = axon__path_norm(abs, norm, sizeof(norm));
		}
		if (rc < 0) {
			errno = -rc;
			return -1;
		}
		mount = strdup(norm);
		if (mount == NULL) {
			errno = ENOMEM;
			return -1;
		}
	}
	rc = axon__dispatch_grow(dpp, msg_max, nparts);
	if (rc < 0) {
		free(mount);
		errno = -rc;
		return -1;
	}
	pthread_mutex_lock(&dpp->lock);
	for (int i = 0; i < dpp->npulses; i++) {
		if (dpp->pulses[i].code == _PULSE_CODE_UNBLOCK ||
		    dpp->pulses[i].code == _PULSE_CODE_DISCONNECT) {
			pthread_mutex_unlock(&dpp->lock);
			free(mount);
			errno = EINVAL; /* those pulses are the resmgr's */
			return -1;
		}
	}
	for (int i = 0; i < dpp->nlinks; i++) {
		if (dpp->links[i]->id < 0) {
			id = i;
			break;
		}
	}
	if (id < 0) {
		struct axon_link **n = realloc(dpp->links,
		    (size_t) (dpp->nlinks + 1) * sizeof(*n));

		l = calloc(1, sizeof(*l));
		if (n != NULL) {
			dpp->links = n;
		}
		if (n == NULL || l == NULL) {
			pthread_mutex_unlock(&dpp->lock);
			free(l);
			free(mount);
			errno = ENOMEM;
			return -1;
		}
		id = dpp->nlinks++;
		dpp->links[id] = l;
	}
	l = dpp->links[id];
	*l = (struct axon_link){.id = id, .path = mount, .ftype = file_type,
	    .flags = flags, .cfuncs = connect_funcs, .iofuncs = io_funcs,
	    .handle = handle};
	if (attr != NULL && attr->other_func != NULL) {
		dpp->other_func = attr->other_func;
	}
	dpp->resmgr_on = true;
	pthread_mutex_unlock(&dpp->lock);
	if (mount != NULL &&
	    !(attr != NULL && (attr->flags & RESMGR_FLAG_ATTACH_LOCAL))) {
		rc = axon__path_register(mount, dpp->chid, id, flags, file_type,
		    &entry);
		if (rc < 0) {
			pthread_mutex_lock(&dpp->lock);
			dpp->links[id]->id = -1;
			dpp->links[id]->path = NULL;
			pthread_mutex_unlock(&dpp->lock);
			free(mount);
			errno = -rc;
			return -1;
		}
		pthread_mutex_lock(&dpp->lock);
		dpp->links[id]->entry = entry;
		pthread_mutex_unlock(&dpp->lock);
	}
	return id;
}

/* self: 1 if the caller is a connect handler of link id (it does not
 * wait for itself), -1 to tell from the thread's own bookkeeping. */
static int
resmgr_detach_body(dispatch_t *dpp, int id, unsigned flags, int self,
    bool need_ctp_flag)
{
	struct axon_link *l;
	struct axon_bind *gone = NULL;
	char *entry, *path;

	if (dpp == NULL || (flags & ~(unsigned) (_RESMGR_DETACH_PATHNAME |
	    _RESMGR_DETACH_CLOSE)) != 0) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&dpp->lock);
	if (id < 0 || id >= dpp->nlinks || dpp->links[id]->id < 0 ||
	    (dpp->links[id]->detaching && (!dpp->links[id]->path_only ||
		(flags & _RESMGR_DETACH_PATHNAME)))) {
		pthread_mutex_unlock(&dpp->lock);
		errno = EINVAL; /* not attached, or detached meanwhile */
		return -1;
	}
	l = dpp->links[id];
	if (need_ctp_flag && !(l->flags & _RESMGR_FLAG_DETACH_CTP)) {
		pthread_mutex_unlock(&dpp->lock);
		errno = EINVAL; /* attached without _RESMGR_FLAG_DETACH_CTP */
		return -1;
	}
	entry = l->entry;
	l->entry = NULL;
	if (flags & _RESMGR_DETACH_PATHNAME) {
		/* Opens keep working until closed; new ones fail. */
		l->detaching = true;
		l->path_only = true;
		pthread_mutex_unlock(&dpp->lock);
		axon__path_unregister(entry);
		free(entry);
		return 0;
	}
	l->detaching = true;
	l->path_only = false;
	if (self < 0) {
		self = tls_link == id ? 1 : 0;
	}
	while (l->busy > self) {
		pthread_cond_wait(&dpp->cv, &dpp->lock);
	}
	/* Every open of the link is closed (its close_ocb runs). */
	for (int i = 0; i < AXON_BIND_BUCKETS; i++) {
		struct axon_bind *b = dpp->binds[i], *next;

		for (; b != NULL; b = next) {
			next = b->next;
			if (b->link_id == id) {
				bind_unlink(dpp, b);
				b->next = gone;
				gone = b;
			}
		}
	}
	path = l->path;
	l->path = NULL;
	if (!self) {
		l->id = -1;
	}
	pthread_mutex_unlock(&dpp->lock);
	axon__path_unregister(entry);
	free(entry);
	free(path);
	if (gone != NULL) {
		dispatch_context_t *ctx = dispatch_context_alloc(dpp);

		while (gone != NULL) {
			struct axon_bind *b = gone;

			gone = b->next;
			if (ctx != NULL) {
				bind_put(&ctx->resmgr_context, b);
			} else {
				free(b); /* no memory: the OCB is lost */
			}
		}
		dispatch_context_free(ctx);
	}
	return 0;
}

/* Not a cancellation point (it waits with a lock held). */
int
resmgr_detach(dispatch_t *dpp, int id, unsigned flags)
{
	int rc;
	int state;

	(void) pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &state);
	rc = resmgr_detach_body(dpp, id, flags, -1, false);
	(void) pthread_setcancelstate(state, NULL);
	return rc;
}

/*
 * As resmgr_detach(), told by ctp which link the calling handler is on:
 * a connect handler running on ctp for link id does not wait for itself
 * (its link's busy count holds its own run), whichever thread's
 * bookkeeping says otherwise; with ctp NULL it is resmgr_detach() (the
 * calling thread's own handler, if it runs one on link id, is not
 * waited for).
 */
int
resmgr_detach_ctp(const dispatch_t *dpp, resmgr_context_t *ctp, const int id,
    const unsigned flags)
{
	int rc, self = -1;
	int state;

	if (ctp != NULL) {
		struct axon_ctx *c = axon__ctx_of(ctp);

		if (ctp->dpp != dpp) {
			errno = EINVAL; /* a context of another dispatch */
			return -1;
		}
		self = c->link != NULL && c->link->id == id ? 1 : 0;
	}
	(void) pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &state);
	rc = resmgr_detach_body((dispatch_t *) dpp, id, flags, self, true);
	(void) pthread_setcancelstate(state, NULL);
	return rc;
}

void
axon__resmgr_cleanup(dispatch_t *dpp)
{
	for (int i = 0; i < dpp->nlinks; i++) {
		axon__path_unregister(dpp->links[i]->entry);
		free(dpp->links[i]->entry);
		free(dpp->links[i]->path);
		free(dpp->links[i]);
	}
	free(dpp->links);
	dpp->links = NULL;
	dpp->nlinks = 0;
	for (int i = 0; i < AXON_BIND_BUCKETS; i++) {
		while (dpp->binds[i] != NULL) {
			struct axon_bind *b = dpp->binds[i];

			dpp->binds[i] = b->next;
			free(b);
		}
	}
}

int
resmgr_open_bind(resmgr_context_t *ctp, void *ocb,
    const resmgr_io_funcs_t *iofuncs)
{
	struct axon_ctx *c;
	dispatch_t *dpp;
	struct axon_bind *b, *o;
	unsigned h;

	if (ctp == NULL || ocb == NULL) {
		errno = EINVAL;
		return -1;
	}
	c = axon__ctx_of(ctp);
	dpp = ctp->dpp;
	if (c->link == NULL) {
		errno = EINVAL; /* only while handling an open */
		return -1;
	}
	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		errno = ENOMEM;
		return -1;
	}
	b->scoid = ctp->info.scoid;
	b->coid = ctp->info.coid;
	b->link_id = c->link->id;
	b->ocb = ocb;
	/* An openfd's new open keeps the table its source was bound with
	 * (c->bind: the open it reopens); an open, its link's. */
	if (iofuncs == NULL) {
		iofuncs = c->bind != NULL ? c->bind->iofuncs :
		    c->link->iofuncs;
	}
	b->iofuncs = iofuncs;
	b->refs = 1;
	b->pid = ctp->info.pid;
	b->nd = ctp->info.nd;
	h = bucket(b->scoid, b->coid);
	pthread_mutex_lock(&dpp->lock);
	for (o = dpp->binds[h]; o != NULL; o = o->next) {
		if (o->scoid == b->scoid && o->coid == b->coid &&
		    !o->closing) {
			pthread_mutex_unlock(&dpp->lock);
			free(b);
			errno = EBUSY; /* this connection has an open already */
			return -1;
		}
	}
	b->gen = ++dpp->bind_gen;
	b->next = dpp->binds[h];
	dpp->binds[h] = b;
	c->opened = b->gen;
	pthread_mutex_unlock(&dpp->lock);
	return 0;
}

void *
resmgr_ocb(resmgr_context_t *ctp)
{
	struct axon_ctx *c = ctp != NULL ? axon__ctx_of(ctp) : NULL;

	return c != NULL && c->bind != NULL ? c->bind->ocb : NULL;
}

/* ---- Messages ------------------------------------------------------ */

static bool
ftype_ok(const struct axon_link *l, unsigned want)
{
	return l->ftype == want || l->ftype == _FTYPE_ALL ||
	    (want == _FTYPE_ANY && !(l->flags & _RESMGR_FLAG_FTYPEONLY));
}

/* Drops the binding of ctp's connection that the message being handled
 * made (generation gen), if it is still bound: an open's close_ocb
 * runs, as for a disconnect; an alias just goes. */
static void
unbind_made(resmgr_context_t *ctp, uint64_t gen)
{
	dispatch_t *dpp = ctp->dpp;
	struct axon_bind *b, *gone = NULL;

	pthread_mutex_lock(&dpp->lock);
	for (b = dpp->binds[bucket(ctp->info.scoid, ctp->info.coid)];
	     b != NULL; b = b->next) {
		if (b->scoid == ctp->info.scoid && b->coid == ctp->info.coid &&
		    b->gen == gen) {
			break; /* (gone already, or another one: none) */
		}
	}
	if (b != NULL) {
		bind_unlink(dpp, b);
		unlink_aliases(dpp, b, &gone);
	}
	pthread_mutex_unlock(&dpp->lock);
	while (gone != NULL) {
		struct axon_bind *g = gone;

		gone = g->next;
		bind_put(ctp, g);
	}
	if (b != NULL) {
		if (b->origin == NULL) {
			conn_gone(ctp, b); /* (an alias's: at its last put) */
		}
		bind_put(ctp, b); /* the table's reference */
	}
}

static void
connect_message(resmgr_context_t *ctp)
{
	dispatch_t *dpp = ctp->dpp;
	struct axon_ctx *c = axon__ctx_of(ctp);
	struct _io_connect *m = &ctp->msg->open.connect;
	void *extra = m->path + m->path_len;
	const resmgr_connect_funcs_t *f;
	struct axon_link *l = NULL;
	cfn_t fn = NULL; /* the table's entry, by subtype */
	int r;

	if (m->file_type == _FTYPE_NAME && dpp->name_connect) {
		/* name_open()'s connect: accepted, as QNX's name layer does */
		(void) MsgReply_r(ctp->rcvid, EOK, NULL, 0);
		return;
	}
	if (m->subtype == _IO_CONNECT_COMBINE ||
	    m->subtype == _IO_CONNECT_COMBINE_CLOSE) {
		(void) MsgError_r(ctp->rcvid, ENOSYS);
		return;
	}
	pthread_mutex_lock(&dpp->lock);
	if (m->handle < (uint32_t) dpp->nlinks) {
		l = dpp->links[m->handle];
		if (l->id < 0 || l->detaching || l->path == NULL ||
		    !ftype_ok(l, m->file_type) ||
		    (!(l->flags & _RESMGR_FLAG_DIR) && m->path[0] != '\0')) {
			l = NULL;
		} else {
			l->busy++;
		}
	}
	pthread_mutex_unlock(&dpp->lock);
	if (l == NULL) {
		(void) MsgError_r(ctp->rcvid, ENOENT);
		return;
	}
	f = l->cfuncs;
	if (f != NULL) {
		size_t n = f->nfuncs;

		switch (m->subtype) {
		case _IO_CONNECT_OPEN:
			fn = n >= 1 ? (cfn_t) f->open : NULL;
			break;
		case _IO_CONNECT_UNLINK:
			fn = n >= 2 ? (cfn_t) f->unlink : NULL;
			break;
		case _IO_CONNECT_RENAME:
			fn = n >= 3 ? (cfn_t) f->rename : NULL;
			break;
		case _IO_CONNECT_MKNOD:
			fn = n >= 4 ? (cfn_t) f->mknod : NULL;
			break;
		case _IO_CONNECT_READLINK:
			fn = n >= 5 ? (cfn_t) f->readlink : NULL;
			break;
		case _IO_CONNECT_LINK:
			fn = n >= 6 ? (cfn_t) f->link : NULL;
			break;
		case _IO_CONNECT_MOUNT:
			fn = n >= 8 ? (cfn_t) f->mount : NULL;
			break;
		default:
			break;
		}
	}
	ctp->id = l->id;
	c->link = l;
	c->opened = 0;
	tls_link = l->id;
	r = fn != NULL ? fn(ctp, ctp->msg, l->handle,
	    m->extra_len > 0 ? extra : NULL) : ENOSYS;
	tls_link = -1;
	c->link = NULL;
	if (axon__resmgr_reply(ctp, r, ENOSYS) == -ESRCH && c->opened != 0) {
		/* The client is gone (its disconnect may have been handled
		 * before the OCB was bound): the open it never had is
		 * closed, not left bound to a dead connection. */
		unbind_made(ctp, c->opened);
	}
	c->opened = 0;
	pthread_mutex_lock(&dpp->lock);
	l->busy--;
	if (l->detaching && l->busy == 0 && l->path == NULL) {
		l->id = -1; /* detached from inside its own handler */
	}
	pthread_cond_broadcast(&dpp->cv);
	pthread_mutex_unlock(&dpp->lock);
}

static int
io_call(resmgr_context_t *ctp, struct axon_bind *b, int type, int *dflt)
{
	const resmgr_io_funcs_t *f = b->iofuncs;
	int (*fn)(resmgr_context_t *, void *, void *) = NULL;
	int (*lk)(resmgr_context_t *, void *, void *) = IO_FN(f, lock_ocb);
	int (*ulk)(resmgr_context_t *, void *, void *) = IO_FN(f, unlock_ocb);
	int r;

	*dflt = ENOSYS;
	switch (type) {
#define CASE(_t, _m) \
	case _t: \
		fn = (int (*)(resmgr_context_t *, void *, void *)) \
		    IO_FN(f, _m); \
		break
	CASE(_IO_READ, read);
	CASE(_IO_WRITE, write);
	CASE(_IO_STAT, stat);
	CASE(_IO_NOTIFY, notify);
	CASE(_IO_PATHCONF, pathconf);
	CASE(_IO_LSEEK, lseek);
	CASE(_IO_CHMOD, chmod);
	CASE(_IO_CHOWN, chown);
	CASE(_IO_UTIME, utime);
	CASE(_IO_OPENFD, openfd);
	CASE(_IO_FDINFO, fdinfo);
	CASE(_IO_LOCK, lock);
	CASE(_IO_SPACE, space);
	CASE(_IO_SHUTDOWN, shutdown);
	CASE(_IO_MMAP, mmap);
	CASE(_IO_MSG, msg);
	CASE(_IO_DUP, dup);
	CASE(_IO_SYNC, sync);
	CASE(_IO_POWER, power);
	CASE(_IO_ACL, acl);
#undef CASE
	case _IO_DEVCTL:
		fn = (int (*)(resmgr_context_t *, void *, void *))
		    IO_FN(f, devctl);
		*dflt = ENOTTY;
		break;
	case _IO_CLOSE:
		fn = (int (*)(resmgr_context_t *, void *, void *))
		    IO_FN(f, close_dup);
		*dflt = EOK;
		break;
	case _IO_READ64:
		fn = (int (*)(resmgr_context_t *, void *, void *))
		    IO_FN(f, read64);
		if (fn == NULL) {
			fn = (int (*)(resmgr_context_t *, void *, void *))
			    IO_FN(f, read);
		}
		break;
	case _IO_WRITE64:
		fn = (int (*)(resmgr_context_t *, void *, void *))
		    IO_FN(f, write64);
		if (fn == NULL) {
			fn = (int (*)(resmgr_context_t *, void *, void *))
			    IO_FN(f, write);
		}
		break;
	case _IO_NOTIFY64:
		fn = (int (*)(resmgr_context_t *, void *, void *))
		    IO_FN(f, notify64);
		break;
	case _IO_UTIME64:
		fn = (int (*)(resmgr_context_t *, void *, void *))
		    IO_FN(f, utime64);
		break;
	default:
		break;
	}
	if (fn == NULL) {
		return _RESMGR_DEFAULT;
	}
	if (lk != NULL && (r = lk(ctp, NULL, b->ocb)) != EOK) {
		return r;
	}
	ctp->status = 0;
	r = fn(ctp, ctp->msg, b->ocb);
	if (ulk != NULL) {
		(void) ulk(ctp, NULL, b->ocb);
	}
	return r;
}

/* ---- Direct connections (iodirect.h) ------------------------------ */

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* Equal, in a time that does not tell where they differ. */
static bool
token_eq(const uint8_t *a, const uint8_t *b)
{
	unsigned d = 0;

	for (size_t i = 0; i < AXON_GRANT_TOKEN; i++) {
		d |= (unsigned) (a[i] ^ b[i]);
	}
	return d == 0;
}

/* A grant for the OCB of b, asked on b's own connection. */
static void
grant_message(resmgr_context_t *ctp, struct axon_bind *b)
{
	dispatch_t *dpp = ctp->dpp;
	struct axon_io_grant g;
	struct axon_io_grant_reply rep;
	struct axon_grant *slot = NULL;
	uint64_t now = mono_ns();

	if (resmgr_msgread(ctp, &g, sizeof(g), 0) != (ssize_t) sizeof(g) ||
	    g.hdr.subtype != AXON_IOMSG_GRANT ||
	    g.magic != AXON_GRANT_MAGIC || g.pid <= 0) {
		(void) MsgError_r(ctp->rcvid, EINVAL);
		return;
	}
	/* Only an open's own connection, from this node, may grant: an
	 * alias is not the holder of the open, and another node's pid is
	 * not one this node can check. */
	if (b->origin != NULL || ctp->info.nd != 0) {
		(void) MsgError_r(ctp->rcvid, EPERM);
		return;
	}
	if (getrandom(rep.token, sizeof(rep.token), 0) !=
	    (ssize_t) sizeof(rep.token)) {
		(void) MsgError_r(ctp->rcvid, EAGAIN);
		return;
	}
	pthread_mutex_lock(&dpp->lock);
	for (int i = 0; i < AXON_GRANTS_MAX; i++) {
		struct axon_grant *q = &dpp->grants[i];

		if (q->pid == 0 || q->expires_ns <= now) {
			slot = q;
			break;
		}
		if (slot == NULL || q->expires_ns < slot->expires_ns) {
			slot = q; /* full: the oldest goes */
		}
	}
	memcpy(slot->token, rep.token, sizeof(rep.token));
	slot->pid = g.pid;
	slot->scoid = b->scoid;
	slot->coid = b->coid;
	slot->gen = b->gen;
	slot->expires_ns = now + (uint64_t) AXON_GRANT_TTL_MS * 1000000u;
	pthread_mutex_unlock(&dpp->lock);
	(void) MsgReply_r(ctp->rcvid, EOK, &rep, sizeof(rep));
	memset(&rep, 0, sizeof(rep));
}

/* _IO_DUP on a connection with no open: a grant redeemed, or EBADF. */
static void
dup_message(resmgr_context_t *ctp)
{
	dispatch_t *dpp = ctp->dpp;
	struct axon_io_dup d;
	struct axon_bind *a, *o = NULL, *x;
	uint64_t now = mono_ns();
	bool ok = false;
	uint64_t gen = 0;
	unsigned h;

	if (resmgr_msgread(ctp, &d, sizeof(d), 0) != (ssize_t) sizeof(d) ||
	    d.hdr.key != AXON_DUP_KEY) {
		(void) MsgError_r(ctp->rcvid, EBADF); /* not open, as before */
		return;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		(void) MsgError_r(ctp->rcvid, ENOMEM);
		return;
	}
	h = bucket(ctp->info.scoid, ctp->info.coid);
	pthread_mutex_lock(&dpp->lock);
	for (int i = 0; i < AXON_GRANTS_MAX; i++) {
		struct axon_grant *q = &dpp->grants[i];

		if (q->pid == 0 || !token_eq(q->token, d.token)) {
			continue;
		}
		/* Used once, by whoever shows it: a token shown by the
		 * wrong process is spent too. */
		ok = q->expires_ns > now && q->pid == ctp->info.pid &&
		    ctp->info.nd == 0;
		if (ok) {
			for (x = dpp->binds[bucket(q->scoid, q->coid)];
			     x != NULL; x = x->next) {
				if (x->scoid == q->scoid &&
				    x->coid == q->coid && !x->closing) {
					break;
				}
			}
			/* The open still there, and the same one. */
			ok = x != NULL && x->gen == q->gen &&
			    x->origin == NULL && !x->unbound;
			o = x;
		}
		memset(q, 0, sizeof(*q));
		break;
	}
	for (x = dpp->binds[h]; ok && x != NULL; x = x->next) {
		if (x->scoid == ctp->info.scoid && x->coid == ctp->info.coid &&
		    !x->closing) {
			ok = false; /* bound meanwhile */
		}
	}
	if (ok) {
		a->scoid = ctp->info.scoid;
		a->coid = ctp->info.coid;
		a->link_id = o->link_id;
		a->ocb = o->ocb;
		a->iofuncs = o->iofuncs;
		a->refs = 1;
		a->gen = gen = ++dpp->bind_gen;
		a->origin = o;
		a->pid = ctp->info.pid;
		a->nd = ctp->info.nd;
		o->refs++;
		o->naliases++;
		a->next = dpp->binds[h];
		dpp->binds[h] = a;
	}
	pthread_mutex_unlock(&dpp->lock);
	memset(&d, 0, sizeof(d));
	if (!ok) {
		free(a);
		(void) MsgError_r(ctp->rcvid, EPERM);
		return;
	}
	if (MsgReply_r(ctp->rcvid, EOK, NULL, 0) == -ESRCH) {
		/* Its client is gone (its disconnect may have been handled
		 * before the alias was bound): not left bound. */
		unbind_made(ctp, gen);
	}
}

int
axon__resmgr_link_path(resmgr_context_t *ctp, int id, char *buf,
    size_t size)
{
	dispatch_t *dpp = ctp->dpp;
	const struct axon_link *l;
	size_t n;
	int rc;

	pthread_mutex_lock(&dpp->lock);
	l = id >= 0 && id < dpp->nlinks ? dpp->links[id] : NULL;
	if (l == NULL || l->id < 0 || l->path == NULL) {
		rc = -ENOENT; /* no link, or one attached with no path */
	} else {
		bool dir = (l->flags & _RESMGR_FLAG_DIR) != 0 &&
		    strcmp(l->path, "/") != 0;

		n = strlen(l->path);
		if (n + (dir ? 1 : 0) + 1 > size) {
			rc = -ENAMETOOLONG;
		} else {
			memcpy(buf, l->path, n);
			if (dir) {
				buf[n++] = '/'; /* as resmgr_pathname() */
			}
			buf[n] = '\0';
			rc = (int) n + 1;
		}
	}
	pthread_mutex_unlock(&dpp->lock);
	return rc;
}

/*
 * _IO_OPENFD comes on a new connection of the client's, and names the
 * open it reopens by the client's connection id of it (info.coid): that
 * open is looked up among the sender's own (its scoid is the kernel's,
 * so no process reaches another's opens), and the link's io_openfd runs
 * with its OCB, as a connect handler of the link would: the open it
 * makes (resmgr_open_bind(), by iofunc_openfd()) is bound to this new
 * connection.  An alias (iodirect.h) is not an open of the sender's
 * own: EBADF, as for a connection id with no open.
 */
static void
openfd_message(resmgr_context_t *ctp)
{
	dispatch_t *dpp = ctp->dpp;
	struct axon_ctx *c = axon__ctx_of(ctp);
	struct _io_openfd m;
	struct axon_bind *src;
	struct axon_link *l = NULL;
	int r, dflt;

	memcpy(&m, ctp->msg, sizeof(m)); /* whole: axon__iomsg_check() */
	if (m.info.chid != ctp->info.chid) {
		/* Another channel's connection (another server's). */
		(void) MsgError_r(ctp->rcvid, EBADF);
		return;
	}
	src = bind_get(dpp, ctp->info.scoid, m.info.coid, false);
	if (src == NULL || src->origin != NULL) {
		if (src != NULL) {
			bind_put(ctp, src);
		}
		(void) MsgError_r(ctp->rcvid, EBADF);
		return;
	}
	pthread_mutex_lock(&dpp->lock);
	if (src->link_id >= 0 && src->link_id < dpp->nlinks) {
		l = dpp->links[src->link_id];
		/* Being detached (not only its path): its opens are closed
		 * once the handlers running on it are done; no new one. */
		if (l->id < 0 || (l->detaching && !l->path_only)) {
			l = NULL;
		} else {
			l->busy++;
		}
	}
	pthread_mutex_unlock(&dpp->lock);
	if (l == NULL) {
		bind_put(ctp, src);
		(void) MsgError_r(ctp->rcvid, EBADF);
		return;
	}
	c->bind = src;
	c->link = l;
	c->opened = 0;
	ctp->id = l->id;
	tls_link = l->id;
	r = io_call(ctp, src, _IO_OPENFD, &dflt);
	tls_link = -1;
	c->link = NULL;
	if (axon__resmgr_reply(ctp, r, dflt) == -ESRCH && c->opened != 0) {
		/* The client is gone: its new open is closed, as an
		 * open's would be (connect_message()). */
		unbind_made(ctp, c->opened);
	}
	c->opened = 0;
	c->bind = NULL;
	bind_put(ctp, src);
	pthread_mutex_lock(&dpp->lock);
	l->busy--;
	if (l->detaching && l->busy == 0 && l->path == NULL) {
		l->id = -1; /* detached from inside a handler */
	}
	pthread_cond_broadcast(&dpp->cv);
	pthread_mutex_unlock(&dpp->lock);
}

void
axon__resmgr_message(resmgr_context_t *ctp)
{
	dispatch_t *dpp = ctp->dpp;
	struct axon_ctx *c = axon__ctx_of(ctp);
	size_t srclen = ctp->info.srcmsglen > 0 ?
	    (size_t) ctp->info.srcmsglen : 0;
	struct axon_bind *b, *gone = NULL;
	int type = ctp->msg->type;
	bool drop = false, dup_claimed = false;
	int rc, dflt;

	rc = axon__iomsg_check(ctp->msg, ctp->size, srclen);
	if (rc == -ENOSYS && dpp->other_func != NULL) {
		ctp->status = 0;
		(void) axon__resmgr_reply(ctp,
		    dpp->other_func(ctp, ctp->msg), ENOSYS);
		return;
	}
	if (rc < 0) {
		(void) MsgError_r(ctp->rcvid, -rc);
		return;
	}
	if (type == _IO_CONNECT) {
		ctp->status = 0;
		connect_message(ctp);
		return;
	}
	if (!dpp->resmgr_on) {
		(void) MsgError_r(ctp->rcvid, ENOSYS);
		return;
	}
	if (type == _IO_OPENFD) {
		/* The open it names, not the connection it came on. */
		ctp->status = 0;
		openfd_message(ctp);
		return;
	}
	b = bind_get(dpp, ctp->info.scoid, ctp->info.coid, false);
	if (b == NULL) {
		if (type == _IO_DUP) {
			dup_message(ctp);
		} else {
			(void) MsgError_r(ctp->rcvid, EBADF); /* not open */
		}
		return;
	}
	if (type == _IO_MSG) {
		struct _io_msg im;

		memcpy(&im, ctp->msg, sizeof(im));
		if (im.mgrid == AXON_IOMGR_DIRECT) {
			grant_message(ctp, b); /* never the manager's */
			bind_put(ctp, b);
			return;
		}
	}
	c->bind = b;
	ctp->id = b->link_id;
	if (type == _IO_CLOSE) {
		/* Closing before the client can have its answer (the
		 * handler may reply early): its next open may come on the
		 * same coid at once, to another thread of the pool, and
		 * binds anew; only the unblock pulse of a client held in
		 * this close still finds this one.  Its aliases go now. */
		pthread_mutex_lock(&dpp->lock);
		b->closing = true;
		/* Its close_dup is this message's, unless the close the
		 * layer fakes for a connection gone (conn_gone(): its
		 * client died with this close queued) claimed it. */
		dup_claimed = b->dup_closed;
		b->dup_closed = true;
		unlink_aliases(dpp, b, &gone);
		pthread_mutex_unlock(&dpp->lock);
	}
	if (b->origin != NULL && (type == _IO_NOTIFY ||
	    type == _IO_NOTIFY64)) {
		void *nop;

		/* Where its entries go, to remove them with the alias. */
		axon__notify_armed = NULL;
		rc = io_call(ctp, b, type, &dflt);
		nop = axon__notify_armed;
		axon__notify_armed = NULL;
		if (nop != NULL && !alias_note(dpp, b, nop)) {
			int (*lk)(resmgr_context_t *, void *, void *) =
			    IO_FN(b->iofuncs, lock_ocb);
			int (*ulk)(resmgr_context_t *, void *, void *) =
			    IO_FN(b->iofuncs, unlock_ocb);
			bool locked = lk == NULL ||
			    lk(ctp, NULL, b->ocb) == EOK;

			/* More lists than an alias keeps: not armed. */
			axon__notify_remove_client(ctp, nop);
			if (locked && lk != NULL && ulk != NULL) {
				(void) ulk(ctp, NULL, b->ocb);
			}
			rc = EAGAIN;
		}
	} else if (dup_claimed) {
		rc = EOK; /* close_dup ran: the faked close's */
		dflt = EOK;
	} else {
		/* (An alias's close is its connection's close_dup: it
		 * drops the alias, never the open.) */
		rc = io_call(ctp, b, type, &dflt);
	}
	(void) axon__resmgr_reply(ctp, rc, dflt);
	if (type == _IO_CLOSE) {
		pthread_mutex_lock(&dpp->lock);
		if (!b->unbound) {
			bind_unlink(dpp, b);
			drop = true;
		}
		pthread_mutex_unlock(&dpp->lock);
	}
	/* close_ocb runs after the reply, when the last reference goes. */
	while (gone != NULL) {
		struct axon_bind *g = gone;

		gone = g->next;
		bind_put(ctp, g);
	}
	if (drop) {
		bind_put(ctp, b); /* the table's reference */
	}
	bind_put(ctp, b);
	c->bind = NULL;
}

/*
 * A client held in a connect message (an open the connect handler left
 * unreplied, _RESMGR_NOREPLY) wants out (a signal, a timeout): QNX's
 * layer synthesizes the connect table's unblock outcall for it, with
 * the link's handle (there is no OCB yet), as it calls the I/O table's
 * for an I/O message.  Its return value is the blocked client's answer
 * (an errno: its open fails with it); _RESMGR_NOREPLY or
 * _RESMGR_DEFAULT leave it held, and so does a table without unblock
 * (QNX's default is none).  True when rcvid's message is a connect (it
 * was handled here, or it is gone), false for any other message.
 */
static bool
connect_unblock(resmgr_context_t *ctp, struct _pulse *p, rcvid_t rcvid,
    const struct _msg_info *info)
{
	dispatch_t *dpp = ctp->dpp;
	struct axon_ctx *c = axon__ctx_of(ctp);
	struct _io_connect m;
	const resmgr_connect_funcs_t *f;
	struct axon_link *l = NULL;
	int (*fn)(resmgr_context_t *, io_pulse_t *, void *, void *) = NULL;
	long n;

	memset(&m, 0, sizeof(m));
	n = MsgRead_r(rcvid, &m, offsetof(struct _io_connect, path), 0);
	if (n < (long) sizeof(m.type)) {
		return n < 0; /* gone meanwhile: nothing to unblock */
	}
	if (m.type != _IO_CONNECT) {
		return false;
	}
	if (n < (long) offsetof(struct _io_connect, path)) {
		return true; /* too short to have been held: none */
	}
	pthread_mutex_lock(&dpp->lock);
	if (m.handle < (uint32_t) dpp->nlinks &&
	    dpp->links[m.handle]->id >= 0) {
		l = dpp->links[m.handle];
		f = l->cfuncs;
		if (f != NULL && f->nfuncs >= 7 && f->unblock != NULL) {
			fn = (int (*)(resmgr_context_t *, io_pulse_t *, void *,
			    void *)) f->unblock;
			l->busy++; /* a detach waits for it */
		}
	}
	pthread_mutex_unlock(&dpp->lock);
	if (fn != NULL) {
		struct _msg_info pinfo = ctp->info;
		rcvid_t saved = ctp->rcvid;
		int sid = ctp->id, r;

		ctp->rcvid = rcvid;
		ctp->info = *info;
		ctp->id = l->id;
		ctp->status = 0;
		c->bind = NULL;
		tls_link = l->id;
		r = fn(ctp, p, l->handle, NULL);
		tls_link = -1;
		(void) axon__resmgr_reply(ctp, r, _RESMGR_NOREPLY);
		ctp->rcvid = saved;
		ctp->info = pinfo;
		ctp->id = sid;
		pthread_mutex_lock(&dpp->lock);
		l->busy--;
		if (l->detaching && l->busy == 0 && l->path == NULL) {
			l->id = -1; /* detached from inside the handler */
		}
		pthread_cond_broadcast(&dpp->cv);
		pthread_mutex_unlock(&dpp->lock);
	}
	return true;
}

bool
axon__resmgr_pulse(resmgr_context_t *ctp)
{
	dispatch_t *dpp = ctp->dpp;
	struct axon_ctx *c = axon__ctx_of(ctp);
	struct _pulse *p = &ctp->msg->pulse;

	if (p->code == _PULSE_CODE_DISCONNECT) {
		struct axon_bind *gone = NULL;

		pthread_mutex_lock(&dpp->lock);
		for (int i = 0; i < AXON_BIND_BUCKETS; i++) {
			struct axon_bind *b = dpp->binds[i], *next;

			for (; b != NULL; b = next) {
				next = b->next;
				if (b->scoid == p->scoid) {
					bind_unlink(dpp, b);
					b->next = gone;
					gone = b;
				}
			}
		}
		/* The opens that went take their aliases with them. */
		for (struct axon_bind *b = gone; b != NULL; b = b->next) {
			if (b->origin == NULL && b->naliases > 0) {
				struct axon_bind *more = NULL, *last;

				unlink_aliases(dpp, b, &more);
				for (last = more; last != NULL &&
				     last->next != NULL; last = last->next) {
				}
				if (last != NULL) {
					/* after b: the walk goes on past them */
					last->next = b->next;
					b->next = more;
				}
			}
		}
		pthread_mutex_unlock(&dpp->lock);
		while (gone != NULL) {
			struct axon_bind *b = gone;

			gone = b->next;
			if (b->origin == NULL) {
				/* The close QNX fakes for a connection that
				 * went without one (an alias's comes at its
				 * last put). */
				conn_gone(ctp, b);
			}
			bind_put(ctp, b);
		}
		(void) ConnectDetach_r(p->scoid);
		return true;
	}
	if (p->code == _PULSE_CODE_UNBLOCK) {
		rcvid_t rcvid = p->value.sival_int;
		struct _msg_info info;
		struct axon_bind *b;
		int (*fn)(resmgr_context_t *, io_pulse_t *, void *);
		rcvid_t saved = ctp->rcvid;

		if (MsgInfo_r(rcvid, &info) < 0) {
			return true; /* replied meanwhile */
		}
		if (connect_unblock(ctp, p, rcvid, &info)) {
			return true;
		}
		b = bind_get(dpp, info.scoid, info.coid, true);
		if (b == NULL) {
			return true;
		}
		fn = (int (*)(resmgr_context_t *, io_pulse_t *, void *))
		    IO_FN(b->iofuncs, unblock);
		if (fn != NULL) {
			struct _msg_info pinfo = ctp->info;
			int r;

			c->bind = b;
			ctp->rcvid = rcvid;
			ctp->info = info;
			ctp->status = 0;
			r = fn(ctp, p, b->ocb);
			(void) axon__resmgr_reply(ctp, r, _RESMGR_NOREPLY);
			ctp->rcvid = saved;
			ctp->info = pinfo;
			c->bind = NULL;
		}
		bind_put(ctp, b);
		return true;
	}
	return false;
}

/* ---- Deferred messages ------------------------------------------- */

/*
 * The message of rcvid again, on ctp, as dispatch_handler() would handle
 * it if it had just arrived: the OCB looked up from its connection, the
 * handler's return value replied.  What ctp held (a handler's message,
 * its IOVs, its OCB and link) is put back afterwards, so that a handler
 * may call this with its own ctp (QNX 7.1 leaves that undefined and
 * asks for a fresh context, which works here too).
 */
int
resmgr_msg_again(resmgr_context_t *ctp, rcvid_t rcvid)
{
	struct axon_ctx *c;
	resmgr_context_t saved;
	struct _msg_info info;
	struct axon_bind *sbind;
	struct axon_link *slink;
	uint64_t sopened;
	iov_t *siov;
	void *sbuf;
	size_t ssize;
	ssize_t n;
	int rc, stls;

	if (ctp == NULL || ctp->dpp == NULL) {
		errno = EFAULT;
		return -1;
	}
	c = axon__ctx_of(ctp);
	rc = MsgInfo_r(rcvid, &info);
	if (rc == 0) {
		/* A client that died a moment ago is gone here too, though
		 * its connection is not marked yet: running its message
		 * again would reply to nobody (a read taking data from the
		 * next reader). */
		rc = axon__rcvid_live(rcvid);
	}
	if (rc < 0) {
		return axon__errno_ret(rc); /* ESRCH: replied, or gone */
	}
	/* The whole buffer: a handler may have built its reply past size. */
	ssize = ctp->msg_max_size;
	siov = malloc(c->nparts * sizeof(iov_t));
	sbuf = malloc(ssize > 0 ? ssize : 1);
	if (siov == NULL || sbuf == NULL) {
		free(siov);
		free(sbuf);
		errno = ENOMEM;
		return -1;
	}
	saved = *ctp;
	memcpy(siov, ctp->iov, c->nparts * sizeof(iov_t));
	memcpy(sbuf, c->buf, ssize);
	sbind = c->bind;
	slink = c->link;
	sopened = c->opened;
	stls = tls_link;
	n = MsgRead_r(rcvid, c->buf, ctp->msg_max_size, 0);
	if (n >= 0) {
		rc = MsgCurrent_r(rcvid);
	}
	if (n >= 0 && rc >= 0) {
		ctp->rcvid = rcvid;
		ctp->info = info;
		ctp->msg = c->buf;
		ctp->id = -1;
		ctp->status = 0;
		ctp->offset = 0;
		ctp->size = (size_t) n;
		c->bind = NULL;
		c->link = NULL;
		tls_link = -1;
		(void) dispatch_handler((dispatch_context_t *) (void *) ctp);
	}
	*ctp = saved;
	memcpy(ctp->iov, siov, c->nparts * sizeof(iov_t));
	memcpy(c->buf, sbuf, ssize);
	c->bind = sbind;
	c->link = slink;
	c->opened = sopened;
	tls_link = stls;
	free(siov);
	free(sbuf);
	if (n < 0) {
		return axon__errno_ret((int) n);
	}
	return axon__errno_ret(rc < 0 ? rc : 0);
}

/* resmgr_handle_tune()'s values: Axon's binding table (a hash of every
 * open by connection) grows as opens come, so they are kept and
 * reported, never acted on. */
static pthread_mutex_t tune_lock = PTHREAD_MUTEX_INITIALIZER;
static int tune_min_handles;
static int tune_min_clients;
static int tune_max_client_handles = AXON_BIND_BUCKETS;

int
resmgr_handle_tune(int min_handles, int min_clients, int max_client_handles,
    int *min_handles_old, int *min_clients_old, int *max_client_handles_old)
{
	if (max_client_handles == 0) {
		errno = EINVAL; /* a bucket holds at least one */
		return -1;
	}
	pthread_mutex_lock(&tune_lock);
	if (min_handles_old != NULL) {
		*min_handles_old = tune_min_handles;
	}
	if (min_clients_old != NULL) {
		*min_clients_old = tune_min_clients;
	}
	if (max_client_handles_old != NULL) {
		*max_client_handles_old = tune_max_client_handles;
	}
	if (min_handles >= 0) {
		tune_min_handles = min_handles;
	}
	if (min_clients >= 0) {
		tune_min_clients = min_clients;
	}
	if (max_client_handles > 0) {
		tune_max_client_handles = max_client_handles;
	}
	pthread_mutex_unlock(&tune_lock);
	return 0;
}

/* ---- Data and replies ---------------------------------------------- */

ssize_t
resmgr_msgread(resmgr_context_t *ctp, void *msg, size_t size, size_t offset)
{
	if (ctp == NULL) {
		errno = EINVAL;
		return -1;
	}
	return MsgRead(ctp->rcvid, msg, size, ctp->offset + offset);
}

ssize_t
resmgr_msgreadv(resmgr_context_t *ctp, iov_t *iov, int parts, size_t offset)
{
	if (ctp == NULL || parts < 0) {
		errno = EINVAL;
		return -1;
	}
	return MsgReadv(ctp->rcvid, iov, (size_t) parts, ctp->offset + offset);
}

ssize_t
resmgr_msgget(resmgr_context_t *ctp, void *msg, size_t size, size_t offset)
{
	size_t have, n;
	ssize_t more;

	if (ctp == NULL || (msg == NULL && size > 0)) {
		errno = EINVAL;
		return -1;
	}
	have = offset < ctp->size ? ctp->size - offset : 0;
	n = have < size ? have : size;
	if (n > 0) {
		memcpy(msg, (char *) ctp->msg + offset, n);
	}
	if (n == size) {
		return (ssize_t) n;
	}
	more = MsgRead(ctp->rcvid, (char *) msg + n, size - n,
	    ctp->offset + offset + n);
	if (more < 0) {
		return n > 0 ? (ssize_t) n : -1;
	}
	return (ssize_t) (n + (size_t) more);
}

ssize_t
resmgr_msgwrite(resmgr_context_t *ctp, const void *msg, size_t size,
    size_t offset)
{
	if (ctp == NULL) {
		errno = EINVAL;
		return -1;
	}
	return MsgWrite(ctp->rcvid, msg, size, offset);
}

ssize_t
resmgr_msgwritev(resmgr_context_t *ctp, const iov_t *iov, int parts,
    size_t offset)
{
	if (ctp == NULL || parts < 0) {
		errno = EINVAL;
		return -1;
	}
	return MsgWritev(ctp->rcvid, iov, (size_t) parts, offset);
}

int
resmgr_msgreply(resmgr_context_t *ctp, void *msg, size_t len)
{
	if (ctp == NULL) {
		errno = EINVAL;
		return -1;
	}
	return MsgReply(ctp->rcvid, ctp->status, msg, len);
}

int
resmgr_msgreplyv(resmgr_context_t *ctp, iov_t *iov, int parts)
{
	if (ctp == NULL || parts < 0) {
		errno = EINVAL;
		return -1;
	}
	return MsgReplyv(ctp->rcvid, ctp->status, iov, (size_t) parts);
}
