//! Mistral's inline call syntax, `action: name a=1 b=<% $.y %> c='text'`.
//!
//! A faithful port of `BaseSpec._parse_cmd_and_input` (mistral/lang/base.py): the command
//! is `CMD_PTRN` at the start, the parameters are every non-overlapping match of
//! `([-_\w]+)=(<value>)` over the whole string, where a value is, in this order of
//! preference, `"…"`, `'…'`, an expression (`<%…%>`, `{{…}}`), `[…]`, `true`, `false`,
//! `null` or digits. Anything else after `=` is silently dropped by Mistral, which is why
//! the dropped keys are reported too.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    /// The value as Mistral passes it: quotes removed, JSON literals decoded.
    pub value: Value,
    /// Character offset of the name in the command string.
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Inline {
    pub command: String,
    pub params: Vec<Param>,
    /// `key=` occurrences whose value no pattern matches: Mistral drops them.
    pub dropped: Vec<Param>,
}

/// `None` when Mistral cannot find a command at the start ("Invalid action/workflow task
/// property").
pub fn parse(s: &str) -> Option<Inline> {
    if !s.contains(' ') {
        return Some(Inline {
            command: s.to_string(),
            ..Inline::default()
        });
    }
    let c: Vec<char> = s.chars().collect();
    let cmd_end = command_end(&c)?;
    let mut out = Inline {
        command: c[..cmd_end].iter().collect(),
        ..Inline::default()
    };
    let mut i = 0;
    while i < c.len() {
        let key_end = (i..c.len())
            .find(|&j| !is_key_char(c[j]))
            .unwrap_or(c.len());
        if key_end == i || key_end >= c.len() || c[key_end] != '=' {
            i += 1;
            continue;
        }
        let name: String = c[i..key_end].iter().collect();
        match value_end(&c, key_end + 1) {
            Some(end) => {
                let raw: String = c[key_end + 1..end].iter().collect();
                out.params.push(Param {
                    name,
                    value: decode(&raw),
                    offset: i,
                });
                i = end;
            }
            None => {
                // Every start between `i` and `=` fails the same way.
                out.dropped.push(Param {
                    name,
                    value: Value::Null,
                    offset: i,
                });
                i = key_end + 1;
            }
        }
    }
    Some(out)
}

/// Python's `\w` (Unicode) plus `-`.
fn is_key_char(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_' || ch == '-'
}

/// `^([\w\.]+[^=\(\s\"]*|<%.*?%>|{{.*}}|{%.*%})`.
fn command_end(c: &[char]) -> Option<usize> {
    let word = c
        .iter()
        .take_while(|&&ch| ch.is_alphanumeric() || ch == '_' || ch == '.')
        .count();
    if word > 0 {
        let rest = c[word..]
            .iter()
            .take_while(|&&ch| !(ch == '=' || ch == '(' || ch == '"' || ch.is_whitespace()))
            .count();
        return Some(word + rest);
    }
    lazy_delimited(c, 0, "<%", "%>")
        .or_else(|| greedy_delimited(c, 0, "{{", "}}"))
        .or_else(|| greedy_delimited(c, 0, "{%", "%}"))
}

fn starts(c: &[char], at: usize, s: &str) -> bool {
    let n = s.chars().count();
    at + n <= c.len() && c[at..at + n].iter().copied().eq(s.chars())
}

/// `open.*?close` on one line (Python's `.` stops at newlines); returns the end.
fn lazy_delimited(c: &[char], at: usize, open: &str, close: &str) -> Option<usize> {
    if !starts(c, at, open) {
        return None;
    }
    let mut j = at + open.len();
    while j < c.len() && c[j] != '\n' {
        if starts(c, j, close) {
            return Some(j + close.len());
        }
        j += 1;
    }
    None
}

/// `open.*close` on one line, as far as the last `close`.
fn greedy_delimited(c: &[char], at: usize, open: &str, close: &str) -> Option<usize> {
    if !starts(c, at, open) {
        return None;
    }
    let line_end = (at..c.len()).find(|&j| c[j] == '\n').unwrap_or(c.len());
    (at + open.len()..line_end)
        .rev()
        .find(|&j| starts(c, j, close) && j + close.len() <= line_end)
        .map(|j| j + close.len())
}

fn skip_space(c: &[char], mut j: usize) -> usize {
    while j < c.len() && c[j].is_whitespace() {
        j += 1;
    }
    j
}

/// The end of the value starting at `at`, trying Mistral's alternatives in order.
fn value_end(c: &[char], at: usize) -> Option<usize> {
    if at >= c.len() {
        return None;
    }
    for quote in ['"', '\''] {
        if c[at] == quote {
            if let Some(close) = (at + 1..c.len()).find(|&j| c[j] == quote) {
                return Some(skip_space(c, close + 1));
            }
        }
    }
    if let Some(end) =
        lazy_delimited(c, at, "<%", "%>").or_else(|| lazy_delimited(c, at, "{{", "}}"))
    {
        return Some(end);
    }
    if let Some(end) = greedy_delimited(c, at, "[", "]") {
        return Some(skip_space(c, end));
    }
    for word in ["true", "false", "null"] {
        if starts(c, at, word) {
            return Some(at + word.len());
        }
    }
    let digits = c[at..].iter().take_while(|ch| ch.is_ascii_digit()).count();
    (digits > 0).then_some(at + digits)
}

/// Quotes removed, else `json.loads` when it parses, else the text itself.
fn decode(raw: &str) -> Value {
    let v = raw.trim();
    if v.starts_with('"') || v.starts_with('\'') {
        let inner: Vec<char> = v.chars().collect();
        return Value::String(inner[1..inner.len() - 1].iter().collect());
    }
    serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(s: &str) -> Vec<(String, Value)> {
        parse(s)
            .unwrap()
            .params
            .into_iter()
            .map(|p| (p.name, p.value))
            .collect()
    }

    #[test]
    fn seed_forms() {
        let p = parse("int32bit.glance.images.filter_by name=<% $.image_name %> status='active'")
            .unwrap();
        assert_eq!(p.command, "int32bit.glance.images.filter_by");
        assert_eq!(
            params("x name=<% $.image_name %> status='active'"),
            vec![
                ("name".into(), json!("<% $.image_name %>")),
                ("status".into(), json!("active"))
            ]
        );
        assert_eq!(p.params[0].offset, 33);
    }

    #[test]
    fn literals_are_json_decoded() {
        assert_eq!(
            params(r#"std.echo a=1 b=true c=null d=[1, 2] e="x y" f={{ _.z }}"#),
            vec![
                ("a".into(), json!(1)),
                ("b".into(), json!(true)),
                ("c".into(), json!(null)),
                ("d".into(), json!([1, 2])),
                ("e".into(), json!("x y")),
                ("f".into(), json!("{{ _.z }}")),
            ]
        );
    }

    #[test]
    fn unmatched_values_are_dropped_like_mistral_does() {
        let p = parse("std.echo force=True output=1.5").unwrap();
        assert_eq!(
            p.dropped
                .iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>(),
            ["force"]
        );
        // `\d+` takes `1`, the rest is ignored.
        assert_eq!(
            p.params,
            vec![Param {
                name: "output".into(),
                value: json!(1),
                offset: 20
            }]
        );
    }

    #[test]
    fn no_space_means_no_params() {
        assert_eq!(parse("std.noop").unwrap().command, "std.noop");
        assert!(parse("=x y").is_none());
    }
}
