/* SPDX-License-Identifier: MIT */
/*
 * devctl() on a descriptor of a Linux /proc/PID directory or of a file
 * under it: QNX's process-information commands (<sys/dcmd_proc.h>,
 * procfs(3)) answered from Linux's /proc/PID/{stat,status,statm,maps,
 * task/TID/...}.  QNX programs open /proc/PID/as (or /proc/PID/ctl) and
 * ask there; on Linux that file does not exist, and they open /proc/PID.
 *
 * Answered: DCMD_PROC_INFO, STATUS, TIDSTATUS, CURTHREAD, MAPINFO,
 * PAGEDATA, MAPDEBUG and MAPDEBUG_BASE.  Anything else (registers, run
 * control, break points) is ENOTTY, as QNX's resource managers answer a
 * command they do not support.  A process that is gone is ESRCH.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <sys/dcmd_proc.h>
#include <sys/states.h>

#include "internal.h"

#define NS_PER_S 1000000000ull

pid_t
axon__proc_fd_pid(int fd)
{
	char link[64];
	char path[256];
	struct statfs sf;
	ssize_t n;
	char *end;
	long pid;

	if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC) {
		return 0;
	}
	(void) snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 6) {
		return 0;
	}
	path[n] = '\0';
	if (strncmp(path, "/proc/", 6) != 0 || path[6] < '1' ||
	    path[6] > '9') {
		return 0;
	}
	errno = 0;
	pid = strtol(path + 6, &end, 10);
	if (errno != 0 || pid <= 0 || pid > INT32_MAX) {
		return 0;
	}
	if (strcmp(end, " (deleted)") == 0) {
		return -1; /* the directory of a process that is gone */
	}
	if (*end != '\0' && *end != '/') {
		return 0;
	}
	return (pid_t) pid;
}

/* The whole of a /proc file in a malloc'd, NUL-terminated buffer (its
 * length in *len if len is not NULL): 0, or -ESRCH for a process or
 * thread that is gone, or -errno.  Also ConnectClientInfo()'s reader
 * (api.c): a long supplementary group list makes a status file longer
 * than a page. */
int
axon__proc_slurp(const char *path, char **ret, size_t *len)
{
	size_t cap = 4096, got = 0;
	char *buf = malloc(cap);
	int fd;

	if (buf == NULL) {
		return -ENOMEM;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		free(buf);
		return e == ENOENT ? -ESRCH : -e;
	}
	for (;;) {
		ssize_t r;

		if (cap - got < 2) {
			char *nb = realloc(buf, cap * 2);

			if (nb == NULL) {
				(void) close(fd);
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + got, cap - got - 1);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			int e = errno;

			(void) close(fd);
			free(buf);
			return e == ENOENT ? -ESRCH : -e;
		}
		if (r == 0) {
			break;
		}
		got += (size_t) r;
	}
	(void) close(fd);
	buf[got] = '\0';
	*ret = buf;
	if (len != NULL) {
		*len = got;
	}
	return 0;
}

/* /proc/PID/NAME, or /proc/PID/task/TID/NAME when tid > 0. */
static int
proc_file(pid_t pid, pid_t tid, const char *name, char **ret)
{
	char path[96];

	if (tid > 0) {
		(void) snprintf(path, sizeof(path), "/proc/%d/task/%d/%s",
		    (int) pid, (int) tid, name);
	} else {
		(void) snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid,
		    name);
	}
	return axon__proc_slurp(path, ret, NULL);
}

/* Fields of a stat line, by proc(5)'s numbers (1 = pid): f[n] for n >= 4;
 * the state letter in *state.  0 or -EIO. */
#define STAT_FIELDS 53
static int
parse_stat(const char *buf, unsigned long long *f, char *state)
{
	const char *p = strrchr(buf, ')');
	char *end;

	memset(f, 0, sizeof(*f) * STAT_FIELDS);
	if (p == NULL || sscanf(p + 1, " %c", state) != 1) {
		return -EIO;
	}
	p += 4; /* ") S " */
	for (int n = 4; n < STAT_FIELDS && *p != '\0'; n++) {
		/* Signed fields (priority, nice...) are read as such. */
		f[n] = *p == '-' ? (unsigned long long) strtoll(p, &end, 10)
				 : strtoull(p, &end, 10);
		if (end == p) {
			break;
		}
		p = end;
		while (*p == ' ') {
			p++;
		}
	}
	return 0;
}

