/*
 * A Linux program that uses glibc's posix_spawn() family from <spawn.h>,
 * which Axon's <spawn.h> wraps: file actions, attributes, the PATH
 * search and an error must all behave as with glibc's header alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int
main(void)
{
	char *argv[] = {"sh", "-c", "echo child says hi; exit 3", NULL};
	char *tv[] = {"true", NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none;
	char buf[64];
	int p[2];
	pid_t pid;
	ssize_t n;
	int st;
	int r;

	if (pipe(p) != 0) {
		return 1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETPGROUP);
	r = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
	printf("posix_spawn: %d\n", r);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("output: %s", buf);
	waitpid(pid, &st, 0);
	printf("exit: %d, own group: %d\n", WEXITSTATUS(st), getpgid(pid) ==
	    pid || getpgid(pid) < 0);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);

	r = posix_spawnp(&pid, "true", NULL, NULL, tv, environ);
	waitpid(pid, &st, 0);
	printf("posix_spawnp: %d, exit %d\n", r, WEXITSTATUS(st));
	r = posix_spawn(&pid, "/nonexistent/prog", NULL, NULL, tv, environ);
	printf("missing: %s\n", strerror(r));
	return 0;
}
