/* SPDX-License-Identifier: MIT */
/*
 * <process.h> for Axon: QNX's spawn*() convenience family and what QNX
 * puts beside it (getpid() and the exec*() family through <unistd.h>,
 * getprio()/setprio() through <sched.h>).  glibc has no <process.h>, so
 * nothing here can hide a system declaration.  See spawn(3).
 */
#ifndef AXON_PROCESS_H
#define AXON_PROCESS_H

#include <sched.h>
#include <sys/types.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

/* Modes: what the caller does while the child runs. */
#define P_WAIT    0 /* wait for the child; return its exit status */
#define P_NOWAIT  1 /* return the child's pid; wait for it yourself */
#define P_OVERLAY 2 /* replace the caller, as exec*() does */
#define P_NOWAITO 3 /* return the child's pid; it is never a zombie */

AXON_EXPORT int axon_spawnl(int mode, const char *path, const char *arg0,
    ...);
AXON_EXPORT int axon_spawnle(int mode, const char *path, const char *arg0,
    ...);
AXON_EXPORT int axon_spawnlp(int mode, const char *file, const char *arg0,
    ...);
AXON_EXPORT int axon_spawnlpe(int mode, const char *file, const char *arg0,
    ...);
AXON_EXPORT int axon_spawnv(int mode, const char *path, char *const argv[]);
AXON_EXPORT int axon_spawnve(int mode, const char *path, char *const argv[],
    char *const envp[]);
AXON_EXPORT int axon_spawnvp(int mode, const char *file, char *const argv[]);
AXON_EXPORT int axon_spawnvpe(int mode, const char *file, char *const argv[],
    char *const envp[]);

#define spawnl   axon_spawnl
#define spawnle  axon_spawnle
#define spawnlp  axon_spawnlp
#define spawnlpe axon_spawnlpe
#define spawnv   axon_spawnv
#define spawnve  axon_spawnve
#define spawnvp  axon_spawnvp
#define spawnvpe axon_spawnvpe

#ifdef __cplusplus
}
#endif

#endif /* AXON_PROCESS_H */
