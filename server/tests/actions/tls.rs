//! HTTPS when a certificate is configured. The fixtures are a test CA and a certificate for
//! localhost/127.0.0.1 it signed (openssl, EC P-256, valid for 100 years).

use std::path::Path;

use mistral_actions_server::config::Tls;
use mistral_actions_server::tls::{acceptor, TlsListener};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

#[tokio::test]
async fn https_is_served_with_the_configured_certificate() {
    let tls = Tls {
        cert: fixture("cert.pem"),
        key: fixture("key.pem"),
    };
    let config = mistral_actions_server::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        token: None,
        tls: None,
        cloud: None,
        exec: Default::default(),
    };
    let state = mistral_actions_server::state(&config).unwrap();
    let app = mistral_actions_server::router(state);
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = tcp.local_addr().unwrap().port();
    let listener = TlsListener::new(tcp, acceptor(&tls).unwrap()).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let ca = reqwest::Certificate::from_pem(&std::fs::read(fixture("ca.pem")).unwrap()).unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .unwrap();
    let r = client
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);

    // Plain HTTP to the TLS port gets no answer.
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .timeout(std::time::Duration::from_secs(5))
        .send()
        .await;
    assert!(plain.is_err());
    // A client that does not trust the CA refuses the server.
    let untrusting = reqwest::Client::new()
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await;
    assert!(untrusting.is_err());
}

#[test]
fn a_key_that_is_not_pem_is_a_config_error() {
    let tls = Tls {
        cert: fixture("cert.pem"),
        key: fixture("ca.pem"),
    };
    let e = acceptor(&tls).err().expect("a certificate is not a key");
    assert!(e.to_string().contains("ca.pem"), "{e}");
}
