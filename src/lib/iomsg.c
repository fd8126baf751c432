/* SPDX-License-Identifier: MIT */
/*
 * The _IO_* message decoder: every message a client sends a resource
 * manager is checked here, whole, before the library looks at any field
 * to act on it (the house rule of ctl.c).  No state, so it is fuzzed on
 * its own (tests/fuzz/fuzz_iomsg.c).
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>

#include "dispatch_int.h"

/* The header each type must carry whole; 0: not one this library has a
 * handler slot for. */
static size_t
io_hdr_size(unsigned type)
{
	switch (type) {
	case _IO_CONNECT:
		return offsetof(struct _io_connect, path);
	case _IO_READ:
	case _IO_READ64:
		return sizeof(struct _io_read);
	case _IO_WRITE:
	case _IO_WRITE64:
		return sizeof(struct _io_write);
	case _IO_STAT:
		return sizeof(struct _io_stat);
	case _IO_NOTIFY:
	case _IO_NOTIFY64:
		return sizeof(struct _io_notify);
	case _IO_DEVCTL:
		return sizeof(struct _io_devctl);
	case _IO_PATHCONF:
		return sizeof(struct _io_pathconf);
	case _IO_LSEEK:
		return sizeof(struct _io_lseek);
	case _IO_CHMOD:
		return sizeof(struct _io_chmod);
	case _IO_CHOWN:
		return sizeof(struct _io_chown);
	case _IO_UTIME:
	case _IO_UTIME64:
		return sizeof(struct _io_utime);
	case _IO_OPENFD:
		return sizeof(struct _io_openfd);
	case _IO_FDINFO:
		return sizeof(struct _io_fdinfo);
	case _IO_LOCK:
		return sizeof(struct _io_lock);
	case _IO_SPACE:
		return sizeof(struct _io_space);
	case _IO_SHUTDOWN:
		return sizeof(struct _io_shutdown);
	case _IO_MMAP:
		return sizeof(struct _io_mmap);
	case _IO_MSG:
		return sizeof(struct _io_msg);
	case _IO_DUP:
		return sizeof(struct _io_dup);
	case _IO_CLOSE:
		return sizeof(struct _io_close);
	case _IO_SYNC:
		return sizeof(struct _io_sync);
	case _IO_POWER:
		return sizeof(struct _io_power);
	case _IO_ACL:
		return sizeof(struct _io_acl);
	default:
		return 0;
	}
}

static int
check_connect(const struct _io_connect *c, const char *path, size_t len,
    size_t srclen)
{
	size_t hdr = offsetof(struct _io_connect, path);
	size_t need;

	if (c->subtype > _IO_CONNECT_MOUNT ||
	    c->subtype == _IO_CONNECT_RSVD_UNBLOCK) {
		return -EBADMSG;
	}
	if (c->extra_type > _IO_CONNECT_EXTRA_TYMEM ||
	    (c->extra_type == _IO_CONNECT_EXTRA_NONE && c->extra_len != 0)) {
		return -EBADMSG;
	}
	if (c->path_len == 0 || c->file_type > _FTYPE_ALL) {
		return -EBADMSG;
	}
	need = hdr + (size_t) c->path_len + (size_t) c->extra_len;
	if (need > srclen) {
		return -EBADMSG; /* claims more than was sent */
	}
	if (need > len) {
		return -ENAMETOOLONG; /* sent, but longer than we take */
	}
	/* One string, ending exactly where path_len says. */
	if (memchr(path, '\0', c->path_len) != path + c->path_len - 1) {
		return -EBADMSG;
	}
	return 0;
}

int
axon__iomsg_check(const void *buf, size_t len, size_t srclen)
{
	uint16_t type;
	uint16_t combine;
	size_t hdr;

	if (buf == NULL || len < sizeof(uint16_t) || len > srclen) {
		return -EBADMSG;
	}
	memcpy(&type, buf, sizeof(type));
	if (type < _IO_BASE || type > _IO_MAX) {
		return -EBADMSG;
	}
	hdr = io_hdr_size(type);
	if (hdr == 0) {
		return -ENOSYS;
	}
	if (len < hdr) {
		return -EBADMSG;
	}
	if (type == _IO_CONNECT) {
		struct _io_connect c;

		memcpy(&c, buf, hdr);
		return check_connect(&c, (const char *) buf + hdr, len,
		    srclen);
	}
	memcpy(&combine, (const char *) buf + 2, sizeof(combine));
	if (combine & _IO_COMBINE_FLAG) {
		return -ENOSYS; /* combine messages: not handled (yet) */
	}
	switch (type) {
	case _IO_WRITE:
	case _IO_WRITE64: {
		/* (The 64-bit form: the same fields, nbytes_hi for zero.) */
		struct _io_write w;

		memcpy(&w, buf, sizeof(w));
		if ((w.xtype & _IO_XTYPE_MASK) == _IO_XTYPE_OFFSET &&
		    srclen < sizeof(w) + sizeof(struct _xtype_offset)) {
			return -EBADMSG;
		}
		break;
	}
	case _IO_READ:
	case _IO_READ64: {
		struct _io_read rd;

		memcpy(&rd, buf, sizeof(rd));
		if ((rd.xtype & _IO_XTYPE_MASK) == _IO_XTYPE_OFFSET &&
		    srclen < sizeof(rd) + sizeof(struct _xtype_offset)) {
			return -EBADMSG;
		}
		break;
	}
	case _IO_OPENFD: {
		/* Axon gives these fields no meaning: zero, or refused
		 * (a client that means something by them is not served as
		 * if it had sent zero). */
		struct _io_openfd o;

		memcpy(&o, buf, sizeof(o));
		if (o.xtype != 0 || o.reserved2 != 0 || o.key != 0) {
			return -EINVAL;
		}
		break;
	}
	case _IO_FDINFO: {
		struct _io_fdinfo f;

		memcpy(&f, buf, sizeof(f));
		if ((f.flags & ~_FDINFO_FLAG_LOCALPATH) != 0 ||
		    f.reserved != 0) {
			return -EINVAL;
		}
		break;
	}
	case _IO_NOTIFY:
	case _IO_NOTIFY64: {
		/* The extended fields count with _NOTIFY_COND_EXTEN only;
		 * then the pollfd array they describe must have been sent
		 * (nobody reads it here, but a count past the message is
		 * not a message). */
		struct _io_notify n;

		memcpy(&n, buf, sizeof(n));
		if (!((uint32_t) n.flags & _NOTIFY_COND_EXTEN)) {
			break;
		}
		if (n.nfds < 0 || (size_t) n.nfds > (srclen - sizeof(n)) /
		    sizeof(struct pollfd) || n.fd_first < 0 ||
		    n.nfds_ready < 0 || n.nfds_ready > n.nfds) {
			return -EBADMSG;
		}
		break;
	}
	case _IO_LSEEK: {
		struct _io_lseek l;

		memcpy(&l, buf, sizeof(l));
		if (l.whence != 0 && l.whence != 1 && l.whence != 2) {
			return -EINVAL;
		}
		break;
	}
	default:
		break;
	}
	return 0;
}
