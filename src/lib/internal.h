/* SPDX-License-Identifier: MIT */
/*
 * libaxon internals: the per-process state, channels, client and server
 * connections.  See docs/design/local-transport.md for the model.
 *
 * Locking: axon_proc.lock, then axon_sconn.lock, then axon_chan.lock, then
 * axon_cconn.lock, then the status page's lock (ps.c), then the monitor
 * table's (proc.c); the reaper's queue lock (proc.c) is a leaf; release
 * in reverse order.  No lock is held across a
 * blocking wait (futex, poll) or a call into user code.  Slot state words
 * in shared memory are never protected by a lock: they change by CAS only.
 */
#ifndef AXON_LIB_INTERNAL_H
#define AXON_LIB_INTERNAL_H

#include <pthread.h>
/* Axon's <pthread.h> maps pthread_create and pthread_join to
 * axon_pthread_create and axon_pthread_join for QNX programs; the library
 * itself calls glibc's. */
#undef pthread_create
#undef pthread_join
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <sys/neutrino.h>

#include "axon_spi.h"
#include "ctl.h"
#include "shm.h"
#include "trace.h"

#define AXON_HIDDEN __attribute__((visibility("hidden")))

#define AXON_MAX_CHANS  4096  /* channels per process */
/*
 * Client side-channel coids and server connection ids (scoids) are both
 * _NTO_SIDE_CHANNEL | n, and ConnectDetach() takes either; they use
 * disjoint ranges of n so that it can tell them apart.
 */
#define AXON_MAX_COIDS  32768 /* side-channel coids: n in [1, 32768); 0
			       * is SYSMGR_COID's (sysmgr.c) */
#define AXON_SCOID_MIN  32768 /* scoids: n in [32768, 65535] */
#define AXON_MAX_SCONNS 65535
#define AXON_SPIN_NS    20000 /* default bounded spin before sleeping */
#define AXON_POLL_NS    1000000 /* immediate SEND timeout: wait for a
				 * RECEIVE-blocked server this long */

struct axon_sconn;

/* A queued item on a channel: a posted message or a pulse. */
struct axon_qitem {
	struct axon_qitem *next;
	int prio;
	uint64_t stamp; /* when it was sent: FIFO order within a priority */
	bool is_pulse;
	struct axon_sconn *sc; /* message: holds a reference */
	uint32_t slot;
	uint32_t seq;
	struct _pulse pulse;
	int32_t unblock_rcvid; /* an UNBLOCK pulse: the rcvid it names */
};

/* A channel: server-private. */
struct axon_chan {
	int chid;
	unsigned flags;
	int epfd;    /* MsgReceive sleeps here: every connection's bell
		      * (tagged with the scoid index) and */
	int poke_fd; /* this eventfd (tag 0), rung by the process itself */
	int pulse_fd; /* MsgReceivePulse sleeps on this eventfd (ppoll) */
	atomic_int refs;
	pthread_mutex_t lock;
	struct axon_qitem *head; /* priority ordered, FIFO within one */
	int msg_sleepers;        /* receivers asleep on epfd */
	int pulse_sleepers;      /* pulse-only receivers asleep on pulse_fd */
	bool destroyed;
	bool watched;            /* an event loop polls epfd (netloop.c):
				  * every wake-up pokes it */
	atomic_int last_cli_cpu;
	_Atomic uint64_t last_bytes; /* size of the last message + reply */
	atomic_int hint_idx;   /* the connection of the last message */
	_Atomic uint64_t bells_ns; /* when the bells were last taken */
	atomic_int last_tid;   /* the thread that last took a message
				* (whom a new connection boosts, boost.c) */
};

