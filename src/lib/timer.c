/* SPDX-License-Identifier: MIT */
/*
 * QNX's per-process timers: TimerCreate, TimerSettime, TimerInfo,
 * TimerDestroy and TimerAlarm (TimerCreate(3)).
 *
 * Each timer is a timerfd in one epoll set that one thread per process
 * serves, started with the first timer.  A timer costs a descriptor and
 * no thread; the kernel keeps the expiry order, reloads periodic timers,
 * counts expirations the thread has not read yet (the overruns), follows
 * clock_settime() for absolute CLOCK_REALTIME timers, and wakes the
 * thread with the precision of a timerfd (the jitter target is
 * measured against one).  POSIX timers with SIGEV_THREAD_ID were the
 * other way to have no thread per timer; they need a signal number of
 * the program's and a handler in every thread that might take it, which
 * a library must not impose.
 *
 * A timer whose pulses go straight to a channel of this process is also
 * in that channel's epoll set, added first and both exclusively, so that
 * an expiry wakes a receiver asleep on the channel rather than the
 * thread: the receiver reads the count and queues the pulses itself
 * (axon__timer_ready, from the bells it takes), one wake-up per tick as
 * for a timerfd reader.  With no receiver asleep there the thread wakes.
 *
 * On expiry the thread delivers the timer's sigevent itself (sigev.c): a
 * pulse through the event's connection (to a channel of this process it
 * is queued at once, without the monitor thread; through the socket to
 * any other process or node), a signal, or a new thread for SIGEV_THREAD.
 * None of these blocks, so the thread never waits on a program.  An
 * event that cannot be delivered (the connection died, its channel is
 * full) counts as an overrun, like an expiration a signal could not
 * carry.
 *
 * Locking: tm.lock guards the table and each timer; a timer being
 * delivered has busy set, and TimerDestroy() waits for it to clear, so
 * that after TimerDestroy() returns its event is never delivered again.
 * Timers are not inherited across fork() (POSIX, QNX): the child's table
 * starts empty and the parent's descriptors are closed in it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "internal.h"

#define AXON_MAX_TIMERS 4096
#define NSEC            1000000000ull

struct axon_timer {
	int fd;              /* timerfd */
	uint32_t gen;        /* told apart from a reused id in epoll data */
	clockid_t clock;     /* as given (CLOCK_SOFTTIME kept for TimerInfo) */
	struct sigevent ev;  /* pulse priority resolved at creation */
	pid_t tid;           /* the creating thread */
	bool abs;            /* armed with TIMER_ABSTIME */
	bool expired;        /* fired since it was last armed */
	uint64_t tolerance;  /* TIMER_TOLERANCE: kept and reported only */
	uint32_t overruns;
	int busy;            /* the timer thread is delivering its event */
	bool dying;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t idle; /* a busy timer finished delivering */
	struct axon_timer *t[AXON_MAX_TIMERS];
	uint32_t next_gen;
	int epfd;
	bool running;
	bool atfork;
} tm = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
	.epfd = -1,
};

static clockid_t
kclock(clockid_t id)
{
	return id == CLOCK_SOFTTIME ? CLOCK_REALTIME : id;
}

static bool
clock_ok(clockid_t id)
{
	return id == CLOCK_REALTIME || id == CLOCK_MONOTONIC ||
	    id == CLOCK_SOFTTIME;
}

static uint64_t
ts_ns(const struct timespec *ts)
{
	return (uint64_t) ts->tv_sec * NSEC + (uint64_t) ts->tv_nsec;
}

static struct timespec
ns_ts(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t) (ns / NSEC),
		.tv_nsec = (long) (ns % NSEC),
	};

	return ts;
}

/*
 * n expirations of t, read at once.  Pulses are queued, one for each
 * expiration, as QNX does ("timer overruns occur only for signals"), up
 * to AXON_TIMER_BURST at a time; a signal or a thread is raised once,
 * the other expirations counted as overruns (POSIX).  tm.lock held, and
 * dropped while delivering.
 */
#define AXON_TIMER_BURST 1024

