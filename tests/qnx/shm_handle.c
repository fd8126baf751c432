/*
 * shm_handle: anonymous shared memory the QNX 7.1 way.  The parent makes
 * an object with no name, shm_open(SHM_ANON, ...), sizes it with
 * shm_ctl(SHMCTL_ANON) and maps it; a child started with spawnl() uses
 * the descriptor it inherited (its number on the command line).  Then a
 * client (another spawned child) asks the parent, by message, for
 * access: the parent, as server, makes a read-only handle for the
 * client's pid with shm_create_handle() and replies with it; the client
 * opens it with shm_open_handle(), maps it and reads, cannot map it for
 * writing, and cannot use the handle twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <process.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/neutrino.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE 4096

struct get_msg {
	int type;
};

struct get_reply {
	shm_handle_t handle;
};

static int
inheritor(int fd)
{
	char *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		perror("inheritor: mmap");
		return EXIT_FAILURE;
	}
	strcpy(p + SIZE / 2, "written through an inherited descriptor");
	munmap(p, SIZE);
	return EXIT_SUCCESS;
}

static int
client(pid_t server, int chid)
{
	struct get_msg msg = { 1 };
	struct get_reply reply;
	int coid, fd;
	char *p;

	coid = ConnectAttach(0, server, chid, _NTO_SIDE_CHANNEL, 0);
	if (coid == -1 ||
	    MsgSend(coid, &msg, sizeof(msg), &reply, sizeof(reply)) == -1) {
		perror("client: MsgSend");
		return EXIT_FAILURE;
	}
	fd = shm_open_handle(reply.handle, O_RDONLY);
	if (fd == -1) {
		perror("client: shm_open_handle");
		return EXIT_FAILURE;
	}
	p = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("client: mmap");
		return EXIT_FAILURE;
	}
	printf("client read: %s\n", p);
	if (mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) ==
	    MAP_FAILED) {
		printf("client mapping for writing: %s\n", strerror(errno));
	}
	if (shm_open_handle(reply.handle, O_RDONLY) == -1) {
		printf("client's second use of the handle: %s\n",
		    strerror(errno));
	}
	ConnectDetach(coid);
	return EXIT_SUCCESS;
}

int
main(int argc, char *argv[])
{
	struct get_reply reply;
	struct get_msg msg;
	struct _msg_info info;
	char a1[16], a2[16];
	int fd, chid, rcvid, status;
	pid_t pid;
	char *p;

	if (argc == 3 && strcmp(argv[1], "inheritor") == 0) {
		return inheritor(atoi(argv[2]));
	}
	if (argc == 4 && strcmp(argv[1], "client") == 0) {
		return client(atoi(argv[2]), atoi(argv[3]));
	}

	fd = shm_open(SHM_ANON, O_RDWR | O_CREAT, 0600);
	if (fd == -1) {
		perror("shm_open(SHM_ANON)");
		return EXIT_FAILURE;
	}
	if (shm_ctl(fd, SHMCTL_ANON, 0, SIZE) == -1) {
		perror("shm_ctl");
		return EXIT_FAILURE;
	}
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return EXIT_FAILURE;
	}
	printf("zero-filled: %s\n", p[0] == 0 && p[SIZE - 1] == 0 ? "yes" :
	    "no");

	snprintf(a1, sizeof(a1), "%d", fd);
	pid = spawnl(P_NOWAIT, argv[0], argv[0], "inheritor", a1, NULL);
	if (pid == -1 || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "inheritor failed\n");
		return EXIT_FAILURE;
	}
	printf("spawned child wrote: %s\n", p + SIZE / 2);

	strcpy(p, "hello from the server");
	chid = ChannelCreate(0);
	if (chid == -1) {
		perror("ChannelCreate");
		return EXIT_FAILURE;
	}
	snprintf(a1, sizeof(a1), "%d", getpid());
	snprintf(a2, sizeof(a2), "%d", chid);
	pid = spawnl(P_NOWAIT, argv[0], argv[0], "client", a1, a2, NULL);
	if (pid == -1) {
		perror("spawnl");
		return EXIT_FAILURE;
	}
	rcvid = MsgReceive(chid, &msg, sizeof(msg), &info);
	if (rcvid <= 0) {
		perror("MsgReceive");
		return EXIT_FAILURE;
	}
	if (shm_create_handle(fd, info.pid, O_RDONLY, &reply.handle, 0) ==
	    -1) {
		MsgError(rcvid, errno);
		perror("shm_create_handle");
		return EXIT_FAILURE;
	}
	printf("handle made for the client: %s\n",
	    info.pid == pid ? "yes" : "no");
	MsgReply(rcvid, EOK, &reply, sizeof(reply));
	fflush(stdout);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "client failed\n");
		return EXIT_FAILURE;
	}
	munmap(p, SIZE);
	close(fd);
	return EXIT_SUCCESS;
}
