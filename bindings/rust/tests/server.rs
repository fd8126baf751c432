// SPDX-License-Identifier: MIT
//! Rust servers (threads of this process) answering the C client
//! (bindings/python/tests/c/c_client.c), and Rust to Rust in one
//! process: receives, replies, errors, MsgRead/MsgWrite, pulses, events,
//! timeouts, names, and what Rcvid's drop does.
mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use axon::errno::*;
use axon::{Channel, Connection, Event, Message, NameAttach, Pulse, Received, ND_LOCAL_NODE};
use common::*;

fn addr(ch: &Channel) -> Vec<String> {
    vec!["-p".into(), std::process::id().to_string(), "-c".into(), ch.chid().to_string()]
}

fn run_client(ch: &Channel, cmds: &[&str]) -> Vec<String> {
    let mut args = addr(ch);
    args.extend(cmds.iter().map(|s| s.to_string()));
    let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    c_client(&a, None, 10.0)
}

#[test]
fn c_client_rust_server_reply() {
    setup();
    let ch = Channel::new().unwrap();
    thread::scope(|sc| {
        let srv = sc.spawn(|| {
            let mut dst = Vec::new();
            loop {
                let m = ch.receive_timeout(4096, secs(10.0)).unwrap().message().expect("a message");
                assert_ne!(m.info.pid, std::process::id() as i32);
                assert_eq!(m.info.msglen as usize, m.data.len());
                dst.push(m.info.dstmsglen);
                let last = m.data == b"last";
                let up = m.data.to_ascii_uppercase();
                let n = m.data.len() as i64;
                m.reply(n, &up).unwrap();
                if last {
                    return dst;
                }
            }
        });
        let out = run_client(&ch, &["send:hello:8", "send:last:4"]);
        assert_eq!(out, ["status=5 reply=48454c4c4f000000", "status=4 reply=4c415354"]);
        assert_eq!(srv.join().unwrap(), [8, 4]);
    });
}

#[test]
fn rust_server_error_reaches_c_client() {
    setup();
    let ch = Channel::new().unwrap();
    thread::scope(|sc| {
        sc.spawn(|| {
            for _ in 0..2 {
                let m = ch.receive_timeout(64, secs(10.0)).unwrap().message().unwrap();
                let e = if m.data == b"perm" { EPERM } else { ESRVRFAULT };
                m.error(e).unwrap();
            }
        });
        let out = run_client(&ch, &["send:perm:4", "send:last:4"]);
        assert_eq!(out, ["errno=1", "errno=312"]);
    });
}

#[test]
fn rust_server_reads_and_writes_at_offsets() {
    // The server receives 64 bytes of a 100000-byte message and reads
    // the rest where it wants; it writes into the client's reply buffer
    // at offsets, then replies with no data.
    setup();
    let ch = Channel::new().unwrap();
    let pat = pattern(100000);
    thread::scope(|sc| {
        sc.spawn(|| {
            let m = ch.receive_timeout(64, secs(10.0)).unwrap().message().unwrap();
            assert_eq!((m.data.len(), m.info.msglen, m.info.srcmsglen), (64, 64, 100000));
            assert_eq!(&m.data[..], &pat[..64]);
            assert_eq!(m.rcvid.read_vec(100, 50000).unwrap(), &pat[50000..50100]);
            assert_eq!(m.rcvid.read_vec(100, 99990).unwrap(), &pat[99990..]);
            assert_eq!(m.rcvid.read_vec(100, 200000).unwrap(), b"");
            let mut buf = [0u8; 20];
            assert_eq!(m.rcvid.read(&mut buf, 1000).unwrap(), 20);
            assert_eq!(&buf[..], &pat[1000..1020]);
            assert_eq!(m.rcvid.write(b"XYZ", 10).unwrap(), 3);
            assert_eq!(m.rcvid.write(&b"abcdef"[2..4], 0).unwrap(), 2);
            assert_eq!(m.rcvid.write(b"beyond", 100).unwrap(), 0);
            let info = m.rcvid.info().unwrap();
            assert_eq!((info.pid, info.srcmsglen), (m.info.pid, 100000));
            m.reply(7, &[]).unwrap();
        });
        let out = run_client(&ch, &["big:100000:16"]);
        assert_eq!(out, [format!("status=7 reply=6364{}58595a000000", "00".repeat(8))]);
    });
}

