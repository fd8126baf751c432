/* SPDX-License-Identifier: MIT */
/*
 * The resource-manager calls for deferred work and for a link's own end:
 * resmgr_msg_again() (the RM guide's blocking read: a FIFO device whose
 * reads wait for writes, several readers, one killed while it waits,
 * unblocks), resmgr_detach_ctp() (a connect handler that detaches its
 * own path), resmgr_handle_tune().  Managers are real processes reached
 * as QNX clients reach them (axon__io_*, devctl).
 */
#define _GNU_SOURCE
#include "resmgr_managers.h"

/* ---- resmgr_msg_again ---------------------------------------------- */

/* A reader child: opens path, reads up to n bytes (blocking), writes what
 * it got (or -errno as a 4-byte int) to fd. */
static pid_t
fifo_reader(const char *path, size_t n, int *ret_fd)
{
	int p[2];
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char buf[64] = {0};
		int coid = axon__io_open(path, O_RDONLY, 0);
		ssize_t r;

		(void) close(p[0]);
		if (coid < 0) {
			(void) !write(p[1], &coid, sizeof(coid));
			_exit(1);
		}
		r = axon__io_read(coid, buf, n);
		if (r < 0) {
			int e = (int) r;

			(void) !write(p[1], &e, sizeof(e));
			_exit(1);
		}
		(void) !write(p[1], buf, (size_t) r);
		_exit(0);
	}
	(void) close(p[1]);
	*ret_fd = p[0];
	return pid;
}

/* What a reader wrote (bounded wait), as a string. */
static void
reader_result(pid_t pid, int fd, char *out, size_t cap)
{
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	ssize_t n;

	ck_assert_int_eq(poll(&pf, 1, 10000), 1);
	n = read(fd, out, cap - 1);
	ck_assert_int_gt(n, 0);
	out[n] = '\0';
	ck_assert_int_eq(axt_waitpid(pid, 10), 0);
	(void) close(fd);
}

/* Three readers wait; writes release them in turn, each read run again
 * by resmgr_msg_again() and the data consumed by the one that got it. */
static void
check_readers(const char *path)
{
	struct axt_child m = start_fifo(path);
	pid_t r[3];
	int fd[3], w;
	char got[3][64];
	struct fifo_stats st;

	w = axon__io_open(path, O_WRONLY, 0);
	ck_assert_int_ge(w, 0);
	for (int i = 0; i < 3; i++) {
		r[i] = fifo_reader(path, 5, &fd[i]);
	}
	fifo_wait_waiting(w, 3);
	ck_assert_int_eq(axon__io_write(w, "aaaaa", 5), 5);
	/* One got it; every kept read was run again, two kept again. */
	fifo_wait_waiting(w, 2);
	st = fifo_stats(w);
	ck_assert_int_eq(st.again_ok, 3);
	ck_assert_int_eq(st.again_esrch + st.again_other, 0);
	ck_assert_int_eq(axon__io_write(w, "bbbbbccccc", 10), 10);
	fifo_wait_waiting(w, 0);
	for (int i = 0; i < 3; i++) {
		reader_result(r[i], fd[i], got[i], sizeof(got[i]));
	}
	/* Each got five bytes of one write, none twice. */
	{
		int a = 0, b = 0, c = 0;

		for (int i = 0; i < 3; i++) {
			a += strcmp(got[i], "aaaaa") == 0;
			b += strcmp(got[i], "bbbbb") == 0;
			c += strcmp(got[i], "ccccc") == 0;
		}
		ck_assert_int_eq(a, 1);
		ck_assert_int_eq(b, 1);
		ck_assert_int_eq(c, 1);
	}
	st = fifo_stats(w);
	ck_assert_int_eq(st.again_ok, 5);
	/* Data with nobody waiting stays for the next reader. */
	ck_assert_int_eq(axon__io_write(w, "zz", 2), 2);
	{
		pid_t z;
		int zf;
		char out[64];

		z = fifo_reader(path, 16, &zf);
		reader_result(z, zf, out, sizeof(out));
		ck_assert_str_eq(out, "zz");
	}
	ck_assert_int_eq(axon__io_close(w), 0);
	axt_child_kill(&m);
}

START_TEST(test_again_readers)
{
	check_readers("/dev/axtest/fifo");
}
END_TEST

/* The same with the reads run again on the write's own ctp: the write
 * still gets its own reply (count), the reads theirs. */
