/* SPDX-License-Identifier: MIT */
/*
 * <sys/siginfo.h> for Axon: QNX's sigevent notification types and
 * initialiser macros, layered over glibc's struct sigevent.
 *
 * glibc already defines SIGEV_SIGNAL (0), SIGEV_NONE (1), SIGEV_THREAD (2)
 * and SIGEV_THREAD_ID (4).  QNX's values collide with those, so the
 * QNX-only notify types get values of their own above 0x40; programs use
 * the symbolic names, so only the names matter.  The QNX-only fields map
 * onto glibc's struct:
 *   sigev_coid     -> sigev_signo
 *   sigev_priority -> _sigev_un._pad[0]
 *   sigev_code     -> _sigev_un._pad[1]
 */
#ifndef AXON_SYS_SIGINFO_H
#define AXON_SYS_SIGINFO_H

#include <signal.h>

#define SIGEV_SIGNAL_CODE   0x41
#define SIGEV_SIGNAL_THREAD 0x42
#define SIGEV_PULSE         0x43
#define SIGEV_UNBLOCK       0x44
#define SIGEV_INTR          0x45
/* A registered event (MsgRegisterEvent): the handle is in sigev_signo.
 * Programs pass it on as it is. */
#define _SIGEV_HANDLE       0x46

/* High bits of sigev_notify are flags in QNX; the type is the low byte. */
#define SIGEV_TYPE_MASK     0x000000ff
#define SIGEV_FLAG_CRITICAL 0x00000100
#define SIGEV_FLAG_UPDATEABLE 0x00000200
#define SIGEV_GET_TYPE(e)   ((e)->sigev_notify & SIGEV_TYPE_MASK)
#define SIGEV_SET_TYPE(e, t) \
	((e)->sigev_notify = ((e)->sigev_notify & ~SIGEV_TYPE_MASK) | (t))
#define SIGEV_MAKE_CRITICAL(e)   ((e)->sigev_notify |= SIGEV_FLAG_CRITICAL)
#define SIGEV_CLEAR_CRITICAL(e)  ((e)->sigev_notify &= ~SIGEV_FLAG_CRITICAL)
#define SIGEV_MAKE_UPDATEABLE(e) ((e)->sigev_notify |= SIGEV_FLAG_UPDATEABLE)
#define SIGEV_CLEAR_UPDATEABLE(e) \
	((e)->sigev_notify &= ~SIGEV_FLAG_UPDATEABLE)

#define SIGEV_PULSE_PRIO_INHERIT (-1)

/* The code that asks a resource manager's trigger to tell the event
 * which condition fired: with SI_NOTIFY as the sigev_code of a pulse
 * or a SIGEV_SIGNAL_CODE/SIGEV_SIGNAL_THREAD signal armed by
 * ionotify(), iofunc_notify_trigger() ORs the condition
 * (_NOTIFY_COND_INPUT, _OUTPUT, _OBAND; _NOTIFY_COND_EXTEN for an
 * extended list) into the top bits of sigev_value.sival_int
 * (_NOTIFY_COND_MASK), so the value should fit in _NOTIFY_DATA_MASK.
 * Any other code leaves the value as it is.  The value is Axon's (QNX's
 * documentation gives none): use the name. */
#define SI_NOTIFY (-10)

#ifndef sigev_coid
#define sigev_coid     sigev_signo
#endif
#ifndef sigev_priority
#define sigev_priority _sigev_un._pad[0]
#endif
#ifndef sigev_code
#define sigev_code     _sigev_un._pad[1]
#endif

#define SIGEV_NONE_INIT(e) ((e)->sigev_notify = SIGEV_NONE)
#define SIGEV_SIGNAL_INIT(e, s) \
	((e)->sigev_notify = SIGEV_SIGNAL, (e)->sigev_signo = (s))
#define SIGEV_SIGNAL_VALUE_INIT(e, s, v)                           \
	((e)->sigev_notify = SIGEV_SIGNAL, (e)->sigev_signo = (s), \
	    (e)->sigev_value.sival_ptr = (void *) (v))
#define SIGEV_SIGNAL_CODE_INIT(e, s, v, c)                              \
	((e)->sigev_notify = SIGEV_SIGNAL_CODE, (e)->sigev_signo = (s), \
	    (e)->sigev_value.sival_ptr = (void *) (v), (e)->sigev_code = (c))
#define SIGEV_SIGNAL_THREAD_INIT(e, s, v, c)                              \
	((e)->sigev_notify = SIGEV_SIGNAL_THREAD, (e)->sigev_signo = (s), \
	    (e)->sigev_value.sival_ptr = (void *) (v), (e)->sigev_code = (c))
#define SIGEV_PULSE_INIT(e, c, p, co, v)                                  \
	((e)->sigev_notify = SIGEV_PULSE, (e)->sigev_coid = (c),          \
	    (e)->sigev_priority = (p), (e)->sigev_code = (co),            \
	    (e)->sigev_value.sival_ptr = (void *) (v))
#define SIGEV_PULSE_INT_INIT(e, c, p, co, v)                              \
	((e)->sigev_notify = SIGEV_PULSE, (e)->sigev_coid = (c),          \
	    (e)->sigev_priority = (p), (e)->sigev_code = (co),            \
	    (e)->sigev_value.sival_int = (v))
#define SIGEV_PULSE_PTR_INIT(e, c, p, co, v)                              \
	((e)->sigev_notify = SIGEV_PULSE, (e)->sigev_coid = (c),          \
	    (e)->sigev_priority = (p), (e)->sigev_code = (co),            \
	    (e)->sigev_value.sival_ptr = (void *) (v))
#define SIGEV_UNBLOCK_INIT(e) ((e)->sigev_notify = SIGEV_UNBLOCK)
#define SIGEV_INTR_INIT(e)    ((e)->sigev_notify = SIGEV_INTR)
#define SIGEV_THREAD_INIT(e, f, v, a)                                   \
	((e)->sigev_notify = SIGEV_THREAD,                              \
	    (e)->sigev_notify_function = (f),                           \
	    (e)->sigev_value.sival_ptr = (void *) (v),                  \
	    (e)->sigev_notify_attributes = (a))

#endif /* AXON_SYS_SIGINFO_H */
