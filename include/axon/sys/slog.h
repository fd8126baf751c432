/* SPDX-License-Identifier: MIT */
/*
 * <sys/slog.h> for Axon: QNX's older system-logger calls, slogf(),
 * vslogf(), slogb() and slogi() (slog2_register(3), "The older slogger
 * calls").  glibc has no such header.  The records go where slog2's do
 * (the system log or standard error), labelled with the opcode's major
 * and minor codes.  Only the names matter to programs; values are
 * Axon's own.
 */
#ifndef AXON_SYS_SLOG_H
#define AXON_SYS_SLOG_H

#include <stdarg.h>

#include <sys/slogcodes.h> /* the major codes, as QNX's */

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

/* Severities, most severe first. */
#define _SLOG_SHUTDOWN 0
#define _SLOG_CRITICAL 1
#define _SLOG_ERROR    2
#define _SLOG_WARNING  3
#define _SLOG_NOTICE   4
#define _SLOG_INFO     5
#define _SLOG_DEBUG1   6
#define _SLOG_DEBUG2   7

/* An opcode: a major code (what kind of program) and a minor one (the
 * program's own), 16 bits each. */
#define _SLOG_SETCODE(major, minor) \
	((int) ((((unsigned) (major) & 0xffffu) << 16) | \
	    ((unsigned) (minor) & 0xffffu)))
#define _SLOG_GETMAJOR(code) ((int) (((unsigned) (code) >> 16) & 0xffffu))
#define _SLOG_GETMINOR(code) ((int) ((unsigned) (code) & 0xffffu))


AXON_EXPORT int slogf(int opcode, int severity, const char *fmt, ...);
AXON_EXPORT int vslogf(int opcode, int severity, const char *fmt,
    va_list arg);
AXON_EXPORT int slogb(int opcode, int severity, void *data, int size);
AXON_EXPORT int slogi(int opcode, int severity, int nargs, ...);

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_SLOG_H */
