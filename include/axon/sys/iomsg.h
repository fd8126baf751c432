/* SPDX-License-Identifier: MIT */
/*
 * <sys/iomsg.h> for Axon: the resource-manager messages (_IO_*), with
 * their request (i) and reply (o) views, as QNX 7 programs name them.
 *
 * Numbers: the _IO_* types from _IO_CONNECT (0x100) to _IO_SYNC, the
 * connect subtypes and the _STAT_FORM_* values are QNX's documented
 * ones; every other value here (types past _IO_POWER, _IO_XTYPE_*,
 * _IO_XFLAG_*, _IO_CONNECT_EXTRA_*, _NOTIFY_*, ...) is Axon's choice,
 * since programs use the names only.  Every message starts with
 * "uint16_t type; uint16_t combine_len;" and is native-endian.
 */
#ifndef AXON_SYS_IOMSG_H
#define AXON_SYS_IOMSG_H

/* The O_* open flags of _IO_CONNECT's ioflag (and of the opens a
 * resource manager's client asks for): QNX programs that include this
 * header (or <sys/dispatch.h>) name them without <fcntl.h>. */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <utime.h>

#include <sys/neutrino.h>

#define _IO_BASE     0x100
#define _IO_CONNECT  0x100
#define _IO_READ     0x101
#define _IO_WRITE    0x102
#define _IO_RSVD_CLOSE_OCB 0x103
#define _IO_STAT     0x104
#define _IO_NOTIFY   0x105
#define _IO_DEVCTL   0x106
#define _IO_RSVD_UNBLOCK 0x107
#define _IO_PATHCONF 0x108
#define _IO_LSEEK    0x109
#define _IO_CHMOD    0x10a
#define _IO_CHOWN    0x10b
#define _IO_UTIME    0x10c
#define _IO_OPENFD   0x10d
#define _IO_FDINFO   0x10e
#define _IO_LOCK     0x10f
#define _IO_SPACE    0x110
#define _IO_SHUTDOWN 0x111
#define _IO_MMAP     0x112
#define _IO_MSG      0x113
#define _IO_RSVD     0x114
#define _IO_DUP      0x115
#define _IO_CLOSE    0x116
#define _IO_RSVD_LOCK_OCB 0x117
#define _IO_RSVD_UNLOCK_OCB 0x118
#define _IO_SYNC     0x119
#define _IO_POWER    0x11a
/* QNX 7 additions, in resmgr_io_funcs_t order (values: Axon's). */
#define _IO_ACL      0x11b
#define _IO_PAUSE    0x11c
#define _IO_UNPAUSE  0x11d
#define _IO_READ64   0x11e
#define _IO_WRITE64  0x11f
#define _IO_NOTIFY64 0x120
#define _IO_UTIME64  0x121
#define _IO_MAX      0x1ff

/* combine_len: the length of this part; the flag says another follows. */
#define _IO_COMBINE_FLAG 0x8000

/* Connect subtypes (documented values). */
#define _IO_CONNECT_COMBINE       0
#define _IO_CONNECT_COMBINE_CLOSE 1
#define _IO_CONNECT_OPEN          2
#define _IO_CONNECT_UNLINK        3
#define _IO_CONNECT_RENAME        4
#define _IO_CONNECT_MKNOD         5
#define _IO_CONNECT_READLINK      6
#define _IO_CONNECT_LINK          7
#define _IO_CONNECT_RSVD_UNBLOCK  8
#define _IO_CONNECT_MOUNT         9

/* Connect extra types (values: Axon's). */
#define _IO_CONNECT_EXTRA_NONE         0
#define _IO_CONNECT_EXTRA_LINK         1
#define _IO_CONNECT_EXTRA_SYMLINK      2
#define _IO_CONNECT_EXTRA_MQUEUE       3
#define _IO_CONNECT_EXTRA_PHYS         4
#define _IO_CONNECT_EXTRA_SOCKET       5
#define _IO_CONNECT_EXTRA_SEM          6
#define _IO_CONNECT_EXTRA_RESMGR_LINK  7
#define _IO_CONNECT_EXTRA_PROC_SYMLINK 8
#define _IO_CONNECT_EXTRA_RENAME       9
#define _IO_CONNECT_EXTRA_MOUNT        10
#define _IO_CONNECT_EXTRA_MOUNT_OCB    11
#define _IO_CONNECT_EXTRA_TYMEM        12

