/* SPDX-License-Identifier: MIT */
/*
 * axond's configuration (see config.h and axond(8)).  The command line and
 * the configuration file share one table of settings and one function
 * that applies a value, so that a key means the same in both places and
 * is checked the same way.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "nodename.h"

#ifndef AXON_VERSION
#define AXON_VERSION "0.1.0"
#endif

/* Longest configuration file line: a 4095-byte path and its key fit. */
#define LINE_MAX_LEN 8192

enum opt_id {
	O_HELP = 'h',
	O_VERBOSE = 'v',
	O_CONFIG = 256,
	O_NODE,
	O_LISTEN,
	O_PEER,
	O_SECRET_FILE,
	O_KEEPALIVE,
	O_DEAD_AFTER,
	O_CONNECT_TIMEOUT,
	O_MAPROOT,
	O_MAX_CONNS,
	O_MAX_MSGS,
	O_MAX_QUEUED,
	O_MAPANY,
	O_USER_CONNS,
	O_CTL_IDLE,
	O_USER_COMMANDS,
	O_USER_NAMES,
	O_CTL_QUEUED,
	O_CTL_QUEUED_TOTAL,
	O_READY_FD,
	O_READY_FILE,
	O_REMOTE_SPAWN,
	O_TLS,
	O_CERT,
	O_KEY,
	O_CA,
	O_FS,
	O_FS_DIR,
	O_FS_PROGRAM,
	O_NET_DIR,
	O_FS_DEV_LINKS,
	O_DISCOVER,
	O_DISCOVER_IF,
	O_DISCOVER_INTERVAL,
	O_DISCOVER_TIMEOUT,
	O_DISCOVER_INSECURE,
	O_METRICS,
	O_LOG_LEVEL,
	O_NO_REMOTE_SPAWN,
	O_INSECURE,
	O_VERSION,
};

/* The settings a file may hold are the long options from O_NODE to
 * O_LOG_LEVEL; --config, -v, --no-remote-spawn, --insecure, --help and
 * --version exist only on the command line. */
static const struct option longopts[] = {
	{"config", required_argument, NULL, O_CONFIG},
	{"node", required_argument, NULL, O_NODE},
	{"listen", required_argument, NULL, O_LISTEN},
	{"peer", required_argument, NULL, O_PEER},
	{"secret-file", required_argument, NULL, O_SECRET_FILE},
	{"keepalive", required_argument, NULL, O_KEEPALIVE},
	{"dead-after", required_argument, NULL, O_DEAD_AFTER},
	{"connect-timeout", required_argument, NULL, O_CONNECT_TIMEOUT},
	{"maproot", required_argument, NULL, O_MAPROOT},
	{"max-conns", required_argument, NULL, O_MAX_CONNS},
	{"max-msgs", required_argument, NULL, O_MAX_MSGS},
	{"max-queued", required_argument, NULL, O_MAX_QUEUED},
	{"mapany", required_argument, NULL, O_MAPANY},
	{"user-conns", required_argument, NULL, O_USER_CONNS},
	{"ctl-idle", required_argument, NULL, O_CTL_IDLE},
	{"user-commands", required_argument, NULL, O_USER_COMMANDS},
	{"user-names", required_argument, NULL, O_USER_NAMES},
	{"ctl-queued", required_argument, NULL, O_CTL_QUEUED},
	{"ctl-queued-total", required_argument, NULL, O_CTL_QUEUED_TOTAL},
	{"ready-fd", required_argument, NULL, O_READY_FD},
	{"ready-file", required_argument, NULL, O_READY_FILE},
	{"remote-spawn", required_argument, NULL, O_REMOTE_SPAWN},
	{"no-remote-spawn", no_argument, NULL, O_NO_REMOTE_SPAWN},
	{"tls", required_argument, NULL, O_TLS},
	{"insecure", no_argument, NULL, O_INSECURE},
	{"cert", required_argument, NULL, O_CERT},
	{"key", required_argument, NULL, O_KEY},
	{"ca", required_argument, NULL, O_CA},
	{"fs", required_argument, NULL, O_FS},
	{"fs-dir", required_argument, NULL, O_FS_DIR},
	{"fs-program", required_argument, NULL, O_FS_PROGRAM},
	{"net-dir", required_argument, NULL, O_NET_DIR},
	{"fs-dev-links", required_argument, NULL, O_FS_DEV_LINKS},
	{"discover", required_argument, NULL, O_DISCOVER},
	{"discover-if", required_argument, NULL, O_DISCOVER_IF},
	{"discover-interval", required_argument, NULL, O_DISCOVER_INTERVAL},
	{"discover-timeout", required_argument, NULL, O_DISCOVER_TIMEOUT},
	{"discover-insecure", required_argument, NULL, O_DISCOVER_INSECURE},
	{"metrics", required_argument, NULL, O_METRICS},
	{"log-level", required_argument, NULL, O_LOG_LEVEL},
	{"verbose", no_argument, NULL, O_VERBOSE},
	{"help", no_argument, NULL, O_HELP},
	{"version", no_argument, NULL, O_VERSION},
	{NULL, 0, NULL, 0},
};

/* A leading ':' makes a missing argument ':' rather than '?', so the two
 * errors get different messages; opterr = 0 keeps getopt quiet. */
static const char shortopts[] = ":hv";

static const char *const level_names[] = {"error", "warn", "info", "debug"};

static void __attribute__((format(printf, 3, 4)))
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0) {
		return;
	}
	va_start(ap, fmt);
	(void) vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A user's string made safe to echo in a one-line message: control
 * characters (a newline would split the line) become '?', and it is cut
 * at 80 characters so that a huge value cannot hide the error. */
static const char *
q(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 4 < len && i < 80; i++) {
		unsigned char c = (unsigned char) s[i];

		buf[i] = c < 0x20 || c == 0x7f ? '?' : (char) c;
	}
	if (s[i] != '\0') {
		buf[i++] = '.';
		buf[i++] = '.';
		buf[i++] = '.';
	}
	buf[i] = '\0';
	return buf;
}

#define QBUF 96

void
axond_config_defaults(struct axond_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->keepalive_ms = AXOND_DEF_KEEPALIVE_MS;
	cfg->dead_after_ms = AXOND_DEF_DEAD_AFTER_MS;
	cfg->connect_timeout_ms = AXOND_DEF_CONNECT_TIMEOUT_MS;
	cfg->maproot = AXOND_DEF_MAPROOT;
	cfg->maproot_gid = -1;
	cfg->mapany = AXOND_DEF_MAPANY;
	cfg->mapany_gid = -1;
	cfg->user_conns = AXOND_DEF_USER_CONNS;
	cfg->ctl_idle_ms = AXOND_DEF_CTL_IDLE_MS;
	cfg->user_commands = AXOND_DEF_USER_COMMANDS;
	cfg->user_names = AXOND_DEF_USER_NAMES;
	cfg->ctl_queued = AXOND_DEF_CTL_QUEUED;
	cfg->ctl_queued_total = AXOND_DEF_CTL_QUEUED_TOTAL;
	cfg->max_conns_per_peer = AXOND_DEF_MAX_CONNS;
	cfg->max_msgs_in_flight = AXOND_DEF_MAX_MSGS;
	cfg->max_queued_bytes = AXOND_DEF_MAX_QUEUED;
	cfg->ready_fd = -1;
	cfg->remote_spawn = 1;
	cfg->tls = 1;
	cfg->discover_interval_ms = AXOND_DEF_DISCOVER_INTERVAL_MS;
	cfg->discover_timeout_ms = AXOND_DEF_DISCOVER_TIMEOUT_MS;
	cfg->log_level = AXOND_LOG_INFO;
}

