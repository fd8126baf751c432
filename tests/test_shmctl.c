/* SPDX-License-Identifier: MIT */
/*
 * QNX's shared and physical memory calls of <sys/mman.h> (shm_ctl(3)):
 * shm_ctl(SHMCTL_ANON) sizes an object that another process opens by
 * name and maps, byte for byte; the errors QNX gives for what cannot be
 * (SHMCTL_PHYS, physical placement) and for bad calls; mem_offset64()
 * and its kin report physical addresses that agree between two mappings
 * of one page and differ for a copied one, and fail for an address not
 * mapped and for a user the kernel tells no frame numbers; MAP_PHYS and
 * kin make Linux's own mmap() fail rather than give ordinary memory.
 */
#define _LARGEFILE64_SOURCE 1
#include "attack.h"
#include "axon_test.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

static char shm_name[64];

static int
shm_new(void)
{
	int fd;

	snprintf(shm_name, sizeof(shm_name), "/axon-shmctl-%d", getpid());
	(void) shm_unlink(shm_name);
	fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	return fd;
}

static off_t
size_of(int fd)
{
	struct stat st;

	ck_assert_int_eq(fstat(fd, &st), 0);
	return st.st_size;
}

/* The size, zero-filled and allocated now (hints accepted), and a
 * second process that opens the name sees the same bytes and its own
 * writes come back; SHMCTL_LAZY leaves the allocation to first touch. */
START_TEST(test_anon_shared)
{
	size_t ps = (size_t) sysconf(_SC_PAGESIZE), len = 3 * ps + 100;
	int fd = shm_new(), st;
	unsigned char *p;
	struct stat sb;
	pid_t pid;

	ck_assert_int_eq(shm_ctl(fd, SHMCTL_ANON | SHMCTL_HIGHUSAGE |
	    SHMCTL_LAZYWRITE | SHMCTL_LOWERPROT | SHMCTL_PRIV |
	    SHMCTL_GLOBAL | SHMCTL_NOX64K, 0, len), 0);
	ck_assert_int_eq(fstat(fd, &sb), 0);
	ck_assert_int_eq(sb.st_size, (off_t) len);
	ck_assert_int_ge(sb.st_blocks * 512, (off_t) len);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	for (size_t i = 0; i < len; i++) {
		ck_assert_uint_eq(p[i], 0);
		p[i] = (unsigned char) (i * 7 + 1);
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int cfd = shm_open(shm_name, O_RDWR, 0);
		struct stat cs;
		unsigned char *c;

		if (cfd < 0 || fstat(cfd, &cs) != 0 ||
		    cs.st_size != (off_t) len) {
			_exit(2);
		}
		c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, cfd,
		    0);
		if (c == MAP_FAILED) {
			_exit(3);
		}
		for (size_t i = 0; i < len; i++) {
			if (c[i] != (unsigned char) (i * 7 + 1)) {
				_exit(4);
			}
		}
		memcpy(c + len - 6, "child", 6);
		_exit(0);
	}
	st = axt_waitpid(pid, 10);
	ck_assert(st != -1 && WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	ck_assert_str_eq((char *) p + len - 6, "child");
	ck_assert_int_eq(munmap(p, len), 0);
	/* Smaller keeps the bytes below the new size. */
	ck_assert_int_eq(shm_ctl_special(fd, SHMCTL_ANON, 0, ps, 0), 0);
	ck_assert_int_eq(size_of(fd), (off_t) ps);
	ck_assert_int_eq(pread(fd, &st, 1, 1), 1);
	ck_assert_int_eq(st & 0xff, 8);
	close(fd);
	ck_assert_int_eq(shm_unlink(shm_name), 0);

	fd = shm_new();
	ck_assert_int_eq(shm_ctl(fd, SHMCTL_ANON | SHMCTL_LAZY, 0, 16 * ps),
	    0);
	ck_assert_int_eq(fstat(fd, &sb), 0);
	ck_assert_int_eq(sb.st_size, (off_t) (16 * ps));
	ck_assert_int_lt(sb.st_blocks * 512, (off_t) (16 * ps));
	close(fd);
	ck_assert_int_eq(shm_unlink(shm_name), 0);
}
END_TEST

