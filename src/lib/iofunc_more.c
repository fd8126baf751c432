/*
 * iofunc_more.c - the iofunc defaults and checks for _IO_SYNC, _IO_SPACE,
 * _IO_PATHCONF and _IO_LOCK (QNX 7 names and results, from its public
 * reference).
 *
 * iofunc_func_init() installs iofunc_sync_default,
 * iofunc_pathconf_default and iofunc_lock_default (record locks, below).  _IO_SPACE has no default (as on QNX: what
 * freeing or allocating space means is the manager's data); a manager
 * that implements io_space calls iofunc_space_verify() first.
 *
 * The checks use the OCB's access, which iofunc_open() granted against
 * the client's credentials (the kernel's, or the mapped remote user's):
 * nothing here trusts a field of the message for who the client is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/iofunc.h>

#include "dispatch_int.h"

/* ---- _IO_SYNC (fsync, fdatasync) ------------------------------------ */

int
iofunc_sync_verify(resmgr_context_t *ctp, io_sync_t *msg,
    iofunc_ocb_arg_t arg)
{
	iofunc_ocb_t *ocb = arg.std;
	uint32_t known = (uint32_t) (O_SYNC | O_DSYNC | O_RSYNC);

	(void) ctp;
	if (ocb == NULL || msg == NULL) {
		return EINVAL;
	}
	if (msg->i.flag & ~known) {
		return EINVAL;
	}
	/* An open for no access (stat, chmod) is not a descriptor one
	 * may sync: EBADF, as fsync() on QNX. */
	if (!(ocb->ioflag & (_IO_FLAG_RD | _IO_FLAG_WR))) {
		return EBADF;
	}
	return EOK;
}

int
iofunc_sync_default(resmgr_context_t *ctp, io_sync_t *msg,
    iofunc_ocb_t *ocb)
{
	/* The attribute lives in the manager's memory: once the check
	 * passes there is nothing left to write out. */
	return iofunc_sync_verify(ctp, msg, ocb);
}

/* ---- _IO_SPACE (ftruncate, F_ALLOCSP, F_FREESP) --------------------- */

int
iofunc_space_verify(resmgr_context_t *ctp, io_space_t *msg,
    iofunc_ocb_arg_t arg, int *nonblock)
{
	iofunc_ocb_t *ocb = arg.std;

	(void) ctp;
	if (ocb == NULL || msg == NULL) {
		return EINVAL;
	}
	switch (msg->i.subtype) {
	case F_ALLOCSP:
	case F_FREESP:
	case F_ALLOCSP64:
	case F_FREESP64:
		break;
	default:
		return EINVAL;
	}
	switch (msg->i.whence) {
	case SEEK_SET:
	case SEEK_CUR:
	case SEEK_END:
		break;
	default:
		return EINVAL;
	}
	if ((int64_t) msg->i.start < 0 && msg->i.whence == SEEK_SET) {
		return EINVAL;
	}
	if ((int64_t) msg->i.len < 0) {
		return EINVAL;
	}
	/* Changing the size is writing: the open must have asked for
	 * it (and so passed iofunc_open()'s check of the mode). */
	if (!(ocb->ioflag & _IO_FLAG_WR)) {
		return EBADF;
	}
	if (nonblock != NULL) {
		*nonblock = (ocb->ioflag & O_NONBLOCK) ? 1 : 0;
	}
	return EOK;
}

/* ---- _IO_PATHCONF (pathconf, fpathconf) ----------------------------- */

int
iofunc_pathconf_verify(resmgr_context_t *ctp, io_pathconf_t *msg,
    iofunc_ocb_arg_t oarg, iofunc_attr_arg_t aarg)
{
	(void) ctp;
	(void) oarg;
	if (msg == NULL || aarg.std == NULL) {
		return EINVAL;
	}
	switch (msg->i.name) {
	case _PC_LINK_MAX:
	case _PC_NAME_MAX:
	case _PC_PATH_MAX:
	case _PC_PIPE_BUF:
	case _PC_CHOWN_RESTRICTED:
	case _PC_NO_TRUNC:
	case _PC_SYNC_IO:
	case _PC_FILESIZEBITS:
		return EOK;
	default:
		return EINVAL; /* terminal limits and the rest: not ours */
	}
}

/* The value goes back as the reply's status (_RESMGR_STATUS): a limit,
 * or 1/0 for an option in effect or not (a status cannot be -1: that
 * is an error number to the client). */
