//! Append-only migrations: a spec change adds one small migration (applied and reverted on
//! real databases), nothing changes when the specs do not, and an edited or deleted
//! migration stops `generate` (and so `generate --check`).

mod sql_db;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use codegen::model::{Dialect, SchemaGeneration};
use codegen::Error;
use sql_db::{root, Db};

/// A copy of the project's specs/, generated/ and the runtime's custom functions the
/// specs name, to change freely.
fn project_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for dir in ["specs", "generated", "runtime/src/custom"] {
        copy_dir(&root().join(dir), &tmp.path().join(dir));
    }
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn regenerate(root: &Path) -> Vec<codegen::Change> {
    let (_, _, files) = codegen::generate(root).unwrap_or_else(|e| panic!("generate: {e}"));
    codegen::output::apply(root, &files).unwrap()
}

fn sql_files(root: &Path) -> BTreeMap<String, String> {
    let base = root.join("generated/sql");
    let mut out = BTreeMap::new();
    let mut stack = vec![base.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(&base)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, fs::read_to_string(&path).unwrap());
            }
        }
    }
    out
}

fn new_files(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<String> {
    after
        .keys()
        .filter(|k| !before.contains_key(*k))
        .cloned()
        .collect()
}

#[test]
fn unchanged_specs_add_no_migration() {
    let tmp = project_copy();
    let before = sql_files(tmp.path());
    let changes = regenerate(tmp.path());
    assert!(
        changes.iter().all(|c| !c.path().starts_with("sql/")),
        "{changes:?}"
    );
    assert_eq!(sql_files(tmp.path()), before);
}

fn edit_description(root: &Path) -> &'static str {
    let spec = root.join("specs/actions/system.yaml");
    let text = fs::read_to_string(&spec).unwrap();
    let (head, rest) = text
        .split_once("description: |\n")
        .expect("a block description");
    let edited = format!("{head}description: |\n      Changed: it's 100% \\ \"new\" $$;\n{rest}");
    fs::write(&spec, edited).unwrap();
    "int32bit.system.exec"
}

fn number_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap().split('_').next().unwrap()
}

#[test]
fn a_spec_change_adds_one_small_migration_per_target() {
    let tmp = project_copy();
    let before = sql_files(tmp.path());
    let name = edit_description(tmp.path());
    regenerate(tmp.path());
    let after = sql_files(tmp.path());
    for (path, text) in &before {
        // Migrations are append-only; verify.sql follows the newest specs.
        if path.ends_with(".sql") && !path.ends_with("/verify.sql") {
            assert_eq!(&after[path], text, "{path} was rewritten");
        }
    }
    let added = new_files(&before, &after);
    assert_eq!(added.len(), 12, "one up and one down per target: {added:?}");
    for path in &added {
        let previous = before
            .keys()
            .filter(|k| k.starts_with(path.rsplit_once('/').unwrap().0))
            .count()
            / 2;
        assert_eq!(number_of(path), format!("{:04}", previous + 1), "{path}");
        assert!(path.contains("update_int32bit_system_exec"), "{path}");
        let text = &after[path];
        assert_eq!(
            text.matches("-- Register ").count(),
            1,
            "{path}: only the changed action"
        );
        assert!(text.contains(&format!("~ {name}")), "{path}");
        assert!(
            !text.contains("int32bit.nova"),
            "{path}: unrelated actions stay out"
        );
    }
    assert!(
        regenerate(tmp.path()).is_empty(),
        "a second generate changes nothing"
    );

    // Apply 0001 then the new migration, and back, on both engines.
    for dialect in Dialect::ALL {
        let generation = SchemaGeneration::Ussuri;
        let dir = format!("{}/{}/", dialect.as_str(), generation.as_str());
        let db = Db::new(&dialect, &generation, "spec_change");
        let mut ups: Vec<&String> = after
            .keys()
            .filter(|k| k.starts_with(&dir) && k.ends_with(".up.sql"))
            .collect();
        ups.sort();
        let (last, earlier) = ups.split_last().unwrap();
        for up in earlier {
            db.apply(&after[*up]).unwrap();
        }
        let old = db.snapshot();
        db.apply(&after[*last]).unwrap();
        let new = db.snapshot();
        let row = |s: &[BTreeMap<String, Option<String>>]| {
            s.iter()
                .find(|r| r["name"].as_deref() == Some(name))
                .cloned()
                .unwrap()
        };
        assert!(row(&new)["description"]
            .as_deref()
            .unwrap()
            .starts_with("Changed: it's 100% \\ \"new\" $$;"));
        assert_eq!(row(&new)["created_at"], row(&old)["created_at"]);
        assert!(
            row(&new)["updated_at"].is_some(),
            "updated_at from the database clock"
        );
        db.apply(&after[*last]).unwrap();
        assert_eq!(db.snapshot(), new, "idempotent");
        let down = last.replace(".up.sql", ".down.sql");
        db.apply(&after[&down]).unwrap();
        let reverted = db.snapshot();
        // Everything but the update stamp is back: updated_at records the last change.
        let strip =
            |s: Vec<BTreeMap<String, Option<String>>>| -> Vec<BTreeMap<String, Option<String>>> {
                s.into_iter()
                    .map(|mut r| {
                        r.remove("updated_at");
                        r
                    })
                    .collect()
            };
        assert_eq!(
            strip(reverted),
            strip(old),
            "{dialect:?}: down restores the old registration"
        );
    }
}

