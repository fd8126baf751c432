/* SPDX-License-Identifier: MIT */
/*
 * QNX's general spawn() and spawnp() (<spawn.h>, spawn(3)): argv and
 * envp, fd_map (remapped, swapped, closed, everything inherited), the
 * inheritance flags as the child sees them (/proc/self/status, its
 * process group and session, its scheduling), PATH search, SPAWN_HOLD,
 * SPAWN_NOZOMBIE, SPAWN_EXEC, every error the caller can cause, and a
 * child that dies.  Children are real programs (sh, cat, sleep); every
 * wait is bounded.
 */
#include "axon_test.h"

#include <limits.h>
#include <pty.h>
#include <sched.h>
#include <spawn.h>
#include <sys/resource.h>
#include <termios.h>

/* Runs path with argv, its standard output (fd_map[1]) into a pipe, and
 * returns what it wrote (NUL-terminated in out) and its wait status. */
static int
sp_run(const char *path, struct inheritance *in, char *const argv[],
    char *const envp[], char *out, size_t len)
{
	int p[2];
	int map[3];
	size_t n = 0;
	pid_t pid;
	int st;

	ck_assert_int_eq(pipe(p), 0);
	map[0] = SPAWN_FDCLOSED;
	map[1] = p[1];
	map[2] = 2;
	pid = spawn(path, 3, map, in, argv, envp);
	ck_assert_msg(pid > 0, "spawn %s: %s", path, strerror(errno));
	close(p[1]);
	for (;;) {
		ssize_t r = read(p[0], out + n, len - 1 - n);

		if (r <= 0) {
			break;
		}
		n += (size_t) r;
	}
	out[n] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return st;
}

/* The value of a "Name:\thex" line of /proc/self/status as a child
 * printed it. */
static unsigned long long
sp_status_hex(const char *status, const char *name)
{
	const char *l = strstr(status, name);

	ck_assert_ptr_nonnull(l);
	return strtoull(l + strlen(name) + 1, NULL, 16);
}

static unsigned long long
sp_bits(int a, int b)
{
	unsigned long long m = 1ULL << (a - 1);

	return b > 0 ? m | (1ULL << (b - 1)) : m;
}

START_TEST(test_spawn_argv_envp)
{
	char out[256];
	char *argv[] = {"sh", "-c", "echo \"$0|$1|$AXON_SP\"", "zero", "one",
	    NULL};
	char *envp[] = {"AXON_SP=given", NULL};
	int st;

	st = sp_run("/bin/sh", NULL, argv, envp, out, sizeof(out));
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_str_eq(out, "zero|one|given\n");
	/* envp NULL: the caller's environment. */
	setenv("AXON_SP", "inherited", 1);
	st = sp_run("/bin/sh", NULL, argv, NULL, out, sizeof(out));
	ck_assert_str_eq(out, "zero|one|inherited\n");
	/* An empty inheritance is no inheritance. */
	{
		struct inheritance in;

		memset(&in, 0, sizeof(in));
		st = sp_run("/bin/sh", &in, argv, envp, out, sizeof(out));
		ck_assert_str_eq(out, "zero|one|given\n");
	}
}
END_TEST

/* In a process of its own (Check's descriptors are among the low ones):
 * a at 3 and b at 4 in the caller, swapped for the child, so that each
 * slot names a descriptor another slot overwrites; 0 from a pipe that is
 * close-on-exec in the caller (mapped anyway); 2 and 5 closed; 9 open in
 * the caller, not close-on-exec, but not in the map.  The child's output
 * goes to outfd. */
