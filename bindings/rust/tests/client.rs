// SPDX-License-Identifier: MIT
//! A Rust client against the C server (bindings/python/tests/c/c_server.c),
//! locally.
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use axon::errno::*;
use axon::{Channel, Connection, Event, MsgInfo, ND_LOCAL_NODE};
use common::*;

fn server() -> (CServer, Connection) {
    setup();
    let s = c_server(&[], None);
    let c = Connection::attach(ND_LOCAL_NODE, s.pid, s.chid).expect("ConnectAttach");
    (s, c)
}

#[test]
fn send_and_reply() {
    let (_s, c) = server();
    let mut r = [0u8; 5];
    assert_eq!(c.send(&op(OP_ECHO, 0, 0, b"hello"), &mut r).unwrap(), 5);
    assert_eq!(&r, b"hello");
    // A longer reply buffer: what the server did not write stays.
    let mut r = [0xeeu8; 4];
    assert_eq!(c.send(&op(OP_ECHO, 0, 0, b"hi"), &mut r).unwrap(), 2);
    assert_eq!(&r, b"hi\xee\xee");
    // Shorter: truncated, as in C.
    let mut r = [0u8; 3];
    assert_eq!(c.send(&op(OP_ECHO, 0, 0, b"12345678"), &mut r).unwrap(), 8);
    assert_eq!(&r, b"123");
    // No reply buffer at all.
    assert_eq!(c.send(&op(OP_ECHO, 0, 0, b"abc"), &mut []).unwrap(), 3);
}

#[test]
fn info_is_the_senders() {
    let (_s, c) = server();
    let mut r = [0u8; 64];
    c.send(&op(OP_INFO, 0, 0, b""), &mut r).unwrap();
    let info = MsgInfo::from_bytes(&r).unwrap();
    assert_eq!(info.pid, std::process::id() as i32);
    assert_eq!(info.nd, ND_LOCAL_NODE);
    assert_eq!((info.msglen, info.srcmsglen, info.dstmsglen), (16, 16, 64));
    assert!(MsgInfo::from_bytes(&r[..47]).is_none());
}

#[test]
fn server_error_comes_back_with_its_errno() {
    let (_s, c) = server();
    let e = c.send(&op(OP_ERROR, EPERM as u32, 0, b""), &mut [0; 8]).unwrap_err();
    assert_eq!((e.errno(), e.call(), e.name()), (EPERM, "MsgSend", Some("EPERM")));
    assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied);
    let io: std::io::Error = e.into();
    assert_eq!(io.raw_os_error(), Some(EPERM));
    // QNX's own errno values, with QNX's names and messages.
    let e = c.send(&op(OP_ERROR, ESRVRFAULT as u32, 0, b""), &mut []).unwrap_err();
    assert_eq!((e.errno(), e.name()), (312, Some("ESRVRFAULT")));
    assert_eq!(e.message(), "Server fault");
    assert_eq!(e.to_string(), "MsgSend: Server fault (ESRVRFAULT)");
    let e = c.send(&op(OP_ERROR, ENOREMOTE as u32, 0, b""), &mut []).unwrap_err();
    assert_eq!(e.name(), Some("ENOREMOTE"));
    let e = c.send(&op(OP_ERROR, EHOSTDOWN as u32, 0, b""), &mut []).unwrap_err();
    assert_eq!(e.errno(), EHOSTDOWN);
    // One this crate has no name for: the number, and the C library's
    // message.
    let e = c.send(&op(OP_ERROR, 75, 0, b""), &mut []).unwrap_err();
    assert_eq!((e.errno(), e.name()), (75, None));
    assert!(e.to_string().ends_with("(errno 75)"), "{}", e);
    // The server's unknown op: ENOSYS.
    assert_eq!(c.send(&op(99, 0, 0, b""), &mut []).unwrap_err().errno(), ENOSYS);
    // Too short for the server's header: EINVAL.
    assert_eq!(c.send(b"x", &mut []).unwrap_err().errno(), EINVAL);
    // The connection still works.
    let mut r = [0u8; 2];
    c.send(&op(OP_ECHO, 0, 0, b"ok"), &mut r).unwrap();
    assert_eq!(&r, b"ok");
}

#[test]
fn msgread_at_offset() {
    // 200000 bytes: more than the server's 64 KiB receive buffer, so it
    // reads the rest with MsgRead.
    let (_s, c) = server();
    let mut msg = op(OP_READ, 150000, 1000, b"");
    msg.extend(pattern(200000));
    let mut r = vec![0u8; 1000];
    assert_eq!(c.send(&msg, &mut r).unwrap(), 1000);
    assert_eq!(&r[..], &msg[150000..151000]);
    // At the end: fewer bytes than asked.
    let n = msg.len() as u32;
    msg[4..8].copy_from_slice(&(n - 10).to_ne_bytes());
    assert_eq!(c.send(&msg, &mut r).unwrap(), 10);
}

