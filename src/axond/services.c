/* SPDX-License-Identifier: MIT */
/*
 * axond: the control socket and the operator services (services.h,
 * docs/design/axond.md "Operator services", docs/design/wire.md "The
 * control socket").
 *
 * A control connection carries PS_REQ and NODES_REQ requests, answered
 * here or, for another node, forwarded on that node's session under an
 * id of ours and relayed back; and at most one SPAWN stream, run here
 * (spawn.c) or relayed to and from the node that runs it.  The caller's
 * credentials are the kernel's (SO_PEERCRED, SO_PEERGROUPS), never the
 * frame's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <sys/netmgr.h>

#include "axond.h"
#include "dispatch_int.h"
#include "cred.h"
#include "session.h"
#include "module.h"
#include "psinfo.h"
#include "services.h"
#include "traceinfo.h"

/* Control connections: of users other than root together (each within
 * --user-conns), and root's beyond them. */
#define CTL_USERS   256
#define CTL_ROOT    64
#define CTL_REQS    16  /* PS/NODES requests in flight on one (and ps
			     * answers being sent on a session) */
#define CTL_IN_CAP  (2u * (AXON_WIRE_HDR_SIZE + AXON_WIRE_MAX_BODY))
/* Answers and stdout/stderr are produced only below this backlog... */
#define CTL_HIWAT   (256u << 10)
/* ...and a caller that lets this much pile up is not reading: closed. */
#define CTL_OUT_MAX (2u * AXON_PS_TEXT_MAX + (1u << 20))
/* A peer answers a request (each chunk, and SPAWN_OK) within this. */
#define ANSWER_NS   5000000000ull
/* A remote ps answer is at most this long (psinfo never makes more). */
#define PS_MAX      AXON_PS_TEXT_MAX
/* A ps snapshot answers the requests that come within this of its
 * start; a later one waits for the next snapshot. */
#define PS_FRESH_NS 1000000000ull
/* A request waits at most this long for a snapshot (ETIMEDOUT). */
#define PS_WAIT_NS  5000000000ull
/* Path questions (PATH_REQ) waiting for the path thread, of all callers
 * and peers together (EAGAIN beyond), and the longest answer. */
#define PATH_JOBS   256
#define PATH_MAX_TEXT AXON_NETPATH_TEXT_MAX
#define PATH_RESOLVE_MAX 16

/*
 * This node's processes at one time, for every ps answer: collected by
 * the ps thread, off the loop, at most once per PS_FRESH_NS however many
 * ask.  Shared by the answers made of it (refs, on the loop).
 */
struct ps_snap {
	int refs;
	uint64_t taken;           /* monotonic ns, when collecting began */
	int err;                  /* or 0, l and text */
	struct axon_ps_list l;
	char *text;               /* all of l */
	size_t len;
};

enum stream_state {
	ST_NONE,   /* no SPAWN yet */
	ST_LOCAL,  /* this node runs it (spawn.c) */
	ST_REMOTE, /* relayed to another node */
	ST_ENDED,  /* EXIT or SPAWN_OK with err sent: later frames ignored */
};

/* An answer of this node on its way to a control connection. */
struct blob {
	struct blob *next;
	uint8_t type;             /* PS_ANS, NODES_ANS, PATH_ANS */
	uint32_t conn, msg;       /* the caller's */
	int err;                  /* or 0 and the text */
	char *text;               /* the snapshot's, or its own */
	size_t len, off;
	struct ps_snap *snap;     /* text is snap's: a reference */
	bool wait;                /* waiting for a snapshot, or a path job */
	uint32_t job;             /* PATH_ANS: the path job it waits for */
	int32_t pid;              /* what it asks for */
	uint64_t since;
};

struct axd_ctl {
	struct axd_ctl *next;
	uint32_t id;
	int fd;
	bool dead;                /* closed; freed by ctl_collect */
	bool close_flushed;       /* close once the output is written */
	bool paused;              /* input not read: a SPAWN waits */
	uint32_t watched;
	uint64_t last_active;     /* monotonic ns: bytes in or out */
	size_t ans_bytes;         /* text of its answers (blobs) */
	/* the caller, from the kernel */
	pid_t pid;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t ngroups;
	/* input: whole frames are handled, the rest waits */
	uint8_t *in;
	size_t in_len;
	/* output */
	struct axd_obuf out;
	struct blob *blobs, **blobs_tail;
	int nreq;                 /* requests in flight, blobs included */
	/* the SPAWN stream */
	enum stream_state stream;
	struct axd_spawn *sp;     /* ST_LOCAL, until it is done */
	/* ST_REMOTE: relayed on stream `sid` of sess, to peer */
	struct axd_peer *peer;
	struct axd_sess *sess;    /* NULL while waiting for a session */
	uint32_t sid;
	uint8_t *spawn;           /* while waiting: the SPAWN's data */
	uint32_t spawn_len, argc, envc;
	uint64_t deadline;        /* for a session, then for SPAWN_OK */
	bool started;             /* SPAWN_OK {pid} relayed */
	bool in_eof;              /* the caller ended stdin */
	uint32_t in_win;          /* stdin the caller may still send */
	uint32_t out_win[3];      /* [1], [2]: what the command may send */
	bool out_eof[3];
};

/* A PS_REQ or PATH_REQ of a control connection, forwarded to another
 * node. */
struct req {
	struct req *next;
	uint32_t id;              /* msg on the session */
	bool dead;                /* its caller left; freed by ctl_collect */
	struct axd_ctl *ctl;
	uint8_t type;             /* PS_REQ, PATH_REQ */
	uint32_t conn, msg;       /* the caller's */
	int32_t pid;
	uint32_t op, ftype;       /* PATH_REQ: the question... */
	char *path;               /* ...and its path */
	uint32_t tr_op, tr_sec;   /* TRACE_REQ: u.trace */
	uint64_t tr_since;
	struct axd_peer *peer;
	struct axd_sess *sess;    /* NULL while waiting for one */
	uint64_t deadline;
	uint32_t got;             /* bytes relayed */
};

/* This node's ps or path answer to a peer, sent as the session has
 * room. */
struct psout {
	struct axd_stream st;     /* first */
	struct psout *next;
	struct axd_sess *sess;
	uint8_t type;             /* PS_ANS, PATH_ANS */
	uint32_t job;             /* PATH_ANS: the path job it waits for */
	uint32_t msg;
	int err;
	char *text;               /* the snapshot's, or its own */
	size_t len, off;
	struct ps_snap *snap;     /* as in struct blob */
	bool wait;
	int32_t pid;
	uint64_t since;
};

/*
 * The next frame of an answer (PS_ANS, NODES_ANS) to msg: the error
 * alone, or the chunk of text at off.  Returns the text bytes it holds.
 */
static size_t
ans_chunk(struct axon_wire_frame *f, uint8_t type, uint32_t msg, int err,
    const char *text, size_t len, size_t off)
{
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	f->type = type;
	f->msg = msg;
	if (err != 0) {
		f->flags = AXON_WF_FIRST | AXON_WF_LAST;
		f->u.ans.err = axon__wire_errno_out(err);
		return 0;
	}
	n = len - off;
	if (n > AXON_WIRE_MAX_DATA) {
		n = AXON_WIRE_MAX_DATA;
	}
	f->flags = (off == 0 ? AXON_WF_FIRST : 0) |
	    (off + n == len ? AXON_WF_LAST : 0);
	f->offset = (uint32_t) off;
	f->data = (const uint8_t *) text + off;
	f->data_len = (uint32_t) n;
	return n;
}

static int listen_fd = -1;
static char sock_path[sizeof(((struct sockaddr_un *) 0)->sun_path)];
static struct axd_ctl *ctls;
static struct axd_ctl *ctl_graveyard;
static int nctls;
static uint32_t next_ctl_id, next_req_id, next_sid;
static struct req *reqs;
static struct psout *psouts;
static size_t ans_total;           /* ans_bytes of non-root connections */

/* The ps thread: it collects when asked (ps_go) and hands the snapshot
 * over in ps_done, under ps_mu, then rings ps_efd. */
static pthread_t ps_thread;
static bool ps_thread_ok;
static pthread_mutex_t ps_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ps_cv = PTHREAD_COND_INITIALIZER;
static bool ps_go, ps_quit;        /* under ps_mu */
static struct ps_snap *ps_done;    /* under ps_mu */
static bool ps_done_set;           /* under ps_mu (ps_done NULL: ENOMEM) */
static int ps_efd = -1;
/* On the loop: */
static struct ps_snap *ps_cur;     /* the newest snapshot, or NULL */
static bool ps_busy;               /* the thread is collecting */

static void ctl_close(struct axd_ctl *c, const char *why);
static void ctl_frames(struct axd_ctl *c);

static uint64_t
connect_ns(void)
{
	return (uint64_t) g.cfg.connect_timeout_ms * 1000000u;
}

/* ---- answers of this node ---- */

static void
snap_put(struct ps_snap *sn)
{
	if (sn != NULL && --sn->refs == 0) {
		axon__ps_free(&sn->l);
		free(sn->text);
		free(sn);
	}
}

/* Collects a snapshot: on the ps thread (or, if it could not start, on
 * the main thread).  NULL if out of memory. */
static struct ps_snap *
snap_take(void)
{
	struct ps_snap *sn = calloc(1, sizeof(*sn));
	int rc;

	if (sn == NULL) {
		return NULL;
	}
	sn->refs = 1;
	sn->taken = axd_now();
	rc = axon__ps_collect(g.rundir, 0, &sn->l);
	if (rc == 0) {
		rc = axon__ps_format(&sn->l, &sn->text, &sn->len);
	}
	sn->err = -rc;
	return sn;
}

