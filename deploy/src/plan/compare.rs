//! What differs between one resource of the tree and the one Mistral lists, as the
//! [`Change`]s a plan shows. Values the tree reads when applying are shown as where they
//! come from; values Mistral holds for environments are never shown (they may be
//! secrets someone wrote).

use mistral_actions_cron::{DateTime, Pattern};
use serde_json::{Map, Value};

use super::Change;
use crate::listed::{ListedAction, ListedEnvironment, ListedTrigger, ListedWorkflow};
use crate::secrets::Resolved;
use crate::tree::{ActionSpec, EnvironmentSpec, Settings, TriggerSpec, WorkflowSpec};

/// Mistral refuses a `first_execution_time` less than 60 s ahead; apply gives itself 30 s
/// more to reach the request.
pub const FIRST_TIME_MARGIN: i64 = 90;

fn shown(v: &Value) -> String {
    v.to_string()
}

fn field(name: &str, old: Option<String>, new: Option<String>) -> Change {
    Change::Field {
        field: name.to_string(),
        old,
        new,
    }
}

/// The variables apply sends: the literals (with the ownership mark) and every value
/// read when applying.
pub fn environment_variables(spec: &EnvironmentSpec, resolved: &Resolved) -> Map<String, Value> {
    let mut vars = spec.variables.clone();
    for name in spec.resolve_when_applying.keys() {
        if let Some(v) = resolved.get(&spec.name, name) {
            vars.insert(name.clone(), Value::String(v.to_string()));
        }
    }
    vars
}

/// How a variable of the tree is shown: a literal as JSON, a value read when applying as
/// where it comes from.
fn variable_shown(spec: &EnvironmentSpec, name: &str, value: &Value) -> String {
    match spec.resolve_when_applying.get(name) {
        Some(reference) => reference.to_string(),
        None => shown(value),
    }
}

pub fn environment_created(spec: &EnvironmentSpec, resolved: &Resolved) -> Vec<Change> {
    let mut changes = vec![
        field(
            "description",
            None,
            Some(shown(&spec.description.clone().into())),
        ),
        field("scope", None, Some(spec.scope.clone())),
    ];
    for (name, value) in &environment_variables(spec, resolved) {
        changes.push(field(
            &format!("variables.{name}"),
            None,
            Some(variable_shown(spec, name, value)),
        ));
    }
    changes
}

pub fn environment(
    spec: &EnvironmentSpec,
    resolved: &Resolved,
    listed: &ListedEnvironment,
) -> Vec<Change> {
    let mut changes = Vec::new();
    if listed.description.as_deref() != Some(spec.description.as_str()) {
        changes.push(field(
            "description",
            listed
                .description
                .as_ref()
                .map(|d| shown(&d.clone().into())),
            Some(shown(&spec.description.clone().into())),
        ));
    }
    if listed.scope.as_deref() != Some(spec.scope.as_str()) {
        changes.push(field(
            "scope",
            listed.scope.clone(),
            Some(spec.scope.clone()),
        ));
    }
    let wanted = environment_variables(spec, resolved);
    let mut names: Vec<&String> = wanted.keys().chain(listed.variables.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let (old, new) = (listed.variables.get(name), wanted.get(name));
        if old == new {
            continue;
        }
        changes.push(field(
            &format!("variables.{name}"),
            old.map(|_| "(a value)".to_string()),
            new.map(|v| variable_shown(spec, name, v)),
        ));
    }
    changes
}

pub fn definition(old: Option<&str>, new: &str, file: &str) -> Vec<Change> {
    if old == Some(new) {
        return Vec::new();
    }
    vec![Change::Text {
        old: old.unwrap_or_default().to_string(),
        new: new.to_string(),
        file: file.to_string(),
    }]
}

fn scope(listed: Option<&str>, settings: &Settings) -> Vec<Change> {
    if listed == Some(settings.scope.as_str()) {
        return Vec::new();
    }
    vec![field(
        "scope",
        listed.map(str::to_string),
        Some(settings.scope.clone()),
    )]
}

pub fn action(spec: &ActionSpec, listed: &ListedAction, settings: &Settings) -> Vec<Change> {
    let mut changes = definition(
        listed.definition.as_deref(),
        &spec.definition,
        "sql/state.json",
    );
    changes.extend(scope(listed.scope.as_deref(), settings));
    changes
}

pub fn workflow(spec: &WorkflowSpec, listed: &ListedWorkflow, settings: &Settings) -> Vec<Change> {
    let mut changes = definition(listed.definition.as_deref(), &spec.text, &spec.file);
    changes.extend(scope(listed.scope.as_deref(), settings));
    changes
}

/// `text` (Mistral's `YYYY-MM-DD HH:MM[:SS]`) as unix seconds.
fn unix(text: &str) -> Option<i64> {
    DateTime::parse(text).ok().map(|t| t.unix())
}

/// A first execution time that still counts: one far enough ahead for Mistral to take.
/// One that has passed (or nearly) decides nothing any more: the pattern alone does.
pub fn usable_first_time(text: Option<&str>, now: i64) -> Option<i64> {
    text.and_then(unix)
        .filter(|t| *t >= now + FIRST_TIME_MARGIN)
}

fn pattern_shown(pattern: &str) -> String {
    match Pattern::parse(pattern) {
        Ok(p) => format!("{} ({})", shown(&pattern.into()), p.describe()),
        Err(_) => shown(&pattern.into()),
    }
}

fn workflow_shown(name: &str, id: Option<&str>) -> String {
    match id {
        Some(id) => format!("{name} ({id})"),
        None => format!("{name} (created by this apply)"),
    }
}

