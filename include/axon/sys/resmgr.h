/* SPDX-License-Identifier: MIT */
/*
 * <sys/resmgr.h> for Axon: the resource-manager layer of QNX's framework:
 * resmgr_attach() of a path into the node's namespace, the connect and
 * I/O handler tables, and the reply helpers.  See resmgr_attach(3).
 *
 * RESMGR_HANDLE_T and RESMGR_OCB_T default to void, or to IOFUNC_ATTR_T
 * and IOFUNC_OCB_T when <sys/iofunc.h> is included first (as QNX says:
 * include <sys/iofunc.h> before <sys/resmgr.h>).  The _RESMGR_FLAG_*
 * values and the _RESMGR_NOREPLY/_RESMGR_DEFAULT codes are Axon's choice.
 */
#ifndef AXON_SYS_RESMGR_H
#define AXON_SYS_RESMGR_H

#include <sys/dispatch.h>
#include <sys/ftype.h>
#include <sys/iomsg.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef RESMGR_HANDLE_T
#define RESMGR_HANDLE_T void
#endif
#ifndef RESMGR_OCB_T
#define RESMGR_OCB_T void
#endif

/* resmgr_attach() flags. */
#define _RESMGR_FLAG_BEFORE     0x00000001
#define _RESMGR_FLAG_AFTER      0x00000002
#define _RESMGR_FLAG_DIR        0x00000004
#define _RESMGR_FLAG_OPAQUE     0x00000008
#define _RESMGR_FLAG_FTYPEONLY  0x00000010
#define _RESMGR_FLAG_FTYPEALL   0x00000020
#define _RESMGR_FLAG_SELF       0x00000040
#define _RESMGR_FLAG_DETACH_CTP 0x00000080
#define _RESMGR_FLAG_PERSISTENT 0x00000100
#define _RESMGR_FLAG_MASK       0x000001ff

/*
 * What a handler returns: EOK (reply ctp->status, no data), an errno
 * (MsgError), _RESMGR_NPARTS(n) (reply ctp->iov[0..n-1]), _RESMGR_NOREPLY
 * (the handler replied or will), or _RESMGR_DEFAULT (the library's own
 * default: ENOSYS, or ENOTTY for devctl).
 */
#define _RESMGR_NPARTS(_n)    (-(_n))
#define _RESMGR_PTR(_ctp, _p, _n) \
	(SETIOV((_ctp)->iov + 0, (_p), (_n)), _RESMGR_NPARTS(1))
#define _RESMGR_ERRNO(_err)   (_err)
#define _RESMGR_NOREPLY       (-0x7fffffff - 1)
#define _RESMGR_DEFAULT       (-0x7fffffff)
#define _RESMGR_STATUS(_ctp, _s) ((_ctp)->status = (_s))
#define _RESMGR_NPARTS_MAX(_n) (_n)

#define _IO_SET_READ_NBYTES(_ctp, _n)  ((_ctp)->status = (long) (_n))
#define _IO_SET_WRITE_NBYTES(_ctp, _n) ((_ctp)->status = (long) (_n))
/* An _IO_FDINFO reply's status: the path's length with its NUL. */
#define _IO_SET_FDINFO_LEN(_ctp, _n)   ((_ctp)->status = (long) (_n))
#define _IO_SET_CONNECT_RET(_ctp, _s)  ((_ctp)->status = (long) (_s))

typedef struct _resmgr_connect_funcs {
	unsigned nfuncs;
	int (*open)(resmgr_context_t *ctp, io_open_t *msg,
	    RESMGR_HANDLE_T *handle, void *extra);
	int (*unlink)(resmgr_context_t *ctp, io_unlink_t *msg,
	    RESMGR_HANDLE_T *handle, void *reserved);
	int (*rename)(resmgr_context_t *ctp, io_rename_t *msg,
	    RESMGR_HANDLE_T *handle, io_rename_extra_t *extra);
	int (*mknod)(resmgr_context_t *ctp, io_mknod_t *msg,
	    RESMGR_HANDLE_T *handle, void *reserved);
	int (*readlink)(resmgr_context_t *ctp, io_readlink_t *msg,
	    RESMGR_HANDLE_T *handle, void *reserved);
	int (*link)(resmgr_context_t *ctp, io_link_t *msg,
	    RESMGR_HANDLE_T *handle, io_link_extra_t *extra);
	int (*unblock)(resmgr_context_t *ctp, io_pulse_t *msg,
	    RESMGR_HANDLE_T *handle, void *reserved);
	int (*mount)(resmgr_context_t *ctp, io_mount_t *msg,
	    RESMGR_HANDLE_T *handle, io_mount_extra_t *extra);
} resmgr_connect_funcs_t;

#define _RESMGR_CONNECT_NFUNCS \
	((sizeof(resmgr_connect_funcs_t) - sizeof(unsigned)) / sizeof(void *))

