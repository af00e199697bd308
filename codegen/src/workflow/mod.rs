//! Static checks on Mistral workflows, beyond what Mistral's own parser catches: the
//! parts that need no YAML (inline call syntax, expressions, signatures, task graphs).
//! `spec::workflows` reads the files and applies them.

pub mod call;
pub mod expr;
pub mod flow;
pub mod graph;
pub mod inline;

use crate::diagnostics::{Code, Severity};

/// The engine commands a transition may name instead of a task
/// (`mistral.lang.v2.workflows.ENGINE_COMMANDS`).
pub const ENGINE_COMMANDS: [&str; 4] = ["noop", "fail", "succeed", "pause"];

/// Every check on workflows, for the catalog: code, severity, what it catches.
pub const CHECKS: &[(Code, Severity, &str)] = &[
    (Code::UnknownAction, Severity::Error, "`action:` names neither a spec'd action nor a Mistral 23 builtin"),
    (Code::UnknownWorkflow, Severity::Error, "`workflow:` names no workflow in specs/workflows"),
    (Code::UnknownParameter, Severity::Error, "a parameter (inline `a=1` or under `input:`) the action or workflow does not take"),
    (Code::MissingParameter, Severity::Error, "a required parameter left out (not checked for `**kwargs` actions, as Mistral does not)"),
    (Code::ParameterTypeMismatch, Severity::Error, "a literal passed to a typed input is not of its type or not among its `enum` values"),
    (Code::UnknownTransitionTarget, Severity::Error, "`on-success`/`on-error`/`on-complete`/`on-skip` or `requires` names no task and no engine command (`fail`, `succeed`, `pause`, `noop`)"),
    (Code::UnreachableTask, Severity::Error, "a task of a direct workflow no start task leads to, or no start task at all"),
    (Code::RequiresCycle, Severity::Error, "tasks of a reverse workflow requiring each other in a cycle"),
    (Code::UnbalancedExpression, Severity::Error, "`<%`/`{{`/`{%` never closed, or `%>`/`}}`/`%}` closing nothing"),
    (Code::UndeclaredVariable, Severity::Warning, "`$.name` / `_.name` where no `input`, `vars`, `publish` or `with-items` declares `name`"),
    (Code::DeprecatedAction, Severity::Warning, "a deprecated action is used; the message names its replacement"),
    (Code::DuplicateWorkflow, Severity::Error, "two workflows with one name"),
    (Code::InvalidWorkflow, Severity::Error, "what Mistral would refuse: bad `version`, task or workflow name, both `action` and `workflow`, bad `with-items` or inline syntax, `join` without enough inbound tasks, a plain `yes`/`no`/`on`/`off` (a boolean to Mistral's YAML 1.1, a string to YAML 1.2)"),
    (Code::IgnoredInlineParameter, Severity::Warning, "an inline `key=value` Mistral's parser silently drops (e.g. `force=True`: only `true`, digits, quotes, lists and expressions are values)"),
];
