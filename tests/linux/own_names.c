/* SPDX-License-Identifier: MIT */
/*
 * A Linux program whose own names are ones QNX puts in standard headers
 * (spawn, struct inheritance, shm_ctl): with AXON_NO_QNX_EXTRAS defined
 * it includes those headers through Axon's wrappers and builds and
 * behaves as with glibc's alone (spawn(3), shm_ctl(3)).
 */
#define _GNU_SOURCE
#define AXON_NO_QNX_EXTRAS
#include <spawn.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct inheritance {
	const char *name;
	int generation;
};

static int
shm_ctl(int fd)
{
	return fd * 2;
}

/* Runs argv through posix_spawn, waits, returns its exit status. */
static int
spawn(char *const argv[])
{
	pid_t pid;
	int st;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0 ||
	    waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
		return -1;
	}
	return WEXITSTATUS(st);
}

int
main(void)
{
	struct inheritance in = {"heir", 2};
	char *argv[] = {"/bin/sh", "-c", "exit 3", NULL};

	printf("%s %d shm_ctl(21)=%d spawn=%d\n", in.name, in.generation,
	    shm_ctl(21), spawn(argv));
	return 0;
}
