/* SPDX-License-Identifier: MIT */
/*
 * axon-fs, the FUSE bridge: a real mount of a test node's namespace,
 * real manager processes (resmgr_managers.h, pool_manager.h) and real
 * Linux tools (cat, echo, ls, stat, dd, Python) on the mounted paths;
 * concurrency, permissions as an unprivileged user, a manager killed
 * mid-read, a hung manager, interrupts, and the mount's lifetime.
 *
 * Needs root and /dev/fuse (and the axon-fs binary, $AXON_FS); says
 * "skipped:" otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/select.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/procfs.h>

#include "resmgr_managers.h"
#include <sys/iomgr.h>
#include "fs_test.h"

#include "fsdevctl.h"
#include "iodirect.h"

#include "pool_manager.h"

static char mnt[PATH_MAX];
static pid_t fs_pid = -1;

/* Whether this machine can run the test (prints why not). */
static bool
fs_usable(const char *test)
{
	return fs_usable_for(test, "FUSE mounts for other users");
}

static bool
mounted(void)
{
	return fs_mounted_at(mnt);
}

/* Whether the mount point is in the mount table (a stale mount too). */
static bool
in_mountinfo(void)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	ck_assert_ptr_nonnull(f);
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *p = line;

		/* The fifth field is the mount point. */
		for (int i = 0; i < 4 && p != NULL; i++) {
			p = strchr(p, ' ');
			p = p != NULL ? p + 1 : NULL;
		}
		found = p != NULL && strncmp(p, mnt, strlen(mnt)) == 0 &&
		    p[strlen(mnt)] == ' ';
	}
	(void) fclose(f);
	return found;
}

/* Starts axon-fs on the test's node and waits (bounded) for the mount. */
static void
fs_start(void)
{
	double end;

	fs_pid = fork();
	ck_assert_int_ge(fs_pid, 0);
	if (fs_pid == 0) {
		/* It goes (and unmounts) if the test process dies. */
		(void) prctl(PR_SET_PDEATHSIG, SIGTERM);
		/* Only the node's own namespace: /net is test_netfs's (and
		 * its second mount's watcher would be another fusermount3
		 * child for test_mount_lifetime to find). */
		execl(fs_bin(), "axon-fs", "--net-dir", "none", (char *) NULL);
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

/* How the last axon-fs fs_stop() stopped ended (waitpid's status). */
static int fs_last_status = -1;

/* Stops axon-fs (SIGTERM, then SIGKILL); returns whether it unmounted
 * by itself.  Whatever happened, nothing stays mounted. */
static bool
fs_stop(void)
{
	bool clean = true;

	if (fs_pid > 0) {
		double end = axt_now() + 5.0;
		int st = -1;

		(void) kill(fs_pid, SIGTERM);
		while (waitpid(fs_pid, &st, WNOHANG) == 0 &&
		    axt_now() < end) {
			axt_sleep_ms(5);
		}
		if (axt_now() >= end) {
			(void) kill(fs_pid, SIGKILL);
			(void) waitpid(fs_pid, &st, 0);
			clean = false;
		}
		fs_last_status = st;
		fs_pid = -1;
	}
	for (int i = 0; i < 100 && mounted(); i++) {
		axt_sleep_ms(10);
	}
	if (mounted() || in_mountinfo()) {
		clean = false;
		(void) umount2(mnt, MNT_DETACH);
	}
	return clean;
}

static pid_t fs_owner; /* the test's process (children exit too) */
static bool fs_ok;

static void
fs_atexit(void)
{
	/* A failed assertion exits the test's process: the mount goes
	 * before the run directory is removed. */
	if (fs_ok && getpid() == fs_owner) {
		(void) fs_stop();
	}
}

static void
fs_setup(void)
{
	axt_setup();
	fs_ok = fs_usable("test_fs");
	snprintf(mnt, sizeof(mnt), "%s/fs", axt_rundir);
	if (!fs_ok) {
		return;
	}
	/* The attacker's helper must reach the node, as on a shared one. */
	axa_share_rundir(axt_rundir);
	fs_owner = getpid();
	(void) atexit(fs_atexit);
	fs_start();
}

static void
fs_teardown(void)
{
	if (fs_ok) {
		(void) fs_stop();
	}
	axt_teardown();
}


#define SKIP_UNLESS_FS()                                                    \
	do {                                                                \
		if (!fs_ok) {                                               \
			return;                                             \
		}                                                           \
	} while (0)

/* ------------------------------------------------------------------ */

START_TEST(test_cat)
{
	struct axt_child m;
	char out[256];

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/hello", "Hello, world\n", "0444");
	ck_assert_int_eq(sh(out, sizeof(out), 5, "cat %s/dev/axtest/hello",
	    mnt), 0);
	ck_assert_str_eq(out, "Hello, world\n");
	/* The directories above it are made up from the namespace. */
	ck_assert_int_eq(sh(out, sizeof(out), 5, "ls %s/dev", mnt), 0);
	ck_assert_str_eq(out, "axtest\n");
	ck_assert_int_eq(sh(out, sizeof(out), 5, "ls %s/dev/axtest", mnt), 0);
	ck_assert_str_eq(out, "hello\n");
	/* A path nobody attached is not there. */
	ck_assert_int_ne(sh(out, sizeof(out), 5, "cat %s/dev/axtest/nope "
	    "2>/dev/null", mnt), 0);
	axt_child_kill(&m);
}
END_TEST

/*
 * openfd() of a descriptor of the mount (openfd(3)): the reopen through
 * /proc/self/fd is an open of the path through the bridge, a new OCB of
 * the manager's (its count goes up, and down at the close), with its
 * own offset and access.
 */
START_TEST(test_openfd_mount)
{
	struct axt_child m;
	char path[PATH_MAX], buf[16] = {0};
	struct _fdinfo info;
	int fd, nfd, coid;

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/ofd", "Hello, world\n", "0666");
	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/dev/axtest/ofd",
	    mnt), (int) sizeof(path));
	coid = axon__io_open("/dev/axtest/ofd", O_RDONLY, 0);
	ck_assert_int_ge(coid, 0);
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, 5), 5);
	ck_assert_int_ge(iofdinfo(coid, 0, &info, NULL, 0), 1);
	ck_assert_uint_eq(info.count, 2);
	nfd = openfd(fd, O_RDONLY);
	ck_assert_int_ge(nfd, 0);
	ck_assert_int_ge(iofdinfo(coid, 0, &info, NULL, 0), 1);
	ck_assert_uint_eq(info.count, 3);
	ck_assert_uint_eq(info.wcount, 1);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(read(nfd, buf, 5), 5);
	ck_assert_str_eq(buf, "Hello");
	ck_assert_int_eq(write(nfd, "x", 1), -1);
	/* The path as the manager knows it (its answer, on the
	 * descriptor's direct connection: test_fdinfo_fd). */
	ck_assert_int_eq(iofdinfo(nfd, 0, NULL, buf, sizeof(buf)),
	    (int) sizeof("/dev/axtest/ofd"));
	ck_assert_str_eq(buf, "/dev/axtest/ofd");
	ck_assert_int_eq(close(nfd), 0);
	ck_assert_int_eq(read(fd, buf, 2), 2); /* the first goes on */
	ck_assert_int_eq(memcmp(buf, ", ", 2), 0);
	ck_assert_int_eq(close(fd), 0);
	/* Both released (FUSE releases asynchronously). */
	for (int i = 0; i < 500; i++) {
		ck_assert_int_ge(iofdinfo(coid, 0, &info, NULL, 0), 1);
		if (info.count == 1) {
			break;
		}
		axt_sleep_ms(10);
	}
	ck_assert_uint_eq(info.count, 1);
	ck_assert_int_eq(axon__io_close(coid), 0);
	axt_child_kill(&m);
}
END_TEST

/*
 * A file opened O_APPEND: iofunc_ocb_attach() starts the manager's OCB
 * at the end (QNX), while Linux reads it from offset 0.  The bridge took
 * the OCB's offset for 0 at every open, so a read at 0 sent no
 * _IO_LSEEK and got the end of the file (nothing).
 */
START_TEST(test_append_open_reads_from_start)
{
	struct axt_child m;
	char path[PATH_MAX + 32], buf[16] = {0};
	int fd;

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/app", "abcdef", "0666");
	snprintf(path, sizeof(path), "%s/dev/axtest/app", mnt);
	fd = open(path, O_RDWR | O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, 3), 3);
	ck_assert_str_eq(buf, "abc");
	ck_assert_int_eq(read(fd, buf, sizeof(buf) - 1), 3);
	ck_assert_int_eq(memcmp(buf, "def", 3), 0);
	ck_assert_int_eq(pread(fd, buf, 2, 1), 2);
	ck_assert_int_eq(memcmp(buf, "bc", 2), 0);
	ck_assert_int_eq(close(fd), 0);
	axt_child_kill(&m);
}
END_TEST

/*
 * devctl() of a QNX program on a descriptor that open() gave for a path
 * of the mount: the manager's io_devctl gets the exact command and data
 * and the program gets the data back and dev_info, for each direction;
 * the manager's errors come back as they are; descriptors elsewhere are
 * ENOTTY (and get no ioctl), closed ones EBADF; and malformed commands
 * sent straight to the mount are refused while the bridge serves on.
 */
START_TEST(test_devctl_fd)
{
	struct axt_child m;
	union my_devctl u;
	char path[PATH_MAX + 32];
	unsigned char raw[64];
	int fd, other, info = -1, v;

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/ctl", "", "0666");
	snprintf(path, sizeof(path), "%s/dev/axtest/ctl", mnt);
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	v = 1234;
	ck_assert_int_eq(devctl(fd, MY_DEVCTL_SETVAL, &v, sizeof(v), &info),
	    EOK);
	ck_assert_int_eq(info, 42);
	v = 0;
	info = -1;
	ck_assert_int_eq(devctl(fd, MY_DEVCTL_GETVAL, &v, sizeof(v), &info),
	    EOK);
	ck_assert_int_eq(v, 1234);
	ck_assert_int_eq(info, 42);
	u.in = 77;
	ck_assert_int_eq(devctl(fd, MY_DEVCTL_SETGET, &u, sizeof(u), NULL),
	    EOK);
	ck_assert_int_eq(u.out, 1234);
	ck_assert_int_eq(devctl(fd, MY_DEVCTL_RESET, NULL, 0, NULL), EOK);
	ck_assert_int_eq(devctl(fd, MY_DEVCTL_GETVAL, &v, sizeof(v), NULL),
	    EOK);
	ck_assert_int_eq(v, 0);
	/* A command the manager does not know: its error, as is. */
	ck_assert_int_eq(devctl(fd, __DION(_DCMD_MISC, 99), NULL, 0, NULL),
	    ENOSYS);
	/* More than one ioctl can carry. */
	{
		size_t big = AXON_FSDC_MAX + 1;
		char *b = calloc(1, big);

		ck_assert_ptr_nonnull(b);
		ck_assert_int_eq(devctl(fd, MY_DEVCTL_SETVAL, b, big, NULL),
		    E2BIG);
		free(b);
	}
	/* Not the bridge's: no ioctl is made on it. */
	other = open("/dev/null", O_RDWR);
	ck_assert_int_ge(other, 0);
	ck_assert_int_eq(devctl(other, MY_DEVCTL_GETVAL, &v, sizeof(v), NULL),
	    ENOTTY);
	(void) close(other);
	ck_assert_int_eq(devctl(other, MY_DEVCTL_GETVAL, &v, sizeof(v), NULL),
	    EBADF);
	/* Hostile ioctls straight to the mount: refused, nothing served. */
	memset(raw, 0, sizeof(raw));
	ck_assert_int_eq(ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, 'T', 1, 16),
			     raw), -1);
	ck_assert_int_eq(errno, ENOTTY);
	ck_assert_int_eq(ioctl(fd, AXON_FSDC_CMD(4), raw), -1);
	ck_assert_int_eq(errno, EINVAL); /* no room for the header */
	{
		struct axon_fsdc h = {.magic = AXON_FSDC_MAGIC,
			.dcmd = MY_DEVCTL_SETVAL, .nbytes = 1000};

		memcpy(raw, &h, sizeof(h)); /* claims more than it carries */
		ck_assert_int_eq(ioctl(fd, AXON_FSDC_CMD(sizeof(raw)), raw),
		    -1);
		ck_assert_int_eq(errno, EINVAL);
		h.magic = 0;
		h.nbytes = 4;
		memcpy(raw, &h, sizeof(h));
		ck_assert_int_eq(ioctl(fd, AXON_FSDC_CMD(sizeof(raw)), raw),
		    -1);
		ck_assert_int_eq(errno, EINVAL);
	}
	/* The bridge and the manager still serve. */
	v = 5;
	ck_assert_int_eq(devctl(fd, MY_DEVCTL_SETVAL, &v, sizeof(v), NULL),
	    EOK);
	ck_assert_int_eq(devctl(fd, MY_DEVCTL_GETVAL, &v, sizeof(v), NULL),
	    EOK);
	ck_assert_int_eq(v, 5);
	/* The manager dies: the device is gone. */
	axt_child_kill(&m);
	ck_assert_int_eq(devctl(fd, MY_DEVCTL_GETVAL, &v, sizeof(v), NULL),
	    EIO);
	(void) close(fd);
}
END_TEST

