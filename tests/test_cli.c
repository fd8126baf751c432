/* SPDX-License-Identifier: MIT */
/*
 * axon(1), the operator's command (src/tools): run as a program (the
 * AXON_CLI environment variable names it, as AXOND names axond), against
 * real servers, clients and axonds (net_test.h).  Every run of the
 * command has a time bound; every process a test starts is killed and
 * reaped at its end, and every runtime directory removed.
 */
#include "net_test.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/prctl.h>

#define CLI_OUT_MAX (4u << 20) /* output kept from one run */

static const char *
cli_bin(void)
{
	const char *b = getenv("AXON_CLI");

	return b != NULL && b[0] != '\0' ? b : "build/axon";
}

/* ---- Running a program with its stdin, stdout and stderr on pipes ---- */

struct run {
	pid_t pid;
	int in, out, err; /* our ends; -1 once closed */
	const uint8_t *idata;
	size_t ilen, ioff;
	char *obuf, *ebuf;
	size_t olen, elen;
	int status; /* shell-style: code, or 128 + signal; -1 timed out */
};

static void
run_start_argv(struct run *r, char *const argv[], const void *in,
    size_t inlen)
{
	int pi[2], po[2], pe[2];

	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(pipe2(pi, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(po, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(pe, O_CLOEXEC), 0);
	r->pid = fork();
	ck_assert_int_ge(r->pid, 0);
	if (r->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(pi[0], 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pi[0]);
	close(po[1]);
	close(pe[1]);
	r->in = pi[1];
	r->out = po[0];
	r->err = pe[0];
	r->idata = in;
	r->ilen = inlen;
	r->obuf = calloc(1, CLI_OUT_MAX + 1);
	r->ebuf = calloc(1, CLI_OUT_MAX + 1);
	ck_assert(r->obuf != NULL && r->ebuf != NULL);
	fcntl(r->in, F_SETFL, O_NONBLOCK);
	if (inlen == 0) {
		close(r->in);
		r->in = -1;
	}
}

/* Starts `axon ARGS...` (NULL-terminated). */
static void
cli_start(struct run *r, const void *in, size_t inlen, ...)
{
	char *argv[64];
	int n = 0;
	va_list ap;

	argv[n++] = (char *) cli_bin();
	va_start(ap, inlen);
	for (char *a; n < 63 && (a = va_arg(ap, char *)) != NULL;) {
		argv[n++] = a;
	}
	va_end(ap);
	argv[n] = NULL;
	run_start_argv(r, argv, in, inlen);
}

static void
drain(int *fd, char *buf, size_t *len)
{
	char tmp[65536];
	ssize_t n = read(*fd, tmp, sizeof(tmp));

	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	if (*len + (size_t) n > CLI_OUT_MAX) {
		n = (ssize_t) (CLI_OUT_MAX - *len);
	}
	memcpy(buf + *len, tmp, (size_t) n);
	*len += (size_t) n;
	buf[*len] = '\0';
}

/* Moves data until both outputs closed, or stdout holds `until` (if
 * not NULL), or ms passed.  Returns true if the condition was met. */
static bool
run_pump(struct run *r, int ms, const char *until)
{
	double end = axt_now() + ms / 1000.0 * axn_scale();

	while (axt_now() < end) {
		struct pollfd p[3];
		int np = 0, io = -1, ie = -1, ii = -1;

		if (until != NULL && strstr(r->obuf, until) != NULL) {
			return true;
		}
		if (r->out < 0 && r->err < 0) {
			return until == NULL;
		}
		if (r->out >= 0) {
			io = np;
			p[np++] = (struct pollfd){.fd = r->out, .events = POLLIN};
		}
		if (r->err >= 0) {
			ie = np;
			p[np++] = (struct pollfd){.fd = r->err, .events = POLLIN};
		}
		if (r->in >= 0) {
			ii = np;
			p[np++] = (struct pollfd){.fd = r->in, .events = POLLOUT};
		}
		if (poll(p, (nfds_t) np, 50) <= 0) {
			continue;
		}
		if (io >= 0 && p[io].revents != 0) {
			drain(&r->out, r->obuf, &r->olen);
		}
		if (ie >= 0 && p[ie].revents != 0) {
			drain(&r->err, r->ebuf, &r->elen);
		}
		if (ii >= 0 && p[ii].revents != 0) {
			ssize_t n = write(r->in, r->idata + r->ioff,
			    r->ilen - r->ioff);

			if (n > 0) {
				r->ioff += (size_t) n;
			}
			if ((n < 0 && errno != EAGAIN) || r->ioff == r->ilen) {
				close(r->in);
				r->in = -1;
			}
		}
	}
	return false;
}

/* Waits (bounded) for the program to end; returns its status. */
static int
run_wait(struct run *r, int ms)
{
	int st;

	(void) run_pump(r, ms, NULL);
	r->status = -1;
	for (int i = 0; i < 200; i++) {
		if (waitpid(r->pid, &st, WNOHANG) == r->pid) {
			r->status = WIFEXITED(st) ? WEXITSTATUS(st)
						  : 128 + WTERMSIG(st);
			r->pid = -1;
			break;
		}
		axt_sleep_ms(10);
	}
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
		r->pid = -1;
	}
	return r->status;
}

static void
run_free(struct run *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
	for (int *fd = &r->in; fd <= &r->err; fd++) {
		if (*fd >= 0) {
			close(*fd);
		}
	}
	free(r->obuf);
	free(r->ebuf);
	memset(r, 0, sizeof(*r));
}

/* Runs `axon ARGS...` to the end (20 s at most), no input. */
#define CLI(r, ...)                                                     \
	do {                                                            \
		cli_start((r), NULL, 0, __VA_ARGS__, (char *) NULL);    \
		run_wait((r), 20000);                                   \
	} while (0)

/* True if a line of text has exactly these whitespace-separated fields
 * (n of them). */
static bool
has_row(const char *text, int n, ...)
{
	const char *want[16];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n && i < 16; i++) {
		want[i] = va_arg(ap, const char *);
	}
	va_end(ap);
	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *nl = strchr(line, '\n');
		size_t len = nl != NULL ? (size_t) (nl - line) : strlen(line);
		char buf[1024];
		char *save = NULL;
		int k = 0;
		bool ok = true;

		snprintf(buf, sizeof(buf), "%.*s", (int) len, line);
		for (char *t = strtok_r(buf, " \t", &save); t != NULL;
		     t = strtok_r(NULL, " \t", &save), k++) {
			if (k >= n || strcmp(t, want[k]) != 0) {
				ok = false;
				break;
			}
		}
		if (ok && k == n) {
			return true;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	return false;
}

/* True if one line of text holds both a and b, a first. */
static bool
line_has(const char *text, const char *a, const char *b)
{
	for (const char *p = strstr(text, a); p != NULL;
	     p = strstr(p + 1, a)) {
		const char *nl = strchr(p, '\n');
		const char *q = strstr(p + strlen(a), b);

		if (q != NULL && (nl == NULL || q < nl)) {
			return true;
		}
	}
	return false;
}

static const char *
itoa_s(char *buf, int v)
{
	sprintf(buf, "%d", v);
	return buf;
}

/* ---- A named test server (an axn_srv, net_test.h) ---- */

struct nsrv_arg {
	const char *name;
	unsigned flags;
};

/* Its reports. */
struct nrep {
	int kind; /* 0 pulse, 1 message held, 2 sleep begun */
	int code;
	int value;
};

/*
 * Messages are text: "hold" is not answered (the server reports it and
 * receives again) until the client asks to be unblocked, "error N"
 * gets MsgError(N), "status N" a reply of status N and no data, "sleep
 * N" a reply after N ms (the server reports that it began); anything
 * else is echoed back, with its length as the status.
 */
static void
nsrv_main(int wfd, void *arg)
{
	const struct nsrv_arg *a = arg;
	static char buf[65536];
	name_attach_t *na = name_attach(NULL, a->name, a->flags);
	int chid = na != NULL ? na->chid : -1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (write(wfd, &chid, sizeof(chid)) != sizeof(chid) || na == NULL) {
		_exit(1);
	}
	for (;;) {
		struct _msg_info info;
		rcvid_t rcvid = MsgReceive(chid, buf, sizeof(buf) - 1, &info);
		struct nrep r = {0};
		int n;

		if (rcvid < 0) {
			_exit(2);
		}
		if (rcvid == 0) {
			struct _pulse *p = (struct _pulse *) buf;

			/* name_attach() channels have _NTO_CHF_UNBLOCK: a
			 * client that timed out REPLY-blocked waits for
			 * this answer. */
			if (p->code == _PULSE_CODE_UNBLOCK) {
				MsgError(p->value.sival_int, ETIMEDOUT);
			}
			if (p->code >= 0) {
				r.kind = 0;
				r.code = p->code;
				r.value = p->value.sival_int;
				(void) !write(wfd, &r, sizeof(r));
			}
			continue;
		}
		n = info.msglen < (int) sizeof(buf) - 1 ? (int) info.msglen
							: (int) sizeof(buf) - 1;
		buf[n] = '\0';
		if (n >= 2 && *(uint16_t *) buf == _IO_CONNECT) {
			MsgReply(rcvid, EOK, NULL, 0); /* name_open()'s */
		} else if (strcmp(buf, "hold") == 0) {
			r.kind = 1;
			r.value = (int) rcvid;
			(void) !write(wfd, &r, sizeof(r));
		} else if (strncmp(buf, "error ", 6) == 0) {
			MsgError(rcvid, atoi(buf + 6));
		} else if (strncmp(buf, "sleep ", 6) == 0) {
			r.kind = 2;
			(void) !write(wfd, &r, sizeof(r));
			axt_sleep_ms(atoi(buf + 6));
			MsgReply(rcvid, 0, NULL, 0);
		} else if (strncmp(buf, "status ", 7) == 0) {
			MsgReply(rcvid, atoi(buf + 7), NULL, 0);
		} else {
			MsgReply(rcvid, n, buf, (size_t) n);
		}
	}
}

/* Starts a server attached as name on node i (-1: the test's rundir). */
static struct axn_srv
nsrv_start(int node, const char *name, unsigned flags)
{
	struct nsrv_arg a = {name, flags};

	return axn_srv_start(node, nsrv_main, &a);
}

static bool
nsrv_report(struct axn_srv *s, struct nrep *r, int ms)
{
	return axn_srv_read(s, r, sizeof(*r), (int) (ms * axn_scale()));
}

/* A client process REPLY-blocked on "hold": on node `node` (-1: the
 * test's rundir), to (nd, pid, chid), or by name if name != NULL. */
static pid_t
holder_start(int node, const char *name, int nd, pid_t pid, int chid)
{
	pid_t c = fork();

	ck_assert_int_ge(c, 0);
	if (c == 0) {
		char back[16];
		int coid;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (node >= 0) {
			axn_enter(node);
		}
		coid = name != NULL ? name_open(name, 0)
				    : ConnectAttach((uint32_t) nd, pid, chid,
					  _NTO_SIDE_CHANNEL, 0);
		if (coid < 0) {
			_exit(3);
		}
		(void) MsgSend(coid, "hold", 4, back, sizeof(back));
		_exit(4);
	}
	return c;
}

static void
proc_stop(pid_t *p)
{
	if (*p > 0) {
		kill(*p, SIGKILL);
		waitpid(*p, NULL, 0);
		*p = -1;
	}
}

/* This node's name, as netmgr_ndtostr() gives it. */
static void
self_name(char *buf, size_t len)
{
	ck_assert_int_gt(netmgr_ndtostr(0, ND_LOCAL_NODE, buf, len), 0);
}

static void
cli_setup(void)
{
	axn_setup(2);
}

static void
cli_teardown(void)
{
	axn_teardown();
}

/* ------------------------------------------------------------------ */

START_TEST(test_cli_help)
{
	static const char *const cmds[] = {"ps", "nodes", "names", "on",
	    "send", "pulse"};
	struct run r;
	char want[64];

	CLI(&r, "--help");
	ck_assert_int_eq(r.status, 0);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(want, sizeof(want), "\n  %s ", cmds[i]);
		ck_assert_msg(strstr(r.obuf, want) != NULL, "%s", cmds[i]);
	}
	run_free(&r);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(want, sizeof(want), "usage: axon %s", cmds[i]);
		CLI(&r, cmds[i], "--help");
		ck_assert_int_eq(r.status, 0);
		ck_assert_msg(strncmp(r.obuf, want, strlen(want)) == 0, "%s",
		    r.obuf);
		ck_assert(strstr(r.obuf, "Exit status") != NULL);
		ck_assert_int_eq(r.elen, 0);
		run_free(&r);
		CLI(&r, "help", cmds[i]);
		ck_assert_int_eq(r.status, 0);
		ck_assert(strncmp(r.obuf, want, strlen(want)) == 0);
		run_free(&r);
	}
	/* Usage errors: a message on stderr, status 1 (255 for on). */
	CLI(&r, "frobnicate");
	ck_assert_int_eq(r.status, 1);
	ck_assert(strstr(r.ebuf, "axon: frobnicate: no such command") != NULL);
	run_free(&r);
	CLI(&r, "ps", "--bogus");
	ck_assert_int_eq(r.status, 1);
	ck_assert(strstr(r.ebuf, "axon ps: unknown option '--bogus'") != NULL);
	ck_assert_int_eq(r.olen, 0);
	run_free(&r);
	CLI(&r, "send");
	ck_assert_int_eq(r.status, 1);
	ck_assert(strstr(r.ebuf, "NAME is missing") != NULL);
	run_free(&r);
	CLI(&r, "pulse", "x", "300");
	ck_assert_int_eq(r.status, 1);
	ck_assert(strstr(r.ebuf, "bad pulse code") != NULL);
	run_free(&r);
	CLI(&r, "on", "echo", "hi");
	ck_assert_int_eq(r.status, 255);
	ck_assert(strstr(r.ebuf, "-n NODE is missing") != NULL);
	run_free(&r);
	CLI(&r, "on", "-n", "nosuchnode", "echo", "hi");
	ck_assert_int_eq(r.status, 255);
	ck_assert(strstr(r.ebuf, "nosuchnode: unknown node") != NULL);
	run_free(&r);
	/* No axond: nodes fails clearly; ps reads the pages itself. */
	CLI(&r, "nodes");
	ck_assert_int_eq(r.status, 1);
	ck_assert(strstr(r.ebuf, "axond is not running") != NULL);
	run_free(&r);
	CLI(&r, "ps");
	ck_assert_int_eq(r.status, 0);
	ck_assert(has_row(r.obuf, 5, "PID", "TID", "NAME", "STATE",
	    "BLOCKED"));
	run_free(&r);
}
END_TEST

