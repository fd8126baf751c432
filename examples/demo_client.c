/* SPDX-License-Identifier: MIT */
/*
 * Axon demo client: finds the server by name, sends a few messages,
 * sends a pulse, and asks the server for an event (a pulse delivered to
 * this client's own channel with MsgDeliverEvent).  `demo_client quit`
 * asks the server to stop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/dispatch.h>
#include <sys/neutrino.h>

#include "demo.h"

#define MY_PULSE_CODE (_PULSE_CODE_MINAVAIL + 5)

int
main(int argc, char **argv)
{
	const char *who = argc > 1 ? argv[1] : "client";
	union demo_msg msg;
	char reply[128];
	int coid;

	setvbuf(stdout, NULL, _IOLBF, 0);
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
