//! `cargo xtask e2e`: the whole chain on a real Mistral, as operators use it. Starts
//! RabbitMQ, PostgreSQL and mistral-server on loopback, registers our actions with the
//! generated SQL, runs the generated workflows against the action server and the stub
//! OpenStack, unregisters with the down migrations, and stops everything it started.

mod actors;
mod cases;
mod migrations;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use codegen::Error;
use serde_json::{json, Value};

use crate::services::mistral_api::MistralApi;
use crate::services::postgres::{self, Postgres};
use crate::services::{mistral, mistral_server, rabbitmq::RabbitMq};

const STEPS: usize = 6;

fn progress(step: usize, what: &str) {
    eprintln!("e2e [{step}/{STEPS}] {what}");
}

pub fn run(root: &Path) -> Result<bool, Error> {
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

/// Every service below is stopped when its guard drops, in the reverse order of starting,
/// whether the run passes or fails.
fn run_steps(root: &Path) -> Result<(), String> {
    progress(1, "installing what is missing and starting services");
    let (model, _, _) =
        codegen::generate(root).map_err(|e| format!("the specs do not load: {e}"))?;
    let ours: BTreeSet<String> = model.actions.iter().map(|a| a.name.clone()).collect();
    let migrations = migrations::Migrations::find(root)?;
    let workflows = cases::generated_workflows(root)?;
    let binaries = actors::build(root)?;
    let venv = mistral::ensure(root).map(|_| mistral::venv_dir(root))?;
    let rabbit = RabbitMq::start(root)?;
    let (_our_postgres, postgres) = postgres_server(root)?;

    progress(
        2,
        "migrating a fresh Mistral database, starting mistral-server",
    );
    let mut server = mistral_server::start(root, &venv, &rabbit.transport_url(), &postgres)?;
    let api = MistralApi::new(&server.url);
    probe(&api, &server.url)?;

    progress(
        3,
        "registering our actions with the generated SQL, starting the action server",
    );
    let database = mistral_server::database_url(&postgres);
    let builtin: BTreeSet<String> = api.action_names()?.into_iter().collect();
    migrations.apply_up(&database)?;
    let registered: BTreeSet<String> = api.action_names()?.into_iter().collect();
    let missing: Vec<_> = ours.difference(&registered).collect();
    if !missing.is_empty() {
        return Err(format!(
            "after the up migrations Mistral does not list {} of our actions: {missing:?}",
            missing.len()
        ));
    }
    eprintln!(
        "    Mistral lists all {} of our actions (no restart)",
        ours.len()
    );
    // Without our side, the workflows cannot run: say so, still check the way back.
    let mut problems = Vec::new();
    let actors = actors::Stub::start(root, &binaries).and_then(|stub| {
        let server = actors::ActionServer::start(root, &binaries, &stub)?;
        Ok((stub, server))
    });

    progress(4, "uploading the generated workflows and running them");
    for (file, yaml) in &workflows {
        let names = api.upload_workflows(yaml)?;
        eprintln!(
            "    uploaded generated/workflows/{file}: {}",
            names.join(", ")
        );
    }
    api.upload_workflows(cases::ACTIONS_WORKFLOW)?;
    match &actors {
        Ok((_stub, action_server)) => {
            let env = json!({
                "mistral_actions_url": action_server.url,
                "mistral_actions_token": action_server.token,
            });
            if let Err(e) = cases::run_all(&api, &cases::cases(), &env) {
                problems.push(e);
            }
        }
        Err(e) => {
            eprintln!("    cannot run the workflows: {e}");
            problems.push(format!("the workflows did not run: {e}"));
        }
    }
    server.check_alive()?;

    progress(5, "unregistering with the down migrations");
    migrations.apply_down(&database)?;
    let after: BTreeSet<String> = api.action_names()?.into_iter().collect();
    let left: Vec<_> = ours.intersection(&after).collect();
    if !left.is_empty() {
        return Err(format!(
            "after the down migrations Mistral still lists {left:?}"
        ));
    }
    if after != builtin {
        let gone: Vec<_> = builtin.difference(&after).collect();
        let new: Vec<_> = after.difference(&builtin).collect();
        return Err(format!(
            "the down migrations changed Mistral's other actions: gone {gone:?}, new {new:?}"
        ));
    }
    eprintln!(
        "    none of our {} actions listed; Mistral's {} others untouched (std.http among them: {})",
        ours.len(),
        builtin.len(),
        after.contains("std.http")
    );

    progress(6, "stopping everything started");
    drop(actors);
    server.stop();
    rabbit.stop();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The PostgreSQL server announced by `cargo xtask ci` (which started it for the tests) if
/// there is one, else one of our own, stopped when the guard drops.
fn postgres_server(root: &Path) -> Result<(Option<Postgres>, String), String> {
    if let Ok(url) = std::env::var(postgres::URL_ENV) {
        eprintln!(
            "    using the PostgreSQL server at {url} ({})",
            postgres::URL_ENV
        );
        return Ok((None, url));
    }
    let pg = Postgres::start(root)?;
    let url = pg.url("");
    Ok((Some(pg), url))
}

/// Proves the stack before any of our pieces take part: a builtin action runs, and std.http
/// may call loopback (Mistral 23 refuses it unless `denied_cidrs` is narrowed).
fn probe(api: &MistralApi, mistral_url: &str) -> Result<(), String> {
    let wf = "---\n\
        version: '2.0'\n\
        e2e_probe:\n  \
          input: [message, url]\n  \
          output:\n    \
            echoed: <% $.echoed %>\n    \
            http_status: <% $.http_status %>\n  \
          tasks:\n    \
            echo:\n      \
              action: std.echo output=<% $.message %>\n      \
              publish: {echoed: <% task().result %>}\n      \
              on-success: [loopback]\n    \
            loopback:\n      \
              action: std.http url=<% $.url %> method=GET\n      \
              publish: {http_status: <% task().result.status %>}\n";
    api.upload_workflows(wf)?;
    let message = "hello from cargo xtask e2e";
    let id = api.start_execution(
        "e2e_probe",
        &json!({"message": message, "url": format!("{mistral_url}/v2/workflows")}),
        &json!({}),
    )?;
    let exec = wait_execution(api, &id, Duration::from_secs(60))?;
    if exec["state"] != "SUCCESS" {
        return Err(format!(
            "the probe workflow (std.echo, then std.http to loopback) ended {}: {}",
            exec["state"], exec["state_info"]
        ));
    }
    let output = output_of(&exec)?;
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

fn output_of(exec: &Value) -> Result<Value, String> {
    Ok(json_text(&exec["output"]))
}
