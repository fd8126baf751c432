/* SPDX-License-Identifier: MIT */
/*
 * QNX's High Availability Manager calls (<ha/ham.h>, ham(3)): the
 * client side of axon-ham(8).  Every call is one request (hammsg.h)
 * sent with devctl() on the process's one connection to /proc/ham,
 * which the library keeps with a reference count as QNX's does; a call
 * made without ham_connect() opens a connection for itself and closes
 * it after.  Handles hold names only: the HAM is the judge of whether
 * what they name exists (ENOENT), as QNX documents ("completely
 * asynchronous").  What is not built fails with ENOSYS.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <devctl.h>
#include <ha/ham.h>
#include <sys/netmgr.h>

#include "dispatch_int.h"
#include "hammsg.h"
#include "internal.h"

struct axon_ham_entity {
	char ename[AXON_HAM_NAME_MAX + 1];
};

struct axon_ham_condition {
	char ename[AXON_HAM_NAME_MAX + 1];
	char cname[AXON_HAM_NAME_MAX + 1];
};

struct axon_ham_action {
	char ename[AXON_HAM_NAME_MAX + 1];
	char cname[AXON_HAM_NAME_MAX + 1];
	char aname[AXON_HAM_NAME_MAX + 1];
};

/* The process's connection: coid, references, and the pid that opened
 * it (a fork()ed child has none, as on QNX). */
static pthread_mutex_t ham_lock = PTHREAD_MUTEX_INITIALIZER;
static int ham_coid = -1;
static int ham_refs;
static pid_t ham_pid;

/*
 * ham_lock is held across the devctl() of every call (ham_heartbeat()'s
 * too), so a fork() by another thread meanwhile would leave the child
 * a lock nobody will ever release: its first ham_*() call would hang
 * for good.  The child has no connection (forget_inherited), so it
 * starts with a fresh lock and none.  (Not taken in a prepare handler:
 * fork() would then wait for a HAM's answer.)
 */
static pthread_once_t ham_once = PTHREAD_ONCE_INIT;

static void
ham_atfork_child(void)
{
	pthread_mutex_init(&ham_lock, NULL);
	ham_coid = -1;
	ham_refs = 0;
}

static void
ham_once_init(void)
{
	(void) pthread_atfork(NULL, NULL, ham_atfork_child);
}

static void
ham_lock_take(void)
{
	(void) pthread_once(&ham_once, ham_once_init);
	pthread_mutex_lock(&ham_lock);
}

/* ham_lock held: forgets a connection inherited through fork(). */
static void
forget_inherited(void)
{
	if (ham_coid != -1 && ham_pid != getpid()) {
		ham_coid = -1;
		ham_refs = 0;
	}
}

/* ham_lock held: one more reference, opening the connection if there
 * is none; 0 or -errno (open's). */
static int
conn_get(void)
{
	int coid;

	forget_inherited();
	if (ham_coid == -1) {
		coid = axon__io_open(AXON_HAM_PATH, O_RDWR, 0);
		if (coid < 0) {
			return coid;
		}
		ham_coid = coid;
		ham_pid = getpid();
		ham_refs = 0;
	}
	ham_refs++;
	return 0;
}

/* ham_lock held: one reference less, closing at zero; 0 or -EINVAL
 * when there is none. */
static int
conn_put(void)
{
	forget_inherited();
	if (ham_coid == -1 || ham_refs <= 0) {
		return -EINVAL;
	}
	if (--ham_refs == 0) {
		(void) axon__io_close(ham_coid);
		ham_coid = -1;
	}
	return 0;
}

/* Sends r on the connection (a temporary one if there is none, kept
 * when keep is set: ham_attach_self()'s).  0 or -errno: -EBADF when the
 * HAM cannot be reached, else the HAM's answer. */
static int
ham_call(const struct axon_ham_req *r, bool keep)
{
	uint8_t *buf = malloc(AXON_HAM_MSG_MAX);
	int n;
	int rc;

	if (buf == NULL) {
		return -ENOMEM;
	}
	n = axon__ham_encode(r, buf, AXON_HAM_MSG_MAX);
	if (n < 0) {
		free(buf);
		return n == -ENOSPC ? -ENAMETOOLONG : -EINVAL;
	}
	ham_lock_take();
	if (conn_get() < 0) {
		pthread_mutex_unlock(&ham_lock);
		free(buf);
		return -EBADF;
	}
	rc = devctl(ham_coid, DCMD_AXON_HAM, buf, (size_t) n, NULL);
	if (rc == ESRCH || rc == EBADF) {
		/* The HAM went away: the connection is dead. */
		rc = EBADF;
	}
	if (!(keep && rc == EOK)) {
		(void) conn_put();
	}
	pthread_mutex_unlock(&ham_lock);
	free(buf);
	return -rc;
}

