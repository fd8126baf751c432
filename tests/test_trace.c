/* SPDX-License-Identifier: MIT */
/*
 * `axon trace` (docs/design/local-transport.md §11, axon-trace(1)): real
 * servers and clients exchanging messages and pulses while the command
 * (AXON_CLI, default build/axon) records them, on one node and across two
 * nodes with real axonds; its JSON checked by tests/trace_check.py (it
 * parses, and holds the exchange's slices and arrows).  Also: a client
 * killed mid-trace, the command's errors, the switch left off, the rings'
 * text form both ways and what its parser refuses, and forged rings.
 */
#include "net_test.h"
#include "attack.h"

#include <stdarg.h>
#include <sys/mman.h>
#include <sys/netmgr.h>
#include <sys/prctl.h>
#include <sys/trace.h>

#include "traceinfo.h"

static const char *
cli_bin(void)
{
	const char *b = getenv("AXON_CLI");

	return b != NULL && b[0] != '\0' ? b : "build/axon";
}

/* ---- helper processes: a report pipe (ints), a command pipe (bytes) */

struct kid {
	pid_t pid;
	int rep, cmd;
};

typedef void (*kid_fn)(int rep, int cmd, void *arg);

static struct kid
kid_start(kid_fn fn, void *arg)
{
	struct kid k;
	int r[2], c[2];

	ck_assert_int_eq(pipe2(r, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(c, O_CLOEXEC), 0);
	k.pid = fork();
	ck_assert_int_ge(k.pid, 0);
	if (k.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(r[0]);
		close(c[1]);
		fn(r[1], c[0], arg);
		_exit(0);
	}
	close(r[1]);
	close(c[0]);
	k.rep = r[0];
	k.cmd = c[1];
	return k;
}

static int
kid_read(struct kid *k)
{
	struct pollfd pfd = {.fd = k->rep, .events = POLLIN};
	int v = -1;

	ck_assert_msg(poll(&pfd, 1, (int) (10000 * axn_scale())) == 1,
	    "no report from %d", (int) k->pid);
	ck_assert_int_eq(read(k->rep, &v, sizeof(v)), sizeof(v));
	return v;
}

static void
kid_cmd(struct kid *k, char c)
{
	ck_assert_int_eq(write(k->cmd, &c, 1), 1);
}

static void
kid_kill(struct kid *k)
{
	if (k->pid > 0) {
		kill(k->pid, SIGKILL);
		waitpid(k->pid, NULL, 0);
		k->pid = -1;
	}
	if (k->rep >= 0) {
		close(k->rep);
		close(k->cmd);
		k->rep = k->cmd = -1;
	}
}

static void
rep(int fd, int v)
{
	if (write(fd, &v, sizeof(v)) != (ssize_t) sizeof(v)) {
		_exit(99);
	}
}

/* A server: reports its chid, then answers each message with its value
 * ('h' first: holds every message, never replies). */
static void
server_main(int r, int c, void *arg)
{
	bool hold = arg == (void *) 1;
	bool quiet = arg == (void *) 2; /* (no reports) */
	int chid = ChannelCreate(0);
	char buf[64];

	rep(r, chid);
	for (;;) {
		struct _msg_info info;
		rcvid_t id = MsgReceive(chid, buf, sizeof(buf), &info);

		if (id > 0) {
			int v;

			memcpy(&v, buf, sizeof(v));
			if (!quiet) {
				rep(r, v);
			}
			if (!hold) {
				MsgReply(id, v, buf, sizeof(v));
			}
		} else if (id == 0 && !quiet) {
			rep(r, 1000 + ((struct _pulse *) buf)->code);
		}
	}
}

struct target {
	int nd;
	pid_t pid;
	int chid;
	int sends, pulses;
};

/* A client: connects, reports, waits for 'g', sends and pulses, reports
 * how many replies were right, exits. */
static void
client_main(int r, int c, void *arg)
{
	const struct target *t = arg;
	int coid = ConnectAttach((uint32_t) t->nd, t->pid, t->chid,
	    _NTO_SIDE_CHANNEL, 0);
	int good = 0;
	char g;

	rep(r, coid);
	if (read(c, &g, 1) != 1) {
		_exit(1);
	}
	for (int i = 0; i < t->sends; i++) {
		int v = 7 + i, back = -1;

		if (MsgSend(coid, &v, sizeof(v), &back, sizeof(back)) == v &&
		    back == v) {
			good++;
		}
	}
	for (int i = 0; i < t->pulses; i++) {
		if (MsgSendPulse(coid, -1, 5, 40 + i) == 0) {
			good++;
		}
	}
	rep(r, good);
	/* Stays (connected) until told: 'q' exits. */
	if (read(c, &g, 1) != 1) {
		_exit(1);
	}
}

/* ---- running the command ---- */

struct run {
	pid_t pid;
	int err; /* stderr, read end */
	char ebuf[4096];
};

static void
run_start(struct run *r, const char *rundir, ...)
{
	char *argv[32];
	int n = 0, p[2];
	va_list ap;

	argv[n++] = (char *) cli_bin();
	argv[n++] = (char *) "trace";
	va_start(ap, rundir);
	for (char *a; (a = va_arg(ap, char *)) != NULL && n < 31;) {
		argv[n++] = a;
	}
	va_end(ap);
	argv[n] = NULL;
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	r->pid = fork();
	ck_assert_int_ge(r->pid, 0);
	if (r->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setenv("AXON_RUNDIR", rundir, 1);
		dup2(p[1], 2);
		int dn = open("/dev/null", O_WRONLY);
		if (dn >= 0) {
			dup2(dn, 1);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	r->err = p[0];
}

/* Its exit status (-1: not within the bound, killed), stderr in ebuf. */
static int
run_wait(struct run *r, double s)
{
	int st = axt_waitpid(r->pid, s * axn_scale());
	ssize_t n = read(r->err, r->ebuf, sizeof(r->ebuf) - 1);

	r->ebuf[n > 0 ? n : 0] = '\0';
	close(r->err);
	if (st < 0 || !WIFEXITED(st)) {
		return -1;
	}
	return WEXITSTATUS(st);
}

/* The switch of rundir: 1 on, 0 off, -1 none. */
static int
switch_on(const char *rundir)
{
	char path[300];
	struct axon_tr_ctl c;
	int fd, on = -1;

	snprintf(path, sizeof(path), "%s/trace/ctl", rundir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, &c, sizeof(c)) == (ssize_t) sizeof(c)) {
			on = atomic_load(&c.on) != 0;
		}
		close(fd);
	}
	return on;
}

static bool
wait_switch(const char *rundir, int want)
{
	double end = axt_now() + 10 * axn_scale();

	while (axt_now() < end) {
		if (switch_on(rundir) == want) {
			return true;
		}
		axt_sleep_ms(5);
	}
	return false;
}

static bool
ring_exists(const char *rundir, pid_t pid)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/trace/%d", rundir, (int) pid);
	return access(path, F_OK) == 0;
}

