/* An ordinary Linux program: POSIX shared memory by name, and the
 * portable test for an anonymous object (FreeBSD's SHM_ANON, else
 * memfd_create).  With Axon's headers shm_open is Axon's, which must
 * give every name to the C library's unchanged. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int
anonymous(void)
{
#ifdef SHM_ANON
	return shm_open(SHM_ANON, O_RDWR | O_CREAT, 0600);
#else
	return memfd_create("anon", 0);
#endif
}

int
main(void)
{
	int (*open_fn)(const char *, int, mode_t) = shm_open;
	char name[64], *p;
	int fd, fd2, st;
	pid_t pid;

	snprintf(name, sizeof(name), "/linux-compat-shm-%d", getpid());
	fd = open_fn(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, 4096) != 0) {
		perror("shm_open");
		return 1;
	}
	printf("cloexec: %d\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	strcpy(p, "by name");
	fd2 = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	printf("again: %d %s\n", fd2, strerror(errno));
	pid = fork();
	if (pid == 0) {
		int c = shm_open(name, O_RDONLY, 0);
		char *q = c < 0 ? MAP_FAILED :
		    mmap(NULL, 4096, PROT_READ, MAP_SHARED, c, 0);

		_exit(q != MAP_FAILED && strcmp(q, "by name") == 0 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	printf("child: %d\n", WEXITSTATUS(st));
	printf("unlink: %d\n", shm_unlink(name));
	fd2 = shm_open(name, O_RDWR, 0);
	printf("gone: %d %s\n", fd2, strerror(errno));
	fd2 = anonymous();
	printf("anonymous: %s\n", fd2 >= 0 && ftruncate(fd2, 100) == 0 ?
	    "ok" : strerror(errno));
	return 0;
}
