/* SPDX-License-Identifier: MIT */
/*
 * Test helpers on top of Check (https://libcheck.github.io/check/).
 *
 * Every test runs in its own forked process (Check's fork mode) with a
 * timeout, under a fresh AXON_RUNDIR made by the fixture and removed
 * afterwards.  Server and client helpers are real processes made with
 * fork(); axt_child_kill() reaps them.  axt_fd_count() lets a test prove
 * it closed what it opened.
 */
#ifndef AXON_TESTS_AXON_TEST_H
#define AXON_TESTS_AXON_TEST_H

#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sys/dispatch.h>
#include <sys/neutrino.h>
#include <sys/netmgr.h>

static char axt_rundir[256];

static int
axt_rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void) sb;
	(void) flag;
	(void) ftw;
	return remove(p);
}

/* A new directory for a test: PREFIX-XXXXXX inside the program's own
 * directory (AXT_BASE, made by axt_run), so that what a killed or
 * timed-out test leaves is removed with it; /tmp/axon-PREFIX-XXXXXX
 * outside axt_run. */
static inline void
axt_mkdtemp(char *buf, size_t len, const char *prefix)
{
	const char *base = getenv("AXT_BASE");

	if (base != NULL && base[0] != '\0') {
		snprintf(buf, len, "%s/%s-XXXXXX", base, prefix);
	} else {
		snprintf(buf, len, "/tmp/axon-%s-XXXXXX", prefix);
	}
	ck_assert_ptr_nonnull(mkdtemp(buf));
}

static void
axt_setup(void)
{
	const char *m = getenv("AXON_TEST_TIMEOUT_MULTIPLIER");
	char poll[32];

	axt_mkdtemp(axt_rundir, sizeof(axt_rundir), "test");
	setenv("AXON_RUNDIR", axt_rundir, 1);
	/* Sanitizers slow wake-ups down: an immediate SEND timeout gives a
	 * sleeping server longer to take the message. */
	if (m != NULL && atof(m) > 1.0) {
		snprintf(poll, sizeof(poll), "%lld",
		    (long long) (1000000 * 10 * atof(m)));
		setenv("AXON_POLL_NS", poll, 1);
	}
}

static void
axt_teardown(void)
{
	if (axt_rundir[0] != '\0') {
		(void) nftw(axt_rundir, axt_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	}
}

static inline double
axt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static inline void
axt_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

/* Number of open descriptors in this process. */
static inline int
axt_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL) {
		return -1;
	}
	while (readdir(d) != NULL) {
		n++;
	}
	closedir(d);
	return n - 3; /* ".", ".." and the DIR's own fd */
}

/* Waits (bounded) until the fd count drops to want; the monitor thread
 * closes sockets asynchronously after a hang-up. */
static inline int
axt_fd_settle(int want)
{
	int n = axt_fd_count();

	for (int i = 0; i < 200 && n > want; i++) {
		axt_sleep_ms(10);
		n = axt_fd_count();
	}
	return n;
}

/* What axt_wait_syscall() waits for: a system call's number, or one of
 * these. */
#define AXT_SC_FUTEX (-1) /* futex(2) (send, reply wait, slots) */
#define AXT_SC_AXON (-2)  /* that or the epoll waits (receive) */

/* Whether /proc/.../syscall text names the system call want stands
 * for. */
static inline int
axt_sleeping_syscall(const char *buf, long want)
{
	long nr;

	if (sscanf(buf, "%ld ", &nr) != 1) {
		return 0;
	}
	if (want >= 0) {
		return nr == want;
	}
	if (nr == SYS_futex) {
		return 1;
	}
	return want == AXT_SC_AXON &&
	       (nr == SYS_epoll_wait || nr == SYS_epoll_pwait
#ifdef SYS_epoll_pwait2
		   || nr == SYS_epoll_pwait2
#endif
	       );
}

/* Waits (bounded: 5 s and more) until thread tid (a process's main
 * thread if it is a pid) sleeps in the system call want stands for:
 * the third of three samples of /proc/TID/syscall naming it (a running
 * thread's names none). */
static inline int
axt_wait_syscall(pid_t tid, long want)
{
	char path[64];
	int seen = 0;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int) tid);
	for (int i = 0; i < 5000 && seen < 3; i++) {
		char buf[64] = {0};
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			(void) !read(fd, buf, sizeof(buf) - 1);
			close(fd);
		}
		seen = axt_sleeping_syscall(buf, want) ? seen + 1 : 0;
		if (seen < 3) {
			axt_sleep_ms(1);
		}
	}
	return seen >= 3;
}

