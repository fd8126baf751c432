/* SPDX-License-Identifier: MIT */
/*
 * The system page's hwinfo section (hwinfo(3), <hw/sysinfo.h>): its
 * tags walked by hand as QNX documents them (sizes and item sizes in
 * 4-byte words, offsets in bytes, owners before their items), the
 * libc's hwi_*() and the driver library's hwi_find_*()/hwitag_find_*()
 * calls against that walk, and every serial port and network interface
 * against sysfs, read here on its own.  What the machine lacks must give
 * HWI_NULL_OFF (or -1, NULL, HWI_ILLEGAL_VECTOR), as on a board without it.
 */
#include "attack.h"

#include <ctype.h>
#include <dirent.h>
#include <drvr/hwinfo.h>
#include <hw/sysinfo.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syspage.h>
#include <unistd.h>

/* ---- the section, walked by hand ---------------------------------------- */

#define MAX_ITEMS 4096

static const char *
sp_str(unsigned off)
{
	const char *pool = SYSPAGE_ENTRY(strings)->data;
	size_t size = SYSPAGE_ENTRY_SIZE(strings);

	ck_assert_uint_lt(off, size);
	ck_assert_ptr_nonnull(memchr(pool + off, '\0', size - off));
	return pool + off;
}

static const uint8_t *
sec(void)
{
	return (const uint8_t *) (void *) SYSPAGE_ENTRY(hwinfo);
}

static const struct hwi_prefix *
tag_at(unsigned off)
{
	return (const struct hwi_prefix *) (const void *) (sec() + off);
}

static const struct hwi_item *
item_at(unsigned off)
{
	return (const struct hwi_item *) (const void *) (sec() + off);
}

static const char *
item_name(unsigned off)
{
	return sp_str(item_at(off)->itemname);
}

static const char *
tag_name(unsigned off)
{
	return sp_str(tag_at(off)->name);
}

/* Every item's offset, walking by itemsize (4-byte words); each checked
 * to lie in the section. */
static size_t
items(unsigned *off)
{
	size_t size = SYSPAGE_ENTRY_SIZE(hwinfo), n = 0;

	for (size_t i = 0; i < size; i += item_at((unsigned) i)->itemsize * 4u) {
		ck_assert_uint_lt(n, MAX_ITEMS);
		ck_assert_uint_le(i + sizeof(struct hwi_item), size);
		ck_assert_uint_gt(item_at((unsigned) i)->itemsize, 0);
		ck_assert_uint_le(i + item_at((unsigned) i)->itemsize * 4u, size);
		off[n++] = (unsigned) i;
	}
	return n;
}

/* The item owning it, and so on up: the names from the top, "/"-joined. */
static void
path_of(unsigned it, char *buf, size_t len)
{
	const char *names[16];
	int n = 0;

	for (; it != HWI_NULL_OFF; it = item_at(it)->owner) {
		ck_assert_int_lt(n, 16);
		names[n++] = item_name(it);
	}
	buf[0] = '\0';
	while (n-- > 0) {
		strncat(buf, "/", len - strlen(buf) - 1);
		strncat(buf, names[n], len - strlen(buf) - 1);
	}
}

