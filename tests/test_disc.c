/* SPDX-License-Identifier: MIT */
/*
 * The discovery announcement codec (src/axond/announce.c), pinned by
 * golden bytes computed independently (Python's hmac over the layout of
 * announce.h), and its refusals: every malformed field, a wrong key, a
 * stamp out of the window.
 */
#include "axon_test.h"

#include "announce.h"

/* Key of the secret "cluster-secret"; the announcement of alpha, port
 * 7001, stamp 0x0006123456789abc, nonce 0x1122334455667788. */
static const char golden_key[] =
    "53299e5a7ac742a0962d9060d5e840d30bc03cb4a3e7953d1baa9b5c691646da";
static const char golden[] =
    "415844410105591bbc9a7856341206008877665544332211616c70686100ee455d"
    "814bbd92e9a28c889914a132dad3a081d199ea6581742b72e1841eea";

static size_t
unhex(const char *h, uint8_t *out)
{
	size_t n = strlen(h) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		ck_assert_int_eq(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t) v;
	}
	return n;
}

static void
example(struct axd_ann *a)
{
	memset(a, 0, sizeof(*a));
	strcpy(a->name, "alpha");
	a->port = 7001;
	a->stamp = 0x0006123456789abcull;
	a->nonce = 0x1122334455667788ull;
}

static void
key_of(const char *secret, uint8_t key[32])
{
	axd_ann_key((const uint8_t *) secret, strlen(secret), key);
}

START_TEST(test_key)
{
	uint8_t key[32], want[32], other[32];

	key_of("cluster-secret", key);
	unhex(golden_key, want);
	ck_assert(memcmp(key, want, 32) == 0);
	/* Another secret, another key; the key is not the secret. */
	key_of("cluster-secreT", other);
	ck_assert(memcmp(key, other, 32) != 0);
	ck_assert(memcmp(key, "cluster-secret", 14) != 0);
}
END_TEST

START_TEST(test_golden_encode)
{
	uint8_t key[32], want[AXD_ANN_MAX], buf[AXD_ANN_MAX];
	struct axd_ann a;
	size_t n = unhex(golden, want);

	key_of("cluster-secret", key);
	example(&a);
	ck_assert_int_eq(axd_ann_encode(&a, key, buf, sizeof(buf)), (long) n);
	ck_assert(memcmp(buf, want, n) == 0);
	/* Too small a buffer. */
	ck_assert_int_eq(axd_ann_encode(&a, key, buf, n - 1), -ENOSPC);
}
END_TEST

START_TEST(test_golden_decode)
{
	uint8_t key[32], buf[AXD_ANN_MAX];
	struct axd_ann a, ex;
	size_t n = unhex(golden, buf);

	key_of("cluster-secret", key);
	example(&ex);
	ck_assert_int_eq(axd_ann_decode(buf, n, key, &a), 0);
	ck_assert_str_eq(a.name, ex.name);
	ck_assert_uint_eq(a.port, ex.port);
	ck_assert_uint_eq(a.stamp, ex.stamp);
	ck_assert_uint_eq(a.nonce, ex.nonce);
}
END_TEST

START_TEST(test_roundtrip_limits)
{
	uint8_t key[32], buf[AXD_ANN_MAX];
	struct axd_ann a, b;
	long n;

	key_of("k", key);
	example(&a);
	memset(a.name, 'z', AXD_ANN_NAME_MAX);
	a.name[AXD_ANN_NAME_MAX] = '\0';
	a.port = 65535;
	a.stamp = UINT64_MAX;
	n = axd_ann_encode(&a, key, buf, sizeof(buf));
	ck_assert_int_eq(n, AXD_ANN_MAX);
	ck_assert_int_eq(axd_ann_decode(buf, (size_t) n, key, &b), 0);
	ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
	strcpy(a.name, "a_-Z9");
	n = axd_ann_encode(&a, key, buf, sizeof(buf));
	ck_assert_int_eq(n, AXD_ANN_HDR + 5 + AXD_ANN_MAC);
	ck_assert_int_eq(axd_ann_decode(buf, (size_t) n, key, &b), 0);
	ck_assert_str_eq(b.name, "a_-Z9");
}
END_TEST

