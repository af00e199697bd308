//! `generated/mistral/`: what `mistral-actions apply` sends to Mistral's REST API besides
//! the actions (the rows of `sql/state.json`, so both ways register the same `spec`) and
//! the workflows (`workflows/`): one file per environment and per cron trigger, each the
//! JSON body apply POSTs, and `settings.json`, the namespace and scope everything goes in.
//!
//! Two things only apply can fill in, when it applies: a trigger names its workflow by
//! `workflow_name` here and by the id Mistral gave that workflow in the request (a name
//! resolves only in namespace `''`); an environment's `resolve_when_applying` variables
//! are read from apply's environment or from files, never written here.

use mistral_actions_contract::ownership;
use serde_json::{json, Map, Value};

use crate::model::{Environment, Model, Schedule, Variable};
use crate::output::FileSet;
use crate::prior::Prior;
use crate::Error;

pub const DIR: &str = "mistral";
pub const SETTINGS: &str = "mistral/settings.json";

pub fn environment_path(name: &str) -> String {
    format!("{DIR}/environments/{name}.json")
}

pub fn trigger_path(name: &str) -> String {
    format!("{DIR}/cron_triggers/{name}.json")
}

pub fn emit(model: &Model, _prior: &Prior) -> Result<FileSet, Error> {
    let mut set = FileSet::default();
    let scope = model.project.scope.as_str();
    set.insert(
        SETTINGS,
        pretty(&json!({
            "namespace": model.project.namespace,
            "scope": scope,
        })),
    );
    for e in model.environments.iter() {
        set.insert(environment_path(&e.name), pretty(&environment(e, scope)));
    }
    for s in model.schedules.iter() {
        set.insert(trigger_path(&s.name), pretty(&trigger(s, scope)));
    }
    Ok(set)
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("JSON values serialise") + "\n"
}

fn environment(e: &Environment, scope: &str) -> Value {
    let mut variables = e.literals();
    variables.insert(ownership::ENVIRONMENT_VARIABLE.into(), Value::Bool(true));
    let references: Map<String, Value> = e
        .references()
        .map(|(name, v)| {
            let source = match v {
                Variable::FromEnv(var) => json!({ "from_env": var }),
                Variable::FromFile(path) => json!({ "from_file": path }),
                Variable::Literal(_) => unreachable!("references() holds no literal"),
            };
            (name.to_string(), source)
        })
        .collect();
    json!({
        "name": e.name,
        "description": e.description,
        "scope": scope,
        "variables": variables,
        "resolve_when_applying": references,
    })
}

fn trigger(s: &Schedule, scope: &str) -> Value {
    let mut params = Map::new();
    if let Some(env) = &s.environment {
        params.insert("env".into(), Value::String(env.clone()));
    }
    params.insert(
        ownership::TRIGGER_PARAM.into(),
        Value::String(ownership::TRIGGER_PARAM_VALUE.into()),
    );
    let mut body = json!({
        "name": s.name,
        "pattern": s.pattern,
        "workflow_name": s.workflow,
        "workflow_input": s.input,
        "workflow_params": params,
        "scope": scope,
    });
    if let Some(first) = &s.first_execution_time {
        body["first_execution_time"] = Value::String(first.clone());
    }
    body
}
