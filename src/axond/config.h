/* SPDX-License-Identifier: MIT */
/*
 * axond's configuration: defaults, the command line, the configuration
 * file, the checks that tie them together and the cluster secret.
 *
 * Nothing here opens a socket or resolves a name: host names are checked
 * for their syntax only, so that a configuration can be validated before
 * the network is up.  Every error comes back as one line in err (never
 * printed here), so that main() decides where it goes.
 */
#ifndef AXON_AXOND_CONFIG_H
#define AXON_AXOND_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#define AXOND_NAME_MAX   63 /* node names: [A-Za-z0-9_-]{1,63} */
#define AXOND_MAX_PEERS  64
#define AXOND_MAX_LISTEN 8
#define AXOND_SECRET_MAX 4096 /* bytes of cluster secret, newline stripped */

/* Defaults (also in examples/axond.conf and axond(8): keep them in step). */
#define AXOND_DEF_KEEPALIVE_MS       1000u
#define AXOND_DEF_DEAD_AFTER_MS      4000u
#define AXOND_DEF_CONNECT_TIMEOUT_MS 2000u
#define AXOND_DEF_MAPROOT            65534L
#define AXOND_DEF_MAX_CONNS          4096u
#define AXOND_DEF_MAX_MSGS           16384u
#define AXOND_DEF_MAX_QUEUED         (64ull << 20)
#define AXOND_DEF_MAPANY             (-1L) /* off */
/* Discovery (off unless --discover): announce every interval to 2x it
 * (after a first few at 1 s); a discovered node silent for timeout is
 * dropped unless a session with it is up; announcements whose stamp is
 * further than the window from our clock are stale. */
#define AXOND_DEF_DISCOVER_INTERVAL_MS 5000u
#define AXOND_DEF_DISCOVER_TIMEOUT_MS  30000u
#define AXOND_DISCOVER_WINDOW_MS       30000u
#define AXOND_DISCOVER_INTERVAL_MIN    100u

/*
 * Fair shares of this node's axond among its local users (axond(8),
 * "Per-user shares").  Each cap is per uid and root (uid 0) is exempt
 * from it: one user, however many processes it runs, cannot take what
 * the others need, and root can always look and act.
 *
 *   user_conns        control connections (axond.sock) a uid holds at
 *                     once; one more is accepted and closed at once.
 *   ctl_idle_ms       a control connection with nothing in flight (no
 *                     request, no answer being written, no command) is
 *                     closed after this much silence; root's too.
 *   user_commands     commands (`axon on`) running as a uid at once;
 *                     a command of a remote caller counts as the uid it
 *                     runs as here (after --maproot/--mapany).
 *   user_names        global names of a uid this node publishes (by the
 *                     owner of the registry entry); more are ignored,
 *                     logged once.
 *   ctl_queued        answer bytes (ps, nodes) held for one control
 *                     connection; a request beyond it gets EAGAIN.
 *   ctl_queued_total  the same, summed over every non-root connection.
 */
#define AXOND_DEF_USER_CONNS         16u
#define AXOND_DEF_CTL_IDLE_MS        30000u
#define AXOND_DEF_USER_COMMANDS      16u
#define AXOND_DEF_USER_NAMES         1024u
#define AXOND_DEF_CTL_QUEUED         (8ull << 20)
#define AXOND_DEF_CTL_QUEUED_TOTAL   (64ull << 20)

/* Accepted ranges.  Times are capped at a day so that sums of them (a
 * deadline is now + dead_after) cannot overflow; counts are capped so
 * that tables sized by them stay allocatable. */
#define AXOND_MS_MAX         86400000u
#define AXOND_COUNT_MAX      1048576u
#define AXOND_QUEUED_MIN     (1ull << 20) /* well above one maximal frame */
#define AXOND_QUEUED_MAX     (1ull << 40)
#define AXOND_MAPROOT_NONE   (-1L)        /* keep remote root as root */
#define AXOND_UID_MAX        4294967294L  /* (uid_t) -1 is no uid */

enum axond_log_level {
	AXOND_LOG_ERROR,
	AXOND_LOG_WARN,
	AXOND_LOG_INFO,
	AXOND_LOG_DEBUG,
};

/* host is a name, an IPv4 address or an IPv6 address without brackets
 * (possibly with a %zone); port is decimal, 1 to 65535. */
struct axond_addr {
	char host[256];
	char port[8];
};

struct axond_peer {
	char name[AXOND_NAME_MAX + 1];
	struct axond_addr addr;
};

