/* SPDX-License-Identifier: MIT */
/*
 * The run directory's pid/ and ps/ entries, attacked and left behind:
 * nobody can pose as another process to its clients (a faked pid, a
 * socket bound under another's pid), nobody can keep another user's
 * process from serving by planting files under its pid, nobody can pose
 * as the node's network manager, and the entries of killed processes are
 * reclaimed (by axond, and without it by the next processes) while live
 * ones stay.  See docs/design/local-transport.md §1, §5 and §8.
 */
#include "attack.h"
#include "net_test.h"

#include <grp.h>
#include <pwd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/un.h>
#include <sys/stat.h>

#include "ctl.h"
#include "internal.h"

static uid_t
victim_uid(void)
{
	struct passwd *pw = getpwnam("nobody");

	return pw != NULL ? pw->pw_uid : 65534;
}

/* In a child: dies with the test, even after changing its ids (which
 * clears the parent-death signal). */
static void
die_with(pid_t parent)
{
	(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) {
		_exit(97);
	}
}

static void
become(uid_t uid)
{
	if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		_exit(98);
	}
}

/* Serves chid for ever, answering each message with its own pid. */
static void
serve(int chid)
{
	char msg[64];

	for (;;) {
		rcvid_t r = MsgReceive(chid, msg, sizeof(msg), NULL);
		int me = getpid();

		if (r > 0) {
			(void) MsgReply(r, 0, &me, sizeof(me));
		}
	}
}

/*
 * A victim: a process that has not used Axon yet (so has no entry), of
 * user uid; victim_go() lets it make its channel and returns the chid
 * (or -errno) it got.
 */
struct victim {
	pid_t pid;
	int go;
	int rep;
};

static struct victim
victim_start_as(uid_t uid, pid_t want)
{
	struct victim v;
	pid_t parent = getpid();
	int go[2];
	int rep[2];

	ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(rep, O_CLOEXEC), 0);
	for (int tries = 0;; tries++) {
		/* A chosen pid (root may say which comes next); another
		 * process of the machine may take it first: again. */
		if (want > 0) {
			FILE *lp = fopen("/proc/sys/kernel/ns_last_pid", "w");

			ck_assert_ptr_nonnull(lp);
			fprintf(lp, "%d", (int) want - 1);
			ck_assert_int_eq(fclose(lp), 0);
		}
		v.pid = fork();
		ck_assert_int_ge(v.pid, 0);
		if (v.pid == 0 && want > 0 && getpid() != want) {
			_exit(3);
		}
		if (v.pid == 0 || want <= 0 || v.pid == want) {
			break;
		}
		(void) waitpid(v.pid, NULL, 0);
		/* Another process has the pid now (a loaded machine forks
		 * a lot): most live briefly; wait for it to go (bounded),
		 * then try again. */
		for (int w = 0; w < 400 && kill(want, 0) == 0; w++) {
			axt_sleep_ms(5);
		}
		ck_assert_msg(tries < 100, "pid %d stayed taken", (int) want);
	}
	if (v.pid == 0) {
		char c;
		int chid;

		(void) close(go[1]);
		(void) close(rep[0]);
		if (uid != 0) {
			become(uid);
		}
		die_with(parent);
		if (read(go[0], &c, 1) != 1) {
			_exit(1);
		}
		chid = ChannelCreate(0);
		axt_report(rep[1], chid < 0 ? -errno : chid);
		if (chid < 0) {
			_exit(2);
		}
		serve(chid);
	}
	(void) close(go[0]);
	(void) close(rep[1]);
	v.go = go[1];
	v.rep = rep[0];
	return v;
}

static struct victim
victim_start(uid_t uid)
{
	return victim_start_as(uid, 0);
}

static int
victim_go(struct victim *v)
{
	struct pollfd pfd = {.fd = v->rep, .events = POLLIN};
	int val = -ETIMEDOUT;

	ck_assert_int_eq(write(v->go, "g", 1), 1);
	if (poll(&pfd, 1, 10000) == 1 &&
	    read(v->rep, &val, sizeof(val)) != (ssize_t) sizeof(val)) {
		val = -EPIPE;
	}
	return val;
}

static void
victim_end(struct victim *v)
{
	(void) kill(v->pid, SIGKILL);
	(void) waitpid(v->pid, NULL, 0);
	(void) close(v->go);
	(void) close(v->rep);
}

/*
 * The attacker's server: libaxon in a process whose getpid() lies (the
 * library's idea of its pid is set to the victim's), so that it binds
 * pid/<victim> and answers the handshake as the victim would.  Every
 * message it receives is counted on hits.
 */
struct fake {
	pid_t as;
	int hits[2];
	pid_t parent;
	bool stuck; /* plant: a listener that never takes a connection */
	bool as_mgr; /* planted_netmgr: serve as the manager, not a client */
};

static void
fake_pid_server(int report_fd, void *arg)
{
	struct fake *f = arg;
	int chid;
	int rc;

	axa_become();
	die_with(f->parent);
	pthread_mutex_lock(&axon__proc.lock);
	rc = axon__proc_init();
	axon__proc.pid = f->as;
	pthread_mutex_unlock(&axon__proc.lock);
	chid = rc < 0 ? -1 : ChannelCreate(0);
	axt_report(report_fd, chid < 0 ? -errno : chid);
	if (chid < 0) {
		_exit(1);
	}
	for (;;) {
		char msg[64];
		rcvid_t r = MsgReceive(chid, msg, sizeof(msg), NULL);

		if (r > 0) {
			(void) !write(f->hits[1], "x", 1);
			(void) MsgReply(r, 0, &f->as, sizeof(f->as));
		}
	}
}

