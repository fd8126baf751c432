/* SPDX-License-Identifier: MIT */
/*
 * axond's operator services (issue 4): the control socket, `nodes`,
 * `ps` here and on another node, and commands run here and there
 * (`axon on`) with their stdin, stdout, stderr, exit status, signals,
 * credentials and failures.  Real axonds on loopback (net_test.h); the
 * client below speaks the control-socket protocol with the wire codec,
 * as the axon command does.
 */
#include "net_peer.h"
#include "attack.h"

#include <poll.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "config.h"
#include "axon_spi.h" /* axon__proc_start_time */
#include "psinfo.h"
#include "wire.h"

#define WINDOW (256u << 10)

/* ---- a control-socket client ---- */

struct cli {
	int fd;
	uint8_t buf[2 * (AXON_WIRE_HDR_SIZE + AXON_WIRE_MAX_BODY)];
	size_t len;
	size_t used; /* bytes of the frame last returned */
};

static int
cli_connect(int node)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/axond.sock",
	    axn[node].rundir);
	if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
cli_open(struct cli *c, int node)
{
	memset(c, 0, sizeof(*c));
	c->fd = cli_connect(node);
	ck_assert_msg(c->fd >= 0, "cannot connect to %s's axond.sock",
	    axn[node].name);
}

static void
cli_close(struct cli *c)
{
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}

static void
write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		ck_assert_int_gt(w, 0);
		p += w;
		n -= (size_t) w;
	}
}

static void
cli_send(struct cli *c, const struct axon_wire_frame *f)
{
	static uint8_t out[AXON_WIRE_HDR_SIZE + AXON_WIRE_MAX_BODY];
	long n = axon__wire_encode(f, out, sizeof(out));

	ck_assert_int_gt(n, 0);
	write_all(c->fd, out, (size_t) n);
}

/* The next frame within ms: 1 (f->data valid until the next call), 0 at
 * end of file, -1 on timeout. */
static int
cli_next(struct cli *c, struct axon_wire_frame *f, int ms)
{
	double end = axt_now() + ms / 1000.0;

	memmove(c->buf, c->buf + c->used, c->len - c->used);
	c->len -= c->used;
	c->used = 0;
	for (;;) {
		long n = axon__wire_decode(c->buf, c->len, f);
		struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
		int left = (int) ((end - axt_now()) * 1000);
		ssize_t r;

		ck_assert_int_ge(n, 0);
		if (n > 0) {
			c->used = (size_t) n;
			return 1;
		}
		if (left <= 0 || poll(&pfd, 1, left) == 0) {
			return -1;
		}
		r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (r <= 0) {
			return 0;
		}
		c->len += (size_t) r;
	}
}

static int
ms(int base)
{
	return (int) (base * axn_scale());
}

/* PS_REQ or NODES_REQ to node nd as `node` names it; the answer's text
 * (malloc'd) or its error. */
static int
request(struct cli *c, uint8_t type, uint32_t nd, uint32_t msg, char **text,
    size_t *len)
{
	struct axon_wire_frame f;
	size_t cap = 0;

	memset(&f, 0, sizeof(f));
	f.type = type;
	f.conn = nd;
	f.msg = msg;
	cli_send(c, &f);
	*text = NULL;
	*len = 0;
	for (;;) {
		ck_assert_int_eq(cli_next(c, &f, ms(10000)), 1);
		ck_assert_int_eq(f.type, type + 1);
		ck_assert_uint_eq(f.msg, msg);
		ck_assert_uint_eq(f.conn, nd);
		if (f.u.ans.err != 0) {
			free(*text);
			*text = NULL;
			ck_assert(f.flags & AXON_WF_LAST);
			return axon__wire_errno_in(f.u.ans.err);
		}
		ck_assert_uint_eq(f.offset, *len);
		ck_assert_int_eq(!!(f.flags & AXON_WF_FIRST), *len == 0);
		if (*len + f.data_len + 1 > cap) {
			cap = *len + f.data_len + 1;
			*text = realloc(*text, cap);
			ck_assert_ptr_nonnull(*text);
		}
		memcpy(*text + *len, f.data, f.data_len);
		*len += f.data_len;
		(*text)[*len] = '\0';
		if (f.flags & AXON_WF_LAST) {
			return 0;
		}
	}
}

/* ---- running commands ---- */

struct run {
	/* in */
	const char *const *argv;
	const char *const *envp;  /* NULL: PATH only */
	const char *cwd;          /* NULL: "/" */
	const uint8_t *in;        /* stdin; NULL: EOF at once */
	size_t in_len;
	bool keep_stdin;          /* leave stdin open */
	int kill_signo;           /* KILL this once started */
	const char *until;        /* return once stdout has this */
	int timeout_ms;
	/* out */
	int spawn_err;            /* SPAWN_OK's err */
	int pid;
	bool exited;
	int code, signo;
	int broken;               /* err of a second SPAWN_OK */
	bool eof;                 /* the connection closed */
	bool eof_fd[3];
	uint8_t *out[3];
	size_t out_len[3];
};

static void
run_send_spawn(struct cli *c, uint32_t nd, struct run *r)
{
	static const char *const path_only[] = {"PATH=/usr/bin:/bin", NULL};
	const char *const *envp = r->envp != NULL ? r->envp : path_only;
	static uint8_t data[AXON_WIRE_MAX_DATA];
	struct axon_wire_frame f;
	size_t n = 0;
	uint32_t argc = 0, envc = 0;

	memset(&f, 0, sizeof(f));
	n = (size_t) snprintf((char *) data, sizeof(data), "%s",
	    r->cwd != NULL ? r->cwd : "/") + 1;
	for (; r->argv[argc] != NULL; argc++) {
		size_t l = strlen(r->argv[argc]) + 1;

		memcpy(data + n, r->argv[argc], l);
		n += l;
	}
	for (; envp[envc] != NULL; envc++) {
		size_t l = strlen(envp[envc]) + 1;

		memcpy(data + n, envp[envc], l);
		n += l;
	}
	f.type = AXON_W_SPAWN;
	f.conn = nd;
	f.flags = AXON_WF_FIRST | AXON_WF_LAST;
	f.u.spawn.argc = argc;
	f.u.spawn.envc = envc;
	f.u.spawn.cred.ruid = 12345; /* ignored: axond asks the kernel */
	f.data = data;
	f.data_len = (uint32_t) n;
	cli_send(c, &f);
}

static void
stdio_send(struct cli *c, const uint8_t *p, uint32_t n)
{
	struct axon_wire_frame f;

	memset(&f, 0, sizeof(f));
	f.type = AXON_W_STDIO;
	f.conn = 1;
	f.u.stdio.fd = 0;
	f.data = p;
	f.data_len = n;
	cli_send(c, &f);
}

static void
kill_send(struct cli *c, int signo)
{
	struct axon_wire_frame f;

	memset(&f, 0, sizeof(f));
	f.type = AXON_W_KILL;
	f.conn = 1;
	f.u.kill.signo = signo;
	cli_send(c, &f);
}

/*
 * Runs the stream of r on c until EXIT, a failed start, a broken
 * stream, the connection's end, r->until, or the timeout (a failure).
 * Acknowledges stdout and stderr as they come; sends stdin within its
 * window.
 */
