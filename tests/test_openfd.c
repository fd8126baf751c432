/* SPDX-License-Identifier: MIT */
/*
 * openfd() and iofdinfo() (openfd(3), iofdinfo(3)) with real managers
 * and clients: on an Axon connection to a manager, _IO_OPENFD makes a
 * second open of the same file (iofunc_openfd_default: access no wider,
 * its own offset, counted, closed on its own) and _IO_FDINFO reports an
 * open (iofunc_fdinfo_default: the OCB's and attribute's fields and the
 * attached path); on a Linux descriptor, Linux answers (a reopen
 * through /proc/self/fd; fstat, fcntl, lseek and readlink).  Malformed
 * messages from a raw client, a manager with neither handler, managers
 * and clients that die, and an unprivileged user who tries to widen an
 * open or to take another process's.
 */
#define _GNU_SOURCE
#include "resmgr_managers.h"

#include <sys/iomgr.h>
#include <unistd.h>

#define OFD_PATH  "/dev/axtest/ofd"
#define OFD_TEXT  "Hello, world\n" /* 13 bytes */

static struct _fdinfo
fdinfo_of(int fd)
{
	struct _fdinfo info;

	memset(&info, 0xa5, sizeof(info));
	ck_assert_int_ge(iofdinfo(fd, 0, &info, NULL, 0), 1);
	return info;
}

/* The manager behind coid: its pid and chid. */
static void
server_of(int coid, pid_t *pid, int *chid)
{
	struct _server_info si;

	ck_assert_int_eq(ConnectServerInfo(0, coid, &si), coid);
	*pid = si.pid;
	*chid = si.chid;
}

/* An _IO_OPENFD as openfd() builds it, naming src, with ioflag. */
static struct _io_openfd
openfd_msg(int src, int chid, uint32_t ioflag)
{
	struct _io_openfd m;

	memset(&m, 0, sizeof(m));
	m.type = _IO_OPENFD;
	m.combine_len = sizeof(m);
	m.ioflag = ioflag;
	m.info.chid = chid;
	m.info.coid = src;
	return m;
}

