/* SPDX-License-Identifier: MIT */
/*
 * <sched.h> for Axon: the system header, plus what QNX declares there:
 * getprio() and setprio() (QNX 4 calls kept by Neutrino), the
 * sched_curpriority member of struct sched_param and sched_param_t,
 * QNX's typedef of struct sched_param (the same structure: glibc's).
 *
 * glibc's struct sched_param has one member, sched_priority, and its
 * layout is part of the kernel ABI, so no member can be added.  QNX's
 * sched_curpriority is the priority a thread runs at now, inheritance
 * included; under Axon, priority inheritance changes the thread's real
 * scheduling priority (see MsgReceive(3)), so sched_priority already is
 * the current priority and sched_curpriority names the same member.
 * QNX's sporadic-server members (sched_ss_low_priority and the rest) have
 * no Linux counterpart (there is no SCHED_SPORADIC) and are not provided.
 * See qnx-libc(3).
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <sched.h>

#ifndef AXON_SCHED_H
#define AXON_SCHED_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

#ifndef sched_curpriority
#define sched_curpriority sched_priority
#endif

typedef struct sched_param sched_param_t;

AXON_EXPORT int axon_getprio(pid_t pid);
AXON_EXPORT int axon_setprio(pid_t pid, int prio);
#define getprio axon_getprio
#define setprio axon_setprio

#ifdef __cplusplus
}
#endif

#endif /* AXON_SCHED_H */
