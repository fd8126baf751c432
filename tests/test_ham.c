/* SPDX-License-Identifier: MIT */
/*
 * <ha/ham.h> and axon-ham(8): a real axon-ham on the test's node, real
 * entity processes that heartbeat and stop, exit, are killed (SIGKILL)
 * or detach, and conditions whose actions write files (through
 * /bin/sh), so that the test sees that they ran, in order, as whom.
 * Every wait is bounded; the manager and every entity are killed and
 * reaped at the end of each test.  Garbage requests to /proc/ham get
 * errors and leave the manager serving; an unprivileged user's actions
 * run as that user and cannot touch root's entities (tests/attack.h).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sched.h>
#include <sys/resource.h>

#include <ha/ham.h>
#include <devctl.h>
#include <sys/iofunc.h>

#include "attack.h"
#include "axon_test.h"

#include "dispatch_int.h"
#include "hammsg.h"

static const char *
ham_bin(void)
{
	const char *b = getenv("AXON_HAM");

	return b != NULL ? b : "build/axon-ham";
}

static char ham_log[300];
/* An option for the next ham_start() (NULL: none). */
static const char *ham_opt;
/* Whether the next ham_start() runs the HAM under SCHED_FIFO 1, nice
 * -5 (root only). */
static bool ham_fifo;

/* Starts axon-ham on the test's node (its stderr to ham_log) and waits
 * (5 s at most) until /proc/ham answers. */
static pid_t
ham_start(void)
{
	pid_t pid;
	double end = axt_now() + 20;

	snprintf(ham_log, sizeof(ham_log), "%s/ham.log", axt_rundir);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(ham_log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd < 0 || dup2(fd, 2) < 0) {
			_exit(97);
		}
		if (ham_fifo) {
			struct sched_param sp = {.sched_priority = 1};

			(void) setpriority(PRIO_PROCESS, 0, -5);
			(void) sched_setscheduler(0, SCHED_FIFO, &sp);
		}
		execl(ham_bin(), "axon-ham", ham_opt, (char *) NULL);
		_exit(96);
	}
	ham_opt = NULL;
	ham_fifo = false;
	while (axt_now() < end) {
		if (ham_connect(0) == 0) {
			ck_assert_int_eq(ham_disconnect(0), 0);
			return pid;
		}
		axt_sleep_ms(10);
	}
	(void) kill(pid, SIGKILL);
	(void) waitpid(pid, NULL, 0);
	ck_abort_msg("axon-ham (%s) did not serve /proc/ham", ham_bin());
	return -1;
}

static void
ham_kill(pid_t pid)
{
	(void) kill(pid, SIGKILL);
	(void) waitpid(pid, NULL, 0);
}

/* A file of the test's run directory. */
static void
tpath(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", axt_rundir, name);
}

/* Waits (bounded) until file exists; whether it did. */
static bool
wait_file(const char *path, double timeout_s)
{
	double end = axt_now() + timeout_s;

	while (axt_now() < end) {
		if (access(path, F_OK) == 0) {
			return true;
		}
		axt_sleep_ms(10);
	}
	return access(path, F_OK) == 0;
}

/* Lines in file (0 if none). */
static int
file_lines(const char *path)
{
	FILE *f = fopen(path, "re");
	int n = 0;
	int c;

	if (f == NULL) {
		return 0;
	}
	while ((c = fgetc(f)) != EOF) {
		n += c == '\n';
	}
	fclose(f);
	return n;
}

/* Waits (bounded) until file has at least n lines; whether it did. */
static bool
wait_lines(const char *path, int n, double timeout_s)
{
	double end = axt_now() + timeout_s;

	while (axt_now() < end) {
		if (file_lines(path) >= n) {
			return true;
		}
		axt_sleep_ms(10);
	}
	return file_lines(path) >= n;
}

/* Whether the log holds text (bounded wait). */
static bool
log_has(const char *text, double timeout_s)
{
	double end = axt_now() + timeout_s;

	do {
		FILE *f = fopen(ham_log, "re");
		char line[1024];
		bool found = false;

		if (f != NULL) {
			while (!found && fgets(line, sizeof(line), f) != NULL) {
				found = strstr(line, text) != NULL;
			}
			fclose(f);
		}
		if (found) {
			return true;
		}
		axt_sleep_ms(10);
	} while (axt_now() < end);
	return false;
}

/* An execute action's command line: appends word to file. */
static void
append_cmd(char *buf, size_t len, const char *word, const char *file)
{
	snprintf(buf, len, "/bin/sh -c 'echo %s >> %s'", word, file);
}

/* Handles the tests do not keep: asserted, then freed. */
static void
nn_a(ham_action_t *a)
{
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(ham_action_handle_free(a), 0);
}

static void
nn_c(ham_condition_t *c)
{
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(ham_condition_handle_free(c), 0);
}

static void
nn_e(ham_entity_t *e)
{
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(ham_entity_handle_free(e), 0);
}

/* ---- entities ------------------------------------------------------- */

struct ent_args {
	const char *name;
	uint64_t hp;
	int hpdl, hpdh;
	int beats;		/* heartbeats, 50 ms apart, before reporting */
	int beat_ms;		/* (0: 50 ms apart) */
	const char *stopped;	/* (if set) "stopped" appended after them */
	int type[3];		/* conditions (0: none) ... */
	unsigned cflags[3];
	char cmd[3][512];	/* ... each with one execute action */
	int end;		/* 0 sleep, 1 exit(0), 2 detach and sleep */
};

/* An entity process: attaches, adds its conditions, heartbeats, reports
 * 1 (or -errno of what failed), then ends as args->end says. */
static void
ent_main(int rep, void *arg)
{
	struct ent_args *a = arg;
	ham_entity_t *e;

	e = ham_attach_self(a->name, a->hp, a->hpdl, a->hpdh, 0);
	if (e == NULL) {
		axt_report(rep, -errno);
		_exit(1);
	}
	for (int i = 0; i < 3 && a->type[i] != 0; i++) {
		char cname[16];
		ham_condition_t *c;

		snprintf(cname, sizeof(cname), "c%d", i);
		c = ham_condition(e, a->type[i], cname, a->cflags[i]);
		if (c == NULL || ham_action_execute(c, "x", a->cmd[i], 0) ==
		    NULL) {
			axt_report(rep, -errno);
			_exit(1);
		}
		ham_condition_handle_free(c);
	}
	for (int i = 0; i < a->beats; i++) {
		ham_heartbeat();
		if (a->stopped != NULL && i == a->beats - 1) {
			FILE *f = fopen(a->stopped, "ae");

			if (f != NULL) {
				fputs("stopped\n", f);
				fclose(f);
			}
		}
		axt_sleep_ms(a->beat_ms > 0 ? a->beat_ms : 50);
	}
	if (a->end == 2 && ham_detach_self(e, 0) != 0) {
		axt_report(rep, -errno);
		_exit(1);
	}
	axt_report(rep, 1);
	if (a->end == 1) {
		_exit(0);
	}
	for (;;) {
		pause();
	}
}

/* Heartbeats missed: the low condition's action, then the high one's,
 * run once the entity stops heartbeating, not while it beats.  The
 * entity beats every 20 ms and the low condition needs 5 periods of
 * 100 ms missed: a stall of up to half a second of a loaded machine
 * (or a sanitizer's) does not fire it while the entity beats.  One
 * file holds, in order, the entity's "stopped" (after its last beat)
 * and the actions' lines: nothing may come before "stopped". */
