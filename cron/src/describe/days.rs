//! Which days a pattern fires on, as croniter's search decides them, in words.
//!
//! croniter ORs day-of-month and day-of-week when both are restricted, by two searches;
//! but a `#`/`L` weekday or a `W` day is not part of those fields, so it narrows both
//! searches, and then the narrower one is what fires (and nothing, if either search
//! fails). [`days`] folds that into one [`Days`]; `days_check.rs` holds it to the search.

use std::collections::{BTreeMap, BTreeSet};

use super::{list, numbers, restricted, runs};
use crate::expand::{Fields, Nth, Set};

const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
/// Which days fire, as croniter's search decides them.
pub(super) enum Days {
    Every,
    /// Days of the month, and whether the last day is among them.
    OfMonth(Vec<u64>, bool),
    /// Weekdays, 0 = Sunday.
    Weekdays(Vec<u64>),
    Nth(BTreeMap<u8, BTreeSet<Nth>>),
    /// `15W`.
    Nearest(u8),
    /// Either (croniter's OR of day-of-month and day-of-week).
    Either(Box<Days>, Box<Days>),
    /// Both (a `#` weekday or a `W` day narrowing the other field).
    Both(Box<Days>, Box<Days>),
}

pub(super) fn days(fields: &Fields) -> Days {
    let of_month = match fields.nearest.first() {
        Some(&day) => Days::Nearest(day),
        None if fields.day.star || covers_every_day(&fields.day) => Days::Every,
        None => Days::OfMonth(fields.day.values.iter().copied().collect(), fields.day.last),
    };
    let of_week = match restricted(&fields.weekday, 0..=6) {
        _ if !fields.nth.is_empty() => Days::Nth(fields.nth.clone()),
        None => Days::Every,
        Some(weekdays) => Days::Weekdays(weekdays),
    };
    let either = !fields.day.star && !fields.weekday.star;
    match (of_month, of_week) {
        (Days::Every, other) | (other, Days::Every) => {
            // One side allows every day: under OR that is every day, under AND the other.
            if either && fields.nth.is_empty() && fields.nearest.is_empty() {
                Days::Every
            } else {
                other
            }
        }
        // Under OR, a `#` weekday or a `W` day narrows its own side only to the days of
        // the other search, which it also narrows: what fires is the narrower set.
        (Days::OfMonth(..), nth @ Days::Nth(_)) if either => nth,
        (nearest @ Days::Nearest(_), Days::Weekdays(_)) if either => nearest,
        (a @ Days::OfMonth(..), b @ Days::Weekdays(_)) => Days::Either(Box::new(a), Box::new(b)),
        (a, b) => Days::Both(Box::new(a), Box::new(b)),
    }
}

/// A day-of-month set that every day of every month is in.
fn covers_every_day(days: &Set) -> bool {
    (1..=28).all(|d| days.values.contains(&d))
        && [29u64, 30, 31].iter().all(|&length| {
            (29..=length).all(|d| days.values.contains(&d) || (d == length && days.last))
        })
}

fn ordinal(nth: Nth) -> &'static str {
    match nth {
        Nth::N(1) => "first",
        Nth::N(2) => "second",
        Nth::N(3) => "third",
        Nth::N(4) => "fourth",
        Nth::N(_) => "fifth",
        Nth::Last => "last",
    }
}

/// Weekdays Monday first, so that the weekend reads "Saturday and Sunday".
fn monday_first(weekdays: &[u64]) -> Vec<u64> {
    let mut order: Vec<u64> = weekdays.iter().map(|&d| (d + 6) % 7).collect();
    order.sort_unstable();
    order
}

impl Days {
    /// The days as a phrase for after the time: "on …" or a bare "Monday through
    /// Friday".
    pub(super) fn phrase(&self) -> String {
        match self {
            Days::Weekdays(weekdays) => {
                let names = runs(&monday_first(weekdays), |d| {
                    WEEKDAYS[(d as usize + 1) % 7].to_string()
                });
                match names.as_slice() {
                    [range] if range.contains(" through ") => range.clone(),
                    _ => format!("on {}", list(&names)),
                }
            }
            Days::Either(a, b) => {
                let b = b.phrase();
                let b = if b.starts_with("on ") {
                    b
                } else {
                    format!("on {b}")
                };
                format!("on {} or {b}", a.noun())
            }
            Days::Both(a, b) => match **a {
                Days::OfMonth(..) => format!("on {} if it falls on {}", b.noun(), a.noun()),
                _ => format!("on {} if that is also {}", b.noun(), a.noun()),
            },
            other => format!("on {}", other.noun()),
        }
    }

    /// The days as a noun phrase: "day 1 of the month", "the second Monday of the month".
    fn noun(&self) -> String {
        match self {
            Days::Every => "every day".to_string(),
            Days::OfMonth(values, last) => {
                let mut items = Vec::new();
                if !values.is_empty() {
                    let s = if values.len() == 1 { "" } else { "s" };
                    items.push(format!("day{s} {}", numbers(values)));
                }
                if *last {
                    items.push("the last day".to_string());
                }
                format!("{} of the month", list(&items))
            }
            Days::Weekdays(weekdays) => {
                let names = runs(&monday_first(weekdays), |d| {
                    WEEKDAYS[(d as usize + 1) % 7].to_string()
                });
                format!("a {}", list(&names).replace(" and ", " or "))
            }
            Days::Nth(nth) => {
                let mut by_weekday: Vec<(u64, &BTreeSet<Nth>)> =
                    nth.iter().map(|(&d, n)| (u64::from(d), n)).collect();
                by_weekday.sort_by_key(|(d, _)| (d + 6) % 7);
                let items: Vec<String> = by_weekday
                    .iter()
                    .map(|(d, nths)| {
                        let ordinals: Vec<String> =
                            nths.iter().map(|&n| ordinal(n).to_string()).collect();
                        format!("the {} {}", list(&ordinals), WEEKDAYS[*d as usize])
                    })
                    .collect();
                format!("{} of the month", list(&items))
            }
            Days::Nearest(day) => format!("the weekday nearest day {day} of the month"),
            Days::Either(..) | Days::Both(..) => self.phrase(),
        }
    }
}