START_TEST(test_again_own_ctp)
{
	check_readers("/dev/axtest/fifo-own");
}
END_TEST

/* ... and from a pulse handler, as QNX 7.1 recommends. */
START_TEST(test_again_pulse)
{
	check_readers("/dev/axtest/fifo-pulse");
}
END_TEST

/* A reader killed while its read is kept: running it again fails with
 * ESRCH, the manager serves on and the data stays for the next one. */
START_TEST(test_again_reader_killed)
{
	struct axt_child m = start_fifo("/dev/axtest/fifo");
	struct fifo_stats st;
	pid_t r;
	int fd, w;
	char out[64];

	w = axon__io_open("/dev/axtest/fifo", O_WRONLY, 0);
	ck_assert_int_ge(w, 0);
	r = fifo_reader("/dev/axtest/fifo", 8, &fd);
	fifo_wait_waiting(w, 1);
	ck_assert_int_eq(kill(r, SIGKILL), 0);
	ck_assert_int_ne(axt_waitpid(r, 10), -1);
	(void) close(fd);
	ck_assert_int_eq(axon__io_write(w, "late", 4), 4);
	st = fifo_stats(w);
	ck_assert_int_eq(st.again_esrch, 1);
	ck_assert_int_eq(st.again_ok, 0);
	ck_assert_int_eq(st.again_other, 0);
	ck_assert_int_eq(st.waiting, 0);
	r = fifo_reader("/dev/axtest/fifo", 8, &fd);
	reader_result(r, fd, out, sizeof(out));
	ck_assert_str_eq(out, "late");
	ck_assert_int_eq(axon__io_close(w), 0);
	axt_child_kill(&m);
}
END_TEST

/* A reader that times out while kept: iofunc_unblock_default() finds no
 * lock of it and leaves it to the manager (it stays until data comes);
 * the manager's own unblock handler lets it go with EINTR, and the read
 * is no longer kept. */
START_TEST(test_again_unblock)
{
	struct axt_child m = start_fifo("/dev/axtest/fifo");
	struct axt_child mi = start_fifo("/dev/axtest/fifo-intr");
	uint64_t ns = 100000000;
	char buf[16] = {0};
	int r, w;
	pid_t writer;

	/* Default: the timeout does not end the read, the write does. */
	r = axon__io_open("/dev/axtest/fifo", O_RDONLY, 0);
	ck_assert_int_ge(r, 0);
	writer = fork();
	ck_assert_int_ge(writer, 0);
	if (writer == 0) {
		int ww = axon__io_open("/dev/axtest/fifo", O_WRONLY, 0);
		double end = axt_now() + 10;

		/* Once the read is kept and well past its timeout. */
		while (fifo_stats(ww).waiting != 1 && axt_now() < end) {
			axt_sleep_ms(5);
		}
		axt_sleep_ms(400);
		_exit(axon__io_write(ww, "data", 4) == 4 ? 0 : 1);
	}
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_REPLY,
	    NULL, &ns, NULL), 0);
	{
		double t0 = axt_now();

		ck_assert_int_eq(axon__io_read(r, buf, sizeof(buf)), 4);
		ck_assert_double_ge(axt_now() - t0, 0.3);
	}
	ck_assert_str_eq(buf, "data");
	ck_assert_int_eq(axt_waitpid(writer, 10), 0);
	ck_assert_int_eq(axon__io_close(r), 0);
	/* The manager's unblock handler: EINTR, and nothing kept. */
	r = axon__io_open("/dev/axtest/fifo-intr", O_RDONLY, 0);
	w = axon__io_open("/dev/axtest/fifo-intr", O_WRONLY, 0);
	ck_assert_int_ge(r, 0);
	ck_assert_int_ge(w, 0);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_REPLY,
	    NULL, &ns, NULL), 0);
	ck_assert_int_eq(axon__io_read(r, buf, sizeof(buf)), -EINTR);
	ck_assert_int_eq(fifo_stats(w).waiting, 0);
	ck_assert_int_eq(axon__io_write(w, "x", 1), 1);
	ck_assert_int_eq(fifo_stats(w).again_ok +
	    fifo_stats(w).again_esrch, 0); /* nobody to run again */
	ck_assert_int_eq(axon__io_read(r, buf, sizeof(buf)), 1);
	ck_assert_int_eq(axon__io_close(r), 0);
	ck_assert_int_eq(axon__io_close(w), 0);
	axt_child_kill(&m);
	axt_child_kill(&mi);
}
END_TEST

