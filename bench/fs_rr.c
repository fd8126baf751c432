/* SPDX-License-Identifier: MIT */
/*
 * fs_rr: what a file call through a resource manager's path costs, in
 * the same run as the floor FUSE itself sets and as Axon's own MsgSend
 * (issue 9, item 8).
 *
 *   path:   a resource manager (resmgr_attach, io_read from memory,
 *           io_devctl echoing its data) read through axon-fs's mount,
 *           as `cat` or a QNX program's read() reaches it;
 *   memfs:  a minimal in-memory libfuse file system with one file of
 *           the same size, single-threaded, opened direct_io as
 *           axon-fs opens every file (no page cache on either side: the
 *           floor of a FUSE read, not of a cached one);
 *   msg:    MsgSend of the same size straight to the manager's channel.
 *
 * Figures: 4 KiB read()s in sequence (us per call), 1 MiB preads over
 * a 16 MiB file (MB/s), and a 16 B devctl() on the mounted path's
 * descriptor (the QNX client's call: on the direct connection the
 * bridge grants, and with AXON_FS_DIRECT=0 through the bridge) against
 * a 16 B MsgSend.  Rounds
 * alternate between the systems; medians of the rounds are printed as
 * "name value unit" lines, then the ratios the issue asks for.
 *
 *   fs_rr AXON_FS [-r ROUNDS] [-n CALLS] [-c CPU]
 *
 * -c CPU runs every process of the benchmark on that one CPU ("same"),
 * otherwise nothing is pinned ("none"): unpinned, a hop to a process
 * that sleeps on an idle CPU costs that CPU's wake-up, which on a
 * virtual machine depends on how long it has been idle (tens of
 * microseconds on a quiet machine, nothing on a busy one), and a
 * single-threaded floor pays it at every call.
 *
 * Needs root (FUSE mounts) and /dev/fuse; AXON_RUNDIR names the node.
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 312
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <devctl.h>
#include <sys/dispatch.h>
#include <sys/iofunc.h>
#include <sys/neutrino.h>

#define FILE_SIZE (16u << 20)
#define SMALL     4096
#define BIG       (1u << 20)
#define DC_SIZE   16
#define DC_ECHO   __DIOTF(_DCMD_MISC, 1, char[DC_SIZE])

static char *data; /* FILE_SIZE bytes, the same in both file systems */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t) n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
fill(void)
{
	data = malloc(FILE_SIZE);
	if (data == NULL) {
		exit(1);
	}
	for (size_t i = 0; i < FILE_SIZE; i++) {
		data[i] = (char) ('a' + i % 26);
	}
}

/* ---- the resource manager ------------------------------------------ */

static int
mgr_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	int status;
	size_t n;

	if ((status = iofunc_read_verify(ctp, msg, ocb, NULL)) != EOK) {
		return status;
	}
	if ((msg->i.xtype & _IO_XTYPE_MASK) != _IO_XTYPE_NONE) {
		return ENOSYS;
	}
	n = ocb->offset >= (off_t) FILE_SIZE
	    ? 0
	    : FILE_SIZE - (size_t) ocb->offset;
	if (n > msg->i.nbytes) {
		n = msg->i.nbytes;
	}
	_IO_SET_READ_NBYTES(ctp, n);
	if (n > 0) {
		SETIOV(ctp->iov, data + ocb->offset, n);
		ocb->offset += (off_t) n;
	}
	return _RESMGR_NPARTS(n > 0 ? 1 : 0);
}

static int
mgr_devctl(resmgr_context_t *ctp, io_devctl_t *msg, RESMGR_OCB_T *ocb)
{
	int status = iofunc_devctl_default(ctp, msg, ocb);

	if (status != _RESMGR_DEFAULT) {
		return status;
	}
	if (msg->i.dcmd != DC_ECHO) {
		return ENOSYS;
	}
	/* The data stays where it came in: echoed back. */
	memset(&msg->o, 0, sizeof(msg->o));
	msg->o.nbytes = DC_SIZE;
	return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o) + DC_SIZE);
}

