//! `generated/catalog.md`, the Action Catalog reviewers read as a diff in every PR: the
//! actions, the workflows, the schedules and environments, and how Mistral reaches the
//! actions (the HTTP contract).
//!
//! All text is escaped here so the template only lays out lines; the template itself is
//! `templates/catalog.md`.

mod actions;
pub(crate) mod markdown;
mod schedules;
mod workflows;

use askama::Template;
use mistral_actions_contract::{route, EnvDefault, ErrorKind, ENV_KEYS};

use super::DO_NOT_EDIT;
use std::collections::BTreeMap;

use crate::model::{Action, Environment, Model, Project, Schedule, Workflow};
use crate::output::{FileSet, List};
use crate::prior::Prior;
use crate::Error;
use markdown::{cell, code};

pub const PATH: &str = "catalog.md";

#[derive(Template)]
#[template(path = "catalog.md")]
struct CatalogPage<'a> {
    header: &'a str,
    title: &'a str,
    prefix: &'a str,
    actions: Vec<actions::ActionView>,
    workflows: Vec<workflows::WorkflowView>,
    schedules: Vec<schedules::ScheduleView>,
    environments: Vec<schedules::EnvironmentView>,
    checks: Vec<workflows::CheckRow>,
    action_route: String,
    env_keys: Vec<[String; 3]>,
    errors: Vec<[String; 3]>,
}

/// What the catalog is made of: the model, and the version each action first appeared in.
#[derive(serde::Serialize)]
struct Inputs {
    project: Project,
    actions: List<Action>,
    workflows: List<Workflow>,
    environments: List<Environment>,
    schedules: List<Schedule>,
    history: BTreeMap<String, String>,
}

/// Rendered when needed: the catalog is tens of MB at 10,000 actions.
pub fn emit(model: &Model, prior: &Prior) -> Result<FileSet, Error> {
    let inputs = Inputs {
        project: model.project.clone(),
        actions: List::of(&model.actions),
        workflows: List::of(&model.workflows),
        environments: List::of(&model.environments),
        schedules: List::of(&model.schedules),
        history: prior.action_history.clone(),
    };
    let mut set = FileSet::default();
    set.render(PATH, inputs, |inputs, w| {
        let model = Model {
            project: inputs.project.clone(),
            actions: inputs.actions.shared(),
            workflows: inputs.workflows.shared(),
            environments: inputs.environments.shared(),
            schedules: inputs.schedules.shared(),
        };
        let prior = Prior {
            action_history: inputs.history.clone(),
            ..Prior::default()
        };
        let text = render(&model, &prior).map_err(std::io::Error::other)?;
        w.write_all(text.as_bytes())
    });
    Ok(set)
}

fn render(model: &Model, prior: &Prior) -> Result<String, Error> {
    let used_by = workflows::used_by(model);
    let page = CatalogPage {
        header: DO_NOT_EDIT,
        title: &model.project.catalog_title,
        prefix: &model.project.prefix,
        actions: model
            .actions
            .iter()
            .map(|a| {
                let links = used_by.get(a.name.as_str()).map_or("", String::as_str);
                actions::view(model, prior, a, links)
            })
            .collect(),
        workflows: workflows::views(model, &schedules::running(model)),
        schedules: schedules::views(model),
        environments: schedules::environments(model),
        checks: workflows::checks(),
        action_route: code(&format!("POST {}", route::ACTION)),
        env_keys: env_keys(model),
        errors: errors(),
    };
    let mut text = page.render()?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// `key | default | meaning` rows of the environment keys a registration reads.
fn env_keys(model: &Model) -> Vec<[String; 3]> {
    ENV_KEYS
        .iter()
        .map(|key| {
            let default = match key.default {
                EnvDefault::ServerUrl => format!(
                    "{} (`server_url` of specs/project.yaml)",
                    code(&model.project.server_url)
                ),
                EnvDefault::Empty => "empty".to_string(),
            };
            let meaning = match key.header {
                Some(header) => format!("{} (sent as {})", key.meaning, code(header)),
                None => key.meaning.to_string(),
            };
            [code(key.name), cell(&default), cell(&meaning)]
        })
        .collect()
}

/// `status | kind | when` rows of every error an action call can end with.
fn errors() -> Vec<[String; 3]> {
    ErrorKind::ALL
        .iter()
        .filter(|k| **k != ErrorKind::NotFound)
        .map(|k| [k.status().to_string(), code(k.as_str()), cell(k.when())])
        .collect()
}
