/* SPDX-License-Identifier: MIT */
/*
 * QNX 7's extended notify conditions (_NOTIFY_COND_EXTEN,
 * _NOTIFY_CONDE_*): a manager written as QNX 7's documentation writes
 * one (a _NOTIFY_MAXCOND array, _NOTIFY_COND_EXTEN in trig) reports
 * RDNORM, PRI and HUP through iofunc_notify() and
 * iofunc_notify_trigger(); a client's ionotify() with extended flags is
 * armed in their lists, gets its pulse, and sees them in flags_exten;
 * a manager of three lists (before QNX 7) and classic clients go on as
 * before, and never have a list past the third touched; the whole
 * array's entries go with a client; malformed _IO_NOTIFY messages
 * (short, a pollfd count past the message) are refused.
 */
#define _GNU_SOURCE
#include "resmgr_managers.h"

#include <unistd.h>

#define N7_PATH     "/dev/axtest/notify7"
#define N7_CODE     6
#define ALL_EXT     (_NOTIFY_CONDE_RDNORM | _NOTIFY_CONDE_PRI | \
	_NOTIFY_CONDE_HUP)

static int
dcmd_int(int coid, int dcmd, int v)
{
	ck_assert_int_eq(devctl(coid, dcmd, &v, sizeof(v), NULL), EOK);
	return v;
}

/* An _IO_NOTIFY as QNX 7's client builds it. */
static struct _io_notify
notify_msg(int action, uint32_t flags, uint32_t extra)
{
	struct _io_notify m;

	memset(&m, 0, sizeof(m));
	m.type = _IO_NOTIFY;
	m.combine_len = sizeof(m);
	m.action = action;
	m.flags = (int32_t) flags;
	m.flags_extra_mask = (int32_t) extra;
	SIGEV_NONE_INIT(&m.event);
	return m;
}

/* The lists themselves, with fake contexts (their rcvids name nobody):
 * with _NOTIFY_COND_EXTEN in trig, extended conditions are armed in
 * their own lists and *armed says which; without it nothing past the
 * third list is touched (the array here has only three, and ASan says
 * if one more is read), RDNORM goes to the input list; the reply's
 * extended fields; remove over the whole array. */