typedef struct _resmgr_io_funcs {
	unsigned nfuncs;
	int (*read)(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb);
	int (*write)(resmgr_context_t *ctp, io_write_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*close_ocb)(resmgr_context_t *ctp, void *reserved,
	    RESMGR_OCB_T *ocb);
	int (*stat)(resmgr_context_t *ctp, io_stat_t *msg, RESMGR_OCB_T *ocb);
	int (*notify)(resmgr_context_t *ctp, io_notify_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*devctl)(resmgr_context_t *ctp, io_devctl_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*unblock)(resmgr_context_t *ctp, io_pulse_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*pathconf)(resmgr_context_t *ctp, io_pathconf_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*lseek)(resmgr_context_t *ctp, io_lseek_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*chmod)(resmgr_context_t *ctp, io_chmod_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*chown)(resmgr_context_t *ctp, io_chown_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*utime)(resmgr_context_t *ctp, io_utime_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*openfd)(resmgr_context_t *ctp, io_openfd_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*fdinfo)(resmgr_context_t *ctp, io_fdinfo_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*lock)(resmgr_context_t *ctp, io_lock_t *msg, RESMGR_OCB_T *ocb);
	int (*space)(resmgr_context_t *ctp, io_space_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*shutdown)(resmgr_context_t *ctp, io_shutdown_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*mmap)(resmgr_context_t *ctp, io_mmap_t *msg, RESMGR_OCB_T *ocb);
	int (*msg)(resmgr_context_t *ctp, io_msg_t *msg, RESMGR_OCB_T *ocb);
	int (*reserved)(resmgr_context_t *ctp, void *msg, RESMGR_OCB_T *ocb);
	int (*dup)(resmgr_context_t *ctp, io_dup_t *msg, RESMGR_OCB_T *ocb);
	int (*close_dup)(resmgr_context_t *ctp, io_close_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*lock_ocb)(resmgr_context_t *ctp, void *reserved,
	    RESMGR_OCB_T *ocb);
	int (*unlock_ocb)(resmgr_context_t *ctp, void *reserved,
	    RESMGR_OCB_T *ocb);
	int (*sync)(resmgr_context_t *ctp, io_sync_t *msg, RESMGR_OCB_T *ocb);
	int (*power)(resmgr_context_t *ctp, io_power_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*acl)(resmgr_context_t *ctp, io_acl_t *msg, RESMGR_OCB_T *ocb);
	int (*pause)(resmgr_context_t *ctp, void *reserved,
	    RESMGR_OCB_T *ocb);
	int (*unpause)(resmgr_context_t *ctp, io_pulse_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*read64)(resmgr_context_t *ctp, io_read_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*write64)(resmgr_context_t *ctp, io_write_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*notify64)(resmgr_context_t *ctp, io_notify_t *msg,
	    RESMGR_OCB_T *ocb);
	int (*utime64)(resmgr_context_t *ctp, io_utime_t *msg,
	    RESMGR_OCB_T *ocb);
} resmgr_io_funcs_t;

#define _RESMGR_IO_NFUNCS \
	((sizeof(resmgr_io_funcs_t) - sizeof(unsigned)) / sizeof(void *))

AXON_EXPORT int resmgr_attach(dispatch_t *dpp, resmgr_attr_t *attr,
    const char *path, enum _file_type file_type, unsigned flags,
    const resmgr_connect_funcs_t *connect_funcs,
    const resmgr_io_funcs_t *io_funcs, RESMGR_HANDLE_T *handle);
AXON_EXPORT int resmgr_detach(dispatch_t *dpp, int id, unsigned flags);
/* resmgr_detach() of a link attached with _RESMGR_FLAG_DETACH_CTP, from
 * a handler running on ctp (or from anywhere with ctp NULL). */
AXON_EXPORT int resmgr_detach_ctp(const dispatch_t *dpp,
    resmgr_context_t *ctp, const int id, const unsigned flags);
AXON_EXPORT int resmgr_open_bind(resmgr_context_t *ctp, void *ocb,
    const resmgr_io_funcs_t *iofuncs);
AXON_EXPORT void *resmgr_ocb(resmgr_context_t *ctp); /* the current OCB */
/* Handles again a message the manager kept (_RESMGR_NOREPLY) as if it had
 * just arrived: ctp refreshed from MsgInfo()/MsgRead() of rcvid, the
 * client's priority taken (MsgCurrent), dispatched, replied.  ctp's own
 * state is put back afterwards. */
AXON_EXPORT int resmgr_msg_again(resmgr_context_t *ctp, rcvid_t rcvid);
/* The OCB tables' tuning: negative values leave one as it is, the old
 * ones are returned through the pointers.  Axon's tables grow on their
 * own: the values are kept and reported, nothing more. */
AXON_EXPORT int resmgr_handle_tune(int min_handles, int min_clients,
    int max_client_handles, int *min_handles_old, int *min_clients_old,
    int *max_client_handles_old);

AXON_EXPORT ssize_t resmgr_msgread(resmgr_context_t *ctp, void *msg,
    size_t size, size_t offset);
AXON_EXPORT ssize_t resmgr_msgreadv(resmgr_context_t *ctp, iov_t *iov,
    int parts, size_t offset);
AXON_EXPORT ssize_t resmgr_msgget(resmgr_context_t *ctp, void *msg,
    size_t size, size_t offset);
AXON_EXPORT ssize_t resmgr_msgwrite(resmgr_context_t *ctp, const void *msg,
    size_t size, size_t offset);
AXON_EXPORT ssize_t resmgr_msgwritev(resmgr_context_t *ctp,
    const iov_t *iov, int parts, size_t offset);
AXON_EXPORT int resmgr_msgreply(resmgr_context_t *ctp, void *msg,
    size_t len);
AXON_EXPORT int resmgr_msgreplyv(resmgr_context_t *ctp, iov_t *iov,
    int parts);

/* The resmgr_context_t forms of the dispatch calls, for thread pools
 * whose THREAD_POOL_PARAM_T is resmgr_context_t. */
AXON_EXPORT resmgr_context_t *resmgr_context_alloc(dispatch_t *dpp);
AXON_EXPORT void resmgr_context_free(resmgr_context_t *ctp);
AXON_EXPORT resmgr_context_t *resmgr_block(resmgr_context_t *ctp);
AXON_EXPORT int resmgr_handler(resmgr_context_t *ctp);
AXON_EXPORT void resmgr_unblock(resmgr_context_t *ctp);

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_RESMGR_H */
