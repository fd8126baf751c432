/* A Linux program's terminal set-up (<termios.h>, <errno.h>): CRTSCTS
 * on a pseudo-terminal, on, read back and off, the same with Axon's
 * headers (which add IHFLOW and OHFLOW) as without. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int
main(void)
{
	struct termios t;
	int m, s;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0 ||
	    (s = open(ptsname(m), O_RDWR | O_NOCTTY)) < 0) {
		printf("no pty: %d\n", errno);
		return 0;
	}
	tcgetattr(s, &t);
	t.c_cflag |= CRTSCTS;
	printf("on %d", tcsetattr(s, TCSANOW, &t));
	tcgetattr(s, &t);
	printf(" %d", (t.c_cflag & CRTSCTS) != 0);
	t.c_cflag &= ~CRTSCTS;
	printf(" off %d", tcsetattr(s, TCSANOW, &t));
	tcgetattr(s, &t);
	printf(" %d cflag %#lo\n", (t.c_cflag & CRTSCTS) != 0,
	    (unsigned long) t.c_cflag);
	close(s);
	close(m);
	return 0;
}
