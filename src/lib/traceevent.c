/* SPDX-License-Identifier: MIT */
/*
 * QNX's TraceEvent() and the trace_log*() helpers (<sys/trace.h>; see
 * TraceEvent(3)) on Axon's recorder, `axon trace` (trace.c, traceinfo.h).
 *
 * An insert is checked first (a bad code or pointer fails whether or not
 * the node is tracing, so that a program sees the same answers either
 * way), then dropped at the cost of a load or two unless the node's
 * switch is on; only then is a string formatted and the event recorded,
 * in the calling process's ring, in chunks (traceinfo.h).  The commands
 * that configure QNX's kernel recording change nothing here: Axon's
 * recorder has one configuration, every message-passing event and every
 * inserted one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/trace.h>

#include "internal.h"
#include "trace.h"
#include "traceinfo.h"

_Static_assert(AXON_TRACE_STR_MAX == AXON_TR_USTR_MAX &&
	AXON_TRACE_INTS_MAX == AXON_TR_UINTS_MAX, "the caps, as published");

/* A class events may be inserted in: not EMPTY or a pseudo-class. */
static bool
class_ok(int cls)
{
	return cls > _NTO_TRACE_EMPTY && cls < _NTO_TRACE_KERCALL;
}

/* An event's code within its class (user events: USERFIRST..USERLAST). */
static bool
code_ok(int cls, int code)
{
	return code >= 0 &&
	    code <= (cls == _NTO_TRACE_USER ? _NTO_TRACE_USERLAST : 0xffff);
}

static int
fail(int err)
{
	errno = err;
	return -1;
}

/* Integers: n of them at data (cut to AXON_TRACE_INTS_MAX). */
static int
insert_ints(int cls, int code, const void *data, size_t n)
{
	int32_t buf[AXON_TR_UINTS_MAX];

	if (!class_ok(cls) || !code_ok(cls, code)) {
		return fail(EINVAL);
	}
	if (data == NULL && n > 0) {
		return fail(EFAULT);
	}
	if (!axon__trace_user_on()) {
		return 0;
	}
	if (n > AXON_TR_UINTS_MAX) {
		n = AXON_TR_UINTS_MAX;
	}
	/* (A copy: data need not be aligned.) */
	if (n > 0) {
		memcpy(buf, data, n * sizeof(int32_t));
	}
	axon__trace_user(cls, code, AXON_TR_UKIND_INTS, buf, n);
	return 0;
}

/* Bytes, as trace_logb() and trace_logbc() take them: the integers they
 * fill, the last padded with zeros. */
static int
insert_bytes(int cls, int code, const void *data, size_t nbytes)
{
	int32_t buf[AXON_TR_UINTS_MAX];

	if (!class_ok(cls) || !code_ok(cls, code)) {
		return fail(EINVAL);
	}
	if (data == NULL && nbytes > 0) {
		return fail(EFAULT);
	}
	if (!axon__trace_user_on()) {
		return 0;
	}
	if (nbytes > sizeof(buf)) {
		nbytes = sizeof(buf);
	}
	if (nbytes % sizeof(int32_t) != 0) {
		buf[nbytes / sizeof(int32_t)] = 0; /* the last one's padding */
	}
	if (nbytes > 0) {
		memcpy(buf, data, nbytes);
	}
	axon__trace_user(cls, code, AXON_TR_UKIND_INTS, buf,
	    (nbytes + sizeof(int32_t) - 1) / sizeof(int32_t));
	return 0;
}

/* A NUL-terminated string (cut to AXON_TRACE_STR_MAX bytes). */
static int
insert_str(int code, const char *s)
{
	if (!code_ok(_NTO_TRACE_USER, code)) {
		return fail(EINVAL);
	}
	if (s == NULL) {
		return fail(EFAULT);
	}
	if (axon__trace_user_on()) {
		axon__trace_user(_NTO_TRACE_USER, code, AXON_TR_UKIND_STR, s,
		    strnlen(s, AXON_TR_USTR_MAX));
	}
	return 0;
}

