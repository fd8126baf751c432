/* SPDX-License-Identifier: MIT */
/*
 * axond's configuration: defaults, every option on the command line and in
 * a file, the example file, precedence, addresses, names, validation and
 * the cluster secret's checks.  Pure parsing, so no axond runs here.
 */
#include "axon_test.h"

#include <stdarg.h>
#include <sys/stat.h>

#include "config.h"

/* A directory of the whole test case, made and removed by the parent
 * process (an unchecked fixture), so that it goes even when a test fails
 * in its forked child. */
static char tdir[64];

static void
tdir_setup(void)
{
	snprintf(tdir, sizeof(tdir), "/tmp/axond-config-XXXXXX");
	if (mkdtemp(tdir) == NULL) {
		tdir[0] = '\0';
	}
}

static void
tdir_teardown(void)
{
	if (tdir[0] != '\0') {
		(void) nftw(tdir, axt_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	}
}

/* Writes len bytes (or strlen) to tdir/name with mode; returns the path
 * in a buffer that lives until the next call with the same slot. */
static const char *
mkfile_n(int slot, const char *name, const void *data, size_t len,
    mode_t mode)
{
	static char paths[4][256];
	char *p = paths[slot];
	int fd;

	ck_assert(tdir[0] != '\0');
	snprintf(p, sizeof(paths[0]), "%s/%s", tdir, name);
	(void) unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t) len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
	return p;
}

static const char *
mkfile(int slot, const char *name, const char *text)
{
	return mkfile_n(slot, name, text, strlen(text), 0644);
}

/* Runs axond_config_parse on "axond" followed by the NULL-terminated
 * arguments. */
static int
parse(struct axond_config *cfg, char *err, size_t errlen, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;
	char *a;

	argv[argc++] = (char *) "axond";
	va_start(ap, errlen);
	while ((a = va_arg(ap, char *)) != NULL) {
		ck_assert_int_lt(argc, 63);
		argv[argc++] = a;
	}
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	return axond_config_parse(cfg, argc, argv, err, errlen);
}

#define PARSE(cfg, err, ...) parse(cfg, err, sizeof(err), __VA_ARGS__, \
    (char *) NULL)

/* The option must fail, with want in its message. */
#define PARSE_FAILS(want, ...) do {					\
	struct axond_config c_;						\
	char e_[512];							\
	ck_assert_int_eq(PARSE(&c_, e_, __VA_ARGS__), -1);		\
	ck_assert_msg(strstr(e_, want) != NULL, "'%s' lacks '%s'",	\
	    e_, want);							\
	ck_assert_ptr_null(strchr(e_, '\n'));				\
} while (0)

static int
load(struct axond_config *cfg, const char *text, char *err, size_t errlen)
{
	const char *p = mkfile(0, "t.conf", text);

	err[0] = '\0';
	return axond_config_load_file(cfg, p, err, errlen);
}

/* The file must fail at line ln, with want in its message. */
static void
load_fails(const char *text, int ln, const char *want)
{
	struct axond_config c;
	char e[512];
	char where[300];

	axond_config_defaults(&c);
	ck_assert_int_eq(load(&c, text, e, sizeof(e)), -1);
	snprintf(where, sizeof(where), "%s/t.conf:%d: ", tdir, ln);
	ck_assert_msg(strncmp(e, where, strlen(where)) == 0,
	    "'%s' does not start with '%s'", e, where);
	ck_assert_msg(strstr(e, want) != NULL, "'%s' lacks '%s'", e, want);
	ck_assert_ptr_null(strchr(e, '\n'));
}

static void
check_defaults(const struct axond_config *c)
{
	ck_assert_uint_eq(c->keepalive_ms, 1000);
	ck_assert_uint_eq(c->dead_after_ms, 4000);
	ck_assert_uint_eq(c->connect_timeout_ms, 2000);
	ck_assert_int_eq(c->maproot, 65534);
	ck_assert_int_eq(c->maproot_gid, -1);
	ck_assert_int_eq(c->mapany, -1);
	ck_assert_int_eq(c->mapany_gid, -1);
	ck_assert_uint_eq(c->user_conns, 16);
	ck_assert_uint_eq(c->ctl_idle_ms, 30000);
	ck_assert_uint_eq(c->user_commands, 16);
	ck_assert_uint_eq(c->user_names, 1024);
	ck_assert_uint_eq(c->ctl_queued, 8ull << 20);
	ck_assert_uint_eq(c->ctl_queued_total, 64ull << 20);
	ck_assert_uint_eq(c->max_conns_per_peer, 4096);
	ck_assert_uint_eq(c->max_msgs_in_flight, 16384);
	ck_assert_uint_eq(c->max_queued_bytes, 64ull << 20);
	ck_assert_int_eq(c->ready_fd, -1);
	ck_assert_str_eq(c->ready_file, "");
	ck_assert_int_eq(c->tls, 1);
	ck_assert_str_eq(c->tls_cert, "");
	ck_assert_str_eq(c->tls_key, "");
	ck_assert_str_eq(c->tls_ca, "");
	ck_assert_int_eq(c->log_level, AXOND_LOG_INFO);
	ck_assert_str_eq(c->discover.host, "");
	ck_assert_str_eq(c->discover_if, "");
	ck_assert_uint_eq(c->discover_interval_ms, 5000);
	ck_assert_uint_eq(c->discover_timeout_ms, 30000);
	ck_assert_int_eq(c->discover_insecure, 0);
}

START_TEST(test_defaults)
{
	struct axond_config c;
	char e[256];

	memset(&c, 0x5a, sizeof(c));
	axond_config_defaults(&c);
	check_defaults(&c);
	ck_assert_str_eq(c.secret_file, "");
	ck_assert_str_eq(c.node, "");
	ck_assert_int_eq(c.nlisten, 0);
	ck_assert_int_eq(c.npeers, 0);
	/* No node, no listen address: not runnable as is. */
	ck_assert_int_eq(axond_config_validate(&c, e, sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "node"));

	/* parse() starts from the defaults whatever cfg held. */
	memset(&c, 0x5a, sizeof(c));
	ck_assert_int_eq(parse(&c, e, sizeof(e), (char *) NULL), 0);
	check_defaults(&c);
	ck_assert_int_eq(c.nlisten, 0);
	ck_assert_int_eq(c.npeers, 0);
}
END_TEST

