/* SPDX-License-Identifier: MIT */
/*
 * <pci/pci.h> for Axon: the client side of QNX 7's PCI server
 * (pci_device_find(3)), answered from Linux's sysfs
 * (/sys/bus/pci/devices) instead of a pci-server process.
 *
 * The names, types and bit layouts are QNX's documented ones (pci_bdf_t,
 * pci_ccode_t, pci_cs_t).  QNX does not publish the numeric values of
 * its wildcards, error codes and flags; the values here are Axon's own
 * (source compatibility, not binary): the PCI_ERR_E* codes are the
 * errno values of the same names.
 *
 * Attachments are recorded with flock(2) on the device's sysfs files,
 * so they hold between every process of the machine and end with the
 * process.  A device that a Linux driver drives (other than
 * uio_pci_generic, vfio-pci and pci-stub) cannot be attached as its
 * owner: PCI_ERR_ATTACH_OWNED.
 */
#ifndef AXON_PCI_PCI_H
#define AXON_PCI_PCI_H

#include <errno.h>
#include <stdint.h>

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* QNX's base types, which its PCI calls take. */
typedef unsigned int uint_t;
typedef int int_t;

/* Bus, device, function: bbbb bbbb dddd dfff in the low 16 bits, or
 * bbbb bbbb ffff ffff with bit 16 set (ARI).  Axon puts the PCI domain
 * (segment) in bits 17-31: 0 for the first, so that a machine with one
 * domain has QNX's values. */
typedef uint32_t pci_bdf_t;
typedef uint16_t pci_vid_t;
typedef uint16_t pci_did_t;
typedef uint16_t pci_ssvid_t;
typedef uint16_t pci_ssid_t;
typedef uint8_t pci_revid_t;
/* Class code: 0000 0000 CCCC CCCC cccc cccc rrrr rrrr (class,
 * subclass, register interface). */
typedef uint32_t pci_ccode_t;
typedef uint16_t pci_cmd_t;
typedef uint16_t pci_stat_t;
typedef uint8_t pci_clsize_t;
typedef uint8_t pci_latency_t;
typedef uint8_t pci_hdrType_t;
typedef uint8_t pci_capid_t;
/* Chassis and slot: cccs ssss ssss ssss. */
typedef uint16_t pci_cs_t;
typedef int32_t pci_irq_t;
typedef int pci_err_t;
typedef struct axon_pci_attach *pci_devhdl_t;

#define PCI_BDF_NONE  ((pci_bdf_t) 0xffffffffu)
#define PCI_VID_ANY   ((pci_vid_t) 0xffffu)
#define PCI_DID_ANY   ((pci_did_t) 0xffffu)
#define PCI_CCODE_ANY ((pci_ccode_t) 0xffffffffu)

#define PCI_BDF(b, d, f)                                                 \
	((pci_bdf_t) ((((b) & 0xffu) << 8) | (((d) & 0x1fu) << 3) |      \
	    ((f) & 0x7u)))
#define PCI_IS_ARI(bdf) ((((pci_bdf_t) (bdf)) >> 16) & 1u)
#define PCI_BUS(bdf)    ((((pci_bdf_t) (bdf)) >> 8) & 0xffu)
#define PCI_DEV(bdf)                                                     \
	(PCI_IS_ARI(bdf) ? 0u : (((pci_bdf_t) (bdf)) >> 3) & 0x1fu)
/* Linux's <linux/pci.h> has PCI_FUNC and PCI_SLOT of a devfn: a
 * program that includes both keeps the first definition it sees. */
#ifndef PCI_FUNC
#define PCI_FUNC(bdf)                                                    \
	(PCI_IS_ARI(bdf) ? ((pci_bdf_t) (bdf)) & 0xffu                   \
			 : ((pci_bdf_t) (bdf)) & 0x7u)
