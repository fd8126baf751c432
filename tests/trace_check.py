#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks an `axon trace` output file (Chrome trace-event JSON) against a
known exchange, for tests/test_trace.c.

usage: trace_check.py FILE CLIENT_NODE CLIENT_PID SERVER_NODE SERVER_PID
                      SENDS PULSES [--unfinished]

Passes (exit 0) when the file parses as JSON in the trace-event format
and holds, between the client and the server: at least SENDS MsgSend
slices each with its whole arrow (s on the send, t on the server's
receive and reply slices, f back on the send), at least PULSES pulses
with their arrow, and with --unfinished a send that never ended and the
client's REPLY-blocked slice.  Prints what it found, and why it fails.
"""
import json
import sys


def fail(msg):
    print("trace_check: " + msg)
    sys.exit(1)


def main():
    args = sys.argv[1:]
    unfinished = "--unfinished" in args
    args = [a for a in args if a != "--unfinished"]
    if len(args) != 7:
        fail("usage: FILE CNODE CPID SNODE SPID SENDS PULSES [--unfinished]")
    path, cnode, cpid, snode, spid, nsends, npulses = args
    cpid, spid, nsends, npulses = int(cpid), int(spid), int(nsends), int(npulses)
    with open(path) as f:
        raw = f.read()
    try:
        doc = json.loads(raw)
    except ValueError as e:
        lines = raw.split("\n")
        ln = getattr(e, "lineno", 0)
        fail("not JSON: %s: %r" % (e, lines[ln - 1] if 0 < ln <= len(lines)
                                   else ""))
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        fail("no traceEvents list")
    evs = doc["traceEvents"]
    jpid = {}
    for e in evs:
        for k in ("ph", "pid", "name"):
            if k not in e:
                fail("event without %s: %r" % (k, e))
        if e["ph"] != "M":
            if not isinstance(e.get("ts"), (int, float)) or "tid" not in e:
                fail("event without ts/tid: %r" % e)
            if e["ph"] == "X" and not (isinstance(e.get("dur"), (int, float))
                                       and e["dur"] >= 0):
                fail("slice without dur: %r" % e)
        elif e["name"] == "process_name":
            jpid[e["args"]["name"]] = e["pid"]
    cj = sj = None
    for name, p in jpid.items():
        if name.startswith(cnode + ": ") and name.endswith("(pid %d)" % cpid):
            cj = p
        if name.startswith(snode + ": ") and name.endswith("(pid %d)" % spid):
            sj = p
    if cj is None or sj is None:
        fail("processes not found (client %s, server %s) among %r"
             % (cj, sj, sorted(jpid)))

    slices = [e for e in evs if e["ph"] == "X"]

    def slice_starting(pid, tid, ts, prefix):
        for s in slices:
            if (s["pid"] == pid and s["tid"] == tid and
                    s["name"].startswith(prefix) and s["ts"] == ts):
                return s
        return None

    def slice_at(pid, tid, ts, prefix):
        for s in slices:
            if (s["pid"] == pid and s["tid"] == tid and
                    s["name"].startswith(prefix) and
                    s["ts"] <= ts <= s["ts"] + s["dur"]):
                return s
        return None

    flows = {}
    for e in evs:
        if e["ph"] in ("s", "t", "f"):
            flows.setdefault(e["id"], []).append(e)
    sends = pulses = 0
    for fid, fl in flows.items():
        starts = [e for e in fl if e["ph"] == "s"]
        if len(starts) != 1 or starts[0]["pid"] != cj:
            continue
        s = starts[0]
        ssl = slice_at(cj, s["tid"], s["ts"], "MsgSend")
        psl = slice_at(cj, s["tid"], s["ts"], "pulse to pid %d " % spid)
        if ssl is not None:
            steps = [e for e in fl if e["ph"] == "t" and e["pid"] == sj]
            rcv = [t for t in steps if slice_starting(
                sj, t["tid"], t["ts"], "receive from") is not None]
            rep = [t for t in steps if slice_starting(
                sj, t["tid"], t["ts"], "MsgReply") is not None]
            ends = [e for e in fl if e["ph"] == "f" and e["pid"] == cj and
                    slice_at(cj, e["tid"], e["ts"], "MsgSend") is ssl]
            rs = rcv and slice_starting(sj, rcv[0]["tid"], rcv[0]["ts"],
                                        "receive")
            if (len(rcv) == 1 and len(rep) == 1 and len(ends) == 1 and
                    rs["args"]["pid"] == cpid and
                    rs["args"]["tid"] == s["tid"]):
                sends += 1
            else:
                print("trace_check: arrow %s incomplete: %d receives, "
                      "%d replies, %d ends: %r" % (fid, len(rcv), len(rep),
                                                   len(ends), fl))
        elif psl is not None:
            ends = [e for e in fl if e["ph"] == "f" and e["pid"] == sj and
                    slice_at(sj, e["tid"], e["ts"], "pulse received")]
            if len(ends) == 1:
                pulses += 1
    print("trace_check: %d events, %d sends and %d pulses with arrows"
          % (len(evs), sends, pulses))
    if sends < nsends:
        fail("%d sends with whole arrows, want %d" % (sends, nsends))
    if pulses < npulses:
        for s in slices:
            if "pulse" in s["name"]:
                print("trace_check: %r" % s)
        fail("%d pulses with arrows, want %d" % (pulses, npulses))
    if unfinished:
        if not any(s["pid"] == cj and s["name"].startswith("MsgSend") and
                   s.get("args", {}).get("unfinished") for s in slices):
            fail("no unfinished MsgSend")
        if not any(s["pid"] == cj and s["name"] == "REPLY-blocked"
                   for s in slices):
            fail("no REPLY-blocked slice")
    nodes = doc.get("otherData", {}).get("nodes")
    if not isinstance(nodes, list) or not nodes:
        fail("no otherData.nodes")
    print("trace_check: OK")


if __name__ == "__main__":
    main()