/* Server-private view of one slot of a client connection. */
struct axon_sslot {
	uint32_t seq;       /* sequence of the message being handled */
	uint8_t gen;        /* rcvid generation */
	bool queued;        /* on the channel queue */
	bool received;      /* a live rcvid exists */
	bool replied;
	int32_t tid;
	int32_t coid;
	int32_t prio;
	int unblock_reason; /* EINTR/ETIMEDOUT once an unblock was asked */
	uint64_t avail;     /* virtual client: bytes present (validated) */
	bool fetching;      /* virtual client: READ asked */
	uint64_t sbytes;    /* validated copies */
	uint64_t rbytes;
	uint64_t reply_off;
	uint8_t *data;      /* inline area or big buffer */
	uint64_t data_size;
	uint32_t n_ext;
	struct axon_ext ext[AXON_MAX_EXT];
	/* big buffer mapped from the client */
	uint8_t *big;
	uint64_t big_size;
	uint32_t big_gen;
};

/* Server side of a connection: one per client process per channel. */
struct axon_sconn {
	int idx;            /* scoid = idx | _NTO_SIDE_CHANNEL */
	struct axon_chan *chan;
	int sock;
	atomic_int refs;
	pthread_mutex_t lock;
	bool dead;          /* client gone */
	bool detached;      /* ConnectDetach(scoid) done, or freed */
	bool hello_done;
	pid_t pid;          /* from SO_PEERCRED */
	uid_t uid;
	gid_t gid;
	uint64_t start;     /* its start time (axon__proc_start_time) */
	int bell;             /* the client's bell (an eventfd), in the
			       * channel's set until the connection dies */
	uint32_t nd;          /* the client's node (0: this one) */
	bool virt;            /* a virtual client of the network manager */
	struct axon_netcred ncred; /* virt: who it is (under lock) */
	uint32_t target_nd;   /* NET_MSG connections: where the client */
	pid_t target_pid;     /* wants to go */
	int target_chid;
	struct axon_region *rgn;
	struct axon_sslot slot[AXON_SLOTS];
	/* Status page (ps.c): this connection's held[] word, NULL if none,
	 * and what it holds (slots received, not replied).  Under lock. */
	_Atomic uint64_t *ps_held;
	uint64_t ps_mask;
	/* The network manager reads and writes a client's buffers in place
	 * (axon__msg_peek): while it does, a buffer the client replaces is
	 * kept mapped (zombies) rather than unmapped under it. */
	int peeks;
	struct axon_zombie *zombies;
};

struct axon_zombie {
	struct axon_zombie *next;
	void *map;
	uint64_t size;
};

/* A cancel word (axon_cconn's cancel[]): the message's sequence and the
 * reason. */
#define AXON_CANCEL_MAKE(seq, err) \
	(((uint32_t) (seq) << 16) | ((uint32_t) (err) & 0xffffu))
#define AXON_CANCEL_SEQ(c) ((uint32_t) (c) >> 16)
#define AXON_CANCEL_ERR(c) ((int) ((c) & 0xffffu))

/* Client side of a connection, shared by coid aliases. */
struct axon_cconn {
	uint32_t nd;
	pid_t pid;
	int chid;
	pid_t peer_pid;      /* who takes our messages: pid, or for another
			      * node this node's network manager */
	bool noshare;
	int sock;
	int bell;            /* eventfd: the server's receivers wait on it */
	int scoid;
	unsigned chflags;
	atomic_int refs;     /* coid aliases + in-flight operations */
	int aliases;         /* coids pointing here (under proc.lock) */
	/* _NTO_COF_NOEVENT and _NTO_COF_REG_EVENTS of any coid pointing
	 * here (set under proc.lock, read by the monitor thread). */
	atomic_uint evflags;
	pthread_mutex_t lock;
	atomic_bool dead;
	atomic_int dead_err; /* ESRCH (server gone) or EBADF (detached) */
	struct axon_region *rgn;
	_Atomic uint64_t free_mask; /* slots not in use */
	uint64_t abandoned_mask;    /* slots the server still holds */
	_Atomic uint32_t slot_seq;  /* futex: bumped as a slot frees */
	atomic_int slot_waiters; /* threads waiting for a slot (slot.c) */
	bool detached;              /* ConnectDetach()ed by us */
	uid_t srv_uid;
	/* What the sender waiting on slot i is to leave with, and for which
	 * of the slot's messages: AXON_CANCEL_MAKE(seq, EBADF or
	 * ETIMEDOUT), 0 for nothing.  A later message of the slot ignores
	 * a reason set for an earlier one (cconn.c, cc_cancel). */
	_Atomic uint32_t cancel[AXON_SLOTS];
	/* Bumped by each ConnectDetach() of a coid of this connection,
	 * before it looks for the coid's blocked senders (send_post). */
	_Atomic uint32_t detach_seq;
	_Atomic int slot_coid[AXON_SLOTS];
	_Atomic pid_t slot_tid[AXON_SLOTS];
	struct {
		int fd;
		uint8_t *map;
		uint64_t size;
		uint32_t gen;
	} big[AXON_SLOTS];
	uint32_t next_gen;
	/* Network manager only: a virtual client connection (nd != 0 seen
	 * from the server) whose sends complete asynchronously. */
	_Atomic(void *) net_user;
	int loop_epfd;                  /* > 0: the network manager's own
					 * event loop watches sock (netloop.c),
					 * not the monitor thread */
	uint8_t *ndata[AXON_SLOTS];     /* nsend: the slot's data area */
	uint64_t nreply_off[AXON_SLOTS];
	uint64_t nrbytes[AXON_SLOTS];
	uint32_t nseq[AXON_SLOTS];
};

