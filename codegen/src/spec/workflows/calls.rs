//! What a task calls: the action or workflow must exist, and the parameters it is given
//! (inline `a=1` or under `input:`) must be ones it takes, of its types, with nothing
//! required left out.

use serde_json::Value;

use super::offsets::sub_pos;
use super::read::TaskSyntax;
use super::Env;
use crate::builtins;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::Call;
use crate::spec::reader::Ctx;
use crate::suggest::closest;
use crate::workflow::call::Signature;
use crate::yaml::{Kind, Node, Pos};

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

pub(super) fn check_call(ctx: &mut Ctx, src: &[char], task: &TaskSyntax, env: &Env) {
    let Some((call, parsed, node)) = &task.call else {
        return;
    };
    let Some(sig) = signature(ctx, task, call, node, env) else {
        return;
    };
    let (given, open_input) = given(ctx, src, task, parsed, node);
    let callee = match call {
        Call::Action(n) => format!("action `{n}`"),
        Call::Workflow(n) => format!("workflow `{n}`"),
    };
    for g in &given {
        check_given(ctx, g, &sig, &callee);
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

/// The signature of what `task` calls, or `None` (reported) when it names nothing known.
fn signature(
    ctx: &mut Ctx,
    task: &TaskSyntax,
    call: &Call,
    node: &Node,
    env: &Env,
) -> Option<Signature> {
    match call {
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
                Some(Signature::of_action(a))
            } else if let Some(input) = builtins::all().get(name.as_str()) {
                Some(Signature::parse_input_string(input))
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
                None
            }
        }
        Call::Workflow(name) => match env.workflows.get(name) {
            Some(sig) => Some(sig.clone()),
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
                None
            }
        },
    }
}

/// Every parameter the task passes, inline or under `input:`, and whether `input:` is an
/// expression (then nothing can be said about what is missing).
fn given(
    ctx: &mut Ctx,
    src: &[char],
    task: &TaskSyntax,
    parsed: &crate::workflow::inline::Inline,
    node: &Node,
) -> (Vec<Given>, bool) {
    let text = node.as_str().unwrap_or_default();
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
    (given, open_input)
}

/// One given parameter against the signature: known, and a literal of its type and enum.
fn check_given(ctx: &mut Ctx, g: &Given, sig: &Signature, callee: &str) {
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
        return;
    };
    let (Some(ty), Some(value)) = (param.ty, &g.literal) else {
        return;
    };
    if value.is_null() && !param.required {
        return;
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