START_TEST(test_argv_every_option)
{
	struct axond_config c;
	char e[256];

	ck_assert_int_eq(PARSE(&c, e, "--node", "n1",
	    "--listen", "127.0.0.1:7000", "--listen=[::1]:7001",
	    "--peer", "n2=127.0.0.1:7002", "--peer", "n3=[fe80::1%lo]:7003",
	    "--peer", "n4=host-4.example:7004",
	    "--secret-file", "/etc/axon/secret", "--keepalive", "250",
	    "--dead-after", "1000", "--connect-timeout", "300",
	    "--maproot", "1000", "--max-conns", "10", "--max-msgs", "20",
	    "--max-queued", "2097152", "--ready-fd", "5",
	    "--mapany", "1002:1003", "--user-conns", "3", "--ctl-idle", "500",
	    "--user-commands", "4", "--user-names", "5", "--ctl-queued", "2M",
	    "--ctl-queued-total", "3M",
	    "--ready-file", "/tmp/r", "--log-level", "warn"), 0);
	ck_assert_msg(e[0] == '\0', "%s", e);
	ck_assert_str_eq(c.node, "n1");
	ck_assert_int_eq(c.nlisten, 2);
	ck_assert_str_eq(c.listen[0].host, "127.0.0.1");
	ck_assert_str_eq(c.listen[0].port, "7000");
	ck_assert_str_eq(c.listen[1].host, "::1");
	ck_assert_str_eq(c.listen[1].port, "7001");
	ck_assert_int_eq(c.npeers, 3);
	ck_assert_str_eq(c.peer[0].name, "n2");
	ck_assert_str_eq(c.peer[0].addr.host, "127.0.0.1");
	ck_assert_str_eq(c.peer[0].addr.port, "7002");
	ck_assert_str_eq(c.peer[1].name, "n3");
	ck_assert_str_eq(c.peer[1].addr.host, "fe80::1%lo");
	ck_assert_str_eq(c.peer[2].addr.host, "host-4.example");
	ck_assert_str_eq(c.peer[2].addr.port, "7004");
	ck_assert_str_eq(c.secret_file, "/etc/axon/secret");
	ck_assert_uint_eq(c.keepalive_ms, 250);
	ck_assert_uint_eq(c.dead_after_ms, 1000);
	ck_assert_uint_eq(c.connect_timeout_ms, 300);
	ck_assert_int_eq(c.maproot, 1000);
	ck_assert_int_eq(c.maproot_gid, -1);
	ck_assert_int_eq(c.mapany, 1002);
	ck_assert_int_eq(c.mapany_gid, 1003);
	ck_assert_uint_eq(c.user_conns, 3);
	ck_assert_uint_eq(c.ctl_idle_ms, 500);
	ck_assert_uint_eq(c.user_commands, 4);
	ck_assert_uint_eq(c.user_names, 5);
	ck_assert_uint_eq(c.ctl_queued, 2ull << 20);
	ck_assert_uint_eq(c.ctl_queued_total, 3ull << 20);
	ck_assert_uint_eq(c.max_conns_per_peer, 10);
	ck_assert_uint_eq(c.max_msgs_in_flight, 20);
	ck_assert_uint_eq(c.max_queued_bytes, 2097152);
	ck_assert_int_eq(c.ready_fd, 5);
	ck_assert_str_eq(c.ready_file, "/tmp/r");
	ck_assert_int_eq(c.log_level, AXOND_LOG_WARN);
	ck_assert_int_eq(axond_config_validate(&c, e, sizeof(e)), 0);

	/* The other spellings. */
	ck_assert_int_eq(PARSE(&c, e, "--maproot", "none", "--max-queued",
	    "3M", "--log-level", "debug"), 0);
	ck_assert_int_eq(c.maproot, -1);
	ck_assert_uint_eq(c.max_queued_bytes, 3ull << 20);
	ck_assert_int_eq(c.log_level, AXOND_LOG_DEBUG);
	ck_assert_int_eq(PARSE(&c, e, "--max-queued", "1g", "--log-level",
	    "error", "--maproot", "0"), 0);
	ck_assert_uint_eq(c.max_queued_bytes, 1ull << 30);
	ck_assert_int_eq(c.log_level, AXOND_LOG_ERROR);
	ck_assert_int_eq(c.maproot, 0);
	/* uid:gid, and none; the last one given counts, gid included. */
	ck_assert_int_eq(PARSE(&c, e, "--maproot", "4242:0", "--mapany",
	    "7:8", "--mapany", "none"), 0);
	ck_assert_int_eq(c.maproot, 4242);
	ck_assert_int_eq(c.maproot_gid, 0);
	ck_assert_int_eq(c.mapany, -1);
	ck_assert_int_eq(c.mapany_gid, -1);
	ck_assert_int_eq(PARSE(&c, e, "--maproot", "1:2", "--maproot", "3",
	    "--mapany", "4294967294:4294967294"), 0);
	ck_assert_int_eq(c.maproot, 3);
	ck_assert_int_eq(c.maproot_gid, -1);
	ck_assert_int_eq(c.mapany, 4294967294L);
	ck_assert_int_eq(c.mapany_gid, 4294967294L);
	ck_assert_int_eq(PARSE(&c, e, "--max-queued", "1T"), 0);
	ck_assert_uint_eq(c.max_queued_bytes, 1ull << 40);

	/* -v raises whatever level results, and stops at debug. */
	ck_assert_int_eq(PARSE(&c, e, "-v"), 0);
	ck_assert_int_eq(c.log_level, AXOND_LOG_DEBUG);
	ck_assert_int_eq(PARSE(&c, e, "-v", "--log-level", "error"), 0);
	ck_assert_int_eq(c.log_level, AXOND_LOG_WARN);
	ck_assert_int_eq(PARSE(&c, e, "-vvv", "--verbose"), 0);
	ck_assert_int_eq(c.log_level, AXOND_LOG_DEBUG);

	/* A scalar given twice: the last one counts. */
	ck_assert_int_eq(PARSE(&c, e, "--node", "a", "--node", "b",
	    "--keepalive", "5", "--keepalive", "6"), 0);
	ck_assert_str_eq(c.node, "b");
	ck_assert_uint_eq(c.keepalive_ms, 6);
}
END_TEST

START_TEST(test_argv_errors)
{
	char big[5000];

	PARSE_FAILS("unknown or ambiguous option '--bogus'", "--bogus");
	PARSE_FAILS("unknown or ambiguous option '--bogus'", "--bogus=1");
	PARSE_FAILS("'--max'", "--max", "5");
	PARSE_FAILS("unknown option '-x'", "-x");
	PARSE_FAILS("unknown option '-x'", "-vx");
	PARSE_FAILS("option '--node' needs a value", "--node");
	PARSE_FAILS("'--help' takes no value", "--help=yes");
	PARSE_FAILS("unexpected argument 'extra'", "--node", "a", "extra");
	PARSE_FAILS("--config given twice", "--config", "/a", "--config",
	    "/b");
	PARSE_FAILS("--node: 'a b' is not a node name", "--node", "a b");
	PARSE_FAILS("--keepalive: 'abc' is not a number from 1 to",
	    "--keepalive", "abc");
	PARSE_FAILS("--keepalive", "--keepalive", "0");
	PARSE_FAILS("--keepalive", "--keepalive", "-1");
	PARSE_FAILS("--keepalive", "--keepalive", " 5");
	PARSE_FAILS("--keepalive", "--keepalive", "+5");
	PARSE_FAILS("--keepalive", "--keepalive", "5ms");
	PARSE_FAILS("--keepalive", "--keepalive", "0x10");
	PARSE_FAILS("--keepalive", "--keepalive", "");
	PARSE_FAILS("--keepalive", "--keepalive", "86400001");
	PARSE_FAILS("--dead-after", "--dead-after",
	    "99999999999999999999999999");
	PARSE_FAILS("--dead-after", "--dead-after", "18446744073709551616");
	PARSE_FAILS("--connect-timeout", "--connect-timeout", "4294967296");
	PARSE_FAILS("--maproot: '-5' is not a uid", "--maproot", "-5");
	PARSE_FAILS("--maproot", "--maproot", "4294967295");
	PARSE_FAILS("--maproot", "--maproot", "nobody");
	PARSE_FAILS("--maproot: '1:' is not a uid, uid:gid", "--maproot",
	    "1:");
	PARSE_FAILS("--maproot", "--maproot", ":1");
	PARSE_FAILS("--maproot", "--maproot", "1:2:3");
	PARSE_FAILS("--maproot", "--maproot", "1:-2");
	PARSE_FAILS("--maproot", "--maproot", "1:4294967295");
	PARSE_FAILS("--mapany: '' is not a uid", "--mapany", "");
	PARSE_FAILS("--mapany", "--mapany", "none:1");
	PARSE_FAILS("--mapany", "--mapany", "1 :2");
	PARSE_FAILS("--mapany", "--mapany",
	    "123456789012345678901234567890123:1");
	PARSE_FAILS("--user-conns", "--user-conns", "0");
	PARSE_FAILS("--user-commands", "--user-commands", "1048577");
	PARSE_FAILS("--user-names", "--user-names", "-1");
	PARSE_FAILS("--ctl-idle", "--ctl-idle", "0");
	PARSE_FAILS("--ctl-idle", "--ctl-idle", "86400001");
	PARSE_FAILS("--ctl-queued", "--ctl-queued", "512K");
	PARSE_FAILS("--ctl-queued-total", "--ctl-queued-total", "2T");
	PARSE_FAILS("--max-conns", "--max-conns", "0");
	PARSE_FAILS("--max-conns", "--max-conns", "1048577");
	PARSE_FAILS("--max-msgs", "--max-msgs", "x");
	PARSE_FAILS("--max-queued", "--max-queued", "1K");
	PARSE_FAILS("--max-queued", "--max-queued", "2T");
	PARSE_FAILS("--max-queued", "--max-queued", "M");
	PARSE_FAILS("--max-queued", "--max-queued", "18446744073709551615G");
	PARSE_FAILS("--max-queued", "--max-queued", "5Q");
	PARSE_FAILS("--ready-fd", "--ready-fd", "-1");
	PARSE_FAILS("--ready-fd", "--ready-fd", "2147483648");
	PARSE_FAILS("--log-level: 'loud'", "--log-level", "loud");
	PARSE_FAILS("--listen: '127.0.0.1': missing port", "--listen",
	    "127.0.0.1");
	PARSE_FAILS("--peer: 'x': expected NAME=HOST:PORT", "--peer", "x");
	PARSE_FAILS("--peer", "--peer", "x 127.0.0.1:1");
	PARSE_FAILS("bad peer name", "--peer", "=127.0.0.1:1");
	PARSE_FAILS("bad peer name", "--peer", "a.b=127.0.0.1:1");
	PARSE_FAILS("--peer: '[::1:7': no closing ']'", "--peer", "p=[::1:7");
	PARSE_FAILS("/nonexistent/axond.conf: No such file", "--config",
	    "/nonexistent/axond.conf");
	PARSE_FAILS("--secret-file: empty path", "--secret-file", "");

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	PARSE_FAILS("--ready-file: path longer than 4095", "--ready-file",
	    big);
	/* Echoed values are cut and cannot break the line. */
	PARSE_FAILS("...", "--node", big);
	PARSE_FAILS("'a?b' is not a node name", "--node", "a\nb");
}
END_TEST

