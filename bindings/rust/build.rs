// SPDX-License-Identifier: MIT
//! Links libaxon (shared).  Found, in order, in $AXON_LIB_DIR (a build
//! tree's build/, set by `make check-rust`; the test binaries get it as
//! their rpath, so they run without LD_LIBRARY_PATH), then in the libdir
//! pkg-config gives for axon (`make install`, the libaxon-dev package),
//! then wherever the linker looks by default.
use std::env;
use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=AXON_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-changed=build.rs");
    if let Some(dir) = env::var_os("AXON_LIB_DIR") {
        let dir = Path::new(&dir);
        if !dir.join("libaxon.so").exists() {
            panic!(
                "AXON_LIB_DIR={}: no libaxon.so there (build it with `make`)",
                dir.display()
            );
        }
        let dir = dir.canonicalize().expect("AXON_LIB_DIR");
        println!("cargo:rerun-if-changed={}", dir.join("libaxon.so").display());
        println!("cargo:rustc-link-search=native={}", dir.display());
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    } else if let Some(dir) = pkg_config_libdir() {
        println!("cargo:rustc-link-search=native={}", dir);
    }
    println!("cargo:rustc-link-lib=dylib=axon");
    println!("cargo:rustc-link-lib=dylib=pthread");
}

fn pkg_config_libdir() -> Option<String> {
    let out = Command::new("pkg-config")
        .args(["--variable=libdir", "axon"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let dir = String::from_utf8(out.stdout).ok()?.trim().to_string();
    if dir.is_empty() {
        None
    } else {
        Some(dir)
    }
}
