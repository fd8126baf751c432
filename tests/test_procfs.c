/* SPDX-License-Identifier: MIT */
/*
 * QNX's process-information devctl()s (<sys/procfs.h>, <sys/dcmd_proc.h>;
 * procfs(3)) on a Linux /proc/PID descriptor: DCMD_PROC_INFO,
 * STATUS/TIDSTATUS/CURTHREAD, MAPINFO/PAGEDATA, MAPDEBUG/MAPDEBUG_BASE,
 * on this process and on a child, each value checked against what the
 * test knows (its ids, its threads and their states, a mapping it made);
 * a process that is gone, descriptors that are not a process's, short
 * buffers and the commands Axon does not answer.  Every wait is bounded.
 */
#include "axon_test.h"
#include "attack.h"

#include <devctl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/procfs.h>
#include <sys/states.h>

static atomic_int stop;
static atomic_int nready;

/* Records its tid, then sleeps in nanosleep until told to stop. */
static void *
sleeper(void *arg)
{
	atomic_int *tid = arg;

	atomic_store(tid, (int) syscall(SYS_gettid));
	atomic_fetch_add(&nready, 1);
	while (!atomic_load(&stop)) {
		axt_sleep_ms(20);
	}
	return NULL;
}

static void
start_sleepers(pthread_t *th, atomic_int *tids, int n)
{
	atomic_store(&stop, 0);
	atomic_store(&nready, 0);
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(pthread_create(&th[i], NULL, sleeper, &tids[i]),
		    0);
	}
	for (int i = 0; i < 5000 && atomic_load(&nready) < n; i++) {
		axt_sleep_ms(1);
	}
	ck_assert_int_eq(atomic_load(&nready), n);
}

static void
stop_sleepers(pthread_t *th, int n)
{
	atomic_store(&stop, 1);
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	}
}

/* The thread ids TIDSTATUS walks through from 1 (at most max). */
static int
walk_threads(int fd, pid_t pid, pid_t *tids, int max)
{
	procfs_status st;
	int n = 0;
	int rc;

	memset(&st, 0, sizeof(st));
	st.tid = 1;
	while ((rc = devctl(fd, DCMD_PROC_TIDSTATUS, &st, sizeof(st),
		    NULL)) == EOK) {
		ck_assert_int_eq(st.pid, pid);
		ck_assert_int_lt(n, max);
		tids[n++] = st.tid;
		st.tid++;
	}
	ck_assert_int_eq(rc, ESRCH); /* past the last */
	return n;
}

/* Linux's own count of pid's threads (/proc/PID/task), for comparison:
 * a sanitizer may run threads of its own in the process. */
static int
task_count(pid_t pid)
{
	char path[48];
	struct dirent *e;
	DIR *d;
	int n = 0;

	(void) snprintf(path, sizeof(path), "/proc/%d/task", (int) pid);
	d = opendir(path);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		n += e->d_name[0] != '.';
	}
	closedir(d);
	return n;
}

static bool
has_tid(const pid_t *tids, int n, pid_t t)
{
	for (int i = 0; i < n; i++) {
		if (tids[i] == t) {
			return true;
		}
	}
	return false;
}

/* DCMD_PROC_INFO on /proc/self, on /proc/PID and on a file under it:
 * this process's ids, umask, start time and threads. */
