//! Keystone v3: `POST /auth/tokens` and what comes back (token, expiry, catalog).

use std::time::{Instant, SystemTime};

use serde::Deserialize;
use serde_json::{json, Value};

use super::config::{CloudConfig, Credentials, Ident};
use crate::{ActionError, Observe, Secret};

#[derive(Debug, Clone, Deserialize)]
pub struct Endpoint {
    pub interface: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub region_id: Option<String>,
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Service {
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
}

/// The project a token is scoped to, as Keystone names it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProjectRef {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

impl ProjectRef {
    /// Whether `project` (an id or a name) is this project.
    pub fn is(&self, project: &str) -> bool {
        self.id.as_deref() == Some(project) || self.name.as_deref() == Some(project)
    }
}

/// A token and what it grants, valid until `expires_at`.
#[derive(Debug)]
pub struct Session {
    pub token: Secret<String>,
    pub expires_at: Option<SystemTime>,
    pub catalog: Vec<Service>,
    /// `None` for an unscoped token.
    pub project: Option<ProjectRef>,
}

/// Service types that name the same API (the catalog may use either).
const ALIASES: &[&[&str]] = &[
    &["volumev3", "block-storage", "volume"],
    &["compute"],
    &["image"],
    &["database"],
    &["workflowv2", "workflow"],
];

impl Session {
    /// The endpoint URL for `service` with this interface (and region, when one is set).
    pub fn endpoint(
        &self,
        service: &str,
        interface: &str,
        region: Option<&str>,
    ) -> Result<&str, ActionError> {
        let names = ALIASES
            .iter()
            .find(|a| a.contains(&service))
            .copied()
            .unwrap_or(std::slice::from_ref(&service));
        for name in names {
            for s in self.catalog.iter().filter(|s| s.ty == *name) {
                let found = s.endpoints.iter().find(|e| {
                    e.interface == interface
                        && region.is_none_or(|r| {
                            e.region.as_deref() == Some(r) || e.region_id.as_deref() == Some(r)
                        })
                });
                if let Some(e) = found {
                    return Ok(e.url.trim_end_matches('/'));
                }
            }
        }
        Err(ActionError::upstream(format!(
            "the service catalog has no {interface} endpoint for '{service}'{}",
            region
                .map(|r| format!(" in region '{r}'"))
                .unwrap_or_default()
        )))
    }
}

fn ident_json(i: &Ident) -> Value {
    match i {
        Ident::Id(id) => json!({"id": id}),
        Ident::Name(name) => json!({"name": name}),
    }
}

fn with_domain(i: &Ident, domain: &Ident) -> Value {
    let mut v = ident_json(i);
    if matches!(i, Ident::Name(_)) {
        v["domain"] = ident_json(domain);
    }
    v
}

/// The request body; it holds the secret, so it is never logged. `project` replaces the
/// configured project of password auth; an application credential carries its own scope.
fn request_body(c: &CloudConfig, project: Option<&Ident>) -> Value {
    match &c.credentials {
        Credentials::Password {
            user,
            password,
            user_domain,
            project: configured,
            project_domain,
        } => {
            let mut user = with_domain(user, user_domain);
            user["password"] = Value::String(password.expose().clone());
            let mut auth = json!({
                "identity": {"methods": ["password"], "password": {"user": user}}
            });
            if let Some(p) = project.or(configured.as_ref()) {
                auth["scope"] = json!({"project": with_domain(p, project_domain)});
            }
            json!({"auth": auth})
        }
        Credentials::ApplicationCredential {
            credential,
            secret,
            user,
            user_domain,
        } => {
            let mut cred = ident_json(credential);
            cred["secret"] = Value::String(secret.expose().clone());
            if let (Ident::Name(_), Some(u)) = (credential, user) {
                cred["user"] = with_domain(u, user_domain);
            }
            json!({"auth": {"identity": {
                "methods": ["application_credential"],
                "application_credential": cred
            }}})
        }
        Credentials::Token {
            token,
            project: configured,
            project_domain,
        } => {
            let mut auth = json!({
                "identity": {"methods": ["token"], "token": {"id": token.expose()}}
            });
            if let Some(p) = project.or(configured.as_ref()) {
                auth["scope"] = json!({"project": with_domain(p, project_domain)});
            }
            json!({"auth": auth})
        }
    }
}

#[derive(Deserialize)]
struct TokenBody {
    token: TokenInfo,
}

#[derive(Deserialize)]
struct TokenInfo {
    expires_at: Option<String>,
    #[serde(default)]
    catalog: Vec<Service>,
    #[serde(default)]
    project: Option<ProjectRef>,
}

/// Logs in; `project` scopes a password login to another project than the configured one.
pub async fn authenticate(
    http: &reqwest::Client,
    config: &CloudConfig,
    project: Option<&Ident>,
    observe: &Observe,
) -> Result<Session, ActionError> {
    let url = format!("{}/auth/tokens", config.auth_url);
    let started = Instant::now();
    let sent = http
        .post(&url)
        .json(&request_body(config, project))
        .timeout(config.timeout)
        .send()
        .await;
    let took = started.elapsed();
    observe.openstack_request("identity", "POST", super::request::answer(&sent), took);
    let response =
        sent.map_err(|e| super::request::transport_error("identity", "POST", "/auth/tokens", e))?;
    let status = response.status();
    if !status.is_success() {
        let request_id = super::request::request_id(response.headers());
        let body = response.text().await.unwrap_or_default();
        return Err(ActionError::OpenStack {
            service: "identity".into(),
            method: "POST",
            path: "/auth/tokens".into(),
            status: status.as_u16(),
            request_id,
            message: super::request::error_message(&body),
        });
    }
    let token = response
        .headers()
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| ActionError::upstream("Keystone sent no X-Subject-Token"))?;
    let body: TokenBody = response
        .json()
        .await
        .map_err(|e| ActionError::upstream(format!("Keystone's token body is unreadable: {e}")))?;
    let expires_at = match body.token.expires_at {
        Some(s) => Some(crate::clock::parse_iso8601(&s).ok_or_else(|| {
            ActionError::upstream(format!("Keystone's expires_at is not a date: {s}"))
        })?),
        None => None,
    };
    Ok(Session {
        token: Secret::new(token),
        expires_at,
        catalog: body.token.catalog,
        project: body.token.project,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn password_config() -> CloudConfig {
        CloudConfig {
            auth_url: "http://k/v3".into(),
            credentials: Credentials::Password {
                user: Ident::Name("admin".into()),
                password: Secret::new("pw".into()),
                user_domain: Ident::Name("Default".into()),
                project: Some(Ident::Name("admin".into())),
                project_domain: Ident::Name("Ops".into()),
            },
            region: None,
            interface: "public".into(),
            timeout: Duration::from_secs(1),
            refresh_margin: Duration::from_secs(1),
            trust: Default::default(),
            endpoint_overrides: Default::default(),
        }
    }

    #[test]
    fn a_project_override_replaces_the_configured_scope() {
        let c = password_config();
        let scope = |p: Option<&Ident>| request_body(&c, p)["auth"]["scope"].clone();
        assert_eq!(
            scope(None),
            json!({"project": {"name": "admin", "domain": {"name": "Ops"}}})
        );
        assert_eq!(
            scope(Some(&Ident::Name("second".into()))),
            json!({"project": {"name": "second", "domain": {"name": "Ops"}}}),
            "a name is looked up in the configured project domain"
        );
        assert_eq!(
            scope(Some(&Ident::Id("abc".into()))),
            json!({"project": {"id": "abc"}}),
            "an id needs no domain"
        );
    }

    #[test]
    fn a_token_is_exchanged_for_a_scoped_one() {
        let mut c = password_config();
        c.credentials = Credentials::Token {
            token: Secret::new("gAAAA-token".into()),
            project: Some(Ident::Id("p1".into())),
            project_domain: Ident::Id("default".into()),
        };
        assert_eq!(
            request_body(&c, None),
            json!({"auth": {
                "identity": {"methods": ["token"], "token": {"id": "gAAAA-token"}},
                "scope": {"project": {"id": "p1"}}
            }})
        );
    }
}
