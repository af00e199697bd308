//! croniter's `_expand`, as Mistral calls it (no hash id, no start-time re-basing): from
//! the text to one set of values per field, refusing exactly what croniter refuses.
//!
//! It follows croniter step by step, oddities included, because the sets are what the
//! search walks: `5-5` is every minute (an equal range means the whole field), `50-10/15`
//! wraps to minutes 6 and 50, `59/15` is minute 59 alone, a day-of-month list that
//! happens to hold 31 values collapses to `*` only when the day-of-week text has a `*`.
//! croniter pushes the values of a range back through its loop as text; here they go
//! back through [`Expander::value`] the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use crate::error::{Field, ParseError, Problem};
use crate::syntax::{self, SpecialDow};

/// The values one field allows, as croniter's expanded list: numbers, `*` and, in
/// day-of-month, `l`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Set {
    /// `*` is in the list: the field allows everything.
    pub star: bool,
    pub values: BTreeSet<u64>,
    /// `l`, the last day of the month.
    pub last: bool,
}

/// Which occurrence of a weekday in its month (`2#3`, `L2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Nth {
    N(u8),
    Last,
}

/// A pattern as croniter holds it after `_expand`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Fields {
    pub minute: Set,
    pub hour: Set,
    pub day: Set,
    pub month: Set,
    pub weekday: Set,
    /// Present with 6 or 7 fields.
    pub second: Option<Set>,
    /// Present with 7 fields.
    pub year: Option<Set>,
    /// `nth_weekday_of_month`: weekday (0 = Sunday) → which of them in the month.
    pub nth: BTreeMap<u8, BTreeSet<Nth>>,
    /// `nearest_weekday`: the days of `15W`.
    pub nearest: BTreeSet<u8>,
}

/// croniter's aliases (the first, hash-free form of each).
fn alias(lowered: &str) -> Option<&'static str> {
    Some(match lowered {
        "@midnight" | "@daily" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        "@weekly" => "0 0 * * 0",
        "@monthly" => "0 0 1 * *",
        "@yearly" | "@annually" => "0 0 1 1 *",
        _ => return None,
    })
}

