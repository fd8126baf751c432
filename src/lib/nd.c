/* SPDX-License-Identifier: MIT */
/*
 * Node descriptors and node names: netmgr_strtond(), netmgr_ndtostr() and
 * netmgr_remote_nd() of <sys/netmgr.h>.
 *
 * The node's network manager (axond) owns the table: it writes
 * $AXON_RUNDIR/nodes atomically (temporary file + rename) whenever its
 * view changes, one node a line:
 *
 *	# axon nodes v1: nd name state address peer_nd
 *	0 alpha self - 0
 *	1 beta up 127.0.0.1:7001 2
 *
 * Every call reads the file whole, once, through one descriptor, so it
 * sees one consistent version even if axond replaces the file meanwhile;
 * nothing is cached, as QNX says nds are not to be cached either.  The
 * file is input from another process: a line that does not parse is
 * skipped, never trusted.  No file means no network manager: this node
 * is then the only one, named after the Linux hostname.
 * See netmgr_strtond(3) and docs/design/axond.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/netmgr.h>

#include "internal.h"
#include "nodename.h"

#define ND_FILE_MAX (1024 * 1024) /* bytes of the nodes file looked at */
#define ND_NAME_LEN AXON_NODE_NAME_MAX /* longest node name */
#define ND_QOS      "loadbalance" /* Axon's one quality of service */

struct nd_tab {
	char *buf;
	size_t len;
	bool present;   /* the file exists: there is a network manager */
	bool truncated; /* longer than ND_FILE_MAX: drop the cut line */
};

struct nd_ent {
	int nd;
	int peer_nd; /* -1: not known yet */
	char name[ND_NAME_LEN + 1];
};

/* A decimal nd, 0..ND_NODE_MASK; no sign, no spaces, no overflow. */
static int
nd_num(const char *s, size_t len)
{
	int v = 0;

	if (len == 0 || len > 5) {
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return -1;
		}
		v = v * 10 + (s[i] - '0');
	}
	return v <= ND_NODE_MASK ? v : -1;
}

static bool
nd_tok_is(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(s, word, len) == 0;
}

/*
 * Parses one line (without its '\n'; it may hold any bytes, NULs
 * included).  Exactly five fields separated by single spaces.
 */
static bool
nd_parse(const char *line, size_t len, struct nd_ent *e)
{
	const char *f[5];
	size_t fl[5];
	size_t nf = 0;
	size_t start = 0;

	if (len == 0 || line[0] == '#') {
		return false;
	}
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != ' ') {
			continue;
		}
		if (i == start || nf == 5) {
			return false; /* an empty field, or a sixth one */
		}
		f[nf] = line + start;
		fl[nf++] = i - start;
		start = i + 1;
	}
	if (nf != 5) {
		return false;
	}
	e->nd = nd_num(f[0], fl[0]);
	if (e->nd < 0 || !axon__node_name_ok(f[1], fl[1])) {
		return false;
	}
	/* Only nd 0 is this node, and it is always "self". */
	if (nd_tok_is(f[2], fl[2], "self") != (e->nd == ND_LOCAL_NODE)) {
		return false;
	}
	if (e->nd != ND_LOCAL_NODE && !nd_tok_is(f[2], fl[2], "up") &&
	    !nd_tok_is(f[2], fl[2], "down") &&
	    !nd_tok_is(f[2], fl[2], "connecting")) {
		return false;
	}
	if (memchr(f[3], '\0', fl[3]) != NULL) {
		return false;
	}
	if (nd_tok_is(f[4], fl[4], "-")) {
		e->peer_nd = -1;
	} else if ((e->peer_nd = nd_num(f[4], fl[4])) < 0) {
		return false;
	}
	memcpy(e->name, f[1], fl[1]);
	e->name[fl[1]] = '\0';
	return true;
}

/*
 * The first well-formed line for nd (name == NULL), or for the name
 * (name, namelen) among the other nodes.  The first line wins, so a
 * table with duplicates still answers the same way every time.
 */
static bool
nd_find(const struct nd_tab *t, int nd, const char *name, size_t namelen,
    struct nd_ent *e)
{
	const char *p = t->buf;
	const char *end;

	if (p == NULL) {
		return false; /* no nodes file (NULL + 0 is undefined) */
	}
	end = p + t->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		const char *le = nl != NULL ? nl : end;

