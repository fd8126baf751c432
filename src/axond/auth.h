/* SPDX-License-Identifier: MIT */
/*
 * The AUTH step of axond's session handshake (auth.c; wire.md): each
 * end proves the cluster secret with an HMAC over both ends' names and
 * fresh nonces (and, over TLS, the TLS session's exporter value), so a
 * proof cannot be replayed or relayed.
 */
#ifndef AXOND_AUTH_H
#define AXOND_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "axond.h"

/* The proof of s's end (mine) or of the peer's, into mac. */
void axd_auth_mac(struct axd_sess *s, bool mine, uint8_t mac[32]);
/* The peer's proof mac: 0 if right, else -1 (logged: the peer lacks
 * the secret). */
int axd_auth_check(struct axd_sess *s, const uint8_t mac[32]);

#endif /* AXOND_AUTH_H */
