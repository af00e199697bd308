//! `GET /readyz` against the stub: what only a stub can set up (a catalog without the
//! services in the configured region, a count of the logins). The wrong and right
//! passwords against real Keystone are in `tests/real_openstack/ready.rs`.

use mistral_actions_runtime::openstack::config::Credentials;
use mistral_actions_runtime::Secret;

use crate::support::{password_cloud, Harness, Options};

#[tokio::test]
async fn ready_with_a_token_and_every_service_reusing_the_token() {
    let h = Harness::start().await;
    for _ in 0..3 {
        let (status, body) = h.readiness().await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "ready");
        assert_eq!(
            body["services"],
            serde_json::json!(["compute", "database", "image", "volumev3"])
        );
    }
    assert_eq!(h.stub.world().logins, 1, "probes reuse the cached token");
}

#[tokio::test]
async fn a_catalog_without_the_services_in_the_region_is_not_ready() {
    let h = Harness::with(Options {
        cloud: Some(Box::new(|stub| {
            let mut c = password_cloud(stub);
            // The stub's second region has Nova only.
            c.region = Some(stub_openstack::REGION_TWO.into());
            c
        })),
        ..Options::default()
    })
    .await;
    let (status, body) = h.readiness().await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "not_ready");
    let reason = body["reason"].as_str().unwrap();
    assert!(
        reason.contains("database, image, volumev3") && !reason.contains("compute"),
        "{reason}"
    );
    assert!(reason.contains(stub_openstack::REGION_TWO), "{reason}");
}

#[tokio::test]
async fn a_failed_login_is_not_ready_and_keystone_is_not_asked_at_every_probe() {
    let h = Harness::with(Options {
        cloud: Some(Box::new(|stub| {
            let mut c = password_cloud(stub);
            if let Credentials::Password { password, .. } = &mut c.credentials {
                *password = Secret::new("not-the-password".into());
            }
            c
        })),
        ..Options::default()
    })
    .await;
    for _ in 0..3 {
        let (status, body) = h.readiness().await;
        assert_eq!(status, 503, "{body}");
        let reason = body["reason"].as_str().unwrap();
        assert!(
            reason.contains("Keystone login failed") && reason.contains("identity answered 401"),
            "{reason}"
        );
        assert!(!reason.contains("not-the-password"), "{reason}");
    }
    let m = h.scrape().await;
    assert_eq!(
        m.value(
            "mistral_actions_keystone_logins_total",
            &[("outcome", "failed")]
        ),
        1.0,
        "one login for three probes"
    );
    // Liveness is another matter.
    let (status, _, _) = h.get("/healthz", false).await;
    assert_eq!(status, 200);
}