static int
mgr_msg(message_context_t *ctp, int type, unsigned flags, void *handle)
{
	(void) type;
	(void) flags;
	(void) handle;
	/* A plain message of DC_SIZE bytes: echoed. */
	MsgReply(ctp->rcvid, 0, ctp->msg, DC_SIZE);
	return 0;
}

static void
manager(int rep)
{
	static resmgr_connect_funcs_t cf;
	static resmgr_io_funcs_t iof;
	static iofunc_attr_t attr;
	/* Our own channel, so that the MsgSend baseline can reach it. */
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK);
	dispatch_t *dpp = dispatch_create_channel(chid, 0);
	dispatch_context_t *ctp;
	int ids[2];

	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &cf, _RESMGR_IO_NFUNCS, &iof);
	iof.read = mgr_read;
	iof.devctl = mgr_devctl;
	iofunc_attr_init(&attr, S_IFREG | 0666, NULL, NULL);
	attr.nbytes = FILE_SIZE;
	if (dpp == NULL ||
	    resmgr_attach(dpp, NULL, "/dev/bench/data", _FTYPE_ANY, 0, &cf,
		&iof, &attr) == -1 ||
	    message_attach(dpp, NULL, 0x5000, 0x5000, mgr_msg, NULL) == -1) {
		ids[0] = -1;
		(void) !write(rep, ids, sizeof(ids));
		_exit(1);
	}
	ctp = dispatch_context_alloc(dpp);
	ids[0] = getpid();
	ids[1] = chid;
	(void) !write(rep, ids, sizeof(ids));
	for (;;) {
		ctp = dispatch_block(ctp);
		if (ctp == NULL) {
			_exit(2);
		}
		dispatch_handler(ctp);
	}
}

/* ---- the in-memory FUSE file system -------------------------------- */

static int
mem_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void) fi;
	memset(st, 0, sizeof(*st));
	if (strcmp(path, "/") == 0) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (strcmp(path, "/data") == 0) {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = FILE_SIZE;
		return 0;
	}
	return -ENOENT;
}

static int
mem_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path, "/data") != 0) {
		return -ENOENT;
	}
	fi->direct_io = 1;
	return 0;
}

static int
mem_read(const char *path, char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	(void) path;
	(void) fi;
	if (off >= (off_t) FILE_SIZE) {
		return 0;
	}
	if (size > FILE_SIZE - (size_t) off) {
		size = FILE_SIZE - (size_t) off;
	}
	memcpy(buf, data + off, size);
	return (int) size;
}

static void *
mem_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void) conn;
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	return NULL;
}

static const struct fuse_operations mem_ops = {
	.init = mem_init,
	.getattr = mem_getattr,
	.open = mem_open,
	.read = mem_read,
};

static void
memfs(const char *dir)
{
	/* Single-threaded: the least a FUSE request can cost (no hand-off
	 * between the loop's threads). */
	char *argv[] = {"memfs", "-f", "-s", "-o", "auto_unmount",
		(char *) dir, NULL};

	(void) prctl(PR_SET_PDEATHSIG, SIGTERM);
	exit(fuse_main(6, argv, &mem_ops, NULL));
}

/* ---- measuring ----------------------------------------------------- */

static bool
wait_file(const char *path)
{
	for (int i = 0; i < 1000; i++) {
		struct stat st;

		if (stat(path, &st) == 0 && st.st_size == FILE_SIZE) {
			return true;
		}
		usleep(10000);
	}
	return false;
}

/* us per 4 KiB read(), in sequence from the start (as `cat` or a
 * program reading a device reads: the bridge's idea of the manager's
 * offset matches, so each is one _IO_READ) */
