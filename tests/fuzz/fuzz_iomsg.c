/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the _IO_* message decoder, which sees every
 * message a client sends a resource manager.  The first two bytes of an
 * input say how much more the client claims to have sent than was
 * received (srclen), the rest is the message.  Properties: never
 * crashes or reads outside the message, answers only its documented
 * errors, and what it accepts is whole: a connect's path is one
 * NUL-terminated string inside the message.
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	}
	free(msg);
	return 0;
}
