# SPDX-License-Identifier: MIT
"""A Python client against the C server (tests/c/c_server.c), locally."""
import errno
import os
import signal
import struct
import threading
import time

import pytest

import axon
from conftest import SCALE, wait_for

OP_ECHO, OP_ERROR, OP_READ, OP_WRITE, OP_DIE, OP_PULSES, OP_EVENT, \
    OP_INFO, OP_HOLD, OP_QUIT = range(1, 11)


def op(code, arg=0, arg2=0, payload=b""):
    return struct.pack("=IIII", code, arg, arg2, 0) + payload


@pytest.fixture
def server(c_server):
    return c_server()


@pytest.fixture
def conn(server):
    with axon.Connection(axon.ND_LOCAL_NODE, server.pid, server.chid) as c:
        yield c


def test_send_and_reply(conn):
    status, data = conn.send(op(OP_ECHO, payload=b"hello"), 5)
    assert (status, data) == (5, b"hello")
    # A longer reply buffer: the bytes the server did not write are zero.
    assert conn.send(op(OP_ECHO, payload=b"hi"), 4) == (2, b"hi\0\0")
    # No reply buffer at all.
    assert conn.send(op(OP_ECHO, payload=b"abc")) == (3, b"")


def test_send_bytes_likes_and_send_into(conn):
    ba = bytearray(op(OP_ECHO, payload=b"from a bytearray"))
    assert conn.send(ba, 16).data == b"from a bytearray"
    mv = memoryview(op(OP_ECHO, payload=b"readonly view"))
    assert conn.send(mv, 13).data == b"readonly view"
    out = bytearray(8)
    assert conn.send_into(op(OP_ECHO, payload=b"12345678"), out) == 8
    assert out == b"12345678"
    # A reply buffer shorter than the reply: truncated, as in C.
    out = bytearray(3)
    assert conn.send_into(op(OP_ECHO, payload=b"12345678"), out) == 8
    assert out == b"123"
    with pytest.raises(TypeError):
        conn.send_into(b"x", b"read-only")
    with pytest.raises(TypeError):
        conn.send("a str is not bytes")


def test_info_is_the_senders(conn):
    status, data = conn.send(op(OP_INFO), 64)
    info = axon.MsgInfo.from_buffer_copy(data[:len(bytes(axon.MsgInfo()))])
    assert info.pid == os.getpid()
    assert info.nd == axon.ND_LOCAL_NODE
    assert info.msglen == 16 and info.srcmsglen == 16
    assert info.dstmsglen == 64


def test_server_error_is_raised_with_its_errno(conn):
    with pytest.raises(PermissionError) as e:
        conn.send(op(OP_ERROR, errno.EPERM), 8)
    assert e.value.errno == errno.EPERM
    with pytest.raises(FileNotFoundError):
        conn.send(op(OP_ERROR, errno.ENOENT))
    # QNX's own errno values get Axon's exceptions.
    with pytest.raises(axon.ServerFaultError) as e:
        conn.send(op(OP_ERROR, axon.errors.ESRVRFAULT))
    assert e.value.errno == 312 and e.value.strerror == "Server fault"
    with pytest.raises(axon.NoRemoteError):
        conn.send(op(OP_ERROR, axon.errors.ENOREMOTE))
    with pytest.raises(axon.HostDownError):
        conn.send(op(OP_ERROR, errno.EHOSTDOWN))
    # A server's unknown op: ENOSYS is OSError (no subclass), errno kept.
    with pytest.raises(OSError) as e:
        conn.send(op(99))
    assert e.value.errno == errno.ENOSYS
    # The connection still works.
    assert conn.send(op(OP_ECHO, payload=b"ok"), 2).data == b"ok"


def test_msgread_at_offset(conn):
    # 200000 bytes: more than the server's 64 KiB receive buffer, so it
    # reads the rest with MsgRead.
    pattern = bytes(i % 251 for i in range(200000))
    msg = op(OP_READ, 150000, 1000) + pattern
    status, data = conn.send(msg, 1000)
    assert status == 1000
    assert data == msg[150000:151000]
    # At the end: fewer bytes than asked.
    status, data = conn.send(op(OP_READ, len(msg) - 10, 100) + pattern, 100)
    assert status == 10


def test_msgwrite_at_offset(conn):
    status, data = conn.send(op(OP_WRITE, 10, payload=b"XYZ"), 16)
    assert status == 3
    assert data == b"\0" * 10 + b"XYZ" + b"\0" * 3
    # Beyond the reply buffer: nothing written.
    status, data = conn.send(op(OP_WRITE, 100, payload=b"XYZ"), 16)
    assert status == 0


