/* SPDX-License-Identifier: MIT */
/*
 * A Linux program whose own names are ones QNX puts in standard headers
 * (spawn, struct inheritance, shm_ctl, posix_typed_mem_open, the
 * *_monotonic waits, pthread_timedjoin, procfs_info): with
 * AXON_NO_QNX_EXTRAS defined (which also keeps glibc's pthread_join()
 * and glibc's <sys/procfs.h> alone)
 * it includes those headers through Axon's wrappers and builds and
 * behaves as with glibc's alone (spawn(3), shm_ctl(3)).
 */
#define _GNU_SOURCE
#define AXON_NO_QNX_EXTRAS
#include <mqueue.h>
#include <pthread.h>
#include <semaphore.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/procfs.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* A name QNX's <sys/procfs.h> has, free here: AXON_NO_QNX_EXTRAS keeps
 * glibc's header alone. */
typedef struct {
	int pid;
} procfs_info;

/* AXON_NO_QNX_EXTRAS keeps glibc's pthread_join(). */
#ifdef pthread_join
#error "pthread_join is mapped despite AXON_NO_QNX_EXTRAS"
#endif

struct inheritance {
	const char *name;
	int generation;
};

static int
shm_ctl(int fd)
{
	return fd * 2;
}

/* Names of its own, of other types than QNX's. */
static const char *
posix_typed_mem_open(int n)
{
	return n > 0 ? "typed" : "untyped";
}

static long sem_timedwait_monotonic = 5;

static double
pthread_timedjoin(double x)
{
	return x / 2;
}

struct mq_timedsend_monotonic {
	int queued;
};

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
	procfs_info pi = {7};
	struct mq_timedsend_monotonic q = {4};

	printf("%s %d shm_ctl(21)=%d spawn=%d pi %d\n", in.name,
	    in.generation, shm_ctl(21), spawn(argv), pi.pid);
	printf("%s %ld %.1f %d\n", posix_typed_mem_open(1),
	    sem_timedwait_monotonic, pthread_timedjoin(3.0), q.queued);
	return 0;
}