static void
tm_deliver(struct axon_timer *t, uint64_t n)
{
	struct sigevent ev = t->ev;
	pid_t tid = t->tid;
	uint64_t want = SIGEV_GET_TYPE(&ev) == SIGEV_PULSE
	    ? (n < AXON_TIMER_BURST ? n : AXON_TIMER_BURST)
	    : 1;
	uint64_t done = 0;

	t->busy++;
	pthread_mutex_unlock(&tm.lock);
	for (uint64_t i = 0; i < want; i++) {
		if (axon__sigev_raise(&ev, ev.sigev_value, tid, SI_TIMER) ==
		    0) {
			done++;
		}
	}
	pthread_mutex_lock(&tm.lock);
	/* Expirations not delivered are overruns (saturating: QNX's count
	 * does not wrap either). */
	n -= done;
	t->overruns = n > UINT32_MAX - t->overruns ? UINT32_MAX
						   : t->overruns + (uint32_t) n;
	if (--t->busy == 0 && t->dying) {
		pthread_cond_broadcast(&tm.idle);
	}
}

/*
 * The timer of tag (slot, and a generation that tells a reused slot
 * apart) expired: its count is read and its event delivered.  Whoever
 * reads first delivers (the timer thread, or a receiver of the channel
 * the pulses go to): a read that finds nothing (the other took it, or
 * the timer was re-armed or disarmed since epoll saw it) delivers
 * nothing.  The raw read: not a cancellation point with tm.lock held.
 */
static void
tm_event(uint64_t tag)
{
	uint32_t id = (uint32_t) tag;
	uint32_t gen = (uint32_t) ((tag & ~AXON_TIMER_EPTAG) >> 32);
	struct axon_timer *t;
	uint64_t cnt;

	pthread_mutex_lock(&tm.lock);
	t = id < AXON_MAX_TIMERS ? tm.t[id] : NULL;
	if (t != NULL && t->gen == gen && !t->dying &&
	    syscall(SYS_read, t->fd, &cnt, sizeof(cnt)) ==
		(long) sizeof(cnt) &&
	    cnt > 0) {
		t->expired = true;
		tm_deliver(t, cnt);
	}
	pthread_mutex_unlock(&tm.lock);
}

void
axon__timer_ready(uint64_t tag)
{
	int ocs;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &ocs);
	tm_event(tag);
	pthread_setcancelstate(ocs, NULL);
}

static void *
tm_main(void *arg)
{
	struct epoll_event evs[16];

	axon__ps_thread_hide();
	sem_post(arg); /* started: see tm_start */
	for (;;) {
		int n = epoll_wait(tm.epfd, evs, 16, -1);

		for (int i = 0; i < n; i++) {
			tm_event(evs[i].data.u64);
		}
	}
	return NULL;
}

static void
tm_atfork_prepare(void)
{
	pthread_mutex_lock(&tm.lock);
}

static void
tm_atfork_parent(void)
{
	pthread_mutex_unlock(&tm.lock);
}

static void
tm_atfork_child(void)
{
	for (int i = 0; i < AXON_MAX_TIMERS; i++) {
		if (tm.t[i] != NULL) {
			(void) close(tm.t[i]->fd);
			free(tm.t[i]);
			tm.t[i] = NULL;
		}
	}
	if (tm.epfd >= 0) {
		(void) close(tm.epfd);
		tm.epfd = -1;
	}
	tm.running = false;
	pthread_mutex_init(&tm.lock, NULL);
	pthread_cond_init(&tm.idle, NULL);
}

/* The epoll set and its thread, once per process.  tm.lock held. */
static int
tm_start(void)
{
	sem_t started;
	pthread_t th;
	int rc;

	if (tm.running) {
		return 0;
	}
	if (!tm.atfork) {
		if (pthread_atfork(tm_atfork_prepare, tm_atfork_parent,
			tm_atfork_child) != 0) {
			return -EAGAIN;
		}
		tm.atfork = true;
	}
	tm.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (tm.epfd < 0) {
		return -EAGAIN;
	}
	/* The thread takes no signal: they are the program's.  It inherits
	 * the creating thread's scheduling, so a real-time program's timers
	 * are served at its priority. */
	sem_init(&started, 0, 0);
	rc = axon__thread_create_quiet(&th, NULL, tm_main, &started);
	if (rc != 0) {
		sem_destroy(&started);
		(void) close(tm.epfd);
		tm.epfd = -1;
		return -EAGAIN;
	}
	/* Return only once the thread runs, as axon__mon_start() does: a
	 * fork() right after TimerCreate() (a common pattern) must not
	 * catch the thread half-started. */
	while (sem_wait(&started) < 0 && errno == EINTR) {
	}
	sem_destroy(&started);
	(void) pthread_detach(th);
	(void) pthread_setname_np(th, "axon-timer");
	tm.running = true;
	return 0;
}

