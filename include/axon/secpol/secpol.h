/* SPDX-License-Identifier: MIT */
/*
 * <secpol/secpol.h> for Axon: the part of QNX 7.1's libsecpol that
 * resource managers call (secpol_resmgr_attach(3)).  Linux has no QNX
 * security policy, so Axon behaves as a QNX system with none pushed:
 * secpol_resmgr_attach() is resmgr_attach() with the iofunc_attr_t's
 * own mode and owner, secpol_transition_type() fails, and a custom
 * permission is granted to a root (effective user 0) client only.
 *
 * The names are QNX's documented ones; the flag values, which its
 * documentation does not give, are Axon's own: source compatibility,
 * not binary.  The library is libaxon (QNX's is libsecpol: a -lsecpol
 * in a build finds nothing to link, leave it out).
 */
#ifndef AXON_SECPOL_SECPOL_H
#define AXON_SECPOL_SECPOL_H

#include <stdbool.h>
#include <stdint.h>

#include <sys/neutrino.h>
#include <sys/iofunc.h>
#include <sys/resmgr.h>
#include <sys/dispatch.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

/* A security policy file and a custom permission: opaque. */
typedef struct axon_secpol_file secpol_file_t;
typedef struct axon_secpol_permission secpol_permission_t;

/* secpol_transition_type()'s flags. */
enum secpol_flags_e {
	SECPOL_TYPE_NAME = 0x1	/* name is a type's name, not derived */
};

/* secpol_get_permission()'s flags. */
enum secpol_get_permission_flags_e {
	SECPOL_PERM_STRICT = 0x1	/* fail (ENOTSUP) with no policy */
};

AXON_EXPORT int secpol_resmgr_attach(secpol_file_t *handle,
    struct _dispatch *dpp, struct _resmgr_attr *attr, const char *path,
    enum _file_type file_type, unsigned flags,
    const struct _resmgr_connect_funcs *connect_funcs,
    const struct _resmgr_io_funcs *io_funcs, iofunc_attr_t *iofunc_attr,
    bool *perms_set);
AXON_EXPORT int secpol_transition_type(secpol_file_t *handle,
    const char *name, uint32_t flags);
AXON_EXPORT secpol_permission_t *secpol_get_permission(
    secpol_file_t *handle, const char *class_, const char *permission,
    unsigned flags);
AXON_EXPORT int secpol_check_permission(const struct _msg_info *info,
    uint32_t otype, const secpol_permission_t *permission);

#ifdef __cplusplus
}
#endif

#endif /* AXON_SECPOL_SECPOL_H */
