/*
 * serial_flow: a program that sets a terminal up as QNX serial code
 * does, with only standard headers: EOK from <errno.h>, sched_param_t
 * from <sched.h>, IHFLOW and OHFLOW from <termios.h>.  The terminal is a
 * pseudo-terminal (the machine may have no serial port); hardware flow
 * control is turned on, read back and turned off.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static int
flow(int fd, int on)
{
	struct termios t;

	if (tcgetattr(fd, &t) != 0) {
		return errno;
	}
	if (on) {
		t.c_cflag |= IHFLOW | OHFLOW;
	} else {
		t.c_cflag &= ~(IHFLOW | OHFLOW);
	}
	if (tcsetattr(fd, TCSANOW, &t) != 0) {
		return errno;
	}
	return EOK;
}

static void
show(int fd, const char *when)
{
	struct termios t;

	if (tcgetattr(fd, &t) != 0) {
		printf("%s: tcgetattr: %s\n", when, strerror(errno));
		return;
	}
	printf("%s: IHFLOW %d OHFLOW %d\n", when, (t.c_cflag & IHFLOW) != 0,
	    (t.c_cflag & OHFLOW) != 0);
}

int
main(void)
{
	sched_param_t param;
	int m, fd, rc;

	memset(&param, 0, sizeof(param));
	rc = sched_getparam(0, &param) == 0 ? EOK : errno;
	printf("sched_getparam: %s\n", rc == EOK ? "EOK" : strerror(rc));
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0) {
		printf("no pseudo-terminal: %s\n", strerror(errno));
		return 1;
	}
	fd = open(ptsname(m), O_RDWR | O_NOCTTY);
	if (fd < 0) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	show(fd, "at first");
	rc = flow(fd, 1);
	printf("on: %s\n", rc == EOK ? "EOK" : strerror(rc));
	show(fd, "after on");
	rc = flow(fd, 0);
	printf("off: %s\n", rc == EOK ? "EOK" : strerror(rc));
	show(fd, "after off");
	close(fd);
	close(m);
	return 0;
}
