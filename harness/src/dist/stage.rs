//! The package's tree and its control files, from `packaging/deb/` and `generated/`, then
//! `dpkg-deb --build`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use super::{Layout, PACKAGE, UNIT};

fn create_parent(to: &Path) -> Result<()> {
    if let Some(dir) = to.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    Ok(())
}

fn chmod(to: &Path, mode: u32) -> Result<()> {
    fs::set_permissions(to, fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot chmod {mode:o} {}", to.display()))
}

fn copy(from: &Path, to: &Path, mode: u32) -> Result<()> {
    create_parent(to)?;
    fs::copy(from, to)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    chmod(to, mode)
}

fn write(to: &Path, text: &[u8], mode: u32) -> Result<()> {
    create_parent(to)?;
    fs::write(to, text).with_context(|| format!("cannot write {}", to.display()))?;
    chmod(to, mode)
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Every file under `dir`, recursively, relative to it, sorted.
fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).expect("under dir");
            out.push(rel.to_path_buf());
        }
    }
    Ok(out)
}

/// `gzip -9n`: Debian's compression of changelogs (no name, no time stamp).
fn gzip(from: &Path, to: &Path) -> Result<()> {
    let out = Command::new("gzip")
        .args(["-9n", "-c"])
        .arg(from)
        .output()
        .context("cannot run gzip")?;
    if !out.status.success() {
        bail!("gzip {} failed", from.display());
    }
    write(to, &out.stdout, 0o644)
}

/// Lays out the files under `layout.tree` (removed first: nothing of an earlier run
/// stays), with the binaries `built`.
pub fn tree(root: &Path, layout: &Layout, built: &[(String, PathBuf)]) -> Result<()> {
    let tree = &layout.tree;
    if tree.exists() {
        fs::remove_dir_all(tree).with_context(|| format!("cannot remove {}", tree.display()))?;
    }
    let deb = root.join("packaging/deb");
    for (name, exe) in built {
        copy(exe, &tree.join("usr/bin").join(name), 0o755)?;
    }
    copy(
        &deb.join(UNIT),
        &tree.join("lib/systemd/system").join(UNIT),
        0o644,
    )?;
    copy(
        &deb.join("server.yaml"),
        &tree.join("etc/mistral-actions/server.yaml"),
        0o644,
    )?;
    copy(
        &deb.join("default"),
        &tree.join("etc/default/mistral-actions-server"),
        0o644,
    )?;
    let share = tree.join("usr/share").join(PACKAGE);
    let generated = root.join("generated");
    // What `mistral-actions apply` reads by default (`mistral/`, `workflows/`,
    // `sql/state.json`), besides the migrations.
    for dir in ["mistral", "sql", "workflows"] {
        for rel in files_under(&generated.join(dir))? {
            copy(
                &generated.join(dir).join(&rel),
                &share.join(dir).join(&rel),
                0o644,
            )?;
        }
    }
    for file in ["catalog.md", "openapi.json"] {
        copy(&generated.join(file), &share.join(file), 0o644)?;
    }
    let doc = tree.join("usr/share/doc").join(PACKAGE);
    copy(&deb.join("copyright"), &doc.join("copyright"), 0o644)?;
    gzip(&deb.join("changelog"), &doc.join("changelog.Debian.gz"))?;
    copy(&root.join("README.md"), &doc.join("README.md"), 0o644)?;
    // The README links the operators' details: the package carries them beside it.
    copy(
        &root.join("docs/operating.md"),
        &doc.join("docs/operating.md"),
        0o644,
    )?;
    copy(
        &root.join("server/README.md"),
        &doc.join("README.server.md"),
        0o644,
    )?;
    copy(
        &deb.join("lintian-overrides"),
        &tree.join("usr/share/lintian/overrides").join(PACKAGE),
        0o644,
    )?;
    Ok(())
}

/// The first line of the changelog names the version: `mistral-actions (0.1.0-1) …`.
pub fn changelog_version(root: &Path) -> Result<String> {
    let path = root.join("packaging/deb/changelog");
    let text = read(&path)?;
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix(&format!("{PACKAGE} (")))
        .and_then(|l| l.split_once(')'))
        .map(|(v, _)| v.to_string())
        .with_context(|| format!("{}: the first line names no version", path.display()))
}

