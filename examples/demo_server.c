/* SPDX-License-Identifier: MIT */
/*
 * Axon demo server: attaches the name "axon-demo" and serves requests the
 * way a QNX resource-style server does.  Written against the QNX API
 * only; it would compile unchanged on QNX Neutrino.
 *
 *   MSG_HELLO   reply with a greeting naming the client
 *   MSG_SUBSCRIBE  remember the client's sigevent, reply at once, and
 *               deliver the event later with MsgDeliverEvent()
 *   MSG_QUIT    reply, then exit once every client has gone
 * Pulses from clients are printed; DISCONNECT pulses free the client's
 * server connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/dispatch.h>
#include <sys/neutrino.h>

#include "demo.h"

int
main(void)
{
	name_attach_t *att;
	union demo_msg msg;
	int clients = 0;
	int quitting = 0;
	int served = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	att = name_attach(NULL, DEMO_NAME, 0);
	if (att == NULL) {
		perror("demo_server: name_attach");
		return 1;
	}
	printf("server: pid %d serving \"%s\" on channel %d\n", getpid(),
	    DEMO_NAME, att->chid);
	printf("server: ready\n");
	for (;;) {
		struct _msg_info info;
		rcvid_t rcvid = MsgReceive(att->chid, &msg, sizeof(msg), &info);

		if (rcvid == -1) {
			perror("server: MsgReceive");
			break;
		}
		if (rcvid == 0) {
			switch (msg.pulse.code) {
			case _PULSE_CODE_DISCONNECT:
				printf("server: client connection %#x went away\n",
				    (unsigned) msg.pulse.scoid);
				ConnectDetach(msg.pulse.scoid);
				clients--;
				break;
			case _PULSE_CODE_UNBLOCK:
				MsgError(msg.pulse.value.sival_int, EINTR);
				break;
			default:
				printf("server: pulse code %d value %d from "
				       "connection %#x\n",
				    msg.pulse.code, msg.pulse.value.sival_int,
				    (unsigned) msg.pulse.scoid);
				break;
			}
			if (quitting && clients <= 0) {
				break;
			}
			continue;
		}
		if (msg.hdr.type == _IO_CONNECT) {
			MsgReply(rcvid, EOK, NULL, 0);
			continue;
		}
		switch (msg.hdr.type) {
		case MSG_HELLO: {
			char reply[128];
			struct _client_info ci;

			if (msg.hello.first) {
				clients++;
			}
			ConnectClientInfo(info.scoid, &ci, 0);
			snprintf(reply, sizeof(reply),
			    "hello %s (pid %d, tid %d, uid %d)", msg.hello.who,
			    info.pid, info.tid, (int) ci.cred.euid);
			printf("server: %s says hello, %d bytes\n",
			    msg.hello.who, info.msglen);
			MsgReply(rcvid, ++served, reply, strlen(reply) + 1);
			break;
		}
		case MSG_SUBSCRIBE: {
			struct sigevent ev = msg.sub.event;

			printf("server: pid %d subscribed; replying now, "
			       "event follows\n",
			    info.pid);
			MsgReply(rcvid, EOK, NULL, 0);
			if (MsgDeliverEvent(rcvid, &ev) == -1) {
				perror("server: MsgDeliverEvent");
			}
			break;
		}
		case MSG_QUIT:
			printf("server: asked to quit\n");
			MsgReply(rcvid, EOK, NULL, 0);
			quitting = 1;
			break;
		default:
			MsgError(rcvid, ENOSYS);
			break;
		}
		if (quitting && clients <= 0) {
			break;
		}
	}
	name_detach(att, 0);
	printf("server: done, served %d hellos\n", served);
	return 0;
}
