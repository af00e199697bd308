//! SQL string literals that round-trip any text (NUL excepted) through each engine.
//!
//! PostgreSQL: standard strings (`SET LOCAL standard_conforming_strings = on` in every
//! script), so only `'` is doubled. MySQL/MariaDB: backslash escapes are on (every script
//! clears `NO_BACKSLASH_ESCAPES` for its session), so `\` is doubled too, and a carriage
//! return is written `\r`. Newlines, `;`,
//! `%`, `$$` and any Unicode go in as they are: both command-line clients track quotes.

use crate::model::Dialect;

/// Appends `s` as a literal to `out`: runs without special characters are copied whole.
pub fn push_string(out: &mut String, dialect: &Dialect, s: &str) {
    out.reserve(s.len() + 2);
    out.push('\'');
    let mysql = *dialect == Dialect::Mysql;
    let bytes = s.as_bytes();
    let mut start = 0;
    // memchr finds the few bytes to escape; most of these texts have none.
    let next = |from: usize| {
        let rest = &bytes[from..];
        let found = if mysql {
            memchr::memchr3(b'\'', b'\\', b'\r', rest)
        } else {
            memchr::memchr(b'\'', rest)
        };
        found.map(|i| from + i)
    };
    while let Some(i) = next(start) {
        let escaped = match bytes[i] {
            b'\'' => "''",
            b'\\' => "\\\\",
            // The mysql client drops a carriage return before a line feed as it reads.
            _ => "\\r",
        };
        // Only ASCII bytes are escaped, so `i` is a character boundary.
        out.push_str(&s[start..i]);
        out.push_str(escaped);
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('\'');
}

pub fn string(dialect: &Dialect, s: &str) -> String {
    let mut out = String::new();
    push_string(&mut out, dialect, s);
    out
}

/// Appends `s` as a literal, or `NULL`.
pub fn push_nullable(out: &mut String, dialect: &Dialect, s: Option<&str>) {
    match s {
        Some(s) => push_string(out, dialect, s),
        None => out.push_str("NULL"),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_quotes_and_for_mysql_backslashes_and_returns_are_escaped() {
        let s = "it's a \\ \r\n é 😀 $$";
        assert_eq!(string(&Dialect::Postgresql, s), "'it''s a \\ \r\n é 😀 $$'");
        assert_eq!(string(&Dialect::Mysql, s), "'it''s a \\\\ \\r\n é 😀 $$'");
        assert_eq!(string(&Dialect::Mysql, ""), "''");
    }
}
