//! The Mistral of the tests (ci's step "start Mistral", after OpenStack; `cargo harness
//! openstack`; the e2e when neither started it): the venv, a fresh database, the server
//! and its periodic task ([`mistral_server`]), its entry in the Keystone catalog, and
//! `harness_contract::MistralEnv` written to `target/services/mistral/env.json` and
//! exported as `MA_TEST_MISTRAL`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use harness_contract::{MistralEnv, OpenStackEnv, MISTRAL_ENV};
use serde_json::json;

use super::mistral_server::{self, MistralServer};
use super::openstack::api::{self, Api};
use super::{mistral, state_dir};

/// Mistral's service type in the catalog, the one its clients (and `mistral-actions`)
/// look up.
pub const SERVICE_TYPE: &str = mistral_actions_deploy::mistral::SERVICE_TYPE;

/// The running Mistral; dropping it takes it out of the catalog, then stops it.
pub struct Mistral {
    catalog: Option<CatalogEntry>,
    server: Option<MistralServer>,
    pub env: MistralEnv,
    pub env_file: PathBuf,
}

impl Mistral {
    /// Starts Mistral on the OpenStack of `openstack_env` (its Keystone, the `mistral`
    /// service user), RabbitMQ's default vhost at `transport_url` and a fresh database on
    /// the PostgreSQL server `postgres` (a libpq URL without a database).
    pub fn start(
        root: &Path,
        openstack_env: &Path,
        transport_url: &str,
        postgres: &str,
    ) -> Result<Mistral> {
        let started = Instant::now();
        let os = OpenStackEnv::read(openstack_env)?;
        let venv = mistral::ensure(root).map(|_| mistral::venv_dir(root))?;
        let (user, _) = user_login(&os)?;
        let server = mistral_server::start(
            root,
            &venv,
            transport_url,
            postgres,
            &keystone(&os),
            &user.token,
        )?;
        let api_root = format!("{}/v2", server.url);
        let mut mistral = Mistral {
            catalog: None,
            server: Some(server),
            env: MistralEnv {
                api_root: api_root.clone(),
                service_type: SERVICE_TYPE.into(),
                openstack_env: openstack_env.to_path_buf(),
                database_url: mistral_server::database_url(postgres),
                logs: mistral_server::dir(root),
            },
            env_file: state_dir(root, "mistral").join("env.json"),
        };
        mistral.catalog = Some(CatalogEntry::register(&os, &api_root)?);
        mistral.env.write(&mistral.env_file)?;
        eprintln!(
            "    Mistral ready in {:.0}s, in the catalog as {SERVICE_TYPE}: {api_root}",
            started.elapsed().as_secs_f32()
        );
        Ok(mistral)
    }

    /// `MA_TEST_MISTRAL` for every process this one starts afterwards.
    pub fn export(&self) {
        // Single-threaded here: ci starts services before the tests run.
        std::env::set_var(MISTRAL_ENV, &self.env_file);
        eprintln!("    {MISTRAL_ENV}={}", self.env_file.display());
    }

    /// An error if a process of it has died (with the end of its log).
    pub fn check_alive(&mut self) -> Result<()> {
        match self.server.as_mut() {
            Some(s) => s.check_alive(),
            None => Ok(()),
        }
    }
}

impl Drop for Mistral {
    fn drop(&mut self) {
        drop(self.catalog.take());
        if let Some(server) = self.server.take() {
            server.stop();
        }
    }
}

/// Mistral's `[keystone_authtoken]`: the seeded `mistral` service user.
fn keystone(os: &OpenStackEnv) -> mistral_server::Keystone {
    let m = &os.mistral;
    mistral_server::Keystone {
        auth_url: os.auth_url.clone(),
        region: os.region.clone(),
        username: m.username.clone(),
        password: m.password.clone(),
        user_domain_name: m.user_domain_name.clone(),
        project_name: m.project_name.clone(),
        project_domain_name: m.project_domain_name.clone(),
    }
}

/// Keystone without its `/v3`.
pub fn keystone_root(os: &OpenStackEnv) -> &str {
    os.auth_url.trim_end_matches("/v3")
}

/// A fresh token of the test user, scoped to the test project, with the token body.
pub fn user_login(os: &OpenStackEnv) -> Result<(Api, serde_json::Value)> {
    user_login_to(os, &os.project.name)
}

/// A fresh token of the test user, scoped to `project` of the test project's domain.
pub fn user_login_to(os: &OpenStackEnv, project: &str) -> Result<(Api, serde_json::Value)> {
    api::login(
        keystone_root(os),
        &os.user.name,
        &os.user.domain_name,
        &os.user.password,
        project,
        &os.project.domain_name,
    )
}

/// A fresh token of the seeded admin.
pub fn admin_login(os: &OpenStackEnv) -> Result<Api> {
    let a = &os.admin.login;
    api::login(
        keystone_root(os),
        &a.username,
        &a.user_domain_name,
        &a.password,
        &a.project_name,
        &a.project_domain_name,
    )
    .map(|(api, _)| api)
}

/// Mistral in the Keystone catalog, as a deployment registers it; removed on drop, so a
/// stack that outlives the run is left as it was.
pub struct CatalogEntry {
    admin: Api,
    service_url: String,
}

impl CatalogEntry {
    /// Registers `api_root` (`…/v2`) as `workflowv2` on every interface, replacing what a
    /// killed run left, and waits until a new token of the test user lists it.
    pub fn register(os: &OpenStackEnv, api_root: &str) -> Result<CatalogEntry> {
        let ks = format!("{}/v3", keystone_root(os));
        let admin = admin_login(os)?;
        let old = admin.get(&format!("{ks}/services?type={SERVICE_TYPE}"))?;
        for service in old["services"].as_array().into_iter().flatten() {
            if let Some(id) = service["id"].as_str() {
                admin.delete(&format!("{ks}/services/{id}"))?;
            }
        }
        let made = admin.post(
            &format!("{ks}/services"),
            &json!({"service": {"type": SERVICE_TYPE, "name": "mistral"}}),
        )?;
        let id = made["service"]["id"]
            .as_str()
            .with_context(|| format!("Keystone made a service without id: {made}"))?;
        let entry = CatalogEntry {
            service_url: format!("{ks}/services/{id}"),
            admin,
        };
        for interface in ["public", "internal", "admin"] {
            entry.admin.post(
                &format!("{ks}/endpoints"),
                &json!({"endpoint": {"service_id": id, "interface": interface,
                                     "url": api_root, "region_id": os.region}}),
            )?;
        }
        // Keystone caches the catalog it puts in tokens for a few seconds.
        let started = Instant::now();
        loop {
            let (_, body) = user_login(os)?;
            let listed = body["token"]["catalog"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|s| s["type"] == SERVICE_TYPE);
            if listed {
                return Ok(entry);
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!(
                    "a new token of the test user still has no {SERVICE_TYPE} in its catalog after 30 s"
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