static const char usage_text[] =
"usage: axond [--config FILE] [--node NAME] [--listen HOST:PORT]...\n"
"         [--peer NAME=HOST:PORT]... [--secret-file FILE]\n"
"         [--keepalive MS] [--dead-after MS] [--connect-timeout MS]\n"
"         [--maproot UID[:GID]|none] [--mapany UID[:GID]|none]\n"
"         [--max-conns N] [--max-msgs N] [--max-queued BYTES]\n"
"         [--user-conns N] [--ctl-idle MS] [--user-commands N]\n"
"         [--user-names N] [--ctl-queued BYTES]\n"
"         [--ctl-queued-total BYTES] [--ready-fd N] [--ready-file PATH]\n"
"         [--remote-spawn yes|no] [--no-remote-spawn]\n"
"         [--fs yes|no] [--fs-dir DIR] [--fs-program PATH]\n"
"         [--net-dir DIR|none] [--fs-dev-links ROOT|none]\n"
"         [--cert FILE --key FILE --ca FILE] [--tls yes|no] [--insecure]\n"
"         [--discover ADDR:PORT] [--discover-if IFACE]\n"
"         [--discover-interval MS] [--discover-timeout MS]\n"
"         [--discover-insecure yes|no] [--metrics [ADDR:]PORT|off]\n"
"         [--log-level error|warn|info|debug] [-v] [-h] [--version]\n"
"\n"
"The network manager of the Axon node of $AXON_RUNDIR.\n"
"\n"
"  --config FILE          settings from FILE first (key value lines)\n"
"  --node NAME            this node's name, 1-63 of A-Za-z0-9_-\n"
"  --listen HOST:PORT     accept peers here; repeatable, at least one\n"
"  --peer NAME=HOST:PORT  a node and its address; repeatable; a host\n"
"                         name is resolved at each (re)connection\n"
"  --secret-file FILE     cluster secret (mode 600): keys TLS and\n"
"                         the peers' proof of membership\n"
"  --cert FILE            this node's certificate (PEM), which names\n"
"                         the node; keys TLS instead of the secret\n"
"  --key FILE             its private key (PEM, mode 600)\n"
"  --ca FILE              the cluster CA that signs node certificates\n"
"  --tls yes|no           encrypt sessions with TLS 1.3 (yes)\n"
"  --insecure             the same as --tls no: plain TCP, anyone on\n"
"                         the path reads and alters it (tests only)\n"
"  --discover ADDR:PORT   find nodes on the LAN: announce and listen\n"
"                         on this IPv4 multicast group or broadcast\n"
"                         address (off)\n"
"  --discover-if IFACE    the interface to announce on\n"
"  --discover-interval MS announce every MS to 2*MS (5000)\n"
"  --discover-timeout MS  forget a silent discovered node (30000)\n"
"  --discover-insecure yes|no\n"
"                         allow discovery without a secret file:\n"
"                         anyone on the LAN can announce nodes (no)\n"
"  --metrics [ADDR:]PORT|off\n"
"                         serve counters for Prometheus (GET /metrics)\n"
"                         on ADDR (127.0.0.1) and PORT (off)\n"
"  --keepalive MS         PING after MS of silence (1000)\n"
"  --dead-after MS        peer down after MS of silence (4000)\n"
"  --connect-timeout MS   connect and handshake limit (2000)\n"
"  --maproot UID[:GID]|none\n"
"                         what remote uid 0 and gid 0 become (65534)\n"
"  --mapany UID[:GID]|none\n"
"                         what every remote user becomes (none)\n"
"  --max-conns N          connections per peer (4096)\n"
"  --max-msgs N           messages in flight per peer (16384)\n"
"  --max-queued BYTES     bytes queued per peer, K/M/G/T (64M)\n"
"  --user-conns N         control connections per user (16)\n"
"  --ctl-idle MS          idle control connections close (30000)\n"
"  --user-commands N      commands running per user (16)\n"
"  --user-names N         global names published per user (1024)\n"
"  --ctl-queued BYTES     answer bytes per control connection (8M)\n"
"  --ctl-queued-total BYTES  answer bytes of all users (64M)\n"
"  --ready-fd N           write \"ready\\n\" to N when ready, close it\n"
"  --ready-file PATH      create PATH when ready\n"
"  --remote-spawn yes|no  may other nodes run commands here (yes)\n"
"  --no-remote-spawn      the same as --remote-spawn no\n"
"  --fs yes|no            run axon-fs: the path namespace at the fs\n"
"                         directory, through FUSE (no)\n"
"  --fs-dir DIR           where axon-fs mounts ($AXON_RUNDIR/fs)\n"
"  --fs-program PATH      the axon-fs to run (next to axond)\n"
"  --net-dir DIR|none     where axon-fs shows every node's namespace\n"
"                         (/net for root on /run/axon, else\n"
"                         $AXON_RUNDIR/net)\n"
"  --fs-dev-links ROOT|none  where axon-fs links /dev paths root's\n"
"                         managers attach (/ for root on /run/axon,\n"
"                         else none)\n"
"  --log-level LEVEL      error, warn, info (default) or debug\n"
"  -v, --verbose          one log level more; repeatable\n"
"  -h, --help             this text\n"
"      --version          the version\n"
"\n"
"See axond(8).\n";

void
axond_config_usage(FILE *out)
{
	fputs(usage_text, out);
}

/* Decimal only, no sign, no blanks: strtoull alone would take " -1" as a
 * huge number and "0x10" as zero followed by junk. */
static int
parse_u64(const char *s, unsigned long long *ret)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char) s[0])) {
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0') {
		return -1;
	}
	*ret = v;
	return 0;
}

static int
parse_range(const char *s, unsigned long long min, unsigned long long max,
    unsigned long long *ret, char *err, size_t errlen)
{
	char qb[QBUF];

	if (parse_u64(s, ret) < 0 || *ret < min || *ret > max) {
		seterr(err, errlen, "'%s' is not a number from %llu to %llu",
		    q(s, qb, sizeof(qb)), min, max);
		return -1;
	}
	return 0;
}

