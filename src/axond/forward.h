/* SPDX-License-Identifier: MIT */
/* axond internals shared by session.c, forward.c and main.c. */
#ifndef AXOND_FORWARD_H
#define AXOND_FORWARD_H

#include "axond.h"

/* session.c */
struct axd_peer *axd_peer_by_name(const char *name);
struct axd_peer *axd_peer_add(const char *name, const struct axond_addr *addr);
/* Gives p the address addr (found: static if numeric, else dns), used
 * from its next round of dialling. */
void axd_peer_set_addr(struct axd_peer *p, const struct axond_addr *addr);
const char *axd_peer_found_name(const struct axd_peer *p); /* static, ... */
void axd_nodes_write(void);
const char *axd_peer_state_name(const struct axd_peer *p); /* up, ... */
void axd_peer_addr(const struct axd_peer *p, char *buf, size_t len);
int axd_send_frame(struct axd_sess *s, const struct axon_wire_frame *f);
void axd_stream_add(struct axd_sess *s, struct axd_stream *st);
void axd_stream_remove(struct axd_sess *s, struct axd_stream *st);
/* Writes the session's output at the end of this loop iteration (once
 * for all the frames queued meanwhile); axd_flush_now at once. */
void axd_flush(struct axd_sess *s);
void axd_flush_now(struct axd_sess *s);
void axd_flush_all(void);  /* the sessions axd_flush marked */
void axd_sess_close(struct axd_sess *s, int err, const char *why);
void axd_reap(void);
struct axd_sess *axd_sess_by_id(uint64_t id);
void axd_sess_readable(struct axd_sess *s);
void axd_sess_writable(struct axd_sess *s);
void axd_dial(struct axd_peer *p);
int axd_resolve_start(void);   /* the resolvers' eventfd, watched */
void axd_resolve_event(void);  /* AXD_TAG_RESOLVED readable */
void axd_accept(int lfd);
void axd_tick(void);
void axd_sess_shutdown_all(void);

/* epoll tags of forwarding (main.c dispatches them): the network
 * channel, the eventfd of finished virtual connects, and a virtual
 * connection (| its struct axon_cconn pointer). */
#define AXD_TAG_CHAN  (1ull << 59)
#define AXD_TAG_CONND (1ull << 58)
#define AXD_TAG_VCONN (1ull << 57)
/* Host names resolved (session.c), the discovery socket (discover.c). */
#define AXD_TAG_RESOLVED (1ull << 56)
#define AXD_TAG_DISC     (1ull << 55)

/* forward.c */
void axd_map_cred(struct axon_wire_cred *c); /* --mapany, --maproot */

#endif /* AXOND_FORWARD_H */
