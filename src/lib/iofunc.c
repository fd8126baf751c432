/* SPDX-License-Identifier: MIT */
/*
 * The iofunc layer: POSIX semantics for resource managers (attributes,
 * OCBs, permission checks against the client's credentials, and the
 * default handlers iofunc_func_init() installs).
 *
 * Credentials come from ConnectClientInfo(): the kernel's (SO_PEERCRED)
 * for a local client, the mapped remote user for one of another node.
 * Group membership is checked against every supplementary group of the
 * client (ConnectClientInfoExt()), not only the __NGROUPS_MAX a
 * struct _client_info holds.
 * Nothing here trusts a field of the client's message for who it is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <devctl.h>

#include <sys/iofunc.h>

#include "dispatch_int.h"
#include "internal.h"

#define NGROUPS_ASKED __NGROUPS_MAX

void
iofunc_func_init(unsigned nconnect, resmgr_connect_funcs_t *connect,
    unsigned nio, resmgr_io_funcs_t *io)
{
	resmgr_connect_funcs_t c = {0};
	resmgr_io_funcs_t f = {0};

	c.nfuncs = (unsigned) _RESMGR_CONNECT_NFUNCS;
	c.open = iofunc_open_default;
	f.nfuncs = (unsigned) _RESMGR_IO_NFUNCS;
	f.read = iofunc_read_default;
	f.write = iofunc_write_default;
	f.close_ocb = iofunc_close_ocb_default;
	f.stat = iofunc_stat_default;
	f.devctl = iofunc_devctl_default;
	f.unblock = iofunc_unblock_default;
	f.lseek = iofunc_lseek_default;
	f.chmod = iofunc_chmod_default;
	f.chown = iofunc_chown_default;
	f.utime = iofunc_utime_default;
	f.openfd = iofunc_openfd_default;
	f.fdinfo = iofunc_fdinfo_default;
	f.close_dup = iofunc_close_dup_default;
	f.lock_ocb = iofunc_lock_ocb_default;
	f.unlock_ocb = iofunc_unlock_ocb_default;
	f.sync = iofunc_sync_default;
	f.pathconf = iofunc_pathconf_default;
	f.lock = iofunc_lock_default;
	/* Only the first n entries are the caller's to have filled. */
	if (connect != NULL) {
		unsigned n = nconnect < c.nfuncs ? nconnect : c.nfuncs;

		memset(connect, 0, sizeof(unsigned) + n * sizeof(void *));
		memcpy(&connect->open, &c.open, n * sizeof(void *));
		connect->nfuncs = n;
	}
	if (io != NULL) {
		unsigned n = nio < f.nfuncs ? nio : f.nfuncs;

		memset(io, 0, sizeof(unsigned) + n * sizeof(void *));
		memcpy(&io->read, &f.read, n * sizeof(void *));
		io->nfuncs = n;
	}
}

void
iofunc_attr_init(iofunc_attr_arg_t arg, mode_t mode, iofunc_attr_arg_t darg,
    struct _client_info *info)
{
	iofunc_attr_t *attr = arg.std;
	pthread_mutexattr_t ma;
	struct timespec now;

	(void) darg;
	if (attr == NULL) {
		return;
	}
	memset(attr, 0, sizeof(*attr));
	pthread_mutexattr_init(&ma);
	/* Handlers may take it again under the library's lock_ocb. */
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&attr->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	attr->mode = mode;
	attr->nlink = 1;
	if (info != NULL) {
		attr->uid = info->cred.euid;
		attr->gid = info->cred.egid;
	} else {
		attr->uid = geteuid();
		attr->gid = getegid();
	}
	clock_gettime(CLOCK_REALTIME, &now);
	attr->atime = attr->mtime = attr->ctime = now.tv_sec;
	attr->atime_ns = attr->mtime_ns = attr->ctime_ns =
	    (uint32_t) now.tv_nsec;
}

int
iofunc_attr_lock(iofunc_attr_arg_t attr)
{
	return attr.std == NULL ? EINVAL : pthread_mutex_lock(&attr.std->lock);
}

int
iofunc_attr_trylock(iofunc_attr_arg_t attr)
{
	if (attr.std == NULL) {
		return EINVAL;
	}
	return pthread_mutex_trylock(&attr.std->lock) == 0 ? EOK : EAGAIN;
}

int
iofunc_attr_unlock(iofunc_attr_arg_t attr)
{
	return attr.std == NULL ? EINVAL :
	    pthread_mutex_unlock(&attr.std->lock);
}

/* ---- Credentials and permissions ----------------------------------- */

int
iofunc_client_info(resmgr_context_t *ctp, int ioflag,
    struct _client_info *info)
{
	int rc;

	(void) ioflag;
	if (ctp == NULL || info == NULL) {
		return EINVAL;
	}
	rc = ConnectClientInfo_r(ctp->info.scoid, info, NGROUPS_ASKED);
	return rc < 0 ? -rc : EOK;
}

int
iofunc_client_info_ext(resmgr_context_t *ctp, const int ioflag,
    struct _client_info **info, int flags)
{
	int rc;

	(void) ioflag;
	if (info == NULL) {
		return EFAULT;
	}
	if (ctp == NULL) {
		*info = NULL;
		return EINVAL;
	}
	rc = axon__client_info_ext(ctp->info.scoid, info, flags);
	return rc < 0 ? -rc : EOK;
}

int
iofunc_client_info_ext_free(struct _client_info **info)
{
	int rc = axon__client_info_ext_free(info);

	return rc < 0 ? -rc : EOK;
}

