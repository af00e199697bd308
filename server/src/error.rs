//! How a request fails: one error the handlers and the token check return with `?`, and
//! its answer. The status, the `{"error": {"kind", "message"}}` envelope and the kinds
//! are `mistral_actions_contract`'s; the kind also rides along as a response extension,
//! for the metrics. The log line of a failure holds no input value, secret or token.

use axum::http::{header as http_header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use mistral_actions_contract::{envelope, header, ErrorKind};
use mistral_actions_runtime::ActionError;
use serde_json::json;

use crate::app::LOG_TARGET;

/// A failed request; its `Display` is the error body's `message`.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// No valid bearer token; `given`: whether the request carried one at all.
    #[error("a valid bearer token is required")]
    Unauthorized { given: bool },
    /// No route matches.
    #[error("no such endpoint")]
    NoSuchEndpoint,
    /// The path names no action. The name is the caller's text: the request line (its
    /// action label says unknown) is all that is logged.
    #[error("{}", ActionError::UnknownAction(.0.clone()))]
    UnknownAction(String),
    /// Calling `action` failed: its scope, its body or the action itself.
    #[error("{error}")]
    Action {
        action: &'static str,
        error: ActionError,
    },
}

impl HttpError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            HttpError::Unauthorized { .. } => ErrorKind::Unauthorized,
            HttpError::NoSuchEndpoint => ErrorKind::NotFound,
            HttpError::UnknownAction(_) => ErrorKind::UnknownAction,
            HttpError::Action { error, .. } => error.kind(),
        }
    }

    /// Of an action's error, only [`ActionError::log_note`] is logged; of a refused
    /// token, only whether there was one. Under the request lines' target.
    fn log(&self) {
        match self {
            HttpError::Unauthorized { given } => {
                let reason = if *given {
                    "wrong token"
                } else {
                    "no bearer token"
                };
                tracing::warn!(target: LOG_TARGET, reason, "unauthorised");
            }
            HttpError::NoSuchEndpoint | HttpError::UnknownAction(_) => {}
            HttpError::Action { action, error } => {
                let (action, kind) = (*action, error.kind().as_str());
                match error.log_note() {
                    note if note.is_empty() => {
                        tracing::warn!(target: LOG_TARGET, action, kind, "action failed")
                    }
                    note => {
                        tracing::warn!(target: LOG_TARGET, action, kind, detail = %note, "action failed")
                    }
                }
            }
        }
    }
}

/// Logs the failure (inside the request's span: handlers and middleware answer there)
/// and answers it.
impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        self.log();
        let kind = self.kind();
        let status =
            StatusCode::from_u16(kind.status()).expect("the contract's statuses are valid");
        let body = json!({
            envelope::ERROR: { envelope::KIND: kind.as_str(), envelope::MESSAGE: self.to_string() }
        });
        let mut response = (status, Json(body)).into_response();
        if let HttpError::Unauthorized { .. } = self {
            response.headers_mut().insert(
                http_header::WWW_AUTHENTICATE,
                HeaderValue::from_static(header::BEARER),
            );
        }
        response.extensions_mut().insert(kind);
        response
    }
}
