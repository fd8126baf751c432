/* SPDX-License-Identifier: MIT */
/*
 * The status page: what this process publishes about its Axon state for
 * `axon ps` (layout in src/common/psinfo.h, the reader in psinfo.c, the
 * design in docs/design/local-transport.md §10).
 *
 * The page is a file, $AXON_RUNDIR/ps/<pid>, made when the process first
 * uses Axon (axon__mon_start: the first ChannelCreate or ConnectAttach)
 * and mapped shared; every update is a few plain stores into it, made on
 * the slow path only: a thread's before it sleeps and after it wakes,
 * the tables' at ChannelCreate/Destroy and ConnectAttach/Detach.  The
 * one exception is the server's held[] word of a connection, one store
 * when a message is received and one when it is answered.
 *
 * Nothing here may make an Axon call fail: a page that cannot be made
 * (no rundir, read-only or full file system) just leaves the process out
 * of `axon ps`, and a full table sets a flag.
 *
 * Locking: ps_lock guards the tables and the claiming of thread records;
 * it is the innermost lock (taken under axon_proc.lock, never the other
 * way).  A thread record is written only by its own thread, without a
 * lock, under its own seqlock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "psinfo.h"

static pthread_mutex_t ps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct axon_psp *_Atomic ps_page; /* NULL: none (yet) */
static bool ps_tried;           /* made, or failed to: never again */
static char ps_path[PATH_MAX];  /* the page's name */
static pid_t ps_owner;          /* the process that made it */
static bool ps_atexit_done;
static pthread_key_t ps_key;    /* a thread's record, freed at its exit */
static pthread_once_t ps_once = PTHREAD_ONCE_INIT;
static bool ps_key_ok;

static __thread struct axon_psp_thread *tls_rec;
static __thread bool tls_norec; /* not listed: table full, or hidden */
static __thread pid_t tls_tid;

/* ---- seqlocks ---- */

