/* SPDX-License-Identifier: MIT */
/*
 * <sys/trace.h> for Axon: QNX's TraceEvent() and the trace_log*()
 * helpers (TraceEvent(3)).  glibc has no such header.
 *
 * On QNX the kernel records events into trace buffers that tracelogger
 * saves.  Under Axon the node's recorder is `axon trace` (axon-trace(1)):
 * while it records, the events a program inserts (user events, and
 * "class" events of any class) go into the process's trace ring with its
 * message-passing events, and come out in the same JSON; while it does
 * not, an insert is dropped and succeeds, as on QNX with nothing
 * capturing.  The commands that configure the kernel's recording (classes,
 * events, fast/wide, ring/linear, flush) are accepted and change nothing;
 * those that run a recorder of one's own (START, STOP, buffers) fail with
 * ENOTSUP: `axon trace` plays tracelogger's part.
 *
 * QNX does not publish the values of these constants: only their names
 * matter to programs (source compatibility, not binary), and the values
 * are Axon's own.
 */
#ifndef AXON_SYS_TRACE_H
#define AXON_SYS_TRACE_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

/* ---- TraceEvent() commands ------------------------------------------ */
/* A recorder of one's own: ENOTSUP (axon trace records the node). */
#define _NTO_TRACE_START              1
#define _NTO_TRACE_STARTNOSTATE       2
#define _NTO_TRACE_STOP               3
#define _NTO_TRACE_ALLOCBUFFER        4
#define _NTO_TRACE_DEALLOCBUFFER      5
#define _NTO_TRACE_QUERYEVENTS        6
/* The recording's configuration: accepted, changes nothing. */
#define _NTO_TRACE_FLUSHBUFFER        7
#define _NTO_TRACE_SETRINGMODE        8
#define _NTO_TRACE_SETLINEARMODE      9
#define _NTO_TRACE_ADDALLCLASSES      10
#define _NTO_TRACE_DELALLCLASSES      11
#define _NTO_TRACE_ADDCLASS           12 /* int class */
#define _NTO_TRACE_DELCLASS           13 /* int class */
#define _NTO_TRACE_ADDEVENT           14 /* int class, int event */
#define _NTO_TRACE_DELEVENT           15 /* int class, int event */
#define _NTO_TRACE_SETALLCLASSESFAST  16
#define _NTO_TRACE_SETALLCLASSESWIDE  17
#define _NTO_TRACE_SETCLASSFAST       18 /* int class */
#define _NTO_TRACE_SETCLASSWIDE       19 /* int class */
#define _NTO_TRACE_SETEVENTFAST       20 /* int class, int event */
#define _NTO_TRACE_SETEVENTWIDE       21 /* int class, int event */
/* Inserting events. */
#define _NTO_TRACE_INSERTEVENT        22 /* a raw kernel event: ENOTSUP */
#define _NTO_TRACE_INSERTSUSEREVENT   23 /* int event, int d0, int d1 */
#define _NTO_TRACE_INSERTCUSEREVENT   24 /* int event, const void *buf,
					  * unsigned n (32-bit integers) */
#define _NTO_TRACE_INSERTUSRSTREVENT  25 /* int event, const char *s */
#define _NTO_TRACE_INSERTSCLASSEVENT  26 /* int class, int event, int d0,
					  * int d1 */
#define _NTO_TRACE_INSERTCCLASSEVENT  27 /* int class, int event,
					  * const void *buf, unsigned n */

/* ---- Event classes --------------------------------------------------- */
#define _NTO_TRACE_EMPTY              0
#define _NTO_TRACE_CONTROL            1
#define _NTO_TRACE_INTENTER           2
#define _NTO_TRACE_INTEXIT            3
#define _NTO_TRACE_KERCALLENTER       4
#define _NTO_TRACE_KERCALLEXIT        5
#define _NTO_TRACE_USER               6
#define _NTO_TRACE_PROCESS            7
#define _NTO_TRACE_THREAD             8
#define _NTO_TRACE_VTHREAD            9
#define _NTO_TRACE_COMM               10
#define _NTO_TRACE_SYSTEM             11
#define _NTO_TRACE_KERCALLINT         12
#define _NTO_TRACE_INT_HANDLER_ENTER  13
#define _NTO_TRACE_INT_HANDLER_EXIT   14
#define _NTO_TRACE_QUIP               15
#define _NTO_TRACE_SEC                16
#define _NTO_TRACE_KERCALL            17 /* the three kernel-call classes */
#define _NTO_TRACE_INT                18 /* the interrupt classes */

/* The codes of user events (class _NTO_TRACE_USER). */
#define _NTO_TRACE_USERFIRST          0
#define _NTO_TRACE_USERLAST           1023

/* The most an event carries: a longer string is cut to this many bytes,
 * a longer buffer to this many 32-bit integers (TraceEvent(3)). */
#define AXON_TRACE_STR_MAX            1024
#define AXON_TRACE_INTS_MAX           256

/*
 * Each returns 0, or -1 with errno set: EINVAL for an unknown command,
 * class, or a code outside _NTO_TRACE_USERFIRST.._NTO_TRACE_USERLAST;
 * EFAULT for a NULL string or buffer; ENOTSUP for a command only a
 * recorder of one's own would use.
 */
#ifndef AXON_TRACEEVENT_DECLARED
#define AXON_TRACEEVENT_DECLARED
AXON_EXPORT int TraceEvent(int cmd, ...);
#endif
AXON_EXPORT int trace_logi(int code, unsigned int d1, unsigned int d2);
AXON_EXPORT int trace_logb(int code, const void *buf, size_t nbytes);
AXON_EXPORT int trace_logbc(int class_, int event, const void *data,
    size_t nbytes);
AXON_EXPORT int trace_logf(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
AXON_EXPORT int trace_nlogf(int code, int max, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
AXON_EXPORT int trace_vnlogf(int code, int max, const char *fmt,
    va_list ap) __attribute__((format(printf, 3, 0)));

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_TRACE_H */
