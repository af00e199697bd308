//! The one error type of every action, and the kind (so the HTTP status) the server
//! answers it with; kinds and statuses are `mistral_actions_contract::ErrorKind`.

use mistral_actions_contract::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("{0}")]
    BadInput(String),
    #[error("unknown action '{0}'")]
    UnknownAction(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    UnexpectedState(String),
    #[error("{0}")]
    CommandFailed(String),
    #[error("{0}")]
    Config(String),
    /// OpenStack answered with an error status.
    #[error("{service} answered {status} to {method} {path}: {message}")]
    OpenStack {
        service: String,
        method: &'static str,
        path: String,
        status: u16,
        message: String,
    },
    /// OpenStack could not be reached, or its answer could not be used.
    #[error("{0}")]
    Upstream(String),
    #[error("{0}")]
    Timeout(String),
}

impl ActionError {
    /// What the error body's `kind` says; its status is `kind().status()`.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ActionError::BadInput(_) => ErrorKind::BadInput,
            ActionError::Forbidden(_) => ErrorKind::Forbidden,
            ActionError::UnknownAction(_) => ErrorKind::UnknownAction,
            ActionError::UnexpectedState(_) => ErrorKind::UnexpectedState,
            ActionError::CommandFailed(_) => ErrorKind::CommandFailed,
            ActionError::Config(_) => ErrorKind::Config,
            ActionError::OpenStack { .. } | ActionError::Upstream(_) => ErrorKind::OpenStack,
            ActionError::Timeout(_) => ErrorKind::Timeout,
        }
    }

    pub fn status(&self) -> u16 {
        self.kind().status()
    }
}
