/* SPDX-License-Identifier: MIT */
/*
 * <sys/neutrino.h> for Axon: the QNX Neutrino message-passing kernel calls,
 * implemented in user space by libaxon.  7.0-style prototypes (size_t sizes,
 * long status) with 7.1's rcvid_t; every call has an _r twin that returns a
 * negative errno instead of setting errno.  See axon(7) and the section 3
 * pages for semantics.
 */
#ifndef AXON_SYS_NEUTRINO_H
#define AXON_SYS_NEUTRINO_H

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <sys/siginfo.h>
#include <sys/states.h>
#include <sys/storage.h>

/* The QNX release whose calls these are, times 100: 7.1 (7.0-style
 * prototypes with 7.1's rcvid_t and secure events).  __QNX__ and
 * __QNXNTO__, which QNX's compiler predefines, are not defined: Axon's
 * headers serve Linux programs too (qnx-libc(3)). */
#ifndef _NTO_VERSION
#define _NTO_VERSION 710
#endif

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

/* ---- QNX errno names ------------------------------------------------- */
/* EOK comes from Axon's <errno.h> (included above); the same definition
 * stays here so that this header has it whichever <errno.h> the include
 * path finds. */
#ifndef EOK
#define EOK 0
#endif
#define ENOREMOTE  300
#define ENONDP     301
#define EBADFSYS   302
#define EMORE      309
#define ECTRLTERM  310
#define ENOLIC     311
#define ESRVRFAULT 312
#define EENDIAN    313
#ifndef ERESTART
#define ERESTART 85
#endif

/* ---- IOVs ------------------------------------------------------------- */
typedef struct iovec iov_t;
#define SETIOV(_iov, _addr, _len) \
	((_iov)->iov_base = (void *) (_addr), (_iov)->iov_len = (_len))
#define GETIOVBASE(_iov) ((_iov)->iov_base)
#define GETIOVLEN(_iov)  ((_iov)->iov_len)

typedef int64_t rcvid_t;

#ifndef ND_LOCAL_NODE
#define ND_LOCAL_NODE 0
#endif

/* ---- Channel flags ---------------------------------------------------- */
#define _NTO_CHF_FIXED_PRIORITY  0x0001u
#define _NTO_CHF_UNBLOCK         0x0002u
#define _NTO_CHF_THREAD_DEATH    0x0004u
#define _NTO_CHF_DISCONNECT      0x0008u
#define _NTO_CHF_NET_MSG         0x0010u
#define _NTO_CHF_SENDER_LEN      0x0020u
#define _NTO_CHF_COID_DISCONNECT 0x0040u
#define _NTO_CHF_REPLY_LEN       0x0080u
#define _NTO_CHF_STICKY          0x0100u
#define _NTO_CHF_ASYNC_NONBLOCK  0x0200u
#define _NTO_CHF_ASYNC           0x0400u
#define _NTO_CHF_GLOBAL          0x0800u
#define _NTO_CHF_PRIVATE         0x1000u
#define _NTO_CHF_MSG_PAUSING     0x2000u

/* ---- Connection flags and ids ---------------------------------------- */
#define _NTO_SIDE_CHANNEL   0x40000000
#define _NTO_COF_CLOEXEC    0x0001
#define _NTO_COF_DEAD       0x0002
#define _NTO_COF_NOSHARE    0x0040
#define _NTO_COF_NETCON     0x0080
#define _NTO_COF_NOEVENT    0x0800
#define _NTO_COF_INSECURE   0x1000
#define _NTO_COF_REG_EVENTS 0x2000

/* ---- Message info ----------------------------------------------------- */
#define _NTO_MI_ENDIAN_BIG      0x0001
#define _NTO_MI_ENDIAN_DIFF     0x0002
#define _NTO_MI_UNBLOCK_REQ     0x0100
#define _NTO_MI_NET_CRED_DIRTY  0x0200

/*
 * The message-information structures as QNX 7.0/7.1 declare them (and 8.0,
 * which renamed nd/srcnd reserved[2] when it dropped Qnet): _msg_info32
 * keeps the old 32-bit lengths, _msg_info64 has 64-bit lengths with
 * priority and flags moved ahead of them.  struct _msg_info is the one of
 * the target's pointer size, so on 64-bit Linux it is _msg_info64 (64
 * bytes) and every call below that takes a _msg_info or _server_info
 * fills that layout; a program that uses only the field names compiles
 * unchanged.  type_id is 0 (Axon has no security-policy types).
 */
#ifndef AXON_SSIZE32_T_DEFINED
#define AXON_SSIZE32_T_DEFINED
typedef int32_t ssize32_t;
typedef int64_t ssize64_t;
#endif

struct _msg_info_hdr {   /* the part every layout shares */
	uint32_t nd;
	uint32_t srcnd;
	pid_t pid;
	int32_t tid;
	int32_t chid;
	int32_t scoid;
	int32_t coid;
};

struct _msg_info32 {
	uint32_t nd;
	uint32_t srcnd;
	pid_t pid;
	int32_t tid;
	int32_t chid;
	int32_t scoid;
	int32_t coid;
	ssize32_t msglen;
	ssize32_t srcmsglen;
	ssize32_t dstmsglen;
	int16_t priority;
	int16_t flags;
	uint32_t type_id;
};