START_TEST(test_cli_names_local)
{
	struct axn_srv a = nsrv_start(-1, "cli/local one", 0);
	struct axn_srv g = nsrv_start(-1, "cli/global",
	    NAME_FLAG_ATTACH_GLOBAL);
	char self[64], pa[16], ca[16], pg[16], cg[16], want[256];
	struct run r;

	self_name(self, sizeof(self));
	itoa_s(pa, a.pid);
	itoa_s(ca, a.chid);
	itoa_s(pg, g.pid);
	itoa_s(cg, g.chid);
	CLI(&r, "names");
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(has_row(r.obuf, 7, "local", "serving", self, pa, ca,
			  "cli/local", "one"),
	    "%s", r.obuf);
	ck_assert_msg(has_row(r.obuf, 6, "global", "serving", self, pg, cg,
			  "cli/global"),
	    "%s", r.obuf);
	run_free(&r);
	CLI(&r, "names", "--json");
	ck_assert_int_eq(r.status, 0);
	snprintf(want, sizeof(want),
	    "{\"name\":\"cli/local one\",\"scope\":\"local\","
	    "\"state\":\"serving\",\"nd\":0,\"node\":\"%s\",\"pid\":%d,"
	    "\"chid\":%d}",
	    self, a.pid, a.chid);
	ck_assert_msg(strstr(r.obuf, want) != NULL, "%s", r.obuf);
	ck_assert(strstr(r.obuf, "\"name\":\"cli/global\",\"scope\":\"global\"")
	    != NULL);
	run_free(&r);
	CLI(&r, "names", "--local");
	ck_assert(strstr(r.obuf, "cli/global") == NULL);
	ck_assert(strstr(r.obuf, "cli/local one") != NULL);
	run_free(&r);
	/* A dead server's entry is stale: not shown. */
	axn_srv_stop(&a);
	CLI(&r, "names");
	ck_assert_int_eq(r.status, 0);
	ck_assert(strstr(r.obuf, "cli/local one") == NULL);
	ck_assert(strstr(r.obuf, "cli/global") != NULL);
	run_free(&r);
	axn_srv_stop(&g);
}
END_TEST

