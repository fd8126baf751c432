/* SPDX-License-Identifier: MIT */
/*
 * The errno-setting forms of the kernel calls (each a one-line wrapper of
 * its _r twin; the MsgSend*() family is made in send.c, from
 * send_table.h) and ConnectClientInfo.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
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

/*
 * A process's /proc status, whole (a long supplementary group list makes
 * it longer than a page).  Returns a malloc'd NUL-terminated buffer, or
 * NULL with errno set.
 */
static char *
read_status(pid_t pid)
{
	char path[64];
	size_t len = 0;
	char *buf = NULL;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
	rc = axon__proc_slurp(path, &buf, &len);
	if (rc == 0 && len == 0) {
		free(buf);
		rc = -ESRCH;
	}
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	return buf;
}

/*
 * Parses the "Uid:", "Gid:" and "Groups:" lines of pid's /proc status
 * into ci: the first min(ngroups, __NGROUPS_MAX) groups in grouplist,
 * their count in cred.ngroups, and, when ret_all is not NULL, every
 * group in a malloc'd array (*ret_all, at least one element's room).
 * 0, -ESRCH or -ENOMEM.
 */
static int
read_status_creds(pid_t pid, struct _client_info *ci, int ngroups,
    gid_t **ret_all, pid_t *ret_sid)
{
	gid_t *all = NULL;
	char *buf = read_status(pid);

	if (buf == NULL) {
		return errno == ENOMEM ? -ENOMEM : -ESRCH;
	}
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

			if (ret_all != NULL) {
				/* Each group takes at least two bytes. */
				size_t most = strlen(p) / 2 + 1;

				all = calloc(most, sizeof(gid_t));
				if (all == NULL) {
					free(buf);
					return -ENOMEM;
				}
			}
			for (;;) {
				unsigned long g = strtoul(p, &end, 10);

				if (end == p) {
					break;
				}
				if ((int) count < ngroups &&
				    count < __NGROUPS_MAX) {
					ci->cred.grouplist[count] = (gid_t) g;
				}
				if (all != NULL) {
					all[count] = (gid_t) g;
				}
				count++;
				p = end;
			}
			ci->cred.ngroups = count;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	free(buf);
	if (ret_all != NULL && all == NULL) {
		/* No Groups line (a kernel thread): none. */
		all = calloc(1, sizeof(gid_t));
		if (all == NULL) {
			return -ENOMEM;
		}
	}
	if (ret_all != NULL) {
		*ret_all = all;
	}
	*ret_sid = getsid(pid);
	return 0;
}

/*
 * ConnectClientInfo_r(), and with ret_all every supplementary group of
 * the client in a malloc'd array (its size: info->cred.ngroups, room
 * for at least one).
 */
