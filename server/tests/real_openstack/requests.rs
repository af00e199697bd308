//! The `kind: request` actions on real Cinder, Nova and Glance: each on success, on a
//! missing resource (the service's 404), and on a refusal by the service (its own status
//! and message), the errors naming the service's status.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{text, unique, user_server, Fixtures, MISSING};

#[tokio::test]
async fn cinder_deletes_a_backup_and_refuses_one_with_incrementals() {
    let f = Fixtures::user();
    let s = user_server().await;
    let volume = f.volume(&unique("delete")).await;
    let full = f.foreign_backup(&volume, false).await;
    let incremental = f.foreign_backup(&volume, true).await;

    // Cinder refuses while an incremental depends on it (cinder/backup/api.py, delete).
    let m = s
        .fails(
            "int32bit.cinder.backups.delete",
            json!({ "backup_id": full }),
            502,
        )
        .await;
    assert!(
        m.starts_with("volumev3 answered 400 to DELETE")
            && m.contains("Incremental backups exist for this backup"),
        "{m}"
    );

    let done = s
        .ok(
            "int32bit.cinder.backups.delete",
            json!({ "backup_id": incremental }),
        )
        .await;
    assert_eq!(done, Value::Null);
    wait_gone(&f, &format!("/backups/{incremental}")).await;
    s.ok(
        "int32bit.cinder.backups.delete",
        json!({ "backup_id": full }),
    )
    .await;
    wait_gone(&f, &format!("/backups/{full}")).await;

    let m = s
        .fails(
            "int32bit.cinder.backups.delete",
            json!({ "backup_id": MISSING }),
            502,
        )
        .await;
    assert!(m.starts_with("volumev3 answered 404 to DELETE"), "{m}");
}

/// Waits until Cinder answers 404 for `path`.
async fn wait_gone(f: &Fixtures, path: &str) {
    for _ in 0..200 {
        let s = f.raw(Method::GET, "volumev3", path, None).await;
        if s.0 == 404 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    panic!("{path} is still there");
}

#[tokio::test]
async fn cinder_sets_volume_metadata_and_refuses_a_long_value() {
    let f = Fixtures::user();
    let s = user_server().await;
    let volume = f.volume(&unique("metadata")).await;
    let set = s
        .ok(
            "int32bit.cinder.volumes.set_metadata",
            json!({ "volume_id": volume, "metadata": {"backup": "nightly"} }),
        )
        .await;
    assert_eq!(set["backup"], "nightly", "{set}");
    // Cinder merges: a second key keeps the first.
    let set = s
        .ok(
            "int32bit.cinder.volumes.set_metadata",
            json!({ "volume_id": volume, "metadata": {"tier": "gold"} }),
        )
        .await;
    assert_eq!(
        (&set["backup"], &set["tier"]),
        (&json!("nightly"), &json!("gold"))
    );
    let read = f
        .get("volumev3", &format!("/volumes/{volume}/metadata"))
        .await;
    assert_eq!(read["metadata"]["tier"], "gold", "{read}");

    // cinder/api/schemas/volume_metadata.py: values are strings of at most 255.
    let m = s
        .fails(
            "int32bit.cinder.volumes.set_metadata",
            json!({ "volume_id": volume, "metadata": {"k": "v".repeat(256)} }),
            502,
        )
        .await;
    assert!(m.starts_with("volumev3 answered 400 to POST"), "{m}");
    let m = s
        .fails(
            "int32bit.cinder.volumes.set_metadata",
            json!({ "volume_id": MISSING, "metadata": {"k": "v"} }),
            502,
        )
        .await;
    assert!(m.starts_with("volumev3 answered 404 to POST"), "{m}");
}

#[tokio::test]
async fn cinder_lists_volumes_by_metadata_and_an_empty_match_is_an_answer() {
    let f = Fixtures::user();
    let s = user_server().await;
    let tag = unique("tag");
    let marked = f.volume(&unique("marked")).await;
    f.post(
        "volumev3",
        &format!("/volumes/{marked}/metadata"),
        json!({"metadata": {"backup": tag}}),
    )
    .await;
    f.volume(&unique("unmarked")).await;
    let listed = s
        .ok(
            "int32bit.cinder.volumes.list",
            json!({ "metadata": {"backup": tag} }),
        )
        .await;
    let ids: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|v| text(&v["id"]))
        .collect();
    assert_eq!(ids, [marked], "{listed}");
    let none = s
        .ok(
            "int32bit.cinder.volumes.list",
            json!({ "metadata": {"backup": unique("nobody")} }),
        )
        .await;
    assert_eq!(none, json!([]));
}

/// The images of `server`'s backups of type `kind`, as Glance lists them (Nova sets
/// `image_type: backup`, `backup_type` and `instance_uuid` on each).
async fn backup_images(f: &Fixtures, server: &str, kind: &str) -> Vec<String> {
    let body = f
        .get(
            "image",
            &format!("/v2/images?instance_uuid={server}&backup_type={kind}"),
        )
        .await;
    body["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| text(&i["id"]))
        .collect()
}

#[tokio::test]
async fn nova_backs_up_a_server_keeping_rotation_images() {
    let f = Fixtures::user();
    let s = user_server().await;
    let server = f.server(&unique("rotate")).await;
    let mut made = Vec::new();
    for n in 0..3 {
        let image = s
            .ok(
                "int32bit.nova.servers.create_backup",
                json!({ "server_id": server, "name": format!("nightly-{n}"),
                        "backup_type": "nightly", "rotation": 2 }),
            )
            .await;
        let id = text(&image);
        assert!(is_uuid(&id), "{image}");
        // Rotation runs once the snapshot is uploaded and the server ACTIVE again.
        f.wait_for("image", &format!("/v2/images/{id}"), "/status", "active")
            .await;
        idle(&f, &server).await;
        made.push(id);
    }
    let mut left = Vec::new();
    for _ in 0..100 {
        left = backup_images(&f, &server, "nightly").await;
        if left.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    left.sort();
    let mut newest = made[1..].to_vec();
    newest.sort();
    assert_eq!(left, newest, "rotation 2 keeps the two newest backups");

    // nova/api/openstack/compute/schemas/create_backup.py: rotation is >= 0.
    let m = s
        .fails(
            "int32bit.nova.servers.create_backup",
            json!({ "server_id": server, "name": "bad", "rotation": -1 }),
            502,
        )
        .await;
    assert!(m.starts_with("compute answered 400 to POST"), "{m}");
    let m = s
        .fails(
            "int32bit.nova.servers.create_backup",
            json!({ "server_id": MISSING, "name": "gone", "rotation": 1 }),
            502,
        )
        .await;
    assert!(m.starts_with("compute answered 404 to POST"), "{m}");
}

/// Waits until Nova runs no task on `server` (a backup still rotating refuses the next one).
async fn idle(f: &Fixtures, server: &str) {
    for _ in 0..400 {
        let body = f.get("compute", &format!("/servers/{server}")).await;
        if body["server"]["OS-EXT-STS:task_state"].is_null() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    panic!("server {server} stays busy");
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36 && s.split('-').map(str::len).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
}
