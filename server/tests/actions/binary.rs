//! The `mistral-actions-server` binary itself: refuses to run unauthenticated by accident,
//! serves, lets in-flight requests finish on SIGTERM, logs as JSON when asked.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use stub_openstack::{fixtures, Stub, World};

use crate::process::{command, free_port, Running};
use crate::support::stub_user;

const GET_STATUS: &str = "int32bit.nova.servers.get_status";

#[test]
fn without_a_token_it_does_not_start() {
    let out = command()
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--insecure-no-auth"), "{stderr}");
}

#[tokio::test]
async fn sigterm_lets_the_running_request_finish() {
    let stub = Stub::start(World::with_fixtures()).await;
    let port = free_port();
    let child = stub_user(&mut command(), &stub)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env("MISTRAL_ACTIONS_TOKEN", "bin-token")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut healthy = false;
    for _ in 0..100 {
        if client.get(format!("{url}/healthz")).send().await.is_ok() {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(healthy, "the server did not come up");

    stub.world().delay = Some(Duration::from_millis(800));
    let call = client
        .post(format!("{url}/v1/actions/int32bit.nova.servers.get_status"))
        .bearer_auth("bin-token")
        .json(&json!({"server_id": fixtures::SERVER}))
        .send();
    let pending = tokio::spawn(call);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());

    let r = pending
        .await
        .unwrap()
        .expect("the in-flight request is answered");
    assert_eq!(r.status().as_u16(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["result"], "ACTIVE");

    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("shutting down"), "{log}");
    // One line per request, with its id; the token never shows.
    assert!(log.contains("req-") && log.contains("status=200"), "{log}");
    assert!(
        !log.contains("bin-token") && !log.contains(stub_openstack::PASSWORD),
        "{log}"
    );
}

/// The fields every JSON log line has, and those of a request's `done` line.
const EVERY_LINE: [&str; 3] = ["timestamp", "level", "message"];
const DONE_LINE: [&str; 4] = ["request_id", "action", "status", "duration_ms"];

#[tokio::test]
async fn json_logs_are_one_object_per_line_with_the_request_s_fields() {
    let stub = Stub::start(World::with_fixtures()).await;
    let mut cmd = command();
    stub_user(&mut cmd, &stub)
        .args(["--log-format", "json"])
        .env("MISTRAL_ACTIONS_TOKEN", "bin-token");
    let server = Running::start(cmd).await;
    let client = reqwest::Client::new();
    let call = |action: &str, body: serde_json::Value, id: &str| {
        client
            .post(format!("{}/v1/actions/{action}", server.url))
            .bearer_auth("bin-token")
            .header("X-Request-Id", id)
            .json(&body)
            .send()
    };
    let ok = call(GET_STATUS, json!({"server_id": fixtures::SERVER}), "wf-1")
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let bad = call(GET_STATUS, json!({"server_id": "x\ny"}), "wf-2")
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let unknown = call("int32bit.nothing", json!({}), "wf-3").await.unwrap();
    assert_eq!(unknown.status(), 404);

    let log = server.stop().await;
    let lines: Vec<Value> = log
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect();
    for line in &lines {
        for field in EVERY_LINE {
            assert!(line.get(field).is_some(), "no {field}: {line}");
        }
    }
    let done = |id: &str| {
        lines
            .iter()
            .find(|l| l["request_id"] == id && l["message"] == "done")
            .unwrap_or_else(|| panic!("no done line for {id}: {lines:#?}"))
    };
    for (id, action, status) in [
        ("wf-1", GET_STATUS, 200),
        ("wf-2", GET_STATUS, 400),
        ("wf-3", "(unknown)", 404),
    ] {
        let line = done(id);
        for field in DONE_LINE {
            assert!(line.get(field).is_some(), "no {field}: {line}");
        }
        assert_eq!(line["action"], action, "{line}");
        assert_eq!(line["status"], status, "{line}");
        assert!(line["duration_ms"].as_f64().unwrap() >= 0.0, "{line}");
        assert_eq!(line["level"], "INFO");
    }
    let failed = lines
        .iter()
        .find(|l| l["request_id"] == "wf-2" && l["message"] == "action failed")
        .expect("the failure is logged");
    assert_eq!(failed["kind"], "bad_input");
    assert_eq!(failed["action"], GET_STATUS);
}

#[test]
fn an_unknown_log_format_is_refused() {
    let out = command()
        .args(["--listen", "127.0.0.1:0", "--insecure-no-auth"])
        .env("MISTRAL_ACTIONS_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("MISTRAL_ACTIONS_LOG_FORMAT"), "{stderr}");
}
