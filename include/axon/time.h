/* SPDX-License-Identifier: MIT */
/*
 * <time.h> for Axon: the system header, plus QNX's timers that pulse.
 * On QNX, timer_create() takes any sigevent, a SIGEV_PULSE above all
 * (the heartbeat of a control loop); glibc's refuses the QNX notify
 * types.  As gnulib does for functions it completes, the five POSIX
 * timer calls are macros for libaxon's axon_timer_*() when this header
 * is used (only in programs built with Axon's flags).  Those hand the
 * QNX types (SIGEV_PULSE, SIGEV_SIGNAL_CODE, SIGEV_SIGNAL_THREAD, or a
 * type with QNX's flag bits) to TimerCreate()'s engine and everything
 * else to glibc's timer_*() unchanged, so SIGEV_SIGNAL, SIGEV_THREAD,
 * SIGEV_THREAD_ID and SIGEV_NONE timers are glibc's own, ids and all.
 *
 * timer_t stays glibc's (a pointer-sized value).  A QNX-type timer's
 * value is AXON_TIMER_TAG | its TimerCreate() id: glibc never makes one
 * (2.34 and later give kernel ids, 0 to INT_MAX, or for SIGEV_THREAD a
 * value with the top bit set; older ones heap pointers, below 2^57 on
 * every 64-bit Linux), and (int) of it is the TimerCreate() id, as a
 * QNX program that keeps its timer_t in an int expects for TimerInfo().
 * Only on 64-bit systems: a 32-bit timer_t has no free values, and
 * there the QNX types fail with EINVAL as glibc's own would.
 *
 * A program that defines AXON_NO_TIMER_WRAP before including this
 * header gets glibc's functions untouched.  See TimerCreate(3).
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <time.h>

#if !defined(AXON_TIME_H) && defined(__USE_POSIX199309)
#define AXON_TIME_H

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

/* The top 16 bits of a QNX-type timer's timer_t ("AX"). */
#define AXON_TIMER_TAG 0x4158000000000000ull

AXON_EXPORT int axon_timer_create(clockid_t clock,
    struct sigevent *__restrict evp, timer_t *__restrict timerid);
AXON_EXPORT int axon_timer_delete(timer_t timerid);
AXON_EXPORT int axon_timer_settime(timer_t timerid, int flags,
    const struct itimerspec *__restrict value,
    struct itimerspec *__restrict ovalue);
AXON_EXPORT int axon_timer_gettime(timer_t timerid, struct itimerspec *value);
AXON_EXPORT int axon_timer_getoverrun(timer_t timerid);

#ifndef AXON_NO_TIMER_WRAP
#define timer_create     axon_timer_create
#define timer_delete     axon_timer_delete
#define timer_settime    axon_timer_settime
#define timer_gettime    axon_timer_gettime
#define timer_getoverrun axon_timer_getoverrun
#endif

#ifdef __cplusplus
}
#endif

#endif /* AXON_TIME_H */