/* BYTES: a number with an optional K, M, G or T (powers of 1024). */
static int
parse_bytes(const char *s, unsigned long long *ret, char *err, size_t errlen)
{
	char num[32];
	char qb[QBUF];
	size_t n = strlen(s);
	unsigned shift = 0;
	unsigned long long v;

	if (n > 0 && n < sizeof(num)) {
		switch (toupper((unsigned char) s[n - 1])) {
		case 'K': shift = 10; break;
		case 'M': shift = 20; break;
		case 'G': shift = 30; break;
		case 'T': shift = 40; break;
		default: break;
		}
	}
	if (n == 0 || n >= sizeof(num)) {
		goto bad;
	}
	memcpy(num, s, n + 1);
	if (shift != 0) {
		num[n - 1] = '\0';
	}
	if (parse_u64(num, &v) < 0 || v > (AXOND_QUEUED_MAX >> shift)) {
		goto bad;
	}
	v <<= shift;
	if (v < AXOND_QUEUED_MIN) {
		goto bad;
	}
	*ret = v;
	return 0;
bad:
	seterr(err, errlen, "'%s' is not a size from 1M to 1T (bytes, or "
	    "with a K, M, G or T suffix)", q(s, qb, sizeof(qb)));
	return -1;
}

int
axond_name_valid(const char *s)
{
	return axon__node_name_ok(s, strlen(s));
}

static int
check_name(const char *s, char *err, size_t errlen)
{
	char qb[QBUF];

	if (!axond_name_valid(s)) {
		seterr(err, errlen, "'%s' is not a node name (1 to %d of "
		    "A-Z a-z 0-9 _ -)", q(s, qb, sizeof(qb)), AXOND_NAME_MAX);
		return -1;
	}
	return 0;
}

/* A host name is checked for syntax only (it is resolved when used):
 * letters, digits, '.', '-', '_'; all digits and dots must be an IPv4
 * address, so that "10.0.0.256" is caught here rather than by a
 * resolver that may take it for a name. */
static int
check_host(const char *h, const char *s, char *err, size_t errlen)
{
	char qb[QBUF];
	int numeric = 1;
	unsigned char a[16];

	if (h[0] == '\0') {
		seterr(err, errlen, "'%s': missing host (HOST:PORT)",
		    q(s, qb, sizeof(qb)));
		return -1;
	}
	if (strlen(h) > 253 || h[0] == '-' || h[0] == '.') {
		goto bad;
	}
	for (const char *p = h; *p != '\0'; p++) {
		unsigned char c = (unsigned char) *p;

		if (c >= 0x80 || (!isalnum(c) && c != '.' && c != '-' &&
		    c != '_')) {
			goto bad;
		}
		if (!isdigit(c) && c != '.') {
			numeric = 0;
		}
	}
	if (numeric && inet_pton(AF_INET, h, a) != 1) {
		seterr(err, errlen, "'%s': bad IPv4 address", q(s, qb,
		    sizeof(qb)));
		return -1;
	}
	return 0;
bad:
	seterr(err, errlen, "'%s': bad host name", q(s, qb, sizeof(qb)));
	return -1;
}

/* The inside of [...]: an IPv6 address, optionally %zone (an interface
 * name or number). */
static int
check_host6(const char *h, const char *s, char *err, size_t errlen)
{
	char qb[QBUF];
	char addr[64];
	const char *pct = strchr(h, '%');
	size_t alen = pct != NULL ? (size_t) (pct - h) : strlen(h);
	unsigned char a[16];

	if (alen == 0 || alen >= sizeof(addr)) {
		goto bad;
	}
	memcpy(addr, h, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET6, addr, a) != 1) {
		goto bad;
	}
	if (pct != NULL) {
		const char *z = pct + 1;

		if (*z == '\0' || strlen(z) > 15) {
			goto bad;
		}
		for (; *z != '\0'; z++) {
			unsigned char c = (unsigned char) *z;

			if (c >= 0x80 || (!isalnum(c) && c != '.' &&
			    c != '-' && c != '_')) {
				goto bad;
			}
		}
	}
	return 0;
bad:
	seterr(err, errlen, "'%s': bad IPv6 address", q(s, qb, sizeof(qb)));
	return -1;
}

int
axond_parse_hostport(const char *s, struct axond_addr *ret, char *err,
    size_t errlen)
{
	char qb[QBUF];
	char host[sizeof(ret->host)];
	const char *hend;
	const char *port;
	unsigned long long p;
	size_t hlen;
	int v6 = 0;

	if (s[0] == '[') {
		hend = strchr(s, ']');
		if (hend == NULL) {
			seterr(err, errlen, "'%s': no closing ']'",
			    q(s, qb, sizeof(qb)));
			return -1;
		}
		if (hend[1] != ':') {
			seterr(err, errlen, hend[1] == '\0' ?
			    "'%s': missing port (HOST:PORT)" :
			    "'%s': expected ':' after ']'",
			    q(s, qb, sizeof(qb)));
			return -1;
		}
		port = hend + 2;
		s++; /* host starts after '[' */
		v6 = 1;
	} else {
		hend = strrchr(s, ':');
		if (hend == NULL) {
			seterr(err, errlen, "'%s': missing port (HOST:PORT)",
			    q(s, qb, sizeof(qb)));
			return -1;
		}
		if (memchr(s, ':', (size_t) (hend - s)) != NULL) {
			seterr(err, errlen, "'%s': an IPv6 address needs "
			    "brackets: [ADDR]:PORT", q(s, qb, sizeof(qb)));
			return -1;
		}
		port = hend + 1;
	}
	hlen = (size_t) (hend - s);
	if (hlen >= sizeof(host)) {
		seterr(err, errlen, "'%s': host name too long",
		    q(s - v6, qb, sizeof(qb)));
		return -1;
	}
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (v6 ? check_host6(host, s - 1, err, errlen) :
	    check_host(host, s, err, errlen)) {
		return -1;
	}
	if (port[0] == '\0') {
		seterr(err, errlen, "'%s': missing port (HOST:PORT)",
		    q(s - v6, qb, sizeof(qb)));
		return -1;
	}
	if (parse_u64(port, &p) < 0 || p < 1 || p > 65535) {
		seterr(err, errlen, "'%s': port must be a number from 1 to "
		    "65535", q(s - v6, qb, sizeof(qb)));
		return -1;
	}
	memcpy(ret->host, host, hlen + 1);
	snprintf(ret->port, sizeof(ret->port), "%u", (unsigned) p);
	return 0;
}

static int
addr_eq(const struct axond_addr *a, const struct axond_addr *b)
{
	/* Host names compare without case, as DNS does. */
	return strcasecmp(a->host, b->host) == 0 &&
	    strcmp(a->port, b->port) == 0;
}

static int
add_listen(struct axond_config *cfg, const char *v, char *err, size_t errlen)
{
	struct axond_addr a;

	if (axond_parse_hostport(v, &a, err, errlen) < 0) {
		return -1;
	}
	for (int i = 0; i < cfg->nlisten; i++) {
		if (addr_eq(&cfg->listen[i], &a)) {
			char qb[QBUF];

			seterr(err, errlen, "'%s' given twice",
			    q(v, qb, sizeof(qb)));
			return -1;
		}
	}
	if (cfg->nlisten >= AXOND_MAX_LISTEN) {
		seterr(err, errlen, "too many listen addresses (at most %d)",
		    AXOND_MAX_LISTEN);
		return -1;
	}
	cfg->listen[cfg->nlisten++] = a;
	return 0;
}