static void *
ps_main(void *arg)
{
	(void) arg;
	pthread_mutex_lock(&ps_mu);
	for (;;) {
		struct ps_snap *sn;
		uint64_t one = 1;

		while (!ps_go && !ps_quit) {
			pthread_cond_wait(&ps_cv, &ps_mu);
		}
		if (ps_quit) {
			break;
		}
		ps_go = false;
		pthread_mutex_unlock(&ps_mu);
		sn = snap_take();
		pthread_mutex_lock(&ps_mu);
		/* The main loop takes each snapshot before it asks again. */
		ps_done = sn;
		ps_done_set = true;
		(void) !write(ps_efd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&ps_mu);
	return NULL;
}

/*
 * The answer to a request for pid (0: every process) from snapshot sn:
 * *err, or the text: sn's own (a reference in *ret_snap) for 0, or that
 * of pid's entry alone (malloc'd; empty if sn has no such process).
 */
static void
snap_answer(struct ps_snap *sn, int32_t pid, int *err, char **text,
    size_t *len, struct ps_snap **ret_snap)
{
	struct axon_ps_list one = {0};

	*text = NULL;
	*len = 0;
	*ret_snap = NULL;
	if (sn == NULL || sn->err != 0) {
		*err = sn == NULL ? ENOMEM : sn->err;
		return;
	}
	if (pid == 0) {
		sn->refs++;
		*ret_snap = sn;
		*text = sn->text;
		*len = sn->len;
		*err = 0;
		return;
	}
	for (size_t i = 0; i < sn->l.n; i++) {
		if (sn->l.procs[i].pid == pid) {
			one.procs = &sn->l.procs[i];
			one.n = 1;
			break;
		}
	}
	*err = -axon__ps_format(&one, text, len);
}

static bool
snap_fresh(uint64_t now)
{
	return ps_cur != NULL && now < ps_cur->taken + PS_FRESH_NS;
}

/* Asks the ps thread for a snapshot, unless it is collecting one (the
 * requests that wait get the next one it gives).  Without the thread,
 * collects here. */
static void ps_arrived(struct ps_snap *sn);

static void
ps_kick(void)
{
	if (ps_busy) {
		return;
	}
	if (!ps_thread_ok) {
		ps_arrived(snap_take());
		return;
	}
	ps_busy = true;
	pthread_mutex_lock(&ps_mu);
	ps_go = true;
	pthread_cond_signal(&ps_cv);
	pthread_mutex_unlock(&ps_mu);
}

/* ---- the path thread: questions about this node's namespace ----
 *
 * PATH_REQ asks which managers serve a path here, or which entries lie
 * below one (another node's /net/THIS, name_open() of a full path).
 * The answer comes from the run directory and /proc, which may block:
 * the path thread computes it, off the loop, one question at a time,
 * and hands it back through an eventfd (as the ps thread does).
 */
struct pjob {
	struct pjob *next;
	uint32_t id;              /* what its waiter (blob, psout) holds */
	uint32_t op, ftype;
	int err;                  /* or 0 and the text */
	char *text;
	size_t len;
	char path[];
};

static pthread_t path_thread;
static bool path_thread_ok;
static pthread_mutex_t path_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t path_cv = PTHREAD_COND_INITIALIZER;
static struct pjob *path_todo, **path_todo_tail = &path_todo; /* path_mu */
static struct pjob *path_done;     /* under path_mu */
static bool path_quit;             /* under path_mu */
static int path_efd = -1;
static int path_njobs;             /* on the loop: asked, not yet back */
static uint32_t next_job_id;

/* One line of an answer: "PID CHID HANDLE FLAGS FTYPE STRING". */
static void
path_line(FILE *f, const struct axon_path_entry *e, const char *str)
{
	fprintf(f, "%d %d %d %u %u %s\n", (int) e->pid, e->chid, e->handle,
	    e->flags, e->ftype, str);
}

/* The answer to j (on the path thread). */
static void
path_compute(struct pjob *j)
{
	char *text = NULL;
	size_t len = 0;
	int err = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL) {
		j->err = ENOMEM;
		return;
	}
	if (j->op == AXON_WIRE_PATH_RESOLVE) {
		bool global = false;
		const char *name = j->ftype == _FTYPE_NAME ?
		    axon__name_of_path(j->path, &global) : NULL;

		if (name != NULL) {
			/* A name, as QNX's path space shows it. */
			struct axon_path_entry e = {.ftype = _FTYPE_NAME};
			int rc = axon__name_lookup(name, global, &e.pid,
			    &e.chid);

			if (rc == 0) {
				path_line(f, &e, "");
			} else if (rc != -ENOENT) {
				err = -rc;
			}
		} else {
			struct axon_path_match *m = calloc(PATH_RESOLVE_MAX,
			    sizeof(*m));
			char *norm = malloc(PATH_MAX);
			int n = m != NULL && norm != NULL ?
			    axon__path_resolve(j->path, j->ftype, 0, m,
				PATH_RESOLVE_MAX, norm, PATH_MAX) : -ENOMEM;

			if (n < 0) {
				err = -n;
			}
			for (int i = 0; i < n; i++) {
				/* (A planted entry with a newline would break
				 * the lines: skipped.) */
				if (strchr(m[i].rest, '\n') == NULL) {
					path_line(f, &m[i].e, m[i].rest);
				}
			}
			free(m);
			free(norm);
		}
	} else {
		struct axon_path_entry *e = NULL;
		char norm[PATH_MAX];
		size_t l = 0;
		int n = axon__path_norm(j->path, norm, sizeof(norm));

		if (n == 0) {
			l = strlen(norm);
			n = axon__path_list(&e);
		}
		if (n < 0) {
			err = -n;
		}
		for (int i = 0; i < n; i++) {
			const char *mp = e[i].mount;

			if (strchr(mp, '\n') != NULL ||
			    (l > 1 && strcmp(mp, norm) != 0 &&
				(strncmp(mp, norm, l) != 0 || mp[l] != '/'))) {
				continue;
			}
			if ((size_t) ftell(f) + strlen(mp) + 80 > PATH_MAX_TEXT) {
				break; /* the rest does not fit one answer */
			}
			path_line(f, &e[i], mp);
		}
		free(e);
	}
	if ((ferror(f) | fclose(f)) && err == 0) {
		err = ENOMEM;
	}
	if (err == 0 && len > PATH_MAX_TEXT) {
		err = EMSGSIZE;
	}
	if (err != 0) {
		free(text);
		text = NULL;
		len = 0;
	}
	j->err = err;
	j->text = text;
	j->len = len;
}

static void *
path_main(void *arg)
{
	(void) arg;
	pthread_mutex_lock(&path_mu);
	for (;;) {
		struct pjob *j;
		uint64_t one = 1;

		while (path_todo == NULL && !path_quit) {
			pthread_cond_wait(&path_cv, &path_mu);
		}
		if (path_quit) {
			break;
		}
		j = path_todo;
		path_todo = j->next;
		if (path_todo == NULL) {
			path_todo_tail = &path_todo;
		}
		pthread_mutex_unlock(&path_mu);
		path_compute(j);
		pthread_mutex_lock(&path_mu);
		j->next = path_done;
		path_done = j;
		(void) !write(path_efd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&path_mu);
	return NULL;
}

/* A new question from frame f (a decoded PATH_REQ), or NULL with *err:
 * EAGAIN when PATH_JOBS wait already, ENOMEM. */
static struct pjob *
path_job_new(const struct axon_wire_frame *f, int *err)
{
	struct pjob *j;

	if (path_njobs >= PATH_JOBS) {
		*err = EAGAIN;
		return NULL;
	}
	j = calloc(1, sizeof(*j) + f->data_len);
	if (j == NULL) {
		*err = ENOMEM;
		return NULL;
	}
	do {
		j->id = ++next_job_id;
	} while (j->id == 0);
	j->op = f->u.path.op;
	j->ftype = f->u.path.ftype;
	memcpy(j->path, f->data, f->data_len); /* NUL-terminated (wire) */
	path_njobs++;
	return j;
}

static void path_finish(struct pjob *j);

/* Hands j to the path thread (its waiter is registered); without the
 * thread, answers it here. */
static void
path_kick(struct pjob *j)
{
	if (!path_thread_ok) {
		path_compute(j);
		path_finish(j);
		return;
	}
	pthread_mutex_lock(&path_mu);
	j->next = NULL;
	*path_todo_tail = j;
	path_todo_tail = &j->next;
	pthread_cond_signal(&path_cv);
	pthread_mutex_unlock(&path_mu);
}

/* `axon nodes`: "self NAME", then two lines per known node (axond.md). */
static int
nodes_text(char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);

	if (f == NULL) {
		return ENOMEM;
	}
	fprintf(f, "self %s\n", g.cfg.node);
	for (int nd = 1; nd <= g.npeers_hwm; nd++) {
		const struct axd_peer *p = g.peers[nd];
		char addr[300];

		if (p == NULL || p->hidden) {
			continue;
		}
		axd_peer_addr(p, addr, sizeof(addr));
		fprintf(f, "node %d %s %s %llu %llu %llu %llu %llu %s\n", nd,
		    p->name, axd_peer_state_name(p), (unsigned long long) p->rtt_ns,
		    (unsigned long long) p->tx_frames,
		    (unsigned long long) p->tx_bytes,
		    (unsigned long long) p->rx_frames,
		    (unsigned long long) p->rx_bytes, addr);
		/* A line of its own, which readers that predate it skip. */
		fprintf(f, "found %d %s\n", nd, axd_peer_found_name(p));
	}
	if (ferror(f) | fclose(f)) {
		free(*text);
		return ENOMEM;
	}
	return 0;
}

