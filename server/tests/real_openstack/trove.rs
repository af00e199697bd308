//! `int32bit.trove.backups.create_backup` on real Trove: it names the parent, so it
//! extends the shortest chain of ours; `incremental` goes as 0/1; every page counts.

use serde_json::{json, Value};

use crate::support::{settle, text, unique, user_server, Fixtures, Served};

const CREATE_BACKUP: &str = "int32bit.trove.backups.create_backup";

/// One chained backup, COMPLETED; returns Trove's view of it.
async fn chained(s: &Served, f: &Fixtures, instance: &str) -> Value {
    let made = s
        .ok(CREATE_BACKUP, json!({ "instance_id": instance }))
        .await;
    let id = text(&made["id"]);
    settle("trove-backup-completed", &id);
    f.get("database", &format!("/backups/{id}")).await["backup"].clone()
}

#[tokio::test]
async fn chains_continue_to_five_then_restart() {
    let f = Fixtures::user();
    let s = user_server().await;
    let name = unique("trove");
    let instance = f.trove_instance(&name).await;
    let first = chained(&s, &f, &instance).await;
    assert_eq!(first["parent_id"], Value::Null, "{first}");
    assert!(text(&first["name"]).starts_with(&format!("{name}_snap_20")));
    assert!(text(&first["description"]).starts_with("Created by Mistral at 20"));
    let mut parent = text(&first["id"]);
    for _ in 1..5 {
        let next = chained(&s, &f, &instance).await;
        assert_eq!(next["parent_id"], Value::from(parent.as_str()), "{next}");
        parent = text(&next["id"]);
    }
    let restarted = chained(&s, &f, &instance).await;
    assert_eq!(
        restarted["parent_id"],
        Value::Null,
        "a chain holds 5: {restarted}"
    );
    let next = chained(&s, &f, &instance).await;
    assert_eq!(next["parent_id"], restarted["id"], "{next}");
}

#[tokio::test]
async fn more_than_a_page_of_other_backups_hides_nothing() {
    let f = Fixtures::user();
    let s = user_server().await;
    let instance = f.trove_instance(&unique("paged")).await;
    let first = chained(&s, &f, &instance).await;
    // Trove lists 20 backups a page, newest first: 21 newer backups of another instance
    // (and a foreign chain root on ours) must not hide our chain.
    let other = f.trove_instance(&unique("busy")).await;
    for _ in 0..21 {
        f.foreign_trove_backup(&other, None).await;
    }
    f.foreign_trove_backup(&instance, None).await;
    let next = chained(&s, &f, &instance).await;
    assert_eq!(next["parent_id"], first["id"], "{next}");
}

#[tokio::test]
async fn the_instance_must_be_active() {
    let f = Fixtures::user();
    let s = user_server().await;
    let e = crate::support::env();
    let body = f
        .post(
            "database",
            "/instances",
            json!({"instance": {
                "name": unique("building"),
                "flavorRef": e["flavor_id"],
                "volume": {"size": 1},
                "datastore": {"type": e["trove"]["datastore"],
                              "version": e["trove"]["datastore_version"]},
            }}),
        )
        .await;
    let id = text(&body["instance"]["id"]);
    let m = s
        .fails(CREATE_BACKUP, json!({ "instance_id": id }), 409)
        .await;
    assert!(
        m.starts_with("The instance status should be 'ACTIVE', but current status is "),
        "{m}"
    );
}