#[test]
fn receive_into_a_callers_buffer() {
    setup();
    let ch = Channel::new().unwrap();
    let mut buf = [0u8; 32];
    let base = buf.as_ptr() as usize;
    thread::scope(|sc| {
        let buf = &mut buf;
        let ch = &ch;
        sc.spawn(move || {
            match ch.receive_into_timeout(buf, secs(10.0)).unwrap() {
                Received::Message(m) => {
                    // The data is the caller's buffer: no copy.
                    assert_eq!(m.data.as_ptr() as usize, base);
                    assert_eq!(m.data, b"zero-copy");
                    let d = m.data.to_vec();
                    m.reply(0, &d).unwrap();
                }
                Received::Pulse(p) => panic!("pulse {:?}", p),
            }
        });
        let out = run_client(ch, &["send:zero-copy:9"]);
        assert_eq!(out, [format!("status=0 reply={}", hex(b"zero-copy"))]);
    });
    assert_eq!(&buf[..9], b"zero-copy");
    // No room for a pulse: EINVAL, before any wait.
    let e = ch.receive_into(&mut [0u8; 8]).unwrap_err();
    assert_eq!((e.errno(), e.call()), (EINVAL, "MsgReceive"));
}

#[test]
fn truncated_receive_then_msgread() {
    // A receive of fewer bytes than sent: data holds what fitted, info
    // says how much was sent.
    setup();
    let ch = Channel::new().unwrap();
    let c = ch.connect().unwrap();
    thread::scope(|sc| {
        sc.spawn(|| {
            let m = ch.receive_timeout(3, secs(10.0)).unwrap().message().unwrap();
            assert_eq!((&m.data[..], m.info.srcmsglen), (&b"abc"[..], 10));
            let rest = m.rcvid.read_vec(7, 3).unwrap();
            m.reply(rest.len() as i64, &rest).unwrap();
        });
        let mut r = [0u8; 7];
        assert_eq!(c.send_timeout(b"abcdefghij", &mut r, secs(10.0)).unwrap(), 7);
        assert_eq!(&r, b"defghij");
    });
}

#[test]
fn pulses_from_a_c_client() {
    setup();
    let ch = Channel::new().unwrap();
    thread::scope(|sc| {
        let srv = sc.spawn(|| {
            let mut got: Vec<Pulse> = Vec::new();
            while got.len() < 2 {
                match ch.receive_timeout(64, secs(10.0)).unwrap() {
                    Received::Pulse(p) => got.push(p),
                    Received::Message(m) => m.reply(0, &[]).unwrap(),
                }
            }
            got
        });
        let out = run_client(&ch, &["pulse:1:100", "pulse:3:-5"]);
        assert_eq!(out, ["ok", "ok"]);
        let got = srv.join().unwrap();
        let mut cv: Vec<(i8, i32)> = got.iter().map(|p| (p.code, p.value)).collect();
        cv.sort_unstable();
        assert_eq!(cv, [(1, 100), (3, -5)]);
        assert_eq!(got[0].scoid, got[1].scoid);
        assert_eq!((got[0].type_, got[0].subtype), (0, 0));
    });
}

#[test]
fn receive_pulse_and_timeouts() {
    setup();
    let ch = Channel::new().unwrap();
    let c = ch.connect().unwrap();
    c.send_pulse(12, 34).unwrap();
    let p = ch.receive_pulse(Some(secs(5.0))).unwrap();
    assert_eq!((p.code, p.value), (12, 34));
    // A pulse also comes out of a plain receive.
    c.send_pulse(13, -1).unwrap();
    let p = ch.receive_timeout(0, secs(5.0)).unwrap().pulse().unwrap();
    assert_eq!((p.code, p.value), (13, -1));
    let t0 = Instant::now();
    let e = ch.receive_pulse(Some(Duration::from_millis(50))).unwrap_err();
    assert_eq!((e.errno(), e.call()), (ETIMEDOUT, "MsgReceivePulse"));
    assert!(t0.elapsed() >= Duration::from_millis(40));
    let e = ch.receive_timeout(64, Duration::from_millis(50)).unwrap_err();
    assert_eq!((e.errno(), e.call()), (ETIMEDOUT, "MsgReceive"));
    // Zero: fail at once when nothing is queued.
    let e = ch.receive_into_timeout(&mut [0; axon::PULSE_SIZE], Duration::ZERO).unwrap_err();
    assert_eq!(e.errno(), ETIMEDOUT);
}

