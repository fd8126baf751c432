/* SPDX-License-Identifier: MIT */
/*
 * Global names (issue 4): name_attach(NAME_FLAG_ATTACH_GLOBAL) on one
 * node, name_open(NAME_FLAG_ATTACH_GLOBAL) on any node.  Real axonds on
 * loopback (net_test.h); the conflict rule and the names file format
 * are also tested on their own (axond's names.c, libaxon's parser).
 *
 * Every libaxon call of a node is made by a child process that enters
 * that node (a probe), so that one test can look from several nodes.
 */
#include "net_peer.h"
#include "attack.h"

#include <stdarg.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "names.h"
#include "wire.h"

/* ---- servers and probes ---- */

struct gsrv_arg {
	int node;         /* -1: stay in this process's AXON_RUNDIR */
	const char *name; /* NULL: a plain channel, no name */
	unsigned flags;
};

/* A server that answers every message with its pid as the status. */
static void
gsrv_main(int fd, void *p)
{
	const struct gsrv_arg *a = p;
	name_attach_t *att = NULL;
	int chid;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (a->node >= 0) {
		axn_enter(a->node);
	}
	if (a->name != NULL) {
		att = name_attach(NULL, a->name, a->flags);
		chid = att != NULL ? att->chid : -errno;
	} else {
		chid = ChannelCreate(_NTO_CHF_DISCONNECT);
	}
	axt_report(fd, chid);
	if (chid < 0) {
		_exit(1);
	}
	for (;;) {
		struct _pulse msg[4];
		rcvid_t r = MsgReceive(chid, msg, sizeof(msg), NULL);

		if (r < 0) {
			_exit(2);
		}
		if (r == 0) {
			if (msg[0].code == _PULSE_CODE_DISCONNECT) {
				ConnectDetach(msg[0].scoid);
			}
			continue;
		}
		if (msg[0].type == _IO_CONNECT) {
			MsgReply(r, EOK, NULL, 0); /* name_open()'s */
			continue;
		}
		MsgReply(r, getpid(), NULL, 0);
	}
}

static struct axt_child
gsrv_start(int node, const char *name, unsigned flags)
{
	struct gsrv_arg a = {node, name, flags};
	struct axt_child c = axt_spawn(gsrv_main, &a);

	ck_assert_msg(c.val >= 0, "server %s: %s", name ? name : "-",
	    strerror(-c.val));
	return c;
}

struct probe_arg {
	int node;
	const char *name;
	int flags;
};

/* name_open + MsgSend from a node: the server's pid, or -errno. */
static void
probe_main(int fd, void *p)
{
	const struct probe_arg *a = p;
	uint64_t to = (uint64_t) (3e9 * axn_scale());
	int coid;
	long r;

	if (a->node >= 0) {
		axn_enter(a->node);
	}
	coid = name_open(a->name, a->flags);
	if (coid < 0) {
		axt_report(fd, -errno);
		_exit(0);
	}
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY,
	    NULL, &to, NULL);
	r = MsgSend(coid, "?", 2, NULL, 0);
	axt_report(fd, r < 0 ? -errno : (int) r);
	name_close(coid);
	_exit(0);
}

static int
probe(int node, const char *name, int flags)
{
	struct probe_arg a = {node, name, flags};
	struct axt_child c = axt_spawn(probe_main, &a);

	ck_assert_int_ge(axt_child_wait(&c, 10 * axn_scale()), 0);
	return c.val;
}

/* Probes until the answer is want (bounded); returns the last answer. */
static int
probe_until(int node, const char *name, int flags, int want, int ms)
{
	double end = axt_now() + ms * axn_scale() / 1000.0;
	int r;

	for (;;) {
		r = probe(node, name, flags);
		if (r == want || axt_now() > end) {
			return r;
		}
		axt_sleep_ms(20);
	}
}

/* ---- the names file ---- */

struct nline {
	char state;
	int nd, pid, chid;
	unsigned long long stamp, start;
	char node[64];
};

/* The claims of name in the names file of rundir, in file order. */
static int
names_in(const char *rundir, const char *name, struct nline *out, int max)
{
	char path[300];
	char line[1024];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/names", rundir);
	f = fopen(path, "r");
	if (f == NULL) {
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		struct nline l;
		int off = 0;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%c %d %d %d %llu %llu %63s %n", &l.state,
			&l.nd, &l.pid, &l.chid, &l.stamp, &l.start, l.node,
			&off) == 7 &&
		    off > 0 && strcmp(line + off, name) == 0 && n < max) {
			out[n++] = l;
		}
	}
	fclose(f);
	return n;
}

static int
names_of(int node, const char *name, struct nline *out, int max)
{
	return names_in(axn[node].rundir, name, out, max);
}

/* Waits (bounded) until node's file has `count` claims of name, the
 * first by (winner node, pid), or none if count is 0. */
static bool
names_wait(int node, const char *name, int count, const char *wnode,
    int wpid, int ms)
{
	double end = axt_now() + ms * axn_scale() / 1000.0;

	while (axt_now() < end) {
		struct nline l[8];
		int n = names_of(node, name, l, 8);

		if (n == count &&
		    (count == 0 || (l[0].state == '+' && l[0].pid == wpid &&
					strcmp(l[0].node, wnode) == 0))) {
			return true;
		}
		axt_sleep_ms(10);
	}
	return false;
}

static void __attribute__((format(printf, 3, 4)))
append(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	ck_assert_int_lt(vsnprintf(buf + len, cap - len, fmt, ap),
	    (int) (cap - len));
	va_end(ap);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* ---- fixtures ---- */

static void
names_setup(void)
{
	axn_setup(3);
}

static void
names_teardown(void)
{
	axn_teardown();
}

static void
start_nodes(int n)
{
	for (int i = 0; i < n; i++) {
		axn_start(i);
	}
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < n; k++) {
			if (k != i) {
				ck_assert(axn_wait_state(i, k, "up", 5000));
			}
		}
	}
}

/* ---- unit: the conflict rule and the file axond writes ---- */