/// The whitespace-separated fields of `text` with their byte ranges.
fn split(text: &str) -> Vec<(&str, Range<usize>)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (syntax::is_separator(c), start) {
            (true, Some(s)) => {
                out.push((&text[s..i], s..i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

pub(crate) fn expand(text: &str) -> Result<Fields, ParseError> {
    let aliased = alias(&text.to_lowercase());
    let tokens = match aliased {
        Some(expansion) => split(expansion)
            .into_iter()
            .map(|(t, _)| (t, 0..text.len()))
            .collect(),
        None => split(text),
    };
    if !(5..=7).contains(&tokens.len()) {
        return Err(ParseError::FieldCount {
            found: tokens.len(),
        });
    }
    let lowered: Vec<String> = tokens.iter().map(|(t, _)| t.to_lowercase()).collect();
    let mut sets = Vec::with_capacity(7);
    let mut nth = BTreeMap::new();
    let mut nearest = BTreeSet::new();
    for (index, (token, span)) in tokens.iter().enumerate() {
        let mut expander = Expander {
            field: Field::ORDER[index],
            token,
            span: span.clone(),
            part: "",
            lowered: &lowered,
            set: Set::default(),
            nth: &mut nth,
            nearest: &mut nearest,
        };
        expander.field_text(&lowered[index])?;
        sets.push(expander.set);
    }
    check_nth_alone(&sets[4], &nth, tokens[4].0, &tokens[4].1)?;
    let mut sets = sets.into_iter();
    let mut next = || sets.next().unwrap_or_default();
    Ok(Fields {
        minute: next(),
        hour: next(),
        day: next(),
        month: next(),
        weekday: next(),
        second: (tokens.len() > 5).then(&mut next),
        year: (tokens.len() > 6).then(&mut next),
        nth,
        nearest,
    })
}

/// croniter's "does not support mixing literal values and nth day of week syntax":
/// plain weekdays beside nth ones, unless the plain ones make up the whole week.
fn check_nth_alone(
    weekday: &Set,
    nth: &BTreeMap<u8, BTreeSet<Nth>>,
    token: &str,
    span: &Range<usize>,
) -> Result<(), ParseError> {
    let plain = weekday
        .values
        .iter()
        .any(|v| !nth.contains_key(&(*v as u8)));
    let distinct = weekday.values.len() + usize::from(weekday.star);
    if nth.is_empty() || !plain || distinct == 7 {
        return Ok(());
    }
    Err(ParseError::Field {
        field: Field::DayOfWeek,
        token: token.to_string(),
        part: token.to_string(),
        span: span.clone(),
        problem: Problem::MixedNth,
    })
}

/// One field's expansion.
struct Expander<'a> {
    field: Field,
    token: &'a str,
    span: Range<usize>,
    /// The comma-separated value being expanded, as written (for errors).
    part: &'a str,
    /// Every field's text, lowercased (the `*` test of the collapse reads another field).
    lowered: &'a [String],
    set: Set,
    nth: &'a mut BTreeMap<u8, BTreeSet<Nth>>,
    nearest: &'a mut BTreeSet<u8>,
}

/// A single value, after names are read.
enum Single {
    Star,
    Last,
    Number(u64),
}

impl<'a> Expander<'a> {
    fn fail(&self, problem: Problem) -> ParseError {
        ParseError::Field {
            field: self.field,
            token: self.token.to_string(),
            part: self.part.to_string(),
            span: self.span.clone(),
            problem,
        }
    }

    fn field_text(&mut self, expr: &str) -> Result<(), ParseError> {
        self.part = self.token;
        if let Some(kind) = syntax::hash_kind(expr) {
            return Err(self.fail(if kind == 'h' {
                Problem::Hashed
            } else {
                Problem::Random
            }));
        }
        let expr = if expr.contains('?') {
            if expr != "?" {
                return Err(self.fail(Problem::QuestionMarkNotAlone));
            }
            if !matches!(self.field, Field::DayOfMonth | Field::DayOfWeek) {
                return Err(self.fail(Problem::QuestionMarkHere));
            }
            "*"
        } else {
            expr
        };
        let parts: Vec<&str> = expr.split(',').collect();
        // Lowercasing kept ASCII text byte for byte, so a part's range in the lowered
        // text is its range in the written one.
        let written: Vec<&'a str> = if self.token.is_ascii() && expr.len() == self.token.len() {
            let token = self.token;
            let mut at = 0;
            parts
                .iter()
                .map(|p| {
                    let part = &token[at..at + p.len()];
                    at += p.len() + 1;
                    part
                })
                .collect()
        } else {
            vec![self.token; parts.len()]
        };
        for (part, written) in parts.iter().zip(written) {
            self.part = written;
            self.value(part, parts.len() == 1)?;
        }
        self.collapse();
        Ok(())
    }

    /// `LEN_MEANS_ALL`: as many values as the field has means `*`, except in
    /// day-of-month and day-of-week when the other one's text has no `*` (so that
    /// `1-31` next to `mon` keeps croniter's OR of the two).
    fn collapse(&mut self) {
        let all = match self.field {
            Field::Year => 130,
            field => (field.bounds().1 - field.bounds().0 + 1) as usize,
        };
        let count = self.set.values.len() + usize::from(self.set.star) + usize::from(self.set.last);
        let keep = match self.field {
            Field::DayOfMonth => !self.lowered[4].contains('*'),
            Field::DayOfWeek => !self.lowered[2].contains('*'),
            _ => false,
        };
        if count == all && !keep {
            self.set = Set {
                star: true,
                ..Set::default()
            };
        }
    }

    /// One value of the list: croniter's loop body.
    fn value(&mut self, e: &str, alone: bool) -> Result<(), ParseError> {
        let mut e = e;
        let mut nth = None;
        if self.field == Field::DayOfWeek {
            match syntax::special_dow(e) {
                Some(SpecialDow::Nth { weekday, n }) => {
                    let n = syntax::number(n);
                    if !(1..=5).contains(&n) {
                        return Err(self.fail(Problem::BadNth { n }));
                    }
                    e = weekday;
                    nth = Some(Nth::N(n as u8));
                }
                Some(SpecialDow::Last { weekday }) => {
                    e = weekday;
                    nth = Some(Nth::Last);
                }
                None => {}
            }
        }
        if self.field == Field::DayOfMonth {
            if let Some(day) = syntax::nearest_weekday(e) {
                let day = syntax::number(day);
                if !(1..=31).contains(&day) {
                    return Err(self.fail(Problem::NearestOutOfRange { day }));
                }
                if !alone {
                    return Err(self.fail(Problem::NearestNotAlone));
                }
                self.nearest.insert(day as u8);
                self.set.values.insert(day);
                return Ok(());
            }
        }
        let (lo, hi) = self.field.bounds();
        // `*/step` reads as `lo-hi/step`, `start/step` as `start-hi/step`.
        let t = match e.strip_prefix('*') {
            Some(step) if step.len() > 1 && step.starts_with('/') => format!("{lo}-{hi}{step}"),
            _ => e.to_string(),
        };
        if let Some((low, high, step)) = syntax::step_search(&t) {
            return self.range(low, high, step, false, nth);
        }
        if let Some((start, step)) = syntax::start_and_step(&t) {
            let t = format!("{start}-{hi}/{step}");
            if let Some((low, high, step)) = syntax::step_search(&t) {
                return self.range(low, high, step, true, nth);
            }
            // A value with a `/` that is no step is refused below, as croniter does.
        }
        self.single(&t, nth)
    }

    fn single(&mut self, t: &str, nth: Option<Nth>) -> Result<(), ParseError> {
        if t.starts_with('-') {
            return Err(self.fail(Problem::Negative));
        }
        let value = match t {
            "*" => Single::Star,
            _ if syntax::is_digits(t) => Single::Number(syntax::number(t)),
            _ => self.name(t)?,
        };
        match value {
            Single::Star => self.set.star = true,
            Single::Last => self.set.last = true,
            Single::Number(v) => {
                let v = self.alias(v);
                let (lo, hi) = self.field.bounds();
                if v < lo || v > hi {
                    return Err(self.fail(Problem::OutOfRange { value: v }));
                }
                self.set.values.insert(v);
                if let (Some(nth), Field::DayOfWeek) = (nth, self.field) {
                    self.nth.entry(v as u8).or_default().insert(nth);
                }
            }
        }
        Ok(())
    }

    /// `low-high[/step]`, or `start/step` when `start_with_step`.
    fn range(
        &mut self,
        low: &str,
        high: &str,
        step: Option<&str>,
        start_with_step: bool,
        nth: Option<Nth>,
    ) -> Result<(), ParseError> {
        let high = if self.field == Field::DayOfMonth && high == "l" {
            "31"
        } else {
            high
        };
        let bound = |this: &Self, text: &str| -> Result<u64, ParseError> {
            if syntax::is_digits(text) {
                return Ok(syntax::number(text));
            }
            match this.name(text)? {
                Single::Number(v) => Ok(v),
                _ => Err(this.fail(Problem::LastStartsRange)),
            }
        };
        let (low, high) = (bound(self, low)?, bound(self, high)?);
        let step = step.map_or(1, syntax::number);
        if step == 0 {
            return Err(self.fail(Problem::ZeroStep));
        }
        let (low, high) = (self.alias(low), self.alias(high));
        let (min, max) = self.field.bounds();
        if low.max(high) > max {
            return Err(self.fail(Problem::OutOfRange {
                value: low.max(high),
            }));
        }
        let step_by = usize::try_from(step).unwrap_or(usize::MAX);
        let values: Vec<u64> = if start_with_step && low == high {
            // `59/15` is minute 59, not the whole hour.
            vec![low]
        } else if low == high {
            // An equal range written as such (`5-5`, `jan-jan`) is the whole field.
            (min..=max).step_by(step_by).collect()
        } else if low > high {
            // A range through the end of the field (`50-10`, `sat-sun`, `apr-jan/3`),
            // with croniter's carry of the step over the wrap.
            let mut values: Vec<u64> = (low..=max).step_by(step_by).collect();
            let end = *values.last().unwrap_or(&low);
            if end < min {
                // croniter's `whole_field_range.index` raises ValueError here.
                return Err(self.fail(Problem::OutOfRange { value: end }));
            }
            let already_skipped = max - end;
            let position = end - min;
            let skip = if position.saturating_add(step) > max - min + 1 && already_skipped < step {
                step - already_skipped
            } else {
                0
            };
            values.extend((min.saturating_add(skip)..=high).step_by(step_by));
            values
        } else {
            (low..=high).step_by(step_by).collect()
        };
        for v in values {
            match nth {
                Some(Nth::N(n)) if self.field == Field::DayOfWeek => {
                    self.value(&format!("{v}#{n}"), false)?
                }
                _ => self.value(&v.to_string(), false)?,
            }
        }
        Ok(())
    }

    /// `ALPHACONV`: month and weekday names, `l` in day-of-month.
    fn name(&self, text: &str) -> Result<Single, ParseError> {
        let position = |names: &[&str]| names.iter().position(|n| *n == text);
        let found = match self.field {
            Field::Month => position(&syntax::MONTHS).map(|i| Single::Number(i as u64 + 1)),
            Field::DayOfWeek => position(&syntax::WEEKDAYS).map(|i| Single::Number(i as u64)),
            Field::DayOfMonth if text == "l" => Some(Single::Last),
            _ => None,
        };
        found.ok_or_else(|| self.fail(Problem::NotAValue))
    }

    /// `value_alias`: in day-of-week, 7 is Sunday.
    fn alias(&self, v: u64) -> u64 {
        if self.field == Field::DayOfWeek && v == 7 {
            0
        } else {
            v
        }
    }
}