/* Runs tests/trace_check.py on file; true if it passes. */
static bool
check_json(const char *file, const char *cnode, pid_t cpid,
    const char *snode, pid_t spid, int sends, int pulses, bool unfinished)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
	    "python3 tests/trace_check.py %s %s %d %s %d %d %d %s", file,
	    cnode, (int) cpid, snode, (int) spid, sends, pulses,
	    unfinished ? "--unfinished" : "");
	return system(cmd) == 0;
}

static void
self_name(char *buf, size_t len)
{
	ck_assert_int_ge(netmgr_ndtostr(0, ND_LOCAL_NODE, buf, len), 0);
}

/* ------------------------------------------------------------------ */

/* One node: a client's sends and pulses, the server's receives and
 * replies, with their arrows.  Nothing is recorded while tracing is off;
 * the client exits before the trace ends, and its events are still
 * there (its ring then removed). */
START_TEST(test_local_exchange)
{
	char out[300], node[64];
	struct run r;

	snprintf(out, sizeof(out), "%s/out.json", axt_rundir);
	struct kid srv = kid_start(server_main, NULL);
	int chid = kid_read(&srv);
	ck_assert_int_gt(chid, 0);
	struct target tg = {0, srv.pid, chid, 5, 2};
	struct kid cli = kid_start(client_main, &tg);
	pid_t cpid = cli.pid;
	ck_assert_int_ge(kid_read(&cli), 0);
	/* Off: nothing is recorded, no ring is made. */
	ck_assert_int_eq(switch_on(axt_rundir), 0);
	ck_assert(!ring_exists(axt_rundir, srv.pid));
	ck_assert(!ring_exists(axt_rundir, cpid));
	run_start(&r, axt_rundir, "--seconds", "2", "-o", out, NULL);
	ck_assert(wait_switch(axt_rundir, 1));
	kid_cmd(&cli, 'g');
	ck_assert_int_eq(kid_read(&cli), 7);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(kid_read(&srv), 7 + i);
	}
	ck_assert_int_eq(kid_read(&srv), 1005);
	ck_assert_int_eq(kid_read(&srv), 1005);
	kid_cmd(&cli, 'q');
	ck_assert_int_eq(waitpid(cpid, NULL, 0), cpid);
	cli.pid = -1;
	/* The client's ring outlives it until the trace is collected. */
	ck_assert(ring_exists(axt_rundir, cpid));
	ck_assert_int_eq(run_wait(&r, 20), 0);
	ck_assert_msg(r.ebuf[0] == '\0', "stderr: %s", r.ebuf);
	self_name(node, sizeof(node));
	ck_assert(check_json(out, node, cpid, node, srv.pid, 5, 2, false));
	ck_assert(!ring_exists(axt_rundir, cpid)); /* dead: removed */
	ck_assert(ring_exists(axt_rundir, srv.pid)); /* alive: kept */
	kid_kill(&cli);
	kid_kill(&srv);
}
END_TEST

/* A client killed while REPLY-blocked, mid-trace: its unfinished send
 * and its blocked state are in the trace. */
START_TEST(test_killed_mid_trace)
{
	char out[300], node[64];
	struct run r;

	snprintf(out, sizeof(out), "%s/out.json", axt_rundir);
	struct kid srv = kid_start(server_main, (void *) 1);
	int chid = kid_read(&srv);
	struct target tg = {0, srv.pid, chid, 1, 0};
	struct kid cli = kid_start(client_main, &tg);
	pid_t cpid = cli.pid;
	ck_assert_int_ge(kid_read(&cli), 0);
	run_start(&r, axt_rundir, "-s", "2", "-o", out, NULL);
	ck_assert(wait_switch(axt_rundir, 1));
	kid_cmd(&cli, 'g');
	ck_assert_int_eq(kid_read(&srv), 7); /* received, held */
	/* REPLY-blocked asleep (past the spin, in the futex: not a fixed
	 * delay after the first sleep seen, which a loaded machine can
	 * outlast): its ring has the block event. */
	ck_assert(axt_wait_futex(cpid));
	kid_kill(&cli);
	ck_assert_int_eq(run_wait(&r, 20), 0);
	self_name(node, sizeof(node));
	ck_assert(check_json(out, node, cpid, node, srv.pid, 0, 0, true));
	ck_assert(!ring_exists(axt_rundir, cpid));
	kid_kill(&srv);
}
END_TEST

