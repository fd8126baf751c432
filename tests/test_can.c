/* SPDX-License-Identifier: MIT */
/*
 * <sys/can_dcmd.h> through the real message path: a CAN driver written
 * as a QNX resource manager (a loopback device in self-test mode, as
 * canctl's documentation describes one: receive mailboxes rx0 and rx1,
 * transmit mailboxes tx2 and tx3, each a path) answers the CAN_DEVCTL_*
 * commands, read() and write(); the test is its client, as a QNX CAN
 * program is: the path opened, _IO_READ/_IO_WRITE and devctl() on the
 * connection.
 */
#define _GNU_SOURCE
struct can_mbox;
#define IOFUNC_ATTR_T struct can_mbox
#include <sys/iofunc.h>
#include <sys/dispatch.h>
#include <devctl.h>
#include <sys/can_dcmd.h>

#include <pthread.h>
#include <time.h>

#include "axon_test.h"

#include "dispatch_int.h"

/* ------------------------------------------------------------------ */
/* The driver (QNX style)                                             */
/* ------------------------------------------------------------------ */

#define CAN_NRX      2
#define CAN_NTX      2
#define CAN_QLEN     4 /* messages a receive mailbox keeps */
#define CAN_PRIO_MAX 7 /* the highest transmit priority */

/* canctl's example's MIDs: standard 11-bit ids in bits 18 to 28. */
#define MID_A 0x100c0000u
#define MID_B 0x101c0000u

struct can_mbox {
	iofunc_attr_t attr;
	int tx;           /* a transmit mailbox */
	uint32_t mid;
	uint32_t mfilter; /* the MID bits a message must agree in */
	uint32_t prio;
	struct can_msg q[CAN_QLEN];
	unsigned head, count;
	rcvid_t waiter;   /* a client blocked for a message */
	int waiter_ext;   /* 1: in READ_CANMSG_EXT, 0: in read() */
	size_t waiter_nbytes;
	uint32_t dropped; /* since the last CAN_DEVCTL_ERROR */
};

static struct can_mbox mbox[CAN_NRX + CAN_NTX];
static struct can_devctl_stats can_stats;
static uint32_t ts_base;           /* CAN_DEVCTL_SET_TIMESTAMP's value */
static struct timespec ts_set;     /* and when it was set */
static struct can_msg reply_msg;   /* what a read() replies from */

/* The device's timestamp: ms since it was set, from its value. */
static uint32_t
can_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ts_base + (uint32_t) ((t.tv_sec - ts_set.tv_sec) * 1000 +
					(t.tv_nsec - ts_set.tv_nsec) / 1000000);
}

/* Hands m to a waiting client of r: read() gets the data, the devctl
 * the whole message. */
static void
can_hand(struct can_mbox *r, const struct can_msg *m)
{
	if (r->waiter_ext) {
		struct {
			struct _io_devctl_reply o;
			struct can_msg m;
		} rep;

		memset(&rep, 0, sizeof(rep));
		rep.o.nbytes = sizeof(rep.m);
		rep.m = *m;
		(void) MsgReply(r->waiter, EOK, &rep, sizeof(rep));
	} else {
		size_t n = m->len < r->waiter_nbytes ? m->len : r->waiter_nbytes;

		(void) MsgReply(r->waiter, (long) n, m->dat, n);
	}
	r->waiter = 0;
}

/* The loopback: a message sent goes to every receive mailbox whose MID
 * agrees with its own in the filter's bits, stamped; a full queue drops
 * it. */
static void
can_deliver(const struct can_msg *m)
{
	can_stats.transmitted_frames++;
	can_stats.tx_interrupts++;
	for (int i = 0; i < CAN_NRX; i++) {
		struct can_mbox *r = &mbox[i];
		struct can_msg c = *m;

		if (((m->mid ^ r->mid) & r->mfilter) != 0) {
			continue;
		}
		c.ext.timestamp = can_now();
		can_stats.received_frames++;
		can_stats.rx_interrupts++;
		if (r->waiter != 0) {
			can_hand(r, &c);
		} else if (r->count == CAN_QLEN) {
			can_stats.sw_receive_q_full++;
			r->dropped++;
		} else {
			r->q[(r->head + r->count++) % CAN_QLEN] = c;
		}
	}
	can_stats.total_interrupts = can_stats.rx_interrupts +
	    can_stats.tx_interrupts;
}

static struct can_msg
can_pop(struct can_mbox *r)
{
	struct can_msg c = r->q[r->head];

	r->head = (r->head + 1) % CAN_QLEN;
	r->count--;
	return c;
}

/* read: the next message's data (a message per read; what does not fit
 * is lost); none: wait, or EAGAIN when nonblocking. */
