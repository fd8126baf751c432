/* SPDX-License-Identifier: MIT */
/*
 * Nodes that find each other, in network namespaces made by the test:
 *
 * - test_dns_peer: a peer given by host name, resolved in the node's own
 *   /etc/hosts (bind-mounted in a mount namespace of its own) at each
 *   dial, every address in turn; the name moves between reconnections
 *   and axond follows; a name that does not resolve is logged with it,
 *   and a resolver that hangs does not stop the loop (a session with a
 *   short --dead-after stays up meanwhile).
 * - test_discover_mesh: four namespaces joined by a bridge (in a fifth);
 *   three nodes with --discover and no --peer find each other (a full
 *   mesh of sessions), a fourth joins later and all see it; a forged
 *   announcement (another key), a stale one, a replayed one and
 *   malformed ones from the bridge's address are ignored, logged, and
 *   change nothing; the fourth, killed, is dropped after
 *   --discover-timeout.
 *
 * Traffic goes only to addresses the test assigns, in namespaces it
 * made.  Needs root and ip(8); without them the tests say "skipped".
 */
#include "net_test.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/prctl.h>

#include "announce.h"
#include "config.h"

#define NNS 5 /* four nodes, the bridge */
#define GROUP "239.255.77.1"
#define GPORT 7788

static char ns_name[NNS][32];
static char veth_in[4][16];  /* in node i's namespace */
static char veth_br[4][16];  /* its other end, on the bridge */
static int subnet;
static char ns_addr[NNS][32];
static char tdir[64];        /* hosts and resolv.conf files */
static pid_t kids[8];
static int nkids;

static int
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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

	for (int i = 0; i < NNS; i++) {
		snprintf(ns_name[i], sizeof(ns_name[i]), "axd-%d-%d", i, pid);
	}
	for (int i = 0; i < 4; i++) {
		snprintf(veth_in[i], sizeof(veth_in[i]), "dv%d-%d", i,
		    pid % 100000);
		snprintf(veth_br[i], sizeof(veth_br[i]), "bp%d-%d", i,
		    pid % 100000);
	}
	subnet = 1 + pid % 254;
	for (int i = 0; i < NNS; i++) {
		snprintf(ns_addr[i], sizeof(ns_addr[i]), "10.214.%d.%d",
		    subnet, i == 4 ? 100 : i + 1);
	}
}

static void
ns_delete(void)
{
	for (int i = 0; i < NNS; i++) {
		char path[192];

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

static void
test_setup(void)
{
	nkids = 0;
	axn_setup(4);
	axt_mkdtemp(tdir, sizeof(tdir), "disc");
	axn_reg_add(tdir);
}

static void
test_teardown(void)
{
	kids_kill();
	axn_teardown();
	ns_delete();
	(void) nftw(tdir, axt_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

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

/* Root, ip(8) and a first namespace; else a reason to skip. */
static const char *
can_run(void)
{
	if (geteuid() != 0) {
		return "not root";
	}
	if (sh("ip -V") != 0) {
		return "no ip(8)";
	}
	if (sh("ip netns add %s", ns_name[0]) != 0) {
		return "cannot create a network namespace";
	}
	return NULL;
}

static void
file_write(const char *path, const char *text)
{
	/* In place (same inode): a bind mount of it sees the change. */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t) strlen(text));
	close(fd);
}

/* Node i's axond in namespace ns, listening on host:port, with args
 * (NULL-terminated) added; stderr to $rundir/log.  With hosts set, its
 * /etc/hosts and /etc/resolv.conf are tdir's (a mount namespace of its
 * own).  (An int: va_start after a bool is undefined.) */
static void
ns_axond(int i, int ns, const char *host, int hosts, ...)
{
	int p[2];
	char buf[16] = {0};
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char listen[64], log[300];
		char *argv[48];
		int a = 0;
		va_list ap;

		ns_enter(ns);
		if (hosts) {
			char h[128], r[128];

			snprintf(h, sizeof(h), "%s/hosts", tdir);
			snprintf(r, sizeof(r), "%s/resolv.conf", tdir);
			if (unshare(CLONE_NEWNS) < 0 ||
			    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE,
				NULL) < 0 ||
			    mount(h, "/etc/hosts", NULL, MS_BIND, NULL) < 0 ||
			    mount(r, "/etc/resolv.conf", NULL, MS_BIND,
				NULL) < 0) {
				_exit(121);
			}
		}
		setenv("AXON_RUNDIR", axn[i].rundir, 1);
		snprintf(listen, sizeof(listen), "%s:%d", host, axn[i].port);
		snprintf(log, sizeof(log), "%s/log", axn[i].rundir);
		int lfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0644);
		if (lfd < 0) {
			_exit(122);
		}
		dup2(lfd, 2);
		dup2(p[1], 3);
		argv[a++] = (char *) axn_bin();
		argv[a++] = "--node";
		argv[a++] = axn[i].name;
		argv[a++] = "--listen";
		argv[a++] = listen;
		argv[a++] = "--ready-fd";
		argv[a++] = "3";
		argv[a++] = "--keepalive";
		argv[a++] = "200";
		argv[a++] = "--dead-after";
		argv[a++] = "1000";
		argv[a++] = "--connect-timeout";
		argv[a++] = "1000";
		argv[a++] = "--secret-file";
		argv[a++] = axn[i].secret;
		argv[a++] = "--log-level";
		argv[a++] = "debug";
		va_start(ap, hosts);
		for (char *s; a < 46 && (s = va_arg(ap, char *)) != NULL;) {
			argv[a++] = s;
		}
		va_end(ap);
		argv[a] = NULL;
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	struct pollfd pfd = {.fd = p[0], .events = POLLIN};
	ck_assert_msg(poll(&pfd, 1, 10000) == 1, "axond %s not ready",
	    axn[i].name);
	ck_assert_int_eq(read(p[0], buf, sizeof(buf) - 1), 6);
	close(p[0]);
	axn[i].pid = pid;
}

