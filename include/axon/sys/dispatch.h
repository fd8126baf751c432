/* SPDX-License-Identifier: MIT */
/*
 * <sys/dispatch.h> for Axon: the name service (name_attach, name_open)
 * and the message headers servers built around it expect.
 */
#ifndef AXON_SYS_DISPATCH_H
#define AXON_SYS_DISPATCH_H

#include <sys/iomsg.h>
#include <sys/neutrino.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

#define NAME_FLAG_ATTACH_GLOBAL 0x00000002
#define NAME_FLAG_DETACH_SAVEDPP 0x00000001

#define _NAME_FLAG_COF_CLOEXEC    0x00000100
#define _NAME_FLAG_COF_INSECURE   0x00000200
#define _NAME_FLAG_COF_NOEVENT    0x00000400
#define _NAME_FLAG_COF_REG_EVENTS 0x00000800

/* Opaque dispatch handle; Axon's name_attach() creates one when dpp is
 * NULL.  dispatch_create() gives one that owns a channel. */
typedef struct _dispatch dispatch_t;

typedef struct _name_attach {
	dispatch_t *dpp;
	int chid;
	int mntid;
	int zero[2];
} name_attach_t;

AXON_EXPORT dispatch_t *dispatch_create(void);
AXON_EXPORT int dispatch_destroy(dispatch_t *dpp);

AXON_EXPORT name_attach_t *name_attach(dispatch_t *dpp, const char *path,
    unsigned flags);
AXON_EXPORT int name_detach(name_attach_t *attach, unsigned flags);
AXON_EXPORT int name_open(const char *name, int flags);
AXON_EXPORT int name_close(int coid);

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_DISPATCH_H */
