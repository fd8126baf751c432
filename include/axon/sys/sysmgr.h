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

#endif /* AXON_SYS_SYSMGR_H */
