/* SPDX-License-Identifier: MIT */
/*
 * Server connections: the handshake, control messages from clients, and
 * what happens when a client goes away.  Runs mostly on the monitor
 * thread; receivers call axon__sconn_drain() when a message names a big
 * buffer whose descriptor is still in the socket.
 *
 * Everything that comes from the client (the socket and the shared
 * region) is validated before it is used.  A client that breaks the
 * protocol is disconnected; nothing it sends can make the server assert,
 * block or touch memory outside that client's own mappings.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

struct axon_sconn *
axon__sconn_get(int idx)
{
	struct axon_sconn *sc = NULL;

	if (idx < AXON_SCOID_MIN || idx > AXON_MAX_SCONNS) {
		return NULL;
	}
	pthread_mutex_lock(&axon__proc.lock);
	if (axon__proc.sconns != NULL && axon__proc.inited) {
		sc = axon__proc.sconns[idx];
	}
	if (sc != NULL) {
		atomic_fetch_add(&sc->refs, 1);
	}
	pthread_mutex_unlock(&axon__proc.lock);
	return sc;
}

void
axon__sconn_put(struct axon_sconn *sc)
{
	if (sc == NULL || atomic_fetch_sub(&sc->refs, 1) != 1) {
		return;
	}
	for (unsigned i = 0; i < AXON_SLOTS; i++) {
		if (sc->slot[i].big != NULL) {
			(void) munmap(sc->slot[i].big, sc->slot[i].big_size);
		}
	}
	while (sc->zombies != NULL) {
		struct axon_zombie *z = sc->zombies;

		sc->zombies = z->next;
		(void) munmap(z->map, z->size);
		free(z);
	}
	if (sc->rgn != NULL) {
		(void) munmap(sc->rgn, AXON_REGION_SIZE);
	}
	if (sc->sock >= 0) {
		(void) close(sc->sock);
	}
	if (sc->bell >= 0) {
		axon__close_untrusted(sc->bell);
	}
	if (sc->chan != NULL) {
		axon__chan_put(sc->chan);
	}
	pthread_mutex_destroy(&sc->lock);
	free(sc);
}

/* Removes sc from the scoid table (proc.lock taken here). */
static void
sconn_unpublish(struct axon_sconn *sc)
{
	bool drop = false;

	_Atomic uint64_t *held = NULL;

	pthread_mutex_lock(&axon__proc.lock);
	if (sc->idx > 0 && axon__proc.sconns[sc->idx] == sc) {
		axon__proc.sconns[sc->idx] = NULL;
		drop = true;
		/* Its status page entry may go to another connection now:
		 * no store into it from here on. */
		pthread_mutex_lock(&sc->lock);
		held = sc->ps_held;
		sc->ps_held = NULL;
		sc->ps_mask = 0;
		pthread_mutex_unlock(&sc->lock);
		axon__ps_client_del(held);
	}
	pthread_mutex_unlock(&axon__proc.lock);
	if (drop) {
		axon__sconn_put(sc); /* the table's reference */
	}
}

/* Checks that fd is a memfd sealed against shrinking, of at least size
 * bytes, and maps it.  A client cannot then make us fault (SIGBUS). */
static int
map_sealed(int fd, uint64_t size, void **ret_map)
{
	struct stat st;
	int seals;
	void *m;

	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
		return -EPROTO;
	}
	if (fstat(fd, &st) < 0 || (uint64_t) st.st_size < size) {
		return -EPROTO;
	}
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		return -ENOMEM;
	}
	*ret_map = m;
	return 0;
}

static void send_connected(int sock, int err, int scoid, unsigned chflags,
    int fd);
static int sconn_drain_n(struct axon_sconn *sc, unsigned max);

/* The most control messages a receiver reads from one connection's
 * socket when its bell rings: more than the socket holds at once (a
 * SEQPACKET socket's pulses take about 770 bytes of the sender's buffer
 * each, 212 992 bytes by default: under 300), so that it takes every
 * pulse already sent (axon__sconn_chan_bell). */
