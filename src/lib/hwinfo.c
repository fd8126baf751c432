/* SPDX-License-Identifier: MIT */
/*
 * The system page's hwinfo section (<hw/sysinfo.h>, hwinfo(3)): built
 * once, with the rest of the page (syspage.c), from what sysfs shows, and
 * walked by QNX's C library's hwi_*() calls and its driver library's
 * hwi_find_*() and hwitag_find_*().
 *
 * Layout, as QNX documents it: tags one after the other, each a struct
 * hwi_prefix (size in 4-byte words, name an offset into the strings
 * section) and its body; an item is a tag whose name begins with an
 * upper-case letter, followed by its own tags up to the next item
 * (itemsize words on); owner is the byte offset of the item above it.
 * Axon's tree:
 *
 *   Group "hw"                                  offset 0, the root
 *     Bus "pci" | "isa" | "usb" | "unknown"     the buses in use
 *       Group "serial" | "network"              per bus, the classes in use
 *         Device "8250"                         a ttyS with a UART (type != 0):
 *           location, irq, inputclk               the tags Linux's values allow
 *         Device <driver> (or the interface)    a network interface but lo:
 *           nicaddr
 *
 * The Groups and Buses come first, then the devices in Linux's order
 * (ttyS0, ttyS1, ..., then the interfaces by name), so that the n-th
 * "8250" is the n-th serial port.  The section stays below 64 KiB (its
 * offsets are 16 bits); devices that would not fit are left out.
 *
 * Every call walks the section from its start (it is a few hundred
 * bytes), so an offset a program passes is only ever compared, never
 * followed: a wrong one finds nothing rather than reading astray.  The
 * calls are weak, so that a program's own of the same name (a startup
 * program's, say) wins; the library itself uses the static ones.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hw/sysinfo.h>

#include "internal.h"

#define AXON_WEAK_EXPORT __attribute__((weak, visibility("default")))

#define HWI_MAX   0xfff0u /* section bytes: offsets stay below HWI_NULL_OFF */
#define MAX_NAMES 32      /* the names hwi_find_item() follows */
#define MAX_DEPTH 64      /* owners followed up the tree */
#define ARPHRD_LOOPBACK_TYPE 772 /* <linux/if_arp.h>'s ARPHRD_LOOPBACK */

/* ---- building ---- */

enum { BUS_PCI, BUS_ISA, BUS_USB, BUS_UNKNOWN, NBUS };
static const char *const bus_name[NBUS] = {HWI_ITEM_BUS_PCI,
    HWI_ITEM_BUS_ISA, HWI_ITEM_BUS_USB, HWI_ITEM_BUS_UNKNOWN};
enum { CLASS_SERIAL, CLASS_NETWORK, NCLASS };
static const char *const class_name[NCLASS] = {HWI_ITEM_DEVCLASS_SERIAL,
    HWI_ITEM_DEVCLASS_NETWORK};

struct hw_dev {
	int bus, cls;
	char name[NAME_MAX + 1];
	bool has_loc, has_irq, has_clk;
	uint64_t base;
	uint32_t len;
	uint16_t regshift, addrspace;
	uint32_t irq, clk;
	uint32_t addrlen;
	uint8_t addr[HWI_NICADDR_MAX];
};

struct hw_list {
	struct hw_dev *v;
	size_t n, cap;
};

static struct hw_dev *
dev_add(struct hw_list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap != 0 ? 2 * l->cap : 16;
		struct hw_dev *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL) {
			return NULL;
		}
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

/* The first line of dir/file, without its newline: true if read. */
static bool
sys_line(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (f == NULL) {
		return false;
	}
	ok = fgets(buf, (int) len, f) != NULL;
	(void) fclose(f);
	if (ok) {
		buf[strcspn(buf, "\n")] = '\0';
	}
	return ok;
}

/* A number in dir/file (decimal, or 0x hex), or def. */
static unsigned long long
sys_num(const char *dir, const char *file, unsigned long long def)
{
	char buf[64], *end;
	unsigned long long v;

	if (!sys_line(dir, file, buf, sizeof(buf)) || buf[0] == '\0' ||
	    buf[0] == '-') {
		return def;
	}
	errno = 0;
	v = strtoull(buf, &end, 0);
	return errno != 0 || *end != '\0' ? def : v;
}

