/* SPDX-License-Identifier: MIT */
/*
 * axon ps: QNX's pidin for Axon.  The Axon processes of a node, their
 * threads with the state each is blocked in, their channels and their
 * connections.
 *
 * This node: axond's answer to a PS_REQ (conn 0) when it runs, since it
 * may read every process's status page; otherwise the pages themselves
 * (axon__ps_collect), so that it works without axond.  Another node: a
 * PS_REQ with conn = that node's nd, which axond relays.  Either way the
 * result is the ps text of src/common/psinfo.c, decoded whole by
 * axon__ps_parse before anything is shown.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/netmgr.h>

#include "axon.h"
#include "psinfo.h"

const char axon_ps_usage[] =
    "usage: axon ps [-n NODE] [-p PID] [--json]\n"
    "\n"
    "The Axon processes of a node (like pidin): each thread that used\n"
    "Axon with its state, RECEIVE on a channel, SEND or REPLY on a\n"
    "channel of a process of some node (BLOCKED: chid, or pid/chid@node),\n"
    "then each process's channels and connections.\n"
    "\n"
    "  -n, --node NODE   the node to look at (default: this one); another\n"
    "                    node is asked through axond\n"
    "  -p, --pid PID     only that process\n"
    "  -j, --json        one JSON object: {\"node\": NAME, \"processes\": "
    "[...]}\n"
    "  -h, --help        this help\n"
    "\n"
    "Exit status: 0, or 1 on error (unknown node, no such process, axond\n"
    "unreachable or not answering within 10 s).\n";

static bool
blocked_on_target(int state)
{
	return state == AXON_PS_SEND || state == AXON_PS_REPLY;
}

static void
print_table(const struct axon_ps_list *l)
{
	bool trunc = false;

	printf("%8s %8s %-16s %-10s %s\n", "PID", "TID", "NAME", "STATE",
	    "BLOCKED");
	for (size_t i = 0; i < l->n; i++) {
		const struct axon_ps_proc *p = &l->procs[i];

		trunc |= p->truncated;
		if (p->nthreads == 0) {
			printf("%8d %8s %-16s %-10s\n", p->pid, "-", p->name,
			    "-");
		}
		for (size_t k = 0; k < p->nthreads; k++) {
			const struct axon_ps_thread *t = &p->threads[k];

			printf("%8d %8d %-16s %-10s", p->pid, t->tid, p->name,
			    axon__ps_state_name(t->state));
			if (t->state == AXON_PS_RECEIVE ||
			    t->state == AXON_PS_RECVPULSE) {
				printf(" %d", t->chid);
			} else if (blocked_on_target(t->state)) {
				printf(" %d/%d@%s", t->pid, t->tchid, t->node);
			}
			putchar('\n');
		}
	}
	printf("\n%8s %-16s %-5s %11s %s\n", "PID", "NAME", "KIND", "ID",
	    "FLAGS/TARGET");
	for (size_t i = 0; i < l->n; i++) {
		const struct axon_ps_proc *p = &l->procs[i];

		for (size_t k = 0; k < p->nchans; k++) {
			printf("%8d %-16s %-5s %11d 0x%x\n", p->pid, p->name,
			    "chan", p->chans[k].chid, p->chans[k].flags);
		}
		for (size_t k = 0; k < p->nconns; k++) {
			const struct axon_ps_conn *c = &p->conns[k];

			printf("%8d %-16s %-5s %11d %d/%d@%s\n", p->pid, p->name,
			    "conn", c->coid, c->pid, c->chid, c->node);
		}
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct axon_ps_proc *p = &l->procs[i];

		if (p->pulses_refused > 0) {
			printf("\n%d %s: %u pulses refused (senders who may "
			       "not send them; the last uid %u)",
			    p->pid, p->name, p->pulses_refused, p->refused_uid);
		}
		if (p->events_failed > 0) {
			printf("\n%d %s: %u events not delivered", p->pid,
			    p->name, p->events_failed);
		}
		if (p->pulses_refused > 0 || p->events_failed > 0) {
			putchar('\n');
		}
	}
	if (trunc) {
		printf("\n(a process's status page was full: some of its "
		       "threads, channels or connections are missing)\n");
	}
}

static void
print_json(const char *node, const struct axon_ps_list *l)
{
	printf("{\"node\":");
	axon_json_str(stdout, node, strlen(node));
	printf(",\"processes\":[");
	for (size_t i = 0; i < l->n; i++) {
		const struct axon_ps_proc *p = &l->procs[i];

		printf("%s{\"pid\":%d,\"uid\":%u,\"name\":", i > 0 ? "," : "",
		    p->pid, p->uid);
		axon_json_str(stdout, p->name, strlen(p->name));
		printf(",\"truncated\":%s,\"pulses_refused\":%u,"
		       "\"refused_uid\":%u,\"events_failed\":%u,\"threads\":[",
		    p->truncated ? "true" : "false", p->pulses_refused,
		    p->refused_uid, p->events_failed);
		for (size_t k = 0; k < p->nthreads; k++) {
			const struct axon_ps_thread *t = &p->threads[k];

			printf("%s{\"tid\":%d,\"state\":\"%s\"", k > 0 ? "," : "",
			    t->tid, axon__ps_state_name(t->state));
			if (t->state == AXON_PS_RECEIVE ||
			    t->state == AXON_PS_RECVPULSE) {
				printf(",\"chid\":%d", t->chid);
			} else if (blocked_on_target(t->state)) {
				printf(",\"coid\":%d,\"node\":", t->coid);
				axon_json_str(stdout, t->node, strlen(t->node));
				printf(",\"pid\":%d,\"chid\":%d", t->pid,
				    t->tchid);
			}
			printf("}");
		}
		printf("],\"channels\":[");
		for (size_t k = 0; k < p->nchans; k++) {
			printf("%s{\"chid\":%d,\"flags\":%u}", k > 0 ? "," : "",
			    p->chans[k].chid, p->chans[k].flags);
		}
		printf("],\"connections\":[");
		for (size_t k = 0; k < p->nconns; k++) {
			const struct axon_ps_conn *c = &p->conns[k];

			printf("%s{\"coid\":%d,\"node\":", k > 0 ? "," : "",
			    c->coid);
			axon_json_str(stdout, c->node, strlen(c->node));
			printf(",\"pid\":%d,\"chid\":%d}", c->pid, c->chid);
		}
		printf("]}");
	}
	printf("]}\n");
}

/* Asks axond (fd) for node nd's list.  Returns 0 or 1 (reported). */
static int
ask_axond(int fd, uint32_t nd, int pid, const char *node,
    struct axon_ps_list *l)
{
	bool answered;
	char *text;
	size_t len;
	int rc;

