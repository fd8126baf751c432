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
#include "nodename.h"
#include "psinfo.h"

const char axon_ps_usage[] =
    "usage: axon ps [-n NODE] [-p PID] [--json]\n"
    "       axon ps --all [--json]\n"
    "\n"
    "The Axon processes of a node (like pidin): each thread that used\n"
    "Axon with its state, RECEIVE on a channel, SEND or REPLY on a\n"
    "channel of a process of some node (BLOCKED: chid, or pid/chid@node),\n"
    "then each process's channels and connections.\n"
    "\n"
    "  -n, --node NODE   the node to look at (default: this one); another\n"
    "                    node is asked through axond\n"
    "  -p, --pid PID     only that process\n"
    "  -a, --all         every node axond knows, each node's table (or\n"
    "                    \"unreachable\" and why), what each process\n"
    "                    serves, and every SEND or REPLY wait joined to\n"
    "                    the server's process on its node (WAITS)\n"
    "  -j, --json        one JSON object: {\"node\": NAME, \"processes\": "
    "[...]};\n"
    "                    with --all {\"nodes\": [...], \"waits\": [...]}\n"
    "  -h, --help        this help\n"
    "\n"
    "Exit status: 0, or 1 on error (unknown node, no such process, axond\n"
    "unreachable or not answering within 10 s).  With --all, other nodes\n"
    "that do not answer within 10 s in all are listed as unreachable;\n"
    "only this node's own list failing is an error.\n";

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

/* The processes of l as a JSON array; sv (NULL: none) adds each
 * process's "serving" array (--all). */
struct cluster;
static void print_serving_json(const struct cluster *cl, const char *node,
    const struct axon_ps_proc *p);

static void
print_procs_json(const struct axon_ps_list *l, const struct cluster *cl,
    const char *node)
{
	printf("[");
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
		printf("]");
		if (cl != NULL) {
			print_serving_json(cl, node, p);
		}
		printf("}");
	}
	printf("]");
}

