/* SPDX-License-Identifier: MIT */
/*
 * Faults at the resource-manager framework's edges, with real processes:
 * a multi-threaded manager (a thread pool, as the RM guide's) whose
 * handlers can be made slow by the client, and clients that die or come
 * back on the same connection while a handler still runs.  What is
 * checked is the manager's side: every OCB it made is freed once its
 * client is gone, and a client's next open on a connection id it closed
 * is never refused.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <sys/iofunc.h>
#include <sys/dispatch.h>
#include <devctl.h>

#include "axon_test.h"

#include "dispatch_int.h"

#define FAULT_PATH "/dev/axtest/fault"
/* An open with this mode is held in the open handler for FAULT_HOLD_MS
 * between its checks and the OCB's binding (as a manager that checks,
 * then does slow work, e.g. on its hardware, before it makes the OCB). */
#define FAULT_SLOW_OPEN 0123
#define FAULT_HOLD_MS 400
/* The manager's live OCBs, read back. */
#define DCMD_FAULT_OCBS __DIOF(_DCMD_MISC, 0x71, int)
/* The opens its open handler holds now, read back. */
#define DCMD_FAULT_OPENING __DIOF(_DCMD_MISC, 0x74, int)
/* The next close of this open is answered at once, and its handler
 * then goes on for FAULT_HOLD_MS (a manager that replies early and
 * cleans up after). */
#define DCMD_FAULT_SLOW_CLOSE __DION(_DCMD_MISC, 0x72)
/* The next close of this open waits in its handler (5 s at most, as a
 * serial port's close drains its output) until the client wants out:
 * io_unblock answers it EINTR. */
#define DCMD_FAULT_HOLD_CLOSE __DION(_DCMD_MISC, 0x73)
/* An open with this mode is held by the open handler (unreplied,
 * _RESMGR_NOREPLY) until its client wants out: the connect table's
 * unblock answers it EINTR. */
#define FAULT_HOLD_OPEN 0124
/* The connect unblocks the manager has seen for held opens, read back. */
#define DCMD_FAULT_CUNBLOCKS __DIOF(_DCMD_MISC, 0x75, int)
/* The opens the manager holds now, read back. */
#define DCMD_FAULT_HELD __DIOF(_DCMD_MISC, 0x76, int)
#define FAULT_OCB_SLOW_CLOSE 0x1000u
#define FAULT_OCB_HOLD_CLOSE 0x2000u
#define FAULT_OCB_RELEASED   0x4000u

static resmgr_connect_funcs_t fault_cfuncs;
static resmgr_io_funcs_t fault_iofuncs;
static iofunc_attr_t fault_attr;
static atomic_int fault_ocbs;
static atomic_int fault_opening;
static atomic_int fault_cunblocks;
/* The receive ids of the opens held (FAULT_HOLD_OPEN), 0 for none. */
#define FAULT_HELD_MAX 8
static _Atomic rcvid_t fault_held[FAULT_HELD_MAX];

static IOFUNC_OCB_T *
fault_ocb_calloc(resmgr_context_t *ctp, IOFUNC_ATTR_T *attr)
{
	iofunc_ocb_t *o = calloc(1, sizeof(*o));

	if (o != NULL) {
		atomic_fetch_add(&fault_ocbs, 1);
	}
	return o;
}

static void
fault_ocb_free(IOFUNC_OCB_T *ocb)
{
	atomic_fetch_sub(&fault_ocbs, 1);
	free(ocb);
}

static iofunc_funcs_t fault_ocb_funcs = {_IOFUNC_NFUNCS, fault_ocb_calloc,
    fault_ocb_free};
static iofunc_mount_t fault_mount = {.funcs = &fault_ocb_funcs};

static int
fault_open(resmgr_context_t *ctp, io_open_t *msg, RESMGR_HANDLE_T *handle,
    void *extra)
{
	int rc = iofunc_open(ctp, msg, handle, NULL, NULL);

	(void) extra;
	if (rc != EOK) {
		return rc;
	}
	if (msg->connect.mode == FAULT_HOLD_OPEN) {
		for (int i = 0; i < FAULT_HELD_MAX; i++) {
			rcvid_t none = 0;

			if (atomic_compare_exchange_strong(&fault_held[i],
			    &none, ctp->rcvid)) {
				return _RESMGR_NOREPLY;
			}
		}
		return EAGAIN;
	}
	if (msg->connect.mode == FAULT_SLOW_OPEN) {
		atomic_fetch_add(&fault_opening, 1);
		axt_sleep_ms(FAULT_HOLD_MS);
		atomic_fetch_sub(&fault_opening, 1);
	}
	return iofunc_ocb_attach(ctp, msg, NULL, handle, NULL);
}

