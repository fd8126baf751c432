/* SPDX-License-Identifier: MIT */
/*
 * The fault soak: two nodes (alpha and beta, one axond and one
 * AXON_RUNDIR each), servers and clients on both, and faults injected at
 * random while the clients send sequence-numbered messages.
 *
 * Every process is real: the driver (this program) forks the axonds
 * (exec'd from --axond), the servers and the clients, and never calls
 * libaxon itself.  As root with ip(8), each node lives in a network
 * namespace of its own and the two are joined by a veth pair that the
 * driver cuts now and then; otherwise both nodes run on loopback and the
 * link cut is skipped (and said so).
 *
 * Each client sends to a random server (on its own node or the other) a
 * header {client, seq, len, rlen, checksum} and len bytes of payload
 * made from (client, seq); the server marks (client, seq) as executed in
 * memory shared with the driver — a second execution is a duplicate —
 * and replies with the header, the checksum it computed and rlen bytes
 * made from (client, seq).  The client classifies each outcome:
 *
 *   ok          the reply is this message's, intact, and its execution
 *               was recorded;
 *   wrong       a reply for another message, or corrupted;
 *   duplicated  a reply for an earlier message of this client, or a
 *               message executed twice;
 *   lost        success without a reply, or a send blocked longer than
 *               its bound (--dead-after + --connect-timeout + the
 *               longest stop + slack);
 *   allowed     ESRCH or EBADF (the server died), EHOSTDOWN or
 *               EHOSTUNREACH (a node or the link went away), ETIMEDOUT
 *               (its own TimerTimeout, on half of the sends);
 *   unexpected  any other error.
 *
 * Faults, one at a time, chosen by a PRNG seeded from --seed (SOAK_SEED):
 * kill -9 a server (restarted; clients re-open its global name), a
 * client (restarted; its sequence numbers go on), beta's axond
 * (restarted), SIGSTOP an axond or a server for 2-6 s, and cut the veth
 * link for 2-6 s.  alpha's axond and server s0 are never killed (only
 * stopped), so that memory and descriptors of processes that lived
 * through the whole run can be compared at its start and end.
 *
 * Output: one line per fault, a table, and one machine-readable line
 * "soak: key=value ...".  Exit status 0 if nothing was wrong, duplicated,
 * lost, over its bound or unexpected, no process crashed and traffic
 * flowed; 1 otherwise; 2 on a setup error.
 *
 * With --inject the servers misbehave on purpose, now and then: a reply
 * for another message, one for the client's previous message, a second
 * execution, a reply without data, and once a reply held past the
 * bound.  The run then passes only if each was caught: the soak's own
 * test.
 *
 * With --insecure the sessions are plain TCP (axond --insecure) instead
 * of TLS, so that the plain sessions' own data path (large frames sent
 * from where their data lies, several in one sendmsg) is soaked too.
 *
 * Every loop is bounded in time; every process the driver started is
 * killed and the namespaces and directories removed at the end, also on
 * SIGINT/SIGTERM; children die with the driver (PR_SET_PDEATHSIG).
 * Namespaces are named after the driver's pid, and a run removes the
 * namespaces of earlier runs whose driver is gone.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sys/dispatch.h>
#include <sys/iomsg.h>
#include <sys/neutrino.h>

#define NODES       2
#define MAX_CLIENTS 16
#define MAX_SERVERS 8
#define SEQ_MAX     (1u << 23) /* per client slot: 8 Mi messages */
/* The largest payload, either way: past 1 MiB, so that a remote message
 * is received in part and the server reads the rest (MsgRead). */
#define MAX_LEN     ((1u << 20) + 65536)
#define N_ERRNO     160
#define REQ_MAGIC   0x534f414bu /* "SOAK" */
#define REP_MAGIC   0x4b414f53u

struct req {
	uint32_t magic;
	uint32_t client;
	uint64_t seq;
	uint32_t len;  /* payload bytes after this header */
	uint32_t rlen; /* reply payload bytes asked for */
	uint64_t csum; /* of the payload */
};

struct rep {
	uint32_t magic;
	uint32_t client;
	uint64_t seq;
	uint64_t csum;  /* of the request payload, as the server saw it */
	uint64_t rcsum; /* of the reply payload */
	uint32_t server;
	uint32_t rlen;
};

/* Per client slot, across its incarnations. */
struct cstat {
	uint64_t next_seq;
	uint64_t ops, ok, wrong, dup, lost, over, unexpected;
	uint64_t local, remote, large, timed, bytes;
	uint64_t err[N_ERRNO];      /* allowed send errors, by errno */
	uint64_t bad_err[N_ERRNO];  /* unexpected send errors, by errno */
	uint64_t open_err[N_ERRNO]; /* name_open failures, by errno */
	uint64_t max_us[2];         /* longest send: [0] plain, [1] timed */
	int max_err[2];             /* ... its errno (0: it succeeded) */
	int max_remote[2];
};

struct sstat {
	uint64_t executed, dup_exec, corrupt;
};

struct shm {
	int stop;
	int held;       /* --inject: a reply was held over the bound */
	int nclients;
	uint64_t bound_us;
	struct cstat c[MAX_CLIENTS];
	struct sstat s[MAX_SERVERS];
	uint8_t exec[MAX_CLIENTS][SEQ_MAX / 8];
};

static struct shm *shm;

/* Settings. */
static double seconds = 60;
static uint64_t seed;
static int nservers = 4, nclients = 6;
static const char *axond_bin = "build/axond";
static int verbose;
static double scale = 1.0;
static int keepalive_ms, dead_after_ms, connect_ms;
static int stop_max_ms = 6000; /* the longest SIGSTOP (0: none) */
static bool use_netns;
static bool inject;
static bool insecure; /* --insecure: plain sessions, not TLS */
static char netns_skip[128];

/* The run's names and directories. */
static char base[64];
static char secret[128];
static char rundir[NODES][128];
static char ns[NODES][32];
static char veth[NODES][16];
static char addr[NODES][32];
static int port[NODES];
static const char *const node_name[NODES] = {"alpha", "beta"};
static volatile sig_atomic_t interrupted;
static pid_t driver_pid;

/* ---- small helpers ---- */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !interrupted) {
	}
}

static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A uniform integer in [lo, hi]. */
static int
rnd(uint64_t *s, int lo, int hi)
{
	return lo + (int) (splitmix(s) % (uint64_t) (hi - lo + 1));
}

static uint64_t
mix_word(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 32);
}

/* The checksum of len bytes: 8-byte words, the tail zero-padded. */
static uint64_t
csum(const uint8_t *p, size_t len)
{
	uint64_t h = len;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h = mix_word(h, w);
	}
	if (i < len) {
		uint64_t w = 0;

		memcpy(&w, p + i, len - i);
		h = mix_word(h, w);
	}
	return h;
}

/* Fills p (unless NULL) with len bytes made from s; returns their
 * csum(), so that the receiver can check them without a copy. */
static uint64_t
gen(uint8_t *p, size_t len, uint64_t s)
{
	uint64_t h = len;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w = splitmix(&s);

		if (p != NULL) {
			memcpy(p + i, &w, 8);
		}
		h = mix_word(h, w);
	}
	if (i < len) {
		uint64_t w = splitmix(&s), t = 0;

		memcpy(&t, &w, len - i);
		if (p != NULL) {
			memcpy(p + i, &t, len - i);
		}
		h = mix_word(h, t);
	}
	return h;
}

