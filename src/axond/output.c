/* SPDX-License-Identifier: MIT */
/*
 * axond: output.  Byte buffers (struct axd_obuf, also the control
 * connections'), and each session's output: frames queued, large ones
 * sent from where they lie, bulk streams round-robin, all written once
 * per loop iteration (output.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "link.h"
#include "session.h"

static void sess_want_out(struct axd_sess *s, bool want);

int
axd_obuf_reserve(struct axd_obuf *o, size_t need)
{
	if (o->off > 0 && o->off == o->len) {
		o->off = 0;
		o->len = 0;
	}
	if (o->len + need <= o->cap) {
		return 0;
	}
	if (o->off > 0) {
		memmove(o->buf, o->buf + o->off, o->len - o->off);
		o->len -= o->off;
		o->off = 0;
		if (o->len + need <= o->cap) {
			return 0;
		}
	}
	size_t cap = o->cap ? o->cap : 65536;
	while (cap < o->len + need) {
		cap *= 2;
	}
	uint8_t *n = realloc(o->buf, cap);
	if (n == NULL) {
		return -ENOMEM;
	}
	o->buf = n;
	o->cap = cap;
	return 0;
}

long
axd_obuf_encode(struct axd_obuf *o, const struct axon_wire_frame *f)
{
	long n;

	if (axd_obuf_reserve(o, AXON_WIRE_HDR_SIZE + AXON_WIRE_MAX_BODY) < 0) {
		return -ENOMEM;
	}
	n = axon__wire_encode(f, o->buf + o->len, o->cap - o->len);
	if (n < 0) {
		axd_log(AXD_ERR, "cannot encode frame type %d: %s", f->type,
		    strerror((int) -n));
		return n;
	}
	o->len += (size_t) n;
	return n;
}

/*
 * A frame with a lot of data: it goes to the socket from where it lies
 * (the client's message, the server's reply), saving a copy, in one
 * sendmsg with whatever was queued before it; only what the socket does
 * not take is queued.
 */
static int
send_direct(struct axd_sess *s, const struct axon_wire_frame *f)
{
	uint8_t head[AXON_WIRE_HDR_SIZE + 256];
	long h = axon__wire_encode_head(f, head, sizeof(head));
	struct iovec iov[3];
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 3};
	size_t q = axd_obuf_queued(&s->out);
	ssize_t n;

	if (h < 0) {
		axd_log(AXD_ERR, "cannot encode frame type %d: %s", f->type,
		    strerror((int) -h));
		return (int) h;
	}
	iov[0].iov_base = s->out.buf + s->out.off;
	iov[0].iov_len = q;
	iov[1].iov_base = head;
	iov[1].iov_len = (size_t) h;
	iov[2].iov_base = (void *) f->data;
	iov[2].iov_len = f->data_len;
	if (q == 0) {
		mh.msg_iov = iov + 1;
		mh.msg_iovlen = 2;
	}
	do {
		n = sendmsg(s->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		axd_sess_close(s, EHOSTUNREACH, "send failed");
		return -EPIPE;
	}
	if (n < 0) {
		n = 0;
	}
	if (n > 0) {
		s->last_tx = axd_now();
	}
	if ((size_t) n < q) {
		/* Not even what was queued: the frame joins the queue. */
		s->out.off += (size_t) n;
		if (axd_obuf_reserve(&s->out, (size_t) h + f->data_len) < 0) {
			axd_sess_close(s, EHOSTUNREACH, "out of memory");
			return -ENOMEM;
		}
		memcpy(s->out.buf + s->out.len, head, (size_t) h);
		memcpy(s->out.buf + s->out.len + (size_t) h, f->data,
		    f->data_len);
		s->out.len += (size_t) h + f->data_len;
		sess_want_out(s, true);
	} else {
		n -= (ssize_t) q;
		s->out.off = s->out.len = 0;
		if ((size_t) n < (size_t) h + f->data_len) {
			size_t left = (size_t) h + f->data_len - (size_t) n;

			if (axd_obuf_reserve(&s->out, left) < 0) {
				axd_sess_close(s, EHOSTUNREACH,
				    "out of memory");
				return -ENOMEM;
			}
			if ((size_t) n < (size_t) h) {
				memcpy(s->out.buf, head + n,
				    (size_t) h - (size_t) n);
				memcpy(s->out.buf + (size_t) h - (size_t) n,
				    f->data, f->data_len);
			} else {
				memcpy(s->out.buf,
				    f->data + ((size_t) n - (size_t) h), left);
			}
			s->out.len = left;
			sess_want_out(s, true);
		}
	}
	if (s->peer != NULL) {
		s->peer->tx_frames++;
		s->peer->tx_bytes += (size_t) h + f->data_len;
	}
	return 0;
}

