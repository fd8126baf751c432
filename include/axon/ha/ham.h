/* SPDX-License-Identifier: MIT */
/*
 * <ha/ham.h> for Axon: QNX's High Availability Manager calls (ham(3)).
 *
 * The HAM is a process, axon-ham(8), attached at /proc/ham in the
 * node's path namespace; these calls reach it with devctl() messages on
 * an Axon connection to that path (docs/design/ham.md).  What is built:
 * self-attached entities with heartbeats and death detection, entity
 * placeholders, conditions (death, detach, restart, missed heartbeats,
 * any) and the execute, restart, notify pulse/signal, waitfor, log and
 * heartbeat_healthy actions, handles by name, ham_stop().  What is not
 * (ham_attach() of another process, raised and state conditions, the
 * control calls, the action-fail lists) fails with ENOSYS, never
 * silently.
 *
 * The names and prototypes are QNX 7's documented ones; the values of
 * the constants, which its documentation does not give, are Axon's own:
 * source compatibility, not binary.  The library is libaxon (QNX's is
 * libham: a -lham in a build finds nothing, leave it out).
 */
#ifndef AXON_HA_HAM_H
#define AXON_HA_HAM_H

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

/* Handles: opaque, made by the library, freed by ham_*_handle_free(). */
typedef struct axon_ham_entity ham_entity_t;
typedef struct axon_ham_condition ham_condition_t;
typedef struct axon_ham_action ham_action_t;

/* The shortest heartbeat period ham_attach_self() takes (ns). */
#define HAMHBEATMIN 10000000ULL

/* Condition types. */
#define CONDDEATH           1
#define CONDABNORMALDEATH   2
#define CONDDETACH          3
#define CONDATTACH          4
#define CONDHBEATMISSEDHIGH 5
#define CONDHBEATMISSEDLOW  6
#define CONDRESTART         7
#define CONDRAISE           8
#define CONDSTATE           9
#define CONDANY             10

/* Wildcards of ham_condition_raise() and ham_condition_state(). */
#define CONDRAISETYPEANY     0xffffffffu
#define CONDRAISECLASSANY    0xffffffffu
#define CONDRAISESEVERITYANY 0xffffffffu
#define CONDSTATEANY         0xffffffffu

/* Condition flags (ham_condition()). */
#define HCONDNOWAIT         0x00000001u /* no waitfor; its own thread */
#define HCONDINDEPENDENT    0x00000002u /* actions apart from others' */
#define HCONDSTATEFROMSET   0x00000010u
#define HCONDSTATETOSET     0x00000020u
#define HCONDSTATEFROMINV   0x00000040u
#define HCONDSTATETOINV     0x00000080u
/* Conditions and actions: kept when the entity is restarted. */
#define HREARMAFTERRESTART  0x00010000u
/* Action flags. */
#define HACTIONDONOW        0x00020000u /* also once, now */
#define HACTIONBREAKONFAIL  0x00040000u /* a failure ends the list */
#define HACTIONKEEPONFAIL   0x00080000u /* a failed action stays */

/* The control calls' commands and flag. */
#define HENABLE      1
#define HDISABLE     2
#define HADDFLAGS    3
#define HREMOVEFLAGS 4
#define HSETFLAGS    5
#define HGETFLAGS    6
#define HRECURSE     0x00100000u

/* Connections (the library keeps one, reference-counted). */
AXON_EXPORT int ham_connect(unsigned flags);
AXON_EXPORT int ham_connect_nd(int nd, unsigned flags);
AXON_EXPORT int ham_connect_node(const char *nodename, unsigned flags);
AXON_EXPORT int ham_disconnect(unsigned flags);
AXON_EXPORT int ham_disconnect_nd(int nd, unsigned flags);
AXON_EXPORT int ham_disconnect_node(const char *nodename, unsigned flags);

/* Entities. */
AXON_EXPORT ham_entity_t *ham_attach_self(const char *ename, uint64_t hp,
    int hpdl, int hpdh, unsigned flags);
AXON_EXPORT int ham_detach_self(ham_entity_t *ehdl, unsigned flags);
AXON_EXPORT int ham_heartbeat(void);
AXON_EXPORT ham_entity_t *ham_attach(const char *ename, int nd, pid_t pid,
    const char *line, unsigned flags);
AXON_EXPORT ham_entity_t *ham_attach_node(const char *ename,
    const char *nodename, pid_t pid, const char *line, unsigned flags);
AXON_EXPORT int ham_detach(ham_entity_t *ehdl, unsigned flags);
AXON_EXPORT int ham_detach_name(int nd, const char *ename, unsigned flags);
AXON_EXPORT int ham_detach_name_node(const char *nodename,
    const char *ename, unsigned flags);
AXON_EXPORT ham_entity_t *ham_entity(const char *ename, int nd,
    unsigned flags);
AXON_EXPORT ham_entity_t *ham_entity_node(const char *ename,
    const char *nodename, unsigned flags);
AXON_EXPORT int ham_entity_condition_raise(ham_entity_t *ehdl,
    unsigned rtype, unsigned rclass, unsigned rseverity, unsigned flags);
AXON_EXPORT int ham_entity_condition_state(ham_entity_t *ehdl,
    unsigned tostate, unsigned flags);
AXON_EXPORT int ham_entity_control(ham_entity_t *ehdl, int command,
    unsigned flags);

