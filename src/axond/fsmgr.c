/* SPDX-License-Identifier: MIT */
/*
 * axond's supervision of axon-fs(8) (fsmgr.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "axond.h"
#include "fsmgr.h"
#include "module.h"

extern char **environ;

#define FS_BACKOFF_MIN_MS 1000
#define FS_BACKOFF_MAX_MS 30000
#define FS_STABLE_MS      10000 /* a run this long resets the backoff */

static struct {
	bool on;
	pid_t pid;               /* running, or -1 */
	uint64_t started_ms;
	uint64_t next_ms;        /* when to start the next, if not running */
	unsigned backoff_ms;
	char prog[PATH_MAX];
	char *argv[8];
	char **envp;             /* environ with this node's AXON_RUNDIR */
} fsm = {.pid = -1};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}

static void
fs_spawn(void)
{
	pid_t pid;

	/* Between fork and exec: async-signal-safe calls only (axond has
	 * threads); everything was made beforehand. */
	pid = fork();
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		(void) sigprocmask(SIG_SETMASK, &none, NULL); /* axond blocks
							       * its signals */
		(void) signal(SIGPIPE, SIG_DFL);
		(void) prctl(PR_SET_PDEATHSIG, SIGTERM);
		execve(fsm.prog, fsm.argv, fsm.envp);
		_exit(127);
	}
	if (pid < 0) {
		axd_log(AXD_ERR, "axon-fs: fork: %s", strerror(errno));
		fsm.next_ms = now_ms() + fsm.backoff_ms;
		return;
	}
	fsm.pid = pid;
	fsm.started_ms = now_ms();
	axd_log(AXD_INFO, "axon-fs started (pid %d)", (int) pid);
}

int
axd_fs_start(void)
{
	size_t n = 0, k = 0;
	static char rundir_env[sizeof(g.rundir) + 16];
	static char dir_arg[sizeof(g.cfg.fs_dir)];
	static char net_arg[sizeof(g.cfg.net_dir)];
	static char links_arg[sizeof(g.cfg.fs_dev_links)];
	int a = 1;

	if (!g.cfg.fs) {
		return 0;
	}
	if (g.cfg.fs_program[0] != '\0') {
		snprintf(fsm.prog, sizeof(fsm.prog), "%s", g.cfg.fs_program);
	} else {
		char self[PATH_MAX];
		ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
		char *slash;

		if (l <= 0) {
			axd_log(AXD_ERR, "axon-fs: where is axond? %s",
			    strerror(errno));
			return -1;
		}
		self[l] = '\0';
		slash = strrchr(self, '/');
		*slash = '\0';
		if ((size_t) snprintf(fsm.prog, sizeof(fsm.prog),
			"%s/axon-fs", self) >= sizeof(fsm.prog)) {
			return -1;
		}
	}
	if (access(fsm.prog, X_OK) != 0) {
		axd_log(AXD_ERR, "axon-fs: %s: %s (fs-program)", fsm.prog,
		    strerror(errno));
		return -1;
	}
	for (char **e = environ; *e != NULL; e++) {
		n++;
	}
	fsm.envp = calloc(n + 2, sizeof(char *));
	if (fsm.envp == NULL) {
		return -1;
	}
	for (char **e = environ; *e != NULL; e++) {
		if (strncmp(*e, "AXON_RUNDIR=", 12) != 0) {
			fsm.envp[k++] = *e;
		}
	}
	snprintf(rundir_env, sizeof(rundir_env), "AXON_RUNDIR=%s", g.rundir);
	fsm.envp[k] = rundir_env;
	fsm.argv[0] = "axon-fs";
	if (g.cfg.fs_dir[0] != '\0') {
		snprintf(dir_arg, sizeof(dir_arg), "%s", g.cfg.fs_dir);
		fsm.argv[a++] = "--fs-dir";
		fsm.argv[a++] = dir_arg;
	}
	if (g.cfg.net_dir[0] != '\0') {
		snprintf(net_arg, sizeof(net_arg), "%s", g.cfg.net_dir);
		fsm.argv[a++] = "--net-dir";
		fsm.argv[a++] = net_arg;
	}
	if (g.cfg.fs_dev_links[0] != '\0') {
		snprintf(links_arg, sizeof(links_arg), "%s",
		    g.cfg.fs_dev_links);
		fsm.argv[a++] = "--dev-links";
		fsm.argv[a++] = links_arg;
	}
	fsm.on = true;
	fsm.backoff_ms = FS_BACKOFF_MIN_MS;
	fs_spawn();
	return 0;
}

void
axd_fs_check(void)
{
	uint64_t t;
	int st;

	if (!fsm.on) {
		return;
	}
	t = now_ms();
	if (fsm.pid > 0 && waitpid(fsm.pid, &st, WNOHANG) == fsm.pid) {
		fsm.pid = -1;
		if (t - fsm.started_ms >= FS_STABLE_MS) {
			fsm.backoff_ms = FS_BACKOFF_MIN_MS;
		}
		axd_log(AXD_WARN, "axon-fs ended (%s %d); again in %u ms",
		    WIFEXITED(st) ? "status" : "signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
		    fsm.backoff_ms);
		fsm.next_ms = t + fsm.backoff_ms;
		fsm.backoff_ms = fsm.backoff_ms * 2 > FS_BACKOFF_MAX_MS ?
		    FS_BACKOFF_MAX_MS : fsm.backoff_ms * 2;
	}
	if (fsm.pid < 0 && t >= fsm.next_ms) {
		fs_spawn();
	}
}

void
axd_fs_stop(void)
{
	uint64_t end;

	if (!fsm.on) {
		return;
	}
	fsm.on = false;
	if (fsm.pid <= 0) {
		return;
	}
	(void) kill(fsm.pid, SIGTERM);
	end = now_ms() + 3000;
	while (waitpid(fsm.pid, NULL, WNOHANG) == 0) {
		if (now_ms() >= end) {
			(void) kill(fsm.pid, SIGKILL);
			(void) waitpid(fsm.pid, NULL, 0);
			break;
		}
		usleep(5000);
	}
	fsm.pid = -1;
}

/* ---- the module (module.h) ---- */

static void
fs_tick(uint64_t now)
{
	(void) now;
	axd_fs_check();
}

const struct axd_module axd_mod_fs = {
	.name = "fs",
	.start = axd_fs_start,
	.stop = axd_fs_stop, /* first: unmounted before the node goes */
	.tick = fs_tick,
};
