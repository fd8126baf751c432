/* SPDX-License-Identifier: MIT */
/*
 * Recording for `axon trace` (trace.h; layout in src/common/traceinfo.h;
 * design in docs/design/local-transport.md §11).
 *
 * Every process maps the run directory's switch, $AXON_RUNDIR/trace/ctl,
 * read-only when it first uses Axon (axon__ps_open).  While the switch is
 * off an event site is two relaxed loads and a branch.  While it is on,
 * the first event makes the process's ring, $AXON_RUNDIR/trace/<pid>, and
 * every event takes a slot of it with one atomic add, fills it and marks
 * it complete (a per-slot sequence word, so that a reader never takes a
 * half-written event and no thread ever waits for another).
 *
 * Nothing here may make an Axon call fail or block: a ring that cannot
 * be made leaves the process out of the trace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "psinfo.h"
#include "trace.h"
#include "traceinfo.h"

static const _Atomic uint32_t trace_zero;
const _Atomic uint32_t *_Atomic axon__trace_on = &trace_zero;
static const struct axon_tr_ctl *_Atomic trace_ctl;

static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
static struct axon_tr_ring *_Atomic trace_ring;
static bool trace_tried; /* under trace_lock: made, or failed to */
static __thread pid_t trace_tid;
/* TraceEvent() made sure the process knows its pid and run directory and
 * has looked for the switch (a process that only inserts events has
 * made no other Axon call that would).  Cleared in a forked child. */
static _Atomic bool user_ready;
static pthread_mutex_t user_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- the switch ---- */

/* Makes the switch, zeroed (off), if there is none: a temporary file
 * renamed into place, so that nobody maps half of one. */
static void
ctl_make(const char *dir, const char *path)
{
	struct axon_tr_ctl c = {
	    .magic = AXON_TR_CTL_MAGIC, .version = AXON_TR_VERSION};
	char tmp[PATH_MAX];
	int fd;

	if ((size_t) snprintf(tmp, sizeof(tmp), "%s/.ctl.%d", dir,
		(int) getpid()) >= sizeof(tmp)) {
		return;
	}
	(void) unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd < 0) {
		return;
	}
	(void) fchmod(fd, 0644);
	if (write(fd, &c, sizeof(c)) != (ssize_t) sizeof(c) ||
	    link(tmp, path) < 0) {
		/* (link, not rename: a switch that is there stays.) */
	}
	(void) close(fd);
	(void) unlink(tmp);
}

/*
 * Maps the switch read-only.  A mapped file can kill its reader (SIGBUS)
 * if its owner truncates it, so only a switch owned by a user who could
 * harm this process anyway is mapped: this process's, root's, or the run
 * directory's owner's; and only they make one.  Others' processes are
 * then not traced (docs/design/local-transport.md §11).
 */
void
axon__trace_open(void)
{
	const struct axon_proc *p = &axon__proc;
	char dir[PATH_MAX];
	char path[PATH_MAX];
	struct axon_tr_ctl *c;
	struct stat st, rst;
	uid_t me = geteuid();
	int fd;

	if (atomic_load(&trace_ctl) != NULL ||
	    (size_t) snprintf(dir, sizeof(dir), "%s/trace", p->rundir) >=
		sizeof(dir) ||
	    (size_t) snprintf(path, sizeof(path), "%s/ctl", dir) >=
		sizeof(path)) {
		return;
	}
	if (stat(p->rundir, &rst) < 0) {
		return;
	}
	if (mkdir(dir, 01777) == 0) {
		(void) chmod(dir, 01777);
	} else if (errno != EEXIST) {
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT && (me == 0 || me == rst.st_uid)) {
		ctl_make(dir, path);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0) {
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size != (off_t) sizeof(*c) ||
	    (st.st_uid != 0 && st.st_uid != me && st.st_uid != rst.st_uid)) {
		(void) close(fd);
		return;
	}
	c = mmap(NULL, sizeof(*c), PROT_READ, MAP_SHARED, fd, 0);
	(void) close(fd);
	if (c == MAP_FAILED) {
		return;
	}
	if (c->magic != AXON_TR_CTL_MAGIC || c->version != AXON_TR_VERSION) {
		(void) munmap(c, sizeof(*c));
		return;
	}
	pthread_mutex_lock(&trace_lock);
	if (atomic_load(&trace_ctl) == NULL) {
		/* The switch first: whoever sees trace_ctl set (and so
		 * returns above) finds the switch mapped too. */
		atomic_store(&axon__trace_on, &c->on);
		atomic_store(&trace_ctl, c);
		c = NULL;
	}
	pthread_mutex_unlock(&trace_lock);
	if (c != NULL) {
		(void) munmap(c, sizeof(*c)); /* another thread's won */
	}
}