int
TimerCreate_r(clockid_t id, const struct sigevent *event)
{
	AXON_KEEP_ERRNO;

	struct axon_timer *t;
	struct epoll_event ee;
	int slot = -1;
	int rc;

	if (!clock_ok(id)) {
		return -EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		return -EAGAIN;
	}
	if (event == NULL) {
		/* QNX: no event means SIGALRM to the process. */
		t->ev.sigev_notify = SIGEV_SIGNAL;
		t->ev.sigev_signo = SIGALRM;
	} else {
		rc = axon__sigev_check(event);
		if (rc < 0) {
			free(t);
			return rc;
		}
		t->ev = *event;
	}
	if (SIGEV_GET_TYPE(&t->ev) == SIGEV_PULSE) {
		struct axon_cconn *cc;

		/* A connection that does not exist now is a mistake in the
		 * program, told now rather than by a timer that never
		 * pulses. */
		rc = axon__coid_get(t->ev.sigev_coid, &cc);
		if (rc < 0) {
			free(t);
			return rc;
		}
		axon__cconn_put(cc);
		if (t->ev.sigev_priority == SIGEV_PULSE_PRIO_INHERIT) {
			t->ev.sigev_priority = axon__my_prio() & 0xff;
		}
	}
	t->clock = id;
	t->tid = axon__gettid();
	t->fd = timerfd_create(kclock(id), TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->fd < 0) {
		rc = errno == EINVAL ? -EINVAL : -EAGAIN;
		free(t);
		return rc;
	}
	pthread_mutex_lock(&tm.lock);
	rc = tm_start();
	for (int i = 0; rc == 0 && i < AXON_MAX_TIMERS; i++) {
		if (tm.t[i] == NULL) {
			slot = i;
			break;
		}
	}
	if (rc == 0 && slot < 0) {
		rc = -EAGAIN; /* all timer objects in use, as QNX says */
	}
	if (rc == 0) {
		struct axon_chan *chan = NULL;

		t->gen = ++tm.next_gen & 0x7fffffff;
		memset(&ee, 0, sizeof(ee));
		/* Exclusive: an expiry wakes the first of the two sets, in
		 * the order added, that has a thread asleep in it — a
		 * receiver of the channel if one sleeps there, otherwise
		 * the timer thread; not both. */
		ee.events = EPOLLIN | EPOLLEXCLUSIVE;
		ee.data.u64 = AXON_TIMER_EPTAG | (uint64_t) t->gen << 32 |
		    (uint64_t) slot;
		if (SIGEV_GET_TYPE(&t->ev) == SIGEV_PULSE) {
			chan = axon__coid_direct_chan(t->ev.sigev_coid);
		}
		if (chan != NULL) {
			/* (Best effort: without it the thread delivers.
			 * Closing the timerfd takes it out again.) */
			(void) epoll_ctl(chan->epfd, EPOLL_CTL_ADD, t->fd, &ee);
			axon__chan_put(chan);
		}
		if (epoll_ctl(tm.epfd, EPOLL_CTL_ADD, t->fd, &ee) != 0) {
			rc = -EAGAIN;
		}
	}
	if (rc < 0) {
		pthread_mutex_unlock(&tm.lock);
		(void) close(t->fd);
		free(t);
		return rc;
	}
	tm.t[slot] = t;
	pthread_mutex_unlock(&tm.lock);
	return slot;
}

/* The timer id, locked; NULL if there is none. */
static struct axon_timer *
tm_get(int id)
{
	struct axon_timer *t;

	pthread_mutex_lock(&tm.lock);
	t = id >= 0 && id < AXON_MAX_TIMERS ? tm.t[id] : NULL;
	if (t == NULL) {
		pthread_mutex_unlock(&tm.lock);
	}
	return t;
}

