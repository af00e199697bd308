//! Typed inputs: strict parsing of the JSON body Mistral sends, and the value types the
//! generated input structs use.

use std::fmt;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::ActionError;

/// Parses an action's input; errors name the offending input.
///
/// Generated structs deny unknown fields, so serde's own messages already name unknown and
/// missing inputs; `serde_path_to_error` adds the input name to type errors.
pub fn parse<T: DeserializeOwned>(value: Value) -> Result<T, ActionError> {
    if !value.is_object() {
        return Err(ActionError::BadInput(format!(
            "the input must be a JSON object, not {}",
            json_kind(&value)
        )));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            ActionError::BadInput(inner.to_string())
        } else {
            ActionError::BadInput(format!("input `{path}`: {inner}"))
        }
    })
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
        "input `{name}`: {v} is not one of {}",
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
        Uuid::parse(&s).ok_or_else(|| D::Error::custom(format!("'{s}' is not a UUID")))
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
