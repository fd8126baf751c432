/* SPDX-License-Identifier: MIT */
/*
 * The message-passing test server of test_net.c and test_netfault.c: a
 * process on a node that does what each message (struct srv_cmd) asks,
 * and reports the pulses and the messages it holds on its pipe (struct
 * srv_report).  Built on axn_srv (net_test.h).
 */
#ifndef AXON_TESTS_NET_SRV_H
#define AXON_TESTS_NET_SRV_H

#include "net_test.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/prctl.h>

enum srv_op {
	OP_ECHO = 1,  /* reply with the message */
	OP_INFO,      /* reply with struct who */
	OP_ERROR,     /* MsgError(a) */
	OP_STATUS,    /* MsgReply with status a */
	OP_BIG,       /* check a pattern of b bytes; MsgWrite a reply of a */
	OP_HOLD,      /* never reply; report the rcvid */
	OP_EVENT,     /* reply, then deliver the event in the message */
	OP_SLOW,      /* reply after a ms */
	OP_LAYOUT,    /* a reply of a bytes in overlapping writes (b: error) */
	OP_UNBLOCK,   /* deliver SIGEV_UNBLOCK, then reply at once */
};

struct srv_cmd {
	int op;
	int a;
	int b;
	struct sigevent ev;
};

struct who {
	struct _msg_info info;
	struct _client_info ci;
	/* ConnectClientInfoExt()'s groups: its count, and up to 32. */
	int ext_err;
	uint32_t ext_ngroups;
	gid_t ext_groups[32];
};

/* What the server reports on its pipe. */
struct srv_report {
	int kind; /* 0 pulse, 1 message held, 2 any other message */
	int code;
	int value;
	int scoid;
};

/* Servers started from now on report every message they do not hold
 * too (kind 2, code the op), not only pulses and held messages. */
static bool srv_report_every;

static inline uint8_t
srv_pattern(size_t i)
{
	return (uint8_t) (i * 7u + (i >> 12));
}

/* OP_BIG: reads the whole message back at odd offsets and checks it;
 * replies with the pattern, written in pieces from the end. */
static inline void
srv_big(rcvid_t rcvid, const struct srv_cmd *cmd)
{
	size_t n = (size_t) cmd->b;
	uint8_t *m = malloc(n);
	size_t off = 0;
	int bad = 0;

	while (off < n) {
		size_t chunk = 7777 + off % 100000;
		ssize_t got = MsgRead(rcvid, m + off,
		    chunk > n - off ? n - off : chunk, off);

		if (got <= 0) {
			bad = 1;
			break;
		}
		off += (size_t) got;
	}
	for (size_t i = sizeof(*cmd); !bad && i < n; i++) {
		bad |= m[i] != srv_pattern(i);
	}
	free(m);
	size_t rn = (size_t) cmd->a;
	uint8_t *rb = malloc(rn + 1);
	for (size_t i = 0; i < rn; i++) {
		rb[i] = srv_pattern(i + 3);
	}
	size_t half = rn / 2;
	MsgWrite(rcvid, rb + half, rn - half, half);
	MsgReply(rcvid, bad ? -1 : 1234, rb, half);
	free(rb);
}

/* OP_LAYOUT's reply of n bytes as the client must see it. */
static inline uint8_t
srv_layout_byte(size_t i, size_t n)
{
	return i >= n / 4 && i < n / 8 * 7 ? srv_pattern(i + 5)
					   : srv_pattern(i + 3);
}

/* OP_LAYOUT: a reply of a bytes written as [0, a/2), [3a/4, a), then
 * [a/4, 7a/8) over both with other bytes: two extents that overlap,
 * the second shipped behind the first (a client that copies a remote
 * reply as it comes must not keep what it copied early).  Then
 * MsgReply, or MsgError(b) if b is not 0. */
static inline void
srv_layout(rcvid_t rcvid, const struct srv_cmd *cmd)
{
	size_t n = (size_t) cmd->a;
	uint8_t *rb = malloc(n + 1);

	for (size_t i = 0; i < n; i++) {
		rb[i] = srv_pattern(i + 3);
	}
	MsgWrite(rcvid, rb, n / 2, 0);
	MsgWrite(rcvid, rb + n / 4 * 3, n - n / 4 * 3, n / 4 * 3);
	for (size_t i = n / 4; i < n / 8 * 7; i++) {
		rb[i] = srv_pattern(i + 5);
	}
	MsgWrite(rcvid, rb + n / 4, n / 8 * 7 - n / 4, n / 4);
	if (cmd->b != 0) {
		MsgError(rcvid, cmd->b);
	} else {
		MsgReply(rcvid, 4321, NULL, 0);
	}
	free(rb);
}

/* A server child's start (axn_srv_start): its channel, the child killed
 * with its parent, the chid reported to the test.  The chid. */
