/* SPDX-License-Identifier: MIT */
/*
 * devctl() on a Linux terminal (<sys/dcmd_chr.h>; resmgr_attach(3)): a
 * pseudo-terminal's slave set up, flushed, sized and queried with QNX's
 * DCMD_CHR_* commands, each checked against what the kernel's own calls
 * say; QNX's IHFLOW/OHFLOW termios bits on it; the modem-line commands get the kernel's answer for a
 * pseudo-terminal (no modem lines: ENOTTY); misuse gets errors.
 */
#include "axon_test.h"

#include <devctl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/dcmd_chr.h>
#include <sys/ioctl.h>
#include <termios.h>

struct pty {
	int m, s;
};

static struct pty
pty_open(void)
{
	struct pty p;

	p.m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	ck_assert_int_ge(p.m, 0);
	ck_assert_int_eq(grantpt(p.m), 0);
	ck_assert_int_eq(unlockpt(p.m), 0);
	p.s = open(ptsname(p.m), O_RDWR | O_NOCTTY | O_CLOEXEC);
	ck_assert_int_ge(p.s, 0);
	return p;
}

static void
pty_close(struct pty *p)
{
	close(p->s);
	close(p->m);
}

START_TEST(test_termios)
{
	struct pty p = pty_open();
	struct termios t, k;

	/* (Both zeroed: tcgetattr() leaves the padding as it was.) */
	memset(&t, 0, sizeof(t));
	memset(&k, 0, sizeof(k));
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_TCGETATTR, &t, sizeof(t), NULL),
	    EOK);
	ck_assert_int_eq(tcgetattr(p.s, &k), 0);
	ck_assert_int_eq(memcmp(&t, &k, sizeof(t)), 0);
	/* Raw mode, 8 bits, 115200: set with each form, read back. */
	cfmakeraw(&t);
	cfsetispeed(&t, B115200);
	cfsetospeed(&t, B115200);
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_TCSETATTR, &t, sizeof(t), NULL),
	    EOK);
	ck_assert_int_eq(tcgetattr(p.s, &k), 0);
	ck_assert_uint_eq(k.c_lflag & (ICANON | ECHO), 0);
	ck_assert_uint_eq(cfgetospeed(&k), B115200);
	t.c_cc[VMIN] = 3;
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_TCSETATTRD, &t, sizeof(t),
	    NULL), EOK);
	ck_assert_int_eq(tcgetattr(p.s, &k), 0);
	ck_assert_int_eq(k.c_cc[VMIN], 3);
	t.c_cc[VMIN] = 1;
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_TCSETATTRF, &t, sizeof(t),
	    NULL), EOK);
	ck_assert_int_eq(tcgetattr(p.s, &k), 0);
	ck_assert_int_eq(k.c_cc[VMIN], 1);
	/* Too little data for the command: EINVAL, nothing changed. */
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_TCSETATTR, &t, 4, NULL), EINVAL);
	pty_close(&p);
}
END_TEST

/* QNX's IHFLOW and OHFLOW (<termios.h>): both Linux's CRTSCTS, which
 * is RTS/CTS flow control both ways; set through tcsetattr() and
 * devctl(), read back by each, cleared (either name clears both). */
START_TEST(test_hwflow)
{
	struct pty p = pty_open();
	struct termios t, k;

	ck_assert_uint_eq(IHFLOW, CRTSCTS);
	ck_assert_uint_eq(OHFLOW, CRTSCTS);
	ck_assert_int_eq(tcgetattr(p.s, &t), 0);
	t.c_cflag &= ~(tcflag_t) (IHFLOW | OHFLOW);
	ck_assert_int_eq(tcsetattr(p.s, TCSANOW, &t), 0);
	ck_assert_int_eq(tcgetattr(p.s, &k), 0);
	ck_assert_uint_eq(k.c_cflag & (IHFLOW | OHFLOW), 0);
	/* Both on: the kernel keeps CRTSCTS, and a QNX program reads
	 * each bit back set. */
	t.c_cflag |= IHFLOW | OHFLOW;
	ck_assert_int_eq(tcsetattr(p.s, TCSANOW, &t), 0);
	ck_assert_int_eq(tcgetattr(p.s, &k), 0);
	ck_assert_uint_eq(k.c_cflag & CRTSCTS, CRTSCTS);
	ck_assert(k.c_cflag & IHFLOW);
	ck_assert(k.c_cflag & OHFLOW);
	memset(&k, 0, sizeof(k));
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_TCGETATTR, &k, sizeof(k), NULL),
	    EOK);
	ck_assert_uint_eq(k.c_cflag & CRTSCTS, CRTSCTS);
	/* The rest of c_cflag is left as it was. */
	ck_assert_uint_eq(k.c_cflag & ~(tcflag_t) CRTSCTS,
	    t.c_cflag & ~(tcflag_t) CRTSCTS);
	/* Both off. */
	t.c_cflag &= ~(tcflag_t) (IHFLOW | OHFLOW);
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_TCSETATTR, &t, sizeof(t), NULL),
	    EOK);
	ck_assert_int_eq(tcgetattr(p.s, &k), 0);
	ck_assert_uint_eq(k.c_cflag & (IHFLOW | OHFLOW | CRTSCTS), 0);
	/* One direction asked for: Linux has only both. */
	t.c_cflag |= IHFLOW;
	ck_assert_int_eq(tcsetattr(p.s, TCSANOW, &t), 0);
	ck_assert_int_eq(tcgetattr(p.s, &k), 0);
	ck_assert(k.c_cflag & OHFLOW);
	t.c_cflag &= ~(tcflag_t) OHFLOW;
	ck_assert_int_eq(tcsetattr(p.s, TCSANOW, &t), 0);
	ck_assert_int_eq(tcgetattr(p.s, &k), 0);
	ck_assert_uint_eq(k.c_cflag & IHFLOW, 0);
	pty_close(&p);
}
END_TEST

