/* SPDX-License-Identifier: MIT */
/*
 * Resource managers written as the QNX documentation writes them, for
 * the tests that run them as real processes (test_resmgr, test_fs):
 * extended OCB and attribute via IOFUNC_OCB_T/IOFUNC_ATTR_T and the
 * mount's ocb_calloc/ocb_free, the read-a-string device, a device that
 * keeps what is written (reads wait for a write), a devctl device with
 * the DCMD macros, and a directory manager whose directory reads as
 * QNX's struct dirent records.
 */
#ifndef AXON_TESTS_RESMGR_MANAGERS_H
#define AXON_TESTS_RESMGR_MANAGERS_H

struct dev_attr;
struct dev_ocb;
#define IOFUNC_ATTR_T struct dev_attr
#define IOFUNC_OCB_T  struct dev_ocb
#include <sys/iofunc.h>
#include <sys/dispatch.h>
#include <devctl.h>
#include <hw/i2c.h>

#include "attack.h"
#include "axon_test.h"

#include "dispatch_int.h"

/* ------------------------------------------------------------------ */
/* The managers (QNX style)                                           */
/* ------------------------------------------------------------------ */

struct dev_attr {
	iofunc_attr_t attr;
	char data[4096]; /* what the device holds */
	int value;       /* the devctl device's value */
	iofunc_notify_t notify[3]; /* the notify device's: input, output,
				    * out-of-band */
	/* /dev/axtest/notify7's (a QNX 7 manager's: every condition,
	 * extended ones too), and the extended conditions that hold. */
	iofunc_notify_t notify7[_NOTIFY_MAXCOND];
	int cond7;
	uint8_t eeprom[256]; /* the I2C bus's one device, at 0x50 */
	uint8_t eeprom_at;   /* its address pointer */
};
static struct dev_attr dev;

#define EEPROM_ADDR 0x50u

/* An I2C bus with a 256-byte EEPROM at EEPROM_ADDR (7-bit), as a QNX
 * I2C master manager answers <hw/i2c.h>'s commands: a write's first
 * byte sets the address pointer, reads go on from it; anything else
 * on the bus does not answer (EIO, a NACK).  in: the bytes of data the
 * message brought (the client's count, bounded by what arrived), which
 * are also all the room a read has.  nbytes: the data to return. */
static int
i2c_devctl(struct dev_attr *a, int dcmd, void *data, size_t in,
    int *nbytes)
{
	i2c_addr_t *slave = data;
	uint8_t *buf;
	uint32_t len, rlen;

	if ((dcmd == DCMD_I2C_SEND || dcmd == DCMD_I2C_RECV ||
		dcmd == DCMD_I2C_SENDRECV) &&
	    (in < sizeof(i2c_addr_t) || (slave->fmt != I2C_ADDRFMT_7BIT &&
					    slave->fmt != I2C_ADDRFMT_10BIT))) {
		return EINVAL;
	}
	switch (dcmd) {
	case DCMD_I2C_DRIVER_INFO: {
		i2c_driver_info_t *di = data;

		memset(di, 0, sizeof(*di));
		di->speed_mode = I2C_SPEED_STANDARD | I2C_SPEED_FAST;
		di->addr_mode = I2C_ADDRFMT_7BIT;
		*nbytes = sizeof(*di);
		return EOK;
	}
	case DCMD_I2C_BUS_RESET:
		a->eeprom_at = 0;
		return EOK;
	case DCMD_I2C_SEND:
		if (in < sizeof(i2c_send_t)) {
			return EINVAL;
		}
		len = ((i2c_send_t *) data)->len;
		buf = (uint8_t *) data + sizeof(i2c_send_t);
		if (len > in - sizeof(i2c_send_t)) {
			return EINVAL;
		}
		if (slave->addr != EEPROM_ADDR ||
		    slave->fmt != I2C_ADDRFMT_7BIT) {
			return EIO; /* nobody there answers */
		}
		for (uint32_t i = 0; i < len; i++) {
			if (i == 0) {
				a->eeprom_at = buf[0];
			} else {
				a->eeprom[a->eeprom_at++] = buf[i];
			}
		}
		return EOK;
	case DCMD_I2C_RECV:
		if (in < sizeof(i2c_recv_t)) {
			return EINVAL;
		}
		len = ((i2c_recv_t *) data)->len;
		if (len > in - sizeof(i2c_recv_t)) {
			return EINVAL;
		}
		if (slave->addr != EEPROM_ADDR ||
		    slave->fmt != I2C_ADDRFMT_7BIT) {
			return EIO;
		}
		buf = (uint8_t *) data + sizeof(i2c_recv_t);
		for (uint32_t i = 0; i < len; i++) {
			buf[i] = a->eeprom[a->eeprom_at++];
		}
		*nbytes = (int) (sizeof(i2c_recv_t) + len);
		return EOK;
	case DCMD_I2C_SENDRECV:
		if (in < sizeof(i2c_sendrecv_t)) {
			return EINVAL;
		}
		len = ((i2c_sendrecv_t *) data)->send_len;
		rlen = ((i2c_sendrecv_t *) data)->recv_len;
		if ((len > rlen ? len : rlen) > in - sizeof(i2c_sendrecv_t)) {
			return EINVAL;
		}
		if (slave->addr != EEPROM_ADDR ||
		    slave->fmt != I2C_ADDRFMT_7BIT) {
			return EIO;
		}
		buf = (uint8_t *) data + sizeof(i2c_sendrecv_t);
		if (len > 0) {
			a->eeprom_at = buf[0]; /* then a repeated START */
		}
		for (uint32_t i = 0; i < rlen; i++) {
			buf[i] = a->eeprom[a->eeprom_at++];
		}
		*nbytes = (int) (sizeof(i2c_sendrecv_t) + rlen);
		return EOK;
	default:
		return -1; /* not an I2C command */
	}
}

struct dev_ocb {
	iofunc_ocb_t ocb;
	int reads;       /* per open */
};

/* /dev/axtest/notify-many: each _IO_NOTIFY arms the next of these
 * lists in turn (a manager with lists of its own beside the
 * attribute's), not the attribute's. */
#define NOTIFY_SPREAD 5
static iofunc_notify_t notify_spread[NOTIFY_SPREAD][IOFUNC_NOTIFY_NCOND];
static int notify_spread_next = -1; /* -1: not that device */

static int report_fd = -1;    /* the manager tells the test things */
static rcvid_t blocked_rcvid; /* a reader waiting for data */
static int blocked_nbytes;

/* /dev/axtest/notify-lie: the last two armings (the message's rcvid
 * and event), its timer, and the triggers the timer made. */
static struct {
	rcvid_t rcvid;
	struct sigevent ev;
} lie_armed[2];
static int lie_timer = -1;
static int lie_ticks;

static int live_ocbs;          /* OCBs allocated and not yet freed */
static bool notify_strict;     /* /dev/axtest/notify-strict */

