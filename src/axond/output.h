/* SPDX-License-Identifier: MIT */
/*
 * axond's output (output.c): byte buffers waiting for a socket, and each
 * session's output.  A session's frames are queued in its buffer (a
 * large one goes to the socket from where it lies, send_direct, and
 * consecutive large ones of a stream together, batch_write), bulk
 * transfers are streams that produce one frame at a time, round-robin,
 * and everything a loop iteration queued is written once at its end
 * (axd_flush, axd_flush_all).  Runs on the loop's thread.
 */
#ifndef AXOND_OUTPUT_H
#define AXOND_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct axd_sess;

/* Bytes waiting to be written to a socket: buf[off, len). */
struct axd_obuf {
	uint8_t *buf;
	size_t off, len, cap;
};

/* Makes room for need more bytes at buf + len (moving the waiting ones
 * to the front, or growing); 0 or -ENOMEM. */
int axd_obuf_reserve(struct axd_obuf *o, size_t need);
/* Appends frame f; its size, -ENOMEM, or -EINVAL (f is not encodable:
 * a bug, logged). */
long axd_obuf_encode(struct axd_obuf *o, const struct axon_wire_frame *f);

static inline size_t
axd_obuf_queued(const struct axd_obuf *o)
{
	return o->len - o->off;
}

/* Produces the next frame of a bulk transfer into the session's output;
 * returns true while more remain. */
struct axd_stream {
	struct axd_stream *next;
	bool queued;
	bool (*produce)(struct axd_sess *s, struct axd_stream *st);
};

/* Queues one frame on s, in order.  0, or -EPIPE (s is dead, or was
 * closed for not reading: --max-queued-bytes), -ENOMEM (s closed). */
int axd_send_frame(struct axd_sess *s, const struct axon_wire_frame *f);
/* The same for a frame whose data stays where it lies until release(ref)
 * (if not NULL) is called: while s's streams produce (axd_flush_now),
 * consecutive large frames are gathered and written with one sendmsg,
 * and released once sent or copied; otherwise it is axd_send_frame, then
 * release(ref).  Called once whatever the result.  Without a release,
 * f->data must stay valid until the producing stream returns or queues
 * another frame on s. */
int axd_send_frame_held(struct axd_sess *s, const struct axon_wire_frame *f,
    void (*release)(void *), void *ref);
/* Queues (once) or removes a stream of s. */
void axd_stream_add(struct axd_sess *s, struct axd_stream *st);
void axd_stream_remove(struct axd_sess *s, struct axd_stream *st);
/* Writes the session's output at the end of this loop iteration (once
 * for all the frames queued meanwhile); axd_flush_now at once. */
void axd_flush(struct axd_sess *s);
void axd_flush_now(struct axd_sess *s);
void axd_flush_all(void);  /* the sessions axd_flush marked */
/* For session.c: watches s's socket for what it needs now (EPOLLOUT
 * while output waits, the TCP connect runs or TLS waits to write), and
 * takes a session being freed off the flush list. */
void axd_sess_events(struct axd_sess *s);
void axd_sess_dirty_remove(struct axd_sess *s);

#endif /* AXOND_OUTPUT_H */
