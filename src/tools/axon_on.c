/* SPDX-License-Identifier: MIT */
/*
 * axon on -n NODE CMD...: QNX's `on -n`.  One SPAWN stream on axond's
 * control socket (docs/design/wire.md, "Operator services"): SPAWN with
 * conn = the target nd, SPAWN_OK, then STDIO frames both ways, each fd
 * and direction with a 256 KiB window that the receiver reopens with
 * STDIO_ACK once it has passed the bytes on, and EXIT at the end.
 *
 * One poll loop over standard input, standard output and error (only
 * while there is something to write), the socket and a signalfd for
 * SIGINT, SIGTERM and SIGHUP, which are forwarded as KILL.  Standard
 * output and error stay blocking (they may be shared with other
 * processes); a write after POLLOUT is kept to PIPE_BUF bytes on pipes
 * and sockets so that it does not block.  Output bytes are acknowledged
 * once written: a slow reader slows the command, as with a local pipe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/neutrino.h>

#include "axon.h"

const char axon_on_usage[] =
    "usage: axon on -n NODE [--] COMMAND [ARGS...]\n"
    "\n"
    "Runs COMMAND on node NODE, through the axonds of both nodes, in\n"
    "this process's working directory and with its environment (but\n"
    "NODE's AXON_RUNDIR), as this user (mapped as for messages, see\n"
    "axond(8)).  Standard input, output and error are forwarded; SIGINT,\n"
    "SIGTERM and SIGHUP are passed on to the command.  COMMAND is looked\n"
    "up in PATH on NODE.\n"
    "\n"
    "  -n, --node NODE   the node to run on (this node's own name runs\n"
    "                    the command here, through axond)\n"
    "  -h, --help        this help\n"
    "\n"
    "Exit status: the command's; 128+N if signal N killed it; 255 if it\n"
    "could not be started, the node was lost, or on a usage error.\n";

#define WINDOW   (256u * 1024u) /* bytes in flight per fd and direction */
#define OUTQ_LOW (64u * 1024u)  /* read stdin only below this backlog */
#define SPAWN_TIMEOUT_MS 30000  /* for SPAWN_OK */
#define STREAM_CONN 1u          /* conn of our later frames (ignored) */

struct outfd {
	int fd;
	uint8_t *buf; /* WINDOW bytes */
	size_t len;
	size_t unacked; /* written (or dropped), not yet acknowledged */
	bool small;     /* pipe or socket: write at most PIPE_BUF */
	bool broken;    /* EPIPE or another error: drop what comes */
	bool eof;
};

struct on_state {
	const char *node;
	const char *cmd;
	int sock;
	int sigfd;
	/* socket input */
	uint8_t *in;
	size_t in_len;
	/* socket output (frames) */
	uint8_t *outq;
	size_t outq_len, outq_cap;
	/* stdin */
	bool in_eof;       /* EOF sent (or stdin unusable) */
	size_t in_window;  /* bytes we may still send */
	/* stdout, stderr */
	struct outfd out[3]; /* [1] and [2] */
	bool in_bad;       /* no stdin: send EOF once started */
	bool started;
	pid_t pid;
	bool sent_sigpipe;
	bool exited;
	int code, signo;
	int lost_err; /* why axond says the stream broke, or 0 */
};

static int
queue_frame(struct on_state *s, const struct axon_wire_frame *f)
{
	size_t need = s->outq_len + AXON_WIRE_HDR_SIZE + 256 + f->data_len;
	long n;

	if (need > s->outq_cap) {
		size_t nc = s->outq_cap == 0 ? 65536 : s->outq_cap;
		uint8_t *nq;

		while (nc < need) {
			nc *= 2;
		}
		nq = realloc(s->outq, nc);
		if (nq == NULL) {
			return -ENOMEM;
		}
		s->outq = nq;
		s->outq_cap = nc;
	}
	n = axon__wire_encode(f, s->outq + s->outq_len,
	    s->outq_cap - s->outq_len);
	if (n < 0) {
		return (int) n;
	}
	s->outq_len += (size_t) n;
	return 0;
}

static int
queue_kill(struct on_state *s, int signo)
{
	struct axon_wire_frame f = {.type = AXON_W_KILL, .conn = STREAM_CONN};

	f.u.kill.signo = signo;
	return queue_frame(s, &f);
}