static int
can_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	struct can_mbox *r = ocb->attr;
	int nonblock, status;
	size_t n;

	if ((status = iofunc_read_verify(ctp, msg, ocb, &nonblock)) != EOK) {
		return status;
	}
	if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE) {
		return ENOSYS;
	}
	if (r->tx) {
		return EINVAL;
	}
	if (r->count == 0) {
		if (r->waiter != 0) {
			return EBUSY; /* a wait queue of one */
		}
		if (nonblock) {
			return EAGAIN;
		}
		r->waiter = ctp->rcvid;
		r->waiter_ext = 0;
		r->waiter_nbytes = msg->i.nbytes;
		return _RESMGR_NOREPLY;
	}
	reply_msg = can_pop(r);
	n = reply_msg.len < msg->i.nbytes ? reply_msg.len : msg->i.nbytes;
	SETIOV(ctp->iov, reply_msg.dat, n);
	_IO_SET_READ_NBYTES(ctp, n);
	return _RESMGR_NPARTS(1);
}

/* write: one message with the mailbox's MID, of the first
 * CAN_MSG_DATA_MAX bytes (a short write past them). */
static int
can_write(resmgr_context_t *ctp, io_write_t *msg, RESMGR_OCB_T *ocb)
{
	struct can_mbox *t = ocb->attr;
	struct can_msg c;
	size_t n = msg->i.nbytes;
	int status;

	if ((status = iofunc_write_verify(ctp, msg, ocb, NULL)) != EOK) {
		return status;
	}
	if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE) {
		return ENOSYS;
	}
	if (!t->tx) {
		return EINVAL;
	}
	if (n > CAN_MSG_DATA_MAX) {
		n = CAN_MSG_DATA_MAX;
	}
	memset(&c, 0, sizeof(c));
	if (resmgr_msgread(ctp, c.dat, n, sizeof(msg->i)) != (ssize_t) n) {
		return EFAULT;
	}
	c.len = (uint8_t) n;
	c.mid = t->mid;
	can_deliver(&c);
	_IO_SET_WRITE_NBYTES(ctp, n);
	return EOK;
}

/* A message a client would send: its length, MID and flags whole. */
static int
can_msg_ok(const struct can_msg *m)
{
	if (m->len > CAN_MSG_DATA_MAX || m->ext.is_extended_mid > 1 ||
	    m->ext.is_remote_frame > 1) {
		return 0;
	}
	return (m->mid & ~(m->ext.is_extended_mid ? CAN_MID_EXT_MASK
						  : CAN_MID_STD_MASK)) == 0;
}

/* The CAN commands.  in: the bytes the client sent; room: what it has
 * for the answer.  A command's data must all be there; a mailbox of the
 * wrong kind is EINVAL. */
