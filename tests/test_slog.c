/* SPDX-License-Identifier: MIT */
/*
 * QNX's logging calls (slog2_register(3)): slog2 buffer sets, their
 * verbosity, the default buffer, slog2f/slog2c/slog2fa and their errors,
 * slog2_reset(), and the older slogf/slogb/slogi.  Records are read where
 * they go: standard error (redirected to a file by the test) and the
 * system log, a datagram socket the test binds at /dev/log in a mount
 * namespace of its own, as journald's or rsyslog's would be.
 */
#include "axon_test.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/slog.h>
#include <sys/slog2.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

/* Standard error into a file from here on; the sink goes there. */
static char err_path[300];

static void
err_capture(void)
{
	int fd;

	snprintf(err_path, sizeof(err_path), "%s/stderr", axt_rundir);
	fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

/* What standard error got since err_capture() (and empties it). */
static const char *
err_text(void)
{
	static char buf[4 << 20];
	int fd = open(err_path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t r;

	ck_assert_int_ge(fd, 0);
	while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0) {
		n += (size_t) r;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_uint_lt(n, sizeof(buf) - 1);
	buf[n] = '\0';
	close(fd);
	ck_assert_int_eq(ftruncate(STDERR_FILENO, 0), 0);
	ck_assert_int_eq(lseek(STDERR_FILENO, 0, SEEK_SET), 0);
	return buf;
}

static slog2_buffer_set_config_t
two_buffers(uint8_t verbosity)
{
	slog2_buffer_set_config_t c;

	memset(&c, 0, sizeof(c));
	c.num_buffers = 2;
	c.buffer_set_name = "tset";
	c.verbosity_level = verbosity;
	c.buffer_config[0].buffer_name = "hi";
	c.buffer_config[0].num_pages = 4;
	c.buffer_config[1].buffer_name = "lo";
	c.buffer_config[1].num_pages = 1;
	return c;
}

#define CK_FAILS(call, err)                                                 \
	do {                                                                \
		errno = 0;                                                  \
		ck_assert_int_eq((call), -1);                               \
		ck_assert_int_eq(errno, (err));                             \
	} while (0)

START_TEST(test_register_errors)
{
	slog2_buffer_set_config_t c = two_buffers(SLOG2_INFO);
	slog2_buffer_t h[SLOG2_MAX_BUFFERS];

	setenv("AXON_SLOG", "stderr", 1);
	err_capture();
	/* Nothing registered: every record fails, EPERM. */
	CK_FAILS(slog2c(NULL, 0, SLOG2_ERROR, "x"), EPERM);
	CK_FAILS(slog2f(NULL, 0, SLOG2_ERROR, "%d", 1), EPERM);
	CK_FAILS(slog2_set_verbosity(NULL, SLOG2_INFO), EPERM);
	CK_FAILS(slog2_register(NULL, h, 0), EINVAL);
	CK_FAILS(slog2_register(&c, NULL, 0), EINVAL);
	c.num_buffers = 0;
	CK_FAILS(slog2_register(&c, h, 0), EINVAL);
	c.num_buffers = SLOG2_MAX_BUFFERS + 1;
	CK_FAILS(slog2_register(&c, h, 0), EINVAL);
	c = two_buffers(SLOG2_DEBUG2 + 1);
	CK_FAILS(slog2_register(&c, h, 0), EINVAL);
	c = two_buffers(SLOG2_INFO);
	c.buffer_set_name = NULL;
	CK_FAILS(slog2_register(&c, h, 0), EINVAL);
	c = two_buffers(SLOG2_INFO);
	c.buffer_config[1].buffer_name = "";
	CK_FAILS(slog2_register(&c, h, 0), EINVAL);
	c = two_buffers(SLOG2_INFO);
	c.buffer_config[0].num_pages = 0;
	CK_FAILS(slog2_register(&c, h, 0), EINVAL);
	c = two_buffers(SLOG2_INFO);
	CK_FAILS(slog2_register(&c, h, 0x80000000u), EINVAL);
	/* None of that registered anything. */
	CK_FAILS(slog2c(NULL, 0, SLOG2_ERROR, "x"), EPERM);
	ck_assert_int_eq(slog2_register(&c, h, SLOG2_ALLOC_TYPE_SHMEM), 0);
	/* No default buffer yet; a handle Axon never gave. */
	CK_FAILS(slog2c(NULL, 0, SLOG2_ERROR, "x"), EFAULT);
	CK_FAILS(slog2c((slog2_buffer_t) &c, 0, SLOG2_ERROR, "x"), EINVAL);
	CK_FAILS(slog2c(h[0], 0, SLOG2_ERROR, NULL), EINVAL);
	CK_FAILS(slog2f(h[0], 0, SLOG2_ERROR, NULL), EINVAL);
	CK_FAILS(slog2_set_verbosity(h[0], SLOG2_DEBUG2 + 1), EINVAL);
	ck_assert_ptr_eq(slog2_set_default_buffer((slog2_buffer_t) &c),
	    (slog2_buffer_t) -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(err_text(), "");
}
END_TEST

START_TEST(test_records_verbosity_default)
{
	slog2_buffer_set_config_t c = two_buffers(SLOG2_INFO);
	slog2_buffer_t h[SLOG2_MAX_BUFFERS];

	setenv("AXON_SLOG", "stderr", 1);
	err_capture();
	ck_assert_int_eq(slog2_register(&c, h, 0), 0);
	ck_assert_ptr_ne(h[0], h[1]);
	ck_assert_int_eq(slog2_get_verbosity(h[1]), SLOG2_INFO);
	ck_assert_int_eq(slog2f(h[0], 7, SLOG2_ERROR, "x=%d %s", 5, "y"), 0);
	ck_assert_int_eq(slog2c(h[1], 0, SLOG2_INFO, "constant\n"), 0);
	/* Less severe than the set's verbosity: dropped, not an error. */
	ck_assert_int_eq(slog2c(h[1], 0, SLOG2_DEBUG1, "dropped"), 0);
	ck_assert_int_eq(slog2f(h[0], 0, SLOG2_NOTICE + 2, "dropped"), 0);
	ck_assert_str_eq(err_text(),
	    "tset.hi[7] error: x=5 y\n"
	    "tset.lo[0] info: constant\n");
	/* The verbosity is the whole set's. */
	ck_assert_int_eq(slog2_set_verbosity(h[1], SLOG2_DEBUG2), 0);
	ck_assert_int_eq(slog2_get_verbosity(h[0]), SLOG2_DEBUG2);
	ck_assert_int_eq(slog2c(h[0], 65535, SLOG2_DEBUG2, "now"), 0);
	ck_assert_int_eq(slog2_set_verbosity(h[0], SLOG2_SHUTDOWN), 0);
	ck_assert_int_eq(slog2c(h[0], 1, SLOG2_CRITICAL, "dropped"), 0);
	ck_assert_int_eq(slog2c(h[0], 1, SLOG2_SHUTDOWN, "last"), 0);
	ck_assert_str_eq(err_text(),
	    "tset.hi[65535] debug2: now\n"
	    "tset.hi[1] shutdown: last\n");
	/* The default buffer: NULL uses it; -1 asks without changing. */
	ck_assert_int_eq(slog2_set_verbosity(h[0], SLOG2_DEBUG2), 0);
	ck_assert_ptr_null(slog2_set_default_buffer(h[1]));
	ck_assert_ptr_eq(slog2_set_default_buffer((slog2_buffer_t) -1), h[1]);
	ck_assert_int_eq(slog2f(NULL, 3, SLOG2_WARNING, "via %s", "default"),
	    0);
	ck_assert_ptr_eq(slog2_set_default_buffer(NULL), h[1]);
	CK_FAILS(slog2c(NULL, 0, SLOG2_ERROR, "x"), EFAULT);
	ck_assert_str_eq(err_text(), "tset.lo[3] warning: via default\n");
}
END_TEST

START_TEST(test_newlines_and_length)
{
	slog2_buffer_set_config_t c = two_buffers(SLOG2_DEBUG2);
	slog2_buffer_t h[SLOG2_MAX_BUFFERS], d[SLOG2_MAX_BUFFERS];
	char big[6000];
	const char *t;

	setenv("AXON_SLOG", "stderr", 1);
	err_capture();
	ck_assert_int_eq(slog2_register(&c, h, 0), 0);
	c.buffer_set_name = "flat";
	ck_assert_int_eq(slog2_register(&c, d, SLOG2_DISCARD_NEWLINE), 0);
	ck_assert_int_eq(slog2c(h[0], 0, SLOG2_INFO, "a\nb\n\n"), 0);
	ck_assert_int_eq(slog2c(d[0], 0, SLOG2_INFO, "a\n\n\nb\nc\n"), 0);
	ck_assert_str_eq(err_text(),
	    "tset.hi[0] info: a\nb\n"
	    "flat.hi[0] info: a b c\n");
	/* A long record is cut, not refused: its line is PIPE_BUF bytes,
	 * newline included (one write(2), which a pipe keeps whole). */
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(slog2c(h[1], 0, SLOG2_INFO, big), 0);
	t = err_text();
	ck_assert_uint_eq(strlen(t), PIPE_BUF);
	ck_assert_int_eq(strncmp(t, "tset.lo[0] info: zzz", 20), 0);
	ck_assert_int_eq(t[PIPE_BUF - 1], '\n');
}
END_TEST

START_TEST(test_slog2fa)
{
	slog2_buffer_set_config_t c = two_buffers(SLOG2_DEBUG2);
	slog2_buffer_t h[SLOG2_MAX_BUFFERS];
	int8_t small = -1;

	setenv("AXON_SLOG", "stderr", 1);
	err_capture();
	ck_assert_int_eq(slog2_register(&c, h, 0), 0);
	ck_assert_int_eq(slog2fa(h[0], 2, SLOG2_NOTICE,
	    "string:%s, some_number:%d", SLOG2_FA_STRING("Hello world"),
	    SLOG2_FA_SIGNED(small), SLOG2_FA_END), 0);
	ck_assert_int_eq(slog2fa(h[0], 2, SLOG2_NOTICE,
	    "%u %lu %x %05.2f %c %*d|%-4s|%.1e %% %hhd",
	    SLOG2_FA_UNSIGNED(4000000000u), SLOG2_FA_UNSIGNED(1ul << 40),
	    SLOG2_FA_UNSIGNED(255), SLOG2_FA_DOUBLE(3.14159),
	    SLOG2_FA_CHAR('q'), SLOG2_FA_STAR(4), SLOG2_FA_SIGNED(-7),
	    SLOG2_FA_STRING("ab"), SLOG2_FA_FLOAT(1500.0f),
	    SLOG2_FA_SIGNED(-3), SLOG2_FA_END), 0);
	ck_assert_str_eq(err_text(),
	    "tset.hi[2] notice: string:Hello world, some_number:-1\n"
	    "tset.hi[2] notice: 4000000000 1099511627776 ff 03.14 q   -7|ab  "
	    "|1.5e+03 % -3\n");
	/* A tag that does not fit the conversion, the list's end too soon,
	 * %n, a conversion it does not know: EINVAL, nothing written. */
	CK_FAILS(slog2fa(h[0], 0, SLOG2_INFO, "%d",
	    SLOG2_FA_STRING("no"), SLOG2_FA_END), EINVAL);
	CK_FAILS(slog2fa(h[0], 0, SLOG2_INFO, "%s", SLOG2_FA_SIGNED(1),
	    SLOG2_FA_END), EINVAL);
	CK_FAILS(slog2fa(h[0], 0, SLOG2_INFO, "%d %d", SLOG2_FA_SIGNED(1),
	    SLOG2_FA_END), EINVAL);
	CK_FAILS(slog2fa(h[0], 0, SLOG2_INFO, "%*d", SLOG2_FA_SIGNED(1),
	    SLOG2_FA_END), EINVAL);
	CK_FAILS(slog2fa(h[0], 0, SLOG2_INFO, "%n", SLOG2_FA_SIGNED(1),
	    SLOG2_FA_END), EINVAL);
	CK_FAILS(slog2fa(h[0], 0, SLOG2_INFO, "%Q", SLOG2_FA_END), EINVAL);
	CK_FAILS(slog2fa(h[0], 0, SLOG2_INFO, "%1234567d", SLOG2_FA_SIGNED(1),
	    SLOG2_FA_END), EINVAL);
	CK_FAILS(slog2fa(h[0], 0, SLOG2_INFO, "ends with %", SLOG2_FA_END),
	    EINVAL);
	/* Dropped below the verbosity before its arguments are read. */
	ck_assert_int_eq(slog2_set_verbosity(h[0], SLOG2_ERROR), 0);
	ck_assert_int_eq(slog2fa(h[0], 0, SLOG2_INFO, "%d", SLOG2_FA_END), 0);
	ck_assert_str_eq(err_text(), "");
}
END_TEST

START_TEST(test_reset_and_reuse)
{
	slog2_buffer_set_config_t c = two_buffers(SLOG2_INFO);
	slog2_buffer_t h[SLOG2_MAX_BUFFERS], r[SLOG2_MAX_BUFFERS];
	slog2_buffer_t x[SLOG2_MAX_BUFFERS];

	setenv("AXON_SLOG", "stderr", 1);
	err_capture();
	ck_assert_int_eq(slog2_register(&c, h, 0), 0);
	/* The same set again: reused only when asked. */
	ck_assert_int_eq(slog2_register(&c, r, SLOG2_TRY_REUSE_BUFFER_SET), 0);
	ck_assert_ptr_eq(r[0], h[0]);
	ck_assert_ptr_eq(r[1], h[1]);
	ck_assert_int_eq(slog2_register(&c, x, 0), 0);
	ck_assert_ptr_ne(x[0], h[0]);
	c.buffer_config[1].num_pages = 2; /* not the same any more */
	ck_assert_int_eq(slog2_register(&c, r, SLOG2_TRY_REUSE_BUFFER_SET), 0);
	ck_assert_ptr_ne(r[0], h[0]);
	ck_assert_ptr_ne(r[0], x[0]);
	slog2_set_default_buffer(h[0]);
	ck_assert_int_eq(slog2_reset(), 0);
	/* After the reset: old handles unregistered, no default. */
	CK_FAILS(slog2c(h[0], 0, SLOG2_ERROR, "x"), EPERM);
	CK_FAILS(slog2c(NULL, 0, SLOG2_ERROR, "x"), EPERM);
	errno = 0;
	ck_assert_int_eq(slog2_get_verbosity(h[1]), SLOG2_INVALID_VERBOSITY);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(slog2_register(&c, r, 0), 0);
	CK_FAILS(slog2c(NULL, 0, SLOG2_ERROR, "x"), EFAULT);
	ck_assert_ptr_eq(slog2_set_default_buffer((slog2_buffer_t) -1), NULL);
	ck_assert_int_eq(slog2c(r[1], 9, SLOG2_ERROR, "again"), 0);
	ck_assert_str_eq(err_text(), "tset.lo[9] error: again\n");
	/* Many registrations and resets: sets are reused, not piled up. */
	for (int i = 0; i < 10000; i++) {
		ck_assert_int_eq(slog2_register(&c, r, 0), 0);
		if (i % 3 == 2) {
			ck_assert_int_eq(slog2_reset(), 0);
		}
	}
}
END_TEST

START_TEST(test_slogf_family)
{
	unsigned char block[3] = {1, 2, 0xff};
	int code = _SLOG_SETCODE(_SLOGC_TEST, 3);

	setenv("AXON_SLOG", "stderr", 1);
	err_capture();
	ck_assert_int_eq(_SLOG_GETMAJOR(code), _SLOGC_TEST);
	ck_assert_int_eq(_SLOG_GETMINOR(code), 3);
	/* The bytes of the message, without registering anything. */
	ck_assert_int_eq(slogf(code, _SLOG_WARNING, "n=%d\n", 4), 4);
	ck_assert_int_eq(slogi(code, _SLOG_INFO, 3, 1, -2, 3), 12);
	ck_assert_int_eq(slogb(code, _SLOG_DEBUG1, block, 3), 3);
	ck_assert_int_eq(slogi(code, _SLOG_INFO, 0), 0);
	ck_assert_str_eq(err_text(),
	    "slog[10000.3] warning: n=4\n"
	    "slog[10000.3] info: 1 -2 3\n"
	    "slog[10000.3] debug1: 3 bytes: 01 02 ff\n"
	    "slog[10000.3] info: \n");
	CK_FAILS(slogf(code, _SLOG_INFO, NULL), EINVAL);
	CK_FAILS(slogf(code, -1, "x"), EINVAL);
	CK_FAILS(slogi(code, _SLOG_INFO, 33), EINVAL);
	CK_FAILS(slogi(code, _SLOG_INFO, -1), EINVAL);
	CK_FAILS(slogb(code, _SLOG_INFO, block, 1021), EINVAL);
	CK_FAILS(slogb(code, _SLOG_INFO, NULL, 1), EINVAL);
	CK_FAILS(slogb(code, _SLOG_INFO, block, -1), EINVAL);
	ck_assert_str_eq(err_text(), "");
}
END_TEST

START_TEST(test_bad_axon_slog)
{
	setenv("AXON_SLOG", "journal", 1);
	err_capture();
	/* Said once; then the default (standard error where /dev/log is
	 * no socket, the system log where it is). */
	ck_assert_int_ge(slogf(0, _SLOG_ERROR, "one"), 0);
	ck_assert_int_ge(slogf(0, _SLOG_ERROR, "two"), 0);
	ck_assert_ptr_nonnull(strstr(err_text(),
	    "axon: AXON_SLOG is not syslog, stderr or both; using the "
	    "default\n"));
}
END_TEST

/*
 * The system log: in a child with a mount namespace of its own, a
 * datagram socket bound at /dev/log (a tmpfs over /dev) takes what
 * syslog(3) sends, and AXON_SLOG unset chooses it.
 */
static int
syslog_child(void)
{
	slog2_buffer_set_config_t c = two_buffers(SLOG2_INFO);
	slog2_buffer_t h[SLOG2_MAX_BUFFERS];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 5};
	char buf[4096];
	int s;
	ssize_t n;

	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/dev", "tmpfs", 0, "mode=0755") < 0) {
		return 10;
	}
	strcpy(sa.sun_path, "/dev/log");
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		return 11;
	}
	unsetenv("AXON_SLOG");
	if (slog2_register(&c, h, 0) != 0 ||
	    slog2f(h[0], 5, SLOG2_WARNING, "hello %d", 1) != 0) {
		return 12;
	}
	n = recv(s, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		return 13;
	}
	buf[n] = '\0';
	/* <LOG_USER | LOG_WARNING> ... tset.hi[5]: hello 1 */
	if (strncmp(buf, "<12>", 4) != 0 ||
	    strstr(buf, ": tset.hi[5]: hello 1") == NULL) {
		fprintf(stdout, "got: %s\n", buf);
		return 14;
	}
	if (slogf(_SLOG_SETCODE(_SLOGC_TEST, 1), _SLOG_CRITICAL, "c") != 1 ||
	    (n = recv(s, buf, sizeof(buf) - 1, 0)) <= 0) {
		return 15;
	}
	buf[n] = '\0';
	if (strncmp(buf, "<10>", 4) != 0 ||
	    strstr(buf, ": slog[10000.1]: c") == NULL) {
		fprintf(stdout, "got: %s\n", buf);
		return 16;
	}
	return 0;
}