START_TEST(test_openfd_manager)
{
	struct axt_child m = start_device(OFD_PATH, OFD_TEXT, "0666");
	char buf[64], path[64];
	struct _fdinfo info;
	int a, b, c;

	a = axon__io_open(OFD_PATH, O_RDWR, 0);
	ck_assert_int_ge(a, 0);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(axon__io_read(a, buf, 5), 5);
	b = openfd(a, O_RDONLY);
	ck_assert_int_ge(b, 0);
	ck_assert_int_ne(b, a);
	ck_assert(b & _NTO_SIDE_CHANNEL); /* a connection id too */
	/* Its own offset: from the start, a's goes on. */
	ck_assert_int_eq(axon__io_read(b, buf, 5), 5);
	ck_assert_int_eq(memcmp(buf, "Hello", 5), 0);
	ck_assert_int_eq(axon__io_read(a, buf, 5), 5);
	ck_assert_int_eq(memcmp(buf, ", wor", 5), 0);
	/* Its own access: read only. */
	ck_assert_int_eq(axon__io_write(b, "x", 1), -EBADF);
	/* Both counted on the one attribute. */
	memset(path, 'x', sizeof(path));
	ck_assert_int_eq(iofdinfo(a, 0, &info, path, sizeof(path)),
	    (int) sizeof(OFD_PATH));
	ck_assert_str_eq(path, OFD_PATH);
	ck_assert_uint_eq(info.mode, S_IFCHR | 0666);
	ck_assert_uint_eq(info.ioflag, _IO_FLAG_RD | _IO_FLAG_WR);
	ck_assert_uint_eq(info.offset, 10);
	ck_assert_uint_eq(info.size, 13);
	ck_assert_uint_eq(info.count, 2);
	ck_assert_uint_eq(info.rcount, 2);
	ck_assert_uint_eq(info.wcount, 1);
	ck_assert_uint_eq(info.flags, 0);
	for (int i = 0; i < 6; i++) {
		ck_assert_uint_eq(info.zero[i], 0);
	}
	info = fdinfo_of(b);
	ck_assert_uint_eq(info.ioflag, _IO_FLAG_RD);
	ck_assert_uint_eq(info.offset, 5);
	/* No wider than the open it reopens. */
	errno = 0;
	ck_assert_int_eq(openfd(b, O_RDWR), -1);
	ck_assert_int_eq(errno, EACCES);
	errno = 0;
	ck_assert_int_eq(openfd(b, O_WRONLY), -1);
	ck_assert_int_eq(errno, EACCES);
	errno = 0;
	ck_assert_int_eq(openfd(a, O_RDONLY | O_TRUNC), -1);
	ck_assert_int_eq(errno, EACCES);
	/* Nothing was left counted by the refusals. */
	ck_assert_uint_eq(fdinfo_of(a).count, 2);
	/* Closing one leaves the other. */
	ck_assert_int_eq(axon__io_close(b), 0);
	ck_assert_uint_eq(fdinfo_of(a).count, 1);
	ck_assert_uint_eq(fdinfo_of(a).rcount, 1);
	ck_assert_int_eq(axon__io_read(a, buf, 3), 3);
	ck_assert_int_eq(memcmp(buf, "ld\n", 3), 0);
	/* O_APPEND: at the end. */
	c = openfd(a, O_WRONLY | O_APPEND | O_CLOEXEC);
	ck_assert_int_ge(c, 0);
	info = fdinfo_of(c);
	ck_assert_uint_eq(info.offset, 13);
	ck_assert_uint_eq(info.ioflag, _IO_FLAG_WR | O_APPEND);
	ck_assert_uint_eq(info.wcount, 2);
	/* The first closed, the second goes on. */
	ck_assert_int_eq(axon__io_close(a), 0);
	ck_assert_int_eq(axon__io_write(c, "new", 3), 3);
	info = fdinfo_of(c);
	ck_assert_uint_eq(info.count, 1);
	ck_assert_uint_eq(info.size, 3);
	/* A closed one, or none. */
	errno = 0;
	ck_assert_int_eq(openfd(a, O_RDONLY), -1);
	ck_assert_int_eq(errno, EBADF);
	errno = 0;
	ck_assert_int_eq(openfd(-1, O_RDONLY), -1);
	ck_assert_int_eq(errno, EBADF);
	/* Flags it does not take. */
	errno = 0;
	ck_assert_int_eq(openfd(c, O_WRONLY | O_CREAT), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(openfd(c, O_ACCMODE), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(axon__io_close(c), 0);
	axt_child_kill(&m);
}
END_TEST

/* A directory manager: the new open is on the file's own attribute, and
 * the path is the directory's, with its '/'. */
START_TEST(test_openfd_directory)
{
	struct axt_child m = axt_spawn(mgr_dir, NULL);
	char buf[16] = {0}, path[64];
	int a, b;

	ck_assert_int_ge(m.val, 0);
	a = axon__io_open("/axtest/dir/b", O_RDONLY, 0);
	ck_assert_int_ge(a, 0);
	b = openfd(a, O_RDONLY);
	ck_assert_int_ge(b, 0);
	ck_assert_int_eq(axon__io_read(b, buf, sizeof(buf) - 1), 7);
	ck_assert_str_eq(buf, "file b\n");
	ck_assert_int_eq(iofdinfo(b, _FDINFO_FLAG_LOCALPATH, NULL, path,
	    sizeof(path)), (int) sizeof("/axtest/dir/"));
	ck_assert_str_eq(path, "/axtest/dir/");
	ck_assert_uint_eq(fdinfo_of(b).mode, S_IFREG | 0444);
	ck_assert_uint_eq(fdinfo_of(b).count, 2);
	ck_assert_int_eq(axon__io_close(a), 0);
	ck_assert_int_eq(axon__io_close(b), 0);
	axt_child_kill(&m);
}
END_TEST

/* The path cut to the room given, always NUL-terminated; the return is
 * the room the whole path needs. */
START_TEST(test_fdinfo_manager_path)
{
	struct axt_child m = start_device(OFD_PATH, OFD_TEXT, "0644");
	char path[8];
	struct _fdinfo info;
	int a;

	a = axon__io_open(OFD_PATH, O_RDONLY, 0);
	ck_assert_int_ge(a, 0);
	memset(path, 'x', sizeof(path));
	ck_assert_int_eq(iofdinfo(a, 0, NULL, path, 4),
	    (int) sizeof(OFD_PATH));
	ck_assert_str_eq(path, "/de");
	ck_assert_int_eq(path[4], 'x'); /* nothing past the room */
	ck_assert_int_eq(iofdinfo(a, 0, NULL, path, 1),
	    (int) sizeof(OFD_PATH));
	ck_assert_str_eq(path, "");
	ck_assert_int_eq(iofdinfo(a, 0, &info, NULL, 100),
	    (int) sizeof(OFD_PATH));
	ck_assert_uint_eq(info.mode, S_IFCHR | 0644);
	ck_assert_int_eq(iofdinfo(a, 0, NULL, NULL, 0),
	    (int) sizeof(OFD_PATH));
	errno = 0;
	ck_assert_int_eq(iofdinfo(a, 0x10, NULL, path, sizeof(path)), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(iofdinfo(a, 0, NULL, path, -1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(axon__io_close(a), 0);
	errno = 0;
	ck_assert_int_eq(iofdinfo(a, 0, NULL, NULL, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	axt_child_kill(&m);
}
END_TEST

/* A manager whose table has neither: ENOSYS, and nothing opened. */
START_TEST(test_no_handlers)
{
	struct axt_child m = start_device("/dev/axtest/noofd", OFD_TEXT,
	    "0666");
	int a = axon__io_open("/dev/axtest/noofd", O_RDWR, 0);

	ck_assert_int_ge(a, 0);
	errno = 0;
	ck_assert_int_eq(openfd(a, O_RDONLY), -1);
	ck_assert_int_eq(errno, ENOSYS);
	errno = 0;
	ck_assert_int_eq(iofdinfo(a, 0, NULL, NULL, 0), -1);
	ck_assert_int_eq(errno, ENOSYS);
	ck_assert_int_eq(axon__io_close(a), 0);
	axt_child_kill(&m);
}
END_TEST

/* Malformed _IO_OPENFD and _IO_FDINFO from a raw client: errors, the
 * manager serving on, nothing left counted. */
START_TEST(test_malformed)
{
	struct axt_child m = start_device(OFD_PATH, OFD_TEXT, "0666");
	struct _io_openfd o;
	struct _io_fdinfo f;
	uint8_t junk[sizeof(o)];
	char buf[8];
	int a, r, raw, chid;
	pid_t pid;

	a = axon__io_open(OFD_PATH, O_RDONLY, 0);
	ck_assert_int_ge(a, 0);
	server_of(a, &pid, &chid);
	raw = ConnectAttach(0, pid, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(raw, 0);
	/* Short. */
	o = openfd_msg(a, chid, _IO_FLAG_RD);
	ck_assert_int_eq(MsgSend_r(raw, &o, 4, NULL, 0), -EBADMSG);
	ck_assert_int_eq(MsgSend_r(raw, &o, sizeof(o) - 1, NULL, 0),
	    -EBADMSG);
	/* Fields Axon gives no meaning to, not zero. */
	o.xtype = 1;
	ck_assert_int_eq(MsgSend_r(raw, &o, sizeof(o), NULL, 0), -EINVAL);
	o = openfd_msg(a, chid, _IO_FLAG_RD);
	o.key = 7;
	ck_assert_int_eq(MsgSend_r(raw, &o, sizeof(o), NULL, 0), -EINVAL);
	o = openfd_msg(a, chid, _IO_FLAG_RD);
	o.reserved2 = 1;
	ck_assert_int_eq(MsgSend_r(raw, &o, sizeof(o), NULL, 0), -EINVAL);
	/* No such open; another channel's. */
	o = openfd_msg(a + 1000, chid, _IO_FLAG_RD);
	ck_assert_int_eq(MsgSend_r(raw, &o, sizeof(o), NULL, 0), -EBADF);
	o = openfd_msg(a, chid + 1, _IO_FLAG_RD);
	ck_assert_int_eq(MsgSend_r(raw, &o, sizeof(o), NULL, 0), -EBADF);
	/* Flags iofunc_openfd() refuses: unknown, wider, O_TRUNC without
	 * writing (what openfd() itself never sends). */
	o = openfd_msg(a, chid, _IO_FLAG_RD | O_CREAT);
	ck_assert_int_eq(MsgSend_r(raw, &o, sizeof(o), NULL, 0), -EINVAL);
	o = openfd_msg(a, chid, _IO_FLAG_RD | _IO_FLAG_WR);
	ck_assert_int_eq(MsgSend_r(raw, &o, sizeof(o), NULL, 0), -EACCES);
	o = openfd_msg(a, chid, _IO_FLAG_RD | O_TRUNC);
	ck_assert_int_eq(MsgSend_r(raw, &o, sizeof(o), NULL, 0), -EACCES);
	/* On a connection that has an open already (a itself): EBUSY,
	 * and the OCB made for it is gone again. */
	o = openfd_msg(a, chid, _IO_FLAG_RD);
	ck_assert_int_eq(MsgSend_r(a, &o, sizeof(o), NULL, 0), -EBUSY);
	/* Garbage of the type's size. */
	for (size_t i = 0; i < sizeof(junk); i++) {
		junk[i] = (uint8_t) (i * 37 + 11);
	}
	memcpy(junk, &o.type, sizeof(o.type));
	r = (int) MsgSend_r(raw, junk, sizeof(junk), NULL, 0);
	ck_assert(r == -EINVAL || r == -EBADF);
	/* _IO_FDINFO: short, unknown flags, reserved, no open. */
	memset(&f, 0, sizeof(f));
	f.type = _IO_FDINFO;
	ck_assert_int_eq(MsgSend_r(a, &f, 6, NULL, 0), -EBADMSG);
	f.flags = 2;
	ck_assert_int_eq(MsgSend_r(a, &f, sizeof(f), NULL, 0), -EINVAL);
	f.flags = 0;
	f.reserved = 1;
	ck_assert_int_eq(MsgSend_r(a, &f, sizeof(f), NULL, 0), -EINVAL);
	f.reserved = 0;
	ck_assert_int_eq(MsgSend_r(raw, &f, sizeof(f), NULL, 0), -EBADF);
	/* A path room larger than the reply buffer: only what fits. */
	f.path_len = 0xffffffffu;
	ck_assert_int_eq(MsgSend_r(a, &f, sizeof(f), buf, sizeof(buf)),
	    (long) sizeof(OFD_PATH));
	/* The manager serves on; the only open is a. */
	ck_assert_uint_eq(fdinfo_of(a).count, 1);
	ck_assert_int_eq(axon__io_read(a, buf, 5), 5);
	/* And a good one on the raw connection works. */
	o = openfd_msg(a, chid, _IO_FLAG_RD);
	ck_assert_int_eq(MsgSend_r(raw, &o, sizeof(o), NULL, 0), 0);
	ck_assert_uint_eq(fdinfo_of(raw).count, 2);
	ck_assert_uint_eq(fdinfo_of(raw).offset, 0);
	ck_assert_int_eq(axon__io_close(raw), 0);
	ck_assert_int_eq(axon__io_close(a), 0);
	axt_child_kill(&m);
}
END_TEST

/* A client that reopens and dies: both opens closed by the manager. */
static void
reopen_and_die(int rep, void *arg)
{
	int a, b;

	(void) arg;
	a = axon__io_open(OFD_PATH, O_RDWR, 0);
	b = a >= 0 ? openfd(a, O_RDONLY) : -1;
	axt_report(rep, b >= 0 ? (int) fdinfo_of(b).count : -1);
	_exit(0); /* no close */
}

START_TEST(test_peer_dies)
{
	struct axt_child m = start_device(OFD_PATH, OFD_TEXT, "0666");
	struct axt_child c;
	double end;
	int a, b;

	a = axon__io_open(OFD_PATH, O_RDONLY, 0);
	ck_assert_int_ge(a, 0);
	c = axt_spawn(reopen_and_die, NULL);
	ck_assert_int_eq(c.val, 3); /* ours, its open, its reopen */
	ck_assert_int_eq(axt_child_wait(&c, 5), 0);
	/* Its disconnect closes both. */
	end = axt_now() + 5;
	while (fdinfo_of(a).count != 1 && axt_now() < end) {
		axt_sleep_ms(5);
	}
	ck_assert_uint_eq(fdinfo_of(a).count, 1);
	ck_assert_uint_eq(fdinfo_of(a).wcount, 0);
	/* The manager dies: errors, not a hang. */
	b = openfd(a, O_RDONLY);
	ck_assert_int_ge(b, 0);
	axt_child_kill(&m);
	errno = 0;
	ck_assert_int_eq(openfd(a, O_RDONLY), -1);
	ck_assert_int_ne(errno, 0);
	errno = 0;
	ck_assert_int_eq(iofdinfo(b, 0, NULL, NULL, 0), -1);
	ck_assert_int_ne(errno, 0);
	(void) axon__io_close(a);
	(void) axon__io_close(b);
}
END_TEST

/* The helpers' own arguments: EINVAL for what is missing; fdinfo from
 * an OCB and attribute as given (no manager needed). */
START_TEST(test_helpers_arguments)
{
	resmgr_context_t ctp;
	iofunc_attr_t attr;
	iofunc_ocb_t ocb;
	io_openfd_t msg;
	struct _fdinfo info;

	memset(&ctp, 0, sizeof(ctp));
	memset(&msg, 0, sizeof(msg));
	memset(&ocb, 0, sizeof(ocb));
	iofunc_attr_init(&attr, S_IFREG | 0640, NULL, NULL);
	ck_assert_int_eq(iofunc_openfd(NULL, &msg, &ocb, &attr), EINVAL);
	ck_assert_int_eq(iofunc_openfd(&ctp, NULL, &ocb, &attr), EINVAL);
	ck_assert_int_eq(iofunc_openfd(&ctp, &msg, (iofunc_ocb_t *) NULL,
	    &attr), EINVAL);
	/* No attribute given and none on the OCB. */
	ck_assert_int_eq(iofunc_openfd(&ctp, &msg, &ocb,
	    (iofunc_attr_t *) NULL), EINVAL);
	/* Refused before anything is made: wider, unknown flags. */
	ocb.attr = (void *) &attr;
	ocb.ioflag = _IO_FLAG_RD;
	msg.i.ioflag = _IO_FLAG_WR;
	ck_assert_int_eq(iofunc_openfd(&ctp, &msg, &ocb,
	    (iofunc_attr_t *) NULL), EACCES);
	msg.i.ioflag = _IO_FLAG_RD | O_EXCL;
	ck_assert_int_eq(iofunc_openfd(&ctp, &msg, &ocb,
	    (iofunc_attr_t *) NULL), EINVAL);
	ck_assert_uint_eq(attr.count, 0);
	ck_assert_int_eq(iofunc_fdinfo(&ctp, (iofunc_ocb_t *) NULL, &attr,
	    &info), EINVAL);
	ck_assert_int_eq(iofunc_fdinfo(&ctp, &ocb, &attr, NULL), EINVAL);
	ocb.attr = NULL;
	ck_assert_int_eq(iofunc_fdinfo(&ctp, &ocb, (iofunc_attr_t *) NULL,
	    &info), EINVAL);
	attr.nbytes = 77;
	attr.count = 3;
	attr.rcount = 2;
	attr.wcount = 1;
	ocb.offset = 9;
	ocb.sflag = 0x30;
	memset(&info, 0xa5, sizeof(info));
	ck_assert_int_eq(iofunc_fdinfo(&ctp, &ocb, &attr, &info), EOK);
	ck_assert_uint_eq(info.mode, S_IFREG | 0640);
	ck_assert_uint_eq(info.ioflag, _IO_FLAG_RD);
	ck_assert_uint_eq(info.offset, 9);
	ck_assert_uint_eq(info.size, 77);
	ck_assert_uint_eq(info.sflag, 0x30);
	ck_assert_uint_eq(info.count, 3);
	ck_assert_uint_eq(info.rcount, 2);
	ck_assert_uint_eq(info.wcount, 1);
	ck_assert_uint_eq(info.flags, 0);
	ck_assert_uint_eq(info.zero[0], 0);
}
END_TEST

/* ---- Linux descriptors ------------------------------------------- */

START_TEST(test_openfd_linux)
{
	char file[PATH_MAX], buf[16] = {0};
	struct stat st;
	int fd, nfd, ro, op, p[2];

	axt_mkdtemp(file, sizeof(file), "openfd");
	strcat(file, "/f");
	fd = open(file, O_RDWR | O_CREAT | O_EXCL, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "abcdef", 6), 6);
	/* Its own offset and access. */
	nfd = openfd(fd, O_RDONLY);
	ck_assert_int_ge(nfd, 0);
	ck_assert_int_eq(read(nfd, buf, 3), 3);
	ck_assert_str_eq(buf, "abc");
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), 6);
	ck_assert_int_eq(fcntl(nfd, F_GETFL) & O_ACCMODE, O_RDONLY);
	ck_assert_int_eq(fcntl(nfd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_eq(write(nfd, "x", 1), -1);
	ck_assert_int_eq(close(nfd), 0);
	ck_assert_int_eq(write(fd, "g", 1), 1); /* fd still open */
	/* O_CLOEXEC, O_APPEND. */
	nfd = openfd(fd, O_WRONLY | O_APPEND | O_CLOEXEC);
	ck_assert_int_ge(nfd, 0);
	ck_assert_int_eq(fcntl(nfd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(fcntl(nfd, F_GETFL) & O_APPEND, O_APPEND);
	ck_assert_int_eq(close(nfd), 0);
	/* O_TRUNC with write access truncates. */
	nfd = openfd(fd, O_RDWR | O_TRUNC);
	ck_assert_int_ge(nfd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	ck_assert_int_eq(close(nfd), 0);
	/* No wider than the descriptor: read-only, or O_PATH (none). */
	ro = open(file, O_RDONLY);
	ck_assert_int_ge(ro, 0);
	errno = 0;
	ck_assert_int_eq(openfd(ro, O_RDWR), -1);
	ck_assert_int_eq(errno, EACCES);
	errno = 0;
	ck_assert_int_eq(openfd(ro, O_WRONLY), -1);
	ck_assert_int_eq(errno, EACCES);
	op = open(file, O_PATH);
	ck_assert_int_ge(op, 0);
	errno = 0;
	ck_assert_int_eq(openfd(op, O_RDONLY), -1);
	ck_assert_int_eq(errno, EACCES);
	/* A pipe's end: a new open of the pipe. */
	ck_assert_int_eq(pipe(p), 0);
	nfd = openfd(p[0], O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(nfd, 0);
	ck_assert_int_eq(write(p[1], "pp", 2), 2);
	ck_assert_int_eq(read(nfd, buf, sizeof(buf)), 2);
	ck_assert_int_eq(read(nfd, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EAGAIN); /* its own O_NONBLOCK */
	(void) close(nfd);
	(void) close(p[0]);
	(void) close(p[1]);
	/* Closed. */
	(void) close(ro);
	errno = 0;
	ck_assert_int_eq(openfd(ro, O_RDONLY), -1);
	ck_assert_int_eq(errno, EBADF);
	(void) close(op);
	(void) close(fd);
	(void) unlink(file);
	*strrchr(file, '/') = '\0';
	(void) rmdir(file);
}
END_TEST

START_TEST(test_fdinfo_linux)
{
	char file[PATH_MAX], path[PATH_MAX], small[5];
	struct _fdinfo info;
	struct stat st;
	int fd, p[2];

	axt_mkdtemp(file, sizeof(file), "fdinfo");
	strcat(file, "/f");
	fd = open(file, O_RDWR | O_CREAT | O_APPEND, 0640);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "0123456789", 10), 10);
	ck_assert_int_eq(fstat(fd, &st), 0);
	memset(&info, 0xa5, sizeof(info));
	ck_assert_int_eq(iofdinfo(fd, 0, &info, path, sizeof(path)),
	    (int) strlen(file) + 1);
	ck_assert_str_eq(path, file);
	ck_assert_uint_eq(info.mode, st.st_mode);
	ck_assert_uint_eq(info.size, 10);
	ck_assert_uint_eq(info.offset, 10);
	ck_assert_uint_eq(info.ioflag & (_IO_FLAG_MASK | O_APPEND),
	    _IO_FLAG_RD | _IO_FLAG_WR | O_APPEND);
	ck_assert_uint_eq(info.count, 0); /* Linux keeps none */
	ck_assert_uint_eq(info.zero[5], 0);
	/* The position the kernel keeps, wherever it was put. */
	ck_assert_int_eq(lseek(fd, 3, SEEK_SET), 3);
	ck_assert_int_eq(iofdinfo(fd, 0, &info, NULL, 0),
	    (int) strlen(file) + 1);
	ck_assert_uint_eq(info.offset, 3);
	/* Cut, NUL-terminated; the room needed returned. */
	memset(small, 'x', sizeof(small));
	ck_assert_int_eq(iofdinfo(fd, _FDINFO_FLAG_LOCALPATH, NULL, small,
	    sizeof(small)), (int) strlen(file) + 1);
	ck_assert_int_eq(strlen(small), sizeof(small) - 1);
	ck_assert_int_eq(memcmp(small, file, sizeof(small) - 1), 0);
	/* A pipe: no position, a path of its own. */
	ck_assert_int_eq(pipe(p), 0);
	memset(&info, 0xa5, sizeof(info));
	ck_assert_int_gt(iofdinfo(p[1], 0, &info, path, sizeof(path)), 1);
	ck_assert(S_ISFIFO(info.mode));
	ck_assert_uint_eq(info.offset, 0);
	ck_assert_uint_eq(info.ioflag & _IO_FLAG_MASK, _IO_FLAG_WR);
	ck_assert(strncmp(path, "pipe:", 5) == 0);
	(void) close(p[0]);
	(void) close(p[1]);
	/* Bad arguments; closed. */
	errno = 0;
	ck_assert_int_eq(iofdinfo(fd, 0x8, NULL, NULL, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(iofdinfo(fd, 0, NULL, path, -5), -1);
	ck_assert_int_eq(errno, EINVAL);
	(void) close(fd);
	errno = 0;
	ck_assert_int_eq(iofdinfo(fd, 0, &info, path, sizeof(path)), -1);
	ck_assert_int_eq(errno, EBADF);
	(void) unlink(file);
	*strrchr(file, '/') = '\0';
	(void) rmdir(file);
}
END_TEST

/* ---- Attacks by an unprivileged user ------------------------------ */

struct victim {
	int rw;      /* root's O_RDWR open, a coid number */
	pid_t pid;   /* the manager */
	int chid;
	char file[PATH_MAX]; /* root's 0600 file */
	int filefd;  /* root's O_RDONLY descriptor of it, inherited */
};

static void
attacker(int rep, void *arg)
{
	struct victim *v = arg;
	struct _io_openfd o;
	int ro, raw, fd;

	axa_become();
	/* Its own read-only open of a 0644 device: not widened. */
	ro = axon__io_open(OFD_PATH, O_RDONLY, 0);
	if (ro < 0) {
		axt_report(rep, 1);
		_exit(1);
	}
	if (openfd(ro, O_RDWR) != -1 || errno != EACCES ||
	    openfd(ro, O_WRONLY) != -1 || errno != EACCES) {
		axt_report(rep, 2);
		_exit(1);
	}
	/* Root's open, named by its number from another process: not
	 * found among the attacker's own (its scoid is the kernel's). */
	raw = ConnectAttach(0, v->pid, v->chid, _NTO_SIDE_CHANNEL, 0);
	o = openfd_msg(v->rw, v->chid, _IO_FLAG_RD | _IO_FLAG_WR);
	if (raw < 0 || v->rw == ro || v->rw == raw ||
	    MsgSend_r(raw, &o, sizeof(o), NULL, 0) != -EBADF) {
		axt_report(rep, 3);
		_exit(1);
	}
	if (axon__io_write(raw, "owned", 5) != -EBADF) {
		axt_report(rep, 4);
		_exit(1);
	}
	/* A Linux descriptor of root's 0600 file, read-only, inherited:
	 * not made writable (the access check), nor even reopened (the
	 * kernel checks the file's mode for a reopen). */
	fd = openfd(v->filefd, O_RDWR);
	if (fd != -1 || errno != EACCES) {
		axt_report(rep, 5);
		_exit(1);
	}
	fd = openfd(v->filefd, O_RDONLY);
	if (fd != -1 || errno != EACCES) {
		axt_report(rep, 6);
		_exit(1);
	}
	axt_report(rep, 0);
	_exit(0);
}

START_TEST(test_attack)
{
	struct axt_child m, a;
	static struct victim v;
	int pad[3];

	if (!axa_user("test_openfd_attack")) {
		return;
	}
	axa_share_rundir(axt_rundir);
	m = start_device(OFD_PATH, OFD_TEXT, "0644");
	/* Root's opens, so that the one named is a number the attacker's
	 * own opens do not have. */
	for (int i = 0; i < 3; i++) {
		pad[i] = axon__io_open(OFD_PATH, O_RDONLY, 0);
		ck_assert_int_ge(pad[i], 0);
	}
	v.rw = axon__io_open(OFD_PATH, O_RDWR, 0);
	ck_assert_int_ge(v.rw, 0);
	server_of(v.rw, &v.pid, &v.chid);
	axt_mkdtemp(v.file, sizeof(v.file), "ofdatk");
	ck_assert_int_eq(chmod(v.file, 0755), 0);
	strcat(v.file, "/secret");
	v.filefd = open(v.file, O_RDWR | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(v.filefd, 0);
	ck_assert_int_eq(close(v.filefd), 0);
	v.filefd = open(v.file, O_RDONLY);
	ck_assert_int_ge(v.filefd, 0);
	a = axt_spawn(attacker, &v);
	ck_assert_int_eq(a.val, 0);
	(void) axt_child_wait(&a, 5);
	/* Root's opens untouched: 4, one writer, once the manager has
	 * taken the attacker's own open away (its disconnect is handled
	 * after the attacker has exited, on the manager's time). */
	for (double t0 = axt_now(); fdinfo_of(v.rw).count != 4 &&
	    axt_now() - t0 < 10;) {
		axt_sleep_ms(5);
	}
	ck_assert_uint_eq(fdinfo_of(v.rw).count, 4);
	ck_assert_uint_eq(fdinfo_of(v.rw).wcount, 1);
	(void) close(v.filefd);
	(void) unlink(v.file);
	*strrchr(v.file, '/') = '\0';
	(void) rmdir(v.file);
	for (int i = 0; i < 3; i++) {
		(void) axon__io_close(pad[i]);
	}
	(void) axon__io_close(v.rw);
	axt_child_kill(&m);
}
END_TEST

static Suite *
openfd_suite(void)
{
	Suite *s = suite_create("openfd");
	TCase *t = axt_tcase("openfd", 30);

	tcase_add_test(t, test_openfd_manager);
	tcase_add_test(t, test_openfd_directory);
	tcase_add_test(t, test_fdinfo_manager_path);
	tcase_add_test(t, test_no_handlers);
	tcase_add_test(t, test_malformed);
	tcase_add_test(t, test_peer_dies);
	tcase_add_test(t, test_helpers_arguments);
	tcase_add_test(t, test_openfd_linux);
	tcase_add_test(t, test_fdinfo_linux);
	tcase_add_test(t, test_attack);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(openfd_suite());
}