static int
can_devctl_cmd(resmgr_context_t *ctp, iofunc_ocb_t *ocb, int dcmd,
    void *data, size_t in, size_t room, int *nbytes)
{
	struct can_mbox *mb = ocb->attr;
	uint32_t *u = data;
	size_t need = (size_t) (((unsigned) dcmd >> 16) & 0x3fff);

	if ((get_device_direction(dcmd) & _POSIX_DEVDIR_TO) && in < need) {
		return EINVAL;
	}
	if ((get_device_direction(dcmd) & _POSIX_DEVDIR_FROM) &&
	    room < need) {
		return EINVAL;
	}
	switch (dcmd) {
	case CAN_DEVCTL_GET_MID:
		*u = mb->mid;
		break;
	case CAN_DEVCTL_SET_MID:
		if ((*u & ~CAN_MID_EXT_MASK) != 0) {
			return EINVAL;
		}
		mb->mid = *u;
		break;
	case CAN_DEVCTL_GET_MFILTER:
	case CAN_DEVCTL_SET_MFILTER:
		if (mb->tx) {
			return EINVAL;
		}
		if (dcmd == CAN_DEVCTL_GET_MFILTER) {
			*u = mb->mfilter;
		} else {
			mb->mfilter = *u & CAN_MID_EXT_MASK;
		}
		break;
	case CAN_DEVCTL_GET_PRIO:
	case CAN_DEVCTL_SET_PRIO:
		if (!mb->tx || (dcmd == CAN_DEVCTL_SET_PRIO &&
				   *u > CAN_PRIO_MAX)) {
			return EINVAL;
		}
		if (dcmd == CAN_DEVCTL_GET_PRIO) {
			*u = mb->prio;
		} else {
			mb->prio = *u;
		}
		break;
	case CAN_DEVCTL_GET_TIMESTAMP:
		*u = can_now();
		break;
	case CAN_DEVCTL_SET_TIMESTAMP:
		ts_base = *u;
		clock_gettime(CLOCK_MONOTONIC, &ts_set);
		break;
	case CAN_DEVCTL_READ_CANMSG_EXT:
		if (mb->tx) {
			return EINVAL;
		}
		if (mb->count == 0) {
			if (ctp->info.flags & _NTO_MI_UNBLOCK_REQ) {
				return EINTR;
			}
			if (mb->waiter != 0) {
				return EBUSY;
			}
			if (ocb->ioflag & O_NONBLOCK) {
				return EAGAIN;
			}
			mb->waiter = ctp->rcvid;
			mb->waiter_ext = 1;
			return _RESMGR_NOREPLY;
		}
		*(struct can_msg *) data = can_pop(mb);
		break;
	case CAN_DEVCTL_WRITE_CANMSG_EXT: {
		struct can_msg c = *(struct can_msg *) data;

		if (!mb->tx || !can_msg_ok(&c)) {
			return EINVAL;
		}
		can_deliver(&c);
		need = 0;
		break;
	}
	case CAN_DEVCTL_ERROR: {
		struct can_devctl_error *e = data;

		memset(e, 0, sizeof(*e));
		e->drvr1 = mb->dropped; /* this driver's: messages dropped */
		mb->dropped = 0;
		break;
	}
	case CAN_DEVCTL_DEBUG_INFO:
	case CAN_DEVCTL_DEBUG_INFO2:
		need = 0; /* a driver prints its registers; none here */
		break;
	case CAN_DEVCTL_GET_INFO: {
		struct can_devctl_info *di = data;

		memset(di, 0, sizeof(*di));
		snprintf(di->description, sizeof(di->description),
		    "axon loopback CAN");
		di->msgq_size = CAN_QLEN;
		di->waitq_size = 1;
		di->mode = CAN_MODE_IO;
		di->bit_rate = 250000;
		di->bit_rate_prescaler = 20;
		di->sync_jump_width = 1;
		di->time_segment_1 = 8;
		di->time_segment_2 = 2;
		di->num_tx_mboxes = CAN_NTX;
		di->num_rx_mboxes = CAN_NRX;
		di->loopback_internal = 1;
		break;
	}
	case CAN_DEVCTL_GET_STATS:
		memcpy(data, &can_stats, sizeof(can_stats));
		break;
	default:
		/* The raw frame commands too: this driver is in I/O mode. */
		return ENOSYS;
	}
	*nbytes = (get_device_direction(dcmd) & _POSIX_DEVDIR_FROM) ?
	    (int) need : 0;
	return EOK;
}

static int
can_io_devctl(resmgr_context_t *ctp, io_devctl_t *msg, RESMGR_OCB_T *ocb)
{
	int nbytes = 0, status;
	size_t got = ctp->size > sizeof(msg->i) ? ctp->size - sizeof(msg->i)
						: 0;
	size_t in = msg->i.nbytes < got ? msg->i.nbytes : got;
	size_t room = msg->i.nbytes;

	if ((status = iofunc_devctl_default(ctp, msg, ocb)) !=
	    _RESMGR_DEFAULT) {
		return status;
	}
	/* The answer goes out of the receive buffer: no more than it
	 * holds. */
	if (room > ctp->msg_max_size - sizeof(msg->i)) {
		room = ctp->msg_max_size - sizeof(msg->i);
	}
	status = can_devctl_cmd(ctp, ocb, msg->i.dcmd,
	    _DEVCTL_DATA(msg->i), in, room, &nbytes);
	if (status != EOK) {
		return status;
	}
	memset(&msg->o, 0, sizeof(msg->o));
	msg->o.nbytes = (uint32_t) nbytes;
	return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o) + (size_t) nbytes);
}

/* A client that wants out of its wait (a signal, a timeout): EINTR. */
static int
can_unblock(resmgr_context_t *ctp, io_pulse_t *msg, RESMGR_OCB_T *ocb)
{
	struct can_mbox *r = ocb->attr;

	if (r->waiter != ctp->rcvid) {
		return _RESMGR_DEFAULT;
	}
	r->waiter = 0;
	return EINTR;
}

static resmgr_connect_funcs_t can_connect_funcs;
static resmgr_io_funcs_t can_io_funcs;

static void
mgr_can(int rep, void *arg)
{
	static const char *names[] = {"rx0", "rx1", "tx2", "tx3"};
	dispatch_t *dpp;
	dispatch_context_t *ctp;

	(void) arg;
	dpp = dispatch_create();
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &can_connect_funcs,
	    _RESMGR_IO_NFUNCS, &can_io_funcs);
	can_io_funcs.read = can_read;
	can_io_funcs.write = can_write;
	can_io_funcs.devctl = can_io_devctl;
	can_io_funcs.unblock = can_unblock;
	clock_gettime(CLOCK_MONOTONIC, &ts_set);
	for (int i = 0; i < CAN_NRX + CAN_NTX; i++) {
		char path[64];

		iofunc_attr_init(&mbox[i].attr, S_IFCHR | 0666, NULL, NULL);
		mbox[i].tx = i >= CAN_NRX;
		mbox[i].mid = i % CAN_NRX == 0 ? MID_A : MID_B;
		mbox[i].mfilter = mbox[i].tx ? 0 : CAN_MID_STD_MASK;
		snprintf(path, sizeof(path), "/dev/axtest/can1/%s", names[i]);
		if (resmgr_attach(dpp, NULL, path, _FTYPE_ANY, 0,
			&can_connect_funcs, &can_io_funcs, &mbox[i]) == -1) {
			axt_report(rep, -errno);
			_exit(1);
		}
	}
	ctp = dispatch_context_alloc(dpp);
	axt_report(rep, 0);
	for (;;) {
		if ((ctp = dispatch_block(ctp)) == NULL) {
			_exit(2);
		}
		dispatch_handler(ctp);
	}
}

