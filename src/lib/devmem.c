/* SPDX-License-Identifier: MIT */
/*
 * QNX's device mappings (InterruptAttach(3), "Device memory"):
 * mmap_device_memory() maps physical memory, a device's registers or
 * buffers, into the process; mmap_device_io() gives access to a range
 * of I/O ports.  On Linux physical memory is mapped through /dev/mem,
 * which only root may open and which a kernel built with STRICT_DEVMEM
 * limits to device memory (not RAM); opened with O_SYNC, it maps device
 * memory uncached, which is what PROT_NOCACHE asks.  Ports need no
 * mapping on x86, where they are their own address space (the in and
 * out instructions of <hw/inout.h>, which need I/O privileges); on other
 * processors they are device memory and are mapped as such.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

void *
mmap_device_memory(void *addr, size_t len, int prot, int flags,
    uint64_t physical)
{
	int fd, err;
	void *p;

	if (physical > (uint64_t) INT64_MAX) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	fd = open("/dev/mem", ((prot & PROT_WRITE) ? O_RDWR : O_RDONLY) |
	    O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		return MAP_FAILED;
	}
	p = mmap(addr, len, prot & (PROT_READ | PROT_WRITE | PROT_EXEC),
	    (flags & ~(MAP_PRIVATE | MAP_ANONYMOUS)) | MAP_SHARED, fd,
	    (off_t) physical);
	err = errno;
	(void) close(fd);
	errno = err;
	return p;
}

int
munmap_device_memory(void *addr, size_t len)
{
	return munmap(addr, len);
}

uintptr_t
mmap_device_io(size_t len, uint64_t io)
{
#if defined(__x86_64__) || defined(__i386__)
	if (io > 0xffff || len > 0x10000 - io) {
		errno = EINVAL;
		return MAP_DEVICE_FAILED;
	}
	return (uintptr_t) io;
#else
	return (uintptr_t) mmap_device_memory(NULL, len,
	    PROT_READ | PROT_WRITE | PROT_NOCACHE, 0, io);
#endif
}

int
munmap_device_io(uintptr_t io, size_t len)
{
#if defined(__x86_64__) || defined(__i386__)
	if (io > 0xffff || len > 0x10000 - io) {
		errno = EINVAL;
		return -1;
	}
	return 0;
#else
	return munmap((void *) io, len);
#endif
}
