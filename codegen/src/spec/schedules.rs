//! `specs/schedules/**.yaml`: workflows run on a cron pattern, each one Mistral cron
//! trigger. Checked as Mistral 23 would check the trigger (its pattern with croniter, its
//! input against the workflow), and for what Mistral only finds when the trigger fires or
//! never: a pattern that can never fire, a literal of the wrong type for the action the
//! workflow hands it to, two triggers its unique key would refuse together.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::names::check_deployment_name;
use super::reader::{Ctx, Fields};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{Action, Environment, Origin, Schedule, Workflow};
use crate::suggest::closest;
use crate::workflow::flow::typed_uses;
use crate::yaml::{Node, Pos};

const FILE_KEYS: &[&str] = &["schedules"];
const KEYS: &[&str] = &[
    "description",
    "workflow",
    "input",
    "pattern",
    "first_execution_time",
    "environment",
];

/// `cron_triggers_v2.pattern` is `varchar(100)`.
pub const MAX_PATTERN: usize = 100;

/// A schedule as read, with where each part is written, for the checks across specs.
pub struct Parsed {
    pub schedule: Schedule,
    file: std::path::PathBuf,
    name_pos: Pos,
    workflow_pos: Pos,
    environment_pos: Option<Pos>,
    /// Input name → where its key is.
    input_pos: BTreeMap<String, Pos>,
    input_node_pos: Pos,
}

pub fn parse_file(ctx: &mut Ctx, root: &Node) -> Vec<Parsed> {
    let fill = "add `schedules:` with at least one schedule, or delete the file";
    let Some(mut fields) = Fields::of_file(ctx, root, "a schedules file", fill) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(node) = fields.require(ctx, "schedules") {
        if let Some(mut all) = Fields::new(ctx, node, "`schedules`") {
            for (name, key, body) in all.entries() {
                out.extend(parse_schedule(ctx, name, key, body));
            }
        }
    }
    fields.finish(ctx, FILE_KEYS);
    out
}

fn parse_schedule(ctx: &mut Ctx, name: &str, key: &Node, body: &Node) -> Option<Parsed> {
    let what = format!("schedule `{name}`");
    check_deployment_name(ctx, "schedule", name, key.pos);
    let mut f = Fields::new(ctx, body, &what)?;
    if let Some(n) = f.get("remaining_executions") {
        ctx.error(
            Code::UnknownKey,
            n.pos,
            format!("{what} has `remaining_executions`; schedules recur"),
            "Mistral deletes a trigger after its last execution, and the next apply would create it again; remove the key (for a one-off run, start the workflow with `mistral execution-create`)",
        );
    }
    let description = f
        .require(ctx, "description")
        .and_then(|n| ctx.string(n, "description"))
        .map(|d| d.trim_end().to_string());
    let workflow_node = f.require(ctx, "workflow");
    let workflow = workflow_node.and_then(|n| ctx.string(n, "workflow"));
    let pattern_node = f.require(ctx, "pattern");
    let pattern = pattern_node.and_then(|n| ctx.string(n, "pattern"));
    let pattern_words = match (pattern_node, &pattern) {
        (Some(n), Some(p)) => check_pattern(ctx, p, n.pos),
        _ => None,
    };
    let first_execution_time = f.get("first_execution_time").and_then(|n| {
        let t = ctx.string(n, "first_execution_time")?;
        check_first_execution_time(ctx, &t, n.pos).then_some(t)
    });
    let environment_node = f.get("environment");
    let environment = environment_node.and_then(|n| ctx.string(n, "environment"));
    let mut input = Map::new();
    let mut input_pos = BTreeMap::new();
    let input_node = f.get("input");
    if let Some(node) = input_node {
        if let Some(mut given) = Fields::new(ctx, node, &format!("the input of {what}")) {
            for (k, key_node, v) in given.entries() {
                if let Some(value) = ctx.json(v, k) {
                    input.insert(k.to_string(), value);
                    input_pos.insert(k.to_string(), key_node.pos);
                }
            }
        }
    }
    f.finish(ctx, KEYS);
    Some(Parsed {
        schedule: Schedule {
            name: name.to_string(),
            origin: Origin {
                file: crate::paths::slash(ctx.file),
                line: key.pos.line,
            },
            description: description?,
            workflow: workflow?,
            input,
            pattern: pattern?,
            // A refused pattern is reported; the schedule stays for the checks across
            // specs (its name, its input), and no model is built.
            pattern_words: pattern_words.unwrap_or_default(),
            first_execution_time,
            environment,
        },
        file: ctx.file.to_path_buf(),
        name_pos: key.pos,
        workflow_pos: workflow_node.map_or(key.pos, |n| n.pos),
        environment_pos: environment_node.map(|n| n.pos),
        input_pos,
        input_node_pos: input_node.map_or(key.pos, |n| n.pos),
    })
}

