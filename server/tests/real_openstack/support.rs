//! The real OpenStack that `cargo xtask ci` (or `cargo harness openstack`) starts, described
//! by the env.json that `MA_TEST_OPENSTACK` names (`harness_contract::OpenStackEnv`); an action server logged in to it; and
//! a client that makes the resources the tests act on, through the same public APIs an
//! operator's tooling would use.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use harness_contract::OpenStackEnv;
use mistral_actions_runtime::openstack::{CloudConfig, Method, Microversions, OpenStack};
use mistral_actions_runtime::{ActionError, ExecPolicy, Secret};
use mistral_actions_server::Config;
use serde_json::{json, Value};

#[path = "../common/serve.rs"]
mod serve;
pub use serve::Served;

pub const TOKEN: &str = "real-openstack-test-token";
/// A well-formed id of nothing.
pub const MISSING: &str = "99999999-9999-4999-8999-999999999999";

/// env.json, read once.
pub fn env() -> &'static OpenStackEnv {
    static ENV: OnceLock<OpenStackEnv> = OnceLock::new();
    ENV.get_or_init(|| OpenStackEnv::from_env().unwrap_or_else(|e| panic!("{e}")))
}

pub fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("expected text, got {v}"))
        .to_string()
}

/// A cloud of the generated clouds.yaml: `ma-test` (the test user, password),
/// `ma-test-appcred`, `ma-test-tls` (Keystone over TLS, its CA as `cacert`), `ma-admin`.
pub fn cloud(name: &str) -> CloudConfig {
    let path = &env().clouds_yaml;
    let mut c = CloudConfig::from_clouds_yaml(path, name)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // Two cores run every service here; be patient.
    c.timeout = Duration::from_secs(60);
    c
}

/// The action server, logged in as `cloud`.
pub async fn server(cloud: CloudConfig) -> Served {
    serve::serve(&Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        token: Some(Secret::new(TOKEN.to_string())),
        tls: None,
        cloud: Some(cloud),
        exec: ExecPolicy::default(),
    })
    .await
}

/// The action server as the test user.
pub async fn user_server() -> Served {
    server(cloud("ma-test")).await
}

/// Versions the fixtures rely on: `networks: none` needs compute 2.37.
const FIXTURE_MICROVERSIONS: Microversions = &[("compute", "2.90"), ("volumev3", "3.71")];

/// Makes and reads resources as a user of the test cloud.
pub struct Fixtures {
    os: OpenStack,
}

fn must<T>(what: &str, r: Result<T, ActionError>) -> T {
    r.unwrap_or_else(|e| panic!("fixture: {what}: {e}"))
}

impl Fixtures {
    pub fn user() -> Fixtures {
        Fixtures::of("ma-test")
    }

    pub fn admin() -> Fixtures {
        Fixtures::of("ma-admin")
    }

    pub fn of(cloud_name: &str) -> Fixtures {
        Fixtures::with(cloud(cloud_name))
    }