START_TEST(test_echo_then_cat)
{
	struct axt_child m;
	char out[256];

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/store", "", "0666");
	ck_assert_int_eq(sh(out, sizeof(out), 5,
	    "echo stored > %s/dev/axtest/store", mnt), 0);
	ck_assert_int_eq(sh(out, sizeof(out), 5, "cat %s/dev/axtest/store",
	    mnt), 0);
	ck_assert_str_eq(out, "stored\n");
	/* Again: the manager keeps the last write (O_TRUNC reaches it in
	 * the open, not as a truncate). */
	ck_assert_int_eq(sh(out, sizeof(out), 5,
	    "printf 'second' > %s/dev/axtest/store && cat %s/dev/axtest/store",
	    mnt, mnt), 0);
	ck_assert_str_eq(out, "second");
	axt_child_kill(&m);
}
END_TEST

/* truncate, ftruncate, fallocate and fsync through the mount become
 * _IO_SPACE and _IO_SYNC: Linux tools on a manager with io_space and
 * iofunc_func_init()'s sync default; one without io_space says so. */
START_TEST(test_truncate_fsync)
{
	struct axt_child m, ro, d;
	char out[256];

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/store", "0123456789", "0666");
	ro = start_device("/dev/axtest/ro", "keep me", "0644");
	d = axt_spawn(mgr_dir, NULL);
	ck_assert_int_ge(d.val, 0);
	/* truncate(2) of a path, shrinking then growing (zero-filled). */
	ck_assert_int_eq(sh(out, sizeof(out), 5,
	    "truncate -s 4 %s/dev/axtest/store && cat %s/dev/axtest/store",
	    mnt, mnt), 0);
	ck_assert_str_eq(out, "0123");
	ck_assert_int_eq(sh(out, sizeof(out), 5,
	    "truncate -s 6 %s/dev/axtest/store && stat -c %%s "
	    "%s/dev/axtest/store && od -An -c %s/dev/axtest/store | "
	    "tr -d ' \n'", mnt, mnt, mnt), 0);
	ck_assert_str_eq(out, "6\n0123\\0\\0");
	/* ftruncate(2) and fsync(2)/fdatasync(2) on an open file. */
	ck_assert_int_eq(sh(out, sizeof(out), 5,
	    "python3 -c 'import os,sys; f=os.open(sys.argv[1], os.O_RDWR); "
	    "os.ftruncate(f, 2); os.fsync(f); os.fdatasync(f); "
	    "print(os.fstat(f).st_size); os.close(f)' %s/dev/axtest/store",
	    mnt), 0);
	ck_assert_str_eq(out, "2\n");
	ck_assert_int_eq(sh(out, sizeof(out), 5,
	    "sync %s/dev/axtest/store && cat %s/dev/axtest/store", mnt, mnt),
	    0);
	ck_assert_str_eq(out, "01");
	/* fallocate(2): the size grows to the range's end. */
	ck_assert_int_eq(sh(out, sizeof(out), 5,
	    "fallocate -l 9 %s/dev/axtest/store && stat -c %%s "
	    "%s/dev/axtest/store", mnt, mnt), 0);
	ck_assert_str_eq(out, "9\n");
	/* A manager without io_space: the error, nothing changed. */
	ck_assert_int_ne(sh(out, sizeof(out), 5,
	    "truncate -s 0 %s/axtest/dir/a 2>&1", mnt), 0);
	ck_assert_ptr_nonnull(strstr(out, "not implemented"));
	/* Another user may not truncate root's 0644 device (its open for
	 * writing is refused) but may sync it (opened for reading). */
	if (axa_user("test_truncate_fsync")) {
		ck_assert_int_ne(sh(out, sizeof(out), 5, "setpriv --reuid=%d "
		    "--regid=%d --clear-groups truncate -s 0 "
		    "%s/dev/axtest/ro 2>&1", (int) axa_uid, (int) axa_gid,
		    mnt), 0);
		ck_assert_ptr_nonnull(strstr(out, "Permission denied"));
		ck_assert_int_eq(sh(out, sizeof(out), 5, "setpriv --reuid=%d "
		    "--regid=%d --clear-groups sync %s/dev/axtest/ro",
		    (int) axa_uid, (int) axa_gid, mnt), 0);
	}
	ck_assert_int_eq(sh(out, sizeof(out), 5, "cat %s/dev/axtest/ro", mnt),
	    0);
	ck_assert_str_eq(out, "keep me");
	axt_child_kill(&d);
	axt_child_kill(&ro);
	axt_child_kill(&m);
}
END_TEST

/* A child that polls path for events (poll_child: input; up to 20 s)
 * and reports revents (or -errno) on rep. */
static void
poll_child_ev(int rep, const char *path, short events)
{
	struct pollfd pfd = {.events = events};
	int r;

	pfd.fd = open(path, O_RDONLY);
	if (pfd.fd < 0) {
		axt_report(rep, -errno);
		_exit(1);
	}
	r = poll(&pfd, 1, 20000);
	axt_report(rep, r < 0 ? -errno : r == 0 ? 0 : pfd.revents);
	_exit(0);
}

static void
poll_child(int rep, const char *path)
{
	poll_child_ev(rep, path, POLLIN);
}

static int
armed_now(int coid)
{
	int armed = -1;

	ck_assert_int_eq(devctl(coid, MY_DEVCTL_ARMED, &armed, sizeof(armed),
	    NULL), EOK);
	return armed;
}

/* poll(), select() and epoll on a path wait for the manager's data
 * (its io_notify), and managers without one stay always ready. */
START_TEST(test_poll)
{
	struct axt_child m, s;
	struct pollfd pfd;
	struct epoll_event ev = {.events = EPOLLIN}, got;
	char path[PATH_MAX + 64], spath[PATH_MAX + 64], buf[16];
	int p[2], coid, epfd, val = -1;
	pid_t pid;
	double t0;
	fd_set rs;
	struct timeval tv = {0, 0};

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/notify", "", "0666");
	snprintf(path, sizeof(path), "%s/dev/axtest/notify", mnt);
	coid = axon__io_open("/dev/axtest/notify", O_RDWR, 0);
	ck_assert_int_ge(coid, 0);

	/* Nothing to read yet: not readable, but writable. */
	pfd.fd = open(path, O_RDONLY);
	ck_assert_int_ge(pfd.fd, 0);
	pfd.events = POLLIN | POLLOUT;
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	ck_assert_int_eq(pfd.revents, POLLOUT);
	FD_ZERO(&rs);
	FD_SET(pfd.fd, &rs);
	ck_assert_int_eq(select(pfd.fd + 1, &rs, NULL, NULL, &tv), 0);

	/* A poll that waits, in another process, until the manager has
	 * data: it is armed at the manager, then a write wakes it. */
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		(void) close(p[0]);
		poll_child(p[1], path);
	}
	(void) close(p[1]);
	t0 = axt_now();
	while (armed_now(coid) != 1 && axt_now() - t0 < 10) {
		axt_sleep_ms(5);
	}
	ck_assert_int_eq(armed_now(coid), 1);
	ck_assert_int_eq(axon__io_write(coid, "hello", 5), 5);
	ck_assert_int_eq(read(p[0], &val, sizeof(val)), sizeof(val));
	ck_assert_int_eq(val & (POLLIN | POLLERR | POLLNVAL), POLLIN);
	ck_assert_int_eq(axt_waitpid(pid, 10), 0);
	(void) close(p[0]);
	/* Readable now, for poll, select and epoll alike. */
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	ck_assert_int_eq(pfd.revents, POLLIN);
	FD_ZERO(&rs);
	FD_SET(pfd.fd, &rs);
	ck_assert_int_eq(select(pfd.fd + 1, &rs, NULL, NULL, &tv), 1);
	ck_assert_int_eq(read(pfd.fd, buf, sizeof(buf)), 5);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0); /* all read */

	/* epoll: registered with nothing to read, woken by a write. */
	epfd = epoll_create1(EPOLL_CLOEXEC);
	ck_assert_int_ge(epfd, 0);
	ck_assert_int_eq(epoll_ctl(epfd, EPOLL_CTL_ADD, pfd.fd, &ev), 0);
	ck_assert_int_eq(epoll_wait(epfd, &got, 1, 0), 0);
	ck_assert_int_eq(armed_now(coid), 1);
	/* (The device keeps the last write: longer than what this open
	 * has read, so there is input at its offset.) */
	ck_assert_int_eq(axon__io_write(coid, "again, more", 11), 11);
	ck_assert_int_eq(epoll_wait(epfd, &got, 1, 10000), 1);
	ck_assert(got.events & EPOLLIN);
	(void) close(epfd);

	/* Armed, then closed: the close takes its entry away. */
	ck_assert_int_eq(read(pfd.fd, buf, sizeof(buf)), 6);
	ck_assert_int_eq(poll(&pfd, 1, 1), 0); /* arms, times out */
	ck_assert_int_eq(armed_now(coid), 1);
	ck_assert_int_eq(close(pfd.fd), 0);
	t0 = axt_now();
	while (armed_now(coid) != 0 && axt_now() - t0 < 10) {
		axt_sleep_ms(5);
	}
	ck_assert_int_eq(armed_now(coid), 0);
	ck_assert_int_eq(axon__io_write(coid, "x", 1), 1);
	ck_assert_int_eq(axon__io_close(coid), 0);

	/* A manager without io_notify: always ready, as before. */
	s = start_device("/dev/axtest/store", "", "0666");
	snprintf(spath, sizeof(spath), "%s/dev/axtest/store", mnt);
	pfd.fd = open(spath, O_RDONLY);
	ck_assert_int_ge(pfd.fd, 0);
	pfd.events = POLLIN | POLLOUT;
	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	ck_assert_int_eq(pfd.revents, POLLIN | POLLOUT);
	(void) close(pfd.fd);
	axt_child_kill(&s);
	axt_child_kill(&m);
}
END_TEST

/*
 * ionotify() on a descriptor of the mount (a QNX program's open() of a
 * manager's path, then ionotify(fd, ...) as QNX programs arm their
 * serial ports) goes on the descriptor's direct connection: the
 * manager's io_notify arms it for the program, and its trigger delivers
 * the program's pulse.  The armed connection is kept while other
 * descriptors' direct connections come and go (more than the table
 * holds), and goes with the descriptor's close.  Elsewhere: ENOTSUP (a
 * pipe, AXON_FS_DIRECT=0) and EBADF (no descriptor).
 */
static int dc_int(int fd, int dcmd);

static void
expect_notify_pulse(int chid, int value)
{
	ck_assert_int_eq(pulse_wait(chid, 5), value);
}