/// The maintainer of the newest changelog entry (its ` -- Name <mail>  date` line).
fn changelog_maintainer(root: &Path) -> Result<String> {
    let path = root.join("packaging/deb/changelog");
    let text = read(&path)?;
    text.lines()
        .find_map(|l| l.strip_prefix(" -- "))
        .and_then(|l| l.split_once("  ").map(|(who, _)| who.to_string()))
        .with_context(|| format!("{}: no ` -- maintainer  date` line", path.display()))
}

/// `Depends:` for the shared libraries the binaries link, as `dpkg-shlibdeps` computes
/// them (it wants a debian/control, so it runs in a scratch directory beside the tree).
fn shlibs(layout: &Layout, built: &[(String, PathBuf)]) -> Result<String> {
    let dir = layout.work.join("shlibs");
    write(
        &dir.join("debian/control"),
        format!("Source: {PACKAGE}\n\nPackage: {PACKAGE}\nArchitecture: any\n").as_bytes(),
        0o644,
    )?;
    let mut cmd = Command::new("dpkg-shlibdeps");
    cmd.current_dir(&dir).arg("-O");
    for (name, _) in built {
        cmd.arg(format!(
            "-e{}",
            layout.tree.join("usr/bin").join(name).display()
        ));
    }
    let out = cmd
        .output()
        .context("cannot run dpkg-shlibdeps (dpkg-dev)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "dpkg-shlibdeps failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    text.lines()
        .find_map(|l| l.strip_prefix("shlibs:Depends="))
        .map(str::to_string)
        .with_context(|| format!("dpkg-shlibdeps printed no shlibs:Depends: {text}"))
}

/// DEBIAN/: control, conffiles, maintainer scripts, md5sums.
pub fn control(root: &Path, layout: &Layout, built: &[(String, PathBuf)]) -> Result<()> {
    let deb = root.join("packaging/deb");
    let meta = layout.tree.join("DEBIAN");
    let template = read(&deb.join("control"))?;
    let installed_kib = files_under(&layout.tree)?
        .iter()
        .map(|f| fs::metadata(layout.tree.join(f)).map_or(0, |m| m.len().div_ceil(1024)))
        .sum::<u64>();
    let control = template
        .replace("@VERSION@", &changelog_version(root)?)
        .replace("@ARCH@", &layout.arch)
        .replace("@MAINTAINER@", &changelog_maintainer(root)?)
        .replace("@INSTALLED_SIZE@", &installed_kib.to_string())
        .replace("@SHLIBS@", &shlibs(layout, built)?);
    let md5sums = md5sums(&layout.tree)?;
    write(&meta.join("control"), control.as_bytes(), 0o644)?;
    write(
        &meta.join("conffiles"),
        b"/etc/default/mistral-actions-server\n/etc/mistral-actions/server.yaml\n",
        0o644,
    )?;
    for script in ["postinst", "prerm", "postrm"] {
        copy(&deb.join(script), &meta.join(script), 0o755)?;
    }
    write(&meta.join("md5sums"), md5sums.as_bytes(), 0o644)
}

/// `md5sum` of every file but the conffiles, as dh_md5sums writes it.
fn md5sums(tree: &Path) -> Result<String> {
    let files: Vec<PathBuf> = files_under(tree)?
        .into_iter()
        .filter(|f| !f.starts_with("etc") && !f.starts_with("DEBIAN"))
        .collect();
    let out = Command::new("md5sum")
        .current_dir(tree)
        .args(&files)
        .output()
        .context("cannot run md5sum")?;
    if !out.status.success() {
        bail!("md5sum failed");
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `dpkg-deb --build` with root as the owner of every file; the .deb's path.
pub fn build_deb(layout: &Layout) -> Result<()> {
    let out = Command::new("dpkg-deb")
        .args(["--root-owner-group", "-Zxz", "--build"])
        .arg(&layout.tree)
        .arg(&layout.deb)
        .output()
        .context("cannot run dpkg-deb")?;
    if !out.status.success() {
        bail!(
            "dpkg-deb --build failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}
