//! The one Mistral client of the operator CLI (`action-list`, `plan`, `apply`): logs in
//! with the runtime's Keystone client (clouds.yaml, application credentials, `OS_TOKEN`,
//! CA), finds `workflowv2` in the catalog unless `--url` names Mistral, and sends each
//! request with the token, logging in again once when Mistral refuses it (401) and
//! sending a GET again once when the connection drops.
//!
//! Listings are whole collections, one call each without `limit` (`/v2/actions` cannot be
//! paged in Mistral 23: its marker is matched against names while `next` carries an id;
//! without `limit` it answers every action). Mistral 23 clamps the other collections to
//! `[api] max_limit` (1000) and then sends `next`, whose marker works there: it is
//! followed. [`Client::list`] takes any collection and filter, so executions by
//! `description=has:<trigger id>` are one more call of it.

mod http;
mod source;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mistral_actions_runtime::openstack::{CloudConfig, OpenStack, Trust};
use reqwest::Method;
use serde_json::Value;

pub use source::Source;

use crate::Error;

/// Mistral's service type in the Keystone catalog.
pub const SERVICE_TYPE: &str = "workflowv2";

/// At most this many pages of one listing: a runaway `next` must not loop forever.
const MAX_PAGES: usize = 1000;

/// A request body: definitions go as text, the rest as JSON.
#[derive(Clone, Copy, Debug)]
pub enum Body<'a> {
    None,
    Text(&'a str),
    Json(&'a Value),
}

/// One listing: the collection at `path` (`/actions`, `/workflows`, …) with the filters
/// `query`, whose items are at key `items` of each page.
#[derive(Clone, Copy, Debug)]
pub struct Listing<'a> {
    pub path: &'a str,
    pub query: &'a [(&'a str, &'a str)],
    pub items: &'a str,
}

impl<'a> Listing<'a> {
    /// The whole collection `name` (`/name`, items at `name`).
    pub fn all(path: &'a str, items: &'a str) -> Listing<'a> {
        Listing {
            path,
            query: &[],
            items,
        }
    }
}

/// Who the client acts as, as Keystone says (nothing without Keystone).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    /// The token's project: Mistral keeps what a request makes there.
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    pub user_name: Option<String>,
    /// The token's roles; a cron trigger made with this token runs with all of them.
    pub roles: Vec<String>,
}

impl Identity {
    /// Whether Mistral treats the caller as an admin (`admin` in the token's roles,
    /// `mistral/context.py`).
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == "admin")
    }
}

enum Auth {
    /// The runtime's client (its token cache); replaced by a fresh one when Mistral
    /// refuses the token.
    Keystone {
        config: Box<CloudConfig>,
        os: Mutex<Arc<OpenStack>>,
    },
    Plain(Option<String>),
}

pub struct Client {
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
    auth: Auth,
    api_root: String,
    identity: Identity,
}

