//! A stub OpenStack and an action server wired to it, both on loopback.

use std::collections::HashMap;
use std::time::Duration;

use mistral_actions_runtime::openstack::CloudConfig;
use mistral_actions_runtime::{ExecPolicy, Secret};
use mistral_actions_server::Config;
use serde_json::Value;
use stub_openstack::{Stub, World};

pub const TOKEN: &str = "test-token-0123456789";

pub fn env_of(pairs: &[(&str, String)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    move |k| map.get(k).cloned()
}

/// `OS_*` for the stub's password user.
pub fn password_cloud(stub: &Stub) -> CloudConfig {
    CloudConfig::from_env(&env_of(&[
        ("OS_AUTH_URL", stub.auth_url()),
        ("OS_USERNAME", stub_openstack::USERNAME.into()),
        ("OS_PASSWORD", stub_openstack::PASSWORD.into()),
        ("OS_PROJECT_NAME", "admin".into()),
        ("OS_USER_DOMAIN_NAME", "Default".into()),
        ("OS_PROJECT_DOMAIN_NAME", "Default".into()),
        ("OS_REGION_NAME", stub_openstack::REGION.into()),
    ]))
    .expect("a complete OS_* set")
}

/// `OS_*` for the stub's application credential.
pub fn app_credential_cloud(stub: &Stub) -> CloudConfig {
    CloudConfig::from_env(&env_of(&[
        ("OS_AUTH_URL", stub.auth_url()),
        ("OS_AUTH_TYPE", "v3applicationcredential".into()),
        (
            "OS_APPLICATION_CREDENTIAL_ID",
            stub_openstack::APP_CRED_ID.into(),
        ),
        (
            "OS_APPLICATION_CREDENTIAL_SECRET",
            stub_openstack::APP_CRED_SECRET.into(),
        ),
    ]))
    .expect("a complete OS_* set")
}

pub struct Harness {
    pub stub: Stub,
    pub url: String,
    pub client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Builds the cloud configuration once the stub's address is known.
pub type CloudFor = Box<dyn FnOnce(&Stub) -> CloudConfig>;

pub struct Options {
    pub world: World,
    pub token: Option<&'static str>,
    pub exec: ExecPolicy,
    pub timeout: Duration,
    /// `None`: the password cloud of the stub.
    pub cloud: Option<CloudFor>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            world: World::with_fixtures(),
            token: Some(TOKEN),
            exec: ExecPolicy::default(),
            timeout: Duration::from_secs(10),
            cloud: None,
        }
    }
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::with(Options::default()).await
    }

    pub async fn with(o: Options) -> Harness {
        let stub = Stub::start(o.world).await;
        let mut cloud = match o.cloud {
            Some(f) => f(&stub),
            None => password_cloud(&stub),
        };
        cloud.timeout = o.timeout;
        let config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            token: o.token.map(|t| Secret::new(t.to_string())),
            tls: None,
            cloud: Some(cloud),
            exec: o.exec,
        };
        let app = mistral_actions_server::router(mistral_actions_server::state(&config).unwrap());
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
        Harness {
            stub,
            url,
            client: reqwest::Client::new(),
            stop: Some(stop),
        }
    }

    /// POSTs `input` to the action with the right token; returns status and body.
    pub async fn call(&self, action: &str, input: Value) -> (u16, Value) {
        let r = self
            .client
            .post(format!("{}/v1/actions/{action}", self.url))
            .bearer_auth(TOKEN)
            .json(&input)
            .send()
            .await
            .expect("the server answers");
        conforming("POST", r).await
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

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Status and JSON body of an answer to `method`, after checking both against
/// `generated/openapi.json`.
pub async fn conforming(method: &str, r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let path = r.url().path().to_string();
    let body: Value = r.json().await.expect("a JSON body");
    crate::conformance::check(method, &path, status, &body);
    (status, body)
}
