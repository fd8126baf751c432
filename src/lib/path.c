/* SPDX-License-Identifier: MIT */
/*
 * The node's path namespace: which process serves which path.
 *
 * Each resmgr_attach() of a path is one file $AXON_RUNDIR/path/PID.ID
 * (ID: the link id, which is also the handle a client puts in its
 * _IO_CONNECT), holding one line:
 *
 *	axon-path 1 PID CHID ID FLAGS FTYPE STARTTIME STAMP MOUNTPOINT
 *
 * written to a temporary file (O_EXCL|O_NOFOLLOW, as names are) and
 * renamed into place, so a reader never sees half an entry.  An entry
 * counts only while its process lives (pid and start time), when its
 * file is owned by that process's user and its name matches its
 * content; anything else in the directory is ignored.  The directory is
 * shared (01777): see docs/design/resmgr.md for who may attach what.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dispatch_int.h"
#include "internal.h"

#define PATH_ENTRY_MAX   (PATH_MAX + 160)
#define PATH_SCAN_MAX    65536 /* entries looked at per resolution */

int
axon__path_norm(const char *in, char *out, size_t len)
{
	size_t o = 0;
	const char *p = in;

	if (in == NULL || in[0] != '/' || len < 2) {
		return -EINVAL;
	}
	while (*p != '\0') {
		const char *s;
		size_t n;

		while (*p == '/') {
			p++;
		}
		s = p;
		while (*p != '\0' && *p != '/') {
			p++;
		}
		n = (size_t) (p - s);
		if (n == 0 || (n == 1 && s[0] == '.')) {
			continue;
		}
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 0 && out[o - 1] != '/') {
				o--;
			}
			if (o > 0) {
				o--; /* the '/' before it */
			}
			continue;
		}
		if (o + 1 + n + 1 > len) {
			return -ENAMETOOLONG;
		}
		out[o++] = '/';
		memcpy(out + o, s, n);
		o += n;
	}
	if (o == 0) {
		out[o++] = '/';
	}
	out[o] = '\0';
	return 0;
}

static int
path_dir(char *buf, size_t len)
{
	char rd[256];
	int rc = axon__rundir(rd, sizeof(rd));

	if (rc < 0) {
		return rc;
	}
	if ((size_t) snprintf(buf, len, "%s/path", rd) >= len) {
		return -ENAMETOOLONG;
	}
	if (mkdir(buf, 01777) == 0) {
		(void) chmod(buf, 01777); /* despite the umask */
	} else if (errno != EEXIST) {
		return -errno;
	}
	return 0;
}

