//! Every seed action that talks to OpenStack: success, mismatch, missing resource, 5xx,
//! timeout, token expiry and re-authentication.

use std::time::Duration;

use mistral_actions_runtime::openstack::CloudConfig;
use serde_json::json;
use stub_openstack::{fixtures, World};

use crate::support::{env_of, Harness, Options};

const MISSING: &str = "99999999-9999-4999-8999-999999999999";

/// `(action, id input, id, status in the fixtures, another status)`.
const ASSERTS: &[(&str, &str, &str, &str)] = &[
    (
        "int32bit.cinder.volumes.assert_status",
        "volume_id",
        fixtures::VOLUME,
        "available",
    ),
    (
        "int32bit.cinder.backups.assert_status",
        "backup_id",
        fixtures::BACKUP,
        "available",
    ),
    (
        "int32bit.cinder.snapshots.assert_status",
        "snapshot_id",
        fixtures::SNAPSHOT,
        "available",
    ),
    (
        "int32bit.nova.servers.assert_status",
        "server_id",
        fixtures::SERVER,
        "ACTIVE",
    ),
    (
        "int32bit.glance.images.assert_status",
        "image_id",
        fixtures::IMAGE,
        "active",
    ),
    (
        "int32bit.trove.backups.assert_status",
        "backup_id",
        fixtures::TROVE_BACKUP,
        "COMPLETED",
    ),
];

#[tokio::test]
async fn every_assert_passes_with_its_default_and_names_both_statuses_on_mismatch() {
    let h = Harness::start().await;
    for (action, input, id, actual) in ASSERTS {
        let ok = h.ok(action, json!({ *input: id })).await;
        assert_eq!(ok, json!(true), "{action}");
        let m = h
            .fails(action, json!({ *input: id, "status": "weird" }), 409)
            .await;
        assert!(
            m.contains(&format!("status is '{actual}', expect 'weird'")),
            "{action}: {m}"
        );
    }
    // The subject word is the original's.
    let m = h
        .fails(
            ASSERTS[0].0,
            json!({"volume_id": fixtures::VOLUME, "status": "in-use"}),
            409,
        )
        .await;
    assert_eq!(m, "volume status is 'available', expect 'in-use'");
}

#[tokio::test]
async fn a_missing_resource_is_a_502_naming_openstacks_404() {
    let h = Harness::start().await;
    for (action, input, _, _) in ASSERTS {
        let (status, body) = h.call(action, json!({ *input: MISSING })).await;
        assert_eq!(status, 502, "{action}: {body}");
        assert_eq!(body["error"]["kind"], "openstack");
        let m = body["error"]["message"].as_str().unwrap();
        assert!(m.contains("404") && m.contains(MISSING), "{action}: {m}");
    }
}

#[tokio::test]
async fn openstack_5xx_is_a_502() {
    let h = Harness::start().await;
    h.stub.world().fail_next = Some(503);
    let m = h
        .fails(
            "int32bit.nova.servers.get_status",
            json!({"server_id": fixtures::SERVER}),
            502,
        )
        .await;
    assert!(m.contains("503") && m.contains("injected failure"), "{m}");
    // Only that one request failed.
    let ok = h
        .ok(
            "int32bit.nova.servers.get_status",
            json!({"server_id": fixtures::SERVER}),
        )
        .await;
    assert_eq!(ok, "ACTIVE");
}

#[tokio::test]
async fn a_slow_openstack_is_a_504() {
    let h = Harness::with(Options {
        timeout: Duration::from_millis(1500),
        ..Options::default()
    })
    .await;
    h.ok(
        "int32bit.nova.servers.get_status",
        json!({"server_id": fixtures::SERVER}),
    )
    .await;
    h.stub.world().delay = Some(Duration::from_secs(8));
    let started = std::time::Instant::now();
    let (status, body) = h
        .call(
            "int32bit.nova.servers.get_status",
            json!({"server_id": fixtures::SERVER}),
        )
        .await;
    assert_eq!(status, 504, "{body}");
    assert_eq!(body["error"]["kind"], "timeout");
    assert!(started.elapsed() < Duration::from_secs(6));
}

