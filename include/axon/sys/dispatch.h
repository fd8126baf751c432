/* SPDX-License-Identifier: MIT */
/*
 * <sys/dispatch.h> for Axon: the dispatch layer of QNX's resource-manager
 * framework (dispatch_*, message_attach, pulse_attach, select_attach,
 * thread pools) and the name service (name_attach, name_open).
 *
 * THREAD_POOL_PARAM_T (default dispatch_context_t) and
 * THREAD_POOL_HANDLE_T (default dispatch_t) may be defined before this
 * header is included, as in QNX.  Flag values not documented by QNX are
 * Axon's choice.  See dispatch_create(3), message_attach(3),
 * thread_pool_create(3).
 */
#ifndef AXON_SYS_DISPATCH_H
#define AXON_SYS_DISPATCH_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include <sys/iomsg.h>
#include <sys/neutrino.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

#define NAME_FLAG_ATTACH_GLOBAL 0x00000002
#define NAME_FLAG_DETACH_SAVEDPP 0x00000001

#define _NAME_FLAG_COF_CLOEXEC    0x00000100
#define _NAME_FLAG_COF_INSECURE   0x00000200
#define _NAME_FLAG_COF_NOEVENT    0x00000400
#define _NAME_FLAG_COF_REG_EVENTS 0x00000800

/* Opaque dispatch handle. */
typedef struct _dispatch dispatch_t;

typedef struct _name_attach {
	dispatch_t *dpp;
	int chid;
	int mntid;
	int zero[2];
} name_attach_t;

/* Every message a resource manager may receive, and pulses. */
typedef union _resmgr_iomsgs {
	uint16_t type;
	struct _pulse pulse;
	io_open_t open;
	io_read_t read;
	io_write_t write;
	io_stat_t stat;
	io_notify_t notify;
	io_devctl_t devctl;
	io_pathconf_t pathconf;
	io_lseek_t lseek;
	io_chmod_t chmod;
	io_chown_t chown;
	io_utime_t utime;
	io_openfd_t openfd;
	io_fdinfo_t fdinfo;
	io_lock_t lock;
	io_space_t space;
	io_shutdown_t shutdown;
	io_mmap_t mmap;
	io_msg_t msg;
	io_dup_t dup;
	io_close_t close;
	io_sync_t sync;
	io_power_t power;
	io_acl_t acl;
} resmgr_iomsgs_t;

/*
 * The context a handler runs in: what dispatch_block() received (rcvid
 * 0 for a pulse, -1 after a dispatch_timeout() expiry), where it came
 * from, and the reply IOVs.  iov[] has nparts_max entries.
 */
typedef struct _resmgr_context {
	rcvid_t rcvid;
	struct _msg_info info;
	resmgr_iomsgs_t *msg;
	dispatch_t *dpp;
	int id;              /* the link (resmgr_attach) it came through */
	size_t msg_max_size; /* of the receive buffer */
	long status;         /* the reply status the library will use */
	size_t offset;       /* of this message in the client's */
	size_t size;         /* bytes of it received */
	iov_t iov[1];
} resmgr_context_t;

typedef resmgr_context_t message_context_t;
typedef resmgr_context_t select_context_t;

typedef union _dispatch_context {
	resmgr_context_t resmgr_context;
	message_context_t message_context;
	select_context_t select_context;
} dispatch_context_t;

/* dispatch_create_channel() flags. */
#define DISPATCH_FLAG_NOLOCK 0x00000001

/* ---- resmgr_attach() attributes (here as in QNX) -------------------- */
#define RESMGR_FLAG_ATTACH_LOCAL     0x00000001 /* no path registration */
#define RESMGR_FLAG_ATTACH_OTHERFUNC 0x00000002
#define RESMGR_FLAG_CROSS_ENDIAN     0x00000004
#define RESMGR_FLAG_NO_DEFAULT_FUNC  0x00000008
#define RESMGR_FLAG_RCM              0x00000010

typedef struct _resmgr_attr {
	unsigned flags;
	unsigned nparts_max;
	size_t msg_max_size;
	int (*other_func)(resmgr_context_t *ctp, void *msg);
	unsigned reserved[4];
} resmgr_attr_t;

#define _RESMGR_DETACH_ALL      0x0000
#define _RESMGR_DETACH_PATHNAME 0x0001
#define _RESMGR_DETACH_CLOSE    0x0002

/* ---- message_attach() / pulse_attach() ------------------------------ */
#define MSG_FLAG_CROSS_ENDIAN 0x00000001
#define MSG_FLAG_DEFAULT_FUNC 0x00000100
#define MSG_FLAG_ALLOC_PULSE  0x00000200
#define MSG_FLAG_SIDE_CHANNEL 0x00000400 /* message_connect() */

typedef struct _message_attr {
	unsigned flags;
	unsigned nparts_max;
	size_t msg_max_size;
} message_attr_t;

/* ---- select_attach() ------------------------------------------------ */
#define SELECT_FLAG_READ      0x00000001
#define SELECT_FLAG_WRITE     0x00000002
#define SELECT_FLAG_EXCEPT    0x00000004
#define SELECT_FLAG_REARM     0x00000008
#define SELECT_FLAG_SRVEXCEPT 0x00000010