struct mt_arg {
	int coid;
	int good;
};

static void *
mt_send(void *p)
{
	struct mt_arg *a = p;

	for (int i = 0; i < 50; i++) {
		int v = 100 + i, back = -1;

		if (MsgSend(a->coid, &v, sizeof(v), &back, sizeof(back)) == v &&
		    back == v) {
			a->good++;
		}
	}
	return NULL;
}

/* Four threads of one client send at once while tracing: one ring,
 * every event whole, each thread's sends and returns paired in order. */
static void
mt_client(int r, int c, void *arg)
{
	const struct target *t = arg;
	struct mt_arg a[4];
	pthread_t th[4];
	int coid = ConnectAttach(0, t->pid, t->chid, _NTO_SIDE_CHANNEL, 0);
	int good = 0;
	char g;

	rep(r, coid);
	if (read(c, &g, 1) != 1) {
		_exit(1);
	}
	for (int i = 0; i < 4; i++) {
		a[i].coid = coid;
		a[i].good = 0;
		pthread_create(&th[i], NULL, mt_send, &a[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		good += a[i].good;
	}
	rep(r, good);
	if (read(c, &g, 1) != 1) {
		_exit(1);
	}
}

START_TEST(test_threads)
{
	struct axon_tr_list l;
	uint64_t t0, now;
	int tids[8] = {0}, open_send[8] = {0}, sends[8] = {0};
	int nt = 0, total = 0;

	struct kid srv = kid_start(server_main, (void *) 2);
	int chid = kid_read(&srv);
	ck_assert_int_gt(chid, 0);
	struct target tg = {0, srv.pid, chid, 0, 0};
	struct kid cli = kid_start(mt_client, &tg);
	ck_assert_int_ge(kid_read(&cli), 0);
	ck_assert_int_eq(axon__tr_switch(axt_rundir, 60, &t0), 0);
	kid_cmd(&cli, 'g');
	ck_assert_int_eq(kid_read(&cli), 200);
	ck_assert_int_eq(axon__tr_switch(axt_rundir, 0, &now), 0);
	ck_assert_int_eq(axon__tr_collect(axt_rundir, t0, &l), 0);
	for (size_t i = 0; i < l.nev; i++) {
		const struct axon_tr_event *e = &l.ev[i];
		int k;

		if (e->pid != cli.pid ||
		    (e->type != AXON_TR_SEND && e->type != AXON_TR_SENDEND)) {
			continue;
		}
		for (k = 0; k < nt && tids[k] != e->tid; k++) {
		}
		if (k == nt) {
			ck_assert_int_lt(nt, 8);
			tids[nt++] = e->tid;
		}
		/* Per thread: send, its end, send, its end... */
		if (e->type == AXON_TR_SEND) {
			ck_assert_int_eq(open_send[k], 0);
			open_send[k] = 1;
			sends[k]++;
			total++;
		} else {
			ck_assert_int_eq(open_send[k], 1);
			ck_assert_int_eq(e->b, 0);
			open_send[k] = 0;
		}
	}
	ck_assert_int_eq(nt, 4);
	ck_assert_int_eq(total, 200);
	for (int k = 0; k < nt; k++) {
		ck_assert_int_eq(sends[k], 50);
	}
	axon__tr_free(&l);
	kid_kill(&cli);
	kid_kill(&srv);
}
END_TEST

/* A switch left on (its tracer killed) stops counting at its `until`:
 * events after it are not recorded, those before are. */
START_TEST(test_switch_expires)
{
	struct axon_tr_list l;
	uint64_t t0, now;
	size_t sends = 0;

	struct kid srv = kid_start(server_main, NULL);
	int chid = kid_read(&srv);
	ck_assert_int_gt(chid, 0);
	struct target tg = {0, srv.pid, chid, 3, 0};
	struct kid a = kid_start(client_main, &tg);
	struct kid b = kid_start(client_main, &tg);
	ck_assert_int_ge(kid_read(&a), 0);
	ck_assert_int_ge(kid_read(&b), 0);
	ck_assert_int_eq(axon__tr_switch(axt_rundir, 1, &t0), 0);
	kid_cmd(&a, 'g');
	ck_assert_int_eq(kid_read(&a), 3);
	/* Past until: still "on", but counting no more. */
	do {
		axt_sleep_ms(50);
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (uint64_t) ts.tv_sec * 1000000000ull +
		    (uint64_t) ts.tv_nsec;
	} while (now < t0 + 1000000000ull + 1000000);
	ck_assert_int_eq(switch_on(axt_rundir), 1);
	kid_cmd(&b, 'g');
	ck_assert_int_eq(kid_read(&b), 3);
	ck_assert_int_eq(axon__tr_collect(axt_rundir, t0, &l), 0);
	for (size_t i = 0; i < l.nev; i++) {
		if (l.ev[i].type == AXON_TR_SEND) {
			ck_assert_int_eq(l.ev[i].pid, a.pid);
			sends++;
		}
	}
	ck_assert_uint_eq(sends, 3);
	axon__tr_free(&l);
	ck_assert(!ring_exists(axt_rundir, b.pid));
	ck_assert_int_eq(axon__tr_switch(axt_rundir, 0, &now), 0);
	kid_kill(&a);
	kid_kill(&b);
	kid_kill(&srv);
}
END_TEST

/* Bad arguments, an unwritable file, an unknown node: exit 1 with a
 * message, no file, and the switch left off. */
START_TEST(test_errors)
{
	static const struct {
		const char *a[6];
		const char *msg;
	} cases[] = {
	    {{"-s", "1", NULL}, "no output file"},
	    {{"-s", "0", "-o", "x", NULL}, "bad --seconds"},
	    {{"-s", "86401", "-o", "x", NULL}, "bad --seconds"},
	    {{"-s", "abc", "-o", "x", NULL}, "bad --seconds"},
	    {{"-o", "x", "extra", NULL}, "unexpected argument"},
	    {{"-o", "x", "--all", "-n", "alpha", NULL}, "exclude"},
	    {{"-o", "x", "--bogus", NULL}, "bogus"},
	    {{"-o", "x", "-n", "nosuchnode", NULL}, "nosuchnode"},
	    {{"-o", "/nonexistent-dir/x.json", "-s", "1", NULL},
		"/nonexistent-dir/x.json"},
	};
	struct run r;
	char x[300];

	snprintf(x, sizeof(x), "%s/x.json", axt_rundir);
	/* (a process that used Axon made the switch) */
	ck_assert_int_gt(ChannelCreate(0), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *a[6];

		for (int k = 0; k < 6; k++) {
			a[k] = cases[i].a[k] != NULL &&
				strcmp(cases[i].a[k], "x") == 0
			    ? x
			    : cases[i].a[k];
		}
		run_start(&r, axt_rundir, a[0], a[1], a[2], a[3], a[4], a[5]);
		ck_assert_int_eq(run_wait(&r, 10), 1);
		ck_assert_msg(strstr(r.ebuf, cases[i].msg) != NULL,
		    "case %zu: stderr '%s'", i, r.ebuf);
		ck_assert_int_eq(switch_on(axt_rundir), 0);
		ck_assert_int_ne(access(x, F_OK), 0);
	}
}
END_TEST

/* --help goes to stdout and exits 0. */
START_TEST(test_help)
{
	struct run r;

	run_start(&r, axt_rundir, "--help", NULL);
	ck_assert_int_eq(run_wait(&r, 10), 0);
}
END_TEST

/* A program inserting events (TraceEvent(3)) once told 'g': a string
 * that JSON must escape, a simple event, a class event, a string longer
 * than the cap; reports how many calls succeeded. */
static void
user_main(int r, int c, void *arg)
{
	static char lng[1500];
	int good = 0;
	char g;

	(void) arg;
	memset(lng, 'x', sizeof(lng) - 1);
	rep(r, 0);
	if (read(c, &g, 1) != 1) {
		_exit(1);
	}
	good += TraceEvent(_NTO_TRACE_INSERTUSRSTREVENT, 23,
	    "say \"hi\"\n") == 0;
	good += TraceEvent(_NTO_TRACE_INSERTSUSEREVENT, 24, 1, -2) == 0;
	good += TraceEvent(_NTO_TRACE_INSERTSCLASSEVENT, _NTO_TRACE_COMM, 300,
	    5, 6) == 0;
	good += trace_logf(25, "%s", lng) == 0;
	rep(r, good);
	if (read(c, &g, 1) != 1) {
		_exit(1);
	}
}

/* `axon trace` shows each user event, put together from its chunks, as
 * a slice named after it with its text or integers. */
START_TEST(test_user_json)
{
	static char text[1 << 20];
	static char want[1200];
	char out[300], cmd[400];
	struct run r;
	FILE *jf;

	snprintf(out, sizeof(out), "%s/out.json", axt_rundir);
	struct kid k = kid_start(user_main, NULL);
	ck_assert_int_eq(kid_read(&k), 0);
	run_start(&r, axt_rundir, "--seconds", "1", "-o", out, NULL);
	ck_assert(wait_switch(axt_rundir, 1));
	kid_cmd(&k, 'g');
	ck_assert_int_eq(kid_read(&k), 4);
	ck_assert_int_eq(run_wait(&r, 20), 0);
	ck_assert_msg(r.ebuf[0] == '\0', "stderr: %s", r.ebuf);
	snprintf(cmd, sizeof(cmd),
	    "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' %s",
	    out);
	ck_assert_int_eq(system(cmd), 0);
	jf = fopen(out, "r");
	ck_assert_ptr_nonnull(jf);
	text[fread(text, 1, sizeof(text) - 1, jf)] = '\0';
	fclose(jf);
	ck_assert_ptr_nonnull(strstr(text,
	    "\"name\":\"user event 23: say \\\"hi\\\"\\n\""));
	ck_assert_ptr_nonnull(strstr(text,
	    "\"args\":{\"code\":23,\"text\":\"say \\\"hi\\\"\\n\"}"));
	ck_assert_ptr_nonnull(strstr(text, "\"name\":\"user event 24\""));
	ck_assert_ptr_nonnull(strstr(text,
	    "\"args\":{\"code\":24,\"data\":[1,-2]}"));
	ck_assert_ptr_nonnull(strstr(text, "\"name\":\"comm event 300\""));
	ck_assert_ptr_nonnull(strstr(text,
	    "\"args\":{\"class\":\"comm\",\"code\":300,\"data\":[5,6]}"));
	/* The long one: one slice, its text cut at the cap. */
	size_t wl = (size_t) snprintf(want, sizeof(want),
	    "\"args\":{\"code\":25,\"text\":\"");
	memset(want + wl, 'x', AXON_TRACE_STR_MAX);
	strcpy(want + wl + AXON_TRACE_STR_MAX, "\"}");
	ck_assert_ptr_nonnull(strstr(text, want));
	ck_assert_ptr_null(strstr(text, "incomplete"));
	ck_assert_ptr_nonnull(strstr(text, "\"name\":\"user event 25: xxx"));
	kid_kill(&k);
}
END_TEST

/* ---- two nodes ---- */

static void
net_setup(void)
{
	axt_setup();
	axn_setup(2);
}

static void
net_teardown(void)
{
	axn_teardown();
	axt_teardown();
}

/* A client on alpha, a server on beta, traced from alpha: both nodes'
 * events, the arrows across them, and the clock offset stated. */
START_TEST(test_two_nodes)
{
	char out[300];
	struct run r;

	/* (root's pulse is refused on beta unless root is root there) */
	snprintf(axn[1].extra, sizeof(axn[1].extra), "--maproot none");
	axn_start(0);
	axn_start(1);
	ck_assert(axn_wait_state(0, 1, "up", 5000));
	snprintf(out, sizeof(out), "%s/out.json", axt_rundir);
	axn_enter(1);
	struct kid srv = kid_start(server_main, NULL);
	int chid = kid_read(&srv);
	ck_assert_int_gt(chid, 0);
	axn_enter(0);
	struct target tg = {axn_nd(0, 1), srv.pid, chid, 4, 1};
	ck_assert_int_gt(tg.nd, 0);
	struct kid cli = kid_start(client_main, &tg);
	pid_t cpid = cli.pid;
	ck_assert_int_ge(kid_read(&cli), 0);
	run_start(&r, axn[0].rundir, "-n", "alpha", "-n", "beta", "-s", "3",
	    "-o", out, NULL);
	ck_assert(wait_switch(axn[0].rundir, 1));
	ck_assert(wait_switch(axn[1].rundir, 1));
	kid_cmd(&cli, 'g');
	ck_assert_int_eq(kid_read(&cli), 5);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(kid_read(&srv), 7 + i);
	}
	ck_assert_int_eq(kid_read(&srv), 1005);
	ck_assert_int_eq(run_wait(&r, 30), 0);
	ck_assert_msg(r.ebuf[0] == '\0', "stderr: %s", r.ebuf);
	ck_assert_int_eq(switch_on(axn[0].rundir), 0);
	ck_assert_int_eq(switch_on(axn[1].rundir), 0);
	ck_assert(check_json(out, "alpha", cpid, "beta", srv.pid, 4, 1,
	    false));
	/* --all: the same from the other side. */
	axn_enter(1);
	run_start(&r, axn[1].rundir, "--all", "-s", "1", "-o", out, NULL);
	ck_assert(wait_switch(axn[0].rundir, 1));
	ck_assert_int_eq(run_wait(&r, 30), 0);
	static char text[1 << 20];
	FILE *jf = fopen(out, "r");
	ck_assert_ptr_nonnull(jf);
	text[fread(text, 1, sizeof(text) - 1, jf)] = '\0';
	fclose(jf);
	ck_assert_ptr_nonnull(strstr(text, "\"name\":\"alpha\""));
	ck_assert_ptr_nonnull(strstr(text, "\"name\":\"beta\""));
	ck_assert_ptr_nonnull(strstr(text, "clock_error_ns"));
	kid_kill(&cli);
	kid_kill(&srv);
}
END_TEST

/* A node that is down: exit 1 naming it; the local switch is off again. */
START_TEST(test_node_down)
{
	char out[300];
	struct run r;

	axn_start(0);
	snprintf(out, sizeof(out), "%s/out.json", axt_rundir);
	axn_enter(0);
	run_start(&r, axn[0].rundir, "-n", "alpha", "-n", "beta", "-s", "1",
	    "-o", out, NULL);
	ck_assert_int_eq(run_wait(&r, 60), 1);
	ck_assert_msg(strstr(r.ebuf, "beta") != NULL, "stderr: %s", r.ebuf);
	ck_assert_int_eq(switch_on(axn[0].rundir), 0);
	ck_assert_int_ne(access(out, F_OK), 0);
}
END_TEST

/* ---- attacks by an unprivileged user ---- */

/* Runs fn as the attacker in a child; its exit status. */
static int
as_attacker(int (*fn)(void))
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		axa_become();
		_exit(fn());
	}
	int st = axt_waitpid(pid, 10 * axn_scale());
	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Root's switch: the attacker may not turn it on, nor remove or replace
 * it. */
