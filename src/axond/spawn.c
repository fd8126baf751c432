/* SPDX-License-Identifier: MIT */
/*
 * axond: the commands this node runs for `axon on` (SPAWN streams, see
 * services.h and docs/design/axond.md, "Running commands").
 *
 * A command has five descriptors in axond: the write end of its stdin
 * pipe, the read ends of its stdout and stderr pipes, a status pipe that
 * tells whether its exec succeeded (the child writes errno to it; exec
 * closes it, CLOEXEC), and a pidfd that becomes readable when it exits.
 * Each is watched in the epoll loop only while it has something to do,
 * so a pipe whose window is used up raises no events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/close_range.h>

#include "axond.h"
#include "session.h"
#include "services.h"

/* Descriptor indices: 0, 1, 2 are the command's stdin, stdout, stderr. */
enum { SP_IN, SP_OUT, SP_ERR, SP_STATUS, SP_PIDFD, SP_NFD };

/* Stop reading a command's output while its session has this much to
 * send already; the session's drain (an axd_stream) resumes it. */
#define SESS_HIWAT (256u << 10)

/* After a hang-up, a command's output is read and dropped for this long
 * (or until it exits), so that it can handle SIGHUP, and say so, without
 * dying of SIGPIPE first; then its pipes close. */
#define DRAIN_NS 5000000000ull

struct axd_spawn {
	struct axd_stream st;     /* first: the session drained */
	struct axd_spawn *next;
	uint32_t id;
	struct axd_ctl *ctl;      /* the requester: a control connection, */
	struct axd_sess *sess;    /* or stream `stream` of a session */
	uint32_t stream;
	pid_t pid;                /* also its process group */
	uid_t uid;                /* whose share it uses (euid) */
	int fd[SP_NFD];           /* -1: closed */
	uint32_t watched[SP_NFD]; /* epoll events registered, 0: none */
	uint8_t *in;              /* stdin not yet in the pipe */
	uint32_t in_off, in_len;
	bool in_eof;              /* the requester ended stdin */
	uint32_t win[3];          /* [1], [2]: bytes the requester takes */
	bool eof[3];              /* [1], [2]: EOF sent */
	bool started;             /* SPAWN_OK {pid} sent */
	bool failed;              /* SPAWN_OK {0, err} sent */
	bool reaped;
	bool orphan;              /* the requester is gone */
	uint64_t drain_until;     /* orphan: output dropped until then */
	bool killed;              /* orphan: SIGKILL sent after the drain */
	bool dead;                /* forgotten, freed by axd_spawn_collect */
	int wstatus;
};

static struct axd_spawn *spawns;
static struct axd_spawn *graveyard; /* dead, to be freed */
static int nspawns;
static uint32_t next_spawn_id;

static struct axd_spawn *
spawn_by_id(uint32_t id)
{
	for (struct axd_spawn *sp = spawns; sp != NULL; sp = sp->next) {
		if (sp->id == id) {
			return sp;
		}
	}
	return NULL;
}

struct axd_spawn *
axd_spawn_by_stream(const struct axd_sess *s, uint32_t stream)
{
	for (struct axd_spawn *sp = spawns; sp != NULL; sp = sp->next) {
		if (sp->sess == s && sp->stream == stream && !sp->orphan) {
			return sp;
		}
	}
	return NULL;
}

static void
watch(struct axd_spawn *sp, int i, uint32_t events)
{
	struct epoll_event ev = {
		.events = events,
		.data.u64 = AXD_TAG_SVC |
		    ((uint64_t) (AXD_SVC_SPAWN + (unsigned) i) << 32) | sp->id,
	};

	if (sp->fd[i] < 0 || sp->watched[i] == events) {
		return;
	}
	if (events == 0) {
		(void) epoll_ctl(g.epfd, EPOLL_CTL_DEL, sp->fd[i], NULL);
	} else if (epoll_ctl(g.epfd, sp->watched[i] == 0 ? EPOLL_CTL_ADD
							 : EPOLL_CTL_MOD,
		       sp->fd[i], &ev) < 0) {
		axd_log(AXD_ERR, "command %d: epoll: %s", (int) sp->pid,
		    strerror(errno));
		return;
	}
	sp->watched[i] = events;
}

static void
fd_close(struct axd_spawn *sp, int i)
{
	if (sp->fd[i] >= 0) {
		watch(sp, i, 0);
		(void) close(sp->fd[i]);
		sp->fd[i] = -1;
	}
}