/* Copies name into dst (AXON_HAM_NAME_MAX + 1): -EINVAL for NULL,
 * -ENAMETOOLONG when it does not fit. */
static int
copy_name(char *dst, const char *name)
{
	size_t n;

	if (name == NULL) {
		return -EINVAL;
	}
	n = strnlen(name, AXON_HAM_NAME_MAX + 1);
	if (n > AXON_HAM_NAME_MAX) {
		return -ENAMETOOLONG;
	}
	memcpy(dst, name, n + 1);
	return 0;
}

static int
copy_text(char *dst, const char *text)
{
	size_t n;

	if (text == NULL) {
		dst[0] = '\0';
		return 0;
	}
	n = strnlen(text, AXON_HAM_TEXT_MAX + 1);
	if (n > AXON_HAM_TEXT_MAX) {
		return -ENAMETOOLONG;
	}
	memcpy(dst, text, n + 1);
	return 0;
}

/* Only this node's HAM: nd 0 (ND_LOCAL_NODE), nodename NULL. */
static int
check_local(int nd, const char *nodename)
{
	return nd == ND_LOCAL_NODE && nodename == NULL ? 0 : -ENOSYS;
}

static void *
fail_null(int err)
{
	errno = err;
	return NULL;
}

static int
fail_int(int err)
{
	errno = err;
	return -1;
}

static struct axon_ham_req *
req_new(uint16_t op)
{
	struct axon_ham_req *r = calloc(1, sizeof(*r));

	if (r != NULL) {
		r->op = op;
	}
	return r;
}

/* Runs r (freed) and returns the result as an int call does. */
static int
req_run_int(struct axon_ham_req *r, bool keep)
{
	int rc = ham_call(r, keep);

	free(r);
	return rc < 0 ? fail_int(-rc) : 0;
}

/* ---- connections ---------------------------------------------------- */

AXON_EXPORT int
ham_connect(unsigned flags)
{
	int rc;

	(void) flags;
	ham_lock_take();
	rc = conn_get();
	pthread_mutex_unlock(&ham_lock);
	return rc < 0 ? fail_int(-rc) : 0;
}

AXON_EXPORT int
ham_connect_nd(int nd, unsigned flags)
{
	return nd == ND_LOCAL_NODE ? ham_connect(flags) : fail_int(ENOSYS);
}

AXON_EXPORT int
ham_connect_node(const char *nodename, unsigned flags)
{
	return nodename == NULL ? ham_connect(flags) : fail_int(ENOSYS);
}

AXON_EXPORT int
ham_disconnect(unsigned flags)
{
	int rc;

	(void) flags;
	ham_lock_take();
	rc = conn_put();
	pthread_mutex_unlock(&ham_lock);
	return rc < 0 ? fail_int(-rc) : 0;
}

AXON_EXPORT int
ham_disconnect_nd(int nd, unsigned flags)
{
	return nd == ND_LOCAL_NODE ? ham_disconnect(flags) : fail_int(ENOSYS);
}

AXON_EXPORT int
ham_disconnect_node(const char *nodename, unsigned flags)
{
	return nodename == NULL ? ham_disconnect(flags) : fail_int(ENOSYS);
}

/* ---- entities ------------------------------------------------------- */

/* An entity handle for ename, or NULL with errno. */
static ham_entity_t *
entity_handle(const char *ename)
{
	ham_entity_t *e = malloc(sizeof(*e));

	if (e == NULL) {
		return fail_null(ENOMEM);
	}
	memcpy(e->ename, ename, strlen(ename) + 1);
	return e;
}

