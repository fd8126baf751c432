// SPDX-License-Identifier: MIT
//! What the tests share: this process's node, the C helpers
//! (bindings/python/tests/c, built by `make check-rust` into
//! $AXON_BUILD/python), C servers and clients, and two axonds.
//!
//! Each test program is a node of its own: AXON_RUNDIR is a fresh
//! directory under /tmp, made before the first Axon call and removed
//! when the program exits.  Every wait is bounded (scaled by
//! AXON_TEST_TIMEOUT_MULTIPLIER); every process started is killed and
//! reaped by its guard's drop, a failing test's included.
#![allow(dead_code)]

use std::env;
use std::ffi::CString;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::os::raw::{c_char, c_int};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard, Once};
use std::thread;
use std::time::{Duration, Instant};

extern "C" {
    fn mkdtemp(template: *mut c_char) -> *mut c_char;
    fn atexit(f: extern "C" fn()) -> c_int;
}

static INIT: Once = Once::new();
static RUNDIR: Mutex<Option<PathBuf>> = Mutex::new(None);

extern "C" fn remove_rundir() {
    if let Ok(g) = RUNDIR.lock() {
        if let Some(d) = g.as_ref() {
            let _ = fs::remove_dir_all(d);
        }
    }
}

/// A fresh directory under /tmp (mkdtemp).
pub fn tempdir(prefix: &str) -> PathBuf {
    let t = CString::new(format!("/tmp/{}XXXXXX", prefix)).unwrap();
    let raw = t.into_raw();
    let p = unsafe { mkdtemp(raw) };
    let t = unsafe { CString::from_raw(raw) };
    assert!(!p.is_null(), "mkdtemp failed");
    PathBuf::from(t.into_string().unwrap())
}

/// This program's node directory; call before any Axon call.
pub fn setup() -> PathBuf {
    INIT.call_once(|| {
        let d = tempdir("axon-rs-");
        env::set_var("AXON_RUNDIR", &d);
        *RUNDIR.lock().unwrap() = Some(d);
        unsafe {
            atexit(remove_rundir);
        }
    });
    RUNDIR.lock().unwrap().clone().unwrap()
}

/// AXON_TEST_TIMEOUT_MULTIPLIER, at least 1.
pub fn scale() -> f64 {
    env::var("AXON_TEST_TIMEOUT_MULTIPLIER")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(1.0)
        .max(1.0)
}

/// `secs` seconds, scaled.
pub fn secs(secs: f64) -> Duration {
    Duration::from_secs_f64(secs * scale())
}

/// The build tree: $AXON_BUILD, else build/ at the top of the tree.
pub fn build_dir() -> PathBuf {
    match env::var_os("AXON_BUILD") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../build"),
    }
}

/// A C helper (c_server, c_client, layout).
pub fn helper(name: &str) -> PathBuf {
    let p = build_dir().join("python").join(name);
    assert!(p.exists(), "{} missing: run `make check-rust`", p.display());
    p
}

/// Polls `pred` every 10 ms for at most `seconds` (scaled).
pub fn wait_for<T>(seconds: f64, what: &str, mut pred: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + secs(seconds);
    loop {
        if let Some(v) = pred() {
            return v;
        }
        assert!(Instant::now() < end, "timed out waiting for {}", what);
        thread::sleep(Duration::from_millis(10));
    }
}

/// A child process, killed and reaped on drop.
pub struct Proc {
    pub child: Child,
}

impl Proc {
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Kills it (SIGKILL) now.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
    }

    /// Waits at most `seconds` (scaled) for it to exit; its status code.
    pub fn wait(&mut self, seconds: f64) -> Option<i32> {
        let end = Instant::now() + secs(seconds);
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                return Some(st.code().unwrap_or(-1));
            }
            if Instant::now() >= end {
                return None;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.wait(10.0);
    }
}

/// The first line the process writes on its stdout, within `seconds`.
fn first_line(p: &mut Proc, seconds: f64) -> Option<String> {
    let out = p.child.stdout.take()?;
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut r = BufReader::new(out);
        let mut line = String::new();
        let ok = r.read_line(&mut line).is_ok();
        let _ = tx.send(if ok { line } else { String::new() });
        // Keep reading so that the process never blocks on a full pipe.
        let _ = r.read_to_end(&mut Vec::new());
    });
    rx.recv_timeout(secs(seconds)).ok()
}

/// A running c_server: its process, pid and chid.
pub struct CServer {
    pub proc: Proc,
    pub pid: i32,
    pub chid: i32,
}

/// Starts c_server with `args`, in the node of `rundir` (None: this
/// program's).
pub fn c_server(args: &[&str], rundir: Option<&Path>) -> CServer {
    let mut cmd = Command::new(helper("c_server"));
    cmd.args(args).stdout(Stdio::piped());
    if let Some(d) = rundir {
        cmd.env("AXON_RUNDIR", d);
    } else {
        cmd.env("AXON_RUNDIR", setup());
    }
    let mut proc = Proc { child: cmd.spawn().expect("c_server") };
    let line = first_line(&mut proc, 10.0).expect("c_server did not start");
    let w: Vec<i32> = line.split_whitespace().filter_map(|s| s.parse().ok()).collect();
    assert_eq!(w.len(), 2, "c_server failed: {:?}", line);
    CServer { proc, pid: w[0], chid: w[1] }
}