/* Can the requester take more stdout/stderr now? */
static bool
room(const struct axd_spawn *sp)
{
	if (sp->ctl != NULL) {
		return axd_ctl_room(sp->ctl);
	}
	return sp->sess != NULL && sp->sess->state == S_UP &&
	    axd_obuf_queued(&sp->sess->out) < SESS_HIWAT;
}

/* Watches each descriptor for what it has to do now. */
static void
update(struct axd_spawn *sp)
{
	bool can;

	if (sp->dead) {
		return;
	}
	can = room(sp);

	watch(sp, SP_IN,
	    sp->started && sp->in_len > sp->in_off ? EPOLLOUT : 0);
	for (int i = SP_OUT; i <= SP_ERR; i++) {
		bool want = sp->started && !sp->orphan && sp->win[i] > 0;

		watch(sp, i, sp->orphan || (want && can) ? EPOLLIN : 0);
		if (want && !can && sp->sess != NULL &&
		    sp->sess->state == S_UP) {
			axd_stream_add(sp->sess, &sp->st);
		}
	}
	watch(sp, SP_STATUS, EPOLLIN);
	watch(sp, SP_PIDFD, EPOLLIN);
}

/* The session drained its output: read the command's output again. */
static bool
sess_drained(struct axd_sess *s, struct axd_stream *st)
{
	update((struct axd_spawn *) st);
	return false;
}

/* Sends f to the requester, if there still is one. */
static void
emit(struct axd_spawn *sp, struct axon_wire_frame *f)
{
	if (sp->orphan) {
		return;
	}
	if (sp->ctl != NULL) {
		(void) axd_ctl_send(sp->ctl, f);
	} else if (sp->sess != NULL) {
		f->conn = sp->stream;
		(void) axd_send_frame(sp->sess, f);
		axd_flush(sp->sess);
	}
}

/*
 * Forgets sp: its descriptors close and nobody finds it any more.  The
 * memory goes in axd_spawn_collect(), at the next event: a caller up the
 * stack (an emit() that closed the requester, which hung sp up) may
 * still look at sp->dead.
 */
static void
spawn_bury(struct axd_spawn *sp)
{
	struct axd_spawn **pp;

	if (sp->dead) {
		return;
	}
	sp->dead = true;
	for (pp = &spawns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == sp) {
			*pp = sp->next;
			break;
		}
	}
	nspawns--;
	for (int i = 0; i < SP_NFD; i++) {
		fd_close(sp, i);
	}
	if (sp->sess != NULL) {
		axd_stream_remove(sp->sess, &sp->st);
		sp->sess = NULL;
	}
	if (sp->ctl != NULL) {
		struct axd_ctl *c = sp->ctl;

		sp->ctl = NULL;
		axd_ctl_spawn_done(c, sp);
	}
	free(sp->in);
	sp->in = NULL;
	sp->next = graveyard;
	graveyard = sp;
}

void
axd_spawn_collect(void)
{
	while (graveyard != NULL) {
		struct axd_spawn *sp = graveyard;

		graveyard = sp->next;
		free(sp);
	}
}

/* Ends the stream when everything is told: EXIT goes after stdout and
 * stderr reached EOF and the command was reaped.  Returns true if sp is
 * dead. */
static bool
maybe_done(struct axd_spawn *sp)
{
	if (sp->dead) {
		return true;
	}
	if (!sp->reaped) {
		return false;
	}
	if (sp->started && !sp->orphan) {
		struct axon_wire_frame f;

		if (!sp->eof[SP_OUT] || !sp->eof[SP_ERR]) {
			return false;
		}
		memset(&f, 0, sizeof(f));
		f.type = AXON_W_EXIT;
		if (WIFSIGNALED(sp->wstatus)) {
			f.u.exit.signo = WTERMSIG(sp->wstatus);
		} else {
			f.u.exit.code = WEXITSTATUS(sp->wstatus);
		}
		emit(sp, &f);
	}
	spawn_bury(sp);
	return true;
}

static void
send_ack(struct axd_spawn *sp, uint32_t fd, uint32_t bytes)
{
	struct axon_wire_frame f;

	if (bytes == 0) {
		return;
	}
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_STDIO_ACK;
	f.u.ack.fd = fd;
	f.u.ack.bytes = bytes;
	emit(sp, &f);
}

/* The command no longer reads its stdin: what comes is acknowledged and
 * dropped, so that the requester never blocks on it. */
