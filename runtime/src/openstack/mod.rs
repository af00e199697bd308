//! OpenStack access: Keystone sessions shared by all requests (one for the configured
//! project, one per project a call asked for), re-authenticated shortly before they expire
//! and whenever a service answers 401.

pub mod config;
pub mod keystone;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use reqwest::Method;
use serde_json::Value;
use tokio::sync::{Mutex, RwLock};

pub use config::CloudConfig;
use config::{Credentials, Ident};
use keystone::Session;

use crate::ActionError;

pub struct OpenStack {
    http: reqwest::Client,
    config: CloudConfig,
    /// Keyed by the project a call asked for; `None` is the configured project. A token's
    /// catalog covers every region, so regions share it.
    sessions: RwLock<HashMap<Option<String>, Arc<Session>>>,
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
            sessions: RwLock::new(HashMap::new()),
            login: Mutex::new(()),
        })
    }

    pub fn config(&self) -> &CloudConfig {
        &self.config
    }

    /// Requests in `region` (`None`: the cloud's region) and `project`, an id or a name
    /// (`None`: the configured project).
    pub fn scoped<'a>(&'a self, region: Option<&'a str>, project: Option<&'a str>) -> Scoped<'a> {
        Scoped {
            os: self,
            region,
            project,
        }
    }

    /// The session a call in `project` uses: `None` (the configured project's) when it
    /// names no project or the configured one. An application credential is bound to one
    /// project, so any other is the caller's mistake.
    async fn session_key<'p>(
        &self,
        project: Option<&'p str>,
    ) -> Result<Option<&'p str>, ActionError> {
        let Some(p) = project else {
            return Ok(None);
        };
        match &self.config.credentials {
            Credentials::Password {
                project: Some(Ident::Id(c) | Ident::Name(c)),
                ..
            } if c == p => Ok(None),
            Credentials::Password { .. } => Ok(Some(p)),
            Credentials::ApplicationCredential { .. } => {
                let bound = self
                    .session(None)
                    .await?
                    .project
                    .clone()
                    .unwrap_or_default();
                if bound.is(p) {
                    return Ok(None);
                }
                Err(ActionError::BadInput(format!(
                    "X-OpenStack-Project: the server authenticates with an application credential, which is bound to project '{}'; it cannot act in project '{p}' (leave mistral_actions_project empty, or give the server password credentials)",
                    bound.name.or(bound.id).unwrap_or_default()
                )))
            }
        }
    }

    /// The session for `project` (see [`Self::session_key`]), logging in when there is
    /// none or it is about to expire.
    async fn session(&self, project: Option<&str>) -> Result<Arc<Session>, ActionError> {
        let key = project.map(str::to_string);
        if let Some(s) = self.sessions.read().await.get(&key) {
            if self.fresh(s) {
                return Ok(s.clone());
            }
        }
        let _login = self.login.lock().await;
        // Someone else may have logged in while we waited.
        if let Some(s) = self.sessions.read().await.get(&key) {
            if self.fresh(s) {
                return Ok(s.clone());
            }
        }
        tracing::info!(
            auth_url = %self.config.auth_url,
            project = project.unwrap_or("(configured)"),
            "authenticating with Keystone"
        );
        let scope = project.map(project_ident);
        let s = keystone::authenticate(&self.http, &self.config, scope.as_ref())
            .await
            .map_err(|e| match (project, e) {
                (
                    Some(p),
                    ActionError::OpenStack {
                        service,
                        method,
                        path,
                        status,
                        message,
                    },
                ) => ActionError::OpenStack {
                    service,
                    method,
                    path,
                    status,
                    message: format!(
                        "{message} (logging in to project '{p}' named by X-OpenStack-Project)"
                    ),
                },
                (_, e) => e,
            })?;
        let s = Arc::new(s);
        let mut sessions = self.sessions.write().await;
        // Projects callers stopped asking for do not pile up.
        sessions.retain(|_, old| self.fresh(old));
        sessions.insert(key, s.clone());
        Ok(s)
    }

    fn fresh(&self, s: &Session) -> bool {
        s.expires_at
            .is_none_or(|t| SystemTime::now() + self.config.refresh_margin < t)
    }

    async fn invalidate(&self, project: Option<&str>, stale: &Arc<Session>) {
        let mut sessions = self.sessions.write().await;
        let key = project.map(str::to_string);
        if sessions.get(&key).is_some_and(|c| Arc::ptr_eq(c, stale)) {
            sessions.remove(&key);
        }
    }
}

/// Keystone project ids are 32 hex digits; anything else is a name.
fn project_ident(project: &str) -> Ident {
    if project.len() == 32 && project.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ident::Id(project.to_string())
    } else {
        Ident::Name(project.to_string())
    }
}

/// The client for one call: the shared sessions, the call's region and project.
#[derive(Clone, Copy)]
pub struct Scoped<'a> {
    os: &'a OpenStack,
    region: Option<&'a str>,
    project: Option<&'a str>,
}

impl Scoped<'_> {
    async fn request(
        &self,
        method: Method,
        service: &str,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, ActionError> {
        let os = self.os;
        let method_name: &'static str = if method == Method::GET { "GET" } else { "POST" };
        let key = os.session_key(self.project).await?;
        let mut retried = false;
        loop {
            let session = os.session(key).await?;
            let region = self.region.or(os.config.region.as_deref());
            let base = session.endpoint(service, &os.config.interface, region)?;
            let url = format!("{base}{path}");
            let mut req = os
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
                os.invalidate(key, &session).await;
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

    pub async fn get(
        &self,
        service: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Value, ActionError> {
        self.request(Method::GET, service, path, query, None).await
    }

    pub async fn post(
        &self,
        service: &str,
        path: &str,
        body: &Value,
    ) -> Result<Value, ActionError> {
        self.request(Method::POST, service, path, &[], Some(body))
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