static int
queue_acks(struct on_state *s)
{
	for (int fd = 1; fd <= 2; fd++) {
		struct outfd *o = &s->out[fd];

		if (o->unacked > 0) {
			struct axon_wire_frame f = {.type = AXON_W_STDIO_ACK,
			    .conn = STREAM_CONN};
			int rc;

			f.u.ack.fd = (uint32_t) fd;
			f.u.ack.bytes = (uint32_t) o->unacked;
			rc = queue_frame(s, &f);
			if (rc < 0) {
				return rc;
			}
			o->unacked = 0;
		}
	}
	return 0;
}

/* AXON_RUNDIR names this node's runtime directory: the command belongs
 * to its own node, whose axond gives it that node's. */
static bool
env_sent(const char *e)
{
	return strncmp(e, "AXON_RUNDIR=", 12) != 0;
}

/* The SPAWN frame's data: cwd, argv, environment, NUL-terminated. */
static int
spawn_frame(char **argv, int argc, uint32_t nd, struct axon_wire_frame *f,
    uint8_t **ret_data)
{
	extern char **environ;
	char cwd[PATH_MAX];
	size_t total = 0, count = (size_t) argc;
	size_t envc = 0;
	uint8_t *data, *p;

	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		snprintf(cwd, sizeof(cwd), "/");
	}
	for (char **e = environ; e != NULL && *e != NULL; e++) {
		envc += env_sent(*e);
	}
	count += envc;
	total = strlen(cwd) + 1;
	for (int i = 0; i < argc; i++) {
		total += strlen(argv[i]) + 1;
	}
	for (char **e = environ; e != NULL && *e != NULL; e++) {
		total += env_sent(*e) ? strlen(*e) + 1 : 0;
	}
	if (count > AXON_WIRE_SPAWN_STRINGS || total > AXON_WIRE_MAX_DATA) {
		return -E2BIG;
	}
	data = malloc(total);
	if (data == NULL) {
		return -ENOMEM;
	}
	p = data;
	p = (uint8_t *) stpcpy((char *) p, cwd) + 1;
	for (int i = 0; i < argc; i++) {
		p = (uint8_t *) stpcpy((char *) p, argv[i]) + 1;
	}
	for (char **e = environ; e != NULL && *e != NULL; e++) {
		if (env_sent(*e)) {
			p = (uint8_t *) stpcpy((char *) p, *e) + 1;
		}
	}
	memset(f, 0, sizeof(*f));
	f->type = AXON_W_SPAWN;
	f->conn = nd;
	f->u.spawn.argc = (uint32_t) argc;
	f->u.spawn.envc = (uint32_t) envc;
	f->data = data;
	f->data_len = (uint32_t) total;
	*ret_data = data;
	return 0;
}

/* Writes what o holds (one write, bounded on pipes); blocking if all. */
static void
flush_out(struct on_state *s, struct outfd *o, bool all)
{
	while (o->len > 0) {
		size_t n = o->len;
		ssize_t w;

		if (o->broken) {
			o->unacked += o->len;
			o->len = 0;
			break;
		}
		if (!all && o->small && n > PIPE_BUF) {
			n = PIPE_BUF;
		}
		w = write(o->fd, o->buf, n);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w < 0 && errno == EAGAIN) {
			if (!all) {
				break;
			}
			struct pollfd p = {.fd = o->fd, .events = POLLOUT};
			(void) poll(&p, 1, 100);
			continue;
		}
		if (w <= 0) {
			/* The reader went away (EPIPE) or the fd is unusable:
			 * a local command would die of SIGPIPE, so pass it on,
			 * and drop what comes (acknowledged, so that the
			 * command is not held up). */
			if (w < 0 && errno == EPIPE && !s->sent_sigpipe &&
			    s->started && !s->exited) {
				s->sent_sigpipe = true;
				(void) queue_kill(s, SIGPIPE);
			}
			o->broken = true;
			continue;
		}
		memmove(o->buf, o->buf + w, o->len - (size_t) w);
		o->len -= (size_t) w;
		o->unacked += (size_t) w;
		if (!all) {
			break;
		}
	}
}

