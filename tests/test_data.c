/* SPDX-License-Identifier: MIT */
/*
 * Data movement between real processes (qnx-api.md §1.5-§1.7): every send
 * form and its _r twin, multi-part IOVs on both sides, truncation both
 * ways, MsgRead/MsgWrite at arbitrary offsets, 8 MiB messages, overlapping
 * buffers, zero-length messages, reply statuses, MsgError (incl. EOK and
 * ERESTART), MsgInfo, and the errors of every rcvid operation.
 *
 * Either side can be the test process: a "kid" is a forked helper with a
 * pipe each way (results up, commands down) that dies with the test
 * (PR_SET_PDEATHSIG), so the side under scrutiny always runs where
 * ck_assert works.
 */
#include "attack.h"
#include "axon_test.h"
#include "keydata.h"

#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

/* ---- helpers ---------------------------------------------------------- */

struct kid {
	pid_t pid;
	int rd; /* the kid's reports */
	int wr; /* our commands */
};

typedef void (*kid_fn)(int out, int in, void *arg);

static struct kid
kid_spawn(kid_fn fn, void *arg)
{
	struct kid k;
	pid_t parent = getpid();
	int up[2];
	int down[2];

	ck_assert_int_eq(pipe2(up, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(down, O_CLOEXEC), 0);
	k.pid = fork();
	ck_assert_int_ge(k.pid, 0);
	if (k.pid == 0) {
		(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) {
			_exit(98);
		}
		(void) close(up[0]);
		(void) close(down[1]);
		fn(up[1], down[0], arg);
		_exit(0);
	}
	(void) close(up[1]);
	(void) close(down[0]);
	k.rd = up[0];
	k.wr = down[1];
	return k;
}

static void
kid_kill(struct kid *k)
{
	if (k->pid > 0) {
		(void) kill(k->pid, SIGKILL);
		(void) waitpid(k->pid, NULL, 0);
		k->pid = -1;
		(void) close(k->rd);
		(void) close(k->wr);
	}
}

/* Reads exactly n bytes of the kid's reports, waiting at most 3 s. */
static bool
kid_get(struct kid *k, void *buf, size_t n)
{
	double end = axt_now() + 3.0;
	size_t got = 0;

	while (got < n) {
		struct pollfd pfd = {.fd = k->rd, .events = POLLIN};
		int ms = (int) ((end - axt_now()) * 1000.0);
		int pr;
		ssize_t r;

		if (ms <= 0) {
			return false;
		}
		pr = poll(&pfd, 1, ms);
		if (pr < 0 && errno == EINTR) {
			continue;
		}
		if (pr <= 0) {
			return false;
		}
		r = read(k->rd, (char *) buf + got, n - got);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			return false;
		}
		got += (size_t) r;
	}
	return true;
}

/* True if the kid has reported something (without waiting). */
static bool
kid_has_data(struct kid *k)
{
	struct pollfd pfd = {.fd = k->rd, .events = POLLIN};

	return poll(&pfd, 1, 0) > 0;
}

static void
kid_cmd(struct kid *k, const void *buf, size_t n)
{
	ck_assert_int_eq(write(k->wr, buf, n), (ssize_t) n);
}

/* In a kid: blocking write / read of the pipes (the kid dies with us). */
static void
put(int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, (const char *) buf + done, n - done);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			_exit(97);
		}
		done += (size_t) w;
	}
}

static bool
get(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *) buf + got, n - got);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			return false;
		}
		got += (size_t) r;
	}
	return true;
}

static pid_t
my_tid(void)
{
	return (pid_t) syscall(SYS_gettid);
}

static uint8_t
pat(unsigned seed, size_t i)
{
	return (uint8_t) (i * 131u + seed * 17u + (i >> 9) + (i >> 17));
}

static void
fill(uint8_t *b, size_t n, unsigned seed, size_t off)
{
	for (size_t i = 0; i < n; i++) {
		b[i] = pat(seed, off + i);
	}
}

/* Index of the first byte of b that differs from the pattern at off, or
 * SIZE_MAX if none. */
static size_t
pat_diff(const uint8_t *b, size_t n, unsigned seed, size_t off)
{
	for (size_t i = 0; i < n; i++) {
		if (b[i] != pat(seed, off + i)) {
			return i;
		}
	}
	return SIZE_MAX;
}

static size_t
byte_diff(const uint8_t *b, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++) {
		if (b[i] != v) {
			return i;
		}
	}
	return SIZE_MAX;
}

#define CANARY 0xee


/* ---- the QNX 7 message-info layouts (<sys/neutrino.h>) ------------- */
/* Offsets as QNX 7.0/7.1 document _msg_info32 and _msg_info64. */
_Static_assert(sizeof(struct _msg_info_hdr) == 28, "_msg_info_hdr");
_Static_assert(offsetof(struct _msg_info_hdr, coid) == 24, "hdr coid");
_Static_assert(sizeof(struct _msg_info32) == 48, "_msg_info32");
_Static_assert(offsetof(struct _msg_info32, msglen) == 28, "32 msglen");
_Static_assert(offsetof(struct _msg_info32, srcmsglen) == 32, "32 src");
_Static_assert(offsetof(struct _msg_info32, dstmsglen) == 36, "32 dst");
_Static_assert(offsetof(struct _msg_info32, priority) == 40, "32 prio");
_Static_assert(offsetof(struct _msg_info32, flags) == 42, "32 flags");
_Static_assert(offsetof(struct _msg_info32, type_id) == 44, "32 type_id");
_Static_assert(sizeof(((struct _msg_info32 *) 0)->msglen) == 4, "32 len");
_Static_assert(sizeof(struct _msg_info64) == 64, "_msg_info64");
_Static_assert(offsetof(struct _msg_info64, nd) == 0, "64 nd");
_Static_assert(offsetof(struct _msg_info64, srcnd) == 4, "64 srcnd");
_Static_assert(offsetof(struct _msg_info64, pid) == 8, "64 pid");
_Static_assert(offsetof(struct _msg_info64, tid) == 12, "64 tid");
_Static_assert(offsetof(struct _msg_info64, chid) == 16, "64 chid");
_Static_assert(offsetof(struct _msg_info64, scoid) == 20, "64 scoid");
_Static_assert(offsetof(struct _msg_info64, coid) == 24, "64 coid");
_Static_assert(offsetof(struct _msg_info64, priority) == 28, "64 prio");
_Static_assert(offsetof(struct _msg_info64, flags) == 30, "64 flags");
_Static_assert(offsetof(struct _msg_info64, msglen) == 32, "64 msglen");
_Static_assert(offsetof(struct _msg_info64, srcmsglen) == 40, "64 src");
_Static_assert(offsetof(struct _msg_info64, dstmsglen) == 48, "64 dst");
_Static_assert(offsetof(struct _msg_info64, type_id) == 56, "64 type_id");
_Static_assert(offsetof(struct _msg_info64, reserved) == 60, "64 reserved");
_Static_assert(sizeof(((struct _msg_info64 *) 0)->msglen) == 8, "64 len");
#if UINTPTR_MAX > 0xffffffffu
/* On a 64-bit target _msg_info and _server_info are _msg_info64. */
_Static_assert(sizeof(struct _msg_info) == 64, "_msg_info is 64-bit");
_Static_assert(sizeof(struct _server_info) == 64, "_server_info");
_Static_assert(sizeof(struct _server_info64) == 64, "_server_info64");
#else
_Static_assert(sizeof(struct _msg_info) == 48, "_msg_info is 32-bit");
#endif
_Static_assert(sizeof(struct _server_info32) == 48, "_server_info32");

/* ---- a generic client kid ------------------------------------------- */
/*
 * Forked before the test process has any thread (see cli_spawn), it is
 * told where to connect over the command pipe, connects to (srv, chid),
 * reports its coid and tid, then runs commands:
 * each C_SEND sends slen bytes of pattern seed with a reply buffer of rlen
 * bytes filled with CANARY (a NULL pointer when the size is 0), and
 * reports the result and the reply buffer.
 */
struct cli_arg {
	pid_t srv;
	int chid;
};

struct cli_hello {
	int coid;
	pid_t tid;
};

enum { C_SEND = 1, C_EXIT };

struct ccmd {
	int op;
	unsigned seed;
	size_t slen;
	size_t rlen;
};

struct cres {
	long ret;
	int err;
};

static void
cli_main(int out, int in, void *p)
{
	struct cli_arg a;
	struct cli_hello h;

	(void) p;
	if (!get(in, &a, sizeof(a))) {
		_exit(0);
	}
	h.coid = ConnectAttach(0, a.srv, a.chid, _NTO_SIDE_CHANNEL, 0);
	h.tid = my_tid();
	put(out, &h, sizeof(h));
	for (;;) {
		struct ccmd c;
		struct cres res;
		uint8_t *s;
		uint8_t *r;

		if (!get(in, &c, sizeof(c)) || c.op == C_EXIT) {
			_exit(0);
		}
		s = c.slen > 0 ? malloc(c.slen) : NULL;
		r = c.rlen > 0 ? malloc(c.rlen) : NULL;
		if (s != NULL) {
			fill(s, c.slen, c.seed, 0);
		}
		if (r != NULL) {
			memset(r, CANARY, c.rlen);
		}
		errno = 0;
		res.ret = MsgSend(h.coid, s, c.slen, r, c.rlen);
		res.err = errno;
		put(out, &res, sizeof(res));
		if (r != NULL) {
			put(out, r, c.rlen);
		}
		free(s);
		free(r);
	}
}

/*
 * Kids are forked before the test makes its first Axon call: a process
 * with threads (libaxon's monitor) should not fork (ThreadSanitizer
 * refuses it), so the channel to connect to comes later, by pipe.
 */
static struct kid
cli_spawn(void)
{
	return kid_spawn(cli_main, NULL);
}

static struct cli_hello
cli_connect(struct kid *k, int chid)
{
	struct cli_arg a = {getpid(), chid};
	struct cli_hello h;

	kid_cmd(k, &a, sizeof(a));
	ck_assert(kid_get(k, &h, sizeof(h)));
	ck_assert_int_ge(h.coid, 0);
	return h;
}

static void
cli_send(struct kid *k, size_t slen, size_t rlen, unsigned seed)
{
	struct ccmd c = {C_SEND, seed, slen, rlen};

	kid_cmd(k, &c, sizeof(c));
}

/* Collects the result of the last C_SEND; the reply lands in rbuf
 * (rlen bytes, as sent in the command). */
static struct cres
cli_result(struct kid *k, void *rbuf, size_t rlen)
{
	struct cres res;

	ck_assert_msg(kid_get(k, &res, sizeof(res)), "client gave no result");
	if (rlen > 0) {
		ck_assert(kid_get(k, rbuf, rlen));
	}
	return res;
}

/* ---- a server kid that echoes every message XOR 0x5a --------------- */
/* It receives into a small buffer and MsgRead()s the rest, so messages of
 * any size work; the status is the message length. */