static bool
in_list(const gid_t *list, uint32_t n, gid_t gid)
{
	for (uint32_t i = 0; i < n; i++) {
		if (list[i] == gid) {
			return true;
		}
	}
	return false;
}

/*
 * Whether the client info describes is in group gid: its effective group
 * or any of its supplementary groups, all of them.  An info from
 * ConnectClientInfoExt() holds them all; one from ConnectClientInfo()
 * holds at most __NGROUPS_MAX, and when its ngroups says the client has
 * more, the rest are asked of the client behind ctp (the same process:
 * its pid is checked).  A client that cannot be asked any more is in
 * none of them.
 */
static bool
in_group(resmgr_context_t *ctp, const struct _client_info *info, gid_t gid)
{
	struct _client_info *all = NULL;
	uint32_t n = info->cred.ngroups;
	bool found;

	if (info->cred.egid == gid) {
		return true;
	}
	if (axon__client_info_whole(info)) {
		return in_list(info->cred.grouplist, n, gid);
	}
	if (in_list(info->cred.grouplist, n < __NGROUPS_MAX ? n :
	    __NGROUPS_MAX, gid)) {
		return true;
	}
	if (n <= __NGROUPS_MAX || ctp == NULL ||
	    axon__client_info_ext(ctp->info.scoid, &all,
		_NTO_CLIENTINFO_GETGROUPS) < 0) {
		return false;
	}
	found = all->pid == info->pid && all->nd == info->nd &&
	    in_list(all->cred.grouplist, all->cred.ngroups, gid);
	(void) axon__client_info_ext_free(&all);
	return found;
}

int
iofunc_check_access(resmgr_context_t *ctp, iofunc_attr_arg_t arg,
    mode_t checkmode, const struct _client_info *info)
{
	const iofunc_attr_t *attr = arg.std;
	struct _client_info *own = NULL;
	mode_t want = checkmode & (S_IREAD | S_IWRITE | S_IEXEC);
	mode_t have;
	int rc = EOK;

	if (attr == NULL) {
		return EINVAL;
	}
	if (info == NULL) {
		rc = iofunc_client_info_ext(ctp, 0, &own,
		    _NTO_CLIENTINFO_GETGROUPS);
		if (rc != EOK) {
			return rc;
		}
		info = own;
	}
	if ((checkmode & S_ISUID) && info->cred.euid != 0 &&
	    info->cred.euid != attr->uid) {
		rc = EPERM;
	} else if ((checkmode & S_ISGID) && info->cred.euid != 0 &&
	    !in_group(ctp, info, attr->gid)) {
		rc = EPERM;
	} else if (want == 0) {
		rc = EOK;
	} else if (info->cred.euid == 0) {
		/* root: anything, but execute needs some x bit */
		if ((want & S_IEXEC) && !(attr->mode & 0111) &&
		    !S_ISDIR(attr->mode)) {
			rc = EACCES;
		}
	} else {
		if (info->cred.euid == attr->uid) {
			have = attr->mode & S_IRWXU;
		} else if (in_group(ctp, info, attr->gid)) {
			have = (mode_t) ((attr->mode & S_IRWXG) << 3);
		} else {
			have = (mode_t) ((attr->mode & S_IRWXO) << 6);
		}
		rc = (have & want) == want ? EOK : EACCES;
	}
	(void) axon__client_info_ext_free(&own);
	return rc;
}

int
iofunc_open(resmgr_context_t *ctp, io_open_t *msg, iofunc_attr_arg_t arg,
    iofunc_attr_arg_t darg, struct _client_info *info)
{
	iofunc_attr_t *attr = arg.std;
	struct _client_info *own = NULL;
	uint32_t ioflag;
	mode_t want = 0;
	int rc;

	if (ctp == NULL || msg == NULL) {
		return EINVAL;
	}
	ioflag = msg->connect.ioflag;
	if (attr == NULL) {
		/* No such file: with O_CREAT and the directory it would be
		 * made in, whether the client may make it there (QNX's
		 * iofunc_open() page); making it is the handler's. */
		if (!(ioflag & O_CREAT) || darg.std == NULL) {
			return ENOENT;
		}
		if (!S_ISDIR(darg.std->mode)) {
			return ENOTDIR;
		}
		return iofunc_check_access(ctp, darg, S_IWRITE | S_IEXEC,
		    info);
	}
	if ((ioflag & O_CREAT) && (ioflag & O_EXCL)) {
		return EEXIST;
	}
	if ((ioflag & _IO_FLAG_WR) && S_ISDIR(attr->mode)) {
		return EISDIR;
	}
	if ((ioflag & (O_SYNC | O_DSYNC)) &&
	    (attr->mount == NULL || !(attr->mount->conf & IOFUNC_PC_SYNC_IO))) {
		return EINVAL;
	}
	if (info == NULL) {
		rc = iofunc_client_info_ext(ctp, (int) ioflag, &own,
		    _NTO_CLIENTINFO_GETGROUPS);
		if (rc != EOK) {
			return rc;
		}
		info = own;
	}
	if (ioflag & _IO_FLAG_RD) {
		want |= S_IREAD;
	}
	if (ioflag & _IO_FLAG_WR) {
		want |= S_IWRITE;
	}
	rc = iofunc_check_access(ctp, attr, want, info);
	(void) iofunc_client_info_ext_free(&own);
	return rc;
}