#[test]
fn bad_chid() {
    setup();
    let bad = unsafe { Channel::from_raw(-1) };
    let e = bad.receive_timeout(16, secs(5.0)).unwrap_err();
    assert_eq!((e.errno(), e.name()), (ESRCH, Some("ESRCH")));
    assert_eq!(bad.destroy().unwrap_err().errno(), EINVAL);
    // A buffer too small for a pulse, before any wait.
    let ch = Channel::new().unwrap();
    let e = ch.receive_into(&mut [0u8; axon::PULSE_SIZE - 1]).unwrap_err();
    assert_eq!((e.errno(), e.call()), (EINVAL, "MsgReceive"));
}

#[test]
fn client_info_and_event_from_a_rust_server() {
    // A Rust client and a Rust server in one process: the client asks for
    // a pulse event, the server delivers it after replying.
    setup();
    let srv_ch = Channel::new().unwrap();
    let ev_ch = Channel::new().unwrap();
    let ev_conn = ev_ch.connect().unwrap();
    let c = srv_ch.connect().unwrap();
    let ev = Event::pulse(&ev_conn, 21, 77, 10);
    thread::scope(|sc| {
        sc.spawn(|| {
            let m = srv_ch.receive_timeout(256, secs(10.0)).unwrap().message().unwrap();
            let ci = m.client_info().unwrap();
            assert_eq!(ci.pid, std::process::id() as i32);
            assert_eq!(ci.nd, ND_LOCAL_NODE);
            assert!(ci.groups().len() <= 8);
            let wanted = Event::from_bytes(&m.data).unwrap();
            assert!(Event::from_bytes(&m.data[..63]).is_none());
            let id = m.rcvid.id();
            m.reply(0, &[]).unwrap();
            // After the reply, by the raw rcvid.
            axon::deliver_event(id, &wanted).unwrap();
        });
        assert_eq!(c.send_timeout(&ev.to_bytes(), &mut [], secs(10.0)).unwrap(), 0);
    });
    let p = ev_ch.receive_pulse(Some(secs(5.0))).unwrap();
    assert_eq!((p.code, p.value), (21, 77));
    assert_eq!(axon::deliver_event(0, &ev).unwrap_err().errno(), ESRCH);
}

#[test]
fn dropped_rcvid_answers_eio() {
    // An Rcvid dropped unanswered errors its sender with EIO: no client
    // waits forever on a message its server forgot.
    setup();
    let ch = Channel::new().unwrap();
    let c = ch.connect().unwrap();
    thread::scope(|sc| {
        sc.spawn(|| {
            let r = ch.receive_timeout(16, secs(10.0)).unwrap();
            drop(r);
            // A message dropped through Received::pulse(), too.
            assert!(ch.receive_timeout(16, secs(10.0)).unwrap().pulse().is_none());
        });
        let e = c.send_timeout(b"forgotten", &mut [], secs(10.0)).unwrap_err();
        assert_eq!(e.errno(), EIO);
        let e = c.send_timeout(b"forgotten too", &mut [], secs(10.0)).unwrap_err();
        assert_eq!(e.errno(), EIO);
    });
}

#[test]
fn into_raw_keeps_the_sender_waiting() {
    // into_raw() gives up the answer; from_raw() takes it back; the
    // sender waits until then.  (A second answer cannot be written: reply
    // and error take the Rcvid by value.)
    setup();
    let ch = Channel::new().unwrap();
    let c = ch.connect().unwrap();
    let (tx, rx) = mpsc::channel::<i64>();
    let ch = &ch;
    thread::scope(|sc| {
        sc.spawn(move || {
            let m: Message = ch.receive_timeout(16, secs(10.0)).unwrap().message().unwrap();
            tx.send(m.rcvid.into_raw()).unwrap();
        });
        let replier = sc.spawn(move || {
            let raw = rx.recv_timeout(secs(10.0)).unwrap();
            thread::sleep(Duration::from_millis(100));
            let r = unsafe { axon::Rcvid::from_raw(raw) };
            r.reply(42, b"late").unwrap();
            // The same id again: already answered.
            let again = unsafe { axon::Rcvid::from_raw(raw) };
            assert_eq!(again.error(EOK).unwrap_err().errno(), ESRCH);
        });
        let mut r = [0u8; 4];
        let t0 = Instant::now();
        assert_eq!(c.send_timeout(b"wait", &mut r, secs(10.0)).unwrap(), 42);
        assert!(t0.elapsed() >= Duration::from_millis(90));
        assert_eq!(&r, b"late");
        replier.join().unwrap();
    });
}