int
iofunc_pathconf(resmgr_context_t *ctp, io_pathconf_t *msg,
    iofunc_ocb_arg_t oarg, iofunc_attr_arg_t aarg)
{
	const iofunc_attr_t *attr = aarg.std;
	const iofunc_mount_t *m;
	long v;
	int rc = iofunc_pathconf_verify(ctp, msg, oarg, aarg);

	if (rc != EOK) {
		return rc;
	}
	m = attr->mount;
	switch (msg->i.name) {
	case _PC_LINK_MAX:
		v = 1; /* the iofunc layer makes no links */
		break;
	case _PC_NAME_MAX:
		v = NAME_MAX;
		break;
	case _PC_PATH_MAX:
		v = PATH_MAX;
		break;
	case _PC_PIPE_BUF:
		v = PIPE_BUF;
		break;
	case _PC_CHOWN_RESTRICTED:
		/* As iofunc_chown(): restricted without a mount. */
		v = m == NULL || (m->conf & IOFUNC_PC_CHOWN_RESTRICTED);
		break;
	case _PC_NO_TRUNC:
		v = m == NULL || (m->conf & IOFUNC_PC_NO_TRUNC);
		break;
	case _PC_SYNC_IO:
		/* As iofunc_open(): O_SYNC needs the mount's word. */
		v = m != NULL && (m->conf & IOFUNC_PC_SYNC_IO);
		break;
	default: /* _PC_FILESIZEBITS */
		v = m != NULL && (m->flags & IOFUNC_MOUNT_32BIT) ? 32 : 64;
		break;
	}
	_RESMGR_STATUS(ctp, (int) v);
	return EOK;
}

int
iofunc_pathconf_default(resmgr_context_t *ctp, io_pathconf_t *msg,
    iofunc_ocb_t *ocb)
{
	return iofunc_pathconf(ctp, msg, ocb, ocb->attr);
}

/* ---- _IO_LOCK (fcntl F_GETLK, F_SETLK, F_SETLKW) -------------------- */

/*
 * POSIX record locks, held in the attribute (attr->lock_list): each lock
 * belongs to a client process (node and pid), as fcntl()'s do, and
 * remembers the OCB it came through.  A waiting F_SETLKW is a client
 * left unreplied, granted in order when a lock goes, answered EINTR by
 * iofunc_unblock_default() when it wants out (signal, timeout).  A
 * process's locks on the file go when it closes any descriptor of it
 * (iofunc_close_dup_default) and with the OCB they came through
 * (iofunc_close_ocb: the client died).  No deadlock detection (EDEADLK).
 */

#define LOCKS_MAX 1024 /* per attribute: ENOLCK beyond */
#define OFF_END INT64_MAX

struct rlock {
	struct rlock *next;
	int32_t nd;
	pid_t pid;
	const void *ocb;
	int16_t type;  /* F_RDLCK, F_WRLCK */
	int64_t start; /* first byte */
	int64_t end;   /* last byte (OFF_END: to the end, whatever it is) */
	rcvid_t rcvid; /* a waiter's */
};

struct rlocks {
	struct rlock *held;
	struct rlock *waiting;
	int n;
};

static struct rlocks *
locks_of(iofunc_attr_t *attr, bool make)
{
	if (attr->lock_list == NULL && make) {
		attr->lock_list = calloc(1, sizeof(struct rlocks));
	}
	return attr->lock_list;
}

static void
locks_tidy(iofunc_attr_t *attr)
{
	struct rlocks *l = attr->lock_list;

	if (l != NULL && l->held == NULL && l->waiting == NULL) {
		free(l);
		attr->lock_list = NULL;
	}
}

/* The first lock of another owner that r conflicts with, or NULL. */
static const struct rlock *
conflict(const struct rlocks *l, const struct rlock *r)
{
	for (const struct rlock *h = l->held; h != NULL; h = h->next) {
		if (h->nd == r->nd && h->pid == r->pid) {
			continue;
		}
		if (h->end < r->start || r->end < h->start) {
			continue;
		}
		if (h->type == F_WRLCK || r->type == F_WRLCK) {
			return h;
		}
	}
	return NULL;
}

/* Takes [start, end] out of the owner's locks, splitting where needed.
 * ENOLCK if a split would pass the limit (nothing changed then). */
