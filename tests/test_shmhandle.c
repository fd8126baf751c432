/* SPDX-License-Identifier: MIT */
/*
 * QNX's anonymous shared memory objects and shared memory handles
 * (shm_open(3) SHM_ANON, shm_handle(3)): shm_open(SHM_ANON) makes a
 * nameless object that shm_ctl() sizes and mmap() maps, shared with a
 * forked child and with an exec'd one through the inherited descriptor
 * (not with O_CLOEXEC); ordinary names still reach the C library's
 * shm_open().  A handle lets the one process it names, here another
 * (unprivileged) user's, open the object once with no more than the
 * access it grants; another process presenting it, a second use, a
 * guessed handle and a handle whose creator has exited are refused.
 */
#include "attack.h"
#include "axon_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* SHM_ANON comes with the shm_open() that understands it. */
#ifndef SHM_ANON
#error "SHM_ANON is not defined"
#endif

static int
anon_new(size_t len)
{
	int fd = shm_open(SHM_ANON, O_RDWR | O_CREAT, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(shm_ctl(fd, SHMCTL_ANON, 0, len), 0);
	return fd;
}

static int
child_status(pid_t pid)
{
	int st = axt_waitpid(pid, 20);

	ck_assert(st != -1);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* An anonymous object: no name anywhere, the mode given, inherited
 * across exec unless O_CLOEXEC, sized by shm_ctl and mapped, and shared
 * with a forked child that writes into it. */
START_TEST(test_anon_object)
{
	size_t len = 3 * (size_t) sysconf(_SC_PAGESIZE);
	char link[128], path[64];
	struct stat sb;
	char *p;
	ssize_t n;
	pid_t pid;
	int fd, fd2;

	/* O_CREAT is implied: QNX's own example leaves it out. */
	fd = shm_open(SHM_ANON, O_RDWR, 0640);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &sb), 0);
	ck_assert_int_eq(sb.st_size, 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0640);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	ck_assert_int_gt(n, 0);
	link[n] = '\0';
	ck_assert_msg(strncmp(link, "/memfd:", 7) == 0, "%s", link);
	close(fd);

	fd2 = shm_open(SHM_ANON, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd2, 0);
	ck_assert_int_eq(fcntl(fd2, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(fd2);

	fd = anon_new(len);
	ck_assert_int_eq(fstat(fd, &sb), 0);
	ck_assert_int_eq(sb.st_size, (off_t) len);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	ck_assert_int_eq(p[len - 1], 0);
	strcpy(p, "parent");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* The child's own mapping from the inherited descriptor. */
		char *c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, 0);

		if (c == MAP_FAILED || strcmp(c, "parent") != 0) {
			_exit(2);
		}
		strcpy(c + len - 8, "child");
		_exit(0);
	}
	ck_assert_int_eq(child_status(pid), 0);
	ck_assert_str_eq(p + len - 8, "child");
	ck_assert_int_eq(munmap(p, len), 0);
	close(fd);
}
END_TEST

/* A program exec'd by a child (as spawn() starts one) writes through
 * the descriptor it inherited, and the parent's mapping sees it; with
 * O_CLOEXEC the descriptor is not there to write to. */
START_TEST(test_anon_exec_inherit)
{
	size_t len = (size_t) sysconf(_SC_PAGESIZE);
	char cmd[64];

	for (int cloexec = 0; cloexec < 2; cloexec++) {
		int fd = shm_open(SHM_ANON,
		    O_RDWR | O_CREAT | (cloexec ? O_CLOEXEC : 0), 0600);
		char *p;
		pid_t pid;
		int st;

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(shm_ctl(fd, SHMCTL_ANON, 0, len), 0);
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		ck_assert_ptr_ne(p, MAP_FAILED);
		snprintf(cmd, sizeof(cmd), "exec 2>/dev/null; printf exec >&%d",
		    fd);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			execl("/bin/sh", "sh", "-c", cmd, (char *) NULL);
			_exit(127);
		}
		st = child_status(pid);
		if (cloexec) {
			ck_assert_int_ne(st, 0);
			ck_assert_int_eq(p[0], 0);
		} else {
			ck_assert_int_eq(st, 0);
			ck_assert_int_eq(memcmp(p, "exec", 4), 0);
		}
		ck_assert_int_eq(munmap(p, len), 0);
		close(fd);
	}
}
END_TEST

/* Bad flags for an anonymous object; ordinary names are the C
 * library's, through the same macro, as before. */
