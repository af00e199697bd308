//! Which kind of backup `int32bit.cinder.backups.create_backup` asks Cinder for.
//!
//! Cinder does not let the caller choose the parent of an incremental backup: its create
//! schema (`cinder/api/schemas/backups.py`, `additionalProperties: false`) has no such
//! field, and `cinder/backup/api.py` (`API.create`) always takes the volume's **newest
//! available** backup (largest `data_timestamp`, `creating` and `error` ones skipped) as the
//! parent. The backup view has no `parent_id` either. So the rule, under Cinder's own:
//!
//! - a new backup is incremental exactly when the volume's newest available backup belongs
//!   to a chain whose root this tool created and that chain has fewer than
//!   [`MAX_CHAIN_LENGTH`] backups;
//! - otherwise it is full, and starts a new chain of ours.
//!
//! Chains are read back from `is_incremental` in creation order: each incremental backup
//! hangs off the backup Cinder would have chosen when it was created (the newest one before
//! it, by `data_timestamp`; for a backup of a snapshot, the newest one older than the
//! snapshot's data). Failed backups were never available, so they belong to no chain.

use std::time::SystemTime;

use serde_json::Value;

use super::chains::{is_ours, MAX_CHAIN_LENGTH};
use crate::clock::parse_iso8601;

/// Statuses of backups that never became, or are no longer, part of a chain.
const GONE: [&str; 4] = ["error", "deleting", "error_deleting", "deleted"];

/// What the decision needs of a backup in Cinder's detail view.
#[derive(Debug, Clone, PartialEq)]
pub struct Backup {
    pub id: String,
    pub status: String,
    pub is_incremental: bool,
    pub description: Option<String>,
    pub created_at: SystemTime,
    /// When the backed-up data was taken: the backup's creation, or its snapshot's.
    pub data_timestamp: SystemTime,
    pub from_snapshot: bool,
    /// Cinder refuses to delete it while this holds (a child, even one being deleted).
    pub has_dependents: bool,
}

impl Backup {
    /// `None` for an entry without an id or readable `created_at`.
    pub fn from_json(v: &Value) -> Option<Backup> {
        let text = |k: &str| v.get(k).and_then(Value::as_str);
        let created_at = parse_iso8601(text("created_at")?)?;
        Some(Backup {
            id: text("id")?.to_string(),
            status: text("status").unwrap_or_default().to_string(),
            is_incremental: v
                .get("is_incremental")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            description: text("description").map(str::to_string),
            created_at,
            data_timestamp: text("data_timestamp")
                .and_then(parse_iso8601)
                .unwrap_or(created_at),
            from_snapshot: text("snapshot_id").is_some(),
            has_dependents: v
                .get("has_dependent_backups")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }
}

/// The kind of the next backup, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Cinder will extend `parent`, whose chain of ours then holds `length + 1` backups.
    Incremental {
        parent: String,
        length: usize,
    },
    Full(WhyFull),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhyFull {
    /// The volume has no available backup to build on.
    NoAvailableBackup,
    /// The newest available backup belongs to a chain this tool did not start.
    ForeignChain,
    /// The newest available backup's chain already holds [`MAX_CHAIN_LENGTH`] backups.
    ChainFull,
}

impl WhyFull {
    pub fn explain(&self) -> &'static str {
        match self {
            WhyFull::NoAvailableBackup => "the volume has no available backup to build on",
            WhyFull::ForeignChain => {
                "the volume's newest available backup is in a chain mistral-actions did not start"
            }
            WhyFull::ChainFull => "the chain of the volume's newest available backup is full",
        }
    }
}

/// `live` sorted by creation, and the index of the root each one descends from (`None`
/// when its parent is not listed): each incremental backup hangs off the backup Cinder
/// would have chosen when it was made, the newest one before it (for a backup of a
/// snapshot, the newest one older than the snapshot's data).
fn lineage(mut live: Vec<&Backup>) -> (Vec<&Backup>, Vec<Option<usize>>) {
    live.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let mut roots: Vec<Option<usize>> = Vec::with_capacity(live.len());
    for (i, b) in live.iter().enumerate() {
        let root = if b.is_incremental {
            newest(
                live[..i]
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| !b.from_snapshot || p.data_timestamp < b.data_timestamp),
            )
            .and_then(|j| roots[j])
        } else {
            Some(i)
        };
        roots.push(root);
    }
    (live, roots)
}

/// The volume's chains as they were made: each full backup with the incrementals that
/// descend from it, in the order they were made. Backups that failed (`error`, never
/// available) or are gone belong to none; backups being deleted still do, until they are
/// gone (Cinder still counts them as dependents).
pub fn chains(backups: &[Backup]) -> Vec<Vec<&Backup>> {
    let live = backups
        .iter()
        .filter(|b| !matches!(b.status.as_str(), "error" | "deleted"))
        .collect();
    let (live, roots) = lineage(live);
    let mut chains: Vec<Vec<&Backup>> = Vec::new();
    let mut chain_of_root = std::collections::BTreeMap::new();
    for (i, root) in roots.iter().enumerate() {
        let Some(root) = root else { continue };
        let at = *chain_of_root.entry(*root).or_insert_with(|| {
            chains.push(Vec::new());
            chains.len() - 1
        });
        chains[at].push(live[i]);
    }
    chains
}