/* The text after "label" at the start of a line of a status file, or
 * NULL. */
static const char *
status_line(const char *buf, const char *label)
{
	size_t n = strlen(label);
	const char *p = buf;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, label, n) == 0) {
			return p + n;
		}
		p = strchr(p, '\n');
		if (p != NULL) {
			p++;
		}
	}
	return NULL;
}

/* A status file's hexadecimal signal mask into set. */
static void
status_sigset(const char *buf, const char *label, sigset_t *set)
{
	const char *p = status_line(buf, label);
	unsigned long long m;

	sigemptyset(set);
	if (p == NULL || sscanf(p, "%llx", &m) != 1) {
		return;
	}
	for (int i = 0; i < 64; i++) {
		if ((m >> i) & 1) {
			(void) sigaddset(set, i + 1); /* glibc's own: refused */
		}
	}
}

/* The system's boot time in ns since the Epoch (/proc/stat btime). */
static uint64_t
boot_ns(void)
{
	char *buf;
	const char *p;
	unsigned long long bt = 0;

	if (axon__proc_slurp("/proc/stat", &buf, NULL) != 0) {
		return 0;
	}
	p = status_line(buf, "btime ");
	if (p != NULL) {
		(void) sscanf(p, "%llu", &bt);
	}
	free(buf);
	return (uint64_t) bt * NS_PER_S;
}

static uint64_t
ticks_ns(unsigned long long t)
{
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0) {
		hz = 100;
	}
	return (uint64_t) t * (NS_PER_S / (uint64_t) hz);
}

/* A thread's QNX priority: its real-time priority under SCHED_FIFO or
 * SCHED_RR, else QNX's default, 10 (as getprio() says: proc.c). */
static uint8_t
qnx_prio(const unsigned long long *f)
{
	int pol = (int) (f[41] & ~(unsigned long long) SCHED_RESET_ON_FORK);

	if ((pol == SCHED_FIFO || pol == SCHED_RR) && f[40] > 0) {
		return (uint8_t) f[40];
	}
	return 10;
}

/* Entries of a directory that are numbers (fds, tids); -errno. */
static int
count_numeric(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (d == NULL) {
		return errno == ENOENT ? -ESRCH : -errno;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] >= '0' && e->d_name[0] <= '9') {
			n++;
		}
	}
	(void) closedir(d);
	return n;
}

