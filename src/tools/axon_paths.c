/* SPDX-License-Identifier: MIT */
/*
 * axon paths: where this node's resource managers appear as files (the
 * namespace, axon-fs's fs mount) and where every node's do (the net
 * directory, /net/NODE/...).  axon-fs(8) writes $AXON_RUNDIR/mounts
 * while it runs ("fs DIR", "net DIR" or "net none"); without it, the
 * defaults are shown, marked as not mounted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "axon.h"

const char axon_paths_usage[] =
    "usage: axon paths\n"
    "\n"
    "Where the paths of this node's resource managers appear as files\n"
    "(fs: the node's namespace) and where every node's appear (net:\n"
    "NET/NODE/PATH is PATH on node NODE), as the node's axon-fs mounted\n"
    "them; a directory not mounted now is marked so.  One line each:\n"
    "\n"
    "  fs DIR [(not mounted)]\n"
    "  net DIR|none [(not mounted)]\n"
    "\n"
    "  -h, --help   this help\n"
    "\n"
    "Exit status: 0, or 1 on error.\n";

/* Whether dir is a mount point (its device is not its parent's). */
static bool
is_mounted(const char *dir)
{
	char parent[PATH_MAX];
	struct stat a, b;
	char *slash;

	if (snprintf(parent, sizeof(parent), "%s", dir) >= (int) sizeof(parent)) {
		return false;
	}
	slash = strrchr(parent, '/');
	if (slash == NULL) {
		return false;
	}
	*(slash == parent ? slash + 1 : slash) = '\0';
	/* (A dead bridge's mount says ENOTCONN: not mounted.) */
	return stat(dir, &a) == 0 && stat(parent, &b) == 0 &&
	    a.st_dev != b.st_dev;
}

static void
show(const char *what, const char *dir)
{
	printf("%s %s%s\n", what, dir,
	    strcmp(dir, "none") == 0 || is_mounted(dir) ? ""
							: " (not mounted)");
}

int
cmd_paths(int argc, char **argv)
{
	static const struct option lo[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char rundir[PATH_MAX], file[PATH_MAX + 16], line[PATH_MAX];
	char fsdir[PATH_MAX + 32] = "", netdir[PATH_MAX + 32] = "";
	FILE *f;
	int c, fd;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'h') {
			return axon_help(axon_paths_usage);
		}
		return axon_opt_err(c, argv);
	}
	if (optind != argc) {
		return axon_usage_err("no arguments expected");
	}
	if (axon_rundir(rundir, sizeof(rundir)) < 0) {
		axon_err("no run directory");
		return AXON_EXIT_ERR;
	}
	snprintf(file, sizeof(file), "%s/mounts", rundir);
	/* O_NONBLOCK: a FIFO planted there must not hang us. */
	fd = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	f = fd >= 0 ? fdopen(fd, "r") : NULL;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		size_t n = strlen(line);

		if (n == 0 || line[n - 1] != '\n') {
			break;
		}
		line[n - 1] = '\0';
		if (strncmp(line, "fs /", 4) == 0) {
			snprintf(fsdir, sizeof(fsdir), "%s", line + 3);
		} else if (strncmp(line, "net /", 5) == 0 ||
		    strcmp(line, "net none") == 0) {
			snprintf(netdir, sizeof(netdir), "%s", line + 4);
		}
	}
	if (f != NULL) {
		(void) fclose(f);
	} else if (fd >= 0) {
		(void) close(fd);
	}
	/* The defaults axon-fs takes (axon-fs(8)). */
	if (fsdir[0] == '\0') {
		snprintf(fsdir, sizeof(fsdir), "%s/fs", rundir);
	}
	if (netdir[0] == '\0') {
		snprintf(netdir, sizeof(netdir), "%s",
		    geteuid() == 0 && strcmp(rundir, "/run/axon") == 0 ? "/net"
									: "");
		if (netdir[0] == '\0') {
			snprintf(netdir, sizeof(netdir), "%s/net", rundir);
		}
	}
	show("fs", fsdir);
	show("net", netdir);
	return axon_finish(AXON_EXIT_OK);
}
