/* SPDX-License-Identifier: MIT */
/*
 * axon send and axon pulse: name_open() and MsgSend() or MsgSendPulse()
 * to a named server, as a client program would.
 *
 * A QNX client is not told how many bytes the server replied, only the
 * status it gave; `axon send` asks libaxon how far the server's reply
 * (MsgReply, MsgWrite) reached in its buffer (axon__reply_len), and
 * prints exactly those bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/dispatch.h>
#include <sys/neutrino.h>

#include "axon.h"
#include "axon_spi.h" /* axon__reply_len */

const char axon_send_usage[] =
    "usage: axon send [-l | -g] [-x] [-0] [-s | -j] [-r BYTES] [-t SECONDS]\n"
    "                 NAME [DATA | -]\n"
    "\n"
    "Opens the server attached as NAME (name_open), sends it DATA with\n"
    "MsgSend() (the bytes of the argument; '-': standard input; none: an\n"
    "empty message) and prints the reply: exactly the bytes the server\n"
    "wrote, NUL bytes included.\n"
    "\n"
    "  -l, --local            look NAME up among local names only\n"
    "  -g, --global           global names only (default: local, then global)\n"
    "  -x, --hex              DATA is hex digits; print the reply in hex\n"
    "  -0, --nul              append a NUL byte to DATA\n"
    "  -s, --string           print the reply up to its first NUL, and a\n"
    "                         newline\n"
    "  -j, --json             print {\"name\", \"status\", \"reply_len\",\n"
    "                         \"reply\", \"reply_hex\"}, or on failure\n"
    "                         {\"name\", \"call\", \"error\", \"errno\",\n"
    "                         \"message\"}\n"
    "  -r, --reply-size BYTES the reply buffer (default 65536)\n"
    "  -t, --timeout SECONDS  give up after that long SEND- or REPLY-\n"
    "                         blocked (TimerTimeout), with ETIMEDOUT\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit status: 0 when the server replied (whatever its status); 1 on\n"
    "error, the server's MsgError() included (its errno is printed).\n";

const char axon_pulse_usage[] =
    "usage: axon pulse [-l | -g] [-p PRIO] NAME CODE [VALUE]\n"
    "\n"
    "Opens the server attached as NAME (name_open) and sends it a pulse\n"
    "with MsgSendPulse(): CODE from -128 to 127 (user codes 0 to 127),\n"
    "VALUE an integer (default 0).  Negative numbers follow '--'.\n"
    "\n"
    "  -l, --local        look NAME up among local names only\n"
    "  -g, --global       global names only (default: local, then global)\n"
    "  -p, --prio PRIO    the pulse's priority, 1 to 255 (default: this\n"
    "                     thread's)\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 when the pulse was sent, 1 on error.\n";

#define DATA_MAX  (64u << 20) /* bytes of DATA */
#define REPLY_MAX (64u << 20) /* --reply-size */

enum lookup { LOOKUP_ANY, LOOKUP_LOCAL, LOOKUP_GLOBAL };

/* Bounds the next blocking call by *ns, if there is a bound. */
static void
arm(const uint64_t *ns)
{
	if (ns != NULL) {
		(void) TimerTimeout(CLOCK_MONOTONIC,
		    _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY, NULL, ns, NULL);
	}
}

/* name_open() as asked: local, global, or local then global.  Returns
 * the coid, or -1 with errno set.  name_open() sends the server an
 * _IO_CONNECT, as QNX's does: a busy server holds it, so the timeout
 * (ns, or NULL) bounds it too. */
