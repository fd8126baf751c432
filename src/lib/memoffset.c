/* SPDX-License-Identifier: MIT */
/*
 * QNX's mem_offset(), mem_offset64() and posix_mem_offset(),
 * posix_mem_offset64() (shm_ctl(3)): the physical address behind a
 * virtual one and how far physical memory runs on contiguously from it,
 * for a driver that hands memory to a device.  Linux tells a process
 * through /proc/self/pagemap, one 64-bit entry a page: bit 63 says the
 * page is present, bits 0-54 are its frame number, which the kernel
 * shows only to CAP_SYS_ADMIN (others read 0, and the kernel never gives
 * frame 0 to a process, so 0 means "not told": EPERM, QNX's error for a
 * process without the ability).  As on QNX, the pages are faulted in
 * first (a private page copied, an anonymous one zero-filled), so that
 * there is a physical page to report; an address the process has not
 * mapped, or cannot touch, is EACCES, as POSIX says for
 * posix_mem_offset().  Linux may move or swap a page later unless it is
 * locked (mlock(2)); QNX's memory stays put.
 */
#define _GNU_SOURCE
/* No _FILE_OFFSET_BITS: mem_offset() is defined here with glibc's
 * 32-bit off_t, which <sys/mman.h> would otherwise send to
 * mem_offset64(); pagemap's offsets fit a long. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"

#define PM_PRESENT (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)

/* The frame of the page at page, faulted in (written if it may be, as
 * QNX copies a private page; else read). */
static int
page_frame(int pm, uintptr_t page, size_t ps, uint64_t *ret_pfn)
{
	unsigned char vec;
	uint64_t ent;

	if (mincore((void *) page, ps, &vec) != 0) {
		return -EACCES; /* ENOMEM: nothing mapped there */
	}
	if (madvise((void *) page, ps, MADV_POPULATE_WRITE) != 0 &&
	    madvise((void *) page, ps, MADV_POPULATE_READ) != 0 &&
	    errno != EINVAL) {
		return -EACCES; /* PROT_NONE, or beyond a file's end */
	}
	if (pread(pm, &ent, sizeof(ent), (off_t) (page / ps * sizeof(ent))) !=
	    (ssize_t) sizeof(ent)) {
		return -EACCES;
	}
	if (!(ent & PM_PRESENT)) {
		return -EACCES;
	}
	if ((ent & PM_PFN_MASK) == 0) {
		return -EPERM;
	}
	*ret_pfn = ent & PM_PFN_MASK;
	return 0;
}

static int
phys_of(const void *addr, size_t length, uint64_t *ret_paddr,
    size_t *ret_contig)
{
	size_t ps = (size_t) sysconf(_SC_PAGESIZE);
	uintptr_t delta = (uintptr_t) addr % ps;
	uintptr_t base = (uintptr_t) addr - delta, p;
	uint64_t pfn, next;
	size_t contig = ps - delta;
	int pm, rc;

	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pm < 0) {
		return errno == EACCES ? -EPERM : -errno;
	}
	rc = page_frame(pm, base, ps, &pfn);
	if (rc < 0) {
		goto out;
	}
	*ret_paddr = pfn * ps + delta;
	/* Page by page, until the frames stop following each other. */
	for (p = base + ps; contig < length && p > base; p += ps) {
		if (page_frame(pm, p, ps, &next) != 0 ||
		    next != pfn + (p - base) / ps) {
			break;
		}
		contig += ps;
	}
	*ret_contig = contig < length ? contig : length;
out:
	(void) close(pm);
	return rc;
}

int
mem_offset64(const void *addr, int fd, size_t length, off64_t *offset,
    size_t *contig_len)
{
	uint64_t paddr = 0;
	size_t contig = 0;
	int rc;

	if (fd != NOFD) {
		return axon__errno_ret(-EINVAL);
	}
	rc = phys_of(addr, length, &paddr, &contig);
	if (rc < 0) {
		return axon__errno_ret(rc);
	}
	if (offset != NULL) {
		*offset = (off64_t) paddr;
	}
	if (contig_len != NULL) {
		*contig_len = contig;
	}
	return 0;
}

/* off_t is glibc's 32-bit one where long is (a program built with
 * _FILE_OFFSET_BITS=64 is sent to mem_offset64() by <sys/mman.h>). */
int
mem_offset(const void *addr, int fd, size_t length, off_t *offset,
    size_t *contig_len)
{
	off64_t off;
	size_t contig;

	if (mem_offset64(addr, fd, length, &off, &contig) != 0) {
		return -1;
	}
	if ((off64_t) (off_t) off != off) {
		errno = EOVERFLOW;
		return -1;
	}
	if (offset != NULL) {
		*offset = (off_t) off;
	}
	if (contig_len != NULL) {
		*contig_len = contig;
	}
	return 0;
}

/* A descriptor the process has open on the file mapped at addr, or NOFD
 * (anonymous memory, or the descriptor was closed), as POSIX says. */
static int
mapping_fd(const void *addr)
{
	uintptr_t a = (uintptr_t) addr;
	unsigned long lo, hi, ino = 0;
	unsigned maj, mnr;
	char line[512];
	int found = 0, fd = NOFD;
	struct dirent *de;
	struct stat st;
	FILE *f;
	DIR *d;

	f = fopen("/proc/self/maps", "re");
	if (f == NULL) {
		return NOFD;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx %*s %*s %x:%x %lu", &lo, &hi, &maj,
			&mnr, &ino) == 5 &&
		    a >= lo && a < hi) {
			found = 1;
			break;
		}
	}
	(void) fclose(f);
	if (!found || ino == 0 || (d = opendir("/proc/self/fd")) == NULL) {
		return NOFD;
	}
	while ((de = readdir(d)) != NULL) {
		int n = atoi(de->d_name);

		if (de->d_name[0] == '.' || n == dirfd(d) ||
		    fstat(n, &st) != 0) {
			continue;
		}
		if (st.st_ino == ino && st.st_dev == makedev(maj, mnr) &&
		    (fd == NOFD || n < fd)) {
			fd = n;
		}
	}
	(void) closedir(d);
	return fd;
}

int
posix_mem_offset64(const void *addr, size_t len, off64_t *off,
    size_t *contig_len, int *filedes)
{
	if (mem_offset64(addr, NOFD, len, off, contig_len) != 0) {
		return -1;
	}
	if (filedes != NULL) {
		*filedes = mapping_fd(addr);
	}
	return 0;
}

int
posix_mem_offset(const void *addr, size_t len, off_t *off,
    size_t *contig_len, int *filedes)
{
	if (mem_offset(addr, NOFD, len, off, contig_len) != 0) {
		return -1;
	}
	if (filedes != NULL) {
		*filedes = mapping_fd(addr);
	}
	return 0;
}
