//! Turning a list of steps into one transactional SQL script for one engine and one
//! shape of `action_definitions_v2`.
//!
//! Every script is safe to run twice and only ever changes rows carrying [`OWNER_TAG`].
//! A step that would write a name somebody else's row holds first runs the guard: the
//! script aborts with a message naming those rows, inside its transaction, so nothing is
//! changed. On MySQL/MariaDB every statement is also gated on the guard's verdict, so even
//! a client told to continue after errors (`mysql --force`) changes nothing.

use std::fmt::Write;

use super::literal::{dollar_tag, list, nullable, string};
use crate::model::{Dialect, SchemaGeneration};
use crate::registration::{Row, OWNER_TAG, PROJECT_ID, SCOPE};

pub const TABLE: &str = "action_definitions_v2";

/// One engine and one shape of the table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
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
    /// Make our row hold exactly this registration (insert, or update if it differs).
    Upsert(&'a Row),
    /// Delete our row of this name, if any.
    Delete(&'a str),
    /// Delete all our rows except these names.
    DeleteOursExcept(Vec<&'a str>),
    /// Say, per name, whether the script removes its row, leaves it alone or finds none.
    Report(Vec<&'a str>),
}

/// Steps that take the table from our rows `from` to our rows `to` (both by name).
pub fn transition<'a>(
    from: &'a std::collections::BTreeMap<String, Row>,
    to: &'a std::collections::BTreeMap<String, Row>,
    takeover: bool,
) -> Vec<Step<'a>> {
    let writes: Vec<&Row> = to
        .iter()
        .filter(|(name, row)| from.get(*name) != Some(*row))
        .map(|(_, row)| row)
        .collect();
    let mut steps = Vec::new();
    if !writes.is_empty() {
        steps.push(Step::Guard {
            names: writes.iter().map(|r| r.name.as_str()).collect(),
            takeover,
        });
    }
    steps.extend(
        from.keys()
            .filter(|n| !to.contains_key(*n))
            .map(|n| Step::Delete(n)),
    );
    steps.extend(writes.into_iter().map(Step::Upsert));
    steps
}

/// A complete script: `header` (comment lines, without `-- `), then the steps in one
/// transaction.
pub fn render(target: &Target, header: &[String], steps: &[Step]) -> String {
    let mut out = String::new();
    for line in header {
        if line.is_empty() {
            out.push_str("--\n");
        } else {
            let _ = writeln!(out, "-- {line}");
        }
    }
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
    for step in steps {
        out.push('\n');
        match step {
            Step::Guard { names, takeover } => guard(&mut out, d, names, *takeover),
            Step::Upsert(row) => upsert(&mut out, target, row),
            Step::Delete(name) => {
                let _ = writeln!(out, "-- Unregister {name}.");
                let _ = writeln!(
                    out,
                    "DELETE FROM {TABLE}\n WHERE name = {} AND {}{};",
                    string(d, name),
                    ours(d, ""),
                    gate(d)
                );
            }
            Step::Report(names) => super::report::outcomes(&mut out, d, names),
            Step::DeleteOursExcept(keep) => {
                let _ = writeln!(
                    out,
                    "-- Unregister every action of ours{}.",
                    if keep.is_empty() { "" } else { " not listed" }
                );
                let except = if keep.is_empty() {
                    String::new()
                } else {
                    format!(" AND name NOT IN {}", list(d, keep.iter().copied()))
                };
                let _ = writeln!(
                    out,
                    "DELETE FROM {TABLE}\n WHERE {}{except}{};",
                    ours(d, ""),
                    gate(d)
                );
            }
        }
    }
    out.push('\n');
    match d {
        Dialect::Postgresql => out.push_str("COMMIT;\n"),
        Dialect::Mysql => out.push_str("COMMIT;\nSET SESSION sql_mode = @ma_saved_sql_mode;\n"),
    }
    out
}

/// The predicate "this row is ours", for a table alias (`""` for none).
pub(super) fn ours(d: &Dialect, alias: &str) -> String {
    let col = if alias.is_empty() {
        "tags".to_string()
    } else {
        format!("{alias}.tags")
    };
    format!(
        "COALESCE({col}, '') LIKE {}",
        string(d, &format!("%\"{OWNER_TAG}\"%"))
    )
}

fn not_ours(d: &Dialect) -> String {
    format!(
        "COALESCE(tags, '') NOT LIKE {}",
        string(d, &format!("%\"{OWNER_TAG}\"%"))
    )
}

/// MySQL only: no statement runs once the guard has found a conflict.
fn gate(d: &Dialect) -> &'static str {
    match d {
        Dialect::Postgresql => "",
        Dialect::Mysql => " AND @ma_conflict IS NULL",
    }
}

const REFUSAL: &str = "mistral-actions: refusing to change action_definitions_v2, nothing was changed: these actions exist but were not registered by mistral-actions (no \"mistral-actions:managed\" tag): ";
const HINT: &str = "Unregister them first, or take them over with `sql_takeover: true` in specs/project.yaml (or `cargo xtask sql register --override`).";