/* 1 once node i's log has every one of the strings (NULL-terminated),
 * within ms; else 0. */
static int
log_wait(int i, int ms, ...)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/log", axn[i].rundir);
	ms = (int) (ms * axn_scale());
	for (int t = 0; t <= ms / 20; t++) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = fopen(path, "re");
		int ok = f != NULL;

		if (f != NULL) {
			ok = getdelim(&text, &len, '\0', f) >= 0;
			fclose(f);
		}
		if (ok) {
			va_list ap;

			va_start(ap, ms);
			for (const char *s; (s = va_arg(ap, const char *)) !=
			     NULL;) {
				if (strstr(text, s) == NULL) {
					ok = 0;
				}
			}
			va_end(ap);
		}
		free(text);
		if (ok) {
			return 1;
		}
		axt_sleep_ms(20);
	}
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "grep -e discover -e ignored %s >&2", path);
	(void) !system(cmd);
	return 0;
}

/* `axon nodes --json` of node i, into buf. */
static void
nodes_json(int i, char *buf, size_t len)
{
	char cmd[512];
	const char *cli = getenv("AXON_CLI");
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof(cmd), "AXON_RUNDIR=%s %s nodes --json",
	    axn[i].rundir, cli != NULL ? cli : "build/axon");
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	ck_assert_int_eq(pclose(f), 0);
}

/* 1 if node i's nodes file lists a node called name. */
static int
nodes_has(int i, const char *name)
{
	char path[300], line[512];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/nodes", axn[i].rundir);
	f = fopen(path, "re");
	if (f == NULL) {
		return 0;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char nm[64];
		int nd;

		if (line[0] != '#' && sscanf(line, "%d %63s", &nd, nm) == 2 &&
		    strcmp(nm, name) == 0) {
			found = 1;
		}
	}
	fclose(f);
	return found;
}

/* Stops every axond cleanly and checks that none logged a sanitizer's
 * report (under SAN=asan: memory errors, leaks at exit). */
static void
stop_all_clean(void)
{
	for (int i = 0; i < 4; i++) {
		char path[300];

		if (axn[i].pid <= 0) {
			continue;
		}
		axn_kill(i, SIGTERM);
		snprintf(path, sizeof(path), "grep -q Sanitizer %s/log",
		    axn[i].rundir);
		ck_assert_msg(system(path) != 0, "%s: a sanitizer's report in "
		    "its log", axn[i].name);
	}
}

/* ---- a peer by host name ---- */

