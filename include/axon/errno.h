/* SPDX-License-Identifier: MIT */
/*
 * <errno.h> for Axon: the system header, plus EOK, which QNX's <errno.h>
 * defines as 0 ("no error", what the iofunc helpers, devctl() and the
 * _r kernel calls return on success).  QNX programs use it with only
 * <errno.h> included.
 *
 * Nothing else changes for a Linux program: glibc's <errno.h> comes in
 * unchanged by #include_next (the way gnulib's replacement headers do),
 * and EOK is added only where no one has defined it.  ISO C reserves
 * macros that begin with E and an upper-case letter for <errno.h>, so
 * even a strictly conforming program may not use the name for itself.
 * <sys/neutrino.h> defines it the same way.  See qnx-libc(3).
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <errno.h>

#ifndef AXON_ERRNO_H
#define AXON_ERRNO_H

#ifndef EOK
#define EOK 0
#endif

#endif /* AXON_ERRNO_H */