/* NAME=HOST:PORT, or in a file also NAME HOST:PORT. */
static int
add_peer(struct axond_config *cfg, const char *v, int allow_space,
    char *err, size_t errlen)
{
	char qb[QBUF];
	struct axond_peer p;
	size_t n = strcspn(v, allow_space ? "= \t" : "=");
	const char *rest = v + n;

	if (*rest == '\0') {
		seterr(err, errlen, "'%s': expected NAME=HOST:PORT",
		    q(v, qb, sizeof(qb)));
		return -1;
	}
	if (n == 0 || n > AXOND_NAME_MAX) {
		goto badname;
	}
	memcpy(p.name, v, n);
	p.name[n] = '\0';
	if (!axond_name_valid(p.name)) {
		goto badname;
	}
	if (*rest == '=') {
		rest++;
	} else {
		rest += strspn(rest, " \t");
	}
	if (axond_parse_hostport(rest, &p.addr, err, errlen) < 0) {
		return -1;
	}
	for (int i = 0; i < cfg->npeers; i++) {
		if (strcmp(cfg->peer[i].name, p.name) == 0) {
			seterr(err, errlen, "peer '%s' given twice", p.name);
			return -1;
		}
	}
	if (cfg->npeers >= AXOND_MAX_PEERS) {
		seterr(err, errlen, "too many peers (at most %d)",
		    AXOND_MAX_PEERS);
		return -1;
	}
	cfg->peer[cfg->npeers++] = p;
	return 0;
badname:
	seterr(err, errlen, "'%s': bad peer name (1 to %d of A-Z a-z 0-9 "
	    "_ -)", q(v, qb, sizeof(qb)), AXOND_NAME_MAX);
	return -1;
}

static int
set_path(char *dst, size_t cap, const char *v, char *err, size_t errlen)
{
	if (v[0] == '\0') {
		seterr(err, errlen, "empty path");
		return -1;
	}
	if (strlen(v) >= cap) {
		seterr(err, errlen, "path longer than %zu bytes", cap - 1);
		return -1;
	}
	strcpy(dst, v);
	return 0;
}

static int
parse_level(const char *v, int *ret, char *err, size_t errlen)
{
	char qb[QBUF];

	for (int i = 0; i < 4; i++) {
		if (strcasecmp(v, level_names[i]) == 0) {
			*ret = i;
			return 0;
		}
	}
	if (strcasecmp(v, "warning") == 0) {
		*ret = AXOND_LOG_WARN;
		return 0;
	}
	if (v[0] >= '0' && v[0] <= '3' && v[1] == '\0') {
		*ret = v[0] - '0';
		return 0;
	}
	seterr(err, errlen, "'%s' is not one of error, warn, info, debug",
	    q(v, qb, sizeof(qb)));
	return -1;
}

/* yes/true/on/1 or no/false/off/0. */
static int
parse_yesno(const char *v, int *ret, char *err, size_t errlen)
{
	char qb[QBUF];

	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
	    strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0) {
		*ret = 1;
	} else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
	    strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0) {
		*ret = 0;
	} else {
		seterr(err, errlen, "'%s' is not yes or no",
		    q(v, qb, sizeof(qb)));
		return -1;
	}
	return 0;
}

/* "UID", "UID:GID" or "none" (*uid -1); without a GID, *gid is -1
 * (the uid's login group, looked up when mapping). */
static int
parse_map(const char *v, long *uid, long *gid, char *err, size_t errlen)
{
	char qb[QBUF];
	char u[32];
	const char *colon = strchr(v, ':');
	size_t ul = colon != NULL ? (size_t) (colon - v) : strlen(v);
	unsigned long long n, m;

	if (strcmp(v, "none") == 0) {
		*uid = AXOND_MAPROOT_NONE;
		*gid = -1;
		return 0;
	}
	if (ul >= sizeof(u)) {
		goto bad;
	}
	memcpy(u, v, ul);
	u[ul] = '\0';
	if (parse_u64(u, &n) < 0 || n > (unsigned long long) AXOND_UID_MAX) {
		goto bad;
	}
	if (colon != NULL && (parse_u64(colon + 1, &m) < 0 ||
	    m > (unsigned long long) AXOND_UID_MAX)) {
		goto bad;
	}
	*uid = (long) n;
	*gid = colon != NULL ? (long) m : -1;
	return 0;
bad:
	seterr(err, errlen, "'%s' is not a uid, uid:gid (0 to %ld) or none",
	    q(v, qb, sizeof(qb)), AXOND_UID_MAX);
	return -1;
}

/* --discover: a numeric IPv4 address (a multicast group or a broadcast
 * address) and a port; names are not resolved here. */
static int
parse_discover(struct axond_addr *a, const char *v, char *err, size_t errlen)
{
	char qb[QBUF];
	struct axond_addr t;
	struct in_addr in;

	if (axond_parse_hostport(v, &t, err, errlen) < 0) {
		return -1;
	}
	if (inet_pton(AF_INET, t.host, &in) != 1 || in.s_addr == 0) {
		seterr(err, errlen, "'%s': expected an IPv4 multicast group or "
		    "broadcast address and a port (239.255.77.1:7788)",
		    q(v, qb, sizeof(qb)));
		return -1;
	}
	*a = t;
	return 0;
}

/* --metrics: [ADDR:]PORT, a numeric address (IPv6 in brackets) or
 * none for the loopback 127.0.0.1; "off" turns it off.  Names are not
 * resolved: the address must be one of this host's. */
static int
parse_metrics(struct axond_addr *a, const char *v, char *err, size_t errlen)
{
	char qb[QBUF];
	char buf[sizeof(a->host) + 16];
	struct axond_addr t;
	unsigned char ip[16];
	size_t n = strlen(v);

	if (strcmp(v, "off") == 0) {
		memset(a, 0, sizeof(*a));
		return 0;
	}
	if (n > 0 && n < 6 && strspn(v, "0123456789") == n) {
		snprintf(buf, sizeof(buf), "127.0.0.1:%s", v);
		v = buf;
	}
	if (axond_parse_hostport(v, &t, err, errlen) < 0) {
		return -1;
	}
	if (inet_pton(AF_INET, t.host, ip) != 1 &&
	    inet_pton(AF_INET6, t.host, ip) != 1) {
		seterr(err, errlen, "'%s': expected [ADDR:]PORT with a numeric "
		    "address (127.0.0.1:9477, [::1]:9477, 9477) or off",
		    q(v, qb, sizeof(qb)));
		return -1;
	}
	*a = t;
	return 0;
}

/* An interface name: 1 to 15 bytes, no '/', blank or control byte. */
static int
set_ifname(char *dst, size_t cap, const char *v, char *err, size_t errlen)
{
	char qb[QBUF];
	size_t n = strlen(v);

	if (n == 0 || n >= cap || strcmp(v, ".") == 0 ||
	    strcmp(v, "..") == 0) {
		goto bad;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char) v[i];

		if (c <= 0x20 || c >= 0x7f || c == '/' || c == ':') {
			goto bad;
		}
	}
	memcpy(dst, v, n + 1);
	return 0;
