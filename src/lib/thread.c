/* SPDX-License-Identifier: MIT */
/*
 * QNX's thread and scheduling kernel calls (ThreadCreate(3)):
 * ThreadCreate, ThreadDestroy, ThreadJoin, ThreadDetach, ThreadCtl,
 * ThreadCtlExt, SchedGet, SchedSet, SchedInfo and SchedYield, over POSIX
 * threads; SchedCtl, as on a QNX system without the adaptive
 * partitioning scheduler.
 *
 * Thread ids are Linux thread ids, as in _msg_info.tid.  QNX's pthread_t
 * is the thread id; glibc's is a pointer, so ThreadJoin() and
 * ThreadDestroy() know the threads ThreadCreate() started (a table of
 * them here) and the calling thread; any other id is ESRCH.
 *
 * Priorities are those of the rest of libaxon (proc.c, getprio()): a
 * SCHED_FIFO or SCHED_RR thread's QNX priority is its Linux real-time
 * priority (1 to 99); any other thread is at QNX's default, 10.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#include <sys/sched_aps.h>

struct axon_thr {
	struct axon_thr *next;
	pid_t tid;
	pthread_t th;
	bool detached;
	bool joining;     /* a ThreadJoin() waits for it */
	bool destroyed;   /* ThreadDestroy()ed: status is the one given */
	void *status;
	_Atomic uint32_t ended; /* its function is over: joins are short */
};

static pthread_mutex_t thr_lock = PTHREAD_MUTEX_INITIALIZER;
static struct axon_thr *thr_list;

struct thr_start {
	void *(*func)(void *);
	void *arg;
	struct axon_thr *rec;
	pid_t tid;
	_Atomic uint32_t ready;
};

/* tid's record, or NULL.  thr_lock held. */
static struct axon_thr **
thr_find(pid_t tid)
{
	struct axon_thr **pp;

	for (pp = &thr_list; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->tid == tid) {
			return pp;
		}
	}
	return NULL;
}

/*
 * The thread is ending (returned, pthread_exit(), cancelled).  A detached
 * thread's record goes with it: nobody will join it.  A joinable one
 * says it has ended, for a ThreadJoin() with a deadline.
 */
static void
thr_exit(void *arg)
{
	struct axon_thr *rec = arg;
	struct axon_thr **pp;

	pthread_mutex_lock(&thr_lock);
	if (rec->detached && (pp = thr_find(rec->tid)) != NULL) {
		*pp = rec->next;
		free(rec);
	} else {
		atomic_store(&rec->ended, 1);
		axon__futex_wake(&rec->ended, INT32_MAX);
	}
	pthread_mutex_unlock(&thr_lock);
}

static void *
thr_main(void *arg)
{
	struct thr_start *st = arg;
	void *(*func)(void *) = st->func;
	void *farg = st->arg;
	struct axon_thr *rec = st->rec;
	void *ret;

	pthread_mutex_lock(&thr_lock);
	rec->tid = axon__gettid();
	st->tid = rec->tid;
	pthread_mutex_unlock(&thr_lock);
	/* The creator waits for the tid (it returns it); after this store
	 * st is the creator's again and must not be touched. */
	atomic_store(&st->ready, 1);
	axon__futex_wake(&st->ready, 1);
	axon__tls_start(farg);
	pthread_cleanup_push(thr_exit, rec);
	ret = func(farg);
	pthread_cleanup_pop(1);
	return ret;
}

int
ThreadCreate_r(pid_t pid, void *(*func)(void *), void *arg,
    const pthread_attr_t *attr)
{
	AXON_KEEP_ERRNO;

	struct thr_start st = {.func = func, .arg = arg};
	struct axon_thr *rec;
	int ds = PTHREAD_CREATE_JOINABLE;
	int rc;

	if (pid != 0 && pid != getpid()) {
		return -ESRCH; /* threads of another process: not from here */
	}
	if (func == NULL) {
		return -EINVAL;
	}
	if (attr != NULL && pthread_attr_getdetachstate(attr, &ds) != 0) {
		return -EINVAL;
	}
	rec = calloc(1, sizeof(*rec));
	if (rec == NULL) {
		return -EAGAIN;
	}
	rec->detached = ds == PTHREAD_CREATE_DETACHED;
	rec->tid = -1;
	st.rec = rec;
	/* Listed before it runs, so that a detached thread that ends at
	 * once finds its record; its tid is set before it can end. */
	pthread_mutex_lock(&thr_lock);
	rec->next = thr_list;
	thr_list = rec;
	rc = pthread_create(&rec->th, attr, thr_main, &st);
	if (rc != 0) {
		thr_list = rec->next;
		pthread_mutex_unlock(&thr_lock);
		free(rec);
		return rc == EPERM ? -EPERM : rc == EINVAL ? -EINVAL : -EAGAIN;
	}
	pthread_mutex_unlock(&thr_lock);
	while (atomic_load(&st.ready) == 0) {
		(void) axon__futex_wait(&st.ready, 0, NULL);
	}
	return st.tid; /* rec may be gone: detached, and ended */
}

