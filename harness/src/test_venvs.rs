//! The independent Python checkers the tests use, each from PyPI in a venv of its own
//! under `target/`:
//!
//! - [`OPENAPI`]: `openapi-spec-validator` (with the `jsonschema` it brings), in
//!   `target/openapi-venv`. `tests/tests/openapi.rs` validates `generated/openapi.json`
//!   with it, and the server's tests check every answer against that document with it.
//! - [`METRICS`]: `prometheus-client`, the Prometheus project's Python client, in
//!   `target/metrics-venv`: its OpenMetrics parser reads the server's `/metrics` in the
//!   server's tests, so the exposition is checked by a parser that is not the encoder's.
//!
//! `cargo xtask ci` calls [`ensure`] for each before the tests; it installs a venv once
//! (seconds), and ci exports its interpreter (`MA_OPENAPI_PYTHON`, `MA_METRICS_PYTHON`)
//! to every test process. The tests fail, saying how to get it, when one is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;

/// One checker's venv.
pub struct Venv {
    /// Under `target/`.
    pub dir: &'static str,
    /// What `pip install` gets, pinned.
    pub package: &'static str,
    /// The Python modules that must import for the venv to count as installed.
    pub imports: &'static str,
    /// The variable ci sets to the venv's interpreter.
    pub env: &'static str,
}

pub const OPENAPI: Venv = Venv {
    dir: "openapi-venv",
    package: "openapi-spec-validator==0.9.0",
    imports: "openapi_spec_validator, jsonschema",
    env: "MA_OPENAPI_PYTHON",
};

pub const METRICS: Venv = Venv {
    dir: "metrics-venv",
    package: "prometheus-client==0.26.0",
    imports: "prometheus_client.openmetrics.parser",
    env: "MA_METRICS_PYTHON",
};

impl Venv {
    fn path(&self, root: &Path) -> PathBuf {
        root.join("target").join(self.dir)
    }

    fn installed(&self, py: &Path) -> bool {
        py.exists()
            && Command::new(py)
                .args(["-c", &format!("import {}", self.imports)])
                .output()
                .is_ok_and(|o| o.status.success())
    }
}

/// Installs `venv` unless it is there already; returns the interpreter.
pub fn ensure(root: &Path, venv: &Venv) -> Result<PathBuf> {
    crate::services::venv::ensure(&crate::services::venv::Want {
        dir: venv.path(root),
        pip: vec![venv.package.into()],
        installed: &|py| venv.installed(py),
        note: format!("pip install {} (once)", venv.package),
    })
}
