/* SPDX-License-Identifier: MIT */
/*
 * axond's operator services (the `axon` command, issue 4): the control
 * socket $AXON_RUNDIR/axond.sock, `ps` and `nodes` answers, and commands
 * run for `axon on` (SPAWN streams).  docs/design/axond.md, "Operator
 * services"; the frames are in docs/design/wire.md.
 *
 * services.c: the control socket, its connections, PS/NODES, relaying
 *             requests to other nodes and their answers back;
 * spawn.c:    the commands this node runs, for a control connection of
 *             this node or for a stream on a session.
 *
 * Everything here runs on axond's main thread (the loop), except
 * the collection of ps snapshots, which has a thread of its own.
 */
#ifndef AXOND_SERVICES_H
#define AXOND_SERVICES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "axond.h"

/* epoll tags of the services: AXD_TAG_SVC | kind << 32 | object id. */
#define AXD_TAG_SVC     (1ull << 60)
#define AXD_SVC_LISTEN  1u /* the control socket */
#define AXD_SVC_CTL     2u /* a control connection */
#define AXD_SVC_PS      3u /* the ps thread has a snapshot */
#define AXD_SVC_PATH    4u /* the path thread has answers */
#define AXD_SVC_SPAWN   5u /* 5 + i: descriptor i of a command (spawn.c) */

/* Flow control of a SPAWN stream: each direction of each of fds 0, 1
 * and 2 starts with this window (wire.md, STDIO_ACK). */
#define AXD_SVC_WINDOW  (256u << 10)

/* Commands running (or not yet reaped) on this node at once: of users
 * other than root (each within --user-commands), and root's beyond
 * them. */
#define AXD_SPAWN_MAX   64
#define AXD_SPAWN_ROOT  16

struct axd_ctl;
struct axd_spawn;

/* ---- the module "services" (its ops, module.h: axd_mod_services) ---- */

/* Creates the control socket (replacing a stale one) and watches it.
 * Returns 0, or -1 (logged). */
int axd_svc_start(void);

/* Closes every control connection, hangs up every command (SIGHUP to
 * its process group, not waited for), stops the ps thread and removes
 * the socket. */
void axd_svc_stop(void);

/* An epoll event whose tag has AXD_TAG_SVC. */
void axd_svc_event(uint64_t tag, uint32_t events);

/* A frame of type >= AXON_W_PS_REQ on an authenticated session (PS,
 * SPAWN streams, PATH).
 * Returns 0, or an errno that closes the session (EPROTO). */
int axd_svc_frame(struct axd_sess *s, const struct axon_wire_frame *f);

/* Session s is up: requests waiting for its peer go out. */
void axd_svc_session_up(struct axd_sess *s);

/* Session s is being freed (axd_reap): what went over it fails or is
 * hung up; nothing here keeps a pointer to s afterwards. */
void axd_svc_session_gone(struct axd_sess *s);

/* Every tick: requests waiting too long for a session, an answer or a
 * ps snapshot; idle control connections. */
void axd_svc_tick(uint64_t now);

/* ---- services.c, for spawn.c ---- */

/* Queues f for the control connection c (conn is set to 1, see wire.md)
 * and writes what the socket takes.  Returns 0, or -EPIPE if c is
 * closed or was closed for not reading. */
int axd_ctl_send(struct axd_ctl *c, const struct axon_wire_frame *f);

/* True if c's output backlog is small enough to add stdout/stderr. */
bool axd_ctl_room(const struct axd_ctl *c);

/* The command of c's stream is done with c (its EXIT was sent, or its
 * start failed and it was reaped): c forgets it. */
void axd_ctl_spawn_done(struct axd_ctl *c, struct axd_spawn *sp);

/* ---- spawn.c ---- */

/* What to run and as whom. */
struct axd_spawn_req {
	const char *cwd;
	char *const *argv;         /* NULL-terminated */
	char *const *envp;         /* NULL-terminated */
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	size_t ngroups;
	const gid_t *groups;
};

/*
 * Starts r's command for a control connection (ctl) or for stream
 * `stream` on session s (ctl NULL).  A command counts toward r->euid's
 * share (--user-commands) until it is reaped; root's does not.  The child gets its own process
 * group, r's credentials, r->cwd (or "/" if that fails), default signal
 * handling, stdin/stdout/stderr on pipes and nothing else, and execs
 * with execvpe() in r->envp (whose PATH it searches).  SPAWN_OK goes to
 * the requester once the exec succeeded or failed.  Returns the command
 * or NULL with *ret_err: EAGAIN (the user's share or AXD_SPAWN_MAX is
 * used up), EPERM (axond is not
 * root and r's credentials are not its own), or a system error.  r's
 * strings are needed only during the call.
 */
struct axd_spawn *axd_spawn_new(struct axd_ctl *ctl, struct axd_sess *s,
    uint32_t stream, const struct axd_spawn_req *r, int *ret_err);

/* A frame from the requester: STDIO fd 0, STDIO_ACK fd 1 or 2, KILL.
 * Returns 0, or EPROTO (a window overrun, data after EOF, a frame of
 * the other direction): the caller drops the requester. */
int axd_spawn_input(struct axd_spawn *sp, const struct axon_wire_frame *f);

/* The requester's output drained: stdout/stderr may be read again. */
void axd_spawn_room(struct axd_spawn *sp);

/* The requester went away: SIGHUP (and SIGCONT) to the command's process
 * group, its stdin closed, its output read and dropped for 5 s; then its
 * pipes close and, if it still runs (it ignored SIGHUP), its process
 * group gets SIGKILL, so that it gives its slot back; it is reaped and
 * forgotten later.  sp is not the
 * requester's any more (it may be dead after this call). */
void axd_spawn_hangup(struct axd_spawn *sp);

/* Every tick: hung-up commands whose grace period is over lose their
 * output pipes and are killed. */
void axd_spawn_tick(uint64_t now);

/* The command of stream `stream` on s, or NULL. */
struct axd_spawn *axd_spawn_by_stream(const struct axd_sess *s,
    uint32_t stream);

/* Hangs up every command requested over s (before s is freed). */
void axd_spawn_session_gone(struct axd_sess *s);

/* An epoll event of descriptor `kind - AXD_SVC_SPAWN` of command id. */
void axd_spawn_event(uint32_t id, unsigned kind, uint32_t events);

/* Hangs up and forgets every command (shutdown). */
void axd_spawn_stop_all(void);

/* Frees the commands forgotten since the last call (their memory outlives
 * them until no caller can hold them: call only from a top-level entry). */
void axd_spawn_collect(void);

#endif /* AXOND_SERVICES_H */
