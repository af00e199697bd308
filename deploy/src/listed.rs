//! What Mistral holds, typed, from one list call per collection: the resources of the
//! caller's project (an admin's listings hold every project's; others' are set aside),
//! and which of them are ours by their marks (`mistral_actions_contract::ownership`).

use mistral_actions_contract::ownership;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::mistral::{Client, Listing};
use crate::Error;

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ListedEnvironment {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default, deserialize_with = "json_object")]
    pub variables: Map<String, Value>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ListedAction {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub definition: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ListedWorkflow {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub definition: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ListedTrigger {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(default)]
    pub workflow_name: Option<String>,
    #[serde(default)]
    pub workflow_id: Option<String>,
    #[serde(default, deserialize_with = "json_value")]
    pub workflow_input: Value,
    #[serde(default, deserialize_with = "json_object")]
    pub workflow_params: Map<String, Value>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub first_execution_time: Option<String>,
    #[serde(default)]
    pub next_execution_time: Option<String>,
    #[serde(default)]
    pub remaining_executions: Option<i64>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// Mistral's JSON-typed fields come as JSON or as JSON text.
fn json_value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(match v {
        Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        other => other,
    })
}

fn json_object<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    match json_value(d)? {
        Value::Object(m) => Ok(m),
        _ => Ok(Map::new()),
    }
}

fn tagged(tags: &Option<Vec<String>>) -> bool {
    tags.iter().flatten().any(|t| t == ownership::TAG)
}

impl ListedEnvironment {
    pub fn ours(&self) -> bool {
        self.variables.get(ownership::ENVIRONMENT_VARIABLE) == Some(&Value::Bool(true))
    }
}

impl ListedAction {
    pub fn ours(&self) -> bool {
        tagged(&self.tags)
    }
}

impl ListedWorkflow {
    pub fn ours(&self) -> bool {
        tagged(&self.tags)
    }
}

impl ListedTrigger {
    pub fn ours(&self) -> bool {
        self.workflow_params.get(ownership::TRIGGER_PARAM)
            == Some(&Value::String(ownership::TRIGGER_PARAM_VALUE.into()))
    }
}

/// The caller's resources, with ours told by their marks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listed {
    pub environments: Vec<ListedEnvironment>,
    /// Ad-hoc actions of the project in namespace `''` (none when not listed).
    pub actions: Vec<ListedAction>,
    /// Workflows of the project in the tree's namespace.
    pub workflows: Vec<ListedWorkflow>,
    /// Every cron trigger of the project (a trigger names its workflow by id, whatever
    /// its namespace).
    pub triggers: Vec<ListedTrigger>,
    /// Names Mistral has that are not the project's but may surprise: Mistral's own
    /// actions and other projects' public actions holding one of the tree's names.
    pub elsewhere: Vec<ListedAction>,
    /// Other projects' public environments: Mistral finds (updates, deletes) an
    /// environment by name among the project's and every public one.
    pub public_environments: Vec<ListedEnvironment>,
}

/// The cron triggers of `project` (`None`: every one listed) that carry our mark, from
/// the answer of `GET /cron_triggers`: what `schedules` watches.
pub fn owned_triggers(
    items: Vec<Value>,
    project: Option<&str>,
) -> Result<Vec<ListedTrigger>, Error> {
    Ok(parse::<ListedTrigger>("cron_triggers", items)?
        .into_iter()
        .filter(|t| project.is_none() || t.project_id.as_deref() == project)
        .filter(ListedTrigger::ours)
        .collect())
}

/// The raw answers of the four list calls (`None`: not listed).
pub struct Raw {
    pub environments: Vec<Value>,
    pub actions: Option<Vec<Value>>,
    pub workflows: Vec<Value>,
    pub triggers: Vec<Value>,
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, items: Vec<Value>) -> Result<Vec<T>, Error> {
    items
        .into_iter()
        .map(|v| {
            serde_json::from_value(v).map_err(|e| Error::Mistral {
                method: "GET",
                path: format!("/{what}"),
                status: None,
                message: format!("an item is not what Mistral 23 lists: {e}"),
            })
        })
        .collect()
}

