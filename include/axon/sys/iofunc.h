/* SPDX-License-Identifier: MIT */
/*
 * <sys/iofunc.h> for Axon: the POSIX layer of QNX's resource-manager
 * framework: attributes, OCBs, mount hooks and the iofunc_*_default
 * handlers.  See iofunc(3).
 *
 * Extending the structures is done as in QNX: define IOFUNC_ATTR_T,
 * IOFUNC_OCB_T (and IOFUNC_MOUNT_T) before including this header, with
 * the standard structure as the first member of yours.  This header then
 * makes RESMGR_HANDLE_T and RESMGR_OCB_T those types, so include it
 * before <sys/resmgr.h>.  The helpers that are not handlers (verify,
 * attach, stat, time update...) take either your type or the standard
 * one (a transparent union in C).  The IOFUNC_* flag values are Axon's.
 */
#ifndef AXON_SYS_IOFUNC_H
#define AXON_SYS_IOFUNC_H

#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

struct _iofunc_attr;
struct _iofunc_ocb;
struct _iofunc_mount;

#ifndef IOFUNC_ATTR_T
#define IOFUNC_ATTR_T struct _iofunc_attr
#endif
#ifndef IOFUNC_OCB_T
#define IOFUNC_OCB_T struct _iofunc_ocb
#endif
#ifndef IOFUNC_MOUNT_T
#define IOFUNC_MOUNT_T struct _iofunc_mount
#endif
#ifndef RESMGR_HANDLE_T
#define RESMGR_HANDLE_T IOFUNC_ATTR_T
#endif
#ifndef RESMGR_OCB_T
#define RESMGR_OCB_T IOFUNC_OCB_T
#endif

#include <sys/resmgr.h>

/*
 * QNX's struct dirent has d_offset and d_namelen, which a directory
 * manager fills in the records of its _IO_READ; glibc's has neither.
 * For a manager (a program that includes this header) they name glibc's
 * fields: d_offset is d_off, d_namelen d_type's byte, where the name's
 * length goes (at most NAME_MAX, 255).  axon-fs reads records so filled
 * (glibc's layout) as well as QNX's own.  Not in <dirent.h>, which Linux
 * programs and directory readers use: there d_type is the type, and a
 * reader taking d_namelen for a length would be silently wrong.
 * AXON_NO_QNX_EXTRAS leaves them out.  See qnx-libc(3).
 */
#include <dirent.h>
#ifndef AXON_NO_QNX_EXTRAS
#if defined(_DIRENT_HAVE_D_OFF) && !defined(d_offset)
#define d_offset d_off
#endif
#if defined(_DIRENT_HAVE_D_TYPE) && !defined(d_namelen)
#define d_namelen d_type
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* S_IFNAM: the file type of names (name_attach); QNX's <sys/stat.h>
 * spells it _S_IFNAM too, and tests it with S_ISNAM(). */
#ifndef S_IFNAM
#define S_IFNAM 0x5000
#endif
#ifndef _S_IFNAM
#define _S_IFNAM S_IFNAM
#endif
#ifndef S_ISNAM
#define S_ISNAM(m) (((m) & S_IFMT) == S_IFNAM)
#endif

/* attr->flags: times to update, what changed; the top byte is yours. */
#define IOFUNC_ATTR_CTIME       0x00000001
#define IOFUNC_ATTR_MTIME       0x00000002
#define IOFUNC_ATTR_ATIME       0x00000004
#define IOFUNC_ATTR_DIRTY_NLINK 0x00000010
#define IOFUNC_ATTR_DIRTY_MODE  0x00000020
#define IOFUNC_ATTR_DIRTY_OWNER 0x00000040
#define IOFUNC_ATTR_DIRTY_TIME  0x00000080
#define IOFUNC_ATTR_DIRTY_SIZE  0x00000100
#define IOFUNC_ATTR_DIRTY_RDEV  0x00000200
#define IOFUNC_ATTR_DIRTY_MASK  0x000003f0
#define IOFUNC_ATTR_PRIVATE     0x0f000000

