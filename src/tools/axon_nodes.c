/* SPDX-License-Identifier: MIT */
/*
 * axon nodes: the node table of the local axond with its counters, from
 * a NODES_REQ on the control socket.  The answer's text is one line per
 * node (docs/design/wire.md):
 *
 *	self <name>
 *	node <nd> <name> <up|down|connecting> <rtt_ns> <tx_frames> \
 *	    <tx_bytes> <rx_frames> <rx_bytes> <address-or-->
 *	found <nd> <static|dns|discovered|incoming>
 *
 * (the "found" line follows its node's, and an older axond sends none).
 * A line that does not parse is skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axon.h"
#include "nodename.h"

const char axon_nodes_usage[] =
    "usage: axon nodes [--json]\n"
    "\n"
    "The nodes this node's axond knows: node descriptor, name, state\n"
    "(up, down, connecting), round-trip time of the last keep-alive,\n"
    "frames and bytes sent and received, address, and how it was found\n"
    "(static, dns, discovered, incoming).  Needs a running axond.\n"
    "\n"
    "  -j, --json   one JSON object: {\"self\": NAME, \"nodes\": [...]}\n"
    "  -h, --help   this help\n"
    "\n"
    "Exit status: 0, or 1 on error (no axond, bad answer).\n";

#define NODE_NAME_MAX 63
#define ADDR_MAX      255

struct node_row {
	int nd;
	char name[NODE_NAME_MAX + 1];
	char state[16];
	uint64_t rtt_ns, tx_frames, tx_bytes, rx_frames, rx_bytes;
	char addr[ADDR_MAX + 1]; /* "" for "-" */
	char found[16];          /* "" if axond did not say */
};

static bool
token_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char) *s <= 0x20 || (unsigned char) *s >= 0x7f) {
			return false;
		}
	}
	return true;
}

static int
row_cmp(const void *a, const void *b)
{
	const struct node_row *x = a, *y = b;

	return (x->nd > y->nd) - (x->nd < y->nd);
}

/* Parses one "node ..." line into r; false if it does not parse. */
static bool
parse_node(const char *line, struct node_row *r)
{
	char name[NODE_NAME_MAX + 2], state[17], addr[ADDR_MAX + 2];
	int nd;
	int used = 0;

	if (sscanf(line,
		"node %d %64s %16s %" SCNu64 " %" SCNu64 " %" SCNu64
		" %" SCNu64 " %" SCNu64 " %256s %n",
		&nd, name, state, &r->rtt_ns, &r->tx_frames, &r->tx_bytes,
		&r->rx_frames, &r->rx_bytes, addr, &used) != 9 ||
	    line[used] != '\0') {
		return false;
	}
	if (nd < 0 || nd > 0xffff || !axon__node_name_ok(name, strlen(name)) ||
	    strlen(state) > 15 ||
	    !token_ok(state) || strlen(addr) > ADDR_MAX || !token_ok(addr)) {
		return false;
	}
	r->nd = nd;
	r->found[0] = '\0';
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->state, sizeof(r->state), "%s", state);
	snprintf(r->addr, sizeof(r->addr), "%s",
	    strcmp(addr, "-") == 0 ? "" : addr);
	return true;
}

static int
parse_text(char *text, char *self, struct node_row **ret_rows,
    size_t *ret_n)
{
	struct node_row *rows = NULL;
	size_t n = 0, cap = 0;

	self[0] = '\0';
	for (char *line = text, *next; line != NULL; line = next) {
		char nm[NODE_NAME_MAX + 2];
		int used = 0;

		next = strchr(line, '\n');
		if (next != NULL) {
			*next++ = '\0';
		}
		if (strncmp(line, "self ", 5) == 0) {
			if (sscanf(line, "self %64s %n", nm, &used) == 1 &&
			    line[used] == '\0' && axon__node_name_ok(nm, strlen(nm))) {
				snprintf(self, NODE_NAME_MAX + 1, "%s", nm);
			}
			continue;
		}
		if (strncmp(line, "found ", 6) == 0) {
			char how[17];
			int nd;

			/* It follows its node's line. */
			if (sscanf(line, "found %d %16s %n", &nd, how, &used) ==
				2 && line[used] == '\0' && n > 0 &&
			    rows[n - 1].nd == nd && strlen(how) < 16 &&
			    axon__node_name_ok(how, strlen(how))) {
				snprintf(rows[n - 1].found,
				    sizeof(rows[n - 1].found), "%s", how);
			}
			continue;
		}
		if (strncmp(line, "node ", 5) != 0) {
			continue;
		}
		if (n == cap) {
			size_t nc = cap == 0 ? 16 : cap * 2;
			struct node_row *nr = reallocarray(rows, nc,
			    sizeof(*rows));

			if (nr == NULL) {
				free(rows);
				return -ENOMEM;
			}
			rows = nr;
			cap = nc;
		}
		if (parse_node(line, &rows[n])) {
			n++;
		}
	}
	if (n > 0) {
		qsort(rows, n, sizeof(*rows), row_cmp);
	}
	*ret_rows = rows;
	*ret_n = n;
	return 0;
}