struct _msg_info64 {
	uint32_t nd;
	uint32_t srcnd;
	pid_t pid;
	int32_t tid;
	int32_t chid;
	int32_t scoid;
	int32_t coid;
	int16_t priority;
	int16_t flags;
	ssize64_t msglen;
	ssize64_t srcmsglen;
	ssize64_t dstmsglen;
	uint32_t type_id;
	uint32_t reserved;
};

#if UINTPTR_MAX > 0xffffffffu
#define _msg_info _msg_info64
#else
#define _msg_info _msg_info32
#endif
#define _server_info32 _msg_info32
#define _server_info64 _msg_info64
#define _server_info _msg_info

#ifndef __NGROUPS_MAX
#define __NGROUPS_MAX 8
#endif

struct _cred_info {
	uid_t ruid;
	uid_t euid;
	uid_t suid;
	gid_t rgid;
	gid_t egid;
	gid_t sgid;
	uint32_t ngroups;
	gid_t grouplist[__NGROUPS_MAX];
};

#define _NTO_CI_ENDIAN_BIG   0x0001
#define _NTO_CI_BKGND_PGRP   0x0004
#define _NTO_CI_ORPHAN_PGRP  0x0008
#define _NTO_CI_STOPPED      0x0080

struct _client_info {
	uint32_t nd;
	pid_t pid;
	pid_t sid;
	uint32_t flags;
	struct _cred_info cred;
};

/* ---- Pulses ----------------------------------------------------------- */
#define _PULSE_TYPE    0
#define _PULSE_SUBTYPE 0

#define _PULSE_CODE_UNBLOCK     (-32)
#define _PULSE_CODE_DISCONNECT  (-33)
#define _PULSE_CODE_THREADDEATH (-34)
#define _PULSE_CODE_COIDDEATH   (-35)
#define _PULSE_CODE_NET_ACK     (-36)
#define _PULSE_CODE_NET_UNBLOCK (-37)
#define _PULSE_CODE_NET_DETACH  (-38)
#define _PULSE_CODE_MINAVAIL    0
#define _PULSE_CODE_MAXAVAIL    127

struct _pulse {
	uint16_t type;
	uint16_t subtype;
	int8_t code;
	uint8_t zero[3];
	union sigval value;
	int32_t scoid;
};

/* ---- Timeouts --------------------------------------------------------- */
/* The states (<sys/states.h>) a TimerTimeout can name; which Axon calls
 * honour each is in TimerTimeout(3). */
#define _NTO_TIMEOUT_RECEIVE     (1 << STATE_RECEIVE)
#define _NTO_TIMEOUT_REPLY       (1 << STATE_REPLY)
#define _NTO_TIMEOUT_SEND        (1 << STATE_SEND)
#define _NTO_TIMEOUT_SIGSUSPEND  (1 << STATE_SIGSUSPEND)
#define _NTO_TIMEOUT_SIGWAITINFO (1 << STATE_SIGWAITINFO)
#define _NTO_TIMEOUT_NANOSLEEP   (1 << STATE_NANOSLEEP)
#define _NTO_TIMEOUT_MUTEX       (1 << STATE_MUTEX)
#define _NTO_TIMEOUT_CONDVAR     (1 << STATE_CONDVAR)
#define _NTO_TIMEOUT_JOIN        (1 << STATE_JOIN)
#define _NTO_TIMEOUT_INTR        (1 << STATE_INTR)
#define _NTO_TIMEOUT_SEM         (1 << STATE_SEM)
#define _NTO_TIMEOUT_ACTIVE      ((int) 0x80000000u)

/* ---- Channels --------------------------------------------------------- */
AXON_EXPORT int ChannelCreate(unsigned flags);
AXON_EXPORT int ChannelCreate_r(unsigned flags);
AXON_EXPORT int ChannelDestroy(int chid);
AXON_EXPORT int ChannelDestroy_r(int chid);

/* ---- Connections ------------------------------------------------------ */
AXON_EXPORT int ConnectAttach(uint32_t nd, pid_t pid, int chid,
    unsigned index, int flags);
AXON_EXPORT int ConnectAttach_r(uint32_t nd, pid_t pid, int chid,
    unsigned index, int flags);
AXON_EXPORT int ConnectDetach(int coid);
AXON_EXPORT int ConnectDetach_r(int coid);
AXON_EXPORT int ConnectClientInfo(int scoid, struct _client_info *info,
    int ngroups);
AXON_EXPORT int ConnectClientInfo_r(int scoid, struct _client_info *info,
    int ngroups);
/* ConnectClientInfoExt() flags (values Axon's). */
#define _NTO_CLIENTINFO_GETGROUPS 0x00000001
#define _NTO_CLIENTINFO_GETTYPEID 0x00000002
/* Allocates *info, with room for every supplementary group of the client
 * when flags has _NTO_CLIENTINFO_GETGROUPS; ClientInfoExtFree() frees it
 * (ConnectAttach(3)). */
