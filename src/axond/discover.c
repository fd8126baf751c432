/* SPDX-License-Identifier: MIT */
/*
 * LAN discovery (discover.h): announcing this node and adding the nodes
 * heard.  An announcement is accepted only if it decodes, its MAC is
 * right (the cluster's key), its stamp is within the freshness window of
 * our clock and newer than the last one of that node (so a recorded one
 * replayed, from anywhere, changes nothing), and it names a valid node
 * other than this one.  Statically configured peers are never changed by
 * it: discovery adds nodes, it does not move the operator's.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "announce.h"
#include "axond.h"
#include "discover.h"
#include "session.h"
#include "module.h"

/* Discovered nodes this node keeps (beyond them, announcements of new
 * ones are ignored and logged): a bound on what a member of the cluster
 * can make us allocate. */
#define DISC_MAX_PEERS 1024
/* Announcements sent every second at start, before the slower pace. */
#define DISC_FAST 5

static int disc_fd = -1;
static uint8_t disc_key[32];
static struct sockaddr_in disc_dst;
static uint64_t disc_nonce;
static uint64_t disc_last_stamp;
static uint64_t disc_next;      /* monotonic ns of the next announcement */
static unsigned disc_sent;
static uint64_t disc_rng;
static int disc_send_err;       /* last sendto error logged, 0 if none */
static unsigned disc_npeers;
static uint64_t disc_warned;    /* when a rejection was last warned of */
static unsigned long disc_rejected;

static uint64_t
realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* xorshift64*: jitter only, seeded from the random nonce. */
static uint64_t
rnd(void)
{
	disc_rng ^= disc_rng >> 12;
	disc_rng ^= disc_rng << 25;
	disc_rng ^= disc_rng >> 27;
	return disc_rng * 0x2545f4914f6cdd1dull;
}

/* The delay before the next announcement: DISC_FAST at about a second
 * (or the interval, if shorter), then the interval to twice it. */
static uint64_t
next_delay(void)
{
	uint64_t iv = (uint64_t) g.cfg.discover_interval_ms * 1000000u;

	if (disc_sent < DISC_FAST) {
		uint64_t fast = iv < 1000000000u ? iv : 1000000000u;

		return fast - fast / 10 + rnd() % (fast / 5 + 1);
	}
	return iv + rnd() % (iv + 1);
}

int
axd_disc_start(char *err, size_t errlen)
{
	const struct axond_config *c = &g.cfg;
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = AXD_TAG_DISC};
	struct sockaddr_in sa = {.sin_family = AF_INET};
	unsigned ifindex = 0;
	int one = 1, zero = 0;
	bool mcast;

	if (c->discover.host[0] == '\0') {
		return 0;
	}
	if (inet_pton(AF_INET, c->discover.host, &disc_dst.sin_addr) != 1) {
		snprintf(err, errlen, "discover %s: not an IPv4 address",
		    c->discover.host);
		return -1;
	}
	disc_dst.sin_family = AF_INET;
	disc_dst.sin_port = htons((uint16_t) atoi(c->discover.port));
	mcast = IN_MULTICAST(ntohl(disc_dst.sin_addr.s_addr));
	if (c->discover_if[0] != '\0') {
		ifindex = if_nametoindex(c->discover_if);
		if (ifindex == 0) {
			snprintf(err, errlen, "discover-if %s: %s",
			    c->discover_if, strerror(errno));
			return -1;
		}
	}
	axd_ann_key(g.secret, g.secret_len, disc_key);
	if (getrandom(&disc_nonce, sizeof(disc_nonce), 0) !=
	    sizeof(disc_nonce)) {
		disc_nonce = axd_now() ^ ((uint64_t) getpid() << 32);
	}
	disc_rng = disc_nonce | 1;
	disc_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (disc_fd < 0) {
		snprintf(err, errlen, "discover: socket: %s", strerror(errno));
		return -1;
	}
	/* Several nodes of one host share the port: each gets every
	 * datagram sent to the group or broadcast. */
	(void) setsockopt(disc_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!mcast) {
		(void) setsockopt(disc_fd, SOL_SOCKET, SO_BROADCAST, &one,
		    sizeof(one));
		if (ifindex != 0 && setsockopt(disc_fd, SOL_SOCKET,
		    SO_BINDTODEVICE, c->discover_if,
		    (socklen_t) strlen(c->discover_if)) < 0) {
			snprintf(err, errlen, "discover-if %s: %s",
			    c->discover_if, strerror(errno));
			goto fail;
		}
	}
	sa.sin_port = disc_dst.sin_port;
	/* A multicast socket bound to its group gets that group only. */
	sa.sin_addr.s_addr = mcast ? disc_dst.sin_addr.s_addr : INADDR_ANY;
	if (bind(disc_fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "discover %s:%s: bind: %s",
		    c->discover.host, c->discover.port, strerror(errno));
		goto fail;
	}
	if (mcast) {
		struct ip_mreqn mr = {.imr_multiaddr = disc_dst.sin_addr,
		    .imr_ifindex = (int) ifindex};
		unsigned char ttl = 1, loop = 1;

		if (setsockopt(disc_fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
			sizeof(mr)) < 0) {
			snprintf(err, errlen, "discover %s: cannot join the "
			    "group: %s%s", c->discover.host, strerror(errno),
			    ifindex == 0 ? " (give --discover-if)" : "");
			goto fail;
		}
		mr.imr_multiaddr.s_addr = INADDR_ANY;
		if (ifindex != 0 && setsockopt(disc_fd, IPPROTO_IP,
		    IP_MULTICAST_IF, &mr, sizeof(mr)) < 0) {
			snprintf(err, errlen, "discover-if %s: %s",
			    c->discover_if, strerror(errno));
			goto fail;
		}
		/* The LAN only; other nodes of this host hear it too. */
		(void) setsockopt(disc_fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
		    sizeof(ttl));
		(void) setsockopt(disc_fd, IPPROTO_IP, IP_MULTICAST_LOOP,
		    &loop, sizeof(loop));
		(void) setsockopt(disc_fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero,
		    sizeof(zero));
	}
	if (epoll_ctl(g.epfd, EPOLL_CTL_ADD, disc_fd, &ev) < 0) {
		snprintf(err, errlen, "discover: epoll: %s", strerror(errno));
		goto fail;
	}
	disc_next = axd_now();
	axd_log(AXD_INFO, "discovery on %s:%s (%s%s%s), announcing port %s%s",
	    c->discover.host, c->discover.port, mcast ? "multicast" :
	    "broadcast", ifindex != 0 ? ", interface " : "",
	    ifindex != 0 ? c->discover_if : "", c->listen[0].port,
	    g.secret_len == 0 ? "; UNAUTHENTICATED (no secret): anyone on "
				"the LAN can announce nodes" : "");
	return 0;
