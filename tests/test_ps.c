/* SPDX-License-Identifier: MIT */
/*
 * Status pages and `axon ps` (docs/design/local-transport.md §10): real
 * processes blocked in each state, as axon__ps_collect() sees them; the
 * tables; dead, exec'd and forged pages; a process without a page; the
 * text form, both ways, and what its decoder refuses.
 */
#include "net_test.h"

#include <pthread.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "axon_spi.h" /* axon__proc_start_time */
#include "psinfo.h"

/* ------------------------------------------------------------------ */
/* Helper processes: a report pipe (ints) and a command pipe (bytes).  */
/* ------------------------------------------------------------------ */

struct kid {
	pid_t pid;
	int rep; /* read end */
	int cmd; /* write end */
};

typedef void (*kid_fn)(int rep, int cmd, void *arg);

static struct kid
kid_start(kid_fn fn, void *arg)
{
	struct kid k;
	int r[2];
	int c[2];

	ck_assert_int_eq(pipe2(r, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(c, O_CLOEXEC), 0);
	k.pid = fork();
	ck_assert_int_ge(k.pid, 0);
	if (k.pid == 0) {
		/* Gone with the test, even when blocked in Axon. */
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

/* The kid's next report (bounded). */
static int
kid_read(struct kid *k)
{
	struct pollfd pfd = {.fd = k->rep, .events = POLLIN};
	int v = -1;

	ck_assert_msg(poll(&pfd, 1, (int) (5000 * axn_scale())) == 1,
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
		k->rep = -1;
	}
	if (k->cmd >= 0) {
		close(k->cmd);
		k->cmd = -1;
	}
}

static char
cmd_get(int cmd)
{
	char c;

	if (read(cmd, &c, 1) != 1) {
		_exit(0); /* the test is gone */
	}
	return c;
}

/*
 * A server: creates a channel with the flags *arg, reports its chid,
 * then obeys: 'g' receive one message (report the rcvid), 'r' reply to
 * it, 'x' exit(0), 'e' exec sleep.
 */
static void
cmd_server(int rep, int cmd, void *arg)
{
	unsigned flags = arg != NULL ? *(unsigned *) arg : 0;
	int chid = ChannelCreate(flags);
	rcvid_t rcvid = 0;
	char buf[64];

	axt_report(rep, chid);
	for (;;) {
		switch (cmd_get(cmd)) {
		case 'g':
			do {
				rcvid = MsgReceive(chid, buf, sizeof(buf),
				    NULL);
			} while (rcvid == 0); /* (a pulse) */
			axt_report(rep, (int) rcvid);
			break;
		case 'r':
			MsgReply(rcvid, 7, "ok", 3);
			break;
		case 'e':
			execl("/bin/sleep", "sleep", "30", (char *) NULL);
			_exit(127);
		default:
			exit(0); /* clean: the page goes */
		}
	}
}

struct target {
	int nd;
	pid_t pid;
	int chid;
};

/* A client: connects, reports the coid, then 's' sends (and reports
 * the status once answered), anything else exits. */
static void
cmd_client(int rep, int cmd, void *arg)
{
	struct target *t = arg;
	char buf[16];
	int coid;

	coid = ConnectAttach((uint32_t) t->nd, t->pid, t->chid,
	    _NTO_SIDE_CHANNEL, 0);
	axt_report(rep, coid);
	while (cmd_get(cmd) == 's') {
		axt_report(rep, (int) MsgSend(coid, "hi", 3, buf, sizeof(buf)));
	}
}

/* ------------------------------------------------------------------ */
/* Looking                                                              */
/* ------------------------------------------------------------------ */

static const struct axon_ps_proc *
find_proc(const struct axon_ps_list *l, int pid)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->procs[i].pid == pid) {
			return &l->procs[i];
		}
	}
	return NULL;
}

static const struct axon_ps_thread *
find_thread(const struct axon_ps_proc *p, int tid)
{
	for (size_t i = 0; p != NULL && i < p->nthreads; i++) {
		if (p->threads[i].tid == tid) {
			return &p->threads[i];
		}
	}
	return NULL;
}

/* Is pid listed in rundir now?  (*ret: its entry, if wanted.) */
static bool
listed(const char *rundir, int pid, struct axon_ps_proc *ret)
{
	struct axon_ps_list l;
	const struct axon_ps_proc *p;
	bool found;

	ck_assert_int_eq(axon__ps_collect(rundir, 0, &l), 0);
	p = find_proc(&l, pid);
	found = p != NULL;
	if (found && ret != NULL) {
		*ret = *p;
		ret->threads = NULL;
		ret->chans = NULL;
		ret->conns = NULL;
	}
	axon__ps_free(&l);
	return found;
}

/* Waits (bounded) until thread tid of pid is in state; *ret: it. */
static bool
wait_state(const char *rundir, int pid, int tid, int state,
    struct axon_ps_thread *ret)
{
	double end = axt_now() + 5 * axn_scale();

	do {
		struct axon_ps_list l;
		const struct axon_ps_thread *t;

		ck_assert_int_eq(axon__ps_collect(rundir, pid, &l), 0);
		t = find_thread(find_proc(&l, pid), tid);
		if (t != NULL && t->state == state) {
			if (ret != NULL) {
				*ret = *t;
			}
			axon__ps_free(&l);
			return true;
		}
		axon__ps_free(&l);
		axt_sleep_ms(2);
	} while (axt_now() < end);
	return false;
}

static bool
wait_unlisted(const char *rundir, int pid)
{
	double end = axt_now() + 5 * axn_scale();

	do {
		if (!listed(rundir, pid, NULL)) {
			return true;
		}
		axt_sleep_ms(5);
	} while (axt_now() < end);
	return false;
}

static void
local_name(char *buf, size_t len)
{
	ck_assert_int_gt(netmgr_ndtostr(0, 0, buf, len), 0);
}

static bool
page_exists(const char *rundir, int pid)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/ps/%d", rundir, pid);
	return access(path, F_OK) == 0;
}

/* ------------------------------------------------------------------ */
/* States                                                               */
/* ------------------------------------------------------------------ */

