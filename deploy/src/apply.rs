//! Apply: runs a plan's steps one after another, in its order, each one request (a
//! replace two), and stops at the first failure, saying what was done and what is left.
//! A rerun plans again from what Mistral then holds, so it carries on where this one
//! stopped.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::{json, Value};

use crate::mistral::{Body, Client};
use crate::plan::{environment_variables, usable_first_time, Kind, Op, Plan, Step};
use crate::progress::Progress;
use crate::secrets::Resolved;
use crate::tree::Tree;
use crate::Error;

/// What an apply did.
#[derive(Debug, Default)]
pub struct Report {
    /// Steps done, described, in order.
    pub done: Vec<String>,
    /// The step that failed and why (its message scrubbed of values read when applying).
    pub failed: Option<(String, String)>,
    /// Steps not run.
    pub left: Vec<String>,
    /// Write requests sent (successful or not).
    pub writes: usize,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Runs `plan` (made from `listed_workflow_ids`, the ids of the project's workflows in
/// the tree's namespace, by name). Each step done is printed by `done`.
pub fn apply(
    client: &Client,
    tree: &Tree,
    resolved: &Resolved,
    plan: &Plan,
    listed_workflow_ids: BTreeMap<String, String>,
    done: &mut dyn FnMut(&Step, f64),
) -> Report {
    let mut run = Run {
        client,
        tree,
        resolved,
        workflow_ids: listed_workflow_ids,
        writes: 0,
    };
    let progress = Progress::stderr(plan.steps.len());
    let mut report = Report::default();
    for (i, step) in plan.steps.iter().enumerate() {
        progress.show(i + 1, &step.describe());
        let started = Instant::now();
        let result = run.step(step);
        progress.clear();
        match result {
            Ok(()) => {
                done(step, started.elapsed().as_secs_f64());
                report.done.push(step.describe());
            }
            Err(e) => {
                let message = explain(&e, step, tree);
                report.failed = Some((step.describe(), scrub(&message, tree, resolved)));
                report.left = plan.steps[i + 1..].iter().map(Step::describe).collect();
                break;
            }
        }
    }
    report.writes = run.writes;
    report
}

struct Run<'a> {
    client: &'a Client,
    tree: &'a Tree,
    resolved: &'a Resolved,
    workflow_ids: BTreeMap<String, String>,
    writes: usize,
}

impl Run<'_> {
    fn send(
        &mut self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Body<'_>,
    ) -> Result<Value, Error> {
        self.writes += 1;
        self.client.send(method, path, query, body)
    }

