/* SPDX-License-Identifier: MIT */
/*
 * A unit built WITHOUT Axon's headers (the Makefile compiles it with
 * -std=gnu89 and glibc's include path only), as a QNX object compiled
 * elsewhere is: it declares QNX's C library extras itself, with QNX's
 * prototypes and QNX's constants, or not at all (stricmp and strcmpi
 * are called with implicit declarations, as C89 allows), and must link
 * against libaxon and get QNX's results (qnx-libc(3), "Symbols").
 * test_qnxsyms links it into a test with libaxon.a; built with
 * -DQNXSYMS_MAIN it is qnxsyms_plain_so, a program linked against
 * libaxon.so, which also checks that each name is libaxon's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* QNX's prototypes, as a QNX object's own headers have them. */
char *strupr(char *s);
char *strlwr(char *s);
char *strrev(char *s);
char *strset(char *s, int c);
char *strnset(char *s, int c, size_t n);
int strnicmp(const char *a, const char *b, size_t n);
int strncmpi(const char *a, const char *b, size_t n);
int memicmp(const void *a, const void *b, size_t n);
char *itoa(int value, char *buf, int radix);
char *ltoa(long value, char *buf, int radix);
char *lltoa(long long value, char *buf, int radix);
char *utoa(unsigned value, char *buf, int radix);
char *ultoa(unsigned long value, char *buf, int radix);
char *ulltoa(unsigned long long value, char *buf, int radix);
unsigned int delay(unsigned int msec);
void nsec2timespec(struct timespec *ts, uint64_t nsec);
uint64_t timespec2nsec(const struct timespec *ts);
int nanospin_ns(unsigned long nsec);
int nanospin(const struct timespec *when);
void nanospin_count(unsigned long count);
unsigned long nanospin_ns_to_count(unsigned long nsec);
int nanospin_calibrate(int disable);
int getprio(pid_t pid);
int setprio(pid_t pid, int prio);
int sopen(const char *path, int oflag, int share, ...);
int spawnl(int mode, const char *path, const char *arg0, ...);
int spawnle(int mode, const char *path, const char *arg0, ...);
int spawnlp(int mode, const char *file, const char *arg0, ...);
int spawnlpe(int mode, const char *file, const char *arg0, ...);
int spawnv(int mode, const char *path, char *const argv[]);
int spawnve(int mode, const char *path, char *const argv[],
    char *const envp[]);
int spawnvp(int mode, const char *file, char *const argv[]);
int spawnvpe(int mode, const char *file, char *const argv[],
    char *const envp[]);
struct inheritance;
pid_t spawn(const char *path, int fd_count, const int fd_map[],
    const struct inheritance *inherit, char *const argv[],
    char *const envp[]);
pid_t spawnp(const char *file, int fd_count, const int fd_map[],
    const struct inheritance *inherit, char *const argv[],
    char *const envp[]);
int pthread_sleepon_lock(void);
int pthread_sleepon_unlock(void);
int pthread_sleepon_wait(const volatile void *addr);
int pthread_sleepon_timedwait(const volatile void *addr, uint64_t nsec);
int pthread_sleepon_signal(const volatile void *addr);
int pthread_sleepon_broadcast(const volatile void *addr);
void atomic_add(volatile unsigned *loc, unsigned v);
unsigned atomic_add_value(volatile unsigned *loc, unsigned v);
void atomic_sub(volatile unsigned *loc, unsigned v);
unsigned atomic_sub_value(volatile unsigned *loc, unsigned v);
void atomic_set(volatile unsigned *loc, unsigned v);
unsigned atomic_set_value(volatile unsigned *loc, unsigned v);
void atomic_clr(volatile unsigned *loc, unsigned v);
unsigned atomic_clr_value(volatile unsigned *loc, unsigned v);
void atomic_toggle(volatile unsigned *loc, unsigned v);
unsigned atomic_toggle_value(volatile unsigned *loc, unsigned v);

/* QNX's constants (<share.h>, <process.h>). */
#define Q_SH_DENYRW 0x10
#define Q_SH_DENYNO 0x40
#define Q_P_WAIT    0

/* P_WAIT returns the child's wait status (spawn(3)). */
#define EXITED(r, n) ((r) >= 0 && WIFEXITED(r) && WEXITSTATUS(r) == (n))

int qnxsyms_plain_run(char *why, size_t len);

