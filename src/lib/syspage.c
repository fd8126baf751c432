/* SPDX-License-Identifier: MIT */
/*
 * QNX's system page (<sys/syspage.h>; qnx-libc(3)), built from Linux's
 * own figures the first time a program asks for an entry other than
 * qtime, and read-only after that:
 *
 *   asinfo   /proc/iomem's tree under a root "memory" (and "io" on x86):
 *            "System RAM" is "ram" with a "sysram" child of the same
 *            range (all of it is the OS's), ROMs are "rom", the rest
 *            keep Linux's names.  Linux shows the addresses to root
 *            only; for others they read 0 and those ranges are left
 *            out.  At most MAX_AS entries (offsets are 16 bits).
 *   cpuinfo  one per CPU online at load (num_cpu): /proc/cpuinfo's
 *            model name and family, the speed from cpufreq or
 *            /proc/cpuinfo, the core id from sysfs.
 *   strings  the names, each once.
 *   hypinfo  QNX's hypervisor features: none (size 0).
 *   hwinfo   the serial ports and network interfaces sysfs shows, as
 *            QNX's tagged hardware tree (hwinfo.c).
 *   qtime    per thread, refreshed by each SYSPAGE_ENTRY(qtime).
 *
 * Every line read is checked before it is used; a file that is not
 * there, or not as expected, leaves its entries out rather than fail.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/syspage.h>

#include "internal.h"

#define MAX_AS      1024    /* asinfo entries: 16-bit offsets */
#define MAX_STRINGS 65535u  /* bytes of names: 16-bit offsets */
#define MAX_DEPTH   16      /* /proc/iomem's nesting we follow */

static struct syspage_entry syspage = {
	.size = sizeof(struct syspage_entry),
	.total_size = sizeof(struct syspage_entry),
	.num_cpu = 1,
};
struct syspage_entry *_syspage_ptr = &syspage;
static __thread struct qtime_entry tls_qtime;

__attribute__((constructor)) static void
syspage_init(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	syspage.num_cpu = n > 0 && n < 65536 ? (uint16_t) n : 1;
}

/* ---- qtime ---- */

static pthread_once_t rr_once = PTHREAD_ONCE_INIT;
static unsigned long long rr_ms; /* Linux's SCHED_RR slice, read once */

static void
rr_read(void)
{
	FILE *f = fopen("/proc/sys/kernel/sched_rr_timeslice_ms", "re");

	if (f == NULL) {
		return;
	}
	if (fscanf(f, "%llu", &rr_ms) != 1 || rr_ms > UINT32_MAX) {
		rr_ms = 0;
	}
	(void) fclose(f);
}

/* SCHED_RR's time slice in ticks of tick ns (sched_rr_timeslice_ms,
 * read once: SYSPAGE_ENTRY(qtime) is a hot call), or 0 where it cannot
 * be read. */
static uint32_t
rr_ticks(uint64_t tick)
{
	uint64_t n;

	(void) pthread_once(&rr_once, rr_read);
	n = rr_ms * 1000000ull / tick;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t) n;
}

/* Per thread, so that one thread's refresh never tears another's read. */
struct qtime_entry *
axon_syspage_qtime(void)
{
	struct qtime_entry *q = &tls_qtime;
	struct timespec mono, real, res;
	uint64_t tick;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	if (clock_getres(CLOCK_MONOTONIC, &res) != 0) {
		res.tv_sec = 0;
		res.tv_nsec = 1;
	}
	tick = (uint64_t) res.tv_sec * 1000000000ull + (uint64_t) res.tv_nsec;
	if (tick == 0 || tick > UINT32_MAX) {
		tick = 1;
	}
	q->cycles_per_sec = 1000000000ull;
	q->nsec = (uint64_t) mono.tv_sec * 1000000000ull +
	    (uint64_t) mono.tv_nsec;
	q->nsec_tod_adjust = (uint64_t) real.tv_sec * 1000000000ull +
	    (uint64_t) real.tv_nsec - q->nsec;
	q->nsec_inc = (uint32_t) tick;
	q->timer_rate = (uint32_t) tick;
	q->timer_scale = -9;
	q->timer_load = 0;
	q->intr = -1; /* Linux's timer interrupts are no one vector */
	q->epoch = 1970;
	q->flags = 0;
	q->rr_interval_mul = rr_ticks(tick);
	q->boot_time = (uint32_t) (q->nsec_tod_adjust / 1000000000ull);
	return q;
}

