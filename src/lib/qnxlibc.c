/* SPDX-License-Identifier: MIT */
/*
 * QNX's libc extras that glibc lacks, behind Axon's <string.h>,
 * <confname.h>, <share.h>, <sched.h> and <pthread.h>
 * (see qnx-libc(3)).  Everything here is exported under an axon_ name;
 * the headers map QNX's names onto them.  The string functions are weak,
 * so that a program's own strlcpy() or strupr() wins over Axon's.  Those
 * no C library has are also exported under QNX's names (at the end), for
 * objects built without Axon's headers.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <confname.h>
#include <sched.h>
#include <share.h>

#include "internal.h"

/* The system's functions, not the names the headers map onto Axon's. */
#undef confstr

#define AXON_WEAK __attribute__((weak))

/* Declared by <string.h> only where the C library lacks them. */
AXON_EXPORT size_t axon_strlcpy(char *dst, const char *src, size_t size);
AXON_EXPORT size_t axon_strlcat(char *dst, const char *src, size_t size);

/* ---- <string.h> -------------------------------------------------------- */

AXON_WEAK size_t
axon_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

AXON_WEAK size_t
axon_strlcat(char *dst, const char *src, size_t size)
{
	size_t d = strnlen(dst, size);

	/* No terminator within size: nothing is appended, as BSD's. */
	if (d == size) {
		return size + strlen(src);
	}
	return d + axon_strlcpy(dst + d, src, size - d);
}

AXON_WEAK char *
axon_strupr(char *s)
{
	for (char *p = s; *p != '\0'; p++) {
		*p = (char) toupper((unsigned char) *p);
	}
	return s;
}

AXON_WEAK char *
axon_strlwr(char *s)
{
	for (char *p = s; *p != '\0'; p++) {
		*p = (char) tolower((unsigned char) *p);
	}
	return s;
}

AXON_WEAK char *
axon_strrev(char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n / 2; i++) {
		char t = s[i];

		s[i] = s[n - 1 - i];
		s[n - 1 - i] = t;
	}
	return s;
}

AXON_WEAK char *
axon_strset(char *s, int c)
{
	memset(s, c, strlen(s));
	return s;
}

AXON_WEAK char *
axon_strnset(char *s, int c, size_t n)
{
	memset(s, c, strnlen(s, n));
	return s;
}

AXON_WEAK int
axon_stricmp(const char *a, const char *b)
{
	return strcasecmp(a, b);
}

AXON_WEAK int
axon_strnicmp(const char *a, const char *b, size_t n)
{
	return strncasecmp(a, b, n);
}

AXON_WEAK int
axon_memicmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a;
	const unsigned char *y = b;

	for (size_t i = 0; i < n; i++) {
		int d = tolower(x[i]) - tolower(y[i]);

		if (d != 0) {
			return d;
		}
	}
	return 0;
}

/* ---- <confname.h> ------------------------------------------------------ */

/* Copies v into buf as confstr() does: returns the size v needs with its
 * terminator, truncating to len. */
static size_t
cs_put(const char *v, char *buf, size_t len)
{
	size_t n = strlen(v) + 1;

	if (buf != NULL && len > 0) {
		size_t c = n < len ? n : len;

		memcpy(buf, v, c - 1);
		buf[c - 1] = '\0';
	}
	return n;
}

/* The first line of a small file, or "" when it cannot be read. */
static void
cs_file_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");

	out[0] = '\0';
	if (f != NULL) {
		if (fgets(out, (int) len, f) == NULL) {
			out[0] = '\0';
		}
		out[strcspn(out, "\n")] = '\0';
		(void) fclose(f);
	}
}

/* resolv.conf without its domain line, its lines joined by newlines. */
static void
cs_resolve(char *out, size_t len)
{
	FILE *f = fopen("/etc/resolv.conf", "re");
	char line[512];
	size_t used = 0;

	out[0] = '\0';
	if (f == NULL) {
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strlen(line);

		if (strncmp(line, "domain", 6) == 0 || line[0] == '#' ||
		    used + n + 1 > len) {
			continue;
		}
		memcpy(out + used, line, n + 1);
		used += n;
	}
	(void) fclose(f);
}