/* Handles one frame from axond.  Returns 0, 1 (the stream ended), or a
 * negative errno (-EPROTO: a frame that breaks the protocol). */
static int
on_frame(struct on_state *s, const struct axon_wire_frame *f)
{
	switch (f->type) {
	case AXON_W_SPAWN_OK:
		if (s->started && f->u.spawned.err != 0) {
			/* axond's word that the stream broke after the start
			 * (the node was lost): as if it had closed. */
			s->lost_err = axon__wire_errno_in(f->u.spawned.err);
			return -ECONNRESET;
		}
		if (s->started) {
			return -EPROTO;
		}
		if (f->u.spawned.err != 0) {
			int err = axon__wire_errno_in(f->u.spawned.err);
			bool node_err = err == EHOSTUNREACH ||
			    err == EHOSTDOWN || err == ENETUNREACH ||
			    err == ETIMEDOUT || err == ECONNREFUSED ||
			    err == ENOREMOTE;

			/* The node could not be reached, or the command
			 * could not be started there. */
			axon_err("%s: %s", node_err ? s->node : s->cmd,
			    strerror(err));
			return -ECANCELED;
		}
		s->started = true;
		s->pid = f->u.spawned.pid;
		if (s->in_bad) {
			struct axon_wire_frame eof = {.type = AXON_W_STDIO,
			    .conn = STREAM_CONN};

			s->in_eof = true;
			return queue_frame(s, &eof);
		}
		return 0;
	case AXON_W_STDIO: {
		struct outfd *o;

		if (!s->started || f->u.stdio.fd == 0) {
			return -EPROTO;
		}
		o = &s->out[f->u.stdio.fd];
		if (f->data_len == 0) {
			o->eof = true;
			return 0;
		}
		if (o->len + o->unacked + f->data_len > WINDOW) {
			return -EPROTO; /* beyond the window */
		}
		memcpy(o->buf + o->len, f->data, f->data_len);
		o->len += f->data_len;
		if (o->broken) {
			flush_out(s, o, false);
		}
		return 0;
	}
	case AXON_W_STDIO_ACK:
		if (f->u.ack.fd != 0) {
			return -EPROTO;
		}
		s->in_window += f->u.ack.bytes;
		if (s->in_window > WINDOW) {
			return -EPROTO;
		}
		return 0;
	case AXON_W_EXIT:
		s->exited = true;
		s->code = f->u.exit.code;
		s->signo = f->u.exit.signo;
		return 1;
	default:
		return -EPROTO;
	}
}

/* Reads from the socket and handles every complete frame. */
static int
on_sock_in(struct on_state *s)
{
	ssize_t n;
	size_t off = 0;
	int rc = 0;

	n = recv(s->sock, s->in + s->in_len, 2 * AXC_FRAME_MAX - s->in_len,
	    MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return 0;
	}
	if (n < 0) {
		return errno == ECONNRESET ? -ECONNRESET : -errno;
	}
	if (n == 0) {
		return -ECONNRESET;
	}
	s->in_len += (size_t) n;
	while (rc == 0) {
		struct axon_wire_frame f;
		long used = axon__wire_decode(s->in + off, s->in_len - off, &f);

		if (used == 0) {
			break;
		}
		if (used < 0) {
			return -EPROTO;
		}
		off += (size_t) used;
		rc = on_frame(s, &f);
	}
	memmove(s->in, s->in + off, s->in_len - off);
	s->in_len -= off;
	return rc;
}

static int
on_sock_out(struct on_state *s)
{
	while (s->outq_len > 0) {
		ssize_t n = send(s->sock, s->outq, s->outq_len,
		    MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			return 0;
		}
		if (n < 0) {
			return errno == EPIPE ? -ECONNRESET : -errno;
		}
		memmove(s->outq, s->outq + n, s->outq_len - (size_t) n);
		s->outq_len -= (size_t) n;
	}
	return 0;
}