/* ------------------------------------------------------------------ */
/* The client                                                         */
/* ------------------------------------------------------------------ */

static struct axt_child
start_can(void)
{
	struct axt_child c = axt_spawn(mgr_can, NULL);

	ck_assert_int_eq(c.val, 0);
	return c;
}

static int
can_open(const char *mbx, int flags)
{
	char path[64];
	int coid;

	snprintf(path, sizeof(path), "/dev/axtest/can1/%s", mbx);
	coid = axon__io_open(path, flags, 0);
	ck_assert_int_ge(coid, 0);
	return coid;
}

START_TEST(test_can_encoding)
{
	/* The documented ones: _DCMD_MISC, CAN_CMD_CODE + 9 and + 11. */
	ck_assert_uint_eq((unsigned) CAN_DEVCTL_WRITE_CANMSG_EXT,
	    0x80000000u | ((unsigned) sizeof(struct can_msg) << 16) |
		(_DCMD_MISC << 8) | (CAN_CMD_CODE + 9));
	ck_assert_uint_eq((unsigned) CAN_DEVCTL_RX_FRAME_RAW_NOBLOCK,
	    0x40000000u | ((unsigned) sizeof(struct can_msg) << 16) |
		(_DCMD_MISC << 8) | (CAN_CMD_CODE + 9));
	ck_assert_uint_eq((unsigned) CAN_DEVCTL_TX_FRAME_RAW & 0xff,
	    CAN_CMD_CODE + 11);
	ck_assert_int_eq(get_device_direction(CAN_DEVCTL_GET_MID),
	    _POSIX_DEVDIR_FROM);
	ck_assert_int_eq(get_device_direction(CAN_DEVCTL_SET_MFILTER),
	    _POSIX_DEVDIR_TO);
	ck_assert_int_eq(get_device_direction(CAN_DEVCTL_DEBUG_INFO),
	    _POSIX_DEVDIR_NONE);
	/* The documented layout: 8 data bytes, the length, the MID, the
	 * extension's three words. */
	ck_assert_uint_eq(offsetof(struct can_msg, len), CAN_MSG_DATA_MAX);
	ck_assert_uint_eq(offsetof(struct can_msg, mid), 12);
	ck_assert_uint_eq(sizeof(CAN_MSG), 28);
	ck_assert_uint_eq(sizeof(CAN_MSG_EXT), 12);
	/* All the commands differ. */
	unsigned all[] = {CAN_DEVCTL_GET_MID, CAN_DEVCTL_SET_MID,
	    CAN_DEVCTL_GET_MFILTER, CAN_DEVCTL_SET_MFILTER,
	    CAN_DEVCTL_GET_PRIO, CAN_DEVCTL_SET_PRIO,
	    CAN_DEVCTL_GET_TIMESTAMP, CAN_DEVCTL_SET_TIMESTAMP,
	    CAN_DEVCTL_READ_CANMSG_EXT, CAN_DEVCTL_WRITE_CANMSG_EXT,
	    CAN_DEVCTL_RX_FRAME_RAW_NOBLOCK, CAN_DEVCTL_RX_FRAME_RAW_BLOCK,
	    CAN_DEVCTL_TX_FRAME_RAW, CAN_DEVCTL_ERROR, CAN_DEVCTL_DEBUG_INFO,
	    CAN_DEVCTL_DEBUG_INFO2, CAN_DEVCTL_GET_INFO,
	    CAN_DEVCTL_GET_STATS};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		for (size_t j = i + 1; j < sizeof(all) / sizeof(all[0]); j++) {
			ck_assert_uint_ne(all[i], all[j]);
		}
	}
}
END_TEST

/* write() to a transmit mailbox, read() of the receive mailbox whose
 * MID matches; the others get nothing. */
