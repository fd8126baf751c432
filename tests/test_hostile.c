/* SPDX-License-Identifier: MIT */
/*
 * Robustness against clients: garbage on the sockets, a scribbled shared
 * region, nonsense sizes, abused bells, death mid-message.  The
 * server must keep serving honest clients throughout, and never crash.
 */
#include "axon_test.h"

#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "../src/lib/ctl.h"
#include "../src/lib/shm.h"

/* Echo server; message "fds?" is answered with its open fd count. */
static void
echo_server(int fd, void *p)
{
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT);
	static char buf[65536];

	(void) p;
	axt_report(fd, chid);
	for (;;) {
		struct _msg_info info;
		rcvid_t r = MsgReceive(chid, buf, sizeof(buf), &info);

		if (r < 0) {
			_exit(3);
		}
		if (r == 0) {
			struct _pulse *pu = (struct _pulse *) buf;

			if (pu->code == _PULSE_CODE_DISCONNECT) {
				ConnectDetach(pu->scoid);
			}
			continue;
		}
		if (info.msglen == 5 && memcmp(buf, "fds?", 5) == 0) {
			int n = axt_fd_count();

			MsgReply(r, n, NULL, 0);
			continue;
		}
		MsgReply(r, info.msglen, buf, (size_t) info.msglen);
	}
}

/* One honest round trip; returns 1 if the echo came back right. */
static int
honest(int coid, int i)
{
	char out[32];
	char in[32] = {0};
	int n = snprintf(out, sizeof(out), "honest %d", i);

	return MsgSend(coid, out, (size_t) n + 1, in, sizeof(in)) == n + 1 &&
	    strcmp(in, out) == 0;
}

static int
raw_connect(pid_t pid)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.80s/pid/%d", axt_rundir,
	    (int) pid);
	ck_assert_int_eq(connect(s, (struct sockaddr *) &sa, sizeof(sa)), 0);
	return s;
}

static void
send_with_fd(int s, const void *buf, size_t len, int fd)
{
	struct iovec iov = {(void *) buf, len};
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} cb;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	if (fd >= 0) {
		memset(&cb, 0, sizeof(cb));
		mh.msg_control = cb.b;
		mh.msg_controllen = sizeof(cb.b);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	(void) sendmsg(s, &mh, MSG_NOSIGNAL);
}

START_TEST(test_garbage_on_sockets)
{
	struct axt_child srv = axt_spawn(echo_server, NULL);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	struct axon_ctl m;
	char junk[4096];

	ck_assert(honest(coid, 0));
	for (int round = 0; round < 20; round++) {
		int s = raw_connect(srv.pid);

		for (size_t i = 0; i < sizeof(junk); i++) {
			junk[i] = (char) (rand() & 0xff);
		}
		switch (round % 6) {
		case 0: /* random bytes of random length */
			send_with_fd(s, junk, (size_t) (rand() % 4000) + 1, -1);
			break;
		case 1: /* a truncated header */
			axon__ctl_init(&m, AXON_CTL_CONNECT);
			send_with_fd(s, &m, 7, -1);
			break;
		case 2: /* CONNECT without the region */
			axon__ctl_init(&m, AXON_CTL_CONNECT);
			m.u.connect.pid = srv.pid;
			m.u.connect.chid = srv.val;
			m.u.connect.region_size = AXON_REGION_SIZE;
			send_with_fd(s, &m, sizeof(m), -1);
			break;
		case 3: { /* CONNECT with an unsealed, too small memfd */
			int fd = memfd_create("evil", MFD_CLOEXEC);

			ck_assert_int_eq(ftruncate(fd, 4096), 0);
			axon__ctl_init(&m, AXON_CTL_CONNECT);
			m.u.connect.pid = srv.pid;
			m.u.connect.chid = srv.val;
			m.u.connect.region_size = AXON_REGION_SIZE;
			send_with_fd(s, &m, sizeof(m), fd);
			close(fd);
			break;
		}
		case 4: /* wrong magic, right size */
			axon__ctl_init(&m, AXON_CTL_CONNECT);
			m.magic ^= 1;
			send_with_fd(s, &m, sizeof(m), -1);
			break;
		case 5: /* not a CONNECT first */
			axon__ctl_init(&m, AXON_CTL_PULSE);
			send_with_fd(s, &m, sizeof(m), -1);
			break;
		}
		/* The server drops us: a read sees end of file. */
		struct timeval tv = {2, 0};
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		char b[64];
		ssize_t n = recv(s, b, sizeof(b), 0);
		if (round % 6 == 2 || round % 6 == 3) {
			/* may get a CONNECTED with an error first */
			if (n > 0) {
				n = recv(s, b, sizeof(b), 0);
			}
		}
		ck_assert_int_le(n, 0);
		close(s);
		ck_assert(honest(coid, round + 1));
	}
	ck_assert_int_eq(kill(srv.pid, 0), 0);
	axt_child_kill(&srv);
}
END_TEST

