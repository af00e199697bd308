//! Set-based migrations at scale: 2,000 synthetic actions registered by a handful of
//! statements, applied, re-applied (nothing changes), verified, changed (updates and
//! unregistrations in one migration) and reverted exactly, on real PostgreSQL and
//! MariaDB for every schema generation.

mod sql_db;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use codegen::model::{Dialect, SchemaGeneration};
use codegen::registration::OWNER_TAG;
use sql_db::Db;

const ACTIONS: usize = 2_000;

type Snapshot = Vec<BTreeMap<String, Option<String>>>;

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        codegen::synthetic::write(dir.path(), ACTIONS, 0).unwrap();
        let project = Project { dir };
        project.generate();
        project
    }

    fn generate(&self) {
        let (_, _, files) = codegen::generate(self.dir.path()).unwrap();
        codegen::output::apply(self.dir.path(), &files).unwrap();
    }

    fn sql(&self, d: &Dialect, g: &SchemaGeneration, file: &str) -> String {
        let path = self
            .dir
            .path()
            .join("generated/sql")
            .join(d.as_str())
            .join(g.as_str())
            .join(file);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn migration(&self, d: &Dialect, g: &SchemaGeneration, number: &str, dir: &str) -> String {
        let base = self
            .dir
            .path()
            .join("generated/sql")
            .join(d.as_str())
            .join(g.as_str());
        let name = fs::read_dir(&base)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with(number) && n.ends_with(&format!(".{dir}.sql")))
            .unwrap_or_else(|| panic!("no {number} {dir} migration in {}", base.display()));
        self.sql(d, g, &name)
    }
}

fn ours(s: &Snapshot) -> usize {
    s.iter()
        .filter(|r| r["tags"].as_deref().is_some_and(|t| t.contains(OWNER_TAG)))
        .count()
}

fn without(s: Snapshot, column: &str) -> Snapshot {
    s.into_iter()
        .map(|mut r| {
            r.remove(column);
            r
        })
        .collect()
}

/// Changes the descriptions of one spec file and removes another (40 actions each).
fn change(root: &Path) {
    let file = root.join("specs/actions/service0/resource1.yaml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        text.replace("of file 1)", "of file 1, it's 100% \\ $$ changed)"),
    )
    .unwrap();
    fs::remove_file(root.join("specs/actions/service0/resource2.yaml")).unwrap();
}

#[test]
fn two_thousand_actions_register_in_a_few_statements_and_revert_exactly() {
    let project = Project::new();
    let mut dbs = Vec::new();
    for dialect in Dialect::ALL {
        for generation in SchemaGeneration::ALL {
            let db = Db::new(&dialect, &generation, "scale");
            db.plant("f-1", "someone.elses.action", "[\"mine\"]", false, "theirs");
            let before = db.snapshot();
            let up = project.migration(&dialect, &generation, "0001", "up");
            let upserts = up.matches("\nINSERT INTO action_definitions_v2").count();
            assert_eq!(
                upserts,
                ACTIONS.div_ceil(500),
                "{dialect:?} {generation:?}: batches"
            );
            db.apply(&up).unwrap();
            let after = db.snapshot();
            assert_eq!(ours(&after), ACTIONS);
            db.apply(&up).unwrap();
            assert_eq!(db.snapshot(), after, "a second run changes nothing");
            let verify = project.sql(&dialect, &generation, "verify.sql");
            let (ok, out) = db.run_script(&verify);
            assert!(
                ok && out.contains(&format!("verified {ACTIONS} actions")),
                "{out}"
            );
            dbs.push((db, before, after));
        }
    }

    change(project.dir.path());
    project.generate();
    for (db, before, after) in &dbs {
        let (d, g) = (&db.dialect, &db.generation);
        let up = project.migration(d, g, "0002", "up");
        assert!(up.contains("-- Unregister 40 action(s)"), "{d:?} {g:?}");
        assert!(
            up.contains("-- Register or update 40 action(s)"),
            "{d:?} {g:?}"
        );
        db.apply(&up).unwrap();
        let changed = db.snapshot();
        assert_eq!(ours(&changed), ACTIONS - 40);
        db.apply(&up).unwrap();
        assert_eq!(db.snapshot(), changed, "a second run changes nothing");
        let (ok, out) = db.run_script(&project.sql(d, g, "verify.sql"));
        assert!(ok, "{out}");

        db.apply(&project.migration(d, g, "0002", "down")).unwrap();
        // Rows updated and put back carry the time of that change in updated_at;
        // re-inserted rows get a new created_at. Everything else is as it was.
        let strip = |s: Snapshot| without(without(s, "updated_at"), "created_at");
        assert_eq!(strip(db.snapshot()), strip(after.clone()), "{d:?} {g:?}");
        db.apply(&project.migration(d, g, "0001", "down")).unwrap();
        assert_eq!(&db.snapshot(), before, "{d:?} {g:?}: back to the start");
    }
}
