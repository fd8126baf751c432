/* SPDX-License-Identifier: MIT */
/*
 * <sys/iomsg.h> for Axon: the resource-manager message types that QNX
 * servers written around name_attach() test for (_IO_CONNECT and the
 * _IO_BASE.._IO_MAX range), and the common message headers.
 */
#ifndef AXON_SYS_IOMSG_H
#define AXON_SYS_IOMSG_H

#include <stdint.h>
#include <sys/types.h>

#define _IO_BASE     0x100
#define _IO_CONNECT  0x100
#define _IO_READ     0x101
#define _IO_WRITE    0x102
#define _IO_RSVD_CLOSE_OCB 0x103
#define _IO_STAT     0x104
#define _IO_NOTIFY   0x105
#define _IO_DEVCTL   0x106
#define _IO_RSVD_UNBLOCK 0x107
#define _IO_PATHCONF 0x108
#define _IO_LSEEK    0x109
#define _IO_CHMOD    0x10a
#define _IO_CHOWN    0x10b
#define _IO_UTIME    0x10c
#define _IO_OPENFD   0x10d
#define _IO_FDINFO   0x10e
#define _IO_LOCK     0x10f
#define _IO_SPACE    0x110
#define _IO_SHUTDOWN 0x111
#define _IO_MMAP     0x112
#define _IO_MSG      0x113
#define _IO_RSVD     0x114
#define _IO_DUP      0x115
#define _IO_CLOSE    0x116
#define _IO_RSVD_LOCK_OCB 0x117
#define _IO_RSVD_UNLOCK_OCB 0x118
#define _IO_SYNC     0x119
#define _IO_POWER    0x11a
#define _IO_MAX      0x1ff

#define _IO_CONNECT_COMBINE       0
#define _IO_CONNECT_COMBINE_CLOSE 1
#define _IO_CONNECT_OPEN          2
#define _IO_CONNECT_UNLINK        3
#define _IO_CONNECT_RENAME        4
#define _IO_CONNECT_MKNOD         5
#define _IO_CONNECT_READLINK      6
#define _IO_CONNECT_LINK          7
#define _IO_CONNECT_MOUNT         9

struct _io_connect {
	uint16_t type;
	uint16_t subtype;
	uint32_t file_type;
	uint16_t reply_max;
	uint16_t entry_max;
	uint32_t key;
	uint32_t handle;
	uint32_t ioflag;
	uint32_t mode;
	uint16_t sflag;
	uint16_t access;
	uint16_t zero;
	uint16_t path_len;
	uint8_t eflag;
	uint8_t extra_type;
	uint16_t extra_len;
	char path[1];
};

struct _io_read {
	uint16_t type;
	uint16_t combine_len;
	int32_t nbytes;
	uint32_t xtype;
	uint32_t zero;
};

struct _io_write {
	uint16_t type;
	uint16_t combine_len;
	int32_t nbytes;
	uint32_t xtype;
	uint32_t zero;
};

struct _io_devctl {
	uint16_t type;
	uint16_t combine_len;
	int32_t dcmd;
	int32_t nbytes;
	int32_t zero;
};

struct _io_devctl_reply {
	uint32_t zero;
	int32_t ret_val;
	int32_t nbytes;
	int32_t zero2;
};

typedef union {
	struct _io_devctl i;
	struct _io_devctl_reply o;
} io_devctl_t;

struct _io_msg {
	uint16_t type;
	uint16_t combine_len;
	uint16_t mgrid;
	uint16_t subtype;
};

typedef union {
	struct _io_read i;
} io_read_t;

typedef union {
	struct _io_write i;
} io_write_t;

typedef union {
	struct _io_msg i;
} io_msg_t;

#endif /* AXON_SYS_IOMSG_H */