impl Client {
    /// Logs in (with Keystone) and finds Mistral.
    pub fn connect(source: &Source) -> Result<Client, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Connect(format!("cannot start an async runtime: {e}")))?;
        match source {
            Source::Plain { api_root, token } => Ok(Client {
                runtime,
                http: http::client(&Trust::default(), Duration::from_secs(60))?,
                auth: Auth::Plain(token.clone()),
                api_root: api_root.trim_end_matches('/').to_string(),
                identity: Identity::default(),
            }),
            Source::Cloud(config) => {
                let http = http::client(&config.trust, config.timeout)?;
                let os = OpenStack::new((**config).clone()).map_err(connect_error)?;
                let session = runtime.block_on(os.login()).map_err(connect_error)?;
                let api_root = match config.endpoint_overrides.get(SERVICE_TYPE) {
                    Some(url) => url.trim_end_matches('/').to_string(),
                    None => session
                        .endpoint(SERVICE_TYPE, &config.interface, config.region.as_deref())
                        .map_err(connect_error)?
                        .to_string(),
                };
                let token = session.token.expose().clone();
                let mut identity = runtime.block_on(identity(&http, &config.auth_url, &token));
                if identity.project_id.is_none() {
                    if let Some(p) = &session.project {
                        identity.project_id.clone_from(&p.id);
                        identity.project_name.clone_from(&p.name);
                    }
                }
                Ok(Client {
                    runtime,
                    http,
                    auth: Auth::Keystone {
                        config: config.clone(),
                        os: Mutex::new(Arc::new(os)),
                    },
                    api_root,
                    identity,
                })
            }
        }
    }

    /// Mistral's API root, `…/v2`.
    pub fn api_root(&self) -> &str {
        &self.api_root
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Every item of the collection at `path` (`/actions`, `/workflows`, …) with the
    /// filters `query`: the items at key `items` of each page, following `next`.
    pub fn list(
        &self,
        path: &str,
        query: &[(&str, &str)],
        items: &str,
    ) -> Result<Vec<Value>, Error> {
        self.runtime.block_on(self.list_async(path, query, items))
    }

    /// Several listings at once, each as [`Self::list`] (the answers in the same order).
    pub fn list_all(&self, listings: &[Listing<'_>]) -> Result<Vec<Vec<Value>>, Error> {
        self.runtime.block_on(async {
            let lists = listings
                .iter()
                .map(|l| self.list_async(l.path, l.query, l.items));
            let mut out = Vec::new();
            for listed in futures_util::future::join_all(lists).await {
                out.push(listed?);
            }
            Ok(out)
        })
    }

    /// One write (or any single request); the answer's JSON (`Null` when empty).
    pub fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Body<'_>,
    ) -> Result<Value, Error> {
        let query: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.runtime
            .block_on(self.request(method, path, &query, body))
    }

    async fn list_async(
        &self,
        path: &str,
        query: &[(&str, &str)],
        items: &str,
    ) -> Result<Vec<Value>, Error> {
        let mut query: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut found = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = self.request(Method::GET, path, &query, Body::None).await?;
            match page.get(items) {
                Some(Value::Array(list)) => found.extend(list.iter().cloned()),
                _ => {
                    return Err(Error::Mistral {
                        method: "GET",
                        path: path.to_string(),
                        status: None,
                        message: format!("the answer has no `{items}` list"),
                    })
                }
            }
            match page
                .get("next")
                .and_then(Value::as_str)
                .and_then(http::next_query)
            {
                // A link back to the page just read ends the walk too.
                Some(next) if next != query => query = next,
                _ => return Ok(found),
            }
        }
        Err(Error::Mistral {
            method: "GET",
            path: path.to_string(),
            status: None,
            message: format!("still a next page after {MAX_PAGES} pages"),
        })
    }

    async fn token(&self, fresh: bool) -> Result<Option<String>, Error> {
        match &self.auth {
            Auth::Plain(token) => Ok(token.clone()),
            Auth::Keystone { config, os } => {
                if fresh {
                    let new = OpenStack::new((**config).clone()).map_err(connect_error)?;
                    *os.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(new);
                }
                let os = os.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let session = os.login().await.map_err(connect_error)?;
                Ok(Some(session.token.expose().clone()))
            }
        }
    }

    async fn request(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Body<'_>,
    ) -> Result<Value, Error> {
        let name = method_name(&method);
        let url = format!("{}{path}", self.api_root);
        let mut relogged = false;
        let mut resent = method != Method::GET;
        let mut fresh = false;
        loop {
            let token = self.token(std::mem::take(&mut fresh)).await?;
            // Mistral exposes its text-taking methods as `text/plain` (answering JSON all
            // the same): asking for JSON there is refused (406).
            let accept = match body {
                Body::Text(_) => "*/*",
                _ => "application/json",
            };
            let mut req = self
                .http
                .request(method.clone(), &url)
                .header("Accept", accept);
            if !query.is_empty() {
                req = req.query(query);
            }
            if let Some(t) = &token {
                req = req.header("X-Auth-Token", t);
            }
            req = match body {
                Body::None => req,
                Body::Text(t) => req.header("Content-Type", "text/plain").body(t.to_string()),
                Body::Json(v) => req.json(v),
            };
            let response = match req.send().await {
                Ok(r) => r,
                // A pooled connection the server closed while idle fails the next request
                // sent on it; a GET changes nothing, so it is sent again, once.
                Err(e) if !resent && !e.is_timeout() => {
                    resent = true;
                    continue;
                }
                Err(e) => {
                    return Err(Error::Mistral {
                        method: name,
                        path: path.to_string(),
                        status: None,
                        message: format!(
                            "cannot reach Mistral at {}: {}",
                            self.api_root,
                            http::transport(&e)
                        ),
                    })
                }
            };
            let status = response.status();
            if status == reqwest::StatusCode::UNAUTHORIZED
                && !relogged
                && matches!(self.auth, Auth::Keystone { .. })
            {
                // Revoked or expired early: log in again, once.
                relogged = true;
                fresh = true;
                continue;
            }
            let text = response.text().await.map_err(|e| Error::Mistral {
                method: name,
                path: path.to_string(),
                status: Some(status.as_u16()),
                message: format!("the answer was cut: {}", http::transport(&e)),
            })?;
            if !status.is_success() {
                return Err(Error::Mistral {
                    method: name,
                    path: path.to_string(),
                    status: Some(status.as_u16()),
                    message: http::error_message(&text),
                });
            }
            if text.trim().is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_str(&text).map_err(|e| Error::Mistral {
                method: name,
                path: path.to_string(),
                status: Some(status.as_u16()),
                message: format!("the answer is not JSON: {e}"),
            });
        }
    }
}

fn connect_error(e: mistral_actions_runtime::ActionError) -> Error {
    Error::Connect(e.to_string())
}

fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        _ => "OTHER",
    }
}

/// The token's user, project and roles, as Keystone validates it (a token's own subject
/// may: `identity:validate_token`). Unknown (empty) when Keystone will not say.
async fn identity(http: &reqwest::Client, auth_url: &str, token: &str) -> Identity {
    let answer = http
        .get(format!("{}/auth/tokens", auth_url.trim_end_matches('/')))
        .header("X-Auth-Token", token)
        .header("X-Subject-Token", token)
        .send()
        .await;
    let Ok(response) = answer else {
        return Identity::default();
    };
    if !response.status().is_success() {
        return Identity::default();
    }
    let Ok(body) = response.json::<Value>().await else {
        return Identity::default();
    };
    let text = |p: &str| body.pointer(p).and_then(Value::as_str).map(str::to_string);
    Identity {
        project_id: text("/token/project/id"),
        project_name: text("/token/project/name"),
        user_name: text("/token/user/name"),
        roles: body
            .pointer("/token/roles")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("name").and_then(Value::as_str).map(str::to_string))
            .collect(),
    }
}