START_TEST(test_can_read_write)
{
	struct axt_child m = start_can();
	int rx0 = can_open("rx0", O_RDONLY | O_NONBLOCK);
	int rx1 = can_open("rx1", O_RDONLY | O_NONBLOCK);
	int tx2 = can_open("tx2", O_WRONLY);
	int tx3 = can_open("tx3", O_RDWR);
	char buf[32];

	ck_assert_int_eq(axon__io_write(tx2, "hello", 5), 5);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(axon__io_read(rx0, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "hello");
	ck_assert_int_eq(axon__io_read(rx0, buf, sizeof(buf)), -EAGAIN);
	ck_assert_int_eq(axon__io_read(rx1, buf, sizeof(buf)), -EAGAIN);
	/* More than a message holds: the first 8 bytes, a short write. */
	ck_assert_int_eq(axon__io_write(tx3, "0123456789ab", 12), 8);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(axon__io_read(rx1, buf, sizeof(buf)), 8);
	ck_assert_str_eq(buf, "01234567");
	/* A message per read: what does not fit is lost. */
	ck_assert_int_eq(axon__io_write(tx2, "abcdef", 6), 6);
	ck_assert_int_eq(axon__io_read(rx0, buf, 2), 2);
	ck_assert_int_eq(memcmp(buf, "ab", 2), 0);
	ck_assert_int_eq(axon__io_read(rx0, buf, sizeof(buf)), -EAGAIN);
	/* An empty message is one too. */
	ck_assert_int_eq(axon__io_write(tx2, "", 0), 0);
	ck_assert_int_eq(axon__io_read(rx0, buf, sizeof(buf)), 0);
	/* The wrong way round; the open's own mode. */
	ck_assert_int_eq(axon__io_read(tx3, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(axon__io_write(rx0, "x", 1), -EBADF);
	ck_assert_int_eq(axon__io_read(tx2, buf, sizeof(buf)), -EBADF);
	ck_assert_int_eq(axon__io_close(rx0), 0);
	ck_assert_int_eq(axon__io_close(rx1), 0);
	ck_assert_int_eq(axon__io_close(tx2), 0);
	ck_assert_int_eq(axon__io_close(tx3), 0);
	axt_child_kill(&m);
}
END_TEST

/* The mailboxes' settings as canctl -M/-m, -F/-f, -P/-p, -T/-t use
 * them, and what they change on the loopback. */
START_TEST(test_can_settings)
{
	struct axt_child m = start_can();
	int rx0 = can_open("rx0", O_RDWR | O_NONBLOCK);
	int rx1 = can_open("rx1", O_RDWR | O_NONBLOCK);
	int tx2 = can_open("tx2", O_RDWR);
	uint32_t v;
	char buf[16];

	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_GET_MID, &v, sizeof(v), NULL),
	    EOK);
	ck_assert_uint_eq(v, MID_A);
	ck_assert_int_eq(devctl(rx1, CAN_DEVCTL_GET_MID, &v, sizeof(v), NULL),
	    EOK);
	ck_assert_uint_eq(v, MID_B);
	ck_assert_int_eq(devctl(rx1, CAN_DEVCTL_GET_MFILTER, &v, sizeof(v),
			     NULL),
	    EOK);
	ck_assert_uint_eq(v, CAN_MID_STD_MASK);
	/* rx1 takes tx2's MID: both receive. */
	v = MID_A;
	ck_assert_int_eq(devctl(rx1, CAN_DEVCTL_SET_MID, &v, sizeof(v), NULL),
	    EOK);
	ck_assert_int_eq(axon__io_write(tx2, "both", 4), 4);
	ck_assert_int_eq(axon__io_read(rx0, buf, sizeof(buf)), 4);
	ck_assert_int_eq(axon__io_read(rx1, buf, sizeof(buf)), 4);
	/* Back to its own, but filter 0: it takes every message. */
	v = MID_B;
	ck_assert_int_eq(devctl(rx1, CAN_DEVCTL_SET_MID, &v, sizeof(v), NULL),
	    EOK);
	v = 0;
	ck_assert_int_eq(devctl(rx1, CAN_DEVCTL_SET_MFILTER, &v, sizeof(v),
			     NULL),
	    EOK);
	ck_assert_int_eq(axon__io_write(tx2, "all", 3), 3);
	ck_assert_int_eq(axon__io_read(rx1, buf, sizeof(buf)), 3);
	ck_assert_int_eq(axon__io_read(rx0, buf, sizeof(buf)), 3);
	/* Filters are for receive mailboxes, priorities for transmit ones;
	 * a priority past the device's maximum; a MID past 29 bits. */
	ck_assert_int_eq(devctl(tx2, CAN_DEVCTL_GET_MFILTER, &v, sizeof(v),
			     NULL),
	    EINVAL);
	ck_assert_int_eq(devctl(tx2, CAN_DEVCTL_SET_MFILTER, &v, sizeof(v),
			     NULL),
	    EINVAL);
	v = 5;
	ck_assert_int_eq(devctl(tx2, CAN_DEVCTL_SET_PRIO, &v, sizeof(v), NULL),
	    EOK);
	v = 0;
	ck_assert_int_eq(devctl(tx2, CAN_DEVCTL_GET_PRIO, &v, sizeof(v), NULL),
	    EOK);
	ck_assert_uint_eq(v, 5);
	v = CAN_PRIO_MAX + 1;
	ck_assert_int_eq(devctl(tx2, CAN_DEVCTL_SET_PRIO, &v, sizeof(v), NULL),
	    EINVAL);
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_GET_PRIO, &v, sizeof(v), NULL),
	    EINVAL);
	v = 0x20000000u;
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_SET_MID, &v, sizeof(v), NULL),
	    EINVAL);
	/* The timestamp: set, then it runs on from there, and messages
	 * carry it. */
	v = 1000000;
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_SET_TIMESTAMP, &v, sizeof(v),
			     NULL),
	    EOK);
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_GET_TIMESTAMP, &v, sizeof(v),
			     NULL),
	    EOK);
	ck_assert_uint_ge(v, 1000000);
	ck_assert_uint_lt(v, 1000000 + 10000);
	ck_assert_int_eq(axon__io_write(tx2, "t", 1), 1);

	struct can_msg cm;

	memset(&cm, 0xff, sizeof(cm));
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_READ_CANMSG_EXT, &cm,
			     sizeof(cm), NULL),
	    EOK);
	ck_assert_uint_eq(cm.len, 1);
	ck_assert_uint_eq(cm.dat[0], 't');
	ck_assert_uint_eq(cm.mid, MID_A);
	ck_assert_uint_eq(cm.ext.is_extended_mid, 0);
	ck_assert_uint_eq(cm.ext.is_remote_frame, 0);
	ck_assert_uint_ge(cm.ext.timestamp, 1000000);
	ck_assert_uint_lt(cm.ext.timestamp, 1000000 + 10000);
	ck_assert_int_eq(axon__io_close(rx0), 0);
	ck_assert_int_eq(axon__io_close(rx1), 0);
	ck_assert_int_eq(axon__io_close(tx2), 0);
	axt_child_kill(&m);
}
END_TEST