/* eflag bits (values: Axon's). */
#define _IO_CONNECT_EFLAG_DIR 0x01 /* the path ended in '/' */
#define _IO_CONNECT_EFLAG_DOT 0x02 /* the path ended in '.' or '..' */

/* ioflag is the open(2) flags plus one: O_RDONLY becomes _IO_FLAG_RD. */
#define _IO_FLAG_RD   0x00000001
#define _IO_FLAG_WR   0x00000002
#define _IO_FLAG_MASK 0x00000003

/* Read and write extended types (values: Axon's). */
#define _IO_XTYPE_NONE      0x00000000u
#define _IO_XTYPE_READCOND  0x00000001u
#define _IO_XTYPE_MQUEUE    0x00000002u
#define _IO_XTYPE_TCPIP     0x00000003u
#define _IO_XTYPE_TCPIP_MSG 0x00000004u
#define _IO_XTYPE_OFFSET    0x00000005u
#define _IO_XTYPE_REGISTRY  0x00000006u
#define _IO_XTYPE_MASK      0x000000ffu
#define _IO_XFLAG_DIR_EXTRA_HINT 0x00000100u
#define _IO_XFLAG_NONBLOCK  0x00004000u
#define _IO_XFLAG_BLOCK     0x00008000u

struct _xtype_offset {
	int64_t offset; /* pread/pwrite: where, ignoring the OCB's offset */
};

struct _xtype_readcond {
	int32_t min;
	int32_t time;
	int32_t timeout;
};

/* ---- Connect messages ------------------------------------------------ */
struct _io_connect {
	uint16_t type;
	uint16_t subtype;
	uint32_t file_type;
	uint16_t reply_max;
	uint16_t entry_max;
	uint32_t key;
	uint32_t handle;
	uint32_t ioflag;
	uint32_t mode;
	uint16_t sflag;
	uint16_t access;
	uint16_t zero;
	uint16_t path_len; /* with the terminating NUL */
	uint8_t eflag;
	uint8_t extra_type;
	uint16_t extra_len;
	char path[1]; /* path_len bytes, then extra_len bytes of extra */
};

struct _io_connect_link_reply {
	uint32_t reserved1;
	uint32_t file_type;
	uint8_t eflag;
	uint8_t reserved2[1];
	uint16_t chroot_len;
	uint32_t umask;
	uint16_t nentries;
	uint16_t path_len;
};

struct _io_connect_ftype_reply {
	uint16_t status;
	uint16_t reserved;
	uint32_t file_type;
};

struct _io_connect_entry {
	uint32_t nd;
	pid_t pid;
	int32_t chid;
	uint32_t handle;
	uint32_t key;
	uint32_t file_type;
	uint16_t prefix_len;
	uint16_t zero[3];
};

typedef union {
	struct _io_connect connect;
	struct _io_connect_link_reply link_reply;
	struct _io_connect_ftype_reply ftype_reply;
} io_open_t, io_unlink_t, io_rename_t, io_mknod_t, io_readlink_t,
    io_link_t, io_mount_t;

/* The extra parts of rename, link and mount (the old path, or the
 * mount's options, follow the connect message's path). */
typedef union {
	char path[1];
} io_rename_extra_t;

typedef union {
	void *ocb;
	char path[1];
} io_link_extra_t;

typedef struct _io_mount_extra {
	uint32_t flags;
	uint32_t nbytes;
	uint32_t datalen;
	uint32_t zero;
	char data[1];
} io_mount_extra_t;

/* ---- Read and write ------------------------------------------------- */
struct _io_read {
	uint16_t type;
	uint16_t combine_len;
	uint32_t nbytes;
	uint32_t xtype;
	uint32_t zero;
};

struct _io_read64 {
	uint16_t type;
	uint16_t combine_len;
	uint32_t nbytes;
	uint32_t xtype;
	uint32_t nbytes_hi;
};

