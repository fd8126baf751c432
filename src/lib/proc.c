/* SPDX-License-Identifier: MIT */
/*
 * Per-process state and the monitor thread.
 *
 * The monitor thread ("axon-mon") is started on the first ChannelCreate or
 * ConnectAttach.  It sleeps in epoll_wait() on this process's listening
 * socket and on every connection socket, and does only what the kernel
 * tells it: accept connections, read control messages, and act on
 * hang-ups (a peer died or detached).  It never polls.  All connection
 * sockets are closed by the monitor thread; other threads shutdown() them,
 * which the monitor then sees as a hang-up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

struct axon_proc axon__proc = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .epfd = -1,
    .listen_fd = -1,
    .spare_fd = -1,
    .wake_fd = -1,
    .death_chid = -1,
    .tdeath_chid = -1,
};

static __thread pid_t tls_tid;
static __thread bool tls_listed; /* axon__ps_thread() done */
static __thread int tls_base_policy = -1;
static __thread int tls_base_prio;
static __thread int tls_cur_prio = -1; /* QNX prio we last applied */
/* Bumped when a client may have changed a thread's priority (the
 * send-time boost): tls_cur_prio is then no longer trusted. */
static _Atomic unsigned prio_epoch;
static __thread unsigned tls_prio_epoch;
static __thread int tls_prio_cache;
static __thread time_t tls_prio_when;

static void proc_atfork_child(void);

static pthread_key_t tdeath_key;
static pthread_once_t tdeath_once = PTHREAD_ONCE_INIT;

/* Runs when a thread that used libaxon exits: _NTO_CHF_THREAD_DEATH. */
static void
tdeath_fire(void *arg)
{
	int chid = axon__proc.tdeath_chid;
	union sigval v = {.sival_int = (int) (intptr_t) arg};

	if (chid > 0) {
		(void) axon__local_pulse(chid, 10, _PULSE_CODE_THREADDEATH, v,
		    -1);
	}
}

static void
tdeath_init(void)
{
	(void) pthread_key_create(&tdeath_key, tdeath_fire);
}

void
axon__thread_watch(void)
{
	if (tls_tid == 0) {
		tls_tid = (pid_t) syscall(SYS_gettid);
		(void) pthread_once(&tdeath_once, tdeath_init);
		(void) pthread_setspecific(tdeath_key,
		    (void *) (intptr_t) tls_tid);
	}
}

pid_t
axon__gettid(void)
{
	if (!tls_listed) {
		tls_listed = true;
		axon__thread_watch();
		axon__ps_thread(); /* a thread that used Axon: listed */
	}
	return tls_tid;
}

/* The hash of the caller's ids for cred_hint (shm.h): FNV-1a over
 * getresuid, getresgid and getgroups (the first 64), three cheap system
 * calls. */
uint32_t
axon__cred_hint(void)
{
	uid_t u[3];
	gid_t g[3];
	gid_t groups[64];
	uint32_t h = 2166136261u;
	int n;

	if (getresuid(&u[0], &u[1], &u[2]) < 0 ||
	    getresgid(&g[0], &g[1], &g[2]) < 0) {
		return 0;
	}
	n = getgroups(64, groups);
	if (n < 0) {
		/* More than 64: their number stands for them (the recheck
		 * bound covers the rest). */
		groups[0] = (gid_t) getgroups(0, NULL);
		n = 1;
	}
	for (int i = 0; i < 3; i++) {
		h = (h ^ (uint32_t) u[i]) * 16777619u;
		h = (h ^ (uint32_t) g[i]) * 16777619u;
	}
	for (int i = 0; i < n; i++) {
		h = (h ^ (uint32_t) groups[i]) * 16777619u;
	}
	return h;
}

int
axon__getcpu(void)
{
	int c = sched_getcpu();

	return c < 0 ? 0 : c;
}

/*
 * QNX priorities on Linux: a SCHED_FIFO/SCHED_RR thread of priority p has
 * QNX priority p; every other thread has QNX's default, 10.  Bit 0x100
 * marks a real-time sender so that a receiver can tell FIFO 10 from
 * SCHED_OTHER.
 */