static int
on_stdin(struct on_state *s)
{
	static uint8_t buf[AXON_WIRE_MAX_DATA];
	struct axon_wire_frame f = {.type = AXON_W_STDIO, .conn = STREAM_CONN};
	size_t want = s->in_window < sizeof(buf) ? s->in_window : sizeof(buf);
	ssize_t n = read(STDIN_FILENO, buf, want);

	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		return 0;
	}
	f.u.stdio.fd = 0;
	if (n <= 0) {
		/* End of file, or an error reading (also an end). */
		s->in_eof = true;
		return queue_frame(s, &f);
	}
	f.data = buf;
	f.data_len = (uint32_t) n;
	s->in_window -= (size_t) n;
	return queue_frame(s, &f);
}

static int
on_signal(struct on_state *s)
{
	struct signalfd_siginfo si;

	if (read(s->sigfd, &si, sizeof(si)) != (ssize_t) sizeof(si)) {
		return 0;
	}
	if (s->started) {
		return queue_kill(s, (int) si.ssi_signo);
	}
	/* Not started yet: give up, as if the signal had killed it; closing
	 * the connection tells axond (a command that started meanwhile gets
	 * SIGHUP). */
	s->signo = (int) si.ssi_signo;
	return 1;
}

/* The poll loop, until EXIT (or a signal before the command started)
 * or a failure.  Returns 0 then, or a negative errno (-ECANCELED:
 * already reported). */
static int
on_loop(struct on_state *s)
{
	uint64_t spawn_deadline = axc_now() + SPAWN_TIMEOUT_MS * 1000000ull;

	for (;;) {
		struct pollfd p[5];
		int np = 0, i_sock, i_sig, i_in = -1, i_out[3] = {-1, -1, -1};
		int timeout = -1;
		int rc;

		rc = queue_acks(s);
		if (rc < 0) {
			return rc;
		}
		i_sock = np;
		p[np++] = (struct pollfd){.fd = s->sock, .events = POLLIN |
			(s->outq_len > 0 ? POLLOUT : 0)};
		i_sig = np;
		p[np++] = (struct pollfd){.fd = s->sigfd, .events = POLLIN};
		if (s->started && !s->in_eof && s->in_window > 0 &&
		    s->outq_len < OUTQ_LOW) {
			i_in = np;
			p[np++] = (struct pollfd){.fd = STDIN_FILENO,
			    .events = POLLIN};
		}
		for (int fd = 1; fd <= 2; fd++) {
			if (s->out[fd].len > 0) {
				i_out[fd] = np;
				p[np++] = (struct pollfd){.fd = fd,
				    .events = POLLOUT};
			}
		}
		if (!s->started) {
			uint64_t now = axc_now();

			if (now >= spawn_deadline) {
				axon_err("%s: no answer from axond", s->node);
				return -ECANCELED;
			}
			timeout = (int) ((spawn_deadline - now) / 1000000) + 1;
		}
		rc = poll(p, (nfds_t) np, timeout);
		if (rc < 0 && errno == EINTR) {
			continue;
		}
		if (rc < 0) {
			return -errno;
		}
		if (p[i_sig].revents & POLLIN) {
			rc = on_signal(s);
			if (rc != 0) {
				return rc > 0 ? 0 : rc;
			}
		}
		for (int fd = 1; fd <= 2; fd++) {
			if (i_out[fd] >= 0 && p[i_out[fd]].revents != 0) {
				flush_out(s, &s->out[fd], false);
			}
		}
		if (i_in >= 0 && p[i_in].revents != 0) {
			rc = on_stdin(s);
			if (rc < 0) {
				return rc;
			}
		}
		/* What axond said first: a frame that explains why it then
		 * closed is read before a write can fail on the close. */
		if (p[i_sock].revents & (POLLIN | POLLHUP | POLLERR)) {
			rc = on_sock_in(s);
			if (rc == 1) {
				return 0; /* EXIT */
			}
			if (rc < 0) {
				return rc;
			}
		}
		if (s->outq_len > 0) {
			rc = on_sock_out(s);
			if (rc == -ECONNRESET) {
				/* Closed: take what it sent before (briefly). */
				struct pollfd q = {.fd = s->sock,
				    .events = POLLIN};

				rc = -ECONNRESET;
				for (int i = 0; i < 100 && poll(&q, 1, 1000) == 1;
				    i++) {
					rc = on_sock_in(s);
					if (rc != 0) {
						break;
					}
					rc = -ECONNRESET;
				}
				return rc == 1 ? 0 : rc;
			}
			if (rc < 0) {
				return rc;
			}
		}
	}
}