typedef union {
	struct _io_read i;
	struct _io_read64 i64;
} io_read_t;

struct _io_write {
	uint16_t type;
	uint16_t combine_len;
	uint32_t nbytes;
	uint32_t xtype;
	uint32_t zero;
	/* nbytes of data follow */
};

struct _io_write64 {
	uint16_t type;
	uint16_t combine_len;
	uint32_t nbytes;
	uint32_t xtype;
	uint32_t nbytes_hi;
};

typedef union {
	struct _io_write i;
	struct _io_write64 i64;
} io_write_t;

#define _IO_READ_GET_NBYTES(_msg) \
	((_msg)->i.type == _IO_READ64 ? \
	    ((uint64_t) (_msg)->i64.nbytes_hi << 32 | (_msg)->i64.nbytes) : \
	    (uint64_t) (_msg)->i.nbytes)
#define _IO_WRITE_GET_NBYTES(_msg) \
	((_msg)->i.type == _IO_WRITE64 ? \
	    ((uint64_t) (_msg)->i64.nbytes_hi << 32 | (_msg)->i64.nbytes) : \
	    (uint64_t) (_msg)->i.nbytes)

/* ---- Stat ------------------------------------------------------------ */
#define _STAT_FORM_UNSET    0
#define _STAT_FORM_T32_2001 1
#define _STAT_FORM_T32_2008 2
#define _STAT_FORM_T64_2008 3
#define _STAT_FORM_PREFERRED _STAT_FORM_T64_2008

struct _io_stat {
	uint16_t type;
	uint16_t combine_len;
	uint32_t format; /* _STAT_FORM_* (QNX 6 called it zero) */
};

/* The reply is the host's struct stat (Axon runs one ABI per node). */
typedef union {
	struct _io_stat i;
	struct stat o;
} io_stat_t;

/* ---- Devctl ---------------------------------------------------------- */
struct _io_devctl {
	uint16_t type;
	uint16_t combine_len;
	int32_t dcmd;
	uint32_t nbytes;
	int32_t zero;
	/* nbytes of data follow */
};

struct _io_devctl_reply {
	uint32_t zero;
	int32_t ret_val;
	uint32_t nbytes;
	int32_t zero2;
	/* nbytes of data follow */
};

typedef union {
	struct _io_devctl i;
	struct _io_devctl_reply o;
} io_devctl_t;

#define _DEVCTL_DATA(_msg) ((void *) (&(_msg) + 1))

/* QNX 8: the payload that follows a message's i, o or link_reply member
 * (resmgr_attach(3)); for an io_devctl_t the first two are one address,
 * as the request and reply headers are the same size. */
#define _IO_INPUT_PAYLOAD(_msg) ((void *) (&(_msg)->i + 1))
#define _IO_OUTPUT_PAYLOAD(_msg) ((void *) (&(_msg)->o + 1))
#define _IO_LINK_REPLY_PAYLOAD(_msg) ((void *) (&(_msg)->link_reply + 1))

/*
 * The checks iofunc_devctl_verify() makes (QNX 7.1's names; the values
 * are Axon's, since QNX's reference gives none).  OR them together.
 */
#define _IO_DEVCTL_VERIFY_LEN        0x0001u /* dcmd's size == nbytes */
#define _IO_DEVCTL_VERIFY_MSG_LEN    0x0002u /* dcmd's size of data arrived */
#define _IO_DEVCTL_VERIFY_DIR        0x0004u /* dcmd's direction vs the open */
#define _IO_DEVCTL_VERIFY_OCB_READ   0x0008u /* opened for reading */
#define _IO_DEVCTL_VERIFY_OCB_WRITE  0x0010u /* opened for writing */
#define _IO_DEVCTL_VERIFY_PRIV       0x0020u /* the sender is root */
#define _IO_DEVCTL_VERIFY_ACC_ISUID  0x0040u /* the sender owns it */
#define _IO_DEVCTL_VERIFY_ACC_ISGID  0x0080u /* the sender is in its group */
#define _IO_DEVCTL_VERIFY_ACC_IREAD  0x0100u /* its mode lets the sender read */
#define _IO_DEVCTL_VERIFY_ACC_IWRITE 0x0200u /* ... write */
#define _IO_DEVCTL_VERIFY_ACC_IEXEC  0x0400u /* ... execute */

