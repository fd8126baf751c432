/* SPDX-License-Identifier: MIT */
/*
 * POSIX typed memory (shm_ctl(3)): QNX names pools of memory from its
 * system page's asinfo (sysram, below4G, device memory regions) and
 * lets a process allocate from or map them by name.  Linux has no such
 * objects, so no name names one: posix_typed_mem_open() fails with
 * POSIX's ENOENT once its arguments are checked, and no descriptor is
 * ever one that posix_typed_mem_get_info() can describe (ENODEV).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

#define TFLAGS (POSIX_TYPED_MEM_ALLOCATE | POSIX_TYPED_MEM_ALLOCATE_CONTIG | \
	POSIX_TYPED_MEM_MAP_ALLOCATABLE)

int
posix_typed_mem_open(const char *name, int oflag, int tflag)
{
	int acc = oflag & O_ACCMODE;

	if (name == NULL) {
		errno = EFAULT;
		return -1;
	}
	/* tflag: at most one of the three (POSIX: EINVAL otherwise); oflag:
	 * an access mode and nothing else. */
	if ((tflag & ~TFLAGS) != 0 || (tflag & (tflag - 1)) != 0 ||
	    (oflag & ~O_ACCMODE) != 0 ||
	    (acc != O_RDONLY && acc != O_WRONLY && acc != O_RDWR)) {
		errno = EINVAL;
		return -1;
	}
	if (strnlen(name, PATH_MAX) == PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	errno = ENOENT;
	return -1;
}

/* As POSIX: 0 or an error number, errno untouched. */
int
posix_typed_mem_get_info(int fildes, struct posix_typed_mem_info *info)
{
	AXON_KEEP_ERRNO;

	(void) info;
	return fcntl(fildes, F_GETFD) < 0 ? EBADF : ENODEV;
}