/// The pattern in words, or `None` (reported) when Mistral would refuse it.
fn check_pattern(ctx: &mut Ctx, pattern: &str, pos: Pos) -> Option<String> {
    if pattern.chars().count() > MAX_PATTERN {
        ctx.error(
            Code::CronPatternTooLong,
            pos,
            format!(
                "the pattern is {} characters long; Mistral stores at most {MAX_PATTERN}",
                pattern.chars().count()
            ),
            "shorten it (ranges such as `1-5` and steps such as `*/15` say more in fewer characters); Mistral would answer 409 \"Duplicate entry\" for a longer one",
        );
        return None;
    }
    let parsed = match mistral_actions_cron::Pattern::parse(pattern) {
        Ok(p) => p,
        Err(e) => {
            ctx.error(
                Code::InvalidCronPattern,
                pos,
                format!("Mistral 23 refuses the pattern `{pattern}`: {e}"),
                "write five fields (minute hour day-of-month month day-of-week, UTC), an optional sixth for seconds, or an alias such as `@daily`",
            );
            return None;
        }
    };
    if !parsed.can_fire() {
        ctx.error(
            Code::CronNeverFires,
            pos,
            format!("the pattern `{pattern}` can never fire"),
            "no date matches it (e.g. 31 February); Mistral would answer 500 \"failed to find next date\"",
        );
        return None;
    }
    Some(parsed.describe())
}

/// `YYYY-MM-DD HH:MM`, a real time (UTC), as Mistral parses it. Whether it is far enough
/// ahead is for apply to say: generate must not depend on when it runs.
fn check_first_execution_time(ctx: &mut Ctx, text: &str, pos: Pos) -> bool {
    // Mistral parses it with `strptime(…, '%Y-%m-%d %H:%M')`; the cron reader checks
    // that the date exists.
    let ok = text.len() == 16
        && text.as_bytes()[10] == b' '
        && mistral_actions_cron::DateTime::parse(text).is_ok();
    if !ok {
        ctx.error(
            Code::InvalidFirstExecutionTime,
            pos,
            format!("first_execution_time `{text}` is not a time written `YYYY-MM-DD HH:MM`"),
            "write a UTC time such as `2027-01-01 02:00` (Mistral takes no other form and no time zone)",
        );
    }
    ok
}

/// The checks across specs: names unique, workflow and environment known, input as the
/// workflow takes it, no two triggers Mistral would refuse together.
pub fn check(
    parsed: &[Parsed],
    workflows: &[Workflow],
    environments: &[Environment],
    actions: &[&Action],
    diags: &mut Diagnostics,
) {
    let actions: BTreeMap<&str, &Action> = actions.iter().map(|a| (a.name.as_str(), *a)).collect();
    let mut error =
        |file: &std::path::Path, pos: Pos, code: Code, message: String, help: String| {
            diags.push(Diagnostic::error(code, file, pos, message).with_help(help));
        };
    let mut seen: BTreeMap<&str, &Parsed> = BTreeMap::new();
    let mut keys: BTreeMap<String, &Parsed> = BTreeMap::new();
    for p in parsed {
        let s = &p.schedule;
        if let Some(first) = seen.get(s.name.as_str()) {
            error(
                &p.file,
                p.name_pos,
                Code::DuplicateDeploymentName,
                format!(
                    "schedule `{}` is already defined at {}:{}",
                    s.name,
                    first.file.display(),
                    first.name_pos.line
                ),
                "rename one of them; Mistral holds one cron trigger per name in a project".into(),
            );
            continue;
        }
        seen.insert(&s.name, p);
        let unique = serde_json::to_string(&(
            &s.workflow,
            &s.input,
            &s.environment,
            &s.pattern,
            &s.first_execution_time,
        ))
        .expect("JSON values serialise");
        if let Some(first) = keys.get(&unique) {
            error(
                &p.file,
                p.name_pos,
                Code::ScheduleCollision,
                format!(
                    "schedule `{}` runs `{}` with the same input, environment and pattern as `{}` ({}:{})",
                    s.name,
                    s.workflow,
                    first.schedule.name,
                    first.file.display(),
                    first.name_pos.line
                ),
                "Mistral refuses a second cron trigger that starts the same workflow the same way; remove one, or change its pattern or input".into(),
            );
        } else {
            keys.insert(unique, p);
        }
        if let Some(env) = &s.environment {
            if !environments.iter().any(|e| &e.name == env) {
                let help = match closest(env, environments.iter().map(|e| e.name.as_str())) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => "define it in specs/environments".into(),
                };
                let at = p.environment_pos.unwrap_or(p.name_pos);
                let message = format!(
                    "schedule `{}` names environment `{env}`, which the specs do not define",
                    s.name
                );
                error(&p.file, at, Code::ScheduleUnknownEnvironment, message, help);
            }
        }
        match workflows.iter().find(|w| w.name == s.workflow) {
            Some(w) => check_input(p, w, &actions, &mut error),
            None => {
                let help = match closest(&s.workflow, workflows.iter().map(|w| w.name.as_str())) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => "define it in specs/workflows".into(),
                };
                let message = format!(
                    "schedule `{}` runs workflow `{}`, which the specs do not define",
                    s.name, s.workflow
                );
                error(
                    &p.file,
                    p.workflow_pos,
                    Code::ScheduleUnknownWorkflow,
                    message,
                    help,
                );
            }
        }
    }
}

