// SPDX-License-Identifier: MIT
//! QNX Neutrino message passing on Linux: safe Rust types over libaxon.
//!
//! - [`Channel`] owns a channel id (`ChannelCreate(3)`; destroyed on drop).
//! - [`Connection`] owns a connection id (`ConnectAttach(3)` or
//!   [`name_open`]; detached, or name_close()d, on drop).
//! - A receive gives a [`Received`]: a [`Message`] (its [`Rcvid`], its
//!   bytes and its [`MsgInfo`]) or a [`Pulse`].
//! - [`Rcvid`] must be answered: [`Rcvid::reply`] or [`Rcvid::error`]
//!   consume it, so a message cannot be answered twice.  An `Rcvid`
//!   dropped unanswered answers its sender with `MsgError(EIO)`, so that
//!   no client stays REPLY-blocked on a message its server forgot
//!   ([`Rcvid::into_raw`] keeps it unanswered, on purpose).
//! - [`NameAttach`] owns a name (`name_attach(3)`, local or global;
//!   detached on drop) and answers name_open()'s connect message itself.
//! - Timeouts are [`Duration`]s (`TimerTimeout(3)`, armed just before the
//!   call); errors are an [`Error`] carrying QNX's errno and the call.
//! - [`netmgr`]: node descriptors (`netmgr_strtond(3)`...).
//!
//! Every type here may be sent to and shared between threads: all Axon
//! calls are thread-safe (axon(7)): several threads may send on one
//! connection or receive on one channel at once, and a message may be
//! answered from any thread.  The process belongs to the node named by
//! `AXON_RUNDIR`, read at libaxon's first call: set it before.
//!
//! ```no_run
//! use std::time::Duration;
//! use axon::{name_attach, name_open, Received};
//!
//! fn server() -> axon::Result<()> {
//!     let att = name_attach("echo", false)?; // true: global, all nodes
//!     loop {
//!         match att.receive(4096)? {
//!             Received::Message(m) => {
//!                 let up = m.data.to_ascii_uppercase();
//!                 m.reply(up.len() as i64, &up)?; // consumes the message
//!             }
//!             Received::Pulse(p) => println!("pulse {} {}", p.code, p.value),
//!         }
//!     }
//! }
//!
//! fn client() -> axon::Result<()> {
//!     let conn = name_open("echo", false)?; // true: any node
//!     let mut reply = [0u8; 5];
//!     let status = conn.send_timeout(b"hello", &mut reply, Duration::from_secs(1))?;
//!     assert_eq!((status, &reply), (5, b"HELLO"));
//!     conn.send_pulse(5, 42)
//! }
//! # let _ = (server, client);
//! ```
#![warn(missing_docs)]
#![allow(clippy::upper_case_acronyms)]

mod error;
#[doc(hidden)]
pub mod ffi;
pub mod netmgr;

use std::ffi::CString;
use std::fmt;
use std::mem;
use std::os::raw::{c_int, c_long, c_void};
use std::ptr;
use std::time::{Duration, Instant};

pub use error::{errno, Error, Result};

/// `struct _msg_info`: who sent a message and how long it is
/// (`msglen` bytes received of `srcmsglen` sent; the sender's reply
/// buffer holds `dstmsglen`).  Also `struct _server_info`.
pub type MsgInfo = ffi::msg_info;
/// `struct _client_info` (ConnectClientInfo(3)).
pub type ClientInfo = ffi::client_info;
/// `struct _cred_info`: the client's user and group ids.
pub type CredInfo = ffi::cred_info;

// ---- Constants (<sys/neutrino.h>, <sys/siginfo.h>, <sys/dispatch.h>) ----

/// This node's node descriptor.
pub const ND_LOCAL_NODE: u32 = 0;

#[allow(missing_docs)]
mod consts {
    pub const _NTO_CHF_FIXED_PRIORITY: u32 = 0x0001;
    pub const _NTO_CHF_UNBLOCK: u32 = 0x0002;
    pub const _NTO_CHF_THREAD_DEATH: u32 = 0x0004;
    pub const _NTO_CHF_DISCONNECT: u32 = 0x0008;
    pub const _NTO_CHF_NET_MSG: u32 = 0x0010;
    pub const _NTO_CHF_SENDER_LEN: u32 = 0x0020;
    pub const _NTO_CHF_COID_DISCONNECT: u32 = 0x0040;
    pub const _NTO_CHF_REPLY_LEN: u32 = 0x0080;
    pub const _NTO_CHF_PRIVATE: u32 = 0x1000;

    pub const _NTO_SIDE_CHANNEL: u32 = 0x4000_0000;
    pub const _NTO_COF_CLOEXEC: i32 = 0x0001;

    pub const _NTO_MI_ENDIAN_BIG: i16 = 0x0001;
    pub const _NTO_MI_ENDIAN_DIFF: i16 = 0x0002;
    pub const _NTO_MI_UNBLOCK_REQ: i16 = 0x0100;

    pub const _PULSE_CODE_UNBLOCK: i8 = -32;
    pub const _PULSE_CODE_DISCONNECT: i8 = -33;
    pub const _PULSE_CODE_THREADDEATH: i8 = -34;
    pub const _PULSE_CODE_COIDDEATH: i8 = -35;
    pub const _PULSE_CODE_MINAVAIL: i8 = 0;
    pub const _PULSE_CODE_MAXAVAIL: i8 = 127;