START_TEST(test_help_version)
{
	struct axond_config c;
	char e[256];
	char out[16384] = {0};
	const char *p = mkfile(1, "stdout", "");
	int fd = open(p, O_RDWR | O_CLOEXEC);
	int saved = dup(STDOUT_FILENO);

	ck_assert_int_ge(fd, 0);
	fflush(stdout);
	ck_assert_int_ge(dup2(fd, STDOUT_FILENO), 0);
	/* --help wins over anything after it, even an error. */
	int r1 = PARSE(&c, e, "--node", "a", "--help", "--bogus");
	int r2 = PARSE(&c, e, "-h");
	int r3 = PARSE(&c, e, "--version");
	fflush(stdout);
	ck_assert_int_ge(dup2(saved, STDOUT_FILENO), 0);
	close(saved);
	ck_assert_int_eq(r1, 1);
	ck_assert_int_eq(r2, 1);
	ck_assert_int_eq(r3, 1);
	ck_assert_int_gt(pread(fd, out, sizeof(out) - 1, 0), 0);
	close(fd);
	ck_assert_ptr_nonnull(strstr(out, "usage: axond"));
	ck_assert_ptr_nonnull(strstr(out, "--max-queued BYTES"));
	ck_assert_ptr_nonnull(strstr(out, "--mapany UID[:GID]|none"));
	ck_assert_ptr_nonnull(strstr(out, "axond (Axon) "));
	/* An error before --help is reported. */
	PARSE_FAILS("--bogus", "--bogus", "--help");
}
END_TEST

START_TEST(test_file)
{
	struct axond_config c;
	char e[512];

	axond_config_defaults(&c);
	ck_assert_int_eq(load(&c,
	    "# a comment\n"
	    "\n"
	    "   \t\n"
	    "node\tfile-node   # trailing comment\n"
	    "  listen 0.0.0.0:7000\r\n"
	    "listen [::]:7000\n"
	    "peer p1 10.0.0.1:7001\n"
	    "peer p2=[2001:db8::2]:7002\n"
	    "peer  p3 \t host.example:7003\n"
	    "secret-file /etc/axon/se#cret\n"
	    "keepalive 100\n"
	    "dead-after 400\n"
	    "connect-timeout 50\n"
	    "maproot none\n"
	    "max-conns 1\n"
	    "max-msgs 1048576\n"
	    "max-queued 1M\n"
	    "mapany 65534:65533\n"
	    "user-conns 2\n"
	    "ctl-idle 1000\n"
	    "user-commands 3\n"
	    "user-names 4\n"
	    "ctl-queued 1M\n"
	    "ctl-queued-total 1M\n"
	    "ready-fd 0\n"
	    "ready-file /run/ready file\n"
	    "log-level debug\n"
	    "#peer p4 10.0.0.4:1\n"
	    "log-level 1", /* no final newline */
	    e, sizeof(e)), 0);
	ck_assert_str_eq(c.node, "file-node");
	ck_assert_int_eq(c.nlisten, 2);
	ck_assert_str_eq(c.listen[0].host, "0.0.0.0");
	ck_assert_str_eq(c.listen[1].host, "::");
	ck_assert_int_eq(c.npeers, 3);
	ck_assert_str_eq(c.peer[0].name, "p1");
	ck_assert_str_eq(c.peer[0].addr.host, "10.0.0.1");
	ck_assert_str_eq(c.peer[1].name, "p2");
	ck_assert_str_eq(c.peer[1].addr.host, "2001:db8::2");
	ck_assert_str_eq(c.peer[1].addr.port, "7002");
	ck_assert_str_eq(c.peer[2].name, "p3");
	ck_assert_str_eq(c.peer[2].addr.host, "host.example");
	ck_assert_str_eq(c.secret_file, "/etc/axon/se#cret");
	ck_assert_uint_eq(c.keepalive_ms, 100);
	ck_assert_uint_eq(c.dead_after_ms, 400);
	ck_assert_uint_eq(c.connect_timeout_ms, 50);
	ck_assert_int_eq(c.maproot, -1);
	ck_assert_uint_eq(c.max_conns_per_peer, 1);
	ck_assert_uint_eq(c.max_msgs_in_flight, 1048576);
	ck_assert_uint_eq(c.max_queued_bytes, 1ull << 20);
	ck_assert_int_eq(c.mapany, 65534);
	ck_assert_int_eq(c.mapany_gid, 65533);
	ck_assert_uint_eq(c.user_conns, 2);
	ck_assert_uint_eq(c.ctl_idle_ms, 1000);
	ck_assert_uint_eq(c.user_commands, 3);
	ck_assert_uint_eq(c.user_names, 4);
	ck_assert_uint_eq(c.ctl_queued, 1ull << 20);
	ck_assert_uint_eq(c.ctl_queued_total, 1ull << 20);
	ck_assert_int_eq(c.ready_fd, 0);
	ck_assert_str_eq(c.ready_file, "/run/ready file");
	ck_assert_int_eq(c.log_level, AXOND_LOG_WARN);
	ck_assert_int_eq(axond_config_validate(&c, e, sizeof(e)), 0);

	/* An empty file changes nothing. */
	axond_config_defaults(&c);
	ck_assert_int_eq(load(&c, "", e, sizeof(e)), 0);
	check_defaults(&c);
}
END_TEST

