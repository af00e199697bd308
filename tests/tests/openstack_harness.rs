//! The real OpenStack that `cargo xtask ci` (or `cargo harness openstack`) starts, checked
//! with plain HTTP before any test builds on it: logins, catalog, each service answering,
//! Keystone over TLS, and end to end the pieces of ours (the Nova driver, the cinder-backup
//! shim, the responders, the settle helper). env.json, which `MA_TEST_OPENSTACK` points
//! to, is harness/contract's `OpenStackEnv`.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use harness_contract::OpenStackEnv;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const MICROVERSIONS: &str = "compute 2.90, volume 3.71";

fn env_file() -> PathBuf {
    harness_contract::env_file().unwrap_or_else(|e| panic!("{e}"))
}

fn env() -> OpenStackEnv {
    OpenStackEnv::read(&env_file()).unwrap_or_else(|e| panic!("{e}"))
}

fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A Keystone session: the token and its catalog.
struct Session {
    http: Client,
    token: String,
    body: Value,
}

async fn auth(http: &Client, auth_url: &str, auth: Value) -> reqwest::Response {
    http.post(format!("{auth_url}/auth/tokens"))
        .json(&json!({ "auth": auth }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {auth_url}/auth/tokens: {e}"))
}

fn password_auth(env: &OpenStackEnv, password: &str) -> Value {
    json!({
        "identity": {"methods": ["password"], "password": {"user": {
            "name": env.user.name, "domain": {"name": env.user.domain_name},
            "password": password}}},
        "scope": {"project": {"name": env.project.name,
                              "domain": {"name": env.project.domain_name}}}
    })
}

async fn session_from(http: Client, resp: reqwest::Response) -> Session {
    assert_eq!(resp.status(), StatusCode::CREATED, "login failed");
    let token = resp.headers()["x-subject-token"]
        .to_str()
        .unwrap()
        .to_string();
    let body = resp.json().await.unwrap();
    Session { http, token, body }
}

async fn login(env: &OpenStackEnv) -> Session {
    let http = client();
    let resp = auth(&http, &env.auth_url, password_auth(env, &env.user.password)).await;
    session_from(http, resp).await
}

impl Session {
    /// The public URL of `kind` in RegionOne from the token's catalog.
    fn endpoint(&self, kind: &str) -> String {
        let catalog = self.body["token"]["catalog"].as_array().unwrap();
        let entry = catalog
            .iter()
            .find(|e| e["type"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in the catalog"));
        let ep = entry["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["interface"] == "public" && e["region_id"] == "RegionOne")
            .unwrap_or_else(|| panic!("no public RegionOne endpoint for {kind}"));
        s(&ep["url"]).trim_end_matches('/').to_string()
    }

    async fn call(&self, method: reqwest::Method, url: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method.clone(), url)
            .header("X-Auth-Token", &self.token)
            .header("OpenStack-API-Version", MICROVERSIONS);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert!(status.is_success(), "{method} {url}: {status}: {text}");
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: {e}: {text}"))
        }
    }

    async fn get(&self, url: &str) -> Value {
        self.call(reqwest::Method::GET, url, None).await
    }

    async fn post(&self, url: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, url, Some(body)).await
    }

    /// Polls `url` until `key.field` is `want` (panics on an ERROR state or after 90 s).
    async fn wait_for(&self, url: &str, key: &str, field: &str, want: &str) -> Value {
        let started = Instant::now();
        loop {
            let v = self.get(url).await[key].clone();
            let now = v[field].as_str().unwrap_or_default().to_string();
            if now == want {
                return v;
            }
            assert!(
                !now.eq_ignore_ascii_case("error"),
                "{url}: {field} is {now}, not {want}: {v}"
            );
            assert!(
                started.elapsed() < Duration::from_secs(90),
                "{url}: {field} still {now} after 90 s, not {want}: {v}"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

/// Runs the settle helper the way the action tests will.
fn settle(env: &OpenStackEnv, fact: &str, id: &str) {
    let out = env
        .settle(&env_file(), fact, id)
        .output()
        .expect("cannot run the settle helper");
    assert!(
        out.status.success(),
        "settle {fact} {id} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn logins_catalog_and_every_service_answer() {
    let env = env();
    let user = login(&env).await;
    for kind in ["compute", "volumev3", "image", "database", "identity"] {
        user.endpoint(kind);
    }
    // Application credential, bound to its project.
    let http = client();
    let resp = auth(
        &http,
        &env.auth_url,
        json!({"identity": {"methods": ["application_credential"],
            "application_credential": {"id": env.application_credential.id,
                                       "secret": env.application_credential.secret}}}),
    )
    .await;
    let appcred = session_from(http, resp).await;
    assert_eq!(
        appcred.body["token"]["methods"],
        json!(["application_credential"])
    );
    assert_eq!(
        appcred.body["token"]["project"]["id"],
        json!(env.project.id)
    );
    appcred.endpoint("compute");
    // The same user in the second project.
    let mut alt = password_auth(&env, &env.user.password);
    alt["scope"]["project"] = json!({"id": env.project_alt.id});
    assert_eq!(
        auth(&client(), &env.auth_url, alt).await.status(),
        StatusCode::CREATED
    );
    let wrong = auth(
        &client(),
        &env.auth_url,
        password_auth(&env, "not the password"),
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let flavors = user
        .get(&format!("{}/flavors", user.endpoint("compute")))
        .await;
    assert!(
        flavors["flavors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == json!(env.flavor_id)),
        "{flavors}"
    );
    let image = user
        .get(&format!(
            "{}/v2/images/{}",
            user.endpoint("image"),
            env.image_id
        ))
        .await;
    assert_eq!(image["status"], "active", "{image}");
    assert!(user
        .get(&format!("{}/volumes", user.endpoint("volumev3")))
        .await["volumes"]
        .is_array());
    assert!(user
        .get(&format!("{}/instances", user.endpoint("database")))
        .await["instances"]
        .is_array());
}

#[tokio::test]
async fn keystone_over_tls_needs_the_ca() {
    let env = env();
    let url = env.auth_url_tls.clone();
    let ca = std::fs::read(&env.ca_file).unwrap();
    let trusting = Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let resp = trusting
        .get(&url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url} with the CA trusted: {e:?}"));
    assert_eq!(resp.status(), StatusCode::OK);
    let version: Value = resp.json().await.unwrap();
    assert_eq!(version["version"]["id"], "v3.14", "{version}");
    // The same login works there.
    let resp = auth(&trusting, &url, password_auth(&env, &env.user.password)).await;
    assert_eq!(resp.status(), StatusCode::CREATED);

    let err = client()
        .get(&url)
        .send()
        .await
        .expect_err("a client without our CA must refuse the certificate");
    let mut chain = format!("{err}");
    let mut source = std::error::Error::source(&err);
    while let Some(e) = source {
        chain.push_str(&format!(": {e}"));
        source = e.source();
    }
    assert!(
        chain.to_lowercase().contains("certificate"),
        "not a TLS verification error: {chain}"
    );
}

#[tokio::test]
async fn nova_boots_pauses_and_snapshots_for_real() {
    let env = env();
    let user = login(&env).await;
    let nova = user.endpoint("compute");
    let server = user
        .post(
            &format!("{nova}/servers"),
            json!({"server": {"name": "harness-smoke", "imageRef": env.image_id,
                              "flavorRef": env.flavor_id, "networks": "none"}}),
        )
        .await;
    let id = s(&server["server"]["id"]).to_string();
    let url = format!("{nova}/servers/{id}");
    let active = user.wait_for(&url, "server", "status", "ACTIVE").await;
    assert_eq!(active["OS-EXT-STS:power_state"], 1, "{active}");

    user.post(&format!("{url}/action"), json!({"pause": null}))
        .await;
    let paused = user.wait_for(&url, "server", "status", "PAUSED").await;
    assert_eq!(paused["OS-EXT-STS:power_state"], 3, "{paused}");
    user.post(&format!("{url}/action"), json!({"unpause": null}))
        .await;
    user.wait_for(&url, "server", "status", "ACTIVE").await;
    // libvirt's suspend is a managed save: the domain is shut off (power state 4).
    user.post(&format!("{url}/action"), json!({"suspend": null}))
        .await;
    let suspended = user.wait_for(&url, "server", "status", "SUSPENDED").await;
    assert_eq!(suspended["OS-EXT-STS:power_state"], 4, "{suspended}");
    user.post(&format!("{url}/action"), json!({"resume": null}))
        .await;
    let resumed = user.wait_for(&url, "server", "status", "ACTIVE").await;
    assert_eq!(resumed["OS-EXT-STS:power_state"], 1, "{resumed}");

    let snap = user
        .post(
            &format!("{url}/action"),
            json!({"createImage": {"name": "harness-smoke-snapshot"}}),
        )
        .await;
    let image_id = s(&snap["image_id"]).to_string();
    let glance = user.endpoint("image");
    let started = Instant::now();
    let image = loop {
        let image = user.get(&format!("{glance}/v2/images/{image_id}")).await;
        if image["status"] == "active" || started.elapsed() > Duration::from_secs(90) {
            break image;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(image["status"], "active", "{image}");
    assert_eq!(image["disk_format"], "qcow2", "{image}");
    assert!(image["size"].as_u64().unwrap_or(0) > 0, "{image}");
    user.call(reqwest::Method::DELETE, &url, None).await;
}

#[tokio::test]
async fn cinder_backups_are_made_by_the_real_cinder_backup() {
    let env = env();
    let user = login(&env).await;
    let cinder = user.endpoint("volumev3");
    let volume = user
        .post(
            &format!("{cinder}/volumes"),
            json!({"volume": {"size": 1, "name": "harness-smoke"}}),
        )
        .await;
    let volume_id = s(&volume["volume"]["id"]).to_string();
    user.wait_for(
        &format!("{cinder}/volumes/{volume_id}"),
        "volume",
        "status",
        "available",
    )
    .await;
    let mut ids = Vec::new();
    for incremental in [false, true] {
        let made = user
            .post(
                &format!("{cinder}/backups"),
                json!({"backup": {"volume_id": volume_id, "name": "harness-smoke",
                                  "incremental": incremental, "force": true}}),
            )
            .await;
        let id = s(&made["backup"]["id"]).to_string();
        let backup = user
            .wait_for(
                &format!("{cinder}/backups/{id}"),
                "backup",
                "status",
                "available",
            )
            .await;
        assert_eq!(backup["is_incremental"], incremental, "{backup}");
        assert_eq!(backup["size"], 1, "{backup}");
        ids.push(id);
    }
    // Kept by cinder-backup's _finish_backup (backup_add_dependent), not by the API.
    let full = user.get(&format!("{cinder}/backups/{}", ids[0])).await;
    assert_eq!(full["backup"]["has_dependent_backups"], true, "{full}");
    // The volume is back to available once both are done.
    user.wait_for(
        &format!("{cinder}/volumes/{volume_id}"),
        "volume",
        "status",
        "available",
    )
    .await;
    // A backup of a snapshot goes through the snapshot's attach, and gives it back.
    let snapshot = user
        .post(
            &format!("{cinder}/snapshots"),
            json!({"snapshot": {"volume_id": volume_id, "name": "harness-smoke", "force": true}}),
        )
        .await;
    let snapshot_id = s(&snapshot["snapshot"]["id"]).to_string();
    let snapshot_url = format!("{cinder}/snapshots/{snapshot_id}");
    user.wait_for(&snapshot_url, "snapshot", "status", "available")
        .await;
    let made = user
        .post(
            &format!("{cinder}/backups"),
            json!({"backup": {"volume_id": volume_id, "snapshot_id": snapshot_id,
                              "name": "harness-smoke-snapshot", "force": true}}),
        )
        .await;
    let backup = user
        .wait_for(
            &format!("{cinder}/backups/{}", s(&made["backup"]["id"])),
            "backup",
            "status",
            "available",
        )
        .await;
    assert_eq!(backup["snapshot_id"], json!(snapshot_id), "{backup}");
    user.wait_for(&snapshot_url, "snapshot", "status", "available")
        .await;
}

/// clouds.yaml as openstacksdk (the reference reader of that file) reads it: each cloud
/// logs in and finds the compute service.
#[test]
fn every_cloud_of_clouds_yaml_logs_in() {
    let env = env();
    let script = r#"
import sys, openstack
for name in sys.argv[1:]:
    conn = openstack.connect(cloud=name)
    conn.authorize()
    print(name, conn.current_project_id, conn.compute.get_endpoint())
"#;
    let out = Command::new(&env.python)
        .args(["-c", script])
        .args([
            "ma-test",
            "ma-test-appcred",
            "ma-test-tls",
            "ma-admin",
            "ma-test-other",
            "ma-test-project-admin",
            "ma-test-alt",
            "ma-test-other-alt",
        ])
        .env("OS_CLIENT_CONFIG_FILE", &env.clouds_yaml)
        .output()
        .expect("cannot run the venv's python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "openstacksdk could not use clouds.yaml: {}{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (project, alt) = (&env.project.id, &env.project_alt.id);
    for (cloud, project) in [
        ("ma-test ", project),
        ("ma-test-appcred ", project),
        ("ma-test-tls ", project),
        ("ma-test-other ", project),
        ("ma-test-project-admin ", project),
        ("ma-test-alt ", alt),
        ("ma-test-other-alt ", alt),
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(cloud) && l.contains(project.as_str())),
            "{cloud}not logged in to {project}: {stdout}"
        );
    }
}

#[tokio::test]
async fn trove_instances_and_backups_settle() {
    let env = env();
    let user = login(&env).await;
    let trove = user.endpoint("database");
    let made = user
        .post(
            &format!("{trove}/instances"),
            json!({"instance": {"name": "harness-smoke", "flavorRef": env.flavor_id,
                                "volume": {"size": 1},
                                "datastore": {"type": env.trove.datastore,
                                              "version": env.trove.datastore_version}}}),
        )
        .await;
    let id = s(&made["instance"]["id"]).to_string();
    assert_eq!(made["instance"]["status"], "BUILD", "{made}");
    settle(&env, "trove-instance-active", &id);
    let started = Instant::now();
    let instance = user.get(&format!("{trove}/instances/{id}")).await;
    assert_eq!(instance["instance"]["status"], "ACTIVE", "{instance}");
    // Answered by our guest agent responder, not after the 15 s RPC timeout.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the instance view took {:?}",
        started.elapsed()
    );
    assert!(
        instance["instance"]["volume"]["used"].is_number(),
        "{instance}"
    );

    let mut parent = None;
    for incremental in [0, 1] {
        let backup = user
            .post(
                &format!("{trove}/backups"),
                json!({"backup": {"name": "harness-smoke", "instance": id,
                                  "incremental": incremental}}),
            )
            .await;
        let backup_id = s(&backup["backup"]["id"]).to_string();
        assert_eq!(backup["backup"]["status"], "NEW", "{backup}");
        assert_eq!(backup["backup"]["parent_id"], json!(parent), "{backup}");
        settle(&env, "trove-backup-completed", &backup_id);
        let done = user.get(&format!("{trove}/backups/{backup_id}")).await;
        assert_eq!(done["backup"]["status"], "COMPLETED", "{done}");
        parent = Some(backup_id);
    }
}