/* Bad calls and what Linux cannot give; none changes the object. */
START_TEST(test_shm_ctl_errors)
{
	size_t ps = (size_t) sysconf(_SC_PAGESIZE);
	int fd = shm_new(), ro, pfd[2], nul, reg;
	char path[] = "shmctl-reg-XXXXXX";
	struct statfs sfs;

	ck_assert_int_eq(shm_ctl(fd, SHMCTL_ANON, 0, ps), 0);
#define FAILS(call, err)                                                 \
	do {                                                             \
		errno = 0;                                               \
		ck_assert_int_eq((call), -1);                            \
		ck_assert_int_eq(errno, (err));                          \
		ck_assert_int_eq(size_of(fd), (off_t) ps);               \
	} while (0)
	FAILS(shm_ctl(-1, SHMCTL_ANON, 0, ps), EBADF);
	FAILS(shm_ctl(1000, SHMCTL_ANON, 0, ps), EBADF);
	/* Not a shared memory object: a device, a pipe, a disk's file. */
	nul = open("/dev/null", O_RDWR);
	ck_assert_int_ge(nul, 0);
	FAILS(shm_ctl(nul, SHMCTL_ANON, 0, ps), EINVAL);
	close(nul);
	ck_assert_int_eq(pipe(pfd), 0);
	FAILS(shm_ctl(pfd[1], SHMCTL_ANON, 0, ps), EINVAL);
	close(pfd[0]);
	close(pfd[1]);
	reg = mkstemp(path);
	ck_assert_int_ge(reg, 0);
	ck_assert_int_eq(fstatfs(reg, &sfs), 0);
	if (sfs.f_type != 0x01021994) { /* TMPFS_MAGIC */
		FAILS(shm_ctl(reg, SHMCTL_ANON, 0, ps), EINVAL);
		ck_assert_int_eq(lseek(reg, 0, SEEK_END), 0);
	}
	close(reg);
	unlink(path);
	/* Read-only: no size to set. */
	ro = shm_open(shm_name, O_RDONLY, 0);
	ck_assert_int_ge(ro, 0);
	FAILS(shm_ctl(ro, SHMCTL_ANON, 0, 2 * ps), EACCES);
	close(ro);
	/* Flags: unknown, neither ANON nor PHYS, NODEFRAG without both,
	 * processor-specific bits. */
	FAILS(shm_ctl(fd, SHMCTL_ANON | 0x100000, 0, 2 * ps), EINVAL);
	FAILS(shm_ctl(fd, 0, 0, 2 * ps), EINVAL);
	FAILS(shm_ctl(fd, SHMCTL_HIGHUSAGE, 0, 2 * ps), EINVAL);
	FAILS(shm_ctl(fd, SHMCTL_ANON | SHMCTL_NODEFRAG, 0, 2 * ps), EINVAL);
	FAILS(shm_ctl_special(fd, SHMCTL_ANON, 0, 2 * ps, 0x1), EINVAL);
	/* Physical memory: never an object's (EPERM, page multiples
	 * first), never contiguous (ENOMEM), never below 16 MiB. */
	FAILS(shm_ctl(fd, SHMCTL_PHYS, 0xa0000, ps), EPERM);
	FAILS(shm_ctl(fd, SHMCTL_PHYS, 0xa0010, ps), EINVAL);
	FAILS(shm_ctl(fd, SHMCTL_PHYS, 0xa0000, ps + 1), EINVAL);
	FAILS(shm_ctl(fd, SHMCTL_ANON | SHMCTL_PHYS, 0, 2 * ps), ENOMEM);
	FAILS(shm_ctl(fd, SHMCTL_ANON | SHMCTL_PHYS | SHMCTL_NODEFRAG, 0,
	    2 * ps), ENOMEM);
	FAILS(shm_ctl(fd, SHMCTL_ANON | SHMCTL_ISADMA, 0, 2 * ps), ENOMEM);
	/* More memory than the tmpfs has: ENOMEM now, as QNX allocates
	 * at once; and a size no off_t holds. */
	FAILS(shm_ctl(fd, SHMCTL_ANON, 0, (uint64_t) 1 << 50), ENOMEM);
	FAILS(shm_ctl(fd, SHMCTL_ANON, 0, (uint64_t) INT64_MAX + 1), EINVAL);
#undef FAILS
	close(fd);
	ck_assert_int_eq(shm_unlink(shm_name), 0);
}
END_TEST

/* Whether the kernel tells this process frame numbers (root with
 * CAP_SYS_ADMIN); the success cases run only then. */
static bool
frames_told(const char *test)
{
	static int page = 1;
	off64_t off;

	if (mem_offset64(&page, NOFD, sizeof(page), &off, NULL) == 0) {
		return true;
	}
	ck_assert_int_eq(errno, EPERM);
	fprintf(stderr, "%s: skipped: no frame numbers for this process\n",
	    test);
	return false;
}

/* The page offset is the address's, a page not yet touched is faulted
 * in, two mappings of one shared page give one physical address and a
 * private copy another; contig_len is at most length and at least the
 * rest of the page; mem_offset() agrees; posix_mem_offset64() names a
 * descriptor open on the mapped object, NOFD for anonymous memory. */