START_TEST(test_heartbeat_missed)
{
	pid_t ham = ham_start();
	struct ent_args a = {.name = "beater", .hp = 100000000ULL,
		.hpdl = 5, .hpdh = 8, .beats = 25, .beat_ms = 20,
		.type = {CONDHBEATMISSEDLOW, CONDHBEATMISSEDHIGH}};
	char seq[300], line[64];
	struct axt_child ent;
	FILE *f;

	tpath(seq, sizeof(seq), "seq");
	a.stopped = seq;
	append_cmd(a.cmd[0], sizeof(a.cmd[0]), "low", seq);
	append_cmd(a.cmd[1], sizeof(a.cmd[1]), "high", seq);
	ent = axt_spawn(ent_main, &a);
	ck_assert_int_eq(ent.val, 1);
	ck_assert(wait_lines(seq, 3, 20));
	ck_assert(log_has("heartbeats missed (low)", 10));
	ck_assert(log_has("heartbeats missed (high)", 10));
	/* Once each (no heartbeat_healthy): no fourth line comes. */
	axt_sleep_ms(500);
	ck_assert_int_eq(file_lines(seq), 3);
	f = fopen(seq, "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_str_eq(line, "stopped\n");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_str_eq(line, "low\n");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_str_eq(line, "high\n");
	fclose(f);
	axt_child_kill(&ent);
	ham_kill(ham);
}
END_TEST

/* heartbeat_healthy resets the mechanism: the high condition comes
 * again and again while the entity stays silent. */
START_TEST(test_heartbeat_healthy)
{
	pid_t ham = ham_start();
	char file[300], cmd[512];
	ham_entity_t *e;
	ham_condition_t *c;

	tpath(file, sizeof(file), "again");
	append_cmd(cmd, sizeof(cmd), "high", file);
	e = ham_attach_self("silent", 50000000ULL, 1, 2, 0);
	ck_assert_ptr_nonnull(e);
	c = ham_condition(e, CONDHBEATMISSEDHIGH, "high", 0);
	ck_assert_ptr_nonnull(c);
	nn_a(ham_action_execute(c, "mark", cmd, 0));
	nn_a(ham_action_heartbeat_healthy(c, "ok", 0));
	double end = axt_now() + 20;

	while (file_lines(file) < 3 && axt_now() < end) {
		axt_sleep_ms(20);
	}
	ck_assert_int_ge(file_lines(file), 3);
	ck_assert_int_eq(ham_detach_self(e, 0), 0);
	ham_entity_handle_free(e);
	ham_condition_handle_free(c);
	ham_kill(ham);
}
END_TEST

/* SIGKILL: the death condition's actions run, in order (log, then
 * execute); the entity, with no restart action, is gone. */
START_TEST(test_death_sigkill)
{
	pid_t ham = ham_start();
	struct ent_args a = {.name = "victim",
		.type = {CONDDEATH, CONDHBEATMISSEDHIGH}};
	char dead[300];
	struct axt_child ent;

	tpath(dead, sizeof(dead), "dead");
	append_cmd(a.cmd[0], sizeof(a.cmd[0]), "dead", dead);
	append_cmd(a.cmd[1], sizeof(a.cmd[1]), "never", dead);
	ent = axt_spawn(ent_main, &a);
	ck_assert_int_eq(ent.val, 1);
	nn_e(ham_entity_handle(ND_LOCAL_NODE, "victim", 0));
	axt_sleep_ms(200);
	ck_assert(access(dead, F_OK) != 0);
	axt_child_kill(&ent);
	ck_assert(wait_lines(dead, 1, 10));
	ck_assert(log_has("entity victim: process", 10));
	errno = 0;
	ck_assert_ptr_null(ham_entity_handle(ND_LOCAL_NODE, "victim", 0));
	ck_assert_int_eq(errno, ENOENT);
	axt_sleep_ms(200);
	ck_assert_int_eq(file_lines(dead), 1); /* no heartbeat: no "never" */
	ham_kill(ham);
}
END_TEST

/* An entity that exits without ham_detach_self() died. */
START_TEST(test_death_exit)
{
	pid_t ham = ham_start();
	struct ent_args a = {.name = "quitter", .type = {CONDDEATH},
		.end = 1};
	char dead[300];
	struct axt_child ent;

	tpath(dead, sizeof(dead), "dead");
	append_cmd(a.cmd[0], sizeof(a.cmd[0]), "dead", dead);
	ent = axt_spawn(ent_main, &a);
	ck_assert_int_eq(ent.val, 1);
	ck_assert_int_eq(axt_child_wait(&ent, 5), 0);
	ck_assert(wait_file(dead, 10));
	ham_kill(ham);
}
END_TEST

/* ham_detach_self(): the detach condition runs, the death one does not
 * (even when the process then exits), and the entity is gone. */
START_TEST(test_detach)
{
	pid_t ham = ham_start();
	struct ent_args a = {.name = "leaver", .type = {CONDDEATH, CONDDETACH},
		.end = 2};
	char dead[300], det[300];
	struct axt_child ent;

	tpath(dead, sizeof(dead), "dead");
	tpath(det, sizeof(det), "detached");
	append_cmd(a.cmd[0], sizeof(a.cmd[0]), "dead", dead);
	append_cmd(a.cmd[1], sizeof(a.cmd[1]), "detached", det);
	ent = axt_spawn(ent_main, &a);
	ck_assert_int_eq(ent.val, 1);
	ck_assert(wait_file(det, 10));
	errno = 0;
	ck_assert_ptr_null(ham_entity_handle(ND_LOCAL_NODE, "leaver", 0));
	ck_assert_int_eq(errno, ENOENT);
	axt_child_kill(&ent);
	axt_sleep_ms(300);
	ck_assert(access(dead, F_OK) != 0);
	ham_kill(ham);
}
END_TEST

/* A restart action: the command runs, then the restart condition; what
 * was not to be rearmed is pruned, the rest kept, and the entity waits
 * to be attached again (its name taken by the new process). */
START_TEST(test_restart)
{
	pid_t ham = ham_start();
	char rs[300], rc[300], cmd[512], cmd2[512];
	struct axt_child ent;
	struct ent_args a = {.name = "phoenix"};
	ham_entity_t *e;
	ham_condition_t *c, *r;

	tpath(rs, sizeof(rs), "restarted");
	tpath(rc, sizeof(rc), "restart-cond");
	append_cmd(cmd, sizeof(cmd), "again", rs);
	append_cmd(cmd2, sizeof(cmd2), "cond", rc);
	ent = axt_spawn(ent_main, &a);
	ck_assert_int_eq(ent.val, 1);
	/* Another process of the same user adds the conditions. */
	ck_assert_int_eq(ham_connect(0), 0);
	e = ham_entity_handle(ND_LOCAL_NODE, "phoenix", 0);
	ck_assert_ptr_nonnull(e);
	c = ham_condition(e, CONDDEATH, "death", HREARMAFTERRESTART);
	ck_assert_ptr_nonnull(c);
	nn_a(ham_action_restart(c, "restart", cmd,
	    HREARMAFTERRESTART));
	nn_a(ham_action_log(c, "pruned", "gone", 1, 1, 0));
	r = ham_condition(e, CONDRESTART, "restarted", 0);
	ck_assert_ptr_nonnull(r);
	nn_a(ham_action_execute(r, "mark", cmd2, 0));
	/* One restart per entity; only on a death condition. */
	errno = 0;
	ck_assert_ptr_null(ham_action_restart(c, "restart2", cmd, 0));
	ck_assert_int_eq(errno, EEXIST);
	errno = 0;
	ck_assert_ptr_null(ham_action_restart(r, "restart3", cmd, 0));
	ck_assert_int_eq(errno, EINVAL);
	axt_child_kill(&ent);
	ck_assert(wait_file(rs, 10));
	ck_assert(wait_file(rc, 10));
	ck_assert(log_has("gone", 10));
	/* Pruned: the restart condition and the log action; kept: the
	 * death condition and its restart action. */
	nn_c(ham_condition_handle(ND_LOCAL_NODE, "phoenix", "death", 0));
	nn_a(ham_action_handle(ND_LOCAL_NODE, "phoenix",
	    "death", "restart", 0));
	errno = 0;
	ck_assert_ptr_null(ham_action_handle(ND_LOCAL_NODE, "phoenix",
	    "death", "pruned", 0));
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_ptr_null(ham_condition_handle(ND_LOCAL_NODE, "phoenix",
	    "restarted", 0));
	ck_assert_int_eq(errno, ENOENT);
	/* The restarted process attaches to the waiting entity. */
	ham_entity_t *again = ham_attach_self("phoenix", 0, 0, 0, 0);

	ck_assert_ptr_nonnull(again);
	ck_assert_int_eq(ham_detach_self(again, 0), 0);
	ck_assert_int_eq(ham_disconnect(0), 0);
	ham_entity_handle_free(again);
	ham_entity_handle_free(e);
	ham_condition_handle_free(c);
	ham_condition_handle_free(r);
	ham_kill(ham);
}
END_TEST

/* A program that dies at once is restarted 10 times in 10 s, no more:
 * each of its runs (this program with --ham-loop) attaches and exits,
 * and the death condition's execute action counts them. */
START_TEST(test_restart_limit)
{
	/* 10 in a minute: a sanitizer's program takes a second to start. */
	pid_t ham = (ham_opt = "-R10:60", ham_start());
	char self[PATH_MAX], runs[300], cmd[PATH_MAX + 64], mark[512];
	ham_entity_t *e;
	ham_condition_t *c;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	pid_t first;

	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	tpath(runs, sizeof(runs), "runs");
	snprintf(cmd, sizeof(cmd), "%s --ham-loop", self);
	append_cmd(mark, sizeof(mark), "run", runs);
	e = ham_entity("loop", ND_LOCAL_NODE, 0);
	ck_assert_ptr_nonnull(e);
	c = ham_condition(e, CONDDEATH, "death", HREARMAFTERRESTART);
	ck_assert_ptr_nonnull(c);
	nn_a(ham_action_execute(c, "count", mark, HREARMAFTERRESTART));
	nn_a(ham_action_restart(c, "again", cmd,
	    HREARMAFTERRESTART | HACTIONKEEPONFAIL));
	first = fork();
	ck_assert_int_ge(first, 0);
	if (first == 0) {
		execl(self, self, "--ham-loop", (char *) NULL);
		_exit(96);
	}
	ck_assert_int_eq(axt_waitpid(first, 5), 0);
	ck_assert(log_has("entity loop: restart limit (10 in 60 s) reached",
	    60));
	/* The first run and ten restarts died: eleven counted (the last
	 * count's /bin/sh may still be running: polled), and no more. */
	ck_assert(wait_lines(runs, 11, 10));
	axt_sleep_ms(500);
	ck_assert_int_eq(file_lines(runs), 11);
	ham_entity_handle_free(e);
	ham_condition_handle_free(c);
	ham_kill(ham);
}
END_TEST

/* ---- a restarted process that attaches at once -------------------- */

/* The HAM's standard error, a one-page pipe the test empties into
 * ham_log (pump) or keeps full, so that the HAM's next line blocks the
 * thread that writes it. */
static int errpipe[2] = {-1, -1};

static void
pump(void)
{
	char buf[4096];
	ssize_t n;
	int fd = open(ham_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	ck_assert_int_ge(fd, 0);
	while ((n = read(errpipe[0], buf, sizeof(buf))) > 0) {
		(void) !write(fd, buf, (size_t) n);
	}
	close(fd);
}

/* Whether the log holds text, pumping meanwhile (bounded). */
static bool
pumped_log_has(const char *text, double timeout_s)
{
	double end = axt_now() + timeout_s;

	do {
		pump();
		if (log_has(text, 0)) {
			return true;
		}
		axt_sleep_ms(10);
	} while (axt_now() < end);
	return false;
}

/* Whether task tid of pid sleeps where (its wchan holds it). */
static bool
task_in(pid_t pid, const char *tid, const char *where)
{
	char path[128], w[64];
	bool in = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%s/wchan", (int) pid,
	    tid);
	if ((f = fopen(path, "re")) == NULL) {
		return false;
	}
	in = fgets(w, sizeof(w), f) != NULL && strstr(w, where) != NULL;
	fclose(f);
	return in;
}

/* How many of pid's threads are blocked writing to a pipe. */
static int
pipe_writers(pid_t pid)
{
	char path[64];
	int n = 0;
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "/proc/%d/task", (int) pid);
	if ((d = opendir(path)) == NULL) {
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		n += de->d_name[0] != '.' &&
		    task_in(pid, de->d_name, "pipe_write");
	}
	closedir(d);
	return n;
}

