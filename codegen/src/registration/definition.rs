//! The `definition` column: the ad-hoc action's YAML, as an operator would post it to
//! `/v2/actions`. Written by hand rather than by a YAML library so that every string is
//! double-quoted with escapes PyYAML (Mistral's parser, YAML 1.1) reads back exactly:
//! no plain scalar can turn into a boolean, a number or a comment.

use serde_json::{Map, Value};

use crate::signature::python_json_dumps;

/// `version: '2.0'` and one action, `name: spec`.
#[cfg(test)]
pub fn yaml(name: &str, spec: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(1024);
    out.push_str("version: '2.0'\n");
    out.push_str(&key(name));
    if spec.is_empty() {
        out.push_str(": {}\n");
    } else {
        out.push_str(":\n");
        map_lines(&mut out, 2, spec);
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Block-style lines of a non-empty mapping, each at `at` columns, straight into `out`
/// (no line is built twice).
pub(super) fn map_lines(out: &mut String, at: usize, map: &Map<String, Value>) {
    for (i, (k, v)) in map.iter().enumerate() {
        // The first entry of a mapping that is a sequence item follows its `- `.
        if i > 0 || !out.ends_with("- ") {
            indent(out, at);
        }
        out.push_str(&key(k));
        entry_value(out, at, v);
    }
}

/// `: value` on the key's line, or `:` and the collection's lines below it.
fn entry_value(out: &mut String, at: usize, v: &Value) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push_str(":\n");
            map_lines(out, at + 2, m);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push_str(":\n");
            seq_lines(out, at + 2, a);
        }
        _ => {
            out.push_str(": ");
            out.push_str(&scalar(v));
            out.push('\n');
        }
    }
}

/// Block-style lines of a non-empty sequence, each `- ` at `at` columns.
fn seq_lines(out: &mut String, at: usize, items: &[Value]) {
    for (i, v) in items.iter().enumerate() {
        if i > 0 || !out.ends_with("- ") {
            indent(out, at);
        }
        out.push_str("- ");
        match v {
            Value::Object(m) if !m.is_empty() => map_lines(out, at + 2, m),
            Value::Array(a) if !a.is_empty() => seq_lines(out, at + 2, a),
            _ => {
                out.push_str(&scalar(v));
                out.push('\n');
            }
        }
    }
}

/// Words YAML 1.1 reads as something other than a string when plain.
const SPECIAL: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

pub(super) fn key(k: &str) -> String {
    let plain = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !SPECIAL.contains(&k.to_ascii_lowercase().as_str());
    if plain {
        k.to_string()
    } else {
        quoted(k)
    }
}

pub(super) fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => quoted(s),
        Value::Number(n) if !(n.is_i64() || n.is_u64()) => {
            // PyYAML reads `1e+20` as a string: its floats need a dot in the mantissa.
            let text = python_json_dumps(v);
            match text.split_once('e') {
                Some((m, e)) if !m.contains('.') => format!("{m}.0e{e}"),
                _ => text,
            }
        }
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Array(a) if a.is_empty() => "[]".into(),
        other => python_json_dumps(other),
    }
}

/// A YAML double-quoted scalar. Characters outside PyYAML's printable set are escaped.
pub fn quoted(s: &str) -> String {
    let mut out = String::new();
    crate::signature::push_double_quoted(&mut out, s, |c, out| match c {
        c if printable(c) => out.push(c),
        c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    });
    out
}

/// PyYAML's `Reader.NON_PRINTABLE` complement.
fn printable(c: char) -> bool {
    matches!(c as u32, 0x20..=0x7e | 0x85 | 0xa0..=0xd7ff | 0xe000..=0xfffd | 0x10000..=0x10ffff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn block_layout() {
        let spec = json!({
            "description": "a: b # c",
            "base": "std.http",
            "input": ["x", {"on": true}, {"n": 1e20}, {"o": {"k": [1, "é\u{ffff}"]}}],
            "empty": {},
        });
        let Value::Object(spec) = spec else {
            unreachable!()
        };
        assert_eq!(
            yaml("p.a", &spec),
            "version: '2.0'\np.a:\n  description: \"a: b # c\"\n  base: \"std.http\"\n  input:\n    - \"x\"\n    - \"on\": true\n    - \"n\": 1.0e+20\n    - o:\n        k:\n          - 1\n          - \"é\\uffff\"\n  empty: {}\n"
        );
    }
}
