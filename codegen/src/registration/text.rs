//! The `definition` and `spec` columns of a row written straight from the action: the
//! same bytes as the tests' JSON tree (`action_spec`) rendered by [`super::definition::yaml`] and
//! `python_json_dumps`, without building a JSON tree per action and walking it twice.
//! Every run makes a row per action (the SQL emitter compares them with the recorded
//! ones), so this is on the path of warm runs too. The tests hold the two ways equal.

use serde_json::Value;

use mistral_actions_contract::{header, route, EnvKey, ENV_KEYS};

use super::definition::{key, map_lines, quoted, scalar};
use super::{description, env_value, tags, TIMEOUT_SECONDS};
use crate::model::{Action, Project};
use crate::signature::{write_string, write_value};

/// `(name, value)` of every header a registration sends, `Content-Type` first.
pub(super) fn headers(project: &Project) -> Vec<(&'static str, String)> {
    let mut out = vec![("Content-Type", "application/json".to_string())];
    for k in ENV_KEYS {
        let Some(name) = k.header else { continue };
        let value = env_value(project, &k);
        let value = if name == header::AUTHORIZATION {
            format!("{} {value}", header::BEARER)
        } else {
            value
        };
        out.push((name, value));
    }
    out
}

/// The `definition` (YAML) and `spec` (JSON) columns of `action`'s row.
pub fn definition_and_spec(project: &Project, action: &Action) -> (String, String) {
    let description = description(action);
    let tags = tags(action);
    let url = format!(
        "{}{}",
        env_value(project, &EnvKey::URL),
        route::action(&action.name)
    );
    let headers = headers(project);
    (
        definition(action, &description, &tags, &url, &headers),
        spec(action, &description, &tags, &url, &headers),
    )
}

fn definition(
    action: &Action,
    description: &str,
    tags: &[String],
    url: &str,
    headers: &[(&str, String)],
) -> String {
    let mut y = String::with_capacity(1024);
    y.push_str("version: '2.0'\n");
    y.push_str(&key(&action.name));
    y.push_str(":\n  description: ");
    y.push_str(&quoted(description));
    y.push_str("\n  tags:\n");
    for t in tags {
        y.push_str("    - ");
        y.push_str(&quoted(t));
        y.push('\n');
    }
    y.push_str("  base: \"std.http\"\n  base-input:\n    url: ");
    y.push_str(&quoted(url));
    y.push_str("\n    method: \"POST\"\n    headers:\n");
    for (name, value) in headers {
        y.push_str("      ");
        y.push_str(&key(name));
        y.push_str(": ");
        y.push_str(&quoted(value));
        y.push('\n');
    }
    if action.inputs.is_empty() {
        y.push_str("    body: {}\n");
    } else {
        y.push_str("    body:\n");
        for i in &action.inputs {
            y.push_str("      ");
            y.push_str(&key(&i.name));
            y.push_str(": ");
            y.push_str(&quoted(&format!("<% $.{} %>", i.name)));
            y.push('\n');
        }
    }
    y.push_str(&format!("    timeout: {TIMEOUT_SECONDS}\n"));
    if action.inputs.is_empty() {
        y.push_str("  input: []\n");
    } else {
        y.push_str("  input:\n");
        for i in &action.inputs {
            y.push_str("    - ");
            match &i.default {
                None => {
                    y.push_str(&quoted(&i.name));
                    y.push('\n');
                }
                Some(default) => {
                    let mut item = serde_json::Map::new();
                    item.insert(i.name.clone(), default.clone());
                    map_lines(&mut y, 6, &item);
                }
            }
        }
    }
    y.push_str("  output: ");
    y.push_str(&scalar(&Value::String("<% $.content.result %>".into())));
    y.push('\n');
    y
}

fn spec(
    action: &Action,
    description: &str,
    tags: &[String],
    url: &str,
    headers: &[(&str, String)],
) -> String {
    let mut j = String::with_capacity(1024);
    j.push_str("{\"description\": ");
    write_string(&mut j, description);
    j.push_str(", \"tags\": [");
    for (n, t) in tags.iter().enumerate() {
        if n > 0 {
            j.push_str(", ");
        }
        write_string(&mut j, t);
    }
    j.push_str("], \"base\": \"std.http\", \"base-input\": {\"url\": ");
    write_string(&mut j, url);
    j.push_str(", \"method\": \"POST\", \"headers\": {");
    for (n, (name, value)) in headers.iter().enumerate() {
        if n > 0 {
            j.push_str(", ");
        }
        write_string(&mut j, name);
        j.push_str(": ");
        write_string(&mut j, value);
    }
    j.push_str("}, \"body\": {");
    for (n, i) in action.inputs.iter().enumerate() {
        if n > 0 {
            j.push_str(", ");
        }
        write_string(&mut j, &i.name);
        j.push_str(": ");
        write_string(&mut j, &format!("<% $.{} %>", i.name));
    }
    j.push_str(&format!(
        "}}, \"timeout\": {TIMEOUT_SECONDS}}}, \"input\": ["
    ));
    for (n, i) in action.inputs.iter().enumerate() {
        if n > 0 {
            j.push_str(", ");
        }
        match &i.default {
            None => write_string(&mut j, &i.name),
            Some(default) => {
                j.push('{');
                write_string(&mut j, &i.name);
                j.push_str(": ");
                write_value(&mut j, default);
                j.push('}');
            }
        }
    }
    j.push_str("], \"output\": \"<% $.content.result %>\", \"name\": ");
    write_string(&mut j, &action.name);
    j.push_str(", \"version\": \"2.0\"}");
    j
}
