//! Cinder: `create` with every input the README shows, and `create_snapshot`, on real
//! Cinder with the real cinder-backup service.

use serde_json::{json, Value};

use crate::support::{text, unique, user_server, Fixtures};

const CREATE: &str = "int32bit.cinder.backups.create";

fn starts_ours(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|d| d.starts_with("Created by Mistral at 20"))
}

#[tokio::test]
async fn create_with_every_input_and_a_first_incremental_that_becomes_full() {
    let f = Fixtures::user();
    let s = user_server().await;
    let volume_name = unique("create");
    let volume = f.volume(&volume_name).await;
    let snapshot = f
        .post(
            "volumev3",
            "/snapshots",
            json!({"snapshot": {"volume_id": volume, "name": "for-backup"}}),
        )
        .await;
    let snapshot = text(&snapshot["snapshot"]["id"]);
    f.wait_for(
        "volumev3",
        &format!("/snapshots/{snapshot}"),
        "/snapshot/status",
        "available",
    )
    .await;

    // Every input; `incremental` on a volume without backups: Cinder would refuse
    // ("No backups available to do an incremental backup."), so the action makes it full.
    let first = s
        .ok(
            CREATE,
            json!({"volume_id": volume, "backup_name": "nightly", "snapshot_id": snapshot,
                   "description": "before the upgrade", "container": "ma-backups",
                   "incremental": true, "force": true}),
        )
        .await;
    assert_eq!(first["is_incremental"], false, "{first}");
    assert!(
        first["incremental_skipped"]
            .as_str()
            .is_some_and(|m| m.contains("no available backup")),
        "{first}"
    );
    let id = text(&first["id"]);
    f.backup_done(&id, &volume).await;
    let detail = f.get("volumev3", &format!("/backups/{id}")).await["backup"].clone();
    assert_eq!(detail["name"], "nightly");
    assert_eq!(detail["description"], "before the upgrade");
    assert_eq!(detail["container"], "ma-backups");
    assert_eq!(detail["snapshot_id"], Value::from(snapshot.as_str()));
    assert_eq!(detail["is_incremental"], false);

    // Defaults only: incremental (the default), now that a backup is available.
    let second = s
        .ok(
            CREATE,
            json!({"volume_id": volume, "backup_name": "second"}),
        )
        .await;
    assert_eq!(second["is_incremental"], true, "{second}");
    assert!(second.get("incremental_skipped").is_none(), "{second}");
    let id = text(&second["id"]);
    f.backup_done(&id, &volume).await;
    let detail = f.get("volumev3", &format!("/backups/{id}")).await["backup"].clone();
    assert_eq!(detail["is_incremental"], true, "{detail}");

    // A full backup when asked.
    let third = s
        .ok(
            CREATE,
            json!({"volume_id": volume, "backup_name": "full", "incremental": false}),
        )
        .await;
    assert_eq!(third["is_incremental"], false);
    f.backup_done(&text(&third["id"]), &volume).await;
}

#[tokio::test]
async fn create_snapshot_is_forced_and_named_after_the_volume() {
    let f = Fixtures::user();
    let s = user_server().await;
    let name = unique("snap");
    let volume = f.volume(&name).await;
    let made = s
        .ok(
            "int32bit.cinder.snapshots.create_snapshot",
            json!({ "volume_id": volume }),
        )
        .await;
    let id = text(&made["id"]);
    let snapshot = f
        .wait_for(
            "volumev3",
            &format!("/snapshots/{id}"),
            "/snapshot/status",
            "available",
        )
        .await;
    let snapshot = &snapshot["snapshot"];
    assert_eq!(snapshot["volume_id"], Value::from(volume.as_str()));
    assert!(
        text(&snapshot["name"]).starts_with(&format!("{name}_snap_20")),
        "{snapshot}"
    );
    assert!(starts_ours(&snapshot["description"]), "{snapshot}");
}
