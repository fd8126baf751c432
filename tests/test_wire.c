/* SPDX-License-Identifier: MIT */
/*
 * The node-to-node wire format, pinned by golden frames: one frame of each
 * message type, as docs/design/wire.md specifies it.  A change to the
 * encoding fails here; change the spec, the version and these frames
 * together.
 */
#include "axon_test.h"

#include "wire.h"
#include "wire_frames.h"

static const struct {
	unsigned type;
	const char *hex;
} golden[] = {
	{1, "414e57310101000050000000000000000000000000000000000000000000000001000000010000008877665544332211616c7068610000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},
	{2, "414e573101020000200000000700000002010000000000000000000000000000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"},
	{3, "414e573101030000000000000700000002010000000000000000000000000000"},
	{4, "414e57310104000008000000070000000201000000000000000000000000000015cd5b0700000000"},
	{5, "414e57310105000008000000070000000201000000000000000000000000000015cd5b0700000000"},
	{6, "414e57310106000004000000070000000201000000000000000000000000000000000000"},
	{7, "414e57310107000004000000000000000000000000000000000000000000000003000000"},
	{8, "414e57310108030014010000000000000000000000000000000000000000000001000000921000000100000000007204bb427d1864656d6f2f7365727665720000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},
	{16, "414e573101100000680000000700000002010000000000000000000000000000921000000100000063000000e8030000e8030000e803000064000000640000006400000002000000640000001b0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},
	{17, "414e5731011100000c0000000700000002010000000000000000000000000000008000400a00000000200000"},
	{18, "414e57310112000004000000070000000201000000000000000000000000000003000000"},
	{19, "414e573101130000000000000700000002010000000000000000000000000000"},
	{20, "414e5731011403002000000007000000020100000000000000000000000000004d000000000000400a0000000c0000004000000068656c6c6f2c206e6f646500"},
	{21, "414e5731011503007c00000007000000020100000000000000000000000000004d000000000000400a0000000c0000004000000000000000feff00000000000000000000000000000000000001000000feff000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000068656c6c6f2c206e6f646500"},
	{22, "414e5731011603001c00000007000000020100000000000000000000000000002a00000000000000000000000c00000068656c6c6f2c206e6f646500"},
	{23, "414e57310117000004000000070000000201000000200000000000000000000000000100"},
	{24, "414e5731011800000c000000070000000201000000200000000000000000000068656c6c6f2c206e6f646500"},
	{25, "414e57310119000004000000070000000201000000000000000000000000000003000000"},
	{26, "414e5731011a00000c000000070000000201000000200000000000000000000068656c6c6f2c206e6f646500"},
	{27, "414e5731011b00000400000007000000020100000000000000000000000000006e000000"},
	{28, "414e5731011c00002000000007000000020100000000000000000000000000004d00000043000000000000000a0000000500000000000000d204000000000000"},
	{29, "414e5731011d00001000000007000000020100000000000000000000000000000a00000001000000ffffffffffffffff"},
	{30, "414e5731011e000004000000070000000201000000000000000000000000000003000000"},
	{31, "414e5731011f0000000000000700000002010000000000000000000000000000"},
	{40, "414e57310128000004000000000000000201000000000000000000000000000000000000"},
	{41, "414e5731012903001000000000000000020100000000000000000000000000000000000068656c6c6f2c206e6f646500"},
	{42, "414e5731012a0000000000000000000002010000000000000000000000000000"},
	{43, "414e5731012b03001000000000000000020100000000000000000000000000000000000068656c6c6f2c206e6f646500"},
	{44, "414e5731012c03007b00000007000000000000000000000000000000000000000200000001000000e8030000e8030000e803000064000000640000006400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002f746d70006563686f00686900504154483d2f62696e00"},
	{45, "414e5731012d00000800000007000000000000000000000000000000000000009310000000000000"},
	{46, "414e5731012e00001000000007000000000000000000000000000000000000000100000068656c6c6f2c206e6f646500"},
	{47, "414e5731012f00000800000007000000000000000000000000000000000000000100000000000100"},
	{48, "414e5731013000000800000007000000000000000000000000000000000000000300000000000000"},
	{49, "414e57310131000004000000070000000000000000000000000000000000000002000000"},
	{50, "414e57310132030014000000000000000201000000000000000000000000000001000000000000002f6465762f73616d706c6500"},
	{51, "414e57310133030012000000000000000201000000000000000000000000000000000000343234322031203320302030200a"},
	{52, "414e5731013400001000000002000000020100000000000000000000000000000100000005000000"
	     "0000000000000000"},
	{53, "414e57310135030011000000000000000201000000000000000000000000000000000000"
	     "6e6f772031206c6f737420300a"},
};

#define NGOLDEN (sizeof(golden) / sizeof(golden[0]))

static size_t
unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t) v;
	}
	return n;
}

