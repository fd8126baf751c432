/* SPDX-License-Identifier: MIT */
/*
 * Robustness against clients: garbage on the sockets, a scribbled shared
 * region, nonsense sizes, abused bells, death mid-message.  The
 * server must keep serving honest clients throughout, and never crash.
 */
#include "axon_test.h"

#include <dirent.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "../src/lib/ctl.h"
#include "../src/lib/shm.h"

ssize_t axon__recvmsg_fds(int sock, void *buf, size_t len, int *fds,
    int maxfds, int flags);
int axon__sendmsg_fd(int sock, const void *buf, size_t len, int fd);

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
send_with_fds(int s, const void *buf, size_t len, const int *fds, int n)
{
	struct iovec iov = {(void *) buf, len};
	union {
		char b[CMSG_SPACE(sizeof(int) * 2)];
		struct cmsghdr a;
	} cb;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	if (n > 0) {
		memset(&cb, 0, sizeof(cb));
		mh.msg_control = cb.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t) n);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t) n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t) n);
	}
	(void) sendmsg(s, &mh, MSG_NOSIGNAL);
}

static void
send_with_fd(int s, const void *buf, size_t len, int fd)
{
	send_with_fds(s, buf, len, &fd, fd >= 0 ? 1 : 0);
}

/* A sealed region of the right size, as the library makes it. */
static int
good_region(void)
{
	int fd = memfd_create("axon-conn", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t) AXON_REGION_SIZE), 0);
	ck_assert_int_eq(fcntl(fd, F_ADD_SEALS,
			     F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), 0);
	return fd;
}

START_TEST(test_garbage_on_sockets)
{
	struct axt_child srv = axt_spawn(echo_server, NULL);
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	struct axon_ctl m;
	char junk[4096];

	ck_assert(honest(coid, 0));
	for (int round = 0; round < 42; round++) {
		int s = raw_connect(srv.pid);

		for (size_t i = 0; i < sizeof(junk); i++) {
			junk[i] = (char) (rand() & 0xff);
		}
		switch (round % 7) {
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
			int fds[2] = {memfd_create("evil", MFD_CLOEXEC),
			    eventfd(1, EFD_CLOEXEC)};

			ck_assert_int_eq(ftruncate(fds[0], 4096), 0);
			axon__ctl_init(&m, AXON_CTL_CONNECT);
			m.u.connect.pid = srv.pid;
			m.u.connect.chid = srv.val;
			m.u.connect.region_size = AXON_REGION_SIZE;
			send_with_fds(s, &m, sizeof(m), fds, 2);
			close(fds[0]);
			close(fds[1]);
			break;
		}
		case 6: { /* a good region, and for a bell an epoll set
			   * (whose lock the client could hold), a pipe or a
			   * socket */
			int p[2];
			ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
			int ep = epoll_create1(EPOLL_CLOEXEC);
			int fds[2] = {good_region(),
			    round % 3 == 0 ? ep : round % 3 == 1 ? p[0] : s};

			axon__ctl_init(&m, AXON_CTL_CONNECT);
			m.u.connect.pid = srv.pid;
			m.u.connect.chid = srv.val;
			m.u.connect.region_size = AXON_REGION_SIZE;
			send_with_fds(s, &m, sizeof(m), fds, 2);
			close(fds[0]);
			close(ep);
			close(p[0]);
			close(p[1]);
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
		uint8_t b[sizeof(struct axon_ctl) + 1];
		ssize_t n = recv(s, b, sizeof(b), 0);
		if (round % 7 == 6) {
			/* A bell that is not an eventfd: refused, EINVAL. */
			struct axon_ctl r;

			ck_assert_int_gt(n, 0);
			ck_assert_int_eq(axon__ctl_decode(b, (size_t) n, &r), 0);
			ck_assert_int_eq(r.type, AXON_CTL_CONNECTED);
			ck_assert_int_eq(r.u.connected.err, EINVAL);
		}
		if (round % 7 == 2 || round % 7 == 3 || round % 7 == 6) {
			/* may get a CONNECTED with an error first */
			if (n > 0) {
				n = recv(s, b, sizeof(b), 0);
			}
		}
		ck_assert_int_eq(n, 0);
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
 * maximum, where a write of 1 fails) still gets its messages through
 * (a ring writes 0, which the full counter does not refuse). */
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

/* Epoll registrations of every epoll set of process pid. */
static int
epoll_watches(pid_t pid)
{
	char path[320];
	char link[64];
	char line[256];
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int) pid);
	DIR *d = opendir(path);
	if (d == NULL) {
		return -1;
	}
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int) pid,
		    e->d_name);
		ssize_t k = readlink(path, link, sizeof(link) - 1);
		if (k <= 0) {
			continue;
		}
		link[k] = '\0';
		if (strcmp(link, "anon_inode:[eventpoll]") != 0) {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int) pid,
		    e->d_name);
		FILE *f = fopen(path, "r");
		while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
			n += strncmp(line, "tfd:", 4) == 0;
		}
		if (f != NULL) {
			fclose(f);
		}
	}
	closedir(d);
	return n;
}

