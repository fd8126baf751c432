/* SPDX-License-Identifier: MIT */
/*
 * Process status: the per-process status page libaxon publishes in
 * $AXON_RUNDIR/ps/<pid> (written by src/lib/ps.c), and what `axon ps`
 * and axond make of it: a reader (axon__ps_collect), and a text form
 * that travels between nodes (axon__ps_format, axon__ps_parse).
 * See docs/design/local-transport.md §10 and docs/design/names.md, "ps".
 */
#ifndef AXON_COMMON_PSINFO_H
#define AXON_COMMON_PSINFO_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- Thread states, in the page and in the text ---- */
enum axon_ps_state {
	AXON_PS_RUNNING = 0,   /* not blocked in Axon */
	AXON_PS_RECEIVE = 1,   /* MsgReceive*(): chid */
	AXON_PS_RECVPULSE = 2, /* MsgReceivePulse*(): chid */
	AXON_PS_SEND = 3,      /* MsgSend*(), not received yet: coid ... */
	AXON_PS_REPLY = 4,     /* MsgSend*(), received, not replied */
	AXON_PS_NSTATES
};

/* ---- The status page (one file, fixed layout, host byte order) ---- */
#define AXON_PS_MAGIC   0x53504e41u /* "ANPS" */
#define AXON_PS_VERSION 1u
#define AXON_PS_THREADS 256u  /* threads that used Axon */
#define AXON_PS_CHANS   256u  /* channels */
#define AXON_PS_CONNS   1024u /* connections (coids) */
#define AXON_PS_CLIENTS 1024u /* server side: connections of clients */

/* hdr.flags: a table was full; what did not fit is missing. */
#define AXON_PSF_THREADS 0x1u
#define AXON_PSF_CHANS   0x2u
#define AXON_PSF_CONNS   0x4u
#define AXON_PSF_CLIENTS 0x8u

struct axon_psp_hdr {
	uint32_t magic;       /* written last at creation */
	uint32_t version;
	uint32_t size;        /* sizeof(struct axon_psp) */
	int32_t pid;
	uint64_t start_time;  /* /proc/<pid>/stat field 22 */
	_Atomic uint32_t gen; /* tables: odd while one is being changed */
	_Atomic uint32_t flags; /* AXON_PSF_* */
	/* Pulses this process refused (the sender's user may not send it
	 * one: kill(2)'s rule, qnx-api.md §1.8), and the effective uid of
	 * the last such sender; events a server delivered that this
	 * process could not carry out (its pulse was refused or its
	 * connection is gone).  Counted, never reset: nothing is dropped
	 * without a trace (issue 10, item 5). */
	_Atomic uint32_t pulses_refused;
	_Atomic uint32_t refused_uid;
	_Atomic uint32_t events_failed;
	uint8_t pad[64 - 44];
};

/*
 * One thread.  Only that thread changes its record after claiming it,
 * bracketed by seq (odd while it writes): a per-record seqlock, so that
 * no thread ever waits for another to publish its state.
 */
struct axon_psp_thread {
	_Atomic uint32_t seq;
	int32_t tid;       /* 0: a free record */
	int32_t state;     /* enum axon_ps_state */
	int32_t chid;      /* RECEIVE, RECVPULSE */
	int32_t coid;      /* SEND, REPLY: the coid used */
	uint32_t nd;       /* its target as given to ConnectAttach() */
	int32_t pid;
	int32_t tchid;
	int32_t srv_pid;   /* the local process that takes the message:
			    * the server, or for another node axond */
	int32_t scoid;     /* that process's id for the connection */
	int32_t slot;      /* the message's slot, -1 while waiting for one */
	uint32_t pad;
};

struct axon_psp_chan {
	int32_t chid;      /* 0: free */
	uint32_t flags;
};

struct axon_psp_conn {
	int32_t used;
	int32_t coid;
	uint32_t nd;       /* what ConnectAttach() was given */
	int32_t pid;
	int32_t chid;
};

/* Server side: a connection of a client process (one per scoid). */
struct axon_psp_client {
	int32_t scoid;     /* 0: free */
	int32_t pid;       /* the local process connected (SO_PEERCRED) */
};