#define AXON_PULSE_DRAIN_MAX 4096u

/* Accepts every pending connection (monitor thread). */
void
axon__sconn_accept(void)
{
	for (;;) {
		struct axon_sconn *sc;
		int fd = accept4(axon__proc.listen_fd, NULL, NULL,
		    SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0 && (errno == EMFILE || errno == ENFILE) &&
		    axon__proc.spare_fd >= 0) {
			/* Out of descriptors: the listening socket stays
			 * readable (the monitor would spin) and the client
			 * would wait for its connect timeout.  Give up the
			 * spare, take the connection and refuse it at once:
			 * the client's ConnectAttach fails with EAGAIN. */
			(void) close(axon__proc.spare_fd);
			fd = accept4(axon__proc.listen_fd, NULL, NULL,
			    SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (fd >= 0) {
				send_connected(fd, EAGAIN, 0, 0, -1);
				(void) close(fd);
			}
			axon__proc.spare_fd = open("/dev/null",
			    O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				continue;
			}
		}
		if (fd < 0) {
			return; /* EAGAIN, or out of fds: try again later */
		}
		sc = calloc(1, sizeof(*sc));
		if (sc == NULL) {
			(void) close(fd);
			continue;
		}
		sc->sock = fd;
		sc->bell = -1;
		atomic_init(&sc->refs, 1); /* the monitor's registration */
		pthread_mutex_init(&sc->lock, NULL);
		if (axon__mon_add(fd, AXON_TAG_SCONN, sc) < 0) {
			axon__sconn_put(sc);
		}
	}
}

static void
send_connected(int sock, int err, int scoid, unsigned chflags, int fd)
{
	struct axon_ctl m;

	axon__ctl_init(&m, AXON_CTL_CONNECTED);
	m.u.connected.err = err;
	m.u.connected.scoid = scoid;
	m.u.connected.chflags = chflags;
	m.u.connected.srv_pid = axon__proc.pid;
	m.u.connected.srv_start = axon__proc.start_time;
	(void) axon__sendmsg_fd(sock, &m, sizeof(m), fd);
}

/*
 * Whether fd is an eventfd, asking /proc (which does not call into the
 * file): only an eventfd is taken as a bell.  Anything else a client
 * could pass might stall us: an epoll set whose lock it holds, a FUSE
 * file whose poll never answers, a socket whose close lingers.
 */
static bool
is_eventfd(int fd)
{
	char path[64];
	char link[32];
	ssize_t n;

	/* thread-self: /proc/self/fd is gone once the main thread has
	 * exited (a QNX server's POOL_FLAG_EXIT_SELF). */
	(void) snprintf(path, sizeof(path), "/proc/thread-self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0) {
		return false;
	}
	link[n] = '\0';
	return strcmp(link, "anon_inode:[eventfd]") == 0;
}

/* The first packet on a new connection.  Returns 0 when the connection
 * is established, or a negative errno after which the caller drops it. */
static int
sconn_hello(struct axon_sconn *sc)
{
	struct axon_proc *p = &axon__proc;
	struct axon_ctl m;
	struct ucred cr;
	socklen_t crl = sizeof(cr);
	struct axon_chan *chan;
	uint8_t buf[sizeof(m) + 1];
	ssize_t n;
	int fds[2];
	int fd;   /* the region */
	int bell; /* the client's eventfd (docs/design/local-transport.md §4) */
	int err = 0;
	int idx = -1;
	int rc;

	n = axon__recvmsg_fds(sc->sock, buf, sizeof(buf), fds, 2, MSG_DONTWAIT);
	fd = fds[0];
	bell = fds[1];
	if (n == -EAGAIN) {
		return 0; /* not here yet */
	}
	if (n <= 0) {
		rc = n == 0 ? -ECONNRESET : (int) n;
		goto out;
	}
	rc = axon__ctl_decode(buf, (size_t) n, &m);
	if (rc < 0 || m.type != AXON_CTL_CONNECT) {
		rc = -EPROTO;
		goto out;
	}
	if (fd < 0 || bell < 0) {
		/* Not sent, or we are out of descriptors (the kernel then
		 * drops what it cannot install): the client may retry. */
		send_connected(sc->sock, EAGAIN, 0, 0, -1);
		rc = -EAGAIN;
		goto out;
	}
	if (!is_eventfd(bell)) {
		send_connected(sc->sock, EINVAL, 0, 0, -1);
		rc = -EPROTO;
		goto out;
	}
	if (getsockopt(sc->sock, SOL_SOCKET, SO_PEERCRED, &cr, &crl) < 0) {
		rc = -errno;
		goto out;
	}
	sc->pid = cr.pid;
	sc->uid = cr.uid;
	sc->gid = cr.gid;
	sc->nd = 0;
	if (m.u.connect.flags & AXON_CONNF_NET) {
		/* A virtual client: a process of another node, which only
		 * this node's network manager may present (NetCred). */
		pid_t mgr;

		if (m.u.connect.nd != 0 || axon__netmgr_pid(&mgr) < 0 ||
		    mgr != cr.pid) {
			send_connected(sc->sock, EPERM, 0, 0, -1);
			rc = -EPERM;
			goto out;
		}
		sc->virt = true;
		sc->ncred = m.u.connect.net;
		sc->nd = m.u.connect.net.nd;
		sc->pid = m.u.connect.net.pid;
		sc->uid = m.u.connect.net.euid;
		sc->gid = m.u.connect.net.egid;
	}
	if (m.u.connect.nd != 0) {
		/* For another node: only this node's network manager, the
		 * owner of the _NTO_CHF_NET_MSG channel, takes those. */
		sc->target_nd = m.u.connect.nd;
		sc->target_pid = m.u.connect.pid;
		sc->target_chid = m.u.connect.chid;
		chan = axon__chan_get_net();
		if (chan == NULL) {
			err = ENOREMOTE;
		}
	} else {
		chan = axon__chan_get(m.u.connect.chid);
		if (m.u.connect.pid != (int32_t) p->pid || chan == NULL) {
			err = ESRCH;
		}
	}
	if (err != 0) {
		/* reported below */
	} else if ((chan->flags & _NTO_CHF_PRIVATE) &&
	    (cr.pid != p->pid || sc->virt)) {
		err = EPERM;
	}
	if (err != 0) {
		axon__chan_put(chan);
		send_connected(sc->sock, err, 0, 0, -1);
		rc = -err;
		goto out;
	}
	rc = map_sealed(fd, AXON_REGION_SIZE, (void **) &sc->rgn);
	if (rc < 0) {
		axon__chan_put(chan);
		send_connected(sc->sock, EINVAL, 0, 0, -1);
		goto out;
	}
	sc->chan = chan;
	/* Whom the client's first messages boost: the thread last
	 * receiving on the channel (boost.c; later, the one that last
	 * took a message of this connection). */
	if (!(chan->flags & _NTO_CHF_FIXED_PRIORITY)) {
		atomic_store(&sc->rgn->srv_tid, atomic_load(&chan->last_tid));
	}
	/* The client that connected, not a later process of its pid (one
	 * that connected, handed its socket on and exited).  The pidfd is
	 * not kept: ConnectClientInfo() makes another from the socket when
	 * it needs one (axon__peer_alive), and the start time stands in
	 * where it cannot. */
	errno = 0;
	sc->start = axon__proc_start_time(cr.pid); /* (before: see below) */
	rc = sc->start != 0 ? axon__peer_pidfd(sc->sock, &cr)
	    : errno == EMFILE || errno == ENFILE ? -EMFILE
	    : -ESRCH;
	if (rc < 0) {
		/* (Out of descriptors, the client may retry; one gone has
		 * nobody to tell.) */
		rc = rc == -EMFILE ? -EAGAIN : -ESRCH;
		if (rc == -EAGAIN) {
			send_connected(sc->sock, EAGAIN, 0, 0, -1);
		}
		goto out;
	}
	/* The process lives, so the start time read before is its own. */
	(void) close(rc);

	pthread_mutex_lock(&p->lock);
	for (int tries = 0; tries < AXON_MAX_SCONNS; tries++) {
		int i = p->next_sconn;

		if (i < AXON_SCOID_MIN) {
			i = AXON_SCOID_MIN;
		}
		p->next_sconn = i >= AXON_MAX_SCONNS ? AXON_SCOID_MIN : i + 1;
		if (p->sconns[i] == NULL) {
			idx = i;
			break;
		}
	}
	if (idx > 0) {
		sc->idx = idx;
		/* (cr.pid: a network manager's virtual client is its own
		 * connection, whoever it presents.) */
		sc->ps_held = axon__ps_client_add(idx | _NTO_SIDE_CHANNEL,
		    cr.pid);
		atomic_fetch_add(&sc->refs, 1); /* the table's reference */
		p->sconns[idx] = sc;
	}
	pthread_mutex_unlock(&p->lock);
	if (idx < 0) {
		send_connected(sc->sock, EAGAIN, 0, 0, -1);
		rc = -EAGAIN;
		goto out;
	}
	/* The connection's bell goes into the channel's set, tagged with
	 * the scoid index; we keep it until the connection dies
	 * (sconn_dead), when it leaves the set whatever the client keeps. */
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET,
	    .data.u64 = (uint64_t) idx};
	if (epoll_ctl(chan->epfd, EPOLL_CTL_ADD, bell, &ev) < 0) {
		err = errno == ENOMEM || errno == ENOSPC ? EAGAIN : EINVAL;
		send_connected(sc->sock, err, 0, 0, -1);
		rc = -err;
		goto out;
	}
	sc->bell = bell;
	bell = -1;
	/* A connection published after ChannelDestroy went through the
	 * table would never be killed: refuse it.  (ChannelDestroy sets
	 * destroyed, then kills what is in the table.) */
	pthread_mutex_lock(&chan->lock);
	bool gone = chan->destroyed;
	pthread_mutex_unlock(&chan->lock);
	if (gone) {
		send_connected(sc->sock, ESRCH, 0, 0, -1);
		rc = -ESRCH;
		goto out;
	}
	pthread_mutex_lock(&sc->lock);
	sc->hello_done = true;
	pthread_mutex_unlock(&sc->lock);
	send_connected(sc->sock, 0, idx | _NTO_SIDE_CHANNEL, chan->flags, -1);
	rc = 0;
out:
	axon__close_untrusted(fd);
	axon__close_untrusted(bell);
	return rc;
}

