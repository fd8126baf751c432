/* SPDX-License-Identifier: MIT */
/*
 * Delivering a sigevent inside this process, for the notifications libaxon
 * raises itself (procmgr_event_notify(), timers): a pulse goes to the
 * event's connection, a signal to this process or to the registering
 * thread, SIGEV_THREAD starts a thread.  SIGEV_UNBLOCK and SIGEV_INTR
 * make no sense here and are refused when the event is registered.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

int
axon__sigev_check(const struct sigevent *ev)
{
	if (ev == NULL) {
		return -EFAULT;
	}
	switch (SIGEV_GET_TYPE(ev)) {
	case SIGEV_NONE:
		return 0;
	case SIGEV_SIGNAL:
	case SIGEV_SIGNAL_CODE:
	case SIGEV_SIGNAL_THREAD:
		return ev->sigev_signo > 0 && ev->sigev_signo < NSIG ? 0
								     : -EINVAL;
	case SIGEV_PULSE:
		return ev->sigev_code >= -128 && ev->sigev_code <= 127 &&
			ev->sigev_priority >= -1 && ev->sigev_priority <= 255
		    ? 0
		    : -EINVAL;
	case SIGEV_THREAD:
		return ev->sigev_notify_function != NULL ? 0 : -EINVAL;
	default:
		return -EINVAL; /* SIGEV_UNBLOCK, SIGEV_INTR, unknown */
	}
}

struct sigev_thread {
	void (*fn)(union sigval);
	union sigval v;
};

static void *
sigev_thread_main(void *arg)
{
	struct sigev_thread t = *(struct sigev_thread *) arg;

	free(arg);
	t.fn(t.v);
	return NULL;
}

int
axon__sigev_deliver(const struct sigevent *ev, union sigval v, pid_t tid)
{
	return axon__sigev_raise(ev, v, tid, SI_QUEUE);
}

/*
 * si_code is what a plain SIGEV_SIGNAL or SIGEV_SIGNAL_THREAD carries
 * (SI_QUEUE, or SI_TIMER from a timer); SIGEV_SIGNAL_CODE carries the
 * event's own code.  A process may queue any code to itself.
 */
int
axon__sigev_raise(const struct sigevent *ev, union sigval v, pid_t tid,
    int si_code)
{
	siginfo_t si;
	long rc;

	switch (SIGEV_GET_TYPE(ev)) {
	case SIGEV_PULSE: {
		int prio = ev->sigev_priority;

		if (prio == SIGEV_PULSE_PRIO_INHERIT) {
			prio = -1; /* the delivering thread's */
		}
		return axon__pulse_send(ev->sigev_coid, prio, ev->sigev_code,
		    (int64_t) (intptr_t) v.sival_ptr, true);
	}
	case SIGEV_SIGNAL:
	case SIGEV_SIGNAL_CODE:
	case SIGEV_SIGNAL_THREAD:
		memset(&si, 0, sizeof(si));
		si.si_signo = ev->sigev_signo;
		si.si_code = SIGEV_GET_TYPE(ev) == SIGEV_SIGNAL_CODE
		    ? ev->sigev_code
		    : si_code;
		si.si_pid = getpid();
		si.si_uid = getuid();
		si.si_value = v;
		if (SIGEV_GET_TYPE(ev) == SIGEV_SIGNAL_THREAD) {
			rc = syscall(SYS_rt_tgsigqueueinfo, getpid(), tid,
			    ev->sigev_signo, &si);
		} else {
			rc = syscall(SYS_rt_sigqueueinfo, getpid(),
			    ev->sigev_signo, &si);
		}
		return rc == 0 ? 0 : -errno;
	case SIGEV_THREAD: {
		struct sigev_thread *t = malloc(sizeof(*t));
		pthread_attr_t own;
		pthread_attr_t *attr = ev->sigev_notify_attributes;
		pthread_t th;

		if (t == NULL) {
			return -ENOMEM;
		}
		t->fn = ev->sigev_notify_function;
		t->v = v;
		if (attr == NULL) {
			pthread_attr_init(&own);
			attr = &own;
		}
		rc = pthread_create(&th, attr, sigev_thread_main, t);
		if (attr == &own) {
			pthread_attr_destroy(&own);
		}
		if (rc != 0) {
			free(t);
			return (int) -rc;
		}
		(void) pthread_detach(th); /* the caller's attr stays as given */
		return 0;
	}
	default:
		return 0; /* SIGEV_NONE */
	}
}