int
axon__my_prio(void)
{
	struct timespec now;
	struct sched_param sp;
	int pol;

	/* Asking the kernel costs a system call per send, so the answer is
	 * kept for one coarse clock tick: a priority change reaches the
	 * server within a few milliseconds. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (tls_prio_cache != 0 && tls_prio_when == now.tv_nsec / 4000000 +
		now.tv_sec * 250) {
		return tls_prio_cache;
	}
	pol = sched_getscheduler(0);
	if ((pol == SCHED_FIFO || pol == SCHED_RR) &&
	    sched_getparam(0, &sp) == 0) {
		tls_prio_cache = sp.sched_priority | 0x100;
	} else {
		tls_prio_cache = 10;
	}
	tls_prio_when = now.tv_nsec / 4000000 + now.tv_sec * 250;
	return tls_prio_cache;
}

void
axon__prio_base(void)
{
	struct sched_param sp;

	if (tls_base_policy < 0) {
		tls_base_policy = sched_getscheduler(0);
		if (sched_getparam(0, &sp) == 0) {
			tls_base_prio = sp.sched_priority;
		}
		tls_cur_prio = (tls_base_policy == SCHED_FIFO ||
				   tls_base_policy == SCHED_RR)
		    ? (tls_base_prio | 0x100)
		    : 10;
		tls_prio_epoch = atomic_load(&prio_epoch);
	}
}

void
axon__prio_recheck(void)
{
	atomic_fetch_add(&prio_epoch, 1);
}

void
axon__apply_prio(int prio)
{
	struct sched_param sp;
	unsigned e;

	axon__prio_base();
	e = atomic_load_explicit(&prio_epoch, memory_order_relaxed);
	if (e != tls_prio_epoch) {
		/* A client may have boosted us: apply whatever we want. */
		tls_prio_epoch = e;
		tls_cur_prio = -1;
	}
	if (prio == tls_cur_prio) {
		return;
	}
	if (prio & 0x100) {
		sp.sched_priority = prio & 0xff;
		if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) ==
		    0) {
			tls_cur_prio = prio;
		}
		return;
	}
	/* A non-real-time sender: return to this thread's own policy. */
	sp.sched_priority = tls_base_prio;
	if (pthread_setschedparam(pthread_self(), tls_base_policy, &sp) == 0) {
		tls_cur_prio = prio;
	}
}

/* The calling thread's policy or priority was changed (SchedSet()):
 * forget what axon__my_prio() and axon__apply_prio() knew of it. */
void
axon__prio_changed(void)
{
	tls_base_policy = -1;
	tls_prio_cache = 0;
	/* Now, while it is the thread's own (a boost could come later). */
	axon__prio_base();
}

/* The only reader of /proc/<pid>/status's credentials (axon_spi.h). */
int
axon__proc_uids(pid_t pid, uid_t uids[4])
{
	char path[64];
	char buf[2048];
	unsigned u[4];
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return errno == ENOENT ? -ESRCH : -errno;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	(void) close(fd);
	if (n <= 0) {
		return -ESRCH;
	}
	buf[n] = '\0';
	/* (The kernel escapes a newline in the Name: line before it.) */
	p = strstr(buf, "\nUid:");
	if (p == NULL ||
	    sscanf(p, "\nUid: %u %u %u %u", &u[0], &u[1], &u[2], &u[3]) != 4) {
		return -EINVAL;
	}
	for (int i = 0; i < 4; i++) {
		uids[i] = (uid_t) u[i];
	}
	return 0;
}

