/* SPDX-License-Identifier: MIT */
/*
 * <sys/mman.h> for Axon: the system header, plus QNX's calls that map a
 * device's registers and memory (InterruptAttach(3), "Device memory"):
 * mmap_device_memory(), munmap_device_memory(), mmap_device_io(),
 * munmap_device_io(), PROT_NOCACHE and MAP_DEVICE_FAILED.  Found before
 * the system header (pkg-config --cflags axon puts Axon's include
 * directory first); it defers to it with #include_next, as gnulib's
 * replacement headers do.  PROT_NOCACHE's value is Axon's own, a bit
 * Linux's mmap() does not use.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <sys/mman.h>

#ifndef AXON_SYS_MMAN_H
#define AXON_SYS_MMAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

#ifndef PROT_NOCACHE
#define PROT_NOCACHE 0x80
#endif
#define MAP_DEVICE_FAILED ((uintptr_t) MAP_FAILED)

AXON_EXPORT void *mmap_device_memory(void *addr, size_t len, int prot,
    int flags, uint64_t physical);
AXON_EXPORT int munmap_device_memory(void *addr, size_t len);
AXON_EXPORT uintptr_t mmap_device_io(size_t len, uint64_t io);
AXON_EXPORT int munmap_device_io(uintptr_t io, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_MMAN_H */
