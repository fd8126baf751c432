/* SPDX-License-Identifier: MIT */
/*
 * <pthread.h> for Axon: the system header, plus QNX's tolerance of a NULL
 * thread-id pointer in pthread_create().  QNX programs commonly start
 * threads they never join with pthread_create(NULL, ...); glibc writes
 * the id through the pointer and crashes.  As gnulib does for functions
 * it repairs, pthread_create is a macro for axon_pthread_create() when
 * this header is used (that is, only in programs built with Axon's
 * flags): it passes a pointer of its own when given NULL and is glibc's
 * pthread_create() otherwise.  pthread_join() honours TimerTimeout() as
 * on QNX (below).  A program that defines AXON_NO_PTHREAD_WRAP before
 * including it gets glibc's functions untouched.  See qnx-libc(3).
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

/*
 * QNX's pthread_join() is the ThreadJoin() kernel call: a TimerTimeout()
 * armed for _NTO_TIMEOUT_JOIN bounds it (ETIMEDOUT, the thread still
 * joinable) and any armed timeout is disarmed by it.  axon_pthread_join()
 * does that, and is glibc's pthread_join() when no JOIN timeout is armed;
 * a value below 4 MiB is taken for a QNX thread id (ThreadCreate()'s) and
 * joined by ThreadJoin().  Like the other QNX extras of the standard
 * headers, pthread_join is mapped onto it only where glibc's
 * <pthread.h> declares its own extensions (__USE_MISC) and neither
 * AXON_NO_QNX_EXTRAS nor AXON_NO_PTHREAD_WRAP is defined.
 */
AXON_EXPORT int axon_pthread_join(pthread_t thread, void **status);

#if defined(__USE_MISC) && !defined(AXON_NO_QNX_EXTRAS) && \
    !defined(AXON_NO_PTHREAD_WRAP)
#define pthread_join axon_pthread_join
#endif

/* QNX's <pthread.h> declares the thread-name calls always; glibc's only
 * with _GNU_SOURCE.  The same functions, glibc's own. */
#ifndef __USE_GNU
extern int pthread_setname_np(pthread_t thread, const char *name);
extern int pthread_getname_np(pthread_t thread, char *name, size_t len);
#endif

/*
 * QNX's sleepon locks: one process-wide mutex, and waits keyed by an
 * address (qnx-libc(3)).  Each returns 0 (EOK) or an error number, as
 * the pthread calls do; pthread_sleepon_timedwait() waits at most nsec
 * nanoseconds.  Exported under axon_ names, QNX's made visible by macros.
 */
AXON_EXPORT int axon_pthread_sleepon_lock(void);
AXON_EXPORT int axon_pthread_sleepon_unlock(void);
AXON_EXPORT int axon_pthread_sleepon_wait(const volatile void *addr);
AXON_EXPORT int axon_pthread_sleepon_timedwait(const volatile void *addr,
    __UINT64_TYPE__ nsec);
AXON_EXPORT int axon_pthread_sleepon_signal(const volatile void *addr);
AXON_EXPORT int axon_pthread_sleepon_broadcast(const volatile void *addr);
#define pthread_sleepon_lock      axon_pthread_sleepon_lock
#define pthread_sleepon_unlock    axon_pthread_sleepon_unlock
#define pthread_sleepon_wait      axon_pthread_sleepon_wait
#define pthread_sleepon_timedwait axon_pthread_sleepon_timedwait
#define pthread_sleepon_signal    axon_pthread_sleepon_signal
#define pthread_sleepon_broadcast axon_pthread_sleepon_broadcast

/*
 * QNX's timed calls against CLOCK_MONOTONIC (qnx-libc(3)): glibc's
 * pthread_mutex_clocklock(), pthread_rwlock_clock*lock() and
 * pthread_clockjoin_np() with CLOCK_MONOTONIC; pthread_timedjoin() is
 * pthread_timedjoin_np().  Each returns 0 or an error number.
 */
#if defined(__USE_MISC) && !defined(AXON_NO_QNX_EXTRAS)
struct timespec;
AXON_EXPORT int pthread_mutex_timedlock_monotonic(pthread_mutex_t *mutex,
    const struct timespec *abs_timeout);
AXON_EXPORT int pthread_rwlock_timedrdlock_monotonic(
    pthread_rwlock_t *rwlock, const struct timespec *abs_timeout);
AXON_EXPORT int pthread_rwlock_timedwrlock_monotonic(
    pthread_rwlock_t *rwlock, const struct timespec *abs_timeout);
AXON_EXPORT int pthread_timedjoin(pthread_t thread, void **value_ptr,
    const struct timespec *abstime);
AXON_EXPORT int pthread_timedjoin_monotonic(pthread_t thread,
    void **value_ptr, const struct timespec *abstime);
#endif

#ifdef __cplusplus
}
#endif

#endif /* AXON_PTHREAD_H */
