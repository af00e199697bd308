//! The real resources the workflows act on, made as the test user through the public APIs,
//! all at once, with the project's own OpenStack client (the fixtures of
//! `server/tests/real_openstack/support.rs` do the same); and reading them back after.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use harness_contract::OpenStackEnv;
use mistral_actions_runtime::openstack::{CloudConfig, Method, Microversions, OpenStack};
use mistral_actions_runtime::ActionError;
use serde_json::{json, Value};

/// `networks: none` needs compute 2.37; Cinder at its base version, as our actions call it.
const MICROVERSIONS: Microversions = &[("compute", "2.90")];

/// Longest a resource may take to settle; two busy cores run every service.
const SETTLE: Duration = Duration::from_secs(120);

/// Ids of what [`Client::make`] made; each workflow run has its own, so that runs started
/// together never wait on one another's resource.
pub struct Resources {
    /// ACTIVE: `stop_server` stops it, then `start_server` starts it.
    pub server_cycled: String,
    /// PAUSED, which Nova refuses to stop.
    pub server_paused: String,
    /// ACTIVE: `create_image` snapshots it.
    pub server_imaged: String,
    /// ACTIVE: the actions workflow reads it.
    pub server: String,
    /// Available volumes: `create_volume_backup` backs the first up, `create_volume_snapshot`
    /// snapshots the second.
    pub volume_backed_up: String,
    pub volume_snapshotted: String,
    /// Available, with an available snapshot and backup: the actions workflow reads them.
    pub volume: String,
    pub snapshot: String,
    pub backup: String,
    /// Available volumes the actions workflow backs up (twice: two actions) and snapshots;
    /// a volume being backed up takes no other backup or snapshot.
    pub volume_for_backup: String,
    /// Both named [`DATA_VOLUME`]: the actions name what they make after the volume.
    pub volume_for_chain: String,
    pub volume_for_snapshot: String,
    /// An ACTIVE Trove instance and a COMPLETED backup of it.
    pub trove_instance: String,
    pub trove_backup: String,
}

/// The name of the volumes whose backups and snapshots the actions name after them.
pub const DATA_VOLUME: &str = "e2e_data";

/// The test user's client, and a runtime to drive it from the run's blocking code.
pub struct Client {
    os: OpenStack,
    runtime: tokio::runtime::Runtime,
    env: OpenStackEnv,
    env_file: PathBuf,
}

fn id(v: &Value, pointer: &str) -> Result<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
        .with_context(|| format!("no {pointer} in {v}"))
}

