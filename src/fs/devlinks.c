/* SPDX-License-Identifier: MIT */
/*
 * The keeper of /dev links to the axon-fs mount: see devlinks.h for
 * what is linked and why it is safe; docs/design/fuse.md, "Paths where
 * they are attached".
 *
 * Every path handled here is relative to a root directory descriptor
 * ("dev/sample" for the link /dev/sample) and every directory on the
 * way is opened one component at a time with O_NOFOLLOW, so no link
 * anyone placed is ever followed; links are made with symlinkat(),
 * which fails on anything that exists, and removed only when
 * readlinkat() still gives the target this keeper wrote.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "axon_spi.h"
#include "devlinks.h"

#define DL_STATE_MAX (1 << 20) /* bytes of $AXON_RUNDIR/devlinks read */
#define DL_PIDFDS    64        /* managers watched for death at once */
#define DL_ENTRY_MAX (PATH_MAX + 160)
#define DL_SCAN_HZ   100 /* readings a second at most, on events */

struct dl_dir {
	char *rel; /* "dev/a", made by the keeper */
	dev_t dev;
	ino_t ino;
};

static struct {
	int rootfd;
	char root[PATH_MAX];
	char fsdir[PATH_MAX];
	char pathdir[PATH_MAX + 8];
	char state[PATH_MAX + 16];
	char **links; /* the mounts linked ("/dev/sample") */
	int nlinks;
	char **blocked; /* mounts left alone: something is in the way */
	int nblocked;
	struct dl_dir *dirs;
	int ndirs;
	int pidfd[DL_PIDFDS];
	int npidfd;
} k = {.rootfd = -1};

static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "axon-fs: dev links: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int
devlinks_root(const char *asked, const char *rundir, char *root, size_t len)
{
	struct stat st;

	root[0] = '\0';
	if (asked == NULL) {
		if (geteuid() == 0 &&
		    strcmp(rundir, DEVLINKS_DEFAULT_RUNDIR) == 0) {
			(void) snprintf(root, len, "/");
		}
		return 0;
	}
	if (strcmp(asked, "none") == 0) {
		return 0;
	}
	if (asked[0] != '/' || strchr(asked, '\n') != NULL ||
	    (size_t) snprintf(root, len, "%s", asked) >= len) {
		root[0] = '\0';
		fprintf(stderr, "axon-fs: --dev-links: an absolute path, or "
		    "none\n");
		return -1;
	}
	if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "axon-fs: --dev-links: %s: not a directory\n",
		    root);
		root[0] = '\0';
		return -1;
	}
	return 0;
}

/* Whether mount is a path below /dev that may be linked. */
static bool
mount_ok(const char *m)
{
	const char *p;

	if (strncmp(m, "/dev/", 5) != 0 || m[5] == '\0' ||
	    strlen(m) >= PATH_MAX - 1) {
		return false;
	}
	for (p = m + 1; *p != '\0';) {
		const char *s = p;
		size_t n;

		while (*p != '\0' && *p != '/') {
			p++;
		}
		n = (size_t) (p - s);
		if (n == 0 || n > NAME_MAX || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.')) {
			return false;
		}
		if (*p == '/') {
			p++;
			if (*p == '\0') {
				return false; /* a trailing '/' */
			}
		}
	}
	return true;
}

/* A directory the keeper may work in: its user's, and nobody else may
 * write in it unless it is sticky. */
static bool
dir_safe(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == geteuid() &&
	    ((st.st_mode & 022) == 0 || (st.st_mode & S_ISVTX) != 0);
}

static int
dir_remember(const char *rel, int len, const struct stat *st)
{
	struct dl_dir *d = realloc(k.dirs, (size_t) (k.ndirs + 1) *
	    sizeof(*d));

	if (d == NULL) {
		return -1;
	}
	k.dirs = d;
	d[k.ndirs].rel = strndup(rel, (size_t) len);
	if (d[k.ndirs].rel == NULL) {
		return -1;
	}
	d[k.ndirs].dev = st->st_dev;
	d[k.ndirs].ino = st->st_ino;
	k.ndirs++;
	return 0;
}