static void
xecho_server(int out, int in, void *p)
{
	int chid = ChannelCreate(0);
	static uint8_t small[256];

	(void) in;
	(void) p;
	put(out, &chid, sizeof(chid));
	for (;;) {
		struct _msg_info info;
		rcvid_t r = MsgReceive(chid, small, sizeof(small), &info);
		size_t len;
		uint8_t *m;

		if (r < 0) {
			_exit(3);
		}
		if (r == 0) {
			continue;
		}
		len = (size_t) info.srcmsglen;
		m = malloc(len > 0 ? len : 1);
		if (m == NULL) {
			MsgError(r, ENOMEM);
			continue;
		}
		memcpy(m, small, (size_t) info.msglen);
		if (len > (size_t) info.msglen &&
		    MsgRead(r, m + info.msglen, len - (size_t) info.msglen,
			(size_t) info.msglen) !=
			(ssize_t) (len - (size_t) info.msglen)) {
			MsgError(r, EIO);
			free(m);
			continue;
		}
		for (size_t i = 0; i < len; i++) {
			m[i] ^= 0x5a;
		}
		MsgReply(r, (long) len, m, len);
		free(m);
	}
}

static int
xecho_start(struct kid *k)
{
	int chid;
	int coid;

	*k = kid_spawn(xecho_server, NULL);
	ck_assert(kid_get(k, &chid, sizeof(chid)));
	ck_assert_int_gt(chid, 0);
	coid = ConnectAttach(ND_LOCAL_NODE, k->pid, chid, _NTO_SIDE_CHANNEL,
	    0);
	ck_assert_int_ge(coid, 0);
	return coid;
}

/* ---- every send form ------------------------------------------------- */

enum form { F_S, F_V, F_SV, F_VS };

static long
send_form(int form, bool nc, bool r, int coid, const void *sbuf,
    size_t sbytes, const iov_t *siov, size_t sparts, void *rbuf,
    size_t rbytes, const iov_t *riov, size_t rparts)
{
	switch (form * 4 + (nc ? 2 : 0) + (r ? 1 : 0)) {
	case F_S * 4 + 0:
		return MsgSend(coid, sbuf, sbytes, rbuf, rbytes);
	case F_S * 4 + 1:
		return MsgSend_r(coid, sbuf, sbytes, rbuf, rbytes);
	case F_S * 4 + 2:
		return MsgSendnc(coid, sbuf, sbytes, rbuf, rbytes);
	case F_S * 4 + 3:
		return MsgSendnc_r(coid, sbuf, sbytes, rbuf, rbytes);
	case F_V * 4 + 0:
		return MsgSendv(coid, siov, sparts, riov, rparts);
	case F_V * 4 + 1:
		return MsgSendv_r(coid, siov, sparts, riov, rparts);
	case F_V * 4 + 2:
		return MsgSendvnc(coid, siov, sparts, riov, rparts);
	case F_V * 4 + 3:
		return MsgSendvnc_r(coid, siov, sparts, riov, rparts);
	case F_SV * 4 + 0:
		return MsgSendsv(coid, sbuf, sbytes, riov, rparts);
	case F_SV * 4 + 1:
		return MsgSendsv_r(coid, sbuf, sbytes, riov, rparts);
	case F_SV * 4 + 2:
		return MsgSendsvnc(coid, sbuf, sbytes, riov, rparts);
	case F_SV * 4 + 3:
		return MsgSendsvnc_r(coid, sbuf, sbytes, riov, rparts);
	case F_VS * 4 + 0:
		return MsgSendvs(coid, siov, sparts, rbuf, rbytes);
	case F_VS * 4 + 1:
		return MsgSendvs_r(coid, siov, sparts, rbuf, rbytes);
	case F_VS * 4 + 2:
		return MsgSendvsnc(coid, siov, sparts, rbuf, rbytes);
	default:
		return MsgSendvsnc_r(coid, siov, sparts, rbuf, rbytes);
	}
}

static const char *const form_name[] = {"MsgSend", "MsgSendv", "MsgSendsv",
    "MsgSendvs"};

START_TEST(test_send_forms)
{
	struct kid srv;
	int coid = xecho_start(&srv);
	const char msg[] = "hello world!"; /* 12 bytes sent */
	char p0[] = "hel", p2[] = "lo wor", p3[] = "ld!";
	iov_t siov[4];
	uint8_t r1[3], r3[4], r4[16];
	iov_t riov[4];
	uint8_t rflat[32];

	SETIOV(&siov[0], p0, 3);
	SETIOV(&siov[1], NULL, 0); /* an empty part */
	SETIOV(&siov[2], p2, 6);
	SETIOV(&siov[3], p3, 3);
	SETIOV(&riov[0], r1, sizeof(r1));
	SETIOV(&riov[1], NULL, 0);
	SETIOV(&riov[2], r3, sizeof(r3));
	SETIOV(&riov[3], r4, sizeof(r4));
	ck_assert_ptr_eq(GETIOVBASE(&siov[2]), p2);
	ck_assert_uint_eq(GETIOVLEN(&siov[2]), 6);

	for (int form = F_S; form <= F_VS; form++) {
		for (int nc = 0; nc < 2; nc++) {
			for (int r = 0; r < 2; r++) {
				bool iov_reply = form == F_V || form == F_SV;
				uint8_t got[12];
				long ret;

				memset(r1, CANARY, sizeof(r1));
				memset(r3, CANARY, sizeof(r3));
				memset(r4, CANARY, sizeof(r4));
				memset(rflat, CANARY, sizeof(rflat));
				errno = 4242;
				ret = send_form(form, nc, r, coid, msg, 12, siov,
				    4, rflat, 20, riov, 4);
				ck_assert_msg(ret == 12, "%s%s%s returned %ld",
				    form_name[form], nc ? "nc" : "",
				    r ? "_r" : "", ret);
				/* Success leaves errno alone, in both. */
				ck_assert_int_eq(errno, 4242);
				if (iov_reply) {
					memcpy(got, r1, 3);
					memcpy(got + 3, r3, 4);
					memcpy(got + 7, r4, 5);
					ck_assert_uint_eq(byte_diff(r4 + 5, 11,
							      CANARY),
					    SIZE_MAX);
					ck_assert_uint_eq(byte_diff(rflat,
							      sizeof(rflat),
							      CANARY),
					    SIZE_MAX);
				} else {
					memcpy(got, rflat, 12);
					ck_assert_uint_eq(byte_diff(rflat + 12,
							      20, CANARY),
					    SIZE_MAX);
					ck_assert_uint_eq(byte_diff(r1, 3, CANARY),
					    SIZE_MAX);
				}
				for (int i = 0; i < 12; i++) {
					ck_assert_msg(got[i] == (uint8_t) (msg[i] ^
								    0x5a),
					    "%s%s%s: reply byte %d", form_name[form],
					    nc ? "nc" : "", r ? "_r" : "", i);
				}
			}
		}
	}

	/* Errors, for every form: a bad coid, then NULL buffers. */
	int bad = _NTO_SIDE_CHANNEL | 12345;
	for (int form = F_S; form <= F_VS; form++) {
		for (int nc = 0; nc < 2; nc++) {
			bool sbuf_form = form == F_S || form == F_SV;
			bool rbuf_form = form == F_S || form == F_VS;
			long ret;

			errno = 0;
			ret = send_form(form, nc, false, bad, msg, 12, siov, 4,
			    rflat, 20, riov, 4);
			ck_assert_int_eq(ret, -1);
			ck_assert_int_eq(errno, EBADF);
			errno = 4242;
			ret = send_form(form, nc, true, bad, msg, 12, siov, 4,
			    rflat, 20, riov, 4);
			ck_assert_int_eq(ret, -EBADF);
			ck_assert_int_eq(errno, 4242);

			/* NULL send side with a non-zero size. */
			errno = 0;
			ret = send_form(form, nc, false, coid,
			    sbuf_form ? NULL : msg, 12, sbuf_form ? siov : NULL,
			    4, rflat, 20, riov, 4);
			ck_assert_int_eq(ret, -1);
			ck_assert_int_eq(errno, EFAULT);
			errno = 4242;
			ret = send_form(form, nc, true, coid,
			    sbuf_form ? NULL : msg, 12, sbuf_form ? siov : NULL,
			    4, rflat, 20, riov, 4);
			ck_assert_int_eq(ret, -EFAULT);
			ck_assert_int_eq(errno, 4242);
			/* NULL reply side with a non-zero size. */
			errno = 0;
			ret = send_form(form, nc, false, coid, msg, 12, siov, 4,
			    rbuf_form ? NULL : rflat, 20,
			    rbuf_form ? riov : NULL, 4);
			ck_assert_int_eq(ret, -1);
			ck_assert_int_eq(errno, EFAULT);
			errno = 4242;
			ret = send_form(form, nc, true, coid, msg, 12, siov, 4,
			    rbuf_form ? NULL : rflat, 20,
			    rbuf_form ? riov : NULL, 4);
			ck_assert_int_eq(ret, -EFAULT);
			ck_assert_int_eq(errno, 4242);
		}
	}
	/* The connection still works after all that. */
	ck_assert_int_eq(MsgSend(coid, msg, 12, rflat, 12), 12);
	/* A detached coid is a bad one. */
	ck_assert_int_eq(ConnectDetach(coid), 0);
	ck_assert_int_eq(MsgSend_r(coid, msg, 12, rflat, 12), -EBADF);
	kid_kill(&srv);
}
END_TEST

/* ---- which forms are cancellation points ---------------------------- */

struct cancel_arg {
	int coid;
	int form;
	bool nc;
	bool r;
	long ret;
};

#ifdef __SANITIZE_ADDRESS__
void __asan_handle_no_return(void);
#endif

/* Run as the cancelled thread unwinds.  Under ASan, the frames unwound
 * by the cancellation keep their poisoned red zones, and libasan's own
 * thread exit then trips on them (a false stack-buffer-overflow in its
 * sigaltstack()): clear them, as ASan does before a longjmp. */
static void
cancel_unwound(void *p)
{
	(void) p;
#ifdef __SANITIZE_ADDRESS__
	__asan_handle_no_return();
#endif
}

/* Sends with a cancellation pending: a form that is a cancellation point
 * acts on it before sending (the thread ends, ret untouched); an nc form
 * sends and returns. */
static void *
cancel_sender(void *p)
{
	struct cancel_arg *a = p;
	char back[16];
	iov_t siov, riov;

	SETIOV(&siov, "ping", 5);
	SETIOV(&riov, back, sizeof(back));
	pthread_cleanup_push(cancel_unwound, NULL);
	(void) pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	(void) pthread_cancel(pthread_self());
	(void) pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	a->ret = send_form(a->form, a->nc, a->r, a->coid, "ping", 5, &siov,
	    1, back, sizeof(back), &riov, 1);
	(void) pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_cleanup_pop(0);
	return NULL;
}

START_TEST(test_send_cancel_points)
{
	struct kid srv;
	int coid = xecho_start(&srv);

	for (int form = F_S; form <= F_VS; form++) {
		for (int nc = 0; nc < 2; nc++) {
			for (int r = 0; r < 2; r++) {
				struct cancel_arg a = {coid, form, nc, r,
				    -999};
				pthread_t th;
				void *res;

				ck_assert_int_eq(pthread_create(&th, NULL,
						     cancel_sender, &a),
				    0);
				ck_assert_int_eq(pthread_join(th, &res), 0);
				ck_assert_msg(res == (nc ? NULL
							 : PTHREAD_CANCELED),
				    "%s%s%s: %s", form_name[form],
				    nc ? "nc" : "", r ? "_r" : "",
				    nc ? "cancelled" : "not cancelled");
				ck_assert_msg(a.ret == (nc ? 5 : -999),
				    "%s%s%s returned %ld", form_name[form],
				    nc ? "nc" : "", r ? "_r" : "", a.ret);
			}
		}
	}
	/* Nothing was left posted: the connection still works. */
	ck_assert_int_eq(MsgSend(coid, "ping", 5, NULL, 0), 5);
	kid_kill(&srv);
}
END_TEST

