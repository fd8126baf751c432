# SPDX-License-Identifier: MIT
"""Channels, connections, messages, pulses, events, timeouts and names."""
import ctypes
import os
import struct
import threading
import time
from collections import namedtuple
from errno import EINTR as _EINTR
from ctypes import byref, c_char, c_uint64, create_string_buffer, string_at

from . import _lib as L
from .errors import error

# ---- Constants (<sys/neutrino.h>, <sys/siginfo.h>, <sys/dispatch.h>) ----
ND_LOCAL_NODE = 0

_NTO_CHF_FIXED_PRIORITY = 0x0001
_NTO_CHF_UNBLOCK = 0x0002
_NTO_CHF_THREAD_DEATH = 0x0004
_NTO_CHF_DISCONNECT = 0x0008
_NTO_CHF_NET_MSG = 0x0010
_NTO_CHF_SENDER_LEN = 0x0020
_NTO_CHF_COID_DISCONNECT = 0x0040
_NTO_CHF_REPLY_LEN = 0x0080
_NTO_CHF_PRIVATE = 0x1000

_NTO_SIDE_CHANNEL = 0x40000000
_NTO_COF_CLOEXEC = 0x0001

_NTO_MI_UNBLOCK_REQ = 0x0100

_PULSE_CODE_UNBLOCK = -32
_PULSE_CODE_DISCONNECT = -33
_PULSE_CODE_THREADDEATH = -34
_PULSE_CODE_COIDDEATH = -35
_PULSE_CODE_MINAVAIL = 0
_PULSE_CODE_MAXAVAIL = 127

STATE_RECEIVE = 3
STATE_REPLY = 4
STATE_SEND = 5
_NTO_TIMEOUT_RECEIVE = 1 << STATE_RECEIVE
_NTO_TIMEOUT_REPLY = 1 << STATE_REPLY
_NTO_TIMEOUT_SEND = 1 << STATE_SEND

SIGEV_SIGNAL = 0
SIGEV_NONE = 1
SIGEV_SIGNAL_CODE = 0x41
SIGEV_SIGNAL_THREAD = 0x42
SIGEV_PULSE = 0x43
SIGEV_UNBLOCK = 0x44
SIGEV_PULSE_PRIO_INHERIT = -1

NAME_FLAG_ATTACH_GLOBAL = 0x00000002
_NAME_FLAG_COF_CLOEXEC = 0x00000100

_IO_CONNECT = 0x100
_IO_CONNECT_OPEN = 2
_FTYPE_NAME = 12

CLOCK_MONOTONIC = 1
PULSE_SIZE = ctypes.sizeof(L.RawPulse)

_MSG_STATES = _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY


# ---- Timeouts ------------------------------------------------------------
_tls = threading.local()


class timeout:
    """Bounds every blocking Axon call this thread makes inside the block,
    each on its own (a fresh TimerTimeout(3) before each call):

        with axon.timeout(0.5):
            conn.send(b"ping", 16)        # ETIMEDOUT: TimeoutError

    states (the _NTO_TIMEOUT_* bits) defaults to the states the call can
    block in: SEND and REPLY for a send, RECEIVE for a receive.  A call's
    own timeout= argument overrides the block's.  Blocks nest.
    """

    def __init__(self, seconds, states=None):
        if seconds < 0:
            raise ValueError("timeout must not be negative")
        self._value = (seconds, states)
        self._saved = None

    def __enter__(self):
        self._saved = getattr(_tls, "timeout", None)
        _tls.timeout = self._value
        return self

    def __exit__(self, *exc):
        _tls.timeout = self._saved
        return False


def _arm(tmo, states):
    """Arms TimerTimeout for this thread's next blocking call.  tmo is
    None (the enclosing timeout block's, if any), seconds, or a
    (seconds, states) pair."""
    if tmo is None:
        tmo = getattr(_tls, "timeout", None)
        if tmo is None:
            return
    if isinstance(tmo, tuple):
        tmo, st = tmo
        if st is not None:
            states = st
    if tmo < 0:
        raise ValueError("timeout must not be negative")
    ns = c_uint64(int(tmo * 1e9))
    r = L.TimerTimeout_r(CLOCK_MONOTONIC, states, None, byref(ns), None)
    if r < 0:
        raise error(-r, "TimerTimeout")


def _arm_first(tmo, states):
    """_arm() for a call that may be retried: returns the timeout in
    force and when it was armed."""
    if tmo is None:
        tmo = getattr(_tls, "timeout", None)
    if tmo is None:
        return None, 0.0
    _arm(tmo, states)
    return tmo, time.monotonic()


