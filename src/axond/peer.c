/* SPDX-License-Identifier: MIT */
/* axond: the peer table, the nodes this one knows (peer.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "peer.h"

struct axd_peer *
axd_peer_by_name(const char *name)
{
	for (int nd = 1; nd <= g.npeers_hwm; nd++) {
		if (g.peers[nd] != NULL && strcmp(g.peers[nd]->name, name) == 0) {
			return g.peers[nd];
		}
	}
	return NULL;
}

struct axd_peer *
axd_peer_add(const char *name, const struct axond_addr *addr)
{
	struct axd_peer *p;
	int nd = g.npeers_hwm + 1;

	if (nd > ND_NODE_MASK) {
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		return NULL;
	}
	p->nd = nd;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->found = FOUND_INCOMING;
	if (addr != NULL) {
		axd_peer_set_addr(p, addr);
	}
	p->peer_nd = -1;
	p->waitq_tail = &p->waitq;
	g.peers[nd] = p;
	g.npeers_hwm = nd;
	g.nodes_dirty = true;
	return p;
}

/* A numeric address needs no resolver (getaddrinfo then never blocks). */
bool
axd_host_numeric(const char *h)
{
	struct in_addr a;

	return inet_pton(AF_INET, h, &a) == 1 || strchr(h, ':') != NULL;
}

void
axd_peer_set_addr(struct axd_peer *p, const struct axond_addr *addr)
{
	p->has_addr = true;
	p->addr = *addr;
	p->found = axd_host_numeric(addr->host) ? FOUND_STATIC : FOUND_DNS;
	p->dial_n = p->dial_i = 0; /* resolved again at the next dial */
}

const char *
axd_peer_found_name(const struct axd_peer *p)
{
	switch (p->found) {
	case FOUND_STATIC:
		return "static";
	case FOUND_DNS:
		return "dns";
	case FOUND_DISCOVERED:
		return "discovered";
	default:
		return "incoming";
	}
}

const char *
axd_peer_state_name(const struct axd_peer *p)
{
	switch (p->state) {
	case PEER_UP:
		return "up";
	case PEER_CONNECTING:
		return "connecting";
	default:
		return "down";
	}
}

/* p's address as "host:port" ("[host]:port" for IPv6), or "-". */
void
axd_peer_addr(const struct axd_peer *p, char *buf, size_t len)
{
	if (!p->has_addr) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len,
	    strchr(p->addr.host, ':') != NULL ? "[%s]:%s" : "%s:%s",
	    p->addr.host, p->addr.port);
}

/* $AXON_RUNDIR/nodes: what netmgr_strtond() and friends read. */
void
axd_nodes_write(void)
{
	char path[PATH_MAX];
	char tmp[PATH_MAX + 16];
	FILE *f;

	g.nodes_dirty = false;
	snprintf(path, sizeof(path), "%s/nodes", g.rundir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = axon__tmp_fopen(tmp);
	if (f == NULL) {
		axd_log(AXD_WARN, "cannot write %s: %s", tmp, strerror(errno));
		return;
	}
	fprintf(f, "# axon nodes v1: nd name state address peer_nd\n");
	fprintf(f, "0 %s self - 0\n", g.cfg.node);
	for (int nd = 1; nd <= g.npeers_hwm; nd++) {
		struct axd_peer *p = g.peers[nd];
		char addr[300];

		if (p == NULL) {
			continue;
		}
		if (p->hidden) {
			continue; /* dropped (discovery) */
		}
		axd_peer_addr(p, addr, sizeof(addr));
		if (p->peer_nd >= 0) {
			fprintf(f, "%d %s %s %s %d\n", nd, p->name,
			    axd_peer_state_name(p), addr, p->peer_nd);
		} else {
			fprintf(f, "%d %s %s %s -\n", nd, p->name,
			    axd_peer_state_name(p), addr);
		}
	}
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		axd_log(AXD_WARN, "cannot write %s: %s", path, strerror(errno));
		(void) unlink(tmp);
	}
}

void
axd_peer_set_state(struct axd_peer *p, enum axd_peer_state st)
{
	if (p->state != st) {
		p->state = st;
		g.nodes_dirty = true;
	}
}