/*
 * Queues the message in slot of sc if it is posted and not queued yet.
 * sc->lock held.  Returns the item to enqueue (the caller enqueues it
 * after dropping sc->lock), or NULL.
 */
static struct axon_qitem *
sconn_take_token(struct axon_sconn *sc, uint32_t slot)
{
	struct axon_sslot *ss = &sc->slot[slot];
	struct axon_qitem *it;
	uint32_t st;
	int32_t prio;

	if (sc->dead || !sc->hello_done || ss->queued || ss->received) {
		return NULL;
	}
	st = atomic_load_explicit(&sc->rgn->slot[slot].state,
	    memory_order_acquire);
	if (AXON_ST_PHASE(st) != AXON_PH_SENT) {
		return NULL;
	}
	prio = sc->rgn->slot[slot].prio;
	if ((prio & ~0x1ff) != 0) {
		prio = 10; /* nonsense from the client: treat as default */
	}
	it = calloc(1, sizeof(*it));
	if (it == NULL) {
		return NULL;
	}
	it->prio = prio & 0xff;
	it->stamp = axon__clamp_stamp(sc->rgn->slot[slot].stamp);
	it->sc = sc;
	atomic_fetch_add(&sc->refs, 1);
	it->slot = slot;
	it->seq = AXON_ST_SEQ(st);
	ss->queued = true;
	return it;
}

