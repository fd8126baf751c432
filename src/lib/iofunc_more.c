/*
 * iofunc_more.c - the iofunc defaults and checks for _IO_SYNC, _IO_SPACE
 * and _IO_PATHCONF (QNX 7 names and results, from its public library
 * reference).
 *
 * iofunc_func_init() installs iofunc_sync_default and
 * iofunc_pathconf_default.  _IO_SPACE has no default (as on QNX: what
 * freeing or allocating space means is the manager's data); a manager
 * that implements io_space calls iofunc_space_verify() first.
 *
 * The checks use the OCB's access, which iofunc_open() granted against
 * the client's credentials (the kernel's, or the mapped remote user's):
 * nothing here trusts a field of the message for who the client is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <sys/iofunc.h>

#include "dispatch_int.h"

/* ---- _IO_SYNC (fsync, fdatasync) ------------------------------------ */

int
iofunc_sync_verify(resmgr_context_t *ctp, io_sync_t *msg,
    iofunc_ocb_arg_t arg)
{
	iofunc_ocb_t *ocb = arg.std;
	uint32_t known = (uint32_t) (O_SYNC | O_DSYNC | O_RSYNC);

	(void) ctp;
	if (ocb == NULL || msg == NULL) {
		return EINVAL;
	}
	if (msg->i.flag & ~known) {
		return EINVAL;
	}
	/* An open for no access (stat, chmod) is not a descriptor one
	 * may sync: EBADF, as fsync() on QNX. */
	if (!(ocb->ioflag & (_IO_FLAG_RD | _IO_FLAG_WR))) {
		return EBADF;
	}
	return EOK;
}

int
iofunc_sync_default(resmgr_context_t *ctp, io_sync_t *msg,
    iofunc_ocb_t *ocb)
{
	/* The attribute lives in the manager's memory: once the check
	 * passes there is nothing left to write out. */
	return iofunc_sync_verify(ctp, msg, ocb);
}

/* ---- _IO_SPACE (ftruncate, F_ALLOCSP, F_FREESP) --------------------- */

int
iofunc_space_verify(resmgr_context_t *ctp, io_space_t *msg,
    iofunc_ocb_arg_t arg, int *nonblock)
{
	iofunc_ocb_t *ocb = arg.std;

	(void) ctp;
	if (ocb == NULL || msg == NULL) {
		return EINVAL;
	}
	switch (msg->i.subtype) {
	case F_ALLOCSP:
	case F_FREESP:
	case F_ALLOCSP64:
	case F_FREESP64:
		break;
	default:
		return EINVAL;
	}
	switch (msg->i.whence) {
	case SEEK_SET:
	case SEEK_CUR:
	case SEEK_END:
		break;
	default:
		return EINVAL;
	}
	if ((int64_t) msg->i.start < 0 && msg->i.whence == SEEK_SET) {
		return EINVAL;
	}
	if ((int64_t) msg->i.len < 0) {
		return EINVAL;
	}
	/* Changing the size is writing: the open must have asked for
	 * it (and so passed iofunc_open()'s check of the mode). */
	if (!(ocb->ioflag & _IO_FLAG_WR)) {
		return EBADF;
	}
	if (nonblock != NULL) {
		*nonblock = (ocb->ioflag & O_NONBLOCK) ? 1 : 0;
	}
	return EOK;
}

/* ---- _IO_PATHCONF (pathconf, fpathconf) ----------------------------- */

int
iofunc_pathconf_verify(resmgr_context_t *ctp, io_pathconf_t *msg,
    iofunc_ocb_arg_t oarg, iofunc_attr_arg_t aarg)
{
	(void) ctp;
	(void) oarg;
	if (msg == NULL || aarg.std == NULL) {
		return EINVAL;
	}
	switch (msg->i.name) {
	case _PC_LINK_MAX:
	case _PC_NAME_MAX:
	case _PC_PATH_MAX:
	case _PC_PIPE_BUF:
	case _PC_CHOWN_RESTRICTED:
	case _PC_NO_TRUNC:
	case _PC_SYNC_IO:
	case _PC_FILESIZEBITS:
		return EOK;
	default:
		return EINVAL; /* terminal limits and the rest: not ours */
	}
}

/* The value goes back as the reply's status (_RESMGR_STATUS): a limit,
 * or 1/0 for an option in effect or not (a status cannot be -1: that
 * is an error number to the client). */
int
iofunc_pathconf(resmgr_context_t *ctp, io_pathconf_t *msg,
    iofunc_ocb_arg_t oarg, iofunc_attr_arg_t aarg)
{
	const iofunc_attr_t *attr = aarg.std;
	const iofunc_mount_t *m;
	long v;
	int rc = iofunc_pathconf_verify(ctp, msg, oarg, aarg);

	if (rc != EOK) {
		return rc;
	}
	m = attr->mount;
	switch (msg->i.name) {
	case _PC_LINK_MAX:
		v = 1; /* the iofunc layer makes no links */
		break;
	case _PC_NAME_MAX:
		v = NAME_MAX;
		break;
	case _PC_PATH_MAX:
		v = PATH_MAX;
		break;
	case _PC_PIPE_BUF:
		v = PIPE_BUF;
		break;
	case _PC_CHOWN_RESTRICTED:
		/* As iofunc_chown(): restricted without a mount. */
		v = m == NULL || (m->conf & IOFUNC_PC_CHOWN_RESTRICTED);
		break;
	case _PC_NO_TRUNC:
		v = m == NULL || (m->conf & IOFUNC_PC_NO_TRUNC);
		break;
	case _PC_SYNC_IO:
		/* As iofunc_open(): O_SYNC needs the mount's word. */
		v = m != NULL && (m->conf & IOFUNC_PC_SYNC_IO);
		break;
	default: /* _PC_FILESIZEBITS */
		v = m != NULL && (m->flags & IOFUNC_MOUNT_32BIT) ? 32 : 64;
		break;
	}
	_RESMGR_STATUS(ctp, (int) v);
	return EOK;
}

int
iofunc_pathconf_default(resmgr_context_t *ctp, io_pathconf_t *msg,
    iofunc_ocb_t *ocb)
{
	return iofunc_pathconf(ctp, msg, ocb, ocb->attr);
}