bad:
	seterr(err, errlen, "'%s' is not an interface name (1 to %zu "
	    "bytes)", q(v, qb, sizeof(qb)), cap - 1);
	return -1;
}

/* Applies one setting; the message in err (on -1) lacks the prefix that
 * says where the setting came from, which the caller adds. */
static int
apply(struct axond_config *cfg, int id, const char *v, int from_file,
    char *err, size_t errlen)
{
	unsigned long long n;

	switch (id) {
	case O_NODE:
		if (check_name(v, err, errlen) < 0) {
			return -1;
		}
		strcpy(cfg->node, v);
		return 0;
	case O_LISTEN:
		return add_listen(cfg, v, err, errlen);
	case O_PEER:
		return add_peer(cfg, v, from_file, err, errlen);
	case O_SECRET_FILE:
		return set_path(cfg->secret_file, sizeof(cfg->secret_file), v,
		    err, errlen);
	case O_READY_FILE:
		return set_path(cfg->ready_file, sizeof(cfg->ready_file), v,
		    err, errlen);
	case O_CERT:
		return set_path(cfg->tls_cert, sizeof(cfg->tls_cert), v, err,
		    errlen);
	case O_KEY:
		return set_path(cfg->tls_key, sizeof(cfg->tls_key), v, err,
		    errlen);
	case O_CA:
		return set_path(cfg->tls_ca, sizeof(cfg->tls_ca), v, err,
		    errlen);
	case O_INSECURE:
		cfg->tls = 0;
		return 0;
	case O_KEEPALIVE:
	case O_DEAD_AFTER:
	case O_CONNECT_TIMEOUT:
		if (parse_range(v, 1, AXOND_MS_MAX, &n, err, errlen) < 0) {
			return -1;
		}
		*(id == O_KEEPALIVE ? &cfg->keepalive_ms :
		    id == O_DEAD_AFTER ? &cfg->dead_after_ms :
		    &cfg->connect_timeout_ms) = (unsigned) n;
		return 0;
	case O_MAPROOT:
		return parse_map(v, &cfg->maproot, &cfg->maproot_gid, err,
		    errlen);
	case O_MAPANY:
		return parse_map(v, &cfg->mapany, &cfg->mapany_gid, err,
		    errlen);
	case O_USER_CONNS:
	case O_USER_COMMANDS:
	case O_USER_NAMES:
		if (parse_range(v, 1, AXOND_COUNT_MAX, &n, err, errlen) < 0) {
			return -1;
		}
		*(id == O_USER_CONNS ? &cfg->user_conns :
		    id == O_USER_COMMANDS ? &cfg->user_commands :
		    &cfg->user_names) = (unsigned) n;
		return 0;
	case O_CTL_IDLE:
		if (parse_range(v, 1, AXOND_MS_MAX, &n, err, errlen) < 0) {
			return -1;
		}
		cfg->ctl_idle_ms = (unsigned) n;
		return 0;
	case O_CTL_QUEUED:
		return parse_bytes(v, &cfg->ctl_queued, err, errlen);
	case O_CTL_QUEUED_TOTAL:
		return parse_bytes(v, &cfg->ctl_queued_total, err, errlen);
	case O_MAX_CONNS:
	case O_MAX_MSGS:
		if (parse_range(v, 1, AXOND_COUNT_MAX, &n, err, errlen) < 0) {
			return -1;
		}
		*(id == O_MAX_CONNS ? &cfg->max_conns_per_peer :
		    &cfg->max_msgs_in_flight) = (unsigned) n;
		return 0;
	case O_MAX_QUEUED:
		return parse_bytes(v, &cfg->max_queued_bytes, err, errlen);
	case O_READY_FD:
		if (parse_range(v, 0, INT_MAX, &n, err, errlen) < 0) {
			return -1;
		}
		cfg->ready_fd = (int) n;
		return 0;
	case O_REMOTE_SPAWN:
		return parse_yesno(v, &cfg->remote_spawn, err, errlen);
	case O_TLS:
		return parse_yesno(v, &cfg->tls, err, errlen);
	case O_FS:
		return parse_yesno(v, &cfg->fs, err, errlen);
	case O_NET_DIR:
		if (strcmp(v, "none") != 0 && v[0] != '/') {
			seterr(err, errlen, "not an absolute path (or none)");
			return -1;
		}
		return set_path(cfg->net_dir, sizeof(cfg->net_dir), v, err,
		    errlen);
	case O_FS_DEV_LINKS:
		if (strcmp(v, "none") != 0 && v[0] != '/') {
			seterr(err, errlen, "not an absolute path (or none)");
			return -1;
		}
		return set_path(cfg->fs_dev_links, sizeof(cfg->fs_dev_links),
		    v, err, errlen);
	case O_FS_DIR:
	case O_FS_PROGRAM:
		if (v[0] != '/') {
			seterr(err, errlen, "not an absolute path");
			return -1;
		}
		return id == O_FS_DIR ?
		    set_path(cfg->fs_dir, sizeof(cfg->fs_dir), v, err, errlen) :
		    set_path(cfg->fs_program, sizeof(cfg->fs_program), v, err,
			errlen);
	case O_NO_REMOTE_SPAWN:
		cfg->remote_spawn = 0;
		return 0;
	case O_DISCOVER:
		return parse_discover(&cfg->discover, v, err, errlen);
	case O_DISCOVER_IF:
		return set_ifname(cfg->discover_if, sizeof(cfg->discover_if),
		    v, err, errlen);
	case O_DISCOVER_INTERVAL:
	case O_DISCOVER_TIMEOUT:
		if (parse_range(v, AXOND_DISCOVER_INTERVAL_MIN, AXOND_MS_MAX,
			&n, err, errlen) < 0) {
			return -1;
		}
		*(id == O_DISCOVER_INTERVAL ? &cfg->discover_interval_ms :
		    &cfg->discover_timeout_ms) = (unsigned) n;
		return 0;
	case O_DISCOVER_INSECURE:
		return parse_yesno(v, &cfg->discover_insecure, err, errlen);
	case O_METRICS:
		return parse_metrics(&cfg->metrics, v, err, errlen);
	case O_LOG_LEVEL:
		return parse_level(v, &cfg->log_level, err, errlen);
	default:
		seterr(err, errlen, "not a setting");
		return -1;
	}
}

static const struct option *
find_key(const char *key)
{
	for (const struct option *o = longopts; o->name != NULL; o++) {
		if (o->val >= O_NODE && o->val <= O_LOG_LEVEL &&
		    strcmp(o->name, key) == 0) {
			return o;
		}
	}
	return NULL;
}

/* One line of a file, already cut at its end: "key value", a comment or
 * blank.  '#' starts a comment at the start of the line or after a blank,
 * so that a path may still contain one. */
