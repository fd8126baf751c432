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
 *
 * `demo_server --net FILE` is the server of the two-node part of the
 * demo: names are per node, so it creates a plain channel and writes
 * "pid chid" to FILE for the client on the other node.  For each message
 * it prints who sent it and from which node (_msg_info and
 * ConnectClientInfo); it exits once asked to quit and a pulse arrived
 * (or once asked to quit, if the client may not send it pulses).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/dispatch.h>
#include <sys/netmgr.h>
#include <sys/neutrino.h>

#include "demo.h"

/* The name of node nd (as this node calls it), or "?". */
static const char *
node_name(int nd, char *buf, size_t size)
{
	if (netmgr_ndtostr(0, nd, buf, size) == -1) {
		snprintf(buf, size, "?");
	}
	return buf;
}

/* Writes "pid chid" to file, atomically (a temporary name, then rename). */
static int
publish(const char *file, int chid)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	f = fopen(tmp, "w");
	if (f == NULL || fprintf(f, "%d %d\n", (int) getpid(), chid) < 0 ||
	    fclose(f) != 0 || rename(tmp, file) != 0) {
		perror("server: writing pid and chid");
		return -1;
	}
	return 0;
}

static int
serve_net(const char *file)
{
	union demo_msg msg;
	char me[64];
	char from[64];
	int quitting = 0;
	int pulses = 0;
	int noted = 0;
	int no_pulse = 0;
	int chid;

	chid = ChannelCreate(0);
	if (chid == -1) {
		perror("server: ChannelCreate");
		return 1;
	}
	printf("server: on node %s, pid %d, channel %d\n",
	    node_name(ND_LOCAL_NODE, me, sizeof(me)), getpid(), chid);
	if (publish(file, chid) == -1) {
		return 1;
	}
	while (!quitting || (pulses == 0 && !no_pulse)) {
		struct _msg_info info;
		struct _client_info ci;
		rcvid_t rcvid = MsgReceive(chid, &msg, sizeof(msg), &info);

		if (rcvid == -1) {
			if (errno == EINTR) {
				continue;
			}
			perror("server: MsgReceive");
			return 1;
		}
		if (rcvid == 0) {
			if (msg.pulse.code == _PULSE_CODE_DISCONNECT) {
				ConnectDetach(msg.pulse.scoid);
			} else if (msg.pulse.code == _PULSE_CODE_UNBLOCK) {
				MsgError(msg.pulse.value.sival_int, EINTR);
			} else if (msg.pulse.code >= _PULSE_CODE_MINAVAIL) {
				int ok = ConnectClientInfo(msg.pulse.scoid, &ci,
				    0) == 0;

				printf("server: pulse code %d value %d from "
				       "node %s\n",
				    msg.pulse.code, msg.pulse.value.sival_int,
				    ok ? node_name(ci.nd, from, sizeof(from))
				       : "?");
				pulses++;
			}
			continue;
		}
		if (ConnectClientInfo(info.scoid, &ci, 0) == -1) {
			perror("server: ConnectClientInfo");
			MsgError(rcvid, EPERM);
			continue;
		}
		node_name(info.nd, from, sizeof(from));
		switch (msg.hdr.type) {
		case MSG_HELLO: {
			char reply[128];

			msg.hello.who[sizeof(msg.hello.who) - 1] = '\0';
			printf("server: %s on node %s (nd %u), pid %d tid %d, "
			       "uid %d gid %d\n",
			    msg.hello.who, from, (unsigned) info.nd, info.pid,
			    info.tid, (int) ci.cred.euid, (int) ci.cred.egid);
			if (!noted && info.nd != ND_LOCAL_NODE) {
				printf("server: (a remote root gets uid 65534, "
				       "nobody: axond --maproot)\n");
				/* MsgSendPulse(3): a pulse needs root or the
				 * server's uid; others' pulses are dropped. */
				if (ci.cred.euid != 0 &&
				    ci.cred.euid != geteuid() &&
				    ci.cred.ruid != geteuid()) {
					printf("server: (uid %d may not pulse a "
					       "uid %d server: its pulse is "
					       "dropped)\n",
					    (int) ci.cred.euid, (int) geteuid());
					no_pulse = 1;
				}
				noted = 1;
			}
			snprintf(reply, sizeof(reply), "hello %s, from %s",
			    msg.hello.who, me);
			MsgReply(rcvid, EOK, reply, strlen(reply) + 1);
			break;
		}
		case MSG_QUIT:
			printf("server: node %s pid %d asked to quit\n", from,
			    info.pid);
			MsgReply(rcvid, EOK, NULL, 0);
			quitting = 1;
			break;
		default:
			MsgError(rcvid, ENOSYS);
			break;
		}
	}
	ChannelDestroy(chid);
	unlink(file);
	printf("server: done\n");
	return 0;
}

int
main(int argc, char **argv)
{
	name_attach_t *att;
	union demo_msg msg;
	int clients = 0;
	int quitting = 0;
	int served = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "--net") == 0) {
		return serve_net(argv[2]);
	}
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
			printf("server: %s says hello, %ld bytes\n",
			    msg.hello.who, (long) info.msglen);
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
