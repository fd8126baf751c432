/* SPDX-License-Identifier: MIT */
/*
 * Device numbers (rsrcdbmgr_devno_attach(3)): QNX's resource database
 * gives a resource manager a dev_t for what it attaches, a major per
 * device class (a name: "dev", "char-ser", ...) and minors within it,
 * at most 64 majors and 1024 minors each, released when the process
 * ends.  Here the database is a directory of the node's run directory,
 * $AXON_RUNDIR/devno:
 *
 *   major.N   the class of major N (1-63): its name, made whole in a
 *             temporary file and linked into place, so that two
 *             processes never bind one major twice; kept for good, as
 *             QNX keeps a class's major;
 *   N.M       the lock of number N,M: whoever holds flock(LOCK_EX) on
 *             it has the number.  The file stays; the lock goes with
 *             rsrcdbmgr_devno_detach() or the process, so a dead
 *             process's numbers are free again at once.
 *
 * Who may: root and the run directory's owner, who make the directory
 * (0755, the owner's); others cannot write it, and get EPERM, as a QNX
 * process without PROCMGR_AID_RSRCDBMGR does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <sys/rsrcdbmgr.h>

#include "internal.h"

#define MAJORS   64   /* 1-63 given out */
#define MINORS   1024
#define NAME_LEN 255

struct held {
	struct held *next;
	dev_t devno;
	int fd;
};

static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static struct held *held_list;
static pthread_once_t held_once = PTHREAD_ONCE_INIT;

/* The numbers are the process's, not a forked child's: the child lets
 * go of its copies (the parent keeps its own). */
static void
atfork_child(void)
{
	struct held *h = held_list;

	pthread_mutex_init(&held_lock, NULL);
	held_list = NULL;
	while (h != NULL) {
		struct held *next = h->next;

		(void) close(h->fd);
		free(h);
		h = next;
	}
}

static void
held_init(void)
{
	(void) pthread_atfork(NULL, NULL, atfork_child);
}

/* The database's directory, made if need be: 0, or -errno (-EPERM for
 * a user who may not use it). */
static int
db_dir(char *dir, size_t len)
{
	char rd[PATH_MAX];
	struct stat st;
	uid_t me = geteuid();
	int rc = axon__rundir(rd, sizeof(rd));

	if (rc < 0) {
		return rc;
	}
	if (stat(rd, &st) < 0) {
		return -errno;
	}
	if (me != 0 && me != st.st_uid) {
		return -EPERM;
	}
	if ((size_t) snprintf(dir, len, "%s/devno", rd) >= len) {
		return -ENAMETOOLONG;
	}
	if (mkdir(dir, 0755) == 0) {
		if (me == 0 && st.st_uid != 0) {
			(void) chown(dir, st.st_uid, st.st_gid);
		}
	} else if (errno != EEXIST) {
		return -errno;
	}
	if (faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) < 0) {
		return errno == EACCES ? -EPERM : -errno;
	}
	return 0;
}

/* Reads major N's class into buf: 0, -ENOENT (free), or -errno. */
static int
major_name(const char *dir, int n, char *buf, size_t len)
{
	char path[PATH_MAX + 16];
	struct stat st;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "%s/major.%d", dir, n);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		(void) close(fd);
		return -EIO; /* not one this code made */
	}
	r = read(fd, buf, len - 1);
	(void) close(fd);
	if (r < 0) {
		return -errno;
	}
	buf[r] = '\0';
	return 0;
}

/* The major of class name, bound now if it has none: N, or -errno
 * (-EAGAIN: every major is some class's). */
