/* SPDX-License-Identifier: MIT */
/*
 * What the tests of the FUSE bridge share (test_fs, test_devlinks): the
 * bridge's program, whether this machine can run them, whether a mount
 * point is mounted, a bounded shell command, a child found by name.
 */
#ifndef AXON_FS_TEST_H
#define AXON_FS_TEST_H

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "axon_test.h"

/* axon-fs: $AXON_FS, or the build's. */
static inline const char *
fs_bin(void)
{
	const char *b = getenv("AXON_FS");

	return b != NULL ? b : "build/axon-fs";
}

/* Whether this machine can run test (prints why not); root is needed
 * for the reason why. */
static inline bool
fs_usable_for(const char *test, const char *why)
{
	if (geteuid() != 0) {
		fprintf(stderr, "%s: skipped: needs root (%s)\n", test, why);
		return false;
	}
	if (access("/dev/fuse", R_OK | W_OK) != 0) {
		fprintf(stderr, "%s: skipped: no usable /dev/fuse\n", test);
		return false;
	}
	if (access(fs_bin(), X_OK) != 0) {
		fprintf(stderr, "%s: skipped: no %s (set AXON_FS)\n", test,
		    fs_bin());
		return false;
	}
	return true;
}

/* Whether something is mounted at mnt (another device than the test's
 * run directory). */
static inline bool
fs_mounted_at(const char *mnt)
{
	struct stat a, b;

	return stat(mnt, &a) == 0 && stat(axt_rundir, &b) == 0 &&
	    a.st_dev != b.st_dev;
}

/*
 * Runs a shell command line (bounded by timeout_s, then killed) and
 * gives its standard output; returns its exit status, or -1 if it was
 * killed for taking too long.
 */
static inline int __attribute__((format(printf, 4, 5)))
sh(char *out, size_t cap, double timeout_s, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int p[2], st;
	size_t n = 0;
	double end = axt_now() + timeout_s;
	pid_t pid;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		(void) dup2(p[1], 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *) NULL);
		_exit(127);
	}
	(void) close(p[1]);
	for (;;) {
		struct pollfd pf = {.fd = p[0], .events = POLLIN};
		int ms = (int) ((end - axt_now()) * 1000);
		ssize_t r;

		if (ms <= 0 || poll(&pf, 1, ms) <= 0) {
			break;
		}
		r = read(p[0], out + n, cap - 1 - n);
		if (r <= 0) {
			break;
		}
		n += (size_t) r;
		if (n == cap - 1) {
			break;
		}
	}
	out[n] = '\0';
	(void) close(p[0]);
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (axt_now() >= end) {
			(void) kill(pid, SIGKILL);
			(void) waitpid(pid, &st, 0);
			return -1;
		}
		axt_sleep_ms(5);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The pid of pid's living child named comm, or -1. */
static inline pid_t
child_named(pid_t pid, const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = -1;

	ck_assert_ptr_nonnull(d);
	while (found < 0 && (e = readdir(d)) != NULL) {
		char path[300], buf[1024];
		char *p;
		int fd;
		ssize_t n;

		if (e->d_name[0] < '0' || e->d_name[0] > '9') {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			continue;
		}
		n = read(fd, buf, sizeof(buf) - 1);
		(void) close(fd);
		if (n <= 0) {
			continue;
		}
		buf[n] = '\0';
		/* "PID (COMM) STATE PPID ..." */
		p = strrchr(buf, ')');
		if (p != NULL && p[2] != 'Z' && strncmp(strchr(buf, '(') + 1,
			comm, strlen(comm)) == 0 && atoi(p + 4) == pid) {
			found = atoi(buf);
		}
	}
	(void) closedir(d);
	return found;
}

#endif
