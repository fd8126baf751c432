/* SPDX-License-Identifier: MIT */
/*
 * Device numbers (<sys/rsrcdbmgr.h>; rsrcdbmgr_devno_attach(3)): a major
 * per class, minors asked for or the lowest free, numbers held between
 * processes and freed by detach or by the holder's death, the limits,
 * bad arguments, and a user who may not use the node's database.
 */
#include "attack.h"

#include <sys/rsrcdbmgr.h>
#include <sys/sysmacros.h>

static void
expect_fail(dev_t d, int err)
{
	ck_assert_msg(d == (dev_t) -1, "got %llu", (unsigned long long) d);
	ck_assert_int_eq(errno, err);
}

START_TEST(test_numbers)
{
	dev_t a = rsrcdbmgr_devno_attach("dev", 0, 0);
	dev_t b = rsrcdbmgr_devno_attach("dev", -1, 0);
	dev_t c = rsrcdbmgr_devno_attach(_MAJOR_CHAR_PREFIX "ser", 5, 0);

	ck_assert(a != (dev_t) -1 && b != (dev_t) -1 && c != (dev_t) -1);
	ck_assert_uint_ge(major(a), 1);
	ck_assert_uint_lt(major(a), 64);
	ck_assert_uint_eq(minor(a), 0);
	ck_assert_uint_eq(major(b), major(a)); /* one major per class */
	ck_assert_uint_eq(minor(b), 1);        /* the lowest free */
	ck_assert_uint_ne(major(c), major(a));
	ck_assert_uint_eq(minor(c), 5);

	/* In use (here) is EINVAL, as QNX has it. */
	expect_fail(rsrcdbmgr_devno_attach("dev", 1, 0), EINVAL);
	ck_assert_int_eq(rsrcdbmgr_devno_detach(b, 0), 0);
	ck_assert_int_eq(rsrcdbmgr_devno_detach(b, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	b = rsrcdbmgr_devno_attach("dev", -1, 0);
	ck_assert_uint_eq(minor(b), 1); /* free again */

	/* Bad arguments. */
	expect_fail(rsrcdbmgr_devno_attach(NULL, 0, 0), EINVAL);
	expect_fail(rsrcdbmgr_devno_attach("", 0, 0), EINVAL);
	expect_fail(rsrcdbmgr_devno_attach("a/b", 0, 0), EINVAL);
	expect_fail(rsrcdbmgr_devno_attach("dev", 1024, 0), EINVAL);
	expect_fail(rsrcdbmgr_devno_attach("dev", -2, 0), EINVAL);
	expect_fail(rsrcdbmgr_devno_attach("dev", 2, 1), EINVAL);
	ck_assert_int_eq(rsrcdbmgr_devno_detach(a, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rsrcdbmgr_devno_detach(makedev(63, 1023), 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rsrcdbmgr_devno_detach(a, 0), 0);
	ck_assert_int_eq(rsrcdbmgr_devno_detach(b, 0), 0);
	ck_assert_int_eq(rsrcdbmgr_devno_detach(c, 0), 0);
}
END_TEST

static void
holder(int fd, void *arg)
{
	dev_t d = rsrcdbmgr_devno_attach("dev", *(int *) arg, 0);

	axt_report(fd, d == (dev_t) -1 ? -errno : (int) minor(d));
	pause();
}

START_TEST(test_between_processes)
{
	int seven = 7, any = -1;
	struct axt_child x = axt_spawn(holder, &seven);
	struct axt_child y;
	dev_t d;

	ck_assert_int_eq(x.val, 7);
	/* Held by another process: refused, and skipped by -1. */
	expect_fail(rsrcdbmgr_devno_attach("dev", 7, 0), EINVAL);
	for (int i = 0; i < 7; i++) {
		ck_assert_uint_eq(minor(rsrcdbmgr_devno_attach("dev", -1, 0)),
		    (unsigned) i);
	}
	d = rsrcdbmgr_devno_attach("dev", -1, 0);
	ck_assert_uint_eq(minor(d), 8);
	ck_assert_int_eq(rsrcdbmgr_devno_detach(makedev(major(d), 7), 0), -1);
	ck_assert_int_eq(errno, EINVAL); /* not this process's */
	y = axt_spawn(holder, &any);
	ck_assert_int_eq(y.val, 9);
	/* A dead holder's number is free at once. */
	axt_child_kill(&x);
	d = rsrcdbmgr_devno_attach("dev", 7, 0);
	ck_assert_uint_eq(minor(d), 7);
	axt_child_kill(&y);
}
END_TEST

START_TEST(test_limits)
{
	char name[32];
	int n = 0;
	dev_t d;

	/* 63 classes have majors 1-63; a 64th has none left. */
	for (;;) {
		snprintf(name, sizeof(name), "class%d", n);
		d = rsrcdbmgr_devno_attach(name, 0, 0);
		if (d == (dev_t) -1) {
			break;
		}
		n++;
		ck_assert_int_le(n, 63);
	}
	ck_assert_int_eq(n, 63);
	ck_assert_int_eq(errno, EAGAIN);
	/* The classes keep their majors. */
	ck_assert_uint_eq(major(rsrcdbmgr_devno_attach("class3", -1, 0)),
	    major(rsrcdbmgr_devno_attach("class3", -1, 0)));
}
END_TEST

static void
attacker(int fd, void *arg)
{
	(void) arg;
	axa_become();
	dev_t d = rsrcdbmgr_devno_attach("dev", -1, 0);

	axt_report(fd, d == (dev_t) -1 ? errno : 0);
}

START_TEST(test_unprivileged)
{
	if (!axa_user("test_unprivileged")) {
		return;
	}
	/* The database exists (root made it), and a user who is neither
	 * root nor the node's owner may not take from it. */
	ck_assert(rsrcdbmgr_devno_attach("dev", 0, 0) != (dev_t) -1);
	axa_share_rundir(axt_rundir);
	struct axt_child c = axt_spawn(attacker, NULL);

	ck_assert_int_eq(c.val, EPERM);
	ck_assert_int_eq(axt_child_wait(&c, 10), 0);
}
END_TEST

static void
sleeper(int fd, void *arg)
{
	dev_t d = *(dev_t *) arg;

	/* Not the child's to detach. */
	axt_report(fd, rsrcdbmgr_devno_detach(d, 0) == -1 && errno == EINVAL);
	pause();
}

START_TEST(test_fork)
{
	dev_t d = rsrcdbmgr_devno_attach("dev", 3, 0);

	ck_assert(d != (dev_t) -1);
	struct axt_child c = axt_spawn(sleeper, &d);

	ck_assert_int_eq(c.val, 1);
	/* The parent lets go while the child lives: free (the child
	 * kept no copy of the hold). */
	ck_assert_int_eq(rsrcdbmgr_devno_detach(d, 0), 0);
	d = rsrcdbmgr_devno_attach("dev", 3, 0);
	ck_assert_uint_eq(minor(d), 3);
	axt_child_kill(&c);
}
END_TEST

static Suite *
devno_suite(void)
{
	Suite *s = suite_create("devno");
	TCase *t = axt_tcase("devno", 20);

	tcase_add_checked_fixture(t, axt_setup, axt_teardown);
	tcase_add_test(t, test_numbers);
	tcase_add_test(t, test_between_processes);
	tcase_add_test(t, test_limits);
	tcase_add_test(t, test_fork);
	tcase_add_test(t, test_unprivileged);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(devno_suite());
}