AXON_EXPORT ham_entity_t *
ham_attach_self(const char *ename, uint64_t hp, int hpdl, int hpdh,
    unsigned flags)
{
	struct axon_ham_req *r;
	int rc;

	if (hp != 0 && (hp < HAMHBEATMIN || hpdl < 0 || hpdh < 0 ||
	    (hpdl > 0 && hpdh > 0 && hpdl > hpdh))) {
		return fail_null(EINVAL);
	}
	if ((r = req_new(AXON_HAM_ATTACH_SELF)) == NULL) {
		return fail_null(ENOMEM);
	}
	if ((rc = copy_name(r->ename, ename)) < 0) {
		free(r);
		return fail_null(-rc);
	}
	r->flags = flags;
	r->hp = hp;
	r->arg[0] = hpdl;
	r->arg[1] = hpdh;
	/* The connection stays open for the entity's heartbeats (its
	 * reference is ham_detach_self()'s to drop). */
	rc = ham_call(r, true);
	if (rc < 0) {
		free(r);
		return fail_null(-rc);
	}
	ham_entity_t *e = entity_handle(r->ename);

	free(r);
	return e;
}

AXON_EXPORT int
ham_detach_self(ham_entity_t *ehdl, unsigned flags)
{
	struct axon_ham_req *r;
	int rc;

	if (ehdl == NULL) {
		return fail_int(EINVAL);
	}
	if ((r = req_new(AXON_HAM_DETACH_SELF)) == NULL) {
		return fail_int(ENOMEM);
	}
	memcpy(r->ename, ehdl->ename, sizeof(r->ename));
	r->flags = flags;
	rc = ham_call(r, false);
	free(r);
	if (rc < 0) {
		return fail_int(-rc);
	}
	/* ham_attach_self()'s reference, if this process holds it. */
	ham_lock_take();
	(void) conn_put();
	pthread_mutex_unlock(&ham_lock);
	return 0;
}

AXON_EXPORT int
ham_heartbeat(void)
{
	struct axon_ham_req r;
	uint8_t buf[AXON_HAM_HDR];

	/* Always succeeds (QNX); nothing to do without a connection, that
	 * is, without a self-attached entity. */
	memset(&r, 0, sizeof(r));
	r.op = AXON_HAM_HEARTBEAT;
	if (axon__ham_encode(&r, buf, sizeof(buf)) != AXON_HAM_HDR) {
		return 0;
	}
	ham_lock_take();
	forget_inherited();
	if (ham_coid != -1) {
		(void) devctl(ham_coid, DCMD_AXON_HAM, buf, sizeof(buf), NULL);
	}
	pthread_mutex_unlock(&ham_lock);
	return 0;
}

AXON_EXPORT ham_entity_t *
ham_attach(const char *ename, int nd, pid_t pid, const char *line,
    unsigned flags)
{
	(void) ename;
	(void) nd;
	(void) pid;
	(void) line;
	(void) flags;
	return fail_null(ENOSYS);
}

AXON_EXPORT ham_entity_t *
ham_attach_node(const char *ename, const char *nodename, pid_t pid,
    const char *line, unsigned flags)
{
	(void) ename;
	(void) nodename;
	(void) pid;
	(void) line;
	(void) flags;
	return fail_null(ENOSYS);
}

static int
detach_name(const char *ename, unsigned flags)
{
	struct axon_ham_req *r;
	int rc;

	if ((r = req_new(AXON_HAM_DETACH)) == NULL) {
		return fail_int(ENOMEM);
	}
	if ((rc = copy_name(r->ename, ename)) < 0) {
		free(r);
		return fail_int(-rc);
	}
	r->flags = flags;
	return req_run_int(r, false);
}

AXON_EXPORT int
ham_detach(ham_entity_t *ehdl, unsigned flags)
{
	return ehdl == NULL ? fail_int(EINVAL) : detach_name(ehdl->ename, flags);
}

AXON_EXPORT int
ham_detach_name(int nd, const char *ename, unsigned flags)
{
	int rc = check_local(nd, NULL);

	return rc < 0 ? fail_int(-rc) : detach_name(ename, flags);
}

AXON_EXPORT int
ham_detach_name_node(const char *nodename, const char *ename,
    unsigned flags)
{
	int rc = check_local(ND_LOCAL_NODE, nodename);

	return rc < 0 ? fail_int(-rc) : detach_name(ename, flags);
}

