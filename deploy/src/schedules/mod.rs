//! `schedules`: whether our cron triggers really fire. Mistral writes no row for a fire
//! that fails to start (a missing environment, a broken trust, bad input): it only logs
//! it, and `next_execution_time` advances all the same. So the only way to notice a dead
//! schedule from the API is to count: every slot croniter expects since the trigger was
//! made must have an execution naming the trigger in its `description`.
//!
//! - [`watch`] (pure) lays one trigger's executions on its expected slots;
//! - [`render`] shows the result as text, JSON or OpenMetrics;
//! - [`run`] is the command: login, two kinds of list call, output, exit code.
//!
//! # Matching rule
//! Mistral's periodic task fires a trigger once `next_execution_time <= now + 2 s`, and
//! after downtime fires once late, then goes on from the current time. So an execution
//! that started at `e` belongs to the newest slot `s <= e + EARLY` (`EARLY` covers the
//! 2 s and Mistral's whole-second `created_at`); when that slot already has an execution,
//! to the newest earlier slot that has none (a late catch-up fire stands for a slot the
//! downtime swallowed). Executions are taken oldest first. A slot without an execution is
//! `MISSED` once it is [`GRACE`] in the past, `due` until then (a slot up to `EARLY`
//! ahead is listed too, since its fire may have started), so a fire in progress is never
//! reported.

mod matching;
pub mod render;
pub mod run;
#[cfg(test)]
mod tests;

use mistral_actions_cron::{DateTime, Pattern};

use crate::listed::ListedTrigger;

pub use matching::{EARLY, GRACE};
pub use run::{run_schedules, Format, SchedulesArgs, Window};

/// At most this many slots per schedule in one window: a seconds pattern over a long
/// window would otherwise take minutes and print nothing useful.
pub const MAX_SLOTS: usize = 100_000;

/// An execution a trigger started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub id: String,
    /// Mistral's state: RUNNING, SUCCESS, ERROR, CANCELLED, PAUSED, IDLE.
    pub state: String,
    /// Its `created_at`: when the fire started it.
    pub started: DateTime,
}

/// What became of one expected slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Fired(Run),
    /// Past by [`GRACE`] or more and no execution: the fire failed to start or was
    /// skipped.
    Missed,
    /// Past by less than [`GRACE`], no execution yet.
    Due,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub at: DateTime,
    pub outcome: Outcome,
}

/// One owned trigger, watched over the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watched {
    pub name: String,
    pub id: String,
    pub pattern: String,
    pub workflow: String,
    pub created: Option<DateTime>,
    /// Mistral's `next_execution_time`, as it says it.
    pub next_fire: Option<String>,
    /// The expected slots in the window, oldest first.
    pub slots: Vec<Slot>,
    /// The trigger's executions in the window no slot accounts for.
    pub unmatched: Vec<Run>,
    /// Why the slots could not be counted (then `slots` is empty).
    pub problem: Option<String>,
}

impl Watched {
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.slots.iter().filter(|s| f(&s.outcome)).count()
    }

    pub fn fired(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Fired(_)))
    }

    pub fn missed(&self) -> usize {
        self.count(|o| *o == Outcome::Missed)
    }

    pub fn due(&self) -> usize {
        self.count(|o| *o == Outcome::Due)
    }

    /// Every execution in the window, oldest first.
    fn runs(&self) -> impl Iterator<Item = &Run> {
        let mut runs: Vec<&Run> = self
            .slots
            .iter()
            .filter_map(|s| match &s.outcome {
                Outcome::Fired(r) => Some(r),
                _ => None,
            })
            .chain(&self.unmatched)
            .collect();
        runs.sort_by(|a, b| (a.started, &a.id).cmp(&(b.started, &b.id)));
        runs.into_iter()
    }

    /// The newest execution.
    pub fn last_run(&self) -> Option<&Run> {
        self.runs().last()
    }

    /// The newest execution that ended SUCCESS.
    pub fn last_success(&self) -> Option<&Run> {
        self.runs().filter(|r| r.state == "SUCCESS").last()
    }

    /// What makes the command exit 1: a missed slot, a last run that ended ERROR, or
    /// slots that could not be counted.
    pub fn failing(&self) -> bool {
        self.missed() > 0
            || self.problem.is_some()
            || self.last_run().is_some_and(|r| r.state == "ERROR")
    }
}

/// Lays `runs` (the trigger's executions since `now - window_secs - EARLY`) on the
/// slots the trigger expects in `[now - window_secs, now + EARLY]` (a fire starts up to
/// `EARLY` before its slot).
pub fn watch(trigger: &ListedTrigger, runs: Vec<Run>, now: DateTime, window_secs: i64) -> Watched {
    let mut watched = Watched {
        name: trigger.name.clone(),
        id: trigger.id.clone(),
        pattern: trigger.pattern.clone().unwrap_or_default(),
        workflow: trigger
            .workflow_name
            .clone()
            .or_else(|| trigger.workflow_id.clone())
            .unwrap_or_default(),
        created: trigger
            .created_at
            .as_deref()
            .and_then(|c| DateTime::parse(c).ok()),
        next_fire: trigger.next_execution_time.clone(),
        slots: Vec::new(),
        unmatched: Vec::new(),
        problem: None,
    };
    let start = now.plus_seconds(-window_secs).unwrap_or(now);
    let first = trigger
        .first_execution_time
        .as_deref()
        .and_then(|f| DateTime::parse(f).ok());
    match expected(&watched.pattern, watched.created, first, start, now) {
        Ok(slots) => {
            let (slots, unmatched) = matching::lay(&slots, runs, now);
            watched.slots = slots;
            // An early start for a slot just before the window is not the window's.
            watched.unmatched = unmatched
                .into_iter()
                .filter(|r| r.started >= start)
                .collect();
        }
        Err(problem) => {
            watched.unmatched = runs;
            watched.problem = Some(problem);
        }
    }
    watched
}

/// The fires croniter expects in `[start, now + EARLY]` for a trigger made at `created`: from
/// `first_execution_time` when it has one (its first fire, whatever the pattern), then
/// each next fire of the pattern after the one before, as Mistral chains them.
fn expected(
    pattern: &str,
    created: Option<DateTime>,
    first: Option<DateTime>,
    start: DateTime,
    now: DateTime,
) -> Result<Vec<DateTime>, String> {
    let parsed = Pattern::parse(pattern)
        .map_err(|e| format!("cannot read the pattern \"{pattern}\": {e}"))?;
    let created = created.ok_or("Mistral gave no created_at")?;
    let (mut slots, after) = match first {
        Some(f) => (vec![f].into_iter().filter(|&f| f >= start).collect(), f),
        None => (Vec::new(), created),
    };
    let from = after.plus_seconds(1).unwrap_or(after).max(start);
    // A slot up to EARLY ahead may have started already.
    let last = now.plus_seconds(EARLY).unwrap_or(now);
    let end = last.plus_seconds(1).unwrap_or(last);
    for slot in parsed.slots(from, end) {
        if slots.len() == MAX_SLOTS {
            return Err(format!(
                "more than {MAX_SLOTS} slots in the window: pass a shorter --window"
            ));
        }
        slots.push(slot);
    }
    Ok(slots.into_iter().filter(|&s| s <= last).collect())
}