    pub const _NTO_TIMEOUT_RECEIVE: i32 = 1 << 3;
    pub const _NTO_TIMEOUT_REPLY: i32 = 1 << 4;
    pub const _NTO_TIMEOUT_SEND: i32 = 1 << 5;

    pub const SIGEV_SIGNAL: i32 = 0;
    pub const SIGEV_NONE: i32 = 1;
    pub const SIGEV_SIGNAL_CODE: i32 = 0x41;
    pub const SIGEV_SIGNAL_THREAD: i32 = 0x42;
    pub const SIGEV_PULSE: i32 = 0x43;
    pub const SIGEV_UNBLOCK: i32 = 0x44;
    pub const SIGEV_PULSE_PRIO_INHERIT: i32 = -1;

    pub const NAME_FLAG_ATTACH_GLOBAL: u32 = 0x0000_0002;

    pub const CLOCK_MONOTONIC: i32 = 1;

    pub const _IO_CONNECT: u16 = 0x100;
    pub const _IO_CONNECT_OPEN: u16 = 2;
    pub const _FTYPE_NAME: u32 = 12;
}
pub use consts::*;

/// The size of a `struct _pulse`: the least buffer a receive takes.
pub const PULSE_SIZE: usize = mem::size_of::<ffi::pulse>();
const MSG_STATES: i32 = _NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY;

// ---- Timeouts -------------------------------------------------------------

/// `TimerTimeout(3)`: bounds this thread's next blocking Axon call, while
/// it is blocked in one of `states` (the `_NTO_TIMEOUT_*` bits), by
/// `timeout` (zero: fail at once if the call would block).  The `_timeout`
/// methods of this crate arm it themselves; this is for calls that have
/// none.
pub fn timer_timeout(states: i32, timeout: Duration) -> Result<()> {
    let ns: u64 = if timeout.as_nanos() > u64::MAX as u128 {
        u64::MAX
    } else {
        timeout.as_nanos() as u64
    };
    let r = unsafe {
        ffi::TimerTimeout_r(CLOCK_MONOTONIC, states, ptr::null(), &ns, ptr::null_mut())
    };
    if r < 0 {
        return Err(Error::from_neg(r as i64, "TimerTimeout"));
    }
    Ok(())
}

fn arm(timeout: Option<Duration>, states: i32) -> Result<()> {
    match timeout {
        Some(t) => timer_timeout(states, t),
        None => Ok(()),
    }
}

// ---- Pulses and messages --------------------------------------------------

/// A pulse: `code` (-128..127; the `_PULSE_CODE_*` are negative, a
/// program's own 0..127), `value` (its `sival_int`), the server
/// connection id `scoid` it came on, and the header's `type_` and
/// `subtype` (0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pulse {
    /// The pulse's code.
    pub code: i8,
    /// The pulse's value (`value.sival_int`).
    pub value: i32,
    /// The server connection id it came on.
    pub scoid: i32,
    /// `_PULSE_TYPE` (0).
    pub type_: u16,
    /// `_PULSE_SUBTYPE` (0).
    pub subtype: u16,
}

impl Pulse {
    fn from_bytes(b: &[u8]) -> Pulse {
        debug_assert!(b.len() >= PULSE_SIZE);
        let p: ffi::pulse = unsafe { ptr::read_unaligned(b.as_ptr() as *const ffi::pulse) };
        Pulse {
            code: p.code,
            value: unsafe { p.value.sival_int },
            scoid: p.scoid,
            type_: p.type_,
            subtype: p.subtype,
        }
    }
}

impl MsgInfo {
    /// A `struct _msg_info` from its bytes (as a C server would reply
    /// it), if there are enough.
    pub fn from_bytes(b: &[u8]) -> Option<MsgInfo> {
        if b.len() < mem::size_of::<MsgInfo>() {
            return None;
        }
        Some(unsafe { ptr::read_unaligned(b.as_ptr() as *const MsgInfo) })
    }
}

impl ClientInfo {
    /// The client's supplementary groups.
    pub fn groups(&self) -> &[u32] {
        let n = (self.cred.ngroups as usize).min(ffi::NGROUPS_MAX);
        &self.cred.grouplist[..n]
    }
}

/// A received message's id, REPLY-blocking its sender until
/// [`reply`](Rcvid::reply) or [`error`](Rcvid::error), which consume it.
///
/// Dropped unanswered, it answers the sender with `MsgError(EIO)`:
/// hold it (or its [`Message`]) for as long as the reply is to wait,
/// and use [`into_raw`](Rcvid::into_raw) to keep the sender blocked
/// beyond it.
///
/// A second answer does not compile:
///
/// ```compile_fail,E0382
/// fn serve(ch: &axon::Channel) -> axon::Result<()> {
///     if let axon::Received::Message(m) = ch.receive(64)? {
///         m.rcvid.reply(0, b"once")?;
///         m.rcvid.error(axon::errno::EIO)?; // use of moved value
///     }
///     Ok(())
/// }
/// ```
#[must_use = "a received message must be replied to (dropping it replies EIO)"]
pub struct Rcvid {
    id: i64,
}