	rc = axc_query(fd, AXON_W_PS_REQ, nd, pid, &text, &len, &answered);
	if (rc < 0) {
		if (answered) {
			axon_err("%s: %s", node, strerror(-rc));
		} else if (rc == -ETIMEDOUT) {
			axon_err("%s: no answer from axond within %d s", node,
			    AXC_TIMEOUT_MS / 1000);
		} else if (rc == -EPROTO) {
			axon_err("%s: malformed answer from axond", node);
		} else {
			axon_err("%s: asking axond: %s", node, strerror(-rc));
		}
		return AXON_EXIT_ERR;
	}
	rc = axon__ps_parse((const uint8_t *) text, len, l);
	free(text);
	if (rc < 0) {
		axon_err("%s: malformed process list from axond (%s)", node,
		    strerror(-rc));
		return AXON_EXIT_ERR;
	}
	return AXON_EXIT_OK;
}

int
cmd_ps(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"node", required_argument, NULL, 'n'},
	    {"pid", required_argument, NULL, 'p'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct axon_ps_list l = {0};
	char rundir[256];
	char name[AXON_PS_NAME_LEN];
	const char *node = NULL;
	bool json = false;
	long pid = 0;
	int nd = 0, fd, c;
	int rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:n:p:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			node = optarg;
			break;
		case 'p':
			if (axon_parse_long(optarg, 1, 4194304, &pid) < 0) {
				return axon_usage_err("bad pid '%s'", optarg);
			}
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return axon_help(axon_ps_usage);
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
	if (node != NULL) {
		nd = axon_node_nd(node);
		if (nd < 0) {
			return AXON_EXIT_ERR;
		}
	}
	if (netmgr_ndtostr(0, nd, name, sizeof(name)) < 0) {
		snprintf(name, sizeof(name), "%s", node != NULL ? node : "?");
	}
	fd = axc_connect(rundir);
	if (fd < 0 && nd != ND_LOCAL_NODE) {
		if (fd == -ENOENT || fd == -ECONNREFUSED) {
			axon_err("%s: axond is not running on this node (%s)",
			    node, rundir);
		} else {
			axon_err("%s/axond.sock: %s", rundir, strerror(-fd));
		}
		return AXON_EXIT_ERR;
	}
	if (fd >= 0) {
		rc = ask_axond(fd, (uint32_t) nd, (int) pid, name, &l);
		(void) close(fd);
		if (rc != AXON_EXIT_OK) {
			return rc;
		}
	} else {
		/* No axond here: read the pages ourselves. */
		rc = axon__ps_collect(rundir, (int) pid, &l);
		if (rc < 0) {
			axon_err("%s/ps: %s", rundir, strerror(-rc));
			return AXON_EXIT_ERR;
		}
	}
	if (pid != 0 && l.n == 0) {
		axon_err("%ld: no such Axon process on %s", pid, name);
		axon__ps_free(&l);
		return AXON_EXIT_ERR;
	}
	if (json) {
		print_json(name, &l);
	} else {
		print_table(&l);
	}
	axon__ps_free(&l);
	return axon_finish(AXON_EXIT_OK);
}