START_TEST(test_syslog)
{
	int st;
	pid_t pid;

	if (geteuid() != 0) {
		fprintf(stderr, "test_syslog: skipped (needs root for a mount "
				"namespace)\n");
		return;
	}
	err_capture();
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		_exit(syslog_child());
	}
	st = axt_waitpid(pid, 10);
	ck_assert(st != -1 && WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	/* Nothing on standard error: the system log was there. */
	ck_assert_str_eq(err_text(), "");
}
END_TEST

/* Threads logging while another registers and resets: each call either
 * writes its whole line or fails EPERM; nothing torn, nothing crashes
 * (and TSan sees the registry's locking).  The reset comes once every
 * thread has logged, and the threads go on until each has been refused,
 * so that both outcomes happen in every run. */
struct churn {
	slog2_buffer_t h;
	_Atomic int ok, eperm, other;
};

static atomic_bool churn_stop;

static void *
churn_log(void *arg)
{
	struct churn *c = arg;

	for (int i = 0; i < 1000000 && !atomic_load(&churn_stop); i++) {
		int rc = slog2c(c->h, (uint16_t) i, SLOG2_ERROR, "line");

		if (rc == 0) {
			if (atomic_fetch_add(&c->ok, 1) >= 50) {
				axt_sleep_ms(1); /* enough: one a millisecond */
			}
		} else if (errno == EPERM) {
			atomic_fetch_add(&c->eperm, 1);
		} else {
			atomic_fetch_add(&c->other, 1);
		}
	}
	return NULL;
}