START_TEST(test_file_errors)
{
	struct axond_config c;
	char e[512];
	char where[300];

	load_fails("node a\n\n# x\nlisten 1.2.3.4:5\nfrobnicate 3\n", 5,
	    "unknown key 'frobnicate'");
	load_fails("secret_file /x\n", 1, "unknown key 'secret_file'");
	load_fails("--node a\n", 1, "unknown key '--node'");
	load_fails("verbose 1\n", 1, "unknown key 'verbose'");
	load_fails("help\n", 1, "unknown key 'help'");
	load_fails("config /etc/other.conf\n", 1,
	    "a file cannot include another");
	load_fails("node\n", 1, "node needs a value");
	load_fails("node   # only a comment\n", 1, "node needs a value");
	load_fails("\nkeepalive 1000ms\n", 2,
	    "keepalive: '1000ms' is not a number from 1 to 86400000");
	load_fails("dead-after 18446744073709551617\n", 1, "dead-after: ");
	load_fails("node a b\n", 1, "node: 'a b' is not a node name");
	load_fails("listen 127.0.0.1:0\n", 1, "listen: '127.0.0.1:0': port");
	load_fails("listen 1.2.3.4:5\nlisten 1.2.3.4:5\n", 2, "given twice");
	load_fails("peer a 1.2.3.4:5\npeer a 1.2.3.5:5\n", 2,
	    "peer 'a' given twice");
	load_fails("peer a\n", 1, "peer: 'a': expected NAME=HOST:PORT");
	load_fails("peer a 1.2.3.4:5 extra\n", 1, "peer: ");
	load_fails("maproot -1\n", 1, "maproot: '-1' is not a uid");
	load_fails("mapany 1:x\n", 1, "mapany: '1:x' is not a uid");
	load_fails("user-conns 0\n", 1, "user-conns: '0'");
	load_fails("ctl-queued-total 1\n", 1, "ctl-queued-total: '1'");
	load_fails("log-level 4\n", 1, "log-level: '4'");
	load_fails("max-queued 64MB\n", 1, "max-queued: '64MB'");

	/* Too many of a list. */
	{
		char text[4096] = "";
		size_t n = 0;

		for (int i = 0; i <= AXOND_MAX_PEERS; i++) {
			n += (size_t) snprintf(text + n, sizeof(text) - n,
			    "peer p%d 10.0.0.1:%d\n", i, 1000 + i);
		}
		load_fails(text, AXOND_MAX_PEERS + 1, "too many peers");
		text[0] = '\0';
		n = 0;
		for (int i = 0; i <= AXOND_MAX_LISTEN; i++) {
			n += (size_t) snprintf(text + n, sizeof(text) - n,
			    "listen 127.0.0.1:%d\n", 1000 + i);
		}
		load_fails(text, AXOND_MAX_LISTEN + 1,
		    "too many listen addresses");
	}

	/* A NUL byte, and a line too long to be a setting. */
	{
		static char text[9000];
		const char *p;

		axond_config_defaults(&c);
		p = mkfile_n(0, "t.conf", "node a\nnode b\0c\n", 16, 0644);
		ck_assert_int_eq(axond_config_load_file(&c, p, e, sizeof(e)),
		    -1);
		snprintf(where, sizeof(where), "%s:2: NUL byte in line", p);
		ck_assert_str_eq(e, where);
		memset(text, 'x', sizeof(text) - 2);
		text[sizeof(text) - 2] = '\n';
		load_fails(text, 1, "line longer than");
	}

	/* Missing file, directory. */
	axond_config_defaults(&c);
	ck_assert_int_eq(axond_config_load_file(&c, "/nonexistent/x.conf",
	    e, sizeof(e)), -1);
	ck_assert_str_eq(e, "/nonexistent/x.conf: No such file or directory");
	ck_assert_int_eq(axond_config_load_file(&c, tdir, e, sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "is a directory"));

	/* Through --config, the file's message comes back as it is. */
	{
		const char *p = mkfile(2, "bad.conf", "node a\nnode !\n");
		char *argv[] = {(char *) "axond", (char *) "--config",
		    (char *) p, NULL};

		ck_assert_int_eq(axond_config_parse(&c, 3, argv, e, sizeof(e)),
		    -1);
		snprintf(where, sizeof(where), "%s:2: node: '!'", p);
		ck_assert_msg(strncmp(e, where, strlen(where)) == 0, "%s", e);
	}

	/* A small err buffer is cut, not overrun; NULL err is allowed. */
	{
		char small[8];

		memset(small, 'z', sizeof(small));
		axond_config_defaults(&c);
		ck_assert_int_eq(load(&c, "bogus 1\n", small, sizeof(small)),
		    -1);
		ck_assert_int_eq(small[7], '\0');
		ck_assert_int_eq(axond_config_load_file(&c,
		    "/nonexistent/x.conf", NULL, 0), -1);
	}
}
END_TEST

START_TEST(test_example_file)
{
	struct axond_config c, d;
	char e[512];

	axond_config_defaults(&c);
	ck_assert_msg(axond_config_load_file(&c, "examples/axond.conf", e,
	    sizeof(e)) == 0, "%s", e);
	ck_assert_msg(axond_config_validate(&c, e, sizeof(e)) == 0, "%s", e);
	/* Its values are the defaults. */
	check_defaults(&c);
	ck_assert_str_eq(c.node, "alpha");
	ck_assert_int_eq(c.nlisten, 1);
	ck_assert_str_eq(c.listen[0].host, "127.0.0.1");
	ck_assert_str_eq(c.listen[0].port, "7000");
	ck_assert_int_eq(c.npeers, 1);
	ck_assert_str_eq(c.peer[0].name, "beta");
	ck_assert_str_eq(c.peer[0].addr.port, "7001");

	/* And so is every value it shows commented out. */
	{
		FILE *f = fopen("examples/axond.conf", "re");
		char line[512];
		int keys = 0;

		ck_assert_ptr_nonnull(f);
		while (fgets(line, sizeof(line), f) != NULL) {
			if (line[0] == '#' && line[1] >= 'a' &&
			    line[1] <= 'z') {
				const char *p = mkfile(1, "one.conf",
				    line + 1);

				axond_config_defaults(&d);
				ck_assert_msg(axond_config_load_file(&d, p, e,
				    sizeof(e)) == 0, "%s", e);
				keys++;
			}
		}
		fclose(f);
		ck_assert_int_eq(keys, 10); /* mapany, ready-fd, -file, fs,
					      * cert, key, ca, discover,
					      * discover-if, metrics */
	}

	/* Every key in the file is documented in the man page and vice
	 * versa would need mandoc; at least all keys appear here. */
	{
		static const char *const keys[] = {"node", "listen", "peer",
		    "secret-file", "keepalive", "dead-after",
		    "connect-timeout", "maproot", "max-conns", "max-msgs",
		    "max-queued", "mapany", "user-conns", "ctl-idle",
		    "user-commands", "user-names", "ctl-queued",
		    "ctl-queued-total", "ready-fd", "ready-file",
		    "log-level", "tls", "cert", "key", "ca", "discover",
		    "discover-if", "metrics"};
		FILE *f = fopen("examples/axond.conf", "re");
		char text[16384];
		size_t n;

		ck_assert_ptr_nonnull(f);
		n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			char want[64];

			snprintf(want, sizeof(want), "\n%s ", keys[i]);
			char want2[64];

			snprintf(want2, sizeof(want2), "\n#%s ", keys[i]);
			ck_assert_msg(strstr(text, want) != NULL ||
			    strstr(text, want2) != NULL, "no %s", keys[i]);
		}
	}
}
END_TEST