/* ---- Seek, close, attributes --------------------------------------- */
struct _io_lseek {
	uint16_t type;
	uint16_t combine_len;
	int16_t whence;
	uint16_t zero;
	uint64_t offset;
};

typedef union {
	struct _io_lseek i;
	uint64_t o; /* the new offset */
} io_lseek_t;

struct _io_close {
	uint16_t type;
	uint16_t combine_len;
};

typedef union {
	struct _io_close i;
} io_close_t;

struct _io_chmod {
	uint16_t type;
	uint16_t combine_len;
	mode_t mode;
};

typedef union {
	struct _io_chmod i;
} io_chmod_t;

struct _io_chown {
	uint16_t type;
	uint16_t combine_len;
	int32_t gid;
	int32_t uid;
};

typedef union {
	struct _io_chown i;
} io_chown_t;

struct _io_utime {
	uint16_t type;
	uint16_t combine_len;
	int32_t cur_flag; /* 1: set both times to now */
	struct utimbuf times;
};

typedef union {
	struct _io_utime i;
} io_utime_t;

struct _io_pathconf {
	uint16_t type;
	uint16_t combine_len;
	int16_t name;
	uint16_t zero;
};

typedef union {
	struct _io_pathconf i;
} io_pathconf_t;

/* ---- Notify (select/poll/ionotify) --------------------------------- */
#define _NOTIFY_ACTION_POLL    0
#define _NOTIFY_ACTION_POLLARM 1
#define _NOTIFY_ACTION_TRANARM 2
#define _NOTIFY_ACTION_CONDARM 3
#define _NOTIFY_ACTION_EDGEARM 4
#define _NOTIFY_ACTION_MASK    0x000000ff
#define _NOTIFY_COND_MASK      0xf0000000u
#define _NOTIFY_DATA_MASK      (~_NOTIFY_COND_MASK) /* the rest of a value */
#define _NOTIFY_COND_OBAND     0x40000000u
#define _NOTIFY_COND_OUTPUT    0x20000000u
#define _NOTIFY_COND_INPUT     0x10000000u
#define _NOTIFY_COND_EXTEN     0x80000000u

/* QNX 7's extended conditions (QNX's documentation names them and says
 * what each means, not their values: these are Axon's, bits below
 * _NOTIFY_COND_MASK so that one int holds them with the classic ones,
 * as iofunc_notify()'s trig and ionotify()'s flags do).  With
 * _NOTIFY_COND_EXTEN they are asked in an _IO_NOTIFY's flags_extra_mask
 * and met ones come back in the reply's flags_exten.  RDNORM is
 * _NOTIFY_COND_INPUT, WRNORM _OUTPUT and RDBAND _OBAND (one notify list
 * each); PRI, WRBAND, ERR, HUP and NVAL have lists of their own. */
#define _NOTIFY_CONDE_RDNORM   0x00000001u /* normal data to read */
#define _NOTIFY_CONDE_WRNORM   0x00000002u /* room for normal data */
#define _NOTIFY_CONDE_RDBAND   0x00000004u /* out-of-band data to read */
#define _NOTIFY_CONDE_PRI      0x00000008u /* priority data to read */
#define _NOTIFY_CONDE_WRBAND   0x00000010u /* room for out-of-band data */
#define _NOTIFY_CONDE_ERR      0x00000020u /* an error on the device */
#define _NOTIFY_CONDE_HUP      0x00000040u /* the device hung up */
#define _NOTIFY_CONDE_NVAL     0x00000080u /* the descriptor is invalid */
#define _NOTIFY_CONDE_MASK     0x000000ffu /* (Axon's: all of them) */
/* The notify lists an iofunc_notify_t array needs to take every
 * condition (<sys/iofunc.h>'s IOFUNC_NOTIFY_* index it; Axon's value). */
