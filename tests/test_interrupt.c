/* SPDX-License-Identifier: MIT */
/*
 * Interrupts and port I/O (InterruptAttach(3)): what a Linux process
 * gets for QNX's calls, that is QNX's answers to a thread without I/O
 * privileges: attaching and masking fail with EPERM, detaching with
 * EINVAL, InterruptWait() ends only by its TimerTimeout() or a signal,
 * and the calls that would disable interrupts, like the in and out
 * instructions of <hw/inout.h> on x86, fault with SIGSEGV (children).
 */
#include "attack.h"
#include "axon_test.h"

#include <hw/inout.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/neutrino.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const struct sigevent *
handler(void *area, int id)
{
	(void) area;
	(void) id;
	return NULL;
}

START_TEST(test_attach_mask_detach)
{
	struct sigevent ev;

	SIGEV_INTR_INIT(&ev);
	errno = 0;
	ck_assert_int_eq(InterruptAttach(5, handler, NULL, 0,
	    _NTO_INTR_FLAGS_TRK_MSK), -1);
	ck_assert_int_eq(errno, EPERM);
	errno = 0;
	ck_assert_int_eq(InterruptAttachEvent(5, &ev, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	/* The _r forms return the error and leave errno alone. */
	errno = 1234;
	ck_assert_int_eq(InterruptAttach_r(5, handler, NULL, 0, 0), -EPERM);
	ck_assert_int_eq(InterruptAttachEvent_r(5, &ev,
	    _NTO_INTR_FLAGS_PROCESS), -EPERM);
	ck_assert_int_eq(InterruptDetach_r(0), -EINVAL);
	ck_assert_int_eq(errno, 1234);
	ck_assert_int_eq(InterruptDetach(3), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* QNX 8's interrupt service thread: the same privileges, EPERM. */
	errno = 0;
	ck_assert_int_eq(InterruptAttachThread(5, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	errno = 1234;
	ck_assert_int_eq(InterruptAttachThread_r(5, _NTO_INTR_FLAGS_NO_UNMASK),
	    -EPERM);
	ck_assert_int_eq(errno, 1234);
	errno = 0;
	ck_assert_int_eq(InterruptMask(5, -1), -1);
	ck_assert_int_eq(errno, EPERM);
	errno = 0;
	ck_assert_int_eq(InterruptUnmask(5, -1), -1);
	ck_assert_int_eq(errno, EPERM);
	/* Nor does ThreadCtl() give the privileges that would change it. */
	errno = 0;
	ck_assert_int_eq(ThreadCtl(_NTO_TCTL_IO, 0), -1);
	ck_assert_int_eq(errno, EPERM);
}
END_TEST

static void
on_usr1(int sig)
{
	(void) sig;
}

/* Sends SIGUSR1 to target every 10 ms until stop: a signal that came
 * before the wait began does not leave the wait without one. */
struct kicker {
	pthread_t target;
	atomic_bool stop;
};

static void *
kick(void *arg)
{
	struct kicker *k = arg;

	axt_sleep_ms(30);
	while (!atomic_load(&k->stop)) {
		pthread_kill(k->target, SIGUSR1);
		axt_sleep_ms(10);
	}
	return NULL;
}

START_TEST(test_wait)
{
	uint64_t ns = 30000000; /* 30 ms */
	uint64_t dummy = 1;
	struct sigaction sa = {.sa_handler = on_usr1};
	struct kicker k = {.target = pthread_self()};
	pthread_t th;
	double t0;

	/* Bad arguments; _NTO_INTR_WAIT_FLAGS_FAST outside an IST (no thread
	 * is one here). */
	ck_assert_int_eq(InterruptWait_r(0x100, NULL), -EINVAL);
	ck_assert_int_eq(InterruptWait_r(0, &dummy), -EINVAL);
	ck_assert_int_eq(InterruptWait_r(_NTO_INTR_WAIT_FLAGS_FAST, NULL),
	    -EINVAL);
	errno = 0;
	ck_assert_int_eq(InterruptWait(_NTO_INTR_WAIT_FLAGS_FAST |
	    _NTO_INTR_WAIT_FLAGS_UNMASK, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* _NTO_INTR_WAIT_FLAGS_UNMASK: nothing to unmask, the same wait. */
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_INTR,
	    NULL, NULL, NULL), 0);
	ck_assert_int_eq(InterruptWait_r(_NTO_INTR_WAIT_FLAGS_UNMASK, NULL),
	    -ETIMEDOUT);
	/* A TimerTimeout() for INTR ends it, at its time. */
	t0 = axt_now();
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_INTR,
	    NULL, &ns, NULL), 0);
	errno = 0;
	ck_assert_int_eq(InterruptWait(0, NULL), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert(axt_now() - t0 >= 0.029);
	/* With no time: at once. */
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_INTR,
	    NULL, NULL, NULL), 0);
	ck_assert_int_eq(InterruptWait_r(0, NULL), -ETIMEDOUT);
	/* A timeout for another state does not bound it (and is used up):
	 * a signal's handler ends it. */
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	ck_assert_int_eq(TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND,
	    NULL, NULL, NULL), 0);
	atomic_store(&k.stop, false);
	t0 = axt_now();
	ck_assert_int_eq(pthread_create(&th, NULL, kick, &k), 0);
	ck_assert_int_eq(InterruptWait_r(0, NULL), -EINTR);
	ck_assert(axt_now() - t0 >= 0.029);
	atomic_store(&k.stop, true);
	pthread_join(th, NULL);
}
END_TEST

/* Runs f in a child with SIGSEGV at its default (or caught by a handler
 * that returns, if catch) and standard error in a file; the wait status
 * and, in err, what the child wrote. */
static void
on_segv(int sig)
{
	(void) sig;
}

static int
in_child(void (*f)(void), bool catch, char *err, size_t cap)
{
	char path[300];
	int fd, st;
	pid_t pid;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/child.err", axt_rundir);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sigaction sa = {.sa_handler = catch ? on_segv : SIG_DFL};

		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0) {
			_exit(100);
		}
		sigemptyset(&sa.sa_mask);
		sigaction(SIGSEGV, &sa, NULL);
		f();
		_exit(0); /* not reached: the call faults */
	}
	st = axt_waitpid(pid, 10);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = read(fd, err, cap - 1);
	err[n > 0 ? n : 0] = '\0';
	close(fd);
	return st;
}

