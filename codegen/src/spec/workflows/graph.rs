//! The task graph: transition and `requires` targets that exist, tasks a direct workflow
//! reaches, `join` counts, `requires` cycles in reverse workflows.

use super::keys::ON_KEYS;
use super::read::{Edge, TaskSyntax};
use crate::diagnostics::Code;
use crate::model::WorkflowKind;
use crate::spec::reader::Ctx;
use crate::suggest::closest;
use crate::workflow::{graph, ENGINE_COMMANDS};
use crate::yaml::{Node, Pos};

pub(super) fn check_targets(
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
pub(super) fn effective_edges<'a, 'n>(
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

pub(super) fn check_direct(
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

pub(super) fn check_reverse(
    ctx: &mut Ctx,
    tasks: &[TaskSyntax],
    default_requires: &[(String, &Node)],
) {
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
