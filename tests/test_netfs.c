/* SPDX-License-Identifier: MIT */
/*
 * /net/NODE/... (issue 9, item 4): two real axonds (alpha, beta), real
 * managers on beta, and on alpha the questions about beta's namespace
 * (PATH_REQ through alpha's control socket and the session), the _IO_*
 * client on top of them, name_open() of full paths, and the net
 * directory of axon-fs (started by alpha's axond) read and written with
 * Linux tools, as root and as an unprivileged user, with beta's
 * --maproot and the manager's own checks deciding; a lost node; and
 * malformed PATH_REQ frames on the control socket.
 *
 * The FUSE cases need root and /dev/fuse (they say "skipped:"
 * otherwise).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "resmgr_managers.h"
#include <sys/iomgr.h>
#include "fs_test.h"

#include "net_test.h"
#include "wire.h"

static char netdir[PATH_MAX];

/* (resmgr_managers.h's directory manager is test_fs's.) */
static void (*const netfs_unused_mgr_dir)(int, void *)
    __attribute__((unused)) = mgr_dir;

/* A name server on node `node` (answers name_open()'s connect with EOK
 * and every message with its pid). */
struct nsrv_arg {
	int node;
	const char *name;
	unsigned flags;
};

static void
nsrv_main(int fd, void *p)
{
	const struct nsrv_arg *a = p;
	name_attach_t *att;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	axn_enter(a->node);
	att = name_attach(NULL, a->name, a->flags);
	axt_report(fd, att != NULL ? att->chid : -errno);
	if (att == NULL) {
		_exit(1);
	}
	for (;;) {
		struct _pulse msg[4];
		rcvid_t r = MsgReceive(att->chid, msg, sizeof(msg), NULL);

		if (r < 0) {
			_exit(2);
		}
		if (r == 0) {
			if (msg[0].code == _PULSE_CODE_DISCONNECT) {
				ConnectDetach(msg[0].scoid);
			}
			continue;
		}
		MsgReply(r, msg[0].type == _IO_CONNECT ? EOK : getpid(), NULL,
		    0);
	}
}

static struct axt_child
nsrv_start(int node, const char *name, unsigned flags)
{
	static struct nsrv_arg a;
	struct axt_child c;

	a.node = node;
	a.name = name;
	a.flags = flags;
	c = axt_spawn(nsrv_main, &a);
	ck_assert_int_ge(c.val, 0);
	return c;
}

/* A device manager (resmgr_managers.h) on node `node`. */
static struct axt_child
device_on(int node, const char *path, const char *text, const char *mode)
{
	struct axt_child c;

	axn_enter(node);
	c = start_device(path, text, mode);
	axn_enter(0);
	return c;
}

static void
netfs_setup(void)
{
	axt_setup();
	axn_setup(2);
	/* Managers on beta must be reachable by the attacker's helper. */
	axa_share_rundir(axt_rundir);
}

static void
netfs_teardown(void)
{
	if (netdir[0] != '\0') {
		(void) umount2(netdir, MNT_DETACH);
	}
	axn_teardown();
	axt_teardown();
}

static void
start_nodes(void)
{
	axn_start(0);
	axn_start(1);
	ck_assert(axn_wait_state(0, 1, "up", 5000));
	ck_assert(axn_wait_state(1, 0, "up", 5000));
	axn_enter(0);
}

/* Waits until a manager's path is resolvable on node nd from here. */
static void
wait_path(int nd, const char *path)
{
	for (int i = 0; i < 500; i++) {
		struct axon_path_entry *e = NULL;
		int n = axon__netpath(nd, AXON_WIRE_PATH_RESOLVE, _FTYPE_ANY,
		    path, &e);

		free(e);
		if (n > 0) {
			return;
		}
		axt_sleep_ms(10);
	}
	ck_abort_msg("%s never appeared on nd %d", path, nd);
}

/* ---- the questions, the client and name_open (no FUSE) ---- */

/* openfd() and iofdinfo() of a connection to another node's manager:
 * the _IO_OPENFD names the open by the client's own coid, which reaches
 * the manager through both axonds as the client's (its virtual
 * connection is this process's alone). */