/* ---- the built sections ---- */

static pthread_once_t built_once = PTHREAD_ONCE_INIT;
static char *strings;           /* the pool */
static size_t strings_len;
static struct asinfo_entry *asinfo;
static size_t nasinfo;
static struct cpuinfo_entry *cpuinfo;
static size_t ncpuinfo;
static struct hypinfo_entry hypinfo; /* none: size 0 */
static struct strings_entry empty_strings;
static struct asinfo_entry no_asinfo;
static struct cpuinfo_entry no_cpuinfo;
static void *hwinfo;            /* the tags (hwinfo.c) */
static size_t hwinfo_len;
static struct hwinfo_entry no_hwinfo;
static long as_memory = -1, as_io = -1; /* asinfo's "memory" and "io" */

/* The offset of name in the pool, added if it is not there: the offset,
 * or -1 when the pool is full (or out of memory). */
static long
intern(const char *name)
{
	size_t n = strlen(name) + 1;
	char *p;

	for (size_t off = 0; off < strings_len;
	     off += strlen(strings + off) + 1) {
		if (strcmp(strings + off, name) == 0) {
			return (long) off;
		}
	}
	if (strings_len + n > MAX_STRINGS) {
		return -1;
	}
	p = realloc(strings, strings_len + n);
	if (p == NULL) {
		return -1;
	}
	strings = p;
	memcpy(strings + strings_len, name, n);
	strings_len += n;
	return (long) (strings_len - n);
}

long
axon__syspage_intern(const char *name)
{
	return intern(name);
}

/* Appends an asinfo entry: its index, or -1 (full). */
static long
as_add(uint64_t start, uint64_t end, long owner, const char *name,
    uint16_t attr)
{
	long nm = intern(name);
	struct asinfo_entry *e;

	if (nm < 0 || nasinfo >= MAX_AS) {
		return -1;
	}
	e = &asinfo[nasinfo];
	memset(e, 0, sizeof(*e));
	e->start = start;
	e->end = end;
	e->owner = owner < 0 ? AS_NULL_OFF
			     : (uint16_t) ((size_t) owner * sizeof(*e));
	e->name = (uint16_t) nm;
	e->attr = attr;
	e->priority = AS_PRIORITY_DEFAULT;
	if (owner >= 0) {
		asinfo[owner].attr |= AS_ATTR_KIDS;
	}
	return (long) nasinfo++;
}

/* One /proc/iomem line: "  START-END : NAME" (hex, indentation of two
 * spaces per level).  0 with its depth, range and name, or -1. */
static int
iomem_line(const char *line, int *depth, uint64_t *start, uint64_t *end,
    char *name, size_t len)
{
	const char *p = line;
	char *q;
	int sp = 0;

	while (*p == ' ') {
		p++;
		sp++;
	}
	if (sp % 2 != 0 || !isxdigit((unsigned char) *p)) {
		return -1;
	}
	errno = 0;
	*start = strtoull(p, &q, 16);
	if (errno != 0 || *q != '-') {
		return -1;
	}
	p = q + 1;
	*end = strtoull(p, &q, 16);
	if (errno != 0 || q == p || strncmp(q, " : ", 3) != 0 ||
	    *end < *start) {
		return -1;
	}
	p = q + 3;
	size_t n = strcspn(p, "\n");

	if (n == 0 || n >= len) {
		return -1;
	}
	memcpy(name, p, n);
	name[n] = '\0';
	*depth = sp / 2;
	return 0;
}

