//! The one error type of this crate. Messages name what failed and, where the operator
//! can act, how; none holds a secret or a value read for an environment.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The generated tree cannot be read (missing, not what `generate` writes).
    #[error("{}: {message}", path.display())]
    Tree { path: PathBuf, message: String },
    /// A variable an environment reads when applying (`from_env`, `from_file`) cannot be
    /// read. Names the variable or file, never a value.
    #[error("environment `{environment}`, variable `{variable}`: {why}")]
    Unresolved {
        environment: String,
        variable: String,
        why: String,
    },
    /// Where Mistral is, or the login to Keystone, failed.
    #[error("{0}")]
    Connect(String),
    /// `schedules NAME`: no cron trigger of ours has that name.
    #[error("no cron trigger of mistral-actions in this project is named {0}")]
    NoSchedule(String),
    /// Mistral refused a request (`status`) or could not be reached (`None`).
    #[error("{method} {path}: {}", answer(*status, message))]
    Mistral {
        method: &'static str,
        path: String,
        status: Option<u16>,
        message: String,
    },
}

fn answer(status: Option<u16>, message: &str) -> String {
    match status {
        Some(s) => format!("Mistral answered {s}: {message}"),
        None => message.to_string(),
    }
}

impl Error {
    /// Mistral's status, when it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Mistral { status, .. } => *status,
            _ => None,
        }
    }
}
