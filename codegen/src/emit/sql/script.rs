//! Turning a list of steps into one transactional SQL script for one engine and one
//! shape of `action_definitions_v2`.
//!
//! Every script is safe to run twice and only ever changes rows carrying [`OWNER_TAG`].
//! A step that would write a name somebody else's row holds first runs the guard: the
//! script aborts with a message naming those rows, inside its transaction, so nothing is
//! changed. On MySQL/MariaDB every statement is also gated on the guard's verdict, so even
//! a client told to continue after errors (`mysql --force`) changes nothing.
//!
//! Set-based: however many actions a step covers, it is a few statements over batches of
//! at most [`BATCH_ROWS`] rows ([`statements`](super::statements)), never one statement
//! per action.
//!
//! [`OWNER_TAG`]: crate::registration::OWNER_TAG

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::statements;
use crate::model::{Dialect, SchemaGeneration};
use crate::registration::Row;

pub const TABLE: &str = "action_definitions_v2";

/// Rows per statement: what operators know from `pg_dump --rows-per-insert`-style loads,
/// and well inside every engine's limits on statement size.
pub const BATCH_ROWS: usize = 500;
/// Literal bytes per statement, so one statement stays far below MySQL 5.7's default
/// 4 MiB `max_allowed_packet` even when descriptions are long.
pub const BATCH_BYTES: usize = 2 << 20;

/// One engine and one shape of the table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Target {
    pub dialect: Dialect,
    pub generation: SchemaGeneration,
}

impl Target {
    /// `postgresql/ussuri`: the directory under `generated/sql/`.
    pub fn dir(&self) -> String {
        format!("{}/{}", self.dialect.as_str(), self.generation.as_str())
    }

    pub fn has_namespace(&self) -> bool {
        self.generation != SchemaGeneration::PikeToTrain
    }

    /// How an operator runs a script file against Mistral's database.
    pub fn apply_command(&self, file: &str) -> String {
        match self.dialect {
            Dialect::Postgresql => format!("psql -v ON_ERROR_STOP=1 -d mistral -f {file}"),
            Dialect::Mysql => format!("mysql mistral < {file}"),
        }
    }

