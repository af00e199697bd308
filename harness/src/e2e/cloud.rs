//! The real OpenStack the run acts on, as env.json and clouds.yaml describe it: the test
//! user's and the admin's logins, the Keystone Mistral checks tokens with, and Mistral's
//! entry in the Keystone catalog.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mistral_actions_runtime::openstack::CloudConfig;
use serde_json::{json, Value};

use crate::services::mistral_server;
use crate::services::openstack::api::{self, Api};
use crate::services::openstack::read_env;

/// The test user's cloud of clouds.yaml (password, the test project).
pub const USER_CLOUD: &str = "ma-test";

/// The test user's application credential in clouds.yaml: what the packaged servers log
/// in as.
pub const APPCRED_CLOUD: &str = "ma-test-appcred";

/// Mistral's service type in the catalog, the one its clients (and `action-list`) look up.
pub const MISTRAL_TYPE: &str = mistral_actions_listing::MISTRAL;

pub struct Cloud {
    pub env: Value,
    pub env_file: PathBuf,
    pub clouds_yaml: PathBuf,
}

impl Cloud {
    pub fn read(env_file: &Path) -> Result<Cloud, String> {
        let env = read_env(env_file)?;
        let clouds_yaml = PathBuf::from(env["clouds_yaml"].as_str().unwrap_or_default());
        Ok(Cloud {
            env,
            env_file: env_file.to_path_buf(),
            clouds_yaml,
        })
    }

    fn text(&self, pointer: &str) -> Result<String, String> {
        self.env
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("{}: no {pointer}", self.env_file.display()))
    }

    /// Keystone without its `/v3`.
    fn keystone(&self) -> Result<String, String> {
        Ok(self.text("/auth_url")?.trim_end_matches("/v3").to_string())
    }

    /// A cloud of clouds.yaml (`ma-test`, `ma-test-appcred`, …) as the runtime reads it.
    pub fn config(&self, cloud: &str) -> Result<CloudConfig, String> {
        let mut config =
            CloudConfig::from_clouds_yaml(&self.clouds_yaml, cloud).map_err(|e| e.to_string())?;
        // Two cores run every service here; be patient.
        config.timeout = Duration::from_secs(60);
        Ok(config)
    }

    /// A fresh token of the test user, scoped to the test project (what a person gets
    /// from `openstack token issue`), with the token body.
    pub fn user_login(&self) -> Result<(Api, Value), String> {
        api::login(
            &self.keystone()?,
            &self.text("/user/name")?,
            &self.text("/user/domain_name")?,
            &self.text("/user/password")?,
            &self.text("/project/name")?,
            &self.text("/project/domain_name")?,
        )
    }

    fn admin(&self) -> Result<Api, String> {
        let a = |k: &str| self.text(&format!("/admin/{k}"));
        api::login(
            &self.keystone()?,
            &a("username")?,
            &a("user_domain_name")?,
            &a("password")?,
            &a("project_name")?,
            &a("project_domain_name")?,
        )
        .map(|(api, _)| api)
    }

    /// Mistral's `[keystone_authtoken]`: the seeded `mistral` service user.
    pub fn mistral_keystone(&self) -> Result<mistral_server::Keystone, String> {
        let m = |k: &str| self.text(&format!("/mistral/{k}"));
        Ok(mistral_server::Keystone {
            auth_url: self.text("/auth_url")?,
            region: self.text("/region")?,
            username: m("username")?,
            password: m("password")?,
            user_domain_name: m("user_domain_name")?,
            project_name: m("project_name")?,
            project_domain_name: m("project_domain_name")?,
        })
    }
}

/// Mistral in the Keystone catalog, as a deployment registers it; removed on drop, so a
/// stack that outlives the run (`cargo xtask openstack`) is left as it was.
pub struct CatalogEntry {
    admin: Api,
    service_url: String,
}

impl CatalogEntry {
    /// Registers `api_root` (`…/v2`) as `workflowv2` on every interface, replacing what a
    /// killed run left, and waits until a new token of the test user lists it.
    pub fn register(cloud: &Cloud, api_root: &str) -> Result<CatalogEntry, String> {
        let ks = format!("{}/v3", cloud.keystone()?);
        let admin = cloud.admin()?;
        let old = admin.get(&format!("{ks}/services?type={MISTRAL_TYPE}"))?;
        for service in old["services"].as_array().into_iter().flatten() {
            if let Some(id) = service["id"].as_str() {
                admin.delete(&format!("{ks}/services/{id}"))?;
            }
        }
        let made = admin.post(
            &format!("{ks}/services"),
            &json!({"service": {"type": MISTRAL_TYPE, "name": "mistral"}}),
        )?;
        let id = made["service"]["id"]
            .as_str()
            .ok_or_else(|| format!("Keystone made a service without id: {made}"))?;
        let entry = CatalogEntry {
            service_url: format!("{ks}/services/{id}"),
            admin,
        };
        let region = cloud.text("/region")?;
        for interface in ["public", "internal", "admin"] {
            entry.admin.post(
                &format!("{ks}/endpoints"),
                &json!({"endpoint": {"service_id": id, "interface": interface,
                                     "url": api_root, "region_id": region}}),
            )?;
        }
        // Keystone caches the catalog it puts in tokens for a few seconds.
        let started = Instant::now();
        loop {
            let (_, body) = cloud.user_login()?;
            let listed = body["token"]["catalog"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|s| s["type"] == MISTRAL_TYPE);
            if listed {
                return Ok(entry);
            }
            if started.elapsed() > Duration::from_secs(30) {
                return Err(format!(
                    "a new token of the test user still has no {MISTRAL_TYPE} in its catalog after 30 s"
                ));
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

impl Drop for CatalogEntry {
    fn drop(&mut self) {
        // Endpoints go with their service.
        if let Err(e) = self.admin.delete(&self.service_url) {
            eprintln!("    cannot remove Mistral from the Keystone catalog: {e}");
        }
    }
}
