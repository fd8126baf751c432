/* SPDX-License-Identifier: MIT */
/*
 * libaxon's SPI: what the network manager (axond), the `axon` command
 * and the FUSE bridge (axon-fs) use of the library beyond its public
 * API.  They include this header, never internal.h; internal.h includes
 * it, so that the library sees the same declarations.  Not installed
 * and not part of the ABI: these are hidden symbols of libaxon.a, which
 * those programs link statically (docs/design/axond.md, "Files").
 *
 * Code those programs share with each other but the library does not
 * need (the node-to-node wire codec, the status-page reader and its
 * text) is in libaxon-tools.a (src/common), not in libaxon.
 */
#ifndef AXON_LIB_AXON_SPI_H
#define AXON_LIB_AXON_SPI_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <sys/neutrino.h>

#include "ctl.h" /* struct axon_ctl, axon_netcred, axon_ext */
#include "shm.h" /* AXON_SLOTS */

/* ---- The run directory and processes (proc.c, rundir.c, util.c) ---- */
/* The run directory ($AXON_RUNDIR, else /run/axon for root, else
 * $XDG_RUNTIME_DIR/axon, else /tmp/axon-<euid>, which must be ours):
 * 0, -ENAMETOOLONG or -EPERM. */
int axon__rundir(char *buf, size_t len);
uint64_t axon__proc_start_time(pid_t pid); /* 0: gone, or a zombie */
/* The real, effective, saved and file-system uids of process pid, from
 * /proc/<pid>/status: 0, -ESRCH (gone), -EINVAL (not understood) or
 * -errno. */
int axon__proc_uids(pid_t pid, uid_t uids[4]);
int axon__my_prio(void);    /* the calling thread's priority */
/* Removes entries of dead processes in pid/ and ps/ that we may remove:
 * at most max (0: all) after looking at most at scan names (0: all).
 * Returns how many it removed. */
unsigned axon__rundir_sweep(const char *rundir, unsigned scan,
    unsigned max);
FILE *axon__tmp_fopen(const char *tmp); /* NULL and errno on failure */
/* util.c: whether look-ups on a file system of type (mountinfo's name)
 * may wait for good: FUSE and the network file systems. */
bool axon__fstype_may_hang(const char *type);
/* util.c: whether a /proc/PID/mountinfo line is such a mount; if so its
 * device and its mountpoint (unescaped, into mp of PATH_MAX bytes). */
bool axon__mountinfo_hang(const char *line, unsigned *maj, unsigned *min,
    char *mp);
int axon__nd_name_at(const char *rundir, int nd, char *buf,
    size_t len); /* nd.c: node nd as rundir's node names it */

/* ---- name.c: a registry entry, "pid chid starttime" ---- */
struct axon_name_entry {
	pid_t pid;
	int chid;
	unsigned long long start; /* the process's start time (proc.c) */
	uid_t owner;              /* the file's owner (st_uid) */
};
/* Reads file (relative to dirfd, or AT_FDCWD) without following a link;
 * 0, or -errno (-EINVAL: not an entry: not a regular file, or not
 * "pid chid starttime"). */
int axon__name_entry_read(int dirfd, const char *file,
    struct axon_name_entry *r);
/* It is a live, valid entry: the pid exists and was not reused, and the
 * file's owner is root or one of the process's uids (real, effective,
 * saved, file system), so that nobody names another user's server. */
bool axon__name_entry_live(const struct axon_name_entry *r);
/* Removes what lies at file (relative to dirfd, a registry directory)
 * unless it is a live, valid entry or a directory holding one: a file
 * that is no entry or a stale one, anything that is neither file nor
 * directory, and a directory once what is in it is removed (depth
 * bounds the walk).  Never follows a link; what the caller may not
 * remove stays.  0: nothing is left; -EEXIST: a live entry is there;
 * else -errno (-EPERM/-EACCES: junk the caller may not remove). */
int axon__name_reclaim(int dirfd, const char *file, int depth);

/* ---- namesfile.c: the names file axond writes ($AXON_RUNDIR/names;
 * the format is in namesfile.c).  Pure: no I/O. ---- */
/* The version of a names file its first line (without '\n') gives: 2
 * for "# axon names v2[:...]", 1 for anything else. */