static IOFUNC_OCB_T *
dev_ocb_calloc(resmgr_context_t *ctp, IOFUNC_ATTR_T *attr)
{
	struct dev_ocb *o = calloc(1, sizeof(struct dev_ocb));

	live_ocbs += o != NULL;
	return (IOFUNC_OCB_T *) o;
}

static void
dev_ocb_free(IOFUNC_OCB_T *ocb)
{
	int freed = 1000 + ocb->reads;

	live_ocbs--;
	if (report_fd >= 0) {
		(void) !write(report_fd, &freed, sizeof(freed));
	}
	free(ocb);
}

static iofunc_funcs_t dev_ocb_funcs = {_IOFUNC_NFUNCS, dev_ocb_calloc,
    dev_ocb_free};
static iofunc_mount_t dev_mount = {.funcs = &dev_ocb_funcs};

/* read: the device's string from the OCB's offset (the RM guide's
 * single-buffer read). */
static int
io_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	size_t nleft, nbytes;
	int nonblock, status;

	if ((status = iofunc_read_verify(ctp, msg, ocb, &nonblock)) != EOK) {
		return status;
	}
	if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE) {
		return ENOSYS;
	}
	nleft = (size_t) ocb->ocb.attr->attr.nbytes - (size_t) ocb->ocb.offset;
	if (ocb->ocb.offset > ocb->ocb.attr->attr.nbytes) {
		nleft = 0;
	}
	nbytes = nleft < msg->i.nbytes ? nleft : msg->i.nbytes;
	if (nbytes == 0 && !nonblock && strcmp(ocb->ocb.attr->data,
	    "") == 0) {
		/* Nothing yet: the reader waits for a write. */
		blocked_rcvid = ctp->rcvid;
		blocked_nbytes = (int) msg->i.nbytes;
		return _RESMGR_NOREPLY;
	}
	ocb->reads++;
	if (nbytes > 0) {
		SETIOV(ctp->iov, ocb->ocb.attr->data + ocb->ocb.offset, nbytes);
		_IO_SET_READ_NBYTES(ctp, nbytes);
		ocb->ocb.offset += (off_t) nbytes;
		ocb->ocb.attr->attr.flags |= IOFUNC_ATTR_ATIME;
		return _RESMGR_NPARTS(1);
	}
	_IO_SET_READ_NBYTES(ctp, 0);
	return _RESMGR_NPARTS(0);
}

/* write: keeps what comes (the cookbook's write). */
static int
io_write(resmgr_context_t *ctp, io_write_t *msg, RESMGR_OCB_T *ocb)
{
	struct dev_attr *a = ocb->ocb.attr;
	size_t n = msg->i.nbytes;
	int status;

	if ((status = iofunc_write_verify(ctp, msg, ocb, NULL)) != EOK) {
		return status;
	}
	if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE) {
		return ENOSYS;
	}
	if (n >= sizeof(a->data)) {
		return EFBIG;
	}
	if (resmgr_msgread(ctp, a->data, n, sizeof(msg->i)) != (ssize_t) n) {
		return EFAULT;
	}
	a->data[n] = '\0';
	a->attr.nbytes = (off_t) n;
	a->attr.flags |= IOFUNC_ATTR_MTIME | IOFUNC_ATTR_CTIME;
	_IO_SET_WRITE_NBYTES(ctp, n);
	/* select()/ionotify() waiters: data to read now (notify_strict:
	 * only the writer's own connection's). */
	if (n > 0 && notify_strict) {
		iofunc_notify_trigger_strict(ctp, a->notify, (int) n,
		    IOFUNC_NOTIFY_INPUT);
	} else if (n > 0) {
		iofunc_notify_trigger(a->notify, (int) n, IOFUNC_NOTIFY_INPUT);
		iofunc_notify_trigger(a->notify7, (int) n,
		    IOFUNC_NOTIFY_RDNORM);
	}
	if (blocked_rcvid != 0) {
		size_t m = n < (size_t) blocked_nbytes ? n :
		    (size_t) blocked_nbytes;

		(void) MsgReply(blocked_rcvid, (long) m, a->data, m);
		blocked_rcvid = 0;
	}
	return EOK;
}

/* space: ftruncate and F_ALLOCSP/F_FREESP as a manager that keeps its
 * data implements them (QNX has no default): iofunc_space_verify(),
 * the range from whence, then the data.  F_FREESP with len 0 sets the
 * size to start (shrink or grow, zero-filled); with len, frees (zeroes)
 * the range, the size shrinking if it reaches the end.  F_ALLOCSP grows
 * the size to start + len if smaller.  Replies the new size. */
static int
io_space(resmgr_context_t *ctp, io_space_t *msg, RESMGR_OCB_T *ocb)
{
	struct dev_attr *a = ocb->ocb.attr;
	int64_t start = (int64_t) msg->i.start, len = (int64_t) msg->i.len;
	int64_t size = (int64_t) a->attr.nbytes, end;
	int status;

	if ((status = iofunc_space_verify(ctp, msg, ocb, NULL)) != EOK) {
		return status;
	}
	if (msg->i.whence == SEEK_CUR) {
		start += (int64_t) ocb->ocb.offset;
	} else if (msg->i.whence == SEEK_END) {
		start += size;
	}
	if (start < 0 || len > (int64_t) sizeof(a->data) ||
	    start > (int64_t) sizeof(a->data) - 1 - len) {
		return start < 0 ? EINVAL : EFBIG;
	}
	end = start + len;
	if (msg->i.subtype == F_ALLOCSP || msg->i.subtype == F_ALLOCSP64) {
		if (end > size) {
			memset(a->data + size, 0, (size_t) (end - size));
			size = end;
		}
	} else if (len == 0 || end >= size) {
		if (start > size) {
			memset(a->data + size, 0, (size_t) (start - size));
		}
		size = start;
	} else {
		memset(a->data + start, 0, (size_t) len);
	}
	a->data[size] = '\0';
	a->attr.nbytes = (off_t) size;
	a->attr.flags |= IOFUNC_ATTR_MTIME | IOFUNC_ATTR_CTIME;
	msg->o = (uint64_t) size;
	return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o));
}

/* unblock: a reader waiting for data that wants out (signal, timeout)
 * gets EINTR, on the devices whose data says "unblockable". */
static int
io_unblock(resmgr_context_t *ctp, io_pulse_t *msg, RESMGR_OCB_T *ocb)
{
	if (ctp->rcvid != blocked_rcvid ||
	    strcmp(ocb->ocb.attr->data, "") != 0 || report_fd < 0) {
		return _RESMGR_DEFAULT;
	}
	blocked_rcvid = 0;
	return EINTR;
}

