/*
 * thread_ids: a program that takes its ids from QNX's thread-local
 * storage, as QNX programs do to avoid a kernel call: each worker sends
 * the server thread __tls()->__tid and __pid, which must be what
 * MsgReceive() says of the sender; the main thread asks procfs about
 * itself by __tls()->__tid (DCMD_PROC_TIDSTATUS); a forked child finds
 * its own pid there; errno is reached through __errptr.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/neutrino.h>
#include <sys/procfs.h>
#include <sys/wait.h>
#include <devctl.h>
#include <unistd.h>

#define NWORKERS 3

struct report {
	int tid;
	int pid;
	int index;
};

static int chid;

static void *
worker(void *arg)
{
	int index = *(int *) arg;
	struct report r;
	int coid;

	coid = ConnectAttach(ND_LOCAL_NODE, 0, chid, _NTO_SIDE_CHANNEL, 0);
	if (coid == -1) {
		perror("ConnectAttach");
		exit(1);
	}
	r.tid = __tls()->__tid;
	r.pid = __tls()->__pid;
	r.index = (__tls()->__arg == arg) ? index : -1;
	if (MsgSend(coid, &r, sizeof(r), NULL, 0) == -1) {
		perror("MsgSend");
		exit(1);
	}
	ConnectDetach(coid);
	return NULL;
}

int
main(void)
{
	static int index[NWORKERS];
	pthread_t th[NWORKERS];
	struct _msg_info info;
	struct report r;
	procfs_status status;
	rcvid_t rcvid;
	pid_t child;
	int fd, st, i, seen = 0;

	chid = ChannelCreate(0);
	if (chid == -1) {
		perror("ChannelCreate");
		return 1;
	}
	for (i = 0; i < NWORKERS; i++) {
		index[i] = i;
		pthread_create(&th[i], NULL, worker, &index[i]);
	}
	for (i = 0; i < NWORKERS; i++) {
		rcvid = MsgReceive(chid, &r, sizeof(r), &info);
		if (rcvid <= 0) {
			perror("MsgReceive");
			return 1;
		}
		if (r.tid == info.tid && r.pid == info.pid &&
		    r.tid != __tls()->__tid && r.index >= 0) {
			seen |= 1 << r.index;
		}
		MsgReply(rcvid, EOK, NULL, 0);
	}
	for (i = 0; i < NWORKERS; i++) {
		pthread_join(th[i], NULL);
	}
	printf("workers whose ids match MsgReceive's: %d of %d\n",
	    __builtin_popcount(seen), NWORKERS);

	fd = open("/proc/self", O_RDONLY);
	memset(&status, 0, sizeof(status));
	status.tid = __tls()->__tid;
	printf("DCMD_PROC_TIDSTATUS of __tls()->__tid: %s\n",
	    devctl(fd, DCMD_PROC_TIDSTATUS, &status, sizeof(status), NULL) ==
			    EOK &&
		    status.tid == __tls()->__tid
		? "ok"
		: "wrong");
	close(fd);
	printf("main thread's tid is the pid: %s\n",
	    __tls()->__tid == getpid() ? "yes" : "no");

	errno = 0;
	*__tls()->__errptr = EAGAIN;
	printf("errno through __errptr: %s\n", errno == EAGAIN ? "ok" : "no");

	child = fork();
	if (child == 0) {
		_exit(__tls()->__pid == getpid() && __tls()->__tid == getpid()
			? 0
			: 1);
	}
	waitpid(child, &st, 0);
	printf("forked child sees its own pid: %s\n",
	    WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "yes" : "no");
	ChannelDestroy(chid);
	return 0;
}
