/* SPDX-License-Identifier: MIT */
/*
 * <secpol/secpol.h> (secpol_resmgr_attach(3)): Axon is a QNX system
 * with no security policy, so a manager attached with
 * secpol_resmgr_attach() serves its clients as one attached with
 * resmgr_attach() does, with the mode and owner its iofunc_attr_t was
 * given (perms_set false); secpol_transition_type() fails;
 * secpol_get_permission() succeeds (but with SECPOL_PERM_STRICT) and
 * secpol_check_permission() grants to a root client only; misuse gets
 * errors.
 */
#define _GNU_SOURCE
#include <sys/iofunc.h>
#include <sys/dispatch.h>
#include <devctl.h>
#include <secpol/secpol.h>

#include "axon_test.h"

#include "dispatch_int.h"

#define SECPOL_PATH "/dev/axtest/secpol"
#define SECPOL_UID 1234
#define SECPOL_GID 567
#define SECPOL_DATA "secpol"
/* secpol_check_permission() of the sender, done by the manager: 0 or
 * the errno, read back. */
#define DCMD_SECPOL_CHECK __DIOF(_DCMD_MISC, 0x80, int)

static resmgr_connect_funcs_t sp_cfuncs;
static resmgr_io_funcs_t sp_iofuncs;
static iofunc_attr_t sp_attr;
static secpol_permission_t *sp_perm;

static int
sp_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	int rc = iofunc_read_verify(ctp, msg, ocb, NULL);
	size_t n = sizeof(SECPOL_DATA) - 1;

	if (rc != EOK) {
		return rc;
	}
	if (msg->i.nbytes < n) {
		n = msg->i.nbytes;
	}
	_IO_SET_READ_NBYTES(ctp, n);
	return _RESMGR_PTR(ctp, SECPOL_DATA, n);
}

static int
sp_devctl(resmgr_context_t *ctp, io_devctl_t *msg, RESMGR_OCB_T *ocb)
{
	int r;

	if (msg->i.dcmd != DCMD_SECPOL_CHECK) {
		return iofunc_devctl_default(ctp, msg, ocb);
	}
	r = secpol_check_permission(&ctp->info, 0, sp_perm) == 0 ? 0 : errno;
	memset(&msg->o, 0, sizeof(msg->o));
	msg->o.nbytes = sizeof(r);
	memcpy(_DEVCTL_DATA(msg->o), &r, sizeof(r));
	return _RESMGR_PTR(ctp, &msg->o, sizeof(msg->o) + sizeof(r));
}

/* The manager: SECPOL_PATH, S_IFCHR 0640 owned by SECPOL_UID:GID,
 * attached with secpol_resmgr_attach(); reports its link id, or -2 if
 * the attach said it changed the permissions or did change them. */
static void
mgr_secpol(int rep, void *arg)
{
	dispatch_context_t *ctp;
	dispatch_t *dpp;
	bool perms_set = true;
	int id;

	(void) arg;
	if ((dpp = dispatch_create()) == NULL) {
		_exit(1);
	}
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &sp_cfuncs,
	    _RESMGR_IO_NFUNCS, &sp_iofuncs);
	sp_iofuncs.read = sp_read;
	sp_iofuncs.devctl = sp_devctl;
	iofunc_attr_init(&sp_attr, S_IFCHR | 0640, NULL, NULL);
	sp_attr.uid = SECPOL_UID;
	sp_attr.gid = SECPOL_GID;
	if ((sp_perm = secpol_get_permission(NULL, "axtest", "check", 0)) ==
	    NULL) {
		_exit(1);
	}
	id = secpol_resmgr_attach(NULL, dpp, NULL, SECPOL_PATH, _FTYPE_ANY, 0,
	    &sp_cfuncs, &sp_iofuncs, &sp_attr, &perms_set);
	if (id == -1) {
		_exit(1);
	}
	if (perms_set || sp_attr.mode != (S_IFCHR | 0640) ||
	    sp_attr.uid != SECPOL_UID || sp_attr.gid != SECPOL_GID) {
		id = -2;
	}
	if ((ctp = dispatch_context_alloc(dpp)) == NULL) {
		_exit(1);
	}
	/* No policy: the transition fails, and the manager goes on. */
	(void) secpol_transition_type(NULL, NULL, 0);
	axt_report(rep, id);
	for (;;) {
		if (dispatch_block(ctp) == NULL) {
			_exit(1);
		}
		(void) dispatch_handler(ctp);
	}
}

static int
sp_check(int coid)
{
	int r = -1;

	ck_assert_int_eq(devctl(coid, DCMD_SECPOL_CHECK, &r, sizeof(r), NULL),
	    EOK);
	return r;
}

/* A manager attached with secpol_resmgr_attach() serves a client: its
 * path, mode, owner and handlers are resmgr_attach()'s. */