#define MY_DEVCTL_SETVAL __DIOT(_DCMD_MISC, 1, int)
#define MY_DEVCTL_GETVAL __DIOF(_DCMD_MISC, 2, int)
#define MY_DEVCTL_SETGET __DIOTF(_DCMD_MISC, 3, union my_devctl)
#define MY_DEVCTL_RESET  __DION(_DCMD_MISC, 4)
#define MY_DEVCTL_DETACH __DIOT(_DCMD_MISC, 5, int) /* resmgr_detach */
#define MY_DEVCTL_WHO    __DIOF(_DCMD_MISC, 6, int) /* the sender's pid */
#define MY_DEVCTL_OCBS   __DIOF(_DCMD_MISC, 7, int) /* live OCBs */
#define MY_DEVCTL_OFFSET __DIOF(_DCMD_MISC, 8, int) /* the OCB's offset */
#define MY_DEVCTL_HOLD   __DION(_DCMD_MISC, 9)      /* never answered */
#define MY_DEVCTL_ARMED  __DIOF(_DCMD_MISC, 10, int) /* input list armed */
/* The checks io_devctl makes with iofunc_devctl_verify() from now on
 * (0 at the start: none); itself never checked. */
#define MY_DEVCTL_CHECKS __DIOT(_DCMD_MISC, 11, unsigned)

/* What iofunc_client_info_ext() says of the sender: err is 0 or the
 * first bad answer's number (1-6, see io_devctl); at most 32 groups. */
#define MY_DEVCTL_GROUPS __DIOF(_DCMD_MISC, 12, struct my_groups)
/* /dev/axtest/notify7: the _NOTIFY_CONDE_* conditions given hold from
 * now on (their lists triggered); 0 clears them. */
#define MY_DEVCTL_RAISE  __DIOT(_DCMD_MISC, 13, int)
/* /dev/axtest/notify7: the lists of notify7 that hold entries, as
 * _NOTIFY_CONDE_* bits (bit i: list i). */
#define MY_DEVCTL_ARMED7 __DIOF(_DCMD_MISC, 14, int)
/* /dev/axtest/notify-lie: its timer's period in ms (0 stops it). */
#define MY_DEVCTL_LIE_TICK __DIOT(_DCMD_MISC, 15, int)
/* /dev/axtest/notify-lie: delivers the event of the arming before the
 * last one (as a late trigger of it would: its value with
 * _NOTIFY_COND_INPUT when its code is SI_NOTIFY); answers 0 or the
 * delivery's -errno. */
#define MY_DEVCTL_LIE_STALE __DIOF(_DCMD_MISC, 16, int)
/* /dev/axtest/notify-lie: the triggers its timer made. */
#define MY_DEVCTL_LIE_TICKS __DIOF(_DCMD_MISC, 17, int)

struct my_groups {
	int err;
	uint32_t ngroups;
	pid_t pid;
	gid_t groups[32];
};

static unsigned verify_checks;

union my_devctl {
	int in;
	int out;
};

/* devctl: the RM guide's pattern. */
static int
io_devctl(resmgr_context_t *ctp, io_devctl_t *msg, RESMGR_OCB_T *ocb)
{
	struct dev_attr *a = ocb->ocb.attr;
	int nbytes = 0, status;
	void *rx_data;

	if ((status = iofunc_devctl_default(ctp, msg, ocb)) !=
	    _RESMGR_DEFAULT) {
		return status;
	}
	rx_data = _DEVCTL_DATA(msg->i);
	/* The data the client says it sent, no more than arrived (the
	 * receive buffer holds it, and the reply goes out of it). */
	size_t got = ctp->size > sizeof(msg->i) ? ctp->size - sizeof(msg->i)
						: 0;
	size_t in = msg->i.nbytes < got ? msg->i.nbytes : got;

	if (msg->i.dcmd == MY_DEVCTL_GROUPS) {
		struct my_groups *g = rx_data;
		struct _client_info *ci = (void *) 1;
		struct _client_info plain;

		if (ctp->msg_max_size < sizeof(msg->o) + sizeof(*g)) {
			return EMSGSIZE;
		}
		memset(g, 0, sizeof(*g));
		if (iofunc_client_info_ext(NULL, 0, &ci,
		    _NTO_CLIENTINFO_GETGROUPS) != EINVAL || ci != NULL) {
			g->err = 1;
		} else if (iofunc_client_info_ext(ctp, 0, NULL,
		    _NTO_CLIENTINFO_GETGROUPS) != EFAULT ||
		    iofunc_client_info_ext(ctp, 0, &ci, 0x100) != EINVAL) {
			g->err = 2;
		} else if (iofunc_client_info_ext_free(NULL) != EFAULT ||
		    iofunc_client_info_ext_free(&(struct _client_info *){
			&plain}) != EINVAL) {
			g->err = 3;
		} else if (iofunc_client_info_ext(ctp, 0, &ci,
		    _NTO_CLIENTINFO_GETGROUPS) != EOK || ci == NULL) {
			g->err = 4;
		} else {
			g->ngroups = ci->cred.ngroups;
			g->pid = ci->pid;
			for (uint32_t i = 0; i < ci->cred.ngroups && i < 32;
			     i++) {
				g->groups[i] = ci->cred.grouplist[i];
			}
			if (iofunc_client_info_ext_free(&ci) != EOK ||
			    ci != NULL) {
				g->err = 5;
			} else if (iofunc_client_info_ext_free(&ci) != EOK) {
				g->err = 6; /* NULL: nothing to free */
			}
		}
		memset(&msg->o, 0, sizeof(msg->o));
		msg->o.nbytes = sizeof(*g);
		return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o) + sizeof(*g));
	}
	if (msg->i.dcmd == MY_DEVCTL_CHECKS) {
		if (in < sizeof(verify_checks)) {
			return EINVAL;
		}
		memcpy(&verify_checks, rx_data, sizeof(verify_checks));
		memset(&msg->o, 0, sizeof(msg->o));
		return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o));
	}
	/* QNX 7.1's common checks, on the extended OCB as it comes. */
	if ((status = iofunc_devctl_verify(ctp, msg, ocb, verify_checks)) !=
	    EOK) {
		return status;
	}
	if ((status = i2c_devctl(a, msg->i.dcmd, rx_data, in, &nbytes)) >=
	    0) {
		if (status != EOK) {
			return status;
		}
		memset(&msg->o, 0, sizeof(msg->o));
		msg->o.nbytes = (uint32_t) nbytes;
		return _RESMGR_PTR(ctp, &msg->o,
		    sizeof(msg->o) + (size_t) nbytes);
	}
	switch (msg->i.dcmd) {
	case MY_DEVCTL_SETVAL:
		a->value = *(int *) rx_data;
		break;
	case MY_DEVCTL_GETVAL:
		*(int *) rx_data = a->value;
		nbytes = sizeof(int);
		break;
	case MY_DEVCTL_SETGET: {
		union my_devctl *d = rx_data;
		int old = a->value;

		a->value = d->in;
		d->out = old;
		nbytes = sizeof(*d);
		break;
	}
	case MY_DEVCTL_RESET:
		a->value = 0;
		break;
	case MY_DEVCTL_WHO:
		*(int *) rx_data = ctp->info.pid;
		nbytes = sizeof(int);
		break;
	case MY_DEVCTL_OCBS:
		*(int *) rx_data = live_ocbs;
		nbytes = sizeof(int);
		break;
	case MY_DEVCTL_OFFSET:
		*(int *) rx_data = (int) ocb->ocb.offset;
		nbytes = sizeof(int);
		break;
	case MY_DEVCTL_ARMED:
		/* Input lists armed: the attribute's (0 or 1), and on
		 * /dev/axtest/notify-many those it spreads over. */
		*(int *) rx_data = a->notify[IOFUNC_NOTIFY_INPUT].list != NULL;
		for (int i = 0; i < NOTIFY_SPREAD; i++) {
			*(int *) rx_data +=
			    notify_spread[i][IOFUNC_NOTIFY_INPUT].list != NULL;
		}
		nbytes = sizeof(int);
		break;
	case MY_DEVCTL_RAISE: {
		static const int index[] = {IOFUNC_NOTIFY_RDNORM,
		    IOFUNC_NOTIFY_WRNORM, IOFUNC_NOTIFY_RDBAND,
		    IOFUNC_NOTIFY_PRI, IOFUNC_NOTIFY_WRBAND, IOFUNC_NOTIFY_ERR,
		    IOFUNC_NOTIFY_HUP, IOFUNC_NOTIFY_NVAL};
		int raise = *(int *) rx_data;

		a->cond7 = raise == 0 ? 0 : a->cond7 | raise;
		for (int i = 0; i < 8; i++) {
			if (raise & (_NOTIFY_CONDE_RDNORM << i)) {
				iofunc_notify_trigger(a->notify7, 1, index[i]);
			}
		}
		break;
	}
	case MY_DEVCTL_ARMED7:
		*(int *) rx_data = 0;
		for (int i = 0; i < _NOTIFY_MAXCOND; i++) {
			*(int *) rx_data |= a->notify7[i].list != NULL ?
			    1 << i : 0;
		}
		nbytes = sizeof(int);
		break;
	case MY_DEVCTL_LIE_TICK: {
		uint64_t ns = (uint64_t) *(int *) rx_data * 1000000u;
		struct _itimer it = {ns, ns};

		if (lie_timer < 0 || TimerSettime(lie_timer, 0, &it,
		    NULL) == -1) {
			return lie_timer < 0 ? ENOSYS : errno;
		}
		break;
	}
	case MY_DEVCTL_LIE_STALE: {
		struct sigevent ev = lie_armed[0].ev;

		if (lie_armed[0].rcvid == 0) {
			return ENOENT;
		}
		if (ev.sigev_code == SI_NOTIFY) {
			ev.sigev_value.sival_int |= (int) _NOTIFY_COND_INPUT;
		}
		*(int *) rx_data = MsgDeliverEvent_r(lie_armed[0].rcvid, &ev);
		nbytes = sizeof(int);
		break;
	}
	case MY_DEVCTL_LIE_TICKS:
		*(int *) rx_data = lie_ticks;
		nbytes = sizeof(int);
		break;
	case MY_DEVCTL_HOLD:
		return _RESMGR_NOREPLY; /* the caller waits for our death */
	case MY_DEVCTL_DETACH:
		if (resmgr_detach(ctp->dpp, ctp->id, *(unsigned *) rx_data) ==
		    -1) {
			return errno;
		}
		break;
	default:
		return ENOSYS;
	}
	memset(&msg->o, 0, sizeof(msg->o));
	msg->o.ret_val = 42;
	msg->o.nbytes = (uint32_t) nbytes;
	return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o) + (size_t) nbytes);
}