START_TEST(test_names_rank)
{
	struct axd_claim v[] = {
		{"svc", "gamma", 3, 30, 1, 500, 0},
		{"svc", "beta", 2, 20, 1, 400, 0},
		{"other", "alpha", 0, 10, 1, 900, 77},
		{"svc", "alpha", 0, 12, 1, 400, 5}, /* ties beta's stamp */
		{"svc", "alpha", 0, 11, 2, 400, 6}, /* and a lower pid */
		{"svc", "alpha", 0, 11, 1, 400, 6}, /* and a lower chid */
		{"svc/x y", "beta", 2, 21, 0, 1, 0},
	};
	size_t n = sizeof(v) / sizeof(v[0]);
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	/* Earlier stamp, then lower node name, then pid, then chid. */
	ck_assert_int_lt(axd_names_rank(&v[1], &v[0]), 0);
	ck_assert_int_gt(axd_names_rank(&v[0], &v[1]), 0);
	ck_assert_int_lt(axd_names_rank(&v[3], &v[1]), 0);
	ck_assert_int_lt(axd_names_rank(&v[4], &v[3]), 0);
	ck_assert_int_lt(axd_names_rank(&v[5], &v[4]), 0);
	ck_assert_int_eq(axd_names_rank(&v[5], &v[5]), 0);
	/* The name does not rank: only claims of one name are compared. */
	ck_assert_int_lt(axd_names_rank(&v[6], &v[2]), 0);

	axd_names_sort(v, n);
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(axd_names_fprint(f, v, n), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(text,
	    "+ 0 10 1 900 77 alpha other\n"
	    "+ 0 11 1 400 6 alpha svc\n"
	    "- 0 11 2 400 6 alpha svc\n"
	    "- 0 12 1 400 5 alpha svc\n"
	    "- 2 20 1 400 0 beta svc\n"
	    "- 3 30 1 500 0 gamma svc\n"
	    "+ 2 21 0 1 0 beta svc/x y\n");
	free(text);

	/* Any input order gives the same answer. */
	struct axd_claim w[] = {v[6], v[5], v[4], v[3], v[2], v[1], v[0]};
	axd_names_sort(w, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(w[i].pid, v[i].pid);
		ck_assert_int_eq(w[i].chid, v[i].chid);
	}
	axd_names_sort(w, 0); /* nothing to do */
}
END_TEST

/* ---- unit: name_open and the names file, without axond ---- */

START_TEST(test_names_file_parse)
{
	char path[300];
	static char text[16384];
	static char longline[6000];
	struct axt_child plain = gsrv_start(-1, NULL, 0);
	struct axt_child named = gsrv_start(-1, "svc/d",
	    NAME_FLAG_ATTACH_GLOBAL);
	int pid = (int) plain.pid;
	int chid = plain.val;
	unsigned long long st = axon__proc_start_time(plain.pid);
	pid_t dead = fork();

	ck_assert_int_ne(st, 0);
	ck_assert_int_ge(dead, 0);
	if (dead == 0) {
		_exit(0);
	}
	ck_assert_int_eq(waitpid(dead, NULL, 0), dead);
	/* A line longer than a read: skipped, and the next one parses. */
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	snprintf(path, sizeof(path), "%s/names", axt_rundir);
	text[0] = '\0';
	append(text, sizeof(text), "# axon names v2: state nd pid chid "
				   "stamp start node name\n");
	append(text, sizeof(text), "+ 0 %d %d 1 %llu alpha svc/a%s\n",
	    (int) dead, chid, st, longline);
	/* Malformed claims of svc/b (a live server, if one were taken). */
	append(text, sizeof(text), "- 0 %d %d 1 %llu alpha svc/b\n", pid,
	    chid, st);
	append(text, sizeof(text), "~ 0 %d %d 1 %llu alpha svc/b\n", pid,
	    chid, st);
	append(text, sizeof(text), "+  0 %d %d 1 %llu alpha svc/b\n", pid,
	    chid, st);
	append(text, sizeof(text), "+ 00 %d %d 1 %llu alpha svc/b\n", pid,
	    chid, st);
	append(text, sizeof(text), "+ 65536 %d %d 1 %llu alpha svc/b\n", pid,
	    chid, st);
	append(text, sizeof(text), "+ 0 0 %d 1 %llu alpha svc/b\n", chid, st);
	append(text, sizeof(text), "+ 0 %d -1 1 %llu alpha svc/b\n", pid, st);
	append(text, sizeof(text),
	    "+ 0 %d %d 18446744073709551616 %llu alpha svc/b\n", pid, chid, st);
	append(text, sizeof(text), "+ 0 %d %d 1 0%llu alpha svc/b\n", pid,
	    chid, st);
	append(text, sizeof(text), "+ 0 %d %d 1 %llu al/pha svc/b\n", pid,
	    chid, st);
	append(text, sizeof(text), "+ 0 %d %d 1 %llu %s svc/b\n", pid, chid,
	    st, "a234567890123456789012345678901234567890123456789012345678901234");
	append(text, sizeof(text), "* 0 %d %d 1 %llu alpha svc/b\n", pid,
	    chid, st);
	append(text, sizeof(text), "+ 0 %d %d 1 %llu alpha\n", pid, chid, st);
	/* A v1 line (no start) in a v2 file. */
	append(text, sizeof(text), "+ 0 %d %d 1 alpha svc/b\n", pid, chid);
	/* svc/a: the first well-formed '+' line of exactly that name. */
	append(text, sizeof(text), "+ 0 %d %d 1 %llu alpha svc/a \n",
	    (int) dead, chid, st);
	append(text, sizeof(text), "+ 0 %d %d 1 %llu alpha svc/a\n", pid,
	    chid, st);
	append(text, sizeof(text), "+ 0 %d %d 2 %llu alpha svc/a\n",
	    (int) dead, chid, st);
	append(text, sizeof(text), "+ 0 %d %d 3 %llu alpha svc/c d\n", pid,
	    chid, st);
	append(text, sizeof(text), "+ 0 %d %d 4 %llu alpha svc/d\n",
	    (int) dead, chid, st);
	/* A live pid, but not the process the claim was for (its start
	 * time differs: the pid was reused after axond was killed). */
	append(text, sizeof(text), "+ 0 %d %d 4 %llu alpha svc/r\n", pid,
	    chid, st + 1);
	append(text, sizeof(text), "+ 0 %d %d 5 %llu alpha svc/e", pid, chid,
	    st);
	write_file(path, text);

	ck_assert_int_eq(probe(-1, "svc/a", NAME_FLAG_ATTACH_GLOBAL), pid);
	ck_assert_int_eq(probe(-1, "svc/c d", NAME_FLAG_ATTACH_GLOBAL), pid);
	/* Local names never look at the file. */
	ck_assert_int_eq(probe(-1, "svc/a", 0), -ENOENT);
	ck_assert_int_eq(probe(-1, "svc/b", NAME_FLAG_ATTACH_GLOBAL),
	    -ENOENT);
	ck_assert_int_eq(probe(-1, "svc/e", NAME_FLAG_ATTACH_GLOBAL),
	    -ENOENT);
	ck_assert_int_eq(probe(-1, "svc/r", NAME_FLAG_ATTACH_GLOBAL),
	    -ENOENT);
	ck_assert_int_eq(probe(-1, "svc/missing", NAME_FLAG_ATTACH_GLOBAL),
	    -ENOENT);
	/* The winner is gone but axond has not looked yet: this node's own
	 * registry answers. */
	ck_assert_int_eq(probe(-1, "svc/d", NAME_FLAG_ATTACH_GLOBAL),
	    named.pid);
	/* A v1 file (as an older axond wrote it) has no start times: its
	 * claims of this node are not taken, the registry answers. */
	text[0] = '\0';
	append(text, sizeof(text), "# axon names v1: state nd pid chid "
				   "stamp node name\n");
	append(text, sizeof(text), "+ 0 %d %d 1 alpha svc/r\n", pid, chid);
	append(text, sizeof(text), "+ 0 %d %d 1 alpha svc/d\n", pid, chid);
	write_file(path, text);
	ck_assert_int_eq(probe(-1, "svc/r", NAME_FLAG_ATTACH_GLOBAL),
	    -ENOENT);
	ck_assert_int_eq(probe(-1, "svc/d", NAME_FLAG_ATTACH_GLOBAL),
	    named.pid);
	/* No names file: the registry alone. */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(probe(-1, "svc/d", NAME_FLAG_ATTACH_GLOBAL),
	    named.pid);
	ck_assert_int_eq(probe(-1, "svc/a", NAME_FLAG_ATTACH_GLOBAL),
	    -ENOENT);
	/* Not a regular file: no names. */
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(probe(-1, "svc/a", NAME_FLAG_ATTACH_GLOBAL),
	    -ENOENT);
	ck_assert_int_eq(unlink(path), 0);
	/* name_attach leaves no temporary file in the registry. */
	snprintf(path, sizeof(path), "%s/name/global/svc", axt_rundir);
	DIR *d = opendir(path);
	struct dirent *de;
	int files = 0;
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		files += de->d_name[0] != '.';
	}
	closedir(d);
	ck_assert_int_eq(files, 1);
	axt_child_kill(&named);
	axt_child_kill(&plain);
}
END_TEST