#define _NOTIFY_MAXCOND        8

/* The full header is always sent, whatever the flags (QNX 7); mgr to
 * timo mean something only with _NOTIFY_COND_EXTEN in flags.  The event
 * is Axon's struct sigevent (glibc's layout, as every Axon message
 * carries it), and _IO_NOTIFY64 is the same message.  A poll of several
 * descriptors in one message (nfds struct pollfd after the header) is
 * not sent by Axon's clients; the decoder checks that the array is
 * there and iofunc_notify() leaves it alone. */
struct _io_notify {
	uint16_t type;
	uint16_t combine_len;
	int32_t action;
	int32_t flags;
	struct sigevent event;
	int32_t mgr[2];            /* the manager's own */
	int32_t flags_extra_mask;  /* the extended conditions asked */
	int32_t flags_exten;       /* (0 from Axon's clients) */
	int32_t nfds;
	int32_t fd_first;
	int32_t nfds_ready;
	int64_t timo;
	/* struct pollfd fds[nfds]; */
};

/* flags: the classic conditions met, and _NOTIFY_COND_EXTEN when the
 * manager answered the extended fields: flags_extra_mask the extended
 * conditions it can report, flags_exten those met (a reply's fields
 * a manager leaves are zero). */
struct _io_notify_reply {
	uint32_t zero;
	uint32_t flags;
	int32_t flags2;
	struct sigevent event;
	int32_t mgr[2];
	int32_t flags_extra_mask;
	int32_t flags_exten;
	int32_t nfds;
	int32_t fd_first;
	int32_t nfds_ready;
	int64_t timo;
	/* struct pollfd fds[nfds]; */
};

typedef union {
	struct _io_notify i;
	struct _io_notify_reply o;
} io_notify_t;

/* ionotify() (QNX declares it in <unistd.h> and <sys/iomsg.h>): arms,
 * polls or (event NULL) disarms the manager behind fd, an Axon
 * connection id (open() of a path a manager attached, name_open()).
 * flags: _NOTIFY_COND_* and, with _NOTIFY_COND_EXTEN, _NOTIFY_CONDE_*.
 * Returns the conditions met (_NOTIFY_COND_*, and the _NOTIFY_CONDE_*
 * asked that the manager reports met), or -1 with errno (EBADF, EINVAL,
 * ENOSYS: the manager has no io_notify; ENOTSUP: a Linux descriptor
 * with no direct connection, which poll() and select() serve instead). */
#ifdef __cplusplus
extern "C" {
#endif
AXON_EXPORT int ionotify(int fd, int action, int flags,
    const struct sigevent *event);
#ifdef __cplusplus
}
#endif

/* ---- Space (ftruncate, F_ALLOCSP/F_FREESP) ------------------------- */
/* The subtypes (QNX's fcntl() commands; Linux has no such commands, so
 * they are defined here only for the message).  F_FREESP with len 0
 * sets the size to start, shrinking or growing: what ftruncate() sends. */
#ifndef F_ALLOCSP
#define F_ALLOCSP   10
#define F_FREESP    11
#define F_ALLOCSP64 110
#define F_FREESP64  111
#endif
struct _io_space {
	uint16_t type;
	uint16_t combine_len;
	uint16_t subtype; /* F_ALLOCSP or F_FREESP */
	int16_t whence;
	uint64_t start;
	uint64_t len; /* 0: to the end */
};

typedef union {
	struct _io_space i;
	uint64_t o; /* the new size */
} io_space_t;

/* ---- Manager-specific messages ------------------------------------- */
struct _io_msg {
	uint16_t type;
	uint16_t combine_len;
	uint16_t mgrid;
	uint16_t subtype;
	/* data follow */
};

typedef union {
	struct _io_msg i;
} io_msg_t;

/* ---- openfd() and iofdinfo() -------------------------------------- */
/*
 * _IO_OPENFD goes on a new connection of the client's to the manager;
 * info names the open it reopens: info.coid is the client's connection
 * id of that open (the manager looks it up among the sender's own opens,
 * never another process's), info.chid the manager's channel, the rest
 * as ConnectServerInfo() gave them.  ioflag is the new open's, in
 * _IO_CONNECT's form (access + 1); xtype, reserved2 and key are zero
 * (the library refuses others: Axon gives them no meaning).  QNX 6.6's
 * headers called xtype reserved1; both names work.
 */