/* Whether the HAM is held as test_restart_attach_race wants it: its
 * runner writing the "restarted" line to the full pipe, its main
 * thread (the attach's, which set the new pid, then logs) waiting for
 * the runner's hold of standard error; for 200 ms on end. */
static bool
ham_held(pid_t ham)
{
	char tid[16];

	snprintf(tid, sizeof(tid), "%d", (int) ham);
	for (int i = 0; i < 20; i++) {
		if (pipe_writers(ham) != 1 || !task_in(ham, tid, "futex")) {
			return false;
		}
		axt_sleep_ms(10);
	}
	return true;
}

/* The restarted program ("--ham-rr FILE"): writes its pid to FILE,
 * then attaches to "rr" (which may block: the HAM is held) and waits. */
static int
rr_main(const char *file)
{
	FILE *f = fopen(file, "we");

	if (f == NULL) {
		return 1;
	}
	fprintf(f, "%d\n", (int) getpid());
	fclose(f);
	if (ham_attach_self("rr", 0, 0, 0, 0) == NULL) {
		return 1;
	}
	for (;;) {
		pause();
	}
}

/* The restarted process attaches before the HAM's runner is back from
 * starting it (made sure of: the runner's "restarted" line and the
 * attach's line, logged once the new pid is set, both wait on the
 * HAM's full standard error, seen in their threads' wchan): the
 * restart condition still runs and what is not rearmed is still pruned
 * (before, both were skipped when the entity had a process again). */
START_TEST(test_restart_attach_race)
{
	char self[PATH_MAX], pidf[300], mark[300], cmd[PATH_MAX + 400];
	char cmd2[512], died[128], fill[65536];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	struct ent_args a = {.name = "rr"};
	struct axt_child ent;
	ham_entity_t *e;
	ham_condition_t *c, *r;
	pid_t ham, newpid = 0;
	double end;
	int psz, len;
	FILE *f;

	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	if (access("/proc/self/wchan", R_OK) != 0) {
		fprintf(stderr, "test_restart_attach_race: skipped: no wchan\n");
		return;
	}
	tpath(pidf, sizeof(pidf), "rr.pid");
	tpath(mark, sizeof(mark), "rr.restarted");
	snprintf(cmd, sizeof(cmd), "%s --ham-rr %s", self, pidf);
	append_cmd(cmd2, sizeof(cmd2), "cond", mark);
	snprintf(ham_log, sizeof(ham_log), "%s/ham.log", axt_rundir);
	ck_assert_int_eq(pipe2(errpipe, O_CLOEXEC), 0);
	psz = fcntl(errpipe[1], F_SETPIPE_SZ, 4096);
	ck_assert_int_gt(psz, 0);
	ck_assert_int_eq(fcntl(errpipe[0], F_SETFL, O_NONBLOCK), 0);
	ham = fork();
	ck_assert_int_ge(ham, 0);
	if (ham == 0) {
		if (dup2(errpipe[1], 2) < 0) {
			_exit(97);
		}
		execl(ham_bin(), "axon-ham", (char *) NULL);
		_exit(96);
	}
	ck_assert(pumped_log_has("serving", 20));
	ent = axt_spawn(ent_main, &a);
	ck_assert_int_eq(ent.val, 1);
	ck_assert(pumped_log_has("entity rr: attached", 10));
	ck_assert_int_eq(ham_connect(0), 0);
	e = ham_entity_handle(ND_LOCAL_NODE, "rr", 0);
	ck_assert_ptr_nonnull(e);
	c = ham_condition(e, CONDDEATH, "death", HREARMAFTERRESTART);
	ck_assert_ptr_nonnull(c);
	nn_a(ham_action_restart(c, "restart", cmd, HREARMAFTERRESTART));
	r = ham_condition(e, CONDRESTART, "restarted", 0);
	ck_assert_ptr_nonnull(r);
	nn_a(ham_action_execute(r, "mark", cmd2, 0));
	/* The HAM is quiet now: the pipe is emptied and filled but for
	 * the death's line, so that the next line ("restarted") blocks. */
	pump();
	len = snprintf(died, sizeof(died), "axon-ham: entity rr: process %d "
	    "died\n", (int) ent.pid);
	ck_assert_int_lt(psz - len, (int) sizeof(fill));
	memset(fill, '.', sizeof(fill));
	fill[psz - len - 1] = '\n';
	ck_assert_int_eq(write(errpipe[1], fill, (size_t) (psz - len)),
	    psz - len);
	axt_child_kill(&ent);
	/* The new process writes its pid, then attaches: the runner
	 * (the "restarted" line) and the main thread (the "attached"
	 * line, the new pid set) both wait on standard error. */
	end = axt_now() + 20;
	while (axt_now() < end && !ham_held(ham)) {
		axt_sleep_ms(10);
	}
	ck_assert(ham_held(ham));
	f = fopen(pidf, "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &newpid), 1);
	fclose(f);
	ck_assert(pumped_log_has("entity rr: restarted", 10));
	ck_assert(pumped_log_has("entity rr: attached by process", 10));
	/* The restart condition ran; it was not rearmed: pruned. */
	end = axt_now() + 10;
	while (axt_now() < end && access(mark, F_OK) != 0) {
		pump();
		axt_sleep_ms(10);
	}
	ck_assert(access(mark, F_OK) == 0);
	errno = 0;
	ck_assert_ptr_null(ham_condition_handle(ND_LOCAL_NODE, "rr",
	    "restarted", 0));
	ck_assert_int_eq(errno, ENOENT);
	(void) kill(newpid, SIGKILL);
	ham_entity_handle_free(e);
	ham_condition_handle_free(c);
	ham_condition_handle_free(r);
	(void) ham_disconnect(0);
	ham_kill(ham);
	close(errpipe[0]);
	close(errpipe[1]);
}
END_TEST

/* A pulse to a channel and a signal to a process, on detach. */
START_TEST(test_notify)
{
	pid_t ham = ham_start();
	int chid = ChannelCreate(0);
	struct _pulse pulse;
	ham_entity_t *e;
	ham_condition_t *c;
	sigset_t set;
	siginfo_t si;
	struct timespec ts = {5, 0};

	ck_assert_int_ge(chid, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &set, NULL), 0);
	e = ham_attach_self("notifier", 0, 0, 0, 0);
	ck_assert_ptr_nonnull(e);
	c = ham_condition(e, CONDDETACH, "bye", 0);
	ck_assert_ptr_nonnull(c);
	nn_a(ham_action_notify_pulse(c, "p", ND_LOCAL_NODE,
	    getpid(), chid, 7, 4242, 0));
	nn_a(ham_action_notify_signal(c, "s", ND_LOCAL_NODE,
	    getpid(), SIGUSR1, 0, 77, 0));
	ck_assert_int_eq(ham_detach_self(e, 0), 0);
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL,
	    &(uint64_t){5000000000ULL}, NULL);
	ck_assert_int_eq(MsgReceivePulse(chid, &pulse, sizeof(pulse), NULL),
	    0);
	ck_assert_int_eq(pulse.code, 7);
	ck_assert_int_eq(pulse.value.sival_int, 4242);
	ck_assert_int_eq(sigtimedwait(&set, &si, &ts), SIGUSR1);
	ck_assert_int_eq(si.si_value.sival_int, 77);
	ham_entity_handle_free(e);
	ham_condition_handle_free(c);
	ham_kill(ham);
}
END_TEST