def _rearm(tmo, t0, states):
    """A receive interrupted by a signal is retried (PEP 475), with
    what is left of its timeout; a signal handler that raises does so
    when the call returns to Python, between two tries.  (Sends are not
    retried: one interrupted while REPLY-blocked may have been
    received.)"""
    if tmo is None:
        return None, 0.0
    secs, st = tmo if isinstance(tmo, tuple) else (tmo, None)
    now = time.monotonic()
    tmo = (max(0.0, secs - (now - t0)), st)
    _arm(tmo, states)
    return tmo, now


# ---- Buffers ---------------------------------------------------------------
def _inbuf(data):
    """Something ctypes passes as const void *, and its length."""
    if type(data) is bytes:
        return data, len(data)
    if data is None:
        return None, 0
    mv = memoryview(data)
    if not mv.c_contiguous:
        raise BufferError("data must be contiguous")
    if mv.readonly:
        b = mv.tobytes()
        return b, len(b)
    mv = mv.cast("B")
    n = mv.nbytes
    return (c_char * n).from_buffer(mv) if n else None, n


def _outbuf(buffer, minimum=0):
    """A writable contiguous buffer: its byte memoryview and a ctypes
    view of it."""
    mv = memoryview(buffer)
    if mv.readonly or not mv.c_contiguous:
        raise TypeError("buffer must be writable and contiguous")
    mv = mv.cast("B")
    if mv.nbytes < minimum:
        raise ValueError("buffer must hold at least %d bytes" % minimum)
    return mv, (c_char * mv.nbytes).from_buffer(mv) if mv.nbytes else None


# ---- Events (struct sigevent) ------------------------------------------
class Event(L.RawSigevent):
    """A struct sigevent: what MsgDeliverEvent(3) carries out in the
    client.  Build one with the class methods; bytes(event) is the C
    struct (to put in a message), Event.from_bytes() reads one back."""

    @classmethod
    def pulse(cls, coid, code, value=0, priority=SIGEV_PULSE_PRIO_INHERIT):
        """SIGEV_PULSE_INT_INIT: a pulse on the client's own connection
        coid (an int or a Connection)."""
        e = cls()
        e.sigev_notify = SIGEV_PULSE
        e.sigev_signo = int(getattr(coid, "coid", coid))
        e._pad[0] = priority
        e._pad[1] = code
        e.sigev_value.sival_int = value
        return e

    @classmethod
    def signal(cls, signo, value=0, thread=False):
        """SIGEV_SIGNAL_VALUE_INIT (or SIGEV_SIGNAL_THREAD_INIT)."""
        e = cls()
        e.sigev_notify = SIGEV_SIGNAL_THREAD if thread else SIGEV_SIGNAL
        e.sigev_signo = signo
        e.sigev_value.sival_int = value
        return e

    @classmethod
    def none(cls):
        e = cls()
        e.sigev_notify = SIGEV_NONE
        return e

    @classmethod
    def unblock(cls):
        e = cls()
        e.sigev_notify = SIGEV_UNBLOCK
        return e

    @classmethod
    def from_bytes(cls, data):
        if len(data) < ctypes.sizeof(cls):
            raise ValueError("a sigevent is %d bytes" % ctypes.sizeof(cls))
        return cls.from_buffer_copy(bytes(data[:ctypes.sizeof(cls)]))

    notify = property(lambda s: s.sigev_notify & 0xff)
    coid = property(lambda s: s.sigev_signo)
    priority = property(lambda s: s._pad[0])
    code = property(lambda s: s._pad[1])
    value = property(lambda s: s.sigev_value.sival_int)

    def __repr__(self):
        return "Event(notify=%#x, signo/coid=%d, code=%d, value=%d)" % (
            self.notify, self.sigev_signo, self.code, self.value)


# ---- What a receive gives ------------------------------------------------
class Pulse(namedtuple("Pulse", "code value scoid type subtype")):
    """A pulse: code (-128..127; the _PULSE_CODE_* are negative), value
    (sival_int), the server connection id scoid, and the header's type and
    subtype (0)."""
    __slots__ = ()
    rcvid = 0


Reply = namedtuple("Reply", "status data")
Reply.__doc__ = """What send() gives: the server's status and reply bytes.
MsgSend(3) does not say how many bytes the server replied (QNX's
semantics); data has reply_size bytes, zero beyond what the server
wrote."""