START_TEST(test_cli_send)
{
	struct axn_srv s = nsrv_start(-1, "cli-echo", 0);
	struct axn_srv g = nsrv_start(-1, "cli-gecho", NAME_FLAG_ATTACH_GLOBAL);
	struct run r;

	CLI(&r, "send", "cli-echo", "hello");
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.olen, 5);
	ck_assert_str_eq(r.obuf, "hello");
	ck_assert_int_eq(r.elen, 0);
	run_free(&r);
	CLI(&r, "send", "--json", "cli-echo", "hi \"you\"");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.obuf,
	    "{\"name\":\"cli-echo\",\"status\":8,\"reply_len\":8,"
	    "\"reply\":\"hi \\\"you\\\"\","
	    "\"reply_hex\":\"68692022796f7522\"}\n");
	run_free(&r);
	CLI(&r, "send", "--hex", "cli-echo", "00ff 41");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.obuf, "00ff41\n");
	run_free(&r);
	/* The reply is exactly what the server wrote, NUL bytes too. */
	CLI(&r, "send", "--hex", "cli-echo", "4100 0000");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.obuf, "41000000\n");
	run_free(&r);
	CLI(&r, "send", "--json", "cli-echo", "-0", "ab");
	ck_assert_int_eq(r.status, 0);
	ck_assert(strstr(r.obuf, "\"reply_len\":3,") != NULL);
	run_free(&r);
	CLI(&r, "send", "--string", "--nul", "cli-echo", "text");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.obuf, "text\n");
	run_free(&r);
	/* DATA from stdin. */
	cli_start(&r, "from stdin", 10, "send", "cli-echo", "-", (char *) NULL);
	ck_assert_int_eq(run_wait(&r, 20000), 0);
	ck_assert_str_eq(r.obuf, "from stdin");
	run_free(&r);
	/* A status and no data. */
	CLI(&r, "send", "-j", "cli-echo", "status 42");
	ck_assert_int_eq(r.status, 0);
	ck_assert(strstr(r.obuf, "\"status\":42,\"reply_len\":0") != NULL);
	run_free(&r);
	/* Global names: by default after the local ones, or only them. */
	CLI(&r, "send", "cli-gecho", "g1");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.obuf, "g1");
	run_free(&r);
	CLI(&r, "send", "--global", "cli-gecho", "g2");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.obuf, "g2");
	run_free(&r);
	CLI(&r, "send", "--local", "cli-gecho", "g3");
	ck_assert_int_eq(r.status, 1);
	ck_assert(strstr(r.ebuf, "ENOENT") != NULL);
	run_free(&r);
	/* A missing name. */
	CLI(&r, "send", "cli-nobody", "x");
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.ebuf, "axon send: cli-nobody: name_open: No "
				     "such file or directory (ENOENT)") != NULL,
	    "%s", r.ebuf);
	ck_assert_int_eq(r.olen, 0);
	run_free(&r);
	CLI(&r, "send", "--json", "cli-nobody", "x");
	ck_assert_int_eq(r.status, 1);
	ck_assert(strstr(r.obuf, "\"error\":\"ENOENT\",\"errno\":2") != NULL);
	run_free(&r);
	/* The server's MsgError. */
	CLI(&r, "send", "cli-echo", "error 13");
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.ebuf, "axon send: cli-echo: MsgSend: "
				     "Permission denied (EACCES)") != NULL,
	    "%s", r.ebuf);
	run_free(&r);
	CLI(&r, "send", "--json", "cli-echo", "error 22");
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.obuf,
	    "{\"name\":\"cli-echo\",\"call\":\"MsgSend\",\"error\":\"EINVAL\","
	    "\"errno\":22,\"message\":\"Invalid argument\"}\n");
	run_free(&r);
	/* --timeout: REPLY-blocked on a server that holds the message
	 * (and answers the unblock pulse), then SEND-blocked on a busy
	 * server. */
	double t0 = axt_now();
	CLI(&r, "send", "--timeout", "0.3", "cli-echo", "hold");
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.ebuf, "MsgSend: Connection timed out "
				     "(ETIMEDOUT)") != NULL,
	    "%s", r.ebuf);
	ck_assert(axt_now() - t0 < 10.0);
	run_free(&r);
	struct run busy;
	cli_start(&busy, NULL, 0, "send", "cli-echo", "sleep 2000",
	    (char *) NULL);
	/* Busy once it has begun the sleep (no fixed delay: on a loaded
	 * machine the client may not have sent by then); the held
	 * message's report comes first. */
	struct nrep rep;

	do {
		ck_assert(nsrv_report(&s, &rep, 10000));
	} while (rep.kind != 2);
	t0 = axt_now();
	CLI(&r, "send", "-t", "0.2", "cli-echo", "late");
	ck_assert_int_eq(r.status, 1);
	ck_assert(strstr(r.ebuf, "ETIMEDOUT") != NULL);
	/* Not served (the server would have echoed it after the sleep);
	 * the bound only says it did not wait for that. */
	ck_assert(axt_now() - t0 < 1.9 * axn_scale());
	run_free(&r);
	ck_assert_msg(run_wait(&busy, 10000) == 0, "busy send: %s",
	    busy.ebuf != NULL ? busy.ebuf : "");
	run_free(&busy);
	axn_srv_stop(&s);
	axn_srv_stop(&g);
}
END_TEST