/* Whole messages: WRITE_CANMSG_EXT with an arbitrary (extended) MID,
 * READ_CANMSG_EXT; the device's info, statistics and error words. */
START_TEST(test_can_messages)
{
	struct axt_child m = start_can();
	int rx0 = can_open("rx0", O_RDWR | O_NONBLOCK);
	int tx3 = can_open("tx3", O_RDWR);
	struct can_msg out, in;
	struct can_devctl_info info;
	struct can_devctl_stats st;
	struct can_devctl_error err;
	uint32_t v = 0;

	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_SET_MFILTER, &v, sizeof(v),
			     NULL),
	    EOK);
	memset(&out, 0, sizeof(out));
	memcpy(out.dat, "\x01\x02\x03", 3);
	out.len = 3;
	out.mid = 0x1abcde12u;
	out.ext.is_extended_mid = 1;
	ck_assert_int_eq(devctl(tx3, CAN_DEVCTL_WRITE_CANMSG_EXT, &out,
			     sizeof(out), NULL),
	    EOK);
	/* A remote frame with a standard MID. */
	memset(&out, 0, sizeof(out));
	out.mid = 0x7ffu << CAN_MID_STD_SHIFT;
	out.ext.is_remote_frame = 1;
	ck_assert_int_eq(devctl(tx3, CAN_DEVCTL_WRITE_CANMSG_EXT, &out,
			     sizeof(out), NULL),
	    EOK);
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_READ_CANMSG_EXT, &in,
			     sizeof(in), NULL),
	    EOK);
	ck_assert_uint_eq(in.mid, 0x1abcde12u);
	ck_assert_uint_eq(in.ext.is_extended_mid, 1);
	ck_assert_uint_eq(in.len, 3);
	ck_assert_int_eq(memcmp(in.dat, "\x01\x02\x03", 3), 0);
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_READ_CANMSG_EXT, &in,
			     sizeof(in), NULL),
	    EOK);
	ck_assert_uint_eq(in.mid, 0x7ffu << CAN_MID_STD_SHIFT);
	ck_assert_uint_eq(in.ext.is_remote_frame, 1);
	/* Nothing left: a nonblocking open gets EAGAIN. */
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_READ_CANMSG_EXT, &in,
			     sizeof(in), NULL),
	    EAGAIN);
	/* Not whole: 9 data bytes, a standard MID outside bits 18-28, a
	 * flag that is not 0 or 1; a transmit on a receive mailbox. */
	out.ext.is_remote_frame = 0;
	out.len = CAN_MSG_DATA_MAX + 1;
	ck_assert_int_eq(devctl(tx3, CAN_DEVCTL_WRITE_CANMSG_EXT, &out,
			     sizeof(out), NULL),
	    EINVAL);
	out.len = 1;
	out.mid = 0x123;
	ck_assert_int_eq(devctl(tx3, CAN_DEVCTL_WRITE_CANMSG_EXT, &out,
			     sizeof(out), NULL),
	    EINVAL);
	out.mid = MID_A;
	out.ext.is_extended_mid = 2;
	ck_assert_int_eq(devctl(tx3, CAN_DEVCTL_WRITE_CANMSG_EXT, &out,
			     sizeof(out), NULL),
	    EINVAL);
	out.ext.is_extended_mid = 0;
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_WRITE_CANMSG_EXT, &out,
			     sizeof(out), NULL),
	    EINVAL);
	ck_assert_int_eq(devctl(tx3, CAN_DEVCTL_READ_CANMSG_EXT, &in,
			     sizeof(in), NULL),
	    EINVAL);
	/* The queue holds CAN_QLEN: the rest are dropped and counted. */
	for (int i = 0; i < CAN_QLEN + 3; i++) {
		ck_assert_int_eq(devctl(tx3, CAN_DEVCTL_WRITE_CANMSG_EXT, &out,
				     sizeof(out), NULL),
		    EOK);
	}
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_ERROR, &err, sizeof(err),
			     NULL),
	    EOK);
	ck_assert_uint_eq(err.drvr1, 3);
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_ERROR, &err, sizeof(err),
			     NULL),
	    EOK);
	ck_assert_uint_eq(err.drvr1, 0); /* read and cleared */
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_GET_STATS, &st, sizeof(st),
			     NULL),
	    EOK);
	ck_assert_uint_eq(st.transmitted_frames, 2 + CAN_QLEN + 3);
	ck_assert_uint_eq(st.received_frames, 2 + CAN_QLEN + 3);
	ck_assert_uint_eq(st.sw_receive_q_full, 3);
	ck_assert_uint_eq(st.total_interrupts,
	    st.rx_interrupts + st.tx_interrupts);
	ck_assert_int_eq(devctl(tx3, CAN_DEVCTL_GET_INFO, &info, sizeof(info),
			     NULL),
	    EOK);
	ck_assert_str_eq(info.description, "axon loopback CAN");
	ck_assert_uint_eq(info.num_rx_mboxes, CAN_NRX);
	ck_assert_uint_eq(info.num_tx_mboxes, CAN_NTX);
	ck_assert_uint_eq(info.msgq_size, CAN_QLEN);
	ck_assert_uint_eq(info.mode, CAN_MODE_IO);
	ck_assert_uint_eq(info.loopback_internal, 1);
	ck_assert_uint_eq(info.bit_rate, 250000);
	ck_assert_int_eq(devctl(tx3, CAN_DEVCTL_DEBUG_INFO, NULL, 0, NULL),
	    EOK);
	v = 2;
	ck_assert_int_eq(devctl(tx3, CAN_DEVCTL_DEBUG_INFO2, &v, sizeof(v),
			     NULL),
	    EOK);
	/* Raw frame mode is not this driver's ("not all drivers"). */
	ck_assert_int_eq(devctl(tx3, CAN_DEVCTL_TX_FRAME_RAW, &out,
			     sizeof(out), NULL),
	    ENOSYS);
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_RX_FRAME_RAW_NOBLOCK, &in,
			     sizeof(in), NULL),
	    ENOSYS);
	ck_assert_int_eq(axon__io_close(rx0), 0);
	ck_assert_int_eq(axon__io_close(tx3), 0);
	axt_child_kill(&m);
}
END_TEST