int
ThreadDestroy_r(int tid, int priority, void *status)
{
	AXON_KEEP_ERRNO;

	struct axon_thr **pp;
	int rc;

	if (priority < -1 || priority > 255) {
		return -EINVAL;
	}
	if (tid == 0 || tid == axon__gettid()) {
		pthread_exit(status);
	}
	if (tid < 0) {
		return -EINVAL; /* -1 (every thread): exit() does that */
	}
	pthread_mutex_lock(&thr_lock);
	pp = thr_find(tid);
	if (pp == NULL) {
		pthread_mutex_unlock(&thr_lock);
		return -ESRCH;
	}
	(*pp)->destroyed = true;
	(*pp)->status = status;
	rc = pthread_cancel((*pp)->th);
	pthread_mutex_unlock(&thr_lock);
	return rc == 0 ? 0 : -ESRCH;
}

/* pthread_join() returns once the kernel has cleared the thread's tid
 * word, which it does before it releases the thread: for a moment after,
 * the tid still names the dying thread (tgkill() finds it, and so would
 * ClockId() or SchedGet()).  QNX's ThreadJoin() returns when the thread
 * is gone, and so does this one: the window is microseconds; the wait
 * is bounded (about a second) for a tid the kernel has given again. */
static void
tid_wait_gone(pid_t tid)
{
	pid_t pid = getpid();

	for (int i = 0; i < 10000 &&
	    syscall(SYS_tgkill, pid, tid, 0) == 0; i++) {
		if (i < 100) {
			(void) sched_yield();
		} else {
			(void) usleep(100);
		}
	}
}

int
ThreadJoin_r(int tid, void **status)
{
	AXON_KEEP_ERRNO;

	struct axon_deadline dl;
	struct axon_thr **pp;
	struct axon_thr *rec;
	void *ret = NULL;
	int rc;

	axon__timeout_take(&dl);
	if (tid <= 0) {
		return -ESRCH;
	}
	if (tid == axon__gettid()) {
		return -EDEADLK;
	}
	pthread_mutex_lock(&thr_lock);
	pp = thr_find(tid);
	rec = pp != NULL ? *pp : NULL;
	if (rec == NULL) {
		pthread_mutex_unlock(&thr_lock);
		return -ESRCH;
	}
	if (rec->detached) {
		pthread_mutex_unlock(&thr_lock);
		return -EINVAL;
	}
	if (rec->joining) {
		pthread_mutex_unlock(&thr_lock);
		return -EBUSY;
	}
	rec->joining = true;
	pthread_mutex_unlock(&thr_lock);
	/* With a deadline, wait for the thread to end on its own word
	 * (the deadline is CLOCK_MONOTONIC, which pthread_timedjoin_np()
	 * cannot take); the join itself then waits only for its exit. */
	rc = 0;
	if (axon__deadline_applies(&dl, _NTO_TIMEOUT_JOIN)) {
		while (atomic_load(&rec->ended) == 0) {
			if (dl.immediate ||
			    axon__futex_wait(&rec->ended, 0, &dl.at) ==
				-ETIMEDOUT) {
				rc = atomic_load(&rec->ended) ? 0 : ETIMEDOUT;
				break;
			}
		}
	}
	if (rc == 0) {
		rc = pthread_join(rec->th, &ret);
	}
	if (rc == 0) {
		tid_wait_gone(tid);
	}
	pthread_mutex_lock(&thr_lock);
	rec->joining = false;
	if (rc == 0) {
		if (rec->destroyed) {
			ret = rec->status;
		}
		pp = thr_find(tid);
		if (pp != NULL) {
			*pp = rec->next;
		}
		free(rec);
	}
	pthread_mutex_unlock(&thr_lock);
	if (rc != 0) {
		return rc == ETIMEDOUT ? -ETIMEDOUT : -rc;
	}
	if (status != NULL) {
		*status = ret;
	}
	return 0;
}

