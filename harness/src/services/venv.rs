//! A Python venv under `target/` with pinned packages from PyPI, made once: what Mistral,
//! the OpenStack services and the tests' independent checkers each run in.

use std::ffi::OsString;
use std::fs::{self, File};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// What to install, and how to tell it is there.
pub struct Want<'a> {
    /// The venv's directory; its lock file is beside it (`<dir>.lock`).
    pub dir: PathBuf,
    /// Arguments of `pip install` after its options (packages, `-c constraints.txt`).
    pub pip: Vec<OsString>,
    /// Whether the venv's interpreter has what is wanted (versions included).
    pub installed: &'a dyn Fn(&Path) -> bool,
    /// Said before pip runs: what, and how long it takes.
    pub note: String,
}

pub fn python(dir: &Path) -> PathBuf {
    dir.join("bin").join("python")
}

/// Installs `want` unless it is there already; returns the interpreter. Two processes
/// (two checkouts' ci, a test and ci) wait for each other instead of both installing.
pub fn ensure(want: &Want) -> Result<PathBuf> {
    let dir = &want.dir;
    let py = python(dir);
    if (want.installed)(&py) {
        return Ok(py);
    }
    let parent = dir.parent().expect("a venv lives in a directory");
    fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let lock_path = dir.with_extension("lock");
    let lock = File::create(&lock_path)
        .with_context(|| format!("cannot create {}", lock_path.display()))?;
    // SAFETY: flock on a file descriptor we own; released when `lock` is dropped.
    if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) } != 0 {
        bail!("cannot lock {}", lock_path.display());
    }
    // Someone else may have installed it while we waited for the lock.
    if (want.installed)(&py) {
        return Ok(py);
    }
    if !py.exists() {
        eprintln!("    creating a Python venv at {}", dir.display());
        if !run(Command::new("python3").args(["-m", "venv"]).arg(dir)).is_ok_and(|ok| ok) {
            // Debian splits `venv`/`ensurepip` into python3-venv.
            super::apt_install(&["python3-venv"])?;
            let _ = fs::remove_dir_all(dir);
            if !run(Command::new("python3").args(["-m", "venv"]).arg(dir))? {
                bail!("`python3 -m venv {}` failed", dir.display());
            }
        }
    }
    eprintln!("    {}", want.note);
    let ok = run(Command::new(&py)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(&want.pip))?;
    if !ok || !(want.installed)(&py) {
        bail!(
            "pip could not install into {} (is PyPI reachable? remove the venv to start over)",
            dir.display()
        );
    }
    Ok(py)
}

fn run(cmd: &mut Command) -> Result<bool> {
    cmd.status()
        .map(|s| s.success())
        .with_context(|| format!("cannot run {:?}", cmd.get_program()))
}
