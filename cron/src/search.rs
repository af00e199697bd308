//! croniter's `get_next` for naive UTC times: `_calc_next` and the forward half of
//! `_calc`, step for step.
//!
//! From `t`, croniter adds one minute (one second with a seconds field) and drops what is
//! below; then, field by field from the year down, it moves to the nearest allowed value
//! and starts over whenever a field moved, until all fields match or the year has gone
//! more than 50 past the first (`max_years_between_matches`), when it raises
//! `CroniterBadDateError`, here `None`. Day-of-month and day-of-week both restricted
//! means either (two searches, the earlier wins), except that `#`/`L` weekdays and `W`
//! days always narrow their side and a failure of either search fails the whole.

use std::collections::BTreeSet;

use crate::civil::{days_in_month, DateTime};
use crate::expand::{Fields, Nth, Set};

/// croniter's default `max_years_between_matches`.
const MAX_YEARS: i32 = 50;

/// The next fire strictly after `now`, or `None` where croniter raises (no match within
/// its search limit, or a date past year 9999, where Python's `datetime` overflows).
pub(crate) fn next_after(fields: &Fields, now: DateTime) -> Option<DateTime> {
    let star = Set {
        star: true,
        ..Set::default()
    };
    let (day, weekday) = (&fields.day, &fields.weekday);
    if day.star || weekday.star {
        return calc(fields, day, weekday, now);
    }
    let one_sided = fields.nth.is_empty() && fields.nearest.is_empty();
    let by_day = calc(fields, day, &star, now);
    if by_day.is_none() && !one_sided {
        return None;
    }
    let by_weekday = calc(fields, &star, weekday, now);
    if by_weekday.is_none() && !one_sided {
        return None;
    }
    match (by_day, by_weekday) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// What one field's step did.
enum Step {
    Matches,
    Moved(DateTime),
    /// The year field has no value left (croniter's `None` from `proc_year`).
    Exhausted,
}

/// `_calc`, forward.
fn calc(fields: &Fields, day: &Set, weekday: &Set, now: DateTime) -> Option<DateTime> {
    let with_seconds = fields.second.is_some();
    let mut t = if with_seconds {
        now.plus_seconds(1)?
    } else {
        let t = now.plus_seconds(60)?;
        t.at(t.hour(), t.minute(), 0)
    };
    let first_year = t.year();
    while (t.year() - first_year).abs() <= MAX_YEARS {
        let steps: [&dyn Fn(DateTime) -> Option<Step>; 7] = [
            &|t| Some(year(fields.year.as_ref(), t)),
            &|t| month(&fields.month, t),
            &|t| match fields.nearest.is_empty() {
                true => day_of_month(day, t),
                false => nearest_weekday(&fields.nearest, t),
            },
            &|t| match fields.nth.is_empty() {
                true => day_of_week(weekday, t),
                false => nth_weekday(fields, t),
            },
            &|t| clock(Some(&fields.hour), t.hour(), 24, t.at(t.hour(), 0, 0), 3600),
            &|t| {
                clock(
                    Some(&fields.minute),
                    t.minute(),
                    60,
                    t.at(t.hour(), t.minute(), 0),
                    60,
                )
            },
            &|t| clock(fields.second.as_ref(), t.second(), 60, t, 1),
        ];
        let mut moved = false;
        for step in steps {
            match step(t)? {
                Step::Matches => {}
                Step::Moved(next) => {
                    t = next;
                    moved = true;
                    break;
                }
                Step::Exhausted => return None,
            }
        }
        if !moved {
            return Some(t);
        }
    }
    None
}

/// `_get_next_nearest_diff` over a cyclic field of `period` values: how far forward the
/// nearest allowed value is, wrapping into the next cycle (croniter's arithmetic,
/// including its guess for a value the next cycle may lack, which the next round
/// corrects).
fn forward(x: u64, set: &Set, period: u64) -> u64 {
    let fits = set.values.iter().find(|&&v| v <= period && v >= x);
    match (fits, set.last) {
        (Some(v), _) => v - x,
        (None, true) => period - x,
        (None, false) => set.values.first().map_or(0, |first| first + period - x),
    }
}

fn year(years: Option<&Set>, t: DateTime) -> Step {
    let Some(years) = years.filter(|y| !y.star) else {
        return Step::Matches;
    };
    let x = t.year() as u64;
    match years.values.range(x..).next() {
        None => Step::Exhausted,
        Some(&y) if y == x => Step::Matches,
        Some(&y) => match DateTime::new(y as i32, 1, 1, 0, 0, 0) {
            Some(next) => Step::Moved(next),
            None => Step::Exhausted,
        },
    }
}

fn month(months: &Set, t: DateTime) -> Option<Step> {
    if months.star {
        return Some(Step::Matches);
    }
    match forward(u64::from(t.month()), months, 12) {
        0 => Some(Step::Matches),
        diff => t.first_of_month_after(diff as u8).map(Step::Moved),
    }
}

/// Midnight `days` days after `t`'s day, or `Matches` for 0.
fn days_ahead(t: DateTime, days: u64) -> Option<Step> {
    if days == 0 {
        return Some(Step::Matches);
    }
    let days = i64::try_from(days).ok()?;
    t.at(0, 0, 0).plus_seconds(days * 86_400).map(Step::Moved)
}

fn day_of_month(days: &Set, t: DateTime) -> Option<Step> {
    if days.star {
        return Some(Step::Matches);
    }
    let length = days_in_month(t.year(), t.month());
    if days.last && t.day() == length {
        return Some(Step::Matches);
    }
    days_ahead(t, forward(u64::from(t.day()), days, u64::from(length)))
}

fn day_of_week(weekdays: &Set, t: DateTime) -> Option<Step> {
    if weekdays.star {
        return Some(Step::Matches);
    }
    days_ahead(t, forward(u64::from(t.weekday()), weekdays, 7))
}

/// `proc_day_of_week_nth` and `proc_nearest_weekday`: the earliest candidate day of
/// this month not before today, else the first of the next month.
fn earliest_candidate(t: DateTime, candidates: impl Iterator<Item = u8>) -> Option<Step> {
    match candidates.filter(|&c| c >= t.day()).min() {
        Some(c) => days_ahead(t, u64::from(c - t.day())),
        None => {
            let length = days_in_month(t.year(), t.month());
            days_ahead(t, u64::from(length - t.day() + 1))
        }
    }
}

fn nth_weekday(fields: &Fields, t: DateTime) -> Option<Step> {
    let first = t
        .at(0, 0, 0)
        .plus_seconds(-(i64::from(t.day()) - 1) * 86_400)?;
    let length = days_in_month(t.year(), t.month());
    let candidates = fields.nth.iter().flat_map(|(&weekday, nths)| {
        let first_such = 1 + (weekday + 7 - first.weekday()) % 7;
        let count = (length - first_such) / 7 + 1;
        nths.iter().filter_map(move |nth| match *nth {
            Nth::Last => Some(first_such + 7 * (count - 1)),
            Nth::N(n) if n <= count => Some(first_such + 7 * (n - 1)),
            Nth::N(_) => None,
        })
    });
    earliest_candidate(t, candidates)
}

/// croniter's `_get_nearest_weekday`: the day itself on a weekday, else the Friday
/// before or the Monday after, never leaving the month.
fn nearest_weekday(days: &BTreeSet<u8>, t: DateTime) -> Option<Step> {
    let length = days_in_month(t.year(), t.month());
    let candidates = days.iter().map(|&wanted| {
        let day = wanted.min(length);
        let weekday = t
            .at(0, 0, 0)
            .plus_seconds((i64::from(day) - i64::from(t.day())) * 86_400);
        match weekday.map(|d| d.weekday()) {
            Some(6) if day > 1 => day - 1,
            Some(6) => day + 2,
            Some(0) if day < length => day + 1,
            Some(0) => day - 2,
            _ => day,
        }
    });
    earliest_candidate(t, candidates)
}

/// `proc_hour`, `proc_minute`, `proc_second`: the nearest allowed `value` of a clock
/// field, counted in `unit` seconds from `t` with the smaller fields zeroed
/// (`from`), wrapping after `period`.
fn clock(set: Option<&Set>, value: u8, period: u64, from: DateTime, unit: i64) -> Option<Step> {
    let Some(set) = set.filter(|s| !s.star) else {
        return Some(Step::Matches);
    };
    match forward(u64::from(value), set, period) {
        0 => Some(Step::Matches),
        diff => from.plus_seconds(diff as i64 * unit).map(Step::Moved),
    }
}