/* Queues slot of sc (a connection of chan, referenced by the caller) if
 * it holds a posted message not queued yet.  Returns 1 if it did. */
int
axon__sconn_chan_slot(struct axon_chan *chan, struct axon_sconn *sc,
    uint32_t slot)
{
	struct axon_qitem *it;

	pthread_mutex_lock(&sc->lock);
	it = sconn_take_token(sc, slot);
	pthread_mutex_unlock(&sc->lock);
	if (it == NULL) {
		return 0;
	}
	pthread_mutex_lock(&chan->lock);
	/* no wake-up: the caller is a receiver */
	axon__chan_insert(chan, it);
	pthread_mutex_unlock(&chan->lock);
	return 1;
}

/*
 * The bell tagged tag rang (its epoll event): queues the slots its
 * client marked posted.  Marks are hints: one that names a slot not
 * posted is ignored, and a tag left by a connection that is gone names
 * at worst another connection, whose marks are checked the same way.
 * Returns how many messages were queued.
 */
int
axon__sconn_chan_bell(struct axon_chan *chan, uint64_t tag)
{
	struct axon_sconn *sc;
	uint64_t marks;
	int q = 0;

	if (tag < AXON_SCOID_MIN || tag > AXON_MAX_SCONNS) {
		return 0;
	}
	sc = axon__sconn_get((int) tag);
	if (sc == NULL) {
		return 0;
	}
	if (sc->chan == chan && sc->rgn != NULL) {
		marks = atomic_exchange(&sc->rgn->posted, 0);
		while (marks != 0) {
			uint32_t slot = (uint32_t) __builtin_ctzll(marks);

			marks &= marks - 1;
			q += axon__sconn_chan_slot(chan, sc, slot);
		}
		/* A boost that may have outlived its message (boost.c). */
		if (atomic_load_explicit(&sc->rgn->unboost,
			memory_order_relaxed) != 0 &&
		    atomic_exchange(&sc->rgn->unboost, 0) != 0) {
			axon__prio_recheck();
		}
		/* Pulses in the socket: queued now, by the receiver, rather
		 * than whenever the monitor thread runs (the client marks
		 * them after sending).  A broken protocol is the monitor's
		 * to bury: it sees the hang-up. */
		if (atomic_exchange(&sc->rgn->pulsed, 0) != 0) {
			int rc;

			/* All that is in the socket, so that every pulse sent
			 * before this receive is on the queue before the
			 * receiver chooses (the client rings once per burst).
			 * Bounded all the same: a client that keeps writing
			 * must not hold a receiver (and the connection's
			 * lock) here; the bound is more than a connection's
			 * socket holds at once (MsgSendPulse's EAGAIN). */
			pthread_mutex_lock(&sc->lock);
			rc = sc->hello_done ?
			    sconn_drain_n(sc, AXON_PULSE_DRAIN_MAX) : 0;
			pthread_mutex_unlock(&sc->lock);
			if (rc < 0) {
				axon__sconn_kill(sc);
			}
		}
	}
	axon__sconn_put(sc);
	return q;
}