#[test]
fn reply_to_a_client_that_left() {
    // The client times out; the reply then fails with ESRCH.
    setup();
    let ch = Channel::with_flags(0).unwrap();
    let c = ch.connect().unwrap();
    let e = thread::scope(|sc| {
        let h = sc.spawn(|| ch.receive_timeout(16, secs(10.0)).unwrap().message().unwrap());
        let e = c.send_timeout(b"impatient", &mut [], Duration::from_millis(100)).unwrap_err();
        let m = h.join().unwrap();
        (e, m.reply(0, b"too late").unwrap_err())
    });
    assert_eq!(e.0.errno(), ETIMEDOUT);
    assert_eq!((e.1.errno(), e.1.call()), (ESRCH, "MsgReply"));
}

#[test]
fn threads_share_a_channel() {
    // Several threads receive on one channel; several send on one
    // connection.
    setup();
    let ch = Channel::new().unwrap();
    let c = ch.connect().unwrap();
    let served = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    thread::scope(|sc| {
        for _ in 0..3 {
            sc.spawn(|| {
                while !stop.load(Ordering::SeqCst) {
                    match ch.receive_timeout(16, Duration::from_millis(50)) {
                        Ok(Received::Message(m)) => {
                            let d = m.data.clone();
                            m.reply(d.len() as i64, &d).unwrap();
                            served.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok(Received::Pulse(_)) => {}
                        Err(e) => assert!(e.is_timeout(), "{}", e),
                    }
                }
            });
        }
        thread::scope(|s2| {
            for t in 0..3u8 {
                let c = &c;
                s2.spawn(move || {
                    for i in 0..100u8 {
                        let mut r = [0u8; 2];
                        assert_eq!(c.send_timeout(&[t, i], &mut r, secs(10.0)).unwrap(), 2);
                        assert_eq!(r, [t, i]);
                    }
                });
            }
        });
        stop.store(true, Ordering::SeqCst);
    });
    assert_eq!(served.load(Ordering::SeqCst), 300);
}

// ---- Names ------------------------------------------------------------------

#[test]
fn name_attach_local_answers_name_open() {
    // A C client name_open()s a Rust server's name: the _IO_CONNECT it
    // sends is answered by NameAttach's receive, and the disconnect pulse
    // when it exits is handled.
    setup();
    let att = NameAttach::new("rs/named", false).unwrap();
    assert_eq!((att.name(), att.is_global()), ("rs/named", false));
    let serve = |att: &NameAttach| -> Vec<&'static str> {
        let mut seen = Vec::new();
        loop {
            match att.receive_timeout(256, secs(10.0)).unwrap() {
                Received::Pulse(p) => {
                    seen.push("pulse");
                    if p.code == axon::_PULSE_CODE_DISCONNECT {
                        return seen;
                    }
                }
                Received::Message(m) => {
                    seen.push("message");
                    let mut r = b"named:".to_vec();
                    r.extend_from_slice(&m.data);
                    m.reply(0, &r).unwrap();
                }
            }
        }
    };
    thread::scope(|sc| {
        let h = sc.spawn(|| serve(&att));
        let out = c_client(&["-n", "rs/named", "send:hi:8"], None, 10.0);
        assert_eq!(out, [format!("status=0 reply={}", hex(b"named:hi"))]);
        // The _IO_CONNECT never reached the server; the message and the
        // DISCONNECT pulse did.
        assert_eq!(h.join().unwrap(), ["message", "pulse"]);
    });
    // A Rust client by name, too.
    thread::scope(|sc| {
        let h = sc.spawn(|| serve(&att));
        let c = axon::name_open_timeout("rs/named", false, secs(10.0)).unwrap();
        let mut r = [0u8; 8];
        c.send_timeout(b"rs", &mut r, secs(10.0)).unwrap();
        assert_eq!(&r, b"named:rs");
        drop(c);
        h.join().unwrap();
    });
    let e = NameAttach::new("rs/named", false).unwrap_err();
    assert_eq!((e.errno(), e.call()), (EEXIST, "name_attach"));
    att.detach().unwrap();
    // Detached: gone.
    assert_eq!(axon::name_open("rs/named", false).unwrap_err().errno(), ENOENT);
    let out = c_client(&["-n", "rs/named", "send:x:1"], None, 10.0);
    assert_eq!(out, [format!("connect errno={}", ENOENT)]);
}

