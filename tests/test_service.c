/* SPDX-License-Identifier: MIT */
/*
 * axond under a service manager (systemd/axond.service.in): readiness
 * and stopping reported on $NOTIFY_SOCKET (sd_notify), and SIGHUP,
 * which reads the configuration again and adds the peers new in it.
 * Real axonds on loopback (net_test.h); the service manager's side of
 * the notification socket is played by the test.
 */
#include "net_test.h"

#include <sys/un.h>

static void
svc_setup(void)
{
	axn_setup(3);
}

static void
svc_teardown(void)
{
	unsetenv("NOTIFY_SOCKET");
	axn_teardown();
}

/* A datagram socket at DIR/notify that records the sender's
 * credentials, as systemd's is; its path goes in path. */
static int
notify_socket(const char *dir, char *path, size_t len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int one = 1;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(path, len, "%s/notify", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one,
	    sizeof(one)), 0);
	return fd;
}

/* The next notification within ms (scaled), NUL-terminated in buf; its
 * sender's pid in *pid.  0, or -1 if none came. */
static int
notify_read(int fd, char *buf, size_t len, pid_t *pid, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct ucred))];
	} c;
	struct iovec iov = {.iov_base = buf, .iov_len = len - 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = c.b, .msg_controllen = sizeof(c.b)};
	ssize_t n;

	if (poll(&pfd, 1, (int) (ms * axn_scale())) != 1) {
		return -1;
	}
	n = recvmsg(fd, &m, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	*pid = -1;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h != NULL;
	     h = CMSG_NXTHDR(&m, h)) {
		if (h->cmsg_level == SOL_SOCKET &&
		    h->cmsg_type == SCM_CREDENTIALS) {
			struct ucred uc;

			memcpy(&uc, CMSG_DATA(h), sizeof(uc));
			*pid = uc.pid;
		}
	}
	return 0;
}

/* With NOTIFY_SOCKET, axond itself (the main pid, as NotifyAccess=main
 * wants) says READY=1 once ready, with a status line, and STOPPING=1
 * when told to stop.  The --ready-fd readiness still works beside it
 * (axn_start waits for it). */
START_TEST(test_notify_ready_stopping)
{
	char path[300], buf[512];
	pid_t from;
	int fd = notify_socket(axn[0].rundir, path, sizeof(path));

	setenv("NOTIFY_SOCKET", path, 1);
	axn[0].dial[1] = axn[0].dial[2] = -1;
	axn_start(0);
	ck_assert_int_eq(notify_read(fd, buf, sizeof(buf), &from, 5000), 0);
	ck_assert_int_eq(from, axn[0].pid);
	ck_assert_ptr_nonnull(strstr(buf, "READY=1"));
	ck_assert_ptr_nonnull(strstr(buf, "STATUS=node alpha"));
	axn_kill(0, SIGTERM);
	ck_assert_int_eq(notify_read(fd, buf, sizeof(buf), &from, 5000), 0);
	ck_assert_str_eq(buf, "STOPPING=1");
	close(fd);
}
END_TEST

/* Without NOTIFY_SOCKET nothing is sent, and an unusable one (a path
 * nobody listens on) does not keep axond from starting. */
START_TEST(test_notify_socket_absent)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/nobody-here", axn[0].rundir);
	setenv("NOTIFY_SOCKET", path, 1);
	axn[0].dial[1] = axn[0].dial[2] = -1;
	axn_start(0); /* fails the test unless ready */
	ck_assert_int_eq(kill(axn[0].pid, 0), 0);
}
END_TEST

/* Writes node i's configuration file (peers only; the rest is on the
 * command line) with each node k of mask as a peer, or text if given. */
static void
write_conf(const char *path, unsigned mask, const char *text)
{
	char tmp[320];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	ck_assert_ptr_nonnull(f);
	if (text != NULL) {
		fputs(text, f);
	}
	for (int k = 0; k < axn_count; k++) {
		if (mask & (1u << k)) {
			fprintf(f, "peer %s 127.0.0.1:%d\n", axn[k].name,
			    axn[k].port);
		}
	}
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(rename(tmp, path), 0);
}

/* The address node i's nodes file gives node k, or "" if none. */
static void
nodes_addr(int i, int k, char *addr, size_t len)
{
	char path[300], line[512];
	FILE *f;

	addr[0] = '\0';
	snprintf(path, sizeof(path), "%s/nodes", axn[i].rundir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char name[64], st[32], a[300];
		int n;

		if (line[0] != '#' && sscanf(line, "%d %63s %31s %299s", &n,
		    name, st, a) == 4 && strcmp(name, axn[k].name) == 0) {
			snprintf(addr, len, "%s", a);
		}
	}
	fclose(f);
}

/* SIGHUP: alpha starts with beta in its file; gamma is added to the file
 * and, after SIGHUP, alpha dials it (gamma itself knows nobody, so only
 * the reload can make the session).  A file that no longer parses
 * changes nothing and keeps axond running; a peer dropped from the file
 * stays known. */
