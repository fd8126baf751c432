/* SPDX-License-Identifier: MIT */
/*
 * devctl() on a Linux descriptor of the FUSE bridge's mount (axon-fs):
 * the library carries it to the bridge as one restricted ioctl(2),
 * whose buffer (in and out, _IOC_SIZE(cmd) bytes) is this header
 * followed by the data; the bridge sends the manager the _IO_DEVCTL
 * message with the command, the data and the count as given, and
 * writes back the data, dev_info and the call's errno (in the header:
 * the kernel turns a FUSE ioctl's ENOSYS into ENOTTY, so the manager's
 * errors do not travel as the ioctl's own).  FUSE copies at most what the
 * command number's 14-bit size field says, so the data is at most
 * AXON_FSDC_MAX bytes (devctl() fails E2BIG beyond).
 *
 * Contract: a command whose type, number or direction is not these, or
 * whose header does not fit or check, is refused by the bridge with
 * ENOTTY (not ours) or EINVAL (ours, malformed); nothing else of the
 * buffer is trusted.
 */
#ifndef AXON_FSDEVCTL_H
#define AXON_FSDEVCTL_H

#include <linux/ioctl.h>
#include <stdint.h>

struct axon_fsdc {
	uint32_t magic;  /* AXON_FSDC_MAGIC */
	int32_t dcmd;    /* QNX's command, exactly as the caller gave it */
	uint32_t nbytes; /* bytes of data after the header */
	int32_t info;    /* out: the manager's dev_info (ret_val) */
	int32_t err;     /* out: 0, or the errno of the call */
};

#define AXON_FSDC_MAGIC 0x41584443u /* "AXDC" */
#define AXON_FSDC_TYPE  0xA8        /* ioctl type byte: ours on fuse.axon */
#define AXON_FSDC_NR    0x01
#define AXON_FSDC_SIZE_MAX ((1u << _IOC_SIZEBITS) - 1)
#define AXON_FSDC_MAX   (AXON_FSDC_SIZE_MAX - sizeof(struct axon_fsdc))
#define AXON_FSDC_CMD(size)                                            \
	_IOC(_IOC_READ | _IOC_WRITE, AXON_FSDC_TYPE, AXON_FSDC_NR, (size))

/*
 * A grant of a direct connection to the OCB behind the descriptor
 * (iodirect.h): the caller gives its pid (the bridge checks that the
 * caller is a thread of it); the bridge answers with the manager's
 * (pid, chid) and the token, or err.  Same refusals as above.
 */
struct axon_fsgrant {
	uint32_t magic;  /* AXON_FSGRANT_MAGIC */
	int32_t pid;     /* in: the caller's process id */
	int32_t err;     /* out: 0, or the errno of the grant */
	int32_t mpid;    /* out: the manager's pid ... */
	int32_t chid;    /* ... and channel */
	uint8_t token[16]; /* out */
};

#define AXON_FSGRANT_MAGIC 0x41584754u /* "AXGT" */
#define AXON_FSGRANT_NR    0x02
#define AXON_FSGRANT_CMD                                                 \
	_IOC(_IOC_READ | _IOC_WRITE, AXON_FSDC_TYPE, AXON_FSGRANT_NR,       \
	    sizeof(struct axon_fsgrant))

/* The mount's file-system type in /proc/self/mountinfo. */
#define AXON_FS_FSTYPE "fuse.axon"

#endif /* AXON_FSDEVCTL_H */