/* ---- MsgReceivev and MsgReplyv with multi-part IOVs ----------------- */

struct iovcli_res {
	long ret;
	int err;
	uint8_t reply[56];
};

/* Sends a 63-byte message (pattern 1) in 3 parts, twice, with a 4-part
 * reply IOV of 56 bytes, and reports each result. */
static void
iov_client(int out, int in, void *p)
{
	struct cli_arg a;
	int coid;
	uint8_t msg[63];
	uint8_t ra[5], rc[11], rd[40];
	iov_t siov[3], riov[4];

	(void) p;
	if (!get(in, &a, sizeof(a))) {
		_exit(0);
	}
	coid = ConnectAttach(0, a.srv, a.chid, _NTO_SIDE_CHANNEL, 0);
	fill(msg, sizeof(msg), 1, 0);
	SETIOV(&siov[0], msg, 10);
	SETIOV(&siov[1], msg + 10, 20);
	SETIOV(&siov[2], msg + 30, 33);
	SETIOV(&riov[0], ra, sizeof(ra));
	SETIOV(&riov[1], NULL, 0);
	SETIOV(&riov[2], rc, sizeof(rc));
	SETIOV(&riov[3], rd, sizeof(rd));
	for (int round = 0; round < 2; round++) {
		struct iovcli_res res;

		memset(ra, CANARY, sizeof(ra));
		memset(rc, CANARY, sizeof(rc));
		memset(rd, CANARY, sizeof(rd));
		errno = 0;
		res.ret = MsgSendv(coid, siov, 3, riov, 4);
		res.err = errno;
		memcpy(res.reply, ra, 5);
		memcpy(res.reply + 5, rc, 11);
		memcpy(res.reply + 16, rd, 40);
		put(out, &res, sizeof(res));
	}
}

