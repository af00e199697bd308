//! The action server in this test process, on a loopback port, for a given configuration,
//! and calls to it as Mistral's `std.http` makes them.

use mistral_actions_server::{Access, Config};
use serde_json::Value;

#[path = "conformance.rs"]
mod conformance;

/// Status and JSON body of an answer to `method`, after checking both against
/// `generated/openapi.json`.
pub async fn conforming(method: &str, r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let path = r.url().path().to_string();
    let body: Value = r.json().await.expect("a JSON body");
    conformance::check(method, &path, status, &body);
    (status, body)
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

impl Served {
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
