/* SPDX-License-Identifier: MIT */
/*
 * The link between two nodes is cut: two network namespaces joined by a
 * veth pair, an axond in each, a client in one blocked on a server in the
 * other.  Cutting the link releases the client (EHOSTUNREACH) within the
 * documented bound; restoring it brings the session back.
 *
 * Needs root and ip(8); without them, or if a namespace cannot be made,
 * the test says "skipped: <why>" and passes.
 */
#include "net_test.h"

#include <sched.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/prctl.h>

enum { OP_STATUS = 1, OP_HOLD };

struct srv_cmd {
	int op;
	int a;
};

/* Names, chosen by the test runner (the parent of every test process)
 * from its pid, so that its teardown can remove them whatever happened
 * to the test process. */
static char ns_name[2][32];
static char veth[2][16];
static int subnet;
static char ns_addr[2][32];
static pid_t kids[8];       /* servers and clients to kill */
static int nkids;


static int
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command; its exit status, or -1. */
static int
sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (getenv("AXN_DEBUG") != NULL) {
		fprintf(stderr, "+ %s\n", cmd);
	} else {
		strncat(cmd, " >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	}
	st = system(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
ns_names(void)
{
	int pid = (int) getpid();

	snprintf(ns_name[0], sizeof(ns_name[0]), "axt-a-%d", pid);
	snprintf(ns_name[1], sizeof(ns_name[1]), "axt-b-%d", pid);
	snprintf(veth[0], sizeof(veth[0]), "axA%d", pid);
	snprintf(veth[1], sizeof(veth[1]), "axB%d", pid);
	subnet = 1 + pid % 254;
	snprintf(ns_addr[0], sizeof(ns_addr[0]), "10.213.%d.1", subnet);
	snprintf(ns_addr[1], sizeof(ns_addr[1]), "10.213.%d.2", subnet);
}

/* Removes the namespaces (and with them the veth pair). */
static void
ns_delete(void)
{
	for (int i = 0; i < 2; i++) {
		char path[128];

		snprintf(path, sizeof(path), "/run/netns/%s", ns_name[i]);
		if (access(path, F_OK) == 0) {
			(void) sh("ip netns del %s", ns_name[i]);
		}
	}
}

static void
kids_kill(void)
{
	for (int i = 0; i < nkids; i++) {
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
			kids[i] = -1;
		}
	}
	nkids = 0;
}

/* The runner's fixture: names, and a last cleanup after the test
 * process, even if it was killed. */
static void
runner_setup(void)
{
	ns_names();
	axn_reg_init();
}

static void
runner_teardown(void)
{
	ns_delete();
	axn_reg_clean();
}

/* The test's own: names and directories are registered first, so that
 * the runner can clean up if the test process fails (_exit) or is
 * killed; Check kills the rest of its process group then. */
static void
test_setup(void)
{
	nkids = 0;
	axn_setup(2); /* (registers its directories) */
}

static void
test_teardown(void)
{
	kids_kill();
	axn_teardown(); /* the axonds, before their namespaces */
	ns_delete();
}

/* Enters namespace i (this process only; call right after fork). */
static void
ns_enter(int i)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns_name[i]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		_exit(120);
	}
	close(fd);
}

/* The veth pair between the namespaces, addressed and up. */
static int
link_make(void)
{
	if (sh("ip link add %s netns %s type veth peer name %s netns %s",
		veth[0], ns_name[0], veth[1], ns_name[1]) != 0) {
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		if (sh("ip -n %s addr add %s/24 dev %s", ns_name[i], ns_addr[i],
			veth[i]) != 0 ||
		    sh("ip -n %s link set %s up", ns_name[i], veth[i]) != 0) {
			return -1;
		}
	}
	return 0;
}