struct axon_coid {
	struct axon_cconn *cc;
	int flags;
	int fdres; /* reserved fd for non-side coids, else -1 */
};

/* Monitor thread epoll tags. */
enum axon_tag_kind { AXON_TAG_LISTEN, AXON_TAG_SCONN, AXON_TAG_CCONN };

struct axon_proc {
	pthread_mutex_t lock;
	bool inited;
	pid_t pid;
	uint64_t start_time;
	char rundir[256];
	int ncpu;
	int64_t spin_ns;     /* AXON_SPIN_NS, or the default */
	int64_t poll_ns;     /* AXON_POLL_NS, or the default */
	/* monitor */
	int epfd;
	int listen_fd;
	int spare_fd;  /* /dev/null, given up to accept a connection when
			* out of descriptors, so as to refuse it (sconn.c) */
	int wake_fd;
	bool mon_running;
	pthread_t mon;
	/* tables */
	struct axon_chan *chans[AXON_MAX_CHANS];
	int death_chid;        /* channel with COID_DISCONNECT, or -1 */
	int net_chid;          /* the node's _NTO_CHF_NET_MSG channel, or 0 */
	int tdeath_chid;       /* channel with THREAD_DEATH, or -1 */
	struct axon_sconn **sconns; /* [AXON_MAX_SCONNS + 1] */
	int next_sconn;
	struct axon_coid *coids;    /* side-channel coids */
	int coid_hwm;               /* coids[] in use are below this */
	struct axon_coid *fdcoids;  /* fd-range coids, indexed by fd */
	int fdcoids_len;
};

extern struct axon_proc axon__proc;

/* ---- proc.c ---- */
int axon__proc_init(void);
int axon__mon_start(void);          /* call with proc.lock held */
int axon__mon_add(int fd, enum axon_tag_kind kind, void *obj);
void axon__mon_del(int fd);

/* ---- rundir.c: entries in $AXON_RUNDIR/pid and their reclaiming ---- */
#define AXON_SWEEP_SCAN 512 /* names a process making its entry looks at */
#define AXON_SWEEP_MAX  64  /* dead entries it removes at most */
/* Listens on pid/<pid>, or on pid/<pid>.<random> if a file we may not
 * remove holds that; the path bound goes to ret_path. */
int axon__pid_listen(const char *rundir, pid_t pid, int *ret_fd,
    char *ret_path, size_t len);
/* A socket connected to process pid's entry, checked with the kernel to
 * be pid's (within timeout_ms); -ESRCH, -EAGAIN (a listener that takes
 * no connections) or -EMFILE. */
int axon__pid_connect(const char *rundir, pid_t pid, int timeout_ms);
int axon__peer_is(int sock, pid_t pid); /* 0, -ESRCH or -EMFILE */
/* A pidfd of the process at the other end of sock, whose SO_PEERCRED is
 * cr: the very process that connected (or listened), or -ESRCH if it is
 * gone (or -EMFILE). */
