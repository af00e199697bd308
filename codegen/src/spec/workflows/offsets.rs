//! Positions inside a string value, for diagnostics that point into an expression or an
//! inline call rather than at its whole value.

use crate::yaml::{Node, Pos};

/// Where the `idx`th character of the string `value` of `node` is in the source: exact
/// for one-line plain and quoted scalars without escapes before it, else the node itself.
pub(super) fn sub_pos(src: &[char], node: &Node, value: &str, idx: usize) -> Pos {
    let start = node.pos.char_offset;
    let adj = match src.get(start) {
        Some('"' | '\'') => 1,
        Some(_) => 0,
        None => return node.pos,
    };
    let from = start + adj;
    let same = value.chars().take(idx + 1).count() == idx + 1
        && src.len() >= from + idx
        && value
            .chars()
            .take(idx)
            .eq(src[from..from + idx].iter().copied())
        && !src[from..from + idx].contains(&'\n');
    if !same {
        return node.pos;
    }
    Pos {
        line: node.pos.line,
        col: node.pos.col + adj + idx,
        char_offset: from + idx,
    }
}
