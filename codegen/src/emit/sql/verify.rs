//! `generated/sql/<dialect>/<generation>/verify.sql`: a read-only check an operator runs
//! after the migrations, without Mistral's API, that `action_definitions_v2` holds
//! exactly our rows for the newest specs.
//!
//! It reports every deviation by action name (a missing row, a column that differs, a
//! row of ours the specs no longer have, two rows of ours under one name, a foreign row
//! holding one of our names), then fails if there was any, and prints
//! `verified N actions` otherwise. The large columns are compared by MD5 of their UTF-8
//! bytes (the digests are in the file, computed here), so the file stays small and the
//! comparison stays exact to the byte. It runs in a READ ONLY transaction: no tables,
//! no routines, no rows are written.
//!
//! PostgreSQL: one `DO` block that raises a WARNING per deviation and an EXCEPTION at
//! the end if any. MySQL/MariaDB (no `SIGNAL` outside stored routines, which would be
//! a write): the deviations as result rows, counted with `FOUND_ROWS()`, and at the end a
//! statement that cannot parse when the count is not zero, as the migrations abort.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use md5::{Digest, Md5};

use super::literal::{dollar_tag, push_nullable, push_string, string};
use super::script::{push_header, Target, BATCH_ROWS, TABLE};
use super::statements::{not_ours, ours};
use crate::model::Dialect;
use crate::registration::{Row, SCOPE};

pub const FILE: &str = "verify.sql";

/// Columns compared through their digests, in the order of the expected tuples.
const HASHED: [&str; 5] = ["description", "input", "tags", "definition", "spec"];

fn md5_hex(s: &str) -> String {
    crate::output::hex(&Md5::digest(s.as_bytes()))
}

/// What `verify.sql` expects of one row: `(name, md5(description), md5(input) or NULL,
/// …)`. The same for every target, so computed once for all of them ([`expected_all`]).
pub type Expected = [Option<String>; 6];

/// [`Expected`] of every row, in order, on every core.
pub fn expected_all(rows: &BTreeMap<String, Row>) -> Vec<Expected> {
    let rows: Vec<&Row> = rows.values().collect();
    crate::parallel::map(&rows, |row| expected(row))
}

fn expected(row: &Row) -> Expected {
    [
        Some(row.name.clone()),
        Some(md5_hex(&row.description)),
        row.input.as_deref().map(md5_hex),
        Some(md5_hex(&row.tags)),
        Some(md5_hex(&row.definition)),
        Some(md5_hex(&row.spec)),
    ]
}

/// The file for `target`; `expected` is [`expected_all`] of the rows.
pub fn render(target: &Target, expected: &[Expected]) -> String {
    let mut out = String::with_capacity(256 * expected.len() + 4096);
    push_header(&mut out, &header(target, expected.len()));
    out.push('\n');
    match target.dialect {
        Dialect::Postgresql => postgresql(&mut out, expected),
        Dialect::Mysql => mysql(&mut out, expected),
    }
    out
}

fn header(target: &Target, n: usize) -> Vec<String> {
    vec![
        super::super::DO_NOT_EDIT.to_string(),
        format!(
            "Verifies, reading only, that Mistral's action_definitions_v2 holds exactly the {n} action(s) of the specs"
        ),
        format!(
            "as the newest migrations leave them, for {}.",
            target.describe()
        ),
        String::new(),
        format!("Run:   {}", target.apply_command(FILE)),
        String::new(),
        "Checks that every action has one row of ours (tagged \"mistral-actions:managed\") with exactly the"
            .into(),
        "expected name, description, input, tags, definition, spec, scope and is_system, that no other row"
            .into(),
        "of ours exists, and that no other row holds one of these names. Reports every deviation by".into(),
        format!(
            "name, then fails if there was any; prints \"verified {n} actions\" otherwise. Writes nothing (a READ"
        ),
        "ONLY transaction). Large columns are compared by the MD5 of their bytes.".into(),
    ]
}