START_TEST(test_receive_blocked)
{
	unsigned flags = _NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK;
	struct kid srv = kid_start(cmd_server, &flags);
	int chid = kid_read(&srv);
	struct axon_ps_thread t;
	struct axon_ps_list l;
	const struct axon_ps_proc *p;
	char comm[64] = "";

	ck_assert_int_gt(chid, 0);
	kid_cmd(&srv, 'g');
	ck_assert(wait_state(axt_rundir, srv.pid, srv.pid, AXON_PS_RECEIVE,
	    &t));
	ck_assert_int_eq(t.chid, chid);
	ck_assert_int_eq(t.coid, -1);

	ck_assert_int_eq(axon__ps_collect(axt_rundir, srv.pid, &l), 0);
	ck_assert_uint_eq(l.n, 1);
	p = &l.procs[0];
	ck_assert_int_eq(p->pid, srv.pid);
	ck_assert_uint_eq(p->uid, geteuid());
	/* The name is the kid's comm, which it inherited from us. */
	FILE *f = fopen("/proc/self/comm", "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	ck_assert_str_eq(p->name, comm);
	ck_assert(!p->truncated);
	ck_assert_uint_eq(p->nthreads, 1);
	ck_assert_uint_eq(p->nchans, 1);
	ck_assert_int_eq(p->chans[0].chid, chid);
	ck_assert_uint_eq(p->chans[0].flags, flags);
	ck_assert_uint_eq(p->nconns, 0);
	axon__ps_free(&l);
	ck_assert_ptr_null(l.procs);
	kid_kill(&srv);
}
END_TEST

/*
 * A client SEND-blocked (the server is not receiving), then REPLY-blocked
 * once the server takes the message: the client sleeps through that, so
 * only the server's held[] word can tell, then RUNNING after the reply.
 */
START_TEST(test_send_then_reply_blocked)
{
	struct kid srv = kid_start(cmd_server, NULL);
	int chid = kid_read(&srv);
	struct target tg = {0, srv.pid, chid};
	struct kid cli = kid_start(cmd_client, &tg);
	int coid = kid_read(&cli);
	struct axon_ps_thread t;
	struct axon_ps_proc pr;
	char node[64];

	local_name(node, sizeof(node));
	ck_assert_int_ge(coid, 0);
	kid_cmd(&cli, 's');
	ck_assert(wait_state(axt_rundir, cli.pid, cli.pid, AXON_PS_SEND, &t));
	ck_assert_int_eq(t.coid, coid);
	ck_assert_str_eq(t.node, node);
	ck_assert_int_eq(t.pid, srv.pid);
	ck_assert_int_eq(t.tchid, chid);
	/* (It stays SEND-blocked: nobody receives.) */
	axt_sleep_ms(50);
	ck_assert(wait_state(axt_rundir, cli.pid, cli.pid, AXON_PS_SEND, NULL));

	kid_cmd(&srv, 'g');
	ck_assert_int_gt(kid_read(&srv), 0); /* received */
	ck_assert(wait_state(axt_rundir, cli.pid, cli.pid, AXON_PS_REPLY,
	    &t));
	ck_assert_int_eq(t.coid, coid);
	ck_assert_str_eq(t.node, node);
	ck_assert_int_eq(t.pid, srv.pid);
	ck_assert_int_eq(t.tchid, chid);
	/* The server is busy elsewhere (reading its command pipe). */
	ck_assert(wait_state(axt_rundir, srv.pid, srv.pid, AXON_PS_RUNNING,
	    NULL));
	ck_assert(listed(axt_rundir, cli.pid, &pr));
	ck_assert_uint_eq(pr.nconns, 1);
	ck_assert_uint_eq(pr.nchans, 0);

	kid_cmd(&srv, 'r');
	ck_assert_int_eq(kid_read(&cli), 7);
	ck_assert(wait_state(axt_rundir, cli.pid, cli.pid, AXON_PS_RUNNING,
	    &t));
	ck_assert_int_eq(t.coid, -1);
	kid_kill(&cli);
	kid_kill(&srv);
}
END_TEST

/* The server already waits: the client is REPLY-blocked at once. */
START_TEST(test_reply_blocked)
{
	struct kid srv = kid_start(cmd_server, NULL);
	int chid = kid_read(&srv);
	struct target tg = {0, srv.pid, chid};
	struct kid cli = kid_start(cmd_client, &tg);
	int coid = kid_read(&cli);
	struct axon_ps_thread t;
	struct axon_ps_list l;
	const struct axon_ps_proc *p;
	char node[64];

	local_name(node, sizeof(node));
	kid_cmd(&srv, 'g');
	ck_assert(wait_state(axt_rundir, srv.pid, srv.pid, AXON_PS_RECEIVE,
	    NULL));
	kid_cmd(&cli, 's');
	ck_assert_int_gt(kid_read(&srv), 0);
	ck_assert(wait_state(axt_rundir, cli.pid, cli.pid, AXON_PS_REPLY,
	    &t));
	ck_assert_int_eq(t.coid, coid);
	ck_assert_int_eq(t.pid, srv.pid);
	ck_assert_int_eq(t.tchid, chid);

	/* Everything, in one list: both processes, in pid order. */
	ck_assert_int_eq(axon__ps_collect(axt_rundir, 0, &l), 0);
	ck_assert_uint_ge(l.n, 2);
	for (size_t i = 1; i < l.n; i++) {
		ck_assert_int_lt(l.procs[i - 1].pid, l.procs[i].pid);
	}
	p = find_proc(&l, cli.pid);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nconns, 1);
	ck_assert_int_eq(p->conns[0].coid, coid);
	ck_assert_str_eq(p->conns[0].node, node);
	ck_assert_int_eq(p->conns[0].pid, srv.pid);
	ck_assert_int_eq(p->conns[0].chid, chid);
	ck_assert_ptr_nonnull(find_proc(&l, srv.pid));
	axon__ps_free(&l);

	kid_cmd(&srv, 'r');
	ck_assert_int_eq(kid_read(&cli), 7);
	ck_assert(wait_state(axt_rundir, cli.pid, cli.pid, AXON_PS_RUNNING,
	    NULL));
	ck_assert(wait_state(axt_rundir, srv.pid, srv.pid, AXON_PS_RUNNING,
	    NULL));
	kid_kill(&cli);
	kid_kill(&srv);
}
END_TEST

static void *
pulse_waiter(void *arg)
{
	int chid = *(int *) arg;
	struct _pulse pu;

	__atomic_store_n((int *) arg, (int) syscall(SYS_gettid),
	    __ATOMIC_SEQ_CST);
	(void) MsgReceivePulse(chid, &pu, sizeof(pu), NULL);
	return NULL;
}

/* This process's own page: threads, channels, connections, as they
 * come and go. */