START_TEST(test_structure)
{
	size_t size = SYSPAGE_ENTRY_SIZE(hwinfo);
	static unsigned it[MAX_ITEMS];
	size_t n, k = 0, devices = 0, buses = 0;

	ck_assert_uint_gt(size, 0);
	ck_assert_uint_lt(size, HWI_NULL_OFF);
	ck_assert_uint_eq(size % 4, 0);
	ck_assert_uint_eq(SYSPAGE_ELEMENT_SIZE(hwinfo), 1);
	ck_assert_ptr_eq(hwi_off2tag(0), SYSPAGE_ENTRY(hwinfo));
	ck_assert_uint_eq((uintptr_t) sec() % 8, 0);
	n = items(it);
	/* The root: a Group "hw" at 0, owned by nothing. */
	ck_assert_uint_ge(n, 1);
	ck_assert_uint_eq(it[0], 0);
	ck_assert_str_eq(tag_name(0), HWI_TAG_NAME_group);
	ck_assert_str_eq(item_name(0), HWI_ITEM_ROOT_HW);
	ck_assert_uint_eq(item_at(0)->owner, HWI_NULL_OFF);
	/* Every tag, by its size in words: within the section, item tags
	 * (upper case) exactly where the item walk has them, locations
	 * 8-byte aligned. */
	for (unsigned t = 0; t < size; t += tag_at(t)->size * 4u) {
		const char *name = tag_name(t);

		ck_assert_uint_gt(tag_at(t)->size, 0);
		ck_assert_uint_le(t + tag_at(t)->size * 4u, size);
		if (isupper((unsigned char) name[0])) {
			ck_assert_uint_lt(k, n);
			ck_assert_uint_eq(t, it[k]);
			k++;
		} else {
			ck_assert(islower((unsigned char) name[0]));
			ck_assert_uint_gt(k, 0); /* inside an item */
			ck_assert_uint_le(t + tag_at(t)->size * 4u,
			    it[k - 1] + item_at(it[k - 1])->itemsize * 4u);
		}
		if (strcmp(name, HWI_TAG_NAME_location) == 0) {
			ck_assert_uint_eq(t % HWI_TAG_ALIGN_location, 0);
			ck_assert_uint_eq(tag_at(t)->size * 4u,
			    sizeof(struct hwi_location));
		}
	}
	ck_assert_uint_eq(k, n);
	/* Owners: earlier items, their kids counted; every device at
	 * /hw/<bus>/<class>/<device>. */
	for (size_t i = 1; i < n; i++) {
		unsigned o = item_at(it[i])->owner;
		size_t kids = 0;

		ck_assert_uint_lt(o, it[i]);
		ck_assert_uint_eq(item_at(o)->itemsize > 0, 1);
		for (size_t j = 0; j < n; j++) {
			kids += item_at(it[j])->owner == it[i];
		}
		ck_assert_uint_eq(item_at(it[i])->kids, kids);
		buses += strcmp(tag_name(it[i]), HWI_TAG_NAME_bus) == 0;
		if (strcmp(tag_name(it[i]), HWI_TAG_NAME_device) == 0) {
			unsigned g = o, b = item_at(o)->owner;

			devices++;
			ck_assert_str_eq(tag_name(g), HWI_TAG_NAME_group);
			ck_assert_str_eq(tag_name(b), HWI_TAG_NAME_bus);
			ck_assert_uint_eq(item_at(b)->owner, 0);
			ck_assert_uint_eq(tag_at(it[i])->size * 4u,
			    sizeof(struct hwi_device));
		}
	}
	ck_assert_uint_eq(item_at(0)->kids, buses);
	ck_assert_uint_eq(hwi_find_device(NULL, (unsigned) devices),
	    HWI_NULL_OFF);
	if (devices > 0) {
		ck_assert_uint_ne(hwi_find_device(NULL, (unsigned) devices - 1),
		    HWI_NULL_OFF);
	}
}
END_TEST

/* hwi_next_item(), hwi_next_tag(), hwi_off2tag() and hwi_tag2off()
 * against the walk by hand. */
START_TEST(test_walk_calls)
{
	size_t size = SYSPAGE_ENTRY_SIZE(hwinfo);
	static unsigned it[MAX_ITEMS];
	size_t n = items(it);
	unsigned off = 0, t;

	ck_assert_uint_eq(hwi_next_item(HWI_NULL_OFF), 0);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(off, it[i]);
		ck_assert_uint_eq(hwi_tag2off(hwi_off2tag(off)), off);
		/* Within the item: every tag after its own, then none. */
		unsigned end = it[i] + item_at(it[i])->itemsize * 4u;
		unsigned want = it[i] + tag_at(it[i])->size * 4u;
		unsigned last = off;

		for (t = hwi_next_tag(off, 1); t != HWI_NULL_OFF;
		     t = hwi_next_tag(t, 1)) {
			ck_assert_uint_eq(t, want);
			ck_assert_uint_lt(t, end);
			want += tag_at(t)->size * 4u;
			last = t;
		}
		ck_assert_uint_eq(want, end);
		/* Across items: the next item's own tag comes next. */
		ck_assert_uint_eq(hwi_next_tag(last, 0),
		    end < size ? end : HWI_NULL_OFF);
		off = hwi_next_item(off);
	}
	ck_assert_uint_eq(off, HWI_NULL_OFF);
	ck_assert_ptr_null(hwi_off2tag((unsigned) size));
	ck_assert_ptr_null(hwi_off2tag(HWI_NULL_OFF));
	ck_assert_uint_eq(hwi_tag2off(&size), HWI_NULL_OFF);
	ck_assert_uint_eq(hwi_tag2off((char *) hwi_off2tag(0) + size),
	    HWI_NULL_OFF);
	ck_assert_uint_eq(hwi_next_tag(HWI_NULL_OFF, 0), 0);
	ck_assert_uint_eq(hwi_next_item((unsigned) size), HWI_NULL_OFF);
	/* An offset inside a tag: the search goes on from the next one. */
	ck_assert_uint_eq(hwi_next_item(1), n > 1 ? it[1] : HWI_NULL_OFF);
	ck_assert_uint_eq(hwi_next_tag(1, 0), tag_at(0)->size * 4u);
}
END_TEST