/* notify: the RM guide's "Handling ionotify() and select()": input is
 * there when the OCB has unread data, output always. */
static int
io_notify(resmgr_context_t *ctp, io_notify_t *msg, RESMGR_OCB_T *ocb)
{
	struct dev_attr *a = ocb->ocb.attr;
	int trig = _NOTIFY_COND_OUTPUT;

	if (a->attr.nbytes > ocb->ocb.offset) {
		trig |= _NOTIFY_COND_INPUT;
	}
	if (notify_spread_next >= 0) {
		iofunc_notify_t *nop = notify_spread[notify_spread_next];

		notify_spread_next = (notify_spread_next + 1) % NOTIFY_SPREAD;
		return iofunc_notify(ctp, msg, nop, trig, NULL, NULL);
	}
	return iofunc_notify(ctp, msg, a->notify, trig, NULL, NULL);
}

/* /dev/axtest/notify7, as a QNX 7 manager writes it: a _NOTIFY_MAXCOND
 * array, and _NOTIFY_COND_EXTEN in trig with the extended conditions
 * that hold (normal data as RDNORM, room always, the raised ones). */
static int
io_notify7(resmgr_context_t *ctp, io_notify_t *msg, RESMGR_OCB_T *ocb)
{
	struct dev_attr *a = ocb->ocb.attr;
	int trig = (int) (_NOTIFY_COND_EXTEN | _NOTIFY_CONDE_WRNORM) |
	    a->cond7;

	if (a->attr.nbytes > ocb->ocb.offset) {
		trig |= _NOTIFY_CONDE_RDNORM;
	}
	return iofunc_notify(ctp, msg, a->notify7, trig, NULL, NULL);
}

/*
 * /dev/axtest/notify-lie, as a public QNX test manager writes it: its
 * io_notify never says a condition holds (trig 0), so every poll arms,
 * and a timer pulse triggers the input list; a client's select() or
 * poll() takes the trigger's event for readiness (QNX's do).  It keeps
 * the armings' events for MY_DEVCTL_LIE_STALE.
 */
static int
io_notify_lie(resmgr_context_t *ctp, io_notify_t *msg, RESMGR_OCB_T *ocb)
{
	if ((msg->i.action & _NOTIFY_ACTION_MASK) != _NOTIFY_ACTION_POLL) {
		lie_armed[0] = lie_armed[1];
		lie_armed[1].rcvid = ctp->rcvid;
		lie_armed[1].ev = msg->i.event;
	}
	return iofunc_notify(ctp, msg, ocb->ocb.attr->notify, 0, NULL, NULL);
}

static int
lie_tick(message_context_t *ctp, int code, unsigned flags, void *handle)
{
	lie_ticks++;
	iofunc_notify_trigger(dev.notify, 1, IOFUNC_NOTIFY_INPUT);
	return 0;
}

/* Its timer: a pulse every ms milliseconds to the manager's channel. */
static int
lie_timer_start(dispatch_t *dpp, int ms)
{
	struct sigevent ev;
	struct _itimer it = {(uint64_t) ms * 1000000u,
	    (uint64_t) ms * 1000000u};
	int code = pulse_attach(dpp, MSG_FLAG_ALLOC_PULSE, 0, lie_tick, NULL);
	int coid = message_connect(dpp, MSG_FLAG_SIDE_CHANNEL);

	if (code == -1 || coid == -1) {
		return -1;
	}
	SIGEV_PULSE_INIT(&ev, coid, SIGEV_PULSE_PRIO_INHERIT, code, 0);
	lie_timer = TimerCreate(CLOCK_MONOTONIC, &ev);
	if (lie_timer == -1 || TimerSettime(lie_timer, 0, &it, NULL) == -1) {
		return -1;
	}
	return 0;
}