AXON_EXPORT ham_entity_t *
ham_entity(const char *ename, int nd, unsigned flags)
{
	struct axon_ham_req *r;
	int rc;

	if ((rc = check_local(nd, NULL)) < 0) {
		return fail_null(-rc);
	}
	if ((r = req_new(AXON_HAM_ENTITY)) == NULL) {
		return fail_null(ENOMEM);
	}
	r->flags = flags;
	if ((rc = copy_name(r->ename, ename)) < 0 ||
	    (rc = ham_call(r, false)) < 0) {
		free(r);
		return fail_null(-rc);
	}
	ham_entity_t *e = entity_handle(r->ename);

	free(r);
	return e;
}

AXON_EXPORT ham_entity_t *
ham_entity_node(const char *ename, const char *nodename, unsigned flags)
{
	return nodename == NULL ? ham_entity(ename, ND_LOCAL_NODE, flags)
				: fail_null(ENOSYS);
}

AXON_EXPORT int
ham_entity_condition_raise(ham_entity_t *ehdl, unsigned rtype,
    unsigned rclass, unsigned rseverity, unsigned flags)
{
	(void) ehdl;
	(void) rtype;
	(void) rclass;
	(void) rseverity;
	(void) flags;
	return fail_int(ENOSYS);
}

AXON_EXPORT int
ham_entity_condition_state(ham_entity_t *ehdl, unsigned tostate,
    unsigned flags)
{
	(void) ehdl;
	(void) tostate;
	(void) flags;
	return fail_int(ENOSYS);
}

AXON_EXPORT int
ham_entity_control(ham_entity_t *ehdl, int command, unsigned flags)
{
	(void) ehdl;
	(void) command;
	(void) flags;
	return fail_int(ENOSYS);
}

/* ---- conditions ----------------------------------------------------- */

AXON_EXPORT ham_condition_t *
ham_condition(ham_entity_t *ehdl, int type, const char *cname,
    unsigned flags)
{
	struct axon_ham_req *r;
	ham_condition_t *c;
	int rc;

	if (ehdl == NULL) {
		return fail_null(EINVAL);
	}
	if ((r = req_new(AXON_HAM_CONDITION)) == NULL) {
		return fail_null(ENOMEM);
	}
	memcpy(r->ename, ehdl->ename, sizeof(r->ename));
	r->flags = flags;
	r->arg[0] = type;
	if ((rc = copy_name(r->cname, cname)) < 0 ||
	    (rc = ham_call(r, false)) < 0) {
		free(r);
		return fail_null(-rc);
	}
	if ((c = malloc(sizeof(*c))) == NULL) {
		free(r);
		return fail_null(ENOMEM);
	}
	memcpy(c->ename, r->ename, sizeof(c->ename));
	memcpy(c->cname, r->cname, sizeof(c->cname));
	free(r);
	return c;
}

AXON_EXPORT ham_condition_t *
ham_condition_raise(ham_entity_t *ehdl, const char *cname, unsigned rtype,
    unsigned rclass, unsigned rseverity, unsigned flags)
{
	(void) ehdl;
	(void) cname;
	(void) rtype;
	(void) rclass;
	(void) rseverity;
	(void) flags;
	return fail_null(ENOSYS);
}

AXON_EXPORT ham_condition_t *
ham_condition_state(ham_entity_t *ehdl, const char *cname,
    unsigned fromstate, unsigned tostate, unsigned flags)
{
	(void) ehdl;
	(void) cname;
	(void) fromstate;
	(void) tostate;
	(void) flags;
	return fail_null(ENOSYS);
}

AXON_EXPORT int
ham_condition_remove(ham_condition_t *chdl, unsigned flags)
{
	struct axon_ham_req *r;

	if (chdl == NULL) {
		return fail_int(EINVAL);
	}
	if ((r = req_new(AXON_HAM_CONDITION_REMOVE)) == NULL) {
		return fail_int(ENOMEM);
	}
	memcpy(r->ename, chdl->ename, sizeof(r->ename));
	memcpy(r->cname, chdl->cname, sizeof(r->cname));
	r->flags = flags;
	return req_run_int(r, false);
}

AXON_EXPORT int
ham_condition_control(ham_condition_t *chdl, int command, unsigned flags)
{
	(void) chdl;
	(void) command;
	(void) flags;
	return fail_int(ENOSYS);
}

/* ---- actions -------------------------------------------------------- */

