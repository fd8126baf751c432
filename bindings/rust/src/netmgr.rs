// SPDX-License-Identifier: MIT
//! Node descriptors (<sys/netmgr.h>, netmgr_strtond(3)).
//!
//! Node descriptors are small node-relative integers read from this
//! node's network manager's table ($AXON_RUNDIR/nodes);
//! [`ND_LOCAL_NODE`](crate::ND_LOCAL_NODE) (0) is always this node.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::ptr;

use crate::error::{errno, Error, Result};
use crate::ffi;

/// The bits of a node descriptor that name the node (ND_NODE_MASK);
/// those above are quality of service.
pub const ND_NODE_BITS: u32 = 16;
#[allow(missing_docs)]
pub const ND_NODE_MASK: u32 = 0xffff;

/// netmgr_ndtostr(3)'s flags.
#[allow(missing_docs)]
pub const ND2S_DIR_SHOW: u32 = 0x0001;
#[allow(missing_docs)]
pub const ND2S_DIR_HIDE: u32 = 0x0002;
#[allow(missing_docs)]
pub const ND2S_QOS_SHOW: u32 = 0x0004;
#[allow(missing_docs)]
pub const ND2S_QOS_HIDE: u32 = 0x0008;
#[allow(missing_docs)]
pub const ND2S_NAME_SHOW: u32 = 0x0010;
#[allow(missing_docs)]
pub const ND2S_NAME_HIDE: u32 = 0x0020;
#[allow(missing_docs)]
pub const ND2S_DOMAIN_SHOW: u32 = 0x0040;
#[allow(missing_docs)]
pub const ND2S_DOMAIN_HIDE: u32 = 0x0080;
#[allow(missing_docs)]
pub const ND2S_LOCAL_STR: u32 = 0x1000;
#[allow(missing_docs)]
pub const ND2S_SEP_FORCE: u32 = 0x2000;

fn cstring(s: &str, call: &'static str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::new(errno::EINVAL, call))
}

/// netmgr_strtond(3): the node descriptor of node `name` ("beta",
/// "/net/beta/dev/ser1", "beta~loadbalance").
pub fn strtond(name: &str) -> Result<u32> {
    strtond_rest(name).map(|(nd, _)| nd)
}

/// netmgr_strtond(3): the node descriptor of the node `name` starts
/// with, and what follows the node's name ("/dev/ser1" for
/// "/net/beta/dev/ser1").
pub fn strtond_rest(name: &str) -> Result<(u32, String)> {
    let c = cstring(name, "netmgr_strtond")?;
    let mut end: *mut c_char = ptr::null_mut();
    let nd = unsafe { ffi::netmgr_strtond(c.as_ptr(), &mut end) };
    if nd == -1 {
        return Err(Error::last("netmgr_strtond"));
    }
    let base = c.as_ptr() as usize;
    let off = if end.is_null() { 0 } else { (end as usize).wrapping_sub(base) };
    let bytes = c.as_bytes();
    let rest = if off <= bytes.len() { &bytes[off..] } else { &[][..] };
    Ok((nd as u32, String::from_utf8_lossy(rest).into_owned()))
}

/// netmgr_ndtostr(3): the name of node `nd` as this node calls it,
/// shaped by the `ND2S_*` flags.
pub fn ndtostr(nd: u32, flags: u32) -> Result<String> {
    let mut size = 256usize;
    loop {
        let mut buf = vec![0u8; size];
        let n = unsafe {
            ffi::netmgr_ndtostr(flags, nd as i32, buf.as_mut_ptr() as *mut c_char, size)
        };
        if n == -1 {
            return Err(Error::last("netmgr_ndtostr"));
        }
        if (n as usize) < size {
            let s = CStr::from_bytes_with_nul(&buf[..=n as usize])
                .map(|c| c.to_string_lossy().into_owned())
                .unwrap_or_else(|_| String::from_utf8_lossy(&buf[..n as usize]).into_owned());
            return Ok(s);
        }
        size = n as usize + 1;
    }
}

/// netmgr_remote_nd(3): the node descriptor that node `remote_nd` uses
/// for node `local_nd` (both as this node numbers them).
pub fn remote_nd(remote_nd: u32, local_nd: u32) -> Result<u32> {
    let nd = unsafe { ffi::netmgr_remote_nd(remote_nd as i32, local_nd as i32) };
    if nd == -1 {
        return Err(Error::last("netmgr_remote_nd"));
    }
    Ok(nd as u32)
}

/// ND_NODE_CMP(): 0 if `a` and `b` name the same node (the bits above
/// `ND_NODE_MASK` are quality of service).
pub fn node_cmp(a: u32, b: u32) -> i32 {
    (a & ND_NODE_MASK) as i32 - (b & ND_NODE_MASK) as i32
}
