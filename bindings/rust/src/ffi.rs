// SPDX-License-Identifier: MIT
//! The C interface: libaxon's structures and prototypes, by hand from
//! include/axon/sys/neutrino.h, siginfo.h, dispatch.h and netmgr.h.
//!
//! They must match the headers byte for byte; tests/layout.rs compiles a
//! C program printing every offset and size (the Python bindings'
//! tests/c/layout.c) and compares, so a header change not made here too
//! fails a test instead of corrupting memory.
//!
//! Every call that has one is used in its `_r` form: it returns -errno
//! and leaves errno alone.  name_*() and netmgr_*() have none: they set
//! errno.
#![allow(non_camel_case_types, non_snake_case, dead_code)]

use std::os::raw::{c_char, c_int, c_long, c_uint, c_void};

pub type pid_t = i32;
pub type uid_t = u32;
pub type gid_t = u32;
pub type rcvid_t = i64;
pub type clockid_t = c_int;
pub type ssize_t = isize;

pub const NGROUPS_MAX: usize = 8;

/// `struct _msg_info` (also `struct _server_info`): QNX 7's
/// `_msg_info64` on a 64-bit target (priority and flags ahead of the
/// 64-bit lengths), `_msg_info32` on a 32-bit one.
#[cfg(target_pointer_width = "64")]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct msg_info {
    pub nd: u32,
    pub srcnd: u32,
    pub pid: pid_t,
    pub tid: i32,
    pub chid: i32,
    pub scoid: i32,
    pub coid: i32,
    pub priority: i16,
    pub flags: i16,
    pub msglen: i64,
    pub srcmsglen: i64,
    pub dstmsglen: i64,
    pub type_id: u32,
    pub reserved: u32,
}

/// `struct _msg_info` (also `struct _server_info`): `_msg_info32`.
#[cfg(not(target_pointer_width = "64"))]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct msg_info {
    pub nd: u32,
    pub srcnd: u32,
    pub pid: pid_t,
    pub tid: i32,
    pub chid: i32,
    pub scoid: i32,
    pub coid: i32,
    pub msglen: i32,
    pub srcmsglen: i32,
    pub dstmsglen: i32,
    pub priority: i16,
    pub flags: i16,
    pub type_id: u32,
}

/// `struct _cred_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct cred_info {
    pub ruid: uid_t,
    pub euid: uid_t,
    pub suid: uid_t,
    pub rgid: gid_t,
    pub egid: gid_t,
    pub sgid: gid_t,
    pub ngroups: u32,
    pub grouplist: [gid_t; NGROUPS_MAX],
}

/// `struct _client_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct client_info {
    pub nd: u32,
    pub pid: pid_t,
    pub sid: pid_t,
    pub flags: u32,
    pub cred: cred_info,
}

/// `union sigval` (with QNX's sival_long): 8 bytes on LP64.
#[repr(C)]
#[derive(Clone, Copy)]
pub union sigval {
    pub sival_int: c_int,
    pub sival_ptr: *mut c_void,
    pub sival_long: c_long,
}

/// `struct _pulse`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct pulse {
    pub type_: u16,
    pub subtype: u16,
    pub code: i8,
    pub zero: [u8; 3],
    pub value: sigval,
    pub scoid: i32,
}

/// glibc's `struct sigevent` (64 bytes): the union after sigev_notify is
/// an int array.  Axon's QNX fields live in it: sigev_coid is
/// sigev_signo, sigev_priority `pad[0]`, sigev_code `pad[1]`
/// (<sys/siginfo.h>).
pub const SIGEV_PAD: usize = (64 - 8 - 2 * 4) / 4;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct sigevent {
    pub sigev_value: sigval,
    pub sigev_signo: c_int,
    pub sigev_notify: c_int,
    pub pad: [c_int; SIGEV_PAD],
}

/// `name_attach_t`.
#[repr(C)]
pub struct name_attach_t {
    pub dpp: *mut c_void,
    pub chid: c_int,
    pub mntid: c_int,
    pub zero: [c_int; 2],
}

extern "C" {
    pub fn ChannelCreate_r(flags: c_uint) -> c_int;
    pub fn ChannelDestroy_r(chid: c_int) -> c_int;
    pub fn ConnectAttach_r(nd: u32, pid: pid_t, chid: c_int, index: c_uint, flags: c_int)
        -> c_int;
    pub fn ConnectDetach_r(coid: c_int) -> c_int;
    pub fn ConnectClientInfo_r(scoid: c_int, info: *mut client_info, ngroups: c_int) -> c_int;
    pub fn ConnectServerInfo_r(pid: pid_t, coid: c_int, info: *mut msg_info) -> c_int;

    pub fn MsgSend_r(
        coid: c_int,
        smsg: *const c_void,
        sbytes: usize,
        rmsg: *mut c_void,
        rbytes: usize,
    ) -> c_long;
    pub fn MsgReceive_r(chid: c_int, msg: *mut c_void, bytes: usize, info: *mut msg_info)
        -> rcvid_t;
    pub fn MsgReceivePulse_r(
        chid: c_int,
        pulse: *mut c_void,
        bytes: usize,
        info: *mut msg_info,
    ) -> c_int;
    pub fn MsgReply_r(rcvid: rcvid_t, status: c_long, msg: *const c_void, bytes: usize) -> c_int;
    pub fn MsgError_r(rcvid: rcvid_t, error: c_int) -> c_int;
    pub fn MsgRead_r(rcvid: rcvid_t, msg: *mut c_void, bytes: usize, offset: usize) -> ssize_t;
    pub fn MsgWrite_r(rcvid: rcvid_t, msg: *const c_void, bytes: usize, offset: usize)
        -> ssize_t;
    pub fn MsgInfo_r(rcvid: rcvid_t, info: *mut msg_info) -> c_int;
    pub fn MsgSendPulse_r(coid: c_int, priority: c_int, code: c_int, value: c_int) -> c_int;
    pub fn MsgDeliverEvent_r(rcvid: rcvid_t, event: *const sigevent) -> c_int;
    pub fn TimerTimeout_r(
        id: clockid_t,
        flags: c_int,
        notify: *const sigevent,
        ntime: *const u64,
        otime: *mut u64,
    ) -> c_int;

    pub fn name_attach(dpp: *mut c_void, path: *const c_char, flags: c_uint)
        -> *mut name_attach_t;
    pub fn name_detach(attach: *mut name_attach_t, flags: c_uint) -> c_int;
    pub fn name_open(name: *const c_char, flags: c_int) -> c_int;
    pub fn name_close(coid: c_int) -> c_int;

    pub fn netmgr_strtond(nodename: *const c_char, endstr: *mut *mut c_char) -> c_int;
    pub fn netmgr_ndtostr(flags: c_uint, nd: c_int, buf: *mut c_char, maxbuf: usize) -> c_int;
    pub fn netmgr_remote_nd(remote_nd: c_int, local_nd: c_int) -> c_int;
}
