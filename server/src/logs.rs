//! The server's log: stderr, one line per event, whatever the events hold. Callers'
//! values are kept out at the source (`ActionError::log_note`); this is the backstop for
//! the line structure: a control character that still reaches an event (a header, a
//! file name, an error chain) is written `\u{…}` instead of breaking the line.

use std::io::{self, Write};

use mistral_actions_runtime::logsafe::escape;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

/// `MISTRAL_ACTIONS_LOG` (e.g. `info` or `warn,mistral_actions_runtime=debug`), else info.
pub fn init() {
    let filter: Targets = std::env::var("MISTRAL_ACTIONS_LOG")
        .ok()
        .and_then(|f| f.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(OneLine))
        .with(filter)
        .init();
}

/// Writes each event (the fmt layer hands over one whole event per write) to stderr
/// with every character but its final newline escaped where needed.
#[derive(Clone, Copy)]
struct OneLine;

impl<'a> MakeWriter<'a> for OneLine {
    type Writer = OneLine;

    fn make_writer(&'a self) -> OneLine {
        OneLine
    }
}

impl Write for OneLine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let (body, newline) = match text.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (text.as_ref(), ""),
        };
        let line = format!("{}{newline}", escape(body));
        io::stderr().lock().write_all(line.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}
