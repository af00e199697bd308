//! Snapshot tests: every directory under `codegen/tests/cases/` is a small project, run
//! through the generator as `cargo xtask generate` runs it, beside `expected/`, what a user
//! gets from it:
//!
//! - `expected/generated/**`: every file `generate` writes into `generated/`, `.manifest`
//!   included, when the specs are valid;
//! - `expected/diagnostics.txt`: the problems exactly as `cargo xtask generate` prints
//!   them on stderr (plain, no colours), when there are any: the errors of an invalid case
//!   (and nothing is generated), or the warnings of a valid one.
//!
//! A case's input is everything in its directory but `expected/`: `specs/` (project file,
//! actions, workflows), and `runtime/src/custom/` when it has `kind: custom` actions, since
//! MA042 looks for the functions under the project's root.
//!
//! A changed output fails with a diff; so do an expected file the generator no longer
//! writes and a written file no expected file holds. After a deliberate change, rewrite the
//! expectations (stale files are removed too) and review them as part of the change:
//!
//! ```sh
//! EXPECTORATE=overwrite cargo test -p codegen --test cases
//! git diff --stat codegen/tests/cases
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use codegen::diagnostics::render;
use codegen::output::GENERATED_DIR;
use codegen::Error;
use walkdir::WalkDir;

const EXPECTED: &str = "expected";
const DIAGNOSTICS: &str = "diagnostics.txt";

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(cases_dir())
        .expect("codegen/tests/cases exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no case under {}", cases_dir().display());
    cases
}

/// Whether this run rewrites the expectations (expectorate's own switch).
fn overwriting() -> bool {
    std::env::var_os("EXPECTORATE").is_some_and(|v| v == "overwrite")
}

/// Files under `dir` as `/`-separated paths relative to it, with their text.
fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return files;
    }
    for entry in WalkDir::new(dir) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap();
        let rel: Vec<_> = rel.iter().map(|c| c.to_string_lossy()).collect();
        let bytes = fs::read(entry.path()).unwrap();
        let text = String::from_utf8(bytes)
            .unwrap_or_else(|_| panic!("{} is not UTF-8", entry.path().display()));
        files.insert(rel.join("/"), text);
    }
    files
}