/* Finds this process's mapping of its connection region. */
static struct axon_region *
find_region(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	struct axon_region *r = NULL;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;

		if (strstr(line, "memfd:axon-conn") != NULL &&
		    sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
			r = (struct axon_region *) lo;
			break;
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	return r;
}

/* The first eventfd above fd (a connection's bell). */
static int
find_bell_above(int above)
{
	char path[64];
	char link[128];

	for (int fd = above < 3 ? 3 : above + 1; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(path, link, sizeof(link) - 1);

		if (n > 0) {
			link[n] = '\0';
			if (strcmp(link, "anon_inode:[eventfd]") == 0) {
				return fd;
			}
		}
	}
	return -1;
}

/* The bell of the connection coid was made with: the eventfd that was
 * not there before (had[] marks those that were). */
static int
new_bell(const char *had)
{
	int bell = -1;

	for (int f = find_bell_above(-1); f >= 0; f = find_bell_above(f)) {
		if (!had[f]) {
			bell = f;
		}
	}
	return bell;
}

static void
mark_bells(char *had)
{
	for (int f = find_bell_above(-1); f >= 0; f = find_bell_above(f)) {
		had[f] = 1;
	}
}

struct hostile_arg {
	pid_t pid;
	int chid;
	int mode;
};

/* Connects normally, then attacks through its own shared region. */
static void
scribbler(int fd, void *p)
{
	struct hostile_arg *a = p;
	char had[1024] = {0};
	int bell = -1;
	struct axon_region *rgn;
	char b[16];

	mark_bells(had);
	int coid = ConnectAttach(0, a->pid, a->chid, _NTO_SIDE_CHANNEL, 0);
	bell = new_bell(had);
	MsgSend(coid, "hi", 3, b, sizeof(b));
	rgn = find_region();
	axt_report(fd, rgn != NULL);
	if (rgn == NULL) {
		_exit(1);
	}
	for (unsigned iter = 0;; iter++) {
		struct axon_slot *s = &rgn->slot[iter % AXON_SLOTS];

		if (a->mode == 0) {
			/* Random bytes over every slot header, random
			 * posted marks, and the bell. */
			uint8_t *bytes = (uint8_t *) s;
			for (size_t i = 0; i < sizeof(*s); i++) {
				bytes[i] = (uint8_t) rand();
			}
			atomic_store(&rgn->posted,
			    (uint64_t) rand() << 32 | (unsigned) rand());
			if (bell >= 0 && (iter & 15) == 0) {
				uint64_t one = 1;
				(void) !write(bell, &one, sizeof(one));
			}
		} else {
			/* A posted slot with nonsense sizes, then its
			 * mark and the bell, as the library would. */
			s->sbytes = (uint64_t) rand() << 32 | (unsigned) rand();
			s->rbytes = ~(uint64_t) 0 - (unsigned) rand();
			s->reply_off = (uint64_t) rand() * 4096;
			s->buf_gen = iter % 3 == 0 ? 0 : (uint32_t) rand();
			s->prio = rand();
			atomic_store(&s->state,
			    AXON_ST_MAKE(AXON_PH_SENT, 0, iter & 0xffff));
			atomic_fetch_or(&rgn->posted,
			    (uint64_t) 1 << (iter % AXON_SLOTS));
			if (bell >= 0) {
				uint64_t one = 1;
				(void) !write(bell, &one, sizeof(one));
			}
		}
		if ((iter & 1023) == 0) {
			sched_yield();
		}
	}
}

static void
scribble_case(int mode)
{
	struct axt_child srv = axt_spawn(echo_server, NULL);
	struct hostile_arg a = {srv.pid, srv.val, mode};
	struct axt_child bad = axt_spawn(scribbler, &a);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);

	ck_assert_int_eq(bad.val, 1);
	for (int i = 0; i < 3000; i++) {
		ck_assert(honest(coid, i));
	}
	axt_child_kill(&bad);
	ck_assert_int_eq(kill(srv.pid, 0), 0);
	for (int i = 0; i < 100; i++) {
		ck_assert(honest(coid, i));
	}
	axt_child_kill(&srv);
}

START_TEST(test_scribbled_region)
{
	scribble_case(0);
}
END_TEST

START_TEST(test_nonsense_sizes)
{
	scribble_case(1);
}
END_TEST

/* A client that fills its own bell (the eventfd's counter at its
 * maximum, so that a ring would block or fail) still gets its messages
 * through: its rings go by its socket instead. */