int axon__names_version(const char *line, size_t len);
/* One line of it (without '\n'; any bytes) from a file of version v. */
struct axon_names_line {
	char state;             /* '+' serves, '-' shadowed, '~' kept */
	uint32_t nd;            /* <= ND_NODE_MASK; 0: this node */
	pid_t pid;              /* > 0 */
	int chid;               /* >= 0 */
	uint64_t stamp;
	unsigned long long start; /* v2: the claimant's start time; v1: 0 */
	const char *node;       /* into the line: a node name */
	size_t node_len;
	const char *name;       /* into the line: the rest of it, not empty */
	size_t name_len;
};
/* Whether line is exactly a claim (decimal numbers without sign or
 * leading zeros, in range; single spaces); *out is set only if so. */
bool axon__names_line(const char *line, size_t len, int v,
    struct axon_names_line *out);

/* Bytes of the reply buffer the last MsgSend*() of the calling thread
 * received: the end of the furthest extent its server wrote (MsgReply,
 * MsgWrite), within the buffer.  For tools; QNX has no such call. */
size_t axon__reply_len(void);

/* ---- The network manager (axond only; docs/design/axond.md) ---- */
/* A connection of this process, opaque outside the library. */
struct axon_cconn;
void axon__cconn_put(struct axon_cconn *cc);     /* -ref */
void axon__cconn_hold(struct axon_cconn *cc);    /* +ref */
/* Of a virtual client connection: the hooks are no longer called for it
 * (before detaching it). */
void axon__vconn_forget(struct axon_cconn *cc);
/* Of a virtual client connection: the server's id for it (scoid) and its
 * channel's flags, as its server's hello gave them. */
uid_t axon__vconn_srv_uid(const struct axon_cconn *cc); /* the server's */
void axon__vconn_info(const struct axon_cconn *cc, int *ret_scoid,
    unsigned *ret_chflags);

/*
 * The network manager's interface (axond only; see docs/design/axond.md).
 *
 * A virtual client connection presents a process of another node to a
 * local server.  Its sends do not block: axon__nsend_alloc() takes a slot
 * and gives its data area, axon__nsend_post() posts it, and when the
 * server replies, the monitor thread (or the network manager's loop:
 * netloop.c) calls hooks.replied(user, slot) -- unless the slot was
 * posted watched, when the caller looks at it itself (axon__nsend_result)
 * until it calls axon__nsend_notify();
 * axon__nsend_result() then reads the reply and axon__nsend_release()
 * frees the slot.  hooks.dead(user) says the server is gone (slots not
 * yet replied will never be); hooks.received(user, slot) says the
 * server took a slot that was not watched (posted unwatched, or after
 * axon__nsend_notify(); a watched one's phase is looked at with
 * axon__nsend_phase()); hooks.event(user, ctl) carries a
 * MsgDeliverEvent() for the remote client.  Hooks run on the monitor
 * thread and must not block.
 */
struct axon_net_hooks {
	void (*replied)(void *user, uint32_t slot);
	void (*read)(void *user, uint32_t slot); /* fetch the rest */
	void (*received)(void *user, uint32_t slot); /* the server took it */
	void (*event)(void *user, const struct axon_ctl *ev);
	void (*dead)(void *user);
};
struct axon_nresult {
	long status;
	int err;            /* 0, or the errno the server gave */
	const uint8_t *reply; /* the reply area (rbytes long) */
	uint64_t rbytes;
	uint32_t n_ext;     /* the parts of it the server wrote */
	struct axon_ext ext[AXON_MAX_EXT];
};
void axon__net_set_hooks(const struct axon_net_hooks *h);
int axon__vconnect(pid_t pid, int chid, const struct axon_netcred *net,
    void *user, struct axon_cconn **ret_cc); /* coid; *ret_cc +ref */
int axon__vconn_netcred(struct axon_cconn *cc,
    const struct axon_netcred *net);
int axon__nsend_alloc(struct axon_cconn *cc, uint64_t sbytes,
    uint64_t rbytes, uint8_t **ret_data); /* slot, or -EAGAIN/-EBADF */
/* AXON_PH_SENT, _RECEIVED or _REPLIED (shm.h), or 0: not ours now. */
int axon__nsend_phase(struct axon_cconn *cc, int slot);
/* Whether slot's message (posted by axon__nsend_post) has sequence seq:
 * an event's AXON_EVENT_MSG names it. */
bool axon__nsend_is(struct axon_cconn *cc, int slot, uint32_t seq);
int axon__nsend_post(struct axon_cconn *cc, int slot, int32_t coid,
    int32_t tid, int32_t prio, uint32_t avail, bool newcred,
    bool watched); /* 0, or -EAGAIN: withdrawn, not posted.  newcred: an
		    * axon__vconn_netcred() was sent since the last post;
		    * watched: no REPLIED notice until axon__nsend_notify() */
