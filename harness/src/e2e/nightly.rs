//! The nightly backup end to end: `backup_volumes`, as the schedule
//! `nightly_volume_backups` starts it, on real Mistral and real Cinder (the real
//! cinder-backup). Three volumes carry the run's tag and one does not; enough runs with
//! `keep_chains=1` to fill a chain and start the next, each checked against what the
//! chain and retention rules predict and then against Cinder's own view; then one tagged
//! volume is put in a state Cinder refuses to back up, and that run must end in ERROR
//! naming it while the others are still backed up. Everything made is removed after.

mod cinder;
mod expect;

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use harness_contract::ADMIN_CLOUD;
use mistral_actions_runtime::custom::chains::MAX_CHAIN_LENGTH;
use serde_json::{json, Value};

use self::cinder::Cinder;
use self::expect::Volume;
use super::cloud::Cloud;
use super::resources::Client;
use super::{json_text, unix_secs, wait_execution};
use crate::services::mistral_api::MistralApi;

const WORKFLOW: &str = "backup_volumes";
/// Runs that all succeed: one more than a chain holds starts a second chain, whose first
/// backup lets prune delete the whole first one; one more extends the new chain.
const RUNS: usize = MAX_CHAIN_LENGTH + 2;
const KEEP_CHAINS: usize = 1;
const TAGGED: usize = 3;
/// The metadata key the schedule uses; the value is the run's own, so that volumes of
/// anyone else sharing the cloud are never picked up, nor ours by their runs.
const KEY: &str = "backup";
/// A run backs up three volumes two at a time, each waited for, then prunes.
const RUN_TIMEOUT: Duration = Duration::from_secs(600);

/// `MA_E2E_ONLY=nightly`: `cargo harness e2e` registers, uploads and unregisters as
/// always but runs only this case, to work on it without waiting for the others.
pub fn only() -> bool {
    std::env::var("MA_E2E_ONLY").is_ok_and(|v| v == "nightly")
}

/// Makes the volumes, runs the case, and removes the volumes and their backups whether
/// the case passed or not.
pub fn run(api: &MistralApi, user: &Client, cloud: &Cloud, env: &Value) -> Result<()> {
    let started = Instant::now();
    let admin = Client::new(cloud.config(ADMIN_CLOUD)?, &cloud.env, &cloud.env_file)?;
    let cinder = Cinder {
        user,
        admin: &admin,
    };
    let tag = format!("e2e-{}-{}", std::process::id(), unix_secs());
    let mut wanted: Vec<(String, Value)> = (0..TAGGED)
        .map(|i| (format!("{tag}-tagged-{i}"), json!({ KEY: tag })))
        .collect();
    // Same key, another value: the filter must match the value too.
    wanted.push((
        format!("{tag}-untagged"),
        json!({ KEY: format!("{tag}-not") }),
    ));
    let volumes = user
        .volumes(&wanted)
        .context("making the nightly volumes")?;
    let input = json!({"metadata_key": KEY, "metadata_value": tag,
                       "keep_chains": KEEP_CHAINS, "concurrency": 2});
    let case = Case {
        api,
        cinder: &cinder,
        env,
        input: &input,
    };
    let outcome = case.run(&volumes);
    let removed = cinder.remove(&volumes);
    match (outcome, removed) {
        (Ok(()), Ok(())) => {
            eprintln!(
                "    nightly: passed in {:.0}s, its volumes and backups removed",
                started.elapsed().as_secs_f32()
            );
            Ok(())
        }
        (Ok(()), Err(e)) => Err(e.context("removing the nightly volumes")),
        (Err(e), Ok(())) => Err(e),
        (Err(e), Err(r)) => Err(e.context(format!("and removing its volumes failed: {r:#}"))),
    }
}

struct Case<'a> {
    api: &'a MistralApi,
    cinder: &'a Cinder<'a>,
    env: &'a Value,
    input: &'a Value,
}