static void
run_loop(struct cli *c, struct run *r)
{
	size_t in_off = 0;
	uint32_t in_win = WINDOW;
	bool in_done = r->in == NULL && !r->keep_stdin;
	double end = axt_now() + ms(r->timeout_ms ? r->timeout_ms : 20000) /
	    1000.0;

	if (in_done) {
		stdio_send(c, NULL, 0);
	}
	for (;;) {
		struct axon_wire_frame f;
		int rc;

		while (!in_done && r->in != NULL && in_win > 0) {
			size_t n = r->in_len - in_off;

			if (n > in_win) {
				n = in_win;
			}
			if (n > AXON_WIRE_MAX_DATA) {
				n = AXON_WIRE_MAX_DATA;
			}
			stdio_send(c, r->in + in_off, (uint32_t) n);
			in_off += n;
			in_win -= (uint32_t) n;
			if (in_off == r->in_len) {
				stdio_send(c, NULL, 0);
				in_done = true;
			}
		}
		ck_assert_msg(axt_now() < end, "command timed out");
		rc = cli_next(c, &f, 100);
		if (rc < 0) {
			continue;
		}
		if (rc == 0) {
			r->eof = true;
			return;
		}
		/* SPAWN_OK is the first frame of a stream. */
		ck_assert(f.type == AXON_W_SPAWN_OK || r->pid != 0);
		switch (f.type) {
		case AXON_W_SPAWN_OK:
			if (r->pid != 0 || r->spawn_err != 0) {
				/* the stream broke */
				ck_assert_int_ne(f.u.spawned.err, 0);
				r->broken = axon__wire_errno_in(f.u.spawned.err);
				break;
			}
			r->pid = f.u.spawned.pid;
			if (f.u.spawned.err != 0) {
				r->spawn_err =
				    axon__wire_errno_in(f.u.spawned.err);
				return;
			}
			if (r->kill_signo != 0) {
				kill_send(c, r->kill_signo);
			}
			break;
		case AXON_W_STDIO: {
			uint32_t fd = f.u.stdio.fd;

			ck_assert(fd == 1 || fd == 2);
			ck_assert(!r->eof_fd[fd]);
			if (f.data_len == 0) {
				r->eof_fd[fd] = true;
				break;
			}
			r->out[fd] = realloc(r->out[fd],
			    r->out_len[fd] + f.data_len + 1);
			ck_assert_ptr_nonnull(r->out[fd]);
			memcpy(r->out[fd] + r->out_len[fd], f.data, f.data_len);
			r->out_len[fd] += f.data_len;
			r->out[fd][r->out_len[fd]] = '\0';
			f.type = AXON_W_STDIO_ACK;
			f.conn = 1;
			f.u.ack.fd = fd;
			f.u.ack.bytes = f.data_len;
			f.data = NULL;
			f.data_len = 0;
			cli_send(c, &f);
			if (r->until != NULL && fd == 1 &&
			    strstr((char *) r->out[1], r->until) != NULL) {
				return;
			}
			break;
		}
		case AXON_W_STDIO_ACK:
			ck_assert_uint_eq(f.u.ack.fd, 0);
			in_win += f.u.ack.bytes;
			ck_assert_uint_le(in_win, WINDOW);
			break;
		case AXON_W_EXIT:
			/* Only after stdout and stderr ended. */
			ck_assert(r->eof_fd[1] && r->eof_fd[2]);
			r->exited = true;
			r->code = f.u.exit.code;
			r->signo = f.u.exit.signo;
			return;
		default:
			ck_abort_msg("unexpected frame type %d", f.type);
		}
		if (r->broken != 0) {
			return;
		}
	}
}

static void
run_free(struct run *r)
{
	for (int i = 0; i < 3; i++) {
		free(r->out[i]);
		r->out[i] = NULL;
	}
}

/* Runs r on node `node` for node nd (0: that node itself). */
static void
run_on(int node, uint32_t nd, struct run *r)
{
	struct cli c;

	cli_open(&c, node);
	run_send_spawn(&c, nd, r);
	run_loop(&c, r);
	cli_close(&c);
}

static const char *
out_of(const struct run *r, int fd)
{
	return r->out[fd] != NULL ? (const char *) r->out[fd] : "";
}

/* ---- fixtures ---- */

static void
svc_setup(void)
{
	axn_setup(2);
}

static void
svc_teardown(void)
{
	axn_teardown();
}

/* Both nodes up; returns the nd alpha uses for beta. */
static uint32_t
two_up(void)
{
	axn_start(0);
	axn_start(1);
	ck_assert(axn_wait_state(0, 1, "up", 5000));
	ck_assert(axn_wait_state(1, 0, "up", 5000));
	return (uint32_t) axn_nd(0, 1);
}

/* Waits (bounded) until node i no longer sees node k up. */
static bool
wait_not_up(int i, int k)
{
	for (int t = 0; t < ms(5000) / 20; t++) {
		if (!axn_wait_state(i, k, "up", 10)) {
			return true;
		}
		axt_sleep_ms(10);
	}
	return false;
}

/* Descriptors open in process pid (which must exist). */
static int
fd_count_of(pid_t pid)
{
	int n = axn_fd_count(pid);

	ck_assert_int_ge(n, 0);
	return n;
}

/* Waits (bounded) until node i's axond has at most want descriptors
 * open (its other parts open some for a moment now and then). */
static int
fd_settle_of(int i, int want)
{
	int n = fd_count_of(axn[i].pid);

	for (int t = 0; t < ms(3000) / 10 && n > want; t++) {
		axt_sleep_ms(10);
		n = fd_count_of(axn[i].pid);
	}
	return n;
}

/* Waits (bounded) until pid is gone (reaped by its axond). */
static bool
pid_gone(pid_t pid, int wait_ms)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", (int) pid);
	for (int t = 0; t < ms(wait_ms) / 10; t++) {
		if (access(path, F_OK) < 0) {
			return true;
		}
		axt_sleep_ms(10);
	}
	return false;
}

/* ---- nodes ---- */

START_TEST(test_nodes)
{
	uint32_t nd = two_up();
	struct run r = {.argv = (const char *const[]) {"true", NULL}};
	unsigned long long v[5];
	char name[64], state[32], addr[128];
	struct cli c;
	char *text;
	size_t len;
	int got_nd;

	run_on(0, nd, &r); /* traffic both ways */
	ck_assert(r.exited);
	run_free(&r);
	cli_open(&c, 0);
	ck_assert_int_eq(request(&c, AXON_W_NODES_REQ, 0, 1, &text, &len), 0);
	ck_assert_uint_eq(strlen(text), len);
	ck_assert_msg(strncmp(text, "self alpha\n", 11) == 0, "%s", text);
	ck_assert_int_eq(sscanf(text + 11, "node %d %63s %31s %llu %llu %llu "
					   "%llu %llu %127s",
			     &got_nd, name, state, &v[0], &v[1], &v[2], &v[3],
			     &v[4], addr),
	    9);
	ck_assert_int_eq(got_nd, (int) nd);
	ck_assert_str_eq(name, "beta");
	ck_assert_str_eq(state, "up");
	for (int i = 1; i < 5; i++) {
		ck_assert_msg(v[i] > 0, "counter %d is 0: %s", i, text);
	}
	char want[64];
	snprintf(want, sizeof(want), "127.0.0.1:%d", axn[1].port);
	ck_assert_str_eq(addr, want);
	/* exactly three lines (self, node, found), each ending in a
	 * newline */
	int lines = 0;
	for (size_t i = 0; i < len; i++) {
		lines += text[i] == '\n';
	}
	ck_assert_int_eq(lines, 3);
	/* How beta was found: a --peer with a numeric address. */
	snprintf(want, sizeof(want), "\nfound %d static\n", (int) nd);
	ck_assert_msg(strstr(text, want) != NULL, "%s", text);
	ck_assert_int_eq(text[len - 1], '\n');
	free(text);

	/* Two requests in flight on one connection; answered by msg. */
	struct axon_wire_frame f;
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_NODES_REQ;
	f.msg = 10;
	cli_send(&c, &f);
	f.msg = 11;
	cli_send(&c, &f);
	ck_assert_int_eq(cli_next(&c, &f, ms(5000)), 1);
	ck_assert_uint_eq(f.msg, 10);
	ck_assert_int_eq(cli_next(&c, &f, ms(5000)), 1);
	ck_assert_uint_eq(f.msg, 11);
	cli_close(&c);

	/* A peer that is down is listed as such. */
	axn_kill(1, SIGKILL);
	ck_assert(wait_not_up(0, 1));
	cli_open(&c, 0);
	ck_assert_int_eq(request(&c, AXON_W_NODES_REQ, 0, 1, &text, &len), 0);
	ck_assert_msg(strstr(text, " beta up ") == NULL, "%s", text);
	free(text);
	cli_close(&c);
}
END_TEST

