/* SPDX-License-Identifier: MIT */
/*
 * devctl() on a Linux terminal descriptor: QNX's character-device
 * commands (<sys/dcmd_chr.h>) carried out with the kernel's termios and
 * modem-line calls, so that a QNX program that sets a serial port up or
 * raises RTS with devctl() works on a Linux serial port or
 * pseudo-terminal.  A command Linux has no counterpart for is ENOTTY, as
 * a QNX driver answers one it does not support; what the kernel refuses
 * (modem lines of a pseudo-terminal, ENOTTY) is passed on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <sys/dcmd_chr.h>

#include "internal.h"

#ifndef TIOCM_LOOP
#define TIOCM_LOOP 0x8000 /* the kernel's (asm-generic/termios.h) */
#endif

/* Copies up to n bytes of the iovs into buf: the bytes copied.  (Also
 * procdevctl.c's.) */
size_t
axon__iov_gather(void *buf, size_t n, const iov_t *v, int parts)
{
	size_t got = 0;

	for (int i = 0; i < parts && got < n; i++) {
		size_t c = v[i].iov_len < n - got ? v[i].iov_len : n - got;

		if (c > 0) {
			memcpy((char *) buf + got, v[i].iov_base, c);
		}
		got += c;
	}
	return got;
}

/* Copies n bytes of buf into the iovs, as many as they hold. */
void
axon__iov_scatter(const iov_t *v, int parts, const void *buf, size_t n)
{
	size_t put = 0;

	for (int i = 0; i < parts && put < n; i++) {
		size_t c = v[i].iov_len < n - put ? v[i].iov_len : n - put;

		if (c > 0) {
			memcpy(v[i].iov_base, (const char *) buf + put, c);
		}
		put += c;
	}
}

/* Modem lines on (set) or off, as TIOCMBIS/TIOCMBIC take them. */
static int
mlines(int fd, int bits, bool set)
{
	if (bits == 0) {
		return 0;
	}
	return ioctl(fd, set ? TIOCMBIS : TIOCMBIC, &bits) < 0 ? -errno : 0;
}

static int
serctl(int fd, int v)
{
	const int chg = _CTL_DTR_CHG | _CTL_RTS_CHG | _CTL_BRK_CHG |
	    _SERCTL_LOOP_CHG;
	int on = 0, off = 0;

	if ((v & (_CTL_TIMED_CHG | _CTL_DSR_CHG | _CTL_DCD_CHG |
		_CTL_CTS_CHG | _CTL_MASK_CHG)) != 0) {
		return -ENOTSUP; /* inputs of a serial port, or no such thing */
	}
	if ((v & chg) == 0) {
		return 0;
	}
	if (v & _CTL_DTR_CHG) {
		*((v & _CTL_DTR) ? &on : &off) |= TIOCM_DTR;
	}
	if (v & _CTL_RTS_CHG) {
		*((v & _CTL_RTS) ? &on : &off) |= TIOCM_RTS;
	}
	if (v & _SERCTL_LOOP_CHG) {
		*((v & _SERCTL_LOOP) ? &on : &off) |= TIOCM_LOOP;
	}
	int rc = mlines(fd, on, true);

	if (rc == 0) {
		rc = mlines(fd, off, false);
	}
	if (rc == 0 && (v & _CTL_BRK_CHG) &&
	    ioctl(fd, (v & _CTL_BRK) ? TIOCSBRK : TIOCCBRK) < 0) {
		rc = -errno;
	}
	return rc;
}

/*
 * dcmd on fd, a terminal: 0 or -errno, -ENOTTY for a command that is not
 * a character device's or has no counterpart here.
 */