static int
attack_switch(void)
{
	char path[300], tmp[300];
	uint64_t now;
	int fd;

	if (axon__tr_switch(axt_rundir, 5, &now) != -EACCES) {
		return 1;
	}
	snprintf(path, sizeof(path), "%s/trace/ctl", axt_rundir);
	snprintf(tmp, sizeof(tmp), "%s/trace/evil", axt_rundir);
	if (unlink(path) == 0 || open(path, O_RDWR) >= 0) {
		return 2;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0) {
		return 3;
	}
	close(fd);
	if (rename(tmp, path) == 0) {
		return 4;
	}
	return 0;
}

START_TEST(test_attack_switch)
{
	if (!axa_user("test_attack_switch")) {
		return;
	}
	axa_share_rundir(axt_rundir);
	ck_assert_int_gt(ChannelCreate(0), 0); /* root's switch */
	ck_assert_int_eq(switch_on(axt_rundir), 0);
	ck_assert_int_eq(as_attacker(attack_switch), 0);
	ck_assert_int_eq(switch_on(axt_rundir), 0);
}
END_TEST

/* The attacker makes the switch first, on, in the shared trace/
 * directory of a run directory of root's (hoping to truncate it under
 * root's processes later): root's processes neither map it nor record
 * anything. */
static int
attack_own_switch(void)
{
	struct axon_tr_ctl c = {.magic = AXON_TR_CTL_MAGIC,
	    .version = AXON_TR_VERSION, .on = 1, .until = UINT64_MAX};
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/trace/ctl", axt_rundir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0 || write(fd, &c, sizeof(c)) != (ssize_t) sizeof(c)) {
		return 2;
	}
	fchmod(fd, 0666);
	close(fd);
	return 0;
}