START_TEST(test_info_self)
{
	const char *paths[] = {"/proc/self", "/proc/self/status", NULL};
	char mine[32];
	procfs_info pi;
	pthread_t th[3];
	atomic_int tids[3];
	struct timespec now;
	uint32_t base;
	int fd;

	(void) snprintf(mine, sizeof(mine), "/proc/%d", (int) getpid());
	paths[2] = mine;
	(void) umask(027);
	clock_gettime(CLOCK_REALTIME, &now);
	for (int i = 0; i < 3; i++) {
		fd = open(paths[i], O_RDONLY);
		ck_assert_int_ge(fd, 0);
		memset(&pi, 0xa5, sizeof(pi));
		errno = 0;
		ck_assert_int_eq(devctl(fd, DCMD_PROC_INFO, &pi, sizeof(pi),
				     NULL),
		    EOK);
		ck_assert_int_eq(errno, 0);
		ck_assert_int_eq(pi.pid, getpid());
		ck_assert_int_eq(pi.parent, getppid());
		ck_assert_int_eq(pi.pgrp, getpgrp());
		ck_assert_int_eq(pi.sid, getsid(0));
		ck_assert_uint_eq(pi.uid, getuid());
		ck_assert_uint_eq(pi.euid, geteuid());
		ck_assert_uint_eq(pi.gid, getgid());
		ck_assert_uint_eq(pi.egid, getegid());
		ck_assert_uint_eq(pi.umask, 027);
		ck_assert_uint_ge(pi.num_fdcons, 4); /* 0-2 and fd */
		ck_assert_uint_ge(pi.num_threads, 1);
		ck_assert_uint_eq(pi.priority, 10);
		ck_assert_uint_eq(pi.child, 0);
		/* Started within the last 10 minutes, not in the future
		 * (to the clock tick and the boot time's second). */
		ck_assert_uint_le(pi.start_time,
		    (uint64_t) (now.tv_sec + 2) * 1000000000ull);
		ck_assert_uint_ge(pi.start_time,
		    (uint64_t) (now.tv_sec - 600) * 1000000000ull);
		ck_assert_uint_ne(pi.base_address, 0);
		ck_assert_uint_ne(pi.initial_stack, 0);
		ck_assert_uint_gt(pi.private_mem, 0);
		close(fd);
	}
	/* Threads: three more (counted after a first thread has come and
	 * gone, which starts a sanitizer's own, if any). */
	start_sleepers(th, tids, 1);
	stop_sleepers(th, 1);
	fd = open("/proc/self", O_RDONLY);
	ck_assert_int_eq(devctl(fd, DCMD_PROC_INFO, &pi, sizeof(pi), NULL),
	    EOK);
	base = pi.num_threads;
	ck_assert_int_eq((int) base, task_count(getpid()));
	start_sleepers(th, tids, 3);
	ck_assert_int_eq(devctl(fd, DCMD_PROC_INFO, &pi, sizeof(pi), NULL),
	    EOK);
	ck_assert_uint_eq(pi.num_threads, base + 3);
	stop_sleepers(th, 3);
	/* Ignored and pending signals. */
	signal(SIGUSR2, SIG_IGN);
	ck_assert_int_eq(devctl(fd, DCMD_PROC_INFO, &pi, sizeof(pi), NULL),
	    EOK);
	ck_assert(sigismember(&pi.sig_ignore, SIGUSR2));
	ck_assert(!sigismember(&pi.sig_ignore, SIGUSR1));
	signal(SIGUSR2, SIG_DFL);
	/* CPU time shows up once some is spent. */
	for (volatile unsigned long i = 0; i < 300000000ul; i++) {
	}
	ck_assert_int_eq(devctl(fd, DCMD_PROC_INFO, &pi, sizeof(pi), NULL),
	    EOK);
	ck_assert_uint_gt(pi.utime + pi.stime, 0);
	close(fd);
}
END_TEST

/* STATUS, TIDSTATUS (walking every thread) and CURTHREAD: ids, states
 * and scheduling of this process's threads. */