START_TEST(test_precedence)
{
	struct axond_config c;
	char e[512];
	const char *p = mkfile(1, "base.conf",
	    "node from-file\n"
	    "listen 127.0.0.1:7000\n"
	    "peer f1 127.0.0.1:7001\n"
	    "keepalive 300\n"
	    "dead-after 900\n"
	    "maproot 1000\n"
	    "log-level error\n"
	    "secret-file /s\n"
	    "ready-file /file\n");

	/* --config last on the line still comes first. */
	ck_assert_int_eq(PARSE(&c, e, "--node", "from-argv",
	    "--listen", "127.0.0.1:7100", "--peer", "a1=127.0.0.1:7101",
	    "--keepalive", "200", "-v", "--config", (char *) p), 0);
	ck_assert_str_eq(c.node, "from-argv");
	ck_assert_int_eq(c.nlisten, 2);
	ck_assert_str_eq(c.listen[0].port, "7000");
	ck_assert_str_eq(c.listen[1].port, "7100");
	ck_assert_int_eq(c.npeers, 2);
	ck_assert_str_eq(c.peer[0].name, "f1");
	ck_assert_str_eq(c.peer[1].name, "a1");
	ck_assert_uint_eq(c.keepalive_ms, 200); /* argv */
	ck_assert_uint_eq(c.dead_after_ms, 900); /* file */
	ck_assert_int_eq(c.maproot, 1000);       /* file */
	ck_assert_int_eq(c.log_level, AXOND_LOG_WARN); /* file + -v */
	ck_assert_str_eq(c.ready_file, "/file");
	ck_assert_uint_eq(c.connect_timeout_ms, 2000); /* default */
	ck_assert_int_eq(axond_config_validate(&c, e, sizeof(e)), 0);

	/* Only the file: its values. */
	ck_assert_int_eq(PARSE(&c, e, "--config", (char *) p), 0);
	ck_assert_str_eq(c.node, "from-file");
	ck_assert_int_eq(c.nlisten, 1);
	ck_assert_uint_eq(c.keepalive_ms, 300);

	/* A peer in both is a duplicate, not an override. */
	PARSE_FAILS("--peer: peer 'f1' given twice", "--config", (char *) p,
	    "--peer", "f1=127.0.0.1:7200");
	PARSE_FAILS("--listen: '127.0.0.1:7000' given twice", "--config",
	    (char *) p, "--listen", "127.0.0.1:7000");
	/* The file is read once, before argv: argv cannot be re-read. */
	ck_assert_int_eq(PARSE(&c, e, "--config=" "/nonexistent", "--node",
	    "x"), -1);
	ck_assert_ptr_nonnull(strstr(e, "/nonexistent: No such file"));
}
END_TEST

START_TEST(test_hostport)
{
	static const struct {
		const char *in, *host, *port;
	} good[] = {
		{"127.0.0.1:7000", "127.0.0.1", "7000"},
		{"0.0.0.0:1", "0.0.0.0", "1"},
		{"[::1]:7000", "::1", "7000"},
		{"[::]:65535", "::", "65535"},
		{"[2001:db8::1]:80", "2001:db8::1", "80"},
		{"[::ffff:10.0.0.1]:9", "::ffff:10.0.0.1", "9"},
		{"[fe80::1%eth0]:7000", "fe80::1%eth0", "7000"},
		{"localhost:7000", "localhost", "7000"},
		{"node-1.example.com.:7000", "node-1.example.com.", "7000"},
		{"Host_2:007", "Host_2", "7"},
		{"1host:1", "1host", "1"},
	};
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{"127.0.0.1", "missing port"},
		{"127.0.0.1:", "missing port"},
		{"[::1]", "missing port"},
		{"[::1]:", "missing port"},
		{"[::1]7000", "expected ':' after ']'"},
		{"[::1:7000", "no closing ']'"},
		{"[::1", "no closing ']'"},
		{"::1:7000", "needs brackets"},
		{"::1", "needs brackets"},
		{":7000", "missing host"},
		{"[]:7000", "bad IPv6 address"},
		{"[1.2.3.4]:7000", "bad IPv6 address"},
		{"[::g]:7000", "bad IPv6 address"},
		{"[fe80::1%]:7000", "bad IPv6 address"},
		{"[fe80::1%a b]:7000", "bad IPv6 address"},
		{"h:0", "port must be a number from 1 to 65535"},
		{"h:70000", "port must be"},
		{"h:65536", "port must be"},
		{"h:-1", "port must be"},
		{"h:+80", "port must be"},
		{"h: 80", "port must be"},
		{"h:80 ", "port must be"},
		{"h:http", "port must be"},
		{"h:99999999999999999999999", "port must be"},
		{"300.1.1.1:80", "bad IPv4 address"},
		{"1.2.3:80", "bad IPv4 address"},
		{"1.2.3.4.5:80", "bad IPv4 address"},
		{"bad host:80", "bad host name"},
		{"-h:80", "bad host name"},
		{"h/x:80", "bad host name"},
		{"h\xc3\xa9:80", "bad host name"},
		{"", "missing port"},
	};
	struct axond_addr a;
	char e[256];
	char longhost[300];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&a, 0, sizeof(a));
		ck_assert_msg(axond_parse_hostport(good[i].in, &a, e,
		    sizeof(e)) == 0, "%s: %s", good[i].in, e);
		ck_assert_str_eq(a.host, good[i].host);
		ck_assert_str_eq(a.port, good[i].port);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e[0] = '\0';
		ck_assert_msg(axond_parse_hostport(bad[i].in, &a, e,
		    sizeof(e)) == -1, "%s accepted", bad[i].in);
		ck_assert_msg(strstr(e, bad[i].msg) != NULL,
		    "%s: '%s' lacks '%s'", bad[i].in, e, bad[i].msg);
	}
	/* The longest host name fits, one more byte does not. */
	memset(longhost, 'a', 253);
	strcpy(longhost + 253, ":1");
	ck_assert_int_eq(axond_parse_hostport(longhost, &a, e, sizeof(e)), 0);
	ck_assert_uint_eq(strlen(a.host), 253);
	memset(longhost, 'a', 254);
	strcpy(longhost + 254, ":1");
	ck_assert_int_eq(axond_parse_hostport(longhost, &a, e, sizeof(e)), -1);
	memset(longhost, 'a', 290);
	strcpy(longhost + 290, ":1");
	ck_assert_int_eq(axond_parse_hostport(longhost, &a, e, sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "too long"));
}
END_TEST

START_TEST(test_names)
{
	static const char *const bad[] = {"", "a b", "a.b", "a/b", "a:b",
	    "a=b", "\xc3\xa9", "a\tb", "n\xff"};
	char n63[80], n64[80];
	struct axond_config c;
	char e[256];

	memset(n63, 'x', 63);
	n63[63] = '\0';
	memset(n64, 'x', 64);
	n64[64] = '\0';
	ck_assert(axond_name_valid("a"));
	ck_assert(axond_name_valid("Node_1-b"));
	ck_assert(axond_name_valid("-"));
	ck_assert(axond_name_valid(n63));
	ck_assert(!axond_name_valid(n64));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(!axond_name_valid(bad[i]), "'%s' valid", bad[i]);
		PARSE_FAILS("is not a node name", "--node", (char *) bad[i]);
	}
	PARSE_FAILS("is not a node name", "--node", n64);
	ck_assert_int_eq(PARSE(&c, e, "--node", n63), 0);
	ck_assert_str_eq(c.node, n63);

	/* Peer names follow the same rule. */
	char pv[120];

	snprintf(pv, sizeof(pv), "%s=h:1", n64);
	PARSE_FAILS("bad peer name", "--peer", pv);
	snprintf(pv, sizeof(pv), "%s=h:1", n63);
	ck_assert_int_eq(PARSE(&c, e, "--peer", pv), 0);
	ck_assert_str_eq(c.peer[0].name, n63);
}
END_TEST

static void
base(struct axond_config *c)
{
	char e[256];

	ck_assert_int_eq(PARSE(c, e, "--node", "me", "--listen",
	    "127.0.0.1:7000", "--peer", "p1=127.0.0.1:7001", "--peer",
	    "p2=127.0.0.1:7002", "--secret-file", "/etc/axon/secret"), 0);
	ck_assert_int_eq(axond_config_validate(c, e, sizeof(e)), 0);
}

#define INVALID(c, want) do {						\
	char e_[256];							\
	ck_assert_int_eq(axond_config_validate(c, e_, sizeof(e_)), -1);	\
	ck_assert_msg(strstr(e_, want) != NULL, "'%s' lacks '%s'",	\
	    e_, want);							\
} while (0)

