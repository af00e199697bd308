//! The watched schedules as text (people), JSON (scripts) and OpenMetrics (node_exporter's
//! textfile collector). Pure and deterministic: schedules in name order, slots oldest
//! first. None shows a trigger's input or environment: they may hold secrets.

use std::fmt::Write as _;

use mistral_actions_cron::{DateTime, Pattern};
use serde_json::{json, Value};

use super::{Outcome, Run, Watched, Window, GRACE};

/// At most this many slots per schedule in the text; the earlier ones are summed up in
/// one line (the JSON has them all).
pub const SHOWN: usize = 20;

/// What the three renderings show.
pub struct Report<'a> {
    /// Which Mistral, project and user (text only).
    pub header: &'a str,
    pub now: DateTime,
    pub window: Window,
    /// In name order.
    pub schedules: &'a [Watched],
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn words(pattern: &str) -> String {
    Pattern::parse(pattern).map_or_else(|_| "unreadable".to_string(), |p| p.describe())
}

fn run_text(run: &Run) -> String {
    format!("execution {} started {}", run.id, run.started)
}

fn schedule_text(out: &mut String, w: &Watched) {
    let _ = writeln!(out, "{} (cron trigger {})", w.name, w.id);
    let _ = writeln!(
        out,
        "  pattern \"{}\": {}; workflow {}",
        w.pattern,
        words(&w.pattern),
        w.workflow
    );
    let created = w.created.map_or("unknown".to_string(), |c| c.to_string());
    let next = w.next_fire.as_deref().unwrap_or("none");
    let _ = writeln!(out, "  created {created}, next fire {next}");
    if let Some(problem) = &w.problem {
        let _ = writeln!(out, "  cannot count its slots: {problem}");
    }
    let hidden = w.slots.len().saturating_sub(SHOWN);
    if hidden > 0 {
        let earlier = Watched {
            slots: w.slots[..hidden].to_vec(),
            unmatched: Vec::new(),
            ..w.clone()
        };
        let _ = writeln!(
            out,
            "  … {} before these: {} fired, {} missed",
            plural(hidden, "slot"),
            earlier.fired(),
            earlier.missed()
        );
    }
    for slot in &w.slots[hidden..] {
        let _ = match &slot.outcome {
            Outcome::Fired(run) => {
                writeln!(out, "  {}  {:<9}  {}", slot.at, run.state, run_text(run))
            }
            Outcome::Missed => writeln!(out, "  {}  MISSED", slot.at),
            Outcome::Due => writeln!(out, "  {}  due        (no execution yet)", slot.at),
        };
    }
    for run in &w.unmatched {
        let _ = writeln!(out, "  on no slot: {} ({})", run_text(run), run.state);
    }
    let last = w
        .last_run()
        .map_or("no run in the window".to_string(), |r| {
            format!("last run {} ({})", r.state, run_text(r))
        });
    let _ = writeln!(
        out,
        "  {}: {} fired, {} missed, {} due; {last}",
        plural(w.slots.len(), "slot"),
        w.fired(),
        w.missed(),
        w.due()
    );
}

fn why(w: &Watched) -> String {
    if w.problem.is_some() {
        "slots not counted".to_string()
    } else if w.missed() > 0 {
        format!("{} missed", w.missed())
    } else {
        "last run ERROR".to_string()
    }
}

/// For people: each schedule, its newest slots, a verdict.
pub fn text(report: &Report) -> String {
    let start = report
        .now
        .plus_seconds(-report.window.secs)
        .unwrap_or(report.now);
    let mut out = format!(
        "{}\nWindow {}: slots from {start} to {} UTC; a slot with no execution {GRACE} s after it is MISSED.\n",
        report.header, report.window, report.now
    );
    if report.schedules.is_empty() {
        out.push_str("\nNo cron trigger of this project carries mistral-actions' mark.\n");
        return out;
    }
    for w in report.schedules {
        out.push('\n');
        schedule_text(&mut out, w);
    }
    let failing: Vec<String> = report
        .schedules
        .iter()
        .filter(|w| w.failing())
        .map(|w| format!("{} ({})", w.name, why(w)))
        .collect();
    out.push('\n');
    let all = plural(report.schedules.len(), "schedule");
    if failing.is_empty() {
        let _ = writeln!(out, "OK: {all}, no slot missed, no last run in ERROR.");
    } else {
        let _ = writeln!(
            out,
            "FAILING: {} of {all}: {}.",
            failing.len(),
            failing.join(", ")
        );
    }
    out
}

