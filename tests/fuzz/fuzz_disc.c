/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the discovery announcement decoder, which reads
 * datagrams from anyone on the LAN.  Properties: never crashes or reads
 * out of bounds; anything but 0, -EBADMSG or -EPERM is a bug; an accepted
 * datagram re-encodes to exactly its bytes, and every proper prefix of it
 * is refused.  The fuzzer's input is tried with the key of a fixed
 * secret; its first byte also picks whether the rest is MAC'd with that
 * key first, so that accepted datagrams are reached at all.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "announce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char secret[] = "fuzz-secret";
	uint8_t key[32];
	uint8_t buf[AXD_ANN_MAX + 64];
	uint8_t out[AXD_ANN_MAX];
	struct axd_ann a;
	int rc;

	axd_ann_key((const uint8_t *) secret, sizeof(secret) - 1, key);
	if (size > 0 && (data[0] & 1) && size - 1 >= AXD_ANN_MAC &&
	    size - 1 <= sizeof(buf)) {
		/* Sign the body (all but the last 32 bytes) first. */
		struct axd_ann t;
		size_t body = size - 1 - AXD_ANN_MAC;

		memcpy(buf, data + 1, size - 1);
		memset(&t, 0, sizeof(t));
		if (body > AXD_ANN_HDR && body - AXD_ANN_HDR <= AXD_ANN_NAME_MAX) {
			memcpy(t.name, buf + AXD_ANN_HDR, body - AXD_ANN_HDR);
			t.port = (uint16_t) (buf[6] | buf[7] << 8);
			memcpy(&t.stamp, buf + 8, 8);
			memcpy(&t.nonce, buf + 16, 8);
			if (axd_ann_encode(&t, key, out, sizeof(out)) ==
			    (long) (size - 1)) {
				memcpy(buf + body, out + body, AXD_ANN_MAC);
			}
		}
		data = buf;
		size = size - 1;
	}
	rc = axd_ann_decode(data, size, key, &a);
	assert(rc == 0 || rc == -EBADMSG || rc == -EPERM);
	if (rc != 0) {
		return 0;
	}
	long n = axd_ann_encode(&a, key, out, sizeof(out));
	assert(n == (long) size);
	assert(memcmp(out, data, size) == 0);
	for (size_t cut = 0; cut < size; cut++) {
		struct axd_ann b;

		assert(axd_ann_decode(data, cut, key, &b) == -EBADMSG);
	}
	return 0;
}
