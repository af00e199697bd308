//! What Mistral lists to the project user, and what `cargo xtask action-list` reports,
//! after the up and the down migrations.

use std::collections::BTreeSet;

use super::cloud::{Cloud, USER_CLOUD as CLOUD};
use super::migrations::Migrations;
use crate::action_list::{self, Source, Verdict};
use crate::services::mistral_api::MistralApi;

/// `cargo xtask action-list` as an operator runs it: `OS_CLOUD=ma-test` and
/// `OS_CLIENT_CONFIG_FILE`, nothing else of the environment.
fn action_list(root: &std::path::Path, cloud: &Cloud) -> Result<Vec<(String, Verdict)>, String> {
    let clouds_yaml = cloud.clouds_yaml.to_string_lossy().into_owned();
    let vars = |k: &str| match k {
        "OS_CLOUD" => Some(CLOUD.to_string()),
        "OS_CLIENT_CONFIG_FILE" => Some(clouds_yaml.clone()),
        _ => None,
    };
    let source = Source::from_vars(None, &vars)?;
    Ok(action_list::live_verdicts(root, &source)?
        .into_iter()
        .collect())
}

/// What the checks read and apply.
pub struct Listing<'a> {
    pub root: &'a std::path::Path,
    pub api: &'a MistralApi,
    pub cloud: &'a Cloud,
    pub migrations: &'a Migrations,
    /// Mistral's database, for psql.
    pub database: &'a str,
}

fn sorted_names(api: &MistralApi) -> Result<Vec<String>, String> {
    let mut names = api.action_names()?;
    names.sort();
    Ok(names)
}

/// Applies the up migrations twice (operators re-run scripts) and checks that Mistral
/// lists each of `ours` once, the same both times, and that action-list reports each as
/// ours and matching the specs.
impl Listing<'_> {
    pub fn after_ups(&self, ours: &BTreeSet<String>) -> Result<(), String> {
        self.migrations.apply_up(self.database)?;
        let listed = sorted_names(self.api)?;
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
        self.migrations.apply_up(self.database)?;
        let again = sorted_names(self.api)?;
        if again != listed {
            return Err(format!(
                "applying the up migrations twice changed Mistral's list: {} actions, then {}",
                listed.len(),
                again.len()
            ));
        }
        eprintln!(
        "    Mistral lists all {} of our actions to the project user (no restart), once each, also after a second run",
        ours.len()
    );
        let verdicts = action_list(self.root, self.cloud)?;
        let off: Vec<_> = verdicts
            .iter()
            .filter(|(_, v)| *v != Verdict::Matches)
            .collect();
        if !off.is_empty() || verdicts.len() != ours.len() {
            return Err(format!(
                "action-list does not report our {} actions as matching the specs: {off:?}",
                ours.len()
            ));
        }
        eprintln!(
        "    action-list (OS_CLOUD={CLOUD}, Mistral found in the catalog): all {} ours, matching the specs",
        verdicts.len()
    );
        Ok(())
    }

    /// Applies the down migrations and checks that Mistral lists none of `ours` and exactly
    /// the others it listed `before`, and that action-list reports each of ours as missing.
    pub fn after_downs(
        &self,
        ours: &BTreeSet<String>,
        before: &BTreeSet<String>,
    ) -> Result<(), String> {
        self.migrations.apply_down(self.database)?;
        let after: BTreeSet<String> = self.api.action_names()?.into_iter().collect();
        let verdicts = action_list(self.root, self.cloud)?;
        if !verdicts.iter().all(|(_, v)| *v == Verdict::Missing) {
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
        if after != *before {
            let gone: Vec<_> = before.difference(&after).collect();
            let new: Vec<_> = after.difference(before).collect();
            return Err(format!(
                "the down migrations changed Mistral's other actions: gone {gone:?}, new {new:?}"
            ));
        }
        eprintln!(
        "    none of our {} actions listed (action-list: each missing); the {} others (std.http, std.echo, nova.*, …) exactly as before",
        ours.len(),
        before.len()
    );
        Ok(())
    }
}
