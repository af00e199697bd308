//! OpenStack access: one Keystone session shared by all requests, re-authenticated shortly
//! before it expires and whenever a service answers 401.

pub mod config;
pub mod keystone;

use std::sync::Arc;
use std::time::SystemTime;

use reqwest::Method;
use serde_json::Value;
use tokio::sync::{Mutex, RwLock};

pub use config::CloudConfig;
use keystone::Session;

use crate::ActionError;

pub struct OpenStack {
    http: reqwest::Client,
    config: CloudConfig,
    session: RwLock<Option<Arc<Session>>>,
    /// Serialises re-authentication so a burst of requests logs in once.
    login: Mutex<()>,
}

impl std::fmt::Debug for OpenStack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenStack")
            .field("auth_url", &self.config.auth_url)
            .field("region", &self.config.region)
            .field("interface", &self.config.interface)
            .finish_non_exhaustive()
    }
}

impl OpenStack {
    pub fn new(config: CloudConfig) -> Result<OpenStack, ActionError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| ActionError::Config(format!("HTTP client: {e}")))?;
        Ok(OpenStack {
            http,
            config,
            session: RwLock::new(None),
            login: Mutex::new(()),
        })
    }

    pub fn config(&self) -> &CloudConfig {
        &self.config
    }

    /// Requests in `region` (`None`: the cloud's region).
    pub fn scoped<'a>(&'a self, region: Option<&'a str>) -> Scoped<'a> {
        Scoped { os: self, region }
    }

    async fn request(
        &self,
        region: Option<&str>,
        method: Method,
        service: &str,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, ActionError> {
        let method_name: &'static str = if method == Method::GET { "GET" } else { "POST" };
        let mut retried = false;
        loop {
            let session = self.session().await?;
            let region = region.or(self.config.region.as_deref());
            let base = session.endpoint(service, &self.config.interface, region)?;
            let url = format!("{base}{path}");
            let mut req = self
                .http
                .request(method.clone(), &url)
                .header("X-Auth-Token", session.token.expose().as_str())
                .header("Accept", "application/json");
            if !query.is_empty() {
                req = req.query(query);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            tracing::debug!(service, method = method_name, path, "openstack request");
            let response = req
                .send()
                .await
                .map_err(|e| transport_error(service, method_name, path, e))?;
            let status = response.status();
            if status == reqwest::StatusCode::UNAUTHORIZED && !retried {
                // Revoked or expired early: log in again, once.
                tracing::info!(service, "token refused; re-authenticating");
                self.invalidate(&session).await;
                retried = true;
                continue;
            }
            let text = response
                .text()
                .await
                .map_err(|e| transport_error(service, method_name, path, e))?;
            if !status.is_success() {
                return Err(ActionError::OpenStack {
                    service: service.to_string(),
                    method: method_name,
                    path: path.to_string(),
                    status: status.as_u16(),
                    message: error_message(&text),
                });
            }
            if text.trim().is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_str(&text).map_err(|e| {
                ActionError::Upstream(format!(
                    "{service} answered {method_name} {path} with something that is not JSON: {e}"
                ))
            });
        }
    }

    /// The current session, logging in when there is none or it is about to expire.
    async fn session(&self) -> Result<Arc<Session>, ActionError> {
        if let Some(s) = self.session.read().await.as_ref() {
            if self.fresh(s) {
                return Ok(s.clone());
            }
        }
        let _login = self.login.lock().await;
        // Someone else may have logged in while we waited.
        if let Some(s) = self.session.read().await.as_ref() {
            if self.fresh(s) {
                return Ok(s.clone());
            }
        }
        tracing::info!(auth_url = %self.config.auth_url, "authenticating with Keystone");
        let s = Arc::new(keystone::authenticate(&self.http, &self.config).await?);
        *self.session.write().await = Some(s.clone());
        Ok(s)
    }

    fn fresh(&self, s: &Session) -> bool {
        s.expires_at
            .is_none_or(|t| SystemTime::now() + self.config.refresh_margin < t)
    }

    async fn invalidate(&self, stale: &Arc<Session>) {
        let mut current = self.session.write().await;
        if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, stale)) {
            *current = None;
        }
    }
}

/// The client for one call: the shared session, the call's region.
#[derive(Clone, Copy)]
pub struct Scoped<'a> {
    os: &'a OpenStack,
    region: Option<&'a str>,
}

impl Scoped<'_> {
    pub async fn get(
        &self,
        service: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Value, ActionError> {
        self.os
            .request(self.region, Method::GET, service, path, query, None)
            .await
    }

    pub async fn post(
        &self,
        service: &str,
        path: &str,
        body: &Value,
    ) -> Result<Value, ActionError> {
        self.os
            .request(self.region, Method::POST, service, path, &[], Some(body))
            .await
    }
}

pub(crate) fn transport_error(
    service: &str,
    method: &str,
    path: &str,
    e: reqwest::Error,
) -> ActionError {
    if e.is_timeout() {
        ActionError::Timeout(format!("{service} did not answer {method} {path} in time"))
    } else {
        ActionError::Upstream(format!("{service}: {method} {path} failed: {e}"))
    }
}

/// OpenStack error bodies look like `{"itemNotFound": {"message": "…", "code": 404}}`
/// (Nova, Cinder, Trove) or `{"error": {"message": …}}` (Keystone); others are text.
pub(crate) fn error_message(body: &str) -> String {
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(body) {
        for v in map.values() {
            if let Some(m) = v.get("message").and_then(Value::as_str) {
                return m.to_string();
            }
        }
        if let Some(m) = map.get("message").and_then(Value::as_str) {
            return m.to_string();
        }
    }
    let text = body.trim();
    let mut cut: String = text.chars().take(300).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}