START_TEST(test_receivev_replyv)
{
	struct kid k = kid_spawn(iov_client, NULL);
	int chid = ChannelCreate(0);
	struct cli_arg a = {getpid(), chid};
	uint8_t pa[7], pc[20], pd[100];
	iov_t iov[4];
	struct _msg_info info;
	struct iovcli_res res;
	rcvid_t r;

	kid_cmd(&k, &a, sizeof(a));
	/* Round 1: the message fits, split over 3 non-empty parts. */
	memset(pa, CANARY, sizeof(pa));
	memset(pc, CANARY, sizeof(pc));
	memset(pd, CANARY, sizeof(pd));
	SETIOV(&iov[0], pa, sizeof(pa));
	SETIOV(&iov[1], NULL, 0);
	SETIOV(&iov[2], pc, sizeof(pc));
	SETIOV(&iov[3], pd, sizeof(pd));
	r = MsgReceivev(chid, iov, 4, &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(info.msglen, 63);
	ck_assert_int_eq(info.srcmsglen, 63);
	ck_assert_int_eq(info.dstmsglen, 56);
	ck_assert_int_eq(info.pid, k.pid);
	ck_assert_uint_eq(pat_diff(pa, 7, 1, 0), SIZE_MAX);
	ck_assert_uint_eq(pat_diff(pc, 20, 1, 7), SIZE_MAX);
	ck_assert_uint_eq(pat_diff(pd, 36, 1, 27), SIZE_MAX);
	ck_assert_uint_eq(byte_diff(pd + 36, 64, CANARY), SIZE_MAX);

	/* Reply 70 bytes in 4 parts into 56 bytes of 4 parts: truncated. */
	uint8_t x[10], z[30], w[30];
	iov_t riov[4];
	fill(x, 10, 2, 0);
	fill(z, 30, 2, 10);
	fill(w, 30, 2, 40);
	SETIOV(&riov[0], x, sizeof(x));
	SETIOV(&riov[1], NULL, 0);
	SETIOV(&riov[2], z, sizeof(z));
	SETIOV(&riov[3], w, sizeof(w));
	ck_assert_int_eq(MsgReplyv(r, 99, riov, 4), 0);
	ck_assert(kid_get(&k, &res, sizeof(res)));
	ck_assert_int_eq(res.ret, 99);
	ck_assert_uint_eq(pat_diff(res.reply, 56, 2, 0), SIZE_MAX);

	/* Round 2: a 12-byte IOV receives 12 of 63 bytes; MsgReadv the rest
	 * into 3 parts; a 3-byte MsgReplyv leaves the rest untouched. */
	memset(pa, CANARY, sizeof(pa));
	memset(pc, CANARY, sizeof(pc));
	SETIOV(&iov[0], pa, 5);
	SETIOV(&iov[1], pc, 7);
	r = MsgReceivev(chid, iov, 2, &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(info.msglen, 12);
	ck_assert_int_eq(info.srcmsglen, 63);
	ck_assert_uint_eq(pat_diff(pa, 5, 1, 0), SIZE_MAX);
	ck_assert_uint_eq(byte_diff(pa + 5, 2, CANARY), SIZE_MAX);
	ck_assert_uint_eq(pat_diff(pc, 7, 1, 5), SIZE_MAX);
	ck_assert_uint_eq(byte_diff(pc + 7, 13, CANARY), SIZE_MAX);
	memset(pd, CANARY, sizeof(pd));
	SETIOV(&iov[0], pd, 1);
	SETIOV(&iov[1], pd + 1, 40);
	SETIOV(&iov[2], pd + 41, 59);
	ck_assert_int_eq(MsgReadv(r, iov, 3, 12), 51);
	ck_assert_uint_eq(pat_diff(pd, 51, 1, 12), SIZE_MAX);
	ck_assert_uint_eq(byte_diff(pd + 51, 49, CANARY), SIZE_MAX);
	SETIOV(&riov[0], "abc", 3);
	ck_assert_int_eq(MsgReplyv(r, 7, riov, 1), 0);
	ck_assert(kid_get(&k, &res, sizeof(res)));
	ck_assert_int_eq(res.ret, 7);
	ck_assert(memcmp(res.reply, "abc", 3) == 0);
	ck_assert_uint_eq(byte_diff(res.reply + 3, 53, CANARY), SIZE_MAX);
	kid_kill(&k);
}
END_TEST

/* ---- truncation both ways ------------------------------------------- */

START_TEST(test_truncation)
{
	struct kid k = cli_spawn();
	int chid = ChannelCreate(0);
	(void) cli_connect(&k, chid);
	struct _msg_info info;
	uint8_t buf[64];
	uint8_t rest[100];
	uint8_t reply[200];
	uint8_t got[80];
	struct cres res;
	rcvid_t r;

	/* The receiver's buffer is smaller than the message. */
	cli_send(&k, 100, 50, 3);
	memset(buf, CANARY, sizeof(buf));
	r = MsgReceive(chid, buf, 10, &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(info.msglen, 10);
	ck_assert_int_eq(info.srcmsglen, 100);
	ck_assert_int_eq(info.dstmsglen, 50);
	ck_assert_uint_eq(pat_diff(buf, 10, 3, 0), SIZE_MAX);
	ck_assert_uint_eq(byte_diff(buf + 10, sizeof(buf) - 10, CANARY),
	    SIZE_MAX);
	/* The rest is there for MsgRead(). */
	ck_assert_int_eq(MsgRead(r, rest, sizeof(rest), 10), 90);
	ck_assert_uint_eq(pat_diff(rest, 90, 3, 10), SIZE_MAX);
	/* A reply larger than the client's buffer is truncated to it. */
	fill(reply, sizeof(reply), 4, 0);
	ck_assert_int_eq(MsgReply(r, 1, reply, sizeof(reply)), 0);
	res = cli_result(&k, got, 50);
	ck_assert_int_eq(res.ret, 1);
	ck_assert_uint_eq(pat_diff(got, 50, 4, 0), SIZE_MAX);

	/* A reply smaller than the buffer changes only what it covers. */
	cli_send(&k, 5, 80, 3);
	r = MsgReceive(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(info.msglen, 5);
	ck_assert_int_eq(info.srcmsglen, 5);
	ck_assert_int_eq(MsgReply(r, 2, reply, 30), 0);
	res = cli_result(&k, got, 80);
	ck_assert_int_eq(res.ret, 2);
	ck_assert_uint_eq(pat_diff(got, 30, 4, 0), SIZE_MAX);
	ck_assert_uint_eq(byte_diff(got + 30, 50, CANARY), SIZE_MAX);
	kid_kill(&k);
}
END_TEST

/* ---- MsgRead at offsets ---------------------------------------------- */

START_TEST(test_read_offsets)
{
	struct kid k = cli_spawn();
	int chid = ChannelCreate(0);
	(void) cli_connect(&k, chid);
	struct _msg_info info;
	uint8_t buf[64];
	uint8_t b2[8];
	iov_t iov[2];
	struct cres res;
	rcvid_t r;

	cli_send(&k, 50, 0, 5);
	r = MsgReceive(chid, buf, 4, &info);
	ck_assert_int_gt(r, 0);
	for (size_t off = 0; off < 50; off += 7) {
		memset(buf, CANARY, sizeof(buf));
		ssize_t want = 50 - (ssize_t) off < 10 ? 50 - (ssize_t) off : 10;
		ck_assert_int_eq(MsgRead(r, buf, 10, off), want);
		ck_assert_uint_eq(pat_diff(buf, (size_t) want, 5, off), SIZE_MAX);
		ck_assert_uint_eq(byte_diff(buf + want, sizeof(buf) - (size_t) want,
				      CANARY),
		    SIZE_MAX);
	}
	/* Near, at and past the end: fewer bytes, then none. */
	ck_assert_int_eq(MsgRead(r, buf, 10, 45), 5);
	ck_assert_uint_eq(pat_diff(buf, 5, 5, 45), SIZE_MAX);
	ck_assert_int_eq(MsgRead(r, buf, 10, 49), 1);
	ck_assert_int_eq(MsgRead(r, buf, 10, 50), 0);
	ck_assert_int_eq(MsgRead(r, buf, 10, 51), 0);
	ck_assert_int_eq(MsgRead(r, buf, 10, 1u << 30), 0);
	ck_assert_int_eq(MsgRead(r, buf, 10, SIZE_MAX), 0);
	ck_assert_int_eq(MsgRead(r, buf, 0, 3), 0);
	ck_assert_int_eq(MsgRead(r, buf, sizeof(buf), 0), 50);
	ck_assert_uint_eq(pat_diff(buf, 50, 5, 0), SIZE_MAX);
	/* MsgReadv at an offset into two parts; _r form. */
	memset(buf, CANARY, sizeof(buf));
	memset(b2, CANARY, sizeof(b2));
	SETIOV(&iov[0], buf, 3);
	SETIOV(&iov[1], b2, sizeof(b2));
	ck_assert_int_eq(MsgReadv(r, iov, 2, 20), 11);
	ck_assert_uint_eq(pat_diff(buf, 3, 5, 20), SIZE_MAX);
	ck_assert_uint_eq(pat_diff(b2, 8, 5, 23), SIZE_MAX);
	ck_assert_int_eq(MsgReadv(r, iov, 2, 44), 6);
	ck_assert_uint_eq(pat_diff(buf, 3, 5, 44), SIZE_MAX);
	ck_assert_uint_eq(pat_diff(b2, 3, 5, 47), SIZE_MAX);
	errno = 4242;
	ck_assert_int_eq(MsgRead_r(r, buf, 10, 48), 2);
	ck_assert_int_eq(MsgReadv_r(r, iov, 2, 50), 0);
	ck_assert_int_eq(errno, 4242);
	/* Reading changed nothing for the client. */
	ck_assert(!kid_has_data(&k));
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	res = cli_result(&k, NULL, 0);
	ck_assert_int_eq(res.ret, 0);
	kid_kill(&k);
}
END_TEST

/* A 1 MiB message of which the server receives only 100 bytes and reads
 * the rest in chunks at offsets. */
START_TEST(test_big_read_chunks)
{
	struct kid k = cli_spawn();
	int chid = ChannelCreate(0);
	(void) cli_connect(&k, chid);
	size_t len = 1u << 20;
	uint8_t *all = malloc(len);
	struct _msg_info info;
	uint8_t head[128];
	struct cres res;
	rcvid_t r;

	ck_assert_ptr_nonnull(all);
	cli_send(&k, len, 16, 6);
	memset(head, CANARY, sizeof(head));
	r = MsgReceive(chid, head, 100, &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(info.msglen, 100);
	ck_assert_int_eq(info.srcmsglen, (int) len);
	ck_assert_uint_eq(pat_diff(head, 100, 6, 0), SIZE_MAX);
	ck_assert_uint_eq(byte_diff(head + 100, 28, CANARY), SIZE_MAX);
	memset(all, 0, len);
	memcpy(all, head, 100);
	size_t off = 100;
	int chunks = 0;
	while (off < len) {
		ssize_t n = MsgRead(r, all + off, 7777, off);

		ck_assert_int_gt(n, 0);
		ck_assert_int_le(n, 7777);
		off += (size_t) n;
		chunks++;
	}
	ck_assert_uint_eq(off, len);
	ck_assert_int_gt(chunks, 100);
	ck_assert_uint_eq(pat_diff(all, len, 6, 0), SIZE_MAX);
	/* Out of order, and around the end. */
	uint8_t piece[300];
	ck_assert_int_eq(MsgRead(r, piece, sizeof(piece), 777777), 300);
	ck_assert_uint_eq(pat_diff(piece, 300, 6, 777777), SIZE_MAX);
	ck_assert_int_eq(MsgRead(r, piece, sizeof(piece), 3), 300);
	ck_assert_uint_eq(pat_diff(piece, 300, 6, 3), SIZE_MAX);
	ck_assert_int_eq(MsgRead(r, piece, sizeof(piece), len - 10), 10);
	ck_assert_uint_eq(pat_diff(piece, 10, 6, len - 10), SIZE_MAX);
	ck_assert_int_eq(MsgRead(r, piece, sizeof(piece), len), 0);
	ck_assert_int_eq(MsgRead(r, piece, sizeof(piece), len + 4096), 0);
	ck_assert_int_eq(MsgReply(r, 1234567, "done", 5), 0);
	uint8_t got[16];
	res = cli_result(&k, got, 16);
	ck_assert_int_eq(res.ret, 1234567);
	ck_assert_str_eq((char *) got, "done");
	free(all);
	kid_kill(&k);
}
END_TEST

/* ---- MsgWrite at offsets --------------------------------------------- */

START_TEST(test_write_offsets)
{
	struct kid k = cli_spawn();
	int chid = ChannelCreate(0);
	(void) cli_connect(&k, chid);
	uint8_t got[256];
	uint8_t exp[256];
	struct _msg_info info;
	char buf[16];
	iov_t iov[2];
	struct cres res;
	rcvid_t r;

	/* Writes at offsets, then a reply without data: every byte the server
	 * did not write keeps its old value. */
	cli_send(&k, 4, 256, 0);
	r = MsgReceive(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(info.dstmsglen, 256);
	memset(exp, CANARY, sizeof(exp));
	ck_assert_int_eq(MsgWrite(r, "AAAA", 4, 10), 4);
	memcpy(exp + 10, "AAAA", 4);
	ck_assert_int_eq(MsgWrite(r, "CC", 2, 12), 2); /* overlaps */
	memcpy(exp + 12, "CC", 2);
	ck_assert_int_eq(MsgWrite(r, "BBBBBB", 6, 100), 6);
	memcpy(exp + 100, "BBBBBB", 6);
	SETIOV(&iov[0], "xy", 2);
	SETIOV(&iov[1], "z", 1);
	ck_assert_int_eq(MsgWritev(r, iov, 2, 40), 3);
	memcpy(exp + 40, "xyz", 3);
	/* Near and past the end of the reply buffer. */
	ck_assert_int_eq(MsgWrite(r, "0123456789", 10, 250), 6);
	memcpy(exp + 250, "012345", 6);
	ck_assert_int_eq(MsgWrite(r, "q", 1, 256), 0);
	ck_assert_int_eq(MsgWrite(r, "q", 1, 100000), 0);
	errno = 4242;
	ck_assert_int_eq(MsgWrite_r(r, "D", 1, 0), 1);
	ck_assert_int_eq(errno, 4242);
	exp[0] = 'D';
	/* Nothing reaches the client before the reply, which it awaits. */
	ck_assert(!kid_has_data(&k));
	ck_assert_int_eq(MsgReply(r, 77, NULL, 0), 0);
	res = cli_result(&k, got, sizeof(got));
	ck_assert_int_eq(res.ret, 77);
	for (int i = 0; i < 256; i++) {
		ck_assert_msg(got[i] == exp[i], "byte %d: 0x%02x, want 0x%02x",
		    i, got[i], exp[i]);
	}

	/* MsgWrite then MsgReply with data: both land. */
	cli_send(&k, 4, 64, 0);
	r = MsgReceive(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(MsgWrite(r, "WW", 2, 20), 2);
	ck_assert_int_eq(MsgReply(r, 5, "hello", 5), 0);
	res = cli_result(&k, got, 64);
	ck_assert_int_eq(res.ret, 5);
	memset(exp, CANARY, 64);
	memcpy(exp, "hello", 5);
	memcpy(exp + 20, "WW", 2);
	ck_assert(memcmp(got, exp, 64) == 0);

	/* MsgWrite then MsgError: the error, and the data written. */
	cli_send(&k, 4, 64, 0);
	r = MsgReceive(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(MsgWrite(r, "EE", 2, 30), 2);
	ck_assert_int_eq(MsgError(r, EIO), 0);
	res = cli_result(&k, got, 64);
	ck_assert_int_eq(res.ret, -1);
	ck_assert_int_eq(res.err, EIO);
	memset(exp, CANARY, 64);
	memcpy(exp + 30, "EE", 2);
	ck_assert(memcmp(got, exp, 64) == 0);
	kid_kill(&k);
}
END_TEST

/* The same with a 1 MiB reply buffer (not the inline path). */
START_TEST(test_write_offsets_big)
{
	struct kid k = cli_spawn();
	int chid = ChannelCreate(0);
	(void) cli_connect(&k, chid);
	size_t len = 1u << 20;
	uint8_t *got = malloc(len);
	uint8_t piece[5000];
	struct _msg_info info;
	char buf[16];
	struct cres res;
	rcvid_t r;

	ck_assert_ptr_nonnull(got);
	for (int round = 0; round < 2; round++) {
		cli_send(&k, 8, len, 0);
		r = MsgReceive(chid, buf, sizeof(buf), &info);
		ck_assert_int_gt(r, 0);
		ck_assert_int_eq(info.dstmsglen, (int) len);
		fill(piece, sizeof(piece), 7 + (unsigned) round, 0);
		ck_assert_int_eq(MsgWrite(r, piece, sizeof(piece), 700001), 5000);
		ck_assert_int_eq(MsgWrite(r, piece, 100, 17), 100);
		ck_assert_int_eq(MsgWrite(r, piece, sizeof(piece), len - 1000),
		    1000);
		ck_assert_int_eq(MsgReply(r, round, NULL, 0), 0);
		res = cli_result(&k, got, len);
		ck_assert_int_eq(res.ret, round);
		ck_assert_uint_eq(byte_diff(got, 17, CANARY), SIZE_MAX);
		ck_assert_uint_eq(pat_diff(got + 17, 100, 7 + (unsigned) round, 0),
		    SIZE_MAX);
		ck_assert_uint_eq(byte_diff(got + 117, 700001 - 117, CANARY),
		    SIZE_MAX);
		ck_assert_uint_eq(pat_diff(got + 700001, 5000,
				      7 + (unsigned) round, 0),
		    SIZE_MAX);
		ck_assert_uint_eq(byte_diff(got + 705001, len - 1000 - 705001,
				      CANARY),
		    SIZE_MAX);
		ck_assert_uint_eq(pat_diff(got + len - 1000, 1000,
				      7 + (unsigned) round, 0),
		    SIZE_MAX);
	}
	free(got);
	kid_kill(&k);
}
END_TEST

/* ---- 8 MiB and more, both ways --------------------------------------- */

START_TEST(test_big_both_ways)
{
	struct kid srv;
	int coid = xecho_start(&srv);
	/* {message, reply buffer}: the last one truncates a 9 MiB reply to
	 * 8 MiB on the big-buffer path. */
	size_t sizes[][2] = {{8u << 20, 8u << 20},
	    {(8u << 20) + 4099, (8u << 20) + 4099},
	    {(12u << 20) + 1, (12u << 20) + 1}, {9u << 20, 8u << 20}};

	for (unsigned t = 0; t < 4; t++) {
		size_t len = sizes[t][0];
		size_t rlen = sizes[t][1];
		size_t got = len < rlen ? len : rlen;
		uint8_t *out = malloc(len);
		uint8_t *in = malloc(rlen + 100);
		size_t bad = SIZE_MAX;

		ck_assert_ptr_nonnull(out);
		ck_assert_ptr_nonnull(in);
		fill(out, len, 20 + t, 0);
		memset(in, CANARY, rlen + 100);
		ck_assert_int_eq(MsgSend(coid, out, len, in, rlen), (long) len);
		for (size_t i = 0; i < got; i++) {
			if ((uint8_t) (in[i] ^ 0x5a) != pat(20 + t, i)) {
				bad = i;
				break;
			}
		}
		ck_assert_msg(bad == SIZE_MAX, "size %zu: byte %zu differs", len,
		    bad);
		ck_assert_uint_eq(byte_diff(in + got, rlen + 100 - got, CANARY),
		    SIZE_MAX);
		/* The send buffer is untouched. */
		ck_assert_uint_eq(pat_diff(out, len, 20 + t, 0), SIZE_MAX);
		free(out);
		free(in);
	}
	kid_kill(&srv);
}
END_TEST

/* ---- the same buffer for the message and the reply ------------------ */

START_TEST(test_same_buffer)
{
	struct kid srv;
	int coid = xecho_start(&srv);
	size_t sizes[] = {64, 300 * 1024};

	for (unsigned t = 0; t < 2; t++) {
		size_t len = sizes[t];
		uint8_t *b = malloc(len);

		ck_assert_ptr_nonnull(b);
		fill(b, len, 30 + t, 0);
		ck_assert_int_eq(MsgSend(coid, b, len, b, len), (long) len);
		for (size_t i = 0; i < len; i++) {
			ck_assert_msg((uint8_t) (b[i] ^ 0x5a) == pat(30 + t, i),
			    "len %zu byte %zu", len, i);
		}
		/* The same IOV array for both sides. */
		iov_t iov[2];
		fill(b, len, 40 + t, 0);
		SETIOV(&iov[0], b, 10);
		SETIOV(&iov[1], b + 10, len - 10);
		ck_assert_int_eq(MsgSendv(coid, iov, 2, iov, 2), (long) len);
		for (size_t i = 0; i < len; i++) {
			ck_assert_msg((uint8_t) (b[i] ^ 0x5a) == pat(40 + t, i),
			    "v: len %zu byte %zu", len, i);
		}
		free(b);
	}
	/* Overlapping, shifted: the reply goes 10 bytes further on. */
	uint8_t o[80];
	fill(o, 64, 50, 0);
	ck_assert_int_eq(MsgSend(coid, o, 64, o + 10, 64), 64);
	for (size_t i = 0; i < 64; i++) {
		ck_assert_uint_eq((uint8_t) (o[10 + i] ^ 0x5a), pat(50, i));
	}
	ck_assert_uint_eq(pat_diff(o, 10, 50, 0), SIZE_MAX);
	kid_kill(&srv);
}
END_TEST

/* ---- zero-length messages and replies ------------------------------- */

START_TEST(test_zero_length)
{
	struct kid k = cli_spawn();
	struct kid srv;
	int coid = xecho_start(&srv);
	int chid = ChannelCreate(0);
	(void) cli_connect(&k, chid);
	uint8_t buf[32];
	uint8_t got[16];
	struct _msg_info info;
	struct cres res;
	rcvid_t r;

	/* MsgSend(coid, NULL, 0, NULL, 0). */
	cli_send(&k, 0, 0, 0);
	memset(buf, CANARY, sizeof(buf));
	memset(&info, 0x55, sizeof(info));
	r = MsgReceive(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(info.msglen, 0);
	ck_assert_int_eq(info.srcmsglen, 0);
	ck_assert_int_eq(info.dstmsglen, 0);
	ck_assert_uint_eq(byte_diff(buf, sizeof(buf), CANARY), SIZE_MAX);
	ck_assert_int_eq(MsgRead(r, buf, sizeof(buf), 0), 0);
	ck_assert_int_eq(MsgWrite(r, "abc", 3, 0), 0); /* no reply buffer */
	ck_assert_int_eq(MsgReply(r, 3, NULL, 0), 0);
	res = cli_result(&k, NULL, 0);
	ck_assert_int_eq(res.ret, 3);

	/* A zero-length reply buffer: a reply with data changes nothing. */
	cli_send(&k, 8, 0, 9);
	r = MsgReceive(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(info.msglen, 8);
	ck_assert_int_eq(info.dstmsglen, 0);
	ck_assert_int_eq(MsgReply(r, 4, "xxxx", 4), 0);
	res = cli_result(&k, NULL, 0);
	ck_assert_int_eq(res.ret, 4);

	/* A zero-length reply to a real reply buffer. */
	cli_send(&k, 0, 16, 0);
	r = MsgReceive(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(info.msglen, 0);
	ck_assert_int_eq(info.dstmsglen, 16);
	ck_assert_int_eq(MsgReply(r, 0, "zz", 0), 0);
	res = cli_result(&k, got, 16);
	ck_assert_int_eq(res.ret, 0);
	ck_assert_uint_eq(byte_diff(got, 16, CANARY), SIZE_MAX);

	/* MsgReplyv with no parts. */
	cli_send(&k, 1, 16, 0);
	r = MsgReceive(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(MsgReplyv(r, 9, NULL, 0), 0);
	res = cli_result(&k, got, 16);
	ck_assert_int_eq(res.ret, 9);
	ck_assert_uint_eq(byte_diff(got, 16, CANARY), SIZE_MAX);

	/* Zero-part IOV sends, in this process (the server is a kid). */
	ck_assert_int_eq(MsgSendv(coid, NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(MsgSendsv(coid, NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(MsgSendvs(coid, NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(MsgSend_r(coid, NULL, 0, NULL, 0), 0);
	kid_kill(&srv);
	kid_kill(&k);
}
END_TEST

/* ---- reply statuses ---------------------------------------------------- */

/* Replies to each message with the long it carries as the status. */
static void
status_server(int out, int in, void *p)
{
	int chid = ChannelCreate(0);

	(void) in;
	(void) p;
	put(out, &chid, sizeof(chid));
	for (;;) {
		long st = 0;
		rcvid_t r = MsgReceive(chid, &st, sizeof(st), NULL);

		if (r > 0) {
			MsgReply(r, st, NULL, 0);
		} else if (r < 0) {
			_exit(3);
		}
	}
}

START_TEST(test_reply_status)
{
	struct kid srv = kid_spawn(status_server, NULL);
	long statuses[] = {0, 1, 42, 65535, INT32_MAX, (long) INT32_MAX + 5,
	    LONG_MAX, -5, -1, -EPERM, INT32_MIN};
	int chid;
	int coid;

	ck_assert(kid_get(&srv, &chid, sizeof(chid)));
	coid = ConnectAttach(0, srv.pid, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		long st = statuses[i];

		/* QNX returns the status as is, negative ones included
		 * (qnx-api.md §1.5, §1.7); the _r form never touches errno. */
		ck_assert_msg(MsgSend(coid, &st, sizeof(st), NULL, 0) == st,
		    "status %ld", st);
		ck_assert_msg(MsgSendvnc(coid, &(iov_t){&st, sizeof(st)}, 1, NULL,
				  0) == st,
		    "vnc: status %ld", st);
		errno = 4242;
		ck_assert_msg(MsgSend_r(coid, &st, sizeof(st), NULL, 0) == st,
		    "_r: status %ld", st);
		ck_assert_int_eq(errno, 4242);
	}
	kid_kill(&srv);
}
END_TEST

/* ---- MsgError ------------------------------------------------------------ */

START_TEST(test_msg_error)
{
	struct kid k = cli_spawn();
	int chid = ChannelCreate(0);
	(void) cli_connect(&k, chid);
	int errs[] = {EPERM, EIO, ENOENT, EINVAL, ENOREMOTE, ESRVRFAULT, 4095};
	char buf[16];
	struct cres res;
	rcvid_t r;

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		cli_send(&k, 4, 0, 0);
		r = MsgReceive(chid, buf, sizeof(buf), NULL);
		ck_assert_int_gt(r, 0);
		ck_assert_int_eq(MsgError(r, errs[i]), 0);
		res = cli_result(&k, NULL, 0);
		ck_assert_int_eq(res.ret, -1);
		ck_assert_int_eq(res.err, errs[i]);
		/* Answered: a second answer fails. */
		ck_assert_int_eq(MsgError(r, errs[i]), -1);
		ck_assert_int_eq(errno, ESRCH);
		ck_assert_int_eq(MsgReply_r(r, 0, NULL, 0), -ESRCH);
	}
	/* MsgError(rcvid, EOK): the send returns 0. */
	cli_send(&k, 4, 0, 0);
	r = MsgReceive(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r, 0);
	errno = 4242;
	ck_assert_int_eq(MsgError_r(r, EOK), 0);
	ck_assert_int_eq(errno, 4242);
	res = cli_result(&k, NULL, 0);
	ck_assert_int_eq(res.ret, 0);
	/* Invalid error numbers are refused and leave the rcvid live. */
	cli_send(&k, 4, 0, 0);
	r = MsgReceive(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(MsgError_r(r, -2), -EINVAL);
	ck_assert_int_eq(MsgError_r(r, 4096), -EINVAL);
	ck_assert(!kid_has_data(&k));
	struct _msg_info mi;
	ck_assert_int_eq(MsgInfo(r, &mi), 0);
	ck_assert_int_eq(MsgReply(r, 8, NULL, 0), 0);
	res = cli_result(&k, NULL, 0);
	ck_assert_int_eq(res.ret, 8);
	kid_kill(&k);
}
END_TEST

/* MsgSend_r and the errno-setting forms, seen from the client: the server
 * is a kid that answers MsgError(rcvid, err) with the err it is sent. */
static void
error_server(int out, int in, void *p)
{
	int chid = ChannelCreate(0);

	(void) in;
	(void) p;
	put(out, &chid, sizeof(chid));
	for (;;) {
		int e = 0;
		rcvid_t r = MsgReceive(chid, &e, sizeof(e), NULL);

		if (r > 0) {
			MsgError(r, e);
		} else if (r < 0) {
			_exit(3);
		}
	}
}

START_TEST(test_msg_error_client_forms)
{
	struct kid srv = kid_spawn(error_server, NULL);
	int errs[] = {EPERM, EIO, EAGAIN, ENOREMOTE, 4095};
	int chid;
	int coid;
	char rb[4];

	ck_assert(kid_get(&srv, &chid, sizeof(chid)));
	coid = ConnectAttach(0, srv.pid, chid, _NTO_SIDE_CHANNEL, 0);
	ck_assert_int_ge(coid, 0);
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		int e = errs[i];
		iov_t siov;
		iov_t riov;

		SETIOV(&siov, &e, sizeof(e));
		SETIOV(&riov, rb, sizeof(rb));
		for (int form = F_S; form <= F_VS; form++) {
			for (int nc = 0; nc < 2; nc++) {
				errno = 0;
				ck_assert_int_eq(send_form(form, nc, false, coid,
						     &e, sizeof(e), &siov, 1, rb,
						     sizeof(rb), &riov, 1),
				    -1);
				ck_assert_int_eq(errno, e);
				errno = 4242;
				ck_assert_int_eq(send_form(form, nc, true, coid,
						     &e, sizeof(e), &siov, 1, rb,
						     sizeof(rb), &riov, 1),
				    -e);
				ck_assert_int_eq(errno, 4242);
			}
		}
	}
	/* EOK: 0 from both forms. */
	int zero = EOK;
	errno = 4242;
	ck_assert_int_eq(MsgSend(coid, &zero, sizeof(zero), NULL, 0), 0);
	ck_assert_int_eq(MsgSend_r(coid, &zero, sizeof(zero), NULL, 0), 0);
	ck_assert_int_eq(errno, 4242);
	kid_kill(&srv);
}
END_TEST

/* MsgError(rcvid, ERESTART): the client re-sends, transparently. */
START_TEST(test_msg_error_restart)
{
	struct kid k = cli_spawn();
	int chid = ChannelCreate(0);
	struct cli_hello h = cli_connect(&k, chid);
	struct _msg_info i1, i2, i3;
	uint8_t b1[600], b2[600], b3[600];
	uint8_t got[32];
	struct cres res;
	rcvid_t r;

	cli_send(&k, 500, 32, 11);
	memset(b1, 0, sizeof(b1));
	r = MsgReceive(chid, b1, sizeof(b1), &i1);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(MsgError(r, ERESTART), 0);
	/* The same message comes again, from the same thread. */
	memset(b2, 0, sizeof(b2));
	r = MsgReceive(chid, b2, sizeof(b2), &i2);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(i2.msglen, 500);
	ck_assert_int_eq(i2.srcmsglen, 500);
	ck_assert_int_eq(i2.dstmsglen, 32);
	ck_assert_int_eq(i2.tid, i1.tid);
	ck_assert_int_eq(i2.tid, h.tid);
	ck_assert_int_eq(i2.coid, h.coid);
	ck_assert_int_eq(i2.scoid, i1.scoid);
	ck_assert(memcmp(b1, b2, sizeof(b1)) == 0);
	ck_assert_uint_eq(pat_diff(b2, 500, 11, 0), SIZE_MAX);
	/* The client has not been released in between. */
	ck_assert(!kid_has_data(&k));
	/* And a third time. */
	ck_assert_int_eq(MsgError(r, ERESTART), 0);
	r = MsgReceive(chid, b3, sizeof(b3), &i3);
	ck_assert_int_gt(r, 0);
	ck_assert(memcmp(b1, b3, 500) == 0);
	ck_assert_int_eq(MsgReply(r, 31, "restarted", 10), 0);
	res = cli_result(&k, got, 32);
	ck_assert_int_eq(res.ret, 31);
	ck_assert_str_eq((char *) got, "restarted");
	kid_kill(&k);
}
END_TEST

/* ---- MsgInfo on a live rcvid --------------------------------------- */

START_TEST(test_msg_info)
{
	struct kid k = cli_spawn();
	int chid = ChannelCreate(0);
	struct cli_hello h = cli_connect(&k, chid);
	struct _msg_info info, mi;
	uint8_t buf[8];
	struct cres res;
	rcvid_t r;

	cli_send(&k, 100, 40, 0);
	r = MsgReceive(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	memset(&mi, 0x55, sizeof(mi));
	ck_assert_int_eq(MsgInfo(r, &mi), 0);
	ck_assert_uint_eq(mi.nd, ND_LOCAL_NODE);
	ck_assert_int_eq(mi.pid, k.pid);
	ck_assert_int_eq(mi.tid, h.tid);
	ck_assert_int_eq(mi.chid, chid);
	ck_assert(mi.scoid & _NTO_SIDE_CHANNEL);
	ck_assert_int_eq(mi.scoid, info.scoid);
	ck_assert_int_eq(mi.coid, h.coid);
	ck_assert_int_eq(mi.srcmsglen, 100);
	ck_assert_int_eq(mi.dstmsglen, 40);
	ck_assert_int_eq(mi.msglen, 100); /* MsgReply(3): the full length */
	ck_assert_int_eq(mi.priority, info.priority);
	ck_assert_int_eq(mi.flags, 0);
	/* The same as MsgReceive() said, but for msglen. */
	ck_assert_int_eq(info.msglen, 8);
	ck_assert_int_eq(info.pid, mi.pid);
	ck_assert_int_eq(info.tid, mi.tid);
	ck_assert_int_eq(info.coid, mi.coid);
	errno = 4242;
	ck_assert_int_eq(MsgInfo_r(r, &mi), 0);
	ck_assert_int_eq(errno, 4242);
	/* Any thread may use the rcvid. */
	ck_assert_int_eq(MsgReply(r, 3, NULL, 0), 0);
	res = cli_result(&k, buf, 8);
	(void) res;
	ck_assert_int_eq(MsgInfo(r, &mi), -1);
	ck_assert_int_eq(errno, ESRCH);
	kid_kill(&k);
}
END_TEST


/* A real received message read through the documented byte offsets of
 * QNX 7's _msg_info64: what a program compiled against QNX's header,
 * or a binding that declares it by hand, would see. */
START_TEST(test_msg_info_layout)
{
#if UINTPTR_MAX > 0xffffffffu
	struct kid k = cli_spawn();
	int chid = ChannelCreate(0);
	struct cli_hello h = cli_connect(&k, chid);
	uint8_t raw[64];
	struct _msg_info64 info;
	struct _server_info64 si;
	uint8_t buf[16];
	int64_t len;
	int32_t i32;
	int16_t i16;
	uint32_t u32;
	rcvid_t r;

	cli_send(&k, 300, 70, 1);
	memset(&info, 0x55, sizeof(info));
	r = MsgReceive(chid, buf, sizeof(buf), &info);
	ck_assert_int_gt(r, 0);
	memcpy(raw, &info, sizeof(raw));
	memcpy(&i32, raw + 8, 4);
	ck_assert_int_eq(i32, k.pid);
	memcpy(&i32, raw + 12, 4);
	ck_assert_int_eq(i32, h.tid);
	memcpy(&i32, raw + 16, 4);
	ck_assert_int_eq(i32, chid);
	memcpy(&i32, raw + 24, 4);
	ck_assert_int_eq(i32, h.coid);
	memcpy(&i16, raw + 28, 2);
	ck_assert_int_eq(i16, info.priority);
	ck_assert_int_gt(i16, 0);
	memcpy(&i16, raw + 30, 2);
	ck_assert_int_eq(i16, 0);
	memcpy(&len, raw + 32, 8);
	ck_assert_int_eq(len, 16);
	memcpy(&len, raw + 40, 8);
	ck_assert_int_eq(len, 300);
	memcpy(&len, raw + 48, 8);
	ck_assert_int_eq(len, 70);
	memcpy(&u32, raw + 56, 4);
	ck_assert_uint_eq(u32, 0); /* type_id */
	memcpy(&u32, raw + 60, 4);
	ck_assert_uint_eq(u32, 0); /* reserved */
	/* MsgInfo() fills the same layout; msglen is the whole message. */
	memset(&info, 0x55, sizeof(info));
	ck_assert_int_eq(MsgInfo(r, &info), 0);
	memcpy(raw, &info, sizeof(raw));
	memcpy(&len, raw + 32, 8);
	ck_assert_int_eq(len, 300);
	memcpy(&u32, raw + 56, 4);
	ck_assert_uint_eq(u32, 0);
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	(void) cli_result(&k, buf, 70 > sizeof(buf) ? 0 : 70);
	/* ConnectServerInfo() fills the _server_info64 layout. */
	{
		int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);

		ck_assert_int_ge(coid, 0);
		memset(&si, 0x55, sizeof(si));
		ck_assert_int_eq(ConnectServerInfo(0, coid, &si), coid);
		memcpy(raw, &si, sizeof(raw));
		memcpy(&i32, raw + 8, 4);
		ck_assert_int_eq(i32, getpid());
		memcpy(&i32, raw + 16, 4);
		ck_assert_int_eq(i32, chid);
		memcpy(&i32, raw + 24, 4);
		ck_assert_int_eq(i32, coid);
		memcpy(&i16, raw + 30, 2);
		ck_assert_int_eq(i16, 0); /* flags: not dead, no CLOEXEC */
		memcpy(&len, raw + 32, 8);
		ck_assert_int_eq(len, 0);
		ck_assert_int_eq(ConnectDetach(coid), 0);
	}
	kid_kill(&k);
#endif
}
END_TEST

/* ---- MsgKeyData() --------------------------------------------------- */

/* SipHash-2-4 against the paper's test vector (appendix A: key 00..0f,
 * message 00..0e), whole and fed in every split. */
START_TEST(test_siphash_vector)
{
	uint8_t key[16], msg[15];
	struct axon_sip s;

	for (int i = 0; i < 16; i++) {
		key[i] = (uint8_t) i;
	}
	for (int i = 0; i < 15; i++) {
		msg[i] = (uint8_t) i;
	}
	for (size_t a = 0; a <= sizeof(msg); a++) {
		for (size_t b = a; b <= sizeof(msg); b++) {
			axon__sip_init(&s, key);
			axon__sip_update(&s, msg, a);
			axon__sip_update(&s, msg + a, b - a);
			axon__sip_update(&s, msg + b, sizeof(msg) - b);
			ck_assert_uint_eq(axon__sip_final(&s),
			    0xa129ca6149be45e5ULL);
		}
	}
	axon__sip_init(&s, key);
	ck_assert_uint_eq(axon__sip_final(&s), 0x726fdb47dd0e0e31ULL);
}
END_TEST

static int
keydata(rcvid_t r, int op, uint32_t key, uint32_t *nk, const void *d,
    size_t n)
{
	iov_t iov[2];
	size_t h = n / 3;

	SETIOV(&iov[0], d, h);
	SETIOV(&iov[1], (const char *) d + h, n - h);
	return MsgKeyData(r, op, key, nk, iov, 2);
}

/*
 * The documented use: a privileged server keys the data it replies, the
 * client passes the data and the key on, and a privileged server checks
 * that the client changed nothing.  Here both servers are this process
 * and the client sends twice.
 */
START_TEST(test_keydata)
{
	struct kid k = cli_spawn();
	struct kid k2 = cli_spawn();
	int chid = ChannelCreate(0);
	uint8_t data[1000], buf[8];
	uint32_t key, nk, nk0, other;
	iov_t iov;
	rcvid_t r, r2;
	char path[300];
	struct stat st;

	for (size_t i = 0; i < sizeof(data); i++) {
		data[i] = (uint8_t) (i * 7);
	}
	(void) cli_connect(&k, chid);
	(void) cli_connect(&k2, chid);
	cli_send(&k, 8, 8, 0);
	r = MsgReceive(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(keydata(r, _NTO_KEYDATA_CALCULATE, 0x1234, &key,
			     data, sizeof(data)), 0);
	/* Deterministic for the same client, key and data. */
	ck_assert_int_eq(keydata(r, _NTO_KEYDATA_CALCULATE, 0x1234, &nk,
			     data, sizeof(data)), 0);
	ck_assert_uint_eq(nk, key);
	/* One iov or two: the same bytes, the same key. */
	SETIOV(&iov, data, sizeof(data));
	ck_assert_int_eq(MsgKeyData(r, _NTO_KEYDATA_CALCULATE, 0x1234, &nk,
			     &iov, 1), 0);
	ck_assert_uint_eq(nk, key);
	/* Key 0: the node's own secret alone. */
	ck_assert_int_eq(keydata(r, _NTO_KEYDATA_CALCULATE, 0, &nk0, data,
			     sizeof(data)), 0);
	ck_assert_uint_ne(nk0, key);
	/* The secret is root's and private. */
	snprintf(path, sizeof(path), "%s/keydata.secret", getenv("AXON_RUNDIR"));
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(st.st_size, 16);
	ck_assert_int_eq(MsgReply(r, 0, buf, sizeof(buf)), 0);
	(void) cli_result(&k, buf, 8);

	/* The client comes back with the data: it verifies... */
	cli_send(&k, 8, 8, 0);
	r = MsgReceive(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r, 0);
	nk = key;
	ck_assert_int_eq(keydata(r, _NTO_KEYDATA_VERIFY, 0x1234, &nk, data,
			     sizeof(data)), 0);
	ck_assert_uint_eq(nk, 0);
	nk = nk0;
	ck_assert_int_eq(keydata(r, _NTO_KEYDATA_VERIFY, 0, &nk, data,
			     sizeof(data)), 0);
	ck_assert_uint_eq(nk, 0);
	/* ...unless one byte, the key, or the caller's key differs. */
	data[500] ^= 1;
	nk = key;
	ck_assert_int_eq(keydata(r, _NTO_KEYDATA_VERIFY, 0x1234, &nk, data,
			     sizeof(data)), 0);
	ck_assert_uint_ne(nk, 0);
	data[500] ^= 1;
	nk = key ^ 0x100;
	ck_assert_int_eq(keydata(r, _NTO_KEYDATA_VERIFY, 0x1234, &nk, data,
			     sizeof(data)), 0);
	ck_assert_uint_ne(nk, 0);
	nk = key;
	ck_assert_int_eq(keydata(r, _NTO_KEYDATA_VERIFY, 0x1235, &nk, data,
			     sizeof(data)), 0);
	ck_assert_uint_ne(nk, 0);
	nk = key;
	ck_assert_int_eq(keydata(r, _NTO_KEYDATA_VERIFY, 0x1234, &nk, data,
			     sizeof(data) - 1), 0);
	ck_assert_uint_ne(nk, 0);

	/* Another client cannot pass the first one's key off as its own. */
	cli_send(&k2, 8, 8, 0);
	r2 = MsgReceive(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r2, 0);
	nk = key;
	ck_assert_int_eq(keydata(r2, _NTO_KEYDATA_VERIFY, 0x1234, &nk, data,
			     sizeof(data)), 0);
	ck_assert_uint_ne(nk, 0);
	ck_assert_int_eq(keydata(r2, _NTO_KEYDATA_CALCULATE, 0x1234, &other,
			     data, sizeof(data)), 0);
	ck_assert_uint_ne(other, key);
	/* No data at all is data too. */
	ck_assert_int_eq(MsgKeyData(r2, _NTO_KEYDATA_CALCULATE, 9, &nk, NULL,
			     0), 0);
	other = nk;
	ck_assert_int_eq(MsgKeyData(r2, _NTO_KEYDATA_VERIFY, 9, &nk, NULL, 0),
	    0);
	ck_assert_uint_eq(nk, 0);
	(void) other;
	/* A secret someone else could have made or read is refused. */
	ck_assert_int_eq(chmod(path, 0640), 0);
	nk = 5;
	errno = 0;
	ck_assert_int_eq(MsgKeyData(r2, _NTO_KEYDATA_CALCULATE, 9, &nk, NULL,
			     0), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_uint_eq(nk, 5);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	ck_assert_int_eq(MsgKeyData_r(r2, _NTO_KEYDATA_CALCULATE, 9, &nk,
			     NULL, 0), -EACCES);
	ck_assert_int_eq(chown(path, 0, 0), 0);
	ck_assert_int_eq(chmod(path, 0600), 0);
	nk = key; /* the same secret as before: the key still verifies */
	ck_assert_int_eq(keydata(r, _NTO_KEYDATA_VERIFY, 0x1234, &nk, data,
			     sizeof(data)), 0);
	ck_assert_uint_eq(nk, 0);
	ck_assert_int_eq(MsgReply(r2, 0, buf, sizeof(buf)), 0);
	(void) cli_result(&k2, buf, 8);
	ck_assert_int_eq(MsgReply(r, 0, buf, sizeof(buf)), 0);
	(void) cli_result(&k, buf, 8);
	kid_kill(&k);
	kid_kill(&k2);
}
END_TEST

START_TEST(test_keydata_errors)
{
	struct kid k = cli_spawn();
	int chid = ChannelCreate(0);
	uint8_t data[4] = {1, 2, 3, 4}, buf[8];
	uint32_t nk = 77;
	iov_t iov, bad;
	rcvid_t r;
	double end;
	int rc;

	SETIOV(&iov, data, sizeof(data));
	SETIOV(&bad, NULL, 4);
	(void) cli_connect(&k, chid);
	cli_send(&k, 8, 8, 0);
	r = MsgReceive(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r, 0);
	errno = 0;
	ck_assert_int_eq(MsgKeyData(r, 7, 1, &nk, &iov, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(MsgKeyData(r, _NTO_KEYDATA_CALCULATE, 1, &nk, &iov,
			     -1), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(MsgKeyData(r, _NTO_KEYDATA_CALCULATE, 1, NULL, &iov,
			     1), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 0;
	ck_assert_int_eq(MsgKeyData(r, _NTO_KEYDATA_CALCULATE, 1, &nk, NULL,
			     1), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 0;
	ck_assert_int_eq(MsgKeyData(r, _NTO_KEYDATA_CALCULATE, 1, &nk, &bad,
			     1), -1);
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_uint_eq(nk, 77); /* untouched on error */
	/* Bad rcvids: ESRCH; the _r form leaves errno alone. */
	errno = 4242;
	ck_assert_int_eq(MsgKeyData_r(0, _NTO_KEYDATA_CALCULATE, 1, &nk,
			     &iov, 1), -ESRCH);
	ck_assert_int_eq(MsgKeyData_r(-5, _NTO_KEYDATA_CALCULATE, 1, &nk,
			     &iov, 1), -ESRCH);
	ck_assert_int_eq(MsgKeyData_r(r + 1000, _NTO_KEYDATA_CALCULATE, 1,
			     &nk, &iov, 1), -ESRCH);
	ck_assert_int_eq(MsgKeyData_r(r, 7, 1, &nk, &iov, 1), -EINVAL);
	ck_assert_int_eq(errno, 4242);
	ck_assert_uint_eq(nk, 77);
	/* Replied: the rcvid is spent. */
	ck_assert_int_eq(MsgReply(r, 0, buf, sizeof(buf)), 0);
	(void) cli_result(&k, buf, 8);
	errno = 0;
	ck_assert_int_eq(MsgKeyData(r, _NTO_KEYDATA_CALCULATE, 1, &nk, &iov,
			     1), -1);
	ck_assert_int_eq(errno, ESRCH);
	/* The client dies while we hold its message: ESRCH once the
	 * connection's end is seen. */
	cli_send(&k, 8, 8, 0);
	r = MsgReceive(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(MsgKeyData(r, _NTO_KEYDATA_CALCULATE, 1, &nk, &iov,
			     1), 0);
	kid_kill(&k);
	end = axt_now() + 10.0;
	do {
		rc = MsgKeyData_r(r, _NTO_KEYDATA_CALCULATE, 1, &nk, &iov, 1);
		if (rc == 0) {
			axt_sleep_ms(10);
		}
	} while (rc == 0 && axt_now() < end);
	ck_assert_int_eq(rc, -ESRCH);
}
END_TEST

/*
 * An unprivileged server holding a real message cannot key data (EPERM,
 * as QNX without PROCMGR_AID_KEYDATA) and cannot read the node's secret
 * that root's keys are made with.
 */
struct ka_res {
	int keyrc;
	int keyerr;
	int openerr;
	int rcv;
};

static void *
ka_sender(void *p)
{
	int coid = *(int *) p;
	char b[4] = "abc";

	(void) MsgSend(coid, b, sizeof(b), NULL, 0);
	return NULL;
}

static void
ka_main(int out, int in, void *p)
{
	char path[300];
	struct ka_res res = {0};
	uint8_t go, buf[8];
	uint32_t nk = 0;
	pthread_t t;
	iov_t iov;
	int chid, coid;
	rcvid_t r;

	(void) p;
	if (!get(in, &go, 1)) {
		_exit(0);
	}
	axa_become();
	snprintf(path, sizeof(path), "%s/keydata.secret", getenv("AXON_RUNDIR"));
	res.openerr = open(path, O_RDONLY) < 0 ? errno : 0;
	chid = ChannelCreate(0);
	coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	if (chid < 0 || coid < 0 ||
	    pthread_create(&t, NULL, ka_sender, &coid) != 0) {
		_exit(96);
	}
	r = MsgReceive(chid, buf, sizeof(buf), NULL);
	res.rcv = r > 0;
	SETIOV(&iov, buf, sizeof(buf));
	errno = 0;
	res.keyrc = MsgKeyData(r, _NTO_KEYDATA_CALCULATE, 5, &nk, &iov, 1);
	res.keyerr = errno;
	(void) MsgReply(r, 0, NULL, 0);
	(void) pthread_join(t, NULL);
	put(out, &res, sizeof(res));
}

START_TEST(test_keydata_unprivileged)
{
	struct kid a, k;
	struct ka_res res;
	uint8_t buf[8], go = 1;
	uint32_t nk;
	iov_t iov;
	rcvid_t r;
	int chid;

	if (!axa_user("test_keydata_unprivileged")) {
		return;
	}
	axa_share_rundir(getenv("AXON_RUNDIR"));
	a = kid_spawn(ka_main, NULL);
	k = cli_spawn();
	chid = ChannelCreate(0);
	(void) cli_connect(&k, chid);
	cli_send(&k, 8, 8, 0);
	r = MsgReceive(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r, 0);
	SETIOV(&iov, buf, sizeof(buf));
	ck_assert_int_eq(MsgKeyData(r, _NTO_KEYDATA_CALCULATE, 5, &nk, &iov,
			     1), 0); /* root: fine, and the secret exists */
	kid_cmd(&a, &go, 1);
	ck_assert_msg(kid_get(&a, &res, sizeof(res)), "attacker reported");
	ck_assert_int_eq(res.rcv, 1);
	ck_assert_int_eq(res.keyrc, -1);
	ck_assert_int_eq(res.keyerr, EPERM);
	ck_assert_int_eq(res.openerr, EACCES);
	ck_assert_int_eq(MsgReply(r, 0, buf, sizeof(buf)), 0);
	(void) cli_result(&k, buf, 8);
	kid_kill(&k);
	kid_kill(&a);
}
END_TEST

/* ---- every rcvid operation on a bad or used rcvid: ESRCH ---------- */

static void
check_rcvid_dead(rcvid_t r)
{
	struct _msg_info mi;
	char b[8] = "abcdefg";
	iov_t iov;

	SETIOV(&iov, b, sizeof(b));
	errno = 0;
	ck_assert_int_eq(MsgReply(r, 0, b, 1), -1);
	ck_assert_int_eq(errno, ESRCH);
	errno = 0;
	ck_assert_int_eq(MsgReplyv(r, 0, &iov, 1), -1);
	ck_assert_int_eq(errno, ESRCH);
	errno = 0;
	ck_assert_int_eq(MsgError(r, EIO), -1);
	ck_assert_int_eq(errno, ESRCH);
	errno = 0;
	ck_assert_int_eq(MsgRead(r, b, sizeof(b), 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	errno = 0;
	ck_assert_int_eq(MsgReadv(r, &iov, 1, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	errno = 0;
	ck_assert_int_eq(MsgWrite(r, b, sizeof(b), 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	errno = 0;
	ck_assert_int_eq(MsgWritev(r, &iov, 1, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	errno = 0;
	ck_assert_int_eq(MsgInfo(r, &mi), -1);
	ck_assert_int_eq(errno, ESRCH);
	errno = 4242;
	ck_assert_int_eq(MsgReply_r(r, 0, b, 1), -ESRCH);
	ck_assert_int_eq(MsgReplyv_r(r, 0, &iov, 1), -ESRCH);
	ck_assert_int_eq(MsgError_r(r, EIO), -ESRCH);
	ck_assert_int_eq(MsgRead_r(r, b, sizeof(b), 0), -ESRCH);
	ck_assert_int_eq(MsgReadv_r(r, &iov, 1, 0), -ESRCH);
	ck_assert_int_eq(MsgWrite_r(r, b, sizeof(b), 0), -ESRCH);
	ck_assert_int_eq(MsgWritev_r(r, &iov, 1, 0), -ESRCH);
	ck_assert_int_eq(MsgInfo_r(r, &mi), -ESRCH);
	ck_assert_int_eq(errno, 4242);
}

START_TEST(test_bad_rcvid)
{
	struct kid k = cli_spawn();
	int chid = ChannelCreate(0);
	(void) cli_connect(&k, chid);
	uint8_t buf[16];
	uint8_t got[16];
	struct cres res;
	rcvid_t r1, r2;

	/* Before anything was received. */
	check_rcvid_dead(0);
	check_rcvid_dead(-1);
	check_rcvid_dead(1);
	check_rcvid_dead(12345);
	check_rcvid_dead(0x3fffffff);
	check_rcvid_dead((rcvid_t) 1 << 40);
	check_rcvid_dead(INT64_MIN);

	cli_send(&k, 4, 16, 1);
	r1 = MsgReceive(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r1, 0);
	ck_assert_int_eq(MsgReply(r1, 1, "one", 4), 0);
	res = cli_result(&k, got, 16);
	ck_assert_int_eq(res.ret, 1);
	/* Used. */
	check_rcvid_dead(r1);
	/* The same client thread again: a new rcvid; the old one stays dead
	 * while the new one is live, and cannot answer the new message. */
	cli_send(&k, 4, 16, 2);
	r2 = MsgReceive(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r2, 0);
	ck_assert_int_ne(r2, r1);
	check_rcvid_dead(r1);
	check_rcvid_dead(r1 + ((rcvid_t) 1 << 32));
	ck_assert(!kid_has_data(&k));
	ck_assert_int_eq(MsgRead(r2, got, 4, 0), 4);
	ck_assert_uint_eq(pat_diff(got, 4, 2, 0), SIZE_MAX);
	ck_assert_int_eq(MsgReply(r2, 2, "two", 4), 0);
	res = cli_result(&k, got, 16);
	ck_assert_int_eq(res.ret, 2);
	ck_assert_str_eq((char *) got, "two");
	check_rcvid_dead(r2);
	/* MsgError-answered too. */
	cli_send(&k, 4, 0, 3);
	r1 = MsgReceive(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r1, 0);
	ck_assert_int_eq(MsgError(r1, EPERM), 0);
	res = cli_result(&k, NULL, 0);
	ck_assert_int_eq(res.err, EPERM);
	check_rcvid_dead(r1);
	kid_kill(&k);
}
END_TEST

/* ---- NULL buffers with a non-zero size: EFAULT ----------------------- */

START_TEST(test_null_efault)
{
	struct kid k = cli_spawn();
	int chid = ChannelCreate(0);
	(void) cli_connect(&k, chid);
	uint8_t buf[16];
	uint8_t got[16];
	struct _msg_info mi;
	struct cres res;
	rcvid_t r;

	/* Receiving: refused at once, nothing taken off the queue. */
	errno = 0;
	ck_assert_int_eq(MsgReceive(chid, NULL, 10, NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 0;
	ck_assert_int_eq(MsgReceivev(chid, NULL, 1, NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 0;
	ck_assert_int_eq(MsgReceivePulse(chid, NULL, 32, NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 4242;
	ck_assert_int_eq(MsgReceive_r(chid, NULL, 10, NULL), -EFAULT);
	ck_assert_int_eq(MsgReceivev_r(chid, NULL, 2, NULL), -EFAULT);
	ck_assert_int_eq(MsgReceivePulse_r(chid, NULL, 32, NULL), -EFAULT);
	ck_assert_int_eq(MsgReceivePulsev_r(chid, NULL, 1, NULL), -EFAULT);
	ck_assert_int_eq(errno, 4242);

	cli_send(&k, 8, 16, 4);
	r = MsgReceive(chid, buf, sizeof(buf), NULL);
	ck_assert_int_gt(r, 0);
	errno = 0;
	ck_assert_int_eq(MsgReply(r, 0, NULL, 5), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 0;
	ck_assert_int_eq(MsgReplyv(r, 0, NULL, 2), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 0;
	ck_assert_int_eq(MsgRead(r, NULL, 5, 0), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 0;
	ck_assert_int_eq(MsgReadv(r, NULL, 1, 0), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 0;
	ck_assert_int_eq(MsgWrite(r, NULL, 5, 0), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 0;
	ck_assert_int_eq(MsgWritev(r, NULL, 1, 0), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 0;
	ck_assert_int_eq(MsgInfo(r, NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 4242;
	ck_assert_int_eq(MsgReply_r(r, 0, NULL, 5), -EFAULT);
	ck_assert_int_eq(MsgReplyv_r(r, 0, NULL, 1), -EFAULT);
	ck_assert_int_eq(MsgRead_r(r, NULL, 5, 0), -EFAULT);
	ck_assert_int_eq(MsgReadv_r(r, NULL, 1, 0), -EFAULT);
	ck_assert_int_eq(MsgWrite_r(r, NULL, 5, 0), -EFAULT);
	ck_assert_int_eq(MsgWritev_r(r, NULL, 1, 0), -EFAULT);
	ck_assert_int_eq(MsgInfo_r(r, NULL), -EFAULT);
	ck_assert_int_eq(errno, 4242);
	/* None of that answered or harmed the message. */
	ck_assert(!kid_has_data(&k));
	ck_assert_int_eq(MsgInfo(r, &mi), 0);
	ck_assert_int_eq(MsgRead(r, got, 8, 0), 8);
	ck_assert_uint_eq(pat_diff(got, 8, 4, 0), SIZE_MAX);
	/* A NULL buffer of size 0 is fine. */
	ck_assert_int_eq(MsgRead(r, NULL, 0, 0), 0);
	ck_assert_int_eq(MsgWrite(r, NULL, 0, 0), 0);
	ck_assert_int_eq(MsgReply(r, 6, NULL, 0), 0);
	res = cli_result(&k, got, 16);
	ck_assert_int_eq(res.ret, 6);
	ck_assert_uint_eq(byte_diff(got, 16, CANARY), SIZE_MAX);
	kid_kill(&k);
}
END_TEST

/* ---- a receive buffer smaller than struct _pulse --------------------- */

START_TEST(test_pulse_small_buffer)
{
	struct kid k = cli_spawn();
	int chid = ChannelCreate(0);
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	uint8_t small[sizeof(struct _pulse)];
	struct _pulse p;
	iov_t iov[2];

	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(MsgSendPulse(coid, 10, 1, 11), 0);
	ck_assert_int_eq(MsgSendPulse(coid, 10, 2, 22), 0);
	ck_assert_int_eq(MsgSendPulse(coid, 10, 3, 33), 0);
	ck_assert_int_eq(MsgSendPulse(coid, 10, 4, 44), 0);
	ck_assert_int_eq(MsgSendPulse(coid, 10, 5, 55), 0);
	/* One byte short: EFAULT, and that pulse is gone. */
	errno = 0;
	ck_assert_int_eq(MsgReceive(chid, small, sizeof(struct _pulse) - 1,
			     NULL),
	    -1);
	ck_assert_int_eq(errno, EFAULT);
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(MsgReceive(chid, &p, sizeof(p), NULL), 0);
	ck_assert_int_eq(p.code, 2);
	ck_assert_int_eq(p.value.sival_int, 22);
	/* An IOV whose parts add up to less than a pulse: the same. */
	SETIOV(&iov[0], small, 7);
	SETIOV(&iov[1], small + 7, 7);
	ck_assert_int_eq(MsgReceivev_r(chid, iov, 2, NULL), -EFAULT);
	/* A split IOV that is big enough gets the pulse across both parts. */
	memset(small, 0xff, sizeof(small));
	SETIOV(&iov[0], small, 5);
	SETIOV(&iov[1], small + 5, sizeof(small) - 5);
	ck_assert_int_eq(MsgReceivev(chid, iov, 2, NULL), 0);
	memcpy(&p, small, sizeof(p));
	ck_assert_int_eq(p.type, _PULSE_TYPE);
	ck_assert_int_eq(p.code, 4);
	ck_assert_int_eq(p.value.sival_int, 44);
	/* MsgReceivePulse checks the same. */
	ck_assert_int_eq(MsgReceivePulse_r(chid, small, 4, NULL), -EFAULT);
	/* Nothing left: all five were consumed. */
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE,
			     NULL, NULL, NULL),
	    0);
	ck_assert_int_eq(MsgReceive_r(chid, &p, sizeof(p), NULL), -ETIMEDOUT);

	/* A message into a small buffer is fine: it is truncated. */
	int c2 = ChannelCreate(0);
	struct _msg_info info;
	(void) cli_connect(&k, c2);
	cli_send(&k, 30, 0, 8);
	rcvid_t r = MsgReceive(c2, small, 4, &info);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(info.msglen, 4);
	ck_assert_int_eq(info.srcmsglen, 30);
	ck_assert_int_eq(MsgReply(r, 0, NULL, 0), 0);
	(void) cli_result(&k, NULL, 0);
	kid_kill(&k);
}
END_TEST

/* ---- many senders, many sizes, concurrently ------------------------- */

struct mt_arg {
	int coid;
	unsigned seed;
	int bad;
};

static void *
mt_sender(void *p)
{
	struct mt_arg *a = p;
	size_t sizes[] = {1, 100, 4000, 8100, 9000, 70000, 300000};

	for (int round = 0; round < 20; round++) {
		size_t len = sizes[(round + a->seed) % 7];
		uint8_t *out = malloc(len);
		uint8_t *in = malloc(len);

		fill(out, len, a->seed + (unsigned) round, 0);
		if (MsgSend(a->coid, out, len, in, len) != (long) len) {
			a->bad++;
		}
		for (size_t i = 0; i < len; i++) {
			if ((uint8_t) (in[i] ^ 0x5a) !=
			    pat(a->seed + (unsigned) round, i)) {
				a->bad++;
				break;
			}
		}
		free(out);
		free(in);
	}
	return NULL;
}

START_TEST(test_concurrent_sizes)
{
	struct kid srv;
	int coid = xecho_start(&srv);
	pthread_t t[6];
	struct mt_arg a[6];

	for (int i = 0; i < 6; i++) {
		a[i] = (struct mt_arg){coid, 100u * (unsigned) i, 0};
		ck_assert_int_eq(pthread_create(&t[i], NULL, mt_sender, &a[i]),
		    0);
	}
	for (int i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(a[i].bad, 0);
	}
	kid_kill(&srv);
}
END_TEST

static Suite *
data_suite(void)
{
	Suite *s = suite_create("data");
	TCase *tc = axt_tcase("data", 15);

	tcase_add_test(tc, test_send_forms);
	tcase_add_test(tc, test_send_cancel_points);
	tcase_add_test(tc, test_receivev_replyv);
	tcase_add_test(tc, test_truncation);
	tcase_add_test(tc, test_read_offsets);
	tcase_add_test(tc, test_big_read_chunks);
	tcase_add_test(tc, test_write_offsets);
	tcase_add_test(tc, test_write_offsets_big);
	tcase_add_test(tc, test_big_both_ways);
	tcase_add_test(tc, test_same_buffer);
	tcase_add_test(tc, test_zero_length);
	tcase_add_test(tc, test_reply_status);
	tcase_add_test(tc, test_msg_error);
	tcase_add_test(tc, test_msg_error_client_forms);
	tcase_add_test(tc, test_msg_error_restart);
	tcase_add_test(tc, test_msg_info);
	tcase_add_test(tc, test_msg_info_layout);
	tcase_add_test(tc, test_siphash_vector);
	tcase_add_test(tc, test_keydata);
	tcase_add_test(tc, test_keydata_errors);
	tcase_add_test(tc, test_keydata_unprivileged);
	tcase_add_test(tc, test_bad_rcvid);
	tcase_add_test(tc, test_null_efault);
	tcase_add_test(tc, test_pulse_small_buffer);
	tcase_add_test(tc, test_concurrent_sizes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(data_suite());
}
