/* SPDX-License-Identifier: MIT */
/*
 * Axon demo client: finds the server by name, sends a few messages,
 * sends a pulse, and asks the server for an event (a pulse delivered to
 * this client's own channel with MsgDeliverEvent).  `demo_client quit`
 * asks the server to stop.
 *
 * `demo_client --node NODE PID CHID WHO` is the client of the two-node
 * part of the demo: it turns the node name into a node descriptor with
 * netmgr_strtond(), connects to channel CHID of process PID on that node
 * with ConnectAttach(), sends a few messages and a pulse, then asks the
 * server to stop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/dispatch.h>
#include <sys/netmgr.h>
#include <sys/neutrino.h>

#include "demo.h"

#define MY_PULSE_CODE (_PULSE_CODE_MINAVAIL + 5)

static int
talk_remote(const char *node, pid_t pid, int chid, const char *who)
{
	union demo_msg msg;
	char reply[128];
	char me[64];
	int coid;
	int nd;

	nd = netmgr_strtond(node, NULL);
	if (nd == -1) {
		perror("client: netmgr_strtond");
		return 1;
	}
	if (netmgr_ndtostr(0, ND_LOCAL_NODE, me, sizeof(me)) == -1) {
		snprintf(me, sizeof(me), "?");
	}
	printf("%s: on node %s as uid %d; node %s is nd %d here\n", who, me,
	    (int) getuid(), node, nd);
	coid = ConnectAttach(nd, pid, chid, _NTO_SIDE_CHANNEL, 0);
	if (coid == -1) {
		perror("client: ConnectAttach");
		return 1;
	}
	for (int i = 0; i < 3; i++) {
		memset(&msg, 0, sizeof(msg));
		msg.hello.hdr.type = MSG_HELLO;
		snprintf(msg.hello.who, sizeof(msg.hello.who), "%s", who);
		if (MsgSend(coid, &msg, sizeof(msg.hello), reply,
			sizeof(reply)) == -1) {
			perror("client: MsgSend");
			return 1;
		}
		reply[sizeof(reply) - 1] = '\0';
		printf("%s: reply: \"%s\"\n", who, reply);
	}
	if (MsgSendPulse(coid, -1, _PULSE_CODE_MINAVAIL + 1, 42) == -1) {
		perror("client: MsgSendPulse");
		return 1;
	}
	printf("%s: sent a pulse\n", who);
	memset(&msg, 0, sizeof(msg));
	msg.hdr.type = MSG_QUIT;
	if (MsgSend(coid, &msg, sizeof(msg.hdr), NULL, 0) == -1) {
		perror("client: quit");
		return 1;
	}
	ConnectDetach(coid);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *who = argc > 1 ? argv[1] : "client";
	union demo_msg msg;
	char reply[128];
	int coid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 6 && strcmp(argv[1], "--node") == 0) {
		return talk_remote(argv[2], (pid_t) atoi(argv[3]),
		    atoi(argv[4]), argv[5]);
	}
	coid = name_open(DEMO_NAME, 0);
	if (coid == -1) {
		perror("client: name_open");
		return 1;
	}
	if (strcmp(who, "quit") == 0) {
		msg.hdr.type = MSG_QUIT;
		return MsgSend(coid, &msg, sizeof(msg.hdr), NULL, 0) == -1;
	}
	for (int i = 0; i < 3; i++) {
		long status;

		memset(&msg, 0, sizeof(msg));
		msg.hello.hdr.type = MSG_HELLO;
		msg.hello.first = i == 0;
		snprintf(msg.hello.who, sizeof(msg.hello.who), "%s", who);
		status = MsgSend(coid, &msg, sizeof(msg.hello), reply,
		    sizeof(reply));
		if (status == -1) {
			perror("client: MsgSend");
			return 1;
		}
		printf("%s: reply %ld: \"%s\"\n", who, status, reply);
	}

	/* A pulse: one-way, never blocks. */
	if (MsgSendPulse(coid, -1, _PULSE_CODE_MINAVAIL + 1, getpid()) == -1) {
		perror("client: MsgSendPulse");
		return 1;
	}
	printf("%s: sent a pulse\n", who);

	/* An event: the server keeps our sigevent and delivers it later. */
	int chid = ChannelCreate(_NTO_CHF_PRIVATE);
	int self = ConnectAttach(ND_LOCAL_NODE, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct _pulse pulse;

	memset(&msg, 0, sizeof(msg));
	msg.sub.hdr.type = MSG_SUBSCRIBE;
	SIGEV_PULSE_INIT(&msg.sub.event, self, SIGEV_PULSE_PRIO_INHERIT,
	    MY_PULSE_CODE, 1234);
	if (MsgSend(coid, &msg, sizeof(msg.sub), NULL, 0) == -1) {
		perror("client: subscribe");
		return 1;
	}
	if (MsgReceivePulse(chid, &pulse, sizeof(pulse), NULL) == -1) {
		perror("client: MsgReceivePulse");
		return 1;
	}
	printf("%s: event arrived: pulse code %d value %d\n", who, pulse.code,
	    pulse.value.sival_int);
	ConnectDetach(self);
	ChannelDestroy(chid);
	name_close(coid);
	return 0;
}