struct waiter {
	int coid;
	int ext;   /* READ_CANMSG_EXT rather than read() */
	int rc;
	struct can_msg msg;
};

static void *
wait_msg(void *arg)
{
	struct waiter *w = arg;

	if (w->ext) {
		w->rc = devctl(w->coid, CAN_DEVCTL_READ_CANMSG_EXT, &w->msg,
		    sizeof(w->msg), NULL);
	} else {
		w->rc = (int) axon__io_read(w->coid, w->msg.dat,
		    sizeof(w->msg.dat));
	}
	return NULL;
}

/* Until a client waits on mailbox mbx (another reader is refused). */
static void
until_waiting(const char *mbx)
{
	int coid = can_open(mbx, O_RDONLY | O_NONBLOCK);
	char buf[8];
	int i;

	for (i = 0; i < 500; i++) {
		if (axon__io_read(coid, buf, sizeof(buf)) == -EBUSY) {
			break;
		}
		usleep(10 * 1000);
	}
	ck_assert_int_lt(i, 500);
	ck_assert_int_eq(axon__io_close(coid), 0);
}

/* A blocking open waits in read() and in READ_CANMSG_EXT until a
 * message comes; a second waiter on a mailbox is refused (a wait queue
 * of one); a waiter that times out gets out. */