/* The bus sysfs puts dir/device on: USB or PCI if it hangs below one,
 * unknown if there is no device (a virtual interface), else -1 (the
 * caller decides). */
static int
sys_bus(const char *dir)
{
	char path[PATH_MAX], *real;
	int bus;

	snprintf(path, sizeof(path), "%s/device", dir);
	real = realpath(path, NULL);
	if (real == NULL) {
		return BUS_UNKNOWN;
	}
	bus = strstr(real, "/usb") != NULL   ? BUS_USB
	    : strstr(real, "/pci") != NULL ? BUS_PCI
					   : -1;
	free(real);
	return bus;
}

/* "ttyS<n>": n, or -1. */
static long
ttys_number(const char *name)
{
	char *end;
	long n;

	if (strncmp(name, "ttyS", 4) != 0 || !isdigit((unsigned char) name[4])) {
		return -1;
	}
	n = strtol(name + 4, &end, 10);
	return *end == '\0' && n >= 0 && n < INT_MAX ? n : -1;
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *) a, y = *(const long *) b;

	return (x > y) - (x < y);
}

/* Every /sys/class/tty/ttyS<n> with a UART (type != 0), by n: an "8250"
 * with its registers (the port, or the memory for io_type 2 and up),
 * interrupt and clock where Linux gives them (a 0 is none). */
static void
scan_uarts(struct hw_list *l, uint16_t as_mem, uint16_t as_io)
{
	DIR *d = opendir("/sys/class/tty");
	struct dirent *e;
	long *num = NULL;
	size_t n = 0, cap = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		long k = ttys_number(e->d_name);

		if (k < 0) {
			continue;
		}
		if (n == cap) {
			long *v = realloc(num, (cap = cap ? 2 * cap : 32) *
						   sizeof(*v));

			if (v == NULL) {
				break;
			}
			num = v;
		}
		num[n++] = k;
	}
	if (d != NULL) {
		(void) closedir(d);
	}
	if (n > 0) {
		qsort(num, n, sizeof(*num), cmp_long);
	}
	for (size_t i = 0; i < n; i++) {
		char dir[64];
		struct hw_dev *h;

		snprintf(dir, sizeof(dir), "/sys/class/tty/ttyS%ld", num[i]);
		if (sys_num(dir, "type", 0) == 0 || (h = dev_add(l)) == NULL) {
			continue;
		}
		bool port = sys_num(dir, "io_type", 0) <= 1; /* PORT, HUB6 */
		unsigned long long shift = sys_num(dir, "iomem_reg_shift", 0);
		unsigned long long irq = sys_num(dir, "irq", 0);
		unsigned long long clk = sys_num(dir, "uartclk", 0);

		h->cls = CLASS_SERIAL;
		snprintf(h->name, sizeof(h->name), "8250");
		h->bus = sys_bus(dir);
		if (h->bus < 0) {
			h->bus = port ? BUS_ISA : BUS_UNKNOWN;
		}
		h->base = sys_num(dir, port ? "port" : "iomem_base", 0);
		h->has_loc = h->base != 0; /* 0: hidden, or none */
		h->regshift = shift < 16 ? (uint16_t) shift : 0;
		h->len = 8u << h->regshift; /* the 8250's eight registers */
		h->addrspace = port ? as_io : as_mem;
		h->has_irq = irq > 0 && irq < HWI_ILLEGAL_VECTOR;
		h->irq = (uint32_t) irq;
		h->has_clk = clk > 0 && clk <= UINT32_MAX;
		h->clk = (uint32_t) clk;
	}
	free(num);
}

/* "aa:bb:...": the bytes, or 0. */
static uint32_t
parse_addr(const char *s, uint8_t *addr)
{
	uint32_t n = 0;

	while (*s != '\0') {
		char *end;
		unsigned long b;

		if (n == HWI_NICADDR_MAX || !isxdigit((unsigned char) *s)) {
			return 0;
		}
		b = strtoul(s, &end, 16);
		if (b > 0xff || end - s > 2 || (*end != ':' && *end != '\0')) {
			return 0;
		}
		addr[n++] = (uint8_t) b;
		s = *end == ':' ? end + 1 : end;
	}
	return n;
}