		if (nl == NULL && t->truncated) {
			break; /* cut at ND_FILE_MAX: not a whole line */
		}
		if (nd_parse(p, (size_t) (le - p), e)) {
			if (name == NULL ? e->nd == nd :
			    e->nd != ND_LOCAL_NODE &&
			    nd_tok_is(name, namelen, e->name)) {
				return true;
			}
		}
		p = le + 1;
	}
	return false;
}

/* Reads the nodes file of the node whose runtime directory is rundir;
 * a missing file is not an error. */
static int
nd_load_at(struct nd_tab *t, const char *rundir)
{
	char path[PATH_MAX];
	struct stat st;
	size_t cap;
	int state;
	int fd;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	if ((size_t) snprintf(path, sizeof(path), "%s/nodes", rundir) >=
	    sizeof(path)) {
		return -ENAMETOOLONG;
	}
	/* A cancelled read would leak the descriptor and the buffer. */
	(void) pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &state);
	/* O_NONBLOCK: a FIFO planted there must not hang the caller. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = errno == ENOENT ? 0 : -errno;
		goto out;
	}
	t->present = true;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		goto out; /* not a table: one that names no node */
	}
	/*
	 * One byte more than the size, to see a file that grew since
	 * fstat(); axond renames a new file in, so it should not.
	 */
	cap = st.st_size >= ND_FILE_MAX ? ND_FILE_MAX : (size_t) st.st_size + 1;
	t->buf = malloc(cap);
	if (t->buf == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	while (t->len < cap) {
		ssize_t n = read(fd, t->buf + t->len, cap - t->len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		if (n == 0) {
			break;
		}
		t->len += (size_t) n;
	}
	t->truncated = t->len == cap;
out:
	if (fd >= 0) {
		(void) close(fd);
	}
	if (rc < 0) {
		free(t->buf);
		t->buf = NULL;
		t->len = 0;
	}
	(void) pthread_setcancelstate(state, NULL);
	return rc;
}

/* Reads $AXON_RUNDIR/nodes; a missing file is not an error. */
static int
nd_load(struct nd_tab *t)
{
	char rundir[sizeof(axon__proc.rundir)];
	int rc;

	pthread_mutex_lock(&axon__proc.lock);
	rc = axon__proc_init();
	if (rc == 0) {
		memcpy(rundir, axon__proc.rundir, sizeof(rundir));
	}
	pthread_mutex_unlock(&axon__proc.lock);
	if (rc < 0) {
		memset(t, 0, sizeof(*t));
		return rc;
	}
	return nd_load_at(t, rundir);
}

/*
 * This node's name: from its nd 0 line, else the Linux hostname up to
 * its first '.' (no domains in Axon).
 */
static void
nd_self(const struct nd_tab *t, char name[ND_NAME_LEN + 1])
{
	char host[HOST_NAME_MAX + 1] = "";
	struct nd_ent e;
	size_t len;

	if (nd_find(t, ND_LOCAL_NODE, NULL, 0, &e)) {
		memcpy(name, e.name, sizeof(e.name));
		return;
	}
	if (gethostname(host, sizeof(host)) < 0) {
		host[0] = '\0';
	}
	host[sizeof(host) - 1] = '\0';
	len = strcspn(host, ".");
	if (len > ND_NAME_LEN) {
		len = ND_NAME_LEN;
	}
	if (len == 0) {
		snprintf(name, ND_NAME_LEN + 1, "localhost");
		return;
	}
	memcpy(name, host, len);
	name[len] = '\0';
}

/*
 * The entry of a node other than this one: -ENOENT if the network
 * manager does not know it, -ENOTSUP if there is no network manager
 * (QNX: "Qnet isn't running").
 */
static int
nd_lookup(const struct nd_tab *t, int nd, const char *name, size_t namelen,
    struct nd_ent *e)
{
	if (nd_find(t, nd, name, namelen, e)) {
		return 0;
	}
	return t->present ? -ENOENT : -ENOTSUP;
}

int
netmgr_strtond(const char *nodename, char **endstr)
{
	int saved = errno;
	char self[ND_NAME_LEN + 1];
	struct nd_tab t;
	struct nd_ent e;
	const char *name;
	const char *p;
	size_t len;
	int rc;

	if (endstr != NULL) {
		*endstr = (char *) nodename; /* as strtol(): nothing parsed */
	}
	if (nodename == NULL) {
		errno = EINVAL;
		return -1;
	}
	p = nodename;
	if (strncmp(p, "/net/", 5) == 0) {
		p += 5; /* the directory form */
	}
	name = p;
	p += strcspn(p, "/~");
	len = (size_t) (p - name);
	if (*p == '~') {
		/* What netmgr_ndtostr(ND2S_QOS_SHOW) adds must parse back. */
		size_t ql = strcspn(p + 1, "/");

		if (!nd_tok_is(p + 1, ql, ND_QOS)) {
			errno = EINVAL;
			return -1;
		}
		p += 1 + ql;
	}
	if (!axon__node_name_ok(name, len)) {
		errno = EINVAL;
		return -1;
	}
	rc = nd_load(&t);
	if (rc == 0) {
		nd_self(&t, self);
		if (nd_tok_is(name, len, self)) {
			rc = ND_LOCAL_NODE;
		} else {
			rc = nd_lookup(&t, 0, name, len, &e);
			if (rc == 0) {
				rc = e.nd;
			}
		}
		free(t.buf);
	}
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	if (endstr != NULL) {
		*endstr = (char *) p;
	}
	errno = saved;
	return rc;
}

/* Both the SHOW and the HIDE bit of one part: QNX says never do that. */
static bool
nd_flags_ok(unsigned flags)
{
	static const unsigned pairs[][2] = {
		{ND2S_DIR_SHOW, ND2S_DIR_HIDE},
		{ND2S_QOS_SHOW, ND2S_QOS_HIDE},
		{ND2S_NAME_SHOW, ND2S_NAME_HIDE},
		{ND2S_DOMAIN_SHOW, ND2S_DOMAIN_HIDE},
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if ((flags & pairs[i][0]) != 0 && (flags & pairs[i][1]) != 0) {
			return false;
		}
	}
	return true;
}

int
netmgr_ndtostr(unsigned flags, int nd, char *buf, size_t maxbuf)
{
	int saved = errno;
	char name[ND_NAME_LEN + 1];
	char out[sizeof("/net/") + ND_NAME_LEN + sizeof("~" ND_QOS "/")];
	struct nd_tab t;
	struct nd_ent e;
	bool local = ND_NODE_CMP(nd, ND_LOCAL_NODE) == 0;
	bool dir = (flags & ND2S_DIR_SHOW) != 0;
	bool qos = (flags & ND2S_QOS_SHOW) != 0;
	bool show;
	int len;
	int rc;

	if (nd < 0 || !nd_flags_ok(flags) || (buf == NULL && maxbuf > 0)) {
		errno = EINVAL;
		return -1;
	}
	/*
	 * The name by default, as QNX's default string is the node's
	 * name; but ND2S_DIR_SHOW on this node gives "/", the root of this
	 * node's own file system, as QNX does without a network: Axon has
	 * no /net file system, so "/" is the path that works.
	 */
	if ((flags & ND2S_NAME_SHOW) != 0) {
		show = true;
	} else if ((flags & ND2S_NAME_HIDE) != 0) {
		show = false;
	} else {
		show = !(local && dir);
	}
	rc = nd_load(&t);
	if (rc == 0) {
		if (local) {
			nd_self(&t, name);
		} else {
			rc = nd_lookup(&t, (int) ((unsigned) nd & ND_NODE_MASK),
			    NULL, 0, &e);
			if (rc == 0) {
				memcpy(name, e.name, sizeof(name));
			}
		}
		free(t.buf);
	}
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	/*
	 * Axon has one quality of service and no domains: the QoS part is
	 * only there on request, and the DOMAIN and LOCAL_STR flags change
	 * nothing.  '~' separates the QoS from a name, or starts it anyway
	 * with ND2S_SEP_FORCE, so that parts can be concatenated.
	 */
	if (show) {
		len = snprintf(out, sizeof(out), "%s%s%s%s%s",
		    dir ? "/net/" : "", name,
		    qos ? "~" : "", qos ? ND_QOS : "", dir ? "/" : "");
	} else if (dir) {
		len = snprintf(out, sizeof(out), "/");
	} else {
		len = snprintf(out, sizeof(out), "%s%s",
		    qos && (flags & ND2S_SEP_FORCE) != 0 ? "~" : "",
		    qos ? ND_QOS : "");
	}
	/* Truncated and terminated; the result is the untruncated length. */
	if (maxbuf > 0) {
		size_t n = (size_t) len < maxbuf ? (size_t) len : maxbuf - 1;

		memcpy(buf, out, n);
		buf[n] = '\0';
	}
	errno = saved;
	return len;
}

int
netmgr_remote_nd(int remote_nd, int local_nd)
{
	int saved = errno;
	struct nd_tab t;
	struct nd_ent e = {.peer_nd = -1};
	int rc;

	if (remote_nd < 0 || local_nd < 0) {
		errno = EINVAL;
		return -1;
	}
	/* The answers that need no table. */
	if (ND_NODE_CMP(remote_nd, ND_LOCAL_NODE) == 0) {
		return local_nd; /* asking ourselves */
	}
	if (ND_NODE_CMP(remote_nd, local_nd) == 0) {
		return ND_LOCAL_NODE; /* every node is 0 to itself */
	}
	/*
	 * A third node: only that node's own axond knows its nd for the
	 * third one, and the table holds nothing about it.
	 */
	if (ND_NODE_CMP(local_nd, ND_LOCAL_NODE) != 0) {
		errno = ENOTSUP;
		return -1;
	}
	rc = nd_load(&t);
	if (rc == 0) {
		rc = nd_lookup(&t, (int) ((unsigned) remote_nd & ND_NODE_MASK),
		    NULL, 0, &e);
		free(t.buf);
	}
	if (rc == 0 && e.peer_nd < 0) {
		rc = -ENOTCONN; /* learnt when a session is made */
	}
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	errno = saved;
	return e.peer_nd;
}

/*
 * The name of node nd as the node whose runtime directory is rundir
 * names it (nd 0: that node itself), for axon__ps_collect(), which reads
 * a node's status pages and must not depend on this process's
 * AXON_RUNDIR.  Returns 0, -ENOENT if that node knows no such nd (or
 * has no network manager), or a negative errno.
 */
int
axon__nd_name_at(const char *rundir, int nd, char *buf, size_t len)
{
	char name[ND_NAME_LEN + 1];
	struct nd_tab t;
	struct nd_ent e;
	int rc;

	if (nd < 0 || len == 0) {
		return -EINVAL;
	}
	rc = nd_load_at(&t, rundir);
	if (rc < 0) {
		return rc;
	}
	if (ND_NODE_CMP(nd, ND_LOCAL_NODE) == 0) {
		nd_self(&t, name);
	} else {
		rc = nd_lookup(&t, (int) ((unsigned) nd & ND_NODE_MASK), NULL,
		    0, &e);
		if (rc == 0) {
			memcpy(name, e.name, sizeof(name));
		} else {
			rc = -ENOENT;
		}
	}
	free(t.buf);
	if (rc == 0) {
		snprintf(buf, len, "%s", name);
	}
	return rc;
}

int
axon__nd_names(char (**ret)[64])
{
	struct nd_tab t;
	char (*v)[64];
	const char *p, *end;
	int n = 1, cap = 16, rc;

	*ret = NULL;
	rc = nd_load(&t);
	if (rc < 0) {
		return rc;
	}
	v = malloc((size_t) cap * sizeof(*v));
	if (v == NULL) {
		free(t.buf);
		return -ENOMEM;
	}
	nd_self(&t, v[0]);
	p = t.buf;
	end = p != NULL ? p + t.len : NULL;
	while (p != NULL && p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		const char *le = nl != NULL ? nl : end;
		struct nd_ent e;
		bool dup = false;

		if (nl == NULL && t.truncated) {
			break;
		}
		if (nd_parse(p, (size_t) (le - p), &e) &&
		    e.nd != ND_LOCAL_NODE) {
			for (int i = 0; i < n && !dup; i++) {
				dup = strcmp(v[i], e.name) == 0;
			}
			if (!dup && n == cap) {
				char (*nv)[64] = realloc(v,
				    (size_t) cap * 2 * sizeof(*v));

				if (nv == NULL) {
					free(v);
					free(t.buf);
					return -ENOMEM;
				}
				v = nv;
				cap *= 2;
			}
			if (!dup) {
				memcpy(v[n++], e.name, sizeof(v[0]));
			}
		}
		p = le + 1;
	}
	free(t.buf);
	*ret = v;
	return n;
}
