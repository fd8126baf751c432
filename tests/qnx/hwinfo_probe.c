/*
 * hwinfo_probe: the start of a QNX serial and network driver, finding
 * its hardware in the system page's hwinfo section the way QNX's
 * documentation shows: the first UART (an "8250" owned by "serial")
 * with hwi_find_item(), its registers and interrupt with hwi_find_tag()
 * and hwi_off2tag(), the same through the driver library's
 * hwi_find_device() and hwitag_find_*(); then every item with a nicaddr
 * tag, walking the items with hwi_next_item().  What it prints depends
 * on the machine: hwinfo_probe.expected.sh says what, from sysfs.
 */
#include <stdint.h>
#include <stdio.h>
#include <drvr/hwinfo.h>
#include <hw/sysinfo.h>
#include <sys/syspage.h>

int
main(void)
{
	char *strings = SYSPAGE_ENTRY(strings)->data;
	unsigned item, tag, irq = HWI_ILLEGAL_VECTOR;
	uint64_t base = 0;

	item = hwi_find_item(HWI_NULL_OFF, HWI_ITEM_DEVCLASS_SERIAL, "8250",
	    NULL);
	if (item == HWI_NULL_OFF) {
		printf("uart: none\n");
	} else {
		printf("uart: 8250");
		tag = hwi_find_tag(item, 1, HWI_TAG_NAME_location);
		if (tag != HWI_NULL_OFF) {
			struct hwi_location *loc = hwi_off2tag(tag);

			base = loc->base;
			printf(" base %#llx", (unsigned long long) loc->base);
			if (loc->addrspace < SYSPAGE_ENTRY_SIZE(asinfo)) {
				struct asinfo_entry *as = (struct asinfo_entry *)
				    ((char *) SYSPAGE_ENTRY(asinfo) +
					loc->addrspace);

				printf(" %s", &strings[as->name]);
			} else {
				printf(" none");
			}
		} else {
			printf(" base none");
		}
		tag = hwi_find_tag(item, 1, HWI_TAG_NAME_irq);
		if (tag != HWI_NULL_OFF) {
			irq = ((struct hwi_irq *) hwi_off2tag(tag))->vector;
			printf(" irq %u\n", irq);
		} else {
			printf(" irq none\n");
		}
	}
	/* The driver library finds the same. */
	if (item == HWI_NULL_OFF) {
		printf("drvr: %s\n", hwi_find_device("8250", 0) == HWI_NULL_OFF
			? "agrees" : "differs");
	} else {
		uint64_t b = 0;
		int found = hwitag_find_phybase(item, NULL, &b) == 0;

		printf("drvr: %s\n",
		    hwi_find_device("8250", 0) == item &&
			    hwitag_find_ivec(item, NULL) == irq &&
			    (found ? b == base : base == 0)
			? "agrees" : "differs");
	}
	for (item = 0; item != HWI_NULL_OFF; item = hwi_next_item(item)) {
		struct hwi_item *it;
		struct hwi_nicaddr *nic;

		tag = hwi_find_tag(item, 1, HWI_TAG_NAME_nicaddr);
		if (tag == HWI_NULL_OFF) {
			continue;
		}
		it = hwi_off2tag(item);
		nic = hwi_off2tag(tag);
		printf("nic: %s ", &strings[it->itemname]);
		for (unsigned i = 0; i < nic->len; i++) {
			printf("%s%02x", i > 0 ? ":" : "", nic->addr[i]);
		}
		printf("\n");
	}
	return 0;
}
