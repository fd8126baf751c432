/* SPDX-License-Identifier: MIT */
/*
 * <sys/syspage.h> for Axon: the parts of QNX's system page that programs
 * read (qnx-libc(3), "<sys/syspage.h>"): _syspage_ptr->num_cpu and the
 * qtime, asinfo, cpuinfo, strings, hypinfo and hwinfo entries, with
 * QNX's SYSPAGE_ENTRY(), SYSPAGE_ENTRY_SIZE(), SYSPAGE_ELEMENT_SIZE()
 * and SYSPAGE_ARRAY_IDX().  The hwinfo section's tags and the calls that
 * walk it are in <hw/sysinfo.h> (hwinfo(3)).
 *
 * QNX maps a page the kernel keeps; Axon builds one from Linux's own
 * figures the first time a program asks (/proc/iomem for asinfo,
 * /proc/cpuinfo and sysfs for cpuinfo, sysfs's serial ports and network
 * interfaces for hwinfo), and each macro is a call.
 * SYSPAGE_ENTRY(qtime) refreshes the entry and returns it, so its nsec
 * and boot_time are current each time the macro is evaluated, not live
 * through a pointer kept from an earlier one.  Axon's cycle unit is the
 * nanosecond of CLOCK_MONOTONIC, as ClockCycles() counts it
 * (ClockTime(3)), so cycles_per_sec is 1000000000.  The layouts are
 * Axon's (members as QNX documents them; programs step through arrays by
 * SYSPAGE_ELEMENT_SIZE(), as QNX asks); the values of the flags QNX does
 * not publish are Axon's own.
 */
#ifndef AXON_SYS_SYSPAGE_H
#define AXON_SYS_SYSPAGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

struct qtime_entry {
	uint64_t cycles_per_sec;     /* cycles (ns) per second */
	uint64_t nsec_tod_adjust;    /* nsec + this = ns since the epoch */
	volatile uint64_t nsec;      /* ns since boot (CLOCK_MONOTONIC) */
	uint32_t nsec_inc;           /* ns per tick: the clock's resolution */
	uint32_t boot_time;          /* seconds since the epoch at boot */
	uint32_t timer_rate;         /* the tick: timer_rate * 10^timer_scale s */
	int32_t timer_scale;
	uint32_t timer_load;
	int32_t intr;                /* the clock's interrupt: none (-1) */
	uint32_t epoch;              /* 1970 */
	uint32_t flags;
	uint32_t rr_interval_mul;    /* SCHED_RR's slice, in ticks */
	uint32_t spare0;
};

/* An address space: asinfo's element.  Names are leaves ("memory",
 * "ram", "sysram", "io", "rom", or Linux's own name of a range); owner
 * is the byte offset of the parent in the asinfo section. */
struct asinfo_entry {
	uint64_t start;
	uint64_t end;                /* the last byte, not one beyond */
	uint16_t owner;              /* AS_NULL_OFF for a root */
	uint16_t name;               /* offset into the strings section */
	uint16_t attr;               /* AS_ATTR_* */
	uint16_t priority;           /* AS_PRIORITY_DEFAULT */
	uint32_t spare[2];
};

#define AS_NULL_OFF         ((uint16_t) 0xffff)
#define AS_ATTR_READABLE    0x0001
#define AS_ATTR_WRITABLE    0x0002
#define AS_ATTR_CACHABLE    0x0004
#define AS_ATTR_VISIBLE     0x0008
#define AS_ATTR_KIDS        0x0010
#define AS_ATTR_CONTINUED   0x0020
#define AS_PRIORITY_DEFAULT 100

/* A CPU: cpuinfo's element, num_cpu of them. */
struct cpuinfo_entry {
	uint32_t cpu;                /* x86: 686 for family 6 and later */
	uint32_t speed;              /* MHz */
	uint32_t flags;              /* CPU_FLAG_* */
	uint32_t smp_hwcoreid;       /* the core's id (sysfs topology) */
	uint64_t idle_history;
	uint64_t spare1;
	uint16_t name;               /* offset into the strings section */
	uint8_t ins_cache;           /* no cacheattr section: 0 */
	uint8_t data_cache;
	uint32_t spare[3];
};

#define CPU_FLAG_FPU 0x80000000u
#define CPU_FLAG_MMU 0x40000000u

/* The names the other entries point into. */
struct strings_entry {
	char data[1];
};

/* QNX's hypervisor features: none here (the entry's size is 0). */
struct hypinfo_entry {
	uint32_t flags;
	uint32_t spare[3];
};

/* The hardware's description: a sequence of tags, walked with the
 * hwi_*() calls of <hw/sysinfo.h>; offsets into it are in bytes. */
struct hwinfo_entry {
	uint32_t data[1];
};

struct syspage_entry {
	uint16_t size;
	uint16_t total_size;
	uint16_t type;
	uint16_t num_cpu;            /* CPUs online when the library loaded */
};

AXON_EXPORT extern struct syspage_entry *_syspage_ptr;
AXON_EXPORT struct qtime_entry *axon_syspage_qtime(void);
AXON_EXPORT struct asinfo_entry *axon_syspage_asinfo(void);
AXON_EXPORT struct cpuinfo_entry *axon_syspage_cpuinfo(void);
AXON_EXPORT struct strings_entry *axon_syspage_strings(void);
AXON_EXPORT struct hypinfo_entry *axon_syspage_hypinfo(void);
AXON_EXPORT struct hwinfo_entry *axon_syspage_hwinfo(void);

enum axon_syspage_section {
	AXON_SYSPAGE_qtime,
	AXON_SYSPAGE_asinfo,
	AXON_SYSPAGE_cpuinfo,
	AXON_SYSPAGE_strings,
	AXON_SYSPAGE_hypinfo,
	AXON_SYSPAGE_hwinfo,
};
/* The section's bytes, and the bytes of one of its elements. */
AXON_EXPORT size_t axon_syspage_size(int section);
AXON_EXPORT size_t axon_syspage_elsize(int section);

#define SYSPAGE_ENTRY(entry) (axon_syspage_##entry())
#define SYSPAGE_ENTRY_SIZE(entry) (axon_syspage_size(AXON_SYSPAGE_##entry))
#define SYSPAGE_ELEMENT_SIZE(entry)                                       \
	(axon_syspage_elsize(AXON_SYSPAGE_##entry))
#define SYSPAGE_ARRAY_IDX(entry, i)                                       \
	((struct entry##_entry *) (void *) ((char *) SYSPAGE_ENTRY(entry) + \
	    (size_t) (i) * SYSPAGE_ELEMENT_SIZE(entry)))

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_SYSPAGE_H */
