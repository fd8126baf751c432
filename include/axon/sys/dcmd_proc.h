/* SPDX-License-Identifier: MIT */
/*
 * <sys/dcmd_proc.h> for Axon: QNX's process-manager devctl() commands,
 * sent to a descriptor of a process's /proc entry (QNX: /proc/PID/as or,
 * from QNX 7.1, /proc/PID/ctl; Linux: /proc/PID or any file under it).
 * See procfs(3) for what Axon answers and how.  The names and data types
 * are QNX's; the command numbers are Axon's (QNX does not document
 * them): programs use the names.
 */
#ifndef AXON_SYS_DCMD_PROC_H
#define AXON_SYS_DCMD_PROC_H

#include <devctl.h>
#include <stdint.h>
#include <sys/debug.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* QNX's <sys/procfs.h> names for the records (Axon's <sys/procfs.h>
 * includes this header). */
typedef debug_process_t procfs_info;
typedef debug_thread_t procfs_status;

/*
 * One mapping of the address space (DCMD_PROC_MAPINFO) or one run of
 * pages with the same attributes (DCMD_PROC_PAGEDATA); members and order
 * as QNX documents them.  flags: Axon's encoding, from Linux's
 * /proc/PID/maps: MAP_SHARED or MAP_PRIVATE, MAP_ANONYMOUS for a mapping
 * of no file (<sys/mman.h>, Linux's values), and the protection
 * PROT_READ, PROT_WRITE, PROT_EXEC shifted left by
 * _PROCFS_MAPINFO_PROT_SHIFT.
 */
typedef struct _procfs_map_info {
	uint64_t vaddr;
	uint64_t size;
	uint32_t flags;
	dev_t dev;
	off_t offset;
	ino_t ino;
} procfs_mapinfo;

#define _PROCFS_MAPINFO_PROT_SHIFT 8

/* The object mapped at vaddr (DCMD_PROC_MAPDEBUG) or the program's own
 * (DCMD_PROC_MAPDEBUG_BASE): its load address and path.  QNX declares
 * path[1] and callers give a larger buffer; Axon keeps QNX's form and
 * writes as much of the path as the buffer holds, NUL-terminated. */
typedef struct _procfs_debug_info {
	uint64_t vaddr;
	char path[1];
} procfs_debuginfo;

#ifdef __cplusplus
}
#endif

/* Answered from Linux's /proc. */
#define DCMD_PROC_INFO          __DIOF(_DCMD_PROC, 1, procfs_info)
#define DCMD_PROC_STATUS        __DIOF(_DCMD_PROC, 2, procfs_status)
#define DCMD_PROC_TIDSTATUS     __DIOTF(_DCMD_PROC, 3, procfs_status)
#define DCMD_PROC_CURTHREAD     __DIOT(_DCMD_PROC, 4, pid_t)
#define DCMD_PROC_MAPINFO       __DIOF(_DCMD_PROC, 5, procfs_mapinfo)
#define DCMD_PROC_PAGEDATA      __DIOF(_DCMD_PROC, 6, procfs_mapinfo)
#define DCMD_PROC_MAPDEBUG      __DIOTF(_DCMD_PROC, 7, procfs_debuginfo)
#define DCMD_PROC_MAPDEBUG_BASE __DIOF(_DCMD_PROC, 8, procfs_debuginfo)

/* Debugging and run control: ENOTTY under Axon (procfs(3)).
 * Their records (registers, break points, run control) are not declared:
 * the size in these numbers is a placeholder. */
#define DCMD_PROC_SYSINFO       __DIOF(_DCMD_PROC, 9, uint64_t)
#define DCMD_PROC_GETGREG       __DIOF(_DCMD_PROC, 10, uint64_t)
#define DCMD_PROC_SETGREG       __DIOT(_DCMD_PROC, 11, uint64_t)
#define DCMD_PROC_GETFPREG      __DIOF(_DCMD_PROC, 12, uint64_t)
#define DCMD_PROC_SETFPREG      __DIOT(_DCMD_PROC, 13, uint64_t)
#define DCMD_PROC_GETALTREG     __DIOF(_DCMD_PROC, 14, uint64_t)
#define DCMD_PROC_SETALTREG     __DIOT(_DCMD_PROC, 15, uint64_t)
#define DCMD_PROC_STOP          __DIOF(_DCMD_PROC, 16, uint64_t)
#define DCMD_PROC_WAITSTOP      __DIOF(_DCMD_PROC, 17, uint64_t)
#define DCMD_PROC_RUN           __DIOT(_DCMD_PROC, 18, uint64_t)
#define DCMD_PROC_BREAK         __DIOTF(_DCMD_PROC, 19, uint64_t)
#define DCMD_PROC_GET_BREAKLIST __DIOF(_DCMD_PROC, 20, uint64_t)
#define DCMD_PROC_SIGNAL        __DIOTF(_DCMD_PROC, 21, uint64_t)
#define DCMD_PROC_EVENT         __DIOT(_DCMD_PROC, 22, uint64_t)
#define DCMD_PROC_SET_FLAG      __DIOT(_DCMD_PROC, 23, uint64_t)
#define DCMD_PROC_CLEAR_FLAG    __DIOT(_DCMD_PROC, 24, uint64_t)
#define DCMD_PROC_FREEZETHREAD  __DIOT(_DCMD_PROC, 25, uint64_t)
#define DCMD_PROC_THAWTHREAD    __DIOT(_DCMD_PROC, 26, uint64_t)
#define DCMD_PROC_TIMERS        __DIOF(_DCMD_PROC, 27, uint64_t)
#define DCMD_PROC_IRQS          __DIOF(_DCMD_PROC, 28, uint64_t)
#define DCMD_PROC_CHANNELS      __DIOF(_DCMD_PROC, 29, uint64_t)

#endif /* AXON_SYS_DCMD_PROC_H */
