/* SPDX-License-Identifier: MIT */
/*
 * The RM guide's multi-threaded manager: a thread pool over a dispatch
 * handle serving /dev/axtest/pool, whose read waits until a number of
 * reads are in at once (mgr_pool's argument: that many clients read)
 * and answers with the id of the thread that served it and that number
 * (test_dispatch, test_fs).  Needs <stdatomic.h>, <sys/iofunc.h>,
 * <sys/dispatch.h> and axon_test.h first.
 */
#ifndef AXON_TESTS_POOL_MANAGER_H
#define AXON_TESTS_POOL_MANAGER_H

static resmgr_connect_funcs_t pool_connect_funcs;
static resmgr_io_funcs_t pool_io_funcs;
static iofunc_attr_t pool_dev_attr;
static int pool_want;	     /* reads to wait for */
static atomic_int pool_busy; /* reads in */
static atomic_int pool_peak; /* the most at once */
static atomic_bool pool_late; /* a wait ran out: the rest do not wait */

/* read: waits (5 s at most) until pool_want reads were in at once, then
 * answers "TID PEAK": the thread that served it and the most reads that
 * were in at once.  Served one after another, the first waits in vain
 * and answers 1; a fixed delay would instead count on the machine's
 * load to bring the clients in within it. */
static int
slow_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	char buf[32];
	int n, status, in, peak;

	if ((status = iofunc_read_verify(ctp, msg, ocb, NULL)) != EOK) {
		return status;
	}
	in = atomic_fetch_add(&pool_busy, 1) + 1;
	peak = atomic_load(&pool_peak);
	while (in > peak &&
	    !atomic_compare_exchange_weak(&pool_peak, &peak, in)) {
	}
	for (int i = 0; atomic_load(&pool_peak) < pool_want; i++) {
		if (i == 500 || atomic_load(&pool_late)) {
			atomic_store(&pool_late, true);
			break;
		}
		axt_sleep_ms(10);
	}
	n = snprintf(buf, sizeof(buf), "%d %d", (int) syscall(SYS_gettid),
	    atomic_load(&pool_peak));
	atomic_fetch_sub(&pool_busy, 1);
	/* Replied from this thread's buffer before it goes. */
	MsgReply(ctp->rcvid, n, buf, (size_t) n);
	return _RESMGR_NOREPLY;
}

static void
mgr_pool(int rep, void *arg)
{
	thread_pool_attr_t pool_attr;
	thread_pool_t *tpp;
	dispatch_t *dpp;
	int id;

	pool_want = (int) (intptr_t) arg;
	if ((dpp = dispatch_create()) == NULL) {
		_exit(1);
	}
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &pool_connect_funcs,
	    _RESMGR_IO_NFUNCS, &pool_io_funcs);
	pool_io_funcs.read = slow_read;
	/* The default lock_ocb serialises handlers on the attribute (as on
	 * QNX); this device has no state to guard. */
	pool_io_funcs.lock_ocb = NULL;
	pool_io_funcs.unlock_ocb = NULL;
	iofunc_attr_init(&pool_dev_attr, S_IFNAM | 0666, 0, 0);
	id = resmgr_attach(dpp, NULL, "/dev/axtest/pool", _FTYPE_ANY, 0,
	    &pool_connect_funcs, &pool_io_funcs, (void *) &pool_dev_attr);
	if (id == -1) {
		_exit(1);
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
		_exit(1);
	}
	axt_report(rep, id);
	thread_pool_start(tpp);
	_exit(3); /* not reached: EXIT_SELF */
}

#endif /* AXON_TESTS_POOL_MANAGER_H */