START_TEST(test_golden_encode)
{
	uint8_t want[1024];
	uint8_t got[1024];

	for (size_t i = 0; i < NGOLDEN; i++) {
		struct axon_wire_frame f;
		size_t n = unhex(golden[i].hex, want);

		ck_assert_int_eq(wf_example(golden[i].type, &f), 0);
		ck_assert_int_eq(axon__wire_encode(&f, got, sizeof(got)),
		    (long) n);
		ck_assert_msg(memcmp(got, want, n) == 0, "type %u differs",
		    golden[i].type);
		/* Too small a buffer. */
		ck_assert_int_eq(axon__wire_encode(&f, got, n - 1), -ENOSPC);
	}
	/* 1..8, 16..31, 40..53 */
	ck_assert_int_eq(NGOLDEN, 8 + 16 + 14);
}
END_TEST

START_TEST(test_golden_decode)
{
	uint8_t buf[1100];

	for (size_t i = 0; i < NGOLDEN; i++) {
		struct axon_wire_frame f, ex;
		size_t n = unhex(golden[i].hex, buf);

		ck_assert_int_eq(wf_example(golden[i].type, &ex), 0);
		ck_assert_int_eq(axon__wire_decode(buf, n, &f), (long) n);
		ck_assert_uint_eq(f.type, ex.type);
		ck_assert_uint_eq(f.conn, ex.conn);
		ck_assert_uint_eq(f.msg, ex.msg);
		ck_assert_uint_eq(f.offset, ex.offset);
		ck_assert_uint_eq(f.data_len, ex.data_len);
		if (ex.data_len > 0) {
			ck_assert(memcmp(f.data, ex.data, ex.data_len) == 0);
		}
		/* Field by field, through the union. */
		f.data = ex.data;
		ck_assert(memcmp(&f.u, &ex.u, sizeof(f.u)) == 0);
		/* Any prefix asks for more; trailing bytes are left. */
		for (size_t cut = 0; cut < n; cut++) {
			ck_assert_int_eq(axon__wire_decode(buf, cut, &f), 0);
		}
		buf[n] = 0xaa;
		ck_assert_int_eq(axon__wire_decode(buf, n + 1, &f), (long) n);
	}
}
END_TEST