fn check_input(
    p: &Parsed,
    w: &Workflow,
    actions: &BTreeMap<&str, &Action>,
    error: &mut impl FnMut(&std::path::Path, Pos, Code, String, String),
) {
    let s = &p.schedule;
    let uses = typed_uses(w, actions);
    let takes = || w.inputs.iter().map(|i| i.name.as_str()).collect::<Vec<_>>();
    for (name, value) in &s.input {
        let at = p.input_pos.get(name).copied().unwrap_or(p.input_node_pos);
        if !w.inputs.iter().any(|i| &i.name == name) {
            let help = match closest(name, takes()) {
                Some(c) => format!("did you mean `{c}`? it takes: {}", takes().join(", ")),
                None if takes().is_empty() => "it takes no input".to_string(),
                None => format!("it takes: {}", takes().join(", ")),
            };
            let message = format!("workflow `{}` has no input `{name}`", w.name);
            error(&p.file, at, Code::ScheduleUnknownInput, message, help);
            continue;
        }
        for u in uses.get(name).into_iter().flatten() {
            if value.is_null() && !u.required {
                continue;
            }
            let wrong = if !u.ty.accepts(value) {
                Some(format!("of type `{}`", u.ty.as_str()))
            } else {
                u.enum_values
                    .filter(|values| !values.contains(value))
                    .map(|values| {
                        let listed: Vec<String> = values.iter().map(Value::to_string).collect();
                        format!("one of {}", listed.join(", "))
                    })
            };
            if let Some(expected) = wrong {
                let message = format!(
                    "workflow `{}` hands `{name}` to `{}` of `{}` (task `{}`), which is {expected}; {value} is not",
                    w.name, u.param, u.action.name, u.task
                );
                let help = "give a value of that type; Mistral would only fail the task when the trigger fires".to_string();
                error(&p.file, at, Code::ScheduleInputTypeMismatch, message, help);
            }
        }
    }
    for i in w.inputs.iter().filter(|i| i.default.is_none()) {
        if !s.input.contains_key(&i.name) {
            let message = format!(
                "schedule `{}` does not give `{}`, which workflow `{}` requires",
                s.name, i.name, w.name
            );
            let help = format!(
                "add `{}:` under `input:`; Mistral refuses the trigger without it",
                i.name
            );
            error(
                &p.file,
                p.input_node_pos,
                Code::ScheduleMissingInput,
                message,
                help,
            );
        }
    }
}

/// Environments with one name twice.
pub fn check_environment_names(parsed: &[super::environments::Parsed], diags: &mut Diagnostics) {
    let mut seen: BTreeMap<&str, &super::environments::Parsed> = BTreeMap::new();
    for p in parsed {
        let e = &p.environment;
        if let Some(first) = seen.get(e.name.as_str()) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateDeploymentName,
                    &e.origin.file,
                    p.name_pos,
                    format!(
                        "environment `{}` is already defined at {}:{}",
                        e.name, first.environment.origin.file, first.name_pos.line
                    ),
                )
                .with_help(
                    "rename one of them; Mistral holds one environment per name in a project",
                ),
            );
        } else {
            seen.insert(&e.name, p);
        }
    }
}
