//! What Mistral stores for each action: the `action_definitions_v2` row that registers it,
//! as Mistral's own `adhoc_actions.create_or_update_actions` writes it for an equivalent
//! ad-hoc action (`fixtures/mistral/reference-adhoc-row.json`), pointing at the action
//! server. The SQL emitter writes these rows; `cargo xtask action-list` compares a live
//! Mistral's with them.

mod definition;
mod text;

use mistral_actions_contract::{EnvDefault, EnvKey};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::model::{Action, Project};
use crate::signature::python_json_dumps;
use crate::Error;

/// The tag that marks a row as ours: SQL only ever changes rows carrying it.
pub use mistral_actions_contract::OWNER_TAG;
/// What Mistral writes for actions created without Keystone auth: visible to every project.
pub const PROJECT_ID: &str = "<default-project>";
pub const SCOPE: &str = "public";
/// Mistral's std.http gives up after this long; the action server has its own deadlines.
pub const TIMEOUT_SECONDS: u64 = 600;

/// The columns that carry the action; the rest are constants or the database's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Mistral writes NULL, not `""`, for an action without inputs.
    pub input: Option<String>,
    /// JSON list, as Python's `json.dumps` writes it.
    pub tags: String,
    /// The action's YAML, as it would be posted to `/v2/actions`.
    pub definition: String,
    /// The parsed definition as JSON, plus `name` and `version`.
    pub spec: String,
}

impl Row {
    pub fn texts(&self) -> [(&'static str, Option<&str>); 7] {
        [
            ("id", Some(&self.id)),
            ("name", Some(&self.name)),
            ("description", Some(&self.description)),
            ("input", self.input.as_deref()),
            ("tags", Some(&self.tags)),
            ("definition", Some(&self.definition)),
            ("spec", Some(&self.spec)),
        ]
    }
}

/// The deterministic id of an action's row: UUIDv5 of its name in our own namespace, so
/// every database and every run agree on it.
pub fn row_id(name: &str) -> String {
    let namespace = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        b"https://github.com/int32bit/mistral-actions#action_definitions_v2",
    );
    uuid::Uuid::new_v5(&namespace, name.as_bytes()).to_string()
}

/// The tags column: the spec's tags plus ours, sorted.
pub fn tags(action: &Action) -> Vec<String> {
    let mut tags = action.tags.clone();
    tags.push(OWNER_TAG.to_string());
    tags.sort();
    tags.dedup();
    tags
}

/// The YAQL that reads `key` from the execution's environment, with its default.
fn env_value(project: &Project, key: &EnvKey) -> String {
    let default = match key.default {
        EnvDefault::ServerUrl => project.server_url.replace('\'', "\\'"),
        EnvDefault::Empty => String::new(),
    };
    format!("<% env().get('{}', '{default}') %>", key.name)
}

fn description(action: &Action) -> String {
    action.description.trim_end().to_string()
}

