//! The statements of a script, each over a whole set of rows: the guard over every name a
//! script writes, and deletes and upserts over batches (see [`super::script::batches`]).
//!
//! Upserts are one `INSERT … SELECT` per batch that inserts new rows and updates ours
//! through the table's unique key on the name (`ON CONFLICT … DO UPDATE` on PostgreSQL,
//! `ON DUPLICATE KEY UPDATE` on MySQL/MariaDB); rows already as wanted are left alone, so
//! a second run changes nothing, `updated_at` included. The guard joins a `VALUES` list of
//! names on PostgreSQL (a hash join on any version) and an `IN` list on MySQL (sorted and
//! binary-searched); deletes take `IN` lists of one batch on both.

use super::literal::{dollar_tag, push_nullable, push_string, string};
use super::script::{Target, TABLE};
use crate::model::Dialect;
use crate::registration::{Row, OWNER_TAG, PROJECT_ID, SCOPE};

/// The columns that carry the action, after `id` and `name`.
const CONTENT: [&str; 5] = ["description", "input", "tags", "definition", "spec"];

/// The predicate "this row is ours", for a table alias (`""` for none).
pub fn ours(d: &Dialect, alias: &str) -> String {
    format!(
        "COALESCE({}tags, '') LIKE {}",
        dot(alias),
        string(d, &format!("%\"{OWNER_TAG}\"%"))
    )
}

pub fn not_ours(d: &Dialect, alias: &str) -> String {
    format!(
        "COALESCE({}tags, '') NOT LIKE {}",
        dot(alias),
        string(d, &format!("%\"{OWNER_TAG}\"%"))
    )
}

fn dot(alias: &str) -> String {
    if alias.is_empty() {
        String::new()
    } else {
        format!("{alias}.")
    }
}

/// MySQL only: no statement runs once the guard has found a conflict.
fn gate(d: &Dialect) -> &'static str {
    match d {
        Dialect::Postgresql => "",
        Dialect::Mysql => " AND @ma_conflict IS NULL",
    }
}

/// `first … last` of a batch, for its comment.
fn span(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [first, .., last] => format!("{first} … {last}"),
    }
}

/// PostgreSQL: `(VALUES ('a'),\n  ('b')) AS alias (name)`.
fn pg_names(out: &mut String, names: &[&str], alias: &str) {
    out.push_str("(VALUES\n");
    for (i, name) in names.iter().enumerate() {
        out.push_str(if i == 0 { "  (" } else { ",\n  (" });
        push_string(out, &Dialect::Postgresql, name);
        out.push(')');
    }
    out.push_str(&format!("\n) AS {alias} (name)"));
}

/// `('a',\n  'b')` for `IN`.
fn my_names(out: &mut String, d: &Dialect, names: &[&str]) {
    out.push('(');
    for (i, name) in names.iter().enumerate() {
        out.push_str(if i == 0 { "\n  " } else { ",\n  " });
        push_string(out, d, name);
    }
    out.push(')');
}

const REFUSAL: &str = "mistral-actions: refusing to change action_definitions_v2, nothing was changed: these actions exist but were not registered by mistral-actions (no \"mistral-actions:managed\" tag): ";
const HINT: &str = "Unregister them first, or take them over with `sql_takeover: true` in specs/project.yaml (or `cargo xtask sql register --override`).";