/// The deviations of one set of expected rows, as `(action, deviation)` rows with an
/// empty deviation where all is well. `w` holds the expected rows, `o` our rows of that
/// name, `f` a foreign row of that name.
fn deviation_columns(d: &Dialect, prefix: &str) -> String {
    let is_false = match d {
        Dialect::Postgresql => "false",
        Dialect::Mysql => "0",
    };
    let mut parts = vec![
        "CASE WHEN o.id IS NULL THEN 'missing: no row registered by mistral-actions' END"
            .to_string(),
    ];
    for c in HASHED {
        let differs = match d {
            Dialect::Postgresql => format!("md5(o.{c}) IS DISTINCT FROM w.{prefix}{c}"),
            Dialect::Mysql => format!("NOT (MD5(o.{c}) <=> w.{prefix}{c})"),
        };
        parts.push(format!(
            "CASE WHEN o.id IS NOT NULL AND {differs} THEN '{c} differs' END"
        ));
    }
    let scope = string(d, SCOPE);
    let (scope_differs, system_differs) = match d {
        Dialect::Postgresql => (
            format!("o.scope IS DISTINCT FROM {scope}"),
            format!("o.is_system IS DISTINCT FROM {is_false}"),
        ),
        Dialect::Mysql => (
            format!("NOT (o.scope <=> {scope})"),
            format!("NOT (o.is_system <=> {is_false})"),
        ),
    };
    parts.push(format!(
        "CASE WHEN o.id IS NOT NULL AND {scope_differs} THEN 'scope differs' END"
    ));
    parts.push(format!(
        "CASE WHEN o.id IS NOT NULL AND {system_differs} THEN 'is_system differs' END"
    ));
    parts.push(
        "CASE WHEN f.id IS NOT NULL THEN 'held by a row not registered by mistral-actions' END"
            .into(),
    );
    format!("concat_ws('; ',\n         {})", parts.join(",\n         "))
}

fn postgresql(out: &mut String, rows: &[Expected]) {
    let d = Dialect::Postgresql;
    let mut body = String::with_capacity(256 * rows.len() + 4096);
    body.push_str(
        "\nDECLARE\n  deviation record;\n  deviations integer := 0;\nBEGIN\n  FOR deviation IN\n    WITH want (name, description, input, tags, definition, spec) AS (\n",
    );
    if rows.is_empty() {
        body.push_str(
            "      SELECT NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text WHERE false\n",
        );
    } else {
        body.push_str("      VALUES\n");
        for (i, row) in rows.iter().enumerate() {
            body.push_str(if i == 0 { "      (" } else { ",\n      (" });
            for (j, value) in row.iter().enumerate() {
                if j > 0 {
                    body.push_str(", ");
                }
                push_nullable(&mut body, &d, value.as_deref());
            }
            body.push(')');
        }
        body.push('\n');
    }
    let _ = write!(
        body,
        "    ), ours AS (\n      SELECT * FROM {TABLE} AS t WHERE {ours}\n    )\n    SELECT * FROM (\n      SELECT w.name AS action, {columns} AS problem\n        FROM want AS w\n        LEFT JOIN ours AS o ON o.name = w.name\n        LEFT JOIN {TABLE} AS f ON f.name = w.name AND {not_ours}\n      UNION ALL\n      SELECT o.name, 'registered by mistral-actions but not in the specs'\n        FROM ours AS o WHERE NOT EXISTS (SELECT 1 FROM want AS w WHERE w.name = o.name)\n      UNION ALL\n      SELECT o.name, count(*) || ' rows registered by mistral-actions under this name'\n        FROM ours AS o GROUP BY o.name HAVING count(*) > 1\n    ) AS d\n    WHERE problem <> ''\n    ORDER BY 1, 2\n  LOOP\n    RAISE WARNING 'mistral-actions: %: %', deviation.action, deviation.problem;\n    deviations := deviations + 1;\n  END LOOP;\n  IF deviations > 0 THEN\n    RAISE EXCEPTION 'mistral-actions: action_definitions_v2 deviates from the specs in % place(s), listed above', deviations;\n  END IF;\n  RAISE NOTICE 'verified {n} actions';\nEND\n",
        ours = ours(&d, "t"),
        not_ours = not_ours(&d, "f"),
        columns = deviation_columns(&d, ""),
        n = rows.len(),
    );
    let tag = dollar_tag(&body);
    let _ = write!(
        out,
        "BEGIN TRANSACTION READ ONLY;\nSET LOCAL standard_conforming_strings = on;\n\nDO {tag}{body}{tag};\n\nCOMMIT;\n"
    );
}