START_TEST(test_attach_serves)
{
	struct axt_child m = axt_spawn(mgr_secpol, NULL);
	struct stat st;
	char buf[32];
	int coid;

	ck_assert_int_ge(m.val, 0);
	coid = axon__io_open(SECPOL_PATH, O_RDONLY, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(axon__io_stat(coid, &st), 0);
	ck_assert_uint_eq(st.st_mode, S_IFCHR | 0640);
	ck_assert_uint_eq(st.st_uid, SECPOL_UID);
	ck_assert_uint_eq(st.st_gid, SECPOL_GID);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(axon__io_read(coid, buf, sizeof(buf)),
	    (ssize_t) strlen(SECPOL_DATA));
	ck_assert_str_eq(buf, SECPOL_DATA);
	ck_assert_int_eq(axon__io_close(coid), 0);
	axt_child_kill(&m);
}
END_TEST

/* No policy: a custom permission is root's (QNX 7.1). */
START_TEST(test_check_permission)
{
	struct axt_child m = axt_spawn(mgr_secpol, NULL);
	int coid;

	ck_assert_int_ge(m.val, 0);
	coid = axon__io_open_ioflag(SECPOL_PATH, 0, 0);
	ck_assert_int_ge(coid, 0);
	ck_assert_int_eq(sp_check(coid), geteuid() == 0 ? 0 : EPERM);
	if (geteuid() == 0) {
		/* The same client with another effective user (the raw
		 * call changes this thread's alone, as test_naming's). */
		ck_assert_int_eq(syscall(SYS_setresuid, -1, 65534, -1), 0);
		ck_assert_int_eq(sp_check(coid), EPERM);
		ck_assert_int_eq(syscall(SYS_setresuid, -1, 0, -1), 0);
		ck_assert_int_eq(sp_check(coid), 0);
	}
	ck_assert_int_eq(axon__io_close(coid), 0);
	axt_child_kill(&m);
}
END_TEST

START_TEST(test_no_policy_results)
{
	secpol_permission_t *p;
	struct _msg_info info;

	/* The transition fails, whatever is asked. */
	errno = 0;
	ck_assert_int_eq(secpol_transition_type(NULL, NULL, 0), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	errno = 0;
	ck_assert_int_eq(secpol_transition_type(NULL, "run", 0), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	ck_assert_int_eq(secpol_transition_type(NULL, "x_t",
	    SECPOL_TYPE_NAME), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	/* A permission: granted by default, ENOTSUP when strict. */
	p = secpol_get_permission(NULL, "c", "p", 0);
	ck_assert_ptr_nonnull(p);
	errno = 0;
	ck_assert_ptr_null(secpol_get_permission(NULL, "c", "p",
	    SECPOL_PERM_STRICT));
	ck_assert_int_eq(errno, ENOTSUP);
	/* Misuse. */
	errno = 0;
	ck_assert_ptr_null(secpol_get_permission(NULL, NULL, "p", 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(secpol_get_permission(NULL, "c", NULL, 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(secpol_get_permission(NULL, "c", "p", 0x100));
	ck_assert_int_eq(errno, EINVAL);
	memset(&info, 0, sizeof(info));
	errno = 0;
	ck_assert_int_eq(secpol_check_permission(NULL, 0, p), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(secpol_check_permission(&info, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	info.scoid = 99999; /* nobody's */
	errno = 0;
	ck_assert_int_eq(secpol_check_permission(&info, 0, p), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* A NULL path: EINVAL, nothing attached; perms_set false. */
START_TEST(test_attach_errors)
{
	dispatch_t *dpp = dispatch_create();
	bool perms_set = true;

	ck_assert_ptr_nonnull(dpp);
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &sp_cfuncs,
	    _RESMGR_IO_NFUNCS, &sp_iofuncs);
	iofunc_attr_init(&sp_attr, S_IFNAM | 0666, NULL, NULL);
	errno = 0;
	ck_assert_int_eq(secpol_resmgr_attach(NULL, dpp, NULL, NULL,
	    _FTYPE_ANY, 0, &sp_cfuncs, &sp_iofuncs, &sp_attr, &perms_set), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert(!perms_set);
	/* What resmgr_attach() refuses, secpol_resmgr_attach() does. */
	errno = 0;
	ck_assert_int_eq(secpol_resmgr_attach(NULL, NULL, NULL, SECPOL_PATH,
	    _FTYPE_ANY, 0, &sp_cfuncs, &sp_iofuncs, &sp_attr, NULL), -1);
	ck_assert_int_ne(errno, 0);
	ck_assert_int_eq(dispatch_destroy(dpp), 0);
}
END_TEST

static Suite *
secpol_suite(void)
{
	Suite *s = suite_create("secpol");
	TCase *t = axt_tcase("secpol", 20);

	tcase_add_test(t, test_attach_serves);
	tcase_add_test(t, test_check_permission);
	tcase_add_test(t, test_no_policy_results);
	tcase_add_test(t, test_attach_errors);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return axt_run(secpol_suite());
}
