/* SPDX-License-Identifier: MIT */
/*
 * The file-system companion: with `fs yes`, axond runs axon-fs(8), which
 * mounts the node's path namespace through FUSE, restarts it when it
 * ends (one second later, doubling to thirty while it keeps failing
 * within ten seconds of its start) and stops it on shutdown.  axon-fs
 * gets SIGTERM if axond dies (PR_SET_PDEATHSIG), and unmounts.
 * All three run on the loop thread (axd_fs_check from the tick).
 */
#ifndef AXON_AXOND_FSMGR_H
#define AXON_AXOND_FSMGR_H

/* Starts axon-fs if the configuration asks: 0, or -1 (logged) when its
 * program cannot be found. */
int axd_fs_start(void);
/* Reaps an ended axon-fs and starts the next when its time has come. */
void axd_fs_check(void);
/* SIGTERM, up to three seconds for the unmount, then SIGKILL. */
void axd_fs_stop(void);

#endif /* AXON_AXOND_FSMGR_H */
