/* SPDX-License-Identifier: MIT */
/*
 * QNX's C library extras as symbols of libaxon's own (qnx-libc(3),
 * "Symbols"): an object compiled without Axon's headers, which calls
 * strcmpi(), itoa(), delay(), spawnl(), atomic_add() and the rest by
 * QNX's names (declared itself, or implicitly), links against libaxon.a
 * (this test) and libaxon.so (qnxsyms_plain_so, run here) and gets
 * QNX's results.  Each name is weak: tests/linux/own_qnx_names.c shows
 * a program's own function of the same name wins.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <limits.h>

#include "axon_test.h"

int qnxsyms_plain_run(char *why, size_t len);

/* The plain unit, linked statically into this test. */
START_TEST(test_plain_object_static)
{
	char why[256];

	setenv("AXT_PLAIN_DIR", axt_rundir, 1);
	ck_assert_msg(qnxsyms_plain_run(why, sizeof(why)) == 0, "%s", why);
}
END_TEST

/* The same unit as a program linked against libaxon.so: every name
 * resolves into libaxon.so and gives QNX's results. */
START_TEST(test_plain_program_shared)
{
	char self[PATH_MAX], prog[PATH_MAX + 32], cmd[2 * PATH_MAX + 128];
	char out[256] = "";
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	FILE *p;
	int st;

	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	snprintf(prog, sizeof(prog), "%s/qnxsyms_plain_so", dirname(self));
	ck_assert_msg(access(prog, X_OK) == 0, "%s missing", prog);
	snprintf(cmd, sizeof(cmd), "AXT_PLAIN_DIR='%s' timeout 20 '%s'",
	    axt_rundir, prog);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	if (fgets(out, sizeof(out), p) == NULL) {
		out[0] = '\0';
	}
	st = pclose(p);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	ck_assert_msg(strncmp(out, "ok ", 3) == 0, "%s", out);
}
END_TEST

static Suite *
qnxsyms_suite(void)
{
	Suite *s = suite_create("qnxsyms");
	TCase *t = axt_tcase("qnxsyms", 30);

	tcase_add_test(t, test_plain_object_static);
	tcase_add_test(t, test_plain_program_shared);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(qnxsyms_suite());
}
