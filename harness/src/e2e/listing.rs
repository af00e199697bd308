//! What Mistral lists to the project user, and what the packaged `mistral-actions
//! action-list` reports, after the up and the down migrations.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};

use serde_json::Value;

use harness_contract::USER_CLOUD as CLOUD;

use super::cloud::Cloud;
use super::migrations::Migrations;
use crate::services::mistral_api::MistralApi;

/// The packaged `mistral-actions action-list --format json` as an operator runs it:
/// `OS_CLOUD=ma-test` and `OS_CLIENT_CONFIG_FILE`, no other OS_* of this environment, from
/// `/` (no source tree). Each (name, verdict word), and whether it exited 0.
fn action_list(cli: &Path, cloud: &Cloud) -> Result<(Vec<(String, String)>, bool)> {
    let out = crate::operator_cli::command(cli)
        .args(["action-list", "--format", "json"])
        .current_dir("/")
        .env("OS_CLOUD", CLOUD)
        .env("OS_CLIENT_CONFIG_FILE", &cloud.env.clouds_yaml)
        .output()
        .with_context(|| format!("cannot run {}", cli.display()))?;
    let list: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        anyhow!(
            "mistral-actions action-list printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let rows = list
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["name"].as_str().unwrap_or_default().to_string(),
                r["verdict"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    Ok((rows, out.status.success()))
}

/// What the checks read and apply.
pub struct Listing<'a> {
    /// The packaged `mistral-actions`.
    pub cli: &'a Path,
    pub api: &'a MistralApi,
    pub cloud: &'a Cloud,
    pub migrations: &'a Migrations,
    /// Mistral's database, for psql.
    pub database: &'a str,
}

fn sorted_names(api: &MistralApi) -> Result<Vec<String>> {
    let mut names = api.action_names()?;
    names.sort();
    Ok(names)
}

impl Listing<'_> {
    /// Applies the up migrations twice (operators re-run scripts) and checks that Mistral
    /// lists each of `ours` once, the same both times, and that action-list reports each
    /// as ours and matching the specs.
    pub fn after_ups(&self, ours: &BTreeSet<String>) -> Result<()> {
        self.migrations.apply_up(self.database)?;
        let listed = sorted_names(self.api)?;
        let registered: BTreeSet<String> = listed.iter().cloned().collect();
        let missing: Vec<_> = ours.difference(&registered).collect();
        if !missing.is_empty() {
            bail!(
                "after the up migrations Mistral does not list {} of our actions: {missing:?}",
                missing.len()
            );
        }
        let twice: Vec<_> = listed
            .windows(2)
            .filter(|w| w[0] == w[1] && ours.contains(&w[0]))
            .map(|w| &w[0])
            .collect();
        if !twice.is_empty() {
            bail!("Mistral lists these actions more than once: {twice:?}");
        }
        self.migrations.apply_up(self.database)?;
        let again = sorted_names(self.api)?;
        if again != listed {
            bail!(
                "applying the up migrations twice changed Mistral's list: {} actions, then {}",
                listed.len(),
                again.len()
            );
        }
        eprintln!(
        "    Mistral lists all {} of our actions to the project user (no restart), once each, also after a second run",
        ours.len()
    );
        let (verdicts, ok) = action_list(self.cli, self.cloud)?;
        let off: Vec<_> = verdicts.iter().filter(|(_, v)| v != "matches").collect();
        if !ok || !off.is_empty() || verdicts.len() != ours.len() {
            bail!(
                "the packaged action-list (exit ok: {ok}) does not report our {} actions as matching: {off:?}",
                ours.len()
            );
        }
        eprintln!(
        "    packaged mistral-actions action-list (OS_CLOUD={CLOUD}, Mistral found in the catalog, run from /): all {} ours, matching",
        verdicts.len()
    );
        Ok(())
    }

    /// Applies the down migrations and checks that Mistral lists none of `ours` and exactly
    /// the others it listed `before`, and that action-list reports each of ours as missing.
    pub fn after_downs(&self, ours: &BTreeSet<String>, before: &BTreeSet<String>) -> Result<()> {
        self.migrations.apply_down(self.database)?;
        let after: BTreeSet<String> = self.api.action_names()?.into_iter().collect();
        let (verdicts, ok) = action_list(self.cli, self.cloud)?;
        if ok || verdicts.len() != ours.len() || !verdicts.iter().all(|(_, v)| v == "missing") {
            bail!(
                "after the down migrations the packaged action-list (exit ok: {ok}) reports {verdicts:?}"
            );
        }
        let left: Vec<_> = ours.intersection(&after).collect();
        if !left.is_empty() {
            bail!("after the down migrations Mistral still lists {left:?}");
        }
        if after != *before {
            let gone: Vec<_> = before.difference(&after).collect();
            let new: Vec<_> = after.difference(before).collect();
            bail!(
                "the down migrations changed Mistral's other actions: gone {gone:?}, new {new:?}"
            );
        }
        eprintln!(
        "    none of our {} actions listed (action-list: each missing, exit 1); the {} others (std.http, std.echo, nova.*, …) exactly as before",
        ours.len(),
        before.len()
    );
        Ok(())
    }
}