def test_pulses_reach_the_server(conn):
    conn.send_pulse(5, 1234)
    conn.send_pulse(127, -7, priority=20)
    # Pulses travel through the server's monitor, messages do not: a
    # message sent after a pulse can be received first (the pulse is then
    # still on its way), so the server is asked until it has seen both.

    def seen():
        data = conn.send(op(OP_PULSES), 64).data
        return sorted(data.rstrip(b"\0").split())
    wait_for(lambda: seen() == [b"127:-7", b"5:1234"], 5, "the pulses")
    with pytest.raises(OSError) as e:
        conn.send_pulse(300)
    assert e.value.errno == errno.EINVAL


def test_event_delivered_by_the_server(conn):
    with axon.Channel() as ch, ch.connect() as self_conn:
        ev = axon.Event.pulse(self_conn, code=9, value=4242)
        assert conn.send(op(OP_EVENT, payload=bytes(ev))).status == 0
        p = ch.receive_pulse(timeout=5 * SCALE)
        assert (p.code, p.value) == (9, 4242)


def test_signal_event(conn):
    got = []
    old = signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
    try:
        ev = axon.Event.signal(signal.SIGUSR1, 3)
        conn.send(op(OP_EVENT, payload=bytes(ev)))
        wait_for(lambda: got, 5, "SIGUSR1")
    finally:
        signal.signal(signal.SIGUSR1, old)


def test_timeout_argument(conn):
    t0 = time.monotonic()
    with pytest.raises(TimeoutError) as e:
        conn.send(op(OP_HOLD), 8, timeout=0.2)
    dt = time.monotonic() - t0
    assert e.value.errno == errno.ETIMEDOUT
    assert 0.15 < dt < 3 * SCALE


def test_timeout_block_applies_to_each_call(conn):
    with axon.timeout(0.1):
        for _ in range(2):
            with pytest.raises(TimeoutError):
                conn.send(op(OP_HOLD))
        # Only the states named: SEND alone does not bound a REPLY wait
        # that a reply ends.
        assert conn.send(op(OP_ECHO, payload=b"x"), 1).data == b"x"
    with axon.timeout(0.1, axon._core._NTO_TIMEOUT_RECEIVE):
        # A send is not bounded by a RECEIVE timeout... (answered at once)
        assert conn.send(op(OP_ECHO, payload=b"y"), 1).data == b"y"
    with pytest.raises(ValueError):
        axon.timeout(-1)


def test_server_that_dies_releases_the_client(conn):
    with pytest.raises(ProcessLookupError) as e:
        conn.send(op(OP_DIE), 8, timeout=10 * SCALE)
    assert e.value.errno == errno.ESRCH
    # The connection is dead now: EBADF, as MsgSend(3) says.
    with pytest.raises(OSError) as e:
        conn.send(op(OP_ECHO))
    assert e.value.errno == errno.EBADF


def test_server_killed_while_client_blocked(server, conn):
    threading.Timer(0.2, os.kill, (server.pid, signal.SIGKILL)).start()
    t0 = time.monotonic()
    with pytest.raises(ProcessLookupError):
        conn.send(op(OP_HOLD), 8, timeout=10 * SCALE)
    assert time.monotonic() - t0 < 5 * SCALE


def test_connect_failures(server):
    with pytest.raises(OSError) as e:
        axon.Connection(0, server.pid, server.chid + 100).send(b"x")
    assert e.value.errno in (errno.ESRCH, errno.EBADF, errno.ENOENT)
    c = axon.connect(0, server.pid, server.chid)
    c.close()
    c.close()  # twice is fine
    with pytest.raises(OSError) as e:
        c.send(op(OP_ECHO))
    assert e.value.errno == errno.EBADF


def test_name_open_local(c_server):
    srv = c_server("-n", "py/c-echo")
    with axon.name_open("py/c-echo") as c:
        assert isinstance(c, axon.NameConnection)
        assert c.send(op(OP_ECHO, payload=b"by name"), 7).data == b"by name"
        assert c.server_info().pid == srv.pid
    with pytest.raises(FileNotFoundError):
        axon.name_open("py/no-such-name")
    with pytest.raises(FileNotFoundError):
        # Local and global names are separate name spaces.
        axon.name_open("py/c-echo", global_=True)
    with pytest.raises(OSError) as e:
        axon.name_open("../bad")
    assert e.value.errno == errno.EINVAL
