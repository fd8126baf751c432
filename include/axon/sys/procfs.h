/* SPDX-License-Identifier: MIT */
/*
 * <sys/procfs.h> for Axon: glibc's (the core-file records of debuggers:
 * prstatus_t, prpsinfo_t, elf_gregset_t...), then QNX's process
 * information names: procfs_info, procfs_status, procfs_mapinfo,
 * procfs_debuginfo, the debug_* records of <sys/debug.h>, the DCMD_PROC_*
 * commands of <sys/dcmd_proc.h> and devctl() (procfs(3)).  None of
 * QNX's names is one of glibc's.  AXON_NO_QNX_EXTRAS leaves them out.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <sys/procfs.h>

#ifndef AXON_SYS_PROCFS_H
#define AXON_SYS_PROCFS_H

#ifndef AXON_NO_QNX_EXTRAS
#include <sys/dcmd_proc.h>
#endif

#endif /* AXON_SYS_PROCFS_H */
