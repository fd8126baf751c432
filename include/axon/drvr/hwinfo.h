/* SPDX-License-Identifier: MIT */
/*
 * <drvr/hwinfo.h> for Axon: QNX's driver library's calls on the system
 * page's hwinfo section (hwi_find_device(), hwi_find_bus(),
 * hwitag_find_ivec(), ...; hwinfo(3)).  On QNX they are in libdrvr
 * (-ldrvr); here they are libaxon's, declared with the section's tags in
 * <hw/sysinfo.h>, which this header includes.
 */
#ifndef AXON_DRVR_HWINFO_H
#define AXON_DRVR_HWINFO_H

#include <hw/sysinfo.h>

#endif /* AXON_DRVR_HWINFO_H */