static int
hits(struct fake *f)
{
	char buf[64];
	ssize_t n = read(f->hits[0], buf, sizeof(buf));

	return n > 0 ? (int) n : 0;
}

static void
fake_init(struct fake *f, pid_t as)
{
	memset(f, 0, sizeof(*f));
	f->as = as;
	f->parent = getpid();
	ck_assert_int_eq(pipe2(f->hits, O_CLOEXEC | O_NONBLOCK), 0);
}

/* The node's first process made pid/ and ps/ (01777); the run directory
 * is open to every user, as /run/axon is. */
static void
shared_rundir(void)
{
	axa_share_rundir(axt_rundir);
	ck_assert_int_ge(ChannelCreate(0), 0);
}

/* Sends to (pid, chid) and returns the answer (the server's own pid),
 * or -errno. */
static int
ask(pid_t pid, int chid, int *ret_coid)
{
	int coid = ConnectAttach(0, pid, chid, _NTO_SIDE_CHANNEL, 0);
	int who = 0;

	*ret_coid = coid;
	if (coid < 0) {
		return -errno;
	}
	if (MsgSend(coid, "hi", 3, &who, sizeof(who)) < 0) {
		return -errno;
	}
	return who;
}

/*
 * A root process that has not made its entry yet: an unprivileged user
 * binds pid/<its pid> with a library that says it is that pid, and
 * answers.  Root's client must refuse it (ESRCH) and send nothing there;
 * once the real process serves, the client reaches it, and
 * ConnectServerInfo() names it.
 */
START_TEST(test_fake_pid_refused)
{
	struct fake f;
	struct victim v;
	struct axt_child atk;
	struct _server_info si;
	int coid;
	int rc;

	if (!axa_user(__func__)) {
		return;
	}
	axon__no_peerpidfd = _i == 1;
	shared_rundir();
	v = victim_start(0);
	fake_init(&f, v.pid);
	atk = axt_spawn(fake_pid_server, &f);
	ck_assert_int_ge(atk.val, 1);

	rc = ask(v.pid, 1, &coid);
	ck_assert_msg(hits(&f) == 0, "root's message reached the attacker");
	ck_assert_int_eq(coid, -1);
	ck_assert_int_eq(rc, -ESRCH);

	ck_assert_int_eq(victim_go(&v), 1);
	ck_assert_int_eq(ask(v.pid, 1, &coid), v.pid);
	ck_assert_int_eq(ConnectServerInfo(0, coid, &si), coid);
	ck_assert_int_eq(si.pid, v.pid);
	ck_assert_int_eq(hits(&f), 0);
	axt_child_kill(&atk);
	victim_end(&v);
}
END_TEST

/*
 * A listener handed on: the attacker binds pid/<its own pid>, hands the
 * socket to a child and exits; its pid is then given to a root process
 * (which has not made its entry yet).  The kernel's pid of the listener
 * is right, but it names a process that is gone: refused.
 */
static void
handed_on(int report_fd, void *arg)
{
	struct fake *f = arg;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int ls = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	pid_t b;

	axa_become();
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.80s/pid/%d", axt_rundir,
	    (int) getpid());
	if (ls < 0 || bind(ls, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
	    listen(ls, 8) < 0) {
		axt_report(report_fd, -errno);
		return;
	}
	b = fork();
	if (b == 0) {
		/* (Its parent exits at once: it watches the test instead.) */
		while (kill(f->parent, 0) == 0 || errno == EPERM) {
			struct pollfd p = {.fd = ls, .events = POLLIN};
			char buf[512];
			int s;

			if (poll(&p, 1, 200) != 1) {
				continue;
			}
			s = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
			p.fd = s;
			if (s >= 0 && poll(&p, 1, 1000) == 1 &&
			    read(s, buf, sizeof(buf)) > 0) {
				(void) !write(f->hits[1], "x", 1);
			}
			(void) close(s);
		}
		_exit(0);
	}
	axt_report(report_fd, b);
}

START_TEST(test_handed_on_listener_refused)
{
	struct fake f;
	struct victim v;
	struct axt_child atk;
	struct axt_child b = {-1, -1};
	char dir[300];
	pid_t a;
	int coid;

	if (!axa_user(__func__)) {
		return;
	}
	axon__no_peerpidfd = _i == 1;
	axa_share_rundir(axt_rundir);
	/* pid/ as the node's first process makes it; this one stays out
	 * of Axon until the victim is born (fork). */
	snprintf(dir, sizeof(dir), "%s/pid", axt_rundir);
	ck_assert_int_eq(mkdir(dir, 01777), 0);
	ck_assert_int_eq(chmod(dir, 01777), 0);
	fake_init(&f, 0);
	atk = axt_spawn(handed_on, &f);
	ck_assert_int_gt(atk.val, 0);
	b.pid = atk.val;
	a = atk.pid;
	ck_assert_int_eq(axt_child_wait(&atk, 5), 0);
	v = victim_start_as(0, a); /* the attacker's pid, reused */
	ck_assert_int_eq(ask(v.pid, 1, &coid), -ESRCH);
	axt_sleep_ms(300);
	ck_assert_msg(hits(&f) == 0, "root's connection reached the attacker");
	ck_assert_int_eq(victim_go(&v), 1);
	ck_assert_int_eq(ask(v.pid, 1, &coid), v.pid);
	ck_assert_int_eq(hits(&f), 0);
	(void) kill(b.pid, SIGKILL);
	victim_end(&v);
}
END_TEST