/* ocb->flags: the top nibble is yours. */
#define IOFUNC_OCB_PRIVILEGED   0x0001
#define IOFUNC_OCB_MMAP         0x0002
#define IOFUNC_OCB_FLAGS_PRIVATE 0xf000

/* mount->conf. */
#define IOFUNC_PC_CHOWN_RESTRICTED 0x00000001
#define IOFUNC_PC_NO_TRUNC         0x00000002
#define IOFUNC_PC_SYNC_IO          0x00000004
#define IOFUNC_PC_LINK_DIR         0x00000008
#define IOFUNC_PC_ACL              0x00000010

/* mount->flags (DCMD_ALL_GETMOUNTFLAGS). */
#define IOFUNC_MOUNT_32BIT 0x00000100
#define IOFUNC_MOUNT_FLAGS_PRIVATE 0xf0000000

typedef struct _iofunc_funcs {
	unsigned nfuncs;
	IOFUNC_OCB_T *(*ocb_calloc)(resmgr_context_t *ctp,
	    IOFUNC_ATTR_T *attr);
	void (*ocb_free)(IOFUNC_OCB_T *ocb);
} iofunc_funcs_t;

#define _IOFUNC_NFUNCS \
	((sizeof(iofunc_funcs_t) - sizeof(unsigned)) / sizeof(void *))

typedef struct _iofunc_mount {
	uint32_t flags;
	uint32_t conf;
	dev_t dev;
	int32_t blocksize;
	iofunc_funcs_t *funcs;
	void *reserved[2];
} iofunc_mount_t;

typedef struct _iofunc_attr {
	IOFUNC_MOUNT_T *mount;
	void *mmap_list;
	void *lock_list;
	void *acl;
	union {
		void *lockobj;
		pthread_mutex_t lock;
	};
	uint32_t flags;
	uint16_t count;  /* opens */
	uint16_t rcount; /* for reading */
	uint16_t wcount; /* for writing */
	uint16_t rlocks;
	uint16_t wlocks;
	uint16_t reserved;
	off_t nbytes;    /* size */
	ino_t inode;
	uid_t uid;
	gid_t gid;
	time_t mtime;
	time_t atime;
	time_t ctime;
	mode_t mode;
	nlink_t nlink;
	dev_t rdev;
	uint32_t mtime_ns;
	uint32_t atime_ns;
	uint32_t ctime_ns;
} iofunc_attr_t;

typedef struct _iofunc_ocb {
	IOFUNC_ATTR_T *attr;
	int32_t ioflag; /* open flags + 1: _IO_FLAG_RD, _IO_FLAG_WR, ... */
	off_t offset;
	uint16_t sflag;
	uint16_t flags;
	void *reserved;
} iofunc_ocb_t;

/* The helpers take the standard structure or yours. */
#if defined(__cplusplus)
typedef iofunc_attr_t *iofunc_attr_arg_t;
typedef iofunc_ocb_t *iofunc_ocb_arg_t;
#else
typedef union {
	iofunc_attr_t *std;
	IOFUNC_ATTR_T *ext;
} __attribute__((transparent_union)) iofunc_attr_arg_t;
typedef union {
	iofunc_ocb_t *std;
	IOFUNC_OCB_T *ext;
} __attribute__((transparent_union)) iofunc_ocb_arg_t;
#endif
/* The same, for the helpers that only look (const, as QNX declares them). */
#if defined(__cplusplus)
typedef const iofunc_ocb_t *iofunc_ocb_carg_t;
#else
typedef union {
	const iofunc_ocb_t *std;
	const IOFUNC_OCB_T *ext;
} __attribute__((transparent_union)) iofunc_ocb_carg_t;
#endif

/* ---- Initialisers ---------------------------------------------------- */
AXON_EXPORT void iofunc_func_init(unsigned nconnect,
    resmgr_connect_funcs_t *connect, unsigned nio, resmgr_io_funcs_t *io);
AXON_EXPORT void iofunc_attr_init(iofunc_attr_arg_t attr, mode_t mode,
    iofunc_attr_arg_t dattr, struct _client_info *info);

