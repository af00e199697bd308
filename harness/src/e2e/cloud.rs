//! The real OpenStack the run acts on, as env.json and clouds.yaml describe it: the test
//! user's and the admin's logins, the Keystone Mistral checks tokens with, and Mistral's
//! entry in the Keystone catalog.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use harness_contract::OpenStackEnv;
use mistral_actions_runtime::openstack::CloudConfig;
use serde_json::{json, Value};

use crate::services::mistral_server;
use crate::services::openstack::api::{self, Api};

/// Mistral's service type in the catalog, the one its clients (and `action-list`) look up.
pub const MISTRAL_TYPE: &str = mistral_actions_listing::MISTRAL;

pub struct Cloud {
    pub env: OpenStackEnv,
    /// Where `env` was read from (the settle helper reads it again).
    pub env_file: PathBuf,
}

impl Cloud {
    pub fn read(env_file: &Path) -> Result<Cloud> {
        Ok(Cloud {
            env: OpenStackEnv::read(env_file)?,
            env_file: env_file.to_path_buf(),
        })
    }

    /// Keystone without its `/v3`.
    fn keystone(&self) -> &str {
        self.env.auth_url.trim_end_matches("/v3")
    }

    /// A cloud of clouds.yaml (`ma-test`, `ma-test-appcred`, …) as the runtime reads it.
    pub fn config(&self, cloud: &str) -> Result<CloudConfig> {
        let mut config = CloudConfig::from_clouds_yaml(&self.env.clouds_yaml, cloud)
            .with_context(|| format!("cloud {cloud} of {}", self.env.clouds_yaml.display()))?;
        // Two cores run every service here; be patient.
        config.timeout = Duration::from_secs(60);
        Ok(config)
    }

    /// A fresh token of the test user, scoped to the test project (what a person gets
    /// from `openstack token issue`), with the token body.
    pub fn user_login(&self) -> Result<(Api, Value)> {
        let e = &self.env;
        api::login(
            self.keystone(),
            &e.user.name,
            &e.user.domain_name,
            &e.user.password,
            &e.project.name,
            &e.project.domain_name,
        )
    }

    fn admin(&self) -> Result<Api> {
        let a = &self.env.admin.login;
        api::login(
            self.keystone(),
            &a.username,
            &a.user_domain_name,
            &a.password,
            &a.project_name,
            &a.project_domain_name,
        )
        .map(|(api, _)| api)
    }

    /// Mistral's `[keystone_authtoken]`: the seeded `mistral` service user.
    pub fn mistral_keystone(&self) -> mistral_server::Keystone {
        let m = &self.env.mistral;
        mistral_server::Keystone {
            auth_url: self.env.auth_url.clone(),
            region: self.env.region.clone(),
            username: m.username.clone(),
            password: m.password.clone(),
            user_domain_name: m.user_domain_name.clone(),
            project_name: m.project_name.clone(),
            project_domain_name: m.project_domain_name.clone(),
        }
    }
}

/// Mistral in the Keystone catalog, as a deployment registers it; removed on drop, so a
/// stack that outlives the run (`cargo harness openstack`) is left as it was.
pub struct CatalogEntry {
    admin: Api,
    service_url: String,
}

impl CatalogEntry {
    /// Registers `api_root` (`…/v2`) as `workflowv2` on every interface, replacing what a
    /// killed run left, and waits until a new token of the test user lists it.
    pub fn register(cloud: &Cloud, api_root: &str) -> Result<CatalogEntry> {
        let ks = format!("{}/v3", cloud.keystone());
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
            .with_context(|| format!("Keystone made a service without id: {made}"))?;
        let entry = CatalogEntry {
            service_url: format!("{ks}/services/{id}"),
            admin,
        };
        let region = &cloud.env.region;
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
                bail!(
                    "a new token of the test user still has no {MISTRAL_TYPE} in its catalog after 30 s"
                );
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

impl Drop for CatalogEntry {
    fn drop(&mut self) {
        // Endpoints go with their service.
        if let Err(e) = self.admin.delete(&self.service_url) {
            eprintln!("    cannot remove Mistral from the Keystone catalog: {e:#}");
        }
    }
}