/* A client that keeps its bells after detaching leaves nothing behind in
 * the server: it gave up its connections, and the server's epoll sets
 * drop them. */
START_TEST(test_bell_kept_after_detach)
{
	struct axt_child srv = axt_spawn(echo_server, NULL);
	enum { ROUNDS = 200 };
	static int kept[ROUNDS];
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);

	ck_assert(honest(coid, 0));
	int before = epoll_watches(srv.pid);
	ck_assert_int_gt(before, 0);
	for (int i = 0; i < ROUNDS; i++) {
		char had[1024] = {0};

		mark_bells(had);
		int c = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL,
		    _NTO_COF_NOSHARE);
		ck_assert_int_ge(c, 0);
		ck_assert(honest(c, i));
		int bell = new_bell(had);
		ck_assert_int_ge(bell, 0);
		kept[i] = dup(bell);
		ck_assert_int_ge(kept[i], 0);
		ck_assert_int_eq(ConnectDetach(c), 0);
		/* (Our monitor closes the connection's descriptors in its
		 * own time: wait, so that the next round's new bell is not
		 * this one's number reused unseen.) */
		for (double end = axt_now() + 5.0;
		    fcntl(bell, F_GETFD) >= 0 && axt_now() < end;) {
			axt_sleep_ms(1);
		}
	}
	/* (The server's monitor sees the hang-ups in its own time.) */
	int after = epoll_watches(srv.pid);
	for (double end = axt_now() + 5.0; after > before + 5 &&
	    axt_now() < end; after = epoll_watches(srv.pid)) {
		axt_sleep_ms(10);
	}
	ck_assert_msg(after <= before + 5, "%d epoll registrations before, "
	    "%d after %d kept bells", before, after, ROUNDS);
	/* Kept bells wake nobody into trouble. */
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t one = 1;
		ck_assert_int_eq(write(kept[i], &one, sizeof(one)), sizeof(one));
		(void) close(kept[i]);
	}
	ck_assert(honest(coid, 1));
	axt_child_kill(&srv);
}
END_TEST

/*
 * A hostile server: it speaks the handshake itself, and turns the bell the
 * client gave it into a trap: blocking mode (the mode belongs to the open
 * file, which both hold) and the counter filled to the brim.  A client
 * ringing with a write of 1 would block there for good, whatever its
 * TimerTimeout; a ring writes 0, so its send times out as asked.
 */
static void
fake_server(int fd, void *p)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *rd = getenv("AXON_RUNDIR");
	int ls = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/pid", rd);
	(void) mkdir(sa.sun_path, 0755);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/pid/%d", rd,
	    (int) getpid());
	if (ls < 0 || bind(ls, (struct sockaddr *) &sa, sizeof(sa)) != 0 ||
	    listen(ls, 4) != 0) {
		axt_report(fd, -1);
		_exit(1);
	}
	axt_report(fd, 1);
	int s = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	uint8_t buf[sizeof(struct axon_ctl) + 1];
	int fds[2];
	ssize_t n = axon__recvmsg_fds(s, buf, sizeof(buf), fds, 2, 0);
	struct axon_ctl m;

	if (n <= 0 || axon__ctl_decode(buf, (size_t) n, &m) != 0 ||
	    m.type != AXON_CTL_CONNECT || fds[1] < 0) {
		_exit(2);
	}
	uint64_t v;
	uint64_t fill = UINT64_MAX - 1;
	(void) !read(fds[1], &v, sizeof(v)); /* (to 0) */
	if (write(fds[1], &fill, sizeof(fill)) != sizeof(fill) ||
	    fcntl(fds[1], F_SETFL, 0) != 0) {
		_exit(3);
	}
	axon__ctl_init(&m, AXON_CTL_CONNECTED);
	m.u.connected.scoid = _NTO_SIDE_CHANNEL | 40000;
	m.u.connected.srv_pid = getpid();
	(void) axon__sendmsg_fd(s, &m, sizeof(m), -1);
	for (;;) {
		pause(); /* never takes a message */
	}
}