static int
file_line(struct axond_config *cfg, char *line, const char *path, long ln,
    char *err, size_t errlen)
{
	char qp[QBUF], qb[QBUF];
	char msg[512];
	char *key, *v, *e;
	const struct option *o;

	for (e = line; *e != '\0'; e++) {
		if (*e == '#' && (e == line || *(e - 1) == ' ' ||
		    *(e - 1) == '\t')) {
			*e = '\0';
			break;
		}
	}
	while (e > line && isspace((unsigned char) *(e - 1))) {
		*--e = '\0';
	}
	key = line + strspn(line, " \t");
	if (*key == '\0') {
		return 0;
	}
	v = key + strcspn(key, " \t");
	if (*v != '\0') {
		*v++ = '\0';
		v += strspn(v, " \t");
	}
	o = find_key(key);
	if (o == NULL) {
		seterr(err, errlen, "%s:%ld: unknown key '%s'%s",
		    q(path, qp, sizeof(qp)), ln, q(key, qb, sizeof(qb)),
		    strcmp(key, "config") == 0 ?
		    " (a file cannot include another)" : "");
		return -1;
	}
	if (*v == '\0') {
		seterr(err, errlen, "%s:%ld: %s needs a value",
		    q(path, qp, sizeof(qp)), ln, key);
		return -1;
	}
	if (apply(cfg, o->val, v, 1, msg, sizeof(msg)) < 0) {
		seterr(err, errlen, "%s:%ld: %s: %s", q(path, qp, sizeof(qp)),
		    ln, key, msg);
		return -1;
	}
	return 0;
}

int
axond_config_load_stream(struct axond_config *cfg, FILE *f,
    const char *path, char *err, size_t errlen)
{
	char qp[QBUF];
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long ln = 0;
	int rc = 0;

	errno = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		ln++;
		if (n > LINE_MAX_LEN) {
			seterr(err, errlen, "%s:%ld: line longer than %d bytes",
			    q(path, qp, sizeof(qp)), ln, LINE_MAX_LEN);
			rc = -1;
			break;
		}
		if (n > 0 && line[n - 1] == '\n') {
			line[--n] = '\0';
		}
		if (strlen(line) != (size_t) n) {
			seterr(err, errlen, "%s:%ld: NUL byte in line",
			    q(path, qp, sizeof(qp)), ln);
			rc = -1;
			break;
		}
		if (file_line(cfg, line, path, ln, err, errlen) < 0) {
			rc = -1;
			break;
		}
		errno = 0;
	}
	if (rc == 0 && ferror(f)) {
		seterr(err, errlen, "%s: %s", q(path, qp, sizeof(qp)),
		    strerror(errno != 0 ? errno : EIO));
		rc = -1;
	}
	free(line);
	return rc;
}

int
axond_config_load_file(struct axond_config *cfg, const char *path,
    char *err, size_t errlen)
{
	char qp[QBUF];
	struct stat st;
	int rc;
	FILE *f = fopen(path, "re");

	if (f == NULL) {
		seterr(err, errlen, "%s: %s", q(path, qp, sizeof(qp)),
		    strerror(errno));
		return -1;
	}
	/* A directory opens fine and then fails to read with EISDIR; say
	 * what is wrong instead. */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		seterr(err, errlen, "%s: is a directory", q(path, qp,
		    sizeof(qp)));
		fclose(f);
		return -1;
	}
	rc = axond_config_load_stream(cfg, f, path, err, errlen);
	fclose(f);
	return rc;
}

/* Names the option getopt_long just rejected: argv[optind - 1] for a long
 * option, optopt for a short one (which may sit inside a cluster). */
static void
opt_error(int c, char **argv, char *err, size_t errlen)
{
	char qb[QBUF];
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	int is_long = strncmp(arg, "--", 2) == 0;

	if (c == ':') {
		if (is_long) {
			seterr(err, errlen, "option '%s' needs a value",
			    q(arg, qb, sizeof(qb)));
		} else {
			seterr(err, errlen, "option '-%c' needs a value",
			    optopt);
		}
	} else if (is_long || optopt == 0) {
		/* Cut "--foo=bar" at '=': the value is not the problem,
		 * unless the option takes none (then glibc sets optopt). */
		char name[QBUF];

		q(arg, name, sizeof(name));
		name[strcspn(name, "=")] = '\0';
		seterr(err, errlen, is_long && optopt != 0 ?
		    "option '%s' takes no value" :
		    "unknown or ambiguous option '%s'", name);
	} else if (isprint(optopt)) {
		seterr(err, errlen, "unknown option '-%c'", optopt);
	} else {
		seterr(err, errlen, "unknown option");
	}
}

static const char *
opt_name(int id)
{
	for (const struct option *o = longopts; o->name != NULL; o++) {
		if (o->val == id) {
			return o->name;
		}
	}
	return "?";
}

int
axond_config_parse(struct axond_config *cfg, int argc, char **argv,
    char *err, size_t errlen)
{
	char msg[512];
	char qb[QBUF];
	const char *config = NULL;
	int verbose = 0;
	int c;

	axond_config_defaults(cfg);
	/* Pass 1: syntax, --help/--version and --config, which must be
	 * loaded before the options it is overridden by.  optind = 0 makes
	 * glibc start over completely, forgetting a previous scan. */
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case O_HELP:
			axond_config_usage(stdout);
			return 1;
		case O_VERSION:
			printf("axond (Axon) %s\n", AXON_VERSION);
			return 1;
		case O_CONFIG:
			if (config != NULL) {
				seterr(err, errlen, "--config given twice");
				return -1;
			}
			config = optarg;
			break;
		case '?':
		case ':':
			opt_error(c, argv, err, errlen);
			return -1;
		default:
			break;
		}
	}
	if (optind < argc) {
		seterr(err, errlen, "unexpected argument '%s'",
		    q(argv[optind], qb, sizeof(qb)));
		return -1;
	}
	if (config != NULL &&
	    axond_config_load_file(cfg, config, err, errlen) < 0) {
		return -1;
	}
	/* Pass 2: the other options, in order, on top of the file.  argv
	 * is already permuted, so this scan sees the same options. */
	optind = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case O_CONFIG:
			break;
		case O_VERBOSE:
			verbose++;
			break;
		case '?':
		case ':':
			opt_error(c, argv, err, errlen);
			return -1;
		default:
			if (apply(cfg, c, optarg, 0, msg, sizeof(msg)) < 0) {
				seterr(err, errlen, "--%s: %s", opt_name(c),
				    msg);
				return -1;
			}
			break;
		}
	}
	cfg->log_level += verbose;
	if (cfg->log_level > AXOND_LOG_DEBUG) {
		cfg->log_level = AXOND_LOG_DEBUG;
	}
	return 0;
}

/* Sessions are TLS keyed by the secret or by certificates (all three
 * files), or --insecure with none of the certificate files. */
