/* SPDX-License-Identifier: MIT */
/*
 * axond, the node's network manager (docs/design/axond.md).
 *
 * One thread, the main loop (main.c, axd_run), owns the state below and
 * does all the work of the data path: one epoll set holds the listening
 * sockets, the TCP sessions, the node's network channel (local clients'
 * messages and pulses, taken without blocking), every virtual
 * connection's socket (the local servers' REPLIED, READ, event notices
 * and hang-ups, through axon__vconn_event), the control socket and the
 * commands it runs, a 100 ms tick and the signals.  Nothing is locked.
 * The services on sessions are modules (module.h), which the session
 * layer (session.c) and the loop reach through one ops table.
 * Blocking work runs on threads of its own and comes back as an event
 * through an eventfd: the local handshake of a virtual connect
 * (fwd_server.c) and collecting ps (services.c).  Frames go out once per
 * loop iteration and session (axd_flush).
 */
#ifndef AXOND_AXOND_H
#define AXOND_AXOND_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "config.h"
#include "axon_spi.h"
#include "wire.h"

#include <sys/netmgr.h>

#define AXD_CHUNK     AXON_WIRE_MAX_DATA
/* A send ships its first MiB (in chunks); the server's node fetches the
 * rest with MSGREAD when the server reads beyond it. */
#define AXD_SHIP      (1u << 20)
/* Output gathered from streams before one write (axd_flush_now). */
#define AXD_FLUSH_BYTES (64u << 10)
#define AXD_HASH      4096u
/* A client's credentials are read from the kernel again when its
 * cred_hint changes, and at least this often (ns) while it sends. */
#define AXD_CRED_RECHECK (10u * 1000u * 1000u)

/* log.c: a line on stderr ("axond[node]: level: text") if level is
 * within --log-level. */
