//! What `dist --check` (and ci) asks of the package: lintian without errors, a unit
//! systemd accepts, its exposure score, an install and purge with its maintainer
//! scripts, and the packaged server running from an unpacked copy.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use super::{smoke, Package, UNIT};
use crate::services::{apt_install, have};

/// Installs what the checks run (lintian; systemd-analyze comes with systemd).
fn tools() -> Result<()> {
    let mut missing = Vec::new();
    if !have("lintian") {
        missing.push("lintian");
    }
    if !have("systemd-analyze") {
        missing.push("systemd");
    }
    if missing.is_empty() {
        Ok(())
    } else {
        apt_install(&missing)
    }
}

fn output(cmd: &mut Command) -> Result<(bool, String)> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {:?}", cmd.get_program()))?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Ok((out.status.success(), text))
}

/// lintian's verdict: errors fail; warnings and the rest are shown.
fn lintian(deb: &Path) -> Result<()> {
    let (ok, text) = output(
        Command::new("lintian")
            .args([
                "--fail-on",
                "error",
                "--display-info",
                "--tag-display-limit",
                "0",
            ])
            .arg(deb),
    )?;
    // Tags only: not its note that it runs as root (ci does).
    let lines: Vec<&str> = text.lines().filter(|l| l.get(1..3) == Some(": ")).collect();
    for line in &lines {
        eprintln!("    lintian: {line}");
    }
    let errors = lines.iter().filter(|l| l.starts_with("E:")).count();
    if !ok || errors > 0 {
        bail!("lintian reports {errors} error(s)");
    }
    eprintln!("    lintian: no errors ({} other line(s))", lines.len());
    Ok(())
}

/// A root for `systemd-analyze --root`: the package's files, the host's unit files (for
/// the targets the unit is ordered against) and `kill` (ExecReload): verify resolves
/// every command and dependency inside the root, so the unit is checked as installed.
fn verify_root(root: &Path, deb: &Path) -> Result<std::path::PathBuf> {
    let dir = smoke::unpack(root, deb, "verify")?.dir;
    let units = dir.join("lib/systemd/system");
    let (ok, text) = output(
        Command::new("cp")
            .arg("-an")
            .arg("/lib/systemd/system/.")
            .arg(&units),
    )?;
    if !ok {
        bail!("cannot copy the host's unit files: {text}");
    }
    std::fs::copy("/bin/kill", dir.join("usr/bin/kill")).context("/bin/kill")?;
    std::os::unix::fs::symlink("usr/bin", dir.join("bin"))
        .with_context(|| format!("cannot link {}", dir.display()))?;
    Ok(dir)
}

/// `systemd-analyze verify` of the unit as installed (its commands must exist), then its
/// `security` exposure score, offline.
fn systemd(unpacked: &Path) -> Result<String> {
    let unit = unpacked.join("lib/systemd/system").join(UNIT);
    let (ok, text) = output(
        Command::new("systemd-analyze")
            .arg("verify")
            .arg(format!("--root={}", unpacked.display()))
            .arg(&unit),
    )?;
    let complaints: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(UNIT) || l.contains("mistral-actions"))
        .collect();
    if !ok || !complaints.is_empty() {
        bail!("systemd-analyze verify {UNIT}:\n{text}");
    }
    eprintln!("    systemd-analyze verify {UNIT}: accepted");
    let (_, text) = output(
        Command::new("systemd-analyze")
            .args(["security", "--offline=yes", "--no-pager"])
            .arg(format!("--root={}", unpacked.display()))
            .arg(&unit),
    )?;
    let score = text
        .lines()
        .find(|l| l.contains("Overall exposure level"))
        .map(|l| l.trim().trim_start_matches("→ ").to_string())
        .with_context(|| format!("systemd-analyze security said no exposure level:\n{text}"))?;
    eprintln!("    systemd-analyze security {UNIT}: {score}");
    Ok(score)
}

pub fn all(root: &Path, package: &Package) -> Result<()> {
    tools()?;
    lintian(&package.deb)?;
    systemd(&verify_root(root, &package.deb)?)?;
    super::install::round_trip(&package.deb, &root.join("target/dist/work/install"))?;
    smoke::check(root, &package.deb)
}
