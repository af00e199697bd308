//! Where a workflow hands one of its inputs, unchanged, to a typed input of an action of
//! the specs (`action: int32bit.cinder.backups.create volume_id=<% $.volume_id %>`). A
//! literal given to such a workflow input (by a schedule) must then be of that type.

use std::collections::BTreeMap;

use serde_json::Value;

use super::inline;
use crate::model::{Action, InputType, Workflow};

/// One typed action input a workflow input flows into.
#[derive(Debug, Clone)]
pub struct TypedUse<'a> {
    pub task: String,
    pub action: &'a Action,
    pub param: String,
    pub ty: InputType,
    pub required: bool,
    pub enum_values: Option<&'a Vec<Value>>,
}

/// The name `x` when `text` is exactly `<% $.x %>` or `{{ _.x }}` (spaces aside).
fn straight_reference(text: &str) -> Option<&str> {
    let t = text.trim();
    let inner = t
        .strip_prefix("<%")
        .and_then(|r| r.strip_suffix("%>"))
        .and_then(|r| r.trim().strip_prefix("$."))
        .or_else(|| {
            t.strip_prefix("{{")
                .and_then(|r| r.strip_suffix("}}"))
                .and_then(|r| r.trim().strip_prefix("_."))
        })?
        .trim();
    let mut chars = inner.chars();
    let ident = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    ident.then_some(inner)
}

/// For each input of `workflow`, the typed action inputs it is handed to unchanged.
/// Tasks with `with-items` are skipped (their expressions may name the item, not the
/// input), as are inputs the workflow also publishes or declares as `vars`, whose value
/// may no longer be the one given.
pub fn typed_uses<'a>(
    workflow: &Workflow,
    actions: &BTreeMap<&str, &'a Action>,
) -> BTreeMap<String, Vec<TypedUse<'a>>> {
    let mut out: BTreeMap<String, Vec<TypedUse<'a>>> = BTreeMap::new();
    let body = &workflow.definition;
    let Some(tasks) = body.get("tasks").and_then(Value::as_object) else {
        return out;
    };
    let mut rebound: Vec<&str> = body
        .get("vars")
        .and_then(Value::as_object)
        .map(|v| v.keys().map(String::as_str).collect())
        .unwrap_or_default();
    for task in tasks.values() {
        if let Some(p) = task.get("publish").and_then(Value::as_object) {
            rebound.extend(p.keys().map(String::as_str));
        }
    }
    for (task_name, task) in tasks {
        if task.get("with-items").is_some() {
            continue;
        }
        let Some(call) = task.get("action").and_then(Value::as_str) else {
            continue;
        };
        let Some(parsed) = inline::parse(call) else {
            continue;
        };
        let Some(&callee) = actions.get(parsed.command.as_str()) else {
            continue;
        };
        let given = parsed.params.iter().map(|p| (p.name.as_str(), &p.value));
        let under_input = task
            .get("input")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v));
        for (param, value) in given.chain(under_input) {
            let Some(name) = value.as_str().and_then(straight_reference) else {
                continue;
            };
            let is_input = workflow.inputs.iter().any(|i| i.name == name);
            let Some(input) = callee.input(param) else {
                continue;
            };
            if !is_input || rebound.contains(&name) || input.ty == InputType::Any {
                continue;
            }
            out.entry(name.to_string()).or_default().push(TypedUse {
                task: task_name.clone(),
                action: callee,
                param: param.to_string(),
                ty: input.ty,
                required: input.required(),
                enum_values: input.enum_values.as_ref(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::straight_reference;

    #[test]
    fn only_a_bare_input_reference_is_straight() {
        assert_eq!(straight_reference("<% $.volume_id %>"), Some("volume_id"));
        assert_eq!(straight_reference(" <%$.v%> "), Some("v"));
        assert_eq!(straight_reference("{{ _.v }}"), Some("v"));
        assert_eq!(straight_reference("<% $.v.id %>"), None);
        assert_eq!(straight_reference("<% $.v + 1 %>"), None);
        assert_eq!(straight_reference("x <% $.v %>"), None);
        assert_eq!(straight_reference("<% task(a).result %>"), None);
    }
}