#[test]
fn msgwrite_at_offset() {
    let (_s, c) = server();
    let mut r = [0u8; 16];
    assert_eq!(c.send(&op(OP_WRITE, 10, 0, b"XYZ"), &mut r).unwrap(), 3);
    assert_eq!(&r[..], b"\0\0\0\0\0\0\0\0\0\0XYZ\0\0\0");
    // Beyond the reply buffer: nothing written.
    assert_eq!(c.send(&op(OP_WRITE, 100, 0, b"XYZ"), &mut r).unwrap(), 0);
}

#[test]
fn pulses_reach_the_server() {
    let (_s, c) = server();
    c.send_pulse(5, 1234).unwrap();
    c.send_pulse_priority(127, -7, 20).unwrap();
    // Pulses travel through the server's monitor, messages do not: ask
    // until both are seen.
    wait_for(5.0, "the pulses", || {
        let mut r = [0u8; 64];
        c.send(&op(OP_PULSES, 0, 0, b""), &mut r).unwrap();
        let s = String::from_utf8_lossy(&r).trim_end_matches('\0').to_string();
        let mut w: Vec<&str> = s.split_whitespace().collect();
        w.sort_unstable();
        if w == ["127:-7", "5:1234"] {
            Some(())
        } else {
            None
        }
    });
    assert_eq!(c.send_pulse_priority(1, 1, 1000).unwrap_err().errno(), EINVAL);
}

#[test]
fn pulse_event_delivered_by_the_server() {
    let (_s, c) = server();
    let ch = Channel::new().unwrap();
    let me = ch.connect().unwrap();
    let ev = Event::pulse(&me, 9, 4242, axon::SIGEV_PULSE_PRIO_INHERIT);
    assert_eq!((ev.notify(), ev.coid(), ev.code(), ev.value()), (axon::SIGEV_PULSE, me.coid(), 9, 4242));
    assert_eq!(c.send(&op(OP_EVENT, 0, 0, &ev.to_bytes()), &mut []).unwrap(), 0);
    let p = ch.receive_pulse(Some(secs(5.0))).unwrap();
    assert_eq!((p.code, p.value), (9, 4242));
    // Too short to be an event: the server says EINVAL.
    let e = c.send(&op(OP_EVENT, 0, 0, &ev.to_bytes()[..10]), &mut []).unwrap_err();
    assert_eq!(e.errno(), EINVAL);
}

static SIGNALS: AtomicUsize = AtomicUsize::new(0);

extern "C" fn on_signal(_: i32) {
    SIGNALS.fetch_add(1, Ordering::SeqCst);
}

extern "C" {
    fn signal(sig: i32, handler: extern "C" fn(i32)) -> usize;
}

const SIGUSR1: i32 = 10;

#[test]
fn signal_event_delivered_by_the_server() {
    let (_s, c) = server();
    unsafe {
        signal(SIGUSR1, on_signal);
    }
    let before = SIGNALS.load(Ordering::SeqCst);
    let ev = Event::signal(SIGUSR1, 3);
    c.send(&op(OP_EVENT, 0, 0, &ev.to_bytes()), &mut []).unwrap();
    wait_for(5.0, "SIGUSR1", || if SIGNALS.load(Ordering::SeqCst) > before { Some(()) } else { None });
}

#[test]
fn send_timeout() {
    let (_s, c) = server();
    let t0 = Instant::now();
    let e = c.send_timeout(&op(OP_HOLD, 0, 0, b""), &mut [0; 8], Duration::from_millis(200)).unwrap_err();
    let dt = t0.elapsed();
    assert_eq!((e.errno(), e.name()), (ETIMEDOUT, Some("ETIMEDOUT")));
    assert!(e.is_timeout());
    assert!(dt >= Duration::from_millis(150) && dt < secs(3.0), "{:?}", dt);
    // Each timeout is for its own call: the next send is unbounded, and
    // a reply before the timeout is a success.
    let mut r = [0u8; 1];
    c.send_timeout(&op(OP_ECHO, 0, 0, b"x"), &mut r, secs(5.0)).unwrap();
    c.send(&op(OP_ECHO, 0, 0, b"y"), &mut r).unwrap();
    assert_eq!(&r, b"y");
    // An explicit TimerTimeout for a call that has no _timeout form.
    axon::timer_timeout(axon::_NTO_TIMEOUT_SEND | axon::_NTO_TIMEOUT_REPLY, Duration::from_millis(50)).unwrap();
    assert_eq!(c.send(&op(OP_HOLD, 0, 0, b""), &mut []).unwrap_err().errno(), ETIMEDOUT);
}