static int
TimerDestroy_r_body(int id)
{
	AXON_KEEP_ERRNO;

	struct axon_timer *t = tm_get(id);

	if (t == NULL) {
		return -EINVAL;
	}
	tm.t[id] = NULL;
	t->dying = true;
	(void) epoll_ctl(tm.epfd, EPOLL_CTL_DEL, t->fd, NULL);
	while (t->busy > 0) {
		pthread_cond_wait(&tm.idle, &tm.lock);
	}
	pthread_mutex_unlock(&tm.lock);
	(void) close(t->fd);
	free(t);
	return 0;
}

/* Not a cancellation point (it waits with a lock held). */
int
TimerDestroy_r(int id)
{
	int rc;
	int state;

	(void) pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &state);
	rc = TimerDestroy_r_body(id);
	(void) pthread_setcancelstate(state, NULL);
	return rc;
}

/* What is left of t's time and its period.  tm.lock held. */
static void
tm_left(const struct axon_timer *t, struct _itimer *ret)
{
	struct itimerspec cur;

	memset(ret, 0, sizeof(*ret));
	if (timerfd_gettime(t->fd, &cur) == 0) {
		ret->nsec = ts_ns(&cur.it_value);
		ret->interval_nsec = ts_ns(&cur.it_interval);
	}
}

int
TimerSettime_r(int id, int flags, const struct _itimer *itime,
    struct _itimer *oitime)
{
	AXON_KEEP_ERRNO;

	struct axon_timer *t;
	struct itimerspec its;
	struct _itimer old;
	bool abs = (flags & TIMER_ABSTIME) != 0;
	int rc = 0;

	if (flags & ~(TIMER_ABSTIME | TIMER_TOLERANCE | TIMER_PRECISE)) {
		return -EINVAL;
	}
	if (itime == NULL) {
		return -EFAULT;
	}
	/* Both fit a timespec's tv_sec: no absolute date past 2262. */
	if (itime->nsec > (uint64_t) INT64_MAX ||
	    itime->interval_nsec > (uint64_t) INT64_MAX) {
		return -EINVAL;
	}
	t = tm_get(id);
	if (t == NULL) {
		return -EINVAL;
	}
	tm_left(t, &old);
	if (flags & TIMER_TOLERANCE) {
		old.interval_nsec = t->tolerance;
		t->tolerance = itime->nsec; /* Linux has one: timer slack */
	} else {
		its.it_value = ns_ts(itime->nsec);
		its.it_interval = ns_ts(itime->interval_nsec);
		if (itime->nsec == 0) {
			its.it_interval = its.it_value; /* disarmed: no period */
		}
		if (timerfd_settime(t->fd, abs ? TFD_TIMER_ABSTIME : 0, &its,
			NULL) != 0) {
			rc = -EINVAL;
		} else {
			t->abs = abs && itime->nsec != 0;
			t->expired = false;
		}
	}
	pthread_mutex_unlock(&tm.lock);
	if (rc == 0 && oitime != NULL) {
		*oitime = old;
	}
	return rc;
}

