//! Append-only migrations, like Flyway or Atlas: what was emitted stays emitted.
//!
//! `generated/sql/state.json` records our rows as the last migrations leave them and how
//! many migrations each target has; `generated/sql/integrity.sum` holds the SHA-256 of
//! every emitted migration. Each run keeps the recorded migrations (with the sums the
//! integrity file lists, which `output` verifies, so an edited one is an error, never
//! silently kept or rewritten) and adds one migration per target when the specs' rows
//! differ from the recorded ones.

use std::collections::BTreeMap;

use super::script::{self, Target};
use super::{rows_of, Desired};
use crate::model::Dialect;
use crate::output::{FileSet, KeepRule, Shared};
use crate::prior::{SqlState, SQL_INTEGRITY, SQL_STATE};
use crate::registration::Row;
use crate::Error;

/// Emitted migrations stay as emitted: `output` refuses to go on when one changed.
static APPEND_ONLY: KeepRule = KeepRule {
    what: "emitted SQL migrations",
    listed_in: SQL_INTEGRITY,
    remedy: "restore them from version control (databases may already have run them); to change a registration, change the specs and run `cargo xtask generate`, which adds a new migration",
};

/// The `about` field: JSON has no comments.
fn about() -> String {
    format!(
        "{} The registrations the emitted SQL migrations leave in Mistral's database.",
        super::super::DO_NOT_EDIT
    )
}

/// The integrity file listing every migration of `migrations` (paths under `sql/`).
pub fn render_integrity<'a>(sums: impl Iterator<Item = (&'a str, String)>) -> String {
    let mut out = format!(
        "# {}\n\
         # SHA-256 of every emitted SQL migration (paths under generated/sql/). `generate`\n\
         # refuses to run when a migration no longer matches: emitted migrations are\n\
         # append-only; change the specs to get a new one.\n",
        super::super::DO_NOT_EDIT
    );
    for (path, sum) in sums {
        out.push_str(&format!("{sum}  {path}\n"));
    }
    out
}

/// `register_14`, `update_int32bit_nova_servers_start`, `register_1_update_2`…
pub fn slug(from: &BTreeMap<String, Row>, to: &BTreeMap<String, Row>) -> String {
    let added: Vec<&String> = to.keys().filter(|n| !from.contains_key(*n)).collect();
    let changed: Vec<&String> = to
        .iter()
        .filter(|(n, r)| from.get(*n).is_some_and(|old| old != *r))
        .map(|(n, _)| n)
        .collect();
    let removed: Vec<&String> = from.keys().filter(|n| !to.contains_key(*n)).collect();
    let parts = [
        ("register", &added),
        ("update", &changed),
        ("unregister", &removed),
    ];
    let nonempty: Vec<_> = parts.iter().filter(|(_, v)| !v.is_empty()).collect();
    if let [(verb, names)] = nonempty.as_slice() {
        if names.len() == 1 {
            let name: String = crate::emit::name_chars(names[0]).take(80).collect();
            return format!("{verb}_{name}");
        }
    }
    nonempty
        .iter()
        .map(|(verb, v)| format!("{verb}_{}", v.len()))
        .collect::<Vec<_>>()
        .join("_")
}

/// One direction of migration `number` of `target` from `from` to `to`, written to `w`
/// statement by statement.
#[allow(clippy::too_many_arguments)]
pub fn render_into(
    target: &Target,
    number: u32,
    slug: &str,
    from: &BTreeMap<String, Row>,
    to: &BTreeMap<String, Row>,
    takeover: bool,
    up: bool,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let base = format!("{number:04}_{slug}");
    let up_file = format!("{base}.up.sql");
    let down_file = format!("{base}.down.sql");
    if up {
        let header = header(
            target, number, "up", from, to, &up_file, &down_file, takeover,
        );
        script::render_into(target, &header, &script::transition(from, to, takeover), w)
    } else {
        // Going back never takes a row over: whatever holds a name we are about to
        // restore must not be destroyed on the way down.
        let header = header(
            target, number, "down", to, from, &down_file, &up_file, false,
        );
        script::render_into(target, &header, &script::transition(to, from, false), w)
    }
}