START_TEST(test_dns_peer)
{
	const char *why = can_run();
	char path[128], peer[128], gpeer[128], json[8192], want[256];

	if (why != NULL) {
		fprintf(stderr, "test_dns_peer: skipped: %s\n", why);
		return;
	}
	ck_assert_int_eq(sh("ip -n %s link set lo up", ns_name[0]), 0);
	/* Two addresses for the name: the first refuses, the second is
	 * beta's.  Names that are not in the file go to a "DNS server" of
	 * the namespace's loopback that never answers. */
	snprintf(path, sizeof(path), "%s/hosts", tdir);
	file_write(path, "127.0.0.3 betahost\n127.0.0.2 betahost\n");
	snprintf(path, sizeof(path), "%s/resolv.conf", tdir);
	file_write(path, "nameserver 127.0.0.9\noptions timeout:2 "
			 "attempts:1\n");
	int us[2];
	ck_assert_int_eq(pipe2(us, O_CLOEXEC), 0);
	pid_t dns = fork();
	ck_assert_int_ge(dns, 0);
	if (dns == 0) {
		struct sockaddr_in sa = {.sin_family = AF_INET,
		    .sin_port = htons(53)};
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		ns_enter(0);
		inet_pton(AF_INET, "127.0.0.9", &sa.sin_addr);
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *) &sa,
		    sizeof(sa)) < 0) {
			_exit(1);
		}
		(void) !write(us[1], "k", 1);
		pause(); /* holds the socket, never reads it */
		_exit(0);
	}
	close(us[1]);
	kids[nkids++] = dns;
	char k;
	ck_assert_int_eq(read(us[0], &k, 1), 1);
	close(us[0]);

	snprintf(peer, sizeof(peer), "beta=betahost:%d", axn[1].port);
	snprintf(gpeer, sizeof(gpeer), "gamma=nohost.invalid:%d",
	    axn[2].port);
	ns_axond(1, 0, "127.0.0.2", false, (char *) NULL);
	ns_axond(0, 0, "127.0.0.1", true, "--peer", peer, "--peer", gpeer,
	    (char *) NULL);
	ck_assert_msg(axn_wait_state(0, 1, "up", 10000),
	    "no session to beta by name");
	ck_assert(log_wait(0, 1000, "peer beta: betahost resolves to "
				    "127.0.0.3 (2 addresses)", (char *) NULL));
	nodes_json(0, json, sizeof(json));
	snprintf(want, sizeof(want), "\"name\":\"beta\",\"state\":\"up\"");
	ck_assert_msg(strstr(json, want) != NULL, "%s", json);
	snprintf(want, sizeof(want), "\"found\":\"dns\",\"address\":"
				     "\"betahost:%d\"", axn[1].port);
	ck_assert_msg(strstr(json, want) != NULL, "%s", json);

	/* gamma's name does not resolve: said once, with the name, and
	 * meanwhile (2 s per try, again and again) the loop goes on: the
	 * session with beta (dead after 1 s of silence) stays up. */
	ck_assert_msg(log_wait(0, 15000, "peer gamma: cannot resolve "
					 "nohost.invalid", (char *) NULL),
	    "no resolver error logged");
	for (int t = 0; t < 300; t++) {
		ck_assert_msg(axn_wait_state(0, 1, "up", 10),
		    "the session with beta dropped while resolving");
		axt_sleep_ms(10);
	}

	/* beta moves: another address, and the name follows it. */
	snprintf(path, sizeof(path), "%s/hosts", tdir);
	file_write(path, "127.0.0.4 betahost\n");
	axn_kill(1, SIGKILL);
	ck_assert(axn_wait_state(0, 1, "down", 5000) ||
	    axn_wait_state(0, 1, "connecting", 10));
	ns_axond(1, 0, "127.0.0.4", false, (char *) NULL);
	ck_assert_msg(axn_wait_state(0, 1, "up", 10000),
	    "beta not found at its new address");
	ck_assert(log_wait(0, 1000, "peer beta: betahost resolves to "
				    "127.0.0.4 now", (char *) NULL));
	ck_assert(kill(axn[0].pid, 0) == 0);
	stop_all_clean();
}
END_TEST

/* ---- discovery on a bridge ---- */

/* The bridge (in namespace 4, which has an address on it: the
 * attacker's), and node namespaces 0-3 on it. */
static void
bridge_make(void)
{
	for (int i = 1; i < NNS; i++) {
		ck_assert_int_eq(sh("ip netns add %s", ns_name[i]), 0);
	}
	for (int i = 0; i < NNS; i++) {
		ck_assert_int_eq(sh("ip -n %s link set lo up", ns_name[i]), 0);
	}
	ck_assert_int_eq(sh("ip -n %s link add br0 type bridge "
			    "mcast_snooping 0", ns_name[4]), 0);
	ck_assert_int_eq(sh("ip -n %s addr add %s/24 dev br0", ns_name[4],
			     ns_addr[4]), 0);
	ck_assert_int_eq(sh("ip -n %s link set br0 up", ns_name[4]), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(sh("ip link add %s netns %s type veth peer "
				    "name %s netns %s", veth_in[i], ns_name[i],
				     veth_br[i], ns_name[4]), 0);
		ck_assert_int_eq(sh("ip -n %s link set %s master br0 up",
				     ns_name[4], veth_br[i]), 0);
		ck_assert_int_eq(sh("ip -n %s addr add %s/24 dev %s",
				     ns_name[i], ns_addr[i], veth_in[i]), 0);
		ck_assert_int_eq(sh("ip -n %s link set %s up", ns_name[i],
				     veth_in[i]), 0);
	}
}