struct axon_psp {
	struct axon_psp_hdr hdr;
	struct axon_psp_thread thr[AXON_PS_THREADS];
	struct axon_psp_chan chan[AXON_PS_CHANS];
	struct axon_psp_conn conn[AXON_PS_CONNS];
	struct axon_psp_client cli[AXON_PS_CLIENTS];
	/*
	 * held[i]: bit s set while this server holds the message in slot s
	 * of the connection cli[i] (received, not replied).  Stored on the
	 * receive and reply paths, one plain store each; a 64-bit word is
	 * never torn, so it is outside the seqlocks.  Lets a reader tell a
	 * SEND-blocked client from a REPLY-blocked one (docs/design/
	 * local-transport.md §10).
	 */
	_Atomic uint64_t held[AXON_PS_CLIENTS];
};

_Static_assert(sizeof(struct axon_psp_hdr) == 64, "ps header size");
_Static_assert(sizeof(struct axon_psp_thread) == 48, "ps thread size");
_Static_assert(sizeof(struct axon_psp_conn) == 20, "ps conn size");
_Static_assert(__builtin_offsetof(struct axon_psp, held) % 8 == 0,
    "held words aligned");

/* ---- What a reader gives ---- */
#define AXON_PS_NAME_LEN  64  /* node and process names, NUL included */
#define AXON_PS_MAX_PROCS 4096 /* processes in one list */
#define AXON_PS_TEXT_MAX  (4u << 20) /* bytes of text, at most */
#define AXON_PS_LINE_MAX  256 /* bytes of one line, '\n' included */

struct axon_ps_thread {
	int tid;
	int state;    /* enum axon_ps_state */
	int chid;     /* RECEIVE, RECVPULSE: the channel; else 0 */
	int coid;     /* SEND, REPLY: the connection; else -1 */
	char node[AXON_PS_NAME_LEN]; /* SEND, REPLY: the target's node */
	int pid;      /* SEND, REPLY: the target process; else 0 */
	int tchid;    /* SEND, REPLY: the target channel; else 0 */
};

struct axon_ps_chan {
	int chid;
	unsigned flags; /* _NTO_CHF_* */
};

struct axon_ps_conn {
	int coid;
	char node[AXON_PS_NAME_LEN];
	int pid;
	int chid;
};

struct axon_ps_proc {
	int pid;
	unsigned uid;   /* effective uid */
	char name[AXON_PS_NAME_LEN]; /* /proc/<pid>/comm, printable */
	struct axon_ps_thread *threads;
	size_t nthreads;
	struct axon_ps_chan *chans;
	size_t nchans;
	struct axon_ps_conn *conns;
	size_t nconns;
	bool truncated; /* a table of its page was full */
	/* From its page only: the text form between nodes does not carry
	 * them (0 for processes of other nodes). */
	unsigned pulses_refused;
	unsigned refused_uid;  /* of the last refused pulse's sender */
	unsigned events_failed;
};

struct axon_ps_list {
	struct axon_ps_proc *procs; /* ascending pid */
	size_t n;
};

/*
 * Reads the status pages in rundir/ps of live processes (every one, or
 * only only_pid if not 0) into *out, which the caller frees with
 * axon__ps_free().  Node descriptors become node names as rundir's node
 * names them ("?" for an nd it does not know).  Pages of dead processes,
 * of reused pids or of programs that exec'd are skipped; so are pages
 * this process may not read.  Returns 0 (an empty list if there is no
 * ps directory) or a negative errno (-ENOMEM); *out is untouched on
 * failure.  Blocks only on file reads; thread-safe.
 */
int axon__ps_collect(const char *rundir, int only_pid,
    struct axon_ps_list *out);

/*
 * The text form of l (see psinfo.c for the grammar), malloc'd in *text
 * (NUL-terminated; *len excludes the NUL).  Returns 0, -ENOMEM, or
 * -EMSGSIZE if it would exceed AXON_PS_TEXT_MAX; *text is untouched on
 * failure.
 */
int axon__ps_format(const struct axon_ps_list *l, char **text, size_t *len);

/*
 * Decodes text of len bytes, which may come from another node and is
 * untrusted: any byte string is refused (-EPROTO) unless it is exactly
 * the grammar within the limits (AXON_PS_TEXT_MAX, AXON_PS_LINE_MAX,
 * AXON_PS_MAX_PROCS and the page's table sizes).  Returns 0 with *out
 * to be freed by axon__ps_free(), or -EPROTO or -ENOMEM with *out
 * untouched.
 */
int axon__ps_parse(const uint8_t *text, size_t len, struct axon_ps_list *out);