/* Waits until thread tid sleeps in futex(2). */
static inline int
axt_wait_futex(pid_t tid)
{
	return axt_wait_syscall(tid, AXT_SC_FUTEX);
}

/* The same for any sleep of a libaxon call, receives included. */
static inline int
axt_wait_asleep(pid_t tid)
{
	return axt_wait_syscall(tid, AXT_SC_AXON);
}

/* Whether this process's thread tid sleeps in an epoll wait now. */
static inline int
axt_in_epoll_wait(pid_t tid)
{
	char path[64];
	char buf[64] = {0};
	long nr;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int) tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return 0;
	}
	(void) !read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (sscanf(buf, "%ld ", &nr) != 1) {
		return 0;
	}
	return nr == SYS_epoll_wait || nr == SYS_epoll_pwait
#ifdef SYS_epoll_pwait2
	    || nr == SYS_epoll_pwait2
#endif
	    ;
}

/* This process's thread named name (its comm), or -1. */
static inline pid_t
axt_thread_named(const char *name)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	pid_t tid = -1;

	if (d == NULL) {
		return -1;
	}
	while (tid < 0 && (e = readdir(d)) != NULL) {
		char path[300];
		char buf[64] = {0};
		int fd;

		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
		    e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			continue;
		}
		(void) !read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[strcspn(buf, "\n")] = '\0';
		if (strcmp(buf, name) == 0) {
			tid = (pid_t) atoi(e->d_name);
		}
	}
	closedir(d);
	return tid;
}

/* No unread bytes on any SOCK_SEQPACKET socket of this process (the
 * library's connections). */
static inline int
axt_sockets_empty(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int empty = 1;

	if (d == NULL) {
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		char path[300];
		char link[64];
		int type = 0;
		socklen_t tl = sizeof(type);
		int fd;
		int n = 0;

		if (e->d_name[0] == '.') {
			continue;
		}
		fd = atoi(e->d_name);
		if (fd == dirfd(d)) {
			continue;
		}
		/* Only sockets are touched: the monitor may be closing other
		 * descriptors meanwhile (a departed client's bell set). */
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		ssize_t k = readlink(path, link, sizeof(link) - 1);

		if (k > 7 && strncmp(link, "socket:", 7) == 0 &&
		    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 &&
		    type == SOCK_SEQPACKET &&
		    ioctl(fd, FIONREAD, &n) == 0 && n > 0) {
			empty = 0;
		}
	}
	closedir(d);
	return empty;
}

/* Bounded wait (3 s and more) until everything sent to this process
 * through its sockets (pulses, events) is on its channels' queues: the
 * library's monitor thread ("axon-mon") sleeps in epoll and no socket
 * has unread bytes, three times in a row.  (A thread woken but not yet
 * run does not show its system call.) */
static inline int
axt_settle(void)
{
	int ok = 0;

	for (int i = 0; i < 3000; i++) {
		pid_t mon = axt_thread_named("axon-mon");

		if (mon > 0 && axt_in_epoll_wait(mon) && axt_sockets_empty() &&
		    axt_in_epoll_wait(mon)) {
			if (++ok == 3) {
				return 1;
			}
		} else {
			ok = 0;
		}
		axt_sleep_ms(1);
	}
	return 0;
}

/* A free loopback TCP port (bound, then released), outside the kernel's
 * ephemeral range: a port from that range, free now, could be any
 * connect()'s source port before axond binds it (seen once: "Address
 * already in use" under load).  Random below the range (or above it if
 * there is no room below), tried until one binds; none of avoid[]. */
static inline int
axt_free_port(bool ipv6, const int *avoid, int navoid)
{
	int lo = 32768, hi = 60999, base, span;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

	if (f != NULL) {
		if (fscanf(f, "%d %d", &lo, &hi) != 2) {
			lo = 32768;
			hi = 60999;
		}
		fclose(f);
	}
	if (lo > 12000) {
		base = 10000;
		span = lo - base;
	} else {
		base = hi + 1;
		span = 65536 - base;
	}
	static bool seeded;

	ck_assert_int_gt(span, 100);
	if (!seeded) {
		srandom((unsigned) getpid() ^ (unsigned) (axt_now() * 1e6));
		seeded = true;
	}
	for (int t = 0; t < 1000; t++) {
		struct sockaddr_in sa = {.sin_family = AF_INET};
		struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6};
		socklen_t len = ipv6 ? sizeof(sa6) : sizeof(sa);
		int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
		struct sockaddr *a = ipv6 ? (struct sockaddr *) &sa6
					      : (struct sockaddr *) &sa;
		int port = base + (int) (random() % span);
		int ok = 1;

		for (int k = 0; k < navoid; k++) {
			ok = ok && avoid[k] != port; /* already given out */
		}
		if (!ok) {
			close(fd);
			continue;
		}

		ck_assert_int_ge(fd, 0);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sa.sin_port = htons((uint16_t) port);
		sa6.sin6_addr = in6addr_loopback;
		sa6.sin6_port = htons((uint16_t) port);
		ok = bind(fd, a, len) == 0;
		close(fd);
		if (ok) {
			return port;
		}
	}
	ck_abort_msg("no free loopback port below the ephemeral range");
	return -1;
}

