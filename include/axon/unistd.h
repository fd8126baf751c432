/* SPDX-License-Identifier: MIT */
/*
 * <unistd.h> for Axon: the system header, plus openfd(), which QNX's
 * <unistd.h> declares and glibc lacks.  Found before the system header
 * (Axon's include directory comes first: pkg-config --cflags axon), it
 * defers to it with #include_next, so that a Linux program built with
 * Axon's flags sees glibc's <unistd.h> unchanged plus this one name
 * (AXON_NO_QNX_EXTRAS leaves it out).  See openfd(3).
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <unistd.h>

#ifndef AXON_UNISTD_H
#define AXON_UNISTD_H

#ifndef AXON_NO_QNX_EXTRAS

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

/*
 * A new open of the file fd is open on, as dup() but with its own
 * access mode and offset: oflag is O_RDONLY, O_WRONLY or O_RDWR, no
 * wider than fd's (EACCES), with O_APPEND, O_CLOEXEC, O_LARGEFILE,
 * O_NONBLOCK, O_TRUNC (which needs write access).  fd is an Axon
 * connection to a resource manager (its io_openfd makes the open; the
 * new descriptor is a connection id too) or a Linux descriptor (reopened
 * through /proc/self/fd).  Returns the new descriptor or -1 with errno
 * (EBADF, EACCES, EINVAL, the manager's).
 */
AXON_EXPORT int openfd(int fd, int oflag);

#ifdef __cplusplus
}
#endif

#endif /* AXON_NO_QNX_EXTRAS */

#endif /* AXON_UNISTD_H */