START_TEST(test_validate)
{
	struct axond_config c;
	char e[256];

	base(&c);
	c.node[0] = '\0';
	INVALID(&c, "no node name");
	base(&c);
	strcpy(c.node, "a b");
	INVALID(&c, "'a b' is not a node name");
	base(&c);
	c.nlisten = 0;
	INVALID(&c, "no listen address");
	base(&c);
	c.listen[1] = c.listen[0];
	c.nlisten = 2;
	INVALID(&c, "given twice");

	/* Peers: duplicate names (built directly: parse refuses them
	 * already), the node's own name, duplicate addresses. */
	base(&c);
	strcpy(c.peer[1].name, "p1");
	INVALID(&c, "peer 'p1' given twice");
	base(&c);
	strcpy(c.peer[1].name, "me");
	INVALID(&c, "peer 'me' has this node's own name");
	ck_assert_int_eq(PARSE(&c, e, "--node", "me", "--listen", "h:1",
	    "--peer", "me=h:2"), 0);
	INVALID(&c, "own name");
	base(&c);
	strcpy(c.peer[1].addr.port, "7001");
	INVALID(&c, "peers 'p1' and 'p2' have the same address");
	base(&c);
	strcpy(c.peer[1].name, "");
	INVALID(&c, "is not a peer name");
	base(&c);
	c.npeers = AXOND_MAX_PEERS + 1;
	INVALID(&c, "too many peers");

	/* Times. */
	base(&c);
	c.dead_after_ms = c.keepalive_ms;
	INVALID(&c, "dead-after (1000 ms) must be longer than keepalive");
	ck_assert_int_eq(PARSE(&c, e, "--node", "me", "--listen", "h:1",
	    "--keepalive", "5000"), 0);
	INVALID(&c, "dead-after (4000 ms) must be longer than keepalive "
	    "(5000 ms)");
	ck_assert_int_eq(PARSE(&c, e, "--node", "me", "--listen", "h:1",
	    "--keepalive", "5000", "--dead-after", "5001", "--insecure"), 0);
	ck_assert_int_eq(axond_config_validate(&c, e, sizeof(e)), 0);
	base(&c);
	c.connect_timeout_ms = 0;
	INVALID(&c, "times must be");

	/* Other values set by a program rather than parsed. */
	base(&c);
	c.maproot = -2;
	INVALID(&c, "maproot");
	base(&c);
	c.maproot_gid = -2;
	INVALID(&c, "maproot 65534:-2 is not a uid and gid");
	base(&c);
	c.mapany_gid = 5; /* a gid without a uid */
	INVALID(&c, "mapany -1:5");
	base(&c);
	c.mapany = AXOND_UID_MAX + 1;
	INVALID(&c, "mapany");
	base(&c);
	c.user_names = 0;
	INVALID(&c, "user-names");
	base(&c);
	c.ctl_idle_ms = 0;
	INVALID(&c, "ctl-idle");
	base(&c);
	c.ctl_queued = 0;
	INVALID(&c, "ctl-queued");
	base(&c);
	c.ctl_queued = 2ull << 20;
	c.ctl_queued_total = 1ull << 20;
	INVALID(&c, "ctl-queued (2097152) must not exceed ctl-queued-total");
	ck_assert_int_eq(PARSE(&c, e, "--node", "me", "--listen", "h:1",
	    "--ctl-queued", "2M", "--ctl-queued-total", "2M", "--insecure"),
	    0);
	ck_assert_int_eq(axond_config_validate(&c, e, sizeof(e)), 0);
	base(&c);
	c.max_conns_per_peer = 0;
	INVALID(&c, "max-conns");
	base(&c);
	c.max_queued_bytes = 1;
	INVALID(&c, "max-queued");
	base(&c);
	c.ready_fd = -2;
	INVALID(&c, "ready-fd");
	base(&c);
	c.log_level = 4;
	INVALID(&c, "log level");

	/* No peers at all is fine: others may contact this node. */
	ck_assert_int_eq(PARSE(&c, e, "--node", "me", "--listen", "h:1",
	    "--secret-file", "/s"), 0);
	ck_assert_int_eq(axond_config_validate(&c, e, sizeof(e)), 0);
}
END_TEST

/* Sessions are TLS keyed by the secret or by certificates; --insecure
 * turns TLS off and takes no certificate. */
/* The file-system companion's settings (axond(8), --fs). */
START_TEST(test_fs_settings)
{
	struct axond_config c;
	char e[512];

	ck_assert_int_eq(PARSE(&c, e, "--node", "a"), 0);
	ck_assert_int_eq(c.fs, 0);
	ck_assert_str_eq(c.fs_dir, "");
	ck_assert_str_eq(c.fs_program, "");
	ck_assert_msg(PARSE(&c, e, "--fs", "yes", "--fs-dir", "/mnt/axon",
	    "--fs-program", "/opt/axon/sbin/axon-fs") == 0, "%s", e);
	ck_assert_int_eq(c.fs, 1);
	ck_assert_str_eq(c.fs_dir, "/mnt/axon");
	ck_assert_str_eq(c.fs_program, "/opt/axon/sbin/axon-fs");
	ck_assert_int_eq(load(&c, "fs no\nfs-dir /srv/fs\n", e, sizeof(e)),
	    0);
	ck_assert_int_eq(c.fs, 0);
	ck_assert_str_eq(c.fs_dir, "/srv/fs");
	PARSE_FAILS("--fs", "--fs", "maybe");
	PARSE_FAILS("not an absolute path", "--fs-dir", "fs");
	PARSE_FAILS("not an absolute path", "--fs-program", "axon-fs");
	PARSE_FAILS("--fs-dir", "--fs-dir", "");
	/* The net directory: a path, or none (axon-fs(8) decides by
	 * default). */
	ck_assert_int_eq(PARSE(&c, e, "--node", "a"), 0);
	ck_assert_str_eq(c.net_dir, "");
	ck_assert_msg(PARSE(&c, e, "--net-dir", "/srv/net") == 0, "%s", e);
	ck_assert_str_eq(c.net_dir, "/srv/net");
	ck_assert_msg(PARSE(&c, e, "--net-dir", "none") == 0, "%s", e);
	ck_assert_str_eq(c.net_dir, "none");
	ck_assert_int_eq(load(&c, "net-dir /mnt/net\n", e, sizeof(e)), 0);
	ck_assert_str_eq(c.net_dir, "/mnt/net");
	PARSE_FAILS("not an absolute path", "--net-dir", "net");
	/* The links to /dev paths: a root, or none (axon-fs(8) decides by
	 * default). */
	ck_assert_int_eq(PARSE(&c, e, "--node", "a"), 0);
	ck_assert_str_eq(c.fs_dev_links, "");
	ck_assert_msg(PARSE(&c, e, "--fs-dev-links", "/srv/root") == 0, "%s",
	    e);
	ck_assert_str_eq(c.fs_dev_links, "/srv/root");
	ck_assert_msg(PARSE(&c, e, "--fs-dev-links", "none") == 0, "%s", e);
	ck_assert_str_eq(c.fs_dev_links, "none");
	ck_assert_int_eq(load(&c, "fs-dev-links /mnt/root\n", e, sizeof(e)), 0);
	ck_assert_str_eq(c.fs_dev_links, "/mnt/root");
	PARSE_FAILS("not an absolute path", "--fs-dev-links", "root");
}
END_TEST