/* Prints what each thread of a stuck process is doing (its name, the
 * system call it is in, the kernel's wait channel and stack) to stderr,
 * so that a hang seen once on a loaded machine can be diagnosed.  Each
 * line starts "stuck:" (tests/run.sh repeats those at the end). */
static inline void
axt_dump_threads(pid_t pid)
{
	static const char *const what[] = {"comm", "syscall", "wchan",
		"stack"};
	char path[384];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/task", (int) pid);
	d = opendir(path);
	if (d == NULL) {
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') {
			continue;
		}
		for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
			char buf[2048];
			ssize_t n;
			int fd;

			snprintf(path, sizeof(path), "/proc/%d/task/%s/%s",
			    (int) pid, e->d_name, what[i]);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
			if (fd >= 0) {
				close(fd);
			}
			buf[n > 0 ? n : 0] = '\0';
			/* One line each (a stack has several), so that
			 * run.sh's grep keeps all of it. */
			for (ssize_t k = 0; k + 1 < n; k++) {
				if (buf[k] == '\n') {
					buf[k] = '|';
				}
			}
			fprintf(stderr, "stuck: pid %d tid %s %s: %s%s", (int) pid,
			    e->d_name, what[i], buf,
			    n > 0 && buf[n - 1] == '\n' ? "" : "\n");
		}
	}
	closedir(d);
}

/* axt_dump_threads() of this process and of every child it has. */
static inline void
axt_dump_family(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	axt_dump_threads(getpid());
	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[300];
		char buf[512];
		FILE *f;
		int ppid = 0;

		if (e->d_name[0] < '0' || e->d_name[0] > '9') {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "re");
		if (f == NULL) {
			continue;
		}
		if (fgets(buf, sizeof(buf), f) != NULL) {
			/* pid (comm) state ppid: comm may hold anything. */
			const char *r = strrchr(buf, ')');

			if (r == NULL || sscanf(r + 1, " %*c %d", &ppid) != 1) {
				ppid = 0;
			}
		}
		fclose(f);
		if (ppid == (int) getpid()) {
			axt_dump_threads((pid_t) atoi(e->d_name));
		}
	}
	if (d != NULL) {
		closedir(d);
	}
}

/* A child process running fn(arg); its first int written to the pipe
 * (usually a chid) is returned through *ret_val, or -1 if it exited
 * without.  A child that neither reports nor exits within
 * AXT_SPAWN_REPORT_MS (times AXON_TEST_TIMEOUT_MULTIPLIER) fails the
 * test. */
#ifndef AXT_SPAWN_REPORT_MS
#define AXT_SPAWN_REPORT_MS 15000
#endif
struct axt_child {
	pid_t pid;
	int val;
};

typedef void (*axt_child_fn)(int report_fd, void *arg);

static inline struct axt_child
axt_spawn(axt_child_fn fn, void *arg)
{
	struct axt_child c = {-1, -1};
	int p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		(void) close(p[0]);
		fn(p[1], arg);
		_exit(0);
	}
	(void) close(p[1]);
	/* Bounded: a child stuck before it reports is a failure to see,
	 * with what it and we were doing, not the test's timeout. */
	struct pollfd pfd = {.fd = p[0], .events = POLLIN};
	const char *m = getenv("AXON_TEST_TIMEOUT_MULTIPLIER");
	double mul = m != NULL && atof(m) > 1.0 ? atof(m) : 1.0;
	int rc;

	do {
		rc = poll(&pfd, 1, (int) (AXT_SPAWN_REPORT_MS * mul));
	} while (rc < 0 && errno == EINTR);
	if (rc == 0) {
		axt_dump_family();
	}
	ck_assert_msg(rc > 0, "child %d did not report in %d ms", (int) c.pid,
	    (int) (AXT_SPAWN_REPORT_MS * mul));
	if (read(p[0], &c.val, sizeof(c.val)) != (ssize_t) sizeof(c.val)) {
		c.val = -1;
	}
	(void) close(p[0]);
	return c;
}

