//! Services the tests need (databases, Mistral, …), installed and started by `cargo xtask ci`
//! on loopback, with their data under `target/`. One module per service.

pub mod databases;
pub mod haproxy;
pub mod mariadb;
pub mod mistral;
pub mod mistral_api;
pub mod mistral_server;
pub mod openstack;
pub mod postgres;
pub mod process;
pub mod rabbitmq;
pub mod venv;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where services keep their data and logs: `target/services/<name>`.
pub fn state_dir(root: &Path, name: &str) -> PathBuf {
    root.join("target").join("services").join(name)
}

/// Whether `program` is on PATH.
pub fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs Debian packages (apt-get update once first). Fails with a message naming them.
pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    eprintln!("    installing with apt-get: {}", packages.join(" "));
    let run = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map_err(|e| format!("cannot run apt-get: {e}"))
            .and_then(|s| {
                if s.success() {
                    Ok(())
                } else {
                    Err(format!("apt-get {} failed ({s})", args.join(" ")))
                }
            })
    };
    run(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend_from_slice(packages);
    run(&args)
}
