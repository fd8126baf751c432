/* SPDX-License-Identifier: MIT */
/*
 * axon names: the names of this node's registry and the global names
 * of the cluster, with who serves them.
 *
 * Local names are the files $AXON_RUNDIR/name/local/<name> that
 * name_attach() writes ("pid chid starttime", src/lib/name.c); an entry
 * whose process is gone, or whose file's owner is not root or one of
 * its process's uids, is not shown, as name_open() ignores it.  Global
 * names come from $AXON_RUNDIR/names, which axond writes while it runs,
 * one claim a line (v2; v1 had no start):
 *
 *	<state> <nd> <pid> <chid> <stamp> <start> <node> <name>
 *
 * (state '+' serving, '-' shadowed by an earlier claim, '~' kept by an
 * axond that stopped, not shown; nd 0 is this node, whose claims are
 * shown only while their process, by its start time, lives; the name
 * is the rest of the line), plus this node's own global
 * registrations that axond has not published yet.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/netmgr.h>

#include "axon.h"
#include "axon_spi.h"

const char axon_names_usage[] =
    "usage: axon names [-l | -g] [--json]\n"
    "\n"
    "The names servers attached with name_attach(): this node's local\n"
    "names, and the global names of every node (from axond), each with\n"
    "the node, pid and chid that serve it.  A global name claimed by\n"
    "several servers is served by the earliest claim; the others are\n"
    "shown as shadowed.\n"
    "\n"
    "  -l, --local    local names only\n"
    "  -g, --global   global names only\n"
    "  -j, --json     one JSON object: {\"node\": SELF, \"names\": [...]}\n"
    "  -h, --help     this help\n"
    "\n"
    "Exit status: 0, or 1 on error.\n";

#define NAME_LEN      255   /* longest name (NAME_MAX) */
#define NODE_LEN      63
#define MAX_NAMES     65536 /* entries looked at */
#define MAX_DEPTH     128

struct name_row {
	bool global;
	bool serving;
	int nd;
	int pid;
	int chid;
	bool has_stamp;
	uint64_t stamp;
	char node[NODE_LEN + 1];
	char name[NAME_LEN + 1];
};

struct name_list {
	struct name_row *v;
	size_t n, cap;
	bool full;
};

static struct name_row *
list_add(struct name_list *l)
{
	if (l->n >= MAX_NAMES) {
		l->full = true;
		return NULL;
	}
	if (l->n == l->cap) {
		size_t nc = l->cap == 0 ? 32 : l->cap * 2;
		struct name_row *nv = reallocarray(l->v, nc, sizeof(*nv));

		if (nv == NULL) {
			l->full = true;
			return NULL;
		}
		l->v = nv;
		l->cap = nc;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

static bool
printable(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char) *s < 0x20 || (unsigned char) *s == 0x7f) {
			return false;
		}
	}
	return true;
}

/* Reads a registry entry; true if its server is alive. */
static bool
entry_live(int dirfd, const char *file, int *ret_pid, int *ret_chid)
{
	struct axon_name_entry r;

	if (axon__name_entry_read(dirfd, file, &r) < 0 ||
	    !axon__name_entry_live(&r)) {
		return false;
	}
	*ret_pid = r.pid;
	*ret_chid = r.chid;
	return true;
}

/* Walks one registry directory; prefix is the name so far. */
static void
walk(int dirfd, const char *prefix, int depth, bool global,
    const char *self, struct name_list *l)
{
	DIR *d;
	struct dirent *e;

	if (depth > MAX_DEPTH) {
		(void) close(dirfd);
		return;
	}
	d = fdopendir(dirfd);
	if (d == NULL) {
		(void) close(dirfd);
		return;
	}
	while ((e = readdir(d)) != NULL && !l->full) {
		char name[NAME_LEN + 2];
		struct stat st;
		int pid, chid;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
			continue;
		}
		if ((size_t) snprintf(name, sizeof(name), "%s%s%s", prefix,
			prefix[0] != '\0' ? "/" : "", e->d_name) > NAME_LEN ||
		    !printable(name)) {
			continue;
		}
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, e->d_name, O_RDONLY |
				O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

			if (sub >= 0) {
				walk(sub, name, depth + 1, global, self, l);
			}
			continue;
		}
		if (!S_ISREG(st.st_mode) ||
		    !entry_live(dirfd, e->d_name, &pid, &chid)) {
			continue;
		}
		struct name_row *r = list_add(l);
		if (r == NULL) {
			break;
		}
		r->global = global;
		r->serving = true;
		r->nd = 0;
		r->pid = pid;
		r->chid = chid;
		snprintf(r->node, sizeof(r->node), "%s", self);
		memcpy(r->name, name, strlen(name) + 1); /* <= NAME_LEN */
	}
	(void) closedir(d);
}

