/* SPDX-License-Identifier: MIT */
/*
 * <sys/procmgr.h> for Axon: procmgr_daemon(), procmgr_event_notify(),
 * procmgr_event_notify_add()/_delete() and procmgr_ability() (see
 * procmgr_daemon(3)).  glibc has no such header.
 * Only the names matter to programs; values are Axon's own.
 */
#ifndef AXON_SYS_PROCMGR_H
#define AXON_SYS_PROCMGR_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include <sys/siginfo.h>
#include <sys/sysmgr.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

/* procmgr_daemon() flags: each keeps one thing as it was. */
#define PROCMGR_DAEMON_NOCHDIR   0x0001u /* keep the working directory */
#define PROCMGR_DAEMON_NOCLOSE   0x0002u /* keep descriptors above 2 */
#define PROCMGR_DAEMON_NODEVNULL 0x0004u /* keep stdin/stdout/stderr */
#define PROCMGR_DAEMON_KEEPUMASK 0x0008u /* keep the umask */

/* procmgr_event_notify() and procmgr_event_notify_add() events.  Axon
 * delivers the two death events; the others have no source on Linux and
 * are refused (ENOTSUP). */
#define PROCMGR_EVENT_SYNC              0x0001u
#define PROCMGR_EVENT_PATHSPACE         0x0002u
#define PROCMGR_EVENT_SYSCONF           0x0004u
#define PROCMGR_EVENT_CONFSTR           0x0008u
#define PROCMGR_EVENT_DAEMON_DEATH      0x0010u
#define PROCMGR_EVENT_CONTIG_ALLOC_FAIL 0x0020u
#define PROCMGR_EVENT_PROCESS_DEATH     0x0040u
#define PROCMGR_EVENT_TOD               0x0080u
#define PROCMGR_EVENT_APS_BANKRUPTCY    0x0100u
#define PROCMGR_EVENT_PROCESS_CREATE    0x0200u

/* procmgr_ability(): QNX's ability model has no Linux counterpart (Linux
 * has capabilities, which work differently); every call fails with
 * ENOTSUP.  The names exist so that programs compile. */
#define PROCMGR_ADN_ROOT    0x80000000u
#define PROCMGR_ADN_NONROOT 0x40000000u
#define PROCMGR_AOP_DENY    0x20000000u
#define PROCMGR_AOP_ALLOW   0x10000000u
#define PROCMGR_AOP_SUBRANGE 0x08000000u
#define PROCMGR_AOP_LOCK    0x04000000u
#define PROCMGR_AOP_INHERIT_YES 0x02000000u
#define PROCMGR_AOP_INHERIT_NO  0x01000000u
#define PROCMGR_AID_MASK    0x0000ffffu
#define PROCMGR_AID_EOL     0x0000ffffu
#define PROCMGR_AID_SPAWN           1
#define PROCMGR_AID_FORK            2
#define PROCMGR_AID_SETUID          3
#define PROCMGR_AID_SETGID          4
#define PROCMGR_AID_PRIORITY        5
#define PROCMGR_AID_PATHSPACE       6
#define PROCMGR_AID_PUBLIC_CHANNEL  7
#define PROCMGR_AID_CONNECTION      8
#define PROCMGR_AID_IO              9
#define PROCMGR_AID_INTERRUPT       10
#define PROCMGR_AID_MEM_PHYS        11
#define PROCMGR_AID_KEYDATA         12
#define PROCMGR_AID_SCHEDULE        13
#define PROCMGR_AID_SIGNAL          14
#define PROCMGR_AID_TIMER           15
#define PROCMGR_AID_CLOCKSET        16
#define PROCMGR_AID_CLOCKPERIOD     17
#define PROCMGR_AID_RUNSTATE        18
#define PROCMGR_AID_XPROCESS_ABLE   19
#define PROCMGR_AID_XTHREAD_THREADCTL 20
#define PROCMGR_AID_SPAWN_SETUID    21
#define PROCMGR_AID_SPAWN_SETGID    22
#define PROCMGR_AID_CONFSET         23
#define PROCMGR_AID_SESSION         24
#define PROCMGR_AID_REBOOT          25
#define PROCMGR_AID_CHROOT          26

AXON_EXPORT int procmgr_daemon(int status, unsigned flags);
AXON_EXPORT int procmgr_event_notify(unsigned flags,
    const struct sigevent *event);
AXON_EXPORT int procmgr_event_notify_add(unsigned flags,
    const struct sigevent *event);
AXON_EXPORT int procmgr_event_notify_delete(int handle);
AXON_EXPORT int procmgr_ability(pid_t pid, unsigned ability, ...);

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_PROCMGR_H */
