//! The OpenStack services' Python venv at `target/openstack-venv`: pinned releases from PyPI,
//! resolved with `xtask/openstack/constraints.txt` (a `pip freeze` of a venv where they ran
//! together; without it pip takes an SQLAlchemy these releases do not support). Installed
//! once (70–80 s, no compiler needed); skipped when the pinned versions are there. A lock
//! file serialises concurrent installs, as for Mistral's venv.

use std::fs::{self, File};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the harness runs, pinned; `(distribution, version)` as `importlib.metadata` names them.
pub const PINNED: [(&str, &str); 6] = [
    ("keystone", "30.0.0"),
    ("glance", "33.0.0"),
    ("cinder", "29.0.0"),
    ("nova", "34.0.0"),
    ("trove", "26.0.0"),
    ("openstack-placement", "16.0.0"),
];

/// Installed beside them; their versions come from the constraints file.
const EXTRAS: [&str; 5] = [
    "keystonemiddleware",
    "gunicorn",
    "psycopg2-binary",
    "pymysql",
    "python-memcached",
];

pub fn dir(root: &Path) -> PathBuf {
    root.join("target").join("openstack-venv")
}

pub fn python(root: &Path) -> PathBuf {
    dir(root).join("bin").join("python")
}

/// A program the venv installed (`keystone-manage`, `nova-compute`, …).
pub fn bin(root: &Path, name: &str) -> PathBuf {
    dir(root).join("bin").join(name)
}

pub fn constraints(root: &Path) -> PathBuf {
    root.join("xtask").join("openstack").join("constraints.txt")
}

/// Installs the services into the venv unless they are there already; returns the
/// interpreter.
pub fn ensure(root: &Path) -> Result<PathBuf, String> {
    let venv = dir(root);
    let py = python(root);
    if installed(&py) {
        return Ok(py);
    }
    fs::create_dir_all(root.join("target")).map_err(|e| format!("cannot create target/: {e}"))?;
    let lock_path = root.join("target").join("openstack-venv.lock");
    let lock = File::create(&lock_path)
        .map_err(|e| format!("cannot create {}: {e}", lock_path.display()))?;
    // SAFETY: flock on a file descriptor we own; released when `lock` is dropped.
    if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(format!("cannot lock {}", lock_path.display()));
    }
    // Someone else may have installed it while we waited for the lock.
    if installed(&py) {
        return Ok(py);
    }
    if !py.exists() {
        eprintln!("    creating a Python venv at {}", venv.display());
        if !run(Command::new("python3").args(["-m", "venv"]).arg(&venv))? {
            // Debian splits `venv`/`ensurepip` into python3-venv.
            super::super::apt_install(&["python3-venv"])?;
            let _ = fs::remove_dir_all(&venv);
            if !run(Command::new("python3").args(["-m", "venv"]).arg(&venv))? {
                return Err(format!("`python3 -m venv {}` failed", venv.display()));
            }
        }
    }
    let packages: Vec<String> = PINNED
        .iter()
        .map(|(name, version)| format!("{name}=={version}"))
        .chain(EXTRAS.iter().map(|s| s.to_string()))
        .collect();
    eprintln!(
        "    pip install -c xtask/openstack/constraints.txt {} (70-80 s, once)",
        packages.join(" ")
    );
    let ok = run(Command::new(&py)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-c",
        ])
        .arg(constraints(root))
        .args(&packages))?;
    if !ok || !installed(&py) {
        return Err(format!(
            "pip could not install the OpenStack services into {} (is PyPI reachable? \
             remove the venv to start over)",
            venv.display()
        ));
    }
    Ok(py)
}

fn installed(py: &Path) -> bool {
    if !py.exists() {
        return false;
    }
    let names: Vec<String> = PINNED.iter().map(|(n, _)| format!("'{n}'")).collect();
    let script = format!(
        "import importlib.metadata as m; print(' '.join(m.version(n) for n in [{}]))",
        names.join(", ")
    );
    let wanted: Vec<&str> = PINNED.iter().map(|(_, v)| *v).collect();
    Command::new(py)
        .args(["-c", &script])
        .output()
        .is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == wanted.join(" ")
        })
}

fn run(cmd: &mut Command) -> Result<bool, String> {
    cmd.status()
        .map(|s| s.success())
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))
}
