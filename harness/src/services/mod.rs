//! Services the tests need (databases, Mistral, …), installed and started by `cargo harness
//! ci` on loopback, with their data under `target/`. One module per service.

pub mod databases;
pub mod db;
pub mod haproxy;
pub mod mariadb;
pub mod mistral;
pub mod mistral_api;
pub mod mistral_for_tests;
pub mod mistral_server;
pub mod openstack;
pub mod postgres;
pub mod process;
pub mod rabbitmq;
pub mod venv;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{ensure, Context, Result};

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
pub fn apt_install(packages: &[&str]) -> Result<()> {
    eprintln!("    installing with apt-get: {}", packages.join(" "));
    let run = |args: &[&str]| -> Result<()> {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .context("cannot run apt-get")?;
        ensure!(
            status.success(),
            "apt-get {} failed ({status})",
            args.join(" ")
        );
        Ok(())
    };
    run(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend_from_slice(packages);
    run(&args)
}
