//! Scale-out and failover, proven: a workflow calls one action [`CALLS`] times, 10 at a
//! time, with `retry:` as an operator writes it, through HAProxy, while the seed
//! workflows run; meanwhile one server is stopped (SIGTERM, as `systemctl stop`) and
//! started again. Everything must still end as expected; the figures say how.

use anyhow::{anyhow, bail, Context, Result};

use serde_json::json;

use super::actors::Fleet;
use super::cases::{Case, Expect, Want};
use crate::services::haproxy::Row;
use crate::services::mistral_api::MistralApi;

pub const WORKFLOW_NAME: &str = "e2e_failover";

/// How many times the workflow calls the action.
pub const CALLS: usize = 200;

pub const WORKFLOW: &str = "---
version: '2.0'
e2e_failover:
  description: One action called once per item through the load balancer, ten at a time;
    the retry policy an operator writes rides out a server going away.
  input: [volume_id, items]
  output:
    answers: <% $.answers %>
    not_true: <% $.not_true %>
  tasks:
    call_many:
      with-items: i in <% $.items %>
      concurrency: 10
      action: int32bit.cinder.volumes.assert_status volume_id=<% $.volume_id %>
      retry:
        count: 5
        delay: 2
      publish:
        answers: <% task().result.len() %>
        not_true: <% task().result.where($ != true).len() %>
";

/// The case: SUCCESS with [`CALLS`] answers, every one `true`.
pub fn case(volume_id: &str) -> Case {
    Case {
        workflow: WORKFLOW_NAME,
        why: "one action 200 times through HAProxy while a server is stopped and started",
        input: json!({"volume_id": volume_id, "items": (0..CALLS).collect::<Vec<_>>()}),
        token: None,
        expect: Expect::Success(vec![
            ("*", "/answers", Want::Is(json!(CALLS))),
            ("*", "/not_true", Want::Is(json!(0))),
        ]),
        shows: vec![],
    }
}

/// The server stopped and started again.
const VICTIM: &str = "a";
/// Requests through HAProxy before the stop, and served by the other one while stopped.
const BEFORE_STOP: u64 = 60;
const WHILE_DOWN: u64 = 40;

#[derive(Debug, PartialEq)]
enum Phase {
    Warming,
    /// Stopped when the backend had served this many requests.
    Down(u64),
    /// Started again; the victim had served this many before.
    Restarted(u64),
    Done,
}

/// Stops and restarts [`VICTIM`] as the calls go on, driven by HAProxy's counts.
pub struct Driver {
    phase: Phase,
    pub log: Vec<String>,
}

fn sessions(rows: &[Row], server: &str) -> u64 {
    rows.iter()
        .find(|r| r.server == server)
        .map_or(0, |r| r.sessions)
}

impl Driver {
    pub fn new() -> Driver {
        Driver {
            phase: Phase::Warming,
            log: Vec::new(),
        }
    }

    /// One step, at each poll of the runs.
    pub fn tick(&mut self, fleet: &mut Fleet) -> Result<()> {
        let rows = fleet.stats()?;
        let total = sessions(&rows, "BACKEND");
        let victim = sessions(&rows, VICTIM);
        match self.phase {
            Phase::Warming if total >= BEFORE_STOP => {
                fleet.stop(VICTIM);
                self.say(format!("after {total} requests: server {VICTIM} stopped (SIGTERM), having served {victim}"));
                self.phase = Phase::Down(total);
            }
            Phase::Down(at) if total >= at + WHILE_DOWN => {
                fleet.start_again(VICTIM)?;
                self.say(format!(
                    "{} requests served by the other server alone; server {VICTIM} started again",
                    total - at
                ));
                self.phase = Phase::Restarted(victim);
            }
            Phase::Restarted(before) if victim > before => {
                let up = rows
                    .iter()
                    .find(|r| r.server == VICTIM)
                    .map_or("?", |r| r.status.as_str());
                self.say(format!(
                    "server {VICTIM} is {up} in HAProxy and serving again ({} requests since)",
                    victim - before
                ));
                self.phase = Phase::Done;
            }
            _ => {}
        }
        Ok(())
    }

    fn say(&mut self, line: String) {
        eprintln!("    failover: {line}");
        self.log.push(line);
    }

    /// An error unless the stop and the restart both happened while the calls ran.
    pub fn finished(&self) -> Result<()> {
        if self.phase == Phase::Done {
            Ok(())
        } else {
            Err(anyhow!(
                "the failover did not complete while the workflows ran (phase {:?}; {:?})",
                self.phase,
                self.log
            ))
        }
    }
}

/// Calls, retries and failures of the failover workflow (from Mistral's action
/// executions), and what HAProxy counted per server.
pub fn figures(api: &MistralApi, execution: &str, fleet: &Fleet) -> Result<String> {
    let tasks = api.tasks(execution)?;
    let task = tasks
        .iter()
        .find(|t| t["name"] == "call_many")
        .context("the failover workflow has no task call_many")?;
    let attempts = api.action_executions(task["id"].as_str().unwrap_or_default())?;
    let state = |s: &str| attempts.iter().filter(|a| a["state"] == s).count();
    let (succeeded, failed) = (state("SUCCESS"), state("ERROR"));
    let rows = fleet.stats()?;
    let per_server: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} {} requests ({} retried, {} redispatched, {} 5xx)",
                r.server, r.sessions, r.retries, r.redispatches, r.http_5xx
            )
        })
        .collect();
    let summary = format!(
        "{} calls, {succeeded} succeeded, {failed} retried by the workflow's retry policy, {} failed; HAProxy: {}",
        attempts.len(),
        CALLS.saturating_sub(succeeded),
        per_server.join("; ")
    );
    if succeeded != CALLS {
        bail!("failover: {summary}");
    }
    Ok(summary)
}