int
TraceEvent(int cmd, ...)
{
	va_list ap;
	int rc = 0;

	va_start(ap, cmd);
	switch (cmd) {
	case _NTO_TRACE_START:
	case _NTO_TRACE_STARTNOSTATE:
	case _NTO_TRACE_STOP:
	case _NTO_TRACE_ALLOCBUFFER:
	case _NTO_TRACE_DEALLOCBUFFER:
	case _NTO_TRACE_QUERYEVENTS:
	case _NTO_TRACE_INSERTEVENT:
		rc = fail(ENOTSUP);
		break;
	case _NTO_TRACE_FLUSHBUFFER:
	case _NTO_TRACE_SETRINGMODE:
	case _NTO_TRACE_SETLINEARMODE:
	case _NTO_TRACE_ADDALLCLASSES:
	case _NTO_TRACE_DELALLCLASSES:
	case _NTO_TRACE_ADDCLASS:
	case _NTO_TRACE_DELCLASS:
	case _NTO_TRACE_ADDEVENT:
	case _NTO_TRACE_DELEVENT:
	case _NTO_TRACE_SETALLCLASSESFAST:
	case _NTO_TRACE_SETALLCLASSESWIDE:
	case _NTO_TRACE_SETCLASSFAST:
	case _NTO_TRACE_SETCLASSWIDE:
	case _NTO_TRACE_SETEVENTFAST:
	case _NTO_TRACE_SETEVENTWIDE:
		break;
	case _NTO_TRACE_INSERTSUSEREVENT:
	case _NTO_TRACE_INSERTSCLASSEVENT: {
		int cls = cmd == _NTO_TRACE_INSERTSUSEREVENT
		    ? _NTO_TRACE_USER
		    : va_arg(ap, int);
		int code = va_arg(ap, int);
		int32_t d[2];

		d[0] = (int32_t) va_arg(ap, int);
		d[1] = (int32_t) va_arg(ap, int);
		rc = insert_ints(cls, code, d, 2);
		break;
	}
	case _NTO_TRACE_INSERTCUSEREVENT:
	case _NTO_TRACE_INSERTCCLASSEVENT: {
		int cls = cmd == _NTO_TRACE_INSERTCUSEREVENT
		    ? _NTO_TRACE_USER
		    : va_arg(ap, int);
		int code = va_arg(ap, int);
		const void *buf = va_arg(ap, const void *);
		unsigned n = va_arg(ap, unsigned);

		rc = insert_ints(cls, code, buf, n);
		break;
	}
	case _NTO_TRACE_INSERTUSRSTREVENT: {
		int code = va_arg(ap, int);

		rc = insert_str(code, va_arg(ap, const char *));
		break;
	}
	default:
		rc = fail(EINVAL);
		break;
	}
	va_end(ap);
	return rc;
}

int
trace_logi(int code, unsigned int d1, unsigned int d2)
{
	int32_t d[2] = {(int32_t) d1, (int32_t) d2};

	return insert_ints(_NTO_TRACE_USER, code, d, 2);
}

int
trace_logb(int code, const void *buf, size_t nbytes)
{
	return insert_bytes(_NTO_TRACE_USER, code, buf, nbytes);
}

int
trace_logbc(int class_, int event, const void *data, size_t nbytes)
{
	return insert_bytes(class_, event, data, nbytes);
}

int
trace_vnlogf(int code, int max, const char *fmt, va_list ap)
{
	char text[AXON_TR_USTR_MAX + 1];
	size_t n;
	int len;

	if (!code_ok(_NTO_TRACE_USER, code) || max < 0) {
		return fail(EINVAL);
	}
	if (fmt == NULL) {
		return fail(EFAULT);
	}
	if (!axon__trace_user_on()) {
		return 0;
	}
	len = vsnprintf(text, sizeof(text), fmt, ap);
	if (len < 0) {
		return fail(EINVAL);
	}
	n = strnlen(text, sizeof(text) - 1); /* (a %c of 0 ends it) */
	if ((size_t) max < n) {
		n = (size_t) max;
	}
	axon__trace_user(_NTO_TRACE_USER, code, AXON_TR_UKIND_STR, text, n);
	return 0;
}

int
trace_nlogf(int code, int max, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = trace_vnlogf(code, max, fmt, ap);
	va_end(ap);
	return rc;
}

int
trace_logf(int code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = trace_vnlogf(code, AXON_TRACE_STR_MAX, fmt, ap);
	va_end(ap);
	return rc;
}