static int
proc_info(pid_t pid, debug_process_t *pi)
{
	unsigned long long f[STAT_FIELDS];
	char *stat = NULL, *status = NULL, *statm = NULL, *timers = NULL;
	char path[64];
	const char *p;
	char state;
	unsigned uid[4] = {0}, gid[4] = {0};
	unsigned long long sz, res, shr;
	int rc, n;

	memset(pi, 0, sizeof(*pi));
	rc = proc_file(pid, 0, "stat", &stat);
	if (rc == 0) {
		rc = proc_file(pid, 0, "status", &status);
	}
	if (rc == 0 && parse_stat(stat, f, &state) != 0) {
		rc = -EIO;
	}
	if (rc != 0) {
		goto out;
	}
	pi->pid = pid;
	pi->parent = (pid_t) f[4];
	pi->pgrp = (pid_t) f[5];
	pi->sid = (pid_t) f[6];
	pi->base_address = f[26];
	pi->initial_stack = f[28];
	p = status_line(status, "Umask:");
	if (p != NULL) {
		pi->umask = (uint32_t) strtoul(p, NULL, 8);
	}
	p = status_line(status, "Uid:");
	if (p != NULL) {
		(void) sscanf(p, "%u %u %u %u", &uid[0], &uid[1], &uid[2],
		    &uid[3]);
	}
	p = status_line(status, "Gid:");
	if (p != NULL) {
		(void) sscanf(p, "%u %u %u %u", &gid[0], &gid[1], &gid[2],
		    &gid[3]);
	}
	pi->uid = uid[0];
	pi->euid = uid[1];
	pi->suid = uid[2];
	pi->gid = gid[0];
	pi->egid = gid[1];
	pi->sgid = gid[2];
	status_sigset(status, "SigIgn:", &pi->sig_ignore);
	status_sigset(status, "ShdPnd:", &pi->sig_pending);
	sigemptyset(&pi->sig_queue);
	pi->num_threads = (uint32_t) f[20];
	(void) snprintf(path, sizeof(path), "/proc/%d/fd", (int) pid);
	n = count_numeric(path);
	pi->num_fdcons = n > 0 ? (uint32_t) n : 0; /* EACCES: not shown */
	if (proc_file(pid, 0, "timers", &timers) == 0) {
		for (p = timers; (p = status_line(p, "ID:")) != NULL;) {
			pi->num_timers++;
		}
	}
	pi->start_time = boot_ns() + ticks_ns(f[22]);
	pi->utime = ticks_ns(f[14]);
	pi->stime = ticks_ns(f[15]);
	pi->cutime = ticks_ns(f[16]);
	pi->cstime = ticks_ns(f[17]);
	pi->priority = qnx_prio(f);
	if (proc_file(pid, 0, "statm", &statm) == 0 &&
	    sscanf(statm, "%llu %llu %llu", &sz, &res, &shr) == 3 &&
	    res >= shr) {
		pi->private_mem = (uint64_t) (res - shr) *
		    (uint64_t) sysconf(_SC_PAGESIZE);
	}
out:
	free(stat);
	free(status);
	free(statm);
	free(timers);
	return rc;
}

/* The QNX state of a Linux thread in state letter s, blocked (if it is)
 * in system call nr (-1: unknown).  Axon's mapping (procfs(3)). */
static uint8_t
qnx_state(char s, long nr)
{
	switch (s) {
	case 'R':
		return STATE_RUNNING;
	case 'T':
	case 't':
		return STATE_STOPPED;
	case 'Z':
	case 'X':
	case 'x':
		return STATE_DEAD;
	default:
		break;
	}
	switch (nr) {
	case SYS_nanosleep:
	case SYS_clock_nanosleep:
		return STATE_NANOSLEEP;
	case SYS_rt_sigtimedwait:
		return STATE_SIGWAITINFO;
	case SYS_rt_sigsuspend:
#ifdef SYS_pause
	case SYS_pause:
#endif
		return STATE_SIGSUSPEND;
	case SYS_mq_timedsend:
		return STATE_MQ_SEND;
	case SYS_mq_timedreceive:
		return STATE_MQ_RECEIVE;
	case SYS_futex:
		/* glibc's mutexes, condition variables, semaphores and
		 * joins, and Axon's own waits: most often an idle thread
		 * waiting for work. */
		return STATE_CONDVAR;
	default:
		/* Any other blocking system call: on QNX a message to the
		 * server that owns the resource, awaiting its reply. */
		return STATE_REPLY;
	}
}

static int
thread_status(pid_t pid, pid_t tid, debug_thread_t *ts)
{
	unsigned long long f[STAT_FIELDS];
	char *stat = NULL, *status = NULL, *sc = NULL;
	char state;
	long nr = -1;
	int rc;

	memset(ts, 0, sizeof(*ts));
	rc = proc_file(pid, tid, "stat", &stat);
	if (rc == 0) {
		rc = proc_file(pid, tid, "status", &status);
	}
	if (rc == 0 && parse_stat(stat, f, &state) != 0) {
		rc = -EIO;
	}
	if (rc != 0) {
		goto out;
	}
	/* "running", or the number and arguments of the call it is in
	 * (readable by whoever may ptrace it). */
	if (state != 'R' && proc_file(pid, tid, "syscall", &sc) == 0 &&
	    sc[0] >= '0' && sc[0] <= '9') {
		nr = strtol(sc, NULL, 10);
	}
	ts->pid = pid;
	ts->tid = tid;
	ts->sp = f[29];
	ts->ip = f[30];
	ts->priority = qnx_prio(f);
	ts->real_priority = ts->priority;
	ts->policy = (uint8_t) (f[41] &
	    ~(unsigned long long) SCHED_RESET_ON_FORK);
	ts->state = qnx_state(state, nr);
	ts->syscall = (int16_t) nr;
	ts->last_cpu = (uint16_t) f[39];
	status_sigset(status, "SigBlk:", &ts->sig_blocked);
	status_sigset(status, "SigPnd:", &ts->sig_pending);
	ts->start_time = boot_ns() + ticks_ns(f[22]);
	ts->sutime = ticks_ns(f[14] + f[15]);
out:
	free(stat);
	free(status);
	free(sc);
	return rc;
}