/* Adds an action of kind to chdl: its handle or NULL with errno. */
static ham_action_t *
action_add(ham_condition_t *chdl, const char *aname, int kind,
    const char *text, const int32_t args[5], unsigned flags)
{
	struct axon_ham_req *r;
	ham_action_t *a;
	int rc;

	if (chdl == NULL) {
		return fail_null(EINVAL);
	}
	if ((r = req_new(AXON_HAM_ACTION)) == NULL) {
		return fail_null(ENOMEM);
	}
	memcpy(r->ename, chdl->ename, sizeof(r->ename));
	memcpy(r->cname, chdl->cname, sizeof(r->cname));
	r->flags = flags;
	r->arg[0] = kind;
	for (int i = 0; i < 5; i++) {
		r->arg[i + 1] = args[i];
	}
	if ((rc = copy_name(r->aname, aname)) < 0 ||
	    (rc = copy_text(r->text, text)) < 0 ||
	    (rc = ham_call(r, false)) < 0) {
		free(r);
		return fail_null(-rc);
	}
	if ((a = malloc(sizeof(*a))) == NULL) {
		free(r);
		return fail_null(ENOMEM);
	}
	memcpy(a->ename, r->ename, sizeof(a->ename));
	memcpy(a->cname, r->cname, sizeof(a->cname));
	memcpy(a->aname, r->aname, sizeof(a->aname));
	free(r);
	return a;
}

AXON_EXPORT ham_action_t *
ham_action_execute(ham_condition_t *chdl, const char *aname,
    const char *path, unsigned flags)
{
	static const int32_t none[5];

	if (path == NULL) {
		return fail_null(EINVAL);
	}
	return action_add(chdl, aname, AXON_HAM_A_EXECUTE, path, none, flags);
}

AXON_EXPORT ham_action_t *
ham_action_restart(ham_condition_t *chdl, const char *aname,
    const char *path, unsigned flags)
{
	static const int32_t none[5];

	if (path == NULL) {
		return fail_null(EINVAL);
	}
	return action_add(chdl, aname, AXON_HAM_A_RESTART, path, none, flags);
}

AXON_EXPORT ham_action_t *
ham_action_notify_pulse(ham_condition_t *chdl, const char *aname, int nd,
    pid_t topid, int chid, int pulsecode, int value, unsigned flags)
{
	const int32_t args[5] = {nd, topid, chid, pulsecode, value};

	return action_add(chdl, aname, AXON_HAM_A_PULSE, NULL, args, flags);
}

AXON_EXPORT ham_action_t *
ham_action_notify_pulse_node(ham_condition_t *chdl, const char *aname,
    const char *nodename, pid_t topid, int chid, int pulsecode, int value,
    unsigned flags)
{
	int nd = ND_LOCAL_NODE;

	if (nodename != NULL && (nd = netmgr_strtond(nodename, NULL)) == -1) {
		return NULL; /* errno is netmgr_strtond()'s */
	}
	return ham_action_notify_pulse(chdl, aname, nd, topid, chid,
	    pulsecode, value, flags);
}

AXON_EXPORT ham_action_t *
ham_action_notify_signal(ham_condition_t *chdl, const char *aname, int nd,
    pid_t topid, int signum, int code, int value, unsigned flags)
{
	const int32_t args[5] = {nd, topid, signum, code, value};

	return action_add(chdl, aname, AXON_HAM_A_SIGNAL, NULL, args, flags);
}

AXON_EXPORT ham_action_t *
ham_action_notify_signal_node(ham_condition_t *chdl, const char *aname,
    const char *nodename, pid_t topid, int signum, int code, int value,
    unsigned flags)
{
	int nd = ND_LOCAL_NODE;

	if (nodename != NULL && (nd = netmgr_strtond(nodename, NULL)) == -1) {
		return NULL;
	}
	return ham_action_notify_signal(chdl, aname, nd, topid, signum, code,
	    value, flags);
}

AXON_EXPORT ham_action_t *
ham_action_waitfor(ham_condition_t *chdl, const char *aname,
    const char *path, int delay, unsigned flags)
{
	const int32_t args[5] = {delay, 0, 0, 0, 0};

	return action_add(chdl, aname, AXON_HAM_A_WAITFOR, path, args, flags);
}

AXON_EXPORT ham_action_t *
ham_action_log(ham_condition_t *chdl, const char *aname, const char *msg,
    unsigned attachprefix, int verbosity, unsigned flags)
{
	const int32_t args[5] = {attachprefix != 0, verbosity, 0, 0, 0};

	if (msg == NULL) {
		return fail_null(EINVAL);
	}
	return action_add(chdl, aname, AXON_HAM_A_LOG, msg, args, flags);
}

