//! `mistral-actions schedules` (and `cargo xtask schedules`): its options, the list calls,
//! the exit code. One `GET /cron_triggers`, then one `GET /executions` per owned trigger,
//! filtered by Mistral on the trigger id in `description` and on `created_at`, a few at
//! a time.

use std::fmt;

use clap::{Args, ValueEnum};
use mistral_actions_cron::DateTime;
use serde_json::Value;

use super::render::{self, Report};
use super::{watch, Run, Watched, EARLY};
use crate::command::{now, print_errors, whom, LoginArgs};
use crate::listed::{owned_triggers, ListedTrigger};
use crate::mistral::{Client, Listing};
use crate::Error;

/// How many executions listings go out at once: one Mistral API process serves them.
const AT_ONCE: usize = 8;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: each schedule's newest slots and a verdict.
    #[default]
    Text,
    /// Every slot of every schedule, for scripts.
    Json,
    /// Gauges for node_exporter's textfile collector (Prometheus), ending `# EOF`.
    Openmetrics,
}

/// A look-back window: a number and a unit, `s`, `m`, `h`, `d` or `w` (`7d`, `36h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub secs: i64,
}

impl std::str::FromStr for Window {
    type Err = String;
    fn from_str(text: &str) -> Result<Window, String> {
        let bad = || format!("`{text}`: write a number and a unit, s, m, h, d or w (7d, 36h)");
        let unit = match text.chars().last().ok_or_else(bad)? {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        let n: i64 = text[..text.len() - 1].parse().map_err(|_| bad())?;
        match n.checked_mul(unit) {
            // A year of minutes is 525,600 slots: more would not be watching.
            Some(secs) if secs > 0 && secs <= 366 * 86_400 => Ok(Window { secs }),
            _ => Err(format!("`{text}`: between 1s and 366d")),
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.secs;
        match () {
            _ if s % 86_400 == 0 => write!(f, "{}d", s / 86_400),
            _ if s % 3600 == 0 => write!(f, "{}h", s / 3600),
            _ if s % 60 == 0 => write!(f, "{}m", s / 60),
            _ => write!(f, "{s}s"),
        }
    }
}

/// The options of `schedules`.
#[derive(Args, Debug, Clone)]
pub struct SchedulesArgs {
    /// Only these schedules (cron trigger names); every one of ours when none is given.
    /// A name with no trigger of ours is an error (exit 1): a schedule that is gone does
    /// not fire either.
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    #[command(flatten)]
    pub login: LoginArgs,
    /// How far back to count slots (never before a trigger was created): a number and
    /// s, m, h, d or w.
    #[arg(long, default_value = "7d", value_name = "DURATION")]
    pub window: Window,
    /// text, json, or openmetrics (for node_exporter's textfile collector).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The executions of `trigger` started since `since`, from one listing's answer.
/// `has:` is a LIKE, so the description is read back to check the id is the trigger's.
pub(super) fn runs_of(trigger: &ListedTrigger, items: Vec<Value>) -> Vec<Run> {
    items
        .into_iter()
        .filter_map(|e| {
            let description: Value = serde_json::from_str(e.get("description")?.as_str()?).ok()?;
            let by = description.get("triggered_by")?;
            if by.get("type")? != "cron_trigger" || by.get("id")? != trigger.id.as_str() {
                return None;
            }
            Some(Run {
                id: e.get("id")?.as_str()?.to_string(),
                state: e.get("state")?.as_str()?.to_string(),
                started: DateTime::parse(e.get("created_at")?.as_str()?).ok()?,
            })
        })
        .collect()
}

/// Lists the owned triggers and their executions, and watches each.
fn read(
    client: &Client,
    names: &[String],
    now: DateTime,
    window: Window,
) -> Result<Vec<Watched>, Error> {
    let project = client.identity().project_id.as_deref();
    let mut triggers = owned_triggers(
        client.list("/cron_triggers", &[], "cron_triggers")?,
        project,
    )?;
    if !names.is_empty() {
        triggers.retain(|t| names.contains(&t.name));
        let missing: Vec<&str> = names
            .iter()
            .filter(|n| !triggers.iter().any(|t| &t.name == *n))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(Error::NoSchedule(missing.join(", ")));
        }
    }
    triggers.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    let since = now
        .plus_seconds(-window.secs - EARLY)
        .unwrap_or(now)
        .to_string();
    let created = format!("gte:{since}");
    let mut watched = Vec::new();
    for chunk in triggers.chunks(AT_ONCE) {
        let queries: Vec<[(&str, String); 3]> = chunk
            .iter()
            .map(|t| {
                [
                    ("description", format!("has:{}", t.id)),
                    ("created_at", created.clone()),
                    ("fields", "id,state,created_at,description".to_string()),
                ]
            })
            .collect();
        let borrowed: Vec<Vec<(&str, &str)>> = queries
            .iter()
            .map(|q| q.iter().map(|(k, v)| (*k, v.as_str())).collect())
            .collect();
        let listings: Vec<Listing> = borrowed
            .iter()
            .map(|query| Listing {
                path: "/executions",
                query,
                items: "executions",
            })
            .collect();
        for (trigger, items) in chunk.iter().zip(client.list_all(&listings)?) {
            watched.push(watch(trigger, runs_of(trigger, items), now, window.secs));
        }
    }
    Ok(watched)
}

/// `schedules`: the exit code, 1 when a slot was missed, a last run ended ERROR, or on
/// an error.
pub fn run_schedules(args: &SchedulesArgs) -> u8 {
    let now = DateTime::from_unix(now()).expect("the clock is within years 1..=9999");
    let read = args
        .login
        .connect()
        .and_then(|client| Ok((whom(&client), read(&client, &args.names, now, args.window)?)));
    let (header, schedules) = match read {
        Ok(r) => r,
        Err(e) => {
            print_errors(&[e]);
            return 1;
        }
    };
    let report = Report {
        header: &header,
        now,
        window: args.window,
        schedules: &schedules,
    };
    print!(
        "{}",
        match args.format {
            Format::Text => render::text(&report),
            Format::Json => render::json(&report),
            Format::Openmetrics => render::openmetrics(&report),
        }
    );
    u8::from(schedules.iter().any(Watched::failing))
}