static int
unlock_range(struct rlocks *l, int32_t nd, pid_t pid, int64_t start,
    int64_t end)
{
	struct rlock **pp = &l->held;
	int splits = 0;

	for (struct rlock *h = l->held; h != NULL; h = h->next) {
		if (h->nd == nd && h->pid == pid && h->start < start &&
		    h->end > end) {
			splits++;
		}
	}
	if (l->n + splits > LOCKS_MAX) {
		return ENOLCK;
	}
	while (*pp != NULL) {
		struct rlock *h = *pp;

		if (h->nd != nd || h->pid != pid || h->end < start ||
		    end < h->start) {
			pp = &h->next;
			continue;
		}
		if (h->start < start && h->end > end) {
			struct rlock *t = malloc(sizeof(*t));

			if (t == NULL) {
				return ENOMEM;
			}
			*t = *h;
			t->start = end + 1;
			h->end = start - 1;
			t->next = h->next;
			h->next = t;
			l->n++;
			pp = &t->next;
		} else if (h->start < start) {
			h->end = start - 1;
			pp = &h->next;
		} else if (h->end > end) {
			h->start = end + 1;
			pp = &h->next;
		} else {
			*pp = h->next;
			free(h);
			l->n--;
		}
	}
	return EOK;
}

/* Puts r (a copy) in: the owner's locks over its range replaced. */
static int
lock_range(struct rlocks *l, const struct rlock *r)
{
	struct rlock *n;
	int rc;

	if (l->n >= LOCKS_MAX) {
		return ENOLCK;
	}
	n = malloc(sizeof(*n));
	if (n == NULL) {
		return ENOMEM;
	}
	rc = unlock_range(l, r->nd, r->pid, r->start, r->end);
	if (rc != EOK || l->n >= LOCKS_MAX) {
		free(n);
		return rc != EOK ? rc : ENOLCK;
	}
	*n = *r;
	n->next = l->held;
	l->held = n;
	l->n++;
	return EOK;
}

/* Grants the waiters that now can be, in order of arrival; one whose
 * client is gone is dropped without its lock. */
static void
wake_waiters(struct rlocks *l)
{
	struct rlock **pp = &l->waiting;
	int rc;

	while (*pp != NULL) {
		struct rlock *w = *pp;

		if (conflict(l, w) != NULL) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		rc = lock_range(l, w);
		if (rc != EOK) {
			(void) MsgError_r(w->rcvid, rc);
		} else if (MsgReply_r(w->rcvid, EOK, NULL, 0) < 0) {
			(void) unlock_range(l, w->nd, w->pid, w->start,
			    w->end);
		}
		free(w);
		pp = &l->waiting; /* a grant may unblock no one else, but
				   * the list changed: start over */
	}
}

