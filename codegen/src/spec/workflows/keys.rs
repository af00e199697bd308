//! The keys Mistral's DSL v2 defines: what the reader accepts (sets, alphabetical). The
//! order the generated files use is the workflow emitter's.

use crate::model::WorkflowKind;

/// Keys of a workflow.
pub(super) const WORKFLOW_KEYS: &[&str] = &[
    "description",
    "input",
    "output",
    "output-on-error",
    "tags",
    "task-defaults",
    "tasks",
    "type",
    "vars",
];
/// Transitions (direct workflows only), in the order a task's transitions are listed.
pub(super) const ON_KEYS: &[&str] = &["on-success", "on-error", "on-complete", "on-skip"];
/// Keys of a task; `join` and `on-*` are direct-only, `requires` reverse-only.
pub(super) const TASK_KEYS: &[&str] = &[
    "action",
    "concurrency",
    "description",
    "fail-on",
    "input",
    "join",
    "keep-result",
    "on-complete",
    "on-error",
    "on-skip",
    "on-success",
    "pause-before",
    "publish",
    "publish-on-error",
    "publish-on-skip",
    "requires",
    "retry",
    "safe-rerun",
    "tags",
    "target",
    "timeout",
    "wait-after",
    "wait-before",
    "with-items",
    "workflow",
];
/// Keys of `task-defaults`.
pub(super) const TASK_DEFAULTS_KEYS: &[&str] = &[
    "concurrency",
    "fail-on",
    "on-complete",
    "on-error",
    "on-skip",
    "on-success",
    "pause-before",
    "requires",
    "retry",
    "safe-rerun",
    "timeout",
    "wait-after",
    "wait-before",
];

pub(super) fn allowed_for(kind: WorkflowKind, key: &str) -> bool {
    match kind {
        WorkflowKind::Direct => key != "requires",
        WorkflowKind::Reverse => key != "join" && !ON_KEYS.contains(&key),
    }
}
