//! A stub OpenStack and an action server wired to it, both on loopback.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use mistral_actions_runtime::openstack::CloudConfig;
use mistral_actions_runtime::{ExecPolicy, Secret};
use mistral_actions_server::{Access, Config};
use stub_openstack::{Stub, World};

#[path = "../common/serve.rs"]
mod serve;
use serve::{serve_with, Served};

pub const TOKEN: &str = "test-token-0123456789";

pub fn env_of(pairs: &[(&str, String)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    move |k| map.get(k).cloned()
}

/// `OS_*` of the stub's password user, for the server binary.
pub fn stub_user<'c>(
    cmd: &'c mut std::process::Command,
    stub: &Stub,
) -> &'c mut std::process::Command {
    cmd.env("OS_AUTH_URL", stub.auth_url())
        .env("OS_USERNAME", stub_openstack::USERNAME)
        .env("OS_PASSWORD", stub_openstack::PASSWORD)
        .env("OS_PROJECT_NAME", "admin")
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
    served: Served,
}

impl std::ops::Deref for Harness {
    type Target = Served;
    fn deref(&self) -> &Served {
        &self.served
    }
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
    /// `openstack.projects`, `openstack.regions`.
    pub projects: &'static [&'static str],
    pub regions: &'static [&'static str],
    /// `tokens:`, project → token file.
    pub project_tokens: BTreeMap<String, PathBuf>,
    /// `metrics.public`.
    pub metrics_public: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            world: World::with_fixtures(),
            token: Some(TOKEN),
            exec: ExecPolicy::default(),
            timeout: Duration::from_secs(10),
            cloud: None,
            projects: &[],
            regions: &[],
            project_tokens: BTreeMap::new(),
            metrics_public: false,
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
        let access = Access {
            projects: o.projects.iter().map(|p| p.to_string()).collect(),
            regions: o.regions.iter().map(|r| r.to_string()).collect(),
            project_tokens: o.project_tokens,
            metrics_public: o.metrics_public,
            ..Access::of(&config)
        };
        Harness {
            stub,
            served: serve_with(&config, &access).await,
        }
    }
}

pub use serve::conforming;
pub use serve::scrape::Scrape;
