/* SPDX-License-Identifier: MIT */
/*
 * QNX's signal kernel calls (SignalKill(3)): SignalKill, SignalProcmask,
 * SignalSuspend and SignalWaitinfo, over Linux's, and the TimerTimeout
 * states _NTO_TIMEOUT_SIGSUSPEND and _NTO_TIMEOUT_SIGWAITINFO that bound
 * the last two.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static int
neg_errno(void)
{
	return errno == EPERM ? -EPERM : errno == ESRCH ? -ESRCH : -EINVAL;
}

/*
 * pid > 0: that process, or with tid its thread; pid 0: this process's
 * thread tid, or with tid 0 this process group; pid < 0: group -pid.
 * A code and value go with the signal (rt_sigqueueinfo); Linux lets a
 * process queue a code of 0 or above only to itself (EPERM otherwise),
 * as QNX reserves them to the kernel.
 */
int
SignalKill_r(uint32_t nd, pid_t pid, int tid, int signo, int code,
    int value)
{
	AXON_KEEP_ERRNO;

	siginfo_t si;
	long rc;

	if (nd != ND_LOCAL_NODE) {
		return -ENOREMOTE; /* not carried between nodes yet */
	}
	if (signo < 0 || signo >= NSIG || tid < 0) {
		return -EINVAL;
	}
	if (pid < 0 || (pid == 0 && tid == 0)) {
		if (tid != 0) {
			return -EINVAL;
		}
		return killpg(pid < 0 ? -pid : getpgrp(), signo) == 0
		    ? 0
		    : neg_errno();
	}
	if (pid == 0) {
		pid = getpid();
	}
	memset(&si, 0, sizeof(si));
	si.si_signo = signo;
	si.si_code = code;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	/* Is there such a thread or process (and may we signal it)? */
	rc = tid != 0 ? syscall(SYS_tgkill, pid, tid, 0) : kill(pid, 0);
	if (rc != 0 || signo == 0) {
		/* nothing more to send */
	} else if (tid != 0) {
		rc = syscall(SYS_rt_tgsigqueueinfo, pid, tid, signo, &si);
	} else {
		rc = syscall(SYS_rt_sigqueueinfo, pid, signo, &si);
	}
	return rc == 0 ? 0 : neg_errno();
}

int
SignalProcmask_r(pid_t pid, int tid, int how, const sigset_t *set,
    sigset_t *oldset)
{
	AXON_KEEP_ERRNO;

	if ((pid != 0 && pid != getpid()) ||
	    (tid != 0 && tid != axon__gettid())) {
		/* Linux changes only the calling thread's mask. */
		return pid < 0 || tid < 0 ? -ESRCH : -ENOTSUP;
	}
	if (how == SIG_PENDING) {
		if (oldset == NULL) {
			return -EFAULT;
		}
		return sigpending(oldset) == 0 ? 0 : -EFAULT;
	}
	if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK) {
		return -EINVAL;
	}
	return -pthread_sigmask(how, set, oldset);
}

static bool
take_deadline(int state, struct axon_deadline *dl)
{
	axon__timeout_take(dl);
	return axon__deadline_applies(dl, state);
}

/* The time left to dl, for ppoll() and sigtimedwait(). */
static struct timespec
time_left(const struct axon_deadline *dl)
{
	struct timespec now;
	struct timespec left = {0, 0};

	if (dl->immediate) {
		return left;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	left.tv_sec = dl->at.tv_sec - now.tv_sec;
	left.tv_nsec = dl->at.tv_nsec - now.tv_nsec;
	if (left.tv_nsec < 0) {
		left.tv_sec--;
		left.tv_nsec += 1000000000;
	}
	if (left.tv_sec < 0) {
		left.tv_sec = 0;
		left.tv_nsec = 0;
	}
	return left;
}

/* Always "fails": EINTR when a handler ran, ETIMEDOUT on a timeout. */
int
SignalSuspend_r(const sigset_t *set)
{
	AXON_KEEP_ERRNO;

	struct axon_deadline dl;
	struct timespec left;
	int rc;

	if (set == NULL) {
		return -EFAULT;
	}
	if (!take_deadline(_NTO_TIMEOUT_SIGSUSPEND, &dl)) {
		(void) sigsuspend(set);
		return -EINTR;
	}
	/* sigsuspend() with a timeout: ppoll() with no descriptor swaps
	 * the mask in the same way. */
	left = time_left(&dl);
	rc = ppoll(NULL, 0, &left, set);
	return rc == 0 ? -ETIMEDOUT : -EINTR;
}

int
SignalWaitinfo_r(const sigset_t *set, siginfo_t *info)
{
	AXON_KEEP_ERRNO;

	struct axon_deadline dl;
	struct timespec left;
	int rc;

	if (set == NULL) {
		return -EFAULT;
	}
	if (!take_deadline(_NTO_TIMEOUT_SIGWAITINFO, &dl)) {
		rc = sigwaitinfo(set, info);
	} else {
		left = time_left(&dl);
		rc = sigtimedwait(set, info, &left);
		if (rc < 0 && errno == EAGAIN) {
			return -ETIMEDOUT;
		}
	}
	return rc < 0 ? -errno : rc;
}

int
SignalKill(uint32_t nd, pid_t pid, int tid, int signo, int code, int value)
{
	return axon__errno_ret(SignalKill_r(nd, pid, tid, signo, code, value));
}

int
SignalProcmask(pid_t pid, int tid, int how, const sigset_t *set,
    sigset_t *oldset)
{
	return axon__errno_ret(SignalProcmask_r(pid, tid, how, set, oldset));
}

int
SignalSuspend(const sigset_t *set)
{
	return axon__errno_ret(SignalSuspend_r(set));
}

int
SignalWaitinfo(const sigset_t *set, siginfo_t *info)
{
	return axon__errno_ret(SignalWaitinfo_r(set, info));
}

/*
 * SignalAction(): sigaction() for the caller's own process (pid 0 or its
 * pid).  QNX lets a process set handlers only in itself and query no
 * other's actions, so another process's fails: EPERM if it exists, ESRCH
 * if not.  sigstub is QNX's kernel-to-handler trampoline (&__signalstub);
 * Linux's sigaction() supplies its own, so the value is not used.
 */
void
__signalstub(void)
{
	/* Only its address is ever used (SignalAction()'s sigstub); Linux
	 * returns from handlers through glibc's restorer, not this. */
}

int
SignalAction_r(pid_t pid, void (*sigstub)(void), int signo,
    const struct sigaction *act, struct sigaction *oact)
{
	AXON_KEEP_ERRNO;

	(void) sigstub;
	if (pid < 0) {
		return -ESRCH;
	}
	if (pid != 0 && pid != getpid()) {
		return kill(pid, 0) == 0 || errno == EPERM ? -EPERM : -ESRCH;
	}
	if (sigaction(signo, act, oact) != 0) {
		return -errno;
	}
	return EOK;
}

int
SignalAction(pid_t pid, void (*sigstub)(void), int signo,
    const struct sigaction *act, struct sigaction *oact)
{
	return axon__errno_ret(SignalAction_r(pid, sigstub, signo, act, oact));
}