fn guard(out: &mut String, d: &Dialect, names: &[&str], takeover: bool) {
    let names_sql = list(d, names.iter().copied());
    if takeover {
        out.push_str(
            "-- Take over same-name actions registered by others (sql_takeover / --override).\n",
        );
        let _ = writeln!(
            out,
            "DELETE FROM {TABLE}\n WHERE name IN {names_sql}\n   AND {};",
            not_ours(d)
        );
        return;
    }
    out.push_str("-- Refuse to touch actions someone else registered under these names.\n");
    match d {
        Dialect::Postgresql => {
            let body = format!(
                "\nDECLARE\n  taken text;\nBEGIN\n  SELECT string_agg(name, ', ' ORDER BY name) INTO taken\n    FROM {TABLE}\n   WHERE name IN {names_sql}\n     AND {};\n  IF taken IS NOT NULL THEN\n    RAISE EXCEPTION '{}%', taken\n      USING HINT = {};\n  END IF;\nEND\n",
                not_ours(d),
                REFUSAL.replace('\'', "''"),
                string(d, HINT),
            );
            let tag = dollar_tag(&body);
            let _ = writeln!(out, "DO {tag}{body}{tag};");
        }
        Dialect::Mysql => {
            let _ = writeln!(
                out,
                "SET @ma_conflict = (SELECT GROUP_CONCAT(name ORDER BY name SEPARATOR ', ')\n                       FROM {TABLE}\n                      WHERE name IN {names_sql}\n                        AND {});",
                not_ours(d)
            );
            let _ = writeln!(
                out,
                "SELECT CONCAT({}, @ma_conflict, '. ', {}) AS error FROM DUAL WHERE @ma_conflict IS NOT NULL;",
                string(d, REFUSAL),
                string(d, HINT)
            );
            out.push_str(
                "-- No SIGNAL outside stored programs: abort through a statement that cannot parse.\n\
                 SET @ma_abort = IF(@ma_conflict IS NULL, 'DO 0', CONCAT('ABORTED, not registered by mistral-actions: ', @ma_conflict));\n\
                 PREPARE ma_abort FROM @ma_abort;\n\
                 DEALLOCATE PREPARE ma_abort;\n",
            );
        }
    }
}

fn upsert(out: &mut String, target: &Target, row: &Row) {
    let d = &target.dialect;
    let _ = writeln!(out, "-- Register {}.", row.name);
    let content = ["description", "input", "tags", "definition", "spec"];
    let mut insert_cols = vec![
        "created_at",
        "updated_at",
        "scope",
        "project_id",
        "id",
        "name",
    ];
    insert_cols.extend(content);
    insert_cols.extend(["action_class", "attributes", "is_system"]);
    if target.has_namespace() {
        insert_cols.push("namespace");
    }
    let namespace_value = if target.has_namespace() { ", ''" } else { "" };
    match d {
        Dialect::Postgresql => {
            let values: Vec<String> = row.texts().iter().map(|(_, t)| nullable(d, *t)).collect();
            let _ = writeln!(
                out,
                "WITH v (id, name, description, input, tags, definition, spec) AS (\n  VALUES (\n    {}\n  )\n), changed AS (",
                values.join(",\n    ")
            );
            let set: Vec<String> = content.iter().map(|c| format!("{c} = v.{c}")).collect();
            let t_cols: Vec<String> = content.iter().map(|c| format!("t.{c}")).collect();
            let v_cols: Vec<String> = content.iter().map(|c| format!("v.{c}")).collect();
            let _ = writeln!(
                out,
                "  UPDATE {TABLE} AS t\n     SET {}, scope = {}, is_system = false,\n         updated_at = (now() AT TIME ZONE 'UTC')\n    FROM v\n   WHERE t.name = v.name AND {}\n     AND ({}, t.scope, t.is_system)\n         IS DISTINCT FROM ({}, {}, false)\n  RETURNING t.id\n)",
                set.join(", "),
                string(d, SCOPE),
                ours(d, "t"),
                t_cols.join(", "),
                v_cols.join(", "),
                string(d, SCOPE),
            );
            let _ = writeln!(
                out,
                "INSERT INTO {TABLE} ({})\nSELECT (now() AT TIME ZONE 'UTC'), NULL, {}, {}, v.id, v.name, {}, NULL, NULL, false{namespace_value}\n  FROM v\n WHERE NOT EXISTS (SELECT 1 FROM {TABLE} AS t WHERE t.name = v.name AND {});",
                insert_cols.join(", "),
                string(d, SCOPE),
                string(d, PROJECT_ID),
                v_cols.join(", "),
                ours(d, "t"),
            );
        }
        Dialect::Mysql => {
            let assignments: Vec<String> = row
                .texts()
                .iter()
                .map(|(c, t)| format!("@ma_{c} = {}", nullable(d, *t)))
                .collect();
            let _ = writeln!(out, "SET {};", assignments.join(",\n    "));
            let set: Vec<String> = content.iter().map(|c| format!("{c} = @ma_{c}")).collect();
            // Byte comparison: the columns' collation ignores case and trailing spaces.
            let same: Vec<String> = content
                .iter()
                .map(|c| format!("CAST({c} AS BINARY) <=> CAST(@ma_{c} AS BINARY)"))
                .collect();
            let _ = writeln!(
                out,
                "UPDATE {TABLE}\n   SET updated_at = UTC_TIMESTAMP(), {}, scope = {}, is_system = 0\n WHERE name = {} AND {}{}\n   AND NOT ({}\n        AND scope <=> {} AND is_system <=> 0);",
                set.join(", "),
                string(d, SCOPE),
                string(d, &row.name),
                ours(d, ""),
                gate(d),
                same.join("\n        AND "),
                string(d, SCOPE),
            );
            let vals: Vec<String> = content.iter().map(|c| format!("@ma_{c}")).collect();
            let _ = writeln!(
                out,
                "INSERT INTO {TABLE} ({})\nSELECT UTC_TIMESTAMP(), NULL, {}, {}, @ma_id, @ma_name, {}, NULL, NULL, 0{namespace_value}\n  FROM DUAL\n WHERE @ma_conflict IS NULL\n   AND NOT EXISTS (SELECT 1 FROM {TABLE} WHERE name = {} AND {});",
                insert_cols.join(", "),
                string(d, SCOPE),
                string(d, PROJECT_ID),
                vals.join(", "),
                string(d, &row.name),
                ours(d, ""),
            );
        }
    }
}
