/* SPDX-License-Identifier: MIT */
/* axond: the AUTH proof of the session handshake (auth.h). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth.h"
#include "link.h"

/* HMAC-SHA256(secret, "axon-auth-1", role, the initiator's nonce and
 * name, the acceptor's nonce and name): proves the secret, binds both
 * ends and both fresh nonces, so it cannot be replayed.  Over TLS the
 * label is "axon-auth-tls-1" and the TLS session's exporter value
 * follows: the proof is then bound to this TLS session too, and a
 * cluster keyed by certificates alone (no secret) still gets one. */
void
axd_auth_mac(struct axd_sess *s, bool mine, uint8_t mac[32])
{
	uint8_t buf[256];
	uint8_t bind[32];
	bool tls = axd_link_binding(s, bind) == 0;
	size_t n = 0;
	bool from_initiator = mine ? s->outgoing : !s->outgoing;
	uint64_t ni = s->outgoing ? s->nonce : s->peer_nonce;
	uint64_t na = s->outgoing ? s->peer_nonce : s->nonce;
	const char *name_i = s->outgoing ? g.cfg.node : s->peer_name;
	const char *name_a = s->outgoing ? s->peer_name : g.cfg.node;
	unsigned len = 32;

	if (tls) {
		memcpy(buf, "axon-auth-tls-1", 15);
		n = 15;
	} else {
		memcpy(buf, "axon-auth-1", 11);
		n = 11;
	}
	buf[n++] = from_initiator ? 'I' : 'A';
	for (int i = 0; i < 8; i++) {
		buf[n++] = (uint8_t) (ni >> (8 * i));
	}
	for (int i = 0; i < 8; i++) {
		buf[n++] = (uint8_t) (na >> (8 * i));
	}
	memcpy(buf + n, name_i, strlen(name_i) + 1);
	n += strlen(name_i) + 1;
	memcpy(buf + n, name_a, strlen(name_a) + 1);
	n += strlen(name_a) + 1;
	if (tls) {
		memcpy(buf + n, bind, sizeof(bind));
		n += sizeof(bind);
	}
	if (HMAC(EVP_sha256(), g.secret, (int) g.secret_len, buf, n, mac,
		&len) == NULL) {
		memset(mac, 0, 32);
	}
	OPENSSL_cleanse(bind, sizeof(bind));
}

/* AUTH from the peer: its mac proves the secret (auth.h). */
int
axd_auth_check(struct axd_sess *s, const uint8_t mac[32])
{
	uint8_t want[32];

	axd_auth_mac(s, false, want);
	if (CRYPTO_memcmp(want, mac, 32) != 0) {
		axd_log(AXD_WARN,
		    "node %s refused: it does not have our cluster "
		    "secret", s->peer_name);
		return -1;
	}
	return 0;
}
