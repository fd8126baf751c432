/* SPDX-License-Identifier: MIT */
/*
 * QNX's interrupt calls (InterruptAttach(3)), as a Linux process has
 * them: none.  QNX lets a thread with I/O privileges (ThreadCtl() with
 * _NTO_TCTL_IO, and the process's abilities) attach a handler or an
 * event to a hardware interrupt and mask it; a Linux process can do
 * neither (interrupts reach user space only through a kernel driver: a
 * UIO device, VFIO), and Axon's ThreadCtl() grants no I/O privileges.
 * So each call answers as QNX answers a thread without them: attaching
 * and masking fail with EPERM, and the calls that would execute a
 * privileged instruction (cli, sti) fault with SIGSEGV, said first on
 * standard error so that the reason is not left to be guessed.
 * InterruptWait() blocks as QNX's does when nothing is attached: until
 * a TimerTimeout() of _NTO_TIMEOUT_INTR expires or a signal comes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

int
InterruptAttach_r(int intr, const struct sigevent *(*handler)(void *, int),
    const void *area, int size, unsigned flags)
{
	(void) intr;
	(void) handler;
	(void) area;
	(void) size;
	(void) flags;
	return -EPERM;
}

int
InterruptAttach(int intr, const struct sigevent *(*handler)(void *, int),
    const void *area, int size, unsigned flags)
{
	return axon__errno_ret(
	    InterruptAttach_r(intr, handler, area, size, flags));
}

int
InterruptAttachEvent_r(int intr, const struct sigevent *event,
    unsigned flags)
{
	(void) intr;
	(void) event;
	(void) flags;
	return -EPERM;
}

int
InterruptAttachEvent(int intr, const struct sigevent *event, unsigned flags)
{
	return axon__errno_ret(InterruptAttachEvent_r(intr, event, flags));
}

/* QNX 8's interrupt service thread: the caller would become its
 * interrupt's thread, which needs the same privileges as attaching. */
int
InterruptAttachThread_r(int intr, unsigned flags)
{
	(void) intr;
	(void) flags;
	return -EPERM;
}

int
InterruptAttachThread(int intr, unsigned flags)
{
	return axon__errno_ret(InterruptAttachThread_r(intr, flags));
}

/* No id was ever handed out. */
int
InterruptDetach_r(int id)
{
	(void) id;
	return -EINVAL;
}

int
InterruptDetach(int id)
{
	return axon__errno_ret(InterruptDetach_r(id));
}

/*
 * Nothing can be attached, so nothing ends the wait but a TimerTimeout()
 * of _NTO_TIMEOUT_INTR (ETIMEDOUT; with no time, at once) or a signal
 * whose handler runs (EINTR).  timeout is reserved on QNX (NULL).
 * QNX 8's flags: _NTO_INTR_WAIT_FLAGS_UNMASK has no interrupt to unmask
 * and waits as 0 does; _NTO_INTR_WAIT_FLAGS_FAST is valid only in a
 * thread that InterruptAttachThread() made an IST, which none is here
 * (EINVAL).
 */
int
InterruptWait_r(int flags, const uint64_t *timeout)
{
	AXON_KEEP_ERRNO;

	struct axon_deadline dl;
	int rc;

	axon__timeout_take(&dl);
	if ((flags & ~_NTO_INTR_WAIT_FLAGS_UNMASK) != 0 || timeout != NULL) {
		return -EINVAL;
	}
	if (!axon__deadline_applies(&dl, _NTO_TIMEOUT_INTR)) {
		rc = ppoll(NULL, 0, NULL, NULL);
		return rc < 0 ? -errno : -EINTR;
	}
	if (dl.immediate) {
		return -ETIMEDOUT;
	}
	/* (dl.at is CLOCK_MONOTONIC absolute.) */
	rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl.at, NULL);
	return rc == EINTR ? -EINTR : -ETIMEDOUT;
}

int
InterruptWait(int flags, const uint64_t *timeout)
{
	return axon__errno_ret(InterruptWait_r(flags, timeout));
}

/* QNX: EPERM for a caller without I/O privileges (and no kernel-call
 * form). */
int
InterruptMask(int intr, int id)
{
	(void) intr;
	(void) id;
	errno = EPERM;
	return -1;
}

int
InterruptUnmask(int intr, int id)
{
	(void) intr;
	(void) id;
	errno = EPERM;
	return -1;
}

/* Where QNX's thread would execute cli or sti without I/O privileges:
 * SIGSEGV, as there, after saying why.  A handler that returns does not
 * make the call succeed: the process then aborts. */
static void
fault(const char *what)
{
	static const char tail[] = ": no I/O privileges in a Linux process "
				   "(interrupts cannot be disabled; see "
				   "InterruptAttach(3))\n";

	(void) !write(STDERR_FILENO, what, strlen(what));
	(void) !write(STDERR_FILENO, tail, sizeof(tail) - 1);
	raise(SIGSEGV);
	abort();
}

void
InterruptEnable(void)
{
	fault("InterruptEnable");
}

void
InterruptDisable(void)
{
	fault("InterruptDisable");
}

void
InterruptLock(struct intrspin *spin)
{
	(void) spin;
	fault("InterruptLock");
}

void
InterruptUnlock(struct intrspin *spin)
{
	(void) spin;
	fault("InterruptUnlock");
}