START_TEST(test_tables)
{
	int me = getpid();
	int chid1 = ChannelCreate(0);
	int chid2 = ChannelCreate(_NTO_CHF_UNBLOCK | _NTO_CHF_DISCONNECT);
	int coid1 = ConnectAttach(0, 0, chid1, _NTO_SIDE_CHANNEL, 0);
	int coid2 = ConnectAttach(0, 0, chid1, _NTO_SIDE_CHANNEL, 0);
	int coid3 = ConnectAttach(0, 0, chid2, 0, 0);
	struct axon_ps_thread t;
	struct axon_ps_list l;
	const struct axon_ps_proc *p;
	pthread_t th;
	int arg = chid2;
	char node[64];

	local_name(node, sizeof(node));
	ck_assert_int_gt(chid1, 0);
	ck_assert_int_gt(chid2, 0);
	ck_assert_int_ge(coid1, 0);
	ck_assert_int_ge(coid2, 0);
	ck_assert_int_ge(coid3, 0);
	ck_assert(page_exists(axt_rundir, me));
	ck_assert_int_eq(pthread_create(&th, NULL, pulse_waiter, &arg), 0);
	while (__atomic_load_n(&arg, __ATOMIC_SEQ_CST) == chid2) {
		axt_sleep_ms(1);
	}
	int tid = arg;
	ck_assert(wait_state(axt_rundir, me, tid, AXON_PS_RECVPULSE, &t));
	ck_assert_int_eq(t.chid, chid2);

	ck_assert_int_eq(axon__ps_collect(axt_rundir, me, &l), 0);
	p = find_proc(&l, me);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nthreads, 2);
	ck_assert_int_eq(find_thread(p, me)->state, AXON_PS_RUNNING);
	ck_assert_uint_eq(p->nchans, 2);
	ck_assert_int_eq(p->chans[0].chid, chid1);
	ck_assert_uint_eq(p->chans[0].flags, 0);
	ck_assert_int_eq(p->chans[1].chid, chid2);
	ck_assert_uint_eq(p->chans[1].flags,
	    _NTO_CHF_UNBLOCK | _NTO_CHF_DISCONNECT);
	ck_assert_uint_eq(p->nconns, 3);
	/* In coid order: the fd-range coid first. */
	ck_assert_int_eq(p->conns[0].coid, coid3);
	ck_assert_int_eq(p->conns[0].chid, chid2);
	ck_assert_int_eq(p->conns[1].coid, coid1);
	ck_assert_int_eq(p->conns[2].coid, coid2);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(p->conns[i].pid, me);
		ck_assert_str_eq(p->conns[i].node, node);
	}
	axon__ps_free(&l);

	/* The thread leaves: so does its record. */
	ck_assert_int_eq(MsgSendPulse(coid3, 10, 1, 0), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(ConnectDetach(coid2), 0);
	ck_assert_int_eq(ChannelDestroy(chid2), 0);
	ck_assert_int_eq(axon__ps_collect(axt_rundir, me, &l), 0);
	p = find_proc(&l, me);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nthreads, 1);
	ck_assert_int_eq(p->threads[0].tid, me);
	ck_assert_uint_eq(p->nchans, 1);
	ck_assert_int_eq(p->chans[0].chid, chid1);
	ck_assert_uint_eq(p->nconns, 2);
	ck_assert_int_eq(p->conns[0].coid, coid3); /* (dead, not detached) */
	ck_assert_int_eq(p->conns[1].coid, coid1);

	/* The text of a real list reads back the same. */
	char *text;
	size_t len;
	struct axon_ps_list back;
	ck_assert_int_eq(axon__ps_format(&l, &text, &len), 0);
	ck_assert_int_eq(axon__ps_parse((const uint8_t *) text, len, &back),
	    0);
	ck_assert_uint_eq(back.n, 1);
	ck_assert_int_eq(back.procs[0].nconns, 2);
	axon__ps_free(&back);
	free(text);
	axon__ps_free(&l);
}
END_TEST

/* More channels than the page holds: a flag, never a failure. */
START_TEST(test_overflow)
{
	int chids[AXON_PS_CHANS + 4];
	struct axon_ps_proc pr;

	for (unsigned i = 0; i < AXON_PS_CHANS + 4; i++) {
		chids[i] = ChannelCreate(0);
		ck_assert_int_gt(chids[i], 0);
	}
	ck_assert(listed(axt_rundir, getpid(), &pr));
	ck_assert(pr.truncated);
	ck_assert_uint_eq(pr.nchans, AXON_PS_CHANS);
	for (unsigned i = 0; i < AXON_PS_CHANS + 4; i++) {
		ck_assert_int_eq(ChannelDestroy(chids[i]), 0);
	}
	ck_assert(listed(axt_rundir, getpid(), &pr));
	ck_assert_uint_eq(pr.nchans, 0);
	ck_assert(pr.truncated); /* (it was) */
}
END_TEST

/* ------------------------------------------------------------------ */
/* Stale pages                                                          */
/* ------------------------------------------------------------------ */

START_TEST(test_dead_process)
{
	struct kid srv = kid_start(cmd_server, NULL);
	int chid = kid_read(&srv);
	int pid = srv.pid;

	ck_assert_int_gt(chid, 0);
	ck_assert(listed(axt_rundir, pid, NULL));
	/* Killed: its page stays behind, and is ignored. */
	kid_kill(&srv);
	ck_assert(page_exists(axt_rundir, pid));
	ck_assert(wait_unlisted(axt_rundir, pid));

	/* A clean exit removes the page. */
	srv = kid_start(cmd_server, NULL);
	ck_assert_int_gt(kid_read(&srv), 0);
	pid = srv.pid;
	ck_assert(page_exists(axt_rundir, pid));
	kid_cmd(&srv, 'x');
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	srv.pid = -1;
	ck_assert(!page_exists(axt_rundir, pid));
	ck_assert(!listed(axt_rundir, pid, NULL));
	kid_kill(&srv);
}
END_TEST

/* A program that exec'd another keeps its pid and start time: the page
 * is stale all the same (nobody maps it, so nobody holds its lock). */
START_TEST(test_exec)
{
	struct kid srv = kid_start(cmd_server, NULL);

	ck_assert_int_gt(kid_read(&srv), 0);
	ck_assert(listed(axt_rundir, srv.pid, NULL));
	kid_cmd(&srv, 'e');
	ck_assert(wait_unlisted(axt_rundir, srv.pid));
	ck_assert(page_exists(axt_rundir, srv.pid));
	kid_kill(&srv);
}
END_TEST

static void
sleeper(int rep, int cmd, void *arg)
{
	(void) arg;
	axt_report(rep, 1);
	(void) cmd_get(cmd);
}

/* Writes a page for pid as its process would; returns the open fd
 * (holding the page's lock). */
static int
forge_page(int pid, uint64_t start)
{
	struct axon_psp *pg = calloc(1, sizeof(*pg));
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	char path[512];
	int fd;

	ck_assert_ptr_nonnull(pg);
	snprintf(path, sizeof(path), "%s/ps", axt_rundir);
	(void) mkdir(path, 01777);
	snprintf(path, sizeof(path), "%s/ps/%d", axt_rundir, pid);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	pg->hdr.magic = AXON_PS_MAGIC;
	pg->hdr.version = AXON_PS_VERSION;
	pg->hdr.size = sizeof(*pg);
	pg->hdr.pid = pid;
	pg->hdr.start_time = start;
	pg->thr[0].tid = pid;
	pg->thr[0].state = AXON_PS_RECEIVE;
	pg->thr[0].chid = 5;
	ck_assert_int_eq(pwrite(fd, pg, sizeof(*pg), 0), sizeof(*pg));
	ck_assert_int_eq(fcntl(fd, F_OFD_SETLK, &fl), 0);
	free(pg);
	return fd;
}