AXON_EXPORT ham_action_t *
ham_action_heartbeat_healthy(ham_condition_t *chdl, const char *aname,
    unsigned flags)
{
	static const int32_t none[5];

	return action_add(chdl, aname, AXON_HAM_A_HEALTHY, NULL, none, flags);
}

AXON_EXPORT int
ham_action_remove(ham_action_t *ahdl, unsigned flags)
{
	struct axon_ham_req *r;

	if (ahdl == NULL) {
		return fail_int(EINVAL);
	}
	if ((r = req_new(AXON_HAM_ACTION_REMOVE)) == NULL) {
		return fail_int(ENOMEM);
	}
	memcpy(r->ename, ahdl->ename, sizeof(r->ename));
	memcpy(r->cname, ahdl->cname, sizeof(r->cname));
	memcpy(r->aname, ahdl->aname, sizeof(r->aname));
	r->flags = flags;
	return req_run_int(r, false);
}

AXON_EXPORT int
ham_action_control(ham_action_t *ahdl, int command, unsigned flags)
{
	(void) ahdl;
	(void) command;
	(void) flags;
	return fail_int(ENOSYS);
}

/* ---- action-fail lists: not built ----------------------------------- */

AXON_EXPORT int
ham_action_fail_execute(ham_action_t *ahdl, const char *aname,
    const char *path, unsigned flags)
{
	(void) ahdl;
	(void) aname;
	(void) path;
	(void) flags;
	return fail_int(ENOSYS);
}

AXON_EXPORT int
ham_action_fail_waitfor(ham_action_t *ahdl, const char *aname,
    const char *path, int delay, unsigned flags)
{
	(void) ahdl;
	(void) aname;
	(void) path;
	(void) delay;
	(void) flags;
	return fail_int(ENOSYS);
}

AXON_EXPORT int
ham_action_fail_notify_pulse(ham_action_t *ahdl, const char *aname, int nd,
    pid_t topid, int chid, int pulsecode, int value, unsigned flags)
{
	(void) ahdl;
	(void) aname;
	(void) nd;
	(void) topid;
	(void) chid;
	(void) pulsecode;
	(void) value;
	(void) flags;
	return fail_int(ENOSYS);
}

AXON_EXPORT int
ham_action_fail_notify_pulse_node(ham_action_t *ahdl, const char *aname,
    const char *nodename, pid_t topid, int chid, int pulsecode, int value,
    unsigned flags)
{
	(void) nodename;
	return ham_action_fail_notify_pulse(ahdl, aname, 0, topid, chid,
	    pulsecode, value, flags);
}

AXON_EXPORT int
ham_action_fail_notify_signal(ham_action_t *ahdl, const char *aname,
    int nd, pid_t topid, int signum, int code, int value, unsigned flags)
{
	(void) ahdl;
	(void) aname;
	(void) nd;
	(void) topid;
	(void) signum;
	(void) code;
	(void) value;
	(void) flags;
	return fail_int(ENOSYS);
}

AXON_EXPORT int
ham_action_fail_notify_signal_node(ham_action_t *ahdl, const char *aname,
    const char *nodename, pid_t topid, int signum, int code, int value,
    unsigned flags)
{
	(void) nodename;
	return ham_action_fail_notify_signal(ahdl, aname, 0, topid, signum,
	    code, value, flags);
}

AXON_EXPORT int
ham_action_fail_log(ham_action_t *ahdl, const char *aname, const char *msg,
    unsigned attachprefix, int verbosity, unsigned flags)
{
	(void) ahdl;
	(void) aname;
	(void) msg;
	(void) attachprefix;
	(void) verbosity;
	(void) flags;
	return fail_int(ENOSYS);
}

AXON_EXPORT int
ham_action_fail_remove(ham_action_t *ahdl, const char *aname,
    unsigned flags)
{
	(void) ahdl;
	(void) aname;
	(void) flags;
	return fail_int(ENOSYS);
}

/* ---- handles -------------------------------------------------------- */

