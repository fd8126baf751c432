/* SPDX-License-Identifier: MIT */
/*
 * Paths where they are attached: a link /dev/X -> FSDIR/dev/X for each
 * path /dev/X that root's managers attach, so that a QNX program's
 * open("/dev/X") reaches the manager through the axon-fs mount
 * (docs/design/fuse.md, "Paths where they are attached").
 *
 * A link is made only when all of these hold, checked when the
 * namespace is read and again (the namespace read again) just before
 * the link is made:
 *  - the path is below /dev (normalized, at least one component after
 *    "/dev", none "." or "..");
 *  - every live entry that attaches exactly that path is root's: its
 *    file is owned by uid 0 (a regular file with one link, opened
 *    O_NOFOLLOW relative to the namespace directory) and its process
 *    has real, effective, saved and file-system uid 0 and the entry's
 *    start time (so a user attaching the same path removes the link
 *    rather than taking root's programs' opens);
 *  - nothing exists at ROOT/dev/X: the link is made with symlinkat(),
 *    which never replaces anything, in a directory reached from ROOT
 *    one component at a time with O_NOFOLLOW, each owned by this
 *    process's user and not writable by others unless sticky.
 * A place that is taken is looked at again at each reading and gets its
 * link once it is free.  Directories between /dev and the link are made
 * only when missing, remembered, and removed when empty again.  A link is removed (only
 * if readlink still gives its target) when its entries go, their
 * managers die, or the keeper stops.
 *
 * The keeper is one process forked by axon-fs before any thread: it
 * watches the namespace directory with inotify and the linked
 * managers with pidfds, and reads the namespace again at least every
 * DEVLINKS_RESCAN_MS, so a link follows its entry within that bound
 * (in practice within about 10 ms: a burst of events is one reading,
 * at most 100 a second).  It dies with axon-fs (PR_SET_PDEATHSIG) and
 * removes its links on SIGTERM, SIGINT and SIGHUP.  What it made is
 * written to $AXON_RUNDIR/devlinks, so that links left by a keeper
 * that was killed are removed by the next one at its start.
 */
#ifndef AXON_FS_DEVLINKS_H
#define AXON_FS_DEVLINKS_H

#include <stdbool.h>
#include <sys/types.h>

/* The machine's default run directory: the one root's libaxon uses
 * when AXON_RUNDIR is unset (axon__rundir). */
#define DEVLINKS_DEFAULT_RUNDIR "/run/axon"

#define DEVLINKS_RESCAN_MS 1000 /* the namespace is read at least this often */
#define DEVLINKS_MAX       1024 /* links at most */

/*
 * Where links go for this axon-fs: asked is the --dev-links argument
 * (NULL: not given; "none": off; else ROOT, an absolute directory that
 * stands for "/").  Not given, links are made under "/" only for root
 * on DEVLINKS_DEFAULT_RUNDIR.  Sets root (a buffer of len bytes, "" for
 * off); 0, or -1 after saying why on stderr (a usage error).
 */
int devlinks_root(const char *asked, const char *rundir, char *root,
    size_t len);

/*
 * Forks the keeper (call it before any thread exists): links under root
 * to fsdir for the namespace of rundir.  Returns its pid, 0 when root is
 * "" (off), or -1 (said why).
 */
pid_t devlinks_start(const char *root, const char *fsdir,
    const char *rundir);

/* Stops the keeper (SIGTERM, then SIGKILL after 3 s) and reaps it;
 * nothing for pid <= 0. */
void devlinks_stop(pid_t pid);

#endif /* AXON_FS_DEVLINKS_H */
