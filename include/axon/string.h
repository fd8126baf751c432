/* SPDX-License-Identifier: MIT */
/*
 * <string.h> for Axon: the system header, plus what QNX's <string.h>
 * declares and glibc lacks.  This header is found before the system one
 * because Axon's include directory comes first on the include path
 * (pkg-config --cflags axon); it adds declarations and defers to the
 * system header with #include_next, the way gnulib's replacement headers
 * do, so that a Linux program built with Axon's flags sees glibc's
 * <string.h> unchanged plus a few new names.
 *
 * Every function is exported by libaxon under an axon_ name and made
 * visible under its QNX name by a macro, so that no symbol of libaxon's
 * ever clashes with one of the C library's, whatever its version.  The
 * definitions in libaxon are weak: a program that defines its own
 * strlcpy() or strupr() keeps its own.  For objects built without this
 * header, libaxon also has the QNX extras below under QNX's own names,
 * as weak aliases (qnx-libc(3), "Symbols"); not strlcpy() and strlcat(),
 * which glibc 2.38 has.
 *
 * strlcpy() and strlcat() are declared only where the C library lacks
 * them (glibc before 2.38), and under the same condition glibc 2.38 uses
 * (__USE_MISC), so a program that builds against glibc 2.38 builds here.
 * See qnx-libc(3).
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <string.h>

#ifndef AXON_STRING_H
#define AXON_STRING_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

#if defined(__USE_MISC) && defined(__GLIBC__) && \
    (__GLIBC__ < 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ < 38))
AXON_EXPORT size_t axon_strlcpy(char *dst, const char *src, size_t size);
AXON_EXPORT size_t axon_strlcat(char *dst, const char *src, size_t size);
#define strlcpy axon_strlcpy
#define strlcat axon_strlcat
#endif

#ifdef __USE_MISC
/* QNX's (and Watcom's) case and comparison extras. */
AXON_EXPORT char *axon_strupr(char *s);
AXON_EXPORT char *axon_strlwr(char *s);
AXON_EXPORT char *axon_strrev(char *s);
AXON_EXPORT char *axon_strset(char *s, int c);
AXON_EXPORT char *axon_strnset(char *s, int c, size_t n);
AXON_EXPORT int axon_stricmp(const char *a, const char *b);
AXON_EXPORT int axon_strnicmp(const char *a, const char *b, size_t n);
AXON_EXPORT int axon_memicmp(const void *a, const void *b, size_t n);
#define strupr   axon_strupr
#define strlwr   axon_strlwr
#define strrev   axon_strrev
#define strset   axon_strset
#define strnset  axon_strnset
#define stricmp  axon_stricmp
#define strcmpi  axon_stricmp
#define strnicmp axon_strnicmp
#define strncmpi axon_strnicmp
#define memicmp  axon_memicmp
#endif

#ifdef __cplusplus
}
#endif

#endif /* AXON_STRING_H */
