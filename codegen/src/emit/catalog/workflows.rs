//! The Workflows part of the catalog: one section per workflow with a mermaid graph, the
//! actions it uses, and the static checks run on workflows.

use std::collections::BTreeMap;
use std::collections::BTreeSet;

use super::actions::anchor as action_anchor;
use super::markdown::{cell, code, inline};
use crate::emit::workflows::path as workflow_file;
use crate::model::{Call, Model, Workflow, WorkflowKind};
use crate::signature::python_json_dumps;
use crate::workflow::{CHECKS, ENGINE_COMMANDS};

pub(super) struct WorkflowView {
    pub(super) anchor: String,
    pub(super) name: String,
    pub(super) summary_cell: String,
    pub(super) description: String,
    pub(super) kind: &'static str,
    pub(super) source: String,
    pub(super) file: String,
    pub(super) inputs: Vec<InputRow>,
    pub(super) outputs: String,
    pub(super) actions: String,
    pub(super) mermaid: String,
    /// Links to the schedules that run it, with when.
    pub(super) run_by: String,
}

pub(super) struct InputRow {
    pub(super) name: String,
    pub(super) required: &'static str,
    pub(super) default: String,
}

pub(super) struct CheckRow {
    pub(super) code: &'static str,
    pub(super) severity: &'static str,
    pub(super) what: String,
}

pub(super) fn anchor(name: &str) -> String {
    format!("workflow-{name}")
}

/// `running`: the schedules running each workflow ([`super::schedules::running`]).
pub(super) fn views(model: &Model, running: &BTreeMap<&str, String>) -> Vec<WorkflowView> {
    model
        .workflows
        .iter()
        .map(|w| {
            let run_by = running.get(w.name.as_str()).cloned().unwrap_or_default();
            view(model, w, run_by)
        })
        .collect()
}

/// The workflows using each action, as catalog links, keyed by action name: one pass
/// over the workflows (not one per action).
pub(super) fn used_by(model: &Model) -> BTreeMap<&str, String> {
    let mut links: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for w in model.workflows.iter() {
        let link = format!("[{}](#{})", code(&w.name), anchor(&w.name));
        for action in w.actions_used() {
            links.entry(action).or_default().push(link.clone());
        }
    }
    links.into_iter().map(|(a, l)| (a, l.join(", "))).collect()
}

pub(super) fn checks() -> Vec<CheckRow> {
    CHECKS
        .iter()
        .map(|(c, s, what)| CheckRow {
            code: c.as_str(),
            severity: match s {
                crate::diagnostics::Severity::Error => "error",
                crate::diagnostics::Severity::Warning => "warning (error with `--strict`)",
            },
            what: cell(what),
        })
        .collect()
}

fn view(model: &Model, w: &Workflow, run_by: String) -> WorkflowView {
    let description = w.description.clone().unwrap_or_default();
    let actions: Vec<String> = w
        .actions_used()
        .into_iter()
        .map(|a| {
            if model.action(a).is_some() {
                format!("[{}](#{})", code(a), action_anchor(a))
            } else {
                format!("{} (Mistral builtin)", code(a))
            }
        })
        .collect();
    WorkflowView {
        anchor: anchor(&w.name),
        name: code(&w.name),
        summary_cell: cell(description.lines().next().unwrap_or("")),
        description: if description.is_empty() {
            "No description.".into()
        } else {
            description.clone()
        },
        kind: w.kind.as_str(),
        source: code(&w.origin.file),
        file: code(&format!("generated/{}", workflow_file(&w.name))),
        inputs: w
            .inputs
            .iter()
            .map(|i| InputRow {
                name: cell(&code(&i.name)),
                required: if i.default.is_none() { "yes" } else { "no" },
                default: i
                    .default
                    .as_ref()
                    .map(|d| cell(&code(&python_json_dumps(d))))
                    .unwrap_or_default(),
            })
            .collect(),
        outputs: if w.outputs.is_empty() {
            "none".into()
        } else {
            w.outputs
                .iter()
                .map(|o| code(o))
                .collect::<Vec<_>>()
                .join(", ")
        },
        actions: if actions.is_empty() {
            "none".into()
        } else {
            inline(&actions.join(", "))
        },
        mermaid: mermaid(w),
        run_by,
    }
}

/// A flowchart of tasks and transitions (or `requires`), for GitHub to render.
/// Node ids are prefixed: a task may be called `end`, which Mermaid reserves.
pub(super) fn mermaid(w: &Workflow) -> String {
    let mut out = String::from("flowchart TD\n");
    for t in &w.tasks {
        let call = match &t.call {
            Some(Call::Action(a)) => format!("<br/>{a}"),
            Some(Call::Workflow(n)) => format!("<br/>workflow {n}"),
            None => String::new(),
        };
        out.push_str(&format!(
            "    t_{}[\"{}{}\"]\n",
            t.name,
            t.name,
            label(&call)
        ));
    }
    let mut commands = BTreeSet::new();
    for t in &w.tasks {
        match w.kind {
            WorkflowKind::Direct => {
                for e in &t.transitions {
                    let to = if ENGINE_COMMANDS.contains(&e.target.as_str())
                        && !w.tasks.iter().any(|o| o.name == e.target)
                    {
                        commands.insert(e.target.clone());
                        format!("cmd_{}", e.target)
                    } else {
                        format!("t_{}", e.target)
                    };
                    let cond = if e.conditional { " if" } else { "" };
                    out.push_str(&format!("    t_{} -->|{}{cond}| {to}\n", t.name, e.on));
                }
            }
            WorkflowKind::Reverse => {
                for r in &t.requires {
                    out.push_str(&format!("    t_{r} --> t_{}\n", t.name));
                }
            }
        }
    }
    for c in commands {
        out.push_str(&format!("    cmd_{c}([\"{c}\"])\n"));
    }
    out.trim_end().to_string()
}

fn label(s: &str) -> String {
    s.replace('"', "#quot;")
}