START_TEST(test_ionotify_fd)
{
	enum { N = 70 };
	struct axt_child m;
	struct sigevent ev;
	char path[PATH_MAX + 64], buf[16];
	int fd, coid, chid, self, p[2], more[N];

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/notify", "", "0666");
	snprintf(path, sizeof(path), "%s/dev/axtest/notify", mnt);
	coid = axon__io_open("/dev/axtest/notify", O_RDWR, 0);
	ck_assert_int_ge(coid, 0);
	chid = ChannelCreate(0);
	ck_assert_int_ge(chid, 0);
	self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(self, 0);
	SIGEV_PULSE_INIT(&ev, self, SIGEV_PULSE_PRIO_INHERIT, 5, 61);

	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	/* Nothing to read: armed (no condition met). */
	ck_assert_int_eq(ionotify(fd, _NOTIFY_ACTION_POLLARM,
	    _NOTIFY_COND_INPUT, &ev), 0);
	ck_assert_int_eq(armed_now(coid), 1);
	ck_assert_int_eq(axon__io_write(coid, "hello", 5), 5);
	expect_notify_pulse(chid, 61);
	/* Data there now: POLLARM answers at once and arms nothing. */
	ck_assert_int_eq(ionotify(fd, _NOTIFY_ACTION_POLLARM,
	    _NOTIFY_COND_INPUT, &ev), _NOTIFY_COND_INPUT);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 5);

	/* Armed again, then more direct connections than the table
	 * keeps: the armed one stays, and its pulse still comes. */
	SIGEV_PULSE_INIT(&ev, self, SIGEV_PULSE_PRIO_INHERIT, 5, 62);
	ck_assert_int_eq(ionotify(fd, _NOTIFY_ACTION_POLLARM,
	    _NOTIFY_COND_INPUT, &ev), 0);
	for (int i = 0; i < N; i++) {
		more[i] = open(path, O_RDONLY);
		ck_assert_int_ge(more[i], 0);
		ck_assert_int_eq(dc_int(more[i], MY_DEVCTL_ARMED), 1);
	}
	for (int i = 0; i < N; i++) {
		(void) close(more[i]);
	}
	ck_assert_int_eq(armed_now(coid), 1);
	ck_assert_int_eq(axon__io_write(coid, "again, more", 11), 11);
	expect_notify_pulse(chid, 62);

	/* Armed, then closed: the entry goes with the descriptor. */
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 6);
	ck_assert_int_eq(ionotify(fd, _NOTIFY_ACTION_POLLARM,
	    _NOTIFY_COND_INPUT, &ev), 0);
	ck_assert_int_eq(armed_now(coid), 1);
	ck_assert_int_eq(close(fd), 0);
	{
		double t0 = axt_now();

		while (armed_now(coid) != 0 && axt_now() - t0 < 10) {
			axt_sleep_ms(5);
		}
	}
	ck_assert_int_eq(armed_now(coid), 0);

	/* Not the mount's, no descriptor, direct calls off. */
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(ionotify(p[0], _NOTIFY_ACTION_POLLARM,
	    _NOTIFY_COND_INPUT, &ev), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	(void) close(p[0]);
	(void) close(p[1]);
	ck_assert_int_eq(ionotify(p[0], _NOTIFY_ACTION_POLLARM,
	    _NOTIFY_COND_INPUT, &ev), -1);
	ck_assert_int_eq(errno, EBADF);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(setenv("AXON_FS_DIRECT", "0", 1), 0);
	ck_assert_int_eq(ionotify(fd, _NOTIFY_ACTION_POLLARM,
	    _NOTIFY_COND_INPUT, &ev), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	ck_assert_int_eq(unsetenv("AXON_FS_DIRECT"), 0);
	(void) close(fd);

	ck_assert_int_eq(axon__io_close(coid), 0);
	ck_assert_int_eq(ConnectDetach(self), 0);
	ck_assert_int_eq(ChannelDestroy(chid), 0);
	axt_child_kill(&m);
}
END_TEST

/*
 * QNX 7's extended conditions through the mount: a manager that keeps
 * _NOTIFY_MAXCOND lists and reports PRI and HUP (/dev/axtest/notify7)
 * makes poll() see POLLPRI (a poller waiting in another process is
 * woken by the PRI list's trigger) and POLLHUP (which poll always
 * asks), and a QNX program's ionotify() on its descriptor (the direct
 * connection) arms extended conditions and gets their pulse.
 */
static int
raise7(int coid, int conds)
{
	return devctl(coid, MY_DEVCTL_RAISE, &conds, sizeof(conds), NULL);
}

START_TEST(test_poll_exten)
{
	struct axt_child m;
	struct pollfd pfd;
	struct sigevent ev;
	char path[PATH_MAX + 64];
	int p[2], coid, val = -1, chid, self;
	pid_t pid;
	double t0;

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/notify7", "", "0666");
	snprintf(path, sizeof(path), "%s/dev/axtest/notify7", mnt);
	coid = axon__io_open("/dev/axtest/notify7", O_RDWR, 0);
	ck_assert_int_ge(coid, 0);
	pfd.fd = open(path, O_RDONLY);
	ck_assert_int_ge(pfd.fd, 0);
	pfd.events = POLLIN | POLLPRI;
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);

	/* A poller of POLLPRI waits, armed in the PRI list (and the
	 * out-of-band one, which an older manager would report for it;
	 * and HUP's and ERR's: poll asks those always), until PRI holds. */
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		(void) close(p[0]);
		poll_child_ev(p[1], path, POLLPRI);
	}
	(void) close(p[1]);
	t0 = axt_now();
	while (!(dc_int(coid, MY_DEVCTL_ARMED7) & _NOTIFY_CONDE_PRI) &&
	    axt_now() - t0 < 10) {
		axt_sleep_ms(5);
	}
	ck_assert_int_eq(dc_int(coid, MY_DEVCTL_ARMED7), _NOTIFY_CONDE_PRI |
	    _NOTIFY_CONDE_RDBAND | _NOTIFY_CONDE_ERR | _NOTIFY_CONDE_HUP);
	ck_assert_int_eq(raise7(coid, _NOTIFY_CONDE_PRI), EOK);
	ck_assert_int_eq(read(p[0], &val, sizeof(val)), sizeof(val));
	ck_assert_int_eq(val, POLLPRI);
	ck_assert_int_eq(axt_waitpid(pid, 10), 0);
	(void) close(p[0]);
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	ck_assert_int_eq(pfd.revents, POLLPRI);

	/* Hung up: POLLHUP, asked or not. */
	ck_assert_int_eq(raise7(coid, 0), EOK);
	ck_assert_int_eq(raise7(coid, _NOTIFY_CONDE_HUP), EOK);
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	ck_assert_int_eq(pfd.revents, POLLHUP);

	/* ionotify() on the descriptor (its direct connection): HUP holds,
	 * answered at once; cleared, armed, then its pulse. */
	chid = ChannelCreate(0);
	ck_assert_int_ge(chid, 0);
	self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(self, 0);
	SIGEV_PULSE_INIT(&ev, self, SIGEV_PULSE_PRIO_INHERIT, 5, 63);
	ck_assert_int_eq(ionotify(pfd.fd, _NOTIFY_ACTION_POLLARM,
	    (int) (_NOTIFY_COND_EXTEN | _NOTIFY_CONDE_HUP), &ev),
	    _NOTIFY_CONDE_HUP);
	ck_assert_int_eq(raise7(coid, 0), EOK);
	ck_assert_int_eq(ionotify(pfd.fd, _NOTIFY_ACTION_POLLARM,
	    (int) (_NOTIFY_COND_EXTEN | _NOTIFY_CONDE_HUP), &ev), 0);
	ck_assert_int_eq(raise7(coid, _NOTIFY_CONDE_HUP), EOK);
	expect_notify_pulse(chid, 63);
	ck_assert_int_eq(close(pfd.fd), 0);
	ck_assert_int_eq(ConnectDetach(self), 0);
	ck_assert_int_eq(ChannelDestroy(chid), 0);
	ck_assert_int_eq(axon__io_close(coid), 0);
	axt_child_kill(&m);
}
END_TEST

/* The triggers /dev/axtest/notify-lie's timer has made. */
static int
lie_count(int coid)
{
	int n = -1;

	ck_assert_int_eq(devctl(coid, MY_DEVCTL_LIE_TICKS, &n, sizeof(n),
	    NULL), EOK);
	return n;
}

static void
lie_tick_ms(int coid, int ms)
{
	ck_assert_int_eq(devctl(coid, MY_DEVCTL_LIE_TICK, &ms, sizeof(ms),
	    NULL), EOK);
}

/* Starts /dev/axtest/notify-lie: its path in the mount, a connection
 * of the test's (*coid) and a descriptor of the mount polling input. */
static struct axt_child
lie_start(char *path, size_t cap, int *coid, struct pollfd *pfd)
{
	struct axt_child m = start_device("/dev/axtest/notify-lie", "",
	    "0666");

	snprintf(path, cap, "%s/dev/axtest/notify-lie", mnt);
	*coid = axon__io_open("/dev/axtest/notify-lie", O_RDWR, 0);
	ck_assert_int_ge(*coid, 0);
	pfd->fd = open(path, O_RDONLY);
	ck_assert_int_ge(pfd->fd, 0);
	pfd->events = POLLIN;
	return m;
}

/* select_attach() callbacks: counts them; the child reports at three. */
static int lie_calls, lie_rep = -1;

static int
lie_select_cb(select_context_t *ctp, int fd, unsigned flags, void *handle)
{
	if ((flags & SELECT_FLAG_READ) && ++lie_calls == 3) {
		axt_report(lie_rep, lie_calls);
	}
	return 0;
}

/* A child that select_attach()es path (read, rearm) and runs its
 * dispatch until the third callback (the parent bounds the wait). */
static void
select_attach_child(int rep, const char *path)
{
	dispatch_t *dpp = dispatch_create();
	dispatch_context_t *ctp;
	int fd = open(path, O_RDONLY);

	lie_rep = rep;
	if (dpp == NULL || fd < 0 || select_attach(dpp, NULL, fd,
	    SELECT_FLAG_READ | SELECT_FLAG_REARM, lie_select_cb, NULL) == -1) {
		axt_report(rep, -errno);
		_exit(1);
	}
	ctp = dispatch_context_alloc(dpp);
	for (;;) {
		if ((ctp = dispatch_block(ctp)) == NULL) {
			_exit(2);
		}
		(void) dispatch_handler(ctp);
	}
}

/*
 * A manager whose io_notify never says input holds (trig 0) and whose
 * timer triggers the input list every 250 ms, as a public QNX test
 * manager does: QNX's poll() and select() take the trigger's event for
 * readiness, so poll, select and epoll on the mount wake after each
 * trigger with POLLIN (once: the next poll asks the manager again, and
 * waits), and select_attach() on the descriptor calls back each time.
 */
START_TEST(test_poll_trigger_only)
{
	struct axt_child m;
	struct pollfd pfd, rp;
	struct epoll_event ev = {.events = EPOLLIN}, got;
	char path[PATH_MAX + 64];
	int coid, epfd, n, p[2], val = -1;
	pid_t pid;
	fd_set rs;

	SKIP_UNLESS_FS();
	m = lie_start(path, sizeof(path), &coid, &pfd);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0); /* the manager: nothing */

	/* poll: each wait ends at a trigger, with POLLIN; then the
	 * manager is asked again. */
	for (int i = 0; i < 3; i++) {
		n = lie_count(coid);
		ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
		ck_assert_int_eq(pfd.revents, POLLIN);
		ck_assert_int_gt(lie_count(coid), n);
		ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	}
	/* select */
	for (int i = 0; i < 3; i++) {
		struct timeval tv = {5, 0};

		n = lie_count(coid);
		FD_ZERO(&rs);
		FD_SET(pfd.fd, &rs);
		ck_assert_int_eq(select(pfd.fd + 1, &rs, NULL, NULL, &tv), 1);
		ck_assert(FD_ISSET(pfd.fd, &rs));
		ck_assert_int_gt(lie_count(coid), n);
	}
	/* epoll (level-triggered: a wait after a wake asks again) */
	epfd = epoll_create1(EPOLL_CLOEXEC);
	ck_assert_int_ge(epfd, 0);
	ck_assert_int_eq(epoll_ctl(epfd, EPOLL_CTL_ADD, pfd.fd, &ev), 0);
	for (int i = 0; i < 3; i++) {
		n = lie_count(coid);
		ck_assert_int_eq(epoll_wait(epfd, &got, 1, 5000), 1);
		ck_assert(got.events & EPOLLIN);
		ck_assert_int_gt(lie_count(coid), n);
	}
	(void) close(epfd);
	ck_assert_int_eq(close(pfd.fd), 0);

	/* select_attach() on a descriptor of the mount (its axon-select
	 * thread polls it): a callback at each trigger. */
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		(void) close(p[0]);
		select_attach_child(p[1], path);
	}
	(void) close(p[1]);
	rp.fd = p[0];
	rp.events = POLLIN;
	ck_assert_int_eq(poll(&rp, 1, 10000), 1);
	ck_assert_int_eq(read(p[0], &val, sizeof(val)), sizeof(val));
	ck_assert_int_eq(val, 3);
	(void) kill(pid, SIGKILL);
	(void) waitpid(pid, NULL, 0);
	(void) close(p[0]);
	ck_assert_int_eq(axon__io_close(coid), 0);
	axt_child_kill(&m);
}
END_TEST

/*
 * A late trigger pulse for a handle that a later poll replaced, or for
 * a file that was released, does nothing: the next poll is the
 * manager's answer (nothing), and a trigger of the current arming still
 * wakes the poller.
 */
START_TEST(test_poll_trigger_stale)
{
	struct axt_child m;
	struct pollfd pfd;
	char path[PATH_MAX + 64];
	int coid, r;

	SKIP_UNLESS_FS();
	m = lie_start(path, sizeof(path), &coid, &pfd);
	lie_tick_ms(coid, 0); /* no timer: only the stale pulses */

	/* Armed twice: the first arming's event is stale. */
	ck_assert_int_eq(poll(&pfd, 1, 50), 0);
	ck_assert_int_eq(poll(&pfd, 1, 50), 0);
	ck_assert_int_eq(armed_now(coid), 1);
	r = -1;
	ck_assert_int_eq(devctl(coid, MY_DEVCTL_LIE_STALE, &r, sizeof(r),
	    NULL), EOK);
	ck_assert_int_eq(r, 0); /* delivered */
	axt_sleep_ms(200);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);

	/* Released: a pulse of its last arming does nothing for the file
	 * that takes its slot. */
	ck_assert_int_eq(close(pfd.fd), 0);
	pfd.fd = open(path, O_RDONLY);
	ck_assert_int_ge(pfd.fd, 0);
	ck_assert_int_eq(poll(&pfd, 1, 50), 0);
	ck_assert_int_eq(devctl(coid, MY_DEVCTL_LIE_STALE, &r, sizeof(r),
	    NULL), EOK);
	axt_sleep_ms(200);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);

	/* The current arming's trigger still wakes it. */
	lie_tick_ms(coid, 100);
	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	ck_assert_int_eq(pfd.revents, POLLIN);
	ck_assert_int_eq(close(pfd.fd), 0);
	ck_assert_int_eq(axon__io_close(coid), 0);
	axt_child_kill(&m);
}
END_TEST