START_TEST(test_net_openfd)
{
	struct axt_child m;
	struct _fdinfo info;
	char buf[32], path[64];
	int nd, a, b;

	start_nodes();
	nd = axn_nd(0, 1);
	ck_assert_int_gt(nd, 0);
	m = device_on(1, "/dev/axtest/ofd", "Hello, world\n", "0666");
	a = axon__io_open_nd(nd, "/dev/axtest/ofd", _IO_FLAG_RD | _IO_FLAG_WR,
	    0);
	ck_assert_int_gt(a, 0);
	ck_assert_int_eq(axon__io_read(a, buf, 5), 5);
	b = openfd(a, O_RDONLY);
	ck_assert_int_gt(b, 0);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(axon__io_read(b, buf, 5), 5);
	ck_assert_str_eq(buf, "Hello");
	ck_assert_int_eq(axon__io_write(b, "x", 1), -EBADF);
	errno = 0;
	ck_assert_int_eq(openfd(b, O_RDWR), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(iofdinfo(b, 0, &info, path, sizeof(path)),
	    (int) sizeof("/dev/axtest/ofd"));
	ck_assert_str_eq(path, "/dev/axtest/ofd");
	ck_assert_uint_eq(info.count, 2);
	ck_assert_uint_eq(info.offset, 5);
	ck_assert_int_eq(axon__io_close(b), 0);
	ck_assert_int_ge(iofdinfo(a, 0, &info, NULL, 0), 1);
	ck_assert_uint_eq(info.count, 1);
	ck_assert_uint_eq(info.offset, 5);
	ck_assert_int_eq(axon__io_close(a), 0);
	axt_child_kill(&m);
}
END_TEST

START_TEST(test_netpath_resolve_list)
{
	struct axon_path_entry *e = NULL;
	struct axt_child hello, store, loc, glob, lhere;
	char buf[64];
	int nd, n, coid;
	bool found = false;

	start_nodes();
	nd = axn_nd(0, 1);
	ck_assert_int_gt(nd, 0);
	hello = device_on(1, "/dev/axtest/hello", "Hello from beta\n", "0444");
	store = device_on(1, "/dev/axtest/store", "", "0666");
	/* RESOLVE: the manager, the handle it attached, no rest. */
	n = axon__netpath(nd, AXON_WIRE_PATH_RESOLVE, _FTYPE_ANY,
	    "/dev/axtest/hello", &e);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(e[0].pid, hello.pid);
	ck_assert_int_eq(e[0].handle, hello.val);
	ck_assert_str_eq(e[0].mount, "");
	free(e);
	/* A path normalised there; a path nobody attached. */
	n = axon__netpath(nd, AXON_WIRE_PATH_RESOLVE, _FTYPE_ANY,
	    "//dev/./axtest/../axtest/hello", &e);
	ck_assert_int_eq(n, 1);
	free(e);
	n = axon__netpath(nd, AXON_WIRE_PATH_RESOLVE, _FTYPE_ANY,
	    "/dev/axtest/nope", &e);
	ck_assert_int_eq(n, 0);
	ck_assert_ptr_null(e);
	/* LIST: the mountpoints at or below the path. */
	n = axon__netpath(nd, AXON_WIRE_PATH_LIST, 0, "/dev", &e);
	ck_assert_int_eq(n, 2);
	for (int i = 0; i < n; i++) {
		found |= strcmp(e[i].mount, "/dev/axtest/hello") == 0 &&
		    e[i].pid == hello.pid;
	}
	ck_assert(found);
	free(e);
	n = axon__netpath(nd, AXON_WIRE_PATH_LIST, 0, "/usr", &e);
	ck_assert_int_eq(n, 0);
	free(e);
	/* Bad questions: no such node, a relative path, a newline. */
	ck_assert_int_eq(axon__netpath(4000, AXON_WIRE_PATH_RESOLVE, 0, "/x",
	    &e), -ENXIO);
	ck_assert_int_eq(axon__netpath(nd, AXON_WIRE_PATH_RESOLVE, 0, "x",
	    &e), -EINVAL);
	ck_assert_int_eq(axon__netpath(nd, AXON_WIRE_PATH_RESOLVE, 0,
	    "/a\nb", &e), -EINVAL);
	ck_assert_int_eq(axon__netpath(0, AXON_WIRE_PATH_RESOLVE, 0, "/x",
	    &e), -EINVAL);

	/* The _IO_* client on beta's manager, through both axonds. */
	coid = axon__io_open_nd(nd, "/dev/axtest/hello", _IO_FLAG_RD, 0);
	ck_assert_int_gt(coid, 0);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(axon__io_read(coid, buf, sizeof(buf)), 16);
	ck_assert_str_eq(buf, "Hello from beta\n");
	ck_assert_int_eq(axon__io_close(coid), 0);
	coid = axon__io_open_nd(nd, "/dev/axtest/store", _IO_FLAG_WR, 0);
	ck_assert_int_gt(coid, 0);
	ck_assert_int_eq(axon__io_write(coid, "x\n", 2), 2);
	ck_assert_int_eq(axon__io_close(coid), 0);
	ck_assert_int_eq(axon__io_open_nd(nd, "/dev/axtest/nope", _IO_FLAG_RD,
	    0), -ENOENT);
	/* Written to the device: read back. */
	coid = axon__io_open_nd(nd, "/dev/axtest/store", _IO_FLAG_RD, 0);
	ck_assert_int_gt(coid, 0);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(axon__io_read(coid, buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf, "x\n");
	ck_assert_int_eq(axon__io_close(coid), 0);

	/* name_open() of full paths. */
	loc = nsrv_start(1, "axtest/svc", 0);
	glob = nsrv_start(0, "axtest/glob", NAME_FLAG_ATTACH_GLOBAL);
	coid = name_open("/net/beta/dev/name/local/axtest/svc", 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(MsgSend(coid, "x", 2, NULL, 0), loc.pid);
	ck_assert_int_eq(name_close(coid), 0);
	/* This node's own name, under its own /net directory and not. */
	coid = name_open("/net/alpha/dev/name/global/axtest/glob", 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(MsgSend(coid, "x", 2, NULL, 0), glob.pid);
	ck_assert_int_eq(name_close(coid), 0);
	coid = name_open("/dev/name/global/axtest/glob", 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(MsgSend(coid, "x", 2, NULL, 0), glob.pid);
	ck_assert_int_eq(name_close(coid), 0);
	lhere = nsrv_start(0, "axtest/lsvc", 0);
	coid = name_open("/dev/name/local/axtest/lsvc", 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(MsgSend(coid, "x", 2, NULL, 0), lhere.pid);
	ck_assert_int_eq(name_close(coid), 0);
	coid = name_open("/net/alpha/dev/name/local/axtest/lsvc", 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(name_close(coid), 0);
	/* What is not there, and what is no name's path. */
	errno = 0;
	ck_assert_int_eq(name_open("/net/beta/dev/name/local/nope", 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(name_open("/dev/name/local/axtest/svc", 0), -1);
	ck_assert_int_eq(errno, ENOENT); /* beta's, not alpha's */
	ck_assert_int_eq(name_open("/net/nosuch/dev/name/local/x", 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(name_open("/net/beta/dev/axtest/hello", 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(name_open("/net/beta/dev/name/local/../x", 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(name_open("/tmp/x", 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	axt_child_kill(&loc);
	axt_child_kill(&glob);
	axt_child_kill(&lhere);
	axt_child_kill(&hello);
	axt_child_kill(&store);
}
END_TEST

/* A frame to the control socket as raw bytes; whether axond then
 * closed the connection (read gives end of file within 5 s). */
static bool
ctl_closes(const uint8_t *frame, size_t len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct pollfd p;
	uint8_t buf[256];
	bool closed = false;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_lt(snprintf(sa.sun_path, sizeof(sa.sun_path),
	    "%s/axond.sock", axn[0].rundir), (int) sizeof(sa.sun_path));
	ck_assert_int_eq(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	ck_assert_int_eq(send(fd, frame, len, MSG_NOSIGNAL), (ssize_t) len);
	for (double end = axt_now() + 5; !closed && axt_now() < end;) {
		ssize_t n;

		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, 100) <= 0) {
			continue;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			closed = true;
		} else {
			break; /* an answer: the connection stays */
		}
	}
	(void) close(fd);
	return closed;
}

/* Malformed PATH_REQ frames close the caller's connection, nothing
 * else; a good one after them is answered. */
START_TEST(test_path_frames_malformed)
{
	struct axon_wire_frame f;
	struct axon_path_entry *e = NULL;
	uint8_t buf[256];
	static const uint8_t path[] = "/dev/x";
	long n;
	int nd;

	start_nodes();
	nd = axn_nd(0, 1);
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_PATH_REQ;
	f.flags = AXON_WF_FIRST | AXON_WF_LAST;
	f.conn = (uint32_t) nd;
	f.msg = 1;
	f.u.path.op = AXON_WIRE_PATH_RESOLVE;
	f.data = path;
	f.data_len = sizeof(path);
	n = axon__wire_encode(&f, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	/* The good frame is answered, the connection stays. */
	ck_assert(!ctl_closes(buf, (size_t) n));
	/* No NUL at the end. */
	buf[n - 1] = 'x';
	ck_assert(ctl_closes(buf, (size_t) n));
	/* A relative path. */
	buf[n - 1] = '\0';
	buf[n - (long) sizeof(path)] = 'd';
	ck_assert(ctl_closes(buf, (size_t) n));
	/* An unknown op. */
	buf[n - (long) sizeof(path)] = '/';
	buf[AXON_WIRE_HDR_SIZE] = 7;
	ck_assert(ctl_closes(buf, (size_t) n));
	/* axond serves on, here and on beta. */
	ck_assert_int_eq(axon__netpath(nd, AXON_WIRE_PATH_LIST, 0, "/", &e),
	    0);
	free(e);
	ck_assert_int_eq(kill(axn[0].pid, 0), 0);
	ck_assert_int_eq(kill(axn[1].pid, 0), 0);
}
END_TEST

/* Malformed _IO_* messages from a client on alpha, through both axonds,
 * to a manager on beta: each gets its error, the manager and the axonds
 * serve on (the decoder is fuzz_iomsg's). */
START_TEST(test_net_malformed_io)
{
	struct axon_path_entry *e = NULL;
	struct axt_child m;
	char big[256];
	struct _io_connect *c = (struct _io_connect *) big;
	struct _io_read rd = {.type = _IO_READ, .nbytes = 4};
	uint16_t type;
	int nd, coid;

	start_nodes();
	nd = axn_nd(0, 1);
	m = device_on(1, "/dev/axtest/mal", "abc", "0666");
	wait_path(nd, "/dev/axtest/mal");
	ck_assert_int_eq(axon__netpath(nd, AXON_WIRE_PATH_RESOLVE, _FTYPE_ANY,
	    "/dev/axtest/mal", &e), 1);
	coid = ConnectAttach((uint32_t) nd, e[0].pid, e[0].chid,
	    _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	/* Not even a type; a read cut short; a read with nothing open; a
	 * type of the _IO_ range with no handler. */
	ck_assert_int_eq(MsgSend(coid, "x", 1, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_int_eq(MsgSend(coid, &rd, 4, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_int_eq(MsgSend(coid, &rd, sizeof(rd), NULL, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	type = 0x1f0;
	ck_assert_int_eq(MsgSend(coid, &type, sizeof(type), NULL, 0), -1);
	ck_assert_int_eq(errno, ENOSYS);
	/* Connects: a path past the message, no NUL, a bad subtype, an
	 * unknown handle. */
	memset(big, 0, sizeof(big));
	c->type = _IO_CONNECT;
	c->subtype = _IO_CONNECT_OPEN;
	c->ioflag = _IO_FLAG_RD;
	c->handle = (uint32_t) e[0].handle;
	c->path_len = 200;
	ck_assert_int_eq(MsgSend(coid, big, offsetof(struct _io_connect, path)
	    + 10, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADMSG);
	c->path_len = 4;
	memcpy(c->path, "abcd", 4);
	ck_assert_int_eq(MsgSend(coid, big, offsetof(struct _io_connect, path)
	    + 4, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADMSG);
	c->path_len = 1;
	c->path[0] = '\0';
	c->subtype = 8;
	ck_assert_int_eq(MsgSend(coid, big, offsetof(struct _io_connect, path)
	    + 1, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADMSG);
	c->subtype = _IO_CONNECT_OPEN;
	c->handle = 77;
	ck_assert_int_eq(MsgSend(coid, big, offsetof(struct _io_connect, path)
	    + 1, NULL, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* Then a good open and read on the same connection. */
	c->handle = (uint32_t) e[0].handle;
	ck_assert_int_eq(MsgSend(coid, big, offsetof(struct _io_connect, path)
	    + 1, NULL, 0), 0);
	ck_assert_int_eq(MsgSend(coid, &rd, sizeof(rd), big, sizeof(big)), 3);
	ck_assert_int_eq(memcmp(big, "abc", 3), 0);
	ck_assert_int_eq(ConnectDetach(coid), 0);
	free(e);
	ck_assert_int_eq(waitpid(m.pid, NULL, WNOHANG), 0);
	ck_assert_int_eq(kill(axn[0].pid, 0), 0);
	ck_assert_int_eq(kill(axn[1].pid, 0), 0);
	axt_child_kill(&m);
}
END_TEST

/* ---- the net directory (FUSE) ---- */

static bool
fs_usable(const char *test)
{
	return fs_usable_for(test, "FUSE mounts");
}

static bool
net_mounted(void)
{
	struct stat a, b;

	return stat(netdir, &a) == 0 && stat(axn[0].rundir, &b) == 0 &&
	    a.st_dev != b.st_dev;
}

/* Starts both nodes, alpha with `--fs yes` and its net directory at
 * $rundir/netx; beta with `extra` (e.g. "--maproot none"). */
static void
start_with_fs(const char *beta_extra)
{
	const char *b = getenv("AXON_FS");
	char prog[PATH_MAX];

	/* Absolute: axond runs it from its own working directory
	 * (`make check` gives a relative AXON_FS). */
	ck_assert_ptr_nonnull(realpath(b != NULL ? b : "build/axon-fs", prog));
	snprintf(netdir, sizeof(netdir), "%s/netx", axn[0].rundir);
	ck_assert_int_lt(snprintf(axn[0].extra, sizeof(axn[0].extra),
	    "--fs yes --fs-program %s --net-dir %s", prog, netdir),
	    (int) sizeof(axn[0].extra));
	snprintf(axn[1].extra, sizeof(axn[1].extra), "%s", beta_extra);
	/* The helpers of other users reach alpha's node. */
	ck_assert_int_eq(chmod(axn[0].rundir, 0755), 0);
	ck_assert_int_eq(chmod(axn[1].rundir, 0755), 0);
	start_nodes();
	for (int i = 0; i < 1000 && !net_mounted(); i++) {
		axt_sleep_ms(10);
	}
	ck_assert_msg(net_mounted(), "no net directory at %s", netdir);
}

/* cat, echo >, ls, stat and devctl on /net/beta/... from alpha as root,
 * and /net/alpha/... (this node's own namespace). */
START_TEST(test_net_tools)
{
	struct axt_child hello, store, ctl, here, secret;
	char out[512], path[PATH_MAX + 64];
	union my_devctl u;
	int fd, info = -1, v;

	if (!fs_usable("test_net_tools")) {
		return;
	}
	start_with_fs("--maproot none");
	hello = device_on(1, "/dev/axtest/hello", "Hello from beta\n", "0444");
	store = device_on(1, "/dev/axtest/store", "", "0666");
	ctl = device_on(1, "/dev/axtest/ctl", "", "0666");
	secret = device_on(1, "/dev/axtest/secret", "secret\n", "0600");
	here = device_on(0, "/dev/axtest/here", "Hello from alpha\n", "0444");
	wait_path(axn_nd(0, 1), "/dev/axtest/ctl");
	/* The nodes. */
	ck_assert_int_eq(sh(out, sizeof(out), 10, "ls %s", netdir), 0);
	ck_assert_str_eq(out, "alpha\nbeta\n");
	/* `axon paths` says where they are. */
	{
		const char *cli = getenv("AXON_CLI");
		char want[PATH_MAX * 2 + 32];

		ck_assert_int_eq(sh(out, sizeof(out), 10, "AXON_RUNDIR=%s %s "
		    "paths", axn[0].rundir, cli != NULL ? cli : "build/axon"),
		    0);
		snprintf(want, sizeof(want), "fs %s/fs\nnet %s\n",
		    axn[0].rundir, netdir);
		ck_assert_str_eq(out, want);
	}
	/* cat, ls, stat of beta's paths. */
	ck_assert_int_eq(sh(out, sizeof(out), 10, "cat %s/beta/dev/axtest/hello",
	    netdir), 0);
	ck_assert_str_eq(out, "Hello from beta\n");
	ck_assert_int_eq(sh(out, sizeof(out), 10, "ls %s/beta/dev/axtest",
	    netdir), 0);
	ck_assert_str_eq(out, "ctl\nhello\nsecret\nstore\n");
	ck_assert_int_eq(sh(out, sizeof(out), 10, "ls %s/beta", netdir), 0);
	ck_assert_str_eq(out, "dev\n");
	ck_assert_int_eq(sh(out, sizeof(out), 10, "stat -c '%%s %%a %%F' "
	    "%s/beta/dev/axtest/hello", netdir), 0);
	ck_assert_str_eq(out, "16 444 regular file\n");
	ck_assert_int_eq(sh(out, sizeof(out), 10, "stat -c '%%F' %s/beta/dev",
	    netdir), 0);
	ck_assert_str_eq(out, "directory\n");
	/* root's root is kept (beta runs --maproot none): the 0600 root
	 * device is root's. */
	ck_assert_int_eq(sh(out, sizeof(out), 10,
	    "cat %s/beta/dev/axtest/secret", netdir), 0);
	ck_assert_str_eq(out, "secret\n");
	/* echo > then cat. */
	ck_assert_int_eq(sh(out, sizeof(out), 10, "echo written on alpha > "
	    "%s/beta/dev/axtest/store && cat %s/beta/dev/axtest/store",
	    netdir, netdir), 0);
	ck_assert_str_eq(out, "written on alpha\n");
	/* This node's own namespace under its name. */
	ck_assert_int_eq(sh(out, sizeof(out), 10, "cat %s/alpha/dev/axtest/here",
	    netdir), 0);
	ck_assert_str_eq(out, "Hello from alpha\n");
	ck_assert_int_ne(sh(out, sizeof(out), 10, "cat %s/alpha/dev/axtest/hello"
	    " 2>/dev/null", netdir), 0);
	/* Not there: a path, a node. */
	ck_assert_int_ne(sh(out, sizeof(out), 10, "cat %s/beta/dev/axtest/nope "
	    "2>/dev/null", netdir), 0);
	snprintf(path, sizeof(path), "%s/gamma", netdir);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* devctl() on a descriptor of beta's device. */
	snprintf(path, sizeof(path), "%s/beta/dev/axtest/ctl", netdir);
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	v = 1234;
	ck_assert_int_eq(devctl(fd, MY_DEVCTL_SETVAL, &v, sizeof(v), &info),
	    EOK);
	ck_assert_int_eq(info, 42);
	u.in = 77;
	ck_assert_int_eq(devctl(fd, MY_DEVCTL_SETGET, &u, sizeof(u), NULL),
	    EOK);
	ck_assert_int_eq(u.out, 1234);
	v = 0;
	ck_assert_int_eq(devctl(fd, MY_DEVCTL_GETVAL, &v, sizeof(v), NULL),
	    EOK);
	ck_assert_int_eq(v, 77);
	ck_assert_int_eq(devctl(fd, 0x7777, &v, sizeof(v), NULL), ENOSYS);
	(void) close(fd);
	axt_child_kill(&hello);
	axt_child_kill(&store);
	axt_child_kill(&ctl);
	axt_child_kill(&secret);
	axt_child_kill(&here);
}
END_TEST

/* The attacker (an unprivileged user of alpha) through the net
 * directory: its reads and writes reach beta's managers as its own
 * uid, and the managers' iofunc checks refuse what their modes refuse.
 * Root is mapped by beta's default --maproot (nobody): refused too. */
static void
net_attacker(int rep, void *arg)
{
	char path[PATH_MAX + 64], buf[64];
	int fd, r;

	(void) arg;
	axa_become();
	snprintf(path, sizeof(path), "%s/beta/dev/axtest/secret", netdir);
	fd = open(path, O_RDONLY);
	axt_report(rep, fd < 0 ? errno : 0);
	snprintf(path, sizeof(path), "%s/beta/dev/axtest/public", netdir);
	fd = open(path, O_RDONLY);
	r = fd < 0 ? -errno : (int) read(fd, buf, sizeof(buf));
	axt_report(rep, r);
	/* 0644: readable, not writable by another user. */
	fd = open(path, O_WRONLY);
	axt_report(rep, fd < 0 ? errno : 0);
	_exit(0);
}

START_TEST(test_net_permissions_attack)
{
	struct axt_child s, pub, a;
	char out[256];
	int r[3], pp[2];

	if (!fs_usable("test_net_permissions_attack") ||
	    !axa_user("test_net_permissions_attack")) {
		return;
	}
	start_with_fs("");
	s = device_on(1, "/dev/axtest/secret", "secret\n", "0600");
	pub = device_on(1, "/dev/axtest/public", "public\n", "0644");
	wait_path(axn_nd(0, 1), "/dev/axtest/public");
	/* root on alpha is nobody on beta (the default --maproot). */
	ck_assert_int_ne(sh(out, sizeof(out), 10, "cat %s/beta/dev/axtest/"
	    "secret 2>/dev/null", netdir), 0);
	ck_assert_int_eq(sh(out, sizeof(out), 10, "cat %s/beta/dev/axtest/"
	    "public", netdir), 0);
	ck_assert_str_eq(out, "public\n");
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	a.pid = fork();
	ck_assert_int_ge(a.pid, 0);
	if (a.pid == 0) {
		(void) close(pp[0]);
		net_attacker(pp[1], NULL);
	}
	(void) close(pp[1]);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(read(pp[0], &r[i], sizeof(int)), sizeof(int));
	}
	(void) close(pp[0]);
	ck_assert_int_eq(axt_child_wait(&a, 10), 0);
	ck_assert_int_eq(r[0], EACCES);
	ck_assert_int_eq(r[1], 7);
	ck_assert_int_eq(r[2], EACCES);
	axt_child_kill(&s);
	axt_child_kill(&pub);
}
END_TEST

/* beta's axond dies: /net/beta calls fail with EHOSTDOWN/EHOSTUNREACH
 * within the bound (connect timeout), an open file of beta's fails, and
 * the rest of /net stays usable. */
START_TEST(test_net_lost_node)
{
	struct axt_child hello, here;
	char out[256], path[PATH_MAX + 64], buf[64];
	double t0, bound = 5.0 * axn_scale();
	int fd, err;

	if (!fs_usable("test_net_lost_node")) {
		return;
	}
	start_with_fs("--maproot none");
	hello = device_on(1, "/dev/axtest/hello", "Hello from beta\n", "0444");
	here = device_on(0, "/dev/axtest/here", "Hello from alpha\n", "0444");
	wait_path(axn_nd(0, 1), "/dev/axtest/hello");
	snprintf(path, sizeof(path), "%s/beta/dev/axtest/hello", netdir);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, sizeof(buf), 0), 16);
	axn_kill(1, SIGKILL);
	t0 = axt_now();
	ck_assert_int_eq(open(path, O_RDONLY), -1);
	err = errno;
	ck_assert_msg(err == EHOSTDOWN || err == EHOSTUNREACH,
	    "open after the node died: %s", strerror(err));
	ck_assert_msg(axt_now() - t0 < bound, "took %.1f s", axt_now() - t0);
	/* The open file: its connection went with the session. */
	ck_assert_int_eq(pread(fd, buf, sizeof(buf), 0), -1);
	(void) close(fd);
	/* The rest of /net. */
	ck_assert_int_eq(sh(out, sizeof(out), 10, "ls %s", netdir), 0);
	ck_assert_str_eq(out, "alpha\nbeta\n");
	ck_assert_int_eq(sh(out, sizeof(out), 10, "cat %s/alpha/dev/axtest/here",
	    netdir), 0);
	ck_assert_str_eq(out, "Hello from alpha\n");
	ck_assert_int_ne(sh(out, sizeof(out), 10, "ls %s/beta/dev 2>/dev/null",
	    netdir), 0);
	axt_child_kill(&hello);
	axt_child_kill(&here);
}
END_TEST

/* A reader of path (the test's own child, not axt_spawn's: its first
 * report is after the open): reports 0 once open, then the read's
 * result: its errno, or 1000 + the bytes it got. */
static pid_t
net_reader(const char *path, int *rep)
{
	int pp[2];
	pid_t pid;

	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char buf[16];
		int fd, v;
		ssize_t n;

		(void) close(pp[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = open(path, O_RDONLY);
		v = fd < 0 ? -errno : 0;
		(void) !write(pp[1], &v, sizeof(v));
		if (fd < 0) {
			_exit(1);
		}
		n = read(fd, buf, sizeof(buf));
		v = n < 0 ? errno : 1000 + (int) n;
		(void) !write(pp[1], &v, sizeof(v));
		_exit(0);
	}
	(void) close(pp[1]);
	*rep = pp[0];
	return pid;
}

/* The reader's next report (bounded), or -9999. */
static int
net_reader_result(int rep, double timeout_s)
{
	struct pollfd pf = {.fd = rep, .events = POLLIN};
	int v = -9999;

	if (poll(&pf, 1, (int) (timeout_s * 1000)) == 1 &&
	    read(rep, &v, sizeof(v)) != sizeof(v)) {
		v = -9999;
	}
	return v;
}

/* Whether the reader is still in its read (nothing reported yet). */
static bool
net_reader_waits(int rep)
{
	struct pollfd pf = {.fd = rep, .events = POLLIN};

	return poll(&pf, 1, 0) == 0;
}

static void
net_reader_reap(pid_t pid, double timeout_s)
{
	double end = axt_now() + timeout_s;
	pid_t w;

	while ((w = waitpid(pid, NULL, WNOHANG)) == 0 && axt_now() < end) {
		axt_sleep_ms(10);
	}
	ck_assert_msg(w == pid, "reader %d did not end", (int) pid);
}

/* ls of dir through the shell, until it gives want (bounded). */
static void
wait_listing(const char *dir, const char *want)
{
	char out[512];

	for (int i = 0; i < 200; i++) {
		if (sh(out, sizeof(out), 10, "ls %s 2>/dev/null", dir) == 0 &&
		    strcmp(out, want) == 0) {
			return;
		}
		axt_sleep_ms(25);
	}
	ck_abort_msg("ls %s: '%s', not '%s'", dir, out, want);
}

/*
 * A manager on beta with readers blocked in it through alpha's /net:
 * while it holds them (hung, for them), beta's other paths, alpha's and
 * the /net listing answer; when it dies, every blocked reader gets an
 * error and its path vanishes from /net/beta.
 */
/* poll() on another node's path waits for its manager's data: the
 * manager's trigger goes back through both axonds (the wire's EVENT). */
START_TEST(test_net_poll)
{
	struct axt_child m;
	char path[PATH_MAX + 64];
	struct pollfd pfd = {.events = POLLIN};
	int p[2], w, armed = -1, val = -1;
	double t0, bound = 10.0 * axn_scale();
	pid_t pid;

	if (!fs_usable("test_net_poll")) {
		return;
	}
	start_with_fs("--maproot none");
	m = device_on(1, "/dev/axtest/notify", "", "0666");
	wait_path(axn_nd(0, 1), "/dev/axtest/notify");
	snprintf(path, sizeof(path), "%s/beta/dev/axtest/notify", netdir);
	w = open(path, O_RDWR);
	ck_assert_int_ge(w, 0);
	pfd.fd = w;
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct pollfd c = {.events = POLLIN};
		int r;

		(void) close(p[0]);
		c.fd = open(path, O_RDONLY);
		r = c.fd < 0 ? -1 : poll(&c, 1, (int) (bound * 2000));
		axt_report(p[1], r <= 0 ? r : c.revents);
		_exit(0);
	}
	(void) close(p[1]);
	/* The child's poll armed beta's manager (a poll that does not
	 * wait, as the one above, arms nothing). */
	t0 = axt_now();
	do {
		axt_sleep_ms(5);
		ck_assert_int_eq(devctl(w, MY_DEVCTL_ARMED, &armed,
		    sizeof(armed), NULL), EOK);
	} while (armed != 1 && axt_now() - t0 < bound);
	ck_assert_int_eq(armed, 1);
	ck_assert_int_eq(write(w, "beta", 4), 4);
	ck_assert_int_eq(read(p[0], &val, sizeof(val)), sizeof(val));
	ck_assert_int_eq(val & (POLLIN | POLLERR | POLLNVAL), POLLIN);
	ck_assert_int_eq(axt_waitpid(pid, bound), 0);
	(void) close(p[0]);
	(void) close(w);
	axt_child_kill(&m);
}
END_TEST

START_TEST(test_net_manager_dies)
{
	struct axt_child store, hello, here;
	char out[256], path[PATH_MAX + 64], dir[PATH_MAX + 64];
	double bound = 5.0 * axn_scale();
	pid_t r[2];
	int rep[2], v;

	if (!fs_usable("test_net_manager_dies")) {
		return;
	}
	start_with_fs("--maproot none");
	store = device_on(1, "/dev/axtest/store", "", "0666");
	hello = device_on(1, "/dev/axtest/hello", "Hello from beta\n", "0444");
	here = device_on(0, "/dev/axtest/here", "Hello from alpha\n", "0444");
	wait_path(axn_nd(0, 1), "/dev/axtest/store");
	snprintf(path, sizeof(path), "%s/beta/dev/axtest/store", netdir);
	snprintf(dir, sizeof(dir), "%s/beta/dev/axtest", netdir);
	for (int i = 0; i < 2; i++) {
		r[i] = net_reader(path, &rep[i]);
		ck_assert_int_eq(net_reader_result(rep[i], bound), 0);
	}
	/* (Nothing was written: the device holds them.)  Both are in their
	 * read (not a fixed delay: on a loaded machine a reader may not
	 * have reached it before the manager dies). */
	ck_assert(axt_wait_syscall(r[0], SYS_read) &&
	    axt_wait_syscall(r[1], SYS_read));
	ck_assert(net_reader_waits(rep[0]) && net_reader_waits(rep[1]));
	/* The rest of /net and of the namespaces serves meanwhile. */
	ck_assert_int_eq(sh(out, sizeof(out), 10, "cat %s/beta/dev/axtest/"
	    "hello", netdir), 0);
	ck_assert_str_eq(out, "Hello from beta\n");
	ck_assert_int_eq(sh(out, sizeof(out), 10, "cat %s/alpha/dev/axtest/"
	    "here", netdir), 0);
	ck_assert_str_eq(out, "Hello from alpha\n");
	ck_assert_int_eq(sh(out, sizeof(out), 10, "ls %s", dir), 0);
	ck_assert_str_eq(out, "hello\nstore\n");
	ck_assert_int_eq(sh(out, sizeof(out), 10, "stat -c %%a %s", path), 0);
	ck_assert_str_eq(out, "666\n");
	ck_assert(net_reader_waits(rep[0]) && net_reader_waits(rep[1]));
	/* The manager dies: both readers are released with an error. */
	axt_child_kill(&store);
	for (int i = 0; i < 2; i++) {
		v = net_reader_result(rep[i], bound);
		ck_assert_msg(v == EIO, "reader %d: %d", i, v); /* gone */
		net_reader_reap(r[i], bound);
		(void) close(rep[i]);
	}
	/* Its path is gone; the others stay. */
	wait_listing(dir, "hello\n");
	ck_assert_int_ne(sh(out, sizeof(out), 10, "stat %s 2>/dev/null",
	    path), 0);
	ck_assert_int_eq(sh(out, sizeof(out), 10, "cat %s/beta/dev/axtest/"
	    "hello", netdir), 0);
	ck_assert_str_eq(out, "Hello from beta\n");
	axt_child_kill(&hello);
	axt_child_kill(&here);
}
END_TEST

/* Whether path is a mount point in this process's mount table. */
static bool
netfs_mounted_at(const char *path)
{
	char line[4096], want[PATH_MAX + 4];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	ck_assert_ptr_nonnull(f);
	snprintf(want, sizeof(want), " %s ", path);
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		found = strstr(line, want) != NULL;
	}
	(void) fclose(f);
	return found;
}


/*
 * alpha's axond stops (SIGTERM), then dies (SIGKILL), each time with a
 * reader blocked through /net and one blocked in alpha's own mount: the
 * readers are released with an error, axon-fs goes, neither mount is
 * left behind; started again, alpha mounts both and /net/beta serves.
 */
START_TEST(test_net_axond_restart)
{
	static const int sigs[2] = {SIGTERM, SIGKILL};
	struct axt_child store, lstore, hello;
	char out[256], net_path[PATH_MAX + 64], fs_path[PATH_MAX + 64];
	char fsdir[PATH_MAX];
	double bound = 10.0 * axn_scale();

	if (!fs_usable("test_net_axond_restart")) {
		return;
	}
	start_with_fs("--maproot none");
	snprintf(fsdir, sizeof(fsdir), "%s/fs", axn[0].rundir);
	store = device_on(1, "/dev/axtest/store", "", "0666");
	hello = device_on(1, "/dev/axtest/hello", "Hello from beta\n", "0444");
	lstore = device_on(0, "/dev/axtest/lstore", "", "0666");
	wait_path(axn_nd(0, 1), "/dev/axtest/store");
	snprintf(net_path, sizeof(net_path), "%s/beta/dev/axtest/store",
	    netdir);
	snprintf(fs_path, sizeof(fs_path), "%s/dev/axtest/lstore", fsdir);
	for (int round = 0; round < 2; round++) {
		pid_t r[2], fs;
		int rep[2], v;

		for (int i = 0; i < 1000 && !netfs_mounted_at(fsdir); i++) {
			axt_sleep_ms(10);
		}
		ck_assert(netfs_mounted_at(fsdir) && netfs_mounted_at(netdir));
		fs = child_named(axn[0].pid, "axon-fs");
		ck_assert_int_gt(fs, 0);
		r[0] = net_reader(net_path, &rep[0]);
		r[1] = net_reader(fs_path, &rep[1]);
		for (int i = 0; i < 2; i++) {
			ck_assert_int_eq(net_reader_result(rep[i], bound), 0);
		}
		/* Both in their read before axond goes (not a fixed delay:
		 * on a loaded machine one may not be there yet). */
		ck_assert(axt_wait_syscall(r[0], SYS_read) &&
		    axt_wait_syscall(r[1], SYS_read));
		ck_assert(net_reader_waits(rep[0]) &&
		    net_reader_waits(rep[1]));
		axn_kill(0, sigs[round]);
		for (int i = 0; i < 2; i++) {
			v = net_reader_result(rep[i], bound);
			if (v == -9999) { /* hung: who waits where, for the log */
				(void) !system("ps -eo pid,ppid,stat,wchan:30,args"
				    " | grep -E 'axon-fs|fusermount|test_netfs' >&2");
			}
			/* The session went (EHOSTUNREACH or EHOSTDOWN,
			 * through /net) or the mount's requests were aborted
			 * with the bridge (ECONNABORTED). */
			ck_assert_msg(v == ECONNABORTED || (i == 0 &&
			    (v == EHOSTUNREACH || v == EHOSTDOWN)),
			    "round %d, reader %d: %s", round, i,
			    v > 0 ? strerror(v) : "hung");
			net_reader_reap(r[i], bound);
			(void) close(rep[i]);
		}
		/* axon-fs and both mounts go with it. */
		for (double end = axt_now() + bound; axt_now() < end &&
		    (kill(fs, 0) == 0 || netfs_mounted_at(fsdir) ||
		    netfs_mounted_at(netdir));) {
			axt_sleep_ms(10);
		}
		if (kill(fs, 0) == 0 || netfs_mounted_at(fsdir) ||
		    netfs_mounted_at(netdir)) { /* for the log */
			(void) !system("ps -eo pid,ppid,stat,wchan:30,args | "
			    "grep -E 'axon-fs|fusermount' >&2; "
			    "grep axon /proc/self/mountinfo >&2");
		}
		ck_assert_msg(kill(fs, 0) == -1, "round %d: axon-fs stays",
		    round);
		ck_assert_msg(!netfs_mounted_at(fsdir), "round %d: %s stays",
		    round, fsdir);
		ck_assert_msg(!netfs_mounted_at(netdir), "round %d: %s stays",
		    round, netdir);
		/* Up again: both mounts, and /net/beta serves. */
		axn_start(0);
		ck_assert(axn_wait_state(0, 1, "up", 5000));
		for (int i = 0; i < 1000 && !net_mounted(); i++) {
			axt_sleep_ms(10);
		}
		ck_assert_int_eq(sh(out, sizeof(out), 10, "cat %s/beta/dev/"
		    "axtest/hello", netdir), 0);
		ck_assert_str_eq(out, "Hello from beta\n");
	}
	axt_child_kill(&store);
	axt_child_kill(&hello);
	axt_child_kill(&lstore);
}
END_TEST

/* A manager on beta that lies (resmgr_managers.h): its directory is not
 * records, its file claims more than it sends; through alpha's /net the
 * callers get errors, root and another user alike, and the bridge, the
 * axonds and the rest of /net go on. */
START_TEST(test_net_lying_manager)
{
	struct axt_child liar, hello;
	char out[256];

	if (!fs_usable("test_net_lying_manager")) {
		return;
	}
	start_with_fs("--maproot none");
	axn_enter(1);
	liar = axt_spawn(mgr_liar, NULL);
	axn_enter(0);
	ck_assert_int_ge(liar.val, 0);
	hello = device_on(1, "/dev/axtest/hello", "Hello from beta\n", "0444");
	wait_path(axn_nd(0, 1), "/axtest/liar");
	ck_assert_int_ne(sh(out, sizeof(out), 10, "ls %s/beta/axtest/liar "
	    "2>/dev/null", netdir), 0);
	ck_assert_int_ne(sh(out, sizeof(out), 10, "cat %s/beta/axtest/liar/big"
	    " 2>/dev/null", netdir), 0);
	ck_assert_str_eq(out, "");
	if (axa_user("test_net_lying_manager")) {
		ck_assert_int_ne(sh(out, sizeof(out), 10, "setpriv --reuid=%d "
		    "--regid=%d --clear-groups cat %s/beta/axtest/liar/big "
		    "2>/dev/null", (int) axa_uid, (int) axa_gid, netdir), 0);
		ck_assert_str_eq(out, "");
	}
	ck_assert_int_eq(sh(out, sizeof(out), 10, "ls %s/beta/axtest", netdir),
	    0);
	ck_assert_str_eq(out, "liar\n");
	ck_assert_int_eq(sh(out, sizeof(out), 10, "cat %s/beta/dev/axtest/"
	    "hello", netdir), 0);
	ck_assert_str_eq(out, "Hello from beta\n");
	ck_assert_int_eq(kill(axn[0].pid, 0), 0);
	ck_assert_int_eq(kill(axn[1].pid, 0), 0);
	axt_child_kill(&liar);
	axt_child_kill(&hello);
}
END_TEST

static Suite *
netfs_suite(void)
{
	Suite *s = suite_create("netfs");
	TCase *tc = axt_tcase("netfs", 90);

	tcase_add_unchecked_fixture(tc, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(tc, netfs_setup, netfs_teardown);
	tcase_add_test(tc, test_netpath_resolve_list);
	tcase_add_test(tc, test_net_openfd);
	tcase_add_test(tc, test_path_frames_malformed);
	tcase_add_test(tc, test_net_malformed_io);
	tcase_add_test(tc, test_net_tools);
	tcase_add_test(tc, test_net_permissions_attack);
	tcase_add_test(tc, test_net_lost_node);
	tcase_add_test(tc, test_net_manager_dies);
	tcase_add_test(tc, test_net_poll);
	tcase_add_test(tc, test_net_lying_manager);
	tcase_add_test(tc, test_net_axond_restart);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(netfs_suite());
}