void axon__nsend_avail(struct axon_cconn *cc, int slot, uint32_t avail,
    int err); /* more of the message arrived, or err: it will not.
	       * avail | AXON_AVAIL_MORE (shm.h): more of what ships is
	       * coming (the server waits for it, asks no READ) */
/* A watched slot: the notice from now on (true: the reply came already,
 * no notice will: the caller takes it). */
bool axon__nsend_notify(struct axon_cconn *cc, int slot);
int axon__nsend_result(struct axon_cconn *cc, int slot,
    struct axon_nresult *ret); /* 1 replied, 0 not yet */
void axon__nsend_release(struct axon_cconn *cc, int slot);
int axon__nsend_unblock(struct axon_cconn *cc, int slot, int reason);
/* The client side (the NET_MSG channel's owner): */
ssize_t axon__msg_peek(rcvid_t rcvid, size_t offset, size_t len,
    const uint8_t **ret_ptr, void **ret_ref);
void axon__msg_unpeek(void *ref);
int axon__msg_write_peek(rcvid_t rcvid, size_t offset, size_t len,
    uint8_t **ret_ptr, void **ret_ref);
int axon__net_target(int scoid, uint32_t *nd, pid_t *pid, int *chid);
int axon__net_unblock_reason(rcvid_t rcvid); /* EINTR, ETIMEDOUT or 0 */
/* The remote server received rcvid's message: its client is REPLY-blocked
 * from now on (AXON_ST_NETPEND cleared).  0, or -ESRCH. */
int axon__net_received(rcvid_t rcvid);
/* A remote reply for rcvid's client lands in its reply area in order
 * from offset 0: have bytes are there and final (the client copies them
 * while the rest comes), or 0: no longer so (it copies all at the
 * reply).  0, or -ESRCH. */
int axon__net_reply_progress(rcvid_t rcvid, uint32_t have);
/* rcvid's priority with its real-time bit 0x100 (10: SCHED_OTHER). */
int axon__net_msg_prio(rcvid_t rcvid);
/* AXON_EVENT_MSG(slot, seq) of rcvid's message while it is held (ctl.h),
 * else 0: what an event for that message names. */
uint32_t axon__net_msg_tag(rcvid_t rcvid);
int axon__net_cred_hint(int scoid, uint32_t *ret_hint); /* shm.h */
/* ConnectClientInfoExt() and ClientInfoExtFree(), 0 or -errno, errno
 * untouched (api.c). */
int axon__client_info_ext(int scoid, struct _client_info **info, int flags);
int axon__client_info_ext_free(struct _client_info **info);
int axon__net_deliver_event(int scoid, const struct axon_ctl *ev);

/* ---- The path namespace and a QNX client's side (path.c, ioclient.c),
 * for the FUSE bridge ---- */
struct axon_path_entry {
	pid_t pid;
	int chid;
	int handle;          /* the link id */
	unsigned flags;      /* _RESMGR_FLAG_* */
	unsigned ftype;
	unsigned long long start; /* the process's start time */
	uint64_t stamp;      /* when attached (orders BEFORE/AFTER) */
	char mount[PATH_MAX];
};

/* Every valid, live entry of the namespace (the checks of
 * axon__path_resolve), in no order: *ret (malloc'd, NULL when none) and
 * the count, or -errno.  For the FUSE bridge's made-up directories. */
int axon__path_list(struct axon_path_entry **ret);

/* Opens path at the manager that serves it, with the connect's ioflag
 * as is (_IO_FLAG_RD/_WR and open(2) flags; mode for O_CREAT): 0 asks
 * for no access, as QNX's stat() and chmod() do.  A side-channel coid,
 * or -errno. */
int axon__io_open_ioflag(const char *path, uint32_t ioflag, mode_t mode);
/* The count the manager replied (never more than n: a larger one is
 * -EIO, a broken or hostile manager), or -errno. */
ssize_t axon__io_read(int coid, void *buf, size_t n);
ssize_t axon__io_write(int coid, const void *buf, size_t n);
int axon__io_stat(int coid, struct stat *st);
int64_t axon__io_lseek(int coid, int64_t off, int whence);
int axon__io_chmod(int coid, mode_t mode);
int axon__io_chown(int coid, uid_t uid, gid_t gid);
int axon__io_close(int coid); /* _IO_CLOSE, then ConnectDetach */
/* _IO_SPACE: subtype F_FREESP(64)/F_ALLOCSP(64); ftruncate(size) is
 * F_FREESP64, SEEK_SET, start size, len 0.  *size (may be NULL) gets
 * the manager's reply (the new size); 0 or -errno. */
int axon__io_space(int coid, int subtype, int whence, int64_t start,
    int64_t len, uint64_t *size);
