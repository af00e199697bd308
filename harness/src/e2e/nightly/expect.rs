//! What each run of `backup_volumes` must report for one volume, derived from the chains
//! the earlier runs made and the rules of `create_backup` (chains of at most
//! [`MAX_CHAIN_LENGTH`]) and `prune` (the newest `keep_chains` kept, the rest deleted
//! children first), so that no result is written down in advance.

use anyhow::{bail, ensure, Context, Result};
use mistral_actions_runtime::custom::chains::MAX_CHAIN_LENGTH;
use serde_json::Value;

/// One tagged volume as the runs so far left it.
pub struct Volume {
    pub id: String,
    /// The chains the workflow made, oldest first, each root first.
    pub chains: Vec<Vec<String>>,
    /// What prune reported deleted, in the order it reported it.
    pub deleted: Vec<String>,
}

fn strings(v: &Value, what: &str) -> Result<Vec<String>> {
    v.as_array()
        .with_context(|| format!("{what} is not a list: {v}"))?
        .iter()
        .map(|s| {
            s.as_str()
                .map(str::to_string)
                .with_context(|| format!("{what} holds {s}, not an id"))
        })
        .collect()
}

/// The chains `keep` keeps (newest first) and the ones it condemns, as prune judges them.
fn judged(chains: &[Vec<String>], keep: usize) -> (Vec<&Vec<String>>, Vec<&Vec<String>>) {
    let mut newest_first: Vec<&Vec<String>> = chains.iter().rev().collect();
    let condemned = newest_first.split_off(keep.min(newest_first.len()));
    (newest_first, condemned)
}

impl Volume {
    pub fn new(id: &str) -> Volume {
        Volume {
            id: id.to_string(),
            chains: Vec::new(),
            deleted: Vec::new(),
        }
    }

    /// Whether the next backup extends the newest chain: the kept chain's newest backup is
    /// the volume's newest available one, which Cinder builds on.
    fn next_is_incremental(&self) -> bool {
        self.chains
            .last()
            .is_some_and(|c| c.len() < MAX_CHAIN_LENGTH)
    }

    /// Checks this volume's entry of a run's output (`volume_id`, `backup`, `pruned`,
    /// `error`) and records the backup made; returns a one-line summary.
    pub fn record(&mut self, entry: &Value, keep: usize) -> Result<String> {
        ensure!(
            entry["error"].is_null(),
            "volume {}: the run reports an error: {}",
            self.id,
            entry["error"]
        );
        let backup = entry["backup"]["id"]
            .as_str()
            .with_context(|| format!("volume {}: no backup id in {entry}", self.id))?
            .to_string();
        let incremental = entry["backup"]["incremental"].as_bool();
        let want = self.next_is_incremental();
        ensure!(
            incremental == Some(want),
            "volume {}: backup {backup} reported incremental={}, the chain rule wants {want}",
            self.id,
            entry["backup"]["incremental"]
        );
        // Recorded only once the whole entry checks out.
        let mut chains = self.chains.clone();
        match chains.last_mut() {
            Some(chain) if want => chain.push(backup.clone()),
            _ => chains.push(vec![backup.clone()]),
        }
        let pruned = &entry["pruned"];
        ensure!(
            pruned["dry_run"] == false,
            "volume {}: prune says dry_run={}",
            self.id,
            pruned["dry_run"]
        );
        let deleted = strings(&pruned["deleted"], "pruned.deleted")?;
        let waiting = strings(&pruned["waiting"], "pruned.waiting")?;
        let kept = strings(&pruned["kept"], "pruned.kept")?;
        let (keeps, condemned) = judged(&chains, keep);
        let want_kept: Vec<String> = keeps.into_iter().flatten().cloned().collect();
        ensure!(
            kept == want_kept,
            "volume {}: prune kept {kept:?}, expected the newest {keep} chain(s) {want_kept:?}",
            self.id
        );
        let mut due: Vec<String> = condemned
            .into_iter()
            .flatten()
            .filter(|b| !self.deleted.contains(b))
            .cloned()
            .collect();
        let mut reported: Vec<String> = deleted.iter().chain(&waiting).cloned().collect();
        due.sort();
        reported.sort();
        ensure!(
            reported == due,
            "volume {}: prune deleted {deleted:?} and waits for {waiting:?}; due were {due:?}",
            self.id
        );
        for b in &deleted {
            self.children_gone_before(&chains, b, &deleted)?;
        }
        self.chains = chains;
        self.deleted.extend(deleted.iter().cloned());
        let kind = if want { "incremental" } else { "full" };
        Ok(format!(
            "{kind} {backup}, pruned {} (waiting {})",
            deleted.len(),
            waiting.len()
        ))
    }

