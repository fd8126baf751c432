/* SPDX-License-Identifier: MIT */
/*
 * <sys/sched_aps.h> for Axon: the adaptive partitioning scheduler's
 * SchedCtl() commands and their data (SchedCtl(3)).  QNX's APS is an
 * optional kernel module ([module=aps] in the OS image); Axon is a QNX
 * system without it, and Linux has no scheduler that keeps a group's
 * CPU budget over a window as APS does (cgroups' cpu.max caps a group,
 * it does not guarantee it a share).  So every command here fails with
 * ENOSYS, as on a QNX image built without the module, once its
 * arguments are whole; the header lets programs that probe for APS
 * compile unchanged and take their "no APS" path.
 *
 * sched_aps_info is as QNX's SchedCtl() page gives it.  The other
 * structures have the members that page and the Adaptive Partitioning
 * User's Guide name, in an order and with types and reserved space of
 * Axon's choosing; the command numbers and flag values, which the
 * documentation does not give, are Axon's own too: source
 * compatibility, not binary.
 */
#ifndef AXON_SYS_SCHED_APS_H
#define AXON_SYS_SCHED_APS_H

#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The commands (values Axon's own). */
#define SCHED_APS_QUERY_PARMS       0x0201
#define SCHED_APS_SET_PARMS         0x0202
#define SCHED_APS_CREATE_PARTITION  0x0203
#define SCHED_APS_QUERY_PARTITION   0x0204
#define SCHED_APS_LOOKUP            0x0205
#define SCHED_APS_JOIN_PARTITION    0x0206
#define SCHED_APS_MODIFY_PARTITION  0x0207
#define SCHED_APS_QUERY_THREAD      0x0208
#define SCHED_APS_QUERY_PROCESS     0x0209
#define SCHED_APS_MARK_CRITICAL     0x020a
#define SCHED_APS_CLEAR_CRITICAL    0x020b

/* Partition 0 is "System" and there are at most 32 partitions (the
 * User's Guide, "Creating scheduler partitions"); the name length is
 * Axon's choice. */
#define APS_SYSTEM_PARTITION_ID   0
#define APS_PARTITION_NAME_LENGTH 15
#define APS_MAX_PARTITIONS        32

/* "Initialize all of the fields, including reserved ones." */
#define APS_INIT_DATA(p) memset((p), 0, sizeof(*(p)))

/* Bankruptcy policies and scheduling policy flags (values Axon's). */
#define SCHED_APS_BNKR_BASIC     0x0000u
#define SCHED_APS_BNKR_CANCEL_BUDGET 0x0001u
#define SCHED_APS_BNKR_LOG       0x0002u
#define SCHED_APS_BNKR_REBOOT    0x0004u
#define SCHED_APS_BNKR_RECOMMENDED \
	(SCHED_APS_BNKR_CANCEL_BUDGET | SCHED_APS_BNKR_LOG)
#define SCHED_APS_SCHEDPOL_FREETIME_BY_RATIO 0x0001u
#define SCHED_APS_SCHEDPOL_BMP_SAFETY        0x0002u

/* SCHED_APS_QUERY_PARMS: the scheduler's overall parameters. */
typedef struct {
	uint64_t cycles_per_ms;
	uint64_t windowsize_cycles;
	uint64_t windowsize2_cycles;
	uint64_t windowsize3_cycles;
	uint32_t scheduling_policy_flags;
	uint32_t sec_flags;
	uint32_t bankruptcy_policy;
	uint16_t num_partitions;
	uint16_t max_partitions;
	uint64_t reserved1;
	uint64_t reserved2;
} sched_aps_info;

/* SCHED_APS_SET_PARMS: NULL pointers leave a setting as it is. */
typedef struct {
	int16_t windowsize_ms;
	int16_t reserved0;
	uint32_t *bankruptcy_policy_p;
	uint32_t *scheduling_policy_flags_p;
	uint64_t reserved1;
	uint64_t reserved2;
} sched_aps_parms;

/* SCHED_APS_CREATE_PARTITION: id comes back. */
typedef struct {
	char *name;
	uint16_t budget_percent;
	int16_t critical_budget_ms;
	int16_t id;
	int16_t parent_id;
	uint64_t reserved1;
	uint64_t reserved2;
} sched_aps_create_parms;

/* SCHED_APS_QUERY_PARTITION: id in, the rest out. */
typedef struct {
	uint64_t budget_cycles;
	uint64_t critical_budget_cycles;
	char name[APS_PARTITION_NAME_LENGTH + 1];
	int16_t parent_id;
	uint16_t budget_percent;
	int32_t notify_pid;
	int32_t notify_tid;
	uint32_t pinfo_flags;
	int16_t id;
	int16_t reserved0;
	uint64_t reserved1;
	uint64_t reserved2;
} sched_aps_partition_info;

/* SCHED_APS_LOOKUP: the id of the partition called name. */
typedef struct {
	char *name;
	int16_t id;
	int16_t reserved0;
	uint32_t reserved1;
	uint64_t reserved2;
} sched_aps_lookup_parms;

/* SCHED_APS_JOIN_PARTITION: pid 0 the caller, tid 0 the whole process
 * (-1 the calling thread). */
typedef struct {
	int16_t id;
	int16_t reserved0;
	pid_t pid;
	int32_t tid;
	uint32_t reserved1;
	uint64_t reserved2;
} sched_aps_join_parms;

/* SCHED_APS_MODIFY_PARTITION: -1 leaves a value as it is. */
typedef struct {
	int16_t id;
	int16_t new_budget_percent;
	int16_t new_critical_budget_ms;
	int16_t reserved0;
	uint64_t reserved1;
	uint64_t reserved2;
} sched_aps_modify_parms;

/* SCHED_APS_QUERY_THREAD: the partition a thread runs in. */
typedef struct {
	pid_t pid;
	int32_t tid;
	int16_t id;
	int16_t inherited_id;
	uint32_t crit_state_flags;
	uint64_t reserved1;
	uint64_t reserved2;
} sched_aps_query_thread_parms;

/* SCHED_APS_QUERY_PROCESS: the partition a process was started in. */
typedef struct {
	pid_t pid;
	int16_t id;
	int16_t reserved0;
	uint64_t reserved1;
	uint64_t reserved2;
} sched_aps_query_process_parms;

/* SCHED_APS_MARK_CRITICAL, SCHED_APS_CLEAR_CRITICAL: a thread's
 * critical state (pid and tid 0: the caller). */
typedef struct {
	pid_t pid;
	int32_t tid;
	uint64_t reserved1;
	uint64_t reserved2;
} sched_aps_mark_crit_parms;

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_SCHED_APS_H */
