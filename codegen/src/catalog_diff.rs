//! Semantic difference between two models: what a reviewer needs to know about a PR, and
//! which changes break workflows already written against the old actions.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::model::{Action, Input, InputType, Model};
use crate::signature::python_json_dumps;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogDiff {
    pub changes: Vec<SpecChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecChange {
    /// The action or workflow the change is about.
    pub subject: String,
    pub kind: ChangeKind,
    pub detail: String,
    /// Whether a workflow that worked before may fail now.
    pub breaking: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    ActionAdded,
    ActionRemoved,
    ActionRenamed,
    InputAdded,
    InputRemoved,
    InputRetyped,
    InputEnumChanged,
    DefaultChanged,
    RequirednessChanged,
    Deprecated,
    Undeprecated,
    DescriptionChanged,
    ImplementationChanged,
    WorkflowAdded,
    WorkflowRemoved,
    WorkflowChanged,
}

impl CatalogDiff {
    pub fn breaking(&self) -> impl Iterator<Item = &SpecChange> {
        self.changes.iter().filter(|c| c.breaking)
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Compares `old` (e.g. the specs at the PR's base) with `new` (the working tree).
pub fn diff(old: &Model, new: &Model) -> CatalogDiff {
    let mut changes = Vec::new();
    let old_actions: BTreeMap<&str, &Action> =
        old.actions.iter().map(|a| (a.name.as_str(), a)).collect();
    let new_actions: BTreeMap<&str, &Action> =
        new.actions.iter().map(|a| (a.name.as_str(), a)).collect();

    let mut removed: Vec<&Action> = old_actions
        .iter()
        .filter(|(n, _)| !new_actions.contains_key(*n))
        .map(|(_, a)| *a)
        .collect();
    let mut added: Vec<&Action> = new_actions
        .iter()
        .filter(|(n, _)| !old_actions.contains_key(*n))
        .map(|(_, a)| *a)
        .collect();

    // A rename keeps the action's identity: same implementation and same inputs. Callers
    // of the old name still break, so a rename is breaking.
    removed.retain(|old_action| {
        let Some(i) = added.iter().position(|a| same_identity(old_action, a)) else {
            return true;
        };
        let renamed_to = added.remove(i);
        changes.push(SpecChange {
            subject: old_action.name.clone(),
            kind: ChangeKind::ActionRenamed,
            detail: format!("renamed to `{}`", renamed_to.name),
            breaking: true,
        });
        false
    });
    for a in removed {
        changes.push(SpecChange {
            subject: a.name.clone(),
            kind: ChangeKind::ActionRemoved,
            detail: "removed".into(),
            breaking: true,
        });
    }
    for a in added {
        changes.push(SpecChange {
            subject: a.name.clone(),
            kind: ChangeKind::ActionAdded,
            detail: format!("added: `{}({})`", a.name, a.signature()),
            breaking: false,
        });
    }
    for (name, old_action) in &old_actions {
        if let Some(new_action) = new_actions.get(name) {
            action_changes(old_action, new_action, &mut changes);
        }
    }
    workflow_changes(old, new, &mut changes);
    changes.sort_by(|a, b| (&a.subject, a.kind).cmp(&(&b.subject, b.kind)));
    CatalogDiff { changes }
}

fn same_identity(a: &Action, b: &Action) -> bool {
    a.implementation == b.implementation && a.signature() == b.signature()
}

fn action_changes(old: &Action, new: &Action, out: &mut Vec<SpecChange>) {
    let subject = &new.name;
    let mut push = |kind, detail: String, breaking| {
        out.push(SpecChange {
            subject: subject.clone(),
            kind,
            detail,
            breaking,
        })
    };
    for o in &old.inputs {
        match new.input(&o.name) {
            None => push(
                ChangeKind::InputRemoved,
                format!("input `{}` removed", o.name),
                true,
            ),
            Some(n) => input_changes(o, n, &mut push),
        }
    }
    for n in &new.inputs {
        if old.input(&n.name).is_none() {
            let required = n.required();
            push(
                ChangeKind::InputAdded,
                if required {
                    format!("new required input `{}`", n.name)
                } else {
                    format!("new optional input `{}`", n.name)
                },
                required,
            );
        }
    }
    match (&old.deprecated, &new.deprecated) {
        (None, Some(d)) => push(
            ChangeKind::Deprecated,
            match &d.replaced_by {
                Some(r) => format!("deprecated, replaced by `{r}`"),
                None => "deprecated".into(),
            },
            false,
        ),
        (Some(_), None) => push(
            ChangeKind::Undeprecated,
            "no longer deprecated".into(),
            false,
        ),
        _ => {}
    }
    if old.description != new.description {
        push(
            ChangeKind::DescriptionChanged,
            "description changed".into(),
            false,
        );
    }
    if old.implementation != new.implementation {
        push(
            ChangeKind::ImplementationChanged,
            format!(
                "implementation `{}` → `{}`",
                old.implementation.word(),
                new.implementation.word()
            ),
            false,
        );
    }
}

fn input_changes(o: &Input, n: &Input, push: &mut impl FnMut(ChangeKind, String, bool)) {
    let name = &o.name;
    if o.ty != n.ty {
        push(
            ChangeKind::InputRetyped,
            format!("input `{name}`: `{}` → `{}`", o.ty.as_str(), n.ty.as_str()),
            !widens(o.ty, n.ty),
        );
    }
    if o.enum_values != n.enum_values {
        let narrowed = match (&o.enum_values, &n.enum_values) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(old), Some(new)) => old.iter().any(|v| !new.contains(v)),
        };
        push(
            ChangeKind::InputEnumChanged,
            format!(
                "input `{name}`: enum {} → {}",
                enum_text(&o.enum_values),
                enum_text(&n.enum_values)
            ),
            narrowed,
        );
    }
    match (o.required(), n.required()) {
        (true, false) => push(
            ChangeKind::RequirednessChanged,
            format!("input `{name}` is now optional"),
            false,
        ),
        (false, true) => push(
            ChangeKind::RequirednessChanged,
            format!("input `{name}` is now required"),
            true,
        ),
        _ => {
            if let (Some(a), Some(b)) = (&o.default, &n.default) {
                if a != b {
                    push(
                        ChangeKind::DefaultChanged,
                        format!(
                            "input `{name}`: default {} → {}",
                            python_json_dumps(a),
                            python_json_dumps(b)
                        ),
                        false,
                    );
                }
            }
        }
    }
}

/// Whether every value the old type accepted is accepted by the new one.
fn widens(old: InputType, new: InputType) -> bool {
    use InputType::*;
    matches!((old, new), (_, Any) | (Uuid, String) | (Integer, Number))
}

fn enum_text(values: &Option<Vec<Value>>) -> String {
    match values {
        None => "(any)".into(),
        Some(v) => format!(
            "[{}]",
            v.iter()
                .map(python_json_dumps)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn workflow_changes(old: &Model, new: &Model, out: &mut Vec<SpecChange>) {
    let old_wf: BTreeMap<&str, &Value> = old
        .workflows
        .iter()
        .map(|w| (w.name.as_str(), &w.definition))
        .collect();
    let new_wf: BTreeMap<&str, &Value> = new
        .workflows
        .iter()
        .map(|w| (w.name.as_str(), &w.definition))
        .collect();
    for (name, def) in &old_wf {
        let (kind, detail) = match new_wf.get(name) {
            None => (ChangeKind::WorkflowRemoved, "workflow removed"),
            Some(d) if d != def => (ChangeKind::WorkflowChanged, "workflow changed"),
            Some(_) => continue,
        };
        out.push(SpecChange {
            subject: name.to_string(),
            kind,
            detail: detail.into(),
            breaking: kind == ChangeKind::WorkflowRemoved,
        });
    }
    for name in new_wf.keys().filter(|n| !old_wf.contains_key(*n)) {
        out.push(SpecChange {
            subject: name.to_string(),
            kind: ChangeKind::WorkflowAdded,
            detail: "workflow added".into(),
            breaking: false,
        });
    }
}

impl CatalogDiff {
    /// Markdown ready to post as a PR comment.
    pub fn to_markdown(&self, base: &str) -> String {
        let mut out = format!("### Catalog changes against `{base}`\n\n");
        if self.changes.is_empty() {
            out.push_str("No change to actions or workflows.\n");
            return out;
        }
        let breaking = self.breaking().count();
        if breaking > 0 {
            let _ = writeln!(
                out,
                "**{breaking} breaking change(s)**: workflows written against `{base}` may fail.\n"
            );
        }
        out.push_str("| | Subject | SpecChange |\n| --- | --- | --- |\n");
        for c in &self.changes {
            let mark = if c.breaking { "breaking" } else { "" };
            let _ = writeln!(
                out,
                "| {mark} | `{}` | {} |",
                c.subject,
                c.detail.replace('|', "\\|")
            );
        }
        out
    }
}
