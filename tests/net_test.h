/* SPDX-License-Identifier: MIT */
/*
 * Multi-node test harness: real axond processes, one AXON_RUNDIR each, on
 * loopback ports.  Every test that uses it calls axn_start() and
 * axn_stop() (or leaves it to the teardown), which kills every axond it
 * started and removes every runtime directory.
 */
#ifndef AXON_TESTS_NET_TEST_H
#define AXON_TESTS_NET_TEST_H

#include "axon_test.h"

#include <stdbool.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>

#define AXN_MAX 4

struct axn_node {
	char name[16];
	char rundir[256];
	int port;
	pid_t pid;       /* its axond, or -1 */
	char secret[256]; /* a secret file, or "" (axn_setup: a shared one) */
	char extra[512];  /* extra arguments, space-separated */
	bool log_file;    /* its stderr to $rundir/axond.log, at warn */
	/* How this node dials node k: 0 at k's own port, -1 not at all (k
	 * is no --peer of this node), else at this port (a relay). */
	int dial[AXN_MAX];
};

static struct axn_node axn[AXN_MAX];
static int axn_count;
static int axn_ipv6; /* nodes listen on [::1] instead of 127.0.0.1 */

/* Temporary directories, recorded in memory shared with the test runner
 * (the parent of every test process), which removes them after the
 * tests: a failed check ends the test process with _exit(), skipping
 * every teardown, and a timeout kills it (Check then kills what is left
 * of its process group, axonds included).  A suite calls
 * axn_reg_init/axn_reg_clean as an unchecked fixture. */
#define AXN_REG_MAX 64
struct axn_registry {
	int n;
	char dir[AXN_REG_MAX][256];
};
static struct axn_registry *axn_reg;

static inline void
axn_reg_add(const char *dir)
{
	if (axn_reg != NULL && axn_reg->n < AXN_REG_MAX && dir[0] != '\0') {
		int len = snprintf(axn_reg->dir[axn_reg->n],
		    sizeof(axn_reg->dir[0]), "%s", dir);

		if (len > 0 && (size_t) len < sizeof(axn_reg->dir[0])) {
			axn_reg->n++; /* (a longer one is not ours) */
		}
	}
}

static inline void
axn_reg_init(void)
{
	if (axn_reg == NULL) {
		void *m = mmap(NULL, sizeof(*axn_reg), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		axn_reg = m == MAP_FAILED ? NULL : m;
	}
	if (axn_reg != NULL) {
		axn_reg->n = 0;
	}
}

static inline void
axn_reg_clean(void)
{
	for (int i = 0; axn_reg != NULL && i < axn_reg->n &&
	     i < AXN_REG_MAX; i++) {
		(void) nftw(axn_reg->dir[i], axt_rm_cb, 16,
		    FTW_DEPTH | FTW_PHYS);
	}
	if (axn_reg != NULL) {
		axn_reg->n = 0;
	}
}

/* Sanitizer builds run slower: the timers of the axonds (and the bounds
 * the tests check) grow with AXON_TEST_TIMEOUT_MULTIPLIER. */
static inline double
axn_scale(void)
{
	const char *m = getenv("AXON_TEST_TIMEOUT_MULTIPLIER");
	double v = m != NULL ? atof(m) : 1.0;

	return v >= 1.0 ? v : 1.0;
}

/* A free loopback port for a node (axt_free_port), none of another's. */
static inline int
axn_free_port(void)
{
	int avoid[AXN_MAX];

	for (int k = 0; k < AXN_MAX; k++) {
		avoid[k] = axn[k].port;
	}
	return axt_free_port(axn_ipv6, avoid, AXN_MAX);
}

/* Writes a secret file (mode 0600) named name in the test's own
 * temporary directory, and its path to path. */
static char axn_secret_dir[64];

static inline void
axn_secret_write(char *path, size_t len, const char *name, const char *text)
{
	int fd;

	if (axn_secret_dir[0] == '\0') {
		axt_mkdtemp(axn_secret_dir, sizeof(axn_secret_dir), "secret");
		axn_reg_add(axn_secret_dir);
	}
	snprintf(path, len, "%s/%s", axn_secret_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t) strlen(text));
	ck_assert_int_eq(fchmod(fd, 0600), 0);
	close(fd);
}

/* Declares n nodes (alpha, beta, ...), each with its own rundir, all
 * sharing one fresh cluster secret (sessions are TLS keyed from it). */