uint64_t
axon__proc_start_time(pid_t pid)
{
	char path[64];
	char buf[1024];
	ssize_t n;
	int fd;
	char *p;
	unsigned long long st = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	(void) close(fd);
	if (n <= 0) {
		return 0;
	}
	buf[n] = '\0';
	/* The command name may contain spaces: skip to after the last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL) {
		return 0;
	}
	p++;
	/* Field 3 (state): a dead task (X) is no process any more, nor is
	 * a zombie (Z), though kill(pid, 0) still finds it; but the state
	 * is the main thread's, and a process whose main thread has exited
	 * (pthread_exit) shows Z while its other threads run: field 20
	 * (num_threads) still counts the exited leader until the last
	 * thread is gone, so above 1 the process lives. */
	if (p[0] != ' ' || p[1] == 'X' || p[1] == '\0') {
		return 0;
	}
	bool zombie = p[1] == 'Z';
	long threads = 0;
	/* Fields 20 (num_threads) and 22 (starttime); we are before 3. */
	for (int field = 3; field < 22 && p != NULL; field++) {
		p = strchr(p + 1, ' ');
		if (field == 19 && p != NULL && sscanf(p, " %ld", &threads) != 1) {
			return 0;
		}
	}
	if (p == NULL || sscanf(p, " %llu", &st) != 1) {
		return 0;
	}
	if (zombie && threads <= 1) {
		return 0;
	}
	return st;
}

int
axon__rundir(char *buf, size_t len)
{
	const char *e = getenv("AXON_RUNDIR");
	bool in_tmp = false;
	struct stat st;
	int n;

	if (e != NULL && e[0] != '\0') {
		n = snprintf(buf, len, "%s", e);
	} else if (geteuid() == 0) {
		n = snprintf(buf, len, "/run/axon");
	} else if ((e = getenv("XDG_RUNTIME_DIR")) != NULL && e[0] != '\0') {
		n = snprintf(buf, len, "%s/axon", e);
	} else {
		n = snprintf(buf, len, "/tmp/axon-%u", (unsigned) geteuid());
		in_tmp = true;
	}
	if (n < 0 || (size_t) n >= len - 40) {
		return -ENAMETOOLONG;
	}
	/*
	 * /tmp is everyone's: a directory another user made there under our
	 * name (or a link) would make them the owner of our node, able to
	 * name its network manager and its names.  Ours, made now if need
	 * be, or none.
	 */
	if (in_tmp && (mkdir(buf, 0700) == 0 || errno == EEXIST) &&
	    lstat(buf, &st) == 0 &&
	    (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
		(st.st_mode & 022) != 0)) {
		return -EPERM;
	}
	return 0;
}

static int
mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(tmp)) {
		return -ENAMETOOLONG;
	}
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST) {
				return -errno;
			}
			*p = '/';
		}
	}
	if (mkdir(tmp, mode) < 0) {
		if (errno != EEXIST) {
			return -errno;
		}
	} else {
		(void) chmod(tmp, mode);
	}
	return 0;
}

/* Called with proc.lock held. */
int
axon__proc_init(void)
{
	struct axon_proc *p = &axon__proc;
	static bool atfork_done;
	int rc;

	if (p->inited) {
		return 0;
	}
	rc = axon__rundir(p->rundir, sizeof(p->rundir));
	if (rc < 0) {
		return rc;
	}
	if (p->sconns == NULL) {
		p->sconns = calloc(AXON_MAX_SCONNS + 1, sizeof(*p->sconns));
		p->coids = calloc(AXON_MAX_COIDS, sizeof(*p->coids));
		if (p->sconns == NULL || p->coids == NULL) {
			free(p->sconns);
			free(p->coids);
			p->sconns = NULL;
			p->coids = NULL;
			return -ENOMEM;
		}
	}
	p->pid = getpid();
	p->start_time = axon__proc_start_time(p->pid);
	p->ncpu = (int) sysconf(_SC_NPROCESSORS_ONLN);
	p->spin_ns = AXON_SPIN_NS;
	{
		const char *e = getenv("AXON_SPIN_NS");

		if (e != NULL && e[0] != '\0') {
			long long v = atoll(e);

			p->spin_ns = v < 0 ? 0 : v > 10000000 ? 10000000 : v;
		}
	}
	p->poll_ns = AXON_POLL_NS;
	{
		const char *e = getenv("AXON_POLL_NS");

		if (e != NULL && e[0] != '\0') {
			long long v = atoll(e);

			p->poll_ns = v < 0 ? 0 : v > 999999999 ? 999999999 : v;
		}
	}
	if (p->next_sconn == 0) {
		p->next_sconn = 1;
	}
	if (!atfork_done) {
		(void) pthread_atfork(NULL, NULL, proc_atfork_child);
		atfork_done = true;
	}
	p->inited = true;
	return 0;
}