START_TEST(test_anon_errors_and_names)
{
	int (*fn)(const char *, int, mode_t) = shm_open;
	char name[64];
	int fd;

	errno = 0;
	ck_assert_int_eq(shm_open(SHM_ANON, O_RDONLY | O_CREAT, 0600), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(shm_open(SHM_ANON, O_WRONLY, 0600), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(shm_open(SHM_ANON, O_RDWR | O_NONBLOCK, 0600), -1);
	ck_assert_int_eq(errno, EINVAL);

	snprintf(name, sizeof(name), "/axon-shmanon-%d", getpid());
	(void) shm_unlink(name);
	fd = fn(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	/* glibc's: close-on-exec, and the name is there. */
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	errno = 0;
	ck_assert_int_eq(shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600), -1);
	ck_assert_int_eq(errno, EEXIST);
	close(fd);
	ck_assert_int_eq(shm_unlink(name), 0);
	errno = 0;
	ck_assert_int_eq(shm_open(name, O_RDWR, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* Reads one handle from fd (in a child): 0 on EOF. */
static shm_handle_t
read_handle(int fd)
{
	shm_handle_t h = 0;

	if (read(fd, &h, sizeof(h)) != (ssize_t) sizeof(h)) {
		_exit(90);
	}
	return h;
}

static void
write_handle(int fd, shm_handle_t h)
{
	ck_assert_int_eq(write(fd, &h, sizeof(h)), (ssize_t) sizeof(h));
}

/*
 * The attack: the server (root) hands a client of another, unprivileged
 * user a read-only handle and a read-write one.  A third process (the
 * same unprivileged user, another pid) presenting the read-only handle
 * is refused and cannot delete it; the client then opens it, reads
 * what the server wrote, and cannot write (mmap PROT_WRITE, a reopen
 * by /proc read-write); a second use and guessed handles are refused;
 * the read-write handle lets it write what the server then reads.
 */
START_TEST(test_handle_other_user)
{
	size_t len = 2 * (size_t) sysconf(_SC_PAGESIZE);
	int to_client[2], to_third[2];
	shm_handle_t hro, hrw;
	pid_t client, third;
	char *p;
	int fd;

	if (!axa_user("test_handle_other_user")) {
		return;
	}
	fd = anon_new(len);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	strcpy(p, "written by the server");
	ck_assert_int_eq(pipe(to_client), 0);
	ck_assert_int_eq(pipe(to_third), 0);

	client = fork();
	ck_assert_int_ge(client, 0);
	if (client == 0) {
		shm_handle_t ro, rw;
		char path[64];
		char *c;
		int cfd, wfd;

		close(fd);
		axa_become();
		ro = read_handle(to_client[0]); /* after the third's try */
		rw = read_handle(to_client[0]);
		cfd = shm_open_handle(ro, O_RDONLY);
		if (cfd < 0) {
			_exit(10);
		}
		if ((fcntl(cfd, F_GETFD) & FD_CLOEXEC) == 0 ||
		    (fcntl(cfd, F_GETFL) & O_ACCMODE) != O_RDONLY) {
			_exit(11);
		}
		c = mmap(NULL, len, PROT_READ, MAP_SHARED, cfd, 0);
		if (c == MAP_FAILED ||
		    strcmp(c, "written by the server") != 0) {
			_exit(12);
		}
		if (mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, cfd,
			0) != MAP_FAILED || errno != EACCES) {
			_exit(13);
		}
		if (mprotect(c, len, PROT_READ | PROT_WRITE) == 0) {
			_exit(14);
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", cfd);
		if (open(path, O_RDWR) >= 0 || errno != EACCES) {
			_exit(15);
		}
		/* Used up. */
		if (shm_open_handle(ro, O_RDONLY) != -1 || errno != ESRCH) {
			_exit(16);
		}
		/* Guessed: a neighbour of a real one, and another. */
		if (shm_open_handle(rw ^ 1, O_RDWR) != -1 || errno != ESRCH ||
		    shm_open_handle(rw + 0x100000000ull, O_RDWR) != -1 ||
		    errno != ESRCH) {
			_exit(17);
		}
		wfd = shm_open_handle(rw, O_RDWR);
		if (wfd < 0) {
			_exit(18);
		}
		c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, wfd,
		    0);
		if (c == MAP_FAILED) {
			_exit(19);
		}
		strcpy(c + len / 2, "written by the client");
		_exit(0);
	}
	close(to_client[0]);
	ck_assert_int_eq(shm_create_handle(fd, client, O_RDONLY, &hro, 0), 0);
	ck_assert_int_eq(shm_create_handle(fd, client, O_RDWR, &hrw, 0), 0);
	ck_assert(hro != hrw);

	third = fork();
	ck_assert_int_ge(third, 0);
	if (third == 0) {
		shm_handle_t h;

		axa_become();
		h = read_handle(to_third[0]);
		if (shm_open_handle(h, O_RDONLY) != -1 || errno != ESRCH) {
			fprintf(stderr, "third: %s\n", strerror(errno));
			_exit(20);
		}
		if (shm_delete_handle(h) != -1 || errno != ESRCH) {
			_exit(21);
		}
		_exit(0);
	}
	close(to_third[0]);
	write_handle(to_third[1], hro);
	ck_assert_int_eq(child_status(third), 0);
	write_handle(to_client[1], hro);
	write_handle(to_client[1], hrw);
	ck_assert_int_eq(child_status(client), 0);
	ck_assert_str_eq(p + len / 2, "written by the client");
	/* Both used: gone here too. */
	errno = 0;
	ck_assert_int_eq(shm_delete_handle(hro), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(shm_delete_handle(hrw), -1);
	close(to_client[1]);
	close(to_third[1]);
	ck_assert_int_eq(munmap(p, len), 0);
	close(fd);
}
END_TEST

/* A handle dies with its creator: the recipient's open, after the
 * creator has exited, finds none. */
START_TEST(test_handle_creator_exit)
{
	int pfd[2];
	shm_handle_t h = 0;
	pid_t creator, imp;
	char r;

	ck_assert_int_eq(pipe(pfd), 0);
	creator = fork();
	ck_assert_int_ge(creator, 0);
	if (creator == 0) {
		int fd = shm_open(SHM_ANON, O_RDWR, 0600);
		shm_handle_t ch;

		if (fd < 0 || shm_ctl(fd, SHMCTL_ANON, 0, 4096) != 0 ||
		    shm_create_handle(fd, getppid(), O_RDWR, &ch, 0) != 0 ||
		    write(pfd[1], &ch, sizeof(ch)) != (ssize_t) sizeof(ch)) {
			_exit(2);
		}
		_exit(0);
	}
	close(pfd[1]);
	ck_assert_int_eq(read(pfd[0], &h, sizeof(h)), (ssize_t) sizeof(h));
	ck_assert_int_eq(child_status(creator), 0);
	errno = 0;
	ck_assert_int_eq(shm_open_handle(h, O_RDWR), -1);
	ck_assert_int_eq(errno, ESRCH);
	errno = 0;
	ck_assert_int_eq(shm_delete_handle(h), -1);
	ck_assert_int_eq(errno, ESRCH);
	close(pfd[0]);

	/* An impostor that binds the dead creator's socket name (it shows
	 * in /proc/net/unix) and offers its own memory: it cannot prove the
	 * handle's hidden half, and the recipient takes nothing. */
	ck_assert_int_eq(pipe(pfd), 0);
	imp = fork();
	ck_assert_int_ge(imp, 0);
	if (imp == 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		struct { int32_t err; uint32_t proof; } hi = { 0, 0x5eed };
		char rq[64];
		int32_t ok = 0;
		char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
		struct iovec iov = { .iov_base = &ok, .iov_len = sizeof(ok) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		int l = socket(AF_UNIX, SOCK_SEQPACKET, 0), c;
		int mfd = shm_open(SHM_ANON, O_RDWR, 0600);
		int n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1,
		    "axon-shmh/%08x", (unsigned) (h >> 32));

		if (l < 0 || mfd < 0 ||
		    bind(l, (struct sockaddr *) &sa, (socklen_t) (offsetof(
			struct sockaddr_un, sun_path) + 1 + (size_t) n)) != 0 ||
		    listen(l, 1) != 0 || write(pfd[1], "r", 1) != 1) {
			_exit(2);
		}
		c = accept(l, NULL, NULL);
		if (c < 0 || send(c, &hi, sizeof(hi), 0) != sizeof(hi)) {
			_exit(3);
		}
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &mfd, sizeof(int));
		if (recv(c, rq, sizeof(rq), 0) > 0) {
			(void) sendmsg(c, &m, MSG_NOSIGNAL);
			_exit(4); /* it was believed */
		}
		_exit(0);
	}
	close(pfd[1]);
	ck_assert_int_eq(read(pfd[0], &r, 1), 1);
	errno = 0;
	ck_assert_int_eq(shm_open_handle(h, O_RDWR), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(child_status(imp), 0);
	close(pfd[0]);
}
END_TEST

/* The recipient exits; a later process given its pid (forced with
 * ns_last_pid, root) presents the handle and is refused: the start time
 * is not the one recorded. */
START_TEST(test_handle_pid_reused)
{
	int fd = anon_new(4096);
	shm_handle_t h;
	pid_t first = -1, second = -1;
	bool reused = false;
	int st;

	for (int tries = 0; tries < 50 && !reused; tries++) {
		FILE *f;

		first = fork();
		ck_assert_int_ge(first, 0);
		if (first == 0) {
			_exit(0);
		}
		/* made while the first one lives (or is a zombie: its
		 * start time is still there until reaped) */
		if (shm_create_handle(fd, first, O_RDONLY, &h, 0) != 0) {
			(void) child_status(first);
			continue;
		}
		(void) child_status(first);
		f = fopen("/proc/sys/kernel/ns_last_pid", "w");
		if (f == NULL) {
			fprintf(stderr, "test_handle_pid_reused: skipped: "
				"cannot write ns_last_pid\n");
			close(fd);
			return;
		}
		fprintf(f, "%d", (int) first - 1);
		if (fclose(f) != 0) {
			fprintf(stderr, "test_handle_pid_reused: skipped: "
				"cannot write ns_last_pid\n");
			close(fd);
			return;
		}
		second = fork();
		ck_assert_int_ge(second, 0);
		if (second == 0) {
			if (getpid() != first) {
				_exit(50); /* another took it first: again */
			}
			if (shm_open_handle(h, O_RDONLY) != -1 ||
			    errno != ESRCH) {
				_exit(1);
			}
			_exit(0);
		}
		st = child_status(second);
		if (st != 50) {
			reused = true;
			ck_assert_int_eq(second, first);
			ck_assert_int_eq(st, 0);
		}
		(void) shm_delete_handle(h);
	}
	ck_assert_msg(reused, "no pid reused in 50 tries");
	close(fd);
}
END_TEST

/* A handle for this very process; the creator's and the recipient's
 * deletes; SHM_CREATE_HANDLE_OPT_NOFD; more access than granted uses
 * the handle up; a named object's handle. */
START_TEST(test_handle_own_and_delete)
{
	size_t len = (size_t) sysconf(_SC_PAGESIZE);
	int fd = anon_new(len), hfd, pfd[2];
	shm_handle_t h;
	char name[64];
	char *p, *q;
	pid_t pid;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	ck_assert_int_eq(shm_create_handle(fd, getpid(), O_RDWR, &h, 0), 0);
	hfd = shm_open_handle(h, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(hfd, 0);
	ck_assert_int_ne(hfd, fd);
	q = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, hfd, 0);
	ck_assert_ptr_ne(q, MAP_FAILED);
	strcpy(q, "same");
	ck_assert_str_eq(p, "same");
	ck_assert_int_eq(munmap(q, len), 0);
	close(hfd);

	/* The creator deletes. */
	ck_assert_int_eq(shm_create_handle(fd, getpid(), O_RDONLY, &h, 0), 0);
	ck_assert_int_eq(shm_delete_handle(h), 0);
	errno = 0;
	ck_assert_int_eq(shm_open_handle(h, O_RDONLY), -1);
	ck_assert_int_eq(errno, ESRCH);

	/* No descriptor from a NOFD handle (Axon has no mmap_handle). */
	ck_assert_int_eq(shm_create_handle(fd, getpid(), O_RDWR, &h,
	    SHM_CREATE_HANDLE_OPT_NOFD), 0);
	errno = 0;
	ck_assert_int_eq(shm_open_handle(h, O_RDONLY), -1);
	ck_assert_int_eq(errno, EACCES);

	/* More than granted: refused, and the handle is used up. */
	ck_assert_int_eq(shm_create_handle(fd, getpid(), O_RDONLY, &h, 0), 0);
	errno = 0;
	ck_assert_int_eq(shm_open_handle(h, O_RDWR), -1);
	ck_assert_int_eq(errno, EACCES);
	errno = 0;
	ck_assert_int_eq(shm_open_handle(h, O_RDONLY), -1);
	ck_assert_int_eq(errno, ESRCH);

	/* The recipient (a child) deletes it. */
	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		shm_handle_t ch = read_handle(pfd[0]);

		if (shm_delete_handle(ch) != 0) {
			_exit(2);
		}
		if (shm_open_handle(ch, O_RDONLY) != -1 || errno != ESRCH) {
			_exit(3);
		}
		_exit(0);
	}
	ck_assert_int_eq(shm_create_handle(fd, pid, O_RDONLY, &h, 0), 0);
	write_handle(pfd[1], h);
	ck_assert_int_eq(child_status(pid), 0);
	errno = 0;
	ck_assert_int_eq(shm_delete_handle(h), -1);
	ck_assert_int_eq(errno, ESRCH);
	close(pfd[0]);
	close(pfd[1]);

	/* A named object's handle: a read-only open of it grants reading. */
	snprintf(name, sizeof(name), "/axon-shmhandle-%d", getpid());
	(void) shm_unlink(name);
	hfd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(hfd, 0);
	ck_assert_int_eq(shm_unlink(name), 0);
	ck_assert_int_eq(write(hfd, "named", 6), 6);
	ck_assert_int_eq(shm_create_handle(hfd, getpid(), O_RDONLY, &h, 0),
	    0);
	close(hfd);
	hfd = shm_open_handle(h, O_RDONLY);
	ck_assert_int_ge(hfd, 0);
	q = mmap(NULL, len, PROT_READ, MAP_SHARED, hfd, 0);
	ck_assert_ptr_ne(q, MAP_FAILED);
	ck_assert_str_eq(q, "named");
	ck_assert_int_eq(munmap(q, len), 0);
	close(hfd);

	ck_assert_int_eq(munmap(p, len), 0);
	close(fd);
}
END_TEST

/* A dead creator's handle: made for this process by a child that then
 * exits. */
static shm_handle_t
dead_creator_handle(void)
{
	int pfd[2];
	shm_handle_t h = 0;
	pid_t creator;

	ck_assert_int_eq(pipe(pfd), 0);
	creator = fork();
	ck_assert_int_ge(creator, 0);
	if (creator == 0) {
		int fd = shm_open(SHM_ANON, O_RDWR, 0600);
		shm_handle_t ch;

		if (fd < 0 || shm_ctl(fd, SHMCTL_ANON, 0, 4096) != 0 ||
		    shm_create_handle(fd, getppid(), O_RDWR, &ch, 0) != 0 ||
		    write(pfd[1], &ch, sizeof(ch)) != (ssize_t) sizeof(ch)) {
			_exit(2);
		}
		_exit(0);
	}
	close(pfd[1]);
	ck_assert_int_eq(read(pfd[0], &h, sizeof(h)), (ssize_t) sizeof(h));
	ck_assert_int_eq(child_status(creator), 0);
	close(pfd[0]);
	return h;
}

/* Binds handle h's socket name, as anyone can once its creator is gone
 * (names show in /proc/net/unix), and listens; -1 if it cannot. */
static int
bind_handle_name(shm_handle_t h, int backlog)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	int n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1,
	    "axon-shmh/%08x", (unsigned) (h >> 32));

	if (l < 0 || bind(l, (struct sockaddr *) &sa, (socklen_t) (offsetof(
	    struct sockaddr_un, sun_path) + 1 + (size_t) n)) != 0 ||
	    listen(l, backlog) != 0) {
		return -1;
	}
	return l;
}

/* What a fake creator says: its first word, and (if reply) its answer
 * to the request with nfd descriptors. */
struct fake_say {
	int32_t err;
	bool proof;    /* says the handle's low half (as if it had leaked) */
	bool reply;
	int32_t rerr;
	int nfd;
};

static const struct fake_say fake_script[] = {
	{ .err = -5 },                   /* was returned as descriptor 5 */
	{ .err = 0 },                    /* no proof */
	{ .err = INT32_MAX },
	{ .err = INT32_MIN },
	{ .err = 4096 },
	{ .err = EACCES, .proof = true },
	/* even with the proof, nothing unexpected is believed */
	{ .proof = true, .reply = true, .rerr = 0, .nfd = 0 },
	{ .proof = true, .reply = true, .rerr = -5, .nfd = 0 },
	{ .proof = true, .reply = true, .rerr = INT32_MAX, .nfd = 0 },
	{ .proof = true, .reply = true, .rerr = INT32_MIN, .nfd = 0 },
	{ .proof = true, .reply = true, .rerr = 0, .nfd = 2 },
	{ .proof = true, .reply = true, .rerr = EACCES, .nfd = 1 },
	{ .proof = true, .reply = true, .rerr = -ESRCH, .nfd = 1 },
};
#define FAKE_N (sizeof(fake_script) / sizeof(fake_script[0]))

/* Serves fake_script[] (for opens, then again for deletes), one
 * connection each, on handle h's name; in a child. */
static void
fake_creator(shm_handle_t h, int ready)
{
	int l = bind_handle_name(h, 4);
	int mfd = shm_open(SHM_ANON, O_RDWR, 0600);

	if (l < 0 || mfd < 0 || write(ready, "r", 1) != 1) {
		_exit(2);
	}
	for (size_t k = 0; k < 2 * FAKE_N; k++) {
		const struct fake_say *s = &fake_script[k % FAKE_N];
		struct { int32_t err; uint32_t proof; } hi = {
			s->err, s->proof ? (uint32_t) h : 0x5eed };
		int32_t rerr = s->rerr;
		int fds[2] = { mfd, mfd };
		char cbuf[CMSG_SPACE(sizeof(fds))] = { 0 };
		struct iovec iov = { .iov_base = &rerr,
			.iov_len = sizeof(rerr) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		char rq[64];
		int c = accept(l, NULL, NULL);

		if (c < 0 || send(c, &hi, sizeof(hi), 0) != sizeof(hi)) {
			_exit(3);
		}
		if (s->reply && recv(c, rq, sizeof(rq), 0) > 0) {
			if (s->nfd > 0) {
				struct cmsghdr *cm;

				m.msg_control = cbuf;
				m.msg_controllen = CMSG_SPACE(
				    (size_t) s->nfd * sizeof(int));
				cm = CMSG_FIRSTHDR(&m);
				cm->cmsg_level = SOL_SOCKET;
				cm->cmsg_type = SCM_RIGHTS;
				cm->cmsg_len = CMSG_LEN(
				    (size_t) s->nfd * sizeof(int));
				memcpy(CMSG_DATA(cm), fds,
				    (size_t) s->nfd * sizeof(int));
			}
			(void) sendmsg(c, &m, MSG_NOSIGNAL);
		}
		/* wait for the recipient to be done with it */
		(void) recv(c, rq, sizeof(rq), 0);
		close(c);
	}
	_exit(0);
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d) != NULL) {
		n++;
	}
	closedir(d);
	return n;
}

/* A fake creator (a process bound to a dead creator's name) answers
 * with errors that are no errno (negative: once returned as one of the
 * caller's own descriptors; 0 without the proof; huge), a success
 * without a descriptor, or with two, and an error with one: each open
 * fails ESRCH, and so does each delete but the one told, with the
 * proof, the plain success a delete gets; no descriptor is left
 * behind. */
START_TEST(test_handle_fake_creator)
{
	shm_handle_t h = dead_creator_handle();
	int pfd[2], before, rc;
	pid_t fake;
	char r;

	ck_assert_int_eq(pipe(pfd), 0);
	fake = fork();
	ck_assert_int_ge(fake, 0);
	if (fake == 0) {
		close(pfd[0]);
		fake_creator(h, pfd[1]);
	}
	close(pfd[1]);
	ck_assert_int_eq(read(pfd[0], &r, 1), 1);
	before = count_fds();
	for (size_t k = 0; k < FAKE_N; k++) {
		errno = 0;
		rc = shm_open_handle(h, O_RDWR);
		ck_assert_msg(rc == -1 && errno == ESRCH,
		    "open, fake answer %zu: %d (%s)", k, rc, strerror(errno));
		ck_assert_int_eq(count_fds(), before);
	}
	for (size_t k = 0; k < FAKE_N; k++) {
		const struct fake_say *s = &fake_script[k];
		/* (a delete's success has no descriptor: believed) */
		bool ok = s->reply && s->rerr == 0 && s->nfd == 0;

		errno = 0;
		rc = shm_delete_handle(h);
		ck_assert_msg(ok ? rc == 0 : rc == -1 && errno == ESRCH,
		    "delete, fake answer %zu: %d (%s)", k, rc,
		    strerror(errno));
		ck_assert_int_eq(count_fds(), before);
	}
	ck_assert_int_eq(child_status(fake), 0);
	close(pfd[0]);
}
END_TEST

/* Opens h (O_RDONLY), which must fail ESRCH: how long that took, in
 * ms, or -1 if it did not fail so. */
static long
refusal_ms(shm_handle_t h)
{
	struct timespec a, b;
	long ms;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &a);
	errno = 0;
	rc = shm_open_handle(h, O_RDONLY);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	if (rc != -1 || errno != ESRCH) {
		fprintf(stderr, "open: %d (%s) after %ld ms\n", rc,
		    strerror(errno), ms);
		return -1;
	}
	return ms;
}

