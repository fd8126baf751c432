/*
 * spawn_wait: start a worker with spawnl(), in the manner of the QNX
 * library reference's examples, and check each mode.  Prints one line per
 * mode and exits 0 when all behaved.
 */
#include <errno.h>
#include <process.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

int
main(void)
{
	int status;
	int pid;

	status = spawnl(P_WAIT, "/bin/sh", "sh", "-c", "exit 2", NULL);
	if (status == -1 || WEXITSTATUS(status) != 2) {
		perror("spawnl P_WAIT");
		return EXIT_FAILURE;
	}
	printf("P_WAIT: exit status %d\n", WEXITSTATUS(status));

	pid = spawnlp(P_NOWAIT, "sh", "sh", "-c", "exit 0", NULL);
	if (pid == -1 || waitpid(pid, &status, 0) != pid) {
		perror("spawnlp P_NOWAIT");
		return EXIT_FAILURE;
	}
	printf("P_NOWAIT: child reaped\n");

	pid = spawnl(P_NOWAITO, "/bin/sh", "sh", "-c", "exit 0", NULL);
	if (pid == -1 || waitpid(pid, &status, 0) != -1 || errno != ECHILD) {
		fprintf(stderr, "P_NOWAITO: child was waitable\n");
		return EXIT_FAILURE;
	}
	printf("P_NOWAITO: not ours to wait for\n");

	if (spawnl(P_WAIT, "/no/such/program", "x", NULL) != -1 ||
	    errno != ENOENT) {
		fprintf(stderr, "missing program: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	printf("missing program: %s\n", strerror(ENOENT));
	return EXIT_SUCCESS;
}