/// The decision for a new backup of the volume (not of a snapshot) whose backups are
/// `backups`, in any order.
pub fn decide(backups: &[Backup]) -> Decision {
    let live = backups
        .iter()
        .filter(|b| !GONE.contains(&b.status.as_str()))
        .collect();
    let (live, roots) = lineage(live);
    let Some(parent) = newest(
        live.iter()
            .enumerate()
            .filter(|(_, b)| b.status == "available"),
    ) else {
        return Decision::Full(WhyFull::NoAvailableBackup);
    };
    let Some(root) = roots[parent] else {
        return Decision::Full(WhyFull::ForeignChain);
    };
    if !is_ours(live[root].description.as_deref()) {
        return Decision::Full(WhyFull::ForeignChain);
    }
    let length = roots.iter().filter(|r| **r == Some(root)).count();
    if length >= MAX_CHAIN_LENGTH {
        return Decision::Full(WhyFull::ChainFull);
    }
    Decision::Incremental {
        parent: live[parent].id.clone(),
        length,
    }
}

/// The index of the backup with the newest data, as Cinder's `max(…, key=data_timestamp)`.
fn newest<'a>(candidates: impl Iterator<Item = (usize, &'a &'a Backup)>) -> Option<usize> {
    candidates
        .max_by(|(_, a), (_, b)| {
            (a.data_timestamp, a.created_at).cmp(&(b.data_timestamp, b.created_at))
        })
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const OURS: &str = "Created by Mistral at 2026-01-01 00:00:00.000000";

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
    }

    fn backup(id: &str, t: u64, incremental: bool, desc: &str, status: &str) -> Backup {
        Backup {
            id: id.into(),
            status: status.into(),
            is_incremental: incremental,
            description: Some(desc.into()),
            created_at: at(t),
            data_timestamp: at(t),
            from_snapshot: false,
            has_dependents: false,
        }
    }

    fn ours(id: &str, t: u64, incremental: bool) -> Backup {
        backup(id, t, incremental, OURS, "available")
    }

    #[test]
    fn no_backup_or_none_available_is_full() {
        assert_eq!(decide(&[]), Decision::Full(WhyFull::NoAvailableBackup));
        let failed = [backup("a", 1, false, OURS, "error")];
        assert_eq!(decide(&failed), Decision::Full(WhyFull::NoAvailableBackup));
    }

    #[test]
    fn our_chain_grows_to_five_then_a_new_one_starts() {
        let mut list = vec![ours("full", 1, false)];
        for n in 1..MAX_CHAIN_LENGTH {
            let d = decide(&list);
            assert_eq!(
                d,
                Decision::Incremental {
                    parent: list.last().unwrap().id.clone(),
                    length: n
                }
            );
            list.push(ours(&format!("inc{n}"), n as u64 + 1, true));
        }
        assert_eq!(decide(&list), Decision::Full(WhyFull::ChainFull));
        list.push(ours("full2", 10, false));
        assert_eq!(
            decide(&list),
            Decision::Incremental {
                parent: "full2".into(),
                length: 1
            }
        );
    }

    #[test]
    fn a_newer_foreign_full_backup_wins_cinder_s_choice() {
        let list = [
            ours("full", 1, false),
            ours("inc", 2, true),
            backup("manual", 3, false, "by hand", "available"),
        ];
        assert_eq!(decide(&list), Decision::Full(WhyFull::ForeignChain));
    }

    #[test]
    fn failed_and_creating_backups_are_not_parents() {
        let list = [
            ours("full", 1, false),
            backup("failed", 2, true, OURS, "error"),
            backup("busy", 3, true, OURS, "creating"),
        ];
        // Cinder skips `creating` as a parent; the chain (full, busy) has two backups.
        assert_eq!(
            decide(&list),
            Decision::Incremental {
                parent: "full".into(),
                length: 2
            }
        );
    }

    #[test]
    fn listing_order_does_not_matter() {
        let mut list = vec![ours("c", 3, true), ours("a", 1, false), ours("b", 2, true)];
        let d = decide(&list);
        list.reverse();
        assert_eq!(decide(&list), d);
        assert_eq!(
            d,
            Decision::Incremental {
                parent: "c".into(),
                length: 3
            }
        );
    }

    #[test]
    fn an_incremental_of_an_unlisted_parent_is_not_extended() {
        let list = [ours("orphan", 1, true)];
        assert_eq!(decide(&list), Decision::Full(WhyFull::ForeignChain));
    }

    #[test]
    fn reads_cinder_s_detail_view() {
        // Fields as cinder/api/views/backups.py ViewBuilder.detail writes them.
        let v = serde_json::json!({
            "id": "b1", "status": "available", "is_incremental": true,
            "description": OURS, "created_at": "2026-12-01T10:00:00.123456",
            "data_timestamp": "2026-12-01T10:00:00.123456", "snapshot_id": null
        });
        let b = Backup::from_json(&v).unwrap();
        assert!(b.is_incremental && !b.from_snapshot);
        assert_eq!(b.created_at, b.data_timestamp);
    }
}
