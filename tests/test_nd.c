/* SPDX-License-Identifier: MIT */
/*
 * Node descriptors: netmgr_strtond(), netmgr_ndtostr(), netmgr_remote_nd()
 * and ND_NODE_CMP().  The tests write $AXON_RUNDIR/nodes themselves, the
 * way axond does (temporary file + rename): that file is the interface.
 */
#include "axon_test.h"

#include <limits.h>

#define TABLE \
	"# axon nodes v1: nd name state address peer_nd\n" \
	"0 alpha self - 0\n" \
	"1 beta up 127.0.0.1:7001 2\n" \
	"2 gamma down [::1]:7002 -\n" \
	"3 delta_3 connecting host.example:7003 9\n"

/* Writes the nodes file atomically; len (not strlen) allows NULs. */
static void
nodes_write_len(const char *text, size_t len)
{
	char tmp[512];
	char path[512];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s/nodes.tmp", axt_rundir);
	snprintf(path, sizeof(path), "%s/nodes", axt_rundir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, text + off, len - off);

		ck_assert_int_gt(n, 0);
		off += (size_t) n;
	}
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(rename(tmp, path), 0);
}

static void
nodes_write(const char *text)
{
	nodes_write_len(text, strlen(text));
}

/* What Axon calls this node with no nodes file. */
static void
host_name(char *buf, size_t len)
{
	char host[HOST_NAME_MAX + 1] = "";

	ck_assert_int_eq(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	if (strlen(host) > 63) {
		host[63] = '\0';
	}
	snprintf(buf, len, "%s", host[0] != '\0' ? host : "localhost");
}

/* Expects fn's -1 with errno e. */
#define ck_fails(expr, e) \
	do { \
		errno = 0; \
		ck_assert_int_eq((expr), -1); \
		ck_assert_int_eq(errno, (e)); \
	} while (0)

START_TEST(test_strtond_names)
{
	char *end = NULL;
	const char *s;

	nodes_write(TABLE);
	ck_assert_int_eq(netmgr_strtond("alpha", NULL), ND_LOCAL_NODE);
	ck_assert_int_eq(netmgr_strtond("beta", NULL), 1);
	ck_assert_int_eq(netmgr_strtond("gamma", NULL), 2);
	ck_assert_int_eq(netmgr_strtond("delta_3", NULL), 3);

	s = "beta";
	ck_assert_int_eq(netmgr_strtond(s, &end), 1);
	ck_assert_ptr_eq(end, s + 4);
	s = "/net/beta";
	ck_assert_int_eq(netmgr_strtond(s, &end), 1);
	ck_assert_ptr_eq(end, s + 9);
	ck_assert_str_eq(end, "");
	s = "/net/gamma/dev/ser1";
	ck_assert_int_eq(netmgr_strtond(s, &end), 2);
	ck_assert_str_eq(end, "/dev/ser1");
	s = "beta/dev/null";
	ck_assert_int_eq(netmgr_strtond(s, &end), 1);
	ck_assert_str_eq(end, "/dev/null");
	s = "/net/alpha/";
	ck_assert_int_eq(netmgr_strtond(s, &end), ND_LOCAL_NODE);
	ck_assert_str_eq(end, "/");
	/* What netmgr_ndtostr(ND2S_QOS_SHOW) writes parses back. */
	s = "/net/beta~loadbalance/tmp";
	ck_assert_int_eq(netmgr_strtond(s, &end), 1);
	ck_assert_str_eq(end, "/tmp");

	/* Success leaves errno alone. */
	errno = 1234;
	ck_assert_int_eq(netmgr_strtond("beta", NULL), 1);
	ck_assert_int_eq(errno, 1234);
}
END_TEST

START_TEST(test_strtond_errors)
{
	char *end = NULL;
	char long_name[80];
	const char *s;

	nodes_write(TABLE);
	ck_fails(netmgr_strtond(NULL, &end), EINVAL);
	ck_assert_ptr_null(end);
	s = "";
	ck_fails(netmgr_strtond(s, &end), EINVAL);
	ck_assert_ptr_eq(end, s);
	ck_fails(netmgr_strtond("/net/", NULL), EINVAL);
	ck_fails(netmgr_strtond("/net", NULL), EINVAL);
	ck_fails(netmgr_strtond("/", NULL), EINVAL);
	ck_fails(netmgr_strtond("/dev/ser1", NULL), EINVAL);
	ck_fails(netmgr_strtond("beta.qnx.com", NULL), EINVAL);
	ck_fails(netmgr_strtond("be ta", NULL), EINVAL);
	ck_fails(netmgr_strtond("beta~", NULL), EINVAL);
	ck_fails(netmgr_strtond("beta~preferred", NULL), EINVAL);
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	ck_fails(netmgr_strtond(long_name, NULL), EINVAL);
	long_name[63] = '\0';
	ck_fails(netmgr_strtond(long_name, NULL), ENOENT);

	/* Unknown names; an error leaves *endstr at the start. */
	s = "/net/epsilon/x";
	end = NULL;
	ck_fails(netmgr_strtond(s, &end), ENOENT);
	ck_assert_ptr_eq(end, s);
	ck_fails(netmgr_strtond("Beta", NULL), ENOENT);
	ck_fails(netmgr_strtond("self", NULL), ENOENT);
	ck_fails(netmgr_strtond("up", NULL), ENOENT);
}
END_TEST

START_TEST(test_ndtostr_flags)
{
	char buf[128];

	nodes_write(TABLE);
#define ck_nd2s(flags, nd, want) \
	do { \
		memset(buf, 'X', sizeof(buf)); \
		ck_assert_int_eq(netmgr_ndtostr((flags), (nd), buf, \
		    sizeof(buf)), (int) strlen(want)); \
		ck_assert_str_eq(buf, (want)); \
	} while (0)

	ck_nd2s(0, 1, "beta");
	ck_nd2s(0, 3, "delta_3");
	ck_nd2s(0, ND_LOCAL_NODE, "alpha");
	ck_nd2s(ND2S_LOCAL_STR, ND_LOCAL_NODE, "alpha");
	ck_nd2s(ND2S_LOCAL_STR, 2, "gamma");
	ck_nd2s(ND2S_NAME_SHOW, 1, "beta");
	ck_nd2s(ND2S_DIR_SHOW, 1, "/net/beta/");
	ck_nd2s(ND2S_DIR_HIDE, 1, "beta");
	ck_nd2s(ND2S_DIR_SHOW, ND_LOCAL_NODE, "/");
	ck_nd2s(ND2S_DIR_SHOW | ND2S_NAME_SHOW, ND_LOCAL_NODE,
	    "/net/alpha/");
	ck_nd2s(ND2S_DIR_SHOW | ND2S_NAME_HIDE, 1, "/");
	ck_nd2s(ND2S_QOS_SHOW, 1, "beta~loadbalance");
	ck_nd2s(ND2S_QOS_HIDE, 1, "beta");
	ck_nd2s(ND2S_DIR_SHOW | ND2S_QOS_SHOW, 2, "/net/gamma~loadbalance/");
	ck_nd2s(ND2S_NAME_HIDE, 1, "");
	ck_nd2s(ND2S_NAME_HIDE | ND2S_QOS_SHOW, 1, "loadbalance");
	ck_nd2s(ND2S_SEP_FORCE | ND2S_DIR_HIDE | ND2S_NAME_HIDE |
	    ND2S_DOMAIN_HIDE | ND2S_QOS_SHOW, ND_LOCAL_NODE, "~loadbalance");
	ck_nd2s(ND2S_SEP_FORCE, 1, "beta");
	/* No domains in Axon. */
	ck_nd2s(ND2S_DOMAIN_SHOW, 1, "beta");
	ck_nd2s(ND2S_DOMAIN_HIDE | ND2S_DIR_SHOW, 1, "/net/beta/");
	/* Bits above the low 16 select a QoS, not a node. */
	ck_nd2s(0, 1 | (1 << ND_NODE_BITS), "beta");
	ck_nd2s(0, 1 << ND_NODE_BITS, "alpha");
	/* Round trip. */
	ck_nd2s(ND2S_DIR_SHOW | ND2S_QOS_SHOW, 3, "/net/delta_3~loadbalance/");
	ck_assert_int_eq(netmgr_strtond(buf, NULL), 3);
#undef ck_nd2s

	/* Success leaves errno alone. */
	errno = 1234;
	ck_assert_int_eq(netmgr_ndtostr(0, 1, buf, sizeof(buf)), 4);
	ck_assert_int_eq(errno, 1234);
}
END_TEST

START_TEST(test_ndtostr_errors)
{
	char buf[64] = "untouched";

	nodes_write(TABLE);
	ck_fails(netmgr_ndtostr(0, 4, buf, sizeof(buf)), ENOENT);
	ck_fails(netmgr_ndtostr(0, ND_NODE_MASK, buf, sizeof(buf)), ENOENT);
	ck_fails(netmgr_ndtostr(0, -1, buf, sizeof(buf)), EINVAL);
	ck_fails(netmgr_ndtostr(0, INT_MIN, buf, sizeof(buf)), EINVAL);
	ck_fails(netmgr_ndtostr(ND2S_DIR_SHOW | ND2S_DIR_HIDE, 1, buf,
	    sizeof(buf)), EINVAL);
	ck_fails(netmgr_ndtostr(ND2S_NAME_SHOW | ND2S_NAME_HIDE, 1, buf,
	    sizeof(buf)), EINVAL);
	ck_fails(netmgr_ndtostr(ND2S_QOS_SHOW | ND2S_QOS_HIDE, 1, buf,
	    sizeof(buf)), EINVAL);
	ck_fails(netmgr_ndtostr(ND2S_DOMAIN_SHOW | ND2S_DOMAIN_HIDE, 1, buf,
	    sizeof(buf)), EINVAL);
	ck_fails(netmgr_ndtostr(0, 1, NULL, 16), EINVAL);
	ck_assert_str_eq(buf, "untouched");
}
END_TEST

START_TEST(test_ndtostr_truncates)
{
	char buf[16];

	nodes_write(TABLE);
	memset(buf, 'X', sizeof(buf));
	ck_assert_int_eq(netmgr_ndtostr(ND2S_DIR_SHOW, 1, buf, 5), 10);
	ck_assert_str_eq(buf, "/net");
	ck_assert_int_eq(buf[5], 'X');
	ck_assert_int_eq(netmgr_ndtostr(0, 1, buf, 4), 4);
	ck_assert_str_eq(buf, "bet");
	ck_assert_int_eq(netmgr_ndtostr(0, 1, buf, 5), 4);
	ck_assert_str_eq(buf, "beta");
	ck_assert_int_eq(netmgr_ndtostr(0, 1, buf, 1), 4);
	ck_assert_str_eq(buf, "");
	memset(buf, 'X', sizeof(buf));
	ck_assert_int_eq(netmgr_ndtostr(0, 1, buf, 0), 4);
	ck_assert_int_eq(buf[0], 'X');
	/* Sizing call. */
	ck_assert_int_eq(netmgr_ndtostr(ND2S_QOS_SHOW, 2, NULL, 0), 17);
}
END_TEST

START_TEST(test_remote_nd)
{
	nodes_write(TABLE);
	/* beta calls us 2, delta_3 calls us 9. */
	ck_assert_int_eq(netmgr_remote_nd(1, ND_LOCAL_NODE), 2);
	ck_assert_int_eq(netmgr_remote_nd(3, ND_LOCAL_NODE), 9);
	ck_assert_int_eq(netmgr_remote_nd(1 | (1 << ND_NODE_BITS), 0), 2);
	/* gamma has not told us yet. */
	ck_fails(netmgr_remote_nd(2, ND_LOCAL_NODE), ENOTCONN);
	/* Every node is 0 to itself; we are 0 to ourselves. */
	ck_assert_int_eq(netmgr_remote_nd(1, 1), ND_LOCAL_NODE);
	ck_assert_int_eq(netmgr_remote_nd(2, 2 | (1 << ND_NODE_BITS)),
	    ND_LOCAL_NODE);
	ck_assert_int_eq(netmgr_remote_nd(ND_LOCAL_NODE, 3), 3);
	ck_assert_int_eq(netmgr_remote_nd(ND_LOCAL_NODE, ND_LOCAL_NODE),
	    ND_LOCAL_NODE);
	/* A third node: only that node knows. */
	ck_fails(netmgr_remote_nd(1, 2), ENOTSUP);
	ck_fails(netmgr_remote_nd(4, 2), ENOTSUP);
	/* Unknown node, bad arguments. */
	ck_fails(netmgr_remote_nd(4, ND_LOCAL_NODE), ENOENT);
	ck_fails(netmgr_remote_nd(-1, ND_LOCAL_NODE), EINVAL);
	ck_fails(netmgr_remote_nd(1, -1), EINVAL);

	errno = 1234;
	ck_assert_int_eq(netmgr_remote_nd(1, ND_LOCAL_NODE), 2);
	ck_assert_int_eq(errno, 1234);
}
END_TEST

START_TEST(test_malformed_lines)
{
	static const char text[] =
	    "# a comment: 7 seven up - 1\n"
	    "\n"
	    " 10 lead up - 1\n"
	    "11 trail up - 1 \n"
	    "12  double up - 1\n"
	    "13 tab\tname up - 1\n"
	    "x14 notnum up - 1\n"
	    "-15 neg up - 1\n"
	    "+16 plus up - 1\n"
	    "65536 big up - 1\n"
	    "000017 sixdigits up - 1\n"
	    "18 bad.name up - 1\n"
	    "19 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    " up - 1\n"
	    "20 weird sideways - 1\n"
	    "21 fakeself self - 1\n"
	    "0 notself up - 0\n"
	    "22 four up -\n"
	    "23 six up - 1 extra\n"
	    "24 peerbig up - 65536\n"
	    "25 peerneg up - -1\n"
	    "26 nul\0x up - 1\n"
	    "27 addrnul up a\0b 1\n"
	    "28\n"
	    "\r\n"
	    "29 crlf up - 1\r\n"
	    "\xff\xfe\x01 binary\n"
	    "0 alpha self - 0\n"
	    "1 beta up 127.0.0.1:7001 2\n"
	    "65535 omega up - 65535\n"
	    "1 beta2 up - 3\n"
	    "5 beta up - 4\n"
	    "30 last up - 7";
	static const char *const bad[] = {
		"seven", "lead", "trail", "double", "notnum", "neg", "plus",
		"big", "sixdigits", "weird", "fakeself", "notself", "four",
		"six", "peerbig", "peerneg", "nul", "addrnul", "crlf",
		"binary",
	};
	char buf[64];

	nodes_write_len(text, sizeof(text) - 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ck_assert_msg(netmgr_strtond(bad[i], NULL) == -1 &&
		    errno == ENOENT, "%s was accepted", bad[i]);
	}
	ck_assert_int_eq(netmgr_strtond("alpha", NULL), ND_LOCAL_NODE);
	ck_assert_int_eq(netmgr_strtond("beta", NULL), 1);
	ck_assert_int_eq(netmgr_strtond("omega", NULL), 65535);
	ck_assert_int_eq(netmgr_remote_nd(65535, ND_LOCAL_NODE), 65535);
	/* The last line needs no newline. */
	ck_assert_int_eq(netmgr_strtond("last", NULL), 30);
	ck_assert_int_eq(netmgr_remote_nd(30, ND_LOCAL_NODE), 7);
	/* Duplicates: the first line wins, both ways. */
	ck_assert_int_eq(netmgr_ndtostr(0, 1, buf, sizeof(buf)), 4);
	ck_assert_str_eq(buf, "beta");
	ck_assert_int_eq(netmgr_remote_nd(1, ND_LOCAL_NODE), 2);
	ck_assert_int_eq(netmgr_ndtostr(0, 5, buf, sizeof(buf)), 4);
	ck_assert_str_eq(buf, "beta");
	ck_assert_int_eq(netmgr_ndtostr(0, 0, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "alpha");
	ck_fails(netmgr_ndtostr(0, 20, buf, sizeof(buf)), ENOENT);
	ck_fails(netmgr_ndtostr(0, 21, buf, sizeof(buf)), ENOENT);
}
END_TEST

START_TEST(test_no_nodes_file)
{
	char host[64];
	char buf[128];
	char want[160];

	host_name(host, sizeof(host));
	ck_assert_int_eq(netmgr_strtond(host, NULL), ND_LOCAL_NODE);
	snprintf(want, sizeof(want), "/net/%s/dev", host);
	ck_assert_int_eq(netmgr_strtond(want, NULL), ND_LOCAL_NODE);
	ck_assert_int_eq(netmgr_ndtostr(0, ND_LOCAL_NODE, buf, sizeof(buf)),
	    (int) strlen(host));
	ck_assert_str_eq(buf, host);
	ck_assert_int_eq(netmgr_ndtostr(ND2S_DIR_SHOW, ND_LOCAL_NODE, buf,
	    sizeof(buf)), 1);
	ck_assert_str_eq(buf, "/");
	/* No network manager: no other node (QNX: Qnet isn't running). */
	ck_fails(netmgr_strtond("no-such-node-xyz", NULL), ENOTSUP);
	ck_fails(netmgr_ndtostr(0, 1, buf, sizeof(buf)), ENOTSUP);
	ck_fails(netmgr_remote_nd(1, ND_LOCAL_NODE), ENOTSUP);
	ck_assert_int_eq(netmgr_remote_nd(ND_LOCAL_NODE, ND_LOCAL_NODE), 0);

	/* A table without a line for this node: still the hostname. */
	nodes_write("1 beta up - 2\n");
	ck_assert_int_eq(netmgr_strtond(host, NULL), ND_LOCAL_NODE);
	ck_assert_int_eq(netmgr_strtond("beta", NULL), 1);
	ck_assert_int_eq(netmgr_ndtostr(0, 0, buf, sizeof(buf)),
	    (int) strlen(host));
	ck_assert_str_eq(buf, host);
	ck_fails(netmgr_strtond("no-such-node-xyz", NULL), ENOENT);

	/* An empty table: a network manager that knows no one yet. */
	nodes_write("");
	ck_assert_int_eq(netmgr_strtond(host, NULL), ND_LOCAL_NODE);
	ck_fails(netmgr_ndtostr(0, 1, buf, sizeof(buf)), ENOENT);
}
END_TEST

START_TEST(test_file_replaced)
{
	char path[512];
	char buf[64];

	nodes_write(TABLE);
	ck_assert_int_eq(netmgr_strtond("beta", NULL), 1);
	ck_fails(netmgr_strtond("epsilon", NULL), ENOENT);

	/* axond's view changed: a new file, nothing cached. */
	nodes_write("0 alpha2 self - 0\n"
		    "1 epsilon up 10.0.0.1:1 4\n"
		    "3 beta up 127.0.0.1:7001 -\n");
	ck_assert_int_eq(netmgr_strtond("beta", NULL), 3);
	ck_assert_int_eq(netmgr_strtond("epsilon", NULL), 1);
	ck_assert_int_eq(netmgr_strtond("alpha2", NULL), ND_LOCAL_NODE);
	ck_fails(netmgr_strtond("alpha", NULL), ENOENT);
	ck_assert_int_eq(netmgr_ndtostr(0, 1, buf, sizeof(buf)), 7);
	ck_assert_str_eq(buf, "epsilon");
	ck_assert_int_eq(netmgr_remote_nd(1, 0), 4);
	ck_fails(netmgr_remote_nd(3, 0), ENOTCONN);

	/* axond gone and its file with it. */
	snprintf(path, sizeof(path), "%s/nodes", axt_rundir);
	ck_assert_int_eq(unlink(path), 0);
	ck_fails(netmgr_strtond("epsilon", NULL), ENOTSUP);
}
END_TEST

/* Swaps two versions of the file as fast as it can, while the test
 * process lives. */
static void
flipper(int fd, void *arg)
{
	pid_t parent = *(pid_t *) arg;

	nodes_write("0 alpha self - 0\n1 beta up - 2\n");
	axt_report(fd, 1); /* the file exists from here on */
	while (getppid() == parent) {
		nodes_write("0 alpha self - 0\n1 beta up - 2\n");
		nodes_write("0 alpha self - 0\n2 gamma up - -\n"
			    "3 beta up - 5\n");
	}
}

START_TEST(test_replaced_while_reading)
{
	pid_t self = getpid();
	struct axt_child c = axt_spawn(flipper, &self);

	ck_assert_int_eq(c.val, 1);
	for (int i = 0; i < 3000; i++) {
		int nd = netmgr_strtond("beta", NULL);
		int err = errno;
		int peer = netmgr_remote_nd(nd, ND_LOCAL_NODE);

		/* Each call sees one whole version; the two may differ. */
		ck_assert_msg(nd == 1 || nd == 3, "nd %d errno %d", nd, err);
		ck_assert(peer == -1 || peer == 2 || peer == 5);
	}
	axt_child_kill(&c);
}
END_TEST

START_TEST(test_big_file)
{
	size_t cap = 1024 * 1024;
	/* Cut at the 1 MiB mark, this line would read as "peer_nd 1". */
	const char *cut = "2 cut up - 12345\n";
	const char *tail = "1 beyond up - 1\n";
	char *text = malloc(cap + 4096);
	size_t off = 0;

	ck_assert_ptr_nonnull(text);
	off += (size_t) sprintf(text, "0 alpha self - 0\n7 first up - 3\n");
	while (off < cap - 12) {
		size_t n = cap - 12 - off > 200 ? 200 : cap - 12 - off;

		memset(text + off, 'c', n);
		text[off] = '#';
		text[off + n - 1] = '\n';
		off += n;
	}
	memcpy(text + off, cut, strlen(cut));
	off += strlen(cut);
	memcpy(text + off, tail, strlen(tail));
	off += strlen(tail);
	nodes_write_len(text, off);
	free(text);

	ck_assert_int_eq(netmgr_strtond("alpha", NULL), ND_LOCAL_NODE);
	ck_assert_int_eq(netmgr_strtond("first", NULL), 7);
	/* Not read: cut by the cap, or past it. */
	ck_fails(netmgr_strtond("cut", NULL), ENOENT);
	ck_fails(netmgr_remote_nd(2, ND_LOCAL_NODE), ENOENT);
	ck_fails(netmgr_strtond("beyond", NULL), ENOENT);
}
END_TEST

START_TEST(test_not_a_file)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/nodes", axt_rundir);
	/* A FIFO must not block the caller; a directory names no node. */
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_fails(netmgr_strtond("beta", NULL), ENOENT);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_fails(netmgr_strtond("beta", NULL), ENOENT);
	ck_assert_int_eq(rmdir(path), 0);
}
END_TEST

START_TEST(test_node_cmp)
{
	ck_assert_int_eq(ND_NODE_CMP(0, 0), 0);
	ck_assert_int_eq(ND_NODE_CMP(1, 1 | (5 << ND_NODE_BITS)), 0);
	ck_assert_int_eq(ND_NODE_CMP(0x10000, ND_LOCAL_NODE), 0);
	ck_assert_int_lt(ND_NODE_CMP(1, 2), 0);
	ck_assert_int_gt(ND_NODE_CMP(3 | (1 << ND_NODE_BITS), 2), 0);
	ck_assert_int_gt(ND_NODE_CMP(ND_NODE_MASK, 0), 0);
}
END_TEST

static Suite *
nd_suite(void)
{
	Suite *s = suite_create("nd");
	TCase *tc = axt_tcase("nd", 20);

	tcase_add_test(tc, test_strtond_names);
	tcase_add_test(tc, test_strtond_errors);
	tcase_add_test(tc, test_ndtostr_flags);
	tcase_add_test(tc, test_ndtostr_errors);
	tcase_add_test(tc, test_ndtostr_truncates);
	tcase_add_test(tc, test_remote_nd);
	tcase_add_test(tc, test_malformed_lines);
	tcase_add_test(tc, test_no_nodes_file);
	tcase_add_test(tc, test_file_replaced);
	tcase_add_test(tc, test_replaced_while_reading);
	tcase_add_test(tc, test_big_file);
	tcase_add_test(tc, test_not_a_file);
	tcase_add_test(tc, test_node_cmp);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(nd_suite());
}