/* hwi_find_item() by names and occurrence, hwi_find_tag() within an
 * item and across the section, and NULL as a wildcard. */
START_TEST(test_find_item_tag)
{
	static unsigned it[MAX_ITEMS];
	size_t n = items(it);
	char path[256];
	unsigned off;
	size_t k;

	ck_assert_uint_eq(hwi_find_item(HWI_NULL_OFF, HWI_ITEM_ROOT_HW, NULL), 0);
	ck_assert_uint_eq(hwi_find_item(0, HWI_ITEM_ROOT_HW, NULL),
	    HWI_NULL_OFF); /* the search starts after start */
	/* No names: any item, one after the other. */
	ck_assert_uint_eq(hwi_find_item(HWI_NULL_OFF, NULL), 0);
	for (k = 0, off = HWI_NULL_OFF;
	     (off = hwi_find_item(off, NULL)) != HWI_NULL_OFF; k++) {
		ck_assert_uint_eq(off, it[k]);
	}
	ck_assert_uint_eq(k, n);
	/* Every item by its own name, by its whole path, and by its name
	 * with its owner's: each found at its own occurrence. */
	for (size_t i = 0; i < n; i++) {
		const char *name = item_name(it[i]);
		unsigned occ = 0;

		for (size_t j = 0; j < i; j++) {
			occ += strcmp(item_name(it[j]), name) == 0;
		}
		off = HWI_NULL_OFF;
		for (unsigned o = 0; o <= occ; o++) {
			off = hwi_find_item(off, name, NULL);
			ck_assert_uint_ne(off, HWI_NULL_OFF);
		}
		ck_assert_uint_eq(off, it[i]);
		if (item_at(it[i])->owner != HWI_NULL_OFF) {
			const char *up = item_name(item_at(it[i])->owner);

			for (off = HWI_NULL_OFF;
			     (off = hwi_find_item(off, up, name, NULL)) != it[i];) {
				ck_assert_uint_ne(off, HWI_NULL_OFF);
				ck_assert_str_eq(item_name(item_at(off)->owner), up);
			}
		}
		path_of(it[i], path, sizeof(path)); /* rooted at /hw */
		ck_assert_int_eq(strncmp(path, i == 0 ? "/hw" : "/hw/",
				     i == 0 ? 4 : 4), 0);
	}
	/* A device by /hw/bus/class/device. */
	off = hwi_find_device(NULL, 0);
	if (off != HWI_NULL_OFF) {
		unsigned g = item_at(off)->owner, b = item_at(g)->owner;
		unsigned f = hwi_find_item(HWI_NULL_OFF, HWI_ITEM_ROOT_HW,
		    item_name(b), item_name(g), item_name(off), NULL);

		ck_assert_uint_eq(f, off);
		/* An owner it does not have. */
		ck_assert_uint_eq(hwi_find_item(HWI_NULL_OFF, item_name(off),
				      item_name(off), NULL), HWI_NULL_OFF);
	}
	/* Tags: the first of each name is the first the walk meets. */
	for (unsigned t = 0; t < SYSPAGE_ENTRY_SIZE(hwinfo);
	     t += tag_at(t)->size * 4u) {
		const char *name = tag_name(t);
		unsigned first = HWI_NULL_OFF;

		for (unsigned u = 0; u <= t; u += tag_at(u)->size * 4u) {
			if (strcmp(tag_name(u), name) == 0) {
				first = u;
				break;
			}
		}
		ck_assert_uint_eq(hwi_find_tag(HWI_NULL_OFF, 0, name), first);
	}
	ck_assert_uint_eq(hwi_find_tag(HWI_NULL_OFF, 0, NULL), 0);
	ck_assert_uint_eq(hwi_find_tag(0, 0, NULL), tag_at(0)->size * 4u);
	/* curr_item: the root Group has no tags of its own. */
	ck_assert_uint_eq(hwi_find_tag(0, 1, NULL), HWI_NULL_OFF);
	ck_assert_uint_eq(hwi_find_tag(0, 1, HWI_TAG_NAME_bus), HWI_NULL_OFF);
	if (n > 1) {
		ck_assert_uint_eq(hwi_find_tag(0, 0, HWI_TAG_NAME_bus),
		    hwi_find_bus(NULL, 0));
	}
}
END_TEST