/*
 * The other way round: a client's identity.  A server that asks
 * ConnectClientInfo() who its client is gets the kernel's answer for the
 * process that connected, never for a later process of the same pid.
 * The attacker connects to a root server without saying anything, hands
 * the socket to a child and exits; a root process gets its pid; the child
 * then makes the handshake and hangs up.  Asked about the connection (at
 * its DISCONNECT pulse), the server must not see root.
 */
struct info_srv {
	uid_t uid;
	int seen[2]; /* the euid the server saw for each message, or -errno */
	pid_t parent;
};

static void
info_server(int report_fd, void *arg)
{
	struct info_srv *a = arg;
	int chid;

	if (a->uid != 0) {
		become(a->uid);
	}
	die_with(a->parent);
	chid = ChannelCreate(_NTO_CHF_DISCONNECT);
	axt_report(report_fd, chid);
	for (;;) {
		union {
			struct _pulse p;
			char b[64];
		} m;
		struct _msg_info info;
		struct _client_info ci;
		rcvid_t r = MsgReceive(chid, &m, sizeof(m), &info);
		int seen;

		if (r < 0) {
			continue;
		}
		seen = ConnectClientInfo(r == 0 ? m.p.scoid : info.scoid, &ci,
			   0) < 0
		    ? -errno
		    : (int) ci.cred.euid;
		(void) !write(a->seen[1], &seen, sizeof(seen));
		if (r > 0) {
			(void) MsgReply(r, 0, &seen, sizeof(seen));
		} else if (m.p.code == _PULSE_CODE_DISCONNECT) {
			(void) ConnectDetach(m.p.scoid);
		}
	}
}

/* The client's half of the handshake, by hand, then a hang-up: 1 if the
 * server took it, or -errno. */