/* The lowest thread id of pid at or above tid: 0 (in *ret) or -ESRCH. */
static int
thread_at_or_after(pid_t pid, pid_t tid, pid_t *ret)
{
	char path[48];
	struct dirent *e;
	long best = 0;
	DIR *d;

	(void) snprintf(path, sizeof(path), "/proc/%d/task", (int) pid);
	d = opendir(path);
	if (d == NULL) {
		return errno == ENOENT ? -ESRCH : -errno;
	}
	while ((e = readdir(d)) != NULL) {
		long t = strtol(e->d_name, NULL, 10);

		if (t > 0 && t >= tid && (best == 0 || t < best)) {
			best = t;
		}
	}
	(void) closedir(d);
	if (best == 0) {
		return -ESRCH;
	}
	*ret = (pid_t) best;
	return 0;
}

/*
 * DCMD_PROC_CURTHREAD's choice, per descriptor: the open file (device and
 * inode of the descriptor's /proc entry with the descriptor's number)
 * and the thread.  A descriptor closed and its number reused for another
 * file starts again at the process's main thread; reopened on the same
 * entry under the same number, it keeps the old choice (procfs(3)).
 */
#define CUR_SLOTS 32
static struct {
	int fd;
	dev_t dev;
	ino_t ino;
	pid_t tid;
} cur[CUR_SLOTS];
static pthread_mutex_t cur_lock = PTHREAD_MUTEX_INITIALIZER;

static pid_t
cur_get(int fd, const struct stat *st)
{
	pid_t tid = 0;

	pthread_mutex_lock(&cur_lock);
	for (int i = 0; i < CUR_SLOTS; i++) {
		if (cur[i].tid > 0 && cur[i].fd == fd &&
		    cur[i].dev == st->st_dev && cur[i].ino == st->st_ino) {
			tid = cur[i].tid;
		}
	}
	pthread_mutex_unlock(&cur_lock);
	return tid;
}

static void
cur_set(int fd, const struct stat *st, pid_t tid)
{
	static unsigned next;
	int slot = -1;

	pthread_mutex_lock(&cur_lock);
	for (int i = 0; i < CUR_SLOTS && slot < 0; i++) {
		if (cur[i].tid > 0 && cur[i].fd == fd) {
			slot = i; /* this descriptor's, or its number's */
		}
	}
	for (int i = 0; i < CUR_SLOTS && slot < 0; i++) {
		if (cur[i].tid == 0) {
			slot = i;
		}
	}
	if (slot < 0) {
		slot = (int) (next++ % CUR_SLOTS);
	}
	cur[slot].fd = fd;
	cur[slot].dev = st->st_dev;
	cur[slot].ino = st->st_ino;
	cur[slot].tid = tid;
	pthread_mutex_unlock(&cur_lock);
}

struct map_ent {
	uint64_t start, end, off, ino;
	unsigned maj, min;
	char perm[5];
	const char *path; /* into the maps buffer; "" for none */
};

/* The next line of a maps buffer at *pp: 1, or 0 at its end. */
static int
map_next(char **pp, struct map_ent *m)
{
	char *p = *pp, *nl;
	int used = 0;

	if (*p == '\0') {
		return 0;
	}
	nl = strchr(p, '\n');
	if (nl != NULL) {
		*nl = '\0';
		*pp = nl + 1;
	} else {
		*pp = p + strlen(p);
	}
	memset(m, 0, sizeof(*m));
	if (sscanf(p, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64
		   " %n",
		&m->start, &m->end, m->perm, &m->off, &m->maj, &m->min,
		&m->ino, &used) < 7) {
		m->path = "";
		return 1; /* a line Axon cannot read: skipped by its size */
	}
	m->path = used > 0 ? p + used : "";
	return 1;
}