static uint64_t
msg_seed(uint32_t client, uint64_t seq, uint64_t salt)
{
	uint64_t s = seed ^ ((uint64_t) client << 48) ^ seq ^ (salt << 40);

	return splitmix(&s);
}

static int
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command (made from our own names only); its status. */
static int
sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (verbose) {
		fprintf(stderr, "+ %s\n", cmd);
	}
	strncat(cmd, " >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	st = system(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* VmRSS of pid in kB, -1 if gone. */
static long
rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
	f = fopen(path, "r");
	if (f == NULL) {
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmRSS: %ld", &kb) == 1) {
			break;
		}
	}
	fclose(f);
	return kb;
}

/* Descriptors open in pid, -1 if gone. */
static int
fd_count(pid_t pid)
{
	char path[64];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int) pid);
	d = opendir(path);
	if (d == NULL) {
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		n += e->d_name[0] != '.';
	}
	closedir(d);
	return n;
}

static int
rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void) sb;
	(void) flag;
	(void) ftw;
	return remove(p);
}

/* ---- network namespaces ---- */

static void
ns_enter(int node)
{
	char path[128];
	int fd;

	if (!use_netns) {
		return;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", ns[node]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		_exit(120);
	}
	close(fd);
}

static void
ns_delete(void)
{
	for (int i = 0; i < NODES; i++) {
		char path[128];

		snprintf(path, sizeof(path), "/run/netns/%s", ns[i]);
		if (ns[i][0] != '\0' && access(path, F_OK) == 0) {
			(void) sh("ip netns del %s", ns[i]);
		}
	}
}

/* Removes the namespaces of earlier runs whose driver is gone (a run
 * killed with SIGKILL cannot remove its own). */
static void
ns_reap_stale(void)
{
	DIR *d = opendir("/run/netns");
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		int pid;
		char c;

		if (sscanf(e->d_name, "axsoak-%d-%c", &pid, &c) == 2 &&
		    strlen(e->d_name) < 32 && pid > 0 &&
		    kill(pid, 0) < 0 && errno == ESRCH) {
			(void) sh("ip netns del %s", e->d_name);
		}
	}
	if (d != NULL) {
		closedir(d);
	}
}

/* Two namespaces joined by a veth pair; 0, or -1 with netns_skip set. */
static int
ns_setup(void)
{
	int pid = (int) getpid();

	if (geteuid() != 0) {
		snprintf(netns_skip, sizeof(netns_skip), "not root");
		return -1;
	}
	if (sh("ip -V") != 0) {
		snprintf(netns_skip, sizeof(netns_skip), "no ip(8)");
		return -1;
	}
	ns_reap_stale();
	for (int i = 0; i < NODES; i++) {
		snprintf(ns[i], sizeof(ns[i]), "axsoak-%d-%c", pid, 'a' + i);
		snprintf(veth[i], sizeof(veth[i]), "axs%c%d", 'A' + i,
		    pid % 1000000);
		snprintf(addr[i], sizeof(addr[i]), "10.214.%d.%d",
		    1 + pid % 254, i + 1);
		port[i] = 7101 + i;
	}
	if (sh("ip netns add %s", ns[0]) != 0) {
		ns[0][0] = '\0';
		snprintf(netns_skip, sizeof(netns_skip),
		    "cannot create a network namespace");
		return -1;
	}
	if (sh("ip netns add %s", ns[1]) != 0 ||
	    sh("ip -n %s link set lo up", ns[0]) != 0 ||
	    sh("ip -n %s link set lo up", ns[1]) != 0 ||
	    sh("ip link add %s netns %s type veth peer name %s netns %s",
		veth[0], ns[0], veth[1], ns[1]) != 0) {
		snprintf(netns_skip, sizeof(netns_skip),
		    "cannot create a veth pair");
		ns_delete();
		return -1;
	}
	for (int i = 0; i < NODES; i++) {
		if (sh("ip -n %s addr add %s/24 dev %s", ns[i], addr[i],
			veth[i]) != 0 ||
		    sh("ip -n %s link set %s up", ns[i], veth[i]) != 0) {
			snprintf(netns_skip, sizeof(netns_skip),
			    "cannot address the veth pair");
			ns_delete();
			return -1;
		}
	}
	return 0;
}

static int
link_set(bool up)
{
	return sh("ip -n %s link set %s %s", ns[0], veth[0],
	    up ? "up" : "down");
}

/* ---- the processes ---- */

enum kind { K_AXOND, K_SERVER, K_CLIENT };
static const char *const kind_name[] = {"axond", "server", "client"};

struct proc {
	enum kind kind;
	int idx;
	int node;
	pid_t pid;          /* -1: down */
	bool killed;        /* by us: its end is no crash */
	bool stopped;
	bool protect;       /* never killed (only stopped) */
	double restart_at;  /* when down: when to start it again */
	int incarnation;
	/* Samples: [S_QUIET0] before the clients start, [S_WARM] under
	 * load after a warm-up, [S_LOAD] under load at the end, [S_QUIET1]
	 * once the clients have gone. */
	pid_t pid0;         /* the process sampled first */
	long rss[4];
	int fds[4];
};

enum { S_QUIET0, S_WARM, S_LOAD, S_QUIET1 };

#define NPROC (NODES + MAX_SERVERS + MAX_CLIENTS)
static struct proc procs[NPROC];
static int nprocs;
static int crashes;

static void run_server(int idx);
static void run_client(int idx, int incarnation);

/* Starts node's axond; waits (bounded) for its readiness. */
static pid_t
axond_start(int node)
{
	char listen[64], peer[96], ka[16], da[16], ct[16], logf[192];
	int p[2];
	pid_t pid;
	int k = 1 - node;

	if (pipe2(p, O_CLOEXEC) < 0) {
		return -1;
	}
	snprintf(listen, sizeof(listen), "%s:%d", addr[node], port[node]);
	snprintf(peer, sizeof(peer), "%s=%s:%d", node_name[k], addr[k],
	    port[k]);
	snprintf(ka, sizeof(ka), "%d", keepalive_ms);
	snprintf(da, sizeof(da), "%d", dead_after_ms);
	snprintf(ct, sizeof(ct), "%d", connect_ms);
	snprintf(logf, sizeof(logf), "%s/axond-%s.log", base, node_name[node]);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		char *argv[] = {(char *) axond_bin, "--node",
		    (char *) node_name[node], "--listen", listen, "--peer", peer,
		    "--ready-fd", "3", "--keepalive", ka, "--dead-after", da,
		    "--connect-timeout", ct,
		    "--log-level", verbose ? "info" : "warning",
		    insecure ? "--insecure" : "--secret-file",
		    insecure ? NULL : secret, NULL};
		int lf;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		ns_enter(node);
		setenv("AXON_RUNDIR", rundir[node], 1);
		lf = open(logf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (lf >= 0) {
			dup2(lf, 2);
		}
		dup2(p[1], 3); /* without O_CLOEXEC */
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	struct pollfd pfd = {.fd = p[0], .events = POLLIN};
	char buf[16] = {0};

	if (poll(&pfd, 1, (int) (10000 * scale)) != 1 ||
	    read(p[0], buf, sizeof(buf) - 1) != 6 ||
	    strcmp(buf, "ready\n") != 0) {
		fprintf(stderr, "soak: axond %s did not start (see %s)\n",
		    node_name[node], logf);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(p[0]);
		return -1;
	}
	close(p[0]);
	return pid;
}

static pid_t
proc_fork(struct proc *pr)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != driver_pid) {
			_exit(0);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		ns_enter(pr->node);
		setenv("AXON_RUNDIR", rundir[pr->node], 1);
		if (pr->kind == K_SERVER) {
			run_server(pr->idx);
		} else {
			run_client(pr->idx, pr->incarnation);
		}
		_exit(0);
	}
	return pid;
}