START_TEST(test_thread_status)
{
	pthread_t th[2];
	atomic_int tids[2];
	pid_t seen[64];
	procfs_status st;
	procfs_info pi;
	pid_t me = (pid_t) syscall(SYS_gettid);
	int fd, n;

	fd = open("/proc/self", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	start_sleepers(th, tids, 2);
	ck_assert_int_eq(devctl(fd, DCMD_PROC_INFO, &pi, sizeof(pi), NULL),
	    EOK);
	n = walk_threads(fd, getpid(), seen, 64);
	ck_assert_int_eq(n, (int) pi.num_threads);
	ck_assert(has_tid(seen, n, me));
	ck_assert(has_tid(seen, n, atomic_load(&tids[0])));
	ck_assert(has_tid(seen, n, atomic_load(&tids[1])));
	for (int i = 1; i < n; i++) {
		ck_assert_int_lt(seen[i - 1], seen[i]); /* in order */
	}

	/* The caller is running; a sleeper is in nanosleep. */
	memset(&st, 0, sizeof(st));
	st.tid = me;
	ck_assert_int_eq(devctl(fd, DCMD_PROC_TIDSTATUS, &st, sizeof(st),
			     NULL),
	    EOK);
	ck_assert_int_eq(st.tid, me);
	ck_assert_uint_eq(st.state, STATE_RUNNING);
	ck_assert_uint_eq(st.priority, 10);
	ck_assert_uint_eq(st.policy, SCHED_OTHER);
	ck_assert_uint_ge(st.start_time, 1000000000ull);
	for (int i = 0; i < 200; i++) {
		memset(&st, 0, sizeof(st));
		st.tid = atomic_load(&tids[0]);
		ck_assert_int_eq(devctl(fd, DCMD_PROC_TIDSTATUS, &st,
				     sizeof(st), NULL),
		    EOK);
		if (st.state == STATE_NANOSLEEP) {
			break;
		}
		axt_sleep_ms(5);
	}
	ck_assert_int_eq(st.tid, atomic_load(&tids[0]));
	ck_assert_uint_eq(st.state, STATE_NANOSLEEP);

	/* STATUS: the main thread until CURTHREAD names another. */
	ck_assert_int_eq(devctl(fd, DCMD_PROC_STATUS, &st, sizeof(st), NULL),
	    EOK);
	ck_assert_int_eq(st.tid, seen[0] <= getpid() ? getpid() : seen[0]);
	{
		pid_t t = atomic_load(&tids[1]);

		ck_assert_int_eq(devctl(fd, DCMD_PROC_CURTHREAD, &t, sizeof(t),
				     NULL),
		    EOK);
		ck_assert_int_eq(devctl(fd, DCMD_PROC_STATUS, &st, sizeof(st),
				     NULL),
		    EOK);
		ck_assert_int_eq(st.tid, t);
		/* Another descriptor keeps its own. */
		int fd2 = open("/proc/self", O_RDONLY);

		ck_assert_int_eq(devctl(fd2, DCMD_PROC_STATUS, &st,
				     sizeof(st), NULL),
		    EOK);
		ck_assert_int_ne(st.tid, t);
		close(fd2);
		/* Not one of its threads. */
		t = 1;
		ck_assert_int_eq(devctl(fd, DCMD_PROC_CURTHREAD, &t, sizeof(t),
				     NULL),
		    ESRCH);
		t = 0;
		ck_assert_int_eq(devctl(fd, DCMD_PROC_CURTHREAD, &t, sizeof(t),
				     NULL),
		    ESRCH);
	}
	stop_sleepers(th, 2);
	close(fd);
}
END_TEST

/* MAPINFO and PAGEDATA show a mapping made here, with its size and
 * protection; the count comes back whatever the buffer holds. */
START_TEST(test_mapinfo)
{
	size_t pg = (size_t) sysconf(_SC_PAGESIZE);
	procfs_mapinfo *mi;
	int n = -1, n2 = -1, n0 = -1;
	char *a, *g;
	int fd;
	const int cmds[] = {DCMD_PROC_MAPINFO, DCMD_PROC_PAGEDATA};

	/* Five read-only pages between two inaccessible ones, so that the
	 * kernel does not merge them with a neighbour of the same kind. */
	g = mmap(NULL, 7 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(g, MAP_FAILED);
	a = g + pg;
	ck_assert_int_eq(mprotect(a, 5 * pg, PROT_READ), 0);
	fd = open("/proc/self/maps", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	mi = calloc(4096, sizeof(*mi));
	ck_assert_ptr_nonnull(mi);
	for (int c = 0; c < 2; c++) {
		bool found = false;

		ck_assert_int_eq(devctl(fd, cmds[c], mi, 4096 * sizeof(*mi),
				     &n),
		    EOK);
		ck_assert_int_gt(n, 3);
		ck_assert_int_lt(n, 4096);
		for (int i = 0; i < n; i++) {
			if (mi[i].vaddr == (uintptr_t) a) {
				found = true;
				ck_assert_uint_eq(mi[i].size, 5 * pg);
				ck_assert_uint_eq(mi[i].flags,
				    MAP_PRIVATE | MAP_ANONYMOUS |
					(PROT_READ
					    << _PROCFS_MAPINFO_PROT_SHIFT));
				ck_assert_uint_eq(mi[i].ino, 0);
			}
		}
		ck_assert(found);
	}
	/* A short buffer: one entry filled, the count all of them. */
	memset(mi, 0, 2 * sizeof(*mi));
	ck_assert_int_eq(devctl(fd, DCMD_PROC_MAPINFO, mi, sizeof(*mi), &n2),
	    EOK);
	ck_assert_int_ge(n2, n - 2); /* (the calloc may map more) */
	ck_assert_int_le(n2, n + 2);
	ck_assert_uint_ne(mi[0].size, 0);
	ck_assert_uint_eq(mi[1].size, 0);
	ck_assert_int_eq(devctl(fd, DCMD_PROC_MAPINFO, NULL, 0, &n0), EOK);
	ck_assert_int_ge(n0, n - 2);
	/* The protection follows mprotect, a file's mapping has its file. */
	ck_assert_int_eq(mprotect(a, pg, PROT_READ | PROT_WRITE), 0);
	ck_assert_int_eq(devctl(fd, DCMD_PROC_MAPINFO, mi, 4096 * sizeof(*mi),
			     &n),
	    EOK);
	{
		bool rw = false, exe = false, txt_seen = false;
		struct stat sb;
		char tpath[] = "/tmp/axon-mapinfo-XXXXXX";
		int tfd = mkstemp(tpath);
		char *txt;

		/* A file that is not an ELF object: no MAP_ELF. */
		ck_assert_int_ge(tfd, 0);
		ck_assert_int_eq(write(tfd, "\177EL not quite", 14), 14);
		txt = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, tfd, 0);
		ck_assert_ptr_ne(txt, MAP_FAILED);
		(void) close(tfd);
		ck_assert_int_eq(devctl(fd, DCMD_PROC_MAPINFO, mi,
				     4096 * sizeof(*mi), &n),
		    EOK);

		ck_assert_int_eq(stat("/proc/self/exe", &sb), 0);
		for (int i = 0; i < n; i++) {
			if (mi[i].vaddr == (uintptr_t) a) {
				rw = mi[i].size == pg &&
				    (mi[i].flags >>
					_PROCFS_MAPINFO_PROT_SHIFT) ==
					(PROT_READ | PROT_WRITE);
			}
			if (mi[i].ino == sb.st_ino && mi[i].dev == sb.st_dev &&
			    !(mi[i].flags & MAP_ANONYMOUS)) {
				/* The program's file is an ELF object. */
				exe = (mi[i].flags & MAP_ELF) != 0;
			}
			if (mi[i].vaddr == (uintptr_t) a) {
				ck_assert(!(mi[i].flags & MAP_ELF));
			}
			if (mi[i].vaddr == (uintptr_t) txt) {
				txt_seen = true;
				ck_assert(!(mi[i].flags & MAP_ELF));
				ck_assert(!(mi[i].flags & MAP_ANONYMOUS));
			}
		}
		ck_assert(rw);
		ck_assert(exe);
		ck_assert(txt_seen);
		munmap(txt, pg);
		(void) unlink(tpath);
	}
	munmap(g, 7 * pg);
	free(mi);
	close(fd);
}
END_TEST

/* MAP_ELF's look at a mapped file is an attack surface: the file is
 * named by another process, which may swap what the name leads to
 * between the look-up that checks it (a regular file, the mapping's
 * inode) and the open that reads it.  An unprivileged attacker maps a
 * file that is not ELF through a directory it keeps exchanging with a
 * symbolic link to a directory where the same name is an ELF file; the
 * caller (root) must never read the other file and call the mapping
 * ELF (nor, by the same swap, open a FIFO or a device as root). */
START_TEST(test_mapinfo_swap_attack)
{
	char base[] = "/tmp/axon-mapswap-XXXXXX";
	char real[64], alt[64], evil[64], elf[80], lib[80];
	size_t pg = (size_t) sysconf(_SC_PAGESIZE);
	procfs_mapinfo *mi;
	uint64_t ino = 0;
	int p[2], pfd, wrong = 0, looked = 0;
	char path[64];
	pid_t pid;

	if (!axa_user("test_mapinfo_swap_attack")) {
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(base));
	ck_assert_int_eq(chown(base, axa_uid, axa_gid), 0);
	(void) snprintf(real, sizeof(real), "%s/d", base);
	(void) snprintf(alt, sizeof(alt), "%s/x", base);
	(void) snprintf(evil, sizeof(evil), "%s/evil", base);
	(void) snprintf(lib, sizeof(lib), "%s/lib", real);
	(void) snprintf(elf, sizeof(elf), "%s/lib", evil);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct stat sb;
		void *m;
		int f;

		alarm(30);
		axa_become();
		close(p[0]);
		/* d/lib: not ELF, mapped; evil/lib: ELF's magic; x: a
		 * link to evil, exchanged with d for ever. */
		if (mkdir(real, 0755) < 0 || mkdir(evil, 0755) < 0 ||
		    (f = open(elf, O_WRONLY | O_CREAT, 0644)) < 0 ||
		    write(f, "\177ELF\2\1\1", 7) != 7 || close(f) < 0 ||
		    (f = open(lib, O_RDWR | O_CREAT, 0644)) < 0 ||
		    write(f, "plain text, no ELF", 18) != 18 ||
		    (m = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, f, 0)) ==
			MAP_FAILED ||
		    fstat(f, &sb) < 0 || symlink("evil", alt) < 0) {
			_exit(97);
		}
		(void) m;
		ino = (uint64_t) sb.st_ino;
		if (write(p[1], &ino, sizeof(ino)) != sizeof(ino)) {
			_exit(96);
		}
		for (;;) {
			(void) syscall(SYS_renameat2, AT_FDCWD, real,
			    AT_FDCWD, alt, 2 /* RENAME_EXCHANGE */);
		}
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &ino, sizeof(ino)), sizeof(ino));
	close(p[0]);
	(void) snprintf(path, sizeof(path), "/proc/%d", (int) pid);
	pfd = open(path, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(pfd, 0);
	mi = calloc(4096, sizeof(*mi));
	ck_assert_ptr_nonnull(mi);
	/* A few thousand rounds, at most five seconds: without the fix the
	 * swap wins within a few hundred. */
	double until = axt_now() + 5.0;

	for (int round = 0; round < 4000 && axt_now() < until; round++) {
		int n = 0;

		ck_assert_int_eq(devctl(pfd, DCMD_PROC_MAPINFO, mi,
				     4096 * sizeof(*mi), &n),
		    EOK);
		for (int i = 0; i < n && i < 4096; i++) {
			if (mi[i].ino == ino && !(mi[i].flags & MAP_ANONYMOUS)) {
				looked++;
				wrong += (mi[i].flags & MAP_ELF) != 0;
			}
		}
		if (wrong > 0) {
			break;
		}
	}
	kill(pid, SIGKILL);
	ck_assert_int_ge(axt_waitpid(pid, 5.0), 0);
	free(mi);
	close(pfd);
	{
		char cmd[128];

		(void) snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		ck_assert_int_eq(system(cmd), 0);
	}
	ck_assert_int_gt(looked, 0);
	ck_assert_int_eq(wrong, 0);
}
END_TEST