/* name/ is every user's (01777): a link planted where name_attach()
 * writes its temporary entry is replaced, never written through, and
 * never becomes the entry. */
START_TEST(test_names_tmp_planted)
{
	char victim[300];
	char dir[300];
	pid_t pid;
	int st;

	snprintf(victim, sizeof(victim), "%s/victim", axt_rundir);
	snprintf(dir, sizeof(dir), "%s/name", axt_rundir);
	write_file(victim, "precious\n");
	ck_assert_int_eq(mkdir(dir, 01777), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char tmp[400], entry[400];
		name_attach_t *att;
		struct stat sb;

		/* The name it will use: pid and tid of the caller. */
		snprintf(tmp, sizeof(tmp), "%s/.tmp.%d.%d", dir,
		    (int) getpid(), (int) syscall(SYS_gettid));
		if (symlink(victim, tmp) < 0) {
			_exit(10);
		}
		att = name_attach(NULL, "svc/t", NAME_FLAG_ATTACH_GLOBAL);
		if (att == NULL) {
			_exit(11);
		}
		snprintf(entry, sizeof(entry), "%s/global/svc/t", dir);
		if (lstat(entry, &sb) < 0 || !S_ISREG(sb.st_mode)) {
			_exit(12);
		}
		if (lstat(tmp, &sb) == 0) {
			_exit(13); /* left behind */
		}
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	FILE *f = fopen(victim, "re");
	char buf[64] = "";
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "precious\n");
}
END_TEST

/* ---- between nodes ---- */

/* axond writes nodes and names through temporary files in a directory
 * other users may write to: links planted there are replaced, never
 * written through. */
START_TEST(test_names_axond_tmp_planted)
{
	const int G = NAME_FLAG_ATTACH_GLOBAL;
	char victim[300], link1[300], link2[300], path[300];
	struct stat sb;

	snprintf(victim, sizeof(victim), "%s/victim", axn[0].rundir);
	snprintf(link1, sizeof(link1), "%s/nodes.tmp", axn[0].rundir);
	snprintf(link2, sizeof(link2), "%s/names.tmp", axn[0].rundir);
	write_file(victim, "precious\n");
	ck_assert_int_eq(symlink(victim, link1), 0);
	ck_assert_int_eq(symlink(victim, link2), 0);
	start_nodes(2);
	struct axt_child srv = gsrv_start(1, "net/planted", G);
	ck_assert_int_eq(probe_until(0, "net/planted", G, srv.pid, 5000),
	    srv.pid);
	snprintf(path, sizeof(path), "%s/nodes", axn[0].rundir);
	ck_assert_int_eq(lstat(path, &sb), 0);
	ck_assert(S_ISREG(sb.st_mode));
	snprintf(path, sizeof(path), "%s/names", axn[0].rundir);
	ck_assert_int_eq(lstat(path, &sb), 0);
	ck_assert(S_ISREG(sb.st_mode));
	FILE *f = fopen(victim, "re");
	char buf[64] = "";
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	ck_assert_ptr_null(fgets(buf + strlen(buf), 8, f));
	fclose(f);
	ck_assert_str_eq(buf, "precious\n");
	axt_child_kill(&srv);
}
END_TEST

/* A server on beta, found from alpha; local names stay on beta; the
 * name goes when the server dies; a stopped axond keeps only its own
 * claims in its file, and none of them serves. */
