/* SPDX-License-Identifier: MIT */
/*
 * <pthread.h> for Axon: the system header, plus QNX's tolerance of a NULL
 * thread-id pointer in pthread_create().  QNX programs commonly start
 * threads they never join with pthread_create(NULL, ...); glibc writes
 * the id through the pointer and crashes.  As gnulib does for functions
 * it repairs, pthread_create is a macro for axon_pthread_create() when
 * this header is used (that is, only in programs built with Axon's
 * flags): it passes a pointer of its own when given NULL and is glibc's
 * pthread_create() otherwise.  A program that defines AXON_NO_PTHREAD_WRAP
 * before including it gets glibc's function untouched.  See qnx-libc(3).
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <pthread.h>

#ifndef AXON_PTHREAD_H
#define AXON_PTHREAD_H

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

AXON_EXPORT int axon_pthread_create(pthread_t *thread,
    const pthread_attr_t *attr, void *(*start)(void *), void *arg);

#ifndef AXON_NO_PTHREAD_WRAP
#define pthread_create axon_pthread_create
#endif

#ifdef __cplusplus
}
#endif

#endif /* AXON_PTHREAD_H */