static int
client_info(int scoid, struct _client_info *info, int ngroups,
    gid_t **ret_all)
{
	struct axon_sconn *sc = NULL;
	struct _client_info ci;
	gid_t *all = NULL;
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
			 * those its node sent with its latest message (at
			 * most AXON_CTL_NGROUPS groups). */
			pthread_mutex_lock(&sc->lock);
			struct axon_netcred nc = sc->ncred;
			bool dead = sc->dead;
			pthread_mutex_unlock(&sc->lock);
			axon__sconn_put(sc);
			if (dead) {
				return -EINVAL;
			}
			if (nc.ngroups > AXON_CTL_NGROUPS) {
				nc.ngroups = AXON_CTL_NGROUPS;
			}
			if (ret_all != NULL) {
				all = calloc(nc.ngroups + 1, sizeof(gid_t));
				if (all == NULL) {
					return -ENOMEM;
				}
				for (uint32_t g = 0; g < nc.ngroups; g++) {
					all[g] = nc.groups[g];
				}
				*ret_all = all;
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
	rc = read_status_creds(pid, &ci, ngroups, ret_all != NULL ? &all :
	    NULL, &sid);
	if (rc == 0 && sc != NULL &&
	    axon__peer_alive(sc->sock, sc->pid, sc->start) < 0) {
		rc = -ESRCH; /* the pid was reused: the client is gone */
	}
	axon__sconn_put(sc);
	if (rc < 0) {
		free(all);
		return rc == -ENOMEM ? -ENOMEM : -EINVAL;
	}
	ci.sid = sid < 0 ? 0 : sid;
	memcpy(info, &ci, sizeof(ci));
	if (ret_all != NULL) {
		*ret_all = all;
	}
	return 0;
}

int
ConnectClientInfo_r(int scoid, struct _client_info *info, int ngroups)
{
	AXON_KEEP_ERRNO;

	return client_info(scoid, info, ngroups, NULL);
}

/*
 * The _client_info structures ConnectClientInfoExt() made and
 * ClientInfoExtFree() has not freed: only those are freed, and only
 * theirs is a grouplist longer than __NGROUPS_MAX that the iofunc
 * layer's group checks may read to its end (axon__client_info_whole).
 */
static pthread_mutex_t ext_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct _client_info **ext_live;
static size_t ext_n, ext_cap;
static pthread_once_t ext_once = PTHREAD_ONCE_INIT;

/* fork(): the lock is held across it, so that a child (a manager's
 * worker, say) gets the list whole and the lock free. */
static void
ext_prepare(void)
{
	pthread_mutex_lock(&ext_lock);
}

static void
ext_parent(void)
{
	pthread_mutex_unlock(&ext_lock);
}

static void
ext_child(void)
{
	pthread_mutex_init(&ext_lock, NULL);
}

static void
ext_init(void)
{
	(void) pthread_atfork(ext_prepare, ext_parent, ext_child);
}

static int
ext_add(const struct _client_info *ci)
{
	int rc = 0;

	(void) pthread_once(&ext_once, ext_init);
	pthread_mutex_lock(&ext_lock);
	if (ext_n == ext_cap) {
		size_t cap = ext_cap == 0 ? 16 : ext_cap * 2;
		const struct _client_info **nl =
		    realloc(ext_live, cap * sizeof(*nl));

		if (nl == NULL) {
			rc = -ENOMEM;
		} else {
			ext_live = nl;
			ext_cap = cap;
		}
	}
	if (rc == 0) {
		ext_live[ext_n++] = ci;
	}
	pthread_mutex_unlock(&ext_lock);
	return rc;
}

/* Takes ci off the list: true if it was on it. */
static bool
ext_remove(const struct _client_info *ci)
{
	bool found = false;

	pthread_mutex_lock(&ext_lock);
	for (size_t i = 0; i < ext_n; i++) {
		if (ext_live[i] == ci) {
			ext_live[i] = ext_live[--ext_n];
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&ext_lock);
	return found;
}

bool
axon__client_info_whole(const struct _client_info *ci)
{
	bool found = false;

	pthread_mutex_lock(&ext_lock);
	for (size_t i = 0; i < ext_n && !found; i++) {
		found = ext_live[i] == ci;
	}
	pthread_mutex_unlock(&ext_lock);
	return found;
}

int
axon__client_info_ext(int scoid, struct _client_info **info, int flags)
{
	AXON_KEEP_ERRNO;

	struct _client_info ci;
	struct _client_info *out;
	gid_t *all = NULL;
	bool groups = (flags & _NTO_CLIENTINFO_GETGROUPS) != 0;
	size_t room;
	int rc;

	if (info == NULL) {
		return -EFAULT;
	}
	*info = NULL;
	if (flags & ~(_NTO_CLIENTINFO_GETGROUPS | _NTO_CLIENTINFO_GETTYPEID)) {
		return -EINVAL;
	}
	if (flags & _NTO_CLIENTINFO_GETTYPEID) {
		return -ENOTSUP; /* no security policy type ids on Linux */
	}
	rc = client_info(scoid, &ci, __NGROUPS_MAX, groups ? &all : NULL);
	if (rc < 0) {
		return rc;
	}
	if (!groups) {
		ci.cred.ngroups = 0;
		memset(ci.cred.grouplist, 0, sizeof(ci.cred.grouplist));
	}
	/* Room for every group, and never less than the plain structure
	 * holds, so that code written for that may read it. */
	room = ci.cred.ngroups > __NGROUPS_MAX ? ci.cred.ngroups :
	    __NGROUPS_MAX;
	out = calloc(1, offsetof(struct _client_info, cred.grouplist) +
	    room * sizeof(gid_t));
	if (out == NULL) {
		free(all);
		return -ENOMEM;
	}
	memcpy(out, &ci, offsetof(struct _client_info, cred.grouplist));
	if (groups) {
		memcpy(out->cred.grouplist, all,
		    ci.cred.ngroups * sizeof(gid_t));
	}
	free(all);
	rc = ext_add(out);
	if (rc < 0) {
		free(out);
		return rc;
	}
	*info = out;
	return 0;
}

int
axon__client_info_ext_free(struct _client_info **info)
{
	AXON_KEEP_ERRNO;

	if (info == NULL) {
		return -EFAULT;
	}
	if (*info == NULL) {
		return 0;
	}
	if (!ext_remove(*info)) {
		return -EINVAL; /* not ConnectClientInfoExt()'s */
	}
	free(*info);
	*info = NULL;
	return 0;
}

int
ConnectClientInfoExt(int scoid, struct _client_info **info, int flags)
{
	return axon__errno_ret(axon__client_info_ext(scoid, info, flags));
}

int
ClientInfoExtFree(struct _client_info **info)
{
	return axon__errno_ret(axon__client_info_ext_free(info));
}

int
ConnectClientInfo(int scoid, struct _client_info *info, int ngroups)
{
	return axon__errno_ret(ConnectClientInfo_r(scoid, info, ngroups));
}