#[test]
fn removing_actions_unregisters_them_and_down_restores_them() {
    let tmp = project_copy();
    let before = sql_files(tmp.path());
    let (model, _) = codegen::spec::load(tmp.path()).unwrap();
    let removed = model
        .actions
        .iter()
        .filter(|a| a.origin.file == "specs/actions/trove/backups.yaml")
        .count();
    fs::remove_file(tmp.path().join("specs/actions/trove/backups.yaml")).unwrap();
    regenerate(tmp.path());
    let after = sql_files(tmp.path());
    let added = new_files(&before, &after);
    assert_eq!(added.len(), 12, "{added:?}");
    assert!(
        added
            .iter()
            .all(|p| p.contains(&format!("_unregister_{removed}."))),
        "{added:?}"
    );
    let dialect = Dialect::Mysql;
    let generation = SchemaGeneration::PikeToTrain;
    let dir = format!("{}/{}/", dialect.as_str(), generation.as_str());
    let db = Db::new(&dialect, &generation, "removal");
    let mut ups: Vec<&String> = after
        .keys()
        .filter(|k| k.starts_with(&dir) && k.ends_with(".up.sql"))
        .collect();
    ups.sort();
    let (last, earlier) = ups.split_last().unwrap();
    for up in earlier {
        db.apply(&after[*up]).unwrap();
    }
    let old = db.snapshot();
    db.apply(&after[*last]).unwrap();
    let names: Vec<String> = db
        .snapshot()
        .iter()
        .map(|r| r["name"].clone().unwrap())
        .collect();
    assert_eq!(names.len(), old.len() - removed);
    assert!(!names
        .iter()
        .any(|n| n.starts_with("int32bit.trove.backups.")));
    db.apply(&after[&last.replace(".up.sql", ".down.sql")])
        .unwrap();
    // Re-inserted rows get a new created_at (and no updated_at, though an earlier
    // migration may have updated them); every other column is back.
    let strip =
        |s: Vec<BTreeMap<String, Option<String>>>| -> Vec<BTreeMap<String, Option<String>>> {
            s.into_iter()
                .map(|mut r| {
                    r.remove("created_at");
                    r.remove("updated_at");
                    r
                })
                .collect()
        };
    assert_eq!(strip(db.snapshot()), strip(old));
}

fn generate_error(root: &Path) -> String {
    match codegen::generate(root) {
        Err(Error::State(msg)) => msg,
        Err(other) => panic!("expected an SQL history error, got {other}"),
        Ok(_) => panic!("generate accepted a tampered migration"),
    }
}

fn first_migration(root: &Path) -> PathBuf {
    root.join("generated/sql/postgresql/ussuri")
        .read_dir()
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".up.sql"))
        .min()
        .unwrap()
}

#[test]
fn an_edited_migration_stops_generate() {
    let tmp = project_copy();
    let file = first_migration(tmp.path());
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, text.replace("COMMIT;", "-- harmless?\nCOMMIT;")).unwrap();
    let msg = generate_error(tmp.path());
    let rel = file
        .strip_prefix(tmp.path())
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(msg.contains(&rel) && msg.contains("was edited"), "{msg}");
    assert!(msg.contains("append-only"), "{msg}");
}

#[test]
fn a_deleted_migration_stops_generate() {
    let tmp = project_copy();
    let file = first_migration(tmp.path());
    fs::remove_file(&file).unwrap();
    let msg = generate_error(tmp.path());
    assert!(msg.contains("was removed"), "{msg}");
}

#[test]
fn a_fresh_project_starts_at_0001_and_takeover_is_opt_in() {
    let tmp = project_copy();
    fs::remove_dir_all(tmp.path().join("generated")).unwrap();
    let project = tmp.path().join("specs/project.yaml");
    let text = fs::read_to_string(&project).unwrap();
    fs::write(&project, format!("{text}\nsql_takeover: true\n")).unwrap();
    regenerate(tmp.path());
    let files = sql_files(tmp.path());
    let ups: Vec<&String> = files.keys().filter(|k| k.ends_with(".up.sql")).collect();
    assert_eq!(ups.len(), 6);
    for up in ups {
        assert!(
            up.rsplit('/').next().unwrap().starts_with("0001_register_"),
            "{up}"
        );
        assert!(files[up].contains("sql_takeover is on"), "{up}");
        assert!(files[up].contains("Take over same-name actions"), "{up}");
        let down = &files[&up.replace(".up.", ".down.")];
        assert!(
            !down.contains("Take over"),
            "a revert never deletes others' rows"
        );
    }
}