/* Whether the mapped file of m (its path seen from pid's root) is an
 * ELF object: a regular file with m's inode whose first bytes are ELF's
 * magic.  The name is another process's, which may change what it leads
 * to at any time: it is looked up once (O_PATH, which opens no device
 * and waits on no FIFO), that file checked, and that same file opened
 * to read (through /proc/self/fd), so that nothing but the regular file
 * checked is ever opened.  *last remembers the previous inode's answer
 * (a library's runs come one after another). */
/* The file systems of pid's mounts whose look-ups may wait for good
 * (axon__fstype_may_hang: FUSE, network): their devices and their
 * mountpoints (seen from pid's root), '\0' after each mountpoint.  A
 * mapped file on one of them, or below one on its path, is never looked
 * up: a manager behind the FUSE bridge that stops answering, or a gone
 * NFS server, would hold the caller. */
struct hang_set {
	dev_t dev[64];
	int ndev;
	char *mnts; /* "a\0b\0...": malloc'd, NULL for none */
	size_t mlen;
	bool unknown; /* mountinfo unread or too big: look nothing up */
};

static void
hang_set_read(pid_t pid, struct hang_set *h)
{
	char *info = NULL, *p;
	int rc;

	memset(h, 0, sizeof(*h));
	rc = proc_file(pid, 0, "mountinfo", &info);
	if (rc != 0) {
		h->unknown = true;
		return;
	}
	for (p = info; *p != '\0';) {
		char *nl = strchr(p, '\n');
		char mp[PATH_MAX];
		unsigned maj, min;

		if (nl != NULL) {
			*nl = '\0';
		}
		if (axon__mountinfo_hang(p, &maj, &min, mp)) {
			char *grow;
			size_t n;

			n = strlen(mp);
			grow = realloc(h->mnts, h->mlen + n + 1);
			if (grow == NULL || h->ndev == 64) {
				h->unknown = true;
				h->mnts = grow != NULL ? grow : h->mnts;
				break;
			}
			h->mnts = grow;
			memcpy(h->mnts + h->mlen, mp, n + 1);
			h->mlen += n + 1;
			h->dev[h->ndev++] = makedev(maj, min);
		}
		if (nl == NULL) {
			break;
		}
		p = nl + 1;
	}
	free(info);
}

/* Whether m's file must not be looked up (see hang_set). */
static bool
hang_set_has(const struct hang_set *h, const struct map_ent *m)
{
	if (h->unknown) {
		return true;
	}
	for (int i = 0; i < h->ndev; i++) {
		if (h->dev[i] == makedev(m->maj, m->min)) {
			return true;
		}
	}
	for (size_t o = 0; o < h->mlen; o += strlen(h->mnts + o) + 1) {
		const char *mp = h->mnts + o;
		size_t n = strlen(mp);

		if (strcmp(mp, "/") == 0 ||
		    (strncmp(m->path, mp, n) == 0 &&
			(m->path[n] == '/' || m->path[n] == '\0'))) {
			return true;
		}
	}
	return false;
}

static bool
map_is_elf(pid_t pid, const struct hang_set *h, const struct map_ent *m,
    uint64_t *last_ino, bool *last)
{
	char path[PATH_MAX + 32];
	unsigned char magic[4];
	struct stat st;
	bool elf = false;
	int fd, pfd;

	if (m->ino == 0 || m->path[0] != '/' || hang_set_has(h, m)) {
		return false;
	}
	if (*last_ino == m->ino) {
		return *last;
	}
	if (snprintf(path, sizeof(path), "/proc/%d/root%s", (int) pid,
		m->path) >= (int) sizeof(path)) {
		return false;
	}
	pfd = open(path, O_PATH | O_CLOEXEC);
	if (pfd >= 0) {
		if (fstat(pfd, &st) == 0 && S_ISREG(st.st_mode) &&
		    (uint64_t) st.st_ino == m->ino &&
		    (fd = axon__fd_reopen(pfd, O_RDONLY | O_CLOEXEC |
			O_NONBLOCK)) >= 0) {
			elf = pread(fd, magic, sizeof(magic), 0) ==
			    sizeof(magic) &&
			    memcmp(magic, "\177ELF", 4) == 0;
			(void) close(fd);
		}
		(void) close(pfd);
	}
	*last_ino = m->ino;
	*last = elf;
	return elf;
}