/*
 * Opens the directory that holds rel's last component, from rootfd, one
 * component at a time without following links; with create, makes the
 * missing ones below "dev" (remembered).  Sets *leaf; the descriptor,
 * or -1.
 */
static int
walk(int rootfd, const char *rel, bool create, const char **leaf)
{
	const char *p = rel, *slash;
	int fd = dup(rootfd);

	while (fd >= 0 && (slash = strchr(p, '/')) != NULL) {
		char comp[NAME_MAX + 1];
		size_t n = (size_t) (slash - p);
		int nfd;

		if (n == 0 || n > NAME_MAX) {
			(void) close(fd);
			errno = EINVAL;
			return -1;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT && create && p != rel &&
		    mkdirat(fd, comp, 0755) == 0) {
			struct stat st;

			nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if (nfd >= 0 && (fstat(nfd, &st) < 0 ||
				dir_remember(rel, (int) (slash - rel), &st) <
				    0)) {
				(void) close(nfd);
				(void) unlinkat(fd, comp, AT_REMOVEDIR);
				nfd = -1;
			}
		}
		{
			int e = errno;

			(void) close(fd);
			errno = e;
		}
		if (nfd >= 0 && !dir_safe(nfd)) {
			(void) close(nfd);
			nfd = -1;
			errno = EPERM; /* not a place to work in */
		}
		fd = nfd;
		p = slash + 1;
	}
	*leaf = p;
	return fd;
}

/* Removes the link rel if it still points at target. */
static void
link_unmake(int rootfd, const char *rel, const char *target)
{
	char buf[PATH_MAX];
	const char *leaf;
	ssize_t n;
	int fd = walk(rootfd, rel, false, &leaf);

	if (fd < 0) {
		return;
	}
	n = readlinkat(fd, leaf, buf, sizeof(buf));
	if (n >= 0 && (size_t) n == strlen(target) &&
	    memcmp(buf, target, (size_t) n) == 0) {
		(void) unlinkat(fd, leaf, 0);
	}
	(void) close(fd);
}

/* Removes the directory rel if it is still the one made (dev, ino) and
 * empty; true when it is gone (or no longer that one). */
static bool
dir_unmake(int rootfd, const char *rel, dev_t dev, ino_t ino)
{
	const char *leaf;
	struct stat st;
	bool gone = true;
	int fd = walk(rootfd, rel, false, &leaf);

	if (fd < 0) {
		return true;
	}
	if (fstatat(fd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode) && st.st_dev == dev && st.st_ino == ino &&
	    unlinkat(fd, leaf, AT_REMOVEDIR) < 0 && errno != ENOENT) {
		gone = false; /* not empty */
	}
	(void) close(fd);
	return gone;
}

static int
dir_depth_cmp(const void *a, const void *b)
{
	size_t la = strlen(((const struct dl_dir *) a)->rel);
	size_t lb = strlen(((const struct dl_dir *) b)->rel);

	return la > lb ? -1 : la < lb;
}

/* Removes the made directories that are empty, the deepest first. */
static void
dirs_prune(void)
{
	int i, j = 0;

	if (k.ndirs > 1) {
		qsort(k.dirs, (size_t) k.ndirs, sizeof(*k.dirs),
		    dir_depth_cmp);
	}
	for (i = 0; i < k.ndirs; i++) {
		if (dir_unmake(k.rootfd, k.dirs[i].rel, k.dirs[i].dev,
			k.dirs[i].ino)) {
			free(k.dirs[i].rel);
		} else {
			k.dirs[j++] = k.dirs[i];
		}
	}
	k.ndirs = j;
}

/*
 * $AXON_RUNDIR/devlinks: what this keeper made, for the next one to
 * clear if this one is killed.  Lines: "axon-devlinks 1", "root DIR",
 * "fs DIR", then "link REL" and "dir DEV INO REL" (REL relative to root,
 * the rest of the line).  Written whole (temporary file, rename).
 */
