//! A connection the far end drops mid-request (a pooled keep-alive connection the service
//! closed while idle) costs a GET one resend, never the action; a POST is not resent, since
//! the service may have acted on it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use mistral_actions_runtime::openstack::{CloudConfig, OpenStack};
use serde_json::json;

/// Reads one request; returns its request line.
fn read_request(stream: &mut TcpStream) -> String {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        if header == "\r\n" || header.is_empty() {
            break;
        }
        if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    line
}

fn answer(stream: &mut TcpStream, extra: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
}

/// Keystone and a compute endpoint on one port; the first service request of each kind has
/// its connection dropped without an answer.
fn flaky_cloud() -> (CloudConfig, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let service_requests = Arc::new(AtomicUsize::new(0));
    let counted = service_requests.clone();
    let catalog = json!({"token": {"expires_at": "2999-01-01T00:00:00Z", "catalog": [
        {"type": "compute", "endpoints": [{"interface": "public", "url": format!("{base}/compute")}]}
    ]}})
    .to_string();
    std::thread::spawn(move || {
        let mut dropped_get = false;
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let line = read_request(&mut stream);
            if line.starts_with("POST /v3/auth/tokens") {
                answer(&mut stream, "X-Subject-Token: t\r\n", &catalog);
                continue;
            }
            counted.fetch_add(1, Ordering::SeqCst);
            let first_get = line.starts_with("GET") && !dropped_get;
            if first_get || line.starts_with("POST") {
                dropped_get |= first_get;
                drop(stream);
                continue;
            }
            answer(&mut stream, "", r#"{"server": {"status": "ACTIVE"}}"#);
        }
    });
    let env = |k: &str| match k {
        "OS_AUTH_URL" => Some(format!("{base}/v3")),
        "OS_USERNAME" => Some("u".into()),
        "OS_PASSWORD" => Some("p".into()),
        "OS_PROJECT_NAME" => Some("p".into()),
        _ => None,
    };
    (CloudConfig::from_env(&env).unwrap(), service_requests)
}

#[tokio::test]
async fn a_dropped_get_is_sent_again_and_a_dropped_post_is_not() {
    let (cloud, requests) = flaky_cloud();
    let os = OpenStack::new(cloud).unwrap();
    let s = os.scoped(None, None, &[]);
    let got = s.get("compute", "/servers/x", &[]).await.unwrap();
    assert_eq!(got["server"]["status"], "ACTIVE");
    assert_eq!(requests.load(Ordering::SeqCst), 2, "one resend");
    let posted = s.post("compute", "/servers/x/action", &json!({})).await;
    assert!(posted.is_err(), "{posted:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 3, "no resend of a POST");
}