/* ---- ps ---- */

static bool
ps_has(const char *text, size_t len, pid_t pid)
{
	struct axon_ps_list l;
	bool found = false;

	ck_assert_int_eq(axon__ps_parse((const uint8_t *) text, len, &l), 0);
	for (size_t i = 0; i < l.n; i++) {
		found = found || l.procs[i].pid == pid;
	}
	axon__ps_free(&l);
	return found;
}

START_TEST(test_ps)
{
	uint32_t nd = two_up();
	struct cli c;
	char *text;
	size_t len;

	cli_open(&c, 0);
	/* This node: its axond is an Axon process. */
	ck_assert_int_eq(request(&c, AXON_W_PS_REQ, 0, 5, &text, &len), 0);
	ck_assert(ps_has(text, len, axn[0].pid));
	ck_assert(!ps_has(text, len, axn[1].pid));
	free(text);
	/* The other node, through the session. */
	ck_assert_int_eq(request(&c, AXON_W_PS_REQ, nd, 6, &text, &len), 0);
	ck_assert(ps_has(text, len, axn[1].pid));
	ck_assert(!ps_has(text, len, axn[0].pid));
	free(text);
	/* No such node. */
	ck_assert_int_eq(request(&c, AXON_W_PS_REQ, 77, 7, &text, &len),
	    ENXIO);
	ck_assert_int_eq(request(&c, AXON_W_PS_REQ, 70000, 8, &text, &len),
	    ENXIO);
	/* A node that went down: unreachable within the connect timeout. */
	axn_kill(1, SIGKILL);
	ck_assert(wait_not_up(0, 1));
	double t0 = axt_now();
	int err = request(&c, AXON_W_PS_REQ, nd, 9, &text, &len);
	ck_assert_msg(err == EHOSTUNREACH || err == EHOSTDOWN, "err %d", err);
	ck_assert(axt_now() - t0 < 5 * axn_scale());
	cli_close(&c);
}
END_TEST

START_TEST(test_ps_never_up)
{
	struct cli c;
	char *text;
	size_t len;

	/* beta never started: EHOSTDOWN after the connect timeout. */
	axn_start(0);
	cli_open(&c, 0);
	ck_assert_int_eq(request(&c, AXON_W_PS_REQ, (uint32_t) axn_nd(0, 1),
			     1, &text, &len),
	    EHOSTDOWN);
	/* Later requests on the connection still work. */
	ck_assert_int_eq(request(&c, AXON_W_NODES_REQ, 0, 2, &text, &len), 0);
	ck_assert_ptr_nonnull(strstr(text, "self alpha\n"));
	free(text);
	cli_close(&c);
}
END_TEST

/* ---- commands on this node and on the other ---- */

static void
spawn_basics(int node, uint32_t nd, int runner)
{
	struct run r;
	char want[300];

	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"echo", "hello", NULL};
	run_on(node, nd, &r);
	ck_assert_int_eq(r.spawn_err, 0);
	ck_assert_int_gt(r.pid, 0);
	ck_assert(r.exited);
	ck_assert_int_eq(r.code, 0);
	ck_assert_int_eq(r.signo, 0);
	ck_assert_str_eq(out_of(&r, 1), "hello\n");
	ck_assert_str_eq(out_of(&r, 2), "");
	run_free(&r);

	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"sh", "-c", "echo err >&2; exit 3",
	    NULL};
	run_on(node, nd, &r);
	ck_assert(r.exited);
	ck_assert_int_eq(r.code, 3);
	ck_assert_str_eq(out_of(&r, 1), "");
	ck_assert_str_eq(out_of(&r, 2), "err\n");
	run_free(&r);

	/* Killed by a signal: the signal, no code. */
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"sh", "-c", "kill -USR1 $$", NULL};
	run_on(node, nd, &r);
	ck_assert(r.exited);
	ck_assert_int_eq(r.code, 0);
	ck_assert_int_eq(r.signo, SIGUSR1);
	run_free(&r);

	/* Not there: the exec's error, no EXIT. */
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"no-such-command-here", NULL};
	run_on(node, nd, &r);
	ck_assert_int_eq(r.spawn_err, ENOENT);
	ck_assert_int_eq(r.pid, 0);
	ck_assert(!r.exited);
	run_free(&r);
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"/etc/passwd", NULL};
	run_on(node, nd, &r);
	ck_assert_int_eq(r.spawn_err, EACCES);
	run_free(&r);

	/* KILL reaches the command's process group. */
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"sh", "-c", "sleep 30; exit 0",
	    NULL};
	r.kill_signo = SIGTERM;
	run_on(node, nd, &r);
	ck_assert(r.exited);
	ck_assert_int_eq(r.signo, SIGTERM);
	run_free(&r);

	/* Environment and working directory as given; "/" if that fails. */
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"sh", "-c", "echo $AXT_V; pwd",
	    NULL};
	r.envp = (const char *const[]) {"PATH=/usr/bin:/bin", "AXT_V=v 1",
	    NULL};
	r.cwd = "/usr";
	run_on(node, nd, &r);
	ck_assert_str_eq(out_of(&r, 1), "v 1\n/usr\n");
	run_free(&r);
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"pwd", NULL};
	r.cwd = "/no/such/dir";
	run_on(node, nd, &r);
	ck_assert_str_eq(out_of(&r, 1), "/\n");
	run_free(&r);

	/* The command belongs to the node it runs on: its AXON_RUNDIR. */
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"sh", "-c", "echo $AXON_RUNDIR",
	    NULL};
	r.envp = (const char *const[]) {"AXON_RUNDIR=/elsewhere",
	    "PATH=/usr/bin:/bin", NULL};
	run_on(node, nd, &r);
	snprintf(want, sizeof(want), "%s\n", axn[runner].rundir);
	ck_assert_str_eq(out_of(&r, 1), want);
	run_free(&r);

	/* No descriptor of axond leaks into the command, and its signal
	 * handling is the default. */
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"sh", "-c",
	    "ls /proc/self/fd | wc -l; grep -E 'SigBlk|SigIgn' "
	    "/proc/self/status",
	    NULL};
	run_on(node, nd, &r);
	/* 0, 1, 2 and ls's own directory */
	ck_assert_msg(strncmp(out_of(&r, 1), "4\n", 2) == 0, "%s",
	    out_of(&r, 1));
	ck_assert_ptr_nonnull(strstr(out_of(&r, 1),
	    "SigBlk:\t0000000000000000"));
	run_free(&r);
}

/* A MiB through cat: windows of 256 KiB both ways, bytes intact. */
static void
spawn_cat(int node, uint32_t nd)
{
	size_t n = (1u << 20) + 12345;
	uint8_t *in = malloc(n);
	struct run r;

	ck_assert_ptr_nonnull(in);
	for (size_t i = 0; i < n; i++) {
		in[i] = (uint8_t) (i * 131u + (i >> 9));
	}
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"cat", NULL};
	r.in = in;
	r.in_len = n;
	run_on(node, nd, &r);
	ck_assert(r.exited);
	ck_assert_int_eq(r.code, 0);
	ck_assert_uint_eq(r.out_len[1], n);
	ck_assert(memcmp(r.out[1], in, n) == 0);
	run_free(&r);
	free(in);
}

START_TEST(test_spawn_local)
{
	int fds;

	axn_start(0);
	fds = fd_count_of(axn[0].pid);
	spawn_basics(0, 0, 0);
	spawn_cat(0, 0);
	/* Every pipe, pidfd and connection was closed. */
	ck_assert_int_le(fd_settle_of(0, fds), fds);
	/* A local caller runs as itself: no mapping. */
	struct run r = {.argv = (const char *const[]) {"id", "-u", NULL}};
	char want[32];

	run_on(0, 0, &r);
	snprintf(want, sizeof(want), "%u\n", (unsigned) geteuid());
	ck_assert_str_eq(out_of(&r, 1), want);
	run_free(&r);
}
END_TEST