AXON_EXPORT int ConnectClientInfoExt(int scoid, struct _client_info **info,
    int flags);
AXON_EXPORT int ClientInfoExtFree(struct _client_info **info);
AXON_EXPORT int ConnectServerInfo(pid_t pid, int coid,
    struct _server_info *info);
AXON_EXPORT int ConnectServerInfo_r(pid_t pid, int coid,
    struct _server_info *info);
/* Changes coid's flags under mask to bits; returns the old flags
 * (ConnectFlags(3)). */
AXON_EXPORT int ConnectFlags(pid_t pid, int coid, unsigned mask,
    unsigned bits);
AXON_EXPORT int ConnectFlags_r(pid_t pid, int coid, unsigned mask,
    unsigned bits);

/* ---- Sending ---------------------------------------------------------- */
AXON_EXPORT long MsgSend(int coid, const void *smsg, size_t sbytes,
    void *rmsg, size_t rbytes);
AXON_EXPORT long MsgSend_r(int coid, const void *smsg, size_t sbytes,
    void *rmsg, size_t rbytes);
AXON_EXPORT long MsgSendnc(int coid, const void *smsg, size_t sbytes,
    void *rmsg, size_t rbytes);
AXON_EXPORT long MsgSendnc_r(int coid, const void *smsg, size_t sbytes,
    void *rmsg, size_t rbytes);
AXON_EXPORT long MsgSendv(int coid, const iov_t *siov, size_t sparts,
    const iov_t *riov, size_t rparts);
AXON_EXPORT long MsgSendv_r(int coid, const iov_t *siov, size_t sparts,
    const iov_t *riov, size_t rparts);
AXON_EXPORT long MsgSendvnc(int coid, const iov_t *siov, size_t sparts,
    const iov_t *riov, size_t rparts);
AXON_EXPORT long MsgSendvnc_r(int coid, const iov_t *siov, size_t sparts,
    const iov_t *riov, size_t rparts);
AXON_EXPORT long MsgSendsv(int coid, const void *smsg, size_t sbytes,
    const iov_t *riov, size_t rparts);
AXON_EXPORT long MsgSendsv_r(int coid, const void *smsg, size_t sbytes,
    const iov_t *riov, size_t rparts);
AXON_EXPORT long MsgSendsvnc(int coid, const void *smsg, size_t sbytes,
    const iov_t *riov, size_t rparts);
AXON_EXPORT long MsgSendsvnc_r(int coid, const void *smsg, size_t sbytes,
    const iov_t *riov, size_t rparts);
AXON_EXPORT long MsgSendvs(int coid, const iov_t *siov, size_t sparts,
    void *rmsg, size_t rbytes);
AXON_EXPORT long MsgSendvs_r(int coid, const iov_t *siov, size_t sparts,
    void *rmsg, size_t rbytes);
AXON_EXPORT long MsgSendvsnc(int coid, const iov_t *siov, size_t sparts,
    void *rmsg, size_t rbytes);
AXON_EXPORT long MsgSendvsnc_r(int coid, const iov_t *siov, size_t sparts,
    void *rmsg, size_t rbytes);

/* ---- Receiving -------------------------------------------------------- */
AXON_EXPORT rcvid_t MsgReceive(int chid, void *msg, size_t bytes,
    struct _msg_info *info);
AXON_EXPORT rcvid_t MsgReceive_r(int chid, void *msg, size_t bytes,
    struct _msg_info *info);
AXON_EXPORT rcvid_t MsgReceivev(int chid, const iov_t *iov, size_t parts,
    struct _msg_info *info);
AXON_EXPORT rcvid_t MsgReceivev_r(int chid, const iov_t *iov, size_t parts,
    struct _msg_info *info);
AXON_EXPORT int MsgReceivePulse(int chid, void *pulse, size_t bytes,
    struct _msg_info *info);
AXON_EXPORT int MsgReceivePulse_r(int chid, void *pulse, size_t bytes,
    struct _msg_info *info);
AXON_EXPORT int MsgReceivePulsev(int chid, const iov_t *iov, size_t parts,
    struct _msg_info *info);
AXON_EXPORT int MsgReceivePulsev_r(int chid, const iov_t *iov, size_t parts,
    struct _msg_info *info);

/* ---- Replying and data movement -------------------------------------- */
AXON_EXPORT int MsgReply(rcvid_t rcvid, long status, const void *msg,
    size_t bytes);
AXON_EXPORT int MsgReply_r(rcvid_t rcvid, long status, const void *msg,
    size_t bytes);
AXON_EXPORT int MsgReplyv(rcvid_t rcvid, long status, const iov_t *iov,
    size_t parts);
AXON_EXPORT int MsgReplyv_r(rcvid_t rcvid, long status, const iov_t *iov,
    size_t parts);
AXON_EXPORT int MsgError(rcvid_t rcvid, int error);
AXON_EXPORT int MsgError_r(rcvid_t rcvid, int error);
AXON_EXPORT ssize_t MsgRead(rcvid_t rcvid, void *msg, size_t bytes,
    size_t offset);
AXON_EXPORT ssize_t MsgRead_r(rcvid_t rcvid, void *msg, size_t bytes,
    size_t offset);
