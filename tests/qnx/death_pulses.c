/*
 * death_pulses: a QNX server and client that learn of each other's
 * death from the kernel's pulses.  The server attaches a name (its
 * channel has _NTO_CHF_DISCONNECT and _NTO_CHF_COID_DISCONNECT, as
 * name_attach() makes it) and gets _PULSE_CODE_DISCONNECT when its
 * client process exits; as a client of another server process it gets
 * _PULSE_CODE_COIDDEATH for its connection when that server is killed,
 * and detaches the dead coid.  A second channel with
 * _NTO_CHF_THREAD_DEATH hears a worker thread end, and
 * procmgr_event_notify_add() the killed server's pid.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/dispatch.h>
#include <sys/iomsg.h>
#include <sys/neutrino.h>
#include <sys/procmgr.h>
#include <sys/wait.h>
#include <unistd.h>

typedef union {
	struct _pulse pulse;
	struct _io_connect connect;
	char text[32];
} msg_t;

static char my_name[64];
static char peer_name[64];
static void *
worker(void *arg)
{
	return arg;
}

/* Takes one message or pulse, answering _IO_CONNECT (sent by name_open()
 * on some QNX versions) on the way.  Returns the rcvid. */
static int
receive(int chid, msg_t *msg, struct _msg_info *info)
{
	for (;;) {
		int rcvid = MsgReceive(chid, msg, sizeof(*msg), info);

		if (rcvid > 0 && msg->connect.type == _IO_CONNECT) {
			MsgReply(rcvid, EOK, NULL, 0);
			continue;
		}
		return rcvid;
	}
}

/* A client process: says hello to the server and exits. */
static void
run_client(void)
{
	int coid = name_open(my_name, 0);
	char reply[32];

	if (coid == -1 ||
	    MsgSend(coid, "hello", 6, reply, sizeof(reply)) == -1) {
		exit(1);
	}
	exit(0);
}

/* Another server process: answers every message until it is killed. */
static void
run_peer(int ready_fd)
{
	name_attach_t *attach = name_attach(NULL, peer_name, 0);
	struct _msg_info info;
	msg_t msg;

	if (attach == NULL || write(ready_fd, "r", 1) != 1) {
		exit(1);
	}
	for (;;) {
		int rcvid = receive(attach->chid, &msg, &info);

		if (rcvid > 0) {
			MsgReply(rcvid, EOK, "ok", 3);
		}
	}
}

int
main(void)
{
	name_attach_t *attach;
	struct _msg_info info;
	struct sigevent ev;
	msg_t msg;
	int pm_chid, pm_coid, handle;
	int td_chid, tid;
	int ready[2];
	int rcvid, coid, scoid;
	pid_t client, peer;
	char reply[8];

	snprintf(my_name, sizeof(my_name), "death_pulses/%d", getpid());
	snprintf(peer_name, sizeof(peer_name), "death_pulses/%d.peer",
	    getpid());
	attach = name_attach(NULL, my_name, 0);
	if (attach == NULL) {
		perror("name_attach");
		return 1;
	}

	/* 1. Our client exits: _PULSE_CODE_DISCONNECT names its scoid. */
	client = fork();
	if (client == 0) {
		run_client();
	}
	rcvid = receive(attach->chid, &msg, &info);
	if (rcvid <= 0) {
		return 1;
	}
	printf("server: %s from the client\n", msg.text);
	scoid = info.scoid;
	MsgReply(rcvid, EOK, NULL, 0);
	rcvid = receive(attach->chid, &msg, &info);
	if (rcvid == 0 && msg.pulse.code == _PULSE_CODE_DISCONNECT) {
		printf("server: client disconnected, scoid %s\n",
		    msg.pulse.scoid == scoid ? "matches" : "differs");
		ConnectDetach(msg.pulse.scoid);
	}
	waitpid(client, NULL, 0);

	/* 2. Watch process deaths (the value is who died). */
	pm_chid = ChannelCreate(_NTO_CHF_PRIVATE);
	pm_coid = ConnectAttach(0, 0, pm_chid, _NTO_SIDE_CHANNEL, 0);
	SIGEV_PULSE_INIT(&ev, pm_coid, 10, _PULSE_CODE_MINAVAIL, 0);
	SIGEV_MAKE_UPDATEABLE(&ev);
	handle = procmgr_event_notify_add(PROCMGR_EVENT_PROCESS_DEATH, &ev);
	if (handle == -1) {
		perror("procmgr_event_notify_add");
		return 1;
	}

	/* 3. The server we are a client of is killed: COIDDEATH. */
	if (pipe(ready) == -1) {
		return 1;
	}
	peer = fork();
	if (peer == 0) {
		run_peer(ready[1]);
	}
	if (read(ready[0], reply, 1) != 1) {
		return 1;
	}
	coid = name_open(peer_name, 0);
	if (coid == -1 || MsgSend(coid, "hi", 3, reply, sizeof(reply)) == -1) {
		perror("peer");
		return 1;
	}
	printf("client: the other server says %s\n", reply);
	sleep(1); /* it has lived long enough to be watched */
	kill(peer, SIGKILL);
	waitpid(peer, NULL, 0);
	rcvid = receive(attach->chid, &msg, &info);
	if (rcvid == 0 && msg.pulse.code == _PULSE_CODE_COIDDEATH) {
		printf("client: the other server died, coid %s\n",
		    msg.pulse.value.sival_int == coid ? "matches" : "differs");
	}
	if (MsgSend(coid, "hi", 3, reply, sizeof(reply)) == -1 &&
	    errno == EBADF) {
		printf("client: the dead coid fails with EBADF until detached\n");
	}
	ConnectDetach(coid);
	for (;;) {
		rcvid = MsgReceive(pm_chid, &msg, sizeof(msg), NULL);
		if (rcvid == 0 && msg.pulse.value.sival_int == peer) {
			printf("procmgr: the other server's death, by pid\n");
			break;
		}
	}
	procmgr_event_notify_delete(handle);

	/* 4. Threads of ours end: _PULSE_CODE_THREADDEATH with the tid. */
	td_chid = ChannelCreate(_NTO_CHF_THREAD_DEATH);
	tid = ThreadCreate(0, worker, NULL, NULL);
	ThreadJoin(tid, NULL);
	rcvid = MsgReceive(td_chid, &msg, sizeof(msg), NULL);
	if (rcvid == 0 && msg.pulse.code == _PULSE_CODE_THREADDEATH) {
		printf("thread death: tid %s\n",
		    msg.pulse.value.sival_int == tid ? "matches" : "differs");
	}
	pthread_create(NULL, NULL, worker, NULL); /* never joined */
	rcvid = MsgReceive(td_chid, &msg, sizeof(msg), NULL);
	if (rcvid == 0 && msg.pulse.code == _PULSE_CODE_THREADDEATH) {
		printf("thread death: a pthread too\n");
	}
	name_detach(attach, 0);
	return 0;
}