impl Case<'_> {
    fn run(&self, volumes: &[String]) -> Result<()> {
        let (tagged, untagged) = volumes.split_at(TAGGED);
        let mut model: Vec<Volume> = tagged.iter().map(|v| Volume::new(v)).collect();
        for run in 1..=RUNS {
            let (exec, secs) = self.execute()?;
            let output = json_text(&exec["output"]);
            ensure!(
                exec["state"] == "SUCCESS",
                "nightly run {run}/{RUNS} ended {}: {}; output {output}",
                exec["state"],
                exec["state_info"]
            );
            ensure!(
                output["failed"] == json!([]),
                "nightly run {run}/{RUNS}: failed {}",
                output["failed"]
            );
            let done = record(&mut model, &output)?;
            eprintln!("    nightly run {run}/{RUNS}: SUCCESS in {secs:.0}s: {done}");
        }
        let mut deleted = 0;
        for v in &model {
            v.all_condemned_deleted(KEEP_CHAINS)?;
            let newest = v.chains.last().context("no chain made")?;
            self.cinder.holds_only(&v.id, newest)?;
            self.cinder.all_gone(&v.deleted)?;
            deleted += v.deleted.len();
        }
        let strays = self.cinder.backups_of(&untagged[0])?;
        ensure!(
            strays.is_empty(),
            "the untagged volume {} has backups: {strays:?}",
            untagged[0]
        );
        eprintln!(
            "    nightly: Cinder shows each tagged volume with its newest chain only \
             (full + incrementals, parents checked), {deleted} older backups gone, \
             none on the untagged volume"
        );
        self.refused(&mut model)
    }

    /// One run, waited for; the execution and how long it took.
    fn execute(&self) -> Result<(Value, f32)> {
        let started = Instant::now();
        let id = self.api.start_execution(WORKFLOW, self.input, self.env)?;
        let exec = wait_execution(self.api, &id, RUN_TIMEOUT)?;
        Ok((exec, started.elapsed().as_secs_f32()))
    }

    /// The first tagged volume in `error`, which Cinder refuses to back up
    /// (`cinder/backup/api.py`: "Volume to be backed up must be available or in-use"):
    /// the run ends in ERROR naming it, and the others are backed up all the same.
    fn refused(&self, model: &mut [Volume]) -> Result<()> {
        let (failing, others) = model.split_first_mut().context("no tagged volume")?;
        let before = self.cinder.backups_of(&failing.id)?.len();
        self.cinder.reset_status(&failing.id, "error")?;
        let (exec, secs) = self.execute()?;
        ensure!(
            exec["state"] == "ERROR",
            "with volume {} in error the run ended {}, expected ERROR",
            failing.id,
            exec["state"]
        );
        let info = exec["state_info"].as_str().unwrap_or_default();
        ensure!(
            info.contains(&failing.id),
            "the run's state_info does not name the failed volume {}: {info}",
            failing.id
        );
        if let Some(v) = others.iter().find(|v| info.contains(&v.id)) {
            bail!(
                "the run's state_info names {}, which was backed up: {info}",
                v.id
            );
        }
        let output = json_text(&exec["output"]);
        ensure!(
            output["failed"] == json!([failing.id]),
            "the run's output says failed {}, expected [{}]",
            output["failed"],
            failing.id
        );
        // What the action server answered (std.http's result): Cinder's refusal, quoted.
        let error = &entry_of(&output, &failing.id)?["error"];
        let refusal = error
            .pointer("/content/error/message")
            .and_then(Value::as_str)
            .with_context(|| format!("volume {}: no error message in {error}", failing.id))?;
        ensure!(
            refusal.contains("answered 400") && refusal.contains("\"error\""),
            "volume {}: the error is not Cinder's refusal of a volume in error: {refusal}",
            failing.id
        );
        let after = self.cinder.backups_of(&failing.id)?.len();
        ensure!(
            after == before,
            "volume {} in error has {after} backups, had {before}",
            failing.id
        );
        let mut done = Vec::new();
        for v in others.iter_mut() {
            done.push(v.record(entry_of(&output, &v.id)?, KEEP_CHAINS)?);
            let newest = v.chains.last().context("no chain made")?;
            self.cinder.holds_only(&v.id, newest)?;
        }
        eprintln!(
            "    nightly run {}: ERROR in {secs:.0}s as expected: {info} ({refusal}); the others: {}",
            RUNS + 1,
            done.join("; ")
        );
        Ok(())
    }
}

/// The run's entry for `volume` in its output's `volumes`.
fn entry_of<'o>(output: &'o Value, volume: &str) -> Result<&'o Value> {
    output["volumes"]
        .as_array()
        .with_context(|| format!("no volumes in the run's output {output}"))?
        .iter()
        .find(|e| e["volume_id"] == volume)
        .with_context(|| format!("volume {volume} is not in the run's output {output}"))
}

/// Checks a successful run's output names exactly the tagged volumes and records each
/// one's backup; a summary per volume.
fn record(model: &mut [Volume], output: &Value) -> Result<String> {
    let mut named: Vec<&str> = output["volumes"]
        .as_array()
        .with_context(|| format!("no volumes in the run's output {output}"))?
        .iter()
        .map(|e| e["volume_id"].as_str().unwrap_or_default())
        .collect();
    let mut tagged: Vec<&str> = model.iter().map(|v| v.id.as_str()).collect();
    named.sort();
    tagged.sort();
    ensure!(
        named == tagged,
        "the run backed up {named:?}, expected the tagged volumes {tagged:?}"
    );
    let mut done = Vec::new();
    for v in model.iter_mut() {
        let entry = entry_of(output, &v.id)?;
        done.push(v.record(entry, KEEP_CHAINS)?);
    }
    Ok(done.join("; "))
}