int
ThreadDetach_r(int tid)
{
	AXON_KEEP_ERRNO;

	struct axon_thr **pp;
	int rc;

	if (tid == 0) {
		tid = axon__gettid();
	}
	if (tid < 0) {
		return -ESRCH;
	}
	pthread_mutex_lock(&thr_lock);
	pp = thr_find(tid);
	if (pp == NULL) {
		pthread_mutex_unlock(&thr_lock);
		return tid == axon__gettid() &&
			pthread_detach(pthread_self()) == 0
		    ? 0
		    : -ESRCH;
	}
	if ((*pp)->detached || (*pp)->joining) {
		pthread_mutex_unlock(&thr_lock);
		return -EINVAL;
	}
	rc = pthread_detach((*pp)->th);
	(*pp)->detached = rc == 0;
	pthread_mutex_unlock(&thr_lock);
	return rc == 0 ? 0 : -ESRCH;
}

/* ---- ThreadCtl ---------------------------------------------------------- */

static int sched_target(pid_t pid, int tid, pid_t *ret);

/* The run masks of Linux thread lid (0: the calling thread). */
static int
runmask_get(pid_t lid, unsigned *ret, int words)
{
	cpu_set_t set;

	if (sched_getaffinity(lid, sizeof(set), &set) != 0) {
		return -errno;
	}
	memset(ret, 0, sizeof(unsigned) * (size_t) words);
	for (int c = 0; c < CPU_SETSIZE && c < words * 32; c++) {
		if (CPU_ISSET(c, &set)) {
			RMSK_SET(c, ret);
		}
	}
	return 0;
}

static int
runmask_set(pid_t lid, const unsigned *mask, int words)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int c = 0; c < CPU_SETSIZE && c < words * 32; c++) {
		if (RMSK_ISSET(c, mask)) {
			CPU_SET(c, &set);
		}
	}
	if (CPU_COUNT(&set) == 0) {
		return -EINVAL;
	}
	/* EINVAL also when no CPU of the mask is online. */
	return sched_setaffinity(lid, sizeof(set), &set) == 0 ? 0 : -errno;
}

/* Thread lid's name through /proc: comm of pid's task lid. */
static int
comm_get(pid_t pid, pid_t lid, char *out, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int) pid,
	    (int) lid);
	f = fopen(path, "re");
	if (f == NULL) {
		return -ESRCH;
	}
	if (fgets(out, (int) size, f) == NULL) {
		out[0] = '\0';
	}
	(void) fclose(f);
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

static int
comm_set(pid_t lid, const char *name)
{
	char path[64];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int) lid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		return -ESRCH;
	}
	n = write(fd, name, strlen(name));
	(void) close(fd);
	return n < 0 ? -EINVAL : 0;
}

/*
 * _NTO_TCTL_NAME on Linux thread lid of process pid (lid 0: the calling
 * thread; pid 0: this process).  Linux lets a process name only its own
 * threads.
 */
static int
tctl_name(pid_t pid, pid_t lid, struct _thread_name *tn)
{
	char old[16];
	char name[16];
	int len;
	int rc;

	if (tn == NULL) {
		return -EFAULT;
	}
	len = tn->new_name_len;
	if (len > 0) {
		/* Linux keeps 15 bytes of a name; QNX, 100. */
		if (len > 15 || len > tn->name_buf_len) {
			return -E2BIG;
		}
		memcpy(name, tn->name_buf, (size_t) len);
		name[len] = '\0';
	} else {
		name[0] = '\0';
	}
	if (pid != 0 && len != 0) {
		return -ENOTSUP;
	}
	if (lid == 0) {
		if (pthread_getname_np(pthread_self(), old, sizeof(old)) != 0) {
			old[0] = '\0';
		}
		if (len != 0 && pthread_setname_np(pthread_self(), name) != 0) {
			return -EINVAL;
		}
	} else {
		rc = comm_get(pid != 0 ? pid : getpid(), lid, old, sizeof(old));
		if (rc < 0) {
			return rc;
		}
		if (len != 0 && (rc = comm_set(lid, name)) < 0) {
			return rc;
		}
	}
	if (tn->name_buf_len > 0) {
		snprintf(tn->name_buf, (size_t) tn->name_buf_len, "%s", old);
	}
	return 0;
}

/*
 * ThreadCtl()'s cmd on Linux thread lid of process pid: lid 0 is the
 * calling thread; pid 0 is this process (else another's thread).
 */