static double
small_reads(int fd, int n)
{
	char buf[SMALL];
	double t0;

	if (n > (int) (FILE_SIZE / SMALL)) {
		n = FILE_SIZE / SMALL;
	}
	(void) lseek(fd, 0, SEEK_SET);
	t0 = now();
	for (int i = 0; i < n; i++) {
		if (read(fd, buf, SMALL) != SMALL ||
		    memcmp(buf, data + (size_t) i * SMALL, SMALL) != 0) {
			fprintf(stderr, "fs_rr: short or wrong 4 KiB read\n");
			exit(1);
		}
	}
	return (now() - t0) / n * 1e6;
}

/* MB/s of 1 MiB preads over the whole file */
static double
big_reads(int fd, char *buf)
{
	double t0 = now();

	for (size_t off = 0; off < FILE_SIZE; off += BIG) {
		size_t got = 0;

		while (got < BIG) {
			ssize_t r = pread(fd, buf + got, BIG - got,
			    (off_t) (off + got));

			if (r <= 0) {
				fprintf(stderr, "fs_rr: 1 MiB read: %s\n",
				    r < 0 ? strerror(errno) : "EOF");
				exit(1);
			}
			got += (size_t) r;
		}
		if (memcmp(buf, data + off, BIG) != 0) {
			fprintf(stderr, "fs_rr: wrong data at %zu\n", off);
			exit(1);
		}
	}
	return FILE_SIZE / (now() - t0) / 1e6;
}

static double
devctls(int fd, int n)
{
	char b[DC_SIZE] = "0123456789abcde";
	double t0 = now();

	for (int i = 0; i < n; i++) {
		b[0] = (char) i;
		if (devctl(fd, DC_ECHO, b, sizeof(b), NULL) != EOK ||
		    b[0] != (char) i) {
			fprintf(stderr, "fs_rr: devctl failed\n");
			exit(1);
		}
	}
	return (now() - t0) / n * 1e6;
}

static double
sends(int coid, int n)
{
	union {
		uint16_t type;
		char b[DC_SIZE];
	} m = {.type = 0x5000}, r;
	double t0 = now();

	for (int i = 0; i < n; i++) {
		if (MsgSend(coid, &m, sizeof(m), &r, sizeof(r)) != 0) {
			fprintf(stderr, "fs_rr: MsgSend: %s\n", strerror(errno));
			exit(1);
		}
	}
	return (now() - t0) / n * 1e6;
}

