/* SPDX-License-Identifier: MIT */
/*
 * <sys/iomgr.h> for Axon: iofdinfo(), what a client asks a resource
 * manager (or, for a Linux descriptor, Linux) about one of its opens:
 * struct _fdinfo and _FDINFO_FLAG_LOCALPATH come from <sys/iomsg.h>.
 * See iofdinfo(3).
 */
#ifndef AXON_SYS_IOMGR_H
#define AXON_SYS_IOMGR_H

#include <sys/iomsg.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The open fd is: info (if not NULL) filled, its path (if path is not
 * NULL and maxlen > 0) copied into path, cut to maxlen bytes and always
 * NUL-terminated.  Returns the path's length plus one (the room it
 * needs), or -1 with errno: EBADF (not open), EINVAL (flags other than
 * _FDINFO_FLAG_LOCALPATH, maxlen < 0), the manager's errno (ENOSYS: it
 * has no io_fdinfo), EIO (its answer is not one).  fd is an Axon
 * connection to a resource manager (which answers), or a Linux
 * descriptor (fstat(2), fcntl(2), /proc/self/fdinfo and /proc/self/fd
 * answer;
 * the counts are 0, as Linux keeps none: iofdinfo(3)).
 */
AXON_EXPORT int iofdinfo(int fd, unsigned flags, struct _fdinfo *info,
    char *path, int maxlen);

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_IOMGR_H */