/*
 * iofdinfo() on a descriptor of the mount (a QNX program's open() of a
 * manager's path) is the manager's answer, on the descriptor's direct
 * connection: its open count (the bridge's open, and the test's own
 * connection), its path; a manager that refuses _IO_FDINFO (ENOSYS) is
 * refused as on QNX; a number reused for another file after close()
 * answers for that file; another descriptor and AXON_FS_DIRECT=0 get
 * Linux's answer (no counts).
 */
/* DCMD_PROC_MAPINFO looks up no file on a FUSE mount to tell an ELF
 * object (a manager behind the bridge that stops answering would hold
 * the caller): a file of the mount that starts with ELF's magic, mapped,
 * is not marked MAP_ELF, while the program's own file is. */
START_TEST(test_mapinfo_skips_fuse)
{
	struct axt_child m;
	char path[PATH_MAX + 64];
	procfs_mapinfo *mi;
	bool seen = false, exe = false;
	struct stat sb;
	void *p;
	int fd, pfd, n = 0;

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/elfish", "\177ELF and more", "0444");
	snprintf(path, sizeof(path), "%s/dev/axtest/elfish", mnt);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	ck_assert_int_eq(memcmp(p, "\177ELF", 4), 0); /* it is ELF's magic */
	pfd = open("/proc/self/maps", O_RDONLY);
	ck_assert_int_ge(pfd, 0);
	mi = calloc(4096, sizeof(*mi));
	ck_assert_ptr_nonnull(mi);
	ck_assert_int_eq(devctl(pfd, DCMD_PROC_MAPINFO, mi, 4096 * sizeof(*mi),
			     &n),
	    EOK);
	ck_assert_int_eq(stat("/proc/self/exe", &sb), 0);
	for (int i = 0; i < n && i < 4096; i++) {
		if (mi[i].vaddr == (uintptr_t) p) {
			seen = true;
			ck_assert(!(mi[i].flags & MAP_ANONYMOUS));
			ck_assert(!(mi[i].flags & MAP_ELF));
		}
		if (mi[i].ino == sb.st_ino && mi[i].dev == sb.st_dev &&
		    (mi[i].flags & MAP_ELF)) {
			exe = true;
		}
	}
	ck_assert(seen);
	ck_assert(exe);
	free(mi);
	close(pfd);
	munmap(p, 4096);
	close(fd);
	axt_child_kill(&m);
}
END_TEST

START_TEST(test_fdinfo_fd)
{
	struct axt_child m, n;
	struct _fdinfo info;
	char path[PATH_MAX + 64], npath[PATH_MAX + 64], got[PATH_MAX];
	int fd, fd2, coid;

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/store", "held", "0666");
	n = start_device("/dev/axtest/noofd", "x", "0666");
	snprintf(path, sizeof(path), "%s/dev/axtest/store", mnt);
	snprintf(npath, sizeof(npath), "%s/dev/axtest/noofd", mnt);
	coid = axon__io_open("/dev/axtest/store", O_RDONLY, 0);
	ck_assert_int_ge(coid, 0);
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	memset(&info, 0xa5, sizeof(info));
	memset(got, 'x', sizeof(got));
	ck_assert_int_eq(iofdinfo(fd, 0, &info, got, sizeof(got)),
	    (int) sizeof("/dev/axtest/store"));
	ck_assert_str_eq(got, "/dev/axtest/store");
	/* The manager's counts: the bridge's open and coid's. */
	ck_assert_uint_eq(info.count, 2);
	ck_assert_uint_eq(info.rcount, 2);
	ck_assert_uint_eq(info.wcount, 1);
	ck_assert_uint_eq(info.size, 4);
	ck_assert_uint_eq(info.mode, S_IFCHR | 0666);
	ck_assert(info.ioflag & _IO_FLAG_WR);

	/* The number reused after close(): a pipe now, Linux answers. */
	ck_assert_int_eq(close(fd), 0);
	{
		int pp[2];

		ck_assert_int_eq(pipe(pp), 0);
		if (pp[0] != fd) {
			ck_assert_int_eq(dup2(pp[0], fd), fd);
			(void) close(pp[0]);
		}
		memset(&info, 0xa5, sizeof(info));
		ck_assert_int_gt(iofdinfo(fd, 0, &info, got, sizeof(got)), 0);
		ck_assert(S_ISFIFO(info.mode));
		ck_assert_uint_eq(info.count, 0);
		ck_assert(strncmp(got, "pipe:", 5) == 0);
		(void) close(fd);
		(void) close(pp[1]);
	}
	/* ... and the mount's file again, on that number: the manager's
	 * answer for this open (the first went with its close). */
	fd2 = open(path, O_RDONLY);
	ck_assert_int_eq(fd2, fd);
	ck_assert_int_eq(iofdinfo(fd2, 0, &info, NULL, 0),
	    (int) sizeof("/dev/axtest/store"));
	ck_assert_uint_eq(info.count, 2);
	ck_assert_uint_eq(info.wcount, 0);
	/* The direct path off: Linux's answer, no counts. */
	ck_assert_int_eq(setenv("AXON_FS_DIRECT", "0", 1), 0);
	ck_assert_int_eq(iofdinfo(fd2, 0, &info, got, sizeof(got)),
	    (int) strlen(path) + 1);
	ck_assert_str_eq(got, path);
	ck_assert_uint_eq(info.count, 0);
	ck_assert_int_eq(unsetenv("AXON_FS_DIRECT"), 0);
	(void) close(fd2);

	/* A manager without io_fdinfo: ENOSYS, as on QNX. */
	fd = open(npath, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	errno = 0;
	ck_assert_int_eq(iofdinfo(fd, 0, &info, NULL, 0), -1);
	ck_assert_int_eq(errno, ENOSYS);
	(void) close(fd);
	errno = 0;
	ck_assert_int_eq(iofdinfo(fd, 0, &info, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(axon__io_close(coid), 0);
	axt_child_kill(&n);
	axt_child_kill(&m);
}
END_TEST

/* mkdir, rmdir, rm, mv, touch and Python's os calls on a RAM-disk
 * manager, as root (the bridge's own threads): the connect messages
 * and _IO_UTIME reach it; a manager without the handlers answers
 * ENOSYS; two managers: EXDEV; the made-up directories: EROFS. */
START_TEST(test_fsops)
{
	struct axt_child r, r2, d;
	char out[512];

	SKIP_UNLESS_FS();
	r = axt_spawn(mgr_ram, (void *) "/axtest/ram");
	ck_assert_int_ge(r.val, 0);
	r2 = axt_spawn(mgr_ram, (void *) "/axtest/ram2");
	ck_assert_int_ge(r2.val, 0);
	d = axt_spawn(mgr_dir, NULL);
	ck_assert_int_ge(d.val, 0);
	ck_assert_int_eq(sh(out, sizeof(out), 10,
	    "cd %s/axtest/ram && mkdir sub && stat -c '%%a %%F' sub && "
	    "echo hi > f && mv f g && cat g && test ! -e f && "
	    "touch -d '2001-02-03 04:05:06 UTC' g && stat -c %%Y g && "
	    "touch g && test $(stat -c %%Y g) -gt 981173106 && "
	    "touch new && stat -c %%s new && rm g new && test ! -e g && "
	    "rmdir sub && test ! -e sub && echo done", mnt), 0);
	ck_assert_str_eq(out, "755 directory\nhi\n981173106\n0\ndone\n");
	/* Python's os calls; rmdir of a file, unlink of a directory. */
	ck_assert_int_eq(sh(out, sizeof(out), 10,
	    "cd %s/axtest/ram && python3 -c '\n"
	    "import os, errno\n"
	    "os.mkdir(\"d\", 0o700); print(oct(os.stat(\"d\").st_mode & 0o777))\n"
	    "open(\"x\", \"w\").write(\"x\")\n"
	    "os.utime(\"x\", (1000, 2000)); print(os.stat(\"x\").st_mtime)\n"
	    "os.rename(\"x\", \"y\"); print(os.path.exists(\"x\"))\n"
	    "for f, a in ((os.rmdir, \"y\"), (os.remove, \"d\")):\n"
	    "    try: f(a)\n"
	    "    except OSError as e: print(errno.errorcode[e.errno])\n"
	    "try: os.rename(\"y\", \"../ram2/y\")\n"
	    "except OSError as e: print(errno.errorcode[e.errno])\n"
	    "os.remove(\"y\"); os.rmdir(\"d\"); print(os.listdir(\".\") if 0 else \"ok\")\n"
	    "'", mnt), 0);
	ck_assert_str_eq(out, "0o700\n2000.0\nFalse\nENOTDIR\nEISDIR\nEXDEV\n"
	    "ok\n");
	/* A manager without the handlers: ENOSYS, as QNX's libc gives. */
	ck_assert_int_eq(sh(out, sizeof(out), 10,
	    "cd %s && python3 -c '\n"
	    "import os, errno\n"
	    "for f, a in ((os.mkdir, \"axtest/dir/n\"), (os.remove, \"axtest/dir/a\"),\n"
	    "        (lambda p: os.rename(\"axtest/dir/a\", p), \"axtest/dir/z\"),\n"
	    "        (os.mkdir, \"axtest/newdir\"), (os.rmdir, \"axtest\"),\n"
	    "        (os.mkdir, \"axtest\")):\n"
	    "    try: f(a); print(\"ok\")\n"
	    "    except OSError as e: print(errno.errorcode[e.errno])\n"
	    "'", mnt), 0);
	ck_assert_str_eq(out, "ENOSYS\nENOSYS\nENOSYS\nEROFS\nEROFS\nEEXIST\n");
	axt_child_kill(&r);
	axt_child_kill(&r2);
	axt_child_kill(&d);
}
END_TEST

/* The unprivileged user through a helper: the manager's iofunc checks
 * decide.  Root's 0755 directory: no mkdir, unlink, rename, and no
 * utime of root's file (EACCES for "now", EPERM for given times); the
 * 01777 one: the user's own names are made, moved and removed, root's
 * are not removed (EPERM, sticky). */
static void
fsops_attacker(int rep, void *arg)
{
	const char *m = arg;
	char a[PATH_MAX + 64], b[PATH_MAX + 64];
	struct utimbuf t = {1, 1};
	int fd;

	axa_become();
#define TRY(call) axt_report(rep, (call) == 0 ? 0 : errno)
	snprintf(a, sizeof(a), "%s/axtest/ram/rootf", m);
	snprintf(b, sizeof(b), "%s/axtest/ram/mine", m);
	TRY(mkdir(b, 0755));
	TRY(unlink(a));
	TRY(rename(a, b));
	TRY(utime(a, NULL));
	TRY(utime(a, &t));
	snprintf(a, sizeof(a), "%s/axtest/ram2/mine", m);
	snprintf(b, sizeof(b), "%s/axtest/ram2/mine2", m);
	TRY(mkdir(a, 0700));
	TRY(rename(a, b));
	TRY(rmdir(b));
	fd = open(a, O_CREAT | O_WRONLY, 0600);
	axt_report(rep, fd >= 0 ? 0 : errno);
	(void) close(fd);
	TRY(utime(a, &t));
	TRY(unlink(a));
	snprintf(a, sizeof(a), "%s/axtest/ram2/rootf", m);
	TRY(unlink(a));
#undef TRY
	_exit(0);
}

START_TEST(test_fsops_attack)
{
	static const int want[] = {EACCES, EACCES, EACCES, EACCES, EPERM, 0,
	    0, 0, 0, 0, 0, EPERM};
	struct axt_child r, r2;
	int pp[2], v;
	char out[64];
	pid_t pid;

	SKIP_UNLESS_FS();
	if (!axa_user("test_fsops_attack")) {
		return;
	}
	r = axt_spawn(mgr_ram, (void *) "/axtest/ram");
	ck_assert_int_ge(r.val, 0);
	r2 = axt_spawn(mgr_ram, (void *) "/axtest/ram2");
	ck_assert_int_ge(r2.val, 0);
	ck_assert_int_eq(sh(out, sizeof(out), 5, "umask 022; echo r > "
	    "%s/axtest/ram/rootf && echo r > %s/axtest/ram2/rootf", mnt, mnt),
	    0);
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		(void) close(pp[0]);
		fsops_attacker(pp[1], mnt);
	}
	(void) close(pp[1]);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_int_eq(read(pp[0], &v, sizeof(v)), sizeof(v));
		ck_assert_msg(v == want[i], "step %zu: %d, not %d", i, v,
		    want[i]);
	}
	(void) close(pp[0]);
	ck_assert_int_eq(waitpid(pid, &v, 0), pid);
	/* Root's files are still there. */
	ck_assert_int_eq(sh(out, sizeof(out), 5, "cat %s/axtest/ram/rootf "
	    "%s/axtest/ram2/rootf", mnt, mnt), 0);
	ck_assert_str_eq(out, "r\nr\n");
	axt_child_kill(&r);
	axt_child_kill(&r2);
}
END_TEST

START_TEST(test_ls_stat_dir)
{
	struct axt_child d, h;
	char out[256];

	SKIP_UNLESS_FS();
	d = axt_spawn(mgr_dir, NULL);
	ck_assert_int_ge(d.val, 0);
	h = start_device("/dev/axtest/hello", "Hello, world\n", "0640");
	/* The directory manager's own listing (QNX dirent records). */
	ck_assert_int_eq(sh(out, sizeof(out), 5, "ls %s/axtest/dir", mnt), 0);
	ck_assert_str_eq(out, "a\nb\nc\n");
	ck_assert_int_eq(sh(out, sizeof(out), 5, "cat %s/axtest/dir/b", mnt),
	    0);
	ck_assert_str_eq(out, "file b\n");
	ck_assert_int_eq(sh(out, sizeof(out), 5, "ls %s", mnt), 0);
	ck_assert_str_eq(out, "axtest\ndev\n");
	/* stat: the manager's attributes (a device shows as a file). */
	ck_assert_int_eq(sh(out, sizeof(out), 5,
	    "stat -c '%%a %%s %%u %%F' %s/dev/axtest/hello", mnt), 0);
	ck_assert_str_eq(out, "640 13 0 regular file\n");
	ck_assert_int_eq(sh(out, sizeof(out), 5,
	    "stat -c '%%a %%F' %s/axtest/dir %s/axtest/dir/c", mnt, mnt), 0);
	ck_assert_str_eq(out, "555 directory\n444 regular file\n");
	/* chmod and chown reach the manager (_IO_CHMOD, _IO_CHOWN). */
	ck_assert_int_eq(sh(out, sizeof(out), 5,
	    "chmod 604 %s/dev/axtest/hello && chown 7:8 %s/dev/axtest/hello "
	    "&& stat -c '%%a %%u %%g' %s/dev/axtest/hello", mnt, mnt, mnt), 0);
	ck_assert_str_eq(out, "604 7 8\n");
	axt_child_kill(&d);
	axt_child_kill(&h);
	/* Managers gone: their paths vanish. */
	ck_assert_int_ne(sh(out, sizeof(out), 5,
	    "stat %s/dev/axtest/hello >/dev/null 2>&1", mnt), 0);
	ck_assert_int_eq(sh(out, sizeof(out), 5, "ls %s", mnt), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_python_and_dd)
{
	static char big[4001];
	struct axt_child m;
	char out[8192];

	SKIP_UNLESS_FS();
	for (size_t i = 0; i < sizeof(big) - 1; i++) {
		big[i] = (char) ('a' + i % 26);
	}
	m = start_device("/dev/axtest/big", big, "0444");
	/* dd in odd block sizes: every read continues where the last
	 * stopped, and the pieces make the whole. */
	ck_assert_int_eq(sh(out, sizeof(out), 5,
	    "dd if=%s/dev/axtest/big bs=999 2>/dev/null", mnt), 0);
	ck_assert_str_eq(out, big);
	ck_assert_int_eq(sh(out, sizeof(out), 5,
	    "dd if=%s/dev/axtest/big bs=100 skip=39 2>/dev/null", mnt), 0);
	ck_assert_str_eq(out, big + 3900);
	if (access("/usr/bin/python3", X_OK) == 0) {
		ck_assert_int_eq(sh(out, sizeof(out), 10,
		    "python3 -c \"import sys; f = open('%s/dev/axtest/big'); "
		    "sys.stdout.write(f.read(26)); f.close()\"", mnt), 0);
		ck_assert_str_eq(out, "abcdefghijklmnopqrstuvwxyz");
	} else {
		fprintf(stderr, "test_python_and_dd: skipped: no python3\n");
	}
	axt_child_kill(&m);
}
END_TEST

/* Concurrent readers of the thread-pool manager are served at once, by
 * different threads: the manager waits for the four reads to be in at
 * once, which it can only if the bridge passes them on side by side.
 * Each reader writes "TID PEAK" as the manager answered (or less). */
static void
fs_pool_reader(int rep, void *arg)
{
	char buf[32] = {0};
	int fd = open(arg, O_RDONLY);

	if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) < 0) {
		buf[0] = '\0';
	}
	(void) !write(rep, buf, sizeof(buf)); /* (atomic: under PIPE_BUF) */
	_exit(0);
}