pub fn guard(out: &mut String, d: &Dialect, names: &[&str], takeover: bool) {
    if takeover {
        out.push_str(
            "-- Take over same-name actions registered by others (sql_takeover / --override).\n",
        );
        match d {
            Dialect::Postgresql => {
                out.push_str(&format!("DELETE FROM {TABLE} AS t\n USING "));
                pg_names(out, names, "w");
                out.push_str(&format!(
                    "\n WHERE t.name = w.name AND {};\n",
                    not_ours(d, "t")
                ));
            }
            Dialect::Mysql => {
                out.push_str(&format!("DELETE FROM {TABLE}\n WHERE name IN "));
                my_names(out, d, names);
                out.push_str(&format!("\n   AND {};\n", not_ours(d, "")));
            }
        }
        return;
    }
    out.push_str(&format!(
        "-- Refuse to touch actions someone else registered under these {} name(s).\n",
        names.len()
    ));
    match d {
        Dialect::Postgresql => {
            let mut body = format!(
                "\nDECLARE\n  taken text;\nBEGIN\n  SELECT string_agg(t.name, ', ' ORDER BY t.name) INTO taken\n    FROM {TABLE} AS t\n    JOIN "
            );
            pg_names(&mut body, names, "w");
            body.push_str(&format!(
                " ON t.name = w.name\n   WHERE {};\n  IF taken IS NOT NULL THEN\n    RAISE EXCEPTION '{}%', taken\n      USING HINT = {};\n  END IF;\nEND\n",
                not_ours(d, "t"),
                REFUSAL.replace('\'', "''"),
                string(d, HINT),
            ));
            let tag = dollar_tag(&body);
            out.push_str(&format!("DO {tag}{body}{tag};\n"));
        }
        Dialect::Mysql => {
            out.push_str(&format!(
                "SET @ma_conflict = (SELECT GROUP_CONCAT(name ORDER BY name SEPARATOR ', ')\n                       FROM {TABLE}\n                      WHERE name IN "
            ));
            my_names(out, d, names);
            out.push_str(&format!(
                "\n                        AND {});\n",
                not_ours(d, "")
            ));
            out.push_str(&format!(
                "SELECT CONCAT({}, @ma_conflict, '. ', {}) AS error FROM DUAL WHERE @ma_conflict IS NOT NULL;\n",
                string(d, REFUSAL),
                string(d, HINT)
            ));
            out.push_str(
                "-- No SIGNAL outside stored programs: abort through a statement that cannot parse.\n\
                 SET @ma_abort = IF(@ma_conflict IS NULL, 'DO 0', CONCAT('ABORTED, not registered by mistral-actions: ', @ma_conflict));\n\
                 PREPARE ma_abort FROM @ma_abort;\n\
                 DEALLOCATE PREPARE ma_abort;\n",
            );
        }
    }
}

/// Deletes our rows of `names` (one batch).
pub fn delete(out: &mut String, d: &Dialect, names: &[&str]) {
    out.push_str(&format!(
        "-- Unregister {} action(s): {}.\n",
        names.len(),
        span(names)
    ));
    match d {
        // An IN list on both engines: one pass over the table per batch, whatever the
        // planner knows of it (a join with a VALUES list may nest loops on a table that
        // was never analysed).
        Dialect::Postgresql | Dialect::Mysql => {
            out.push_str(&format!("DELETE FROM {TABLE}\n WHERE name IN "));
            my_names(out, d, names);
            out.push_str(&format!("\n   AND {}{};\n", ours(d, ""), gate(d)));
        }
    }
}

pub fn delete_ours_except(out: &mut String, d: &Dialect, keep: &[&str]) {
    out.push_str(&format!(
        "-- Unregister every action of ours{}.\n",
        if keep.is_empty() { "" } else { " not listed" }
    ));
    out.push_str(&format!("DELETE FROM {TABLE}\n WHERE {}", ours(d, "")));
    if !keep.is_empty() {
        out.push_str(" AND name NOT IN ");
        match d {
            Dialect::Postgresql => {
                out.push('(');
                for (i, name) in keep.iter().enumerate() {
                    out.push_str(if i == 0 { "\n  " } else { ",\n  " });
                    push_string(out, d, name);
                }
                out.push(')');
            }
            Dialect::Mysql => my_names(out, d, keep),
        }
    }
    out.push_str(gate(d));
    out.push_str(";\n");
}

