/* SPDX-License-Identifier: MIT */
/*
 * axond's counters for Prometheus (axond(8), "Metrics"): with --metrics
 * [ADDR:]PORT, a small HTTP/1.0 and 1.1 server on the main loop answers
 * GET /metrics with the text exposition format (version 0.0.4).
 *
 * Everything runs on the loop and nothing blocks: sockets are
 * non-blocking, a request is at most MX_REQ_MAX bytes, a connection
 * lives at most MX_CONN_NS from its accept (its answer included), and at
 * most MX_CONNS are open at once (one more is accepted and closed at
 * once).  A scrape therefore costs the data path one pass over the peer
 * table, and a slow or hostile client costs it nothing but its slot.
 */
#ifndef AXOND_METRICS_H
#define AXOND_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "axond.h"

/* epoll tag: AXD_TAG_METRICS | generation << 16 | slot (0xffff: the
 * listening socket). */
#define AXD_TAG_METRICS (1ull << 54)

/* Listens on g.cfg.metrics if set and watches the socket.  Returns 0
 * (nothing to do, or listening), or -1 with the reason logged (the
 * address is in use, not this host's...). */
int axd_metrics_start(void);

/* Closes the listening socket and every connection. */
void axd_metrics_stop(void);

/* An epoll event whose tag has AXD_TAG_METRICS. */
void axd_metrics_event(uint64_t tag, uint32_t events);

/* Every tick: connections past their time are closed. */
void axd_metrics_tick(uint64_t now);

/* Counted here, shown per peer (p may be NULL: counted for the node
 * only): a pulse or event from p this node could not deliver
 * (forward.c, note_refused)... */
void axd_metrics_refused(const struct axd_peer *p, bool event);

/* ...and session s, ending (session.c, axd_sess_close, before s is
 * marked dead): lost once up, or failed before unless another session
 * with its peer is up (the loser of two nodes dialling each other). */
void axd_metrics_session_end(const struct axd_sess *s);

#endif /* AXOND_METRICS_H */
