/* SPDX-License-Identifier: MIT */
/*
 * <sys/types.h> for Axon: the system header, plus QNX's fixed-width
 * integer types of <sys/target_nto.h> that QNX's headers make visible
 * everywhere and programs use (_Uint8t, _Int32t, ...; qnx-libc(3)).
 * Found before the system header (pkg-config --cflags axon puts Axon's
 * include directory first); it defers to it with #include_next, as
 * gnulib's replacement headers do.  The names begin with an underscore
 * and a capital, reserved to the implementation, so a Linux program sees
 * no name it may use change.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC system_header
#endif

#include_next <sys/types.h>

#ifndef AXON_SYS_TYPES_H
#define AXON_SYS_TYPES_H

typedef __int8_t _Int8t;
typedef __uint8_t _Uint8t;
typedef __int16_t _Int16t;
typedef __uint16_t _Uint16t;
typedef __int32_t _Int32t;
typedef __uint32_t _Uint32t;
typedef __int64_t _Int64t;
typedef __uint64_t _Uint64t;
typedef __intptr_t _Intptrt;
typedef unsigned long _Uintptrt;

#endif /* AXON_SYS_TYPES_H */
