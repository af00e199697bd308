//! Running the cases: every sequence at once, each case checked as it ends against what
//! Mistral reports and what OpenStack then shows.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};

use serde_json::{json, Value};

use super::cases::{Case, Expect, Want};
use super::json_text;
use super::resources::Client;
use crate::services::mistral_api::MistralApi;

/// Longest a case may run: the seed's mismatch case retries 5 times, 5 s apart.
const TIMEOUT: Duration = Duration::from_secs(240);

/// Starts the first case of every sequence at once, each next one when the one before it
/// has ended; all failures are reported. `env` is the executions' environment. `tick`
/// runs at every poll (every 500 ms) while cases run: what the run does to the servers
/// meanwhile (the failover). Returns (workflow, execution id) of every case run.
pub fn run_all(
    api: &MistralApi,
    cloud: &Client,
    sequences: Vec<Vec<Case>>,
    env: &Value,
    tick: &mut dyn FnMut() -> Result<()>,
) -> Result<Vec<(&'static str, String)>> {
    let start = |case: &Case| -> Result<String> {
        let mut env = env.clone();
        if let Some(token) = case.token {
            env["mistral_actions_token"] = json!(token);
        }
        api.start_execution(case.workflow, &case.input, &env)
    };
    let total: usize = sequences.iter().map(Vec::len).sum();
    let mut running = Vec::new();
    for sequence in sequences {
        let mut rest = sequence.into_iter();
        if let Some(case) = rest.next() {
            let id = start(&case)?;
            running.push((case, rest, id, Instant::now()));
        }
    }
    let mut failures = Vec::new();
    let mut ran = Vec::new();
    while !running.is_empty() {
        std::thread::sleep(Duration::from_millis(500));
        if let Err(e) = tick() {
            failures.push(format!("{e:#}"));
        }
        let mut still = Vec::new();
        for (case, mut rest, id, started) in running {
            let exec = api.execution(&id)?;
            let state = exec["state"].as_str().unwrap_or("?").to_string();
            if matches!(state.as_str(), "RUNNING" | "IDLE" | "PAUSED") {
                if started.elapsed() > TIMEOUT {
                    failures.push(format!(
                        "{} ({}): still {state} after {}s",
                        case.workflow,
                        case.why,
                        TIMEOUT.as_secs()
                    ));
                } else {
                    still.push((case, rest, id, started));
                }
                continue;
            }
            let secs = started.elapsed().as_secs_f32();
            ran.push((case.workflow, id.clone()));
            let checked = check(api, &case, &id, &exec)
                .and_then(|summary| shows(cloud, &case).map(|shown| format!("{summary}{shown}")));
            match checked {
                Ok(summary) => eprintln!(
                    "    ok: {} ({}) ended {state} in {secs:.0}s: {summary}",
                    case.workflow, case.why
                ),
                Err(e) => {
                    failures.push(format!("{} ({}): {e:#}", case.workflow, case.why));
                    // What comes next in its sequence builds on it.
                    let skipped: Vec<_> = rest.map(|c| c.workflow).collect();
                    if !skipped.is_empty() {
                        failures.push(format!("not run, as they follow it: {skipped:?}"));
                    }
                    continue;
                }
            }
            if let Some(next) = rest.next() {
                let id = start(&next)?;
                still.push((next, rest, id, Instant::now()));
            }
        }
        running = still;
    }
    ensure!(
        failures.is_empty(),
        "{} of {total} workflow run(s) went wrong:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    Ok(ran)
}

/// What OpenStack shows after the case, read as the test user.
fn shows(cloud: &Client, case: &Case) -> Result<String> {
    let mut seen = Vec::new();
    for s in &case.shows {
        let body = cloud.get(s.service, &s.path)?;
        let got = body.pointer(s.pointer).cloned().unwrap_or(Value::Null);
        if !fits(&s.want, &got) {
            bail!(
                "afterwards {} {}{} is {got}, expected {}",
                s.service,
                s.path,
                s.pointer,
                s.want
            );
        }
        seen.push(format!("{}{}={got}", s.path, s.pointer));
    }
    Ok(if seen.is_empty() {
        String::new()
    } else {
        format!("; OpenStack shows {}", seen.join(", "))
    })
}

/// Whether `got` is `want`, where a `"<uuid>"` in `want` stands for any UUID (ids that
/// OpenStack hands out during the run).
pub fn fits(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::String(w), Value::String(g)) if w == "<uuid>" => is_uuid(g),
        (Value::Object(w), Value::Object(g)) => {
            w.len() == g.len()
                && w.iter()
                    .all(|(k, v)| g.get(k).is_some_and(|gv| fits(v, gv)))
        }
        (Value::Array(w), Value::Array(g)) => {
            w.len() == g.len() && w.iter().zip(g).all(|(a, b)| fits(a, b))
        }
        _ => want == got,
    }
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn check(api: &MistralApi, case: &Case, id: &str, exec: &Value) -> Result<String> {
    let state = exec["state"].as_str().unwrap_or("?");
    let tasks = api.tasks(id)?;
    let task_states: Vec<String> = tasks
        .iter()
        .map(|t| {
            format!(
                "{}={}",
                t["name"].as_str().unwrap_or("?"),
                t["state"].as_str().unwrap_or("?")
            )
        })
        .collect();
    match &case.expect {
        Expect::Success(wanted) => {
            if state != "SUCCESS" {
                bail!(
                    "ended {state}, expected SUCCESS; tasks {task_states:?}; {}",
                    exec["state_info"]
                );
            }
            // Every task, Mistral's own OpenStack actions included: an error a workflow
            // routes on (`on-error: noop`) would not fail the run.
            if let Some(t) = tasks.iter().find(|t| t["state"] != "SUCCESS") {
                let full = api.task(t["id"].as_str().unwrap_or(""))?;
                bail!(
                    "task {} ended {}: {}; tasks {task_states:?}",
                    t["name"],
                    t["state"],
                    full["state_info"]
                );
            }
            let output = json_text(&exec["output"]);
            // (label, value; null when absent) of a task's result (`*`: the output).
            let read = |task: &str, pointer: &str| -> Result<(String, Value)> {
                if task == "*" {
                    let got = output.pointer(pointer).cloned();
                    return Ok((format!("output{pointer}"), got.unwrap_or(Value::Null)));
                }
                let result = match tasks.iter().find(|t| t["name"] == task) {
                    Some(t) => Some(json_text(
                        &api.task(t["id"].as_str().unwrap_or(""))?["result"],
                    )),
                    None => None,
                };
                let got = result.and_then(|r| r.pointer(pointer).cloned());
                Ok((
                    format!("{task}.result{pointer}"),
                    got.unwrap_or(Value::Null),
                ))
            };
            let mut seen = Vec::new();
            for (task, pointer, want) in wanted {
                let (label, got) = read(task, pointer)?;
                let value = match want {
                    Want::Is(value) => value.clone(),
                    Want::SameAs(task, pointer) => match read(task, pointer)? {
                        (other, Value::Null) => {
                            bail!("{other} is null; tasks {task_states:?}")
                        }
                        (_, value) => value,
                    },
                };
                if !fits(&value, &got) {
                    bail!("{label} is {got}, expected {value}; tasks {task_states:?}");
                }
                seen.push(format!("{label}={got}"));
            }
            Ok(seen.join(", "))
        }
        Expect::Error {
            task,
            attempts,
            mentions,
        } => {
            if state != "ERROR" {
                bail!("ended {state}, expected ERROR; tasks {task_states:?}");
            }
            let found = tasks
                .iter()
                .find(|t| t["name"] == *task)
                .with_context(|| format!("no task {task}; tasks {task_states:?}"))?;
            if found["state"] != "ERROR" {
                bail!("task {task} is {}, expected ERROR", found["state"]);
            }
            let tries = api
                .action_executions(found["id"].as_str().unwrap_or(""))?
                .len();
            if tries != *attempts {
                bail!(
                    "task {task} ran its action {tries} time(s), expected {attempts} (retry policy)"
                );
            }
            let full = api.task(found["id"].as_str().unwrap_or(""))?;
            let said = format!(
                "{} {}",
                json_text(&full["result"]),
                full["state_info"].as_str().unwrap_or_default()
            );
            let absent: Vec<_> = mentions.iter().filter(|m| !said.contains(**m)).collect();
            if !absent.is_empty() {
                bail!("task {task}'s result does not mention {absent:?}: {said}");
            }
            let line = said
                .lines()
                .find(|l| l.contains(mentions[0]))
                .unwrap_or_default();
            Ok(format!(
                "task {task} tried {tries} times; Mistral shows: {}",
                line.chars().take(400).collect::<String>()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuid_placeholder_takes_any_uuid_and_nothing_else() {
        let want = json!({"id": "<uuid>", "name": "e2e", "list": ["<uuid>", 1]});
        let id = "0b5f3c1e-7d2a-4c1b-9e3f-2a1b3c4d5e6f";
        assert!(fits(
            &want,
            &json!({"id": id, "name": "e2e", "list": [id, 1]})
        ));
        assert!(!fits(
            &want,
            &json!({"id": "x", "name": "e2e", "list": [id, 1]})
        ));
        assert!(!fits(
            &want,
            &json!({"id": id, "name": "e2e", "list": [id]})
        ));
        assert!(!fits(
            &want,
            &json!({"id": id, "name": "e2e", "list": [id, 1], "more": 1})
        ));
        assert!(!fits(&json!("<uuid>"), &json!(null)));
        assert!(fits(&json!(null), &json!(null)));
    }
}