/// Runs c_client with `args` in the node of `rundir` (None: this
/// program's), at most `seconds`; its output lines.
pub fn c_client(args: &[&str], rundir: Option<&Path>, seconds: f64) -> Vec<String> {
    let mut cmd = Command::new(helper("c_client"));
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::null());
    cmd.env("AXON_RUNDIR", rundir.map(PathBuf::from).unwrap_or_else(setup));
    let mut proc = Proc { child: cmd.spawn().expect("c_client") };
    let out = proc.child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut s = String::new();
        let _ = BufReader::new(out).read_to_string(&mut s);
        let _ = tx.send(s);
    });
    let s = rx.recv_timeout(secs(seconds)).expect("c_client did not finish");
    proc.wait(seconds);
    s.lines().map(String::from).collect()
}

/// The c_server's operations (struct op: op, arg, arg2, pad, then the
/// payload).
pub const OP_ECHO: u32 = 1;
pub const OP_ERROR: u32 = 2;
pub const OP_READ: u32 = 3;
pub const OP_WRITE: u32 = 4;
pub const OP_DIE: u32 = 5;
pub const OP_PULSES: u32 = 6;
pub const OP_EVENT: u32 = 7;
pub const OP_INFO: u32 = 8;
pub const OP_HOLD: u32 = 9;
pub const OP_QUIT: u32 = 10;

pub fn op(code: u32, arg: u32, arg2: u32, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(16 + payload.len());
    for w in [code, arg, arg2, 0] {
        v.extend_from_slice(&w.to_ne_bytes());
    }
    v.extend_from_slice(payload);
    v
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{:02x}", x)).collect()
}

/// Byte i of the test pattern.
pub fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

// ---- Two nodes ------------------------------------------------------------

static NODES_LOCK: Mutex<()> = Mutex::new(());

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Two nodes on loopback sharing a secret: alpha (this program's node)
/// and beta, each with its axond.  One at a time per program; stopped
/// and cleaned up on drop.
pub struct Nodes {
    _lock: MutexGuard<'static, ()>,
    pub alpha: PathBuf,
    pub beta: PathBuf,
    tmp: PathBuf,
    procs: Vec<Proc>,
}

impl Nodes {
    pub fn start() -> Nodes {
        let lock = NODES_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let axond = env::var_os("AXOND")
            .map(PathBuf::from)
            .unwrap_or_else(|| build_dir().join("axond"));
        assert!(axond.exists(), "{} missing: build it (make all)", axond.display());
        let tmp = tempdir("axon-rs-secret-");
        let secret = tmp.join("secret");
        let mut key = [0u8; 32];
        fs::File::open("/dev/urandom").unwrap().read_exact(&mut key).unwrap();
        {
            use std::os::unix::fs::OpenOptionsExt;
            use std::io::Write;
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&secret)
                .unwrap();
            f.write_all(hex(&key).as_bytes()).unwrap();
        }
        let mut n = Nodes {
            _lock: lock,
            alpha: setup(),
            beta: tempdir("axon-rs-beta-"),
            tmp,
            procs: Vec::new(),
        };
        let ports = [free_port(), free_port()];
        let names = ["alpha", "beta"];
        for i in 0..2 {
            let rundir = if i == 0 { n.alpha.clone() } else { n.beta.clone() };
            let mut cmd = Command::new(&axond);
            cmd.env("AXON_RUNDIR", &rundir)
                .arg("--node")
                .arg(names[i])
                .arg("--listen")
                .arg(format!("127.0.0.1:{}", ports[i]))
                .arg("--peer")
                .arg(format!("{}=127.0.0.1:{}", names[1 - i], ports[1 - i]))
                .arg("--secret-file")
                .arg(&secret)
                .arg("--ready-fd")
                .arg("1")
                .arg("--keepalive")
                .arg(format!("{}", (200.0 * scale()) as u64))
                .arg("--dead-after")
                .arg(format!("{}", (1000.0 * scale()) as u64))
                .arg("--log-level")
                .arg("error")
                .stdout(Stdio::piped());
            let mut p = Proc { child: cmd.spawn().expect("axond") };
            let ready = first_line(&mut p, 10.0);
            n.procs.push(p);
            assert_eq!(ready.as_deref(), Some("ready\n"), "axond {} not ready", names[i]);
        }
        wait_for(10.0, "alpha to see beta", || n.up("alpha", "beta"));
        wait_for(10.0, "beta to see alpha", || n.up("beta", "alpha"));
        n
    }

    /// The pid of beta's axond.
    pub fn beta_axond_pid(&self) -> i32 {
        self.procs[1].pid()
    }

    pub fn rundir(&self, node: &str) -> &Path {
        if node == "alpha" {
            &self.alpha
        } else {
            &self.beta
        }
    }

    /// The nd `node` has for `other`, if `other` is up there.
    pub fn up(&self, node: &str, other: &str) -> Option<u32> {
        let s = fs::read_to_string(self.rundir(node).join("nodes")).ok()?;
        for line in s.lines() {
            let w: Vec<&str> = line.split_whitespace().collect();
            if w.len() >= 3 && w[1] == other && w[2] == "up" {
                return w[0].parse().ok();
            }
        }
        None
    }
}

impl Drop for Nodes {
    fn drop(&mut self) {
        for p in &mut self.procs {
            unsafe {
                kill(p.pid(), 15);
            }
        }
        for p in &mut self.procs {
            if p.wait(5.0).is_none() {
                p.kill();
            }
        }
        self.procs.clear();
        let _ = fs::remove_dir_all(&self.beta);
        let _ = fs::remove_dir_all(&self.tmp);
        for f in ["nodes", "names", "axond"] {
            let _ = fs::remove_file(self.alpha.join(f));
        }
    }
}

extern "C" {
    pub fn kill(pid: i32, sig: c_int) -> c_int;
}