static int
proc_start(struct proc *pr)
{
	pr->killed = false;
	pr->stopped = false;
	pr->incarnation++;
	pr->pid = pr->kind == K_AXOND ? axond_start(pr->node) : proc_fork(pr);
	return pr->pid > 0 ? 0 : -1;
}

static const char *
proc_label(const struct proc *pr, char *buf, size_t len)
{
	if (pr->kind == K_AXOND) {
		snprintf(buf, len, "axond %s", node_name[pr->node]);
	} else {
		snprintf(buf, len, "%s %c%d (%s)", kind_name[pr->kind],
		    pr->kind == K_SERVER ? 's' : 'c', pr->idx,
		    node_name[pr->node]);
	}
	return buf;
}

/* Kills every process still running (SIGCONT first: a stopped process
 * would not die of SIGTERM) and reaps it, bounded. */
static void
procs_kill_all(void)
{
	for (int i = nprocs - 1; i >= 0; i--) {
		struct proc *pr = &procs[i];

		if (pr->pid <= 0) {
			continue;
		}
		kill(pr->pid, SIGCONT);
		kill(pr->pid, pr->kind == K_AXOND ? SIGTERM : SIGKILL);
		for (int t = 0; t < 300; t++) {
			if (waitpid(pr->pid, NULL, WNOHANG) == pr->pid) {
				pr->pid = -1;
				break;
			}
			if (t == 200) {
				kill(pr->pid, SIGKILL);
			}
			sleep_ms(10);
		}
		pr->pid = -1;
	}
}

static bool keep_base;

