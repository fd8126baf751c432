/* SPDX-License-Identifier: MIT */
/*
 * <sys/sysmgr.h> for Axon: the system manager's connection, which every
 * process has (MsgSend(3), "The system manager").  A program registers
 * an event for it (MsgRegisterEvent(&ev, SYSMGR_COID)) before handing
 * the event to procmgr_event_notify(), and sends it the memory
 * manager's _MEM_INFO (<sys/memmsg.h>).
 */
#ifndef AXON_SYS_SYSMGR_H
#define AXON_SYS_SYSMGR_H

#include <sys/neutrino.h>

#ifndef SYSMGR_COID
#define SYSMGR_COID _NTO_SIDE_CHANNEL
#endif
#ifndef PROCMGR_COID
#define PROCMGR_COID SYSMGR_COID
#endif
#ifndef MEMMGR_COID
#define MEMMGR_COID SYSMGR_COID
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Restarts the machine (after sync(2)), as reboot(2) with RB_AUTOBOOT:
 * a process without CAP_SYS_BOOT gets -1 and EPERM; in a pid namespace
 * of its own the namespace ends instead (MsgSend(3), "The system
 * manager"). */
AXON_EXPORT int sysmgr_reboot(void);

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_SYSMGR_H */
