# SPDX-License-Identifier: MIT
"""libaxon through ctypes: the library, its structures and prototypes.

The structures here must match include/axon/sys/*.h byte for byte; the
test suite compiles a C program that prints every offset and size and
compares them with these (tests/test_layout.py), so a header change that
is not made here too fails a test instead of corrupting memory.

The library is found, in order, at $AXON_LIB (the file libaxon.so.1, or
a directory that holds it, such as a build tree's build/), then through
the dynamic linker's search (libaxon.so.1 installed by `make install` or
the Debian package).
"""
import ctypes
import os
from ctypes import (POINTER, Structure, Union, c_char_p, c_int, c_int8,
                    c_int16, c_int32, c_int64, c_long, c_size_t, c_ssize_t,
                    c_uint, c_uint8, c_uint16, c_uint32, c_uint64, c_void_p,
                    sizeof)

SONAME = "libaxon.so.1"


def _find():
    env = os.environ.get("AXON_LIB", "")
    if env:
        path = os.path.join(env, SONAME) if os.path.isdir(env) else env
        if not os.path.exists(path):
            raise ImportError("AXON_LIB=%s: no %s there" % (env, SONAME))
        return path
    return SONAME


def _load():
    path = _find()
    try:
        return ctypes.CDLL(path, use_errno=True), path
    except OSError as e:
        raise ImportError(
            "cannot load %s (%s); install libaxon (make install, or the "
            "libaxon1 package) or set AXON_LIB to a build tree's "
            "libaxon.so.1" % (path, e)) from None


lib, path = _load()

pid_t = c_int32
uid_t = c_uint32
gid_t = c_uint32
rcvid_t = c_int64
clockid_t = c_int
NGROUPS_MAX = 8


_MI_HEAD = [
    ("nd", c_uint32),
    ("srcnd", c_uint32),
    ("pid", pid_t),
    ("tid", c_int32),
    ("chid", c_int32),
    ("scoid", c_int32),
    ("coid", c_int32),
]


class MsgInfo(Structure):
    """struct _msg_info (also struct _server_info): QNX 7's _msg_info64 on
    a 64-bit target (priority and flags before the 64-bit lengths),
    _msg_info32 on a 32-bit one."""
    if sizeof(c_void_p) > 4:
        _fields_ = _MI_HEAD + [
            ("priority", c_int16),
            ("flags", c_int16),
            ("msglen", c_int64),
            ("srcmsglen", c_int64),
            ("dstmsglen", c_int64),
            ("type_id", c_uint32),
            ("reserved", c_uint32),
        ]
    else:
        _fields_ = _MI_HEAD + [
            ("msglen", c_int32),
            ("srcmsglen", c_int32),
            ("dstmsglen", c_int32),
            ("priority", c_int16),
            ("flags", c_int16),
            ("type_id", c_uint32),
        ]

    def __repr__(self):
        return "MsgInfo(%s)" % ", ".join(
            "%s=%r" % (f, getattr(self, f)) for f, _ in self._fields_
            if f != "reserved")


class CredInfo(Structure):
    """struct _cred_info."""
    _fields_ = [
        ("ruid", uid_t),
        ("euid", uid_t),
        ("suid", uid_t),
        ("rgid", gid_t),
        ("egid", gid_t),
        ("sgid", gid_t),
        ("ngroups", c_uint32),
        ("grouplist", gid_t * NGROUPS_MAX),
    ]


class ClientInfo(Structure):
    """struct _client_info."""
    _fields_ = [
        ("nd", c_uint32),
        ("pid", pid_t),
        ("sid", pid_t),
        ("flags", c_uint32),
        ("cred", CredInfo),
    ]

    @property
    def groups(self):
        n = min(self.cred.ngroups, NGROUPS_MAX)
        return list(self.cred.grouplist[:n])


class Sigval(Union):
    """union sigval (with QNX's sival_long)."""
    _fields_ = [
        ("sival_int", c_int),
        ("sival_ptr", c_void_p),
        ("sival_long", c_long),
    ]


class RawPulse(Structure):
    """struct _pulse."""
    _fields_ = [
        ("type", c_uint16),
        ("subtype", c_uint16),
        ("code", c_int8),
        ("zero", c_uint8 * 3),
        ("value", Sigval),
        ("scoid", c_int32),
    ]