START_TEST(test_concurrent_pool)
{
	struct axt_child m;
	char path[PATH_MAX + 32];
	int tid[4], peak, distinct = 0, pp[2];
	pid_t c[4];

	SKIP_UNLESS_FS();
	m = axt_spawn(mgr_pool, (void *) 4);
	ck_assert_int_ge(m.val, 0);
	snprintf(path, sizeof(path), "%s/dev/axtest/pool", mnt);
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	for (int i = 0; i < 4; i++) {
		c[i] = fork();
		ck_assert_int_ge(c[i], 0);
		if (c[i] == 0) {
			fs_pool_reader(pp[1], path);
		}
	}
	for (int i = 0; i < 4; i++) {
		char buf[32];
		struct pollfd pf = {.fd = pp[0], .events = POLLIN};
		bool seen = false;

		ck_assert_int_eq(poll(&pf, 1, 10000), 1);
		ck_assert_int_eq(read(pp[0], buf, sizeof(buf)), sizeof(buf));
		buf[sizeof(buf) - 1] = '\0';
		ck_assert_msg(sscanf(buf, "%d %d", &tid[i], &peak) == 2,
		    "reader %d read '%s'", i, buf);
		ck_assert_int_eq(peak, 4);
		for (int j = 0; j < i; j++) {
			seen = seen || tid[j] == tid[i];
		}
		distinct += !seen;
	}
	ck_assert_int_eq(distinct, 4);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(waitpid(c[i], NULL, 0), c[i]);
	}
	(void) close(pp[0]);
	(void) close(pp[1]);
	axt_child_kill(&m);
}
END_TEST

/* The manager's own checks decide, with the Linux caller's identity:
 * the unprivileged user may not open root's 0600 device, may read but
 * not write a 0644 one; root may do both. */
static void
perm_attacker(int rep, void *arg)
{
	char p[PATH_MAX + 32], buf[64] = {0};
	int fd, r[4];

	(void) arg;
	axa_become();
	snprintf(p, sizeof(p), "%s/dev/axtest/secret", mnt);
	fd = open(p, O_RDONLY);
	r[0] = fd < 0 ? errno : 0;
	snprintf(p, sizeof(p), "%s/dev/axtest/public", mnt);
	fd = open(p, O_WRONLY);
	r[1] = fd < 0 ? errno : 0;
	fd = open(p, O_RDONLY);
	r[2] = fd >= 0 && read(fd, buf, sizeof(buf)) == 7 &&
	    strcmp(buf, "public\n") == 0 ? 0 : -1;
	/* devctl through the user's own helper process. */
	{
		int v = -1, info = -1;

		r[3] = fd < 0 ? -1
			      : devctl(fd, MY_DEVCTL_GETVAL, &v, sizeof(v),
				    &info);
		if (r[3] == EOK && (v != 0 || info != 42)) {
			r[3] = -1;
		}
	}
	for (int i = 0; i < 4; i++) {
		axt_report(rep, r[i]);
	}
	_exit(0);
}

START_TEST(test_permissions_attack)
{
	struct axt_child s, pub, a;
	char out[256];
	int r[4], pp[2];

	SKIP_UNLESS_FS();
	if (!axa_user("test_permissions_attack")) {
		return;
	}
	s = start_device("/dev/axtest/secret", "secret\n", "0600");
	pub = start_device("/dev/axtest/public", "public\n", "0644");
	/* Root (the bridge's own threads) may. */
	ck_assert_int_eq(sh(out, sizeof(out), 5, "cat %s/dev/axtest/secret",
	    mnt), 0);
	ck_assert_str_eq(out, "secret\n");
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	a.pid = fork();
	ck_assert_int_ge(a.pid, 0);
	if (a.pid == 0) {
		(void) close(pp[0]);
		perm_attacker(pp[1], NULL);
	}
	(void) close(pp[1]);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(read(pp[0], &r[i], sizeof(int)), sizeof(int));
	}
	(void) close(pp[0]);
	ck_assert_int_eq(axt_child_wait(&a, 5), 0);
	ck_assert_int_eq(r[0], EACCES);
	ck_assert_int_eq(r[1], EACCES);
	ck_assert_int_eq(r[2], 0);
	ck_assert_int_eq(r[3], EOK);
	axt_child_kill(&s);
	axt_child_kill(&pub);
}
END_TEST

/* A reader blocked in the manager: released with an error when the
 * manager dies; another path stays readable meanwhile (a hung manager
 * blocks only its own). */
static void
blocked_reader(int rep, void *arg)
{
	char buf[16];
	int fd = open(arg, O_RDONLY);
	ssize_t n;

	if (fd < 0) {
		axt_report(rep, -errno);
		_exit(1);
	}
	axt_report(rep, 0);
	n = read(fd, buf, sizeof(buf));
	axt_report(rep, n < 0 ? errno : 1000 + (int) n);
	_exit(0);
}

START_TEST(test_manager_dies_mid_read)
{
	struct axt_child m, h, r;
	char path[PATH_MAX + 32], out[64];
	struct pollfd pf;
	int pp[2], v = -1;
	double t0;

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/store", "", "0666");
	h = start_device("/dev/axtest/hello", "Hello, world\n", "0444");
	snprintf(path, sizeof(path), "%s/dev/axtest/store", mnt);
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	r.pid = fork();
	ck_assert_int_ge(r.pid, 0);
	if (r.pid == 0) {
		(void) close(pp[0]);
		blocked_reader(pp[1], path);
	}
	(void) close(pp[1]);
	ck_assert_int_eq(read(pp[0], &v, sizeof(v)), sizeof(v));
	ck_assert_int_eq(v, 0);
	/* In the read, held by the manager (no fixed delay: on a loaded
	 * machine the reader may not have reached it by then). */
	ck_assert(axt_wait_syscall(r.pid, SYS_read));
	pf = (struct pollfd){.fd = pp[0], .events = POLLIN};
	ck_assert_int_eq(poll(&pf, 1, 0), 0);
	/* The hung path holds only its own worker: held, the cat would
	 * not end (sh's 5 s bound; a tighter one would measure the
	 * machine's load, not the bridge). */
	ck_assert_int_eq(sh(out, sizeof(out), 5, "cat %s/dev/axtest/hello",
	    mnt), 0);
	ck_assert_str_eq(out, "Hello, world\n");
	/* The manager dies: the reader gets an error, promptly. */
	t0 = axt_now();
	axt_child_kill(&m);
	ck_assert_int_eq(poll(&pf, 1, 3000), 1);
	ck_assert_int_eq(read(pp[0], &v, sizeof(v)), sizeof(v));
	ck_assert_int_eq(v, EIO);
	ck_assert_double_lt(axt_now() - t0, 2.0);
	ck_assert_int_eq(axt_child_wait(&r, 5), 0);
	(void) close(pp[0]);
	/* Its path is gone. */
	ck_assert_int_ne(sh(out, sizeof(out), 5, "cat %s 2>/dev/null", path),
	    0);
	axt_child_kill(&h);
}
END_TEST

/* A signalled reader: FUSE's interrupt reaches the manager as QNX's
 * unblock pulse (its io_unblock answers EINTR), through the bridge's
 * own threads (root) and through a helper (another user). */
static void
on_usr2(int sig)
{
	(void) sig;
}

static void
intr_reader(int rep, void *arg)
{
	struct sigaction sa = {.sa_handler = on_usr2}; /* no SA_RESTART */

	if (arg != NULL) {
		axa_become();
	}
	(void) sigaction(SIGUSR2, &sa, NULL);
	blocked_reader(rep, getenv("FS_INTR_PATH"));
}

