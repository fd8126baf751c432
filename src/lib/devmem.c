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
#define _FILE_OFFSET_BITS 64 /* physical addresses above 2 GiB on 32 bits */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/*
 * A register block need not start on a page: the mapping starts at the
 * page that holds physical and the address returned is physical's in it
 * (munmap_device_memory() finds the page again).
 */
void *
mmap_device_memory(void *addr, size_t len, int prot, int flags,
    uint64_t physical)
{
	uint64_t page = (uint64_t) sysconf(_SC_PAGESIZE);
	uint64_t delta = physical % page, base = physical - delta;
	int fd, err;
	char *p;

	if ((uint64_t) (off_t) base != base || (off_t) base < 0 || len == 0 ||
	    len > SIZE_MAX - delta ||
	    ((flags & MAP_FIXED) && (uintptr_t) addr % page != delta)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	fd = open("/dev/mem", ((prot & PROT_WRITE) ? O_RDWR : O_RDONLY) |
	    O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		return MAP_FAILED;
	}
	p = mmap(addr == NULL ? NULL : (char *) addr - delta, len + delta,
	    prot & (PROT_READ | PROT_WRITE | PROT_EXEC),
	    (flags & ~(MAP_PRIVATE | MAP_ANONYMOUS)) | MAP_SHARED, fd,
	    (off_t) base);
	err = errno;
	(void) close(fd);
	errno = err;
	return p == MAP_FAILED ? MAP_FAILED : p + delta;
}

int
munmap_device_memory(void *addr, size_t len)
{
	uintptr_t page = (uintptr_t) sysconf(_SC_PAGESIZE);
	uintptr_t delta = (uintptr_t) addr % page;

	return munmap((char *) addr - delta, len + delta);
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
	return munmap_device_memory((void *) io, len);
#endif
}
