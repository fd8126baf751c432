// SPDX-License-Identifier: MIT
//! Errors: QNX's errno, with the call that failed.

use std::fmt;
use std::io;

/// The errno values Axon's calls give (Linux's numbers, as libaxon uses
/// them), and QNX's own (300 and up), under their C names.
#[allow(missing_docs)]
pub mod errno {
    pub const EOK: i32 = 0;
    pub const EPERM: i32 = 1;
    pub const ENOENT: i32 = 2;
    pub const ESRCH: i32 = 3;
    pub const EINTR: i32 = 4;
    pub const EIO: i32 = 5;
    pub const E2BIG: i32 = 7;
    pub const EBADF: i32 = 9;
    pub const EAGAIN: i32 = 11;
    pub const ENOMEM: i32 = 12;
    pub const EACCES: i32 = 13;
    pub const EFAULT: i32 = 14;
    pub const EBUSY: i32 = 16;
    pub const EEXIST: i32 = 17;
    pub const ENODEV: i32 = 19;
    pub const EINVAL: i32 = 22;
    pub const ENFILE: i32 = 23;
    pub const EMFILE: i32 = 24;
    pub const ENOSPC: i32 = 28;
    pub const EPIPE: i32 = 32;
    pub const ENAMETOOLONG: i32 = 36;
    pub const ENOSYS: i32 = 38;
    pub const ENOTSUP: i32 = 95;
    pub const ECONNREFUSED: i32 = 111;
    pub const ECONNRESET: i32 = 104;
    pub const ENOTCONN: i32 = 107;
    pub const ETIMEDOUT: i32 = 110;
    pub const EHOSTDOWN: i32 = 112;
    pub const EHOSTUNREACH: i32 = 113;
    pub const ERESTART: i32 = 85;
    /// QNX: must be done on the local machine.
    pub const ENOREMOTE: i32 = 300;
    /// QNX: need an NDP (8087...) to run.
    pub const ENONDP: i32 = 301;
    /// QNX: corrupted file system detected.
    pub const EBADFSYS: i32 = 302;
    /// QNX: more to do, send message again.
    pub const EMORE: i32 = 309;
    /// QNX: remap to the controlling terminal.
    pub const ECTRLTERM: i32 = 310;
    /// QNX: no license.
    pub const ENOLIC: i32 = 311;
    /// QNX: server fault.
    pub const ESRVRFAULT: i32 = 312;
    /// QNX: endian not supported.
    pub const EENDIAN: i32 = 313;
}

use errno::*;

const NAMES: &[(i32, &str)] = &[
    (EOK, "EOK"),
    (EPERM, "EPERM"),
    (ENOENT, "ENOENT"),
    (ESRCH, "ESRCH"),
    (EINTR, "EINTR"),
    (EIO, "EIO"),
    (E2BIG, "E2BIG"),
    (EBADF, "EBADF"),
    (EAGAIN, "EAGAIN"),
    (ENOMEM, "ENOMEM"),
    (EACCES, "EACCES"),
    (EFAULT, "EFAULT"),
    (EBUSY, "EBUSY"),
    (EEXIST, "EEXIST"),
    (ENODEV, "ENODEV"),
    (EINVAL, "EINVAL"),
    (ENFILE, "ENFILE"),
    (EMFILE, "EMFILE"),
    (ENOSPC, "ENOSPC"),
    (EPIPE, "EPIPE"),
    (ENAMETOOLONG, "ENAMETOOLONG"),
    (ENOSYS, "ENOSYS"),
    (ENOTSUP, "ENOTSUP"),
    (ECONNREFUSED, "ECONNREFUSED"),
    (ECONNRESET, "ECONNRESET"),
    (ENOTCONN, "ENOTCONN"),
    (ETIMEDOUT, "ETIMEDOUT"),
    (EHOSTDOWN, "EHOSTDOWN"),
    (EHOSTUNREACH, "EHOSTUNREACH"),
    (ERESTART, "ERESTART"),
    (ENOREMOTE, "ENOREMOTE"),
    (ENONDP, "ENONDP"),
    (EBADFSYS, "EBADFSYS"),
    (EMORE, "EMORE"),
    (ECTRLTERM, "ECTRLTERM"),
    (ENOLIC, "ENOLIC"),
    (ESRVRFAULT, "ESRVRFAULT"),
    (EENDIAN, "EENDIAN"),
];