/* ---- Attribute locking ---------------------------------------------- */
AXON_EXPORT int iofunc_attr_lock(iofunc_attr_arg_t attr);
AXON_EXPORT int iofunc_attr_trylock(iofunc_attr_arg_t attr);
AXON_EXPORT int iofunc_attr_unlock(iofunc_attr_arg_t attr);

/* ---- Clients and permissions ---------------------------------------- */
AXON_EXPORT int iofunc_client_info(resmgr_context_t *ctp, int ioflag,
    struct _client_info *info);
/* Every supplementary group with _NTO_CLIENTINFO_GETGROUPS; frees with
 * iofunc_client_info_ext_free() (iofunc(3)). */
AXON_EXPORT int iofunc_client_info_ext(resmgr_context_t *ctp,
    const int ioflag, struct _client_info **info, int flags);
AXON_EXPORT int iofunc_client_info_ext_free(struct _client_info **info);
AXON_EXPORT int iofunc_check_access(resmgr_context_t *ctp,
    iofunc_attr_arg_t attr, mode_t checkmode,
    const struct _client_info *info);
AXON_EXPORT int iofunc_open(resmgr_context_t *ctp, io_open_t *msg,
    iofunc_attr_arg_t attr, iofunc_attr_arg_t dattr,
    struct _client_info *info);
AXON_EXPORT int iofunc_read_verify(resmgr_context_t *ctp, io_read_t *msg,
    iofunc_ocb_arg_t ocb, int *nonblock);
AXON_EXPORT int iofunc_write_verify(resmgr_context_t *ctp, io_write_t *msg,
    iofunc_ocb_arg_t ocb, int *nonblock);

/* ---- OCBs ------------------------------------------------------------ */
AXON_EXPORT int iofunc_ocb_attach(resmgr_context_t *ctp, io_open_t *msg,
    iofunc_ocb_arg_t ocb, iofunc_attr_arg_t attr,
    const resmgr_io_funcs_t *io_funcs);
AXON_EXPORT int iofunc_ocb_detach(resmgr_context_t *ctp,
    iofunc_ocb_arg_t ocb);
AXON_EXPORT IOFUNC_OCB_T *iofunc_ocb_calloc(resmgr_context_t *ctp,
    IOFUNC_ATTR_T *attr);
AXON_EXPORT void iofunc_ocb_free(IOFUNC_OCB_T *ocb);
AXON_EXPORT int iofunc_close_ocb(resmgr_context_t *ctp,
    iofunc_ocb_arg_t ocb, iofunc_attr_arg_t attr);

/* ---- Helpers behind the defaults ----------------------------------- */
AXON_EXPORT int iofunc_time_update(iofunc_attr_arg_t attr);
AXON_EXPORT int iofunc_stat(resmgr_context_t *ctp, iofunc_attr_arg_t attr,
    struct stat *stat);
AXON_EXPORT int iofunc_devctl(resmgr_context_t *ctp, io_devctl_t *msg,
    iofunc_ocb_arg_t ocb, iofunc_attr_arg_t attr);
AXON_EXPORT int iofunc_lseek(resmgr_context_t *ctp, io_lseek_t *msg,
    iofunc_ocb_arg_t ocb, iofunc_attr_arg_t attr);
AXON_EXPORT int iofunc_chmod(resmgr_context_t *ctp, io_chmod_t *msg,
    iofunc_ocb_arg_t ocb, iofunc_attr_arg_t attr);
AXON_EXPORT int iofunc_chown(resmgr_context_t *ctp, io_chown_t *msg,
    iofunc_ocb_arg_t ocb, iofunc_attr_arg_t attr);
AXON_EXPORT int iofunc_utime(resmgr_context_t *ctp, io_utime_t *msg,
    iofunc_ocb_arg_t ocb, iofunc_attr_arg_t attr);

