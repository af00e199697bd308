//! `generated/catalog.md`, the Action Catalog reviewers read as a diff in every PR.
//!
//! All text is escaped here so the template only lays out lines; the template itself is
//! `templates/catalog.md`.

use askama::Template;

use super::history::History;
use super::DO_NOT_EDIT;
use crate::model::{Action, Implementation, Input, Model};
use crate::output::FileSet;
use crate::signature::python_json_dumps;
use crate::Error;

pub const PATH: &str = "catalog.md";

#[derive(Template)]
#[template(path = "catalog.md")]
struct CatalogPage<'a> {
    header: &'a str,
    title: &'a str,
    prefix: &'a str,
    actions: Vec<ActionView>,
    workflows: Vec<super::workflows::catalog_part::WorkflowView>,
    checks: Vec<super::workflows::catalog_part::CheckRow>,
}

struct ActionView {
    anchor: String,
    name: String,
    summary_cell: String,
    signature_cell: String,
    description: String,
    signature: String,
    source: String,
    /// The project version the action first appeared in.
    since: String,
    inputs: Vec<InputRow>,
    output: String,
    deprecation: Option<String>,
    implementation: String,
    examples: Vec<ExampleView>,
    tags: String,
    /// Links to the workflows that call this action.
    used_by: String,
}

struct InputRow {
    name: String,
    ty: String,
    required: &'static str,
    default: String,
    description: String,
}

struct ExampleView {
    title: String,
    fence: String,
    workflow: String,
}

/// The anchor of an action's section; names are unique, so anchors are.
pub fn anchor(name: &str) -> String {
    format!("action-{name}")
}

pub fn emit(model: &Model, history: &History, set: &mut FileSet) -> Result<(), Error> {
    set.insert(PATH, render(model, history)?);
    Ok(())
}

pub fn render(model: &Model, history: &History) -> Result<String, Error> {
    let page = CatalogPage {
        header: DO_NOT_EDIT,
        title: &model.project.catalog_title,
        prefix: &model.project.prefix,
        actions: model
            .actions
            .iter()
            .map(|a| view(model, history, a))
            .collect(),
        workflows: super::workflows::catalog_part::views(model),
        checks: super::workflows::catalog_part::checks(),
    };
    let mut text = page.render()?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

fn view(model: &Model, history: &History, a: &Action) -> ActionView {
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
        source: code(&a.origin.file.to_string_lossy()),
        since: history.get(&a.name).map(|v| code(v)).unwrap_or_default(),
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
        implementation: implementation_line(&a.implementation),
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
        used_by: super::workflows::catalog_part::used_by(model, &a.name),
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

fn implementation_line(imp: &Implementation) -> String {
    match imp {
        Implementation::GetField {
            service,
            path,
            field,
        } => format!(
            "{}: GET {} from the {} service, return {}",
            code("get_field"),
            code(path),
            code(service),
            code(field)
        ),
        Implementation::AssertField {
            service,
            path,
            field,
            expected,
            ..
        } => format!(
            "{}: GET {} from the {} service, fail unless {} equals input {}",
            code("assert_field"),
            code(path),
            code(service),
            code(field),
            code(expected)
        ),
        Implementation::ListFilter {
            service,
            path,
            items,
            filters,
        } => {
            format!(
            "{}: GET {} from the {} service with {} as query filters, return {}, fail when empty",
            code("list_filter"),
            code(path),
            code(service),
            filters.iter().map(|f| code(f)).collect::<Vec<_>>().join(", "),
            code(items)
        )
        }
        Implementation::Custom { function, .. } => {
            format!("{}: hand-written {}", code("custom"), code(function))
        }
    }
}

/// A code span that survives any backticks inside `s`.
pub(crate) fn code(s: &str) -> String {
    let ticks = "`".repeat(longest_backtick_run(s) + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}

/// Text inside a paragraph: one line.
pub(crate) fn inline(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text inside a table cell: one line, pipes escaped (also inside code spans, as GFM wants).
pub(crate) fn cell(s: &str) -> String {
    inline(s).replace('|', "\\|")
}

/// A fence longer than any backtick run in the block.
fn fence_for(block: &str) -> String {
    "`".repeat(longest_backtick_run(block).max(2) + 1)
}

/// Code spans and fences must be delimited by more backticks than they contain in a row.
fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
    }

    #[test]
    fn cells_escape_pipes() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
    }
}
