/* SPDX-License-Identifier: MIT */
/*
 * QNX 7.1's security-policy calls for resource managers
 * (secpol_resmgr_attach(3)).  Linux has no QNX security policy and
 * Axon pushes none, so every call here answers as QNX's libsecpol does
 * when no policy is in use:
 *
 *  - secpol_resmgr_attach() is resmgr_attach(): no policy sets the
 *    mount point's permissions, so the iofunc_attr_t keeps the mode and
 *    owner its caller gave it (iofunc_attr_init()) and *perms_set is
 *    false.
 *  - secpol_transition_type() fails: its success means that a policy
 *    is in use.  errno is ENOTSUP, the code QNX's documentation gives
 *    secpol_get_permission() for "no security policy is in use" (Axon's
 *    choice: this call's own page names no errno).
 *  - secpol_get_permission() succeeds (with SECPOL_PERM_STRICT it fails
 *    with ENOTSUP), and secpol_check_permission() grants the permission
 *    to a client whose effective user is root only.
 */
#include <errno.h>
#include <stddef.h>

#include <secpol/secpol.h>

#include "internal.h"

struct axon_secpol_permission {
	int root_only;
};

/* The one permission there is without a policy: root's. */
static const struct axon_secpol_permission root_permission = { 1 };

AXON_EXPORT int
secpol_resmgr_attach(secpol_file_t *handle, struct _dispatch *dpp,
    struct _resmgr_attr *attr, const char *path, enum _file_type file_type,
    unsigned flags, const struct _resmgr_connect_funcs *connect_funcs,
    const struct _resmgr_io_funcs *io_funcs, iofunc_attr_t *iofunc_attr,
    bool *perms_set)
{
	(void)handle;
	if (perms_set != NULL) {
		*perms_set = false;
	}
	if (path == NULL) {
		errno = EINVAL;
		return -1;
	}
	return resmgr_attach(dpp, attr, path, file_type, flags, connect_funcs,
	    io_funcs, iofunc_attr);
}

AXON_EXPORT int
secpol_transition_type(secpol_file_t *handle, const char *name,
    uint32_t flags)
{
	(void)handle;
	(void)name;
	(void)flags;
	errno = ENOTSUP;
	return -1;
}

AXON_EXPORT secpol_permission_t *
secpol_get_permission(secpol_file_t *handle, const char *class_,
    const char *permission, unsigned flags)
{
	(void)handle;
	if (class_ == NULL || permission == NULL ||
	    (flags & ~(unsigned)SECPOL_PERM_STRICT) != 0) {
		errno = EINVAL;
		return NULL;
	}
	if (flags & SECPOL_PERM_STRICT) {
		errno = ENOTSUP;
		return NULL;
	}
	return (secpol_permission_t *)&root_permission;
}

AXON_EXPORT int
secpol_check_permission(const struct _msg_info *info, uint32_t otype,
    const secpol_permission_t *permission)
{
	struct _client_info ci;

	(void)otype;
	if (info == NULL || permission != &root_permission) {
		errno = EINVAL;
		return -1;
	}
	if (ConnectClientInfo(info->scoid, &ci, 0) == -1) {
		errno = EINVAL;
		return -1;
	}
	if (ci.cred.euid != 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}