/* ---- control connections: output ---- */

static void
ctl_watch(struct axd_ctl *c)
{
	struct epoll_event ev = {
		.events = (c->paused ? 0 : EPOLLIN) |
		    (c->out.len > c->out.off ? EPOLLOUT : 0),
		.data.u64 = AXD_TAG_SVC | ((uint64_t) AXD_SVC_CTL << 32) | c->id,
	};

	if (c->dead || ev.events == c->watched) {
		return;
	}
	/* Registered at accept; with no events asked, a hang-up is still
	 * reported. */
	(void) epoll_ctl(g.epfd, EPOLL_CTL_MOD, c->fd, &ev);
	c->watched = ev.events;
}

/* Writes what the socket takes; closes c when asked to once flushed. */
static void
ctl_write(struct axd_ctl *c)
{
	while (!c->dead && c->out.len > c->out.off) {
		ssize_t n = send(c->fd, c->out.buf + c->out.off,
		    axd_obuf_queued(&c->out), MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			break;
		}
		if (n < 0) {
			ctl_close(c, "send failed");
			return;
		}
		c->out.off += (size_t) n;
		c->last_active = axd_now();
	}
	if (c->out.off == c->out.len) {
		c->out.off = c->out.len = 0;
		if (c->close_flushed) {
			ctl_close(c, "stream ended");
			return;
		}
	}
	ctl_watch(c);
}

/* Queues f as it is and writes what the socket takes. */
static int
ctl_send(struct axd_ctl *c, const struct axon_wire_frame *f)
{
	long n;

	if (c->dead) {
		return -EPIPE;
	}
	n = axd_obuf_encode(&c->out, f);
	if (n == -ENOMEM) {
		ctl_close(c, "out of memory");
		return -EPIPE;
	}
	if (n < 0) {
		return (int) n;
	}
	if (axd_obuf_queued(&c->out) > CTL_OUT_MAX) {
		ctl_close(c, "caller not reading");
		return -EPIPE;
	}
	ctl_write(c);
	return c->dead ? -EPIPE : 0;
}

int
axd_ctl_send(struct axd_ctl *c, const struct axon_wire_frame *f)
{
	struct axon_wire_frame o = *f;

	o.conn = 1; /* ignored by the caller, but never 0 (wire.md) */
	return ctl_send(c, &o);
}

bool
axd_ctl_room(const struct axd_ctl *c)
{
	return !c->dead && axd_obuf_queued(&c->out) < CTL_HIWAT;
}

void
axd_ctl_spawn_done(struct axd_ctl *c, struct axd_spawn *sp)
{
	if (c->sp == sp) {
		c->sp = NULL;
		c->stream = ST_ENDED;
	}
}

static void
blob_free(struct axd_ctl *c, struct blob *b)
{
	c->ans_bytes -= b->len;
	if (c->uid != 0) {
		ans_total -= b->len;
	}
	if (b->snap != NULL) {
		snap_put(b->snap);
	} else {
		free(b->text);
	}
	free(b);
}

/* Gives b its text or error; its bytes count toward c's and the
 * users' bounds until it is written. */
static void
blob_set(struct axd_ctl *c, struct blob *b, int err, char *text, size_t len,
    struct ps_snap *snap)
{
	b->wait = false;
	b->err = err;
	b->snap = err == 0 ? snap : NULL;
	b->text = err == 0 ? text : NULL;
	b->len = err == 0 ? len : 0;
	if (err != 0) {
		if (snap != NULL) {
			snap_put(snap);
		} else {
			free(text);
		}
	}
	c->ans_bytes += b->len;
	if (c->uid != 0) {
		ans_total += b->len;
	}
}

/* Writes queued answers while the backlog is small; in order, so an
 * answer waiting for a ps snapshot holds up those behind it. */
static void
ctl_produce(struct axd_ctl *c)
{
	while (!c->dead && c->blobs != NULL && !c->blobs->wait &&
	    axd_ctl_room(c)) {
		struct blob *b = c->blobs;
		struct axon_wire_frame f;

		b->off += ans_chunk(&f, b->type, b->msg, b->err, b->text,
		    b->len, b->off);
		f.conn = b->conn;
		if (b->err != 0 || b->off == b->len) {
			c->blobs = b->next;
			if (c->blobs == NULL) {
				c->blobs_tail = &c->blobs;
			}
			c->nreq--;
		} else {
			b = NULL;
		}
		(void) ctl_send(c, &f);
		if (b != NULL) {
			blob_free(c, b);
		}
	}
}

/* Answers a request of c: err, or text (taken over). */
static void
ctl_answer(struct axd_ctl *c, uint8_t type, uint32_t conn, uint32_t msg,
    int err, char *text, size_t len)
{
	struct blob *b = calloc(1, sizeof(*b));

	if (b == NULL) {
		free(text);
		ctl_close(c, "out of memory");
		return;
	}
	b->type = type;
	b->conn = conn;
	b->msg = msg;
	blob_set(c, b, err, text, len, NULL);
	*c->blobs_tail = b;
	c->blobs_tail = &b->next;
	c->nreq++;
	ctl_produce(c);
}

/* A PS_REQ of c for this node: answered from a fresh snapshot, or
 * queued for the next one. */
static void
ps_local(struct axd_ctl *c, const struct axon_wire_frame *f)
{
	struct blob *b = calloc(1, sizeof(*b));

	if (b == NULL) {
		ctl_close(c, "out of memory");
		return;
	}
	b->type = AXON_W_PS_ANS;
	b->conn = f->conn;
	b->msg = f->msg;
	b->pid = f->u.ps.pid;
	b->since = axd_now();
	b->wait = true;
	*c->blobs_tail = b;
	c->blobs_tail = &b->next;
	c->nreq++;
	if (snap_fresh(b->since)) {
		int err;
		char *text;
		size_t len;
		struct ps_snap *sn;

		snap_answer(ps_cur, b->pid, &err, &text, &len, &sn);
		blob_set(c, b, err, text, len, sn);
		ctl_produce(c);
	} else {
		ps_kick(); /* may answer at once: c may be closed */
	}
}

/* ---- requests forwarded to other nodes ---- */

/* The up session to node nd, or NULL with *ret_err: ENXIO if nd names
 * no node, EHOSTDOWN or EHOSTUNREACH if none can be had, or 0 if one is
 * on its way (dialled now if needed). */
static struct axd_sess *
route(uint32_t nd, struct axd_peer **ret_peer, int *ret_err)
{
	struct axd_peer *p;

	if (nd == 0 || nd > ND_NODE_MASK || g.peers[nd] == NULL) {
		*ret_err = ENXIO;
		return NULL;
	}
	p = g.peers[nd];
	*ret_peer = p;
	*ret_err = 0;
	if (p->sess != NULL && p->sess->state == S_UP) {
		return p->sess;
	}
	if (p->has_addr) {
		axd_dial(p);
		return NULL;
	}
	for (struct axd_sess *o = g.sessions; o != NULL; o = o->next) {
		if (o->peer == p && o->state != S_DEAD) {
			return NULL; /* it is connecting to us */
		}
	}
	*ret_err = p->was_up ? EHOSTUNREACH : EHOSTDOWN;
	return NULL;
}

static void
req_free(struct req *q)
{
	struct req **pp;

	for (pp = &reqs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	}
	q->ctl->nreq--;
	free(q->path);
	free(q);
}

/* The answer type of a request type. */
static uint8_t
ans_type(uint8_t req)
{
	return req == AXON_W_PATH_REQ  ? AXON_W_PATH_ANS
	    : req == AXON_W_TRACE_REQ ? AXON_W_TRACE_ANS
				       : AXON_W_PS_ANS;
}

/*
 * A TRACE_REQ about this node (docs/design/wire.md, "Traces"): START
 * turns the node's trace switch on, STOP off, and both answer with the
 * trace text form (traceinfo.h): START's holds only the node's clock,
 * STOP's the events since.  Done on the loop: reading the rings is a
 * few hundred microseconds per traced process, and only an operator
 * asks.
 */
static void
trace_do(const struct axon_wire_frame *f, int *err, char **text,
    size_t *len)
{
	struct axon_tr_list l = {0};
	uint64_t now = 0;
	int rc;

	*text = NULL;
	*len = 0;
	rc = axon__tr_switch(g.rundir,
	    f->u.trace.op == AXON_WIRE_TRACE_START ? f->u.trace.seconds : 0,
	    &now);
	if (rc == 0 && f->u.trace.op == AXON_WIRE_TRACE_STOP) {
		rc = axon__tr_collect(g.rundir, f->u.trace.since, &l);
	}
	l.now = now;
	if (rc == 0) {
		rc = axon__tr_format(&l, text, len);
	}
	axon__tr_free(&l);
	*err = rc < 0 ? -rc : 0;
	axd_log(AXD_INFO, "trace %s: %s",
	    f->u.trace.op == AXON_WIRE_TRACE_START ? "on" : "off",
	    rc < 0 ? strerror(-rc) : "done");
}

