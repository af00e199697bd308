//! Retention of backup chains (`int32bit.cinder.backups.prune`,
//! `int32bit.trove.backups.prune`): which chains to keep and which to delete, the same rule
//! for both services; how a chain is read and deleted is each service's.
//!
//! The rule: of the chains this tool started (root described [`super::chains::DESC_PREFIX`]),
//! the newest `keep` (by their root's creation) are kept; the older ones are deleted, unless
//! one of their backups is being made or restored, or was made by someone else (an
//! incremental hung on our chain by hand): then the whole chain is left alone. Chains this
//! tool did not start are never touched.

use std::time::{Duration, SystemTime};

use serde_json::{json, Value};

use crate::ActionError;

/// How long a prune call waits for one level of deletes to finish before it returns what
/// is left in `waiting`. Mistral's std.http of our actions waits 600 s.
pub const WAIT: Duration = Duration::from_secs(120);
/// How often it looks again while waiting.
pub const POLL: Duration = Duration::from_secs(2);

/// One backup of a chain, as the rule needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub id: String,
    /// Its description says this tool made it.
    pub ours: bool,
    /// Being made or restored: its chain is left whole.
    pub busy: bool,
    pub created_at: SystemTime,
}

/// A chain, its root first, then its backups in the order they were made.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    pub members: Vec<Member>,
}

impl Chain {
    fn ours(&self) -> bool {
        self.members.first().is_some_and(|m| m.ours)
    }

    fn protected(&self) -> bool {
        self.members.iter().any(|m| m.busy || !m.ours)
    }

    fn started(&self) -> Option<SystemTime> {
        self.members.first().map(|m| m.created_at)
    }

    /// Its backups, newest first: the order in which they can be deleted.
    pub fn newest_first(&self) -> impl Iterator<Item = &Member> {
        let mut members: Vec<&Member> = self.members.iter().collect();
        members.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        members.into_iter()
    }
}

/// Our chains to keep and to delete (newest chain first in each); chains not ours are in
/// neither.
pub struct Judged<'a> {
    pub kept: Vec<&'a Chain>,
    pub condemned: Vec<&'a Chain>,
}

/// Applies the rule to `chains` (in any order), keeping `keep` of ours.
pub fn judge(chains: &[Chain], keep: usize) -> Judged<'_> {
    let mut ours: Vec<&Chain> = chains.iter().filter(|c| c.ours()).collect();
    ours.sort_by_key(|c| std::cmp::Reverse(c.started()));
    let mut judged = Judged {
        kept: Vec::new(),
        condemned: Vec::new(),
    };
    for (i, chain) in ours.into_iter().enumerate() {
        if i < keep || chain.protected() {
            judged.kept.push(chain);
        } else {
            judged.condemned.push(chain);
        }
    }
    judged
}

/// `keep_chains` as a count: at least 1, so the newest chain (the backup the nightly run
/// just made) is never deleted.
pub fn keep_count(keep_chains: i64) -> Result<usize, ActionError> {
    usize::try_from(keep_chains)
        .ok()
        .filter(|k| *k >= 1)
        .ok_or_else(|| {
            ActionError::BadInput(
                "input `keep_chains`: expected at least 1 (the newest chain is always kept)".into(),
            )
        })
}

/// What a prune call answers: the backups it deleted (or, in a dry run, would delete),
/// the backups of the chains kept, and the backups whose delete it is still waiting for
/// (call again to continue).
pub fn outcome(deleted: &[String], kept: &[&Chain], waiting: &[String], dry_run: bool) -> Value {
    let kept: Vec<&str> = kept
        .iter()
        .flat_map(|c| c.members.iter().map(|m| m.id.as_str()))
        .collect();
    json!({
        "deleted": deleted,
        "kept": kept,
        "waiting": waiting,
        "dry_run": dry_run,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
    }

    fn chain(start: u64, len: u64, ours: bool) -> Chain {
        Chain {
            members: (0..len)
                .map(|i| Member {
                    id: format!("c{start}-{i}"),
                    ours,
                    busy: false,
                    created_at: at(start + i),
                })
                .collect(),
        }
    }

    fn ids(chains: &[&Chain]) -> Vec<String> {
        chains.iter().map(|c| c.members[0].id.clone()).collect()
    }

    #[test]
    fn the_newest_chains_of_ours_are_kept_and_foreign_ones_ignored() {
        let chains = [
            chain(100, 5, true),
            chain(200, 5, true),
            chain(300, 2, true),
            chain(250, 1, false),
        ];
        let judged = judge(&chains, 2);
        assert_eq!(ids(&judged.kept), ["c300-0", "c200-0"]);
        assert_eq!(ids(&judged.condemned), ["c100-0"]);
        let order: Vec<&str> = judged.condemned[0]
            .newest_first()
            .map(|m| m.id.as_str())
            .collect();
        assert_eq!(order, ["c100-4", "c100-3", "c100-2", "c100-1", "c100-0"]);
    }

    #[test]
    fn a_busy_or_partly_foreign_old_chain_is_left_whole() {
        let mut busy = chain(100, 3, true);
        busy.members[1].busy = true;
        let mut mixed = chain(150, 2, true);
        mixed.members[1].ours = false;
        let chains = [busy, mixed, chain(200, 1, true)];
        let judged = judge(&chains, 1);
        assert!(judged.condemned.is_empty());
        assert_eq!(ids(&judged.kept), ["c200-0", "c150-0", "c100-0"]);
    }

    #[test]
    fn keep_chains_must_keep_one() {
        assert!(keep_count(0).is_err() && keep_count(-1).is_err());
        assert_eq!(keep_count(2).unwrap(), 2);
    }
}