#[allow(clippy::too_many_arguments)]
fn header(
    target: &Target,
    number: u32,
    direction: &str,
    from: &BTreeMap<String, Row>,
    to: &BTreeMap<String, Row>,
    file: &str,
    inverse: &str,
    takeover: bool,
) -> Vec<String> {
    let mut h = vec![
        super::super::DO_NOT_EDIT.to_string(),
        format!(
            "Migration {number:04} ({direction}) of Mistral's action_definitions_v2 for {}.",
            target.describe()
        ),
        String::new(),
    ];
    let mut listed = Vec::new();
    for (name, row) in to {
        match from.get(name) {
            None => listed.push(format!("  + {name}  (register)")),
            Some(old) if old != row => listed.push(format!("  ~ {name}  (update)")),
            Some(_) => {}
        }
    }
    for name in from.keys().filter(|n| !to.contains_key(*n)) {
        listed.push(format!("  - {name}  (unregister)"));
    }
    h.push(format!(
        "What: brings the actions registered by mistral-actions (rows tagged \"{}\") from {} to {} action(s):",
        crate::registration::OWNER_TAG,
        from.len(),
        to.len()
    ));
    h.extend(listed);
    h.push(String::new());
    h.push(format!("Apply:  {}", target.apply_command(file)));
    h.push(format!("Revert: {}", target.apply_command(inverse)));
    h.push(String::new());
    h.push(
        "One transaction; running it twice changes nothing more. Rows without our tag are never"
            .into(),
    );
    h.push(
        "changed: if one holds a name written here, the script aborts and nothing is changed."
            .into(),
    );
    if takeover {
        h.push(
            "sql_takeover is on: same-name rows of others are DELETED instead, and the revert"
                .into(),
        );
        h.push("script cannot bring them back.".into());
    }
    if target.dialect == Dialect::Mysql {
        h.push(
            "Needs no privilege beyond SELECT/INSERT/UPDATE/DELETE on the table (plain DML)."
                .into(),
        );
    }
    h
}

/// One direction of one migration.
#[derive(serde::Serialize)]
struct Migration {
    target: Target,
    number: u32,
    slug: String,
    from: Shared<BTreeMap<String, Row>>,
    to: Desired,
    takeover: bool,
    up: bool,
}

fn render_migration(m: &Migration, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let to = rows_of(&m.to);
    render_into(
        &m.target, m.number, &m.slug, &m.from, to, m.takeover, m.up, w,
    )
}

/// Keeps the recorded migrations of `target` (`emitted`: path under `generated/sql/` →
/// SHA-256) and, if `to` differs from where they leave the table, appends one more
/// (rendered when needed). Returns the new migration count.
pub fn extend(
    target: &Target,
    state: &SqlState,
    emitted: &BTreeMap<String, String>,
    to: &Desired,
    takeover: bool,
    out: &mut FileSet,
) -> Result<u32, Error> {
    let dir = target.dir();
    let count = state.migrations.get(&dir).copied().unwrap_or(0);
    let prefix = format!("{dir}/");
    let ups: Vec<&String> = emitted
        .keys()
        .filter(|p| p.starts_with(&prefix) && p.ends_with(".up.sql"))
        .collect();
    if ups.len() != count as usize {
        return Err(Error::State(format!(
            "generated/{SQL_STATE} records {count} migration(s) for {dir} but generated/{SQL_INTEGRITY} lists {}; restore both from version control",
            ups.len()
        )));
    }
    for (path, sha256) in emitted.iter().filter(|(p, _)| p.starts_with(&prefix)) {
        out.keep(path.clone(), sha256.clone(), &APPEND_ONLY);
    }
    let empty = BTreeMap::new();
    let from = if count == 0 { &empty } else { &state.rows };
    let rows = rows_of(to);
    if from == rows {
        return Ok(count);
    }
    let number = count + 1;
    let slug = slug(from, rows);
    let from = Shared::new(from.clone());
    for up in [true, false] {
        let file = format!(
            "{dir}/{number:04}_{slug}.{}.sql",
            if up { "up" } else { "down" }
        );
        let migration = Migration {
            target: target.clone(),
            number,
            slug: slug.clone(),
            from: from.clone(),
            to: to.clone(),
            takeover,
            up,
        };
        out.render(file, migration, render_migration);
    }
    Ok(number)
}

/// `state.json`, streamed (10,000 rows are tens of MB).
pub fn render_state_into(
    migrations: &BTreeMap<String, u32>,
    rows: &BTreeMap<String, Row>,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct State<'a> {
        about: String,
        migrations: &'a BTreeMap<String, u32>,
        rows: &'a BTreeMap<String, Row>,
    }
    let state = State {
        about: about(),
        migrations,
        rows,
    };
    serde_json::to_writer_pretty(&mut *w, &state)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(spec: &[(&str, &str)]) -> BTreeMap<String, Row> {
        spec.iter()
            .map(|(name, d)| {
                let row = Row {
                    id: crate::registration::row_id(name),
                    name: name.to_string(),
                    description: d.to_string(),
                    input: None,
                    tags: "[]".into(),
                    definition: String::new(),
                    spec: "{}".into(),
                };
                (name.to_string(), row)
            })
            .collect()
    }

    #[test]
    fn slugs_name_a_single_change_and_count_the_rest() {
        let empty = rows(&[]);
        let one = rows(&[("p.a-b", "x")]);
        let two = rows(&[("p.a-b", "y"), ("p.c", "z")]);
        assert_eq!(slug(&empty, &one), "register_p_a_b");
        assert_eq!(slug(&one, &empty), "unregister_p_a_b");
        assert_eq!(slug(&one, &two), "register_1_update_1");
        assert_eq!(slug(&empty, &two), "register_2");
    }
}
