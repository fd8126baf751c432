/* SPDX-License-Identifier: MIT */
/*
 * axon-fs's links to attached paths where they are attached
 * (src/fs/devlinks.h): with --dev-links ROOT (a temporary directory
 * standing for "/"), a path /dev/X that root's manager attaches appears
 * as ROOT/dev/X -> $AXON_RUNDIR/fs/dev/X, and a QNX client's open(),
 * read(), write() and devctl() and `cat` work through it; the link goes
 * when the manager detaches, dies, and when axon-fs stops; a link left
 * by a killed axon-fs is cleared by the next one.  Attacks by an
 * unprivileged user (a path of theirs under /dev, the same path as
 * root's) get no link; files, directories and links already there, and
 * paths outside /dev, are left alone.
 *
 * Needs root and /dev/fuse (and the axon-fs binary, $AXON_FS); says
 * "skipped:" otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "resmgr_managers.h"
#include "fs_test.h"

/* (The directory manager is test_fs's.) */
static void (*const devlinks_unused_mgr_dir)(int, void *)
    __attribute__((unused)) = mgr_dir;

static char mnt[PATH_MAX];
static char root[PATH_MAX];
static pid_t fs_pid = -1;
static pid_t fs_owner;
static bool fs_ok;

/* Whether this machine can run the test (prints why not). */
static bool
fs_usable(const char *test)
{
	return fs_usable_for(test, "FUSE mounts, links made for root's managers");
}

static bool
mounted(void)
{
	return fs_mounted_at(mnt);
}

/* Starts axon-fs with links under root ("" : without --dev-links). */
static void
fs_start_with(const char *links)
{
	double end;

	fs_pid = fork();
	ck_assert_int_ge(fs_pid, 0);
	if (fs_pid == 0) {
		(void) prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (links[0] == '\0') {
			execl(fs_bin(), "axon-fs", "--net-dir", "none",
			    (char *) NULL);
		} else {
			execl(fs_bin(), "axon-fs", "--net-dir", "none",
			    "--dev-links", links, (char *) NULL);
		}
		_exit(127);
	}
	end = axt_now() + 5.0;
	while (!mounted() && axt_now() < end) {
		int st;

		ck_assert_int_eq(waitpid(fs_pid, &st, WNOHANG), 0);
		axt_sleep_ms(5);
	}
	ck_assert_msg(mounted(), "axon-fs did not mount %s", mnt);
}

static void
fs_start(void)
{
	fs_start_with(root);
}

static void
fs_stop(void)
{
	if (fs_pid > 0) {
		double end = axt_now() + 5.0;
		int st;

		(void) kill(fs_pid, SIGTERM);
		while (waitpid(fs_pid, &st, WNOHANG) == 0 &&
		    axt_now() < end) {
			axt_sleep_ms(5);
		}
		if (axt_now() >= end) {
			(void) kill(fs_pid, SIGKILL);
			(void) waitpid(fs_pid, &st, 0);
		}
		fs_pid = -1;
	}
	for (int i = 0; i < 200 && mounted(); i++) {
		axt_sleep_ms(10);
	}
	if (mounted()) {
		(void) umount2(mnt, MNT_DETACH);
	}
}

static void
fs_atexit(void)
{
	if (fs_ok && getpid() == fs_owner) {
		fs_stop();
	}
}

static void
dl_setup(void)
{
	char devdir[PATH_MAX + 8];

	axt_setup();
	fs_ok = fs_usable("test_devlinks");
	snprintf(mnt, sizeof(mnt), "%s/fs", axt_rundir);
	snprintf(root, sizeof(root), "%s/root", axt_rundir);
	if (!fs_ok) {
		return;
	}
	axa_share_rundir(axt_rundir);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	snprintf(devdir, sizeof(devdir), "%s/dev", root);
	ck_assert_int_eq(mkdir(devdir, 0755), 0);
	fs_owner = getpid();
	(void) atexit(fs_atexit);
	fs_start();
}

static void
dl_teardown(void)
{
	if (fs_ok) {
		fs_stop();
	}
	axt_teardown();
}

#define SKIP_UNLESS_FS()                                                    \
	do {                                                                \
		if (!fs_ok) {                                               \
			return;                                             \
		}                                                           \
	} while (0)