struct _io_openfd {
	uint16_t type;
	uint16_t combine_len;
	uint32_t ioflag;
	uint16_t sflag;
	union {
		uint16_t xtype;
		uint16_t reserved1;
	};
	struct _msg_info info;
	uint32_t reserved2;
	uint32_t key;
};

typedef union {
	struct _io_openfd i;
} io_openfd_t;

/* What iofdinfo() tells of an open (QNX's <sys/iomgr.h> layout). */
struct _fdinfo {
	uint32_t mode;   /* the file's type and permissions */
	uint32_t ioflag; /* the open's flags, access + 1 (_IO_FLAG_RD ...) */
	uint64_t offset; /* the open's position */
	uint64_t size;   /* the file's size */
	uint32_t flags;  /* _FDINFO_* (Axon sets none) */
	uint16_t sflag;  /* the open's share flags */
	uint16_t count;  /* the file's opens */
	uint16_t rcount; /* ... for reading */
	uint16_t wcount; /* ... for writing */
	uint16_t rlocks; /* read locks (share modes) */
	uint16_t wlocks; /* write locks */
	uint32_t zero[6];
};

/* iofdinfo()'s flags: the path usable on this node only.  (The value is
 * Axon's.) */
#define _FDINFO_FLAG_LOCALPATH 0x00000001u

struct _io_fdinfo {
	uint16_t type;
	uint16_t combine_len;
	uint32_t flags;    /* _FDINFO_FLAG_LOCALPATH or 0 */
	uint32_t path_len; /* room for the path the client has, with its NUL */
	uint32_t reserved; /* zero */
};

/* The reply: this, then the path (NUL-terminated, at most path_len
 * bytes); the reply's status is the path's whole length plus one, which
 * _IO_SET_FDINFO_LEN() sets. */
struct _io_fdinfo_reply {
	uint32_t zero[2];
	struct _fdinfo info;
	/* char path[]; */
};

typedef union {
	struct _io_fdinfo i;
	struct _io_fdinfo_reply o;
} io_fdinfo_t;

/* ---- The rest (accepted names; no defaults but _IO_LOCK: ENOSYS) -- */
struct _io_lock {
	uint16_t type;
	uint16_t combine_len;
	uint32_t subtype;
	int32_t nbytes;
	/* a struct flock follows */
};

typedef union {
	struct _io_lock i;
} io_lock_t;

struct _io_shutdown {
	uint16_t type;
	uint16_t combine_len;
};

typedef union {
	struct _io_shutdown i;
} io_shutdown_t;

struct _io_mmap {
	uint16_t type;
	uint16_t combine_len;
	uint32_t prot;
	uint64_t offset;
	struct _msg_info info;
	uint32_t required_prot;
	uint32_t zero[5];
};

typedef union {
	struct _io_mmap i;
} io_mmap_t;

struct _io_dup {
	uint16_t type;
	uint16_t combine_len;
	struct _msg_info info;
	uint32_t reserved;
	uint32_t key;
};

typedef union {
	struct _io_dup i;
} io_dup_t;

struct _io_sync {
	uint16_t type;
	uint16_t combine_len;
	uint32_t flag;
};

typedef union {
	struct _io_sync i;
} io_sync_t;

struct _io_power {
	uint16_t type;
	uint16_t combine_len;
	uint16_t subtype;
	uint16_t zero;
	uint32_t nbytes;
};

typedef union {
	struct _io_power i;
} io_power_t;

struct _io_acl {
	uint16_t type;
	uint16_t combine_len;
	uint32_t subtype;
	uint32_t size;
	uint32_t zero;
};

typedef union {
	struct _io_acl i;
} io_acl_t;

/* The unblock and unpause handlers get the pulse that caused them. */
typedef struct _pulse io_pulse_t;

#endif /* AXON_SYS_IOMSG_H */