/* close_ocb: the closing client's notifications go with its open. */
static int
notify_close_ocb(resmgr_context_t *ctp, void *reserved, RESMGR_OCB_T *ocb)
{
	iofunc_notify_remove(ctp, ocb->ocb.attr->notify);
	iofunc_notify_remove(ctp, ocb->ocb.attr->notify7);
	return iofunc_close_ocb_default(ctp, reserved, ocb);
}

/* /dev/axtest/notify-dup: a connection's notifications go in close_dup,
 * as QNX's iofunc_notify_remove page advises where connections share
 * an OCB: the layer's close (a client's _IO_CLOSE, or the one it fakes
 * for a connection that goes without one) is where it sees each. */
static int
notify_close_dup(resmgr_context_t *ctp, io_close_t *msg, RESMGR_OCB_T *ocb)
{
	iofunc_notify_remove(ctp, ocb->ocb.attr->notify);
	return iofunc_close_dup_default(ctp, msg, ocb);
}


static resmgr_connect_funcs_t connect_funcs;
static resmgr_io_funcs_t io_funcs;

/* A device at path: string (read-only, holds text), or store (0666,
 * empty: reads wait for a write), mode as given. */
static void
mgr_device(int rep, void *arg)
{
	const char **a = arg;
	dispatch_t *dpp;
	dispatch_context_t *ctp;
	int id;

	report_fd = rep;
	(void) signal(SIGPIPE, SIG_IGN); /* the test may stop listening */
	dpp = dispatch_create();
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &connect_funcs,
	    _RESMGR_IO_NFUNCS, &io_funcs);
	io_funcs.read = io_read;
	io_funcs.write = io_write;
	io_funcs.devctl = io_devctl;
	io_funcs.space = io_space;
	if (strcmp(a[0], "/dev/axtest/nosync") == 0) {
		io_funcs.sync = NULL;     /* as before the defaults: ENOSYS */
		io_funcs.pathconf = NULL;
		io_funcs.lock = NULL;
	}
	if (strcmp(a[0], "/dev/axtest/noofd") == 0) {
		io_funcs.openfd = NULL;   /* as before the defaults: ENOSYS */
		io_funcs.fdinfo = NULL;
	}
	if (strcmp(a[0], "/dev/axtest/unblock") == 0) {
		io_funcs.unblock = io_unblock;
	}
	if (strncmp(a[0], "/dev/axtest/notify", 18) == 0) {
		io_funcs.notify = io_notify;
		io_funcs.close_ocb = notify_close_ocb;
		notify_strict = strcmp(a[0], "/dev/axtest/notify-strict") == 0;
	}
	if (strcmp(a[0], "/dev/axtest/notify7") == 0) {
		io_funcs.notify = io_notify7;
	}
	if (strcmp(a[0], "/dev/axtest/notify-lie") == 0) {
		io_funcs.notify = io_notify_lie;
		IOFUNC_NOTIFY_INIT(dev.notify);
		if (lie_timer_start(dpp, 250) == -1) {
			axt_report(rep, -errno);
			_exit(1);
		}
	}
	if (strcmp(a[0], "/dev/axtest/notify-many") == 0) {
		notify_spread_next = 0;
	}
	if (strcmp(a[0], "/dev/axtest/notify-dup") == 0) {
		io_funcs.close_ocb = iofunc_close_ocb_default;
		io_funcs.close_dup = notify_close_dup;
	}
	iofunc_attr_init(&dev.attr, S_IFCHR | (mode_t) strtol(a[2], NULL, 8),
	    NULL, NULL);
	dev.attr.mount = &dev_mount;
	snprintf(dev.data, sizeof(dev.data), "%s", a[1]);
	dev.attr.nbytes = (off_t) strlen(dev.data);
	id = resmgr_attach(dpp, NULL, a[0], _FTYPE_ANY, 0, &connect_funcs,
	    &io_funcs, &dev);
	if (id == -1) {
		axt_report(rep, -errno);
		_exit(1);
	}
	ctp = dispatch_context_alloc(dpp);
	axt_report(rep, id);
	for (;;) {
		if ((ctp = dispatch_block(ctp)) == NULL) {
			_exit(2);
		}
		dispatch_handler(ctp);
	}
}

/* A directory manager: the directory and the files a, b, c in it. */
static struct dev_attr dir_attr, file_attr[3];

static int
dir_open(resmgr_context_t *ctp, io_open_t *msg, RESMGR_HANDLE_T *handle,
    void *extra)
{
	const char *p = msg->connect.path;

	if (p[0] == '\0') {
		return iofunc_open_default(ctp, msg, &dir_attr, extra);
	}
	if (p[1] == '\0' && p[0] >= 'a' && p[0] <= 'c') {
		return iofunc_open_default(ctp, msg, &file_attr[p[0] - 'a'],
		    extra);
	}
	return ENOENT;
}

/*
 * QNX's struct dirent, as a directory read returns it (Axon's headers
 * do not declare it: glibc's struct dirent is another layout), and the
 * RM guide's directory read: one record per file from the OCB's offset
 * (an entry index), as many as fit, 8-byte aligned; 0 bytes at the end.
 */
struct qnx_dirent {
	uint64_t d_ino;
	int64_t d_offset;
	uint16_t d_reclen;
	uint16_t d_namelen;
	char d_name[];
};

static int
dir_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	uint64_t buf[64];
	size_t n = 0;
	int status;

	if (ocb->ocb.attr != &dir_attr) {
		return io_read(ctp, msg, ocb);
	}
	if ((status = iofunc_read_verify(ctp, msg, ocb, NULL)) != EOK) {
		return status;
	}
	while (ocb->ocb.offset >= 0 && ocb->ocb.offset < 3) {
		size_t rec = (offsetof(struct qnx_dirent, d_name) + 2 + 7) &
		    ~(size_t) 7;
		struct qnx_dirent *d = (void *) ((char *) buf + n);

		if (n + rec > msg->i.nbytes || n + rec > sizeof(buf)) {
			break;
		}
		memset(d, 0, rec);
		d->d_ino = (uint64_t) ocb->ocb.offset + 2;
		d->d_offset = ocb->ocb.offset;
		d->d_reclen = (uint16_t) rec;
		d->d_namelen = 1;
		d->d_name[0] = (char) ('a' + ocb->ocb.offset);
		n += rec;
		ocb->ocb.offset++;
	}
	MsgReply(ctp->rcvid, (long) n, buf, n);
	return _RESMGR_NOREPLY;
}

