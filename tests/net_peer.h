/* SPDX-License-Identifier: MIT */
/*
 * A hand-made peer: TCP to a node's axond, TLS 1.3 keyed from the
 * cluster secret as axond keys it (src/axond/link.c), frames encoded by
 * the test, and the HELLO/AUTH handshake done by hand, so that a test
 * can send what a real axond never would.  It plays "mallory", a node
 * that holds the cluster secret (a member gone bad).  For test_names.c,
 * test_netfault.c and test_tls.c.
 *
 * Every raw socket may carry TLS: raw_send, raw_recv and raw_write use
 * the socket's TLS state if raw_tls() made one, so tests read and write
 * the same way on both kinds.
 */
#ifndef AXON_TESTS_NET_PEER_H
#define AXON_TESTS_NET_PEER_H

#include "net_test.h"

#include <stdbool.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>

#include "wire.h"

#define RAW_FDS 1024
static SSL *raw_ssl[RAW_FDS];
static SSL_CTX *raw_ctx;
static unsigned char raw_psk[32];

/* A TCP connection to node i's axond. */
static inline int
raw_connect(int i)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_lt(fd, RAW_FDS);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t) axn[i].port);
	ck_assert_int_eq(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	raw_ssl[fd] = NULL;
	return fd;
}

/* Node i's cluster secret, as axond reads it (one newline stripped). */
static inline size_t
raw_secret(int i, uint8_t *buf, size_t cap)
{
	int fd = open(axn[i].secret, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, cap);
	close(fd);
	ck_assert_int_gt(n, 0);
	if (buf[n - 1] == '\n') {
		n--;
	}
	return (size_t) n;
}

static int
raw_psk_use(SSL *ssl, const EVP_MD *md, const unsigned char **id,
    size_t *idlen, SSL_SESSION **sessp)
{
	static const unsigned char suite[2] = {0x13, 0x01};
	SSL_SESSION *sess = SSL_SESSION_new();

	ck_assert_ptr_nonnull(sess);
	ck_assert(SSL_SESSION_set1_master_key(sess, raw_psk, 32));
	ck_assert(SSL_SESSION_set_cipher(sess, SSL_CIPHER_find(ssl, suite)));
	ck_assert(SSL_SESSION_set_protocol_version(sess, TLS1_3_VERSION));
	if (md != NULL && md != EVP_sha256()) {
		SSL_SESSION_free(sess);
		*sessp = NULL;
		return 1;
	}
	*id = (const unsigned char *) "axon-cluster-psk-1";
	*idlen = strlen("axon-cluster-psk-1");
	*sessp = sess;
	return 1;
}

/* Starts TLS on fd with node i's cluster key, as a dialling axond does.
 * Returns 0, or -1 if the node refused the handshake. */
static inline int
raw_tls(int fd, int i)
{
	uint8_t secret[4096];
	size_t n = raw_secret(i, secret, sizeof(secret));
	unsigned len = 32;
	SSL *ssl;
	int rc;

	if (raw_ctx == NULL) {
		raw_ctx = SSL_CTX_new(TLS_client_method());
		ck_assert_ptr_nonnull(raw_ctx);
		SSL_CTX_set_min_proto_version(raw_ctx, TLS1_3_VERSION);
		SSL_CTX_set_ciphersuites(raw_ctx, "TLS_AES_128_GCM_SHA256");
		SSL_CTX_set_psk_use_session_callback(raw_ctx, raw_psk_use);
	}
	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), secret, (int) n,
	    (const unsigned char *) "axon-tls-psk-1", 14, raw_psk, &len));
	ssl = SSL_new(raw_ctx);
	ck_assert_ptr_nonnull(ssl);
	ck_assert_int_eq(SSL_set_fd(ssl, fd), 1);
	rc = SSL_connect(ssl);
	ERR_clear_error();
	if (rc != 1) {
		SSL_free(ssl);
		return -1;
	}
	raw_ssl[fd] = ssl;
	return 0;
}

/* Writes all of b, bounded: false when the peer stopped taking it
 * (closed, or full for 2 s). */
static inline bool
raw_write(int fd, const void *b, size_t len)
{
	size_t o = 0;

	while (o < len) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		size_t k = 0;

		if (poll(&pfd, 1, 2000) != 1) {
			return false;
		}
		if (raw_ssl[fd] != NULL) {
			/* Blocking socket: SSL_write takes it all or fails. */
			if (SSL_write_ex(raw_ssl[fd], (const uint8_t *) b + o,
				len - o, &k) != 1) {
				ERR_clear_error();
				return false;
			}
		} else {
			ssize_t r = send(fd, (const uint8_t *) b + o, len - o,
			    MSG_NOSIGNAL | MSG_DONTWAIT);

			if (r < 0 && errno == EAGAIN) {
				continue;
			}
			if (r <= 0) {
				return false;
			}
			k = (size_t) r;
		}
		o += k;
	}
	return true;
}

