/* SPDX-License-Identifier: MIT */
/*
 * The check of a helper's reply header against its request (fsproto.h).
 * Decoded whole, then judged: nothing here reads past the two headers.
 */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>

#include "fsproto.h"

int
axon__fs_rep_check(const struct fs_req *q, const struct fs_rep *p,
    size_t outcap)
{
	int64_t rc = p->rc;
	uint64_t len = p->len;

	if (len > outcap || len > FS_DATA_MAX) {
		return -EIO;
	}
	if (rc < 0) {
		/* An errno, and nothing with it. */
		return rc >= -4095 && len == 0 ? 0 : -EIO;
	}
	switch (q->op) {
	case OP_READ:
		/* The count is the data that follows, no more than asked. */
		return (uint64_t) rc <= q->want && (uint64_t) rc == len ?
		    0 : -EIO;
	case OP_WRITE:
		return (uint64_t) rc <= q->len && len == 0 ? 0 : -EIO;
	case OP_OPEN:
		return rc > 0 && rc <= INT_MAX && len == 0 ? 0 : -EIO;
	case OP_LSEEK:
		return len == 0 ? 0 : -EIO;
	case OP_STAT:
	case OP_PATHSTAT:
		return rc == 0 && len == sizeof(struct stat) ? 0 : -EIO;
	case OP_DEVCTL:
		return rc == 0 && len == q->want ? 0 : -EIO;
	case OP_GRANT:
		return rc == 0 && len == sizeof(struct fs_grant) ? 0 : -EIO;
	case OP_CLOSE:
	case OP_PATHCHMOD:
	case OP_PATHCHOWN:
	case OP_SPACE:
	case OP_SYNC:
	case OP_PATHCONNECT:
	case OP_PATHUTIME:
	case OP_UTIME:
		return rc == 0 && len == 0 ? 0 : -EIO;
	default:
		return -EIO;
	}
}
