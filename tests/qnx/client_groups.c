/*
 * client_groups: a server that asks who its client is the QNX 7 way,
 * with every supplementary group (ConnectClientInfoExt), and names the
 * client's thread after it by the tid the message came with
 * (ThreadCtlExt); the client is a thread of the same process.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/neutrino.h>
#include <unistd.h>

static int chid;

static void *
client(void *arg)
{
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	char reply[8];

	(void) arg;
	if (coid == -1 || MsgSend(coid, "hi", 3, reply, sizeof(reply)) != 0) {
		perror("client");
		exit(1);
	}
	ConnectDetach(coid);
	return NULL;
}

int
main(void)
{
	char nb[sizeof(struct _thread_name) + 32];
	struct _thread_name *tn = (struct _thread_name *) nb;
	struct _client_info *info = NULL;
	struct _msg_info mi;
	gid_t mine[1024];
	pthread_t th;
	char buf[8];
	rcvid_t rcvid;
	int n = getgroups(1024, mine);
	int all = 1;

	chid = ChannelCreate(0);
	pthread_create(&th, NULL, client, NULL);
	rcvid = MsgReceive(chid, buf, sizeof(buf), &mi);
	if (rcvid <= 0) {
		perror("MsgReceive");
		return 1;
	}
	if (ConnectClientInfoExt(mi.scoid, &info,
	    _NTO_CLIENTINFO_GETGROUPS) == -1) {
		perror("ConnectClientInfoExt");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		int seen = 0;

		for (unsigned j = 0; j < info->cred.ngroups; j++) {
			seen |= info->cred.grouplist[j] == mine[i];
		}
		all &= seen;
	}
	printf("client is us: %s\n", info->pid == getpid() ? "yes" : "no");
	printf("groups: %s\n", (int) info->cred.ngroups == n && all ?
	    "all of them" : "missing some");
	ClientInfoExtFree(&info);
	printf("freed: %s\n", info == NULL ? "yes" : "no");
	if (ClientInfoExtFree(&(struct _client_info *){
		(struct _client_info *) nb}) == -1) {
		printf("freeing a stranger: %s\n",
		    errno == EINVAL ? "EINVAL" : strerror(errno));
	}
	/* Name the sender's thread, then read the name back. */
	tn->name_buf_len = 32;
	tn->new_name_len = (int) strlen("client");
	memcpy(tn->name_buf, "client", strlen("client"));
	if (ThreadCtlExt(0, mi.tid, _NTO_TCTL_NAME, tn) == -1) {
		perror("ThreadCtlExt");
		return 1;
	}
	tn->new_name_len = 0;
	ThreadCtlExt(0, mi.tid, _NTO_TCTL_NAME, tn);
	printf("client thread: %s\n", tn->name_buf);
	if (ThreadCtlExt(getpid(), 0, _NTO_TCTL_NAME, tn) == -1) {
		printf("a pid without a tid: %s\n",
		    errno == EINVAL ? "EINVAL" : strerror(errno));
	}
	MsgReply(rcvid, 0, "ok", 3);
	pthread_join(th, NULL);
	return 0;
}