START_TEST(test_cli_pulse)
{
	struct axn_srv s = nsrv_start(-1, "cli-pulse", 0);
	struct nrep rep;
	struct run r;

	CLI(&r, "pulse", "cli-pulse", "5", "77");
	ck_assert_msg(r.status == 0, "%s", r.ebuf);
	ck_assert_int_eq(r.olen + r.elen, 0);
	ck_assert(nsrv_report(&s, &rep, 5000));
	ck_assert_int_eq(rep.kind, 0);
	ck_assert_int_eq(rep.code, 5);
	ck_assert_int_eq(rep.value, 77);
	run_free(&r);
	CLI(&r, "pulse", "--prio", "20", "cli-pulse", "0x7f", "--", "-3");
	ck_assert_int_eq(r.status, 0);
	ck_assert(nsrv_report(&s, &rep, 5000));
	ck_assert_int_eq(rep.code, 127);
	ck_assert_int_eq(rep.value, -3);
	run_free(&r);
	CLI(&r, "pulse", "cli-nobody", "1");
	ck_assert_int_eq(r.status, 1);
	ck_assert(strstr(r.ebuf, "ENOENT") != NULL);
	run_free(&r);
	CLI(&r, "pulse", "--prio", "0", "cli-pulse", "1");
	ck_assert_int_eq(r.status, 1);
	ck_assert(strstr(r.ebuf, "bad priority") != NULL);
	run_free(&r);
	axn_srv_stop(&s);
}
END_TEST

/* Runs `axon ARGS` until stdout has all the rows wanted (bounded). */
static bool
ps_until(struct run *r, int rows, const char *const want[][5],
    const char *node)
{
	for (int t = 0; t < 100; t++) {
		bool all = true;

		if (node != NULL) {
			CLI(r, "ps", "-n", node);
		} else {
			CLI(r, "ps");
		}
		for (int i = 0; i < rows; i++) {
			int n = want[i][4] != NULL ? 5 : 4;

			all &= has_row(r->obuf, n, want[i][0], want[i][1],
			    want[i][2], want[i][3], want[i][4]);
		}
		if (r->status == 0 && all) {
			return true;
		}
		run_free(r);
		axt_sleep_ms(50);
	}
	return false;
}

/* Finds a process's name ("comm") as ps shows it. */
static void
comm_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, (int) len, f));
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

