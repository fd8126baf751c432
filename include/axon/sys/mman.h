/* SPDX-License-Identifier: MIT */
/*
 * <sys/mman.h> for Axon: the system header, plus QNX's calls that map a
 * device's registers and memory (InterruptAttach(3), "Device memory"):
 * mmap_device_memory(), munmap_device_memory(), mmap_device_io(),
 * munmap_device_io(), PROT_NOCACHE and MAP_DEVICE_FAILED.  Found before
 * the system header (pkg-config --cflags axon puts Axon's include
 * directory first); it defers to it with #include_next, as gnulib's
 * replacement headers do.  PROT_NOCACHE's value is Axon's own, a bit
 * Linux's mmap() does not use.  Nothing else is added for a Linux
 * program (no other header; AXON_NO_QNX_EXTRAS leaves the four calls
 * out).
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <sys/mman.h>

#ifndef AXON_SYS_MMAN_H
#define AXON_SYS_MMAN_H

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

#ifndef PROT_NOCACHE
#define PROT_NOCACHE 0x80
#endif
#define MAP_DEVICE_FAILED ((__UINTPTR_TYPE__) MAP_FAILED)

#ifndef AXON_NO_QNX_EXTRAS
AXON_EXPORT void *mmap_device_memory(void *addr, size_t len, int prot,
    int flags, __UINT64_TYPE__ physical);
AXON_EXPORT int munmap_device_memory(void *addr, size_t len);
AXON_EXPORT __UINTPTR_TYPE__ mmap_device_io(size_t len, __UINT64_TYPE__ io);
AXON_EXPORT int munmap_device_io(__UINTPTR_TYPE__ io, size_t len);
#endif

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_MMAN_H */
