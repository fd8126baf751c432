/* SPDX-License-Identifier: MIT */
/*
 * <sys/mman.h> for Axon: the system header, plus QNX's calls that map a
 * device's registers and memory (InterruptAttach(3), "Device memory"):
 * mmap_device_memory(), munmap_device_memory(), mmap_device_io(),
 * munmap_device_io(), PROT_NOCACHE and MAP_DEVICE_FAILED; and its
 * shared and physical memory calls (shm_ctl(3)): shm_ctl(),
 * shm_ctl_special() with the SHMCTL_* flags, mem_offset(),
 * mem_offset64(), posix_mem_offset(), posix_mem_offset64(), and the
 * mmap() flags MAP_PHYS, MAP_NOX64K, MAP_BELOW16M with NOFD, and
 * MAP_LAZY (0: what Linux does anyway) and MAP_ELF.  Found
 * before the system header (pkg-config --cflags axon puts Axon's include
 * directory first); it defers to it with #include_next, as gnulib's
 * replacement headers do.  Nothing else is added for a Linux program (no
 * other header; AXON_NO_QNX_EXTRAS leaves the calls out).
 *
 * The values are Axon's own: QNX's documentation names these constants
 * but gives no values.  PROT_NOCACHE is a bit Linux's mmap() does not
 * use.  The SHMCTL_* bits are shm_ctl()'s alone.  The MAP_* flags are
 * for Linux's own mmap(), which Axon does not replace: it cannot map
 * physical memory from NOFD, and Linux ignores flag bits it does not
 * know (unless MAP_SHARED_VALIDATE), so each of the three sets bit 0x04
 * of the mapping type (MAP_TYPE, 0x0f), which makes a type Linux does
 * not have (4 to 7, 12 to 15; MAP_SHARED is 1, MAP_PRIVATE 2,
 * MAP_SHARED_VALIDATE 3, MAP_DROPPABLE 8): mmap() then fails, with
 * EINVAL (or EBADF for NOFD without MAP_ANON), rather than giving
 * ordinary memory to a program that asked for physical memory.
 * mmap_device_memory() is the call that maps physical memory.
 *
 * QNX's anonymous shared memory objects and handles (shm_open(3)):
 * SHM_ANON for shm_open()'s name, which makes shm_open() Axon's
 * (glibc's would read the special pointer as a string): the macro
 * shm_open names axon_shm_open(), which gives every other name to the C
 * library's shm_open() unchanged.  SHM_ANON is defined only with that
 * macro, so code that tests #ifdef SHM_ANON sees both or neither.  And
 * QNX 7.1's shm_handle_t, shm_create_handle(), shm_open_handle(),
 * shm_delete_handle() and SHM_CREATE_HANDLE_OPT_NOFD (shm_handle(3)).
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
#ifndef NOFD
#define NOFD (-1) /* no file descriptor */
#endif
/* Fail in Linux's mmap() (see above); distinct bits for code that
 * tests them. */
#ifndef MAP_PHYS
#define MAP_PHYS 0x0c
#endif
#ifndef MAP_NOX64K
#define MAP_NOX64K (0x04 | 0x200)
#endif
#ifndef MAP_BELOW16M
#define MAP_BELOW16M (0x04 | 0x400)
#endif
/* MAP_LAZY asks for what Linux does anyway (no memory taken, copied
 * or zero-filled until the pages are touched: demand paging), so it is
 * no bit.  MAP_ELF marks a mapping of an ELF object: Linux's mmap()
 * needs no word of it and ignores the bit (0x80: none of Linux's flags
 * nor the mapping type's, and below procfs's protection bits), and DCMD_PROC_MAPINFO and PAGEDATA set it
 * on the mappings of ELF files (procfs(3)), where QNX programs look for
 * it. */
#ifndef MAP_LAZY
#define MAP_LAZY 0
#endif
#ifndef MAP_ELF
#define MAP_ELF 0x80
#endif

/* shm_ctl() and shm_ctl_special() flags (shm_ctl(3) says which are
 * honoured, which are hints and which fail). */
#define SHMCTL_ANON 0x0001      /* anonymous, zero-filled memory */
#define SHMCTL_PHYS 0x0002      /* physical memory at paddr */
#define SHMCTL_GLOBAL 0x0004    /* hint: mappings may be global */
#define SHMCTL_PRIV 0x0008      /* hint: privileged access */
#define SHMCTL_LOWERPROT 0x0010 /* hint: less protection, more speed */
#define SHMCTL_LAZYWRITE 0x0020 /* hint: lazy writing */
#define SHMCTL_NOX64K 0x0040    /* no 64 KiB boundary crossed */
#define SHMCTL_ISADMA 0x0080    /* below 16 MiB, no 64 KiB crossing */
#define SHMCTL_HIGHUSAGE 0x0100 /* hint: used a lot */
#define SHMCTL_LAZY 0x0200      /* allocate when first touched */
#define SHMCTL_NODEFRAG 0x0400  /* contiguous, no defragmenting */