/* The tables: writers hold ps_lock, so one at a time. */
static void
tab_begin(struct axon_psp *pg)
{
	uint32_t g = atomic_load_explicit(&pg->hdr.gen, memory_order_relaxed);

	atomic_store_explicit(&pg->hdr.gen, g + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static void
tab_end(struct axon_psp *pg)
{
	uint32_t g = atomic_load_explicit(&pg->hdr.gen, memory_order_relaxed);

	atomic_store_explicit(&pg->hdr.gen, g + 1, memory_order_release);
}

/* A thread record: only its thread writes it (and ps_lock holders while
 * it is free). */
static void
rec_begin(struct axon_psp_thread *r)
{
	uint32_t s = atomic_load_explicit(&r->seq, memory_order_relaxed);

	atomic_store_explicit(&r->seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static void
rec_end(struct axon_psp_thread *r)
{
	uint32_t s = atomic_load_explicit(&r->seq, memory_order_relaxed);

	atomic_store_explicit(&r->seq, s + 1, memory_order_release);
}

static void
flag_set(struct axon_psp *pg, uint32_t f)
{
	(void) atomic_fetch_or_explicit(&pg->hdr.flags, f,
	    memory_order_relaxed);
}

/* A pulse refused, from a sender of effective uid uid (sconn.c); an
 * event that could not be carried out (cconn.c).  Any thread. */
void
axon__ps_pulse_refused(uid_t uid)
{
	struct axon_psp *pg = atomic_load(&ps_page);

	if (pg != NULL) {
		atomic_store_explicit(&pg->hdr.refused_uid, (uint32_t) uid,
		    memory_order_relaxed);
		(void) atomic_fetch_add_explicit(&pg->hdr.pulses_refused, 1,
		    memory_order_relaxed);
	}
}

void
axon__ps_event_failed(void)
{
	struct axon_psp *pg = atomic_load(&ps_page);

	if (pg != NULL) {
		(void) atomic_fetch_add_explicit(&pg->hdr.events_failed, 1,
		    memory_order_relaxed);
	}
}

/* ---- the page ---- */

static void
ps_atexit(void)
{
	/* A forked child inherits the handler, not the page. */
	if (atomic_load(&ps_page) != NULL && ps_owner == getpid()) {
		(void) unlink(ps_path);
	}
}

/* Gives fd its blocks now: a store into a hole of a full file system
 * would be a SIGBUS later. */
static int
ps_reserve(int fd, size_t size)
{
	static const uint8_t zero[4096];

	if (fallocate(fd, 0, 0, (off_t) size) == 0) {
		return 0;
	}
	if (errno != EOPNOTSUPP && errno != ENOSYS) {
		return -errno;
	}
	for (size_t off = 0; off < size;) {
		size_t n = size - off < sizeof(zero) ? size - off
						     : sizeof(zero);
		ssize_t w = pwrite(fd, zero, n, (off_t) off);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return -EIO;
		}
		off += (size_t) w;
	}
	return 0;
}

/*
 * Makes the page: a temporary file, sized, filled and locked, then
 * renamed into place, so that a reader never sees half a header.  ps_lock
 * held.  NULL on any failure.
 */
static struct axon_psp *
ps_create(void)
{
	struct axon_proc *p = &axon__proc;
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	struct axon_psp *pg;
	char dir[PATH_MAX];
	char tmp[PATH_MAX];
	int fd;

	if ((size_t) snprintf(dir, sizeof(dir), "%s/ps", p->rundir) >=
		sizeof(dir) ||
	    (size_t) snprintf(ps_path, sizeof(ps_path), "%s/%d", dir,
		(int) p->pid) >= sizeof(ps_path) ||
	    (size_t) snprintf(tmp, sizeof(tmp), "%s/.%d.new", dir,
		(int) p->pid) >= sizeof(tmp)) {
		return NULL;
	}
	/* Shared by every user of the node, as pid/ is. */
	if (mkdir(dir, 01777) == 0) {
		(void) chmod(dir, 01777);
	} else if (errno != EEXIST) {
		return NULL;
	}
	(void) unlink(tmp); /* a dead namesake's */
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd < 0) {
		return NULL;
	}
	(void) fchmod(fd, 0644);
	if (ftruncate(fd, (off_t) sizeof(*pg)) < 0 ||
	    ps_reserve(fd, sizeof(*pg)) < 0) {
		goto fail;
	}
	pg = mmap(NULL, sizeof(*pg), PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    0);
	if (pg == MAP_FAILED) {
		goto fail;
	}
	/* A forked child must not write its parent's page, nor keep it
	 * (and its lock, below) alive after the parent is gone. */
	(void) madvise(pg, sizeof(*pg), MADV_DONTFORK);
	pg->hdr.version = AXON_PS_VERSION;
	pg->hdr.size = sizeof(*pg);
	pg->hdr.pid = p->pid;
	pg->hdr.start_time = p->start_time;
	/*
	 * The lock belongs to the open file description, which the mapping
	 * keeps after close(): it goes when the process dies or execs (the
	 * mapping goes), which is how a reader tells a stale page from a
	 * live one even when the pid and its start time live on (exec).
	 */
	(void) fcntl(fd, F_OFD_SETLK, &fl);
	atomic_thread_fence(memory_order_release);
	pg->hdr.magic = AXON_PS_MAGIC;
	if (rename(tmp, ps_path) < 0) {
		(void) munmap(pg, sizeof(*pg));
		goto fail;
	}
	(void) close(fd);
	ps_owner = p->pid;
	return pg;
fail:
	(void) close(fd);
	(void) unlink(tmp);
	return NULL;
}

static void
ps_thread_gone(void *arg)
{
	struct axon_psp_thread *r = arg;
	struct axon_psp *pg = atomic_load(&ps_page);

	/* Only a record of this process's page (see atfork). */
	if (r == NULL || r != tls_rec || pg == NULL) {
		return;
	}
	pthread_mutex_lock(&ps_lock);
	rec_begin(r);
	r->state = AXON_PS_RUNNING;
	r->tid = 0;
	rec_end(r);
	pthread_mutex_unlock(&ps_lock);
	tls_rec = NULL;
}

static void
ps_key_init(void)
{
	ps_key_ok = pthread_key_create(&ps_key, ps_thread_gone) == 0;
}

void
axon__ps_open(void)
{
	struct axon_psp *pg;

	pthread_mutex_lock(&ps_lock);
	if (!ps_tried) {
		ps_tried = true;
		axon__trace_open(); /* (takes trace.c's lock: after ours) */
		pg = ps_create();
		if (pg != NULL) {
			atomic_store_explicit(&ps_page, pg,
			    memory_order_release);
			if (!ps_atexit_done) {
				ps_atexit_done = atexit(ps_atexit) == 0;
			}
		}
	}
	pthread_mutex_unlock(&ps_lock);
}

/* The calling thread's record, claimed on first use; NULL if it has
 * none (no page, the table is full, or it is not to be listed). */
static struct axon_psp_thread *
ps_rec(void)
{
	struct axon_psp_thread *r = NULL;
	struct axon_psp *pg;

	if (tls_rec != NULL || tls_norec) {
		return tls_rec;
	}
	pg = atomic_load_explicit(&ps_page, memory_order_acquire);
	if (pg == NULL) {
		return NULL;
	}
	if (tls_tid == 0) {
		tls_tid = (pid_t) syscall(SYS_gettid);
	}
	(void) pthread_once(&ps_once, ps_key_init);
	pthread_mutex_lock(&ps_lock);
	for (unsigned i = 0; i < AXON_PS_THREADS && r == NULL; i++) {
		if (pg->thr[i].tid == 0) {
			r = &pg->thr[i];
		}
	}
	if (r != NULL) {
		rec_begin(r);
		r->tid = tls_tid;
		r->state = AXON_PS_RUNNING;
		r->chid = 0;
		r->coid = -1;
		r->slot = -1;
		rec_end(r);
	} else {
		flag_set(pg, AXON_PSF_THREADS);
		tls_norec = true;
	}
	pthread_mutex_unlock(&ps_lock);
	if (r != NULL) {
		tls_rec = r;
		if (ps_key_ok) {
			(void) pthread_setspecific(ps_key, r);
		}
	}
	return r;
}

void
axon__ps_thread(void)
{
	(void) ps_rec();
}

void
axon__ps_thread_hide(void)
{
	tls_norec = true;
}

void
axon__ps_recv_block(int chid, bool pulse)
{
	struct axon_psp_thread *r = ps_rec();

	if (r == NULL) {
		return;
	}
	AXON_TRACE(block, pulse ? AXON_PS_RECVPULSE : AXON_PS_RECEIVE, chid);
	rec_begin(r);
	r->state = pulse ? AXON_PS_RECVPULSE : AXON_PS_RECEIVE;
	r->chid = chid;
	rec_end(r);
}

void
axon__ps_send_block(const struct axon_cconn *cc, int coid, int slot,
    bool received)
{
	struct axon_psp_thread *r = ps_rec();

	if (r == NULL) {
		return;
	}
	AXON_TRACE(block, received ? AXON_PS_REPLY : AXON_PS_SEND, coid);
	rec_begin(r);
	/* SENT when it goes to sleep may be RECEIVED by the time anyone
	 * looks: the reader asks the server's page (held[]). */
	r->state = received ? AXON_PS_REPLY : AXON_PS_SEND;
	r->coid = coid;
	r->nd = cc->nd;
	r->pid = cc->pid;
	r->tchid = cc->chid;
	r->srv_pid = cc->peer_pid;
	r->scoid = cc->scoid;
	r->slot = slot;
	rec_end(r);
}

void
axon__ps_running(void)
{
	struct axon_psp_thread *r = tls_rec;

	if (r == NULL || r->state == AXON_PS_RUNNING) {
		return;
	}
	AXON_TRACE(unblock);
	rec_begin(r);
	r->state = AXON_PS_RUNNING;
	r->chid = 0;
	r->coid = -1;
	r->slot = -1;
	rec_end(r);
}

/* ---- tables ---- */

void
axon__ps_chan_add(int chid, unsigned flags)
{
	struct axon_psp *pg = atomic_load(&ps_page);
	unsigned i;

	if (pg == NULL) {
		return;
	}
	pthread_mutex_lock(&ps_lock);
	for (i = 0; i < AXON_PS_CHANS && pg->chan[i].chid != 0; i++) {
	}
	if (i < AXON_PS_CHANS) {
		tab_begin(pg);
		pg->chan[i].chid = chid;
		pg->chan[i].flags = flags;
		tab_end(pg);
	} else {
		flag_set(pg, AXON_PSF_CHANS);
	}
	pthread_mutex_unlock(&ps_lock);
}

void
axon__ps_chan_del(int chid)
{
	struct axon_psp *pg = atomic_load(&ps_page);

	if (pg == NULL) {
		return;
	}
	pthread_mutex_lock(&ps_lock);
	for (unsigned i = 0; i < AXON_PS_CHANS; i++) {
		if (pg->chan[i].chid == chid) {
			tab_begin(pg);
			pg->chan[i].chid = 0;
			pg->chan[i].flags = 0;
			tab_end(pg);
			break;
		}
	}
	pthread_mutex_unlock(&ps_lock);
}

void
axon__ps_conn_add(int coid, uint32_t nd, pid_t pid, int chid)
{
	struct axon_psp *pg = atomic_load(&ps_page);
	unsigned i;

	if (pg == NULL) {
		return;
	}
	pthread_mutex_lock(&ps_lock);
	for (i = 0; i < AXON_PS_CONNS && pg->conn[i].used; i++) {
	}
	if (i < AXON_PS_CONNS) {
		tab_begin(pg);
		pg->conn[i].coid = coid;
		pg->conn[i].nd = nd;
		pg->conn[i].pid = pid;
		pg->conn[i].chid = chid;
		pg->conn[i].used = 1;
		tab_end(pg);
	} else {
		flag_set(pg, AXON_PSF_CONNS);
	}
	pthread_mutex_unlock(&ps_lock);
}

void
axon__ps_conn_del(int coid)
{
	struct axon_psp *pg = atomic_load(&ps_page);

	if (pg == NULL) {
		return;
	}
	pthread_mutex_lock(&ps_lock);
	for (unsigned i = 0; i < AXON_PS_CONNS; i++) {
		if (pg->conn[i].used && pg->conn[i].coid == coid) {
			tab_begin(pg);
			memset(&pg->conn[i], 0, sizeof(pg->conn[i]));
			tab_end(pg);
			break;
		}
	}
	pthread_mutex_unlock(&ps_lock);
}

_Atomic uint64_t *
axon__ps_client_add(int scoid, pid_t pid)
{
	struct axon_psp *pg = atomic_load(&ps_page);
	_Atomic uint64_t *h = NULL;
	unsigned i;

	if (pg == NULL) {
		return NULL;
	}
	pthread_mutex_lock(&ps_lock);
	for (i = 0; i < AXON_PS_CLIENTS && pg->cli[i].scoid != 0; i++) {
	}
	if (i < AXON_PS_CLIENTS) {
		tab_begin(pg);
		pg->cli[i].scoid = scoid;
		pg->cli[i].pid = pid;
		atomic_store_explicit(&pg->held[i], 0, memory_order_relaxed);
		tab_end(pg);
		h = &pg->held[i];
	} else {
		flag_set(pg, AXON_PSF_CLIENTS);
	}
	pthread_mutex_unlock(&ps_lock);
	return h;
}

void
axon__ps_client_del(_Atomic uint64_t *held)
{
	struct axon_psp *pg = atomic_load(&ps_page);

	if (pg == NULL || held == NULL) {
		return;
	}
	pthread_mutex_lock(&ps_lock);
	size_t i = (size_t) (held - pg->held);
	if (i < AXON_PS_CLIENTS) {
		tab_begin(pg);
		pg->cli[i].scoid = 0;
		pg->cli[i].pid = 0;
		atomic_store_explicit(&pg->held[i], 0, memory_order_relaxed);
		tab_end(pg);
	}
	pthread_mutex_unlock(&ps_lock);
}

/*
 * In a forked child: the page is the parent's and is not mapped here
 * (MADV_DONTFORK).  The child makes its own when it uses Axon.
 */
void
axon__ps_atfork_child(void)
{
	pthread_mutex_init(&ps_lock, NULL);
	atomic_store(&ps_page, NULL);
	ps_tried = false;
	ps_owner = 0;
	tls_rec = NULL;
	tls_norec = false;
	tls_tid = 0;
	axon__trace_atfork_child();
	/* (The forking thread's key value names the parent's page.) */
	if (ps_key_ok) {
		(void) pthread_setspecific(ps_key, NULL);
	}
}