enum axd_log { AXD_ERR, AXD_WARN, AXD_INFO, AXD_DEBUG };
void axd_log(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct axd_sess;
struct axd_amsg;
struct axd_module;

enum axd_peer_state { PEER_DOWN, PEER_CONNECTING, PEER_UP };

/* How a node came to be known (axon nodes' FOUND): --peer with a
 * numeric address, --peer with a host name (resolved at each dial), a
 * discovery announcement, or only a session it opened to us. */
enum axd_found { FOUND_STATIC, FOUND_DNS, FOUND_DISCOVERED, FOUND_INCOMING };

#define AXD_PEER_ADDRS 8 /* addresses of one resolution tried in turn */

/* A node we know: configured, or one that connected to us. */
struct axd_peer {
	int nd;                   /* how this node names it (>= 1) */
	char name[AXOND_NAME_MAX + 1];
	bool has_addr;
	struct axond_addr addr;
	int peer_nd;              /* how it names us, -1 if unknown */
	struct axd_sess *sess;    /* the session, once up */
	struct axd_sess *dialing; /* our outgoing attempt */
	enum axd_peer_state state;
	uint64_t next_dial;       /* monotonic ns */
	bool was_up;              /* a session existed before: EHOSTUNREACH */
	/* client messages waiting for a session, oldest first */
	struct axd_amsg *waitq, **waitq_tail;
	struct axd_qpulse *pulseq; /* pulses waiting for a session */
	uint64_t tx_frames, rx_frames, tx_bytes, rx_bytes;
	uint64_t rtt_ns;
	unsigned n_amsg;          /* our clients' messages for it */
	enum axd_found found;
	/* One round of dialling: the addresses addr resolved to (at each
	 * round, off the loop for a host name), tried in order. */
	struct sockaddr_storage dial_sa[AXD_PEER_ADDRS];
	socklen_t dial_salen[AXD_PEER_ADDRS];
	int dial_n, dial_i;
	bool resolving;           /* a resolver thread works for it */
	bool resolve_failed;      /* the last resolution failed (logged) */
	char resolved[64];        /* what it resolved to last ("" none) */
	/* Discovery (discover.c): when its last announcement came, its
	 * newest stamp; hidden once dropped (not listed, not dialled: the
	 * nd stays reserved for it, should it come back). */
	uint64_t disc_seen;
	uint64_t disc_stamp;
	bool hidden;
};

#include "output.h" /* struct axd_obuf, struct axd_stream */

/* A client's pulse waiting for a session. */
struct axd_qpulse {
	struct axd_qpulse *next;
	int scoid;
	int prio, code, value;
	uint64_t since;
	uint32_t seq;             /* on a backlog: its place (bc->bseq) */
};

/* Client side: a local client's connection to a remote (nd, pid, chid):
 * the patent's network client token. */
struct axd_aconn {
	uint32_t id;              /* conn on the wire */
	int scoid;                /* the client's connection to us */
	struct axd_aconn *hnext;  /* by id */
	struct axd_peer *peer;
	pid_t pid;                /* target */
	int chid;
	pid_t client_pid;
	int status_fd;            /* /proc/<client_pid>/status, or -1 */
	struct axd_sess *sess;    /* where CONNECT_CRED went, or NULL */
	struct axon_wire_cred cred; /* as last sent */
	uint32_t cred_hint;       /* the client's, when cred was read */
	uint64_t cred_at;         /* when cred was read (axd_now), 0 never */
	bool refused;             /* CONNECT_FAIL seen: connect again */
	int inflight;
};

/* Client side: one message in flight to another node. */
struct axd_amsg {
	struct axd_stream st;     /* first: sending its bytes */
	uint32_t id;              /* msg on the wire */
	struct axd_amsg *hnext;   /* by id, in the session */
	struct axd_amsg *rnext;   /* by rcvid */
	struct axd_amsg *wnext;   /* waiting for a session */
	rcvid_t rcvid;
	struct axd_aconn *conn;
	struct axd_sess *sess;    /* NULL while waiting */
	uint64_t since;           /* when it arrived */
	int32_t tid, coid, prio;
	uint32_t sbytes, rbytes;
	uint32_t sent;            /* bytes shipped so far */
	uint32_t ship;            /* bytes shipped with the send */
	uint32_t rd_off, rd_end;  /* a MSGREAD being answered */
	uint32_t rd_start;
	bool cred_changed;
	bool wrote;               /* MSGWRITE or partial reply applied */
	/* The reply landed in order from offset 0 this far (the client
	 * copies it as it comes: axon__net_reply_progress); rprog_bad:
	 * a frame came out of that order, the client copies it all. */
	uint32_t rprog;
	bool rprog_bad;
};

/* Server side: a virtual client connection to a local server. */
struct axd_bconn {
	uint32_t id;              /* the peer's conn */
	uint64_t key;             /* hooks' user value */
	struct axd_bconn *hnext;  /* by id, in the session */
	struct axd_bconn *knext;  /* by key, global */
	struct axd_sess *sess;
	struct axon_cconn *cc;    /* NULL if the connect failed */
	int coid;
	int err;                  /* connect failure, or EBADF once dead */
	bool connecting;          /* the local handshake runs (a thread) */
	struct axd_bmsg *pend, **pend_tail; /* messages waiting for it */
	struct axd_qpulse *ppulse;          /* pulses waiting for it */
	int npend;                          /* messages and pulses held */
	/* Pulses the server's socket had no room for (EAGAIN: its process
	 * has not read what it has), sent again in order from the loop's
	 * late() (fwd_server.c, "backlog"); the connection is on the
	 * backlog list while there are any. */
	struct axd_qpulse *pback, **pback_tail;
	unsigned npback;
	struct axd_bconn *bknext, **bkprev;
	/* Messages that came behind a backlog's pulses: in their slots,
	 * posted once the backlog is on the server's queue, so that none
	 * overtakes a pulse sent before it (fwd_server.c, back_send). */
	struct axd_bmsg *held, **held_tail;
	uint32_t bseq;            /* pulses ever put on the backlog */
	bool newcred;             /* a NETCRED went out: flag the next post */
	struct axon_netcred nc;
	struct axd_bmsg *slot_msg[AXON_SLOTS];
	unsigned nmsg;            /* its messages, in a slot or not */
};

/* Server side: a message from another node, to or at a local server. */
struct axd_bmsg {
	struct axd_stream st;     /* first: sending the reply */
	uint32_t id;
	struct axd_bmsg *hnext;
	struct axd_bconn *bc;
	int slot;                 /* -1: refused, its chunks are dropped */
	uint8_t *data;            /* the slot's data, or buf */
	uint8_t *buf;             /* while the connection is made */
	struct axd_bmsg *pnext;   /* on bc->pend, or on bc->held */
	bool pending;
	bool held;                /* in its slot, not posted: behind pulses */
	uint32_t hseq;            /* the backlog's pulses before it: < hseq */
	bool complete;            /* its last shipped chunk is here */
	uint32_t sbytes, rbytes, got;
	int32_t tid, coid, prio;
	bool posted;
	bool fetching;            /* MSGREAD sent for the rest */
	bool want_fetch;          /* the server asked for the rest early */
	bool rcv_told;            /* RECEIVED sent: the server took it */
	/* On the loop's watch list: its slot's REPLIED state is looked at
	 * in memory, no notice asked (fwd_server.c, watch_*); or, ready,
	 * on the list of replies to send in this iteration's late(). */
	struct axd_bmsg *qnext, **qprev;
	bool ready;
	/* the reply being sent */
	struct axon_nresult res;
	uint32_t ext_i;
	uint64_t ext_off;
};

/* CONNECTING: TCP connect in progress (outgoing); TLS: the TLS
 * handshake; HELLO, AUTH: axond's own handshake (link.h, session.c). */
enum axd_sess_state { S_CONNECTING, S_TLS, S_HELLO, S_AUTH, S_UP, S_DEAD };

struct ssl_st;

struct axd_sess {
	uint64_t id;
	struct axd_sess *next;
	int fd;
	struct ssl_st *ssl;       /* TLS state, NULL with --insecure */
	bool link_want_write;     /* the TLS handshake waits to write */
	bool ktls_tx;             /* the kernel encrypts what we send */
	bool again;               /* TLS holds input: read it again soon */
	uint32_t events;          /* what epoll watches for */
	bool outgoing;
	enum axd_sess_state state;
	int close_err;            /* S_DEAD: what its messages fail with */
	struct axd_peer *peer;    /* known after HELLO (outgoing: at once) */
	uint64_t nonce, peer_nonce;
	char peer_name[AXOND_NAME_MAX + 1];
	bool hello_sent, hello_got, auth_ok_sent, auth_ok_got;
	uint64_t started, last_rx, last_tx, ping_sent;
	/* input */
	uint8_t *in;
	size_t in_len, in_cap;
	/* a large frame whose data is received in place */
	uint8_t *sink;
	size_t sink_left, sink_size;
	void *sink_ref;
	const struct axd_module *sink_mod; /* whose sink it is (module.h) */
	bool inplace;             /* the frame being handled was sunk */
	bool rx_big;              /* the last frame in was large: read the
				   * next head alone (session.c) */
	struct axon_wire_frame sink_frame; /* .data: where it lies */
	/* output: encoded frames, then bulk streams round-robin */
	struct axd_obuf out;
	struct axd_stream *st_head, **st_tail;
	bool want_out;
	size_t batch_room;        /* bytes of large frames gathered before
				   * one sendmsg (output.c) */
	bool dirty;               /* on g.dirty: flush at the loop's end */
	struct axd_sess *dnext;
	/* tables */
	struct axd_amsg *amsg[AXD_HASH];
	struct axd_bconn *bconn[AXD_HASH];
	struct axd_bmsg *bmsg[AXD_HASH];
	int n_amsg, n_bmsg, n_bconn;
};

struct axd_global {
	struct axond_config cfg;
	unsigned char secret[4096];
	size_t secret_len;
	int epfd;
	int tick_fd;
	int sig_fd;
	int listen_fd[AXOND_MAX_LISTEN];
	int nlisten;
	int chid;                  /* the NET_MSG channel */
	char rundir[256];
	struct axd_peer *peers[ND_NODE_MASK + 1]; /* by nd */
	int npeers_hwm;
	struct axd_sess *sessions;
	uint64_t next_sess_id;
	bool sess_again;           /* some session has s->again */
	/* A local server's reply is to be sent in this iteration's late():
	 * the network channel is looked at first, whether or not its
	 * descriptor was ready, so that the pulses the server sent before
	 * replying go first (fwd_server.c, fwd_client.c). */
	bool chan_poke;
	struct axd_sess *dirty;    /* output to write (axd_flush), by dnext */
	struct axd_aconn *aconn_by_scoid[65536];
	struct axd_aconn *aconn[AXD_HASH];
	struct axd_amsg *amsg_by_rcvid[AXD_HASH];
	struct axd_bconn *bconn_by_key[AXD_HASH];
	uint32_t next_conn, next_msg;
	uint64_t next_key;
	volatile int stop;
	bool nodes_dirty;
};

extern struct axd_global g;

/* main.c */
int axd_start(void);   /* after g.cfg is set: listen, channel, threads */
int axd_run(void);     /* the main loop, until SIGTERM/SIGINT */
void axd_shutdown(void);
/* log.c: CLOCK_MONOTONIC in ns. */
uint64_t axd_now(void);

#endif /* AXOND_AXOND_H */
