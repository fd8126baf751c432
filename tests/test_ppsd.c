/* SPDX-License-Identifier: MIT */
/*
 * axon-pps(8), the PPS service: a real axon-pps on the test's node,
 * reached as QNX programs reach it (Axon's _IO_CONNECT open, mknod and
 * unlink, _IO_READ/_IO_WRITE) and, where this machine can mount FUSE,
 * as Linux files through axon-fs (cat, echo, ls, poll).  Publishers and
 * subscribers in separate processes; full and delta reads, deletions,
 * ?wait reads that block and wake, poll, an unprivileged user's attack
 * (tests/attack.h), malformed writes that change nothing, and the
 * limits and per-user budgets.  Every wait is bounded; the daemon, the
 * mount and every child are stopped at the end of each test.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/mount.h>
#include <sys/prctl.h>

#include <sys/iofunc.h>
#include <sys/neutrino.h>

#include "attack.h"
#include "axon_test.h"
#include "fs_test.h"

#include "axon_spi.h"
#include "dispatch_int.h"

static const char *
pps_bin(void)
{
	const char *b = getenv("AXON_PPS");

	return b != NULL ? b : "build/axon-pps";
}

static pid_t pps_pid = -1;
static char pps_log[PATH_MAX];

/* Starts axon-pps (with up to two options) and waits (bounded) until
 * /pps answers. */
static void
pps_start(const char *o1, const char *o2)
{
	double end = axt_now() + 20;

	snprintf(pps_log, sizeof(pps_log), "%s/pps.log", axt_rundir);
	pps_pid = fork();
	ck_assert_int_ge(pps_pid, 0);
	if (pps_pid == 0) {
		int fd = open(pps_log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd < 0 || dup2(fd, 2) < 0) {
			_exit(97);
		}
		execl(pps_bin(), "axon-pps", o1 != NULL ? o1 : (char *) NULL,
		    o2, (char *) NULL);
		_exit(96);
	}
	while (axt_now() < end) {
		int coid = axon__io_open("/pps", O_RDONLY, 0);

		if (coid >= 0) {
			(void) axon__io_close(coid);
			return;
		}
		axt_sleep_ms(10);
	}
	ck_abort_msg("axon-pps (%s) did not serve /pps", pps_bin());
}

static void
pps_stop(void)
{
	if (pps_pid > 0) {
		(void) kill(pps_pid, SIGKILL);
		(void) waitpid(pps_pid, NULL, 0);
		pps_pid = -1;
	}
}

/* ---- QNX-style clients ------------------------------------------------ */

static int
qopen(const char *path, int oflag, mode_t mode)
{
	return axon__io_open(path, oflag, mode);
}

/* Writes text whole: 0, or -errno. */
static int
qwrite(int coid, const char *text)
{
	ssize_t n = axon__io_write(coid, text, strlen(text));

	return n < 0 ? (int) n : n == (ssize_t) strlen(text) ? 0 : -EIO;
}

/* Reads at most cap - 1 bytes into buf (NUL-terminated): the count or
 * -errno. */