static void
cleanup(void)
{
	if (getpid() != driver_pid) {
		return;
	}
	procs_kill_all();
	nprocs = 0;
	ns_delete();
	if (base[0] != '\0' && !keep_base) {
		(void) nftw(base, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
		base[0] = '\0';
	}
}

static void
on_signal(int sig)
{
	(void) sig;
	interrupted = 1;
}

/* ---- server ---- */

static void
run_server(int idx)
{
	char name[32];
	name_attach_t *att;
	size_t cap = sizeof(struct req) + MAX_LEN;
	uint8_t *buf = malloc(cap);
	uint8_t *rbuf = malloc(MAX_LEN);
	struct sstat *st = &shm->s[idx];

	snprintf(name, sizeof(name), "soak/s%d", idx);
	if (buf == NULL || rbuf == NULL) {
		_exit(3);
	}
	/* The previous incarnation's entry is stale: name_attach replaces
	 * it; retry (bounded) while axond has yet to clear anything else. */
	att = NULL;
	for (int t = 0; t < 100 && att == NULL; t++) {
		att = name_attach(NULL, name, NAME_FLAG_ATTACH_GLOBAL);
		if (att == NULL) {
			sleep_ms(50);
		}
	}
	if (att == NULL) {
		fprintf(stderr, "soak: server s%d: name_attach: %s\n", idx,
		    strerror(errno));
		_exit(4);
	}
	/* It runs until killed (by a fault, or by the driver at the end,
	 * or with it: PR_SET_PDEATHSIG). */
	for (;;) {
		struct _msg_info info;
		struct req *rq = (struct req *) buf;
		struct rep rp = {0};
		iov_t riov[2];
		rcvid_t rcvid = MsgReceive(att->chid, buf, cap, &info);

		if (rcvid < 0) {
			if (errno == EINTR) {
				continue;
			}
			fprintf(stderr, "soak: server s%d: MsgReceive: %s\n",
			    idx, strerror(errno));
			_exit(5);
		}
		if (rcvid == 0) {
			struct _pulse *pu = (struct _pulse *) buf;

			/* Every message is answered before the next
			 * MsgReceive, so an UNBLOCK pulse names a message
			 * already answered: nothing to do. */
			if (pu->code == _PULSE_CODE_DISCONNECT) {
				ConnectDetach(pu->scoid);
			}
			continue;
		}
		/* name_open() connects with _IO_CONNECT, which a
		 * name_attach server answers EOK, as on QNX. */
		if (info.msglen >= (int32_t) sizeof(uint16_t) &&
		    *(const uint16_t *) buf == _IO_CONNECT) {
			MsgReply(rcvid, EOK, NULL, 0);
			continue;
		}
		/* A message from another node comes with its first MiB at
		 * most, however large the buffer (docs/design/axond.md,
		 * "Data"): the rest is read. */
		if (info.msglen >= 0 && info.msglen < info.srcmsglen &&
		    (size_t) info.srcmsglen <= cap) {
			long n = MsgRead(rcvid, buf + info.msglen,
			    (size_t) (info.srcmsglen - info.msglen),
			    info.msglen);

			if (n < 0) {
				continue; /* the client is gone */
			}
			info.msglen += (int32_t) n;
		}
		if (info.msglen < (int32_t) sizeof(*rq) ||
		    rq->magic != REQ_MAGIC || rq->client >= MAX_CLIENTS ||
		    rq->seq >= SEQ_MAX || rq->len > MAX_LEN ||
		    rq->rlen > MAX_LEN ||
		    info.srcmsglen != (int32_t) (sizeof(*rq) + rq->len) ||
		    info.msglen != info.srcmsglen) {
			/* What arrived, for the report (the first few). */
			if (__atomic_add_fetch(&st->corrupt, 1,
				__ATOMIC_RELAXED) <= 20) {
				fprintf(stderr, "soak: s%d: bad message from "
						"nd %u pid %d: msglen %d "
						"srcmsglen %d magic %#x "
						"client %u seq %" PRIu64
						" len %u rlen %u\n",
				    idx, (unsigned) info.nd, (int) info.pid,
				    (int) info.msglen, (int) info.srcmsglen,
				    info.msglen >= 4 ? rq->magic : 0,
				    info.msglen >= 8 ? rq->client : 0,
				    info.msglen >= 16 ? rq->seq : 0,
				    info.msglen >= 20 ? rq->len : 0,
				    info.msglen >= 24 ? rq->rlen : 0);
			}
			MsgError(rcvid, EBADMSG);
			continue;
		}
		uint8_t bit = (uint8_t) (1u << (rq->seq & 7));
		uint8_t old = __atomic_fetch_or(
		    &shm->exec[rq->client][rq->seq >> 3], bit, __ATOMIC_SEQ_CST);

		if (old & bit) {
			__atomic_add_fetch(&st->dup_exec, 1, __ATOMIC_RELAXED);
		}
		__atomic_add_fetch(&st->executed, 1, __ATOMIC_RELAXED);
		rp.magic = REP_MAGIC;
		rp.client = rq->client;
		rp.seq = rq->seq;
		rp.csum = csum(buf + sizeof(*rq), rq->len);
		if (rp.csum != rq->csum) {
			__atomic_add_fetch(&st->corrupt, 1, __ATOMIC_RELAXED);
			fprintf(stderr, "soak: s%d: c%u seq %" PRIu64 ": payload "
					"of %u bytes corrupted\n",
			    idx, rq->client, rq->seq, rq->len);
		}
		rp.server = (uint32_t) idx;
		rp.rlen = rq->rlen;
		rp.rcsum = gen(rbuf, rq->rlen, msg_seed(rq->client, rq->seq,
						   'R'));
		if (inject) {
			switch (msg_seed(rq->client, rq->seq, 'I') % 500) {
			case 0:
				rp.seq++; /* wrong */
				break;
			case 1:
				rp.seq -= rp.seq > 0; /* a duplicate reply */
				break;
			case 2: /* executed twice */
				if (__atomic_fetch_or(&shm->exec[rq->client]
							   [rq->seq >> 3],
					bit, __ATOMIC_SEQ_CST) &
				    bit) {
					__atomic_add_fetch(&st->dup_exec, 1,
					    __ATOMIC_RELAXED);
				}
				break;
			case 3: /* lost: success, but no reply */
				(void) MsgReply(rcvid, (long) (rq->seq &
								0x3fffffff),
				    NULL, 0);
				continue;
			case 4: /* held over the bound, once, late enough
				 * not to hold up the rest before they are
				 * seen (every client queues behind it) */
				if (rq->seq >= 1500 &&
				    !__atomic_exchange_n(&shm->held, 1,
					__ATOMIC_SEQ_CST)) {
					sleep_ms((int) (shm->bound_us / 1000) +
					    500);
				}
				break;
			default:
				break;
			}
		}
		SETIOV(&riov[0], &rp, sizeof(rp));
		SETIOV(&riov[1], rbuf, rq->rlen);
		/* A client that died or timed out meanwhile is no error of
		 * ours. */
		(void) MsgReplyv(rcvid, (long) (rq->seq & 0x3fffffff), riov,
		    2);
	}
}

/* ---- client ---- */

static bool
err_allowed(int e, bool timed)
{
	return e == ESRCH || e == EBADF || e == EHOSTDOWN ||
	    e == EHOSTUNREACH || (e == ETIMEDOUT && timed);
}

static void
bump_err(uint64_t *tab, int e)
{
	__atomic_add_fetch(&tab[e > 0 && e < N_ERRNO ? e : 0], 1,
	    __ATOMIC_RELAXED);
}

static void
run_client(int idx, int incarnation)
{
	struct cstat *st = &shm->c[idx];
	int node = idx % NODES;
	uint8_t *buf = malloc(MAX_LEN);
	uint8_t *rbuf = malloc(MAX_LEN);
	int coid[MAX_SERVERS];
	uint64_t rs = seed ^ ((uint64_t) idx << 32) ^ (uint64_t) incarnation;
	uint64_t timeout_ns = (uint64_t) (1500 * scale) * 1000000ull;
	int said = 0; /* events printed: the first 20, not thousands */
	/* A last bound of its own: the driver stops it long before. */
	double hard_end = now() + seconds + 120 * scale;

	if (buf == NULL || rbuf == NULL) {
		_exit(3);
	}
	for (int s = 0; s < MAX_SERVERS; s++) {
		coid[s] = -1;
	}
	while (!__atomic_load_n(&shm->stop, __ATOMIC_RELAXED) &&
	       getppid() == driver_pid && now() < hard_end) {
		int s = rnd(&rs, 0, nservers - 1);
		bool remote = s % NODES != node;

		if (coid[s] < 0) {
			char name[32];

			snprintf(name, sizeof(name), "soak/s%d", s);
			coid[s] = name_open(name, NAME_FLAG_ATTACH_GLOBAL);
			if (coid[s] < 0) {
				bump_err(st->open_err, errno);
				sleep_ms(rnd(&rs, 5, 30));
				continue;
			}
		}
		uint64_t seq = __atomic_fetch_add(&st->next_seq, 1,
		    __ATOMIC_SEQ_CST);

		if (seq >= SEQ_MAX) {
			break;
		}
		/* Mostly small messages, some up to 64 KiB, a few up to
		 * 1 MiB (the shared-memory path locally). */
		int pick = rnd(&rs, 0, 999);
		uint32_t len = pick < 900 ? (uint32_t) rnd(&rs, 0, 256)
		    : pick < 990 ? (uint32_t) rnd(&rs, 257, 65536)
				 : (uint32_t) rnd(&rs, 65537, MAX_LEN);
		pick = rnd(&rs, 0, 999);
		uint32_t rlen = pick < 950 ? (uint32_t) rnd(&rs, 0, 256)
		    : pick < 995 ? (uint32_t) rnd(&rs, 257, 65536)
				 : (uint32_t) rnd(&rs, 65537, MAX_LEN);
		bool timed = rnd(&rs, 0, 1) == 1;
		struct req rq = {REQ_MAGIC, (uint32_t) idx, seq, len, rlen, 0};
		struct rep rp;
		iov_t siov[2], riov[2];

		rq.csum = gen(buf, len, msg_seed((uint32_t) idx, seq, 'Q'));
		memset(&rp, 0, sizeof(rp));
		SETIOV(&siov[0], &rq, sizeof(rq));
		SETIOV(&siov[1], buf, len);
		SETIOV(&riov[0], &rp, sizeof(rp));
		SETIOV(&riov[1], rbuf, MAX_LEN);
		if (timed) {
			TimerTimeout(CLOCK_MONOTONIC,
			    _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY, NULL,
			    &timeout_ns, NULL);
		}
		double t0 = now();
		long rc = MsgSendv(coid[s], siov, 2, riov, 2);
		int e = rc < 0 ? errno : 0;
		uint64_t us = (uint64_t) ((now() - t0) * 1e6);

		/* The longest block, kept with what ended it. */
		uint64_t cur = __atomic_load_n(&st->max_us[timed],
		    __ATOMIC_RELAXED);
		if (us > cur) {
			st->max_us[timed] = us;
			st->max_err[timed] = e;
			st->max_remote[timed] = remote;
		}
		__atomic_add_fetch(remote ? &st->remote : &st->local, 1,
		    __ATOMIC_RELAXED);
		if (len > 65536 || rlen > 65536) {
			__atomic_add_fetch(&st->large, 1, __ATOMIC_RELAXED);
		}
		if (timed) {
			__atomic_add_fetch(&st->timed, 1, __ATOMIC_RELAXED);
		}
		if (us > shm->bound_us) {
			__atomic_add_fetch(&st->over, 1, __ATOMIC_RELAXED);
			if (said++ < 20) {
				fprintf(stderr, "soak: c%d seq %" PRIu64
						" to s%d blocked %.3f s (%s)\n",
				    idx, seq, s, (double) us / 1e6,
				    e ? strerror(e) : "ok");
			}
		}
		if (rc < 0) {
			if (err_allowed(e, timed)) {
				bump_err(st->err, e);
			} else {
				bump_err(st->bad_err, e);
				__atomic_add_fetch(&st->unexpected, 1,
				    __ATOMIC_RELAXED);
				if (said++ < 20) {
					fprintf(stderr, "soak: c%d seq %" PRIu64
							" to s%d: unexpected "
							"%s\n",
					    idx, seq, s, strerror(e));
				}
			}
			if (e != ETIMEDOUT) {
				(void) name_close(coid[s]);
				coid[s] = -1;
			}
			__atomic_add_fetch(&st->ops, 1, __ATOMIC_RELAXED);
			sleep_ms(rnd(&rs, 2, 20));
			continue;
		}
		const char *why = NULL;
		uint64_t *what = &st->wrong;
		uint8_t bit = (uint8_t) (1u << (seq & 7));

		if (rp.magic == 0 && rp.seq == 0 && rp.client == 0) {
			what = &st->lost;
			why = "success without a reply";
		} else if (rp.magic != REP_MAGIC) {
			why = "reply corrupted";
		} else if (rp.client == (uint32_t) idx && rp.seq < seq) {
			what = &st->dup;
			why = "reply of an earlier message";
		} else if (rp.client != (uint32_t) idx || rp.seq != seq) {
			why = "reply of another message";
		} else if (rc != (long) (seq & 0x3fffffff)) {
			why = "wrong status";
		} else if (rp.csum != rq.csum || rp.rlen != rlen ||
			   rp.server != (uint32_t) s) {
			why = "request corrupted";
		} else if (csum(rbuf, rlen) != rp.rcsum ||
			   rp.rcsum != gen(NULL, rlen,
				msg_seed((uint32_t) idx, seq, 'R'))) {
			why = "reply payload corrupted";
		} else if (!(__atomic_load_n(&shm->exec[idx][seq >> 3],
				 __ATOMIC_SEQ_CST) & bit)) {
			why = "a reply without an execution";
		}
		if (why != NULL) {
			__atomic_add_fetch(what, 1, __ATOMIC_RELAXED);
			if (said++ < 20) {
				fprintf(stderr, "soak: c%d seq %" PRIu64
						" to s%d: %s (rc %ld, client "
						"%u seq %" PRIu64 ")\n",
				    idx, seq, s, why, rc, rp.client, rp.seq);
			}
		} else {
			__atomic_add_fetch(&st->ok, 1, __ATOMIC_RELAXED);
			__atomic_add_fetch(&st->bytes, len + rlen,
			    __ATOMIC_RELAXED);
		}
		__atomic_add_fetch(&st->ops, 1, __ATOMIC_RELAXED);
	}
	_exit(0);
}

/* ---- driver ---- */

/* 1 once node sees peer "up" in its nodes file, within ms. */
static int
wait_up(int node, int ms)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/nodes", rundir[node]);
	for (int t = 0; t < ms / 20 && !interrupted; t++) {
		char line[512];
		FILE *f = fopen(path, "r");
		int ok = 0;

		while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
			char name[64], state[32];
			int nd;

			if (line[0] != '#' &&
			    sscanf(line, "%d %63s %31s", &nd, name, state) ==
				3 &&
			    strcmp(name, node_name[1 - node]) == 0 &&
			    strcmp(state, "up") == 0) {
				ok = 1;
			}
		}
		if (f != NULL) {
			fclose(f);
		}
		if (ok) {
			return 1;
		}
		sleep_ms(20);
	}
	return 0;
}