/* Ends q with err: one answer with err (LAST after partial data). */
static void
req_fail(struct req *q, int err)
{
	struct axon_wire_frame f;

	memset(&f, 0, sizeof(f));
	f.type = ans_type(q->type);
	f.conn = q->conn;
	f.msg = q->msg;
	f.flags = (q->got == 0 ? AXON_WF_FIRST : 0) | AXON_WF_LAST;
	f.offset = q->got;
	f.u.ans.err = axon__wire_errno_out(err);
	(void) ctl_send(q->ctl, &f);
	req_free(q);
}

static void
req_send(struct req *q, struct axd_sess *s)
{
	struct axon_wire_frame f;

	memset(&f, 0, sizeof(f));
	f.type = q->type;
	f.msg = q->id;
	if (q->type == AXON_W_PATH_REQ) {
		f.flags = AXON_WF_FIRST | AXON_WF_LAST;
		f.u.path.op = q->op;
		f.u.path.ftype = q->ftype;
		f.data = (const uint8_t *) q->path;
		f.data_len = (uint32_t) strlen(q->path) + 1;
	} else if (q->type == AXON_W_TRACE_REQ) {
		f.u.trace.op = q->tr_op;
		f.u.trace.seconds = q->tr_sec;
		f.u.trace.since = q->tr_since;
	} else {
		f.u.ps.pid = q->pid;
	}
	q->sess = s;
	q->deadline = axd_now() + ANSWER_NS;
	(void) axd_send_frame(s, &f);
	axd_flush(s);
}

static struct req *
req_by_id(const struct axd_sess *s, uint32_t id)
{
	for (struct req *q = reqs; q != NULL; q = q->next) {
		if (q->id == id && q->sess == s && !q->dead) {
			return q;
		}
	}
	return NULL;
}

/* A PS_REQ or PATH_REQ of c for another node: forwarded on its session
 * (once there is one). */
static void
req_remote(struct axd_ctl *c, const struct axon_wire_frame *f)
{
	uint8_t ans = ans_type(f->type);
	struct axd_peer *p = NULL;
	struct axd_sess *s;
	struct req *q;
	int err;

	s = route(f->conn, &p, &err);
	if (s == NULL && err != 0) {
		ctl_answer(c, ans, f->conn, f->msg, err, NULL, 0);
		return;
	}
	q = calloc(1, sizeof(*q));
	if (q == NULL || (f->type == AXON_W_PATH_REQ &&
			     (q->path = strdup((const char *) f->data)) ==
				 NULL)) {
		free(q);
		ctl_answer(c, ans, f->conn, f->msg, ENOMEM, NULL, 0);
		return;
	}
	do {
		q->id = ++next_req_id;
	} while (q->id == 0);
	q->ctl = c;
	q->type = f->type;
	q->conn = f->conn;
	q->msg = f->msg;
	q->pid = f->u.ps.pid;
	q->op = f->u.path.op;
	q->ftype = f->u.path.ftype;
	if (f->type == AXON_W_TRACE_REQ) {
		q->tr_op = f->u.trace.op;
		q->tr_sec = f->u.trace.seconds;
		q->tr_since = f->u.trace.since;
	}
	q->peer = p;
	q->deadline = axd_now() + connect_ns();
	q->next = reqs;
	reqs = q;
	c->nreq++;
	if (s != NULL) {
		req_send(q, s);
	}
}

/* A chunk of a peer's PS_ANS or PATH_ANS: relayed under the caller's
 * ids. */
static int
req_answer(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct req *q = req_by_id(s, f->msg);
	struct axon_wire_frame o;
	bool first = (f->flags & AXON_WF_FIRST) != 0;

	if (q == NULL) {
		return 0; /* timed out, or its caller left */
	}
	if (f->type != ans_type(q->type) || first != (q->got == 0) ||
	    f->offset != q->got || (f->u.ans.err != 0 && !first) ||
	    f->data_len > (q->type == AXON_W_PATH_REQ ? PATH_MAX_TEXT
						      : PS_MAX) - q->got) {
		axd_log(AXD_WARN, "%s: bad %s answer", s->peer->name,
		    q->type == AXON_W_PATH_REQ	  ? "path"
		    : q->type == AXON_W_TRACE_REQ ? "trace"
						  : "ps");
		req_fail(q, EPROTO);
		return EPROTO;
	}
	o = *f;
	o.conn = q->conn;
	o.msg = q->msg;
	(void) ctl_send(q->ctl, &o);
	q->got += f->data_len;
	q->deadline = axd_now() + ANSWER_NS;
	if (f->u.ans.err != 0 || (f->flags & AXON_WF_LAST)) {
		req_free(q);
	}
	return 0;
}

static void
psout_free(struct psout *o)
{
	struct psout **pp;

	for (pp = &psouts; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == o) {
			*pp = o->next;
			break;
		}
	}
	if (o->snap != NULL) {
		snap_put(o->snap);
	} else {
		free(o->text);
	}
	free(o);
}

static bool
psout_produce(struct axd_sess *s, struct axd_stream *st)
{
	struct psout *o = (struct psout *) st;
	struct axon_wire_frame f;

	o->off += ans_chunk(&f, o->type, o->msg, o->err, o->text, o->len,
	    o->off);
	(void) axd_send_frame(s, &f);
	if (o->err != 0 || o->off == o->len) {
		psout_free(o);
		return false;
	}
	return true;
}

/* A peer asks for this node's processes. */
static void
ps_serve(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct psout *o;
	int n = 0;

	for (o = psouts; o != NULL; o = o->next) {
		n += o->sess == s;
	}
	if (n >= CTL_REQS) {
		/* A peer asking faster than it reads gets no more texts. */
		struct axon_wire_frame r;

		memset(&r, 0, sizeof(r));
		r.type = AXON_W_PS_ANS;
		r.msg = f->msg;
		r.flags = AXON_WF_FIRST | AXON_WF_LAST;
		r.u.ans.err = axon__wire_errno_out(EAGAIN);
		(void) axd_send_frame(s, &r);
		return;
	}
	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		axd_sess_close(s, EHOSTUNREACH, "out of memory");
		return;
	}
	o->st.produce = psout_produce;
	o->sess = s;
	o->type = AXON_W_PS_ANS;
	o->msg = f->msg;
	o->pid = f->u.ps.pid;
	o->since = axd_now();
	o->next = psouts;
	psouts = o;
	if (snap_fresh(o->since)) {
		snap_answer(ps_cur, o->pid, &o->err, &o->text, &o->len,
		    &o->snap);
		axd_stream_add(s, &o->st);
	} else {
		o->wait = true;
		ps_kick();
	}
}

/* A peer asks this node to trace: answered at once, as the session has
 * room. */
static void
trace_serve(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct psout *o;
	int n = 0;

	for (o = psouts; o != NULL; o = o->next) {
		n += o->sess == s;
	}
	o = n < CTL_REQS ? calloc(1, sizeof(*o)) : NULL;
	if (o == NULL) {
		struct axon_wire_frame r;

		memset(&r, 0, sizeof(r));
		r.type = AXON_W_TRACE_ANS;
		r.msg = f->msg;
		r.flags = AXON_WF_FIRST | AXON_WF_LAST;
		r.u.ans.err = axon__wire_errno_out(n < CTL_REQS ? ENOMEM
								: EAGAIN);
		(void) axd_send_frame(s, &r);
		return;
	}
	o->st.produce = psout_produce;
	o->sess = s;
	o->type = AXON_W_TRACE_ANS;
	o->msg = f->msg;
	o->since = axd_now();
	o->next = psouts;
	psouts = o;
	trace_do(f, &o->err, &o->text, &o->len);
	axd_stream_add(s, &o->st);
}

/* Sends what answers to peers became ready (after the loops over
 * psouts: sending one frees it). */
static void
ps_flush(void)
{
	for (struct axd_sess *s = g.sessions; s != NULL; s = s->next) {
		if (s->state == S_UP && s->st_head != NULL) {
			axd_flush(s);
		}
	}
}

/* A PATH_REQ of c about this node: answered by the path thread. */
static void
path_local(struct axd_ctl *c, const struct axon_wire_frame *f)
{
	struct blob *b;
	struct pjob *j;
	int err;

	j = path_job_new(f, &err);
	if (j == NULL) {
		ctl_answer(c, AXON_W_PATH_ANS, f->conn, f->msg, err, NULL, 0);
		return;
	}
	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		path_njobs--;
		free(j);
		ctl_close(c, "out of memory");
		return;
	}
	b->type = AXON_W_PATH_ANS;
	b->conn = f->conn;
	b->msg = f->msg;
	b->since = axd_now();
	b->wait = true;
	b->job = j->id;
	*c->blobs_tail = b;
	c->blobs_tail = &b->next;
	c->nreq++;
	path_kick(j); /* may answer at once: c may be closed */
}

/* A peer asks about this node's namespace. */
static void
path_serve(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct psout *o;
	struct pjob *j = NULL;
	int n = 0, err = EAGAIN;

	for (o = psouts; o != NULL; o = o->next) {
		n += o->sess == s;
	}
	if (n >= CTL_REQS || (j = path_job_new(f, &err)) == NULL) {
		struct axon_wire_frame r;

		memset(&r, 0, sizeof(r));
		r.type = AXON_W_PATH_ANS;
		r.msg = f->msg;
		r.flags = AXON_WF_FIRST | AXON_WF_LAST;
		r.u.ans.err = axon__wire_errno_out(err);
		(void) axd_send_frame(s, &r);
		return;
	}
	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		path_njobs--;
		free(j);
		axd_sess_close(s, EHOSTUNREACH, "out of memory");
		return;
	}
	o->st.produce = psout_produce;
	o->sess = s;
	o->type = AXON_W_PATH_ANS;
	o->msg = f->msg;
	o->since = axd_now();
	o->wait = true;
	o->job = j->id;
	o->next = psouts;
	psouts = o;
	path_kick(j);
}