impl Rcvid {
    /// The rcvid as MsgReceive() returned it (for
    /// [`deliver_event`] after the reply, or for logs).
    pub fn id(&self) -> i64 {
        self.id
    }

    fn done(self) {
        mem::forget(self);
    }

    /// `MsgReply(3)`: unblocks the sender, whose MsgSend() returns
    /// `status`, with `data` in its reply buffer (truncated to it).
    /// Fails with ESRCH if the sender has gone (timed out, was
    /// interrupted, or died): the reply is then discarded.
    pub fn reply(self, status: i64, data: &[u8]) -> Result<()> {
        let id = self.id;
        self.done();
        let r = unsafe {
            ffi::MsgReply_r(id, status as c_long, data.as_ptr() as *const c_void, data.len())
        };
        if r < 0 {
            return Err(Error::from_neg(r as i64, "MsgReply"));
        }
        Ok(())
    }

    /// `MsgError(3)`: the sender's MsgSend() fails with errno `err`
    /// (`EOK` (0) makes it return 0).
    pub fn error(self, err: i32) -> Result<()> {
        let id = self.id;
        self.done();
        let r = unsafe { ffi::MsgError_r(id, err) };
        if r < 0 {
            return Err(Error::from_neg(r as i64, "MsgError"));
        }
        Ok(())
    }

    /// `MsgRead(3)`: up to `buf.len()` bytes of the sender's message
    /// from `offset`; returns how many (fewer near its end, 0 past it).
    pub fn read(&self, buf: &mut [u8], offset: usize) -> Result<usize> {
        let r = unsafe {
            ffi::MsgRead_r(self.id, buf.as_mut_ptr() as *mut c_void, buf.len(), offset)
        };
        if r < 0 {
            return Err(Error::from_neg(r as i64, "MsgRead"));
        }
        Ok(r as usize)
    }

    /// `MsgRead(3)` into a new vector of at most `nbytes`.
    pub fn read_vec(&self, nbytes: usize, offset: usize) -> Result<Vec<u8>> {
        let mut v = vec![0u8; nbytes];
        let n = self.read(&mut v, offset)?;
        v.truncate(n);
        Ok(v)
    }

    /// `MsgWrite(3)`: `data` into the sender's reply buffer at `offset`;
    /// returns the bytes written (fewer, or 0, where the buffer ends).
    /// The sender stays blocked until the reply.
    pub fn write(&self, data: &[u8], offset: usize) -> Result<usize> {
        let r = unsafe {
            ffi::MsgWrite_r(self.id, data.as_ptr() as *const c_void, data.len(), offset)
        };
        if r < 0 {
            return Err(Error::from_neg(r as i64, "MsgWrite"));
        }
        Ok(r as usize)
    }

    /// `MsgInfo(3)`: the message's info now (`flags` may have gained
    /// `_NTO_MI_UNBLOCK_REQ`).
    pub fn info(&self) -> Result<MsgInfo> {
        let mut info = MsgInfo::default();
        let r = unsafe { ffi::MsgInfo_r(self.id, &mut info) };
        if r < 0 {
            return Err(Error::from_neg(r as i64, "MsgInfo"));
        }
        Ok(info)
    }

    /// `MsgDeliverEvent(3)` to the sender (also possible after the
    /// reply, with [`deliver_event`] and [`id`](Rcvid::id), while the
    /// client stays connected).
    pub fn deliver_event(&self, event: &Event) -> Result<()> {
        deliver_event(self.id, event)
    }

    /// Gives up the duty to answer: the raw rcvid, for a reply by other
    /// means (C code, a later [`from_raw`](Rcvid::from_raw)).  Nothing is
    /// sent; the sender stays blocked until someone answers.
    pub fn into_raw(self) -> i64 {
        let id = self.id;
        self.done();
        id
    }

    /// Takes over the duty to answer rcvid `id`.
    ///
    /// # Safety
    ///
    /// `id` must be a rcvid of this process that nothing else will
    /// answer: not memory safety, but this type's promise that a message
    /// is answered once (a second answer fails with ESRCH, or reaches a
    /// later message that reuses the id).
    pub unsafe fn from_raw(id: i64) -> Rcvid {
        Rcvid { id }
    }
}

impl Drop for Rcvid {
    fn drop(&mut self) {
        unsafe {
            ffi::MsgError_r(self.id, errno::EIO);
        }
    }
}

impl fmt::Debug for Rcvid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rcvid({:#x})", self.id)
    }
}

/// A received message: its [`Rcvid`] (answer it), its bytes and its
/// [`MsgInfo`].  `D` is `Vec<u8>` from a `receive()`, or a slice of the
/// caller's buffer from a `receive_into()` (no copy).
#[derive(Debug)]
#[must_use = "a received message must be replied to (dropping it replies EIO)"]
pub struct Message<D = Vec<u8>> {
    /// The message's id: reply to it or error it.
    pub rcvid: Rcvid,
    /// The bytes received: `info.msglen` of the `info.srcmsglen` sent (the
    /// rest can be read with [`Rcvid::read`]).
    pub data: D,
    /// Who sent it, and the lengths.
    pub info: MsgInfo,
}

impl<D> Message<D> {
    /// [`Rcvid::reply`].
    pub fn reply(self, status: i64, data: &[u8]) -> Result<()> {
        self.rcvid.reply(status, data)
    }

