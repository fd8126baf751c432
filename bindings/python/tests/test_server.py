# SPDX-License-Identifier: MIT
"""A Python server (a thread of this process) answering the C client
(tests/c/c_client.c)."""
import errno
import os
import threading

import pytest

import axon
from conftest import SCALE


class PyServer:
    """Runs handler(msg_or_pulse) on each receive in a thread, until the
    handler returns False or a receive times out; errors are kept and
    re-raised by stop()."""

    def __init__(self, source, handler, bufsize=4096, buffer=None):
        self.source, self.handler = source, handler
        self.bufsize, self.buffer = bufsize, buffer
        self.error = None
        self.got = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            while True:
                m = self.source.receive(self.bufsize, buffer=self.buffer,
                                        timeout=10 * SCALE)
                self.got.append(m)
                if self.handler(m) is False:
                    return
        except BaseException as e:  # noqa: B902 (reported by stop())
            self.error = e

    def stop(self):
        self.thread.join(15 * SCALE)
        assert not self.thread.is_alive(), "server thread still running"
        if self.error is not None and not isinstance(self.error,
                                                     TimeoutError):
            raise self.error


def addr(ch):
    return ["-p", str(os.getpid()), "-c", str(ch.chid)]


def test_c_client_python_server_reply(c_client):
    def handle(m):
        assert isinstance(m, axon.Message)
        assert m.info.pid != os.getpid() and m.info.msglen == len(m.data)
        m.reply(m.data.upper(), status=len(m.data))
        return m.data != b"last"

    with axon.Channel() as ch:
        srv = PyServer(ch, handle)
        out = c_client(*addr(ch), "send:hello:8", "send:last:4")
        srv.stop()
    assert out == ["status=5 reply=48454c4c4f000000",
                   "status=4 reply=4c415354"]
    assert srv.got[0].info.dstmsglen == 8


def test_python_server_error_reaches_c_client(c_client):
    def handle(m):
        m.error(errno.EPERM if m.data == b"perm" else 312)
        return m.data != b"last"

    with axon.Channel() as ch:
        srv = PyServer(ch, handle)
        out = c_client(*addr(ch), "send:perm:4", "send:last:4")
        srv.stop()
    assert out == ["errno=1", "errno=312"]


def test_python_server_reads_and_writes_at_offsets(c_client):
    # The server receives 64 bytes of a 100000-byte message and reads
    # the rest where it wants; it writes into the client's reply buffer
    # at an offset, then replies with no data.
    def handle(m):
        assert len(m.data) == 64 and m.info.srcmsglen == 100000
        assert m.read(100, 50000) == bytes((50000 + i) % 251
                                           for i in range(100))
        assert m.read(100, 99990) == bytes((99990 + i) % 251
                                           for i in range(10))
        buf = bytearray(20)
        assert m.read_into(buf, 1000) == 20
        assert buf == bytes((1000 + i) % 251 for i in range(20))
        assert m.write(b"XYZ", 10) == 3
        assert m.write(memoryview(b"abcdef")[2:4], 0) == 2
        assert m.write(b"beyond", 100) == 0
        m.reply(status=7)
        return False

    with axon.Channel() as ch:
        srv = PyServer(ch, handle, bufsize=64)
        out = c_client(*addr(ch), "big:100000:16")
        srv.stop()
    assert out == ["status=7 reply=" + "6364" + "00" * 8 + "58595a" +
                   "00" * 3]


def test_receive_into_a_callers_buffer(c_client):
    buf = bytearray(32)

    def handle(m):
        assert isinstance(m.data, memoryview) and m.data.obj is buf
        assert bytes(m.data) == b"zero-copy" and buf[:9] == b"zero-copy"
        m.reply(m.data)
        return False

    with axon.Channel() as ch:
        srv = PyServer(ch, handle, buffer=buf)
        out = c_client(*addr(ch), "send:zero-copy:9")
        srv.stop()
    assert out == ["status=0 reply=" + b"zero-copy".hex()]
    with axon.Channel() as ch:
        with pytest.raises(ValueError):
            ch.receive(buffer=bytearray(8))  # no room for a pulse
        with pytest.raises(TypeError):
            ch.receive(buffer=b"read-only bytes")


def test_pulses_from_a_c_client(c_client):
    def handle(m):
        if isinstance(m, axon.Pulse):
            return (m.code, m.value) != (3, -5)
        m.reply()

    with axon.Channel() as ch:
        srv = PyServer(ch, handle)
        out = c_client(*addr(ch), "pulse:1:100", "pulse:3:-5")
        srv.stop()
    assert out == ["ok", "ok"]
    pulses = [(p.code, p.value) for p in srv.got if p.rcvid == 0]
    assert sorted(pulses) == [(1, 100), (3, -5)]
    assert all(p.scoid == srv.got[0].scoid for p in srv.got)


def test_receive_pulse_and_timeout():
    with axon.Channel() as ch, ch.connect() as c:
        c.send_pulse(12, 34)
        p = ch.receive_pulse(timeout=5 * SCALE)
        assert p == axon.Pulse(12, 34, p.scoid, 0, 0)
        with pytest.raises(TimeoutError):
            ch.receive_pulse(timeout=0.05)
        with axon.timeout(0.05):
            with pytest.raises(TimeoutError):
                ch.receive()
    with pytest.raises(ValueError):
        ch.receive()  # closed