int
iofunc_read_verify(resmgr_context_t *ctp, io_read_t *msg,
    iofunc_ocb_arg_t arg, int *nonblock)
{
	iofunc_ocb_t *ocb = arg.std;

	(void) ctp;
	if (ocb == NULL || msg == NULL) {
		return EINVAL;
	}
	if (!(ocb->ioflag & _IO_FLAG_RD)) {
		return EBADF;
	}
	if (nonblock != NULL) {
		*nonblock = (ocb->ioflag & O_NONBLOCK) ? 1 : 0;
		if (msg->i.xtype & _IO_XFLAG_NONBLOCK) {
			*nonblock = 1;
		} else if (msg->i.xtype & _IO_XFLAG_BLOCK) {
			*nonblock = 0;
		}
	}
	return EOK;
}

int
iofunc_write_verify(resmgr_context_t *ctp, io_write_t *msg,
    iofunc_ocb_arg_t arg, int *nonblock)
{
	iofunc_ocb_t *ocb = arg.std;

	(void) ctp;
	if (ocb == NULL || msg == NULL) {
		return EINVAL;
	}
	if (!(ocb->ioflag & _IO_FLAG_WR)) {
		return EBADF;
	}
	if (nonblock != NULL) {
		*nonblock = (ocb->ioflag & O_NONBLOCK) ? 1 : 0;
		if (msg->i.xtype & _IO_XFLAG_NONBLOCK) {
			*nonblock = 1;
		} else if (msg->i.xtype & _IO_XFLAG_BLOCK) {
			*nonblock = 0;
		}
	}
	return EOK;
}

/* ---- OCBs ------------------------------------------------------------ */

IOFUNC_OCB_T *
iofunc_ocb_calloc(resmgr_context_t *ctp, IOFUNC_ATTR_T *attr)
{
	(void) ctp;
	(void) attr;
	return calloc(1, sizeof(iofunc_ocb_t));
}

void
iofunc_ocb_free(IOFUNC_OCB_T *ocb)
{
	free(ocb);
}

static const iofunc_funcs_t *
mount_funcs(const iofunc_attr_t *attr)
{
	if (attr == NULL || attr->mount == NULL || attr->mount->funcs == NULL) {
		return NULL;
	}
	return attr->mount->funcs;
}

/* A new OCB (ocb NULL: allocated by the mount's ocb_calloc) opened with
 * ioflag and sflag on attr, counted, and bound to ctp's connection. */
static int
ocb_attach(resmgr_context_t *ctp, iofunc_ocb_t *ocb, iofunc_attr_t *attr,
    uint32_t ioflag, uint16_t sflag, const resmgr_io_funcs_t *io_funcs)
{
	const iofunc_funcs_t *mf = mount_funcs(attr);
	bool ours = ocb == NULL;

	if (ours) {
		ocb = mf != NULL && mf->nfuncs >= 1 && mf->ocb_calloc != NULL ?
		    mf->ocb_calloc(ctp, attr) : iofunc_ocb_calloc(ctp, attr);
		if (ocb == NULL) {
			return ENOSPC;
		}
	}
	ocb->attr = attr;
	ocb->ioflag = (int32_t) ioflag;
	ocb->sflag = sflag;
	ocb->flags = 0;
	(void) iofunc_attr_lock(attr);
	ocb->offset = (ioflag & O_APPEND) ? attr->nbytes : 0;
	attr->count++;
	if (ioflag & _IO_FLAG_RD) {
		attr->rcount++;
	}
	if (ioflag & _IO_FLAG_WR) {
		attr->wcount++;
	}
	(void) iofunc_attr_unlock(attr);
	if (resmgr_open_bind(ctp, ocb, io_funcs) < 0) {
		int err = errno;

		(void) iofunc_ocb_detach(ctp, ocb);
		if (ours) {
			if (mf != NULL && mf->nfuncs >= 2 &&
			    mf->ocb_free != NULL) {
				mf->ocb_free(ocb);
			} else {
				iofunc_ocb_free(ocb);
			}
		}
		return err;
	}
	return EOK;
}

int
iofunc_ocb_attach(resmgr_context_t *ctp, io_open_t *msg,
    iofunc_ocb_arg_t oarg, iofunc_attr_arg_t aarg,
    const resmgr_io_funcs_t *io_funcs)
{
	if (ctp == NULL || msg == NULL || aarg.std == NULL) {
		return EINVAL;
	}
	return ocb_attach(ctp, oarg.std, aarg.std, msg->connect.ioflag,
	    msg->connect.sflag, io_funcs);
}

/* The flags an openfd() may ask for (its access, plus these). */
#define OPENFD_IOFLAGS \
	((uint32_t) _IO_FLAG_MASK | O_APPEND | O_TRUNC | O_NONBLOCK | \
	    O_LARGEFILE)

/*
 * A new open of the file ocb is open on (attr, or ocb's attribute when
 * NULL), bound to the connection the _IO_OPENFD came on: its access may
 * not be wider than ocb's (EACCES), O_TRUNC needs write access (it
 * changes the file), its offset is its own (0, or the size with
 * O_APPEND).  O_TRUNC is the handler's to act on, as for an open
 * (iofunc_open() does not truncate either).
 */
int
iofunc_openfd(resmgr_context_t *ctp, io_openfd_t *msg, iofunc_ocb_arg_t oarg,
    iofunc_attr_arg_t aarg)
{
	const iofunc_ocb_t *ocb = oarg.std;
	iofunc_attr_t *attr = aarg.std;
	uint32_t ioflag, want, have;

	if (ctp == NULL || msg == NULL || ocb == NULL) {
		return EINVAL;
	}
	if (attr == NULL) {
		attr = ocb->attr;
	}
	if (attr == NULL) {
		return EINVAL;
	}
	ioflag = msg->i.ioflag;
	if ((ioflag & ~(uint32_t) OPENFD_IOFLAGS) != 0) {
		return EINVAL;
	}
	want = ioflag & _IO_FLAG_MASK;
	have = (uint32_t) ocb->ioflag & _IO_FLAG_MASK;
	if ((want & ~have) != 0 ||
	    ((ioflag & O_TRUNC) && !(want & _IO_FLAG_WR))) {
		return EACCES;
	}
	return ocb_attach(ctp, NULL, attr, ioflag, msg->i.sflag, NULL);
}