/*
 * Takes the marks of every connection of chan, as if all their bells had
 * rung.  For a receiver cancelled in its sleep, which may have taken
 * bell events with it (docs/design/local-transport.md §4).  Returns how
 * many messages were queued.
 */
int
axon__sconn_chan_sweep(struct axon_chan *chan)
{
	int q = 0;

	for (int i = AXON_SCOID_MIN; i <= AXON_MAX_SCONNS; i++) {
		struct axon_sconn *sc;

		pthread_mutex_lock(&axon__proc.lock);
		sc = axon__proc.sconns != NULL ? axon__proc.sconns[i] : NULL;
		bool ours = sc != NULL && sc->chan == chan;
		pthread_mutex_unlock(&axon__proc.lock);
		if (ours) {
			q += axon__sconn_chan_bell(chan, (uint64_t) i);
		}
	}
	return q;
}

static int
sconn_buf(struct axon_sconn *sc, const struct axon_ctl *m, int fd)
{
	struct axon_sslot *ss = &sc->slot[m->u.buf.slot];
	void *map;
	int rc;

	if (fd < 0) {
		return -EPROTO;
	}
	rc = map_sealed(fd, m->u.buf.size, &map);
	if (rc < 0) {
		return rc;
	}
	if (ss->received) {
		/* Never swap the buffer under a live rcvid. */
		(void) munmap(map, m->u.buf.size);
		return -EPROTO;
	}
	if (ss->big != NULL) {
		struct axon_zombie *z = sc->peeks > 0 ? malloc(sizeof(*z))
						      : NULL;

		if (z != NULL) {
			z->map = ss->big;
			z->size = ss->big_size;
			z->next = sc->zombies;
			sc->zombies = z;
		} else if (sc->peeks > 0) {
			(void) munmap(map, m->u.buf.size);
			return -ENOMEM;
		} else {
			(void) munmap(ss->big, ss->big_size);
		}
	}
	ss->big = map;
	ss->big_size = m->u.buf.size;
	ss->big_gen = m->u.buf.gen;
	return 0;
}