START_TEST(test_spawn_remote)
{
	uint32_t nd = two_up();
	int fds0 = fd_count_of(axn[0].pid);
	int fds1 = fd_count_of(axn[1].pid);

	spawn_basics(0, nd, 1);
	spawn_cat(0, nd);
	ck_assert_int_le(fd_settle_of(0, fds0), fds0);
	ck_assert_int_le(fd_settle_of(1, fds1), fds1);
}
END_TEST

/* Remote root runs as --maproot (65534 by default), not as root. */
START_TEST(test_spawn_maproot)
{
	uint32_t nd = two_up();
	struct run r = {.argv = (const char *const[]) {"id", "-u", NULL}};
	char want[32];

	run_on(0, nd, &r);
	ck_assert(r.exited);
	snprintf(want, sizeof(want), "%u\n",
	    geteuid() == 0 ? 65534u : (unsigned) geteuid());
	ck_assert_str_eq(out_of(&r, 1), want);
	run_free(&r);
	if (geteuid() != 0) {
		return;
	}
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"id", "-g", NULL};
	run_on(0, nd, &r);
	ck_assert_str_ne(out_of(&r, 1), "0\n");
	run_free(&r);
	/* --maproot none: root stays root. */
	axn_kill(1, SIGTERM);
	snprintf(axn[1].extra, sizeof(axn[1].extra), "--maproot none");
	axn_start(1);
	ck_assert(axn_wait_state(0, 1, "up", 5000));
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"id", "-u", NULL};
	run_on(0, nd, &r);
	ck_assert_str_eq(out_of(&r, 1), "0\n");
	run_free(&r);
}
END_TEST

/* The ids a command run for a caller on node `node` by node nd has:
 * "uid\ngid\ngroups\n" in out.  The caller is a child that runs as
 * uid, gid and supplementary groups gs (the control socket takes the
 * kernel's word for them). */
static void
ids_as(int node, uint32_t nd, uid_t uid, gid_t gid, const gid_t *gs,
    size_t ngs, char *out, size_t cap)
{
	struct pollfd pfd;
	size_t n = 0;
	int p[2];
	int st = 0;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct run r = {.argv = (const char *const[]) {"sh", "-c",
		    "id -u; id -g; id -G", NULL}};

		close(p[0]);
		if (setgroups(ngs, gs) < 0 || setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0) {
			_exit(98);
		}
		run_on(node, nd, &r);
		write_all(p[1], (const uint8_t *) out_of(&r, 1),
		    strlen(out_of(&r, 1)));
		_exit(r.exited && r.code == 0 ? 0 : 97);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	while (n + 1 < cap && poll(&pfd, 1, ms(20000)) == 1) {
		ssize_t k = read(p[0], out + n, cap - 1 - n);

		if (k <= 0) {
			break;
		}
		n += (size_t) k;
	}
	out[n] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "caller as uid %u: status %#x, output '%s'", (unsigned) uid, st,
	    out);
}

/* A caller that is not root but has gid 0 and group 0 runs `axon on`
 * beta: the command runs in --maproot's group, not root's (it ran with
 * gid 0 before).  With --mapany, as that uid and gid, whoever asks. */
START_TEST(test_spawn_map_group)
{
	const gid_t root_only[] = {0};
	const gid_t mixed[] = {0, 27};
	struct passwd *pw = getpwuid(65534);
	unsigned ng = pw != NULL ? (unsigned) pw->pw_gid : 65534u;
	char out[256], want[256];
	uint32_t nd;

	if (geteuid() != 0) {
		fprintf(stderr, "test_spawn_map_group: skipped: not root\n");
		return;
	}
	nd = two_up();
	axa_share_rundir(axn[0].rundir);
	ids_as(0, nd, 1002, 0, root_only, 1, out, sizeof(out));
	snprintf(want, sizeof(want), "1002\n%u\n%u\n", ng, ng);
	ck_assert_str_eq(out, want);
	ids_as(0, nd, 1002, 0, mixed, 2, out, sizeof(out));
	snprintf(want, sizeof(want), "1002\n%u\n%u 27\n", ng, ng);
	ck_assert_str_eq(out, want);
	/* This node's own callers are not mapped. */
	ids_as(0, 0, 1002, 0, root_only, 1, out, sizeof(out));
	ck_assert_str_eq(out, "1002\n0\n0\n");

	axn_kill(1, SIGTERM);
	snprintf(axn[1].extra, sizeof(axn[1].extra), "--mapany 5005:5006");
	axn_start(1);
	ck_assert(axn_wait_state(0, 1, "up", 5000));
	ids_as(0, nd, 1002, 1002, mixed, 2, out, sizeof(out));
	ck_assert_str_eq(out, "5005\n5006\n5006\n");
	ids_as(0, nd, 0, 0, root_only, 1, out, sizeof(out));
	ck_assert_str_eq(out, "5005\n5006\n5006\n");
}
END_TEST

/*
 * A peer that has the cluster secret (here the empty one) sends a SPAWN
 * whose frame claims uid 1002, gid 0 and group 0, as the relay of the
 * issue's attack injected: the command runs mapped, in --maproot's
 * group, not as gid 0.
 */
START_TEST(test_spawn_injected_cred)
{
	static uint8_t in[1 << 18];
	static const char data[] = "/\0sh\0-c\0id -u; id -g; id -G\0"
	    "PATH=/usr/bin:/bin";
	struct passwd *pw = getpwuid(65534);
	unsigned ng = pw != NULL ? (unsigned) pw->pw_gid : 65534u;
	struct axon_wire_frame f;
	char out[256] = "", want[64];
	size_t inl = 0, outl = 0;
	bool exited = false;
	double end;
	int fd;

	if (geteuid() != 0) {
		fprintf(stderr, "test_spawn_injected_cred: skipped: not "
				"root\n");
		return;
	}
	axn_start(1);
	fd = raw_peer(1);
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_SPAWN;
	f.conn = 7;
	f.flags = AXON_WF_FIRST | AXON_WF_LAST;
	f.u.spawn.argc = 3;
	f.u.spawn.envc = 1;
	f.u.spawn.cred.ruid = f.u.spawn.cred.euid = f.u.spawn.cred.suid =
	    1002;
	f.u.spawn.cred.ngroups = 1;
	f.data = (const uint8_t *) data;
	f.data_len = sizeof(data);
	raw_send(fd, &f);
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_STDIO;
	f.conn = 7; /* stdin: EOF */
	raw_send(fd, &f);
	end = axt_now() + 10 * axn_scale();
	while (!exited && axt_now() < end) {
		struct axon_wire_frame h;
		long d = axon__wire_decode(in, inl, &h);

		if (d == 0) {
			ssize_t r = raw_recv(fd, in + inl, sizeof(in) - inl,
			    200);

			if (r < 0 && errno == EAGAIN) {
				continue;
			}
			ck_assert_int_gt(r, 0);
			inl += (size_t) r;
			continue;
		}
		ck_assert_int_gt(d, 0);
		if (h.conn == 7 && h.type == AXON_W_SPAWN_OK) {
			ck_assert_int_eq(h.u.spawned.err, 0);
		} else if (h.conn == 7 && h.type == AXON_W_STDIO &&
		    h.u.stdio.fd == 1 && h.data_len > 0 &&
		    outl + h.data_len < sizeof(out)) {
			memcpy(out + outl, h.data, h.data_len);
			outl += h.data_len;
			out[outl] = '\0';
		} else if (h.conn == 7 && h.type == AXON_W_EXIT) {
			exited = true;
		}
		memmove(in, in + d, inl - (size_t) d);
		inl -= (size_t) d;
	}
	raw_close(fd);
	ck_assert(exited);
	snprintf(want, sizeof(want), "1002\n%u\n%u\n", ng, ng);
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(test_spawn_refused)
{
	uint32_t nd;
	struct run r;

	snprintf(axn[1].extra, sizeof(axn[1].extra), "--no-remote-spawn");
	nd = two_up();
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"true", NULL};
	run_on(0, nd, &r);
	ck_assert_int_eq(r.spawn_err, EPERM);
	ck_assert(!r.exited);
	/* beta's own callers may still run commands there... */
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"true", NULL};
	run_on(1, 0, &r);
	ck_assert(r.exited);
	/* ...and beta may run them on alpha. */
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"true", NULL};
	run_on(1, (uint32_t) axn_nd(1, 0), &r);
	ck_assert(r.exited);
	/* Unknown node: the start fails. */
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"true", NULL};
	run_on(0, 99, &r);
	ck_assert_int_eq(r.spawn_err, ENXIO);
}
END_TEST