/* Conditions. */
AXON_EXPORT ham_condition_t *ham_condition(ham_entity_t *ehdl, int type,
    const char *cname, unsigned flags);
AXON_EXPORT ham_condition_t *ham_condition_raise(ham_entity_t *ehdl,
    const char *cname, unsigned rtype, unsigned rclass, unsigned rseverity,
    unsigned flags);
AXON_EXPORT ham_condition_t *ham_condition_state(ham_entity_t *ehdl,
    const char *cname, unsigned fromstate, unsigned tostate,
    unsigned flags);
AXON_EXPORT int ham_condition_remove(ham_condition_t *chdl,
    unsigned flags);
AXON_EXPORT int ham_condition_control(ham_condition_t *chdl, int command,
    unsigned flags);

/* Actions. */
AXON_EXPORT ham_action_t *ham_action_execute(ham_condition_t *chdl,
    const char *aname, const char *path, unsigned flags);
AXON_EXPORT ham_action_t *ham_action_restart(ham_condition_t *chdl,
    const char *aname, const char *path, unsigned flags);
AXON_EXPORT ham_action_t *ham_action_notify_pulse(ham_condition_t *chdl,
    const char *aname, int nd, pid_t topid, int chid, int pulsecode,
    int value, unsigned flags);
AXON_EXPORT ham_action_t *ham_action_notify_pulse_node(
    ham_condition_t *chdl, const char *aname, const char *nodename,
    pid_t topid, int chid, int pulsecode, int value, unsigned flags);
AXON_EXPORT ham_action_t *ham_action_notify_signal(ham_condition_t *chdl,
    const char *aname, int nd, pid_t topid, int signum, int code,
    int value, unsigned flags);
AXON_EXPORT ham_action_t *ham_action_notify_signal_node(
    ham_condition_t *chdl, const char *aname, const char *nodename,
    pid_t topid, int signum, int code, int value, unsigned flags);
AXON_EXPORT ham_action_t *ham_action_waitfor(ham_condition_t *chdl,
    const char *aname, const char *path, int delay, unsigned flags);
AXON_EXPORT ham_action_t *ham_action_log(ham_condition_t *chdl,
    const char *aname, const char *msg, unsigned attachprefix,
    int verbosity, unsigned flags);
AXON_EXPORT ham_action_t *ham_action_heartbeat_healthy(
    ham_condition_t *chdl, const char *aname, unsigned flags);
AXON_EXPORT int ham_action_remove(ham_action_t *ahdl, unsigned flags);
AXON_EXPORT int ham_action_control(ham_action_t *ahdl, int command,
    unsigned flags);

/* Action-fail lists (not built: ENOSYS). */
AXON_EXPORT int ham_action_fail_execute(ham_action_t *ahdl,
    const char *aname, const char *path, unsigned flags);
AXON_EXPORT int ham_action_fail_waitfor(ham_action_t *ahdl,
    const char *aname, const char *path, int delay, unsigned flags);
AXON_EXPORT int ham_action_fail_notify_pulse(ham_action_t *ahdl,
    const char *aname, int nd, pid_t topid, int chid, int pulsecode,
    int value, unsigned flags);
AXON_EXPORT int ham_action_fail_notify_pulse_node(ham_action_t *ahdl,
    const char *aname, const char *nodename, pid_t topid, int chid,
    int pulsecode, int value, unsigned flags);
AXON_EXPORT int ham_action_fail_notify_signal(ham_action_t *ahdl,
    const char *aname, int nd, pid_t topid, int signum, int code,
    int value, unsigned flags);
AXON_EXPORT int ham_action_fail_notify_signal_node(ham_action_t *ahdl,
    const char *aname, const char *nodename, pid_t topid, int signum,
    int code, int value, unsigned flags);
AXON_EXPORT int ham_action_fail_log(ham_action_t *ahdl, const char *aname,
    const char *msg, unsigned attachprefix, int verbosity, unsigned flags);
AXON_EXPORT int ham_action_fail_remove(ham_action_t *ahdl,
    const char *aname, unsigned flags);

/* Handles by name (nd: ND_LOCAL_NODE only). */
AXON_EXPORT ham_entity_t *ham_entity_handle(int nd, const char *ename,
    unsigned flags);
AXON_EXPORT ham_entity_t *ham_entity_handle_node(const char *nodename,
    const char *ename, unsigned flags);
AXON_EXPORT ham_condition_t *ham_condition_handle(int nd,
    const char *ename, const char *cname, unsigned flags);
AXON_EXPORT ham_condition_t *ham_condition_handle_node(
    const char *nodename, const char *ename, const char *cname,
    unsigned flags);
AXON_EXPORT ham_action_t *ham_action_handle(int nd, const char *ename,
    const char *cname, const char *aname, unsigned flags);
AXON_EXPORT ham_action_t *ham_action_handle_node(const char *nodename,
    const char *ename, const char *cname, const char *aname,
    unsigned flags);
AXON_EXPORT int ham_entity_handle_free(ham_entity_t *ehdl);
AXON_EXPORT int ham_condition_handle_free(ham_condition_t *chdl);
AXON_EXPORT int ham_action_handle_free(ham_action_t *ahdl);

/* Stops the HAM (root, or the HAM's own user). */
AXON_EXPORT int ham_stop(void);
AXON_EXPORT int ham_stop_nd(int nd);
AXON_EXPORT int ham_stop_node(const char *nodename);

#ifdef __cplusplus
}
#endif

#endif /* AXON_HA_HAM_H */
