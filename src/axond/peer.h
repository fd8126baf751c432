/* SPDX-License-Identifier: MIT */
/*
 * axond's peer table (peer.c): the nodes this one knows, by nd in
 * g.peers[] (configured, discovered, or that opened a session to us),
 * and $AXON_RUNDIR/nodes, the table as `axon nodes` and netmgr_strtond()
 * read it.  Runs on the loop's thread.
 */
#ifndef AXOND_PEER_H
#define AXOND_PEER_H

#include <stdbool.h>
#include <stddef.h>

#include "axond.h"

struct axd_peer *axd_peer_by_name(const char *name);
/* A new peer (addr NULL: known by an incoming session only), the next
 * free nd; NULL when ND_NODE_MASK nodes are known. */
struct axd_peer *axd_peer_add(const char *name, const struct axond_addr *addr);
/* Gives p the address addr (found: static if numeric, else dns), used
 * from its next round of dialling. */
void axd_peer_set_addr(struct axd_peer *p, const struct axond_addr *addr);
const char *axd_peer_found_name(const struct axd_peer *p); /* static, ... */
const char *axd_peer_state_name(const struct axd_peer *p); /* up, ... */
void axd_peer_addr(const struct axd_peer *p, char *buf, size_t len);
/* p's state changes (the nodes file is then rewritten). */
void axd_peer_set_state(struct axd_peer *p, enum axd_peer_state st);
/* A numeric address, which needs no resolver. */
bool axd_host_numeric(const char *h);
/* Rewrites $AXON_RUNDIR/nodes (when g.nodes_dirty). */
void axd_nodes_write(void);

#endif /* AXOND_PEER_H */
