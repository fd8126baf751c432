/* SPDX-License-Identifier: MIT */
/*
 * The name service, credentials, priorities, and multi-threaded servers
 * and clients.
 */
#include "axon_test.h"

#include <sys/ftype.h>

#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>

/* The canonical QNX name_attach() server loop. */
typedef union {
	uint16_t type;
	struct _pulse pulse;
	struct {
		uint16_t type;
		uint16_t subtype;
		char text[60];
	} m;
} name_msg_t;

static void
named_server(int fd, void *p)
{
	const char *name = p;
	name_attach_t *att = name_attach(NULL, name, 0);
	name_msg_t msg;

	axt_report(fd, att != NULL ? att->chid : -errno);
	if (att == NULL) {
		_exit(1);
	}
	for (;;) {
		rcvid_t r = MsgReceive(att->chid, &msg, sizeof(msg), NULL);

		if (r == -1) {
			_exit(2);
		}
		if (r == 0) {
			switch (msg.pulse.code) {
			case _PULSE_CODE_DISCONNECT:
				ConnectDetach(msg.pulse.scoid);
				break;
			case _PULSE_CODE_UNBLOCK:
				MsgError(msg.pulse.value.sival_int, EINTR);
				break;
			default:
				break;
			}
			continue;
		}
		if (msg.type == _IO_CONNECT) {
			MsgReply(r, EOK, NULL, 0);
			continue;
		}
		if (msg.type > _IO_BASE && msg.type <= _IO_MAX) {
			MsgError(r, ENOSYS);
			continue;
		}
		if (msg.type == 0x42) {
			MsgReply(r, EOK, NULL, 0);
			name_detach(att, 0);
			_exit(0);
		}
		MsgReply(r, 7, msg.m.text, sizeof(msg.m.text));
	}
}