    /// [`Rcvid::error`].
    pub fn error(self, err: i32) -> Result<()> {
        self.rcvid.error(err)
    }

    /// `ConnectClientInfo(3)` of the sender's connection.
    pub fn client_info(&self) -> Result<ClientInfo> {
        client_info(self.info.scoid)
    }
}

/// What a receive gives: a message or a pulse.
#[derive(Debug)]
#[must_use = "a received message must be replied to (dropping it replies EIO)"]
pub enum Received<D = Vec<u8>> {
    /// A message, its sender REPLY-blocked.
    Message(Message<D>),
    /// A pulse (nothing to answer).
    Pulse(Pulse),
}

impl<D> Received<D> {
    /// The message, if it is one (a pulse gives None).
    pub fn message(self) -> Option<Message<D>> {
        match self {
            Received::Message(m) => Some(m),
            Received::Pulse(_) => None,
        }
    }

    /// The pulse, if it is one (a message is answered EIO and dropped).
    pub fn pulse(self) -> Option<Pulse> {
        match self {
            Received::Pulse(p) => Some(p),
            Received::Message(_) => None,
        }
    }
}

/// `MsgDeliverEvent(3)` to the client of `rcvid` (an [`Rcvid::id`],
/// which stays good for this after the reply while the client stays
/// connected).
pub fn deliver_event(rcvid: i64, event: &Event) -> Result<()> {
    let r = unsafe { ffi::MsgDeliverEvent_r(rcvid, &event.0) };
    if r < 0 {
        return Err(Error::from_neg(r as i64, "MsgDeliverEvent"));
    }
    Ok(())
}

/// `ConnectClientInfo(3)`: the node, pid, session and credentials of the
/// client of server connection `scoid`.
pub fn client_info(scoid: i32) -> Result<ClientInfo> {
    let mut ci = ClientInfo::default();
    let r = unsafe { ffi::ConnectClientInfo_r(scoid, &mut ci, ffi::NGROUPS_MAX as c_int) };
    if r < 0 {
        return Err(Error::from_neg(r as i64, "ConnectClientInfo"));
    }
    Ok(ci)
}

/// `ConnectDetach(3)` of a server connection id: what a server does with
/// the `scoid` of a `_PULSE_CODE_DISCONNECT` pulse on a channel made with
/// `_NTO_CHF_DISCONNECT` ([`NameAttach`]'s receives do it themselves).
pub fn detach_scoid(scoid: i32) -> Result<()> {
    let r = unsafe { ffi::ConnectDetach_r(scoid) };
    if r < 0 {
        return Err(Error::from_neg(r as i64, "ConnectDetach"));
    }
    Ok(())
}

// ---- Receiving ------------------------------------------------------------

/// MsgReceive(), retried after a signal handler ran (EINTR) with what is
/// left of the timeout; for a name's channel (`named`), connect messages
/// are answered and skipped and disconnect pulses' scoids detached.
/// Returns the rcvid (0: a pulse) and the info; the message or pulse is
/// in `buf`.
fn receive_raw(
    chid: i32,
    buf: &mut [u8],
    timeout: Option<Duration>,
    named: bool,
) -> Result<(i64, MsgInfo)> {
    if buf.len() < PULSE_SIZE {
        return Err(Error::new(errno::EINVAL, "MsgReceive"));
    }
    let start = Instant::now();
    let mut info = MsgInfo::default();
    loop {
        let left = timeout.map(|t| t.checked_sub(start.elapsed()).unwrap_or_default());
        arm(left, _NTO_TIMEOUT_RECEIVE)?;
        let r = unsafe {
            ffi::MsgReceive_r(chid, buf.as_mut_ptr() as *mut c_void, buf.len(), &mut info)
        };
        if r == -(errno::EINTR as i64) {
            continue;
        }
        if r < 0 {
            return Err(Error::from_neg(r, "MsgReceive"));
        }
        if !named {
            return Ok((r, info));
        }
        if r == 0 {
            let p = Pulse::from_bytes(buf);
            if p.code == _PULSE_CODE_DISCONNECT {
                let _ = detach_scoid(p.scoid);
            }
            return Ok((r, info));
        }
        if !is_name_connect(&buf[..received(&info, buf.len())]) {
            return Ok((r, info));
        }
        // The client waits in name_open(); a failed reply means it has
        // gone, which is its business.
        unsafe {
            ffi::MsgReply_r(r, 0, ptr::null(), 0);
        }
    }
}

/// How many bytes of the message are in a buffer of `len` bytes.
fn received(info: &MsgInfo, len: usize) -> usize {
    (info.msglen.max(0) as usize).min(len)
}

/// A receive into a new vector of at most `bufsize` bytes.
fn receive_vec(chid: i32, bufsize: usize, timeout: Option<Duration>, named: bool) -> Result<Received> {
    let mut v = vec![0u8; bufsize.max(PULSE_SIZE)];
    let (r, info) = receive_raw(chid, &mut v, timeout, named)?;
    if r == 0 {
        return Ok(Received::Pulse(Pulse::from_bytes(&v)));
    }
    v.truncate(received(&info, bufsize));
    Ok(Received::Message(Message { rcvid: Rcvid { id: r }, data: v, info }))
}