/* ROOT + p (p absolute). */
static const char *
at_root(const char *p)
{
	static char buf[4][PATH_MAX + 64];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s%s", root, p);
	return buf[i];
}

/* Whether ROOT/p is the link to the mount's p. */
static bool
is_link(const char *p)
{
	char got[PATH_MAX + 64], want[PATH_MAX + 64];
	struct stat st;
	ssize_t n;

	if (lstat(at_root(p), &st) < 0 || !S_ISLNK(st.st_mode)) {
		return false;
	}
	n = readlink(at_root(p), got, sizeof(got) - 1);
	if (n < 0) {
		return false;
	}
	got[n] = '\0';
	snprintf(want, sizeof(want), "%s%s", mnt, p);
	return strcmp(got, want) == 0;
}

static bool
exists(const char *p)
{
	struct stat st;

	return lstat(at_root(p), &st) == 0;
}

/* Waits (bounded: 3 s, the keeper's bound is 1) for ROOT/p to be the
 * link (want) or to be gone (!want). */
static bool
wait_link(const char *p, bool want)
{
	double end = axt_now() + 3.0;

	while (axt_now() < end) {
		if (want ? is_link(p) : !exists(p)) {
			return true;
		}
		axt_sleep_ms(10);
	}
	return want ? is_link(p) : !exists(p);
}

/* Waits for the mount to show p (the namespace has the entry). */
static void
wait_in_mount(const char *p)
{
	char path[PATH_MAX + 64];
	struct stat st;
	double end = axt_now() + 3.0;

	snprintf(path, sizeof(path), "%s%s", mnt, p);
	while (stat(path, &st) != 0 && axt_now() < end) {
		axt_sleep_ms(10);
	}
	ck_assert_msg(stat(path, &st) == 0, "%s not in the mount", path);
}

/* ------------------------------------------------------------------ */

/* Root's manager at /dev/axdl/sample: the link (and the directory
 * above it, made) appear; a QNX client's open/read/write/devctl and
 * `cat` work through it; killed, the link and the made directory go. */