typedef struct _select_attr {
	unsigned flags;
	unsigned reserved[3];
} select_attr_t;

AXON_EXPORT dispatch_t *dispatch_create(void);
AXON_EXPORT dispatch_t *dispatch_create_channel(int chid, unsigned flags);
AXON_EXPORT dispatch_context_t *dispatch_context_alloc(dispatch_t *dpp);
AXON_EXPORT void dispatch_context_free(dispatch_context_t *ctp);
AXON_EXPORT dispatch_context_t *dispatch_block(dispatch_context_t *ctp);
AXON_EXPORT int dispatch_handler(dispatch_context_t *ctp);
AXON_EXPORT void dispatch_unblock(dispatch_context_t *ctp);
AXON_EXPORT int dispatch_timeout(dispatch_t *dpp, struct timespec *reltime);
AXON_EXPORT int dispatch_destroy(dispatch_t *dpp);

AXON_EXPORT int message_attach(dispatch_t *dpp, message_attr_t *attr,
    int low, int high,
    int (*func)(message_context_t *ctp, int code, unsigned flags,
	void *handle),
    void *handle);
AXON_EXPORT int message_detach(dispatch_t *dpp, int low, int high,
    int flags);
AXON_EXPORT int pulse_attach(dispatch_t *dpp, int flags, int code,
    int (*func)(message_context_t *ctp, int code, unsigned flags,
	void *handle),
    void *handle);
AXON_EXPORT int pulse_detach(dispatch_t *dpp, int code, int flags);
/* A connection to dpp's own channel (for timers' pulses): a coid. */
AXON_EXPORT int message_connect(dispatch_t *dpp, int flags);
AXON_EXPORT int select_attach(void *dpp, select_attr_t *attr, int fd,
    unsigned flags,
    int (*func)(select_context_t *ctp, int fd, unsigned flags,
	void *handle),
    void *handle);
AXON_EXPORT int select_detach(void *dpp, int fd);

AXON_EXPORT name_attach_t *name_attach(dispatch_t *dpp, const char *path,
    unsigned flags);
AXON_EXPORT int name_detach(name_attach_t *attach, unsigned flags);
AXON_EXPORT int name_open(const char *name, int flags);
AXON_EXPORT int name_close(int coid);

/* ---- Thread pools ---------------------------------------------------- */
#ifndef THREAD_POOL_PARAM_T
#define THREAD_POOL_PARAM_T dispatch_context_t
#endif
#ifndef THREAD_POOL_HANDLE_T
#define THREAD_POOL_HANDLE_T dispatch_t
#endif

#define POOL_FLAG_EXIT_SELF 0x00000001
#define POOL_FLAG_USE_SELF  0x00000002

#define THREAD_POOL_CONTROL_HIWATER   0x00000001
#define THREAD_POOL_CONTROL_LOWATER   0x00000002
#define THREAD_POOL_CONTROL_MAXIMUM   0x00000004
#define THREAD_POOL_CONTROL_INCREMENT 0x00000008
#define THREAD_POOL_CONTROL_NONBLOCK  0x00000010

typedef struct _thread_pool_attr {
	THREAD_POOL_HANDLE_T *handle;
	THREAD_POOL_PARAM_T *(*block_func)(THREAD_POOL_PARAM_T *ctp);
	void (*unblock_func)(THREAD_POOL_PARAM_T *ctp);
	int (*handler_func)(THREAD_POOL_PARAM_T *ctp);
	THREAD_POOL_PARAM_T *(*context_alloc)(THREAD_POOL_HANDLE_T *handle);
	void (*context_free)(THREAD_POOL_PARAM_T *ctp);
	pthread_attr_t *attr;
	unsigned short lo_water;
	unsigned short increment;
	unsigned short hi_water;
	unsigned short maximum;
	const char *tid_name; /* pool threads are named this, if not NULL */
	unsigned reserved[6];
} thread_pool_attr_t;

typedef struct _thread_pool thread_pool_t;

AXON_EXPORT thread_pool_t *thread_pool_create(thread_pool_attr_t *attr,
    unsigned flags);
AXON_EXPORT int thread_pool_start(void *pool);
AXON_EXPORT int thread_pool_destroy(thread_pool_t *pool);
/* Negative limits are left as they are; flags 0 or
 * THREAD_POOL_CONTROL_NONBLOCK (see thread_pool_control). */
AXON_EXPORT int thread_pool_limits(thread_pool_t *pool, int lowater,
    int hiwater, int maximum, int increment, unsigned flags);
/* Sets the limits flags names from attr, and unless
 * THREAD_POOL_CONTROL_NONBLOCK waits until the pool has lower..upper
 * threads (a cancellation point). */
AXON_EXPORT int thread_pool_control(thread_pool_t *pool,
    thread_pool_attr_t *attr, uint16_t lower, uint16_t upper,
    unsigned flags);

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_DISPATCH_H */