static void
stdin_gone(struct axd_spawn *sp)
{
	send_ack(sp, 0, sp->in_len - sp->in_off);
	sp->in_off = sp->in_len = 0;
	fd_close(sp, SP_IN);
}

/* Writes buffered stdin to the pipe; acknowledges what it took.  Not
 * before SPAWN_OK, which is the first frame of a stream. */
static void
write_stdin(struct axd_spawn *sp)
{
	uint32_t done = 0;

	if (!sp->started) {
		return;
	}
	while (sp->fd[SP_IN] >= 0 && sp->in_off < sp->in_len) {
		ssize_t n = write(sp->fd[SP_IN], sp->in + sp->in_off,
		    sp->in_len - sp->in_off);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			break;
		}
		if (n < 0) {
			send_ack(sp, 0, done);
			done = 0;
			stdin_gone(sp); /* EPIPE: the reader is gone */
			break;
		}
		sp->in_off += (uint32_t) n;
		done += (uint32_t) n;
	}
	send_ack(sp, 0, done);
	if (sp->in_off == sp->in_len) {
		sp->in_off = sp->in_len = 0;
		if (sp->in_eof) {
			fd_close(sp, SP_IN);
		}
	}
}

/* Reads what the window and the requester allow from stdout or stderr.
 * Returns true if sp is dead. */
static bool
read_output(struct axd_spawn *sp, int i)
{
	static uint8_t buf[AXON_WIRE_MAX_DATA];

	for (int rounds = 0; rounds < 4 && sp->fd[i] >= 0 &&
	     (sp->orphan || (sp->win[i] > 0 && room(sp))); rounds++) {
		struct axon_wire_frame f;
		size_t want = sp->orphan || sp->win[i] >= sizeof(buf)
		    ? sizeof(buf)
		    : sp->win[i];
		ssize_t n = read(sp->fd[i], buf, want);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			break;
		}
		if (sp->orphan) {
			if (n <= 0) {
				fd_close(sp, i); /* nobody to tell */
			}
			continue; /* dropped */
		}
		memset(&f, 0, sizeof(f));
		f.type = AXON_W_STDIO;
		f.u.stdio.fd = (uint32_t) i;
		if (n <= 0) {
			/* End of file (or a read error, told the same way). */
			fd_close(sp, i);
			sp->eof[i] = true;
			emit(sp, &f);
			return maybe_done(sp);
		}
		f.data = buf;
		f.data_len = (uint32_t) n;
		sp->win[i] -= (uint32_t) n;
		emit(sp, &f);
		if (sp->orphan) {
			break; /* emitting closed the requester */
		}
	}
	update(sp);
	return sp->dead;
}

/* The exec's outcome, from the status pipe.  Returns true if sp is
 * dead. */
