/* SPDX-License-Identifier: MIT */
/*
 * QNX's <atomic.h> operations as functions of libaxon, for objects built
 * without Axon's header (qnx-libc(3), "Symbols"): a program that
 * includes <atomic.h> gets them inline from it and never calls these.
 * Each is the header's one sequentially consistent read-modify-write;
 * weak, so that a program's own function of the same name wins.  This
 * file must not include <atomic.h>, whose static inline definitions
 * would collide with these.
 */
#include "internal.h"

#define AXON_WEAK_EXPORT __attribute__((weak, visibility("default")))

#define ATOMIC_FN(name, expr)                                          \
	void atomic_##name(volatile unsigned *loc, unsigned v);        \
	unsigned atomic_##name##_value(volatile unsigned *loc,         \
	    unsigned v);                                               \
	AXON_WEAK_EXPORT void atomic_##name(volatile unsigned *loc,    \
	    unsigned v)                                                \
	{                                                              \
		(void) expr;                                           \
	}                                                              \
	AXON_WEAK_EXPORT unsigned atomic_##name##_value(               \
	    volatile unsigned *loc, unsigned v)                        \
	{                                                              \
		return expr;                                           \
	}

ATOMIC_FN(add, __atomic_fetch_add(loc, v, __ATOMIC_SEQ_CST))
ATOMIC_FN(sub, __atomic_fetch_sub(loc, v, __ATOMIC_SEQ_CST))
ATOMIC_FN(set, __atomic_fetch_or(loc, v, __ATOMIC_SEQ_CST))
ATOMIC_FN(clr, __atomic_fetch_and(loc, ~v, __ATOMIC_SEQ_CST))
ATOMIC_FN(toggle, __atomic_fetch_xor(loc, v, __ATOMIC_SEQ_CST))