/* A fork child (no exec) holds none of its parent's handle sockets:
 * the handle deleted, or its creator exited, while such a child lives,
 * the recipient's open fails ESRCH at once (a child holding a copy of
 * the socket kept it listening, and the open waited 5 s for EAGAIN). */
START_TEST(test_handle_fork_child)
{
	int fd = anon_new(4096), go[2], pfd[2];
	shm_handle_t h;
	pid_t rcpt, kid, creator, grandkid = 0;
	long ms;

	/* The handle deleted by its creator (this process). */
	ck_assert_int_eq(pipe(go), 0);
	rcpt = fork();
	ck_assert_int_ge(rcpt, 0);
	if (rcpt == 0) {
		long t;

		close(go[1]);
		t = refusal_ms(read_handle(go[0]));
		if (t < 0 || t >= 1000) {
			fprintf(stderr, "refused after %ld ms\n", t);
			_exit(1);
		}
		_exit(0);
	}
	close(go[0]);
	ck_assert_int_eq(shm_create_handle(fd, rcpt, O_RDONLY, &h, 0), 0);
	usleep(100000); /* the library's thread is waiting on it now */
	kid = fork();
	ck_assert_int_ge(kid, 0);
	if (kid == 0) {
		pause();
		_exit(0);
	}
	ck_assert_int_eq(shm_delete_handle(h), 0);
	write_handle(go[1], h);
	ck_assert_int_eq(child_status(rcpt), 0);
	ck_assert_int_eq(kill(kid, SIGKILL), 0);
	(void) axt_waitpid(kid, 20);
	close(go[1]);

	/* The creator exits, its fork child lives on. */
	ck_assert_int_eq(pipe(pfd), 0);
	creator = fork();
	ck_assert_int_ge(creator, 0);
	if (creator == 0) {
		shm_handle_t ch;
		pid_t g;

		if (shm_create_handle(fd, getppid(), O_RDONLY, &ch, 0) != 0) {
			_exit(2);
		}
		usleep(100000);
		g = fork();
		if (g == 0) {
			pause();
			_exit(0);
		}
		if (g < 0 || write(pfd[1], &ch, sizeof(ch)) != sizeof(ch) ||
		    write(pfd[1], &g, sizeof(g)) != sizeof(g)) {
			_exit(3);
		}
		_exit(0);
	}
	close(pfd[1]);
	ck_assert_int_eq(read(pfd[0], &h, sizeof(h)), (ssize_t) sizeof(h));
	ck_assert_int_eq(read(pfd[0], &grandkid, sizeof(grandkid)),
	    (ssize_t) sizeof(grandkid));
	ck_assert_int_eq(child_status(creator), 0);
	/* (this process is h's recipient) */
	ms = refusal_ms(h);
	ck_assert_msg(ms >= 0 && ms < 1000, "refused after %ld ms", ms);
	ck_assert_int_eq(kill(grandkid, SIGKILL), 0);
	usleep(10000); /* (init reaps it) */
	close(pfd[0]);
	close(fd);
}
END_TEST