static void
sconn_unblock(struct axon_sconn *sc, const struct axon_ctl *m)
{
	uint32_t slot = m->u.slot.slot;
	struct axon_sslot *ss = &sc->slot[slot];
	int32_t rcvid;

	if (!ss->received || ss->seq != m->u.slot.seq ||
	    ss->unblock_reason != 0) {
		return;
	}
	/* (Only the network manager has a use for SENDONLY: its remote
	 * client's timeout was for the SEND state alone.) */
	ss->unblock_reason = (sc->chan->flags & _NTO_CHF_NET_MSG)
	    ? m->u.slot.reason
	    : m->u.slot.reason & ~AXON_UNBLOCK_SENDONLY;
	rcvid = ((int32_t) ss->gen << 22) | ((int32_t) slot << 16) | sc->idx;
	struct axon_qitem *it = calloc(1, sizeof(*it));
	if (it == NULL) {
		return;
	}
	it->is_pulse = true;
	it->prio = ss->prio & 0xff;
	it->pulse.code = _PULSE_CODE_UNBLOCK;
	it->pulse.value.sival_int = rcvid;
	it->pulse.scoid = sc->idx | _NTO_SIDE_CHANNEL;
	it->unblock_rcvid = rcvid;
	it->stamp = axon__now_ns();
	axon__chan_enqueue(sc->chan, it);
}

static void
sconn_abandon(struct axon_sconn *sc, const struct axon_ctl *m)
{
	uint32_t slot = m->u.slot.slot;
	struct axon_sslot *ss = &sc->slot[slot];
	uint32_t want = AXON_ST_MAKE(AXON_PH_ABANDONED, 0, m->u.slot.seq);
	int32_t rcvid;

	if (ss->received && ss->seq == m->u.slot.seq) {
		rcvid = ((int32_t) ss->gen << 22) | ((int32_t) slot << 16) |
		    sc->idx;
		ss->received = false;
		axon__ps_hold(sc, slot, false);
		axon__chan_drop_unblock(sc->chan, rcvid);
	}
	/* Hand the slot back; only if it really is the abandoned one. */
	(void) atomic_compare_exchange_strong(&sc->rgn->slot[slot].state,
	    &want, AXON_ST_MAKE(AXON_PH_FREE, 0, m->u.slot.seq));
}

static int
pulse_permitted(const struct axon_sconn *sc)
{
	uid_t r, e, s;

	if (sc->uid == 0 || getresuid(&r, &e, &s) < 0) {
		return 1;
	}
	return sc->uid == r || sc->uid == s;
}