START_TEST(test_cli_ps_local)
{
	struct axn_srv s = nsrv_start(-1, "cli-ps", 0);
	pid_t c = holder_start(-1, "cli-ps", 0, 0, 0);
	char self[64], sp[16], sc[16], cp[16], comm[64], blk[128], want[256];
	struct nrep rep;
	struct run r;

	self_name(self, sizeof(self));
	ck_assert(nsrv_report(&s, &rep, 5000));
	ck_assert_int_eq(rep.kind, 1);
	itoa_s(sp, s.pid);
	itoa_s(sc, s.chid);
	itoa_s(cp, c);
	comm_of(s.pid, comm, sizeof(comm));
	snprintf(blk, sizeof(blk), "%d/%d@%s", s.pid, s.chid, self);
	const char *const rows[2][5] = {
	    {sp, sp, comm, "RECEIVE", sc},
	    {cp, cp, comm, "REPLY", blk},
	};
	ck_assert_msg(ps_until(&r, 2, rows, NULL), "%s%s", r.obuf, r.ebuf);
	/* The server's channel and the client's connection. */
	snprintf(want, sizeof(want), "%d %-16s %-5s", s.pid, comm, "chan");
	ck_assert_msg(strstr(r.obuf, want) != NULL, "%s", r.obuf);
	snprintf(want, sizeof(want), " %s\n", blk);
	ck_assert_msg(line_has(r.obuf, "conn ", want), "%s", r.obuf);
	run_free(&r);
	/* The same in JSON, and -p. */
	CLI(&r, "ps", "--json", "-p", cp);
	ck_assert_int_eq(r.status, 0);
	snprintf(want, sizeof(want),
	    "{\"tid\":%d,\"state\":\"REPLY\",\"coid\":", c);
	ck_assert_msg(strstr(r.obuf, want) != NULL, "%s", r.obuf);
	snprintf(want, sizeof(want), ",\"node\":\"%s\",\"pid\":%d,\"chid\":%d}",
	    self, s.pid, s.chid);
	ck_assert(strstr(r.obuf, want) != NULL);
	snprintf(want, sizeof(want), "\"pid\":%d,", s.pid);
	ck_assert(strstr(r.obuf, want) != NULL); /* (as the target) */
	snprintf(want, sizeof(want), "{\"pid\":%d,\"uid\"", s.pid);
	ck_assert(strstr(r.obuf, want) == NULL); /* not as a process */
	run_free(&r);
	CLI(&r, "ps", "--json", "-p", sp);
	snprintf(want, sizeof(want),
	    "{\"tid\":%d,\"state\":\"RECEIVE\",\"chid\":%d}", s.pid, s.chid);
	ck_assert_msg(strstr(r.obuf, want) != NULL, "%s", r.obuf);
	run_free(&r);
	CLI(&r, "ps", "-p", "4194303");
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.ebuf, "no such Axon process") != NULL, "%s",
	    r.ebuf);
	run_free(&r);
	proc_stop(&c);
	axn_srv_stop(&s);
}
END_TEST

/* A client on alpha REPLY-blocked on a server on beta, seen from beta
 * with `axon ps -n alpha` (relayed by both axonds). */
START_TEST(test_cli_ps_remote)
{
	struct axn_srv s;
	struct nrep rep;
	struct run r;
	pid_t c;
	char sp[16], sc[16], cp[16], comm[64], blk[128];

	axn_start(0);
	axn_start(1);
	s = nsrv_start(1, "cli-ps-remote", 0);
	c = holder_start(0, NULL, axn_nd(0, 1), s.pid, s.chid);
	ck_assert(nsrv_report(&s, &rep, 5000));
	ck_assert_int_eq(rep.kind, 1);
	itoa_s(sp, s.pid);
	itoa_s(sc, s.chid);
	itoa_s(cp, c);
	comm_of(c, comm, sizeof(comm));
	snprintf(blk, sizeof(blk), "%d/%d@beta", s.pid, s.chid);
	axn_enter(1);
	const char *const rows[1][5] = {{cp, cp, comm, "REPLY", blk}};
	ck_assert_msg(ps_until(&r, 1, rows, "alpha"), "%s%s", r.obuf, r.ebuf);
	run_free(&r);
	/* The server, on beta itself (asked through beta's axond). */
	const char *const srows[1][5] = {{sp, sp, comm, "RECEIVE", sc}};
	ck_assert_msg(ps_until(&r, 1, srows, NULL), "%s%s", r.obuf, r.ebuf);
	run_free(&r);
	/* JSON names the node looked at. */
	CLI(&r, "ps", "--json", "-n", "alpha", "-p", cp);
	ck_assert_int_eq(r.status, 0);
	ck_assert(strncmp(r.obuf, "{\"node\":\"alpha\",", 16) == 0);
	ck_assert(strstr(r.obuf, "\"state\":\"REPLY\"") != NULL);
	ck_assert(strstr(r.obuf, "\"node\":\"beta\"") != NULL);
	run_free(&r);
	CLI(&r, "ps", "-n", "nosuchnode");
	ck_assert_int_eq(r.status, 1);
	ck_assert(strstr(r.ebuf, "nosuchnode: unknown node") != NULL);
	run_free(&r);
	proc_stop(&c);
	axn_srv_stop(&s);
}
END_TEST

/* A strict JSON checker (RFC 8259 syntax, no extensions): returns the
 * end of the value at p, or NULL. */
static const char *json_value(const char *p, int depth);

static const char *
json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
		p++;
	}
	return p;
}

static const char *
json_string(const char *p)
{
	if (*p++ != '"') {
		return NULL;
	}
	for (; *p != '"'; p++) {
		if ((unsigned char) *p < 0x20) {
			return NULL;
		}
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++) {
					if (!isxdigit((unsigned char) p[i])) {
						return NULL;
					}
				}
				p += 4;
			} else if (strchr("\"\\/bfnrt", *p) == NULL || *p == 0) {
				return NULL;
			}
		}
	}
	return p + 1;
}

static const char *
json_value(const char *p, int depth)
{
	p = json_ws(p);
	if (depth > 64) {
		return NULL;
	}
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		bool obj = *p == '{';

		p = json_ws(p + 1);
		if (*p == close) {
			return p + 1;
		}
		for (;;) {
			if (obj) {
				p = json_string(json_ws(p));
				if (p == NULL || *(p = json_ws(p)) != ':') {
					return NULL;
				}
				p++;
			}
			p = json_value(p, depth + 1);
			if (p == NULL) {
				return NULL;
			}
			p = json_ws(p);
			if (*p == close) {
				return p + 1;
			}
			if (*p++ != ',') {
				return NULL;
			}
		}
	}
	if (*p == '"') {
		return json_string(p);
	}
	if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0) {
		return p + 4;
	}
	if (strncmp(p, "false", 5) == 0) {
		return p + 5;
	}
	const char *q = p;

	if (*q == '-') {
		q++;
	}
	if (*q == '0') {
		q++;
	} else if (isdigit((unsigned char) *q)) {
		while (isdigit((unsigned char) *q)) {
			q++;
		}
	} else {
		return NULL;
	}
	return q; /* (axon prints integers only) */
}

static bool
json_ok(const char *text)
{
	const char *e = json_value(text, 0);

	return e != NULL && *json_ws(e) == '\0';
}

/* `axon ps --all` on alpha, with beta up and gamma configured but not
 * running: both nodes' tables, gamma unreachable (in bounded time), and
 * alpha's client REPLY-blocked on beta's server joined to it, as a wait
 * and as what the server serves. */