/// A receive into the caller's buffer.
fn receive_buf(
    chid: i32,
    buf: &mut [u8],
    timeout: Option<Duration>,
    named: bool,
) -> Result<Received<&[u8]>> {
    let (r, info) = receive_raw(chid, buf, timeout, named)?;
    if r == 0 {
        return Ok(Received::Pulse(Pulse::from_bytes(buf)));
    }
    let n = received(&info, buf.len());
    Ok(Received::Message(Message { rcvid: Rcvid { id: r }, data: &buf[..n], info }))
}

fn receive_pulse(chid: i32, timeout: Option<Duration>) -> Result<Pulse> {
    let start = Instant::now();
    let mut buf = [0u8; PULSE_SIZE];
    let mut info = MsgInfo::default();
    loop {
        let left = timeout.map(|t| t.checked_sub(start.elapsed()).unwrap_or_default());
        arm(left, _NTO_TIMEOUT_RECEIVE)?;
        let r = unsafe {
            ffi::MsgReceivePulse_r(chid, buf.as_mut_ptr() as *mut c_void, buf.len(), &mut info)
        };
        if r >= 0 {
            return Ok(Pulse::from_bytes(&buf));
        }
        if r != -errno::EINTR {
            return Err(Error::from_neg(r as i64, "MsgReceivePulse"));
        }
    }
}

// ---- Channels ---------------------------------------------------------------

/// A channel (`ChannelCreate(3)`), destroyed on drop.
///
/// The receives come in four forms: into a new vector of at most
/// `bufsize` bytes or into the caller's buffer (which must hold a pulse,
/// [`PULSE_SIZE`] bytes, else EINVAL), with or without a timeout (ETIMEDOUT).  A
/// receive interrupted by a signal handler is retried with what is left
/// of its timeout.
pub struct Channel {
    chid: i32,
}

impl Channel {
    /// `ChannelCreate(0)`.
    pub fn new() -> Result<Channel> {
        Channel::with_flags(0)
    }

    /// `ChannelCreate(flags)`, flags the `_NTO_CHF_*` bits.
    pub fn with_flags(flags: u32) -> Result<Channel> {
        let r = unsafe { ffi::ChannelCreate_r(flags) };
        if r < 0 {
            return Err(Error::from_neg(r as i64, "ChannelCreate"));
        }
        Ok(Channel { chid: r })
    }

    /// The channel id (for clients' `ConnectAttach(nd, pid, chid)`).
    pub fn chid(&self) -> i32 {
        self.chid
    }

    /// `MsgReceive(3)` of a message (its first `bufsize` bytes) or a pulse.
    pub fn receive(&self, bufsize: usize) -> Result<Received> {
        receive_vec(self.chid, bufsize, None, false)
    }

    /// [`receive`](Channel::receive), failing with ETIMEDOUT after
    /// `timeout`.
    pub fn receive_timeout(&self, bufsize: usize, timeout: Duration) -> Result<Received> {
        receive_vec(self.chid, bufsize, Some(timeout), false)
    }

    /// `MsgReceive(3)` into `buf`: the message's data is the part of
    /// `buf` it filled.
    pub fn receive_into<'b>(&self, buf: &'b mut [u8]) -> Result<Received<&'b [u8]>> {
        receive_buf(self.chid, buf, None, false)
    }

    /// [`receive_into`](Channel::receive_into) with a timeout.
    pub fn receive_into_timeout<'b>(
        &self,
        buf: &'b mut [u8],
        timeout: Duration,
    ) -> Result<Received<&'b [u8]>> {
        receive_buf(self.chid, buf, Some(timeout), false)
    }

    /// `MsgReceivePulse(3)`: the next pulse (messages wait), bounded by
    /// `timeout` if given.
    pub fn receive_pulse(&self, timeout: Option<Duration>) -> Result<Pulse> {
        receive_pulse(self.chid, timeout)
    }

    /// A connection of this process to this channel (for events and
    /// pulses to itself).
    pub fn connect(&self) -> Result<Connection> {
        Connection::attach(ND_LOCAL_NODE, 0, self.chid)
    }

    /// `ChannelDestroy(3)` now, with its error.
    pub fn destroy(self) -> Result<()> {
        let chid = self.into_raw();
        let r = unsafe { ffi::ChannelDestroy_r(chid) };
        if r < 0 {
            return Err(Error::from_neg(r as i64, "ChannelDestroy"));
        }
        Ok(())
    }

    /// The channel id, no longer destroyed on drop.
    pub fn into_raw(self) -> i32 {
        let chid = self.chid;
        mem::forget(self);
        chid
    }

    /// Takes over channel `chid`, to destroy it on drop.
    ///
    /// # Safety
    ///
    /// `chid` must be a channel of this process that nothing else
    /// destroys.
    pub unsafe fn from_raw(chid: i32) -> Channel {
        Channel { chid }
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        unsafe {
            ffi::ChannelDestroy_r(self.chid);
        }
    }
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Channel {{ chid: {} }}", self.chid)
    }
}

// ---- Connections ------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Attached,
    Named,
}

/// A connection to a channel: from [`Connection::attach`]
/// (`ConnectAttach(3)`), detached on drop, or from [`name_open`],
/// name_close()d on drop.
pub struct Connection {
    coid: i32,
    kind: Kind,
}

