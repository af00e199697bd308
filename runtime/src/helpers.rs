//! The bodies of the declarative implementation kinds; generated code calls these with the
//! spec's constants and the typed inputs.

use std::fmt::{Display, Write as _};

use serde::Serialize;
use serde_json::Value;

use crate::{ActionError, Context};

mod request;
pub use request::{fill, placeholder, request, Request};

/// Percent-encodes one path segment (everything but RFC 3986 unreserved characters).
pub fn segment(value: impl Display) -> String {
    let raw = value.to_string();
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// An input as JSON (inputs always serialise).
pub fn json<T: Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// An input as text: strings bare, other values as JSON, null as `None`.
pub fn query_value<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    match json(value) {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

/// An input as one percent-encoded path segment.
pub fn path_arg<T: Serialize + ?Sized>(value: &T) -> String {
    segment(query_value(value).unwrap_or_default())
}

/// The value at a dotted path (`backup.status`); a segment that is not a key of an object
/// is taken as a key anyway (`OS-EXT-STS:power_state`).
pub fn field<'v>(value: &'v Value, dotted: &str) -> Option<&'v Value> {
    dotted.split('.').try_fold(value, |v, key| v.get(key))
}

pub(crate) fn missing_field(service: &str, path: &str, field: &str) -> ActionError {
    ActionError::Upstream {
        log: format!("{service} answered GET without `{field}`"),
        message: format!("{service} answered GET {path} without `{field}`"),
    }
}

/// `kind: get_field`: GET `path` and return the value at `field`.
pub async fn get_field(
    ctx: &Context,
    service: &str,
    path: &str,
    field_path: &str,
) -> Result<Value, ActionError> {
    let body = ctx.openstack()?.get(service, path, &[]).await?;
    field(&body, field_path)
        .cloned()
        .ok_or_else(|| missing_field(service, path, field_path))
}

/// Text of a value as the original tool printed it: strings bare, the rest as JSON.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `kind: assert_field`: GET `path`, return `true` when the value at `field` equals
/// `expected`, else fail with the original tool's message
/// (`backup status is 'error', expect 'available'`).
pub async fn assert_field(
    ctx: &Context,
    service: &str,
    path: &str,
    field_path: &str,
    expected: Value,
    subject: &str,
) -> Result<Value, ActionError> {
    let body = ctx.openstack()?.get(service, path, &[]).await?;
    let actual =
        field(&body, field_path).ok_or_else(|| missing_field(service, path, field_path))?;
    if *actual == expected {
        return Ok(Value::Bool(true));
    }
    let word = field_path.rsplit('.').next().unwrap_or(field_path);
    Err(ActionError::UnexpectedState(format!(
        "{subject} {word} is '{}', expect '{}'",
        shown(actual),
        shown(&expected)
    )))
}

/// `kind: list_filter` with `allow_empty`: GET `path` with the filters that have a value as
/// query parameters, follow next-page links, return the items at `items` (maybe none).
pub async fn list(
    ctx: &Context,
    service: &str,
    path: &str,
    items: &str,
    filters: &[(&str, Option<String>)],
) -> Result<Value, ActionError> {
    Ok(Value::Array(
        listed(ctx, service, path, items, &query(filters)).await?,
    ))
}

fn query<'a>(filters: &[(&'a str, Option<String>)]) -> Vec<(&'a str, String)> {
    filters
        .iter()
        .filter_map(|(k, v)| v.clone().map(|v| (*k, v)))
        .collect()
}

async fn listed(
    ctx: &Context,
    service: &str,
    path: &str,
    items: &str,
    query: &[(&str, String)],
) -> Result<Vec<Value>, ActionError> {
    ctx.openstack()?.get_all(service, path, query, items).await
}

/// `kind: list_filter`: [`list`], failing when there are none (so `retry:` can wait for
/// a match).
pub async fn list_filter(
    ctx: &Context,
    service: &str,
    path: &str,
    items: &str,
    filters: &[(&str, Option<String>)],
) -> Result<Value, ActionError> {
    let query = query(filters);
    let found = listed(ctx, service, path, items, &query).await?;
    if found.is_empty() {
        let shown: Vec<String> = query.iter().map(|(k, v)| format!("{k}='{v}'")).collect();
        return Err(ActionError::UnexpectedState(if shown.is_empty() {
            format!("no {items} found")
        } else {
            format!("no {items} match {}", shown.join(", "))
        }));
    }
    Ok(Value::Array(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded() {
        assert_eq!(segment("a b/c"), "a%20b%2Fc");
        assert_eq!(segment("0b0f5e0a-1f1c"), "0b0f5e0a-1f1c");
    }

    #[test]
    fn dotted_fields() {
        let v = serde_json::json!({"server": {"OS-EXT-STS:power_state": 1, "status": "ACTIVE"}});
        assert_eq!(field(&v, "server.status"), Some(&Value::from("ACTIVE")));
        assert_eq!(
            field(&v, "server.OS-EXT-STS:power_state"),
            Some(&Value::from(1))
        );
        assert_eq!(field(&v, "server.missing"), None);
    }
}
