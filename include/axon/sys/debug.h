/* SPDX-License-Identifier: MIT */
/*
 * <sys/debug.h> for Axon: QNX's process and thread information records,
 * as the DCMD_PROC_INFO, DCMD_PROC_STATUS and DCMD_PROC_TIDSTATUS
 * devctl()s of <sys/dcmd_proc.h> fill them from Linux's /proc
 * (procfs(3)).
 *
 * debug_process_t has the members, order and types QNX documents for
 * QNX 7 (the Cookbook's DCMD_PROC_INFO page); sigset_t is glibc's (128
 * bytes, QNX's is 8), so the sizes are not QNX's.  debug_thread_t has
 * QNX's documented members up to and including the blocked union, with
 * two changes: tid is a pid_t (QNX's pthread_t is the thread id, an int;
 * glibc's is a pointer) and the siginfo member is glibc's siginfo_t.
 * After blocked come start_time, sutime and extsched, in the order QNX
 * 6.6 documents; nsec_since_block and the reserved tail are Axon's.  Register, break-point and run-control records are not here:
 * Axon answers none of those commands.
 */
#ifndef AXON_SYS_DEBUG_H
#define AXON_SYS_DEBUG_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _debug_process_info {
	pid_t pid;
	pid_t parent;
	uint32_t flags;      /* _NTO_PF_*: Axon sets none */
	uint32_t umask;
	pid_t child;         /* 0 under Axon */
	pid_t sibling;       /* 0 under Axon */
	pid_t pgrp;
	pid_t sid;
	uint64_t base_address;  /* start of the program's text */
	uint64_t initial_stack; /* start (bottom) of the main stack */
	uid_t uid;
	gid_t gid;
	uid_t euid;
	gid_t egid;
	uid_t suid;
	gid_t sgid;
	sigset_t sig_ignore;
	sigset_t sig_queue;   /* signals queued (Linux: blocked ones pending) */
	sigset_t sig_pending; /* pending for the process */
	uint32_t num_chancons; /* 0 under Axon */
	uint32_t num_fdcons;   /* open descriptors */
	uint32_t num_threads;
	uint32_t num_timers;   /* POSIX timers */
	uint64_t start_time;   /* ns since the Epoch */
	uint64_t utime;        /* ns */
	uint64_t stime;
	uint64_t cutime;
	uint64_t cstime;
	uint8_t priority;      /* the main thread's QNX priority */
	uint8_t reserved2[7];
	uint8_t extsched[8];
	uint64_t pls;
	uint64_t sigstub;
	uint64_t canstub;
	uint64_t private_mem;  /* bytes of private resident memory */
	uint32_t appid;
	uint32_t type_id;
	uint64_t reserved[8];
} debug_process_t;

typedef struct _debug_thread_info {
	pid_t pid;
	pid_t tid;            /* QNX: pthread_t, the thread id */
	uint32_t flags;
	uint16_t why;
	uint16_t what;
	uint64_t ip;
	uint64_t sp;
	uint64_t stkbase;
	uint64_t tls;
	uint32_t stksize;
	uint32_t tid_flags;
	uint8_t priority;     /* QNX priority (1-99 real-time, else 10) */
	uint8_t real_priority;
	uint8_t policy;       /* SCHED_OTHER, SCHED_FIFO, SCHED_RR (glibc's) */
	uint8_t state;        /* STATE_* of <sys/states.h> */
	int16_t syscall;
	uint16_t last_cpu;
	uint32_t timeout;
	int32_t last_chid;
	sigset_t sig_blocked;
	sigset_t sig_pending;
	siginfo_t info;
	union {
		struct {
			pid_t tid;
		} join;
		struct {
			int64_t id;
			uint64_t sync;
		} sync;
		struct {
			uint32_t nd;
			pid_t pid;
			int32_t coid;
			int32_t chid;
			int32_t scoid;
			uint32_t flags;
		} connect;
		struct {
			int32_t chid;
		} channel;
		struct {
			pid_t pid;
			uint32_t flags;
			uint64_t vaddr;
		} waitpage;
		struct {
			uint64_t size;
		} stack;
		uint64_t filler[4];
	} blocked;
	uint64_t start_time;  /* ns since the Epoch */
	uint64_t sutime;      /* user + system time, ns */
	uint8_t extsched[8];
	uint64_t nsec_since_block; /* 0 under Axon */
	uint64_t reserved[4];
} debug_thread_t;

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_DEBUG_H */