class Message:
    """A received message, REPLY-blocking its sender until reply() or
    error().  rcvid is MsgReceive's; data the bytes received (bytes, or a
    memoryview into the caller's buffer when receive() was given one);
    info the struct _msg_info (info.msglen bytes were received of
    info.srcmsglen sent; the sender's buffer holds info.dstmsglen)."""
    __slots__ = ("rcvid", "data", "info")

    def __init__(self, rcvid, data, info):
        self.rcvid = rcvid
        self.data = data
        self.info = info

    def __repr__(self):
        return "Message(rcvid=%#x, data=%r, pid=%d)" % (
            self.rcvid, bytes(self.data[:32]), self.info.pid)

    def reply(self, data=b"", status=0):
        """MsgReply(3): unblocks the sender, its MsgSend returning status."""
        buf, n = _inbuf(data)
        r = L.MsgReply_r(self.rcvid, status, buf, n)
        if r < 0:
            raise error(-r, "MsgReply")

    def error(self, err):
        """MsgError(3): the sender's MsgSend fails with errno err."""
        r = L.MsgError_r(self.rcvid, err)
        if r < 0:
            raise error(-r, "MsgError")

    def read(self, nbytes, offset=0):
        """MsgRead(3): up to nbytes of the sender's message from offset."""
        buf = create_string_buffer(nbytes)
        r = L.MsgRead_r(self.rcvid, buf, nbytes, offset)
        if r < 0:
            raise error(-r, "MsgRead")
        return string_at(buf, r)

    def read_into(self, buffer, offset=0):
        """MsgRead(3) into a writable buffer; returns the byte count."""
        mv, cbuf = _outbuf(buffer)
        r = L.MsgRead_r(self.rcvid, cbuf, mv.nbytes, offset)
        if r < 0:
            raise error(-r, "MsgRead")
        return r

    def write(self, data, offset=0):
        """MsgWrite(3): data into the sender's reply buffer at offset;
        returns the bytes written (less if the buffer is shorter)."""
        buf, n = _inbuf(data)
        r = L.MsgWrite_r(self.rcvid, buf, n, offset)
        if r < 0:
            raise error(-r, "MsgWrite")
        return r

    def refresh_info(self):
        """MsgInfo(3): the message's info now (e.g. _NTO_MI_UNBLOCK_REQ)."""
        info = L.MsgInfo()
        r = L.MsgInfo_r(self.rcvid, byref(info))
        if r < 0:
            raise error(-r, "MsgInfo")
        self.info = info
        return info

    def deliver_event(self, event):
        """MsgDeliverEvent(3) to the client that sent this message (it
        works after the reply, while the client stays connected)."""
        deliver_event(self.rcvid, event)

    def client_info(self):
        """ConnectClientInfo(3) of the sender's connection."""
        return client_info(self.info.scoid)


def deliver_event(rcvid, event):
    """MsgDeliverEvent(3)."""
    if not isinstance(event, L.RawSigevent):
        raise TypeError("event must be an axon.Event")
    r = L.MsgDeliverEvent_r(rcvid, byref(event))
    if r < 0:
        raise error(-r, "MsgDeliverEvent")


def client_info(scoid):
    """ConnectClientInfo(3): nd, pid, sid, flags and cred of a client."""
    ci = L.ClientInfo()
    r = L.ConnectClientInfo_r(scoid, byref(ci), L.NGROUPS_MAX)
    if r < 0:
        raise error(-r, "ConnectClientInfo")
    return ci


def _pulse_of(buf):
    p = L.RawPulse.from_buffer_copy(string_at(buf, PULSE_SIZE))
    return Pulse(p.code, p.value.sival_int, p.scoid, p.type, p.subtype)


def _receive(chid, bufsize, buffer, tmo):
    if buffer is None:
        if bufsize < 0:
            raise ValueError("bufsize must not be negative")
        n = bufsize if bufsize > PULSE_SIZE else PULSE_SIZE
        cbuf = create_string_buffer(n)
        mv = None
    else:
        mv, cbuf = _outbuf(buffer, PULSE_SIZE)
        n = mv.nbytes
    info = L.MsgInfo()
    tmo, t0 = _arm_first(tmo, _NTO_TIMEOUT_RECEIVE)
    r = L.MsgReceive_r(chid, cbuf, n, byref(info))
    while r == -_EINTR:
        tmo, t0 = _rearm(tmo, t0, _NTO_TIMEOUT_RECEIVE)
        r = L.MsgReceive_r(chid, cbuf, n, byref(info))
    if r > 0:
        got = info.msglen if 0 <= info.msglen <= n else n
        if mv is None:
            data = string_at(cbuf, got if got <= bufsize else bufsize)
        else:
            data = mv[:got]
        return Message(r, data, info)
    if r == 0:
        return _pulse_of(cbuf)
    raise error(-r, "MsgReceive")