#endif
#define PCI_CS(c, s)    ((pci_cs_t) ((((c) & 0x7u) << 13) | ((s) & 0x1fffu)))
#define PCI_CHASSIS(cs) ((((pci_cs_t) (cs)) >> 13) & 0x7u)
#ifndef PCI_SLOT
#define PCI_SLOT(cs)    (((pci_cs_t) (cs)) & 0x1fffu)
#endif

/* Results: 0, the errno values of the same names, and the attachment
 * conflicts. */
#define PCI_ERR_OK       0
#define PCI_ERR_EINVAL   EINVAL
#define PCI_ERR_ENODEV   ENODEV
#define PCI_ERR_ENOENT   ENOENT
#define PCI_ERR_EIO      EIO
#define PCI_ERR_ENOMEM   ENOMEM
#define PCI_ERR_EPERM    EPERM
#define PCI_ERR_ENOTSUP  ENOTSUP
#define PCI_ERR_EBUSY    EBUSY
#define PCI_ERR_ATTACH_EXCLUSIVE 0x1001 /* attached exclusively */
#define PCI_ERR_ATTACH_SHARED    0x1002 /* exclusive asked, shared held */
#define PCI_ERR_ATTACH_OWNED     0x1003 /* it has an owner already */
#define PCI_ERR_ATTACH_LIMIT     0x1004 /* no more attachments */
#define PCI_ERR_LOCK_FAILURE     0x1005 /* the record failed */

/* pci_device_attach(): one of EXCLUSIVE or SHARED, OWNER and MULTI
 * ORed in. */
typedef uint32_t pci_attachFlags_t;
enum {
	pci_attachFlags_e_EXCLUSIVE = 1u << 0,
	pci_attachFlags_e_SHARED = 1u << 1,
	pci_attachFlags_e_OWNER = 1u << 2,
	pci_attachFlags_e_MULTI = 1u << 3,
	pci_attachFlags_OWNER =
	    pci_attachFlags_e_SHARED | pci_attachFlags_e_OWNER,
	pci_attachFlags_MULTI_OWNER = pci_attachFlags_e_SHARED |
	    pci_attachFlags_e_OWNER | pci_attachFlags_e_MULTI,
	pci_attachFlags_EXCLUSIVE_OWNER =
	    pci_attachFlags_e_EXCLUSIVE | pci_attachFlags_e_OWNER,
	pci_attachFlags_DEFAULT = pci_attachFlags_OWNER,
};

typedef enum {
	pci_reqType_e_MANDATORY = 0,
	pci_reqType_e_ADVISORY = 1,
	pci_reqType_e_UNSPECIFIED = 2,
} pci_reqType_t;

typedef enum {
	pci_asType_e_NONE = 0,
	pci_asType_e_MEM = 1,
	pci_asType_e_IO = 2,
} pci_asType_t;

typedef uint32_t pci_asAttr_t;
enum {
	pci_asAttr_e_PREFETCH = 1u << 0, /* prefetchable memory */
	pci_asAttr_e_64BIT = 1u << 1,    /* a 64-bit memory BAR */
	pci_asAttr_e_EXPANSION_ROM = 1u << 2,
};

/* One address space of a device: a BAR (bar_num 0-5) or its expansion
 * ROM (bar_num -1); addr is the CPU's physical (or port) address, as
 * mmap_device_memory() and mmap_device_io() take it. */
typedef struct {
	uint64_t addr;
	uint64_t size;
	int_t bar_num;
	pci_asType_t type;
	pci_asAttr_t attr;
} pci_ba_t;

/* The idx-th (from 0) device that matches, in domain, bus, device and
 * function order, or PCI_BDF_NONE. */
AXON_EXPORT pci_bdf_t pci_device_find(const uint_t idx, const pci_vid_t vid,
    const pci_did_t did, const pci_ccode_t classcode);

AXON_EXPORT pci_devhdl_t pci_device_attach(pci_bdf_t bdf,
    pci_attachFlags_t flags, pci_err_t *err);
AXON_EXPORT pci_err_t pci_device_detach(pci_devhdl_t hdl);
AXON_EXPORT pci_bdf_t pci_bdf(pci_devhdl_t hdl);

