//! The matching rule of the module doc: executions on slots.

use mistral_actions_cron::DateTime;

use super::{Outcome, Run, Slot};

/// How early an execution may start before its slot, in seconds: Mistral fires once
/// `next_execution_time <= now + 2 s` and keeps `created_at` to the whole second.
pub const EARLY: i64 = 3;

/// How long after its slot an execution may still appear before the slot counts as
/// missed, in seconds. A fire starts its execution within seconds; the rest absorbs a
/// busy periodic task and clock skew between this machine and Mistral's.
pub const GRACE: i64 = 60;

/// `slots` (oldest first) with their executions, and the executions no slot takes.
pub fn lay(slots: &[DateTime], mut runs: Vec<Run>, now: DateTime) -> (Vec<Slot>, Vec<Run>) {
    runs.sort_by(|a, b| (a.started, &a.id).cmp(&(b.started, &b.id)));
    let mut taken: Vec<Option<Run>> = vec![None; slots.len()];
    let mut unmatched = Vec::new();
    for run in runs {
        let latest = run.started.plus_seconds(EARLY).unwrap_or(run.started);
        // The newest slot the run may stand for, then back to the newest free one.
        let candidate = slots.partition_point(|&s| s <= latest);
        match (0..candidate).rev().find(|&i| taken[i].is_none()) {
            Some(i) => taken[i] = Some(run),
            None => unmatched.push(run),
        }
    }
    let slots = slots
        .iter()
        .zip(taken)
        .map(|(&at, run)| Slot {
            at,
            outcome: match run {
                Some(run) => Outcome::Fired(run),
                None if at.unix() + GRACE <= now.unix() => Outcome::Missed,
                None => Outcome::Due,
            },
        })
        .collect();
    (slots, unmatched)
}