static inline void
axt_report(int fd, int val)
{
	if (write(fd, &val, sizeof(val)) != (ssize_t) sizeof(val)) {
		_exit(99);
	}
}

static inline void
axt_child_kill(struct axt_child *c)
{
	if (c->pid > 0) {
		(void) kill(c->pid, SIGKILL);
		(void) waitpid(c->pid, NULL, 0);
		c->pid = -1;
	}
}

/* Waits for the child to exit by itself (bounded); returns its status
 * or -1 on timeout (then kills it). */
static inline int
axt_child_wait(struct axt_child *c, double timeout_s)
{
	double end = axt_now() + timeout_s;
	int st;

	while (axt_now() < end) {
		pid_t r = waitpid(c->pid, &st, WNOHANG);

		if (r == c->pid) {
			c->pid = -1;
			return st;
		}
		axt_sleep_ms(5);
	}
	axt_child_kill(c);
	return -1;
}

/* waitpid(pid) bounded by timeout_s: the status, or -1 if the process
 * did not end in time (its threads are then dumped, and it is killed). */
static inline int
axt_waitpid(pid_t pid, double timeout_s)
{
	double end = axt_now() + timeout_s;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid) {
			return st;
		}
		if (r < 0 || axt_now() >= end) {
			break;
		}
		axt_sleep_ms(2);
	}
	fprintf(stderr, "process %d still running after %.0f s:\n",
	    (int) pid, timeout_s);
	axt_dump_threads(pid);
	(void) kill(pid, SIGKILL);
	(void) waitpid(pid, NULL, 0);
	return -1;
}

/* Pulse bursts of the ordering tests (test_xfer, test_net): pulse i of
 * a burst has priority axt_burst_prio(i), all different for i < 255,
 * and is in order after pulse last when its priority is lower, or the
 * same and it was sent later. */
static inline int
axt_burst_prio(int i)
{
	return 1 + (i * 97) % 255;
}

static inline bool
axt_burst_in_order(int last, int i)
{
	return axt_burst_prio(i) < axt_burst_prio(last) ||
	    (axt_burst_prio(i) == axt_burst_prio(last) && i > last);
}

/* MsgSendPulse_r, again after 1 ms while the connection's socket is full
 * (EAGAIN: the reader has not taken what is in it), for at most 5 s:
 * 0 or -errno. */
static inline int
axt_pulse_retry(int coid, int prio, int code, int value)
{
	int rc;
	int tries = 0;

	while ((rc = MsgSendPulse_r(coid, prio, code, value)) == -EAGAIN &&
	    tries++ < 5000) {
		axt_sleep_ms(1);
	}
	return rc;
}

/* Runs the suite in fork mode with each test's timeout in seconds,
 * scaled by AXON_TEST_TIMEOUT_MULTIPLIER (sanitizer builds). */
static inline int
axt_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	char base[64] = "";
	int failed;

	if (getenv("CK_FORK") == NULL) {
		srunner_set_fork_status(sr, CK_FORK);
	}
	/* Every test's run directory is made inside one directory of this
	 * program's, removed at the end whatever the tests left: a test
	 * that timed out or crashed never ran its teardown.  Traversable
	 * by others (0711): the attack tests share a test's directory. */
	if (getenv("AXT_BASE") == NULL) {
		snprintf(base, sizeof(base), "/tmp/axon-test-XXXXXX");
		if (mkdtemp(base) == NULL || chmod(base, 0711) < 0 ||
		    setenv("AXT_BASE", base, 1) < 0) {
			perror("axt_run: base directory");
			return EXIT_FAILURE;
		}
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (base[0] != '\0') {
		/* (FTW_MOUNT: never into a mount a dead test left.) */
		(void) nftw(base, axt_rm_cb, 16,
		    FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
		(void) unsetenv("AXT_BASE");
	}
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static inline TCase *
axt_tcase(const char *name, double timeout_s)
{
	TCase *tc = tcase_create(name);
	const char *m = getenv("AXON_TEST_TIMEOUT_MULTIPLIER");
	double mul = m != NULL ? atof(m) : 1.0;

	tcase_add_checked_fixture(tc, axt_setup, axt_teardown);
	tcase_set_timeout(tc, timeout_s * (mul > 0 ? mul : 1.0));
	return tc;
}

#endif /* AXON_TESTS_AXON_TEST_H */