    pub fn with(cloud: CloudConfig) -> Fixtures {
        Fixtures {
            os: must("client", OpenStack::new(cloud)),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        service: &str,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let s = self.os.scoped(None, None, FIXTURE_MICROVERSIONS);
        must(
            &format!("{method} {path}"),
            s.request(method.clone(), service, path, &[], body.as_ref())
                .await,
        )
    }

    /// A request whose error status is an answer too: `(status, body)`.
    pub async fn raw(
        &self,
        method: Method,
        service: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let s = self.os.scoped(None, None, FIXTURE_MICROVERSIONS);
        match s
            .request_with_status(method.clone(), service, path, &[], body.as_ref())
            .await
        {
            Ok(answer) => answer,
            Err(ActionError::OpenStack { status, .. }) => (status, Value::Null),
            Err(e) => panic!("fixture: {method} {path}: {e}"),
        }
    }

    pub async fn get(&self, service: &str, path: &str) -> Value {
        self.send(Method::GET, service, path, None).await
    }

    pub async fn post(&self, service: &str, path: &str, body: Value) -> Value {
        self.send(Method::POST, service, path, Some(body)).await
    }

    /// Polls `path` until the value at `pointer` is `want`; panics naming the last value
    /// (and `fail`, a state that will never turn into `want`) otherwise.
    pub async fn wait_for(&self, service: &str, path: &str, pointer: &str, want: &str) -> Value {
        let started = Instant::now();
        loop {
            let body = self.get(service, path).await;
            let now = body.pointer(pointer).cloned().unwrap_or(Value::Null);
            if now == want {
                return body;
            }
            let failed = now
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("error") && want != s);
            if failed || started.elapsed() > Duration::from_secs(120) {
                panic!("fixture: {path} {pointer} is {now}, waited for {want}: {body}");
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// A new ACTIVE server of the test image and flavor.
    pub async fn server(&self, name: &str) -> String {
        let e = env();
        let body = self
            .post(
                "compute",
                "/servers",
                json!({"server": {
                    "name": name,
                    "imageRef": e.image_id,
                    "flavorRef": e.flavor_id,
                    "networks": "none",
                }}),
            )
            .await;
        let id = text(&body["server"]["id"]);
        self.wait_for(
            "compute",
            &format!("/servers/{id}"),
            "/server/status",
            "ACTIVE",
        )
        .await;
        id
    }

    /// Runs a server action (`os-stop`, `os-pause`, …) and waits for `status`.
    pub async fn server_action(&self, id: &str, action: Value, status: &str) {
        self.post("compute", &format!("/servers/{id}/action"), action)
            .await;
        self.wait_for(
            "compute",
            &format!("/servers/{id}"),
            "/server/status",
            status,
        )
        .await;
    }

    /// A new available 1 GB volume.
    pub async fn volume(&self, name: &str) -> String {
        let body = self
            .post(
                "volumev3",
                "/volumes",
                json!({"volume": {"size": 1, "name": name}}),
            )
            .await;
        let id = text(&body["volume"]["id"]);
        self.wait_for(
            "volumev3",
            &format!("/volumes/{id}"),
            "/volume/status",
            "available",
        )
        .await;
        id
    }

    /// Waits until the real cinder-backup has finished `backup` and the volume is usable
    /// again.
    pub async fn backup_done(&self, backup: &str, volume: &str) {
        self.wait_for(
            "volumev3",
            &format!("/backups/{backup}"),
            "/backup/status",
            "available",
        )
        .await;
        self.wait_for(
            "volumev3",
            &format!("/volumes/{volume}"),
            "/volume/status",
            "available",
        )
        .await;
    }

    /// A backup made by hand (not by this tool), finished.
    pub async fn foreign_backup(&self, volume: &str, incremental: bool) -> String {
        let body = self
            .post(
                "volumev3",
                "/backups",
                json!({"backup": {"volume_id": volume, "name": "by-hand",
                                  "description": "made by an operator",
                                  "incremental": incremental}}),
            )
            .await;
        let id = text(&body["backup"]["id"]);
        self.backup_done(&id, volume).await;
        id
    }

    /// The volume's backups in Cinder's detail view, oldest first.
    pub async fn backups_of(&self, volume: &str) -> Vec<Value> {
        let body = self
            .get("volumev3", &format!("/backups/detail?volume_id={volume}"))
            .await;
        let mut list = body["backups"].as_array().cloned().unwrap_or_default();
        list.sort_by_key(|b| b["created_at"].as_str().unwrap_or("").to_string());
        list
    }

    /// A Trove instance of the test datastore, ACTIVE.
    pub async fn trove_instance(&self, name: &str) -> String {
        let id = self.trove_instance_building(name).await;
        settle("trove-instance-active", &id);
        id
    }

    /// A new Trove instance, left as Trove leaves it without a guest: BUILD.
    pub async fn trove_instance_building(&self, name: &str) -> String {
        let e = env();
        let body = self
            .post(
                "database",
                "/instances",
                json!({"instance": {
                    "name": name,
                    "flavorRef": e.flavor_id,
                    "volume": {"size": 1},
                    "datastore": {"type": e.trove.datastore,
                                  "version": e.trove.datastore_version},
                }}),
            )
            .await;
        text(&body["instance"]["id"])
    }

    /// A new available snapshot of `volume`.
    pub async fn snapshot(&self, volume: &str) -> String {
        let body = self
            .post(
                "volumev3",
                "/snapshots",
                json!({"snapshot": {"volume_id": volume, "name": "fixture"}}),
            )
            .await;
        let id = text(&body["snapshot"]["id"]);
        self.wait_for(
            "volumev3",
            &format!("/snapshots/{id}"),
            "/snapshot/status",
            "available",
        )
        .await;
        id
    }

    /// A Trove backup made by hand (not by this tool), COMPLETED.
    pub async fn foreign_trove_backup(&self, instance: &str, parent: Option<&str>) -> String {
        let mut backup = json!({"name": "by-hand", "instance": instance,
                                "description": "made by an operator"});
        if let Some(p) = parent {
            backup["parent_id"] = json!(p);
        }
        let body = self
            .post("database", "/backups", json!({ "backup": backup }))
            .await;
        let id = text(&body["backup"]["id"]);
        settle("trove-backup-completed", &id);
        id
    }
}

/// Makes happen what only a piece that cannot run here would (a Trove guest): the
/// harness's settle helper, one fact per call (harness/openstack/settle.py says how each
/// stands for the real service).
pub fn settle(fact: &str, id: &str) {
    let env_file = harness_contract::env_file().unwrap_or_else(|e| panic!("{e}"));
    let out = env()
        .settle(&env_file, fact, id)
        .output()
        .expect("the OpenStack venv's python runs");
    assert!(
        out.status.success(),
        "settle {fact} {id}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A name no other test uses.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}