START_TEST(test_mem_offset)
{
	size_t ps = (size_t) sysconf(_SC_PAGESIZE), contig;
	off64_t off, off2, off3;
	int fd, d;
	unsigned char vec;
	char *a, *b, *c, *anon;
	off_t o;

	if (!frames_told("test_mem_offset")) {
		return;
	}
	anon = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(anon, MAP_FAILED);
	ck_assert_int_eq(mincore(anon + ps, ps, &vec), 0);
	ck_assert_uint_eq(vec & 1, 0);
	ck_assert_int_eq(mem_offset64(anon + ps + 123, NOFD, 3 * ps, &off,
	    &contig), 0);
	ck_assert_int_eq(mincore(anon + ps, ps, &vec), 0);
	ck_assert_uint_eq(vec & 1, 1);
	ck_assert_int_ne(off, 0);
	ck_assert_int_eq(off % (off64_t) ps, 123);
	ck_assert_uint_ge(contig, ps - 123);
	ck_assert_uint_le(contig, 3 * ps);
	contig = 0;
	ck_assert_int_eq(mem_offset64(anon + ps + 123, NOFD, 10, &off2,
	    &contig), 0);
	ck_assert_int_eq(off2, off);
	ck_assert_uint_eq(contig, 10);
	ck_assert_int_eq(mem_offset64(anon + ps + 123, NOFD, 10, NULL, NULL),
	    0);
	ck_assert_int_eq(mem_offset(anon + ps + 123, NOFD, 10, &o, &contig),
	    0);
	ck_assert_int_eq((off64_t) o, off);
	ck_assert_int_eq(posix_mem_offset64(anon + ps + 123, 10, &off2,
	    &contig, &d), 0);
	ck_assert_int_eq(off2, off);
	ck_assert_int_eq(d, NOFD);

	fd = shm_new();
	ck_assert_int_eq(shm_ctl(fd, SHMCTL_ANON, 0, ps), 0);
	a = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	b = mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, 0);
	c = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ck_assert_ptr_ne(a, MAP_FAILED);
	ck_assert_ptr_ne(b, MAP_FAILED);
	ck_assert_ptr_ne(c, MAP_FAILED);
	ck_assert_int_eq(mem_offset64(a + 8, NOFD, 8, &off, NULL), 0);
	ck_assert_int_eq(mem_offset64(b + 8, NOFD, 8, &off2, NULL), 0);
	ck_assert_int_eq(off, off2);
	/* The private mapping's page is copied first, as on QNX. */
	ck_assert_int_eq(mem_offset64(c + 8, NOFD, 8, &off3, NULL), 0);
	ck_assert_int_ne(off3, off);
	c[8] = 'x';
	ck_assert_int_eq(mem_offset64(c + 8, NOFD, 8, &off2, NULL), 0);
	ck_assert_int_eq(off2, off3);
	ck_assert_int_ne(a[8], 'x');
	ck_assert_int_eq(posix_mem_offset64(b, ps, &off2, &contig, &d), 0);
	ck_assert_int_eq(d, fd);
	ck_assert_int_eq(off2, off - 8);
	ck_assert_uint_eq(contig, ps);
	close(fd);
	ck_assert_int_eq(posix_mem_offset64(b, ps, &off2, &contig, &d), 0);
	ck_assert_int_eq(d, NOFD);
	munmap(a, ps);
	munmap(b, ps);
	munmap(c, ps);
	munmap(anon, 4 * ps);
	ck_assert_int_eq(shm_unlink(shm_name), 0);
}
END_TEST

/* A descriptor other than NOFD, an address not mapped, a page that
 * cannot be touched; outputs untouched.  Another user is told no frame
 * numbers and gets EPERM, not 0. */
