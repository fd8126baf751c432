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
#include <string.h>

#include "fwd.h"
#include "metrics.h"

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
	axd_metrics_refused(s != NULL ? s->peer : NULL, event);
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
