//! Mistral 23.0.0 (with mistral-extra 17.0.0) in a Python venv at `target/mistral-venv`,
//! the version the project's Mistral facts were read off.
//!
//! Stable interface, reused beyond the workflow tests:
//! - the venv is `target/mistral-venv` ([`venv_dir`]); its interpreter is
//!   `target/mistral-venv/bin/python` ([`python`]), with `mistral-server` and
//!   `mistral-db-manage` beside it in `bin/`;
//! - `cargo xtask ci` calls [`export`] before the tests, which sets `MA_MISTRAL_PYTHON`
//!   ([`PYTHON_ENV`]) to that interpreter for every test process. Tests that need Mistral
//!   read that variable and fail, saying so, when it is absent.
//!
//! Installing takes 2–3 minutes and needs no compiler; it is skipped when the venv already
//! holds these exact versions. A lock file serialises concurrent installs (several people
//! share `target/`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;

pub const PYTHON_ENV: &str = "MA_MISTRAL_PYTHON";
pub const MISTRAL_VERSION: &str = "23.0.0";
pub const MISTRAL_EXTRA_VERSION: &str = "17.0.0";
const PACKAGES: [&str; 4] = [
    "mistral==23.0.0",
    "mistral-extra==17.0.0",
    "psycopg2-binary",
    "pymysql",
];

pub fn venv_dir(root: &Path) -> PathBuf {
    root.join("target").join("mistral-venv")
}

/// Installs Mistral into the venv unless it is there already; returns the interpreter.
pub fn ensure(root: &Path) -> Result<PathBuf> {
    super::venv::ensure(&super::venv::Want {
        dir: venv_dir(root),
        pip: PACKAGES.iter().map(Into::into).collect(),
        installed: &installed,
        note: format!(
            "pip install {} (about 2-3 minutes, once)",
            PACKAGES.join(" ")
        ),
    })
}

/// `ensure`, then `MA_MISTRAL_PYTHON` for every process started after (the tests).
pub fn export(root: &Path) -> Result<PathBuf> {
    let py = ensure(root)?;
    std::env::set_var(PYTHON_ENV, &py);
    eprintln!("    {PYTHON_ENV}={}", py.display());
    Ok(py)
}

fn installed(py: &Path) -> bool {
    if !py.exists() {
        return false;
    }
    let out = Command::new(py)
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('mistral'), m.version('mistral-extra'))",
        ])
        .output();
    out.is_ok_and(|o| {
        o.status.success()
            && String::from_utf8_lossy(&o.stdout).trim()
                == format!("{MISTRAL_VERSION} {MISTRAL_EXTRA_VERSION}")
    })
}
