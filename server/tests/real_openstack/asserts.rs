//! Every `assert_status` action: passes on the resource's real status, fails naming both
//! statuses on another, and fails naming Nova's, Cinder's, Glance's or Trove's 404 for a
//! resource that does not exist.

use serde_json::json;

use crate::support::{env, unique, user_server, Fixtures, Served, MISSING};

/// Checks the three outcomes of `action` for `id`, whose status is `status`.
async fn check(s: &Served, action: &str, input: &str, id: &str, status: &str, other: &str) {
    assert_eq!(
        s.ok(action, json!({ input: id, "status": status })).await,
        true,
        "{action}"
    );
    let m = s
        .fails(action, json!({ input: id, "status": other }), 409)
        .await;
    let word = action.split('.').nth(2).unwrap().trim_end_matches('s');
    assert_eq!(
        m,
        format!("{word} status is '{status}', expect '{other}'"),
        "{action}"
    );
    let m = s
        .fails(action, json!({ input: MISSING, "status": status }), 502)
        .await;
    assert!(m.contains("404"), "{action}: {m}");
}

#[tokio::test]
async fn cinder_volumes_backups_and_snapshots() {
    let f = Fixtures::user();
    let s = user_server().await;
    let volume = f.volume(&unique("assert")).await;
    // The default status is `available` for all three.
    assert_eq!(
        s.ok(
            "int32bit.cinder.volumes.assert_status",
            json!({ "volume_id": volume })
        )
        .await,
        true
    );
    check(
        &s,
        "int32bit.cinder.volumes.assert_status",
        "volume_id",
        &volume,
        "available",
        "in-use",
    )
    .await;
    let snapshot = f.snapshot(&volume).await;
    check(
        &s,
        "int32bit.cinder.snapshots.assert_status",
        "snapshot_id",
        &snapshot,
        "available",
        "error",
    )
    .await;
    let backup = f.foreign_backup(&volume, false).await;
    check(
        &s,
        "int32bit.cinder.backups.assert_status",
        "backup_id",
        &backup,
        "available",
        "error",
    )
    .await;
}

#[tokio::test]
async fn nova_servers_and_glance_images() {
    let f = Fixtures::user();
    let s = user_server().await;
    let server = f.server(&unique("assert")).await;
    check(
        &s,
        "int32bit.nova.servers.assert_status",
        "server_id",
        &server,
        "ACTIVE",
        "SHUTOFF",
    )
    .await;
    let image = env().image_id.clone();
    check(
        &s,
        "int32bit.glance.images.assert_status",
        "image_id",
        &image,
        "active",
        "queued",
    )
    .await;
}

#[tokio::test]
async fn trove_backups() {
    let f = Fixtures::user();
    let s = user_server().await;
    let instance = f.trove_instance(&unique("assert")).await;
    let backup = f.foreign_trove_backup(&instance, None).await;
    check(
        &s,
        "int32bit.trove.backups.assert_status",
        "backup_id",
        &backup,
        "COMPLETED",
        "FAILED",
    )
    .await;
}