    /// Cinder refuses a backup with incrementals, so each one's children must have been
    /// reported deleted before it, in this run (earlier in `now`) or an earlier one.
    fn children_gone_before(
        &self,
        chains: &[Vec<String>],
        backup: &str,
        now: &[String],
    ) -> Result<()> {
        let chain = chains
            .iter()
            .find(|c| c.iter().any(|b| b == backup))
            .with_context(|| format!("volume {}: prune deleted {backup}, not ours", self.id))?;
        let at = chain.iter().position(|b| b == backup).unwrap_or(0);
        let here = now.iter().position(|b| b == backup).unwrap_or(0);
        for child in &chain[at + 1..] {
            if !self.deleted.contains(child) && !now[..here].contains(child) {
                bail!(
                    "volume {}: prune reported {backup} deleted before its incremental {child}",
                    self.id
                );
            }
        }
        Ok(())
    }

    /// Every backup of the chains older than the newest `keep`, as prune must have left
    /// it: all reported deleted.
    pub fn all_condemned_deleted(&self, keep: usize) -> Result<()> {
        let (_, condemned) = judged(&self.chains, keep);
        let left: Vec<&String> = condemned
            .into_iter()
            .flatten()
            .filter(|b| !self.deleted.contains(b))
            .collect();
        ensure!(
            left.is_empty(),
            "volume {}: prune never reported {left:?} deleted",
            self.id
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(id: &str, inc: bool, deleted: &[&str], kept: &[&str]) -> Value {
        json!({"volume_id": "v", "error": null, "backup": {"id": id, "incremental": inc},
               "pruned": {"deleted": deleted, "waiting": [], "kept": kept, "dry_run": false}})
    }

    #[test]
    fn a_second_chain_starts_when_the_first_is_full_and_the_first_goes_children_first() {
        let mut v = Volume::new("v");
        let mut ids = Vec::new();
        for i in 0..MAX_CHAIN_LENGTH {
            let id = format!("b{i}");
            ids.push(id.clone());
            let kept: Vec<&str> = ids.iter().map(String::as_str).collect();
            v.record(&entry(&id, i > 0, &[], &kept), 1).unwrap();
        }
        let newest_first: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
        // The parent before its child: refused.
        let mut wrong = newest_first.clone();
        wrong.swap(0, 1);
        assert!(v.record(&entry("n0", false, &wrong, &["n0"]), 1).is_err());
        // Reported incremental although the chain is full: refused.
        assert!(v
            .record(&entry("n0", true, &newest_first, &["n0"]), 1)
            .is_err());
        // A refused entry changes nothing.
        assert_eq!(v.chains.last(), Some(&ids));
        v.record(&entry("n0", false, &newest_first, &["n0"]), 1)
            .unwrap();
        v.all_condemned_deleted(1).unwrap();
        assert_eq!(v.chains.last(), Some(&vec!["n0".to_string()]));
    }

    #[test]
    fn a_condemned_backup_neither_deleted_nor_waiting_is_reported() {
        let mut v = Volume::new("v");
        v.chains = vec![vec!["a".into()], vec!["b".into()]];
        assert!(v.record(&entry("c", true, &[], &["b", "c"]), 1).is_err());
        // Still waiting for: accepted, but not yet deleted.
        let mut waits = entry("c", true, &[], &["b", "c"]);
        waits["pruned"]["waiting"] = json!(["a"]);
        v.record(&waits, 1).unwrap();
        assert!(v.all_condemned_deleted(1).is_err());
    }
}
