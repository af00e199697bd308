//! Append-only migrations, like Flyway or Atlas: what was emitted stays emitted.
//!
//! `generated/sql/state.json` records our rows as the last migrations leave them and how
//! many migrations each target has; `generated/sql/integrity.sum` holds the SHA-256 of
//! every emitted migration. Each run keeps the recorded migrations as they are on disk
//! (after checking them against the sums, so an edited one is an error, never silently
//! kept or rewritten; they are hashed, not held, as they grow large) and adds one migration
//! per target when the specs' rows differ from the recorded ones.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::row::Row;
use super::script::{self, Target};
use crate::model::Dialect;
use crate::output::Fingerprint;
use crate::Error;

pub const STATE: &str = "sql/state.json";
pub const INTEGRITY: &str = "sql/integrity.sum";

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    #[serde(default)]
    pub about: String,
    /// Migrations emitted so far per target directory (`postgresql/ussuri`).
    pub migrations: BTreeMap<String, u32>,
    /// Our rows once every emitted migration has run, by name.
    pub rows: BTreeMap<String, Row>,
}

/// The `about` field: JSON has no comments.
fn about() -> String {
    format!(
        "{} The registrations the emitted SQL migrations leave in Mistral's database.",
        super::super::DO_NOT_EDIT
    )
}

/// A migration file already emitted, as listed in the integrity file.
#[derive(Debug, Clone)]
pub struct Emitted {
    /// Relative to `generated/sql/`.
    pub path: String,
    pub sha256: String,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sql_err(msg: String) -> Error {
    Error::State(msg)
}

pub fn read_state(generated: &Path) -> Result<State, Error> {
    let path = generated.join(STATE);
    match fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            sql_err(format!(
                "generated/{STATE} is not what `cargo xtask generate` writes ({e}); restore it from version control"
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
        Err(source) => Err(Error::Io { path, source }),
    }
}

pub fn read_integrity(generated: &Path) -> Result<Vec<Emitted>, Error> {
    let path = generated.join(INTEGRITY);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(Error::Io { path, source }),
    };
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let Some((sum, file)) = line.split_once("  ") else {
            return Err(sql_err(format!(
                "generated/{INTEGRITY}: malformed line `{line}`; restore the file from version control"
            )));
        };
        let safe = !file.is_empty() && !file.split('/').any(|p| p.is_empty() || p == "..");
        if !safe {
            return Err(sql_err(format!("generated/{INTEGRITY}: bad path `{file}`")));
        }
        out.push(Emitted {
            path: file.to_string(),
            sha256: sum.to_string(),
        });
    }
    Ok(out)
}

pub fn render_integrity(files: &Files) -> String {
    let mut out = format!(
        "# {}\n\
         # SHA-256 of every emitted SQL migration (paths under generated/sql/). `generate`\n\
         # refuses to run when a migration no longer matches: emitted migrations are\n\
         # append-only; change the specs to get a new one.\n",
        super::super::DO_NOT_EDIT
    );
    for (path, migration) in files {
        let sum = match migration {
            Migration::Kept(fingerprint) => Cow::Borrowed(&fingerprint.sha256),
            Migration::New(text) => Cow::Owned(sha256_hex(text.as_bytes())),
        };
        out.push_str(&format!("{sum}  {path}\n"));
    }
    out
}

/// Hashes every recorded migration (several at once: they are large), refusing if one was
/// edited or removed.
pub fn verify_emitted(
    generated: &Path,
    listed: &[Emitted],
) -> Result<BTreeMap<String, Fingerprint>, Error> {
    let hashes = crate::hash_cache::HashCache::load(generated.parent().unwrap_or(generated));
    let results = crate::parallel::map(listed, |e| {
        hashes.fingerprint(&generated.join("sql").join(&e.path))
    });
    hashes.save();
    let mut problems = Vec::new();
    let mut files = BTreeMap::new();
    for (e, result) in listed.iter().zip(results) {
        match result {
            Ok(fingerprint) if fingerprint.sha256 == e.sha256 => {
                files.insert(e.path.clone(), fingerprint);
            }
            Ok(_) => problems.push(format!(
                "generated/sql/{} was edited: its SHA-256 no longer matches generated/{INTEGRITY}",
                e.path
            )),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => problems.push(format!(
                "generated/sql/{} is listed in generated/{INTEGRITY} but was removed",
                e.path
            )),
            Err(source) => {
                return Err(Error::Io {
                    path: generated.join("sql").join(&e.path),
                    source,
                })
            }
        }
    }
    if problems.is_empty() {
        return Ok(files);
    }
    Err(sql_err(format!(
        "emitted SQL migrations are append-only and {} changed:\n  {}\nrestore them from version control (databases may already have run them); to change a registration, change the specs and run `cargo xtask generate`, which adds a new migration",
        if problems.len() == 1 { "one was" } else { "some were" },
        problems.join("\n  ")
    )))
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
            let name: String = names[0]
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                })
                .take(80)
                .collect();
            return format!("{verb}_{name}");
        }
    }
    nonempty
        .iter()
        .map(|(verb, v)| format!("{verb}_{}", v.len()))
        .collect::<Vec<_>>()
        .join("_")
}

