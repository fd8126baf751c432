/* SPDX-License-Identifier: MIT */
/*
 * Attack tests: an unprivileged local user, made with useradd(8) once
 * per machine and kept (`axon-attacker`, a system account with no home
 * and no login shell), and a way to run code as that user in a child.
 *
 * A security claim is tested as an attack: the test makes the run
 * directory reachable by the attacker (axa_share_rundir), runs the
 * attack in a child that has become the attacker (axa_become), and
 * asserts that the attack fails.  Without root the attacker cannot be
 * made: axa_user() returns false and the test says it was skipped.
 */
#ifndef AXON_TESTS_ATTACK_H
#define AXON_TESTS_ATTACK_H

#include "axon_test.h"

#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <sys/stat.h>

#define AXA_USER "axon-attacker"

static uid_t axa_uid = (uid_t) -1;
static gid_t axa_gid = (gid_t) -1;

/* Makes sure the attacker exists; false (and a "skipped" line naming
 * the test) when it cannot be made.  Concurrent callers are fine:
 * useradd's own lock makes one of them fail, and the user is then
 * looked up again. */
static inline bool
axa_user(const char *test)
{
	for (int tries = 0; tries < 50; tries++) {
		struct passwd *pw = getpwnam(AXA_USER);
		int st;

		if (pw != NULL) {
			axa_uid = pw->pw_uid;
			axa_gid = pw->pw_gid;
			return true;
		}
		if (geteuid() != 0) {
			break;
		}
		st = system("useradd --system --no-create-home --user-group "
			    "--shell /usr/sbin/nologin " AXA_USER
			    " >/dev/null 2>&1");
		if (st == -1 || (WIFEXITED(st) && WEXITSTATUS(st) == 127)) {
			break; /* no shell, or no useradd */
		}
		if (st != 0) {
			axt_sleep_ms(100);
		}
	}
	fprintf(stderr, "%s: skipped: cannot make the unprivileged user "
		"%s (needs root and useradd)\n", test, AXA_USER);
	return false;
}

/* In a child: drops every privilege and becomes the attacker, for good.
 * Exits the child (status 98) if it cannot. */
static inline void
axa_become(void)
{
	if (setgroups(0, NULL) < 0 ||
	    setresgid(axa_gid, axa_gid, axa_gid) < 0 ||
	    setresuid(axa_uid, axa_uid, axa_uid) < 0 ||
	    geteuid() != axa_uid) {
		_exit(98);
	}
}

/* Opens the test's run directory to everyone, as a node's shared
 * /run/axon is (the directories libaxon makes in it are 01777). */
static inline void
axa_share_rundir(const char *rundir)
{
	ck_assert_int_eq(chmod(rundir, 0755), 0);
}

#endif /* AXON_TESTS_ATTACK_H */
