/* SPDX-License-Identifier: MIT */
/*
 * axond: global names (docs/design/names.md).
 *
 * axond scans this node's registry of global names
 * ($AXON_RUNDIR/name/global/, written by name_attach()), tells every
 * peer the list of its live names in NAMES frames, keeps the lists its
 * peers send, and publishes all of them, each name's winning claim
 * marked, in $AXON_RUNDIR/names for name_open().
 *
 * Everything here runs on the main thread (the loop).
 */
#ifndef AXOND_NAMES_H
#define AXOND_NAMES_H

#include <stdint.h>
#include <stdio.h>

#include "axond.h"

/* Global names per node: this node publishes at most this many (the
 * rest are logged and left out), and keeps at most this many of each
 * peer's list.  Of this node's, each uid but root has at most
 * --user-names (by the owner of the registry entry; the rest are
 * ignored, logged once), and root's come first. */
#define AXD_NAMES_MAX 4096u

/* Registry files looked at per scan (live or stale). */
#define AXD_NAMES_SCAN_MAX (4u * AXD_NAMES_MAX)

/* One claim of a global name: a server on a node. */
struct axd_claim {
	const char *name;
	const char *node; /* the node's name */
	int nd;           /* how this node names it; 0: this node */
	int32_t pid, chid;
	uint64_t stamp;   /* registration time, ns since the Unix epoch: when
			   * its node's axond first saw it */
	uint64_t start;   /* this node's claims: the claimant's start time
			   * (/proc/<pid>/stat); 0 for other nodes' */
};

/*
 * The conflict rule, the same on every node: of two claims of one name,
 * the one with the earlier stamp wins; on equal stamps, the one of the
 * node whose name is lower (strcmp); then the lower pid, then the lower
 * chid.  Returns < 0 if a ranks before b, > 0 if after, 0 if equal.
 */
int axd_names_rank(const struct axd_claim *a, const struct axd_claim *b);

/* Sorts claims by name (strcmp), and the claims of one name by rank:
 * the first claim of each name is the one that serves it. */
void axd_names_sort(struct axd_claim *v, size_t n);

/*
 * Writes sorted claims as the lines of the names file (v2):
 * "<state> <nd> <pid> <chid> <stamp> <start> <node> <name>\n", state '+' for
 * the first claim of a name and '-' for the others.  Returns 0, or -EIO
 * if f reported an error.
 */
int axd_names_fprint(FILE *f, const struct axd_claim *v, size_t n);

/* First scan of the registry and first names file (the start of the
 * module names, axd_mod_names: module.h). */
void axd_names_start(void);

/* Every tick: rescans the registry; a change of this node's live names
 * goes to every peer; the names file is rewritten if anything changed. */
void axd_names_tick(void);

/* Rewrites $AXON_RUNDIR/names if it is out of date (end of each main
 * loop iteration). */
void axd_names_flush(void);

/* Session s just came up: sends it this node's list. */
void axd_names_session_up(struct axd_sess *s);

/* s, its peer's session, is being closed: that peer's names go, and a
 * list half sent or half received on s is dropped.  The module's
 * session_lost: from axd_sess_close(), while s is still the peer's
 * session. */
void axd_names_session_lost(struct axd_sess *s);

/* A NAMES frame on s (S_UP).  Returns 0, or an errno that ends the
 * session (EPROTO: a chunk that does not continue a list). */
int axd_names_frame(struct axd_sess *s, const struct axon_wire_frame *f);

/* axond stops: removes $AXON_RUNDIR/names and frees every list. */
void axd_names_stop(void);

#endif /* AXOND_NAMES_H */