int
axon__path_register(const char *mount, int chid, int handle,
    unsigned flags, unsigned ftype, char **ret_file)
{
	char dir[PATH_MAX];
	char tmp[PATH_MAX + 64];
	char file[PATH_MAX + 64];
	struct timespec ts;
	char *line = NULL;
	int fd, len, rc;

	if (strchr(mount, '\n') != NULL) {
		return -EINVAL;
	}
	rc = path_dir(dir, sizeof(dir));
	if (rc < 0) {
		return rc;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	len = asprintf(&line, "axon-path 1 %d %d %d %u %u %llu %" PRIu64
	    " %s\n", (int) getpid(), chid, handle, flags, ftype,
	    (unsigned long long) axon__proc_start_time(getpid()),
	    (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec,
	    mount);
	if (len < 0) {
		return -ENOMEM;
	}
	if (len > PATH_ENTRY_MAX) {
		free(line);
		return -ENAMETOOLONG;
	}
	(void) snprintf(tmp, sizeof(tmp), "%s/.tmp.%d.%d", dir, (int) getpid(),
	    (int) axon__gettid());
	(void) snprintf(file, sizeof(file), "%s/%d.%d", dir, (int) getpid(),
	    handle);
	fd = axon__tmp_create(tmp);
	if (fd < 0) {
		free(line);
		return fd;
	}
	rc = write(fd, line, (size_t) len) == len ? 0 : -EIO;
	free(line);
	(void) close(fd);
	/* A stale entry of an earlier process with our pid is replaced. */
	if (rc == 0 && rename(tmp, file) < 0) {
		rc = -errno;
	}
	if (rc < 0) {
		(void) unlink(tmp);
		return rc;
	}
	*ret_file = strdup(file);
	if (*ret_file == NULL) {
		(void) unlink(file);
		return -ENOMEM;
	}
	return 0;
}

void
axon__path_unregister(const char *file)
{
	if (file != NULL) {
		(void) unlink(file);
	}
}

static uid_t
proc_uid(pid_t pid)
{
	char p[32];
	struct stat st;

	(void) snprintf(p, sizeof(p), "/proc/%d", (int) pid);
	return stat(p, &st) == 0 ? st.st_uid : (uid_t) -1;
}

/* Reads and checks one entry; 0, or -EINVAL (not a live, valid one). */
static int
entry_read(int dirfd, const char *name, struct axon_path_entry *e)
{
	char buf[PATH_ENTRY_MAX + 1];
	struct axon_name_entry ne;
	struct stat st;
	int pid, chid, handle, npid, nhandle, pos = 0;
	unsigned flags, ftype;
	unsigned long long start;
	uint64_t stamp;
	ssize_t n;
	char tail;
	int fd;

	if (sscanf(name, "%d.%d%c", &npid, &nhandle, &tail) != 2) {
		return -EINVAL;
	}
	fd = openat(dirfd, name,
	    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		return -EINVAL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > PATH_ENTRY_MAX) {
		(void) close(fd);
		return -EINVAL;
	}
	n = read(fd, buf, PATH_ENTRY_MAX);
	(void) close(fd);
	if (n <= 0 || buf[n - 1] != '\n') {
		return -EINVAL;
	}
	buf[n - 1] = '\0';
	if (sscanf(buf, "axon-path 1 %d %d %d %u %u %llu %" SCNu64 " %n",
		&pid, &chid, &handle, &flags, &ftype, &start, &stamp,
		&pos) != 7 || pos == 0) {
		return -EINVAL;
	}
	if (pid <= 0 || pid != npid || handle != nhandle || chid < 0 ||
	    handle < 0 || (flags & ~(unsigned) _RESMGR_FLAG_MASK) != 0 ||
	    ftype > _FTYPE_ALL || buf[pos] != '/' ||
	    strlen(buf + pos) >= sizeof(e->mount) ||
	    memchr(buf, '\0', (size_t) n - 1) != NULL) {
		return -EINVAL;
	}
	ne.pid = pid;
	ne.chid = chid;
	ne.start = start;
	ne.owner = st.st_uid;
	if (!axon__name_entry_live(&ne)) {
		return -EINVAL;
	}
	/* The file is its process's: nobody points a path at another
	 * user's server. */
	if (st.st_uid != proc_uid(pid)) {
		return -EINVAL;
	}
	e->pid = pid;
	e->chid = chid;
	e->handle = handle;
	e->flags = flags;
	e->ftype = ftype;
	e->start = start;
	e->stamp = stamp;
	(void) snprintf(e->mount, sizeof(e->mount), "%s", buf + pos);
	return 0;
}

static bool
ftype_ok(const struct axon_path_entry *e, unsigned want)
{
	return e->ftype == want || e->ftype == _FTYPE_ALL ||
	    (want == _FTYPE_ANY && !(e->flags & _RESMGR_FLAG_FTYPEONLY));
}

/* Where the manager's part of path starts, or NULL: no match. */
static const char *
mount_match(const struct axon_path_entry *e, const char *path)
{
	size_t ml = strlen(e->mount);

	if (strcmp(e->mount, path) == 0) {
		return path + strlen(path);
	}
	if (!(e->flags & _RESMGR_FLAG_DIR)) {
		return NULL;
	}
	if (ml == 1) {
		return path + 1; /* "/" serves everything */
	}
	if (strncmp(e->mount, path, ml) == 0 && path[ml] == '/') {
		return path + ml + 1;
	}
	return NULL;
}

static int
order_class(unsigned flags)
{
	if (flags & _RESMGR_FLAG_BEFORE) {
		return 0;
	}
	return (flags & _RESMGR_FLAG_AFTER) ? 2 : 1;
}

static int
match_cmp(const void *a, const void *b)
{
	const struct axon_path_match *x = a, *y = b;
	size_t lx = strlen(x->e.mount), ly = strlen(y->e.mount);
	int cx = order_class(x->e.flags), cy = order_class(y->e.flags);

	if (lx != ly) {
		return lx > ly ? -1 : 1;
	}
	if (cx != cy) {
		return cx < cy ? -1 : 1;
	}
	if (x->e.stamp == y->e.stamp) {
		return x->e.pid < y->e.pid ? -1 : x->e.pid > y->e.pid;
	}
	/* The newest first, but AFTER ones in the order they came. */
	if (cx == 2) {
		return x->e.stamp < y->e.stamp ? -1 : 1;
	}
	return x->e.stamp > y->e.stamp ? -1 : 1;
}

int
axon__path_resolve(const char *path, unsigned ftype, pid_t self,
    struct axon_path_match *ret, int max, char *norm_buf, size_t normlen)
{
	char dir[PATH_MAX];
	struct axon_path_match *all = NULL;
	struct dirent *de;
	int n = 0, cap = 0, seen = 0, dfd, rc;
	size_t opaque_len = 0;
	DIR *d;

	if (path == NULL || ret == NULL || max < 0 || norm_buf == NULL) {
		return -EINVAL;
	}
	rc = axon__path_norm(path, norm_buf, normlen);
	if (rc == 0) {
		rc = path_dir(dir, sizeof(dir));
	}
	if (rc < 0) {
		return rc;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0) {
		return -errno;
	}
	d = fdopendir(dfd);
	if (d == NULL) {
		rc = -errno;
		(void) close(dfd);
		return rc;
	}
	while ((de = readdir(d)) != NULL && seen++ < PATH_SCAN_MAX) {
		struct axon_path_entry e;
		const char *rest;

		if (de->d_name[0] == '.' ||
		    entry_read(dfd, de->d_name, &e) < 0) {
			continue;
		}
		if ((self != 0 && e.pid == self &&
			!(e.flags & _RESMGR_FLAG_SELF)) || !ftype_ok(&e, ftype)) {
			continue;
		}
		rest = mount_match(&e, norm_buf);
		if (rest == NULL) {
			continue;
		}
		if (n == cap) {
			int ncap = cap == 0 ? 8 : cap * 2;
			struct axon_path_match *m =
			    realloc(all, (size_t) ncap * sizeof(*m));

			if (m == NULL) {
				free(all);
				(void) closedir(d);
				return -ENOMEM;
			}
			all = m;
			cap = ncap;
		}
		all[n].e = e;
		all[n].rest = rest;
		n++;
	}
	(void) closedir(d);
	if (n > 1) {
		qsort(all, (size_t) n, sizeof(*all), match_cmp);
	}
	rc = 0;
	for (int i = 0; i < n && rc < max; i++) {
		size_t ml = strlen(all[i].e.mount);

		if (ml < opaque_len) {
			break; /* hidden by an opaque mountpoint */
		}
		if (all[i].e.flags & _RESMGR_FLAG_OPAQUE) {
			opaque_len = ml;
		}
		ret[rc++] = all[i];
	}
	free(all);
	return rc;
}

int
axon__path_list(struct axon_path_entry **ret)
{
	char dir[PATH_MAX];
	struct axon_path_entry *all = NULL;
	struct dirent *de;
	int n = 0, cap = 0, seen = 0, dfd, rc;
	DIR *d;

	if (ret == NULL) {
		return -EINVAL;
	}
	*ret = NULL;
	rc = path_dir(dir, sizeof(dir));
	if (rc < 0) {
		return rc;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0) {
		return errno == ENOENT ? 0 : -errno;
	}
	d = fdopendir(dfd);
	if (d == NULL) {
		rc = -errno;
		(void) close(dfd);
		return rc;
	}
	while ((de = readdir(d)) != NULL && seen++ < PATH_SCAN_MAX) {
		struct axon_path_entry e;

		if (de->d_name[0] == '.' ||
		    entry_read(dfd, de->d_name, &e) < 0) {
			continue;
		}
		if (n == cap) {
			int ncap = cap == 0 ? 8 : cap * 2;
			struct axon_path_entry *m =
			    realloc(all, (size_t) ncap * sizeof(*m));

			if (m == NULL) {
				free(all);
				(void) closedir(d);
				return -ENOMEM;
			}
			all = m;
			cap = ncap;
		}
		all[n++] = e;
	}
	(void) closedir(d);
	*ret = all;
	return n;
}
