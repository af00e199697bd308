//! Reading a spec file: size limit, UTF-8 and control characters, before any YAML parsing.

use std::fs;
use std::path::Path;

use super::reader::Ctx;
use crate::diagnostics::Code;
use crate::yaml::{self, Node, Pos, YamlError};

/// How many YAML nodes a file may expand to, per byte of source (plus a floor). Legit specs
/// stay far below; an alias bomb passes it after a few levels.
const NODES_PER_BYTE: usize = 4;
const MIN_NODE_BUDGET: usize = 10_000;

/// Reads `path` (shown as `ctx.file`) into a YAML tree, or records why it cannot.
pub fn read(ctx: &mut Ctx, path: &Path, max_bytes: u64) -> Option<(String, Node)> {
    let start = Pos {
        line: 1,
        col: 1,
        char_offset: 0,
    };
    let size = match fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) => {
            ctx.error(Code::Io, start, format!("cannot read the file: {e}"), "");
            return None;
        }
    };
    if size > max_bytes {
        ctx.error(
            Code::FileTooLarge,
            start,
            format!("the file is {size} bytes; the limit is {max_bytes}"),
            "split it into several files, or raise `max_file_bytes` in specs/project.yaml",
        );
        return None;
    }
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            ctx.error(Code::Io, start, format!("cannot read the file: {e}"), "");
            return None;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]);
            let pos = Pos::of_char(&prefix, prefix.chars().count());
            ctx.error(
                Code::NotUtf8,
                pos,
                format!(
                    "the file is not UTF-8 (invalid byte 0x{:02x})",
                    e.as_bytes()[valid]
                ),
                "save the file as UTF-8",
            );
            return None;
        }
    };
    if !check_control_chars(ctx, &text) {
        return None;
    }
    let budget = MIN_NODE_BUDGET.max(text.len() * NODES_PER_BYTE);
    match yaml::parse(&text, budget) {
        Ok(node) => {
            check_values(ctx, &node);
            Some((text, node))
        }
        Err(YamlError::Syntax { pos, message }) => {
            ctx.error(
                Code::YamlSyntax,
                pos,
                format!("invalid YAML: {message}"),
                "",
            );
            None
        }
        Err(YamlError::MultipleDocuments { pos }) => {
            ctx.error(
                Code::YamlSyntax,
                pos,
                "a second YAML document",
                "a spec file holds one document; remove the `---` separator",
            );
            None
        }
        Err(YamlError::AliasBudget { pos, budget }) => {
            ctx.error(
                Code::AliasBomb,
                pos,
                format!("aliases expand past {budget} nodes"),
                "write the values out, or use fewer nested aliases",
            );
            None
        }
    }
}

fn is_forbidden(c: char, in_source: bool) -> bool {
    let allowed = match c {
        '\t' | '\n' => true,
        '\r' => in_source,
        _ => false,
    };
    !allowed && (c.is_control() || c == '\u{feff}' && !in_source)
}

/// Control characters in the raw text; reports each line once.
fn check_control_chars(ctx: &mut Ctx, text: &str) -> bool {
    // ASCII text without a forbidden byte needs no walk through its characters.
    if text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return true;
    }
    let mut ok = true;
    let mut last_line = 0;
    for (i, c) in text.chars().enumerate() {
        if is_forbidden(c, true) && !(i == 0 && c == '\u{feff}') {
            let pos = Pos::of_char(text, i);
            if pos.line != last_line {
                ctx.error(
                    Code::ControlCharacter,
                    pos,
                    format!("control character U+{:04X} in the file", c as u32),
                    "remove it; Mistral's database and YAML tools mangle control characters",
                );
                last_line = pos.line;
            }
            ok = false;
        }
    }
    ok
}

/// Control characters written as escapes (`"\0"`) inside strings.
fn check_values(ctx: &mut Ctx, node: &Node) {
    use crate::yaml::Kind;
    match &node.kind {
        Kind::Str(s) => {
            if let Some(c) = s.chars().find(|&c| is_forbidden(c, false)) {
                ctx.error(
                    Code::ControlCharacter,
                    node.pos,
                    format!("control character U+{:04X} in a string", c as u32),
                    "remove the escape; only tabs and newlines may appear in text",
                );
            }
        }
        Kind::Seq(items) => items.iter().for_each(|n| check_values(ctx, n)),
        Kind::Map(pairs) => pairs.iter().for_each(|(k, v)| {
            check_values(ctx, k);
            check_values(ctx, v);
        }),
        _ => {}
    }
}
