//! Markdown text: code spans, one-line paragraphs, table cells and fences that survive
//! whatever the specs hold.

/// A code span that survives any backticks inside `s`.
pub(crate) fn code(s: &str) -> String {
    let ticks = "`".repeat(longest_backtick_run(s) + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}

/// Text inside a paragraph: one line.
pub(super) fn inline(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text inside a table cell: one line, pipes escaped (also inside code spans, as GFM wants).
pub(super) fn cell(s: &str) -> String {
    inline(s).replace('|', "\\|")
}

/// A fence longer than any backtick run in the block.
pub(super) fn fence_for(block: &str) -> String {
    "`".repeat(longest_backtick_run(block).max(2) + 1)
}

/// Code spans and fences must be delimited by more backticks than they contain in a row.
fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
    }

    #[test]
    fn cells_escape_pipes() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
    }
}