/* ---- the ring ---- */

static void
comm_read(char *name)
{
	int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, name, AXON_TR_NAME_LEN - 1) : -1;

	if (fd >= 0) {
		(void) close(fd);
	}
	if (n < 0) {
		n = 0;
	}
	name[n] = '\0';
	for (ssize_t i = 0; i < n; i++) {
		if (name[i] == '\n') {
			name[i] = '\0';
			break;
		}
		if (name[i] <= ' ' || name[i] > '~') {
			name[i] = '_';
		}
	}
	if (name[0] == '\0') {
		strcpy(name, "?");
	}
}

/* Makes the ring as ps.c makes the status page: a temporary file, sized,
 * locked (OFD: gone with the process, how a collector tells a dead
 * process's ring), renamed into place.  trace_lock held. */
static struct axon_tr_ring *
ring_create(void)
{
	const struct axon_proc *p = &axon__proc;
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	struct axon_tr_ring *r;
	char path[PATH_MAX];
	char tmp[PATH_MAX];
	int fd;

	if ((size_t) snprintf(path, sizeof(path), "%s/trace/%d", p->rundir,
		(int) p->pid) >= sizeof(path) ||
	    (size_t) snprintf(tmp, sizeof(tmp), "%s/trace/.%d.new",
		p->rundir, (int) p->pid) >= sizeof(tmp)) {
		return NULL;
	}
	(void) unlink(tmp);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd < 0) {
		return NULL;
	}
	(void) fchmod(fd, 0644);
	if (ftruncate(fd, (off_t) sizeof(*r)) < 0 ||
	    fallocate(fd, 0, 0, (off_t) sizeof(*r)) < 0) {
		goto fail;
	}
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r == MAP_FAILED) {
		goto fail;
	}
	(void) madvise(r, sizeof(*r), MADV_DONTFORK);
	r->version = AXON_TR_VERSION;
	r->size = sizeof(*r);
	r->pid = p->pid;
	comm_read(r->name);
	(void) fcntl(fd, F_OFD_SETLK, &fl);
	atomic_thread_fence(memory_order_release);
	r->magic = AXON_TR_RING_MAGIC;
	if (rename(tmp, path) < 0) {
		(void) munmap(r, sizeof(*r));
		goto fail;
	}
	(void) close(fd);
	return r;
fail:
	(void) close(fd);
	(void) unlink(tmp);
	return NULL;
}

static struct axon_tr_ring *
ring_get(void)
{
	struct axon_tr_ring *r = atomic_load_explicit(&trace_ring,
	    memory_order_acquire);

	if (r != NULL) {
		return r;
	}
	pthread_mutex_lock(&trace_lock);
	if (!trace_tried) {
		trace_tried = true;
		atomic_store_explicit(&trace_ring, ring_create(),
		    memory_order_release);
	}
	r = atomic_load(&trace_ring);
	pthread_mutex_unlock(&trace_lock);
	return r;
}

