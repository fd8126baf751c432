# SPDX-License-Identifier: MIT
"""Node descriptors (<sys/netmgr.h>, netmgr_strtond(3)).

Node descriptors are small node-relative integers read from this node's
network manager's table ($AXON_RUNDIR/nodes); ND_LOCAL_NODE (0) is
always this node.
"""
import ctypes
import os

from . import _lib as L
from .errors import error

ND_LOCAL_NODE = 0
ND_NODE_BITS = 16
ND_NODE_MASK = 0xffff

ND2S_DIR_SHOW = 0x0001
ND2S_DIR_HIDE = 0x0002
ND2S_QOS_SHOW = 0x0004
ND2S_QOS_HIDE = 0x0008
ND2S_NAME_SHOW = 0x0010
ND2S_NAME_HIDE = 0x0020
ND2S_DOMAIN_SHOW = 0x0040
ND2S_DOMAIN_HIDE = 0x0080
ND2S_LOCAL_STR = 0x1000
ND2S_SEP_FORCE = 0x2000


def strtond(name, rest=False):
    """The node descriptor of node name ("beta", "/net/beta/dev/ser1",
    "beta~loadbalance"); with rest=True, (nd, what follows the name)."""
    raw = os.fsencode(name)
    buf = ctypes.create_string_buffer(raw)
    end = ctypes.c_void_p()
    ctypes.set_errno(0)
    nd = L.netmgr_strtond(buf, ctypes.byref(end))
    if nd == -1:
        raise error(ctypes.get_errno(), name)
    if not rest:
        return nd
    off = (end.value or ctypes.addressof(buf)) - ctypes.addressof(buf)
    return nd, os.fsdecode(raw[off:])


def ndtostr(nd, flags=0):
    """The name of node nd, as this node calls it."""
    size = 256
    while True:
        buf = ctypes.create_string_buffer(size)
        ctypes.set_errno(0)
        n = L.netmgr_ndtostr(flags, nd, buf, size)
        if n == -1:
            raise error(ctypes.get_errno(), "netmgr_ndtostr")
        if n < size:
            return os.fsdecode(buf.value)
        size = n + 1


def remote_nd(remote_nd, local_nd):
    """netmgr_remote_nd(3): the nd that node remote_nd uses for
    local_nd."""
    ctypes.set_errno(0)
    nd = L.netmgr_remote_nd(remote_nd, local_nd)
    if nd == -1:
        raise error(ctypes.get_errno(), "netmgr_remote_nd")
    return nd


def node_cmp(a, b):
    """ND_NODE_CMP(): 0 if a and b name the same node."""
    return (a & ND_NODE_MASK) - (b & ND_NODE_MASK)
