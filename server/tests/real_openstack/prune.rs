//! Retention on real Cinder (with the real cinder-backup) and real Trove (with
//! trove-taskmanager's own delete path): `int32bit.cinder.backups.prune` and
//! `int32bit.trove.backups.prune` keep the newest chains of ours, delete the older ones in
//! an order the service accepts, never touch a foreign backup or a chain still being
//! made, change nothing in a dry run, and can be called again while deletes run.

use serde_json::{json, Value};

use crate::support::{settle, text, unique, user_server, Fixtures, Served};

const CINDER_CREATE: &str = "int32bit.cinder.backups.create_backup";
const CINDER_PRUNE: &str = "int32bit.cinder.backups.prune";
const TROVE_CREATE: &str = "int32bit.trove.backups.create_backup";
const TROVE_PRUNE: &str = "int32bit.trove.backups.prune";

fn ids(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(text).collect()
}

/// `n` backups of ours on `volume`, each finished; their ids in order.
async fn cinder_backups(s: &Served, f: &Fixtures, volume: &str, n: usize) -> Vec<String> {
    let mut made = Vec::new();
    for _ in 0..n {
        let b = s.ok(CINDER_CREATE, json!({ "volume_id": volume })).await;
        let id = text(&b["id"]);
        f.backup_done(&id, volume).await;
        made.push(id);
    }
    made
}

fn volume_backup_ids(backups: &[Value]) -> Vec<String> {
    backups.iter().map(|b| text(&b["id"])).collect()
}

fn newest_first(chain: &[String]) -> Vec<String> {
    chain.iter().rev().cloned().collect()
}

#[tokio::test]
async fn cinder_keeps_the_newest_chains_deletes_the_oldest_children_first() {
    let f = Fixtures::user();
    let s = user_server().await;
    let volume = f.volume(&unique("prune")).await;
    let oldest = cinder_backups(&s, &f, &volume, 5).await;
    let middle = cinder_backups(&s, &f, &volume, 5).await;
    let foreign = f.foreign_backup(&volume, false).await;
    let newest = cinder_backups(&s, &f, &volume, 2).await;
    let before = volume_backup_ids(&f.backups_of(&volume).await);
    assert_eq!(before.len(), 13);

    let dry = s
        .ok(
            CINDER_PRUNE,
            json!({ "volume_id": volume, "keep_chains": 2, "dry_run": true }),
        )
        .await;
    assert_eq!(ids(&dry["deleted"]), newest_first(&oldest), "{dry}");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(volume_backup_ids(&f.backups_of(&volume).await), before);

    let done = s
        .ok(
            CINDER_PRUNE,
            json!({ "volume_id": volume, "keep_chains": 2 }),
        )
        .await;
    assert_eq!(ids(&done["deleted"]), newest_first(&oldest), "{done}");
    assert_eq!(ids(&done["waiting"]), Vec::<String>::new(), "{done}");
    let mut kept = newest.clone();
    kept.extend(middle.iter().cloned());
    assert_eq!(ids(&done["kept"]), kept, "{done}");
    let mut left = middle.clone();
    left.push(foreign.clone());
    left.extend(newest.iter().cloned());
    assert_eq!(volume_backup_ids(&f.backups_of(&volume).await), left);

    // Nothing more to do: the same call again deletes nothing.
    let again = s
        .ok(
            CINDER_PRUNE,
            json!({ "volume_id": volume, "keep_chains": 2 }),
        )
        .await;
    assert_eq!(ids(&again["deleted"]), Vec::<String>::new(), "{again}");
}

#[tokio::test]
async fn cinder_leaves_a_chain_with_a_backup_being_made_whole() {
    let f = Fixtures::user();
    let s = user_server().await;
    let volume = f.volume(&unique("busy")).await;
    let old = cinder_backups(&s, &f, &volume, 5).await;
    cinder_backups(&s, &f, &volume, 1).await;
    // As if cinder-backup were still writing one of the old chain.
    settle("cinder-backup-creating", &old[2]);
    let done = s
        .ok(
            CINDER_PRUNE,
            json!({ "volume_id": volume, "keep_chains": 1 }),
        )
        .await;
    assert_eq!(ids(&done["deleted"]), Vec::<String>::new(), "{done}");
    assert_eq!(f.backups_of(&volume).await.len(), 6);
}