START_TEST(test_names_remote)
{
	const int G = NAME_FLAG_ATTACH_GLOBAL;
	struct nline l[4];
	char path[300];

	start_nodes(2);
	struct axt_child srv = gsrv_start(1, "net/svc", G);
	struct axt_child loc = gsrv_start(1, "net/local", 0);

	ck_assert_int_eq(probe_until(0, "net/svc", G, srv.pid, 5000),
	    srv.pid);
	ck_assert_int_eq(probe(1, "net/svc", G), srv.pid);
	ck_assert_int_eq(names_of(0, "net/svc", l, 4), 1);
	ck_assert_int_eq(l[0].state, '+');
	ck_assert_int_eq(l[0].nd, axn_nd(0, 1));
	ck_assert_int_eq(l[0].pid, srv.pid);
	ck_assert_int_eq(l[0].chid, srv.val);
	ck_assert_str_eq(l[0].node, "beta");
	ck_assert_int_gt(l[0].stamp, 0);
	/* beta lists its own name as nd 0. */
	ck_assert_int_eq(names_of(1, "net/svc", l, 4), 1);
	ck_assert_int_eq(l[0].nd, 0);
	ck_assert_str_eq(l[0].node, "beta");
	/* Local names are not global, and stay on their node. */
	ck_assert_int_eq(probe(1, "net/local", 0), loc.pid);
	ck_assert_int_eq(probe(0, "net/local", G), -ENOENT);
	ck_assert_int_eq(probe(0, "net/local", 0), -ENOENT);
	ck_assert_int_eq(probe(1, "net/local", G), -ENOENT);
	ck_assert_int_eq(probe(0, "net/svc", 0), -ENOENT);
	ck_assert_int_eq(names_of(0, "net/local", l, 4), 0);
	ck_assert_int_eq(names_of(1, "net/local", l, 4), 0);
	/* A missing name. */
	ck_assert_int_eq(probe(0, "net/missing", G), -ENOENT);
	/* The server dies: its name goes, everywhere. */
	axt_child_kill(&srv);
	ck_assert_int_eq(probe_until(0, "net/svc", G, -ENOENT, 3000),
	    -ENOENT);
	ck_assert(names_wait(0, "net/svc", 0, NULL, 0, 3000));
	ck_assert(names_wait(1, "net/svc", 0, NULL, 0, 3000));
	ck_assert_int_eq(probe(1, "net/svc", G), -ENOENT);
	/* A stopped axond leaves only its own claims in its names file,
	 * as '~' (kept for its successor's stamps): none serves. */
	struct axt_child mine = gsrv_start(1, "net/mine", G);
	ck_assert(names_wait(1, "net/mine", 1, "beta", mine.pid, 3000));
	struct axt_child other = gsrv_start(0, "net/other", G);
	ck_assert(names_wait(1, "net/other", 1, "alpha", other.pid, 3000));
	axn_kill(1, SIGTERM);
	snprintf(path, sizeof(path), "%s/names", axn[1].rundir);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(names_of(1, "net/mine", l, 4), 1);
	ck_assert_int_eq(l[0].state, '~');
	ck_assert_int_eq(l[0].pid, mine.pid);
	ck_assert_int_eq(l[0].start, axon__proc_start_time(mine.pid));
	ck_assert_int_eq(names_of(1, "net/other", l, 4), 0);
	/* Without axond, this node's registry answers. */
	ck_assert_int_eq(probe(1, "net/mine", G), mine.pid);
	ck_assert_int_eq(probe(1, "net/other", G), -ENOENT);
	axt_child_kill(&mine);
	axt_child_kill(&other);
	axt_child_kill(&loc);
}
END_TEST

/* A node's names vanish with its axond, and come back with it. */
START_TEST(test_names_node_down)
{
	const int G = NAME_FLAG_ATTACH_GLOBAL;

	start_nodes(2);
	struct axt_child srv = gsrv_start(1, "down/svc", G);

	ck_assert_int_eq(probe_until(0, "down/svc", G, srv.pid, 5000),
	    srv.pid);
	axn_kill(1, SIGKILL);
	ck_assert(names_wait(0, "down/svc", 0, NULL, 0, 3000));
	ck_assert_int_eq(probe(0, "down/svc", G), -ENOENT);
	/* The server still runs on beta: its own registry answers there. */
	ck_assert_int_eq(probe(1, "down/svc", G), srv.pid);
	axn_start(1);
	ck_assert_int_eq(probe_until(0, "down/svc", G, srv.pid, 5000),
	    srv.pid);
	axt_child_kill(&srv);
}
END_TEST

static void
set_mtime(int node, const char *name, time_t sec, long nsec)
{
	char path[600];
	struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};

	snprintf(path, sizeof(path), "%s/name/global/%s", axn[node].rundir,
	    name);
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* Two servers claim one name: every node agrees on the winner (the
 * earlier registration), and the other takes over when the winner
 * dies. */
START_TEST(test_names_conflict)
{
	const int G = NAME_FLAG_ATTACH_GLOBAL;
	struct nline a[4], b[4];

	start_nodes(2);
	struct axt_child on_b = gsrv_start(1, "dup", G);
	axt_sleep_ms(50);
	struct axt_child on_a = gsrv_start(0, "dup", G);

	/* beta registered first. */
	ck_assert(names_wait(0, "dup", 2, "beta", on_b.pid, 5000));
	ck_assert(names_wait(1, "dup", 2, "beta", on_b.pid, 5000));
	ck_assert_int_eq(names_of(0, "dup", a, 4), 2);
	ck_assert_int_eq(names_of(1, "dup", b, 4), 2);
	ck_assert_int_eq(a[1].state, '-');
	ck_assert_int_eq(a[1].pid, on_a.pid);
	ck_assert_str_eq(a[1].node, "alpha");
	ck_assert_int_eq(b[1].state, '-');
	ck_assert_int_eq(b[1].pid, on_a.pid);
	ck_assert(a[0].stamp == b[0].stamp && a[1].stamp == b[1].stamp);
	ck_assert(a[0].stamp < a[1].stamp);
	ck_assert_int_eq(probe(0, "dup", G), on_b.pid);
	ck_assert_int_eq(probe(1, "dup", G), on_b.pid);

	/* Times a file's owner can set do not count: alpha's entry made
	 * older changes nothing (ties are tested with raw frames, below). */
	set_mtime(0, "dup", 1700000000, 5);
	axt_sleep_ms(300);
	ck_assert(names_wait(0, "dup", 2, "beta", on_b.pid, 10));
	ck_assert(names_wait(1, "dup", 2, "beta", on_b.pid, 10));
	ck_assert_int_eq(names_of(1, "dup", b, 4), 2);
	ck_assert(b[0].stamp == a[0].stamp && b[1].stamp == a[1].stamp);
	ck_assert_int_eq(probe(0, "dup", G), on_b.pid);

	/* The winner dies: the shadowed claim serves, on every node. */
	axt_child_kill(&on_b);
	ck_assert(names_wait(0, "dup", 1, "alpha", on_a.pid, 3000));
	ck_assert(names_wait(1, "dup", 1, "alpha", on_a.pid, 3000));
	ck_assert_int_eq(probe(0, "dup", G), on_a.pid);
	ck_assert_int_eq(probe(1, "dup", G), on_a.pid);
	axt_child_kill(&on_a);
}
END_TEST

