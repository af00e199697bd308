//! `GET /metrics`: read by the Prometheus project's own Python parser, the counts move
//! with the calls, label values never hold what callers sent, and the token guards it
//! unless `metrics.public`.

use std::time::Duration;

use mistral_actions_runtime::ExecPolicy;
use serde_json::json;
use stub_openstack::{fixtures, World};

use crate::support::{Harness, Options, Scrape};

const ASSERT: &str = "int32bit.cinder.volumes.assert_status";
const GET_STATUS: &str = "int32bit.nova.servers.get_status";
const EXEC: &str = "int32bit.system.exec";
const CALLS: &str = "mistral_actions_calls_total";

/// A word no label may hold: it goes into an action name and a program name.
const MARK: &str = "mk5f3a9c1e7q";

#[tokio::test]
async fn counts_move_with_calls_and_labels_hold_no_input() {
    let h = Harness::with(Options {
        exec: ExecPolicy {
            allow: vec!["echo".into(), "ls".into()],
            ..ExecPolicy::default()
        },
        ..Options::default()
    })
    .await;
    let before = h.scrape().await;
    assert_eq!(before.value(CALLS, &[]), 0.0);
    let volume = json!({"volume_id": fixtures::VOLUME});

    for _ in 0..2 {
        h.ok(ASSERT, volume.clone()).await;
    }
    h.fails(
        ASSERT,
        json!({"volume_id": fixtures::VOLUME, "status": "error"}),
        409,
    )
    .await;
    h.fails(&format!("int32bit.{MARK}"), json!({}), 404).await;
    let r = h
        .client
        .post(format!("{}/v1/actions/{GET_STATUS}", h.url))
        .json(&json!({"server_id": fixtures::SERVER}))
        .send()
        .await
        .unwrap();
    assert_eq!(crate::support::conforming("POST", r).await.0, 401);
    h.ok(EXEC, json!({"cmd": "echo hi"})).await;
    h.fails(EXEC, json!({"cmd": format!("ls /{MARK}")}), 422)
        .await;
    h.fails(EXEC, json!({"cmd": format!("{MARK} now")}), 403)
        .await;

    let m = h.scrape().await;
    let calls =
        |action: &str, outcome: &str| m.value(CALLS, &[("action", action), ("outcome", outcome)]);
    assert_eq!(calls(ASSERT, "ok"), 2.0);
    assert_eq!(calls(ASSERT, "unexpected_state"), 1.0);
    assert_eq!(calls("(unknown)", "unknown_action"), 1.0);
    assert_eq!(calls(GET_STATUS, "unauthorized"), 1.0);
    assert_eq!(calls(EXEC, "ok"), 1.0);
    assert_eq!(calls(EXEC, "command_failed"), 1.0);
    assert_eq!(calls(EXEC, "forbidden"), 1.0);
    assert_eq!(m.value(CALLS, &[]), 8.0);
    let histogram = m.family("mistral_actions_call_duration_seconds");
    assert_eq!(histogram["type"], "histogram");
    assert_eq!(histogram["unit"], "seconds");
    assert_eq!(
        m.value(
            "mistral_actions_call_duration_seconds_count",
            &[("action", ASSERT)]
        ),
        3.0
    );
    let requests = "mistral_actions_openstack_requests_total";
    assert_eq!(
        m.value(
            requests,
            &[
                ("service", "volumev3"),
                ("method", "GET"),
                ("status", "200")
            ]
        ),
        3.0
    );
    // One login for all of it, the request it took counted with the others.
    assert_eq!(
        m.value(
            requests,
            &[
                ("service", "identity"),
                ("method", "POST"),
                ("status", "201")
            ]
        ),
        1.0
    );
    assert_eq!(
        m.value(
            "mistral_actions_keystone_logins_total",
            &[("outcome", "ok")]
        ),
        1.0
    );
    assert_eq!(
        m.value(
            "mistral_actions_openstack_request_duration_seconds_count",
            &[("service", "volumev3")]
        ),
        3.0
    );
    let runs = |program: &str, exit: &str| {
        m.value(
            "mistral_actions_exec_runs_total",
            &[("program", program), ("exit", exit)],
        )
    };
    assert_eq!(runs("echo", "0"), 1.0);
    assert_eq!(runs("ls", "2"), 1.0);
    assert_eq!(runs("(refused)", "refused"), 1.0);
    // The scrape itself is in flight.
    assert_eq!(m.value("mistral_actions_http_requests_in_flight", &[]), 1.0);
    let build = m.family("mistral_actions_build");
    assert_eq!(build["type"], "info");
    assert_eq!(
        m.value(
            "mistral_actions_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );
    for family in &m.families {
        for sample in family["samples"].as_array().unwrap() {
            assert!(
                !sample["labels"].to_string().contains(MARK),
                "a label holds what a caller sent: {sample}"
            );
        }
    }
}

#[tokio::test]
async fn token_renewals_are_counted_by_reason() {
    let renewals = |m: &Scrape, reason: &str| {
        m.value(
            "mistral_actions_keystone_token_renewals_total",
            &[("reason", reason)],
        )
    };
    let logins = |m: &Scrape| {
        m.value(
            "mistral_actions_keystone_logins_total",
            &[("outcome", "ok")],
        )
    };
    let input = json!({"server_id": fixtures::SERVER});

    // Every token revoked under the server: Nova's 401, one new login; then a 5xx.
    let h = Harness::start().await;
    h.ok(GET_STATUS, input.clone()).await;
    h.stub.world().tokens.clear();
    h.ok(GET_STATUS, input.clone()).await;
    h.stub.world().fail_next = Some(503);
    h.fails(GET_STATUS, input.clone(), 502).await;
    let m = h.scrape().await;
    assert_eq!(renewals(&m, "refused"), 1.0);
    assert_eq!(renewals(&m, "expiring"), 0.0);
    assert_eq!(logins(&m), 2.0);
    let compute = |status: &str| {
        m.value(
            "mistral_actions_openstack_requests_total",
            &[("service", "compute"), ("status", status)],
        )
    };
    assert_eq!(compute("200"), 2.0);
    assert_eq!(compute("401"), 1.0);
    assert_eq!(compute("503"), 1.0);

    // Tokens shorter-lived than the refresh margin: each call after the first renews.
    let mut world = World::with_fixtures();
    world.token_ttl = Duration::from_secs(30);
    let h = Harness::with(Options {
        world,
        ..Options::default()
    })
    .await;
    for _ in 0..3 {
        h.ok(GET_STATUS, input.clone()).await;
    }
    let m = h.scrape().await;
    assert_eq!(renewals(&m, "expiring"), 2.0);
    assert_eq!(renewals(&m, "refused"), 0.0);
    assert_eq!(logins(&m), 3.0);
}

#[tokio::test]
async fn metrics_need_the_token_unless_public() {
    let h = Harness::start().await;
    let (status, _, _) = h.get("/metrics", false).await;
    assert_eq!(status, 401);
    let (status, _, _) = h.get("/metrics", true).await;
    assert_eq!(status, 200);

    let public = Harness::with(Options {
        metrics_public: true,
        ..Options::default()
    })
    .await;
    let (status, media, text) = public.get("/metrics", false).await;
    assert_eq!(status, 200, "{text}");
    assert!(media.starts_with("application/openmetrics-text"), "{media}");
    assert!(text.ends_with("# EOF\n"), "{text}");
}
