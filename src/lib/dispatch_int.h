/* SPDX-License-Identifier: MIT */
/*
 * libaxon internals of the resource-manager framework: the dispatch
 * structure, contexts, links (resmgr_attach), OCB bindings, the path
 * namespace and the _IO_* message decoder.  See docs/design/resmgr.md.
 *
 * Locking: dispatch.lock guards every table of a dispatch structure; it
 * is a leaf (no other lock is taken under it) and is never held across
 * a handler, a kernel call or a wait.  Handlers run with references on
 * what they use (link.busy, bind.refs) instead.
 */
#ifndef AXON_LIB_DISPATCH_INT_H
#define AXON_LIB_DISPATCH_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The tables as resmgr.h gives them raw (void handles and OCBs): the
 * library never looks into either. */
#include <sys/resmgr.h>

#include "axon_spi.h"

/* Private pulse codes, below the kernel's (-32..-38). */
#define AXON_PULSE_CODE_WAKE   (-100) /* dispatch_unblock() */
#define AXON_PULSE_CODE_SELECT (-101) /* a select_attach()ed fd is ready */

/* The receive buffer holds at least a connect message with a full path
 * and its extra part. */
#define AXON_RESMGR_MSG_MIN \
	(offsetof(struct _io_connect, path) + PATH_MAX + 512)
#define AXON_RESMGR_NPARTS_MIN 4
#define AXON_BIND_BUCKETS 256
#define AXON_ALIAS_NOTIFY 4 /* notify lists one alias may arm in */

/* One resmgr_attach(). */
struct axon_link {
	int id;             /* -1: free */
	char *path;         /* the mountpoint, normalised, or NULL */
	char *entry;        /* its namespace entry file, or NULL */
	unsigned ftype;
	unsigned flags;
	const resmgr_connect_funcs_t *cfuncs;
	const resmgr_io_funcs_t *iofuncs;
	void *handle;
	int busy;           /* connect handlers running on it */
	bool detaching;     /* no new opens */
	bool path_only;     /* _RESMGR_DETACH_PATHNAME: opens go on */
};

/* An OCB bound to a client's open (its scoid and coid). */
struct axon_bind {
	struct axon_bind *next;
	int scoid;
	int coid;
	int link_id;
	void *ocb;
	const resmgr_io_funcs_t *iofuncs;
	int refs;           /* the table's, and each handler running */
	bool unbound;       /* out of the table: close_ocb at refs 0 */
	bool closing;       /* its _IO_CLOSE is being handled: only the
			     * unblock pulse still finds it */
	uint64_t gen;       /* unique in its dispatch: what a grant names */
	struct axon_bind *origin; /* an alias (iodirect.h): the binding it
				   * shares the OCB of (a reference), or
				   * NULL for an open's own binding */
	int naliases;       /* aliases in the table naming this one */
	/* The connection's client, for the close the layer makes for it
	 * when it goes without one (its client closed the connection or
	 * died; an alias's open went). */
	pid_t pid;
	uint32_t nd;
	bool dup_closed;    /* its own _IO_CLOSE ran close_dup (dpp->lock) */
	/* The notify lists (iofunc_notify_t arrays) an _IO_NOTIFY on the
	 * alias armed: its entries there go with it (resmgr.c). */
	void *notify[AXON_ALIAS_NOTIFY];
};

/* A grant of a direct connection to an OCB (iodirect.h), pending. */
struct axon_grant {
	uint8_t token[16];
	pid_t pid;          /* 0: free */
	int scoid, coid;    /* the binding granted ... */
	uint64_t gen;       /* ... if it is still this one */
	uint64_t expires_ns; /* CLOCK_MONOTONIC */
};

struct axon_mrange {
	int low, high;
	int (*func)(message_context_t *, int, unsigned, void *);
	void *handle;
};

struct axon_pulseh {
	int code;
	int (*func)(message_context_t *, int, unsigned, void *);
	void *handle;
};

struct axon_sel {
	int fd;
	unsigned flags;
	unsigned ready;     /* SELECT_FLAG_* seen by the watcher */
	int (*func)(select_context_t *, int, unsigned, void *);
	void *handle;
};