START_TEST(test_lists)
{
	struct {
		iofunc_notify_t three[IOFUNC_NOTIFY_NCOND];
		iofunc_notify_t guard; /* must stay untouched */
	} old;
	iofunc_notify_t nop[_NOTIFY_MAXCOND];
	resmgr_context_t ctx;
	io_notify_t msg;
	int armed, trig;

	memset(&ctx, 0, sizeof(ctx));
	ctx.rcvid = -1;
	ctx.info.scoid = 1;
	ctx.info.coid = 1;
	memset(nop, 0, sizeof(nop));
	memset(&old, 0, sizeof(old));
	old.guard.cnt = 77; /* (a list nobody may follow) */
	old.guard.list = (struct _iofunc_notify_event *) (uintptr_t) 8;

	/* QNX 7 manager: PRI and HUP armed in their lists, RDNORM in the
	 * input list; *armed the lists armed. */
	msg.i = notify_msg(_NOTIFY_ACTION_POLLARM, _NOTIFY_COND_EXTEN,
	    ALL_EXT);
	SIGEV_UNBLOCK_INIT(&msg.i.event);
	trig = (int) (_NOTIFY_COND_EXTEN | _NOTIFY_CONDE_WRNORM);
	ck_assert_int_eq(iofunc_notify(&ctx, &msg, nop, trig, NULL, &armed),
	    _RESMGR_NPARTS(1));
	ck_assert_int_eq(armed, ALL_EXT);
	ck_assert_ptr_nonnull(nop[IOFUNC_NOTIFY_INPUT].list);
	ck_assert_ptr_nonnull(nop[IOFUNC_NOTIFY_PRI].list);
	ck_assert_ptr_nonnull(nop[IOFUNC_NOTIFY_HUP].list);
	ck_assert_ptr_null(nop[IOFUNC_NOTIFY_OUTPUT].list);
	ck_assert_ptr_null(nop[IOFUNC_NOTIFY_ERR].list);
	ck_assert_uint_eq(msg.o.flags, _NOTIFY_COND_EXTEN);
	ck_assert_int_eq(msg.o.flags_extra_mask, ALL_EXT);
	ck_assert_int_eq(msg.o.flags_exten, 0);
	/* One met: answered, nothing armed (POLLARM). */
	msg.i = notify_msg(_NOTIFY_ACTION_POLLARM,
	    _NOTIFY_COND_EXTEN | _NOTIFY_COND_OUTPUT, ALL_EXT);
	SIGEV_UNBLOCK_INIT(&msg.i.event);
	ctx.info.coid = 2;
	ck_assert_int_eq(iofunc_notify(&ctx, &msg, nop,
	    trig | _NOTIFY_CONDE_HUP, NULL, &armed), _RESMGR_NPARTS(1));
	ck_assert_int_eq(armed, 0);
	ck_assert_uint_eq(msg.o.flags,
	    _NOTIFY_COND_EXTEN | _NOTIFY_COND_OUTPUT);
	ck_assert_int_eq(msg.o.flags_exten, _NOTIFY_CONDE_HUP);
	/* A trigger of one list takes that list's entries only. */
	iofunc_notify_trigger(nop, 1, IOFUNC_NOTIFY_PRI);
	ck_assert_ptr_null(nop[IOFUNC_NOTIFY_PRI].list);
	ck_assert_ptr_nonnull(nop[IOFUNC_NOTIFY_HUP].list);
	/* iofunc_notify_remove() takes the client's extended entries too. */
	ctx.info.coid = 1;
	iofunc_notify_remove(&ctx, nop);
	for (int i = 0; i < _NOTIFY_MAXCOND; i++) {
		ck_assert_ptr_null(nop[i].list);
	}

	/* A manager of three lists (no EXTEN in trig), a QNX 7 client:
	 * RDNORM in the input list, PRI and HUP nowhere; it reports
	 * only RDNORM of what was asked. */
	msg.i = notify_msg(_NOTIFY_ACTION_POLLARM, _NOTIFY_COND_EXTEN,
	    ALL_EXT | _NOTIFY_CONDE_NVAL);
	SIGEV_UNBLOCK_INIT(&msg.i.event);
	ck_assert_int_eq(iofunc_notify(&ctx, &msg, old.three,
	    (int) (_NOTIFY_COND_OUTPUT | _NOTIFY_CONDE_HUP), NULL, &armed),
	    _RESMGR_NPARTS(1));
	ck_assert_int_eq(armed, 1);
	ck_assert_ptr_nonnull(old.three[IOFUNC_NOTIFY_INPUT].list);
	ck_assert_uint_eq(msg.o.flags, _NOTIFY_COND_EXTEN);
	ck_assert_int_eq(msg.o.flags_extra_mask, _NOTIFY_CONDE_RDNORM);
	ck_assert_int_eq(msg.o.flags_exten, 0);
	ck_assert_int_eq(old.guard.cnt, 77);
	/* A trigger or remove past three on it: the three lists only. */
	iofunc_notify_trigger(old.three, 1, IOFUNC_NOTIFY_PRI);
	iofunc_notify_remove_strict(&ctx, old.three, _NOTIFY_MAXCOND);
	ck_assert_ptr_null(old.three[IOFUNC_NOTIFY_INPUT].list);
	ck_assert_int_eq(old.guard.cnt, 77);
	/* A classic client of it: the reply as before (no EXTEN). */
	msg.i = notify_msg(_NOTIFY_ACTION_POLL,
	    _NOTIFY_COND_INPUT | _NOTIFY_COND_OUTPUT | 0x0f, 0xff);
	ck_assert_int_eq(iofunc_notify(&ctx, &msg, old.three,
	    (int) _NOTIFY_COND_OUTPUT, NULL, &armed), _RESMGR_NPARTS(1));
	ck_assert_uint_eq(msg.o.flags, _NOTIFY_COND_OUTPUT);
	ck_assert_int_eq(msg.o.flags_extra_mask, 0);
	ck_assert_int_eq(msg.o.flags_exten, 0);
	iofunc_notify_remove(&ctx, old.three);
	iofunc_notify_remove_strict(NULL, nop, 1000); /* (clamped) */
	ck_assert_ptr_null(old.three[IOFUNC_NOTIFY_INPUT].list);
	ck_assert_int_eq(old.guard.cnt, 77);
	/* Bad indexes: nothing. */
	iofunc_notify_trigger(nop, 1, _NOTIFY_MAXCOND);
	iofunc_notify_trigger(nop, 1, -1);
}
END_TEST