START_TEST(test_sighup_adds_peers)
{
	char conf[300], arg[340], addr[300];
	pid_t from;
	char buf[512];
	char path[300];
	int fd = notify_socket(axn[0].rundir, path, sizeof(path));

	snprintf(conf, sizeof(conf), "%s/alpha.conf", axn[0].rundir);
	write_conf(conf, 1u << 1, NULL);
	snprintf(arg, sizeof(arg), "--config %s", conf);
	snprintf(axn[0].extra, sizeof(axn[0].extra), "%s", arg);
	for (int i = 0; i < 3; i++) {
		for (int k = 0; k < 3; k++) {
			axn[i].dial[k] = -1; /* nobody on the command line */
		}
	}
	axn_start(1);
	axn_start(2);
	setenv("NOTIFY_SOCKET", path, 1);
	axn_start(0);
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(notify_read(fd, buf, sizeof(buf), &from, 5000), 0);
	ck_assert_ptr_nonnull(strstr(buf, "READY=1"));
	ck_assert(axn_wait_state(0, 1, "up", 5000));
	ck_assert_int_eq(axn_nd(0, 2), -1);

	/* Garbage: refused, logged, nothing changes. */
	write_conf(conf, 0, "peer gamma\nno-such-key 1\n");
	ck_assert_int_eq(kill(axn[0].pid, SIGHUP), 0);
	ck_assert_int_eq(notify_read(fd, buf, sizeof(buf), &from, 5000), 0);
	ck_assert_str_eq(buf, "RELOADING=1");
	ck_assert_int_eq(notify_read(fd, buf, sizeof(buf), &from, 5000), 0);
	ck_assert_ptr_nonnull(strstr(buf, "READY=1"));
	ck_assert_int_eq(kill(axn[0].pid, 0), 0);
	ck_assert_int_eq(axn_nd(0, 2), -1);
	ck_assert(axn_wait_state(0, 1, "up", 1000));

	/* gamma added (beta dropped from the file). */
	write_conf(conf, 1u << 2, NULL);
	ck_assert_int_eq(kill(axn[0].pid, SIGHUP), 0);
	ck_assert_int_eq(notify_read(fd, buf, sizeof(buf), &from, 5000), 0);
	ck_assert_str_eq(buf, "RELOADING=1");
	ck_assert_int_eq(notify_read(fd, buf, sizeof(buf), &from, 5000), 0);
	ck_assert_ptr_nonnull(strstr(buf, "READY=1"));
	ck_assert(axn_wait_state(0, 2, "up", 5000));
	nodes_addr(0, 2, addr, sizeof(addr));
	snprintf(buf, sizeof(buf), "127.0.0.1:%d", axn[2].port);
	ck_assert_str_eq(addr, buf);
	ck_assert_int_ne(axn_nd(0, 1), -1); /* beta stays */
	ck_assert(axn_wait_state(0, 1, "up", 1000));

	/* The same file again: nothing new, nothing lost. */
	ck_assert_int_eq(kill(axn[0].pid, SIGHUP), 0);
	ck_assert_int_eq(notify_read(fd, buf, sizeof(buf), &from, 5000), 0);
	ck_assert_int_eq(notify_read(fd, buf, sizeof(buf), &from, 5000), 0);
	ck_assert(axn_wait_state(0, 2, "up", 1000));
	ck_assert_int_eq(kill(axn[0].pid, 0), 0);
	close(fd);
}
END_TEST

/* A peer that first came in on its own (so with no address here) gets
 * the address the reloaded file gives it. */
START_TEST(test_sighup_gives_address)
{
	char conf[300], addr[300], want[64];

	snprintf(conf, sizeof(conf), "%s/alpha.conf", axn[0].rundir);
	write_conf(conf, 0, NULL);
	snprintf(axn[0].extra, sizeof(axn[0].extra), "--config %s", conf);
	for (int i = 0; i < 3; i++) {
		for (int k = 0; k < 3; k++) {
			axn[i].dial[k] = -1;
		}
	}
	axn[1].dial[0] = 0; /* beta knows alpha; alpha learns beta */
	axn_start(0);
	axn_start(1);
	/* A session opens when a message needs it: have beta's node use
	 * alpha (netmgr_strtond only reads; a remote ConnectAttach dials). */
	axn_enter(1);
	int nd = netmgr_strtond("alpha", NULL);
	ck_assert_int_gt(nd, 0);
	int coid = ConnectAttach(nd, 1, 1, _NTO_SIDE_CHANNEL, 0);
	if (coid >= 0) {
		(void) MsgSendPulse(coid, 10, 1, 0);
	}
	ck_assert(axn_wait_state(0, 1, "up", 5000));
	nodes_addr(0, 1, addr, sizeof(addr));
	ck_assert_str_eq(addr, "-");
	write_conf(conf, 1u << 1, NULL);
	ck_assert_int_eq(kill(axn[0].pid, SIGHUP), 0);
	snprintf(want, sizeof(want), "127.0.0.1:%d", axn[1].port);
	for (int t = 0; t < 500; t++) {
		nodes_addr(0, 1, addr, sizeof(addr));
		if (strcmp(addr, want) == 0) {
			break;
		}
		axt_sleep_ms(10);
	}
	ck_assert_str_eq(addr, want);
	ck_assert(axn_wait_state(0, 1, "up", 1000));
}
END_TEST

static Suite *
service_suite(void)
{
	Suite *s = suite_create("service");
	TCase *tc = axt_tcase("service", 60);

	tcase_add_unchecked_fixture(tc, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(tc, svc_setup, svc_teardown);
	tcase_add_test(tc, test_notify_ready_stopping);
	tcase_add_test(tc, test_notify_socket_absent);
	tcase_add_test(tc, test_sighup_adds_peers);
	tcase_add_test(tc, test_sighup_gives_address);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(service_suite());
}