class Channel:
    """A channel (ChannelCreate(3)), destroyed by close() or on leaving a
    with block.  flags are the _NTO_CHF_* bits."""

    def __init__(self, flags=0):
        r = L.ChannelCreate_r(flags)
        if r < 0:
            raise error(-r, "ChannelCreate")
        self.chid = r

    def __repr__(self):
        return "<axon.Channel chid=%d>" % self.chid

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def receive(self, bufsize=4096, *, buffer=None, timeout=None):
        """MsgReceive(3): a Message, or a Pulse.  The message's bytes are
        a bytes of at most bufsize, or, given a writable buffer (at least
        16 bytes, the size of a pulse), a memoryview of it.  timeout is
        seconds (ETIMEDOUT: TimeoutError)."""
        if self.chid < 0:
            raise ValueError("channel is closed")
        return _receive(self.chid, bufsize, buffer, timeout)

    def receive_pulse(self, *, timeout=None):
        """MsgReceivePulse(3): the next pulse; messages wait."""
        if self.chid < 0:
            raise ValueError("channel is closed")
        buf = create_string_buffer(PULSE_SIZE)
        info = L.MsgInfo()
        tmo, t0 = _arm_first(timeout, _NTO_TIMEOUT_RECEIVE)
        r = L.MsgReceivePulse_r(self.chid, buf, PULSE_SIZE, byref(info))
        while r == -_EINTR:
            tmo, t0 = _rearm(tmo, t0, _NTO_TIMEOUT_RECEIVE)
            r = L.MsgReceivePulse_r(self.chid, buf, PULSE_SIZE, byref(info))
        if r < 0:
            raise error(-r, "MsgReceivePulse")
        return _pulse_of(buf)

    def connect(self, flags=0):
        """A connection of this process to this channel (for events)."""
        return Connection(ND_LOCAL_NODE, 0, self.chid, flags=flags)

    def close(self):
        if self.chid >= 0:
            chid, self.chid = self.chid, -1
            r = L.ChannelDestroy_r(chid)
            if r < 0:
                raise error(-r, "ChannelDestroy")

    def __del__(self):
        if getattr(self, "chid", -1) >= 0 and L is not None:
            L.ChannelDestroy_r(self.chid)


class Connection:
    """A connection (ConnectAttach(3)) to channel chid of process pid on
    node nd (ND_LOCAL_NODE, or one from netmgr.strtond()); detached by
    close() or on leaving a with block."""
    _close_fn = staticmethod(L.ConnectDetach_r)

    def __init__(self, nd, pid, chid, index=_NTO_SIDE_CHANNEL, flags=0):
        r = L.ConnectAttach_r(nd, pid, chid, index, flags)
        if r < 0:
            raise error(-r, "ConnectAttach")
        self.coid = r

    @classmethod
    def _adopt(cls, coid):
        self = cls.__new__(cls)
        self.coid = coid
        return self

    def __repr__(self):
        return "<axon.%s coid=%#x>" % (type(self).__name__, self.coid)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def send(self, data=b"", reply_size=0, *, timeout=None):
        """MsgSend(3): sends data, waits for the reply; returns
        Reply(status, data) with reply_size bytes of reply.  Errors the
        server gives with MsgError, or of the send itself, are raised."""
        buf, n = _inbuf(data)
        rbuf = create_string_buffer(reply_size) if reply_size > 0 else None
        if timeout is not None or getattr(_tls, "timeout", None) is not None:
            _arm(timeout, _MSG_STATES)
        r = L.MsgSend_r(self.coid, buf, n, rbuf, reply_size)
        if r < 0:
            raise error(-r, "MsgSend")
        return Reply(r, rbuf.raw if rbuf is not None else b"")

    def send_into(self, data, buffer, *, timeout=None):
        """MsgSend(3) with the reply going into a writable buffer (no
        copy); returns the server's status."""
        buf, n = _inbuf(data)
        mv, rbuf = _outbuf(buffer)
        if timeout is not None or getattr(_tls, "timeout", None) is not None:
            _arm(timeout, _MSG_STATES)
        r = L.MsgSend_r(self.coid, buf, n, rbuf, mv.nbytes)
        if r < 0:
            raise error(-r, "MsgSend")
        return r

    def send_pulse(self, code, value=0, priority=10):
        """MsgSendPulse(3): code -128..127 (0..127 for programs' own),
        a 32-bit value; does not block."""
        r = L.MsgSendPulse_r(self.coid, priority, code, value)
        if r < 0:
            raise error(-r, "MsgSendPulse")

    def server_info(self):
        """ConnectServerInfo(3): the server's nd, pid, chid..."""
        info = L.MsgInfo()
        r = L.ConnectServerInfo_r(0, self.coid, byref(info))
        if r < 0:
            raise error(-r, "ConnectServerInfo")
        return info

    def close(self):
        if self.coid >= 0:
            coid, self.coid = self.coid, -1
            r = type(self)._close_fn(coid)
            if r < 0:
                raise error(-r, "ConnectDetach")

    def __del__(self):
        if getattr(self, "coid", -1) >= 0 and L is not None:
            try:
                self.close()
            except OSError:
                pass


