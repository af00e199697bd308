//! Token rotation without downtime, on the binary: the operator replaces the token file
//! and sends SIGHUP (or just replaces it: the server notices), Mistral's environment gets
//! the new token; meanwhile executions still carry the old one. Under a bounded loop of
//! calls on loopback, none fails; after the overlap the old token is refused.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde_json::json;
use stub_openstack::{fixtures, Stub, World};

use crate::process::{self, Running};
use crate::support::stub_user;

const OLD: &str = "rotation-old-token-1111";
const NEW: &str = "rotation-new-token-2222";
const NEWER: &str = "rotation-newer-token-3333";
const OVERLAP_SECS: u64 = 6;
/// Calls per worker; four workers.
const CALLS: usize = 150;

/// Replaces the token file as the README says to: a new file renamed over the old one.
fn write_token(path: &Path, token: &str) {
    let tmp = path.with_extension("new");
    std::fs::write(&tmp, format!("{token}\n")).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

async fn status_with(client: &reqwest::Client, url: &str, token: &str) -> u16 {
    client
        .post(format!("{url}/v1/actions/int32bit.nova.servers.get_status"))
        .bearer_auth(token)
        .json(&json!({"server_id": fixtures::SERVER}))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_rotate_under_load_without_a_failed_call() {
    let stub = Stub::start(World::with_fixtures()).await;
    let dir = tempfile::tempdir().unwrap();
    let token_path = dir.path().join("token");
    write_token(&token_path, OLD);
    let config = dir.path().join("server.yaml");
    std::fs::write(
        &config,
        format!(
            "token_file: {}\ntoken_overlap_secs: {OVERLAP_SECS}\n",
            token_path.display()
        ),
    )
    .unwrap();
    let mut cmd = process::command();
    stub_user(&mut cmd, &stub).arg("--config").arg(&config);
    let server = Running::start(cmd).await;
    let url = server.url.clone();

    // What Mistral's environment holds; executions started before a change keep theirs.
    let current = Arc::new(RwLock::new(OLD.to_string()));
    let done = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (current, done, url) = (current.clone(), done.clone(), url.clone());
        workers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut failed = Vec::new();
            for _ in 0..CALLS {
                let token = current.read().unwrap().clone();
                let status = status_with(&client, &url, &token).await;
                if status != 200 {
                    failed.push((token, status));
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            failed
        }));
    }
    // An execution that started before the rotation: the old token, throughout.
    let lagging = {
        let (url, done) = (url.clone(), done.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut statuses = Vec::new();
            while done.load(Ordering::Relaxed) < 4 * CALLS {
                statuses.push(status_with(&client, &url, OLD).await);
            }
            statuses
        })
    };

    while done.load(Ordering::Relaxed) < CALLS {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    write_token(&token_path, NEW);
    server.signal("HUP");
    server
        .wait_for_log("bearer token rotated", Duration::from_secs(10))
        .await;
    let rotated = Instant::now();
    *current.write().unwrap() = NEW.to_string();

    for w in workers {
        let failed = w.await.unwrap();
        assert!(
            failed.is_empty(),
            "calls failed during the rotation: {failed:?}"
        );
    }
    let lagging = lagging.await.unwrap();
    assert!(
        rotated.elapsed() < Duration::from_secs(OVERLAP_SECS),
        "the load outlasted the overlap; the test proves nothing"
    );
    assert!(
        !lagging.is_empty() && lagging.iter().all(|s| *s == 200),
        "{lagging:?}"
    );

    // After the overlap, the old token is refused and the new one is the token.
    let client = reqwest::Client::new();
    let overlap_end = rotated + Duration::from_secs(OVERLAP_SECS) + Duration::from_millis(300);
    tokio::time::sleep_until(overlap_end.into()).await;
    assert_eq!(status_with(&client, &url, OLD).await, 401);
    assert_eq!(status_with(&client, &url, NEW).await, 200);

    // Without SIGHUP: the server notices the replaced file by itself.
    write_token(&token_path, NEWER);
    let noticed = Instant::now();
    while status_with(&client, &url, NEWER).await != 200 {
        assert!(
            noticed.elapsed() < Duration::from_secs(15),
            "the replaced token file was not noticed"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        status_with(&client, &url, NEW).await,
        200,
        "within the overlap"
    );

    let log = server.stop().await;
    process::assert_one_line_each(&log);
    for token in [OLD, NEW, NEWER] {
        assert!(
            !log.iter().any(|l| l.contains(token)),
            "a token reached the log: {log:#?}"
        );
    }
}
