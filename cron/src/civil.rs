//! A UTC civil date-time to the second: all Mistral's cron triggers know (its times are
//! naive UTC, `YYYY-MM-DD HH:MM[:SS]`).
//!
//! Our own rather than `time` or `chrono`: the search in `search.rs` steps the way
//! dateutil's `relativedelta` does (set some fields, then add a duration), which neither
//! crate offers as such, so the port would wrap one anyway; the whole type is the
//! days-from-civil conversion below plus parsing and printing, and it keeps this crate,
//! which codegen builds, free of a date library.
//!
//! `runtime/src/clock.rs` holds the same two day-count conversions, but linking the
//! runtime would put 109 crates (`cargo tree -e normal`) under codegen, against this
//! crate's 7; the runtime could use this type instead.
//!
//! Sub-second parts are dropped on parse: croniter discards them before it searches (it
//! adds one minute, or one second, and truncates), so `next_after` of `12:00:59.999`
//! equals that of `12:00:59`.

use std::fmt;
use std::str::FromStr;

use crate::ParseError;

/// A moment in UTC, to the second, between years 1 and 9999 (Python's `datetime` range).
/// Orders chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

/// Days in `month` of `year`, Gregorian.
pub(crate) fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 400 == 0 || (year % 4 == 0 && year % 100 != 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

impl DateTime {
    /// The date-time, if it exists on the calendar and lies in years 1..=9999.
    pub fn new(year: i32, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60
            && second < 60;
        valid.then_some(DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// The moment `seconds` after 1970-01-01 00:00:00 UTC, if within years 1..=9999.
    pub fn from_unix(seconds: i64) -> Option<Self> {
        let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
        let rest = seconds.rem_euclid(86_400);
        let year = i32::try_from(year).ok()?;
        DateTime::new(
            year,
            month,
            day,
            (rest / 3600) as u8,
            (rest / 60 % 60) as u8,
            (rest % 60) as u8,
        )
    }

    /// Seconds since 1970-01-01 00:00:00 UTC (negative before).
    pub fn unix(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// This moment moved by `seconds`, if the result stays within years 1..=9999.
    pub fn plus_seconds(&self, seconds: i64) -> Option<Self> {
        DateTime::from_unix(self.unix().checked_add(seconds)?)
    }

    pub fn year(&self) -> i32 {
        self.year
    }
    pub fn month(&self) -> u8 {
        self.month
    }
    pub fn day(&self) -> u8 {
        self.day
    }
    pub fn hour(&self) -> u8 {
        self.hour
    }
    pub fn minute(&self) -> u8 {
        self.minute
    }
    pub fn second(&self) -> u8 {
        self.second
    }

    /// Day of the week, 0 = Sunday … 6 = Saturday (cron's numbering).
    pub fn weekday(&self) -> u8 {
        // 1970-01-01 was a Thursday.
        (days_from_civil(self.year, self.month, self.day) + 4).rem_euclid(7) as u8
    }

    /// The same day at `hour:minute:second`.
    pub(crate) fn at(&self, hour: u8, minute: u8, second: u8) -> Self {
        DateTime {
            hour,
            minute,
            second,
            ..*self
        }
    }

    /// Midnight on the first of the month `months` (0..=11) after this one, if before
    /// year 10000.
    pub(crate) fn first_of_month_after(&self, months: u8) -> Option<Self> {
        let index = u32::from(self.month) - 1 + u32::from(months);
        DateTime::new(
            self.year + (index / 12) as i32,
            (index % 12) as u8 + 1,
            1,
            0,
            0,
            0,
        )
    }

    /// Parses Mistral's `YYYY-MM-DD HH:MM`, with optional `:SS` and `.ffffff`
    /// (dropped, see the module doc); `T` may stand for the space.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let bad = || ParseError::DateTime {
            text: text.to_string(),
        };
        let b = text.as_bytes();
        let num = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = b.get(range)?;
            part.iter()
                .all(u8::is_ascii_digit)
                .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
        };
        let shape_ok = b.len() >= 16
            && b[4] == b'-'
            && b[7] == b'-'
            && (b[10] == b' ' || b[10] == b'T')
            && b[13] == b':';
        if !shape_ok {
            return Err(bad());
        }
        let second = match b.len() {
            16 => Some(0),
            19 => num(17..19).filter(|_| b[16] == b':'),
            n if n > 20 && b[16] == b':' && b[19] == b'.' => {
                num(17..19).filter(|_| b[20..].iter().all(u8::is_ascii_digit))
            }
            _ => None,
        };
        let field = |r| num(r).and_then(|n| u8::try_from(n).ok());
        (|| {
            DateTime::new(
                num(0..4)? as i32,
                field(5..7)?,
                field(8..10)?,
                field(11..13)?,
                field(14..16)?,
                u8::try_from(second?).ok()?,
            )
        })()
        .ok_or_else(bad)
    }
}

impl FromStr for DateTime {
    type Err = ParseError;
    fn from_str(text: &str) -> Result<Self, ParseError> {
        DateTime::parse(text)
    }
}

/// `YYYY-MM-DD HH:MM:SS`, the form Mistral's API prints.
impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(text: &str) -> DateTime {
        DateTime::parse(text).unwrap()
    }

    #[test]
    fn unix_round_trips_over_the_whole_range() {
        for seconds in [
            -62_135_596_800, // 0001-01-01
            -1,
            0,
            951_782_400, // 2000-02-29
            1_709_164_800,
            253_402_300_799, // 9999-12-31 23:59:59
        ] {
            let t = DateTime::from_unix(seconds).unwrap();
            assert_eq!(t.unix(), seconds, "{t}");
        }
        assert_eq!(DateTime::from_unix(-62_135_596_801), None);
        assert_eq!(DateTime::from_unix(253_402_300_800), None);
        assert_eq!(dt("2000-02-29 00:00").unix(), 951_782_400);
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        let first = days_from_civil(2000, 1, 1);
        for days in first..first + 146_097 {
            let (y, m, d) = civil_from_days(days);
            assert!(d >= 1 && d <= days_in_month(y as i32, m));
            assert_eq!(days_from_civil(y as i32, m, d), days);
        }
    }

    #[test]
    fn weekdays_count_from_sunday() {
        assert_eq!(dt("1970-01-01 00:00").weekday(), 4);
        assert_eq!(dt("2024-02-29 12:00").weekday(), 4);
        assert_eq!(dt("2024-03-03 00:00").weekday(), 0);
        assert_eq!(dt("2024-03-09 23:59").weekday(), 6);
    }

    #[test]
    fn parses_mistral_forms_and_prints_seconds() {
        assert_eq!(dt("2024-02-29 02:00").to_string(), "2024-02-29 02:00:00");
        assert_eq!(dt("2024-02-29T02:00:07").to_string(), "2024-02-29 02:00:07");
        assert_eq!(
            dt("2024-02-29 02:00:07.999999").to_string(),
            "2024-02-29 02:00:07"
        );
        for bad in [
            "",
            "2023-02-29 00:00",
            "2024-13-01 00:00",
            "2024-01-01 24:00",
            "2024-01-01 00:60",
            "2024-01-01 00:00:60",
            "2024-01-01",
            "2024-01-01 00:00:",
            "2024-01-01 00:00:00.",
            "2024-01-01 00:00:00.x",
            "0000-01-01 00:00",
            "2024/01/01 00:00",
            "+024-01-01 00:00",
        ] {
            assert!(DateTime::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn month_steps_wrap_into_the_next_year() {
        let t = dt("2024-11-30 13:14:15");
        assert_eq!(
            t.first_of_month_after(1).unwrap().to_string(),
            "2024-12-01 00:00:00"
        );
        assert_eq!(
            t.first_of_month_after(2).unwrap().to_string(),
            "2025-01-01 00:00:00"
        );
        assert_eq!(
            t.first_of_month_after(11).unwrap().to_string(),
            "2025-10-01 00:00:00"
        );
        assert_eq!(t.at(1, 2, 3).to_string(), "2024-11-30 01:02:03");
    }
}