static int
open_name(const char *name, enum lookup how, const uint64_t *ns)
{
	int coid;

	arm(ns);
	if (how == LOOKUP_GLOBAL) {
		return name_open(name, NAME_FLAG_ATTACH_GLOBAL);
	}
	coid = name_open(name, 0);
	if (coid < 0 && errno == ENOENT && how == LOOKUP_ANY) {
		arm(ns);
		coid = name_open(name, NAME_FLAG_ATTACH_GLOBAL);
	}
	return coid;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/* Decodes hex digits in place (whitespace between bytes ignored).
 * Returns the byte count, or -EINVAL. */
static long
unhex(uint8_t *p, size_t len)
{
	size_t out = 0;

	for (size_t i = 0; i < len;) {
		int hi, lo;

		if (p[i] == ' ' || p[i] == '\n' || p[i] == '\t' ||
		    p[i] == '\r') {
			i++;
			continue;
		}
		if (i + 1 >= len) {
			return -EINVAL;
		}
		hi = hexval(p[i]);
		lo = hexval(p[i + 1]);
		if (hi < 0 || lo < 0) {
			return -EINVAL;
		}
		p[out++] = (uint8_t) (hi << 4 | lo);
		i += 2;
	}
	return (long) out;
}

static int
read_stdin(uint8_t **ret, size_t *ret_len)
{
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);

	if (buf == NULL) {
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			uint8_t *nb;

			if (cap > DATA_MAX) {
				free(buf);
				return -EMSGSIZE;
			}
			cap *= 2;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = read(STDIN_FILENO, buf + len, cap - len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			int err = errno;

			free(buf);
			return -err;
		}
		if (n == 0) {
			break;
		}
		len += (size_t) n;
	}
	if (len > DATA_MAX) {
		free(buf);
		return -EMSGSIZE;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* The message: DATA, stdin, or nothing; hex-decoded, NUL appended. */
static int
build_msg(const char *data, bool hex, bool nul, uint8_t **ret,
    size_t *ret_len)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (data != NULL && strcmp(data, "-") == 0) {
		rc = read_stdin(&buf, &len);
		if (rc < 0) {
			return rc;
		}
	} else {
		len = data != NULL ? strlen(data) : 0;
		if (len > DATA_MAX) {
			return -EMSGSIZE;
		}
		buf = malloc(len + 1);
		if (buf == NULL) {
			return -ENOMEM;
		}
		if (len > 0) {
			memcpy(buf, data, len);
		}
	}
	if (hex) {
		long n = unhex(buf, len);

		if (n < 0) {
			free(buf);
			return -EINVAL;
		}
		len = (size_t) n;
	}
	if (nul) {
		uint8_t *nb = realloc(buf, len + 1);

		if (nb == NULL) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
		buf[len++] = 0;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

static void
print_hex(FILE *f, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		fprintf(f, "%02x", p[i]);
	}
}

/* Reports a failed call; with --json also on stdout.  Returns 1. */
static int
fail(bool json, const char *name, const char *call, int err)
{
	if (json) {
		const char *m = strerror(err);

		printf("{\"name\":");
		axon_json_str(stdout, name, strlen(name));
		printf(",\"call\":\"%s\",\"error\":\"%s\",\"errno\":%d,"
		       "\"message\":",
		    call, axon_errno_name(err), err);
		axon_json_str(stdout, m, strlen(m));
		printf("}\n");
	}
	axon_err("%s: %s: %s (%s)", name, call, strerror(err),
	    axon_errno_name(err));
	return axon_finish(AXON_EXIT_ERR);
}

static int
parse_seconds(const char *s, uint64_t *ret_ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) ||
	    v < 0 || v > 1e9) {
		return -EINVAL;
	}
	*ret_ns = (uint64_t) (v * 1e9);
	return 0;
}

enum out_mode { OUT_RAW, OUT_HEX, OUT_STRING, OUT_JSON };

static void
print_reply(enum out_mode mode, const char *name, long status,
    const uint8_t *reply, size_t len)
{
	size_t slen = strnlen((const char *) reply, len);

	switch (mode) {
	case OUT_RAW:
		(void) fwrite(reply, 1, len, stdout);
		break;
	case OUT_HEX:
		print_hex(stdout, reply, len);
		putchar('\n');
		break;
	case OUT_STRING:
		(void) fwrite(reply, 1, slen, stdout);
		putchar('\n');
		break;
	case OUT_JSON:
		printf("{\"name\":");
		axon_json_str(stdout, name, strlen(name));
		printf(",\"status\":%ld,\"reply_len\":%zu,\"reply\":", status,
		    len);
		axon_json_str(stdout, (const char *) reply, slen);
		printf(",\"reply_hex\":\"");
		print_hex(stdout, reply, len);
		printf("\"}\n");
		break;
	}
}