static void
print_json(const char *node, const struct axon_ps_list *l)
{
	printf("{\"node\":");
	axon_json_str(stdout, node, strlen(node));
	printf(",\"processes\":");
	print_procs_json(l, NULL, NULL);
	printf("}\n");
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

/* ------------------------------------------------------------------ */
/* --all: every node, and who waits on whom across them                 */
/* ------------------------------------------------------------------ */

/* Requests in flight on the control connection at once (axond takes 16
 * on one connection). */
#define ALL_INFLIGHT 8
#define ALL_NODES    4096
#define ALL_TEXT_MAX (256u << 20) /* the answers of all nodes together */

struct cnode {
	char name[AXON_PS_NAME_LEN];
	uint32_t nd;              /* 0: this node */
	enum { CN_WAIT, CN_ASKED, CN_OK, CN_ERR } st;
	int err;                  /* CN_ERR: errno, ETIMEDOUT for no answer */
	bool answered;            /* CN_ERR: axond or the node said so */
	char *text;
	size_t len;
	struct axon_ps_list l;
};

struct cluster {
	struct cnode *n;
	size_t count;
};

/* One wait: thread t of process p on node cn, SEND or REPLY on a
 * process of some node; the server's process where it was found. */
struct wait {
	const struct cnode *cn;
	const struct axon_ps_proc *p;
	const struct axon_ps_thread *t;
	const struct cnode *scn;        /* the server's node, if listed */
	const struct axon_ps_proc *sp;  /* the server, if found there */
};

static const struct cnode *
cl_node(const struct cluster *cl, const char *name)
{
	for (size_t i = 0; i < cl->count; i++) {
		if (strcmp(cl->n[i].name, name) == 0) {
			return &cl->n[i];
		}
	}
	return NULL;
}

static const struct axon_ps_proc *
cl_proc(const struct cnode *cn, int pid)
{
	if (cn == NULL || cn->st != CN_OK) {
		return NULL;
	}
	for (size_t i = 0; i < cn->l.n; i++) {
		if (cn->l.procs[i].pid == pid) {
			return &cn->l.procs[i];
		}
	}
	return NULL;
}

/* Calls fn for every SEND or REPLY thread of every node answered. */
static void
cl_waits(const struct cluster *cl, void (*fn)(const struct wait *, void *),
    void *arg)
{
	for (size_t i = 0; i < cl->count; i++) {
		const struct cnode *cn = &cl->n[i];

		if (cn->st != CN_OK) {
			continue;
		}
		for (size_t k = 0; k < cn->l.n; k++) {
			const struct axon_ps_proc *p = &cn->l.procs[k];

			for (size_t j = 0; j < p->nthreads; j++) {
				const struct axon_ps_thread *t = &p->threads[j];
				struct wait w = {cn, p, t, NULL, NULL};

				if (!blocked_on_target(t->state)) {
					continue;
				}
				w.scn = cl_node(cl, t->node);
				w.sp = cl_proc(w.scn, t->pid);
				fn(&w, arg);
			}
		}
	}
}

/* The server's thread that holds a REPLY-blocked client's message, when
 * the pages tell: a server with one thread that used Axon (only such a
 * thread receives); else 0. */
static int
holder_tid(const struct wait *w)
{
	if (w->sp == NULL || w->t->state != AXON_PS_REPLY ||
	    w->sp->nthreads != 1) {
		return 0;
	}
	return w->sp->threads[0].tid;
}

/* Parses axond's NODES_ANS: "self NAME", then "node ND NAME ..." lines
 * (and others, skipped).  The nodes to ask, this one first. */
static int
cl_parse_nodes(char *text, struct cluster *cl)
{
	char *save = NULL;

	cl->n = calloc(ALL_NODES, sizeof(*cl->n));
	if (cl->n == NULL) {
		return -ENOMEM;
	}
	cl->count = 1;
	snprintf(cl->n[0].name, sizeof(cl->n[0].name), "?");
	for (char *line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[AXON_PS_NAME_LEN + 1];
		int nd, used = 0;

		if (sscanf(line, "self %64s%n", name, &used) == 1 &&
		    line[used] == '\0' &&
		    axon__node_name_ok(name, strlen(name))) {
			snprintf(cl->n[0].name, sizeof(cl->n[0].name), "%s",
			    name);
		} else if (sscanf(line, "node %d %64s %n", &nd, name, &used) ==
			       2 &&
		    nd > 0 && nd <= 0xffff &&
		    axon__node_name_ok(name, strlen(name)) &&
		    cl->count < ALL_NODES) {
			struct cnode *cn = &cl->n[cl->count++];

			snprintf(cn->name, sizeof(cn->name), "%s", name);
			cn->nd = (uint32_t) nd;
		}
	}
	return 0;
}

/*
 * Asks axond for every node's list at once on one control connection,
 * ALL_INFLIGHT requests in flight, each answer's chunks gathered by its
 * msg.  Everything ends by one deadline: what has not answered by then is
 * unreachable (ETIMEDOUT).  Returns 0, or -errno if the connection
 * failed (the nodes not answered are marked with it).
 */
static int
cl_gather(int fd, struct cluster *cl)
{
	static uint8_t buf[AXC_FRAME_MAX];
	uint64_t deadline = axc_now() + AXC_TIMEOUT_MS * 1000000ull;
	size_t next = 0, inflight = 0, done = 0, total = 0;
	int rc = 0;

	while (done < cl->count) {
		struct axon_wire_frame f;
		struct cnode *cn;

		while (next < cl->count && inflight < ALL_INFLIGHT) {
			struct axon_wire_frame q = {0};

			q.type = AXON_W_PS_REQ;
			q.msg = (uint32_t) next + 1;
			q.conn = cl->n[next].nd;
			rc = axc_send(fd, &q, deadline);
			if (rc < 0) {
				goto fail;
			}
			cl->n[next].st = CN_ASKED;
			next++;
			inflight++;
		}
		rc = axc_recv(fd, buf, &f, deadline);
		if (rc < 0) {
			goto fail;
		}
		if (f.type != AXON_W_PS_ANS || f.msg == 0 ||
		    f.msg > cl->count || cl->n[f.msg - 1].st != CN_ASKED) {
			rc = -EPROTO;
			goto fail;
		}
		cn = &cl->n[f.msg - 1];
		if (f.u.ans.err != 0) {
			cn->st = CN_ERR;
			cn->err = axon__wire_errno_in(f.u.ans.err);
			cn->answered = true;
		} else {
			char *nt;

			if (f.offset != cn->len ||
			    cn->len + f.data_len > AXC_TEXT_MAX) {
				rc = -EPROTO;
				goto fail;
			}
			total += f.data_len;
			if (total > ALL_TEXT_MAX) {
				rc = -EFBIG;
				goto fail;
			}
			nt = realloc(cn->text, cn->len + f.data_len + 1);
			if (nt == NULL) {
				rc = -ENOMEM;
				goto fail;
			}
			cn->text = nt;
			if (f.data_len > 0) {
				memcpy(cn->text + cn->len, f.data, f.data_len);
			}
			cn->len += f.data_len;
			cn->text[cn->len] = '\0';
			if (!(f.flags & AXON_WF_LAST)) {
				continue;
			}
			int prc = axon__ps_parse((const uint8_t *) cn->text,
			    cn->len, &cn->l);

			if (prc < 0) {
				cn->st = CN_ERR;
				cn->err = EPROTO;
				cn->answered = true;
			} else {
				cn->st = CN_OK;
			}
			free(cn->text);
			cn->text = NULL;
		}
		inflight--;
		done++;
	}
	return 0;
fail:
	for (size_t i = 0; i < cl->count; i++) {
		if (cl->n[i].st == CN_WAIT || cl->n[i].st == CN_ASKED) {
			cl->n[i].st = CN_ERR;
			cl->n[i].err = -rc;
			free(cl->n[i].text);
			cl->n[i].text = NULL;
		}
	}
	return rc;
}

static void
cl_free(struct cluster *cl)
{
	for (size_t i = 0; cl->n != NULL && i < cl->count; i++) {
		free(cl->n[i].text);
		axon__ps_free(&cl->n[i].l);
	}
	free(cl->n);
	cl->n = NULL;
	cl->count = 0;
}

static const char *
cl_why(const struct cnode *cn)
{
	static char buf[128];

	if (!cn->answered && cn->err == ETIMEDOUT) {
		snprintf(buf, sizeof(buf), "no answer within %d s",
		    AXC_TIMEOUT_MS / 1000);
	} else if (cn->answered && cn->err == EPROTO) {
		snprintf(buf, sizeof(buf), "malformed process list");
	} else {
		snprintf(buf, sizeof(buf), "%s", strerror(cn->err));
	}
	return buf;
}

/* ---- text ---- */

struct serving_ctx {
	const char *node;
	const struct axon_ps_proc *p;
	bool json;
	int n;          /* of this process */
	int *shown;     /* text: of the node's processes */
};

static void
serving_one(const struct wait *w, void *arg)
{
	struct serving_ctx *c = arg;
	int h = holder_tid(w);

	if (w->sp != c->p || strcmp(w->scn->name, c->node) != 0) {
		return;
	}
	if (c->json) {
		printf("%s{\"node\":", c->n > 0 ? "," : "");
		axon_json_str(stdout, w->cn->name, strlen(w->cn->name));
		printf(",\"pid\":%d,\"tid\":%d,\"state\":\"%s\",\"chid\":%d,"
		       "\"server_tid\":",
		    w->p->pid, w->t->tid, axon__ps_state_name(w->t->state),
		    w->t->tchid);
		if (h > 0) {
			printf("%d}", h);
		} else {
			printf("null}");
		}
	} else {
		if ((*c->shown)++ == 0) {
			printf("\n%8s %-16s %s\n", "PID", "NAME",
			    "SERVES (CLIENT, STATE, THREAD HOLDING IT)");
		}
		printf("%8d %-16s %d/%d@%s %s %s", c->p->pid, c->p->name,
		    w->p->pid, w->t->tid, w->cn->name, w->p->name,
		    axon__ps_state_name(w->t->state));
		if (h > 0) {
			printf(" %d", h);
		}
		putchar('\n');
	}
	c->n++;
}

static void
print_serving_json(const struct cluster *cl, const char *node,
    const struct axon_ps_proc *p)
{
	struct serving_ctx c = {node, p, true, 0, NULL};

	printf(",\"serving\":[");
	cl_waits(cl, serving_one, &c);
	printf("]");
}

/* Node cn's table, then what its processes serve for other processes
 * (of any node): "SERVING" lines. */
static void
print_node_text(const struct cluster *cl, const struct cnode *cn)
{
	if (cn->st != CN_OK) {
		printf("== %s: unreachable (%s) ==\n", cn->name, cl_why(cn));
		return;
	}
	int shown = 0;

	printf("== %s ==\n", cn->name);
	print_table(&cn->l);
	for (size_t i = 0; i < cn->l.n; i++) {
		struct serving_ctx c = {cn->name, &cn->l.procs[i], false, 0,
		    &shown};

		cl_waits(cl, serving_one, &c);
	}
}

static void
wait_text(const struct wait *w, void *arg)
{
	int *n = arg;
	char client[160], server[160];
	int h = holder_tid(w);

	if (*n == 0) {
		printf("\nWAITS\n%-36s %-6s %-36s %s\n", "CLIENT", "STATE",
		    "SERVER", "SERVER THREAD");
	}
	snprintf(client, sizeof(client), "%d/%d@%s %s", w->p->pid, w->t->tid,
	    w->cn->name, w->p->name);
	if (w->sp != NULL) {
		snprintf(server, sizeof(server), "%d/%d@%s %s", w->t->pid,
		    w->t->tchid, w->t->node, w->sp->name);
	} else {
		snprintf(server, sizeof(server), "%d/%d@%s (%s)", w->t->pid,
		    w->t->tchid, w->t->node,
		    w->scn == NULL		? "node not listed"
		    : w->scn->st != CN_OK ? "node unreachable"
					  : "not found there");
	}
	printf("%-36s %-6s %-36s ", client, axon__ps_state_name(w->t->state),
	    server);
	if (h > 0) {
		printf("%d\n", h);
	} else {
		printf("-\n");
	}
	(*n)++;
}

static void
wait_json(const struct wait *w, void *arg)
{
	int *n = arg;
	int h = holder_tid(w);

	printf("%s{\"client\":{\"node\":", *n > 0 ? "," : "");
	axon_json_str(stdout, w->cn->name, strlen(w->cn->name));
	printf(",\"pid\":%d,\"tid\":%d,\"name\":", w->p->pid, w->t->tid);
	axon_json_str(stdout, w->p->name, strlen(w->p->name));
	printf("},\"state\":\"%s\",\"server\":{\"node\":",
	    axon__ps_state_name(w->t->state));
	axon_json_str(stdout, w->t->node, strlen(w->t->node));
	printf(",\"pid\":%d,\"chid\":%d,\"found\":%s,\"name\":", w->t->pid,
	    w->t->tchid, w->sp != NULL ? "true" : "false");
	if (w->sp != NULL) {
		axon_json_str(stdout, w->sp->name, strlen(w->sp->name));
	} else {
		printf("null");
	}
	printf(",\"tid\":");
	if (h > 0) {
		printf("%d}}", h);
	} else {
		printf("null}}");
	}
	(*n)++;
}

static void
print_cluster(const struct cluster *cl, bool json)
{
	int n = 0;

	if (json) {
		printf("{\"nodes\":[");
		for (size_t i = 0; i < cl->count; i++) {
			const struct cnode *cn = &cl->n[i];

			printf("%s{\"node\":", i > 0 ? "," : "");
			axon_json_str(stdout, cn->name, strlen(cn->name));
			if (cn->st == CN_OK) {
				printf(",\"reachable\":true,\"processes\":");
				print_procs_json(&cn->l, cl, cn->name);
			} else {
				const char *why = cl_why(cn);

				printf(",\"reachable\":false,\"error\":");
				axon_json_str(stdout, why, strlen(why));
			}
			printf("}");
		}
		printf("],\"waits\":[");
		cl_waits(cl, wait_json, &n);
		printf("]}\n");
		return;
	}
	for (size_t i = 0; i < cl->count; i++) {
		if (i > 0) {
			putchar('\n');
		}
		print_node_text(cl, &cl->n[i]);
	}
	cl_waits(cl, wait_text, &n);
}

/* `axon ps --all`.  Returns the exit status. */
static int
ps_all(const char *rundir, bool json)
{
	struct cluster cl = {0};
	bool answered;
	char *text = NULL;
	size_t len;
	int fd, rc;

	fd = axc_connect(rundir);
	if (fd < 0) {
		if (fd == -ENOENT || fd == -ECONNREFUSED) {
			axon_err("axond is not running on this node (%s): "
				 "no other node can be asked",
			    rundir);
		} else {
			axon_err("%s/axond.sock: %s", rundir, strerror(-fd));
		}
		return AXON_EXIT_ERR;
	}
	rc = axc_query(fd, AXON_W_NODES_REQ, 0, 0, &text, &len, &answered);
	if (rc < 0) {
		axon_err("asking axond for the nodes: %s", strerror(-rc));
		(void) close(fd);
		return AXON_EXIT_ERR;
	}
	rc = cl_parse_nodes(text, &cl);
	free(text);
	if (rc < 0) {
		axon_err("%s", strerror(-rc));
		(void) close(fd);
		return AXON_EXIT_ERR;
	}
	rc = cl_gather(fd, &cl);
	(void) close(fd);
	if (rc < 0 && rc != -ETIMEDOUT) {
		axon_err("asking axond: %s", rc == -EPROTO
			? "malformed answer" : strerror(-rc));
	}
	print_cluster(&cl, json);
	/* This node's list is what --all cannot do without. */
	rc = cl.n[0].st == CN_OK ? AXON_EXIT_OK : AXON_EXIT_ERR;
	cl_free(&cl);
	return axon_finish(rc);
}

int
cmd_ps(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"node", required_argument, NULL, 'n'},
	    {"pid", required_argument, NULL, 'p'},
	    {"json", no_argument, NULL, 'j'},
	    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct axon_ps_list l = {0};
	char rundir[256];
	char name[AXON_PS_NAME_LEN];
	const char *node = NULL;
	bool json = false, all = false;
	long pid = 0;
	int nd = 0, fd, c;
	int rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:n:p:jah", opts, NULL)) != -1) {
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
		case 'a':
			all = true;
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
	if (all) {
		if (node != NULL || pid != 0) {
			return axon_usage_err("--all takes neither -n nor -p");
		}
		return ps_all(rundir, json);
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
