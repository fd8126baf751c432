/* SPDX-License-Identifier: MIT */
/*
 * <signal.h> for Axon: the system header, plus what QNX's <signal.h>
 * declares about sigevents and glibc lacks: the QNX notify types
 * (SIGEV_PULSE, SIGEV_SIGNAL_CODE, SIGEV_SIGNAL_THREAD, SIGEV_UNBLOCK,
 * SIGEV_INTR), their initialisers (SIGEV_PULSE_INIT, ...), and the
 * fields sigev_coid, sigev_priority and sigev_code, all from
 * <sys/siginfo.h>, so that a QNX program that includes only <signal.h>
 * builds.  Found before the system header (pkg-config --cflags axon puts
 * Axon's include directory first); it defers to it with #include_next,
 * as gnulib's replacement headers do.  Every name added begins with
 * SIGEV_ or sigev_, which POSIX reserves to <signal.h>, so a Linux
 * program sees no name it may use change.  See qnx-libc(3).
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <signal.h>

#ifndef AXON_SIGNAL_H
#define AXON_SIGNAL_H
#include <sys/siginfo.h>
#endif /* AXON_SIGNAL_H */