static void
check_interrupt(bool as_user)
{
	struct axt_child r;
	struct pollfd pf;
	int pp[2], v = -1;

	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	r.pid = fork();
	ck_assert_int_ge(r.pid, 0);
	if (r.pid == 0) {
		(void) close(pp[0]);
		intr_reader(pp[1], as_user ? (void *) 1 : NULL);
	}
	(void) close(pp[1]);
	ck_assert_int_eq(read(pp[0], &v, sizeof(v)), sizeof(v));
	ck_assert_int_eq(v, 0);
	/* Signalled in its read: a signal that came before would run the
	 * handler and leave the read to block (no fixed delay is enough on
	 * a loaded machine). */
	ck_assert(axt_wait_syscall(r.pid, SYS_read));
	pf = (struct pollfd){.fd = pp[0], .events = POLLIN};
	ck_assert_int_eq(poll(&pf, 1, 0), 0);
	ck_assert_int_eq(kill(r.pid, SIGUSR2), 0);
	ck_assert_int_eq(poll(&pf, 1, 3000), 1);
	ck_assert_int_eq(read(pp[0], &v, sizeof(v)), sizeof(v));
	{
		int st = 0;
		pid_t w = waitpid(fs_pid, &st, WNOHANG);

		ck_assert_msg(w == 0, "the bridge ended: %#x", st);
	}
	ck_assert_msg(v == EINTR, "%s: read gave %d", as_user ? "user" :
	    "root", v);
	ck_assert_int_eq(axt_child_wait(&r, 5), 0);
	(void) close(pp[0]);
}

START_TEST(test_interrupt)
{
	struct axt_child m;
	char path[PATH_MAX + 32];

	SKIP_UNLESS_FS();
	/* (resmgr_managers.h: this path's manager has an io_unblock that
	 * answers EINTR while nothing was written.) */
	m = start_device("/dev/axtest/unblock", "", "0666");
	snprintf(path, sizeof(path), "%s/dev/axtest/unblock", mnt);
	setenv("FS_INTR_PATH", path, 1);
	check_interrupt(false);
	if (axa_user("test_interrupt")) {
		check_interrupt(true);
	}
	/* Killed: gone as soon as the manager answers the unblock. */
	{
		struct axt_child r;
		int pp[2], v = -1;

		ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
		r.pid = fork();
		ck_assert_int_ge(r.pid, 0);
		if (r.pid == 0) {
			(void) close(pp[0]);
			blocked_reader(pp[1], path);
		}
		(void) close(pp[1]);
		ck_assert_int_eq(read(pp[0], &v, sizeof(v)), sizeof(v));
		ck_assert_int_eq(v, 0);
		ck_assert(axt_wait_syscall(r.pid, SYS_read));
		ck_assert_int_eq(kill(r.pid, SIGKILL), 0);
		ck_assert_int_ne(axt_child_wait(&r, 3), -1);
		(void) close(pp[0]);
	}
	axt_child_kill(&m);
}
END_TEST


/* How many fusermount3 processes watch mnt (auto_unmount: the one that
 * mounted it stays, and unmounts it once its bridge has gone if it is
 * dead then: stale). */
static int
mnt_watchers(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		char path[300], buf[4096];
		ssize_t len;
		int fd;

		if (e->d_name[0] < '0' || e->d_name[0] > '9') {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			continue;
		}
		len = read(fd, buf, sizeof(buf) - 1);
		(void) close(fd);
		if (len <= 0) {
			continue;
		}
		buf[len] = '\0';
		/* "fusermount3\0...\0--\0MNT\0": its last argument. */
		if (strcmp(buf, "fusermount3") != 0 &&
		    (strlen(buf) < 12 ||
			strcmp(buf + strlen(buf) - 12, "/fusermount3") != 0)) {
			continue;
		}
		while (len > 0 && buf[len - 1] == '\0') {
			len--;
		}
		while (len > 0 && buf[len - 1] != '\0') {
			len--;
		}
		n += strcmp(buf + len, mnt) == 0;
	}
	(void) closedir(d);
	return n;
}

/* More callers' identities than helpers: idle helpers make room. */
START_TEST(test_many_callers)
{
	struct axt_child m;
	char out[2048];

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/hello", "Hello, world\n", "0444");
	ck_assert_int_eq(sh(out, sizeof(out), 15,
	    "i=0; while [ $i -lt 70 ]; do "
	    "setpriv --reuid=$((30000 + i)) --regid=$((30000 + i)) "
	    "--clear-groups cat %s/dev/axtest/hello || { echo fail $i; exit 1; }; "
	    "i=$((i + 1)); done", mnt), 0);
	ck_assert_msg(strlen(out) == 70 * 13, "%s", out);
	axt_child_kill(&m);
}
END_TEST

/* A manager that lies (resmgr_managers.h's mgr_liar): the callers get
 * EIO; the bridge goes on. */
START_TEST(test_lying_manager)
{
	struct axt_child m;
	char out[256];

	SKIP_UNLESS_FS();
	m = axt_spawn(mgr_liar, NULL);
	ck_assert_int_ge(m.val, 0);
	ck_assert_int_ne(sh(out, sizeof(out), 5, "ls %s/axtest/liar "
	    "2>/dev/null", mnt), 0);
	ck_assert_int_ne(sh(out, sizeof(out), 5, "cat %s/axtest/liar/big "
	    "2>/dev/null", mnt), 0);
	ck_assert_str_eq(out, "");
	/* A status that is no count and no errno: an error, never the
	 * bridge's buffer as data (it read as 4000 bytes of it). */
	ck_assert_int_ne(sh(out, sizeof(out), 5, "cat %s/axtest/liar/neg "
	    "2>/dev/null", mnt), 0);
	ck_assert_str_eq(out, "");
	{
		int coid = axon__io_open("/axtest/liar/neg", O_RDONLY, 0);
		char b[16];

		ck_assert_int_ge(coid, 0);
		ck_assert_int_eq(axon__io_read(coid, b, sizeof(b)), -EIO);
		/* A position no off_t holds: EOVERFLOW, not the errno
		 * its bits spell when read as signed. */
		ck_assert_int_eq(axon__io_lseek(coid, 0, SEEK_SET),
		    -EOVERFLOW);
		ck_assert_int_eq(axon__io_close(coid), 0);
	}
	/* The same as another user, through a helper. */
	if (axa_user("test_lying_manager")) {
		ck_assert_int_ne(sh(out, sizeof(out), 5, "setpriv --reuid=%d "
		    "--regid=%d --clear-groups cat %s/axtest/liar/big "
		    "2>/dev/null", (int) axa_uid, (int) axa_gid, mnt), 0);
		ck_assert_str_eq(out, "");
		ck_assert_int_ne(sh(out, sizeof(out), 5, "setpriv --reuid=%d "
		    "--regid=%d --clear-groups cat %s/axtest/liar/neg "
		    "2>/dev/null", (int) axa_uid, (int) axa_gid, mnt), 0);
		ck_assert_str_eq(out, "");
	}
	ck_assert_int_eq(waitpid(fs_pid, NULL, WNOHANG), 0);
	ck_assert_int_eq(sh(out, sizeof(out), 5, "ls %s/axtest", mnt), 0);
	ck_assert_str_eq(out, "liar\n");
	axt_child_kill(&m);
}
END_TEST

/* Process pid's state letter (/proc/PID/stat), or 0 if it is gone. */
static char
proc_state(pid_t pid)
{
	char path[64], buf[512] = {0};
	int fd;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return 0;
	}
	(void) !read(fd, buf, sizeof(buf) - 1);
	(void) close(fd);
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' ? p[2] : 0;
}

/* Waits (bounded) until process pid is (stopped) or is not (stopped)
 * stopped. */
static bool
wait_stopped(pid_t pid, bool stopped)
{
	for (int i = 0; i < 5000; i++) {
		if ((proc_state(pid) == 'T') == stopped) {
			return true;
		}
		axt_sleep_ms(1);
	}
	return false;
}

/* Waits (bounded) until process pid (not ours to reap) has ended: gone,
 * or a zombie, which holds no descriptors. */
static bool
wait_ended(pid_t pid)
{
	for (int i = 0; i < 5000; i++) {
		char st = proc_state(pid);

		if (st == 0 || st == 'Z' || st == 'X') {
			return true;
		}
		axt_sleep_ms(1);
	}
	return false;
}

/* Whether the mount point holds a dead FUSE mount (stale: its bridge
 * gone). */
static bool
mount_dead(void)
{
	struct stat st;

	return in_mountinfo() && stat(mnt, &st) < 0 &&
	    (errno == ENOTCONN || errno == ECONNABORTED);
}

/* The bridge leaves no mount behind: unmounted on SIGTERM; killed, its
 * mount is taken away by fusermount3's watcher (auto_unmount), and a
 * stale one (the watcher gone too) is detached by the next bridge. */