static void
state_write(void)
{
	char tmp[sizeof(k.state) + 16];
	FILE *f;
	int fd;

	if (k.nlinks == 0 && k.ndirs == 0) {
		(void) unlink(k.state);
		return;
	}
	(void) snprintf(tmp, sizeof(tmp), "%s.%d", k.state, (int) getpid());
	(void) unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL) {
		if (fd >= 0) {
			(void) close(fd);
		}
		say("%s: %s", tmp, strerror(errno));
		return;
	}
	fprintf(f, "axon-devlinks 1\nroot %s\nfs %s\n", k.root, k.fsdir);
	for (int i = 0; i < k.nlinks; i++) {
		fprintf(f, "link %s\n", k.links[i] + 1);
	}
	for (int i = 0; i < k.ndirs; i++) {
		fprintf(f, "dir %ju %ju %s\n", (uintmax_t) k.dirs[i].dev,
		    (uintmax_t) k.dirs[i].ino, k.dirs[i].rel);
	}
	if ((ferror(f) | fclose(f)) != 0 || rename(tmp, k.state) < 0) {
		say("%s: %s", k.state, strerror(errno));
		(void) unlink(tmp);
	}
}

/*
 * At start: removes what a keeper that was killed left, as its state
 * file says: each link that still points at the target it made (its fs
 * directory and the path), then its directories when empty.  The file
 * counts only if it is this user's own regular file.
 */
static void
state_clean(void)
{
	char *buf, *line, *save, root[PATH_MAX] = "", fs[PATH_MAX] = "";
	struct stat st;
	ssize_t n;
	int fd, rootfd = -1;

	fd = open(k.state, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		return;
	}
	buf = malloc(DL_STATE_MAX + 1);
	if (buf == NULL || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || st.st_nlink != 1 ||
	    (n = read(fd, buf, DL_STATE_MAX)) <= 0 ||
	    strncmp(buf, "axon-devlinks 1\n", 16) != 0) {
		free(buf);
		(void) close(fd);
		return;
	}
	(void) close(fd);
	buf[n] = '\0';
	/* The links first, then the directories, the deepest first (on a
	 * copy: strtok_r cuts the text it reads). */
	for (int pass = 0; pass < 2; pass++) {
		char *copy = pass == 0 ? strdup(buf) : buf;
		struct dl_dir *dirs = NULL;
		int ndirs = 0;

		if (copy == NULL) {
			break;
		}
		for (line = strtok_r(copy, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save)) {
			uintmax_t dev, ino;
			int pos = 0;

			if (strncmp(line, "root /", 6) == 0 && pass == 0) {
				(void) snprintf(root, sizeof(root), "%s",
				    line + 5);
				rootfd = open(root, O_RDONLY | O_DIRECTORY |
				    O_CLOEXEC);
			} else if (strncmp(line, "fs /", 4) == 0) {
				(void) snprintf(fs, sizeof(fs), "%s", line + 3);
			} else if (strncmp(line, "link ", 5) == 0 &&
			    pass == 0 && rootfd >= 0 && fs[0] != '\0') {
				char target[2 * PATH_MAX];
				char m[PATH_MAX];

				(void) snprintf(m, sizeof(m), "/%s", line + 5);
				if (mount_ok(m)) {
					(void) snprintf(target, sizeof(target),
					    "%s%s", fs, m);
					link_unmake(rootfd, line + 5, target);
				}
			} else if (pass == 1 &&
			    sscanf(line, "dir %ju %ju %n", &dev, &ino, &pos) ==
				2 &&
			    pos > 0) {
				struct dl_dir *d = realloc(dirs,
				    (size_t) (ndirs + 1) * sizeof(*d));

				if (d == NULL) {
					break;
				}
				dirs = d;
				dirs[ndirs].rel = line + pos;
				dirs[ndirs].dev = (dev_t) dev;
				dirs[ndirs].ino = (ino_t) ino;
				ndirs++;
			}
		}
		if (pass == 1) {
			if (ndirs > 1) {
				qsort(dirs, (size_t) ndirs, sizeof(*dirs),
				    dir_depth_cmp);
			}
			for (int i = 0; i < ndirs && rootfd >= 0; i++) {
				char m[PATH_MAX];

				(void) snprintf(m, sizeof(m), "/%s/x",
				    dirs[i].rel);
				if (mount_ok(m)) {
					(void) dir_unmake(rootfd, dirs[i].rel,
					    dirs[i].dev, dirs[i].ino);
				}
			}
			free(dirs);
		} else {
			free(copy);
		}
	}
	if (rootfd >= 0) {
		(void) close(rootfd);
	}
	free(buf);
	(void) unlink(k.state);
	say("links a keeper that ended left were cleared (%s)", root);
}