/* _IO_SYNC: flag O_SYNC (fsync) or O_DSYNC (fdatasync); 0 or -errno. */
int axon__io_sync(int coid, int flag);
/* _IO_PATHCONF: the value (>= 0) or -errno. */
long axon__io_pathconf(int coid, int name);

/*
 * The network manager's own event loop (netloop.c).  Instead of a thread
 * blocked in MsgReceive and hooks run on the monitor thread, one thread
 * of the network manager polls descriptors and does the work itself:
 *
 * axon__net_chan_fd(chid) marks the channel as watched and returns a
 * descriptor (the channel's epoll set; not the caller's to close) that
 * is readable when a message or pulse may be taken; from then on every
 * wake-up of the channel (a pulse queued by the monitor thread, a
 * message queued by a sweep) pokes it, receiver asleep or not.
 * axon__net_receive() takes one message or pulse without blocking (as
 * MsgReceive_r), or -EAGAIN when nothing waits; *ret_more says that more
 * is queued already: the caller takes again before it polls (what a call
 * collected shows on no descriptor; what it did not still makes the
 * descriptor readable).
 *
 * After axon__net_own_vconns(), axon__vconnect() leaves the virtual
 * connection unwatched: the caller watches it with axon__vconn_watch()
 * in its own epoll set (epfd, under tag; once, from the loop), and
 * passes the events of that tag to axon__vconn_event(), which runs the
 * hooks on the calling thread.  On the connection's hang-up, that call
 * removes it from epfd and drops the watch's reference: the tag is not
 * reported again.  If axon__vconn_watch() fails, the connection is
 * handled as hung up (hooks.dead runs) before it returns.
 */
int axon__last_pulse_prio(void); /* receive.c: of the last pulse taken */
int axon__net_chan_fd(int chid);
rcvid_t axon__net_receive(int chid, void *msg, size_t bytes,
    struct _msg_info *info, bool *ret_more);
void axon__net_own_vconns(void);
int axon__vconn_watch(struct axon_cconn *cc, int epfd, uint64_t tag);
void axon__vconn_event(struct axon_cconn *cc, uint32_t events);
extern bool axon__net_own;

/* nd.c: the names of the nodes this node knows ($AXON_RUNDIR/nodes),
 * this one first, each once, for the /net directory: the count and *ret
 * (an array of 64-byte names, malloc'd), or -errno. */
int axon__nd_names(char (**ret)[64]);

/* ioclient.c / netpath.c, for the FUSE bridge's /net and devctl (see
 * dispatch_int.h for the contracts). */
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
int axon__io_devctl(int coid, int dcmd, const iov_t *sv, int sparts,
    const iov_t *rv, int rparts, int *ret_info);
int axon__netpath(int nd, unsigned op, unsigned ftype, const char *path,
    struct axon_path_entry **ret);
/* iodirect.h: a grant for pid on the open coid (the token, the
 * manager's pid and chid; 0 or -errno), and a connection made with one
 * (a side-channel coid bound to the same OCB, or -errno). */
int axon__io_grant(int coid, pid_t pid, uint8_t token[16], pid_t *ret_pid,
    int *ret_chid);
int axon__io_dup_token(pid_t pid, int chid, const uint8_t token[16]);

/* ---- ctlclient.c: the client side of axond's control socket
 * ($AXON_RUNDIR/axond.sock), for netpath.c and the `axon` command.
 * Deadlines are CLOCK_MONOTONIC nanoseconds (axon__ctl_now()), 0 for
 * none.  Errors are -errno: -ETIMEDOUT at the deadline, -ECONNRESET when
 * axond closed the socket, -EPROTO for a frame that does not decode
 * whole. ---- */
struct axon_wire_frame;
uint64_t axon__ctl_now(void);
/* A connected socket (close-on-exec) to rundir's axond, or -errno
 * (-ENOENT/-ECONNREFUSED: no axond there). */
int axon__ctl_connect(const char *rundir);
int axon__ctl_send_bytes(int fd, const uint8_t *p, size_t len,
    uint64_t deadline);
/* Encodes f into buf (cap bytes) and sends it whole. */
int axon__ctl_send(int fd, const struct axon_wire_frame *f, uint8_t *buf,
    size_t cap, uint64_t deadline);
/* Receives one frame into buf, which holds AXON_WIRE_HDR_SIZE +
 * AXON_WIRE_MAX_BODY bytes, and decodes it into *f (whose data points
 * into buf). */
int axon__ctl_recv(int fd, uint8_t *buf, struct axon_wire_frame *f,
    uint64_t deadline);

#endif /* AXON_LIB_AXON_SPI_H */