START_TEST(test_bell_full)
{
	struct axt_child srv = axt_spawn(echo_server, NULL);
	char had[1024] = {0};
	uint64_t full = UINT64_MAX - 1;
	int coid;
	int bell;

	mark_bells(had);
	coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	ck_assert(honest(coid, 0));
	bell = new_bell(had);
	ck_assert_int_ge(bell, 0);
	uint64_t was;
	(void) !read(bell, &was, sizeof(was)); /* (resets it to 0) */
	ck_assert_int_eq(write(bell, &full, sizeof(full)), sizeof(full));
	uint64_t one = 1;
	ck_assert_int_eq(write(bell, &one, sizeof(one)), -1);
	ck_assert_int_eq(errno, EAGAIN);
	for (int i = 0; i < 2000; i++) {
		ck_assert(honest(coid, i));
	}
	axt_child_kill(&srv);
}
END_TEST

/* A client that rings its bell without end, with every slot marked
 * posted, costs the server wake-ups, never another client's messages. */
static void
bell_ringer(int fd, void *p)
{
	struct hostile_arg *a = p;
	char had[1024] = {0};
	char b[16];

	mark_bells(had);
	int coid = ConnectAttach(0, a->pid, a->chid, _NTO_SIDE_CHANNEL, 0);
	int bell = new_bell(had);

	MsgSend(coid, "hi", 3, b, sizeof(b));
	struct axon_region *rgn = find_region();
	axt_report(fd, bell >= 0 && rgn != NULL);
	for (;;) {
		uint64_t one = 1;

		atomic_store(&rgn->posted, ~(uint64_t) 0);
		(void) !write(bell, &one, sizeof(one));
	}
}

START_TEST(test_bell_ringer)
{
	struct axt_child srv = axt_spawn(echo_server, NULL);
	struct hostile_arg a = {srv.pid, srv.val, 0};
	struct axt_child bad = axt_spawn(bell_ringer, &a);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);

	ck_assert_int_eq(bad.val, 1);
	for (int i = 0; i < 2000; i++) {
		ck_assert(honest(coid, i));
	}
	axt_child_kill(&bad);
	for (int i = 0; i < 100; i++) {
		ck_assert(honest(coid, i));
	}
	axt_child_kill(&srv);
}
END_TEST

static void
big_dier(int fd, void *p)
{
	struct hostile_arg *a = p;
	int coid = ConnectAttach(0, a->pid, a->chid, _NTO_SIDE_CHANNEL, 0);
	size_t len = 8u << 20;
	char *big = malloc(len);

	memset(big, 1, len);
	axt_report(fd, coid >= 0);
	for (;;) {
		MsgSend(coid, big, len, big, len);
	}
}

START_TEST(test_death_mid_message)
{
	struct axt_child srv = axt_spawn(echo_server, NULL);
	struct hostile_arg a = {srv.pid, srv.val, 0};
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);

	for (int round = 0; round < 10; round++) {
		struct axt_child d = axt_spawn(big_dier, &a);

		ck_assert_int_eq(d.val, 1);
		axt_sleep_ms(5 + round * 3);
		axt_child_kill(&d);
		ck_assert(honest(coid, round));
	}
	ck_assert_int_eq(kill(srv.pid, 0), 0);
	axt_child_kill(&srv);
}
END_TEST

static void
churn_client(int fd, void *p)
{
	struct hostile_arg *a = p;

	for (int i = 0; i < 50; i++) {
		int coid = ConnectAttach(0, a->pid, a->chid, _NTO_SIDE_CHANNEL,
		    0);

		honest(coid, i);
		ConnectDetach(coid);
	}
	axt_report(fd, 1);
}

START_TEST(test_many_clients_no_fd_growth)
{
	struct axt_child srv = axt_spawn(echo_server, NULL);
	struct hostile_arg a = {srv.pid, srv.val, 0};
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	long before;
	long after = 0;

	before = MsgSend(coid, "fds?", 5, NULL, 0);
	ck_assert_int_gt(before, 0);
	for (int i = 0; i < 20; i++) {
		struct axt_child c = axt_spawn(churn_client, &a);

		ck_assert_int_ne(axt_child_wait(&c, 10), -1);
	}
	/* The server closes disconnected clients' sockets asynchronously. */
	for (int i = 0; i < 200; i++) {
		after = MsgSend(coid, "fds?", 5, NULL, 0);
		if (after <= before) {
			break;
		}
		axt_sleep_ms(10);
	}
	ck_assert_int_le(after, before);
	axt_child_kill(&srv);
}
END_TEST

static Suite *
hostile_suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = axt_tcase("hostile", 60);

	tcase_add_test(tc, test_garbage_on_sockets);
	tcase_add_test(tc, test_scribbled_region);
	tcase_add_test(tc, test_nonsense_sizes);
	tcase_add_test(tc, test_bell_full);
	tcase_add_test(tc, test_bell_ringer);
	tcase_add_test(tc, test_death_mid_message);
	tcase_add_test(tc, test_many_clients_no_fd_growth);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(hostile_suite());
}
