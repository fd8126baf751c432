/* SPDX-License-Identifier: MIT */
/*
 * <sys/states.h> for Axon: QNX's thread states.  A TimerTimeout() names
 * the blocking states it bounds as 1 << STATE_* (TimerTimeout(3)); a
 * program that shows threads names them all.  QNX does not publish the
 * numbers; Axon's are its own (source compatibility, distinct, below
 * 32).  Axon's own `axon ps` reports the message-passing states.
 */
#ifndef AXON_SYS_STATES_H
#define AXON_SYS_STATES_H

#define STATE_DEAD         0
#define STATE_RUNNING      1
#define STATE_READY        2
#define STATE_RECEIVE      3
#define STATE_REPLY        4
#define STATE_SEND         5
#define STATE_STOPPED      6
#define STATE_WAITTHREAD   7
#define STATE_WAITPAGE     8
#define STATE_STACK        9
#define STATE_SIGSUSPEND   10
#define STATE_SIGWAITINFO  11
#define STATE_NANOSLEEP    12
#define STATE_MUTEX        13
#define STATE_CONDVAR      14
#define STATE_JOIN         15
#define STATE_INTR         16
#define STATE_SEM          17
#define STATE_WAITCTX      18
#define STATE_NET_SEND     19
#define STATE_NET_REPLY    20
#define STATE_MQ_SEND      21
#define STATE_MQ_RECEIVE   22
#define STATE_BARRIER      23
#define STATE_RWLOCK_READ  24
#define STATE_RWLOCK_WRITE 25
#define STATE_PIPE         26
#define STATE_MAX          27

#endif /* AXON_SYS_STATES_H */
