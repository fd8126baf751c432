// SPDX-License-Identifier: MIT
//! A Rust client's round trip to a C server against a C client's, in one
//! run (`make bench-rust`).
//!
//! Each round runs bench/axon_rr (a C client timing MsgSend to its own
//! forked C server), then a Rust client (Connection::send) timing MsgSend
//! to a C echo server (bindings/python/tests/c/c_server.c -e, which
//! replies as axon_rr's server does), both with the client on CPU 0 and
//! the server on CPU 1 (split) or both on CPU 0 (same), with axon_rr's
//! iteration counts: a warm-up of 10%, then up to 20000 timed round trips
//! or 0.75 s.  Prints one line per measurement, then the medians of the
//! per-round medians and their difference, all as key=value lines:
//!
//!   bench=rust-vs-c pin=split size=16 rounds=5 c_median_us=...
//!       rust_median_us=... diff_us=... target_us=1 result=PASS
//!
//! Usage: bench_rr --build DIR [--rounds N] [--size S] [--pin split|same|none]
//!        [--target-us T]
use std::env;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{exit, Command, Stdio};
use std::time::{Duration, Instant};

use axon::{Connection, ND_LOCAL_NODE};

extern "C" {
    fn sched_setaffinity(pid: i32, size: usize, mask: *const u64) -> i32;
    fn mkdtemp(template: *mut u8) -> *mut u8;
}

fn pin(pid: i32, cpus: u64) {
    // A 1024-CPU mask, as glibc's cpu_set_t.
    let mut mask = [0u64; 16];
    mask[0] = cpus;
    if unsafe { sched_setaffinity(pid, std::mem::size_of_val(&mask), mask.as_ptr()) } != 0 {
        eprintln!("bench_rr: sched_setaffinity failed");
        exit(1);
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn c_round(axon_rr: &PathBuf, pinning: &str, size: usize) -> (f64, String) {
    let out = Command::new(axon_rr)
        .args(["-p", pinning, "-s", &size.to_string()])
        .output()
        .expect("axon_rr");
    assert!(out.status.success(), "axon_rr failed");
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let kv: Vec<(&str, &str)> = line.split_whitespace().filter_map(|w| w.split_once('=')).collect();
        let get = |k: &str| kv.iter().find(|(a, _)| *a == k).map(|(_, v)| *v);
        if get("bench") == Some("axon") && get("size") == Some(&size.to_string()) {
            return (get("median_us").unwrap().parse().unwrap(), line.to_string());
        }
    }
    panic!("axon_rr printed no result");
}

fn rust_round(server: &PathBuf, pinning: &str, size: usize) -> (f64, String) {
    let mut p = Command::new(server).arg("-e").stdout(Stdio::piped()).spawn().expect("c_server");
    let mut line = String::new();
    BufReader::new(p.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let w: Vec<i32> = line.split_whitespace().map(|s| s.parse().unwrap()).collect();
    let (pid, chid) = (w[0], w[1]);
    if pinning != "none" {
        pin(pid, if pinning == "split" { 2 } else { 1 });
        pin(0, 1);
    }
    let iters = 20000usize;
    let warm = (iters / 10).clamp(20, 1000);
    let msg = vec![b'a'; size];
    let mut reply = vec![0u8; size];
    let mut lat: Vec<u64> = Vec::with_capacity(iters);
    {
        let c = Connection::attach(ND_LOCAL_NODE, pid, chid).expect("ConnectAttach");
        for _ in 0..warm {
            c.send(&msg, &mut reply).expect("MsgSend");
        }
        let start = Instant::now();
        let limit = Duration::from_millis(750);
        for _ in 0..iters {
            let t0 = Instant::now();
            c.send(&msg, &mut reply).expect("MsgSend");
            let dt = t0.elapsed();
            lat.push(dt.as_nanos() as u64);
            if start.elapsed() > limit {
                break;
            }
        }
    }
    let _ = p.kill();
    let _ = p.wait();
    pin(0, u64::MAX);
    lat.sort_unstable();
    let n = lat.len();
    let med = lat[n / 2] as f64 / 1e3;
    let p99 = lat[(n * 99 / 100).min(n - 1)] as f64 / 1e3;
    let mean = lat.iter().sum::<u64>() as f64 / n as f64 / 1e3;
    let line = format!(
        "bench=rust variant=msgsend pin={} size={} iters={} median_us={:.3} p99_us={:.3} mean_us={:.3} min_us={:.3}",
        pinning,
        size,
        n,
        med,
        p99,
        mean,
        lat[0] as f64 / 1e3
    );
    (med, line)
}

fn main() {
    let mut build = PathBuf::from("build");
    let mut rounds = 5usize;
    let mut size = 16usize;
    let mut pinning = "split".to_string();
    let mut target = 1.0f64;
    let args: Vec<String> = env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--build" => build = PathBuf::from(v),
            "--rounds" => rounds = v.parse().expect("--rounds"),
            "--size" => size = v.parse().expect("--size"),
            "--pin" => pinning = v,
            "--target-us" => target = v.parse().expect("--target-us"),
            a => {
                eprintln!("bench_rr: unknown argument {}", a);
                exit(2);
            }
        }
        i += 2;
    }
    if !["split", "same", "none"].contains(&pinning.as_str()) || rounds == 0 {
        eprintln!("bench_rr: --pin split|same|none, --rounds >= 1");
        exit(2);
    }
    let mut t = *b"/tmp/axon-bench-rs-XXXXXX\0";
    assert!(!unsafe { mkdtemp(t.as_mut_ptr()) }.is_null(), "mkdtemp");
    let rundir = PathBuf::from(std::str::from_utf8(&t[..t.len() - 1]).unwrap());
    env::set_var("AXON_RUNDIR", &rundir);
    let axon_rr = build.join("bench/axon_rr");
    let server = build.join("python/c_server");
    let (mut cs, mut rs) = (Vec::new(), Vec::new());
    for r in 1..=rounds {
        let (c, cl) = c_round(&axon_rr, &pinning, size);
        let (x, xl) = rust_round(&server, &pinning, size);
        cs.push(c);
        rs.push(x);
        println!("run={} {}", r, cl);
        println!("run={} {}", r, xl);
    }
    let _ = fs::remove_dir_all(&rundir);
    let (c, x) = (median(&mut cs), median(&mut rs));
    let diff = x - c;
    let ok = diff <= target;
    println!(
        "bench=rust-vs-c pin={} size={} rounds={} c_median_us={:.3} rust_median_us={:.3} diff_us={:.3} target_us={} result={}",
        pinning,
        size,
        rounds,
        c,
        x,
        diff,
        target,
        if ok { "PASS" } else { "FAIL" }
    );
    exit(if ok { 0 } else { 1 });
}