static int
raw_connect(int s, pid_t srv, int chid)
{
	struct axon_region *r;
	struct axon_ctl m;
	uint8_t buf[sizeof(m) + 1];
	int fds[2];
	ssize_t n;

	fds[0] = memfd_create("atk", MFD_ALLOW_SEALING);
	fds[1] = eventfd(1, EFD_NONBLOCK);
	if (fds[0] < 0 || fds[1] < 0 ||
	    ftruncate(fds[0], (off_t) AXON_REGION_SIZE) < 0 ||
	    fcntl(fds[0], F_ADD_SEALS,
		F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		return -errno;
	}
	r = mmap(NULL, AXON_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fds[0], 0);
	if (r == MAP_FAILED) {
		return -ENOMEM;
	}
	r->magic = AXON_SHM_MAGIC;
	r->version = AXON_SHM_VERSION;
	r->nslots = AXON_SLOTS;
	r->inline_size = AXON_INLINE;
	atomic_store(&r->srv_cpu, -1);
	axon__ctl_init(&m, AXON_CTL_CONNECT);
	m.u.connect.pid = srv;
	m.u.connect.chid = chid;
	m.u.connect.region_size = AXON_REGION_SIZE;
	if (axon__sendmsg_fds(s, &m, sizeof(m), fds, 2, 0) < 0) {
		return -EPIPE;
	}
	n = axon__recvmsg_fd(s, buf, sizeof(buf), NULL, 0);
	if (n <= 0 || axon__ctl_decode(buf, (size_t) n, &m) < 0 ||
	    m.type != AXON_CTL_CONNECTED) {
		return -ESRCH;
	}
	if (m.u.connected.err != 0) {
		return -m.u.connected.err;
	}
	(void) close(s);
	return 1;
}

struct handoff {
	pid_t srv;
	int go[2];
	int res[2];
	pid_t parent;
};

static void
client_handed_on(int report_fd, void *arg)
{
	struct handoff *h = arg;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	pid_t b;

	axa_become();
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.80s/pid/%d",
	    axt_rundir, (int) h->srv);
	if (s < 0 || connect(s, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
		axt_report(report_fd, -errno);
		return;
	}
	b = fork();
	if (b == 0) {
		char c;
		int res;

		if (read(h->go[0], &c, 1) != 1) {
			_exit(1);
		}
		res = raw_connect(s, h->srv, 1);
		(void) !write(h->res[1], &res, sizeof(res));
		while (kill(h->parent, 0) == 0 || errno == EPERM) {
			axt_sleep_ms(100);
		}
		_exit(0);
	}
	axt_report(report_fd, b);
}

static int
read_int(int fd, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int v = -ETIMEDOUT;

	if (poll(&pfd, 1, ms) == 1 &&
	    read(fd, &v, sizeof(v)) != (ssize_t) sizeof(v)) {
		v = -EPIPE;
	}
	return v;
}

START_TEST(test_client_pid_reuse_refused)
{
	struct info_srv a = {.uid = 0, .parent = getpid()};
	struct handoff h = {.parent = getpid()};
	struct axt_child srv;
	struct axt_child atk;
	struct victim v;
	pid_t pid;
	int res;

	if (!axa_user(__func__)) {
		return;
	}
	axon__no_peerpidfd = _i == 1;
	axa_share_rundir(axt_rundir);
	ck_assert_int_eq(pipe2(a.seen, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(h.go, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(h.res, O_CLOEXEC), 0);
	srv = axt_spawn(info_server, &a);
	ck_assert_int_eq(srv.val, 1);
	h.srv = srv.pid;
	atk = axt_spawn(client_handed_on, &h);
	ck_assert_int_gt(atk.val, 0);
	pid = atk.pid;
	ck_assert_int_eq(axt_child_wait(&atk, 5), 0);
	v = victim_start_as(0, pid); /* root, with the attacker's pid */
	ck_assert_int_eq(write(h.go[1], "g", 1), 1);
	res = read_int(h.res[0], 5000);
	if (res == 1) {
		int seen = read_int(a.seen[0], 5000);

		ck_assert_msg(seen != 0, "the server took the attacker for "
					 "root");
		ck_assert_int_eq(seen, -EINVAL);
	} else {
		ck_assert_int_eq(res, -ESRCH); /* refused at the handshake */
	}
	(void) kill(atk.val, SIGKILL);
	victim_end(&v);
	axt_child_kill(&srv);
}
END_TEST

/* An honest client of another user is seen as it is, whether or not the
 * server may signal it. */
START_TEST(test_client_info_across_users)
{
	struct info_srv a = {.uid = victim_uid(), .parent = getpid()};
	struct axt_child srv;
	int coid;
	int seen = -1;

	axa_share_rundir(axt_rundir);
	ck_assert_int_ge(ChannelCreate(0), 0);
	ck_assert_int_eq(pipe2(a.seen, O_CLOEXEC), 0);
	srv = axt_spawn(info_server, &a);
	ck_assert_int_eq(srv.val, 1);
	coid = ConnectAttach(0, srv.pid, 1, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(MsgSend(coid, "hi", 3, &seen, sizeof(seen)), 0);
	ck_assert_int_eq(seen, 0);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	ck_assert_int_eq(read_int(a.seen[0], 5000), 0); /* (the message's) */
	ck_assert_int_eq(read_int(a.seen[0], 5000), 0); /* DISCONNECT's */
	axt_child_kill(&srv);
}
END_TEST

/* The same against a process that serves already: the attacker's faked
 * library gets a name of its own, and the clients still reach the real
 * process. */
START_TEST(test_fake_pid_live)
{
	struct fake f;
	struct victim v;
	struct axt_child atk;
	int coid;

	if (!axa_user(__func__)) {
		return;
	}
	shared_rundir();
	v = victim_start(victim_uid());
	ck_assert_int_eq(victim_go(&v), 1);
	fake_init(&f, v.pid);
	atk = axt_spawn(fake_pid_server, &f);
	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(ask(v.pid, 1, &coid), v.pid);
		ck_assert_int_eq(ConnectDetach(coid), 0);
	}
	ck_assert_int_eq(hits(&f), 0);
	axt_child_kill(&atk);
	victim_end(&v);
}
END_TEST

/* The attacker plants an empty file at pid/<pid> (_i 0), or serves there
 * with a faked pid (_i 1), or plants files for the next 64 pids before
 * the victim is born (_i 2), or listens there and never takes a
 * connection (_i 3): the victim, of a third user, still serves and root's
 * client reaches it, at once. */
static void
plant(int report_fd, void *arg)
{
	struct fake *f = arg;
	char path[300];
	int n = 0;
	int last = 0;
	FILE *lp;

	axa_become();
	die_with(f->parent);
	if (f->as > 0 && f->stuck) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		int ls = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		int c = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%.80s/pid/%d",
		    axt_rundir, (int) f->as);
		n = bind(ls, (struct sockaddr *) &sa, sizeof(sa)) == 0 &&
		    listen(ls, 0) == 0 &&
		    connect(c, (struct sockaddr *) &sa, sizeof(sa)) == 0;
		axt_report(report_fd, n); /* its queue is full */
		for (;;) {
			pause();
		}
	}
	if (f->as > 0) {
		snprintf(path, sizeof(path), "%s/pid/%d", axt_rundir,
		    (int) f->as);
		n = close(open(path, O_CREAT | O_EXCL | O_WRONLY, 0644)) == 0;
		axt_report(report_fd, n);
		return;
	}
	lp = fopen("/proc/sys/kernel/ns_last_pid", "r");
	if (lp == NULL || fscanf(lp, "%d", &last) != 1) {
		axt_report(report_fd, 0);
		return;
	}
	fclose(lp);
	for (int pid = last + 1; pid <= last + 64; pid++) {
		snprintf(path, sizeof(path), "%s/pid/%d", axt_rundir, pid);
		n += close(open(path, O_CREAT | O_EXCL | O_WRONLY, 0644)) == 0;
	}
	axt_report(report_fd, n);
}

START_TEST(test_squatted_pid_still_serves)
{
	struct fake f;
	struct victim v;
	struct axt_child atk = {-1, -1};
	int coid;
	int chid;

	if (!axa_user(__func__)) {
		return;
	}
	shared_rundir();
	if (_i == 2) {
		fake_init(&f, 0);
		atk = axt_spawn(plant, &f);
		ck_assert_int_ge(atk.val, 32);
		(void) axt_child_wait(&atk, 5);
		v = victim_start(victim_uid());
	} else {
		v = victim_start(victim_uid());
		fake_init(&f, v.pid);
		f.stuck = _i == 3;
		atk = axt_spawn(_i == 1 ? fake_pid_server : plant, &f);
		ck_assert_int_ge(atk.val, 1);
	}
	chid = victim_go(&v);
	ck_assert_msg(chid == 1, "the victim cannot serve: %s",
	    strerror(-chid));
	for (int i = 0; i < 5; i++) {
		double t0 = axt_now();

		ck_assert_int_eq(ask(v.pid, 1, &coid), v.pid);
		/* Not the full wait (5 s, AXON_CONNECT_TIMEOUT_MS) on the
		 * squatter's listener: as close to it as a loaded machine
		 * needs. */
		ck_assert_msg(axt_now() - t0 < 4.0, "ConnectAttach took %.1f s",
		    axt_now() - t0);
		ck_assert_int_eq(ConnectDetach(coid), 0);
	}
	ck_assert_int_eq(hits(&f), 0);
	axt_child_kill(&atk);
	victim_end(&v);
}
END_TEST

/*
 * Posing as the node's network manager to a server: the attacker's
 * library says it is the process that owns the node's network channel
 * and presents a virtual client with root's credentials.  The server asks
 * the kernel who connected (SO_PEERCRED), and refuses (EPERM).
 */
struct netmgr_atk {
	pid_t mgr;
	pid_t srv;
	pid_t parent;
};

static void
pose_as_netmgr(int report_fd, void *arg)
{
	struct netmgr_atk *a = arg;
	struct axon_netcred net = {.nd = 1, .pid = 1};
	struct axon_cconn *cc = NULL;
	int rc;

	axa_become();
	die_with(a->parent);
	pthread_mutex_lock(&axon__proc.lock);
	rc = axon__proc_init();
	axon__proc.pid = a->mgr;
	pthread_mutex_unlock(&axon__proc.lock);
	if (rc == 0) {
		rc = axon__vconnect(a->srv, 1, &net, (void *) 1, &cc);
	}
	axt_report(report_fd, rc);
}

static void
netmgr_child(int report_fd, void *arg)
{
	(void) arg;
	int chid = ChannelCreate(_NTO_CHF_NET_MSG);

	axt_report(report_fd, chid < 0 ? -errno : chid);
	for (;;) {
		pause();
	}
}

START_TEST(test_cannot_pose_as_netmgr)
{
	struct netmgr_atk a = {.parent = getpid()};
	struct victim v;
	struct axt_child mgr;
	struct axt_child atk;

	if (!axa_user(__func__)) {
		return;
	}
	shared_rundir();
	v = victim_start(0);
	ck_assert_int_eq(victim_go(&v), 1);
	a.srv = v.pid;
	/* No network manager at all, then a real one (root's). */
	a.mgr = getpid();
	atk = axt_spawn(pose_as_netmgr, &a);
	ck_assert_int_eq(atk.val, -EPERM);
	axt_child_kill(&atk);
	mgr = axt_spawn(netmgr_child, NULL);
	ck_assert_int_ge(mgr.val, 1);
	a.mgr = mgr.pid;
	atk = axt_spawn(pose_as_netmgr, &a);
	ck_assert_int_eq(atk.val, -EPERM);
	axt_child_kill(&atk);
	axt_child_kill(&mgr);
	victim_end(&v);
}
END_TEST

/*
 * Posing as the network manager through the file that names it: in a
 * run directory others may write to (sticky, 01777), the attacker writes
 * $AXON_RUNDIR/axond naming its own process, which listens honestly under
 * its own pid.  A server must still refuse its virtual clients, and a
 * client's connection to another node must not reach it.
 */
static void
planted_netmgr(int report_fd, void *arg)
{
	struct fake *f = arg;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct axon_netcred net = {.nd = 1, .pid = 1};
	struct axon_cconn *cc = NULL;
	char path[300];
	FILE *fp;
	int ls = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	int rc;

	axa_become();
	die_with(f->parent);
	snprintf(path, sizeof(path), "%s/axond", axt_rundir);
	fp = fopen(path, "w");
	if (fp == NULL) {
		axt_report(report_fd, -errno);
		return;
	}
	fprintf(fp, "%d %llu\n", (int) getpid(),
	    (unsigned long long) axon__proc_start_time(getpid()));
	fclose(fp);
	if (!f->as_mgr) {
		/* A virtual client, through the library (its own pid). */
		pthread_mutex_lock(&axon__proc.lock);
		rc = axon__proc_init();
		pthread_mutex_unlock(&axon__proc.lock);
		if (rc == 0) {
			rc = axon__vconnect(f->as, 1, &net, (void *) 1, &cc);
		}
		axt_report(report_fd, rc);
		return;
	}
	/* The node's network manager, by hand, under its own pid. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.80s/pid/%d",
	    axt_rundir, (int) getpid());
	if (bind(ls, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
	    listen(ls, 8) < 0) {
		axt_report(report_fd, -errno);
		return;
	}
	axt_report(report_fd, 1);
	for (;;) {
		struct pollfd p = {.fd = ls, .events = POLLIN};
		char buf[512];
		int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);

		p.fd = c;
		if (c >= 0 && poll(&p, 1, 1000) == 1 &&
		    read(c, buf, sizeof(buf)) > 0) {
			(void) !write(f->hits[1], "x", 1);
		}
		(void) close(c);
	}
}

START_TEST(test_planted_netmgr_file)
{
	struct fake f;
	struct victim v;
	struct axt_child atk;
	int coid;

	if (!axa_user(__func__)) {
		return;
	}
	ck_assert_int_eq(chmod(axt_rundir, 01777), 0);
	ck_assert_int_ge(ChannelCreate(0), 0);
	v = victim_start(0);
	ck_assert_int_eq(victim_go(&v), 1);
	fake_init(&f, v.pid);
	atk = axt_spawn(planted_netmgr, &f);
	ck_assert_int_eq(atk.val, -EPERM);
	(void) axt_child_wait(&atk, 5);
	f.as_mgr = true;
	atk = axt_spawn(planted_netmgr, &f);
	ck_assert_int_eq(atk.val, 1);
	coid = ConnectAttach(1, 1234, 1, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_eq(coid, -1);
	ck_assert_int_eq(errno, ENOREMOTE);
	axt_sleep_ms(200);
	ck_assert_msg(hits(&f) == 0, "a remote connect reached the attacker");
	axt_child_kill(&atk);
	victim_end(&v);
}
END_TEST

/*
 * Without AXON_RUNDIR or XDG_RUNTIME_DIR a user's node lives in
 * /tmp/axon-<uid>, which anyone may make first.  A directory the attacker
 * made there (with its own axond file in it) is refused (EPERM); one the
 * user made is used.
 */
static void
default_rundir_user(int report_fd, void *arg)
{
	pid_t *parent = arg;
	int chid;

	become(victim_uid());
	die_with(*parent);
	unsetenv("AXON_RUNDIR");
	unsetenv("XDG_RUNTIME_DIR");
	chid = ChannelCreate(0);
	axt_report(report_fd, chid < 0 ? -errno : chid);
}

static void
premake_rundir(int report_fd, void *arg)
{
	const char *dir = arg;
	char path[300];
	FILE *fp;

	axa_become();
	if (mkdir(dir, 0777) < 0 || chmod(dir, 0777) < 0) {
		axt_report(report_fd, -errno);
		return;
	}
	snprintf(path, sizeof(path), "%s/axond", dir);
	fp = fopen(path, "w");
	if (fp == NULL) {
		axt_report(report_fd, -errno);
		return;
	}
	fprintf(fp, "%d %llu\n", (int) getppid(),
	    (unsigned long long) axon__proc_start_time(getppid()));
	fclose(fp);
	axt_report(report_fd, 1);
}

START_TEST(test_default_rundir_taken)
{
	char dir[64];
	struct stat st;
	struct axt_child c;
	pid_t me = getpid();

	if (!axa_user(__func__)) {
		return;
	}
	snprintf(dir, sizeof(dir), "/tmp/axon-%u", (unsigned) victim_uid());
	if (lstat(dir, &st) == 0) {
		fprintf(stderr, "%s: skipped: %s exists\n", __func__, dir);
		return;
	}
	c = axt_spawn(premake_rundir, dir);
	ck_assert_int_eq(c.val, 1);
	(void) axt_child_wait(&c, 5);
	c = axt_spawn(default_rundir_user, &me);
	(void) nftw(dir, axt_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	ck_assert_int_eq(c.val, -EPERM);
	(void) axt_child_wait(&c, 5);

	c = axt_spawn(default_rundir_user, &me);
	ck_assert_int_eq(lstat(dir, &st), 0);
	(void) nftw(dir, axt_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	ck_assert_int_eq(c.val, 1);
	ck_assert_int_eq(st.st_uid, victim_uid());
	ck_assert_int_eq(st.st_mode & 077, 0);
	(void) axt_child_wait(&c, 5);
}
END_TEST

/* ---- nothing left behind ---- */

#define NKILLED 100

static void
plain_server(int report_fd, void *arg)
{
	(void) arg;
	int chid = ChannelCreate(0);

	axt_report(report_fd, chid);
	serve(chid);
}

static bool
entry_exists(const char *rundir, const char *sub, pid_t pid)
{
	char path[300];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/%d", rundir, sub, (int) pid);
	return lstat(path, &st) == 0;
}

/* Entries in rundir's pid/ and ps/ of the processes in pids. */
static int
entries_of(const char *rundir, const pid_t *pids, int n)
{
	int left = 0;

	for (int i = 0; i < n; i++) {
		left += entry_exists(rundir, "pid", pids[i]);
		left += entry_exists(rundir, "ps", pids[i]);
	}
	return left;
}

/* Starts NKILLED servers and kills them with SIGKILL (reaped), and
 * 3 that stay. */
static void
kill_servers(pid_t *dead, struct axt_child *live)
{
	for (int i = 0; i < NKILLED; i++) {
		struct axt_child c = axt_spawn(plain_server, NULL);

		ck_assert_int_eq(c.val, 1);
		dead[i] = c.pid;
	}
	for (int i = 0; i < 3; i++) {
		live[i] = axt_spawn(plain_server, NULL);
		ck_assert_int_eq(live[i].val, 1);
	}
	for (int i = 0; i < NKILLED; i++) {
		struct axt_child c = {dead[i], 1};

		axt_child_kill(&c);
	}
	/* What SIGKILL leaves: both entries of every one. */
	ck_assert_int_eq(entries_of(getenv("AXON_RUNDIR"), dead, NKILLED),
	    2 * NKILLED);
}

static void
live_intact(struct axt_child *live)
{
	int coid;

	for (int i = 0; i < 3; i++) {
		ck_assert(entry_exists(getenv("AXON_RUNDIR"), "pid",
		    live[i].pid));
		ck_assert(entry_exists(getenv("AXON_RUNDIR"), "ps",
		    live[i].pid));
		ck_assert_int_eq(ask(live[i].pid, 1, &coid), live[i].pid);
		ck_assert_int_eq(ConnectDetach(coid), 0);
		axt_child_kill(&live[i]);
	}
}

/* Without axond: each process that makes its entries reclaims a bounded
 * number of dead ones; a few make the run directory clean. */
static void
newcomer(int report_fd, void *arg)
{
	(void) arg;
	axt_report(report_fd, ChannelCreate(0)); /* and exits */
}

START_TEST(test_killed_reclaimed_by_newcomers)
{
	pid_t dead[NKILLED];
	struct axt_child live[3];
	int left = 0;
	int n;

	kill_servers(dead, live);
	for (n = 0; n < 20; n++) {
		struct axt_child c = axt_spawn(newcomer, NULL);

		ck_assert_int_eq(c.val, 1);
		ck_assert_int_eq(axt_child_wait(&c, 5), 0);
		left = entries_of(axt_rundir, dead, NKILLED);
		if (left == 0) {
			break;
		}
	}
	ck_assert_msg(left == 0, "%d entries of killed processes left", left);
	ck_assert_int_le(n, 2 * NKILLED * 2 / AXON_SWEEP_MAX + 4);
	live_intact(live);
}
END_TEST

/* With axond: its periodic sweep reclaims them all. */
START_TEST(test_killed_reclaimed_by_axond)
{
	pid_t dead[NKILLED];
	struct axt_child live[3];
	double end;
	int left;

	axn_setup(1);
	axn_start(0);
	axn_enter(0);
	kill_servers(dead, live);
	end = axt_now() + 10 * axn_scale();
	do {
		axt_sleep_ms(100);
		left = entries_of(axn[0].rundir, dead, NKILLED);
	} while (left > 0 && axt_now() < end);
	ck_assert_msg(left == 0, "%d entries of killed processes left", left);
	live_intact(live);
	axn_teardown();
}
END_TEST

/* A sweeper removes only what it may: another user's dead entries stay
 * for root (or axond), and another user's live ones are never touched. */
START_TEST(test_sweep_only_what_it_may)
{
	char path[300];
	pid_t dead[4];
	struct axt_child live;
	struct axt_child c;
	pid_t me = getpid();

	axa_share_rundir(axt_rundir);
	ck_assert_int_ge(ChannelCreate(0), 0);
	live = axt_spawn(plain_server, NULL);
	ck_assert_int_eq(live.val, 1);
	/* (Each sweeps when it starts: all start, then all die.) */
	for (int i = 0; i < 4; i++) {
		struct axt_child k = axt_spawn(plain_server, NULL);

		ck_assert_int_eq(k.val, 1);
		dead[i] = k.pid;
	}
	for (int i = 0; i < 4; i++) {
		c.pid = dead[i];
		axt_child_kill(&c);
	}
	/* A dead entry of a pid that cannot be alive, planted by root. */
	snprintf(path, sizeof(path), "%s/pid/4194304", axt_rundir);
	ck_assert_int_eq(close(open(path, O_CREAT | O_WRONLY, 0644)), 0);
	c.pid = fork();
	if (c.pid == 0) {
		become(victim_uid());
		die_with(me);
		_exit(axon__rundir_sweep(axt_rundir, 0, 0) == 0 ? 0 : 1);
	}
	ck_assert_int_eq(axt_child_wait(&c, 5), 0);
	ck_assert_int_eq(entries_of(axt_rundir, dead, 4), 8);
	ck_assert_int_ge(axon__rundir_sweep(axt_rundir, 0, 0), 9);
	ck_assert_int_eq(entries_of(axt_rundir, dead, 4), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert(entry_exists(axt_rundir, "pid", live.pid));
	ck_assert(entry_exists(axt_rundir, "ps", live.pid));
	ck_assert(entry_exists(axt_rundir, "pid", getpid()));
	ck_assert(entry_exists(axt_rundir, "ps", getpid()));
	axt_child_kill(&live);
}
END_TEST

/*
 * A killed process's pid given to a new one: a quick sweep (a process's
 * own) leaves pids in use alone; a full one (axond's) tells the dead
 * entries from the new process's by the process's start time and the
 * page's lock, and keeps the new process's own once it has them.
 */
START_TEST(test_sweep_reused_pid)
{
	struct axt_child k = axt_spawn(plain_server, NULL);
	struct victim v;
	pid_t pid = k.pid;
	int coid;

	ck_assert_int_eq(k.val, 1);
	axt_child_kill(&k);
	axt_sleep_ms(1500); /* older than any process started from now */
	v = victim_start_as(0, pid);
	ck_assert_int_eq(axon__rundir_sweep(axt_rundir, AXON_SWEEP_SCAN,
			     AXON_SWEEP_MAX),
	    0);
	ck_assert(entry_exists(axt_rundir, "pid", pid));
	ck_assert(entry_exists(axt_rundir, "ps", pid));
	ck_assert_int_eq(axon__rundir_sweep(axt_rundir, 0, 0), 2);
	ck_assert(!entry_exists(axt_rundir, "pid", pid));
	ck_assert(!entry_exists(axt_rundir, "ps", pid));
	ck_assert_int_eq(victim_go(&v), 1);
	ck_assert_int_eq(axon__rundir_sweep(axt_rundir, 0, 0), 0);
	ck_assert(entry_exists(axt_rundir, "pid", pid));
	ck_assert(entry_exists(axt_rundir, "ps", pid));
	ck_assert_int_eq(ask(pid, 1, &coid), pid);
	victim_end(&v);
}
END_TEST

/* A killed axond not yet reaped by its parent (a zombie) does not keep
 * its successor out. */
START_TEST(test_axond_after_zombie)
{
	char path[64];
	char stat[256] = {0};
	pid_t old;
	int fd;
	char *p;

	axn_setup(1);
	axn_start(0);
	old = axn[0].pid;
	ck_assert_int_eq(kill(old, SIGKILL), 0);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int) old);
	for (int i = 0; i < 200; i++) {
		fd = open(path, O_RDONLY);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_gt(read(fd, stat, sizeof(stat) - 1), 0);
		close(fd);
		p = strrchr(stat, ')');
		if (p != NULL && p[2] == 'Z') {
			break;
		}
		axt_sleep_ms(10);
	}
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p[2], 'Z'); /* still there for kill(pid, 0) */
	/* Its other threads may still be closing its descriptors (the TCP
	 * port): wait for the zombie alone. */
	snprintf(path, sizeof(path), "/proc/%d/task", (int) old);
	for (int i = 0; i < 500; i++) {
		DIR *d = opendir(path);
		int n = 0;

		while (d != NULL && readdir(d) != NULL) {
			n++;
		}
		if (d != NULL) {
			closedir(d);
		}
		if (n <= 3) { /* ".", ".." and the leader */
			break;
		}
		axt_sleep_ms(10);
	}
	axn[0].pid = -1;
	axn_start(0); /* fails the test if not ready */
	ck_assert_int_eq(waitpid(old, NULL, 0), old);
	axn_teardown();
}
END_TEST

/*
 * The one reader of /proc/<pid>/status's credentials: the process's own
 * uids, another user's, and an attacker's process that names itself like
 * a Uid: line (the kernel escapes the newline, so the real line counts).
 */
START_TEST(test_proc_uids)
{
	uid_t u[4], r, e, sv;
	int go[2], ready[2];
	pid_t kid;
	char c = 0;

	ck_assert_int_eq(getresuid(&r, &e, &sv), 0);
	ck_assert_int_eq(axon__proc_uids(getpid(), u), 0);
	ck_assert_uint_eq(u[0], r);
	ck_assert_uint_eq(u[1], e);
	ck_assert_uint_eq(u[2], sv);
	ck_assert_uint_eq(u[3], e);
	if (geteuid() != 0) {
		return; /* (the rest needs to become other users) */
	}
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(ready), 0);
	kid = fork();
	ck_assert_int_ge(kid, 0);
	if (kid == 0) {
		(void) prctl(PR_SET_NAME, "\nUid:\t0 0 0 0", 0, 0, 0);
		if (setresuid(1001, 1002, 1003) < 0) {
			_exit(1);
		}
		(void) !write(ready[1], "r", 1);
		(void) !read(go[0], &c, 1);
		_exit(0);
	}
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	ck_assert_int_eq(axon__proc_uids(kid, u), 0);
	ck_assert_uint_eq(u[0], 1001);
	ck_assert_uint_eq(u[1], 1002);
	ck_assert_uint_eq(u[2], 1003);
	ck_assert_uint_eq(u[3], 1002);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	ck_assert_int_eq(waitpid(kid, NULL, 0), kid);
	ck_assert_int_eq(axon__proc_uids(kid, u), -ESRCH);
	ck_assert_int_eq(axon__proc_uids(0, u), -ESRCH);
	ck_assert_int_eq(axon__proc_uids(-1, u), -ESRCH);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}
END_TEST

static Suite *
rundir_suite(void)
{
	Suite *s = suite_create("rundir");
	TCase *tc = axt_tcase("impersonation", 30);

	tcase_add_loop_test(tc, test_fake_pid_refused, 0, 2);
	tcase_add_loop_test(tc, test_handed_on_listener_refused, 0, 2);
	tcase_add_loop_test(tc, test_client_pid_reuse_refused, 0, 2);
	tcase_add_test(tc, test_client_info_across_users);
	tcase_add_test(tc, test_fake_pid_live);
	tcase_add_loop_test(tc, test_squatted_pid_still_serves, 0, 4);
	tcase_add_test(tc, test_cannot_pose_as_netmgr);
	tcase_add_test(tc, test_planted_netmgr_file);
	tcase_add_test(tc, test_default_rundir_taken);
	suite_add_tcase(s, tc);
	tc = axt_tcase("reclaim", 60);
	tcase_add_test(tc, test_killed_reclaimed_by_newcomers);
	tcase_add_test(tc, test_killed_reclaimed_by_axond);
	tcase_add_test(tc, test_sweep_only_what_it_may);
	tcase_add_test(tc, test_sweep_reused_pid);
	tcase_add_test(tc, test_axond_after_zombie);
	tcase_add_test(tc, test_proc_uids);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	axn_reg_init();
	int rc = axt_run(rundir_suite());

	axn_reg_clean();
	return rc;
}