START_TEST(test_mem_offset_errors)
{
	size_t ps = (size_t) sysconf(_SC_PAGESIZE), contig = 77;
	off64_t off = 55;
	off_t o = 66;
	int d = 44;
	char *p;

	p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	errno = 0;
	ck_assert_int_eq(mem_offset64(p, 0, ps, &off, &contig), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(mprotect(p + ps, ps, PROT_NONE), 0);
	errno = 0;
	ck_assert_int_eq(mem_offset64(p + ps, NOFD, 1, &off, &contig), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(munmap(p, 2 * ps), 0);
	errno = 0;
	ck_assert_int_eq(mem_offset64(p + 5, NOFD, 1, &off, &contig), -1);
	ck_assert_int_eq(errno, EACCES);
	errno = 0;
	ck_assert_int_eq(mem_offset(p, NOFD, 1, &o, &contig), -1);
	ck_assert_int_eq(errno, EACCES);
	errno = 0;
	ck_assert_int_eq(posix_mem_offset64(p, 1, &off, &contig, &d), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(off, 55);
	ck_assert_int_eq(o, 66);
	ck_assert_uint_eq(contig, 77);
	ck_assert_int_eq(d, 44);

	if (axa_user("test_mem_offset_errors")) {
		pid_t pid = fork();
		int st;

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			static int v = 1;

			axa_become();
			off = 55;
			if (mem_offset64(&v, NOFD, sizeof(v), &off, NULL) !=
				-1 ||
			    errno != EPERM || off != 55) {
				_exit(1);
			}
			/* Changing user made the process undumpable: its
			 * /proc/self is root's and pagemap does not open.
			 * Dumpable, it opens, with every frame number 0. */
			if (prctl(PR_SET_DUMPABLE, 1) != 0) {
				_exit(3);
			}
			if (mem_offset64(&v, NOFD, sizeof(v), &off, NULL) !=
				-1 ||
			    errno != EPERM || off != 55) {
				_exit(4);
			}
			_exit(mem_offset(&v, NOFD, 1, &o, NULL) == -1 &&
				errno == EPERM
			    ? 0 : 2);
		}
		st = axt_waitpid(pid, 10);
		ck_assert(st != -1 && WIFEXITED(st));
		ck_assert_int_eq(WEXITSTATUS(st), 0);
	}
}
END_TEST

/* Linux's mmap() with QNX's physical flags fails (the mapping type
 * they make is none of Linux's) instead of ignoring them. */
/* MAP_LAZY asks for what Linux does anyway (no bit) and Linux's mmap
 * ignores MAP_ELF: the mapping is the ordinary zero-filled one. */
START_TEST(test_map_hints)
{
	unsigned char *p;

	_Static_assert(MAP_LAZY == 0, "a hint of no bit");
	_Static_assert((MAP_ELF & (MAP_TYPE | MAP_FIXED | MAP_ANON)) == 0,
	    "MAP_ELF is no bit Linux's mmap acts on here");
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANON | MAP_LAZY | MAP_ELF, NOFD, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	ck_assert_int_eq(p[0] | p[8191], 0);
	p[4096] = 7;
	ck_assert_int_eq(p[4096], 7);
	ck_assert_int_eq(munmap(p, 8192), 0);
}
END_TEST

START_TEST(test_map_phys_fails)
{
	static const int flags[] = {
		MAP_PHYS | MAP_ANON | MAP_PRIVATE,
		MAP_PHYS | MAP_ANON | MAP_SHARED,
		MAP_PHYS | MAP_ANON,
		MAP_PHYS | MAP_ANON | MAP_PRIVATE | MAP_NOX64K | MAP_BELOW16M,
		MAP_NOX64K | MAP_ANON | MAP_PRIVATE,
		MAP_BELOW16M | MAP_ANON | MAP_SHARED,
		MAP_PHYS | MAP_ANON | MAP_SHARED_VALIDATE,
	};
	int fd = shm_new();

	ck_assert_int_eq(shm_ctl(fd, SHMCTL_ANON, 0, 4096), 0);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		errno = 0;
		ck_assert_ptr_eq(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    flags[i], NOFD, 0), MAP_FAILED);
		ck_assert_int_eq(errno, EINVAL);
		/* Nor on a descriptor. */
		errno = 0;
		ck_assert_ptr_eq(mmap(NULL, 4096, PROT_READ,
		    flags[i] & ~MAP_ANON, fd, 0), MAP_FAILED);
		ck_assert_int_eq(errno, EINVAL);
	}
	/* The usual physical mapping, a frame buffer: no descriptor. */
	errno = 0;
	ck_assert_ptr_eq(mmap(NULL, 4096, PROT_READ | PROT_WRITE |
	    PROT_NOCACHE, MAP_PHYS | MAP_SHARED, NOFD, 0xa0000), MAP_FAILED);
	ck_assert_int_eq(errno, EBADF);
	close(fd);
	ck_assert_int_eq(shm_unlink(shm_name), 0);
}
END_TEST

static Suite *
shmctl_suite(void)
{
	Suite *s = suite_create("shmctl");
	TCase *t = axt_tcase("shmctl", 30);

	tcase_add_test(t, test_anon_shared);
	tcase_add_test(t, test_map_hints);
	tcase_add_test(t, test_shm_ctl_errors);
	tcase_add_test(t, test_mem_offset);
	tcase_add_test(t, test_mem_offset_errors);
	tcase_add_test(t, test_map_phys_fails);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(shmctl_suite());
}
