/*
 * A Linux program that uses pciutils' libpci (<pci/pci.h>, libpci-dev):
 * Axon has a <pci/pci.h> too (QNX's PCI calls), in the directory
 * searched after the system's, so that this program gets pciutils'
 * header whole.  Lists the machine's PCI functions as lspci -n does.
 */
#include <pci/pci.h>
#include <stdio.h>

int
main(void)
{
	struct pci_access *pacc = pci_alloc();
	int n = 0;

	pci_init(pacc);
	pci_scan_bus(pacc);
	for (struct pci_dev *d = pacc->devices; d != NULL; d = d->next) {
		pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS);
		printf("%04x:%02x:%02x.%d %04x:%04x class %04x slot %d "
		       "func %d\n",
		    d->domain, d->bus, d->dev, d->func, d->vendor_id,
		    d->device_id, d->device_class,
		    PCI_SLOT(d->dev << 3 | d->func),
		    PCI_FUNC(d->dev << 3 | d->func));
		n++;
	}
	pci_cleanup(pacc);
	printf("%d functions\n", n);
	return 0;
}