/* Pages that do not belong to the live process of their pid. */
START_TEST(test_forged_pages)
{
	struct kid k = kid_start(sleeper, NULL);
	uint64_t start;
	struct axon_ps_thread t;
	int fd;

	ck_assert_int_eq(kid_read(&k), 1);
	start = axon__proc_start_time(k.pid);
	ck_assert_uint_ne(start, 0);
	/* As its process would make it: listed (the forgery is good). */
	fd = forge_page(k.pid, start);
	ck_assert(wait_state(axt_rundir, k.pid, k.pid, AXON_PS_RECEIVE, &t));
	ck_assert_int_eq(t.chid, 5);
	close(fd);
	/* Nobody holds its lock (its process died or exec'd). */
	ck_assert(!listed(axt_rundir, k.pid, NULL));
	/* Another process's start time: the pid was reused. */
	fd = forge_page(k.pid, start + 1);
	ck_assert(!listed(axt_rundir, k.pid, NULL));
	close(fd);
	/* Another pid inside than its name says. */
	fd = forge_page(k.pid, start);
	char from[512], to[512];
	snprintf(from, sizeof(from), "%s/ps/%d", axt_rundir, k.pid);
	snprintf(to, sizeof(to), "%s/ps/%d", axt_rundir, getpid());
	ck_assert_int_eq(rename(from, to), 0);
	ck_assert(!listed(axt_rundir, getpid(), NULL));
	close(fd);
	kid_kill(&k);
}
END_TEST

/* ------------------------------------------------------------------ */
/* No page                                                              */
/* ------------------------------------------------------------------ */

static void
echo_server(int rep, int cmd, void *arg)
{
	int chid = ChannelCreate(0);
	char buf[64];

	(void) cmd;
	(void) arg;
	axt_report(rep, chid);
	for (;;) {
		struct _msg_info info;
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), &info);

		if (r > 0) {
			MsgReply(r, info.msglen, buf, (size_t) info.msglen);
		}
	}
}

/* The page cannot be made (ps is a file here): Axon works regardless. */
START_TEST(test_no_page)
{
	char path[512];
	char buf[16];
	struct axon_ps_list l;
	int fd;

	snprintf(path, sizeof(path), "%s/ps", axt_rundir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);

	struct kid srv = kid_start(echo_server, NULL);
	int chid = kid_read(&srv);
	ck_assert_int_gt(chid, 0);
	int coid = ConnectAttach(0, srv.pid, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(MsgSend(coid, "hello", 6, buf, sizeof(buf)),
		    6);
		ck_assert_str_eq(buf, "hello");
	}
	/* Blocked both ways (the server sleeps between messages). */
	axt_sleep_ms(20);
	ck_assert_int_eq(MsgSend(coid, "again", 6, buf, sizeof(buf)), 6);
	int mine = ChannelCreate(0);
	ck_assert_int_gt(mine, 0);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE,
			     NULL, &(uint64_t){10000000}, NULL),
	    0);
	ck_assert_int_eq(MsgReceive_r(mine, buf, sizeof(buf), NULL),
	    -ETIMEDOUT);
	/* Nothing to list. */
	int rc = axon__ps_collect(axt_rundir, 0, &l);
	ck_assert(rc == -ENOTDIR || (rc == 0 && l.n == 0));
	if (rc == 0) {
		axon__ps_free(&l);
	}
	ck_assert_int_eq(ConnectDetach(coid), 0);
	kid_kill(&srv);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Another node                                                         */
/* ------------------------------------------------------------------ */

static void
net_setup(void)
{
	axn_setup(2);
}

/* A client on alpha, REPLY-blocked on a server on beta: alpha's page
 * names the target by node name, as asked (not axond). */
START_TEST(test_remote_reply_blocked)
{
	struct axon_ps_thread t;
	struct axon_ps_list l;
	const struct axon_ps_proc *p;
	char *text;
	size_t len;

	axn_start(0);
	axn_start(1);
	ck_assert(axn_wait_state(0, 1, "up", 5000));
	axn_enter(1);
	struct kid srv = kid_start(cmd_server, NULL);
	int chid = kid_read(&srv);
	ck_assert_int_gt(chid, 0);
	axn_enter(0);
	struct target tg = {axn_nd(0, 1), srv.pid, chid};
	ck_assert_int_gt(tg.nd, 0);
	struct kid cli = kid_start(cmd_client, &tg);
	int coid = kid_read(&cli);
	ck_assert_int_ge(coid, 0);
	kid_cmd(&srv, 'g');
	kid_cmd(&cli, 's');
	ck_assert_int_gt(kid_read(&srv), 0);
	ck_assert(wait_state(axn[0].rundir, cli.pid, cli.pid, AXON_PS_REPLY,
	    &t));
	ck_assert_int_eq(t.coid, coid);
	ck_assert_str_eq(t.node, "beta");
	ck_assert_int_eq(t.pid, srv.pid);
	ck_assert_int_eq(t.tchid, chid);
	ck_assert_int_eq(axon__ps_collect(axn[0].rundir, cli.pid, &l), 0);
	p = find_proc(&l, cli.pid);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nconns, 1);
	ck_assert_str_eq(p->conns[0].node, "beta");
	ck_assert_int_eq(p->conns[0].pid, srv.pid);
	ck_assert_int_eq(p->conns[0].chid, chid);
	/* As text, for another node: names, not nds. */
	ck_assert_int_eq(axon__ps_format(&l, &text, &len), 0);
	ck_assert_ptr_nonnull(strstr(text, " REPLY "));
	ck_assert_ptr_nonnull(strstr(text, " beta "));
	free(text);
	axon__ps_free(&l);
	/* Beta's view: its server is busy, its node is its own. */
	ck_assert(wait_state(axn[1].rundir, srv.pid, srv.pid, AXON_PS_RUNNING,
	    NULL));
	kid_cmd(&srv, 'r');
	ck_assert_int_eq(kid_read(&cli), 7);
	ck_assert(wait_state(axn[0].rundir, cli.pid, cli.pid,
	    AXON_PS_RUNNING, NULL));
	kid_kill(&cli);
	kid_kill(&srv);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The text form                                                        */
/* ------------------------------------------------------------------ */

static const char golden[] =
    "axon-ps 1\n"
    "P 12 1000 0 srv\n"
    "T 12 RECEIVE 1\n"
    "T 13 RECVPULSE 2\n"
    "T 20 RUNNING\n"
    "C 1 0\n"
    "C 2 4104\n"
    "P 40 0 1 client-1\n"
    "T 40 REPLY 1073741824 beta 12 1\n"
    "T 41 SEND 3 ? 77 0\n"
    "N 3 ? 77 0\n"
    "N 1073741824 beta 12 1\n";