int
iofunc_lock(resmgr_context_t *ctp, io_lock_t *msg, iofunc_ocb_arg_t oarg,
    iofunc_attr_arg_t aarg)
{
	iofunc_ocb_t *ocb = oarg.std;
	iofunc_attr_t *attr = aarg.std;
	struct flock fl;
	struct rlock r = {0};
	const struct rlock *c;
	struct rlocks *l;
	int64_t base, start, len;
	int rc;

	if (ctp == NULL || msg == NULL || ocb == NULL || attr == NULL) {
		return EINVAL;
	}
	if (msg->i.nbytes != (int32_t) sizeof(fl) ||
	    resmgr_msgread(ctp, &fl, sizeof(fl), sizeof(msg->i)) !=
	    (ssize_t) sizeof(fl)) {
		return EINVAL;
	}
	if (msg->i.subtype != F_GETLK && msg->i.subtype != F_SETLK &&
	    msg->i.subtype != F_SETLKW) {
		return EINVAL;
	}
	switch (fl.l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = ocb->offset;
		break;
	case SEEK_END:
		base = attr->nbytes;
		break;
	default:
		return EINVAL;
	}
	start = fl.l_start;
	len = fl.l_len;
	if ((start > 0 && base > INT64_MAX - start) ||
	    (start < 0 && base + start < 0)) {
		return start > 0 ? EOVERFLOW : EINVAL;
	}
	start += base;
	if (len < 0) {
		if (len == INT64_MIN || start + len < 0) {
			return EINVAL;
		}
		r.start = start + len;
		r.end = start - 1;
	} else {
		r.start = start;
		r.end = len == 0 ? OFF_END : (len - 1 > OFF_END - start ?
		    -1 : start + len - 1);
		if (r.end < 0) {
			return EOVERFLOW;
		}
	}
	r.type = fl.l_type;
	switch (fl.l_type) {
	case F_RDLCK:
		if (msg->i.subtype != F_GETLK && !(ocb->ioflag & _IO_FLAG_RD)) {
			return EBADF;
		}
		break;
	case F_WRLCK:
		if (msg->i.subtype != F_GETLK && !(ocb->ioflag & _IO_FLAG_WR)) {
			return EBADF;
		}
		break;
	case F_UNLCK:
		if (msg->i.subtype == F_GETLK) {
			return EINVAL;
		}
		break;
	default:
		return EINVAL;
	}
	r.nd = (int32_t) ctp->info.nd;
	r.pid = ctp->info.pid;
	r.ocb = ocb;
	r.rcvid = ctp->rcvid;
	l = locks_of(attr, fl.l_type != F_UNLCK);
	if (l == NULL) {
		if (fl.l_type == F_UNLCK) {
			return EOK; /* nothing held */
		}
		return msg->i.subtype == F_GETLK ? EOK : ENOMEM;
	}
	if (msg->i.subtype == F_GETLK) {
		c = conflict(l, &r);
		if (c == NULL) {
			fl.l_type = F_UNLCK;
		} else {
			fl.l_type = c->type;
			fl.l_whence = SEEK_SET;
			fl.l_start = c->start;
			fl.l_len = c->end == OFF_END ? 0 : c->end - c->start + 1;
			fl.l_pid = c->pid;
		}
		locks_tidy(attr);
		/* The reply is the struct flock alone. */
		if (MsgReply_r(ctp->rcvid, EOK, &fl, sizeof(fl)) < 0) {
			return _RESMGR_NOREPLY; /* the client is gone */
		}
		return _RESMGR_NOREPLY;
	}
	if (fl.l_type == F_UNLCK) {
		rc = unlock_range(l, r.nd, r.pid, r.start, r.end);
		wake_waiters(l);
		locks_tidy(attr);
		return rc;
	}
	if (conflict(l, &r) != NULL) {
		struct rlock *w, **pp;

		if (msg->i.subtype == F_SETLK) {
			locks_tidy(attr);
			return EAGAIN;
		}
		w = malloc(sizeof(*w));
		if (w == NULL) {
			locks_tidy(attr);
			return ENOMEM;
		}
		*w = r;
		w->next = NULL;
		for (pp = &l->waiting; *pp != NULL; pp = &(*pp)->next) {
		}
		*pp = w;
		return _RESMGR_NOREPLY;
	}
	rc = lock_range(l, &r);
	locks_tidy(attr);
	return rc;
}

int
iofunc_lock_default(resmgr_context_t *ctp, io_lock_t *msg,
    iofunc_ocb_t *ocb)
{
	return iofunc_lock(ctp, msg, ocb, ocb->attr);
}

/* Library hooks (iofunc.c): a process closes a descriptor of the file
 * (all its locks on it go), an OCB is closed (the locks and waiters
 * that came through it go), a waiter wants out. */
void
axon__iofunc_locks_close(resmgr_context_t *ctp, iofunc_ocb_t *ocb,
    bool dup)
{
	iofunc_attr_t *attr = ocb != NULL ? ocb->attr : NULL;
	struct rlocks *l;

	if (attr == NULL) {
		return;
	}
	(void) iofunc_attr_lock(attr);
	l = attr->lock_list;
	if (l != NULL) {
		struct rlock **pp = &l->held;

		while (*pp != NULL) {
			struct rlock *h = *pp;

			if (dup ? (h->nd == (int32_t) ctp->info.nd &&
			    h->pid == ctp->info.pid) : h->ocb == ocb) {
				*pp = h->next;
				free(h);
				l->n--;
			} else {
				pp = &h->next;
			}
		}
		for (pp = &l->waiting; !dup && *pp != NULL;) {
			struct rlock *w = *pp;

			if (w->ocb == ocb) {
				*pp = w->next;
				(void) MsgError_r(w->rcvid, EBADF);
				free(w);
			} else {
				pp = &w->next;
			}
		}
		wake_waiters(l);
		locks_tidy(attr);
	}
	(void) iofunc_attr_unlock(attr);
}

bool
axon__iofunc_locks_unblock(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	iofunc_attr_t *attr = ocb != NULL ? ocb->attr : NULL;
	struct rlocks *l;
	bool found = false;

	if (attr == NULL) {
		return false;
	}
	(void) iofunc_attr_lock(attr);
	l = attr->lock_list;
	for (struct rlock **pp = l != NULL ? &l->waiting : NULL;
	    pp != NULL && *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->rcvid == ctp->rcvid) {
			struct rlock *w = *pp;

			*pp = w->next;
			free(w);
			found = true;
			break;
		}
	}
	if (l != NULL) {
		locks_tidy(attr);
	}
	(void) iofunc_attr_unlock(attr);
	return found;
}