static inline int
srv_chan_open(int wfd, int chflags)
{
	int chid = ChannelCreate(chflags);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (write(wfd, &chid, sizeof(chid)) != sizeof(chid)) {
		_exit(1);
	}
	return chid;
}
/* arg: the channel flags (int). */
static inline void
srv_main(int wfd, void *arg)
{
	static uint8_t buf[65536];
	int chid = srv_chan_open(wfd, *(const int *) arg);

	for (;;) {
		struct _msg_info info;
		rcvid_t rcvid = MsgReceive(chid, buf, sizeof(buf), &info);
		struct srv_cmd cmd;
		struct srv_report r = {0};

		if (rcvid < 0 && errno == EINTR) {
			continue; /* (stopped and continued: epoll_wait) */
		}
		if (rcvid < 0) {
			_exit(2);
		}
		if (rcvid == 0) {
			struct _pulse *p = (struct _pulse *) buf;

			r.kind = 0;
			r.code = p->code;
			r.value = p->value.sival_int;
			r.scoid = p->scoid;
			(void) !write(wfd, &r, sizeof(r));
			if (p->code == _PULSE_CODE_DISCONNECT) {
				ConnectDetach(p->scoid);
			}
			continue;
		}
		memset(&cmd, 0, sizeof(cmd));
		memcpy(&cmd, buf, (size_t) info.msglen < sizeof(cmd)
			? (size_t) info.msglen
			: sizeof(cmd));
		if (srv_report_every && cmd.op != OP_HOLD) {
			r.kind = 2;
			r.code = cmd.op;
			(void) !write(wfd, &r, sizeof(r));
		}
		switch (cmd.op) {
		case OP_ECHO:
			MsgReply(rcvid, info.srcmsglen, buf, info.msglen);
			break;
		case OP_INFO: {
			struct who w;

			struct _client_info *ext = NULL;

			memset(&w, 0, sizeof(w));
			w.info = info;
			ConnectClientInfo(info.scoid, &w.ci, __NGROUPS_MAX);
			if (ConnectClientInfoExt(info.scoid, &ext,
			    _NTO_CLIENTINFO_GETGROUPS) != 0) {
				w.ext_err = errno;
			} else {
				w.ext_ngroups = ext->cred.ngroups;
				for (uint32_t i = 0; i < ext->cred.ngroups &&
				     i < 32; i++) {
					w.ext_groups[i] =
					    ext->cred.grouplist[i];
				}
				(void) ClientInfoExtFree(&ext);
			}
			MsgReply(rcvid, 0, &w, sizeof(w));
			break;
		}
		case OP_ERROR:
			MsgError(rcvid, cmd.a);
			break;
		case OP_STATUS:
			MsgReply(rcvid, cmd.a, NULL, 0);
			break;
		case OP_BIG:
			srv_big(rcvid, &cmd);
			break;
		case OP_HOLD:
			r.kind = 1;
			r.value = (int) rcvid;
			(void) !write(wfd, &r, sizeof(r));
			break;
		case OP_EVENT:
			MsgReply(rcvid, 0, NULL, 0);
			MsgDeliverEvent(rcvid, &cmd.ev);
			break;
		case OP_LAYOUT:
			srv_layout(rcvid, &cmd);
			break;
		case OP_SLOW:
			axt_sleep_ms(cmd.a);
			MsgReply(rcvid, 0, NULL, 0);
			break;
		case OP_UNBLOCK: {
			struct sigevent ev;

			SIGEV_UNBLOCK_INIT(&ev);
			MsgDeliverEvent(rcvid, &ev);
			MsgReply(rcvid, 1, NULL, 0);
			break;
		}
		default:
			MsgError(rcvid, ENOSYS);
			break;
		}
	}
}

/* Starts a server on node i. */
static inline struct axn_srv
srv_start(int i, int chflags)
{
	return axn_srv_start(i, srv_main, &chflags);
}

/* Reads one report (bounded by ms, not scaled). */
static inline int
srv_report(struct axn_srv *s, struct srv_report *r, int ms)
{
	return axn_srv_read(s, r, sizeof(*r), ms);
}

/* Connects this process (on node alpha) to s (on node beta). */
static inline int
srv_attach(const struct axn_srv *s)
{
	int coid = ConnectAttach((uint32_t) axn_nd(0, 1), s->pid, s->chid,
	    _NTO_SIDE_CHANNEL, 0);

	ck_assert_int_ge(coid, 0);
	return coid;
}

/* Two nodes up; a server on beta; this process on alpha, connected. */
static inline int
two_nodes(struct axn_srv *s, int chflags)
{
	axn_start(0);
	axn_start(1);
	*s = srv_start(1, chflags);
	axn_enter(0);
	return srv_attach(s);
}

#endif /* AXON_TESTS_NET_SRV_H */
