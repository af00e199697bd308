//! `generated/sql/<dialect>/<generation>/verify.sql` on real PostgreSQL and MariaDB, for
//! every schema generation: it passes after the migrations, and fails naming the action
//! after each kind of drift an operator could meet (a hand-edited definition, a deleted
//! row, an extra row of ours, a foreign row holding one of our names), and names every
//! action after the downs. It never writes.

mod sql_db;

use std::path::PathBuf;

use codegen::model::{Dialect, SchemaGeneration};
use codegen::registration::OWNER_TAG;
use sql_db::{root, Db};

fn dir(d: &Dialect, g: &SchemaGeneration) -> PathBuf {
    root()
        .join("generated/sql")
        .join(d.as_str())
        .join(g.as_str())
}

fn files(dir: &std::path::Path, suffix: &str) -> Vec<String> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    out.iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

fn names() -> Vec<String> {
    let (model, _) = codegen::spec::load(&root()).unwrap();
    model.actions.iter().map(|a| a.name.clone()).collect()
}

/// Runs verify.sql, checking that it changed nothing; whether it passed and its output.
fn verify(db: &Db, script: &str) -> (bool, String) {
    let before = db.snapshot();
    let result = db.run_script(script);
    assert_eq!(db.snapshot(), before, "verify.sql wrote to the table");
    result
}

fn fails_naming(db: &Db, script: &str, name: &str, what: &str) {
    let (ok, out) = verify(db, script);
    assert!(!ok, "verify passed despite {what}:\n{out}");
    let line = out
        .lines()
        .find(|l| l.contains(name))
        .unwrap_or_else(|| panic!("{what}: {name} not named in:\n{out}"));
    assert!(line.contains(what), "{what}: {line}");
}

fn check(dialect: Dialect, generation: SchemaGeneration) {
    let db = Db::new(&dialect, &generation, "verify");
    let dir = dir(&dialect, &generation);
    let script = std::fs::read_to_string(dir.join("verify.sql")).unwrap();
    let ups = files(&dir, ".up.sql");
    let downs = files(&dir, ".down.sql");
    let all = names();
    let apply_ups = || {
        for up in &ups {
            db.apply(up).unwrap();
        }
    };
    db.plant(
        "f-other",
        "someone.elses.action",
        "[\"mine\"]",
        false,
        "theirs",
    );
    apply_ups();
    let (ok, out) = verify(&db, &script);
    assert!(ok, "{out}");
    assert!(
        out.contains(&format!("verified {} actions", all.len())),
        "{out}"
    );

    let victim = &all[2];
    db.apply(&format!(
        "UPDATE action_definitions_v2 SET {} WHERE name = '{victim}'",
        db.append_sql("definition", "# edited by hand")
    ))
    .unwrap();
    fails_naming(&db, &script, victim, "definition differs");
    apply_ups();
    assert!(verify(&db, &script).0, "the ups repair a hand edit");

    db.apply(&format!(
        "DELETE FROM action_definitions_v2 WHERE name = '{victim}'"
    ))
    .unwrap();
    fails_naming(&db, &script, victim, "missing");
    apply_ups();

    let extra = "int32bit.not.in.the.specs";
    db.plant(
        "f-extra",
        extra,
        &format!("[\"{OWNER_TAG}\"]"),
        false,
        "ours, but no spec has it",
    );
    fails_naming(&db, &script, extra, "not in the specs");
    db.apply("DELETE FROM action_definitions_v2 WHERE id = 'f-extra'")
        .unwrap();
    assert!(verify(&db, &script).0);

    let taken = &all[5];
    db.apply(&format!(
        "DELETE FROM action_definitions_v2 WHERE name = '{taken}'"
    ))
    .unwrap();
    db.plant("f-taken", taken, "[]", false, "someone else's");
    fails_naming(
        &db,
        &script,
        taken,
        "held by a row not registered by mistral-actions",
    );
    db.apply("DELETE FROM action_definitions_v2 WHERE id = 'f-taken'")
        .unwrap();
    apply_ups();
    assert!(verify(&db, &script).0);

    for down in downs.iter().rev() {
        db.apply(down).unwrap();
    }
    let (ok, out) = verify(&db, &script);
    assert!(!ok, "verify passed after the downs:\n{out}");
    for name in &all {
        assert!(
            out.lines()
                .any(|l| l.contains(name.as_str()) && l.contains("missing")),
            "{name} not reported missing:\n{out}"
        );
    }
}

macro_rules! per_target {
    ($($name:ident: $d:ident $g:ident;)*) => {
        $(#[test] fn $name() { check(Dialect::$d, SchemaGeneration::$g) })*
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
