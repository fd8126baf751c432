/* SPDX-License-Identifier: MIT */
/*
 * <hw/inout.h> for Axon: QNX's port and register access (InterruptAttach(3),
 * "Port I/O").  glibc has no such header.
 *
 * On x86 these are the in and out instructions, as on QNX: they work in
 * a thread the kernel has given I/O privileges, and otherwise fault with
 * SIGSEGV, as QNX's do.  Axon's ThreadCtl(_NTO_TCTL_IO) does not grant
 * them (it fails with EPERM); a Linux program that got them itself
 * (ioperm(2), iopl(2), root) can use these.  On other processors there
 * is no I/O space: port is the address of a device register that the
 * program mapped itself, read and written as volatile memory, as QNX
 * does there.
 */
#ifndef AXON_HW_INOUT_H
#define AXON_HW_INOUT_H

#include <stdint.h>

#include <gulliver.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__x86_64__) || defined(__i386__)
static inline uint8_t
in8(uintptr_t port)
{
	uint8_t v;

	__asm__ __volatile__("inb %w1, %b0" : "=a"(v) : "Nd"((uint16_t) port));
	return v;
}

static inline uint16_t
in16(uintptr_t port)
{
	uint16_t v;

	__asm__ __volatile__("inw %w1, %w0" : "=a"(v) : "Nd"((uint16_t) port));
	return v;
}

static inline uint32_t
in32(uintptr_t port)
{
	uint32_t v;

	__asm__ __volatile__("inl %w1, %0" : "=a"(v) : "Nd"((uint16_t) port));
	return v;
}

static inline void
out8(uintptr_t port, uint8_t val)
{
	__asm__ __volatile__("outb %b0, %w1" : : "a"(val), "Nd"((uint16_t) port));
}

static inline void
out16(uintptr_t port, uint16_t val)
{
	__asm__ __volatile__("outw %w0, %w1" : : "a"(val), "Nd"((uint16_t) port));
}

static inline void
out32(uintptr_t port, uint32_t val)
{
	__asm__ __volatile__("outl %0, %w1" : : "a"(val), "Nd"((uint16_t) port));
}
#else
static inline uint8_t
in8(uintptr_t port)
{
	return *(volatile uint8_t *) port;
}

static inline uint16_t
in16(uintptr_t port)
{
	return *(volatile uint16_t *) port;
}

static inline uint32_t
in32(uintptr_t port)
{
	return *(volatile uint32_t *) port;
}

static inline void
out8(uintptr_t port, uint8_t val)
{
	*(volatile uint8_t *) port = val;
}

static inline void
out16(uintptr_t port, uint16_t val)
{
	*(volatile uint16_t *) port = val;
}

static inline void
out32(uintptr_t port, uint32_t val)
{
	*(volatile uint32_t *) port = val;
}
#endif

/* len values from port into buff, or from buff to port; each returns
 * the end of what it read or wrote. */
static inline void *
in8s(void *buff, unsigned len, uintptr_t port)
{
	uint8_t *p = (uint8_t *) buff;

	while (len-- > 0) {
		*p++ = in8(port);
	}
	return p;
}

static inline void *
in16s(void *buff, unsigned len, uintptr_t port)
{
	uint16_t *p = (uint16_t *) buff;

	while (len-- > 0) {
		*p++ = in16(port);
	}
	return p;
}

static inline void *
in32s(void *buff, unsigned len, uintptr_t port)
{
	uint32_t *p = (uint32_t *) buff;

	while (len-- > 0) {
		*p++ = in32(port);
	}
	return p;
}

static inline void *
out8s(const void *buff, unsigned len, uintptr_t port)
{
	const uint8_t *p = (const uint8_t *) buff;

	while (len-- > 0) {
		out8(port, *p++);
	}
	return (void *) p;
}

static inline void *
out16s(const void *buff, unsigned len, uintptr_t port)
{
	const uint16_t *p = (const uint16_t *) buff;

	while (len-- > 0) {
		out16(port, *p++);
	}
	return (void *) p;
}

static inline void *
out32s(const void *buff, unsigned len, uintptr_t port)
{
	const uint32_t *p = (const uint32_t *) buff;

	while (len-- > 0) {
		out32(port, *p++);
	}
	return (void *) p;
}

/* The value at port in big- or little-endian order, as a native value,
 * and the other way. */
#define inbe16(port)       ENDIAN_BE16(in16(port))
#define inle16(port)       ENDIAN_LE16(in16(port))
#define inbe32(port)       ENDIAN_BE32(in32(port))
#define inle32(port)       ENDIAN_LE32(in32(port))
#define outbe16(port, val) out16((port), ENDIAN_BE16(val))
#define outle16(port, val) out16((port), ENDIAN_LE16(val))
#define outbe32(port, val) out32((port), ENDIAN_BE32(val))
#define outle32(port, val) out32((port), ENDIAN_LE32(val))

#ifdef __cplusplus
}
#endif

#endif /* AXON_HW_INOUT_H */
