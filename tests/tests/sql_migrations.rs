//! The checked-in migrations under generated/sql/, applied to real PostgreSQL and MariaDB
//! tables created from Mistral's own schemas, for every engine × schema generation.

mod sql_db;

use std::collections::BTreeMap;
use std::path::PathBuf;

use codegen::emit::sql;
use codegen::model::{Dialect, SchemaGeneration};
use codegen::registration::{Row, OWNER_TAG};
use sql_db::{root, targets, Db};

type Snapshot = Vec<BTreeMap<String, Option<String>>>;

/// `NNNN_*.up.sql` / `.down.sql` of one target, in order.
fn migrations(dir: &std::path::Path, direction: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(&format!(".{direction}.sql")))
        .collect();
    files.sort();
    files
}

fn target_dir(root: &std::path::Path, d: &Dialect, g: &SchemaGeneration) -> PathBuf {
    root.join("generated/sql").join(d.as_str()).join(g.as_str())
}

fn desired() -> BTreeMap<String, Row> {
    let (model, _) = codegen::spec::load(&root()).expect("specs load");
    sql::desired(&model).unwrap()
}

fn plant_foreign(db: &Db) {
    db.plant(
        "f-adhoc",
        "someone.elses.action",
        "[\"mine\"]",
        false,
        "It's theirs; 100% \\ \"quoted\" $$ ;",
    );
    db.plant("f-system", "std.echo_like", "[]", true, "a builtin");
}

fn ours(snapshot: &Snapshot) -> BTreeMap<String, BTreeMap<String, Option<String>>> {
    snapshot
        .iter()
        .filter(|r| r["tags"].as_deref().is_some_and(|t| t.contains(OWNER_TAG)))
        .map(|r| (r["name"].clone().unwrap(), r.clone()))
        .collect()
}

fn foreign(snapshot: &Snapshot) -> Snapshot {
    snapshot
        .iter()
        .filter(|r| !r["tags"].as_deref().is_some_and(|t| t.contains(OWNER_TAG)))
        .cloned()
        .collect()
}

/// Our rows hold exactly the registrations, with Mistral's constants around them.
fn assert_registered(db: &Db, snapshot: &Snapshot, want: &BTreeMap<String, Row>) {
    let got = ours(snapshot);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    let (is_false, has_ns) = match db.dialect {
        Dialect::Postgresql => ("false", db.generation != SchemaGeneration::PikeToTrain),
        Dialect::Mysql => ("0", db.generation != SchemaGeneration::PikeToTrain),
    };
    for (name, row) in want {
        let r = &got[name];
        for (column, value) in row.texts() {
            assert_eq!(r[column].as_deref(), value, "{name}: column {column}");
        }
        assert_eq!(r["scope"].as_deref(), Some("public"), "{name}");
        assert_eq!(
            r["project_id"].as_deref(),
            Some("<default-project>"),
            "{name}"
        );
        assert_eq!(r["is_system"].as_deref(), Some(is_false), "{name}");
        assert_eq!(r["action_class"], None, "{name}");
        assert_eq!(r["attributes"], None, "{name}");
        assert!(
            r["created_at"].is_some(),
            "{name}: created_at from the database clock"
        );
        if has_ns {
            assert_eq!(
                r["namespace"].as_deref(),
                Some(""),
                "{name}: Mistral's default namespace"
            );
        } else {
            assert!(!r.contains_key("namespace"));
        }
        if r.contains_key("workbook_name") {
            assert_eq!(r["workbook_name"], None);
        }
        let spec: serde_json::Value = serde_json::from_str(&row.spec).unwrap();
        assert_eq!(spec["name"], name.as_str());
        assert_eq!(spec["base"], "std.http");
        assert!(
            spec["base-input"]["body"].is_object(),
            "body, not json: Pike's std.http has no json"
        );
    }
}

fn round_trip(dialect: Dialect, generation: SchemaGeneration) {
    let db = Db::new(&dialect, &generation, "round_trip");
    plant_foreign(&db);
    let before = db.snapshot();
    assert_eq!(before.len(), 2);
    let dir = target_dir(&root(), &dialect, &generation);
    let ups = migrations(&dir, "up");
    assert!(!ups.is_empty(), "no migrations in {}", dir.display());
    // Each migration run twice in a row: the second run changes nothing.
    for up in &ups {
        db.apply_file(up)
            .unwrap_or_else(|e| panic!("{}: {e}", up.display()));
        let once = db.snapshot();
        db.apply_file(up)
            .unwrap_or_else(|e| panic!("second run of {}: {e}", up.display()));
        assert_eq!(
            db.snapshot(),
            once,
            "running {} again changes nothing",
            up.display()
        );
    }
    let after = db.snapshot();
    assert_registered(&db, &after, &desired());
    assert_eq!(foreign(&after), before, "foreign rows untouched");

    // The last migration again, after all of them: still nothing.
    db.apply_file(ups.last().unwrap()).unwrap();
    assert_eq!(
        db.snapshot(),
        after,
        "the newest migration again changes nothing"
    );

    for down in migrations(&dir, "down").iter().rev() {
        db.apply_file(down)
            .unwrap_or_else(|e| panic!("{}: {e}", down.display()));
    }
    assert_eq!(db.snapshot(), before, "the downs restore the table exactly");
}

