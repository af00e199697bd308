//! `cargo xtask e2e`: the whole chain on a real Mistral, as operators use it. Starts
//! RabbitMQ, PostgreSQL and mistral-server on loopback, registers our actions with the
//! generated SQL, runs the generated workflows against the action server and the stub
//! OpenStack, unregisters with the down migrations, and stops everything it started.

mod actors;
mod cases;
mod migrations;
mod target_cloud;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use codegen::Error;
use serde_json::{json, Value};

use crate::services::mistral_api::MistralApi;
use crate::services::postgres::{self, Postgres};
use crate::services::rabbitmq::{self, RabbitMq};
use crate::services::{mistral, mistral_server};

const STEPS: usize = 6;

fn progress(step: usize, what: &str) {
    eprintln!("e2e [{step}/{STEPS}] {what}");
}

pub fn run(root: &Path) -> Result<bool, Error> {
    crate::services::process::stop_all_on_interrupt();
    let started = Instant::now();
    match run_steps(root) {
        Ok(()) => {
            eprintln!("e2e: passed ({:.0}s)", started.elapsed().as_secs_f32());
            Ok(true)
        }
        Err(e) => {
            eprintln!(
                "e2e: FAILED after {:.0}s: {e}",
                started.elapsed().as_secs_f32()
            );
            Ok(false)
        }
    }
}

/// What the run started. Dropping it stops everything, newest first (fields drop in
/// declaration order), whether the run passed or failed midway.
#[derive(Default)]
struct Started {
    stub_and_server: Option<(actors::Stub, actors::ActionServer)>,
    mistral: Option<mistral_server::MistralServer>,
    postgres: Option<Postgres>,
    rabbit: Option<RabbitMq>,
}

impl Drop for Started {
    fn drop(&mut self) {
        progress(6, "stopping everything started");
        let started = Instant::now();
        drop(self.stub_and_server.take());
        drop(self.mistral.take());
        drop(self.postgres.take());
        drop(self.rabbit.take());
        eprintln!("    stopped in {:.1}s", started.elapsed().as_secs_f32());
    }
}

