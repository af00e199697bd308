//! The crate's one error type. Its messages become located spec errors, so each names the
//! field and the text at fault, never the whole pattern.

use std::fmt;
use std::ops::Range;

/// A field of a pattern, in croniter's order: `minute hour day-of-month month
/// day-of-week [second [year]]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
    Second,
    Year,
}

impl Field {
    /// The fields in pattern order.
    pub const ORDER: [Field; 7] = [
        Field::Minute,
        Field::Hour,
        Field::DayOfMonth,
        Field::Month,
        Field::DayOfWeek,
        Field::Second,
        Field::Year,
    ];

    /// Smallest and largest value croniter accepts (`RANGES`).
    pub fn bounds(self) -> (u64, u64) {
        match self {
            Field::Minute | Field::Second => (0, 59),
            Field::Hour => (0, 23),
            Field::DayOfMonth => (1, 31),
            Field::Month => (1, 12),
            Field::DayOfWeek => (0, 6),
            Field::Year => (1970, 2099),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Field::Minute => "minute",
            Field::Hour => "hour",
            Field::DayOfMonth => "day-of-month",
            Field::Month => "month",
            Field::DayOfWeek => "day-of-week",
            Field::Second => "second",
            Field::Year => "year",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What is wrong with one value of a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// `H`: croniter hashes it with an id Mistral never passes.
    Hashed,
    /// `R`: croniter accepts it but draws a new value each time Mistral computes a fire.
    Random,
    QuestionMarkNotAlone,
    QuestionMarkHere,
    /// Neither a number nor a name this field knows.
    NotAValue,
    OutOfRange {
        value: u64,
    },
    Negative,
    ZeroStep,
    /// `L` at the start of a day-of-month range.
    LastStartsRange,
    /// `#n` with n outside 1..=5.
    BadNth {
        n: u64,
    },
    /// `nW` with n outside 1..=31.
    NearestOutOfRange {
        day: u64,
    },
    /// `nW` alongside other values.
    NearestNotAlone,
    /// `1#2,3`: croniter refuses plain weekdays next to nth ones.
    MixedNth,
}

/// Why a pattern or a date-time was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{}", field_count(*found))]
    FieldCount { found: usize },
    #[error("{}", field_problem(*field, token, part, problem))]
    Field {
        field: Field,
        /// The field's text as written.
        token: String,
        /// The comma-separated value at fault (the whole token when it has one).
        part: String,
        /// Byte range of `token` in the pattern.
        span: Range<usize>,
        problem: Problem,
    },
    #[error("`{text}` is not a UTC time written YYYY-MM-DD HH:MM[:SS]")]
    DateTime { text: String },
}

impl ParseError {
    /// Where in the pattern the fault lies (byte range of the field), when it lies in
    /// one field.
    pub fn span(&self) -> Option<Range<usize>> {
        match self {
            ParseError::Field { span, .. } => Some(span.clone()),
            _ => None,
        }
    }
}

const ALIASES: &str = "@yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly";

fn field_count(found: usize) -> String {
    let what = match found {
        0 => "the pattern is empty".to_string(),
        1 => "the pattern has 1 field".to_string(),
        n => format!("the pattern has {n} fields"),
    };
    format!(
        "{what}: croniter takes 5 (minute hour day-of-month month day-of-week), 6 (then \
         second) or 7 (then second and year), separated by spaces, or one of {ALIASES}"
    )
}

fn names_of(field: Field) -> &'static str {
    match field {
        Field::Month => " or a month name (jan…dec)",
        Field::DayOfWeek => " or a day name (sun…sat)",
        Field::DayOfMonth => " or L (the last day)",
        _ => "",
    }
}

fn field_problem(field: Field, token: &str, part: &str, problem: &Problem) -> String {
    let (lo, hi) = field.bounds();
    let subject = if part == token || part.is_empty() {
        String::new()
    } else {
        format!("`{part}`: ")
    };
    let what = match problem {
        Problem::Hashed => "H (hashed) needs a hash id, which Mistral does not pass, so \
                            croniter refuses it"
            .to_string(),
        Problem::Random => "R (random) is accepted by croniter but redrawn each time \
                            Mistral computes the next fire, so the schedule could not be \
                            checked nor watched; write the value you want"
            .to_string(),
        Problem::QuestionMarkNotAlone => "? must be the whole field".to_string(),
        Problem::QuestionMarkHere => {
            "? is only allowed in the day-of-month and day-of-week fields".to_string()
        }
        Problem::NotAValue if part.is_empty() => {
            "a value is missing (two commas in a row, or one at an end)".to_string()
        }
        Problem::NotAValue => {
            let hint = match field {
                Field::DayOfWeek if part.len() > 1 && part.to_ascii_lowercase().ends_with('l') => {
                    "; croniter writes the last Friday of the month as L5, not 5L"
                }
                Field::DayOfMonth if part.eq_ignore_ascii_case("lw") => {
                    "; croniter has no LW (last weekday of the month)"
                }
                _ => "",
            };
            format!("not a number{}{hint}", names_of(field))
        }
        Problem::OutOfRange { value } => format!("{value} is outside {lo}-{hi}"),
        Problem::Negative => "negative numbers are not allowed".to_string(),
        Problem::ZeroStep => "a step of 0 never advances".to_string(),
        Problem::LastStartsRange => "L can end a range (15-L) but not start one".to_string(),
        Problem::BadNth { n } => format!("the n of weekday#n must be 1 to 5, not {n}"),
        Problem::NearestOutOfRange { day } => {
            format!("W (nearest weekday) needs a day 1 to 31, not {day}")
        }
        Problem::NearestNotAlone => {
            "W (nearest weekday) must be the only value of its field".to_string()
        }
        Problem::MixedNth => "croniter does not mix plain weekdays with the nth-weekday \
                              forms (#n, Ln)"
            .to_string(),
    };
    format!("{field} field `{token}`: {subject}{what}")
}