/* Asks the HAM whether the names exist: 0 or -errno. */
static int
lookup(const char *ename, const char *cname, const char *aname)
{
	struct axon_ham_req *r = req_new(AXON_HAM_LOOKUP);
	int rc;

	if (r == NULL) {
		return -ENOMEM;
	}
	if ((rc = copy_name(r->ename, ename)) < 0 ||
	    (cname != NULL && (rc = copy_name(r->cname, cname)) < 0) ||
	    (aname != NULL && (rc = copy_name(r->aname, aname)) < 0)) {
		free(r);
		return rc;
	}
	rc = ham_call(r, false);
	free(r);
	return rc;
}

AXON_EXPORT ham_entity_t *
ham_entity_handle(int nd, const char *ename, unsigned flags)
{
	int rc;

	(void) flags;
	if ((rc = check_local(nd, NULL)) < 0 ||
	    (rc = lookup(ename, NULL, NULL)) < 0) {
		return fail_null(-rc);
	}
	return entity_handle(ename);
}

AXON_EXPORT ham_entity_t *
ham_entity_handle_node(const char *nodename, const char *ename,
    unsigned flags)
{
	return nodename == NULL ? ham_entity_handle(ND_LOCAL_NODE, ename, flags)
				: fail_null(ENOSYS);
}

AXON_EXPORT ham_condition_t *
ham_condition_handle(int nd, const char *ename, const char *cname,
    unsigned flags)
{
	ham_condition_t *c;
	int rc;

	(void) flags;
	if (cname == NULL) {
		return fail_null(EINVAL);
	}
	if ((rc = check_local(nd, NULL)) < 0 ||
	    (rc = lookup(ename, cname, NULL)) < 0) {
		return fail_null(-rc);
	}
	if ((c = malloc(sizeof(*c))) == NULL) {
		return fail_null(ENOMEM);
	}
	(void) copy_name(c->ename, ename);
	(void) copy_name(c->cname, cname);
	return c;
}

AXON_EXPORT ham_condition_t *
ham_condition_handle_node(const char *nodename, const char *ename,
    const char *cname, unsigned flags)
{
	return nodename == NULL ?
	    ham_condition_handle(ND_LOCAL_NODE, ename, cname, flags) :
	    fail_null(ENOSYS);
}

AXON_EXPORT ham_action_t *
ham_action_handle(int nd, const char *ename, const char *cname,
    const char *aname, unsigned flags)
{
	ham_action_t *a;
	int rc;

	(void) flags;
	if (cname == NULL || aname == NULL) {
		return fail_null(EINVAL);
	}
	if ((rc = check_local(nd, NULL)) < 0 ||
	    (rc = lookup(ename, cname, aname)) < 0) {
		return fail_null(-rc);
	}
	if ((a = malloc(sizeof(*a))) == NULL) {
		return fail_null(ENOMEM);
	}
	(void) copy_name(a->ename, ename);
	(void) copy_name(a->cname, cname);
	(void) copy_name(a->aname, aname);
	return a;
}

AXON_EXPORT ham_action_t *
ham_action_handle_node(const char *nodename, const char *ename,
    const char *cname, const char *aname, unsigned flags)
{
	return nodename == NULL ?
	    ham_action_handle(ND_LOCAL_NODE, ename, cname, aname, flags) :
	    fail_null(ENOSYS);
}

AXON_EXPORT int
ham_entity_handle_free(ham_entity_t *ehdl)
{
	if (ehdl == NULL) {
		return fail_int(EINVAL);
	}
	free(ehdl);
	return 0;
}

AXON_EXPORT int
ham_condition_handle_free(ham_condition_t *chdl)
{
	if (chdl == NULL) {
		return fail_int(EINVAL);
	}
	free(chdl);
	return 0;
}

AXON_EXPORT int
ham_action_handle_free(ham_action_t *ahdl)
{
	if (ahdl == NULL) {
		return fail_int(EINVAL);
	}
	free(ahdl);
	return 0;
}

/* ---- stopping ------------------------------------------------------- */

AXON_EXPORT int
ham_stop(void)
{
	struct axon_ham_req *r = req_new(AXON_HAM_STOP);

	if (r == NULL) {
		return fail_int(ENOMEM);
	}
	return req_run_int(r, false);
}

AXON_EXPORT int
ham_stop_nd(int nd)
{
	return nd == ND_LOCAL_NODE ? ham_stop() : fail_int(ENOSYS);
}

AXON_EXPORT int
ham_stop_node(const char *nodename)
{
	return nodename == NULL ? ham_stop() : fail_int(ENOSYS);
}