/* QNX's leaf name for a Linux range name. */
static const char *
as_name(const char *linux_name, uint16_t *attr)
{
	*attr = AS_ATTR_READABLE | AS_ATTR_WRITABLE;
	if (strcmp(linux_name, "System RAM") == 0) {
		*attr |= AS_ATTR_CACHABLE;
		return "ram";
	}
	if (strstr(linux_name, "ROM") != NULL) {
		*attr = AS_ATTR_READABLE | AS_ATTR_CACHABLE;
		return "rom";
	}
	return linux_name;
}

static void
build_asinfo(void)
{
	FILE *f = fopen("/proc/iomem", "re");
	long parent[MAX_DEPTH + 1];
	char line[512], name[256];
	long mem;

	asinfo = calloc(MAX_AS, sizeof(*asinfo));
	if (asinfo == NULL) {
		if (f != NULL) {
			(void) fclose(f);
		}
		return;
	}
	mem = as_add(0, UINT64_MAX, -1, "memory", AS_ATTR_READABLE |
	    AS_ATTR_WRITABLE | AS_ATTR_CACHABLE);
	as_memory = mem;
#if defined(__x86_64__) || defined(__i386__)
	as_io = as_add(0, 0xffff, -1, "io",
	    AS_ATTR_READABLE | AS_ATTR_WRITABLE);
#endif
	parent[0] = mem;
	for (int i = 1; i <= MAX_DEPTH; i++) {
		parent[i] = -1;
	}
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		uint64_t start, end;
		uint16_t attr;
		int depth;
		long at;

		if (iomem_line(line, &depth, &start, &end, name,
			sizeof(name)) < 0 ||
		    depth >= MAX_DEPTH || parent[depth] < 0) {
			continue;
		}
		for (int i = depth + 1; i <= MAX_DEPTH; i++) {
			parent[i] = -1; /* a new subtree */
		}
		if (start == 0 && end == 0) {
			continue; /* hidden from this user */
		}
		const char *qnx = as_name(name, &attr);

		at = as_add(start, end, parent[depth], qnx, attr);
		if (at < 0) {
			break;
		}
		parent[depth + 1] = at;
		if (strcmp(qnx, "ram") == 0) {
			(void) as_add(start, end, at, "sysram", attr);
		}
	}
	if (f != NULL) {
		(void) fclose(f);
	}
}

/* A line "key<tabs/spaces>: value" of /proc/cpuinfo, value into buf. */
static bool
cpuinfo_value(const char *line, const char *key, char *buf, size_t len)
{
	size_t k = strlen(key);
	const char *p;

	if (strncmp(line, key, k) != 0) {
		return false;
	}
	p = line + k;
	while (*p == ' ' || *p == '\t') {
		p++;
	}
	if (*p != ':') {
		return false;
	}
	p++;
	while (*p == ' ') {
		p++;
	}
	snprintf(buf, len, "%.*s", (int) strcspn(p, "\n"), p);
	return true;
}

/* A small number file of cpu's sysfs directory, or def. */
static uint64_t
cpu_sysfs(unsigned cpu, const char *file, uint64_t def)
{
	char path[128], buf[64] = "";
	unsigned long long v;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/%s", cpu,
	    file);
	f = fopen(path, "re");
	if (f == NULL) {
		return def;
	}
	if (fgets(buf, sizeof(buf), f) == NULL ||
	    sscanf(buf, "%llu", &v) != 1) {
		v = def;
	}
	(void) fclose(f);
	return v;
}

