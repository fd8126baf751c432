/* SPDX-License-Identifier: MIT */
/*
 * <mqueue.h> for Axon: the system header, plus QNX's
 * mq_timedreceive_monotonic() and mq_timedsend_monotonic(), whose
 * deadline is on CLOCK_MONOTONIC (qnx-libc(3): glibc has no clock form,
 * so each wait is on the matching CLOCK_REALTIME time, taken again after
 * a timeout that came early).  Found before the system header and
 * deferring to it with #include_next, as gnulib's replacement headers do;
 * AXON_NO_QNX_EXTRAS (or a strict standard mode) leaves the names out.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <mqueue.h>

#ifndef AXON_MQUEUE_H
#define AXON_MQUEUE_H

#if defined(__USE_MISC) && !defined(AXON_NO_QNX_EXTRAS)

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

struct timespec;
AXON_EXPORT ssize_t mq_timedreceive_monotonic(mqd_t mqdes, char *msg_ptr,
    size_t msg_len, unsigned int *msg_prio,
    const struct timespec *abs_timeout);
AXON_EXPORT int mq_timedsend_monotonic(mqd_t mqdes, const char *msg_ptr,
    size_t msg_len, unsigned int msg_prio,
    const struct timespec *abs_timeout);

#ifdef __cplusplus
}
#endif

#endif /* __USE_MISC && !AXON_NO_QNX_EXTRAS */

#endif /* AXON_MQUEUE_H */
