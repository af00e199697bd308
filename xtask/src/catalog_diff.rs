//! `cargo xtask catalog-diff <rev>`: the specs at a git revision against the working tree.

use std::path::Path;
use std::process::{Command, Stdio};

use codegen::Error;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum DiffFormat {
    Markdown,
    Json,
}

/// Returns false (exit 1) on breaking changes unless `allow_breaking`.
pub fn run(
    root: &Path,
    rev: &str,
    format: DiffFormat,
    allow_breaking: bool,
) -> Result<bool, Error> {
    let old_root = tempfile::tempdir().map_err(Error::io(root))?;
    if !extract_specs(root, rev, old_root.path())? {
        return Ok(false);
    }
    let old = match codegen::spec::load(old_root.path()) {
        Ok((model, _)) => model,
        Err(Error::Spec(diags)) => {
            eprintln!("error: the specs at `{rev}` do not validate with today's rules:\n{diags}");
            return Ok(false);
        }
        Err(e) => return Err(e),
    };
    let (new, _) = codegen::spec::load(root)?;
    let diff = codegen::catalog_diff::diff(&old, &new);
    match format {
        DiffFormat::Markdown => print!("{}", diff.to_markdown(rev)),
        DiffFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&diff).expect("diff serialises")
        ),
    }
    let breaking = diff.breaking().count();
    if breaking > 0 && !allow_breaking {
        eprintln!(
            "error: {breaking} breaking change(s) against `{rev}`; pass --allow-breaking if they are intended"
        );
        return Ok(false);
    }
    Ok(true)
}

/// `git archive <rev> specs runtime/src/custom | tar -x -C <dest>` (the specs and the custom
/// functions they name); a revision without specs/ is an empty one.
fn extract_specs(root: &Path, rev: &str, dest: &Path) -> Result<bool, Error> {
    let has_specs = has_tree(root, rev, "specs")?;
    let verify = Command::new("git")
        .current_dir(root)
        .args([
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
        .stdout(Stdio::null())
        .status()
        .map_err(Error::io(root))?;
    if !verify.success() {
        eprintln!("error: `{rev}` is not a git revision of {}", root.display());
        return Ok(false);
    }
    if !has_specs {
        return Ok(true);
    }
    let trees: &[&str] = if has_tree(root, rev, "runtime/src/custom")? {
        &["specs", "runtime/src/custom"]
    } else {
        &["specs"]
    };
    let mut archive = Command::new("git")
        .current_dir(root)
        .args(["archive", "--format=tar", rev])
        .args(trees)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(Error::io(root))?;
    let tar = Command::new("tar")
        .args(["-x", "-C"])
        .arg(dest)
        .stdin(archive.stdout.take().expect("piped"))
        .status()
        .map_err(Error::io(dest))?;
    let git = archive.wait().map_err(Error::io(root))?;
    Ok(git.success() && tar.success())
}

/// Whether `path` exists at `rev`.
fn has_tree(root: &Path, rev: &str, path: &str) -> Result<bool, Error> {
    let status = Command::new("git")
        .current_dir(root)
        .args(["cat-file", "-e", &format!("{rev}:{path}")])
        .stderr(Stdio::null())
        .status()
        .map_err(Error::io(root))?;
    Ok(status.success())
}