#[test]
fn name_receive_into_and_raw() {
    setup();
    let att = axon::name_attach("rs/raw", false).unwrap();
    thread::scope(|sc| {
        let h = sc.spawn(|| {
            // Raw: the connect message itself.
            let m = att.receive_raw(256, Some(secs(10.0))).unwrap().message().unwrap();
            assert!(m.data.len() >= 8);
            assert_eq!(u16::from_ne_bytes([m.data[0], m.data[1]]), axon::_IO_CONNECT);
            m.reply(0, &[]).unwrap();
            // Into a buffer, with the housekeeping.
            let mut buf = [0u8; 64];
            let m = att.receive_into_timeout(&mut buf, secs(10.0)).unwrap().message().unwrap();
            assert_eq!(m.data, b"into");
            m.reply(1, &[]).unwrap();
            // Then the disconnect pulse, untouched with raw: detach it here.
            let p = att.receive_raw(16, Some(secs(10.0))).unwrap().pulse().unwrap();
            assert_eq!(p.code, axon::_PULSE_CODE_DISCONNECT);
            axon::detach_scoid(p.scoid).unwrap();
            assert_eq!(axon::detach_scoid(p.scoid).unwrap_err().errno(), EINVAL);
        });
        let c = axon::name_open_timeout("rs/raw", false, secs(10.0)).unwrap();
        assert_eq!(c.send_timeout(b"into", &mut [], secs(10.0)).unwrap(), 1);
        c.close().unwrap();
        h.join().unwrap();
    });
}

#[test]
fn name_open_of_a_server_that_never_answers() {
    setup();
    let att = NameAttach::new("rs/mute", false).unwrap();
    let e = axon::name_open_timeout("rs/mute", false, Duration::from_millis(100)).unwrap_err();
    assert_eq!((e.errno(), e.call()), (ETIMEDOUT, "name_open"));
    assert!(att.chid() >= 0);
}

#[test]
fn bad_names() {
    setup();
    let long = "x".repeat(300);
    for bad in ["", "/abs", "a//b", "a/../b", long.as_str(), "nul\0"] {
        let e = NameAttach::new(bad, false).unwrap_err();
        assert!([EINVAL, ENAMETOOLONG].contains(&e.errno()), "{:?}: {}", bad, e);
    }
}

// ---- Signals ----------------------------------------------------------------

static SIGNALS: AtomicUsize = AtomicUsize::new(0);

extern "C" fn on_signal(_: i32) {
    SIGNALS.fetch_add(1, Ordering::SeqCst);
}

extern "C" {
    fn signal(sig: i32, handler: extern "C" fn(i32)) -> usize;
    fn pthread_kill(thread: usize, sig: i32) -> i32;
}

const SIGUSR2: i32 = 12;

#[test]
fn receive_is_retried_after_a_signal_send_is_not() {
    use std::os::unix::thread::JoinHandleExt;
    setup();
    unsafe {
        signal(SIGUSR2, on_signal);
    }
    let ch = Channel::new().unwrap();
    let c = ch.connect().unwrap();
    let before = SIGNALS.load(Ordering::SeqCst);
    // A receive interrupted by a handler goes on waiting, its timeout
    // counting on.
    let ch = std::sync::Arc::new(ch);
    let (tx, rx) = mpsc::channel();
    let h = {
        let ch = ch.clone();
        thread::spawn(move || {
            tx.send(()).unwrap();
            ch.receive_timeout(16, secs(10.0)).map(|r| r.pulse())
        })
    };
    rx.recv().unwrap();
    thread::sleep(Duration::from_millis(100));
    for _ in 0..3 {
        unsafe {
            pthread_kill(h.as_pthread_t() as usize, SIGUSR2);
        }
        thread::sleep(Duration::from_millis(30));
    }
    c.send_pulse(4, 44).unwrap();
    let p = h.join().unwrap().unwrap().unwrap();
    assert_eq!((p.code, p.value), (4, 44));
    assert!(SIGNALS.load(Ordering::SeqCst) >= before + 3);
    // A send interrupted by a handler fails with EINTR (the server may
    // have received it): not retried.
    let s = c_server(&[], None);
    let conn = Connection::attach(ND_LOCAL_NODE, s.pid, s.chid).unwrap();
    let (tx, rx) = mpsc::channel();
    let h = thread::spawn(move || {
        let r = conn.send_timeout(&op(OP_HOLD, 0, 0, b""), &mut [], secs(10.0));
        tx.send(()).unwrap();
        r
    });
    // Until it ends: a signal that comes before the send blocks is not
    // the one that interrupts it.
    let end = Instant::now() + secs(5.0);
    loop {
        thread::sleep(Duration::from_millis(50));
        unsafe {
            pthread_kill(h.as_pthread_t() as usize, SIGUSR2);
        }
        if rx.recv_timeout(Duration::from_millis(50)).is_ok() || Instant::now() > end {
            break;
        }
    }
    assert_eq!(h.join().unwrap().unwrap_err().errno(), EINTR);
}