    pub fn describe(&self) -> String {
        let engine = match self.dialect {
            Dialect::Postgresql => "PostgreSQL",
            Dialect::Mysql => "MySQL/MariaDB",
        };
        let releases = match self.generation {
            SchemaGeneration::PikeToTrain => "Mistral Pike to Train (no namespace column)",
            SchemaGeneration::Ussuri => "Mistral Ussuri (namespace column)",
            SchemaGeneration::VictoriaTo2026 => {
                "Mistral Victoria to 2026.x (namespace, workbook_name)"
            }
        };
        format!("{engine}, {releases}")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Step<'a> {
    /// Abort unless every row named here is ours or absent; with `takeover`, delete the
    /// rows that are not ours instead.
    Guard { names: Vec<&'a str>, takeover: bool },
    /// Make our rows hold exactly these registrations (insert, or update those that
    /// differ).
    Upsert(Vec<&'a Row>),
    /// Delete our rows of these names, if any.
    Delete(Vec<&'a str>),
    /// Delete all our rows except these names.
    DeleteOursExcept(Vec<&'a str>),
    /// Say, per name, whether the script removes its row, leaves it alone or finds none.
    Report(Vec<&'a str>),
}

/// Steps that take the table from our rows `from` to our rows `to` (both by name).
pub fn transition<'a>(
    from: &'a BTreeMap<String, Row>,
    to: &'a BTreeMap<String, Row>,
    takeover: bool,
) -> Vec<Step<'a>> {
    let writes: Vec<&Row> = to
        .iter()
        .filter(|(name, row)| from.get(*name) != Some(*row))
        .map(|(_, row)| row)
        .collect();
    let removed: Vec<&str> = from
        .keys()
        .filter(|n| !to.contains_key(*n))
        .map(String::as_str)
        .collect();
    let mut steps = Vec::new();
    if !writes.is_empty() {
        steps.push(Step::Guard {
            names: writes.iter().map(|r| r.name.as_str()).collect(),
            takeover,
        });
    }
    if !removed.is_empty() {
        steps.push(Step::Delete(removed));
    }
    if !writes.is_empty() {
        steps.push(Step::Upsert(writes));
    }
    steps
}

/// A complete script: `header` (comment lines, without `-- `), then the steps in one
/// transaction.
pub fn render(target: &Target, header: &[String], steps: &[Step]) -> String {
    let mut out = Vec::new();
    render_into(target, header, steps, &mut out).expect("writing into memory cannot fail");
    String::from_utf8(out).expect("the script is built from strings")
}

/// [`render`], written to `w` statement by statement: a script of 10,000 actions is never
/// held whole.
pub fn render_into(
    target: &Target,
    header: &[String],
    steps: &[Step],
    w: &mut dyn Write,
) -> io::Result<()> {
    let mut out = String::with_capacity(1 << 16);
    push_header(&mut out, header);
    out.push('\n');
    let d = &target.dialect;
    match d {
        Dialect::Postgresql => {
            out.push_str("BEGIN;\nSET LOCAL standard_conforming_strings = on;\n");
        }
        Dialect::Mysql => {
            out.push_str(
                "SET NAMES utf8mb4;\n\
                 SET @ma_saved_sql_mode = @@SESSION.sql_mode;\n\
                 SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '');\n\
                 SET @ma_conflict = NULL;\n\
                 START TRANSACTION;\n",
            );
        }
    }
    let mut flush = |out: &mut String| -> io::Result<()> {
        w.write_all(out.as_bytes())?;
        out.clear();
        Ok(())
    };
    for step in steps {
        match step {
            Step::Guard { names, takeover } => {
                out.push('\n');
                statements::guard(&mut out, d, names, *takeover);
            }
            Step::Upsert(rows) => {
                for batch in batches(rows) {
                    out.push('\n');
                    statements::upsert(&mut out, target, batch);
                    flush(&mut out)?;
                }
            }
            Step::Delete(names) => {
                for batch in names.chunks(BATCH_ROWS) {
                    out.push('\n');
                    statements::delete(&mut out, d, batch);
                }
            }
            Step::Report(names) => super::report::outcomes(&mut out, d, names),
            Step::DeleteOursExcept(keep) => {
                out.push('\n');
                statements::delete_ours_except(&mut out, d, keep);
            }
        }
        flush(&mut out)?;
    }
    out.push('\n');
    match d {
        Dialect::Postgresql => out.push_str("COMMIT;\n"),
        Dialect::Mysql => out.push_str("COMMIT;\nSET SESSION sql_mode = @ma_saved_sql_mode;\n"),
    }
    flush(&mut out)
}

/// Comment lines, `-- ` before each (a bare `--` for an empty one).
pub fn push_header(out: &mut String, header: &[String]) {
    for line in header {
        if line.is_empty() {
            out.push_str("--\n");
        } else {
            out.push_str("-- ");
            out.push_str(line);
            out.push('\n');
        }
    }
}

/// `rows` cut into statements of at most [`BATCH_ROWS`] rows and about [`BATCH_BYTES`]
/// of text (a single larger row goes alone).
pub fn batches<'r, 'a>(rows: &'r [&'a Row]) -> impl Iterator<Item = &'r [&'a Row]> {
    let mut rest = rows;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut bytes = 0;
        let mut n = 0;
        while n < rest.len() && n < BATCH_ROWS {
            bytes += rest[n]
                .texts()
                .iter()
                .map(|(_, t)| t.map_or(4, str::len))
                .sum::<usize>();
            if n > 0 && bytes > BATCH_BYTES {
                break;
            }
            n += 1;
        }
        let (batch, tail) = rest.split_at(n);
        rest = tail;
        Some(batch)
    })
}
