/* SPDX-License-Identifier: MIT */
/*
 * <devctl.h> for Axon: devctl()/devctlv() and the command encoding.
 *
 * A command is bits 0-7 command, 8-15 class, 16-29 a size hint (the
 * size of its data, to make codes unique) and 30-31 the direction, as
 * QNX documents (the __DIO* macros and _POSIX_DEVDIR_* values are QNX's).
 * The class numbers other than _DCMD_CHR (3) and the DCMD_ALL_* command
 * numbers are Axon's choice.
 *
 * devctl() returns EOK or an errno value; it never sets errno.  Here it
 * works on connection ids that reach a resource manager (a coid from
 * an _IO_CONNECT open), descriptors of the FUSE bridge's files, of a
 * Linux terminal (<sys/dcmd_chr.h>) and of a process's /proc/PID entry
 * (<sys/dcmd_proc.h>, procfs(3)); other Linux files get ENOTTY.
 */
#ifndef AXON_DEVCTL_H
#define AXON_DEVCTL_H

#include <stddef.h>
#include <stdint.h>

#include <sys/neutrino.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

#define _POSIX_DEVDIR_NONE   0
#define _POSIX_DEVDIR_TO     0x80000000u
#define _POSIX_DEVDIR_FROM   0x40000000u
#define _POSIX_DEVDIR_TOFROM (_POSIX_DEVDIR_TO | _POSIX_DEVDIR_FROM)
#define _POSIX_DEVDIR_MASK   _POSIX_DEVDIR_TOFROM

#define _DCMD_ALL     0x01
#define _DCMD_FSYS    0x02
#define _DCMD_BLK     _DCMD_FSYS
#define _DCMD_CHR     0x03
#define _DCMD_NET     0x04
#define _DCMD_MISC    0x05
#define _DCMD_IP      0x06
#define _DCMD_MIXER   0x07
#define _DCMD_PROC    0x08
#define _DCMD_MEM     0x09
#define _DCMD_INPUT   0x0a
#define _DCMD_PHOTON  0x0b
#define _DCMD_CAM     0x0c
#define _DCMD_USB     0x0d
#define _DCMD_MEDIA   0x0e
#define _DCMD_CAM_SIM 0x0f

#define __DIOF(_class, _cmd, _type) \
	((int) ((sizeof(_type) << 16) + ((_class) << 8) + (_cmd) + \
	    _POSIX_DEVDIR_FROM))
#define __DIOT(_class, _cmd, _type) \
	((int) ((sizeof(_type) << 16) + ((_class) << 8) + (_cmd) + \
	    _POSIX_DEVDIR_TO))
#define __DIOTF(_class, _cmd, _type) \
	((int) ((sizeof(_type) << 16) + ((_class) << 8) + (_cmd) + \
	    _POSIX_DEVDIR_TOFROM))
#define __DION(_class, _cmd) ((int) (((_class) << 8) + (_cmd)))

/* The direction bits of a command: _POSIX_DEVDIR_*. */
#define get_device_direction(_dcmd) \
	((unsigned) (_dcmd) & _POSIX_DEVDIR_MASK)

/* Common commands, answered by iofunc_devctl_default(). */
#define DCMD_ALL_GETFLAGS      __DIOF(_DCMD_ALL, 1, int)
#define DCMD_ALL_SETFLAGS      __DIOT(_DCMD_ALL, 2, int)
#define DCMD_ALL_GETMOUNTFLAGS __DIOF(_DCMD_ALL, 3, uint32_t)
#define DCMD_ALL_GETOWN        __DIOF(_DCMD_ALL, 4, pid_t)
#define DCMD_ALL_SETOWN        __DIOT(_DCMD_ALL, 5, pid_t)

AXON_EXPORT int devctl(int fd, int dcmd, void *dev_data_ptr, size_t n_bytes,
    int *dev_info_ptr);
AXON_EXPORT int devctlv(int fd, int dcmd, int sparts, int rparts,
    const iov_t *sv, const iov_t *rv, int *dev_info_ptr);

/*
 * QNX 7's _devctl(): devctl() returning as ioctl() does, the manager's
 * dev_info value (0 with _DEVCTL_FLAG_NORETVAL), or -1 with errno set;
 * _DEVCTL_FLAG_NOTTY turns an ENOSYS into ENOTTY.  Other flag bits
 * EINVAL.  The flag values are Axon's (resmgr_attach(3)).
 */
#define _DEVCTL_FLAG_NORETVAL 0x01u
#define _DEVCTL_FLAG_NOTTY    0x02u
AXON_EXPORT int _devctl(int fd, int dcmd, void *data, size_t nbytes,
    unsigned flags);

#ifdef __cplusplus
}
#endif

#endif /* AXON_DEVCTL_H */