/* ---- sysfs, read here ---------------------------------------------------- */

static bool
rd_line(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((f = fopen(path, "r")) == NULL) {
		return false;
	}
	ok = fgets(buf, (int) len, f) != NULL;
	fclose(f);
	buf[ok ? strcspn(buf, "\n") : 0] = '\0';
	return ok;
}

static unsigned long long
rd_num(const char *dir, const char *file)
{
	char buf[64];

	return rd_line(dir, file, buf, sizeof(buf)) ? strtoull(buf, NULL, 0) : 0;
}

/* The bus sysfs puts dir's device on, as hwinfo(3) says. */
static const char *
rd_bus(const char *dir, const char *otherwise)
{
	char path[PATH_MAX], real[PATH_MAX];

	snprintf(path, sizeof(path), "%s/device", dir);
	if (realpath(path, real) == NULL) {
		return HWI_ITEM_BUS_UNKNOWN;
	}
	return strstr(real, "/usb") ? HWI_ITEM_BUS_USB
	    : strstr(real, "/pci")  ? HWI_ITEM_BUS_PCI
				    : otherwise;
}

/* The asinfo entry at byte offset off's name. */
static const char *
as_name(unsigned off)
{
	ck_assert_uint_lt(off, SYSPAGE_ENTRY_SIZE(asinfo));
	ck_assert_uint_eq(off % SYSPAGE_ELEMENT_SIZE(asinfo), 0);
	return sp_str(SYSPAGE_ARRAY_IDX(asinfo, off /
					    SYSPAGE_ELEMENT_SIZE(asinfo))->name);
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *) a - *(const int *) b;
}

/* Every ttyS with a UART against the n-th "8250": the same registers,
 * interrupt, clock and place in the tree.  The number of UARTs, or -1
 * with why set. */
