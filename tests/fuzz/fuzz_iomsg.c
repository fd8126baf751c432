/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the _IO_* message decoder, which sees every
 * message a client sends a resource manager.  The first two bytes of an
 * input say how much more the client claims to have sent than was
 * received (srclen), the rest is the message.  Properties: never
 * crashes or reads outside the message, answers only its documented
 * errors, and what it accepts is whole: a connect's path is one
 * NUL-terminated string inside the message, an _IO_OPENFD or _IO_FDINFO
 * is whole with its reserved fields zero.  An accepted _IO_NOTIFY
 * is whole, and with _NOTIFY_COND_EXTEN the pollfds it counts were sent;
 * it then goes through iofunc_notify() (with the conditions met, counts,
 * the client and whether the manager keeps QNX 7's extended lists taken
 * from the bytes after it), a trigger and a remove: answers only EINVAL
 * or the reply, reports only the conditions asked and met (classic and
 * extended), never touches a list past the third of a manager that does
 * not say _NOTIFY_COND_EXTEN, and leaves no entry once removed.  (MsgDeliverEvent_r, MsgSend_r and
 * axon__fd_notify are the harness's: the decisions, not the transport, are fuzzed.)
 */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sys/iofunc.h>

#include "dispatch_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int delivered;

int
MsgDeliverEvent_r(rcvid_t rcvid, const struct sigevent *event)
{
	(void) rcvid;
	assert(event != NULL);
	delivered++;
	return 0;
}

long
MsgSend_r(int coid, const void *smsg, size_t sbytes, void *rmsg,
    size_t rbytes)
{
	(void) coid;
	(void) smsg;
	(void) sbytes;
	(void) rmsg;
	(void) rbytes;
	return -ENOSYS;
}

int
axon__fd_notify(int fd, const struct _io_notify *m,
    struct _io_notify_reply *r)
{
	(void) fd;
	(void) m;
	(void) r;
	return -ENOTSUP;
}

/* The manager's side (conditions met, counts, the client, the
 * trigger, whether it keeps QNX 7's extended lists) comes from the
 * bytes after the message's header.  A manager of three lists gets an
 * array of three followed by a guard that must stay untouched. */
static void
fuzz_notify(const uint8_t *msg, size_t len)
{
	const uint8_t *data = msg + sizeof(struct _io_notify) - 2;
	size_t size = len - sizeof(struct _io_notify) + 2;

	struct {
		iofunc_notify_t nop[_NOTIFY_MAXCOND];
	} x;
	struct {
		iofunc_notify_t nop[IOFUNC_NOTIFY_NCOND];
		iofunc_notify_t guard;
	} old;
	iofunc_notify_t *nop;
	resmgr_context_t ctp;
	io_notify_t m;
	int counts[_NOTIFY_MAXCOND], armed = -1, rc, trig, nlists, index;
	uint32_t asked, asked_e, trig_e;
	bool exten = size > 11 && (data[11] & 1);

	memset(&x, 0, sizeof(x));
	memset(&old, 0, sizeof(old));
	old.guard.cnt = 77;
	nop = exten ? x.nop : old.nop;
	nlists = exten ? _NOTIFY_MAXCOND : IOFUNC_NOTIFY_NCOND;
	memset(&ctp, 0, sizeof(ctp));
	memset(&m, 0, sizeof(m));
	memcpy(&m, msg, len < sizeof(m) ? len : sizeof(m));
	trig = size > 2 ? (int) ((uint32_t) data[2] << 24) : 0;
	trig |= size > 10 ? data[10] : 0;
	trig = exten ? (int) ((uint32_t) trig | _NOTIFY_COND_EXTEN) :
	    (int) ((uint32_t) trig & ~_NOTIFY_COND_EXTEN);
	for (int i = 0; i < _NOTIFY_MAXCOND; i++) {
		counts[i] = size > 3 + (size_t) i ? (int) data[3 + i] - 8 : 1;
	}
	ctp.rcvid = 7;
	ctp.info.scoid = size > 6 ? data[6] & 3 : 0;
	ctp.info.coid = 1;
	asked = (uint32_t) m.i.flags;
	asked_e = asked & _NOTIFY_COND_EXTEN ?
	    (uint32_t) m.i.flags_extra_mask & _NOTIFY_CONDE_MASK : 0;
	trig_e = exten ? (uint32_t) trig & _NOTIFY_CONDE_MASK : 0;
	for (int round = 0; round < 2; round++) {
		rc = iofunc_notify(&ctp, &m, nop, trig,
		    size > 7 && (data[7] & 1) ? counts : NULL, &armed);
		assert(rc == EINVAL || rc == _RESMGR_NPARTS(1));
		/* 0/1, or (EXTEN) the lists armed, of those there are. */
		assert(exten ? (armed & ~((1 << nlists) - 1)) == 0 :
		    armed == 0 || armed == 1);
		if (rc == _RESMGR_NPARTS(1)) {
			assert(ctp.iov[0].iov_base == &m.o);
			/* Only conditions asked and met; the extended
			 * fields only for a client that asked in them. */
			/* (RDNORM, WRNORM, RDBAND met are INPUT, OUTPUT,
			 * OBAND met.) */
			assert((m.o.flags & ~(asked & ((uint32_t) trig |
			    (trig_e & 7u) << 28 | _NOTIFY_COND_EXTEN))) == 0);
			assert((m.o.flags & _NOTIFY_COND_EXTEN) ==
			    (asked & _NOTIFY_COND_EXTEN));
			assert(((uint32_t) m.o.flags_exten & ~(asked_e &
			    (trig_e | (((uint32_t) trig &
			    (_NOTIFY_COND_INPUT | _NOTIFY_COND_OUTPUT |
			    _NOTIFY_COND_OBAND)) >> 28)))) == 0);
			assert(((uint32_t) m.o.flags_extra_mask & ~asked_e) ==
			    0);
			assert(m.o.zero == 0);
		}
		memset(&m, 0, sizeof(m));
		memcpy(&m, msg, len < sizeof(m) ? len : sizeof(m));
		ctp.info.scoid ^= 1; /* a second client */
	}
	for (int i = 0; i < nlists; i++) {
		/* An armed list's count is one of its entries'. */
		assert(nop[i].list != NULL || nop[i].cnt == 0);
	}
	delivered = 0;
	/* Only the second client's (strict), then everyone's. */
	/* (Any list index: past three on an array of three, nothing.) */
	index = size > 9 ? (int) data[9] % (_NOTIFY_MAXCOND + 2) - 1 : 0;
	iofunc_notify_trigger_strict(&ctp, nop, size > 8 ? (int) data[8] - 8 :
	    1, index);
	iofunc_notify_trigger(nop, size > 8 ? (int) data[8] - 8 : 1, index);
	iofunc_notify_remove(&ctp, nop);
	iofunc_notify_remove_strict(NULL, nop, size > 12 ? data[12] : 3);
	iofunc_notify_remove(NULL, nop);
	for (int i = 0; i < nlists; i++) {
		assert(nop[i].list == NULL && nop[i].cnt == 0);
	}
	assert(old.guard.cnt == 77 && old.guard.list == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t extra, len;
	uint8_t *msg;
	uint16_t type;
	int rc;

	if (size < 2) {
		return 0;
	}
	extra = (size_t) data[0] | (size_t) data[1] << 8;
	len = size - 2;
	/* A copy of exactly len bytes: ASan sees any read past it. */
	msg = malloc(len > 0 ? len : 1);
	assert(msg != NULL);
	memcpy(msg, data + 2, len);
	rc = axon__iomsg_check(msg, len, len + extra);
	assert(rc == 0 || rc == -EBADMSG || rc == -ENOSYS || rc == -EINVAL ||
	    rc == -ENAMETOOLONG);
	if (rc == 0) {
		assert(len >= sizeof(uint16_t));
		memcpy(&type, msg, sizeof(type));
		assert(type >= _IO_BASE && type <= _IO_MAX);
		if (type == _IO_CONNECT) {
			struct _io_connect c;
			size_t hdr = offsetof(struct _io_connect, path);

			assert(len >= hdr);
			memcpy(&c, msg, hdr);
			assert(c.path_len > 0 &&
			    hdr + c.path_len + c.extra_len <= len);
			assert(strlen((char *) msg + hdr) + 1 == c.path_len);
		}
		if (type == _IO_NOTIFY) {
			struct _io_notify n;

			/* Whole, and any pollfds it counts were sent. */
			assert(len >= sizeof(n));
			memcpy(&n, msg, sizeof(n));
			assert(!((uint32_t) n.flags & _NOTIFY_COND_EXTEN) ||
			    (n.nfds >= 0 && sizeof(n) + (size_t) n.nfds *
			    sizeof(struct pollfd) <= len + extra &&
			    n.nfds_ready >= 0 && n.nfds_ready <= n.nfds &&
			    n.fd_first >= 0));
			fuzz_notify(msg, len);
		}
		if (type == _IO_OPENFD) {
			/* Whole, and its reserved fields zero. */
			struct _io_openfd o;

			assert(len >= sizeof(o));
			memcpy(&o, msg, sizeof(o));
			assert(o.xtype == 0 && o.reserved2 == 0 && o.key == 0);
		}
		if (type == _IO_FDINFO) {
			struct _io_fdinfo f;

			assert(len >= sizeof(f));
			memcpy(&f, msg, sizeof(f));
			assert((f.flags & ~_FDINFO_FLAG_LOCALPATH) == 0 &&
			    f.reserved == 0);
		}
	}
	free(msg);
	return 0;
}