fail:
	(void) close(disc_fd);
	disc_fd = -1;
	return -1;
}

static void
announce(void)
{
	uint8_t buf[AXD_ANN_MAX];
	struct axd_ann a;
	uint64_t now = realtime_us();
	long n;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", g.cfg.node);
	a.port = (uint16_t) atoi(g.cfg.listen[0].port);
	/* Strictly increasing, even if the clock steps back or two go out
	 * within a microsecond. */
	a.stamp = now > disc_last_stamp ? now : disc_last_stamp + 1;
	disc_last_stamp = a.stamp;
	a.nonce = disc_nonce;
	n = axd_ann_encode(&a, disc_key, buf, sizeof(buf));
	if (n < 0) {
		axd_log(AXD_ERR, "discovery: cannot encode: %s", strerror((int) -n));
		return;
	}
	if (sendto(disc_fd, buf, (size_t) n, 0, (struct sockaddr *) &disc_dst,
		sizeof(disc_dst)) < 0) {
		if (errno != disc_send_err && errno != EAGAIN) {
			axd_log(AXD_WARN, "discovery: cannot announce to %s:%s: "
					  "%s", g.cfg.discover.host,
			    g.cfg.discover.port, strerror(errno));
			disc_send_err = errno;
		}
		return;
	}
	if (disc_send_err != 0) {
		axd_log(AXD_INFO, "discovery: announcing again");
		disc_send_err = 0;
	}
}

/* A datagram not taken: always at debug; a warning at most every 10 s
 * (a flood cannot flood the log), with the count since the last one. */
static void
reject(const char *from, const char *why, bool quiet)
{
	uint64_t now = axd_now();

	disc_rejected++;
	axd_log(AXD_DEBUG, "discovery: ignored a datagram from %s: %s", from,
	    why);
	if (!quiet && (disc_warned == 0 || now - disc_warned > 10000000000ull)) {
		axd_log(AXD_WARN, "discovery: ignored a datagram from %s: %s "
				  "(%lu ignored so far)", from, why,
		    disc_rejected);
		disc_warned = now;
	}
}