START_TEST(test_malformed_rejected)
{
	uint8_t buf[1100];
	struct axon_wire_frame f;
	size_t n = unhex(golden[0].hex, buf); /* HELLO */
	uint8_t copy[1100];

	/* Each header byte that must be exact. */
	size_t exact[] = {0, 1, 2, 3, 4, 24, 25, 26, 27, 28, 29, 30, 31};
	for (size_t k = 0; k < sizeof(exact) / sizeof(exact[0]); k++) {
		memcpy(copy, buf, n);
		copy[exact[k]] ^= 0x40;
		ck_assert_int_eq(axon__wire_decode(copy, n, &f), -EPROTO);
	}
	/* Unknown types and flags; a body length that does not fit. */
	memcpy(copy, buf, n);
	copy[5] = 7;
	ck_assert_int_eq(axon__wire_decode(copy, n, &f), -EPROTO);
	copy[5] = 200;
	ck_assert_int_eq(axon__wire_decode(copy, n, &f), -EPROTO);
	memcpy(copy, buf, n);
	copy[6] = 0x80;
	ck_assert_int_eq(axon__wire_decode(copy, n, &f), -EPROTO);
	memcpy(copy, buf, n);
	copy[8] = 0xff;
	copy[9] = 0xff;
	copy[10] = 0xff;
	ck_assert_int_eq(axon__wire_decode(copy, n, &f), -EPROTO);
	/* A node name without its NUL, or empty. */
	memcpy(copy, buf, n);
	memset(copy + 32 + 16, 'x', AXON_WIRE_NODE_NAME);
	ck_assert_int_eq(axon__wire_decode(copy, n, &f), -EPROTO);
	memcpy(copy, buf, n);
	copy[32 + 16] = 0;
	ck_assert_int_eq(axon__wire_decode(copy, n, &f), -EPROTO);

	/* Encoder refuses what the decoder would refuse. */
	struct axon_wire_frame bad;
	wf_example(AXON_W_PULSE, &bad);
	bad.u.pulse.code = 300;
	ck_assert_int_eq(axon__wire_encode(&bad, copy, sizeof(copy)), -EINVAL);
	wf_example(AXON_W_MSGSEND, &bad);
	bad.data_len = AXON_WIRE_MAX_DATA + 1;
	ck_assert_int_eq(axon__wire_encode(&bad, copy, sizeof(copy)), -EINVAL);
	wf_example(AXON_W_MSGSEND, &bad);
	bad.offset = 10; /* data beyond sbytes */
	ck_assert_int_eq(axon__wire_encode(&bad, copy, sizeof(copy)), -EINVAL);
	wf_example(AXON_W_CONNECT_CRED, &bad);
	bad.u.connect.cred.ngroups = AXON_WIRE_NGROUPS + 1;
	ck_assert_int_eq(axon__wire_encode(&bad, copy, sizeof(copy)), -EINVAL);
	/* The decoder rejects too many groups, and non-zero unused ones. */
	for (size_t i = 0; i < NGOLDEN; i++) {
		if (golden[i].type == AXON_W_CONNECT_CRED) {
			size_t m = unhex(golden[i].hex, copy);

			copy[32 + 12 + 24] = AXON_WIRE_NGROUPS + 1;
			ck_assert_int_eq(axon__wire_decode(copy, m, &f),
			    -EPROTO);
			unhex(golden[i].hex, copy);
			copy[32 + 12 + 28 + 4 * 5] = 1;
			ck_assert_int_eq(axon__wire_decode(copy, m, &f),
			    -EPROTO);
		}
	}
	wf_example(AXON_W_SERVER_GONE, &bad);
	bad.u.fail.err = 0; /* a server gone says why */
	ck_assert_int_eq(axon__wire_encode(&bad, copy, sizeof(copy)), -EINVAL);
	wf_example(AXON_W_SERVER_GONE, &bad);
	bad.conn = 0; /* and of which connection */
	ck_assert_int_eq(axon__wire_encode(&bad, copy, sizeof(copy)), -EINVAL);
	wf_example(AXON_W_UNBLOCK, &bad);
	bad.u.unblock.reason = 1;
	ck_assert_int_eq(axon__wire_encode(&bad, copy, sizeof(copy)), -EINVAL);
	/* SENDONLY goes with ETIMEDOUT only (a timeout for the SEND state
	 * alone); a signal is no timeout. */
	bad.u.unblock.reason = 110 | AXON_WIRE_SENDONLY;
	ck_assert_int_gt(axon__wire_encode(&bad, copy, sizeof(copy)), 0);
	ck_assert_int_eq(axon__wire_decode(copy, 36, &f), 36);
	ck_assert_int_eq(f.u.unblock.reason, 110 | AXON_WIRE_SENDONLY);
	bad.u.unblock.reason = 4 | AXON_WIRE_SENDONLY;
	ck_assert_int_eq(axon__wire_encode(&bad, copy, sizeof(copy)), -EINVAL);
	bad.u.unblock.reason = AXON_WIRE_SENDONLY;
	ck_assert_int_eq(axon__wire_encode(&bad, copy, sizeof(copy)), -EINVAL);
	/* RECEIVED names its connection and message. */
	wf_example(AXON_W_RECEIVED, &bad);
	bad.conn = 0;
	ck_assert_int_eq(axon__wire_encode(&bad, copy, sizeof(copy)), -EINVAL);
	wf_example(AXON_W_RECEIVED, &bad);
	bad.msg = 0;
	ck_assert_int_eq(axon__wire_encode(&bad, copy, sizeof(copy)), -EINVAL);
	bad.type = 99;
	ck_assert_int_eq(axon__wire_encode(&bad, copy, sizeof(copy)), -EINVAL);
}
END_TEST