static bool
read_status(struct axd_spawn *sp)
{
	struct axon_wire_frame f;
	int err = 0;
	ssize_t n;

	if (sp->fd[SP_STATUS] < 0) {
		return false;
	}
	do {
		n = read(sp->fd[SP_STATUS], &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN) {
		return false;
	}
	fd_close(sp, SP_STATUS);
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_SPAWN_OK;
	if (n == (ssize_t) sizeof(err) && err > 0) {
		sp->failed = true;
		f.u.spawned.err = axon__wire_errno_out(err);
		axd_log(AXD_DEBUG, "command %d: exec failed: %s", (int) sp->pid,
		    strerror(err));
		sp->in_off = sp->in_len = 0; /* the stream ends: no ACKs */
		fd_close(sp, SP_IN);
		fd_close(sp, SP_OUT);
		fd_close(sp, SP_ERR);
		emit(sp, &f);
		return maybe_done(sp);
	}
	/* EOF: exec closed the pipe (CLOEXEC), the command runs. */
	sp->started = true;
	f.u.spawned.pid = sp->pid;
	emit(sp, &f);
	write_stdin(sp); /* what came before */
	update(sp);
	return sp->dead;
}

static bool
reap(struct axd_spawn *sp)
{
	int st;
	pid_t r;

	do {
		r = waitpid(sp->pid, &st, WNOHANG);
	} while (r < 0 && errno == EINTR);
	if (r == 0) {
		return false;
	}
	sp->reaped = true;
	sp->wstatus = r == sp->pid ? st : 0;
	fd_close(sp, SP_PIDFD);
	/* The status pipe's news was written before the exit. */
	if (!sp->started && !sp->failed && read_status(sp)) {
		return true;
	}
	return maybe_done(sp);
}

void
axd_spawn_event(uint32_t id, unsigned kind, uint32_t events)
{
	struct axd_spawn *sp = spawn_by_id(id);
	int i = (int) (kind - AXD_SVC_SPAWN);

	axd_spawn_collect();
	if (sp == NULL || i < 0 || i >= SP_NFD || sp->fd[i] < 0) {
		return;
	}
	switch (i) {
	case SP_IN:
		write_stdin(sp);
		update(sp);
		break;
	case SP_OUT:
	case SP_ERR:
		(void) read_output(sp, i);
		break;
	case SP_STATUS:
		(void) read_status(sp);
		break;
	case SP_PIDFD:
		(void) reap(sp);
		break;
	default:
		break;
	}
}

int
axd_spawn_input(struct axd_spawn *sp, const struct axon_wire_frame *f)
{
	if (sp->orphan || sp->failed) {
		return 0; /* the stream is over: late frames are dropped */
	}
	switch (f->type) {
	case AXON_W_STDIO:
		if (f->u.stdio.fd != 0 || sp->in_eof) {
			return EPROTO;
		}
		if (f->data_len == 0) {
			sp->in_eof = true;
			if (sp->in_off == sp->in_len) {
				fd_close(sp, SP_IN);
			}
			return 0;
		}
		if (sp->fd[SP_IN] < 0) {
			/* Nobody reads it: acknowledged and dropped. */
			if (f->data_len > AXD_SVC_WINDOW) {
				return EPROTO;
			}
			send_ack(sp, 0, f->data_len);
			return 0;
		}
		/* Unacknowledged stdin is exactly what is buffered here. */
		if (sp->in_len - sp->in_off + f->data_len > AXD_SVC_WINDOW) {
			return EPROTO;
		}
		if (sp->in == NULL) {
			sp->in = malloc(AXD_SVC_WINDOW);
			if (sp->in == NULL) {
				return ENOMEM;
			}
		}
		if (sp->in_len + f->data_len > AXD_SVC_WINDOW) {
			memmove(sp->in, sp->in + sp->in_off,
			    sp->in_len - sp->in_off);
			sp->in_len -= sp->in_off;
			sp->in_off = 0;
		}
		memcpy(sp->in + sp->in_len, f->data, f->data_len);
		sp->in_len += f->data_len;
		write_stdin(sp);
		update(sp);
		return 0;
	case AXON_W_STDIO_ACK:
		if (f->u.ack.fd == 0 ||
		    f->u.ack.bytes > AXD_SVC_WINDOW - sp->win[f->u.ack.fd]) {
			return EPROTO; /* more than was sent */
		}
		sp->win[f->u.ack.fd] += f->u.ack.bytes;
		update(sp);
		return 0;
	case AXON_W_KILL:
		if (!sp->reaped) {
			(void) kill(-sp->pid, f->u.kill.signo);
		}
		return 0;
	default:
		return EPROTO;
	}
}

void
axd_spawn_room(struct axd_spawn *sp)
{
	for (int i = SP_OUT; i <= SP_ERR; i++) {
		if (sp->fd[i] >= 0 && sp->watched[i] == 0 && sp->win[i] > 0 &&
		    read_output(sp, i)) {
			return;
		}
	}
}

void
axd_spawn_hangup(struct axd_spawn *sp)
{
	if (sp->orphan) {
		return;
	}
	sp->orphan = true;
	if (sp->sess != NULL) {
		axd_stream_remove(sp->sess, &sp->st);
		sp->sess = NULL;
	}
	sp->ctl = NULL;
	if (!sp->reaped) {
		axd_log(AXD_DEBUG, "command %d: requester gone: SIGHUP",
		    (int) sp->pid);
		(void) kill(-sp->pid, SIGHUP);
		(void) kill(-sp->pid, SIGCONT); /* a stopped one too */
	}
	sp->in_off = sp->in_len = 0;
	fd_close(sp, SP_IN);
	sp->drain_until = axd_now() + DRAIN_NS;
	if (!maybe_done(sp)) {
		update(sp);
	}
}

void
axd_spawn_tick(uint64_t now)
{
	for (struct axd_spawn *sp = spawns; sp != NULL; sp = sp->next) {
		if (!sp->orphan || now <= sp->drain_until) {
			continue;
		}
		fd_close(sp, SP_OUT);
		fd_close(sp, SP_ERR);
		/* Its slot counts until it is reaped: one that ignores
		 * SIGHUP would keep it, and its user's share, for ever. */
		if (!sp->reaped && !sp->killed) {
			axd_log(AXD_INFO, "command %d: still running %llu ms "
			    "after its requester left: SIGKILL", (int) sp->pid,
			    (unsigned long long) (DRAIN_NS / 1000000u));
			(void) kill(-sp->pid, SIGKILL);
			sp->killed = true;
		}
	}
}

void
axd_spawn_session_gone(struct axd_sess *s)
{
	struct axd_spawn *sp = spawns;

	while (sp != NULL) {
		struct axd_spawn *next = sp->next;

		if (sp->sess == s) {
			/* s's stream list goes with s. */
			sp->st.queued = false;
			axd_spawn_hangup(sp);
		}
		sp = next;
	}
}

void
axd_spawn_stop_all(void)
{
	while (spawns != NULL) {
		struct axd_spawn *sp = spawns;

		axd_spawn_hangup(sp);
		/* Not reaped: whoever inherits it will. */
		spawn_bury(sp);
	}
	axd_spawn_collect();
}

/* ---- starting a command ---- */

/*
 * May one more command run as uid?  Users other than root share
 * AXD_SPAWN_MAX slots, each at most --user-commands of them; root has
 * AXD_SPAWN_ROOT more, so that no user can keep root from acting.
 * A command keeps its slot until it is reaped (spawn_bury).
 */
static bool
spawn_share_ok(uid_t uid)
{
	int users = 0, mine = 0;

	for (const struct axd_spawn *sp = spawns; sp != NULL; sp = sp->next) {
		users += sp->uid != 0;
		mine += sp->uid == uid;
	}
	if (uid == 0) {
		return nspawns < AXD_SPAWN_MAX + AXD_SPAWN_ROOT;
	}
	if ((unsigned) mine >= g.cfg.user_commands || users >= AXD_SPAWN_MAX) {
		axd_log(AXD_DEBUG, "uid %u: no command slot (%d of its own, "
		    "%d of users)", (unsigned) uid, mine, users);
		return false;
	}
	return true;
}

/* Moves fd above the standard descriptors (axond may have been started
 * with some of them closed, and then a pipe could be 0, 1 or 2). */
static int
fd_high(int fd)
{
	return fd > 2 ? fd : fcntl(fd, F_DUPFD, 3);
}

/*
 * In the child, between fork() and exec: only async-signal-safe calls,
 * nothing allocated (axond has other threads).  On failure, errno goes
 * to the status pipe and the child exits 127.
 */
static void __attribute__((noreturn))
child(const struct axd_spawn_req *r, bool set_ids, int in, int out, int err,
    int status)
{
	extern char **environ;
	sigset_t none;
	int e;

	(void) setpgid(0, 0);
	in = fd_high(in);
	out = fd_high(out);
	err = fd_high(err);
	status = fd_high(status);
	if (in < 0 || out < 0 || err < 0 || status < 0) {
		_exit(127);
	}
	if (set_ids && (setgroups(r->ngroups, r->groups) < 0 ||
			   setresgid(r->rgid, r->egid, r->sgid) < 0 ||
			   setresuid(r->ruid, r->euid, r->suid) < 0)) {
		goto fail;
	}
	if (chdir(r->cwd) < 0 && chdir("/") < 0) {
		goto fail;
	}
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP) {
			(void) signal(sig, SIG_DFL); /* SIG_IGN survives exec */
		}
	}
	sigemptyset(&none);
	(void) sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) {
		goto fail;
	}
	/* Every other descriptor closes at exec; the status pipe, too, which
	 * tells the parent that the exec succeeded. */
	if (syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) < 0) {
		struct rlimit rl;
		int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
			rl.rlim_cur < 65536
		    ? (int) rl.rlim_cur
		    : 65536;

		for (int fd = 3; fd < max; fd++) {
			if (fd != status) {
				(void) close(fd);
			}
		}
		(void) fcntl(status, F_SETFD, FD_CLOEXEC);
	}
	/* execvpe() searches the PATH of this process's environment: make
	 * that the command's. */
	environ = (char **) r->envp;
	execvpe(r->argv[0], r->argv, r->envp);