AXON_EXPORT ssize_t MsgReadv(rcvid_t rcvid, const iov_t *iov, size_t parts,
    size_t offset);
AXON_EXPORT ssize_t MsgReadv_r(rcvid_t rcvid, const iov_t *iov,
    size_t parts, size_t offset);
AXON_EXPORT ssize_t MsgWrite(rcvid_t rcvid, const void *msg, size_t bytes,
    size_t offset);
AXON_EXPORT ssize_t MsgWrite_r(rcvid_t rcvid, const void *msg, size_t bytes,
    size_t offset);
AXON_EXPORT ssize_t MsgWritev(rcvid_t rcvid, const iov_t *iov, size_t parts,
    size_t offset);
AXON_EXPORT ssize_t MsgWritev_r(rcvid_t rcvid, const iov_t *iov,
    size_t parts, size_t offset);
AXON_EXPORT int MsgInfo(rcvid_t rcvid, struct _msg_info *info);
AXON_EXPORT int MsgInfo_r(rcvid_t rcvid, struct _msg_info *info);
/*
 * MsgKeyData(3): a key over reply data that a privileged server hands a
 * client, so that another privileged server on this node can check the
 * client did not change the data.  Root only (EPERM).  Axon's keyed
 * hash (SipHash-2-4 under the node's secret); keys are not QNX's.
 */
#define _NTO_KEYDATA_VERIFY    0
#define _NTO_KEYDATA_CALCULATE 1
AXON_EXPORT int MsgKeyData(rcvid_t rcvid, int op, uint32_t key,
    uint32_t *newkey, const iov_t *msg, int parts);
AXON_EXPORT int MsgKeyData_r(rcvid_t rcvid, int op, uint32_t key,
    uint32_t *newkey, const iov_t *msg, int parts);
/* The calling thread takes on the priority of rcvid's sender
 * (MsgReceive(3)). */
AXON_EXPORT int MsgCurrent(rcvid_t rcvid);
AXON_EXPORT int MsgCurrent_r(rcvid_t rcvid);
/* Message pausing: ENOSYS, as in QNX 8 (MsgReceive(3)). */
AXON_EXPORT int MsgPause(rcvid_t rcvid, unsigned cookie);
AXON_EXPORT int MsgPause_r(rcvid_t rcvid, unsigned cookie);

/* ---- Pulses and events ----------------------------------------------- */
AXON_EXPORT int MsgSendPulse(int coid, int priority, int code, int value);
AXON_EXPORT int MsgSendPulse_r(int coid, int priority, int code, int value);
AXON_EXPORT int MsgDeliverEvent(rcvid_t rcvid, const struct sigevent *event);
AXON_EXPORT int MsgDeliverEvent_r(rcvid_t rcvid,
    const struct sigevent *event);
AXON_EXPORT int MsgSendPulsePtr(int coid, int priority, int code,
    void *value);
/* Secure events (QNX 7.1): the event becomes a handle only the server
 * named by coid (-1: any) may deliver (MsgDeliverEvent(3)). */
AXON_EXPORT int MsgRegisterEvent(struct sigevent *event, int coid);
AXON_EXPORT int MsgRegisterEvent_r(struct sigevent *event, int coid);
AXON_EXPORT int MsgUnregisterEvent(const struct sigevent *event);
AXON_EXPORT int MsgUnregisterEvent_r(const struct sigevent *event);
AXON_EXPORT int MsgVerifyEvent(rcvid_t rcvid, const struct sigevent *event);
AXON_EXPORT int MsgVerifyEvent_r(rcvid_t rcvid,
    const struct sigevent *event);
AXON_EXPORT int MsgSendPulsePtr_r(int coid, int priority, int code,
    void *value);

/* ---- Kernel timeouts ------------------------------------------------- */
AXON_EXPORT int TimerTimeout(clockid_t id, int flags,
    const struct sigevent *notify, const uint64_t *ntime, uint64_t *otime);
AXON_EXPORT int TimerTimeout_r(clockid_t id, int flags,
    const struct sigevent *notify, const uint64_t *ntime, uint64_t *otime);
AXON_EXPORT int timer_timeout(clockid_t id, int flags,
    const struct sigevent *notify, const struct timespec *ntime,
    struct timespec *otime);

/* ---- Timers (TimerCreate(3)) ------------------------------------------
 * Per-process timers that deliver a sigevent: a pulse (SIGEV_PULSE, to a
 * connection of this process, local or to another process or node), a
 * signal (SIGEV_SIGNAL, _CODE, _THREAD), a thread (SIGEV_THREAD) or
 * nothing (SIGEV_NONE).  One timerfd each, served by one thread per
 * process.  Timer ids are small integers, this process's own (int,
 * where QNX's timer_t is an int and glibc's a pointer).
 */
#ifndef CLOCK_SOFTTIME
#define CLOCK_SOFTTIME 0x40 /* QNX's; CLOCK_REALTIME under Axon */
#endif
#ifndef TIMER_TOLERANCE
#define TIMER_TOLERANCE 0x04
#endif
#ifndef TIMER_PRECISE
#define TIMER_PRECISE 0x08
#endif

