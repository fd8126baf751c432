/*
 * pps_pubsub: a PPS publisher and a subscriber, as QNX programs write
 * them against the PPS service (the developer's guide's "Publishing"
 * and "Subscribing"): the publisher opens its object with O_CREAT and
 * writes what pps_encoder_* encode; the subscriber opens it in delta
 * mode, reads the whole object first, then waits in select() for each
 * change and decodes it with pps_decoder_*: updated attributes, then a
 * deleted one ("-name").
 *
 * The service's directory is $PPS_DIR, or /pps (QNX's); with Axon,
 * $AXON_RUNDIR/fs/pps through axon-fs (tests/qnx_pps.sh runs it so).
 */
/* axon-compat: pps */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pps.h>
#include <sys/select.h>
#include <unistd.h>

static char path[512];

/* Writes what the encoder holds: 0, or -1 (said why). */
static int
publish(int fd, pps_encoder_t *enc)
{
	const char *text = pps_encoder_buffer(enc);

	if (text == NULL ||
	    write(fd, text, strlen(text)) != (ssize_t) strlen(text)) {
		perror("publish");
		return -1;
	}
	pps_encoder_reset(enc);
	return 0;
}

/* Waits (5 s at most) for fd to be readable, reads one delta and prints
 * what the decoder finds in it. */
static int
receive(int fd)
{
	struct timeval tv = {5, 0};
	pps_decoder_t dec;
	char buf[1024];
	fd_set rd;
	ssize_t n;

	FD_ZERO(&rd);
	FD_SET(fd, &rd);
	if (select(fd + 1, &rd, NULL, NULL, &tv) != 1) {
		printf("no change seen\n");
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0) {
		perror("read");
		return -1;
	}
	buf[n] = '\0';
	pps_decoder_initialize(&dec, NULL);
	if (pps_decoder_parse_pps_str(&dec, buf) != PPS_DECODER_OK) {
		printf("cannot decode: %s", buf);
		return -1;
	}
	printf("object %s:", pps_decoder_name(&dec));
	pps_decoder_push(&dec, NULL);
	for (int i = 0; i < pps_decoder_length(&dec); i++) {
		const char *name = pps_decoder_name(&dec);

		if (pps_decoder_flags(&dec, NULL) & PPS_DELETED) {
			printf(" -%s", name);
			pps_decoder_next(&dec);
		} else if (pps_decoder_type(&dec, NULL) == PPS_TYPE_NUMBER) {
			int v = 0;

			pps_decoder_get_int(&dec, NULL, &v);
			printf(" %s=%d", name, v);
		} else if (pps_decoder_type(&dec, NULL) == PPS_TYPE_STRING) {
			const char *s = NULL;

			pps_decoder_get_string(&dec, NULL, &s);
			printf(" %s=%s", name, s);
		} else {
			printf(" %s=?", name);
			pps_decoder_next(&dec);
		}
	}
	printf("\n");
	pps_decoder_cleanup(&dec);
	return 0;
}

int
main(void)
{
	const char *dir = getenv("PPS_DIR") != NULL ? getenv("PPS_DIR") :
	    "/pps";
	pps_encoder_t enc;
	int pub, sub;

	snprintf(path, sizeof(path), "%s/pps_pubsub", dir);
	pub = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (pub < 0) {
		perror(path);
		return 1;
	}
	pps_encoder_initialize(&enc, false);
	pps_encoder_add_string(&enc, "state", "starting");
	pps_encoder_add_int(&enc, "count", 0);
	if (publish(pub, &enc) != 0) {
		return 1;
	}
	snprintf(path, sizeof(path), "%s/pps_pubsub?delta", dir);
	sub = open(path, O_RDONLY);
	if (sub < 0) {
		perror(path);
		return 1;
	}
	if (receive(sub) != 0) { /* the whole object first */
		return 1;
	}
	for (int i = 1; i <= 2; i++) {
		pps_encoder_add_int(&enc, "count", i);
		if (publish(pub, &enc) != 0 || receive(sub) != 0) {
			return 1;
		}
	}
	pps_encoder_add_string(&enc, "state", "running");
	if (publish(pub, &enc) != 0 || receive(sub) != 0) {
		return 1;
	}
	if (write(pub, "-count\n", 7) != 7 || receive(sub) != 0) {
		return 1;
	}
	pps_encoder_cleanup(&enc);
	close(sub);
	close(pub);
	return 0;
}