static int
tctl(pid_t pid, pid_t lid, int cmd, void *data)
{
	switch (cmd) {
	case _NTO_TCTL_IO:
	case _NTO_TCTL_IO_PRIV:
	case _NTO_TCTL_IO_LEVEL:
		if (lid != 0) {
			return -EINVAL; /* the calling thread's alone */
		}
		/* No port I/O or interrupt privilege for a Linux process:
		 * QNX's answer to a process without the ability. */
		return -EPERM;
	case _NTO_TCTL_RUNMASK: {
		unsigned m[2] = {(unsigned) (uintptr_t) data,
		    (unsigned) ((uint64_t) (uintptr_t) data >> 32)};

		return runmask_set(lid, m, 2);
	}
	case _NTO_TCTL_RUNMASK_GET_AND_SET: {
		unsigned *p = data;
		unsigned old;
		int rc;

		if (p == NULL) {
			return -EFAULT;
		}
		rc = runmask_get(lid, &old, 1);
		if (rc == 0 && *p != 0) {
			rc = runmask_set(lid, p, 1);
		}
		if (rc == 0) {
			*p = old;
		}
		return rc;
	}
	case _NTO_TCTL_RUNMASK_GET_AND_SET_INHERIT: {
		int *p = data;
		unsigned *run;
		unsigned *inh;
		unsigned *old;
		bool setrun = false;
		bool setinh = false;
		int words;
		int rc;

		if (p == NULL) {
			return -EFAULT;
		}
		words = p[0];
		if (words <= 0 || words > CPU_SETSIZE / 32) {
			return -EINVAL;
		}
		run = (unsigned *) (p + 1);
		inh = run + words;
		for (int i = 0; i < words; i++) {
			setrun = setrun || run[i] != 0;
			setinh = setinh || inh[i] != 0;
		}
		/* A Linux thread's new threads inherit its own mask: an
		 * inherit mask other than the run mask has no mapping. */
		if (setinh && (!setrun || memcmp(run, inh,
					      sizeof(unsigned) *
						  (size_t) words) != 0)) {
			return -ENOTSUP;
		}
		old = calloc((size_t) words, sizeof(unsigned));
		if (old == NULL) {
			return -ENOMEM;
		}
		rc = runmask_get(lid, old, words);
		if (rc == 0 && setrun) {
			rc = runmask_set(lid, run, words);
		}
		if (rc == 0) {
			memcpy(run, old, sizeof(unsigned) * (size_t) words);
			memcpy(inh, old, sizeof(unsigned) * (size_t) words);
		}
		free(old);
		return rc;
	}
	case _NTO_TCTL_NAME:
		return tctl_name(pid, lid, data);
	case _NTO_TCTL_THREADS_HOLD:
	case _NTO_TCTL_THREADS_CONT:
	case _NTO_TCTL_ONE_THREAD_HOLD:
	case _NTO_TCTL_ONE_THREAD_CONT:
		/* Linux stops a thread only with a signal, and the signals
		 * are the program's (see ThreadCtl in ThreadCreate(3)). */
	case _NTO_TCTL_ALIGN_FAULT:
	case _NTO_TCTL_PERFCOUNT:
		return -ENOTSUP;
	default:
		return -EINVAL;
	}
}

int
ThreadCtl_r(int cmd, void *data)
{
	AXON_KEEP_ERRNO;

	return tctl(0, 0, cmd, data);
}

/* Whether the caller may act on process pid as QNX's
 * PROCMGR_AID_XTHREAD_THREADCTL lets it: Linux's rule for signals (a
 * real or effective uid of the caller that is the target's real or
 * saved uid, or CAP_KILL).  0, -EPERM or -ESRCH. */
static int
may_control(pid_t pid)
{
	if (kill(pid, 0) == 0) {
		return 0;
	}
	return errno == EPERM ? -EPERM : -ESRCH;
}

int
ThreadCtlExt_r(pid_t pid, int tid, int cmd, void *data)
{
	AXON_KEEP_ERRNO;

	pid_t lid;
	int rc;

	if (pid != 0 && tid == 0) {
		return -EINVAL; /* as QNX: a pid needs a tid */
	}
	if (pid == getpid()) {
		pid = 0;
	}
	if (pid < 0 || tid < 0) {
		return -ESRCH;
	}
	if (tid == 0 || (pid == 0 && tid == axon__gettid())) {
		return tctl(0, 0, cmd, data);
	}
	rc = sched_target(pid, tid, &lid);
	if (rc < 0) {
		return rc;
	}
	if (pid != 0 && (rc = may_control(pid)) < 0) {
		return rc;
	}
	return tctl(pid, lid, cmd, data);
}