/* Queues one frame on the session.  Frames go out in the order queued. */
int
axd_send_frame(struct axd_sess *s, const struct axon_wire_frame *f)
{
	long n;

	if (s->state == S_DEAD) {
		return -EPIPE;
	}
	if (f->data_len >= 2048 && s->state != S_CONNECTING &&
	    (s->ssl == NULL || s->ktls_tx)) {
		return send_direct(s, f);
	}
	n = axd_obuf_encode(&s->out, f);
	if (n == -ENOMEM) {
		/* A frame lost would leave a client waiting: end the
		 * session, which fails them all. */
		axd_sess_close(s, EHOSTUNREACH, "out of memory");
	}
	if (n < 0) {
		return (int) n;
	}
	if (axd_obuf_queued(&s->out) > g.cfg.max_queued_bytes) {
		/* The peer does not read what we send it. */
		axd_sess_close(s, EHOSTUNREACH, "peer not reading");
		return -EPIPE;
	}
	if (s->peer != NULL) {
		s->peer->tx_frames++;
		s->peer->tx_bytes += (uint64_t) n;
	}
	return 0;
}

void
axd_stream_add(struct axd_sess *s, struct axd_stream *st)
{
	if (st->queued) {
		return;
	}
	st->queued = true;
	st->next = NULL;
	if (s->st_head == NULL) {
		s->st_tail = &s->st_head;
	}
	*s->st_tail = st;
	s->st_tail = &st->next;
}

void
axd_stream_remove(struct axd_sess *s, struct axd_stream *st)
{
	struct axd_stream **pp;

	if (!st->queued) {
		return;
	}
	for (pp = &s->st_head; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == st) {
			*pp = st->next;
			break;
		}
	}
	s->st_tail = &s->st_head;
	while (*s->st_tail != NULL) {
		s->st_tail = &(*s->st_tail)->next;
	}
	st->queued = false;
}

/* Watches the socket for output when there is something to write, the
 * TCP connect is in progress, or the TLS handshake waits to write. */
void
axd_sess_events(struct axd_sess *s)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = s->id};

	if (s->want_out || s->state == S_CONNECTING ||
	    (s->state == S_TLS && s->link_want_write)) {
		ev.events |= EPOLLOUT;
	}
	if (s->fd < 0 || ev.events == s->events) {
		return;
	}
	s->events = ev.events;
	(void) epoll_ctl(g.epfd, EPOLL_CTL_MOD, s->fd, &ev);
}

static void
sess_want_out(struct axd_sess *s, bool want)
{
	s->want_out = want;
	axd_sess_events(s);
}

/*
 * Output is written once per loop iteration: axd_flush() only marks the
 * session (on g.dirty), and axd_flush_all(), at the end of the
 * iteration, writes each marked session's frames with one write (one
 * SSL_write over TLS), however many were queued meanwhile.
 */
void
axd_flush(struct axd_sess *s)
{
	if (s->dirty || s->state == S_DEAD) {
		return;
	}
	s->dirty = true;
	s->dnext = g.dirty;
	g.dirty = s;
}

void
axd_flush_all(void)
{
	/* Writing may produce more (streams) and mark other sessions. */
	while (g.dirty != NULL) {
		struct axd_sess *s = g.dirty;

		g.dirty = s->dnext;
		s->dirty = false;
		s->dnext = NULL;
		axd_flush_now(s);
	}
}

void
axd_sess_dirty_remove(struct axd_sess *s)
{
	struct axd_sess **pp;

	if (!s->dirty) {
		return;
	}
	for (pp = &g.dirty; *pp != NULL; pp = &(*pp)->dnext) {
		if (*pp == s) {
			*pp = s->dnext;
			break;
		}
	}
	s->dirty = false;
}

/*
 * Writes what the session has to send without blocking: one chunk of
 * each stream in turn, so that a large message never holds up the small
 * ones queued behind it, gathered in the output buffer until it holds
 * AXD_FLUSH_BYTES or the streams are done, and then written at once: the
 * frames of a batch of messages share one send (one SSL_write).
 */
void
axd_flush_now(struct axd_sess *s)
{
	while (s->state != S_DEAD && s->state != S_CONNECTING &&
	    s->state != S_TLS) {
		size_t q = axd_obuf_queued(&s->out);

		if (q > 0 && q < AXD_FLUSH_BYTES && s->st_head != NULL &&
		    s->state == S_UP) {
			goto produce; /* room for more before the write */
		}
		if (q > 0) {
			ssize_t n = axd_link_send(s, s->out.buf + s->out.off,
			    axd_obuf_queued(&s->out));

			if (n == -EINTR) {
				continue;
			}
			if (n == -EAGAIN) {
				sess_want_out(s, true);
				return;
			}
			if (n <= 0) {
				axd_sess_close(s, EHOSTUNREACH, "send failed");
				return;
			}
			s->out.off += (size_t) n;
			s->last_tx = axd_now();
			continue;
		}
		s->out.off = s->out.len = 0;
		if (s->st_head == NULL || s->state != S_UP) {
			break;
		}
	produce:;
		struct axd_stream *st = s->st_head;
		s->st_head = st->next;
		if (s->st_head == NULL) {
			s->st_tail = &s->st_head;
		}
		st->queued = false;
		if (st->produce(s, st)) {
			axd_stream_add(s, st);
		}
	}
	sess_want_out(s, false);
}
