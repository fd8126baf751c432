/* SPDX-License-Identifier: MIT */
/*
 * <spawn.h> for Axon: the system header (posix_spawn() and the rest,
 * unchanged), plus QNX's general spawn() and spawnp() and their
 * struct inheritance and SPAWN_* flags.  Found before the system header
 * (pkg-config --cflags axon puts Axon's include directory first); it
 * defers to it with #include_next, as gnulib's replacement headers do.
 *
 * The QNX names are declared where glibc declares its own extensions
 * (__USE_MISC: the default, _DEFAULT_SOURCE, _GNU_SOURCE), not in a
 * strict ISO or POSIX build.  spawn() and spawnp() are exported by
 * libaxon as axon_spawn() and axon_spawnp() and named here by macros,
 * as the <process.h> family is, so no libaxon symbol is ever one of the
 * C library's.  A Linux program that names something of its own spawn,
 * spawnp or struct inheritance defines AXON_NO_QNX_EXTRAS before it
 * includes this header, as for <sys/neutrino.h>'s extras: see spawn(3).
 *
 * QNX documents the names and meanings, not the values: every SPAWN_*
 * value below is Axon's own choice (QNX programs use the names), and so
 * is the member order of struct inheritance beyond what QNX lists.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <spawn.h>

#ifndef AXON_SPAWN_H
#define AXON_SPAWN_H

#if defined(__USE_MISC) && !defined(AXON_NO_QNX_EXTRAS)

#include <sched.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

/* inherit->flags: what the child takes from inherit rather than from the
 * caller.  Values are Axon's. */
#define SPAWN_SETGROUP       0x00000001UL /* process group: pgroup */
#define SPAWN_SETSIGMASK     0x00000002UL /* signal mask: sigmask */
#define SPAWN_SETSIGDEF      0x00000004UL /* sigdefault to SIG_DFL */
#define SPAWN_SETSIGIGN      0x00000008UL /* sigignore to SIG_IGN */
#define SPAWN_TCSETPGROUP    0x00000010UL /* child's group: foreground */
#define SPAWN_SETSID         0x00000020UL /* new session */
#define SPAWN_SETND          0x00000040UL /* on node nd */
#define SPAWN_EXPLICIT_SCHED 0x00000080UL /* policy and param */
#define SPAWN_EXPLICIT_CPU   0x00000100UL /* runmask */
#define SPAWN_SETSTACKMAX    0x00000200UL /* stack_max */
#define SPAWN_SEARCH_PATH    0x00000400UL /* look path up in PATH */
#define SPAWN_CHECK_SCRIPT   0x00000800UL /* run a plain script by sh */
#define SPAWN_HOLD           0x00001000UL /* stopped until SIGCONT */
#define SPAWN_NOZOMBIE       0x00002000UL /* never the caller's zombie */
#define SPAWN_EXEC           0x00004000UL /* replace the caller */
#define SPAWN_DEBUG          0x00008000UL /* accepted; no effect */
#define SPAWN_ALIGN_DEFAULT  0x00000000UL /* the system's alignment */
#define SPAWN_ALIGN_FAULT    0x00010000UL /* accepted; no effect */
#define SPAWN_ALIGN_NOFAULT  0x00020000UL /* accepted; no effect */
#define SPAWN_ALIGN_MASK     0x00030000UL

/* fd_map[i]: descriptor i is closed in the child (Axon's value). */
#define SPAWN_FDCLOSED  (-1)
/* pgroup with SPAWN_SETGROUP: a new group led by the child (Axon's). */
#define SPAWN_NEWPGROUP 0

struct inheritance {
	unsigned long flags;
	pid_t pgroup;          /* SPAWN_SETGROUP */
	sigset_t sigmask;      /* SPAWN_SETSIGMASK */
	sigset_t sigdefault;   /* SPAWN_SETSIGDEF */
	sigset_t sigignore;    /* SPAWN_SETSIGIGN */
	unsigned long stack_max; /* SPAWN_SETSTACKMAX, bytes */
	int policy;            /* SPAWN_EXPLICIT_SCHED */
	__uint32_t nd;         /* SPAWN_SETND */
	__uint32_t runmask;    /* SPAWN_EXPLICIT_CPU, bit n: CPU n */
	struct sched_param param; /* SPAWN_EXPLICIT_SCHED */
};

AXON_EXPORT pid_t axon_spawn(const char *path, int fd_count,
    const int fd_map[], const struct inheritance *inherit,
    char *const argv[], char *const envp[]);
AXON_EXPORT pid_t axon_spawnp(const char *file, int fd_count,
    const int fd_map[], const struct inheritance *inherit,
    char *const argv[], char *const envp[]);

#define spawn  axon_spawn
#define spawnp axon_spawnp

#ifdef __cplusplus
}
#endif

#endif /* __USE_MISC && !AXON_NO_QNX_EXTRAS */

#endif /* AXON_SPAWN_H */