/*
 * Reads and applies queued control messages, at most max of them (0: all
 * there are).  sc->lock held.  Returns 0, or a negative errno when the
 * client broke the protocol or hung up (the caller then kills the
 * connection).
 */
static int sconn_drain_batch(struct axon_sconn *sc, unsigned max,
    struct axon_qitem ***tail);

/*
 * The pulses of one drain go on the queue together, under one hold of
 * the channel's lock, and one receiver is woken after: a receiver that
 * took from the queue while they went on one by one would take the
 * highest of those there so far, and a higher one of the same burst,
 * read a moment later, would come out after it (test_pulse_burst_race).
 */
static int
sconn_drain_n(struct axon_sconn *sc, unsigned max)
{
	struct axon_qitem *batch = NULL;
	struct axon_qitem **tail = &batch;
	int rc = sconn_drain_batch(sc, max, &tail);

	if (batch != NULL) {
		struct axon_chan *chan = sc->chan;

		pthread_mutex_lock(&chan->lock);
		while (batch != NULL) {
			struct axon_qitem *it = batch;

			batch = it->next;
			if (chan->destroyed) {
				free(it);
			} else {
				axon__chan_insert(chan, it);
			}
		}
		if (!chan->destroyed) {
			axon__chan_wake(chan, true);
		}
		pthread_mutex_unlock(&chan->lock);
	}
	return rc;
}

/* Reads up to max notices (0: all there are); the pulses among them
 * are appended at *tail, in the order they came. */
static int
sconn_drain_batch(struct axon_sconn *sc, unsigned max,
    struct axon_qitem ***tail)
{
	for (unsigned done = 0; max == 0 || done < max; done++) {
		struct axon_ctl m;
		uint8_t buf[sizeof(m) + 1];
		int fd = -1;
		ssize_t n;
		int rc = 0;

		if (sc->sock < 0 || sc->dead) {
			return -ECONNRESET;
		}
		n = axon__recvmsg_fd(sc->sock, buf, sizeof(buf), &fd,
		    MSG_DONTWAIT);
		if (n == -EAGAIN) {
			return 0;
		}
		if (n <= 0) {
			return n == 0 ? -ECONNRESET : (int) n;
		}
		rc = axon__ctl_decode(buf, (size_t) n, &m);
		if (rc == 0 && m.type != AXON_CTL_BUF && fd >= 0) {
			rc = -EPROTO;
		}
		if (rc == 0) {
			switch (m.type) {
			case AXON_CTL_BUF:
				rc = sconn_buf(sc, &m, fd);
				break;
			case AXON_CTL_TOKEN: {
				struct axon_qitem *it =
				    sconn_take_token(sc, m.u.slot.slot);
				if (it != NULL) {
					axon__chan_enqueue(sc->chan, it);
				}
				break;
			}
			case AXON_CTL_UNBLOCK:
				sconn_unblock(sc, &m);
				break;
			case AXON_CTL_ABANDON:
				sconn_abandon(sc, &m);
				break;
			case AXON_CTL_NETCRED:
				if (!sc->virt) {
					rc = -EPROTO;
					break;
				}
				sc->ncred = m.u.netcred;
				sc->uid = m.u.netcred.euid;
				sc->gid = m.u.netcred.egid;
				break;
			case AXON_CTL_PULSE:
				if (pulse_permitted(sc)) {
					union sigval v;
					v.sival_ptr =
					    (void *) (intptr_t) m.u.pulse.value;
					struct axon_qitem *it =
					    axon__pulse_item(m.u.pulse.prio,
						m.u.pulse.code, v,
						sc->idx | _NTO_SIDE_CHANNEL,
						axon__clamp_stamp(
						    m.u.pulse.stamp));
					if (it != NULL) {
						**tail = it;
						*tail = &it->next;
					}
				} else {
					/* Refused, as QNX refuses it (the
					 * sender could not know): counted
					 * on the status page, for axon ps. */
					axon__ps_pulse_refused(sc->uid);
				}
				break;
			default:
				rc = -EPROTO;
				break;
			}
		}
		axon__close_untrusted(fd);
		if (rc < 0) {
			return rc;
		}
	}
	return 0; /* the rest is the monitor's: the socket stays readable */
}

