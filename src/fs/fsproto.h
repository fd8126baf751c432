/* SPDX-License-Identifier: MIT */
/*
 * The requests axon-fs sends a helper process and the replies it reads
 * back (docs/design/fuse.md, "Processes, and who is asking").  A helper
 * runs as the Linux caller it serves (another user), so the bridge,
 * which may be root, trusts nothing in a reply: axon__fs_rep_check()
 * decides, from the request alone, whether a reply's header may be
 * used, before a byte that follows it is read.  Pure: no I/O (fuzzed
 * by tests/fuzz/fuzz_fsproto.c, tested by tests/test_fsproto.c).
 *
 * On a stream socket: struct fs_req, then its len bytes (a path with
 * its NUL, or data); the answer is struct fs_rep, then its len bytes.
 */
#ifndef AXON_FS_FSPROTO_H
#define AXON_FS_FSPROTO_H

#include <stddef.h>
#include <stdint.h>

#define FS_DATA_MAX      (16u << 20) /* bytes of one request or reply */

enum fs_opcode {
	OP_OPEN = 1,  /* path; ioflag, mode -> coid */
	OP_READ,      /* coid, len -> data */
	OP_WRITE,     /* coid, data -> count */
	OP_STAT,      /* coid -> struct stat */
	OP_LSEEK,     /* coid, off, a=whence -> position */
	OP_CLOSE,     /* coid */
	OP_PATHSTAT,  /* path -> struct stat (connect with no access) */
	OP_PATHCHMOD, /* path, mode */
	OP_PATHCHOWN, /* path, a=uid, b=gid */
	OP_DEVCTL,    /* coid, a=dcmd, data (len) -> info (int32), data */
	OP_GRANT,     /* coid, a=pid -> struct fs_grant (iodirect.h) */
	OP_SPACE,     /* coid, a=subtype, b=whence, off=start, want=len */
	OP_SYNC,      /* coid, a=flag (O_SYNC, O_DSYNC) */
	OP_PATHCONNECT, /* path (and an old path: want = the first's bytes
			 * with its NUL, else len); a=subtype (MKNOD,
			 * UNLINK, RENAME), b=extra_type, mode */
	OP_PATHUTIME, /* path, a=cur_flag, off=atime, want=mtime */
	OP_UTIME,     /* coid, a=cur_flag, off=atime, want=mtime */
	OP_LAST = OP_UTIME
};

/* OP_GRANT's answer. */
struct fs_grant {
	int32_t mpid;
	int32_t chid;
	uint8_t token[16];
};

struct fs_req {
	uint32_t op;
	int32_t nd;    /* OP_OPEN, OP_PATH*: the node whose path (0: this) */
	int32_t coid;
	uint32_t ioflag;
	uint32_t mode;
	int64_t off;
	uint32_t a, b;
	uint64_t len;  /* bytes that follow (path with its NUL, or data) */
	uint64_t want; /* OP_READ: bytes asked */
};

struct fs_rep {
	int64_t rc;    /* >= 0, or -errno */
	uint64_t len;  /* bytes that follow */
};

/*
 * Whether reply header p may answer request q, whose reply data the
 * bridge has outcap bytes for: 0, or -EIO for a reply no helper running
 * fs_run() could give (a broken or compromised one).  Every field is
 * checked:
 * - len (the bytes that follow) at most outcap and FS_DATA_MAX;
 * - rc < 0: an errno, -4095 to -1, with nothing following;
 * - rc >= 0, by q->op: OP_READ a count of at most q->want bytes, which
 *   is exactly len (the bytes that follow are the data: a count larger
 *   than what was sent would hand out memory never written); OP_WRITE a
 *   count of at most q->len; OP_OPEN a connection id (1 to INT_MAX);
 *   OP_LSEEK any position; OP_STAT and OP_PATHSTAT 0 with a struct
 *   stat; OP_DEVCTL 0 with q->want bytes; OP_GRANT 0 with a struct
 *   fs_grant; the others (OP_PATHCONNECT, OP_PATHUTIME, OP_UTIME
 *   among them) 0; nothing follows but what is named here.
 * - an op not listed: -EIO.
 */
int axon__fs_rep_check(const struct fs_req *q, const struct fs_rep *p,
    size_t outcap);

#endif /* AXON_FS_FSPROTO_H */
