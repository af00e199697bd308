//! The independent OpenAPI validator the tests use: `openapi-spec-validator` (with the
//! `jsonschema` it brings) from PyPI, in a Python venv at `target/openapi-venv`.
//!
//! `cargo xtask ci` calls [`ensure`] before the tests; it installs the venv once (seconds),
//! and ci sets `MA_OPENAPI_PYTHON` ([`PYTHON_ENV`]) to its interpreter for every test process.
//! `tests/tests/openapi.rs` validates `generated/openapi.json` with it, and the server's
//! tests check every answer against that document with it; both fail, saying how to get
//! it, when it is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const PYTHON_ENV: &str = "MA_OPENAPI_PYTHON";
const PACKAGE: &str = "openapi-spec-validator==0.9.0";

pub fn python(root: &Path) -> PathBuf {
    root.join("target/openapi-venv/bin/python")
}

/// Installs the validator unless it is there already; returns the interpreter.
pub fn ensure(root: &Path) -> Result<PathBuf, String> {
    let py = python(root);
    if installed(&py) {
        return Ok(py);
    }
    let dir = root.join("target/openapi-venv");
    if !py.exists() {
        eprintln!("    creating a Python venv at {}", dir.display());
        if !run(Command::new("python3").args(["-m", "venv"]).arg(&dir))? {
            // Debian splits `venv`/`ensurepip` into python3-venv.
            crate::services::apt_install(&["python3-venv"])?;
            let _ = std::fs::remove_dir_all(&dir);
            if !run(Command::new("python3").args(["-m", "venv"]).arg(&dir))? {
                return Err(format!("`python3 -m venv {}` failed", dir.display()));
            }
        }
    }
    eprintln!("    pip install {PACKAGE} (once)");
    let pip = [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ];
    if !run(Command::new(&py).args(pip).arg(PACKAGE))? || !installed(&py) {
        let dir = dir.display();
        return Err(format!(
            "pip could not install {PACKAGE} into {dir} (is PyPI reachable?)"
        ));
    }
    Ok(py)
}

fn installed(py: &Path) -> bool {
    py.exists()
        && Command::new(py)
            .args(["-c", "import openapi_spec_validator, jsonschema"])
            .output()
            .is_ok_and(|o| o.status.success())
}

fn run(cmd: &mut Command) -> Result<bool, String> {
    cmd.status()
        .map(|s| s.success())
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))
}