/* The OCB's flags: the unblock handler sets them while the close
 * handler of the same open runs (no OCB lock), so every access is
 * atomic. */
static unsigned
fault_flags(RESMGR_OCB_T *ocb)
{
	return __atomic_load_n(&ocb->flags, __ATOMIC_SEQ_CST);
}

static int
fault_devctl(resmgr_context_t *ctp, io_devctl_t *msg, RESMGR_OCB_T *ocb)
{
	int n;

	switch (msg->i.dcmd) {
	case DCMD_FAULT_HELD:
		n = 0;
		for (int i = 0; i < FAULT_HELD_MAX; i++) {
			n += atomic_load(&fault_held[i]) != 0;
		}
		memset(&msg->o, 0, sizeof(msg->o));
		msg->o.nbytes = sizeof(n);
		memcpy(_DEVCTL_DATA(msg->o), &n, sizeof(n));
		return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o) + sizeof(n));
	case DCMD_FAULT_OCBS:
	case DCMD_FAULT_OPENING:
	case DCMD_FAULT_CUNBLOCKS:
		n = atomic_load(msg->i.dcmd == DCMD_FAULT_OCBS ? &fault_ocbs :
		    msg->i.dcmd == DCMD_FAULT_OPENING ? &fault_opening :
		    &fault_cunblocks);
		memset(&msg->o, 0, sizeof(msg->o));
		msg->o.nbytes = sizeof(n);
		memcpy(_DEVCTL_DATA(msg->o), &n, sizeof(n));
		return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o) + sizeof(n));
	case DCMD_FAULT_SLOW_CLOSE:
		__atomic_or_fetch(&ocb->flags, FAULT_OCB_SLOW_CLOSE,
		    __ATOMIC_SEQ_CST);
		return EOK;
	case DCMD_FAULT_HOLD_CLOSE:
		__atomic_or_fetch(&ocb->flags, FAULT_OCB_HOLD_CLOSE,
		    __ATOMIC_SEQ_CST);
		return EOK;
	default:
		return iofunc_devctl_default(ctp, msg, ocb);
	}
}

static int
fault_close_dup(resmgr_context_t *ctp, io_close_t *msg, RESMGR_OCB_T *ocb)
{
	int rc = iofunc_close_dup_default(ctp, msg, ocb);

	if (rc == EOK && (fault_flags(ocb) & FAULT_OCB_HOLD_CLOSE)) {
		for (int i = 0; i < 500; i++) {
			if (__atomic_load_n(&ocb->flags, __ATOMIC_SEQ_CST) &
			    FAULT_OCB_RELEASED) {
				return _RESMGR_NOREPLY; /* io_unblock did */
			}
			axt_sleep_ms(10);
		}
		return EOK;
	}
	if (rc != EOK || !(fault_flags(ocb) & FAULT_OCB_SLOW_CLOSE)) {
		return rc;
	}
	(void) MsgReply(ctp->rcvid, EOK, NULL, 0);
	axt_sleep_ms(FAULT_HOLD_MS);
	return _RESMGR_NOREPLY;
}

static int
fault_unblock(resmgr_context_t *ctp, io_pulse_t *msg, RESMGR_OCB_T *ocb)
{
	if (fault_flags(ocb) & FAULT_OCB_HOLD_CLOSE) {
		/* The held close's client wants out (ctp->rcvid is its). */
		__atomic_or_fetch(&ocb->flags, FAULT_OCB_RELEASED,
		    __ATOMIC_SEQ_CST);
		return EINTR;
	}
	return iofunc_unblock_default(ctp, msg, ocb);
}

/* The connect table's unblock: a held open's client wants out (ctp->rcvid
 * is its); there is no OCB, the handle is the link's. */
static int
fault_connect_unblock(resmgr_context_t *ctp, io_pulse_t *msg,
    RESMGR_HANDLE_T *handle, void *reserved)
{
	(void) msg;
	(void) reserved;
	if (handle != &fault_attr) {
		return _RESMGR_DEFAULT;
	}
	for (int i = 0; i < FAULT_HELD_MAX; i++) {
		rcvid_t held = ctp->rcvid;

		if (held != 0 &&
		    atomic_compare_exchange_strong(&fault_held[i], &held, 0)) {
			atomic_fetch_add(&fault_cunblocks, 1);
			return EINTR;
		}
	}
	return _RESMGR_DEFAULT; /* not one held here */
}