AXON_EXPORT pci_err_t pci_device_read_vid(pci_bdf_t bdf, pci_vid_t *vid);
AXON_EXPORT pci_err_t pci_device_read_did(pci_bdf_t bdf, pci_did_t *did);
AXON_EXPORT pci_err_t pci_device_read_ssvid(pci_bdf_t bdf,
    pci_ssvid_t *ssvid);
AXON_EXPORT pci_err_t pci_device_read_ssid(pci_bdf_t bdf, pci_ssid_t *ssid);
AXON_EXPORT pci_err_t pci_device_read_revid(pci_bdf_t bdf,
    pci_revid_t *revid);
AXON_EXPORT pci_err_t pci_device_read_ccode(pci_bdf_t bdf,
    pci_ccode_t *ccode);
AXON_EXPORT pci_err_t pci_device_read_cmd(pci_bdf_t bdf, pci_cmd_t *cmd);
AXON_EXPORT pci_err_t pci_device_read_status(pci_bdf_t bdf,
    pci_stat_t *status);
AXON_EXPORT pci_err_t pci_device_read_clsize(pci_bdf_t bdf,
    pci_clsize_t *clsize);
AXON_EXPORT pci_err_t pci_device_read_latency(pci_bdf_t bdf,
    pci_latency_t *latency);
AXON_EXPORT pci_err_t pci_device_read_hdrType(pci_bdf_t bdf,
    pci_hdrType_t *hdrType);

/* The attachment must be an owner's.  ba (irq) NULL: the count in *nba
 * (*nirq).  Otherwise at most *nba are filled and *nba says how many. */
AXON_EXPORT pci_err_t pci_device_read_ba(pci_devhdl_t hdl, int_t *nba,
    pci_ba_t *ba, pci_reqType_t reqType);
AXON_EXPORT pci_err_t pci_device_read_irq(pci_devhdl_t hdl, int_t *nirq,
    pci_irq_t *irq);

AXON_EXPORT pci_err_t pci_device_read_capid(pci_bdf_t bdf,
    pci_capid_t *capid, uint_t idx);
AXON_EXPORT int_t pci_device_find_capid(pci_bdf_t bdf, pci_capid_t capid);
AXON_EXPORT int_t pci_device_find_capid_next(pci_bdf_t bdf,
    pci_capid_t capid, int_t idx);

AXON_EXPORT pci_cs_t pci_device_chassis_slot(pci_bdf_t bdf);

AXON_EXPORT pci_err_t pci_device_cfg_rd8(pci_bdf_t bdf, uint_t offset,
    uint8_t *val);
AXON_EXPORT pci_err_t pci_device_cfg_rd16(pci_bdf_t bdf, uint_t offset,
    uint16_t *val);
AXON_EXPORT pci_err_t pci_device_cfg_rd32(pci_bdf_t bdf, uint_t offset,
    uint32_t *val);
AXON_EXPORT pci_err_t pci_device_cfg_rd64(pci_bdf_t bdf, uint_t offset,
    uint64_t *val);
/* Writes need an owner's attachment; val_rb (may be NULL) gets what the
 * register holds afterwards. */
AXON_EXPORT pci_err_t pci_device_cfg_wr8(pci_devhdl_t hdl, uint_t offset,
    uint8_t val, uint8_t *val_rb);
AXON_EXPORT pci_err_t pci_device_cfg_wr16(pci_devhdl_t hdl, uint_t offset,
    uint16_t val, uint16_t *val_rb);
AXON_EXPORT pci_err_t pci_device_cfg_wr32(pci_devhdl_t hdl, uint_t offset,
    uint32_t val, uint32_t *val_rb);
AXON_EXPORT pci_err_t pci_device_cfg_wr64(pci_devhdl_t hdl, uint_t offset,
    uint64_t val, uint64_t *val_rb);

#ifdef __cplusplus
}
#endif

#endif /* AXON_PCI_PCI_H */