static void
out_init(struct outfd *o, int fd)
{
	struct stat st;

	o->fd = fd;
	o->buf = malloc(WINDOW);
	if (fstat(fd, &st) < 0) {
		o->broken = true; /* closed: drop the command's output */
	} else {
		o->small = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
	}
}

int
cmd_on(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"node", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct on_state s = {.sock = -1, .sigfd = -1, .in_window = WINDOW};
	struct axon_wire_frame f;
	char rundir[256];
	const char *node = NULL;
	uint8_t *data = NULL;
	sigset_t sigs;
	int nd, c;
	int rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			node = optarg;
			break;
		case 'h':
			return axon_help(axon_on_usage);
		default:
			axon_opt_err(c, argv);
			return AXON_EXIT_ONERR;
		}
	}
	if (node == NULL) {
		axon_usage_err("-n NODE is missing");
		return AXON_EXIT_ONERR;
	}
	if (optind >= argc) {
		axon_usage_err("COMMAND is missing");
		return AXON_EXIT_ONERR;
	}
	if (argv[optind][0] == '\0') {
		axon_usage_err("COMMAND is empty");
		return AXON_EXIT_ONERR;
	}
	s.node = node;
	s.cmd = argv[optind];
	nd = axon_node_nd(node);
	if (nd < 0) {
		return AXON_EXIT_ONERR;
	}
	if (axon_rundir(rundir, sizeof(rundir)) < 0) {
		axon_err("AXON_RUNDIR is too long");
		return AXON_EXIT_ONERR;
	}
	rc = spawn_frame(argv + optind, argc - optind, (uint32_t) nd, &f,
	    &data);
	if (rc < 0) {
		axon_err("%s: %s (the arguments, environment and working "
			 "directory must fit in %u bytes)",
		    s.cmd, strerror(-rc), AXON_WIRE_MAX_DATA);
		return AXON_EXIT_ONERR;
	}
	s.sock = axc_connect(rundir);
	if (s.sock < 0) {
		if (s.sock == -ENOENT || s.sock == -ECONNREFUSED) {
			axon_err("axond is not running on this node (%s)",
			    rundir);
		} else {
			axon_err("%s/axond.sock: %s", rundir, strerror(-s.sock));
		}
		free(data);
		return AXON_EXIT_ONERR;
	}
	(void) signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	(void) sigprocmask(SIG_BLOCK, &sigs, NULL);
	s.sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	s.in = malloc(2 * AXC_FRAME_MAX);
	out_init(&s.out[1], STDOUT_FILENO);
	out_init(&s.out[2], STDERR_FILENO);
	if (s.sigfd < 0 || s.in == NULL || s.out[1].buf == NULL ||
	    s.out[2].buf == NULL) {
		rc = s.sigfd < 0 ? -errno : -ENOMEM;
	} else {
		/* No stdin: end of file at once. */
		s.in_bad = fcntl(STDIN_FILENO, F_GETFD) < 0;
		rc = queue_frame(&s, &f);
		if (rc == 0) {
			rc = on_loop(&s);
		}
	}
	free(data);
	/* What the command wrote before it ended goes out first. */
	flush_out(&s, &s.out[1], true);
	flush_out(&s, &s.out[2], true);
	if (rc == -ECONNRESET && s.lost_err != 0) {
		axon_err("lost the connection to node %s (%s)", node,
		    strerror(s.lost_err));
	} else if (rc == -ECONNRESET) {
		axon_err(s.started ? "lost the connection to node %s"
				   : "%s: axond closed the connection",
		    node);
	} else if (rc == -EPROTO) {
		axon_err("%s: malformed or unexpected frame from axond", node);
	} else if (rc < 0 && rc != -ECANCELED) {
		axon_err("%s: %s", node, strerror(-rc));
	}
	(void) close(s.sock);
	if (s.sigfd >= 0) {
		(void) close(s.sigfd);
	}
	free(s.in);
	free(s.outq);
	free(s.out[1].buf);
	free(s.out[2].buf);
	if (rc < 0) {
		return AXON_EXIT_ONERR;
	}
	return s.signo != 0 ? 128 + s.signo : s.code;
}