/* ---- Scheduling --------------------------------------------------------- */

/* The Linux id of QNX's (pid, tid): 0 for the calling thread. */
static int
sched_target(pid_t pid, int tid, pid_t *ret)
{
	char path[64];
	struct stat st;

	if (pid < 0 || tid < 0) {
		return -ESRCH;
	}
	if (tid == 0) {
		*ret = pid; /* 0: us; else the process's first thread */
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%d",
	    pid == 0 ? (int) getpid() : (int) pid, tid);
	if (stat(path, &st) != 0) {
		return -ESRCH;
	}
	*ret = tid;
	return 0;
}

static bool
is_me(pid_t lid)
{
	return lid == 0 || lid == axon__gettid();
}

int
SchedGet_r(pid_t pid, int tid, struct sched_param *param)
{
	AXON_KEEP_ERRNO;

	struct sched_param sp;
	pid_t lid;
	int pol;
	int rc;

	rc = sched_target(pid, tid, &lid);
	if (rc < 0) {
		return rc;
	}
	pol = sched_getscheduler(lid);
	if (pol < 0 || sched_getparam(lid, &sp) != 0) {
		return errno == EPERM ? -EPERM : -ESRCH;
	}
	pol &= ~SCHED_RESET_ON_FORK;
	if (param != NULL) {
		memset(param, 0, sizeof(*param));
		param->sched_priority =
		    pol == SCHED_FIFO || pol == SCHED_RR ? sp.sched_priority
							 : 10;
	}
	return pol;
}

int
SchedSet_r(pid_t pid, int tid, int policy, const struct sched_param *param)
{
	AXON_KEEP_ERRNO;

	struct sched_param sp;
	pid_t lid;
	int cur;
	int prio;
	int rc;

	if (param == NULL) {
		return -EFAULT;
	}
	rc = sched_target(pid, tid, &lid);
	if (rc < 0) {
		return rc;
	}
	prio = param->sched_priority;
	cur = sched_getscheduler(lid);
	if (cur < 0) {
		return -ESRCH;
	}
	cur &= ~SCHED_RESET_ON_FORK;
	if (policy == SCHED_NOCHANGE) {
		policy = cur;
		/* As setprio(): leaving QNX's default for another priority
		 * takes QNX's default policy, round robin. */
		if (policy != SCHED_FIFO && policy != SCHED_RR) {
			policy = prio == 10 ? cur : SCHED_RR;
		}
	}
	memset(&sp, 0, sizeof(sp));
	switch (policy) {
	case SCHED_FIFO:
	case SCHED_RR:
		if (prio < sched_get_priority_min(policy) ||
		    prio > sched_get_priority_max(policy)) {
			return -EINVAL;
		}
		sp.sched_priority = prio;
		break;
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
		/* Every such thread is at QNX priority 10. */
		if (prio != 10 && prio != 0) {
			return -EINVAL;
		}
		break;
	default:
		return -EINVAL; /* SCHED_SPORADIC and unknown policies */
	}
	if (sched_setscheduler(lid, policy, &sp) != 0) {
		return errno == EPERM ? -EPERM : -EINVAL;
	}
	if (is_me(lid)) {
		axon__prio_changed();
	}
	return 0;
}

int
SchedInfo_r(pid_t pid, int policy, struct _sched_info *info)
{
	AXON_KEEP_ERRNO;

	struct timespec ts;
	struct rlimit rl;

	if (info == NULL) {
		return -EFAULT;
	}
	if (pid < 0 || (pid != 0 && kill(pid, 0) != 0 && errno == ESRCH)) {
		return -ESRCH;
	}
	memset(info, 0, sizeof(*info));
	switch (policy) {
	case SCHED_FIFO:
	case SCHED_RR:
		info->priority_min = sched_get_priority_min(policy);
		info->priority_max = sched_get_priority_max(policy);
		break;
	case SCHED_OTHER:
		info->priority_min = 10;
		info->priority_max = 10;
		break;
	default:
		return -EINVAL;
	}
	if (sched_rr_get_interval(pid, &ts) == 0) {
		info->interval = (uint64_t) ts.tv_sec * 1000000000ull +
		    (uint64_t) ts.tv_nsec;
	}
	/* Without privilege: up to RLIMIT_RTPRIO (root: any). */
	info->priority_priv = info->priority_max;
	if (geteuid() != 0 && getrlimit(RLIMIT_RTPRIO, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t) info->priority_max) {
		info->priority_priv = (int) rl.rlim_cur;
	}
	return 0;
}