def connect(nd, pid, chid, flags=0):
    """ConnectAttach(nd, pid, chid, _NTO_SIDE_CHANNEL, flags)."""
    return Connection(nd, pid, chid, _NTO_SIDE_CHANNEL, flags)


# ---- Names -----------------------------------------------------------------
def _name_close_r(coid):
    if L.name_close(coid) == -1:
        return -ctypes.get_errno()
    return 0


class NameConnection(Connection):
    """A connection from name_open(); closed with name_close(3)."""
    _close_fn = staticmethod(_name_close_r)


def name_open(name, global_=False, flags=0, *, timeout=None):
    """name_open(3): connects to the server of name (local, or global on
    any node).  name_open sends the server an _IO_CONNECT message and
    waits for its answer: timeout bounds that wait."""
    f = flags | (NAME_FLAG_ATTACH_GLOBAL if global_ else 0)
    _arm(timeout, _MSG_STATES)
    ctypes.set_errno(0)
    coid = L.name_open(os.fsencode(name), f)
    if coid == -1:
        raise error(ctypes.get_errno(), name)
    return NameConnection._adopt(coid)


def _is_name_connect(data):
    """A name_open()'s _IO_CONNECT: type, subtype and file type (the
    first 8 bytes of struct _io_connect, in the host's byte order)."""
    return len(data) >= 8 and \
        struct.unpack_from("=HHI", data) == (_IO_CONNECT, _IO_CONNECT_OPEN,
                                             _FTYPE_NAME)


class Attachment:
    """A name (name_attach(3)) with its own channel, chid; detached by
    close() or on leaving a with block.

    receive() answers what QNX servers of a name must answer themselves:
    a name_open()'s _IO_CONNECT (with EOK; receive() then waits on), and
    a _PULSE_CODE_DISCONNECT pulse, whose server connection it detaches
    before returning the pulse (do not ConnectDetach it again).  Pass
    raw=True to get both untouched, as from MsgReceive(3)."""

    def __init__(self, name, global_=False):
        f = NAME_FLAG_ATTACH_GLOBAL if global_ else 0
        ctypes.set_errno(0)
        p = L.name_attach(None, os.fsencode(name), f)
        if not p:
            raise error(ctypes.get_errno(), name)
        self._p = p
        self.name = name
        self.chid = p.contents.chid
        self.is_global = bool(global_)

    def __repr__(self):
        return "<axon.Attachment %r chid=%d>" % (self.name, self.chid)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def receive(self, bufsize=4096, *, buffer=None, timeout=None, raw=False):
        """As Channel.receive(), with the name's housekeeping done (see
        the class)."""
        if self._p is None:
            raise ValueError("name is detached")
        if timeout is None:
            timeout = getattr(_tls, "timeout", None)
        deadline = None
        if timeout is not None:
            secs = timeout[0] if isinstance(timeout, tuple) else timeout
            deadline = time.monotonic() + secs
        while True:
            m = _receive(self.chid, bufsize, buffer, timeout)
            if raw:
                return m
            if m.rcvid == 0:
                if m.code == _PULSE_CODE_DISCONNECT:
                    L.ConnectDetach_r(m.scoid)
                return m
            if not _is_name_connect(m.data):
                return m
            m.reply()
            if deadline is not None:
                left = max(0.0, deadline - time.monotonic())
                timeout = (left, timeout[1]) if isinstance(timeout, tuple) \
                    else left

    def close(self):
        if self._p is not None:
            p, self._p = self._p, None
            self.chid = -1
            ctypes.set_errno(0)
            if L.name_detach(p, 0) == -1:
                raise error(ctypes.get_errno(), "name_detach")

    def __del__(self):
        if getattr(self, "_p", None) is not None and L is not None:
            try:
                self.close()
            except OSError:
                pass


def name_attach(name, global_=False):
    """name_attach(3) with a channel of its own: an Attachment."""
    return Attachment(name, global_)