static void
do_disable(void)
{
	InterruptDisable();
}

static void
do_enable(void)
{
	InterruptEnable();
}

static void
do_lock(void)
{
	static intrspin_t spin;

	InterruptLock(&spin);
}

static void
do_unlock(void)
{
	static intrspin_t spin;

	InterruptUnlock(&spin);
}

START_TEST(test_disable_faults)
{
	static void (*const f[])(void) = {do_disable, do_enable, do_lock,
	    do_unlock};
	static const char *const name[] = {"InterruptDisable",
	    "InterruptEnable", "InterruptLock", "InterruptUnlock"};
	char err[512], want[64];
	int st;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		st = in_child(f[i], false, err, sizeof(err));
		ck_assert(st != -1 && WIFSIGNALED(st));
		ck_assert_int_eq(WTERMSIG(st), SIGSEGV);
		snprintf(want, sizeof(want), "%s: no I/O privileges", name[i]);
		ck_assert_msg(strstr(err, want) != NULL, "stderr: %s", err);
	}
	/* A SIGSEGV handler that returns does not make it succeed. */
	st = in_child(do_disable, true, err, sizeof(err));
	ck_assert(st != -1 && WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGABRT);
}
END_TEST

#if defined(__x86_64__) || defined(__i386__)
static void
do_in8(void)
{
	(void) in8(0x80);
}

static void
do_out16s(void)
{
	uint16_t v[2] = {1, 2};

	(void) out16s(v, 2, 0x80);
}