int
iofunc_openfd_default(resmgr_context_t *ctp, io_openfd_t *msg,
    iofunc_ocb_t *ocb)
{
	return iofunc_openfd(ctp, msg, ocb, ocb->attr);
}

int
iofunc_fdinfo(resmgr_context_t *ctp, iofunc_ocb_arg_t oarg,
    iofunc_attr_arg_t aarg, struct _fdinfo *info)
{
	const iofunc_ocb_t *ocb = oarg.std;
	const iofunc_attr_t *attr = aarg.std;

	(void) ctp;
	if (ocb == NULL || info == NULL) {
		return EINVAL;
	}
	if (attr == NULL) {
		attr = ocb->attr;
	}
	if (attr == NULL) {
		return EINVAL;
	}
	memset(info, 0, sizeof(*info));
	info->mode = attr->mode;
	info->ioflag = (uint32_t) ocb->ioflag;
	info->offset = (uint64_t) ocb->offset;
	info->size = (uint64_t) attr->nbytes;
	info->sflag = ocb->sflag;
	info->count = attr->count;
	info->rcount = attr->rcount;
	info->wcount = attr->wcount;
	info->rlocks = attr->rlocks;
	info->wlocks = attr->wlocks;
	return EOK;
}

/*
 * The reply: the _fdinfo, then the path the open's link was attached at
 * (resmgr_pathname()'s: netmgr_ndtostr(ND2S_DIR_SHOW) of this node is
 * "/", so the local path and the "global" one are the same), cut to the
 * room the client said it has, NUL-terminated; the status is the whole
 * path's length plus one.  A link attached with no path: "".
 */
int
iofunc_fdinfo_default(resmgr_context_t *ctp, io_fdinfo_t *msg,
    iofunc_ocb_t *ocb)
{
	/* The path after the reply's place in the receive buffer (where
	 * msg is, unless the handler passes a copy of its own). */
	char *path = (char *) ctp->msg + sizeof(msg->o);
	size_t room, n;
	int len, rc;

	if (ctp->msg_max_size < sizeof(msg->o) + PATH_MAX + 2) {
		return ENOMEM; /* (never: the buffer holds a connect's path) */
	}
	room = msg->i.path_len;
	len = axon__resmgr_link_path(ctp, ctp->id, path, PATH_MAX + 2);
	if (len == -ENOENT) {
		path[0] = '\0';
		len = 1;
	} else if (len < 0) {
		return -len;
	}
	rc = iofunc_fdinfo(ctp, ocb, ocb->attr, &msg->o.info);
	if (rc != EOK) {
		return rc;
	}
	msg->o.zero[0] = msg->o.zero[1] = 0;
	n = (size_t) len < room ? (size_t) len : room;
	if (n > 0) {
		path[n - 1] = '\0';
	}
	_IO_SET_FDINFO_LEN(ctp, len);
	SETIOV(&ctp->iov[0], &msg->o, sizeof(msg->o));
	SETIOV(&ctp->iov[1], path, n);
	return _RESMGR_NPARTS(2);
}

int
iofunc_ocb_detach(resmgr_context_t *ctp, iofunc_ocb_arg_t arg)
{
	iofunc_ocb_t *ocb = arg.std;
	iofunc_attr_t *attr;

	(void) ctp;
	if (ocb == NULL || ocb->attr == NULL) {
		return EINVAL;
	}
	attr = ocb->attr;
	(void) iofunc_attr_lock(attr);
	if (attr->count > 0) {
		attr->count--;
	}
	if ((ocb->ioflag & _IO_FLAG_RD) && attr->rcount > 0) {
		attr->rcount--;
	}
	if ((ocb->ioflag & _IO_FLAG_WR) && attr->wcount > 0) {
		attr->wcount--;
	}
	(void) iofunc_attr_unlock(attr);
	return EOK;
}

int
iofunc_close_ocb(resmgr_context_t *ctp, iofunc_ocb_arg_t oarg,
    iofunc_attr_arg_t aarg)
{
	iofunc_ocb_t *ocb = oarg.std;
	const iofunc_funcs_t *mf;

	(void) aarg;
	if (ocb == NULL) {
		return EINVAL;
	}
	mf = mount_funcs(ocb->attr);
	/* Record locks and waiters that came through it go with it. */
	axon__iofunc_locks_close(ctp, ocb, false);
	(void) iofunc_time_update(ocb->attr);
	(void) iofunc_ocb_detach(ctp, ocb);
	if (mf != NULL && mf->nfuncs >= 2 && mf->ocb_free != NULL) {
		mf->ocb_free(ocb);
	} else {
		iofunc_ocb_free(ocb);
	}
	return EOK;
}

/* ---- Times and stat -------------------------------------------------- */

