/* SPDX-License-Identifier: MIT */
/*
 * <sys/memmsg.h> for Axon: the memory manager's _MEM_INFO message, which
 * a QNX program sends to MEMMGR_COID (the process's connection to the
 * system manager, SYSMGR_COID) to learn how much memory there is
 * (MsgSend(3), "The system manager").  libaxon answers it in the
 * calling process from Linux's figures.  QNX does not publish this
 * message's layout or type number: the members are the ones QNX
 * programs use, the values Axon's own.
 */
#ifndef AXON_SYS_MEMMSG_H
#define AXON_SYS_MEMMSG_H

#include <stddef.h>
#include <stdint.h>

#include <sys/neutrino.h>
#include <sys/sysmgr.h>

#ifdef __cplusplus
extern "C" {
#endif
#ifndef NOFD
#define NOFD (-1) /* no file descriptor */
#endif

#define _MEMMGR_BASE 0x0040
#define _MEM_INFO    (_MEMMGR_BASE + 6)

/* POSIX's typed-memory description, with QNX's total. */
#ifndef AXON_POSIX_TYPED_MEM_INFO
#define AXON_POSIX_TYPED_MEM_INFO
struct posix_typed_mem_info {
	size_t posix_tmi_length;  /* bytes that can be allocated now */
	size_t __posix_tmi_total; /* bytes there are */
	size_t __posix_tmi_reserved[2];
};
#endif

struct _mem_info {
	uint16_t type;  /* _MEM_INFO */
	uint16_t zero;
	uint32_t flags; /* 0 */
	int32_t fd;     /* NOFD: the system's memory */
	int32_t reserved;
};

struct _mem_info_reply {
	uint32_t zero[2];
	struct posix_typed_mem_info info;
};

typedef union {
	struct _mem_info i;
	struct _mem_info_reply o;
} mem_info_t;

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_MEMMSG_H */
