/* SPDX-License-Identifier: MIT */
/*
 * SipHash-2-4, the keyed hash of MsgKeyData() (keydata.c), incremental:
 * init with a 16-byte key, update with any number of byte runs, final
 * gives the 64-bit result of their concatenation (as the reference
 * implementation's siphash() of it).  Pure; tests check it against the
 * paper's test vector.
 */
#ifndef AXON_KEYDATA_H
#define AXON_KEYDATA_H

#include <stddef.h>
#include <stdint.h>

struct axon_sip {
	uint64_t v[4];
	uint64_t len;
	uint8_t buf[8];
	unsigned nbuf;
};

void axon__sip_init(struct axon_sip *s, const uint8_t key[16]);
void axon__sip_update(struct axon_sip *s, const void *data, size_t n);
uint64_t axon__sip_final(struct axon_sip *s);

#endif /* AXON_KEYDATA_H */