/* ---- Entries of a directory manager (mknod, unlink, rename) -------- */
/* The checks a directory manager's connect handlers make before they
 * act (QNX's iofunc_mknod(), iofunc_unlink(), iofunc_rename() pages):
 * EOK or an errno; the entry is the handler's to make, remove or move.
 * dattr is the parent directory's attribute (NULL: none to check), attr
 * the entry's (NULL: none yet), info the client's (NULL: asked here).
 * mknod: EEXIST if attr names one; the directory must be one (ENOTDIR)
 * the client may write and search (EACCES).  unlink: attr must exist
 * (ENOENT); the directory writable and searchable (EACCES); in a sticky
 * directory (S_ISVTX) only root, the entry's owner or the directory's
 * may remove it (EPERM); a directory with more links than its own two
 * is not empty (ENOTEMPTY).  rename: oldattr must exist (ENOENT); the
 * unlink checks for the old entry in olddattr, the mknod checks (but
 * not EEXIST) in newdattr; a newattr that exists: the unlink checks for
 * it too, a directory only over a directory (EISDIR, ENOTDIR). */
AXON_EXPORT int iofunc_mknod(resmgr_context_t *ctp, io_mknod_t *msg,
    iofunc_attr_arg_t attr, iofunc_attr_arg_t dattr,
    struct _client_info *info);
AXON_EXPORT int iofunc_unlink(resmgr_context_t *ctp, io_unlink_t *msg,
    iofunc_attr_arg_t attr, iofunc_attr_arg_t dattr,
    struct _client_info *info);
AXON_EXPORT int iofunc_rename(resmgr_context_t *ctp, io_rename_t *msg,
    iofunc_attr_arg_t oldattr, iofunc_attr_arg_t olddattr,
    iofunc_attr_arg_t newattr, iofunc_attr_arg_t newdattr,
    struct _client_info *info);

/* ---- openfd() and iofdinfo() (_IO_OPENFD, _IO_FDINFO) -------------- */
/* A new open, bound to the connection the _IO_OPENFD came on, of the
 * file ocb (the open it reopens) is open on (attr; NULL: ocb's): access
 * no wider than ocb's and O_TRUNC only with write access (else EACCES),
 * flags beyond access, O_APPEND, O_TRUNC, O_NONBLOCK and O_LARGEFILE
 * EINVAL, its own offset (0; the size with O_APPEND).  Counted as an
 * open is; O_TRUNC is the handler's to do.  EOK or an errno. */
AXON_EXPORT int iofunc_openfd(resmgr_context_t *ctp, io_openfd_t *msg,
    iofunc_ocb_arg_t ocb, iofunc_attr_arg_t attr);
AXON_EXPORT int iofunc_openfd_default(resmgr_context_t *ctp,
    io_openfd_t *msg, IOFUNC_OCB_T *ocb);
/* Fills info from the open ocb and its file (attr; NULL: ocb's). */
AXON_EXPORT int iofunc_fdinfo(resmgr_context_t *ctp, iofunc_ocb_arg_t ocb,
    iofunc_attr_arg_t attr, struct _fdinfo *info);
/* Replies iofunc_fdinfo()'s and the attached path (QNX declares it in
 * <sys/iomgr.h>). */
AXON_EXPORT int iofunc_fdinfo_default(resmgr_context_t *ctp,
    io_fdinfo_t *msg, IOFUNC_OCB_T *ocb);

/* ---- Default handlers (what iofunc_func_init() installs) ----------- */
AXON_EXPORT int iofunc_open_default(resmgr_context_t *ctp, io_open_t *msg,
    IOFUNC_ATTR_T *attr, void *extra);
AXON_EXPORT int iofunc_read_default(resmgr_context_t *ctp, io_read_t *msg,
    IOFUNC_OCB_T *ocb);
AXON_EXPORT int iofunc_write_default(resmgr_context_t *ctp,
    io_write_t *msg, IOFUNC_OCB_T *ocb);
AXON_EXPORT int iofunc_close_ocb_default(resmgr_context_t *ctp,
    void *reserved, IOFUNC_OCB_T *ocb);
AXON_EXPORT int iofunc_close_dup_default(resmgr_context_t *ctp,
    io_close_t *msg, IOFUNC_OCB_T *ocb);