static int
check_uarts(char *why, size_t len)
{
	DIR *d = opendir("/sys/class/tty");
	struct dirent *e;
	int num[1024], n = 0, uarts = 0;

	while (d != NULL && (e = readdir(d)) != NULL && n < 1024) {
		char *end;
		long k;

		if (strncmp(e->d_name, "ttyS", 4) == 0 &&
		    isdigit((unsigned char) e->d_name[4]) &&
		    (k = strtol(e->d_name + 4, &end, 10), *end == '\0')) {
			num[n++] = (int) k;
		}
	}
	if (d != NULL) {
		closedir(d);
	}
	qsort(num, (size_t) n, sizeof(num[0]), cmp_int);
	for (int i = 0; i < n; i++) {
		char dir[64], path[256];
		unsigned off, idx;
		uint64_t base;
		struct hwi_inputclk clk;

		snprintf(dir, sizeof(dir), "/sys/class/tty/ttyS%d", num[i]);
		if (rd_num(dir, "type") == 0) {
			continue;
		}
		bool port = rd_num(dir, "io_type") <= 1;
		unsigned long long want = rd_num(dir, port ? "port" : "iomem_base");
		unsigned long long shift = rd_num(dir, "iomem_reg_shift");
		unsigned long long irq = rd_num(dir, "irq");
		unsigned long long uclk = rd_num(dir, "uartclk");
		const char *bus = rd_bus(dir, port ? HWI_ITEM_BUS_ISA
						   : HWI_ITEM_BUS_UNKNOWN);
		char want_path[128];

		off = hwi_find_device("8250", (unsigned) uarts);
		if (off == HWI_NULL_OFF) {
			snprintf(why, len, "ttyS%d: no 8250 #%d", num[i], uarts);
			return -1;
		}
		path_of(off, path, sizeof(path));
		snprintf(want_path, sizeof(want_path), "/hw/%s/serial/8250", bus);
		if (strcmp(path, want_path) != 0 || hwi_find_unit(off) != uarts) {
			snprintf(why, len, "ttyS%d: at %s (unit %d)", num[i], path,
			    hwi_find_unit(off));
			return -1;
		}
		/* The registers: where Linux shows them (0: not shown). */
		const hwi_tag *loc = hwi_tag_find(off, HWI_TAG_NAME_location, NULL);

		if (want == 0 ? loc != NULL || hwitag_find_phybase(off, NULL, &base) != -1
			      : loc == NULL || loc->location.base != want ||
				  hwitag_find_phybase(off, NULL, &base) != 0 ||
				  base != want ||
				  loc->location.regshift != shift ||
				  loc->location.len != 8u << shift ||
				  strcmp(as_name(loc->location.addrspace),
				      port ? "io" : "memory") != 0) {
			snprintf(why, len, "ttyS%d: location %#llx", num[i], want);
			return -1;
		}
		/* The interrupt, once; a second index finds none. */
		idx = 0;
		if (hwitag_find_ivec(off, &idx) !=
			(irq > 0 ? (unsigned) irq : HWI_ILLEGAL_VECTOR) ||
		    idx != (irq > 0 ? 1u : 0u) ||
		    hwitag_find_ivec(off, &idx) != HWI_ILLEGAL_VECTOR) {
			snprintf(why, len, "ttyS%d: irq %llu", num[i], irq);
			return -1;
		}
		if (uclk > 0 ? hwitag_find_clkfreq(off, NULL, &clk) != 0 ||
				clk.clk != uclk || clk.div != 16
			     : hwitag_find_clkfreq(off, NULL, &clk) != -1) {
			snprintf(why, len, "ttyS%d: clock %llu", num[i], uclk);
			return -1;
		}
		uarts++;
	}
	if (hwi_find_device("8250", (unsigned) uarts) != HWI_NULL_OFF) {
		snprintf(why, len, "an 8250 more than the %d UARTs", uarts);
		return -1;
	}
	return uarts;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every network interface but the loopback, by name, against the n-th
 * nicaddr tag of the section: its address, its device's name (the
 * driver, or the interface) and place.  The number of interfaces, or
 * -1 with why set. */
static int
check_nics(char *why, size_t len)
{
	struct dirent **e;
	int n = scandir("/sys/class/net", &e, NULL, by_name), nics = 0;
	unsigned t = HWI_NULL_OFF;
	int ret = 0;

	for (int i = 0; i < n && ret == 0; i++) {
		char dir[32 + NAME_MAX], addr[256], link[64 + NAME_MAX];
		char path[256];
		char want_name[NAME_MAX + 1], want_path[512], got[256] = "";
		struct hwi_nicaddr nic;
		ssize_t k;

		if (e[i]->d_name[0] == '.' || strcmp(e[i]->d_name, "lo") == 0) {
			continue;
		}
		snprintf(dir, sizeof(dir), "/sys/class/net/%s", e[i]->d_name);
		if (rd_num(dir, "type") == 772 ||
		    !rd_line(dir, "address", addr, sizeof(addr)) ||
		    addr[0] == '\0') {
			continue;
		}
		snprintf(link, sizeof(link), "%s/device/driver", dir);
		k = readlink(link, path, sizeof(path) - 1);
		if (k > 0) {
			path[k] = '\0';
			snprintf(want_name, sizeof(want_name), "%s",
			    strrchr(path, '/') + 1);
		} else {
			snprintf(want_name, sizeof(want_name), "%s", e[i]->d_name);
		}
		snprintf(want_path, sizeof(want_path), "/hw/%s/network/%s",
		    rd_bus(dir, HWI_ITEM_BUS_UNKNOWN), want_name);
		t = hwi_find_tag(t, 0, HWI_TAG_NAME_nicaddr);
		if (t == HWI_NULL_OFF &&
		    SYSPAGE_ENTRY_SIZE(hwinfo) + 13 * sizeof(struct hwi_group) +
			    sizeof(struct hwi_device) +
			    sizeof(struct hwi_nicaddr) > 0xfff0) {
			/* Full (less the room kept for every bus and
			 * class): the rest are left out, as documented. */
			break;
		}
		if (t == HWI_NULL_OFF) {
			snprintf(why, len, "%s: no nicaddr #%d", e[i]->d_name, nics);
			ret = -1;
			break;
		}
		const struct hwi_nicaddr *tag = hwi_off2tag(t);
		unsigned dev = HWI_NULL_OFF;

		/* Its item: the last one before it. */
		for (unsigned o = 0; o != HWI_NULL_OFF && o < t;
		     o = hwi_next_item(o)) {
			dev = o;
		}
		for (uint32_t b = 0; b < tag->len && b < HWI_NICADDR_MAX; b++) {
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
			    "%s%02x", b > 0 ? ":" : "", tag->addr[b]);
		}
		path_of(dev, path, sizeof(path));
		if (strcasecmp(got, addr) != 0 || strcmp(path, want_path) != 0 ||
		    hwitag_find_nicaddr(dev, NULL, &nic) != 0 ||
		    memcmp(&nic, tag, sizeof(nic)) != 0) {
			snprintf(why, len, "%.32s: %.64s at %.64s, not %.64s at %.64s",
			    e[i]->d_name, got, path, addr, want_path);
			ret = -1;
			break;
		}
		nics++;
	}
	for (int i = 0; i < n; i++) {
		free(e[i]);
	}
	free(e);
	if (ret == 0 && t != HWI_NULL_OFF &&
	    hwi_find_tag(t, 0, HWI_TAG_NAME_nicaddr) != HWI_NULL_OFF) {
		snprintf(why, len, "a nicaddr more than the %d interfaces", nics);
		ret = -1;
	}
	return ret < 0 ? -1 : nics;
}

