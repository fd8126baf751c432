/* SPDX-License-Identifier: MIT */
/*
 * axon-fs's check of a helper's reply (src/fs/fsproto.c): a helper runs
 * as the Linux caller it serves, so a compromised or broken one must
 * not make the bridge hand the kernel more bytes than it received (the
 * bridge's own memory: a read's count was used as the reply's length
 * whatever the helper had sent), a count larger than was asked, a
 * status that is neither a count nor an errno, or an answer of the
 * wrong shape.  The real decoder, driven with every kind of bad header;
 * fuzzed by tests/fuzz/fuzz_fsproto.c.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sys/stat.h>

#include "axon_test.h"

#include "../src/fs/fsproto.h"

static int
check(uint32_t op, uint64_t want, uint64_t len, int64_t rc, uint64_t rlen,
    size_t outcap)
{
	struct fs_req q = {.op = op, .want = want, .len = len};
	struct fs_rep p = {.rc = rc, .len = rlen};

	return axon__fs_rep_check(&q, &p, outcap);
}

/* What a helper running fs_run() answers: accepted. */
START_TEST(test_rep_good)
{
	ck_assert_int_eq(check(OP_READ, 4096, 0, 4096, 4096, 4096), 0);
	ck_assert_int_eq(check(OP_READ, 4096, 0, 10, 10, 4096), 0);
	ck_assert_int_eq(check(OP_READ, 4096, 0, 0, 0, 4096), 0); /* EOF */
	ck_assert_int_eq(check(OP_WRITE, 0, 100, 100, 0, 0), 0);
	ck_assert_int_eq(check(OP_WRITE, 0, 100, 3, 0, 0), 0);
	ck_assert_int_eq(check(OP_OPEN, 0, 5, 0x40000003, 0, 0), 0);
	ck_assert_int_eq(check(OP_LSEEK, 0, 0, 0, 0, 0), 0);
	ck_assert_int_eq(check(OP_LSEEK, 0, 0, INT64_MAX, 0, 0), 0);
	ck_assert_int_eq(check(OP_STAT, 0, 0, 0, sizeof(struct stat),
	    sizeof(struct stat)), 0);
	ck_assert_int_eq(check(OP_PATHSTAT, 0, 5, 0, sizeof(struct stat),
	    sizeof(struct stat)), 0);
	ck_assert_int_eq(check(OP_DEVCTL, 20, 16, 0, 20, 20), 0);
	ck_assert_int_eq(check(OP_GRANT, 0, 0, 0, sizeof(struct fs_grant),
	    sizeof(struct fs_grant)), 0);
	for (uint32_t op = OP_OPEN; op <= OP_LAST; op++) {
		/* Any op may fail with an errno, and nothing else. */
		ck_assert_int_eq(check(op, 64, 64, -EPERM, 0, 64), 0);
		ck_assert_int_eq(check(op, 64, 64, -4095, 0, 64), 0);
	}
	ck_assert_int_eq(check(OP_CLOSE, 0, 0, 0, 0, 0), 0);
	ck_assert_int_eq(check(OP_PATHCHMOD, 0, 5, 0, 0, 0), 0);
	ck_assert_int_eq(check(OP_PATHCHOWN, 0, 5, 0, 0, 0), 0);
	ck_assert_int_eq(check(OP_SPACE, 10, 0, 0, 0, 0), 0);
	ck_assert_int_eq(check(OP_SYNC, 0, 0, 0, 0, 0), 0);
	/* mkdir, unlink, rename, utime: a status, nothing else. */
	ck_assert_int_eq(check(OP_PATHCONNECT, 5, 10, 0, 0, 0), 0);
	ck_assert_int_eq(check(OP_PATHUTIME, 0, 5, 0, 0, 0), 0);
	ck_assert_int_eq(check(OP_UTIME, 0, 0, 0, 0, 0), 0);
}
END_TEST