START_TEST(test_server_cannot_block_ring)
{
	struct axt_child srv = axt_spawn(fake_server, NULL);

	ck_assert_int_eq(srv.val, 1);
	pid_t kid = fork();
	ck_assert_int_ge(kid, 0);
	if (kid == 0) {
		int coid = ConnectAttach(0, srv.pid, 1, _NTO_SIDE_CHANNEL, 0);
		uint64_t t = 300000000ull;
		char b[8];

		if (coid < 0) {
			_exit(10);
		}
		TimerTimeout(CLOCK_MONOTONIC,
		    _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY, NULL, &t, NULL);
		long r = MsgSend(coid, "hi", 3, b, sizeof(b));
		_exit(r == -1 && errno == ETIMEDOUT ? 0 : 11);
	}
	int st = -1;
	for (double end = axt_now() + 10.0;
	    waitpid(kid, &st, WNOHANG) == 0;) {
		if (axt_now() > end) {
			kill(kid, SIGKILL);
			waitpid(kid, &st, 0);
			ck_abort_msg("the send never returned");
		}
		axt_sleep_ms(10);
	}
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the client ended with status %#x", st);
	axt_child_kill(&srv);
}
END_TEST

/*
 * A client that makes the server's last close of its bell wait: it puts
 * the bell in an epoll set of its own, holds that set's lock (an
 * epoll_wait copying into a page whose fault is never served, through
 * userfaultfd) and detaches, so that the server's close is the bell's
 * last and must take the lock.  The server's monitor goes on serving:
 * a new client connects and talks.  (userfaultfd needs privilege here:
 * without it the test says so and checks only the rest.)
 */
struct uffd_arg {
	int ep;
	void *page;
};

static void *
stuck_wait(void *p)
{
	struct uffd_arg *a = p;

	(void) epoll_wait(a->ep, a->page, 1, -1); /* never returns */
	return NULL;
}

static void
lock_holder(int fd, void *p)
{
	struct hostile_arg *a = p;
	char had[1024] = {0};

	mark_bells(had);
	int coid = ConnectAttach(0, a->pid, a->chid, _NTO_SIDE_CHANNEL, 0);
	int bell = new_bell(had);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN};
	int uffd = (int) syscall(SYS_userfaultfd, O_CLOEXEC);
	struct uffdio_api api = {.api = UFFD_API};
	long psz = sysconf(_SC_PAGESIZE);
	void *page = mmap(NULL, (size_t) psz, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (coid < 0 || bell < 0 || ep < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, bell, &ev) != 0) {
		axt_report(fd, -1);
		_exit(1);
	}
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) != 0) {
		axt_report(fd, 2); /* no userfaultfd here */
		_exit(0);
	}
	struct uffdio_register reg = {
	    .range = {.start = (uintptr_t) page, .len = (uint64_t) psz},
	    .mode = UFFDIO_REGISTER_MODE_MISSING};
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) != 0) {
		axt_report(fd, 2);
		_exit(0);
	}
	/* Our only descriptor of the bell goes (the library's: this child
	 * never uses the connection again); the server's is then the last. */
	(void) close(bell);
	static struct uffd_arg ua;
	ua = (struct uffd_arg){ep, page};
	pthread_t th;
	pthread_create(&th, NULL, stuck_wait, &ua);
	for (int i = 0; i < 2000; i++) { /* until it faults */
		struct uffd_msg msg;
		struct pollfd pf = {.fd = uffd, .events = POLLIN};
		if (poll(&pf, 1, 1) == 1 &&
		    read(uffd, &msg, sizeof(msg)) == sizeof(msg)) {
			break;
		}
	}
	ConnectDetach(coid);
	axt_report(fd, 1);
	for (;;) {
		pause();
	}
}

START_TEST(test_client_cannot_stall_monitor)
{
	struct axt_child srv = axt_spawn(echo_server, NULL);
	struct hostile_arg a = {srv.pid, srv.val, 0};
	struct axt_child bad = axt_spawn(lock_holder, &a);

	ck_assert_int_ge(bad.val, 1);
	if (bad.val == 2) {
		fprintf(stderr, "client_cannot_stall_monitor: no userfaultfd "
				"here, the lock is not held\n");
	}
	axt_sleep_ms(200); /* (the server sees the detach) */
	double t0 = axt_now();
	int coid = ConnectAttach(0, srv.pid, srv.val, _NTO_SIDE_CHANNEL, 0);
	ck_assert_msg(coid >= 0, "connect failed after %.1f s: %s",
	    axt_now() - t0, strerror(errno));
	ck_assert(honest(coid, 0));
	axt_child_kill(&bad);
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
	tcase_add_test(tc, test_bell_kept_after_detach);
	tcase_add_test(tc, test_server_cannot_block_ring);
	tcase_add_test(tc, test_client_cannot_stall_monitor);
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