int
axon__sconn_drain(struct axon_sconn *sc)
{
	return sconn_drain_n(sc, 0);
}

/*
 * The client is gone (or broke the protocol, or its channel was
 * destroyed).  Its queued messages are dropped, live rcvids fail with
 * ESRCH from now on, and the channel gets a DISCONNECT pulse if it asked
 * for one; the scoid then stays allocated until ConnectDetach(scoid).
 * Monitor thread only.
 */
static void
sconn_dead(struct axon_sconn *sc)
{
	struct axon_chan *chan = sc->chan;
	bool was_up;
	bool pulse = false;

	pthread_mutex_lock(&sc->lock);
	was_up = sc->hello_done && !sc->dead;
	sc->dead = true;
	pthread_mutex_unlock(&sc->lock);
	axon__mon_del(sc->sock);
	(void) shutdown(sc->sock, SHUT_RDWR);
	if (sc->bell >= 0) {
		/* No more wake-ups from a client that is gone.  (-1 first:
		 * a fork meanwhile must not close a number reused.) */
		int bell = sc->bell;

		sc->bell = -1;
		(void) epoll_ctl(chan->epfd, EPOLL_CTL_DEL, bell, NULL);
		axon__close_untrusted(bell);
	}
	if (chan != NULL && was_up) {
		bool detached;

		axon__chan_drop_sconn(chan, sc);
		pthread_mutex_lock(&sc->lock); /* (before chan->lock) */
		detached = sc->detached;
		pthread_mutex_unlock(&sc->lock);
		pthread_mutex_lock(&chan->lock);
		pulse = !chan->destroyed && !detached &&
		    (chan->flags & _NTO_CHF_DISCONNECT) != 0;
		pthread_mutex_unlock(&chan->lock);
	}
	if (pulse) {
		union sigval v = {.sival_int = 0};

		(void) axon__chan_pulse(chan, 10, _PULSE_CODE_DISCONNECT,
		    v, sc->idx | _NTO_SIDE_CHANNEL);
	} else {
		sconn_unpublish(sc);
	}
	axon__sconn_put(sc); /* the monitor's registration */
}

void
axon__sconn_event(struct axon_sconn *sc, uint32_t events)
{
	int rc = 0;

	if (!sc->hello_done) {
		rc = sconn_hello(sc);
		if (rc < 0) {
			sconn_dead(sc);
			return;
		}
		if (!sc->hello_done) {
			if (events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) {
				sconn_dead(sc);
			}
			return;
		}
	}
	pthread_mutex_lock(&sc->lock);
	rc = axon__sconn_drain(sc);
	pthread_mutex_unlock(&sc->lock);
	if (rc < 0 || (events & (EPOLLHUP | EPOLLERR))) {
		sconn_dead(sc);
	}
}

/* Kills a connection from any thread: the monitor sees the hang-up. */
void
axon__sconn_kill(struct axon_sconn *sc)
{
	pthread_mutex_lock(&sc->lock);
	if (sc->sock >= 0) {
		(void) shutdown(sc->sock, SHUT_RDWR);
	}
	pthread_mutex_unlock(&sc->lock);
}

/* ConnectDetach(scoid): frees a server connection after its DISCONNECT
 * pulse, or cuts a live client off. */
int
axon__sconn_detach(int scoid)
{
	int idx = scoid & ~_NTO_SIDE_CHANNEL;
	struct axon_sconn *sc = axon__sconn_get(idx);

	if (sc == NULL) {
		return -EINVAL;
	}
	axon__sconn_kill(sc);
	pthread_mutex_lock(&sc->lock);
	sc->detached = true;
	pthread_mutex_unlock(&sc->lock);
	sconn_unpublish(sc);
	axon__sconn_put(sc);
	return 0;
}
