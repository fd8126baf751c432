/* SPDX-License-Identifier: MIT */
/*
 * The node's network manager, as libaxon sees it: the process that owns
 * the node's _NTO_CHF_NET_MSG channel (axond) publishes itself in
 * $AXON_RUNDIR/axond ("pid starttime"); ConnectAttach() with a remote node
 * descriptor connects to it.  See docs/design/axond.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg_int.h"

static int
netmgr_path(char *buf, size_t len)
{
	if ((size_t) snprintf(buf, len, "%s/axond", axon__proc.rundir) >=
	    len) {
		return -ENAMETOOLONG;
	}
	return 0;
}

static int
netmgr_read(const char *path, pid_t *ret_pid, unsigned long long *ret_st)
{
	char buf[96];
	struct stat dst;
	struct stat st;
	int pid;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0) {
		return -errno;
	}
	/* Only root or the run directory's owner may claim the node
	 * (axon__netmgr_claim): a file anyone else put there names nobody. */
	if (fstat(fd, &st) < 0 || stat(axon__proc.rundir, &dst) < 0 ||
	    !S_ISREG(st.st_mode) ||
	    (st.st_uid != 0 && st.st_uid != dst.st_uid)) {
		(void) close(fd);
		return -EPERM;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	(void) close(fd);
	if (n <= 0) {
		return -EINVAL;
	}
	buf[n] = '\0';
	if (sscanf(buf, "%d %llu", &pid, ret_st) != 2 || pid <= 0) {
		return -EINVAL;
	}
	*ret_pid = pid;
	return 0;
}

static bool
netmgr_live(pid_t pid, unsigned long long st)
{
	if (kill(pid, 0) < 0 && errno == ESRCH) {
		return false;
	}
	return axon__proc_start_time(pid) == st;
}

int
axon__netmgr_pid(pid_t *ret_pid)
{
	char path[PATH_MAX];
	unsigned long long st;
	pid_t pid;

	if (netmgr_path(path, sizeof(path)) < 0 ||
	    netmgr_read(path, &pid, &st) < 0 || !netmgr_live(pid, st)) {
		return -ENOREMOTE;
	}
	*ret_pid = pid;
	return 0;
}

int
axon__netmgr_claim(void)
{
	struct axon_proc *p = &axon__proc;
	char path[PATH_MAX];
	char tmp[PATH_MAX + 32];
	char buf[64];
	struct stat st;
	int len;
	int fd;
	int rc;

	if (stat(p->rundir, &st) < 0) {
		return -errno;
	}
	if (geteuid() != 0 && geteuid() != st.st_uid) {
		return -EPERM;
	}
	rc = netmgr_path(path, sizeof(path));
	if (rc < 0) {
		return rc;
	}
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int) p->pid);
	fd = axon__tmp_create(tmp);
	if (fd < 0) {
		return fd;
	}
	len = snprintf(buf, sizeof(buf), "%d %llu\n", (int) p->pid,
	    (unsigned long long) p->start_time);
	rc = write(fd, buf, (size_t) len) == len ? 0 : -EIO;
	(void) close(fd);
	for (int tries = 0; rc == 0 && tries < 3; tries++) {
		unsigned long long ost;
		pid_t opid;

		if (link(tmp, path) == 0) {
			(void) unlink(tmp);
			return 0;
		}
		if (errno != EEXIST) {
			rc = -errno;
			break;
		}
		if (netmgr_read(path, &opid, &ost) == 0 &&
		    netmgr_live(opid, ost)) {
			rc = -EAGAIN; /* the node has a network manager */
			break;
		}
		(void) unlink(path); /* a stale one */
	}
	(void) unlink(tmp);
	return rc < 0 ? rc : -EAGAIN;
}

void
axon__netmgr_release(void)
{
	char path[PATH_MAX];
	unsigned long long st;
	pid_t pid;

	if (netmgr_path(path, sizeof(path)) == 0 &&
	    netmgr_read(path, &pid, &st) == 0 && pid == axon__proc.pid) {
		(void) unlink(path);
	}
}

/* ---- the client side of the network manager (internal.h) ---- */

/* Where the client of scoid (a connection to the NET_MSG channel) wants
 * its messages to go. */
int
axon__net_target(int scoid, uint32_t *nd, pid_t *pid, int *chid)
{
	struct axon_sconn *sc;

	if (!(scoid & _NTO_SIDE_CHANNEL)) {
		return -EINVAL;
	}
	sc = axon__sconn_get(scoid & ~_NTO_SIDE_CHANNEL);
	if (sc == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&sc->lock);
	*nd = sc->target_nd;
	*pid = sc->target_pid;
	*chid = sc->target_chid;
	bool dead = sc->dead;
	pthread_mutex_unlock(&sc->lock);
	axon__sconn_put(sc);
	return dead ? -ESRCH : 0;
}

/* The client's cred_hint (shm.h) as of its latest post on scoid, a
 * connection to the NET_MSG channel: 0, or -EINVAL. */
int
axon__net_cred_hint(int scoid, uint32_t *ret_hint)
{
	struct axon_sconn *sc;

	if (!(scoid & _NTO_SIDE_CHANNEL)) {
		return -EINVAL;
	}
	sc = axon__sconn_get(scoid & ~_NTO_SIDE_CHANNEL);
	if (sc == NULL) {
		return -EINVAL;
	}
	*ret_hint = atomic_load_explicit(&sc->rgn->cred_hint,
	    memory_order_relaxed);
	axon__sconn_put(sc);
	return 0;
}

/* Why the client of rcvid asked to be unblocked: EINTR, ETIMEDOUT, or 0
 * if it did not (or the rcvid is gone). */