int
iofunc_time_update(iofunc_attr_arg_t arg)
{
	iofunc_attr_t *attr = arg.std;
	struct timespec now;

	if (attr == NULL) {
		return EINVAL;
	}
	if (!(attr->flags & (IOFUNC_ATTR_ATIME | IOFUNC_ATTR_MTIME |
	    IOFUNC_ATTR_CTIME))) {
		return EOK;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	if (attr->flags & IOFUNC_ATTR_ATIME) {
		attr->atime = now.tv_sec;
		attr->atime_ns = (uint32_t) now.tv_nsec;
	}
	if (attr->flags & IOFUNC_ATTR_MTIME) {
		attr->mtime = now.tv_sec;
		attr->mtime_ns = (uint32_t) now.tv_nsec;
	}
	if (attr->flags & IOFUNC_ATTR_CTIME) {
		attr->ctime = now.tv_sec;
		attr->ctime_ns = (uint32_t) now.tv_nsec;
	}
	attr->flags &= ~(uint32_t) (IOFUNC_ATTR_ATIME | IOFUNC_ATTR_MTIME |
	    IOFUNC_ATTR_CTIME);
	attr->flags |= IOFUNC_ATTR_DIRTY_TIME;
	return EOK;
}

int
iofunc_stat(resmgr_context_t *ctp, iofunc_attr_arg_t arg, struct stat *st)
{
	const iofunc_attr_t *attr = arg.std;

	(void) ctp;
	if (attr == NULL || st == NULL) {
		return EINVAL;
	}
	memset(st, 0, sizeof(*st));
	st->st_ino = attr->inode;
	st->st_size = attr->nbytes;
	st->st_mode = attr->mode;
	st->st_nlink = attr->nlink;
	st->st_uid = attr->uid;
	st->st_gid = attr->gid;
	st->st_rdev = attr->rdev;
	st->st_atim.tv_sec = attr->atime;
	st->st_atim.tv_nsec = attr->atime_ns;
	st->st_mtim.tv_sec = attr->mtime;
	st->st_mtim.tv_nsec = attr->mtime_ns;
	st->st_ctim.tv_sec = attr->ctime;
	st->st_ctim.tv_nsec = attr->ctime_ns;
	if (attr->mount != NULL) {
		st->st_dev = attr->mount->dev;
		st->st_blksize = attr->mount->blocksize > 0 ?
		    attr->mount->blocksize : 512;
	} else {
		st->st_blksize = 512;
	}
	st->st_blocks = (attr->nbytes + 511) / 512;
	return EOK;
}

int
iofunc_stat_default(resmgr_context_t *ctp, io_stat_t *msg,
    iofunc_ocb_t *ocb)
{
	(void) iofunc_time_update(ocb->attr);
	(void) iofunc_stat(ctp, ocb->attr, &msg->o);
	return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o));
}

/* ---- Read and write -------------------------------------------------- */

int
iofunc_read_default(resmgr_context_t *ctp, io_read_t *msg,
    iofunc_ocb_t *ocb)
{
	int rc = iofunc_read_verify(ctp, msg, ocb, NULL);

	if (rc != EOK) {
		return rc;
	}
	if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE) {
		return ENOSYS;
	}
	ocb->attr->flags |= IOFUNC_ATTR_ATIME;
	_IO_SET_READ_NBYTES(ctp, 0); /* end of file */
	return _RESMGR_NPARTS(0);
}

int
iofunc_write_default(resmgr_context_t *ctp, io_write_t *msg,
    iofunc_ocb_t *ocb)
{
	int rc = iofunc_write_verify(ctp, msg, ocb, NULL);

	if (rc != EOK) {
		return rc;
	}
	if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE) {
		return ENOSYS;
	}
	/* Everything is taken, and dropped (as /dev/null). */
	ocb->attr->flags |= IOFUNC_ATTR_MTIME | IOFUNC_ATTR_CTIME;
	_IO_SET_WRITE_NBYTES(ctp, msg->i.nbytes);
	return _RESMGR_NPARTS(0);
}

/* ---- devctl, lseek, chmod, chown, utime ---------------------------- */

int
iofunc_devctl(resmgr_context_t *ctp, io_devctl_t *msg, iofunc_ocb_arg_t oarg,
    iofunc_attr_arg_t aarg)
{
	iofunc_ocb_t *ocb = oarg.std;
	iofunc_attr_t *attr = aarg.std;
	int *data = _DEVCTL_DATA(msg->i);
	int val;

	if (ctp == NULL || msg == NULL || ocb == NULL) {
		return EINVAL;
	}
	switch (msg->i.dcmd) {
	case DCMD_ALL_GETFLAGS:
		val = (ocb->ioflag & ~_IO_FLAG_MASK) |
		    ((ocb->ioflag & _IO_FLAG_MASK) - 1);
		break;
	case DCMD_ALL_SETFLAGS:
		if (ctp->size < sizeof(msg->i) + sizeof(int)) {
			return EINVAL;
		}
		memcpy(&val, data, sizeof(val));
		ocb->ioflag = (int32_t) (((unsigned) ocb->ioflag &
		    ~(unsigned) (O_APPEND | O_NONBLOCK)) |
		    ((unsigned) val & (unsigned) (O_APPEND | O_NONBLOCK)));
		memset(&msg->o, 0, sizeof(msg->o));
		return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o));
	case DCMD_ALL_GETMOUNTFLAGS:
		val = attr != NULL && attr->mount != NULL ?
		    (int) attr->mount->flags : 0;
		break;
	default:
		return _RESMGR_DEFAULT;
	}
	memset(&msg->o, 0, sizeof(msg->o));
	msg->o.nbytes = sizeof(val);
	memcpy(data, &val, sizeof(val));
	return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o) + sizeof(val));
}

int
iofunc_devctl_default(resmgr_context_t *ctp, io_devctl_t *msg,
    iofunc_ocb_t *ocb)
{
	return iofunc_devctl(ctp, msg, ocb, ocb->attr);
}