impl Listed {
    /// Lists the four collections at once (the actions only when `with_actions`).
    pub fn read(client: &Client, with_actions: bool) -> Result<Raw, Error> {
        let mut calls = vec![
            Listing::all("/environments", "environments"),
            Listing::all("/workflows", "workflows"),
            Listing::all("/cron_triggers", "cron_triggers"),
        ];
        if with_actions {
            calls.push(Listing::all("/actions", "actions"));
        }
        let mut lists = client.list_all(&calls)?.into_iter();
        let mut next = || lists.next().expect("one answer per call");
        Ok(Raw {
            environments: next(),
            workflows: next(),
            triggers: next(),
            actions: with_actions.then(&mut next),
        })
    }

    /// The resources of `project` (`None`: every one listed, as without Keystone), and
    /// the workflows of `namespace`; `names` are the tree's action names, to note where
    /// Mistral has them outside the project.
    pub fn of_project(
        raw: Raw,
        project: Option<&str>,
        namespace: &str,
        action_names: &dyn Fn(&str) -> bool,
    ) -> Result<Listed, Error> {
        let mine = |p: &Option<String>| project.is_none() || p.as_deref() == project;
        let (environments, other_envs): (Vec<ListedEnvironment>, Vec<_>) =
            parse::<ListedEnvironment>("environments", raw.environments)?
                .into_iter()
                .partition(|e| mine(&e.project_id));
        let workflows: Vec<ListedWorkflow> = parse("workflows", raw.workflows)?;
        let triggers: Vec<ListedTrigger> = parse("cron_triggers", raw.triggers)?;
        let actions: Vec<ListedAction> = match raw.actions {
            Some(a) => parse("actions", a)?,
            None => Vec::new(),
        };
        let (actions, others): (Vec<_>, Vec<_>) = actions
            .into_iter()
            .filter(|a| a.namespace.as_deref().unwrap_or_default().is_empty())
            .partition(|a| a.project_id.is_some() && mine(&a.project_id));
        Ok(Listed {
            environments,
            public_environments: other_envs
                .into_iter()
                .filter(|e| e.scope.as_deref() == Some("public"))
                .collect(),
            actions,
            workflows: workflows
                .into_iter()
                .filter(|w| mine(&w.project_id))
                .filter(|w| w.namespace.as_deref().unwrap_or_default() == namespace)
                .collect(),
            triggers: triggers
                .into_iter()
                .filter(|t| mine(&t.project_id))
                .collect(),
            elsewhere: others
                .into_iter()
                .filter(|a| action_names(&a.name))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_project_s_resources_count_and_marks_tell_ours() {
        let raw = Raw {
            environments: vec![
                json!({"id": "e1", "name": "env", "project_id": "p1",
                       "variables": "{\"mistral_actions_managed\": true}"}),
                json!({"id": "e2", "name": "env", "project_id": "p2", "variables": {},
                       "scope": "public"}),
                json!({"id": "e3", "name": "env", "project_id": "p3", "variables": {},
                       "scope": "private"}),
            ],
            actions: Some(vec![
                json!({"id": "std.echo", "name": "std.echo"}),
                json!({"id": "a1", "name": "x.y.z", "project_id": "p1",
                       "tags": ["mistral-actions:managed"], "namespace": ""}),
                json!({"id": "a2", "name": "x.y.z", "project_id": "<default-project>",
                       "scope": "public", "tags": ["mistral-actions:managed"]}),
            ]),
            workflows: vec![
                json!({"id": "w1", "name": "flow", "namespace": "", "project_id": "p1",
                       "tags": []}),
                json!({"id": "w2", "name": "flow", "namespace": "other", "project_id": "p1"}),
            ],
            triggers: vec![json!({"id": "t1", "name": "nightly", "project_id": "p1",
                "workflow_params": {"mistral_actions": "managed", "env": "env"},
                "workflow_input": "{\"a\": 1}"})],
        };
        let listed = Listed::of_project(raw, Some("p1"), "", &|n| n == "x.y.z").unwrap();
        assert_eq!(listed.environments.len(), 1);
        assert!(listed.environments[0].ours(), "marked by its variable");
        assert_eq!(listed.public_environments.len(), 1);
        assert_eq!(listed.public_environments[0].id, "e2");
        assert_eq!(listed.actions.len(), 1);
        assert!(listed.actions[0].ours());
        assert_eq!(listed.elsewhere.len(), 1, "the SQL row of another project");
        assert_eq!(listed.elsewhere[0].id, "a2");
        assert_eq!(listed.workflows.len(), 1, "one namespace");
        assert!(!listed.workflows[0].ours(), "untagged");
        assert!(listed.triggers[0].ours());
        assert_eq!(listed.triggers[0].workflow_input, json!({"a": 1}));
    }
}
