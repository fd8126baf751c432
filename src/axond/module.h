/* SPDX-License-Identifier: MIT */
/*
 * axond's services as modules (docs/design/axond.md, "Modules").
 *
 * The session layer (session.c: sessions, the handshake, the peer
 * table, output) and the main loop (main.c) know the services that
 * ride on sessions only through this table: forwarding's client side
 * (fwd_client.c) and server side (fwd_server.c), global names
 * (names.c), the operator's services with spawn (services.c, spawn.c),
 * LAN discovery (discover.c) and the file-system companion (fsmgr.c).
 * No module calls another's entry points, and neither session.c nor
 * main.c names a module's functions.
 *
 * Adding a module: one file that defines `const struct axd_module
 * axd_mod_NAME` (its ops; NULL for each it does not need), and one line
 * for it in the registry, X(NAME) in AXD_MODULES in module.c.
 *
 * Everything here runs on the main loop's thread.
 */
#ifndef AXOND_MODULE_H
#define AXOND_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "axond.h"

/*
 * epoll tags (epoll_event.data.u64): a session's is its id; the rest
 * are bits.  main.c's: 63 a listening socket (| its index), 62 the
 * tick, 61 the signals.  services.h's: 60 (| kind << 32 | object id).
 * Below, the others'.  A new module takes a free bit below 55.
 */
/* forward-client: the network channel (local clients' messages). */
#define AXD_TAG_CHAN  (1ull << 59)
/* forward-server: the eventfd of finished virtual connects, and a
 * virtual connection (| its struct axon_cconn pointer). */
#define AXD_TAG_CONND (1ull << 58)
#define AXD_TAG_VCONN (1ull << 57)
/* The session layer: host names resolved (session.c). */
#define AXD_TAG_RESOLVED (1ull << 56)
/* discovery: its socket (discover.c). */
#define AXD_TAG_DISC     (1ull << 55)
/* metrics: AXD_TAG_METRICS (1 << 54) in metrics.h. */

/* Frame types a module may own (one list, ended by 0). */
#define AXD_MOD_TYPES 24

struct axd_module {
	const char *name;
	/*
	 * The frame types it owns, 0-terminated: the session layer hands it
	 * every frame of these types on a session that is up (a frame of a
	 * module's type before AUTH_OK ends the session: EACCES, EPROTO for
	 * a type below AXON_W_CONNECT_CRED).  No two modules own a type
	 * (axd_mod_init refuses it), and the session's own types (HELLO to
	 * NODEINFO) are nobody's.
	 */
	uint8_t types[AXD_MOD_TYPES];
	/*
	 * The epoll tags of its descriptors: an event whose tag has any of
	 * these bits goes to event() (see the list above).
	 */
	uint64_t tags;

	/* ---- lifecycle: start, ..., stop, (sessions close), fini ---- */

	/* After the epoll set, the network channel, the listening sockets
	 * and the configured peers exist, in registry order.  0, or -1
	 * (logged): axond does not start. */
	int (*start)(void);
	/* Shutdown, before the sessions close, in reverse registry order:
	 * takes no more work and lets its local clients go.  Its
	 * session_lost/session_gone still come for the sessions closed
	 * after it. */
	void (*stop)(void);
	/* Shutdown, after every session was closed and freed: removes its
	 * files and frees what it holds. */
	void (*fini)(void);

	/* ---- sessions ---- */

	/* Session s (its peer known, s->peer->sess == s) just came up. */
	void (*session_up)(struct axd_sess *s);
	/* s, its peer's session, is being closed (axd_sess_close, while
	 * s->peer->sess is still s): what the peer published goes.  s's
	 * messages are still there: they fail in session_gone. */
	void (*session_lost)(struct axd_sess *s);
	/* s is being freed (axd_reap), err what its work fails with: after
	 * this, nothing of the module points to s.  (Streams still queued
	 * on s are dropped by the session layer afterwards.) */
	void (*session_gone)(struct axd_sess *s, int err);
	/* A frame of one of its types on s (S_UP).  Returns 0, or an errno
	 * that ends the session (EPROTO, EACCES; ECONNRESET: without BYE). */
	int (*frame)(struct axd_sess *s, const struct axon_wire_frame *f);
	/*
	 * Receiving in place: h is the head of a large frame of one of its
	 * types whose data is still arriving.  Returns where the data
	 * should go (all h->data_len bytes), with *ret_ref keeping that
	 * memory until sink_done(ref); or NULL: the usual way.  frame() then
	 * gets the frame with s->inplace true and f->data there.
	 */
	uint8_t *(*sink)(struct axd_sess *s, const struct axon_wire_frame *h,
	    void **ret_ref);
	void (*sink_done)(void *ref);

	/* ---- the loop ---- */

	/* Every 100 ms tick (after the session layer's own). */
	void (*tick)(uint64_t now);
	/* An epoll event with one of its tags. */
	void (*event)(uint64_t tag, uint32_t events);
	/* After every event of a loop iteration, sessions' input first:
	 * work deferred until then.  Returns true if some remains: the loop
	 * comes back without sleeping. */
	bool (*late)(void);
	/*
	 * Replies due in memory, for adaptive polling (main.c): due() says
	 * whether any is awaited; scan() takes those that came (true if
	 * any), while polling and after each iteration's events; arm(),
	 * before the loop sleeps, asks to be woken for the rest (true if
	 * one came meanwhile: the loop must not sleep).
	 */
	bool (*due)(void);
	bool (*scan)(void);
	bool (*arm)(void);
	/* End of each iteration, after dead sessions were freed: write out
	 * what changed (files). */
	void (*flush)(void);
};

/* ---- module.c: the registry, for session.c and main.c ---- */

/* Builds the type table of the registry: 0, or -1 (logged) if two
 * modules claim a type or one claims a type without frame(). */
int axd_mod_init(void);
/* The same for n modules mods into table (entries already there count
 * as claimed): what axd_mod_init does, for the tests. */
int axd_mod_table(const struct axd_module *const *mods, size_t n,
    const struct axd_module *table[256]);
/* The module owning frame type t, or NULL. */
const struct axd_module *axd_mod_owner(uint8_t t);
/* start() of each, in order; -1 as soon as one fails. */
int axd_mod_start(void);
void axd_mod_stop(void);
void axd_mod_fini(void);
void axd_mod_session_up(struct axd_sess *s);
void axd_mod_session_lost(struct axd_sess *s);
void axd_mod_session_gone(struct axd_sess *s, int err);
void axd_mod_tick(uint64_t now);
/* Hands an event to the module with its tag: true, or false if none. */
bool axd_mod_event(uint64_t tag, uint32_t events);
bool axd_mod_late(void);
bool axd_mod_due(void);
bool axd_mod_scan(void);
bool axd_mod_arm(void);
void axd_mod_flush(void);

#endif /* AXOND_MODULE_H */
