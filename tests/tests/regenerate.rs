//! Recovering from a broken generated/: `rm -rf generated && cargo xtask generate` must
//! work, and must give back every file but the migration history (which is history: it
//! comes back from version control, as the README says).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Every file git tracks, outside generated/, copied under `to`.
fn copy_checkout_without_generated(from: &Path, to: &Path) {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(from)
        .output()
        .expect("git runs");
    assert!(listed.status.success(), "git ls-files failed");
    for rel in listed.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        let rel = Path::new(std::str::from_utf8(rel).unwrap());
        if rel.starts_with("generated") || !from.join(rel).is_file() {
            continue;
        }
        let dest = to.join(rel);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(from.join(rel), &dest).unwrap();
    }
}

fn files_under(dir: &Path) -> BTreeSet<String> {
    walk(dir, dir)
}

fn walk(top: &Path, dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(top, &path));
        } else {
            let rel = path.strip_prefix(top).unwrap().to_string_lossy();
            out.insert(rel.replace('\\', "/"));
        }
    }
    out
}

/// What is history, and so not expected back: the emitted SQL migrations and what
/// records them.
fn is_history(path: &str) -> bool {
    path.starts_with("sql/") && !path.ends_with("/verify.sql")
}

#[test]
fn cargo_loads_the_workspace_without_generated() {
    let copy = tempfile::tempdir().unwrap();
    copy_checkout_without_generated(&root(), copy.path());
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(copy.path())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo cannot load the workspace once generated/ is gone, so `cargo xtask generate` \
         could not run to rebuild it:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata = String::from_utf8_lossy(&out.stdout);
    assert!(
        metadata.contains("\"name\":\"xtask\""),
        "the generator is not a package of the workspace"
    );
}

#[test]
fn generate_from_nothing_rebuilds_everything_but_the_migration_history() {
    let root = root();
    let copy = tempfile::tempdir().unwrap();
    copy_checkout_without_generated(&root, copy.path());
    let (_, _, files) = codegen::generate(copy.path()).expect("the specs are valid");
    codegen::output::apply(copy.path(), &files).expect("generated/ is written");

    let checked_in = root.join("generated");
    let rebuilt = copy.path().join("generated");
    let want: BTreeSet<String> = files_under(&checked_in)
        .into_iter()
        .filter(|p| !is_history(p))
        .collect();
    let got: BTreeSet<String> = files_under(&rebuilt)
        .into_iter()
        .filter(|p| !is_history(p))
        .collect();
    assert_eq!(got, want, "the rebuilt tree has other files");
    for path in &want {
        let (a, b) = (checked_in.join(path), rebuilt.join(path));
        let (a, b) = (
            fs::read_to_string(a).unwrap(),
            fs::read_to_string(b).unwrap(),
        );
        if path == ".manifest" {
            // The manifest lists the history too, which the rebuilt tree starts afresh.
            let lines = |t: &str| -> Vec<String> {
                t.lines()
                    .filter(|l| !is_history(l))
                    .map(str::to_string)
                    .collect()
            };
            assert_eq!(lines(&b), lines(&a), "generated/.manifest differs");
        } else {
            assert!(a == b, "generated/{path} differs when rebuilt from nothing");
        }
    }
    // And the history it starts is a valid one: a first migration per target.
    let first = files_under(&rebuilt.join("sql/postgresql/victoria-to-2026"));
    assert!(
        first
            .iter()
            .any(|f| f.starts_with("0001_register_") && f.ends_with(".up.sql")),
        "no first migration was emitted: {first:?}"
    );
}
