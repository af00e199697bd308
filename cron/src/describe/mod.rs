//! A pattern in English, from the sets croniter searches (so `5-5 * * * *` reads "every
//! minute", as croniter fires it), for the catalog.
//!
//! The phrase is time of day, then days, then months and years. Common shapes get short
//! phrases ("every 15 minutes", "at 02:00 UTC every day", "on the second Monday of the
//! month"); the rest is spelled out value by value, which is long but still exact.

mod days;
#[cfg(test)]
mod days_check;

use crate::expand::{Fields, Set};
use days::{days, Days};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub(crate) fn describe(fields: &Fields) -> String {
    let time = time_of_day(fields);
    let months = restricted(&fields.month, 1..=12)
        .map(|m| list(&runs(&m, |v| MONTHS[v as usize - 1].to_string())));
    let days = days(fields);
    // "on day 29 of February" rather than "on day 29 of the month in February".
    let fold =
        months.is_some() && matches!(days, Days::OfMonth(..) | Days::Nth(_) | Days::Nearest(_));
    let day_phrase = match days {
        Days::Every if time.starts_with("every") => String::new(),
        Days::Every => " every day".to_string(),
        days => {
            let mut phrase = days.phrase();
            if let (true, Some(months)) = (fold, &months) {
                phrase = phrase.replace(" of the month", &format!(" of {months}"));
            }
            let joint = if phrase.starts_with("on ") { " " } else { ", " };
            format!("{joint}{phrase}")
        }
    };
    let month_phrase = match (&months, fold) {
        (Some(months), false) => format!(" in {months}"),
        _ => String::new(),
    };
    let year_phrase = fields
        .year
        .as_ref()
        .and_then(|years| restricted(years, 1970..=2099))
        .map(|y| {
            let of = if month_phrase.is_empty() { "in" } else { "of" };
            format!(" {of} {}", numbers(&y))
        })
        .unwrap_or_default();
    format!("{time}{day_phrase}{month_phrase}{year_phrase}")
}

/// The values of a field that does not allow everything in `all`.
pub(super) fn restricted(set: &Set, all: std::ops::RangeInclusive<u64>) -> Option<Vec<u64>> {
    let every = set.star || all.clone().all(|v| set.values.contains(&v));
    (!every).then(|| set.values.iter().copied().collect())
}

/// Allowed values of a time field (`None` when all).
fn allowed(set: Option<&Set>, period: u64, absent: u64) -> Option<Vec<u64>> {
    match set {
        None => Some(vec![absent]),
        Some(set) => restricted(set, 0..=period - 1),
    }
}

/// `Some(k)` when `values` are 0, k, 2k, … through the whole period (`*/k` with k
/// dividing it), k > 1.
fn cycle(values: &[u64], period: u64) -> Option<u64> {
    let k = *values.get(1)?;
    let whole = values[0] == 0 && values.len() as u64 * k == period;
    (whole && values.iter().enumerate().all(|(i, v)| *v == i as u64 * k)).then_some(k)
}

fn time_of_day(fields: &Fields) -> String {
    let seconds = allowed(fields.second.as_ref(), 60, 0);
    let minutes = allowed(Some(&fields.minute), 60, 0);
    let hours = allowed(Some(&fields.hour), 24, 0);
    let on_the_minute = seconds.as_deref() == Some(&[0]);
    match (&seconds, &minutes, &hours) {
        (None, None, None) => return "every second".to_string(),
        (Some(s), None, None) if on_the_minute => {
            return "every minute".to_string() + &at_seconds(s)
        }
        (Some(s), None, None) => {
            return match cycle(s, 60) {
                Some(k) => format!("every {k} seconds"),
                None => format!("every minute at {}", plural("second", s)),
            }
        }
        _ => {}
    }
    let count = |v: &Option<Vec<u64>>, all: usize| v.as_ref().map_or(all, Vec::len);
    let times = count(&seconds, 60) * count(&minutes, 60) * count(&hours, 24);
    if hours.is_some() && times <= 6 {
        return format!(
            "at {} UTC",
            list(&clock_times(&seconds, &minutes, &hours, on_the_minute))
        );
    }
    if !on_the_minute {
        let second_part = match &seconds {
            None => "every second".to_string(),
            Some(s) => match cycle(s, 60) {
                Some(k) => format!("every {k} seconds"),
                None => format!("at {}", plural("second", s)),
            },
        };
        let minute_part = match &minutes {
            None => "every minute".to_string(),
            Some(m) => plural("minute", m),
        };
        return format!("{second_part} of {minute_part}{}", during(&hours));
    }
    let minute_part = match &minutes {
        None => "every minute".to_string(),
        Some(m) => match cycle(m, 60) {
            Some(k) => format!("every {k} minutes"),
            None if hours.is_none() => format!("every hour at {}", plural("minute", m)),
            None => format!("at {}", plural("minute", m)),
        },
    };
    match (&minutes, &hours) {
        (Some(m), Some(h)) if m.len() == 1 => match cycle(h, 24) {
            Some(k) => format!("every {k} hours from 00:{:02} UTC", m[0]),
            None => format!("{minute_part}{}", during(&hours)),
        },
        _ => format!("{minute_part}{}", during(&hours)),
    }
}

fn at_seconds(seconds: &[u64]) -> String {
    if seconds == [0] {
        String::new()
    } else {
        format!(" at {}", plural("second", seconds))
    }
}

fn during(hours: &Option<Vec<u64>>) -> String {
    match hours {
        None => String::new(),
        Some(h) => format!(" during {} UTC", plural("hour", h)),
    }
}

/// Every time of day the fields allow, as `HH:MM` (or `HH:MM:SS`), in order.
fn clock_times(
    seconds: &Option<Vec<u64>>,
    minutes: &Option<Vec<u64>>,
    hours: &Option<Vec<u64>>,
    on_the_minute: bool,
) -> Vec<String> {
    let all =
        |v: &Option<Vec<u64>>, period: u64| v.clone().unwrap_or_else(|| (0..period).collect());
    let mut out = Vec::new();
    for h in all(hours, 24) {
        for m in all(minutes, 60) {
            for s in all(seconds, 60) {
                out.push(if on_the_minute {
                    format!("{h:02}:{m:02}")
                } else {
                    format!("{h:02}:{m:02}:{s:02}")
                });
            }
        }
    }
    out
}

/// "minute 5", "minutes 0 and 30", "hours 9 through 17".
fn plural(unit: &str, values: &[u64]) -> String {
    let s = if values.len() == 1 { "" } else { "s" };
    format!("{unit}{s} {}", numbers(values))
}

/// Numbers in words: runs of three or more as "a through b", a long even spacing as
/// "a through b in steps of k".
pub(super) fn numbers(values: &[u64]) -> String {
    if values.len() >= 5 {
        let k = values[1] - values[0];
        if k > 1 && values.windows(2).all(|w| w[1] - w[0] == k) {
            return format!(
                "{} through {} in steps of {k}",
                values[0],
                values[values.len() - 1]
            );
        }
    }
    list(&runs(values, |v| v.to_string()))
}

/// Consecutive values of three or more merged into "a through b".
pub(super) fn runs(values: &[u64], name: impl Fn(u64) -> String) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let mut j = i;
        while j + 1 < values.len() && values[j + 1] == values[j] + 1 {
            j += 1;
        }
        if j - i >= 2 {
            out.push(format!("{} through {}", name(values[i]), name(values[j])));
        } else {
            out.extend(values[i..=j].iter().map(|&v| name(v)));
        }
        i = j + 1;
    }
    out
}

/// "a", "a and b", "a, b and c".
pub(super) fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