START_TEST(test_uarts_match_sysfs)
{
	char why[256] = "";
	int n = check_uarts(why, sizeof(why));

	ck_assert_msg(n >= 0, "%s", why);
	fprintf(stderr, "test_uarts_match_sysfs: %d UART(s)\n", n);
	if (n == 0) {
		ck_assert_uint_eq(hwi_find_item(HWI_NULL_OFF,
				      HWI_ITEM_DEVCLASS_SERIAL, NULL),
		    HWI_NULL_OFF);
	}
}
END_TEST

START_TEST(test_nics_match_sysfs)
{
	char why[512] = "";
	int n = check_nics(why, sizeof(why));

	ck_assert_msg(n >= 0, "%s", why);
	fprintf(stderr, "test_nics_match_sysfs: %d interface(s)\n", n);
}
END_TEST

/* ---- the driver library's calls, and what is not there ------------------ */

START_TEST(test_drvr_calls)
{
	static unsigned it[MAX_ITEMS];
	size_t n = items(it);
	unsigned buses = 0, devs = 0;

	ck_assert_uint_eq(hwi_find(NULL, -1, HWI_NULL_OFF), 0);
	ck_assert_uint_eq(hwi_find(HWI_ITEM_ROOT_HW, 0, HWI_NULL_OFF), 0);
	ck_assert_uint_eq(hwi_find(HWI_ITEM_ROOT_HW, 1, HWI_NULL_OFF),
	    HWI_NULL_OFF);
	ck_assert_int_eq(hwi_find_unit(0), 0);
	for (size_t i = 0; i < n; i++) {
		const char *kind = tag_name(it[i]);

		if (strcmp(kind, HWI_TAG_NAME_bus) == 0) {
			ck_assert_uint_eq(hwi_find_bus(NULL, buses++), it[i]);
			ck_assert_uint_eq(hwi_find_bus(item_name(it[i]), 0), it[i]);
			ck_assert_uint_eq(hwi_find(item_name(it[i]), -1,
					      HWI_NULL_OFF), it[i]);
			ck_assert_uint_eq(hwi_find(item_name(it[i]), 0, 0), it[i]);
		} else if (strcmp(kind, HWI_TAG_NAME_device) == 0) {
			unsigned bus = item_at(item_at(it[i])->owner)->owner;
			int unit = hwi_find_unit(it[i]), below = 0;

			ck_assert_uint_eq(hwi_find_device(NULL, devs++), it[i]);
			ck_assert_int_ge(unit, 0);
			ck_assert_uint_eq(hwi_find_device(item_name(it[i]),
					      (unsigned) unit), it[i]);
			ck_assert_uint_eq(hwi_find(item_name(it[i]), unit,
					      HWI_NULL_OFF), it[i]);
			/* Its unit below its bus: how many of its name
			 * come before it there. */
			for (size_t j = 0; j < i; j++) {
				below += strcmp(item_name(it[j]),
					     item_name(it[i])) == 0 &&
					 item_at(item_at(it[j])->owner)->owner == bus;
			}
			ck_assert_uint_eq(hwi_find(item_name(it[i]), below, bus),
			    it[i]);
			/* Not below the other buses. */
			for (unsigned b = 0; hwi_find_bus(NULL, b) != HWI_NULL_OFF; b++) {
				if (hwi_find_bus(NULL, b) != bus) {
					ck_assert_uint_ne(hwi_find(item_name(it[i]),
							      -1,
							      hwi_find_bus(NULL, b)),
					    it[i]);
				}
			}
			/* hwi_tag_find(): NULL is any tag, the index moves. */
			unsigned idx = 0, tags = 0;

			while (hwi_tag_find(it[i], NULL, &idx) != NULL) {
				tags++;
				ck_assert_uint_eq(idx, tags);
			}
			ck_assert_uint_eq(idx, tags);
			ck_assert_uint_ge(tags, 1);
			ck_assert_ptr_eq(hwi_tag_find(it[i], NULL, NULL),
			    hwi_off2tag(hwi_next_tag(it[i], 1)));
		}
	}
	ck_assert_uint_eq(item_at(0)->kids, buses);
	ck_assert_uint_eq(hwi_find_bus(NULL, buses), HWI_NULL_OFF);
	ck_assert_uint_eq(hwi_find_device(NULL, devs), HWI_NULL_OFF);
}
END_TEST

