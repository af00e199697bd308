//! `kind: request`: one REST call the spec declares whole (method, path, query, a JSON
//! body template, the statuses that mean success, what to return), so an action such as
//! "delete this backup" needs no Rust.

use reqwest::Method;
use serde_json::{Map, Value};

use crate::{ActionError, Context};

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
