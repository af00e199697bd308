//! The one error type of every action, and the HTTP status the server answers with.
//!
//! Mistral's `std.http` fails the task on any status outside 200–306, so every failure is a
//! non-2xx and `retry:` policies work:
//!
//! | status | kind | when |
//! | --- | --- | --- |
//! | 400 | `bad_input` | body not a JSON object, unknown input, wrong type, missing required input |
//! | 403 | `forbidden` | `system.exec` disabled, or a program outside the allowlist |
//! | 404 | `unknown_action` | no action of that name |
//! | 409 | `unexpected_state` | the action ran and the world is not as asserted: status mismatch, server in ERROR, no image matches |
//! | 422 | `command_failed` | `system.exec`: non-zero exit or output over the cap |
//! | 500 | `config` | the server lacks configuration the action needs (no cloud) |
//! | 502 | `openstack` | OpenStack answered with an error (including 404 for a missing resource), could not be reached, or answered something unreadable |
//! | 504 | `timeout` | OpenStack or a command did not answer in time |

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
    pub fn status(&self) -> u16 {
        match self {
            ActionError::BadInput(_) => 400,
            ActionError::Forbidden(_) => 403,
            ActionError::UnknownAction(_) => 404,
            ActionError::UnexpectedState(_) => 409,
            ActionError::CommandFailed(_) => 422,
            ActionError::Config(_) => 500,
            ActionError::OpenStack { .. } | ActionError::Upstream(_) => 502,
            ActionError::Timeout(_) => 504,
        }
    }

    /// Stable machine-readable name, the `kind` of the error body.
    pub fn kind(&self) -> &'static str {
        match self {
            ActionError::BadInput(_) => "bad_input",
            ActionError::Forbidden(_) => "forbidden",
            ActionError::UnknownAction(_) => "unknown_action",
            ActionError::UnexpectedState(_) => "unexpected_state",
            ActionError::CommandFailed(_) => "command_failed",
            ActionError::Config(_) => "config",
            ActionError::OpenStack { .. } | ActionError::Upstream(_) => "openstack",
            ActionError::Timeout(_) => "timeout",
        }
    }
}
