//! The one error type of every action, the kind (so the HTTP status) the server answers
//! it with, and what of it the server may log; kinds and statuses are
//! `mistral_actions_contract::ErrorKind`.
//!
//! The message (`Display`) goes back to the caller in the error body and may quote what
//! the caller sent, OpenStack's own message (Cinder's 400 echoes the request) and a
//! command's stderr. The log gets [`ActionError::log_note`] only: facts from the
//! server's configuration, the action's spec, OpenStack's status and request id, an
//! allowlisted program and its exit code, never an input value.

use std::borrow::Cow;

use mistral_actions_contract::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// Names the input and the type it expects, never the value (`input::parse` makes
    /// sure), so it is logged as it is.
    #[error("{0}")]
    BadInput(String),
    #[error("unknown action '{0}'")]
    UnknownAction(String),
    /// `log`: what kind of thing was refused; `message` may name it.
    #[error("{message}")]
    Forbidden { log: &'static str, message: String },
    /// Quotes what was expected (an input) and found: never logged.
    #[error("{0}")]
    UnexpectedState(String),
    /// `log`: the program (allowlisted) and its exit code; `message` adds the command
    /// line and stderr.
    #[error("{message}")]
    CommandFailed { log: String, message: String },
    /// The operator's configuration; logged as it is.
    #[error("{0}")]
    Config(String),
    /// OpenStack answered with an error status. `path` holds ids the caller sent and
    /// `message` is OpenStack's own: both stay out of the log.
    #[error("{service} answered {status} to {method} {path}: {message}{}", request_suffix(.request_id))]
    OpenStack {
        service: String,
        method: &'static str,
        path: String,
        status: u16,
        /// `X-OpenStack-Request-Id` (or Nova's `X-Compute-Request-Id`), for the operator
        /// to find the call in the service's logs.
        request_id: Option<String>,
        message: String,
    },
    /// OpenStack could not be reached, or its answer could not be used. `log` leaves out
    /// the request path (it holds ids the caller sent).
    #[error("{message}")]
    Upstream { log: String, message: String },
    /// Like `Upstream`: `log` names the service (or the command) without the path.
    #[error("{message}")]
    Timeout { log: String, message: String },
}

fn logged_as_is(message: impl Into<String>) -> (String, String) {
    let message = message.into();
    (message.clone(), message)
}

fn request_suffix(request_id: &Option<String>) -> String {
    request_id
        .as_deref()
        .map(|r| format!(" (request id {r})"))
        .unwrap_or_default()
}

impl ActionError {
    /// What the error body's `kind` says; its status is `kind().status()`.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ActionError::BadInput(_) => ErrorKind::BadInput,
            ActionError::Forbidden { .. } => ErrorKind::Forbidden,
            ActionError::UnknownAction(_) => ErrorKind::UnknownAction,
            ActionError::UnexpectedState(_) => ErrorKind::UnexpectedState,
            ActionError::CommandFailed { .. } => ErrorKind::CommandFailed,
            ActionError::Config(_) => ErrorKind::Config,
            ActionError::OpenStack { .. } | ActionError::Upstream { .. } => ErrorKind::OpenStack,
            ActionError::Timeout { .. } => ErrorKind::Timeout,
        }
    }

    pub fn status(&self) -> u16 {
        self.kind().status()
    }

    /// An unusable answer whose description holds nothing the caller sent, so it is
    /// logged as it is.
    pub fn upstream(message: impl Into<String>) -> ActionError {
        let (log, message) = logged_as_is(message);
        ActionError::Upstream { log, message }
    }

    /// A command failure whose description holds nothing the caller sent.
    pub fn command_failed(message: impl Into<String>) -> ActionError {
        let (log, message) = logged_as_is(message);
        ActionError::CommandFailed { log, message }
    }

    /// A timeout whose description holds nothing the caller sent.
    pub fn timeout(message: impl Into<String>) -> ActionError {
        let (log, message) = logged_as_is(message);
        ActionError::Timeout { log, message }
    }

    /// What the server logs of this error (may be empty), on one line.
    pub fn log_note(&self) -> String {
        let note: Cow<str> = match self {
            ActionError::BadInput(m) | ActionError::Config(m) => m.into(),
            ActionError::UnknownAction(_) | ActionError::UnexpectedState(_) => "".into(),
            ActionError::Forbidden { log, .. } => (*log).into(),
            ActionError::CommandFailed { log, .. }
            | ActionError::Upstream { log, .. }
            | ActionError::Timeout { log, .. } => log.into(),
            ActionError::OpenStack {
                service,
                method,
                status,
                request_id,
                ..
            } => format!(
                "{service} answered {status} to {method}{}",
                request_suffix(request_id)
            )
            .into(),
        };
        crate::logsafe::clean(&note)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openstack_s_message_and_the_path_stay_out_of_the_log() {
        let e = ActionError::OpenStack {
            service: "volumev3".into(),
            method: "POST",
            path: "/backups/secret-id".into(),
            status: 400,
            request_id: Some("req-1".into()),
            message: "Invalid input: 'secret-name'\nforged line".into(),
        };
        assert_eq!(
            e.log_note(),
            "volumev3 answered 400 to POST (request id req-1)"
        );
        let shown = e.to_string();
        assert!(shown.contains("secret-name") && shown.contains("/backups/secret-id"));
        assert!(shown.ends_with("(request id req-1)"), "{shown}");
    }
}