START_TEST(test_attack_own_switch)
{
	if (!axa_user("test_attack_own_switch")) {
		return;
	}
	axa_share_rundir(axt_rundir);
	char dir[300];
	snprintf(dir, sizeof(dir), "%s/trace", axt_rundir);
	ck_assert_int_eq(mkdir(dir, 01777), 0); /* as libaxon makes it */
	ck_assert_int_eq(chmod(dir, 01777), 0);
	ck_assert_int_eq(as_attacker(attack_own_switch), 0);
	ck_assert_int_eq(switch_on(axt_rundir), 1);
	/* Root's server and client exchange messages: no ring. */
	struct kid srv = kid_start(server_main, NULL);
	int chid = kid_read(&srv);
	ck_assert_int_gt(chid, 0);
	struct target tg = {0, srv.pid, chid, 3, 1};
	struct kid cli = kid_start(client_main, &tg);
	ck_assert_int_ge(kid_read(&cli), 0);
	kid_cmd(&cli, 'g');
	ck_assert_int_eq(kid_read(&cli), 4);
	ck_assert(!ring_exists(axt_rundir, srv.pid));
	ck_assert(!ring_exists(axt_rundir, cli.pid));
	kid_kill(&cli);
	kid_kill(&srv);
}
END_TEST

/* ---- the text form ---- */