#[tokio::test]
async fn a_refused_token_means_one_new_login_then_success() {
    let h = Harness::start().await;
    let input = json!({"server_id": fixtures::SERVER});
    h.ok("int32bit.nova.servers.assert_status", input.clone())
        .await;
    h.ok("int32bit.nova.servers.assert_status", input.clone())
        .await;
    assert_eq!(h.stub.world().logins, 1, "the token is cached");
    // Keystone forgets every token (revocation, restart): the next call gets a 401.
    h.stub.world().tokens.clear();
    h.ok("int32bit.nova.servers.assert_status", input.clone())
        .await;
    assert_eq!(h.stub.world().logins, 2);
    h.ok("int32bit.nova.servers.assert_status", input).await;
    assert_eq!(h.stub.world().logins, 2);
}

#[tokio::test]
async fn a_token_about_to_expire_is_renewed_before_use() {
    let mut world = World::with_fixtures();
    // Shorter than the refresh margin: every token is "about to expire".
    world.token_ttl = Duration::from_secs(30);
    let h = Harness::with(Options {
        world,
        ..Options::default()
    })
    .await;
    let input = json!({"server_id": fixtures::SERVER});
    for _ in 0..3 {
        h.ok("int32bit.nova.servers.assert_status", input.clone())
            .await;
    }
    let w = h.stub.world();
    assert_eq!(w.logins, 3, "one login per call");
    // No request was sent with a stale token and refused.
    assert_eq!(w.service_requests, 3);
}

#[tokio::test]
async fn application_credentials_work_and_wrong_credentials_are_a_502() {
    let h = Harness::with(Options {
        cloud: Some(Box::new(crate::support::app_credential_cloud)),
        ..Options::default()
    })
    .await;
    h.ok(
        "int32bit.nova.servers.get_status",
        json!({"server_id": fixtures::SERVER}),
    )
    .await;

    let bad = Harness::with(Options {
        cloud: Some(Box::new(|stub| {
            CloudConfig::from_env(&env_of(&[
                ("OS_AUTH_URL", stub.auth_url()),
                ("OS_USERNAME", "admin".into()),
                ("OS_PASSWORD", "wrong".into()),
                ("OS_PROJECT_NAME", "admin".into()),
            ]))
            .unwrap()
        })),
        ..Options::default()
    })
    .await;
    let m = bad
        .fails(
            "int32bit.nova.servers.get_status",
            json!({"server_id": fixtures::SERVER}),
            502,
        )
        .await;
    assert!(m.contains("identity") && m.contains("401"), "{m}");
    assert!(!m.contains("wrong"), "the password must not leak: {m}");
}

#[tokio::test]
async fn power_states_map_and_error_always_fails() {
    let mut world = World::with_fixtures();
    let (shut, crashed, broken) = (
        "aaaaaaaa-1111-4111-8111-000000000001",
        "aaaaaaaa-1111-4111-8111-000000000002",
        "aaaaaaaa-1111-4111-8111-000000000003",
    );
    world.add_server(shut, "s", "SHUTOFF", 4);
    world.add_server(crashed, "c", "ACTIVE", 6);
    // ERROR wins even when the power state matches.
    world.add_server(broken, "b", "ERROR", 1);
    let h = Harness::with(Options {
        world,
        ..Options::default()
    })
    .await;
    let a = "int32bit.nova.servers.assert_power_status";
    assert_eq!(
        h.ok(a, json!({"server_id": fixtures::SERVER})).await,
        json!(true)
    );
    assert_eq!(
        h.ok(a, json!({"server_id": shut, "status": "shutdown"}))
            .await,
        json!(true)
    );
    assert_eq!(
        h.ok(a, json!({"server_id": crashed, "status": "crashed"}))
            .await,
        json!(true)
    );
    let m = h.fails_409(a, json!({"server_id": shut})).await;
    assert_eq!(m, "server status is 'shutdown', expect 'running'");
    let m = h
        .fails_409(a, json!({"server_id": broken, "status": "running"}))
        .await;
    assert_eq!(m, "The server is in ERROR status");
}

impl Harness {
    async fn fails_409(&self, action: &str, input: serde_json::Value) -> String {
        self.fails(action, input, 409).await
    }
}

#[tokio::test]
async fn get_status_returns_the_field() {
    let mut world = World::with_fixtures();
    world.add_server(MISSING, "x", "SHUTOFF", 4);
    let h = Harness::with(Options {
        world,
        ..Options::default()
    })
    .await;
    let got = h
        .ok(
            "int32bit.nova.servers.get_status",
            json!({"server_id": MISSING}),
        )
        .await;
    assert_eq!(got, "SHUTOFF");
}

