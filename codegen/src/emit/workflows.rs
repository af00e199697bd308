//! `generated/workflows/<name>.yaml`: one file per workflow, ready for
//! `mistral workflow-create`. Canonical: DSL keys in a fixed order ([`WORKFLOW_ORDER`],
//! [`TASK_ORDER`]), user keys (inputs, publish, tasks) in spec order, quoting decided by
//! the YAML emitter, so the same specs always give the same bytes. Every workflow carries
//! the owner tag ([`OWNER_TAG`], sorted in with its own tags): these files are the text
//! `mistral-actions apply` uploads, and the tag is how it knows the workflows it made.

use mistral_actions_contract::OWNER_TAG;
use serde_json::{Map, Value};
use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlEmitter};

use super::DO_NOT_EDIT;
use crate::model::{Model, Workflow};
use crate::output::{FileSet, List, Picked};
use crate::prior::Prior;
use crate::Error;

pub const DIR: &str = "workflows";

/// Workflow keys in the order the generated files use.
const WORKFLOW_ORDER: &[&str] = &[
    "type",
    "description",
    "tags",
    "input",
    "output",
    "output-on-error",
    "vars",
    "task-defaults",
    "tasks",
];

/// Task (and `task-defaults`) keys in the order the generated files use.
const TASK_ORDER: &[&str] = &[
    "description",
    "tags",
    "action",
    "workflow",
    "input",
    "with-items",
    "concurrency",
    "target",
    "join",
    "requires",
    "pause-before",
    "wait-before",
    "wait-after",
    "timeout",
    "retry",
    "fail-on",
    "keep-result",
    "safe-rerun",
    "publish",
    "publish-on-error",
    "publish-on-skip",
    "on-success",
    "on-error",
    "on-complete",
    "on-skip",
];

pub fn path(name: &str) -> String {
    format!("{DIR}/{name}.yaml")
}

pub fn emit(model: &Model, _prior: &Prior) -> Result<FileSet, Error> {
    let mut set = FileSet::default();
    let workflows = List::of(&model.workflows);
    for (i, w) in model.workflows.iter().enumerate() {
        set.render(
            path(&w.name),
            workflows.pick(vec![i]),
            |one: &Picked<Workflow>, out| {
                one.iter()
                    .try_for_each(|w| out.write_all(render(w).as_bytes()))
            },
        );
    }
    Ok(set)
}

/// The file for one workflow: header, `version: "2.0"`, the workflow under its name.
pub fn render(w: &Workflow) -> String {
    let mut doc = Hash::new();
    doc.insert(Yaml::String("version".into()), Yaml::String("2.0".into()));
    doc.insert(
        Yaml::String(w.name.clone()),
        to_yaml(&canonical(&w.definition)),
    );
    let mut body = String::new();
    let mut emitter = YamlEmitter::new(&mut body);
    emitter.multiline_strings(true);
    emitter
        .dump(&Yaml::Hash(doc))
        .expect("writing YAML into a String cannot fail");
    let body = body.strip_prefix("---\n").unwrap_or(&body);
    format!(
        "# {DO_NOT_EDIT}\n# Source: {} (workflow `{}`)\n{body}\n",
        w.origin.file, w.name
    )
}

/// The workflow body with DSL keys in the order above: the workflow's own, those of
/// `task-defaults` and of every task.
fn canonical(definition: &Value) -> Value {
    let Value::Object(body) = definition else {
        return definition.clone();
    };
    let mut body = body.clone();
    let mut tags: Vec<Value> = match body.get("tags") {
        Some(Value::Array(tags)) => tags.clone(),
        _ => Vec::new(),
    };
    tags.push(Value::String(OWNER_TAG.to_string()));
    tags.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    tags.dedup();
    body.insert("tags".into(), Value::Array(tags));
    let mut body = ordered(&body, WORKFLOW_ORDER);
    if let Some(Value::Object(defaults)) = body.get_mut("task-defaults") {
        *defaults = ordered(defaults, TASK_ORDER);
    }
    if let Some(Value::Object(tasks)) = body.get_mut("tasks") {
        for task in tasks.values_mut() {
            if let Value::Object(t) = task {
                *t = ordered(t, TASK_ORDER);
            }
        }
    }
    Value::Object(body)
}

/// `map` with the keys of `order` first, in that order, then the others as they were.
fn ordered(map: &Map<String, Value>, order: &[&str]) -> Map<String, Value> {
    let rank = |k: &str| order.iter().position(|o| *o == k).unwrap_or(order.len());
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by_key(|(k, _)| rank(k));
    entries
        .into_iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn to_yaml(v: &Value) -> Yaml {
    match v {
        Value::Null => Yaml::Null,
        Value::Bool(b) => Yaml::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Yaml::Integer(i),
            // serde_json keeps `2.0` as `2.0`, so a float stays a float.
            None => Yaml::Real(n.to_string()),
        },
        Value::String(s) => Yaml::String(s.clone()),
        Value::Array(items) => Yaml::Array(items.iter().map(to_yaml).collect()),
        Value::Object(map) => Yaml::Hash(
            map.iter()
                .map(|(k, v)| (Yaml::String(k.clone()), to_yaml(v)))
                .collect(),
        ),
    }
}