START_TEST(test_text_roundtrip)
{
	struct axon_ps_thread t1[] = {
	    {.tid = 12, .state = AXON_PS_RECEIVE, .chid = 1, .coid = -1},
	    {.tid = 13, .state = AXON_PS_RECVPULSE, .chid = 2, .coid = -1},
	    {.tid = 20, .state = AXON_PS_RUNNING, .coid = -1},
	};
	struct axon_ps_chan c1[] = {{1, 0}, {2, 4104}};
	struct axon_ps_thread t2[] = {
	    {.tid = 40, .state = AXON_PS_REPLY, .coid = 1073741824,
		.node = "beta", .pid = 12, .tchid = 1},
	    {.tid = 41, .state = AXON_PS_SEND, .coid = 3, .node = "?",
		.pid = 77, .tchid = 0},
	};
	struct axon_ps_conn n2[] = {
	    {3, "?", 77, 0},
	    {1073741824, "beta", 12, 1},
	};
	struct axon_ps_proc procs[] = {
	    {.pid = 12, .uid = 1000, .name = "srv", .threads = t1,
		.nthreads = 3, .chans = c1, .nchans = 2},
	    {.pid = 40, .uid = 0, .name = "client-1", .threads = t2,
		.nthreads = 2, .conns = n2, .nconns = 2, .truncated = true},
	};
	struct axon_ps_list l = {procs, 2};
	struct axon_ps_list back;
	char *text;
	char *text2;
	size_t len;
	size_t len2;

	ck_assert_int_eq(axon__ps_format(&l, &text, &len), 0);
	ck_assert_str_eq(text, golden);
	ck_assert_uint_eq(len, strlen(golden));
	ck_assert_int_eq(axon__ps_parse((const uint8_t *) text, len, &back),
	    0);
	ck_assert_uint_eq(back.n, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct axon_ps_proc *a = &procs[i];
		const struct axon_ps_proc *b = &back.procs[i];

		ck_assert_int_eq(a->pid, b->pid);
		ck_assert_uint_eq(a->uid, b->uid);
		ck_assert_str_eq(a->name, b->name);
		ck_assert_int_eq(a->truncated, b->truncated);
		ck_assert_uint_eq(a->nthreads, b->nthreads);
		ck_assert_uint_eq(a->nchans, b->nchans);
		ck_assert_uint_eq(a->nconns, b->nconns);
		for (size_t k = 0; k < a->nthreads; k++) {
			const struct axon_ps_thread *x = &a->threads[k];
			const struct axon_ps_thread *y = &b->threads[k];

			ck_assert_int_eq(x->tid, y->tid);
			ck_assert_int_eq(x->state, y->state);
			ck_assert_int_eq(x->chid, y->chid);
			ck_assert_int_eq(x->coid, y->coid);
			ck_assert_str_eq(x->node, y->node);
			ck_assert_int_eq(x->pid, y->pid);
			ck_assert_int_eq(x->tchid, y->tchid);
		}
		for (size_t k = 0; k < a->nchans; k++) {
			ck_assert_int_eq(a->chans[k].chid, b->chans[k].chid);
			ck_assert_uint_eq(a->chans[k].flags,
			    b->chans[k].flags);
		}
		for (size_t k = 0; k < a->nconns; k++) {
			ck_assert_int_eq(a->conns[k].coid, b->conns[k].coid);
			ck_assert_str_eq(a->conns[k].node, b->conns[k].node);
			ck_assert_int_eq(a->conns[k].pid, b->conns[k].pid);
			ck_assert_int_eq(a->conns[k].chid, b->conns[k].chid);
		}
	}
	/* One text per list. */
	ck_assert_int_eq(axon__ps_format(&back, &text2, &len2), 0);
	ck_assert_uint_eq(len2, len);
	ck_assert_int_eq(memcmp(text, text2, len), 0);
	free(text2);
	axon__ps_free(&back);
	axon__ps_free(&back); /* (twice is fine) */
	free(text);

	/* An empty list. */
	struct axon_ps_list none = {NULL, 0};
	ck_assert_int_eq(axon__ps_format(&none, &text, &len), 0);
	ck_assert_str_eq(text, "axon-ps 1\n");
	ck_assert_int_eq(axon__ps_parse((const uint8_t *) text, len, &back),
	    0);
	ck_assert_uint_eq(back.n, 0);
	axon__ps_free(&back);
	free(text);

	/* What the decoder would refuse is not encoded. */
	procs[0].name[1] = ' ';
	ck_assert_int_eq(axon__ps_format(&l, &text, &len), -EINVAL);
	procs[0].name[1] = 'r';
	t2[0].pid = 0;
	ck_assert_int_eq(axon__ps_format(&l, &text, &len), -EINVAL);
	t2[0].pid = 12;
	procs[1].pid = 12;
	ck_assert_int_eq(axon__ps_format(&l, &text, &len), -EINVAL);

	ck_assert_str_eq(axon__ps_state_name(AXON_PS_REPLY), "REPLY");
	ck_assert_str_eq(axon__ps_state_name(AXON_PS_SEND), "SEND");
	ck_assert_str_eq(axon__ps_state_name(AXON_PS_RECEIVE), "RECEIVE");
	ck_assert_str_eq(axon__ps_state_name(-1), "?");
	ck_assert_str_eq(axon__ps_state_name(AXON_PS_NSTATES), "?");
}
END_TEST

#define H "axon-ps 1\n"
#define P "P 5 0 0 x\n"
#define LONG \
	"0123456789012345678901234567890123456789012345678901234567890123"

struct bad {
	const char *s;
	size_t len;
};
#define B(s) {s, sizeof(s) - 1}