struct ucred;
int axon__peer_pidfd(int sock, const struct ucred *cr);
/* Whether the process at the other end of sock, pid, started at start, is
 * still that process: 0, or -ESRCH if it is gone (its pid may be another
 * process's now).  Uses no descriptor beyond a moment's pidfd, and none
 * at all when none is left. */
int axon__peer_alive(int sock, pid_t pid, uint64_t start);
extern bool axon__no_peerpidfd; /* tests: as on a kernel before 6.5 */
void axon__apply_prio(int prio);
void axon__prio_changed(void); /* SchedSet() on the calling thread */
/* A client raised one of our threads (boost.c): every thread checks its
 * priority again at its next receive. */
void axon__prio_recheck(void);
/* The calling receiver, about to publish its tid for the send-time
 * boost: records its own scheduling first (what it returns to). */
void axon__prio_base(void);
pid_t axon__gettid(void);
/*
 * QNX's own name for one of QNX's C library extras that libaxon has as
 * an axon_ function (qnx-libc(3), "Symbols"): what an object built
 * without Axon's headers (an implicit declaration, a C++ unit's own
 * extern "C", a library compiled elsewhere) links to.  Weak, so that a
 * program's own function of that name wins over it, in libaxon.a as in
 * libaxon.so.  Only for names no C library has (linux_compat.sh checks
 * glibc's); a header's macro of the same name is #undef'd first.
 */