static ssize_t
qread(int coid, char *buf, size_t cap)
{
	ssize_t n = axon__io_read(coid, buf, cap - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* Publishes text to path (made 0644 if need be): 0 or -errno. */
static int
publish(const char *path, const char *text)
{
	int coid = qopen(path, O_WRONLY | O_CREAT, 0644);
	int rc;

	if (coid < 0) {
		return coid;
	}
	rc = qwrite(coid, text);
	(void) axon__io_close(coid);
	return rc;
}

/* The object at path as a full read gives it. */
static void
read_object(const char *path, char *buf, size_t cap)
{
	int coid = qopen(path, O_RDONLY, 0);

	ck_assert_int_ge(coid, 0);
	ck_assert_int_gt(qread(coid, buf, cap), 0);
	(void) axon__io_close(coid);
}

/* An _IO_CONNECT of another subtype than open (mknod, unlink), as QNX's
 * mkdir() and unlink() send it: the manager's status (0 or -errno). */
static int
qconnect(const char *path, int subtype, mode_t mode)
{
	struct axon_path_match m[4];
	char norm[PATH_MAX];
	int n = axon__path_resolve(path, _FTYPE_ANY, getpid(), m, 4, norm,
	    sizeof(norm));
	struct _io_connect c;
	size_t plen;
	iov_t siov[2];
	int coid;
	long r;

	if (n <= 0) {
		return n < 0 ? n : -ENOENT;
	}
	plen = strlen(m[0].rest) + 1;
	coid = ConnectAttach_r(0, m[0].e.pid, m[0].e.chid, _NTO_SIDE_CHANNEL,
	    0);
	if (coid < 0) {
		return coid;
	}
	memset(&c, 0, sizeof(c));
	c.type = _IO_CONNECT;
	c.subtype = (uint16_t) subtype;
	c.file_type = _FTYPE_ANY;
	c.handle = (uint32_t) m[0].e.handle;
	c.mode = mode;
	c.path_len = (uint16_t) plen;
	SETIOV(&siov[0], &c, offsetof(struct _io_connect, path));
	SETIOV(&siov[1], m[0].rest, plen);
	r = MsgSendv_r(coid, siov, 2, NULL, 0);
	(void) ConnectDetach_r(coid);
	return r < 0 ? (int) r : 0;
}

static int
qmkdir(const char *path, mode_t mode)
{
	return qconnect(path, _IO_CONNECT_MKNOD, S_IFDIR | mode);
}

static int
qunlink(const char *path)
{
	return qconnect(path, _IO_CONNECT_UNLINK, 0);
}

/* ---- The FUSE mount (when this machine has one) ----------------------- */

static char mnt[PATH_MAX];
static pid_t fs_pid = -1;
static bool fs_ok;
static pid_t owner_pid;

static void
fs_start(void)
{
	double end = axt_now() + 5.0;

	fs_pid = fork();
	ck_assert_int_ge(fs_pid, 0);
	if (fs_pid == 0) {
		(void) prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(fs_bin(), "axon-fs", "--net-dir", "none", (char *) NULL);
		_exit(127);
	}
	while (!fs_mounted_at(mnt) && axt_now() < end) {
		axt_sleep_ms(5);
	}
	ck_assert_msg(fs_mounted_at(mnt), "axon-fs did not mount %s", mnt);
}

static void
fs_stop(void)
{
	if (fs_pid > 0) {
		double end = axt_now() + 5.0;

		(void) kill(fs_pid, SIGTERM);
		while (waitpid(fs_pid, NULL, WNOHANG) == 0 && axt_now() < end) {
			axt_sleep_ms(5);
		}
		if (axt_now() >= end) {
			(void) kill(fs_pid, SIGKILL);
			(void) waitpid(fs_pid, NULL, 0);
		}
		fs_pid = -1;
	}
	for (int i = 0; i < 100 && fs_mounted_at(mnt); i++) {
		axt_sleep_ms(10);
	}
	if (fs_mounted_at(mnt)) {
		(void) umount2(mnt, MNT_DETACH);
	}
}

static void
at_exit(void)
{
	if (getpid() == owner_pid) {
		if (fs_ok) {
			fs_stop();
		}
		pps_stop();
	}
}

static void
setup(void)
{
	axt_setup();
	snprintf(mnt, sizeof(mnt), "%s/fs", axt_rundir);
	owner_pid = getpid();
	(void) atexit(at_exit);
	/* The attacker must reach the node, as on a shared one. */
	if (geteuid() == 0) {
		axa_share_rundir(axt_rundir);
	}
	fs_ok = fs_usable_for("test_ppsd", "FUSE mounts");
}

static void
teardown(void)
{
	if (fs_ok) {
		fs_stop();
	}
	pps_stop();
	axt_teardown();
}

/* Mounts the node's namespace, or says why not and returns false. */
static bool
with_fs(void)
{
	if (!fs_ok) {
		return false;
	}
	fs_start();
	return true;
}

#define SKIP_UNLESS_FS()                                                    \
	do {                                                                \
		if (!with_fs()) {                                           \
			return;                                             \
		}                                                           \
	} while (0)

/* ---- Tests ------------------------------------------------------------ */

static void
publisher(int rep, void *arg)
{
	(void) arg;
	axt_report(rep, publish("/pps/weather", "temp:n:21\nsky::clear\n"));
	_exit(0);
}

/* A publisher process and a subscriber (this one): the subscriber sees
 * the object whole, then EOF until it changes; another write is the
 * object's new state on the next read. */
START_TEST(test_publish_subscribe)
{
	struct axt_child p;
	char buf[512];
	int coid;

	pps_start(NULL, NULL);
	p = axt_spawn(publisher, NULL);
	ck_assert_int_eq(p.val, 0);
	ck_assert_int_eq(axt_child_wait(&p, 5), 0);
	coid = qopen("/pps/weather", O_RDONLY, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_gt(qread(coid, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "@weather\ntemp:n:21\nsky::clear\n");
	ck_assert_int_eq(qread(coid, buf, sizeof(buf)), 0);
	/* An update keeps the attribute's place; a new one goes last. */
	ck_assert_int_eq(publish("/pps/weather", "temp:n:22\nwind::5\n"), 0);
	ck_assert_int_gt(qread(coid, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "@weather\ntemp:n:22\nsky::clear\nwind::5\n");
	ck_assert_int_eq(qread(coid, buf, sizeof(buf)), 0);
	/* A read too small for the object fails, never gives a part. */
	ck_assert_int_eq(publish("/pps/weather", "sky::rain\n"), 0);
	ck_assert_int_eq(qread(coid, buf, 8), -EMSGSIZE);
	ck_assert_int_gt(qread(coid, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "@weather\ntemp:n:22\nsky::rain\nwind::5\n");
	(void) axon__io_close(coid);
	/* No such object without O_CREAT. */
	ck_assert_int_eq(qopen("/pps/none", O_RDONLY, 0), -ENOENT);
}
END_TEST

/* Delta mode: the whole object first, then only the changes, in the
 * writes' groups, with deletions ("-attr"), truncation ("#@") and the
 * object's removal ("-@"). */
START_TEST(test_delta)
{
	char buf[512];
	int coid;

	pps_start(NULL, NULL);
	ck_assert_int_eq(publish("/pps/car", "speed:n:10\ngear::2\n"), 0);
	coid = qopen("/pps/car?delta", O_RDONLY, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_gt(qread(coid, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "@car\nspeed:n:10\ngear::2\n");
	ck_assert_int_eq(qread(coid, buf, sizeof(buf)), 0);
	ck_assert_int_eq(publish("/pps/car", "speed:n:20\n-gear\n"), 0);
	ck_assert_int_gt(qread(coid, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "@car\nspeed:n:20\n-gear\n");
	/* Deleting what is not there changes nothing. */
	ck_assert_int_eq(publish("/pps/car", "-gear\n"), 0);
	ck_assert_int_eq(qread(coid, buf, sizeof(buf)), 0);
	/* Two writes: two groups, together when they fit, one at a time
	 * when only one does. */
	ck_assert_int_eq(publish("/pps/car", "a::1\n"), 0);
	ck_assert_int_eq(publish("/pps/car", "b::2\n"), 0);
	ck_assert_int_gt(qread(coid, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "@car\na::1\n@car\nb::2\n");
	ck_assert_int_eq(publish("/pps/car", "c::3\n"), 0);
	ck_assert_int_eq(publish("/pps/car", "d::4\n"), 0);
	ck_assert_int_eq(qread(coid, buf, 12), 10);
	ck_assert_str_eq(buf, "@car\nc::3\n");
	ck_assert_int_eq(qread(coid, buf, 6), -EMSGSIZE);
	ck_assert_int_gt(qread(coid, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "@car\nd::4\n");
	/* Truncation by a publisher's O_TRUNC. */
	{
		int w = qopen("/pps/car", O_WRONLY | O_TRUNC, 0);

		ck_assert_int_ge(w, 0);
		ck_assert_int_eq(qwrite(w, "e::5\n"), 0);
		(void) axon__io_close(w);
	}
	ck_assert_int_gt(qread(coid, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "#@car\n@car\ne::5\n");
	read_object("/pps/car", buf, sizeof(buf));
	ck_assert_str_eq(buf, "@car\ne::5\n");
	/* Removal: "-@car" once, then EOF; the name is free again. */
	ck_assert_int_eq(qunlink("/pps/car"), 0);
	ck_assert_int_gt(qread(coid, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "-@car\n");
	ck_assert_int_eq(qread(coid, buf, sizeof(buf)), 0);
	ck_assert_int_eq(qopen("/pps/car", O_RDONLY, 0), -ENOENT);
	(void) axon__io_close(coid);
	/* Options QNX has and this does not, and what QNX does not have. */
	ck_assert_int_eq(qopen("/pps/x?notify=3:a", O_RDONLY | O_CREAT, 0644),
	    -ENOTSUP);
	ck_assert_int_eq(qopen("/pps/x?bogus", O_RDONLY | O_CREAT, 0644),
	    -EINVAL);
	ck_assert_int_eq(qopen("/pps/x", O_RDONLY, 0), -ENOENT);
}
END_TEST

static void
waiter(int rep, void *arg)
{
	char buf[256];
	int coid = qopen("/pps/door?wait,delta", O_RDONLY, 0);
	ssize_t n;

	(void) arg;
	if (coid < 0 || qread(coid, buf, sizeof(buf)) <= 0) {
		axt_report(rep, -1);
		_exit(1);
	}
	axt_report(rep, 0); /* now in the waiting read */
	n = qread(coid, buf, sizeof(buf));
	axt_report(rep, n > 0 && strcmp(buf, "@door\nopen:b:true\n") == 0 ?
	    1 : (int) n - 1000);
	_exit(0);
}

/* A ?wait read with nothing new blocks until a publish, which wakes it
 * with the change. */
START_TEST(test_wait)
{
	struct axt_child w;
	struct pollfd pf;
	int pp[2], v = -9;

	pps_start(NULL, NULL);
	ck_assert_int_eq(publish("/pps/door", "open:b:false\n"), 0);
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	w.pid = fork();
	ck_assert_int_ge(w.pid, 0);
	if (w.pid == 0) {
		(void) close(pp[0]);
		waiter(pp[1], NULL);
	}
	(void) close(pp[1]);
	ck_assert_int_eq(read(pp[0], &v, sizeof(v)), sizeof(v));
	ck_assert_int_eq(v, 0);
	pf = (struct pollfd){.fd = pp[0], .events = POLLIN};
	ck_assert_int_eq(poll(&pf, 1, 300), 0); /* still waiting */
	ck_assert_int_eq(publish("/pps/door", "open:b:true\n"), 0);
	ck_assert_int_eq(poll(&pf, 1, 5000), 1);
	ck_assert_int_eq(read(pp[0], &v, sizeof(v)), sizeof(v));
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(axt_child_wait(&w, 5), 0);
	(void) close(pp[0]);
}
END_TEST

static void
on_usr2(int sig)
{
	(void) sig;
}

/* A ?wait reader (QNX-style, or through the mount when arg is the
 * path there) that a signal interrupts: EINTR, through the manager's
 * io_unblock. */
static void
intr_reader(int rep, void *arg)
{
	struct sigaction sa = {.sa_handler = on_usr2}; /* no SA_RESTART */
	char buf[256];
	ssize_t n;

	(void) sigaction(SIGUSR2, &sa, NULL);
	if (arg != NULL) {
		int fd = open(arg, O_RDONLY);

		if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0) {
			axt_report(rep, -1);
			_exit(1);
		}
		axt_report(rep, 0);
		n = read(fd, buf, sizeof(buf));
		axt_report(rep, n < 0 ? -errno : (int) n);
	} else {
		int coid = qopen("/pps/door?wait", O_RDONLY, 0);

		if (coid < 0 || qread(coid, buf, sizeof(buf)) <= 0) {
			axt_report(rep, -1);
			_exit(1);
		}
		axt_report(rep, 0);
		axt_report(rep, (int) qread(coid, buf, sizeof(buf)));
	}
	_exit(0);
}

static void
check_interrupt(const char *fspath)
{
	struct axt_child w;
	struct pollfd pf;
	int pp[2], v = -9;

	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	w.pid = fork();
	ck_assert_int_ge(w.pid, 0);
	if (w.pid == 0) {
		(void) close(pp[0]);
		intr_reader(pp[1], (void *) fspath);
	}
	(void) close(pp[1]);
	ck_assert_int_eq(read(pp[0], &v, sizeof(v)), sizeof(v));
	ck_assert_int_eq(v, 0);
	pf = (struct pollfd){.fd = pp[0], .events = POLLIN};
	ck_assert_int_eq(poll(&pf, 1, 300), 0); /* waiting */
	ck_assert_int_eq(kill(w.pid, SIGUSR2), 0);
	ck_assert_int_eq(poll(&pf, 1, 5000), 1);
	ck_assert_int_eq(read(pp[0], &v, sizeof(v)), sizeof(v));
	ck_assert_int_eq(v, -EINTR);
	ck_assert_int_eq(axt_child_wait(&w, 5), 0);
	(void) close(pp[0]);
}

/* A signal gets a ?wait reader out (EINTR), QNX-style and through the
 * mount; the manager goes on serving. */
START_TEST(test_wait_interrupted)
{
	char p[PATH_MAX + 32], buf[128];

	pps_start(NULL, NULL);
	ck_assert_int_eq(publish("/pps/door", "open:b:false\n"), 0);
	check_interrupt(NULL);
	read_object("/pps/door", buf, sizeof(buf));
	ck_assert_str_eq(buf, "@door\nopen:b:false\n");
	SKIP_UNLESS_FS();
	snprintf(p, sizeof(p), "%s/pps/door?wait", mnt);
	check_interrupt(p);
	read_object("/pps/door", buf, sizeof(buf));
	ck_assert_str_eq(buf, "@door\nopen:b:false\n");
}
END_TEST

/* Through the mount, as Linux files: echo, cat, ls, ?delta in the name,
 * and poll that wakes on a publish. */
START_TEST(test_fs_files)
{
	char out[1024], p[PATH_MAX + 64];
	struct pollfd pf;
	char buf[256];
	int fd;
	ssize_t n;

	pps_start(NULL, NULL);
	SKIP_UNLESS_FS();
	ck_assert_int_eq(sh(out, sizeof(out), 5,
	    "echo 'song::Blue' > %s/pps/media && cat %s/pps/media", mnt, mnt),
	    0);
	ck_assert_str_eq(out, "@media\nsong::Blue\n");
	ck_assert_int_eq(sh(out, sizeof(out), 5,
	    "echo 'vol:n:7' >> %s/pps/media && cat %s/pps/media", mnt, mnt),
	    0);
	ck_assert_str_eq(out, "@media\nsong::Blue\nvol:n:7\n");
	ck_assert_int_eq(qmkdir("/pps/sub", 0755), 0);
	ck_assert_int_eq(publish("/pps/sub/inner", "x::1\n"), 0);
	ck_assert_int_eq(sh(out, sizeof(out), 5, "ls %s/pps", mnt), 0);
	ck_assert_str_eq(out, "media\nsub\n");
	ck_assert_int_eq(sh(out, sizeof(out), 5, "cat %s/pps/sub/inner", mnt),
	    0);
	ck_assert_str_eq(out, "@inner\nx::1\n");
	ck_assert_int_eq(publish("/pps/sub/other", "y::2\n"), 0);
	ck_assert_int_eq(sh(out, sizeof(out), 5, "cat %s/pps/sub/.all", mnt),
	    0);
	ck_assert_str_eq(out, "@inner\nx::1\n@other\ny::2\n");
	/* A malformed write through the mount: EINVAL, nothing applied. */
	ck_assert_int_ne(sh(out, sizeof(out), 5,
	    "printf 'ok::1\\nnot a line\\n' >> %s/pps/media 2>/dev/null", mnt),
	    0);
	ck_assert_int_eq(sh(out, sizeof(out), 5, "cat %s/pps/media", mnt), 0);
	ck_assert_str_eq(out, "@media\nsong::Blue\nvol:n:7\n");
	/* poll on a delta open: nothing until a publish, then input. */
	snprintf(p, sizeof(p), "%s/pps/media?delta", mnt);
	fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	pf = (struct pollfd){.fd = fd, .events = POLLIN};
	ck_assert_int_eq(poll(&pf, 1, 0), 0);
	ck_assert_int_eq(publish("/pps/media", "vol:n:8\n"), 0);
	ck_assert_int_eq(poll(&pf, 1, 5000), 1);
	ck_assert(pf.revents & POLLIN);
	n = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "@media\nvol:n:8\n");
	(void) close(fd);
}
END_TEST

/* mkdir and unlink (QNX's connect messages): directories hold objects
 * and directories, a directory read lists them, a directory with
 * something in it stays. */
START_TEST(test_dirs)
{
	char buf[2048];
	int coid;
	ssize_t n;
	int names = 0;

	pps_start(NULL, NULL);
	ck_assert_int_eq(qmkdir("/pps/a", 0755), 0);
	ck_assert_int_eq(qmkdir("/pps/a", 0755), -EEXIST);
	ck_assert_int_eq(qmkdir("/pps/a/b", 0755), 0);
	ck_assert_int_eq(publish("/pps/a/obj", "k::v\n"), 0);
	ck_assert_int_eq(publish("/pps/nodir/obj", "k::v\n"), -ENOENT);
	ck_assert_int_eq(publish("/pps/a/obj/x", "k::v\n"), -ENOTDIR);
	ck_assert_int_eq(publish("/pps/a/.hidden", "k::v\n"), -EINVAL);
	ck_assert_int_eq(publish("/pps/a/.all", "k::v\n"), -EISDIR);
	coid = qopen("/pps/a", O_RDONLY, 0);
	ck_assert_int_ge(coid, 0);
	n = axon__io_read(coid, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	for (ssize_t off = 0; off < n;) {
		struct dirent *d = (struct dirent *) (buf + off);

		ck_assert(strcmp(d->d_name, "b") == 0 ||
		    strcmp(d->d_name, "obj") == 0);
		names++;
		off += d->d_reclen;
	}
	ck_assert_int_eq(names, 2);
	(void) axon__io_close(coid);
	ck_assert_int_eq(qunlink("/pps/a"), -ENOTEMPTY);
	ck_assert_int_eq(qunlink("/pps/a/obj"), 0);
	ck_assert_int_eq(qunlink("/pps/a/obj"), -ENOENT);
	ck_assert_int_eq(qunlink("/pps/a/b"), 0);
	ck_assert_int_eq(qunlink("/pps/a"), 0);
	ck_assert_int_eq(qopen("/pps/a", O_RDONLY, 0), -ENOENT);
}
END_TEST

/* Malformed writes: EINVAL, and nothing of them applies. */
START_TEST(test_malformed)
{
	static const char *const bad[] = {
		"noencoding\n", "1abc::x\n", "a b::x\n", "ok::1\nbad\n",
		"ok::1\n-9x\n", "[z]a::b\n", "[i]set::x,\n", "@other\na::1\n",
		"a:en/c:x\n", "-\n", ":x:y\n", "ok::1\n#@obj\n",
	};
	char before[512], after[512];
	int coid;

	pps_start(NULL, NULL);
	ck_assert_int_eq(publish("/pps/obj", "keep::this\n"), 0);
	read_object("/pps/obj", before, sizeof(before));
	coid = qopen("/pps/obj", O_WRONLY, 0);
	ck_assert_int_ge(coid, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(qwrite(coid, bad[i]) == -EINVAL, "%s", bad[i]);
	}
	ck_assert_int_eq(axon__io_write(coid, "a::x\0y\n", 7), -EINVAL);
	read_object("/pps/obj", after, sizeof(after));
	ck_assert_str_eq(after, before);
	/* Valid ones: the object's own name, qualifiers, colons in the
	 * value, an unterminated last line. */
	ck_assert_int_eq(qwrite(coid, "@obj\n[n]url::http://x:80\nlast:n:1"),
	    0);
	(void) axon__io_close(coid);
	read_object("/pps/obj", after, sizeof(after));
	ck_assert_str_eq(after,
	    "@obj\nkeep::this\n[n]url::http://x:80\nlast:n:1\n");
}
END_TEST

/* The documented limits: an object of 32 KiB at most (EFBIG), 1024
 * attributes (ENOSPC); what is beyond changes nothing. */
START_TEST(test_limits)
{
	char *big = malloc(40000);
	char buf[40000];
	int coid;

	ck_assert_ptr_nonnull(big);
	pps_start(NULL, NULL);
	coid = qopen("/pps/big", O_RDWR | O_CREAT, 0644);
	ck_assert_int_ge(coid, 0);
	/* "@big\n" + "v::" + value + "\n" = 32768 */
	strcpy(big, "v::");
	memset(big + 3, 'x', 32768 - 5 - 4);
	strcpy(big + 3 + 32768 - 5 - 4, "\n");
	ck_assert_int_eq(qwrite(coid, big), 0);
	ck_assert_int_eq(qread(coid, buf, sizeof(buf)), 32768);
	ck_assert_int_eq(qwrite(coid, "w::y\n"), -EFBIG);
	/* A delta open's queue past 64 KiB is dropped: the next read
	 * gives the whole object. */
	{
		int d = qopen("/pps/big?delta", O_RDONLY, 0);

		ck_assert_int_ge(d, 0);
		ck_assert_int_eq(qread(d, buf, sizeof(buf)), 32768);
		for (int i = 0; i < 3; i++) {
			big[3] = (char) ('a' + i);
			ck_assert_int_eq(qwrite(coid, big), 0);
		}
		ck_assert_int_eq(qread(d, buf, sizeof(buf)), 32768);
		ck_assert_int_eq(buf[8], 'c');
		ck_assert_int_eq(qread(d, buf, sizeof(buf)), 0);
		(void) axon__io_close(d);
	}
	ck_assert_int_eq(qwrite(coid, "-v\n"), 0);
	/* 1024 attributes, not 1025 */
	big[0] = '\0';
	for (int i = 0; i < 1024; i++) {
		sprintf(big + strlen(big), "a%d::\n", i);
	}
	ck_assert_int_eq(qwrite(coid, big), 0);
	ck_assert_int_eq(qwrite(coid, "one_more::\n"), -ENOSPC);
	ck_assert_int_eq(qwrite(coid, "a5::changed\n"), 0);
	(void) axon__io_close(coid);
	free(big);
}
END_TEST

/* -p DIR: objects and directories saved at each change and loaded at
 * the next start (a kill -9 between): their attributes, modes and
 * owners; not the [n] attributes, not the ?nopersist objects, not what
 * was removed; a file that is not a saved object is left alone. */
START_TEST(test_persist)
{
	char dir[PATH_MAX], p[PATH_MAX + 32], buf[512];
	struct stat st;
	int coid, fd;

	snprintf(dir, sizeof(dir), "%s/store", axt_rundir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(p, sizeof(p), "%s/garbage", dir);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "not pps\n", 8), 8);
	(void) close(fd);
	pps_start("-p", dir);
	ck_assert_int_eq(qmkdir("/pps/car", 0750), 0);
	coid = qopen("/pps/car/state", O_WRONLY | O_CREAT, 0640);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(qwrite(coid, "speed:n:10\n[n]tmp::x\nname::a b:c\n"),
	    0);
	ck_assert_int_eq(qwrite(coid, "speed:n:20\n"), 0);
	(void) axon__io_close(coid);
	ck_assert_int_eq(publish("/pps/gone", "a::1\n"), 0);
	ck_assert_int_eq(qunlink("/pps/gone"), 0);
	coid = qopen("/pps/scratch?nopersist", O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(qwrite(coid, "a::1\n"), 0);
	(void) axon__io_close(coid);
	ck_assert_int_eq(publish("/pps/we?ird", "a::1\n"), -EINVAL);
	pps_stop();
	pps_start("-p", dir);
	read_object("/pps/car/state", buf, sizeof(buf));
	ck_assert_str_eq(buf, "@state\nspeed:n:20\nname::a b:c\n");
	coid = qopen("/pps/car/state", O_RDONLY, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(axon__io_stat(coid, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	ck_assert_int_eq(st.st_uid, 0);
	(void) axon__io_close(coid);
	coid = qopen("/pps/car", O_RDONLY, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(axon__io_stat(coid, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0750);
	(void) axon__io_close(coid);
	ck_assert_int_eq(qopen("/pps/gone", O_RDONLY, 0), -ENOENT);
	ck_assert_int_eq(qopen("/pps/scratch", O_RDONLY, 0), -ENOENT);
	/* The file that was not ours is still there, untouched. */
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 8);
}
END_TEST

/* A directory's .all: in full mode every object in it; in delta mode
 * every object's changes, and "+@"/"-@" for what is made and removed
 * in it; poll-able like an object. */
START_TEST(test_all)
{
	char buf[512];
	int full, delta;

	pps_start(NULL, NULL);
	ck_assert_int_eq(qmkdir("/pps/m", 0755), 0);
	delta = qopen("/pps/m/.all?delta", O_RDONLY, 0);
	ck_assert_int_ge(delta, 0);
	ck_assert_int_eq(qread(delta, buf, sizeof(buf)), 0);
	ck_assert_int_eq(publish("/pps/m/a", "x::1\n"), 0);
	ck_assert_int_eq(publish("/pps/m/b", "y::2\n"), 0);
	ck_assert_int_gt(qread(delta, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "+@a\n@a\nx::1\n+@b\n@b\ny::2\n");
	ck_assert_int_eq(qmkdir("/pps/m/sub", 0755), 0);
	ck_assert_int_eq(publish("/pps/m/sub/deep", "z::3\n"), 0);
	ck_assert_int_eq(qunlink("/pps/m/a"), 0);
	ck_assert_int_gt(qread(delta, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "+@sub\n-@a\n");
	full = qopen("/pps/m/.all", O_RDONLY, 0);
	ck_assert_int_ge(full, 0);
	ck_assert_int_gt(qread(full, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "@b\ny::2\n");
	ck_assert_int_eq(qread(full, buf, sizeof(buf)), 0);
	ck_assert_int_eq(publish("/pps/m/b", "y::3\n"), 0);
	ck_assert_int_gt(qread(full, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "@b\ny::3\n");
	ck_assert_int_gt(qread(delta, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "@b\ny::3\n");
	/* Not for writing; not made by O_CREAT. */
	ck_assert_int_eq(qopen("/pps/m/.all", O_WRONLY, 0), -EISDIR);
	(void) axon__io_close(full);
	(void) axon__io_close(delta);
}
END_TEST

/* ---- Attacks ---------------------------------------------------------- */

/* The attacker (a child): may read root's 0644 object but not write,
 * remove or truncate it, nor make anything in root's 0755 directory;
 * through the mount the same. */
static void
attacker(int rep, void *arg)
{
	char p[PATH_MAX + 32];
	int coid, fd;
	char buf[256];

	(void) arg;
	axa_become();
	axt_report(rep, qopen("/pps/secret", O_WRONLY, 0));
	axt_report(rep, qopen("/pps/secret", O_WRONLY | O_TRUNC, 0));
	axt_report(rep, qunlink("/pps/secret"));
	axt_report(rep, qopen("/pps/mine", O_WRONLY | O_CREAT, 0644));
	axt_report(rep, qmkdir("/pps/mydir", 0755));
	coid = qopen("/pps/secret", O_RDONLY, 0);
	axt_report(rep, coid >= 0 && qread(coid, buf, sizeof(buf)) > 0 &&
	    strcmp(buf, "@secret\nk::v\n") == 0 ? 0 : -1);
	axt_report(rep, qopen("/pps/private", O_RDONLY, 0));
	if (arg != NULL) {
		snprintf(p, sizeof(p), "%s/pps/secret", (char *) arg);
		fd = open(p, O_WRONLY);
		axt_report(rep, fd < 0 ? -errno : 0);
	} else {
		axt_report(rep, -EACCES);
	}
	_exit(0);
}

START_TEST(test_attack)
{
	struct axt_child a;
	char buf[256];
	int pp[2], r[8];

	if (!axa_user("test_attack")) {
		return;
	}
	pps_start(NULL, NULL);
	ck_assert_int_eq(publish("/pps/secret", "k::v\n"), 0);
	{
		int c = qopen("/pps/private", O_WRONLY | O_CREAT, 0600);

		ck_assert_int_ge(c, 0);
		(void) axon__io_close(c);
	}
	(void) with_fs();
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	a.pid = fork();
	ck_assert_int_ge(a.pid, 0);
	if (a.pid == 0) {
		(void) close(pp[0]);
		attacker(pp[1], fs_pid > 0 ? mnt : NULL);
	}
	(void) close(pp[1]);
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(read(pp[0], &r[i], sizeof(int)), sizeof(int));
	}
	(void) close(pp[0]);
	ck_assert_int_eq(axt_child_wait(&a, 10), 0);
	ck_assert_int_eq(r[0], -EACCES);
	ck_assert_int_eq(r[1], -EACCES);
	ck_assert_int_eq(r[2], -EACCES);
	ck_assert_int_eq(r[3], -EACCES);
	ck_assert_int_eq(r[4], -EACCES);
	ck_assert_int_eq(r[5], 0);
	ck_assert_int_eq(r[6], -EACCES);
	ck_assert_int_eq(r[7], -EACCES);
	read_object("/pps/secret", buf, sizeof(buf));
	ck_assert_str_eq(buf, "@secret\nk::v\n");
}
END_TEST

/* The attacker fills its budget in a world-writable root (-M 1777):
 * nodes (EDQUOT at 1024), bytes (EDQUOT at 1 MiB), opens (EMFILE at
 * 256); root still works, and the attacker's objects are its own (a
 * sticky root: it cannot remove root's). */
static void
filler(int rep, void *arg)
{
	char path[64], *val = malloc(32000);
	int made = 0, rc = 0, coids[300], n = 0;

	(void) arg;
	axa_become();
	for (int i = 0; i < 1100 && rc == 0; i++) {
		snprintf(path, sizeof(path), "/pps/f%d", i);
		int c = qopen(path, O_WRONLY | O_CREAT, 0644);

		if (c < 0) {
			rc = c;
			break;
		}
		made++;
		(void) axon__io_close(c);
	}
	axt_report(rep, made);
	axt_report(rep, rc);
	/* bytes: 30 objects of ~32 KiB each go past 1 MiB */
	for (int i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "/pps/f%d", i);
		strcpy(val, "v::");
		memset(val + 3, 'y', 31000);
		strcpy(val + 3 + 31000, "\n");
		rc = publish(path, val);
		if (rc != 0) {
			break;
		}
	}
	axt_report(rep, rc);
	for (n = 0; n < 300; n++) {
		coids[n] = qopen("/pps/f0", O_RDONLY, 0);
		if (coids[n] < 0) {
			break;
		}
	}
	axt_report(rep, n);
	axt_report(rep, n < 300 ? coids[n] : 0);
	axt_report(rep, qunlink("/pps/rootobj"));
	_exit(0);
}

START_TEST(test_user_budget)
{
	struct axt_child a;
	int pp[2], r[6];

	if (!axa_user("test_user_budget")) {
		return;
	}
	pps_start("-M", "1777");
	ck_assert_int_eq(publish("/pps/rootobj", "k::v\n"), 0);
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	a.pid = fork();
	ck_assert_int_ge(a.pid, 0);
	if (a.pid == 0) {
		(void) close(pp[0]);
		filler(pp[1], NULL);
	}
	(void) close(pp[1]);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(read(pp[0], &r[i], sizeof(int)), sizeof(int));
	}
	(void) close(pp[0]);
	ck_assert_int_eq(axt_child_wait(&a, 30), 0);
	ck_assert_int_eq(r[0], 1024);
	ck_assert_int_eq(r[1], -EDQUOT);
	ck_assert_int_eq(r[2], -EDQUOT);
	ck_assert_int_eq(r[3], 256);
	ck_assert_int_eq(r[4], -EMFILE);
	ck_assert_int_eq(r[5], -EPERM);
	/* Root is not held by the attacker's budget. */
	ck_assert_int_eq(publish("/pps/rootobj2", "k::v\n"), 0);
}
END_TEST

static Suite *
ppsd_suite(void)
{
	Suite *s = suite_create("ppsd");
	TCase *t = tcase_create("ppsd");
	const char *m = getenv("AXON_TEST_TIMEOUT_MULTIPLIER");
	double mul = m != NULL && atof(m) > 1.0 ? atof(m) : 1.0;

	tcase_set_timeout(t, 60 * mul);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_publish_subscribe);
	tcase_add_test(t, test_delta);
	tcase_add_test(t, test_wait);
	tcase_add_test(t, test_wait_interrupted);
	tcase_add_test(t, test_fs_files);
	tcase_add_test(t, test_dirs);
	tcase_add_test(t, test_malformed);
	tcase_add_test(t, test_limits);
	tcase_add_test(t, test_persist);
	tcase_add_test(t, test_all);
	tcase_add_test(t, test_attack);
	tcase_add_test(t, test_user_budget);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(ppsd_suite());
}
