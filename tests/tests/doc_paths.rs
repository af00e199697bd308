//! Every repository path the documentation names exists: the README, `docs/`, every
//! crate's README and every doc comment (`//!`, `///`) of the workspace's Rust sources.
//! A path is a word in backticks or a markdown link target that starts with one of the
//! repository's top-level entries (`codegen/src/emit/rust.rs`, `harness/openstack/`).
//! A crate's own docs may also name paths inside that crate (cron's docs say
//! tests/corpus.txt for `cron/tests/corpus.txt`).
//! Placeholders (`<case>`, `{name}`, `*`), what builds make (`target/`) and paths on an
//! installed machine (`/usr/share/…`) are not repository paths and are skipped.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The repository's top-level names (files and directories), `target` aside.
fn top_level(root: &Path) -> BTreeSet<String> {
    fs::read_dir(root)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n != "target" && n != ".git")
        .collect()
}

/// Candidate words of `text`: backticked spans and markdown link targets.
fn candidates(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, span) in text.split('`').enumerate() {
        if i % 2 == 1 {
            out.extend(span.split_whitespace().map(str::to_string));
        }
    }
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        let target = &rest[at + 2..];
        if let Some(end) = target.find(')') {
            out.push(target[..end].to_string());
        }
        rest = &rest[at + 2..];
    }
    out
}

/// The repository path `word` names, if it is one.
fn repository_path(word: &str, top: &BTreeSet<String>) -> Option<String> {
    let word = word
        .trim_matches(|c: char| matches!(c, ',' | '.' | ';' | ':' | '(' | ')' | '"' | '\''))
        .split('#')
        .next()?;
    let placeholder = word.contains(['<', '>', '{', '}', '*', '$', '…', '|', '=', '?', '%']);
    let first = word.split('/').next()?;
    let path_like = word.contains('/') || word.ends_with(".md") || word.ends_with(".toml");
    (!placeholder && path_like && top.contains(first)).then(|| word.to_string())
}

/// The directory of the crate `file` belongs to (the nearest one holding a Cargo.toml).
fn crate_dir(file: &Path) -> Option<&Path> {
    file.ancestors()
        .skip(1)
        .find(|d| d.join("Cargo.toml").is_file())
}

fn rust_doc_lines(file: &Path) -> String {
    let text = fs::read_to_string(file).unwrap_or_default();
    text.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("//!") || l.starts_with("///"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == "target" || name.starts_with('.') || name == "generated" {
            continue;
        }
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn every_path_the_docs_name_exists() {
    let root = root();
    let top = top_level(&root);
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut missing = Vec::new();
    let mut checked = 0;
    for file in &files {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        // Snapshot cases hold whole generated trees: their paths are the cases' own.
        if rel.starts_with("codegen/tests/cases/") {
            continue;
        }
        let text = match file.extension().and_then(|e| e.to_str()) {
            Some("md") => fs::read_to_string(file).unwrap_or_default(),
            Some("rs") => rust_doc_lines(file),
            _ => continue,
        };
        for word in candidates(&text) {
            let Some(path) = repository_path(&word, &top) else {
                continue;
            };
            checked += 1;
            // A crate's own docs may name paths inside the crate (cron's tests/corpus.txt).
            let in_crate = crate_dir(file).is_some_and(|c| c.join(&path).exists());
            if !root.join(&path).exists() && !in_crate {
                missing.push(format!("{rel}: `{path}`"));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        checked > 100,
        "only {checked} paths found in the docs: the scan is broken"
    );
    assert!(
        missing.is_empty(),
        "the docs name paths that do not exist:\n{}",
        missing.join("\n")
    );
}

#[test]
fn placeholders_and_outside_paths_are_not_repository_paths() {
    let top: BTreeSet<String> = ["codegen", "README.md"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        repository_path("codegen/src/lib.rs,", &top).as_deref(),
        Some("codegen/src/lib.rs")
    );
    assert_eq!(repository_path("codegen/tests/cases/<case>/", &top), None);
    assert_eq!(repository_path("/usr/share/mistral-actions", &top), None);
    assert_eq!(
        repository_path("README.md#layout", &top).as_deref(),
        Some("README.md")
    );
    assert_eq!(repository_path("target/mistral-venv", &top), None);
}
