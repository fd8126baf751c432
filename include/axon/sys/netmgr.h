/* SPDX-License-Identifier: MIT */
/*
 * <sys/netmgr.h> for Axon: node descriptors.  Node descriptors are small
 * node-relative integers; ND_LOCAL_NODE (0) is always this node.  The low
 * 16 bits name the node, the high bits select a quality of service.
 */
#ifndef AXON_SYS_NETMGR_H
#define AXON_SYS_NETMGR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AXON_EXPORT
#define AXON_EXPORT __attribute__((visibility("default")))
#endif

#ifndef ND_LOCAL_NODE
#define ND_LOCAL_NODE 0
#endif
#define ND_NODE_BITS  16
#define ND_NODE_MASK  0xffff
#define ND_NODE_CMP(a, b) \
	((int) ((unsigned) (a) & ND_NODE_MASK) - \
	    (int) ((unsigned) (b) & ND_NODE_MASK))

#define ND2S_DIR_SHOW    0x0001
#define ND2S_DIR_HIDE    0x0002
#define ND2S_QOS_SHOW    0x0004
#define ND2S_QOS_HIDE    0x0008
#define ND2S_NAME_SHOW   0x0010
#define ND2S_NAME_HIDE   0x0020
#define ND2S_DOMAIN_SHOW 0x0040
#define ND2S_DOMAIN_HIDE 0x0080
#define ND2S_LOCAL_STR   0x1000
#define ND2S_SEP_FORCE   0x2000

/*
 * Node names and node descriptors, from the node's network manager's
 * table ($AXON_RUNDIR/nodes); see netmgr_strtond(3).
 */
AXON_EXPORT int netmgr_strtond(const char *nodename, char **endstr);
AXON_EXPORT int netmgr_ndtostr(unsigned flags, int nd, char *buf,
    size_t maxbuf);
AXON_EXPORT int netmgr_remote_nd(int remote_nd, int local_nd);

#ifdef __cplusplus
}
#endif

#endif /* AXON_SYS_NETMGR_H */
