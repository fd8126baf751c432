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

/*
 * Large frames gathered while a session's streams produce (axd_flush_now,
 * axd_send_frame_held): consecutive ones go to the socket together, from
 * where their data lies, in one sendmsg with whatever the buffer held
 * before them.  At most BATCH_FRAMES, and about as many bytes as the
 * socket took at once the last time it could not take all
 * (s->batch_room, from BATCH_ROOM0 up to BATCH_ROOM_MAX), so that little
 * of what it does not take has to be copied into the buffer.  A frame
 * queued any other way writes the gathered ones first: frames keep their
 * order.  One loop thread: one batch, of the session whose output is
 * being written.
 */
#define BATCH_FRAMES   16u
#define BATCH_ROOM0    (256u << 10)
#define BATCH_ROOM_MAX (1u << 20)

struct bframe {
	uint8_t head[AXON_WIRE_HDR_SIZE + 256];
	size_t hlen;
	const uint8_t *data;
	size_t dlen;
	void (*release)(void *); /* once the data has been sent or copied */
	void *ref;
};

static struct {
	struct axd_sess *s; /* whose output is being written (NULL: none) */
	unsigned n;
	size_t bytes;
	bool full;          /* the socket took not all of the last batch */
	struct bframe f[BATCH_FRAMES];
} batch;

static bool
direct_ok(const struct axd_sess *s, const struct axon_wire_frame *f)
{
	return f->data_len >= 2048 && s->state != S_CONNECTING &&
	    (s->ssl == NULL || s->ktls_tx);
}

/* Appends [p, p + len) less the first *skip bytes to s's buffer (room
 * reserved by the caller). */
static void
obuf_put(struct axd_obuf *o, const uint8_t *p, size_t len, size_t *skip)
{
	if (*skip >= len) {
		*skip -= len;
		return;
	}
	memcpy(o->buf + o->len, p + *skip, len - *skip);
	o->len += len - *skip;
	*skip = 0;
}

/* Writes the gathered frames.  0: all went; 1: the socket is full and the
 * rest is queued (EPOLLOUT watched); -EPIPE, -ENOMEM: the session ended.
 * The frames' data is released in any case. */