#define DEVCTL_VERIFY_KNOWN (_IO_DEVCTL_VERIFY_LEN | \
	_IO_DEVCTL_VERIFY_MSG_LEN | _IO_DEVCTL_VERIFY_DIR | \
	_IO_DEVCTL_VERIFY_OCB_READ | _IO_DEVCTL_VERIFY_OCB_WRITE | \
	_IO_DEVCTL_VERIFY_PRIV | _IO_DEVCTL_VERIFY_ACC_ISUID | \
	_IO_DEVCTL_VERIFY_ACC_ISGID | _IO_DEVCTL_VERIFY_ACC_IREAD | \
	_IO_DEVCTL_VERIFY_ACC_IWRITE | _IO_DEVCTL_VERIFY_ACC_IEXEC)
#define DEVCTL_VERIFY_CRED (_IO_DEVCTL_VERIFY_PRIV | \
	_IO_DEVCTL_VERIFY_ACC_ISUID | _IO_DEVCTL_VERIFY_ACC_ISGID | \
	_IO_DEVCTL_VERIFY_ACC_IREAD | _IO_DEVCTL_VERIFY_ACC_IWRITE | \
	_IO_DEVCTL_VERIFY_ACC_IEXEC)

/*
 * The checks in the order a message is judged: its form (the command's
 * size against nbytes, then against what arrived), then the open (the
 * OCB's access against the command's direction or the flags), then the
 * sender (root, then the attribute's owner, group and mode by
 * iofunc_check_access()).  The first that fails gives the answer; the
 * sender's credentials are the kernel's (ConnectClientInfo), never a
 * field of the message.
 */
int
iofunc_devctl_verify(const resmgr_context_t *ctp, const io_devctl_t *msg,
    iofunc_ocb_carg_t arg, unsigned checks)
{
	const iofunc_ocb_t *ocb = arg.std;
	uint32_t dir, size, need = 0;
	struct _client_info info;
	mode_t acc = 0;
	int rc;

	if (ctp == NULL || msg == NULL || ocb == NULL) {
		return EINVAL;
	}
	if (checks & ~(unsigned) DEVCTL_VERIFY_KNOWN) {
		return EINVAL;
	}
	if ((checks & (DEVCTL_VERIFY_CRED & ~_IO_DEVCTL_VERIFY_PRIV)) &&
	    ocb->attr == NULL) {
		return EINVAL;
	}
	dir = get_device_direction(msg->i.dcmd);
	size = ((uint32_t) msg->i.dcmd >> 16) & 0x3fffu;
	if ((checks & _IO_DEVCTL_VERIFY_LEN) && msg->i.nbytes != size) {
		return EINVAL;
	}
	/* The command's data must be in the receive buffer, where the
	 * handler takes it from (_DEVCTL_DATA); data goes in only for a
	 * command that sends some (__DIOT, __DIOTF). */
	if ((checks & _IO_DEVCTL_VERIFY_MSG_LEN) && (dir & _POSIX_DEVDIR_TO) &&
	    ctp->size < sizeof(msg->i) + (size_t) size) {
		return EBADMSG;
	}
	if (checks & _IO_DEVCTL_VERIFY_DIR) {
		if (dir & _POSIX_DEVDIR_TO) {
			need |= _IO_FLAG_WR;
		}
		if (dir & _POSIX_DEVDIR_FROM) {
			need |= _IO_FLAG_RD;
		}
	}
	if (checks & _IO_DEVCTL_VERIFY_OCB_READ) {
		need |= _IO_FLAG_RD;
	}
	if (checks & _IO_DEVCTL_VERIFY_OCB_WRITE) {
		need |= _IO_FLAG_WR;
	}
	if (((uint32_t) ocb->ioflag & need) != need) {
		return EBADF;
	}
	if (!(checks & DEVCTL_VERIFY_CRED)) {
		return EOK;
	}
	rc = iofunc_client_info((resmgr_context_t *) ctp, 0, &info);
	if (rc != EOK) {
		return rc;
	}
	if ((checks & _IO_DEVCTL_VERIFY_PRIV) && info.cred.euid != 0) {
		return EPERM;
	}
	if (checks & _IO_DEVCTL_VERIFY_ACC_ISUID) {
		acc |= S_ISUID;
	}
	if (checks & _IO_DEVCTL_VERIFY_ACC_ISGID) {
		acc |= S_ISGID;
	}
	if (checks & _IO_DEVCTL_VERIFY_ACC_IREAD) {
		acc |= S_IREAD;
	}
	if (checks & _IO_DEVCTL_VERIFY_ACC_IWRITE) {
		acc |= S_IWRITE;
	}
	if (checks & _IO_DEVCTL_VERIFY_ACC_IEXEC) {
		acc |= S_IEXEC;
	}
	if (acc == 0) {
		return EOK;
	}
	return iofunc_check_access((resmgr_context_t *) ctp, ocb->attr, acc,
	    &info);
}

int
iofunc_lseek(resmgr_context_t *ctp, io_lseek_t *msg, iofunc_ocb_arg_t oarg,
    iofunc_attr_arg_t aarg)
{
	iofunc_ocb_t *ocb = oarg.std;
	iofunc_attr_t *attr = aarg.std;
	int64_t base, off = (int64_t) msg->i.offset;
	int64_t pos;

	if (ctp == NULL || ocb == NULL || attr == NULL) {
		return EINVAL;
	}
	switch (msg->i.whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = ocb->offset;
		break;
	case SEEK_END:
		base = attr->nbytes;
		break;
	default:
		return EINVAL;
	}
	if (__builtin_add_overflow(base, off, &pos) || pos < 0) {
		return EINVAL;
	}
	ocb->offset = pos;
	msg->o = (uint64_t) pos;
	return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o));
}