/* A valid announcement of node a->name from host (numeric). */
static void
heard(const struct axd_ann *a, const char *host)
{
	struct axd_peer *p = axd_peer_by_name(a->name);
	struct axond_addr addr;
	uint64_t now = axd_now();

	if (p != NULL && a->stamp <= p->disc_stamp) {
		/* A copy (two paths), or a recording replayed. */
		reject(host, "not newer than the last announcement of that "
			     "node (a duplicate or a replay)", true);
		return;
	}
	memset(&addr, 0, sizeof(addr));
	snprintf(addr.host, sizeof(addr.host), "%s", host);
	snprintf(addr.port, sizeof(addr.port), "%u", (unsigned) a->port);
	if (p == NULL) {
		if (disc_npeers >= DISC_MAX_PEERS) {
			reject(host, "too many discovered nodes", false);
			return;
		}
		p = axd_peer_add(a->name, &addr);
		if (p == NULL) {
			reject(host, "the node table is full", false);
			return;
		}
		disc_npeers++;
		p->found = FOUND_DISCOVERED;
		p->disc_stamp = a->stamp;
		p->disc_seen = now;
		axd_log(AXD_INFO, "discovered node %s at %s:%s", p->name,
		    addr.host, addr.port);
		axd_dial(p);
		return;
	}
	p->disc_stamp = a->stamp;
	p->disc_seen = now;
	if (p->found == FOUND_STATIC || p->found == FOUND_DNS) {
		return; /* configured: the operator's address stays */
	}
	bool moved = !p->has_addr || strcmp(p->addr.host, addr.host) != 0 ||
	    strcmp(p->addr.port, addr.port) != 0;

	if (p->hidden) {
		p->hidden = false;
		g.nodes_dirty = true;
		axd_log(AXD_INFO, "node %s announces itself again, at %s:%s",
		    p->name, addr.host, addr.port);
	}
	if (moved && (p->sess == NULL || !p->has_addr)) {
		/* An address is not changed while a session is up: the
		 * session is the proof of where the node is.  (A new one is
		 * taken once it is down.)  A node that only connected to us
		 * gets the one it announces. */
		if (p->has_addr) {
			axd_log(AXD_INFO, "node %s now announces %s:%s",
			    p->name, addr.host, addr.port);
		} else {
			axd_log(AXD_INFO, "discovered node %s at %s:%s (it "
			    "had connected to us)", p->name, addr.host,
			    addr.port);
		}
		if (p->found != FOUND_DISCOVERED) {
			disc_npeers++;
		}
		axd_peer_set_addr(p, &addr);
		p->found = FOUND_DISCOVERED;
		g.nodes_dirty = true;
	}
	if (p->sess == NULL && p->dialing == NULL) {
		axd_dial(p);
	}
}

void
axd_disc_event(void)
{
	for (int i = 0; i < 64 && disc_fd >= 0; i++) {
		uint8_t buf[AXD_ANN_MAX + 1];
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		char host[INET_ADDRSTRLEN];
		struct axd_ann a;
		ssize_t n = recvfrom(disc_fd, buf, sizeof(buf), MSG_TRUNC,
		    (struct sockaddr *) &from, &flen);
		int rc;

		if (n < 0) {
			return; /* EAGAIN, or an ICMP error: nothing to do */
		}
		if (flen < sizeof(from) || from.sin_family != AF_INET ||
		    inet_ntop(AF_INET, &from.sin_addr, host,
			sizeof(host)) == NULL) {
			continue;
		}
		if ((size_t) n > sizeof(buf)) {
			reject(host, "malformed (too long)", false);
			continue;
		}
		rc = axd_ann_decode(buf, (size_t) n, disc_key, &a);
		if (rc == -EPERM) {
			reject(host, "wrong MAC (another cluster's key, or "
				     "forged)", false);
			continue;
		}
		if (rc < 0) {
			reject(host, "malformed", false);
			continue;
		}
		if (!axd_ann_fresh(a.stamp, realtime_us(),
			(uint64_t) AXOND_DISCOVER_WINDOW_MS * 1000u)) {
			reject(host, "stale (its stamp is more than the "
				     "window from our clock: replayed, or "
				     "the clocks disagree)", false);
			continue;
		}
		if (strcmp(a.name, g.cfg.node) == 0) {
			if (a.nonce != disc_nonce) {
				reject(host, "another node announces this "
					     "node's name", false);
			}
			continue; /* our own, looped back */
		}
		heard(&a, host);
	}
}

void
axd_disc_tick(uint64_t now)
{
	uint64_t timeout = (uint64_t) g.cfg.discover_timeout_ms * 1000000u;

	if (disc_fd < 0) {
		return;
	}
	if (now >= disc_next) {
		announce();
		disc_next = now + next_delay();
		disc_sent++;
	}
	for (int nd = 1; nd <= g.npeers_hwm; nd++) {
		struct axd_peer *p = g.peers[nd];

		if (p == NULL || p->found != FOUND_DISCOVERED || p->hidden ||
		    p->sess != NULL || now - p->disc_seen <= timeout) {
			continue;
		}
		axd_log(AXD_INFO, "node %s stopped announcing itself: "
				  "dropped", p->name);
		p->hidden = true;
		if (p->dialing != NULL) {
			axd_sess_close(p->dialing, EHOSTDOWN, "dropped");
		}
		p->state = PEER_DOWN;
		g.nodes_dirty = true;
	}
}

void
axd_disc_stop(void)
{
	if (disc_fd >= 0) {
		(void) epoll_ctl(g.epfd, EPOLL_CTL_DEL, disc_fd, NULL);
		(void) close(disc_fd);
		disc_fd = -1;
	}
	OPENSSL_cleanse(disc_key, sizeof(disc_key));
}

/* ---- the module (module.h) ---- */

static int
disc_start(void)
{
	char err[512];

	if (axd_disc_start(err, sizeof(err)) < 0) {
		axd_log(AXD_ERR, "%s", err);
		return -1;
	}
	return 0;
}

static void
disc_event(uint64_t tag, uint32_t events)
{
	(void) tag;
	(void) events;
	axd_disc_event();
}

const struct axd_module axd_mod_discovery = {
	.name = "discovery",
	.tags = AXD_TAG_DISC,
	.start = disc_start,
	.stop = axd_disc_stop,
	.tick = axd_disc_tick,
	.event = disc_event,
};