START_TEST(test_name_attach_open)
{
	struct axt_child srv = axt_spawn(named_server, "svc/one");
	name_msg_t msg = {.m = {.type = 1, .text = "hi"}};
	char reply[60];
	int coid;

	ck_assert_int_gt(srv.val, 0);
	coid = name_open("svc/one", 0);
	ck_assert_int_ge(coid, 0);
	ck_assert(coid & _NTO_SIDE_CHANNEL);
	ck_assert_int_eq(MsgSend(coid, &msg, sizeof(msg), reply, sizeof(reply)),
	    7);
	ck_assert_str_eq(reply, "hi");
	/* _IO_* messages are answered as the canonical loop does. */
	msg.type = _IO_CONNECT;
	ck_assert_int_eq(MsgSend(coid, &msg, sizeof(msg), NULL, 0), EOK);
	msg.type = _IO_READ;
	ck_assert_int_eq(MsgSend(coid, &msg, sizeof(msg), NULL, 0), -1);
	ck_assert_int_eq(errno, ENOSYS);
	ck_assert_int_eq(name_close(coid), 0);

	/* The connection flags name_open is given are the connection's. */
	coid = name_open("svc/one", _NAME_FLAG_COF_NOEVENT |
		_NAME_FLAG_COF_REG_EVENTS | _NAME_FLAG_COF_CLOEXEC);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(ConnectFlags(0, coid, 0, 0) &
			     (_NTO_COF_NOEVENT | _NTO_COF_REG_EVENTS |
				 _NTO_COF_CLOEXEC),
	    _NTO_COF_NOEVENT | _NTO_COF_REG_EVENTS | _NTO_COF_CLOEXEC);
	ck_assert_int_eq(name_close(coid), 0);

	/* The name is taken while the server lives. */
	ck_assert_ptr_null(name_attach(NULL, "svc/one", 0));
	ck_assert_int_eq(errno, EEXIST);

	/* name_detach removes it. */
	coid = name_open("svc/one", 0);
	msg.type = 0x42;
	ck_assert_int_eq(MsgSend(coid, &msg, sizeof(msg), NULL, 0), EOK);
	ck_assert_int_ne(axt_child_wait(&srv, 5), -1);
	ck_assert_int_eq(name_open("svc/one", 0), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_name_stale_and_missing)
{
	struct axt_child srv = axt_spawn(named_server, "stale");
	name_attach_t *att;

	ck_assert_int_gt(srv.val, 0);
	axt_child_kill(&srv); /* dies without name_detach */
	ck_assert_int_eq(name_open("stale", 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	att = name_attach(NULL, "stale", 0); /* the stale entry is replaced */
	ck_assert_ptr_nonnull(att);
	ck_assert_int_eq(name_detach(att, 0), 0);
	ck_assert_int_eq(name_open("missing", 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(name_attach(NULL, NULL, 0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(name_attach(NULL, "", 0));
	ck_assert_ptr_null(name_attach(NULL, "/abs", 0));
	ck_assert_ptr_null(name_attach(NULL, "a/../b", 0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(name_open("..", 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(name_detach(NULL, 0), -1);
}
END_TEST

static void
client_then_die(int fd, void *p)
{
	int coid = name_open(p, 0);
	name_msg_t msg = {.m = {.type = 1}};

	axt_report(fd, coid);
	MsgSend(coid, &msg, sizeof(msg), NULL, 0);
	_exit(0);
}

START_TEST(test_name_channel_disconnect)
{
	name_attach_t *att = name_attach(NULL, "disc", 0);
	struct axt_child c;
	name_msg_t msg;
	rcvid_t r;
	int p[2];

	ck_assert_ptr_nonnull(att);
	/* The client's name_open() waits for our answer to its connect:
	 * it is started without waiting for its report. */
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		client_then_die(p[1], "disc");
		_exit(0);
	}
	(void) close(p[1]);
	r = MsgReceive(att->chid, &msg, sizeof(msg), NULL);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(msg.type, _IO_CONNECT); /* as QNX's name_open() */
	MsgReply(r, EOK, NULL, 0);
	ck_assert_int_eq(read(p[0], &c.val, sizeof(c.val)), sizeof(c.val));
	(void) close(p[0]);
	ck_assert_int_ge(c.val, 0);
	r = MsgReceive(att->chid, &msg, sizeof(msg), NULL);
	ck_assert_int_gt(r, 0);
	MsgReply(r, 0, NULL, 0);
	ck_assert_int_ne(axt_child_wait(&c, 5), -1);
	ck_assert_int_eq(MsgReceive(att->chid, &msg, sizeof(msg), NULL), 0);
	ck_assert_int_eq(msg.pulse.code, _PULSE_CODE_DISCONNECT);
	ck_assert_int_eq(ConnectDetach(msg.pulse.scoid), 0);
	ck_assert_int_eq(name_detach(att, 0), 0);
}
END_TEST

/* A server that refuses opens: name_open() fails as open() would. */
static void
refusing_server(int fd, void *p)
{
	name_attach_t *att = name_attach(NULL, p, 0);
	name_msg_t msg;

	axt_report(fd, att != NULL ? att->chid : -errno);
	for (;;) {
		rcvid_t r = MsgReceive(att->chid, &msg, sizeof(msg), NULL);

		if (r > 0 && msg.type == _IO_CONNECT) {
			struct _io_connect *c = (struct _io_connect *) &msg;

			/* What QNX's name_open() sends. */
			MsgError(r, c->subtype == _IO_CONNECT_OPEN &&
			    c->file_type == _FTYPE_NAME &&
			    c->ioflag == (O_RDWR + 1) && c->path_len == 1 ?
			    EACCES : EINVAL);
		} else if (r > 0) {
			MsgError(r, ENOSYS);
		}
	}
}

START_TEST(test_name_open_connect)
{
	struct axt_child s = axt_spawn(refusing_server, "refuser");
	int fds;

	ck_assert_int_ge(s.val, 0);
	ck_assert_int_eq(name_open("refuser", 0), -1);
	ck_assert_int_eq(errno, EACCES);
	/* The library's own descriptors are made by now: a second refusal
	 * leaves nothing open. */
	fds = axt_fd_settle(0);
	ck_assert_int_eq(name_open("refuser", 0), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(axt_fd_settle(fds), fds);
	axt_child_kill(&s);
}
END_TEST

static void *
dispatch_once(void *arg)
{
	dispatch_context_t *ctp = dispatch_context_alloc(arg);

	if (ctp != NULL && (ctp = dispatch_block(ctp)) != NULL) {
		(void) dispatch_handler(ctp);
	}
	dispatch_context_free(ctp);
	return NULL;
}

START_TEST(test_dispatch_saved)
{
	dispatch_t *dpp = dispatch_create();
	name_attach_t *att;
	int coid;
	char buf[8];

	ck_assert_ptr_nonnull(dpp);
	att = name_attach(dpp, "withdpp", 0);
	ck_assert_ptr_nonnull(att);
	ck_assert_ptr_eq(att->dpp, dpp);
	/* A dispatch-based server answers name_open()'s _IO_CONNECT in
	 * dispatch_handler(), as QNX's name layer does. */
	{
		pthread_t t;

		ck_assert_int_eq(pthread_create(&t, NULL, dispatch_once, dpp),
		    0);
		coid = name_open("withdpp", 0);
		ck_assert_int_eq(pthread_join(t, NULL), 0);
	}
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(MsgSendPulse(coid, 10, 3, 0), 0);
	ck_assert_int_eq(MsgReceive(att->chid, buf, sizeof(buf), NULL), -1);
	ck_assert_int_eq(errno, EFAULT); /* buffer smaller than a pulse */
	name_close(coid);
	int chid = att->chid;
	/* SAVEDPP keeps the caller's dispatch (and its channel). */
	ck_assert_int_eq(name_detach(att, NAME_FLAG_DETACH_SAVEDPP), 0);
	ck_assert_int_eq(name_open("withdpp", 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	ConnectDetach(coid);
	ck_assert_int_eq(dispatch_destroy(dpp), 0);
	ck_assert_int_eq(ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(dispatch_destroy(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* name_attach(NULL, ...) makes the first dispatch channel carry
	 * COID_DISCONNECT; a later one cannot, and still works. */
	name_attach_t *a1 = name_attach(NULL, "first", 0);
	name_attach_t *a2 = name_attach(NULL, "second", 0);
	ck_assert_ptr_nonnull(a1);
	ck_assert_ptr_nonnull(a2);
	ck_assert_int_eq(ChannelCreate_r(_NTO_CHF_COID_DISCONNECT), -EBUSY);
	name_detach(a1, 0);
	name_detach(a2, 0);
}
END_TEST

/* ---- credentials ------------------------------------------------------ */

static void
cred_server(int fd, void *p)
{
	int chid = ChannelCreate(0);
	char buf[8];

	(void) p;
	axt_report(fd, chid);
	for (;;) {
		struct _msg_info info;
		struct _client_info ci;
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), &info);

		if (r <= 0) {
			continue;
		}
		memset(&ci, 0, sizeof(ci));
		if (ConnectClientInfo(info.scoid, &ci, 8) == -1) {
			MsgError(r, errno);
			continue;
		}
		MsgReply(r, 0, &ci, sizeof(ci));
	}
}

START_TEST(test_credentials_follow_euid)
{
	struct axt_child srv = axt_spawn(cred_server, NULL);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	struct _client_info ci;

	if (geteuid() != 0) {
		axt_child_kill(&srv);
		return; /* needs root to change euid */
	}
	ck_assert_int_eq(MsgSend(coid, "a", 2, &ci, sizeof(ci)), 0);
	ck_assert_int_eq(ci.pid, getpid());
	ck_assert_uint_eq(ci.cred.euid, 0);
	/* The raw syscall changes only this thread's ids, which is what the
	 * kernel then reports for the process's main thread. */
	ck_assert_int_eq(syscall(SYS_setresuid, -1, 65534, -1), 0);
	ck_assert_int_eq(MsgSend(coid, "b", 2, &ci, sizeof(ci)), 0);
	ck_assert_uint_eq(ci.cred.euid, 65534);
	ck_assert_uint_eq(ci.cred.ruid, 0);
	ck_assert_int_eq(syscall(SYS_setresuid, -1, 0, -1), 0);
	ck_assert_int_eq(MsgSend(coid, "c", 2, &ci, sizeof(ci)), 0);
	ck_assert_uint_eq(ci.cred.euid, 0);
	/* Self and bad scoids. */
	ck_assert_int_eq(ConnectClientInfo(-1, &ci, 0), 0);
	ck_assert_int_eq(ci.pid, getpid());
	ck_assert_int_eq(ConnectClientInfo(1234, &ci, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(ConnectClientInfo_r(_NTO_SIDE_CHANNEL | 999, &ci, 0),
	    -EINVAL);
	axt_child_kill(&srv);
}
END_TEST

/* What ConnectClientInfoExt() says of a sender: its groups' count,
 * sum, smallest and largest, the first 8 of a plain ConnectClientInfo()
 * and its ngroups. */
struct ext_reply {
	int err;
	pid_t pid;
	uint32_t ngroups;
	uint64_t sum;
	gid_t lo, hi;
	uint32_t plain_ngroups;
	gid_t plain[8];
};

static void
ext_server(int fd, void *p)
{
	int chid = ChannelCreate(0);
	char buf[8];

	(void) p;
	axt_report(fd, chid);
	for (;;) {
		struct _msg_info info;
		struct _client_info *ci = NULL;
		struct _client_info plain;
		struct ext_reply rep;
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), &info);

		if (r <= 0) {
			continue;
		}
		memset(&rep, 0, sizeof(rep));
		if (ConnectClientInfoExt(info.scoid, &ci,
		    _NTO_CLIENTINFO_GETGROUPS) == -1 ||
		    ConnectClientInfo(info.scoid, &plain, 8) == -1) {
			MsgError(r, errno);
			continue;
		}
		rep.pid = ci->pid;
		rep.ngroups = ci->cred.ngroups;
		rep.lo = (gid_t) -1;
		for (uint32_t i = 0; i < ci->cred.ngroups; i++) {
			gid_t g = ci->cred.grouplist[i];

			rep.sum += g;
			rep.lo = g < rep.lo ? g : rep.lo;
			rep.hi = g > rep.hi ? g : rep.hi;
		}
		rep.plain_ngroups = plain.cred.ngroups;
		memcpy(rep.plain, plain.cred.grouplist, sizeof(rep.plain));
		if (ClientInfoExtFree(&ci) != 0 || ci != NULL) {
			rep.err = 1;
		}
		MsgReply(r, 0, &rep, sizeof(rep));
	}
}

#define EXT_BASE 700000u /* gids no one has: seven digits each */

/* A client in n groups (EXT_BASE, ...): a long /proc status line. */
static void
ext_client(int fd, void *p)
{
	const int *a = p; /* server pid, chid, n */
	struct ext_reply rep;
	gid_t *gl = calloc((size_t) a[2], sizeof(gid_t));
	uint64_t sum = 0;
	int coid;

	for (int i = 0; i < a[2]; i++) {
		gl[i] = EXT_BASE + (gid_t) i;
		sum += gl[i];
	}
	if (setgroups((size_t) a[2], gl) < 0) {
		axt_report(fd, 98);
		_exit(1);
	}
	coid = ConnectAttach(0, a[0], a[1], _NTO_SIDE_CHANNEL, 0);
	if (coid < 0 || MsgSend(coid, "x", 2, &rep, sizeof(rep)) != 0) {
		axt_report(fd, 1);
		_exit(1);
	}
	if (rep.err != 0 || rep.pid != getpid() ||
	    rep.ngroups != (uint32_t) a[2] || rep.sum != sum ||
	    rep.lo != EXT_BASE || rep.hi != EXT_BASE + (gid_t) a[2] - 1) {
		axt_report(fd, 2);
		_exit(1);
	}
	/* The plain call: every group counted, the first 8 given. */
	if (rep.plain_ngroups != (uint32_t) a[2]) {
		axt_report(fd, 3);
		_exit(1);
	}
	for (int i = 0; i < 8 && i < a[2]; i++) {
		if (rep.plain[i] != EXT_BASE + (gid_t) i) {
			axt_report(fd, 4);
			_exit(1);
		}
	}
	axt_report(fd, 0);
	_exit(0);
}

START_TEST(test_client_info_ext)
{
	struct _client_info *ci = NULL;
	struct _client_info plain;
	struct _client_info *pp = &plain;
	gid_t mine[512];
	int n = getgroups(512, mine);

	/* The calling process: every group, in a structure to free. */
	ck_assert_int_ge(n, 0);
	ck_assert_int_eq(ConnectClientInfoExt(-1, &ci,
	    _NTO_CLIENTINFO_GETGROUPS), 0);
	ck_assert_ptr_nonnull(ci);
	ck_assert_int_eq(ci->pid, getpid());
	ck_assert_uint_eq(ci->nd, ND_LOCAL_NODE);
	ck_assert_uint_eq(ci->cred.euid, geteuid());
	ck_assert_uint_eq(ci->cred.egid, getegid());
	ck_assert_uint_eq(ci->cred.ngroups, (uint32_t) n);
	for (int i = 0; i < n; i++) {
		bool seen = false;

		for (uint32_t j = 0; j < ci->cred.ngroups; j++) {
			seen = seen || ci->cred.grouplist[j] == mine[i];
		}
		ck_assert(seen);
	}
	ck_assert_int_eq(ClientInfoExtFree(&ci), 0);
	ck_assert_ptr_null(ci);
	ck_assert_int_eq(ClientInfoExtFree(&ci), 0); /* NULL: nothing */
	/* Without _NTO_CLIENTINFO_GETGROUPS: no groups. */
	ck_assert_int_eq(ConnectClientInfoExt(-1, &ci, 0), 0);
	ck_assert_uint_eq(ci->cred.ngroups, 0);
	ck_assert_uint_eq(ci->cred.euid, geteuid());
	ck_assert_int_eq(ClientInfoExtFree(&ci), 0);
	/* Errors: *info is NULL after each. */
	errno = 0;
	ck_assert_int_eq(ConnectClientInfoExt(-1, NULL,
	    _NTO_CLIENTINFO_GETGROUPS), -1);
	ck_assert_int_eq(errno, EFAULT);
	ci = (struct _client_info *) &plain;
	ck_assert_int_eq(ConnectClientInfoExt(-1, &ci, 0x100), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(ci);
	ck_assert_int_eq(ConnectClientInfoExt(-1, &ci,
	    _NTO_CLIENTINFO_GETTYPEID), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	ck_assert_int_eq(ConnectClientInfoExt(1234, &ci,
	    _NTO_CLIENTINFO_GETGROUPS), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(ConnectClientInfoExt(_NTO_SIDE_CHANNEL | 999, &ci,
	    _NTO_CLIENTINFO_GETGROUPS), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(ci);
	/* Freeing what it did not make, or through NULL, is refused. */
	ck_assert_int_eq(ClientInfoExtFree(NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_int_eq(ClientInfoExtFree(&pp), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_eq(pp, &plain);
	/* A client in more groups than a _client_info holds, and in more
	 * than a page of /proc status: its server sees them all. */
	if (geteuid() == 0) {
		static const int counts[] = {12, 1500};

		for (size_t k = 0; k < 2; k++) {
			struct axt_child srv = axt_spawn(ext_server, NULL);
			int a[3] = {srv.pid, srv.val, counts[k]};
			struct axt_child cl = axt_spawn(ext_client, a);

			(void) axt_child_wait(&cl, 10);
			axt_child_kill(&srv);
			ck_assert_int_eq(cl.val, 0);
		}
	}
}
END_TEST

/* ---- priorities --------------------------------------------------------- */

struct prio_reply {
	int policy;
	int prio;
	int info_prio;
};

static void *
prio_server(void *p)
{
	int chid = *(int *) p;

	for (;;) {
		struct _msg_info info;
		struct prio_reply pr;
		struct sched_param sp;
		struct _pulse buf;
		rcvid_t r = MsgReceive(chid, &buf, sizeof(buf), &info);

		if (r <= 0) {
			if (r == 0) {
				return NULL;
			}
			continue;
		}
		pthread_getschedparam(pthread_self(), &pr.policy, &sp);
		pr.prio = sp.sched_priority;
		pr.info_prio = info.priority;
		MsgReply(r, 0, &pr, sizeof(pr));
	}
}

static void
prio_case(unsigned flags, int expect_prio)
{
	int chid = ChannelCreate(flags);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct sched_param sp = {.sched_priority = 30};
	struct prio_reply pr;
	pthread_t t;

	pthread_create(&t, NULL, prio_server, &chid);
	ck_assert_int_eq(pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp),
	    0);
	ck_assert_int_eq(MsgSend(coid, "p", 2, &pr, sizeof(pr)), 0);
	ck_assert_int_eq(pr.info_prio, 30);
	ck_assert_int_eq(pr.prio, expect_prio);
	sp.sched_priority = 0;
	pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp);
	MsgSendPulse(coid, 10, 1, 0);
	pthread_join(t, NULL);
	ConnectDetach(coid);
	ChannelDestroy(chid);
}

START_TEST(test_priority_inheritance)
{
	struct sched_param sp = {.sched_priority = 1};

	/* Needs the right to use SCHED_FIFO (root or RLIMIT_RTPRIO). */
	if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) {
		return;
	}
	sp.sched_priority = 0;
	sched_setscheduler(0, SCHED_OTHER, &sp);
	prio_case(0, 30);
	prio_case(_NTO_CHF_FIXED_PRIORITY, 0);
}
END_TEST

/* ---- threads ------------------------------------------------------------ */

struct mt {
	int coid;
	int id;
	int bad;
};

static void *
mt_client(void *p)
{
	struct mt *m = p;
	char s[64];
	char r[64];

	for (int i = 0; i < 2000; i++) {
		int n = snprintf(s, sizeof(s), "thread %d msg %d", m->id, i);

		memset(r, 0, sizeof(r));
		if (MsgSend(m->coid, s, (size_t) n + 1, r, sizeof(r)) !=
			n + 1 ||
		    strcmp(s, r) != 0) {
			m->bad++;
		}
	}
	return NULL;
}

static void *
mt_server_thread(void *p)
{
	int chid = *(int *) p;
	char buf[64];

	for (;;) {
		struct _msg_info info;
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), &info);

		if (r > 0) {
			MsgReply(r, info.msglen, buf, (size_t) info.msglen);
		}
	}
	return NULL;
}

static void
mt_server(int fd, void *p)
{
	int chid = ChannelCreate(0);
	pthread_t t[4];

	(void) p;
	for (int i = 0; i < 4; i++) {
		pthread_create(&t[i], NULL, mt_server_thread, &chid);
	}
	axt_report(fd, chid);
	pause();
}

START_TEST(test_threads_share_coid)
{
	struct axt_child srv = axt_spawn(mt_server, NULL);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	struct mt m[8];
	pthread_t t[8];

	for (int i = 0; i < 8; i++) {
		m[i].coid = coid;
		m[i].id = i;
		m[i].bad = 0;
		pthread_create(&t[i], NULL, mt_client, &m[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(m[i].bad, 0);
	}
	axt_child_kill(&srv);
}
END_TEST

static Suite *
naming_suite(void)
{
	Suite *s = suite_create("naming");
	TCase *tc = axt_tcase("names", 20);
	TCase *ts = axt_tcase("server", 60);

	tcase_add_test(tc, test_name_attach_open);
	tcase_add_test(tc, test_name_open_connect);
	tcase_add_test(tc, test_name_stale_and_missing);
	tcase_add_test(tc, test_name_channel_disconnect);
	tcase_add_test(tc, test_dispatch_saved);
	tcase_add_test(ts, test_credentials_follow_euid);
	tcase_add_test(ts, test_client_info_ext);
	tcase_add_test(ts, test_priority_inheritance);
	tcase_add_test(ts, test_threads_share_coid);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, ts);
	return s;
}

int
main(void)
{
	return axt_run(naming_suite());
}
