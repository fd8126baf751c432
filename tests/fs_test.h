/* SPDX-License-Identifier: MIT */
/*
 * What the tests of the FUSE bridge share (test_fs, test_devlinks): the
 * bridge's program, whether this machine can run them, and whether a
 * mount point is mounted.
 */
#ifndef AXON_FS_TEST_H
#define AXON_FS_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "axon_test.h"

/* axon-fs: $AXON_FS, or the build's. */
static inline const char *
fs_bin(void)
{
	const char *b = getenv("AXON_FS");

	return b != NULL ? b : "build/axon-fs";
}

/* Whether this machine can run test (prints why not); root is needed
 * for the reason why. */
static inline bool
fs_usable_for(const char *test, const char *why)
{
	if (geteuid() != 0) {
		fprintf(stderr, "%s: skipped: needs root (%s)\n", test, why);
		return false;
	}
	if (access("/dev/fuse", R_OK | W_OK) != 0) {
		fprintf(stderr, "%s: skipped: no usable /dev/fuse\n", test);
		return false;
	}
	if (access(fs_bin(), X_OK) != 0) {
		fprintf(stderr, "%s: skipped: no %s (set AXON_FS)\n", test,
		    fs_bin());
		return false;
	}
	return true;
}

/* Whether something is mounted at mnt (another device than the test's
 * run directory). */
static inline bool
fs_mounted_at(const char *mnt)
{
	struct stat a, b;

	return stat(mnt, &a) == 0 && stat(axt_rundir, &b) == 0 &&
	    a.st_dev != b.st_dev;
}

#endif
