/* SPDX-License-Identifier: MIT */
/*
 * The directory listings axon-fs builds: the names a directory
 * manager's _IO_READ of its directory gives (QNX's struct dirent
 * records, decoded by axon__fs_dirents), and the names the namespace
 * adds.  Pure: no I/O (fuzzed by tests/fuzz/fuzz_dirents.c).
 */
#ifndef AXON_FS_DIRENTS_H
#define AXON_FS_DIRENTS_H

#include <stddef.h>

/* QNX's struct dirent head: d_ino (8 bytes), d_offset (8), d_reclen
 * (2), d_namelen (2); the name and its NUL follow. */
#define QNX_DIRENT_HDR 20
/* glibc's, as a QNX manager built with Axon's <sys/iofunc.h> fills it:
 * d_ino (8), d_off (8: d_offset), d_reclen (2), d_type (1: d_namelen,
 * the name's length); the name and its NUL follow. */
#define DIRENT_GLIBC_HDR 19

/* A listing: distinct names, each one path component, in the order
 * added; a hash set of their indexes (open addressing, 0 = free, else
 * index + 1) keeps adding one name O(1), so that a manager's listing of
 * many names costs linear time, not quadratic.  Zeroed: empty. */
struct axon_fs_names {
	char **v;
	int n, cap;
	int *slot;
	size_t nslot; /* a power of two, or 0 */
};

/*
 * Adds the len bytes at name to s, unless they are no name a listing
 * may hold (empty, longer than NAME_MAX, with a '/' or a NUL, "." or
 * "..") or s has them already: 0 then too.  -ENOMEM when out of memory
 * (s is as it was).
 */
int axon__fs_names_add(struct axon_fs_names *s, const char *name,
    size_t len);

/* Frees the names of s and their array (s may then be reused zeroed). */
void axon__fs_names_free(struct axon_fs_names *s);

/*
 * Decodes n bytes of a manager's directory read at p, records one after
 * another in either layout (QNX's or glibc's, told apart by the 16 bits
 * at byte 18 in the host's order: below 256 in QNX's for any name of at
 * most 255 bytes, not in glibc's), each checked whole before its name is taken: a QNX head
 * (20 bytes) fits, d_reclen holds it and fits in what is left; QNX's:
 * the name of d_namelen bytes has no NUL inside and one right after,
 * within d_reclen; glibc's: the name ends with a NUL within d_reclen and
 * d_namelen (d_type's byte) is 0 or its length's low byte.  Returns 0
 * (names added to s), -EIO at the first bad record (names of the
 * records before it added) or -ENOMEM.
 */
int axon__fs_dirents(const unsigned char *p, size_t n,
    struct axon_fs_names *s);

#endif /* AXON_FS_DIRENTS_H */