/* Three nodes: a name on gamma is seen from alpha and beta alike. */
START_TEST(test_names_three_nodes)
{
	const int G = NAME_FLAG_ATTACH_GLOBAL;
	struct nline l[4];

	start_nodes(3);
	struct axt_child srv = gsrv_start(2, "tri/svc", G);

	ck_assert_int_eq(probe_until(0, "tri/svc", G, srv.pid, 5000),
	    srv.pid);
	ck_assert_int_eq(probe_until(1, "tri/svc", G, srv.pid, 5000),
	    srv.pid);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(names_of(i, "tri/svc", l, 4), 1);
		ck_assert_str_eq(l[0].node, "gamma");
		ck_assert_int_eq(l[0].pid, srv.pid);
		ck_assert_int_eq(l[0].nd, i == 2 ? 0 : axn_nd(i, 2));
	}
	axt_child_kill(&srv);
	for (int i = 0; i < 3; i++) {
		ck_assert(names_wait(i, "tri/svc", 0, NULL, 0, 3000));
	}
}
END_TEST

/* ---- NAMES frames from a hand-made peer (net_peer.h) ---- */

/* A NAMES chunk of names "<pfx>0" ... with the given stamp. */
static void
raw_names(int fd, uint16_t flags, const char *pfx, uint32_t count,
    uint64_t stamp)
{
	static uint8_t data[AXON_WIRE_MAX_DATA];
	struct axon_wire_frame f;

	ck_assert_uint_le(count, AXON_WIRE_NAMES_MAX);
	for (uint32_t k = 0; k < count; k++) {
		struct axon_wire_name n = {.pid = 4242, .chid = 1,
		    .stamp = stamp};

		snprintf(n.name, sizeof(n.name), count == 1 ? "%s" : "%s%u",
		    pfx, k);
		axon__wire_name_put(data + k * AXON_WIRE_NAME_ENTRY, &n);
	}
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_NAMES;
	f.flags = flags;
	f.u.names.count = count;
	f.data = count > 0 ? data : NULL;
	f.data_len = count * AXON_WIRE_NAME_ENTRY;
	raw_send(fd, &f);
}

/* Keeps the raw session alive (PING, read what comes) for ms, or until
 * node's file has count claims of name.  Returns whether it did. */
static bool
raw_wait(int fd, int node, const char *name, int count, int ms)
{
	double end = axt_now() + ms * axn_scale() / 1000.0;
	double ping = 0;

	for (;;) {
		struct nline l[4];
		uint8_t junk[65536];
		bool ok = names_of(node, name, l, 4) == count;

		if (ok || axt_now() > end) {
			return ok;
		}
		if (axt_now() > ping) {
			struct axon_wire_frame f;

			memset(&f, 0, sizeof(f));
			f.type = AXON_W_PING;
			f.u.ping.stamp = 1;
			raw_send(fd, &f);
			ping = axt_now() + 0.1;
		}
		while (raw_recv(fd, junk, sizeof(junk), 0) > 0) {
		}
		axt_sleep_ms(10);
	}
}

/* Claims of node in node i's names file. */
static int
claims_by(int i, const char *node)
{
	char path[300];
	char line[1024];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/names", axn[i].rundir);
	f = fopen(path, "r");
	if (f == NULL) {
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char st, nm[64];
		int nd, pid, chid;
		unsigned long long stamp, start;

		if (sscanf(line, "%c %d %d %d %llu %llu %63s", &st, &nd, &pid,
			&chid, &stamp, &start, nm) == 7 &&
		    strcmp(nm, node) == 0) {
			n++;
		}
	}
	fclose(f);
	return n;
}

/* The peer closes fd (bounded). */
static bool
raw_closed(int fd, int ms)
{
	double end = axt_now() + ms * axn_scale() / 1000.0;

	while (axt_now() < end) {
		uint8_t junk[65536];
		ssize_t n = raw_recv(fd, junk, sizeof(junk), 50);

		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			return true;
		}
	}
	return false;
}

