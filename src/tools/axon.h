/* SPDX-License-Identifier: MIT */
/*
 * axon(1), the operator's command: shared declarations of its
 * subcommands (axon_*.c) and helpers (axon.c, ctlsock.c).
 *
 * Every subcommand is `int cmd_X(int argc, char **argv)`, called with
 * argv[0] the subcommand's name; it returns the process exit status.
 * Errors go to stderr as "axon X: ..." (axon_err), output to stdout.
 * Everything read from files or from axond is bounded (the limits
 * below) and parsed defensively: it is another process's output.
 */
#ifndef AXON_TOOLS_AXON_H
#define AXON_TOOLS_AXON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wire.h"

#define AXON_EXIT_OK    0
#define AXON_EXIT_ERR   1   /* usage or operational error */
#define AXON_EXIT_ONERR 255 /* axon on: its own failure, or node lost */

/* Limits on what is read. */
#define AXC_TEXT_MAX    (16u << 20) /* a PS_ANS or NODES_ANS text */
#define AXC_FILE_MAX    (4u << 20)  /* $AXON_RUNDIR/names */
#define AXC_TIMEOUT_MS  10000       /* one request to axond */
#define AXC_FRAME_MAX   (AXON_WIRE_HDR_SIZE + AXON_WIRE_MAX_BODY)

/* Subcommands. */
int cmd_ps(int argc, char **argv);
int cmd_nodes(int argc, char **argv);
int cmd_names(int argc, char **argv);
int cmd_on(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_pulse(int argc, char **argv);
int cmd_paths(int argc, char **argv);
int cmd_trace(int argc, char **argv);

/* Each subcommand's usage text (for --help and `axon help CMD`). */
extern const char axon_ps_usage[];
extern const char axon_nodes_usage[];
extern const char axon_names_usage[];
extern const char axon_on_usage[];
extern const char axon_send_usage[];
extern const char axon_pulse_usage[];
extern const char axon_paths_usage[];
extern const char axon_trace_usage[];

/* ---- axon.c: helpers ---- */

/* The subcommand being run ("ps", ...), for messages. */
extern const char *axon_cmd;

/* Prints "axon CMD: <message>\n" to stderr. */
void axon_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error: the message, then a hint to --help; returns 1. */
int axon_usage_err(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* A usage error from getopt_long (c is '?' or ':'); returns 1.  The
 * option strings start with ':' so that a missing argument is told
 * apart. */
int axon_opt_err(int c, char **argv);

/* Prints usage to stdout for --help; returns 0 (or 1 if stdout failed). */
int axon_help(const char *usage);

/* Flushes stdout; returns status, or 1 with a message if writing failed. */
int axon_finish(int status);

/* This node's runtime directory (AXON_RUNDIR or its default), into buf.
 * Returns 0 or -ENAMETOOLONG. */
int axon_rundir(char *buf, size_t len);

/* The nd of node name (netmgr_strtond); -1 with a message if unknown. */
int axon_node_nd(const char *name);

/* Parses a decimal (or 0x hex) integer within [min, max]: 0 or -EINVAL. */
int axon_parse_long(const char *s, long min, long max, long *ret);

/* Writes s (len bytes) as a JSON string, quotes included.  Bytes that
 * are not printable ASCII are written as \u00XX. */
void axon_json_str(FILE *f, const char *s, size_t len);

/* The symbolic name of an errno value ("EINVAL"), or "E?" */
const char *axon_errno_name(int err);

/* Reads the whole file path, at most max bytes, into a malloc'd,
 * NUL-terminated buffer.  Returns 0, -EFBIG if longer, or -errno. */
int axon_read_file(const char *path, size_t max, char **ret_buf,
    size_t *ret_len);

/* ---- ctlsock.c: axond's control socket ---- */

/* Connects to $rundir/axond.sock.  Returns the socket, or -errno:
 * -ENOENT or -ECONNREFUSED when no axond runs on the node. */
int axc_connect(const char *rundir);

/* Sends one frame, waiting at most until deadline (CLOCK_MONOTONIC ns;
 * 0: no limit).  Returns 0 or -errno (-ETIMEDOUT). */
int axc_send(int fd, const struct axon_wire_frame *f, uint64_t deadline);

/* Receives one frame into buf (AXC_FRAME_MAX bytes), which f's data then
 * points into.  Returns 0, -ECONNRESET if axond closed the connection,
 * -EPROTO for a malformed frame, -ETIMEDOUT, or -errno. */
int axc_recv(int fd, uint8_t *buf, struct axon_wire_frame *f,
    uint64_t deadline);

/*
 * A request and its chunked answer: type is AXON_W_PS_REQ (conn = the
 * target nd, pid = 0 or one pid) or AXON_W_NODES_REQ.  On success
 * returns 0 with *ret_text (malloc'd, NUL-terminated, *ret_len bytes
 * before the NUL) set; the answer's own error comes back as -err with
 * *ret_answered set, other failures as -errno with it clear.
 */
int axc_query(int fd, int type, uint32_t conn, int32_t pid, char **ret_text,
    size_t *ret_len, bool *ret_answered);

/* CLOCK_MONOTONIC in ns. */
uint64_t axc_now(void);

#endif /* AXON_TOOLS_AXON_H */
