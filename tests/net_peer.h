/* SPDX-License-Identifier: MIT */
/*
 * A hand-made peer: raw TCP to a node's axond, frames encoded by the
 * test, and the HELLO/AUTH handshake done by hand, so that a test can
 * send what a real axond never would.  For test_names.c and
 * test_netfault.c.
 */
#ifndef AXON_TESTS_NET_PEER_H
#define AXON_TESTS_NET_PEER_H

#include "net_test.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "wire.h"

/* A TCP connection to node i's axond. */
static inline int
raw_connect(int i)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t) axn[i].port);
	ck_assert_int_eq(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	return fd;
}

static inline void
raw_send(int fd, const struct axon_wire_frame *f)
{
	static uint8_t b[AXON_WIRE_HDR_SIZE + AXON_WIRE_MAX_BODY];
	long n = axon__wire_encode(f, b, sizeof(b));

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(send(fd, b, (size_t) n, MSG_NOSIGNAL), n);
}

/* Authenticates to node i as "mallory", a peer that knows the (empty)
 * cluster secret of nodes that run without one, so it gets past the
 * handshake; returns the socket. */
static inline int
raw_peer(int i)
{
	static uint8_t in[1 << 18];
	const char *their = axn[i].name;
	struct axon_wire_frame f, h;
	uint8_t mac_in[256];
	uint64_t mine = 0x1234567890abcdefull;
	unsigned len = 32;
	size_t inl = 0;
	size_t n;
	int fd = raw_connect(i);
	int state = 0; /* 0: want HELLO, 1: want AUTH_OK */

	memset(&f, 0, sizeof(f));
	f.type = AXON_W_HELLO;
	f.u.hello.proto_min = f.u.hello.proto_max = AXON_WIRE_VERSION;
	f.u.hello.nonce = mine;
	strcpy(f.u.hello.node, "mallory");
	raw_send(fd, &f);
	while (state < 2) {
		long d = axon__wire_decode(in, inl, &h);

		if (d == 0) {
			struct pollfd pfd = {.fd = fd, .events = POLLIN};

			ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
			ssize_t r = recv(fd, in + inl, sizeof(in) - inl, 0);
			ck_assert_int_gt(r, 0);
			inl += (size_t) r;
			continue;
		}
		ck_assert_int_gt(d, 0);
		if (state == 0 && h.type == AXON_W_HELLO) {
			uint64_t pn = h.u.hello.nonce;

			memcpy(mac_in, "axon-auth-1", 11);
			n = 11;
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
			memset(&f, 0, sizeof(f));
			f.type = AXON_W_AUTH;
			HMAC(EVP_sha256(), "", 0, mac_in, n, f.u.auth.mac,
			    &len);
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