/* Node i's axond, in namespace i, listening on its veth address. */
static void
ns_axond_start(int i)
{
	int p[2];
	char buf[16] = {0};
	pid_t pid;
	int k = 1 - i;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char listen[64], peer[96];
		char *argv[] = {(char *) axn_bin(), "--node", axn[i].name,
		    "--listen", listen, "--peer", peer, "--ready-fd", "3",
		    "--keepalive", "200", "--dead-after", "1000",
		    "--connect-timeout", "1000", "--secret-file", axn[i].secret,
		    "--log-level", getenv("AXN_DEBUG") ? "debug" : "error",
		    NULL};

		ns_enter(i);
		setenv("AXON_RUNDIR", axn[i].rundir, 1);
		snprintf(listen, sizeof(listen), "%s:%d", ns_addr[i],
		    axn[i].port);
		snprintf(peer, sizeof(peer), "%s=%s:%d", axn[k].name,
		    ns_addr[k], axn[k].port);
		dup2(p[1], 3);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	struct pollfd pfd = {.fd = p[0], .events = POLLIN};
	ck_assert_msg(poll(&pfd, 1, 10000) == 1, "axond %s not ready",
	    axn[i].name);
	ck_assert_int_eq(read(p[0], buf, sizeof(buf) - 1), 6);
	ck_assert_str_eq(buf, "ready\n");
	close(p[0]);
	axn[i].pid = pid;
}

/* A server on beta, in beta's namespace: answers OP_STATUS with a,
 * holds OP_HOLD and says so on its pipe. */
static pid_t
server_start(int *ret_chid, int *ret_rep)
{
	int p[2];
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		ns_enter(1);
		axn_enter(1);
		int chid = ChannelCreate(0);

		if (write(p[1], &chid, sizeof(chid)) != sizeof(chid)) {
			_exit(1);
		}
		for (;;) {
			struct srv_cmd cmd = {0};
			rcvid_t rcvid = MsgReceive(chid, &cmd, sizeof(cmd),
			    NULL);

			if (rcvid < 0) {
				_exit(2);
			}
			if (rcvid == 0) {
				continue;
			}
			if (cmd.op == OP_HOLD) {
				(void) !write(p[1], &cmd.op, sizeof(cmd.op));
			} else {
				MsgReply(rcvid, cmd.a, NULL, 0);
			}
		}
	}
	close(p[1]);
	ck_assert_int_lt(nkids, 8);
	kids[nkids++] = pid;
	ck_assert_int_eq(read(p[0], ret_chid, sizeof(*ret_chid)),
	    sizeof(*ret_chid));
	*ret_rep = p[0];
	return pid;
}

struct result {
	long rc;
	int err;
};

/* A client on alpha, in alpha's namespace: one MsgSend, whose result
 * comes back on *ret_fd. */
static pid_t
client_start(pid_t spid, int chid, int op, int a, int *ret_fd)
{
	int p[2];
	pid_t pid;
	uint32_t nd = (uint32_t) axn_nd(0, 1);

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct srv_cmd cmd = {.op = op, .a = a};
		struct result r = {-1, 0};
		int coid;

		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		ns_enter(0);
		axn_enter(0);
		coid = ConnectAttach(nd, spid, chid, _NTO_SIDE_CHANNEL, 0);
		if (coid < 0) {
			r.err = errno;
		} else {
			errno = 0;
			r.rc = MsgSend(coid, &cmd, sizeof(cmd), NULL, 0);
			r.err = errno;
		}
		(void) !write(p[1], &r, sizeof(r));
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_lt(nkids, 8);
	kids[nkids++] = pid;
	*ret_fd = p[0];
	return pid;
}

static int
wait_fd(int fd, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	return poll(&pfd, 1, ms) == 1;
}

