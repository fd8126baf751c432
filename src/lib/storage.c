/* SPDX-License-Identifier: MIT */
/*
 * QNX's __tls() (<sys/storage.h>, __tls(3)): the calling thread's
 * struct _thread_local_storage.  On QNX the block sits at the top of the
 * thread's stack and the kernel fills it; here it is a __thread block of
 * libaxon's, filled on the thread's first call with what Linux has: the
 * thread id Axon uses everywhere (the Linux tid, as in _msg_info.tid and
 * ThreadCreate()), getpid(), &errno and the stack's address.
 *
 * A forked child's thread inherits its parent thread's block with the
 * parent's ids.  Two things put them right: an atfork handler, for the
 * forking thread's block (a program may hold the pointer across the
 * fork), and a getpid() comparison at every call, for children that
 * fork()'s handlers never see (_Fork(), a raw clone).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>

#include "internal.h"

#include <sys/storage.h>

static __thread struct _thread_local_storage tls_block;
/* __arg, set by the thread starters before the block is first filled
 * (a fill keeps it). */
static __thread void *tls_arg;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

/* The ids and addresses of the calling thread, pid its process's. */
static void
tls_fill(struct _thread_local_storage *t, pid_t pid)
{
	pthread_attr_t a;
	void *stack = NULL;
	size_t size;

	if (t->__errptr == NULL) {
		/* The stack does not move over a fork: looked up once. */
		if (pthread_getattr_np(pthread_self(), &a) == 0) {
			if (pthread_attr_getstack(&a, &stack, &size) != 0) {
				stack = NULL;
			}
			(void) pthread_attr_destroy(&a);
		}
		t->__stackaddr = stack;
		t->__errptr = &errno;
	}
	t->__arg = tls_arg;
	t->__tid = (int) gettid();
	t->__pid = (int) pid;
}

/* The thread that forked is the child's only one: its block, if it has
 * one, gets the child's ids. */
static void
tls_atfork_child(void)
{
	struct _thread_local_storage *t = &tls_block;

	if (t->__pid != 0) {
		tls_fill(t, getpid());
	}
}

static void
tls_init(void)
{
	(void) pthread_atfork(NULL, NULL, tls_atfork_child);
}

struct _thread_local_storage *
__tls(void)
{
	struct _thread_local_storage *t = &tls_block;
	pid_t pid = getpid();

	if (t->__pid != (int) pid) {
		/* First call in this thread, or in a child a fork made
		 * without running the atfork handlers. */
		(void) pthread_once(&tls_once, tls_init);
		tls_fill(t, pid);
	}
	return t;
}

void
axon__tls_start(void *arg)
{
	tls_arg = arg;
	tls_block.__arg = arg;
}