static const char golden[] =
    "now 123456789 lost 0\n"
    "P 12 0 srv\n"
    "P 40 3 client-1\n"
    "E 12 12 1000 7 1 1 0 0 0 0\n"
    "E 12 12 2000 3 1 4227072 0 40 41 4\n"
    "E 40 41 900 1 1073741824 0 12 1 0 0\n"
    "E 40 41 3000 2 1073741824 0 0 0 0 -9223372036854775808\n"
    "E 40 41 3500 6 5 -128 0 12 1 9223372036854775807\n"
    "E 12 13 4000 5 4227072 0 0 0 0 -2147483648\n";

START_TEST(test_text_roundtrip)
{
	struct axon_tr_list l;
	char *text;
	size_t len;

	ck_assert_int_eq(axon__tr_parse(golden, strlen(golden), &l), 0);
	ck_assert_uint_eq(l.now, 123456789);
	ck_assert_uint_eq(l.nprocs, 2);
	ck_assert_str_eq(l.procs[1].name, "client-1");
	ck_assert_uint_eq(l.procs[1].dropped, 3);
	ck_assert_uint_eq(l.nev, 6);
	ck_assert_int_eq(l.ev[1].type, AXON_TR_RECV);
	ck_assert_int_eq(l.ev[1].d, 40);
	ck_assert_int_eq(l.ev[1].e, 41);
	ck_assert(l.ev[3].x == INT64_MIN);
	ck_assert_int_eq(l.ev[4].b, -128);
	ck_assert_int_eq(axon__tr_format(&l, &text, &len), 0);
	ck_assert_uint_eq(len, strlen(golden));
	ck_assert(memcmp(text, golden, len) == 0);
	free(text);
	axon__tr_free(&l);
	/* Empty: the header alone. */
	ck_assert_int_eq(axon__tr_parse("now 0 lost 0\n", 13, &l), 0);
	ck_assert_uint_eq(l.nev, 0);
	axon__tr_free(&l);
}
END_TEST

/* User events (TraceEvent(3)): chunks as traceinfo.h lays them out. */
static const char golden_user[] =
    "now 5 lost 0\n"
    "P 40 0 client\n"
    "E 40 41 100 9 23 1048674 1819043176 111 0 0\n"
    "E 40 41 200 9 24 537919585 1 -2 0 0\n"
    "E 40 41 300 9 25 1343225953 3 4 5 -4294967290\n"
    "E 40 41 400 9 26 2097250 1684234849 1751606885 1818978921 "
    "8391176362264587885\n"
    "E 40 41 401 9 26 2101346 30325 0 0 0\n"
    "E 40 42 500 9 300 537919649 5 6 0 0\n";

/* The text form carries user events both ways, and their chunks put
 * together give the strings and integers inserted. */
