/* SPDX-License-Identifier: MIT */
/*
 * shm_open() with QNX's SHM_ANON (shm_open(3)): an anonymous shared
 * memory object, which is memfd_create()'s on Linux: a tmpfs file with
 * no name, freed when its last descriptor is closed and its last mapping
 * unmapped, as QNX's.  <sys/mman.h> maps shm_open onto axon_shm_open()
 * (glibc's would read SHM_ANON, a special pointer, as a string); every
 * other name goes to the C library's shm_open() unchanged.
 *
 * The descriptor is close-on-exec only if flags has O_CLOEXEC: QNX
 * shares an anonymous object with a spawned child by the descriptor the
 * child inherits.  The object is read-write (memfd_create() makes no
 * other), so O_RDWR is the only access mode (EINVAL otherwise: a
 * read-only object nobody could size or fill).  O_CREAT and O_EXCL are
 * implied (a new object every time) and O_TRUNC has nothing to do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#undef shm_open /* the C library's */

#define ANON_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC)

static int
shm_open_anon(int oflag, mode_t mode)
{
	int fd;

	if ((oflag & ~ANON_FLAGS) != 0 || (oflag & O_ACCMODE) != O_RDWR) {
		return -EINVAL;
	}
	fd = memfd_create("axon-shm-anon",
	    (oflag & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	if (fd < 0) {
		return -errno;
	}
	/* The mode, as a named object's (umask aside: nobody opens this
	 * one by a name; it decides who may reopen it by /proc). */
	if (fchmod(fd, mode & 0777) != 0) {
		int err = -errno;

		(void) close(fd);
		return err;
	}
	return fd;
}

AXON_EXPORT int
axon_shm_open(const char *name, int oflag, mode_t mode)
{
	if (name == SHM_ANON) {
		return axon__errno_ret(shm_open_anon(oflag, mode));
	}
	return shm_open(name, oflag, mode);
}
