/* SPDX-License-Identifier: MIT */
/*
 * <semaphore.h> for Axon: the system header, plus QNX's
 * sem_timedwait_monotonic(), sem_timedwait() against CLOCK_MONOTONIC
 * (glibc's sem_clockwait(); qnx-libc(3)).  Found before the system header
 * and deferring to it with #include_next, as gnulib's replacement headers
 * do; AXON_NO_QNX_EXTRAS (or a strict standard mode) leaves the name out.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <semaphore.h>

#ifndef AXON_SEMAPHORE_H
#define AXON_SEMAPHORE_H

#if defined(__USE_MISC) && !defined(AXON_NO_QNX_EXTRAS)

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

struct timespec;
AXON_EXPORT int sem_timedwait_monotonic(sem_t *sem,
    const struct timespec *abs_timeout);

#ifdef __cplusplus
}
#endif

#endif /* __USE_MISC && !AXON_NO_QNX_EXTRAS */

#endif /* AXON_SEMAPHORE_H */