/* The operator messages' own checks: names, spawn strings, ranges. */
START_TEST(test_operator_frames)
{
	static const char *bad_names[] = {"/a", "a/", "a//b", "..", "a/../b",
	    ".", "a/./b", "x\ty"};
	static const char *good_names[] = {"a", "a/b", "...", "a.b/c..d"};
	uint8_t entry[AXON_WIRE_NAME_ENTRY];
	uint8_t buf[2048];
	struct axon_wire_frame f, d;
	struct axon_wire_name n = {.pid = 1, .chid = 0};

	for (size_t i = 0; i < sizeof(good_names) / sizeof(*good_names); i++) {
		ck_assert_int_eq(wf_example(AXON_W_NAMES, &f), 0);
		strcpy(n.name, good_names[i]);
		axon__wire_name_put(entry, &n);
		f.data = entry;
		ck_assert_int_gt(axon__wire_encode(&f, buf, sizeof(buf)), 0);
		ck_assert_int_gt(axon__wire_decode(buf, sizeof(buf), &d), 0);
		ck_assert_int_eq(axon__wire_name_get(&d, 0, &n), 0);
		ck_assert_str_eq(n.name, good_names[i]);
		ck_assert_int_eq(axon__wire_name_get(&d, 1, &n), -EPROTO);
	}
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(*bad_names); i++) {
		long len;

		ck_assert_int_eq(wf_example(AXON_W_NAMES, &f), 0);
		strcpy(n.name, "ok");
		axon__wire_name_put(entry, &n);
		f.data = entry;
		len = axon__wire_encode(&f, buf, sizeof(buf));
		ck_assert_int_gt(len, 0);
		/* Patch the name in the encoded frame: the decoder refuses. */
		memset(buf + 32 + 4 + 16, 0, AXON_WIRE_NAME_LEN);
		memcpy(buf + 32 + 4 + 16, bad_names[i], strlen(bad_names[i]));
		ck_assert_msg(axon__wire_decode(buf, (size_t) len, &d) == -EPROTO,
		    "name %s accepted", bad_names[i]);
	}
	/* A count that does not match the data. */
	ck_assert_int_eq(wf_example(AXON_W_NAMES, &f), 0);
	f.u.names.count = 2;
	ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);

	/* SPAWN: exactly 1 + argc + envc strings, argv[0] not empty. */
	{
		static const uint8_t few[] = "/\0echo";
		static const uint8_t many[] = "/\0echo\0a\0b\0c";
		static const uint8_t empty0[] = "/\0\0a\0E=1";
		static const uint8_t unterminated[] = {'/', 0, 'e', 0, 'a', 0,
		    'E'};
		const char *v[4];

		ck_assert_int_eq(wf_example(AXON_W_SPAWN, &f), 0);
		ck_assert_int_eq(axon__wire_spawn_strings(&f, v), 0);
		ck_assert_str_eq(v[0], "/tmp");
		ck_assert_str_eq(v[1], "echo");
		ck_assert_str_eq(v[2], "hi");
		ck_assert_str_eq(v[3], "PATH=/bin");
		f.data = few;
		f.data_len = sizeof(few);
		ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
		f.data = many;
		f.data_len = sizeof(many);
		ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
		f.data = empty0;
		f.data_len = sizeof(empty0);
		ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
		f.data = unterminated;
		f.data_len = sizeof(unterminated);
		ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
	}
	/* Ranges. */
	ck_assert_int_eq(wf_example(AXON_W_STDIO, &f), 0);
	f.u.stdio.fd = 3;
	ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(wf_example(AXON_W_EXIT, &f), 0);
	f.u.exit.signo = 9;
	ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(wf_example(AXON_W_KILL, &f), 0);
	f.u.kill.signo = 0;
	ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(wf_example(AXON_W_PS_ANS, &f), 0);
	f.u.ans.err = 2;
	ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(wf_example(AXON_W_SPAWN_OK, &f), 0);
	f.u.spawned.err = 2;
	ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
}
END_TEST

/* PATH_REQ: one absolute path with its NUL last, no newline, a known
 * op; LIST has no file type.  Each malformed frame is refused by the
 * decoder (patched bytes) and by the encoder. */
