//! Mistral's input strings (`backup_id, status="available"`).
//!
//! Mistral builds them as `name=json.dumps(default)` joined by `", "`
//! (`mistral.utils.inspect_utils.get_arg_list_as_str`), so defaults are rendered the way
//! Python's `json.dumps` does with its default arguments: `", "` and `": "` separators and
//! every non-ASCII character escaped as `\uXXXX`.

use serde_json::Value;

use crate::model::Input;

pub fn input_string(inputs: &[Input]) -> String {
    inputs
        .iter()
        .map(|input| match &input.default {
            None => input.name.clone(),
            Some(default) => format!("{}={}", input.name, python_json_dumps(default)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `json.dumps(value)` as CPython prints it.
pub fn python_json_dumps(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

pub(crate) fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match n.as_f64() {
            Some(f) if !(n.is_i64() || n.is_u64()) => out.push_str(&python_float(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_string(out, k);
                out.push_str(": ");
                write_value(out, v);
            }
            out.push('}');
        }
    }
}

pub(crate) fn write_string(out: &mut String, s: &str) {
    push_double_quoted(out, s, |c, out| match c {
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
        c => out.push(c),
    });
}

/// Appends `s` in double quotes, with `"`, `\`, newline, carriage return and tab escaped as JSON
/// and YAML both write them, and every other character as `other` writes it.
pub(crate) fn push_double_quoted(out: &mut String, s: &str, other: impl Fn(char, &mut String)) {
    out.reserve(s.len() + 2);
    out.push('"');
    // Printable ASCII other than `"` and `\` is itself in every caller's syntax: copied a
    // run at a time, the rest char by char.
    let plain = |b: u8| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\';
    let mut rest = s;
    while !rest.is_empty() {
        let run = rest.bytes().position(|b| !plain(b)).unwrap_or(rest.len());
        out.push_str(&rest[..run]);
        rest = &rest[run..];
        let Some(c) = rest.chars().next() else {
            break;
        };
        rest = &rest[c.len_utf8()..];
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => other(c, out),
        }
    }
    out.push('"');
}

/// Python's `float.__repr__`: shortest round-trip digits, `1e+20` style exponents.
fn python_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e16).contains(&abs) {
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        return format!(
            "{mantissa}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        );
    }
    let s = format!("{f:?}");
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_python_json_dumps() {
        let cases = [
            (json!("available"), r#""available""#),
            (json!(null), "null"),
            (json!(true), "true"),
            (json!(5), "5"),
            (json!(1.5), "1.5"),
            (json!(2.0), "2.0"),
            (json!(1e20), "1e+20"),
            (json!(1.5e-7), "1.5e-07"),
            (json!("é\"\\\n"), r#""\u00e9\"\\\n""#),
            (json!("😀"), r#""\ud83d\ude00""#),
            (
                json!({"a": [1, "b"], "c": {}}),
                r#"{"a": [1, "b"], "c": {}}"#,
            ),
        ];
        for (value, python) in cases {
            assert_eq!(python_json_dumps(&value), python, "{value}");
        }
    }
}