int
cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"local", no_argument, NULL, 'l'},
	    {"global", no_argument, NULL, 'g'},
	    {"hex", no_argument, NULL, 'x'},
	    {"nul", no_argument, NULL, '0'},
	    {"string", no_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {"reply-size", required_argument, NULL, 'r'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	enum lookup how = LOOKUP_ANY;
	enum out_mode mode = OUT_RAW;
	bool hex = false, nul = false, has_timeout = false;
	long reply_size = 65536;
	uint64_t timeout_ns = 0;
	const char *name, *data;
	uint8_t *msg, *reply;
	size_t mlen, rlen;
	long status;
	int coid, c, err;
	int rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":lgx0sjr:t:h", opts, NULL)) !=
	    -1) {
		switch (c) {
		case 'l':
			how = LOOKUP_LOCAL;
			break;
		case 'g':
			how = LOOKUP_GLOBAL;
			break;
		case 'x':
			hex = true;
			break;
		case '0':
			nul = true;
			break;
		case 's':
			mode = OUT_STRING;
			break;
		case 'j':
			mode = OUT_JSON;
			break;
		case 'r':
			if (axon_parse_long(optarg, 0, REPLY_MAX, &reply_size) <
			    0) {
				return axon_usage_err("bad reply size '%s' "
						      "(0 to %u)",
				    optarg, REPLY_MAX);
			}
			break;
		case 't':
			if (parse_seconds(optarg, &timeout_ns) < 0) {
				return axon_usage_err("bad timeout '%s'",
				    optarg);
			}
			has_timeout = true;
			break;
		case 'h':
			return axon_help(axon_send_usage);
		default:
			return axon_opt_err(c, argv);
		}
	}
	if (optind >= argc) {
		return axon_usage_err("NAME is missing");
	}
	if (argc - optind > 2) {
		return axon_usage_err("unexpected argument '%s'",
		    argv[optind + 2]);
	}
	if (hex && mode == OUT_RAW) {
		mode = OUT_HEX;
	}
	name = argv[optind];
	data = optind + 1 < argc ? argv[optind + 1] : NULL;
	rc = build_msg(data, hex, nul, &msg, &mlen);
	if (rc == -EINVAL) {
		return axon_usage_err("DATA is not hex digits");
	}
	if (rc < 0) {
		axon_err("%s: %s", data != NULL && strcmp(data, "-") == 0
			? "standard input" : "DATA", strerror(-rc));
		return AXON_EXIT_ERR;
	}
	reply = calloc(1, (size_t) reply_size + 1);
	if (reply == NULL) {
		free(msg);
		axon_err("%s", strerror(ENOMEM));
		return AXON_EXIT_ERR;
	}
	coid = open_name(name, how, has_timeout ? &timeout_ns : NULL);
	if (coid < 0) {
		err = errno;
		free(msg);
		free(reply);
		return fail(mode == OUT_JSON, name, "name_open", err);
	}
	arm(has_timeout ? &timeout_ns : NULL);
	/* A status of -1 is a server's to give: errno tells the cases
	 * apart, as MsgSend() leaves it alone on success. */
	errno = 0;
	status = MsgSend(coid, msg, mlen, reply, (size_t) reply_size);
	err = errno;
	(void) name_close(coid);
	free(msg);
	if (status == -1 && err != 0) {
		free(reply);
		return fail(mode == OUT_JSON, name, "MsgSend", err);
	}
	rlen = axon__reply_len();
	if (rlen > (size_t) reply_size) {
		rlen = (size_t) reply_size;
	}
	print_reply(mode, name, status, reply, rlen);
	free(reply);
	return axon_finish(AXON_EXIT_OK);
}

int
cmd_pulse(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"local", no_argument, NULL, 'l'},
	    {"global", no_argument, NULL, 'g'},
	    {"prio", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	enum lookup how = LOOKUP_ANY;
	long prio = -1, code, value = 0;
	const char *name;
	int coid, c, err;
	int rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":lgp:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			how = LOOKUP_LOCAL;
			break;
		case 'g':
			how = LOOKUP_GLOBAL;
			break;
		case 'p':
			if (axon_parse_long(optarg, 1, 255, &prio) < 0) {
				return axon_usage_err("bad priority '%s' (1 to "
						      "255)",
				    optarg);
			}
			break;
		case 'h':
			return axon_help(axon_pulse_usage);
		default:
			return axon_opt_err(c, argv);
		}
	}
	if (argc - optind < 2) {
		return axon_usage_err(optind >= argc ? "NAME is missing"
						     : "CODE is missing");
	}
	if (argc - optind > 3) {
		return axon_usage_err("unexpected argument '%s'",
		    argv[optind + 3]);
	}
	name = argv[optind];
	if (axon_parse_long(argv[optind + 1], -128, 127, &code) < 0) {
		return axon_usage_err("bad pulse code '%s' (-128 to 127)",
		    argv[optind + 1]);
	}
	if (optind + 2 < argc &&
	    axon_parse_long(argv[optind + 2], INT_MIN, UINT_MAX, &value) <
		0) {
		return axon_usage_err("bad value '%s' (a 32-bit integer)",
		    argv[optind + 2]);
	}
	coid = open_name(name, how, NULL);
	if (coid < 0) {
		return fail(false, name, "name_open", errno);
	}
	rc = MsgSendPulse(coid, (int) prio, (int) code, (int) (uint32_t) value);
	err = errno;
	(void) name_close(coid);
	if (rc < 0) {
		return fail(false, name, "MsgSendPulse", err);
	}
	return axon_finish(AXON_EXIT_OK);
}