START_TEST(test_text_user)
{
	static const int32_t five[5] = {3, 4, 5, 6, -1};
	static struct axon_tr_user u;
	struct axon_tr_list l;
	char *text;
	size_t len;

	ck_assert_int_eq(axon__tr_parse(golden_user, strlen(golden_user), &l),
	    0);
	ck_assert_uint_eq(l.nev, 6);
	ck_assert_str_eq(axon__tr_type_name(l.ev[0].type), "user");
	ck_assert(axon__tr_user_start(&u, &l.ev[0]));
	ck_assert(u.whole && u.kind == AXON_TR_UKIND_STR && u.code == 23);
	ck_assert_str_eq(u.u.text, "hello");
	ck_assert(!axon__tr_user_add(&u, &l.ev[1])); /* another event */
	ck_assert(axon__tr_user_start(&u, &l.ev[1]));
	ck_assert(u.whole && u.kind == AXON_TR_UKIND_INTS && u.len == 2);
	ck_assert(u.u.data[0] == 1 && u.u.data[1] == -2);
	ck_assert(axon__tr_user_start(&u, &l.ev[2]));
	ck_assert_uint_eq(u.len, 5);
	ck_assert(memcmp(u.u.data, five, sizeof(five)) == 0);
	/* Two chunks; the second alone is not whole. */
	ck_assert(axon__tr_user_start(&u, &l.ev[3]));
	ck_assert(!u.whole);
	ck_assert(axon__tr_user_add(&u, &l.ev[4]));
	ck_assert(u.whole);
	ck_assert_str_eq(u.u.text, "abcdefghijklmnopqrstuv");
	ck_assert(axon__tr_user_start(&u, &l.ev[4]));
	ck_assert(!u.whole);
	ck_assert_str_eq(u.u.text, "uv");
	ck_assert(axon__tr_user_start(&u, &l.ev[5]));
	ck_assert_int_eq(u.cls, 10); /* _NTO_TRACE_COMM */
	ck_assert_str_eq(axon__tr_class_name(u.cls), "comm");
	ck_assert_int_eq(u.code, 300);
	ck_assert_int_eq(axon__tr_format(&l, &text, &len), 0);
	ck_assert_uint_eq(len, strlen(golden_user));
	ck_assert(memcmp(text, golden_user, len) == 0);
	free(text);
	axon__tr_free(&l);
}
END_TEST

START_TEST(test_parse_rejects)
{
	static const char *const bad[] = {
	    "",
	    "now 1 lost 0",                 /* no newline */
	    "now 01 lost 0\n",              /* leading zero */
	    "now 1 lost 0\nP 0 0 a\n",      /* pid 0 */
	    "now 1 lost 0\nP 1 0 \n",       /* no name */
	    "now 1 lost 0\nP 1 0 a b\n",    /* space in the name */
	    "now 1 lost 0\nP 1 0 abcdefghijklmnop\n", /* 16 bytes */
	    "now 1 lost 0\nP 1 0 a\nP 1 0 b\n",       /* twice */
	    "now 1 lost 0\nE 1 1 1 1 0 0 0 0 0 0\n",  /* no such process */
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 0 0 0 0 0 0 0\n", /* type 0 */
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 10 0 0 0 0 0 0\n", /* type 10 */
	    /* user events' chunks (type 9) that are not well-formed */
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 9 0 0 0 0 0 0\n", /* b 0 */
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 9 0 1048675 0 0 0 0\n", /* kind */
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 9 0 1052770 0 0 0 0\n", /* idx */
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 9 0 1048578 0 0 0 0\n", /* cls 0 */
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 9 0 537919761 0 0 0 0\n", /* 17 */
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 9 1024 1048674 0 0 0 0\n",
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 9 -1 1048674 0 0 0 0\n",
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 9 0 1611661409 0 0 0 0\n", /* 6 */
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 9 0 269484130 0 0 0 0\n",
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 9 0 98 0 0 0 0\n", /* 0 chunks */
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 9 0 55574626 0 0 0 0\n", /* 53 */
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 9 0 -1 0 0 0 0\n",
	    "now 1 lost 0\nP 1 0 a\nE 1 0 1 1 0 0 0 0 0 0\n", /* tid 0 */
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 1 -0 0 0 0 0 0\n",
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 1 2147483648 0 0 0 0 0\n",
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 1 0 0 0 0 0 9223372036854775808\n",
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 1 0 0 0 0 0\n", /* short */
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 1 0 0 0 0 0 0 0\n", /* long */
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 1 0 0 0 0 0 0\nP 2 0 b\n",
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 1 0  0 0 0 0 0\n",
	    "now 1 lost 0\nP 1 0 a\nE 1 1 1 1 +1 0 0 0 0 0\n",
	    "now 18446744073709551616 lost 0\n",
	    "now 1 lost 0\nX\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct axon_tr_list l;

		ck_assert_msg(axon__tr_parse(bad[i], strlen(bad[i]), &l) ==
			-EPROTO,
		    "accepted %zu: %s", i, bad[i]);
		ck_assert_ptr_null(l.ev);
		ck_assert_ptr_null(l.procs);
	}
}
END_TEST

/* Rings another user could forge: wrong size, magic, pid, events with
 * bad types or torn sequence words.  The collector keeps only what
 * checks out, and removes nothing of a live process. */