START_TEST(test_threads)
{
	slog2_buffer_set_config_t c = two_buffers(SLOG2_INFO);
	slog2_buffer_t h[SLOG2_MAX_BUFFERS], r[SLOG2_MAX_BUFFERS];
	struct churn ch[3];
	pthread_t th[3];
	const char *t;
	int lines = 0, ok = 0;
	double end;

	setenv("AXON_SLOG", "stderr", 1);
	err_capture();
	ck_assert_int_eq(slog2_register(&c, h, 0), 0);
	atomic_store(&churn_stop, false);
	for (int i = 0; i < 3; i++) {
		memset(&ch[i], 0, sizeof(ch[i]));
		ch[i].h = h[i % 2];
		ck_assert_int_eq(pthread_create(&th[i], NULL, churn_log, &ch[i]),
		    0);
	}
	/* Registrations of other sets while they log... */
	for (int i = 0; i < 200; i++) {
		c.buffer_set_name = "other";
		ck_assert_int_eq(slog2_register(&c, r, 0), 0);
		ck_assert_int_eq(slog2c(r[0], 0, SLOG2_ERROR, "line"), 0);
	}
	end = axt_now() + 10;
	for (int i = 0; i < 3; i++) {
		while (atomic_load(&ch[i].ok) == 0 && axt_now() < end) {
			axt_sleep_ms(1);
		}
	}
	/* ...then the reset, under their feet. */
	ck_assert_int_eq(slog2_reset(), 0);
	for (int i = 0; i < 3; i++) {
		while (atomic_load(&ch[i].eperm) == 0 && axt_now() < end) {
			axt_sleep_ms(1);
		}
	}
	atomic_store(&churn_stop, true);
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		ok += atomic_load(&ch[i].ok);
		ck_assert_int_eq(atomic_load(&ch[i].other), 0);
		ck_assert_int_gt(atomic_load(&ch[i].ok), 0);
		ck_assert_int_gt(atomic_load(&ch[i].eperm), 0);
	}
	t = err_text();
	for (const char *p = t; *p != '\0'; p = strchr(p, '\n') + 1) {
		ck_assert(strncmp(p, "tset.", 5) == 0 ||
		    strncmp(p, "other.", 6) == 0);
		ck_assert_ptr_nonnull(strstr(p, " error: line\n"));
		lines++;
	}
	ck_assert_int_eq(lines, ok + 200);
}
END_TEST

static Suite *
slog_suite(void)
{
	Suite *s = suite_create("slog");
	TCase *t = axt_tcase("slog", 30);

	tcase_add_test(t, test_register_errors);
	tcase_add_test(t, test_records_verbosity_default);
	tcase_add_test(t, test_newlines_and_length);
	tcase_add_test(t, test_slog2fa);
	tcase_add_test(t, test_reset_and_reuse);
	tcase_add_test(t, test_slogf_family);
	tcase_add_test(t, test_bad_axon_slog);
	tcase_add_test(t, test_syslog);
	tcase_add_test(t, test_threads);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	/* Each test in a process of its own: the sink is chosen once per
	 * process and the registry is the process's. */
	setenv("CK_FORK", "yes", 1);
	return axt_run(slog_suite());
}