AXON_EXPORT int iofunc_stat_default(resmgr_context_t *ctp, io_stat_t *msg,
    IOFUNC_OCB_T *ocb);
AXON_EXPORT int iofunc_devctl_default(resmgr_context_t *ctp,
    io_devctl_t *msg, IOFUNC_OCB_T *ocb);
/* The checks a devctl handler makes before it acts (QNX 7.1):
 * requested_checks is _IO_DEVCTL_VERIFY_* (<sys/iomsg.h>). */
AXON_EXPORT int iofunc_devctl_verify(const resmgr_context_t *ctp,
    const io_devctl_t *msg, iofunc_ocb_carg_t ocb,
    unsigned requested_checks);
AXON_EXPORT int iofunc_lseek_default(resmgr_context_t *ctp,
    io_lseek_t *msg, IOFUNC_OCB_T *ocb);
AXON_EXPORT int iofunc_chmod_default(resmgr_context_t *ctp,
    io_chmod_t *msg, IOFUNC_OCB_T *ocb);
AXON_EXPORT int iofunc_chown_default(resmgr_context_t *ctp,
    io_chown_t *msg, IOFUNC_OCB_T *ocb);
AXON_EXPORT int iofunc_utime_default(resmgr_context_t *ctp,
    io_utime_t *msg, IOFUNC_OCB_T *ocb);
AXON_EXPORT int iofunc_unblock_default(resmgr_context_t *ctp,
    io_pulse_t *msg, IOFUNC_OCB_T *ocb);
AXON_EXPORT int iofunc_lock_ocb_default(resmgr_context_t *ctp,
    void *reserved, IOFUNC_OCB_T *ocb);
AXON_EXPORT int iofunc_unlock_ocb_default(resmgr_context_t *ctp,
    void *reserved, IOFUNC_OCB_T *ocb);

/* ---- Sync, space, pathconf (iofunc_more.c) ------------------------ */
AXON_EXPORT int iofunc_sync_verify(resmgr_context_t *ctp, io_sync_t *msg,
    iofunc_ocb_arg_t ocb);
AXON_EXPORT int iofunc_sync_default(resmgr_context_t *ctp, io_sync_t *msg,
    IOFUNC_OCB_T *ocb);
AXON_EXPORT int iofunc_space_verify(resmgr_context_t *ctp, io_space_t *msg,
    iofunc_ocb_arg_t ocb, int *nonblock);
AXON_EXPORT int iofunc_pathconf_verify(resmgr_context_t *ctp,
    io_pathconf_t *msg, iofunc_ocb_arg_t ocb, iofunc_attr_arg_t attr);
AXON_EXPORT int iofunc_pathconf(resmgr_context_t *ctp, io_pathconf_t *msg,
    iofunc_ocb_arg_t ocb, iofunc_attr_arg_t attr);
AXON_EXPORT int iofunc_pathconf_default(resmgr_context_t *ctp,
    io_pathconf_t *msg, IOFUNC_OCB_T *ocb);
/* Record locks (fcntl F_GETLK/F_SETLK/F_SETLKW): the message is the
 * header and a struct flock. */
AXON_EXPORT int iofunc_lock(resmgr_context_t *ctp, io_lock_t *msg,
    iofunc_ocb_arg_t ocb, iofunc_attr_arg_t attr);
AXON_EXPORT int iofunc_lock_default(resmgr_context_t *ctp, io_lock_t *msg,
    IOFUNC_OCB_T *ocb);

/* ---- Notification (select/poll/ionotify: _IO_NOTIFY) -------------- */
/* One list per condition; an attribute holds an array of at least three,
 * in the order input, output, out-of-band, zero-initialised (as part of
 * the attribute, or by memset); _NOTIFY_MAXCOND of them to take QNX 7's
 * extended conditions too (see iofunc_notify()).  cnt is the smallest
 * count an armed entry of the list waits for; list is the library's,
 * not the manager's.  Guard them as the rest of the attribute (the
 * attribute lock the library takes around every handler; yours around
 * a trigger). */
