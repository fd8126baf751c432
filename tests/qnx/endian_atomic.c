/*
 * endian_atomic: a message header in big-endian network order built with
 * <gulliver.h>, and a counter shared by threads started as QNX programs
 * often start them (pthread_create with a NULL thread id) and bumped with
 * <atomic.h>.
 */
#include <atomic.h>
#include <gulliver.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NTHREADS 4
#define NLOOPS   50000

static volatile unsigned count;
static volatile unsigned done;

static void *
worker(void *arg)
{
	(void) arg;
	for (int i = 0; i < NLOOPS; i++) {
		atomic_add(&count, 1);
	}
	atomic_add(&done, 1);
	return NULL;
}

int
main(void)
{
	uint8_t hdr[7];
	char host[64];

	/* A type byte, then two unaligned big-endian fields. */
	hdr[0] = 1;
	UNALIGNED_PUT16(hdr + 1, ENDIAN_BE16(0x0102));
	UNALIGNED_PUT32(hdr + 3, ENDIAN_BE32(0x03040506));
	if (memcmp(hdr, "\x01\x01\x02\x03\x04\x05\x06", 7) != 0 ||
	    ENDIAN_BE32(UNALIGNED_RET32(hdr + 3)) != 0x03040506) {
		fprintf(stderr, "gulliver: wrong bytes\n");
		return EXIT_FAILURE;
	}
	printf("gulliver: big-endian header ok\n");

	for (int i = 0; i < NTHREADS; i++) {
		if (pthread_create(NULL, NULL, worker, NULL) != 0) {
			perror("pthread_create");
			return EXIT_FAILURE;
		}
	}
	for (int i = 0; i < 500 && done != NTHREADS; i++) {
		usleep(10000);
	}
	if (count != NTHREADS * NLOOPS) {
		fprintf(stderr, "atomic: count %u\n", count);
		return EXIT_FAILURE;
	}
	printf("atomic: %u increments from %d threads\n", count, NTHREADS);
	if (strlcpy(host, "node", sizeof(host)) != 4 ||
	    strcmp(strupr(host), "NODE") != 0) {
		return EXIT_FAILURE;
	}
	printf("strlcpy/strupr: %s\n", host);
	return EXIT_SUCCESS;
}
