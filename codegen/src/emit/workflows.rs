//! `generated/workflows/<name>.yaml`: one file per workflow, ready for
//! `mistral workflow-create`. Canonical: DSL keys in a fixed order (see
//! `spec::workflows`), user keys (inputs, publish, tasks) in spec order, quoting decided by
//! the YAML emitter, so the same specs always give the same bytes.

use serde_json::Value;
use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlEmitter};

use super::DO_NOT_EDIT;
use crate::model::{Model, Workflow};
use crate::output::FileSet;
use crate::Error;

pub const DIR: &str = "workflows";

pub fn path(name: &str) -> String {
    format!("{DIR}/{name}.yaml")
}

pub fn emit(model: &Model, set: &mut FileSet) -> Result<(), Error> {
    for w in &model.workflows {
        set.insert(path(&w.name), render(w));
    }
    Ok(())
}

/// The file for one workflow: header, `version: "2.0"`, the workflow under its name.
pub fn render(w: &Workflow) -> String {
    let mut doc = Hash::new();
    doc.insert(Yaml::String("version".into()), Yaml::String("2.0".into()));
    doc.insert(Yaml::String(w.name.clone()), to_yaml(&w.definition));
    let mut body = String::new();
    let mut emitter = YamlEmitter::new(&mut body);
    emitter.multiline_strings(true);
    emitter
        .dump(&Yaml::Hash(doc))
        .expect("writing YAML into a String cannot fail");
    let body = body.strip_prefix("---\n").unwrap_or(&body);
    format!(
        "# {DO_NOT_EDIT}\n# Source: {} (workflow `{}`)\n{body}\n",
        w.origin.file.display(),
        w.name
    )
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

/// The Workflows part of the catalog (`emit::catalog` lays it out).
pub mod catalog_part {
    use std::collections::BTreeSet;

    use super::super::catalog::{anchor as action_anchor, cell, code, inline};
    use crate::model::{Call, Model, Workflow, WorkflowKind};
    use crate::signature::python_json_dumps;
    use crate::workflow::{CHECKS, ENGINE_COMMANDS};

    pub struct WorkflowView {
        pub anchor: String,
        pub name: String,
        pub summary_cell: String,
        pub description: String,
        pub kind: &'static str,
        pub source: String,
        pub file: String,
        pub inputs: Vec<InputRow>,
        pub outputs: String,
        pub actions: String,
        pub mermaid: String,
    }

    pub struct InputRow {
        pub name: String,
        pub required: &'static str,
        pub default: String,
    }

    pub struct CheckRow {
        pub code: &'static str,
        pub severity: &'static str,
        pub what: String,
    }

    pub fn anchor(name: &str) -> String {
        format!("workflow-{name}")
    }

    pub fn views(model: &Model) -> Vec<WorkflowView> {
        model.workflows.iter().map(|w| view(model, w)).collect()
    }

    /// The workflows using each action, as catalog links, keyed by action name.
    pub fn used_by(model: &Model, action: &str) -> String {
        model
            .workflows
            .iter()
            .filter(|w| w.actions_used().contains(&action))
            .map(|w| format!("[{}](#{})", code(&w.name), anchor(&w.name)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn checks() -> Vec<CheckRow> {
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

    fn view(model: &Model, w: &Workflow) -> WorkflowView {
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
            source: code(&w.origin.file.to_string_lossy()),
            file: code(&format!("generated/{}", super::path(&w.name))),
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
        }
    }

    /// A flowchart of tasks and transitions (or `requires`), for GitHub to render.
    /// Node ids are prefixed: a task may be called `end`, which Mermaid reserves.
    pub fn mermaid(w: &Workflow) -> String {
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
}