/// QNX's messages for its own numbers (Linux's strerror() does not know
/// them).
const QNX_MESSAGES: &[(i32, &str)] = &[
    (ENOREMOTE, "Must be done on local machine"),
    (ENONDP, "Need an NDP (8087...) to run"),
    (EBADFSYS, "Corrupted file system detected"),
    (EMORE, "More to do, send message again"),
    (ECTRLTERM, "Remap to the controlling terminal"),
    (ENOLIC, "No license"),
    (ESRVRFAULT, "Server fault"),
    (EENDIAN, "Endian not supported"),
];

fn lookup(table: &[(i32, &'static str)], e: i32) -> Option<&'static str> {
    table.iter().find(|(n, _)| *n == e).map(|(_, s)| *s)
}

/// A failed call: its errno (QNX's: a server's MsgError() value arrives
/// unchanged) and the call's name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Error {
    errno: i32,
    call: &'static str,
}

/// What every fallible call of this crate returns.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error of errno `errno` (positive) from `call`.
    pub fn new(errno: i32, call: &'static str) -> Error {
        Error { errno, call }
    }

    /// From an `_r` call's negative return value.
    pub(crate) fn from_neg(r: i64, call: &'static str) -> Error {
        Error::new((-r) as i32, call)
    }

    /// From errno, after a call that sets it.
    pub(crate) fn last(call: &'static str) -> Error {
        let e = io::Error::last_os_error().raw_os_error().unwrap_or(EIO);
        Error::new(e, call)
    }

    /// The errno.
    pub fn errno(&self) -> i32 {
        self.errno
    }

    /// The call that failed ("MsgSend", "name_open"...).
    pub fn call(&self) -> &'static str {
        self.call
    }

    /// The errno's C name ("ESRCH", "ESRVRFAULT"), if this crate knows it.
    pub fn name(&self) -> Option<&'static str> {
        lookup(NAMES, self.errno)
    }

    /// The errno's message: QNX's for QNX's own numbers, else the C
    /// library's.
    pub fn message(&self) -> String {
        match lookup(QNX_MESSAGES, self.errno) {
            Some(m) => m.to_string(),
            None => {
                // io::Error's Display is "MESSAGE (os error N)".
                let s = io::Error::from_raw_os_error(self.errno).to_string();
                match s.rfind(" (os error") {
                    Some(i) => s[..i].to_string(),
                    None => s,
                }
            }
        }
    }

    /// The std::io::ErrorKind of the errno (`Other` or `Uncategorized`
    /// for QNX's own numbers).
    pub fn kind(&self) -> io::ErrorKind {
        io::Error::from_raw_os_error(self.errno).kind()
    }

    /// ETIMEDOUT: a timeout expired.
    pub fn is_timeout(&self) -> bool {
        self.errno == ETIMEDOUT
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error {{ call: {:?}, errno: {}", self.call, self.errno)?;
        if let Some(n) = self.name() {
            write!(f, " ({})", n)?;
        }
        write!(f, " }}")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.call, self.message())?;
        match self.name() {
            Some(n) => write!(f, " ({})", n),
            None => write!(f, " (errno {})", self.errno),
        }
    }
}

impl std::error::Error for Error {}

/// An io::Error with the same raw OS error (QNX's own numbers included:
/// `raw_os_error()` gives them back; their kind is not meaningful).
impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        io::Error::from_raw_os_error(e.errno)
    }
}