START_TEST(test_mount_lifetime)
{
	struct axt_child m;
	struct stat st;
	char out[64];
	pid_t w;

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/hello", "Hello, world\n", "0444");
	ck_assert(fs_stop());
	ck_assert(!in_mountinfo());
	/* Stopped by a signal is status 0 (axon-fs(8), EXIT STATUS). */
	ck_assert(WIFEXITED(fs_last_status));
	ck_assert_int_eq(WEXITSTATUS(fs_last_status), 0);
	fs_start();
	/* A second bridge on the same place is refused. */
	ck_assert_int_eq(sh(out, sizeof(out), 5,
			     "%s --net-dir none 2>/dev/null", fs_bin()),
	    1);
	ck_assert_int_eq(kill(fs_pid, SIGKILL), 0);
	(void) waitpid(fs_pid, NULL, 0);
	fs_pid = -1;
	/* Its watcher unmounts it, or leaves it stale for the next bridge
	 * to detach: fusermount3 may see its socket close before the
	 * bridge's /dev/fuse is closed, and then finds the mount alive
	 * (a loaded machine shows it). */
	for (int i = 0; i < 500 && in_mountinfo(); i++) {
		axt_sleep_ms(10);
	}
	ck_assert(!in_mountinfo() || mount_dead());
	/* The earlier bridges' watchers are gone (bounded): one that a
	 * loaded machine ran late would find the stale mount below and
	 * unmount it, as it should have its own. */
	for (int i = 0; i < 500 && mnt_watchers() > 0; i++) {
		axt_sleep_ms(10);
	}
	ck_assert_int_eq(mnt_watchers(), 0);
	/* Watcher stopped, bridge killed: a stale mount stays. */
	fs_start();
	w = child_named(fs_pid, "fusermount3");
	ck_assert_int_gt(w, 0);
	ck_assert_int_eq(kill(w, SIGSTOP), 0);
	ck_assert_int_eq(kill(fs_pid, SIGKILL), 0);
	(void) waitpid(fs_pid, NULL, 0);
	fs_pid = -1;
	ck_assert_int_eq(kill(w, SIGKILL), 0);
	/* Gone (it may hold /dev/fuse yet if stopped before closing it:
	 * then a request made meanwhile ends ECONNABORTED). */
	ck_assert(wait_ended(w));
	ck_assert(in_mountinfo());
	ck_assert_int_eq(stat(mnt, &st), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	fs_start();
	ck_assert_int_eq(sh(out, sizeof(out), 5, "cat %s/dev/axtest/hello",
	    mnt), 0);
	ck_assert_str_eq(out, "Hello, world\n");
	axt_child_kill(&m);
}
END_TEST

/* A child of the bridge (its fusermount3 watcher, its spawner) that is
 * stopped and continued, as job control or a debugger does, has not
 * ended: the bridge goes on serving.  (It took the SIGCHLD of the stop
 * for a death, ended and unmounted: test_mount_lifetime's stopped
 * watcher raced its bridge's kill with that.) */
START_TEST(test_child_stopped_not_ended)
{
	static const char *const kids[] = {"fusermount3", "axon-fs"};
	struct axt_child m;
	char out[64];

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/hello", "Hello, world\n", "0444");
	for (int i = 0; i < 2; i++) {
		pid_t k = child_named(fs_pid, kids[i]);

		ck_assert_msg(k > 0, "the bridge has no %s child", kids[i]);
		ck_assert_int_eq(kill(k, SIGSTOP), 0);
		ck_assert(wait_stopped(k, true));
		ck_assert_int_eq(kill(k, SIGCONT), 0);
		ck_assert(wait_stopped(k, false));
		/* (Time for a bridge that took either for a death to end.) */
		axt_sleep_ms(300);
		ck_assert_msg(waitpid(fs_pid, NULL, WNOHANG) == 0,
		    "the bridge ended when its %s child stopped", kids[i]);
		ck_assert(mounted());
		ck_assert_int_eq(sh(out, sizeof(out), 5,
				     "cat %s/dev/axtest/hello", mnt), 0);
		ck_assert_str_eq(out, "Hello, world\n");
	}
	axt_child_kill(&m);
}
END_TEST

/* `axond --fs yes` runs axon-fs, restarts it when it dies, and takes it
 * (and the mount) away when it stops. */
START_TEST(test_axond_supervises)
{
	const char *axond = getenv("AXOND");
	struct axt_child m;
	char listen_arg[64], prog[PATH_MAX], out[64];
	pid_t d, f1, f2 = -1;
	double end;

	SKIP_UNLESS_FS();
	if (axond == NULL) {
		axond = "build/axond";
	}
	ck_assert_ptr_nonnull(realpath(fs_bin(), prog));
	ck_assert(fs_stop());
	m = start_device("/dev/axtest/hello", "Hello, world\n", "0444");
	/* A free port, for the node's (unused) listener. */
	snprintf(listen_arg, sizeof(listen_arg), "127.0.0.1:%d",
	    axt_free_port(false, NULL, 0));
	d = fork();
	ck_assert_int_ge(d, 0);
	if (d == 0) {
		(void) prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(axond, "axond", "--node", "alpha", "--listen", listen_arg,
		    "--insecure", "--fs", "yes", "--fs-program", prog,
		    "--log-level", "error", (char *) NULL);
		_exit(127);
	}
	fs_pid = -1;
	end = axt_now() + 5;
	while (!mounted() && axt_now() < end) {
		axt_sleep_ms(10);
	}
	ck_assert(mounted());
	ck_assert_int_eq(sh(out, sizeof(out), 5, "cat %s/dev/axtest/hello",
	    mnt), 0);
	ck_assert_str_eq(out, "Hello, world\n");
	/* Killed: restarted (a second later) and mounted again. */
	f1 = child_named(d, "axon-fs");
	ck_assert_int_gt(f1, 0);
	ck_assert_int_eq(kill(f1, SIGKILL), 0);
	end = axt_now() + 6;
	while (axt_now() < end && ((f2 = child_named(d, "axon-fs")) <= 0 ||
		f2 == f1)) {
		axt_sleep_ms(10);
	}
	ck_assert_int_gt(f2, 0);
	ck_assert_int_ne(f2, f1);
	while (!mounted() && axt_now() < end) {
		axt_sleep_ms(10);
	}
	ck_assert_int_eq(sh(out, sizeof(out), 5, "cat %s/dev/axtest/hello",
	    mnt), 0);
	ck_assert_str_eq(out, "Hello, world\n");
	/* axond stops: axon-fs goes and the mount with it. */
	ck_assert_int_eq(kill(d, SIGTERM), 0);
	end = axt_now() + 6;
	while (waitpid(d, NULL, WNOHANG) == 0 && axt_now() < end) {
		axt_sleep_ms(10);
	}
	ck_assert_double_lt(axt_now(), end);
	ck_assert_int_ne(kill(f2, 0), 0);
	ck_assert(!in_mountinfo());
	axt_child_kill(&m);
}
END_TEST


/* ---- Direct connections (fuse.md, "Direct calls") ------------------ */

/* devctl(fd, cmd) of an int the manager answers, or -errno. */
static int
dc_int(int fd, int dcmd)
{
	int v = -1, rc = devctl(fd, dcmd, &v, sizeof(v), NULL);

	return rc == EOK ? v : -rc;
}

/* Waits (bounded) until the manager behind fd has want OCBs open (a
 * FUSE release is asynchronous: close() returns before it). */
static bool
wait_ocbs(int fd, int want)
{
	double end = axt_now() + 5.0;

	while (dc_int(fd, MY_DEVCTL_OCBS) != want && axt_now() < end) {
		axt_sleep_ms(5);
	}
	return dc_int(fd, MY_DEVCTL_OCBS) == want;
}

/* A grant asked by hand: 0 or -errno (the bridge's or the manager's). */
static int
raw_grant(int fd, pid_t pid, struct axon_fsgrant *g)
{
	memset(g, 0, sizeof(*g));
	g->magic = AXON_FSGRANT_MAGIC;
	g->pid = pid;
	if (ioctl(fd, AXON_FSGRANT_CMD, g) != 0) {
		return -errno;
	}
	return -g->err;
}

/*
 * A QNX program's devctl() on a descriptor of the mount goes straight
 * to the manager on a connection of its own (the manager sees the
 * program's pid), to the same OCB as the descriptor's read() through
 * FUSE (its offset), with the same results and errors; AXON_FS_DIRECT=0
 * sends it through the bridge.  The connection keeps no OCB open after
 * close(), and a descriptor number reused for another file reaches that
 * file, not the old connection (twice: once with the old file gone, and
 * once with it kept alive by a dup() of it).
 */
START_TEST(test_devctl_direct)
{
	struct axt_child m, o;
	char path[PATH_MAX + 32], other[PATH_MAX + 32], buf[8];
	int fd, fd2, n, t, d;

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/direct", "0123456789", "0666");
	o = start_device("/dev/axtest/other", "", "0666");
	snprintf(path, sizeof(path), "%s/dev/axtest/direct", mnt);
	snprintf(other, sizeof(other), "%s/dev/axtest/other", mnt);
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dc_int(fd, MY_DEVCTL_WHO), getpid());
	/* One OCB: the descriptor's, which read() through FUSE moves. */
	ck_assert_int_eq(dc_int(fd, MY_DEVCTL_OCBS), 1);
	ck_assert_int_eq(read(fd, buf, 4), 4);
	ck_assert_int_eq(dc_int(fd, MY_DEVCTL_OFFSET), 4);
	ck_assert_int_eq(lseek(fd, 1, SEEK_SET), 1);
	ck_assert_int_eq(read(fd, buf, 2), 2);
	ck_assert_int_eq(dc_int(fd, MY_DEVCTL_OFFSET), 3);
	/* Data both ways, dev_info, the manager's errors, the limit. */
	{
		union my_devctl u = {.in = 31};
		int v = 12, info = -1;

		ck_assert_int_eq(devctl(fd, MY_DEVCTL_SETVAL, &v, sizeof(v),
		    &info), EOK);
		ck_assert_int_eq(info, 42);
		ck_assert_int_eq(devctl(fd, MY_DEVCTL_SETGET, &u, sizeof(u),
		    NULL), EOK);
		ck_assert_int_eq(u.out, 12);
		ck_assert_int_eq(dc_int(fd, MY_DEVCTL_GETVAL), 31);
		ck_assert_int_eq(devctl(fd, __DION(_DCMD_MISC, 99), NULL, 0,
		    NULL), ENOSYS);
		{
			size_t big = AXON_FSDC_MAX + 1;
			char *b = calloc(1, big);

			ck_assert_ptr_nonnull(b);
			ck_assert_int_eq(devctl(fd, MY_DEVCTL_SETVAL, b, big,
			    NULL), E2BIG);
			free(b);
		}
	}
	/* Through the bridge when asked: the bridge is the sender. */
	ck_assert_int_eq(setenv("AXON_FS_DIRECT", "0", 1), 0);
	ck_assert_int_eq(dc_int(fd, MY_DEVCTL_WHO), fs_pid);
	ck_assert_int_eq(dc_int(fd, MY_DEVCTL_GETVAL), 31);
	ck_assert_int_eq(unsetenv("AXON_FS_DIRECT"), 0);
	ck_assert_int_eq(dc_int(fd, MY_DEVCTL_WHO), getpid());

	/* close(): the OCB goes, though the connection is still kept. */
	fd2 = open(path, O_RDONLY);
	ck_assert_int_ge(fd2, 0);
	ck_assert_int_eq(dc_int(fd2, MY_DEVCTL_OCBS), 2);
	n = fd;
	ck_assert_int_eq(close(fd), 0);
	ck_assert_msg(wait_ocbs(fd2, 1), "the closed OCB stayed open");
	ck_assert_int_eq(devctl(n, MY_DEVCTL_WHO, buf, 4, NULL), EBADF);
	/* The number again, for another file: that file's manager. */
	t = open(other, O_RDWR);
	ck_assert_int_ge(t, 0);
	if (t != n) {
		ck_assert_int_eq(dup2(t, n), n);
		ck_assert_int_eq(close(t), 0);
	}
	{
		int v = 77;

		ck_assert_int_eq(devctl(n, MY_DEVCTL_SETVAL, &v, sizeof(v),
		    NULL), EOK);
	}
	ck_assert_int_eq(dc_int(fd2, MY_DEVCTL_GETVAL), 31);
	ck_assert_int_eq(dc_int(n, MY_DEVCTL_GETVAL), 77);
	ck_assert_int_eq(dc_int(n, MY_DEVCTL_OCBS), 1);
	/* Kept alive by a dup: the number for another file again. */
	d = dup(n);
	ck_assert_int_ge(d, 0);
	t = open(path, O_RDONLY);
	ck_assert_int_ge(t, 0);
	ck_assert_int_eq(dup2(t, n), n); /* "other" lives on in d */
	ck_assert_int_eq(close(t), 0);
	ck_assert_int_eq(dc_int(n, MY_DEVCTL_GETVAL), 31);
	ck_assert_int_eq(dc_int(d, MY_DEVCTL_GETVAL), 77);
	ck_assert_int_eq(dc_int(n, MY_DEVCTL_WHO), getpid());
	ck_assert_int_eq(dc_int(d, MY_DEVCTL_WHO), getpid());
	ck_assert_int_eq(dc_int(n, MY_DEVCTL_GETVAL), 31);
	(void) close(d);
	(void) close(n);
	(void) close(fd2);
	axt_child_kill(&o);
	axt_child_kill(&m);
}
END_TEST


/* More descriptors than the library keeps connections for (64): the
 * least recently used give theirs up (an alias's close, the OCB kept)
 * and get a new one when used again; every call reaches its own OCB. */
START_TEST(test_devctl_direct_many)
{
	enum { N = 70 };
	struct axt_child m;
	char path[PATH_MAX + 32], buf[N];
	int fd[N];

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/direct", "0123456789abcdefghijklmnopqrstu"
	    "vwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "0666");
	snprintf(path, sizeof(path), "%s/dev/axtest/direct", mnt);
	for (int i = 0; i < N; i++) {
		fd[i] = open(path, O_RDONLY);
		ck_assert_int_ge(fd[i], 0);
		/* Each its own offset: i bytes read. */
		ck_assert_int_eq(read(fd[i], buf, (size_t) i), i);
	}
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++) {
			ck_assert_int_eq(dc_int(fd[i], MY_DEVCTL_WHO), getpid());
			ck_assert_int_eq(dc_int(fd[i], MY_DEVCTL_OFFSET), i);
		}
	}
	ck_assert_int_eq(dc_int(fd[0], MY_DEVCTL_OCBS), N);
	for (int i = 0; i < N; i++) {
		(void) close(fd[i]);
	}
	axt_child_kill(&m);
}
END_TEST


/* Where kcmp(2) is refused (a seccomp filter, as some containers
 * have), nothing tells a reused descriptor number: devctl() goes
 * through the bridge, with the same results. */
static void
no_kcmp_child(int rep, void *arg)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_kcmp, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = 4, .filter = f};
	int fd, v = 8;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		axt_report(rep, -errno);
		_exit(1);
	}
	fd = open(arg, O_RDWR);
	axt_report(rep, fd < 0 ? -errno : dc_int(fd, MY_DEVCTL_WHO));
	axt_report(rep, devctl(fd, MY_DEVCTL_SETVAL, &v, sizeof(v), NULL));
	axt_report(rep, dc_int(fd, MY_DEVCTL_GETVAL));
	_exit(0);
}

START_TEST(test_devctl_direct_no_kcmp)
{
	struct axt_child m, c;
	char path[PATH_MAX + 32];
	int pp[2], r[3];

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/direct", "", "0666");
	snprintf(path, sizeof(path), "%s/dev/axtest/direct", mnt);
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		(void) close(pp[0]);
		no_kcmp_child(pp[1], path);
	}
	(void) close(pp[1]);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(read(pp[0], &r[i], sizeof(int)), sizeof(int));
	}
	(void) close(pp[0]);
	ck_assert_int_eq(axt_child_wait(&c, 5), 0);
	ck_assert_int_eq(r[0], fs_pid); /* the bridge's, not the child's */
	ck_assert_int_eq(r[1], EOK);
	ck_assert_int_eq(r[2], 8);
	axt_child_kill(&m);
}
END_TEST

/* A forked child's devctl() on the descriptor it inherited is its own
 * connection to the same OCB, never its parent's; the parent's goes on. */
START_TEST(test_devctl_direct_fork)
{
	struct axt_child m, c;
	char path[PATH_MAX + 32], buf[4];
	int fd, pp[2], who = -1, off = -1;

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/direct", "0123456789", "0666");
	snprintf(path, sizeof(path), "%s/dev/axtest/direct", mnt);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dc_int(fd, MY_DEVCTL_WHO), getpid());
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		(void) close(pp[0]);
		axt_report(pp[1], dc_int(fd, MY_DEVCTL_WHO));
		axt_report(pp[1], read(fd, buf, 3) == 3 ?
		    dc_int(fd, MY_DEVCTL_OFFSET) : -1);
		_exit(0);
	}
	(void) close(pp[1]);
	ck_assert_int_eq(read(pp[0], &who, sizeof(who)), sizeof(who));
	ck_assert_int_eq(read(pp[0], &off, sizeof(off)), sizeof(off));
	ck_assert_int_eq(who, c.pid);
	ck_assert_int_eq(axt_child_wait(&c, 5), 0);
	(void) close(pp[0]);
	ck_assert_int_eq(off, 3);
	/* The parent: its own connection still, the same OCB (the file's
	 * offset moved by the child's read). */
	ck_assert_int_eq(dc_int(fd, MY_DEVCTL_WHO), getpid());
	ck_assert_int_eq(dc_int(fd, MY_DEVCTL_OFFSET), 3);
	ck_assert_int_eq(dc_int(fd, MY_DEVCTL_OCBS), 1);
	(void) close(fd);
	axt_child_kill(&m);
}
END_TEST

