/* SPDX-License-Identifier: MIT */
/*
 * QNX's spawn*() convenience family (<process.h>, see spawn(3)), over
 * posix_spawn(), which reports a failed exec as an error of the call
 * rather than as a child that exits 127.
 *
 *   P_WAIT     spawn, wait, return the child's wait status
 *   P_NOWAIT   spawn, return the child's pid
 *   P_NOWAITO  spawn through a short-lived middle process that exits at
 *              once, so the child is re-parented (to init or the nearest
 *              subreaper) and never becomes the caller's zombie
 *   P_OVERLAY  exec in place
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <process.h>

#include "internal.h"

extern char **environ;

static int
spawn_one(pid_t *ret_pid, const char *path, char *const argv[],
    char *const envp[], bool search)
{
	return search ? posix_spawnp(ret_pid, path, NULL, NULL, argv, envp)
		      : posix_spawn(ret_pid, path, NULL, NULL, argv, envp);
}

/* Returns the grandchild's pid or -errno; see P_NOWAITO above. */
static int
spawn_orphan(const char *path, char *const argv[], char *const envp[],
    bool search)
{
	int fds[2];
	int res = -EIO;
	pid_t mid;
	int st;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		return -errno;
	}
	mid = fork();
	if (mid < 0) {
		res = -errno;
		(void) close(fds[0]);
		(void) close(fds[1]);
		return res;
	}
	if (mid == 0) {
		pid_t pid;
		int err = spawn_one(&pid, path, argv, envp, search);
		int out = err != 0 ? -err : pid;

		(void) close(fds[0]);
		(void) !write(fds[1], &out, sizeof(out));
		_exit(0);
	}
	(void) close(fds[1]);
	for (;;) {
		ssize_t n = read(fds[0], &res, sizeof(res));

		if (n == (ssize_t) sizeof(res)) {
			break;
		}
		if (n < 0 && errno == EINTR) {
			continue;
		}
		res = -EIO; /* the middle process died before answering */
		break;
	}
	(void) close(fds[0]);
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR) {
	}
	return res;
}

static int
spawn_any(int mode, const char *path, char *const argv[], char *const envp[],
    bool search)
{
	pid_t pid;
	int st;
	int err;

	if (path == NULL || argv == NULL || argv[0] == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (envp == NULL) {
		envp = environ;
	}
	switch (mode) {
	case P_OVERLAY:
		if (search) {
			(void) execvpe(path, argv, envp);
		} else {
			(void) execve(path, argv, envp);
		}
		return -1;
	case P_NOWAITO:
		err = spawn_orphan(path, argv, envp, search);
		if (err < 0) {
			errno = -err;
			return -1;
		}
		return err;
	case P_WAIT:
	case P_NOWAIT:
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	err = spawn_one(&pid, path, argv, envp, search);
	if (err != 0) {
		errno = err;
		return -1;
	}
	if (mode == P_NOWAIT) {
		return pid;
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			return -1; /* ECHILD: SIGCHLD is ignored */
		}
	}
	return st;
}

/* Collects the NULL-terminated argument list after arg0 (and, with env,
 * the envp after the NULL) into a vector; NULL with E2BIG if longer than
 * the system's argument limit allows. */
static char **
spawn_vec(const char *arg0, va_list ap, bool env, char ***ret_envp)
{
	size_t cap = 16;
	size_t n = 0;
	char **v = malloc(cap * sizeof(*v));
	const char *a = arg0;
	long max = sysconf(_SC_ARG_MAX);

	if (max <= 0) {
		max = 131072;
	}
	if (v == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	while (a != NULL) {
		if (n + 2 > cap) {
			char **nv;

			if (cap >= (size_t) max / sizeof(*v)) {
				free(v);
				errno = E2BIG;
				return NULL;
			}
			nv = realloc(v, 2 * cap * sizeof(*v));
			if (nv == NULL) {
				free(v);
				errno = ENOMEM;
				return NULL;
			}
			v = nv;
			cap *= 2;
		}
		v[n++] = (char *) a;
		a = va_arg(ap, const char *);
	}
	v[n] = NULL;
	if (env) {
		*ret_envp = va_arg(ap, char **);
	}
	return v;
}

#define SPAWN_L(name, search, env)                                         \
	int name(int mode, const char *path, const char *arg0, ...)        \
	{                                                                  \
		char **envp = NULL;                                        \
		char **argv;                                               \
		va_list ap;                                                \
		int r;                                                     \
		int e;                                                     \
                                                                           \
		if (arg0 == NULL) {                                        \
			errno = EINVAL;                                    \
			return -1;                                         \
		}                                                          \
		va_start(ap, arg0);                                        \
		argv = spawn_vec(arg0, ap, env, &envp);                    \
		va_end(ap);                                                \
		if (argv == NULL) {                                        \
			return -1;                                         \
		}                                                          \
		r = spawn_any(mode, path, argv, envp, search);             \
		e = errno;                                                 \
		free(argv);                                                \
		errno = e;                                                 \
		return r;                                                  \
	}

SPAWN_L(axon_spawnl, false, false)
SPAWN_L(axon_spawnle, false, true)
SPAWN_L(axon_spawnlp, true, false)
SPAWN_L(axon_spawnlpe, true, true)

int
axon_spawnv(int mode, const char *path, char *const argv[])
{
	return spawn_any(mode, path, argv, NULL, false);
}

int
axon_spawnve(int mode, const char *path, char *const argv[],
    char *const envp[])
{
	return spawn_any(mode, path, argv, envp, false);
}

int
axon_spawnvp(int mode, const char *file, char *const argv[])
{
	return spawn_any(mode, file, argv, NULL, true);
}

int
axon_spawnvpe(int mode, const char *file, char *const argv[],
    char *const envp[])
{
	return spawn_any(mode, file, argv, envp, true);
}

/* QNX's names (AXON_QNX_NAME, internal.h). */
#undef spawnl
#undef spawnle
#undef spawnlp
#undef spawnlpe
#undef spawnv
#undef spawnve
#undef spawnvp
#undef spawnvpe
AXON_QNX_NAME(spawnl, axon_spawnl);
AXON_QNX_NAME(spawnle, axon_spawnle);
AXON_QNX_NAME(spawnlp, axon_spawnlp);
AXON_QNX_NAME(spawnlpe, axon_spawnlpe);
AXON_QNX_NAME(spawnv, axon_spawnv);
AXON_QNX_NAME(spawnve, axon_spawnve);
AXON_QNX_NAME(spawnvp, axon_spawnvp);
AXON_QNX_NAME(spawnvpe, axon_spawnvpe);
