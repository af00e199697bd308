//! One task, and the clauses tasks and `task-defaults` share: `on-*` transitions in every
//! form, `requires`, `with-items`, `publish`.

use std::collections::BTreeSet;

use super::keys::{allowed_for, ON_KEYS, TASK_KEYS};
use super::read::{known_json, Edge, TaskSyntax};
use crate::diagnostics::Code;
use crate::model::{Call, WorkflowKind};
use crate::spec::reader::{Ctx, Fields};
use crate::workflow::inline;
use crate::yaml::{Kind, Node};

pub(super) fn parse_task<'n>(
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
        definition: known_json(ctx, body, &known),
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
pub(super) fn parse_on_clause<'n>(
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

pub(super) fn parse_requires<'n>(ctx: &mut Ctx, node: &'n Node) -> Vec<(String, &'n Node)> {
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