/* A QNX 7 manager in its own process and a client's ionotify() with
 * extended flags: armed in the lists asked, the pulse when PRI comes,
 * the conditions met returned (flags_exten of the raw reply), and the
 * client's entries in every list gone with its close. */
START_TEST(test_manager_exten)
{
	struct axt_child m = start_device(N7_PATH, "", "0666");
	struct _io_notify msg;
	struct _io_notify_reply rep;
	struct sigevent ev;
	int chid, self, c, w;

	chid = ChannelCreate(0);
	ck_assert_int_ge(chid, 0);
	self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(self, 0);
	c = axon__io_open(N7_PATH, O_RDWR, 0);
	w = axon__io_open(N7_PATH, O_RDWR, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_ge(w, 0);
	SIGEV_PULSE_INIT(&ev, self, SIGEV_PULSE_PRIO_INHERIT, N7_CODE, 71);

	/* Nothing holds: all three armed. */
	ck_assert_int_eq(ionotify(c, _NOTIFY_ACTION_POLLARM,
	    (int) (_NOTIFY_COND_EXTEN | ALL_EXT), &ev), 0);
	ck_assert_int_eq(dcmd_int(w, MY_DEVCTL_ARMED7, 0), ALL_EXT);
	/* Priority data: PRI's list fires (and only it). */
	(void) dcmd_int(w, MY_DEVCTL_RAISE, _NOTIFY_CONDE_PRI);
	ck_assert_int_eq(pulse_wait(chid, N7_CODE), 71);
	pulse_none(chid);
	ck_assert_int_eq(dcmd_int(w, MY_DEVCTL_ARMED7, 0),
	    _NOTIFY_CONDE_RDNORM | _NOTIFY_CONDE_HUP);
	/* It holds now: answered at once, in ionotify()'s value ... */
	ck_assert_int_eq(ionotify(c, _NOTIFY_ACTION_POLL,
	    (int) (_NOTIFY_COND_EXTEN | ALL_EXT | _NOTIFY_CONDE_WRNORM),
	    NULL), _NOTIFY_CONDE_PRI | _NOTIFY_CONDE_WRNORM);
	/* ... and the raw reply's extended fields. */
	msg = notify_msg(_NOTIFY_ACTION_POLL, _NOTIFY_COND_EXTEN |
	    _NOTIFY_COND_OUTPUT, ALL_EXT);
	memset(&rep, 0xa5, sizeof(rep));
	ck_assert_int_eq(MsgSend(c, &msg, sizeof(msg), &rep, sizeof(rep)), 0);
	ck_assert_uint_eq(rep.flags, _NOTIFY_COND_EXTEN | _NOTIFY_COND_OUTPUT);
	ck_assert_int_eq(rep.flags_extra_mask, ALL_EXT);
	ck_assert_int_eq(rep.flags_exten, _NOTIFY_CONDE_PRI);
	ck_assert_uint_eq(rep.zero, 0);
	/* Normal data: RDNORM's list (the input list) fires. */
	(void) dcmd_int(w, MY_DEVCTL_RAISE, 0);
	SIGEV_PULSE_INIT(&ev, self, SIGEV_PULSE_PRIO_INHERIT, N7_CODE, 72);
	ck_assert_int_eq(ionotify(c, _NOTIFY_ACTION_POLLARM,
	    (int) (_NOTIFY_COND_EXTEN | ALL_EXT), &ev), 0);
	ck_assert_int_eq(axon__io_write(w, "data", 4), 4);
	ck_assert_int_eq(pulse_wait(chid, N7_CODE), 72);
	ck_assert_int_eq(ionotify(c, _NOTIFY_ACTION_POLL,
	    (int) (_NOTIFY_COND_EXTEN | ALL_EXT), NULL),
	    _NOTIFY_CONDE_RDNORM);
	/* A classic client of it: input, as ever. */
	ck_assert_int_eq(ionotify(c, _NOTIFY_ACTION_POLL,
	    _NOTIFY_COND_INPUT | _NOTIFY_COND_OBAND, NULL),
	    _NOTIFY_COND_INPUT);
	/* Hung up: HUP's list fires. */
	ck_assert_int_eq(dcmd_int(w, MY_DEVCTL_ARMED7, 0), _NOTIFY_CONDE_HUP |
	    _NOTIFY_CONDE_PRI);
	(void) dcmd_int(w, MY_DEVCTL_RAISE, _NOTIFY_CONDE_HUP);
	ck_assert_int_eq(pulse_wait(chid, N7_CODE), 72);
	ck_assert_int_eq(dcmd_int(w, MY_DEVCTL_ARMED7, 0), _NOTIFY_CONDE_PRI);
	/* Armed in an extended list, then closed: iofunc_notify_remove()
	 * in close_ocb takes it (the array's extended lists too). */
	(void) dcmd_int(w, MY_DEVCTL_RAISE, 0);
	ck_assert_int_eq(ionotify(c, _NOTIFY_ACTION_TRANARM,
	    (int) (_NOTIFY_COND_EXTEN | _NOTIFY_CONDE_ERR |
		_NOTIFY_CONDE_HUP), &ev), 0);
	ck_assert_int_eq(dcmd_int(w, MY_DEVCTL_ARMED7, 0), _NOTIFY_CONDE_ERR |
	    _NOTIFY_CONDE_HUP | _NOTIFY_CONDE_PRI);
	ck_assert_int_eq(axon__io_close(c), 0);
	ck_assert_int_eq(dcmd_int(w, MY_DEVCTL_ARMED7, 0), 0);
	(void) dcmd_int(w, MY_DEVCTL_RAISE, _NOTIFY_CONDE_HUP |
	    _NOTIFY_CONDE_ERR);
	pulse_none(chid);
	ck_assert_int_eq(axon__io_close(w), 0);
	(void) ConnectDetach(self);
	(void) ChannelDestroy(chid);
	axt_child_kill(&m);
}
END_TEST

/* A manager of three lists (before QNX 7): a QNX 7 client's extended
 * flags arm the input list for RDNORM and nothing for PRI or HUP; the
 * reply says which it can report; a classic client as before. */
START_TEST(test_manager_old)
{
	struct axt_child m = start_device("/dev/axtest/notify", "", "0666");
	struct _io_notify msg;
	struct _io_notify_reply rep;
	struct sigevent ev;
	int chid, self, c, w, armed = -1;

	chid = ChannelCreate(0);
	ck_assert_int_ge(chid, 0);
	self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(self, 0);
	c = axon__io_open("/dev/axtest/notify", O_RDWR, 0);
	w = axon__io_open("/dev/axtest/notify", O_RDWR, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_ge(w, 0);
	SIGEV_PULSE_INIT(&ev, self, SIGEV_PULSE_PRIO_INHERIT, N7_CODE, 81);
	ck_assert_int_eq(ionotify(c, _NOTIFY_ACTION_POLLARM,
	    (int) (_NOTIFY_COND_EXTEN | ALL_EXT), &ev), 0);
	ck_assert_int_eq(devctl(w, MY_DEVCTL_ARMED, &armed, sizeof(armed),
	    NULL), EOK);
	ck_assert_int_eq(armed, 1);
	ck_assert_int_eq(axon__io_write(w, "x", 1), 1);
	ck_assert_int_eq(pulse_wait(chid, N7_CODE), 81);
	msg = notify_msg(_NOTIFY_ACTION_POLL, _NOTIFY_COND_EXTEN, ALL_EXT);
	memset(&rep, 0xa5, sizeof(rep));
	ck_assert_int_eq(MsgSend(c, &msg, sizeof(msg), &rep, sizeof(rep)), 0);
	ck_assert_uint_eq(rep.flags, _NOTIFY_COND_EXTEN);
	ck_assert_int_eq(rep.flags_extra_mask, _NOTIFY_CONDE_RDNORM);
	ck_assert_int_eq(rep.flags_exten, _NOTIFY_CONDE_RDNORM);
	/* Classic: input and output, as before. */
	ck_assert_int_eq(ionotify(c, _NOTIFY_ACTION_POLL,
	    _NOTIFY_COND_INPUT | _NOTIFY_COND_OUTPUT, NULL),
	    _NOTIFY_COND_INPUT | _NOTIFY_COND_OUTPUT);
	ck_assert_int_eq(ionotify(c, _NOTIFY_ACTION_POLL,
	    (int) (_NOTIFY_COND_EXTEN | _NOTIFY_CONDE_RDNORM |
		_NOTIFY_CONDE_WRNORM | _NOTIFY_CONDE_HUP), NULL),
	    _NOTIFY_CONDE_RDNORM | _NOTIFY_CONDE_WRNORM);
	ck_assert_int_eq(axon__io_close(c), 0);
	ck_assert_int_eq(axon__io_close(w), 0);
	(void) ConnectDetach(self);
	(void) ChannelDestroy(chid);
	axt_child_kill(&m);
}
END_TEST

/* Malformed: a message of the old, short layout; a pollfd count past
 * what was sent, negative, or ready ones past it: EBADMSG from the
 * decoder, and the manager serves on.  A count the message holds is
 * taken (and the array left alone). */
START_TEST(test_malformed)
{
	struct axt_child m = start_device(N7_PATH, "", "0666");
	struct {
		struct _io_notify m;
		struct pollfd fds[2];
	} big;
	struct _io_notify msg;
	struct _io_notify_reply rep;
	int c = axon__io_open(N7_PATH, O_RDWR, 0);

	ck_assert_int_ge(c, 0);
	msg = notify_msg(_NOTIFY_ACTION_POLL, _NOTIFY_COND_INPUT, 0);
	ck_assert_int_eq(MsgSend_r(c, &msg, offsetof(struct _io_notify, mgr),
	    &rep, sizeof(rep)), -EBADMSG);
	ck_assert_int_eq(MsgSend_r(c, &msg, sizeof(msg) - 1, &rep,
	    sizeof(rep)), -EBADMSG);
	msg = notify_msg(_NOTIFY_ACTION_POLL, _NOTIFY_COND_EXTEN, ALL_EXT);
	for (int i = 0; i < 4; i++) {
		struct _io_notify bad = msg;

		if (i == 0) {
			bad.nfds = -1;
		} else if (i == 1) {
			bad.nfds = 1000;
		} else if (i == 2) {
			bad.nfds = 0;
			bad.nfds_ready = 1;
		} else {
			bad.fd_first = -5;
		}
		ck_assert_int_eq(MsgSend_r(c, &bad, sizeof(bad), &rep,
		    sizeof(rep)), -EBADMSG);
	}
	/* Without EXTEN those fields mean nothing. */
	msg.flags = _NOTIFY_COND_OUTPUT;
	msg.nfds = -1;
	ck_assert_int_eq(MsgSend_r(c, &msg, sizeof(msg), &rep, sizeof(rep)),
	    0);
	ck_assert_uint_eq(rep.flags, _NOTIFY_COND_OUTPUT);
	/* Two pollfds sent, two counted: taken. */
	memset(&big, 0, sizeof(big));
	big.m = notify_msg(_NOTIFY_ACTION_POLL, _NOTIFY_COND_EXTEN,
	    _NOTIFY_CONDE_WRNORM);
	big.m.nfds = 2;
	ck_assert_int_eq(MsgSend_r(c, &big, sizeof(big), &rep, sizeof(rep)),
	    0);
	ck_assert_int_eq(rep.flags_exten, _NOTIFY_CONDE_WRNORM);
	big.m.nfds = 3;
	ck_assert_int_eq(MsgSend_r(c, &big, sizeof(big), &rep, sizeof(rep)),
	    -EBADMSG);
	/* Still serving. */
	ck_assert_int_eq(ionotify(c, _NOTIFY_ACTION_POLL,
	    _NOTIFY_COND_OUTPUT, NULL), _NOTIFY_COND_OUTPUT);
	ck_assert_int_eq(axon__io_close(c), 0);
	axt_child_kill(&m);
}
END_TEST

/*
 * What a trigger tells the client's event (QNX's ionotify() and
 * iofunc_notify_trigger() pages): with the SI_NOTIFY code, the
 * condition of the list that fired is ORed into the top bits of the
 * value (_NOTIFY_COND_INPUT, _OUTPUT, _OBAND by the classic list;
 * _NOTIFY_COND_EXTEN for an extended one), for a pulse and for a signal
 * with a code; any other code gets the value as given.
 */
START_TEST(test_trigger_value)
{
	struct axt_child m = start_device(N7_PATH, "", "0666");
	struct sigevent ev;
	siginfo_t si;
	sigset_t set, old;
	struct timespec ts = {5, 0};
	int chid, self, c, w;
	const int v = 0x123;

	chid = ChannelCreate(0);
	ck_assert_int_ge(chid, 0);
	self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(self, 0);
	c = axon__io_open(N7_PATH, O_RDWR, 0);
	w = axon__io_open(N7_PATH, O_RDWR, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_ge(w, 0);
	SIGEV_PULSE_INT_INIT(&ev, self, SIGEV_PULSE_PRIO_INHERIT, SI_NOTIFY,
	    v);

	/* Input (the data a write brings). */
	ck_assert_int_eq(ionotify(c, _NOTIFY_ACTION_POLLARM,
	    _NOTIFY_COND_INPUT, &ev), 0);
	ck_assert_int_eq(axon__io_write(w, "data", 4), 4);
	ck_assert_int_eq(pulse_wait(chid, SI_NOTIFY),
	    (int) ((uint32_t) v | _NOTIFY_COND_INPUT));
	/* Output (room: the WRNORM list, the output one). */
	ck_assert_int_eq(ionotify(c, _NOTIFY_ACTION_TRANARM,
	    _NOTIFY_COND_OUTPUT, &ev), _NOTIFY_COND_OUTPUT); /* armed */
	(void) dcmd_int(w, MY_DEVCTL_RAISE, _NOTIFY_CONDE_WRNORM);
	ck_assert_int_eq(pulse_wait(chid, SI_NOTIFY),
	    (int) ((uint32_t) v | _NOTIFY_COND_OUTPUT));
	/* Out-of-band (RDBAND's list). */
	(void) dcmd_int(w, MY_DEVCTL_RAISE, 0);
	ck_assert_int_eq(ionotify(c, _NOTIFY_ACTION_POLLARM,
	    _NOTIFY_COND_OBAND, &ev), 0);
	(void) dcmd_int(w, MY_DEVCTL_RAISE, _NOTIFY_CONDE_RDBAND);
	ck_assert_int_eq(pulse_wait(chid, SI_NOTIFY),
	    (int) ((uint32_t) v | _NOTIFY_COND_OBAND));
	/* An extended list (PRI): _NOTIFY_COND_EXTEN. */
	(void) dcmd_int(w, MY_DEVCTL_RAISE, 0);
	ck_assert_int_eq(ionotify(c, _NOTIFY_ACTION_POLLARM,
	    (int) (_NOTIFY_COND_EXTEN | _NOTIFY_CONDE_PRI), &ev), 0);
	(void) dcmd_int(w, MY_DEVCTL_RAISE, _NOTIFY_CONDE_PRI);
	ck_assert_int_eq(pulse_wait(chid, SI_NOTIFY),
	    (int) ((uint32_t) v | _NOTIFY_COND_EXTEN));
	pulse_none(chid);
	/* Another code: the value as given. */
	(void) dcmd_int(w, MY_DEVCTL_RAISE, 0);
	SIGEV_PULSE_INT_INIT(&ev, self, SIGEV_PULSE_PRIO_INHERIT, N7_CODE, v);
	ck_assert_int_ge(ionotify(c, _NOTIFY_ACTION_TRANARM,
	    _NOTIFY_COND_INPUT, &ev), 0);
	ck_assert_int_eq(axon__io_write(w, "more", 4), 4);
	ck_assert_int_eq(pulse_wait(chid, N7_CODE), v);
	/* A signal with SI_NOTIFY (to this thread): in its value too. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, &set, &old), 0);
	SIGEV_SIGNAL_THREAD_INIT(&ev, SIGUSR1, (intptr_t) v, SI_NOTIFY);
	ck_assert_int_ge(ionotify(c, _NOTIFY_ACTION_TRANARM,
	    _NOTIFY_COND_INPUT, &ev), 0);
	ck_assert_int_eq(axon__io_write(w, "again", 5), 5);
	ck_assert_int_eq(sigtimedwait(&set, &si, &ts), SIGUSR1);
	ck_assert_int_eq(si.si_value.sival_int,
	    (int) ((uint32_t) v | _NOTIFY_COND_INPUT));
	ck_assert_int_eq(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
	ck_assert_int_eq(axon__io_close(c), 0);
	ck_assert_int_eq(axon__io_close(w), 0);
	(void) ConnectDetach(self);
	(void) ChannelDestroy(chid);
	axt_child_kill(&m);
}
END_TEST

/* IOFUNC_NOTIFY_INIT(): the three classic lists empty (and usable),
 * nothing past them written. */
START_TEST(test_notify_init)
{
	struct {
		iofunc_notify_t three[IOFUNC_NOTIFY_NCOND];
		iofunc_notify_t guard;
	} a;
	unsigned char g[sizeof(a.guard)];

	memset(&a, 0xa5, sizeof(a));
	memset(g, 0xa5, sizeof(g));
	IOFUNC_NOTIFY_INIT(a.three);
	for (int i = 0; i < IOFUNC_NOTIFY_NCOND; i++) {
		ck_assert_int_eq(a.three[i].cnt, 0);
		ck_assert_ptr_null(a.three[i].list);
	}
	ck_assert_int_eq(memcmp(&a.guard, g, sizeof(g)), 0);
	iofunc_notify_trigger(a.three, 1, IOFUNC_NOTIFY_INPUT);
	iofunc_notify_remove(NULL, a.three);
	ck_assert_ptr_null(a.three[IOFUNC_NOTIFY_INPUT].list);
}
END_TEST

static Suite *
notifyext_suite(void)
{
	Suite *s = suite_create("notifyext");
	TCase *t = axt_tcase("notifyext", 30);

	tcase_add_test(t, test_lists);
	tcase_add_test(t, test_manager_exten);
	tcase_add_test(t, test_manager_old);
	tcase_add_test(t, test_malformed);
	tcase_add_test(t, test_trigger_value);
	tcase_add_test(t, test_notify_init);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(notifyext_suite());
}
