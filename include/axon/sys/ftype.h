/* SPDX-License-Identifier: MIT */
/*
 * <sys/ftype.h> for Axon: the file types a resource manager attaches
 * with (resmgr_attach) and a client asks for (_io_connect.file_type).
 * _FTYPE_NAME is 12 as in QNX; the other values follow QNX's order and
 * _FTYPE_ALL is Axon's choice.
 */
#ifndef AXON_SYS_FTYPE_H
#define AXON_SYS_FTYPE_H

enum _file_type {
	_FTYPE_ANY = 0,     /* anything: devices and file systems */
	_FTYPE_FILE = 1,
	_FTYPE_LINK = 2,
	_FTYPE_SYMLINK = 3,
	_FTYPE_PIPE = 4,
	_FTYPE_SHMEM = 5,
	_FTYPE_MQUEUE = 6,
	_FTYPE_SOCKET = 7,
	_FTYPE_SEM = 8,
	_FTYPE_PHOTON = 9,
	_FTYPE_DUMPER = 10,
	_FTYPE_MOUNT = 11,
	_FTYPE_NAME = 12,   /* name_attach()/name_open() */
	_FTYPE_TYMEM = 13,
	_FTYPE_MQ = 14,
	_FTYPE_ALL = 255    /* every type (_RESMGR_FLAG_FTYPEALL) */
};

/* Device classes, the names rsrcdbmgr_devno_attach() takes. */
#define _MAJOR_PATHMGR     "pathmgr"
#define _MAJOR_DEV         "dev"   /* single /dev entries */
#define _MAJOR_BLK_PREFIX  "blk-"  /* blk-hd ... */
#define _MAJOR_CHAR_PREFIX "char-" /* char-ser ... */
#define _MAJOR_FSYS        "fsys"

#endif /* AXON_SYS_FTYPE_H */
