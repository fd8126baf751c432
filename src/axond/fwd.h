/* SPDX-License-Identifier: MIT */
/*
 * What the two sides of forwarding share, for forward.c, fwd_client.c
 * and fwd_server.c only (their modules are in module.h).
 */
#ifndef AXOND_FWD_H
#define AXOND_FWD_H

#include "axond.h"

/* The bucket of id in the AXD_HASH tables of forwarding. */
static inline unsigned
hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	return x % AXD_HASH;
}

/* A pulse (event: false) or event from session s's node that this node
 * could not deliver, for err: counted, logged at most every 10 s. */
void axd_fwd_note_refused(bool event, const struct axd_sess *s, int err);

#endif /* AXOND_FWD_H */