impl Client {
    /// As `cloud` of clouds.yaml; `env`/`env_file` are env.json.
    pub fn new(cloud: CloudConfig, env: &OpenStackEnv, env_file: &Path) -> Result<Client> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start an async runtime")?;
        Ok(Client {
            os: OpenStack::new(cloud).context("cannot make the test user's OpenStack client")?,
            runtime,
            env: env.clone(),
            env_file: env_file.to_path_buf(),
        })
    }

    /// `GET` from the service of that catalog type.
    pub fn get(&self, service: &str, path: &str) -> Result<Value> {
        self.call(Method::GET, service, path, None)
    }

    /// One request; a `GET` is sent once more if the connection broke: gunicorn closes
    /// idle keep-alive connections after 2 s, and one may close just as it is reused.
    async fn send(
        &self,
        method: Method,
        service: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let scoped = self.os.scoped(None, None, MICROVERSIONS);
        let first = scoped
            .request(method.clone(), service, path, &[], body.as_ref())
            .await;
        match first {
            Err(ActionError::Upstream { .. }) if method == Method::GET => {
                scoped.request(method, service, path, &[], None).await
            }
            other => other,
        }
        .with_context(|| format!("{service}: {path}"))
    }

    /// One request of any method, for the e2e modules that make and remove their own
    /// resources; an empty answer is `null`.
    pub fn call(
        &self,
        method: Method,
        service: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        self.runtime
            .block_on(self.send(method, service, path, body))
    }

    /// Available 1 GB volumes, one per (name, metadata), all asked for before any is
    /// waited for; their ids in the same order.
    pub fn volumes(&self, wanted: &[(String, Value)]) -> Result<Vec<String>> {
        self.runtime.block_on(async {
            let mut ids = Vec::new();
            for (name, metadata) in wanted {
                let body = json!({"volume": {"size": 1, "name": name, "metadata": metadata}});
                ids.push(id(
                    &self.post("volumev3", "/volumes", body).await?,
                    "/volume/id",
                )?);
            }
            for volume in &ids {
                let path = format!("/volumes/{volume}");
                self.wait_for("volumev3", &path, "/volume/status", "available")
                    .await?;
            }
            Ok(ids)
        })
    }

    async fn post(&self, service: &str, path: &str, body: Value) -> Result<Value> {
        self.send(Method::POST, service, path, Some(body)).await
    }

    /// Polls `path` until the value at `pointer` is `want`; an `error` state ends it early.
    async fn wait_for(&self, service: &str, path: &str, pointer: &str, want: &str) -> Result<()> {
        let started = Instant::now();
        loop {
            let body = self.send(Method::GET, service, path, None).await?;
            let now = body.pointer(pointer).cloned().unwrap_or(Value::Null);
            if now == want {
                return Ok(());
            }
            let failed = now
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("error"));
            if failed || started.elapsed() > SETTLE {
                bail!("{path}: {pointer} is {now}, waited for {want}");
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// Everything in [`Resources`], made side by side.
    pub fn make(&self) -> Result<Resources> {
        self.runtime.block_on(async {
            let (servers, volumes, read, trove) = tokio::join!(
                async {
                    tokio::try_join!(
                        self.server("e2e-cycled"),
                        self.paused_server("e2e-paused"),
                        self.server("e2e-imaged"),
                        self.server("e2e-read"),
                    )
                },
                async {
                    tokio::try_join!(
                        self.volume("e2e-backed-up"),
                        self.volume("e2e-snapshotted"),
                        self.volume("e2e-for-backup"),
                        self.volume(DATA_VOLUME),
                        self.volume(DATA_VOLUME),
                    )
                },
                self.volume_with_snapshot_and_backup("e2e-read"),
                self.trove_instance_with_backup("e2e-trove"),
            );
            let (server_cycled, server_paused, server_imaged, server) = servers?;
            let (
                volume_backed_up,
                volume_snapshotted,
                volume_for_backup,
                volume_for_chain,
                volume_for_snapshot,
            ) = volumes?;
            let (volume, snapshot, backup) = read?;
            let (trove_instance, trove_backup) = trove?;
            Ok(Resources {
                server_cycled,
                server_paused,
                server_imaged,
                server,
                volume_backed_up,
                volume_snapshotted,
                volume,
                snapshot,
                backup,
                volume_for_backup,
                volume_for_chain,
                volume_for_snapshot,
                trove_instance,
                trove_backup,
            })
        })
    }

    /// POSTs `{kind: body}` to `/<kind>s`, then waits until `/<kind>s/<id>` shows
    /// `status`; returns the new id.
    async fn make_one(
        &self,
        service: &str,
        kind: &str,
        body: Value,
        status: &str,
    ) -> Result<String> {
        let made = self
            .post(service, &format!("/{kind}s"), json!({ kind: body }))
            .await?;
        let id = id(&made, &format!("/{kind}/id"))?;
        let path = format!("/{kind}s/{id}");
        self.wait_for(service, &path, &format!("/{kind}/status"), status)
            .await?;
        Ok(id)
    }

    /// An ACTIVE server of the test image and flavor.
    async fn server(&self, name: &str) -> Result<String> {
        let e = &self.env;
        let body = json!({"name": name, "imageRef": e.image_id,
                          "flavorRef": e.flavor_id, "networks": "none"});
        self.make_one("compute", "server", body, "ACTIVE").await
    }

    async fn paused_server(&self, name: &str) -> Result<String> {
        let id = self.server(name).await?;
        let path = format!("/servers/{id}");
        self.post("compute", &format!("{path}/action"), json!({"pause": null}))
            .await?;
        self.wait_for("compute", &path, "/server/status", "PAUSED")
            .await?;
        Ok(id)
    }

    /// An available 1 GB volume.
    async fn volume(&self, name: &str) -> Result<String> {
        let body = json!({"size": 1, "name": name});
        self.make_one("volumev3", "volume", body, "available").await
    }

    /// A volume, a snapshot of it, then a backup the real cinder-backup finishes (one after
    /// the other: a volume being backed up takes no snapshot).
    async fn volume_with_snapshot_and_backup(
        &self,
        name: &str,
    ) -> Result<(String, String, String)> {
        let volume = self.volume(name).await?;
        let body = json!({"volume_id": volume, "name": name});
        let snapshot = self
            .make_one("volumev3", "snapshot", body, "available")
            .await?;
        let body = json!({"volume_id": volume, "name": name, "incremental": false});
        let backup = self
            .make_one("volumev3", "backup", body, "available")
            .await?;
        let path = format!("/volumes/{volume}");
        self.wait_for("volumev3", &path, "/volume/status", "available")
            .await?;
        Ok((volume, snapshot, backup))
    }

    /// A Trove instance made ACTIVE, and a backup of it made COMPLETED, by the harness's
    /// settle helper (no Trove guest runs here).
    async fn trove_instance_with_backup(&self, name: &str) -> Result<(String, String)> {
        let e = &self.env;
        let made = self
            .post(
                "database",
                "/instances",
                json!({"instance": {"name": name, "flavorRef": e.flavor_id, "volume": {"size": 1},
                                    "datastore": {"type": e.trove.datastore,
                                                  "version": e.trove.datastore_version}}}),
            )
            .await?;
        let instance = id(&made, "/instance/id")?;
        self.settle("trove-instance-active", &instance).await?;
        let made = self
            .post(
                "database",
                "/backups",
                json!({"backup": {"name": name, "instance": instance,
                                  "description": "made by cargo harness e2e"}}),
            )
            .await?;
        let backup = id(&made, "/backup/id")?;
        self.settle("trove-backup-completed", &backup).await?;
        Ok((instance, backup))
    }

    /// The settle helper, as env.json's `settle` says.
    async fn settle(&self, fact: &str, id: &str) -> Result<()> {
        let mut cmd = self.env.settle(&self.env_file, fact, id);
        let out = tokio::task::spawn_blocking(move || cmd.output())
            .await
            .with_context(|| format!("settle {fact}"))?
            .context("cannot run the settle helper")?;
        if out.status.success() {
            Ok(())
        } else {
            bail!(
                "settle {fact} {id}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )
        }
    }
}
