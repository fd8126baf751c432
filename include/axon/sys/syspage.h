/* SPDX-License-Identifier: MIT */
/*
 * <sys/syspage.h> for Axon: the parts of QNX's system page that programs
 * read, chiefly SYSPAGE_ENTRY(qtime)->cycles_per_sec and
 * _syspage_ptr->num_cpu.
 *
 * QNX maps a page the kernel keeps current; Axon has no such page.
 * SYSPAGE_ENTRY(qtime) is a call that refreshes the entry and returns it,
 * so SYSPAGE_ENTRY(qtime)->nsec (nanoseconds since boot) and ->boot_time
 * are current each time the macro is evaluated, not live through a
 * pointer kept from an earlier one.  Axon's cycle unit is the nanosecond
 * of CLOCK_MONOTONIC, as ClockCycles() counts it (ClockTime(3)), so
 * cycles_per_sec is 1000000000.  Only the qtime
 * entry exists: SYSPAGE_ENTRY(cpuinfo) and the others do not compile.
 * See qnx-libc(3).
 */
#ifndef AXON_SYS_SYSPAGE_H
#define AXON_SYS_SYSPAGE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

struct qtime_entry {
	uint64_t cycles_per_sec;     /* cycles (ns) per second */
	volatile uint64_t nsec;      /* ns since boot (CLOCK_MONOTONIC) */
	uint64_t nsec_tod_adjust;    /* nsec + this = ns since the epoch */
	uint32_t timer_rate;         /* the tick: timer_rate * 10^timer_scale s */
	int32_t timer_scale;
	uint32_t boot_time;          /* seconds since the epoch at boot */
	uint32_t flags;
};

struct syspage_entry {
	uint16_t size;
	uint16_t total_size;
	uint16_t type;
	uint16_t num_cpu;            /* CPUs online when the library loaded */
};

AXON_EXPORT extern struct syspage_entry *_syspage_ptr;
AXON_EXPORT struct qtime_entry *axon_syspage_qtime(void);

#define SYSPAGE_ENTRY(entry) (axon_syspage_##entry())

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_SYSPAGE_H */