START_TEST(test_queues_size_flow)
{
	struct pty p = pty_open();
	struct pollfd pf;
	struct winsize w = {.ws_row = 40, .ws_col = 100}, k;
	unsigned n = 99;
	int q;

	/* Characters typed on the master wait at the slave: ISCHARS. */
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_ISCHARS, &n, sizeof(n), NULL),
	    EOK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(write(p.m, "abc\n", 4), 4);
	pf = (struct pollfd){.fd = p.s, .events = POLLIN};
	ck_assert_int_eq(poll(&pf, 1, 5000), 1);
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_ISCHARS, &n, sizeof(n), NULL),
	    EOK);
	ck_assert_uint_eq(n, 4);
	/* TCFLUSH of the input drops them. */
	q = TCIFLUSH;
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_TCFLUSH, &q, sizeof(q), NULL),
	    EOK);
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_ISCHARS, &n, sizeof(n), NULL),
	    EOK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_OSCHARS, &n, sizeof(n), NULL),
	    EOK);
	ck_assert_uint_eq(n, 0);
	q = 99; /* no such queue */
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_TCFLUSH, &q, sizeof(q), NULL),
	    EINVAL);
	/* The window size, both ways. */
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_SETSIZE, &w, sizeof(w), NULL),
	    EOK);
	ck_assert_int_eq(ioctl(p.m, TIOCGWINSZ, &k), 0);
	ck_assert_int_eq(k.ws_row, 40);
	ck_assert_int_eq(k.ws_col, 100);
	memset(&k, 0, sizeof(k));
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_GETSIZE, &k, sizeof(k), NULL),
	    EOK);
	ck_assert_int_eq(k.ws_row, 40);
	ck_assert_int_eq(k.ws_col, 100);
	/* Output suspended and resumed; drained. */
	q = TCOOFF;
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_TCFLOW, &q, sizeof(q), NULL),
	    EOK);
	q = TCOON;
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_TCFLOW, &q, sizeof(q), NULL),
	    EOK);
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_TCDRAIN, NULL, 0, NULL), EOK);
	pty_close(&p);
}
END_TEST

START_TEST(test_lines_and_errors)
{
	struct pty p = pty_open();
	int v, fds[2];
	pid_t pg;

	/* A pseudo-terminal has no modem lines: the kernel's ENOTTY. */
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_LINESTATUS, &v, sizeof(v),
	    NULL), ENOTTY);
	v = _SERCTL_RTS_CHG | _SERCTL_RTS;
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_SERCTL, &v, sizeof(v), NULL),
	    ENOTTY);
	v = 1;
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_FORCE_RTS, &v, sizeof(v), NULL),
	    ENOTTY);
	/* Lines that are a port's inputs cannot be set; nothing to change
	 * is done at once. */
	v = _CTL_CTS_CHG | _CTL_CTS;
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_SERCTL, &v, sizeof(v), NULL),
	    ENOTSUP);
	v = 0;
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_SERCTL, &v, sizeof(v), NULL),
	    EOK);
	/* Not our controlling terminal: the kernel's answers. */
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_TCGETPGRP, &pg, sizeof(pg),
	    NULL), ENOTTY);
	pg = getsid(0) + 1;
	ck_assert_int_eq(devctl(p.s, DCMD_CHR_TCSETSID, &pg, sizeof(pg),
	    NULL), EPERM);
	/* A command that is no character device's, on a terminal; a
	 * terminal command on a pipe; a closed descriptor. */
	ck_assert_int_eq(devctl(p.s, __DION(_DCMD_CHR, 200), NULL, 0, NULL),
	    ENOTTY);
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(devctl(fds[0], DCMD_CHR_TCDRAIN, NULL, 0, NULL),
	    ENOTTY);
	close(fds[0]);
	close(fds[1]);
	ck_assert_int_eq(devctl(fds[0], DCMD_CHR_TCDRAIN, NULL, 0, NULL),
	    EBADF);
	pty_close(&p);
}
END_TEST

static Suite *
tty_suite(void)
{
	Suite *s = suite_create("tty");
	TCase *t = axt_tcase("tty", 20);

	tcase_add_test(t, test_termios);
	tcase_add_test(t, test_hwflow);
	tcase_add_test(t, test_queues_size_flow);
	tcase_add_test(t, test_lines_and_errors);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(tty_suite());
}
