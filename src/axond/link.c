/* SPDX-License-Identifier: MIT */
/*
 * The byte stream under a session: TLS 1.3 over the session's socket, or
 * the socket itself with --insecure (link.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "axond.h"
#include "link.h"

/* The PSK's identity, and the labels that derive keys from the secret:
 * a new version of either is a new label, never a reuse. */
#define PSK_IDENTITY  "axon-cluster-psk-1"
#define PSK_LABEL     "axon-tls-psk-1"
#define BIND_LABEL    "EXPORTER-axon-auth-1"

/* TLS_AES_128_GCM_SHA256, the PSK's cipher suite (RFC 8446 B.4). */
static const unsigned char psk_suite[2] = {0x13, 0x01};

static SSL_CTX *ctx;
static bool use_certs;
static unsigned char psk[32];

bool
axd_link_tls(void)
{
	return g.cfg.tls != 0;
}

static const char *
who(const struct axd_sess *s)
{
	return s->peer_name[0] != '\0' ? s->peer_name : "an unidentified peer";
}

/* OpenSSL's reason for the last failure on this thread, one line. */
static const char *
ssl_reason(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	if (e == 0) {
		snprintf(buf, len, "%s", errno != 0 ? strerror(errno)
						    : "connection closed");
	} else {
		ERR_error_string_n(e, buf, len);
	}
	ERR_clear_error();
	return buf;
}

static SSL_SESSION *
psk_session(SSL *ssl)
{
	const SSL_CIPHER *c = SSL_CIPHER_find(ssl, psk_suite);
	SSL_SESSION *sess = SSL_SESSION_new();

	if (c == NULL || sess == NULL ||
	    !SSL_SESSION_set1_master_key(sess, psk, sizeof(psk)) ||
	    !SSL_SESSION_set_cipher(sess, c) ||
	    !SSL_SESSION_set_protocol_version(sess, TLS1_3_VERSION)) {
		SSL_SESSION_free(sess);
		return NULL;
	}
	return sess;
}

/* Client side: offer the cluster PSK. */
static int
psk_use(SSL *ssl, const EVP_MD *md, const unsigned char **id,
    size_t *idlen, SSL_SESSION **sessp)
{
	SSL_SESSION *sess = psk_session(ssl);

	*sessp = NULL;
	if (sess == NULL) {
		return 0;
	}
	if (md != NULL &&
	    md != SSL_CIPHER_get_handshake_digest(SSL_SESSION_get0_cipher(sess))) {
		SSL_SESSION_free(sess); /* a suite the PSK cannot serve */
		return 1;
	}
	*id = (const unsigned char *) PSK_IDENTITY;
	*idlen = strlen(PSK_IDENTITY);
	*sessp = sess;
	return 1;
}

/* Server side: the cluster PSK, for its identity only. */
static int
psk_find(SSL *ssl, const unsigned char *id, size_t idlen,
    SSL_SESSION **sessp)
{
	*sessp = NULL;
	if (idlen != strlen(PSK_IDENTITY) ||
	    memcmp(id, PSK_IDENTITY, idlen) != 0) {
		return 1; /* no PSK: the handshake fails */
	}
	*sessp = psk_session(ssl);
	return *sessp != NULL;
}

/* The private key, read once through the key file's checks (what is
 * checked is what is used), then given to the context. */
static int
load_key(const char *path, char *err, size_t errlen)
{
	static unsigned char buf[65536];
	char why[256];
	long n = axond_key_load(path, buf, sizeof(buf), err, errlen);
	BIO *b;
	EVP_PKEY *k = NULL;
	int rc = -1;

	if (n < 0) {
		return -1;
	}
	b = BIO_new_mem_buf(buf, (int) n);
	if (b != NULL) {
		k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	}
	if (k == NULL || SSL_CTX_use_PrivateKey(ctx, k) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "key file %s: %s", path,
		    ssl_reason(why, sizeof(why)));
	} else {
		rc = 0;
	}
	EVP_PKEY_free(k);
	BIO_free(b);
	OPENSSL_cleanse(buf, (size_t) n);
	return rc;
}

/*
 * The key log (SSLKEYLOGFILE, NSS's format, as Wireshark reads it): only
 * when the operator asks, for debugging; whoever reads the file can
 * decrypt the sessions, so it is made 0600 and a warning says so.
 */
static FILE *keylog;

static void
keylog_line(const SSL *ssl, const char *line)
{
	(void) ssl;
	if (keylog != NULL) {
		fprintf(keylog, "%s\n", line);
		fflush(keylog);
	}
}

