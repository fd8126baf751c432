/* SPDX-License-Identifier: MIT */
/* The discovery announcement codec (announce.h).  Pure: no I/O. */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "announce.h"
#include "le.h"

/* The one check of the fields, for encoding and decoding alike: 0 or
 * -1.  Node names are [A-Za-z0-9_-]{1,63} in bytes, not in the locale. */
static int
check(const struct axd_ann *a)
{
	size_t n = strnlen(a->name, sizeof(a->name));

	if (n == 0 || n > AXD_ANN_NAME_MAX || a->port == 0) {
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char c = a->name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-')) {
			return -1;
		}
	}
	return 0;
}

static int
mac(const uint8_t key[32], const uint8_t *buf, size_t len, uint8_t out[32])
{
	unsigned olen = 32;

	return HMAC(EVP_sha256(), key, 32, buf, len, out, &olen) != NULL &&
	    olen == 32 ? 0 : -1;
}

void
axd_ann_key(const uint8_t *secret, size_t len, uint8_t key[32])
{
	static const uint8_t none = 0;
	unsigned olen = 32;

	if (HMAC(EVP_sha256(), len > 0 ? secret : &none, (int) len,
		(const uint8_t *) AXD_ANN_KEY_LABEL,
		sizeof(AXD_ANN_KEY_LABEL) - 1, key, &olen) == NULL) {
		/* Cannot happen with SHA-256; a key of zeros then proves
		 * nothing and matches nobody's. */
		memset(key, 0, 32);
	}
}

long
axd_ann_encode(const struct axd_ann *a, const uint8_t key[32], uint8_t *buf,
    size_t cap)
{
	size_t n;

	if (check(a) < 0) {
		return -EINVAL;
	}
	n = strlen(a->name);
	if (cap < AXD_ANN_HDR + n + AXD_ANN_MAC) {
		return -ENOSPC;
	}
	put32(buf, AXD_ANN_MAGIC);
	buf[4] = AXD_ANN_VERSION;
	buf[5] = (uint8_t) n;
	put16(buf + 6, a->port);
	put64(buf + 8, a->stamp);
	put64(buf + 16, a->nonce);
	memcpy(buf + AXD_ANN_HDR, a->name, n);
	if (mac(key, buf, AXD_ANN_HDR + n, buf + AXD_ANN_HDR + n) < 0) {
		return -EINVAL;
	}
	return (long) (AXD_ANN_HDR + n + AXD_ANN_MAC);
}

int
axd_ann_decode(const uint8_t *buf, size_t len, const uint8_t key[32],
    struct axd_ann *ret)
{
	struct axd_ann a;
	uint8_t want[32];
	size_t n;

	if (len < AXD_ANN_MIN || len > AXD_ANN_MAX ||
	    get32(buf) != AXD_ANN_MAGIC || buf[4] != AXD_ANN_VERSION) {
		return -EBADMSG;
	}
	n = buf[5];
	if (len != AXD_ANN_HDR + n + AXD_ANN_MAC) {
		return -EBADMSG;
	}
	memset(&a, 0, sizeof(a));
	a.port = get16(buf + 6);
	a.stamp = get64(buf + 8);
	a.nonce = get64(buf + 16);
	memcpy(a.name, buf + AXD_ANN_HDR, n); /* n <= 63: AXD_ANN_MAX */
	if (check(&a) < 0 || strlen(a.name) != n) {
		return -EBADMSG;
	}
	if (mac(key, buf, AXD_ANN_HDR + n, want) < 0 ||
	    CRYPTO_memcmp(want, buf + AXD_ANN_HDR + n, AXD_ANN_MAC) != 0) {
		return -EPERM;
	}
	*ret = a;
	return 0;
}

int
axd_ann_fresh(uint64_t stamp, uint64_t now_us, uint64_t window_us)
{
	return stamp <= now_us ? now_us - stamp <= window_us
			       : stamp - now_us <= window_us;
}
