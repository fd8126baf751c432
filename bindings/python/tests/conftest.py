# SPDX-License-Identifier: MIT
"""Fixtures: the C programs the tests talk to, built against the tree's
headers and static libaxon; C servers and axonds started per test and
killed in teardown.  Every wait is bounded.

The session runs in a node of its own: AXON_RUNDIR is a fresh temporary
directory, set before axon is imported.  AXON_LIB defaults to the build
tree's libaxon.so.1 ($AXON_BUILD, else build/ at the top of the tree).
$AXON_TEST_CFLAGS is added to the C programs' command lines (for a
sanitizer build: -fsanitize=address,undefined).
"""
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(HERE)
TOP = os.path.dirname(os.path.dirname(PKG))
BUILD = os.path.abspath(os.environ.get("AXON_BUILD", os.path.join(TOP,
                                                                  "build")))
SCALE = max(1.0, float(os.environ.get("AXON_TEST_TIMEOUT_MULTIPLIER", "1")))

RUNDIR = tempfile.mkdtemp(prefix="axon-py-")
os.environ["AXON_RUNDIR"] = RUNDIR
os.environ.setdefault("AXON_LIB", os.path.join(BUILD, "libaxon.so.1"))
if PKG not in sys.path:
    sys.path.insert(0, PKG)

import axon  # noqa: E402


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(RUNDIR, ignore_errors=True)


def wait_for(pred, seconds, what):
    """Polls pred until it is true, at most seconds (scaled)."""
    end = time.monotonic() + seconds * SCALE
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.01)
    raise AssertionError("timed out waiting for " + what)


def _reap(p):
    if p.poll() is None:
        p.kill()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


@pytest.fixture(scope="session")
def cbin(tmp_path_factory):
    """Builds tests/c/*.c; returns {name: path}."""
    lib = os.path.join(BUILD, "libaxon.a")
    assert os.path.exists(lib), "build libaxon first (make all)"
    out = tmp_path_factory.mktemp("cbin")
    bins = {}
    for name in ("c_server", "c_client", "layout"):
        path = str(out / name)
        subprocess.run(
            ["cc", "-std=gnu17", "-O2", "-Wall", "-Werror",
             "-I", os.path.join(TOP, "include", "axon"),
             "-o", path, os.path.join(HERE, "c", name + ".c"), lib,
             "-lpthread", *os.environ.get("AXON_TEST_CFLAGS", "").split()],
            check=True, timeout=120)
        bins[name] = path
    return bins


class Server:
    """A running c_server: pid, chid, and the process."""

    def __init__(self, proc, pid, chid):
        self.proc, self.pid, self.chid = proc, pid, chid


@pytest.fixture
def c_server(cbin):
    """start(*args, env=None) -> Server; all are killed at teardown."""
    procs = []

    def start(*args, env=None):
        e = dict(os.environ)
        e.update(env or {})
        p = subprocess.Popen([cbin["c_server"], *args], env=e,
                             stdout=subprocess.PIPE, text=True)
        procs.append(p)
        r, _, _ = select.select([p.stdout], [], [], 10 * SCALE)
        assert r, "c_server did not start"
        line = p.stdout.readline().split()
        assert len(line) == 2, "c_server failed: %r" % line
        return Server(p, int(line[0]), int(line[1]))

    yield start
    for p in procs:
        _reap(p)


@pytest.fixture
def c_client(cbin):
    """run(*args, env=None) -> the client's output lines."""

    def run(*args, env=None, timeout=10):
        e = dict(os.environ)
        e.update(env or {})
        r = subprocess.run([cbin["c_client"], *args], env=e,
                           capture_output=True, text=True,
                           timeout=timeout * SCALE)
        return r.stdout.splitlines()

    return run


def _free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Nodes:
    """Two nodes: alpha (this process's, AXON_RUNDIR) and beta."""
    names = ("alpha", "beta")

    def __init__(self):
        self.rundir = {"alpha": RUNDIR,
                       "beta": tempfile.mkdtemp(prefix="axon-py-beta-")}
        self.tmp = tempfile.mkdtemp(prefix="axon-py-secret-")
        self.secret = os.path.join(self.tmp, "secret")
        fd = os.open(self.secret, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, os.urandom(32).hex().encode())
        os.close(fd)
        self.port = {n: _free_port() for n in self.names}
        self.procs = {}

    def env(self, node):
        return {"AXON_RUNDIR": self.rundir[node]}

    def start(self, node, axond):
        other = [n for n in self.names if n != node][0]
        rfd, wfd = os.pipe()
        e = dict(os.environ)
        e["AXON_RUNDIR"] = self.rundir[node]
        p = subprocess.Popen(
            [axond, "--node", node,
             "--listen", "127.0.0.1:%d" % self.port[node],
             "--peer", "%s=127.0.0.1:%d" % (other, self.port[other]),
             "--secret-file", self.secret, "--ready-fd", str(wfd),
             "--keepalive", str(int(200 * SCALE)),
             "--dead-after", str(int(1000 * SCALE)),
             "--log-level", "error"],
            env=e, pass_fds=(wfd,))
        os.close(wfd)
        self.procs[node] = p
        r, _, _ = select.select([rfd], [], [], 10 * SCALE)
        ready = os.read(rfd, 16) if r else b""
        os.close(rfd)
        assert ready == b"ready\n", "axond %s not ready" % node

    def up(self, node, other):
        try:
            with open(os.path.join(self.rundir[node], "nodes")) as f:
                for line in f:
                    w = line.split()
                    if len(w) >= 3 and w[1] == other and w[2] == "up":
                        return int(w[0])
        except FileNotFoundError:
            pass
        return None

    def stop(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.terminate()
            try:
                p.wait(timeout=5 * SCALE)
            except subprocess.TimeoutExpired:
                _reap(p)
        shutil.rmtree(self.rundir["beta"], ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        for f in ("nodes", "names", "axond"):
            try:
                os.unlink(os.path.join(RUNDIR, f))
            except OSError:
                pass


@pytest.fixture
def two_nodes():
    """alpha and beta, their axonds up and each seeing the other."""
    axond = os.environ.get("AXOND", os.path.join(BUILD, "axond"))
    assert os.path.exists(axond), "build axond first (make all)"
    n = Nodes()
    try:
        n.start("alpha", axond)
        n.start("beta", axond)
        wait_for(lambda: n.up("alpha", "beta") is not None, 10,
                 "alpha to see beta")
        wait_for(lambda: n.up("beta", "alpha") is not None, 10,
                 "beta to see alpha")
        yield n
    finally:
        n.stop()