static char listen_path[108]; /* our entry, removed at exit */
static pid_t listen_owner;

static void
listen_atexit(void)
{
	/* A forked child inherits the handler, not the entry. */
	if (listen_owner == getpid() && listen_path[0] != '\0') {
		(void) unlink(listen_path);
	}
}

static int
listen_open(void)
{
	struct axon_proc *p = &axon__proc;
	static bool atexit_done;
	char dir[PATH_MAX];
	int fd;
	int rc;

	if ((size_t) snprintf(dir, sizeof(dir), "%s/pid", p->rundir) >=
	    sizeof(dir)) {
		return -ENAMETOOLONG;
	}
	rc = mkdir_p(dir, 01777);
	if (rc < 0) {
		return rc;
	}
	rc = axon__pid_listen(p->rundir, p->pid, &fd, listen_path,
	    sizeof(listen_path));
	if (rc < 0) {
		return rc;
	}
	listen_owner = p->pid;
	if (!atexit_done) {
		atexit_done = atexit(listen_atexit) == 0;
	}
	p->listen_fd = fd;
	/* Without a network manager nobody else reclaims what killed
	 * processes left: each new one takes a bounded share. */
	(void) axon__rundir_sweep(p->rundir, AXON_SWEEP_SCAN,
	    AXON_SWEEP_MAX);
	return 0;
}

/*
 * What the monitor watches, by fd.  The epoll set holds the only
 * reference to an object the monitor still owes a release (a connection
 * detached but not yet seen hung up); this table keeps it where the
 * process can see it too, so that a process exiting meanwhile has not
 * lost it (and leak checkers agree).  Innermost lock.
 */
static pthread_mutex_t mon_objs_lock = PTHREAD_MUTEX_INITIALIZER;
static void **mon_objs;
static size_t mon_objs_len;

int
axon__mon_add(int fd, enum axon_tag_kind kind, void *obj)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP};

	pthread_mutex_lock(&mon_objs_lock);
	if ((size_t) fd >= mon_objs_len) {
		size_t len = (size_t) fd + 64;
		void **v = realloc(mon_objs, len * sizeof(*v));

		if (v == NULL) {
			pthread_mutex_unlock(&mon_objs_lock);
			return -ENOMEM;
		}
		memset(v + mon_objs_len, 0, (len - mon_objs_len) * sizeof(*v));
		mon_objs = v;
		mon_objs_len = len;
	}
	mon_objs[fd] = obj;
	pthread_mutex_unlock(&mon_objs_lock);
	ev.data.u64 = (uint64_t) (uintptr_t) obj | (uint64_t) kind;
	if (kind == AXON_TAG_LISTEN) {
		/* Edge-triggered: the monitor accepts until EAGAIN, and a
		 * connection it cannot take for want of descriptors must not
		 * make it spin (sconn.c). */
		ev.events |= EPOLLET;
	}
	if (epoll_ctl(axon__proc.epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = errno;

		axon__mon_del(fd);
		return -err;
	}
	return 0;
}

void
axon__mon_del(int fd)
{
	(void) epoll_ctl(axon__proc.epfd, EPOLL_CTL_DEL, fd, NULL);
	pthread_mutex_lock(&mon_objs_lock);
	if ((size_t) fd < mon_objs_len) {
		mon_objs[fd] = NULL;
	}
	pthread_mutex_unlock(&mon_objs_lock);
}

static void *
mon_main(void *arg)
{
	struct epoll_event evs[32];

	/* Signals are for the application's threads, never for this one:
	 * it starts with all of them blocked (axon__mon_start). */
	axon__ps_thread_hide(); /* libaxon's, not the program's */
	sem_post(arg); /* started: see axon__mon_start */
	for (;;) {
		int n = epoll_wait(axon__proc.epfd, evs, 32, -1);

		if (n < 0) {
			continue; /* EINTR cannot happen with signals blocked */
		}
		for (int i = 0; i < n; i++) {
			uint64_t d = evs[i].data.u64;
			enum axon_tag_kind kind = (enum axon_tag_kind) (d & 7u);
			void *obj = (void *) (uintptr_t) (d & ~(uint64_t) 7u);

			switch (kind) {
			case AXON_TAG_LISTEN:
				axon__sconn_accept();
				break;
			case AXON_TAG_SCONN:
				axon__sconn_event(obj, evs[i].events);
				break;
			case AXON_TAG_CCONN:
				axon__cconn_event(obj, evs[i].events);
				break;
			}
		}
	}
	return NULL;
}