struct _itimer {
	uint64_t nsec;
	uint64_t interval_nsec;
};

struct _timer_info {
	struct _itimer itime; /* next expiry (absolute, on clockid), period */
	struct _itimer otime; /* time left until it, period (or tolerance) */
	uint32_t flags;       /* _NTO_TI_* */
	int32_t tid;          /* SIGEV_SIGNAL_THREAD's thread, else 0 */
	int32_t notify;       /* the event's sigev_notify */
	clockid_t clockid;
	uint32_t overruns;    /* expirations not delivered */
	struct sigevent event;
};

#define _NTO_TI_ACTIVE           0x0001
#define _NTO_TI_ABSOLUTE         0x0002
#define _NTO_TI_EXPIRED          0x0004
#define _NTO_TI_TOD_BASED        0x0008
#define _NTO_TI_TARGET_PROCESS   0x0010
#define _NTO_TI_REPORT_TOLERANCE 0x0020
#define _NTO_TI_PRECISE          0x0040
#define _NTO_TI_TOLERANT         0x0080

#define _NTO_TIMER_SEARCH         0x0001
#define _NTO_TIMER_RESET_OVERRUNS 0x0002

AXON_EXPORT int TimerCreate(clockid_t id, const struct sigevent *event);
AXON_EXPORT int TimerCreate_r(clockid_t id, const struct sigevent *event);
AXON_EXPORT int TimerDestroy(int id);
AXON_EXPORT int TimerDestroy_r(int id);
AXON_EXPORT int TimerSettime(int id, int flags,
    const struct _itimer *itime, struct _itimer *oitime);
AXON_EXPORT int TimerSettime_r(int id, int flags,
    const struct _itimer *itime, struct _itimer *oitime);
AXON_EXPORT int TimerInfo(pid_t pid, int id, int flags,
    struct _timer_info *info);
AXON_EXPORT int TimerInfo_r(pid_t pid, int id, int flags,
    struct _timer_info *info);
AXON_EXPORT int TimerAlarm(clockid_t id, const struct _itimer *itime,
    struct _itimer *otime);
AXON_EXPORT int TimerAlarm_r(clockid_t id, const struct _itimer *itime,
    struct _itimer *otime);

/* ---- Clocks (ClockTime(3)) --------------------------------------------- */
struct _clockperiod {
	uint32_t nsec;
	int32_t fract;
};

struct _clockadjust {
	uint32_t tick_count;
	int32_t tick_nsec_inc;
};

AXON_EXPORT int ClockTime(clockid_t id, const uint64_t *new_time,
    uint64_t *old_time);
AXON_EXPORT int ClockTime_r(clockid_t id, const uint64_t *new_time,
    uint64_t *old_time);
/*
 * The CPU-time clock of thread tid of process pid (0: the caller's), or
 * of the whole process for tid 0 (ClockTime(3)): Linux's clock ids,
 * which are negative and never -1; ClockId_r()'s one error is -ESRCH.
 */
AXON_EXPORT int ClockId(pid_t pid, int tid);
AXON_EXPORT int ClockId_r(pid_t pid, int tid);
AXON_EXPORT int ClockPeriod(clockid_t id, const struct _clockperiod *new_p,
    struct _clockperiod *old_p, int reserved);
AXON_EXPORT int ClockPeriod_r(clockid_t id,
    const struct _clockperiod *new_p, struct _clockperiod *old_p,
    int reserved);
AXON_EXPORT int ClockAdjust(clockid_t id, const struct _clockadjust *new_a,
    struct _clockadjust *old_a);
AXON_EXPORT int ClockAdjust_r(clockid_t id,
    const struct _clockadjust *new_a, struct _clockadjust *old_a);
/* Nanoseconds of CLOCK_MONOTONIC: SYSPAGE_ENTRY(qtime)->cycles_per_sec
 * is 1000000000. */
AXON_EXPORT uint64_t ClockCycles(void);

/* ---- Threads and scheduling (ThreadCreate(3)) ---------------------------
 * Thread ids are Linux thread ids (gettid()), as in _msg_info.tid.
 */
#define _NTO_TCTL_IO                        1
#define _NTO_TCTL_THREADS_HOLD              2
#define _NTO_TCTL_THREADS_CONT              3
#define _NTO_TCTL_RUNMASK                   4
#define _NTO_TCTL_ALIGN_FAULT               5
#define _NTO_TCTL_RUNMASK_GET_AND_SET       6
#define _NTO_TCTL_PERFCOUNT                 7
#define _NTO_TCTL_ONE_THREAD_HOLD           8
#define _NTO_TCTL_ONE_THREAD_CONT           9
#define _NTO_TCTL_RUNMASK_GET_AND_SET_INHERIT 10
#define _NTO_TCTL_NAME                      11
#define _NTO_TCTL_IO_PRIV                   14
#define _NTO_TCTL_IO_LEVEL                  19

#define _NTO_THREAD_NAME_MAX 100

struct _thread_name {
	int new_name_len; /* > 0: set; 0: keep; the buffer holds it */
	int name_buf_len; /* the buffer's size: the old name comes back */
	char name_buf[];
};

