// SPDX-License-Identifier: MIT
//! The structures of src/ffi.rs against the C headers: a C program
//! (bindings/python/tests/c/layout.c) prints every offset and size, and
//! the constants this crate spells out; any difference fails.
mod common;

use std::collections::HashMap;
use std::mem::{size_of, MaybeUninit};
use std::process::Command;
use std::ptr::addr_of;

use axon::ffi;

/// "struct field" -> (offset, size), and "const NAME" -> value.
fn c_layout() -> HashMap<String, (i64, i64)> {
    let out = Command::new(common::helper("layout")).output().expect("layout");
    assert!(out.status.success());
    let mut m = HashMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(w.len(), 4, "{:?}", line);
        m.insert(format!("{} {}", w[0], w[1]), (w[2].parse().unwrap(), w[3].parse().unwrap()));
    }
    m
}

macro_rules! field {
    ($t:ty, $f:ident) => {{
        let u = MaybeUninit::<$t>::uninit();
        let base = u.as_ptr();
        // addr_of! on an uninitialised value reads nothing.
        let p = unsafe { addr_of!((*base).$f) };
        fn size<T>(_: *const T) -> usize {
            size_of::<T>()
        }
        (p as usize - base as usize, size(p))
    }};
}

#[test]
fn structures_match_the_headers() {
    let c = c_layout();
    let mut checked = 0;
    let mut check = |key: &str, got: (usize, usize)| {
        let got = (got.0 as i64, got.1 as i64);
        let want = c.get(key).unwrap_or_else(|| panic!("layout.c has no {}", key));
        assert_eq!(got, *want, "{}", key);
        checked += 1;
    };
    check("MsgInfo -", (0, size_of::<ffi::msg_info>()));
    check("MsgInfo nd", field!(ffi::msg_info, nd));
    check("MsgInfo srcnd", field!(ffi::msg_info, srcnd));
    check("MsgInfo pid", field!(ffi::msg_info, pid));
    check("MsgInfo tid", field!(ffi::msg_info, tid));
    check("MsgInfo chid", field!(ffi::msg_info, chid));
    check("MsgInfo scoid", field!(ffi::msg_info, scoid));
    check("MsgInfo coid", field!(ffi::msg_info, coid));
    check("MsgInfo msglen", field!(ffi::msg_info, msglen));
    check("MsgInfo srcmsglen", field!(ffi::msg_info, srcmsglen));
    check("MsgInfo dstmsglen", field!(ffi::msg_info, dstmsglen));
    check("MsgInfo priority", field!(ffi::msg_info, priority));
    check("MsgInfo flags", field!(ffi::msg_info, flags));
    check("MsgInfo type_id", field!(ffi::msg_info, type_id));
    #[cfg(target_pointer_width = "64")]
    check("MsgInfo reserved", field!(ffi::msg_info, reserved));

    check("CredInfo -", (0, size_of::<ffi::cred_info>()));
    check("CredInfo ruid", field!(ffi::cred_info, ruid));
    check("CredInfo euid", field!(ffi::cred_info, euid));
    check("CredInfo suid", field!(ffi::cred_info, suid));
    check("CredInfo rgid", field!(ffi::cred_info, rgid));
    check("CredInfo egid", field!(ffi::cred_info, egid));
    check("CredInfo sgid", field!(ffi::cred_info, sgid));
    check("CredInfo ngroups", field!(ffi::cred_info, ngroups));
    check("CredInfo grouplist", field!(ffi::cred_info, grouplist));

    check("ClientInfo -", (0, size_of::<ffi::client_info>()));
    check("ClientInfo nd", field!(ffi::client_info, nd));
    check("ClientInfo pid", field!(ffi::client_info, pid));
    check("ClientInfo sid", field!(ffi::client_info, sid));
    check("ClientInfo flags", field!(ffi::client_info, flags));
    check("ClientInfo cred", field!(ffi::client_info, cred));

    check("Sigval -", (0, size_of::<ffi::sigval>()));
    check("Sigval sival_int", field!(ffi::sigval, sival_int));
    check("Sigval sival_ptr", field!(ffi::sigval, sival_ptr));
    check("Sigval sival_long", field!(ffi::sigval, sival_long));

    check("RawPulse -", (0, size_of::<ffi::pulse>()));
    check("RawPulse type", field!(ffi::pulse, type_));
    check("RawPulse subtype", field!(ffi::pulse, subtype));
    check("RawPulse code", field!(ffi::pulse, code));
    check("RawPulse zero", field!(ffi::pulse, zero));
    check("RawPulse value", field!(ffi::pulse, value));
    check("RawPulse scoid", field!(ffi::pulse, scoid));
    assert_eq!(size_of::<ffi::pulse>(), axon::PULSE_SIZE);

    check("RawSigevent -", (0, size_of::<ffi::sigevent>()));
    check("RawSigevent sigev_value", field!(ffi::sigevent, sigev_value));
    check("RawSigevent sigev_signo", field!(ffi::sigevent, sigev_signo));
    check("RawSigevent sigev_notify", field!(ffi::sigevent, sigev_notify));
    check("RawSigevent _pad", field!(ffi::sigevent, pad));
    // sigev_coid is sigev_signo; sigev_priority and sigev_code the pad's
    // first two ints.
    let (pad, _) = field!(ffi::sigevent, pad);
    check("RawSigevent.qnx sigev_coid", field!(ffi::sigevent, sigev_signo));
    check("RawSigevent.qnx sigev_priority", (pad, 4));
    check("RawSigevent.qnx sigev_code", (pad + 4, 4));
    assert_eq!(size_of::<ffi::sigevent>(), axon::SIGEVENT_SIZE);

    check("NameAttach -", (0, size_of::<ffi::name_attach_t>()));
    check("NameAttach dpp", field!(ffi::name_attach_t, dpp));
    check("NameAttach chid", field!(ffi::name_attach_t, chid));
    check("NameAttach mntid", field!(ffi::name_attach_t, mntid));
    check("NameAttach zero", field!(ffi::name_attach_t, zero));

    let mut checked_c = checked;
    let mut constant = |name: &str, v: i64| {
        let want = c.get(&format!("const {}", name)).unwrap_or_else(|| panic!("layout.c has no {}", name));
        assert_eq!((v, 0), *want, "{}", name);
        checked_c += 1;
    };
    constant("_IO_CONNECT", axon::_IO_CONNECT as i64);
    constant("_IO_CONNECT_OPEN", axon::_IO_CONNECT_OPEN as i64);
    constant("_FTYPE_NAME", axon::_FTYPE_NAME as i64);
    constant("SIGEV_PULSE", axon::SIGEV_PULSE as i64);
    constant("SIGEV_SIGNAL", axon::SIGEV_SIGNAL as i64);
    constant("SIGEV_SIGNAL_THREAD", axon::SIGEV_SIGNAL_THREAD as i64);
    constant("SIGEV_NONE", axon::SIGEV_NONE as i64);
    constant("SIGEV_UNBLOCK", axon::SIGEV_UNBLOCK as i64);
    constant("NAME_FLAG_ATTACH_GLOBAL", axon::NAME_FLAG_ATTACH_GLOBAL as i64);
    constant("_NTO_SIDE_CHANNEL", axon::_NTO_SIDE_CHANNEL as i64);
    constant("_NTO_CHF_DISCONNECT", axon::_NTO_CHF_DISCONNECT as i64);
    constant("_NTO_CHF_UNBLOCK", axon::_NTO_CHF_UNBLOCK as i64);
    constant("_NTO_TIMEOUT_RECEIVE", axon::_NTO_TIMEOUT_RECEIVE as i64);
    constant("_NTO_TIMEOUT_SEND", axon::_NTO_TIMEOUT_SEND as i64);
    constant("_NTO_TIMEOUT_REPLY", axon::_NTO_TIMEOUT_REPLY as i64);
    constant("_PULSE_CODE_DISCONNECT", axon::_PULSE_CODE_DISCONNECT as i64);
    constant("_PULSE_CODE_UNBLOCK", axon::_PULSE_CODE_UNBLOCK as i64);
    constant("CLOCK_MONOTONIC", axon::CLOCK_MONOTONIC as i64);
    constant("ENOREMOTE", axon::errno::ENOREMOTE as i64);
    constant("ESRVRFAULT", axon::errno::ESRVRFAULT as i64);
    constant("EENDIAN", axon::errno::EENDIAN as i64);
    // Every line layout.c printed was checked.
    assert_eq!(checked_c, c.len(), "layout.c printed lines this test does not check");
}

