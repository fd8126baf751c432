/* SPDX-License-Identifier: MIT */
/*
 * The errno-setting forms of the kernel calls (each a one-line wrapper of
 * its _r twin; the MsgSend*() family is made in send.c, from
 * send_table.h) and ConnectClientInfo.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

rcvid_t
MsgReceive(int chid, void *msg, size_t bytes, struct _msg_info *info)
{
	return axon__errno_retl(MsgReceive_r(chid, msg, bytes, info));
}

rcvid_t
MsgReceivev(int chid, const iov_t *iov, size_t parts, struct _msg_info *info)
{
	return axon__errno_retl(MsgReceivev_r(chid, iov, parts, info));
}

int
MsgReceivePulse(int chid, void *pulse, size_t bytes, struct _msg_info *info)
{
	return axon__errno_ret(MsgReceivePulse_r(chid, pulse, bytes, info));
}

int
MsgReceivePulsev(int chid, const iov_t *iov, size_t parts,
    struct _msg_info *info)
{
	return axon__errno_ret(MsgReceivePulsev_r(chid, iov, parts, info));
}

int
MsgReply(rcvid_t rcvid, long status, const void *msg, size_t bytes)
{
	return axon__errno_ret(MsgReply_r(rcvid, status, msg, bytes));
}

int
MsgReplyv(rcvid_t rcvid, long status, const iov_t *iov, size_t parts)
{
	return axon__errno_ret(MsgReplyv_r(rcvid, status, iov, parts));
}

int
MsgError(rcvid_t rcvid, int error)
{
	return axon__errno_ret(MsgError_r(rcvid, error));
}

ssize_t
MsgRead(rcvid_t rcvid, void *msg, size_t bytes, size_t offset)
{
	return axon__errno_retl(MsgRead_r(rcvid, msg, bytes, offset));
}

ssize_t
MsgReadv(rcvid_t rcvid, const iov_t *iov, size_t parts, size_t offset)
{
	return axon__errno_retl(MsgReadv_r(rcvid, iov, parts, offset));
}

ssize_t
MsgWrite(rcvid_t rcvid, const void *msg, size_t bytes, size_t offset)
{
	return axon__errno_retl(MsgWrite_r(rcvid, msg, bytes, offset));
}

ssize_t
MsgWritev(rcvid_t rcvid, const iov_t *iov, size_t parts, size_t offset)
{
	return axon__errno_retl(MsgWritev_r(rcvid, iov, parts, offset));
}

int
MsgInfo(rcvid_t rcvid, struct _msg_info *info)
{
	return axon__errno_ret(MsgInfo_r(rcvid, info));
}

int
MsgSendPulse(int coid, int priority, int code, int value)
{
	return axon__errno_ret(MsgSendPulse_r(coid, priority, code, value));
}

int
MsgSendPulsePtr(int coid, int priority, int code, void *value)
{
	return axon__errno_ret(MsgSendPulsePtr_r(coid, priority, code, value));
}

int
MsgDeliverEvent(rcvid_t rcvid, const struct sigevent *event)
{
	return axon__errno_ret(MsgDeliverEvent_r(rcvid, event));
}

/* Parses "Uid:\tr\te\ts\tfs" style lines of /proc/<pid>/status. */
static int
read_status_creds(pid_t pid, struct _client_info *ci, int ngroups,
    pid_t *ret_sid)
{
	char path[64];
	char buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return -ESRCH;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	(void) close(fd);
	if (n <= 0) {
		return -ESRCH;
	}
	buf[n] = '\0';
	for (char *line = buf; line != NULL && *line != '\0';) {
		char *nl = strchr(line, '\n');
		unsigned long a, b, c;

		if (nl != NULL) {
			*nl = '\0';
		}
		if (sscanf(line, "Uid: %lu %lu %lu", &a, &b, &c) == 3) {
			ci->cred.ruid = (uid_t) a;
			ci->cred.euid = (uid_t) b;
			ci->cred.suid = (uid_t) c;
		} else if (sscanf(line, "Gid: %lu %lu %lu", &a, &b, &c) == 3) {
			ci->cred.rgid = (gid_t) a;
			ci->cred.egid = (gid_t) b;
			ci->cred.sgid = (gid_t) c;
		} else if (strncmp(line, "Groups:", 7) == 0) {
			char *p = line + 7;
			char *end;
			uint32_t count = 0;

			for (;;) {
				unsigned long g = strtoul(p, &end, 10);

				if (end == p) {
					break;
				}
				if ((int) count < ngroups &&
				    count < __NGROUPS_MAX) {
					ci->cred.grouplist[count] = (gid_t) g;
				}
				count++;
				p = end;
			}
			ci->cred.ngroups = count;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	*ret_sid = getsid(pid);
	return 0;
}

int
ConnectClientInfo_r(int scoid, struct _client_info *info, int ngroups)
{
	AXON_KEEP_ERRNO;

	struct axon_sconn *sc = NULL;
	struct _client_info ci;
	pid_t pid;
	pid_t sid = 0;
	int rc;

	if (info == NULL) {
		return -EFAULT;
	}
	if (ngroups < 0) {
		return -EINVAL;
	}
	memset(&ci, 0, sizeof(ci));
	if (scoid == -1) {
		pid = getpid();
	} else {
		if (!(scoid & _NTO_SIDE_CHANNEL)) {
			return -EINVAL;
		}
		sc = axon__sconn_get(scoid & ~_NTO_SIDE_CHANNEL);
		if (sc == NULL) {
			return -EINVAL;
		}
		pid = sc->pid;
		ci.nd = sc->nd;
		if (sc->virt) {
			/* A process of another node: its credentials are
			 * those its node sent with its latest message. */
			pthread_mutex_lock(&sc->lock);
			struct axon_netcred nc = sc->ncred;
			bool dead = sc->dead;
			pthread_mutex_unlock(&sc->lock);
			axon__sconn_put(sc);
			if (dead) {
				return -EINVAL;
			}
			ci.pid = pid;
			ci.cred.ruid = nc.ruid;
			ci.cred.euid = nc.euid;
			ci.cred.suid = nc.suid;
			ci.cred.rgid = nc.rgid;
			ci.cred.egid = nc.egid;
			ci.cred.sgid = nc.sgid;
			ci.cred.ngroups = nc.ngroups;
			for (uint32_t g = 0; g < nc.ngroups &&
			     (int) g < ngroups && g < __NGROUPS_MAX; g++) {
				ci.cred.grouplist[g] = nc.groups[g];
			}
			memcpy(info, &ci, sizeof(ci));
			return 0;
		}
	}
	ci.pid = pid;
	/* Credentials are read from the kernel now, not remembered from the
	 * connect: a client that changed its ids is seen with the new ones. */
	rc = read_status_creds(pid, &ci, ngroups, &sid);
	if (rc == 0 && sc != NULL &&
	    axon__peer_alive(sc->sock, sc->pid, sc->start) < 0) {
		rc = -ESRCH; /* the pid was reused: the client is gone */
	}
	axon__sconn_put(sc);
	if (rc < 0) {
		return -EINVAL;
	}
	ci.sid = sid < 0 ? 0 : sid;
	memcpy(info, &ci, sizeof(ci));
	return 0;
}

int
ConnectClientInfo(int scoid, struct _client_info *info, int ngroups)
{
	return axon__errno_ret(ConnectClientInfo_r(scoid, info, ngroups));
}
