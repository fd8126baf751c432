/* SPDX-License-Identifier: MIT */
/*
 * <hw/pci.h> for Axon: QNX 6's PCI calls (pci_attach_device(3)), answered
 * from Linux's sysfs (/sys/bus/pci/devices) as <pci/pci.h>'s are.  They
 * see the first PCI domain only (they have no place for another).
 *
 * QNX does not publish the values of the flags; Axon's are its own
 * (source compatibility).  The results are the PCI BIOS status codes
 * whose names QNX uses.
 */
#ifndef AXON_HW_PCI_H
#define AXON_HW_PCI_H

#include <stddef.h>
#include <stdint.h>

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define PCI_SUCCESS             0x00
#define PCI_UNSUPPORTED_FUNCT   0x81
#define PCI_BAD_VENDOR_ID       0x83
#define PCI_DEVICE_NOT_FOUND    0x86
#define PCI_BAD_REGISTER_NUMBER 0x87
#define PCI_SET_FAILED          0x88
#define PCI_BUFFER_TOO_SMALL    0x89

/* pci_attach_device() flags. */
#define PCI_SHARE          0x00000001u /* others may attach too */
#define PCI_PERSIST        0x00000002u /* kept by pci_detach() */
#define PCI_MASTER_ENABLE  0x00000004u /* set the bus-master bit */
#define PCI_INIT_IRQ       0x00000008u
#define PCI_INIT_BASE0     0x00000010u
#define PCI_INIT_BASE1     0x00000020u
#define PCI_INIT_BASE2     0x00000040u
#define PCI_INIT_BASE3     0x00000080u
#define PCI_INIT_BASE4     0x00000100u
#define PCI_INIT_BASE5     0x00000200u
#define PCI_INIT_ROM       0x00000400u
#define PCI_INIT_ALL       0x000007f8u
#define PCI_SEARCH_VEND    0x00010000u /* by VendorId */
#define PCI_SEARCH_VENDEV  0x00020000u /* by VendorId and DeviceId */
#define PCI_SEARCH_CLASS   0x00040000u /* by Class */
#define PCI_SEARCH_BUSDEV  0x00080000u /* by BusNumber and DevFunc */
#define PCI_USE_MSI        0x00100000u

/* A base address as the BAR holds it: the low bits say what it is. */
#define PCI_IS_IO(a)       (((a) & 1u) == 1u)
#define PCI_IS_MEM(a)      (((a) & 1u) == 0u)
#define PCI_IS_MMAP32(a)   (((a) & 7u) == 0u)
#define PCI_IS_MMAP64(a)   (((a) & 7u) == 4u)
#define PCI_IS_PREFETCH(a) (((a) & 9u) == 8u)
#define PCI_IO_ADDR(a)     ((a) & ~(uint64_t) 0x3u)
#define PCI_MEM_ADDR(a)    ((a) & ~(uint64_t) 0xfu)
#define PCI_ROM_ADDR(a)    ((a) & ~(uint64_t) 0x7ffu)

/* What pci_attach_device() searches by (see its flags) and fills in. */
struct pci_dev_info {
	uint16_t DeviceId;
	uint16_t VendorId;
	uint16_t SubsystemId;
	uint16_t SubsystemVendorId;
	uint8_t BusNumber;
	uint8_t DevFunc;       /* device << 3 | function */
	uint8_t Revision;
	uint8_t Rsvd[5];
	uint32_t Class;        /* class << 16 | subclass << 8 | interface */
	uint32_t Irq;          /* 0: none */
	uint64_t CpuIoTranslation;   /* CPU address - PCI address: 0 */
	uint64_t CpuMemTranslation;
	uint64_t CpuIsaTranslation;
	uint64_t CpuBmstrTranslation;
	uint64_t PciBaseAddress[6];  /* with the BAR's low bits */
	uint64_t CpuBaseAddress[6];
	uint32_t BaseAddressSize[6];
	uint64_t PciRom;
	uint64_t CpuRom;
	uint32_t RomSize;
	uint32_t Rsvd1;
};

AXON_EXPORT int pci_attach(unsigned flags);
AXON_EXPORT int pci_detach(unsigned handle);
/* Have the bus scanned again for functions added or removed: Linux's
 * rescan (root's; -1 with errno otherwise), PCI_SUCCESS when done. */
AXON_EXPORT int pci_rescan_bus(void);
AXON_EXPORT int pci_present(unsigned *lastbus, unsigned *version,
    unsigned *hardware);
AXON_EXPORT int pci_find_device(unsigned device, unsigned vendor,
    unsigned index, unsigned *bus, unsigned *dev_func);
AXON_EXPORT int pci_find_class(unsigned long class_code, unsigned index,
    unsigned *bus, unsigned *dev_func);
AXON_EXPORT int pci_read_config8(unsigned bus, unsigned dev_func,
    unsigned offset, unsigned cnt, char *bufptr);
AXON_EXPORT int pci_read_config16(unsigned bus, unsigned dev_func,
    unsigned offset, unsigned cnt, char *bufptr);
AXON_EXPORT int pci_read_config32(unsigned bus, unsigned dev_func,
    unsigned offset, unsigned cnt, char *bufptr);
AXON_EXPORT int pci_write_config8(unsigned bus, unsigned dev_func,
    unsigned offset, unsigned cnt, const char *bufptr);
AXON_EXPORT int pci_write_config16(unsigned bus, unsigned dev_func,
    unsigned offset, unsigned cnt, const char *bufptr);
AXON_EXPORT int pci_write_config32(unsigned bus, unsigned dev_func,
    unsigned offset, unsigned cnt, const char *bufptr);
AXON_EXPORT void *pci_attach_device(void *handle, uint32_t flags,
    uint16_t idx, struct pci_dev_info *info);
AXON_EXPORT int pci_detach_device(void *handle);
AXON_EXPORT int pci_read_config(void *handle, unsigned offset, unsigned cnt,
    size_t size, void *bufptr);
AXON_EXPORT int pci_write_config(void *handle, unsigned offset,
    unsigned cnt, size_t size, const void *bufptr);

#ifdef __cplusplus
}
#endif

#endif /* AXON_HW_PCI_H */