START_TEST(test_cli_ps_all)
{
	struct axn_srv s;
	struct nrep rep;
	struct run r;
	pid_t c;
	char comm[64], want[1024], row[256];
	bool ok = false;
	double t0;

	axn_teardown();
	axn_setup(3);
	axn_start(0);
	axn_start(1);
	s = nsrv_start(1, "cli-ps-all", 0);
	c = holder_start(0, NULL, axn_nd(0, 1), s.pid, s.chid);
	ck_assert(nsrv_report(&s, &rep, 5000));
	ck_assert_int_eq(rep.kind, 1);
	comm_of(c, comm, sizeof(comm));
	axn_enter(0);
	snprintf(row, sizeof(row), "%d/%d@alpha %s", c, c, comm);
	snprintf(want, sizeof(want), "%-36s %-6s ", row, "REPLY");
	for (int t = 0; t < 50 && !ok; t++) {
		t0 = axt_now();
		CLI(&r, "ps", "--all");
		/* gamma answers nothing: bounded all the same. */
		ck_assert(axt_now() - t0 < 12.0 * axn_scale());
		ok = r.status == 0 && strstr(r.obuf, want) != NULL;
		if (!ok) {
			run_free(&r);
			axt_sleep_ms(100);
		}
	}
	ck_assert_msg(ok, "%s%s", r.obuf, r.ebuf);
	ck_assert_msg(strncmp(r.obuf, "== alpha ==\n", 12) == 0, "%s", r.obuf);
	ck_assert(strstr(r.obuf, "\n== beta ==\n") != NULL);
	ck_assert_msg(strstr(r.obuf, "\n== gamma: unreachable (") != NULL,
	    "%s", r.obuf);
	ck_assert(strstr(r.obuf, "\nWAITS\n") != NULL);
	/* The wait: the client, the server's process on beta by name, and
	 * the server's one thread, which holds the message. */
	snprintf(row, sizeof(row), "%d/%d@beta %s", s.pid, s.chid, comm);
	char line[256];

	snprintf(line, sizeof(line), "%d/%d@alpha %s", c, c, comm);
	snprintf(want, sizeof(want), "%-36s %-6s %-36s %d\n", line, "REPLY",
	    row, s.pid);
	ck_assert_msg(strstr(r.obuf, want) != NULL, "%s\nwant: %s", r.obuf,
	    want);
	/* Beta's server serves alpha's client. */
	snprintf(want, sizeof(want), "\n%8d %-16s %d/%d@alpha %s REPLY %d\n",
	    s.pid, comm, c, c, comm, s.pid);
	ck_assert_msg(strstr(r.obuf, want) != NULL, "%s\nwant: %s", r.obuf,
	    want);
	run_free(&r);
	/* JSON. */
	CLI(&r, "ps", "--all", "--json");
	ck_assert_int_eq(r.status, 0);
	ck_assert(strncmp(r.obuf, "{\"nodes\":[{\"node\":\"alpha\","
				  "\"reachable\":true,\"processes\":[", 52) == 0);
	ck_assert(strstr(r.obuf, "{\"node\":\"beta\",\"reachable\":true,") !=
	    NULL);
	ck_assert(strstr(r.obuf, "{\"node\":\"gamma\",\"reachable\":false,"
				 "\"error\":\"") != NULL);
	snprintf(want, sizeof(want),
	    "{\"client\":{\"node\":\"alpha\",\"pid\":%d,\"tid\":%d,"
	    "\"name\":\"%s\"},\"state\":\"REPLY\",\"server\":{\"node\":"
	    "\"beta\",\"pid\":%d,\"chid\":%d,\"found\":true,\"name\":\"%s\","
	    "\"tid\":%d}}",
	    c, c, comm, s.pid, s.chid, comm, s.pid);
	ck_assert_msg(strstr(r.obuf, want) != NULL, "%s\nwant: %s", r.obuf,
	    want);
	snprintf(want, sizeof(want),
	    "\"serving\":[{\"node\":\"alpha\",\"pid\":%d,\"tid\":%d,"
	    "\"state\":\"REPLY\",\"chid\":%d,\"server_tid\":%d}]",
	    c, c, s.chid, s.pid);
	ck_assert_msg(strstr(r.obuf, want) != NULL, "%s\nwant: %s", r.obuf,
	    want);
	ck_assert(strcmp(r.obuf + r.olen - 3, "]}\n") == 0);
	ck_assert_msg(json_ok(r.obuf), "%s", r.obuf);
	ck_assert(!json_ok("{\"a\":[1,]}") && !json_ok("{\"a\" 1}") &&
	    json_ok("{\"a\":[1,{\"b\":null}],\"c\":\"\\u00e9\"}"));
	run_free(&r);
	/* Beta gone too: listed, unreachable; alpha still answers. */
	axn_kill(1, SIGKILL);
	ck_assert(axn_wait_state(0, 1, "down", 10000));
	t0 = axt_now();
	CLI(&r, "ps", "--all");
	ck_assert_msg(r.status == 0, "%s", r.ebuf);
	ck_assert(axt_now() - t0 < 12.0 * axn_scale());
	ck_assert(strstr(r.obuf, "\n== beta: unreachable (") != NULL);
	ck_assert(strstr(r.obuf, "\n== gamma: unreachable (") != NULL);
	snprintf(want, sizeof(want), "%d/%d@beta (node unreachable)", s.pid,
	    s.chid);
	ck_assert_msg(strstr(r.obuf, want) != NULL || strstr(r.obuf,
	    "\nWAITS\n") == NULL, "%s", r.obuf);
	run_free(&r);
	/* Usage. */
	CLI(&r, "ps", "--all", "-n", "beta");
	ck_assert_int_eq(r.status, 1);
	ck_assert(strstr(r.ebuf, "--all takes neither -n nor -p") != NULL);
	run_free(&r);
	/* No axond: no other node can be asked, and it says so. */
	setenv("AXON_RUNDIR", axt_rundir, 1);
	CLI(&r, "ps", "--all");
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.ebuf, "axond is not running on this node") !=
	    NULL, "%s", r.ebuf);
	ck_assert_int_eq(r.olen, 0);
	run_free(&r);
	proc_stop(&c);
	axn_srv_stop(&s);
}
END_TEST