/* ---- One page, converted (pure: no I/O; fuzzed by fuzz_page) ----
 *
 * A page is its process's own memory: a hostile user controls every
 * byte of it.  Its conversion is two steps, neither of which does I/O:
 * axon__ps_page_decode() checks the header and every record and gives
 * the page's tables as checked, sorted records (struct axon_ps_page,
 * fixed size, no allocation); axon__ps_page_proc() names their nodes
 * and tells SEND from REPLY through the caller's lookups and gives the
 * list's record of the process (its tables allocated to the size
 * used).  axon__ps_collect() reads pages and calls both.
 */

/* A thread record, checked; what the lookups still need. */
struct axon_ps_page_thread {
	struct axon_ps_thread t; /* SEND, REPLY: t.node is "?" until named */
	uint32_t nd;             /* SEND, REPLY: the target's node */
	int srv_pid;             /* SEND with slot >= 0: the process that */
	int scoid;               /* takes the message, its id for the */
	int slot;                /* connection, and the slot; else -1 */
};

/* A connection record, checked. */
struct axon_ps_page_conn {
	struct axon_ps_conn c;   /* c.node is "?" until named */
	uint32_t nd;
};

/* A decoded page (about 110 KB: the caller's, not the stack's). */
struct axon_ps_page {
	bool truncated;          /* a table of the page was full */
	unsigned pulses_refused;
	unsigned refused_uid;
	unsigned events_failed;
	size_t nthreads;         /* ascending tid, no repeats */
	size_t nchans;           /* ascending chid, no repeats */
	size_t nconns;           /* ascending coid, no repeats */
	struct axon_ps_page_thread thr[AXON_PS_THREADS];
	struct axon_ps_chan chan[AXON_PS_CHANS];
	struct axon_ps_page_conn conn[AXON_PS_CONNS];
};

#define AXON_PS_SLOTS 64 /* message slots of a connection (shm.h) */

/*
 * Decodes the len bytes at pg, a page as read, as the page of process
 * pid started at start_time (its start time from the kernel).
 * untorn[i] says whether thread record i held still while it was read
 * (its seqlock); a torn record's thread shows as RUNNING.  Refuses
 * (-EPROTO, *out untouched) a page that is not that process's: len,
 * magic, version, size, pid, or start time (0 too) wrong.  Otherwise
 * takes of every record what makes a valid list and leaves out or
 * resets the rest: a thread record with a tid out of range is left out,
 * one whose state or fields are out of range shows as RUNNING; channel
 * and connection records out of range are left out; repeats are
 * dropped.  Returns 0.  Pure: no I/O, no allocation.
 */
int axon__ps_page_decode(const struct axon_psp *pg, size_t len, int pid,
    uint64_t start_time, const bool untorn[AXON_PS_THREADS],
    struct axon_ps_page *out);

/*
 * What axon__ps_page_proc() asks of its caller.  node: the name of node
 * descriptor nd, written to out (any bytes: what is not a node name
 * within AXON_PS_NAME_LEN becomes "?"); NULL: every node is "?".  held:
 * whether process srv_pid holds the message in slot (in [0,
 * AXON_PS_SLOTS)) of its connection scoid (not 0) from process pid
 * (received, not replied), which makes a SEND thread REPLY; NULL: never.
 */
struct axon_ps_lookup {
	void (*node)(void *arg, uint32_t nd, char out[AXON_PS_NAME_LEN]);
	bool (*held)(void *arg, int srv_pid, int scoid, int pid, int slot);
	void *arg;
};

/*
 * The list's record of process pid (1 to 4194304), effective uid uid,
 * from its decoded page d and the comm_len bytes of its name as
 * /proc/<pid>/comm gives them (a trailing '\n' dropped, bytes that are
 * not printable or are a space become '?', cut at AXON_PS_NAME_LEN - 1,
 * "?" if empty).  The tables are allocated to the size used (NULL if
 * empty); the record always formats (axon__ps_format()).  Returns 0, or
 * -EINVAL (pid out of range) or -ENOMEM with *out untouched.  No I/O
 * but the lookups'.
 */
int axon__ps_page_proc(const struct axon_ps_page *d, int pid, unsigned uid,
    const char *comm, size_t comm_len, const struct axon_ps_lookup *lk,
    struct axon_ps_proc *out);

/* Frees what collect or parse gave; leaves *l empty.  NULL is fine. */
void axon__ps_free(struct axon_ps_list *l);

/* "RUNNING", "RECEIVE", "RECVPULSE", "SEND", "REPLY"; "?" otherwise. */
const char *axon__ps_state_name(int state);

#endif /* AXON_COMMON_PSINFO_H */