int
iofunc_lseek_default(resmgr_context_t *ctp, io_lseek_t *msg,
    iofunc_ocb_t *ocb)
{
	return iofunc_lseek(ctp, msg, ocb, ocb->attr);
}

int
iofunc_chmod(resmgr_context_t *ctp, io_chmod_t *msg, iofunc_ocb_arg_t oarg,
    iofunc_attr_arg_t aarg)
{
	iofunc_attr_t *attr = aarg.std;
	struct _client_info info;
	int rc;

	(void) oarg;
	if (attr == NULL || msg == NULL) {
		return EINVAL;
	}
	rc = iofunc_client_info(ctp, 0, &info);
	if (rc != EOK) {
		return rc;
	}
	if (info.cred.euid != 0 && info.cred.euid != attr->uid) {
		return EPERM;
	}
	attr->mode = (attr->mode & S_IFMT) | (msg->i.mode & 07777);
	attr->flags |= IOFUNC_ATTR_CTIME | IOFUNC_ATTR_DIRTY_MODE |
	    IOFUNC_ATTR_DIRTY_TIME;
	return EOK;
}

int
iofunc_chmod_default(resmgr_context_t *ctp, io_chmod_t *msg,
    iofunc_ocb_t *ocb)
{
	return iofunc_chmod(ctp, msg, ocb, ocb->attr);
}

int
iofunc_chown(resmgr_context_t *ctp, io_chown_t *msg, iofunc_ocb_arg_t oarg,
    iofunc_attr_arg_t aarg)
{
	iofunc_attr_t *attr = aarg.std;
	struct _client_info info;
	bool restricted;
	int rc;

	(void) oarg;
	if (attr == NULL || msg == NULL) {
		return EINVAL;
	}
	rc = iofunc_client_info(ctp, 0, &info);
	if (rc != EOK) {
		return rc;
	}
	/* Without a mount, as POSIX's _POSIX_CHOWN_RESTRICTED. */
	restricted = attr->mount == NULL ||
	    (attr->mount->conf & IOFUNC_PC_CHOWN_RESTRICTED);
	if (info.cred.euid != 0) {
		if (info.cred.euid != attr->uid) {
			return EPERM;
		}
		if (msg->i.uid != -1 && (uid_t) msg->i.uid != attr->uid &&
		    restricted) {
			return EPERM;
		}
		if (msg->i.gid != -1 && (gid_t) msg->i.gid != attr->gid &&
		    !in_group(ctp, &info, (gid_t) msg->i.gid)) {
			return EPERM;
		}
		attr->mode &= ~(mode_t) (S_ISUID | S_ISGID);
	}
	if (msg->i.uid != -1) {
		attr->uid = (uid_t) msg->i.uid;
	}
	if (msg->i.gid != -1) {
		attr->gid = (gid_t) msg->i.gid;
	}
	attr->flags |= IOFUNC_ATTR_CTIME | IOFUNC_ATTR_DIRTY_OWNER |
	    IOFUNC_ATTR_DIRTY_TIME;
	return EOK;
}

int
iofunc_chown_default(resmgr_context_t *ctp, io_chown_t *msg,
    iofunc_ocb_t *ocb)
{
	return iofunc_chown(ctp, msg, ocb, ocb->attr);
}

int
iofunc_utime(resmgr_context_t *ctp, io_utime_t *msg, iofunc_ocb_arg_t oarg,
    iofunc_attr_arg_t aarg)
{
	iofunc_attr_t *attr = aarg.std;
	struct _client_info info;
	int rc;

	(void) oarg;
	if (attr == NULL || msg == NULL) {
		return EINVAL;
	}
	rc = iofunc_client_info(ctp, 0, &info);
	if (rc != EOK) {
		return rc;
	}
	if (info.cred.euid != 0 && info.cred.euid != attr->uid &&
	    (!msg->i.cur_flag ||
		iofunc_check_access(ctp, attr, S_IWRITE, &info) != EOK)) {
		return msg->i.cur_flag ? EACCES : EPERM;
	}
	if (msg->i.cur_flag) {
		attr->flags |= IOFUNC_ATTR_ATIME | IOFUNC_ATTR_MTIME;
	} else {
		attr->atime = msg->i.times.actime;
		attr->mtime = msg->i.times.modtime;
		attr->atime_ns = attr->mtime_ns = 0;
	}
	attr->flags |= IOFUNC_ATTR_CTIME | IOFUNC_ATTR_DIRTY_TIME;
	return EOK;
}

/* ---- mknod, unlink, rename (iofunc.h) ------------------------------ */

/* The client's right to change directory d: write and search. */
static int
dir_writable(resmgr_context_t *ctp, const iofunc_attr_t *d,
    const struct _client_info *info)
{
	if (d == NULL) {
		return EOK;
	}
	if (!S_ISDIR(d->mode)) {
		return ENOTDIR;
	}
	return iofunc_check_access(ctp, (iofunc_attr_t *) d,
	    S_IWRITE | S_IEXEC, info);
}

/* The client's right to remove entry a from directory d. */
static int
entry_removable(resmgr_context_t *ctp, const iofunc_attr_t *a,
    const iofunc_attr_t *d, const struct _client_info *info)
{
	int rc = dir_writable(ctp, d, info);

	if (rc != EOK) {
		return rc;
	}
	if (d != NULL && (d->mode & S_ISVTX) && info->cred.euid != 0 &&
	    info->cred.euid != a->uid && info->cred.euid != d->uid) {
		return EPERM;
	}
	return EOK;
}

