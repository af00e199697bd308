//! OpenStack access: Keystone sessions shared by all requests (one for the configured
//! project, one per project a call asked for), re-authenticated shortly before they expire
//! and whenever a service answers 401.

mod client;
pub mod config;
pub mod keystone;
mod login;
pub mod microversion;
mod paging;
mod ready;
mod request;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use tokio::sync::{Mutex, RwLock};

pub use config::{CloudConfig, Trust};
use config::{Credentials, Ident};
use keystone::Session;
pub use microversion::Microversions;
pub use ready::RETRY_LOGIN_AFTER;
pub use request::Scoped;
pub use reqwest::Method;

use crate::observe::{Login, Renewal};
use crate::{ActionError, Observe};

pub struct OpenStack {
    http: reqwest::Client,
    config: CloudConfig,
    /// Keyed by the project a call asked for; `None` is the configured project. A token's
    /// catalog covers every region, so regions share it.
    sessions: RwLock<HashMap<Option<String>, Arc<Session>>>,
    /// Serialises re-authentication so a burst of requests logs in once.
    login: Mutex<()>,
    /// The last failed login of the configured project, until one succeeds: readiness
    /// probes answer it rather than asking Keystone again at every probe.
    failed_login: std::sync::Mutex<Option<(Instant, String)>>,
    observe: Observe,
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
        let http = client::build(&config)?;
        Ok(OpenStack {
            http,
            config,
            sessions: RwLock::new(HashMap::new()),
            login: Mutex::new(()),
            failed_login: std::sync::Mutex::new(None),
            observe: Observe::none(),
        })
    }

    /// This client, reporting its requests, logins and renewals to `observe`.
    pub fn observed(mut self, observe: Observe) -> OpenStack {
        self.observe = observe;
        self
    }

    pub fn config(&self) -> &CloudConfig {
        &self.config
    }

    /// Requests in `region` (`None`: the cloud's region) and `project`, an id or a name
    /// (`None`: the configured project), with the API microversions an action relies on.
    pub fn scoped<'a>(
        &'a self,
        region: Option<&'a str>,
        project: Option<&'a str>,
        microversions: Microversions,
    ) -> Scoped<'a> {
        Scoped {
            os: self,
            region,
            project,
            microversions,
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
            c if c.project() == Some(p) => Ok(None),
            Credentials::Password { .. } | Credentials::Token { .. } => Ok(Some(p)),
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
            self.observe.token_renewal(Renewal::Expiring);
        }
        tracing::info!(
            auth_url = %self.config.auth_url,
            project = %crate::logsafe::clean(project.unwrap_or("(configured)")),
            "authenticating with Keystone"
        );
        let scope = project.map(project_ident);
        let logged_in =
            keystone::authenticate(&self.http, &self.config, scope.as_ref(), &self.observe).await;
        self.observe.keystone_login(match logged_in {
            Ok(_) => Login::Ok,
            Err(_) => Login::Failed,
        });
        if project.is_none() {
            let mut failed = self.failed_login.lock().unwrap_or_else(|e| e.into_inner());
            *failed = logged_in
                .as_ref()
                .err()
                .map(|e| (Instant::now(), e.to_string()));
        }
        let s = logged_in.map_err(|e| match (project, e) {
            (
                Some(p),
                ActionError::OpenStack {
                    service,
                    method,
                    path,
                    status,
                    request_id,
                    message,
                },
            ) => ActionError::OpenStack {
                service,
                method,
                path,
                status,
                request_id,
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

    /// Drops `stale` unless another request replaced it already; whether it did.
    async fn invalidate(&self, project: Option<&str>, stale: &Arc<Session>) -> bool {
        let mut sessions = self.sessions.write().await;
        let key = project.map(str::to_string);
        if sessions.get(&key).is_some_and(|c| Arc::ptr_eq(c, stale)) {
            sessions.remove(&key);
            return true;
        }
        false
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