int
axon__tty_devctl(int fd, int dcmd, const iov_t *sv, int sparts,
    const iov_t *rv, int rparts, int *ret_info)
{
	union {
		int i;
		unsigned u;
		pid_t pid;
		struct termios t;
		struct winsize w;
	} d;
	size_t in = 0, out = 0;
	int rc = 0;

	if (!isatty(fd)) {
		return errno == EBADF ? -EBADF : -ENOTTY;
	}
	memset(&d, 0, sizeof(d));
	if (dcmd != DCMD_CHR_TCINJECTC && dcmd != DCMD_CHR_TCINJECTR) {
		in = axon__iov_gather(&d, sizeof(d), sv, sparts);
	}
	if (ret_info != NULL) {
		*ret_info = 0;
	}
#define NEED(type)                                                          \
	do {                                                                \
		if (in < sizeof(type)) {                                    \
			return -EINVAL;                                     \
		}                                                           \
	} while (0)
	switch (dcmd) {
	case DCMD_CHR_TCGETATTR:
		rc = tcgetattr(fd, &d.t) < 0 ? -errno : 0;
		out = sizeof(d.t);
		break;
	case DCMD_CHR_TCSETATTR:
	case DCMD_CHR_TCSETATTRD:
	case DCMD_CHR_TCSETATTRF:
		NEED(struct termios);
		rc = tcsetattr(fd, dcmd == DCMD_CHR_TCSETATTR ? TCSANOW
		    : dcmd == DCMD_CHR_TCSETATTRD ? TCSADRAIN : TCSAFLUSH,
		    &d.t) < 0 ? -errno : 0;
		break;
	case DCMD_CHR_TCFLUSH:
		NEED(int);
		rc = tcflush(fd, d.i) < 0 ? -errno : 0;
		break;
	case DCMD_CHR_TCFLOW:
		NEED(int);
		rc = tcflow(fd, d.i) < 0 ? -errno : 0;
		break;
	case DCMD_CHR_TCDRAIN:
		rc = tcdrain(fd) < 0 ? -errno : 0;
		break;
	case DCMD_CHR_SETSIZE:
		NEED(struct winsize);
		rc = ioctl(fd, TIOCSWINSZ, &d.w) < 0 ? -errno : 0;
		break;
	case DCMD_CHR_GETSIZE:
		rc = ioctl(fd, TIOCGWINSZ, &d.w) < 0 ? -errno : 0;
		out = sizeof(d.w);
		break;
	case DCMD_CHR_LINESTATUS:
		rc = ioctl(fd, TIOCMGET, &d.i) < 0 ? -errno : 0;
		out = sizeof(d.i);
		break;
	case DCMD_CHR_SERCTL:
		NEED(int);
		rc = serctl(fd, d.i);
		break;
	case DCMD_CHR_FORCE_RTS:
		NEED(int);
		rc = mlines(fd, TIOCM_RTS, d.i != 0);
		break;
	case DCMD_CHR_ISCHARS: {
		int n;

		rc = ioctl(fd, FIONREAD, &n) < 0 ? -errno : 0;
		d.u = (unsigned) n;
		out = sizeof(d.u);
		break;
	}
	case DCMD_CHR_OSCHARS: {
		int n;

		rc = ioctl(fd, TIOCOUTQ, &n) < 0 ? -errno : 0;
		d.u = (unsigned) n;
		out = sizeof(d.u);
		break;
	}
	case DCMD_CHR_TCGETPGRP:
		d.pid = tcgetpgrp(fd);
		rc = d.pid < 0 ? -errno : 0;
		out = sizeof(d.pid);
		break;
	case DCMD_CHR_TCSETPGRP:
		NEED(pid_t);
		rc = tcsetpgrp(fd, d.pid) < 0 ? -errno : 0;
		break;
	case DCMD_CHR_TCSETSID:
		/* Linux makes a terminal the caller's own controlling one;
		 * QNX's names the session, which must be the caller's. */
		NEED(pid_t);
		if (d.pid != getsid(0)) {
			return -EPERM;
		}
		rc = ioctl(fd, TIOCSCTTY, 0) < 0 ? -errno : 0;
		break;
	case DCMD_CHR_TCINJECTC:
	case DCMD_CHR_TCINJECTR:
		/* Each character as typed (TIOCSTI, which the kernel may
		 * refuse: EIO where it is turned off). */
		for (int i = 0; i < sparts && rc == 0; i++) {
			const char *p = sv[i].iov_base;

			for (size_t j = 0; j < sv[i].iov_len && rc == 0; j++) {
				rc = ioctl(fd, TIOCSTI, &p[j]) < 0 ? -errno : 0;
			}
		}
		break;
	default:
		return -ENOTTY;
	}
#undef NEED
	if (rc == 0 && out > 0) {
		axon__iov_scatter(rv, rparts, &d, out);
	}
	return rc;
}