static inline void
axn_setup(int n)
{
	char key[65];
	uint8_t rnd[32];

	ck_assert_int_eq(getentropy(rnd, sizeof(rnd)), 0);
	for (size_t k = 0; k < sizeof(rnd); k++) {
		snprintf(key + 2 * k, 3, "%02x", rnd[k]);
	}
	static const char *const names[AXN_MAX] = {"alpha", "beta", "gamma",
	    "delta"};

	axn_count = n;
	for (int i = 0; i < n; i++) {
		memset(&axn[i], 0, sizeof(axn[i]));
		snprintf(axn[i].name, sizeof(axn[i].name), "%s", names[i]);
		axt_mkdtemp(axn[i].rundir, sizeof(axn[i].rundir), "net");
		axn[i].port = axn_free_port();
		axn[i].pid = -1;
		axn_reg_add(axn[i].rundir);
		if (i == 0) {
			axn_secret_write(axn[0].secret, sizeof(axn[0].secret),
			    "cluster", key);
		} else {
			snprintf(axn[i].secret, sizeof(axn[i].secret), "%s",
			    axn[0].secret);
		}
	}
	axn_reg_add(axt_rundir);
}

static inline const char *
axn_bin(void)
{
	const char *b = getenv("AXOND");

	return b != NULL && b[0] != '\0' ? b : "build/axond";
}

/* Starts node i's axond and waits (bounded) for its readiness signal. */
static inline void
axn_start(int i)
{
	int p[2];
	char buf[16] = {0};
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *argv[64];
		char listen[64], fdarg[16];
		char peers[AXN_MAX][96];
		char extra[512];
		int a = 0;

		setenv("AXON_RUNDIR", axn[i].rundir, 1);
		snprintf(listen, sizeof(listen), "%s:%d",
		    axn_ipv6 ? "[::1]" : "127.0.0.1", axn[i].port);
		dup2(p[1], 3); /* without O_CLOEXEC */
		snprintf(fdarg, sizeof(fdarg), "3");
		argv[a++] = (char *) axn_bin();
		argv[a++] = "--node";
		argv[a++] = axn[i].name;
		argv[a++] = "--listen";
		argv[a++] = listen;
		for (int k = 0; k < axn_count; k++) {
			if (k == i || axn[i].dial[k] < 0) {
				continue;
			}
			snprintf(peers[k], sizeof(peers[k]), "%.15s=%s:%d",
			    axn[k].name, axn_ipv6 ? "[::1]" : "127.0.0.1",
			    axn[i].dial[k] > 0 ? axn[i].dial[k] : axn[k].port);
			argv[a++] = "--peer";
			argv[a++] = peers[k];
		}
		argv[a++] = "--ready-fd";
		argv[a++] = fdarg;
		static char ka[16], da[16], ct[16];
		snprintf(ka, sizeof(ka), "%d", (int) (200 * axn_scale()));
		snprintf(da, sizeof(da), "%d", (int) (1000 * axn_scale()));
		snprintf(ct, sizeof(ct), "%d", (int) (1000 * axn_scale()));
		argv[a++] = "--keepalive";
		argv[a++] = ka;
		argv[a++] = "--dead-after";
		argv[a++] = da;
		argv[a++] = "--connect-timeout";
		argv[a++] = ct;
		argv[a++] = "--log-level";
		argv[a++] = getenv("AXN_DEBUG") ? "debug"
			    : axn[i].log_file    ? "warn"
						 : "error";
		if (axn[i].log_file) {
			char lp[300];
			int lfd;

			snprintf(lp, sizeof(lp), "%s/axond.log", axn[i].rundir);
			lfd = open(lp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			    0600);
			if (lfd >= 0) {
				dup2(lfd, 2);
			}
		}
		if (axn[i].secret[0] != '\0') {
			argv[a++] = "--secret-file";
			argv[a++] = axn[i].secret;
		}
		snprintf(extra, sizeof(extra), "%s", axn[i].extra);
		for (char *t = strtok(extra, " "); t != NULL && a < 60;
		     t = strtok(NULL, " ")) {
			argv[a++] = t;
		}
		argv[a] = NULL;
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

static inline void
axn_kill(int i, int sig)
{
	if (axn[i].pid > 0) {
		kill(axn[i].pid, sig);
		if (sig == SIGKILL || sig == SIGTERM) {
			for (int t = 0; t < 500; t++) {
				if (waitpid(axn[i].pid, NULL, WNOHANG) ==
				    axn[i].pid) {
					break;
				}
				if (t == 300) {
					kill(axn[i].pid, SIGKILL);
				}
				axt_sleep_ms(10);
			}
			axn[i].pid = -1;
		}
	}
}

/* Stops every axond and removes every rundir. */
static inline void
axn_teardown(void)
{
	for (int i = 0; i < axn_count; i++) {
		if (axn[i].pid > 0) {
			kill(axn[i].pid, SIGCONT);
			axn_kill(i, SIGTERM);
		}
		if (axn[i].rundir[0] != '\0') {
			(void) nftw(axn[i].rundir, axt_rm_cb, 16,
			    FTW_DEPTH | FTW_PHYS);
			axn[i].rundir[0] = '\0';
		}
	}
	axn_count = 0;
	if (axn_secret_dir[0] != '\0') {
		(void) nftw(axn_secret_dir, axt_rm_cb, 16,
		    FTW_DEPTH | FTW_PHYS);
		axn_secret_dir[0] = '\0';
	}
}

/* This process (and its later children) belongs to node i. */
static inline void
axn_enter(int i)
{
	setenv("AXON_RUNDIR", axn[i].rundir, 1);
}

/* The nd node i uses for node k, from i's nodes file; -1 if absent. */
static inline int
axn_nd(int i, int k)
{
	char path[300];
	char line[512];
	int nd = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/nodes", axn[i].rundir);
	f = fopen(path, "r");
	if (f == NULL) {
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char name[64];
		int n;

		if (line[0] != '#' && sscanf(line, "%d %63s", &n, name) == 2 &&
		    strcmp(name, axn[k].name) == 0) {
			nd = n;
		}
	}
	fclose(f);
	return nd;
}

/* Waits (bounded) until node i sees node k in state ("up", "down"). */
static inline int
axn_wait_state(int i, int k, const char *state, int ms)
{
	ms = (int) (ms * axn_scale());
	char path[300];

	snprintf(path, sizeof(path), "%s/nodes", axn[i].rundir);
	for (int t = 0; t < ms / 10; t++) {
		char line[512];
		FILE *f = fopen(path, "r");
		int ok = 0;

		while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
			char name[64], st[32];
			int n;

			if (line[0] != '#' &&
			    sscanf(line, "%d %63s %31s", &n, name, st) == 3 &&
			    strcmp(name, axn[k].name) == 0 &&
			    strcmp(st, state) == 0) {
				ok = 1;
			}
		}
		if (f != NULL) {
			fclose(f);
		}
		if (ok) {
			return 1;
		}
		axt_sleep_ms(10);
	}
	return 0;
}