START_TEST(test_absent)
{
	unsigned dev = hwi_find_device(NULL, 0), idx = 0;
	struct hwi_busattr ba;
	struct hwi_nicaddr nic;
	uint64_t base = 7;

	ck_assert_uint_eq(hwi_find_item(HWI_NULL_OFF, "no-such-thing", NULL),
	    HWI_NULL_OFF);
	ck_assert_uint_eq(hwi_find_item(HWI_NULL_OFF, HWI_ITEM_BUS_EISA, NULL),
	    HWI_NULL_OFF);
	ck_assert_uint_eq(hwi_find_item(HWI_NULL_OFF, "x", HWI_ITEM_ROOT_HW,
			      NULL), HWI_NULL_OFF);
	ck_assert_uint_eq(hwi_find_tag(HWI_NULL_OFF, 0,
			      HWI_TAG_NAME_diskgeometry), HWI_NULL_OFF);
	ck_assert_uint_eq(hwi_find_device("no-such-chip", 0), HWI_NULL_OFF);
	ck_assert_uint_eq(hwi_find_bus(HWI_ITEM_BUS_MCA, 0), HWI_NULL_OFF);
	ck_assert_uint_eq(hwi_find("no-such-thing", -1, HWI_NULL_OFF),
	    HWI_NULL_OFF);
	/* Not items: a tag's offset, the middle of one, none, the end. */
	ck_assert_int_eq(hwi_find_unit(HWI_NULL_OFF), -1);
	ck_assert_int_eq(hwi_find_unit(2), -1);
	ck_assert_int_eq(hwi_find_unit((unsigned) SYSPAGE_ENTRY_SIZE(hwinfo)),
	    -1);
	ck_assert_ptr_null(hwi_tag_find(HWI_NULL_OFF, NULL, NULL));
	ck_assert_ptr_null(hwi_tag_find(2, NULL, NULL));
	ck_assert_uint_eq(hwitag_find_ivec(HWI_NULL_OFF, NULL),
	    HWI_ILLEGAL_VECTOR);
	ck_assert_int_eq(hwitag_find_phybase(HWI_NULL_OFF, NULL, &base), -1);
	ck_assert_uint_eq(base, 7); /* untouched */
	/* The root and the buses have no tags; nothing has errata or bus
	 * attributes on Linux. */
	ck_assert_ptr_null(hwi_tag_find(0, NULL, NULL));
	ck_assert_uint_eq(hwitag_find_ivec(0, &idx), HWI_ILLEGAL_VECTOR);
	ck_assert_uint_eq(idx, 0);
	ck_assert_int_eq(hwitag_find_errata(0, NULL), -1);
	if (hwi_find_bus(NULL, 0) != HWI_NULL_OFF) {
		ck_assert_int_eq(hwitag_find_busattr(hwi_find_bus(NULL, 0), NULL,
				     &ba), -1);
		ck_assert_int_eq(hwitag_find_nicaddr(hwi_find_bus(NULL, 0), NULL,
				     &nic), -1);
	}
	if (dev != HWI_NULL_OFF) {
		ck_assert_int_eq(hwitag_find_errata(dev, NULL), -1);
		ck_assert_ptr_null(hwi_tag_find(dev, "no-such-tag", NULL));
		/* A tag offset is not the item. */
		ck_assert_ptr_null(hwi_tag_find(hwi_next_tag(dev, 1), NULL, NULL));
		idx = 1000;
		ck_assert_ptr_null(hwi_tag_find(dev, NULL, &idx));
		ck_assert_uint_eq(idx, 1000);
	}
	/* More names than any tree here has levels. */
	ck_assert_uint_eq(hwi_find_item(HWI_NULL_OFF, "a", "a", "a", "a", "a",
			      "a", "a", "a", "a", "a", "a", "a", "a", "a", "a",
			      "a", "a", "a", "a", "a", "a", "a", "a", "a", "a",
			      "a", "a", "a", "a", "a", "a", "a", "a", NULL),
	    HWI_NULL_OFF);
}
END_TEST