/* The manager: a pool of threads (two at least waiting) on FAULT_PATH;
 * reports its link id. */
static void
mgr_fault(int rep, void *arg)
{
	thread_pool_attr_t pa;
	thread_pool_t *tpp;
	dispatch_t *dpp;
	int id;

	(void) arg;
	if ((dpp = dispatch_create()) == NULL) {
		_exit(1);
	}
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &fault_cfuncs,
	    _RESMGR_IO_NFUNCS, &fault_iofuncs);
	fault_cfuncs.open = fault_open;
	fault_cfuncs.unblock = fault_connect_unblock;
	fault_iofuncs.devctl = fault_devctl;
	fault_iofuncs.close_dup = fault_close_dup;
	fault_iofuncs.unblock = fault_unblock;
	/* Handlers of one attribute run at once (nothing to guard). */
	fault_iofuncs.lock_ocb = NULL;
	fault_iofuncs.unlock_ocb = NULL;
	iofunc_attr_init(&fault_attr, S_IFNAM | 0666, 0, 0);
	fault_attr.mount = &fault_mount;
	id = resmgr_attach(dpp, NULL, FAULT_PATH, _FTYPE_ANY, 0,
	    &fault_cfuncs, &fault_iofuncs, &fault_attr);
	if (id == -1) {
		_exit(1);
	}
	memset(&pa, 0, sizeof(pa));
	pa.handle = dpp;
	pa.context_alloc = dispatch_context_alloc;
	pa.block_func = dispatch_block;
	pa.unblock_func = dispatch_unblock;
	pa.handler_func = dispatch_handler;
	pa.context_free = dispatch_context_free;
	pa.lo_water = 2;
	pa.hi_water = 4;
	pa.increment = 1;
	pa.maximum = 8;
	if ((tpp = thread_pool_create(&pa, POOL_FLAG_EXIT_SELF)) == NULL) {
		_exit(1);
	}
	axt_report(rep, id);
	(void) thread_pool_start(tpp);
	_exit(3); /* not reached */
}

/* The manager's count dcmd (live OCBs, opens held), asked on coid. */
static int
fault_count(int coid, int dcmd)
{
	int n = -1;

	ck_assert_int_eq(devctl(coid, dcmd, &n, sizeof(n), NULL), EOK);
	return n;
}

static int
fault_ocbs_of(int coid)
{
	return fault_count(coid, DCMD_FAULT_OCBS);
}

/* Waits (3 s at most) for the manager's count dcmd to be want; returns
 * the last count seen. */
static int
fault_settle(int coid, int dcmd, int want)
{
	int n = -1;

	for (int i = 0; i < 300; i++) {
		n = fault_count(coid, dcmd);
		if (n == want) {
			break;
		}
		axt_sleep_ms(10);
	}
	return n;
}

static int
fault_ocbs_settle(int coid, int want)
{
	return fault_settle(coid, DCMD_FAULT_OCBS, want);
}

static void
slow_opener(int rep, void *arg)
{
	(void) arg;
	axt_report(rep, 0);
	/* Held in the manager's open; killed there. */
	(void) axon__io_open(FAULT_PATH, O_RDONLY, FAULT_SLOW_OPEN);
	_exit(0);
}

/*
 * A client killed while the manager's open handler holds its open (its
 * checks done, the OCB not yet bound): the disconnect pulse, handled by
 * another thread of the pool meanwhile, finds nothing to close; the
 * handler then binds the OCB, and the open's reply fails.  The binding
 * must not outlive that reply: it leaked the OCB (close_ocb never ran)
 * and left the dead client's OCB under a (scoid, coid) the next client
 * of that scoid may be given.
 */