START_TEST(test_tls_settings)
{
	struct axond_config c;
	char e[512];

	base(&c);
	ck_assert_int_eq(c.tls, 1);
	c.secret_file[0] = '\0';
	INVALID(&c, "TLS needs a secret file, or cert, key and ca");

	ck_assert_int_eq(PARSE(&c, e, "--node", "me", "--listen",
	    "127.0.0.1:7000", "--insecure"), 0);
	ck_assert_int_eq(c.tls, 0);
	ck_assert_int_eq(axond_config_validate(&c, e, sizeof(e)), 0);
	ck_assert_int_eq(PARSE(&c, e, "--node", "me", "--listen",
	    "127.0.0.1:7000", "--tls", "no"), 0);
	ck_assert_int_eq(c.tls, 0);
	ck_assert_int_eq(PARSE(&c, e, "--node", "me", "--listen",
	    "127.0.0.1:7000", "--insecure", "--tls", "yes"), 0);
	ck_assert_int_eq(c.tls, 1); /* the last one given */
	PARSE_FAILS("is not yes or no", "--tls", "maybe");
	PARSE_FAILS("needs a value", "--cert");
	PARSE_FAILS("--cert: empty path", "--cert", "");

	/* Certificates instead of a secret: all three, or none. */
	ck_assert_int_eq(PARSE(&c, e, "--node", "me", "--listen",
	    "127.0.0.1:7000", "--cert", "/c.pem", "--key", "/k.pem", "--ca",
	    "/ca.pem"), 0);
	ck_assert_str_eq(c.tls_cert, "/c.pem");
	ck_assert_str_eq(c.tls_key, "/k.pem");
	ck_assert_str_eq(c.tls_ca, "/ca.pem");
	ck_assert_int_eq(axond_config_validate(&c, e, sizeof(e)), 0);
	c.tls_ca[0] = '\0';
	INVALID(&c, "cert, key and ca go together");
	c.tls = 0;
	INVALID(&c, "cert, key and ca need TLS");
	c.tls = 2;
	INVALID(&c, "tls 2 is not 0 or 1");

	/* In a file: tls, cert, key and ca; --insecure is not a key. */
	axond_config_defaults(&c);
	ck_assert_msg(load(&c, "tls no\n", e, sizeof(e)) == 0, "%s", e);
	ck_assert_int_eq(c.tls, 0);
	ck_assert_msg(load(&c, "tls on\ncert /a\nkey /b\nca /c\n", e,
	    sizeof(e)) == 0, "%s", e);
	ck_assert_int_eq(c.tls, 1);
	ck_assert_str_eq(c.tls_key, "/b");
	load_fails("insecure yes\n", 1, "unknown key 'insecure'");
	load_fails("tls\n", 1, "");
}
END_TEST

START_TEST(test_discover_settings)
{
	struct axond_config c;
	char e[512];

	base(&c);
	ck_assert_msg(PARSE(&c, e, "--node", "me", "--listen",
	    "127.0.0.1:7000", "--secret-file", "/s", "--discover",
	    "239.255.77.1:7788", "--discover-if", "eth0",
	    "--discover-interval", "500", "--discover-timeout", "3000") == 0,
	    "%s", e);
	ck_assert_str_eq(c.discover.host, "239.255.77.1");
	ck_assert_str_eq(c.discover.port, "7788");
	ck_assert_str_eq(c.discover_if, "eth0");
	ck_assert_uint_eq(c.discover_interval_ms, 500);
	ck_assert_uint_eq(c.discover_timeout_ms, 3000);
	ck_assert_msg(axond_config_validate(&c, e, sizeof(e)) == 0, "%s", e);
	/* A broadcast address is taken as well. */
	ck_assert_int_eq(PARSE(&c, e, "--node", "me", "--listen",
	    "127.0.0.1:7000", "--secret-file", "/s", "--discover",
	    "10.1.2.255:7788"), 0);
	ck_assert_msg(axond_config_validate(&c, e, sizeof(e)) == 0, "%s", e);
	/* The timeout must leave room for two announcements. */
	c.discover_interval_ms = 1500;
	c.discover_timeout_ms = 3000;
	INVALID(&c, "discover-timeout (3000 ms) must be longer than twice");
	/* No secret: refused, with what to do, unless allowed. */
	ck_assert_int_eq(PARSE(&c, e, "--node", "me", "--listen",
	    "127.0.0.1:7000", "--insecure", "--discover",
	    "239.255.77.1:7788"), 0);
	INVALID(&c, "discover needs a secret file to authenticate "
	    "announcements");
	ck_assert_int_eq(PARSE(&c, e, "--node", "me", "--listen",
	    "127.0.0.1:7000", "--insecure", "--discover",
	    "239.255.77.1:7788", "--discover-insecure", "yes"), 0);
	ck_assert_int_eq(c.discover_insecure, 1);
	ck_assert_msg(axond_config_validate(&c, e, sizeof(e)) == 0, "%s", e);
	/* Certificates but no secret: nothing to sign announcements with. */
	ck_assert_int_eq(PARSE(&c, e, "--node", "me", "--listen",
	    "127.0.0.1:7000", "--cert", "/c", "--key", "/k", "--ca", "/a",
	    "--discover", "239.255.77.1:7788"), 0);
	INVALID(&c, "discover needs a secret file");
	/* Bad values. */
	PARSE_FAILS("expected an IPv4 multicast group or broadcast address",
	    "--discover", "lan.example:7788");
	PARSE_FAILS("expected an IPv4 multicast group",
	    "--discover", "[ff02::1]:7788");
	PARSE_FAILS("expected an IPv4 multicast group",
	    "--discover", "0.0.0.0:7788");
	PARSE_FAILS("missing port", "--discover", "239.255.77.1");
	PARSE_FAILS("port must be a number", "--discover", "239.255.77.1:0");
	PARSE_FAILS("is not an interface name", "--discover-if", "");
	PARSE_FAILS("is not an interface name", "--discover-if",
	    "a-very-long-interface");
	PARSE_FAILS("is not an interface name", "--discover-if", "a/b");
	PARSE_FAILS("is not an interface name", "--discover-if", "a b");
	PARSE_FAILS("is not a number from 100", "--discover-interval", "99");
	PARSE_FAILS("is not a number from 100", "--discover-timeout", "x");
	PARSE_FAILS("is not yes or no", "--discover-insecure", "maybe");
	/* In a file. */
	axond_config_defaults(&c);
	ck_assert_msg(load(&c, "discover 239.1.2.3:9\ndiscover-if br0\n"
	    "discover-interval 1000\ndiscover-timeout 9000\n"
	    "discover-insecure no\n", e, sizeof(e)) == 0, "%s", e);
	ck_assert_str_eq(c.discover.host, "239.1.2.3");
	ck_assert_str_eq(c.discover_if, "br0");
	ck_assert_uint_eq(c.discover_timeout_ms, 9000);
	load_fails("discover 239.1.2.3\n", 1, "discover: ");
}
END_TEST

/* --metrics: [ADDR:]PORT, numeric, loopback without an address; off. */
START_TEST(test_metrics_settings)
{
	struct axond_config c;
	char e[512];

	axond_config_defaults(&c);
	ck_assert_str_eq(c.metrics.host, ""); /* off by default */
	ck_assert_int_eq(PARSE(&c, e, "--metrics", "9477"), 0);
	ck_assert_str_eq(c.metrics.host, "127.0.0.1");
	ck_assert_str_eq(c.metrics.port, "9477");
	ck_assert_int_eq(PARSE(&c, e, "--metrics", "0.0.0.0:80"), 0);
	ck_assert_str_eq(c.metrics.host, "0.0.0.0");
	ck_assert_str_eq(c.metrics.port, "80");
	ck_assert_int_eq(PARSE(&c, e, "--metrics", "[::1]:9477"), 0);
	ck_assert_str_eq(c.metrics.host, "::1");
	ck_assert_int_eq(PARSE(&c, e, "--metrics", "9477", "--metrics",
	    "off"), 0);
	ck_assert_str_eq(c.metrics.host, "");
	PARSE_FAILS("expected [ADDR:]PORT with a numeric address",
	    "--metrics", "localhost:9477");
	PARSE_FAILS("port must be a number", "--metrics", "99999");
	PARSE_FAILS("port must be a number", "--metrics", "0");
	PARSE_FAILS("missing port", "--metrics", "");
	PARSE_FAILS("missing port", "--metrics", "127.0.0.1");
	PARSE_FAILS("an IPv6 address needs brackets", "--metrics", "::1:80");
	PARSE_FAILS("expected ':' after ']'", "--metrics", "[::1]9477");
	axond_config_defaults(&c);
	ck_assert_msg(load(&c, "metrics 10.0.0.1:9477\n", e, sizeof(e)) == 0,
	    "%s", e);
	ck_assert_str_eq(c.metrics.host, "10.0.0.1");
	ck_assert_str_eq(c.metrics.port, "9477");
	load_fails("metrics ::1\n", 1, "metrics: ");
}
END_TEST