int
axon__net_unblock_reason(rcvid_t rcvid)
{
	struct axon_sconn *sc;
	uint32_t slot;
	int reason;

	if (axon__rcvid_lock(rcvid, &sc, &slot) < 0) {
		return 0;
	}
	reason = sc->slot[slot].unblock_reason;
	axon__rcvid_unlock(sc);
	return reason;
}

/* The remote server received rcvid's message: its client, SEND-blocked
 * until now (AXON_ST_NETPEND), is REPLY-blocked; a REPLY timeout of its
 * starts to apply (it is woken if it asked, WAKERCV), and axon ps shows
 * it so (the hold bit).  0, or -ESRCH if the rcvid is gone. */
int
axon__net_received(rcvid_t rcvid)
{
	struct axon_sconn *sc;
	uint32_t slot;
	int rc = axon__rcvid_lock(rcvid, &sc, &slot);

	if (rc < 0) {
		return rc;
	}
	_Atomic uint32_t *sp = &sc->rgn->slot[slot].state;
	uint32_t seq = sc->slot[slot].seq;
	uint32_t st = atomic_load(sp);

	while (AXON_ST_PHASE(st) == AXON_PH_RECEIVED &&
	    AXON_ST_SEQ(st) == seq && (st & AXON_ST_NETPEND)) {
		if (atomic_compare_exchange_weak(sp, &st,
			st & ~AXON_ST_NETPEND)) {
			axon__ps_hold(sc, slot, true);
			if (st & AXON_ST_WAKERCV) {
				axon__futex_wake(sp, 1);
			}
			break;
		}
	}
	axon__rcvid_unlock(sc);
	return 0;
}

/* Reply data for rcvid's client lands in its reply area, in order from
 * offset 0 (axon_spi.h): have bytes are there and final, or 0 once that
 * stops holding.  The client, REPLY-blocked, copies them while the rest
 * comes; it is woken (AXON_ST_MORE) once per AXON_AVAIL_STEP, not per
 * chunk (a smaller reply costs no wake-up).  0, or -ESRCH. */
int
axon__net_reply_progress(rcvid_t rcvid, uint32_t have)
{
	struct axon_sconn *sc;
	uint32_t slot;
	int rc;

	if (have > INT32_MAX) {
		return -ESRCH;
	}
	rc = axon__rcvid_lock(rcvid, &sc, &slot);
	if (rc < 0) {
		return rc;
	}
	struct axon_slot *s = &sc->rgn->slot[slot];
	_Atomic uint32_t *sp = &s->state;
	uint32_t seq = sc->slot[slot].seq;
	uint32_t val = have != 0 ? have | AXON_AVAIL_MORE : 0;
	/* (Sequentially consistent, as the client's clearing of
	 * AXON_ST_MORE and its look at avail: one of the two sees the
	 * other.) */
	uint32_t old = atomic_exchange(&s->avail, val);
	uint32_t st = atomic_load(sp);

	/* (0, or less than a step more: nothing to wake the client for.) */
	while (have / AXON_AVAIL_STEP !=
		(old & ~AXON_AVAIL_MORE) / AXON_AVAIL_STEP &&
	    AXON_ST_PHASE(st) == AXON_PH_RECEIVED &&
	    AXON_ST_SEQ(st) == seq && !(st & AXON_ST_MORE)) {
		if (atomic_compare_exchange_weak(sp, &st, st | AXON_ST_MORE)) {
			if (st & AXON_ST_WAITER) {
				axon__futex_wake(sp, 1);
			}
			break;
		}
	}
	axon__rcvid_unlock(sc);
	return 0;
}

/* The priority rcvid's client sent at, with its real-time bit (0x100:
 * a SCHED_FIFO/SCHED_RR sender, so that FIFO 10 is not taken for
 * SCHED_OTHER): what travels to the server's node.  10 if the rcvid is
 * gone. */
int
axon__net_msg_prio(rcvid_t rcvid)
{
	struct axon_sconn *sc;
	uint32_t slot;
	int prio;

	if (axon__rcvid_lock(rcvid, &sc, &slot) < 0) {
		return 10;
	}
	prio = sc->slot[slot].prio & 0x1ff;
	axon__rcvid_unlock(sc);
	return prio;
}

uint32_t
axon__net_msg_tag(rcvid_t rcvid)
{
	struct axon_sconn *sc;
	uint32_t slot;
	uint32_t tag;

	if (axon__rcvid_lock(rcvid, &sc, &slot) < 0) {
		return 0;
	}
	tag = AXON_EVENT_MSG(slot, sc->slot[slot].seq);
	axon__rcvid_unlock(sc);
	return tag;
}

/* Passes an event from a server of another node to the client of scoid:
 * its library delivers it (pulse or signal) as for a local server. */
int
axon__net_deliver_event(int scoid, const struct axon_ctl *ev)
{
	struct axon_sconn *sc;
	int rc;

	if (!(scoid & _NTO_SIDE_CHANNEL)) {
		return -EINVAL;
	}
	sc = axon__sconn_get(scoid & ~_NTO_SIDE_CHANNEL);
	if (sc == NULL) {
		return -ESRCH;
	}
	pthread_mutex_lock(&sc->lock);
	if (sc->dead || sc->sock < 0) {
		rc = -ESRCH;
	} else {
		rc = (int) send(sc->sock, ev, sizeof(*ev),
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		rc = rc < 0 ? -errno : 0;
	}
	pthread_mutex_unlock(&sc->lock);
	axon__sconn_put(sc);
	return rc;
}