/* A node that never comes up: EHOSTDOWN after the connect timeout; the
 * connection stays usable. */
START_TEST(test_spawn_node_down)
{
	struct cli c;
	struct run r;
	char *text;
	size_t len;
	double t0;

	axn_start(0);
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"true", NULL};
	cli_open(&c, 0);
	t0 = axt_now();
	run_send_spawn(&c, (uint32_t) axn_nd(0, 1), &r);
	run_loop(&c, &r);
	ck_assert_int_eq(r.spawn_err, EHOSTDOWN);
	ck_assert(axt_now() - t0 < 5 * axn_scale());
	ck_assert_int_eq(request(&c, AXON_W_NODES_REQ, 0, 1, &text, &len), 0);
	free(text);
	cli_close(&c);
}
END_TEST

/* The caller going away hangs the command up (SIGHUP to its group). */
static void
spawn_hangup(int node, uint32_t nd, const char *dir)
{
	char script[512];
	char marker[300];
	struct cli c;
	struct run r;
	struct stat st;

	snprintf(marker, sizeof(marker), "%s/hup-%u", dir, nd);
	snprintf(script, sizeof(script),
	    "trap 'echo hup > %s; exit 1' HUP; echo go; "
	    "while :; do sleep 0.05; done",
	    marker);
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"sh", "-c", script, NULL};
	r.until = "go\n";
	r.keep_stdin = true;
	cli_open(&c, node);
	run_send_spawn(&c, nd, &r);
	run_loop(&c, &r);
	ck_assert_int_gt(r.pid, 0);
	ck_assert(!r.exited);
	cli_close(&c);
	ck_assert_msg(pid_gone(r.pid, 5000), "command %d still runs", r.pid);
	ck_assert_msg(stat(marker, &st) == 0, "no %s", marker);
	run_free(&r);
}

START_TEST(test_spawn_hangup)
{
	uint32_t nd = two_up();
	char dir[128];

	axt_mkdtemp(dir, sizeof(dir), "svc");
	axn_reg_add(dir);
	chmod(dir, 0777); /* remote commands run as nobody */
	spawn_hangup(0, 0, dir);
	spawn_hangup(0, nd, dir);
	(void) nftw(dir, axt_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}
END_TEST

/* The running node's axond dies: EOF on stdout and stderr, SPAWN_OK
 * with EHOSTUNREACH, and the connection closes. */
START_TEST(test_spawn_runner_dies)
{
	uint32_t nd = two_up();
	struct cli c;
	struct run r;
	struct axon_wire_frame f;

	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"sh", "-c",
	    "echo go; exec sleep 30", NULL};
	r.until = "go\n";
	r.keep_stdin = true;
	cli_open(&c, 0);
	run_send_spawn(&c, nd, &r);
	run_loop(&c, &r);
	ck_assert_int_gt(r.pid, 0);
	axn_kill(1, SIGKILL);
	r.until = NULL;
	r.timeout_ms = 10000;
	run_loop(&c, &r);
	ck_assert(!r.exited);
	ck_assert_int_eq(r.broken, EHOSTUNREACH);
	ck_assert(r.eof_fd[1] && r.eof_fd[2]);
	ck_assert_int_eq(cli_next(&c, &f, ms(5000)), 0); /* closed */
	cli_close(&c);
	/* Its axond died without hanging it up: not ours to leave. */
	(void) kill(r.pid, SIGKILL);
	run_free(&r);
	/* alpha's axond serves on. */
	cli_open(&c, 0);
	char *text;
	size_t len;
	ck_assert_int_eq(request(&c, AXON_W_NODES_REQ, 0, 1, &text, &len), 0);
	free(text);
	cli_close(&c);
}
END_TEST

/* The requesting node's axond dies: the command is hung up there. */
START_TEST(test_spawn_requester_node_dies)
{
	uint32_t nd = two_up();
	struct cli c;
	struct run r;

	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"sh", "-c",
	    "echo go; exec sleep 30", NULL};
	r.until = "go\n";
	r.keep_stdin = true;
	cli_open(&c, 0);
	run_send_spawn(&c, nd, &r);
	run_loop(&c, &r);
	ck_assert_int_gt(r.pid, 0);
	axn_kill(0, SIGKILL);
	ck_assert_msg(pid_gone(r.pid, 8000), "command %d still runs", r.pid);
	cli_close(&c);
	run_free(&r);
}
END_TEST

/* ---- the control socket itself ---- */

START_TEST(test_ctl_garbage)
{
	static const char junk[] = "GET / HTTP/1.0\r\n\r\n"
				   "0123456789abcdef0123456789abcdef";
	struct cli good, bad;
	struct axon_wire_frame f;
	char *text;
	size_t len;
	struct stat st;
	char path[300];

	axn_start(0);
	snprintf(path, sizeof(path), "%s/axond.sock", axn[0].rundir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0666);
	cli_open(&good, 0);
	cli_open(&bad, 0);
	write_all(bad.fd, (const uint8_t *) junk, sizeof(junk));
	ck_assert_int_eq(cli_next(&bad, &f, ms(5000)), 0);
	cli_close(&bad);
	/* A well-formed frame that makes no sense here: closed too. */
	cli_open(&bad, 0);
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_PING;
	cli_send(&bad, &f);
	ck_assert_int_eq(cli_next(&bad, &f, ms(5000)), 0);
	cli_close(&bad);
	/* STDIO without a stream. */
	cli_open(&bad, 0);
	stdio_send(&bad, (const uint8_t *) "x", 1);
	ck_assert_int_eq(cli_next(&bad, &f, ms(5000)), 0);
	cli_close(&bad);
	/* More stdin than the window. */
	cli_open(&bad, 0);
	{
		static uint8_t big[AXON_WIRE_MAX_DATA];
		struct run r;

		memset(&r, 0, sizeof(r));
		r.argv = (const char *const[]) {"sleep", "5", NULL};
		run_send_spawn(&bad, 0, &r);
		/* The pipe takes 64 KiB, the window 256 KiB more; axond
		 * closes the connection on the way. */
		for (int i = 0; i < 10; i++) {
			struct axon_wire_frame o;
			static uint8_t enc[AXON_WIRE_HDR_SIZE +
			    AXON_WIRE_MAX_BODY];
			long n;

			memset(&o, 0, sizeof(o));
			o.type = AXON_W_STDIO;
			o.conn = 1;
			o.data = big;
			o.data_len = sizeof(big);
			n = axon__wire_encode(&o, enc, sizeof(enc));
			ck_assert_int_gt(n, 0);
			if (send(bad.fd, enc, (size_t) n, MSG_NOSIGNAL) < n) {
				break;
			}
		}
		int rc;
		do {
			rc = cli_next(&bad, &f, ms(5000));
		} while (rc == 1);
		ck_assert_int_eq(rc, 0);
	}
	cli_close(&bad);
	/* The good connection was not disturbed. */
	ck_assert_int_eq(request(&good, AXON_W_NODES_REQ, 0, 3, &text, &len),
	    0);
	free(text);
	/* Its end, and axond's: axond closed the bad ones itself, and
	 * closes this one once it has read the end (waited for: on a
	 * loaded machine a fixed delay may not see it counted out). */
	ck_assert_int_eq(shutdown(good.fd, SHUT_WR), 0);
	{
		struct pollfd pfd = {.fd = good.fd, .events = POLLIN};
		char b;

		ck_assert_int_eq(poll(&pfd, 1, ms(5000)), 1);
		ck_assert_int_eq(read(good.fd, &b, 1), 0);
	}
	cli_close(&good);
	ck_assert_int_eq(waitpid(axn[0].pid, NULL, WNOHANG), 0);
	/* At most 64 connections at once. */
	int fds[70];
	for (int i = 0; i < 70; i++) {
		fds[i] = cli_connect(0);
		ck_assert_int_ge(fds[i], 0);
	}
	int closed = 0;
	for (int i = 0; i < 70; i++) {
		struct pollfd pfd = {.fd = fds[i], .events = POLLIN};
		char b;

		if (poll(&pfd, 1, i >= 64 ? ms(2000) : 0) == 1 &&
		    read(fds[i], &b, 1) == 0) {
			closed++;
		}
	}
	ck_assert_int_eq(closed, 6);
	for (int i = 0; i < 70; i++) {
		close(fds[i]);
	}
	/* Stopping removes the socket. */
	axn_kill(0, SIGTERM);
	ck_assert_int_lt(stat(path, &st), 0);
}
END_TEST