/* ---- first use from many threads, and as another user ------------------- */

#define THREADS 8

static pthread_barrier_t go;

static void *
racer(void *arg)
{
	unsigned *out = arg;

	pthread_barrier_wait(&go);
	out[0] = hwi_find_item(HWI_NULL_OFF, HWI_ITEM_ROOT_HW, NULL);
	out[1] = hwi_find_device(NULL, 0);
	out[2] = (unsigned) SYSPAGE_ENTRY_SIZE(hwinfo);
	out[3] = hwi_find_tag(HWI_NULL_OFF, 0, HWI_TAG_NAME_nicaddr);
	return NULL;
}

/* Each test is a fresh process: these threads build the page together. */
START_TEST(test_first_use_threads)
{
	pthread_t th[THREADS];
	unsigned out[THREADS][4];

	pthread_barrier_init(&go, NULL, THREADS);
	for (int i = 0; i < THREADS; i++) {
		ck_assert_int_eq(pthread_create(&th[i], NULL, racer, out[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
	}
	pthread_barrier_destroy(&go);
	for (int i = 0; i < THREADS; i++) {
		ck_assert_uint_eq(out[i][0], 0);
		ck_assert_mem_eq(out[i], out[0], sizeof(out[0]));
	}
	ck_assert_uint_eq(out[0][2], SYSPAGE_ENTRY_SIZE(hwinfo));
}
END_TEST

static void
as_user(int fd, void *arg)
{
	char why[512];

	(void) arg;
	axa_become();
	if (check_uarts(why, sizeof(why)) < 0 || check_nics(why, sizeof(why)) < 0) {
		fprintf(stderr, "test_unprivileged: %s\n", why);
		axt_report(fd, 1);
		return;
	}
	axt_report(fd, 0);
}

/* Nothing here needs root: another user's section matches what sysfs
 * shows that user. */
START_TEST(test_unprivileged)
{
	if (!axa_user("test_unprivileged")) {
		return;
	}
	struct axt_child c = axt_spawn(as_user, NULL);

	ck_assert_int_eq(c.val, 0);
	ck_assert_int_eq(axt_child_wait(&c, 10), 0);
}
END_TEST

static Suite *
hwinfo_suite(void)
{
	Suite *s = suite_create("hwinfo");
	TCase *t = axt_tcase("hwinfo", 20);

	tcase_add_test(t, test_structure);
	tcase_add_test(t, test_walk_calls);
	tcase_add_test(t, test_find_item_tag);
	tcase_add_test(t, test_uarts_match_sysfs);
	tcase_add_test(t, test_nics_match_sysfs);
	tcase_add_test(t, test_drvr_calls);
	tcase_add_test(t, test_absent);
	tcase_add_test(t, test_first_use_threads);
	tcase_add_test(t, test_unprivileged);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(hwinfo_suite());
}
