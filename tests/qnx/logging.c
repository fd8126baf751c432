/*
 * logging: a program that logs the way QNX programs do, with slog2 (a
 * buffer set named after the program, a busy and a quiet buffer, the
 * quiet one the default, the verbosity raised at run time, slog2f,
 * slog2c and slog2fa) and with the older slogf(), checking each call's
 * result.  The records themselves go to the system log or standard
 * error; this prints what the calls returned.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/slog.h>
#include <sys/slog2.h>
#include <unistd.h>

static slog2_buffer_t buffer_handle[2];

static int
log_init(void)
{
	slog2_buffer_set_config_t buffer_config;

	memset(&buffer_config, 0, sizeof(buffer_config));
	buffer_config.buffer_set_name = "logging";
	buffer_config.num_buffers = 2;
	buffer_config.verbosity_level = SLOG2_INFO;
	buffer_config.buffer_config[0].buffer_name = "fast";
	buffer_config.buffer_config[0].num_pages = 8;
	buffer_config.buffer_config[1].buffer_name = "slow";
	buffer_config.buffer_config[1].num_pages = 1;
	if (slog2_register(&buffer_config, buffer_handle, 0) == -1) {
		fprintf(stderr, "Error registering slogger2 buffer!\n");
		return -1;
	}
	return 0;
}

int
main(void)
{
	int8_t some_number = -1;
	int rc;

	/* Before registering: the errors QNX gives. */
	rc = slog2c(NULL, 0, SLOG2_INFO, "too early");
	printf("before slog2_register: %d %s\n", rc,
	    errno == EPERM ? "EPERM" : strerror(errno));
	if (log_init() != 0) {
		return 1;
	}
	rc = slog2f(NULL, 0, SLOG2_INFO, "no default yet");
	printf("no default buffer: %d %s\n", rc,
	    errno == EFAULT ? "EFAULT" : strerror(errno));
	slog2_set_default_buffer(buffer_handle[1]);
	printf("slog2f: %d\n", slog2f(buffer_handle[0], 0, SLOG2_INFO,
	    "Writing a formatted string into the buffer: %s", "hello"));
	printf("slog2c: %d\n", slog2c(buffer_handle[0], 0, SLOG2_INFO,
	    "Writing a constant string into the buffer."));
	printf("slog2fa: %d\n", slog2fa(buffer_handle[0], 0, SLOG2_WARNING,
	    "string:%s, some_number:%d", SLOG2_FA_STRING("Hello world"),
	    SLOG2_FA_SIGNED(some_number), SLOG2_FA_END));
	printf("default buffer: %d\n", slog2f(NULL, 0, SLOG2_NOTICE,
	    "This string goes to the slow buffer: %d", 42));
	printf("verbosity %d\n", slog2_get_verbosity(buffer_handle[0]));
	printf("debug dropped: %d\n", slog2c(buffer_handle[1], 0,
	    SLOG2_DEBUG1, "not kept at INFO"));
	slog2_set_verbosity(buffer_handle[0], SLOG2_DEBUG2);
	printf("verbosity %d, both buffers: %d\n",
	    slog2_get_verbosity(buffer_handle[1]),
	    slog2_get_verbosity(buffer_handle[1]) == SLOG2_DEBUG2);
	printf("slogf: %d bytes\n", slogf(_SLOG_SETCODE(_SLOGC_TEST, 0),
	    _SLOG_ERROR, "old style %s", "log"));
	printf("slog2_reset: %d\n", slog2_reset());
	rc = slog2c(buffer_handle[0], 0, SLOG2_INFO, "after reset");
	printf("after slog2_reset: %d %s\n", rc,
	    errno == EPERM ? "EPERM" : strerror(errno));
	return 0;
}