START_TEST(test_encode_refuses)
{
	uint8_t key[32], buf[AXD_ANN_MAX];
	struct axd_ann a;
	static const char *const bad[] = {"", "a b", "a.b", "a/b", "\xc3\xa9"};

	key_of("k", key);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		example(&a);
		strcpy(a.name, bad[i]);
		ck_assert_int_eq(axd_ann_encode(&a, key, buf, sizeof(buf)),
		    -EINVAL);
	}
	example(&a);
	a.port = 0;
	ck_assert_int_eq(axd_ann_encode(&a, key, buf, sizeof(buf)), -EINVAL);
}
END_TEST

/* Decodes buf after one change; the result must be err and *out
 * untouched. */
static void
decode_fails(const uint8_t *buf, size_t n, const uint8_t key[32], int err,
    const char *what)
{
	struct axd_ann out;

	memset(&out, 0x5a, sizeof(out));
	ck_assert_msg(axd_ann_decode(buf, n, key, &out) == err, "%s", what);
	for (size_t i = 0; i < sizeof(out); i++) {
		ck_assert(((uint8_t *) &out)[i] == 0x5a);
	}
}

START_TEST(test_malformed)
{
	uint8_t key[32], good[AXD_ANN_MAX + 8], buf[AXD_ANN_MAX + 8];
	size_t n = unhex(golden, good);

	key_of("cluster-secret", key);
	/* Every truncation, and one byte more. */
	for (size_t cut = 0; cut < n; cut++) {
		decode_fails(good, cut, key, -EBADMSG, "truncated");
	}
	memcpy(buf, good, n);
	buf[n] = 0;
	decode_fails(buf, n + 1, key, -EBADMSG, "trailing byte");
	/* Magic, version. */
	memcpy(buf, good, n);
	buf[0] ^= 1;
	decode_fails(buf, n, key, -EBADMSG, "magic");
	memcpy(buf, good, n);
	buf[4] = 2;
	decode_fails(buf, n, key, -EBADMSG, "version");
	/* A name length that disagrees with the size, or is 0 or 64. */
	memcpy(buf, good, n);
	buf[5] = 4;
	decode_fails(buf, n, key, -EBADMSG, "name length");
	buf[5] = 0;
	decode_fails(buf, n, key, -EBADMSG, "name length 0");
	/* A name byte that is no node name's (NUL, blank, dot, 0x80+). */
	static const uint8_t badc[] = {0, ' ', '.', '/', 0x80, 0xff};
	for (size_t i = 0; i < sizeof(badc); i++) {
		memcpy(buf, good, n);
		buf[AXD_ANN_HDR + 2] = badc[i];
		decode_fails(buf, n, key, -EBADMSG, "name byte");
	}
	/* Port 0. */
	memcpy(buf, good, n);
	buf[6] = buf[7] = 0;
	decode_fails(buf, n, key, -EBADMSG, "port 0");
	/* Any other byte changed: the MAC says no. */
	for (size_t i = 6; i < n; i++) {
		if (i >= AXD_ANN_HDR && i < AXD_ANN_HDR + 5) {
			continue; /* name bytes: see above */
		}
		memcpy(buf, good, n);
		buf[i] ^= 0x01;
		decode_fails(buf, n, key, -EPERM, "altered"); /* (port
							       * stays > 0) */
	}
	/* Another cluster's key. */
	uint8_t other[32];
	key_of("another cluster", other);
	decode_fails(good, n, other, -EPERM, "wrong key");
}
END_TEST

START_TEST(test_fresh)
{
	uint64_t now = 1700000000000000ull, w = 30000000ull;

	ck_assert(axd_ann_fresh(now, now, w));
	ck_assert(axd_ann_fresh(now - w, now, w));
	ck_assert(axd_ann_fresh(now + w, now, w));
	ck_assert(!axd_ann_fresh(now - w - 1, now, w));
	ck_assert(!axd_ann_fresh(now + w + 1, now, w));
	ck_assert(!axd_ann_fresh(0, now, w));
	ck_assert(!axd_ann_fresh(UINT64_MAX, now, w));
}
END_TEST

static Suite *
disc_suite(void)
{
	Suite *s = suite_create("disc");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, test_key);
	tcase_add_test(tc, test_golden_encode);
	tcase_add_test(tc, test_golden_decode);
	tcase_add_test(tc, test_roundtrip_limits);
	tcase_add_test(tc, test_encode_refuses);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_fresh);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(disc_suite());
}