static int
client_of(resmgr_context_t *ctp, struct _client_info **info,
    struct _client_info **own)
{
	int rc;

	*own = NULL;
	if (*info != NULL) {
		return EOK;
	}
	rc = iofunc_client_info_ext(ctp, 0, own, _NTO_CLIENTINFO_GETGROUPS);
	if (rc == EOK) {
		*info = *own;
	}
	return rc;
}

int
iofunc_mknod(resmgr_context_t *ctp, io_mknod_t *msg, iofunc_attr_arg_t aarg,
    iofunc_attr_arg_t darg, struct _client_info *info)
{
	struct _client_info *own;
	int rc;

	if (ctp == NULL || msg == NULL) {
		return EINVAL;
	}
	if (aarg.std != NULL) {
		return EEXIST;
	}
	if ((rc = client_of(ctp, &info, &own)) != EOK) {
		return rc;
	}
	rc = dir_writable(ctp, darg.std, info);
	if (own != NULL) {
		(void) iofunc_client_info_ext_free(&own);
	}
	return rc;
}

int
iofunc_unlink(resmgr_context_t *ctp, io_unlink_t *msg,
    iofunc_attr_arg_t aarg, iofunc_attr_arg_t darg,
    struct _client_info *info)
{
	const iofunc_attr_t *a = aarg.std;
	struct _client_info *own;
	int rc;

	if (ctp == NULL || msg == NULL) {
		return EINVAL;
	}
	if (a == NULL) {
		return ENOENT;
	}
	if ((rc = client_of(ctp, &info, &own)) != EOK) {
		return rc;
	}
	rc = entry_removable(ctp, a, darg.std, info);
	if (rc == EOK && S_ISDIR(a->mode) && a->nlink > 2) {
		rc = ENOTEMPTY;
	}
	if (own != NULL) {
		(void) iofunc_client_info_ext_free(&own);
	}
	return rc;
}

int
iofunc_rename(resmgr_context_t *ctp, io_rename_t *msg,
    iofunc_attr_arg_t oarg, iofunc_attr_arg_t odarg,
    iofunc_attr_arg_t narg, iofunc_attr_arg_t ndarg,
    struct _client_info *info)
{
	const iofunc_attr_t *o = oarg.std, *n = narg.std;
	struct _client_info *own;
	int rc;

	if (ctp == NULL || msg == NULL) {
		return EINVAL;
	}
	if (o == NULL) {
		return ENOENT;
	}
	if ((rc = client_of(ctp, &info, &own)) != EOK) {
		return rc;
	}
	rc = entry_removable(ctp, o, odarg.std, info);
	if (rc == EOK) {
		rc = dir_writable(ctp, ndarg.std, info);
	}
	if (rc == EOK && n != NULL && n != o) {
		rc = entry_removable(ctp, n, ndarg.std, info);
		if (rc == EOK && S_ISDIR(o->mode) != S_ISDIR(n->mode)) {
			rc = S_ISDIR(n->mode) ? EISDIR : ENOTDIR;
		}
		if (rc == EOK && S_ISDIR(n->mode) && n->nlink > 2) {
			rc = ENOTEMPTY;
		}
	}
	if (own != NULL) {
		(void) iofunc_client_info_ext_free(&own);
	}
	return rc;
}

int
iofunc_utime_default(resmgr_context_t *ctp, io_utime_t *msg,
    iofunc_ocb_t *ocb)
{
	return iofunc_utime(ctp, msg, ocb, ocb->attr);
}

/* ---- Open, close, unblock, locking --------------------------------- */

int
iofunc_open_default(resmgr_context_t *ctp, io_open_t *msg,
    iofunc_attr_t *attr, void *extra)
{
	int rc;

	(void) extra;
	rc = iofunc_open(ctp, msg, attr, NULL, NULL);
	if (rc != EOK) {
		return rc;
	}
	return iofunc_ocb_attach(ctp, msg, NULL, attr, NULL);
}

int
iofunc_close_ocb_default(resmgr_context_t *ctp, void *reserved,
    iofunc_ocb_t *ocb)
{
	(void) reserved;
	return iofunc_close_ocb(ctp, ocb, ocb->attr);
}

int
iofunc_close_dup_default(resmgr_context_t *ctp, io_close_t *msg,
    iofunc_ocb_t *ocb)
{
	(void) msg;
	/* The process's record locks on the file go (POSIX). */
	axon__iofunc_locks_close(ctp, ocb, true);
	return EOK;
}

int
iofunc_unblock_default(resmgr_context_t *ctp, io_pulse_t *msg,
    iofunc_ocb_t *ocb)
{
	(void) msg;
	/* A waiting F_SETLKW is the library's to release; any other
	 * blocked client is the handler's to answer. */
	if (axon__iofunc_locks_unblock(ctp, ocb)) {
		return EINTR;
	}
	return _RESMGR_DEFAULT;
}

int
iofunc_lock_ocb_default(resmgr_context_t *ctp, void *reserved,
    iofunc_ocb_t *ocb)
{
	(void) ctp;
	(void) reserved;
	return iofunc_attr_lock(ocb->attr);
}

int
iofunc_unlock_ocb_default(resmgr_context_t *ctp, void *reserved,
    iofunc_ocb_t *ocb)
{
	(void) ctp;
	(void) reserved;
	return iofunc_attr_unlock(ocb->attr);
}
