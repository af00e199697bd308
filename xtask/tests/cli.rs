//! `cargo xtask generate` / `--check` / `discover` as a user runs them, on a copy of the
//! project's specs in a temporary directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let dest = to.join(rel);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(&entry, dest).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A project with the real specs (and the custom functions they name) and nothing
/// generated yet.
fn fresh_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for tree in ["specs", "runtime/src/custom"] {
        copy_tree(&workspace().join(tree), &dir.path().join(tree));
    }
    dir
}

fn xtask(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under generated/ with its bytes and modification time.
fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> {
    let dir = root.join("generated");
    if !dir.exists() {
        return Vec::new();
    }
    walk(&dir)
        .into_iter()
        .map(|p| {
            let meta = fs::metadata(&p).unwrap();
            let bytes = fs::read(&p).unwrap();
            (p, bytes, meta.modified().unwrap())
        })
        .collect()
}

#[test]
fn generate_twice_changes_nothing() {
    let project = fresh_project();
    let first = xtask(project.path(), &["generate"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = snapshot(project.path());
    assert!(before.iter().any(|(p, _, _)| p.ends_with("catalog.md")));
    let second = xtask(project.path(), &["generate"]);
    assert!(second.status.success());
    assert!(
        stderr(&second).contains("0 file(s) changed"),
        "{}",
        stderr(&second)
    );
    assert_eq!(snapshot(project.path()), before, "bytes or mtimes changed");
    let check = xtask(project.path(), &["generate", "--check"]);
    assert!(check.status.success(), "{}", stderr(&check));
}

#[test]
fn check_catches_a_one_byte_edit_in_every_generated_file() {
    let project = fresh_project();
    assert!(xtask(project.path(), &["generate"]).status.success());
    for (path, bytes, _) in snapshot(project.path()) {
        let mut edited = bytes.clone();
        let last = edited.len() - 2;
        edited[last] ^= 0x01;
        fs::write(&path, &edited).unwrap();
        let check = xtask(project.path(), &["generate", "--check"]);
        assert_eq!(
            check.status.code(),
            Some(1),
            "{} edit not caught",
            path.display()
        );
        let rel = path.strip_prefix(project.path()).unwrap();
        // A diff for ordinary files; state the generator reads back (migrations, their
        // checksums, the action history) is refused by name.
        let said = format!("{}{}", stdout(&check), stderr(&check));
        assert!(
            stdout(&check).contains(&format!("b/{}", rel.display()))
                || stderr(&check).contains(&rel.display().to_string()),
            "{} not named: {said}",
            rel.display()
        );
        fs::write(&path, &bytes).unwrap();
    }
}

#[test]
fn check_catches_a_changed_spec() {
    let project = fresh_project();
    assert!(xtask(project.path(), &["generate"]).status.success());
    let spec = project.path().join("specs/actions/nova/servers.yaml");
    let text = fs::read_to_string(&spec).unwrap();
    fs::write(&spec, text.replace("default: ACTIVE", "default: SHUTOFF")).unwrap();
    let check = xtask(project.path(), &["generate", "--check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stdout(&check).contains(r#"+| [`int32bit.nova.servers.assert_status`]"#));
}

#[test]
fn check_lists_missing_and_extra_files() {
    let project = fresh_project();
    assert!(xtask(project.path(), &["generate"]).status.success());
    fs::remove_file(project.path().join("generated/catalog.md")).unwrap();
    fs::write(project.path().join("generated/notes.txt"), "mine").unwrap();
    let check = xtask(project.path(), &["generate", "--check"]);
    assert_eq!(check.status.code(), Some(1));
    let out = stdout(&check);
    assert!(out.contains("missing: generated/catalog.md"), "{out}");
    assert!(out.contains("extra: generated/notes.txt"), "{out}");
}

#[test]
fn generate_removes_what_it_owned_and_keeps_what_it_did_not() {
    let project = fresh_project();
    let root = project.path();
    assert!(xtask(root, &["generate"]).status.success());
    // A file generate produced in an earlier run and no longer produces.
    let manifest = root.join("generated/.manifest");
    let mut listing = fs::read_to_string(&manifest).unwrap();
    listing.push_str("old/gone.md\n");
    fs::write(&manifest, listing).unwrap();
    fs::create_dir_all(root.join("generated/old")).unwrap();
    fs::write(root.join("generated/old/gone.md"), "stale").unwrap();
    fs::write(root.join("generated/notes.txt"), "mine").unwrap();
    let run = xtask(root, &["generate"]);
    assert!(run.status.success());
    assert!(
        !root.join("generated/old").exists(),
        "stale owned file kept"
    );
    assert_eq!(
        fs::read_to_string(root.join("generated/notes.txt")).unwrap(),
        "mine"
    );
    assert!(!fs::read_to_string(&manifest).unwrap().contains("gone"));
}

#[test]
fn bad_specs_are_all_reported_and_generated_is_untouched() {
    let project = fresh_project();
    let root = project.path();
    assert!(xtask(root, &["generate"]).status.success());
    let before = snapshot(root);
    let spec = root.join("specs/actions/cinder/volumes.yaml");
    let text = fs::read_to_string(&spec).unwrap();
    let broken = text
        .replace("name: volume_id", "name: class")
        .replace("default: available", "default: 5\n        required: true");
    fs::write(&spec, broken).unwrap();
    fs::write(
        root.join("specs/actions/glance/extra.yaml"),
        "actions:\n  thing:\n    description: x\n    colour: red\n    implementation: {kind: custom, function: a::b}\n",
    )
    .unwrap();
    let run = xtask(root, &["generate"]);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    for expected in [
        "error[MA022]: input name `class` is a Python or YAQL keyword",
        "specs/actions/cinder/volumes.yaml:6:15",
        "error[MA023]",
        "error[MA002]: unknown key `colour`",
        "specs/actions/glance/extra.yaml:4:5",
        "generated/ was not touched",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert_eq!(snapshot(root), before);
}

#[test]
fn discover_lists_actions_as_json() {
    let run = xtask(&workspace(), &["discover", "--format", "json"]);
    assert!(run.status.success());
    let list: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let list = list.as_array().unwrap();
    // Every action generate last recorded (generated/ is held fresh), in its order.
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("generated/sql/state.json")).unwrap(),
    )
    .unwrap();
    let recorded: Vec<&str> = state["rows"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let listed: Vec<&str> = list.iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(listed, recorded);
    let exec = list
        .iter()
        .find(|a| a["name"] == "int32bit.system.exec")
        .unwrap();
    assert_eq!(exec["input_str"], "cmd");
}

#[test]
fn catalog_prints_the_generated_catalog() {
    let run = xtask(&workspace(), &["catalog"]);
    assert!(run.status.success());
    let on_disk = fs::read(workspace().join("generated/catalog.md")).unwrap();
    assert_eq!(run.stdout, on_disk);
}

#[test]
fn completions_cover_the_commands() {
    let run = xtask(&workspace(), &["completions", "bash"]);
    assert!(run.status.success());
    let script = stdout(&run);
    for command in ["generate", "discover", "catalog", "completions"] {
        assert!(script.contains(command), "{command} not completed");
    }
}

fn git(root: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .current_dir(root)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(args)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn catalog_diff_flags_a_removed_input_as_breaking() {
    let project = fresh_project();
    let root = project.path();
    git(root, &["init", "-q"]);
    git(root, &["add", "specs", "runtime"]);
    git(root, &["commit", "-qm", "base"]);
    let spec = root.join("specs/actions/cinder/backups.yaml");
    let text = fs::read_to_string(&spec).unwrap();
    let container = "      - name: container\n        type: string\n        default: null\n        description: Backup container (object store bucket).\n";
    assert!(text.contains(container));
    fs::write(&spec, text.replace(container, "")).unwrap();
    // As a user would, the custom function loses that parameter too (MA042 checks it).
    let runtime = root.join("runtime/src/custom/cinder.rs");
    let code = fs::read_to_string(&runtime).unwrap();
    let parameter = "    container: Option<String>,\n";
    assert!(code.contains(parameter));
    fs::write(&runtime, code.replacen(parameter, "", 1)).unwrap();

    let run = xtask(root, &["catalog-diff", "HEAD"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let md = stdout(&run);
    assert!(
        md.contains("| breaking | `int32bit.cinder.backups.create` | input `container` removed |"),
        "{md}"
    );

    let allowed = xtask(
        root,
        &[
            "catalog-diff",
            "HEAD",
            "--allow-breaking",
            "--format",
            "json",
        ],
    );
    assert!(allowed.status.success(), "{}", stderr(&allowed));
    let json: serde_json::Value = serde_json::from_slice(&allowed.stdout).unwrap();
    assert_eq!(json["changes"][0]["kind"], "input_removed");
    assert_eq!(json["changes"][0]["breaking"], true);

    let unknown = xtask(root, &["catalog-diff", "no-such-rev"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("is not a git revision"));
}
