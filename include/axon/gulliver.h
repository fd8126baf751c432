/* SPDX-License-Identifier: MIT */
/*
 * <gulliver.h> for Axon: QNX's endian and unaligned-access macros, over
 * GCC's byte-swap built-ins.  glibc has no such header.
 *
 *   __LITTLEENDIAN__ / __BIGENDIAN__   which one this target is
 *   ENDIAN_LE16/32/64(x)  x converted between native and little-endian
 *   ENDIAN_BE16/32/64(x)  x converted between native and big-endian
 *   ENDIAN_RET16/32/64(x) x with its bytes swapped
 *   ENDIAN_SWAP16/32/64(p) swaps the bytes of *p in place
 *   UNALIGNED_RET16/32/64(p)    reads a native value at any address
 *   UNALIGNED_PUT16/32/64(p, x) writes a native value at any address
 *
 * Each macro evaluates its arguments exactly once.  See qnx-libc(3).
 */
#ifndef AXON_GULLIVER_H
#define AXON_GULLIVER_H

#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#ifndef __LITTLEENDIAN__
#define __LITTLEENDIAN__ 1
#endif
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#ifndef __BIGENDIAN__
#define __BIGENDIAN__ 1
#endif
#else
#error "gulliver.h: unknown byte order"
#endif

#define ENDIAN_RET16(x) ((uint16_t) __builtin_bswap16((uint16_t) (x)))
#define ENDIAN_RET32(x) ((uint32_t) __builtin_bswap32((uint32_t) (x)))
#define ENDIAN_RET64(x) ((uint64_t) __builtin_bswap64((uint64_t) (x)))

#define ENDIAN_SWAP16(p) \
	((void) axon__gv_swap16((volatile void *) (p)))
#define ENDIAN_SWAP32(p) \
	((void) axon__gv_swap32((volatile void *) (p)))
#define ENDIAN_SWAP64(p) \
	((void) axon__gv_swap64((volatile void *) (p)))

#ifdef __LITTLEENDIAN__
#define ENDIAN_LE16(x) ((uint16_t) (x))
#define ENDIAN_LE32(x) ((uint32_t) (x))
#define ENDIAN_LE64(x) ((uint64_t) (x))
#define ENDIAN_BE16(x) ENDIAN_RET16(x)
#define ENDIAN_BE32(x) ENDIAN_RET32(x)
#define ENDIAN_BE64(x) ENDIAN_RET64(x)
#else
#define ENDIAN_LE16(x) ENDIAN_RET16(x)
#define ENDIAN_LE32(x) ENDIAN_RET32(x)
#define ENDIAN_LE64(x) ENDIAN_RET64(x)
#define ENDIAN_BE16(x) ((uint16_t) (x))
#define ENDIAN_BE32(x) ((uint32_t) (x))
#define ENDIAN_BE64(x) ((uint64_t) (x))
#endif

#define UNALIGNED_RET16(p) axon__gv_get16((const volatile void *) (p))
#define UNALIGNED_RET32(p) axon__gv_get32((const volatile void *) (p))
#define UNALIGNED_RET64(p) axon__gv_get64((const volatile void *) (p))
#define UNALIGNED_PUT16(p, x) \
	axon__gv_put16((volatile void *) (p), (uint16_t) (x))
#define UNALIGNED_PUT32(p, x) \
	axon__gv_put32((volatile void *) (p), (uint32_t) (x))
#define UNALIGNED_PUT64(p, x) \
	axon__gv_put64((volatile void *) (p), (uint64_t) (x))

/* memcpy() of a constant size compiles to one load or store where the
 * target allows unaligned access and to byte accesses where it does
 * not; the volatile is cast away only to call it. */
#define AXON__GV_ACCESS(bits)                                           \
	static inline uint##bits##_t                                    \
	axon__gv_get##bits(const volatile void *p)                      \
	{                                                               \
		uint##bits##_t v;                                       \
		memcpy(&v, (const void *) p, sizeof(v));                \
		return v;                                               \
	}                                                               \
	static inline void                                              \
	axon__gv_put##bits(volatile void *p, uint##bits##_t v)          \
	{                                                               \
		memcpy((void *) p, &v, sizeof(v));                      \
	}                                                               \
	static inline void                                              \
	axon__gv_swap##bits(volatile void *p)                           \
	{                                                               \
		axon__gv_put##bits(p, (uint##bits##_t)                  \
		    __builtin_bswap##bits(axon__gv_get##bits(p)));      \
	}
AXON__GV_ACCESS(16)
AXON__GV_ACCESS(32)
AXON__GV_ACCESS(64)
#undef AXON__GV_ACCESS

#endif /* AXON_GULLIVER_H */
