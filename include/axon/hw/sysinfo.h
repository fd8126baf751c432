/* SPDX-License-Identifier: MIT */
/*
 * <hw/sysinfo.h> for Axon: the system page's hwinfo section, QNX's
 * description of the machine's hardware (hwinfo(3)), and the calls that
 * walk it: QNX's C library's hwi_find_item(), hwi_find_tag(),
 * hwi_next_item(), hwi_next_tag(), hwi_off2tag() and hwi_tag2off(), and
 * its driver library's (<drvr/hwinfo.h>, which includes this header)
 * hwi_find(), hwi_find_bus(), hwi_find_device(), hwi_find_unit(),
 * hwi_tag_find() and hwitag_find_*().
 *
 * The section is a sequence of tags, each beginning with a struct
 * hwi_prefix whose size counts 4-byte words and whose name is an offset
 * into the strings section.  An item (a tag whose name begins with an
 * upper-case letter: "Group", "Bus", "Device") begins the description of
 * one thing and is followed by its own tags ("location", "irq", ...);
 * its itemsize, in 4-byte words, reaches the next item, and its owner is
 * the byte offset of the item above it in the /hw/bus/devclass/device
 * tree, or HWI_NULL_OFF.  Offsets into the section are in bytes.
 *
 * QNX's startup program writes the section at boot; Axon builds it once
 * per process, the first time a program looks at the system page, from
 * what Linux shows in sysfs: the serial ports (an "8250" Device under
 * "serial") and network interfaces (under "network"), each under the bus
 * sysfs puts it on.  The members are those QNX's documentation gives;
 * where it gives none (inputclk, nicaddr, busattr, errata) and for the
 * values of HWI_NULL_OFF and HWI_ILLEGAL_VECTOR, the choice is Axon's.
 */
#ifndef AXON_HW_SYSINFO_H
#define AXON_HW_SYSINFO_H

#include <stdint.h>

#include <sys/syspage.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

/* No item, no tag: what the calls return when there is none. */
#define HWI_NULL_OFF       0xffffu
/* hwitag_find_ivec()'s answer when there is no such interrupt. */
#define HWI_ILLEGAL_VECTOR 0xffffffffu

/* The start of every tag. */
struct hwi_prefix {
	uint16_t size;               /* the tag's length, in 4-byte words */
	uint16_t name;               /* offset of its name, strings section */
};

/* The start of every item. */
struct hwi_item {
	struct hwi_prefix prefix;
	uint16_t itemsize;           /* 4-byte words to the next item */
	uint16_t itemname;           /* offset of its name, strings section */
	uint16_t owner;              /* byte offset of its owner, or HWI_NULL_OFF */
	uint16_t kids;               /* the items it owns */
};

/* ---- items ---- */

#define HWI_TAG_NAME_group  "Group"
#define HWI_TAG_ALIGN_group (sizeof(uint32_t))
struct hwi_group {
	struct hwi_item item;
};

#define HWI_TAG_NAME_bus  "Bus"
#define HWI_TAG_ALIGN_bus (sizeof(uint32_t))
struct hwi_bus {
	struct hwi_item item;
};

#define HWI_TAG_NAME_device  "Device"
#define HWI_TAG_ALIGN_device (sizeof(uint32_t))
struct hwi_device {
	struct hwi_item item;
	uint32_t pnpid;              /* 0: Linux gives no Plug and Play id */
};

/* The tree's root, and the items under it. */
#define HWI_ITEM_ROOT_HW        "hw"
#define HWI_ITEM_BUS_PCI        "pci"
#define HWI_ITEM_BUS_ISA        "isa"
#define HWI_ITEM_BUS_EISA       "eisa"
#define HWI_ITEM_BUS_MCA        "mca"
#define HWI_ITEM_BUS_PCMCIA     "pcmcia"
#define HWI_ITEM_BUS_CAN        "can"
#define HWI_ITEM_BUS_SDIO       "sdio"
#define HWI_ITEM_BUS_I394       "I394"
#define HWI_ITEM_BUS_MOST       "most"
#define HWI_ITEM_BUS_USB        "usb"      /* Axon's */
#define HWI_ITEM_BUS_UNKNOWN    "unknown"
#define HWI_ITEM_DEVCLASS_SERIAL  "serial"
#define HWI_ITEM_DEVCLASS_RTC     "rtc"
#define HWI_ITEM_DEVCLASS_NETWORK "network" /* Axon's */
#define HWI_ITEM_DEVCLASS_QVM     "qvm"

/* ---- tags ---- */

/* Where a device's registers are: base in the address space whose
 * asinfo entry is at byte offset addrspace ("memory" or "io"). */
#define HWI_TAG_NAME_location  "location"
#define HWI_TAG_ALIGN_location (sizeof(uint64_t))
struct hwi_location {
	struct hwi_prefix prefix;
	uint32_t len;                /* bytes of registers */
	uint64_t base;               /* physical address or I/O port */
	uint16_t regshift;           /* register n is at base + (n << regshift) */
	uint16_t addrspace;          /* byte offset into the asinfo section */
};

#define HWI_TAG_NAME_irq  "irq"
#define HWI_TAG_ALIGN_irq (sizeof(uint32_t))
struct hwi_irq {
	struct hwi_prefix prefix;
	uint32_t vector;             /* Linux's interrupt number */
};

