/*
 * shm_share: shared memory between a parent and the child it spawns, the
 * way the QNX documentation's shared memory examples make it: shm_open()
 * a name, size the object with shm_ctl(SHMCTL_ANON), mmap() it; the child,
 * started with spawnl(), opens the name and maps it too.  The two hand a
 * counter back and forth through the region, guarded by a process-shared
 * mutex and condition variable that live in it.  Physical memory for the
 * object (SHMCTL_PHYS) is refused, as on QNX for a process without the
 * ability to have it.
 */
#include <errno.h>
#include <fcntl.h>
#include <process.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 5

struct shared {
	pthread_mutex_t mutex;
	pthread_cond_t cond;
	int turn;  /* 0: parent's, 1: child's */
	int count; /* incremented by each in its turn */
	char text[64];
};

static char name[64];

static struct shared *
map_it(int fd)
{
	struct shared *sh;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		exit(EXIT_FAILURE);
	}
	return sh;
}

/* Waits for its turn, counts, and hands the turn over. */
static void
play(struct shared *sh, int me, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		pthread_mutex_lock(&sh->mutex);
		while (sh->turn != me) {
			pthread_cond_wait(&sh->cond, &sh->mutex);
		}
		sh->count++;
		sh->turn = !me;
		pthread_cond_broadcast(&sh->cond);
		pthread_mutex_unlock(&sh->mutex);
	}
}

static int
child(void)
{
	struct shared *sh;
	struct stat st;
	int fd;

	fd = shm_open(name, O_RDWR, 0);
	if (fd == -1 || fstat(fd, &st) == -1) {
		perror("child: shm_open");
		return EXIT_FAILURE;
	}
	if ((size_t) st.st_size < sizeof(*sh)) {
		fprintf(stderr, "child: object too small\n");
		return EXIT_FAILURE;
	}
	sh = map_it(fd);
	close(fd);
	play(sh, 1, ROUNDS);
	pthread_mutex_lock(&sh->mutex);
	strcpy(sh->text, "hello from the child");
	pthread_mutex_unlock(&sh->mutex);
	munmap(sh, sizeof(*sh));
	return EXIT_SUCCESS;
}

int
main(int argc, char *argv[])
{
	pthread_mutexattr_t mattr;
	pthread_condattr_t cattr;
	struct shared *sh;
	int fd, pid, status;

	snprintf(name, sizeof(name), "/shm_share.%d",
	    argc > 2 ? atoi(argv[2]) : getpid());
	if (argc > 1 && strcmp(argv[1], "child") == 0) {
		return child();
	}

	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd == -1) {
		perror("shm_open");
		return EXIT_FAILURE;
	}
	if (shm_ctl(fd, SHMCTL_PHYS, 0, sysconf(_SC_PAGESIZE)) == -1) {
		printf("SHMCTL_PHYS: %s\n", strerror(errno));
	}
	if (shm_ctl(fd, SHMCTL_ANON, 0, sizeof(*sh)) == -1) {
		perror("shm_ctl");
		shm_unlink(name);
		return EXIT_FAILURE;
	}
	sh = map_it(fd);
	close(fd);
	printf("zero-filled: %s\n",
	    sh->count == 0 && sh->text[0] == '\0' ? "yes" : "no");

	pthread_mutexattr_init(&mattr);
	pthread_mutexattr_setpshared(&mattr, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->mutex, &mattr);
	pthread_condattr_init(&cattr);
	pthread_condattr_setpshared(&cattr, PTHREAD_PROCESS_SHARED);
	pthread_cond_init(&sh->cond, &cattr);

	{
		char arg[16];

		snprintf(arg, sizeof(arg), "%d", getpid());
		pid = spawnl(P_NOWAIT, argv[0], argv[0], "child", arg, NULL);
	}
	if (pid == -1) {
		perror("spawnl");
		shm_unlink(name);
		return EXIT_FAILURE;
	}
	play(sh, 0, ROUNDS);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "child failed\n");
		shm_unlink(name);
		return EXIT_FAILURE;
	}
	printf("count after %d rounds each: %d\n", ROUNDS, sh->count);
	printf("child wrote: %s\n", sh->text);
	munmap(sh, sizeof(*sh));
	shm_unlink(name);
	return EXIT_SUCCESS;
}
