/*
 * pool: the QNX documentation's multi-threaded resource manager, its
 * dispatch loop run by a thread pool (thread_pool_create with the
 * dispatch_* functions, low and high water marks, an increment and a
 * maximum).  To show that readers are served at once, a read at offset
 * 0 waits (10 s at most) until GROUP reads are in the manager together,
 * then answers "together N\n", N the most it saw at once; a read that
 * waited alone the whole time answers "together 1\n".  The answer is
 * kept in the OCB (extended, as the QNX documentation extends it, with
 * IOFUNC_OCB_T and the mount's ocb_calloc/ocb_free), so that reads of
 * any size get all of it.
 *
 * The default lock_ocb locks the attribute for each handler, which
 * would serve one read at a time; this device's state has its own
 * lock, so it has none.
 *
 * Usage: pool [PATH [GROUP]]   (default /dev/classic/pool, 3)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pool_ocb;
#define IOFUNC_OCB_T struct pool_ocb
#include <sys/dispatch.h>
#include <sys/iofunc.h>
#include <time.h>
#include <unistd.h>

struct pool_ocb {
	iofunc_ocb_t ocb;  /* first: the iofunc layer's part */
	char answer[32];
	size_t len;        /* 0: not asked yet */
};

static IOFUNC_OCB_T *
pool_ocb_calloc(resmgr_context_t *ctp, IOFUNC_ATTR_T *attr)
{
	return calloc(1, sizeof(struct pool_ocb));
}

static void
pool_ocb_free(IOFUNC_OCB_T *ocb)
{
	free(ocb);
}

static iofunc_funcs_t ocb_funcs = {_IOFUNC_NFUNCS, pool_ocb_calloc,
	pool_ocb_free};
static iofunc_mount_t mount = {.funcs = &ocb_funcs};
static resmgr_connect_funcs_t connect_funcs;
static resmgr_io_funcs_t io_funcs;
static iofunc_attr_t attr;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int inside;
static int peak;
static int group = 3;

/* Waits (10 s at most) for the group; how many were in at once. */
static int
wait_for_group(void)
{
	struct timespec until;
	int seen;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&lock);
	if (++inside > peak) {
		peak = inside;
	}
	pthread_cond_broadcast(&cond);
	while (inside < group) {
		if (pthread_cond_timedwait(&cond, &lock, &until) ==
		    ETIMEDOUT) {
			break;
		}
	}
	seen = peak;
	if (--inside == 0) {
		peak = 0;
	}
	pthread_mutex_unlock(&lock);
	return seen;
}

static int
io_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	size_t nbytes = 0;
	int status;

	if ((status = iofunc_read_verify(ctp, msg, ocb, NULL)) != EOK) {
		return status;
	}
	if (ocb->len == 0) {
		ocb->len = (size_t) snprintf(ocb->answer, sizeof(ocb->answer),
		    "together %d\n", wait_for_group());
	}
	if (ocb->ocb.offset < (off_t) ocb->len) {
		nbytes = ocb->len - (size_t) ocb->ocb.offset;
	}
	if (nbytes > msg->i.nbytes) {
		nbytes = msg->i.nbytes;
	}
	/* The offset moves before the reply: once replied, the client's
	 * next read may already be on another of the pool's threads. */
	ocb->ocb.offset += nbytes;
	MsgReply(ctp->rcvid, nbytes, ocb->answer + ocb->ocb.offset - nbytes,
	    nbytes);
	return _RESMGR_NOREPLY;
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/classic/pool";
	thread_pool_attr_t pool_attr;
	resmgr_attr_t resmgr_attr;
	thread_pool_t *tpp;
	dispatch_t *dpp;

	if (argc > 2) {
		group = atoi(argv[2]);
	}
	if ((dpp = dispatch_create()) == NULL) {
		perror("dispatch_create");
		return EXIT_FAILURE;
	}
	memset(&resmgr_attr, 0, sizeof(resmgr_attr));
	resmgr_attr.nparts_max = 1;
	resmgr_attr.msg_max_size = 2048;
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &connect_funcs,
	    _RESMGR_IO_NFUNCS, &io_funcs);
	io_funcs.read = io_read;
	io_funcs.lock_ocb = NULL;
	io_funcs.unlock_ocb = NULL;
	iofunc_attr_init(&attr, S_IFNAM | 0444, 0, 0);
	attr.mount = &mount;
	if (resmgr_attach(dpp, &resmgr_attr, path, _FTYPE_ANY, 0,
	    &connect_funcs, &io_funcs, &attr) == -1) {
		perror("resmgr_attach");
		return EXIT_FAILURE;
	}
	memset(&pool_attr, 0, sizeof(pool_attr));
	pool_attr.handle = dpp;
	pool_attr.context_alloc = dispatch_context_alloc;
	pool_attr.block_func = dispatch_block;
	pool_attr.unblock_func = dispatch_unblock;
	pool_attr.handler_func = dispatch_handler;
	pool_attr.context_free = dispatch_context_free;
	pool_attr.lo_water = 2;
	pool_attr.hi_water = 4;
	pool_attr.increment = 1;
	pool_attr.maximum = 50;
	if ((tpp = thread_pool_create(&pool_attr, POOL_FLAG_EXIT_SELF)) ==
	    NULL) {
		perror("thread_pool_create");
		return EXIT_FAILURE;
	}
	thread_pool_start(tpp);
	return EXIT_SUCCESS; /* not reached: POOL_FLAG_EXIT_SELF */
}
