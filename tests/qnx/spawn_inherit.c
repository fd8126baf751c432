/*
 * spawn_inherit: the general spawn() of <spawn.h>, used the way the QNX
 * library reference describes it: a child whose standard output is a
 * pipe back to us (fd_map), in a process group of its own with a signal
 * blocked (struct inheritance), a spawnp() that leaves no zombie, and a
 * spawn() asked for another node.  Prints one line per step and exits 0
 * when all behaved.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/netmgr.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(void)
{
	struct inheritance inherit;
	char *args[] = { "cat", "/proc/self/status", "/proc/self/stat",
	    NULL };
	char *quiet[] = { "true", NULL };
	int fd_map[3];
	int pipefd[2];
	char buf[4096];
	char *stat;
	int pgrp = 0;
	ssize_t n;
	size_t got = 0;
	pid_t pid;
	int status;

	if (pipe(pipefd) == -1) {
		perror("pipe");
		return EXIT_FAILURE;
	}
	fd_map[0] = STDIN_FILENO;
	fd_map[1] = pipefd[1];
	fd_map[2] = STDERR_FILENO;

	memset(&inherit, 0, sizeof(inherit));
	inherit.flags = SPAWN_SETGROUP | SPAWN_SETSIGMASK;
	inherit.pgroup = SPAWN_NEWPGROUP;
	sigemptyset(&inherit.sigmask);
	sigaddset(&inherit.sigmask, SIGUSR1);

	pid = spawn("/bin/cat", 3, fd_map, &inherit, args, NULL);
	if (pid == -1) {
		perror("spawn");
		return EXIT_FAILURE;
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], buf + got, sizeof(buf) - 1 - got)) > 0) {
		got += (size_t) n;
	}
	buf[got] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "child failed\n");
		return EXIT_FAILURE;
	}
	/* SIGUSR1 is signal 10: bit 9 of the mask.  The last line is the
	 * child's stat: "pid (cat) state ppid pgrp ...". */
	stat = strrchr(buf, ')');
	if (stat == NULL || sscanf(stat + 2, "%*c %*d %d", &pgrp) != 1 ||
	    strstr(buf, "SigBlk:\t0000000000000200") == NULL ||
	    pgrp != pid) {
		fprintf(stderr, "child saw: %s", buf);
		return EXIT_FAILURE;
	}
	printf("spawn: child in its own group, SIGUSR1 blocked\n");

	memset(&inherit, 0, sizeof(inherit));
	inherit.flags = SPAWN_NOZOMBIE;
	pid = spawnp("true", 0, NULL, &inherit, quiet, NULL);
	if (pid == -1 || waitpid(pid, &status, 0) != -1 || errno != ECHILD) {
		fprintf(stderr, "SPAWN_NOZOMBIE: child was waitable\n");
		return EXIT_FAILURE;
	}
	printf("spawnp: SPAWN_NOZOMBIE child not ours to wait for\n");

	if (spawn("/no/such/program", 0, NULL, NULL, quiet, NULL) != -1 ||
	    errno != ENOENT) {
		fprintf(stderr, "missing program: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	printf("spawn: missing program: %s\n", strerror(errno));

	memset(&inherit, 0, sizeof(inherit));
	inherit.flags = SPAWN_SETND;
	inherit.nd = ND_LOCAL_NODE + 1;
	if (spawn("/bin/true", 0, NULL, &inherit, quiet, NULL) != -1) {
		fprintf(stderr, "SPAWN_SETND: ran\n");
		return EXIT_FAILURE;
	}
	printf("spawn: SPAWN_SETND another node: %s\n",
	    errno == ENOSYS ? "ENOSYS" : strerror(errno));
	return EXIT_SUCCESS;
}
