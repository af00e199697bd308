//! `specs/workflows/**.yaml`: Mistral DSL v2 workflows (`version: '2.0'`, one or more
//! workflows per file), read into the model and checked against the actions, the builtins
//! and each other (the checks are listed in [`crate::workflow::CHECKS`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::reader::{Ctx, Fields};
use super::source;
use crate::builtins;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{
    is_uuid, Action, Call, Origin, Project, Task, Transition, Workflow, WorkflowInput, WorkflowKind,
};
use crate::workflow::call::Signature;
use crate::workflow::{expr, graph, inline, ENGINE_COMMANDS};
use crate::yaml::{Kind, Node, Pos};
use crate::Error;

pub const WORKFLOWS_DIR: &str = "specs/workflows";

/// Workflow keys in the order the generated files use.
const WORKFLOW_KEYS: &[&str] = &[
    "type",
    "description",
    "tags",
    "input",
    "output",
    "output-on-error",
    "vars",
    "task-defaults",
    "tasks",
];
const ON_KEYS: &[&str] = &["on-success", "on-error", "on-complete", "on-skip"];
/// Task keys in the order the generated files use; `join`/`on-*` are direct-only,
/// `requires` reverse-only.
const TASK_KEYS: &[&str] = &[
    "description",
    "tags",
    "action",
    "workflow",
    "input",
    "with-items",
    "concurrency",
    "target",
    "join",
    "requires",
    "pause-before",
    "wait-before",
    "wait-after",
    "timeout",
    "retry",
    "fail-on",
    "keep-result",
    "safe-rerun",
    "publish",
    "publish-on-error",
    "publish-on-skip",
    "on-success",
    "on-error",
    "on-complete",
    "on-skip",
];
const TASK_DEFAULTS_KEYS: &[&str] = &[
    "requires",
    "pause-before",
    "wait-before",
    "wait-after",
    "timeout",
    "retry",
    "concurrency",
    "fail-on",
    "safe-rerun",
    "on-success",
    "on-error",
    "on-complete",
    "on-skip",
];

struct SpecFile {
    rel: PathBuf,
    src: Vec<char>,
    root: Node,
}

/// A workflow's name and inputs, known before any task is read so that tasks can call
/// workflows of any file.
struct Header<'n> {
    name: String,
    key: &'n Node,
    body: &'n Node,
    file: usize,
    inputs: Vec<WorkflowInput>,
}

