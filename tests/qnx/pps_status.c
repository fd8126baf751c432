/*
 * pps_status: a service's status object encoded with QNX's PPS encoder
 * (as it would be written to /pps/services/...), then read back with the
 * decoder as a client would after read(): object name, attributes of
 * each encoding, a nested JSON attribute walked without knowing its
 * shape, and the decoder's final status.  Built with -lpps on QNX; with
 * Axon the API is in libaxon.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pps.h>

int
main(void)
{
	pps_encoder_t enc;
	pps_decoder_t dec;
	char buf[512];

	pps_encoder_initialize(&enc, false);
	pps_encoder_start_object(&enc, "@status");
	pps_encoder_add_string(&enc, "state", "running");
	pps_encoder_add_int(&enc, "pid", 4242);
	pps_encoder_add_bool(&enc, "healthy", true);
	pps_encoder_add_double(&enc, "load", 0.75);
	pps_encoder_add_string(&enc, "motd", "line one\nline two");
	pps_encoder_start_array(&enc, "ports");
	pps_encoder_add_int(&enc, NULL, 80);
	pps_encoder_add_int(&enc, NULL, 443);
	pps_encoder_end_array(&enc);
	pps_encoder_end_object(&enc);
	if (pps_encoder_buffer(&enc) == NULL) {
		printf("encode failed: %d\n", (int) pps_encoder_error(&enc));
		return 1;
	}
	fputs(pps_encoder_buffer(&enc), stdout);
	snprintf(buf, sizeof(buf), "%s", pps_encoder_buffer(&enc));
	pps_encoder_cleanup(&enc);

	const char *state = NULL, *motd = NULL;
	int pid = -1;
	bool healthy = false;
	double load = 0;

	pps_decoder_initialize(&dec, NULL);
	pps_decoder_parse_pps_str(&dec, buf);
	printf("object: %s\n", pps_decoder_name(&dec));
	pps_decoder_push(&dec, NULL);
	pps_decoder_get_string(&dec, "state", &state);
	pps_decoder_get_int(&dec, "pid", &pid);
	pps_decoder_get_bool(&dec, "healthy", &healthy);
	pps_decoder_get_double(&dec, "load", &load);
	pps_decoder_get_string(&dec, "motd", &motd);
	if (pps_decoder_status(&dec, true) != PPS_DECODER_OK) {
		printf("bad status object\n");
		return 1;
	}
	printf("state=%s pid=%d healthy=%s load=%.2f\n", state, pid,
	    healthy ? "yes" : "no", load);
	printf("motd has %s\n", strchr(motd, '\n') ? "two lines" : "one line");
	pps_decoder_push(&dec, "ports");
	printf("ports (%d):", pps_decoder_length(&dec));
	while (pps_decoder_type(&dec, NULL) != PPS_TYPE_NONE) {
		int port;

		pps_decoder_get_int(&dec, NULL, &port);
		printf(" %d", port);
	}
	printf("\n");
	pps_decoder_pop(&dec);
	pps_decoder_pop(&dec);
	if (pps_decoder_pop(&dec) == PPS_DECODER_POP_AT_ROOT) {
		printf("back at the root\n");
	}
	pps_decoder_cleanup(&dec);
	return 0;
}