START_TEST(test_forged_rings)
{
	char dir[300], path[400];
	struct axon_tr_list l;
	struct axon_tr_ring *r;
	uint64_t now;

	ck_assert_int_eq(axon__tr_switch(axt_rundir, 1, &now), 0);
	snprintf(dir, sizeof(dir), "%s/trace", axt_rundir);
	/* A short file named like a ring. */
	snprintf(path, sizeof(path), "%s/%d", dir, 999999);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("garbage", f);
	fclose(f);
	/* A ring of the right size with a pid that is not its name's,
	 * then one with good and bad events. */
	for (int k = 0; k < 2; k++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%d", dir, 999990 + k);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(ftruncate(fd, sizeof(*r)), 0);
		r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, 0);
		ck_assert_ptr_ne(r, MAP_FAILED);
		close(fd);
		r->magic = AXON_TR_RING_MAGIC;
		r->version = AXON_TR_VERSION;
		r->size = sizeof(*r);
		r->pid = k == 0 ? 1 : 999991;
		memcpy(r->name, "bad name\n", 9);
		atomic_store(&r->head, 4);
		for (int i = 0; i < 4; i++) {
			r->ent[i].ts = now + 1 + (uint64_t) i;
			r->ent[i].tid = 5;
			r->ent[i].type = AXON_TR_SEND;
			atomic_store(&r->ent[i].seq, (uint64_t) i + 1);
		}
		r->ent[1].type = 77;                 /* unknown type */
		atomic_store(&r->ent[2].seq, 9);     /* not its slot */
		r->ent[3].tid = -4;                  /* no thread */
		munmap(r, sizeof(*r));
	}
	ck_assert_int_eq(axon__tr_collect(axt_rundir, now, &l), 0);
	ck_assert_uint_eq(l.nprocs, 1);
	ck_assert_int_eq(l.procs[0].pid, 999991);
	ck_assert_str_eq(l.procs[0].name, "?"); /* not a name: replaced */
	ck_assert_uint_eq(l.nev, 1);
	ck_assert_int_eq(l.ev[0].type, AXON_TR_SEND);
	/* Its text form parses back. */
	char *text;
	size_t len;
	struct axon_tr_list b;
	ck_assert_int_eq(axon__tr_format(&l, &text, &len), 0);
	ck_assert_int_eq(axon__tr_parse(text, len, &b), 0);
	ck_assert_uint_eq(b.nev, 1);
	free(text);
	axon__tr_free(&b);
	axon__tr_free(&l);
	/* Nobody holds their locks: all removed as dead. */
	snprintf(path, sizeof(path), "%s/%d", dir, 999991);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_int_eq(axon__tr_switch(axt_rundir, 0, &now), 0);
	ck_assert_int_eq(switch_on(axt_rundir), 0);
}
END_TEST

/* More events than the text form holds: the rest are counted as left
 * out, and the text stays within its bound and parses. */
START_TEST(test_text_cap)
{
	char dir[300], path[400];
	struct axon_tr_list l, b;
	struct axon_tr_ring *r;
	uint64_t now;
	char *text;
	size_t len;

	ck_assert_int_eq(axon__tr_switch(axt_rundir, 1, &now), 0);
	snprintf(dir, sizeof(dir), "%s/trace", axt_rundir);
	for (int k = 0; k < 4; k++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%d", dir, 999980 + k);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(ftruncate(fd, sizeof(*r)), 0);
		r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, 0);
		ck_assert_ptr_ne(r, MAP_FAILED);
		close(fd);
		r->magic = AXON_TR_RING_MAGIC;
		r->version = AXON_TR_VERSION;
		r->size = sizeof(*r);
		r->pid = 999980 + k;
		strcpy(r->name, "big");
		atomic_store(&r->head, AXON_TR_ENTRIES);
		for (unsigned i = 0; i < AXON_TR_ENTRIES; i++) {
			r->ent[i].ts = now + 1 + i;
			r->ent[i].tid = 2147483647;
			r->ent[i].type = AXON_TR_RECV;
			r->ent[i].a = r->ent[i].b = r->ent[i].c = INT32_MIN;
			r->ent[i].d = r->ent[i].e = INT32_MIN;
			r->ent[i].x = INT64_MIN;
			atomic_store(&r->ent[i].seq, (uint64_t) i + 1);
		}
		munmap(r, sizeof(*r));
	}
	ck_assert_int_eq(axon__tr_collect(axt_rundir, now, &l), 0);
	ck_assert_uint_eq(l.nev + l.lost, 4 * AXON_TR_ENTRIES);
	ck_assert_uint_gt(l.lost, 0);
	ck_assert_int_eq(axon__tr_format(&l, &text, &len), 0);
	ck_assert_uint_le(len, AXON_TR_TEXT_MAX);
	ck_assert_int_eq(axon__tr_parse(text, len, &b), 0);
	ck_assert_uint_eq(b.nev, l.nev);
	ck_assert(b.lost == l.lost);
	free(text);
	axon__tr_free(&b);
	axon__tr_free(&l);
	ck_assert_int_eq(axon__tr_switch(axt_rundir, 0, &now), 0);
}
END_TEST

static Suite *
trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = axt_tcase("local", 60);
	TCase *tt = axt_tcase("text", 30);
	TCase *tn = tcase_create("net");
	const char *m = getenv("AXON_TEST_TIMEOUT_MULTIPLIER");

	tcase_add_test(tc, test_local_exchange);
	tcase_add_test(tc, test_killed_mid_trace);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_user_json);
	tcase_add_test(tc, test_switch_expires);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_attack_switch);
	tcase_add_test(tc, test_attack_own_switch);
	tcase_add_test(tt, test_text_roundtrip);
	tcase_add_test(tt, test_text_user);
	tcase_add_test(tt, test_parse_rejects);
	tcase_add_test(tt, test_forged_rings);
	tcase_add_test(tt, test_text_cap);
	tcase_add_unchecked_fixture(tn, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(tn, net_setup, net_teardown);
	tcase_set_timeout(tn, 120 * (m != NULL && atof(m) > 0 ? atof(m) : 1));
	tcase_add_test(tn, test_two_nodes);
	tcase_add_test(tn, test_node_down);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tt);
	suite_add_tcase(s, tn);
	return s;
}

int
main(void)
{
	return axt_run(trace_suite());
}
