//! Holds [`days`] to the search: for every combination of tricky day-of-month,
//! day-of-week and month fields, the days the described [`Days`] names over two years
//! (a leap day among them) are the days the search fires on.

use super::days::{days, Days};
use crate::civil::{days_in_month, DateTime};
use crate::expand::Nth;
use crate::Pattern;

const DAYS_OF_MONTH: [&str; 16] = [
    "*", "?", "1", "15", "31", "L", "15,L", "1-7", "8-14", "*/2", "1-31", "1-30,L", "15W", "1W",
    "31W", "29-31",
];
const DAYS_OF_WEEK: [&str; 12] = [
    "*", "?", "1", "0,6", "1-5", "0-6", "1#2", "5#5", "L5", "1#1,3#3", "0-6,1#2", "*,1#2",
];
const MONTHS: [&str; 4] = ["*", "2", "1-3", "2,4"];

/// croniter's nearest weekday to `wanted` in `date`'s month, written again apart from
/// the search's.
fn nearest(date: DateTime, wanted: u8) -> u8 {
    let length = days_in_month(date.year(), date.month());
    let day = wanted.min(length);
    let weekday = DateTime::new(date.year(), date.month(), day, 0, 0, 0)
        .unwrap()
        .weekday();
    match weekday {
        6 if day > 1 => day - 1,
        6 => day + 2,
        0 if day < length => day + 1,
        0 => day - 2,
        _ => day,
    }
}

fn fires_on(days: &Days, date: DateTime) -> bool {
    let (day, weekday) = (date.day(), u64::from(date.weekday()));
    let length = days_in_month(date.year(), date.month());
    match days {
        Days::Every => true,
        Days::OfMonth(values, last) => values.contains(&u64::from(day)) || (*last && day == length),
        Days::Weekdays(weekdays) => weekdays.contains(&weekday),
        Days::Nth(nth) => nth.get(&(weekday as u8)).is_some_and(|nths| {
            nths.iter().any(|n| match n {
                Nth::Last => day + 7 > length,
                Nth::N(k) => (day - 1) / 7 + 1 == *k,
            })
        }),
        Days::Nearest(wanted) => day == nearest(date, *wanted),
        Days::Either(a, b) => fires_on(a, date) || fires_on(b, date),
        Days::Both(a, b) => fires_on(a, date) && fires_on(b, date),
    }
}

#[test]
fn described_days_are_the_days_croniter_fires_on() {
    let from = DateTime::new(2023, 3, 1, 0, 0, 0).unwrap();
    let to = DateTime::new(2025, 3, 1, 0, 0, 0).unwrap();
    let mut checked = 0;
    for dom in DAYS_OF_MONTH {
        for dow in DAYS_OF_WEEK {
            for month in MONTHS {
                let text = format!("0 0 {dom} {month} {dow}");
                let Ok(pattern) = Pattern::parse(&text) else {
                    continue;
                };
                if !pattern.can_fire() {
                    continue;
                }
                let described = days(&pattern.fields);
                let month_ok = |t: DateTime| {
                    let months = &pattern.fields.month;
                    months.star || months.values.contains(&u64::from(t.month()))
                };
                let expected: Vec<DateTime> = (0..)
                    .map(|d| from.plus_seconds(d * 86_400).unwrap())
                    .take_while(|&t| t < to)
                    .filter(|&t| month_ok(t) && fires_on(&described, t))
                    .collect();
                let fired: Vec<DateTime> = pattern.slots(from, to).collect();
                assert_eq!(
                    fired.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    expected.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "{text} ({})",
                    pattern.describe()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "only {checked} patterns checked");
}
