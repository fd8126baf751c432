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
 * then goes through iofunc_notify() (with the conditions met, counts
 * and the client taken from the bytes after it), a trigger and a
 * remove: answers
 * only EINVAL or the reply, reports only the conditions asked and met,
 * and leaves no entry once removed.  (MsgDeliverEvent_r, MsgSend_r and
 * axon__fd_notify are the harness's: the decisions, not the transport, are fuzzed.)
 */
#include <assert.h>
#include <errno.h>
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
 * trigger) comes from the bytes after the message's header. */
static void
fuzz_notify(const uint8_t *msg, size_t len)
{
	const uint8_t *data = msg + sizeof(struct _io_notify) - 2;
	size_t size = len - sizeof(struct _io_notify) + 2;

	iofunc_notify_t nop[3];
	resmgr_context_t ctp;
	io_notify_t m;
	int counts[3], armed = -1, rc, trig;
	uint32_t asked;

	memset(nop, 0, sizeof(nop));
	memset(&ctp, 0, sizeof(ctp));
	memset(&m, 0, sizeof(m));
	memcpy(&m, msg, len < sizeof(m) ? len : sizeof(m));
	trig = size > 2 ? (int) ((uint32_t) data[2] << 24) : 0;
	for (int i = 0; i < 3; i++) {
		counts[i] = size > 3 + (size_t) i ? (int) data[3 + i] - 8 : 1;
	}
	ctp.rcvid = 7;
	ctp.info.scoid = size > 6 ? data[6] & 3 : 0;
	ctp.info.coid = 1;
	asked = (uint32_t) m.i.flags;
	for (int round = 0; round < 2; round++) {
		rc = iofunc_notify(&ctp, &m, nop, trig,
		    size > 7 && (data[7] & 1) ? counts : NULL, &armed);
		assert(rc == EINVAL || rc == _RESMGR_NPARTS(1));
		assert(armed == 0 || armed == 1);
		if (rc == _RESMGR_NPARTS(1)) {
			assert(ctp.iov[0].iov_base == &m.o);
			assert((m.o.flags & ~(asked & (uint32_t) trig)) == 0);
			assert(m.o.zero == 0);
		}
		memset(&m, 0, sizeof(m));
		memcpy(&m, msg, len < sizeof(m) ? len : sizeof(m));
		ctp.info.scoid ^= 1; /* a second client */
	}
	for (int i = 0; i < 3; i++) {
		/* An armed list's count is one of its entries'. */
		assert(nop[i].list != NULL || nop[i].cnt == 0);
	}
	delivered = 0;
	/* Only the second client's (strict), then everyone's. */
	iofunc_notify_trigger_strict(&ctp, nop, size > 8 ? (int) data[8] - 8 :
	    1, size > 9 ? (int) data[9] % 4 - 1 : 0);
	iofunc_notify_trigger(nop, size > 8 ? (int) data[8] - 8 : 1,
	    size > 9 ? (int) data[9] % 4 - 1 : 0);
	iofunc_notify_remove(&ctp, nop);
	iofunc_notify_remove(NULL, nop);
	for (int i = 0; i < 3; i++) {
		assert(nop[i].list == NULL && nop[i].cnt == 0);
	}
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
