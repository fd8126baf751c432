/* SPDX-License-Identifier: MIT */
/* One example frame of each type, shared by the golden-frame test and the
 * fuzzing seed generator. */
#ifndef AXON_TESTS_WIRE_FRAMES_H
#define AXON_TESTS_WIRE_FRAMES_H

#include <string.h>

#include "wire.h"

static const uint8_t wf_data[] = "hello, node";

static int
wf_example(unsigned type, struct axon_wire_frame *f)
{
	memset(f, 0, sizeof(*f));
	f->type = (uint8_t) type;
	f->conn = 7;
	f->msg = 0x0102;
	switch (type) {
	case AXON_W_HELLO:
		f->conn = 0;
		f->msg = 0;
		f->u.hello.proto_min = 1;
		f->u.hello.proto_max = 1;
		f->u.hello.nonce = 0x1122334455667788ull;
		strcpy(f->u.hello.node, "alpha");
		break;
	case AXON_W_AUTH:
		for (int i = 0; i < 32; i++) {
			f->u.auth.mac[i] = (uint8_t) i;
		}
		break;
	case AXON_W_AUTH_OK:
	case AXON_W_DISCONNECT:
	case AXON_W_RECEIVED:
		break;
	case AXON_W_PING:
	case AXON_W_PONG:
		f->u.ping.stamp = 123456789;
		break;
	case AXON_W_BYE:
		f->u.bye.reason = 0;
		break;
	case AXON_W_NODEINFO:
		f->conn = 0;
		f->msg = 0;
		f->u.nodeinfo.your_nd = 3;
		break;
	case AXON_W_CONNECT_CRED:
		f->u.connect.pid = 4242;
		f->u.connect.chid = 1;
		f->u.connect.client_pid = 99;
		f->u.connect.cred.ruid = 1000;
		f->u.connect.cred.euid = 1000;
		f->u.connect.cred.suid = 1000;
		f->u.connect.cred.rgid = 100;
		f->u.connect.cred.egid = 100;
		f->u.connect.cred.sgid = 100;
		f->u.connect.cred.ngroups = 2;
		f->u.connect.cred.groups[0] = 100;
		f->u.connect.cred.groups[1] = 27;
		break;
	case AXON_W_CONNECT_SUCCESS:
		f->u.connected.scoid = 0x40008000;
		f->u.connected.chflags = 0x0a;
		f->u.connected.max_ship = AXON_WIRE_SHIP;
		break;
	case AXON_W_CONNECT_FAIL:
	case AXON_W_SERVER_GONE:
	case AXON_W_MSGREAD_FAIL:
		f->u.fail.err = 3; /* ESRCH */
		break;
	case AXON_W_MSGSEND:
	case AXON_W_MSGSEND_CRED:
		f->flags = AXON_WF_FIRST | AXON_WF_LAST;
		f->u.send.tid = 77;
		f->u.send.coid = 0x40000000;
		f->u.send.prio = 10;
		f->u.send.sbytes = sizeof(wf_data);
		f->u.send.rbytes = 64;
		f->data = wf_data;
		f->data_len = sizeof(wf_data);
		if (type == AXON_W_MSGSEND_CRED) {
			f->u.send.cred.euid = 65534;
			f->u.send.cred.ngroups = 1;
			f->u.send.cred.groups[0] = 65534;
		}
		break;
	case AXON_W_MSGREPLY:
		f->flags = AXON_WF_FIRST | AXON_WF_LAST;
		f->u.reply.status = 42;
		f->u.reply.total = sizeof(wf_data);
		f->data = wf_data;
		f->data_len = sizeof(wf_data);
		break;
	case AXON_W_MSGREAD:
		f->offset = 8192;
		f->u.read.len = 65536;
		break;
	case AXON_W_MSGREAD_SUCCESS:
	case AXON_W_MSGWRITE:
		f->offset = 8192;
		f->data = wf_data;
		f->data_len = sizeof(wf_data);
		break;
	case AXON_W_UNBLOCK:
		f->u.unblock.reason = 110; /* ETIMEDOUT */
		break;
	case AXON_W_EVENT:
		f->u.event.tid = 77;
		f->u.event.notify = 0x43; /* SIGEV_PULSE */
		f->u.event.signo = 0x40000001 & 0; /* coid travels elsewhere */
		f->u.event.prio = 10;
		f->u.event.code = 5;
		f->u.event.value = 1234;
		break;
	case AXON_W_PULSE:
		f->u.pulse.prio = 10;
		f->u.pulse.code = 1;
		f->u.pulse.value = -1;
		break;
	case AXON_W_NAMES: {
		static uint8_t entry[AXON_WIRE_NAME_ENTRY];
		struct axon_wire_name n = {.pid = 4242, .chid = 1,
		    .stamp = 1764640000000000000ull};

		strcpy(n.name, "demo/server");
		axon__wire_name_put(entry, &n);
		f->conn = 0;
		f->msg = 0;
		f->flags = AXON_WF_FIRST | AXON_WF_LAST;
		f->u.names.count = 1;
		f->data = entry;
		f->data_len = sizeof(entry);
		break;
	}
	case AXON_W_PS_REQ:
		f->conn = 0;
		f->u.ps.pid = 0;
		break;
	case AXON_W_PS_ANS:
	case AXON_W_NODES_ANS:
		f->conn = 0;
		f->flags = AXON_WF_FIRST | AXON_WF_LAST;
		f->data = wf_data;
		f->data_len = sizeof(wf_data);
		break;
	case AXON_W_NODES_REQ:
		f->conn = 0;
		break;
	case AXON_W_PATH_REQ: {
		static const uint8_t path[] = "/dev/sample";

		f->conn = 0;
		f->flags = AXON_WF_FIRST | AXON_WF_LAST;
		f->u.path.op = AXON_WIRE_PATH_RESOLVE;
		f->u.path.ftype = 0; /* _FTYPE_ANY */
		f->data = path;
		f->data_len = sizeof(path);
		break;
	}
	case AXON_W_PATH_ANS: {
		static const uint8_t text[] = "4242 1 3 0 0 \n";

		f->conn = 0;
		f->flags = AXON_WF_FIRST | AXON_WF_LAST;
		f->data = text;
		f->data_len = sizeof(text) - 1;
		break;
	}
	case AXON_W_TRACE_REQ:
		f->conn = 2; /* the node asked, as this one names it */
		f->u.trace.op = AXON_WIRE_TRACE_START;
		f->u.trace.seconds = 5;
		break;
	case AXON_W_TRACE_ANS: {
		static const uint8_t text[] = "now 1 lost 0\n";

		f->conn = 0;
		f->flags = AXON_WF_FIRST | AXON_WF_LAST;
		f->data = text;
		f->data_len = sizeof(text) - 1;
		break;
	}
	case AXON_W_SPAWN: {
		static const uint8_t strs[] = "/tmp\0echo\0hi\0PATH=/bin";

		f->msg = 0;
		f->flags = AXON_WF_FIRST | AXON_WF_LAST;
		f->u.spawn.argc = 2;
		f->u.spawn.envc = 1;
		f->u.spawn.cred.ruid = 1000;
		f->u.spawn.cred.euid = 1000;
		f->u.spawn.cred.suid = 1000;
		f->u.spawn.cred.rgid = 100;
		f->u.spawn.cred.egid = 100;
		f->u.spawn.cred.sgid = 100;
		f->data = strs;
		f->data_len = sizeof(strs);
		break;
	}
	case AXON_W_SPAWN_OK:
		f->msg = 0;
		f->u.spawned.pid = 4243;
		break;
	case AXON_W_STDIO:
		f->msg = 0;
		f->u.stdio.fd = 1;
		f->offset = 0;
		f->data = wf_data;
		f->data_len = sizeof(wf_data);
		break;
	case AXON_W_STDIO_ACK:
		f->msg = 0;
		f->u.ack.fd = 1;
		f->u.ack.bytes = 65536;
		break;
	case AXON_W_EXIT:
		f->msg = 0;
		f->u.exit.code = 3;
		break;
	case AXON_W_KILL:
		f->msg = 0;
		f->u.kill.signo = 2;
		break;
	default:
		return -1;
	}
	return 0;
}

#endif /* AXON_TESTS_WIRE_FRAMES_H */