#[test]
fn errno_values_are_the_c_librarys() {
    // The kinds std gives the C library's numbers: a wrong constant in
    // axon::errno would get another.
    use axon::errno::*;
    use std::io::{Error, ErrorKind};
    for (e, k) in [
        (EPERM, ErrorKind::PermissionDenied),
        (ENOENT, ErrorKind::NotFound),
        (EINTR, ErrorKind::Interrupted),
        (EAGAIN, ErrorKind::WouldBlock),
        (EACCES, ErrorKind::PermissionDenied),
        (EEXIST, ErrorKind::AlreadyExists),
        (EINVAL, ErrorKind::InvalidInput),
        (EPIPE, ErrorKind::BrokenPipe),
        (ECONNREFUSED, ErrorKind::ConnectionRefused),
        (ECONNRESET, ErrorKind::ConnectionReset),
        (ETIMEDOUT, ErrorKind::TimedOut),
    ] {
        assert_eq!(Error::from_raw_os_error(e).kind(), k, "{}", e);
        assert_eq!(axon::Error::new(e, "x").kind(), k);
    }
    for (e, msg) in [
        (ESRCH, "No such process"),
        (EIO, "Input/output error"),
        (EBADF, "Bad file descriptor"),
        (ENOSYS, "Function not implemented"),
        (ENAMETOOLONG, "File name too long"),
        (EHOSTDOWN, "Host is down"),
        (EHOSTUNREACH, "No route to host"),
        (ENOTSUP, "Operation not supported"),
    ] {
        assert_eq!(axon::Error::new(e, "x").message(), msg, "{}", e);
    }
}