#define AXON_QNX_NAME(qnx, fn)                                        \
	extern __typeof__(fn) qnx                                      \
	    __attribute__((weak, alias(#fn), visibility("default")))
/* The system page (syspage.c), while it is being built: name's offset in
 * the strings section, added if it is not there, or -1 (full). */
long axon__syspage_intern(const char *name);
/* The hwinfo section, built from sysfs (hwinfo.c) while the page is:
 * the malloc'ed tags and their bytes (*size), or NULL.  as_mem and as_io
 * are the byte offsets of asinfo's "memory" and "io" (or AS_NULL_OFF). */
void *axon__hwinfo_build(size_t *size, uint16_t as_mem, uint16_t as_io);
/* ci is one ConnectClientInfoExt() made (and not yet freed), so its
 * grouplist holds all of cred.ngroups (api.c). */
bool axon__client_info_whole(const struct _client_info *ci);
/* Makes the calling thread's exit send _PULSE_CODE_THREADDEATH (when the
 * process has a _NTO_CHF_THREAD_DEATH channel) without listing it in
 * axon ps; axon__gettid() does both. */
void axon__thread_watch(void);
/* pthread_create() for the library's own threads (the monitor, the
 * timer and select threads, the watchers): the thread starts with every
 * signal blocked, so that no signal of the program's ever runs its
 * handler there (blocking from inside the thread leaves a window at its
 * start).  The caller's mask is unchanged.  0 or -errno. */
int axon__thread_create_quiet(pthread_t *th, const pthread_attr_t *attr,
    void *(*fn)(void *), void *arg);
/* A thread Axon's pthread_create() or ThreadCreate() started, as it
 * begins: arg becomes its __tls()->__arg (storage.c). */
void axon__tls_start(void *arg);
int axon__getcpu(void);
uint32_t axon__cred_hint(void); /* shm.h, cred_hint */

/* ---- chan.c ---- */
struct axon_chan *axon__chan_get(int chid); /* +ref */
void axon__chan_put(struct axon_chan *chan);
struct axon_chan *axon__chan_get_net(void); /* +ref, or NULL */
void axon__chan_enqueue(struct axon_chan *chan, struct axon_qitem *it);
void axon__chan_insert(struct axon_chan *chan,
    struct axon_qitem *it); /* chan->lock held; no wake-up */
void axon__chan_poke(struct axon_chan *chan);
void axon__chan_wake(struct axon_chan *chan, bool pulse); /* chan->lock */
int axon__chan_pulse(struct axon_chan *chan, int prio, int code,
    union sigval value, int scoid);
int axon__chan_pulse_at(struct axon_chan *chan, int prio, int code,
    union sigval value, int scoid, uint64_t stamp);
struct axon_qitem *axon__pulse_item(int prio, int code, union sigval value,
    int scoid, uint64_t stamp); /* not queued; NULL: no memory */
void axon__chan_drop_sconn(struct axon_chan *chan, struct axon_sconn *sc);
bool axon__chan_drop_unblock(struct axon_chan *chan, int32_t rcvid);
int axon__local_pulse(int chid, int prio, int code, union sigval value,
    int scoid);

int axon__netmgr_pid(pid_t *ret_pid); /* this node's axond, or -ENOREMOTE */
int axon__netmgr_claim(void);   /* proc.lock held */
void axon__netmgr_release(void);

/* ---- sconn.c ---- */
void axon__sconn_accept(void);
void axon__sconn_event(struct axon_sconn *sc, uint32_t events);
int axon__sconn_drain(struct axon_sconn *sc); /* sc->lock held */
void axon__sconn_put(struct axon_sconn *sc);
struct axon_sconn *axon__sconn_get(int idx); /* +ref */
void axon__sconn_kill(struct axon_sconn *sc);
int axon__sconn_detach(int scoid);
int axon__sconn_chan_slot(struct axon_chan *chan, struct axon_sconn *sc,
    uint32_t slot);
int axon__sconn_chan_bell(struct axon_chan *chan, uint64_t tag);
int axon__sconn_chan_sweep(struct axon_chan *chan);

/* ---- cconn.c ---- */
int axon__coid_get(int coid, struct axon_cconn **ret_cc); /* 0, +ref; -EBADF */
/* The same, and cc->detach_seq as it was while coid named cc. */
int axon__coid_get_seq(int coid, struct axon_cconn **ret_cc,
    uint32_t *ret_dseq);
bool axon__coid_is(int coid, const struct axon_cconn *cc); /* still attached */
void axon__close_untrusted(int fd); /* proc.c: a client's, off-thread */
void axon__cconn_event(struct axon_cconn *cc, uint32_t events);
void axon__cconn_mark_dead(struct axon_cconn *cc, int err);
int axon__cconn_sendctl(struct axon_cconn *cc, const struct axon_ctl *m,
    int fd);
int axon__pulse_send(int coid, int priority, int code, int64_t value,
    bool direct); /* MsgSendPulse with a whole sival_ptr; direct: to a
		   * channel of this process, queued before returning */

/* ---- send.c, reply.c (the message path; its own header is msg_int.h) ---- */
int axon__send(int coid, const iov_t *siov, size_t sparts,
    const iov_t *riov, size_t rparts, bool cancel_point,
    long *ret_status); /* 0 and the reply's status, or -errno */
void axon__msg_rcvid_decode(int32_t rcvid, int *idx, uint32_t *slot,
    uint8_t *gen);
/* sysmgr.c: a message to SYSMGR_COID, answered here: 0 and the reply's
 * status, or -errno (ENOSYS for a type it does not know). */
int axon__sysmgr_send(const iov_t *siov, size_t sparts, const iov_t *riov,
    size_t rparts, long *ret_status);


/* The hooks axon__net_set_hooks() set (msg.c, cconn.c). */
extern struct axon_net_hooks axon__net_hooks;


/* timer.c / cconn.c: a timer whose pulses go straight to a channel of
 * this process is also watched by that channel's epoll set, under a tag
 * with AXON_TIMER_EPTAG set, so that a receiver asleep there takes the
 * expiry itself (one wake-up, as a timerfd read) and queues its pulse;
 * receivers pass such tags to axon__timer_ready(). */
#define AXON_TIMER_EPTAG (1ull << 63)
struct axon_chan *axon__coid_direct_chan(int coid);
void axon__timer_ready(uint64_t tag);

/* ---- name.c: the names file axond writes ($AXON_RUNDIR/names) ---- */
#define AXON_NAMES_LINE_MAX 512

struct axon_name_claim {
	uint32_t nd;
	pid_t pid;
	int chid;
	unsigned long long start; /* nd 0: the claimant's start time */
};

/* A scanner of the names file for the '+' claim of one name: bytes go
 * in in pieces of any size (pure: no I/O; fuzzed by fuzz_names), the
 * first well-formed claim of want comes out.  Lines longer than
 * AXON_NAMES_LINE_MAX are skipped; a last line without '\n' is not
 * looked at. */
struct axon_names_scan {
	const char *want;
	char line[AXON_NAMES_LINE_MAX];
	size_t ll;
	bool over;  /* the line in progress is too long */
	int v;      /* the file's version, once its first line is read */
	bool found;
	struct axon_name_claim claim;
};
void axon__names_scan_init(struct axon_names_scan *sc, const char *want);
/* Returns whether the claim has been found (then sc->claim holds it). */
bool axon__names_scan_feed(struct axon_names_scan *sc, const char *buf,
    size_t n);



/* ---- ps.c: the status page (docs/design/local-transport.md §10) ---- */
void axon__ps_open(void);          /* makes the page, once; proc.lock held */
void axon__ps_thread(void);        /* lists the calling thread */
void axon__ps_thread_hide(void);   /* never lists it (the monitor) */
void axon__ps_recv_block(int chid, bool pulse); /* before a receiver sleeps */
void axon__ps_send_block(const struct axon_cconn *cc, int coid, int slot,
    bool received);                /* before a sender sleeps */
void axon__ps_running(void);       /* after it wakes */
void axon__ps_chan_add(int chid, unsigned flags); /* proc.lock held */
void axon__ps_chan_del(int chid);
void axon__ps_conn_add(int coid, uint32_t nd, pid_t pid, int chid);
void axon__ps_conn_del(int coid);
_Atomic uint64_t *axon__ps_client_add(int scoid, pid_t pid); /* or NULL */
void axon__ps_client_del(_Atomic uint64_t *held);
void axon__ps_pulse_refused(uid_t uid); /* counted on the status page */
void axon__ps_event_failed(void);
int axon__msg_rcvid_check(rcvid_t rcvid); /* 0, or -ESRCH */
/* The event registered as handle, arrived through cc with the server's
 * value (regevent.c): 0, -ESRCH (unknown) or -EACCES (not this server's). */
int axon__regevent_local(const struct sigevent *in, struct sigevent *out);
int axon__regevent_resolve(const struct axon_cconn *cc, int handle,
    int64_t value, struct sigevent *out);
void axon__ps_atfork_child(void);

/*
 * The server received (on) or answered (off) the message in slot of sc:
 * one plain store into the status page, on the fast path.  sc->lock held.
 */
static inline void
axon__ps_hold(struct axon_sconn *sc, uint32_t slot, bool on)
{
	if (sc->ps_held == NULL) {
		return;
	}
	if (on) {
		sc->ps_mask |= 1ull << slot;
	} else {
		sc->ps_mask &= ~(1ull << slot);
	}
	atomic_store_explicit(sc->ps_held, sc->ps_mask, memory_order_relaxed);
}

/* ---- ttydevctl.c: devctl() on a Linux terminal (<sys/dcmd_chr.h>) ---- */
int axon__tty_devctl(int fd, int dcmd, const iov_t *sv, int sparts,
    const iov_t *rv, int rparts, int *ret_info);
size_t axon__iov_gather(void *buf, size_t n, const iov_t *v, int parts);
void axon__iov_scatter(const iov_t *v, int parts, const void *buf, size_t n);

/* ---- procdevctl.c: devctl() on a Linux /proc/PID (<sys/dcmd_proc.h>) ---- */
/* The pid whose /proc entry fd is (the directory or a file under it), 0
 * if it is none, -1 for the directory of a process that is gone. */
pid_t axon__proc_fd_pid(int fd);
int axon__proc_devctl(int fd, pid_t pid, int dcmd, const iov_t *sv,
    int sparts, const iov_t *rv, int rparts, int *ret_info);

/* ---- timeout.c ---- */
struct axon_deadline {
	bool armed;     /* a TimerTimeout applies */
	bool immediate; /* ntime == NULL: poll */
	int states;     /* _NTO_TIMEOUT_* */
	struct timespec at; /* CLOCK_MONOTONIC absolute */
};
void axon__timeout_take(struct axon_deadline *ret_dl);
bool axon__deadline_applies(const struct axon_deadline *dl, int state);

/* reply.c: 0, or -ESRCH if rcvid's client is gone, its socket's hang-up
 * included (a poll(2): for resmgr_msg_again, not for every reply). */
int axon__rcvid_live(rcvid_t rcvid);

/* ---- util ---- */
uint64_t axon__now_ns(void);
uint64_t axon__clamp_stamp(uint64_t stamp); /* a peer's claim, sanitised */
/* open(2) of /proc/self/fd/FD with oflag | O_NOCTTY: fd or -errno. */
int axon__fd_reopen(int fd, int oflag);
int axon__sendmsg_fd(int sock, const void *buf, size_t len, int fd);
int axon__tmp_create(const char *tmp);  /* O_EXCL|O_NOFOLLOW; fd or -errno */
int axon__sendmsg_fd_flags(int sock, const void *buf, size_t len, int fd,
    int flags);
ssize_t axon__recvmsg_fd(int sock, void *buf, size_t len, int *ret_fd,
    int flags);
#define AXON_MAX_PASS_FDS 2u
int axon__sendmsg_fds(int sock, const void *buf, size_t len, const int *fds,
    int nfds, int flags);
ssize_t axon__recvmsg_fds(int sock, void *buf, size_t len, int *fds,
    int maxfds, int flags); /* extra fds closed, missing ones -1 */
size_t axon__iov_total(const iov_t *iov, size_t parts);
size_t axon__iov_copy_out(const iov_t *iov, size_t parts, size_t off,
    const void *src, size_t len); /* into iov at off */
size_t axon__iov_copy_in(void *dst, const iov_t *iov, size_t parts,
    size_t off, size_t len); /* from iov at off */
int axon__futex_wait(_Atomic uint32_t *addr, uint32_t val,
    const struct timespec *abs_mono);
void axon__futex_wake(_Atomic uint32_t *addr, int n);

/* ---- sigev.c: sigevents raised inside this process ------------------ */
int axon__sigev_check(const struct sigevent *ev); /* 0 or -EINVAL/-EFAULT */
int axon__sigev_deliver(const struct sigevent *ev, union sigval v,
    pid_t tid); /* tid: SIGEV_SIGNAL_THREAD's target */
int axon__sigev_raise(const struct sigevent *ev, union sigval v, pid_t tid,
    int si_code); /* si_code: SI_QUEUE, SI_TIMER */

/*
 * The _r forms never change errno, even though the system calls they make
 * may: the first statement of each is AXON_KEEP_ERRNO, which puts errno
 * back when the function returns.
 */
static inline void
axon__restore_errno(int *saved)
{
	errno = *saved;
}
#define AXON_KEEP_ERRNO \
	int axon__saved_errno __attribute__((cleanup(axon__restore_errno), \
	    unused)) = \
	    errno

static inline int
axon__errno_ret(int rc)
{
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

static inline long
axon__errno_retl(long rc)
{
	if (rc < 0) {
		errno = (int) -rc;
		return -1;
	}
	return rc;
}

/* The whole of a /proc file, NUL-terminated, in a malloc'd *ret (its
 * length in *len if not NULL): 0, -ESRCH (gone) or -errno
 * (procdevctl.c). */
int axon__proc_slurp(const char *path, char **ret, size_t *len);

/* Joins thread if it ends by the CLOCK_MONOTONIC time at, else
 * ETIMEDOUT; EINVAL for a bad timespec (monotonic.c). */
int axon__join_until(pthread_t thread, void **status,
    const struct timespec *at);

#endif /* AXON_LIB_INTERNAL_H */