START_TEST(test_can_blocking)
{
	struct axt_child m = start_can();
	int rx0 = can_open("rx0", O_RDONLY);
	int rx1 = can_open("rx1", O_RDONLY);
	int tx2 = can_open("tx2", O_WRONLY);
	int tx3 = can_open("tx3", O_WRONLY);
	struct waiter a = {.coid = rx0, .rc = -1},
	    b = {.coid = rx1, .ext = 1, .rc = -1};
	pthread_t ta, tb;
	char buf[8];

	ck_assert_int_eq(pthread_create(&ta, NULL, wait_msg, &a), 0);
	ck_assert_int_eq(pthread_create(&tb, NULL, wait_msg, &b), 0);
	/* Both wait: another reader is refused meanwhile. */
	until_waiting("rx0");
	until_waiting("rx1");
	ck_assert_int_eq(axon__io_write(tx2, "wake", 4), 4);
	ck_assert_int_eq(axon__io_write(tx3, "up", 2), 2);
	ck_assert_int_eq(pthread_join(ta, NULL), 0);
	ck_assert_int_eq(pthread_join(tb, NULL), 0);
	ck_assert_int_eq(a.rc, 4);
	ck_assert_int_eq(memcmp(a.msg.dat, "wake", 4), 0);
	ck_assert_int_eq(b.rc, EOK);
	ck_assert_uint_eq(b.msg.len, 2);
	ck_assert_uint_eq(b.msg.mid, MID_B);
	ck_assert_int_eq(memcmp(b.msg.dat, "up", 2), 0);
	/* A bounded wait (TimerTimeout): the timeout asks the driver to
	 * unblock the client, its io_unblock answers EINTR and forgets the
	 * waiter, so the next message stays queued. */
	uint64_t ns = 50 * 1000 * 1000;

	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC,
			     _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY, NULL, &ns,
			     NULL),
	    0);
	ck_assert_int_eq(axon__io_read(rx0, buf, sizeof(buf)), -EINTR);
	ck_assert_int_eq(axon__io_write(tx2, "kept", 4), 4);
	ck_assert_int_eq(axon__io_read(rx0, buf, sizeof(buf)), 4);
	ck_assert_int_eq(memcmp(buf, "kept", 4), 0);
	ck_assert_int_eq(axon__io_close(rx0), 0);
	ck_assert_int_eq(axon__io_close(rx1), 0);
	ck_assert_int_eq(axon__io_close(tx2), 0);
	ck_assert_int_eq(axon__io_close(tx3), 0);
	axt_child_kill(&m);
}
END_TEST

/* Faults: a buffer too small for the answer or the data, no buffer, a
 * closed connection, a driver that dies while a client waits. */
START_TEST(test_can_faults)
{
	struct axt_child m = start_can();
	int rx0 = can_open("rx0", O_RDWR);
	int tx2 = can_open("tx2", O_RDWR);
	struct can_devctl_info info;
	struct can_msg cm;
	uint16_t small = 0;
	uint32_t v = 0;

	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_GET_INFO, &info,
			     sizeof(info) - 1, NULL),
	    EINVAL);
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_GET_MID, &small,
			     sizeof(small), NULL),
	    EINVAL);
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_SET_MFILTER, &small,
			     sizeof(small), NULL),
	    EINVAL);
	memset(&cm, 0, sizeof(cm));
	cm.len = 1;
	cm.mid = MID_A;
	ck_assert_int_eq(devctl(tx2, CAN_DEVCTL_WRITE_CANMSG_EXT, &cm,
			     sizeof(cm) - 4, NULL),
	    EINVAL);
	ck_assert_int_eq(devctl(rx0, CAN_DEVCTL_GET_STATS, NULL, 8, NULL),
	    EFAULT);
	ck_assert_int_eq(axon__io_close(tx2), 0);
	ck_assert_int_eq(devctl(tx2, CAN_DEVCTL_GET_MID, &v, sizeof(v), NULL),
	    EBADF);
	/* The driver dies under a waiting READ_CANMSG_EXT: the client is
	 * let go with an error, not left blocked. */
	struct waiter w = {.coid = rx0, .ext = 1, .rc = -1};
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, wait_msg, &w), 0);
	until_waiting("rx0");
	axt_child_kill(&m);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_ne(w.rc, EOK);
	(void) axon__io_close(rx0);
}
END_TEST

static Suite *
can_suite(void)
{
	Suite *s = suite_create("can");
	TCase *tc = axt_tcase("can", 30);

	tcase_add_test(tc, test_can_encoding);
	tcase_add_test(tc, test_can_read_write);
	tcase_add_test(tc, test_can_settings);
	tcase_add_test(tc, test_can_messages);
	tcase_add_test(tc, test_can_blocking);
	tcase_add_test(tc, test_can_faults);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(can_suite());
}