struct axond_config {
	char node[AXOND_NAME_MAX + 1];
	struct axond_addr listen[AXOND_MAX_LISTEN];
	int nlisten;
	struct axond_peer peer[AXOND_MAX_PEERS];
	int npeers;
	/* The cluster secret.  With TLS, it keys the sessions (unless
	 * certificates do); with --insecure, "" means an empty key, which
	 * anyone can compute (tests on one machine only). */
	char secret_file[4096];
	/* 1 (default): sessions are TLS 1.3, keyed from the secret or, if
	 * tls_cert is set, from certificates (tls_cert, tls_key and tls_ca
	 * all set, PEM files).  0: --insecure, plain TCP. */
	int tls;
	char tls_cert[4096];
	char tls_key[4096];
	char tls_ca[4096];
	unsigned keepalive_ms;       /* PING after this much silence */
	unsigned dead_after_ms;      /* peer down after this much silence */
	unsigned connect_timeout_ms; /* TCP connect plus HELLO/AUTH */
	/*
	 * Remote identities (axd_map_cred(), one policy for messages and
	 * commands).  mapany >= 0: every remote user becomes mapany and
	 * mapany_gid, with that one gid as its only supplementary group;
	 * maproot is then unused.  Otherwise, if maproot >= 0: each remote
	 * uid that is 0 becomes maproot and each gid that is 0 (real,
	 * effective, saved, supplementary) becomes maproot_gid, whatever
	 * the uid.  A gid of -1 means the login group of the uid (looked
	 * up when mapping; the uid itself if it has no passwd entry).
	 */
	long maproot;                /* uid remote root maps to, or -1 */
	long maproot_gid;            /* gid remote gid 0 maps to, or -1 */
	long mapany;                 /* uid every remote user maps to, or -1 */
	long mapany_gid;             /* or -1 */
	/* per-user shares: see AXOND_DEF_USER_CONNS */
	unsigned user_conns;
	unsigned ctl_idle_ms;
	unsigned user_commands;
	unsigned user_names;
	unsigned long long ctl_queued;
	unsigned long long ctl_queued_total;
	unsigned max_conns_per_peer;
	unsigned max_msgs_in_flight; /* per peer */
	unsigned long long max_queued_bytes; /* per peer */
	int remote_spawn;            /* 1: peers may run commands here */
	int fs;                      /* 1: run and supervise axon-fs(8) */
	char fs_dir[4096];           /* its mount point; "": $AXON_RUNDIR/fs */
	char fs_program[4096];       /* "": axon-fs next to axond */
	char net_dir[4096];          /* axon-fs's net directory; "": its
				      * default (/net for root on /run/axon,
				      * else $AXON_RUNDIR/net); "none" */
	char fs_dev_links[4096];     /* axon-fs --dev-links: "": its default
				      * (/ for root on /run/axon, else
				      * none); "none"; or the root */
	/*
	 * Discovery: off while discover.host is "".  Else an IPv4 address
	 * and port: a multicast group (224.0.0.0/4), joined and sent to,
	 * or any other address, sent to with SO_BROADCAST (a broadcast
	 * address).  discover_if names the interface ("": the kernel's
	 * choice).  Without a secret file discovery is refused unless
	 * discover_insecure (anyone on the LAN could then announce nodes).
	 */
	struct axond_addr discover;
	char discover_if[16];
	unsigned discover_interval_ms;
	unsigned discover_timeout_ms; /* > 2 * discover_interval_ms */
	int discover_insecure;
	/* Prometheus counters (metrics.c): served over HTTP on this
	 * numeric address and port; off while metrics.host is "". */
	struct axond_addr metrics;
	int ready_fd;                /* -1: none */
	char ready_file[4096];       /* "": none */
	int log_level;               /* enum axond_log_level */
};

/* Fills cfg with the defaults: no node, no listen address, no peers, no
 * secret, the AXOND_DEF_* values, no readiness report, log level info. */
void axond_config_defaults(struct axond_config *cfg);

/*
 * Sets cfg from the defaults, then the file of --config (wherever it
 * appears on the command line), then the other options in order: scalars
 * override the file, --listen and --peer add to its lists, each -v
 * raises the resulting log level by one.  Returns 0; 1 if --help or
 * --version was handled (text printed to stdout); -1 with a one-line
 * message in err.  Does NOT call axond_config_validate(): the caller
 * does, after parsing.  argv may be permuted (getopt_long); the parser
 * resets getopt's state, so it can be called more than once.
 */
int axond_config_parse(struct axond_config *cfg, int argc, char **argv,
    char *err, size_t errlen);

/* Applies the file at path on top of cfg (scalars override, lists add).
 * Errors are "path:line: ...".  Returns 0 or -1. */
int axond_config_load_file(struct axond_config *cfg, const char *path,
    char *err, size_t errlen);

/* The same for an open stream, whose lines are read to its end; path
 * only names it in errors (the fuzzer feeds fmemopen streams).  Does not
 * close f. */
int axond_config_load_stream(struct axond_config *cfg, FILE *f,
    const char *path, char *err, size_t errlen);

/* Checks a complete configuration: node set and well-formed, at least
 * one listen address and no duplicate, peers well-formed, unique by name
 * and address and not named like the node, dead_after > keepalive, every
 * value in range; with TLS, a secret file or all of cert, key and CA
 * (never some of them); without TLS, none of them.  Discovery: a numeric
 * IPv4 address other than 0.0.0.0, timeout > 2 * interval, and a secret
 * file unless discover_insecure.  Returns 0 or -1. */
int axond_config_validate(const struct axond_config *cfg, char *err,
    size_t errlen);

/* "127.0.0.1:7000", "[::1]:7000", "[fe80::1%eth0]:7000", "host:7000";
 * IPv6 needs brackets, the port is 1 to 65535.  Returns 0 or -1. */
int axond_parse_hostport(const char *s, struct axond_addr *ret, char *err,
    size_t errlen);

/* 1 if s is a valid node name ([A-Za-z0-9_-]{1,63}), else 0. */
int axond_name_valid(const char *s);

/*
 * Reads the cluster secret from path into buf.  Refuses a file that is
 * not a regular file, that is readable or writable by group or others
 * (mode & 077), that belongs to neither the effective uid nor root, that
 * is empty or longer than AXOND_SECRET_MAX bytes (after one trailing
 * newline is stripped) or than cap.  Returns the length, or -1 with err
 * set.
 */
int axond_secret_load(const char *path, unsigned char *buf, size_t cap,
    char *err, size_t errlen);

/*
 * Reads a private key file (--key) into buf, with the secret file's
 * checks (regular file, mode & 077 == 0, owned by the effective uid or
 * root).  Refuses an empty file or one of cap bytes or more.  Returns
 * the length, or -1 with err set.
 */
long axond_key_load(const char *path, unsigned char *buf, size_t cap,
    char *err, size_t errlen);

/* The --help text, for main()'s usage errors too. */
void axond_config_usage(FILE *out);

#endif /* AXON_AXOND_CONFIG_H */