/* A private key file has the secret file's checks; its contents are
 * read whole, and what does not fit is refused. */
START_TEST(test_key_file)
{
	unsigned char buf[64];
	char e[512];
	const char *p;

	p = mkfile_n(0, "key", "PEM", 3, 0600);
	ck_assert_int_eq(axond_key_load(p, buf, sizeof(buf), e, sizeof(e)), 3);
	ck_assert(memcmp(buf, "PEM", 3) == 0);
	p = mkfile_n(0, "key", "PEM", 3, 0640);
	ck_assert_int_eq(axond_key_load(p, buf, sizeof(buf), e, sizeof(e)),
	    -1);
	ck_assert_ptr_nonnull(strstr(e, "key file"));
	ck_assert_ptr_nonnull(strstr(e, "gives group or others access"));
	p = mkfile_n(0, "key", "", 0, 0600);
	ck_assert_int_eq(axond_key_load(p, buf, sizeof(buf), e, sizeof(e)),
	    -1);
	ck_assert_ptr_nonnull(strstr(e, "empty"));
	p = mkfile_n(0, "key", "0123456789", 10, 0600);
	ck_assert_int_eq(axond_key_load(p, buf, 10, e, sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "longer than 9 bytes"));
	ck_assert_int_eq(axond_key_load(tdir, buf, sizeof(buf), e, sizeof(e)),
	    -1);
	ck_assert_ptr_nonnull(strstr(e, "not a regular file"));
	ck_assert_int_eq(axond_key_load("/nonexistent/k", buf, sizeof(buf), e,
	    sizeof(e)), -1);
	ck_assert_str_eq(e, "key file /nonexistent/k: No such file or "
	    "directory");
}
END_TEST

START_TEST(test_secret)
{
	unsigned char buf[AXOND_SECRET_MAX + 16];
	static char big[AXOND_SECRET_MAX + 2];
	char e[512];
	const char *p;

	/* 600 is fine; 644 and 640 and even 604 and 610 are refused. */
	p = mkfile_n(0, "secret", "s3cret\n", 7, 0644);
	ck_assert_int_eq(axond_secret_load(p, buf, sizeof(buf), e, sizeof(e)),
	    -1);
	ck_assert_ptr_nonnull(strstr(e, "mode 0644"));
	ck_assert_ptr_nonnull(strstr(e, "chmod 600"));
	ck_assert_ptr_nonnull(strstr(e, p));
	static const mode_t refused[] = {0640, 0604, 0610, 0602, 0620};

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		ck_assert_int_eq(chmod(p, refused[i]), 0);
		ck_assert_int_eq(axond_secret_load(p, buf, sizeof(buf), e,
		    sizeof(e)), -1);
	}
	ck_assert_int_eq(chmod(p, 0600), 0);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(axond_secret_load(p, buf, sizeof(buf), e, sizeof(e)),
	    6);
	ck_assert_mem_eq(buf, "s3cret", 6);
	ck_assert_int_eq(chmod(p, 0400), 0);
	ck_assert_int_eq(axond_secret_load(p, buf, sizeof(buf), e, sizeof(e)),
	    6);

	/* One newline is stripped, and only one; other bytes are kept. */
	p = mkfile_n(0, "secret", "ab\n\n", 4, 0600);
	ck_assert_int_eq(axond_secret_load(p, buf, sizeof(buf), e, sizeof(e)),
	    3);
	ck_assert_mem_eq(buf, "ab\n", 3);
	p = mkfile_n(0, "secret", "a\0b \r", 5, 0600);
	ck_assert_int_eq(axond_secret_load(p, buf, sizeof(buf), e, sizeof(e)),
	    5);
	ck_assert_mem_eq(buf, "a\0b \r", 5);

	/* Empty, or only the newline. */
	p = mkfile_n(0, "secret", "", 0, 0600);
	ck_assert_int_eq(axond_secret_load(p, buf, sizeof(buf), e, sizeof(e)),
	    -1);
	ck_assert_ptr_nonnull(strstr(e, "empty"));
	p = mkfile_n(0, "secret", "\n", 1, 0600);
	ck_assert_int_eq(axond_secret_load(p, buf, sizeof(buf), e, sizeof(e)),
	    -1);
	ck_assert_ptr_nonnull(strstr(e, "empty"));

	/* 4096 bytes, with or without a newline, fit; 4097 do not. */
	memset(big, 'k', sizeof(big));
	p = mkfile_n(0, "secret", big, AXOND_SECRET_MAX, 0600);
	ck_assert_int_eq(axond_secret_load(p, buf, sizeof(buf), e, sizeof(e)),
	    AXOND_SECRET_MAX);
	big[AXOND_SECRET_MAX] = '\n';
	p = mkfile_n(0, "secret", big, AXOND_SECRET_MAX + 1, 0600);
	ck_assert_int_eq(axond_secret_load(p, buf, sizeof(buf), e, sizeof(e)),
	    AXOND_SECRET_MAX);
	big[AXOND_SECRET_MAX] = 'k';
	p = mkfile_n(0, "secret", big, AXOND_SECRET_MAX + 1, 0600);
	ck_assert_int_eq(axond_secret_load(p, buf, sizeof(buf), e, sizeof(e)),
	    -1);
	ck_assert_ptr_nonnull(strstr(e, "longer than 4096"));
	p = mkfile_n(0, "secret", big, AXOND_SECRET_MAX + 2, 0600);
	ck_assert_int_eq(axond_secret_load(p, buf, sizeof(buf), e, sizeof(e)),
	    -1);

	/* The caller's buffer is a limit too. */
	p = mkfile_n(0, "secret", "0123456789", 10, 0600);
	ck_assert_int_eq(axond_secret_load(p, buf, 9, e, sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "longer than 9"));
	ck_assert_int_eq(axond_secret_load(p, buf, 10, e, sizeof(e)), 10);

	/* Not a regular file, missing. */
	ck_assert_int_eq(chmod(tdir, 0700), 0);
	ck_assert_int_eq(axond_secret_load(tdir, buf, sizeof(buf), e,
	    sizeof(e)), -1);
	ck_assert_ptr_nonnull(strstr(e, "not a regular file"));
	{
		char fifo[128];

		snprintf(fifo, sizeof(fifo), "%s/fifo", tdir);
		ck_assert_int_eq(mkfifo(fifo, 0600), 0);
		ck_assert_int_eq(axond_secret_load(fifo, buf, sizeof(buf), e,
		    sizeof(e)), -1);
		ck_assert_ptr_nonnull(strstr(e, "not a regular file"));
		unlink(fifo);
	}
	ck_assert_int_eq(axond_secret_load("/nonexistent/s", buf, sizeof(buf),
	    e, sizeof(e)), -1);
	ck_assert_str_eq(e, "secret file /nonexistent/s: No such file or "
	    "directory");

	/* Nothing is left open. */
	int before = axt_fd_count();

	p = mkfile_n(0, "secret", "x", 1, 0644);
	(void) axond_secret_load(p, buf, sizeof(buf), e, sizeof(e));
	ck_assert_int_eq(chmod(p, 0600), 0);
	(void) axond_secret_load(p, buf, sizeof(buf), e, sizeof(e));
	ck_assert_int_eq(axt_fd_count(), before);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = axt_tcase("config", 10);

	tcase_add_unchecked_fixture(tc, tdir_setup, tdir_teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_argv_every_option);
	tcase_add_test(tc, test_argv_errors);
	tcase_add_test(tc, test_help_version);
	tcase_add_test(tc, test_file);
	tcase_add_test(tc, test_file_errors);
	tcase_add_test(tc, test_example_file);
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_hostport);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_validate);
	tcase_add_test(tc, test_secret);
	tcase_add_test(tc, test_tls_settings);
	tcase_add_test(tc, test_discover_settings);
	tcase_add_test(tc, test_metrics_settings);
	tcase_add_test(tc, test_fs_settings);
	tcase_add_test(tc, test_key_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(config_suite());
}