static uint32_t
map_flags(const struct map_ent *m)
{
	uint32_t prot = 0;
	uint32_t fl = m->perm[3] == 's' ? MAP_SHARED : MAP_PRIVATE;

	if (m->perm[0] == 'r') {
		prot |= PROT_READ;
	}
	if (m->perm[1] == 'w') {
		prot |= PROT_WRITE;
	}
	if (m->perm[2] == 'x') {
		prot |= PROT_EXEC;
	}
	if (m->ino == 0) {
		fl |= MAP_ANONYMOUS;
	}
	return fl | (prot << _PROCFS_MAPINFO_PROT_SHIFT);
}

/* MAPINFO and PAGEDATA: as many entries as the reply holds, the total
 * in *count. */
static int
map_info(pid_t pid, const iov_t *rv, int rparts, size_t rn, int *count)
{
	size_t max = rn / sizeof(procfs_mapinfo), n = 0;
	procfs_mapinfo *out = NULL;
	struct map_ent m;
	char *maps, *p;
	int rc;

	rc = proc_file(pid, 0, "maps", &maps);
	if (rc != 0) {
		return rc;
	}
	if (max > 0) {
		out = calloc(max, sizeof(*out));
		if (out == NULL) {
			free(maps);
			return -ENOMEM;
		}
	}
	uint64_t last_ino = 0;
	bool last_elf = false;
	struct hang_set hang = {.unknown = true};

	if (max > 0) {
		hang_set_read(pid, &hang);
	}
	for (p = maps; map_next(&p, &m);) {
		if (m.end <= m.start) {
			continue;
		}
		if (n < max) {
			out[n].vaddr = m.start;
			out[n].size = m.end - m.start;
			out[n].flags = map_flags(&m);
			if (map_is_elf(pid, &hang, &m, &last_ino, &last_elf)) {
				out[n].flags |= MAP_ELF;
			}
			out[n].dev = makedev(m.maj, m.min);
			out[n].offset = (off_t) m.off;
			out[n].ino = (ino_t) m.ino;
		}
		n++;
	}
	if (out != NULL) {
		axon__iov_scatter(rv, rparts, out,
		    (n < max ? n : max) * sizeof(*out));
	}
	*count = n > INT32_MAX ? INT32_MAX : (int) n;
	free(hang.mnts);
	free(out);
	free(maps);
	return 0;
}

/* MAPDEBUG (the object mapped at vaddr) and MAPDEBUG_BASE (the
 * program's): its lowest mapped address and path into the reply. */
static int
map_debug(pid_t pid, bool base, uint64_t vaddr, const iov_t *rv,
    int rparts, size_t rn)
{
	char exe[4096];
	const char *want = NULL;
	struct map_ent m;
	char *maps, *p;
	procfs_debuginfo *out;
	size_t room = rn - offsetof(procfs_debuginfo, path);
	uint64_t low = 0;
	int rc;

	rc = proc_file(pid, 0, "maps", &maps);
	if (rc != 0) {
		return rc;
	}
	if (base) {
		char link[48];
		ssize_t n;

		(void) snprintf(link, sizeof(link), "/proc/%d/exe", (int) pid);
		n = readlink(link, exe, sizeof(exe) - 1);
		if (n < 0) {
			rc = errno == ENOENT ? -ESRCH : -errno;
			free(maps);
			return rc;
		}
		exe[n] = '\0';
		want = exe;
	} else {
		for (p = maps; map_next(&p, &m);) {
			if (vaddr >= m.start && vaddr < m.end) {
				if (m.path[0] == '/') {
					(void) snprintf(exe, sizeof(exe), "%s",
					    m.path);
					want = exe;
				}
				break;
			}
		}
		if (want == NULL) {
			free(maps);
			return -EINVAL; /* no object mapped there */
		}
		free(maps);
		rc = proc_file(pid, 0, "maps", &maps);
		if (rc != 0) {
			return rc;
		}
	}
	for (p = maps; map_next(&p, &m);) {
		if (strcmp(m.path, want) == 0 && (low == 0 || m.start < low)) {
			low = m.start;
		}
	}
	free(maps);
	out = calloc(1, rn);
	if (out == NULL) {
		return -ENOMEM;
	}
	out->vaddr = low;
	(void) snprintf(out->path, room, "%s", want);
	axon__iov_scatter(rv, rparts, out, rn);
	free(out);
	return 0;
}