START_TEST(test_cli_nodes)
{
	struct axn_srv s;
	struct run r;
	char back[64];
	int coid;

	axn_start(0);
	axn_start(1);
	s = nsrv_start(1, "cli-nodes", 0);
	axn_enter(0);
	/* Traffic, so that the session is up. */
	coid = ConnectAttach((uint32_t) axn_nd(0, 1), s.pid, s.chid,
	    _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(MsgSend(coid, "ping", 4, back, sizeof(back)), 4);
	ck_assert(axn_wait_state(0, 1, "up", 5000));
	CLI(&r, "nodes");
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(has_row(r.obuf, 10, "ND", "NAME", "STATE", "RTT",
			  "TX-FRAMES", "TX-BYTES", "RX-FRAMES", "RX-BYTES",
			  "ADDRESS", "FOUND"),
	    "%s", r.obuf);
	ck_assert(has_row(r.obuf, 10, "0", "alpha", "self", "-", "-", "-", "-",
	    "-", "-", "-"));
	char nd[16], want[128];
	itoa_s(nd, axn_nd(0, 1));
	snprintf(want, sizeof(want), "\n%5s %-16s %-10s ", nd, "beta", "up");
	ck_assert_msg(strstr(r.obuf, want) != NULL, "%s", r.obuf);
	char ap[32];
	snprintf(ap, sizeof(ap), "127.0.0.1:%d", axn[1].port);
	snprintf(want, sizeof(want), "  %-21s static\n", ap); /* FOUND */
	ck_assert_msg(strstr(r.obuf, want) != NULL, "%s", r.obuf);
	run_free(&r);
	CLI(&r, "nodes", "--json");
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(strncmp(r.obuf, "{\"self\":\"alpha\",\"nodes\":[", 25) == 0,
	    "%s", r.obuf);
	snprintf(want, sizeof(want),
	    "{\"nd\":%d,\"name\":\"beta\",\"state\":\"up\",\"rtt_ns\":",
	    axn_nd(0, 1));
	ck_assert_msg(strstr(r.obuf, want) != NULL, "%s", r.obuf);
	ck_assert(strstr(r.obuf, "\"tx_frames\":0,") == NULL);
	snprintf(want, sizeof(want),
	    "\"found\":\"static\",\"address\":\"127.0.0.1:%d\"}",
	    axn[1].port);
	ck_assert_msg(strstr(r.obuf, want) != NULL, "%s", r.obuf);
	run_free(&r);
	/* Once beta is gone, it is down. */
	axn_kill(1, SIGKILL);
	ck_assert(axn_wait_state(0, 1, "down", 10000));
	CLI(&r, "nodes", "--json");
	ck_assert_int_eq(r.status, 0);
	ck_assert(strstr(r.obuf, "\"name\":\"beta\",\"state\":\"down\"") !=
	    NULL);
	run_free(&r);
	/* Nothing to ask there: an error, in bounded time. */
	double t0 = axt_now();
	CLI(&r, "ps", "-n", "beta");
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strncmp(r.ebuf, "axon ps: beta: ", 15) == 0, "%s",
	    r.ebuf);
	ck_assert(axt_now() - t0 < 12.0 * axn_scale());
	run_free(&r);
	ConnectDetach(coid);
	axn_srv_stop(&s);
}
END_TEST

/* Global names of another node, and a shadowed claim. */
START_TEST(test_cli_names_global)
{
	struct axn_srv b, a;
	struct run r;
	char pb[16], cb[16], pa[16], ca[16];
	bool ok = false;

	axn_start(0);
	axn_start(1);
	b = nsrv_start(1, "cli/shared", NAME_FLAG_ATTACH_GLOBAL);
	itoa_s(pb, b.pid);
	itoa_s(cb, b.chid);
	axn_enter(0);
	for (int t = 0; t < 200 && !ok; t++) {
		CLI(&r, "names", "--global");
		ok = has_row(r.obuf, 6, "global", "serving", "beta", pb, cb,
		    "cli/shared");
		if (!ok) {
			run_free(&r);
			axt_sleep_ms(50);
		}
	}
	ck_assert_msg(ok, "%s%s", r.obuf, r.ebuf);
	run_free(&r);
	/* The same name, claimed later on alpha: shadowed. */
	a = nsrv_start(0, "cli/shared", NAME_FLAG_ATTACH_GLOBAL);
	itoa_s(pa, a.pid);
	itoa_s(ca, a.chid);
	ok = false;
	for (int t = 0; t < 200 && !ok; t++) {
		CLI(&r, "names");
		ok = has_row(r.obuf, 6, "global", "shadowed", "alpha", pa, ca,
			 "cli/shared") &&
		    has_row(r.obuf, 6, "global", "serving", "beta", pb, cb,
			"cli/shared");
		if (!ok) {
			run_free(&r);
			axt_sleep_ms(50);
		}
	}
	ck_assert_msg(ok, "%s%s", r.obuf, r.ebuf);
	run_free(&r);
	/* axon send reaches beta's server by the global name. */
	CLI(&r, "send", "--global", "cli/shared", "across");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.obuf, "across");
	run_free(&r);
	axn_srv_stop(&a);
	axn_srv_stop(&b);
}
END_TEST

/* Runs COMMAND both on beta through `axon on` (from alpha) and here,
 * with the same input, and compares status and outputs. */
static void
on_compare(const void *in, size_t inlen, char *const cmd[])
{
	struct run rr, lr;
	char *argv[32];
	int n = 0;

	argv[n++] = (char *) cli_bin();
	argv[n++] = "on";
	argv[n++] = "-n";
	argv[n++] = "beta";
	for (int i = 0; cmd[i] != NULL && n < 31; i++) {
		argv[n++] = cmd[i];
	}
	argv[n] = NULL;
	run_start_argv(&rr, argv, in, inlen);
	run_wait(&rr, 20000);
	run_start_argv(&lr, cmd, in, inlen);
	run_wait(&lr, 20000);
	ck_assert_msg(rr.status == lr.status, "%s: status %d, here %d (%s)",
	    cmd[0], rr.status, lr.status, rr.ebuf);
	ck_assert_msg(rr.olen == lr.olen &&
		memcmp(rr.obuf, lr.obuf, lr.olen) == 0,
	    "%s: stdout [%.200s], here [%.200s]", cmd[0], rr.obuf, lr.obuf);
	ck_assert_msg(strcmp(rr.ebuf, lr.ebuf) == 0,
	    "%s: stderr [%s], here [%s]", cmd[0], rr.ebuf, lr.ebuf);
	run_free(&rr);
	run_free(&lr);
}