static void
build_cpuinfo(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[512], model[256] = "", val[256];
	unsigned family = 0;
	double mhz = 0;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (model[0] == '\0' &&
		    (cpuinfo_value(line, "model name", val, sizeof(val)) ||
			cpuinfo_value(line, "Model", val, sizeof(val)))) {
			snprintf(model, sizeof(model), "%s", val);
		} else if (family == 0 &&
		    cpuinfo_value(line, "cpu family", val, sizeof(val))) {
			family = (unsigned) strtoul(val, NULL, 10);
		} else if (mhz == 0 &&
		    cpuinfo_value(line, "cpu MHz", val, sizeof(val))) {
			mhz = strtod(val, NULL);
		}
	}
	if (f != NULL) {
		(void) fclose(f);
	}
	ncpuinfo = syspage.num_cpu;
	cpuinfo = calloc(ncpuinfo, sizeof(*cpuinfo));
	if (cpuinfo == NULL) {
		ncpuinfo = 0;
		return;
	}
	long nm = intern(model[0] != '\0' ? model : "unknown");

	for (unsigned i = 0; i < ncpuinfo; i++) {
		struct cpuinfo_entry *c = &cpuinfo[i];
		uint64_t khz = cpu_sysfs(i, "cpufreq/cpuinfo_max_freq", 0);

#if defined(__x86_64__) || defined(__i386__)
		c->cpu = family >= 6 ? 686 : family * 100 + 86;
#else
		c->cpu = family;
#endif
		c->speed = khz > 0 ? (uint32_t) (khz / 1000)
				   : (uint32_t) (mhz > 0 && mhz < 1e9 ? mhz : 0);
		c->flags = CPU_FLAG_FPU | CPU_FLAG_MMU;
		c->smp_hwcoreid = (uint32_t) cpu_sysfs(i, "topology/core_id",
		    i);
		c->name = nm < 0 ? 0 : (uint16_t) nm;
	}
}

/* asinfo's entry at index i as hwinfo's location tags name it: its byte
 * offset, or AS_NULL_OFF. */
static uint16_t
as_offset(long i)
{
	return i < 0 ? AS_NULL_OFF
		     : (uint16_t) ((size_t) i * sizeof(struct asinfo_entry));
}

/* One pass, as the strings every section names are one pool: it must
 * not move once a program may hold it. */
static void
build(void)
{
	build_asinfo();
	build_cpuinfo();
	hwinfo = axon__hwinfo_build(&hwinfo_len, as_offset(as_memory),
	    as_offset(as_io));
}

struct asinfo_entry *
axon_syspage_asinfo(void)
{
	(void) pthread_once(&built_once, build);
	return asinfo != NULL ? asinfo : &no_asinfo;
}

struct cpuinfo_entry *
axon_syspage_cpuinfo(void)
{
	(void) pthread_once(&built_once, build);
	return cpuinfo != NULL ? cpuinfo : &no_cpuinfo;
}

struct strings_entry *
axon_syspage_strings(void)
{
	(void) pthread_once(&built_once, build);
	return strings != NULL ? (struct strings_entry *) (void *) strings
			       : &empty_strings;
}

struct hypinfo_entry *
axon_syspage_hypinfo(void)
{
	return &hypinfo;
}

struct hwinfo_entry *
axon_syspage_hwinfo(void)
{
	(void) pthread_once(&built_once, build);
	return hwinfo != NULL ? hwinfo : &no_hwinfo;
}

size_t
axon_syspage_size(int section)
{
	(void) pthread_once(&built_once, build);
	switch (section) {
	case AXON_SYSPAGE_qtime:
		return sizeof(struct qtime_entry);
	case AXON_SYSPAGE_asinfo:
		return nasinfo * sizeof(struct asinfo_entry);
	case AXON_SYSPAGE_cpuinfo:
		return ncpuinfo * sizeof(struct cpuinfo_entry);
	case AXON_SYSPAGE_strings:
		return strings_len;
	case AXON_SYSPAGE_hwinfo:
		return hwinfo_len;
	default:
		return 0; /* hypinfo, and what there is not */
	}
}

size_t
axon_syspage_elsize(int section)
{
	switch (section) {
	case AXON_SYSPAGE_qtime:
		return sizeof(struct qtime_entry);
	case AXON_SYSPAGE_asinfo:
		return sizeof(struct asinfo_entry);
	case AXON_SYSPAGE_cpuinfo:
		return sizeof(struct cpuinfo_entry);
	case AXON_SYSPAGE_strings:
	case AXON_SYSPAGE_hwinfo: /* offsets into it are in bytes */
		return 1;
	case AXON_SYSPAGE_hypinfo:
		return sizeof(struct hypinfo_entry);
	default:
		return 0;
	}
}
