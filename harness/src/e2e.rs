//! `cargo harness e2e`: the whole chain as operators run it, on a real Mistral with Keystone
//! auth and the real OpenStack services of the tests (`services::openstack`): registers our
//! actions with the generated SQL, runs the generated workflows with a real user's token on
//! real servers, volumes, images and Trove instances, Mistral's own OpenStack actions acting
//! through its security context and ours through the action server, unregisters with the
//! down migrations, and stops everything it started.

mod actors;
mod cases;
pub mod cloud;
mod failover;
mod listing;
mod migrations;
mod nightly;
mod resources;
mod runs;
mod scheduled;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use harness_contract::USER_CLOUD;
use serde_json::{json, Value};

use harness_contract::{MistralEnv, MISTRAL_ENV};

use crate::services::databases::Databases;
use crate::services::mistral_api::MistralApi;
use crate::services::mistral_for_tests::Mistral;
use crate::services::openstack::{self, OpenStack};
use crate::services::postgres::{self, Postgres};
use crate::services::rabbitmq::{self, RabbitMq};

const STEPS: usize = 6;

fn progress(step: usize, what: &str) {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let at = START.get_or_init(Instant::now).elapsed().as_secs();
    eprintln!("e2e [{step}/{STEPS}] at {at}s: {what}");
}

