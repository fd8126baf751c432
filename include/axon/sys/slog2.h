/* SPDX-License-Identifier: MIT */
/*
 * <sys/slog2.h> for Axon: QNX's slog2 logging API (slog2_register(3)).
 * glibc has no such header.  QNX keeps each buffer set in shared memory
 * that slogger2 collects and slog2info reads; on Linux the records go to
 * the system log (syslog(3): the journal, or rsyslog) or to standard
 * error, one line each, with the buffer set's and buffer's names, the
 * code and the severity (AXON_SLOG chooses, slog2_register(3)).
 * Only the names matter to programs; values are Axon's own.
 */
#ifndef AXON_SYS_SLOG2_H
#define AXON_SYS_SLOG2_H

#include <stdarg.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

/* Severities, most severe first (as QNX's and syslog's order). */
#define SLOG2_SHUTDOWN 0
#define SLOG2_CRITICAL 1
#define SLOG2_ERROR    2
#define SLOG2_WARNING  3
#define SLOG2_NOTICE   4
#define SLOG2_INFO     5
#define SLOG2_DEBUG1   6
#define SLOG2_DEBUG2   7

/* What slog2_get_verbosity() returns for a handle it does not know. */
#define SLOG2_INVALID_VERBOSITY 0xff

/* Buffers in one buffer set, at most. */
#define SLOG2_MAX_BUFFERS 4

/* slog2_register() flags.  Kept and ignored unless said otherwise:
 * there is no shared memory and no parser on Linux. */
#define SLOG2_ALLOC_TYPE_SHMEM     0x0001u
#define SLOG2_ALLOC_TYPE_PHYSICAL  0x0002u
#define SLOG2_DISCARD_NEWLINE      0x0004u /* each run of '\n' one space */
#define SLOG2_HINT_SKIP_BUFFER_0   0x0010u
#define SLOG2_HINT_SKIP_BUFFER_1   0x0020u
#define SLOG2_HINT_SKIP_BUFFER_2   0x0040u
#define SLOG2_HINT_SKIP_BUFFER_3   0x0080u
#define SLOG2_TRY_REUSE_BUFFER_SET 0x0100u /* the same set again, if any */
#define SLOG2_LIMIT_RETRIES        0x0200u /* no waiting here: no EBUSY */
#define SLOG2_QUIET                0x0400u

struct axon_slog2_buffer;
typedef struct axon_slog2_buffer *slog2_buffer_t;

typedef struct {
	const char *buffer_name;
	int num_pages; /* 4 KiB pages: must be at least 1 */
} slog2_buffer_config_t;

typedef struct {
	int num_buffers;
	const char *buffer_set_name;
	uint8_t verbosity_level; /* records up to this severity are kept */
	slog2_buffer_config_t buffer_config[SLOG2_MAX_BUFFERS];
	uint32_t max_retries; /* QNX 7: with SLOG2_LIMIT_RETRIES */
} slog2_buffer_set_config_t;

AXON_EXPORT int slog2_register(slog2_buffer_set_config_t *config,
    slog2_buffer_t *handles, uint32_t flags);
AXON_EXPORT int slog2_reset(void);
AXON_EXPORT int slog2_set_verbosity(slog2_buffer_t buffer,
    uint8_t verbosity);
AXON_EXPORT uint8_t slog2_get_verbosity(slog2_buffer_t buffer);
AXON_EXPORT slog2_buffer_t slog2_set_default_buffer(slog2_buffer_t buffer);

AXON_EXPORT int slog2c(slog2_buffer_t buffer, uint16_t code,
    uint8_t severity, const char *data);
AXON_EXPORT int slog2f(slog2_buffer_t buffer, uint16_t code,
    uint8_t severity, const char *format, ...);
AXON_EXPORT int vslog2f(slog2_buffer_t buffer, uint16_t code,
    uint8_t severity, const char *format, va_list arglist);
AXON_EXPORT int slog2fa(slog2_buffer_t buffer, uint16_t code,
    uint8_t severity, const char *format, ...);
AXON_EXPORT int vslog2fa(slog2_buffer_t buffer, uint16_t code,
    uint8_t severity, const char *format, va_list arglist);

/*
 * slog2fa()'s arguments: each one wrapped in a SLOG2_FA_*() macro, the
 * list ended by SLOG2_FA_END.  Each macro gives a tag and the value as
 * the type the tag says, so that slog2fa() takes every argument with its
 * true type whatever the format claims (a mismatch is an error, EINVAL,
 * not undefined behaviour).
 */
enum {
	AXON_SLOG2_FA_END = 0x51a0,
	AXON_SLOG2_FA_SIGNED,
	AXON_SLOG2_FA_UNSIGNED,
	AXON_SLOG2_FA_DOUBLE,
	AXON_SLOG2_FA_STRING,
	AXON_SLOG2_FA_STAR,
};
#define SLOG2_FA_SIGNED(x)   AXON_SLOG2_FA_SIGNED, (long long) (x)
#define SLOG2_FA_UNSIGNED(x) AXON_SLOG2_FA_UNSIGNED, \
	(unsigned long long) (x)
#define SLOG2_FA_CHAR(x)     AXON_SLOG2_FA_SIGNED, (long long) (x)
#define SLOG2_FA_FLOAT(x)    AXON_SLOG2_FA_DOUBLE, (double) (x)
#define SLOG2_FA_DOUBLE(x)   AXON_SLOG2_FA_DOUBLE, (double) (x)
#define SLOG2_FA_STRING(x)   AXON_SLOG2_FA_STRING, (const char *) (x)
#define SLOG2_FA_STAR(x)     AXON_SLOG2_FA_STAR, (int) (x)
#define SLOG2_FA_END         AXON_SLOG2_FA_END

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_SLOG2_H */
