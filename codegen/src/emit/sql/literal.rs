//! SQL string literals that round-trip any text (NUL excepted) through each engine.
//!
//! PostgreSQL: standard strings (`SET LOCAL standard_conforming_strings = on` in every
//! script), so only `'` is doubled. MySQL/MariaDB: backslash escapes are on (every script
//! clears `NO_BACKSLASH_ESCAPES` for its session), so `\` is doubled too, and a carriage
//! return is written `\r`. Newlines, `;`,
//! `%`, `$$` and any Unicode go in as they are: both command-line clients track quotes.

use crate::model::Dialect;

pub fn string(dialect: &Dialect, s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' if *dialect == Dialect::Mysql => out.push_str("\\\\"),
            // The mysql client drops a carriage return before a line feed as it reads.
            '\r' if *dialect == Dialect::Mysql => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

pub fn nullable(dialect: &Dialect, s: Option<&str>) -> String {
    s.map_or_else(|| "NULL".to_string(), |s| string(dialect, s))
}

/// `('a', 'b')` for an `IN` list; callers never pass an empty list.
pub fn list<'a>(dialect: &Dialect, items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| string(dialect, s)).collect();
    format!("({})", items.join(", "))
}

/// A PostgreSQL dollar-quote tag that does not occur in `body`.
pub fn dollar_tag(body: &str) -> String {
    (0..)
        .map(|i| {
            if i == 0 {
                "$ma$".to_string()
            } else {
                format!("$ma{i}$")
            }
        })
        .find(|tag| !body.contains(tag.as_str()))
        .expect("some tag is free")
}