/// Never an error: a failure is printed (with how long the run took).
pub fn run(root: &Path) -> Result<bool> {
    crate::services::process::stop_all_on_interrupt();
    let started = Instant::now();
    match run_steps(root) {
        Ok(()) => {
            eprintln!("e2e: passed ({:.0}s)", started.elapsed().as_secs_f32());
            Ok(true)
        }
        Err(e) => {
            eprintln!(
                "e2e: FAILED after {:.0}s: {e:#}",
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
    fleet: Option<actors::Fleet>,
    mistral: Option<Mistral>,
    openstack: Option<OpenStack>,
    rabbit: Option<RabbitMq>,
    postgres: Option<Postgres>,
    databases: Option<Databases>,
}

impl Drop for Started {
    fn drop(&mut self) {
        progress(6, "stopping everything started");
        let started = Instant::now();
        drop(self.fleet.take());
        drop(self.mistral.take());
        drop(self.openstack.take());
        drop(self.rabbit.take());
        drop(self.postgres.take());
        drop(self.databases.take());
        eprintln!("    stopped in {:.1}s", started.elapsed().as_secs_f32());
    }
}

/// The OpenStack and the Mistral the run acts on.
struct Reached {
    cloud: cloud::Cloud,
    mistral: MistralEnv,
}

fn exported(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Started {
    /// What `cargo harness ci` exported (or `cargo harness openstack` printed), else
    /// everything started here (as `cargo harness openstack` starts it).
    fn services(&mut self, root: &Path) -> Result<Reached> {
        if let Some(file) = exported(MISTRAL_ENV) {
            eprintln!("    using the Mistral (and OpenStack) of {MISTRAL_ENV}={file}");
            let mistral = MistralEnv::read(Path::new(&file))?;
            return Ok(Reached {
                cloud: cloud::Cloud::read(&mistral.openstack_env)?,
                mistral,
            });
        }
        let Some(env_file) = exported(openstack::ENV) else {
            eprintln!(
                "    no {}: starting PostgreSQL, MariaDB, RabbitMQ, the real OpenStack and Mistral",
                openstack::ENV
            );
            let stack = crate::openstack_cmd::start_stack(root)?;
            let reached = Reached {
                cloud: cloud::Cloud::read(&stack.openstack.env_file)?,
                mistral: stack.mistral.env.clone(),
            };
            self.mistral = Some(stack.mistral);
            self.openstack = Some(stack.openstack);
            self.rabbit = Some(stack.rabbit);
            self.databases = Some(stack.databases);
            return Ok(reached);
        };
        eprintln!("    using the OpenStack of {}={env_file}", openstack::ENV);
        let transport_url = match exported(rabbitmq::URL_ENV) {
            Some(url) => url,
            None => self.rabbit.insert(RabbitMq::start(root)?).transport_url(),
        };
        let postgres = match exported(postgres::URL_ENV) {
            Some(url) => url,
            None => self.postgres.insert(Postgres::start(root)?).url(""),
        };
        let mistral = self.mistral.insert(Mistral::start(
            root,
            Path::new(&env_file),
            &transport_url,
            &postgres,
        )?);
        Ok(Reached {
            cloud: cloud::Cloud::read(Path::new(&env_file))?,
            mistral: mistral.env.clone(),
        })
    }
}

fn run_steps(root: &Path) -> Result<()> {
    let mut started = Started::default();
    progress(1, "installing what is missing and starting services");
    let (model, _, _) = codegen::generate(root).context("the specs do not load")?;
    let ours: BTreeSet<String> = model.actions.iter().map(|a| a.name.clone()).collect();
    let uncalled: Vec<_> = ours.iter().filter(|n| !cases::calls(n)).collect();
    if !uncalled.is_empty() {
        eprintln!(
            "    note: the e2e workflow does not call {uncalled:?}; add them to harness/src/e2e/cases.rs"
        );
    }
    let migrations = migrations::Migrations::find(root)?;
    let workflows = cases::generated_workflows(root)?;
    // Our side as operators get it: the package (`cargo harness dist`), unpacked.
    let unpacked = actors::package(root)?;
    let cli = unpacked.bin(crate::dist::smoke::CLI_BIN);
    progress(
        2,
        "reaching (or starting) Mistral with Keystone auth and its periodic task",
    );
    let Reached { cloud, mistral } = started.services(root)?;
    // Made meanwhile: they need only OpenStack.
    let making = {
        let config = cloud.config(USER_CLOUD)?;
        let (env, env_file) = (cloud.env.clone(), cloud.env_file.clone());
        std::thread::spawn(move || {
            let started = Instant::now();
            let client = resources::Client::new(config, &env, &env_file)?;
            let made = client.make()?;
            anyhow::Ok((client, made, started.elapsed()))
        })
    };
    let (user, _) = cloud.user_login()?;
    let mistral_url = mistral.api_root.trim_end_matches("/v2").to_string();
    let api = MistralApi::new(&mistral_url, Some(&user.token));
    refuses_strangers(&mistral_url)?;
    probe(&api, &cloud.env.auth_url)?;

    progress(
        3,
        "registering our actions with the generated SQL, starting the action server",
    );
    let database = mistral.database_url.clone();
    let before: BTreeSet<String> = api.action_names()?.into_iter().collect();
    for builtin in [
        "std.echo",
        "std.http",
        "nova.servers_stop",
        "cinder.volume_snapshots_create",
    ] {
        if !before.contains(builtin) {
            bail!("Mistral does not list its own {builtin}");
        }
    }
    let listing = listing::Listing {
        cli: &cli,
        api: &api,
        cloud: &cloud,
        migrations: &migrations,
        database: &database,
    };
    listing.after_ups(&ours)?;
    let mut problems = Vec::new();
    // Without our side the workflows cannot run: that fails the run at the end, after the
    // way back (down migrations) has been checked all the same.
    match actors::Fleet::start(root, unpacked, &cloud.env.clouds_yaml) {
        Ok(fleet) => started.fleet = Some(fleet),
        Err(e) => {
            eprintln!("    cannot start the action servers: {e:#}");
            problems.push(format!("the workflows did not run: {e:#}"));
        }
    }

    progress(
        4,
        "uploading the generated workflows and running them on real resources",
    );
    for (file, yaml) in &workflows {
        let names = api.upload_workflows(yaml)?;
        eprintln!(
            "    uploaded generated/workflows/{file}: {}",
            names.join(", ")
        );
    }
    api.upload_workflows(cases::ACTIONS_WORKFLOW)?;
    api.upload_workflows(failover::WORKFLOW)?;
    let made = making
        .join()
        .map_err(|_| anyhow::anyhow!("making the resources panicked"))?;
    match (made, started.fleet.as_mut()) {
        (Err(e), _) => problems.push(format!("cannot make the resources: {e:#}")),
        (Ok(_), None) => {}
        (Ok((client, resources, took)), Some(fleet)) => {
            eprintln!(
                "    4 servers (one paused), 6 volumes, a snapshot, a backup, a Trove instance and backup made in {:.0}s",
                took.as_secs_f32()
            );
            let backup = scheduled::Backup {
                root,
                cli: &cli,
                cloud: &cloud,
                mistral: &mistral.api_root,
                server_url: fleet.url.clone(),
                server_token: fleet.token.clone(),
            };
            let ran = backup.beside(|| run_cases(&api, &client, &resources, &cloud, fleet));
            problems.extend(
                ran.into_iter()
                    .filter_map(|r| r.err().map(|e| format!("{e:#}"))),
            );
        }
    }
    if let Some(mistral) = started.mistral.as_mut() {
        mistral.check_alive()?;
    }

    progress(5, "unregistering with the down migrations");
    listing.after_downs(&ours, &before)?;
    drop(started);
    anyhow::ensure!(problems.is_empty(), "{}", problems.join("\n"));
    Ok(())
}

/// The seed workflows, the every-action workflow and the failover workflow, all at once
/// through HAProxy, while one server is stopped and started again; then the nightly backup.
fn run_cases(
    api: &MistralApi,
    client: &resources::Client,
    resources: &resources::Resources,
    cloud: &cloud::Cloud,
    fleet: &mut actors::Fleet,
) -> Result<()> {
    let env = json!({
        "mistral_actions_url": fleet.url,
        "mistral_actions_token": fleet.token,
    });
    if nightly::only() {
        return nightly::run(api, client, cloud, &env);
    }
    let image_name = format!("e2e-image-{}-{}", std::process::id(), unix_secs());
    let mut sequences = cases::cases(resources, &cloud.env, &image_name);
    sequences.push(vec![failover::case(&resources.volume)]);
    let mut driver = failover::Driver::new();
    let ran = runs::run_all(api, client, sequences, &env, &mut || driver.tick(fleet))?;
    driver.finished()?;
    let (_, id) = ran
        .iter()
        .find(|(w, _)| *w == failover::WORKFLOW_NAME)
        .context("the failover workflow did not run")?;
    eprintln!("    failover: {}", failover::figures(api, id, fleet)?);
    // After the others: it runs for minutes and needs the servers all up.
    nightly::run(api, client, cloud, &env)
}

fn unix_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Mistral checks tokens with Keystone: none, or one Keystone never issued, is refused.
fn refuses_strangers(mistral_url: &str) -> Result<()> {
    for (who, token) in [("no token", None), ("a garbage token", Some("garbage"))] {
        let status = MistralApi::new(mistral_url, token).status_of("workflows")?;
        if status != 401 {
            bail!("Mistral answered {status} to GET /v2/workflows with {who}, expected 401");
        }
    }
    eprintln!("    GET /v2/workflows: 401 with no token and with a garbage token");
    Ok(())
}

/// Proves the stack before any of our pieces take part: a builtin action runs for the
/// project user, and std.http may call loopback (Mistral 23 refuses it unless
/// `denied_cidrs` is narrowed): Keystone's version document, which needs no token.
fn probe(api: &MistralApi, loopback_url: &str) -> Result<()> {
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
    let message = "hello from cargo harness e2e";
    let id = api.start_execution(
        "e2e_probe",
        &json!({"message": message, "url": loopback_url}),
        &json!({}),
    )?;
    let exec = wait_execution(api, &id, Duration::from_secs(60))?;
    if exec["state"] != "SUCCESS" {
        bail!(
            "the probe workflow (std.echo, then std.http to loopback) ended {}: {}",
            exec["state"],
            exec["state_info"]
        );
    }
    let output = json_text(&exec["output"]);
    if output["echoed"] != message || output["http_status"] != 200 {
        bail!("probe workflow output {output}, expected echoed={message:?} and http_status=200");
    }
    eprintln!("    probe: std.echo, then std.http to loopback: SUCCESS");
    Ok(())
}

/// Polls an execution until it leaves RUNNING/IDLE (or `timeout` passes).
fn wait_execution(api: &MistralApi, id: &str, timeout: Duration) -> Result<Value> {
    let started = Instant::now();
    loop {
        let exec = api.execution(id)?;
        match exec["state"].as_str() {
            Some("SUCCESS" | "ERROR" | "CANCELLED") => return Ok(exec),
            _ if started.elapsed() > timeout => {
                bail!(
                    "execution {id} of {} still {} after {}s",
                    exec["workflow_name"],
                    exec["state"],
                    timeout.as_secs()
                )
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