static int
not_dot(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every network interface but the loopback with a hardware address, by
 * name: named by its driver, or itself when it has none (a virtual one). */
static void
scan_nics(struct hw_list *l)
{
	struct dirent **e = NULL;
	int n = scandir("/sys/class/net", &e, not_dot, by_name);

	for (int i = 0; i < n; i++) {
		char dir[32 + NAME_MAX], buf[3 * HWI_NICADDR_MAX + 8];
		char link[64 + NAME_MAX];
		uint8_t addr[HWI_NICADDR_MAX];
		struct hw_dev *h;
		uint32_t len;
		ssize_t k;

		snprintf(dir, sizeof(dir), "/sys/class/net/%s", e[i]->d_name);
		if (strcmp(e[i]->d_name, "lo") == 0 ||
		    sys_num(dir, "type", 0) == ARPHRD_LOOPBACK_TYPE ||
		    !sys_line(dir, "address", buf, sizeof(buf)) ||
		    (len = parse_addr(buf, addr)) == 0 ||
		    (h = dev_add(l)) == NULL) {
			continue;
		}
		h->cls = CLASS_NETWORK;
		snprintf(link, sizeof(link), "%s/device/driver", dir);
		k = readlink(link, buf, sizeof(buf) - 1);
		if (k > 0) {
			buf[k] = '\0';
			snprintf(h->name, sizeof(h->name), "%s",
			    strrchr(buf, '/') != NULL ? strrchr(buf, '/') + 1 : buf);
		} else {
			snprintf(h->name, sizeof(h->name), "%s", e[i]->d_name);
		}
		h->bus = sys_bus(dir);
		if (h->bus < 0) {
			h->bus = BUS_UNKNOWN;
		}
		h->addrlen = len;
		memcpy(h->addr, addr, len);
	}
	for (int i = 0; i < n; i++) {
		free(e[i]);
	}
	free(e);
}

struct emit {
	uint8_t *buf;
	size_t len;
	unsigned *items; /* every item's offset, for their itemsize */
	size_t nitems;
};

/* Appends a tag of bytes (a multiple of 4) named name, its body from
 * body (bytes after the prefix): its offset, or -1. */
static long
put(struct emit *e, const char *name, const void *body, size_t bytes)
{
	long nm = axon__syspage_intern(name);
	struct hwi_prefix *p;

	if (nm < 0 || e->len + bytes > HWI_MAX) {
		return -1;
	}
	p = (struct hwi_prefix *) (void *) (e->buf + e->len);
	memcpy(p, body, bytes);
	p->size = (uint16_t) (bytes / 4);
	p->name = (uint16_t) nm;
	e->len += bytes;
	return (long) (e->len - bytes);
}

/* Appends an item (struct hwi_item at the start of body) named itemname,
 * owned by owner (or HWI_NULL_OFF): its offset, or -1. */
static long
put_item(struct emit *e, const char *tag, const char *itemname,
    unsigned owner, void *body, size_t bytes)
{
	struct hwi_item *it = body;
	long nm = axon__syspage_intern(itemname);
	long off;

	if (nm < 0) {
		return -1;
	}
	it->itemname = (uint16_t) nm;
	it->owner = (uint16_t) owner;
	it->kids = 0;
	off = put(e, tag, body, bytes);
	if (off >= 0) {
		e->items[e->nitems++] = (unsigned) off;
	}
	return off;
}

static long
put_group(struct emit *e, const char *tag, const char *name, unsigned owner)
{
	struct hwi_group g;

	memset(&g, 0, sizeof(g));
	return put_item(e, tag, name, owner, &g, sizeof(g));
}

/* The device's item and tags, or -1 with nothing of it left. */
static long
put_device(struct emit *e, const struct hw_dev *h, unsigned owner)
{
	size_t start = e->len, items = e->nitems;
	struct hwi_device dv;
	struct hwi_pad pad;
	struct hwi_location loc;
	struct hwi_irq irq;
	struct hwi_inputclk clk;
	struct hwi_nicaddr nic;
	long off;
	bool ok;

	memset(&dv, 0, sizeof(dv));
	memset(&pad, 0, sizeof(pad));
	memset(&loc, 0, sizeof(loc));
	memset(&irq, 0, sizeof(irq));
	memset(&clk, 0, sizeof(clk));
	memset(&nic, 0, sizeof(nic));
	off = put_item(e, HWI_TAG_NAME_device, h->name, owner, &dv, sizeof(dv));
	ok = off >= 0;
	if (ok && h->has_loc) {
		loc.len = h->len;
		loc.base = h->base;
		loc.regshift = h->regshift;
		loc.addrspace = h->addrspace;
		ok = (e->len % HWI_TAG_ALIGN_location == 0 ||
			 put(e, HWI_TAG_NAME_pad, &pad, sizeof(pad)) >= 0) &&
		    put(e, HWI_TAG_NAME_location, &loc, sizeof(loc)) >= 0;
	}
	if (ok && h->has_irq) {
		irq.vector = h->irq;
		ok = put(e, HWI_TAG_NAME_irq, &irq, sizeof(irq)) >= 0;
	}
	if (ok && h->has_clk) {
		clk.clk = h->clk;
		clk.div = 16; /* an 8250 divides its clock by 16, then by its latch */
		ok = put(e, HWI_TAG_NAME_inputclk, &clk, sizeof(clk)) >= 0;
	}
	if (ok && h->addrlen > 0) {
		nic.len = h->addrlen;
		memcpy(nic.addr, h->addr, h->addrlen);
		ok = put(e, HWI_TAG_NAME_nicaddr, &nic, sizeof(nic)) >= 0;
	}
	if (!ok) {
		e->len = start;
		e->nitems = items;
		return -1;
	}
	return off;
}

/* The bytes put_device() may take for h (a pad before the location). */
static size_t
dev_bytes(const struct hw_dev *h)
{
	return sizeof(struct hwi_device) +
	    (h->has_loc ? sizeof(struct hwi_pad) + sizeof(struct hwi_location)
			: 0) +
	    (h->has_irq ? sizeof(struct hwi_irq) : 0) +
	    (h->has_clk ? sizeof(struct hwi_inputclk) : 0) +
	    (h->addrlen > 0 ? sizeof(struct hwi_nicaddr) : 0);
}

static void
kid(struct emit *e, unsigned owner)
{
	((struct hwi_item *) (void *) (e->buf + owner))->kids++;
}

void *
axon__hwinfo_build(size_t *size, uint16_t as_mem, uint16_t as_io)
{
	struct hw_list l = {NULL, 0, 0};
	struct emit e = {NULL, 0, NULL, 0};
	long bus_off[NBUS], grp_off[NBUS][NCLASS], root;
	size_t fit = 0, room;

	*size = 0;
	scan_uarts(&l, as_mem, as_io);
	scan_nics(&l);
	e.buf = calloc(1, HWI_MAX);
	e.items = calloc(1 + NBUS + NBUS * NCLASS + l.n, sizeof(*e.items));
	if (e.buf == NULL || e.items == NULL) {
		goto out;
	}
	/* The devices that fit, after the root, buses and groups. */
	room = HWI_MAX - (1 + NBUS + NBUS * NCLASS) * sizeof(struct hwi_group);
	while (fit < l.n && dev_bytes(&l.v[fit]) <= room) {
		room -= dev_bytes(&l.v[fit++]);
	}
	root = put_group(&e, HWI_TAG_NAME_group, HWI_ITEM_ROOT_HW, HWI_NULL_OFF);
	if (root < 0) {
		goto out;
	}
	for (int b = 0; b < NBUS; b++) {
		bus_off[b] = -1;
		for (int c = 0; c < NCLASS; c++) {
			grp_off[b][c] = -1;
		}
	}
	for (size_t i = 0; i < fit; i++) {
		int b = l.v[i].bus;

		if (bus_off[b] < 0) {
			bus_off[b] = 0; /* in use; placed below */
		}
	}
	for (int b = 0; b < NBUS; b++) {
		if (bus_off[b] == 0) {
			bus_off[b] = put_group(&e, HWI_TAG_NAME_bus, bus_name[b],
			    (unsigned) root);
			if (bus_off[b] < 0) {
				goto out;
			}
			kid(&e, (unsigned) root);
		}
	}
	for (int b = 0; b < NBUS; b++) {
		for (int c = 0; c < NCLASS; c++) {
			bool used = false;

			for (size_t i = 0; i < fit && !used; i++) {
				used = l.v[i].bus == b && l.v[i].cls == c;
			}
			if (!used) {
				continue;
			}
			grp_off[b][c] = put_group(&e, HWI_TAG_NAME_group,
			    class_name[c], (unsigned) bus_off[b]);
			if (grp_off[b][c] < 0) {
				goto out;
			}
			kid(&e, (unsigned) bus_off[b]);
		}
	}
	for (size_t i = 0; i < fit; i++) {
		unsigned owner = (unsigned) grp_off[l.v[i].bus][l.v[i].cls];

		if (put_device(&e, &l.v[i], owner) < 0) {
			break; /* the strings section is full */
		}
		kid(&e, owner);
	}
	for (size_t i = 0; i < e.nitems; i++) {
		size_t next = i + 1 < e.nitems ? e.items[i + 1] : e.len;
		struct hwi_item *it =
		    (struct hwi_item *) (void *) (e.buf + e.items[i]);

		it->itemsize = (uint16_t) ((next - e.items[i]) / 4);
	}
	*size = e.len;
out:
	free(l.v);
	free(e.items);
	if (*size == 0) {
		free(e.buf);
		return NULL;
	}
	return e.buf;
}

/* ---- walking ---- */

struct sect {
	const uint8_t *p;
	unsigned size;
	const char *str;
	size_t strsize;
};

static struct sect
sect(void)
{
	struct sect s;

	s.p = (const uint8_t *) (void *) axon_syspage_hwinfo();
	s.size = (unsigned) axon_syspage_size(AXON_SYSPAGE_hwinfo);
	s.str = axon_syspage_strings()->data;
	s.strsize = axon_syspage_size(AXON_SYSPAGE_strings);
	return s;
}

static const struct hwi_prefix *
pfx(const struct sect *s, unsigned off)
{
	return (const struct hwi_prefix *) (const void *) (s->p + off);
}

static const struct hwi_item *
item(const struct sect *s, unsigned off)
{
	return (const struct hwi_item *) (const void *) (s->p + off);
}

/* A name in the strings section ("" if it is not there). */
static const char *
str(const struct sect *s, unsigned off)
{
	return off < s->strsize ? s->str + off : "";
}

static bool
name_is(const struct sect *s, unsigned off, const char *name)
{
	return name == NULL || strcmp(str(s, off), name) == 0;
}

/* The tag (items: the item) after the one at i, the first for
 * HWI_NULL_OFF; HWI_NULL_OFF after the last. */
static unsigned
step(const struct sect *s, unsigned i, bool items)
{
	unsigned words;

	if (i == HWI_NULL_OFF) {
		return s->size > 0 ? 0 : HWI_NULL_OFF;
	}
	words = items ? item(s, i)->itemsize : pfx(s, i)->size;
	return words != 0 && i + words * 4u < s->size ? i + words * 4u
						       : HWI_NULL_OFF;
}

/* The first tag (items: item) that begins after off (HWI_NULL_OFF: the
 * first of all), or HWI_NULL_OFF. */
static unsigned
after(const struct sect *s, unsigned off, bool items)
{
	unsigned i = step(s, HWI_NULL_OFF, items);

	while (i != HWI_NULL_OFF && off != HWI_NULL_OFF && i <= off) {
		i = step(s, i, items);
	}
	return i;
}

static unsigned
item_end(const struct sect *s, unsigned it)
{
	return it == HWI_NULL_OFF ? 0 : it + item(s, it)->itemsize * 4u;
}

/* The item whose span holds off, or HWI_NULL_OFF. */
static unsigned
item_holding(const struct sect *s, unsigned off)
{
	for (unsigned i = step(s, HWI_NULL_OFF, true); i != HWI_NULL_OFF;
	     i = step(s, i, true)) {
		if (off < item_end(s, i)) {
			return i;
		}
	}
	return HWI_NULL_OFF;
}

/* off is where an item begins. */
static bool
is_item(const struct sect *s, unsigned off)
{
	return off != HWI_NULL_OFF && item_holding(s, off) == off;
}

/* The item at it is named names[n - 1], its owner names[n - 2], ... */
static bool
item_matches(const struct sect *s, unsigned it, const char *const *names,
    int n)
{
	for (int k = n - 1; k >= 0; k--) {
		if (it >= s->size || !name_is(s, item(s, it)->itemname,
					 names[k])) {
			return false;
		}
		it = item(s, it)->owner;
	}
	return true;
}

static unsigned
find_tag(const struct sect *s, unsigned start, int curr_item,
    const char *tagname)
{
	unsigned t = after(s, start, false);
	unsigned end = curr_item != 0
	    ? item_end(s, item_holding(s, start == HWI_NULL_OFF ? 0 : start))
	    : s->size;

	for (; t != HWI_NULL_OFF && t < end; t = step(s, t, false)) {
		if (name_is(s, pfx(s, t)->name, tagname)) {
			return t;
		}
	}
	return HWI_NULL_OFF;
}

AXON_WEAK_EXPORT unsigned
hwi_find_item(unsigned start, ...)
{
	struct sect s = sect();
	const char *names[MAX_NAMES];
	const char *name;
	int n = 0;
	va_list ap;

	va_start(ap, start);
	while ((name = va_arg(ap, const char *)) != NULL) {
		if (n == MAX_NAMES) {
			va_end(ap);
			return HWI_NULL_OFF; /* deeper than any tree here */
		}
		names[n++] = name;
	}
	va_end(ap);
	for (unsigned it = after(&s, start, true); it != HWI_NULL_OFF;
	     it = step(&s, it, true)) {
		if (item_matches(&s, it, names, n)) {
			return it;
		}
	}
	return HWI_NULL_OFF;
}

AXON_WEAK_EXPORT unsigned
hwi_find_tag(unsigned start, int curr_item, const char *tagname)
{
	struct sect s = sect();

	return find_tag(&s, start, curr_item, tagname);
}

AXON_WEAK_EXPORT unsigned
hwi_next_item(unsigned off)
{
	struct sect s = sect();

	return after(&s, off, true);
}

AXON_WEAK_EXPORT unsigned
hwi_next_tag(unsigned off, int curr_item)
{
	struct sect s = sect();

	return find_tag(&s, off, curr_item, NULL);
}

AXON_WEAK_EXPORT void *
hwi_off2tag(unsigned off)
{
	struct sect s = sect();

	return off < s.size ? (void *) (uintptr_t) (s.p + off) : NULL;
}

AXON_WEAK_EXPORT unsigned
hwi_tag2off(void *tag)
{
	struct sect s = sect();
	uintptr_t p = (uintptr_t) tag, base = (uintptr_t) s.p;

	return s.size > 0 && p >= base && p - base < s.size ? (unsigned) (p - base)
							    : HWI_NULL_OFF;
}

/* ---- the driver library's ---- */

/* The item at it is below the one at up. */
static bool
below(const struct sect *s, unsigned it, unsigned up)
{
	for (int depth = 0; depth < MAX_DEPTH && it < s->size; depth++) {
		it = item(s, it)->owner;
		if (it == up) {
			return true;
		}
	}
	return false;
}

/* The unit-th item (from 0) of the kind (its tag's name; NULL: any)
 * named name (NULL: any) below up (HWI_NULL_OFF: anywhere). */
static unsigned
find_kind(const struct sect *s, const char *kind, const char *name,
    unsigned unit, unsigned up)
{
	for (unsigned it = step(s, HWI_NULL_OFF, true); it != HWI_NULL_OFF;
	     it = step(s, it, true)) {
		if (name_is(s, pfx(s, it)->name, kind) &&
		    name_is(s, item(s, it)->itemname, name) &&
		    (up == HWI_NULL_OFF || below(s, it, up)) && unit-- == 0) {
			return it;
		}
	}
	return HWI_NULL_OFF;
}

AXON_WEAK_EXPORT unsigned
hwi_find(const char *name, int unit, unsigned hwi_off)
{
	struct sect s = sect();

	return find_kind(&s, NULL, name, unit < 0 ? 0 : (unsigned) unit,
	    hwi_off);
}

AXON_WEAK_EXPORT unsigned
hwi_find_bus(const char *name, unsigned unit)
{
	struct sect s = sect();

	return find_kind(&s, HWI_TAG_NAME_bus, name, unit, HWI_NULL_OFF);
}

AXON_WEAK_EXPORT unsigned
hwi_find_device(const char *name, unsigned unit)
{
	struct sect s = sect();

	return find_kind(&s, HWI_TAG_NAME_device, name, unit, HWI_NULL_OFF);
}

AXON_WEAK_EXPORT int
hwi_find_unit(unsigned hwi_off)
{
	struct sect s = sect();
	int n = 0;

	if (!is_item(&s, hwi_off)) {
		return -1;
	}
	for (unsigned it = step(&s, HWI_NULL_OFF, true); it != hwi_off;
	     it = step(&s, it, true)) {
		n += pfx(&s, it)->name == pfx(&s, hwi_off)->name &&
		     item(&s, it)->itemname == item(&s, hwi_off)->itemname;
	}
	return n;
}

/* The *idx-th (NULL: first) tag named name of the item at off, *idx
 * advanced past it; NULL if there is none. */
static const void *
tag_find(const struct sect *s, unsigned off, const char *name, unsigned *idx)
{
	unsigned want = idx != NULL ? *idx : 0;

	if (!is_item(s, off)) {
		return NULL;
	}
	for (unsigned t = find_tag(s, off, 1, name); t != HWI_NULL_OFF;
	     t = find_tag(s, t, 1, name)) {
		if (want-- == 0) {
			if (idx != NULL) {
				(*idx)++;
			}
			return s->p + t;
		}
	}
	return NULL;
}

AXON_WEAK_EXPORT hwi_tag *
hwi_tag_find(unsigned hwi_off, const char *tag_name, unsigned *tag_idx)
{
	struct sect s = sect();

	return (hwi_tag *) (uintptr_t) tag_find(&s, hwi_off, tag_name, tag_idx);
}

AXON_WEAK_EXPORT unsigned
hwitag_find_ivec(unsigned hwi_off, unsigned *irq_idx)
{
	struct sect s = sect();
	const struct hwi_irq *t = tag_find(&s, hwi_off, HWI_TAG_NAME_irq,
	    irq_idx);

	return t != NULL ? t->vector : HWI_ILLEGAL_VECTOR;
}

AXON_WEAK_EXPORT int
hwitag_find_phybase(unsigned hwi_off, unsigned *phybase_idx,
    uint64_t *phybase)
{
	struct sect s = sect();
	const struct hwi_location *t = tag_find(&s, hwi_off,
	    HWI_TAG_NAME_location, phybase_idx);

	if (t == NULL) {
		return -1;
	}
	if (phybase != NULL) {
		*phybase = t->base;
	}
	return 0;
}

/* The tags copied whole: 0, or -1 if there is none. */
static int
tag_copy(unsigned off, const char *name, unsigned *idx, void *out,
    size_t len)
{
	struct sect s = sect();
	const void *t = tag_find(&s, off, name, idx);

	if (t == NULL) {
		return -1;
	}
	if (out != NULL) {
		memcpy(out, t, len);
	}
	return 0;
}

AXON_WEAK_EXPORT int
hwitag_find_clkfreq(unsigned hwi_off, unsigned *clk_idx,
    struct hwi_inputclk *clk)
{
	return tag_copy(hwi_off, HWI_TAG_NAME_inputclk, clk_idx, clk,
	    sizeof(*clk));
}

AXON_WEAK_EXPORT int
hwitag_find_nicaddr(unsigned hwi_off, unsigned *nicaddr_idx,
    struct hwi_nicaddr *nicaddr)
{
	return tag_copy(hwi_off, HWI_TAG_NAME_nicaddr, nicaddr_idx, nicaddr,
	    sizeof(*nicaddr));
}

AXON_WEAK_EXPORT int
hwitag_find_busattr(unsigned hwi_off, unsigned *busattr_idx,
    struct hwi_busattr *busattr)
{
	return tag_copy(hwi_off, HWI_TAG_NAME_busattr, busattr_idx, busattr,
	    sizeof(*busattr));
}

AXON_WEAK_EXPORT int
hwitag_find_errata(unsigned hwi_off, unsigned *errata_idx)
{
	struct sect s = sect();
	const struct hwi_errata *t = tag_find(&s, hwi_off,
	    HWI_TAG_NAME_errata, errata_idx);

	return t != NULL ? (int) t->num : -1;
}
