//! Rendering spec problems like rustc does, with the offending line under the message.

use std::io::IsTerminal;
use std::path::Path;

use annotate_snippets::{Level, Renderer, Snippet};
use codegen::diagnostics::{Diagnostic, Diagnostics, Severity};

pub fn print(root: &Path, diags: &Diagnostics) {
    let renderer = if std::io::stderr().is_terminal() {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for d in &diags.0 {
        eprintln!("{}\n", render(root, d, &renderer));
    }
    let errors = diags
        .0
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.0.len() - errors;
    if errors > 0 {
        eprintln!("error: {errors} problem(s) in the specs, {warnings} warning(s); generated/ was not touched");
    } else if warnings > 0 {
        eprintln!("warning: {warnings} warning(s) in the specs");
    }
}

fn render(root: &Path, d: &Diagnostic, renderer: &Renderer) -> String {
    let level = match d.severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
    };
    let origin = format!("{}:{}:{}", d.file.display(), d.pos.line, d.pos.col);
    let source = std::fs::read(root.join(&d.file))
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    let mut message = level.title(&d.message).id(d.code.as_str());
    let help = d.help.clone().unwrap_or_default();
    if !help.is_empty() {
        message = message.footer(Level::Help.title(&help));
    }
    let Some(source) = source.as_deref() else {
        let plain = format!("{message_text}\n  --> {origin}", message_text = d);
        return plain;
    };
    let span = token_span(source, d.pos.char_offset);
    let file = d.file.display().to_string();
    message = message.snippet(
        Snippet::source(source)
            .origin(&file)
            .line_start(1)
            .fold(true)
            .annotation(level.span(span).label(d.code.as_str())),
    );
    // `origin` keeps `file:line:col` greppable even when the snippet is folded.
    format!("{}\n  = at {origin}", renderer.render(message))
}

/// The byte range of the token starting at `char_offset` (at least one character).
fn token_span(source: &str, char_offset: usize) -> std::ops::Range<usize> {
    let start = source
        .char_indices()
        .nth(char_offset)
        .map(|(i, _)| i)
        .unwrap_or(source.len());
    let rest = &source[start..];
    let len = rest
        .find(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .unwrap_or(rest.len());
    let len = if len == 0 {
        rest.chars().next().map_or(0, char::len_utf8)
    } else {
        len
    };
    start..start + len
}
