/* SPDX-License-Identifier: MIT */
/*
 * LAN discovery (axond(8), "Discovery"; docs/design/axond.md): with
 * --discover ADDR:PORT, axond announces itself on a multicast group or
 * broadcast address (announce.h, MAC'd with a key derived from the
 * cluster secret) and adds the nodes it hears as peers, at the address
 * the announcement came from and the port it names.  Everything runs on
 * the main loop: one UDP socket (AXD_TAG_DISC), the tick.
 */
#ifndef AXOND_DISCOVER_H
#define AXOND_DISCOVER_H

#include <stddef.h>
#include <stdint.h>

/* Opens and joins the discovery socket and derives the key, if discovery
 * is on (else does nothing).  After the listening sockets and the epoll
 * set exist.  Returns 0, or -1 with a one-line message in err (no such
 * interface, cannot join the group, ...). */
int axd_disc_start(char *err, size_t errlen);

/* The socket is readable: reads up to 64 datagrams and acts on the valid
 * ones; the others are counted and logged (debug; a warning at most
 * every 10 s). */
void axd_disc_event(void);

/* Every tick: announces when due; drops discovered nodes silent for
 * --discover-timeout that have no session. */
void axd_disc_tick(uint64_t now);

void axd_disc_stop(void);

#endif /* AXOND_DISCOVER_H */