int
axon__proc_devctl(int fd, pid_t pid, int dcmd, const iov_t *sv, int sparts,
    const iov_t *rv, int rparts, int *ret_info)
{
	union {
		debug_process_t pi;
		debug_thread_t ts;
		procfs_debuginfo di;
		pid_t tid;
	} d;
	struct stat st;
	size_t rn = 0, in;
	pid_t tid;
	int rc, count = 0;

	for (int i = 0; i < rparts; i++) {
		rn += rv[i].iov_len;
	}
	if (ret_info != NULL) {
		*ret_info = 0;
	}
	memset(&d, 0, sizeof(d));
	in = axon__iov_gather(&d, sizeof(d), sv, sparts);
	switch (dcmd) {
	case DCMD_PROC_INFO:
		if (rn < sizeof(d.pi)) {
			return -EINVAL;
		}
		rc = proc_info(pid, &d.pi);
		if (rc == 0) {
			axon__iov_scatter(rv, rparts, &d.pi, sizeof(d.pi));
		}
		return rc;
	case DCMD_PROC_STATUS:
	case DCMD_PROC_TIDSTATUS:
		if (rn < sizeof(d.ts) ||
		    (dcmd == DCMD_PROC_TIDSTATUS && in < sizeof(d.ts))) {
			return -EINVAL;
		}
		if (dcmd == DCMD_PROC_TIDSTATUS) {
			tid = d.ts.tid > 0 ? d.ts.tid : 1;
		} else {
			tid = fstat(fd, &st) == 0 ? cur_get(fd, &st) : 0;
			if (tid == 0) {
				tid = pid; /* the main thread, or the next */
			}
		}
		rc = thread_at_or_after(pid, tid, &tid);
		if (rc == 0) {
			rc = thread_status(pid, tid, &d.ts);
		}
		if (rc == 0) {
			axon__iov_scatter(rv, rparts, &d.ts, sizeof(d.ts));
		}
		return rc;
	case DCMD_PROC_CURTHREAD:
		if (in < sizeof(pid_t)) {
			return -EINVAL;
		}
		if (d.tid <= 0 || thread_at_or_after(pid, d.tid, &tid) != 0 ||
		    tid != d.tid) {
			return -ESRCH; /* not one of its threads */
		}
		if (fstat(fd, &st) != 0) {
			return -errno;
		}
		cur_set(fd, &st, tid);
		return 0;
	case DCMD_PROC_MAPINFO:
	case DCMD_PROC_PAGEDATA:
		rc = map_info(pid, rv, rparts, rn, &count);
		if (rc == 0 && ret_info != NULL) {
			*ret_info = count;
		}
		return rc;
	case DCMD_PROC_MAPDEBUG:
	case DCMD_PROC_MAPDEBUG_BASE:
		if (rn < sizeof(procfs_debuginfo) ||
		    (dcmd == DCMD_PROC_MAPDEBUG &&
			in < sizeof(uint64_t))) {
			return -EINVAL;
		}
		return map_debug(pid, dcmd == DCMD_PROC_MAPDEBUG_BASE,
		    d.di.vaddr, rv, rparts, rn);
	default:
		return -ENOTTY;
	}
}
