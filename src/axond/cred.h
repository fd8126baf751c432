/* SPDX-License-Identifier: MIT */
/*
 * axond's credential mapping (cred.c): --mapany and --maproot, the one
 * policy for every remote caller, of messages (CONNECT_CRED,
 * MSGSEND_CRED: fwd_server.c) and of commands (SPAWN: services.c).
 */
#ifndef AXOND_CRED_H
#define AXOND_CRED_H

#include "axond.h"

/* Maps c in place as the configuration says (see cred.c). */
void axd_map_cred(struct axon_wire_cred *c);

#endif /* AXOND_CRED_H */