static void
print_json(const char *self, const struct node_row *rows, size_t n)
{
	printf("{\"self\":");
	axon_json_str(stdout, self, strlen(self));
	printf(",\"nodes\":[");
	for (size_t i = 0; i < n; i++) {
		const struct node_row *r = &rows[i];

		printf("%s{\"nd\":%d,\"name\":", i > 0 ? "," : "", r->nd);
		axon_json_str(stdout, r->name, strlen(r->name));
		printf(",\"state\":");
		axon_json_str(stdout, r->state, strlen(r->state));
		printf(",\"rtt_ns\":%" PRIu64 ",\"tx_frames\":%" PRIu64
		       ",\"tx_bytes\":%" PRIu64 ",\"rx_frames\":%" PRIu64
		       ",\"rx_bytes\":%" PRIu64 ",\"found\":",
		    r->rtt_ns, r->tx_frames, r->tx_bytes, r->rx_frames,
		    r->rx_bytes);
		if (r->found[0] == '\0') {
			printf("null");
		} else {
			axon_json_str(stdout, r->found, strlen(r->found));
		}
		printf(",\"address\":");
		if (r->addr[0] == '\0') {
			printf("null");
		} else {
			axon_json_str(stdout, r->addr, strlen(r->addr));
		}
		printf("}");
	}
	printf("]}\n");
}

static void
print_table(const char *self, const struct node_row *rows, size_t n)
{
	/* FOUND last: scripts that took the columns by position before it
	 * existed still find theirs. */
	printf("%5s %-16s %-10s %10s %10s %12s %10s %12s  %-21s %s\n", "ND",
	    "NAME", "STATE", "RTT", "TX-FRAMES", "TX-BYTES", "RX-FRAMES",
	    "RX-BYTES", "ADDRESS", "FOUND");
	printf("%5d %-16s %-10s %10s %10s %12s %10s %12s  %-21s %s\n", 0, self,
	    "self", "-", "-", "-", "-", "-", "-", "-");
	for (size_t i = 0; i < n; i++) {
		const struct node_row *r = &rows[i];
		char rtt[32];

		if (r->rtt_ns == 0) {
			snprintf(rtt, sizeof(rtt), "-");
		} else {
			snprintf(rtt, sizeof(rtt), "%.3fms",
			    (double) r->rtt_ns / 1e6);
		}
		printf("%5d %-16s %-10s %10s %10" PRIu64 " %12" PRIu64
		       " %10" PRIu64 " %12" PRIu64 "  %-21s %s\n",
		    r->nd, r->name, r->state, rtt, r->tx_frames, r->tx_bytes,
		    r->rx_frames, r->rx_bytes, r->addr[0] != '\0' ? r->addr : "-",
		    r->found[0] != '\0' ? r->found : "-");
	}
}

int
cmd_nodes(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char rundir[256];
	char self[NODE_NAME_MAX + 1];
	struct node_row *rows = NULL;
	size_t n = 0, len;
	bool json = false, answered;
	char *text;
	int fd, c;
	int rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			return axon_help(axon_nodes_usage);
		default:
			return axon_opt_err(c, argv);
		}
	}
	if (optind < argc) {
		return axon_usage_err("unexpected argument '%s'", argv[optind]);
	}
	if (axon_rundir(rundir, sizeof(rundir)) < 0) {
		axon_err("AXON_RUNDIR is too long");
		return AXON_EXIT_ERR;
	}
	fd = axc_connect(rundir);
	if (fd < 0) {
		if (fd == -ENOENT || fd == -ECONNREFUSED) {
			axon_err("axond is not running on this node (%s)",
			    rundir);
		} else {
			axon_err("%s/axond.sock: %s", rundir, strerror(-fd));
		}
		return AXON_EXIT_ERR;
	}
	rc = axc_query(fd, AXON_W_NODES_REQ, 0, 0, &text, &len, &answered);
	(void) close(fd);
	if (rc < 0) {
		axon_err("%s%s", answered ? "axond: " : "", strerror(-rc));
		return AXON_EXIT_ERR;
	}
	rc = parse_text(text, self, &rows, &n);
	free(text);
	if (rc < 0) {
		axon_err("%s", strerror(-rc));
		return AXON_EXIT_ERR;
	}
	if (json) {
		print_json(self, rows, n);
	} else {
		print_table(self, rows, n);
	}
	free(rows);
	return axon_finish(AXON_EXIT_OK);
}
