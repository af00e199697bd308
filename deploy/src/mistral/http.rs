//! The HTTP client of every Mistral request (reqwest, trusting what the cloud's
//! configuration says), and what Mistral's error answers say.
//!
//! A second client beside the runtime's (`runtime/src/openstack/client.rs`), with the same
//! trust rules, because Mistral takes workflow and action definitions as `text/plain`
//! bodies and the runtime's `Scoped::request` sends JSON only, and its client is private
//! to it. Logging in, the token and the catalog stay the runtime's (see `super`).

use std::time::Duration;

use mistral_actions_runtime::openstack::Trust;
use serde_json::Value;

use crate::Error;

/// A client with `timeout` that trusts the system store, the public web roots and, when
/// the cloud names one, its own CA (`cacert`); `verify: false` trusts anything.
pub fn client(trust: &Trust, timeout: Duration) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder().timeout(timeout);
    if let Some(path) = &trust.cacert {
        let pem = std::fs::read(path).map_err(|e| {
            Error::Connect(format!(
                "cacert {}: {e} (OS_CACERT or clouds.yaml `cacert` must name a readable PEM file)",
                path.display()
            ))
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            Error::Connect(format!(
                "cacert {}: not PEM certificates: {e}",
                path.display()
            ))
        })?;
        if certs.is_empty() {
            return Err(Error::Connect(format!(
                "cacert {}: holds no certificate",
                path.display()
            )));
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    if !trust.verify {
        builder = builder.danger_accept_invalid_certs(true);
    }
    builder
        .build()
        .map_err(|e| Error::Connect(format!("HTTP client: {e}")))
}

/// Why a request got no answer: reqwest's own text says only that it failed; the cause
/// (refused connection, unknown certificate issuer, …) is further down the chain.
pub fn transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "no answer in time".into();
    }
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    causes.dedup();
    if causes.is_empty() {
        e.to_string()
    } else {
        causes.join(": ")
    }
}

/// What an error answer says: Mistral's (WSME's) `{"faultstring": …}`, Keystone's
/// `{"error": {"message": …}}`, else the text, cut.
pub fn error_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        if let Some(m) = v.get("faultstring").and_then(Value::as_str) {
            return m.trim().to_string();
        }
        if let Some(m) = v.pointer("/error/message").and_then(Value::as_str) {
            return m.trim().to_string();
        }
    }
    let text = body.trim();
    let mut cut: String = text.chars().take(300).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

/// The query of `next` (an absolute link Mistral builds from the host it believes it
/// has), to send to the endpoint we reach it at.
pub fn next_query(next: &str) -> Option<Vec<(String, String)>> {
    let base = reqwest::Url::parse("http://next.invalid/").expect("a valid base URL");
    let url = base.join(next).ok()?;
    Some(
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_say_what_mistral_said() {
        assert_eq!(
            error_message(
                r#"{"faultcode": "Client", "faultstring": "Duplicate entry for WorkflowDefinition ", "debuginfo": null}"#
            ),
            "Duplicate entry for WorkflowDefinition"
        );
        assert_eq!(
            error_message(
                r#"{"error": {"code": 401, "message": "The request you have made requires authentication."}}"#
            ),
            "The request you have made requires authentication."
        );
        assert_eq!(error_message(&"x".repeat(400)).chars().count(), 301);
    }

    #[test]
    fn only_the_query_of_a_next_link_is_kept() {
        let q = next_query(
            "http://10.0.0.1:8989/v2/workflows?limit=1000&marker=abc&sort_keys=created_at",
        )
        .unwrap();
        assert_eq!(
            q,
            vec![
                ("limit".to_string(), "1000".to_string()),
                ("marker".to_string(), "abc".to_string()),
                ("sort_keys".to_string(), "created_at".to_string())
            ]
        );
    }
}