static void
registry(const char *rundir, bool global, const char *self,
    struct name_list *l)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/name/%s", rundir,
	    global ? "global" : "local");
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		walk(fd, "", 0, global, self, l);
	}
}

/* True if the node's axond runs ($AXON_RUNDIR/axond: "pid starttime"). */
static bool
axond_running(const char *rundir)
{
	char path[PATH_MAX];
	unsigned long long start;
	char *buf;
	size_t len;
	int pid;
	bool ok;

	snprintf(path, sizeof(path), "%s/axond", rundir);
	if (axon_read_file(path, 128, &buf, &len) < 0) {
		return false;
	}
	ok = sscanf(buf, "%d %llu", &pid, &start) == 2 && pid > 0 &&
	    !(kill(pid, 0) < 0 && errno == ESRCH) &&
	    axon__proc_start_time(pid) == start;
	free(buf);
	return ok;
}

/* Parses one line of the names file of version v (1: no start field)
 * into r: the claims name_open() would take, with the one parser it
 * uses (axon__names_line), and the shadowed ones. */
static bool
parse_claim(const char *line, int v, struct name_row *r)
{
	struct axon_names_line l;

	if (!axon__names_line(line, strlen(line), v, &l) ||
	    (l.state != '+' && l.state != '-') || l.name_len > NAME_LEN ||
	    !printable(l.name)) {
		return false;
	}
	/* A claim of this node whose process is gone or was reused (the
	 * file of an axond that was killed) is nobody's. */
	if (v == 2 && l.nd == 0 &&
	    ((kill(l.pid, 0) < 0 && errno == ESRCH) ||
		axon__proc_start_time(l.pid) != l.start)) {
		return false;
	}
	memset(r, 0, sizeof(*r));
	r->nd = (int) l.nd;
	r->pid = l.pid;
	r->chid = l.chid;
	r->stamp = l.stamp;
	r->global = true;
	r->serving = l.state == '+';
	r->has_stamp = true;
	memcpy(r->node, l.node, l.node_len);
	r->node[l.node_len] = '\0';
	memcpy(r->name, l.name, l.name_len);
	r->name[l.name_len] = '\0';
	return true;
}

static int
claims(const char *rundir, struct name_list *l)
{
	char path[PATH_MAX];
	char *buf;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/names", rundir);
	rc = axon_read_file(path, AXC_FILE_MAX, &buf, &len);
	if (rc == -ENOENT) {
		return 0;
	}
	if (rc < 0) {
		return rc;
	}
	if (strlen(buf) != len) {
		free(buf);
		return -EPROTO; /* a NUL inside: not a names file */
	}
	/* v2 says so on its first line; v1 had no start field. */
	const char *nl = strchr(buf, '\n');
	int v = axon__names_version(buf, nl != NULL ? (size_t) (nl - buf)
						    : len);

	for (char *line = buf, *next; line != NULL; line = next) {
		struct name_row tmp;
		struct name_row *r;

		next = strchr(line, '\n');
		if (next != NULL) {
			*next++ = '\0';
		}
		if (line[0] == '#' || line[0] == '\0' ||
		    !parse_claim(line, v, &tmp)) {
			continue;
		}
		r = list_add(l);
		if (r == NULL) {
			break;
		}
		*r = tmp;
	}
	free(buf);
	return 0;
}

static bool
published(const struct name_list *l, size_t upto, const struct name_row *r)
{
	for (size_t i = 0; i < upto; i++) {
		const struct name_row *c = &l->v[i];

		if (c->global && c->nd == 0 && c->pid == r->pid &&
		    c->chid == r->chid && strcmp(c->name, r->name) == 0) {
			return true;
		}
	}
	return false;
}