static void
sp_fd_map_child(const char *a, const char *b, int outfd)
{
	char *argv[] = {"sh", "-c",
	    "cat <&0; readlink /proc/self/fd/3 /proc/self/fd/4; "
	    "test -e /proc/self/fd/2 || echo two-closed; "
	    "test -e /proc/self/fd/5 || echo five-closed; "
	    "test -e /proc/self/fd/9 || echo nine-closed",
	    NULL};
	int map[6];
	int in[2];
	int st;
	pid_t pid;

	if (dup2(outfd, 50) != 50 || pipe2(in, O_CLOEXEC) != 0 ||
	    dup2(in[0], 51) != 51 || write(in[1], "from-fd0\n", 9) != 9) {
		_exit(10);
	}
	close(in[0]);
	close(in[1]);
	close(outfd);
	if (dup2(open(a, O_RDWR | O_CLOEXEC), 3) != 3 ||
	    dup2(open(b, O_RDWR), 4) != 4 || dup2(4, 9) != 9 ||
	    fcntl(3, F_SETFD, FD_CLOEXEC) != 0) {
		_exit(11);
	}
	map[0] = 51;
	map[1] = 50;
	map[2] = SPAWN_FDCLOSED;
	map[3] = 4;
	map[4] = 3;
	map[5] = SPAWN_FDCLOSED;
	pid = spawn("/bin/sh", 6, map, NULL, argv, NULL);
	if (pid <= 0 || waitpid(pid, &st, 0) != pid || st != 0) {
		_exit(12);
	}
	/* The caller's descriptors are as they were. */
	if (fcntl(3, F_GETFD) != FD_CLOEXEC || fcntl(4, F_GETFD) != 0 ||
	    fcntl(50, F_GETFD) != 0 || fcntl(51, F_GETFD) != 0) {
		_exit(13);
	}
	_exit(0);
}

START_TEST(test_spawn_fd_map)
{
	char out[1024], want[1024];
	char a[300], b[300];
	int p[2];
	size_t n = 0;
	pid_t h;
	int st;

	snprintf(a, sizeof(a), "%s/a", axt_rundir);
	snprintf(b, sizeof(b), "%s/b", axt_rundir);
	close(open(a, O_CREAT | O_RDWR, 0600));
	close(open(b, O_CREAT | O_RDWR, 0600));
	ck_assert_int_eq(pipe(p), 0);
	h = fork();
	ck_assert_int_ge(h, 0);
	if (h == 0) {
		close(p[0]);
		sp_fd_map_child(a, b, p[1]);
	}
	close(p[1]);
	for (ssize_t r; (r = read(p[0], out + n, sizeof(out) - 1 - n)) > 0;) {
		n += (size_t) r;
	}
	out[n] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(h, &st, 0), h);
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	snprintf(want, sizeof(want),
	    "from-fd0\n%s\n%s\ntwo-closed\nfive-closed\nnine-closed\n", b, a);
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(test_spawn_fd_inherit_all)
{
	char cmd[256];
	char *argv[] = {"sh", "-c", cmd, NULL};
	int keep = open("/dev/null", O_RDONLY);
	int drop = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid_t pid;
	int st;

	ck_assert_int_ge(keep, 0);
	ck_assert_int_ge(drop, 0);
	snprintf(cmd, sizeof(cmd),
	    "test -e /proc/self/fd/%d && ! test -e /proc/self/fd/%d", keep,
	    drop);
	/* fd_count 0: fd_map is ignored, even a bad pointer. */
	pid = spawn("/bin/sh", 0, (const int *) 8, NULL, argv, NULL);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(keep);
	close(drop);
}
END_TEST

