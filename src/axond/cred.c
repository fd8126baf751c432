/* SPDX-License-Identifier: MIT */
/* axond: how this node takes a remote caller's credentials (cred.h). */
#define _GNU_SOURCE
#include <pwd.h>
#include <string.h>

#include "cred.h"

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
