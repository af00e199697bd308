//! Cron patterns exactly as Mistral 23 reads them.
//!
//! Mistral checks a cron trigger's `pattern` with python `croniter` (`croniter(pattern)`
//! must not raise) and computes each fire as `croniter(pattern, t).get_next(datetime)`
//! (`mistral/services/triggers.py`); Mistral 23.0.0 installs croniter 7.0.0. This crate
//! is a port of the parts of croniter 7.0.0 that Mistral uses: [`Pattern::parse`] accepts
//! what `croniter(pattern)` accepts, [`Pattern::next_after`] is `get_next` for naive
//! UTC times, and `tests/croniter_equality.rs` holds both to the python original on a
//! corpus of patterns and start times.
//!
//! # Why not a cron crate
//! `croner` 4.0.3, `cron` 0.17.0 and `saffron` 0.1.0 (the latest of each) were run
//! against croniter 7.0.0 on two dozen patterns, from 2024-02-28 23:59:30. Each reads
//! Mistral's patterns differently where users will tread:
//! - `cron`: six or seven fields with the seconds *first*, so every five-field pattern
//!   (`0 2 * * *`) is refused; weekdays count 1-7.
//! - `croner`: a sixth field is seconds *first*: `0 0 1 1 * 30` is refused (weekday 30;
//!   croniter: 00:00:30 on January 1st), `0 0 1 1 * 0 2030` fires at 01:00 on the 1st
//!   and on Sundays of 2030 (croniter: once, 2030-01-01 00:00). It accepts `5L` and
//!   `LW`, which croniter refuses, and refuses `L5` (croniter: the last Friday),
//!   `50-10/15` (croniter: minutes 6 and 50), `59/15` (croniter: minute 59) and
//!   `0 0 5-0 * *` (croniter: days 5 to 31). `5-5` is minute 5 (croniter: every
//!   minute); `0 0 1 * 1#2` fires on the 1st and second Mondays (croniter: never, so
//!   Mistral answers 500).
//! - `saffron`: refuses `*/61`, `?`, the `@` aliases and six or seven fields; reads
//!   weekday 1 as Sunday and 7 as Saturday; `50-10/15` is minutes 5 and 50; panics on
//!   `0 0 1 apr-jan/3 *`.
//!
//! All three also bring `chrono`, which codegen would build for nothing else.
//!
//! # What is not supported
//! - `R` (random, `R`, `R(0-29)`, `R/15`): croniter accepts it, but draws a new value
//!   each time Mistral computes the next fire, so no slot can be expected; refused with a
//!   message saying so. (`H` needs a hash id Mistral never passes; croniter refuses it.)
//! - Time zones and `get_prev`: Mistral uses neither.
//! - Times before year 1 or after 9999 (Python's `datetime` range).

mod civil;
mod describe;
mod error;
mod expand;
mod search;
mod syntax;

pub use civil::DateTime;
pub use error::{Field, ParseError, Problem};

use expand::Fields;

/// A cron pattern croniter 7.0.0 accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    fields: Fields,
}

impl Pattern {
    /// Reads `text` as `croniter.croniter(text)` does: five fields (`minute hour
    /// day-of-month month day-of-week`), six (then `second`) or seven (then `second
    /// year`), or an alias (`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`,
    /// `@midnight`, `@hourly`), case-insensitively. Refuses what croniter refuses, and `R`
    /// (see the crate doc).
    pub fn parse(text: &str) -> Result<Pattern, ParseError> {
        Ok(Pattern {
            text: text.to_string(),
            fields: expand::expand(text)?,
        })
    }

    /// The pattern as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The first fire strictly after `t`: `croniter(pattern, t).get_next(datetime)`.
    /// `None` where croniter raises `CroniterBadDateError` (nothing within 50 years of
    /// `t`, its search limit) or the fire would fall after year 9999.
    pub fn next_after(&self, t: DateTime) -> Option<DateTime> {
        search::next_after(&self.fields, t)
    }

    /// Whether the pattern ever fires. `false` for patterns croniter accepts but never
    /// finds a date for, such as `0 0 31 2 *`, for which Mistral's API answers 500
    /// "failed to find next date".
    ///
    /// Without a year field, whether croniter finds a fire does not depend on the start:
    /// the rarest day a pattern can name, February 29th on a given weekday, comes back
    /// within 40 years, inside croniter's 50, so one search from 2000-01-01 decides. With
    /// a year field, the pattern can fire if it fires in one of its years; whether it
    /// still can after a given time is [`Pattern::next_after`]'s answer.
    pub fn can_fire(&self) -> bool {
        let starts: Vec<i32> = match &self.fields.year {
            Some(years) if !years.star => years.values.iter().map(|&y| y as i32).collect(),
            _ => vec![2000],
        };
        starts.into_iter().any(|year| {
            DateTime::new(year - 1, 12, 31, 23, 59, 59)
                .and_then(|t| self.next_after(t))
                .is_some()
        })
    }

    /// The fires `t` with `from <= t < to`, in order, each found from the one before
    /// as Mistral's periodic task chains them (`next_after` of the previous fire).
    /// A trigger created at `c` first fires at `next_after(c)`, strictly later: its
    /// slots are `slots(c + 1 s, to)`. The search limit of `next_after` holds between
    /// two fires (croniter's `croniter_range` would narrow it to the window instead).
    pub fn slots(&self, from: DateTime, to: DateTime) -> Slots<'_> {
        Slots {
            pattern: self,
            // One second before `from`: croniter's next fire after it is the first at
            // or after `from`, since every fire falls on a whole second.
            cursor: from.plus_seconds(-1),
            to,
        }
    }

    /// The pattern in English, for the catalog: "at 02:00 UTC every day", "every 15
    /// minutes", "at 03:00 UTC, Monday through Friday". Deterministic; shapes without a
    /// short phrase are spelled out field by field.
    pub fn describe(&self) -> String {
        if !self.can_fire() {
            return "never (croniter finds no date on which it fires)".to_string();
        }
        describe::describe(&self.fields)
    }
}

impl std::str::FromStr for Pattern {
    type Err = ParseError;
    fn from_str(text: &str) -> Result<Pattern, ParseError> {
        Pattern::parse(text)
    }
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// The fires of a [`Pattern`] in a window; see [`Pattern::slots`].
#[derive(Clone, Debug)]
pub struct Slots<'a> {
    pattern: &'a Pattern,
    /// The last fire returned (or the start), `None` once the iteration has ended.
    cursor: Option<DateTime>,
    to: DateTime,
}

impl Iterator for Slots<'_> {
    type Item = DateTime;

    fn next(&mut self) -> Option<DateTime> {
        let fire = self
            .pattern
            .next_after(self.cursor?)
            .filter(|&fire| fire < self.to);
        self.cursor = fire;
        fire
    }
}