/*
 * A snapshot came (sn, or NULL: out of memory): it is the newest, and
 * every request waiting gets its answer from it.
 */
static void
ps_arrived(struct ps_snap *sn)
{
	ps_busy = false;
	if (sn != NULL) {
		snap_put(ps_cur);
		ps_cur = sn;
	}
	for (struct axd_ctl *c = ctls, *next; c != NULL; c = next) {
		bool any = false;

		next = c->next; /* c may close */
		for (struct blob *b = c->blobs; b != NULL; b = b->next) {
			if (b->wait && b->job == 0) {
				int err;
				char *text;
				size_t len;
				struct ps_snap *ref;

				snap_answer(sn, b->pid, &err, &text, &len, &ref);
				blob_set(c, b, err, text, len, ref);
				any = true;
			}
		}
		if (any) {
			ctl_produce(c);
		}
	}
	for (struct psout *o = psouts; o != NULL; o = o->next) {
		if (o->wait && o->job == 0) {
			o->wait = false;
			snap_answer(sn, o->pid, &o->err, &o->text, &o->len,
			    &o->snap);
			axd_stream_add(o->sess, &o->st);
		}
	}
	ps_flush();
}

/* The path thread answered j: its waiter, if it still waits, gets the
 * answer. */
static void
path_finish(struct pjob *j)
{
	bool found = false;

	path_njobs--;
	for (struct axd_ctl *c = ctls; c != NULL && !found; c = c->next) {
		for (struct blob *b = c->blobs; b != NULL; b = b->next) {
			if (b->wait && b->job == j->id) {
				blob_set(c, b, j->err, j->text, j->len, NULL);
				j->text = NULL;
				found = true;
				ctl_produce(c); /* (c may close: we stop) */
				break;
			}
		}
	}
	for (struct psout *o = psouts; o != NULL && !found; o = o->next) {
		if (o->wait && o->job == j->id) {
			o->wait = false;
			o->err = j->err;
			o->text = j->text;
			o->len = j->len;
			j->text = NULL;
			found = true;
			axd_stream_add(o->sess, &o->st);
		}
	}
	free(j->text);
	free(j);
	ps_flush();
}

/* Requests that waited too long for the path thread get ETIMEDOUT from
 * ps_expire (below), as those for a snapshot do. */

/* Requests that waited too long for a snapshot (the ps thread is stuck
 * on a read) get ETIMEDOUT. */
static void
ps_expire(uint64_t now)
{
	for (struct axd_ctl *c = ctls, *next; c != NULL; c = next) {
		bool any = false;

		next = c->next;
		for (struct blob *b = c->blobs; b != NULL; b = b->next) {
			if (b->wait && now > b->since &&
			    now - b->since > PS_WAIT_NS) {
				blob_set(c, b, ETIMEDOUT, NULL, 0, NULL);
				any = true;
			}
		}
		if (any) {
			ctl_produce(c);
		}
	}
	for (struct psout *o = psouts; o != NULL; o = o->next) {
		if (o->wait && now > o->since && now - o->since > PS_WAIT_NS) {
			o->wait = false;
			o->err = ETIMEDOUT;
			axd_stream_add(o->sess, &o->st);
		}
	}
	ps_flush();
}

/* ---- SPAWN relayed to another node ---- */

static void
wire_cred(const struct axd_ctl *c, struct axon_wire_cred *w)
{
	memset(w, 0, sizeof(*w));
	w->ruid = w->euid = w->suid = (uint32_t) c->uid;
	w->rgid = w->egid = w->sgid = (uint32_t) c->gid;
	w->ngroups = c->ngroups < AXON_WIRE_NGROUPS ? (uint32_t) c->ngroups
						     : AXON_WIRE_NGROUPS;
	for (uint32_t i = 0; i < w->ngroups; i++) {
		w->groups[i] = (uint32_t) c->groups[i];
	}
}

static void
relay_send_spawn(struct axd_ctl *c, struct axd_sess *s, const uint8_t *data,
    uint32_t len)
{
	struct axon_wire_frame f;

	memset(&f, 0, sizeof(f));
	f.type = AXON_W_SPAWN;
	f.conn = c->sid;
	f.flags = AXON_WF_FIRST | AXON_WF_LAST;
	f.u.spawn.argc = c->argc;
	f.u.spawn.envc = c->envc;
	wire_cred(c, &f.u.spawn.cred);
	f.data = data;
	f.data_len = len;
	c->sess = s;
	c->deadline = axd_now() + ANSWER_NS;
	(void) axd_send_frame(s, &f);
	axd_flush(s);
}

/*
 * The stream cannot go on: no session came within the connect timeout
 * (the SPAWN never left), or it had left and the session was lost or no
 * SPAWN_OK came.  The caller gets EOF on what it still reads, then
 * SPAWN_OK {0, err} (a second one if the command had started); if the
 * SPAWN had left, the connection closes once that is written.
 */
static void
relay_break(struct axd_ctl *c, int err)
{
	struct axon_wire_frame f;
	bool left = c->sess != NULL;

	if (c->stream != ST_REMOTE) {
		return;
	}
	c->stream = ST_ENDED;
	c->sess = NULL;
	free(c->spawn);
	c->spawn = NULL;
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_STDIO;
	for (uint32_t fd = 1; c->started && fd <= 2; fd++) {
		if (!c->out_eof[fd]) {
			f.u.stdio.fd = fd;
			(void) axd_ctl_send(c, &f);
		}
	}
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_SPAWN_OK;
	f.u.spawned.err = axon__wire_errno_out(err);
	c->close_flushed = left; /* after the last frame only */
	(void) axd_ctl_send(c, &f);
	if (c->paused) {
		c->paused = false;
		ctl_frames(c); /* what came behind the SPAWN: ignored now */
		ctl_watch(c);
	}
}

static void
relay_start(struct axd_ctl *c, const struct axon_wire_frame *f)
{
	struct axd_sess *s;
	int err;

	c->stream = ST_REMOTE;
	c->argc = f->u.spawn.argc;
	c->envc = f->u.spawn.envc;
	c->in_win = AXD_SVC_WINDOW;
	c->out_win[1] = c->out_win[2] = AXD_SVC_WINDOW;
	do {
		c->sid = ++next_sid;
	} while (c->sid == 0);
	s = route(f->conn, &c->peer, &err);
	if (s != NULL) {
		relay_send_spawn(c, s, f->data, f->data_len);
		return;
	}
	if (err == 0) {
		c->spawn = malloc(f->data_len);
		if (c->spawn == NULL) {
			err = ENOMEM;
		}
	}
	if (err != 0) {
		/* Never started: the caller may say so and try again. */
		struct axon_wire_frame o;

		c->stream = ST_ENDED;
		memset(&o, 0, sizeof(o));
		o.type = AXON_W_SPAWN_OK;
		o.u.spawned.err = axon__wire_errno_out(err);
		(void) axd_ctl_send(c, &o);
		return;
	}
	/* Waiting for the session: the caller's later frames wait in its
	 * socket, unread, until the SPAWN has gone. */
	memcpy(c->spawn, f->data, f->data_len);
	c->spawn_len = f->data_len;
	c->deadline = axd_now() + connect_ns();
	c->paused = true;
	ctl_watch(c);
}

/* A frame of the caller for its remote command. */
static int
relay_from_caller(struct axd_ctl *c, const struct axon_wire_frame *f)
{
	struct axon_wire_frame o = *f;

	switch (f->type) {
	case AXON_W_STDIO:
		if (f->u.stdio.fd != 0 || c->in_eof ||
		    f->data_len > c->in_win) {
			return EPROTO;
		}
		c->in_win -= f->data_len;
		c->in_eof = f->data_len == 0;
		break;
	case AXON_W_STDIO_ACK:
		if (f->u.ack.fd == 0 ||
		    f->u.ack.bytes > AXD_SVC_WINDOW - c->out_win[f->u.ack.fd]) {
			return EPROTO;
		}
		c->out_win[f->u.ack.fd] += f->u.ack.bytes;
		break;
	case AXON_W_KILL:
		/* Nothing bounds a caller's KILLs but the session: while it
		 * is this far behind, more are dropped (those queued will
		 * do), lest a flood close it for every client of the node. */
		if (c->sess != NULL &&
		    axd_obuf_queued(&c->sess->out) > CTL_HIWAT) {
			return 0;
		}
		break;
	default:
		return EPROTO;
	}
	if (c->sess != NULL) {
		o.conn = c->sid;
		o.msg = 0;
		(void) axd_send_frame(c->sess, &o);
		axd_flush(c->sess);
	}
	return 0;
}

static struct axd_ctl *
relay_by_sid(const struct axd_sess *s, uint32_t sid)
{
	for (struct axd_ctl *c = ctls; c != NULL; c = c->next) {
		if (c->stream == ST_REMOTE && c->sess == s && c->sid == sid) {
			return c;
		}
	}
	return NULL;
}