START_TEST(test_names_frames)
{
	const uint16_t FIRST = AXON_WF_FIRST;
	const uint16_t LAST = AXON_WF_LAST;
	struct nline l[4];
	struct axon_wire_frame f;
	int fd;

	axn_start(1);
	struct axt_child srv = gsrv_start(1, "m/x", NAME_FLAG_ATTACH_GLOBAL);
	ck_assert(names_wait(1, "m/x", 1, "beta", srv.pid, 3000));

	/* Before the session is up, NAMES is a protocol error. */
	fd = raw_connect(1);
	ck_assert_int_eq(raw_tls(fd, 1), 0);
	memset(&f, 0, sizeof(f));
	f.type = AXON_W_HELLO;
	f.u.hello.proto_min = f.u.hello.proto_max = AXON_WIRE_VERSION;
	strcpy(f.u.hello.node, "mallory");
	raw_send(fd, &f);
	raw_names(fd, FIRST | LAST, "m/early", 1, 1);
	ck_assert(raw_closed(fd, 2000));
	raw_close(fd);
	ck_assert_int_eq(names_of(1, "m/early", l, 4), 0);

	fd = raw_peer(1);
	/* Half a list is not applied; a new FIRST drops it. */
	raw_names(fd, FIRST, "m/half", 2, 7);
	ck_assert(!raw_wait(fd, 1, "m/half0", 1, 300));
	raw_names(fd, FIRST | LAST, "m/one", 1, 7);
	ck_assert(raw_wait(fd, 1, "m/one", 1, 3000));
	ck_assert_int_eq(names_of(1, "m/half0", l, 4), 0);
	ck_assert_int_eq(names_of(1, "m/one", l, 4), 1);
	ck_assert_int_eq(l[0].state, '+');
	ck_assert_str_eq(l[0].node, "mallory");
	ck_assert_int_eq(l[0].pid, 4242);
	ck_assert_int_gt(l[0].nd, 0);

	/* A list in several chunks replaces the last one whole; an earlier
	 * stamp wins m/x over beta's own server. */
	raw_names(fd, FIRST, "m/a", AXON_WIRE_NAMES_MAX, 7);
	raw_names(fd, 0, "m/b", AXON_WIRE_NAMES_MAX, 7);
	raw_names(fd, LAST, "m/x", 1, 1);
	ck_assert(raw_wait(fd, 1, "m/x", 2, 3000));
	ck_assert_int_eq(names_of(1, "m/one", l, 4), 0);
	ck_assert_int_eq(names_of(1, "m/a239", l, 4), 1);
	ck_assert_int_eq(names_of(1, "m/b0", l, 4), 1);
	ck_assert_int_eq(names_of(1, "m/x", l, 4), 2);
	ck_assert_str_eq(l[0].node, "mallory");
	ck_assert_int_eq(l[0].state, '+');
	ck_assert_str_eq(l[1].node, "beta");
	ck_assert_int_eq(l[1].state, '-');
	/* The same stamp as beta's claim: "beta" < "mallory". */
	raw_names(fd, FIRST | LAST, "m/x", 1, l[1].stamp);
	ck_assert(raw_wait(fd, 1, "m/a0", 0, 3000));
	ck_assert_int_eq(names_of(1, "m/x", l, 4), 2);
	ck_assert_str_eq(l[0].node, "beta");
	ck_assert_str_eq(l[1].node, "mallory");

	/* A list longer than a node may publish: the first AXD_NAMES_MAX
	 * names are kept. */
	for (int k = 0; k < 18; k++) {
		char pfx[16];

		snprintf(pfx, sizeof(pfx), "m/c%02d-", k);
		raw_names(fd, (uint16_t) ((k == 0 ? FIRST : 0) |
				  (k == 17 ? LAST : 0)),
		    pfx, AXON_WIRE_NAMES_MAX, 9);
	}
	ck_assert(raw_wait(fd, 1, "m/x", 1, 3000));
	ck_assert_int_eq(claims_by(1, "mallory"), AXD_NAMES_MAX);
	ck_assert_int_eq(names_of(1, "m/c00-0", l, 4), 1);
	ck_assert_int_eq(names_of(1, "m/c17-239", l, 4), 0);

	/* A chunk that continues no list ends the session, and the peer's
	 * names go with it. */
	raw_names(fd, LAST, "m/stray", 1, 1);
	ck_assert(raw_closed(fd, 2000));
	raw_close(fd);
	for (int t = 0; t < 300 * axn_scale() &&
	     claims_by(1, "mallory") != 0; t++) {
		axt_sleep_ms(10);
	}
	ck_assert_int_eq(claims_by(1, "mallory"), 0);
	ck_assert(names_wait(1, "m/x", 1, "beta", srv.pid, 3000));
	/* beta's axond itself is unharmed. */
	ck_assert_int_eq(waitpid(axn[1].pid, NULL, WNOHANG), 0);
	axt_child_kill(&srv);
}
END_TEST

/* ---- attacks: an unprivileged user in a shared run directory ---- */

/* Answers every message with its pid as the status, forever. */
static void __attribute__((noreturn))
serve(int chid)
{
	for (;;) {
		struct _pulse msg[4];
		rcvid_t r = MsgReceive(chid, msg, sizeof(msg), NULL);

		if (r < 0) {
			_exit(2);
		}
		if (r == 0) {
			if (msg[0].code == _PULSE_CODE_DISCONNECT) {
				ConnectDetach(msg[0].scoid);
			}
			continue;
		}
		MsgReply(r, getpid(), NULL, 0);
	}
}

/* Becomes uid (any uid, with a group of the same number), for good. */
static void
become_uid(uid_t uid)
{
	if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		_exit(98);
	}
}

struct asrv_arg {
	int node;
	const char *name;  /* NULL: a plain channel */
	unsigned flags;
	uid_t uid;         /* 0: the attacker */
	bool backdate;     /* set the entry's times to 1970 */
};

/* A server of another user: reports its chid, or -errno. */
static void
asrv_main(int fd, void *p)
{
	const struct asrv_arg *a = p;
	char path[600];
	int chid;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	axn_enter(a->node);
	if (a->uid == 0) {
		axa_become();
	} else {
		become_uid(a->uid);
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* cleared by the uid change */
	if (a->name != NULL) {
		name_attach_t *att = name_attach(NULL, a->name, a->flags);

		chid = att != NULL ? att->chid : -errno;
	} else {
		chid = ChannelCreate(_NTO_CHF_DISCONNECT);
	}
	if (chid >= 0 && a->backdate) {
		struct timespec ts[2] = {{1, 0}, {1, 0}};

		snprintf(path, sizeof(path), "%s/name/%s/%s", axn[a->node].rundir,
		    (a->flags & NAME_FLAG_ATTACH_GLOBAL) ? "global" : "local",
		    a->name);
		if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) < 0) {
			chid = -errno;
		}
	}
	axt_report(fd, chid);
	if (chid < 0) {
		_exit(1);
	}
	serve(chid);
}

static struct axt_child
asrv_start(int node, const char *name, unsigned flags, uid_t uid,
    bool backdate)
{
	struct asrv_arg a = {node, name, flags, uid, backdate};

	return axt_spawn(asrv_main, &a);
}

typedef int (*attack_fn)(const char *rundir, void *arg);

struct attack_arg {
	attack_fn fn;
	const char *rundir;
	void *arg;
};

static void
attack_main(int fd, void *p)
{
	const struct attack_arg *a = p;

	axa_become();
	axt_report(fd, a->fn(a->rundir, a->arg));
}

/* Runs fn(rundir, arg) as the attacker; its result. */
static int
attack(attack_fn fn, const char *rundir, void *arg)
{
	struct attack_arg a = {fn, rundir, arg};
	struct axt_child c = axt_spawn(attack_main, &a);

	ck_assert_int_ge(axt_child_wait(&c, 10), 0);
	return c.val;
}