/// Inserts or updates one batch of rows.
pub fn upsert(out: &mut String, target: &Target, rows: &[&Row]) {
    let d = &target.dialect;
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    out.push_str(&format!(
        "-- Register or update {} action(s): {}.\n",
        rows.len(),
        span(&names)
    ));
    let (namespace_col, namespace_value) = if target.has_namespace() {
        (", namespace", ", ''")
    } else {
        ("", "")
    };
    let columns = format!(
        "created_at, updated_at, scope, project_id, id, name, {}, action_class, attributes, is_system{namespace_col}",
        CONTENT.join(", ")
    );
    match d {
        Dialect::Postgresql => {
            out.push_str(&format!(
                "INSERT INTO {TABLE} AS t ({columns})\nSELECT (now() AT TIME ZONE 'UTC'), NULL, {}, {}, v.id, v.name, {}, NULL, NULL, false{namespace_value}\n  FROM (VALUES\n",
                string(d, SCOPE),
                string(d, PROJECT_ID),
                CONTENT.map(|c| format!("v.{c}")).join(", "),
            ));
            for (i, row) in rows.iter().enumerate() {
                out.push_str(if i == 0 { "  (" } else { ",\n  (" });
                for (j, (_, text)) in row.texts().into_iter().enumerate() {
                    if j > 0 {
                        out.push_str(",\n   ");
                    }
                    push_nullable(out, d, text);
                }
                out.push(')');
            }
            let key = if target.has_namespace() {
                "name, namespace, project_id"
            } else {
                "name, project_id"
            };
            out.push_str(&format!(
                "\n  ) AS v (id, name, {})\nON CONFLICT ({key}) DO UPDATE\n   SET {}, scope = EXCLUDED.scope, is_system = EXCLUDED.is_system,\n       updated_at = (now() AT TIME ZONE 'UTC')\n WHERE {}\n   AND ({}, t.scope, t.is_system)\n       IS DISTINCT FROM ({}, EXCLUDED.scope, EXCLUDED.is_system);\n",
                CONTENT.join(", "),
                CONTENT.map(|c| format!("{c} = EXCLUDED.{c}")).join(", "),
                ours(d, "t"),
                CONTENT.map(|c| format!("t.{c}")).join(", "),
                CONTENT.map(|c| format!("EXCLUDED.{c}")).join(", "),
            ));
        }
        Dialect::Mysql => {
            out.push_str(&format!(
                "INSERT INTO {TABLE} ({columns})\nSELECT UTC_TIMESTAMP(), NULL, {}, {}, v.ma_id, v.ma_name, {}, NULL, NULL, 0{namespace_value}\n  FROM (\n",
                string(d, SCOPE),
                string(d, PROJECT_ID),
                CONTENT.map(|c| format!("v.ma_{c}")).join(", "),
            ));
            for (i, row) in rows.iter().enumerate() {
                out.push_str(if i == 0 {
                    "    SELECT "
                } else {
                    "\n    UNION ALL SELECT "
                });
                for (j, (column, text)) in row.texts().into_iter().enumerate() {
                    if j > 0 {
                        out.push_str(",\n      ");
                    }
                    push_nullable(out, d, text);
                    if i == 0 {
                        out.push_str(" AS ma_");
                        out.push_str(column);
                    }
                }
            }
            // Assignments run left to right: `updated_at` first, while the row still
            // holds its old values. Byte comparison: the columns' collation ignores case
            // and trailing spaces.
            let same: Vec<String> = CONTENT
                .iter()
                .map(|c| format!("CAST({c} AS BINARY) <=> CAST(v.ma_{c} AS BINARY)"))
                .collect();
            out.push_str(&format!(
                "\n  ) AS v\n WHERE @ma_conflict IS NULL\nON DUPLICATE KEY UPDATE\n  updated_at = IF({}\n                  AND scope <=> {} AND is_system <=> 0, updated_at, UTC_TIMESTAMP()),\n  {}, scope = {}, is_system = 0;\n",
                same.join("\n                  AND "),
                string(d, SCOPE),
                CONTENT.map(|c| format!("{c} = v.ma_{c}")).join(", "),
                string(d, SCOPE),
            ));
        }
    }
}

/// The yardstick the benchmark compares migrations with: the same rows as plain
/// multi-row INSERTs of `batch` rows into an empty table, in one transaction, with no
/// guard, no idempotence and no way back.
pub fn plain_inserts(target: &Target, rows: &[&Row], batch: usize) -> String {
    let d = &target.dialect;
    let (namespace_col, namespace_value) = if target.has_namespace() {
        (", namespace", ", ''")
    } else {
        ("", "")
    };
    let (begin, now, no) = match d {
        Dialect::Postgresql => (
            "BEGIN;\nSET LOCAL standard_conforming_strings = on;\n",
            "(now() AT TIME ZONE 'UTC')",
            "false",
        ),
        Dialect::Mysql => (
            "SET NAMES utf8mb4;\nSTART TRANSACTION;\n",
            "UTC_TIMESTAMP()",
            "0",
        ),
    };
    let mut out = String::from(begin);
    for chunk in rows.chunks(batch.max(1)) {
        out.push_str(&format!(
            "INSERT INTO {TABLE} (created_at, scope, project_id, id, name, {}, is_system{namespace_col}) VALUES\n",
            CONTENT.join(", ")
        ));
        for (i, row) in chunk.iter().enumerate() {
            out.push_str(if i == 0 { "(" } else { ",\n(" });
            out.push_str(&format!(
                "{now}, {}, {}",
                string(d, SCOPE),
                string(d, PROJECT_ID)
            ));
            for (_, text) in row.texts() {
                out.push_str(", ");
                push_nullable(&mut out, d, text);
            }
            out.push_str(&format!(", {no}{namespace_value})"));
        }
        out.push_str(";\n");
    }
    out.push_str("COMMIT;\n");
    out
}