/* A failed action (no such program) ends its list with
 * HACTIONBREAKONFAIL and is removed unless HACTIONKEEPONFAIL; DONOW
 * runs an action at once; waitfor waits for a path to appear. */
START_TEST(test_action_flags)
{
	pid_t ham = ham_start();
	char after[300], now[300], waited[300], path[300], cmd[512];
	char lnk[300], via[400];
	ham_entity_t *e;
	ham_condition_t *c, *w;

	tpath(after, sizeof(after), "after");
	tpath(now, sizeof(now), "now");
	tpath(waited, sizeof(waited), "waited");
	tpath(path, sizeof(path), "appears");
	/* The waitfor's path goes through a relative symbolic link (the
	 * HAM follows links by hand). */
	tpath(lnk, sizeof(lnk), "lnk");
	ck_assert_int_eq(symlink(".", lnk), 0);
	snprintf(via, sizeof(via), "%s/./lnk/appears", lnk);
	e = ham_attach_self("flags", 0, 0, 0, 0);
	ck_assert_ptr_nonnull(e);
	c = ham_condition(e, CONDDETACH, "list", HCONDNOWAIT);
	ck_assert_ptr_nonnull(c);
	nn_a(ham_action_execute(c, "bad1", "/nonexistent/a",
	    HACTIONKEEPONFAIL));
	nn_a(ham_action_execute(c, "bad2", "/nonexistent/b",
	    HACTIONBREAKONFAIL));
	append_cmd(cmd, sizeof(cmd), "after", after);
	nn_a(ham_action_execute(c, "after", cmd, 0));
	append_cmd(cmd, sizeof(cmd), "now", now);
	nn_a(ham_action_execute(c, "now", cmd,
	    HACTIONDONOW));
	ck_assert(wait_file(now, 10));
	/* A NOWAIT condition takes no waitfor. */
	errno = 0;
	ck_assert_ptr_null(ham_action_waitfor(c, "w", path, 1000, 0));
	ck_assert_int_eq(errno, EINVAL);
	w = ham_condition(e, CONDANY, "any", 0);
	ck_assert_ptr_nonnull(w);
	errno = 0;
	ck_assert_ptr_null(ham_action_waitfor(w, "w0", path, 0, 0));
	ck_assert_int_eq(errno, EINVAL);
	nn_a(ham_action_waitfor(w, "w", via, 60000, 0));
	append_cmd(cmd, sizeof(cmd), "waited", waited);
	nn_a(ham_action_execute(w, "mark", cmd, 0));
	ck_assert_int_eq(ham_detach_self(e, 0), 0);
	/* bad2 broke the list: no "after". */
	axt_sleep_ms(300);
	ck_assert(access(after, F_OK) != 0);
	ck_assert(log_has("flags/list/bad2: failed", 10));
	/* The waitfor (of the CONDANY condition, run by the detach too)
	 * waits for the path. */
	ck_assert(access(waited, F_OK) != 0);
	int fd = open(path, O_WRONLY | O_CREAT, 0600);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert(wait_file(waited, 10));
	ham_entity_handle_free(e);
	ham_condition_handle_free(c);
	ham_condition_handle_free(w);
	ham_kill(ham);
}
END_TEST

/* Failed actions are removed unless kept. */
START_TEST(test_failed_removed)
{
	pid_t ham = ham_start();
	ham_entity_t *e;
	ham_condition_t *c;

	e = ham_attach_self("failing", 0, 0, 0, 0);
	ck_assert_ptr_nonnull(e);
	c = ham_condition(e, CONDHBEATMISSEDLOW, "c", 0);
	ck_assert_ptr_nonnull(c);
	nn_a(ham_action_execute(c, "keep", "/nonexistent/k",
	    HACTIONKEEPONFAIL | HACTIONDONOW));
	nn_a(ham_action_execute(c, "drop", "/nonexistent/d",
	    HACTIONDONOW));
	ck_assert(log_has("failing/c/drop: failed", 10));
	ck_assert(log_has("failing/c/keep: failed", 10));
	nn_a(ham_action_handle(ND_LOCAL_NODE, "failing", "c",
	    "keep", 0));
	errno = 0;
	ck_assert_ptr_null(ham_action_handle(ND_LOCAL_NODE, "failing", "c",
	    "drop", 0));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(ham_detach_self(e, 0), 0);
	ham_entity_handle_free(e);
	ham_condition_handle_free(c);
	ham_kill(ham);
}
END_TEST

