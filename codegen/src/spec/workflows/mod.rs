//! `specs/workflows/**.yaml`: Mistral DSL v2 workflows (`version: '2.0'`, one or more
//! workflows per file), read into the model and checked against the actions, the builtins
//! and each other (the checks are listed in [`crate::workflow::CHECKS`]).
//!
//! Two passes: every file's workflow names and inputs first ([`Header`], here), so a task
//! may call a workflow of any file; then each workflow ([`read`]) with its tasks
//! ([`tasks`]), checked as a graph ([`graph`]), for its calls ([`calls`]) and its
//! expressions ([`expressions`]).

mod calls;
mod expressions;
mod graph;
mod keys;
mod offsets;
mod read;
mod tasks;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::reader::{Ctx, Fields};
use super::source;
use crate::diagnostics::{Code, Diagnostics};
use crate::model::{is_uuid, Action, Project, Workflow, WorkflowInput};
use crate::workflow::call::Signature;
use crate::yaml::{Kind, Node, Pos};
use crate::Error;

pub const WORKFLOWS_DIR: &str = "specs/workflows";

struct SpecFile {
    rel: PathBuf,
    src: Vec<char>,
    root: Node,
}

/// A workflow's name and inputs, known before any task is read so that tasks can call
/// workflows of any file.
pub(super) struct Header<'n> {
    name: String,
    key: &'n Node,
    body: &'n Node,
    file: usize,
    inputs: Vec<WorkflowInput>,
}

/// What tasks can call.
pub(super) struct Env<'a> {
    actions: BTreeMap<&'a str, &'a Action>,
    workflows: BTreeMap<String, Signature>,
}

/// Reads every workflow spec; problems go to `diags`.
pub fn load(
    root: &Path,
    project: &Project,
    actions: &[&Action],
    diags: &mut Diagnostics,
) -> Result<Vec<Workflow>, Error> {
    // Files are read on every core; problems are merged in file order, so the report does
    // not depend on scheduling.
    let rels = super::spec_files(root, WORKFLOWS_DIR)?;
    let read = crate::parallel::map(&rels, |rel| {
        let mut local = Diagnostics::default();
        let mut ctx = Ctx {
            file: rel,
            diags: &mut local,
        };
        let file =
            source::read(&mut ctx, &root.join(rel), project.max_file_bytes).map(|(text, node)| {
                SpecFile {
                    src: text.chars().collect(),
                    root: node,
                    rel: rel.clone(),
                }
            });
        (file, local)
    });
    let mut files = Vec::new();
    for (file, local) in read {
        diags.0.extend(local.0);
        files.extend(file);
    }

    let mut headers: Vec<Header> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let mut ctx = Ctx {
            file: &f.rel,
            diags,
        };
        for h in read_headers(&mut ctx, &f.root, i) {
            if let Some(first) = headers.iter().find(|o| o.name == h.name) {
                ctx.error(
                    Code::DuplicateWorkflow,
                    h.key.pos,
                    format!(
                        "workflow `{}` is already defined at {}:{}",
                        h.name,
                        files[first.file].rel.display(),
                        first.key.pos.line
                    ),
                    "rename one of them; Mistral holds one workflow per name",
                );
                continue;
            }
            headers.push(h);
        }
    }

    let env = Env {
        actions: actions.iter().map(|a| (a.name.as_str(), *a)).collect(),
        workflows: headers
            .iter()
            .map(|h| (h.name.clone(), Signature::of_workflow(&h.inputs)))
            .collect(),
    };
    // Each workflow is read and checked on its own (on every core), problems merged in
    // order.
    let parsed = crate::parallel::map(&headers, |h| {
        let f = &files[h.file];
        let mut local = Diagnostics::default();
        let mut ctx = Ctx {
            file: &f.rel,
            diags: &mut local,
        };
        (read::parse_workflow(&mut ctx, &f.src, h, &env), local)
    });
    let mut out = Vec::new();
    for (workflow, local) in parsed {
        diags.0.extend(local.0);
        out.extend(workflow);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn read_headers<'n>(ctx: &mut Ctx, root: &'n Node, file: usize) -> Vec<Header<'n>> {
    let fill = "add `version: '2.0'` and a workflow, or delete the file";
    let Some(mut fields) = Fields::of_file(ctx, root, "a workflows file", fill) else {
        return Vec::new();
    };
    if let Some(v) = fields.require(ctx, "version") {
        let ok = match &v.kind {
            Kind::Str(s) => s == "2.0",
            Kind::Float(f) => *f == 2.0,
            _ => false,
        };
        if !ok {
            ctx.error(
                Code::InvalidWorkflow,
                v.pos,
                "Mistral reads only DSL version 2.0",
                "write `version: '2.0'`",
            );
        }
    }
    let mut out = Vec::new();
    for (name, key, body) in fields.entries() {
        if name == "version" {
            continue;
        }
        check_workflow_name(ctx, name, key.pos);
        // Inputs are reported in the second pass; here they only make the signature.
        let mut scratch = Diagnostics::default();
        let mut quiet = Ctx {
            file: ctx.file,
            diags: &mut scratch,
        };
        let inputs = body
            .get("input")
            .map(|n| parse_inputs(&mut quiet, n))
            .unwrap_or_default();
        out.push(Header {
            name: name.to_string(),
            key,
            body,
            file,
            inputs,
        });
    }
    if out.is_empty() {
        ctx.error(
            Code::MissingKey,
            root.pos,
            "the file defines no workflow",
            "add a workflow under its name beside `version`",
        );
    }
    out
}

fn check_workflow_name(ctx: &mut Ctx, name: &str, pos: Pos) {
    let safe = !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !safe {
        ctx.error(
            Code::InvalidWorkflow,
            pos,
            format!("workflow name `{name}` is not usable as a file name and a Mistral name"),
            "use letters, digits, `_`, `-` and `.` (at most 255, not starting with `.`)",
        );
    } else if is_uuid(name) {
        ctx.error(
            Code::InvalidWorkflow,
            pos,
            format!("workflow name `{name}` looks like a UUID"),
            "Mistral refuses such names: it could not tell them from workflow ids",
        );
    }
}

/// `input:` — a list of names (required) and one-key mappings `name: default`.
pub(super) fn parse_inputs(ctx: &mut Ctx, node: &Node) -> Vec<WorkflowInput> {
    let mut out: Vec<WorkflowInput> = Vec::new();
    for item in ctx.seq(node, "input") {
        let (name, default, pos) = match &item.kind {
            Kind::Str(s) => (s.clone(), None, item.pos),
            Kind::Map(pairs) if pairs.len() == 1 => {
                let (k, v) = &pairs[0];
                let Some(name) = ctx.string(k, "an input name") else {
                    continue;
                };
                let Some(default) = ctx.json(v, "an input default") else {
                    continue;
                };
                (name, Some(default), k.pos)
            }
            _ => {
                ctx.wrong_type(
                    item,
                    "an input",
                    "a name or a one-key mapping `name: default`",
                );
                continue;
            }
        };
        if out.iter().any(|i| i.name == name) {
            ctx.error(
                Code::DuplicateInput,
                pos,
                format!("input `{name}` is declared twice"),
                "remove one of them",
            );
            continue;
        }
        out.push(WorkflowInput { name, default });
    }
    out
}