AXON_EXPORT void *mmap_device_memory(void *addr, size_t len, int prot,
    int flags, __UINT64_TYPE__ physical);
AXON_EXPORT int munmap_device_memory(void *addr, size_t len);
AXON_EXPORT __UINTPTR_TYPE__ mmap_device_io(size_t len, __UINT64_TYPE__ io);
AXON_EXPORT int munmap_device_io(__UINTPTR_TYPE__ io, size_t len);

AXON_EXPORT int shm_ctl(int fd, int flags, __UINT64_TYPE__ paddr,
    __UINT64_TYPE__ size);
AXON_EXPORT int shm_ctl_special(int fd, int flags, __UINT64_TYPE__ paddr,
    __UINT64_TYPE__ size, unsigned special);

/*
 * The off_t forms follow the program's off_t, as glibc's own calls do:
 * with _FILE_OFFSET_BITS=64 they are the 64-bit ones (an asm label);
 * without, the library's mem_offset() takes a long, glibc's 32-bit
 * off_t where off_t is narrower than 64 bits.  __off64_t is off64_t,
 * which glibc names only with _LARGEFILE64_SOURCE.
 */
#ifdef __USE_FILE_OFFSET64
AXON_EXPORT int mem_offset(const void *addr, int fd, size_t length,
    off_t *offset, size_t *contig_len) __asm__("mem_offset64");
AXON_EXPORT int posix_mem_offset(const void *addr, size_t len, off_t *off,
    size_t *contig_len, int *filedes) __asm__("posix_mem_offset64");
#else
AXON_EXPORT int mem_offset(const void *addr, int fd, size_t length,
    off_t *offset, size_t *contig_len);
AXON_EXPORT int posix_mem_offset(const void *addr, size_t len, off_t *off,
    size_t *contig_len, int *filedes);
#endif
/*
 * Anonymous objects: shm_open(SHM_ANON, ...) is memfd_create() (shm_open(3)).
 * The value is Axon's (QNX names it; FreeBSD's is the same pointer).
 */
#define SHM_ANON ((const char *) 1)
AXON_EXPORT int axon_shm_open(const char *name, int oflag, mode_t mode);
#define shm_open axon_shm_open

/* Handles (shm_handle(3)): 64 random bits, Axon's type (QNX gives the
 * name only). */
typedef __UINT64_TYPE__ shm_handle_t;
#define SHM_CREATE_HANDLE_OPT_NOFD 0x1u
AXON_EXPORT int shm_create_handle(int fd, __pid_t pid, int flags,
    shm_handle_t *handlep, unsigned options);
AXON_EXPORT int shm_open_handle(shm_handle_t handle, int flags);
AXON_EXPORT int shm_delete_handle(shm_handle_t handle);

AXON_EXPORT int mem_offset64(const void *addr, int fd, size_t length,
    __off64_t *offset, size_t *contig_len);
AXON_EXPORT int posix_mem_offset64(const void *addr, size_t len,
    __off64_t *off, size_t *contig_len, int *filedes);

/*
 * POSIX typed memory, which QNX has and glibc lacks (shm_ctl(3)).  Linux
 * has no typed memory objects: posix_typed_mem_open() checks its
 * arguments (EINVAL for flags, ENAMETOOLONG) and then fails with ENOENT,
 * as for a name that names none; posix_typed_mem_get_info() returns, as
 * POSIX, an error number: ENODEV for any open descriptor (none is one),
 * EBADF for another.  The
 * flag values are Axon's.
 */
#define POSIX_TYPED_MEM_ALLOCATE        0x01
#define POSIX_TYPED_MEM_ALLOCATE_CONTIG 0x02
#define POSIX_TYPED_MEM_MAP_ALLOCATABLE 0x04
struct posix_typed_mem_info {
	size_t posix_tmi_length; /* largest allocatable block */
};
AXON_EXPORT int posix_typed_mem_open(const char *name, int oflag,
    int tflag);
AXON_EXPORT int posix_typed_mem_get_info(int fildes,
    struct posix_typed_mem_info *info);
#endif

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_MMAN_H */