# glibc's struct sigevent: the union after sigev_notify is an int array
# (__SIGEV_MAX_SIZE 64 bytes in all).  Axon's QNX fields live in it:
# sigev_coid is sigev_signo, sigev_priority _pad[0], sigev_code _pad[1]
# (<sys/siginfo.h>).
_SIGEV_PAD = (64 - ctypes.sizeof(Sigval) - 2 * ctypes.sizeof(c_int)) \
    // ctypes.sizeof(c_int)


class RawSigevent(Structure):
    """struct sigevent."""
    _fields_ = [
        ("sigev_value", Sigval),
        ("sigev_signo", c_int),
        ("sigev_notify", c_int),
        ("_pad", c_int * _SIGEV_PAD),
    ]


class NameAttach(Structure):
    """name_attach_t."""
    _fields_ = [
        ("dpp", c_void_p),
        ("chid", c_int),
        ("mntid", c_int),
        ("zero", c_int * 2),
    ]


def _proto(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = argtypes
    return f


# Everything that has one is called in its _r form: it returns -errno and
# leaves errno alone, so no get_errno() is needed on the fast path.
ChannelCreate_r = _proto("ChannelCreate_r", c_int, c_uint)
ChannelDestroy_r = _proto("ChannelDestroy_r", c_int, c_int)
ConnectAttach_r = _proto("ConnectAttach_r", c_int, c_uint32, pid_t, c_int,
                         c_uint, c_int)
ConnectDetach_r = _proto("ConnectDetach_r", c_int, c_int)
ConnectClientInfo_r = _proto("ConnectClientInfo_r", c_int, c_int,
                             POINTER(ClientInfo), c_int)
ConnectServerInfo_r = _proto("ConnectServerInfo_r", c_int, pid_t, c_int,
                             POINTER(MsgInfo))
MsgSend_r = _proto("MsgSend_r", c_long, c_int, c_void_p, c_size_t, c_void_p,
                   c_size_t)
MsgReceive_r = _proto("MsgReceive_r", rcvid_t, c_int, c_void_p, c_size_t,
                      POINTER(MsgInfo))
MsgReceivePulse_r = _proto("MsgReceivePulse_r", c_int, c_int, c_void_p,
                           c_size_t, POINTER(MsgInfo))
MsgReply_r = _proto("MsgReply_r", c_int, rcvid_t, c_long, c_void_p, c_size_t)
MsgError_r = _proto("MsgError_r", c_int, rcvid_t, c_int)
MsgRead_r = _proto("MsgRead_r", c_ssize_t, rcvid_t, c_void_p, c_size_t,
                   c_size_t)
MsgWrite_r = _proto("MsgWrite_r", c_ssize_t, rcvid_t, c_void_p, c_size_t,
                    c_size_t)
MsgInfo_r = _proto("MsgInfo_r", c_int, rcvid_t, POINTER(MsgInfo))
MsgSendPulse_r = _proto("MsgSendPulse_r", c_int, c_int, c_int, c_int, c_int)
MsgDeliverEvent_r = _proto("MsgDeliverEvent_r", c_int, rcvid_t,
                           POINTER(RawSigevent))
TimerTimeout_r = _proto("TimerTimeout_r", c_int, clockid_t, c_int,
                        POINTER(RawSigevent), POINTER(c_uint64),
                        POINTER(c_uint64))
# name_*() and netmgr_*() have no _r forms: they set errno.
name_attach = _proto("name_attach", POINTER(NameAttach), c_void_p, c_char_p,
                     c_uint)
name_detach = _proto("name_detach", c_int, POINTER(NameAttach), c_uint)
name_open = _proto("name_open", c_int, c_char_p, c_int)
name_close = _proto("name_close", c_int, c_int)
netmgr_strtond = _proto("netmgr_strtond", c_int, c_char_p,
                        POINTER(c_void_p))
netmgr_ndtostr = _proto("netmgr_ndtostr", c_int, c_uint, c_int, c_char_p,
                        c_size_t)
netmgr_remote_nd = _proto("netmgr_remote_nd", c_int, c_int, c_int)