/*
 * Raises the soft limit on descriptors to the hard one, once per process
 * (a server holds one or two per client process, a client two per
 * connection; docs/design/local-transport.md §9).  Safe for a program
 * that still uses select(): descriptors are handed out lowest first, so
 * one numbered 1024 or more exists only once 1024 are open, where the old
 * limit of 1024 would have failed the open with EMFILE.  (A program that
 * runs others which use select() and may inherit many descriptors can
 * lower it again for them.)  A limit raised or lowered by the program
 * itself before is kept if it is already the hard one.
 */
static void
raise_nofile(void)
{
	static bool done;
	struct rlimit rl;

	if (done) {
		return;
	}
	done = true;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void) setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Starts the monitor thread and the listening socket, once.
 * Called with proc.lock held. */
int
axon__mon_start(void)
{
	struct axon_proc *p = &axon__proc;
	pthread_attr_t attr;
	int rc;

	rc = axon__proc_init();
	if (rc < 0) {
		return rc;
	}
	raise_nofile();
	if (p->spare_fd < 0 && !p->mon_running) {
		/* (Without it, a server out of descriptors leaves new
		 * clients waiting for their connect timeout.) */
		p->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	if (p->epfd < 0) {
		p->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (p->epfd < 0) {
			return -errno;
		}
	}
	if (p->listen_fd < 0) {
		rc = listen_open();
		if (rc < 0) {
			return rc;
		}
		rc = axon__mon_add(p->listen_fd, AXON_TAG_LISTEN, NULL);
		if (rc < 0) {
			(void) close(p->listen_fd);
			p->listen_fd = -1;
			return rc;
		}
	}
	if (!p->mon_running) {
		/* Return only once the thread runs: a fork() right after
		 * (a common pattern) must not catch it half-started, holding
		 * the thread library's or a sanitizer's locks. */
		sem_t started;

		sem_init(&started, 0, 0);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 256 * 1024);
		rc = axon__thread_create_quiet(&p->mon, &attr, mon_main,
		    &started);
		pthread_attr_destroy(&attr);
		if (rc < 0) {
			sem_destroy(&started);
			return rc;
		}
		while (sem_wait(&started) < 0 && errno == EINTR) {
		}
		sem_destroy(&started);
		pthread_setname_np(p->mon, "axon-mon");
		p->mon_running = true;
	}
	axon__ps_open(); /* (cannot fail: no page, no listing) */
	return 0;
}

/*
 * Descriptors a client passed us are closed on a thread of their own:
 * the last close of a file can wait for locks its sender holds (an epoll
 * set it put the file in, whose lock it keeps; a FUSE file's flush), and
 * the monitor must never wait for a client.  A reaper that waits only
 * delays further such closes.
 */
static pthread_mutex_t reap_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reap_cv = PTHREAD_COND_INITIALIZER;
static int *reap_q;
static size_t reap_n, reap_cap;
static bool reap_running;

static void *
reap_main(void *arg)
{
	axon__ps_thread_hide(); /* started with every signal blocked */
	sem_post(arg);
	for (;;) {
		int fd;

		pthread_mutex_lock(&reap_lock);
		while (reap_n == 0) {
			pthread_cond_wait(&reap_cv, &reap_lock);
		}
		fd = reap_q[--reap_n];
		pthread_mutex_unlock(&reap_lock);
		(void) close(fd);
	}
	return NULL;
}