START_TEST(test_link_qnx_client)
{
	struct axt_child m;
	char buf[64], out[64];
	int fd, v = 7, info = -1;

	SKIP_UNLESS_FS();
	m = start_device("/dev/axdl/sample", "Hello, world\n", "0666");
	ck_assert(wait_link("/dev/axdl/sample", true));
	/* A QNX program as written for QNX. */
	fd = open(at_root("/dev/axdl/sample"), O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 13);
	ck_assert_int_eq(memcmp(buf, "Hello, world\n", 13), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(write(fd, "written\n", 8), 8);
	ck_assert_int_eq(devctl(fd, MY_DEVCTL_SETVAL, &v, sizeof(v), NULL),
	    EOK);
	v = 0;
	ck_assert_int_eq(devctl(fd, MY_DEVCTL_GETVAL, &v, sizeof(v), &info),
	    EOK);
	ck_assert_int_eq(v, 7);
	ck_assert_int_eq(info, 42);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(sh(out, sizeof(out), 10, "cat %s",
			     at_root("/dev/axdl/sample")),
	    0);
	ck_assert_str_eq(out, "written\n");
	/* The manager dies: its link goes, and the directory made for it. */
	axt_child_kill(&m);
	ck_assert(wait_link("/dev/axdl/sample", false));
	ck_assert(wait_link("/dev/axdl", false));
	ck_assert(exists("/dev"));
}
END_TEST

/* The manager detaches its path (and lives on): the link goes. */
START_TEST(test_detach)
{
	struct axt_child m;
	unsigned flags = _RESMGR_DETACH_PATHNAME;
	int fd;

	SKIP_UNLESS_FS();
	m = start_device("/dev/axdl-one", "one\n", "0666");
	ck_assert(wait_link("/dev/axdl-one", true));
	fd = open(at_root("/dev/axdl-one"), O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(devctl(fd, MY_DEVCTL_DETACH, &flags, sizeof(flags),
			     NULL),
	    EOK);
	ck_assert_int_eq(close(fd), 0);
	ck_assert(wait_link("/dev/axdl-one", false));
	ck_assert_int_eq(kill(m.pid, 0), 0); /* still there */
	axt_child_kill(&m);
}
END_TEST

static void
attacker_device(int rep, void *arg)
{
	axa_become();
	mgr_device(rep, arg);
}

static struct axt_child
start_attacker_device(const char *path)
{
	static const char *a[3];
	struct axt_child c;

	a[0] = path;
	a[1] = "planted\n";
	a[2] = "0666";
	c = axt_spawn(attacker_device, (void *) a);
	ck_assert_int_ge(c.val, 0);
	return c;
}

/*
 * The unprivileged user attaches a path under /dev: it is in the mount
 * (the namespace has it) but gets no link.  Attaching the same path as
 * root's manager takes root's link away (root's programs get ENOENT,
 * never the user's manager); when the user's manager goes, the link
 * comes back.
 */
START_TEST(test_attacker_gets_no_link)
{
	struct axt_child a, r, c;

	SKIP_UNLESS_FS();
	if (!axa_user("test_attacker_gets_no_link")) {
		return;
	}
	{
		/* As a node's axond or first process would have made it. */
		char pid_dir[PATH_MAX + 8];

		snprintf(pid_dir, sizeof(pid_dir), "%s/pid", axt_rundir);
		(void) mkdir(pid_dir, 01777);
		ck_assert_int_eq(chmod(pid_dir, 01777), 0);
	}
	a = start_attacker_device("/dev/axdl-evil");
	wait_in_mount("/dev/axdl-evil");
	/* A root manager attached after it is linked: the keeper has read
	 * the namespace since the attacker's entry came. */
	c = start_device("/dev/axdl-control", "c\n", "0444");
	ck_assert(wait_link("/dev/axdl-control", true));
	axt_sleep_ms(1500); /* more than the keeper's rescan bound */
	ck_assert(!exists("/dev/axdl-evil"));
	/* The same path as root's. */
	r = start_device("/dev/axdl-shared", "root\n", "0444");
	ck_assert(wait_link("/dev/axdl-shared", true));
	axt_child_kill(&a);
	a = start_attacker_device("/dev/axdl-shared");
	ck_assert(wait_link("/dev/axdl-shared", false));
	axt_child_kill(&a);
	ck_assert(wait_link("/dev/axdl-shared", true));
	axt_child_kill(&r);
	axt_child_kill(&c);
	ck_assert(wait_link("/dev/axdl-shared", false));
	ck_assert(wait_link("/dev/axdl-control", false));
}
END_TEST

/*
 * What is already there is never replaced, followed or removed: a
 * file, a directory, a link, and a link where a directory on the way
 * would be.  Paths outside /dev get no link.
 */
START_TEST(test_existing_left_alone)
{
	struct axt_child m[6];
	char buf[64], other[PATH_MAX + 16];
	struct stat st;
	ssize_t n;
	int fd;

	SKIP_UNLESS_FS();
	fd = open(at_root("/dev/axdl-file"), O_WRONLY | O_CREAT | O_EXCL,
	    0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "mine\n", 5), 5);
	(void) close(fd);
	ck_assert_int_eq(mkdir(at_root("/dev/axdl-dir"), 0755), 0);
	ck_assert_int_eq(symlink("elsewhere", at_root("/dev/axdl-link")), 0);
	snprintf(other, sizeof(other), "%s/other", axt_rundir);
	ck_assert_int_eq(mkdir(other, 0755), 0);
	ck_assert_int_eq(symlink(other, at_root("/dev/axdl-via")), 0);
	m[0] = start_device("/dev/axdl-file", "x\n", "0444");
	m[1] = start_device("/dev/axdl-dir", "x\n", "0444");
	m[2] = start_device("/dev/axdl-link", "x\n", "0444");
	m[3] = start_device("/dev/axdl-via/x", "x\n", "0444");
	m[4] = start_device("/axdl-out/x", "x\n", "0444");
	m[5] = start_device("/dev/axdl-ok", "x\n", "0444");
	ck_assert(wait_link("/dev/axdl-ok", true));
	axt_sleep_ms(1500); /* more than the keeper's rescan bound */
	for (int round = 0; round < 2; round++) {
		ck_assert_int_eq(lstat(at_root("/dev/axdl-file"), &st), 0);
		ck_assert(S_ISREG(st.st_mode));
		fd = open(at_root("/dev/axdl-file"), O_RDONLY);
		ck_assert_int_eq(read(fd, buf, sizeof(buf)), 5);
		(void) close(fd);
		ck_assert_int_eq(memcmp(buf, "mine\n", 5), 0);
		ck_assert_int_eq(lstat(at_root("/dev/axdl-dir"), &st), 0);
		ck_assert(S_ISDIR(st.st_mode));
		n = readlink(at_root("/dev/axdl-link"), buf, sizeof(buf));
		ck_assert_int_eq(n, 9);
		ck_assert_int_eq(memcmp(buf, "elsewhere", 9), 0);
		ck_assert(!exists("/dev/axdl-via/x"));
		ck_assert(!exists("/axdl-out"));
		/* Then the managers go: the same again. */
		for (int i = 0; round == 0 && i < 6; i++) {
			axt_child_kill(&m[i]);
		}
		ck_assert(round == 1 || wait_link("/dev/axdl-ok", false));
	}
	/* Nothing appeared in the directory the planted link points at. */
	ck_assert_int_eq(rmdir(other), 0);
}
END_TEST

/* A place that was taken gets its link once it is free. */
START_TEST(test_place_freed)
{
	struct axt_child m;
	struct stat st;
	int fd;

	SKIP_UNLESS_FS();
	fd = open(at_root("/dev/axdl-later"), O_WRONLY | O_CREAT | O_EXCL,
	    0644);
	ck_assert_int_ge(fd, 0);
	(void) close(fd);
	m = start_device("/dev/axdl-later", "x\n", "0444");
	wait_in_mount("/dev/axdl-later");
	axt_sleep_ms(1500); /* more than the keeper's rescan bound */
	ck_assert_int_eq(lstat(at_root("/dev/axdl-later"), &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(unlink(at_root("/dev/axdl-later")), 0);
	ck_assert(wait_link("/dev/axdl-later", true));
	axt_child_kill(&m);
	ck_assert(wait_link("/dev/axdl-later", false));
}
END_TEST

/* axon-fs stops: its links go, the directories it made and its state
 * file too. */
START_TEST(test_stop_removes)
{
	struct axt_child m;
	char state[PATH_MAX + 16];

	SKIP_UNLESS_FS();
	snprintf(state, sizeof(state), "%s/devlinks", axt_rundir);
	m = start_device("/dev/axdl/a/b", "x\n", "0444");
	ck_assert(wait_link("/dev/axdl/a/b", true));
	ck_assert_int_eq(access(state, F_OK), 0);
	fs_stop();
	ck_assert(!exists("/dev/axdl"));
	ck_assert(exists("/dev"));
	ck_assert_int_ne(access(state, F_OK), 0);
	axt_child_kill(&m);
}
END_TEST

/* axon-fs and its keeper killed: the link stays; the next axon-fs
 * clears it (and the directory made for it) when its manager is gone,
 * but not a link someone put in its place meanwhile. */
START_TEST(test_stale_cleared)
{
	struct axt_child m, m2;
	char buf[64];
	pid_t keeper;
	ssize_t n;

	SKIP_UNLESS_FS();
	m = start_device("/dev/axdl/stale", "x\n", "0444");
	m2 = start_device("/dev/axdl-replaced", "x\n", "0444");
	ck_assert(wait_link("/dev/axdl/stale", true));
	ck_assert(wait_link("/dev/axdl-replaced", true));
	keeper = child_named(fs_pid, "axon-fs-links");
	ck_assert_int_gt(keeper, 0);
	ck_assert_int_eq(kill(keeper, SIGKILL), 0);
	ck_assert_int_eq(kill(fs_pid, SIGKILL), 0);
	(void) waitpid(fs_pid, NULL, 0);
	fs_pid = -1;
	fs_stop(); /* (the mount, if fusermount3's watcher is slow) */
	axt_child_kill(&m);
	axt_child_kill(&m2);
	ck_assert(exists("/dev/axdl/stale"));
	ck_assert_int_eq(unlink(at_root("/dev/axdl-replaced")), 0);
	ck_assert_int_eq(symlink("someone-else",
			     at_root("/dev/axdl-replaced")),
	    0);
	fs_start();
	ck_assert(wait_link("/dev/axdl/stale", false));
	ck_assert(wait_link("/dev/axdl", false));
	n = readlink(at_root("/dev/axdl-replaced"), buf, sizeof(buf));
	ck_assert_int_eq(n, 12);
	ck_assert_int_eq(memcmp(buf, "someone-else", 12), 0);
}
END_TEST

/* Off unless asked (or root on /run/axon): no link in the machine's
 * own /dev for this test node; bad --dev-links are usage errors. */
START_TEST(test_default_off_and_usage)
{
	struct axt_child m;
	char p[64], out[256];

	SKIP_UNLESS_FS();
	fs_stop();
	fs_start_with("");
	snprintf(p, sizeof(p), "/dev/axdl-off-%d", (int) getpid());
	m = start_device(p, "x\n", "0444");
	wait_in_mount(p);
	axt_sleep_ms(1500);
	ck_assert_int_ne(access(p, F_OK), 0);
	axt_child_kill(&m);
	ck_assert_int_eq(sh(out, sizeof(out), 10,
			     "%s --net-dir none --fs-dir %s/fs2 --dev-links "
			     "relative 2>/dev/null",
			     fs_bin(), axt_rundir),
	    2);
	ck_assert_int_eq(sh(out, sizeof(out), 10,
			     "%s --net-dir none --fs-dir %s/fs2 --dev-links "
			     "%s/nowhere 2>/dev/null",
			     fs_bin(), axt_rundir, axt_rundir),
	    2);
}
END_TEST

/* `axond --fs yes --fs-dev-links ROOT` passes it on. */
START_TEST(test_axond_passes_it_on)
{
	const char *axond = getenv("AXOND");
	struct axt_child m;
	char prog[PATH_MAX], listen_arg[64];
	pid_t d;
	double end;

	SKIP_UNLESS_FS();
	if (axond == NULL) {
		axond = "build/axond";
	}
	ck_assert_ptr_nonnull(realpath(fs_bin(), prog));
	fs_stop();
	m = start_device("/dev/axdl-axond", "x\n", "0444");
	/* A free port, for the node's (unused) listener. */
	snprintf(listen_arg, sizeof(listen_arg), "127.0.0.1:%d",
	    axt_free_port(false, NULL, 0));
	d = fork();
	ck_assert_int_ge(d, 0);
	if (d == 0) {
		(void) prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(axond, "axond", "--node", "alpha", "--listen",
		    listen_arg, "--insecure", "--fs", "yes", "--fs-program",
		    prog, "--net-dir", "none", "--fs-dev-links", root,
		    "--log-level", "error", (char *) NULL);
		_exit(127);
	}
	end = axt_now() + 5;
	while (!mounted() && axt_now() < end) {
		ck_assert_int_eq(waitpid(d, NULL, WNOHANG), 0);
		axt_sleep_ms(10);
	}
	ck_assert(mounted());
	ck_assert(wait_link("/dev/axdl-axond", true));
	ck_assert_int_eq(kill(d, SIGTERM), 0);
	(void) waitpid(d, NULL, 0);
	ck_assert(wait_link("/dev/axdl-axond", false));
	axt_child_kill(&m);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("devlinks");
	TCase *tc = tcase_create("devlinks");
	const char *mul = getenv("AXON_TEST_TIMEOUT_MULTIPLIER");
	double k = mul != NULL && atof(mul) > 0 ? atof(mul) : 1.0;

	tcase_add_checked_fixture(tc, dl_setup, dl_teardown);
	tcase_set_timeout(tc, 20 * k);
	tcase_add_test(tc, test_link_qnx_client);
	tcase_add_test(tc, test_detach);
	tcase_add_test(tc, test_attacker_gets_no_link);
	tcase_add_test(tc, test_existing_left_alone);
	tcase_add_test(tc, test_place_freed);
	tcase_add_test(tc, test_stop_removes);
	tcase_add_test(tc, test_stale_cleared);
	tcase_add_test(tc, test_default_off_and_usage);
	tcase_add_test(tc, test_axond_passes_it_on);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(suite());
}