START_TEST(test_spawn_signals)
{
	char out[4096];
	char *argv[] = {"cat", "/proc/self/status", NULL};
	struct inheritance in;
	sigset_t mine;
	int st;

	/* The caller's own mask and ignored signals, inherited by default
	 * (spawn() blocks everything while it forks, and must restore). */
	sigemptyset(&mine);
	sigaddset(&mine, SIGUSR1);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &mine, NULL), 0);
	signal(SIGHUP, SIG_IGN);
	st = sp_run("/bin/cat", NULL, argv, NULL, out, sizeof(out));
	ck_assert_int_eq(st, 0);
	ck_assert_uint_eq(sp_status_hex(out, "SigBlk:"), sp_bits(SIGUSR1, 0));
	ck_assert(sp_status_hex(out, "SigIgn:") & sp_bits(SIGHUP, 0));
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, NULL, &mine), 0);
	ck_assert_int_eq(sigismember(&mine, SIGUSR1), 1);
	ck_assert_int_eq(sigismember(&mine, SIGTERM), 0);

	/* Each set replaces what the caller has. */
	memset(&in, 0, sizeof(in));
	in.flags = SPAWN_SETSIGMASK | SPAWN_SETSIGIGN | SPAWN_SETSIGDEF;
	sigemptyset(&in.sigmask);
	sigaddset(&in.sigmask, SIGTERM);
	sigaddset(&in.sigmask, SIGUSR2);
	sigemptyset(&in.sigignore);
	sigaddset(&in.sigignore, SIGPIPE);
	sigaddset(&in.sigignore, SIGKILL); /* cannot be: skipped */
	sigemptyset(&in.sigdefault);
	sigaddset(&in.sigdefault, SIGHUP);
	st = sp_run("/bin/cat", &in, argv, NULL, out, sizeof(out));
	ck_assert_int_eq(st, 0);
	ck_assert_uint_eq(sp_status_hex(out, "SigBlk:"),
	    sp_bits(SIGTERM, SIGUSR2));
	ck_assert(sp_status_hex(out, "SigIgn:") & sp_bits(SIGPIPE, 0));
	ck_assert(!(sp_status_hex(out, "SigIgn:") & sp_bits(SIGHUP, 0)));
	/* Nothing changed in the caller. */
	ck_assert(signal(SIGPIPE, SIG_DFL) == SIG_DFL);
	ck_assert(signal(SIGHUP, SIG_IGN) == SIG_IGN);
}
END_TEST

/* A child that sleeps, for looking at from here. */
static pid_t
sp_sleeper(struct inheritance *in)
{
	char *argv[] = {"sleep", "20", NULL};
	pid_t pid = spawn("/bin/sleep", 0, NULL, in, argv, NULL);

	ck_assert_msg(pid > 0, "spawn: %s", strerror(errno));
	return pid;
}

static void
sp_end(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
}

START_TEST(test_spawn_group_session)
{
	struct inheritance in;
	pid_t a, b, c, d;

	memset(&in, 0, sizeof(in));
	d = sp_sleeper(&in);
	ck_assert_int_eq(getpgid(d), getpgrp());
	in.flags = SPAWN_SETGROUP;
	in.pgroup = SPAWN_NEWPGROUP;
	a = sp_sleeper(&in);
	ck_assert_int_eq(getpgid(a), a);
	ck_assert_int_eq(getsid(a), getsid(0));
	in.pgroup = a; /* join a's group */
	b = sp_sleeper(&in);
	ck_assert_int_eq(getpgid(b), a);
	in.flags = SPAWN_SETSID;
	c = sp_sleeper(&in);
	ck_assert_int_eq(getsid(c), c);
	ck_assert_int_eq(getpgid(c), c);
	sp_end(a);
	sp_end(b);
	sp_end(c);
	sp_end(d);
}
END_TEST

/* SPAWN_TCSETPGROUP: the child's new group takes the terminal, from a
 * session of its own with a pseudo-terminal; without one, ENXIO. */
