//! The release binaries the package holds, built by `dist` itself.
//!
//! Why a stale binary can never be packaged: the build runs in a target directory of its
//! own (`target/dist/cargo`, never the one `cargo build`/`cargo test` fill), cargo is run
//! on every `dist`, and the files packaged are the executables cargo reports it produced
//! in that very invocation (`--message-format json`), not whatever a path holds. Cargo's
//! fingerprints rebuild anything whose sources changed; an unchanged crate is reused,
//! exactly as it would be rebuilt.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{bail, Context, Result};

use serde_json::Value;

/// (package, binary) pairs the package installs in /usr/bin.
pub const BINARIES: [(&str, &str); 2] = [
    ("mistral-actions-server", "mistral-actions-server"),
    ("mistral-actions-cli", "mistral-actions"),
];

/// The executables, by binary name, freshly built in release mode and stripped.
pub fn build(root: &Path, target_dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut cmd = crate::cargo(root);
    cmd.args([
        "build",
        "--release",
        "--locked",
        "--message-format",
        "json-render-diagnostics",
    ])
    .arg("--target-dir")
    .arg(target_dir);
    for (package, bin) in BINARIES {
        cmd.args(["-p", package, "--bin", bin]);
    }
    // Stripped (lintian: unstripped-binary-or-object); the build machine's paths are
    // not written into the binaries (panic locations name /usr/src/mistral-actions).
    let home = std::env::var("CARGO_HOME")
        .or_else(|_| std::env::var("HOME").map(|h| format!("{h}/.cargo")))
        .unwrap_or_default();
    cmd.env("CARGO_PROFILE_RELEASE_STRIP", "symbols").env(
        "RUSTFLAGS",
        format!(
            "--remap-path-prefix={}=/usr/src/mistral-actions --remap-path-prefix={home}=/usr/src/cargo",
            root.display()
        ),
    );
    cmd.stdout(Stdio::piped());
    let mut child = cmd.spawn().context("cannot run cargo build")?;
    let mut built = Vec::new();
    let stdout = child.stdout.take().expect("piped");
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let Ok(msg) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        let name = msg["target"]["name"].as_str().unwrap_or_default();
        if let Some(exe) = msg["executable"].as_str() {
            if BINARIES.iter().any(|(_, b)| *b == name) {
                built.push((name.to_string(), PathBuf::from(exe)));
            }
        }
    }
    let status = child.wait().context("cargo build")?;
    if !status.success() {
        bail!("cargo build --release of the packaged binaries failed ({status})");
    }
    for (_, bin) in BINARIES {
        if !built.iter().any(|(b, _)| b == bin) {
            bail!("cargo reported no executable {bin}");
        }
    }
    Ok(built)
}