/*
 * Writes frame f (its msg counting up from 1 if bump) up to max times
 * without reading anything; returns how many went before the
 * connection was closed, or -1 if it never was within the time.
 */
static long
flood(int fd, struct axon_wire_frame *f, bool bump, long max, int wait_ms)
{
	static uint8_t batch[1024 * 64];
	double end = axt_now() + ms(wait_ms) / 1000.0;
	long sent = 0;

	while (sent < max && axt_now() < end) {
		size_t len = 0;
		long k = 0;

		while (sent + k < max && len + 64 <= sizeof(batch)) {
			long n;

			if (bump) {
				f->msg = (uint32_t) (sent + k + 1);
			}
			n = axon__wire_encode(f, batch + len, 64);
			ck_assert_int_gt(n, 0);
			len += (size_t) n;
			k++;
		}
		for (size_t off = 0; off < len;) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			ssize_t w = send(fd, batch + off, len - off,
			    MSG_NOSIGNAL | MSG_DONTWAIT);

			if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
				if (axt_now() >= end) {
					return -1;
				}
				(void) poll(&pfd, 1, 100);
				continue;
			}
			if (w < 0) {
				return sent; /* closed by axond */
			}
			off += (size_t) w;
		}
		sent += k;
	}
	return sent < max ? -1 : max;
}

/* A caller that asks and never reads: its EAGAIN answers do not pile up
 * in axond; it is disconnected once its backlog is too large. */
START_TEST(test_ctl_flood_requests)
{
	struct axon_wire_frame f;
	struct cli c;
	char *text;
	size_t len;
	long n;

	axn_start(0);
	cli_open(&c, 0);
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_NODES_REQ;
	/* 9 MiB of EAGAIN answers is some 240000 frames. */
	n = flood(c.fd, &f, true, 3000000, 20000);
	ck_assert_msg(n >= 0, "the flooding caller was not disconnected");
	ck_assert_int_gt(n, 16);
	cli_close(&c);
	ck_assert_int_eq(waitpid(axn[0].pid, NULL, WNOHANG), 0);
	cli_open(&c, 0);
	ck_assert_int_eq(request(&c, AXON_W_NODES_REQ, 0, 1, &text, &len), 0);
	free(text);
	cli_close(&c);
}
END_TEST

/* KILLs for a command on another node while that node does not read:
 * they do not pile up on the session until it is closed (for every
 * client of the node) as a peer not reading. */
START_TEST(test_ctl_flood_kill)
{
	struct axon_wire_frame f;
	struct cli c, q;
	struct run r;
	uint32_t nd;
	char *text;
	size_t len;
	long n;

	snprintf(axn[0].extra, sizeof(axn[0].extra),
	    "--max-queued 1M --dead-after 60000");
	snprintf(axn[1].extra, sizeof(axn[1].extra), "--dead-after 60000");
	nd = two_up();
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"sh", "-c", "echo go; exec sleep 30",
	    NULL};
	r.until = "go\n";
	r.keep_stdin = true;
	cli_open(&c, 0);
	run_send_spawn(&c, nd, &r);
	run_loop(&c, &r);
	ck_assert_int_gt(r.pid, 0);
	kill(axn[1].pid, SIGSTOP);
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_KILL;
	f.conn = 1;
	f.u.kill.signo = SIGCONT;
	/* Far more than the kernel's buffers and --max-queued hold. */
	n = flood(c.fd, &f, false, 1000000, 30000);
	cli_open(&q, 0);
	ck_assert_int_eq(request(&q, AXON_W_NODES_REQ, 0, 1, &text, &len), 0);
	kill(axn[1].pid, SIGCONT);
	ck_assert_msg(strstr(text, " beta up ") != NULL,
	    "session lost (%ld KILLs went): %s", n, text);
	free(text);
	cli_close(&q);
	cli_close(&c);
	run_free(&r);
}
END_TEST

/* A stale socket left by a killed axond is replaced. */
START_TEST(test_ctl_stale)
{
	struct cli c;
	char *text;
	size_t len;

	axn_start(0);
	axn_kill(0, SIGKILL);
	axn_start(0);
	cli_open(&c, 0);
	ck_assert_int_eq(request(&c, AXON_W_NODES_REQ, 0, 1, &text, &len), 0);
	free(text);
	cli_close(&c);
}
END_TEST

/* The setting, on the command line and in a file. */
START_TEST(test_config_remote_spawn)
{
	struct axond_config cfg;
	char err[512];
	char *argv1[] = {"axond", "--node", "a", "--listen", "127.0.0.1:1",
	    NULL};
	char *argv2[] = {"axond", "--no-remote-spawn", NULL};
	char *argv3[] = {"axond", "--remote-spawn", "no", NULL};
	char *argv4[] = {"axond", "--remote-spawn", "maybe", NULL};
	char path[300];
	FILE *f;

	ck_assert_int_eq(axond_config_parse(&cfg, 5, argv1, err, sizeof(err)),
	    0);
	ck_assert_int_eq(cfg.remote_spawn, 1);
	ck_assert_int_eq(axond_config_parse(&cfg, 2, argv2, err, sizeof(err)),
	    0);
	ck_assert_int_eq(cfg.remote_spawn, 0);
	ck_assert_int_eq(axond_config_parse(&cfg, 3, argv3, err, sizeof(err)),
	    0);
	ck_assert_int_eq(cfg.remote_spawn, 0);
	ck_assert_int_eq(axond_config_parse(&cfg, 3, argv4, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "yes or no"));
	snprintf(path, sizeof(path), "%s/axond.conf", axt_rundir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("remote-spawn no\n", f);
	fclose(f);
	axond_config_defaults(&cfg);
	ck_assert_int_eq(axond_config_load_file(&cfg, path, err, sizeof(err)),
	    0);
	ck_assert_int_eq(cfg.remote_spawn, 0);
	/* The example file documents it. */
	f = fopen("examples/axond.conf", "re");
	ck_assert_ptr_nonnull(f);
	char text[16384];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "\nremote-spawn yes\n"));
}
END_TEST

/* ---- per-user shares: attacks by an unprivileged local user ---- */

/* An attacker: a child that has become the unprivileged user, runs fn
 * and reports ints on a pipe; killed by att_stop. */
struct att {
	pid_t pid;
	int rd;
};

typedef void (*att_fn)(int wfd, void *arg);

static struct att
att_start(att_fn fn, void *arg)
{
	struct att a;
	int p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	a.pid = fork();
	ck_assert_int_ge(a.pid, 0);
	if (a.pid == 0) {
		close(p[0]);
		axa_become();
		fn(p[1], arg);
		for (;;) {
			pause(); /* holds what it took until killed */
		}
	}
	close(p[1]);
	a.rd = p[0];
	return a;
}