static const struct bad bad_texts[] = {
	B(""),                                  /* no header */
	B("axon-ps 2\n"),                       /* another version */
	B("axon-ps 1"),                         /* no newline */
	B("axon-ps  1\n"),
	B(" axon-ps 1\n"),
	B(H "P 5 0 0 x"),                       /* last line unterminated */
	/* a thread before any process */
	B(H "T 5 RUNNING\n"),
	B(H "C 1 0\n"),
	B(H "N 1 a 1 1\n"),
	B(H "P 5 0 0\n"),                       /* too few fields */
	B(H "P 5 0 0 x y\n"),                   /* too many */
	B(H "P 0 0 0 x\n"),                     /* pid 0 */
	B(H "P -5 0 0 x\n"),                    /* a sign */
	B(H "P +5 0 0 x\n"),
	B(H "P 05 0 0 x\n"),                    /* a leading zero */
	B(H "P 4194305 0 0 x\n"),               /* pid too big */
	B(H "P 99999999999 0 0 x\n"),           /* 11 digits */
	B(H "P 5 4294967296 0 x\n"),            /* uid over 32 bits */
	B(H "P 5 0 2 x\n"),                     /* trunc not 0 or 1 */
	B(H "P 5 0 0 x\ty\n"),                  /* a control character */
	B(H "P 5 0 0 x\x01\n"),
	B(H "P 5 0 0 x\x7f\n"),
	B(H "P 5 0 0 \xc3\xa9\n"),              /* not ASCII */
	B(H "P 5 0 0 x\r\n"),
	B(H "P 5 0 0 x\0y\n"),                  /* a NUL */
	B(H "P 5 0 0 " LONG "\n"),              /* a 64-byte name */
	B(H P "P 5 0 0 y\n"),                   /* a duplicate pid */
	B(H "P 6 0 0 x\nP 5 0 0 y\n"),          /* out of order */
	B(H P "\n"),                            /* an empty line */
	B(H P "Q 1\n"),                         /* an unknown record */
	B(H P "TT 5 RUNNING\n"),
	B(H P "T 5 RUNNING \n"),                /* a trailing space */
	B(H P "T  5 RUNNING\n"),                /* two spaces */
	B(H P "T 5 running\n"),                 /* an unknown state */
	B(H P "T 5 STOPPED\n"),
	B(H P "T 5 RUNNING 1\n"),               /* a field the state has not */
	B(H P "T 5 RECEIVE\n"),                 /* one missing */
	B(H P "T 5 RECEIVE 0\n"),               /* chid 0 */
	B(H P "T 5 RECEIVE 2147483648\n"),      /* chid over INT32_MAX */
	B(H P "T 5 SEND 1 a 1\n"),
	B(H P "T 5 SEND 1 a 0 1\n"),            /* pid 0 */
	B(H P "T 5 SEND 1 a.b 7 1\n"),          /* bad node names */
	B(H P "T 5 SEND 1 ?? 7 1\n"),
	B(H P "T 5 SEND 1 a/b 7 1\n"),
	B(H P "T 5 REPLY 1 " LONG " 7 1\n"),
	B(H P "T 5 REPLY -1 a 7 1\n"),
	B(H P "T 6 RUNNING\nT 6 RUNNING\n"),    /* a duplicate tid */
	B(H P "T 7 RUNNING\nT 6 RUNNING\n"),    /* out of order */
	B(H P "C 1 0\nT 6 RUNNING\n"),          /* T after C */
	B(H P "N 1 a 1 1\nC 1 0\n"),            /* C after N */
	B(H P "C 0 0\n"),
	B(H P "C 1 4294967296\n"),
	B(H P "C 1\n"),
	B(H P "C 2 0\nC 2 0\n"),
	B(H P "N 1 a 0 1\n"),
	B(H P "N 1 a 1\n"),
	B(H P "N 2 a 1 1\nN 1 a 1 1\n"),
};

START_TEST(test_parse_rejects)
{
	struct axon_ps_list l = {(void *) 1, 99};

	for (size_t i = 0; i < sizeof(bad_texts) / sizeof(bad_texts[0]);
	    i++) {
		ck_assert_msg(axon__ps_parse((const uint8_t *) bad_texts[i].s,
				  bad_texts[i].len, &l) == -EPROTO,
		    "accepted #%zu: %s", i, bad_texts[i].s);
		ck_assert_ptr_eq(l.procs, (void *) 1); /* untouched */
	}
	ck_assert_int_eq(axon__ps_parse(NULL, 0, &l), -EPROTO);

	/* Too long a line; too long a text; too many of everything. */
	char line[AXON_PS_LINE_MAX + 64];
	memset(line, 'a', sizeof(line));
	snprintf(line, sizeof(line), H "P 5 0 0 ");
	memset(line + strlen(line), 'a', AXON_PS_LINE_MAX);
	line[sizeof(line) - 1] = '\n';
	ck_assert_int_eq(axon__ps_parse((const uint8_t *) line, sizeof(line),
			     &l),
	    -EPROTO);
	char *huge = malloc(AXON_PS_TEXT_MAX + 1);
	ck_assert_ptr_nonnull(huge);
	memset(huge, '\n', AXON_PS_TEXT_MAX + 1);
	memcpy(huge, H, strlen(H));
	ck_assert_int_eq(axon__ps_parse((const uint8_t *) huge,
			     AXON_PS_TEXT_MAX + 1, &l),
	    -EPROTO);
	free(huge);

	size_t cap = 64 * 1024 + (AXON_PS_MAX_PROCS + 1) * 32;
	char *big = malloc(cap);
	size_t n;
	ck_assert_ptr_nonnull(big);
	/* AXON_PS_THREADS + 1 threads. */
	n = (size_t) snprintf(big, cap, H P);
	for (unsigned i = 0; i <= AXON_PS_THREADS; i++) {
		n += (size_t) snprintf(big + n, cap - n, "T %u RUNNING\n",
		    i + 1);
	}
	ck_assert_int_eq(axon__ps_parse((const uint8_t *) big, n, &l),
	    -EPROTO);
	/* Exactly AXON_PS_THREADS is fine. */
	n -= strlen("T 257 RUNNING\n");
	ck_assert_int_eq(axon__ps_parse((const uint8_t *) big, n, &l), 0);
	ck_assert_uint_eq(l.procs[0].nthreads, AXON_PS_THREADS);
	axon__ps_free(&l);
	/* AXON_PS_CONNS + 1 connections. */
	n = (size_t) snprintf(big, cap, H P);
	for (unsigned i = 0; i <= AXON_PS_CONNS; i++) {
		n += (size_t) snprintf(big + n, cap - n, "N %u a 1 1\n", i);
	}
	ck_assert_int_eq(axon__ps_parse((const uint8_t *) big, n, &l),
	    -EPROTO);
	/* AXON_PS_MAX_PROCS + 1 processes. */
	n = (size_t) snprintf(big, cap, H);
	for (unsigned i = 0; i <= AXON_PS_MAX_PROCS; i++) {
		n += (size_t) snprintf(big + n, cap - n, "P %u 0 0 x\n",
		    i + 1);
	}
	ck_assert_int_eq(axon__ps_parse((const uint8_t *) big, n, &l),
	    -EPROTO);
	n -= strlen("P 4097 0 0 x\n");
	ck_assert_int_eq(axon__ps_parse((const uint8_t *) big, n, &l), 0);
	ck_assert_uint_eq(l.n, AXON_PS_MAX_PROCS);
	axon__ps_free(&l);
	free(big);
}
END_TEST

/* ---- The page conversion on its own (pure) ---- */

#define PG_PID   4242
#define PG_START 777ull

static struct axon_psp pg_page;
static struct axon_ps_page pg_dec;
static bool pg_untorn[AXON_PS_THREADS];

static void
pg_reset(void)
{
	memset(&pg_page, 0, sizeof(pg_page));
	pg_page.hdr.magic = AXON_PS_MAGIC;
	pg_page.hdr.version = AXON_PS_VERSION;
	pg_page.hdr.size = sizeof(pg_page);
	pg_page.hdr.pid = PG_PID;
	pg_page.hdr.start_time = PG_START;
	for (unsigned i = 0; i < AXON_PS_THREADS; i++) {
		pg_untorn[i] = true;
	}
}