/* _NTO_TCTL_RUNMASK_GET_AND_SET_INHERIT: a struct _thread_runmask is
 * int size; unsigned runmask[size]; unsigned inherit_mask[size]. */
#define RMSK_SIZE(num_cpu) \
	(((num_cpu) - 1) / (int) (8 * sizeof(unsigned)) + 1)
#define RMSK_SET(cpu, p) \
	((p)[(cpu) / (8 * sizeof(unsigned))] |= \
	    1u << ((cpu) % (8 * sizeof(unsigned))))
#define RMSK_CLR(cpu, p) \
	((p)[(cpu) / (8 * sizeof(unsigned))] &= \
	    ~(1u << ((cpu) % (8 * sizeof(unsigned)))))
#define RMSK_ISSET(cpu, p) \
	(((p)[(cpu) / (8 * sizeof(unsigned))] >> \
	     ((cpu) % (8 * sizeof(unsigned)))) & 1u)

AXON_EXPORT int ThreadCreate(pid_t pid, void *(*func)(void *), void *arg,
    const pthread_attr_t *attr);
AXON_EXPORT int ThreadCreate_r(pid_t pid, void *(*func)(void *), void *arg,
    const pthread_attr_t *attr);
AXON_EXPORT int ThreadDestroy(int tid, int priority, void *status);
AXON_EXPORT int ThreadDestroy_r(int tid, int priority, void *status);
AXON_EXPORT int ThreadJoin(int tid, void **status);
AXON_EXPORT int ThreadJoin_r(int tid, void **status);
AXON_EXPORT int ThreadDetach(int tid);
AXON_EXPORT int ThreadDetach_r(int tid);
AXON_EXPORT int ThreadCtl(int cmd, void *data);
AXON_EXPORT int ThreadCtl_r(int cmd, void *data);
/* ThreadCtl() on thread tid of process pid (0, 0: the calling thread). */
AXON_EXPORT int ThreadCtlExt(pid_t pid, int tid, int cmd, void *data);
AXON_EXPORT int ThreadCtlExt_r(pid_t pid, int tid, int cmd, void *data);

/*
 * Interrupts (InterruptAttach(3)).  A Linux process can neither take a
 * hardware interrupt nor mask one: attaching fails with EPERM (QNX's
 * answer to a thread without I/O privileges, which ThreadCtl() with
 * _NTO_TCTL_IO never grants here), masking with EPERM, detaching with
 * EINVAL; InterruptWait() waits for its timeout or a signal, as QNX's
 * with nothing attached.  InterruptEnable(), InterruptDisable(),
 * InterruptLock() and InterruptUnlock() fault with SIGSEGV, as on QNX
 * without I/O privileges.  The names exist so that drivers compile.
 */
#define _NTO_INTR_FLAGS_END       0x01u
#define _NTO_INTR_FLAGS_PROCESS   0x04u
#define _NTO_INTR_FLAGS_TRK_MSK   0x08u
#define _NTO_INTR_FLAGS_NO_UNMASK 0x10u
#define _NTO_INTR_FLAGS_EXCLUSIVE 0x20u

struct intrspin {
	volatile unsigned value;
};
typedef struct intrspin intrspin_t;

AXON_EXPORT int InterruptAttach(int intr,
    const struct sigevent *(*handler)(void *, int), const void *area,
    int size, unsigned flags);
AXON_EXPORT int InterruptAttach_r(int intr,
    const struct sigevent *(*handler)(void *, int), const void *area,
    int size, unsigned flags);
AXON_EXPORT int InterruptAttachEvent(int intr, const struct sigevent *event,
    unsigned flags);
AXON_EXPORT int InterruptAttachEvent_r(int intr,
    const struct sigevent *event, unsigned flags);
AXON_EXPORT int InterruptDetach(int id);
AXON_EXPORT int InterruptDetach_r(int id);
AXON_EXPORT int InterruptWait(int flags, const uint64_t *timeout);
AXON_EXPORT int InterruptWait_r(int flags, const uint64_t *timeout);
/* QNX 8: the calling thread as its interrupt's service thread (EPERM
 * here, as every attach), and InterruptWait()'s flags. */
#define _NTO_INTR_WAIT_FLAGS_FAST   0x01
#define _NTO_INTR_WAIT_FLAGS_UNMASK 0x02
AXON_EXPORT int InterruptAttachThread(int intr, unsigned flags);
AXON_EXPORT int InterruptAttachThread_r(int intr, unsigned flags);
AXON_EXPORT int InterruptMask(int intr, int id);
AXON_EXPORT int InterruptUnmask(int intr, int id);
AXON_EXPORT void InterruptEnable(void);
AXON_EXPORT void InterruptDisable(void);
AXON_EXPORT void InterruptLock(struct intrspin *spin);
AXON_EXPORT void InterruptUnlock(struct intrspin *spin);

#ifndef SCHED_NOCHANGE
#define SCHED_NOCHANGE 0x40 /* QNX's 0 is glibc's SCHED_OTHER */
#endif

struct _sched_info {
	int priority_min;
	int priority_max;
	uint64_t interval; /* SCHED_RR's time slice, ns */
	int priority_priv; /* the highest priority without privilege */
	int reserved[11];
};