static void __attribute__((unused)) /* not every test runs it */
mgr_dir(int rep, void *arg)
{
	dispatch_t *dpp = dispatch_create();
	dispatch_context_t *ctp;
	int id;

	(void) arg;
	report_fd = -1;
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &connect_funcs,
	    _RESMGR_IO_NFUNCS, &io_funcs);
	connect_funcs.open = dir_open;
	io_funcs.read = dir_read;
	iofunc_attr_init(&dir_attr.attr, S_IFDIR | 0555, NULL, NULL);
	dir_attr.attr.mount = &dev_mount;
	for (int i = 0; i < 3; i++) {
		iofunc_attr_init(&file_attr[i].attr, S_IFREG | 0444, &dir_attr,
		    NULL);
		file_attr[i].attr.mount = &dev_mount;
		file_attr[i].attr.inode = (ino_t) (i + 2);
		snprintf(file_attr[i].data, sizeof(file_attr[i].data),
		    "file %c\n", 'a' + i);
		file_attr[i].attr.nbytes = 7;
	}
	id = resmgr_attach(dpp, NULL, "/axtest/dir", _FTYPE_ANY,
	    _RESMGR_FLAG_DIR, &connect_funcs, &io_funcs, &dir_attr);
	ctp = dispatch_context_alloc(dpp);
	axt_report(rep, id);
	for (;;) {
		if ((ctp = dispatch_block(ctp)) == NULL) {
			_exit(2);
		}
		dispatch_handler(ctp);
	}
}

/* A manager that lies, at /axtest/liar: its directory read is not
 * dirent records, the read of its file "big" claims a gigabyte and
 * sends four bytes, that of "neg" answers a status that is negative
 * but no errno, whose low 32 bits say 4000 bytes, and sends none, and
 * its seek answers a position past any off_t, 2^64 - 13, which taken
 * for a signed value reads as -EACCES (test_fs, test_netfs). */
static struct dev_attr liar_dir, liar_file, liar_neg;

static int
liar_open(resmgr_context_t *ctp, io_open_t *msg, RESMGR_HANDLE_T *handle,
    void *extra)
{
	const char *p = msg->connect.path;

	if (p[0] == '\0') {
		return iofunc_open_default(ctp, msg, &liar_dir, extra);
	}
	if (strcmp(p, "big") == 0) {
		return iofunc_open_default(ctp, msg, &liar_file, extra);
	}
	if (strcmp(p, "neg") == 0) {
		return iofunc_open_default(ctp, msg, &liar_neg, extra);
	}
	return ENOENT;
}

static int
liar_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	/* d_reclen 24, d_namelen 200: a name longer than its record. */
	static const unsigned char junk[24] = {1, 2, 3, 4, 5, 6, 7, 8,
	    0, 0, 0, 0, 0, 0, 0, 0, 24, 0, 200, 0, 'x'};

	if (ocb->ocb.attr == &liar_dir) {
		MsgReply(ctp->rcvid, sizeof(junk), junk, sizeof(junk));
	} else if (ocb->ocb.attr == &liar_neg) {
		MsgReply(ctp->rcvid, (long) (~0xffffffffull | 4000u), NULL,
		    0);
	} else {
		MsgReply(ctp->rcvid, 1L << 30, "abcd", 4);
	}
	return _RESMGR_NOREPLY;
}

static int
liar_lseek(resmgr_context_t *ctp, io_lseek_t *msg, RESMGR_OCB_T *ocb)
{
	uint64_t pos = ~(uint64_t) 12;

	(void) msg;
	(void) ocb;
	MsgReply(ctp->rcvid, 0, &pos, sizeof(pos));
	return _RESMGR_NOREPLY;
}

static void __attribute__((unused))
mgr_liar(int rep, void *arg)
{
	dispatch_t *dpp = dispatch_create();
	dispatch_context_t *ctp;
	int id;

	(void) arg;
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &connect_funcs,
	    _RESMGR_IO_NFUNCS, &io_funcs);
	connect_funcs.open = liar_open;
	io_funcs.read = liar_read;
	io_funcs.lseek = liar_lseek;
	iofunc_attr_init(&liar_dir.attr, S_IFDIR | 0555, NULL, NULL);
	iofunc_attr_init(&liar_file.attr, S_IFREG | 0444, NULL, NULL);
	iofunc_attr_init(&liar_neg.attr, S_IFREG | 0444, NULL, NULL);
	id = resmgr_attach(dpp, NULL, "/axtest/liar", _FTYPE_ANY,
	    _RESMGR_FLAG_DIR, &connect_funcs, &io_funcs, &liar_dir);
	ctp = dispatch_context_alloc(dpp);
	axt_report(rep, id);
	for (;;) {
		if ((ctp = dispatch_block(ctp)) == NULL) {
			_exit(2);
		}
		dispatch_handler(ctp);
	}
}

/* A RAM-disk directory manager, as a QNX one keeps its entries: up to
 * RAM_MAX names in its directory (files and empty directories, in
 * memory), made by open(O_CREAT) and mknod, removed by unlink, moved by
 * rename, each after the iofunc_*() checks; utime is the default.  At
 * arg (a path): /axtest/ram is root's 0755 directory, /axtest/ram2 a
 * 01777 one (anyone makes names there, only their owner removes them). */
#define RAM_MAX 16
static struct {
	char name[64];
	bool used;
	struct dev_attr a;
} ram[RAM_MAX];
static struct dev_attr ram_dir;

static int
ram_find(const char *p)
{
	for (int i = 0; i < RAM_MAX; i++) {
		if (ram[i].used && strcmp(ram[i].name, p) == 0) {
			return i;
		}
	}
	return -1;
}

static int
ram_new(resmgr_context_t *ctp, const char *p, mode_t mode)
{
	struct _client_info info;

	if (strchr(p, '/') != NULL || strlen(p) >= sizeof(ram[0].name)) {
		return -ENOENT;
	}
	if (iofunc_client_info(ctp, 0, &info) != EOK) {
		return -EIO;
	}
	for (int i = 0; i < RAM_MAX; i++) {
		if (!ram[i].used) {
			ram[i].used = true;
			snprintf(ram[i].name, sizeof(ram[i].name), "%s", p);
			iofunc_attr_init(&ram[i].a.attr, mode, &ram_dir, &info);
			ram[i].a.attr.mount = &dev_mount;
			ram[i].a.attr.inode = (ino_t) (i + 2);
			if (S_ISDIR(mode)) {
				ram[i].a.attr.nlink = 2;
				ram_dir.attr.nlink++;
			}
			ram[i].a.data[0] = '\0';
			return i;
		}
	}
	return -ENOSPC;
}

static int
ram_open(resmgr_context_t *ctp, io_open_t *msg, RESMGR_HANDLE_T *handle,
    void *extra)
{
	const char *p = msg->connect.path;
	int i, r;

	(void) handle;
	if (p[0] == '\0') {
		return iofunc_open_default(ctp, msg, &ram_dir, extra);
	}
	if ((i = ram_find(p)) < 0) {
		if (!(msg->connect.ioflag & O_CREAT)) {
			return ENOENT;
		}
		r = iofunc_open(ctp, msg, NULL, &ram_dir.attr, NULL);
		if (r != EOK) {
			return r;
		}
		i = ram_new(ctp, p, S_IFREG | (msg->connect.mode & 07777));
		if (i < 0) {
			return -i;
		}
	}
	return iofunc_open_default(ctp, msg, &ram[i].a, extra);
}