fn mysql(out: &mut String, all: &[Expected]) {
    let d = Dialect::Mysql;
    out.push_str(
        "SET NAMES utf8mb4;\n\
         SET @ma_saved_sql_mode = @@SESSION.sql_mode;\n\
         SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '');\n\
         SET @ma_deviations = 0;\n\
         START TRANSACTION READ ONLY;\n",
    );
    for (i, batch) in all.chunks(BATCH_ROWS).enumerate() {
        let _ = write!(
            out,
            "\n-- Actions {}–{} of {}: missing, different, or held by a foreign row.\nSELECT w.ma_name AS action,\n       {} AS deviation\n  FROM (\n",
            i * BATCH_ROWS + 1,
            i * BATCH_ROWS + batch.len(),
            all.len(),
            deviation_columns(&d, "ma_"),
        );
        for (r, row) in batch.iter().enumerate() {
            out.push_str(if r == 0 {
                "    SELECT "
            } else {
                "\n    UNION ALL SELECT "
            });
            for (j, value) in row.iter().enumerate() {
                if j > 0 {
                    out.push_str(", ");
                }
                push_nullable(out, &d, value.as_deref());
                if r == 0 {
                    out.push_str(" AS ma_");
                    out.push_str(if j == 0 { "name" } else { HASHED[j - 1] });
                }
            }
        }
        // `o.name = w.ma_name` finds the rows through the index; BINARY makes the match
        // exact (the column's collation ignores case).
        let _ = write!(
            out,
            "\n  ) AS w\n  LEFT JOIN {TABLE} AS o\n    ON o.name = w.ma_name AND BINARY o.name = w.ma_name AND {}\n  LEFT JOIN {TABLE} AS f\n    ON f.name = w.ma_name AND {}\nHAVING deviation <> ''\n ORDER BY action, deviation;\nSET @ma_deviations = @ma_deviations + FOUND_ROWS();\n",
            ours(&d, "o"),
            not_ours(&d, "f"),
        );
    }
    let _ = write!(
        out,
        "\n-- Rows of ours the specs do not have, and names with more than one row of ours.\nSELECT name AS action, 'registered by mistral-actions but not in the specs' AS deviation\n  FROM {TABLE}\n WHERE {}",
        ours(&d, "")
    );
    if !all.is_empty() {
        out.push_str("\n   AND BINARY name NOT IN (");
        for (i, row) in all.iter().enumerate() {
            out.push_str(if i == 0 { "\n  " } else { ",\n  " });
            push_string(out, &d, row[0].as_deref().unwrap_or_default());
        }
        out.push(')');
    }
    let n = all.len();
    let _ = write!(
        out,
        "\n ORDER BY action;\nSET @ma_deviations = @ma_deviations + FOUND_ROWS();\nSELECT MIN(name) AS action, CONCAT(COUNT(*), ' rows registered by mistral-actions under this name') AS deviation\n  FROM {TABLE}\n WHERE {}\n GROUP BY BINARY name\nHAVING COUNT(*) > 1\n ORDER BY action;\nSET @ma_deviations = @ma_deviations + FOUND_ROWS();\n\nCOMMIT;\nSET SESSION sql_mode = @ma_saved_sql_mode;\nSELECT 'verified {n} actions' AS result FROM DUAL WHERE @ma_deviations = 0;\n-- No SIGNAL outside stored programs: fail through a statement that cannot parse.\nSET @ma_abort = IF(@ma_deviations = 0, 'DO 0', CONCAT('VERIFY FAILED: action_definitions_v2 deviates from the specs in ', @ma_deviations, ' place(s), listed above'));\nPREPARE ma_abort FROM @ma_abort;\nDEALLOCATE PREPARE ma_abort;\n",
        ours(&d, ""),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_of_utf8_bytes() {
        assert_eq!(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
    }
}
