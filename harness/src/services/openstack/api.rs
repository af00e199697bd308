//! The few OpenStack REST calls the harness makes to seed the services, over a blocking
//! HTTP client with a Keystone token.

use std::time::Duration;

use anyhow::{Context, Result};

use serde_json::{json, Value};

#[derive(Clone)]
pub struct Api {
    agent: ureq::Agent,
    pub token: String,
}

use crate::services::mistral_api::describe;

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(120))
        .build()
}

/// A project-scoped password token; returns the token and the token body.
pub fn login(
    keystone: &str,
    user: &str,
    user_domain: &str,
    password: &str,
    project: &str,
    project_domain: &str,
) -> Result<(Api, Value)> {
    let body = json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"name": user_domain}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"name": project_domain}}}
    }});
    let what = format!("login of {user} to project {project} at {keystone}");
    let agent = agent();
    let resp = agent
        .post(&format!("{keystone}/v3/auth/tokens"))
        .send_string(&body.to_string())
        .map_err(|e| describe(&what, e))?;
    let token = resp
        .header("X-Subject-Token")
        .with_context(|| format!("{what}: no X-Subject-Token"))?
        .to_string();
    let text = resp
        .into_string()
        .with_context(|| format!("{what}: cannot read the answer"))?;
    let body: Value = serde_json::from_str(&text)
        .with_context(|| format!("{what}: answer is not JSON: {text}"))?;
    Ok((Api { agent, token }, body))
}

impl Api {
    fn send(&self, method: &str, url: &str, body: Option<&Value>) -> Result<Value> {
        let body = body.map(|b| ("application/json", b.to_string()));
        self.send_as(method, url, body.as_ref().map(|(t, b)| (*t, b.as_str())))
    }

    /// `body`: its content type and text.
    fn send_as(&self, method: &str, url: &str, body: Option<(&str, &str)>) -> Result<Value> {
        let what = format!("{method} {url}");
        // Mistral exposes its text-taking methods as `text/plain` (answering JSON all the
        // same): asking for JSON there is refused (406).
        let accept = match body {
            Some(("text/plain", _)) => "*/*",
            _ => "application/json",
        };
        let req = self
            .agent
            .request(method, url)
            .set("X-Auth-Token", &self.token)
            .set("Accept", accept);
        let resp = match body {
            Some((content_type, text)) => req.set("Content-Type", content_type).send_string(text),
            None => req.call(),
        }
        .map_err(|e| describe(&what, e))?;
        let text = resp
            .into_string()
            .with_context(|| format!("{what}: cannot read the answer"))?;
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).with_context(|| format!("{what}: answer is not JSON: {text}"))
    }

    pub fn get(&self, url: &str) -> Result<Value> {
        self.send("GET", url, None)
    }

    pub fn post(&self, url: &str, body: &Value) -> Result<Value> {
        self.send("POST", url, Some(body))
    }

    /// A POST of text (Mistral's workflow and action definitions).
    pub fn post_text(&self, url: &str, text: &str) -> Result<Value> {
        self.send_as("POST", url, Some(("text/plain", text)))
    }

    pub fn put(&self, url: &str, body: &Value) -> Result<Value> {
        self.send("PUT", url, Some(body))
    }

    /// A PUT without a body (Keystone's role assignments).
    pub fn put_empty(&self, url: &str) -> Result<()> {
        self.send_as("PUT", url, None).map(drop)
    }

    pub fn delete(&self, url: &str) -> Result<()> {
        self.send("DELETE", url, None).map(drop)
    }

    /// Uploads image data (`PUT /v2/images/{id}/file`).
    pub fn put_bytes(&self, url: &str, data: &[u8]) -> Result<()> {
        self.agent
            .put(url)
            .set("X-Auth-Token", &self.token)
            .set("Content-Type", "application/octet-stream")
            .send_bytes(data)
            .map(drop)
            .map_err(|e| describe(&format!("PUT {url}"), e))
    }
}