#define HWI_TAG_NAME_diskgeometry  "diskgeometry"
#define HWI_TAG_ALIGN_diskgeometry (sizeof(uint32_t))
struct hwi_diskgeometry {
	struct hwi_prefix prefix;
	uint8_t disknumber;
	uint8_t sectorsize;          /* a power of two */
	uint16_t heads;
	uint16_t cyls;
	uint16_t sectors;
	uint32_t nblocks;
};

/* Fills the room before a tag that must be 8-byte aligned. */
#define HWI_TAG_NAME_pad  "pad"
#define HWI_TAG_ALIGN_pad (sizeof(uint32_t))
struct hwi_pad {
	struct hwi_prefix prefix;
};

/* The clock a device runs from: clk Hz, divided by div (a UART's 16). */
#define HWI_TAG_NAME_inputclk  "inputclk"
#define HWI_TAG_ALIGN_inputclk (sizeof(uint32_t))
struct hwi_inputclk {
	struct hwi_prefix prefix;
	uint32_t clk;
	uint32_t div;
};

/* A network interface's hardware address, len bytes of addr. */
#define HWI_NICADDR_MAX 32
#define HWI_TAG_NAME_nicaddr  "nicaddr"
#define HWI_TAG_ALIGN_nicaddr (sizeof(uint32_t))
struct hwi_nicaddr {
	struct hwi_prefix prefix;
	uint32_t len;
	uint8_t addr[HWI_NICADDR_MAX];
};

/* Named for hwitag_find_busattr() and hwitag_find_errata(); Linux gives
 * Axon nothing to put in them, so the section has none. */
#define HWI_TAG_NAME_busattr  "busattr"
#define HWI_TAG_ALIGN_busattr (sizeof(uint32_t))
struct hwi_busattr {
	struct hwi_prefix prefix;
	uint32_t attr[7];
};

#define HWI_TAG_NAME_errata  "errata"
#define HWI_TAG_ALIGN_errata (sizeof(uint32_t))
struct hwi_errata {
	struct hwi_prefix prefix;
	uint32_t num;
};

/* Any tag, as hwi_tag_find() returns it. */
typedef union {
	struct hwi_prefix prefix;
	struct hwi_item item;
	struct hwi_group group;
	struct hwi_bus bus;
	struct hwi_device device;
	struct hwi_location location;
	struct hwi_irq irq;
	struct hwi_diskgeometry diskgeometry;
	struct hwi_pad pad;
	struct hwi_inputclk inputclk;
	struct hwi_nicaddr nicaddr;
	struct hwi_busattr busattr;
	struct hwi_errata errata;
} hwi_tag;

/* ---- QNX's C library ---- */

/* The item after start (HWI_NULL_OFF: the first) whose name is the last
 * of the names, owned by an item named by the one before it, and so on;
 * the names end with NULL, and none at all matches any item. */
AXON_EXPORT unsigned hwi_find_item(unsigned start, ...);
/* The tag named tagname (NULL: any) after start (HWI_NULL_OFF: from the
 * first), within start's item if curr_item is non-zero. */
AXON_EXPORT unsigned hwi_find_tag(unsigned start, int curr_item,
    const char *tagname);
AXON_EXPORT unsigned hwi_next_item(unsigned off);
AXON_EXPORT unsigned hwi_next_tag(unsigned off, int curr_item);
/* NULL, and HWI_NULL_OFF, for what is not in the section. */
AXON_EXPORT void *hwi_off2tag(unsigned off);
AXON_EXPORT unsigned hwi_tag2off(void *tag);

/* ---- QNX's driver library (<drvr/hwinfo.h>) ---- */

/* The unit-th (from 0; -1: the first) item named name (NULL: any) below
 * the item at hwi_off (HWI_NULL_OFF: anywhere). */
AXON_EXPORT unsigned hwi_find(const char *name, int unit, unsigned hwi_off);
/* The unit-th Bus, or Device, item named name (NULL: any). */
AXON_EXPORT unsigned hwi_find_bus(const char *name, unsigned unit);
AXON_EXPORT unsigned hwi_find_device(const char *name, unsigned unit);
/* Which of the items of its kind and name the one at hwi_off is, or -1. */
AXON_EXPORT int hwi_find_unit(unsigned hwi_off);
/* The *tag_idx-th (NULL: the first) tag named tag_name (NULL: any) of the
 * item at hwi_off, advancing *tag_idx; NULL if there is none. */
AXON_EXPORT hwi_tag *hwi_tag_find(unsigned hwi_off, const char *tag_name,
    unsigned *tag_idx);
/* The item's *idx-th (NULL: first) tag of the kind, *idx advanced: */
AXON_EXPORT unsigned hwitag_find_ivec(unsigned hwi_off, unsigned *irq_idx);
AXON_EXPORT int hwitag_find_phybase(unsigned hwi_off, unsigned *phybase_idx,
    uint64_t *phybase);
AXON_EXPORT int hwitag_find_clkfreq(unsigned hwi_off, unsigned *clk_idx,
    struct hwi_inputclk *clk);
AXON_EXPORT int hwitag_find_nicaddr(unsigned hwi_off, unsigned *nicaddr_idx,
    struct hwi_nicaddr *nicaddr);
AXON_EXPORT int hwitag_find_busattr(unsigned hwi_off, unsigned *busattr_idx,
    struct hwi_busattr *busattr);
AXON_EXPORT int hwitag_find_errata(unsigned hwi_off, unsigned *errata_idx);

#ifdef __cplusplus
}
#endif

#endif /* AXON_HW_SYSINFO_H */
