/* SPDX-License-Identifier: MIT */
/*
 * <_packpop.h> for Axon, as QNX's: restores the structure packing that
 * the matching <_pack1.h> saved.  No include guard (each inclusion pops
 * once).  See qnx-libc(3).
 */
#pragma pack(pop)
