# SPDX-License-Identifier: MIT
"""Across two nodes: alpha (this process's node) and beta, each with its
axond, on loopback with a shared secret."""
import ctypes
import errno
import struct
import threading

import pytest

import axon
from conftest import SCALE, wait_for

OP_ECHO, OP_ERROR, OP_INFO, OP_HOLD = 1, 2, 8, 9


def op(code, arg=0, payload=b""):
    return struct.pack("=IIII", code, arg, 0, 0) + payload


def _open_global(name):
    try:
        return axon.name_open(name, global_=True, timeout=10 * SCALE)
    except FileNotFoundError:
        return None


def test_node_descriptors(two_nodes):
    nd = axon.netmgr.strtond("beta")
    assert nd == two_nodes.up("alpha", "beta") and nd != 0
    assert axon.netmgr.ndtostr(nd) == "beta"
    assert axon.netmgr.ndtostr(0) == "alpha"
    assert axon.netmgr.strtond("alpha") == axon.ND_LOCAL_NODE
    assert axon.netmgr.strtond("/net/beta/dev/x", rest=True) == (nd, "/dev/x")
    assert axon.netmgr.ndtostr(nd, axon.netmgr.ND2S_DIR_SHOW) == "/net/beta/"
    # beta's nd for alpha, as alpha knows it.
    assert axon.netmgr.remote_nd(nd, 0) == two_nodes.up("beta", "alpha")
    assert axon.netmgr.node_cmp(nd | 0x10000, nd) == 0
    with pytest.raises(OSError) as e:
        axon.netmgr.strtond("gamma")
    assert e.value.errno == errno.ENOENT
    with pytest.raises(OSError):
        axon.netmgr.ndtostr(999)


def test_python_client_to_c_server_by_nd_pid_chid(two_nodes, c_server):
    srv = c_server(env=two_nodes.env("beta"))
    nd = axon.netmgr.strtond("beta")
    with axon.Connection(nd, srv.pid, srv.chid) as c:
        assert c.send(op(OP_ECHO, payload=b"over the net"), 12) == \
            (12, b"over the net")
        status, data = c.send(op(OP_INFO), 64)
        info = axon.MsgInfo.from_buffer_copy(data[:ctypes.sizeof(axon.MsgInfo)])
        # The server on beta sees a client on alpha (beta's nd for it).
        assert info.nd == two_nodes.up("beta", "alpha")
        with pytest.raises(PermissionError):
            c.send(op(OP_ERROR, errno.EPERM))
        with pytest.raises(TimeoutError):
            c.send(op(OP_HOLD), timeout=0.3)
        big = bytes(i % 251 for i in range(300000))
        status, data = c.send(op(OP_ECHO, payload=big[:60000]), 60000)
        assert data == big[:60000]


def test_python_client_to_c_server_by_global_name(two_nodes, c_server):
    c_server("-n", "py/net-echo", "-g", env=two_nodes.env("beta"))
    c = wait_for(lambda: _open_global("py/net-echo"), 10,
                 "beta's global name on alpha")
    with c:
        assert c.send(op(OP_ECHO, payload=b"global"), 6) == (6, b"global")
        assert c.server_info().nd == axon.netmgr.strtond("beta")
    # Only global: no local name of that name on alpha.
    with pytest.raises(FileNotFoundError):
        axon.name_open("py/net-echo")


def test_c_client_on_beta_to_python_server_on_alpha(two_nodes, c_client):
    with axon.name_attach("py/alpha-srv", global_=True) as att:
        stop = threading.Event()
        errors = []

        def serve():
            while not stop.is_set():
                try:
                    m = att.receive(timeout=0.2)
                except TimeoutError:
                    continue
                except Exception as e:  # noqa: B902
                    errors.append(e)
                    return
                if isinstance(m, axon.Message):
                    m.reply(b"alpha:" + m.data, status=m.info.nd)

        t = threading.Thread(target=serve, daemon=True)
        t.start()
        try:
            def ask():
                out = c_client("-n", "py/alpha-srv", "-g", "send:hi:8",
                               env=two_nodes.env("beta"))
                return out if out and out[0].startswith("status") else None
            out = wait_for(ask, 10, "alpha's name on beta")
        finally:
            stop.set()
            t.join(5 * SCALE)
        assert not errors
        nd_beta = two_nodes.up("alpha", "beta")
        assert out == ["status=%d reply=%s" % (nd_beta,
                                                b"alpha:hi".hex())]


def test_remote_server_dies(two_nodes, c_server):
    srv = c_server(env=two_nodes.env("beta"))
    nd = axon.netmgr.strtond("beta")
    with axon.Connection(nd, srv.pid, srv.chid) as c:
        assert c.send(op(OP_ECHO, payload=b"x"), 1).data == b"x"
        threading.Timer(0.2, srv.proc.kill).start()
        with pytest.raises(ProcessLookupError):
            c.send(op(OP_HOLD), timeout=10 * SCALE)
