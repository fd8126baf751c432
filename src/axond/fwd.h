/* SPDX-License-Identifier: MIT */
/*
 * What the two sides of forwarding share, for forward.c, fwd_client.c
 * and fwd_server.c only (the session layer and main.c use forward.h).
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

/* fwd_client.c: the client side.  Its frames (axd_fwdc_frame: EPROTO
 * for a type not its own), receiving a reply in place, a session up
 * (messages waiting for it go) and gone (messages on it fail). */
int axd_fwdc_start(void);
void axd_fwdc_stop(void);
int axd_fwdc_frame(struct axd_sess *s, const struct axon_wire_frame *f);
uint8_t *axd_fwdc_sink(struct axd_sess *s, const struct axon_wire_frame *h,
    void **ret_ref, int *ret_kind);
void axd_fwdc_session_up(struct axd_sess *s);
void axd_fwdc_session_gone(struct axd_sess *s, int err);

/* fwd_server.c: the server side, the same for the virtual clients of
 * another node's clients (a session gone closes its connections). */
int axd_fwds_start(void);
int axd_fwds_frame(struct axd_sess *s, const struct axon_wire_frame *f);
uint8_t *axd_fwds_sink(struct axd_sess *s, const struct axon_wire_frame *h,
    void **ret_ref, int *ret_kind);
void axd_fwds_session_gone(struct axd_sess *s);

#endif /* AXOND_FWD_H */