/* reap_lock held. */
static bool
reap_start(void)
{
	pthread_attr_t attr;
	pthread_t th;
	sem_t started;
	int rc;

	sem_init(&started, 0, 0);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	rc = axon__thread_create_quiet(&th, &attr, reap_main, &started);
	pthread_attr_destroy(&attr);
	if (rc == 0) {
		while (sem_wait(&started) < 0 && errno == EINTR) {
		}
		pthread_setname_np(th, "axon-reap");
	}
	sem_destroy(&started);
	return rc == 0;
}

void
axon__close_untrusted(int fd)
{
	if (fd < 0) {
		return;
	}
	pthread_mutex_lock(&reap_lock);
	if (!reap_running) {
		reap_running = reap_start();
	}
	if (reap_running && reap_n == reap_cap) {
		size_t cap = reap_cap != 0 ? reap_cap * 2 : 16;
		int *q = realloc(reap_q, cap * sizeof(*q));

		if (q != NULL) {
			reap_q = q;
			reap_cap = cap;
		}
	}
	if (reap_running && reap_n < reap_cap) {
		reap_q[reap_n++] = fd;
		pthread_cond_signal(&reap_cv);
		fd = -1;
	}
	pthread_mutex_unlock(&reap_lock);
	if (fd >= 0) {
		(void) close(fd); /* no thread, no memory: at least close */
	}
}

/*
 * After fork() only the calling thread exists in the child.  The child
 * must not keep the parent's connection sockets open (the peers would not
 * see the parent's death), so it closes every fd libaxon owns and starts
 * afresh: a forked child has no channels and no connections, as under QNX
 * where side-channel connections are not inherited.
 */
static void
proc_atfork_child(void)
{
	struct axon_proc *p = &axon__proc;

	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&mon_objs_lock, NULL);
	tls_tid = 0;
	tls_listed = false;
	tls_prio_cache = 0;
	tls_base_policy = -1;
	p->coid_hwm = 0;
	if (p->epfd >= 0) {
		(void) close(p->epfd);
	}
	if (p->listen_fd >= 0) {
		(void) close(p->listen_fd);
	}
	if (p->spare_fd >= 0) {
		(void) close(p->spare_fd);
	}
	p->epfd = -1;
	p->listen_fd = -1;
	p->spare_fd = -1;
	p->mon_running = false;
	for (int i = 0; i < AXON_MAX_CHANS; i++) {
		struct axon_chan *c = p->chans[i];

		if (c != NULL) {
			(void) close(c->epfd);
			(void) close(c->poke_fd);
			(void) close(c->pulse_fd);
			p->chans[i] = NULL;
		}
	}
	if (p->sconns != NULL) {
		for (int i = 0; i <= AXON_MAX_SCONNS; i++) {
			struct axon_sconn *sc = p->sconns[i];

			if (sc != NULL && sc->sock >= 0) {
				(void) close(sc->sock);
			}
			if (sc != NULL && sc->bell >= 0) {
				(void) close(sc->bell);
			}
			p->sconns[i] = NULL;
		}
	}
	if (p->coids != NULL) {
		for (int i = 0; i < AXON_MAX_COIDS; i++) {
			struct axon_cconn *cc = p->coids[i].cc;

			if (cc != NULL && cc->sock >= 0) {
				(void) close(cc->sock);
				cc->sock = -1;
				(void) close(cc->bell);
				cc->bell = -1;
			}
			p->coids[i].cc = NULL;
		}
	}
	for (int i = 0; i < p->fdcoids_len; i++) {
		struct axon_cconn *cc = p->fdcoids[i].cc;

		if (cc != NULL && cc->sock >= 0) {
			(void) close(cc->sock);
			cc->sock = -1;
			(void) close(cc->bell);
			cc->bell = -1;
		}
		p->fdcoids[i].cc = NULL;
	}
	p->death_chid = -1;
	p->tdeath_chid = -1;
	p->inited = false;
	/* No reaper in the child; what it had queued is the parent's. */
	pthread_mutex_init(&reap_lock, NULL);
	pthread_cond_init(&reap_cv, NULL);
	for (size_t i = 0; i < reap_n; i++) {
		(void) close(reap_q[i]);
	}
	reap_n = 0;
	reap_running = false;
	axon__ps_atfork_child();
}
