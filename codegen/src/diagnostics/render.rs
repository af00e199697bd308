//! Rendering problems like rustc does, with the offending line under the message: exactly
//! what `cargo xtask` prints on stderr, so the snapshot tests compare what users see.
//! annotate-snippets is used here and nowhere else.

use std::path::Path;

use annotate_snippets::{Level, Renderer, Snippet};

use super::{Diagnostic, Diagnostics, Severity};

/// Every problem of `diags`, each followed by a blank line, then one summary line; plain
/// text. `root` is where the files named by the diagnostics are read for their snippets.
pub fn render(root: &Path, diags: &Diagnostics) -> String {
    render_with(root, diags, &Renderer::plain())
}

/// [`render`] with terminal colours.
pub fn render_styled(root: &Path, diags: &Diagnostics) -> String {
    render_with(root, diags, &Renderer::styled())
}

fn render_with(root: &Path, diags: &Diagnostics, renderer: &Renderer) -> String {
    let mut out = String::new();
    for d in &diags.0 {
        out.push_str(&render_one(root, d, renderer));
        out.push_str("\n\n");
    }
    let errors = diags
        .0
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.0.len() - errors;
    if errors > 0 {
        out.push_str(&format!("error: {errors} problem(s) in the specs, {warnings} warning(s); generated/ was not touched\n"));
    } else if warnings > 0 {
        out.push_str(&format!("warning: {warnings} warning(s) in the specs\n"));
    }
    out
}

fn render_one(root: &Path, d: &Diagnostic, renderer: &Renderer) -> String {
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
        return format!("{d}\n  --> {origin}");
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
/// A position at the very end (YAML that ends too early) marks the last character: an
/// empty span past the last line would render as an empty snippet.
fn token_span(source: &str, char_offset: usize) -> std::ops::Range<usize> {
    let start = source
        .char_indices()
        .nth(char_offset)
        .or_else(|| source.char_indices().last())
        .map_or(0, |(i, _)| i);
    let rest = &source[start..];
    // A token ends at whitespace, `,`, a YAML key's `:` (not the `::` of a Rust path), and
    // the end of the flow collection it sits in (unless it is one itself).
    let in_flow = !rest.starts_with(['[', '{']);
    let ends_key = |i: usize| !rest[..i].ends_with(':') && !rest[i + 1..].starts_with(':');
    let len = rest
        .char_indices()
        .find(|&(i, c)| match c {
            ',' => true,
            ':' => ends_key(i),
            ']' | '}' => in_flow,
            c => c.is_whitespace(),
        })
        .map_or(rest.len(), |(i, _)| i);
    let len = if len == 0 {
        rest.chars().next().map_or(0, char::len_utf8)
    } else {
        len
    };
    start..start + len
}
