/* SPDX-License-Identifier: MIT */
/*
 * QNX's shm_ctl() and shm_ctl_special() (shm_ctl(3)) on a shm_open()
 * descriptor.  glibc's shared memory objects are files of a tmpfs
 * (/dev/shm), so SHMCTL_ANON is what QNX programs use it for: the
 * object's size, zero-filled, allocated now unless SHMCTL_LAZY (QNX
 * allocates it at once, and so fails here rather than at first touch).
 * SHMCTL_PHYS cannot be had: a tmpfs file cannot stand for a physical
 * range that other processes then map by its name, and Linux gives a
 * process no physically contiguous memory of its own, so both forms fail
 * with QNX's errors for them.  The flags QNX documents as hints are
 * accepted and have no effect.
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64 /* objects above 2 GiB on 32 bits */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "internal.h"

#define SHMCTL_HINTS                                                     \
	(SHMCTL_GLOBAL | SHMCTL_PRIV | SHMCTL_LOWERPROT | SHMCTL_LAZYWRITE | \
	    SHMCTL_HIGHUSAGE)
#define SHMCTL_KNOWN                                                     \
	(SHMCTL_ANON | SHMCTL_PHYS | SHMCTL_HINTS | SHMCTL_NOX64K |         \
	    SHMCTL_ISADMA | SHMCTL_LAZY | SHMCTL_NODEFRAG)

/* A shared memory object: a regular file of a tmpfs (shm_open()'s
 * /dev/shm, or memfd_create()'s) or of hugetlbfs. */
static int
shm_object(int fd)
{
	struct statfs sfs;
	struct stat st;

	if (fstat(fd, &st) != 0) {
		return -errno;
	}
	if (!S_ISREG(st.st_mode) || fstatfs(fd, &sfs) != 0 ||
	    (sfs.f_type != TMPFS_MAGIC && sfs.f_type != HUGETLBFS_MAGIC)) {
		return -EINVAL;
	}
	if ((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY) {
		return -EACCES;
	}
	return 0;
}

/* The size, and its memory now unless lazy.  A tmpfs out of room
 * (ENOSPC) is QNX's ENOMEM; the object keeps its old size then. */
static int
shm_anon(int fd, int flags, uint64_t size)
{
	struct stat st;
	int err;

	if (size > INT64_MAX) {
		return -EINVAL;
	}
	if (fstat(fd, &st) != 0) {
		return -errno;
	}
	if (ftruncate(fd, (off_t) size) != 0) {
		return errno == EFBIG ? -ENOMEM : -errno;
	}
	if ((flags & SHMCTL_LAZY) || size == 0) {
		return 0;
	}
	/* All of it, not only what was added: an object sized before
	 * (ftruncate) has no memory yet.  Pages already there cost
	 * nothing. */
	if (fallocate(fd, 0, 0, (off_t) size) == 0) {
		return 0;
	}
	err = errno;
	if (err == EOPNOTSUPP) {
		return 0; /* allocated when touched, as hugetlbfs does */
	}
	(void) ftruncate(fd, st.st_size);
	return err == ENOSPC ? -ENOMEM : -err;
}

int
shm_ctl_special(int fd, int flags, uint64_t paddr, uint64_t size,
    unsigned special)
{
	uint64_t page = (uint64_t) sysconf(_SC_PAGESIZE);
	int rc = shm_object(fd);

	if (rc < 0) {
		return axon__errno_ret(rc);
	}
	/* special sets page-table bits on some processors; Linux gives a
	 * process no say in them. */
	if ((flags & ~SHMCTL_KNOWN) || special != 0 ||
	    !(flags & (SHMCTL_ANON | SHMCTL_PHYS)) ||
	    ((flags & SHMCTL_NODEFRAG) &&
		(flags & (SHMCTL_ANON | SHMCTL_PHYS)) !=
		    (SHMCTL_ANON | SHMCTL_PHYS))) {
		return axon__errno_ret(-EINVAL);
	}
	if (flags & SHMCTL_PHYS) {
		if (flags & SHMCTL_ANON) {
			/* Contiguous memory is not available, as QNX says
			 * when it is not. */
			return axon__errno_ret(-ENOMEM);
		}
		if (paddr % page != 0 || size % page != 0) {
			return axon__errno_ret(-EINVAL);
		}
		/* No process has the ability to make an object of
		 * physical memory (PROCMGR_AID_MEM_PHYS). */
		return axon__errno_ret(-EPERM);
	}
	/* Below 16 MiB is a physical place Linux does not let a process
	 * choose; not crossing 64 KiB is true of every page of memory that
	 * is not contiguous. */
	if (flags & SHMCTL_ISADMA) {
		return axon__errno_ret(-ENOMEM);
	}
	return axon__errno_ret(shm_anon(fd, flags, size));
}

int
shm_ctl(int fd, int flags, uint64_t paddr, uint64_t size)
{
	return shm_ctl_special(fd, flags, paddr, size, 0);
}