START_TEST(test_link_cut)
{
	int chid, rep, cfd;
	struct result r;
	double t0;
	int op;

	if (geteuid() != 0) {
		fprintf(stderr, "test_link_cut: skipped: not root\n");
		return;
	}
	if (sh("ip -V") != 0) {
		fprintf(stderr, "test_link_cut: skipped: no ip(8)\n");
		return;
	}
	if (sh("ip netns add %s", ns_name[0]) != 0) {
		fprintf(stderr, "test_link_cut: skipped: cannot create a "
				"network namespace\n");
		return;
	}
	ck_assert_int_eq(sh("ip netns add %s", ns_name[1]), 0);
	ck_assert_int_eq(sh("ip -n %s link set lo up", ns_name[0]), 0);
	ck_assert_int_eq(sh("ip -n %s link set lo up", ns_name[1]), 0);
	if (link_make() != 0) {
		fprintf(stderr, "test_link_cut: skipped: cannot create a veth "
				"pair\n");
		return;
	}
	ns_axond_start(0);
	ns_axond_start(1);
	ck_assert_msg(axn_wait_state(0, 1, "up", 5000), "no session");
	pid_t spid = server_start(&chid, &rep);

	/* It works. */
	client_start(spid, chid, OP_STATUS, 42, &cfd);
	ck_assert(wait_fd(cfd, 5000));
	ck_assert_int_eq(read(cfd, &r, sizeof(r)), sizeof(r));
	ck_assert_msg(r.rc == 42, "send: %ld (%s)", r.rc, strerror(r.err));
	close(cfd);

	/* A client blocked on the server. */
	client_start(spid, chid, OP_HOLD, 0, &cfd);
	ck_assert_msg(wait_fd(rep, 5000), "the server got nothing");
	ck_assert_int_eq(read(rep, &op, sizeof(op)), sizeof(op));
	ck_assert(!wait_fd(cfd, 100));

	/* The link goes. */
	t0 = axt_now();
	ck_assert_int_eq(sh("ip -n %s link del %s", ns_name[0], veth[0]), 0);
	ck_assert_msg(wait_fd(cfd, 5000), "client not released in 5 s");
	double took = axt_now() - t0;
	ck_assert_int_eq(read(cfd, &r, sizeof(r)), sizeof(r));
	close(cfd);
	ck_assert_int_eq(r.rc, -1);
	ck_assert_msg(r.err == EHOSTUNREACH, "released with %s",
	    strerror(r.err));
	ck_assert_msg(took < 5.0, "released after %.2f s", took);
	if (getenv("AXN_DEBUG") != NULL) {
		fprintf(stderr, "released after %.2f s\n", took);
	}
	ck_assert(axn_wait_state(0, 1, "down", 3000) ||
	    axn_wait_state(0, 1, "connecting", 10));

	/* While it is down: a send fails, bounded. */
	client_start(spid, chid, OP_STATUS, 1, &cfd);
	ck_assert_msg(wait_fd(cfd, 5000), "send while down not released");
	ck_assert_int_eq(read(cfd, &r, sizeof(r)), sizeof(r));
	close(cfd);
	ck_assert_int_eq(r.rc, -1);
	ck_assert_msg(r.err == EHOSTUNREACH || r.err == EHOSTDOWN,
	    "while down: %s", strerror(r.err));

	/* The link comes back, and so does the session. */
	ck_assert_int_eq(link_make(), 0);
	ck_assert_msg(axn_wait_state(0, 1, "up", 10000),
	    "the session did not come back");
	client_start(spid, chid, OP_STATUS, 43, &cfd);
	ck_assert(wait_fd(cfd, 5000));
	ck_assert_int_eq(read(cfd, &r, sizeof(r)), sizeof(r));
	ck_assert_msg(r.rc == 43, "send after: %ld (%s)", r.rc,
	    strerror(r.err));
	close(cfd);
	close(rep);
}
END_TEST

static Suite *
netns_suite(void)
{
	Suite *s = suite_create("netns");
	TCase *tc = axt_tcase("netns", 60);

	tcase_add_unchecked_fixture(tc, runner_setup, runner_teardown);
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_test(tc, test_link_cut);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(netns_suite());
}
