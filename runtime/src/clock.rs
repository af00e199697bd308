//! UTC wall-clock text in the two forms the original tool used, and Keystone's
//! `expires_at` parsed back. Small enough not to warrant a date crate.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Broken-down UTC time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utc {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub micros: u32,
}

impl Utc {
    pub fn now() -> Utc {
        Utc::from_system(SystemTime::now())
    }

    pub fn from_system(t: SystemTime) -> Utc {
        let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
        let secs = d.as_secs() as i64;
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        let rem = secs.rem_euclid(86_400) as u32;
        Utc {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
            micros: d.subsec_micros(),
        }
    }

    /// `2026_11_25_17_30_23`, Python's `%Y_%m_%d_%H_%M_%S` (backup and snapshot names).
    pub fn name_stamp(&self) -> String {
        format!(
            "{:04}_{:02}_{:02}_{:02}_{:02}_{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// `2026-11-25T17:30:23.123456Z`, RFC 3339 (the server's JSON log lines).
    pub fn rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.micros
        )
    }

    /// `2026-11-25 17:30:23.123456`, Python's `str(datetime)` (descriptions).
    pub fn python_str(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.micros
        )
    }
}

/// Parses ISO 8601 as Keystone writes it (`2026-11-25T18:30:23.000000Z`, or with a
/// `±hh:mm` offset) into a point in time.
pub fn parse_iso8601(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &s[19..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        // Cinder and Trove order backups created within one second by the fraction.
        for (i, d) in frac[..digits.min(9)].bytes().enumerate() {
            nanos += u32::from(d - b'0') * 10u32.pow(8 - i as u32);
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hm = rest[1..].replace(':', "");
            if hm.len() != 4 || !hm.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let (h, m): (i64, i64) = (hm[..2].parse().ok()?, hm[2..].parse().ok()?);
            sign * (h * 3600 + m * 60)
        }
    };
    let secs = days_from_civil(year, month as u32, day as u32) * 86_400
        + hour * 3600
        + minute * 60
        + second
        - offset;
    u64::try_from(secs)
        .ok()
        .map(|s| UNIX_EPOCH + Duration::new(s, nanos))
}

// Howard Hinnant's algorithms (http://howardhinnant.github.io/date_algorithms.html).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_keystone_format() {
        let t = parse_iso8601("2026-11-25T18:30:23.000000Z").unwrap();
        let u = Utc::from_system(t);
        assert_eq!(u.name_stamp(), "2026_11_25_18_30_23");
        assert_eq!(u.python_str(), "2026-11-25 18:30:23.000000");
        assert_eq!(u.rfc3339(), "2026-11-25T18:30:23.000000Z");
        assert_eq!(parse_iso8601(&u.rfc3339()), Some(t));
        let shifted = parse_iso8601("2026-11-25T20:30:23+02:00").unwrap();
        assert_eq!(shifted, t);
        assert_eq!(
            Utc::from_system(parse_iso8601("2000-02-29T00:00:00Z").unwrap()).name_stamp(),
            "2000_02_29_00_00_00"
        );
        assert!(parse_iso8601("2026-13-01T00:00:00Z").is_none());
        // Cinder writes no zone (UTC) and microseconds that order backups of one second.
        let a = parse_iso8601("2026-11-25T18:30:23.000100").unwrap();
        let b = parse_iso8601("2026-11-25T18:30:23.25").unwrap();
        assert_eq!(b.duration_since(t).unwrap(), Duration::from_millis(250));
        assert!(a < b);
        assert!(parse_iso8601("yesterday").is_none());
    }
}
