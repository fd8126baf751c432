/* SPDX-License-Identifier: MIT */
/*
 * The names file's scanner: pure, no I/O (name_open reads the file and
 * feeds it here; fuzz_names feeds it anything).
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <sys/netmgr.h>

#include "internal.h"
#include "nodename.h"

/*
 * $AXON_RUNDIR/names, written by axond (atomically: temporary file and
 * rename) whenever its view changes, one claim of a global name a line:
 *
 *	# axon names v2: state nd pid chid stamp start node name
 *	+ 1 4242 1 1764000000123456789 0 beta printer/ps
 *	- 0 777 2 1764000000987654321 81723 alpha printer/ps
 *
 * '+' marks the claim that serves the name, '-' one it shadows ('~' a
 * claim kept by an axond that stopped, which serves nobody).  start is
 * the claimant's start time for this node's claims (nd 0), so that a
 * file left by an axond that was killed never sends a client to a
 * reused pid; 0 for other nodes'.  The name is the rest of the line (it
 * may hold spaces).  A v1 file (the first line says so) has no start
 * field: its claims of this node are not taken, the registry answers.
 * The file comes from another process: lines are bounded, and one that
 * does not parse exactly is skipped.
 */

/* A decimal number up to max: digits only, no leading zero. */
static bool
names_num(const char *s, size_t len, unsigned long long max,
    unsigned long long *ret)
{
	unsigned long long v = 0;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0')) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned) (s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || v > (max - d) / 10) {
			return false;
		}
		v = v * 10 + d;
	}
	*ret = v;
	return true;
}

bool
axon__names_line(const char *line, size_t len, int v,
    struct axon_names_line *out)
{
	const char *f[7];
	size_t fl[7];
	size_t nf = 0;
	size_t nfields = v == 1 ? 6 : 7; /* before the name */
	size_t start = 0;
	unsigned long long nd, pid, chid, stamp, pstart = 0;

	for (size_t i = 0; i < len && nf < nfields; i++) {
		if (line[i] != ' ') {
			continue;
		}
		if (i == start) {
			return false; /* an empty field */
		}
		f[nf] = line + start;
		fl[nf++] = i - start;
		start = i + 1;
	}
	if (nf != nfields || start >= len || fl[0] != 1 ||
	    (f[0][0] != '+' && f[0][0] != '-' && f[0][0] != '~') ||
	    !names_num(f[1], fl[1], ND_NODE_MASK, &nd) ||
	    !names_num(f[2], fl[2], INT_MAX, &pid) || pid == 0 ||
	    !names_num(f[3], fl[3], INT_MAX, &chid) ||
	    !names_num(f[4], fl[4], UINT64_MAX, &stamp) ||
	    (v == 2 && !names_num(f[5], fl[5], UINT64_MAX, &pstart)) ||
	    !axon__node_name_ok(f[nfields - 1], fl[nfields - 1])) {
		return false;
	}
	out->state = f[0][0];
	out->nd = (uint32_t) nd;
	out->pid = (pid_t) pid;
	out->chid = (int) chid;
	out->stamp = stamp;
	out->start = pstart;
	out->node = f[nfields - 1];
	out->node_len = fl[nfields - 1];
	out->name = line + start;
	out->name_len = len - start;
	return true;
}

/* One line (without its '\n'; any bytes) of a file of version v (1 or
 * 2): the '+' claim of want? */
static bool
names_parse(const char *line, size_t len, int v, const char *want,
    struct axon_name_claim *c)
{
	struct axon_names_line l;

	if (!axon__names_line(line, len, v, &l) || l.state != '+' ||
	    l.name_len != strlen(want) ||
	    memcmp(l.name, want, l.name_len) != 0) {
		return false;
	}
	if (l.nd == 0 && v == 1) {
		return false; /* no start time: the registry answers */
	}
	c->nd = l.nd;
	c->pid = l.pid;
	c->chid = l.chid;
	c->start = l.start;
	return true;
}

/* The version a names file's first line gives (without its '\n'): 2 for
 * "# axon names v2...", 1 for anything else (v1, and files before
 * there was a header). */
int
axon__names_version(const char *line, size_t len)
{
	static const char v2[] = "# axon names v2";

	return len >= sizeof(v2) - 1 && memcmp(line, v2, sizeof(v2) - 1) == 0 &&
		    (len == sizeof(v2) - 1 || line[sizeof(v2) - 1] == ':')
	    ? 2
	    : 1;
}

void
axon__names_scan_init(struct axon_names_scan *sc, const char *want)
{
	memset(sc, 0, sizeof(*sc));
	sc->want = want;
}

bool
axon__names_scan_feed(struct axon_names_scan *sc, const char *buf,
    size_t n)
{
	for (size_t i = 0; i < n && !sc->found; i++) {
		if (buf[i] == '\n' && sc->v == 0) {
			sc->v = sc->over ? 1 : axon__names_version(sc->line, sc->ll);
			sc->ll = 0;
			sc->over = false;
		} else if (buf[i] == '\n') {
			sc->found = !sc->over && names_parse(sc->line, sc->ll,
			    sc->v, sc->want, &sc->claim);
			sc->ll = 0;
			sc->over = false;
		} else if (sc->ll < sizeof(sc->line)) {
			sc->line[sc->ll++] = buf[i];
		} else {
			sc->over = true; /* too long: skipped */
		}
	}
	return sc->found;
}

