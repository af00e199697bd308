//! `sql unregister NAME…` applied to real PostgreSQL and MariaDB: it removes our row of a
//! name, leaves somebody else's row of a name alone, and says so per name when it runs,
//! `NOT FOUND` included, as the original tool did.

mod sql_db;

use codegen::emit::sql;
use codegen::model::{Dialect, SchemaGeneration};
use sql_db::{root, targets, Db};

fn says_what_it_does(dialect: Dialect, generation: SchemaGeneration) {
    let db = Db::new(&dialect, &generation, "unregister");
    let target = sql::Target {
        dialect: dialect.clone(),
        generation: generation.clone(),
    };
    let (model, _) = codegen::spec::load(&root()).unwrap();
    let ours = model.actions[0].name.clone();
    db.apply(&sql::register(&model, &target, std::slice::from_ref(&ours), false).unwrap())
        .unwrap();
    db.plant(
        "f-theirs",
        "someone.elses.action",
        "[\"mine\"]",
        false,
        "theirs",
    );
    let names = [
        ours.clone(),
        "someone.elses.action".to_string(),
        "nobody.has.this".to_string(),
    ];
    let printed = db.apply(&sql::unregister(&target, &names)).unwrap();
    let outcome = |name: &str| {
        printed
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no line for {name}: {printed}"))
            .to_string()
    };
    assert!(outcome(&ours).contains("removed"), "{printed}");
    assert!(
        outcome("someone.elses.action").contains("left alone: not registered by mistral-actions"),
        "{printed}"
    );
    assert!(
        outcome("nobody.has.this").contains("NOT FOUND"),
        "{printed}"
    );
    let left: Vec<String> = db
        .snapshot()
        .iter()
        .filter_map(|r| r["name"].clone())
        .collect();
    assert_eq!(left, ["someone.elses.action"]);
}

#[test]
fn unregister_says_what_it_removes_and_what_it_leaves_alone() {
    for (dialect, generation) in targets() {
        says_what_it_does(dialect, generation);
    }
}
