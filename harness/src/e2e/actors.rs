//! Our side of the chain, deployed as an operator deploys it: the Debian package `dist`
//! builds, unpacked and configured (`dist::smoke`), two packaged servers logged in to the
//! real OpenStack with an application credential, and HAProxy in front of them, which is
//! the address Mistral's environment gives. Logs under `target/services/e2e`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use harness_contract::APPCRED_CLOUD as CLOUD;

use crate::dist::smoke::{self, PackagedServer, Unpacked};
use crate::services::haproxy::{self, Haproxy};
use crate::services::process;

/// The servers behind the load balancer, by HAProxy's name for them.
pub const SERVERS: [&str; 2] = ["a", "b"];

/// What HAProxy's health check asks each server.
pub const HEALTH: &str = "/readyz";

fn dir(root: &Path) -> PathBuf {
    crate::services::state_dir(root, "e2e")
}

/// The package, built (release, by `dist`: a no-op when ci's step built it) and unpacked.
pub fn package(root: &Path) -> Result<Unpacked> {
    let package = crate::dist::build(root)?;
    smoke::unpack(root, &package.deb, "e2e")
}

/// The packaged servers and HAProxy in front of them.
pub struct Fleet {
    /// Declared first: stopped before the servers.
    haproxy: Haproxy,
    servers: Vec<(&'static str, u16, Option<PackagedServer>)>,
    unpacked: Unpacked,
    logs: PathBuf,
    /// What Mistral's environment gives as `mistral_actions_url`: HAProxy.
    pub url: String,
    pub token: String,
}

impl Fleet {
    pub fn start(root: &Path, unpacked: Unpacked, clouds_yaml: &Path) -> Result<Fleet> {
        let allow: Vec<String> = super::cases::EXEC_ALLOW
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect();
        let clouds_yaml = clouds_yaml.to_string_lossy().into_owned();
        unpacked.configure(
            &[("OS_CLOUD", CLOUD), ("OS_CLIENT_CONFIG_FILE", &clouds_yaml)],
            &format!(
                "exec:\n  allow: [{}]\n  timeout_secs: 10\n",
                allow.join(", ")
            ),
        )?;
        let token = unpacked.token()?;
        let logs = dir(root);
        let mut servers = Vec::new();
        for name in SERVERS {
            // Appended to across a restart: one log per server for the whole run.
            let _ = std::fs::remove_file(logs.join(format!("{}.log", server_log(name))));
            let port = process::free_port(None)?;
            let server = PackagedServer::start(&unpacked, &server_log(name), port, &logs)?;
            eprintln!(
                "    packaged mistral-actions-server {name} (pid {}) at {}, OS_CLOUD={CLOUD}",
                server.pid(),
                server.url
            );
            servers.push((name, port, Some(server)));
        }
        let backends: Vec<(&str, u16)> = servers.iter().map(|(n, p, _)| (*n, *p)).collect();
        crate::services::haproxy::check_documented(root, &logs)?;
        let haproxy = Haproxy::start(&logs, HEALTH, &backends)?;
        eprintln!(
            "    haproxy at {} in front of both, health check GET {HEALTH} (the configuration of {}: haproxy -c accepts it)",
            haproxy.url,
            crate::services::haproxy::DOCUMENT
        );
        Ok(Fleet {
            url: haproxy.url.clone(),
            haproxy,
            servers,
            unpacked,
            logs,
            token,
        })
    }

    /// SIGTERM to server `name`, as `systemctl stop` sends it; returns once it has exited.
    pub fn stop(&mut self, name: &str) {
        if let Some((_, _, slot)) = self.servers.iter_mut().find(|s| s.0 == name) {
            if let Some(mut server) = slot.take() {
                server.stop();
            }
        }
    }

    /// Starts server `name` again on its port; returns once it answers /readyz.
    pub fn start_again(&mut self, name: &str) -> Result<()> {
        let (_, port, slot) = self
            .servers
            .iter_mut()
            .find(|s| s.0 == name)
            .with_context(|| format!("no server {name}"))?;
        let server = PackagedServer::start(&self.unpacked, &server_log(name), *port, &self.logs)?;
        *slot = Some(server);
        Ok(())
    }

    pub fn stats(&self) -> Result<Vec<haproxy::Row>> {
        self.haproxy.stats()
    }
}

fn server_log(name: &str) -> String {
    format!("mistral-actions-server-{name}")
}