/// What tasks can call.
struct Env<'a> {
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
    let mut files = Vec::new();
    for rel in super::spec_files(root, WORKFLOWS_DIR)? {
        let mut ctx = Ctx { file: &rel, diags };
        if let Some((text, node)) = source::read(&mut ctx, &root.join(&rel), project.max_file_bytes)
        {
            files.push(SpecFile {
                src: text.chars().collect(),
                root: node,
                rel,
            });
        }
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
    let mut out = Vec::new();
    for h in &headers {
        let f = &files[h.file];
        let mut ctx = Ctx {
            file: &f.rel,
            diags,
        };
        if let Some(w) = parse_workflow(&mut ctx, &f.src, h, &env) {
            out.push(w);
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn read_headers<'n>(ctx: &mut Ctx, root: &'n Node, file: usize) -> Vec<Header<'n>> {
    if root.kind == Kind::Null {
        ctx.error(
            Code::MissingKey,
            root.pos,
            "the file is empty",
            "add `version: '2.0'` and a workflow, or delete the file",
        );
        return Vec::new();
    }
    let Some(mut fields) = Fields::new(ctx, root, "a workflows file") else {
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
        let inputs = match &body.kind {
            Kind::Map(pairs) => pairs
                .iter()
                .find(|(k, _)| k.as_str() == Some("input"))
                .map(|(_, n)| parse_inputs(&mut quiet, n))
                .unwrap_or_default(),
            _ => Vec::new(),
        };
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
fn parse_inputs(ctx: &mut Ctx, node: &Node) -> Vec<WorkflowInput> {
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

/// A transition as written, with where it is written.
struct Edge<'n> {
    on: &'static str,
    target: String,
    node: &'n Node,
    conditional: bool,
}

/// What one task says, with the nodes the checks point at.
struct TaskSyntax<'n> {
    name: String,
    key: &'n Node,
    call: Option<(Call, inline::Inline, &'n Node)>,
    input: Option<&'n Node>,
    edges: Vec<Edge<'n>>,
    requires: Vec<(String, &'n Node)>,
    join: Option<(Option<usize>, &'n Node)>,
    definition: Map<String, Value>,
}

fn parse_workflow(ctx: &mut Ctx, src: &[char], h: &Header, env: &Env) -> Option<Workflow> {
    let what = format!("workflow `{}`", h.name);
    let mut f = Fields::new(ctx, h.body, &what)?;
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

    let mut default_edges = Vec::new();
    let mut default_requires = Vec::new();
    let mut defaults_definition = None;
    if let Some(n) = f.get("task-defaults") {
        if let Some(mut d) = Fields::new(ctx, n, "`task-defaults`") {
            let known: Vec<&str> = TASK_DEFAULTS_KEYS
                .iter()
                .copied()
                .filter(|k| allowed_for(kind, k))
                .collect();
            for on in ON_KEYS {
                if let Some(clause) = d.get(on) {
                    default_edges.extend(parse_on_clause(ctx, on, clause, &mut declared));
                }
            }
            if let Some(r) = d.get("requires") {
                default_requires = parse_requires(ctx, r);
            }
            defaults_definition = Some(canonical(ctx, n, &known));
            for key in &known {
                d.get(key);
            }
            d.finish(ctx, &known);
        }
    }

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
                if let Some(task) = parse_task(ctx, kind, name, key, body, &mut declared) {
                    tasks.push(task);
                }
            }
        }
    }
    f.finish(ctx, WORKFLOW_KEYS);

    let names: Vec<&str> = tasks.iter().map(|t| t.name.as_str()).collect();
    check_targets(ctx, kind, &names, &tasks, &default_edges, &default_requires);
    let effective = effective_edges(&tasks, &default_edges);
    match kind {
        WorkflowKind::Direct => check_direct(ctx, tasks_node, &tasks, &effective),
        WorkflowKind::Reverse => check_reverse(ctx, &tasks, &default_requires),
    }
    for task in &tasks {
        check_call(ctx, src, task, env);
    }
    check_expressions(ctx, src, h.body, &declared);

    let mut definition = Map::new();
    for key in WORKFLOW_KEYS {
        let Some(node) = field(h.body, key) else {
            continue;
        };
        let value = match *key {
            "tasks" => Value::Object(
                tasks
                    .iter()
                    .map(|t| (t.name.clone(), Value::Object(t.definition.clone())))
                    .collect(),
            ),
            "task-defaults" => Value::Object(defaults_definition.clone().unwrap_or_default()),
            _ => ctx.json(node, key)?,
        };
        definition.insert(key.to_string(), value);
    }

    let model_tasks = tasks
        .iter()
        .zip(&effective)
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
        .collect();
    Some(Workflow {
        name: h.name.clone(),
        origin: Origin {
            file: ctx.file.to_path_buf(),
            line: h.key.pos.line,
        },
        kind,
        description,
        inputs,
        outputs,
        tasks: model_tasks,
        definition: Value::Object(definition),
    })
}

fn allowed_for(kind: WorkflowKind, key: &str) -> bool {
    match kind {
        WorkflowKind::Direct => key != "requires",
        WorkflowKind::Reverse => key != "join" && !ON_KEYS.contains(&key),
    }
}

fn field<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    match &node.kind {
        Kind::Map(pairs) => pairs
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// The keys of `node` that are in `order`, in that order, as JSON.
fn canonical(ctx: &mut Ctx, node: &Node, order: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    for key in order {
        if let Some(v) = field(node, key) {
            if let Some(json) = ctx.json(v, key) {
                out.insert(key.to_string(), json);
            }
        }
    }
    out
}

fn parse_task<'n>(
    ctx: &mut Ctx,
    kind: WorkflowKind,
    name: &str,
    key: &'n Node,
    body: &'n Node,
    declared: &mut BTreeSet<String>,
) -> Option<TaskSyntax<'n>> {
    let what = format!("task `{name}`");
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') || name.len() > 255
    {
        ctx.error(
            Code::InvalidWorkflow,
            key.pos,
            format!("task name `{name}` is not a word"),
            "Mistral accepts task names matching `^\\w+$` (letters, digits, `_`), at most 255 long",
        );
    }
    let mut f = Fields::new(ctx, body, &what)?;
    let known: Vec<&str> = TASK_KEYS
        .iter()
        .copied()
        .filter(|k| allowed_for(kind, k))
        .collect();

    let action = f.get("action");
    let workflow = f.get("workflow");
    if let (Some(_), Some(w)) = (action, workflow) {
        ctx.error(
            Code::InvalidWorkflow,
            w.pos,
            format!("{what} has both `action` and `workflow`"),
            "a task calls one action or one workflow; split it into two tasks",
        );
    }
    let mut call = None;
    if let Some((node, is_workflow)) = action.map(|n| (n, false)).or(workflow.map(|n| (n, true))) {
        if let Some(text) = ctx.string(node, if is_workflow { "workflow" } else { "action" }) {
            let dynamic = ["<%", "{{", "{%"]
                .iter()
                .any(|o| text.trim_start().starts_with(o));
            match inline::parse(&text) {
                _ if dynamic => {}
                None => ctx.error(
                    Code::InvalidWorkflow,
                    node.pos,
                    format!("Mistral finds no action or workflow name at the start of `{text}`"),
                    "write `name key=value …`",
                ),
                Some(parsed) => {
                    let c = if is_workflow {
                        Call::Workflow(parsed.command.clone())
                    } else {
                        Call::Action(parsed.command.clone())
                    };
                    call = Some((c, parsed, node));
                }
            }
        }
    }
    let input = f.get("input");
    if let Some(n) = input {
        if !matches!(n.kind, Kind::Map(_) | Kind::Str(_)) {
            ctx.wrong_type(n, "input", "a mapping or an expression");
        }
    }
    for key in ["publish", "publish-on-error", "publish-on-skip"] {
        if let Some(n) = f.get(key) {
            declared.extend(map_keys(ctx, n, key));
        }
    }
    if let Some(n) = f.get("with-items") {
        let items: Vec<&Node> = match &n.kind {
            Kind::Seq(items) => items.iter().collect(),
            _ => vec![n],
        };
        for item in items {
            if let Some(s) = ctx.string(item, "with-items") {
                match with_items_var(&s) {
                    Some(var) => {
                        declared.insert(var);
                    }
                    None => ctx.error(
                        Code::InvalidWorkflow,
                        item.pos,
                        format!("`with-items: {s}` is not `var in <list or expression>`"),
                        "write e.g. `with-items: server in <% $.servers %>`",
                    ),
                }
            }
        }
    }
    let mut edges = Vec::new();
    for on in ON_KEYS {
        if let Some(n) = f.get(on) {
            edges.extend(parse_on_clause(ctx, on, n, declared));
        }
    }
    let requires = f
        .get("requires")
        .map(|n| parse_requires(ctx, n))
        .unwrap_or_default();
    let join = f.get("join").and_then(|n| match &n.kind {
        Kind::Str(s) if s == "all" => Some((None, n)),
        Kind::Str(s) if s == "one" => Some((Some(1), n)),
        Kind::Int(i) if *i > 0 => Some((Some(*i as usize), n)),
        _ => {
            ctx.error(
                Code::InvalidValue,
                n.pos,
                "`join` must be `all`, `one` or a positive integer",
                "write `join: all`",
            );
            None
        }
    });
    for key in &known {
        f.get(key);
    }
    f.finish(ctx, &known);
    Some(TaskSyntax {
        name: name.to_string(),
        key,
        call,
        input,
        edges,
        requires,
        join,
        definition: canonical(ctx, body, &known),
    })
}

fn map_keys(ctx: &mut Ctx, node: &Node, what: &str) -> Vec<String> {
    match Fields::new(ctx, node, &format!("`{what}`")) {
        Some(mut m) => m
            .entries()
            .into_iter()
            .map(|(k, _, _)| k.to_string())
            .collect(),
        None => Vec::new(),
    }
}

/// `var in [list]` or `var in <% expression %>` (tasks.py `WITH_ITEMS_PTRN`).
fn with_items_var(s: &str) -> Option<String> {
    let s = s.trim_start();
    let var: String = s
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
        .collect();
    let rest = s[var.len()..].trim_start().strip_prefix("in")?;
    let rest = rest.trim_start();
    let ok = !var.is_empty()
        && (rest.len() > 2 && rest.starts_with('[') && rest.contains(']')
            || ["<%", "{{", "{%"].iter().any(|o| rest.starts_with(o)));
    ok.then_some(var)
}

/// One `on-*` clause in any of its forms: `task`, `[task, {task: <% cond %>}]`, `{task:
/// <% cond %>}` or `{publish: …, next: …}`. Published names go to `declared`.
fn parse_on_clause<'n>(
    ctx: &mut Ctx,
    on: &'static str,
    node: &'n Node,
    declared: &mut BTreeSet<String>,
) -> Vec<Edge<'n>> {
    let mut out = Vec::new();
    match &node.kind {
        Kind::Map(pairs)
            if pairs
                .iter()
                .any(|(k, _)| matches!(k.as_str(), Some("publish" | "next"))) =>
        {
            if let Some(mut f) = Fields::new(ctx, node, &format!("`{on}`")) {
                if let Some(p) = f.get("publish") {
                    if let Some(mut scopes) = Fields::new(ctx, p, "`publish`") {
                        for scope in ["branch", "global", "atomic"] {
                            if let Some(s) = scopes.get(scope) {
                                declared.extend(map_keys(ctx, s, scope));
                            }
                        }
                        scopes.finish(ctx, &["branch", "global", "atomic"]);
                    }
                }
                if let Some(next) = f.get("next") {
                    next_entries(ctx, on, next, &mut out);
                }
                f.finish(ctx, &["publish", "next"]);
            }
        }
        _ => next_entries(ctx, on, node, &mut out),
    }
    out
}