/* Every field out of line: EIO. */
START_TEST(test_rep_bad)
{
	/* A read's count with less data, or none: the rest of the buffer
	 * would go to the kernel unwritten (the disclosure). */
	ck_assert_int_eq(check(OP_READ, 4096, 0, 4096, 0, 4096), -EIO);
	ck_assert_int_eq(check(OP_READ, 4096, 0, 4096, 10, 4096), -EIO);
	ck_assert_int_eq(check(OP_READ, 4096, 0, 10, 4096, 4096), -EIO);
	/* More than asked, or than the buffer holds. */
	ck_assert_int_eq(check(OP_READ, 10, 0, 11, 11, 4096), -EIO);
	ck_assert_int_eq(check(OP_READ, 4096, 0, 4096, 4096, 100), -EIO);
	ck_assert_int_eq(check(OP_READ, UINT64_MAX, 0, (int64_t) FS_DATA_MAX +
	    1, FS_DATA_MAX + 1, SIZE_MAX), -EIO);
	/* A write of more than was sent. */
	ck_assert_int_eq(check(OP_WRITE, 0, 100, 101, 0, 0), -EIO);
	ck_assert_int_eq(check(OP_WRITE, 0, 100, 50, 1, 64), -EIO);
	/* Statuses that are no errno (a cast to int would read them as a
	 * count or a descriptor), and errors with data. */
	for (uint32_t op = OP_OPEN; op <= OP_LAST; op++) {
		ck_assert_int_eq(check(op, 64, 64, -4096, 0, 64), -EIO);
		ck_assert_int_eq(check(op, 64, 64, INT64_MIN, 0, 64), -EIO);
		ck_assert_int_eq(check(op, 64, 64, -EIO, 1, 64), -EIO);
	}
	/* A connection id that is none. */
	ck_assert_int_eq(check(OP_OPEN, 0, 5, 0, 0, 0), -EIO);
	ck_assert_int_eq(check(OP_OPEN, 0, 5, (int64_t) INT_MAX + 1, 0, 0),
	    -EIO);
	ck_assert_int_eq(check(OP_OPEN, 0, 5, 3, 8, 8), -EIO);
	/* Answers of the wrong shape. */
	ck_assert_int_eq(check(OP_STAT, 0, 0, 0, sizeof(struct stat) - 1,
	    sizeof(struct stat)), -EIO);
	ck_assert_int_eq(check(OP_STAT, 0, 0, 1, sizeof(struct stat),
	    sizeof(struct stat)), -EIO);
	ck_assert_int_eq(check(OP_PATHSTAT, 0, 5, 0, 0, sizeof(struct stat)),
	    -EIO);
	ck_assert_int_eq(check(OP_DEVCTL, 20, 16, 0, 19, 20), -EIO);
	ck_assert_int_eq(check(OP_DEVCTL, 20, 16, 5, 20, 20), -EIO);
	ck_assert_int_eq(check(OP_GRANT, 0, 0, 0, 8, sizeof(struct fs_grant)),
	    -EIO);
	ck_assert_int_eq(check(OP_LSEEK, 0, 0, 5, 8, 8), -EIO);
	ck_assert_int_eq(check(OP_CLOSE, 0, 0, 1, 0, 0), -EIO);
	ck_assert_int_eq(check(OP_SYNC, 0, 0, 0, 4, 4), -EIO);
	ck_assert_int_eq(check(OP_SPACE, 0, 0, 7, 0, 0), -EIO);
	ck_assert_int_eq(check(OP_PATHCHMOD, 0, 5, 2, 0, 0), -EIO);
	/* mkdir, unlink, rename and utime answer a status alone: a count,
	 * a coid or data after it is no helper's. */
	for (uint32_t op = OP_PATHCONNECT; op <= OP_UTIME; op++) {
		ck_assert_int_eq(check(op, 5, 10, 1, 0, 0), -EIO);
		ck_assert_int_eq(check(op, 5, 10, 0x40000003, 0, 0), -EIO);
		ck_assert_int_eq(check(op, 5, 10, 0, 4, 64), -EIO);
		ck_assert_int_eq(check(op, 5, 10, 0, sizeof(struct stat),
		    sizeof(struct stat)), -EIO);
	}
	/* An op no request has. */
	ck_assert_int_eq(check(0, 0, 0, 0, 0, 0), -EIO);
	ck_assert_int_eq(check(OP_LAST + 1, 0, 0, 0, 0, 0), -EIO);
	ck_assert_int_eq(check(UINT32_MAX, 0, 0, -EPERM, 0, 0), 0);
}
END_TEST

/* Garbage: whatever passes keeps every promise the callers rely on. */
START_TEST(test_rep_garbage)
{
	uint64_t x = 0x9e3779b97f4a7c15u;

	for (int i = 0; i < 200000; i++) {
		struct fs_req q;
		struct fs_rep p;
		size_t outcap;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memset(&q, 0, sizeof(q));
		q.op = (uint32_t) (x % 16);
		q.want = (x >> 8) % 5 == 0 ? x >> 3 : (x >> 20) % 9000;
		q.len = (x >> 12) % 9000;
		p.rc = (x >> 4) % 3 == 0 ? (int64_t) x :
		    (int64_t) ((x >> 24) % 10000) - 5000;
		p.len = (x >> 40) % 4 == 0 ? x >> 1 : (x >> 30) % 9000;
		outcap = (size_t) ((x >> 50) % 9000);
		if (axon__fs_rep_check(&q, &p, outcap) != 0) {
			continue;
		}
		ck_assert_uint_le(p.len, outcap);
		ck_assert_uint_le(p.len, FS_DATA_MAX);
		if (p.rc < 0) {
			ck_assert_int_ge(p.rc, -4095);
			ck_assert_uint_eq(p.len, 0);
			continue;
		}
		ck_assert(q.op >= OP_OPEN && q.op <= OP_LAST);
		if (q.op == OP_READ) {
			ck_assert_uint_eq((uint64_t) p.rc, p.len);
			ck_assert_uint_le((uint64_t) p.rc, q.want);
		} else if (q.op == OP_WRITE) {
			ck_assert_uint_le((uint64_t) p.rc, q.len);
		} else if (q.op == OP_OPEN) {
			ck_assert_int_le(p.rc, INT_MAX);
		} else if (q.op != OP_LSEEK) {
			ck_assert_int_eq(p.rc, 0);
		}
	}
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("fsproto");
	TCase *tc = axt_tcase("fsproto", 20);

	tcase_add_test(tc, test_rep_good);
	tcase_add_test(tc, test_rep_bad);
	tcase_add_test(tc, test_rep_garbage);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(suite());
}