/* Connects to handle h's socket again and again until deadline (in a
 * child of another user): a flood of connections the creator refuses. */
static void
flood(shm_handle_t h, const struct timespec *deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1,
	    "axon-shmh/%08x", (unsigned) (h >> 32));
	socklen_t len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) +
	    1 + (size_t) n);
	struct timespec now;

	do {
		int c[16];

		for (int k = 0; k < 16; k++) {
			struct timeval tv = { .tv_sec = 1 };

			c[k] = socket(AF_UNIX, SOCK_SEQPACKET, 0);
			if (c[k] >= 0) {
				(void) setsockopt(c[k], SOL_SOCKET,
				    SO_SNDTIMEO, &tv, sizeof(tv));
				(void) connect(c[k], (struct sockaddr *) &sa,
				    len);
			}
		}
		for (int k = 0; k < 16; k++) {
			if (c[k] >= 0) {
				close(c[k]);
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < deadline->tv_sec ||
	    (now.tv_sec == deadline->tv_sec &&
		now.tv_nsec < deadline->tv_nsec));
	_exit(0);
}

#define NFLOOD 8

/* Another user floods a handle's socket with connections (refused, but
 * each takes the creator's thread a moment) for 4 s; the recipient's
 * open in the meantime still succeeds. */
START_TEST(test_handle_flood)
{
	int fd, go[2];
	shm_handle_t h;
	static shm_handle_t other[900];
	struct timespec deadline;
	pid_t rcpt, att[NFLOOD];

	if (!axa_user("test_handle_flood")) {
		return;
	}
	fd = anon_new(4096);
	ck_assert_int_eq(pipe(go), 0);
	rcpt = fork();
	ck_assert_int_ge(rcpt, 0);
	if (rcpt == 0) {
		shm_handle_t ch;
		int cfd;

		close(go[1]);
		ch = read_handle(go[0]);
		usleep(500000); /* the flood is on */
		cfd = shm_open_handle(ch, O_RDONLY);
		if (cfd < 0) {
			fprintf(stderr, "recipient: %s\n", strerror(errno));
			_exit(1);
		}
		_exit(0);
	}
	close(go[0]);
	/* Many handles: each wake-up of the thread cost it more when it
	 * copied all their sockets. */
	for (int k = 0; k < 900; k++) {
		ck_assert_int_eq(shm_create_handle(fd, getpid(), O_RDONLY,
		    &other[k], 0), 0);
	}
	ck_assert_int_eq(shm_create_handle(fd, rcpt, O_RDONLY, &h, 0), 0);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 4;
	for (int k = 0; k < NFLOOD; k++) {
		att[k] = fork();
		ck_assert_int_ge(att[k], 0);
		if (att[k] == 0) {
			axa_become();
			flood(h, &deadline);
		}
	}
	write_handle(go[1], h);
	ck_assert_int_eq(child_status(rcpt), 0);
	for (int k = 0; k < NFLOOD; k++) {
		ck_assert_int_eq(child_status(att[k]), 0);
	}
	for (int k = 0; k < 900; k++) {
		ck_assert_int_eq(shm_delete_handle(other[k]), 0);
	}
	close(go[1]);
	close(fd);
}
END_TEST

/* Bad calls. */
START_TEST(test_handle_errors)
{
	int fd = anon_new(4096), pfd[2], rfd;
	shm_handle_t h;
	char name[64];
	pid_t gone;

	errno = 0;
	ck_assert_int_eq(shm_create_handle(-1, getpid(), O_RDWR, &h, 0), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(pipe(pfd), 0);
	errno = 0;
	ck_assert_int_eq(shm_create_handle(pfd[0], getpid(), O_RDONLY, &h,
	    0), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(pfd[0]);
	close(pfd[1]);
	errno = 0;
	ck_assert_int_eq(shm_create_handle(fd, getpid(), O_RDWR | O_CREAT,
	    &h, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(shm_create_handle(fd, getpid(), O_ACCMODE, &h, 0),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(shm_create_handle(fd, getpid(), O_RDWR, &h, 2), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(shm_create_handle(fd, getpid(), O_RDWR, NULL, 0),
	    -1);
	ck_assert_int_eq(errno, EFAULT);
	errno = 0;
	ck_assert_int_eq(shm_create_handle(fd, 0, O_RDWR, &h, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	gone = fork();
	ck_assert_int_ge(gone, 0);
	if (gone == 0) {
		_exit(0);
	}
	(void) child_status(gone);
	errno = 0;
	ck_assert_int_eq(shm_create_handle(fd, gone, O_RDWR, &h, 0), -1);
	ck_assert_int_eq(errno, ESRCH);

	/* More access than the descriptor has. */
	snprintf(name, sizeof(name), "/axon-shmhandle-e-%d", getpid());
	(void) shm_unlink(name);
	rfd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(rfd, 0);
	close(rfd);
	rfd = shm_open(name, O_RDONLY, 0);
	ck_assert_int_ge(rfd, 0);
	ck_assert_int_eq(shm_unlink(name), 0);
	errno = 0;
	ck_assert_int_eq(shm_create_handle(rfd, getpid(), O_RDWR, &h, 0), -1);
	ck_assert_int_eq(errno, EACCES);
	errno = 0;
	ck_assert_int_eq(shm_create_handle(rfd, getpid(), O_WRONLY, &h, 0),
	    -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(shm_create_handle(rfd, getpid(), O_RDONLY, &h, 0),
	    0);
	close(rfd);

	errno = 0;
	ck_assert_int_eq(shm_open_handle(h, O_RDONLY | O_CREAT), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(shm_open_handle(h, O_ACCMODE), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* (neither used it) */
	rfd = shm_open_handle(h, O_RDONLY);
	ck_assert_int_ge(rfd, 0);
	close(rfd);
	errno = 0;
	ck_assert_int_eq(shm_open_handle(0, O_RDONLY), -1);
	ck_assert_int_eq(errno, ESRCH);
	errno = 0;
	ck_assert_int_eq(shm_delete_handle(0), -1);
	ck_assert_int_eq(errno, ESRCH);
	close(fd);
}
END_TEST

static Suite *
shmhandle_suite(void)
{
	Suite *s = suite_create("shmhandle");
	TCase *t = axt_tcase("shmhandle", 60);

	tcase_add_test(t, test_anon_object);
	tcase_add_test(t, test_anon_exec_inherit);
	tcase_add_test(t, test_anon_errors_and_names);
	tcase_add_test(t, test_handle_other_user);
	tcase_add_test(t, test_handle_creator_exit);
	tcase_add_test(t, test_handle_pid_reused);
	tcase_add_test(t, test_handle_own_and_delete);
	tcase_add_test(t, test_handle_errors);
	tcase_add_test(t, test_handle_fake_creator);
	tcase_add_test(t, test_handle_fork_child);
	tcase_add_test(t, test_handle_flood);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(shmhandle_suite());
}