/* Number of threads of process pid. */
static inline int
axn_threads(pid_t pid)
{
	char path[64];
	char line[256];
	int n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
	f = fopen(path, "r");
	if (f == NULL) {
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "Threads: %d", &n) == 1) {
			break;
		}
	}
	fclose(f);
	return n;
}

/* Descriptors open in process pid; -1 if /proc does not show them. */
static inline int
axn_fd_count(pid_t pid)
{
	char path[64];
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int) pid);
	d = opendir(path);
	if (d == NULL) {
		return -1;
	}
	while (readdir(d) != NULL) {
		n++;
	}
	closedir(d);
	return n - 2;
}

/* A test server: a child process that runs fn(wfd, arg) on node i (-1:
 * in this process's AXON_RUNDIR), writes its chid to wfd first, then
 * reports on wfd what the test is to see; the parent reads the reports
 * from rep. */
struct axn_srv {
	pid_t pid;
	int chid;
	int rep; /* read end of the report pipe */
};

static inline struct axn_srv
axn_srv_start(int i, axt_child_fn fn, void *arg)
{
	struct axn_srv s = {-1, -1, -1};
	int p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	s.pid = fork();
	ck_assert_int_ge(s.pid, 0);
	if (s.pid == 0) {
		close(p[0]);
		if (i >= 0) {
			axn_enter(i);
		}
		fn(p[1], arg);
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &s.chid, sizeof(s.chid)), sizeof(s.chid));
	ck_assert_int_gt(s.chid, 0);
	s.rep = p[0];
	return s;
}

/* Reads one report of len bytes (bounded by ms, not scaled); 1 if it
 * came. */
static inline int
axn_srv_read(struct axn_srv *s, void *r, size_t len, int ms)
{
	struct pollfd pfd = {.fd = s->rep, .events = POLLIN};

	if (poll(&pfd, 1, ms) != 1) {
		return 0;
	}
	return read(s->rep, r, len) == (ssize_t) len;
}

static inline void
axn_srv_stop(struct axn_srv *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		s->pid = -1;
	}
	if (s->rep >= 0) {
		close(s->rep);
		s->rep = -1;
	}
}

#endif /* AXON_TESTS_NET_TEST_H */