int
main(int argc, char **argv)
{
	const char *rundir = getenv("AXON_RUNDIR");
	int rounds = 5, calls = 2000, cpu = -1, opt, p[2], ids[2];
	char axmnt[512], memmnt[512], path[600];
	pid_t mgr, fs, mem;
	double s_path[64], s_mem[64], b_path[64], b_mem[64], d_fd[64],
	    d_msg[64], d_br[64];
	char *buf;
	int coid;

	while ((opt = getopt(argc - 1, argv + 1, "r:n:c:")) != -1) {
		if (opt == 'r') {
			rounds = atoi(optarg);
		} else if (opt == 'n') {
			calls = atoi(optarg);
		} else if (opt == 'c') {
			cpu = atoi(optarg);
		} else {
			cpu = -2;
		}
	}
	if (argc < 2 || rundir == NULL || rounds < 1 || rounds > 64 ||
	    calls < 1 || cpu < -1) {
		fprintf(stderr, "usage: AXON_RUNDIR=DIR fs_rr AXON_FS "
				"[-r ROUNDS] [-n CALLS] [-c CPU]\n");
		return 2;
	}
	/* -c: everything on one CPU (the managers, axon-fs and memfs are
	 * children and inherit it), so that every hop is a switch on that
	 * CPU and no idle CPU has to be woken: the placement whose figures
	 * do not depend on how deeply an idle CPU sleeps. */
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0) {
			perror("fs_rr: sched_setaffinity");
			return 1;
		}
	}
	if (geteuid() != 0 || access("/dev/fuse", R_OK | W_OK) != 0) {
		printf("skipped: needs root and /dev/fuse\n");
		return 0;
	}
	fill();
	buf = malloc(BIG);
	snprintf(axmnt, sizeof(axmnt), "%s/fs", rundir);
	snprintf(memmnt, sizeof(memmnt), "%s/memfs", rundir);
	(void) mkdir(memmnt, 0755);
	if (buf == NULL || pipe(p) != 0) {
		return 1;
	}
	mgr = fork();
	if (mgr == 0) {
		close(p[0]);
		(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
		manager(p[1]);
	}
	close(p[1]);
	if (read(p[0], ids, sizeof(ids)) != sizeof(ids) || ids[0] < 0) {
		fprintf(stderr, "fs_rr: the manager did not start\n");
		return 1;
	}
	fs = fork();
	if (fs == 0) {
		(void) prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(argv[1], "axon-fs", (char *) NULL);
		_exit(127);
	}
	mem = fork();
	if (mem == 0) {
		memfs(memmnt);
	}
	snprintf(path, sizeof(path), "%s/dev/bench/data", axmnt);
	int fa = wait_file(path) ? open(path, O_RDWR) : -1;
	snprintf(path, sizeof(path), "%s/data", memmnt);
	int fm = wait_file(path) ? open(path, O_RDONLY) : -1;

	coid = ConnectAttach(0, ids[0], ids[1], _NTO_SIDE_CHANNEL, 0);
	if (fa < 0 || fm < 0 || coid < 0) {
		fprintf(stderr, "fs_rr: set-up failed (%s)\n", strerror(errno));
		goto out;
	}
	/* Warm both paths up. */
	(void) small_reads(fa, 100);
	(void) small_reads(fm, 100);
	(void) sends(coid, 100);
	for (int r = 0; r < rounds; r++) {
		s_mem[r] = small_reads(fm, calls);
		s_path[r] = small_reads(fa, calls);
		b_mem[r] = big_reads(fm, buf);
		b_path[r] = big_reads(fa, buf);
		d_msg[r] = sends(coid, calls);
		d_fd[r] = devctls(fa, calls);
		(void) setenv("AXON_FS_DIRECT", "0", 1);
		d_br[r] = devctls(fa, calls);
		(void) unsetenv("AXON_FS_DIRECT");
	}
	double sp = median(s_path, rounds), sm = median(s_mem, rounds);
	double bp = median(b_path, rounds), bm = median(b_mem, rounds);
	double df = median(d_fd, rounds), dm = median(d_msg, rounds);
	double db = median(d_br, rounds);

	printf("rounds %d calls %d file %u placement %s\n", rounds, calls,
	    FILE_SIZE, cpu >= 0 ? "same" : "none");
	printf("read4k_path %.2f us\nread4k_memfs %.2f us\n", sp, sm);
	printf("read1m_path %.0f MB/s\nread1m_memfs %.0f MB/s\n", bp, bm);
	printf("devctl16_fd %.2f us\ndevctl16_bridge %.2f us\n"
	    "msgsend16 %.2f us\n", df, db, dm);
	printf("ratio read4k path/memfs %.2f (target <= 1.5)\n", sp / sm);
	printf("ratio read1m path/memfs %.0f%% (target >= 70%%)\n",
	    100 * bp / bm);
	printf("ratio devctl/msgsend %.2f (target <= 1.5)\n", df / dm);
	printf("ratio devctl_bridge/msgsend %.2f\n", db / dm);
out:
	if (fa >= 0) {
		close(fa);
	}
	if (fm >= 0) {
		close(fm);
	}
	kill(fs, SIGTERM);
	kill(mem, SIGTERM);
	kill(mgr, SIGKILL);
	waitpid(fs, NULL, 0);
	waitpid(mem, NULL, 0);
	waitpid(mgr, NULL, 0);
	(void) umount2(memmnt, MNT_DETACH);
	return 0;
}
