/* SPDX-License-Identifier: MIT */
/*
 * The discovery announcement (axond(8), "Discovery"; docs/design/
 * axond.md): the datagram a node sends to the discovery group or
 * broadcast address to say "node NAME takes sessions on PORT of the
 * address this comes from".  Pure: no I/O, no clock, no allocation.
 *
 * Layout (little-endian, like the session frames), 56 + name bytes:
 *
 *	0   4  magic "AXDA"
 *	4   1  version (1)
 *	5   1  name length n, 1 to 63
 *	6   2  port, 1 to 65535
 *	8   8  stamp: microseconds since the epoch (the sender's clock),
 *	       strictly increasing per sender
 *	16  8  nonce: random, drawn once per axond start
 *	24  n  name ([A-Za-z0-9_-])
 *	24+n 32 HMAC-SHA256(key, bytes 0 .. 24+n)
 *
 * The key is derived from the cluster secret with its own label
 * (axd_ann_key), never the secret itself, so that an announcement proves
 * the secret without revealing anything that keys sessions.  Nothing
 * follows the MAC: a longer datagram is malformed.
 */
#ifndef AXOND_ANNOUNCE_H
#define AXOND_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>

#define AXD_ANN_MAGIC    0x41445841u /* "AXDA" as read little-endian */
#define AXD_ANN_VERSION  1
#define AXD_ANN_NAME_MAX 63
#define AXD_ANN_HDR      24
#define AXD_ANN_MAC      32
#define AXD_ANN_MIN      (AXD_ANN_HDR + 1 + AXD_ANN_MAC)
#define AXD_ANN_MAX      (AXD_ANN_HDR + AXD_ANN_NAME_MAX + AXD_ANN_MAC)
#define AXD_ANN_KEY_LABEL "axon-discovery-key-1"

struct axd_ann {
	char name[AXD_ANN_NAME_MAX + 1]; /* NUL-terminated */
	uint16_t port;
	uint64_t stamp;
	uint64_t nonce;
};

/* The announcement key: HMAC-SHA256(secret, AXD_ANN_KEY_LABEL).  An
 * empty secret gives a key anyone can compute (the caller refuses that
 * unless told otherwise). */
void axd_ann_key(const uint8_t *secret, size_t len, uint8_t key[32]);

/* Encodes a, MAC'd with key, into buf.  Returns the length, -EINVAL if a
 * field is out of range (name not [A-Za-z0-9_-]{1,63}, port 0), or
 * -ENOSPC if cap is too small (AXD_ANN_MAX always suffices). */
long axd_ann_encode(const struct axd_ann *a, const uint8_t key[32],
    uint8_t *buf, size_t cap);

/* Decodes and checks a datagram of len bytes: every field, then the MAC
 * (in constant time).  Returns 0 with *ret set, -EBADMSG if it is
 * malformed (size, magic, version, name, port, trailing bytes), or
 * -EPERM if the MAC is wrong (another key: another cluster, or forged).
 * *ret is untouched on error. */
int axd_ann_decode(const uint8_t *buf, size_t len, const uint8_t key[32],
    struct axd_ann *ret);

/* 1 if stamp (µs) is within window_us of now_us either way, else 0. */
int axd_ann_fresh(uint64_t stamp, uint64_t now_us, uint64_t window_us);

#endif /* AXOND_ANNOUNCE_H */
