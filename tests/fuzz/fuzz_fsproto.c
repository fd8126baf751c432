/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for axon-fs's check of a helper's reply header
 * (src/fs/fsproto.c): the helper runs as the Linux caller it serves,
 * and may be broken or compromised.  The input is a request header, a
 * reply header and the room the bridge has for the reply's data (8
 * bytes), zero-padded when short.  Properties: answers 0 or -EIO only;
 * what it accepts never claims more data than the room or FS_DATA_MAX,
 * an error is an errno (-4095..-1) with no data, a read's count is
 * exactly the data that follows and no more than was asked, a write's
 * no more than was sent, an open's a connection id (1..INT_MAX), and
 * every other op's success is 0; the same input gives the same answer.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "fsproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char buf[sizeof(struct fs_req) + sizeof(struct fs_rep) + 8];
	struct fs_req q;
	struct fs_rep p;
	uint64_t cap;
	size_t outcap;
	int rc;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, data, size < sizeof(buf) ? size : sizeof(buf));
	memcpy(&q, buf, sizeof(q));
	memcpy(&p, buf + sizeof(q), sizeof(p));
	memcpy(&cap, buf + sizeof(q) + sizeof(p), sizeof(cap));
	outcap = (size_t) cap;
	rc = axon__fs_rep_check(&q, &p, outcap);
	assert(rc == 0 || rc == -EIO);
	assert(axon__fs_rep_check(&q, &p, outcap) == rc);
	if (rc != 0) {
		return 0;
	}
	assert(p.len <= outcap && p.len <= FS_DATA_MAX);
	if (p.rc < 0) {
		assert(p.rc >= -4095 && p.len == 0);
		return 0;
	}
	switch (q.op) {
	case OP_READ:
		assert((uint64_t) p.rc == p.len && (uint64_t) p.rc <= q.want);
		break;
	case OP_WRITE:
		assert((uint64_t) p.rc <= q.len && p.len == 0);
		break;
	case OP_OPEN:
		assert(p.rc > 0 && p.rc <= INT_MAX && p.len == 0);
		break;
	case OP_LSEEK:
		assert(p.len == 0);
		break;
	default:
		assert(q.op >= OP_OPEN && q.op <= OP_LAST && p.rc == 0);
		break;
	}
	return 0;
}