/* A frame of the node that runs a command of ours, for the caller. */
static int
relay_from_runner(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_ctl *c = relay_by_sid(s, f->conn);

	if (c == NULL) {
		return 0; /* its caller left, or it timed out */
	}
	switch (f->type) {
	case AXON_W_SPAWN_OK:
		if (c->started) {
			return EPROTO;
		}
		if (f->u.spawned.err != 0) {
			c->stream = ST_ENDED;
		}
		c->started = f->u.spawned.err == 0;
		break;
	case AXON_W_STDIO:
		if (!c->started || f->u.stdio.fd == 0 ||
		    c->out_eof[f->u.stdio.fd] ||
		    f->data_len > c->out_win[f->u.stdio.fd]) {
			return EPROTO;
		}
		c->out_win[f->u.stdio.fd] -= f->data_len;
		c->out_eof[f->u.stdio.fd] = f->data_len == 0;
		break;
	case AXON_W_STDIO_ACK:
		if (f->u.ack.fd != 0 ||
		    f->u.ack.bytes > AXD_SVC_WINDOW - c->in_win) {
			return EPROTO;
		}
		c->in_win += f->u.ack.bytes;
		break;
	case AXON_W_EXIT:
		if (!c->started) {
			return EPROTO;
		}
		c->stream = ST_ENDED;
		break;
	default:
		return EPROTO;
	}
	(void) axd_ctl_send(c, f);
	return 0;
}

/* ---- SPAWN from a peer: run it here ---- */

/* A peer's caller's credentials, mapped as for messages
 * (axd_map_cred). */
static void
map_cred(const struct axon_wire_cred *w, struct axd_spawn_req *r,
    gid_t groups[AXON_WIRE_NGROUPS])
{
	struct axon_wire_cred m = *w;

	axd_map_cred(&m);
	r->ruid = m.ruid;
	r->euid = m.euid;
	r->suid = m.suid;
	r->rgid = m.rgid;
	r->egid = m.egid;
	r->sgid = m.sgid;
	r->ngroups = m.ngroups;
	for (uint32_t i = 0; i < m.ngroups; i++) {
		groups[i] = m.groups[i];
	}
	r->groups = groups;
}

/* Splits a SPAWN's strings into r (cwd, argv, envp; NULL-terminated
 * arrays, malloc'd in *ret_v).  Returns 0 or an errno. */
static int
spawn_args(const struct axon_wire_frame *f, struct axd_spawn_req *r,
    char ***ret_v)
{
	uint32_t argc = f->u.spawn.argc;
	uint32_t envc = f->u.spawn.envc;
	const char **s = calloc(1 + argc + envc, sizeof(*s));
	char **v = calloc(argc + envc + 2, sizeof(*v));

	if (s == NULL || v == NULL || axon__wire_spawn_strings(f, s) < 0) {
		free(s);
		free(v);
		return s == NULL || v == NULL ? ENOMEM : EPROTO;
	}
	for (uint32_t i = 0; i < argc; i++) {
		v[i] = (char *) s[1 + i];
	}
	for (uint32_t i = 0; i < envc; i++) {
		v[argc + 1 + i] = (char *) s[1 + argc + i];
	}
	r->cwd = s[0];
	r->argv = v;
	r->envp = v + argc + 1;
	free(s);
	*ret_v = v;
	return 0;
}

static void
spawn_refuse(struct axd_sess *s, uint32_t sid, int err)
{
	struct axon_wire_frame f;

	memset(&f, 0, sizeof(f));
	f.type = AXON_W_SPAWN_OK;
	f.conn = sid;
	f.u.spawned.err = axon__wire_errno_out(err);
	(void) axd_send_frame(s, &f);
}

static int
spawn_remote(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_spawn_req r;
	gid_t groups[AXON_WIRE_NGROUPS];
	char **v = NULL;
	int err;

	if (f->conn == 0 || axd_spawn_by_stream(s, f->conn) != NULL) {
		return EPROTO;
	}
	if (!g.cfg.remote_spawn) {
		axd_log(AXD_INFO, "node %s may not run commands here "
				  "(--no-remote-spawn)", s->peer->name);
		spawn_refuse(s, f->conn, EPERM);
		return 0;
	}
	memset(&r, 0, sizeof(r));
	err = spawn_args(f, &r, &v);
	if (err == EPROTO) {
		return EPROTO;
	}
	if (err == 0) {
		map_cred(&f->u.spawn.cred, &r, groups);
		if (axd_spawn_new(NULL, s, f->conn, &r, &err) != NULL) {
			axd_log(AXD_INFO, "node %s runs '%s' as uid %u",
			    s->peer->name, r.argv[0], (unsigned) r.euid);
			err = 0;
		}
	}
	free(v);
	if (err != 0) {
		spawn_refuse(s, f->conn, err);
	}
	return 0;
}

/* A frame of the requester of a command running here. */
static int
to_runner(struct axd_sess *s, const struct axon_wire_frame *f)
{
	struct axd_spawn *sp = axd_spawn_by_stream(s, f->conn);

	return sp != NULL ? axd_spawn_input(sp, f) : 0;
}

/* ---- control connections: input ---- */

static void
spawn_local(struct axd_ctl *c, const struct axon_wire_frame *f)
{
	struct axd_spawn_req r;
	char **v = NULL;
	int err;

	memset(&r, 0, sizeof(r));
	err = spawn_args(f, &r, &v);
	if (err == 0) {
		r.ruid = r.euid = r.suid = c->uid;
		r.rgid = r.egid = r.sgid = c->gid;
		r.ngroups = c->ngroups;
		r.groups = c->groups;
		c->stream = ST_LOCAL;
		c->sp = axd_spawn_new(c, NULL, 0, &r, &err);
	}
	free(v);
	if (c->sp == NULL) {
		struct axon_wire_frame o;

		c->stream = ST_ENDED;
		memset(&o, 0, sizeof(o));
		o.type = AXON_W_SPAWN_OK;
		o.u.spawned.err = axon__wire_errno_out(err);
		(void) axd_ctl_send(c, &o);
	}
}

static bool
msg_busy(const struct axd_ctl *c, uint32_t msg)
{
	for (const struct blob *b = c->blobs; b != NULL; b = b->next) {
		if (b->msg == msg) {
			return true;
		}
	}
	for (const struct req *q = reqs; q != NULL; q = q->next) {
		if (q->ctl == c && q->msg == msg && !q->dead) {
			return true;
		}
	}
	return false;
}

/* One frame of a caller.  Returns 0, or EPROTO: c is closed. */
static int
ctl_frame(struct axd_ctl *c, const struct axon_wire_frame *f)
{
	char *text = NULL;
	size_t len = 0;
	int err;

	switch (f->type) {
	case AXON_W_PS_REQ:
	case AXON_W_PATH_REQ:
	case AXON_W_TRACE_REQ:
	case AXON_W_NODES_REQ: {
		uint8_t ans = f->type == AXON_W_NODES_REQ ? AXON_W_NODES_ANS
							  : ans_type(f->type);

		if (msg_busy(c, f->msg)) {
			return EPROTO; /* ids of requests in flight differ */
		}
		if (c->nreq >= CTL_REQS || c->ans_bytes >= g.cfg.ctl_queued ||
		    (c->uid != 0 && ans_total >= g.cfg.ctl_queued_total)) {
			/* Straight to the output, not queued as an answer: a
			 * caller that asks without reading is closed at
			 * CTL_OUT_MAX instead of piling up answers.  The same
			 * when its answers, or all users' together, hold their
			 * share of memory (--ctl-queued, --ctl-queued-total). */
			struct axon_wire_frame o;

			memset(&o, 0, sizeof(o));
			o.type = ans;
			o.conn = f->conn;
			o.msg = f->msg;
			o.flags = AXON_WF_FIRST | AXON_WF_LAST;
			o.u.ans.err = axon__wire_errno_out(EAGAIN);
			(void) ctl_send(c, &o);
		} else if (f->type == AXON_W_NODES_REQ) {
			err = nodes_text(&text, &len);
			ctl_answer(c, ans, f->conn, f->msg, err, text, len);
		} else if (f->conn != 0) {
			req_remote(c, f);
		} else if (f->type == AXON_W_PATH_REQ) {
			path_local(c, f);
		} else if (f->type == AXON_W_TRACE_REQ) {
			trace_do(f, &err, &text, &len);
			ctl_answer(c, ans, f->conn, f->msg, err, text, len);
		} else {
			ps_local(c, f);
		}
		return 0;
	}
	case AXON_W_SPAWN:
		if (c->stream != ST_NONE) {
			return EPROTO; /* one stream per connection */
		}
		if (f->conn == 0) {
			spawn_local(c, f);
		} else {
			relay_start(c, f);
		}
		return 0;
	case AXON_W_STDIO:
	case AXON_W_STDIO_ACK:
	case AXON_W_KILL:
		switch (c->stream) {
		case ST_LOCAL:
			return c->sp != NULL ? axd_spawn_input(c->sp, f) : 0;
		case ST_REMOTE:
			return relay_from_caller(c, f);
		case ST_ENDED:
			return 0; /* late: the stream is over */
		default:
			return EPROTO;
		}
	default:
		return EPROTO;
	}
}