static int
ram_mknod(resmgr_context_t *ctp, io_mknod_t *msg, RESMGR_HANDLE_T *handle,
    void *extra)
{
	const char *p = msg->connect.path;
	int i = ram_find(p), r;

	(void) handle;
	(void) extra;
	r = iofunc_mknod(ctp, msg, i >= 0 ? &ram[i].a.attr : NULL,
	    &ram_dir.attr, NULL);
	if (r != EOK) {
		return r;
	}
	i = ram_new(ctp, p, msg->connect.mode);
	return i < 0 ? -i : EOK;
}

static void
ram_drop(int i)
{
	if (S_ISDIR(ram[i].a.attr.mode)) {
		ram_dir.attr.nlink--;
	}
	ram[i].used = false;
}

static int
ram_unlink(resmgr_context_t *ctp, io_unlink_t *msg,
    RESMGR_HANDLE_T *handle, void *extra)
{
	int i = ram_find(msg->connect.path), r;

	(void) handle;
	(void) extra;
	r = iofunc_unlink(ctp, msg, i >= 0 ? &ram[i].a.attr : NULL,
	    &ram_dir.attr, NULL);
	if (r == EOK) {
		ram_drop(i);
	}
	return r;
}

static int
ram_rename(resmgr_context_t *ctp, io_rename_t *msg,
    RESMGR_HANDLE_T *handle, io_rename_extra_t *extra)
{
	const char *p = msg->connect.path;
	int o, n, r;

	(void) handle;
	if (extra == NULL ||
	    msg->connect.extra_type != _IO_CONNECT_EXTRA_RENAME ||
	    memchr(extra->path, '\0', msg->connect.extra_len) == NULL) {
		return EINVAL;
	}
	o = ram_find(extra->path);
	n = ram_find(p);
	r = iofunc_rename(ctp, msg, o >= 0 ? &ram[o].a.attr : NULL,
	    &ram_dir.attr, n >= 0 ? &ram[n].a.attr : NULL, &ram_dir.attr,
	    NULL);
	if (r != EOK || o == n) {
		return r;
	}
	if (strchr(p, '/') != NULL || strlen(p) >= sizeof(ram[0].name)) {
		return ENOENT;
	}
	if (n >= 0) {
		ram_drop(n);
	}
	snprintf(ram[o].name, sizeof(ram[o].name), "%s", p);
	return EOK;
}

static void __attribute__((unused))
mgr_ram(int rep, void *arg)
{
	dispatch_t *dpp = dispatch_create();
	dispatch_context_t *ctp;
	const char *path = arg;
	int id;

	report_fd = -1;
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &connect_funcs,
	    _RESMGR_IO_NFUNCS, &io_funcs);
	connect_funcs.open = ram_open;
	connect_funcs.mknod = ram_mknod;
	connect_funcs.unlink = ram_unlink;
	connect_funcs.rename = ram_rename;
	io_funcs.read = io_read;
	io_funcs.write = io_write;
	iofunc_attr_init(&ram_dir.attr, S_IFDIR | (strcmp(path, "/axtest/ram2")
	    == 0 ? 01777 : 0755), NULL, NULL);
	ram_dir.attr.nlink = 2;
	ram_dir.attr.mount = &dev_mount;
	id = resmgr_attach(dpp, NULL, path, _FTYPE_ANY, _RESMGR_FLAG_DIR,
	    &connect_funcs, &io_funcs, &ram_dir);
	ctp = dispatch_context_alloc(dpp);
	axt_report(rep, id);
	for (;;) {
		if ((ctp = dispatch_block(ctp)) == NULL) {
			_exit(2);
		}
		dispatch_handler(ctp);
	}
}

/* A pulse of code on chid within 10 s: its value, or -errno (a
 * client's notification, say). */
static inline int
pulse_wait(int chid, int code)
{
	struct _pulse p;
	uint64_t ns = 10ull * 1000000000ull;
	long r;

	(void) TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &ns,
	    NULL);
	r = MsgReceive_r(chid, &p, sizeof(p), NULL);
	if (r < 0) {
		return (int) r;
	}
	ck_assert_int_eq(r, 0); /* a pulse */
	ck_assert_int_eq(p.code, code);
	return p.value.sival_int;
}

/* No pulse waiting on chid (a short receive times out). */
static inline void
pulse_none(int chid)
{
	struct _pulse p;
	uint64_t ns = 50ull * 1000000ull;

	(void) TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &ns,
	    NULL);
	ck_assert_int_eq(MsgReceive_r(chid, &p, sizeof(p), NULL), -ETIMEDOUT);
}

static struct axt_child
start_device(const char *path, const char *text, const char *mode)
{
	static const char *a[3];
	struct axt_child c;

	a[0] = path;
	a[1] = text;
	a[2] = mode;
	c = axt_spawn(mgr_device, (void *) a);
	ck_assert_int_ge(c.val, 0);
	return c;
}

/* ------------------------------------------------------------------ */
/* A FIFO whose reads wait for writes (resmgr_msg_again)              */
/* ------------------------------------------------------------------ */

/*
 * The RM guide's blocking read: io_read with no data keeps the rcvid and
 * returns _RESMGR_NOREPLY; a write appends and runs every kept read again
 * with resmgr_msg_again(), which replies to those it can and keeps the
 * rest (they defer themselves again).  Bytes are consumed by the read
 * that gets them.  The path's last part picks how the reads are run
 * again: "fifo" on a context of its own (dispatch_context_alloc, as QNX
 * 7.1 asks of handlers), "fifo-own" on the write's own ctp, "fifo-pulse"
 * from a pulse the write sends the manager (the pulse handler's ctp);
 * "fifo-intr" has an unblock handler that lets a waiting reader go with
 * EINTR (the others keep iofunc_unblock_default()).
 */
#define FIFO_WAITERS 16

struct fifo_stats {
	int waiting;     /* reads kept now */
	int again_ok;    /* resmgr_msg_again() calls that returned 0 */
	int again_esrch; /* ... that failed with ESRCH */
	int again_other; /* ... that failed otherwise (errno in last) */
	int last_errno;
};

#define FIFO_DEVCTL_STATS __DIOF(_DCMD_MISC, 20, struct fifo_stats)

enum fifo_mode { FIFO_FRESH, FIFO_OWN, FIFO_PULSE, FIFO_INTR };

static rcvid_t fifo_wait[FIFO_WAITERS];
static int fifo_nwait;
static struct fifo_stats fifo_st;
static enum fifo_mode fifo_mode;
static dispatch_t *fifo_dpp;
static int fifo_coid = -1;  /* to the manager's own channel */
static int fifo_code;       /* its pulse */
static char fifo_out[4096]; /* a read's reply, sent before it returns */

/* Runs every kept read again, on own (a handler's ctp) or on a context
 * of its own for each. */
