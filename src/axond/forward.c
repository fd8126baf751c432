/* SPDX-License-Identifier: MIT */
/*
 * axond: message forwarding (the patent's method), what its two sides
 * share: the count of pulses and events refused.  The client side (a
 * local client's message to another node, module forward-client) is
 * fwd_client.c; the server side (another node's client, presented to a
 * local server as a virtual client, module forward-server) is
 * fwd_server.c.
 *
 * Everything here runs on the main loop's thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/neutrino.h>
#include <sys/netmgr.h>

#include "axond.h"
#include "forward.h"
#include "fwd.h"

/*
 * A pulse or event from another node that this node could not deliver
 * (the target is gone, its channel is full, or it refused the mapped
 * sender: a remote root mapped to nobody may not pulse root's server).
 * Never dropped without a trace: each is counted, and the counts are
 * logged as a warning at most once every 10 s, with the last one's
 * node and reason, so that a flood cannot flood the log.
 */
#define REFUSED_LOG_NS 10000000000ull

static struct {
	uint64_t pulses, events; /* since the last warning */
	uint64_t total;          /* since start */
	uint64_t logged;         /* when the last warning went out */
} refused;

void
axd_fwd_note_refused(bool event, const struct axd_sess *s, int err)
{
	uint64_t now = axd_now();

	if (event) {
		refused.events++;
	} else {
		refused.pulses++;
	}
	refused.total++;
	axd_log(AXD_DEBUG, "%s from %s not delivered: %s",
	    event ? "event" : "pulse", s != NULL ? s->peer_name : "?",
	    strerror(err));
	if (refused.logged != 0 && now - refused.logged < REFUSED_LOG_NS) {
		return;
	}
	axd_log(AXD_WARN, "%llu pulse(s) and %llu event(s) from other nodes "
			  "not delivered (%llu since start); the last, from "
			  "%s: %s",
	    (unsigned long long) refused.pulses,
	    (unsigned long long) refused.events,
	    (unsigned long long) refused.total,
	    s != NULL ? s->peer_name : "?", strerror(err));
	refused.pulses = 0;
	refused.events = 0;
	refused.logged = now;
}


/* The gid of a mapping: gid if set, else uid's login group (the uid
 * itself if it has none). */
static gid_t
map_gid(long uid, long gid)
{
	struct passwd pw;
	struct passwd *res = NULL;
	char buf[1024];

	if (gid >= 0) {
		return (gid_t) gid;
	}
	if (getpwuid_r((uid_t) uid, &pw, buf, sizeof(buf), &res) == 0 &&
	    res != NULL) {
		return res->pw_gid;
	}
	return (gid_t) uid;
}

/*
 * A remote caller's credentials as this node takes them, in place: the
 * one policy for messages (CONNECT_CRED, MSGSEND_CRED) and commands
 * (SPAWN).  --mapany comes first and squashes everyone: every uid
 * becomes its uid, every gid its gid, and that gid is the only
 * supplementary group.  Otherwise --maproot squashes root: each uid
 * that is 0 and, whatever the uid, each gid that is 0 (real, effective,
 * saved, supplementary) become its uid and gid, so that a caller that
 * is root by group only is not root's group here either.
 */
void
axd_map_cred(struct axon_wire_cred *c)
{
	uid_t u;
	gid_t gid;

	if (c->ngroups > AXON_WIRE_NGROUPS) {
		c->ngroups = AXON_WIRE_NGROUPS; /* (the decoder refuses it) */
	}
	if (g.cfg.mapany >= 0) {
		u = (uid_t) g.cfg.mapany;
		gid = map_gid(g.cfg.mapany, g.cfg.mapany_gid);
		c->ruid = c->euid = c->suid = u;
		c->rgid = c->egid = c->sgid = gid;
		memset(c->groups, 0, sizeof(c->groups));
		c->groups[0] = gid;
		c->ngroups = 1;
		return;
	}
	if (g.cfg.maproot < 0) {
		return;
	}
	u = (uid_t) g.cfg.maproot;
	gid = map_gid(g.cfg.maproot, g.cfg.maproot_gid);
	c->ruid = c->ruid == 0 ? u : c->ruid;
	c->euid = c->euid == 0 ? u : c->euid;
	c->suid = c->suid == 0 ? u : c->suid;
	c->rgid = c->rgid == 0 ? gid : c->rgid;
	c->egid = c->egid == 0 ? gid : c->egid;
	c->sgid = c->sgid == 0 ? gid : c->sgid;
	for (uint32_t i = 0; i < c->ngroups; i++) {
		if (c->groups[i] == 0) {
			c->groups[i] = gid;
		}
	}
}