static int
validate_tls(const struct axond_config *cfg, char *err, size_t errlen)
{
	int ncert = (cfg->tls_cert[0] != '\0') + (cfg->tls_key[0] != '\0') +
	    (cfg->tls_ca[0] != '\0');

	if (cfg->tls != 0 && cfg->tls != 1) {
		seterr(err, errlen, "tls %d is not 0 or 1", cfg->tls);
		return -1;
	}
	if (!cfg->tls && ncert > 0) {
		seterr(err, errlen, "cert, key and ca need TLS (not "
		    "--insecure)");
		return -1;
	}
	if (ncert != 0 && ncert != 3) {
		seterr(err, errlen, "cert, key and ca go together: give all "
		    "three");
		return -1;
	}
	if (cfg->tls && ncert == 0 && cfg->secret_file[0] == '\0') {
		seterr(err, errlen, "TLS needs a secret file, or cert, key "
		    "and ca (or --insecure for plain TCP)");
		return -1;
	}
	return 0;
}

/* Discovery, if on: its address, times, and a key to sign with. */
static int
validate_discover(const struct axond_config *cfg, char *err, size_t errlen)
{
	struct in_addr in;

	if (memchr(cfg->discover.host, '\0', sizeof(cfg->discover.host)) ==
	    NULL || memchr(cfg->discover_if, '\0',
	    sizeof(cfg->discover_if)) == NULL) {
		seterr(err, errlen, "discover: not terminated");
		return -1;
	}
	if (cfg->discover_insecure != 0 && cfg->discover_insecure != 1) {
		seterr(err, errlen, "discover-insecure %d is not 0 or 1",
		    cfg->discover_insecure);
		return -1;
	}
	if (cfg->discover.host[0] == '\0') {
		return 0;
	}
	if (inet_pton(AF_INET, cfg->discover.host, &in) != 1 ||
	    in.s_addr == 0) {
		seterr(err, errlen, "discover: not an IPv4 address");
		return -1;
	}
	if (cfg->discover_interval_ms < AXOND_DISCOVER_INTERVAL_MIN ||
	    cfg->discover_interval_ms > AXOND_MS_MAX ||
	    cfg->discover_timeout_ms > AXOND_MS_MAX ||
	    cfg->discover_timeout_ms <= 2 * cfg->discover_interval_ms) {
		seterr(err, errlen, "discover-timeout (%u ms) must be longer "
		    "than twice discover-interval (%u ms), which is at least "
		    "%u ms", cfg->discover_timeout_ms,
		    cfg->discover_interval_ms, AXOND_DISCOVER_INTERVAL_MIN);
		return -1;
	}
	if (cfg->secret_file[0] == '\0' && !cfg->discover_insecure) {
		seterr(err, errlen, "discover needs a secret file to "
		    "authenticate announcements (--secret-file); without one "
		    "anyone on the LAN could announce nodes: give "
		    "--discover-insecure yes to accept that");
		return -1;
	}
	return 0;
}

/* A mapping: off (-1, gid -1), or a uid and a gid (or -1). */
static int
check_map(const char *what, long uid, long gid, char *err, size_t errlen)
{
	if (uid == AXOND_MAPROOT_NONE && gid == -1) {
		return 0;
	}
	if (uid < 0 || uid > AXOND_UID_MAX || gid < -1 ||
	    gid > AXOND_UID_MAX) {
		seterr(err, errlen, "%s %ld:%ld is not a uid and gid", what,
		    uid, gid);
		return -1;
	}
	return 0;
}

int
axond_config_validate(const struct axond_config *cfg, char *err,
    size_t errlen)
{
	char qb[QBUF];

	if (cfg->node[0] == '\0') {
		seterr(err, errlen, "no node name (--node NAME)");
		return -1;
	}
	if (!axond_name_valid(cfg->node)) {
		seterr(err, errlen, "'%s' is not a node name",
		    q(cfg->node, qb, sizeof(qb)));
		return -1;
	}
	if (cfg->nlisten < 1 || cfg->nlisten > AXOND_MAX_LISTEN) {
		seterr(err, errlen, cfg->nlisten < 1 ?
		    "no listen address (--listen HOST:PORT)" :
		    "too many listen addresses");
		return -1;
	}
	for (int i = 0; i < cfg->nlisten; i++) {
		for (int j = 0; j < i; j++) {
			if (addr_eq(&cfg->listen[i], &cfg->listen[j])) {
				seterr(err, errlen, "listen address %s port %s "
				    "given twice", q(cfg->listen[i].host, qb,
				    sizeof(qb)), cfg->listen[i].port);
				return -1;
			}
		}
	}
	if (cfg->npeers < 0 || cfg->npeers > AXOND_MAX_PEERS) {
		seterr(err, errlen, "too many peers");
		return -1;
	}
	for (int i = 0; i < cfg->npeers; i++) {
		const struct axond_peer *p = &cfg->peer[i];

		if (!axond_name_valid(p->name)) {
			seterr(err, errlen, "'%s' is not a peer name",
			    q(p->name, qb, sizeof(qb)));
			return -1;
		}
		if (strcmp(p->name, cfg->node) == 0) {
			seterr(err, errlen, "peer '%s' has this node's own "
			    "name", p->name);
			return -1;
		}
		for (int j = 0; j < i; j++) {
			if (strcmp(cfg->peer[j].name, p->name) == 0) {
				seterr(err, errlen, "peer '%s' given twice",
				    p->name);
				return -1;
			}
			/* One address is one axond, so one node: two names
			 * for it would be two sessions to the same node. */
			if (addr_eq(&cfg->peer[j].addr, &p->addr)) {
				seterr(err, errlen, "peers '%s' and '%s' have "
				    "the same address", cfg->peer[j].name,
				    p->name);
				return -1;
			}
		}
	}
	if (cfg->keepalive_ms < 1 || cfg->keepalive_ms > AXOND_MS_MAX ||
	    cfg->dead_after_ms < 1 || cfg->dead_after_ms > AXOND_MS_MAX ||
	    cfg->connect_timeout_ms < 1 ||
	    cfg->connect_timeout_ms > AXOND_MS_MAX) {
		seterr(err, errlen, "times must be from 1 to %u ms",
		    AXOND_MS_MAX);
		return -1;
	}
	/* A peer must have a chance to answer a PING before it is given
	 * up on; equal values would declare it down as the PING leaves. */
	if (cfg->dead_after_ms <= cfg->keepalive_ms) {
		seterr(err, errlen, "dead-after (%u ms) must be longer than "
		    "keepalive (%u ms)", cfg->dead_after_ms,
		    cfg->keepalive_ms);
		return -1;
	}
	if (check_map("maproot", cfg->maproot, cfg->maproot_gid, err,
	    errlen) < 0 ||
	    check_map("mapany", cfg->mapany, cfg->mapany_gid, err,
	    errlen) < 0) {
		return -1;
	}
	if (cfg->user_conns < 1 || cfg->user_conns > AXOND_COUNT_MAX ||
	    cfg->user_commands < 1 || cfg->user_commands > AXOND_COUNT_MAX ||
	    cfg->user_names < 1 || cfg->user_names > AXOND_COUNT_MAX) {
		seterr(err, errlen, "user-conns, user-commands and user-names "
		    "must be from 1 to %u", AXOND_COUNT_MAX);
		return -1;
	}
	if (cfg->ctl_idle_ms < 1 || cfg->ctl_idle_ms > AXOND_MS_MAX) {
		seterr(err, errlen, "ctl-idle must be from 1 to %u ms",
		    AXOND_MS_MAX);
		return -1;
	}
	if (cfg->ctl_queued < AXOND_QUEUED_MIN ||
	    cfg->ctl_queued > AXOND_QUEUED_MAX ||
	    cfg->ctl_queued_total < AXOND_QUEUED_MIN ||
	    cfg->ctl_queued_total > AXOND_QUEUED_MAX) {
		seterr(err, errlen, "ctl-queued and ctl-queued-total must be "
		    "from 1M to 1T");
		return -1;
	}
	/* One connection could never have its share otherwise. */
	if (cfg->ctl_queued > cfg->ctl_queued_total) {
		seterr(err, errlen, "ctl-queued (%llu) must not exceed "
		    "ctl-queued-total (%llu)", cfg->ctl_queued,
		    cfg->ctl_queued_total);
		return -1;
	}
	if (cfg->max_conns_per_peer < 1 ||
	    cfg->max_conns_per_peer > AXOND_COUNT_MAX ||
	    cfg->max_msgs_in_flight < 1 ||
	    cfg->max_msgs_in_flight > AXOND_COUNT_MAX) {
		seterr(err, errlen, "max-conns and max-msgs must be from 1 "
		    "to %u", AXOND_COUNT_MAX);
		return -1;
	}
	if (cfg->max_queued_bytes < AXOND_QUEUED_MIN ||
	    cfg->max_queued_bytes > AXOND_QUEUED_MAX) {
		seterr(err, errlen, "max-queued must be from 1M to 1T");
		return -1;
	}
	if (cfg->ready_fd < -1) {
		seterr(err, errlen, "ready-fd %d is not a descriptor",
		    cfg->ready_fd);
		return -1;
	}
	if (cfg->fs != 0 && cfg->fs != 1) {
		seterr(err, errlen, "fs %d is not 0 or 1", cfg->fs);
		return -1;
	}
	if (cfg->remote_spawn != 0 && cfg->remote_spawn != 1) {
		seterr(err, errlen, "remote-spawn %d is not 0 or 1",
		    cfg->remote_spawn);
		return -1;
	}
	if (cfg->log_level < AXOND_LOG_ERROR ||
	    cfg->log_level > AXOND_LOG_DEBUG) {
		seterr(err, errlen, "log level %d out of range",
		    cfg->log_level);
		return -1;
	}
	if (validate_discover(cfg, err, errlen) < 0) {
		return -1;
	}
	if (memchr(cfg->secret_file, '\0', sizeof(cfg->secret_file)) == NULL ||
	    memchr(cfg->ready_file, '\0', sizeof(cfg->ready_file)) == NULL ||
	    memchr(cfg->tls_cert, '\0', sizeof(cfg->tls_cert)) == NULL ||
	    memchr(cfg->tls_key, '\0', sizeof(cfg->tls_key)) == NULL ||
	    memchr(cfg->tls_ca, '\0', sizeof(cfg->tls_ca)) == NULL ||
	    memchr(cfg->fs_dir, '\0', sizeof(cfg->fs_dir)) == NULL ||
	    memchr(cfg->fs_program, '\0', sizeof(cfg->fs_program)) == NULL ||
	    memchr(cfg->net_dir, '\0', sizeof(cfg->net_dir)) == NULL ||
	    memchr(cfg->fs_dev_links, '\0', sizeof(cfg->fs_dev_links)) ==
		NULL) {
		seterr(err, errlen, "path not terminated");
		return -1;
	}
	return validate_tls(cfg, err, errlen);
}