struct _iofunc_notify_event;
typedef struct _iofunc_notify {
	int cnt;
	struct _iofunc_notify_event *list;
} iofunc_notify_t;

/* QNX 7's initialiser of an attribute's notify lists: empties the
 * three classic ones (input, output, out-of-band) of the array nop, the
 * least a manager keeps.  A manager of _NOTIFY_MAXCOND lists zeroes the
 * others itself (as part of the attribute, or memset); the count of an
 * array's armed extended entries is the library's, not in the array. */
#define IOFUNC_NOTIFY_INIT(nop)                                        \
	do {                                                           \
		iofunc_notify_t *_axon_nop = (nop);                    \
		for (int _axon_i = 0; _axon_i < 3; _axon_i++) {        \
			_axon_nop[_axon_i].cnt = 0;                    \
			_axon_nop[_axon_i].list = NULL;                \
		}                                                      \
	} while (0)

#define IOFUNC_NOTIFY_INPUT  0
#define IOFUNC_NOTIFY_OUTPUT 1
#define IOFUNC_NOTIFY_OBAND  2
#define IOFUNC_NOTIFY_NCOND  3 /* (Axon's: the classic lists) */
/* The extended conditions' lists (Axon's names and values: QNX's
 * documentation gives none); RDNORM, WRNORM and RDBAND share the
 * classic lists they are equivalent to. */
#define IOFUNC_NOTIFY_RDNORM IOFUNC_NOTIFY_INPUT
#define IOFUNC_NOTIFY_WRNORM IOFUNC_NOTIFY_OUTPUT
#define IOFUNC_NOTIFY_RDBAND IOFUNC_NOTIFY_OBAND
#define IOFUNC_NOTIFY_PRI    3
#define IOFUNC_NOTIFY_WRBAND 4
#define IOFUNC_NOTIFY_ERR    5
#define IOFUNC_NOTIFY_HUP    6
#define IOFUNC_NOTIFY_NVAL   7

/* Arms (or polls) from an _IO_NOTIFY message: trig is the conditions
 * (_NOTIFY_COND_*) met now, notifycounts NULL or the counts an entry of
 * each list waits for (default 1), *armed (if not NULL) set to whether
 * an entry was armed.  _NOTIFY_COND_EXTEN in trig says nop has
 * _NOTIFY_MAXCOND lists and trig may hold _NOTIFY_CONDE_* too: the
 * extended conditions a client asks are then armed in their own lists,
 * and *armed is the _NOTIFY_CONDE_* set of the lists armed (classic ones
 * as RDNORM, WRNORM, RDBAND).  Without it only the first three lists are
 * touched (a client's RDNORM, WRNORM and RDBAND go to them; its other
 * extended conditions are never met nor armed).  Fills msg->o and
 * returns _RESMGR_NPARTS(1), or an errno (EINVAL, ENOMEM). */
AXON_EXPORT int iofunc_notify(resmgr_context_t *ctp, io_notify_t *msg,
    iofunc_notify_t *nop, int trig, const int *notifycounts, int *armed);
/* Delivers the event of every entry of nop[index] waiting for count or
 * fewer units, and disarms them (an armed entry fires once).  An index
 * of an extended list is looked at only while the array's extended
 * lists hold entries (an array of three is never read past). */
AXON_EXPORT void iofunc_notify_trigger(iofunc_notify_t *nop, int count,
    int index);
/* The same, for the entries armed on ctp's client's connection only
 * (its open: a dup's close, say); ctp NULL: every client's. */
AXON_EXPORT void iofunc_notify_trigger_strict(resmgr_context_t *ctp,
    iofunc_notify_t *nop, int count, int index);
/* Removes the entries of ctp's client (all of them when ctp is NULL)
 * from the three classic lists, and from the extended ones while any
 * of them holds an entry (_strict: from the first lim of those). */
AXON_EXPORT void iofunc_notify_remove(resmgr_context_t *ctp,
    iofunc_notify_t *nop);
AXON_EXPORT void iofunc_notify_remove_strict(resmgr_context_t *ctp,
    iofunc_notify_t *nop, int lim);

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_IOFUNC_H */
