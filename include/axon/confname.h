/* SPDX-License-Identifier: MIT */
/*
 * <confname.h> for Axon: the names QNX gives confstr() and sysconf().
 * The POSIX ones come from glibc's <unistd.h>; QNX's own configuration
 * strings (_CS_HOSTNAME and the rest) are added with values outside
 * glibc's range, and confstr is a macro for axon_confstr(), which answers
 * them from the running system (uname(), gethostname(), ...) and passes
 * every other name to glibc's confstr().  QNX's setting of configuration
 * strings (a root-only extension) is not provided.  See qnx-libc(3).
 */
#ifndef AXON_CONFNAME_H
#define AXON_CONFNAME_H

#include <stddef.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

#define _CS_ARCHITECTURE 0x4001
#define _CS_DOMAIN       0x4002
#define _CS_HOSTNAME     0x4003
#define _CS_HW_PROVIDER  0x4004
#define _CS_HW_SERIAL    0x4005
#define _CS_LIBPATH      0x4006
#define _CS_LOCALE       0x4007
#define _CS_MACHINE      0x4008
#define _CS_RELEASE      0x4009
#define _CS_RESOLVE      0x400a
#define _CS_SRPC_DOMAIN  0x400b
#define _CS_SYSNAME      0x400c
#define _CS_TIMEZONE     0x400d
#define _CS_VERSION      0x400e

AXON_EXPORT size_t axon_confstr(int name, char *buf, size_t len);
#define confstr axon_confstr

#ifdef __cplusplus
}
#endif

#endif /* AXON_CONFNAME_H */