static int
batch_write(void)
{
	struct axd_sess *s = batch.s;
	struct iovec iov[1 + 2 * BATCH_FRAMES];
	struct msghdr mh = {.msg_iov = iov};
	size_t q, total, k = 0, skip;
	unsigned i;
	ssize_t n;
	int rc = 0;

	if (batch.n == 0) {
		return 0;
	}
	if (s->state == S_DEAD) {
		rc = -EPIPE;
		goto out;
	}
	q = axd_obuf_queued(&s->out);
	total = q + batch.bytes;
	if (q > 0) {
		iov[k++] = (struct iovec){s->out.buf + s->out.off, q};
	}
	for (i = 0; i < batch.n; i++) {
		iov[k++] = (struct iovec){batch.f[i].head, batch.f[i].hlen};
		iov[k++] = (struct iovec){(void *) batch.f[i].data,
		    batch.f[i].dlen};
	}
	mh.msg_iovlen = k;
	do {
		n = sendmsg(s->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		axd_sess_close(s, EHOSTUNREACH, "send failed");
		rc = -EPIPE;
		goto out;
	}
	if (n < 0) {
		n = 0;
	}
	if (n > 0) {
		s->last_tx = axd_now();
	}
	if ((size_t) n == total) {
		s->out.off = s->out.len = 0;
		if (s->batch_room < BATCH_ROOM_MAX) {
			s->batch_room *= 2;
		}
	} else {
		/* What the socket did not take is queued, in order, and
		 * the next batch is no larger than what it took. */
		size_t took = (size_t) n > q ? (size_t) n - q : 0;

		s->batch_room = took > AXD_CHUNK ? took : AXD_CHUNK;
		skip = (size_t) n;
		if (skip < q) {
			s->out.off += skip;
			skip = 0;
		} else {
			skip -= q;
			s->out.off = s->out.len = 0;
		}
		if (axd_obuf_reserve(&s->out, total - (size_t) n) < 0) {
			axd_sess_close(s, EHOSTUNREACH, "out of memory");
			rc = -ENOMEM;
			goto out;
		}
		for (i = 0; i < batch.n; i++) {
			obuf_put(&s->out, batch.f[i].head, batch.f[i].hlen,
			    &skip);
			obuf_put(&s->out, batch.f[i].data, batch.f[i].dlen,
			    &skip);
		}
		sess_want_out(s, true);
		batch.full = true;
		rc = 1;
	}
	if (s->peer != NULL) {
		s->peer->tx_frames += batch.n;
		s->peer->tx_bytes += batch.bytes;
	}
out:
	for (i = 0; i < batch.n; i++) {
		if (batch.f[i].release != NULL) {
			batch.f[i].release(batch.f[i].ref);
		}
	}
	batch.n = 0;
	batch.bytes = 0;
	return rc;
}

int
axd_send_frame_held(struct axd_sess *s, const struct axon_wire_frame *f,
    void (*release)(void *), void *ref)
{
	int rc;

	if (batch.s == s && s->state != S_DEAD && direct_ok(s, f)) {
		struct bframe *b = &batch.f[batch.n];
		long h = axon__wire_encode_head(f, b->head, sizeof(b->head));

		if (h < 0) {
			axd_log(AXD_ERR, "cannot encode frame type %d: %s",
			    f->type, strerror((int) -h));
			if (release != NULL) {
				release(ref);
			}
			return (int) h;
		}
		b->hlen = (size_t) h;
		b->data = f->data;
		b->dlen = f->data_len;
		b->release = release;
		b->ref = ref;
		batch.n++;
		batch.bytes += (size_t) h + f->data_len;
		if (s->batch_room == 0) {
			s->batch_room = BATCH_ROOM0;
		}
		if (batch.n == BATCH_FRAMES || batch.bytes >= s->batch_room) {
			rc = batch_write();
			return rc < 0 ? -EPIPE : 0;
		}
		return 0;
	}
	rc = axd_send_frame(s, f);
	if (release != NULL) {
		release(ref);
	}
	return rc;
}

/* Queues one frame on the session.  Frames go out in the order queued. */
int
axd_send_frame(struct axd_sess *s, const struct axon_wire_frame *f)
{
	long n;

	if (s->state == S_DEAD) {
		return -EPIPE;
	}
	if (batch.s == s && batch.n > 0 && batch_write() < 0) {
		return -EPIPE; /* the gathered frames go first */
	}
	if (direct_ok(s, f)) {
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
	struct axd_sess *outer = batch.s;

	if (outer != s) {
		(void) batch_write(); /* (none: one session at a time) */
		batch.s = s;
	}
	batch.full = false;
	while (s->state != S_DEAD && s->state != S_CONNECTING &&
	    s->state != S_TLS) {
		size_t q = axd_obuf_queued(&s->out);

		if (batch.full) {
			goto out; /* until EPOLLOUT (batch_write watches) */
		}
		if ((q > 0 || batch.n > 0) && q < AXD_FLUSH_BYTES &&
		    s->st_head != NULL && s->state == S_UP) {
			goto produce; /* room for more before the write */
		}
		if (batch.n > 0) {
			/* With what the buffer holds before them. */
			if (batch_write() != 0) {
				goto out; /* full (EPOLLOUT), or ended */
			}
			continue;
		}
		if (q > 0) {
			ssize_t n = axd_link_send(s, s->out.buf + s->out.off,
			    axd_obuf_queued(&s->out));

			if (n == -EINTR) {
				continue;
			}
			if (n == -EAGAIN) {
				sess_want_out(s, true);
				goto out;
			}
			if (n <= 0) {
				axd_sess_close(s, EHOSTUNREACH, "send failed");
				goto out;
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
	if (batch_write() == 0) {
		sess_want_out(s, false);
	}
out:
	(void) batch_write(); /* a session that ended: released */
	batch.s = outer;
	batch.full = false;
}
