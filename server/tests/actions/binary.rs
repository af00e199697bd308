//! The `mistral-actions-server` binary itself: refuses to run unauthenticated by accident,
//! serves, and lets in-flight requests finish on SIGTERM.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;
use stub_openstack::{fixtures, Stub, World};

use crate::process::{command, free_port};

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
    let child = command()
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env("MISTRAL_ACTIONS_TOKEN", "bin-token")
        .env("OS_AUTH_URL", stub.auth_url())
        .env("OS_USERNAME", stub_openstack::USERNAME)
        .env("OS_PASSWORD", stub_openstack::PASSWORD)
        .env("OS_PROJECT_NAME", "admin")
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
