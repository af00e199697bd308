//! Readiness: whether calls can work now, i.e. the configured project has a token and its
//! catalog lists every service the actions use, in the configured region and interface.
//! Probes come every few seconds from every load balancer, so the check asks Keystone
//! only when there is no token: a cached one is reused, and a failed login is answered
//! from memory for [`RETRY_LOGIN_AFTER`] (repeated failed logins could also lock the
//! service user out, where Keystone's lockout is on).

use std::time::Duration;

use super::OpenStack;

/// How long a failed login is reported without asking Keystone again.
pub const RETRY_LOGIN_AFTER: Duration = Duration::from_secs(10);

impl OpenStack {
    /// `Ok` when ready; else why not, without secrets (Keystone's refusal, the services
    /// the catalog lacks).
    pub async fn ready(&self, services: &[&str]) -> Result<(), String> {
        let cached = self
            .sessions
            .read()
            .await
            .get(&None)
            .filter(|s| self.fresh(s))
            .cloned();
        let session = match cached {
            Some(s) => s,
            None => {
                let failed = self
                    .failed_login
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone();
                match failed {
                    Some((at, why)) if at.elapsed() < RETRY_LOGIN_AFTER => {
                        return Err(format!("Keystone login failed: {why}"))
                    }
                    _ => self
                        .session(None)
                        .await
                        .map_err(|e| format!("Keystone login failed: {e}"))?,
                }
            }
        };
        let interface = &self.config.interface;
        let region = self.config.region.as_deref();
        let missing: Vec<&str> = services
            .iter()
            .copied()
            .filter(|s| !self.config.endpoint_overrides.contains_key(*s))
            .filter(|s| session.endpoint(s, interface, region).is_err())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(format!(
            "the service catalog has no {interface} endpoint{} for {}, which the actions use",
            region
                .map(|r| format!(" in region '{r}'"))
                .unwrap_or_default(),
            missing.join(", ")
        ))
    }
}
