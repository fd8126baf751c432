/* SPDX-License-Identifier: MIT */
/*
 * <dirent.h> for Axon: the system header, plus the names of QNX's
 * struct dirent that glibc's lacks, so that a QNX directory manager that
 * fills struct dirent records for its _IO_READ (d_ino, d_offset,
 * d_reclen, d_namelen, d_name) builds unchanged.  Found before the system
 * header (pkg-config --cflags axon puts Axon's include directory first);
 * it defers to it with #include_next, as gnulib's replacement headers do.
 *
 * glibc's struct dirent stays what readdir() returns; QNX's two names
 * are its fields under another name:
 *
 *   d_offset   is d_off: the entry's offset in its directory (QNX: "the
 *              offset into the directory"; Linux: the offset of the next
 *              entry, which telldir()/seekdir() take).
 *   d_namelen  is d_type's byte: a manager writes the name's length
 *              there (names are at most NAME_MAX, 255 bytes), and axon-fs
 *              reads it so.  In what readdir() returns it is the entry's
 *              type (DT_REG, ...), not a length: read the length with
 *              strlen(d_name).
 *
 * A record a manager fills this way has glibc's layout (the name at byte
 * 19), not QNX's (byte 20); axon-fs takes both (docs/design/fuse.md,
 * "Directories").  Both names begin with d_, which POSIX reserves to
 * <dirent.h>, so a Linux program sees no name it may use change.  See
 * qnx-libc(3) and resmgr_attach(3).
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <dirent.h>

#ifndef AXON_DIRENT_H
#define AXON_DIRENT_H

#if defined(_DIRENT_HAVE_D_OFF) && !defined(d_offset)
#define d_offset d_off
#endif
#if defined(_DIRENT_HAVE_D_TYPE) && !defined(d_namelen)
#define d_namelen d_type
#endif

#endif /* AXON_DIRENT_H */
