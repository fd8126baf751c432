// SPDX-License-Identifier: MIT
//! Across two nodes: alpha (this program's node) and beta, each with its
//! axond, on loopback with a shared secret.
mod common;

use std::thread;
use std::time::Duration;

use axon::errno::*;
use axon::netmgr::{self, ND2S_DIR_SHOW};
use axon::{Connection, MsgInfo, NameAttach, Received, ND_LOCAL_NODE};
use common::*;

#[test]
fn node_descriptors() {
    let n = Nodes::start();
    let nd = netmgr::strtond("beta").unwrap();
    assert_eq!(Some(nd), n.up("alpha", "beta"));
    assert_ne!(nd, ND_LOCAL_NODE);
    assert_eq!(netmgr::ndtostr(nd, 0).unwrap(), "beta");
    assert_eq!(netmgr::ndtostr(ND_LOCAL_NODE, 0).unwrap(), "alpha");
    assert_eq!(netmgr::strtond("alpha").unwrap(), ND_LOCAL_NODE);
    assert_eq!(netmgr::strtond_rest("/net/beta/dev/x").unwrap(), (nd, "/dev/x".to_string()));
    assert_eq!(netmgr::ndtostr(nd, ND2S_DIR_SHOW).unwrap(), "/net/beta/");
    // beta's nd for alpha, as alpha knows it.
    // (ENOTCONN until beta has told alpha its nd for it.)
    let rnd = wait_for(10.0, "beta's nd for alpha", || match netmgr::remote_nd(nd, ND_LOCAL_NODE) {
        Ok(r) => Some(r),
        Err(e) if e.errno() == ENOTCONN => None,
        Err(e) => panic!("{}", e),
    });
    assert_eq!(Some(rnd), n.up("beta", "alpha"));
    assert_eq!(netmgr::remote_nd(4242, ND_LOCAL_NODE).unwrap_err().call(), "netmgr_remote_nd");
    assert_eq!(netmgr::node_cmp(nd | 0x10000, nd), 0);
    assert_ne!(netmgr::node_cmp(nd, ND_LOCAL_NODE), 0);
    let e = netmgr::strtond("gamma").unwrap_err();
    assert_eq!((e.errno(), e.call()), (ENOENT, "netmgr_strtond"));
    assert_eq!(netmgr::strtond("be\0ta").unwrap_err().errno(), EINVAL);
    assert!(netmgr::ndtostr(999, 0).is_err());
}

#[test]
fn rust_client_to_c_server_on_beta_by_nd_pid_chid() {
    let n = Nodes::start();
    let s = c_server(&[], Some(n.rundir("beta")));
    let nd = netmgr::strtond("beta").unwrap();
    let c = Connection::attach(nd, s.pid, s.chid).unwrap();
    let mut r = [0u8; 12];
    assert_eq!(c.send_timeout(&op(OP_ECHO, 0, 0, b"over the net"), &mut r, secs(10.0)).unwrap(), 12);
    assert_eq!(&r, b"over the net");
    // The server on beta sees a client on alpha (beta's nd for it).
    let mut r = [0u8; 64];
    c.send_timeout(&op(OP_INFO, 0, 0, b""), &mut r, secs(10.0)).unwrap();
    let info = MsgInfo::from_bytes(&r).unwrap();
    assert_eq!(Some(info.nd), n.up("beta", "alpha"));
    assert_eq!(info.pid, std::process::id() as i32);
    let e = c.send_timeout(&op(OP_ERROR, EPERM as u32, 0, b""), &mut [], secs(10.0)).unwrap_err();
    assert_eq!(e.errno(), EPERM);
    let e = c.send_timeout(&op(OP_HOLD, 0, 0, b""), &mut [], Duration::from_millis(300)).unwrap_err();
    assert_eq!(e.errno(), ETIMEDOUT);
    // A large message, and MsgRead beyond the server's buffer.
    let mut big = op(OP_ECHO, 0, 0, b"");
    big.extend(pattern(60000));
    let mut r = vec![0u8; 60000];
    assert_eq!(c.send_timeout(&big, &mut r, secs(10.0)).unwrap(), 60000);
    assert_eq!(&r[..], &big[16..]);
    let mut msg = op(OP_READ, 150000, 1000, b"");
    msg.extend(pattern(200000));
    let mut r = vec![0u8; 1000];
    assert_eq!(c.send_timeout(&msg, &mut r, secs(10.0)).unwrap(), 1000);
    assert_eq!(&r[..], &msg[150000..151000]);
    assert_eq!(c.server_info().unwrap().nd, nd);
}

