//! The action server in this test process, on a loopback port, for a given configuration,
//! and calls to it as Mistral's `std.http` makes them.

use mistral_actions_server::{Access, Config};
use serde_json::Value;

#[path = "conformance.rs"]
mod conformance;
#[path = "scrape.rs"]
#[allow(dead_code)] // not every test binary scrapes
pub mod scrape;

/// The media type an answer declares.
fn content_type(r: &reqwest::Response) -> String {
    r.headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Status and JSON body of an answer to `method`, after checking both against
/// `generated/openapi.json`.
pub async fn conforming(method: &str, r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let path = r.url().path().to_string();
    let media = content_type(&r);
    let body: Value = r.json().await.expect("a JSON body");
    conformance::check(method, &path, status, &media, &body);
    (status, body)
}

/// Status, `Content-Type` and text of a `GET` answer that is not JSON on success (the
/// metrics), after checking them against `generated/openapi.json`.
#[allow(dead_code)] // not every test binary scrapes
pub async fn conforming_text(r: reqwest::Response) -> (u16, String, String) {
    let status = r.status().as_u16();
    let path = r.url().path().to_string();
    let media = content_type(&r);
    let text = r.text().await.expect("a text body");
    let body = if media.starts_with("application/json") {
        serde_json::from_str(&text).expect("a JSON body")
    } else {
        Value::String(text.clone())
    };
    conformance::check("GET", &path, status, &media, &body);
    (status, media, text)
}

/// A running server; stopped (gracefully) on drop.
pub struct Served {
    pub url: String,
    pub client: reqwest::Client,
    /// The bearer token calls carry.
    pub token: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

#[allow(dead_code)] // the stub tests configure access every time
pub async fn serve(config: &Config) -> Served {
    serve_with(config, &Access::of(config)).await
}

/// [`serve`] with who may call it where.
pub async fn serve_with(config: &Config, access: &Access) -> Served {
    let app = mistral_actions_server::router(
        mistral_actions_server::state_with(config, access).expect("a usable configuration"),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    Served {
        url,
        client: reqwest::Client::new(),
        token: config
            .token
            .as_ref()
            .map(|t| t.expose().clone())
            .unwrap_or_default(),
        stop: Some(stop),
    }
}

#[allow(dead_code)] // not every test binary probes or scrapes
impl Served {
    /// `GET path`, with the bearer token when `token`; the answer is checked against
    /// `generated/openapi.json`: status, `Content-Type` and text.
    pub async fn get(&self, path: &str, token: bool) -> (u16, String, String) {
        let mut req = self.client.get(format!("{}{path}", self.url));
        if token {
            req = req.bearer_auth(&self.token);
        }
        conforming_text(req.send().await.expect("the server answers")).await
    }

    /// `GET /readyz`: status and body.
    pub async fn readiness(&self) -> (u16, Value) {
        let (status, _, text) = self.get("/readyz", false).await;
        (status, serde_json::from_str(&text).expect("a JSON body"))
    }

    /// `GET /metrics` with the token, parsed by an independent parser.
    pub async fn scrape(&self) -> scrape::Scrape {
        let (status, media, text) = self.get("/metrics", true).await;
        assert_eq!(status, 200, "{text}");
        assert!(media.starts_with("application/openmetrics-text"), "{media}");
        scrape::Scrape::parse(&text)
    }

    /// POSTs `input` to the action with the right token and `headers`; returns status
    /// and body.
    pub async fn call_with(
        &self,
        action: &str,
        input: Value,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut req = self
            .client
            .post(format!("{}/v1/actions/{action}", self.url))
            .bearer_auth(&self.token)
            .json(&input);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        conforming("POST", req.send().await.expect("the server answers")).await
    }

    pub async fn call(&self, action: &str, input: Value) -> (u16, Value) {
        self.call_with(action, input, &[]).await
    }

    /// The error message of a failed call, after checking its status.
    pub async fn fails(&self, action: &str, input: Value, status: u16) -> String {
        let (got, body) = self.call(action, input).await;
        assert_eq!(got, status, "{action}: {body}");
        body["error"]["message"]
            .as_str()
            .expect("an error message")
            .to_string()
    }

    pub async fn ok(&self, action: &str, input: Value) -> Value {
        let (got, body) = self.call(action, input).await;
        assert_eq!(got, 200, "{action}: {body}");
        body["result"].clone()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}
