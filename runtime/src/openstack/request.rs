//! One request to an OpenStack service: endpoint from the token's catalog, the call's
//! region and project, the action's microversion, one re-login when the token is refused.

use std::time::Instant;

use reqwest::Method;
use serde_json::Value;

use super::{microversion, Microversions, OpenStack};
use crate::observe::{Answer, Renewal};
use crate::ActionError;

/// The client for one call: the shared sessions, the call's region and project.
#[derive(Clone, Copy)]
pub struct Scoped<'a> {
    pub(super) os: &'a OpenStack,
    pub(super) region: Option<&'a str>,
    pub(super) project: Option<&'a str>,
    pub(super) microversions: Microversions,
}

impl Scoped<'_> {
    /// One request; `body`, when given, is sent as JSON. Actions use [`Self::get`] and
    /// [`Self::post`]; the tests' fixtures need the other methods too.
    pub async fn request(
        &self,
        method: Method,
        service: &str,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, ActionError> {
        let (_, answer) = self
            .request_with_status(method, service, path, query, body)
            .await?;
        Ok(answer)
    }

    /// [`Self::request`], with the success status the service answered (`kind: request`
    /// decides by it).
    pub async fn request_with_status(
        &self,
        method: Method,
        service: &str,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<(u16, Value), ActionError> {
        let os = self.os;
        let method_name = method_name(&method);
        let key = os.session_key(self.project).await?;
        let mut retried = false;
        // A pooled connection the service closed while idle (gunicorn keeps one 2 s) fails
        // the next request sent on it; a GET changes nothing, so it is sent again, once.
        let mut resent = method != Method::GET;
        loop {
            let session = os.session(key).await?;
            let region = self.region.or(os.config.region.as_deref());
            let base = match os.config.endpoint_overrides.get(service) {
                Some(url) => url.trim_end_matches('/'),
                None => session.endpoint(service, &os.config.interface, region)?,
            };
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
            if let Some(version) = microversion::header(self.microversions, service) {
                req = req.header("OpenStack-API-Version", version);
            }
            // Not the path: it holds ids the caller sent.
            tracing::debug!(service, method = method_name, "openstack request");
            let started = Instant::now();
            let sent = req.send().await;
            os.observe
                .openstack_request(service, method_name, answer(&sent), started.elapsed());
            let response = match sent {
                Ok(r) => r,
                Err(e) if !resent && !e.is_timeout() => {
                    tracing::info!(service, "connection failed; sending the GET again");
                    resent = true;
                    continue;
                }
                Err(e) => return Err(transport_error(service, method_name, path, e)),
            };
            let status = response.status();
            let request_id = request_id(response.headers());
            if status == reqwest::StatusCode::UNAUTHORIZED && !retried {
                // Revoked or expired early: log in again, once.
                tracing::info!(service, "token refused; re-authenticating");
                if os.invalidate(key, &session).await {
                    os.observe.token_renewal(Renewal::Refused);
                }
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
                    request_id,
                    message: error_message(&text),
                });
            }
            if text.trim().is_empty() {
                return Ok((status.as_u16(), Value::Null));
            }
            let answer = serde_json::from_str(&text).map_err(|e| ActionError::Upstream {
                log: format!("{service} answered {method_name} with something that is not JSON"),
                message: format!(
                    "{service} answered {method_name} {path} with something that is not JSON: {e}"
                ),
            })?;
            return Ok((status.as_u16(), answer));
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

/// What a sent request came to, for [`crate::observe`].
pub(crate) fn answer(sent: &Result<reqwest::Response, reqwest::Error>) -> Answer {
    match sent {
        Ok(r) => Answer::Status(r.status().as_u16()),
        Err(e) if e.is_timeout() => Answer::Timeout,
        Err(_) => Answer::Unreachable,
    }
}

fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        _ => "OTHER",
    }
}

pub(crate) fn transport_error(
    service: &str,
    method: &str,
    path: &str,
    e: reqwest::Error,
) -> ActionError {
    if e.is_timeout() {
        return ActionError::Timeout {
            log: format!("{service} did not answer {method} in time"),
            message: format!("{service} did not answer {method} {path} in time"),
        };
    }
    // reqwest's own text only says a request failed; the cause (refused connection,
    // unknown certificate issuer, …) is further down the chain, and it is what an operator
    // needs. The URL in reqwest's text is dropped: it is in the endpoint catalog anyway.
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    causes.dedup();
    let why = if causes.is_empty() {
        e.without_url().to_string()
    } else {
        causes.join(": ")
    };
    ActionError::Upstream {
        log: format!("{service}: {method} failed: {why}"),
        message: format!("{service}: {method} {path} failed: {why}"),
    }
}

/// The id the service gave this request (`X-OpenStack-Request-Id`; Nova's older
/// `X-Compute-Request-Id`), when it looks like one: `req-<uuid>` is 40 characters.
pub(crate) fn request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    ["x-openstack-request-id", "x-compute-request-id"]
        .iter()
        .filter_map(|h| headers.get(*h)?.to_str().ok())
        .find(|v| crate::logsafe::is_plain_id(v))
        .map(str::to_string)
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