static int
pg_decode(void)
{
	return axon__ps_page_decode(&pg_page, sizeof(pg_page), PG_PID,
	    PG_START, pg_untorn, &pg_dec);
}

static int pg_held_calls;

static void
pg_free(struct axon_ps_proc *pr)
{
	free(pr->threads);
	free(pr->chans);
	free(pr->conns);
}

static void
pg_node(void *arg, uint32_t nd, char out[AXON_PS_NAME_LEN])
{
	(void) arg;
	if (nd == 1) {
		snprintf(out, AXON_PS_NAME_LEN, "alpha");
	} else if (nd == 2) {
		snprintf(out, AXON_PS_NAME_LEN, "has space");
	} else if (nd == 3) {
		memset(out, 'x', AXON_PS_NAME_LEN); /* no NUL */
	}
	/* else nothing: "" */
}

static bool
pg_held(void *arg, int srv_pid, int scoid, int pid, int slot)
{
	(void) arg;
	pg_held_calls++;
	ck_assert_int_eq(pid, PG_PID);
	return srv_pid == 77 && scoid == 5 && slot == 3;
}

START_TEST(test_page_header_refused)
{
	/* Every identity field of the header, and the length, is checked;
	 * a refusal leaves the output alone. */
	pg_reset();
	ck_assert_int_eq(pg_decode(), 0);
	memset(&pg_dec, 0x5a, sizeof(pg_dec));
	pg_page.hdr.magic ^= 1;
	ck_assert_int_eq(pg_decode(), -EPROTO);
	pg_reset();
	pg_page.hdr.version = 2;
	ck_assert_int_eq(pg_decode(), -EPROTO);
	pg_reset();
	pg_page.hdr.size = sizeof(pg_page) - 8;
	ck_assert_int_eq(pg_decode(), -EPROTO);
	pg_reset();
	pg_page.hdr.pid = PG_PID + 1;
	ck_assert_int_eq(pg_decode(), -EPROTO);
	pg_reset();
	pg_page.hdr.start_time = PG_START + 1; /* a reused pid */
	ck_assert_int_eq(pg_decode(), -EPROTO);
	pg_reset();
	pg_page.hdr.start_time = 0;
	ck_assert_int_eq(axon__ps_page_decode(&pg_page, sizeof(pg_page),
			     PG_PID, 0, pg_untorn, &pg_dec),
	    -EPROTO);
	pg_reset();
	ck_assert_int_eq(axon__ps_page_decode(&pg_page, sizeof(pg_page) - 1,
			     PG_PID, PG_START, pg_untorn, &pg_dec),
	    -EPROTO);
	ck_assert_int_eq(axon__ps_page_decode(NULL, sizeof(pg_page), PG_PID,
			     PG_START, pg_untorn, &pg_dec),
	    -EPROTO);
	ck_assert_uint_eq(pg_dec.nthreads, 0x5a5a5a5a5a5a5a5aull);
}
END_TEST

START_TEST(test_page_hostile_records)
{
	const struct axon_ps_lookup lk = {pg_node, pg_held, NULL};
	struct axon_ps_proc pr;
	struct axon_ps_list l = {&pr, 1};
	char *text = NULL;
	size_t len = 0;

	pg_reset();
	pg_page.hdr.flags = AXON_PSF_CONNS;
	pg_page.hdr.pulses_refused = 3;
	/* Threads: out of range (left out), a bad state (RUNNING), a SEND
	 * with a bad pid (RUNNING), a torn RECEIVE (RUNNING), repeats,
	 * a SEND the server holds (REPLY), SENDs with hostile slots. */
	pg_page.thr[0] = (struct axon_psp_thread){.tid = -5};
	pg_page.thr[1] = (struct axon_psp_thread){.tid = 4194305};
	pg_page.thr[2] = (struct axon_psp_thread){.tid = 30, .state = 99};
	pg_page.thr[3] = (struct axon_psp_thread){.tid = 20,
	    .state = AXON_PS_SEND, .coid = 1, .nd = 1, .pid = -1};
	pg_page.thr[4] = (struct axon_psp_thread){.tid = 10,
	    .state = AXON_PS_RECEIVE, .chid = 4};
	pg_untorn[4] = false;
	pg_page.thr[5] = (struct axon_psp_thread){.tid = 10,
	    .state = AXON_PS_RECEIVE, .chid = 5};
	pg_page.thr[6] = (struct axon_psp_thread){.tid = 40,
	    .state = AXON_PS_SEND, .coid = 2, .nd = 1, .pid = 77, .tchid = 1,
	    .srv_pid = 77, .scoid = 5, .slot = 3};
	pg_page.thr[7] = (struct axon_psp_thread){.tid = 50,
	    .state = AXON_PS_SEND, .coid = 3, .nd = 2, .pid = 78,
	    .srv_pid = 78, .scoid = 5, .slot = 64};
	pg_page.thr[8] = (struct axon_psp_thread){.tid = 60,
	    .state = AXON_PS_SEND, .coid = 4, .nd = 3, .pid = 79,
	    .srv_pid = -1, .scoid = 5, .slot = 0};
	pg_page.thr[9] = (struct axon_psp_thread){.tid = 70,
	    .state = AXON_PS_RECVPULSE, .chid = 0};
	/* Channels: 0 and negative left out, repeats dropped. */
	pg_page.chan[0] = (struct axon_psp_chan){.chid = 9, .flags = 1};
	pg_page.chan[1] = (struct axon_psp_chan){.chid = -3};
	pg_page.chan[2] = (struct axon_psp_chan){.chid = 2};
	pg_page.chan[3] = (struct axon_psp_chan){.chid = 9, .flags = 2};
	/* Connections: unused, bad pid, bad chid left out. */
	pg_page.conn[0] = (struct axon_psp_conn){.used = 1, .coid = 7,
	    .nd = 0, .pid = 100, .chid = 1};
	pg_page.conn[1] = (struct axon_psp_conn){.used = 0, .coid = 8,
	    .pid = 100, .chid = 1};
	pg_page.conn[2] = (struct axon_psp_conn){.used = 1, .coid = 9,
	    .pid = 0, .chid = 1};
	pg_page.conn[3] = (struct axon_psp_conn){.used = 1, .coid = 10,
	    .pid = 100, .chid = -1};
	pg_page.conn[4] = (struct axon_psp_conn){.used = 1, .coid = 1,
	    .nd = 1, .pid = 101, .chid = 0};
	ck_assert_int_eq(pg_decode(), 0);
	ck_assert(pg_dec.truncated);
	ck_assert_uint_eq(pg_dec.pulses_refused, 3);
	ck_assert_uint_eq(pg_dec.nthreads, 7); /* 10 20 30 40 50 60 70 */
	ck_assert_uint_eq(pg_dec.nchans, 2);
	ck_assert_uint_eq(pg_dec.nconns, 2);
	pg_held_calls = 0;
	ck_assert_int_eq(axon__ps_page_proc(&pg_dec, PG_PID, 1000,
			     "we ird\x01name-that-is-long\n", 25, &lk, &pr),
	    0);
	/* Only thread 40's slot was worth asking about. */
	ck_assert_int_eq(pg_held_calls, 1);
	ck_assert_str_eq(pr.name, "we?ird?name-that-is-long");
	ck_assert_int_eq(pr.threads[0].tid, 10);
	ck_assert_int_eq(pr.threads[0].state, AXON_PS_RUNNING);
	ck_assert_int_eq(pr.threads[1].state, AXON_PS_RUNNING); /* 20 */
	ck_assert_int_eq(pr.threads[2].state, AXON_PS_RUNNING); /* 30 */
	ck_assert_int_eq(pr.threads[3].state, AXON_PS_REPLY);   /* 40 */
	ck_assert_str_eq(pr.threads[3].node, "alpha");
	ck_assert_int_eq(pr.threads[4].state, AXON_PS_SEND);    /* 50 */
	ck_assert_str_eq(pr.threads[4].node, "?"); /* "has space" */
	ck_assert_int_eq(pr.threads[5].state, AXON_PS_SEND);    /* 60 */
	ck_assert_str_eq(pr.threads[5].node, "?"); /* no NUL */
	ck_assert_int_eq(pr.threads[6].state, AXON_PS_RUNNING); /* 70 */
	ck_assert_int_eq(pr.chans[0].chid, 2);
	ck_assert_int_eq(pr.chans[1].chid, 9);
	ck_assert_int_eq(pr.conns[0].coid, 1);
	ck_assert_str_eq(pr.conns[0].node, "alpha");
	ck_assert_int_eq(pr.conns[1].coid, 7);
	ck_assert_str_eq(pr.conns[1].node, "?"); /* nothing written */
	ck_assert_int_eq(axon__ps_format(&l, &text, &len), 0);
	free(text);
	pg_free(&pr);

	/* No lookups: every node "?", no REPLY; an empty name is "?"; an
	 * empty page has no tables at all. */
	ck_assert_int_eq(axon__ps_page_proc(&pg_dec, PG_PID, 0, "\n", 1, NULL,
			     &pr),
	    0);
	ck_assert_str_eq(pr.name, "?");
	ck_assert_int_eq(pr.threads[3].state, AXON_PS_SEND);
	ck_assert_str_eq(pr.threads[3].node, "?");
	pg_free(&pr);
	{
		char longname[100];

		memset(longname, 'n', sizeof(longname));
		ck_assert_int_eq(axon__ps_page_proc(&pg_dec, PG_PID, 0,
				     longname, sizeof(longname), NULL, &pr),
		    0);
		ck_assert_uint_eq(strlen(pr.name), AXON_PS_NAME_LEN - 1);
		pg_free(&pr);
	}
	pg_reset();
	ck_assert_int_eq(pg_decode(), 0);
	ck_assert_int_eq(axon__ps_page_proc(&pg_dec, PG_PID, 0, "a", 1, NULL,
			     &pr),
	    0);
	ck_assert_ptr_null(pr.threads);
	ck_assert_ptr_null(pr.chans);
	ck_assert_ptr_null(pr.conns);
	ck_assert_int_eq(axon__ps_page_proc(&pg_dec, 0, 0, "a", 1, NULL, &pr),
	    -EINVAL);
	ck_assert_int_eq(axon__ps_page_proc(&pg_dec, 4194305, 0, "a", 1, NULL,
			     &pr),
	    -EINVAL);
}
END_TEST

