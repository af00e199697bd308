//! Automatic incremental backup chains (Cinder and Trove): at most 5 backups per chain,
//! only chains whose root this tool created are extended.

use serde_json::{json, Value};
use stub_openstack::{fixtures, World};

use crate::support::{Harness, Options};

const OURS: &str = "Created by Mistral at 2026-01-01 00:00:00.000000";
const CINDER: &str = "int32bit.cinder.backups.create_backup";
const TROVE: &str = "int32bit.trove.backups.create_backup";

/// A chain of `len` backups of the fixture volume; returns the ids, root first.
fn cinder_chain(w: &mut World, len: usize, root_description: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for i in 0..len {
        let desc = if i == 0 { root_description } else { OURS };
        let id = w.add_backup(fixtures::VOLUME, ids.last().map(String::as_str), desc);
        ids.push(id);
    }
    ids
}

fn world_without_backups() -> World {
    let mut w = World::with_fixtures();
    w.backups.clear();
    w.trove_backups.clear();
    w
}

async fn cinder_backup(world: World) -> (Value, Value) {
    let h = Harness::with(Options {
        world,
        ..Options::default()
    })
    .await;
    let result = h.ok(CINDER, json!({"volume_id": fixtures::VOLUME})).await;
    let sent = h.stub.world().posts.last().unwrap().1["backup"].clone();
    (result, sent)
}

#[tokio::test]
async fn no_backups_means_a_full_backup_named_after_the_volume() {
    let (result, sent) = cinder_backup(world_without_backups()).await;
    assert_eq!(sent["incremental"], false);
    assert_eq!(sent["backup_id"], Value::Null);
    assert_eq!(sent["force"], true);
    assert!(
        sent["name"].as_str().unwrap().starts_with("data_snap_20"),
        "{sent}"
    );
    assert!(sent["description"]
        .as_str()
        .unwrap()
        .starts_with("Created by Mistral at 20"));
    assert_eq!(result["volume_id"], fixtures::VOLUME);
    assert!(result["id"].is_string());
}

#[tokio::test]
async fn a_chain_of_four_is_extended_from_its_newest_backup() {
    let mut w = world_without_backups();
    let ids = cinder_chain(&mut w, 4, OURS);
    let (_, sent) = cinder_backup(w).await;
    assert_eq!(sent["incremental"], true);
    assert_eq!(sent["backup_id"], ids[3]);
}

#[tokio::test]
async fn a_chain_of_five_is_full_so_a_new_chain_starts() {
    let mut w = world_without_backups();
    cinder_chain(&mut w, 5, OURS);
    let (_, sent) = cinder_backup(w).await;
    assert_eq!(sent["incremental"], false);
    assert_eq!(sent["backup_id"], Value::Null);
}

#[tokio::test]
async fn a_chain_rooted_in_a_foreign_backup_is_not_reused() {
    let mut w = world_without_backups();
    cinder_chain(&mut w, 2, "made by an operator");
    let (_, sent) = cinder_backup(w).await;
    assert_eq!(sent["incremental"], false);

    // With one of ours beside it, ours is extended even though it is longer.
    let mut w = world_without_backups();
    cinder_chain(&mut w, 1, "made by an operator");
    let ours = cinder_chain(&mut w, 3, OURS);
    let (_, sent) = cinder_backup(w).await;
    assert_eq!(sent["backup_id"], ours[2]);
}

#[tokio::test]
async fn the_shortest_of_our_chains_is_extended_and_other_volumes_do_not_count() {
    let mut w = world_without_backups();
    cinder_chain(&mut w, 4, OURS);
    let short = cinder_chain(&mut w, 2, OURS);
    let other = "cccccccc-0000-4000-8000-000000000001";
    w.add_volume(other, "other", "available");
    w.add_backup(other, None, OURS);
    let (_, sent) = cinder_backup(w).await;
    assert_eq!(sent["backup_id"], short[1]);
}

#[tokio::test]
async fn trove_chains_work_the_same_and_need_an_active_instance() {
    let mut w = world_without_backups();
    let mut ids: Vec<String> = Vec::new();
    for _ in 0..4 {
        let id = w.add_trove_backup(
            fixtures::TROVE_INSTANCE,
            ids.last().map(String::as_str),
            OURS,
        );
        ids.push(id);
    }
    let building = "dddddddd-0000-4000-8000-000000000001";
    w.add_trove_instance(building, "new", "BUILD");
    let h = Harness::with(Options {
        world: w,
        ..Options::default()
    })
    .await;
    let b = h
        .ok(TROVE, json!({"instance_id": fixtures::TROVE_INSTANCE}))
        .await;
    assert_eq!(b["parent_id"], ids[3]);
    let sent = h.stub.world().posts.last().unwrap().1["backup"].clone();
    assert_eq!(sent["incremental"], true);
    assert_eq!(sent["instance"], fixtures::TROVE_INSTANCE);
    assert!(sent["name"].as_str().unwrap().starts_with("db_snap_20"));

    // That made the chain 5 long: the next backup is a full one.
    h.ok(TROVE, json!({"instance_id": fixtures::TROVE_INSTANCE}))
        .await;
    let sent = h.stub.world().posts.last().unwrap().1["backup"].clone();
    assert!(sent.get("parent_id").is_none(), "{sent}");

    let m = h.fails(TROVE, json!({"instance_id": building}), 409).await;
    assert_eq!(
        m,
        "The instance status should be 'ACTIVE', but current status is 'BUILD'"
    );
}