static int
row_cmp(const void *a, const void *b)
{
	const struct name_row *x = a, *y = b;
	int c;

	if (x->global != y->global) {
		return x->global ? 1 : -1;
	}
	c = strcmp(x->name, y->name);
	if (c != 0) {
		return c;
	}
	if (x->serving != y->serving) {
		return x->serving ? -1 : 1;
	}
	c = strcmp(x->node, y->node);
	if (c != 0) {
		return c;
	}
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static void
print_json(const char *self, const struct name_list *l)
{
	printf("{\"node\":");
	axon_json_str(stdout, self, strlen(self));
	printf(",\"names\":[");
	for (size_t i = 0; i < l->n; i++) {
		const struct name_row *r = &l->v[i];

		printf("%s{\"name\":", i > 0 ? "," : "");
		axon_json_str(stdout, r->name, strlen(r->name));
		printf(",\"scope\":\"%s\",\"state\":\"%s\",\"nd\":%d,\"node\":",
		    r->global ? "global" : "local",
		    r->serving ? "serving" : "shadowed", r->nd);
		axon_json_str(stdout, r->node, strlen(r->node));
		printf(",\"pid\":%d,\"chid\":%d", r->pid, r->chid);
		if (r->has_stamp) {
			printf(",\"stamp\":%" PRIu64, r->stamp);
		}
		printf("}");
	}
	printf("]}\n");
}

static void
print_table(const struct name_list *l)
{
	printf("%-6s %-8s %-16s %8s %5s  %s\n", "SCOPE", "STATE", "NODE",
	    "PID", "CHID", "NAME");
	for (size_t i = 0; i < l->n; i++) {
		const struct name_row *r = &l->v[i];

		printf("%-6s %-8s %-16s %8d %5d  %s\n",
		    r->global ? "global" : "local",
		    r->serving ? "serving" : "shadowed", r->node, r->pid,
		    r->chid, r->name);
	}
}

int
cmd_names(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"local", no_argument, NULL, 'l'},
	    {"global", no_argument, NULL, 'g'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char rundir[256];
	char self[NODE_LEN + 1];
	struct name_list l = {0};
	bool json = false, want_local = true, want_global = true;
	size_t pub;
	int c;
	int rc = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:lgjh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			want_global = false;
			break;
		case 'g':
			want_local = false;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return axon_help(axon_names_usage);
		default:
			return axon_opt_err(c, argv);
		}
	}
	if (optind < argc) {
		return axon_usage_err("unexpected argument '%s'", argv[optind]);
	}
	if (!want_local && !want_global) {
		return axon_usage_err("--local and --global exclude each other");
	}
	if (axon_rundir(rundir, sizeof(rundir)) < 0) {
		axon_err("AXON_RUNDIR is too long");
		return AXON_EXIT_ERR;
	}
	if (netmgr_ndtostr(0, ND_LOCAL_NODE, self, sizeof(self)) < 0) {
		snprintf(self, sizeof(self), "-");
	}
	if (want_local) {
		registry(rundir, false, self, &l);
	}
	if (want_global) {
		/* The names file of an axond that is gone is stale. */
		if (axond_running(rundir)) {
			rc = claims(rundir, &l);
		}
		pub = l.n;
		if (rc == 0) {
			size_t before = l.n;

			registry(rundir, true, self, &l);
			/* Drop this node's registrations axond published. */
			size_t w = before;
			for (size_t i = before; i < l.n; i++) {
				if (!published(&l, pub, &l.v[i])) {
					l.v[w++] = l.v[i];
				}
			}
			l.n = w;
		}
	}
	if (rc < 0) {
		axon_err("%s/names: %s", rundir, strerror(-rc));
		free(l.v);
		return AXON_EXIT_ERR;
	}
	if (l.full) {
		axon_err("warning: more than %d names, or out of memory: list "
			 "cut short", MAX_NAMES);
	}
	if (l.n > 0) {
		qsort(l.v, l.n, sizeof(l.v[0]), row_cmp);
	}
	if (json) {
		print_json(self, &l);
	} else {
		print_table(&l);
	}
	free(l.v);
	return axon_finish(AXON_EXIT_OK);
}
