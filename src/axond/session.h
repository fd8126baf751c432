/* SPDX-License-Identifier: MIT */
/*
 * axond's session layer (session.c), for the modules (module.h) and
 * main.c: sessions with the peers, dialling and accepting them, the
 * tick.  With the peer table (peer.h) and the output (output.h).
 */
#ifndef AXOND_SESSION_H
#define AXOND_SESSION_H

#include "axond.h"
#include "output.h"
#include "peer.h"

/* Ends s (S_DEAD): its socket closes, the modules' session_lost runs
 * if it was its peer's session, and the peer is dialled again later.
 * s is freed, and its modules' session_gone run, by axd_reap() at the
 * end of the loop iteration: callers up the stack may still hold it. */
void axd_sess_close(struct axd_sess *s, int err, const char *why);
void axd_reap(void);
struct axd_sess *axd_sess_by_id(uint64_t id); /* its epoll tag */
/* Its socket's events (main.c). */
void axd_sess_readable(struct axd_sess *s);
void axd_sess_writable(struct axd_sess *s);
/* Opens a session to p (resolving its host name off the loop first),
 * unless one is up or on its way. */
void axd_dial(struct axd_peer *p);
int axd_resolve_start(void);   /* the resolvers' eventfd, watched */
void axd_resolve_event(void);  /* AXD_TAG_RESOLVED readable */
void axd_accept(int lfd);      /* a listening socket is readable */
/* Every 100 ms: handshakes timed out, keep-alive, peers silent too
 * long, peers to dial, then every module's tick. */
void axd_tick(void);
/* Shutdown: BYE on every session, all closed and reaped. */
void axd_sess_shutdown_all(void);

#endif /* AXOND_SESSION_H */