/*
 * Opens a file that holds a key (what: "secret file", "key file") and
 * checks it: a regular file, no access for group or others, owned by
 * this user or root (whoever owns it can change the key).  Reads up to
 * cap bytes into buf.  Returns the length, or -1 with err set.
 */
static long
private_read(const char *path, const char *what, unsigned char *buf,
    size_t cap, char *err, size_t errlen)
{
	char qp[QBUF];
	struct stat st;
	size_t len = 0;
	int fd;

	q(path, qp, sizeof(qp));
	/* O_NONBLOCK: a FIFO planted at the path must not hang the open;
	 * it is refused below as not a regular file. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		seterr(err, errlen, "%s %s: %s", what, qp, strerror(errno));
		return -1;
	}
	/* fstat of the open descriptor: what is checked is what is read. */
	if (fstat(fd, &st) < 0) {
		seterr(err, errlen, "%s %s: %s", what, qp, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, errlen, "%s %s: not a regular file", what, qp);
		goto fail;
	}
	if ((st.st_mode & 077) != 0) {
		seterr(err, errlen, "%s %s: mode %04o gives group or "
		    "others access; chmod 600 it", what, qp,
		    (unsigned) (st.st_mode & 07777));
		goto fail;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		seterr(err, errlen, "%s %s: owned by uid %u, neither "
		    "this user nor root", what, qp, (unsigned) st.st_uid);
		goto fail;
	}
	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			seterr(err, errlen, "%s %s: %s", what, qp,
			    strerror(errno));
			goto fail;
		}
		if (n == 0) {
			break;
		}
		len += (size_t) n;
	}
	close(fd);
	return (long) len;
fail:
	close(fd);
	return -1;
}

long
axond_key_load(const char *path, unsigned char *buf, size_t cap,
    char *err, size_t errlen)
{
	char qp[QBUF];
	long len = private_read(path, "key file", buf, cap, err, errlen);

	q(path, qp, sizeof(qp));
	if (len == 0) {
		seterr(err, errlen, "key file %s: empty", qp);
		return -1;
	}
	if (len > 0 && (size_t) len == cap) {
		seterr(err, errlen, "key file %s: longer than %zu bytes", qp,
		    cap - 1);
		return -1;
	}
	return len;
}

int
axond_secret_load(const char *path, unsigned char *buf, size_t cap,
    char *err, size_t errlen)
{
	char qp[QBUF];
	/* One byte more than allowed plus a newline, to tell "too long"
	 * from "exactly the limit". */
	unsigned char tmp[AXOND_SECRET_MAX + 2];
	long got = private_read(path, "secret file", tmp, sizeof(tmp), err,
	    errlen);
	size_t len;
	int fd = -1;

	q(path, qp, sizeof(qp));
	if (got < 0) {
		goto fail;
	}
	len = (size_t) got;
	if (len > 0 && tmp[len - 1] == '\n') {
		len--;
	}
	if (len == 0) {
		seterr(err, errlen, "secret file %s: empty", qp);
		goto fail;
	}
	if (len > AXOND_SECRET_MAX) {
		seterr(err, errlen, "secret file %s: longer than %d bytes", qp,
		    AXOND_SECRET_MAX);
		goto fail;
	}
	if (len > cap) {
		seterr(err, errlen, "secret file %s: longer than %zu bytes",
		    qp, cap);
		goto fail;
	}
	memcpy(buf, tmp, len);
	explicit_bzero(tmp, sizeof(tmp));
	return (int) len;
fail:
	explicit_bzero(tmp, sizeof(tmp));
	if (fd >= 0) {
		close(fd);
	}
	return -1;
}
