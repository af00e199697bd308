//! `/readyz` and `/metrics` against the real Keystone and services: a wrong password is
//! 503 naming Keystone's refusal, the right one 200 with every service the actions use
//! in the real catalog; the metrics count real calls, read by an independent parser.

use mistral_actions_runtime::openstack::config::Credentials;
use mistral_actions_runtime::Secret;
use serde_json::json;

use crate::support::{cloud, env, server, user_server};

#[tokio::test]
async fn a_wrong_password_is_not_ready_naming_the_login_failure() {
    let mut c = cloud("ma-test");
    let Credentials::Password { password, .. } = &mut c.credentials else {
        panic!("ma-test is a password cloud")
    };
    *password = Secret::new("not-the-password".into());
    let s = server(c).await;
    let (status, body) = s.readiness().await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "not_ready");
    let reason = body["reason"].as_str().unwrap();
    assert!(
        reason.contains("Keystone login failed")
            && reason.contains("identity answered 401 to POST /auth/tokens"),
        "{reason}"
    );
    assert!(!reason.contains("not-the-password"), "{reason}");
    // Asked again at once: answered from memory, Keystone is not asked twice.
    assert_eq!(s.readiness().await.0, 503);
    let m = s.scrape().await;
    assert_eq!(
        m.value(
            "mistral_actions_keystone_logins_total",
            &[("outcome", "failed")]
        ),
        1.0
    );
    assert_eq!(
        m.value(
            "mistral_actions_openstack_requests_total",
            &[("service", "identity"), ("status", "401")]
        ),
        1.0
    );
}

#[tokio::test]
async fn the_right_password_is_ready_with_every_service_in_the_catalog() {
    let s = user_server().await;
    for _ in 0..2 {
        let (status, body) = s.readiness().await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["services"],
            json!(["compute", "database", "image", "volumev3"])
        );
    }
    let m = s.scrape().await;
    assert_eq!(
        m.value(
            "mistral_actions_keystone_logins_total",
            &[("outcome", "ok")]
        ),
        1.0,
        "two probes, one login"
    );
}

#[tokio::test]
async fn metrics_count_real_calls() {
    const ASSERT: &str = "int32bit.glance.images.assert_status";
    let s = user_server().await;
    let image = json!({"image_id": env().image_id});
    s.ok(ASSERT, image.clone()).await;
    s.ok(ASSERT, image).await;
    s.fails(ASSERT, json!({"image_id": crate::support::MISSING}), 502)
        .await;
    let m = s.scrape().await;
    let calls = |outcome: &str| {
        m.value(
            "mistral_actions_calls_total",
            &[("action", ASSERT), ("outcome", outcome)],
        )
    };
    assert_eq!(calls("ok"), 2.0);
    assert_eq!(calls("openstack"), 1.0);
    let glance = |status: &str| {
        m.value(
            "mistral_actions_openstack_requests_total",
            &[("service", "image"), ("method", "GET"), ("status", status)],
        )
    };
    assert_eq!(glance("200"), 2.0);
    assert_eq!(glance("404"), 1.0);
    assert_eq!(
        m.value(
            "mistral_actions_openstack_requests_total",
            &[
                ("service", "identity"),
                ("method", "POST"),
                ("status", "201")
            ]
        ),
        1.0
    );
    assert!(
        m.value(
            "mistral_actions_openstack_request_duration_seconds_sum",
            &[("service", "image")]
        ) > 0.0
    );
}