fn next_entries<'n>(ctx: &mut Ctx, on: &'static str, node: &'n Node, out: &mut Vec<Edge<'n>>) {
    match &node.kind {
        Kind::Str(s) => out.push(edge(on, s, node, false)),
        Kind::Map(pairs) if pairs.len() == 1 => match &pairs[0].0.kind {
            Kind::Str(s) => out.push(edge(on, s, &pairs[0].0, true)),
            _ => ctx.wrong_type(&pairs[0].0, on, "a task name"),
        },
        Kind::Seq(items) => {
            for item in items {
                if matches!(item.kind, Kind::Seq(_)) {
                    ctx.wrong_type(item, on, "a task name or `task: <% condition %>`");
                } else {
                    next_entries(ctx, on, item, out);
                }
            }
        }
        _ => ctx.wrong_type(node, on, "a task name, a list, or `task: <% condition %>`"),
    }
}

fn edge<'n>(on: &'static str, text: &str, node: &'n Node, conditional: bool) -> Edge<'n> {
    let target = inline::parse(text)
        .map(|p| p.command)
        .unwrap_or_else(|| text.to_string());
    Edge {
        on,
        target,
        node,
        conditional,
    }
}

fn parse_requires<'n>(ctx: &mut Ctx, node: &'n Node) -> Vec<(String, &'n Node)> {
    match &node.kind {
        Kind::Str(s) => vec![(s.clone(), node)],
        Kind::Seq(items) => items
            .iter()
            .filter_map(|n| Some((ctx.string(n, "requires")?, n)))
            .collect(),
        _ => {
            ctx.wrong_type(node, "requires", "a task name or a list of task names");
            Vec::new()
        }
    }
}

fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::levenshtein(c, name), c))
        .filter(|(d, c)| *d <= 3.max(name.len() / 4) && *d < name.len().max(c.len()))
        .min()
        .map(|(_, c)| c)
}

fn check_targets(
    ctx: &mut Ctx,
    kind: WorkflowKind,
    names: &[&str],
    tasks: &[TaskSyntax],
    default_edges: &[Edge],
    default_requires: &[(String, &Node)],
) {
    let all_edges = tasks.iter().flat_map(|t| &t.edges).chain(default_edges);
    for e in all_edges {
        if !names.contains(&e.target.as_str()) && !ENGINE_COMMANDS.contains(&e.target.as_str()) {
            let help = match closest(&e.target, names.iter().copied().chain(ENGINE_COMMANDS)) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!(
                    "tasks: {}; engine commands: {}",
                    names.join(", "),
                    ENGINE_COMMANDS.join(", ")
                ),
            };
            ctx.error(
                Code::UnknownTransitionTarget,
                e.node.pos,
                format!(
                    "`{}` goes to `{}`, which is neither a task nor an engine command",
                    e.on, e.target
                ),
                &help,
            );
        }
    }
    if kind == WorkflowKind::Reverse {
        let all_requires = tasks
            .iter()
            .flat_map(|t| &t.requires)
            .chain(default_requires);
        for (r, node) in all_requires {
            if !names.contains(&r.as_str()) {
                let help = match closest(r, names.iter().copied()) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!("tasks: {}", names.join(", ")),
                };
                ctx.error(
                    Code::UnknownTransitionTarget,
                    node.pos,
                    format!("`requires` names `{r}`, which is not a task of this workflow"),
                    &help,
                );
            }
        }
    }
}