size_t
axon_confstr(int name, char *buf, size_t len)
{
	struct utsname u;
	char v[4096];
	const char *tz;

	if (name < _CS_ARCHITECTURE || name > _CS_VERSION) {
		return confstr(name, buf, len);
	}
	if (uname(&u) != 0) {
		return 0;
	}
	v[0] = '\0';
	switch (name) {
	case _CS_ARCHITECTURE:
	case _CS_MACHINE:
		(void) axon_strlcpy(v, u.machine, sizeof(v));
		break;
	case _CS_DOMAIN:
		if (getdomainname(v, sizeof(v)) != 0 ||
		    strcmp(v, "(none)") == 0) {
			v[0] = '\0';
		}
		break;
	case _CS_HOSTNAME:
		if (gethostname(v, sizeof(v)) != 0) {
			return 0;
		}
		v[sizeof(v) - 1] = '\0';
		break;
	case _CS_HW_PROVIDER:
		cs_file_line("/sys/class/dmi/id/sys_vendor", v, sizeof(v));
		break;
	case _CS_HW_SERIAL:
		cs_file_line("/sys/class/dmi/id/product_serial", v, sizeof(v));
		break;
	case _CS_LIBPATH:
		(void) axon_strlcpy(v, "/lib:/usr/lib:/usr/local/lib",
		    sizeof(v));
		break;
	case _CS_LOCALE: {
		const char *l = setlocale(LC_ALL, NULL);

		(void) axon_strlcpy(v, l != NULL ? l : "C", sizeof(v));
		break;
	}
	case _CS_RELEASE:
		(void) axon_strlcpy(v, u.release, sizeof(v));
		break;
	case _CS_RESOLVE:
		cs_resolve(v, sizeof(v));
		break;
	case _CS_SYSNAME:
		(void) axon_strlcpy(v, u.sysname, sizeof(v));
		break;
	case _CS_TIMEZONE:
		tz = getenv("TZ");
		(void) axon_strlcpy(v, tz != NULL ? tz : "", sizeof(v));
		break;
	case _CS_VERSION:
		(void) axon_strlcpy(v, u.version, sizeof(v));
		break;
	default:
		break; /* _CS_SRPC_DOMAIN: no secure RPC on Linux */
	}
	/* A name without a value: 0 and errno unchanged, as POSIX says. */
	if (v[0] == '\0') {
		return 0;
	}
	return cs_put(v, buf, len);
}

/* ---- <share.h> --------------------------------------------------------- */

/* The advisory lock a share mode takes (see share.h), or 0 for none. */
static int
share_lock(int share)
{
	switch (share) {
	case SH_DENYRW:
		return LOCK_EX;
	case SH_DENYWR:
	case SH_DENYRD:
		return LOCK_SH;
	default:
		return 0;
	}
}

int
axon_sopen(const char *path, int oflag, int share, ...)
{
	mode_t mode = 0;
	int lk;
	int fd;

	if (share != SH_COMPAT && share != SH_DENYRW && share != SH_DENYWR &&
	    share != SH_DENYRD && share != SH_DENYNO) {
		errno = EINVAL;
		return -1;
	}
	if (oflag & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, share);
		mode = (mode_t) va_arg(ap, int);
		va_end(ap);
	}
	fd = open(path, oflag, mode);
	if (fd < 0) {
		return -1;
	}
	lk = share_lock(share);
	if (lk != 0 && flock(fd, lk | LOCK_NB) != 0) {
		int e = errno == EWOULDBLOCK ? EBUSY : errno;

		(void) close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

FILE *
axon_fsopen(const char *path, const char *mode, int share)
{
	int oflag;
	int fd;
	FILE *f;

	if (mode == NULL || path == NULL) {
		errno = EINVAL;
		return NULL;
	}
	switch (mode[0]) {
	case 'r':
		oflag = strchr(mode, '+') != NULL ? O_RDWR : O_RDONLY;
		break;
	case 'w':
		oflag = (strchr(mode, '+') != NULL ? O_RDWR : O_WRONLY) |
		    O_CREAT | O_TRUNC;
		break;
	case 'a':
		oflag = (strchr(mode, '+') != NULL ? O_RDWR : O_WRONLY) |
		    O_CREAT | O_APPEND;
		break;
	default:
		errno = EINVAL;
		return NULL;
	}
	fd = axon_sopen(path, oflag | O_CLOEXEC, share, 0666);
	if (fd < 0) {
		return NULL;
	}
	f = fdopen(fd, mode);
	if (f == NULL) {
		int e = errno;

		(void) close(fd);
		errno = e;
	}
	return f;
}

/* ---- <sched.h>: getprio() and setprio() -------------------------------- */

/*
 * QNX priorities under Axon (see MsgReceive(3)): a SCHED_FIFO or SCHED_RR
 * thread's priority is its Linux real-time priority; any other thread
 * runs at QNX's default, 10.  Linux real-time priorities stop at 99.
 */
int
axon_getprio(pid_t pid)
{
	struct sched_param sp;
	int pol;

	if (pid < 0) {
		errno = ESRCH;
		return -1;
	}
	pol = sched_getscheduler(pid);
	if (pol < 0 || sched_getparam(pid, &sp) != 0) {
		return -1; /* ESRCH or EPERM, from the kernel */
	}
	return pol == SCHED_FIFO || pol == SCHED_RR ? sp.sched_priority : 10;
}

int
axon_setprio(pid_t pid, int prio)
{
	struct sched_param sp;
	int old;
	int pol;

	if (prio < 1 || prio > sched_get_priority_max(SCHED_FIFO)) {
		errno = EINVAL;
		return -1;
	}
	old = axon_getprio(pid);
	if (old < 0) {
		return -1;
	}
	pol = sched_getscheduler(pid);
	if (pol < 0) {
		return -1;
	}
	if (pol != SCHED_FIFO && pol != SCHED_RR) {
		if (prio == 10) {
			return old; /* already QNX's default */
		}
		pol = SCHED_RR; /* QNX's default policy */
	}
	sp.sched_priority = prio;
	if (sched_setscheduler(pid, pol, &sp) != 0) {
		return -1; /* EPERM without CAP_SYS_NICE or RLIMIT_RTPRIO */
	}
	return old;
}

/* ---- <pthread.h> -------------------------------------------------------- */

struct pstart {
	void *(*start)(void *);
	void *arg;
};

/* Every thread a QNX program starts is one whose death its
 * _NTO_CHF_THREAD_DEATH channel hears of, whether or not it ever calls
 * libaxon. */
static void *
pstart_main(void *p)
{
	struct pstart ps = *(struct pstart *) p;

	free(p);
	axon__thread_watch();
	axon__tls_start(ps.arg);
	return ps.start(ps.arg);
}

int
axon_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
    void *(*start)(void *), void *arg)
{
	struct pstart *ps = malloc(sizeof(*ps));
	pthread_t t;
	int rc;

	if (ps == NULL) {
		return EAGAIN;
	}
	ps->start = start;
	ps->arg = arg;
	rc = pthread_create(thread != NULL ? thread : &t, attr, pstart_main,
	    ps);
	if (rc != 0) {
		free(ps);
	}
	return rc;
}