#define CHECK(cond)                                                    \
	do {                                                           \
		if (!(cond)) {                                         \
			snprintf(why, len, "%s:%d: %s", __FILE__,      \
			    __LINE__, #cond);                          \
			return 1;                                      \
		}                                                      \
	} while (0)

static int
strings(char *why, size_t len)
{
	char s[16];

	strcpy(s, "Hello, qnx");
	CHECK(strupr(s) == s && strcmp(s, "HELLO, QNX") == 0);
	CHECK(strlwr(s) == s && strcmp(s, "hello, qnx") == 0);
	strcpy(s, "abcd");
	CHECK(strrev(s) == s && strcmp(s, "dcba") == 0);
	CHECK(strset(s, 'x') == s && strcmp(s, "xxxx") == 0);
	CHECK(strnset(s, 'y', 2) == s && strcmp(s, "yyxx") == 0);
	CHECK(strnset(s, 'z', 99) == s && strcmp(s, "zzzz") == 0);
	/* Implicitly declared: int, two pointers. */
	CHECK(stricmp("QNX", "qnx") == 0);
	CHECK(stricmp("abc", "ABD") < 0);
	CHECK(strcmpi("Neutrino", "NEUTRINO") == 0);
	CHECK(strcmpi("b", "A") > 0);
	CHECK(strnicmp("ABCx", "abcy", 3) == 0);
	CHECK(strnicmp("ABCx", "abcy", 4) < 0);
	CHECK(strncmpi("photon", "PHOTOS", 5) == 0);
	CHECK(memicmp("AbC\0z", "aBc\0Z", 5) == 0);
	CHECK(memicmp("AbC", "aBd", 3) < 0);
	return 0;
}

static int
numbers(char *why, size_t len)
{
	char b[80];

	CHECK(itoa(-42, b, 10) == b && strcmp(b, "-42") == 0);
	CHECK(strcmp(itoa(255, b, 16), "ff") == 0);
	CHECK(strcmp(itoa(-1, b, 16), "ffffffff") == 0); /* unsigned bits */
	CHECK(strcmp(ltoa(-1234567890L, b, 10), "-1234567890") == 0);
	CHECK(strcmp(lltoa(-9000000000LL, b, 10), "-9000000000") == 0);
	CHECK(strcmp(utoa(5u, b, 2), "101") == 0);
	CHECK(strcmp(ultoa(4294967295ul, b, 16), "ffffffff") == 0);
	CHECK(strcmp(ulltoa(18446744073709551615ull, b, 36),
		  "3w5e11264sgsf") == 0);
	errno = 0;
	CHECK(itoa(1, b, 1) == NULL && errno == EINVAL);
	errno = 0;
	CHECK(ulltoa(1, b, 37) == NULL && errno == EINVAL);
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
times(char *why, size_t len)
{
	struct timespec ts;
	double t0;

	nsec2timespec(&ts, 1500000001ull);
	CHECK(ts.tv_sec == 1 && ts.tv_nsec == 500000001);
	CHECK(timespec2nsec(&ts) == 1500000001ull);
	t0 = now();
	CHECK(delay(30) == 0);
	CHECK(now() - t0 >= 0.029);
	t0 = now();
	CHECK(nanospin_ns(2000000) == 0);
	CHECK(now() - t0 >= 0.0019);
	CHECK(nanospin_ns(600000000ul) == E2BIG);
	ts.tv_sec = 0;
	ts.tv_nsec = 2000000000L;
	CHECK(nanospin(&ts) == EINVAL);
	ts.tv_nsec = 1000;
	CHECK(nanospin(&ts) == 0);
	CHECK(nanospin_calibrate(0) == 0);
	CHECK(nanospin_ns_to_count(1000000) > 0);
	nanospin_count(100);
	return 0;
}

static int
processes(char *why, size_t len, const char *dir)
{
	char path[256];
	char *argv[4];
	int fd, fd2, st;
	pid_t pid;

	CHECK(getprio(0) == 10); /* SCHED_OTHER: QNX's default */
	CHECK(setprio(0, 10) == 10);
	errno = 0;
	CHECK(setprio(0, 0) == -1 && errno == EINVAL);
	snprintf(path, sizeof(path), "%s/sopen", dir);
	fd = sopen(path, O_RDWR | O_CREAT | O_CLOEXEC, Q_SH_DENYRW, 0600);
	CHECK(fd >= 0);
	/* SH_DENYNO takes no lock: opened while the first holds it. */
	fd2 = sopen(path, O_RDWR | O_CLOEXEC, Q_SH_DENYNO);
	CHECK(fd2 >= 0);
	close(fd2);
	/* SH_DENYRW is refused while the first holds it. */
	errno = 0;
	CHECK(sopen(path, O_RDWR | O_CLOEXEC, Q_SH_DENYRW) == -1 &&
	    errno == EBUSY);
	close(fd);
	unlink(path);
	errno = 0;
	CHECK(sopen(path, O_RDWR | O_CLOEXEC, 0x77) == -1 && errno == EINVAL);

	CHECK(EXITED(spawnl(Q_P_WAIT, "/bin/sh", "sh", "-c", "exit 7",
			  (char *) NULL), 7));
	CHECK(EXITED(spawnlp(Q_P_WAIT, "sh", "sh", "-c", "exit 8",
			  (char *) NULL), 8));
	{
		char *env[] = {"QX=9", NULL};

		CHECK(EXITED(spawnle(Q_P_WAIT, "/bin/sh", "sh", "-c",
				  "exit $QX", (char *) NULL, env), 9));
		CHECK(EXITED(spawnlpe(Q_P_WAIT, "sh", "sh", "-c", "exit $QX",
				  (char *) NULL, env), 9));
		argv[0] = "sh";
		argv[1] = "-c";
		argv[2] = "exit $QX";
		argv[3] = NULL;
		CHECK(EXITED(spawnve(Q_P_WAIT, "/bin/sh", argv, env), 9));
		CHECK(EXITED(spawnvpe(Q_P_WAIT, "sh", argv, env), 9));
	}
	argv[2] = "exit 5";
	CHECK(EXITED(spawnv(Q_P_WAIT, "/bin/sh", argv), 5));
	CHECK(EXITED(spawnvp(Q_P_WAIT, "sh", argv), 5));
	errno = 0;
	CHECK(spawnv(Q_P_WAIT, "/nonexistent/qnx", argv) == -1 &&
	    errno == ENOENT);
	pid = spawn("/bin/sh", 0, NULL, NULL, argv, NULL);
	CHECK(pid > 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 5);
	pid = spawnp("sh", 0, NULL, NULL, argv, NULL);
	CHECK(pid > 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 5);
	return 0;
}

static int
sync_calls(char *why, size_t len)
{
	static int key;
	volatile unsigned v = 5;
	double t0;

	CHECK(pthread_sleepon_lock() == 0);
	CHECK(pthread_sleepon_signal(&key) == 0); /* no one waits */
	CHECK(pthread_sleepon_broadcast(&key) == 0);
	t0 = now();
	CHECK(pthread_sleepon_timedwait(&key, 20000000ull) == ETIMEDOUT);
	CHECK(now() - t0 >= 0.019);
	CHECK(pthread_sleepon_unlock() == 0);
	CHECK(pthread_sleepon_unlock() == EPERM); /* not held */

	atomic_add(&v, 3);
	CHECK(v == 8);
	CHECK(atomic_add_value(&v, 2) == 8 && v == 10);
	atomic_sub(&v, 4);
	CHECK(atomic_sub_value(&v, 1) == 6 && v == 5);
	atomic_set(&v, 0x10);
	CHECK(atomic_set_value(&v, 0x100) == 0x15 && v == 0x115);
	atomic_clr(&v, 0x5);
	CHECK(atomic_clr_value(&v, 0x100) == 0x110 && v == 0x10);
	atomic_toggle(&v, 0x11);
	CHECK(atomic_toggle_value(&v, 0x1) == 0x1 && v == 0);
	return 0;
}

/* 0 if every call gave QNX's result, else 1 and why (the first that
 * did not).  Uses the directory $AXT_PLAIN_DIR (or /tmp) for a file. */
int
qnxsyms_plain_run(char *why, size_t len)
{
	const char *dir = getenv("AXT_PLAIN_DIR");

	why[0] = '\0';
	if (dir == NULL || dir[0] == '\0') {
		dir = "/tmp";
	}
	return strings(why, len) || numbers(why, len) || times(why, len) ||
	    processes(why, len, dir) || sync_calls(why, len);
}

#ifdef QNXSYMS_MAIN
#include <dlfcn.h>

/* Every name is found in libaxon.so, not elsewhere. */
static const char *const names[] = {"strupr", "strlwr", "strrev", "strset",
    "strnset", "stricmp", "strcmpi", "strnicmp", "strncmpi", "memicmp",
    "itoa", "ltoa", "lltoa", "utoa", "ultoa", "ulltoa", "delay",
    "nsec2timespec", "timespec2nsec", "nanospin_ns", "nanospin",
    "nanospin_count", "nanospin_ns_to_count", "nanospin_calibrate",
    "getprio", "setprio", "sopen", "spawnl", "spawnle", "spawnlp",
    "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe", "spawn",
    "spawnp", "pthread_sleepon_lock", "pthread_sleepon_unlock",
    "pthread_sleepon_wait", "pthread_sleepon_timedwait",
    "pthread_sleepon_signal", "pthread_sleepon_broadcast", "atomic_add",
    "atomic_add_value", "atomic_sub", "atomic_sub_value", "atomic_set",
    "atomic_set_value", "atomic_clr", "atomic_clr_value", "atomic_toggle",
    "atomic_toggle_value"};

int
main(void)
{
	char why[256];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		void *p = dlsym(RTLD_DEFAULT, names[i]);
		Dl_info di;

		if (p == NULL || dladdr(p, &di) == 0 ||
		    strstr(di.dli_fname, "libaxon.so") == NULL) {
			printf("%s: not libaxon's (%s)\n", names[i],
			    p == NULL ? "missing" : di.dli_fname);
			return 1;
		}
	}
	if (qnxsyms_plain_run(why, sizeof(why)) != 0) {
		printf("%s\n", why);
		return 1;
	}
	printf("ok %zu names\n", sizeof(names) / sizeof(names[0]));
	return 0;
}
#endif