/* A devctl() blocked in the manager on the direct connection is
 * released with the error FUSE gives (EIO) when the manager dies. */
static void
held_devctl(int rep, void *arg)
{
	int fd = open(arg, O_RDWR);

	axt_report(rep, fd < 0 ? -errno : dc_int(fd, MY_DEVCTL_WHO));
	axt_report(rep, devctl(fd, MY_DEVCTL_HOLD, NULL, 0, NULL));
	_exit(0);
}

START_TEST(test_devctl_direct_manager_dies)
{
	struct axt_child m, r;
	char path[PATH_MAX + 32];
	struct pollfd pf;
	int pp[2], v = -1;

	SKIP_UNLESS_FS();
	m = start_device("/dev/axtest/direct", "", "0666");
	snprintf(path, sizeof(path), "%s/dev/axtest/direct", mnt);
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	r.pid = fork();
	ck_assert_int_ge(r.pid, 0);
	if (r.pid == 0) {
		(void) close(pp[0]);
		held_devctl(pp[1], path);
	}
	(void) close(pp[1]);
	ck_assert_int_eq(read(pp[0], &v, sizeof(v)), sizeof(v));
	ck_assert_int_eq(v, r.pid); /* on its own connection */
	ck_assert(axt_wait_asleep(r.pid));
	pf = (struct pollfd){.fd = pp[0], .events = POLLIN};
	ck_assert_int_eq(poll(&pf, 1, 0), 0);
	axt_child_kill(&m);
	ck_assert_int_eq(poll(&pf, 1, 3000), 1);
	ck_assert_int_eq(read(pp[0], &v, sizeof(v)), sizeof(v));
	ck_assert_int_eq(v, EIO);
	ck_assert_int_eq(axt_child_wait(&r, 5), 0);
	(void) close(pp[0]);
}
END_TEST

/*
 * The unprivileged user against the grants: a token stolen from root's
 * grant (for root's 0600 device, which the attacker may not open) is
 * refused and spent; a made-up one is refused; the bridge refuses a
 * grant naming another process; a direct connection to a read-only
 * open may not write.  And by root itself: a token works once, never
 * through an alias, never after the open closed or its time ran out;
 * an alias dies with its open.
 */
struct steal {
	struct axon_fsgrant g;
	pid_t victim;
	char pub[PATH_MAX + 32];
};

static void
grant_attacker(int rep, void *arg)
{
	struct steal *st = arg;
	uint8_t made_up[16];
	struct axon_fsgrant g;
	int fd, c;

	axa_become();
	/* The stolen token: not this process's. */
	c = axon__io_dup_token(st->g.mpid, st->g.chid, st->g.token);
	axt_report(rep, c);
	memset(made_up, 0x5a, sizeof(made_up));
	c = axon__io_dup_token(st->g.mpid, st->g.chid, made_up);
	axt_report(rep, c);
	/* Its own read-only open of the public device. */
	fd = open(st->pub, O_RDONLY);
	axt_report(rep, fd < 0 ? -errno : 0);
	axt_report(rep, raw_grant(fd, st->victim, &g)); /* for root's pid */
	axt_report(rep, raw_grant(fd, getpid(), &g));
	c = axon__io_dup_token(g.mpid, g.chid, g.token);
	axt_report(rep, c > 0 ? 0 : c);
	axt_report(rep, c > 0 ? (int) axon__io_write(c, "x", 1) : c);
	axt_report(rep, dc_int(fd, MY_DEVCTL_WHO) == getpid() ? 0 : -1);
	_exit(0);
}

START_TEST(test_devctl_direct_attack)
{
	struct axt_child s, pub, a;
	static struct steal st;
	struct axon_fsgrant g, g2;
	char path[PATH_MAX + 32];
	int fd, pp[2], r[8], c, c2;

	SKIP_UNLESS_FS();
	if (!axa_user("test_devctl_direct_attack")) {
		return;
	}
	s = start_device("/dev/axtest/secret", "secret\n", "0600");
	pub = start_device("/dev/axtest/public", "public\n", "0644");
	snprintf(path, sizeof(path), "%s/dev/axtest/secret", mnt);
	snprintf(st.pub, sizeof(st.pub), "%s/dev/axtest/public", mnt);
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_grant(fd, getpid(), &st.g), 0);
	st.victim = getpid();
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	a.pid = fork();
	ck_assert_int_ge(a.pid, 0);
	if (a.pid == 0) {
		(void) close(pp[0]);
		grant_attacker(pp[1], &st);
	}
	(void) close(pp[1]);
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(read(pp[0], &r[i], sizeof(int)), sizeof(int));
	}
	(void) close(pp[0]);
	ck_assert_int_eq(axt_child_wait(&a, 5), 0);
	ck_assert_int_eq(r[0], -EPERM); /* stolen */
	ck_assert_int_eq(r[1], -EPERM); /* made up */
	ck_assert_int_eq(r[2], 0);      /* may open the public one ... */
	ck_assert_int_eq(r[3], -EPERM); /* ... but not name another pid */
	ck_assert_int_eq(r[4], 0);      /* its own grant */
	ck_assert_int_eq(r[5], 0);
	ck_assert_int_eq(r[6], -EBADF); /* no write on a read-only open */
	ck_assert_int_eq(r[7], 0);      /* its devctl() is direct */
	/* The stolen token was spent by the thief's try. */
	ck_assert_int_eq(axon__io_dup_token(st.g.mpid, st.g.chid, st.g.token),
	    -EPERM);
	/* Once only; never through an alias. */
	ck_assert_int_eq(raw_grant(fd, getpid(), &g), 0);
	c = axon__io_dup_token(g.mpid, g.chid, g.token);
	ck_assert_int_gt(c, 0);
	ck_assert_int_eq(axon__io_dup_token(g.mpid, g.chid, g.token), -EPERM);
	{
		uint8_t tok[16];
		pid_t mp;
		int ch;

		ck_assert_int_eq(axon__io_grant(c, getpid(), tok, &mp, &ch),
		    -EPERM);
	}
	/* The open closes (the file's release): its alias with it, and a
	 * grant not yet used is void. */
	ck_assert_int_eq(raw_grant(fd, getpid(), &g2), 0);
	ck_assert_int_eq(dc_int(fd, MY_DEVCTL_OCBS), 1);
	ck_assert_int_eq(close(fd), 0);
	{
		double end = axt_now() + 5.0;
		int v;
		iov_t iov;

		SETIOV(&iov, &v, sizeof(v));
		while (axon__io_devctl(c, MY_DEVCTL_GETVAL, &iov, 1, &iov, 1,
		    NULL) == 0 && axt_now() < end) {
			axt_sleep_ms(5);
		}
		ck_assert_int_eq(axon__io_devctl(c, MY_DEVCTL_GETVAL, &iov, 1,
		    &iov, 1, NULL), -EBADF);
	}
	c2 = axon__io_dup_token(g2.mpid, g2.chid, g2.token);
	ck_assert_int_eq(c2, -EPERM);
	(void) ConnectDetach(c);
	/* A grant past its time. */
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_grant(fd, getpid(), &g), 0);
	axt_sleep_ms(AXON_GRANT_TTL_MS + 200);
	ck_assert_int_eq(axon__io_dup_token(g.mpid, g.chid, g.token), -EPERM);
	/* Malformed asks: refused, the bridge serves on. */
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(ioctl(fd, AXON_FSGRANT_CMD, &g), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(raw_grant(fd, -1, &g), -EINVAL);
	ck_assert_int_eq(dc_int(fd, MY_DEVCTL_WHO), getpid());
	(void) close(fd);
	axt_child_kill(&s);
	axt_child_kill(&pub);
}
END_TEST

/* The RM guide's blocking read through the mount: two head(1)s wait in
 * the FIFO manager's kept reads, a Linux write releases both through
 * resmgr_msg_again(), each with its own five bytes. */
static void
fifo_head(int rep, void *arg)
{
	char out[64];
	int st = sh(out, sizeof(out), 20, "head -c 5 %s", (const char *) arg);

	(void) !write(rep, out, strlen(out));
	_exit(st == 0 ? 0 : 1);
}

START_TEST(test_fifo_head)
{
	struct axt_child m;
	char path[PATH_MAX + 32], out[64], got[2][16];
	pid_t r[2];
	int fd[2], w;

	SKIP_UNLESS_FS();
	m = start_fifo("/dev/axtest/fifo");
	snprintf(path, sizeof(path), "%s/dev/axtest/fifo", mnt);
	w = axon__io_open("/dev/axtest/fifo", O_WRONLY, 0);
	ck_assert_int_ge(w, 0);
	for (int i = 0; i < 2; i++) {
		int p[2];

		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
		r[i] = fork();
		ck_assert_int_ge(r[i], 0);
		if (r[i] == 0) {
			(void) close(p[0]);
			fifo_head(p[1], path);
		}
		(void) close(p[1]);
		fd[i] = p[0];
	}
	fifo_wait_waiting(w, 2);
	ck_assert_int_eq(sh(out, sizeof(out), 5, "printf helloworld > %s",
	    path), 0);
	for (int i = 0; i < 2; i++) {
		struct pollfd pf = {.fd = fd[i], .events = POLLIN};
		ssize_t n;

		ck_assert_int_eq(poll(&pf, 1, 10000), 1);
		n = read(fd[i], got[i], sizeof(got[i]) - 1);
		ck_assert_int_eq(n, 5);
		got[i][n] = '\0';
		ck_assert_int_eq(axt_waitpid(r[i], 10), 0);
		(void) close(fd[i]);
	}
	ck_assert((strcmp(got[0], "hello") == 0 &&
	    strcmp(got[1], "world") == 0) ||
	    (strcmp(got[0], "world") == 0 && strcmp(got[1], "hello") == 0));
	ck_assert_int_eq(fifo_stats(w).again_ok, 2);
	ck_assert_int_eq(axon__io_close(w), 0);
	axt_child_kill(&m);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("fs");
	TCase *tc = tcase_create("fs");
	const char *mul = getenv("AXON_TEST_TIMEOUT_MULTIPLIER");
	double k = mul != NULL && atof(mul) > 0 ? atof(mul) : 1.0;

	tcase_add_checked_fixture(tc, fs_setup, fs_teardown);
	tcase_set_timeout(tc, 20 * k);
	tcase_add_test(tc, test_cat);
	tcase_add_test(tc, test_append_open_reads_from_start);
	tcase_add_test(tc, test_openfd_mount);
	tcase_add_test(tc, test_devctl_fd);
	tcase_add_test(tc, test_devctl_direct);
	tcase_add_test(tc, test_devctl_direct_many);
	tcase_add_test(tc, test_devctl_direct_fork);
	tcase_add_test(tc, test_devctl_direct_no_kcmp);
	tcase_add_test(tc, test_devctl_direct_manager_dies);
	tcase_add_test(tc, test_devctl_direct_attack);
	tcase_add_test(tc, test_echo_then_cat);
	tcase_add_test(tc, test_fifo_head);
	tcase_add_test(tc, test_truncate_fsync);
	tcase_add_test(tc, test_poll);
	tcase_add_test(tc, test_ionotify_fd);
	tcase_add_test(tc, test_poll_exten);
	tcase_add_test(tc, test_poll_trigger_only);
	tcase_add_test(tc, test_poll_trigger_stale);
	tcase_add_test(tc, test_fdinfo_fd);
	tcase_add_test(tc, test_mapinfo_skips_fuse);
	tcase_add_test(tc, test_ls_stat_dir);
	tcase_add_test(tc, test_fsops);
	tcase_add_test(tc, test_fsops_attack);
	tcase_add_test(tc, test_python_and_dd);
	tcase_add_test(tc, test_concurrent_pool);
	tcase_add_test(tc, test_permissions_attack);
	tcase_add_test(tc, test_manager_dies_mid_read);
	tcase_add_test(tc, test_interrupt);
	tcase_add_test(tc, test_many_callers);
	tcase_add_test(tc, test_lying_manager);
	tcase_add_test(tc, test_mount_lifetime);
	tcase_add_test(tc, test_child_stopped_not_ended);
	tcase_add_test(tc, test_axond_supervises);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(suite());
}
