/* SPDX-License-Identifier: MIT */
/*
 * <sys/storage.h> for Axon: QNX's per-thread storage block and __tls(),
 * which returns the calling thread's (__tls(3)).  QNX programs read
 * __tls()->__tid and __tls()->__pid where they want their own ids
 * without a kernel call; <sys/neutrino.h> includes this header, as
 * QNX's does.  glibc has no such header.
 *
 * The members are QNX's documented ones, with QNX's names and types, in
 * its order; on QNX the block is the thread's own, read through the
 * thread register, and on Linux it is a block of libaxon's per thread
 * with the same meaning where Linux has one:
 *   __tid       the thread's Linux thread id (gettid(2)): Axon's thread
 *               ids everywhere (_msg_info's tid, ThreadCreate(),
 *               _PULSE_CODE_THREADDEATH, the procfs devctls)
 *   __pid       getpid(), that of the child after a fork
 *   __errptr    the thread's errno (&errno), in every thread
 *   __arg       the argument of a thread Axon's pthread_create() or
 *               ThreadCreate() started; NULL otherwise (the main thread,
 *               a thread glibc's own pthread_create() started)
 *   __stackaddr the lowest address of the thread's stack, or NULL where
 *               glibc cannot tell it
 * Every other member is 0 or NULL: glibc keeps errno, thread-specific
 * keys, cleanup handlers and the thread's exit function in its own
 * structures, out of reach (__errval is unused, as it is for QNX's main
 * thread).  Writing the block changes nothing but the block.
 */
#ifndef AXON_SYS_STORAGE_H
#define AXON_SYS_STORAGE_H

#include <signal.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

struct _thread_local_storage {
	void (*__exitfunc)(void *);
	void *__arg;
	int *__errptr;
	int __errval;
	unsigned __flags;
	int __pid;
	int __tid;
	unsigned __owner;
	void *__stackaddr;
	unsigned __reserved1;
	unsigned __numkeys;
	void **__keydata;
	void *__cleanup;
	void *__fpuemu_data;
	void *__reserved3;
	void (*__sigaction)(int __code, siginfo_t *__info, void *__other);
};

/* The calling thread's block: never NULL, the same address for the
 * thread's whole life, gone with the thread.  Its ids are current at
 * each call and after a fork() (a pointer kept across fork() is
 * updated for the thread that forked).  The first call in a thread
 * allocates (glibc's pthread_getattr_np()): not async-signal-safe until
 * the thread has called it once. */
AXON_EXPORT struct _thread_local_storage *__tls(void);

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_STORAGE_H */
