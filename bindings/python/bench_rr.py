#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A Python client's round trip to a C server against a C client's, in
one run (`make bench-python`).

Each round runs bench/axon_rr (a C client timing MsgSend to its own
forked C server), then a Python client (axon.Connection.send) timing
MsgSend to a C echo server (tests/c/c_server.c -e, which replies as
axon_rr's server does), both with the client on CPU 0 and the server on
CPU 1 (split) or both on CPU 0 (same), with axon_rr's iteration counts:
a warm-up of 10%, then up to 20000 timed round trips or 0.75 s.  Prints
one line per measurement, then the medians of the per-round medians and
their difference, all as key=value lines:

  bench=python-vs-c pin=split size=16 rounds=5 c_median_us=... \\
      py_median_us=... diff_us=... target_us=5 result=PASS
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def c_round(axon_rr, pin, size):
    out = subprocess.run([axon_rr, "-p", pin, "-s", str(size)],
                         capture_output=True, text=True, check=True,
                         timeout=60).stdout
    for line in out.splitlines():
        kv = dict(w.split("=", 1) for w in line.split())
        if kv.get("bench") == "axon" and int(kv["size"]) == size:
            return float(kv["median_us"]), line
    raise RuntimeError("axon_rr printed no result: %r" % out)


def py_round(axon, server, pin, size, max_sec=0.75):
    p = subprocess.Popen([server, "-e"], stdout=subprocess.PIPE, text=True)
    try:
        pid, chid = map(int, p.stdout.readline().split())
        ccpu = 0
        scpu = 1 if pin == "split" else 0
        if pin != "none":
            os.sched_setaffinity(pid, {scpu})
            os.sched_setaffinity(0, {ccpu})
        iters = 20000
        warm = min(1000, max(20, iters // 10))
        msg = b"a" * size
        lat = []
        with axon.Connection(0, pid, chid) as c:
            send = c.send
            clock = time.perf_counter_ns
            for _ in range(warm):
                send(msg, size)
            start = clock()
            limit = start + int(max_sec * 1e9)
            for _ in range(iters):
                t0 = clock()
                send(msg, size)
                t1 = clock()
                lat.append(t1 - t0)
                if t1 > limit:
                    break
        lat.sort()
        n = len(lat)
        med = lat[n // 2] / 1e3
        p99 = lat[min(n - 1, int(n * 0.99))] / 1e3
        line = ("bench=python variant=msgsend pin=%s size=%d iters=%d "
                "median_us=%.3f p99_us=%.3f mean_us=%.3f min_us=%.3f" %
                (pin, size, n, med, p99, sum(lat) / n / 1e3, lat[0] / 1e3))
        return med, line
    finally:
        p.kill()
        p.wait(timeout=10)
        os.sched_setaffinity(0, range(os.cpu_count()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get(
        "BUILD", os.path.join(TOP, "build")))
    ap.add_argument("--server", help="c_server (default BUILD/python/"
                    "c_server)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--size", type=int, default=16)
    ap.add_argument("--pin", default="split",
                    choices=("split", "same", "none"))
    ap.add_argument("--target-us", type=float, default=5.0)
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    os.environ.setdefault("AXON_LIB", os.path.join(build, "libaxon.so.1"))
    rundir = tempfile.mkdtemp(prefix="axon-bench-py-")
    os.environ["AXON_RUNDIR"] = rundir
    sys.path.insert(0, HERE)
    import axon
    server = a.server or os.path.join(build, "python", "c_server")
    axon_rr = os.path.join(build, "bench", "axon_rr")
    cs, ps = [], []
    try:
        for r in range(1, a.rounds + 1):
            c, cl = c_round(axon_rr, a.pin, a.size)
            p, pl = py_round(axon, server, a.pin, a.size)
            cs.append(c)
            ps.append(p)
            print("run=%d %s" % (r, cl))
            print("run=%d %s" % (r, pl), flush=True)
    finally:
        shutil.rmtree(rundir, ignore_errors=True)
    c, p = statistics.median(cs), statistics.median(ps)
    diff = p - c
    ok = diff <= a.target_us
    print("bench=python-vs-c pin=%s size=%d rounds=%d c_median_us=%.3f "
          "py_median_us=%.3f diff_us=%.3f target_us=%g result=%s" %
          (a.pin, a.size, a.rounds, c, p, diff, a.target_us,
           "PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