int
SchedYield_r(void)
{
	(void) sched_yield();
	return 0;
}

int
ThreadCreate(pid_t pid, void *(*func)(void *), void *arg,
    const pthread_attr_t *attr)
{
	return axon__errno_ret(ThreadCreate_r(pid, func, arg, attr));
}

int
ThreadDestroy(int tid, int priority, void *status)
{
	return axon__errno_ret(ThreadDestroy_r(tid, priority, status));
}

int
ThreadJoin(int tid, void **status)
{
	return axon__errno_ret(ThreadJoin_r(tid, status));
}

/*
 * The size of the structure each of <sys/sched_aps.h>'s commands takes,
 * 0 for a command that is not one.
 */
static size_t
schedctl_size(int cmd)
{
	switch (cmd) {
	case SCHED_APS_QUERY_PARMS:
		return sizeof(sched_aps_info);
	case SCHED_APS_SET_PARMS:
		return sizeof(sched_aps_parms);
	case SCHED_APS_CREATE_PARTITION:
		return sizeof(sched_aps_create_parms);
	case SCHED_APS_QUERY_PARTITION:
		return sizeof(sched_aps_partition_info);
	case SCHED_APS_LOOKUP:
		return sizeof(sched_aps_lookup_parms);
	case SCHED_APS_JOIN_PARTITION:
		return sizeof(sched_aps_join_parms);
	case SCHED_APS_MODIFY_PARTITION:
		return sizeof(sched_aps_modify_parms);
	case SCHED_APS_QUERY_THREAD:
		return sizeof(sched_aps_query_thread_parms);
	case SCHED_APS_QUERY_PROCESS:
		return sizeof(sched_aps_query_process_parms);
	case SCHED_APS_MARK_CRITICAL:
	case SCHED_APS_CLEAR_CRITICAL:
		return sizeof(sched_aps_mark_crit_parms);
	default:
		return 0;
	}
}

/*
 * SchedCtl(3): every command QNX has is one of the adaptive partitioning
 * scheduler's, which Axon does not have (<sys/sched_aps.h>).  The
 * arguments are checked first (an unknown command or a length that is
 * not its structure's: EINVAL; no data: EFAULT), then the command is
 * ENOSYS, as on a QNX image without [module=aps].  The data is not
 * touched.
 */
int
SchedCtl_r(int cmd, void *data, size_t length)
{
	size_t want = schedctl_size(cmd);

	if (want == 0 || length != want) {
		return -EINVAL;
	}
	if (data == NULL) {
		return -EFAULT;
	}
	return -ENOSYS;
}

int
SchedCtl(int cmd, void *data, size_t length)
{
	return axon__errno_ret(SchedCtl_r(cmd, data, length));
}

int
ThreadDetach(int tid)
{
	return axon__errno_ret(ThreadDetach_r(tid));
}

int
ThreadCtl(int cmd, void *data)
{
	return axon__errno_ret(ThreadCtl_r(cmd, data));
}

int
ThreadCtlExt(pid_t pid, int tid, int cmd, void *data)
{
	return axon__errno_ret(ThreadCtlExt_r(pid, tid, cmd, data));
}

int
SchedGet(pid_t pid, int tid, struct sched_param *param)
{
	return axon__errno_ret(SchedGet_r(pid, tid, param));
}

int
SchedSet(pid_t pid, int tid, int policy, const struct sched_param *param)
{
	return axon__errno_ret(SchedSet_r(pid, tid, policy, param));
}

int
SchedInfo(pid_t pid, int policy, struct _sched_info *info)
{
	return axon__errno_ret(SchedInfo_r(pid, policy, info));
}

int
SchedYield(void)
{
	return SchedYield_r();
}

int
axon__thread_create_quiet(pthread_t *th, const pthread_attr_t *attr,
    void *(*fn)(void *), void *arg)
{
	sigset_t all, saved;
	int rc;

	(void) sigfillset(&all);
	(void) pthread_sigmask(SIG_SETMASK, &all, &saved);
	rc = pthread_create(th, attr, fn, arg);
	(void) pthread_sigmask(SIG_SETMASK, &saved, NULL);
	return -rc;
}