/* MAPDEBUG_BASE names the program; MAPDEBUG the object at an address. */
START_TEST(test_mapdebug)
{
	union {
		procfs_debuginfo di;
		char buf[sizeof(procfs_debuginfo) + 4096];
	} u;
	char exe[4096];
	ssize_t len;
	int fd = open("/proc/self", O_RDONLY);

	ck_assert_int_ge(fd, 0);
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ck_assert_int_gt(len, 0);
	exe[len] = '\0';
	memset(&u, 0, sizeof(u));
	ck_assert_int_eq(devctl(fd, DCMD_PROC_MAPDEBUG_BASE, &u, sizeof(u),
			     NULL),
	    EOK);
	ck_assert_str_eq(u.di.path, exe);
	ck_assert_uint_ne(u.di.vaddr, 0);
	ck_assert_uint_le(u.di.vaddr, (uintptr_t) &test_mapdebug);
	/* The C library's object, by the address of one of its functions. */
	memset(&u, 0, sizeof(u));
	u.di.vaddr = (uintptr_t) &getppid;
	ck_assert_int_eq(devctl(fd, DCMD_PROC_MAPDEBUG, &u, sizeof(u), NULL),
	    EOK);
	ck_assert_ptr_nonnull(strstr(u.di.path, "libc"));
	ck_assert_uint_le(u.di.vaddr, (uintptr_t) &getppid);
	/* A path cut to the buffer, still terminated. */
	memset(&u, 'x', sizeof(u));
	u.di.vaddr = (uintptr_t) &getppid;
	ck_assert_int_eq(devctl(fd, DCMD_PROC_MAPDEBUG, &u,
			     sizeof(procfs_debuginfo) + 3, NULL),
	    EOK);
	ck_assert_uint_eq(strlen(u.di.path),
	    sizeof(procfs_debuginfo) + 3 - offsetof(procfs_debuginfo, path) -
		1);
	/* No object at an anonymous mapping, nor at 0. */
	{
		void *a = mmap(NULL, 4096, PROT_READ,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		ck_assert_ptr_ne(a, MAP_FAILED);
		u.di.vaddr = (uintptr_t) a;
		ck_assert_int_eq(devctl(fd, DCMD_PROC_MAPDEBUG, &u, sizeof(u),
				     NULL),
		    EINVAL);
		munmap(a, 4096);
		u.di.vaddr = 0;
		ck_assert_int_eq(devctl(fd, DCMD_PROC_MAPDEBUG, &u, sizeof(u),
				     NULL),
		    EINVAL);
	}
	close(fd);
}
END_TEST

static void *
child_thread(void *arg)
{
	(void) arg;
	pause();
	return NULL;
}

/* Another process: a child with two more threads, seen through its
 * /proc/PID; once it has exited and been reaped, ESRCH. */
START_TEST(test_child)
{
	int ready[2];
	procfs_info pi;
	procfs_status st;
	pid_t seen[16];
	char path[32];
	pid_t pid;
	char c;
	int fd, ffd, n;

	ck_assert_int_eq(pipe(ready), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		pthread_t t;

		close(ready[0]);
		for (int i = 0; i < 2; i++) {
			if (pthread_create(&t, NULL, child_thread, NULL) != 0) {
				_exit(1);
			}
		}
		(void) write(ready[1], "r", 1);
		alarm(30); /* never outlives the test */
		pause();
		_exit(0);
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	(void) snprintf(path, sizeof(path), "/proc/%d", (int) pid);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	(void) snprintf(path, sizeof(path), "/proc/%d/cmdline", (int) pid);
	ffd = open(path, O_RDONLY);
	ck_assert_int_ge(ffd, 0);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(devctl(i == 0 ? fd : ffd, DCMD_PROC_INFO, &pi,
				     sizeof(pi), NULL),
		    EOK);
		ck_assert_int_eq(pi.pid, pid);
		ck_assert_int_eq(pi.parent, getpid());
		ck_assert_uint_eq(pi.uid, getuid());
		/* Its main thread and two more (and a sanitizer's, if
		 * any: as many as Linux counts). */
		ck_assert_uint_ge(pi.num_threads, 3);
		ck_assert_int_eq((int) pi.num_threads, task_count(pid));
	}
	n = walk_threads(fd, pid, seen, 16);
	ck_assert_int_eq(n, (int) pi.num_threads);
	ck_assert_int_eq(seen[0], pid);
	ck_assert_int_eq(devctl(fd, DCMD_PROC_STATUS, &st, sizeof(st), NULL),
	    EOK);
	ck_assert_int_eq(st.pid, pid);
	ck_assert_int_eq(st.tid, pid);
	/* Its three threads come to block in pause(): a signal wait. */
	{
		int waiting = 0;

		for (int i = 0; i < 200 && waiting < 3; i++) {
			axt_sleep_ms(5);
			waiting = 0;
			for (int j = 0; j < n; j++) {
				memset(&st, 0, sizeof(st));
				st.tid = seen[j];
				ck_assert_int_eq(devctl(fd,
						     DCMD_PROC_TIDSTATUS, &st,
						     sizeof(st), NULL),
				    EOK);
				waiting += st.state == STATE_SIGSUSPEND;
			}
		}
#ifdef SYS_pause
		ck_assert_int_eq(waiting, 3);
#endif
	}
	/* Gone: every command on the descriptors held is ESRCH. */
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	ck_assert_int_eq(devctl(fd, DCMD_PROC_INFO, &pi, sizeof(pi), NULL),
	    ESRCH);
	ck_assert_int_eq(devctl(ffd, DCMD_PROC_INFO, &pi, sizeof(pi), NULL),
	    ESRCH);
	st.tid = 1;
	ck_assert_int_eq(devctl(fd, DCMD_PROC_TIDSTATUS, &st, sizeof(st),
			     NULL),
	    ESRCH);
	ck_assert_int_eq(devctl(fd, DCMD_PROC_MAPINFO, NULL, 0, &n), ESRCH);
	close(fd);
	close(ffd);
	/* And QNX's /proc/PID/as is not Linux's. */
	(void) snprintf(path, sizeof(path), "/proc/%d/as", (int) getpid());
	errno = 0;
	ck_assert_int_eq(open(path, O_RDONLY), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* Not a process's descriptor, short buffers, commands not answered. */
START_TEST(test_errors)
{
	procfs_info pi;
	procfs_status st;
	int p[2];
	int fd, nf;
	int d;
	const int unanswered[] = {DCMD_PROC_GETGREG, DCMD_PROC_SETGREG,
	    DCMD_PROC_GETFPREG, DCMD_PROC_STOP, DCMD_PROC_RUN,
	    DCMD_PROC_BREAK, DCMD_PROC_SIGNAL, DCMD_PROC_SYSINFO,
	    DCMD_ALL_GETFLAGS};
	uint64_t junk[8];

	/* Descriptors that are no process's: ENOTTY, as any Linux file's
	 * unknown command. */
	nf = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(nf, 0);
	ck_assert_int_eq(devctl(nf, DCMD_PROC_INFO, &pi, sizeof(pi), NULL),
	    ENOTTY);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(devctl(p[0], DCMD_PROC_INFO, &pi, sizeof(pi), NULL),
	    ENOTTY);
	fd = open("/proc", O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(devctl(fd, DCMD_PROC_INFO, &pi, sizeof(pi), NULL),
	    ENOTTY);
	close(fd);
	ck_assert_int_eq(devctl(-1, DCMD_PROC_INFO, &pi, sizeof(pi), NULL),
	    EBADF);

	fd = open("/proc/self", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	/* Short buffers. */
	ck_assert_int_eq(devctl(fd, DCMD_PROC_INFO, &pi, sizeof(pi) - 1, NULL),
	    EINVAL);
	ck_assert_int_eq(devctl(fd, DCMD_PROC_STATUS, &st, sizeof(st) - 1,
			     NULL),
	    EINVAL);
	ck_assert_int_eq(devctl(fd, DCMD_PROC_TIDSTATUS, &st, 8, NULL),
	    EINVAL);
	d = 0;
	ck_assert_int_eq(devctl(fd, DCMD_PROC_CURTHREAD, &d, 2, NULL), EINVAL);
	ck_assert_int_eq(devctl(fd, DCMD_PROC_MAPDEBUG_BASE, junk, 4, NULL),
	    EINVAL);
	ck_assert_int_eq(devctl(fd, DCMD_PROC_INFO, NULL, sizeof(pi), NULL),
	    EFAULT);
	/* Registers, run control, others: not answered. */
	for (size_t i = 0; i < sizeof(unanswered) / sizeof(unanswered[0]);
	     i++) {
		d = 77;
		errno = 0;
		ck_assert_int_eq(devctl(fd, unanswered[i], junk, sizeof(junk),
				     &d),
		    ENOTTY);
		ck_assert_int_eq(errno, 0);
		ck_assert_int_eq(d, 0);
	}
	close(fd);
	close(nf);
	close(p[0]);
	close(p[1]);
}
END_TEST

static Suite *
procfs_suite(void)
{
	Suite *s = suite_create("procfs");
	TCase *tc = axt_tcase("procfs", 60);

	tcase_add_test(tc, test_info_self);
	tcase_add_test(tc, test_thread_status);
	tcase_add_test(tc, test_mapinfo);
	tcase_add_test(tc, test_mapinfo_swap_attack);
	tcase_add_test(tc, test_mapdebug);
	tcase_add_test(tc, test_child);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(procfs_suite());
}
