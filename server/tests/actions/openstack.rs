//! What only a stub can make OpenStack do: fail with a 5xx, answer too slowly, hand out a
//! token that is about to expire, serve a second region. Every action's behaviour on the
//! real services is in `tests/real_openstack/`.

use std::time::Duration;

use serde_json::json;
use stub_openstack::{fixtures, World};

use crate::support::{Harness, Options};

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