/* Node i's rundir, opened to the attacker; its axond made the
 * registries. */
static void
share_node(int i)
{
	axa_share_rundir(axn[i].rundir);
}

/* Item 1: root serves a global name on beta; the attacker attaches the
 * same name on alpha and sets its entry's times back to 1970.  Stamps
 * come from axond, never from the file: root's server keeps the name on
 * every node, also across restarts (clean or killed) of beta's axond,
 * whose stamps survive in the names file it wrote. */
START_TEST(test_names_attack_takeover)
{
	const int G = NAME_FLAG_ATTACH_GLOBAL;
	struct nline l[4];

	if (!axa_user(__func__)) {
		return;
	}
	start_nodes(2);
	share_node(0);
	share_node(1);
	struct axt_child root = gsrv_start(1, "crown", G);
	ck_assert(names_wait(0, "crown", 1, "beta", root.pid, 5000));
	struct axt_child evil = asrv_start(0, "crown", G, 0, true);
	ck_assert_msg(evil.val >= 0, "attacker's name_attach: %s",
	    strerror(-evil.val));
	axt_sleep_ms((int) (500 * axn_scale()));
	ck_assert_int_eq(probe(0, "crown", G), root.pid);
	ck_assert_int_eq(probe(1, "crown", G), root.pid);
	ck_assert(names_wait(0, "crown", 2, "beta", root.pid, 5000));
	ck_assert(names_wait(1, "crown", 2, "beta", root.pid, 5000));
	ck_assert_int_eq(names_of(0, "crown", l, 4), 2);
	ck_assert_int_eq(l[1].pid, evil.pid);
	ck_assert(l[1].stamp > l[0].stamp);

	/* beta's axond restarts, killed and then stopped: root's claim
	 * keeps its stamp (a new one would now lose to the attacker's). */
	for (int k = 0; k < 2; k++) {
		axn_kill(1, k == 0 ? SIGKILL : SIGTERM);
		ck_assert(names_wait(0, "crown", 1, "alpha", evil.pid, 5000));
		axn_start(1);
		ck_assert(axn_wait_state(0, 1, "up", 5000));
		ck_assert(axn_wait_state(1, 0, "up", 5000));
		ck_assert(names_wait(0, "crown", 2, "beta", root.pid, 5000));
		ck_assert(names_wait(1, "crown", 2, "beta", root.pid, 5000));
		ck_assert_int_eq(probe(0, "crown", G), root.pid);
		ck_assert_int_eq(probe(1, "crown", G), root.pid);
	}
	axt_child_kill(&evil);
	axt_child_kill(&root);
}
END_TEST

struct forge_arg {
	pid_t pid;
	int chid;
	unsigned long long start;
};

/* Writes name/{local,global}/forged naming a (root's) server. */
static int
forge(const char *rundir, void *p)
{
	const struct forge_arg *a = p;
	static const char *const kind[] = {"local", "global"};

	for (int i = 0; i < 2; i++) {
		char path[400];
		FILE *f;

		snprintf(path, sizeof(path), "%s/name/%s/forged", rundir,
		    kind[i]);
		f = fopen(path, "wx");
		if (f == NULL) {
			return -errno;
		}
		fprintf(f, "%d %d %llu\n", (int) a->pid, a->chid, a->start);
		if (fclose(f) != 0) {
			return -EIO;
		}
	}
	return 0;
}

/* Runs `axon names --json` on node i; its output (static). */
static const char *
cli_names(int i)
{
	static char out[65536];
	char cmd[600];
	const char *cli = getenv("AXON_CLI");
	size_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "AXON_RUNDIR=%s %s names --json",
	    axn[i].rundir, cli != NULL ? cli : "build/axon");
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	ck_assert_int_eq(pclose(f), 0);
	return out;
}

/* Item 2: the attacker writes entries naming root's server under a name
 * root never attached.  An entry whose owner is not root or one of its
 * process's uids is nobody's: name_open, axond and `axon names` ignore
 * it (and axond removes it).  Root's entry may name another user's
 * server: root may do anything. */
START_TEST(test_names_attack_forged)
{
	const int G = NAME_FLAG_ATTACH_GLOBAL;
	struct nline l[4];
	char path[400];
	FILE *f;

	if (!axa_user(__func__)) {
		return;
	}
	axn_start(0);
	share_node(0);
	struct axt_child root = gsrv_start(0, NULL, 0);
	struct forge_arg fa = {root.pid, root.val,
	    axon__proc_start_time(root.pid)};

	ck_assert_int_eq(attack(forge, axn[0].rundir, &fa), 0);
	ck_assert_int_eq(probe(0, "forged", 0), -ENOENT);
	ck_assert_int_eq(probe(0, "forged", G), -ENOENT);
	ck_assert_ptr_null(strstr(cli_names(0), "forged"));
	axt_sleep_ms((int) (300 * axn_scale()));
	ck_assert_int_eq(names_of(0, "forged", l, 4), 0);

	/* Root's entry naming the attacker's server counts. */
	struct axt_child evil = asrv_start(0, NULL, 0, 0, false);
	ck_assert_int_ge(evil.val, 0);
	snprintf(path, sizeof(path), "%s/name/local/granted", axn[0].rundir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%d %d %llu\n", (int) evil.pid, evil.val,
	    (unsigned long long) axon__proc_start_time(evil.pid));
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(probe(0, "granted", 0), evil.pid);
	axt_child_kill(&evil);
	axt_child_kill(&root);
}
END_TEST

/* What the attacker plants in node 0's registries. */
static int
plant(const char *rundir, void *arg)
{
	static const char *const files[] = {"local/sq-file",
	    "global/sq-file", "local/sq-par", "local/sq-v",
	    "local/sq-dir/junk", "global/sq-deep/a/b/c"};
	static const char *const dirs[] = {"local/sq-dir", "global/sq-dir",
	    "global/sq-own", "global/sq-deep", "global/sq-deep/a",
	    "global/sq-deep/a/b"};
	char path[400];

	(void) arg;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/name/%s", rundir, dirs[i]);
		if (mkdir(path, 0755) < 0) {
			return -errno;
		}
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/name/%s", rundir, files[i]);
		f = fopen(path, "w");
		if (f == NULL) {
			return -errno;
		}
		fprintf(f, "%d 0 5\n", i % 2 ? 1 : 999999); /* not live */
		(void) fclose(f);
	}
	snprintf(path, sizeof(path), "%s/name/local/sq-fifo", rundir);
	if (mkfifo(path, 0600) < 0) {
		return -errno;
	}
	snprintf(path, sizeof(path), "%s/name/global/sq-link", rundir);
	if (symlink("/etc/passwd", path) < 0) {
		return -errno;
	}
	/* Directories only their owner may enter. */
	snprintf(path, sizeof(path), "%s/name/local/sq-dir", rundir);
	(void) chmod(path, 0700);
	snprintf(path, sizeof(path), "%s/name/global/sq-dir", rundir);
	(void) chmod(path, 0700);
	return 0;
}