/* The attacker's next report, within ms. */
static int
att_read(struct att *a, int wait_ms)
{
	struct pollfd pfd = {.fd = a->rd, .events = POLLIN};
	int v;

	ck_assert_msg(poll(&pfd, 1, ms(wait_ms)) == 1, "attacker silent");
	ck_assert_int_eq(read(a->rd, &v, sizeof(v)), sizeof(v));
	return v;
}

static void
att_stop(struct att *a)
{
	if (a->pid > 0) {
		(void) kill(a->pid, SIGKILL);
		(void) waitpid(a->pid, NULL, 0);
		a->pid = -1;
		close(a->rd);
	}
}

/* 1 if axond closed fd (EOF or reset), else 0. */
static int
closed_by_axond(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	char b;

	if (poll(&pfd, 1, 0) != 1) {
		return 0;
	}
	return recv(fd, &b, 1, MSG_DONTWAIT) <= 0;
}

struct hold_arg {
	int n;
	int settle_ms;
	int want; /* held at most: waited for (bounded) after settle_ms */
};

/* Opens n connections to alpha's control socket and holds them idle;
 * reports how many connected, then, settle_ms later and once axond
 * holds at most want of them (8 s at most), how many it still holds. */
static void
hold_main(int wfd, void *arg)
{
	const struct hold_arg *a = arg;
	int *fds = calloc((size_t) a->n, sizeof(*fds));
	int made = 0, held = 0;

	if (fds == NULL) {
		_exit(97);
	}
	for (int i = 0; i < a->n; i++) {
		fds[i] = cli_connect(0);
		made += fds[i] >= 0;
	}
	axt_report(wfd, made);
	axt_sleep_ms(a->settle_ms);
	/* Then until axond has closed the ones it will (bounded: a loaded
	 * machine's axond may take longer than any fixed settle time). */
	for (double end = axt_now() + ms(8000) / 1000.0;;) {
		held = 0;
		for (int i = 0; i < a->n; i++) {
			held += fds[i] >= 0 && !closed_by_axond(fds[i]);
		}
		if (held <= a->want || axt_now() > end) {
			break;
		}
		axt_sleep_ms(50);
	}
	axt_report(wfd, held);
}

/* An unprivileged user holds 80 idle control connections (more than
 * the 64 axond took in all before): axond keeps only its share of 16,
 * and root's `axon nodes` and `axon on` still work.  Before per-user
 * shares, root's connection was closed at once (64 open). */
START_TEST(test_share_ctl_conns)
{
	struct hold_arg ha = {.n = 80, .settle_ms = 1000, .want = 16};
	struct run r = {.argv = (const char *const[]) {"true", NULL}};
	struct att a;
	struct cli c;
	char *text;
	size_t len;
	int held;

	if (!axa_user("test_share_ctl_conns")) {
		return;
	}
	axn_start(0);
	axa_share_rundir(axn[0].rundir);
	a = att_start(hold_main, &ha);
	ck_assert_int_eq(att_read(&a, 10000), ha.n);
	axt_sleep_ms(200); /* axond has taken them in */
	cli_open(&c, 0);
	ck_assert_int_eq(request(&c, AXON_W_NODES_REQ, 0, 1, &text, &len), 0);
	ck_assert_ptr_nonnull(strstr(text, "self alpha\n"));
	free(text);
	cli_close(&c);
	run_on(0, 0, &r);
	ck_assert(r.exited);
	ck_assert_int_eq(r.code, 0);
	run_free(&r);
	held = att_read(&a, 10000);
	ck_assert_msg(held == 16, "the attacker holds %d connections", held);
	att_stop(&a);
}
END_TEST

/* Idle control connections are closed after --ctl-idle; one that keeps
 * asking is not.  Before, idle ones were held for ever. */
START_TEST(test_share_ctl_idle)
{
	struct hold_arg ha = {.n = 8, .settle_ms = 2500, .want = 0};
	struct att a;
	struct cli c;
	char *text;
	size_t len;

	if (!axa_user("test_share_ctl_idle")) {
		return;
	}
	snprintf(axn[0].extra, sizeof(axn[0].extra), "--ctl-idle 500");
	axn_start(0);
	axa_share_rundir(axn[0].rundir);
	a = att_start(hold_main, &ha);
	ck_assert_int_eq(att_read(&a, 10000), ha.n);
	cli_open(&c, 0);
	for (uint32_t i = 1; i <= 8; i++) {
		ck_assert_int_eq(request(&c, AXON_W_NODES_REQ, 0, i, &text,
				     &len), 0);
		free(text);
		axt_sleep_ms(300);
	}
	cli_close(&c);
	ck_assert_int_eq(att_read(&a, 10000), 0);
	att_stop(&a);
}
END_TEST

/* Plants n live global names a00000, a00001... in alpha's registry,
 * each naming the planter itself (a live process: they count). */
static void
plant_main(int wfd, void *arg)
{
	int n = *(const int *) arg;
	unsigned long long st = axon__proc_start_time(getpid());
	int made = 0;

	for (int i = 0; i < n; i++) {
		char path[512];
		int fd;

		snprintf(path, sizeof(path), "%s/name/global/a%05d",
		    axn[0].rundir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0) {
			continue;
		}
		made += dprintf(fd, "%d 1 %llu\n", (int) getpid(), st) > 0;
		close(fd);
	}
	axt_report(wfd, made);
}

static int
count_lines_with(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++) {
		n++;
	}
	return n;
}

/* An unprivileged user fills the registry with 4200 live global names:
 * this node publishes 1024 of them (--user-names) and root's name.
 * Before, the user's first 4096 filled the node's list and root's name
 * (after them by name) was not published. */
START_TEST(test_share_names)
{
	int n = 4200;
	char path[300];
	char *text = NULL;
	struct att a;
	int chid, theirs = 0;
	bool root_ok = false;

	if (!axa_user("test_share_names")) {
		return;
	}
	axn_start(0);
	axa_share_rundir(axn[0].rundir);
	axn_enter(0);
	chid = ChannelCreate(0);
	ck_assert_int_ge(chid, 0);
	name_attach_t *att = name_attach(NULL, "zroot",
	    NAME_FLAG_ATTACH_GLOBAL);
	ck_assert_ptr_nonnull(att);
	a = att_start(plant_main, &n);
	ck_assert_int_eq(att_read(&a, 20000), n);
	snprintf(path, sizeof(path), "%s/names", axn[0].rundir);
	for (double end = axt_now() + 10 * axn_scale(); axt_now() < end;) {
		FILE *f = fopen(path, "re");
		size_t cap = 0;

		free(text);
		text = NULL;
		if (f != NULL) {
			ssize_t k = getdelim(&text, &cap, '\0', f);

			fclose(f);
			if (k > 0) {
				theirs = count_lines_with(text, " alpha a0");
				root_ok = strstr(text, " alpha zroot\n") != NULL;
			}
		}
		if (theirs >= 1024) {
			break;
		}
		axt_sleep_ms(100);
	}
	ck_assert_msg(root_ok, "root's name is not published (%d of the "
	    "attacker's are)", theirs);
	ck_assert_int_eq(theirs, 1024);
	free(text);
	att_stop(&a);
	name_detach(att, 0);
}
END_TEST

/* Floods alpha with PS requests on 16 connections for flood_ms, reading
 * every answer; reports 1 when it starts, then the answers' bytes. */
