//! `cargo harness dist`: release binaries and the Debian package that holds them, the
//! hardened systemd unit, the commented configuration (a conffile), the SQL migrations,
//! workflows, catalog and OpenAPI description. `--check` also runs lintian,
//! `systemd-analyze verify` and `security` on the unit, and starts the packaged server,
//! unpacked into a scratch root with its packaged configuration.
//!
//! The packager is Debian's own `dpkg-deb --build` over a tree laid out here, with the
//! control file, maintainer scripts, conffiles and changelog of `packaging/deb/`: it is
//! on every Debian machine (cargo-deb would be compiled from source on each fresh CI
//! machine, minutes on 2 cores), and the maintainer scripts are ours to read.

mod binaries;
mod check;
mod install;
pub mod smoke;
mod stage;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

pub const PACKAGE: &str = "mistral-actions";
pub const UNIT: &str = "mistral-actions-server.service";

/// Where a build's files go, all under `target/dist/`.
pub struct Layout {
    /// Cargo's target directory for the packaged binaries, used by nothing else.
    pub cargo: PathBuf,
    /// Scratch space (dpkg-shlibdeps' debian/control, unpacked roots).
    pub work: PathBuf,
    /// The package's tree (DEBIAN/ and the files).
    pub tree: PathBuf,
    pub deb: PathBuf,
    pub arch: String,
}

impl Layout {
    pub fn new(root: &Path, version: &str, arch: &str) -> Layout {
        let dist = root.join("target").join("dist");
        Layout {
            cargo: dist.join("cargo"),
            work: dist.join("work"),
            tree: dist.join("work").join("tree"),
            deb: dist.join(format!("{PACKAGE}_{version}_{arch}.deb")),
            arch: arch.to_string(),
        }
    }
}

/// A built package.
#[derive(Clone)]
pub struct Package {
    pub deb: PathBuf,
    pub bytes: u64,
    pub version: String,
}

fn arch() -> Result<String> {
    let out = std::process::Command::new("dpkg")
        .arg("--print-architecture")
        .output()
        .context("cannot run dpkg")?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The package this process built, if any: ci's package step and its e2e step use the
/// same .deb instead of laying out and compressing it twice.
static BUILT: std::sync::Mutex<Option<Package>> = std::sync::Mutex::new(None);

/// Builds the binaries and the .deb, once per process.
pub fn build(root: &Path) -> Result<Package> {
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(package) = built.as_ref().filter(|p| p.deb.starts_with(root)) {
        eprintln!("    {} (built earlier in this run)", package.deb.display());
        return Ok(package.clone());
    }
    let package = build_now(root)?;
    *built = Some(package.clone());
    Ok(package)
}

fn build_now(root: &Path) -> Result<Package> {
    let version = stage::changelog_version(root)?;
    let layout = Layout::new(root, &version, &arch()?);
    let started = Instant::now();
    let built = binaries::build(root, &layout.cargo)?;
    eprintln!(
        "    built {} (release, stripped) in {:.0}s",
        built
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        started.elapsed().as_secs_f32()
    );
    stage::tree(root, &layout, &built)?;
    stage::control(root, &layout, &built)?;
    stage::build_deb(&layout)?;
    let bytes = std::fs::metadata(&layout.deb)
        .with_context(|| format!("cannot stat {}", layout.deb.display()))?
        .len();
    eprintln!(
        "    {} ({:.1} MiB)",
        layout.deb.display(),
        bytes as f64 / 1048576.0
    );
    Ok(Package {
        deb: layout.deb,
        bytes,
        version,
    })
}

/// `cargo harness dist [--check]`.
pub fn run(root: &Path, check: bool) -> Result<bool> {
    let package = build(root)?;
    if check {
        check::all(root, &package)?;
    }
    eprintln!(
        "dist: {PACKAGE} {} built: {} ({} bytes)",
        package.version,
        package.deb.display(),
        package.bytes
    );
    Ok(true)
}