#[test]
fn server_that_dies_releases_the_client() {
    let (_s, c) = server();
    let e = c.send_timeout(&op(OP_DIE, 0, 0, b""), &mut [0; 8], secs(10.0)).unwrap_err();
    assert_eq!(e.errno(), ESRCH);
    // The connection is dead now: EBADF, as MsgSend(3) says.
    assert_eq!(c.send(&op(OP_ECHO, 0, 0, b""), &mut []).unwrap_err().errno(), EBADF);
    assert_eq!(c.send_pulse(1, 1).unwrap_err().errno(), EBADF);
}

#[test]
fn server_killed_while_the_client_waits() {
    let (mut s, c) = server();
    let pid = s.pid;
    let t0 = Instant::now();
    let killer = thread::spawn(move || {
        thread::sleep(Duration::from_millis(200));
        unsafe {
            kill(pid, 9);
        }
    });
    let e = c.send_timeout(&op(OP_HOLD, 0, 0, b""), &mut [0; 8], secs(10.0)).unwrap_err();
    killer.join().unwrap();
    assert_eq!(e.errno(), ESRCH);
    assert!(t0.elapsed() < secs(5.0));
    s.proc.wait(5.0);
}

#[test]
fn connect_failures() {
    let (s, _c) = server();
    // No such channel.
    let e = Connection::attach(ND_LOCAL_NODE, s.pid, s.chid + 100).unwrap_err();
    assert_eq!((e.errno(), e.call()), (ESRCH, "ConnectAttach"));
    // Another node, and no axond here: QNX's ENOREMOTE.
    let e = Connection::attach(4242, s.pid, s.chid).unwrap_err();
    assert_eq!((e.errno(), e.name()), (ENOREMOTE, Some("ENOREMOTE")));
    assert_eq!(e.to_string(), "ConnectAttach: Must be done on local machine (ENOREMOTE)");
    // close() reports its error (none here).
    let c = Connection::attach(ND_LOCAL_NODE, s.pid, s.chid).unwrap();
    c.close().unwrap();
    // A connection whose channel is destroyed is dead: EBADF.
    let ch = Channel::new().unwrap();
    let c = ch.connect().unwrap();
    c.send_pulse(1, 2).unwrap();
    ch.destroy().unwrap();
    // (The first send finds out, with ESRCH; MsgSend(3) says EBADF.)
    let e = c.send(b"x", &mut []).unwrap_err();
    assert!([ESRCH, EBADF].contains(&e.errno()), "{}", e);
    assert_eq!(c.send(b"x", &mut []).unwrap_err().errno(), EBADF);
    // A bad chid: no such channel.
    let e = Connection::attach(ND_LOCAL_NODE, std::process::id() as i32, -5)
        .and_then(|c| c.send(b"x", &mut []))
        .unwrap_err();
    assert_eq!((e.errno(), e.call()), (ESRCH, "ConnectAttach"));
}

#[test]
fn server_info() {
    let (s, c) = server();
    let si = c.server_info().unwrap();
    assert_eq!((si.pid, si.chid, si.nd), (s.pid, s.chid, ND_LOCAL_NODE));
}

#[test]
fn name_open_local() {
    setup();
    let s = c_server(&["-n", "rs/c-echo"], None);
    {
        let c = axon::name_open("rs/c-echo", false).unwrap();
        let mut r = [0u8; 7];
        assert_eq!(c.send(&op(OP_ECHO, 0, 0, b"by name"), &mut r).unwrap(), 7);
        assert_eq!(&r, b"by name");
        assert_eq!(c.server_info().unwrap().pid, s.pid);
        c.close().unwrap();
    }
    let e = axon::name_open("rs/no-such-name", false).unwrap_err();
    assert_eq!((e.errno(), e.call()), (ENOENT, "name_open"));
    // Local and global names are separate name spaces.
    assert_eq!(axon::name_open("rs/c-echo", true).unwrap_err().errno(), ENOENT);
    assert_eq!(axon::name_open("../bad", false).unwrap_err().errno(), EINVAL);
    assert_eq!(axon::name_open("nul\0inside", false).unwrap_err().errno(), EINVAL);
    // A name_open with a timeout that the server answers.
    let c = axon::name_open_timeout("rs/c-echo", false, secs(5.0)).unwrap();
    drop(c);
}

#[test]
fn many_threads_share_one_connection() {
    let (_s, c) = server();
    let c = &c;
    thread::scope(|sc| {
        for t in 0..4u8 {
            sc.spawn(move || {
                for i in 0..50u8 {
                    let msg = [t, i, 7];
                    let mut r = [0u8; 3];
                    assert_eq!(c.send(&op(OP_ECHO, 0, 0, &msg), &mut r).unwrap(), 3);
                    assert_eq!(r, msg);
                }
            });
        }
    });
}