#[tokio::test]
async fn cinder_prune_called_twice_at_once_finishes_the_job() {
    let f = Fixtures::user();
    let s = user_server().await;
    let volume = f.volume(&unique("twice")).await;
    let old = cinder_backups(&s, &f, &volume, 5).await;
    let new = cinder_backups(&s, &f, &volume, 1).await;
    let input = json!({ "volume_id": volume, "keep_chains": 1 });
    let (a, b) = tokio::join!(s.ok(CINDER_PRUNE, input.clone()), s.ok(CINDER_PRUNE, input));
    let mut deleted = ids(&a["deleted"]);
    deleted.extend(ids(&b["deleted"]));
    deleted.sort();
    let mut want = old.clone();
    want.sort();
    assert_eq!(
        deleted, want,
        "each backup deleted once by one of them: {a} {b}"
    );
    assert_eq!(volume_backup_ids(&f.backups_of(&volume).await), new);
}

/// One chained Trove backup of ours, COMPLETED; its id.
async fn trove_backup(s: &Served, instance: &str) -> String {
    let made = s.ok(TROVE_CREATE, json!({ "instance_id": instance })).await;
    let id = text(&made["id"]);
    settle("trove-backup-completed", &id);
    id
}

async fn trove_backups(s: &Served, instance: &str, n: usize) -> Vec<String> {
    let mut made = Vec::new();
    for _ in 0..n {
        made.push(trove_backup(s, instance).await);
    }
    made
}

/// The instance's backups Trove still lists (the taskmanager removes them
/// asynchronously), sorted.
async fn trove_listed(f: &Fixtures, instance: &str) -> Vec<String> {
    let body = f
        .get("database", &format!("/backups?instance_id={instance}"))
        .await;
    let mut listed: Vec<String> = body["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| text(&b["id"]))
        .collect();
    listed.sort();
    listed
}

#[tokio::test]
async fn trove_keeps_the_newest_chains_and_deletes_the_oldest_through_its_root() {
    let f = Fixtures::user();
    let s = user_server().await;
    let instance = f.trove_instance(&unique("prune")).await;
    let oldest = trove_backups(&s, &instance, 5).await;
    let middle = trove_backups(&s, &instance, 5).await;
    let foreign = f.foreign_trove_backup(&instance, None).await;
    let newest = trove_backups(&s, &instance, 2).await;

    let dry = s
        .ok(
            TROVE_PRUNE,
            json!({ "instance_id": instance, "keep_chains": 2, "dry_run": true }),
        )
        .await;
    assert_eq!(ids(&dry["deleted"]), newest_first(&oldest), "{dry}");
    assert_eq!(trove_listed(&f, &instance).await.len(), 13);

    let done = s
        .ok(
            TROVE_PRUNE,
            json!({ "instance_id": instance, "keep_chains": 2 }),
        )
        .await;
    assert_eq!(ids(&done["deleted"]), newest_first(&oldest), "{done}");
    assert_eq!(ids(&done["waiting"]), Vec::<String>::new(), "{done}");
    let mut left: Vec<String> = middle.iter().chain(&newest).cloned().collect();
    left.push(foreign);
    left.sort();
    assert_eq!(trove_listed(&f, &instance).await, left);
}

#[tokio::test]
async fn trove_leaves_a_chain_with_a_running_backup_whole_and_a_second_call_is_harmless() {
    let f = Fixtures::user();
    let s = user_server().await;
    let instance = f.trove_instance(&unique("running")).await;
    // A full chain, so the next backup of ours starts a second one.
    let old = trove_backups(&s, &instance, 5).await;
    trove_backups(&s, &instance, 1).await;
    // A backup of ours on the old chain still running (NEW: no guest has taken it).
    let running = f
        .post(
            "database",
            "/backups",
            json!({"backup": {"name": "running", "instance": instance, "parent_id": old[4],
                              "incremental": 1, "description": "Created by Mistral at x"}}),
        )
        .await;
    let done = s
        .ok(
            TROVE_PRUNE,
            json!({ "instance_id": instance, "keep_chains": 1 }),
        )
        .await;
    assert_eq!(ids(&done["deleted"]), Vec::<String>::new(), "{done}");
    assert_eq!(trove_listed(&f, &instance).await.len(), 7);

    // Once it is done, the old chain goes; two calls at once both succeed.
    settle("trove-backup-completed", &text(&running["backup"]["id"]));
    let input = json!({ "instance_id": instance, "keep_chains": 1 });
    let (a, b) = tokio::join!(s.ok(TROVE_PRUNE, input.clone()), s.ok(TROVE_PRUNE, input));
    assert_eq!(trove_listed(&f, &instance).await.len(), 1, "{a} {b}");
}