enum fault {
	F_KILL_SERVER,
	F_KILL_CLIENT,
	F_KILL_AXOND,
	F_STOP_AXOND,
	F_STOP_SERVER,
	F_LINK_CUT,
	F_N
};
static const char *const fault_name[F_N] = {"kill-server", "kill-client",
    "kill-axond", "stop-axond", "stop-server", "link-cut"};
static const int fault_weight[F_N] = {3, 2, 2, 2, 2, 2};
static int faults[F_N];

static struct proc *
pick_proc(uint64_t *rs, enum kind kind, bool killable)
{
	struct proc *c[NPROC];
	int n = 0;

	for (int i = 0; i < nprocs; i++) {
		if (procs[i].kind == kind && procs[i].pid > 0 &&
		    !procs[i].stopped && !(killable && procs[i].protect)) {
			c[n++] = &procs[i];
		}
	}
	return n > 0 ? c[rnd(rs, 0, n - 1)] : NULL;
}

/* Samples the axonds and servers that are still the processes of the
 * first sample. */
static void
sample(int when)
{
	for (int i = 0; i < nprocs; i++) {
		struct proc *pr = &procs[i];

		if (pr->kind == K_CLIENT || pr->pid <= 0) {
			continue;
		}
		if (when == S_QUIET0) {
			pr->pid0 = pr->pid;
		}
		if (pr->pid == pr->pid0) {
			pr->rss[when] = rss_kb(pr->pid);
			pr->fds[when] = fd_count(pr->pid);
		}
	}
}

static bool
survived(const struct proc *pr)
{
	return pr->kind != K_CLIENT && pr->pid0 > 0 && pr->pid == pr->pid0 &&
	    pr->rss[S_QUIET1] > 0;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: soak [--seconds N] [--seed N] [--servers N] "
	    "[--clients N]\n"
	    "            [--axond PATH] [--no-netns] [--inject] [--insecure] "
	    "[--keep] [-v]\n"
	    "env: SOAK_SECONDS, SOAK_SEED, AXON_TEST_TIMEOUT_MULTIPLIER\n");
	exit(2);
}

static const char *
errname(int e)
{
	switch (e) {
	case ESRCH: return "ESRCH";
	case EBADF: return "EBADF";
	case EHOSTDOWN: return "EHOSTDOWN";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ENOENT: return "ENOENT";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EAGAIN: return "EAGAIN";
	case EINTR: return "EINTR";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EBADMSG: return "EBADMSG";
	case EFAULT: return "EFAULT";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	default: return NULL;
	}
}

/* Appends " NAME n" for each nonzero errno count of tab; kv: as
 * "prefix_NAME=n" instead. */
