/* SPDX-License-Identifier: MIT */
/*
 * The C server the Python tests talk to.  Usage:
 *   c_server [-n NAME [-g]] [-e]
 * Creates a channel (or, with -n, attaches NAME, global with -g), prints
 * "pid chid" on stdout and serves.  With -e it is a bare echo server
 * (the benchmark's: every message back, status 0, as bench/axon_rr.c's
 * server).  Otherwise a message is a struct op header and its payload:
 *
 *   OP_ECHO    reply the payload, status = its length
 *   OP_ERROR   MsgError(arg)
 *   OP_READ    reply MsgRead(rcvid, arg2 bytes at offset arg)
 *   OP_WRITE   MsgWrite(payload at offset arg), reply status = written
 *   OP_DIE     exit without replying (the client gets ESRCH)
 *   OP_PULSES  reply the pulses received so far ("code:value ..." text)
 *   OP_EVENT   the payload is a struct sigevent: reply, then deliver it
 *   OP_INFO    reply this message's struct _msg_info
 *   OP_HOLD    never reply (for timeouts)
 *   OP_QUIT    reply, exit
 * _IO_CONNECT from name_open() is answered with EOK, disconnect pulses
 * with ConnectDetach().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/dispatch.h>
#include <sys/neutrino.h>

enum {
	OP_ECHO = 1, OP_ERROR, OP_READ, OP_WRITE, OP_DIE, OP_PULSES,
	OP_EVENT, OP_INFO, OP_HOLD, OP_QUIT
};

struct op {
	uint32_t op;
	uint32_t arg;
	uint32_t arg2;
	uint32_t pad;
};

#define BUFSZ 65536

static char pulses[4096];

int
main(int argc, char **argv)
{
	const char *name = NULL;
	unsigned flags = 0;
	int echo = 0;
	int chid;
	int o;
	static char buf[BUFSZ];
	static char out[BUFSZ * 4];

	while ((o = getopt(argc, argv, "n:ge")) != -1) {
		switch (o) {
		case 'n':
			name = optarg;
			break;
		case 'g':
			flags |= NAME_FLAG_ATTACH_GLOBAL;
			break;
		case 'e':
			echo = 1;
			break;
		default:
			return 2;
		}
	}
	if (name != NULL) {
		name_attach_t *att = name_attach(NULL, name, flags);

		if (att == NULL) {
			perror("c_server: name_attach");
			return 1;
		}
		chid = att->chid;
	} else {
		chid = ChannelCreate(0);
		if (chid == -1) {
			perror("c_server: ChannelCreate");
			return 1;
		}
	}
	printf("%d %d\n", (int) getpid(), chid);
	fflush(stdout);
	for (;;) {
		struct _msg_info info;
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), &info);
		struct op *op = (struct op *) buf;
		struct _pulse *p = (struct _pulse *) buf;

		if (r == -1) {
			perror("c_server: MsgReceive");
			return 1;
		}
		if (echo && r > 0) {
			MsgReply(r, 0, buf, (size_t) info.msglen);
			continue;
		}
		if (r == 0) {
			size_t l = strlen(pulses);

			if (p->code == _PULSE_CODE_DISCONNECT) {
				ConnectDetach(p->scoid);
			} else if (l < sizeof(pulses) - 32) {
				snprintf(pulses + l, sizeof(pulses) - l,
				    "%d:%d ", p->code, p->value.sival_int);
			}
			continue;
		}
		if (info.msglen >= 2 && p->type == _IO_CONNECT) {
			MsgReply(r, EOK, NULL, 0);
			continue;
		}
		if (info.msglen < (int) sizeof(*op)) {
			MsgError(r, EINVAL);
			continue;
		}
		char *pay = buf + sizeof(*op);
		size_t plen = (size_t) info.msglen - sizeof(*op);

		switch (op->op) {
		case OP_ECHO:
			MsgReply(r, (long) plen, pay, plen);
			break;
		case OP_ERROR:
			MsgError(r, (int) op->arg);
			break;
		case OP_READ: {
			size_t n = op->arg2 < sizeof(out) ? op->arg2
							  : sizeof(out);
			ssize_t got = MsgRead(r, out, n, op->arg);

			if (got < 0) {
				MsgError(r, errno);
			} else {
				MsgReply(r, got, out, (size_t) got);
			}
			break;
		}
		case OP_WRITE: {
			ssize_t w = MsgWrite(r, pay, plen, op->arg);

			if (w < 0) {
				MsgError(r, errno);
			} else {
				MsgReply(r, w, NULL, 0);
			}
			break;
		}
		case OP_DIE:
			_exit(3);
		case OP_PULSES:
			MsgReply(r, 0, pulses, strlen(pulses));
			break;
		case OP_EVENT: {
			struct sigevent ev;

			if (plen < sizeof(ev)) {
				MsgError(r, EINVAL);
				break;
			}
			memcpy(&ev, pay, sizeof(ev));
			MsgReply(r, 0, NULL, 0);
			if (MsgDeliverEvent(r, &ev) == -1) {
				perror("c_server: MsgDeliverEvent");
			}
			break;
		}
		case OP_INFO:
			MsgReply(r, 0, &info, sizeof(info));
			break;
		case OP_HOLD:
			break;
		case OP_QUIT:
			MsgReply(r, 0, NULL, 0);
			return 0;
		default:
			MsgError(r, ENOSYS);
			break;
		}
	}
}