/// A same-name row we do not own stops the first migration with a message naming it, and
/// the table is exactly as before (on MySQL even when the client goes on after errors).
fn conflict(dialect: Dialect, generation: SchemaGeneration) {
    let db = Db::new(&dialect, &generation, "conflict");
    let want = desired();
    let up = &migrations(&target_dir(&root(), &dialect, &generation), "up")[0];
    // An action the first migration registers (later ones hold later actions).
    let first = std::fs::read_to_string(up).unwrap();
    let victim = want
        .keys()
        .filter(|name| first.contains(&format!("'{name}'")))
        .nth(3)
        .expect("the first migration registers several actions");
    plant_foreign(&db);
    db.plant(
        "f-seed",
        victim,
        "[]",
        true,
        "registered by the original Python tool",
    );
    let before = db.snapshot();
    let err = db
        .apply_file(up)
        .expect_err("a foreign same-name row must abort the migration");
    assert!(
        err.contains(victim.as_str()),
        "the message names {victim}: {err}"
    );
    assert!(err.contains("not registered by mistral-actions"), "{err}");
    assert_eq!(db.snapshot(), before, "nothing changed");
    if dialect == Dialect::Mysql {
        let sql = std::fs::read_to_string(up).unwrap();
        let _ = db.apply_with(&sql, true);
        assert_eq!(
            db.snapshot(),
            before,
            "nothing changed even with mysql --force"
        );
    }
    // Unregistering never touches the foreign row either.
    let (model, _) = codegen::spec::load(&root()).unwrap();
    let target = sql::Target {
        dialect: dialect.clone(),
        generation: generation.clone(),
    };
    db.apply(&sql::unregister(&target, std::slice::from_ref(victim)))
        .unwrap();
    db.apply(&sql::clear(&target)).unwrap();
    assert_eq!(
        db.snapshot(),
        before,
        "unregister and clear leave foreign rows alone"
    );
    // --override takes the name over; sync then leaves exactly the specs' rows.
    db.apply(&sql::register(&model, &target, std::slice::from_ref(victim), true).unwrap())
        .unwrap();
    let taken = db.snapshot();
    assert_eq!(ours(&taken).keys().collect::<Vec<_>>(), vec![victim]);
    assert!(!taken.iter().any(|r| r["id"].as_deref() == Some("f-seed")));
    db.apply(&sql::sync(&model, &target, false).unwrap())
        .unwrap();
    let synced = db.snapshot();
    assert_registered(&db, &synced, &want);
    db.apply(&sql::sync(&model, &target, false).unwrap())
        .unwrap();
    assert_eq!(db.snapshot(), synced, "sync is idempotent");
    db.apply(&sql::clear(&target)).unwrap();
    assert!(ours(&db.snapshot()).is_empty());
}

macro_rules! per_target {
    ($($name:ident: $d:ident $g:ident;)*) => {
        mod round_trip {
            use super::*;
            $(#[test] fn $name() { round_trip(Dialect::$d, SchemaGeneration::$g) })*
        }
        mod foreign_row_conflict {
            use super::*;
            $(#[test] fn $name() { conflict(Dialect::$d, SchemaGeneration::$g) })*
        }
    };
}

per_target! {
    postgresql_pike_to_train: Postgresql PikeToTrain;
    postgresql_ussuri: Postgresql Ussuri;
    postgresql_victoria_to_2026: Postgresql VictoriaTo2026;
    mysql_pike_to_train: Mysql PikeToTrain;
    mysql_ussuri: Mysql Ussuri;
    mysql_victoria_to_2026: Mysql VictoriaTo2026;
}

#[test]
fn every_target_has_migrations() {
    for (d, g) in targets() {
        let dir = target_dir(&root(), &d, &g);
        assert_eq!(
            migrations(&dir, "up").len(),
            migrations(&dir, "down").len(),
            "{}",
            dir.display()
        );
        assert!(!migrations(&dir, "up").is_empty(), "{}", dir.display());
    }
}
