//! The OpenStack services' Python venv at `target/openstack-venv`: pinned releases from PyPI,
//! resolved with `harness/openstack/constraints.txt` (a `pip freeze` of a venv where they ran
//! together; without it pip takes an SQLAlchemy these releases do not support). Installed
//! once (70–80 s, no compiler needed); skipped when the pinned versions are there. A lock
//! file serialises concurrent installs, as for Mistral's venv.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;

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
    crate::services::venv::python(&dir(root))
}

/// A program the venv installed (`keystone-manage`, `nova-compute`, …).
pub fn bin(root: &Path, name: &str) -> PathBuf {
    dir(root).join("bin").join(name)
}

pub fn constraints(root: &Path) -> PathBuf {
    root.join("harness")
        .join("openstack")
        .join("constraints.txt")
}

/// Installs the services into the venv unless they are there already; returns the
/// interpreter.
pub fn ensure(root: &Path) -> Result<PathBuf> {
    let packages: Vec<String> = PINNED
        .iter()
        .map(|(name, version)| format!("{name}=={version}"))
        .chain(EXTRAS.iter().map(|s| s.to_string()))
        .collect();
    let note = format!(
        "pip install -c harness/openstack/constraints.txt {} (70-80 s, once)",
        packages.join(" ")
    );
    let mut pip: Vec<std::ffi::OsString> = vec!["-c".into(), constraints(root).into()];
    pip.extend(packages.into_iter().map(Into::into));
    crate::services::venv::ensure(&crate::services::venv::Want {
        dir: dir(root),
        pip,
        installed: &installed,
        note,
    })
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