/// The registration row of `action`. NUL cannot be stored by PostgreSQL and is mangled by
/// YAML tools, so it is refused here even though the spec reader rejects it first.
pub fn registration(project: &Project, action: &Action) -> Result<Row, Error> {
    let (definition, spec) = text::definition_and_spec(project, action);
    let signature = action.signature();
    let row = Row {
        id: row_id(&action.name),
        name: action.name.clone(),
        description: description(action),
        input: (!signature.is_empty()).then_some(signature),
        tags: python_json_dumps(&json!(tags(action))),
        definition,
        spec,
    };
    if let Some((column, _)) = row
        .texts()
        .into_iter()
        .find(|(_, t)| t.is_some_and(|t| t.contains('\0')))
    {
        return Err(Error::State(format!(
            "{}: action {} would put a NUL character into column `{column}`, which PostgreSQL cannot store; remove it from the spec",
            action.origin.file,
            action.name
        )));
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mistral_actions_contract::route;
    use serde_json::{Map, Value};

    /// The spec of the ad-hoc action, in the key order of its YAML (Mistral keeps that order
    /// in `spec`), without `name` and `version`: built as a JSON tree, the reference
    /// [`text`] is held to.
    fn action_spec(project: &Project, action: &Action) -> Map<String, Value> {
        let url = format!(
            "{}{}",
            env_value(project, &EnvKey::URL),
            route::action(&action.name)
        );
        let body: Map<String, Value> = action
            .inputs
            .iter()
            .map(|i| (i.name.clone(), Value::String(format!("<% $.{} %>", i.name))))
            .collect();
        let input: Vec<Value> = action
            .inputs
            .iter()
            .map(|i| match &i.default {
                None => Value::String(i.name.clone()),
                Some(default) => json!({ i.name.clone(): default.clone() }),
            })
            .collect();
        let mut spec = Map::new();
        spec.insert("description".into(), Value::String(description(action)));
        spec.insert("tags".into(), json!(tags(action)));
        spec.insert("base".into(), json!("std.http"));
        let headers: Map<String, Value> = text::headers(project)
            .into_iter()
            .map(|(name, value)| (name.to_string(), Value::String(value)))
            .collect();
        spec.insert(
            "base-input".into(),
            json!({
                "url": url,
                "method": "POST",
                "headers": headers,
                "body": body,
                "timeout": TIMEOUT_SECONDS,
            }),
        );
        spec.insert("input".into(), Value::Array(input));
        spec.insert("output".into(), json!("<% $.content.result %>"));
        spec
    }

    /// The columns as [`action_spec`] and the JSON tree make them: the reference the
    /// direct writer ([`text`]) is held to.
    fn reference(project: &Project, action: &Action) -> (String, String) {
        let spec = action_spec(project, action);
        let definition = definition::yaml(&action.name, &spec);
        let mut full = spec;
        full.insert("name".into(), Value::String(action.name.clone()));
        full.insert("version".into(), json!("2.0"));
        (definition, python_json_dumps(&Value::Object(full)))
    }

    fn check(root: &std::path::Path) -> usize {
        let (model, _) = crate::spec::load(root).unwrap();
        for a in model.actions.iter() {
            let got = text::definition_and_spec(&model.project, a);
            assert_eq!(got, reference(&model.project, a), "{}", a.name);
        }
        model.actions.len()
    }

    #[test]
    fn rows_are_written_as_the_json_tree_renders_them() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        assert!(check(&root) > 10);
        let dir = tempfile::tempdir().unwrap();
        crate::synthetic::write(dir.path(), 60, 0).unwrap();
        assert_eq!(check(dir.path()), 60);
    }

    #[test]
    fn odd_defaults_and_texts_are_written_as_the_json_tree_renders_them() {
        let dir = tempfile::tempdir().unwrap();
        let specs = dir.path().join("specs/actions");
        std::fs::create_dir_all(&specs).unwrap();
        std::fs::write(
            dir.path().join("specs/project.yaml"),
            "prefix: odd\nserver_url: \"http://it's:1/x\"\n",
        )
        .unwrap();
        let spec = r#"actions:
  none:
    description: "No inputs \"at all\" \\ é 😀\ttab  \n\nSecond."
    implementation: {kind: get_field, service: image, path: /x, field: y}
  all:
    description: Defaults of every kind.
    tags: [z, "a b", é]
    inputs:
      - {name: on, type: boolean, default: true}
      - {name: obj, type: object, default: {k: [1, "x", {deep: null}], e: {}, l: []}}
      - {name: arr, type: array, default: [[1, 2], {a: b}, []]}
      - {name: num, type: number, default: 1.0e+20}
      - {name: neg, type: integer, default: -7}
      - {name: text, type: string, default: "quote\" back\\ \u00a0 \ufffe"}
      - {name: nothing, type: string, default: null}
      - {name: need, type: uuid, required: true}
    implementation: {kind: get_field, service: image, path: "/x/{need}", field: y}
"#;
        std::fs::write(specs.join("odd.yaml"), spec).unwrap();
        assert_eq!(check(dir.path()), 2);
    }
}