/// Header and body of migration `number` of `target` from `from` to `to`, both ways.
pub fn migration(
    target: &Target,
    number: u32,
    slug: &str,
    from: &BTreeMap<String, Row>,
    to: &BTreeMap<String, Row>,
    takeover: bool,
) -> (String, String) {
    let base = format!("{number:04}_{slug}");
    let up_file = format!("{base}.up.sql");
    let down_file = format!("{base}.down.sql");
    let up = script::render(
        target,
        &header(
            target, number, "up", from, to, &up_file, &down_file, takeover,
        ),
        &script::transition(from, to, takeover),
    );
    // Going back never takes a row over: whatever holds a name we are about to restore
    // must not be destroyed on the way down.
    let down = script::render(
        target,
        &header(
            target, number, "down", to, from, &down_file, &up_file, false,
        ),
        &script::transition(to, from, false),
    );
    (up, down)
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
        super::row::OWNER_TAG,
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

/// A migration the caller must emit.
#[derive(Debug, Clone)]
pub enum Migration {
    /// Emitted by an earlier run and verified on disk.
    Kept(Fingerprint),
    /// Added by this run.
    New(String),
}

/// Each migration the caller must emit, keyed by its path under `generated/sql/`.
pub type Files = BTreeMap<String, Migration>;

/// Re-adds recorded migrations of `target` and, if `to` differs from where they leave the
/// table, appends one more. Returns the new migration count.
pub fn extend(
    target: &Target,
    state: &State,
    emitted: &BTreeMap<String, Fingerprint>,
    to: &BTreeMap<String, Row>,
    takeover: bool,
    out: &mut Files,
) -> Result<u32, Error> {
    let dir = target.dir();
    let count = state.migrations.get(&dir).copied().unwrap_or(0);
    let prefix = format!("{dir}/");
    let ups: Vec<&String> = emitted
        .keys()
        .filter(|p| p.starts_with(&prefix) && p.ends_with(".up.sql"))
        .collect();
    if ups.len() != count as usize {
        return Err(sql_err(format!(
            "generated/{STATE} records {count} migration(s) for {dir} but generated/{INTEGRITY} lists {}; restore both from version control",
            ups.len()
        )));
    }
    for (path, fingerprint) in emitted.iter().filter(|(p, _)| p.starts_with(&prefix)) {
        out.insert(path.clone(), Migration::Kept(fingerprint.clone()));
    }
    let empty = BTreeMap::new();
    let from = if count == 0 { &empty } else { &state.rows };
    if from == to {
        return Ok(count);
    }
    let number = count + 1;
    let slug = slug(from, to);
    let (up, down) = migration(target, number, &slug, from, to, takeover);
    out.insert(
        format!("{dir}/{number:04}_{slug}.up.sql"),
        Migration::New(up),
    );
    out.insert(
        format!("{dir}/{number:04}_{slug}.down.sql"),
        Migration::New(down),
    );
    Ok(number)
}

pub fn render_state(migrations: BTreeMap<String, u32>, rows: BTreeMap<String, Row>) -> String {
    let state = State {
        about: about(),
        migrations,
        rows,
    };
    let mut text = serde_json::to_string_pretty(&state).expect("strings only");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(spec: &[(&str, &str)]) -> BTreeMap<String, Row> {
        spec.iter()
            .map(|(name, d)| {
                let row = Row {
                    id: super::super::row::row_id(name),
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

    #[test]
    fn integrity_lines_round_trip_and_bad_paths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("sql")).unwrap();
        let files = BTreeMap::from([(
            "postgresql/ussuri/0001_x.up.sql".to_string(),
            Migration::New("BEGIN;".to_string()),
        )]);
        fs::write(dir.path().join(INTEGRITY), render_integrity(&files)).unwrap();
        let listed = read_integrity(dir.path()).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].sha256, sha256_hex(b"BEGIN;"));
        fs::write(
            dir.path().join(INTEGRITY),
            format!("{}  ../../etc/passwd\n", sha256_hex(b"")),
        )
        .unwrap();
        assert!(read_integrity(dir.path()).is_err());
    }

    #[test]
    fn emitted_migrations_are_hashed_and_edits_or_removals_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let migrations = dir.path().join("sql/postgresql/ussuri");
        fs::create_dir_all(&migrations).unwrap();
        let listed: Vec<Emitted> = ["0001_a.up.sql", "0002_b.up.sql"]
            .iter()
            .map(|name| {
                let text = format!("-- {name}\nBEGIN;\nCOMMIT;\n");
                fs::write(migrations.join(name), &text).unwrap();
                Emitted {
                    path: format!("postgresql/ussuri/{name}"),
                    sha256: sha256_hex(text.as_bytes()),
                }
            })
            .collect();
        let kept = verify_emitted(dir.path(), &listed).unwrap();
        assert_eq!(kept.len(), 2);
        assert_eq!(
            kept["postgresql/ussuri/0002_b.up.sql"].sha256,
            listed[1].sha256
        );

        fs::write(migrations.join("0001_a.up.sql"), "-- edited\n").unwrap();
        fs::remove_file(migrations.join("0002_b.up.sql")).unwrap();
        let Err(Error::State(msg)) = verify_emitted(dir.path(), &listed) else {
            panic!("an edited and a removed migration were accepted");
        };
        assert!(
            msg.contains("generated/sql/postgresql/ussuri/0001_a.up.sql was edited"),
            "{msg}"
        );
        assert!(
            msg.contains("0002_b.up.sql is listed in generated/sql/integrity.sum but was removed"),
            "{msg}"
        );
    }
}