START_TEST(test_path_frames)
{
	static const struct {
		const char *path;
		size_t len; /* with the NUL(s) */
	} bad[] = {
		{"dev/x", 6},          /* relative */
		{"/dev/x", 6},         /* no NUL */
		{"/dev\0x", 7},        /* a NUL inside */
		{"/dev/\nx", 8},       /* a newline: the answers are lines */
		{"\0", 1},             /* too short */
	};
	static uint8_t big[AXON_WIRE_PATH_MAX + 1];
	uint8_t buf[AXON_WIRE_HDR_SIZE + 256 + AXON_WIRE_PATH_MAX + 8];
	struct axon_wire_frame f, d;
	long n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(wf_example(AXON_W_PATH_REQ, &f), 0);
		f.data = (const uint8_t *) bad[i].path;
		f.data_len = (uint32_t) bad[i].len;
		ck_assert_msg(axon__wire_encode(&f, buf, sizeof(buf)) == -EINVAL,
		    "path %zu encoded", i);
		/* The same bytes in a frame made from a good one. */
		ck_assert_int_eq(wf_example(AXON_W_PATH_REQ, &f), 0);
		f.data = (const uint8_t *) "/abcdefghijklmn";
		f.data_len = (uint32_t) bad[i].len;
		if (bad[i].len >= 2) {
			char p[32];

			memset(p, 'a', sizeof(p));
			p[0] = '/';
			p[bad[i].len - 1] = '\0';
			f.data = (const uint8_t *) p;
			n = axon__wire_encode(&f, buf, sizeof(buf));
			ck_assert_int_gt(n, 0);
			memcpy(buf + n - bad[i].len, bad[i].path, bad[i].len);
			ck_assert_msg(axon__wire_decode(buf, (size_t) n, &d) ==
			    -EPROTO, "path %zu decoded", i);
		}
	}
	/* The longest path fits; one byte more does not. */
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	big[AXON_WIRE_PATH_MAX - 1] = '\0';
	ck_assert_int_eq(wf_example(AXON_W_PATH_REQ, &f), 0);
	f.data = big;
	f.data_len = AXON_WIRE_PATH_MAX;
	n = axon__wire_encode(&f, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(axon__wire_decode(buf, (size_t) n, &d), n);
	ck_assert_str_eq((const char *) d.data, (const char *) big);
	big[AXON_WIRE_PATH_MAX - 1] = 'a';
	big[AXON_WIRE_PATH_MAX] = '\0';
	f.data_len = AXON_WIRE_PATH_MAX + 1;
	ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
	/* Unknown op, LIST with a file type, msg 0, an offset. */
	ck_assert_int_eq(wf_example(AXON_W_PATH_REQ, &f), 0);
	f.u.path.op = 3;
	ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
	f.u.path.op = AXON_WIRE_PATH_LIST;
	f.u.path.ftype = 1;
	ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
	f.u.path.ftype = 0;
	ck_assert_int_gt(axon__wire_encode(&f, buf, sizeof(buf)), 0);
	f.u.path.op = AXON_WIRE_PATH_RESOLVE;
	f.u.path.ftype = 256;
	ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(wf_example(AXON_W_PATH_REQ, &f), 0);
	f.msg = 0;
	ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(wf_example(AXON_W_PATH_REQ, &f), 0);
	f.offset = 4;
	ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
	/* Patched op in an encoded frame. */
	ck_assert_int_eq(wf_example(AXON_W_PATH_REQ, &f), 0);
	n = axon__wire_encode(&f, buf, sizeof(buf));
	buf[AXON_WIRE_HDR_SIZE] = 9;
	ck_assert_int_eq(axon__wire_decode(buf, (size_t) n, &d), -EPROTO);
	ck_assert_int_eq(axon__wire_decode_head(buf, (size_t) n, &d), -EPROTO);
	/* PATH_ANS: an error carries no data. */
	ck_assert_int_eq(wf_example(AXON_W_PATH_ANS, &f), 0);
	f.u.ans.err = 2;
	ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
	f.data = NULL;
	f.data_len = 0;
	ck_assert_int_gt(axon__wire_encode(&f, buf, sizeof(buf)), 0);
}
END_TEST

