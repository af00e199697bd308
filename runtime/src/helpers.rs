//! The bodies of the declarative implementation kinds (`get_field`, `assert_field`,
//! `list_filter`, `request`); generated code calls these with the spec's constants and the
//! typed inputs.

use std::fmt::{Display, Write as _};

use reqwest::Method;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{ActionError, Context};

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

// `kind: request`: one REST call the spec declares whole (method, path, query, a JSON
// body template, the statuses that mean success, what to return), so an action such as
// "delete this backup" needs no Rust.

/// What the generated handler passes: the spec's constants and the inputs' values.
pub struct Request<'a> {
    /// Catalog service type (`volumev3`).
    pub service: &'a str,
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: &'a str,
    /// The path with the inputs already in it.
    pub path: &'a str,
    /// Query parameters; `None` (a null input) is left out.
    pub query: &'a [(&'a str, Option<String>)],
    /// The body template as JSON text: every `{"input": NAME}` is replaced by that input's
    /// value, and left out of its object when the value is null.
    pub body: Option<&'a str>,
    /// The value of each input the body names.
    pub values: &'a [(&'a str, Value)],
    /// The statuses that mean success.
    pub expect: &'a [u16],
    /// `status`, `none`, or a JSON pointer into the answer (`/image_id`).
    pub result: &'a str,
}

/// Sends the request and returns what `result` says. An error status is the service's
/// error (a 404 "not found" included), as for the other kinds; a success status the spec
/// does not expect is an error naming it.
pub async fn request(ctx: &Context, r: Request<'_>) -> Result<Value, ActionError> {
    let word = r.method;
    let method = method(word)?;
    let query: Vec<(&str, String)> = r
        .query
        .iter()
        .filter_map(|(k, v)| v.clone().map(|v| (*k, v)))
        .collect();
    let body = match r.body {
        Some(template) => Some(fill(&parse_template(template)?, r.values)),
        None => None,
    };
    let (status, answer) = ctx
        .openstack()?
        .request_with_status(method, r.service, r.path, &query, body.as_ref())
        .await?;
    let method = word;
    if !r.expect.contains(&status) {
        let expected: Vec<String> = r.expect.iter().map(u16::to_string).collect();
        return Err(ActionError::Upstream {
            log: format!(
                "{} answered {status} to {method}, not {}",
                r.service,
                expected.join(" or ")
            ),
            message: format!(
                "{} answered {status} to {method} {}; the action expects {}",
                r.service,
                r.path,
                expected.join(" or ")
            ),
        });
    }
    match r.result {
        "status" => Ok(Value::from(status)),
        "none" => Ok(Value::Null),
        pointer => answer
            .pointer(pointer)
            .cloned()
            .ok_or_else(|| ActionError::Upstream {
                log: format!("{} answered {method} without `{pointer}`", r.service),
                message: format!(
                    "{} answered {method} {} without `{pointer}`",
                    r.service, r.path
                ),
            }),
    }
}

fn method(word: &str) -> Result<Method, ActionError> {
    match word {
        "GET" => Ok(Method::GET),
        "POST" => Ok(Method::POST),
        "PUT" => Ok(Method::PUT),
        "PATCH" => Ok(Method::PATCH),
        "DELETE" => Ok(Method::DELETE),
        other => Err(ActionError::Config(format!(
            "the generated action asks for method {other}, which the runtime does not send"
        ))),
    }
}

fn parse_template(template: &str) -> Result<Value, ActionError> {
    serde_json::from_str(template).map_err(|e| {
        ActionError::Config(format!(
            "the generated action's body template is not JSON: {e}"
        ))
    })
}

/// The input a template leaf names, when the leaf is `{"input": NAME}`.
pub fn placeholder(v: &Value) -> Option<&str> {
    match v {
        Value::Object(m) if m.len() == 1 => m.get("input")?.as_str(),
        _ => None,
    }
}

/// `template` with every placeholder replaced by its value; a placeholder whose value is
/// null (an optional input not given) is left out of its object.
pub fn fill(template: &Value, values: &[(&str, Value)]) -> Value {
    let value_of = |name: &str| {
        values
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(Value::Null, |(_, v)| v.clone())
    };
    if let Some(name) = placeholder(template) {
        return value_of(name);
    }
    match template {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                let filled = fill(v, values);
                if filled.is_null() && placeholder(v).is_some() {
                    continue;
                }
                out.insert(k.clone(), filled);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| fill(v, values)).collect()),
        literal => literal.clone(),
    }
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

#[cfg(test)]
mod request_tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn placeholders_are_filled_and_null_ones_left_out() {
        let template = json!({"createBackup": {
            "name": {"input": "name"},
            "backup_type": {"input": "backup_type"},
            "rotation": {"input": "rotation"},
            "metadata": {"input": "metadata"},
            "fixed": [1, {"input": "name"}],
        }});
        let values = [
            ("name", json!("nightly")),
            ("backup_type", json!("daily")),
            ("rotation", json!(2)),
            ("metadata", Value::Null),
        ];
        assert_eq!(
            fill(&template, &values),
            json!({"createBackup": {
                "name": "nightly", "backup_type": "daily", "rotation": 2,
                "fixed": [1, "nightly"],
            }})
        );
    }

    #[test]
    fn only_a_one_key_input_object_is_a_placeholder() {
        assert_eq!(placeholder(&json!({"input": "x"})), Some("x"));
        assert_eq!(placeholder(&json!({"input": "x", "y": 1})), None);
        assert_eq!(placeholder(&json!({"input": 1})), None);
        assert_eq!(placeholder(&json!("input")), None);
    }
}