AXON_EXPORT int SchedGet(pid_t pid, int tid, struct sched_param *param);
AXON_EXPORT int SchedGet_r(pid_t pid, int tid, struct sched_param *param);
AXON_EXPORT int SchedSet(pid_t pid, int tid, int policy,
    const struct sched_param *param);
AXON_EXPORT int SchedSet_r(pid_t pid, int tid, int policy,
    const struct sched_param *param);
AXON_EXPORT int SchedInfo(pid_t pid, int policy, struct _sched_info *info);
AXON_EXPORT int SchedInfo_r(pid_t pid, int policy, struct _sched_info *info);
AXON_EXPORT int SchedYield(void);
AXON_EXPORT int SchedYield_r(void);
/* The adaptive partitioning scheduler's commands (<sys/sched_aps.h>):
 * Axon has no APS, so each is ENOSYS once its arguments are whole. */
AXON_EXPORT int SchedCtl(int cmd, void *data, size_t length);
AXON_EXPORT int SchedCtl_r(int cmd, void *data, size_t length);

/* ---- Signals (SignalKill(3)) ------------------------------------------- */
#ifndef SIG_PENDING
#define SIG_PENDING 5 /* SignalProcmask(): the pending set into oldset */
#endif

/*
 * sigaction() as a kernel call (SignalKill(3)): pid 0 or the caller's
 * own; another process EPERM (ESRCH if there is none).  sigstub is
 * QNX's signal trampoline, &__signalstub; Linux's sigaction() has its
 * own, so any value is accepted.
 */
AXON_EXPORT void __signalstub(void);
AXON_EXPORT int SignalAction(pid_t pid, void (*sigstub)(void), int signo,
    const struct sigaction *act, struct sigaction *oact);
AXON_EXPORT int SignalAction_r(pid_t pid, void (*sigstub)(void), int signo,
    const struct sigaction *act, struct sigaction *oact);
AXON_EXPORT int SignalKill(uint32_t nd, pid_t pid, int tid, int signo,
    int code, int value);
AXON_EXPORT int SignalKill_r(uint32_t nd, pid_t pid, int tid, int signo,
    int code, int value);
AXON_EXPORT int SignalProcmask(pid_t pid, int tid, int how,
    const sigset_t *set, sigset_t *oldset);
AXON_EXPORT int SignalProcmask_r(pid_t pid, int tid, int how,
    const sigset_t *set, sigset_t *oldset);

/* ---- Synchronization objects on futexes (SyncTypeCreate(3)) ----------- */
/* QNX's own pthread objects are sync_t; under Axon the POSIX ones are
 * glibc's, and sync_t is a separate object for the Sync* calls. */
typedef struct _sync {
	int __count;       /* semaphore value, condvar sequence */
	unsigned __owner;  /* mutex: owner's thread id, else a marker */
} sync_t;

struct _sync_attr {
	int __protocol;    /* PTHREAD_PRIO_INHERIT or PTHREAD_PRIO_NONE */
	int __flags;
	int __prioceiling;
	int __clockid;
	int __count;
	int __reserved[3];
};

#define _NTO_SYNC_MUTEX_FREE  0x00000000u
#define _NTO_SYNC_INITIALIZER 0xffffffffu /* statically initialized */
#define _NTO_SYNC_DESTROYED   0xfffffffeu
#define _NTO_SYNC_SEM         0xfffffffcu
#define _NTO_SYNC_COND        0xfffffffbu
#define _NTO_SYNC_WAITING     0x80000000u /* mutex: others wait */
#define _NTO_SYNC_DEAD        0x40000000u /* mutex: its owner died */
#define _NTO_SYNC_MUTEX_INITIALIZER {0, _NTO_SYNC_INITIALIZER}

AXON_EXPORT int SyncTypeCreate(unsigned type, sync_t *sync,
    const struct _sync_attr *attr);
AXON_EXPORT int SyncTypeCreate_r(unsigned type, sync_t *sync,
    const struct _sync_attr *attr);
AXON_EXPORT int SyncDestroy(sync_t *sync);
AXON_EXPORT int SyncDestroy_r(sync_t *sync);
AXON_EXPORT int SyncTypeDestroy(uint32_t type, sync_t *sync);
AXON_EXPORT int SyncTypeDestroy_r(uint32_t type, sync_t *sync);
AXON_EXPORT int SyncMutexLock(sync_t *sync);
AXON_EXPORT int SyncMutexLock_r(sync_t *sync);
AXON_EXPORT int SyncMutexUnlock(sync_t *sync);
AXON_EXPORT int SyncMutexUnlock_r(sync_t *sync);
AXON_EXPORT int SyncCondvarWait(sync_t *sync, sync_t *mutex);
AXON_EXPORT int SyncCondvarWait_r(sync_t *sync, sync_t *mutex);
AXON_EXPORT int SyncCondvarSignal(sync_t *sync, int broadcast);
AXON_EXPORT int SyncCondvarSignal_r(sync_t *sync, int broadcast);
AXON_EXPORT int SyncSemPost(sync_t *sync);
AXON_EXPORT int SyncSemPost_r(sync_t *sync);
AXON_EXPORT int SyncSemWait(sync_t *sync, int tryto);
AXON_EXPORT int SyncSemWait_r(sync_t *sync, int tryto);
/* A mutex whose owner died: QNX's take its sync_t, which is QNX's
 * pthread_mutex_t; Axon's take the program's pthread mutex
 * (SyncTypeCreate(3), "Dead mutexes"). */