START_TEST(test_client_dies_mid_open)
{
	struct axt_child m = axt_spawn(mgr_fault, NULL), c;
	int coid;

	ck_assert_int_ge(m.val, 0);
	coid = axon__io_open(FAULT_PATH, O_RDWR, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(fault_ocbs_of(coid), 1);
	c = axt_spawn(slow_opener, NULL);
	/* The handler holds its open (its checks done), the client waits
	 * in the open's MsgSend. */
	ck_assert_int_eq(fault_settle(coid, DCMD_FAULT_OPENING, 1), 1);
	axt_child_kill(&c);
	/* Once the open handler is done, only ours is left. */
	axt_sleep_ms(FAULT_HOLD_MS + 100);
	ck_assert_int_eq(fault_ocbs_settle(coid, 1), 1);
	ck_assert_int_eq(axon__io_close(coid), 0);
	axt_child_kill(&m);
}
END_TEST

/*
 * A manager that answers a close before its close handler is done (a
 * reply from inside close_dup, then cleanup): the client's next open
 * on the connection id it closed (ConnectAttach gives the lowest free
 * one, on the connection a second coid keeps) came while the closed
 * open was still bound to it, and was refused with EBUSY.
 */
START_TEST(test_reopen_while_close_runs)
{
	struct axt_child m = axt_spawn(mgr_fault, NULL);
	int keep, a, b;

	ck_assert_int_ge(m.val, 0);
	keep = axon__io_open(FAULT_PATH, O_RDWR, 0);
	ck_assert_int_ge(keep, 0);
	a = axon__io_open(FAULT_PATH, O_RDWR, 0);
	ck_assert_int_ge(a, 0);
	ck_assert_int_eq(devctl(a, DCMD_FAULT_SLOW_CLOSE, NULL, 0, NULL),
	    EOK);
	ck_assert_int_eq(axon__io_close(a), 0);
	b = axon__io_open(FAULT_PATH, O_RDWR, 0);
	ck_assert_int_eq(b, a); /* the same coid, on the same connection */
	ck_assert_int_eq(fault_ocbs_settle(keep, 2), 2);
	ck_assert_int_eq(axon__io_close(b), 0);
	ck_assert_int_eq(fault_ocbs_settle(keep, 1), 1);
	ck_assert_int_eq(axon__io_close(keep), 0);
	axt_child_kill(&m);
}
END_TEST

/* Closes its open (DCMD_FAULT_HOLD_CLOSE set) with a 100 ms timeout:
 * reports the close's answer, in ms since it began times 1000 plus
 * the errno (EINTR: the manager's io_unblock answered). */
static void
held_closer(int rep, void *arg)
{
	uint64_t ns = 100000000u;
	int coid = axon__io_open(FAULT_PATH, O_RDWR, 0);
	double t0;
	long r;

	(void) arg;
	if (coid < 0 || devctl(coid, DCMD_FAULT_HOLD_CLOSE, NULL, 0, NULL) !=
	    EOK) {
		axt_report(rep, -1);
		return;
	}
	t0 = axt_now();
	(void) TimerTimeout_r(CLOCK_MONOTONIC,
	    _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY, NULL, &ns, NULL);
	r = axon__io_close(coid);
	axt_report(rep, (int) ((axt_now() - t0) * 1000) * 1000 + (int) -r);
}

/*
 * A client that wants out of a close the manager holds in its handler
 * (a timeout, a signal): the library calls io_unblock with the open's
 * OCB, whose answer ends the close.  The closing open must stay
 * reachable by the unblock pulse while its close handler runs.
 */
START_TEST(test_unblock_held_close)
{
	struct axt_child m = axt_spawn(mgr_fault, NULL), c;

	ck_assert_int_ge(m.val, 0);
	c = axt_spawn(held_closer, NULL);
	ck_assert_int_ge(c.val, 0);
	ck_assert_int_eq(c.val % 1000, EINTR);
	ck_assert_int_lt(c.val / 1000, 3000); /* not the handler's 5 s */
	axt_child_kill(&c);
	axt_child_kill(&m);
}
END_TEST

static void
fault_sigalrm(int sig)
{
	(void) sig; /* only interrupts the open */
}

/* Opens FAULT_PATH held (FAULT_HOLD_OPEN), wanting out after 100 ms: by
 * a timeout (arg NULL) or a signal (SIGALRM, no SA_RESTART).  Reports
 * the open's answer: ms since it began times 1000 plus the errno. */
static void
held_opener(int rep, void *arg)
{
	double t0;
	int r;

	if (arg == NULL) {
		uint64_t ns = 100000000u;

		(void) TimerTimeout_r(CLOCK_MONOTONIC,
		    _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY, NULL, &ns, NULL);
	} else {
		struct sigaction sa = {.sa_handler = fault_sigalrm};

		(void) sigaction(SIGALRM, &sa, NULL);
		(void) ualarm(100000, 0);
	}
	t0 = axt_now();
	r = axon__io_open(FAULT_PATH, O_RDONLY, FAULT_HOLD_OPEN);
	if (r >= 0) {
		axt_report(rep, -1); /* opened: not what was asked */
		return;
	}
	axt_report(rep, (int) ((axt_now() - t0) * 1000) * 1000 + -r);
}

/*
 * A client held in an open (the connect handler keeps the message,
 * _RESMGR_NOREPLY) that wants out, by a timeout or a signal: the layer
 * calls the connect table's unblock handler for it (QNX's "unblock
 * connect function handler", synthesized for a client unblocking in the
 * connect phase; there is no OCB to look up), and its answer ends the
 * open.  The unblock pulse found no binding and was dropped: the client
 * stayed in its open until the manager's 5 s and the manager never
 * learned that the open it held was given up.
 */
START_TEST(test_unblock_held_open)
{
	struct axt_child m = axt_spawn(mgr_fault, NULL), c;
	void *how[2] = {NULL, (void *) 1};
	int coid;

	ck_assert_int_ge(m.val, 0);
	coid = axon__io_open(FAULT_PATH, O_RDWR, 0);
	ck_assert_int_ge(coid, 0);
	for (int i = 0; i < 2; i++) {
		c = axt_spawn(held_opener, how[i]);
		ck_assert_int_ge(c.val, 0);
		ck_assert_int_eq(c.val % 1000, EINTR); /* the manager's */
		ck_assert_int_lt(c.val / 1000, 3000);
		axt_child_kill(&c);
		/* The manager was told: its handler ran for that open, and
		 * it holds none any more. */
		ck_assert_int_eq(fault_count(coid, DCMD_FAULT_CUNBLOCKS),
		    i + 1);
		ck_assert_int_eq(fault_count(coid, DCMD_FAULT_HELD), 0);
	}
	/* No OCB was made for them. */
	ck_assert_int_eq(fault_ocbs_of(coid), 1);
	ck_assert_int_eq(axon__io_close(coid), 0);
	axt_child_kill(&m);
}
END_TEST

/*
 * _IO_XTYPE_OFFSET says a struct _xtype_offset follows the header: a
 * message without it is malformed, whichever of the read and write
 * types carries it (the 64-bit forms reach the same read and write
 * handlers, which would take the offset from whatever an earlier
 * message left in the receive buffer).
 */
START_TEST(test_xtype_offset_short)
{
	struct axt_child m = axt_spawn(mgr_fault, NULL);
	struct _io_read rd = {.type = _IO_READ, .nbytes = 4,
	    .xtype = _IO_XTYPE_OFFSET};
	struct _io_read64 rd64 = {.type = _IO_READ64, .nbytes = 4,
	    .xtype = _IO_XTYPE_OFFSET};
	struct _io_write wr = {.type = _IO_WRITE, .xtype = _IO_XTYPE_OFFSET};
	struct _io_write64 wr64 = {.type = _IO_WRITE64,
	    .xtype = _IO_XTYPE_OFFSET};
	char buf[8];
	int coid;

	ck_assert_int_ge(m.val, 0);
	coid = axon__io_open(FAULT_PATH, O_RDWR, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(MsgSend_r(coid, &rd, sizeof(rd), buf, sizeof(buf)),
	    -EBADMSG);
	ck_assert_int_eq(MsgSend_r(coid, &rd64, sizeof(rd64), buf,
	    sizeof(buf)), -EBADMSG);
	ck_assert_int_eq(MsgSend_r(coid, &wr, sizeof(wr), NULL, 0),
	    -EBADMSG);
	ck_assert_int_eq(MsgSend_r(coid, &wr64, sizeof(wr64), NULL, 0),
	    -EBADMSG);
	/* With the offset: well formed (the default read and write take
	 * no offset: ENOSYS, from the handler). */
	{
		struct {
			struct _io_read64 h;
			struct _xtype_offset o;
		} full = {.h = rd64};

		ck_assert_int_eq(MsgSend_r(coid, &full, sizeof(full), buf,
		    sizeof(buf)), -ENOSYS);
	}
	ck_assert_int_eq(axon__io_close(coid), 0);
	axt_child_kill(&m);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("rmfault");
	TCase *tc = axt_tcase("rmfault", 30);

	tcase_add_test(tc, test_client_dies_mid_open);
	tcase_add_test(tc, test_reopen_while_close_runs);
	tcase_add_test(tc, test_unblock_held_close);
	tcase_add_test(tc, test_unblock_held_open);
	tcase_add_test(tc, test_xtype_offset_short);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(suite());
}