fn run_json(run: Option<&Run>) -> Value {
    run.map_or(
        Value::Null,
        |r| json!({"execution": r.id, "state": r.state, "started": r.started.to_string()}),
    )
}

/// For scripts: everything, every slot.
pub fn json(report: &Report) -> String {
    let schedules: Vec<Value> = report
        .schedules
        .iter()
        .map(|w| {
            let slots: Vec<Value> = w
                .slots
                .iter()
                .map(|s| {
                    let (state, run) = match &s.outcome {
                        Outcome::Fired(r) => (r.state.as_str(), Some(r)),
                        Outcome::Missed => ("MISSED", None),
                        Outcome::Due => ("DUE", None),
                    };
                    json!({
                        "at": s.at.to_string(),
                        "state": state,
                        "execution": run.map(|r| r.id.clone()),
                        "started": run.map(|r| r.started.to_string()),
                    })
                })
                .collect();
            json!({
                "name": w.name,
                "id": w.id,
                "pattern": w.pattern,
                "workflow": w.workflow,
                "created_at": w.created.map(|c| c.to_string()),
                "next_execution_time": w.next_fire,
                "slots": slots,
                "unmatched": w.unmatched.iter().map(|r| run_json(Some(r))).collect::<Vec<_>>(),
                "fired": w.fired(),
                "missed": w.missed(),
                "due": w.due(),
                "last_run": run_json(w.last_run()),
                "last_success": run_json(w.last_success()),
                "problem": w.problem,
                "failing": w.failing(),
            })
        })
        .collect();
    let value = json!({
        "now": report.now.to_string(),
        "window_seconds": report.window.secs,
        "grace_seconds": GRACE,
        "schedules": schedules,
        "failing": report.schedules.iter().any(Watched::failing),
    });
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialize");
    text.push('\n');
    text
}

/// The states `mistral_actions_schedule_last_state` has a sample for, so that each
/// series exists (0) before it is first taken; `NONE`: no run in the window.
pub const STATES: [&str; 7] = [
    "CANCELLED",
    "ERROR",
    "IDLE",
    "NONE",
    "PAUSED",
    "RUNNING",
    "SUCCESS",
];

/// A label value, escaped as the exposition formats ask.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// For node_exporter's textfile collector (and any OpenMetrics reader): per schedule,
/// the last success, the missed and fired slots of the window, the last state.
pub fn openmetrics(report: &Report) -> String {
    type Sample = fn(&Watched) -> Vec<(String, i64)>;
    let metrics: [(&str, &str, Sample); 4] = [
        (
            "mistral_actions_schedule_last_success_timestamp_seconds",
            "Start of the schedule's newest execution that ended SUCCESS in the window (Unix time; 0: none).",
            |w| vec![(String::new(), w.last_success().map_or(0, |r| r.started.unix()))],
        ),
        (
            "mistral_actions_schedule_missed_slots",
            "Slots in the window with no execution of the schedule (a fire Mistral failed to start leaves no row).",
            |w| vec![(String::new(), w.missed() as i64)],
        ),
        (
            "mistral_actions_schedule_fired_slots",
            "Slots in the window with an execution of the schedule.",
            |w| vec![(String::new(), w.fired() as i64)],
        ),
        (
            "mistral_actions_schedule_last_state",
            "State of the schedule's newest execution in the window: 1 for its state, 0 for the others (NONE: no run).",
            |w| {
                let last = w.last_run().map_or("NONE", |r| r.state.as_str());
                STATES
                    .iter()
                    .map(|s| (format!(",state=\"{s}\""), i64::from(*s == last)))
                    .collect()
            },
        ),
    ];
    let mut out = String::new();
    for (name, help, samples) in metrics {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} gauge");
        for w in report.schedules {
            for (extra, value) in samples(w) {
                let _ = writeln!(
                    out,
                    "{name}{{schedule=\"{}\"{extra}}} {value}",
                    label(&w.name)
                );
            }
        }
    }
    out.push_str("# EOF\n");
    out
}