AXON_EXPORT int SyncMutexEvent(pthread_mutex_t *mutex,
    const struct sigevent *event);
AXON_EXPORT int SyncMutexEvent_r(pthread_mutex_t *mutex,
    const struct sigevent *event);
AXON_EXPORT int SyncMutexRevive(pthread_mutex_t *mutex);
AXON_EXPORT int SyncMutexRevive_r(pthread_mutex_t *mutex);
AXON_EXPORT int SignalSuspend(const sigset_t *set);
AXON_EXPORT int SignalSuspend_r(const sigset_t *set);
AXON_EXPORT int SignalWaitinfo(const sigset_t *set, siginfo_t *info);
AXON_EXPORT int SignalWaitinfo_r(const sigset_t *set, siginfo_t *info);

/* ---- Tracing (TraceEvent(3)); the commands are in <sys/trace.h> ------ */
#ifndef AXON_TRACEEVENT_DECLARED
#define AXON_TRACEEVENT_DECLARED
AXON_EXPORT int TraceEvent(int cmd, ...);
#endif

/*
 * QNX's <stdlib.h>, <unistd.h> and <time.h> extras whose names Linux
 * programs often give to things of their own: min() and max(), delay(),
 * nsec2timespec() and timespec2nsec(), the nanospin family, itoa() and
 * its kin.  Declaring
 * them in the standard headers would break those programs, so Axon
 * declares them here, in QNX's own header, which every QNX program
 * includes itself or through <sys/dispatch.h>, <sys/iofunc.h>,
 * <sys/resmgr.h>, <sys/iomsg.h> or <devctl.h> (qnx-libc(3)).  The
 * functions are libaxon's axon_ ones, named by function-like macros, so
 * that a variable of the same name is untouched.  A program whose own
 * definitions of these names collide defines AXON_NO_QNX_EXTRAS before
 * including the header.  libaxon also has the functions under QNX's
 * names, as weak aliases, for objects built without this header (a
 * program's own function of such a name still wins: qnx-libc(3),
 * "Symbols").
 */
#ifndef AXON_NO_QNX_EXTRAS
#ifndef __cplusplus
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#endif
AXON_EXPORT unsigned int axon_delay(unsigned int msec);
AXON_EXPORT void axon_nsec2timespec(struct timespec *ts, uint64_t nsec);
AXON_EXPORT uint64_t axon_timespec2nsec(const struct timespec *ts);
AXON_EXPORT int axon_nanospin_ns(unsigned long nsec);
AXON_EXPORT int axon_nanospin(const struct timespec *when);
AXON_EXPORT void axon_nanospin_count(unsigned long count);
AXON_EXPORT unsigned long axon_nanospin_ns_to_count(unsigned long nsec);
AXON_EXPORT int axon_nanospin_calibrate(int disable);
#define delay(msec)                 axon_delay(msec)
#define nsec2timespec(ts, nsec)     axon_nsec2timespec((ts), (nsec))
#define timespec2nsec(ts)           axon_timespec2nsec(ts)
#define nanospin_ns(nsec)           axon_nanospin_ns(nsec)
#define nanospin(when)              axon_nanospin(when)
#define nanospin_count(count)       axon_nanospin_count(count)
#define nanospin_ns_to_count(nsec)  axon_nanospin_ns_to_count(nsec)
#define nanospin_calibrate(disable) axon_nanospin_calibrate(disable)
/* <stdlib.h>'s number-to-text conversions: buf must hold the digits, a
 * sign and the NUL; each returns buf, or NULL (EINVAL) for a radix not
 * from 2 to 36.  A negative value has a sign in radix 10 only. */
AXON_EXPORT char *axon_itoa(int value, char *buf, int radix);
AXON_EXPORT char *axon_ltoa(long value, char *buf, int radix);
AXON_EXPORT char *axon_lltoa(long long value, char *buf, int radix);
AXON_EXPORT char *axon_utoa(unsigned value, char *buf, int radix);
AXON_EXPORT char *axon_ultoa(unsigned long value, char *buf, int radix);
AXON_EXPORT char *axon_ulltoa(unsigned long long value, char *buf,
    int radix);
#define itoa(v, b, r)   axon_itoa((v), (b), (r))
#define ltoa(v, b, r)   axon_ltoa((v), (b), (r))
#define lltoa(v, b, r)  axon_lltoa((v), (b), (r))
#define utoa(v, b, r)   axon_utoa((v), (b), (r))
#define ultoa(v, b, r)  axon_ultoa((v), (b), (r))
#define ulltoa(v, b, r) axon_ulltoa((v), (b), (r))
#endif /* AXON_NO_QNX_EXTRAS */

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_NEUTRINO_H */
