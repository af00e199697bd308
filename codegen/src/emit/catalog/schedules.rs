//! The Schedules and Environments parts of the catalog: when each schedule fires, in
//! words, what it runs with which input, and the environments' variables, references
//! shown by where apply reads them (never their values).

use std::collections::BTreeMap;

use super::markdown::{cell, code};
use super::workflows::anchor as workflow_anchor;
use crate::model::{Model, Variable};

pub(super) struct ScheduleView {
    pub(super) anchor: String,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) summary_cell: String,
    pub(super) when: String,
    pub(super) pattern: String,
    pub(super) workflow: String,
    pub(super) input: String,
    pub(super) environment: String,
    pub(super) first: String,
    pub(super) source: String,
}

pub(super) struct EnvironmentView {
    pub(super) anchor: String,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) source: String,
    pub(super) used_by: String,
    /// `name | value` rows.
    pub(super) variables: Vec<[String; 2]>,
}

pub(super) fn anchor(name: &str) -> String {
    format!("schedule-{name}")
}

fn environment_anchor(name: &str) -> String {
    format!("environment-{name}")
}

fn link(name: &str, anchor: String) -> String {
    format!("[{}](#{anchor})", code(name))
}

pub(super) fn views(model: &Model) -> Vec<ScheduleView> {
    model
        .schedules
        .iter()
        .map(|s| ScheduleView {
            anchor: anchor(&s.name),
            name: code(&s.name),
            summary_cell: cell(s.description.lines().next().unwrap_or("")),
            description: s.description.clone(),
            when: cell(&s.pattern_words),
            pattern: code(&s.pattern),
            workflow: link(&s.workflow, workflow_anchor(&s.workflow)),
            input: if s.input.is_empty() {
                "none".into()
            } else {
                code(&serde_json::Value::Object(s.input.clone()).to_string())
            },
            environment: s
                .environment
                .as_ref()
                .map_or("none".into(), |e| link(e, environment_anchor(e))),
            first: s
                .first_execution_time
                .as_ref()
                .map_or(String::new(), |t| format!("{} UTC", code(t))),
            source: code(&s.origin.file),
        })
        .collect()
}

/// The schedules running each workflow, as catalog links, keyed by workflow name.
pub(super) fn running(model: &Model) -> BTreeMap<&str, String> {
    let mut links: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for s in model.schedules.iter() {
        let text = format!("{} ({})", link(&s.name, anchor(&s.name)), s.pattern_words);
        links.entry(&s.workflow).or_default().push(text);
    }
    links.into_iter().map(|(w, l)| (w, l.join(", "))).collect()
}

pub(super) fn environments(model: &Model) -> Vec<EnvironmentView> {
    model
        .environments
        .iter()
        .map(|e| {
            let users: Vec<String> = model
                .schedules
                .iter()
                .filter(|s| s.environment.as_deref() == Some(e.name.as_str()))
                .map(|s| link(&s.name, anchor(&s.name)))
                .collect();
            EnvironmentView {
                anchor: environment_anchor(&e.name),
                name: code(&e.name),
                description: e.description.clone(),
                source: code(&e.origin.file),
                used_by: users.join(", "),
                variables: e
                    .variables
                    .iter()
                    .map(|(k, v)| {
                        let value = match v {
                            Variable::Literal(v) => code(&v.to_string()),
                            Variable::FromEnv(name) => {
                                format!("(from {})", code(&format!("${name}")))
                            }
                            Variable::FromFile(path) => format!("(from file {})", code(path)),
                        };
                        [code(k), cell(&value)]
                    })
                    .collect(),
            }
        })
        .collect()
}