START_TEST(test_spawn_tcsetpgroup)
{
	pid_t h = fork();
	int st;

	ck_assert_int_ge(h, 0);
	if (h == 0) {
		struct inheritance in;
		int m, s;
		pid_t pid;

		memset(&in, 0, sizeof(in));
		in.flags = SPAWN_SETGROUP | SPAWN_TCSETPGROUP;
		in.pgroup = SPAWN_NEWPGROUP;
		if (setsid() < 0) {
			_exit(1);
		}
		if (spawn("/bin/sleep", 0, NULL, &in,
			(char *[]) {"sleep", "20", NULL}, NULL) != -1 ||
		    errno != ENXIO) {
			_exit(2);
		}
		if (openpty(&m, &s, NULL, NULL, NULL) != 0 ||
		    ioctl(s, TIOCSCTTY, 0) != 0) {
			_exit(3);
		}
		pid = spawn("/bin/sleep", 0, NULL, &in,
		    (char *[]) {"sleep", "20", NULL}, NULL);
		if (pid <= 0 || tcgetpgrp(s) != pid || getpgid(pid) != pid) {
			_exit(4);
		}
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(h, &st, 0), h);
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST

START_TEST(test_spawn_search_path)
{
	char dir[300], dir2[300], file[400], path[700];
	char out[256];
	char *argv[] = {"axon-sp-prog", "x", NULL};
	struct inheritance in;
	FILE *f;
	int st;

	snprintf(dir, sizeof(dir), "%s/bin1", axt_rundir);
	snprintf(dir2, sizeof(dir2), "%s/bin2", axt_rundir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(mkdir(dir2, 0700), 0);
	/* bin1 has one that may not be run, bin2 the real one. */
	snprintf(file, sizeof(file), "%s/axon-sp-prog", dir);
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	snprintf(file, sizeof(file), "%s/axon-sp-prog", dir2);
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\necho found \"$1\"\n");
	fclose(f);
	ck_assert_int_eq(chmod(file, 0700), 0);
	snprintf(path, sizeof(path), "/nonexistent:%s:%s", dir, dir2);
	setenv("PATH", path, 1);

	{
		int p[2];
		int map[2];
		pid_t pid;
		ssize_t n;

		ck_assert_int_eq(pipe(p), 0);
		map[0] = SPAWN_FDCLOSED;
		map[1] = p[1];
		pid = spawnp("axon-sp-prog", 2, map, NULL, argv, NULL);
		ck_assert_int_gt(pid, 0);
		close(p[1]);
		n = read(p[0], out, sizeof(out) - 1);
		ck_assert_int_gt(n, 0);
		out[n] = '\0';
		ck_assert_str_eq(out, "found x\n");
		close(p[0]);
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	}
	/* SPAWN_SEARCH_PATH makes spawn() spawnp(). */
	memset(&in, 0, sizeof(in));
	in.flags = SPAWN_SEARCH_PATH;
	st = sp_run("axon-sp-prog", &in, argv, NULL, out, sizeof(out));
	ck_assert_str_eq(out, "found x\n");
	/* Without it, the name is a path relative to here. */
	ck_assert_int_eq(spawn("axon-sp-prog", 0, NULL, NULL, argv, NULL), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* Only the one that may not be run: EACCES; none: ENOENT. */
	snprintf(path, sizeof(path), "/nonexistent:%s", dir);
	setenv("PATH", path, 1);
	ck_assert_int_eq(spawnp("axon-sp-prog", 0, NULL, NULL, argv, NULL),
	    -1);
	ck_assert_int_eq(errno, EACCES);
	setenv("PATH", "/nonexistent", 1);
	ck_assert_int_eq(spawnp("axon-sp-prog", 0, NULL, NULL, argv, NULL),
	    -1);
	ck_assert_int_eq(errno, ENOENT);
	/* A slash: no search. */
	ck_assert_int_gt(spawnp("/bin/true", 0, NULL, NULL,
			     (char *[]) {"true", NULL}, NULL), 0);
	ck_assert_int_gt(wait(&st), 0);
	ck_assert_int_eq(st, 0);
}
END_TEST

START_TEST(test_spawn_check_script)
{
	char file[300];
	char out[128];
	char *argv[] = {"plain", "arg", NULL};
	struct inheritance in;
	FILE *f;

	/* A script without #!: ENOEXEC, unless SPAWN_CHECK_SCRIPT. */
	snprintf(file, sizeof(file), "%s/plain", axt_rundir);
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "echo script \"$1\"\n");
	fclose(f);
	ck_assert_int_eq(chmod(file, 0700), 0);
	ck_assert_int_eq(spawn(file, 0, NULL, NULL, argv, NULL), -1);
	ck_assert_int_eq(errno, ENOEXEC);
	memset(&in, 0, sizeof(in));
	in.flags = SPAWN_CHECK_SCRIPT;
	(void) sp_run(file, &in, argv, NULL, out, sizeof(out));
	ck_assert_str_eq(out, "script arg\n");
}
END_TEST

START_TEST(test_spawn_nozombie)
{
	struct inheritance in;
	char proc[64];
	struct stat st;
	pid_t pid;
	int status;
	int i;

	memset(&in, 0, sizeof(in));
	in.flags = SPAWN_NOZOMBIE;
	pid = spawn("/bin/sh", 0, NULL, &in,
	    (char *[]) {"sh", "-c", "sleep 0.2", NULL}, NULL);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	ck_assert_int_eq(waitpid(-1, &status, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD); /* the middle one was reaped */
	/* It runs, then is gone without anyone of ours waiting: no
	 * zombie anywhere. */
	snprintf(proc, sizeof(proc), "/proc/%d", (int) pid);
	ck_assert_int_eq(stat(proc, &st), 0);
	for (i = 0; i < 500 && stat(proc, &st) == 0; i++) {
		axt_sleep_ms(10);
	}
	ck_assert_int_ne(stat(proc, &st), 0);
	/* Errors still come back. */
	ck_assert_int_eq(spawn("/nonexistent", 0, NULL, &in,
			     (char *[]) {"x", NULL}, NULL), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* The state letter of /proc/PID/stat. */
static char
sp_state(pid_t pid)
{
	char p[64], buf[512];
	char *r;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int) pid);
	f = fopen(p, "r");
	if (f == NULL) {
		return '?';
	}
	buf[0] = '\0';
	(void) !fgets(buf, sizeof(buf), f);
	fclose(f);
	r = strrchr(buf, ')');
	return r != NULL && r[1] == ' ' ? r[2] : '?';
}

START_TEST(test_spawn_hold)
{
	struct inheritance in;
	pid_t pid;
	int st;

	memset(&in, 0, sizeof(in));
	in.flags = SPAWN_HOLD;
	pid = spawn("/bin/sh", 0, NULL, &in,
	    (char *[]) {"sh", "-c", "exit 5", NULL}, NULL);
	ck_assert_int_gt(pid, 0);
	/* Stopped on return, and its stop still ours to see. */
	ck_assert_int_eq(sp_state(pid), 'T');
	ck_assert_int_eq(waitpid(pid, &st, WUNTRACED), pid);
	ck_assert(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	axt_sleep_ms(50);
	ck_assert_int_eq(sp_state(pid), 'T');
	ck_assert_int_eq(kill(pid, SIGCONT), 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 5);

	/* Held and no zombie: stopped before spawn() returns too. */
	in.flags = SPAWN_HOLD | SPAWN_NOZOMBIE;
	pid = spawn("/bin/sh", 0, NULL, &in,
	    (char *[]) {"sh", "-c", "exit 0", NULL}, NULL);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(sp_state(pid), 'T');
	ck_assert_int_eq(kill(pid, SIGCONT), 0);
}
END_TEST

START_TEST(test_spawn_exec)
{
	struct inheritance in;
	pid_t pid;
	int st;

	memset(&in, 0, sizeof(in));
	in.flags = SPAWN_EXEC;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int map[3] = {SPAWN_FDCLOSED, SPAWN_FDCLOSED, SPAWN_FDCLOSED};

		(void) spawn("/bin/sh", 3, map, &in,
		    (char *[]) {"sh", "-c",
			"test -e /proc/self/fd/1 && exit 1; exit 7", NULL},
		    NULL);
		_exit(100);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	/* A failed one returns. */
	ck_assert_int_eq(spawn("/nonexistent", 0, NULL, &in,
			     (char *[]) {"x", NULL}, NULL), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_spawn_sched)
{
	struct inheritance in;
	struct sched_param sp;
	cpu_set_t cs;
	char lim[64], buf[4096];
	pid_t pid;
	FILE *f;
	size_t n;

	if (geteuid() != 0) {
		return; /* SCHED_FIFO needs CAP_SYS_NICE: root only */
	}
	memset(&in, 0, sizeof(in));
	in.flags = SPAWN_EXPLICIT_SCHED | SPAWN_EXPLICIT_CPU |
	    SPAWN_SETSTACKMAX;
	in.policy = SCHED_FIFO;
	in.param.sched_priority = 7;
	in.runmask = 1; /* CPU 0 */
	in.stack_max = 1 << 20;
	pid = sp_sleeper(&in);
	ck_assert_int_eq(sched_getscheduler(pid), SCHED_FIFO);
	ck_assert_int_eq(sched_getparam(pid, &sp), 0);
	ck_assert_int_eq(sp.sched_priority, 7);
	ck_assert_int_eq(sched_getaffinity(pid, sizeof(cs), &cs), 0);
	ck_assert_int_eq(CPU_COUNT(&cs), 1);
	ck_assert(CPU_ISSET(0, &cs));
	snprintf(lim, sizeof(lim), "/proc/%d/limits", (int) pid);
	f = fopen(lim, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "Max stack size            1048576"));
	sp_end(pid);
	/* The caller's own scheduling is untouched. */
	ck_assert_int_eq(sched_getscheduler(0), SCHED_OTHER);
	/* SCHED_OTHER takes no priority on Linux. */
	in.flags = SPAWN_EXPLICIT_SCHED;
	in.policy = SCHED_OTHER;
	in.param.sched_priority = 10;
	pid = sp_sleeper(&in);
	ck_assert_int_eq(sched_getscheduler(pid), SCHED_OTHER);
	sp_end(pid);
}
END_TEST

START_TEST(test_spawn_errors)
{
	char *argv[] = {"x", NULL};
	char *noargs[] = {NULL};
	char file[300];
	struct inheritance in;
	int map[2] = {0, 1};
	int closed;
	int st;
	int before = axt_fd_count();
	FILE *f;

	errno = 0;
	ck_assert_int_eq(spawn("/nonexistent/x", 0, NULL, NULL, argv, NULL),
	    -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(spawn("", 0, NULL, NULL, argv, NULL), -1);
	ck_assert_int_eq(errno, ENOENT);
	snprintf(file, sizeof(file), "%s/noexec", axt_rundir);
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(chmod(file, 0644), 0);
	ck_assert_int_eq(spawn(file, 0, NULL, NULL, argv, NULL), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(spawn(axt_rundir, 0, NULL, NULL, argv, NULL), -1);
	ck_assert_int_eq(errno, EACCES); /* a directory */

	/* EBADF: a descriptor of fd_map that is not open. */
	closed = open("/dev/null", O_RDONLY);
	close(closed);
	map[1] = closed;
	ck_assert_int_eq(spawn("/bin/true", 2, map, NULL, argv, NULL), -1);
	ck_assert_int_eq(errno, EBADF);
	map[1] = -7;
	ck_assert_int_eq(spawn("/bin/true", 2, map, NULL, argv, NULL), -1);
	ck_assert_int_eq(errno, EBADF);

	/* EINVAL: the arguments. */
	ck_assert_int_eq(spawn(NULL, 0, NULL, NULL, argv, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(spawn("/bin/true", 0, NULL, NULL, NULL, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(spawn("/bin/true", 0, NULL, NULL, noargs, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(spawn("/bin/true", -1, map, NULL, argv, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(spawn("/bin/true", 2, NULL, NULL, argv, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(spawn("/bin/true", INT_MAX, map, NULL, argv, NULL),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	memset(&in, 0, sizeof(in));
	in.flags = 0x80000000UL; /* no such flag */
	ck_assert_int_eq(spawn("/bin/true", 0, NULL, &in, argv, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	in.flags = SPAWN_ALIGN_FAULT | SPAWN_ALIGN_NOFAULT;
	ck_assert_int_eq(spawn("/bin/true", 0, NULL, &in, argv, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	in.flags = SPAWN_EXPLICIT_SCHED;
	in.policy = 12345;
	ck_assert_int_eq(spawn("/bin/true", 0, NULL, &in, argv, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	in.policy = SCHED_FIFO;
	in.param.sched_priority = 0;
	ck_assert_int_eq(spawn("/bin/true", 0, NULL, &in, argv, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	in.flags = SPAWN_EXPLICIT_CPU;
	in.runmask = 0;
	ck_assert_int_eq(spawn("/bin/true", 0, NULL, &in, argv, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	in.flags = SPAWN_SETGROUP;
	in.pgroup = -2;
	ck_assert_int_eq(spawn("/bin/true", 0, NULL, &in, argv, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);

	/* Another node: refused, never run here. */
	in.flags = SPAWN_SETND;
	in.nd = 1;
	ck_assert_int_eq(spawn("/bin/true", 0, NULL, &in, argv, NULL), -1);
	ck_assert_int_eq(errno, ENOSYS);
	in.nd = ND_LOCAL_NODE; /* this node: an ordinary spawn */
	ck_assert_int_gt(spawn("/bin/true", 0, NULL, &in, argv, NULL), 0);
	ck_assert_int_gt(wait(&st), 0);
	ck_assert_int_eq(st, 0);

	/* Failures in the child, before the exec, come back too, and the
	 * failed child is reaped: a group of another session (EPERM), a
	 * stack limit above the hard one, argv the exec cannot read. */
	in.flags = SPAWN_SETGROUP;
	in.pgroup = 1;
	ck_assert_int_eq(spawn("/bin/true", 0, NULL, &in, argv, NULL), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(waitpid(-1, &st, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	{
		struct rlimit rl;

		ck_assert_int_eq(getrlimit(RLIMIT_STACK, &rl), 0);
		if (rl.rlim_max != RLIM_INFINITY && geteuid() != 0) {
			in.flags = SPAWN_SETSTACKMAX;
			in.stack_max = rl.rlim_max + 4096;
			ck_assert_int_eq(spawn("/bin/true", 0, NULL, &in,
					     argv, NULL), -1);
			ck_assert_int_eq(errno, EINVAL);
		}
	}
	ck_assert_int_eq(spawn("/bin/true", 0, NULL, NULL,
			     (char *[]) {"x", (char *) 8, NULL}, NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_int_eq(waitpid(-1, &st, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	ck_assert_int_eq(axt_fd_count(), before);
}
END_TEST

/* A child that dies of a signal is the caller's to see, like any. */
START_TEST(test_spawn_child_dies)
{
	pid_t pid;
	int st;

	pid = spawn("/bin/sh", 0, NULL, NULL,
	    (char *[]) {"sh", "-c", "kill -SEGV $$", NULL}, NULL);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	/* And one killed while held. */
	{
		struct inheritance in;

		memset(&in, 0, sizeof(in));
		in.flags = SPAWN_HOLD;
		pid = sp_sleeper(&in);
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	}
}
END_TEST

static Suite *
spawn_suite(void)
{
	Suite *s = suite_create("spawn");
	TCase *tc = axt_tcase("spawn", 30);

	tcase_add_test(tc, test_spawn_argv_envp);
	tcase_add_test(tc, test_spawn_fd_map);
	tcase_add_test(tc, test_spawn_fd_inherit_all);
	tcase_add_test(tc, test_spawn_signals);
	tcase_add_test(tc, test_spawn_group_session);
	tcase_add_test(tc, test_spawn_tcsetpgroup);
	tcase_add_test(tc, test_spawn_search_path);
	tcase_add_test(tc, test_spawn_check_script);
	tcase_add_test(tc, test_spawn_nozombie);
	tcase_add_test(tc, test_spawn_hold);
	tcase_add_test(tc, test_spawn_exec);
	tcase_add_test(tc, test_spawn_sched);
	tcase_add_test(tc, test_spawn_errors);
	tcase_add_test(tc, test_spawn_child_dies);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(spawn_suite());
}
