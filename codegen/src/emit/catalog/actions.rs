//! The Actions part of the catalog: one section per action.

use super::markdown::{cell, code, fence_for, inline};
use crate::model::{Action, Input, Model};
use crate::prior::Prior;
use crate::signature::python_json_dumps;

pub(super) struct ActionView {
    pub(super) anchor: String,
    pub(super) name: String,
    pub(super) summary_cell: String,
    pub(super) signature_cell: String,
    pub(super) description: String,
    pub(super) signature: String,
    pub(super) source: String,
    /// The project version the action first appeared in.
    pub(super) since: String,
    pub(super) inputs: Vec<InputRow>,
    pub(super) output: String,
    pub(super) deprecation: Option<String>,
    pub(super) implementation: String,
    /// `compute 2.1, volumev3 3.0`; empty when the action names none.
    pub(super) microversions: String,
    pub(super) examples: Vec<ExampleView>,
    pub(super) tags: String,
    /// Links to the workflows that call this action.
    pub(super) used_by: String,
}

pub(super) struct InputRow {
    pub(super) name: String,
    pub(super) ty: String,
    pub(super) required: &'static str,
    pub(super) default: String,
    pub(super) description: String,
}

pub(super) struct ExampleView {
    pub(super) title: String,
    pub(super) fence: String,
    pub(super) workflow: String,
}

/// The anchor of an action's section; names are unique, so anchors are.
pub(super) fn anchor(name: &str) -> String {
    format!("action-{name}")
}

pub(super) fn view(model: &Model, prior: &Prior, a: &Action, used_by: &str) -> ActionView {
    let deprecation = a.deprecated.as_ref().map(|d| {
        let mut s = String::from("**Deprecated**");
        if let Some(since) = &d.since {
            s.push_str(&format!(" since {}", inline(since)));
        }
        s.push('.');
        if let Some(message) = &d.message {
            s.push(' ');
            s.push_str(&inline(message));
        }
        if let Some(target) = &d.replaced_by {
            if model.action(target).is_some() {
                s.push_str(&format!(
                    " Use [{}](#{}) instead.",
                    code(target),
                    anchor(target)
                ));
            } else {
                s.push_str(&format!(" Use {} instead.", code(target)));
            }
        }
        s
    });
    ActionView {
        anchor: anchor(&a.name),
        name: code(&a.name),
        summary_cell: cell(a.summary()),
        signature_cell: cell(&code(&a.signature())),
        description: a.description.clone(),
        signature: code(&format!("{}({})", a.name, a.signature())),
        source: code(&a.origin.file),
        since: code(prior.first_version(&a.name, &model.project.version)),
        inputs: a.inputs.iter().map(input_row).collect(),
        output: if a.output.description.is_empty() {
            code(a.output.ty.as_str())
        } else {
            format!(
                "{}: {}",
                code(a.output.ty.as_str()),
                inline(&a.output.description)
            )
        },
        deprecation,
        implementation: a.implementation.line(),
        microversions: a
            .microversions
            .iter()
            .map(|m| format!("{} {}", code(&m.service), code(&m.version)))
            .collect::<Vec<_>>()
            .join(", "),
        examples: a
            .examples
            .iter()
            .map(|e| ExampleView {
                title: inline(&e.title),
                fence: fence_for(&e.workflow),
                workflow: e.workflow.clone(),
            })
            .collect(),
        tags: a
            .tags
            .iter()
            .map(|t| code(t))
            .collect::<Vec<_>>()
            .join(", "),
        used_by: used_by.to_string(),
    }
}

fn input_row(i: &Input) -> InputRow {
    let mut name = code(&i.name);
    if i.secret {
        name.push_str(" (secret)");
    }
    let mut ty = code(i.ty.as_str());
    if let Some(values) = &i.enum_values {
        let listed: Vec<String> = values.iter().map(|v| code(&python_json_dumps(v))).collect();
        ty.push_str(&format!(", one of {}", listed.join(", ")));
    }
    InputRow {
        name: cell(&name),
        ty: cell(&ty),
        required: if i.required() { "yes" } else { "no" },
        default: match &i.default {
            None => String::new(),
            Some(v) => cell(&code(&python_json_dumps(v))),
        },
        description: cell(&i.description),
    }
}
