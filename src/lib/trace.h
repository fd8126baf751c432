/* SPDX-License-Identifier: MIT */
/*
 * The library's side of `axon trace` (layout in src/common/trace.h, the
 * design in docs/design/local-transport.md §11): one AXON_TRACE() per
 * event site on the message paths.
 *
 * While tracing is off an event site costs two relaxed loads (the
 * switch's address, then the switch) and a branch predicted not taken;
 * the call, the clock and the ring are behind the branch.
 */
#ifndef AXON_LIB_TRACE_H
#define AXON_LIB_TRACE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/neutrino.h>

struct axon_cconn;

/* The run directory's switch once mapped, a zero word before. */
extern const _Atomic uint32_t *_Atomic axon__trace_on;

static inline bool
axon__tracing(void)
{
	return __builtin_expect(atomic_load_explicit(
	    atomic_load_explicit(&axon__trace_on, memory_order_relaxed),
	    memory_order_relaxed) != 0, 0);
}

/* AXON_TRACE(send, coid, cc) calls axon__trace_send(coid, cc) when
 * tracing is on. */
#define AXON_TRACE(ev, ...)                                           \
	do {                                                          \
		if (axon__tracing()) {                                \
			axon__trace_##ev(__VA_ARGS__);                \
		}                                                     \
	} while (0)

/* The event sites (each records one event; never fails). */
void axon__trace_send(int coid, const struct axon_cconn *cc);
void axon__trace_send_end(int coid, int rc, const long *status);
void axon__trace_recv(int chid, rcvid_t rc, const iov_t *iov, size_t parts,
    const struct _msg_info *info);
void axon__trace_reply(rcvid_t rcvid, int err, long status, int rc);
void axon__trace_pulse_tx(int coid, const struct axon_cconn *cc, int code,
    int64_t value);
void axon__trace_block(int state, int id);
void axon__trace_unblock(void);

/*
 * Whether events a program inserts (TraceEvent(3)) are recorded now.  A
 * process's first call makes sure it knows its run directory and has
 * mapped the switch (if no other Axon call has yet); after it, the same
 * two loads and a branch as an event site.
 */
bool axon__trace_user_on(void);
/*
 * Records a user event of class cls (<sys/trace.h>), code code: n
 * integers (kind AXON_TR_UKIND_INTS; data int32_t[n]) or n bytes of a
 * string without NULs (AXON_TR_UKIND_STR), n at most AXON_TR_UINTS_MAX or
 * AXON_TR_USTR_MAX (the caller cuts), in as many chunks as it takes
 * (traceinfo.h).  Never fails.
 */
void axon__trace_user(int cls, int32_t code, int kind, const void *data,
    size_t n);

/* Maps the switch of the run directory (made if there is none yet);
 * from axon__ps_open().  Nothing fails: without it, nothing is traced. */
void axon__trace_open(void);
/* In a forked child: the ring is the parent's. */
void axon__trace_atfork_child(void);

#endif /* AXON_LIB_TRACE_H */