/* The attacker tries to remove or replace root's entry. */
static int
unseat(const char *rundir, void *arg)
{
	char path[400], other[400];

	snprintf(path, sizeof(path), "%s/name/global/%s", rundir,
	    (const char *) arg);
	snprintf(other, sizeof(other), "%s/name/global/sq-moved", rundir);
	if (unlink(path) == 0 || rename(path, other) == 0) {
		return 1;
	}
	return 0;
}

/* Item 3: the attacker plants files, directories, a FIFO and a link
 * where root and another user will attach names, and a directory of
 * its own above one.  None of it blocks them: root clears the way
 * itself, another user's name_attach waits for axond to.  The attacker
 * cannot remove an entry root made under its directory (axond and root
 * give registry directories to root).  A live name of the attacker
 * still makes name_attach fail with EEXIST, as in QNX. */
START_TEST(test_names_attack_squat)
{
	const int G = NAME_FLAG_ATTACH_GLOBAL;
	static const struct {
		const char *name;
		unsigned flags;
	} v[] = {
		{"sq-file", 0}, {"sq-file", G}, {"sq-dir", 0}, {"sq-dir", G},
		{"sq-par/x", 0}, {"sq-own/x", G}, {"sq-fifo", 0},
		{"sq-link", G}, {"sq-deep/a/b", G},
	};
	struct axt_child srv[sizeof(v) / sizeof(v[0])];
	struct stat sb;
	char path[400];

	if (!axa_user(__func__)) {
		return;
	}
	axn_start(0);
	share_node(0);
	ck_assert_int_eq(attack(plant, axn[0].rundir, NULL), 0);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		srv[i] = gsrv_start(0, v[i].name, v[i].flags);
		ck_assert_int_eq(probe(0, v[i].name, (int) v[i].flags),
		    srv[i].pid);
	}
	ck_assert_int_eq(attack(unseat, axn[0].rundir, "sq-own/x"), 0);
	snprintf(path, sizeof(path), "%s/name/global/sq-own", axn[0].rundir);
	ck_assert_int_eq(lstat(path, &sb), 0);
	ck_assert_int_eq(sb.st_uid, 0);
	ck_assert_int_eq(probe(0, "sq-own/x", G), srv[5].pid);
	ck_assert(names_wait(0, "sq-own/x", 1, "alpha", srv[5].pid, 3000));

	/* Another (unprivileged) user: axond clears the way. */
	struct axt_child other = asrv_start(0, "sq-v", 0, 4242, false);
	ck_assert_msg(other.val >= 0, "name_attach of uid 4242: %s",
	    strerror(-other.val));
	ck_assert_int_eq(probe(0, "sq-v", 0), other.pid);

	/* A live name is taken, whoever holds it. */
	struct axt_child live = asrv_start(0, "sq-live", G, 0, false);
	ck_assert_int_ge(live.val, 0);
	struct gsrv_arg ga = {0, "sq-live", G};
	struct axt_child late = axt_spawn(gsrv_main, &ga);
	ck_assert_int_eq(late.val, -EEXIST);
	axt_child_kill(&late);
	ck_assert_int_eq(probe(0, "sq-live", G), live.pid);

	axt_child_kill(&live);
	axt_child_kill(&other);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		axt_child_kill(&srv[i]);
	}
}
END_TEST

/* Entries of killed servers (local and global) do not stay: axond
 * reclaims them. */
START_TEST(test_names_reclaim)
{
	char lpath[400], gpath[400];
	double end;

	axn_start(0);
	struct axt_child ls = gsrv_start(0, "rc/l", 0);
	struct axt_child gs = gsrv_start(0, "rc/g", NAME_FLAG_ATTACH_GLOBAL);

	snprintf(lpath, sizeof(lpath), "%s/name/local/rc/l", axn[0].rundir);
	snprintf(gpath, sizeof(gpath), "%s/name/global/rc/g", axn[0].rundir);
	ck_assert_int_eq(access(lpath, F_OK), 0);
	ck_assert_int_eq(access(gpath, F_OK), 0);
	axt_child_kill(&ls);
	axt_child_kill(&gs);
	end = axt_now() + 3 * axn_scale();
	while ((access(lpath, F_OK) == 0 || access(gpath, F_OK) == 0) &&
	    axt_now() < end) {
		axt_sleep_ms(20);
	}
	ck_assert_int_eq(access(lpath, F_OK), -1);
	ck_assert_int_eq(access(gpath, F_OK), -1);
}
END_TEST

static Suite *
names_suite(void)
{
	Suite *s = suite_create("names");
	TCase *unit = axt_tcase("names-unit", 30);
	TCase *tc = axt_tcase("names-net", 60);

	tcase_add_test(unit, test_names_rank);
	tcase_add_test(unit, test_names_file_parse);
	tcase_add_test(unit, test_names_tmp_planted);
	suite_add_tcase(s, unit);
	tcase_add_unchecked_fixture(tc, axn_reg_init, axn_reg_clean);
	tcase_add_checked_fixture(tc, names_setup, names_teardown);
	tcase_add_test(tc, test_names_remote);
	tcase_add_test(tc, test_names_axond_tmp_planted);
	tcase_add_test(tc, test_names_node_down);
	tcase_add_test(tc, test_names_conflict);
	tcase_add_test(tc, test_names_three_nodes);
	tcase_add_test(tc, test_names_frames);
	tcase_add_test(tc, test_names_attack_takeover);
	tcase_add_test(tc, test_names_attack_forged);
	tcase_add_test(tc, test_names_attack_squat);
	tcase_add_test(tc, test_names_reclaim);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return axt_run(names_suite());
}
