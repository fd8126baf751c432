/* SPDX-License-Identifier: MIT */
/*
 * <atomic.h> for Axon: QNX's atomic operations on a volatile unsigned.
 * glibc has no such header (C11's is <stdatomic.h>, whose names differ).
 * Each operation is one sequentially consistent read-modify-write (GCC's
 * __atomic built-ins), safe between threads and, on shared memory,
 * between processes.  The _value forms return the value *loc had before
 * the operation.  See qnx-libc(3).
 *
 * Declared here: atomic_add, atomic_add_value, atomic_sub,
 * atomic_sub_value, atomic_set, atomic_set_value, atomic_toggle,
 * atomic_toggle_value, atomic_clr and atomic_clr_value.  libaxon also
 * exports each under its name (a weak alias), for objects built without
 * this header.
 */
#ifndef AXON_ATOMIC_H
#define AXON_ATOMIC_H

#define AXON__ATOMIC_OP(name, builtin)                                 \
	static inline void                                             \
	atomic_##name(volatile unsigned *loc, unsigned v)              \
	{                                                              \
		(void) builtin(loc, v, __ATOMIC_SEQ_CST);              \
	}                                                              \
	static inline unsigned                                         \
	atomic_##name##_value(volatile unsigned *loc, unsigned v)      \
	{                                                              \
		return builtin(loc, v, __ATOMIC_SEQ_CST);              \
	}

AXON__ATOMIC_OP(add, __atomic_fetch_add)    /* *loc += v */
AXON__ATOMIC_OP(sub, __atomic_fetch_sub)    /* *loc -= v */
AXON__ATOMIC_OP(set, __atomic_fetch_or)     /* *loc |= v */
AXON__ATOMIC_OP(toggle, __atomic_fetch_xor) /* *loc ^= v */
#undef AXON__ATOMIC_OP

/* *loc &= ~v */
static inline void
atomic_clr(volatile unsigned *loc, unsigned v)
{
	(void) __atomic_fetch_and(loc, ~v, __ATOMIC_SEQ_CST);
}

static inline unsigned
atomic_clr_value(volatile unsigned *loc, unsigned v)
{
	return __atomic_fetch_and(loc, ~v, __ATOMIC_SEQ_CST);
}

#endif /* AXON_ATOMIC_H */