static int
major_of(const char *dir, const char *name)
{
	char buf[NAME_LEN + 2], tmp[PATH_MAX + 64], path[PATH_MAX + 16];
	size_t len = strlen(name);

	for (int pass = 0; pass < 2; pass++) {
		for (int n = 1; n < MAJORS; n++) {
			int rc = major_name(dir, n, buf, sizeof(buf));

			if (rc == 0 && strcmp(buf, name) == 0) {
				return n;
			}
			if (rc == -ENOENT && pass == 1) {
				int fd;

				snprintf(tmp, sizeof(tmp), "%s/.major.%d.%d", dir,
				    (int) getpid(), axon__gettid());
				snprintf(path, sizeof(path), "%s/major.%d", dir,
				    n);
				(void) unlink(tmp);
				fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL |
					O_CLOEXEC | O_NOFOLLOW, 0644);
				if (fd < 0) {
					return -errno;
				}
				bool ok = write(fd, name, len) == (ssize_t) len;
				int err = ok && link(tmp, path) < 0 ? errno : 0;

				(void) close(fd);
				(void) unlink(tmp);
				if (!ok) {
					return -EIO;
				}
				if (err == 0) {
					return n;
				}
				if (err != EEXIST) {
					return -err;
				}
				/* Bound meanwhile: to this class? */
				if (major_name(dir, n, buf, sizeof(buf)) == 0 &&
				    strcmp(buf, name) == 0) {
					return n;
				}
			} else if (rc < 0 && rc != -ENOENT) {
				return rc;
			}
		}
	}
	return -EAGAIN;
}

/* Takes number major,minor: the locked descriptor, -EBUSY (another
 * holds it), or -errno. */
static int
take(const char *dir, int major, int minor)
{
	char path[PATH_MAX + 32];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%d.%d", dir, major, minor);
	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK, 0644);
	if (fd < 0) {
		return errno == EACCES ? -EPERM : -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		(void) close(fd);
		return -EIO; /* a FIFO or device put there: not a lock */
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;

		(void) close(fd);
		return err == EWOULDBLOCK ? -EBUSY : -err;
	}
	return fd;
}

/* Does this process hold devno already? */
static bool
holding(dev_t devno)
{
	bool found = false;

	pthread_mutex_lock(&held_lock);
	for (struct held *h = held_list; h != NULL && !found; h = h->next) {
		found = h->devno == devno;
	}
	pthread_mutex_unlock(&held_lock);
	return found;
}

/* 0 with the number in *ret, or -errno. */
static int
devno_attach(const char *name, int minor_request, int flags, dev_t *ret)
{
	char dir[PATH_MAX];
	struct held *h;
	int major, fd = -EBUSY, minor = minor_request;
	int rc;

	if (name == NULL || flags != 0 || name[0] == '\0' ||
	    strlen(name) > NAME_LEN || strchr(name, '/') != NULL ||
	    minor_request < -1 || minor_request >= MINORS) {
		return -EINVAL;
	}
	(void) pthread_once(&held_once, held_init);
	rc = db_dir(dir, sizeof(dir));
	if (rc < 0) {
		return rc;
	}
	major = major_of(dir, name);
	if (major < 0) {
		return major;
	}
	h = malloc(sizeof(*h));
	if (h == NULL) {
		return -ENOMEM;
	}
	if (minor_request >= 0) {
		/* Held by this process already: in use too. */
		fd = holding(makedev(major, minor))
		    ? -EBUSY : take(dir, major, minor);
	} else {
		for (minor = 0; minor < MINORS && fd == -EBUSY; minor++) {
			if (!holding(makedev(major, minor))) {
				fd = take(dir, major, minor);
			}
		}
		minor--;
	}
	if (fd < 0) {
		free(h);
		/* A number in use is EINVAL, as QNX has it; no free minor
		 * left, EAGAIN. */
		return fd != -EBUSY	 ? fd
		    : minor_request >= 0 ? -EINVAL
					 : -EAGAIN;
	}
	h->devno = makedev(major, minor);
	h->fd = fd;
	pthread_mutex_lock(&held_lock);
	h->next = held_list;
	held_list = h;
	pthread_mutex_unlock(&held_lock);
	*ret = h->devno;
	return 0;
}

dev_t
rsrcdbmgr_devno_attach(const char *name, int minor_request, int flags)
{
	dev_t d = 0;
	int rc = devno_attach(name, minor_request, flags, &d);

	if (rc < 0) {
		errno = -rc;
		return (dev_t) -1;
	}
	return d;
}

int
rsrcdbmgr_devno_detach(dev_t devno, int flags)
{
	struct held *found = NULL;

	if (flags != 0) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&held_lock);
	for (struct held **pp = &held_list; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->devno == devno) {
			found = *pp;
			*pp = found->next;
			break;
		}
	}
	pthread_mutex_unlock(&held_lock);
	if (found == NULL) {
		errno = EINVAL; /* not this process's */
		return -1;
	}
	(void) close(found->fd);
	free(found);
	return 0;
}
