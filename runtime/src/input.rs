//! Typed inputs: strict parsing of the JSON body Mistral sends, and the value types the
//! generated input structs use.

use std::fmt;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::ActionError;

/// Parses an action's input; errors name the offending input and the type it expects.
///
/// Generated structs deny unknown fields, so serde's own messages already name unknown and
/// missing inputs; `serde_path_to_error` gives the input of a type error. serde's text of a
/// type error quotes the value (``invalid type: string "…", expected a boolean``), and the
/// message is logged: [`describe`] says what came by its JSON type only.
pub fn parse<T: DeserializeOwned>(value: Value) -> Result<T, ActionError> {
    if !value.is_object() {
        return Err(ActionError::BadInput(format!(
            "the input must be a JSON object, not {}",
            json_kind(&value)
        )));
    }
    serde_path_to_error::deserialize(&value).map_err(|e| {
        let at = value_at(&value, e.path());
        let path = e.path().to_string();
        let text = e.into_inner().to_string();
        ActionError::BadInput(describe(&path, &text, at))
    })
}

/// The value a `serde_path_to_error` path points at.
fn value_at<'v>(value: &'v Value, path: &serde_path_to_error::Path) -> Option<&'v Value> {
    use serde_path_to_error::Segment;
    path.iter().try_fold(value, |v, segment| match segment {
        Segment::Map { key } => v.get(key),
        Segment::Seq { index } => v.get(index),
        _ => None,
    })
}

/// A message from serde's, without the value it quotes. What follows the last
/// `, expected ` is the Rust type's own description (the value comes before it, and may
/// hold that text too).
fn describe(path: &str, serde_text: &str, value: Option<&Value>) -> String {
    let at_input = !(path.is_empty() || path == ".");
    let expected = serde_text
        .rsplit_once(", expected ")
        .map(|(_, e)| readable_type(e));
    let quotes_value = [
        "invalid type:",
        "invalid value:",
        "invalid length",
        "unknown variant",
    ]
    .iter()
    .any(|p| serde_text.starts_with(p));
    if !quotes_value {
        // `missing field `x``, `unknown field `x`, expected …`, `duplicate field`: names
        // only. Anything else (a custom message) is not trusted to be value-free.
        let known = ["missing field `", "unknown field `", "duplicate field `"]
            .iter()
            .any(|p| serde_text.starts_with(p));
        return match (known, at_input) {
            (true, true) => format!("input `{path}`: {serde_text}"),
            (true, false) => serde_text.to_string(),
            (false, true) => format!("input `{path}`: not accepted"),
            (false, false) => "the input is not accepted".to_string(),
        };
    }
    let got = match (serde_text.starts_with("invalid type:"), value) {
        (true, Some(v)) => format!(", got {}", json_kind(v)),
        _ => String::new(),
    };
    let expected = expected.unwrap_or("another value");
    if at_input {
        format!("input `{path}`: expected {expected}{got}")
    } else {
        format!("expected {expected}{got}")
    }
}

/// serde names Rust's numeric types; callers write JSON.
fn readable_type(expected: &str) -> &str {
    match expected {
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" => {
            "an integer"
        }
        "f32" | "f64" => "a number",
        other => other,
    }
}

/// Fails unless the input `name` is one of `allowed` (a JSON array); for `enum` inputs
/// that are not strings (string ones become Rust enums). `null` passes: it means unset.
pub fn one_of<T: Serialize + ?Sized>(
    name: &str,
    value: &T,
    allowed: &str,
) -> Result<(), ActionError> {
    let v = serde_json::to_value(value).unwrap_or(Value::Null);
    let allowed: Vec<Value> = serde_json::from_str(allowed).unwrap_or_default();
    if v.is_null() || allowed.contains(&v) {
        return Ok(());
    }
    Err(ActionError::BadInput(format!(
        "input `{name}`: expected one of {}",
        Value::Array(allowed)
    )))
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A UUID in the canonical 8-4-4-4-12 hex form (the one OpenStack APIs return).
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Uuid(String);

impl Uuid {
    pub fn parse(s: &str) -> Option<Uuid> {
        let groups: Vec<&str> = s.split('-').collect();
        let ok = groups.len() == 5
            && groups
                .iter()
                .zip([8, 4, 4, 4, 12])
                .all(|(g, n)| g.len() == n && g.bytes().all(|c| c.is_ascii_hexdigit()));
        ok.then(|| Uuid(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Uuid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Uuid::parse(&s).ok_or_else(|| {
            D::Error::invalid_value(
                serde::de::Unexpected::Str(&s),
                &"a UUID (8-4-4-4-12 hex digits)",
            )
        })
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// A value that must never reach a log: `Debug` and `Display` print `<redacted>`.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// The value itself; call sites are the places to audit.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Input {
        id: Uuid,
        #[serde(default)]
        count: Option<i64>,
        token: Option<Secret<String>>,
    }

    #[test]
    fn errors_name_the_input() {
        let e = parse::<Input>(serde_json::json!({"id": "x"})).unwrap_err();
        assert!(e.to_string().contains("input `id`"), "{e}");
        let e = parse::<Input>(
            serde_json::json!({"id": "0b0f5e0a-1f1c-4c1e-9d2e-0a0b0c0d0e0f", "count": "3"}),
        )
        .unwrap_err();
        assert!(e.to_string().contains("input `count`"), "{e}");
        let e = parse::<Input>(serde_json::json!({"idx": 1})).unwrap_err();
        assert!(e.to_string().contains("unknown field `idx`"), "{e}");
        let e = parse::<Input>(serde_json::json!({})).unwrap_err();
        assert!(e.to_string().contains("missing field `id`"), "{e}");
        let e = parse::<Input>(serde_json::json!([1])).unwrap_err();
        assert!(e.to_string().contains("JSON object"), "{e}");
    }

    #[test]
    fn errors_never_quote_the_value() {
        const MARK: &str = "m4rk\"er, expected a boolean\nforged";
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Typed {
            flag: Option<bool>,
            id: Option<Uuid>,
            n: Option<i64>,
        }
        for (input, want) in [
            (
                serde_json::json!({"flag": MARK}),
                "input `flag`: expected a boolean, got a string",
            ),
            (
                serde_json::json!({"id": MARK}),
                "input `id`: expected a UUID (8-4-4-4-12 hex digits)",
            ),
            (
                serde_json::json!({"n": MARK}),
                "input `n`: expected an integer, got a string",
            ),
            (
                serde_json::json!({"n": [MARK]}),
                "input `n`: expected an integer, got an array",
            ),
        ] {
            let e = parse::<Typed>(input).unwrap_err().to_string();
            assert_eq!(e, want);
        }
        let e = one_of("level", &MARK, r#"["low", "high"]"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"input `level`: expected one of ["low","high"]"#
        );
    }

    #[test]
    fn secrets_are_redacted() {
        let i: Input = parse(serde_json::json!({
            "id": "0b0f5e0a-1f1c-4c1e-9d2e-0a0b0c0d0e0f", "token": "hunter2"
        }))
        .unwrap();
        let shown = format!("{i:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("<redacted>"),
            "{shown}"
        );
        assert_eq!(i.token.unwrap().expose(), "hunter2");
    }
}