START_TEST(test_page_full_tables)
{
	struct axon_ps_proc pr;
	struct axon_ps_list l = {&pr, 1};
	char *text = NULL;
	size_t len = 0;

	/* Every record used, in descending order: the tables come out
	 * whole and sorted, and the text is within its limits. */
	pg_reset();
	for (unsigned i = 0; i < AXON_PS_THREADS; i++) {
		pg_page.thr[i] = (struct axon_psp_thread){
		    .tid = (int32_t) (AXON_PS_THREADS - i),
		    .state = AXON_PS_SEND, .coid = 1, .pid = 1, .tchid = 1};
	}
	for (unsigned i = 0; i < AXON_PS_CHANS; i++) {
		pg_page.chan[i].chid = (int32_t) (AXON_PS_CHANS - i);
	}
	for (unsigned i = 0; i < AXON_PS_CONNS; i++) {
		pg_page.conn[i] = (struct axon_psp_conn){.used = 1,
		    .coid = (int32_t) (AXON_PS_CONNS - i), .pid = 1};
	}
	ck_assert_int_eq(pg_decode(), 0);
	ck_assert_uint_eq(pg_dec.nthreads, AXON_PS_THREADS);
	ck_assert_uint_eq(pg_dec.nchans, AXON_PS_CHANS);
	ck_assert_uint_eq(pg_dec.nconns, AXON_PS_CONNS);
	ck_assert_int_eq(axon__ps_page_proc(&pg_dec, PG_PID, 0, "x", 1, NULL,
			     &pr),
	    0);
	ck_assert_int_eq(pr.threads[0].tid, 1);
	ck_assert_int_eq(pr.conns[AXON_PS_CONNS - 1].coid, AXON_PS_CONNS);
	ck_assert_int_eq(axon__ps_format(&l, &text, &len), 0);
	free(text);
	pg_free(&pr);
}
END_TEST

static Suite *
ps_suite(void)
{
	Suite *s = suite_create("ps");
	TCase *tc = axt_tcase("states", 20);
	TCase *ts = axt_tcase("stale", 20);
	TCase *tt = axt_tcase("text", 20);
	TCase *tn = axt_tcase("net", 60);

	tcase_add_test(tc, test_receive_blocked);
	tcase_add_test(tc, test_send_then_reply_blocked);
	tcase_add_test(tc, test_reply_blocked);
	tcase_add_test(tc, test_tables);
	tcase_add_test(tc, test_overflow);
	tcase_add_test(tc, test_no_page);
	tcase_add_test(ts, test_dead_process);
	tcase_add_test(ts, test_exec);
	tcase_add_test(ts, test_forged_pages);
	tcase_add_test(tt, test_text_roundtrip);
	tcase_add_test(tt, test_parse_rejects);
	tcase_add_test(tt, test_page_header_refused);
	tcase_add_test(tt, test_page_hostile_records);
	tcase_add_test(tt, test_page_full_tables);
	tcase_add_unchecked_fixture(tn, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(tn, net_setup, axn_teardown);
	tcase_add_test(tn, test_remote_reply_blocked);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, ts);
	suite_add_tcase(s, tt);
	suite_add_tcase(s, tn);
	return s;
}

int
main(void)
{
	return axt_run(ps_suite());
}