def test_client_info_and_event_from_python_server():
    # A Python client and a Python server in one process: the client
    # asks for a pulse event, the server delivers it after replying.
    with axon.Channel() as srv_ch, axon.Channel() as ev_ch, \
            ev_ch.connect() as ev_conn, srv_ch.connect() as c:
        ev = axon.Event.pulse(ev_conn, code=21, value=77)

        def handle(m):
            ci = m.client_info()
            assert ci.pid == os.getpid() and ci.cred.euid == os.geteuid()
            wanted = axon.Event.from_bytes(m.data)
            m.reply()
            m.deliver_event(wanted)
            return False

        srv = PyServer(srv_ch, handle)
        assert c.send(bytes(ev)).status == 0
        p = ev_ch.receive_pulse(timeout=5 * SCALE)
        srv.stop()
        assert (p.code, p.value) == (21, 77)
        with pytest.raises(TypeError):
            axon.deliver_event(srv.got[0].rcvid, b"not an event")


def test_name_attach_local_answers_name_open(c_client):
    """A C client name_open()s a Python server's name: the _IO_CONNECT it
    sends is answered by Attachment.receive(), and the disconnect pulse
    when it exits is handled."""
    seen = []

    def handle(m):
        seen.append(m)
        if isinstance(m, axon.Pulse):
            return m.code != axon._core._PULSE_CODE_DISCONNECT
        m.reply(b"named:" + m.data)

    with axon.name_attach("py/named") as att:
        srv = PyServer(att, handle)
        out = c_client("-n", "py/named", "send:hi:8")
        srv.stop()
        assert out == ["status=0 reply=" + b"named:hi".hex()]
        # The _IO_CONNECT never reached the handler; the message and the
        # DISCONNECT pulse did.
        assert [type(m).__name__ for m in seen] == ["Message", "Pulse"]
        # A Python client by name, too.
        srv = PyServer(att, handle)
        with axon.name_open("py/named") as c:
            assert c.send(b"py", 8).data == b"named:py"
        srv.stop()
        with pytest.raises(FileExistsError):
            axon.name_attach("py/named")
    # Detached: gone.
    with pytest.raises(FileNotFoundError):
        axon.name_open("py/named")
    out = c_client("-n", "py/named", "send:x:1")
    assert out == ["connect errno=%d" % errno.ENOENT]


def test_name_attach_raw_gives_the_connect_message():
    with axon.name_attach("py/raw") as att:
        got = []

        def raw_run():
            m = att.receive(256, raw=True, timeout=10 * SCALE)
            got.append(m)
            m.reply()

        t = threading.Thread(target=raw_run)
        t.start()
        axon.name_open("py/raw", timeout=10 * SCALE).close()
        t.join(10 * SCALE)
        assert len(got) == 1 and axon._core._is_name_connect(got[0].data)
        # And then the disconnect pulse, untouched with raw=True.
        p = att.receive(raw=True, timeout=10 * SCALE)
        assert p.code == axon._core._PULSE_CODE_DISCONNECT
        axon.Connection._close_fn(p.scoid)


def test_name_open_waits_for_a_server_that_never_answers():
    with axon.name_attach("py/mute") as att:
        with pytest.raises(TimeoutError):
            axon.name_open("py/mute", timeout=0.1)
        assert att.chid >= 0
    with pytest.raises(ValueError):
        att.receive()


def test_bad_names():
    for bad in ("", "/abs", "a//b", "a/../b", "x" * 300):
        with pytest.raises(OSError) as e:
            axon.name_attach(bad)
        assert e.value.errno in (errno.EINVAL, errno.ENAMETOOLONG), bad


def test_receive_is_retried_after_a_signal():
    """PEP 475: a signal whose handler runs while a receive waits does
    not end the receive (its timeout keeps counting); the handler runs."""
    import signal
    import time
    got = []
    old = signal.signal(signal.SIGUSR2, lambda s, f: got.append(s))
    try:
        with axon.Channel() as ch, ch.connect() as c:
            result = []
            ready = threading.Event()

            def recv():
                ready.set()
                result.append(ch.receive(timeout=10 * SCALE))

            t = threading.Thread(target=recv)
            t.start()
            ready.wait(5)
            time.sleep(0.1)
            for _ in range(3):
                signal.pthread_kill(t.ident, signal.SIGUSR2)
                time.sleep(0.05)
            c.send_pulse(4, 44)
            t.join(10 * SCALE)
            assert result and (result[0].code, result[0].value) == (4, 44)
            assert got
            # A timeout still ends it on time, signals or not.
            t0 = time.monotonic()
            t = threading.Thread(target=lambda: result.append(
                pytest.raises(TimeoutError, ch.receive, timeout=0.3)))
            t.start()
            for _ in range(5):
                time.sleep(0.03)
                signal.pthread_kill(t.ident, signal.SIGUSR2)
            t.join(10 * SCALE)
            assert 0.25 < time.monotonic() - t0 < 3 * SCALE
    finally:
        signal.signal(signal.SIGUSR2, old)


def test_send_interrupted_by_a_signal_is_not_retried(c_server):
    """A send may have been received when the signal came: it fails with
    InterruptedError rather than risk sending twice."""
    import signal
    import struct
    import time
    srv = c_server()
    old = signal.signal(signal.SIGUSR2, lambda s, f: None)
    try:
        with axon.connect(0, srv.pid, srv.chid) as c:
            errs = []

            def send():
                try:
                    c.send(struct.pack("=IIII", 9, 0, 0, 0),
                           timeout=10 * SCALE)  # OP_HOLD: no reply
                except OSError as e:
                    errs.append(e)

            t = threading.Thread(target=send)
            t.start()
            time.sleep(0.2)
            signal.pthread_kill(t.ident, signal.SIGUSR2)
            t.join(10 * SCALE)
            assert len(errs) == 1 and isinstance(errs[0], InterruptedError)
    finally:
        signal.signal(signal.SIGUSR2, old)
