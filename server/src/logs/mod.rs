//! The server's log: stderr, one line per event, as text (the default) or as one JSON
//! object per line for log shippers (`--log-format json`). Callers' values are kept out
//! at the source (`ActionError::log_note`); each format makes sure a value that still
//! reaches an event cannot break the line structure.

mod json;
mod text;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `2026-… INFO request{request_id=req-1 …}: done status=200 duration_ms=1.2`
    #[default]
    Text,
    /// `{"timestamp": …, "level": "INFO", "request_id": "req-1", "action": …, …}`
    Json,
}

/// `MISTRAL_ACTIONS_LOG` (e.g. `info` or `warn,mistral_actions_runtime=debug`), else info.
pub fn init(format: Format) {
    let filter: Targets = std::env::var("MISTRAL_ACTIONS_LOG")
        .ok()
        .and_then(|f| f.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let registry = tracing_subscriber::registry().with(filter);
    match format {
        Format::Text => registry.with(text::layer()).init(),
        Format::Json => registry.with(json::JsonLines).init(),
    }
}
