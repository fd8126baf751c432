/* SPDX-License-Identifier: MIT */
/*
 * A QNX program's direct connection to the OCB behind a descriptor of
 * the FUSE bridge's mount (docs/design/fuse.md, "Direct calls"): the
 * Axon-private messages between the bridge, the program and the
 * manager's resmgr layer.
 *
 * 1. The program asks the bridge, by an ioctl on its descriptor
 *    (fsdevctl.h, AXON_FSGRANT_CMD: holding the descriptor is the
 *    proof), for a grant for its own pid.
 * 2. The bridge (or the caller's helper) sends the manager, on the
 *    connection its open came on, an _IO_MSG whose mgrid is
 *    AXON_IOMGR_DIRECT (struct axon_io_grant); the resmgr layer answers
 *    with a token (AXON_GRANT_TOKEN random bytes) bound to that OCB's
 *    binding, to the pid, valid once and for AXON_GRANT_TTL_MS.  The
 *    layer refuses it (EPERM) on a connection that is itself a direct
 *    one, or that comes from another node.
 * 3. The program ConnectAttach()es to the manager and sends _IO_DUP
 *    with key AXON_DUP_KEY and the token after the header (struct
 *    axon_io_dup); the layer checks the token, its age and that the
 *    sender is that pid on this node, then binds the same OCB to the
 *    new connection as an alias: every _IO_* message on it reaches the
 *    manager's handlers with that OCB.  An alias never closes the OCB:
 *    its _IO_CLOSE or disconnect drops only the alias (the manager's
 *    close_dup runs for it, and its notify entries go); the OCB closes
 *    when the bridge's own connection closes it (the Linux file's
 *    release), which also drops every alias (their next message gets
 *    EBADF).
 *
 * Contract: nothing in these messages is trusted; a malformed one is
 * EINVAL, a token that does not check is EPERM, and the layer never
 * tells which part failed.
 */
#ifndef AXON_IODIRECT_H
#define AXON_IODIRECT_H

#include <stdint.h>

#include <sys/iomsg.h>

#define AXON_IOMGR_DIRECT  0x4158u     /* _IO_MSG mgrid: Axon's own */
#define AXON_IOMSG_GRANT   1u          /* its subtype */
#define AXON_GRANT_MAGIC   0x41584752u /* "AXGR" */
#define AXON_DUP_KEY       0x41584450u /* "AXDP": _io_dup.key */
#define AXON_GRANT_TOKEN   16
#define AXON_GRANT_TTL_MS  5000
#define AXON_GRANTS_MAX    32          /* pending per dispatch; oldest out */

struct axon_io_grant {
	struct _io_msg hdr; /* _IO_MSG, mgrid AXON_IOMGR_DIRECT, GRANT */
	uint32_t magic;     /* AXON_GRANT_MAGIC */
	int32_t pid;        /* who may redeem it (a local process) */
};

struct axon_io_grant_reply {
	uint8_t token[AXON_GRANT_TOKEN];
};

struct axon_io_dup {
	struct _io_dup hdr; /* _IO_DUP, key AXON_DUP_KEY, the rest zero */
	uint8_t token[AXON_GRANT_TOKEN];
};

#endif /* AXON_IODIRECT_H */
