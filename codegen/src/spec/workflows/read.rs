//! One workflow: its own keys, its `task-defaults` and tasks ([`super::tasks`]), the checks
//! on them, and the model built from them.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::calls::check_call;
use super::expressions::check_expressions;
use super::graph::{check_direct, check_reverse, check_targets, effective_edges};
use super::keys::{allowed_for, ON_KEYS, TASK_DEFAULTS_KEYS, WORKFLOW_KEYS};
use super::tasks::{parse_on_clause, parse_requires, parse_task};
use super::{parse_inputs, Env, Header};
use crate::diagnostics::Code;
use crate::model::{Call, Origin, Task, Transition, Workflow, WorkflowInput, WorkflowKind};
use crate::spec::reader::{Ctx, Fields};
use crate::workflow::inline;
use crate::yaml::{Kind, Node};

/// A transition as written, with where it is written.
pub(super) struct Edge<'n> {
    pub(super) on: &'static str,
    pub(super) target: String,
    pub(super) node: &'n Node,
    pub(super) conditional: bool,
}

/// What one task says, with the nodes the checks point at.
pub(super) struct TaskSyntax<'n> {
    pub(super) name: String,
    pub(super) key: &'n Node,
    pub(super) call: Option<(Call, inline::Inline, &'n Node)>,
    pub(super) input: Option<&'n Node>,
    pub(super) edges: Vec<Edge<'n>>,
    pub(super) requires: Vec<(String, &'n Node)>,
    pub(super) join: Option<(Option<usize>, &'n Node)>,
    pub(super) definition: Map<String, Value>,
}

/// What the workflow declares besides its tasks.
struct Declarations {
    kind: WorkflowKind,
    description: Option<String>,
    inputs: Vec<WorkflowInput>,
    /// Names of the `output` entries, in spec order.
    outputs: Vec<String>,
    /// Names `$.x` may use: inputs, vars, and (later) publishes and with-items variables.
    declared: BTreeSet<String>,
}

/// `task-defaults`: transitions and `requires` every task inherits.
#[derive(Default)]
struct TaskDefaults<'n> {
    edges: Vec<Edge<'n>>,
    requires: Vec<(String, &'n Node)>,
    definition: Option<Map<String, Value>>,
}

pub(super) fn parse_workflow(
    ctx: &mut Ctx,
    src: &[char],
    h: &Header,
    env: &Env,
) -> Option<Workflow> {
    let what = format!("workflow `{}`", h.name);
    let mut f = Fields::new(ctx, h.body, &what)?;
    let mut decl = read_declarations(ctx, &mut f);
    let kind = decl.kind;
    let defaults = read_task_defaults(ctx, &mut f, kind, &mut decl.declared);
    let (tasks_node, tasks) = read_tasks(ctx, &mut f, &what, kind, &mut decl.declared);
    f.finish(ctx, WORKFLOW_KEYS);

    let names: Vec<&str> = tasks.iter().map(|t| t.name.as_str()).collect();
    check_targets(
        ctx,
        kind,
        &names,
        &tasks,
        &defaults.edges,
        &defaults.requires,
    );
    let effective = effective_edges(&tasks, &defaults.edges);
    match kind {
        WorkflowKind::Direct => check_direct(ctx, tasks_node, &tasks, &effective),
        WorkflowKind::Reverse => check_reverse(ctx, &tasks, &defaults.requires),
    }
    for task in &tasks {
        check_call(ctx, src, task, env);
    }
    check_expressions(ctx, src, h.body, &decl.declared);

    let definition = definition(ctx, h.body, &tasks, defaults.definition)?;
    Some(Workflow {
        name: h.name.clone(),
        origin: Origin {
            file: crate::paths::slash(ctx.file),
            line: h.key.pos.line,
        },
        kind,
        description: decl.description,
        inputs: decl.inputs,
        outputs: decl.outputs,
        tasks: model_tasks(&tasks, &effective, &defaults.requires),
        definition: Value::Object(definition),
    })
}

fn read_declarations(ctx: &mut Ctx, f: &mut Fields) -> Declarations {
    let kind = match f.get("type") {
        None => WorkflowKind::Direct,
        Some(n) => match ctx.string(n, "type").as_deref() {
            Some("reverse") => WorkflowKind::Reverse,
            Some("direct") | None => WorkflowKind::Direct,
            Some(other) => {
                ctx.error(
                    Code::InvalidValue,
                    n.pos,
                    format!("unknown workflow type `{other}`"),
                    "use `direct` or `reverse`",
                );
                WorkflowKind::Direct
            }
        },
    };
    let description = f
        .get("description")
        .and_then(|n| ctx.string(n, "description"))
        .map(|d| d.trim_end().to_string());
    if let Some(n) = f.get("tags") {
        ctx.strings(n, "tags");
    }
    let inputs = f
        .get("input")
        .map(|n| parse_inputs(ctx, n))
        .unwrap_or_default();
    let mut declared: BTreeSet<String> = inputs.iter().map(|i| i.name.clone()).collect();
    let mut outputs = Vec::new();
    for key in ["output", "output-on-error", "vars"] {
        if let Some(n) = f.get(key) {
            if let Some(mut m) = Fields::new(ctx, n, &format!("`{key}`")) {
                for (name, _, _) in m.entries() {
                    match key {
                        "output" => outputs.push(name.to_string()),
                        "vars" => {
                            declared.insert(name.to_string());
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    Declarations {
        kind,
        description,
        inputs,
        outputs,
        declared,
    }
}

fn read_task_defaults<'n>(
    ctx: &mut Ctx,
    f: &mut Fields<'n>,
    kind: WorkflowKind,
    declared: &mut BTreeSet<String>,
) -> TaskDefaults<'n> {
    let mut out = TaskDefaults::default();
    if let Some(n) = f.get("task-defaults") {
        if let Some(mut d) = Fields::new(ctx, n, "`task-defaults`") {
            let known: Vec<&str> = TASK_DEFAULTS_KEYS
                .iter()
                .copied()
                .filter(|k| allowed_for(kind, k))
                .collect();
            for on in ON_KEYS {
                if let Some(clause) = d.get(on) {
                    out.edges.extend(parse_on_clause(ctx, on, clause, declared));
                }
            }
            if let Some(r) = d.get("requires") {
                out.requires = parse_requires(ctx, r);
            }
            out.definition = Some(known_json(ctx, n, &known));
            for key in &known {
                d.get(key);
            }
            d.finish(ctx, &known);
        }
    }
    out
}

fn read_tasks<'n>(
    ctx: &mut Ctx,
    f: &mut Fields<'n>,
    what: &str,
    kind: WorkflowKind,
    declared: &mut BTreeSet<String>,
) -> (Option<&'n Node>, Vec<TaskSyntax<'n>>) {
    let mut tasks: Vec<TaskSyntax> = Vec::new();
    let tasks_node = f.require(ctx, "tasks");
    if let Some(node) = tasks_node {
        if let Some(mut t) = Fields::new(ctx, node, &format!("the tasks of {what}")) {
            let entries = t.entries();
            if entries.is_empty() {
                ctx.error(
                    Code::MissingKey,
                    node.pos,
                    format!("{what} has no task"),
                    "add at least one task",
                );
            }
            for (name, key, body) in entries {
                if let Some(task) = parse_task(ctx, kind, name, key, body, declared) {
                    tasks.push(task);
                }
            }
        }
    }
    (tasks_node, tasks)
}

/// The workflow body as uploaded: the known keys in spec order, tasks and defaults as read
/// (the emitter puts the keys in its canonical order).
fn definition(
    ctx: &mut Ctx,
    body: &Node,
    tasks: &[TaskSyntax],
    defaults: Option<Map<String, Value>>,
) -> Option<Map<String, Value>> {
    let Kind::Map(pairs) = &body.kind else {
        return Some(Map::new());
    };
    let mut definition = Map::new();
    for (k, node) in pairs {
        let Some(key) = k.as_str().filter(|k| WORKFLOW_KEYS.contains(k)) else {
            continue;
        };
        if definition.contains_key(key) {
            continue;
        }
        let value = match key {
            "tasks" => Value::Object(
                tasks
                    .iter()
                    .map(|t| (t.name.clone(), Value::Object(t.definition.clone())))
                    .collect(),
            ),
            "task-defaults" => Value::Object(defaults.clone().unwrap_or_default()),
            _ => ctx.json(node, key)?,
        };
        definition.insert(key.to_string(), value);
    }
    Some(definition)
}

/// The keys of `node` that are `known`, in spec order, as JSON.
pub(super) fn known_json(ctx: &mut Ctx, node: &Node, known: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    if let Kind::Map(pairs) = &node.kind {
        for (k, v) in pairs {
            let Some(key) = k.as_str().filter(|k| known.contains(k)) else {
                continue;
            };
            if out.contains_key(key) {
                continue;
            }
            if let Some(json) = ctx.json(v, key) {
                out.insert(key.to_string(), json);
            }
        }
    }
    out
}

/// The tasks as the model holds them: transitions as Mistral applies them.
fn model_tasks(
    tasks: &[TaskSyntax],
    effective: &[Vec<&Edge>],
    default_requires: &[(String, &Node)],
) -> Vec<Task> {
    tasks
        .iter()
        .zip(effective)
        .map(|(t, edges)| Task {
            name: t.name.clone(),
            call: t.call.as_ref().map(|(c, _, _)| c.clone()),
            transitions: edges
                .iter()
                .map(|e| Transition {
                    on: e.on.to_string(),
                    target: e.target.clone(),
                    conditional: e.conditional,
                })
                .collect(),
            requires: if t.requires.is_empty() {
                default_requires
                    .iter()
                    .map(|(r, _)| r.clone())
                    .filter(|r| *r != t.name)
                    .collect()
            } else {
                t.requires.iter().map(|(r, _)| r.clone()).collect()
            },
        })
        .collect()
}