fail:
	e = errno;
	(void) !write(status, &e, sizeof(e));
	_exit(127);
}

static int
pipe_pair(int p[2], bool ours_is_write)
{
	if (pipe2(p, O_CLOEXEC) < 0) {
		return -errno;
	}
	/* Only axond's end is non-blocking; the command's stays as
	 * commands expect it. */
	(void) fcntl(p[ours_is_write ? 1 : 0], F_SETFL, O_NONBLOCK);
	return 0;
}

/*
 * The command's environment: r's, with AXON_RUNDIR set to this node's
 * runtime directory (the command belongs to the node it runs on).
 * Returns a malloc'd array (the strings are r's and rundir_var), or
 * NULL.
 */
static char **
command_env(const struct axd_spawn_req *r, char *rundir_var, size_t cap)
{
	size_t n = 0;
	char **env;

	for (char *const *e = r->envp; *e != NULL; e++) {
		n++;
	}
	env = calloc(n + 2, sizeof(*env));
	if (env == NULL) {
		return NULL;
	}
	n = 0;
	for (char *const *e = r->envp; *e != NULL; e++) {
		if (strncmp(*e, "AXON_RUNDIR=", 12) != 0) {
			env[n++] = *e;
		}
	}
	snprintf(rundir_var, cap, "AXON_RUNDIR=%s", g.rundir);
	env[n] = rundir_var;
	return env;
}

