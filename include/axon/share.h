/* SPDX-License-Identifier: MIT */
/*
 * <share.h> for Axon: QNX's file-sharing modes for sopen() and fsopen().
 * Linux has no mandatory share modes; Axon makes them advisory locks
 * (flock) taken at open, so they hold between programs that open the file
 * with sopen()/fsopen(), not against plain open().  See qnx-libc(3).
 */
#ifndef AXON_SHARE_H
#define AXON_SHARE_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

#define SH_COMPAT 0x00 /* as open(): no lock */
#define SH_DENYRW 0x10 /* deny others reading and writing */
#define SH_DENYWR 0x20 /* deny others writing */
#define SH_DENYRD 0x30 /* deny others reading */
#define SH_DENYNO 0x40 /* deny nothing: no lock */

AXON_EXPORT int axon_sopen(const char *path, int oflag, int share, ...);
AXON_EXPORT FILE *axon_fsopen(const char *path, const char *mode, int share);
#define sopen  axon_sopen
#define fsopen axon_fsopen

#ifdef __cplusplus
}
#endif

#endif /* AXON_SHARE_H */