/// Per task, its transitions as Mistral applies them: its own clause of each kind, or
/// else the `task-defaults` one without itself.
fn effective_edges<'a, 'n>(
    tasks: &'a [TaskSyntax<'n>],
    defaults: &'a [Edge<'n>],
) -> Vec<Vec<&'a Edge<'n>>> {
    tasks
        .iter()
        .map(|t| {
            let mut out = Vec::new();
            for on in ON_KEYS {
                let own: Vec<&Edge> = t.edges.iter().filter(|e| e.on == *on).collect();
                if own.is_empty() {
                    out.extend(
                        defaults
                            .iter()
                            .filter(|e| e.on == *on && e.target != t.name),
                    );
                } else {
                    out.extend(own);
                }
            }
            out
        })
        .collect()
}

fn check_direct(
    ctx: &mut Ctx,
    tasks_node: Option<&Node>,
    tasks: &[TaskSyntax],
    effective: &[Vec<&Edge>],
) {
    if tasks.is_empty() {
        return;
    }
    let index = |name: &str| tasks.iter().position(|t| t.name == name);
    let edges: Vec<Vec<usize>> = effective
        .iter()
        .map(|es| es.iter().filter_map(|e| index(&e.target)).collect())
        .collect();
    let (starts, unreachable) = graph::reachability(&edges);
    if starts.is_empty() {
        ctx.error(
            Code::UnreachableTask,
            tasks_node.map_or(tasks[0].key.pos, |n| n.pos),
            "every task has an inbound transition, so Mistral finds no task to start with",
            "a direct workflow starts with the tasks nothing transitions to; remove a transition into one",
        );
        return;
    }
    for i in unreachable {
        ctx.error(
            Code::UnreachableTask,
            tasks[i].key.pos,
            format!(
                "task `{}` is never run: no start task leads to it",
                tasks[i].name
            ),
            &format!(
                "start tasks: {}; add a transition to it from a task they reach, or remove it",
                starts
                    .iter()
                    .map(|&s| tasks[s].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    for (i, t) in tasks.iter().enumerate() {
        let Some((need, node)) = t.join else { continue };
        let inbound = edges.iter().filter(|es| es.contains(&i)).count();
        if inbound < need.unwrap_or(1) {
            ctx.error(
                Code::InvalidWorkflow,
                node.pos,
                format!(
                    "task `{}` joins {} inbound task(s) but has {inbound}",
                    t.name,
                    need.map_or("all".to_string(), |n| n.to_string())
                ),
                "Mistral refuses a `join` with fewer inbound transitions than it waits for",
            );
        }
    }
}

fn check_reverse(ctx: &mut Ctx, tasks: &[TaskSyntax], default_requires: &[(String, &Node)]) {
    let index = |name: &str| tasks.iter().position(|t| t.name == name);
    let requires_of = |t: &TaskSyntax| -> Vec<(String, Pos)> {
        if t.requires.is_empty() {
            default_requires
                .iter()
                .filter(|(r, _)| *r != t.name)
                .map(|(r, n)| (r.clone(), n.pos))
                .collect()
        } else {
            t.requires.iter().map(|(r, n)| (r.clone(), n.pos)).collect()
        }
    };
    let reqs: Vec<Vec<(String, Pos)>> = tasks.iter().map(requires_of).collect();
    let edges: Vec<Vec<usize>> = reqs
        .iter()
        .map(|rs| rs.iter().filter_map(|(r, _)| index(r)).collect())
        .collect();
    for cycle in graph::cycles(&edges) {
        let (Some(&first), Some(&last)) = (cycle.first(), cycle.last()) else {
            continue;
        };
        let pos = reqs[last]
            .iter()
            .find(|(r, _)| *r == tasks[first].name)
            .map_or(tasks[last].key.pos, |(_, p)| *p);
        let mut path: Vec<&str> = cycle.iter().map(|&i| tasks[i].name.as_str()).collect();
        path.push(&tasks[first].name);
        ctx.error(
            Code::RequiresCycle,
            pos,
            format!("`requires` cycle: {}", path.join(" requires ")),
            "Mistral could never start any of these tasks; break the cycle",
        );
    }
}

/// A parameter a task passes: name, its literal value (`None` for expressions), where.
struct Given {
    name: String,
    literal: Option<Value>,
    pos: Pos,
}

fn is_expression(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| ["<%", "{{", "{%"].iter().any(|o| s.contains(o)))
}

fn check_call(ctx: &mut Ctx, src: &[char], task: &TaskSyntax, env: &Env) {
    let Some((call, parsed, node)) = &task.call else {
        return;
    };
    let text = node.as_str().unwrap_or_default();
    let sig = match call {
        Call::Action(name) => {
            if let Some(a) = env.actions.get(name.as_str()) {
                if let Some(dep) = &a.deprecated {
                    let mut message = format!("`{name}` is deprecated");
                    if let Some(since) = &dep.since {
                        message.push_str(&format!(" since {since}"));
                    }
                    let help = match (&dep.replaced_by, &dep.message) {
                        (Some(r), _) => format!("use `{r}` instead"),
                        (None, Some(m)) => m.clone(),
                        (None, None) => "it may be removed in a later release".to_string(),
                    };
                    ctx.diags.push(
                        Diagnostic::warning(Code::DeprecatedAction, ctx.file, node.pos, message)
                            .with_help(help),
                    );
                }
                Signature::of_action(a)
            } else if let Some(input) = builtins::all().get(name.as_str()) {
                Signature::parse_input_string(input)
            } else {
                let candidates = env
                    .actions
                    .keys()
                    .copied()
                    .chain(builtins::all().keys().copied());
                let help = match closest(name, candidates) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => "name an action from specs/actions or a Mistral builtin (`std.*`, `nova.*`, …)".into(),
                };
                ctx.error(Code::UnknownAction, node.pos, format!("task `{}` calls `{name}`, which is no spec'd action and no Mistral builtin", task.name), &help);
                return;
            }
        }
        Call::Workflow(name) => match env.workflows.get(name) {
            Some(sig) => sig.clone(),
            None => {
                let help = match closest(name, env.workflows.keys().map(String::as_str)) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => "define it in specs/workflows".into(),
                };
                ctx.error(
                    Code::UnknownWorkflow,
                    node.pos,
                    format!(
                        "task `{}` calls workflow `{name}`, which the specs do not define",
                        task.name
                    ),
                    &help,
                );
                return;
            }
        },
    };

    let mut given: Vec<Given> = parsed
        .params
        .iter()
        .map(|p| Given {
            name: p.name.clone(),
            literal: (!is_expression(&p.value)).then(|| p.value.clone()),
            pos: sub_pos(src, node, text, p.offset),
        })
        .collect();
    for d in &parsed.dropped {
        ctx.diags.push(
            Diagnostic::warning(
                Code::IgnoredInlineParameter,
                ctx.file,
                sub_pos(src, node, text, d.offset),
                format!("Mistral drops `{}=…`: its value is not quoted, a number, `true`/`false`/`null`, a list or an expression", d.name),
            )
            .with_help("quote the value (`key='value'`), write `true`/`false` in lower case, or move it under `input:`"),
        );
    }
    let mut open_input = false;
    match task.input.map(|n| &n.kind) {
        Some(Kind::Map(pairs)) => {
            for (k, v) in pairs {
                let Some(name) = k.as_str() else { continue };
                let literal = ctx.json(v, name).filter(|v| !is_expression(v));
                given.push(Given {
                    name: name.to_string(),
                    literal,
                    pos: k.pos,
                });
            }
        }
        Some(Kind::Str(_)) => open_input = true,
        _ => {}
    }

    let callee = match call {
        Call::Action(n) => format!("action `{n}`"),
        Call::Workflow(n) => format!("workflow `{n}`"),
    };
    let takes = || {
        if sig.params.is_empty() {
            "it takes no parameters".to_string()
        } else {
            format!(
                "it takes: {}",
                sig.params
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    };
    for g in &given {
        let Some(param) = sig.param(&g.name) else {
            if !sig.open {
                let help = match closest(&g.name, sig.params.iter().map(|p| p.name.as_str())) {
                    Some(c) => format!("did you mean `{c}`? {}", takes()),
                    None => takes(),
                };
                ctx.error(
                    Code::UnknownParameter,
                    g.pos,
                    format!("{callee} has no parameter `{}`", g.name),
                    &help,
                );
            }
            continue;
        };
        let (Some(ty), Some(value)) = (param.ty, &g.literal) else {
            continue;
        };
        if value.is_null() && !param.required {
            continue;
        }
        if !ty.accepts(value) {
            ctx.error(
                Code::ParameterTypeMismatch,
                g.pos,
                format!(
                    "`{}` of {callee} is of type `{}`; {value} is not",
                    g.name,
                    ty.as_str()
                ),
                &format!("pass a {} (or an expression)", ty.as_str()),
            );
        } else if let Some(values) = &param.enum_values {
            if !values.contains(value) {
                let listed: Vec<String> = values.iter().map(Value::to_string).collect();
                ctx.error(
                    Code::ParameterTypeMismatch,
                    g.pos,
                    format!(
                        "`{}` of {callee} is one of {}; {value} is not",
                        g.name,
                        listed.join(", ")
                    ),
                    "pass one of the listed values",
                );
            }
        }
    }
    if !sig.open && !open_input {
        for p in sig.params.iter().filter(|p| p.required) {
            if !given.iter().any(|g| g.name == p.name) {
                ctx.error(
                    Code::MissingParameter,
                    node.pos,
                    format!(
                        "task `{}` does not pass `{}`, which {callee} requires",
                        task.name, p.name
                    ),
                    &format!("add `{}=<% … %>` inline or under `input:`", p.name),
                );
            }
        }
    }
}

/// Balanced delimiters in every string, and `$.x` / `_.x` naming something declared.
fn check_expressions(ctx: &mut Ctx, src: &[char], body: &Node, declared: &BTreeSet<String>) {
    let mut strings = Vec::new();
    collect_strings(body, &mut strings);
    for (node, s) in strings {
        check_yaml11_boolean(ctx, src, node, s);
        let (_, problems) = expr::scan(s);
        for p in problems {
            ctx.error(
                Code::UnbalancedExpression,
                sub_pos(src, node, s, p.offset),
                p.message,
                "expressions are `<% YAQL %>`, `{{ Jinja }}` or `{% Jinja %}`",
            );
        }
        for (offset, name) in expr::context_refs(s) {
            if declared.contains(&name) {
                continue;
            }
            let help = match closest(&name, declared.iter().map(String::as_str)) {
                Some(c) => {
                    format!("did you mean `{c}`? Declare it in `input`, `vars` or a `publish`")
                }
                None => "declare it in `input`, `vars` or a `publish`".to_string(),
            };
            ctx.diags.push(
                Diagnostic::warning(
                    Code::UndeclaredVariable,
                    ctx.file,
                    sub_pos(src, node, s, offset),
                    format!(
                        "`{name}` is not declared by any input, var or publish of this workflow"
                    ),
                )
                .with_help(help),
            );
        }
    }
}

/// Mistral reads YAML 1.1 (PyYAML), where a plain `yes`/`no`/`on`/`off` is a boolean;
/// the specs are read as YAML 1.2, where it is a string. Refuse the ambiguity.
fn check_yaml11_boolean(ctx: &mut Ctx, src: &[char], node: &Node, s: &str) {
    const WORDS: [&str; 12] = [
        "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
    ];
    let plain = !matches!(src.get(node.pos.char_offset), Some('"' | '\'' | '|' | '>'));
    if plain && WORDS.contains(&s) {
        let b = matches!(s, "yes" | "Yes" | "YES" | "on" | "On" | "ON");
        ctx.error(
            Code::InvalidWorkflow,
            node.pos,
            format!(
                "plain `{s}` is the boolean {b} to Mistral (YAML 1.1) but a string to YAML 1.2"
            ),
            &format!("write `{b}`, or quote it (`'{s}'`) if you mean the text"),
        );
    }
}

fn collect_strings<'n>(node: &'n Node, out: &mut Vec<(&'n Node, &'n str)>) {
    match &node.kind {
        Kind::Str(s) => out.push((node, s)),
        Kind::Seq(items) => items.iter().for_each(|n| collect_strings(n, out)),
        Kind::Map(pairs) => {
            for (k, v) in pairs {
                collect_strings(k, out);
                collect_strings(v, out);
            }
        }
        _ => {}
    }
}

/// Where the `idx`th character of the string `value` of `node` is in the source: exact
/// for one-line plain and quoted scalars without escapes before it, else the node itself.
fn sub_pos(src: &[char], node: &Node, value: &str, idx: usize) -> Pos {
    let start = node.pos.char_offset;
    let adj = match src.get(start) {
        Some('"' | '\'') => 1,
        Some(_) => 0,
        None => return node.pos,
    };
    let from = start + adj;
    let same = value.chars().take(idx + 1).count() == idx + 1
        && src.len() >= from + idx
        && value
            .chars()
            .take(idx)
            .eq(src[from..from + idx].iter().copied())
        && !src[from..from + idx].contains(&'\n');
    if !same {
        return node.pos;
    }
    Pos {
        line: node.pos.line,
        col: node.pos.col + adj + idx,
        char_offset: from + idx,
    }
}