static int
nop_msg(message_context_t *ctp, int type, unsigned flags, void *handle)
{
	(void) type;
	(void) flags;
	(void) handle;
	(void) MsgReply(ctp->rcvid, 0, NULL, 0);
	return 0;
}

/* Bad arguments: no context (EFAULT), a rcvid that is nobody's or was
 * replied (ESRCH); ctp is left as it was. */
START_TEST(test_again_errors)
{
	dispatch_t *dpp = dispatch_create();
	resmgr_context_t *ctp;

	ck_assert_ptr_nonnull(dpp);
	ck_assert_int_eq(message_attach(dpp, NULL, 0x5000, 0x50ff, nop_msg,
	    NULL), 0);
	ctp = resmgr_context_alloc(dpp);
	ck_assert_ptr_nonnull(ctp);
	errno = 0;
	ck_assert_int_eq(resmgr_msg_again(NULL, 1), -1);
	ck_assert_int_eq(errno, EFAULT);
	ctp->rcvid = 77;
	ctp->status = 5;
	ck_assert_int_eq(resmgr_msg_again(ctp, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(resmgr_msg_again(ctp, -1), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(resmgr_msg_again(ctp, 0x7fff1234), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(ctp->rcvid, 77);
	ck_assert_int_eq(ctp->status, 5);
	resmgr_context_free(ctp);
	ck_assert_int_eq(dispatch_destroy(dpp), 0);
}
END_TEST

/* ---- resmgr_detach_ctp ---------------------------------------------- */

/* Links of one handle: a and d (DIR, _RESMGR_FLAG_DETACH_CTP), b
 * (DETACH_CTP), c (DIR, without it).  Opening "bye" under a or c makes
 * the open handler detach its own link with resmgr_detach_ctp(), and
 * "byenull" under d does the same with ctp NULL: ECONNABORTED tells the
 * client it did, else the call's errno. */
#define CTP_DETACHED ECONNABORTED

static int
ctp_open(resmgr_context_t *ctp, io_open_t *msg, RESMGR_HANDLE_T *handle,
    void *extra)
{
	if (strcmp(msg->connect.path, "bye") == 0) {
		if (resmgr_detach_ctp(ctp->dpp, ctp, ctp->id, 0) == -1) {
			return errno;
		}
		return CTP_DETACHED;
	}
	if (strcmp(msg->connect.path, "byenull") == 0) {
		/* ctp NULL is resmgr_detach(): not waiting for itself either */
		if (resmgr_detach_ctp(ctp->dpp, NULL, ctp->id, 0) == -1) {
			return errno;
		}
		return CTP_DETACHED;
	}
	if (strcmp(msg->connect.path, "twice") == 0) {
		/* Another dispatch's context, then a link not there. */
		dispatch_t *other = dispatch_create();
		resmgr_context_t *oc;

		(void) message_attach(other, NULL, 0x5000, 0x50ff, nop_msg,
		    NULL);
		oc = resmgr_context_alloc(other);
		if (oc == NULL ||
		    resmgr_detach_ctp(ctp->dpp, oc, ctp->id, 0) != -1 ||
		    errno != EINVAL ||
		    resmgr_detach_ctp(ctp->dpp, ctp, 999, 0) != -1 ||
		    errno != EINVAL ||
		    resmgr_detach_ctp(NULL, NULL, ctp->id, 0) != -1 ||
		    errno != EINVAL) {
			return EIO;
		}
		resmgr_context_free(oc);
		(void) dispatch_destroy(other);
		return ENOTBLK; /* every check held */
	}
	return iofunc_open_default(ctp, msg, handle, extra);
}

static void
mgr_ctp(int rep, void *arg)
{
	dispatch_t *dpp = dispatch_create();
	dispatch_context_t *ctp;
	int a, b, c, d;

	(void) arg;
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &connect_funcs,
	    _RESMGR_IO_NFUNCS, &io_funcs);
	connect_funcs.open = ctp_open;
	io_funcs.read = io_read;
	iofunc_attr_init(&dev.attr, S_IFCHR | 0666, NULL, NULL);
	dev.attr.mount = &dev_mount;
	snprintf(dev.data, sizeof(dev.data), "hi");
	dev.attr.nbytes = 2;
	a = resmgr_attach(dpp, NULL, "/dev/axtest/ctp-a", _FTYPE_ANY,
	    _RESMGR_FLAG_DIR | _RESMGR_FLAG_DETACH_CTP, &connect_funcs,
	    &io_funcs, &dev);
	b = resmgr_attach(dpp, NULL, "/dev/axtest/ctp-b", _FTYPE_ANY,
	    _RESMGR_FLAG_DETACH_CTP, &connect_funcs, &io_funcs, &dev);
	c = resmgr_attach(dpp, NULL, "/dev/axtest/ctp-c", _FTYPE_ANY,
	    _RESMGR_FLAG_DIR, &connect_funcs, &io_funcs, &dev);
	d = resmgr_attach(dpp, NULL, "/dev/axtest/ctp-d", _FTYPE_ANY,
	    _RESMGR_FLAG_DIR | _RESMGR_FLAG_DETACH_CTP, &connect_funcs,
	    &io_funcs, &dev);
	if (a == -1 || b == -1 || c == -1 || d == -1) {
		axt_report(rep, -errno);
		_exit(1);
	}
	ctp = dispatch_context_alloc(dpp);
	axt_report(rep, 0);
	for (;;) {
		if ((ctp = dispatch_block(ctp)) == NULL) {
			_exit(2);
		}
		dispatch_handler(ctp);
	}
}

START_TEST(test_detach_ctp)
{
	struct axt_child m = axt_spawn(mgr_ctp, NULL);
	char buf[8] = {0};
	int oa, ob;

	ck_assert_int_eq(m.val, 0);
	oa = axon__io_open("/dev/axtest/ctp-a", O_RDONLY, 0);
	ob = axon__io_open("/dev/axtest/ctp-b", O_RDONLY, 0);
	ck_assert_int_ge(oa, 0);
	ck_assert_int_ge(ob, 0);
	/* Without the attach flag: EINVAL, the path stays. */
	ck_assert_int_eq(axon__io_open("/dev/axtest/ctp-c/bye", O_RDONLY, 0),
	    -EINVAL);
	/* Inside a handler: another dispatch's ctp, a link not there, no
	 * dispatch: EINVAL each (the handler answers ENOTBLK if so). */
	ck_assert_int_eq(axon__io_open("/dev/axtest/ctp-c/twice", O_RDONLY,
	    0), -ENOTBLK);
	{
		int oc = axon__io_open("/dev/axtest/ctp-c", O_RDONLY, 0);

		ck_assert_int_ge(oc, 0);
		ck_assert_int_eq(axon__io_close(oc), 0);
	}
	/* The open handler detaches its own path, on its own thread (a
	 * single-threaded manager: waiting for itself would hang it). */
	ck_assert_int_eq(axon__io_open("/dev/axtest/ctp-a/bye", O_RDONLY, 0),
	    -CTP_DETACHED);
	ck_assert_int_eq(axon__io_open("/dev/axtest/ctp-a", O_RDONLY, 0),
	    -ENOENT);
	ck_assert_int_eq(axon__io_open("/dev/axtest/ctp-a/bye", O_RDONLY, 0),
	    -ENOENT);
	/* _RESMGR_DETACH_ALL: a's open went with it ... */
	ck_assert_int_eq(axon__io_read(oa, buf, sizeof(buf)), -EBADF);
	/* ... the other paths of the handle serve on. */
	ck_assert_int_eq(axon__io_read(ob, buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf, "hi");
	{
		int oc = axon__io_open("/dev/axtest/ctp-c", O_RDONLY, 0);
		int ob2 = axon__io_open("/dev/axtest/ctp-b", O_RDONLY, 0);

		ck_assert_int_ge(oc, 0);
		ck_assert_int_ge(ob2, 0);
		ck_assert_int_eq(axon__io_close(oc), 0);
		ck_assert_int_eq(axon__io_close(ob2), 0);
	}
	/* With ctp NULL from inside the handler, as resmgr_detach(). */
	ck_assert_int_eq(axon__io_open("/dev/axtest/ctp-d/byenull", O_RDONLY,
	    0), -CTP_DETACHED);
	ck_assert_int_eq(axon__io_open("/dev/axtest/ctp-d", O_RDONLY, 0),
	    -ENOENT);
	{
		int ob3 = axon__io_open("/dev/axtest/ctp-b", O_RDONLY, 0);

		ck_assert_int_ge(ob3, 0);
		ck_assert_int_eq(axon__io_close(ob3), 0);
	}
	(void) axon__io_close(oa);
	ck_assert_int_eq(axon__io_close(ob), 0);
	axt_child_kill(&m);
}
END_TEST

/* Outside any handler: ctp NULL is resmgr_detach(); the flag is still
 * needed; a link detached already is EINVAL. */
START_TEST(test_detach_ctp_local)
{
	dispatch_t *dpp = dispatch_create();
	resmgr_attr_t ra;
	int id, plain;

	memset(&ra, 0, sizeof(ra));
	ra.flags = RESMGR_FLAG_ATTACH_LOCAL;
	id = resmgr_attach(dpp, &ra, "/dev/axtest/local", _FTYPE_ANY,
	    _RESMGR_FLAG_DETACH_CTP, NULL, NULL, NULL);
	plain = resmgr_attach(dpp, &ra, "/dev/axtest/local2", _FTYPE_ANY, 0,
	    NULL, NULL, NULL);
	ck_assert_int_ge(id, 0);
	ck_assert_int_ge(plain, 0);
	ck_assert_int_eq(resmgr_detach_ctp(dpp, NULL, plain, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(resmgr_detach_ctp(dpp, NULL, id, 0x100), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(resmgr_detach_ctp(dpp, NULL, id, 0), 0);
	ck_assert_int_eq(resmgr_detach_ctp(dpp, NULL, id, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(resmgr_detach(dpp, plain, 0), 0);
	ck_assert_int_eq(dispatch_destroy(dpp), 0);
}
END_TEST

/* ---- resmgr_handle_tune --------------------------------------------- */

START_TEST(test_handle_tune)
{
	int a = -1, b = -1, c = -1;

	/* Nothing changed, the values in use reported. */
	ck_assert_int_eq(resmgr_handle_tune(-1, -1, -1, &a, &b, &c), 0);
	ck_assert_int_eq(a, 0);
	ck_assert_int_eq(b, 0);
	ck_assert_int_eq(c, 256);
	ck_assert_int_eq(resmgr_handle_tune(64, 8, 16, NULL, NULL, NULL), 0);
	ck_assert_int_eq(resmgr_handle_tune(-1, 4, -5, &a, &b, &c), 0);
	ck_assert_int_eq(a, 64);
	ck_assert_int_eq(b, 8);
	ck_assert_int_eq(c, 16);
	ck_assert_int_eq(resmgr_handle_tune(-1, -1, -1, &a, NULL, &c), 0);
	ck_assert_int_eq(a, 64);
	ck_assert_int_eq(c, 16);
	b = -1;
	ck_assert_int_eq(resmgr_handle_tune(-1, -1, -1, NULL, &b, NULL), 0);
	ck_assert_int_eq(b, 4);
	/* A bucket of no entries: refused, nothing changed. */
	ck_assert_int_eq(resmgr_handle_tune(1, 1, 0, &a, &b, &c), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(resmgr_handle_tune(-1, -1, -1, &a, &b, &c), 0);
	ck_assert_int_eq(a, 64);
	ck_assert_int_eq(b, 4);
	ck_assert_int_eq(c, 16);
	/* Only hints: a manager with tiny values serves many opens. */
	ck_assert_int_eq(resmgr_handle_tune(0, 0, 1, NULL, NULL, NULL), 0);
	{
		struct axt_child m = start_device("/dev/axtest/tuned", "t",
		    "0444");
		int coid[40];
		char buf[4];

		for (int i = 0; i < 40; i++) {
			coid[i] = axon__io_open("/dev/axtest/tuned", O_RDONLY,
			    0);
			ck_assert_int_ge(coid[i], 0);
		}
		for (int i = 0; i < 40; i++) {
			ck_assert_int_eq(axon__io_read(coid[i], buf, 4), 1);
			ck_assert_int_eq(axon__io_close(coid[i]), 0);
		}
		axt_child_kill(&m);
	}
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("msgagain");
	TCase *tc = axt_tcase("msgagain", 20);

	tcase_add_test(tc, test_again_readers);
	tcase_add_test(tc, test_again_own_ctp);
	tcase_add_test(tc, test_again_pulse);
	tcase_add_test(tc, test_again_reader_killed);
	tcase_add_test(tc, test_again_unblock);
	tcase_add_test(tc, test_again_errors);
	tcase_add_test(tc, test_detach_ctp);
	tcase_add_test(tc, test_detach_ctp_local);
	tcase_add_test(tc, test_handle_tune);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(suite());
}