/* Whether e is root's, checked now: its entry file (uid 0, a regular
 * file with one name, the same line) and its process (every uid 0, the
 * same start time). */
static bool
entry_is_root(int pathfd, const struct axon_path_entry *e)
{
	char name[64], buf[DL_ENTRY_MAX + 1], line[256];
	unsigned long long start;
	struct stat st;
	int pid, chid, handle, pos = 0;
	unsigned flags, ftype;
	uint64_t stamp;
	bool root = false;
	ssize_t n;
	FILE *f;
	int fd;

	(void) snprintf(name, sizeof(name), "%d.%d", (int) e->pid, e->handle);
	fd = openat(pathfd, name,
	    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		return false;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    st.st_nlink != 1 || st.st_size > DL_ENTRY_MAX) {
		(void) close(fd);
		return false;
	}
	n = read(fd, buf, DL_ENTRY_MAX);
	(void) close(fd);
	if (n <= 0 || buf[n - 1] != '\n') {
		return false;
	}
	buf[n - 1] = '\0';
	if (sscanf(buf, "axon-path 1 %d %d %d %u %u %llu %" SCNu64 " %n",
		&pid, &chid, &handle, &flags, &ftype, &start, &stamp,
		&pos) != 7 || pos == 0 || pid != e->pid ||
	    handle != e->handle || start != e->start ||
	    strcmp(buf + pos, e->mount) != 0 ||
	    axon__proc_start_time(e->pid) != e->start) {
		return false;
	}
	(void) snprintf(name, sizeof(name), "/proc/%d/status", (int) e->pid);
	f = fopen(name, "re");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		unsigned r, ef, s, fs;

		if (sscanf(line, "Uid: %u %u %u %u", &r, &ef, &s, &fs) == 4) {
			root = r == 0 && ef == 0 && s == 0 && fs == 0;
			break;
		}
	}
	if (f != NULL) {
		(void) fclose(f);
	}
	/* Still the same process (not a pid used again meanwhile). */
	return root && axon__proc_start_time(e->pid) == e->start;
}

static int
link_index(char **v, int n, const char *m)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i], m) == 0) {
			return i;
		}
	}
	return -1;
}

/* Whether every entry of e[0..n) attaching m exactly is root's (and
 * there is one). */
static bool
all_root(int pathfd, const struct axon_path_entry *e, int n, const char *m)
{
	bool any = false;

	for (int i = 0; i < n; i++) {
		if (strcmp(e[i].mount, m) == 0) {
			if (!entry_is_root(pathfd, &e[i])) {
				return false;
			}
			any = true;
		}
	}
	return any;
}

static void
target_of(const char *m, char *buf, size_t len)
{
	(void) snprintf(buf, len, "%s%s", k.fsdir, m);
}

/* Makes the link for m; true when made. */
static bool
link_make(int pathfd, const char *m)
{
	char target[2 * PATH_MAX];
	struct axon_path_entry *e = NULL;
	const char *leaf;
	bool made = false;
	int fd, n, nd = k.ndirs;

	target_of(m, target, sizeof(target));
	fd = walk(k.rootfd, m + 1, true, &leaf);
	/* The namespace read again just before, and each entry of m
	 * checked again: nobody else attached m meanwhile. */
	n = fd >= 0 ? axon__path_list(&e) : -1;
	if (n > 0 && all_root(pathfd, e, n, m)) {
		int err;

		made = symlinkat(target, fd, leaf) == 0;
		err = errno;
		if (!made && link_index(k.blocked, k.nblocked, m) < 0) {
			char **b = realloc(k.blocked,
			    (size_t) (k.nblocked + 1) * sizeof(*b));

			if (b != NULL) {
				k.blocked = b;
				b[k.nblocked] = strdup(m);
				k.nblocked += b[k.nblocked] != NULL;
			}
			say("%s%s: %s; left alone", k.root[1] ? k.root : "", m,
			    strerror(err));
		}
	}
	free(e);
	if (fd >= 0) {
		(void) close(fd);
	}
	if (!made && k.ndirs > nd) {
		dirs_prune(); /* made for nothing */
	}
	return made;
}