/* TRACE_REQ: every field checked, both ways. */
START_TEST(test_trace_req)
{
	static const struct {
		uint32_t op, seconds;
		uint64_t since;
		uint32_t msg, offset;
		int ok;
	} cases[] = {
	    {AXON_WIRE_TRACE_START, 5, 0, 1, 0, 1},
	    {AXON_WIRE_TRACE_START, AXON_WIRE_TRACE_MAX_SEC, 0, 1, 0, 1},
	    {AXON_WIRE_TRACE_STOP, 0, 0, 1, 0, 1},
	    {AXON_WIRE_TRACE_STOP, 0, UINT64_MAX, 1, 0, 1},
	    {AXON_WIRE_TRACE_START, 0, 0, 1, 0, 0},
	    {AXON_WIRE_TRACE_START, AXON_WIRE_TRACE_MAX_SEC + 1, 0, 1, 0, 0},
	    {AXON_WIRE_TRACE_START, 5, 7, 1, 0, 0},
	    {AXON_WIRE_TRACE_STOP, 1, 0, 1, 0, 0},
	    {0, 0, 0, 1, 0, 0},
	    {3, 0, 0, 1, 0, 0},
	    {AXON_WIRE_TRACE_STOP, 0, 0, 0, 0, 0},
	    {AXON_WIRE_TRACE_STOP, 0, 0, 1, 4, 0},
	};
	uint8_t buf[256];
	struct axon_wire_frame f, d;
	long n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(wf_example(AXON_W_TRACE_REQ, &f), 0);
		f.u.trace.op = cases[i].op;
		f.u.trace.seconds = cases[i].seconds;
		f.u.trace.since = cases[i].since;
		f.msg = cases[i].msg;
		f.offset = cases[i].offset;
		n = axon__wire_encode(&f, buf, sizeof(buf));
		if (cases[i].ok) {
			ck_assert_int_eq(n, AXON_WIRE_HDR_SIZE + 16);
			ck_assert_int_eq(axon__wire_decode(buf, (size_t) n, &d),
			    n);
			ck_assert_uint_eq(d.u.trace.op, cases[i].op);
			ck_assert_uint_eq(d.u.trace.seconds, cases[i].seconds);
			ck_assert(d.u.trace.since == cases[i].since);
			continue;
		}
		ck_assert_int_eq(n, -EINVAL);
		/* The same fields patched into a good frame: refused. */
		ck_assert_int_eq(wf_example(AXON_W_TRACE_REQ, &f), 0);
		n = axon__wire_encode(&f, buf, sizeof(buf));
		ck_assert_int_gt(n, 0);
		/* (header: msg at 16, offset at 20; little-endian) */
		memcpy(buf + 16, &cases[i].msg, 4);
		memcpy(buf + 20, &cases[i].offset, 4);
		memcpy(buf + AXON_WIRE_HDR_SIZE, &cases[i].op, 4);
		memcpy(buf + AXON_WIRE_HDR_SIZE + 4, &cases[i].seconds, 4);
		memcpy(buf + AXON_WIRE_HDR_SIZE + 8, &cases[i].since, 8);
		ck_assert_int_eq(axon__wire_decode(buf, (size_t) n, &d),
		    -EPROTO);
	}
	/* TRACE_ANS: an error carries no data. */
	ck_assert_int_eq(wf_example(AXON_W_TRACE_ANS, &f), 0);
	f.u.ans.err = 2;
	ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
	f.data = NULL;
	f.data_len = 0;
	ck_assert_int_gt(axon__wire_encode(&f, buf, sizeof(buf)), 0);
	f.u.ans.err = -1;
	ck_assert_int_eq(axon__wire_encode(&f, buf, sizeof(buf)), -EINVAL);
}
END_TEST

START_TEST(test_max_chunk)
{
	static uint8_t data[AXON_WIRE_MAX_DATA];
	static uint8_t buf[AXON_WIRE_HDR_SIZE + AXON_WIRE_MAX_BODY];
	struct axon_wire_frame f, g;

	wf_example(AXON_W_MSGWRITE, &f);
	memset(data, 0x33, sizeof(data));
	f.data = data;
	f.data_len = sizeof(data);
	long n = axon__wire_encode(&f, buf, sizeof(buf));
	ck_assert_int_eq(n, AXON_WIRE_HDR_SIZE + AXON_WIRE_MAX_DATA);
	ck_assert_int_eq(axon__wire_decode(buf, (size_t) n, &g), n);
	ck_assert_uint_eq(g.data_len, AXON_WIRE_MAX_DATA);
	ck_assert_int_eq(axon__wire_errno_in(axon__wire_errno_out(ESRCH)),
	    ESRCH);
	ck_assert_int_eq(axon__wire_errno_in(-5), EIO);
}
END_TEST

static Suite *
wire_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = axt_tcase("codec", 10);

	tcase_add_test(tc, test_golden_encode);
	tcase_add_test(tc, test_golden_decode);
	tcase_add_test(tc, test_trace_req);
	tcase_add_test(tc, test_malformed_rejected);
	tcase_add_test(tc, test_max_chunk);
	tcase_add_test(tc, test_operator_frames);
	tcase_add_test(tc, test_path_frames);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(wire_suite());
}
