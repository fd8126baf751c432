/* SPDX-License-Identifier: MIT */
/*
 * axon(1): one command with subcommands for operating an Axon cluster
 * (docs/design/names.md, "The axon command").  This file dispatches to
 * the subcommands and holds the helpers they share.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/netmgr.h>

#include "axon.h"
#include "axon_spi.h"

#ifndef AXON_VERSION
#define AXON_VERSION "0.1.0"
#endif

const char *axon_cmd = NULL;

static const char main_usage[] =
    "usage: axon COMMAND [OPTIONS] [ARGS...]\n"
    "       axon help [COMMAND]\n"
    "       axon --version\n"
    "\n"
    "Operate an Axon cluster from the node of AXON_RUNDIR.\n"
    "\n"
    "Commands:\n"
    "  ps      Axon processes, their threads and states (like pidin)\n"
    "  nodes   known nodes: state, round-trip time, traffic\n"
    "  names   local and global names and who serves them\n"
    "  on      run a command on another node\n"
    "  send    send a message to a named server, print the reply\n"
    "  pulse   send a pulse to a named server\n"
    "  paths   where the node's paths and every node's (/net) appear\n"
    "  trace   record message passing as Chrome/Perfetto trace JSON\n"
    "\n"
    "'axon help COMMAND' or 'axon COMMAND --help' shows a command's\n"
    "options.  Exit status: 0 on success, 1 on error ('axon on': the\n"
    "command's status, 255 on its own errors).  See axon(1).\n";

struct subcmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
};

static const struct subcmd subcmds[] = {
    {"ps", cmd_ps, axon_ps_usage},
    {"nodes", cmd_nodes, axon_nodes_usage},
    {"names", cmd_names, axon_names_usage},
    {"on", cmd_on, axon_on_usage},
    {"send", cmd_send, axon_send_usage},
    {"pulse", cmd_pulse, axon_pulse_usage},
    {"paths", cmd_paths, axon_paths_usage},
    {"trace", cmd_trace, axon_trace_usage},
};

#define N_SUBCMDS (sizeof(subcmds) / sizeof(subcmds[0]))

static const struct subcmd *
subcmd_find(const char *name)
{
	for (size_t i = 0; i < N_SUBCMDS; i++) {
		if (strcmp(subcmds[i].name, name) == 0) {
			return &subcmds[i];
		}
	}
	return NULL;
}

void
axon_err(const char *fmt, ...)
{
	va_list ap;

	(void) fflush(stdout);
	fprintf(stderr, "axon%s%s: ", axon_cmd != NULL ? " " : "",
	    axon_cmd != NULL ? axon_cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
axon_usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "axon%s%s: ", axon_cmd != NULL ? " " : "",
	    axon_cmd != NULL ? axon_cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'axon %s%s--help'.\n",
	    axon_cmd != NULL ? axon_cmd : "", axon_cmd != NULL ? " " : "");
	return AXON_EXIT_ERR;
}

int
axon_opt_err(int c, char **argv)
{
	const char *opt = argv[optind - 1];
	char buf[3] = {'-', (char) optopt, '\0'};
	int len = (int) strcspn(opt, "=");

	if (strncmp(opt, "--", 2) != 0 && optopt > 0 && optopt < 128) {
		opt = buf;
		len = 2;
	}
	if (c == ':') {
		return axon_usage_err("option '%.*s' needs an argument", len,
		    opt);
	}
	return axon_usage_err("unknown option '%.*s'", len, opt);
}

int
axon_help(const char *usage)
{
	fputs(usage, stdout);
	return axon_finish(AXON_EXIT_OK);
}

int
axon_finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		axon_err("write error: %s", strerror(errno));
		return AXON_EXIT_ERR;
	}
	return status;
}

int
axon_rundir(char *buf, size_t len)
{
	return axon__rundir(buf, len);
}

int
axon_node_nd(const char *name)
{
	int nd = netmgr_strtond(name, NULL);

	if (nd < 0) {
		if (errno == ENOENT) {
			axon_err("%s: unknown node", name);
		} else if (errno == ENOTSUP) {
			axon_err("%s: unknown node (axond is not running on "
				 "this node)", name);
		} else {
			axon_err("%s: not a node name: %s", name,
			    strerror(errno));
		}
		return -1;
	}
	return nd;
}

int
axon_parse_long(const char *s, long min, long max, long *ret)
{
	char *end;
	long v;

	if (s == NULL || s[0] == '\0') {
		return -EINVAL;
	}
	errno = 0;
	/* Decimal, or hexadecimal with 0x: never octal ("010" is 10). */
	v = strtol(s, &end,
	    s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

void
axon_json_str(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) s[i];

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (c < 0x20 || c >= 0x7f) {
				fprintf(f, "\\u%04x", c);
			} else {
				fputc(c, f);
			}
			break;
		}
	}
	fputc('"', f);
}

const char *
axon_errno_name(int err)
{
	const char *n = strerrorname_np(err);

	return n != NULL ? n : "E?";
}

int
axon_read_file(const char *path, size_t max, char **ret_buf,
    size_t *ret_len)
{
	size_t cap = 4096, len = 0;
	char *buf;
	int fd;
	int rc = 0;

	struct stat st;

	/* (Not a FIFO or a device someone put there: it would block.) */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW |
		O_NONBLOCK);
	if (fd < 0) {
		return -errno;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		(void) close(fd);
		return -EINVAL;
	}
	buf = malloc(cap + 1);
	if (buf == NULL) {
		(void) close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap > max) {
				rc = -EFBIG;
				break;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0) {
			break;
		}
		len += (size_t) n;
	}
	(void) close(fd);
	if (rc == 0 && len > max) {
		rc = -EFBIG;
	}
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int
main(int argc, char **argv)
{
	const struct subcmd *c;

	if (argc < 2) {
		fputs(main_usage, stderr);
		return AXON_EXIT_ERR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		return axon_help(main_usage);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("axon %s\n", AXON_VERSION);
		return axon_finish(AXON_EXIT_OK);
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc == 2) {
			return axon_help(main_usage);
		}
		c = subcmd_find(argv[2]);
		if (c == NULL || argc > 3) {
			fprintf(stderr, "axon help: %s: no such command\n"
			    "Try 'axon --help'.\n", argv[2]);
			return AXON_EXIT_ERR;
		}
		return axon_help(c->usage);
	}
	c = subcmd_find(argv[1]);
	if (c == NULL) {
		fprintf(stderr, "axon: %s: no such command\n"
		    "Try 'axon --help'.\n", argv[1]);
		return AXON_EXIT_ERR;
	}
	axon_cmd = c->name;
	return c->fn(argc - 1, argv + 1);
}