/* Whether nothing is at m's place (or on the way to it). */
static bool
place_free(const char *m)
{
	const char *leaf;
	struct stat st;
	bool free_ = false;
	int fd = walk(k.rootfd, m + 1, false, &leaf);

	if (fd < 0) {
		return errno == ENOENT;
	}
	free_ = fstatat(fd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno == ENOENT;
	(void) close(fd);
	return free_;
}

static void
pidfds_close(void)
{
	for (int i = 0; i < k.npidfd; i++) {
		(void) close(k.pidfd[i]);
	}
	k.npidfd = 0;
}

/* Reads the namespace and makes the links match it. */
static void
scan(int pathfd)
{
	struct axon_path_entry *e = NULL;
	char **want = NULL;
	int n, nwant = 0, i;
	bool changed = false;

	n = axon__path_list(&e);
	if (n < 0) {
		return; /* (read again at the next tick) */
	}
	want = calloc((size_t) n + 1, sizeof(*want));
	if (want == NULL) {
		free(e);
		return;
	}
	for (i = 0; i < n; i++) {
		if (mount_ok(e[i].mount) &&
		    link_index(want, nwant, e[i].mount) < 0 &&
		    all_root(pathfd, e, n, e[i].mount)) {
			want[nwant++] = e[i].mount;
		}
	}
	/* Links whose entries went (or are no longer only root's). */
	for (i = 0; i < k.nlinks;) {
		if (link_index(want, nwant, k.links[i]) < 0) {
			char target[2 * PATH_MAX];

			target_of(k.links[i], target, sizeof(target));
			link_unmake(k.rootfd, k.links[i] + 1, target);
			free(k.links[i]);
			k.links[i] = k.links[--k.nlinks];
			changed = true;
		} else {
			i++;
		}
	}
	/* A place that was taken is tried again once it is free (and said
	 * again if it is taken again). */
	for (i = 0; i < k.nblocked;) {
		if (link_index(want, nwant, k.blocked[i]) < 0 ||
		    place_free(k.blocked[i])) {
			free(k.blocked[i]);
			k.blocked[i] = k.blocked[--k.nblocked];
		} else {
			i++;
		}
	}
	if (changed) {
		dirs_prune();
	}
	for (i = 0; i < nwant; i++) {
		char **l;

		if (link_index(k.links, k.nlinks, want[i]) >= 0 ||
		    link_index(k.blocked, k.nblocked, want[i]) >= 0 ||
		    k.nlinks >= DEVLINKS_MAX) {
			continue;
		}
		l = realloc(k.links, (size_t) (k.nlinks + 1) * sizeof(*l));
		if (l == NULL) {
			break;
		}
		k.links = l;
		/* Written down before it exists: a keeper killed between
		 * the two leaves nothing the next one does not know of. */
		l[k.nlinks] = strdup(want[i]);
		if (l[k.nlinks] == NULL) {
			break;
		}
		k.nlinks++;
		state_write();
		if (!link_make(pathfd, want[i])) {
			free(l[--k.nlinks]);
		}
		changed = true;
	}
	if (changed) {
		state_write();
	}
	/* The linked managers' deaths wake the keeper. */
	pidfds_close();
	for (i = 0; i < n && k.npidfd < DL_PIDFDS; i++) {
		if (link_index(k.links, k.nlinks, e[i].mount) >= 0) {
			int pfd = (int) syscall(SYS_pidfd_open, e[i].pid, 0);

			if (pfd >= 0) {
				k.pidfd[k.npidfd++] = pfd;
			}
		}
	}
	free(want);
	free(e);
}

static void
unlink_all(void)
{
	for (int i = 0; i < k.nlinks; i++) {
		char target[2 * PATH_MAX];

		target_of(k.links[i], target, sizeof(target));
		link_unmake(k.rootfd, k.links[i] + 1, target);
		free(k.links[i]);
	}
	k.nlinks = 0;
	dirs_prune();
	state_write();
}

static void __attribute__((noreturn))
keeper(void)
{
	struct pollfd pf[2 + DL_PIDFDS];
	sigset_t ss;
	int sfd, ifd, wd = -1, pathfd = -1;

	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	(void) sigprocmask(SIG_BLOCK, &ss, NULL);
	sfd = signalfd(-1, &ss, SFD_CLOEXEC);
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (sfd < 0) {
		say("signalfd: %s", strerror(errno));
		_exit(1);
	}
	state_clean();
	for (;;) {
		struct signalfd_siginfo si;
		int np = 0, r;

		if (k.rootfd < 0) {
			k.rootfd = open(k.root, O_RDONLY | O_DIRECTORY |
			    O_CLOEXEC);
		}
		if (pathfd < 0) {
			pathfd = open(k.pathdir, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		}
		if (ifd >= 0 && wd < 0 && pathfd >= 0) {
			wd = inotify_add_watch(ifd, k.pathdir, IN_CREATE |
			    IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
			    IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF |
			    IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW);
		}
		if (k.rootfd >= 0 && pathfd >= 0) {
			scan(pathfd);
		}
		pf[np++] = (struct pollfd){.fd = sfd, .events = POLLIN};
		pf[np++] = (struct pollfd){.fd = ifd, .events = POLLIN};
		for (int i = 0; i < k.npidfd; i++) {
			pf[np++] = (struct pollfd){.fd = k.pidfd[i],
			    .events = POLLIN};
		}
		r = poll(pf, (nfds_t) np, DEVLINKS_RESCAN_MS);
		if (r > 0 && (pf[0].revents & POLLIN) &&
		    read(sfd, &si, sizeof(si)) == sizeof(si)) {
			break;
		}
		if (r > 0 && ifd >= 0 && (pf[1].revents & POLLIN)) {
			char ev[4096]
			    __attribute__((aligned(__alignof__(
				struct inotify_event))));
			ssize_t got;

			/* Events come in bursts (a temporary file, a
			 * rename): one reading for each burst, and at most
			 * DL_SCAN_HZ readings a second however many come. */
			(void) usleep(1000000 / DL_SCAN_HZ);
			while ((got = read(ifd, ev, sizeof(ev))) > 0) {
				for (char *p = ev; p < ev + got;) {
					const struct inotify_event *ie =
					    (const void *) p;

					/* (An overflow: read again anyway.) */
					if (ie->mask & (IN_IGNORED |
						IN_DELETE_SELF | IN_MOVE_SELF)) {
						wd = -1; /* watched again */
						if (pathfd >= 0) {
							(void) close(pathfd);
							pathfd = -1;
						}
					}
					p += sizeof(*ie) + ie->len;
				}
			}
		}
	}
	unlink_all();
	_exit(0);
}

pid_t
devlinks_start(const char *root, const char *fsdir, const char *rundir)
{
	pid_t parent = getpid(), pid;

	if (root[0] == '\0') {
		return 0;
	}
	if ((size_t) snprintf(k.root, sizeof(k.root), "%s", root) >=
		sizeof(k.root) ||
	    (size_t) snprintf(k.fsdir, sizeof(k.fsdir), "%s", fsdir) >=
		sizeof(k.fsdir) ||
	    strchr(fsdir, '\n') != NULL ||
	    (size_t) snprintf(k.pathdir, sizeof(k.pathdir), "%s/path",
		rundir) >= sizeof(k.pathdir) ||
	    (size_t) snprintf(k.state, sizeof(k.state), "%s/devlinks",
		rundir) >= sizeof(k.state)) {
		fprintf(stderr, "axon-fs: dev links: paths too long\n");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		perror("axon-fs: dev links: fork");
		return -1;
	}
	if (pid == 0) {
		(void) prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent) {
			_exit(1);
		}
		(void) prctl(PR_SET_NAME, "axon-fs-links");
		(void) signal(SIGPIPE, SIG_IGN);
		keeper();
	}
	return pid;
}

void
devlinks_stop(pid_t pid)
{
	int st, i;

	if (pid <= 0) {
		return;
	}
	(void) kill(pid, SIGTERM);
	for (i = 0; i < 300 && waitpid(pid, &st, WNOHANG) == 0; i++) {
		usleep(10000);
	}
	if (i == 300) {
		(void) kill(pid, SIGKILL);
		(void) waitpid(pid, &st, 0);
	}
}