static void
put(int type, int32_t a, int32_t b, int32_t c, int32_t d, int32_t e,
    int64_t x)
{
	const struct axon_tr_ctl *ctl = atomic_load(&trace_ctl);
	struct axon_tr_ring *r;
	struct axon_tr_ent *ent;
	uint64_t ts = axon__now_ns();
	uint64_t i;

	if (ctl == NULL ||
	    ts >= atomic_load_explicit(&ctl->until, memory_order_relaxed) ||
	    (r = ring_get()) == NULL) {
		return;
	}
	if (trace_tid == 0) {
		trace_tid = (pid_t) syscall(SYS_gettid);
	}
	i = atomic_fetch_add_explicit(&r->head, 1, memory_order_relaxed);
	ent = &r->ent[i & (AXON_TR_ENTRIES - 1)];
	atomic_store_explicit(&ent->seq, 0, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	ent->ts = ts;
	ent->tid = trace_tid;
	ent->type = (uint16_t) type;
	ent->a = a;
	ent->b = b;
	ent->c = c;
	ent->d = d;
	ent->e = e;
	ent->x = x;
	atomic_store_explicit(&ent->seq, i + 1, memory_order_release);
}

/* ---- the event sites ---- */

void
axon__trace_send(int coid, const struct axon_cconn *cc)
{
	put(AXON_TR_SEND, coid, (int32_t) cc->nd, cc->pid, cc->chid, 0, 0);
}

void
axon__trace_send_end(int coid, int rc, const long *status)
{
	put(AXON_TR_SENDEND, coid, rc < 0 ? -rc : 0, 0, 0, 0,
	    rc == 0 ? *status : 0);
}

void
axon__trace_recv(int chid, rcvid_t rc, const iov_t *iov, size_t parts,
    const struct _msg_info *info)
{
	struct _msg_info mi;

	if (rc < 0) {
		return;
	}
	if (rc == 0) {
		struct _pulse pl = {0};

		if (parts > 0 && iov != NULL && iov[0].iov_base != NULL &&
		    iov[0].iov_len >= sizeof(pl)) {
			memcpy(&pl, iov[0].iov_base, sizeof(pl));
		}
		put(AXON_TR_PULSE_RX, chid, pl.code, 0, 0, 0,
		    pl.value.sival_int);
		return;
	}
	if (info == NULL) {
		if (MsgInfo_r(rc, &mi) != 0) {
			memset(&mi, 0, sizeof(mi));
		}
		info = &mi;
	}
	put(AXON_TR_RECV, chid, (int32_t) rc, (int32_t) info->nd, info->pid,
	    info->tid, info->msglen);
}

void
axon__trace_reply(rcvid_t rcvid, int err, long status, int rc)
{
	put(AXON_TR_REPLY, (int32_t) rcvid, err, rc < 0 ? -rc : 0, 0, 0,
	    status);
}

void
axon__trace_pulse_tx(int coid, const struct axon_cconn *cc, int code,
    int64_t value)
{
	put(AXON_TR_PULSE_TX, coid, code, 0, cc->pid, cc->chid,
	    (int32_t) value);
}

void
axon__trace_block(int state, int id)
{
	put(AXON_TR_BLOCK, state, id, 0, 0, 0, 0);
}

void
axon__trace_unblock(void)
{
	put(AXON_TR_UNBLOCK, 0, 0, 0, 0, 0, 0);
}

/* ---- user events (TraceEvent(3), layout in traceinfo.h) ---- */

bool
axon__trace_user_on(void)
{
	if (!atomic_load_explicit(&user_ready, memory_order_acquire)) {
		struct axon_proc *p = &axon__proc;
		int rc;

		/* One thread sets up while the others wait: none goes on
		 * before the switch is mapped. */
		pthread_mutex_lock(&user_lock);
		if (!atomic_load(&user_ready)) {
			pthread_mutex_lock(&p->lock);
			rc = axon__proc_init();
			pthread_mutex_unlock(&p->lock);
			if (rc < 0) {
				pthread_mutex_unlock(&user_lock);
				return false; /* (tried again next time) */
			}
			axon__trace_open();
			atomic_store_explicit(&user_ready, true,
			    memory_order_release);
		}
		pthread_mutex_unlock(&user_lock);
	}
	return axon__tracing();
}

void
axon__trace_user(int cls, int32_t code, int kind, const void *data,
    size_t n)
{
	unsigned per = kind == AXON_TR_UKIND_STR ? AXON_TR_USTR_CHUNK
						 : AXON_TR_UINTS_CHUNK;
	unsigned chunks = n == 0 ? 1 : (unsigned) ((n + per - 1) / per);

	for (unsigned k = 0; k < chunks; k++) {
		size_t off = (size_t) k * per;
		unsigned used = n - off < per ? (unsigned) (n - off) : per;
		uint32_t w[5] = {0};

		if (n == 0) {
			used = 0;
		}
		if (kind == AXON_TR_UKIND_STR) {
			const unsigned char *s = data;

			/* Little-endian in each word, whatever the host's. */
			for (unsigned i = 0; i < used; i++) {
				w[i / 4] |= (uint32_t) s[off + i] << (8 * (i % 4));
			}
		} else {
			memcpy(w, (const int32_t *) data + off,
			    used * sizeof(int32_t));
		}
		put(AXON_TR_USER, code,
		    axon__tr_ub(kind, cls, k, chunks,
			kind == AXON_TR_UKIND_STR ? 0 : used),
		    (int32_t) w[0], (int32_t) w[1], (int32_t) w[2],
		    (int64_t) ((uint64_t) w[4] << 32 | w[3]));
	}
}

void
axon__trace_atfork_child(void)
{
	pthread_mutex_init(&trace_lock, NULL);
	atomic_store(&trace_ring, NULL);
	trace_tried = false;
	trace_tid = 0;
	pthread_mutex_init(&user_lock, NULL);
	atomic_store(&user_ready, false);
}