/*
 * QNX's pthread_join() is ThreadJoin(): it honours a TimerTimeout() armed
 * for _NTO_TIMEOUT_JOIN and, as the return of every kernel call does,
 * disarms whatever timeout was armed, used or not.  With a JOIN timeout
 * the wait ends at its deadline with ETIMEDOUT and the thread stays
 * joinable.  A QNX pthread_t is a thread id; glibc's is an address, and
 * none lies below 4 MiB (PID_MAX_LIMIT on 64-bit Linux, and where a
 * non-PIE program's text begins), so a value below that is a thread id
 * and goes to ThreadJoin(), which knows ThreadCreate()'s threads and
 * answers ESRCH for any other.
 */
#define AXON_TID_LIMIT 0x400000ul

int
axon_pthread_join(pthread_t thread, void **status)
{
	struct axon_deadline dl;
	int rc;

	if ((unsigned long) thread < AXON_TID_LIMIT) {
		/* ThreadJoin_r() takes the armed timeout itself. */
		rc = ThreadJoin_r((int) thread, status);
		return rc < 0 ? -rc : 0;
	}
	axon__timeout_take(&dl);
	if (pthread_equal(thread, pthread_self())) {
		return EDEADLK; /* as glibc's (whose self-join ThreadSanitizer
				 * cannot take) */
	}
	if (!axon__deadline_applies(&dl, _NTO_TIMEOUT_JOIN)) {
		return pthread_join(thread, status);
	}
	if (dl.immediate) {
		rc = pthread_tryjoin_np(thread, status);
		return rc == EBUSY ? ETIMEDOUT : rc;
	}
	return axon__join_until(thread, status, &dl.at);
}

/* QNX's names (AXON_QNX_NAME, internal.h); not fsopen, which glibc 2.36
 * has (the mount API's), nor strlcpy and strlcat, which glibc 2.38 has:
 * ours would take their calls from every library of the process. */
#undef strupr
#undef strlwr
#undef strrev
#undef strset
#undef strnset
#undef stricmp
#undef strcmpi
#undef strnicmp
#undef strncmpi
#undef memicmp
#undef sopen
#undef getprio
#undef setprio
AXON_QNX_NAME(strupr, axon_strupr);
AXON_QNX_NAME(strlwr, axon_strlwr);
AXON_QNX_NAME(strrev, axon_strrev);
AXON_QNX_NAME(strset, axon_strset);
AXON_QNX_NAME(strnset, axon_strnset);
AXON_QNX_NAME(stricmp, axon_stricmp);
AXON_QNX_NAME(strcmpi, axon_stricmp);
AXON_QNX_NAME(strnicmp, axon_strnicmp);
AXON_QNX_NAME(strncmpi, axon_strnicmp);
AXON_QNX_NAME(memicmp, axon_memicmp);
AXON_QNX_NAME(sopen, axon_sopen);
AXON_QNX_NAME(getprio, axon_getprio);
AXON_QNX_NAME(setprio, axon_setprio);