/* Bad arguments get QNX's errors; what is not built, ENOSYS. */
START_TEST(test_errors)
{
	char longname[300];
	ham_entity_t *e;
	ham_condition_t *c;
	pid_t ham;

	/* No HAM. */
	errno = 0;
	ck_assert_int_eq(ham_connect(0), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_ptr_null(ham_attach_self("x", 0, 0, 0, 0));
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(ham_heartbeat(), 0);
	errno = 0;
	ck_assert_int_eq(ham_disconnect(0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ham = ham_start();
	/* Names. */
	memset(longname, 'n', sizeof(longname));
	longname[sizeof(longname) - 1] = '\0';
	errno = 0;
	ck_assert_ptr_null(ham_attach_self(NULL, 0, 0, 0, 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(ham_attach_self("a/b", 0, 0, 0, 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(ham_attach_self("", 0, 0, 0, 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(ham_attach_self(longname, 0, 0, 0, 0));
	ck_assert_int_eq(errno, ENAMETOOLONG);
	/* Heartbeat parameters. */
	errno = 0;
	ck_assert_ptr_null(ham_attach_self("e", HAMHBEATMIN - 1, 1, 1, 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(ham_attach_self("e", HAMHBEATMIN, 3, 2, 0));
	ck_assert_int_eq(errno, EINVAL);
	e = ham_attach_self("e", HAMHBEATMIN * 100, 2, 3, 0);
	ck_assert_ptr_nonnull(e);
	errno = 0;
	ck_assert_ptr_null(ham_attach_self("e", 0, 0, 0, 0));
	ck_assert_int_eq(errno, EEXIST);
	errno = 0;
	ck_assert_ptr_null(ham_entity("e", ND_LOCAL_NODE, 0));
	ck_assert_int_eq(errno, EEXIST);
	/* Conditions. */
	errno = 0;
	ck_assert_ptr_null(ham_condition(NULL, CONDDEATH, "c", 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(ham_condition(e, 99, "c", 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(ham_condition(e, CONDDEATH, "c", 0x80000000u));
	ck_assert_int_eq(errno, EINVAL);
	c = ham_condition(e, CONDDEATH, "c", 0);
	ck_assert_ptr_nonnull(c);
	errno = 0;
	ck_assert_ptr_null(ham_condition(e, CONDDETACH, "c", 0));
	ck_assert_int_eq(errno, EEXIST);
	/* Actions. */
	errno = 0;
	ck_assert_ptr_null(ham_action_execute(c, "x", "relative/path", 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(ham_action_execute(c, "x", "/bin/sh -c 'oops", 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(ham_action_execute(c, "x", NULL, 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(ham_action_execute(c, NULL, "/bin/true", 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(ham_action_execute(c, "x", "/bin/true", 0x1));
	ck_assert_int_eq(errno, EINVAL);
	nn_a(ham_action_execute(c, "x", "/bin/true", 0));
	errno = 0;
	ck_assert_ptr_null(ham_action_log(c, "x", "dup", 0, 0, 0));
	ck_assert_int_eq(errno, EEXIST);
	errno = 0;
	ck_assert_ptr_null(ham_action_notify_signal(c, "s", ND_LOCAL_NODE,
	    getpid(), 0, 0, 0, 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(ham_action_notify_pulse(c, "p", ND_LOCAL_NODE,
	    getpid(), -1, 1, 1, 0));
	ck_assert_int_eq(errno, EINVAL);
	/* Handles and removal. */
	ham_action_t *ah = ham_action_handle(ND_LOCAL_NODE, "e", "c", "x", 0);

	ck_assert_ptr_nonnull(ah);
	ck_assert_int_eq(ham_action_remove(ah, 0), 0);
	errno = 0;
	ck_assert_int_eq(ham_action_remove(ah, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(ham_action_handle_free(ah), 0);
	ck_assert_int_eq(ham_condition_remove(c, 0), 0);
	errno = 0;
	ck_assert_int_eq(ham_condition_remove(c, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_ptr_null(ham_entity_handle(ND_LOCAL_NODE, "nobody", 0));
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_ptr_null(ham_entity_handle(3, "e", 0));
	ck_assert_int_eq(errno, ENOSYS);
	ck_assert_int_eq(ham_entity_handle_free(NULL), -1);
	/* Not built: ENOSYS. */
	errno = 0;
	ck_assert_ptr_null(ham_attach("o", ND_LOCAL_NODE, getpid(), NULL, 0));
	ck_assert_int_eq(errno, ENOSYS);
	errno = 0;
	ck_assert_ptr_null(ham_condition_raise(e, "r", 1, 1, 1, 0));
	ck_assert_int_eq(errno, ENOSYS);
	errno = 0;
	ck_assert_int_eq(ham_entity_control(e, HDISABLE, 0), -1);
	ck_assert_int_eq(errno, ENOSYS);
	errno = 0;
	ck_assert_int_eq(ham_action_fail_log(NULL, "f", "m", 0, 0, 0), -1);
	ck_assert_int_eq(errno, ENOSYS);
	ck_assert_int_eq(ham_detach_self(e, 0), 0);
	errno = 0;
	ck_assert_int_eq(ham_detach_self(e, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	ham_entity_handle_free(e);
	ham_condition_handle_free(c);
	ham_kill(ham);
}
END_TEST

/* One raw request of n bytes: devctl()'s status. */
static int
raw(int coid, const void *buf, size_t n)
{
	return devctl(coid, DCMD_AXON_HAM, (void *) buf, n, NULL);
}

/* Garbage to /proc/ham: each gets an error, and the manager serves on. */
START_TEST(test_garbage)
{
	pid_t ham = ham_start();
	struct axon_ham_req *r = calloc(1, sizeof(*r));
	uint8_t buf[AXON_HAM_HDR + 64];
	uint8_t bad[AXON_HAM_HDR + 64];
	int coid = axon__io_open(AXON_HAM_PATH, O_RDWR, 0);
	int n;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_ge(coid, 0);
	r->op = AXON_HAM_ENTITY;
	strcpy(r->ename, "good");
	n = axon__ham_encode(r, buf, sizeof(buf));
	ck_assert_int_eq(n, AXON_HAM_HDR + 4);
	/* Too short; bad magic; reserved bits; unknown op; a length that
	 * does not add up; a NUL in a name; a name where none belongs;
	 * text where none belongs; another command. */
	ck_assert_int_eq(raw(coid, buf, 8), EBADMSG);
	memcpy(bad, buf, (size_t) n);
	bad[0] ^= 1;
	ck_assert_int_eq(raw(coid, bad, (size_t) n), EBADMSG);
	memcpy(bad, buf, (size_t) n);
	bad[6] = 1;
	ck_assert_int_eq(raw(coid, bad, (size_t) n), EBADMSG);
	memcpy(bad, buf, (size_t) n);
	bad[4] = 99;
	ck_assert_int_eq(raw(coid, bad, (size_t) n), EBADMSG);
	ck_assert_int_eq(raw(coid, buf, (size_t) n - 1), EBADMSG);
	memcpy(bad, buf, (size_t) n);
	bad[AXON_HAM_HDR + 1] = '\0';
	ck_assert_int_eq(raw(coid, bad, (size_t) n), EBADMSG);
	r->op = AXON_HAM_HEARTBEAT;
	n = axon__ham_encode(r, bad, sizeof(bad));
	ck_assert_int_eq(raw(coid, bad, (size_t) n), EINVAL);
	r->op = AXON_HAM_ENTITY;
	strcpy(r->text, "t");
	n = axon__ham_encode(r, bad, sizeof(bad));
	ck_assert_int_eq(raw(coid, bad, (size_t) n), EBADMSG);
	ck_assert_int_eq(devctl(coid, DCMD_ALL_GETFLAGS, &n, sizeof(n), NULL),
	    EOK);
	/* An action of an unknown kind, and one with no command. */
	memset(r, 0, sizeof(*r));
	r->op = AXON_HAM_ACTION;
	strcpy(r->ename, "good");
	strcpy(r->cname, "c");
	strcpy(r->aname, "a");
	r->arg[0] = 42;
	uint8_t big[AXON_HAM_HDR + 64];

	n = axon__ham_encode(r, big, sizeof(big));
	ck_assert_int_eq(raw(coid, big, (size_t) n), EBADMSG);
	r->arg[0] = AXON_HAM_A_EXECUTE;
	n = axon__ham_encode(r, big, sizeof(big));
	ck_assert_int_eq(raw(coid, big, (size_t) n), EINVAL);
	/* Still serving: the good request. */
	n = axon__ham_encode(&(struct axon_ham_req){.op = AXON_HAM_ENTITY,
	    .ename = "good"}, buf, sizeof(buf));
	ck_assert_int_eq(raw(coid, buf, (size_t) n), EOK);
	ck_assert_int_eq(raw(coid, buf, (size_t) n), EEXIST);
	ck_assert_int_eq(axon__io_close(coid), 0);
	nn_e(ham_entity_handle(ND_LOCAL_NODE, "good", 0));
	free(r);
	ham_kill(ham);
}
END_TEST

/* ham_stop(): the manager leaves (exit status 0), /proc/ham with it. */
START_TEST(test_stop)
{
	pid_t ham = ham_start();
	int st;

	ck_assert_int_eq(ham_stop(), 0);
	st = axt_waitpid(ham, 5);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	errno = 0;
	ck_assert_int_eq(ham_connect(0), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* ---- attacks -------------------------------------------------------- */

/* The attacker (in a child): its own entity's execute action runs as
 * itself; root's entity cannot be detached, heartbeated for or given
 * actions; ham_stop() is refused; a signal action aimed at root's
 * process fails.  Reports a bit mask of what went wrong (0: none). */
static void
attacker(int rep, void *arg)
{
	const char *dir = arg;
	char cmd[700];
	int bad = 0;
	ham_entity_t *mine, *root;
	ham_condition_t *c, *rc;

	axa_become();
	snprintf(cmd, sizeof(cmd), "/bin/sh -c 'echo axon-ham: FORGED >&2; "
	    "id -u > %s/who'", dir);
	mine = ham_attach_self("mine", 50000000ULL, 1, 1, 0);
	if (mine == NULL) {
		axt_report(rep, 1 << 30);
		_exit(1);
	}
	c = ham_condition(mine, CONDHBEATMISSEDLOW, "late", 0);
	if (c == NULL || ham_action_execute(c, "who", cmd, 0) == NULL) {
		bad |= 1;
	}
	/* Signal root's process (the test): added, but it fails. */
	if (c == NULL || ham_action_notify_signal(c, "kill", ND_LOCAL_NODE,
	    getppid(), SIGTERM, 0, 0, 0) == NULL) {
		bad |= 2;
	}
	root = ham_entity_handle(ND_LOCAL_NODE, "rootent", 0);
	if (root == NULL) {
		bad |= 4;
	} else {
		if (ham_detach(root, 0) != -1 || errno != EPERM) {
			bad |= 8;
		}
		if (ham_detach_self(root, 0) != -1 || errno != EPERM) {
			bad |= 16;
		}
		if (ham_condition(root, CONDDEATH, "evil", 0) != NULL ||
		    errno != EPERM) {
			bad |= 32;
		}
	}
	rc = ham_condition_handle(ND_LOCAL_NODE, "rootent", "rootc", 0);
	if (rc == NULL || ham_action_execute(rc, "evil", cmd, 0) != NULL ||
	    errno != EPERM) {
		bad |= 64;
	}
	if (rc == NULL || ham_condition_remove(rc, 0) != -1 ||
	    errno != EPERM) {
		bad |= 128;
	}
	if (ham_stop() != -1 || errno != EPERM) {
		bad |= 256;
	}
	/* Its share of the HAM: 64 entities ("mine" and 63 more). */
	for (int i = 0; i < 64; i++) {
		char name[16];
		ham_entity_t *p;

		snprintf(name, sizeof(name), "fill%d", i);
		p = ham_entity(name, ND_LOCAL_NODE, 0);
		if ((i < 63) != (p != NULL) || (p == NULL && errno != ENOMEM)) {
			bad |= 512;
		}
		if (p != NULL) {
			ham_entity_handle_free(p);
		}
	}
	axt_report(rep, bad);
	for (;;) {
		pause(); /* no heartbeat: its own entity's condition runs */
	}
}

START_TEST(test_attack)
{
	char dir[300], who[400], rootmark[300], cmd[512];
	struct axt_child att;
	ham_entity_t *re;
	ham_condition_t *rc;
	pid_t ham;
	FILE *f;
	unsigned uid = 0;
	sigset_t set;

	if (!axa_user("test_attack")) {
		return;
	}
	axa_share_rundir(axt_rundir);
	ham = ham_start();
	tpath(dir, sizeof(dir), "shared");
	ck_assert_int_eq(mkdir(dir, 0777), 0);
	ck_assert_int_eq(chmod(dir, 0777), 0);
	snprintf(who, sizeof(who), "%s/who", dir);
	tpath(rootmark, sizeof(rootmark), "rootmark");
	/* Root's entity (this process) with a condition whose action
	 * marks a file when it detaches. */
	re = ham_attach_self("rootent", 0, 0, 0, 0);
	ck_assert_ptr_nonnull(re);
	rc = ham_condition(re, CONDDETACH, "rootc", 0);
	ck_assert_ptr_nonnull(rc);
	append_cmd(cmd, sizeof(cmd), "root", rootmark);
	nn_a(ham_action_execute(rc, "mark", cmd, 0));
	/* The attacker's SIGTERM must not reach us: caught, it would
	 * show. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &set, NULL), 0);
	att = axt_spawn(attacker, dir);
	ck_assert_int_eq(att.val, 0);
	ck_assert(wait_lines(who, 1, 10));
	f = fopen(who, "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%u", &uid), 1);
	fclose(f);
	ck_assert_uint_eq(uid, (unsigned) axa_uid);
	/* Its command wrote to its standard error, not the HAM's log. */
	ck_assert(!log_has("FORGED", 0.2));
	ck_assert(log_has("mine/late/kill: failed", 10));
	ck_assert(sigpending(&set) == 0 && !sigismember(&set, SIGTERM));
	/* Root's entity is whole: its condition still runs. */
	nn_a(ham_action_handle(ND_LOCAL_NODE, "rootent",
	    "rootc", "mark", 0));
	ck_assert_int_eq(ham_detach_self(re, 0), 0);
	ck_assert(wait_file(rootmark, 10));
	/* The attacker's share is full; root's is not. */
	nn_e(ham_entity("root-after", ND_LOCAL_NODE, 0));
	ham_entity_handle_free(re);
	ham_condition_handle_free(rc);
	axt_child_kill(&att);
	ham_kill(ham);
}
END_TEST

/* ---- a waitfor holds no one's actions ------------------------------- */

static int
hang_open(resmgr_context_t *ctp, io_open_t *msg, RESMGR_HANDLE_T *handle,
    void *extra)
{
	(void) ctp;
	(void) msg;
	(void) handle;
	(void) extra;
	return _RESMGR_NOREPLY; /* never answers an open */
}

/* The unprivileged user (in a child): a manager at /ham-hang that never
 * answers an open; an entity whose condition has DONOW waitfors on that
 * path and on a path that never appears (10 min); then as many more
 * waiting DONOW waitfors as its share of the queue takes (256 jobs in
 * all, the first waitfor's too if it is not done yet: the next,
 * EAGAIN).  Reports 0, or a bit mask of what went wrong; then
 * serves (never answering) for good. */
static void
waiter(int rep, void *arg)
{
	static resmgr_connect_funcs_t cf;
	static resmgr_io_funcs_t iof;
	static iofunc_attr_t attr;
	dispatch_context_t *ctp;
	dispatch_t *dpp;
	ham_entity_t *e;
	int bad = 0, queued = 1; /* "never" */

	(void) arg;
	axa_become();
	if ((dpp = dispatch_create()) == NULL) {
		axt_report(rep, 1 << 29);
		_exit(1);
	}
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &cf, _RESMGR_IO_NFUNCS, &iof);
	cf.open = hang_open;
	iofunc_attr_init(&attr, S_IFNAM | 0666, NULL, NULL);
	if (resmgr_attach(dpp, NULL, "/ham-hang", _FTYPE_ANY, 0, &cf, &iof,
	    &attr) == -1 || (ctp = dispatch_context_alloc(dpp)) == NULL) {
		axt_report(rep, 1 << 28);
		_exit(1);
	}
	e = ham_entity("waiter", ND_LOCAL_NODE, 0);
	if (e == NULL) {
		axt_report(rep, 1 << 27);
		_exit(1);
	}
	for (int ci = 0; ci < 8 && queued <= 256; ci++) {
		char cname[16];
		ham_condition_t *c;

		snprintf(cname, sizeof(cname), "c%d", ci);
		c = ham_condition(e, CONDDEATH, cname, 0);
		if (c == NULL) {
			bad |= 1;
			break;
		}
		if (ci == 0 && (ham_action_waitfor(c, "hang", "/ham-hang",
		    600000, HACTIONDONOW) == NULL ||
		    ham_action_waitfor(c, "never", "/ham-never-there",
		    600000, HACTIONDONOW) == NULL)) {
			bad |= 2;
		}
		for (int ai = 0; ai < 60 && queued <= 256; ai++) {
			char aname[16];
			ham_action_t *a;

			snprintf(aname, sizeof(aname), "w%d", ai);
			a = ham_action_waitfor(c, aname, "/ham-never-there",
			    600000, HACTIONDONOW);
			if (a != NULL) {
				queued++;
				ham_action_handle_free(a);
			} else if (errno == EAGAIN &&
			    (queued == 255 || queued == 256)) {
				queued = 1000; /* refused at its share: done */
			} else {
				bad |= 4;
				queued = 2000;
			}
		}
		ham_condition_handle_free(c);
	}
	if (queued != 1000) {
		bad |= 8;
	}
	axt_report(rep, bad);
	for (;;) {
		if (dispatch_block(ctp) != NULL) {
			(void) dispatch_handler(ctp);
		}
	}
}

/* A user's waitfor on a path whose manager never answers an open, and
 * its waitfors of 10 minutes, hold no one else's actions: root's
 * entity's detach action runs within seconds.  A waitfor sees the path
 * in the namespace without asking its manager ("hang" is done at once:
 * logged as no failure). */
START_TEST(test_waitfor_holds_nobody)
{
	char mark[300], cmd[512];
	struct axt_child w;
	ham_entity_t *re;
	ham_condition_t *rc;
	pid_t ham;

	if (!axa_user("test_waitfor_holds_nobody")) {
		return;
	}
	axa_share_rundir(axt_rundir);
	ham = ham_start();
	tpath(mark, sizeof(mark), "rootmark");
	w = axt_spawn(waiter, NULL);
	ck_assert_int_eq(w.val, 0);
	re = ham_attach_self("rootent", 0, 0, 0, 0);
	ck_assert_ptr_nonnull(re);
	rc = ham_condition(re, CONDDETACH, "rootc", 0);
	ck_assert_ptr_nonnull(rc);
	append_cmd(cmd, sizeof(cmd), "root", mark);
	nn_a(ham_action_execute(rc, "mark", cmd, 0));
	ck_assert_int_eq(ham_detach_self(re, 0), 0);
	ck_assert(wait_file(mark, 10));
	/* The path's waitfor saw it, the other one still waits. */
	nn_a(ham_action_handle(ND_LOCAL_NODE, "waiter", "c0", "hang", 0));
	ck_assert(!log_has("waiter/c0/hang: failed", 0.2));
	ham_entity_handle_free(re);
	ham_condition_handle_free(rc);
	axt_child_kill(&w);
	ham_kill(ham);
}
END_TEST

/* ---- one user's share of conditions and actions ------------------- */

/* The unprivileged user (in a child): 256 KiB of action text, then
 * 1024 conditions and actions, and no more (ENOMEM); what is removed is
 * given back.  Reports 0 or a bit mask of what went wrong. */
static void
budgeter(int rep, void *arg)
{
	static char big[4001];
	ham_entity_t *e;
	ham_condition_t *c[17];
	int bad = 0, n;

	(void) arg;
	axa_become();
	memset(big, 'b', sizeof(big) - 1);
	if ((e = ham_entity("budget", ND_LOCAL_NODE, 0)) == NULL ||
	    (c[0] = ham_condition(e, CONDDEATH, "t0", 0)) == NULL ||
	    (c[1] = ham_condition(e, CONDDEATH, "t1", 0)) == NULL) {
		axt_report(rep, 1 << 30);
		_exit(1);
	}
	/* Bytes: 4001 each; the 66th is over 256 KiB. */
	for (n = 0; n < 70; n++) {
		char aname[16];
		ham_action_t *a;

		snprintf(aname, sizeof(aname), "a%d", n);
		a = ham_action_log(c[n < 60 ? 0 : 1], aname, big, 0, 1, 0);
		if (a == NULL) {
			bad |= errno != ENOMEM ? 1 : 0;
			break;
		}
		ham_action_handle_free(a);
	}
	if (n != 65) {
		bad |= 2;
	}
	/* Given back with the conditions. */
	if (ham_condition_remove(c[0], 0) != 0 ||
	    ham_condition_remove(c[1], 0) != 0) {
		bad |= 4;
	}
	ham_condition_handle_free(c[0]);
	ham_condition_handle_free(c[1]);
	/* Items: 16 conditions of 63 actions (1024), then no more. */
	for (int i = 0; i < 16; i++) {
		char cname[16];

		snprintf(cname, sizeof(cname), "c%d", i);
		if ((c[i] = ham_condition(e, CONDDEATH, cname, 0)) == NULL) {
			bad |= 8;
			break;
		}
		for (int j = 0; j < 63; j++) {
			char aname[16];
			ham_action_t *a;

			snprintf(aname, sizeof(aname), "a%d", j);
			if ((a = ham_action_log(c[i], aname, "x", 0, 1, 0)) ==
			    NULL) {
				bad |= 16;
				break;
			}
			ham_action_handle_free(a);
		}
	}
	if (bad == 0) {
		errno = 0;
		if (ham_condition(e, CONDDEATH, "one-more", 0) != NULL ||
		    errno != ENOMEM) {
			bad |= 32;
		}
		errno = 0;
		if (ham_action_log(c[0], "one-more", "x", 0, 1, 0) != NULL ||
		    errno != ENOMEM) {
			bad |= 64;
		}
		ham_action_t *a = ham_action_handle(ND_LOCAL_NODE, "budget",
		    "c0", "a0", 0);

		if (a == NULL || ham_action_remove(a, 0) != 0) {
			bad |= 128;
		}
		ham_action_handle_free(a);
		if ((a = ham_action_log(c[0], "one-more", "x", 0, 1, 0)) ==
		    NULL) {
			bad |= 256;
		}
		ham_action_handle_free(a);
	}
	axt_report(rep, bad);
	_exit(0);
}

/* A user other than root has a share of conditions, actions and their
 * text (1024, 256 KiB); root, beyond it, can still add. */
START_TEST(test_user_budget)
{
	struct axt_child b;
	ham_entity_t *e;
	ham_condition_t *c;
	pid_t ham;

	if (!axa_user("test_user_budget")) {
		return;
	}
	axa_share_rundir(axt_rundir);
	ham = ham_start();
	b = axt_spawn(budgeter, NULL);
	ck_assert_int_eq(b.val, 0);
	ck_assert_int_eq(axt_child_wait(&b, 10), 0);
	e = ham_entity_handle(ND_LOCAL_NODE, "budget", 0);
	ck_assert_ptr_nonnull(e);
	c = ham_condition(e, CONDDEATH, "roots", 0);
	ck_assert_ptr_nonnull(c);
	nn_a(ham_action_log(c, "r", "root's", 0, 1, 0));
	ham_entity_handle_free(e);
	ham_condition_handle_free(c);
	ham_kill(ham);
}
END_TEST

/* ---- a name taken first; a log line forged -------------------------- */

/* The unprivileged user (in a child), as *arg says: 0 takes the name
 * "svc" first (ham_entity) with a detach condition whose action writes
 * its uid to shared/squat; 1 tries to detach "svc" and change it (both
 * must fail, EPERM); 2 adds a log action with no prefix that looks like
 * a line of the HAM's own, run at once.  Reports 0 or a bit mask of
 * what went wrong. */
static const char *squat_dir;

static void
squatter(int rep, void *arg)
{
	int mode = *(int *) arg, bad = 0;
	char cmd[600];
	ham_entity_t *e;
	ham_condition_t *c;

	axa_become();
	switch (mode) {
	case 0:
		snprintf(cmd, sizeof(cmd), "/bin/sh -c 'id -u >> %s/squat'",
		    squat_dir);
		if ((e = ham_entity("svc", ND_LOCAL_NODE, 0)) == NULL ||
		    (c = ham_condition(e, CONDDETACH, "c", 0)) == NULL ||
		    ham_action_execute(c, "who", cmd, 0) == NULL) {
			bad |= 1;
		}
		break;
	case 1:
		if ((e = ham_entity_handle(ND_LOCAL_NODE, "svc", 0)) == NULL) {
			bad |= 2;
			break;
		}
		if (ham_detach(e, 0) != -1 || errno != EPERM) {
			bad |= 4;
		}
		if (ham_condition(e, CONDDEATH, "evil", 0) != NULL ||
		    errno != EPERM) {
			bad |= 8;
		}
		c = ham_condition_handle(ND_LOCAL_NODE, "svc", "c", 0);
		if (c == NULL || ham_condition_remove(c, 0) != -1 ||
		    errno != EPERM) {
			bad |= 16;
		}
		break;
	default:
		if ((e = ham_entity("forger", ND_LOCAL_NODE, 0)) == NULL ||
		    (c = ham_condition(e, CONDDETACH, "c", 0)) == NULL ||
		    ham_action_log(c, "l", "entity svc: process 1 died FORGED",
		    0, 0, HACTIONDONOW) == NULL) {
			bad |= 32;
		}
		break;
	}
	axt_report(rep, bad);
	_exit(0);
}

/* A user takes the name of root's service first; root's service
 * attaches as it: the entity is root's now, the squatter cannot detach
 * or change it, and what it added still runs as it. */
START_TEST(test_name_squat)
{
	char dir[300], squat[400];
	struct axt_child ch;
	int mode;
	ham_entity_t *e;
	pid_t ham;
	FILE *f;
	unsigned uid = 0;

	if (!axa_user("test_name_squat")) {
		return;
	}
	axa_share_rundir(axt_rundir);
	ham = ham_start();
	tpath(dir, sizeof(dir), "shared");
	ck_assert_int_eq(mkdir(dir, 0777), 0);
	ck_assert_int_eq(chmod(dir, 0777), 0);
	squat_dir = dir;
	snprintf(squat, sizeof(squat), "%s/squat", dir);
	mode = 0;
	ch = axt_spawn(squatter, &mode);
	ck_assert_int_eq(ch.val, 0);
	ck_assert_int_eq(axt_child_wait(&ch, 10), 0);
	e = ham_attach_self("svc", 0, 0, 0, 0);
	ck_assert_ptr_nonnull(e);
	mode = 1;
	ch = axt_spawn(squatter, &mode);
	ck_assert_int_eq(ch.val, 0);
	ck_assert_int_eq(axt_child_wait(&ch, 10), 0);
	ck_assert_int_eq(ham_detach_self(e, 0), 0);
	ck_assert(wait_lines(squat, 1, 10));
	f = fopen(squat, "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%u", &uid), 1);
	fclose(f);
	ck_assert_uint_eq(uid, (unsigned) axa_uid);
	ham_entity_handle_free(e);
	ham_kill(ham);
}
END_TEST

/* A user's log action with no prefix still says whose it is: it cannot
 * pass for a line of the HAM's own. */
START_TEST(test_log_forging)
{
	char want[200];
	struct axt_child ch;
	int mode = 2;
	pid_t ham;

	if (!axa_user("test_log_forging")) {
		return;
	}
	axa_share_rundir(axt_rundir);
	ham = ham_start();
	ch = axt_spawn(squatter, &mode);
	ck_assert_int_eq(ch.val, 0);
	ck_assert_int_eq(axt_child_wait(&ch, 10), 0);
	snprintf(want, sizeof(want), "axon-ham: user %u: entity svc: process "
	    "1 died FORGED", (unsigned) axa_uid);
	ck_assert(log_has(want, 10));
	ck_assert(!log_has("axon-ham: entity svc: process 1 died FORGED", 0));
	ham_kill(ham);
}
END_TEST

/* ---- an action's scheduling ------------------------------------------ */

/* Fields (1-based, as proc(5) numbers them) of /proc/PID/stat. */
static bool
stat_fields(const char *file, int *nice, int *policy)
{
	char buf[2048];
	char *p, *tok, *save = NULL;
	FILE *f = fopen(file, "re");
	size_t n;
	int field = 3;

	if (f == NULL) {
		return false;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL) {
		return false;
	}
	*nice = *policy = -1;
	for (tok = strtok_r(p + 1, " \n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \n", &save), field++) {
		if (field == 19) {
			*nice = atoi(tok);
		} else if (field == 41) {
			*policy = atoi(tok);
		}
	}
	return *policy >= 0;
}

/* The unprivileged user (in a child): an execute action, run at once,
 * that copies its /proc/PID/stat into arg (a file). */
static void
sched_user(int rep, void *arg)
{
	char cmd[600];
	ham_entity_t *e;
	ham_condition_t *c;

	axa_become();
	snprintf(cmd, sizeof(cmd), "/bin/sh -c 'cat /proc/$$/stat > %s'",
	    (const char *) arg);
	if ((e = ham_entity("sched", ND_LOCAL_NODE, 0)) == NULL ||
	    (c = ham_condition(e, CONDDETACH, "c", 0)) == NULL ||
	    ham_action_execute(c, "x", cmd, HACTIONDONOW) == NULL) {
		axt_report(rep, 1);
		_exit(1);
	}
	axt_report(rep, 0);
	_exit(0);
}

/* A HAM run under SCHED_FIFO (nice -5): a user's command runs under
 * SCHED_OTHER, nice 0, not with the HAM's priority. */
START_TEST(test_child_sched)
{
	char dir[300], st[400], hst[64];
	struct axt_child ch;
	int nice, policy;
	pid_t ham;

	if (!axa_user("test_child_sched")) {
		return;
	}
	axa_share_rundir(axt_rundir);
	ham_fifo = true;
	ham = ham_start();
	snprintf(hst, sizeof(hst), "/proc/%d/stat", (int) ham);
	if (!stat_fields(hst, &nice, &policy) || policy != SCHED_FIFO) {
		fprintf(stderr, "test_child_sched: skipped: the HAM could not "
		    "run under SCHED_FIFO\n");
		ham_kill(ham);
		return;
	}
	tpath(dir, sizeof(dir), "shared");
	ck_assert_int_eq(mkdir(dir, 0777), 0);
	ck_assert_int_eq(chmod(dir, 0777), 0);
	snprintf(st, sizeof(st), "%s/stat", dir);
	ch = axt_spawn(sched_user, st);
	ck_assert_int_eq(ch.val, 0);
	ck_assert_int_eq(axt_child_wait(&ch, 10), 0);
	ck_assert(wait_lines(st, 1, 10));
	ck_assert(stat_fields(st, &nice, &policy));
	ck_assert_int_eq(policy, SCHED_OTHER);
	ck_assert_int_eq(nice, 0);
	ham_kill(ham);
}
END_TEST

/* A HAM run by an unprivileged user cannot run a command as anyone
 * else: root's execute and restart actions are refused (EPERM), its
 * other actions taken; root may still stop it. */
START_TEST(test_unprivileged_ham)
{
	pid_t ham;
	ham_entity_t *e;
	ham_condition_t *c;
	double end;
	int st;

	if (!axa_user("test_unprivileged_ham")) {
		return;
	}
	axa_share_rundir(axt_rundir);
	/* Root makes the node's shared (01777) directories first, as a
	 * node's first root process does: the path namespace's (a lookup)
	 * and the processes' (a channel). */
	ck_assert_int_eq(ham_connect(0), -1);
	ck_assert_int_eq(ChannelDestroy(ChannelCreate(0)), 0);
	snprintf(ham_log, sizeof(ham_log), "%s/ham.log", axt_rundir);
	ham = fork();
	ck_assert_int_ge(ham, 0);
	if (ham == 0) {
		int fd = open(ham_log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd < 0 || dup2(fd, 2) < 0) {
			_exit(97);
		}
		axa_become();
		execl(ham_bin(), "axon-ham", (char *) NULL);
		_exit(96);
	}
	end = axt_now() + 5;
	while (ham_connect(0) != 0 && axt_now() < end) {
		axt_sleep_ms(10);
	}
	ck_assert_int_eq(ham_disconnect(0), 0);
	e = ham_attach_self("rooted", 0, 0, 0, 0);
	ck_assert_ptr_nonnull(e);
	c = ham_condition(e, CONDDEATH, "d", 0);
	ck_assert_ptr_nonnull(c);
	errno = 0;
	ck_assert_ptr_null(ham_action_execute(c, "x", "/bin/true", 0));
	ck_assert_int_eq(errno, EPERM);
	errno = 0;
	ck_assert_ptr_null(ham_action_restart(c, "r", "/bin/true", 0));
	ck_assert_int_eq(errno, EPERM);
	nn_a(ham_action_log(c, "l", "fine", 0, 1, 0));
	ck_assert_int_eq(ham_detach_self(e, 0), 0);
	ck_assert_int_eq(ham_stop(), 0);
	st = axt_waitpid(ham, 5);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ham_entity_handle_free(e);
	ham_condition_handle_free(c);
}
END_TEST

/* ---- fork() while another thread is in a call -------------------------- */

/* A /proc/ham that opens as any manager does and never answers a
 * request: it writes a byte to hold_fd for each one it holds. */
static int hold_fd = -1;

static int
hold_devctl(resmgr_context_t *ctp, io_devctl_t *msg, RESMGR_OCB_T *ocb)
{
	if (msg->i.dcmd != DCMD_AXON_HAM) {
		return iofunc_devctl_default(ctp, msg, ocb);
	}
	(void) !write(hold_fd, "h", 1);
	return _RESMGR_NOREPLY;
}

static pid_t
hold_ham_start(int *held)
{
	int p[2];
	pid_t pid;
	double end = axt_now() + 5;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		static resmgr_connect_funcs_t cf;
		static resmgr_io_funcs_t iof;
		static iofunc_attr_t attr;
		dispatch_context_t *ctp;
		dispatch_t *dpp;

		close(p[0]);
		hold_fd = p[1];
		if ((dpp = dispatch_create()) == NULL) {
			_exit(90);
		}
		iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &cf, _RESMGR_IO_NFUNCS,
		    &iof);
		iof.devctl = hold_devctl;
		iofunc_attr_init(&attr, S_IFNAM | 0666, NULL, NULL);
		if (resmgr_attach(dpp, NULL, AXON_HAM_PATH, _FTYPE_ANY, 0, &cf,
		    &iof, &attr) == -1 ||
		    (ctp = dispatch_context_alloc(dpp)) == NULL) {
			_exit(91);
		}
		for (;;) {
			if (dispatch_block(ctp) != NULL) {
				(void) dispatch_handler(ctp);
			}
		}
	}
	close(p[1]);
	*held = p[0];
	while (axt_now() < end) {
		if (ham_connect(0) == 0) {
			ck_assert_int_eq(ham_disconnect(0), 0);
			return pid;
		}
		axt_sleep_ms(10);
	}
	ham_kill(pid);
	ck_abort_msg("the holding /proc/ham did not serve");
	return -1;
}

static void *
beat_main(void *arg)
{
	(void) arg;
	(void) ham_heartbeat(); /* held until the manager goes */
	return NULL;
}

/* A fork() while another thread waits in a ham_*() call (a heartbeat
 * the HAM has not answered yet): the child has no connection and its
 * own calls work, as a child's do (before, it inherited the library's
 * lock held, and its first call hung for good). */
START_TEST(test_fork_during_call)
{
	pthread_t t;
	pid_t mgr, child;
	int held, status;
	char c;

	mgr = hold_ham_start(&held);
	ck_assert_int_eq(ham_connect(0), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, beat_main, NULL), 0);
	/* The heartbeat is in the manager's hands. */
	ck_assert_int_eq(read(held, &c, 1), 1);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		/* (Not check's handler, which would end the test's
		 * process group.) */
		(void) signal(SIGALRM, SIG_DFL);
		alarm(10);
		/* A connection of its own, opened and closed. */
		_exit(ham_connect(0) == 0 && ham_disconnect(0) == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ham_kill(mgr);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	(void) ham_disconnect(0);
	close(held);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the child's ham_connect() (status 0x%x: killed by SIGALRM "
	    "when it hung)", status);
}
END_TEST

static Suite *
ham_suite(void)
{
	Suite *s = suite_create("ham");
	TCase *t = axt_tcase("ham", 90);

	tcase_add_test(t, test_heartbeat_missed);
	tcase_add_test(t, test_heartbeat_healthy);
	tcase_add_test(t, test_death_sigkill);
	tcase_add_test(t, test_death_exit);
	tcase_add_test(t, test_detach);
	tcase_add_test(t, test_restart);
	tcase_add_test(t, test_restart_limit);
	tcase_add_test(t, test_restart_attach_race);
	tcase_add_test(t, test_notify);
	tcase_add_test(t, test_action_flags);
	tcase_add_test(t, test_failed_removed);
	tcase_add_test(t, test_errors);
	tcase_add_test(t, test_garbage);
	tcase_add_test(t, test_stop);
	tcase_add_test(t, test_attack);
	tcase_add_test(t, test_unprivileged_ham);
	tcase_add_test(t, test_waitfor_holds_nobody);
	tcase_add_test(t, test_user_budget);
	tcase_add_test(t, test_name_squat);
	tcase_add_test(t, test_log_forging);
	tcase_add_test(t, test_child_sched);
	tcase_add_test(t, test_fork_during_call);
	suite_add_tcase(s, t);
	return s;
}

int
main(int argc, char **argv)
{
	/* test_restart_limit's program: attaches to "loop" and exits. */
	if (argc == 2 && strcmp(argv[1], "--ham-loop") == 0) {
		ham_entity_t *e = ham_attach_self("loop", 0, 0, 0, 0);

		return e != NULL && ham_entity_handle_free(e) == 0 ? 0 : 1;
	}
	if (argc == 3 && strcmp(argv[1], "--ham-rr") == 0) {
		return rr_main(argv[2]);
	}
	return axt_run(ham_suite());
}