/* Handles every whole frame of c's input; keeps a partial one. */
static void
ctl_frames(struct axd_ctl *c)
{
	size_t off = 0;

	while (!c->dead && !c->paused && off < c->in_len) {
		struct axon_wire_frame f;
		long n = axon__wire_decode(c->in + off, c->in_len - off, &f);

		if (n == 0) {
			break;
		}
		if (n < 0) {
			axd_log(AXD_WARN, "control socket: malformed frame from "
					  "pid %d: connection closed",
			    (int) c->pid);
			ctl_close(c, "malformed frame");
			return;
		}
		off += (size_t) n;
		if (ctl_frame(c, &f) != 0) {
			axd_log(AXD_WARN, "control socket: protocol error by "
					  "pid %d (frame type %d): connection "
					  "closed",
			    (int) c->pid, f.type);
			ctl_close(c, "protocol error");
			return;
		}
	}
	if (!c->dead && off > 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
}

static void
ctl_readable(struct axd_ctl *c)
{
	for (int rounds = 0; rounds < 16 && !c->dead && !c->paused;
	     rounds++) {
		size_t room;
		ssize_t n;

		if (c->in == NULL) {
			c->in = malloc(CTL_IN_CAP);
			if (c->in == NULL) {
				ctl_close(c, "out of memory");
				return;
			}
		}
		room = CTL_IN_CAP - c->in_len;
		n = recv(c->fd, c->in + c->in_len, room, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			break;
		}
		if (n <= 0) {
			ctl_close(c, n == 0 ? "closed by the caller"
					    : strerror(errno));
			return;
		}
		c->in_len += (size_t) n;
		c->last_active = axd_now();
		ctl_frames(c);
		if ((size_t) n < room) {
			break;
		}
	}
}

/* ---- control connections: life ---- */

/* Supplementary groups of the caller, from the kernel (as when it
 * connected).  Without SO_PEERGROUPS: /proc/<pid>/status, if it still
 * shows the uid and gid that connected (else none). */
static void
peer_groups(struct axd_ctl *c)
{
	socklen_t len = 64 * sizeof(gid_t);
	FILE *f;
	char path[64];
	char line[4096];
	bool same = false;

	for (int tries = 0; tries < 3; tries++) {
		gid_t *gs = realloc(c->groups, len > 0 ? len : 1);

		if (gs == NULL) {
			return;
		}
		c->groups = gs;
		if (getsockopt(c->fd, SOL_SOCKET, SO_PEERGROUPS, gs, &len) ==
		    0) {
			c->ngroups = len / sizeof(gid_t);
			return;
		}
		if (errno != ERANGE) {
			break;
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/status", (int) c->pid);
	f = fopen(path, "re");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		unsigned long a, b;

		if (sscanf(line, "Uid: %lu %lu", &a, &b) == 2) {
			same = b == c->uid;
		} else if (sscanf(line, "Gid: %lu %lu", &a, &b) == 2) {
			same = same && b == c->gid;
		} else if (same && strncmp(line, "Groups:", 7) == 0) {
			char *p = line + 7;
			char *end;
			size_t n = 0;

			for (;;) {
				unsigned long gid = strtoul(p, &end, 10);

				if (end == p || n == 64) {
					break;
				}
				c->groups[n++] = (gid_t) gid;
				p = end;
			}
			c->ngroups = n;
		}
	}
	if (f != NULL) {
		fclose(f);
	}
}

/*
 * May uid have one more control connection?  Users other than root
 * share CTL_USERS, each at most --user-conns; root has CTL_ROOT more,
 * so that no user, holding connections open, can lock root out of
 * `axon nodes` or `axon on`.  A refusal is logged once per uid until
 * that uid is under its share again.
 */
static bool
ctl_share_ok(uid_t uid)
{
	static uid_t logged = (uid_t) -1;
	int users = 0, mine = 0;
	bool ok;

	for (const struct axd_ctl *c = ctls; c != NULL; c = c->next) {
		users += c->uid != 0;
		mine += c->uid == uid;
	}
	if (uid == 0) {
		ok = mine < CTL_ROOT;
	} else {
		ok = (unsigned) mine < g.cfg.user_conns && users < CTL_USERS;
	}
	if (!ok && logged != uid) {
		axd_log(AXD_WARN, "control socket: uid %u has %d connections "
		    "open (users: %d): more are refused", (unsigned) uid, mine,
		    users);
		logged = uid;
	} else if (ok && logged == uid) {
		logged = (uid_t) -1;
	}
	return ok;
}

static void
ctl_accept(void)
{
	for (int i = 0; i < 16; i++) {
		int fd = accept4(listen_fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ucred uc;
		socklen_t len = sizeof(uc);
		struct epoll_event ev;
		struct axd_ctl *c;

		if (fd < 0) {
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0 ||
		    !ctl_share_ok(uc.uid) ||
		    (c = calloc(1, sizeof(*c))) == NULL) {
			(void) close(fd);
			continue;
		}
		c->fd = fd;
		c->pid = uc.pid;
		c->uid = uc.uid;
		c->gid = uc.gid;
		peer_groups(c);
		c->blobs_tail = &c->blobs;
		c->last_active = axd_now();
		do {
			c->id = ++next_ctl_id;
		} while (c->id == 0);
		c->watched = EPOLLIN;
		ev.events = EPOLLIN;
		ev.data.u64 = AXD_TAG_SVC | ((uint64_t) AXD_SVC_CTL << 32) |
		    c->id;
		if (epoll_ctl(g.epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			(void) close(fd);
			free(c->groups);
			free(c);
			continue;
		}
		c->next = ctls;
		ctls = c;
		nctls++;
	}
}

/*
 * Closes c: its requests are forgotten, its local command hung up, its
 * remote one told (EOF on stdin, KILL SIGHUP).  The memory goes in
 * ctl_collect(), at the next event or tick.
 */
static void
ctl_close(struct axd_ctl *c, const char *why)
{
	struct axd_ctl **pp;

	if (c->dead) {
		return;
	}
	c->dead = true;
	axd_log(AXD_DEBUG, "control connection of pid %d: %s", (int) c->pid,
	    why);
	(void) epoll_ctl(g.epfd, EPOLL_CTL_DEL, c->fd, NULL);
	(void) close(c->fd);
	c->fd = -1;
	/* Other loops may be walking the requests: they go later. */
	for (struct req *q = reqs; q != NULL; q = q->next) {
		if (q->ctl == c) {
			q->dead = true;
		}
	}
	if (c->stream == ST_LOCAL && c->sp != NULL) {
		struct axd_spawn *sp = c->sp;

		c->sp = NULL;
		axd_spawn_hangup(sp);
	}
	if (c->stream == ST_REMOTE && c->sess != NULL &&
	    c->sess->state == S_UP) {
		struct axon_wire_frame f;

		memset(&f, 0, sizeof(f));
		f.conn = c->sid;
		if (!c->in_eof) {
			f.type = AXON_W_STDIO;
			(void) axd_send_frame(c->sess, &f);
		}
		f.type = AXON_W_KILL;
		f.u.kill.signo = SIGHUP;
		(void) axd_send_frame(c->sess, &f);
		axd_flush(c->sess);
	}
	c->stream = ST_ENDED;
	c->sess = NULL;
	for (pp = &ctls; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	nctls--;
	c->next = ctl_graveyard;
	ctl_graveyard = c;
}

static void
ctl_collect(void)
{
	struct req *q = reqs;

	while (q != NULL) {
		struct req *next = q->next;

		if (q->dead) {
			req_free(q);
		}
		q = next;
	}
	while (ctl_graveyard != NULL) {
		struct axd_ctl *c = ctl_graveyard;

		ctl_graveyard = c->next;
		while (c->blobs != NULL) {
			struct blob *b = c->blobs;

			c->blobs = b->next;
			blob_free(c, b);
		}
		free(c->in);
		free(c->out.buf);
		free(c->groups);
		free(c->spawn);
		free(c);
	}
	axd_spawn_collect();
}

static struct axd_ctl *
ctl_by_id(uint32_t id)
{
	for (struct axd_ctl *c = ctls; c != NULL; c = c->next) {
		if (c->id == id) {
			return c;
		}
	}
	return NULL;
}

/* ---- hooks ---- */

int
axd_svc_start(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct epoll_event ev;
	int n;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/axond.sock",
	    g.rundir);
	if (n < 0 || (size_t) n >= sizeof(sa.sun_path)) {
		axd_log(AXD_WARN, "%s/axond.sock: path too long: no control "
				  "socket (the axon command will not work)",
		    g.rundir);
		return 0;
	}
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (listen_fd < 0) {
		axd_log(AXD_ERR, "control socket: %s", strerror(errno));
		return -1;
	}
	/* One axond per node (it owns the node's network channel), so a
	 * socket already there is a dead one's. */
	(void) unlink(sa.sun_path);
	if (bind(listen_fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
	    chmod(sa.sun_path, 0666) < 0 || listen(listen_fd, 64) < 0) {
		axd_log(AXD_ERR, "control socket %s: %s", sa.sun_path,
		    strerror(errno));
		(void) close(listen_fd);
		listen_fd = -1;
		return -1;
	}
	snprintf(sock_path, sizeof(sock_path), "%s", sa.sun_path);
	ev.events = EPOLLIN;
	ev.data.u64 = AXD_TAG_SVC | ((uint64_t) AXD_SVC_LISTEN << 32);
	(void) epoll_ctl(g.epfd, EPOLL_CTL_ADD, listen_fd, &ev);
	/* Without the ps thread, ps answers are collected on the main
	 * thread, as they were: slower for everyone, but right. */
	ps_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.u64 = AXD_TAG_SVC | ((uint64_t) AXD_SVC_PS << 32);
	if (ps_efd >= 0 && epoll_ctl(g.epfd, EPOLL_CTL_ADD, ps_efd, &ev) == 0 &&
	    pthread_create(&ps_thread, NULL, ps_main, NULL) == 0) {
		ps_thread_ok = true;
	} else {
		axd_log(AXD_WARN, "ps thread: %s: ps is collected on the main "
		    "thread", strerror(errno));
	}
	path_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.u64 = AXD_TAG_SVC | ((uint64_t) AXD_SVC_PATH << 32);
	if (path_efd >= 0 &&
	    epoll_ctl(g.epfd, EPOLL_CTL_ADD, path_efd, &ev) == 0 &&
	    pthread_create(&path_thread, NULL, path_main, NULL) == 0) {
		path_thread_ok = true;
	} else {
		axd_log(AXD_WARN, "path thread: %s: paths are resolved on the "
		    "main thread", strerror(errno));
	}
	return 0;
}

void
axd_svc_stop(void)
{
	while (ctls != NULL) {
		ctl_close(ctls, "shutting down");
	}
	while (psouts != NULL) {
		psout_free(psouts);
	}
	axd_spawn_stop_all();
	ctl_collect();
	if (ps_thread_ok) {
		pthread_mutex_lock(&ps_mu);
		ps_quit = true;
		pthread_cond_signal(&ps_cv);
		pthread_mutex_unlock(&ps_mu);
		(void) pthread_join(ps_thread, NULL);
		ps_thread_ok = false;
		if (ps_done_set) {
			snap_put(ps_done);
		}
	}
	snap_put(ps_cur);
	ps_cur = NULL;
	if (path_thread_ok) {
		pthread_mutex_lock(&path_mu);
		path_quit = true;
		pthread_cond_signal(&path_cv);
		pthread_mutex_unlock(&path_mu);
		(void) pthread_join(path_thread, NULL);
		path_thread_ok = false;
	}
	for (int k = 0; k < 2; k++) {
		struct pjob *j = k == 0 ? path_todo : path_done;

		while (j != NULL) {
			struct pjob *next = j->next;

			free(j->text);
			free(j);
			j = next;
		}
	}
	path_todo = path_done = NULL;
	path_todo_tail = &path_todo;
	path_njobs = 0;
	if (path_efd >= 0) {
		(void) close(path_efd);
		path_efd = -1;
	}
	if (ps_efd >= 0) {
		(void) close(ps_efd);
		ps_efd = -1;
	}
	if (listen_fd >= 0) {
		(void) close(listen_fd);
		listen_fd = -1;
		(void) unlink(sock_path);
	}
}

void
axd_svc_event(uint64_t tag, uint32_t events)
{
	unsigned kind = (unsigned) ((tag >> 32) & 0xff);
	uint32_t id = (uint32_t) tag;
	struct axd_ctl *c;

	ctl_collect();
	if (kind == AXD_SVC_LISTEN) {
		ctl_accept();
		return;
	}
	if (kind == AXD_SVC_PS) {
		struct ps_snap *sn = NULL;
		bool got;
		uint64_t x;

		(void) !read(ps_efd, &x, sizeof(x));
		pthread_mutex_lock(&ps_mu);
		got = ps_done_set;
		sn = ps_done;
		ps_done = NULL;
		ps_done_set = false;
		pthread_mutex_unlock(&ps_mu);
		if (got) {
			ps_arrived(sn);
		}
		return;
	}
	if (kind == AXD_SVC_PATH) {
		struct pjob *j;
		uint64_t x;

		(void) !read(path_efd, &x, sizeof(x));
		pthread_mutex_lock(&path_mu);
		j = path_done;
		path_done = NULL;
		pthread_mutex_unlock(&path_mu);
		while (j != NULL) {
			struct pjob *next = j->next;

			path_finish(j);
			j = next;
		}
		return;
	}
	if (kind >= AXD_SVC_SPAWN) {
		axd_spawn_event(id, kind, events);
		return;
	}
	c = ctl_by_id(id);
	if (c == NULL) {
		return;
	}
	if (events & EPOLLOUT) {
		ctl_write(c);
		ctl_produce(c);
		if (!c->dead && c->sp != NULL && axd_ctl_room(c)) {
			axd_spawn_room(c->sp);
		}
	}
	if (c->dead) {
		return;
	}
	if (c->paused && (events & (EPOLLHUP | EPOLLERR))) {
		ctl_close(c, "closed by the caller");
	} else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		ctl_readable(c);
	}
}

int
axd_svc_frame(struct axd_sess *s, const struct axon_wire_frame *f)
{
	switch (f->type) {
	case AXON_W_PS_REQ:
		ps_serve(s, f);
		return 0;
	case AXON_W_PS_ANS:
	case AXON_W_PATH_ANS:
	case AXON_W_TRACE_ANS:
		return req_answer(s, f);
	case AXON_W_TRACE_REQ:
		trace_serve(s, f);
		return 0;
	case AXON_W_PATH_REQ:
		path_serve(s, f);
		return 0;
	case AXON_W_SPAWN:
		return spawn_remote(s, f);
	case AXON_W_SPAWN_OK:
	case AXON_W_EXIT:
		return relay_from_runner(s, f);
	case AXON_W_STDIO:
		return f->u.stdio.fd == 0 ? to_runner(s, f)
					  : relay_from_runner(s, f);
	case AXON_W_STDIO_ACK:
		return f->u.ack.fd == 0 ? relay_from_runner(s, f)
					: to_runner(s, f);
	case AXON_W_KILL:
		return to_runner(s, f);
	default:
		return EPROTO; /* NODES_*: the control socket only */
	}
}

void
axd_svc_session_up(struct axd_sess *s)
{
	for (struct req *q = reqs; q != NULL; q = q->next) {
		if (q->sess == NULL && q->peer == s->peer && !q->dead) {
			req_send(q, s);
		}
	}
	for (struct axd_ctl *c = ctls, *next; c != NULL; c = next) {
		next = c->next; /* c may close */
		if (c->stream == ST_REMOTE && c->sess == NULL &&
		    c->peer == s->peer) {
			relay_send_spawn(c, s, c->spawn, c->spawn_len);
			free(c->spawn);
			c->spawn = NULL;
			c->paused = false;
			ctl_frames(c); /* what came behind the SPAWN */
			ctl_watch(c);
		}
	}
}

void
axd_svc_session_gone(struct axd_sess *s)
{
	struct req *q = reqs;
	struct psout *o = psouts;

	while (q != NULL) {
		struct req *next = q->next;

		if (q->sess == s && !q->dead) {
			req_fail(q, EHOSTUNREACH);
		}
		q = next;
	}
	while (o != NULL) {
		struct psout *next = o->next;

		if (o->sess == s) {
			psout_free(o); /* s's stream list goes with s */
		}
		o = next;
	}
	for (struct axd_ctl *c = ctls, *next; c != NULL; c = next) {
		next = c->next; /* c may close */
		if (c->stream == ST_REMOTE && c->sess == s) {
			relay_break(c, EHOSTUNREACH);
		}
	}
	axd_spawn_session_gone(s);
}

/* Has c nothing in flight (no request, no answer or output to write,
 * no command) and been silent for --ctl-idle? */
static bool
ctl_idle(const struct axd_ctl *c, uint64_t now)
{
	if (c->nreq > 0 || c->blobs != NULL || axd_obuf_queued(&c->out) > 0 ||
	    c->paused || (c->stream != ST_NONE && c->stream != ST_ENDED)) {
		return false;
	}
	/* (last_active may be later than now: set during this tick) */
	return now > c->last_active &&
	    now - c->last_active > (uint64_t) g.cfg.ctl_idle_ms * 1000000u;
}

void
axd_svc_tick(uint64_t now)
{
	struct req *q = reqs;

	ctl_collect();
	axd_spawn_tick(now);
	ps_expire(now);
	while (q != NULL) {
		struct req *next = q->next;

		if (!q->dead && now > q->deadline) {
			req_fail(q, q->sess != NULL ? ETIMEDOUT
				    : q->peer->was_up ? EHOSTUNREACH
						      : EHOSTDOWN);
		}
		q = next;
	}
	for (struct axd_ctl *c = ctls, *next; c != NULL; c = next) {
		next = c->next; /* c may close */
		if (ctl_idle(c, now)) {
			ctl_close(c, "idle");
			continue;
		}
		if (c->stream != ST_REMOTE || c->started ||
		    now <= c->deadline) {
			continue;
		}
		if (c->sess != NULL) {
			/* No SPAWN_OK: if it starts after all, it is hung
			 * up at once. */
			struct axon_wire_frame f;

			memset(&f, 0, sizeof(f));
			f.type = AXON_W_KILL;
			f.conn = c->sid;
			f.u.kill.signo = SIGHUP;
			(void) axd_send_frame(c->sess, &f);
			axd_flush(c->sess);
			relay_break(c, ETIMEDOUT);
		} else {
			relay_break(c, c->peer->was_up ? EHOSTUNREACH
						       : EHOSTDOWN);
		}
	}
}

/* ---- the module (module.h) ---- */

static void
svc_session_gone(struct axd_sess *s, int err)
{
	(void) err;
	axd_svc_session_gone(s);
}

const struct axd_module axd_mod_services = {
	.name = "services",
	.types = {AXON_W_PS_REQ, AXON_W_PS_ANS, AXON_W_NODES_REQ,
	    AXON_W_NODES_ANS, AXON_W_SPAWN, AXON_W_SPAWN_OK, AXON_W_STDIO,
	    AXON_W_STDIO_ACK, AXON_W_EXIT, AXON_W_KILL, AXON_W_PATH_REQ,
	    AXON_W_PATH_ANS, AXON_W_TRACE_REQ, AXON_W_TRACE_ANS},
	.tags = AXD_TAG_SVC,
	.start = axd_svc_start,
	.stop = axd_svc_stop,
	.session_up = axd_svc_session_up,
	.session_gone = svc_session_gone,
	.frame = axd_svc_frame,
	.tick = axd_svc_tick,
	.event = axd_svc_event,
};