struct _dispatch {
	int chid;           /* first: name.c reads it */
	bool own_chan;
	unsigned flags;
	pthread_mutex_t lock;
	pthread_cond_t cv;  /* a link's busy count dropped */
	size_t msg_max_size;
	unsigned nparts_max;
	bool ctx_alloced;   /* attaches may no longer grow the sizes */
	bool attached;      /* something was attached (context_alloc ok) */
	bool resmgr_on;
	bool name_connect;  /* name_attach()ed: answer _IO_CONNECT EOK */
	int (*other_func)(resmgr_context_t *, void *);
	struct axon_link **links; /* by id; each lives until destroy, so a
				   * handler's pointer stays good */
	int nlinks;
	struct axon_bind *binds[AXON_BIND_BUCKETS];
	uint64_t bind_gen;  /* the last axon_bind.gen given */
	struct axon_grant grants[32]; /* AXON_GRANTS_MAX */
	struct axon_mrange *ranges;
	int nranges;
	int (*default_func)(message_context_t *, int, unsigned, void *);
	void *default_handle;
	struct axon_pulseh *pulses;
	int npulses;
	struct axon_sel *sels;
	int nsels;
	int sel_epfd;       /* the watcher's epoll set, or -1 */
	int sel_wake;       /* eventfd that stops the watcher */
	bool sel_running;
	pthread_t sel_thread;
	bool has_timeout;
	uint64_t timeout_ns;
};

/* The library's view of a context: the public one is at its end. */
struct axon_ctx {
	dispatch_t *dpp;
	void *buf;
	unsigned nparts;
	struct axon_bind *bind; /* the OCB of the I/O message being handled */
	struct axon_link *link; /* the link of the connect being handled */
	uint64_t opened;        /* the gen of the binding it made, or 0 */
	dispatch_context_t pub; /* last: nparts - 1 more iov_t follow */
};

static inline struct axon_ctx *
axon__ctx_of(const resmgr_context_t *ctp)
{
	return (struct axon_ctx *) ((char *) ctp -
	    offsetof(struct axon_ctx, pub));
}

/* ---- resmgr.c ---- */
/* The path link id of ctp's dispatch was attached at, '/' after a
 * directory's (as resmgr_pathname() gives it), into buf: its length
 * with the NUL, or -ENOENT (no such link, or attached with no path),
 * -ENAMETOOLONG. */
int axon__resmgr_link_path(resmgr_context_t *ctp, int id, char *buf,
    size_t size);

/* ---- dispatch.c ---- */
int axon__dispatch_grow(dispatch_t *dpp, size_t msg_max, unsigned nparts);
int axon__dispatch_chan(void); /* a channel as dispatch_create's */
/* name_attach() on dpp: dispatch_handler() answers name_open()'s
 * _IO_CONNECT with EOK, and contexts can be made. */
void axon__dispatch_name(dispatch_t *dpp);

/* ---- resmgr.c ---- */
/* Handles a message of the _IO_* range (or a pulse the resmgr layer
 * owns: true when it did). */
void axon__resmgr_message(resmgr_context_t *ctp);
bool axon__resmgr_pulse(resmgr_context_t *ctp);
/* Replies as a handler's return value r says: 0 (also when nothing is
 * sent), or the reply's -errno (-ESRCH: the client is gone). */
int axon__resmgr_reply(resmgr_context_t *ctp, int r, int dflt);
void axon__resmgr_cleanup(dispatch_t *dpp);

/* ---- notify.c ---- */
/* The notify list array (nop) the last iofunc_notify() of this thread
 * armed an entry in; the resmgr layer clears it before an alias's
 * _IO_NOTIFY handler and reads it after, to remove the alias's entries
 * when the alias goes (no manager handler could: its OCB lives on). */
extern __thread void *axon__notify_armed;
/* Removes ctp's client's entries from the lists of nop (an
 * iofunc_notify_t array of IOFUNC_NOTIFY_NCOND); ctp must not be NULL. */
void axon__notify_remove_client(resmgr_context_t *ctp, void *nop);

/* ---- iomsg.c: the _IO_* decoder ---- */
/*
 * Checks a message of the _IO_* range received into buf (len bytes of
 * the client's srclen): its header is whole, its fields are in range,
 * and a connect's path is NUL-terminated inside the message with its
 * extra part after it.  0, or -EBADMSG (malformed), -ENOSYS (a type or
 * subtype this library does not handle), -ENAMETOOLONG (a connect that
 * does not fit the receive buffer).  Pure: no state, no allocation.
 */
