//! Text bound for a log line. A log entry is one line whatever it holds: a line break in
//! a logged string would let whoever chose that string forge entries (log injection),
//! and terminal escapes would steer the operator's terminal. Both become `\u{…}`.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Longest text [`clean`] keeps, in characters.
pub const MAX_CHARS: usize = 300;

/// Characters a log line never holds as they are: control characters (line breaks,
/// escapes), the Unicode line and paragraph separators, and the bidirectional overrides
/// that make a line read differently from what it holds.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether a request id from a header (the caller's `X-Request-Id`, OpenStack's
/// `X-OpenStack-Request-Id`) can be logged and echoed as it is: 1 to 64 printable ASCII
/// characters, no space.
pub fn is_plain_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_graphic())
}

/// `text` with every character of [`needs_escape`] written `\u{…}`.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push(&mut out, c);
    }
    Cow::Owned(out)
}

fn push(out: &mut String, c: char) {
    if needs_escape(c) {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    } else {
        out.push(c);
    }
}

/// [`escape`]d and cut at [`MAX_CHARS`].
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_CHARS + 8));
    for (i, c) in text.chars().enumerate() {
        if i == MAX_CHARS {
            out.push('…');
            break;
        }
        push(&mut out, c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_separators_are_escaped() {
        assert_eq!(escape("plain text"), Cow::Borrowed("plain text"));
        assert_eq!(
            escape("a\nb\r\u{1b}[31m\u{2028}\u{202e}"),
            "a\\u{a}b\\u{d}\\u{1b}[31m\\u{2028}\\u{202e}"
        );
        assert_eq!(clean(&"x".repeat(400)).chars().count(), MAX_CHARS + 1);
    }
}
