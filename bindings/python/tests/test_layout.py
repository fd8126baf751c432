# SPDX-License-Identifier: MIT
"""The ctypes structures and constants match the C headers exactly."""
import ctypes
import subprocess

import axon
from axon import _core, _lib, errors


def _c_layout(cbin):
    out = subprocess.run([cbin["layout"]], capture_output=True, text=True,
                         check=True, timeout=10).stdout
    rows = [line.split() for line in out.splitlines()]
    assert rows, "layout printed nothing"
    return rows


def test_struct_layouts_match_c(cbin):
    checked = 0
    for struct, field, off, size in _c_layout(cbin):
        off, size = int(off), int(size)
        if struct == "const":
            continue
        if struct == "RawSigevent.qnx":
            # sigev_coid is sigev_signo; sigev_priority and sigev_code are
            # the first two ints of the union.
            pad = _lib.RawSigevent._pad
            want = {"sigev_coid": _lib.RawSigevent.sigev_signo.offset,
                    "sigev_priority": pad.offset,
                    "sigev_code": pad.offset + ctypes.sizeof(ctypes.c_int)}
            assert want[field] == off, field
            assert size == ctypes.sizeof(ctypes.c_int), field
            checked += 1
            continue
        cls = getattr(_lib, struct)
        if field == "-":
            assert ctypes.sizeof(cls) == size, "sizeof %s" % struct
        else:
            f = getattr(cls, field)
            assert (f.offset, f.size) == (off, size), \
                "%s.%s: C %d+%d, ctypes %d+%d" % (struct, field, off, size,
                                                  f.offset, f.size)
        checked += 1
    # Every field of every structure was compared.
    want = sum(1 + len(c._fields_) for c in
               (_lib.MsgInfo, _lib.CredInfo, _lib.ClientInfo, _lib.Sigval,
                _lib.RawPulse, _lib.RawSigevent, _lib.NameAttach)) + 3
    assert checked == want


def test_constants_match_c(cbin):
    n = 0
    for struct, name, value, _ in _c_layout(cbin):
        if struct != "const":
            continue
        mine = getattr(_core, name, None)
        if mine is None:
            mine = getattr(errors, name)
        assert mine == int(value), name
        n += 1
    assert n >= 20


def test_event_is_a_c_sigevent():
    e = axon.Event.pulse(5, code=7, value=99, priority=12)
    assert len(bytes(e)) == 64
    back = axon.Event.from_bytes(bytes(e) + b"extra")
    assert (back.notify, back.coid, back.code, back.value, back.priority) \
        == (_core.SIGEV_PULSE, 5, 7, 99, 12)
