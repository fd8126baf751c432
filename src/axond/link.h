/* SPDX-License-Identifier: MIT */
/*
 * The byte stream under a session (docs/design/axond.md, "Encryption"):
 * TLS 1.3 from OpenSSL, the default, or plain TCP behind --insecure.
 *
 * TLS is keyed from the cluster secret (an external PSK derived from it,
 * with an ephemeral (EC)DHE share, so a recorded session stays secret
 * even if the secret leaks later) or, with --cert/--key/--ca, from
 * certificates signed by the cluster's CA, each naming its node.  Every
 * byte of a session after the TCP connect is then encrypted and
 * authenticated: a frame injected, replayed or altered in flight fails
 * the record's check and ends the session.
 *
 * Everything here runs on the main loop and never blocks: the socket is
 * non-blocking, and "would block" comes back as -EAGAIN.  kTLS is asked
 * for (SSL_OP_ENABLE_KTLS); OpenSSL uses it where the kernel offers it,
 * and axd_link_describe() says whether it did.  With kTLS for sending
 * (s->ktls_tx), what the session writes to the socket itself is
 * encrypted by the kernel, so large data goes out from where it lies
 * (session.c's direct send) as on a plain session.
 */
#ifndef AXOND_LINK_H
#define AXOND_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct axd_sess;

/* Builds the TLS context from g.cfg and the loaded secret (g.secret): a
 * PSK context, or a certificate context (loads and checks cert, key and
 * CA).  Nothing to do with --insecure.  Returns 0, or -1 with a one-line
 * message in err. */
int axd_link_init(char *err, size_t errlen);
void axd_link_fini(void);

/* true unless the node runs --insecure. */
bool axd_link_tls(void);

/* A session's TCP connection is up (dialled or accepted): starts its TLS
 * state.  Returns 0 or -ENOMEM; plain sessions need nothing. */
int axd_link_start(struct axd_sess *s);

/* Drives the TLS handshake.  Returns 1 when done, 0 while it waits
 * (s->link_want_write says whether it waits to write), or -EPROTO when
 * it failed (the reason is logged: a wrong secret, an unknown CA, bytes
 * that are not TLS). */
int axd_link_handshake(struct axd_sess *s);

/* Like recv/send on the session's socket: bytes moved (> 0), 0 at the
 * end of the stream (recv), -EAGAIN when it would block, -EBADMSG when a
 * TLS record fails its check (logged: injected, replayed or altered
 * bytes), or another -errno. */
ssize_t axd_link_recv(struct axd_sess *s, void *buf, size_t len);
/* As axd_link_recv, into buf, then (a plain session: in the same
 * system call) into more; returns the bytes in all (more's after
 * buf's, only once buf is full).  TLS fills buf only. */
ssize_t axd_link_recv2(struct axd_sess *s, void *buf, size_t len,
    void *more, size_t more_len);
ssize_t axd_link_send(struct axd_sess *s, const void *buf, size_t len);

/* true if TLS holds bytes read from the socket and not yet returned by
 * axd_link_recv (the socket may then be empty). */
bool axd_link_pending(const struct axd_sess *s);

/* 32 bytes that only the two ends of this TLS session know (an RFC 8446
 * exporter), mixed into the AUTH proof so that it is bound to this
 * session.  Returns 0, or -ENOTCONN for a plain session. */
int axd_link_binding(struct axd_sess *s, uint8_t out[32]);

/* With certificates: 0 if the peer's certificate names node (its DNS
 * subject alternative names, else its common name), else -EACCES
 * (logged).  0 without certificates. */
int axd_link_check_peer(struct axd_sess *s, const char *node);

/* Sends TLS's close_notify if it can without blocking, and frees the
 * session's TLS state.  The caller closes the socket. */
void axd_link_close(struct axd_sess *s);

/* "TLSv1.3 TLS_AES_128_GCM_SHA256 psk, kTLS tx/rx" or "insecure". */
const char *axd_link_describe(const struct axd_sess *s, char *buf,
    size_t len);

#endif /* AXOND_LINK_H */