/* Reads what is there: > 0 bytes, 0 at the end of the stream (or a TLS
 * failure), -1 with EAGAIN if nothing came within ms (0: do not wait). */
static inline ssize_t
raw_recv(int fd, void *b, size_t len, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	size_t k = 0;

	if ((raw_ssl[fd] == NULL || !SSL_has_pending(raw_ssl[fd])) &&
	    poll(&pfd, 1, ms) != 1) {
		errno = EAGAIN;
		return -1;
	}
	if (raw_ssl[fd] == NULL) {
		return recv(fd, b, len, 0);
	}
	/* Something is readable; SSL_read may still wait for the rest of a
	 * record, which a live axond sends whole. */
	if (SSL_read_ex(raw_ssl[fd], b, len, &k) != 1) {
		ERR_clear_error();
		return 0;
	}
	return (ssize_t) k;
}

static inline void
raw_close(int fd)
{
	if (fd >= 0 && fd < RAW_FDS && raw_ssl[fd] != NULL) {
		SSL_free(raw_ssl[fd]);
		raw_ssl[fd] = NULL;
	}
	close(fd);
}

static inline void
raw_send(int fd, const struct axon_wire_frame *f)
{
	static uint8_t b[AXON_WIRE_HDR_SIZE + AXON_WIRE_MAX_BODY];
	long n = axon__wire_encode(f, b, sizeof(b));

	ck_assert_int_gt(n, 0);
	ck_assert(raw_write(fd, b, (size_t) n));
}

/* Authenticates to node i as "mallory", a peer that holds the cluster
 * secret, so it gets past the handshake; returns the socket. */
static inline int
raw_peer(int i)
{
	static uint8_t in[1 << 18];
	const char *their = axn[i].name;
	struct axon_wire_frame f, h;
	uint8_t mac_in[256];
	uint8_t secret[4096];
	uint8_t bind[32];
	size_t slen = raw_secret(i, secret, sizeof(secret));
	uint64_t mine = 0x1234567890abcdefull;
	unsigned len = 32;
	size_t inl = 0;
	size_t n;
	int fd = raw_connect(i);
	int state = 0; /* 0: want HELLO, 1: want AUTH_OK */

	ck_assert_int_eq(raw_tls(fd, i), 0);
	ck_assert_int_eq(SSL_export_keying_material(raw_ssl[fd], bind, 32,
	    "EXPORTER-axon-auth-1", 20, NULL, 0, 0), 1);
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_HELLO;
	f.u.hello.proto_min = f.u.hello.proto_max = AXON_WIRE_VERSION;
	f.u.hello.nonce = mine;
	strcpy(f.u.hello.node, "mallory");
	raw_send(fd, &f);
	while (state < 2) {
		long d = axon__wire_decode(in, inl, &h);

		if (d == 0) {
			ssize_t r = raw_recv(fd, in + inl, sizeof(in) - inl,
			    5000);

			ck_assert_int_gt(r, 0);
			inl += (size_t) r;
			continue;
		}
		ck_assert_int_gt(d, 0);
		if (state == 0 && h.type == AXON_W_HELLO) {
			uint64_t pn = h.u.hello.nonce;

			memcpy(mac_in, "axon-auth-tls-1", 15);
			n = 15;
			mac_in[n++] = 'I';
			for (int k = 0; k < 8; k++) {
				mac_in[n++] = (uint8_t) (mine >> (8 * k));
			}
			for (int k = 0; k < 8; k++) {
				mac_in[n++] = (uint8_t) (pn >> (8 * k));
			}
			memcpy(mac_in + n, "mallory", 8);
			n += 8;
			memcpy(mac_in + n, their, strlen(their) + 1);
			n += strlen(their) + 1;
			memcpy(mac_in + n, bind, 32);
			n += 32;
			memset(&f, 0, sizeof(f));
			f.type = AXON_W_AUTH;
			HMAC(EVP_sha256(), secret, (int) slen, mac_in, n,
			    f.u.auth.mac, &len);
			raw_send(fd, &f);
			state = 1;
		} else if (state == 1 && h.type == AXON_W_AUTH_OK) {
			memset(&f, 0, sizeof(f));
			f.type = AXON_W_AUTH_OK;
			raw_send(fd, &f);
			state = 2;
		}
		memmove(in, in + d, inl - (size_t) d);
		inl -= (size_t) d;
	}
	return fd;
}

#endif /* AXON_TESTS_NET_PEER_H */