static void
psflood_main(int wfd, void *arg)
{
	int flood_ms = *(const int *) arg;
	uint8_t frame[AXON_WIRE_HDR_SIZE + 64];
	static uint8_t sink[1 << 16];
	int fds[16];
	uint32_t msg[16] = {0};
	long got = 0;
	double end;

	for (int i = 0; i < 16; i++) {
		fds[i] = cli_connect(0);
		if (fds[i] < 0) {
			_exit(97);
		}
		(void) fcntl(fds[i], F_SETFL, O_NONBLOCK);
	}
	axt_report(wfd, 1);
	end = axt_now() + flood_ms / 1000.0;
	while (axt_now() < end) {
		struct pollfd pfd[16];

		for (int i = 0; i < 16; i++) {
			pfd[i].fd = fds[i];
			pfd[i].events = POLLIN | POLLOUT;
		}
		if (poll(pfd, 16, 10) <= 0) {
			continue;
		}
		for (int i = 0; i < 16; i++) {
			if (pfd[i].revents & POLLOUT) {
				struct axon_wire_frame f;
				long k;

				memset(&f, 0, sizeof(f));
				f.type = AXON_W_PS_REQ;
				f.msg = ++msg[i];
				k = axon__wire_encode(&f, frame, sizeof(frame));
				if (k <= 0 || send(fds[i], frame, (size_t) k,
				    MSG_NOSIGNAL) != k) {
					msg[i]--;
				}
			}
			while (pfd[i].revents & POLLIN) {
				ssize_t k = recv(fds[i], sink, sizeof(sink),
				    MSG_DONTWAIT);

				if (k <= 0) {
					break;
				}
				got += k;
			}
		}
	}
	axt_report(wfd, (int) (got > INT_MAX ? INT_MAX : got));
}

static void
load_main(int wfd, void *arg)
{
	(void) arg;
	axt_report(wfd, ChannelCreate(0));
	for (;;) {
		pause();
	}
}

/* An unprivileged user floods PS requests while 100 Axon processes run
 * (each answer is collected from 100 status pages): root's `axon nodes`
 * stays prompt, and the attacker still gets answers.  Before, every
 * request was collected on axond's main thread under its lock, and
 * root waited behind hundreds of collections. */
START_TEST(test_share_ps_flood)
{
	enum { NLOAD = 100 };
	struct axt_child load[NLOAD];
	int flood_ms = 4000;
	double worst = 0;
	struct att a;
	struct cli c;

	if (!axa_user("test_share_ps_flood")) {
		return;
	}
	axn_start(0);
	axa_share_rundir(axn[0].rundir);
	axn_enter(0);
	for (int i = 0; i < NLOAD; i++) {
		load[i] = axt_spawn(load_main, NULL);
		ck_assert_int_ge(load[i].val, 0);
	}
	a = att_start(psflood_main, &flood_ms);
	ck_assert_int_eq(att_read(&a, 10000), 1);
	axt_sleep_ms(500);
	cli_open(&c, 0);
	for (uint32_t i = 1; i <= 10; i++) {
		double t0 = axt_now();
		char *text;
		size_t len;

		ck_assert_int_eq(request(&c, AXON_W_NODES_REQ, 0, i, &text,
				     &len), 0);
		free(text);
		if (axt_now() - t0 > worst) {
			worst = axt_now() - t0;
		}
		axt_sleep_ms(200);
	}
	cli_close(&c);
	int got = att_read(&a, 20000);
	fprintf(stderr, "ps flood: root's nodes took at most %.1f ms; the "
			"attacker read %d bytes of answers\n", worst * 1e3, got);
	ck_assert_int_gt(got, 0);
	ck_assert_msg(worst < 0.25 * axn_scale(), "root's nodes took %.0f ms",
	    worst * 1e3);
	att_stop(&a);
	for (int i = 0; i < NLOAD; i++) {
		axt_child_kill(&load[i]);
	}
}
END_TEST

/* A command that ignores SIGHUP, whose requester leaves, is killed after
 * the drain time (5 s) instead of holding its slot for ever. */
START_TEST(test_share_orphan_killed)
{
	struct cli c;
	struct run r;

	axn_start(0);
	memset(&r, 0, sizeof(r));
	r.argv = (const char *const[]) {"sh", "-c",
	    "trap '' HUP; echo go; while :; do sleep 0.05; done", NULL};
	r.until = "go\n";
	r.keep_stdin = true;
	cli_open(&c, 0);
	run_send_spawn(&c, 0, &r);
	run_loop(&c, &r);
	ck_assert_int_gt(r.pid, 0);
	cli_close(&c);
	axt_sleep_ms(2000);
	ck_assert_msg(!pid_gone(r.pid, 10), "gone before the drain time");
	ck_assert_msg(pid_gone(r.pid, 6000), "command %d still runs", r.pid);
	run_free(&r);
}
END_TEST

struct cmds_arg {
	int n;
};

/* Starts n `sleep 30` with `axon on` on alpha, each on a connection of
 * its own; reports how many started, and the error of the first that
 * did not (0 if all did). */
static void
cmds_main(int wfd, void *arg)
{
	const struct cmds_arg *ca = arg;
	int started = 0, err = 0;

	for (int i = 0; i < ca->n; i++) {
		struct cli c;
		struct run r;

		memset(&r, 0, sizeof(r));
		r.argv = (const char *const[]) {"sh", "-c",
		    "echo go; exec sleep 30", NULL};
		r.until = "go\n";
		r.keep_stdin = true;
		cli_open(&c, 0);
		run_send_spawn(&c, 0, &r);
		run_loop(&c, &r);
		if (r.spawn_err != 0) {
			err = err != 0 ? err : r.spawn_err;
			cli_close(&c);
		} else {
			started++; /* the connection stays open: it runs */
		}
		run_free(&r);
	}
	axt_report(wfd, started);
	axt_report(wfd, err);
}

/* An unprivileged user starts more commands than its share: the rest
 * get EAGAIN, and root's command still runs. */
START_TEST(test_share_commands)
{
	struct cmds_arg ca = {.n = 6};
	struct run r = {.argv = (const char *const[]) {"true", NULL}};
	struct att a;

	if (!axa_user("test_share_commands")) {
		return;
	}
	snprintf(axn[0].extra, sizeof(axn[0].extra), "--user-commands 4");
	axn_start(0);
	axa_share_rundir(axn[0].rundir);
	a = att_start(cmds_main, &ca);
	ck_assert_int_eq(att_read(&a, 30000), 4);
	ck_assert_int_eq(att_read(&a, 1000), EAGAIN);
	run_on(0, 0, &r);
	ck_assert(r.exited);
	ck_assert_int_eq(r.code, 0);
	run_free(&r);
	att_stop(&a);
}
END_TEST

static Suite *
svc_suite(void)
{
	Suite *s = suite_create("svc");
	TCase *tc = axt_tcase("svc", 60);

	tcase_add_unchecked_fixture(tc, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(tc, svc_setup, svc_teardown);
	tcase_add_test(tc, test_nodes);
	tcase_add_test(tc, test_ps);
	tcase_add_test(tc, test_ps_never_up);
	tcase_add_test(tc, test_spawn_local);
	tcase_add_test(tc, test_spawn_remote);
	tcase_add_test(tc, test_spawn_maproot);
	tcase_add_test(tc, test_spawn_map_group);
	tcase_add_test(tc, test_spawn_injected_cred);
	tcase_add_test(tc, test_spawn_refused);
	tcase_add_test(tc, test_spawn_node_down);
	tcase_add_test(tc, test_spawn_hangup);
	tcase_add_test(tc, test_spawn_runner_dies);
	tcase_add_test(tc, test_spawn_requester_node_dies);
	tcase_add_test(tc, test_ctl_garbage);
	tcase_add_test(tc, test_ctl_flood_requests);
	tcase_add_test(tc, test_ctl_flood_kill);
	tcase_add_test(tc, test_ctl_stale);
	tcase_add_test(tc, test_config_remote_spawn);
	suite_add_tcase(s, tc);
	TCase *sh = axt_tcase("svc-share", 60);

	tcase_add_unchecked_fixture(sh, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(sh, svc_setup, svc_teardown);
	tcase_add_test(sh, test_share_ctl_conns);
	tcase_add_test(sh, test_share_ctl_idle);
	tcase_add_test(sh, test_share_names);
	tcase_add_test(sh, test_share_ps_flood);
	tcase_add_test(sh, test_share_orphan_killed);
	tcase_add_test(sh, test_share_commands);
	suite_add_tcase(s, sh);
	return s;
}

int
main(void)
{
	return axt_run(svc_suite());
}