static void
print_errs(FILE *f, const uint64_t *tab, const char *prefix, bool kv)
{
	bool any = false;

	for (int e = 0; e < N_ERRNO; e++) {
		char num[16];
		const char *n = errname(e);

		if (tab[e] == 0) {
			continue;
		}
		if (n == NULL) {
			snprintf(num, sizeof(num), "E%d", e);
			n = num;
		}
		if (kv) {
			fprintf(f, " %s_%s=%" PRIu64, prefix, n, tab[e]);
		} else {
			fprintf(f, "%s%s %" PRIu64, any ? ", " : " ", n, tab[e]);
		}
		any = true;
	}
	if (!any && !kv) {
		fprintf(f, " none");
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seconds", required_argument, NULL, 't'},
		{"seed", required_argument, NULL, 's'},
		{"servers", required_argument, NULL, 'S'},
		{"clients", required_argument, NULL, 'C'},
		{"axond", required_argument, NULL, 'a'},
		{"no-netns", no_argument, NULL, 'n'},
		{"keep", no_argument, NULL, 'k'},
		{"inject", no_argument, NULL, 'i'},
		{"insecure", no_argument, NULL, 'I'},
		{"verbose", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	bool no_netns = false;
	const char *env;
	int c;

	driver_pid = getpid();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((env = getenv("SOAK_SECONDS")) != NULL && env[0] != '\0') {
		seconds = atof(env);
	}
	if ((env = getenv("SOAK_SEED")) != NULL && env[0] != '\0') {
		seed = strtoull(env, NULL, 0);
	} else {
		if (getentropy(&seed, sizeof(seed)) != 0) {
			seed = (uint64_t) time(NULL) ^ (uint64_t) getpid();
		}
		seed &= 0xffffffffffffull; /* short enough to type */
	}
	if ((env = getenv("AXOND")) != NULL && env[0] != '\0') {
		axond_bin = env;
	}
	if ((env = getenv("AXON_TEST_TIMEOUT_MULTIPLIER")) != NULL &&
	    atof(env) > 1.0) {
		scale = atof(env);
	}
	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 't': seconds = atof(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'S': nservers = atoi(optarg); break;
		case 'C': nclients = atoi(optarg); break;
		case 'a': axond_bin = optarg; break;
		case 'n': no_netns = true; break;
		case 'k': keep_base = true; break;
		case 'i': inject = true; break;
		case 'I': insecure = true; break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (optind != argc || seconds < 5 || seconds > 86400 ||
	    nservers < NODES || nservers > MAX_SERVERS || nclients < NODES ||
	    nclients > MAX_CLIENTS) {
		usage();
	}
	if (access(axond_bin, X_OK) != 0) {
		fprintf(stderr, "soak: %s: %s\n", axond_bin, strerror(errno));
		return 2;
	}
	keepalive_ms = (int) (200 * scale);
	dead_after_ms = (int) (1000 * scale);
	connect_ms = (int) (1000 * scale);

	void *m = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		perror("soak: mmap");
		return 2;
	}
	shm = m;
	shm->nclients = nclients;
	/* Any send ends within this: the session's death or a connect
	 * attempt's end, after the longest stop, plus slack for a shared
	 * machine. */
	if (inject) {
		stop_max_ms = 0; /* no faults */
	}
	shm->bound_us = (uint64_t) (dead_after_ms + connect_ms + stop_max_ms +
			    3000 * scale) * 1000;

	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	atexit(cleanup);

	snprintf(base, sizeof(base), "/tmp/axon-soak-XXXXXX");
	if (mkdtemp(base) == NULL) {
		perror("soak: mkdtemp");
		return 2;
	}
	for (int i = 0; i < NODES; i++) {
		snprintf(rundir[i], sizeof(rundir[i]), "%s/%s", base,
		    node_name[i]);
		if (mkdir(rundir[i], 0755) < 0) {
			perror("soak: mkdir");
			return 2;
		}
	}
	/* A fresh cluster secret (sessions are TLS keyed from it). */
	{
		uint8_t r[32];
		char hex[65];
		int fd;

		snprintf(secret, sizeof(secret), "%s/secret", base);
		if (getentropy(r, sizeof(r)) != 0) {
			return 2;
		}
		for (size_t k = 0; k < sizeof(r); k++) {
			snprintf(hex + 2 * k, 3, "%02x", r[k]);
		}
		fd = open(secret, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600);
		if (fd < 0 || write(fd, hex, 64) != 64) {
			perror("soak: secret");
			return 2;
		}
		close(fd);
	}
	use_netns = !no_netns && ns_setup() == 0;
	if (no_netns) {
		snprintf(netns_skip, sizeof(netns_skip), "--no-netns");
	}
	if (!use_netns) {
		for (int i = 0; i < NODES; i++) {
			struct sockaddr_in sin = {.sin_family = AF_INET};
			socklen_t len = sizeof(sin);
			int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

			sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			if (fd < 0 ||
			    bind(fd, (struct sockaddr *) &sin, len) < 0 ||
			    getsockname(fd, (struct sockaddr *) &sin, &len) <
				0) {
				perror("soak: a free port");
				return 2;
			}
			port[i] = ntohs(sin.sin_port);
			close(fd);
			snprintf(addr[i], sizeof(addr[i]), "127.0.0.1");
		}
	}
	printf("soak: seed=%" PRIu64 " (SOAK_SEED=%" PRIu64
	       " to replay the faults) seconds=%g servers=%d clients=%d "
	       "nodes=%d mode=%s\n",
	    seed, seed, seconds, nservers, nclients, NODES,
	    use_netns ? "netns" : "loopback");
	if (!use_netns) {
		printf("soak: link cut: skipped (%s)\n", netns_skip);
	}
	printf("soak: bound on any send %.1f s (dead-after %d ms + "
	       "connect-timeout %d ms + longest stop %d ms + slack)\n",
	    (double) shm->bound_us / 1e6, dead_after_ms, connect_ms,
	    stop_max_ms);

	/* The processes: axonds first, then servers, then clients. */
	for (int i = 0; i < NODES; i++) {
		procs[nprocs++] = (struct proc){.kind = K_AXOND, .idx = i,
		    .node = i, .pid = -1, .protect = i == 0};
	}
	for (int i = 0; i < nservers; i++) {
		procs[nprocs++] = (struct proc){.kind = K_SERVER, .idx = i,
		    .node = i % NODES, .pid = -1, .protect = i == 0};
	}
	for (int i = 0; i < nclients; i++) {
		procs[nprocs++] = (struct proc){.kind = K_CLIENT, .idx = i,
		    .node = i % NODES, .pid = -1};
	}
	for (int i = 0; i < nprocs; i++) {
		if (procs[i].kind == K_CLIENT) {
			continue;
		}
		if (proc_start(&procs[i]) < 0) {
			fprintf(stderr, "soak: cannot start %s\n",
			    kind_name[procs[i].kind]);
			keep_base = true;
			return 2;
		}
		if (i == NODES - 1 &&
		    (!wait_up(0, (int) (10000 * scale)) ||
			!wait_up(1, (int) (10000 * scale)))) {
			fprintf(stderr, "soak: the nodes did not connect "
					"(logs in %s)\n",
			    base);
			keep_base = true;
			return 2;
		}
	}
	sleep_ms(300); /* global names reach the other node (~100 ms) */
	sample(S_QUIET0);
	for (int i = 0; i < nprocs; i++) {
		if (procs[i].kind == K_CLIENT && proc_start(&procs[i]) < 0) {
			fprintf(stderr, "soak: cannot start a client\n");
			return 2;
		}
	}

	/* The run. */
	uint64_t rs = seed;
	double t_start = now();
	double t_end = t_start + seconds;
	double t_sample = t_start + (seconds / 10 < 5 ? seconds / 10 : 5);
	bool sampled = false;
	double next_fault = t_start + 2;
	double fault_end = 0;       /* the current fault's end, or 0 */
	struct proc *stopped = NULL; /* what the current fault stopped */
	bool link_down = false;
	int kinds = use_netns ? F_N : F_LINK_CUT;
	int wsum = 0;

	for (int k = 0; k < kinds; k++) {
		wsum += fault_weight[k];
	}
	while (!interrupted && now() < t_end) {
		double t = now();
		int st;
		pid_t pid;

		/* Reap: a process we did not kill has crashed. */
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
			for (int i = 0; i < nprocs; i++) {
				struct proc *pr = &procs[i];
				char lab[64];

				if (pr->pid != pid) {
					continue;
				}
				pr->pid = -1;
				if (!pr->killed) {
					crashes++;
					fprintf(stderr, "soak: %s died on its "
							"own: %s %d\n",
					    proc_label(pr, lab, sizeof(lab)),
					    WIFSIGNALED(st) ? "signal"
							    : "status",
					    WIFSIGNALED(st) ? WTERMSIG(st)
							    : WEXITSTATUS(st));
					keep_base = true;
				}
				if (pr->restart_at == 0) {
					pr->restart_at = t + 0.2;
				}
			}
		}
		/* Restart what is due. */
		for (int i = 0; i < nprocs; i++) {
			struct proc *pr = &procs[i];

			if (pr->pid <= 0 && pr->restart_at > 0 &&
			    t >= pr->restart_at) {
				pr->restart_at = 0;
				if (proc_start(pr) < 0) {
					crashes++;
					pr->restart_at = t + 1;
				}
			}
		}
		/* The current fault's end. */
		if (fault_end > 0 && t >= fault_end) {
			if (stopped != NULL && stopped->pid > 0) {
				kill(stopped->pid, SIGCONT);
				stopped->stopped = false;
			}
			stopped = NULL;
			if (link_down) {
				if (link_set(true) != 0) {
					fprintf(stderr, "soak: cannot restore "
							"the link\n");
					crashes++;
				}
				link_down = false;
			}
			fault_end = 0;
			next_fault = t + rnd(&rs, 500, 2500) / 1000.0;
		}
		if (!sampled && t >= t_sample) {
			sample(S_WARM);
			sampled = true;
		}
		/* The next fault. */
		/* (None with --inject: what the servers do wrong must not
		 * be lost to a fault.) */
		if (fault_end == 0 && !inject && t >= next_fault &&
		    t < t_end - 3) {
			int w = rnd(&rs, 0, wsum - 1), k = 0;
			struct proc *pr = NULL;
			char lab[64] = "link";
			int dur = 0;

			while (w >= fault_weight[k]) {
				w -= fault_weight[k++];
			}
			switch (k) {
			case F_KILL_SERVER:
				pr = pick_proc(&rs, K_SERVER, true);
				break;
			case F_KILL_CLIENT:
				pr = pick_proc(&rs, K_CLIENT, true);
				break;
			case F_KILL_AXOND:
				pr = pick_proc(&rs, K_AXOND, true);
				break;
			case F_STOP_AXOND:
				pr = pick_proc(&rs, K_AXOND, false);
				break;
			case F_STOP_SERVER:
				pr = pick_proc(&rs, K_SERVER, false);
				break;
			default:
				break;
			}
			if (pr == NULL && k != F_LINK_CUT) {
				next_fault = t + 0.2; /* its target is down */
				continue;
			}
			if (pr != NULL) {
				proc_label(pr, lab, sizeof(lab));
			}
			switch (k) {
			case F_KILL_SERVER:
			case F_KILL_CLIENT:
			case F_KILL_AXOND:
				pr->killed = true;
				kill(pr->pid, SIGKILL);
				pr->restart_at = t + rnd(&rs, 100, 1500) /
				    1000.0;
				dur = 0;
				fault_end = t + 0.01;
				break;
			case F_STOP_AXOND:
			case F_STOP_SERVER:
				dur = rnd(&rs, 2000, stop_max_ms);
				kill(pr->pid, SIGSTOP);
				pr->stopped = true;
				stopped = pr;
				fault_end = t + dur / 1000.0;
				break;
			default:
				dur = rnd(&rs, 2000, 6000);
				if (link_set(false) != 0) {
					fprintf(stderr, "soak: cannot cut the "
							"link\n");
					crashes++;
				}
				link_down = true;
				fault_end = t + dur / 1000.0;
				break;
			}
			faults[k]++;
			printf("soak: %7.2f s %-11s %s", t - t_start,
			    fault_name[k], lab);
			if (dur > 0) {
				printf(" for %.1f s", dur / 1000.0);
			}
			printf("\n");
		}
		sleep_ms(20);
	}
	/* Undo the last fault, let restarts happen, then sample. */
	if (stopped != NULL && stopped->pid > 0) {
		kill(stopped->pid, SIGCONT);
		stopped->stopped = false;
	}
	if (link_down) {
		(void) link_set(true);
	}
	double run_s = now() - t_start;

	sample(S_LOAD);
	__atomic_store_n(&shm->stop, 1, __ATOMIC_SEQ_CST);

	/* The clients finish their send (within the bound) and exit. */
	int stuck = 0;
	double wait_end = now() + (double) shm->bound_us / 1e6 + 5;

	for (int i = 0; i < nprocs; i++) {
		struct proc *pr = &procs[i];

		if (pr->kind != K_CLIENT || pr->pid <= 0) {
			continue;
		}
		while (waitpid(pr->pid, NULL, WNOHANG) == 0 && now() < wait_end) {
			sleep_ms(20);
		}
		if (kill(pr->pid, 0) == 0 &&
		    waitpid(pr->pid, NULL, WNOHANG) == 0) {
			char lab[64];

			fprintf(stderr, "soak: %s stuck at the end\n",
			    proc_label(pr, lab, sizeof(lab)));
			stuck++;
			kill(pr->pid, SIGKILL);
			waitpid(pr->pid, NULL, 0);
		}
		pr->pid = -1;
	}

	/* The servers see their clients go, and axond its clients' sockets
	 * close: wait (bounded) for the descriptors to settle. */
	for (int t = 0; t < 100; t++) {
		bool settled = true;

		for (int i = 0; i < nprocs; i++) {
			struct proc *pr = &procs[i];

			if (pr->kind != K_CLIENT && pr->pid0 > 0 &&
			    pr->pid == pr->pid0 &&
			    fd_count(pr->pid) > pr->fds[S_QUIET0]) {
				settled = false;
			}
		}
		if (settled) {
			break;
		}
		sleep_ms(30);
	}
	sample(S_QUIET1);

	/* Totals. */
	struct cstat t = {0};
	struct sstat sv = {0};

	for (int i = 0; i < nclients; i++) {
		struct cstat *x = &shm->c[i];

		t.ops += x->ops;
		t.ok += x->ok;
		t.wrong += x->wrong;
		t.dup += x->dup;
		t.lost += x->lost;
		t.over += x->over;
		t.unexpected += x->unexpected;
		t.local += x->local;
		t.remote += x->remote;
		t.large += x->large;
		t.timed += x->timed;
		t.bytes += x->bytes;
		for (int e = 0; e < N_ERRNO; e++) {
			t.err[e] += x->err[e];
			t.bad_err[e] += x->bad_err[e];
			t.open_err[e] += x->open_err[e];
		}
		for (int k = 0; k < 2; k++) {
			if (x->max_us[k] > t.max_us[k]) {
				t.max_us[k] = x->max_us[k];
				t.max_err[k] = x->max_err[k];
				t.max_remote[k] = x->max_remote[k];
			}
		}
	}
	for (int i = 0; i < nservers; i++) {
		sv.executed += shm->s[i].executed;
		sv.dup_exec += shm->s[i].dup_exec;
		sv.corrupt += shm->s[i].corrupt;
	}
	uint64_t allowed = 0;

	for (int e = 0; e < N_ERRNO; e++) {
		allowed += t.err[e];
	}
	uint64_t wrong = t.wrong + sv.corrupt;
	uint64_t dup = t.dup + sv.dup_exec;
	uint64_t maxb = t.max_us[0] > t.max_us[1] ? t.max_us[0] : t.max_us[1];
	bool fail = wrong != 0 || dup != 0 || t.lost != 0 || t.over != 0 ||
	    t.unexpected != 0 || crashes != 0 || stuck != 0 ||
	    t.ok < 1000 || interrupted;

	if (inject) {
		/* The soak's own test: each misbehaviour was caught, and
		 * nothing else went wrong. */
		fail = t.wrong == 0 || t.dup == 0 || sv.dup_exec == 0 ||
		    t.lost == 0 || t.over == 0 || sv.corrupt != 0 ||
		    t.unexpected != 0 || crashes != 0 || stuck != 0 ||
		    interrupted;
		printf("soak: --inject: the servers misbehaved on purpose; "
		       "%s\n",
		    fail ? "NOT ALL CAUGHT" : "each misbehaviour was caught");
	}

	printf("\n");
	printf("  operations    %" PRIu64 " in %.0f s (%.0f/s): local %" PRIu64
	       ", remote %" PRIu64 ", large %" PRIu64 ", with a timeout %"
	       PRIu64 ", %.1f MB carried\n",
	    t.ops, run_s, (double) t.ops / run_s, t.local, t.remote, t.large,
	    t.timed, (double) t.bytes / 1e6);
	printf("  ok            %" PRIu64 "\n", t.ok);
	printf("  wrong         %" PRIu64 " (replies %" PRIu64
	       ", corrupted at the server %" PRIu64 ")\n",
	    wrong, t.wrong, sv.corrupt);
	printf("  duplicated    %" PRIu64 " (replies %" PRIu64
	       ", executions %" PRIu64 " of %" PRIu64 ")\n",
	    dup, t.dup, sv.dup_exec, sv.executed);
	printf("  lost          %" PRIu64 " (over the bound: %" PRIu64 ")\n",
	    t.lost + t.over, t.over);
	printf("  allowed       %" PRIu64 ":", allowed);
	print_errs(stdout, t.err, "", false);
	printf("\n  unexpected    %" PRIu64 ":", t.unexpected);
	print_errs(stdout, t.bad_err, "", false);
	printf("\n  name_open     failed:");
	print_errs(stdout, t.open_err, "", false);
	printf("\n  longest block %.3f s of %.1f s allowed (plain send %.3f s"
	       " %s%s, timed send %.3f s %s%s)\n",
	    (double) maxb / 1e6, (double) shm->bound_us / 1e6,
	    (double) t.max_us[0] / 1e6,
	    t.max_remote[0] ? "remote, " : "local, ",
	    t.max_err[0] ? errname(t.max_err[0]) ?: "error" : "ok",
	    (double) t.max_us[1] / 1e6,
	    t.max_remote[1] ? "remote, " : "local, ",
	    t.max_err[1] ? errname(t.max_err[1]) ?: "error" : "ok");
	printf("  faults       ");
	for (int k = 0; k < F_N; k++) {
		if (k == F_LINK_CUT && !use_netns) {
			printf(" %s skipped", fault_name[k]);
		} else {
			printf(" %s %d%s", fault_name[k], faults[k],
			    k < F_N - 1 ? "," : "");
		}
	}
	printf("\n  crashes       %d, stuck clients %d\n", crashes, stuck);
	printf("  survivors     RSS kB under load at %.0f s -> at the end; "
	       "descriptors before the clients -> after them (under load)\n",
	    t_sample - t_start);
	for (int i = 0; i < nprocs; i++) {
		struct proc *pr = &procs[i];
		char lab[64];

		if (pr->kind == K_CLIENT) {
			continue;
		}
		proc_label(pr, lab, sizeof(lab));
		if (survived(pr)) {
			printf("    %-18s rss %6ld -> %6ld (%+ld)  fds %3d -> "
			       "%3d (%+d) (%d -> %d)\n",
			    lab, pr->rss[S_WARM], pr->rss[S_LOAD],
			    pr->rss[S_LOAD] - pr->rss[S_WARM],
			    pr->fds[S_QUIET0], pr->fds[S_QUIET1],
			    pr->fds[S_QUIET1] - pr->fds[S_QUIET0],
			    pr->fds[S_WARM], pr->fds[S_LOAD]);
		} else {
			printf("    %-18s restarted during the run\n", lab);
		}
	}

	/* The machine-readable line. */
	printf("soak: result=%s%s seed=%" PRIu64 " seconds=%.0f mode=%s "
	       "servers=%d clients=%d ops=%" PRIu64 " ok=%" PRIu64
	       " wrong=%" PRIu64 " duplicated=%" PRIu64 " lost=%" PRIu64
	       " over_bound=%" PRIu64 " unexpected=%" PRIu64
	       " allowed=%" PRIu64 " local=%" PRIu64 " remote=%" PRIu64
	       " large=%" PRIu64 " max_block_ms=%" PRIu64 " bound_ms=%" PRIu64
	       " crashes=%d stuck=%d",
	    fail ? "FAIL" : "pass", inject ? " inject=1" : "", seed, run_s,
	    use_netns ? "netns" : "loopback", nservers, nclients, t.ops,
	    t.ok, wrong, dup, t.lost, t.over, t.unexpected, allowed, t.local,
	    t.remote, t.large, maxb / 1000, shm->bound_us / 1000, crashes,
	    stuck);
	print_errs(stdout, t.err, "err", true);
	print_errs(stdout, t.bad_err, "bad", true);
	for (int k = 0; k < F_N; k++) {
		if (k != F_LINK_CUT || use_netns) {
			printf(" %s=%d", fault_name[k], faults[k]);
		}
	}
	for (int i = 0; i < nprocs; i++) {
		struct proc *pr = &procs[i];

		if (survived(pr)) {
			const char *k = pr->kind == K_AXOND ? "axond"
							    : "server";

			printf(" %s%d_rss_kb=%ld:%ld %s%d_fds=%d:%d", k,
			    pr->idx, pr->rss[S_WARM], pr->rss[S_LOAD], k,
			    pr->idx, pr->fds[S_QUIET0], pr->fds[S_QUIET1]);
		}
	}
	printf("\n");
	if (interrupted) {
		printf("soak: interrupted\n");
	}
	if (fail && base[0] != '\0') {
		keep_base = true;
		printf("soak: FAILED; axond logs kept in %s; replay the faults "
		       "with SOAK_SEED=%" PRIu64 "\n",
		    base, seed);
	}
	cleanup();
	return fail ? 1 : 0;
}
