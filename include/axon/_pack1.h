/* SPDX-License-Identifier: MIT */
/*
 * <_pack1.h> for Axon, as QNX's: structures declared after it are packed
 * to 1-byte alignment (no padding) until <_packpop.h> restores the
 * packing in force before.  The pair nests: each <_pack1.h> pushes the
 * current packing and each <_packpop.h> pops one.  No include guard, as
 * each inclusion must push again.  GCC and Clang both take the pragma.
 * See qnx-libc(3).
 */
#pragma pack(push, 1)