struct axd_spawn *
axd_spawn_new(struct axd_ctl *ctl, struct axd_sess *s, uint32_t stream,
    const struct axd_spawn_req *r, int *ret_err)
{
	int p[4][2] = {{-1, -1}, {-1, -1}, {-1, -1}, {-1, -1}};
	bool set_ids = geteuid() == 0;
	char rundir_var[sizeof(g.rundir) + 16];
	struct axd_spawn_req cr = *r;
	struct axd_spawn *sp;
	pid_t pid;
	int pidfd = -1;
	int err = 0;

	if (!spawn_share_ok(r->euid)) {
		*ret_err = EAGAIN;
		return NULL;
	}
	/* An axond that is not root runs commands for its own user only. */
	if (!set_ids && (r->euid != geteuid() || r->egid != getegid())) {
		*ret_err = EPERM;
		return NULL;
	}
	sp = calloc(1, sizeof(*sp));
	cr.envp = command_env(r, rundir_var, sizeof(rundir_var));
	if (sp == NULL || cr.envp == NULL) {
		free(sp);
		free((void *) cr.envp);
		*ret_err = ENOMEM;
		return NULL;
	}
	for (int i = 0; i < 4 && err == 0; i++) {
		err = -pipe_pair(p[i], i == SP_IN);
	}
	if (err == 0) {
		(void) fcntl(p[SP_STATUS][0], F_SETFL, O_NONBLOCK);
	}
	pid = err == 0 ? fork() : -1;
	if (pid == 0) {
		child(&cr, set_ids, p[SP_IN][0], p[SP_OUT][1], p[SP_ERR][1],
		    p[SP_STATUS][1]);
	}
	free((void *) cr.envp);
	if (pid < 0 && err == 0) {
		err = errno;
	}
	for (int i = 0; i < 4; i++) {
		/* The command's ends; the parent keeps the others. */
		int theirs = p[i][i == SP_IN ? 0 : 1];

		if (theirs >= 0) {
			(void) close(theirs);
		}
	}
	if (pid > 0) {
		(void) setpgid(pid, pid); /* no race with a KILL */
		pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
		if (pidfd < 0) {
			err = errno;
			(void) kill(pid, SIGKILL);
			(void) waitpid(pid, NULL, 0);
		}
	}
	if (err != 0) {
		for (int i = 0; i < 4; i++) {
			int ours = p[i][i == SP_IN ? 1 : 0];

			if (ours >= 0) {
				(void) close(ours);
			}
		}
		free(sp);
		*ret_err = err;
		return NULL;
	}
	do {
		sp->id = ++next_spawn_id;
	} while (sp->id == 0 || spawn_by_id(sp->id) != NULL);
	sp->st.produce = sess_drained;
	sp->ctl = ctl;
	sp->sess = ctl == NULL ? s : NULL;
	sp->stream = stream;
	sp->pid = pid;
	sp->uid = r->euid;
	sp->fd[SP_IN] = p[SP_IN][1];
	sp->fd[SP_OUT] = p[SP_OUT][0];
	sp->fd[SP_ERR] = p[SP_ERR][0];
	sp->fd[SP_STATUS] = p[SP_STATUS][0];
	sp->fd[SP_PIDFD] = pidfd;
	sp->win[SP_OUT] = sp->win[SP_ERR] = AXD_SVC_WINDOW;
	sp->next = spawns;
	spawns = sp;
	nspawns++;
	axd_log(AXD_DEBUG, "command %d started: %s", (int) pid, r->argv[0]);
	update(sp);
	return sp;
}