impl Connection {
    /// `ConnectAttach(nd, pid, chid, _NTO_SIDE_CHANNEL, 0)`: to channel
    /// `chid` of process `pid` on node `nd` ([`ND_LOCAL_NODE`], or one of
    /// [`netmgr::strtond`]).
    pub fn attach(nd: u32, pid: i32, chid: i32) -> Result<Connection> {
        Connection::attach_with(nd, pid, chid, _NTO_SIDE_CHANNEL, 0)
    }

    /// `ConnectAttach(3)` with its `index` and `flags` (`_NTO_COF_*`).
    pub fn attach_with(nd: u32, pid: i32, chid: i32, index: u32, flags: i32) -> Result<Connection> {
        let r = unsafe { ffi::ConnectAttach_r(nd, pid, chid, index, flags) };
        if r < 0 {
            return Err(Error::from_neg(r as i64, "ConnectAttach"));
        }
        Ok(Connection { coid: r, kind: Kind::Attached })
    }

    /// The connection id.
    pub fn coid(&self) -> i32 {
        self.coid
    }

    fn send_impl(&self, msg: &[u8], reply: &mut [u8], timeout: Option<Duration>) -> Result<i64> {
        arm(timeout, MSG_STATES)?;
        let r = unsafe {
            ffi::MsgSend_r(
                self.coid,
                msg.as_ptr() as *const c_void,
                msg.len(),
                reply.as_mut_ptr() as *mut c_void,
                reply.len(),
            )
        };
        if r < 0 {
            return Err(Error::from_neg(r as i64, "MsgSend"));
        }
        Ok(r as i64)
    }

    /// `MsgSend(3)`: sends `msg`, waits for the reply (into `reply`,
    /// truncated to it) and returns the server's status.  The server's
    /// `MsgError()` comes back as an [`Error`] with its errno.  As in
    /// QNX, the call does not say how many bytes the server replied.  A
    /// send interrupted by a signal handler fails with EINTR and is not
    /// retried: the server may have received it.
    pub fn send(&self, msg: &[u8], reply: &mut [u8]) -> Result<i64> {
        self.send_impl(msg, reply, None)
    }

    /// [`send`](Connection::send), failing with ETIMEDOUT if the whole
    /// send (SEND- and REPLY-blocked) takes longer than `timeout`.
    pub fn send_timeout(&self, msg: &[u8], reply: &mut [u8], timeout: Duration) -> Result<i64> {
        self.send_impl(msg, reply, Some(timeout))
    }

    /// `MsgSendPulse(3)` at priority 10: does not block.
    pub fn send_pulse(&self, code: i8, value: i32) -> Result<()> {
        self.send_pulse_priority(code, value, 10)
    }

    /// `MsgSendPulse(3)` at `priority`.
    pub fn send_pulse_priority(&self, code: i8, value: i32, priority: i32) -> Result<()> {
        let r = unsafe { ffi::MsgSendPulse_r(self.coid, priority, code as c_int, value) };
        if r < 0 {
            return Err(Error::from_neg(r as i64, "MsgSendPulse"));
        }
        Ok(())
    }

    /// `ConnectServerInfo(3)`: the server's node, pid, chid...
    pub fn server_info(&self) -> Result<MsgInfo> {
        let mut info = MsgInfo::default();
        let r = unsafe { ffi::ConnectServerInfo_r(0, self.coid, &mut info) };
        if r < 0 {
            return Err(Error::from_neg(r as i64, "ConnectServerInfo"));
        }
        Ok(info)
    }

    /// Detaches now (`ConnectDetach(3)`, or `name_close(3)` for a
    /// connection of [`name_open`]), with its error.
    pub fn close(self) -> Result<()> {
        let (coid, kind) = (self.coid, self.kind);
        mem::forget(self);
        close(coid, kind)
    }

    /// The connection id, no longer detached on drop.
    pub fn into_raw(self) -> i32 {
        let coid = self.coid;
        mem::forget(self);
        coid
    }

    /// Takes over connection `coid` (of `ConnectAttach()`), to detach it
    /// on drop.
    ///
    /// # Safety
    ///
    /// `coid` must be a connection of this process that nothing else
    /// detaches.
    pub unsafe fn from_raw(coid: i32) -> Connection {
        Connection { coid, kind: Kind::Attached }
    }
}

fn close(coid: i32, kind: Kind) -> Result<()> {
    match kind {
        Kind::Attached => {
            let r = unsafe { ffi::ConnectDetach_r(coid) };
            if r < 0 {
                return Err(Error::from_neg(r as i64, "ConnectDetach"));
            }
        }
        Kind::Named => {
            if unsafe { ffi::name_close(coid) } == -1 {
                return Err(Error::last("name_close"));
            }
        }
    }
    Ok(())
}

