/* SPDX-License-Identifier: MIT */
/*
 * <sys/rsrcdbmgr.h> for Axon: the device numbers of QNX's resource
 * database (rsrcdbmgr_devno_attach(3)), kept per node in the run
 * directory.  The database of memory, I/O port, IRQ and DMA ranges
 * (rsrcdbmgr_create(), _attach(), _query_name() ...) is not there: on
 * Linux the kernel hands those out.
 */
#ifndef AXON_SYS_RSRCDBMGR_H
#define AXON_SYS_RSRCDBMGR_H

#include <sys/types.h>

#include <sys/ftype.h>

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* A device number of class name (its major, the same for every number
 * of the class on the node) with minor minor_request, or the lowest
 * free minor for -1: the number, or (dev_t) -1 with errno. */
AXON_EXPORT dev_t rsrcdbmgr_devno_attach(const char *name, int minor_request,
    int flags);
AXON_EXPORT int rsrcdbmgr_devno_detach(dev_t devno, int flags);

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_RSRCDBMGR_H */
