//! `int32bit.cinder.backups.create_backup` on real Cinder: chains of at most 5 backups,
//! only chains this tool started are extended, under Cinder's rule that an incremental
//! backup always builds on the volume's newest available backup.

use serde_json::{json, Value};

use crate::support::{text, unique, user_server, Fixtures, Served};

const CREATE_BACKUP: &str = "int32bit.cinder.backups.create_backup";

/// One chained backup, finished; returns what the action answered.
async fn chained(s: &Served, f: &Fixtures, volume: &str) -> Value {
    let made = s.ok(CREATE_BACKUP, json!({ "volume_id": volume })).await;
    f.backup_done(&text(&made["id"]), volume).await;
    made
}

/// `is_incremental` of the volume's backups as Cinder reports them, oldest first.
async fn kinds(f: &Fixtures, volume: &str) -> Vec<bool> {
    f.backups_of(volume)
        .await
        .iter()
        .map(|b| b["is_incremental"].as_bool().unwrap())
        .collect()
}

#[tokio::test]
async fn a_chain_grows_to_five_then_a_new_full_backup_starts_one() {
    let f = Fixtures::user();
    let s = user_server().await;
    let name = unique("chain");
    let volume = f.volume(&name).await;

    let first = chained(&s, &f, &volume).await;
    assert_eq!(first["is_incremental"], false, "no backup yet: {first}");
    let detail = f
        .get("volumev3", &format!("/backups/{}", text(&first["id"])))
        .await;
    assert!(text(&detail["backup"]["name"]).starts_with(&format!("{name}_snap_20")));
    assert!(text(&detail["backup"]["description"]).starts_with("Created by Mistral at 20"));

    for _ in 1..5 {
        chained(&s, &f, &volume).await;
    }
    assert_eq!(kinds(&f, &volume).await, [false, true, true, true, true]);
    // The chain holds 5: the next backup is full, and the one after extends it.
    chained(&s, &f, &volume).await;
    chained(&s, &f, &volume).await;
    assert_eq!(
        kinds(&f, &volume).await,
        [false, true, true, true, true, false, true]
    );
}

#[tokio::test]
async fn a_newer_foreign_backup_is_not_built_on() {
    let f = Fixtures::user();
    let s = user_server().await;
    let volume = f.volume(&unique("foreign")).await;
    chained(&s, &f, &volume).await;
    chained(&s, &f, &volume).await;
    // An operator's full backup is now the newest: Cinder would extend it, and it is not
    // ours, so the action makes a full backup of its own.
    f.foreign_backup(&volume, false).await;
    let made = chained(&s, &f, &volume).await;
    assert_eq!(made["is_incremental"], false, "{made}");
    let again = chained(&s, &f, &volume).await;
    assert_eq!(again["is_incremental"], true, "{again}");
    assert_eq!(kinds(&f, &volume).await, [false, true, false, false, true]);
}

#[tokio::test]
async fn only_this_volume_s_backups_count() {
    let f = Fixtures::user();
    let s = user_server().await;
    let ours = f.volume(&unique("one")).await;
    let other = f.volume(&unique("other")).await;
    chained(&s, &f, &other).await;
    chained(&s, &f, &other).await;
    let made = chained(&s, &f, &ours).await;
    assert_eq!(made["is_incremental"], false, "{made}");
}