/* The in and out instructions themselves: without I/O privileges they
 * fault, as on QNX. */
START_TEST(test_port_io_faults)
{
	char err[64];
	int st;

	st = in_child(do_in8, false, err, sizeof(err));
	ck_assert(st != -1 && WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGSEGV);
	st = in_child(do_out16s, false, err, sizeof(err));
	ck_assert(st != -1 && WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGSEGV);
}
END_TEST
#endif

/* Device memory: through /dev/mem, where the kernel has it and the
 * caller may open it; the mapping then shows what /dev/mem reads.
 * Where it has not, the error is open's (this machine's kernel has no
 * /dev/mem: the success path is then not run).  Another user never maps
 * physical memory. */
START_TEST(test_device_memory)
{
	int fd = open("/dev/mem", O_RDONLY | O_SYNC | O_CLOEXEC);
	int open_err = errno;
	void *p;

	errno = 0;
	ck_assert_ptr_eq(mmap_device_memory(NULL, 4096, PROT_READ, 0,
	    (uint64_t) INT64_MAX + 1), MAP_FAILED);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_eq(mmap_device_memory(NULL, 0, PROT_READ, 0, 0xf0000),
	    MAP_FAILED);
	ck_assert_int_eq(errno, EINVAL);
	/* A register block that does not start on a page. */
	errno = 0;
	p = mmap_device_memory(NULL, 64, PROT_READ | PROT_NOCACHE, 0,
	    0xf0010);
	if (fd >= 0) {
		unsigned char want[64];

		ck_assert_ptr_ne(p, MAP_FAILED);
		ck_assert_int_eq(pread(fd, want, sizeof(want), 0xf0010),
		    (ssize_t) sizeof(want));
		ck_assert_int_eq(memcmp(p, want, sizeof(want)), 0);
		ck_assert_int_eq(munmap_device_memory(p, 64), 0);
		close(fd);
	} else {
		ck_assert_ptr_eq(p, MAP_FAILED);
		ck_assert_int_eq(errno, open_err);
		fprintf(stderr, "test_device_memory: no /dev/mem here (%s): "
				"only the errors were tested\n",
		    strerror(open_err));
	}
	if (axa_user("test_device_memory")) {
		pid_t pid = fork();
		int st;

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			axa_become();
			p = mmap_device_memory(NULL, 4096, PROT_READ, 0,
			    0xf0000);
			_exit(p == MAP_FAILED &&
				(errno == EACCES || errno == EPERM ||
				    errno == ENOENT || errno == ENXIO)
			    ? 0 : 1);
		}
		st = axt_waitpid(pid, 10);
		ck_assert(st != -1 && WIFEXITED(st));
		ck_assert_int_eq(WEXITSTATUS(st), 0);
	}
}
END_TEST

#if defined(__x86_64__) || defined(__i386__)
/* On x86 ports are their own address space: mmap_device_io() gives the
 * port back, within the 64 Ki ports. */
START_TEST(test_device_io)
{
	uintptr_t io = mmap_device_io(8, 0x378);

	ck_assert_uint_eq(io, 0x378);
	ck_assert_int_eq(munmap_device_io(io, 8), 0);
	errno = 0;
	ck_assert_uint_eq(mmap_device_io(2, 0xffff), MAP_DEVICE_FAILED);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_uint_eq(mmap_device_io(1, 0x10000), MAP_DEVICE_FAILED);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(munmap_device_io(0x10000, 1), -1);
}
END_TEST
#endif

static Suite *
interrupt_suite(void)
{
	Suite *s = suite_create("interrupt");
	TCase *t = axt_tcase("interrupt", 30);

	tcase_add_test(t, test_attach_mask_detach);
	tcase_add_test(t, test_wait);
	tcase_add_test(t, test_disable_faults);
#if defined(__x86_64__) || defined(__i386__)
	tcase_add_test(t, test_port_io_faults);
	tcase_add_test(t, test_device_io);
#endif
	tcase_add_test(t, test_device_memory);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(interrupt_suite());
}