#[test]
fn rust_client_to_c_server_by_global_name() {
    let _n = Nodes::start();
    let _s = c_server(&["-n", "rs/net-echo", "-g"], Some(_n.rundir("beta")));
    let c = wait_for(10.0, "beta's global name on alpha", || {
        axon::name_open_timeout("rs/net-echo", true, secs(10.0)).ok()
    });
    let mut r = [0u8; 6];
    assert_eq!(c.send_timeout(&op(OP_ECHO, 0, 0, b"global"), &mut r, secs(10.0)).unwrap(), 6);
    assert_eq!(&r, b"global");
    assert_eq!(c.server_info().unwrap().nd, netmgr::strtond("beta").unwrap());
    c.close().unwrap();
    // Only global: no local name of that name on alpha.
    assert_eq!(axon::name_open("rs/net-echo", false).unwrap_err().errno(), ENOENT);
}

#[test]
fn c_client_on_beta_to_rust_server_on_alpha() {
    let n = Nodes::start();
    let att = NameAttach::new("rs/alpha-srv", true).unwrap();
    let nd_beta = n.up("alpha", "beta").unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    thread::scope(|sc| {
        let stop = &stop;
        let att = &att;
        let srv = sc.spawn(move || {
            let mut nds = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                match att.receive_timeout(256, Duration::from_millis(200)) {
                    Ok(Received::Message(m)) => {
                        nds.push(m.info.nd);
                        let mut r = b"alpha:".to_vec();
                        r.extend_from_slice(&m.data);
                        let nd = m.info.nd as i64;
                        m.reply(nd, &r).unwrap();
                    }
                    Ok(Received::Pulse(_)) => {}
                    Err(e) => assert!(e.is_timeout(), "{}", e),
                }
            }
            nds
        });
        // Until beta's axond has the name.
        let out = wait_for(10.0, "alpha's name on beta", || {
            let out = c_client(&["-n", "rs/alpha-srv", "-g", "send:hi:8"], Some(n.rundir("beta")), 10.0);
            if out.first().map_or(false, |l| l.starts_with("status")) {
                Some(out)
            } else {
                None
            }
        });
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(out, [format!("status={} reply={}", nd_beta, hex(b"alpha:hi"))]);
        assert_eq!(srv.join().unwrap(), [nd_beta]);
    });
}

#[test]
fn remote_server_dies() {
    let n = Nodes::start();
    let mut s = c_server(&[], Some(n.rundir("beta")));
    let nd = netmgr::strtond("beta").unwrap();
    let c = Connection::attach(nd, s.pid, s.chid).unwrap();
    let mut r = [0u8; 1];
    c.send_timeout(&op(OP_ECHO, 0, 0, b"x"), &mut r, secs(10.0)).unwrap();
    thread::scope(|sc| {
        sc.spawn(|| {
            thread::sleep(Duration::from_millis(200));
            s.proc.kill();
        });
        let e = c.send_timeout(&op(OP_HOLD, 0, 0, b""), &mut [], secs(10.0)).unwrap_err();
        assert_eq!(e.errno(), ESRCH);
    });
}

#[test]
fn remote_node_goes_away() {
    // beta's axond stops: a client blocked on a server there is released
    // (EHOSTUNREACH or EHOSTDOWN, Axon's network errnos), not left
    // waiting.
    let n = Nodes::start();
    let s = c_server(&[], Some(n.rundir("beta")));
    let nd = netmgr::strtond("beta").unwrap();
    let c = Connection::attach(nd, s.pid, s.chid).unwrap();
    let mut r = [0u8; 1];
    c.send_timeout(&op(OP_ECHO, 0, 0, b"x"), &mut r, secs(10.0)).unwrap();
    thread::scope(|sc| {
        let beta = n.beta_axond_pid();
        sc.spawn(move || {
            thread::sleep(Duration::from_millis(200));
            unsafe {
                kill(beta, 9);
            }
        });
        let e = c.send_timeout(&op(OP_HOLD, 0, 0, b""), &mut [], secs(20.0)).unwrap_err();
        assert!([EHOSTUNREACH, EHOSTDOWN].contains(&e.errno()), "{}", e);
    });
}