static void
fifo_wake(resmgr_context_t *own)
{
	rcvid_t w[FIFO_WAITERS];
	int n = fifo_nwait;

	memcpy(w, fifo_wait, sizeof(w));
	fifo_nwait = 0; /* the ones still without data come back */
	for (int i = 0; i < n; i++) {
		resmgr_context_t *ctp = own != NULL ? own :
		    resmgr_context_alloc(fifo_dpp);

		if (ctp == NULL) {
			_exit(3);
		}
		if (resmgr_msg_again(ctp, w[i]) == 0) {
			fifo_st.again_ok++;
		} else if (errno == ESRCH) {
			fifo_st.again_esrch++;
		} else {
			fifo_st.again_other++;
			fifo_st.last_errno = errno;
		}
		if (own == NULL) {
			resmgr_context_free(ctp);
		}
	}
}

static int
fifo_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	struct dev_attr *a = ocb->ocb.attr;
	size_t have = (size_t) a->attr.nbytes, n;
	int nonblock, status;

	if ((status = iofunc_read_verify(ctp, msg, ocb, &nonblock)) != EOK) {
		return status;
	}
	if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE) {
		return ENOSYS;
	}
	if (have == 0 && msg->i.nbytes > 0) {
		if (nonblock || fifo_nwait == FIFO_WAITERS) {
			return EAGAIN;
		}
		fifo_wait[fifo_nwait++] = ctp->rcvid;
		return _RESMGR_NOREPLY;
	}
	n = have < msg->i.nbytes ? have : msg->i.nbytes;
	memcpy(fifo_out, a->data, n);
	memmove(a->data, a->data + n, have - n);
	a->attr.nbytes = (off_t) (have - n);
	SETIOV(ctp->iov, fifo_out, n);
	_IO_SET_READ_NBYTES(ctp, n);
	return _RESMGR_NPARTS(1);
}

static int
fifo_write(resmgr_context_t *ctp, io_write_t *msg, RESMGR_OCB_T *ocb)
{
	struct dev_attr *a = ocb->ocb.attr;
	size_t have = (size_t) a->attr.nbytes, n = msg->i.nbytes;
	int status;

	if ((status = iofunc_write_verify(ctp, msg, ocb, NULL)) != EOK) {
		return status;
	}
	if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE) {
		return ENOSYS;
	}
	if (n > sizeof(a->data) - have) {
		return EAGAIN;
	}
	if (resmgr_msgread(ctp, a->data + have, n, sizeof(msg->i)) !=
	    (ssize_t) n) {
		return EFAULT;
	}
	a->attr.nbytes = (off_t) (have + n);
	/* Set before the reads run again: on the write's own ctp they
	 * must leave its status (and rcvid) as they were. */
	_IO_SET_WRITE_NBYTES(ctp, n);
	if (fifo_mode == FIFO_PULSE) {
		if (MsgSendPulse(fifo_coid, 10, fifo_code, 0) == -1) {
			return errno;
		}
	} else {
		fifo_wake(fifo_mode == FIFO_OWN ? ctp : NULL);
	}
	return EOK;
}

static int
fifo_pulse(message_context_t *ctp, int code, unsigned flags, void *handle)
{
	(void) code;
	(void) flags;
	(void) handle;
	fifo_wake(ctp);
	return 0;
}

static int
fifo_unblock(resmgr_context_t *ctp, io_pulse_t *msg, RESMGR_OCB_T *ocb)
{
	int status = iofunc_unblock_default(ctp, msg, ocb);

	if (status != _RESMGR_DEFAULT) {
		return status;
	}
	for (int i = 0; i < fifo_nwait; i++) {
		if (fifo_wait[i] == ctp->rcvid) {
			fifo_wait[i] = fifo_wait[--fifo_nwait];
			return EINTR;
		}
	}
	return _RESMGR_DEFAULT;
}

static int
fifo_devctl(resmgr_context_t *ctp, io_devctl_t *msg, RESMGR_OCB_T *ocb)
{
	void *rx = _DEVCTL_DATA(msg->i);

	if (msg->i.dcmd != FIFO_DEVCTL_STATS) {
		return iofunc_devctl_default(ctp, msg, ocb);
	}
	fifo_st.waiting = fifo_nwait;
	memcpy(rx, &fifo_st, sizeof(fifo_st));
	memset(&msg->o, 0, sizeof(msg->o));
	msg->o.nbytes = sizeof(fifo_st);
	return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o) + sizeof(fifo_st));
}

static void
mgr_fifo(int rep, void *arg)
{
	const char *path = arg;
	const char *last = strrchr(path, '/') + 1;
	dispatch_context_t *ctp;
	int id;

	(void) signal(SIGPIPE, SIG_IGN);
	fifo_mode = strcmp(last, "fifo-own") == 0 ? FIFO_OWN :
	    strcmp(last, "fifo-pulse") == 0 ? FIFO_PULSE :
	    strcmp(last, "fifo-intr") == 0 ? FIFO_INTR : FIFO_FRESH;
	fifo_dpp = dispatch_create();
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &connect_funcs,
	    _RESMGR_IO_NFUNCS, &io_funcs);
	io_funcs.read = fifo_read;
	io_funcs.write = fifo_write;
	io_funcs.devctl = fifo_devctl;
	if (fifo_mode == FIFO_INTR) {
		io_funcs.unblock = fifo_unblock;
	}
	iofunc_attr_init(&dev.attr, S_IFCHR | 0666, NULL, NULL);
	dev.attr.mount = &dev_mount;
	id = resmgr_attach(fifo_dpp, NULL, path, _FTYPE_ANY, 0, &connect_funcs,
	    &io_funcs, &dev);
	if (id == -1) {
		axt_report(rep, -errno);
		_exit(1);
	}
	if (fifo_mode == FIFO_PULSE) {
		fifo_code = pulse_attach(fifo_dpp, MSG_FLAG_ALLOC_PULSE, 0,
		    fifo_pulse, NULL);
		fifo_coid = message_connect(fifo_dpp, MSG_FLAG_SIDE_CHANNEL);
		if (fifo_code == -1 || fifo_coid == -1) {
			axt_report(rep, -errno);
			_exit(1);
		}
	}
	ctp = dispatch_context_alloc(fifo_dpp);
	axt_report(rep, id);
	for (;;) {
		if ((ctp = dispatch_block(ctp)) == NULL) {
			_exit(2);
		}
		dispatch_handler(ctp);
	}
}

static inline struct axt_child
start_fifo(const char *path)
{
	struct axt_child c = axt_spawn(mgr_fifo, (void *) path);

	ck_assert_int_ge(c.val, 0);
	return c;
}

/* The FIFO manager's counters, through a devctl on coid. */
static inline struct fifo_stats
fifo_stats(int coid)
{
	struct fifo_stats st;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(devctl(coid, FIFO_DEVCTL_STATS, &st, sizeof(st),
	    NULL), EOK);
	return st;
}

/* Waits (bounded) until the FIFO keeps n reads. */
static inline void
fifo_wait_waiting(int coid, int n)
{
	for (int i = 0; i < 2000 && fifo_stats(coid).waiting != n; i++) {
		axt_sleep_ms(5);
	}
	ck_assert_int_eq(fifo_stats(coid).waiting, n);
}

#endif /* AXON_TESTS_RESMGR_MANAGERS_H */