int
TimerInfo_r(pid_t pid, int id, int flags, struct _timer_info *info)
{
	AXON_KEEP_ERRNO;

	struct axon_timer *t = NULL;
	struct _itimer left;
	struct timespec now;

	if (flags & ~(_NTO_TIMER_SEARCH | _NTO_TIMER_RESET_OVERRUNS |
			_NTO_TI_REPORT_TOLERANCE)) {
		return -EINVAL;
	}
	if (pid != 0 && pid != getpid()) {
		return -ESRCH; /* another process's timers are its own */
	}
	if (info == NULL && flags != _NTO_TIMER_RESET_OVERRUNS) {
		return -EFAULT;
	}
	if (id < 0 || id >= AXON_MAX_TIMERS) {
		return -EINVAL;
	}
	pthread_mutex_lock(&tm.lock);
	for (; id < AXON_MAX_TIMERS; id++) {
		t = tm.t[id];
		if (t != NULL || !(flags & _NTO_TIMER_SEARCH)) {
			break;
		}
	}
	if (t == NULL) {
		pthread_mutex_unlock(&tm.lock);
		return -EINVAL;
	}
	if (info != NULL) {
		memset(info, 0, sizeof(*info));
		tm_left(t, &left);
		clock_gettime(kclock(t->clock), &now);
		info->otime = left;
		if (left.nsec != 0) {
			info->flags |= _NTO_TI_ACTIVE;
			info->itime.nsec = ts_ns(&now) + left.nsec;
		}
		info->itime.interval_nsec = left.interval_nsec;
		if (flags & _NTO_TI_REPORT_TOLERANCE) {
			info->otime.interval_nsec = t->tolerance;
			info->flags |= _NTO_TI_REPORT_TOLERANCE;
		}
		if (t->abs) {
			info->flags |= _NTO_TI_ABSOLUTE;
			if (kclock(t->clock) == CLOCK_REALTIME) {
				info->flags |= _NTO_TI_TOD_BASED;
			}
		}
		if (t->expired) {
			info->flags |= _NTO_TI_EXPIRED;
		}
		if (t->tolerance != 0) {
			info->flags |= _NTO_TI_TOLERANT;
		}
		if (SIGEV_GET_TYPE(&t->ev) == SIGEV_SIGNAL_THREAD) {
			info->tid = t->tid;
		} else {
			info->flags |= _NTO_TI_TARGET_PROCESS;
		}
		info->notify = t->ev.sigev_notify;
		info->clockid = t->clock;
		info->overruns = t->overruns;
		info->event = t->ev;
	}
	if (flags & _NTO_TIMER_RESET_OVERRUNS) {
		t->overruns = 0;
	}
	pthread_mutex_unlock(&tm.lock);
	return id;
}

/*
 * The process's alarm is Linux's ITIMER_REAL, the one alarm() sets, so
 * that alarm() and TimerAlarm() share one alarm as on QNX.  Its unit is
 * the microsecond: times round up to it.
 */
static struct timeval
ns_tv(uint64_t ns)
{
	struct timeval tv = {
		.tv_sec = (time_t) (ns / NSEC),
		.tv_usec = (suseconds_t) ((ns % NSEC + 999) / 1000),
	};

	if (tv.tv_usec == 1000000) {
		tv.tv_sec++;
		tv.tv_usec = 0;
	}
	return tv;
}

int
TimerAlarm_r(clockid_t id, const struct _itimer *itime, struct _itimer *otime)
{
	AXON_KEEP_ERRNO;

	struct itimerval nv;
	struct itimerval ov;

	if (!clock_ok(id)) {
		return -EINVAL;
	}
	if (itime == NULL) {
		if (getitimer(ITIMER_REAL, &ov) != 0) {
			return -errno;
		}
	} else {
		if (itime->nsec > (uint64_t) INT64_MAX ||
		    itime->interval_nsec > (uint64_t) INT64_MAX) {
			return -EINVAL;
		}
		nv.it_value = ns_tv(itime->nsec);
		nv.it_interval = itime->nsec != 0 ? ns_tv(itime->interval_nsec)
						  : nv.it_value;
		if (setitimer(ITIMER_REAL, &nv, &ov) != 0) {
			return -errno;
		}
	}
	if (otime != NULL) {
		otime->nsec = (uint64_t) ov.it_value.tv_sec * NSEC +
		    (uint64_t) ov.it_value.tv_usec * 1000u;
		otime->interval_nsec = (uint64_t) ov.it_interval.tv_sec * NSEC +
		    (uint64_t) ov.it_interval.tv_usec * 1000u;
	}
	return 0;
}

int
TimerCreate(clockid_t id, const struct sigevent *event)
{
	return axon__errno_ret(TimerCreate_r(id, event));
}

int
TimerDestroy(int id)
{
	return axon__errno_ret(TimerDestroy_r(id));
}

int
TimerSettime(int id, int flags, const struct _itimer *itime,
    struct _itimer *oitime)
{
	return axon__errno_ret(TimerSettime_r(id, flags, itime, oitime));
}

int
TimerInfo(pid_t pid, int id, int flags, struct _timer_info *info)
{
	return axon__errno_ret(TimerInfo_r(pid, id, flags, info));
}

int
TimerAlarm(clockid_t id, const struct _itimer *itime, struct _itimer *otime)
{
	return axon__errno_ret(TimerAlarm_r(id, itime, otime));
}