impl Drop for Connection {
    fn drop(&mut self) {
        let _ = close(self.coid, self.kind);
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Connection {{ coid: {:#x}, {:?} }}", self.coid, self.kind)
    }
}

// ---- Events -----------------------------------------------------------------

/// A `struct sigevent`: what `MsgDeliverEvent(3)` makes happen in the
/// client.  A client builds one (a pulse on its own connection, a
/// signal), sends its [`to_bytes`](Event::to_bytes) in a message; the
/// server reads it back with [`from_bytes`](Event::from_bytes) and
/// delivers it when it wants.
#[derive(Clone, Copy)]
pub struct Event(ffi::sigevent);

// The union's sival_ptr is never dereferenced here: an Event is plain
// bytes.
unsafe impl Send for Event {}
unsafe impl Sync for Event {}

/// The size of a `struct sigevent`.
pub const SIGEVENT_SIZE: usize = mem::size_of::<ffi::sigevent>();

impl Event {
    fn zeroed() -> Event {
        Event(unsafe { mem::zeroed() })
    }

    /// `SIGEV_PULSE_INT_INIT`: a pulse of `code` and `value` on the
    /// client's connection `conn`, at `priority`
    /// ([`SIGEV_PULSE_PRIO_INHERIT`]: the sender's).
    pub fn pulse(conn: &Connection, code: i8, value: i32, priority: i32) -> Event {
        Event::pulse_coid(conn.coid(), code, value, priority)
    }

    /// [`pulse`](Event::pulse) on connection id `coid`.
    pub fn pulse_coid(coid: i32, code: i8, value: i32, priority: i32) -> Event {
        let mut e = Event::zeroed();
        e.0.sigev_notify = SIGEV_PULSE;
        e.0.sigev_signo = coid;
        e.0.pad[0] = priority;
        e.0.pad[1] = code as c_int;
        e.0.sigev_value.sival_int = value;
        e
    }

    /// `SIGEV_SIGNAL_VALUE_INIT`: signal `signo` to the process.
    pub fn signal(signo: i32, value: i32) -> Event {
        let mut e = Event::zeroed();
        e.0.sigev_notify = SIGEV_SIGNAL;
        e.0.sigev_signo = signo;
        e.0.sigev_value.sival_int = value;
        e
    }

    /// `SIGEV_SIGNAL_THREAD_INIT`: signal `signo` to the thread that
    /// sent the message.
    pub fn signal_thread(signo: i32, value: i32) -> Event {
        let mut e = Event::signal(signo, value);
        e.0.sigev_notify = SIGEV_SIGNAL_THREAD;
        e
    }

    /// `SIGEV_NONE_INIT`.
    pub fn none() -> Event {
        let mut e = Event::zeroed();
        e.0.sigev_notify = SIGEV_NONE;
        e
    }

    /// `SIGEV_UNBLOCK_INIT`.
    pub fn unblock() -> Event {
        let mut e = Event::zeroed();
        e.0.sigev_notify = SIGEV_UNBLOCK;
        e
    }

    /// The C structure's bytes, to put in a message.
    pub fn to_bytes(&self) -> [u8; SIGEVENT_SIZE] {
        unsafe { mem::transmute::<ffi::sigevent, [u8; SIGEVENT_SIZE]>(self.0) }
    }

    /// An event from the first [`SIGEVENT_SIZE`] bytes of `b` (None if
    /// there are fewer).
    pub fn from_bytes(b: &[u8]) -> Option<Event> {
        if b.len() < SIGEVENT_SIZE {
            return None;
        }
        Some(Event(unsafe { ptr::read_unaligned(b.as_ptr() as *const ffi::sigevent) }))
    }

    /// `SIGEV_GET_TYPE()`: `SIGEV_PULSE`, `SIGEV_SIGNAL`...
    pub fn notify(&self) -> i32 {
        self.0.sigev_notify & 0xff
    }

    /// `sigev_coid` (`sigev_signo` for a signal).
    pub fn coid(&self) -> i32 {
        self.0.sigev_signo
    }

    /// `sigev_priority`.
    pub fn priority(&self) -> i32 {
        self.0.pad[0]
    }

    /// `sigev_code`.
    pub fn code(&self) -> i32 {
        self.0.pad[1]
    }

    /// `sigev_value.sival_int`.
    pub fn value(&self) -> i32 {
        unsafe { self.0.sigev_value.sival_int }
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Event {{ notify: {:#x}, signo/coid: {}, priority: {}, code: {}, value: {} }}",
            self.notify(),
            self.coid(),
            self.priority(),
            self.code(),
            self.value()
        )
    }
}

// ---- Names ------------------------------------------------------------------

fn name_cstring(name: &str, call: &'static str) -> Result<CString> {
    CString::new(name).map_err(|_| Error::new(errno::EINVAL, call))
}

/// `name_open(3)`: a connection to the server of `name` (a local name,
/// or with `global` a global one, on any node), name_close()d on drop.
/// ENOENT: no such name.
pub fn name_open(name: &str, global: bool) -> Result<Connection> {
    name_open_impl(name, global, None)
}

/// [`name_open`], bounded by `timeout`: it sends the server a connect
/// message and waits for the answer (ETIMEDOUT).
pub fn name_open_timeout(name: &str, global: bool, timeout: Duration) -> Result<Connection> {
    name_open_impl(name, global, Some(timeout))
}

fn name_open_impl(name: &str, global: bool, timeout: Option<Duration>) -> Result<Connection> {
    let c = name_cstring(name, "name_open")?;
    let flags = if global { NAME_FLAG_ATTACH_GLOBAL as c_int } else { 0 };
    arm(timeout, MSG_STATES)?;
    let coid = unsafe { ffi::name_open(c.as_ptr(), flags) };
    if coid == -1 {
        return Err(Error::last("name_open"));
    }
    Ok(Connection { coid, kind: Kind::Named })
}

/// name_open()'s `_IO_CONNECT` (subtype `_IO_CONNECT_OPEN`, file type
/// `_FTYPE_NAME`): the first 8 bytes of `struct _io_connect`, in the
/// host's byte order.
fn is_name_connect(d: &[u8]) -> bool {
    d.len() >= 8
        && u16::from_ne_bytes([d[0], d[1]]) == _IO_CONNECT
        && u16::from_ne_bytes([d[2], d[3]]) == _IO_CONNECT_OPEN
        && u32::from_ne_bytes([d[4], d[5], d[6], d[7]]) == _FTYPE_NAME
}

/// A name (`name_attach(3)`) with a channel of its own, detached on drop
/// (`name_detach(3)`, which destroys the channel).
///
/// Its receives answer what QNX servers of a name must answer
/// themselves: a name_open()'s `_IO_CONNECT` message is replied `EOK` and
/// the receive waits on (the caller never sees it); a
/// `_PULSE_CODE_DISCONNECT` pulse (the channel has `_NTO_CHF_DISCONNECT`)
/// has its server connection detached before it is returned (do not
/// detach it again).  [`receive_raw`](NameAttach::receive_raw) gives both
/// untouched, as `MsgReceive(3)` does.
pub struct NameAttach {
    p: *mut ffi::name_attach_t,
    chid: i32,
    name: String,
    global: bool,
}

// name_attach_t is only read (its chid) here, and name_detach() happens
// once, in drop or detach(); libaxon's calls are thread-safe (axon(7)).
unsafe impl Send for NameAttach {}
unsafe impl Sync for NameAttach {}

impl NameAttach {
    /// `name_attach(NULL, name, flags)`: a local name, or with `global`
    /// (`NAME_FLAG_ATTACH_GLOBAL`) one all nodes see.  EEXIST: the name is
    /// held; EINVAL: a bad name.
    pub fn new(name: &str, global: bool) -> Result<NameAttach> {
        let c = name_cstring(name, "name_attach")?;
        let flags = if global { NAME_FLAG_ATTACH_GLOBAL } else { 0 };
        let p = unsafe { ffi::name_attach(ptr::null_mut(), c.as_ptr(), flags) };
        if p.is_null() {
            return Err(Error::last("name_attach"));
        }
        let chid = unsafe { (*p).chid };
        Ok(NameAttach { p, chid, name: name.to_string(), global })
    }

    /// The name's channel id.
    pub fn chid(&self) -> i32 {
        self.chid
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether it is global.
    pub fn is_global(&self) -> bool {
        self.global
    }

    /// `MsgReceive(3)` on the name's channel (see the type for what it
    /// answers itself).
    pub fn receive(&self, bufsize: usize) -> Result<Received> {
        receive_vec(self.chid, bufsize, None, true)
    }

    /// [`receive`](NameAttach::receive) with a timeout (for the whole
    /// call, connect messages answered included).
    pub fn receive_timeout(&self, bufsize: usize, timeout: Duration) -> Result<Received> {
        receive_vec(self.chid, bufsize, Some(timeout), true)
    }

    /// [`receive`](NameAttach::receive) into the caller's buffer.
    pub fn receive_into<'b>(&self, buf: &'b mut [u8]) -> Result<Received<&'b [u8]>> {
        receive_buf(self.chid, buf, None, true)
    }

    /// [`receive_into`](NameAttach::receive_into) with a timeout.
    pub fn receive_into_timeout<'b>(
        &self,
        buf: &'b mut [u8],
        timeout: Duration,
    ) -> Result<Received<&'b [u8]>> {
        receive_buf(self.chid, buf, Some(timeout), true)
    }

    /// `MsgReceive(3)` on the name's channel with nothing answered: the
    /// caller replies to connect messages and detaches the scoids of
    /// disconnect pulses ([`detach_scoid`]).
    pub fn receive_raw(&self, bufsize: usize, timeout: Option<Duration>) -> Result<Received> {
        receive_vec(self.chid, bufsize, timeout, false)
    }

    /// `MsgReceivePulse(3)` on the name's channel (no disconnect pulse
    /// handling).
    pub fn receive_pulse(&self, timeout: Option<Duration>) -> Result<Pulse> {
        receive_pulse(self.chid, timeout)
    }

    /// `name_detach(3)` now, with its error.
    pub fn detach(mut self) -> Result<()> {
        let p = mem::replace(&mut self.p, ptr::null_mut());
        if unsafe { ffi::name_detach(p, 0) } == -1 {
            return Err(Error::last("name_detach"));
        }
        Ok(())
    }
}

impl Drop for NameAttach {
    fn drop(&mut self) {
        if !self.p.is_null() {
            unsafe {
                ffi::name_detach(self.p, 0);
            }
        }
    }
}

impl fmt::Debug for NameAttach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "NameAttach {{ name: {:?}, global: {}, chid: {} }}",
            self.name, self.global, self.chid
        )
    }
}

/// [`NameAttach::new`].
pub fn name_attach(name: &str, global: bool) -> Result<NameAttach> {
    NameAttach::new(name, global)
}