static int
keylog_open(char *err, size_t errlen)
{
	const char *path = getenv("SSLKEYLOGFILE");
	int fd;

	if (path == NULL || path[0] == '\0') {
		return 0;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0 || (keylog = fdopen(fd, "a")) == NULL) {
		snprintf(err, errlen, "SSLKEYLOGFILE %s: %s", path,
		    strerror(errno));
		if (fd >= 0) {
			(void) close(fd);
		}
		return -1;
	}
	SSL_CTX_set_keylog_callback(ctx, keylog_line);
	axd_log(AXD_WARN, "TLS keys are written to %s (SSLKEYLOGFILE): "
			  "whoever reads it can decrypt this node's sessions",
	    path);
	return 0;
}

int
axd_link_init(char *err, size_t errlen)
{
	const struct axond_config *c = &g.cfg;
	unsigned len = sizeof(psk);
	char why[256];

	if (!axd_link_tls()) {
		return 0;
	}
	use_certs = c->tls_cert[0] != '\0';
	ctx = SSL_CTX_new(TLS_method());
	if (ctx == NULL ||
	    !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(ctx, use_certs
		    ? "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
		      "TLS_CHACHA20_POLY1305_SHA256"
		    : "TLS_AES_128_GCM_SHA256")) {
		snprintf(err, errlen, "TLS: %s", ssl_reason(why, sizeof(why)));
		goto fail;
	}
	/* No tickets (sessions are long and resumption would only add a
	 * key to keep), kTLS where the kernel has it, writes that may
	 * stop between records and resume from a moved buffer (the
	 * session's output buffer grows behind a pending write). */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_ENABLE_KTLS |
	    SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* Read many records per recv(): axd_link_pending() tells the
	 * session what is held back. */
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_default_read_buffer_len(ctx, 1u << 17);
	if (keylog_open(err, errlen) < 0) {
		goto fail;
	}
	if (use_certs) {
		if (SSL_CTX_use_certificate_chain_file(ctx, c->tls_cert) != 1) {
			snprintf(err, errlen, "certificate %s: %s",
			    c->tls_cert, ssl_reason(why, sizeof(why)));
			goto fail;
		}
		if (load_key(c->tls_key, err, errlen) < 0) {
			goto fail;
		}
		if (SSL_CTX_load_verify_locations(ctx, c->tls_ca, NULL) != 1) {
			snprintf(err, errlen, "CA %s: %s", c->tls_ca,
			    ssl_reason(why, sizeof(why)));
			goto fail;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
		    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	} else {
		if (g.secret_len == 0) {
			snprintf(err, errlen, "TLS needs --secret-file, or "
			    "--cert, --key and --ca (or --insecure)");
			goto fail;
		}
		/* The PSK is derived, so that the secret file's bytes are
		 * never a key of their own. */
		if (HMAC(EVP_sha256(), g.secret, (int) g.secret_len,
			(const unsigned char *) PSK_LABEL, strlen(PSK_LABEL),
			psk, &len) == NULL) {
			snprintf(err, errlen, "TLS: cannot derive the key");
			goto fail;
		}
		SSL_CTX_set_psk_use_session_callback(ctx, psk_use);
		SSL_CTX_set_psk_find_session_callback(ctx, psk_find);
	}
	return 0;
fail:
	SSL_CTX_free(ctx);
	ctx = NULL;
	return -1;
}

void
axd_link_fini(void)
{
	SSL_CTX_free(ctx);
	ctx = NULL;
	OPENSSL_cleanse(psk, sizeof(psk));
}

int
axd_link_start(struct axd_sess *s)
{
	if (!axd_link_tls()) {
		return 0;
	}
	s->ssl = SSL_new(ctx);
	if (s->ssl == NULL || SSL_set_fd(s->ssl, s->fd) != 1) {
		SSL_free(s->ssl);
		s->ssl = NULL;
		ERR_clear_error();
		return -ENOMEM;
	}
	if (s->outgoing) {
		SSL_set_connect_state(s->ssl);
	} else {
		SSL_set_accept_state(s->ssl);
	}
	return 0;
}

int
axd_link_handshake(struct axd_sess *s)
{
	char why[256];
	int rc;

	if (s->ssl == NULL) {
		return 1;
	}
	ERR_clear_error();
	errno = 0;
	rc = SSL_do_handshake(s->ssl);
	if (rc == 1) {
		s->link_want_write = false;
		/* With kTLS the kernel encrypts what is written to the
		 * socket: the session may then send large data from where
		 * it lies, as on a plain session. */
		s->ktls_tx = BIO_get_ktls_send(SSL_get_wbio(s->ssl)) > 0;
		return 1;
	}
	switch (SSL_get_error(s->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		s->link_want_write = false;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		s->link_want_write = true;
		return 0;
	default:
		axd_log(AXD_WARN, "TLS handshake with %s failed (another "
		    "secret or CA, or a node running --insecure?): %s", who(s),
		    ssl_reason(why, sizeof(why)));
		return -EPROTO;
	}
}

/* Maps a failed SSL_read/SSL_write. */
static ssize_t
io_error(struct axd_sess *s, int rc, const char *what)
{
	char why[256];
	int e = errno;

	switch (SSL_get_error(s->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		ERR_clear_error();
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		ERR_clear_error();
		return 0;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		return e != 0 ? -e : 0;
	default:
		/* A record that fails its check: bytes injected, replayed or
		 * altered in flight, or a peer that is not one of ours. */
		axd_log(AXD_WARN, "TLS %s with %s refused: %s", what, who(s),
		    ssl_reason(why, sizeof(why)));
		return -EBADMSG;
	}
}

ssize_t
axd_link_recv(struct axd_sess *s, void *buf, size_t len)
{
	size_t n = 0;
	int rc;

	if (s->ssl == NULL) {
		ssize_t r = recv(s->fd, buf, len, MSG_DONTWAIT);

		return r >= 0 ? r
		    : errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
	ERR_clear_error();
	errno = 0;
	rc = SSL_read_ex(s->ssl, buf, len, &n);
	return rc == 1 ? (ssize_t) n : io_error(s, rc, "input");
}

ssize_t
axd_link_recv2(struct axd_sess *s, void *buf, size_t len, void *more,
    size_t more_len)
{
	struct iovec iov[2] = {{buf, len}, {more, more_len}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};

	if (s->ssl != NULL || more_len == 0) {
		return axd_link_recv(s, buf, len);
	}
	ssize_t r = recvmsg(s->fd, &mh, MSG_DONTWAIT);

	return r >= 0 ? r : errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

ssize_t
axd_link_send(struct axd_sess *s, const void *buf, size_t len)
{
	size_t n = 0;
	int rc;

	if (s->ssl == NULL) {
		ssize_t r = send(s->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		return r >= 0 ? r
		    : errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
	if (len == 0) {
		return 0;
	}
	ERR_clear_error();
	errno = 0;
	rc = SSL_write_ex(s->ssl, buf, len, &n);
	return rc == 1 ? (ssize_t) n : io_error(s, rc, "output");
}

bool
axd_link_pending(const struct axd_sess *s)
{
	return s->ssl != NULL && SSL_has_pending(s->ssl);
}

int
axd_link_binding(struct axd_sess *s, uint8_t out[32])
{
	if (s->ssl == NULL) {
		return -ENOTCONN;
	}
	if (SSL_export_keying_material(s->ssl, out, 32, BIND_LABEL,
		strlen(BIND_LABEL), NULL, 0, 0) != 1) {
		ERR_clear_error();
		return -EPROTO;
	}
	return 0;
}

int
axd_link_check_peer(struct axd_sess *s, const char *node)
{
	X509 *cert;
	int ok;

	if (s->ssl == NULL || !use_certs) {
		return 0;
	}
	cert = SSL_get1_peer_certificate(s->ssl);
	ok = cert != NULL && X509_check_host(cert, node, strlen(node),
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1;
	X509_free(cert);
	ERR_clear_error();
	if (!ok) {
		axd_log(AXD_WARN, "node %s refused: its certificate does not "
		    "name it", node);
		return -EACCES;
	}
	return 0;
}

void
axd_link_close(struct axd_sess *s)
{
	if (s->ssl == NULL) {
		return;
	}
	if (SSL_is_init_finished(s->ssl)) {
		(void) SSL_shutdown(s->ssl);
	}
	ERR_clear_error();
	SSL_free(s->ssl);
	s->ssl = NULL;
}

const char *
axd_link_describe(const struct axd_sess *s, char *buf, size_t len)
{
	BIO *w, *r;

	if (s->ssl == NULL) {
		snprintf(buf, len, "insecure");
		return buf;
	}
	w = SSL_get_wbio(s->ssl);
	r = SSL_get_rbio(s->ssl);
	snprintf(buf, len, "%s %s %s, kTLS %s", SSL_get_version(s->ssl),
	    SSL_get_cipher_name(s->ssl), use_certs ? "certificates" : "psk",
	    BIO_get_ktls_send(w) && BIO_get_ktls_recv(r) ? "tx/rx"
	    : BIO_get_ktls_send(w)			   ? "tx"
	    : BIO_get_ktls_recv(r)			   ? "rx"
							   : "off");
	return buf;
}