#[tokio::test]
async fn filter_by_follows_pages_and_fails_when_nothing_matches() {
    let mut world = World::with_fixtures();
    world.image_page_size = 2;
    for i in 0..5 {
        world.add_image(
            json!({"id": format!("bbbbbbbb-0000-4000-8000-00000000000{i}"),
            "name": "snap", "status": if i == 4 { "queued" } else { "active" },
            "container_format": "bare", "disk_format": "raw"}),
        );
    }
    let h = Harness::with(Options {
        world,
        ..Options::default()
    })
    .await;
    let a = "int32bit.glance.images.filter_by";
    let got = h.ok(a, json!({"name": "snap", "status": "active"})).await;
    let ids: Vec<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 4, "{got}");
    // Null filters are not sent: all six images (fixture included), over three pages.
    let all = h.ok(a, json!({"name": null})).await;
    assert_eq!(all.as_array().unwrap().len(), 6);
    let m = h.fails_409(a, json!({"name": "nothing-like-it"})).await;
    assert_eq!(m, "no images match name='nothing-like-it'");
}

#[tokio::test]
async fn snapshots_are_named_after_the_volume_and_forced() {
    let h = Harness::start().await;
    let snap = h
        .ok(
            "int32bit.cinder.snapshots.create_snapshot",
            json!({"volume_id": fixtures::VOLUME}),
        )
        .await;
    assert!(
        snap["name"].as_str().unwrap().starts_with("data_snap_20"),
        "{snap}"
    );
    assert!(snap["description"]
        .as_str()
        .unwrap()
        .starts_with("Created by Mistral at 20"));
    let w = h.stub.world();
    let (path, body) = w.posts.last().unwrap();
    assert!(path.ends_with("/snapshots"));
    assert_eq!(body["snapshot"]["force"], true);
    assert_eq!(body["snapshot"]["volume_id"], fixtures::VOLUME);
}

#[tokio::test]
async fn create_passes_the_options_it_was_given_and_only_those() {
    let h = Harness::start().await;
    let b = h
        .ok(
            "int32bit.cinder.backups.create",
            json!({"volume_id": fixtures::VOLUME, "backup_name": "nightly", "container": "c1",
                "incremental": false}),
        )
        .await;
    assert_eq!(b["name"], "nightly");
    let w = h.stub.world();
    let sent = &w.posts.last().unwrap().1["backup"];
    assert_eq!(sent["container"], "c1");
    assert_eq!(sent["incremental"], false);
    assert_eq!(sent["force"], true, "the spec's default");
    assert!(
        sent.get("snapshot_id").is_none() && sent.get("description").is_none(),
        "{sent}"
    );
}

#[tokio::test]
async fn the_region_header_picks_the_endpoint_of_that_region() {
    let h = Harness::with(crate::support::Options {
        regions: &[stub_openstack::REGION_TWO, "Nowhere"],
        ..Default::default()
    })
    .await;
    let call = |region: &'static str| {
        h.client
            .post(format!(
                "{}/v1/actions/int32bit.nova.servers.get_status",
                h.url
            ))
            .bearer_auth(crate::support::TOKEN)
            .header("x-openstack-region", region)
            .json(&json!({"server_id": fixtures::SERVER}))
            .send()
    };
    let answer = |r| crate::support::conforming("POST", r);
    let (status, _) = answer(call(stub_openstack::REGION_TWO).await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(h.stub.world().region_two_requests, 1);
    // Empty means the configured region (what Mistral sends when the env names none).
    let (status, _) = answer(call("").await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(h.stub.world().region_two_requests, 1);
    let (status, body) = answer(call("Nowhere").await.unwrap()).await;
    assert_eq!(status, 502);
    let m = body["error"]["message"].as_str().unwrap();
    assert!(m.contains("region 'Nowhere'"), "{m}");
    // Cinder has no endpoint in region two.
    let r = h
        .client
        .post(format!(
            "{}/v1/actions/int32bit.cinder.volumes.assert_status",
            h.url
        ))
        .bearer_auth(crate::support::TOKEN)
        .header("x-openstack-region", stub_openstack::REGION_TWO)
        .json(&json!({"volume_id": fixtures::VOLUME}))
        .send()
        .await
        .unwrap();
    assert_eq!(crate::support::conforming("POST", r).await.0, 502);
}
