/*
 * client: a QNX program using the classic managers of this directory
 * as QNX programs do, through open/read/write/lseek/fstat/devctl/close
 * on their paths and name_open/MsgSend for the ticker's private
 * messages.  Each command prints what it saw, one fact a line, for the
 * test to compare.
 *
 * Usage: client cat PATH          fstat's size, then the contents
 *        client write PATH TEXT   O_TRUNC, then TEXT in two writes
 *        client seek PATH OFF     lseek to OFF, read the rest, SEEK_END
 *        client devctl PATH       the dcmd device's commands
 *        client msg NAME          the ticker's private messages
 *        client missing PATH      open of what is not there
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/dispatch.h>
#include <sys/neutrino.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "classic_dcmd.h"

#define TICKER_ADD   0x5001
#define TICKER_TICKS 0x5002

struct ticker_msg {
	uint16_t type;
	uint16_t zero;
	int32_t value;
};

static int
do_cat(const char *path)
{
	struct stat st;
	char buf[7];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1) {
		printf("open: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	if (fstat(fd, &st) == -1) {
		printf("fstat: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	printf("size %lld\n", (long long) st.st_size);
	/* Small reads: each goes on where the last stopped. */
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		fwrite(buf, 1, (size_t) n, stdout);
	}
	if (n == -1) {
		printf("read: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	if (close(fd) == -1) {
		printf("close: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

static int
do_write(const char *path, const char *text)
{
	size_t len = strlen(text);
	size_t half = len / 2;
	int fd;

	if ((fd = open(path, O_WRONLY | O_TRUNC)) == -1) {
		printf("open: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	if (write(fd, text, half) != (ssize_t) half ||
	    write(fd, text + half, len - half) != (ssize_t) (len - half)) {
		printf("write: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	close(fd);
	printf("wrote %zu\n", len);
	return EXIT_SUCCESS;
}

static int
do_seek(const char *path, long off)
{
	char buf[256];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDWR)) == -1) {
		printf("open: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	printf("at %lld\n", (long long) lseek(fd, off, SEEK_SET));
	n = read(fd, buf, sizeof(buf));
	if (n < 0) {
		printf("read: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	printf("rest %.*s", (int) n, buf);
	printf("end %lld\n", (long long) lseek(fd, 0, SEEK_END));
	close(fd);
	return EXIT_SUCCESS;
}

static int
do_devctl(const char *path)
{
	struct classic_range range;
	int fd;
	int info = -1;
	int v;

	if ((fd = open(path, O_RDWR)) == -1) {
		printf("open: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	v = 7;
	printf("set 7: %s", strerror(devctl(fd, CLASSIC_SET, &v, sizeof(v),
	    &info)));
	printf(", was %d\n", info);
	v = -1;
	printf("get: %s", strerror(devctl(fd, CLASSIC_GET, &v, sizeof(v),
	    NULL)));
	printf(", %d\n", v);
	v = 9;
	printf("swap 9: %s", strerror(devctl(fd, CLASSIC_SWAP, &v, sizeof(v),
	    &info)));
	printf(", got %d, was %d\n", v, info);
	memset(&range, 0, sizeof(range));
	printf("range: %s", strerror(devctl(fd, CLASSIC_RANGE, &range,
	    sizeof(range), NULL)));
	printf(", %d..%d\n", range.lo, range.hi);
	printf("reset: %s\n", strerror(devctl(fd, CLASSIC_RESET, NULL, 0,
	    NULL)));
	devctl(fd, CLASSIC_GET, &v, sizeof(v), NULL);
	printf("after reset %d\n", v);
	printf("unknown: %s\n", strerror(devctl(fd, __DION(_DCMD_MISC, 99),
	    NULL, 0, NULL)));
	v = 3;
	devctl(fd, CLASSIC_SET, &v, sizeof(v), NULL);
	close(fd);
	return EXIT_SUCCESS;
}

static int
do_msg(const char *name)
{
	struct ticker_msg m;
	struct timespec now;
	int32_t answer = -1;
	time_t end;
	int coid;

	if ((coid = name_open(name, 0)) == -1) {
		printf("name_open: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	memset(&m, 0, sizeof(m));
	m.type = TICKER_ADD;
	m.value = 5;
	MsgSend(coid, &m, sizeof(m), &answer, sizeof(answer));
	m.value = 6;
	if (MsgSend(coid, &m, sizeof(m), &answer, sizeof(answer)) == -1) {
		printf("MsgSend: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	printf("sum %d\n", (int) answer);
	/* The timer's pulses are counted: three ticks come (5 s at most). */
	m.type = TICKER_TICKS;
	clock_gettime(CLOCK_MONOTONIC, &now);
	end = now.tv_sec + 5;
	do {
		if (MsgSend(coid, &m, sizeof(m), &answer, sizeof(answer)) ==
		    -1) {
			printf("MsgSend: %s\n", strerror(errno));
			return EXIT_FAILURE;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (answer < 3 && now.tv_sec < end);
	printf("ticks %s\n", answer >= 3 ? "counted" : "missing");
	/* A type no handler took. */
	m.type = 0x6000;
	if (MsgSend(coid, &m, sizeof(m), &answer, sizeof(answer)) == -1) {
		printf("other type: %s\n", strerror(errno));
	}
	name_close(coid);
	return EXIT_SUCCESS;
}

static int
do_missing(const char *path)
{
	if (open(path, O_RDONLY) == -1) {
		printf("open: %s\n", strerror(errno));
	}
	return EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "cat") == 0) {
		return do_cat(argv[2]);
	}
	if (argc == 4 && strcmp(argv[1], "write") == 0) {
		return do_write(argv[2], argv[3]);
	}
	if (argc == 4 && strcmp(argv[1], "seek") == 0) {
		return do_seek(argv[2], atol(argv[3]));
	}
	if (argc == 3 && strcmp(argv[1], "devctl") == 0) {
		return do_devctl(argv[2]);
	}
	if (argc == 3 && strcmp(argv[1], "msg") == 0) {
		return do_msg(argv[2]);
	}
	if (argc == 3 && strcmp(argv[1], "missing") == 0) {
		return do_missing(argv[2]);
	}
	fprintf(stderr, "usage: client cat|write|seek|devctl|msg|missing "
	    "...\n");
	return EXIT_FAILURE;
}