static void
disc_start(int i)
{
	static char grp[32];

	snprintf(grp, sizeof(grp), "%s:%d", GROUP, GPORT);
	ns_axond(i, i, ns_addr[i], false, "--discover", grp, "--discover-if",
	    veth_in[i], "--discover-interval", "300", "--discover-timeout",
	    "3000", (char *) NULL);
}

static int
mesh_up(int n, int ms)
{
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < n; k++) {
			if (k != i && !axn_wait_state(i, k, "up", ms)) {
				fprintf(stderr, "%s does not see %s up\n",
				    axn[i].name, axn[k].name);
				return 0;
			}
		}
	}
	return 1;
}

/* The attacker, on the bridge's address: sends what it is given. */
static int att_fd = -1;

static void
att_send(const void *buf, size_t len)
{
	struct sockaddr_in to = {.sin_family = AF_INET,
	    .sin_port = htons(GPORT)};

	inet_pton(AF_INET, GROUP, &to.sin_addr);
	ck_assert_int_eq(sendto(att_fd, buf, len, 0, (struct sockaddr *) &to,
			     sizeof(to)), (ssize_t) len);
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* The real key, from the cluster's secret file, as a member has it. */
static void
real_key(uint8_t key[32])
{
	uint8_t sec[4096];
	char e[256];
	int n = axond_secret_load(axn[0].secret, sec, sizeof(sec), e,
	    sizeof(e));

	ck_assert_msg(n > 0, "%s", e);
	axd_ann_key(sec, (size_t) n, key);
}

START_TEST(test_discover_mesh)
{
	const char *why = can_run();
	char json[8192], want[256];

	if (why != NULL) {
		fprintf(stderr, "test_discover_mesh: skipped: %s\n", why);
		return;
	}
	bridge_make();
	/* Three nodes, no --peer: they find each other. */
	double t0 = axt_now();
	for (int i = 0; i < 3; i++) {
		disc_start(i);
	}
	ck_assert_msg(mesh_up(3, 15000), "no full mesh of three");
	if (getenv("AXN_DEBUG") != NULL) {
		fprintf(stderr, "mesh of three after %.2f s\n", axt_now() - t0);
	}
	nodes_json(0, json, sizeof(json));
	snprintf(want, sizeof(want), "\"found\":\"discovered\",\"address\":"
				     "\"%s:%d\"", ns_addr[1], axn[1].port);
	ck_assert_msg(strstr(json, want) != NULL, "%s", json);

	/* A fourth joins later: all see it. */
	disc_start(3);
	ck_assert_msg(mesh_up(4, 15000), "the fourth was not seen by all");
	/* (Its announcement may come after its session: up to a second.) */
	ck_assert(log_wait(1, 5000, "discovered node delta at ", (char *) NULL));

	/* Attacks, from the bridge's address. */
	int ap[2];
	ck_assert_int_eq(pipe(ap), 0);
	pid_t att = fork();
	ck_assert_int_ge(att, 0);
	if (att == 0) {
		struct ip_mreqn mr = {.imr_ifindex = 0};
		struct sockaddr_in sa = {.sin_family = AF_INET,
		    .sin_port = htons(GPORT)};
		uint8_t key[32], bad[32], buf[AXD_ANN_MAX + 16];
		struct axd_ann a;
		long n;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		ns_enter(4);
		att_fd = socket(AF_INET, SOCK_DGRAM, 0);
		mr.imr_ifindex = (int) if_nametoindex("br0");
		inet_pton(AF_INET, GROUP, &mr.imr_multiaddr);
		inet_pton(AF_INET, GROUP, &sa.sin_addr);
		int one = 1;
		setsockopt(att_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(att_fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
		    setsockopt(att_fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
			sizeof(mr)) < 0) {
			_exit(2);
		}
		mr.imr_multiaddr.s_addr = INADDR_ANY;
		setsockopt(att_fd, IPPROTO_IP, IP_MULTICAST_IF, &mr,
		    sizeof(mr));
		real_key(key);
		/* Forged: another cluster's key. */
		axd_ann_key((const uint8_t *) "not the secret", 14, bad);
		memset(&a, 0, sizeof(a));
		strcpy(a.name, "mallory");
		a.port = 7999;
		a.stamp = now_us();
		a.nonce = 1;
		n = axd_ann_encode(&a, bad, buf, sizeof(buf));
		att_send(buf, (size_t) n);
		/* Stale: the right key, ten minutes old. */
		strcpy(a.name, "oldie");
		a.stamp = now_us() - 600000000ull;
		n = axd_ann_encode(&a, key, buf, sizeof(buf));
		att_send(buf, (size_t) n);
		/* Malformed: truncated, a name byte changed, garbage. */
		strcpy(a.name, "trunc");
		a.stamp = now_us();
		n = axd_ann_encode(&a, key, buf, sizeof(buf));
		att_send(buf, (size_t) n - 1);
		buf[AXD_ANN_HDR] = '.';
		att_send(buf, (size_t) n);
		att_send("AXDA garbage", 12);
		/* Replayed: beta's own announcement, recorded, sent again
		 * from here once the nodes have had it. */
		for (;;) {
			struct axd_ann r;
			ssize_t m = recv(att_fd, buf, sizeof(buf), 0);

			if (m > 0 && axd_ann_decode(buf, (size_t) m, key,
				&r) == 0 && strcmp(r.name, "beta") == 0) {
				axt_sleep_ms(200);
				att_send(buf, (size_t) m);
				break;
			}
		}
		(void) !write(ap[1], "k", 1);
		pause();
		_exit(0);
	}
	close(ap[1]);
	kids[nkids++] = att;
	struct pollfd pfd = {.fd = ap[0], .events = POLLIN};
	ck_assert_msg(poll(&pfd, 1, 10000) == 1, "the attacker is stuck");
	close(ap[0]);
	char from[64];
	snprintf(from, sizeof(from), "from %s: ", ns_addr[4]);
	for (int i = 0; i < 4; i++) {
		char w1[128], w2[128], w3[128], w4[128];

		snprintf(w1, sizeof(w1), "%swrong MAC", from);
		snprintf(w2, sizeof(w2), "%sstale", from);
		snprintf(w3, sizeof(w3), "%smalformed", from);
		snprintf(w4, sizeof(w4), "%snot newer", from);
		/* (beta takes its own announcement for its own) */
		ck_assert_msg(log_wait(i, 5000, w1, w2, w3,
				  i == 1 ? (char *) NULL : w4, (char *) NULL),
		    "%s did not see every attack", axn[i].name);
		ck_assert(kill(axn[i].pid, 0) == 0);
		ck_assert(!nodes_has(i, "mallory"));
		ck_assert(!nodes_has(i, "oldie"));
		ck_assert(!nodes_has(i, "trunc"));
	}
	/* Still a full mesh, beta where it was. */
	ck_assert(mesh_up(4, 5000));
	nodes_json(0, json, sizeof(json));
	ck_assert_msg(strstr(json, want) != NULL, "%s", json);
	ck_assert(strstr(json, ns_addr[4]) == NULL);

	/* delta goes: once its sessions are down and it has been silent
	 * for --discover-timeout, every node drops it. */
	axn_kill(3, SIGKILL);
	for (int i = 0; i < 3; i++) {
		int gone = 0;

		for (int t = 0; t < (int) (1500 * axn_scale()) && !gone; t++) {
			gone = !nodes_has(i, "delta");
			axt_sleep_ms(10);
		}
		ck_assert_msg(gone, "%s still lists delta", axn[i].name);
		ck_assert(log_wait(i, 1000, "node delta stopped announcing "
					    "itself: dropped", (char *) NULL));
	}
	nodes_json(0, json, sizeof(json));
	ck_assert(strstr(json, "\"delta\"") == NULL);
	/* It comes back: found again. */
	disc_start(3);
	ck_assert_msg(mesh_up(4, 15000), "delta not found again");
	stop_all_clean();
}
END_TEST

static Suite *
discover_suite(void)
{
	Suite *s = suite_create("discover");
	TCase *tc = axt_tcase("discover", 120);

	tcase_add_unchecked_fixture(tc, runner_setup, runner_teardown);
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_test(tc, test_dns_peer);
	tcase_add_test(tc, test_discover_mesh);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(discover_suite());
}