fn run_steps(root: &Path) -> Result<(), String> {
    let mut started = Started::default();
    progress(1, "installing what is missing and starting services");
    let (model, _, _) =
        codegen::generate(root).map_err(|e| format!("the specs do not load: {e}"))?;
    let ours: BTreeSet<String> = model.actions.iter().map(|a| a.name.clone()).collect();
    let uncalled: Vec<_> = ours.iter().filter(|n| !cases::calls(n)).collect();
    if !uncalled.is_empty() {
        eprintln!(
            "    note: the e2e workflow does not call {uncalled:?}; add them to xtask/src/e2e/cases.rs"
        );
    }
    let migrations = migrations::Migrations::find(root)?;
    let workflows = cases::generated_workflows(root)?;
    // Without our side the workflows cannot run: that fails the run at the end, after the
    // way back (down migrations) has been checked all the same.
    let binaries = actors::build(root);
    let venv = mistral::ensure(root).map(|_| mistral::venv_dir(root))?;
    let transport_url = match std::env::var(rabbitmq::URL_ENV) {
        Ok(url) => {
            eprintln!(
                "    using the RabbitMQ broker at {url} ({})",
                rabbitmq::URL_ENV
            );
            url
        }
        Err(_) => started
            .rabbit
            .insert(RabbitMq::start(root)?)
            .transport_url(),
    };
    let postgres = match std::env::var(postgres::URL_ENV) {
        Ok(url) => {
            eprintln!(
                "    using the PostgreSQL server at {url} ({})",
                postgres::URL_ENV
            );
            url
        }
        Err(_) => started.postgres.insert(Postgres::start(root)?).url(""),
    };

    progress(
        2,
        "migrating a fresh Mistral database, starting mistral-server",
    );
    let mistral = started.mistral.insert(mistral_server::start(
        root,
        &venv,
        &transport_url,
        &postgres,
    )?);
    let api = MistralApi::new(&mistral.url);
    probe(&api, &mistral.url)?;
    let api_root = format!("{}/v2", mistral.url);

    progress(
        3,
        "registering our actions with the generated SQL, starting the action server",
    );
    let database = mistral_server::database_url(&postgres);
    let before: BTreeSet<String> = api.action_names()?.into_iter().collect();
    for builtin in ["std.echo", "std.http"] {
        if !before.contains(builtin) {
            return Err(format!("Mistral does not list its own {builtin}"));
        }
    }
    migrations.apply_up(&database)?;
    let mut listed = api.action_names()?;
    listed.sort();
    let registered: BTreeSet<String> = listed.iter().cloned().collect();
    let missing: Vec<_> = ours.difference(&registered).collect();
    if !missing.is_empty() {
        return Err(format!(
            "after the up migrations Mistral does not list {} of our actions: {missing:?}",
            missing.len()
        ));
    }
    let twice: Vec<_> = listed
        .windows(2)
        .filter(|w| w[0] == w[1] && ours.contains(&w[0]))
        .map(|w| &w[0])
        .collect();
    if !twice.is_empty() {
        return Err(format!(
            "Mistral lists these actions more than once: {twice:?}"
        ));
    }
    // Operators re-run scripts: a second pass must change nothing Mistral shows.
    migrations.apply_up(&database)?;
    let mut again = api.action_names()?;
    again.sort();
    if again != listed {
        return Err(format!(
            "applying the up migrations twice changed Mistral's list: {} actions, then {}",
            listed.len(),
            again.len()
        ));
    }
    eprintln!(
        "    Mistral lists all {} of our actions (no restart), once each, also after a second run",
        ours.len()
    );
    // What an operator sees with `cargo xtask action-list`.
    let verdicts = crate::action_list::live_verdicts(
        root,
        &crate::action_list::Source::Plain {
            api_root: api_root.clone(),
            token: None,
        },
    )?;
    let off: Vec<_> = verdicts
        .iter()
        .filter(|(_, v)| **v != crate::action_list::Verdict::Matches)
        .collect();
    if !off.is_empty() || verdicts.len() != ours.len() {
        return Err(format!(
            "action-list does not report our {} actions as matching the specs: {off:?}",
            ours.len()
        ));
    }
    eprintln!(
        "    action-list: all {} ours, matching the specs",
        verdicts.len()
    );
    let mut problems = Vec::new();
    let ours_running = binaries.and_then(|binaries| {
        let stub = actors::Stub::start(root, &binaries)?;
        let server = actors::ActionServer::start(root, &binaries, &stub)?;
        Ok((stub, server))
    });
    match ours_running {
        Ok(pair) => started.stub_and_server = Some(pair),
        Err(e) => {
            eprintln!("    cannot start the action server: {e}");
            problems.push(format!("the workflows did not run: {e}"));
        }
    }

    progress(4, "uploading the generated workflows and running them");
    for (file, yaml) in &workflows {
        let names = api.upload_workflows(yaml)?;
        eprintln!(
            "    uploaded generated/workflows/{file}: {}",
            names.join(", ")
        );
    }
    api.upload_workflows(cases::ACTIONS_WORKFLOW)?;
    if let Some((stub, action_server)) = &started.stub_and_server {
        let env = json!({
            "mistral_actions_url": action_server.url,
            "mistral_actions_token": action_server.token,
        });
        let ran = target_cloud::headers(&stub.os_env)
            .map_err(|e| format!("cannot log in to the stub's Keystone: {e}"))
            .and_then(|target| {
                let fixtures = cases::Fixtures::from_printed(&stub.fixtures)?;
                cases::run_all(&api, &cases::cases(&fixtures), &env, &target)
            });
        if let Err(e) = ran {
            problems.push(e);
        }
    }
    if let Some(mistral) = started.mistral.as_mut() {
        mistral.check_alive()?;
    }

    progress(5, "unregistering with the down migrations");
    migrations.apply_down(&database)?;
    let after: BTreeSet<String> = api.action_names()?.into_iter().collect();
    let verdicts = crate::action_list::live_verdicts(
        root,
        &crate::action_list::Source::Plain {
            api_root: api_root.clone(),
            token: None,
        },
    )?;
    if !verdicts
        .values()
        .all(|v| *v == crate::action_list::Verdict::Missing)
    {
        return Err(format!(
            "after the down migrations action-list reports {verdicts:?}"
        ));
    }
    let left: Vec<_> = ours.intersection(&after).collect();
    if !left.is_empty() {
        return Err(format!(
            "after the down migrations Mistral still lists {left:?}"
        ));
    }
    if after != before {
        let gone: Vec<_> = before.difference(&after).collect();
        let new: Vec<_> = after.difference(&before).collect();
        return Err(format!(
            "the down migrations changed Mistral's other actions: gone {gone:?}, new {new:?}"
        ));
    }
    eprintln!(
        "    none of our {} actions listed; the {} others (std.http, std.echo, …) exactly as before",
        ours.len(),
        before.len()
    );
    drop(started);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Proves the stack before any of our pieces take part: a builtin action runs, and std.http
/// may call loopback (Mistral 23 refuses it unless `denied_cidrs` is narrowed).
fn probe(api: &MistralApi, mistral_url: &str) -> Result<(), String> {
    let wf = "---
version: '2.0'
e2e_probe:
  input: [message, url]
  output:
    echoed: <% $.echoed %>
    http_status: <% $.http_status %>
  tasks:
    echo:
      action: std.echo output=<% $.message %>
      publish: {echoed: <% task().result %>}
      on-success: [loopback]
    loopback:
      action: std.http url=<% $.url %> method=GET
      publish: {http_status: <% task().result.status %>}
";
    api.upload_workflows(wf)?;
    let message = "hello from cargo xtask e2e";
    let id = api.start_execution(
        "e2e_probe",
        &json!({"message": message, "url": format!("{mistral_url}/v2/workflows")}),
        &json!({}),
        &[],
    )?;
    let exec = wait_execution(api, &id, Duration::from_secs(60))?;
    if exec["state"] != "SUCCESS" {
        return Err(format!(
            "the probe workflow (std.echo, then std.http to loopback) ended {}: {}",
            exec["state"], exec["state_info"]
        ));
    }
    let output = json_text(&exec["output"]);
    if output["echoed"] != message || output["http_status"] != 200 {
        return Err(format!(
            "probe workflow output {output}, expected echoed={message:?} and http_status=200"
        ));
    }
    eprintln!("    probe: std.echo, then std.http to loopback: SUCCESS");
    Ok(())
}

/// Polls an execution until it leaves RUNNING/IDLE (or `timeout` passes).
fn wait_execution(api: &MistralApi, id: &str, timeout: Duration) -> Result<Value, String> {
    let started = Instant::now();
    loop {
        let exec = api.execution(id)?;
        match exec["state"].as_str() {
            Some("SUCCESS" | "ERROR" | "CANCELLED") => return Ok(exec),
            _ if started.elapsed() > timeout => {
                return Err(format!(
                    "execution {id} of {} still {} after {}s",
                    exec["workflow_name"],
                    exec["state"],
                    timeout.as_secs()
                ))
            }
            _ => std::thread::sleep(Duration::from_millis(500)),
        }
    }
}

/// A JSON field Mistral returns as JSON text (an execution's output, a task's result).
fn json_text(value: &Value) -> Value {
    match value {
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| value.clone()),
        other => other.clone(),
    }
}