int axon__iomsg_check(const void *buf, size_t len, size_t srclen);

/* ---- path.c: the node's path namespace (its entries: axon_spi.h) ---- */

struct axon_path_match {
	struct axon_path_entry e;
	const char *rest;    /* into the path asked: what the manager gets */
};

/* Normalises an absolute path (no "//", ".", "..", trailing "/"); "/"
 * stays.  0, -EINVAL (relative, empty) or -ENAMETOOLONG. */
int axon__path_norm(const char *in, char *out, size_t len);
/* Writes the entry of a link; *ret_file (malloc'd) names it. */
int axon__path_register(const char *mount, int chid, int handle,
    unsigned flags, unsigned ftype, char **ret_file);
void axon__path_unregister(const char *file);
/*
 * Resolves path (absolute) for file type ftype: the live managers that
 * serve it, best first (longest mountpoint; at one mountpoint BEFORE,
 * then plain, then AFTER, newest first but AFTER oldest first; nothing
 * after an _RESMGR_FLAG_OPAQUE one).  Entries of process `self` are
 * skipped unless they set _RESMGR_FLAG_SELF (pass 0 to keep all).
 * Writes up to max matches; returns how many, or -errno.  rest points
 * into norm_buf (normlen bytes), which receives the normalised path.
 */
int axon__path_resolve(const char *path, unsigned ftype, pid_t self,
    struct axon_path_match *ret, int max, char *norm_buf, size_t normlen);

/* ---- name.c: names as paths, for name_open() and axond ---- */
/* "/dev/name/local/NAME" or "/dev/name/global/NAME" (as QNX shows a
 * name): NAME, and *ret_global; NULL for any other path. */
const char *axon__name_of_path(const char *path, bool *ret_global);
/* The live server of this node's local (or global) name: 0 and its pid
 * and chid, or -ENOENT (no such name, a stale entry, a bad name). */
int axon__name_lookup(const char *name, bool global, pid_t *ret_pid,
    int *ret_chid);

/* ---- netpath.c: another node's namespace, through axond ---- */
#define AXON_NETPATH_TEXT_MAX (1u << 20) /* bytes of one answer */
#define AXON_NETPATH_TIMEOUT_MS 10000    /* one question, at most */
/*
 * Asks this node's axond (its control socket) about the namespace of
 * node nd (not 0): op AXON_WIRE_PATH_RESOLVE gives the managers of path
 * for file type ftype, best first, with e.mount holding the rest of the
 * path the manager gets (relative, maybe ""); AXON_WIRE_PATH_LIST gives
 * the entries whose mountpoint is path or lies below it, in no order,
 * e.mount the mountpoint.  e.start and e.stamp are 0.  Returns how many
 * (*ret malloc'd, NULL when none), or -errno: ENOREMOTE (no axond),
 * ENXIO (no such node), EHOSTDOWN/EHOSTUNREACH (no session to it),
 * ETIMEDOUT, EPROTO (an answer that breaks the grammar), ENOMEM.
 */
int axon__netpath(int nd, unsigned op, unsigned ftype, const char *path,
    struct axon_path_entry **ret);
/* One answer's text, checked line by line (the grammar of wire.md,
 * "Paths"); for netpath.c and its tests.  Count or -EPROTO/-ENOMEM. */
int axon__netpath_parse(const char *text, size_t len, bool rest,
    struct axon_path_entry **ret);

/* ---- ioclient.c: a QNX client's side, for tests and the FUSE bridge */
/* Opens path (open(2) flags, mode for O_CREAT) at the manager that
 * serves it: a side-channel coid, or -errno. */
int axon__io_open(const char *path, int oflag, mode_t mode);
/* The same with the connect's ioflag as is (_IO_FLAG_RD/_WR and open(2)
 * flags): 0 asks for no access, as QNX's stat() and chmod() do. */
int axon__io_open_ioflag(const char *path, uint32_t ioflag, mode_t mode);
/* The same on node nd: nd 0 is axon__io_open_ioflag(); another node's
 * managers come from its axond (axon__netpath) and are reached through
 * this node's axond as any remote server is. */