    fn step(&mut self, step: &Step) -> Result<(), Error> {
        let tree = self.tree;
        let settings = &tree.settings;
        let scope: [(&str, &str); 1] = [("scope", settings.scope.as_str())];
        let namespaced: Vec<(&str, &str)> = match settings.namespace.as_str() {
            "" => scope.to_vec(),
            ns => vec![("namespace", ns), scope[0]],
        };
        let only_namespace: Vec<(&str, &str)> = namespaced
            .iter()
            .filter(|(k, _)| *k == "namespace")
            .copied()
            .collect();
        let id = step.id.as_deref().unwrap_or_default();
        let name = step.name.as_str();
        match (step.kind, step.op) {
            (Kind::Environment, Op::Create | Op::Update) => {
                let spec = &tree.environments[name];
                let body = json!({
                    "name": spec.name,
                    "description": spec.description,
                    "scope": spec.scope,
                    "variables": environment_variables(spec, self.resolved),
                });
                let method = if step.op == Op::Create {
                    Method::POST
                } else {
                    Method::PUT
                };
                self.send(method, "/environments", &[], Body::Json(&body))?;
            }
            (Kind::Environment, _) => {
                self.send(
                    Method::DELETE,
                    &format!("/environments/{name}"),
                    &[],
                    Body::None,
                )?;
            }
            (Kind::Action, Op::Create) => {
                let text = &tree.actions[name].definition;
                self.send(Method::POST, "/actions", &scope, Body::Text(text))?;
            }
            (Kind::Action, Op::Update) => {
                let text = &tree.actions[name].definition;
                self.send(
                    Method::PUT,
                    &format!("/actions/{id}"),
                    &scope,
                    Body::Text(text),
                )?;
            }
            (Kind::Action, _) => {
                self.send(Method::DELETE, &format!("/actions/{id}"), &[], Body::None)?;
            }
            (Kind::Workflow, Op::Create) => {
                let text = &tree.workflows[name].text;
                let made = self.send(Method::POST, "/workflows", &namespaced, Body::Text(text))?;
                let new_id = made
                    .pointer("/workflows/0/id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Error::Mistral {
                        method: "POST",
                        path: "/workflows".into(),
                        status: None,
                        message: format!("the answer names no workflow id: {made}"),
                    })?;
                self.workflow_ids
                    .insert(name.to_string(), new_id.to_string());
            }
            (Kind::Workflow, Op::Update) => {
                let text = &tree.workflows[name].text;
                self.send(
                    Method::PUT,
                    &format!("/workflows/{id}"),
                    &namespaced,
                    Body::Text(text),
                )?;
            }
            (Kind::Workflow, _) => {
                self.send(
                    Method::DELETE,
                    &format!("/workflows/{id}"),
                    &only_namespace,
                    Body::None,
                )?;
            }
            (Kind::Trigger, Op::Delete) => {
                self.send(
                    Method::DELETE,
                    &format!("/cron_triggers/{id}"),
                    &[],
                    Body::None,
                )?;
            }
            (Kind::Trigger, op) => {
                if op == Op::Replace {
                    self.send(
                        Method::DELETE,
                        &format!("/cron_triggers/{id}"),
                        &[],
                        Body::None,
                    )?;
                }
                let created = self.trigger_body(name).and_then(|body| {
                    self.send(Method::POST, "/cron_triggers", &[], Body::Json(&body))
                });
                created.map_err(|e| match (op, e) {
                    (Op::Replace, Error::Mistral { method, path, status, message }) => Error::Mistral {
                        method,
                        path,
                        status,
                        message: format!("{message} (the old trigger was deleted; apply again to create it once fixed)"),
                    },
                    (_, e) => e,
                })?;
            }
        }
        Ok(())
    }

    /// The trigger's body as Mistral takes it: its workflow by id, and its first
    /// execution time only while Mistral would still take it.
    fn trigger_body(&self, name: &str) -> Result<Value, Error> {
        let spec = &self.tree.triggers[name];
        let workflow_id =
            self.workflow_ids
                .get(&spec.workflow_name)
                .ok_or_else(|| Error::Mistral {
                    method: "POST",
                    path: "/cron_triggers".into(),
                    status: None,
                    message: format!(
                "workflow {} is not in Mistral (namespace '{}'), so the trigger has no workflow id",
                spec.workflow_name, self.tree.settings.namespace
            ),
                })?;
        let mut body = json!({
            "name": spec.name,
            "pattern": spec.pattern,
            "workflow_id": workflow_id,
            "workflow_input": spec.workflow_input,
            "workflow_params": spec.workflow_params,
            "scope": spec.scope,
        });
        if let Some(first) = &spec.first_execution_time {
            if usable_first_time(Some(first), now()).is_some() {
                body["first_execution_time"] = Value::String(first.clone());
            }
        }
        Ok(body)
    }
}

/// The error, with what an operator can do about a refusal Mistral explains badly.
fn explain(e: &Error, step: &Step, tree: &Tree) -> String {
    let scope = match step.kind {
        Kind::Environment => tree
            .environments
            .get(&step.name)
            .map_or(tree.settings.scope.as_str(), |e| e.scope.as_str()),
        Kind::Trigger => tree
            .triggers
            .get(&step.name)
            .map_or(tree.settings.scope.as_str(), |t| t.scope.as_str()),
        _ => tree.settings.scope.as_str(),
    };
    let mut text = e.to_string();
    if e.status() == Some(403) && scope == "public" && step.op != Op::Delete {
        text.push_str(&format!(
            "\n  Mistral lets only admins make {} {} public (policy `{}:publicize`, admin-only since March 2026). Either set `scope: private` in specs/project.yaml and regenerate, or apply as a user holding the `admin` role.",
            if matches!(step.kind, Kind::Action | Kind::Environment) { "an" } else { "a" },
            step.kind.word(),
            match step.kind {
                Kind::Environment => "environments",
                Kind::Action => "actions",
                Kind::Workflow => "workflows",
                Kind::Trigger => "cron_triggers",
            }
        ));
    }
    text
}

/// `message` without any value read when applying (Mistral's errors may quote a body).
fn scrub(message: &str, tree: &Tree, resolved: &Resolved) -> String {
    let mut out = message.to_string();
    for env in tree.environments.values() {
        for variable in env.resolve_when_applying.keys() {
            if let Some(v) = resolved.get(&env.name, variable).filter(|v| !v.is_empty()) {
                out = out.replace(v, "<redacted>");
            }
        }
    }
    out
}