static void
on_nodes(void)
{
	/* Root stays root on beta, so the command may use our working
	 * directory whatever its permissions. */
	snprintf(axn[1].extra, sizeof(axn[1].extra), "--maproot none");
	axn_start(0);
	axn_start(1);
	axn_enter(0);
}

START_TEST(test_cli_on)
{
	static char *const echo[] = {"echo", "hello", "world", NULL};
	static char *const exit7[] = {"sh", "-c", "exit 7", NULL};
	static char *const both[] = {"sh", "-c",
	    "echo out; echo err >&2; echo more; exit 3", NULL};
	static char *const cat[] = {"cat", NULL};
	static char *const wc[] = {"wc", "-c", NULL};
	static char *const pwd[] = {"pwd", NULL};
	static char *const env[] = {"sh", "-c", "echo \"$AXON_CLI_VAR\"", NULL};
	static char *const killed[] = {"sh", "-c", "kill -TERM $$", NULL};
	struct run r;

	on_nodes();
	setenv("AXON_CLI_VAR", "a b  c", 1);
	on_compare(NULL, 0, echo);
	on_compare(NULL, 0, exit7);
	on_compare(NULL, 0, both);
	on_compare("line one\nline two\n", 18, cat);
	on_compare(NULL, 0, cat);
	on_compare(NULL, 0, pwd);
	on_compare(NULL, 0, env);
	on_compare(NULL, 0, killed);
	/* Several windows' worth each way. */
	size_t big = 3u << 20;
	char *data = malloc(big);
	for (size_t i = 0; i < big; i++) {
		data[i] = (char) ('a' + (i * 7 + i / 4096) % 26);
	}
	on_compare(data, big, cat);
	on_compare(data, big, wc);
	free(data);
	/* A command that cannot be started. */
	CLI(&r, "on", "-n", "beta", "cli-no-such-command", "x");
	ck_assert_int_eq(r.status, 255);
	ck_assert_str_eq(r.ebuf, "axon on: cli-no-such-command: No such file "
				 "or directory\n");
	ck_assert_int_eq(r.olen, 0);
	run_free(&r);
	/* This node itself, through its axond. */
	CLI(&r, "on", "-n", "alpha", "sh", "-c", "echo here; exit 5");
	ck_assert_int_eq(r.status, 5);
	ck_assert_str_eq(r.obuf, "here\n");
	run_free(&r);
}
END_TEST

/* Signals to `axon on` reach the command. */
START_TEST(test_cli_on_signal)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct run r;

	on_nodes();
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		cli_start(&r, NULL, 0, "on", "-n", "beta", "sh", "-c",
		    "echo started; exec sleep 30", (char *) NULL);
		ck_assert_msg(run_pump(&r, 10000, "started\n"), "%s", r.ebuf);
		kill(r.pid, sigs[i]);
		double t0 = axt_now();
		ck_assert_int_eq(run_wait(&r, 10000), 128 + sigs[i]);
		ck_assert(axt_now() - t0 < 5.0 * axn_scale());
		run_free(&r);
	}
	/* A signal the command handles: it goes on, and its status is its
	 * own. */
	cli_start(&r, NULL, 0, "on", "-n", "beta", "sh", "-c",
	    "trap 'echo caught; exit 9' INT; echo started; "
	    "while :; do sleep 0.05; done",
	    (char *) NULL);
	ck_assert(run_pump(&r, 10000, "started\n"));
	kill(r.pid, SIGINT);
	ck_assert_int_eq(run_wait(&r, 10000), 9);
	ck_assert_str_eq(r.obuf, "started\ncaught\n");
	run_free(&r);
	/* Our reader goes away: the command gets SIGPIPE, as it would
	 * here. */
	cli_start(&r, NULL, 0, "on", "-n", "beta", "sh", "-c",
	    "echo started; while :; do echo y; done", (char *) NULL);
	ck_assert(run_pump(&r, 10000, "started\n"));
	close(r.out);
	r.out = -1;
	ck_assert_int_eq(run_wait(&r, 10000), 128 + SIGPIPE);
	run_free(&r);
}
END_TEST

/* The command belongs to its node: AXON_RUNDIR is that node's, not the
 * caller's. */
START_TEST(test_cli_on_rundir)
{
	struct run r;
	char want[300];

	on_nodes();
	CLI(&r, "on", "-n", "beta", "sh", "-c", "echo \"${AXON_RUNDIR-unset}\"");
	ck_assert_int_eq(r.status, 0);
	snprintf(want, sizeof(want), "%s\n", axn[1].rundir);
	ck_assert_str_eq(r.obuf, want);
	run_free(&r);
}
END_TEST

/* The node dies under a running command: status 255 and a message. */
START_TEST(test_cli_on_node_lost)
{
	struct run r;
	int rpid = 0;

	on_nodes();
	cli_start(&r, NULL, 0, "on", "-n", "beta", "sh", "-c",
	    "echo $$; exec sleep 30", (char *) NULL);
	ck_assert(run_pump(&r, 10000, "\n"));
	rpid = atoi(r.obuf);
	ck_assert_int_gt(rpid, 0);
	axn_kill(1, SIGKILL);
	ck_assert_int_eq(run_wait(&r, 15000), 255);
	ck_assert_msg(strstr(r.ebuf, "axon on: lost the connection to node "
				     "beta") != NULL,
	    "%s", r.ebuf);
	run_free(&r);
	kill(rpid, SIGKILL); /* (beta's axond was not there to do it) */
}
END_TEST

static Suite *
cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = axt_tcase("local", 60);
	TCase *tn = axt_tcase("net", 90);

	tcase_add_unchecked_fixture(tc, axn_reg_init, axn_reg_clean);
	tcase_add_test(tc, test_cli_help);
	tcase_add_test(tc, test_cli_names_local);
	tcase_add_test(tc, test_cli_send);
	tcase_add_test(tc, test_cli_pulse);
	tcase_add_test(tc, test_cli_ps_local);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(tn, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(tn, cli_setup, cli_teardown);
	tcase_add_test(tn, test_cli_ps_remote);
	tcase_add_test(tn, test_cli_ps_all);
	tcase_add_test(tn, test_cli_nodes);
	tcase_add_test(tn, test_cli_names_global);
	tcase_add_test(tn, test_cli_on);
	tcase_add_test(tn, test_cli_on_signal);
	tcase_add_test(tn, test_cli_on_node_lost);
	tcase_add_test(tn, test_cli_on_rundir);
	suite_add_tcase(s, tn);
	return s;
}

int
main(void)
{
	return axt_run(cli_suite());
}