int axon__io_open_nd(int nd, const char *path, uint32_t ioflag,
    mode_t mode);
/* A connect message other than an open (_IO_CONNECT_MKNOD, _UNLINK,
 * _RENAME, _LINK) for path on node nd, as QNX's mkdir(), unlink(),
 * rename() send it, tried at each manager of the path in turn while it
 * answers ENOENT: 0 or -errno.  oldpath (rename, link; else NULL):
 * sent as the extra (extra_type) as the manager itself names it, to a
 * manager that serves both paths; none does: -EXDEV. */
int axon__io_connect_nd(int nd, const char *path, unsigned subtype,
    mode_t mode, unsigned extra_type, const char *oldpath);
/* _IO_UTIME: cur set: both times now (cur_flag), else the two given. */
int axon__io_utime(int coid, int cur, time_t atime, time_t mtime);
/* The count the manager replied (never more than n: a larger one is
 * -EIO, a broken or hostile manager), or -errno. */
ssize_t axon__io_read(int coid, void *buf, size_t n);
ssize_t axon__io_write(int coid, const void *buf, size_t n);
int axon__io_stat(int coid, struct stat *st);
/* The new position, or -errno (-EOVERFLOW for one past any off_t). */
int64_t axon__io_lseek(int coid, int64_t off, int whence);
int axon__io_devctl(int coid, int dcmd, const iov_t *sv, int sparts,
    const iov_t *rv, int rparts, int *ret_info);
/* ionotify() on a Linux descriptor of the bridge's mount: message m on
 * the descriptor's direct connection to the manager (docs/design/
 * fuse.md, "Direct calls"), so that the manager's io_notify sees the
 * program as its client and delivers the event to it as to any; an
 * armed connection stays while the descriptor is that file.  0 (*r the
 * reply) or -errno: -ENOTSUP where there is no direct connection (not
 * the mount's, another node's path, AXON_FS_DIRECT=0, 64 descriptors
 * armed already), -EBADF, -EIO (the manager is gone). */
int axon__fd_notify(int fd, const struct _io_notify *m,
    struct _io_notify_reply *r);
/* call(coid, arg) on the direct connection of fd, a Linux descriptor of
 * the bridge's mount (as axon__fd_notify: the same -ENOTSUP, -EBADF,
 * -EIO where there is none or it went), else call's answer; arm: one
 * that succeeded armed a notification on the connection. */
long axon__fd_direct(int fd, long (*call)(int coid, void *arg), void *arg,
    bool arm);
/* _IO_SPACE: subtype F_FREESP(64)/F_ALLOCSP(64); ftruncate(size) is
 * F_FREESP64, SEEK_SET, start size, len 0.  *size (may be NULL) gets
 * the manager's reply (the new size); 0 or -errno. */
int axon__io_space(int coid, int subtype, int whence, int64_t start,
    int64_t len, uint64_t *size);
/* _IO_SYNC: flag O_SYNC (fsync) or O_DSYNC (fdatasync); 0 or -errno. */
int axon__io_sync(int coid, int flag);
/* _IO_PATHCONF: the value (>= 0) or -errno. */
long axon__io_pathconf(int coid, int name);
/* _IO_LOCK: cmd F_GETLK/F_SETLK/F_SETLKW with *fl (F_GETLK's answer
 * written back); 0 or -errno. */
struct flock;
int axon__io_lock(int coid, int cmd, struct flock *fl);
/* iofunc_more.c's record locks, from iofunc.c's close and unblock
 * defaults: drops the closing process's locks (dup) or the OCB's locks
 * and waiters; takes the waiter ctp->rcvid out (true if it was one). */
struct _iofunc_ocb;
void axon__iofunc_locks_close(resmgr_context_t *ctp,
    struct _iofunc_ocb *ocb, bool dup);
bool axon__iofunc_locks_unblock(resmgr_context_t *ctp,
    struct _iofunc_ocb *ocb);
/* name_open()'s _IO_CONNECT on coid (a name's connection): coid, or
 * -errno after detaching it. */
int axon__io_name_connect(int coid);

#endif /* AXON_LIB_DISPATCH_INT_H */