/// Copies the case's input (all but `expected/`) into `to`.
fn copy_input(case: &Path, to: &Path) {
    for entry in WalkDir::new(case)
        .into_iter()
        .filter_entry(|e| e.path() != case.join(EXPECTED))
    {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(case).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// What the generator gives for `case`, keyed by path under `expected/`. The project is
/// a copy, so nothing the run writes (generated/, caches under target/) lands in the case.
fn outputs(case: &Path) -> BTreeMap<String, String> {
    let project = tempfile::tempdir().unwrap();
    let root = project.path();
    copy_input(case, root);
    let mut out = BTreeMap::new();
    let problems = match codegen::generate(root) {
        Ok((_, warnings, files)) => {
            codegen::output::apply(root, &files).unwrap();
            for (path, text) in read_tree(&root.join(GENERATED_DIR)) {
                out.insert(format!("{GENERATED_DIR}/{path}"), text);
            }
            warnings
        }
        Err(Error::Spec(diags)) => diags,
        Err(e) => panic!("{}: {e}", case.display()),
    };
    if !problems.0.is_empty() {
        out.insert(DIAGNOSTICS.to_string(), render(root, &problems));
    }
    out
}

/// Compares (or, overwriting, rewrites) one case's `expected/`; panics with a diff.
fn check_case(case: &Path) {
    let actual = outputs(case);
    let expected_dir = case.join(EXPECTED);
    let expected: BTreeSet<String> = read_tree(&expected_dir).into_keys().collect();
    let stale: Vec<&String> = expected
        .iter()
        .filter(|p| !actual.contains_key(*p))
        .collect();
    if overwriting() {
        for path in stale {
            fs::remove_file(expected_dir.join(path)).unwrap();
        }
        for path in actual.keys() {
            fs::create_dir_all(expected_dir.join(path).parent().unwrap()).unwrap();
        }
    } else {
        let new: Vec<&String> = actual.keys().filter(|p| !expected.contains(*p)).collect();
        let mut problems = Vec::new();
        if !stale.is_empty() {
            problems.push(format!(
                "expected/ holds files no longer produced: {stale:?}"
            ));
        }
        if !new.is_empty() {
            problems.push(format!("produced files missing from expected/: {new:?}"));
        }
        assert!(
            problems.is_empty(),
            "case {}: {}\n(to accept: EXPECTORATE=overwrite cargo test -p codegen --test cases)",
            case.file_name().unwrap().to_string_lossy(),
            problems.join("; ")
        );
    }
    for (path, text) in &actual {
        expectorate::assert_contents(expected_dir.join(path), text);
    }
}

#[test]
fn every_case_gives_its_expected_output() {
    // Every case runs, so one look shows every changed case.
    let failed: Vec<String> = cases()
        .iter()
        .filter(|case| catch_unwind(AssertUnwindSafe(|| check_case(case))).is_err())
        .map(|case| case.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        failed.is_empty(),
        "cases whose output changed (diffs above): {failed:?}"
    );
}

#[test]
fn every_generated_rust_file_parses() {
    // The snapshots record whatever is emitted; this is what must hold of it.
    for case in cases() {
        for (path, text) in read_tree(&case.join(EXPECTED)) {
            if path.ends_with(".rs") {
                if let Err(e) = syn::parse_file(&text) {
                    panic!("{}/{path}: {e}", case.display());
                }
            }
        }
    }
}

#[test]
fn every_action_table_is_sorted_by_name() {
    // The action server looks names up by binary search in this table.
    let mut tables = 0;
    for case in cases() {
        let expected = read_tree(&case.join(EXPECTED));
        // In `registry.rs`, unless a spec file took that module name.
        let table = expected.iter().find(|(path, text)| {
            path.starts_with("generated/actions/src/") && text.contains("pub static ACTIONS")
        });
        let Some((path, text)) = table else { continue };
        tables += 1;
        let names: Vec<&str> = text
            .lines()
            .filter_map(|line| line.trim_start().strip_prefix("name: \""))
            .map(|rest| rest.trim_end_matches("\","))
            .collect();
        assert!(!names.is_empty(), "{}/{path}: no `name:`", case.display());
        assert!(
            names.windows(2).all(|w| w[0] < w[1]),
            "{}/{path}: {names:?}",
            case.display()
        );
    }
    assert!(tables > 0, "no valid case has an action table");
}

/// The codes of `docs/codes.md`'s tables (which the README links): `| MA042 | … |` rows.
fn documented_codes() -> BTreeSet<String> {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/codes.md");
    let text = fs::read_to_string(&readme).unwrap();
    text.lines()
        .filter_map(|line| line.strip_prefix("| MA"))
        .filter_map(|rest| {
            rest.get(..3)
                .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(|n| format!("MA{n}"))
        .collect()
}

#[test]
fn every_documented_code_is_in_some_expected_diagnostics() {
    let documented = documented_codes();
    assert!(
        !documented.is_empty(),
        "docs/codes.md's tables list no code"
    );
    // What the cases print, which the test above holds equal to their diagnostics.txt;
    // not read from there, as an overwriting run is rewriting those files meanwhile.
    let shown: String = cases()
        .iter()
        .filter_map(|case| outputs(case).remove(DIAGNOSTICS))
        .collect();
    let missing: Vec<&String> = documented
        .iter()
        .filter(|code| !shown.contains(&format!("[{code}]")))
        .collect();
    assert!(
        missing.is_empty(),
        "no case shows {missing:?}: add them to a case under codegen/tests/cases"
    );
}