pub fn trigger_created(spec: &TriggerSpec, workflow_id: Option<&str>, now: i64) -> Vec<Change> {
    let mut changes = vec![
        field("pattern", None, Some(pattern_shown(&spec.pattern))),
        field(
            "workflow",
            None,
            Some(workflow_shown(&spec.workflow_name, workflow_id)),
        ),
        field("workflow_input", None, Some(shown(&spec.workflow_input))),
        field(
            "workflow_params",
            None,
            Some(shown(&Value::Object(spec.workflow_params.clone()))),
        ),
        field("scope", None, Some(spec.scope.clone())),
    ];
    if let Some(first) = &spec.first_execution_time {
        changes.push(match usable_first_time(Some(first), now) {
            Some(_) => field("first_execution_time", None, Some(first.clone())),
            None => first_time_dropped(first),
        });
    }
    changes
}

fn first_time_dropped(first: &str) -> Change {
    Change::Note(format!(
        "first_execution_time {first} has passed (or is less than {FIRST_TIME_MARGIN} s away): left out, the pattern alone sets the first fire"
    ))
}

/// What makes the listed trigger differ from the tree's; any difference replaces it.
pub fn trigger(
    spec: &TriggerSpec,
    listed: &ListedTrigger,
    workflow_id: Option<&str>,
    now: i64,
) -> Vec<Change> {
    let mut changes = Vec::new();
    if listed.pattern.as_deref() != Some(spec.pattern.as_str()) {
        changes.push(field(
            "pattern",
            listed.pattern.as_deref().map(pattern_shown),
            Some(pattern_shown(&spec.pattern)),
        ));
    }
    if workflow_id.is_none() || listed.workflow_id.as_deref() != workflow_id {
        changes.push(field(
            "workflow",
            Some(workflow_shown(
                listed.workflow_name.as_deref().unwrap_or("?"),
                listed.workflow_id.as_deref(),
            )),
            Some(workflow_shown(&spec.workflow_name, workflow_id)),
        ));
    }
    // Mistral stores `{}` for no input.
    let input = match &spec.workflow_input {
        Value::Null => Value::Object(Map::new()),
        v => v.clone(),
    };
    if listed.workflow_input != input {
        changes.push(field(
            "workflow_input",
            Some(shown(&listed.workflow_input)),
            Some(shown(&input)),
        ));
    }
    if listed.workflow_params != spec.workflow_params {
        changes.push(field(
            "workflow_params",
            Some(shown(&Value::Object(listed.workflow_params.clone()))),
            Some(shown(&Value::Object(spec.workflow_params.clone()))),
        ));
    }
    if listed.scope.as_deref() != Some(spec.scope.as_str()) {
        changes.push(field(
            "scope",
            listed.scope.clone(),
            Some(spec.scope.clone()),
        ));
    }
    let wanted = usable_first_time(spec.first_execution_time.as_deref(), now);
    if wanted != usable_first_time(listed.first_execution_time.as_deref(), now) {
        changes.push(field(
            "first_execution_time",
            listed.first_execution_time.clone(),
            wanted.and(spec.first_execution_time.clone()),
        ));
    }
    if listed.remaining_executions.is_some() {
        changes.push(field(
            "remaining_executions",
            listed.remaining_executions.map(|n| n.to_string()),
            None,
        ));
    }
    if !changes.is_empty() {
        if let (Some(first), None) = (&spec.first_execution_time, wanted) {
            changes.push(first_time_dropped(first));
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> TriggerSpec {
        TriggerSpec {
            name: "nightly".into(),
            pattern: "0 2 * * *".into(),
            workflow_name: "flow".into(),
            workflow_input: json!({"a": 1}),
            workflow_params: json!({"mistral_actions": "managed", "env": "e"})
                .as_object()
                .unwrap()
                .clone(),
            scope: "private".into(),
            first_execution_time: Some("2030-01-01 02:00".into()),
        }
    }

    fn listed() -> ListedTrigger {
        serde_json::from_value(json!({
            "id": "t1", "name": "nightly", "pattern": "0 2 * * *",
            "workflow_name": "flow", "workflow_id": "w1",
            "workflow_input": "{\"a\": 1}",
            "workflow_params": "{\"env\": \"e\", \"mistral_actions\": \"managed\"}",
            "scope": "private", "first_execution_time": "2030-01-01 02:00:00",
            "remaining_executions": null
        }))
        .unwrap()
    }

    /// 2029-12-31 00:00:00 UTC.
    const BEFORE: i64 = 1_893_369_600;

    #[test]
    fn an_unchanged_trigger_has_no_change() {
        assert_eq!(trigger(&spec(), &listed(), Some("w1"), BEFORE), vec![]);
    }

    #[test]
    fn a_past_first_time_counts_for_nothing() {
        let later = BEFORE + 10 * 86_400;
        let mut l = listed();
        l.first_execution_time = None;
        assert_eq!(
            trigger(&spec(), &l, Some("w1"), later),
            vec![],
            "dropped on an earlier replace: no replace for ever"
        );
        let mut s = spec();
        s.pattern = "0 3 * * *".into();
        let changes = trigger(&s, &l, Some("w1"), later);
        assert!(matches!(&changes[0], Change::Field { field, .. } if field == "pattern"));
        assert!(
            matches!(changes.last(), Some(Change::Note(n)) if n.contains("has passed")),
            "{changes:?}"
        );
    }

    #[test]
    fn a_new_workflow_id_replaces_the_trigger() {
        let changes = trigger(&spec(), &listed(), Some("w2"), BEFORE);
        assert_eq!(changes.len(), 1, "{changes:?}");
        let changes = trigger(&spec(), &listed(), None, BEFORE);
        assert!(
            matches!(&changes[0], Change::Field { new: Some(n), .. } if n.contains("created by this apply"))
        );
    }
}
