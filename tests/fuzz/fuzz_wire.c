/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the node-to-node frame decoder, which reads bytes
 * from other nodes.  Properties: never crashes or reads out of bounds;
 * a decoded frame re-encodes to exactly the bytes it came from; a
 * truncated well-formed frame asks for more instead of failing; the
 * head-only decoder agrees with the full one.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[AXON_WIRE_HDR_SIZE + AXON_WIRE_MAX_BODY];
	struct axon_wire_frame f, h;
	long n = axon__wire_decode(data, size, &f);
	long hn = axon__wire_decode_head(data, size, &h);

	/* The head decoder never accepts what the full one refuses, and
	 * agrees with it on every frame both accept. */
	assert(hn == 0 || hn == -EPROTO || (hn > 0 && (size_t) hn <= size));
	/* (NAMES entries, SPAWN strings and a PATH_REQ's path are data
	 * the head decoder cannot see; only the full decoder checks
	 * them.) */
	if (n == -EPROTO && !(hn > 0 && (h.type == AXON_W_NAMES ||
					   h.type == AXON_W_SPAWN ||
					   h.type == AXON_W_PATH_REQ))) {
		assert(hn <= 0 || (size_t) hn + h.data_len > size ||
		    hn == -EPROTO);
	}
	if (n <= 0) {
		assert(n == 0 || n == -EPROTO);
		return 0;
	}
	assert(hn > 0 && (size_t) hn + h.data_len == (size_t) n);
	assert(h.type == f.type && h.conn == f.conn && h.msg == f.msg &&
	    h.offset == f.offset && h.flags == f.flags &&
	    h.data_len == f.data_len && h.data == NULL);
	assert((size_t) n <= size);
	long m = axon__wire_encode(&f, out, sizeof(out));
	assert(m == n);
	assert(memcmp(out, data, (size_t) n) == 0);
	/* Every proper prefix is "need more". */
	for (size_t cut = 0; cut < (size_t) n; cut += 1 + (size_t) n / 7) {
		struct axon_wire_frame g;

		assert(axon__wire_decode(data, cut, &g) == 0);
	}
	return 0;
}
