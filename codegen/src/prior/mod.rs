//! What earlier runs left in `generated/` that later outputs build on, read once, before
//! any emitter runs, into one typed value: the version each action first appeared in
//! ([`ACTION_HISTORY`]), our rows as the emitted SQL migrations leave them ([`SQL_STATE`])
//! and the sums those migrations were emitted with ([`SQL_INTEGRITY`]). Emitters get it
//! as `&Prior` and never read `generated/` themselves; checking the migrations still hold
//! those sums is `output`'s job (the emitter hands them over as kept files).

mod sql;

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::DeserializeOwned;

pub use sql::SqlState;

use crate::Error;

/// Action name → the project version it first appeared in (a JSON object).
pub const ACTION_HISTORY: &str = "action-history.json";
/// Our rows once every emitted migration has run, and how many each target has.
pub const SQL_STATE: &str = "sql/state.json";
/// `<sha256>  <path under generated/sql/>` for every emitted migration.
pub const SQL_INTEGRITY: &str = "sql/integrity.sum";

#[derive(Debug, Default)]
pub struct Prior {
    /// Action name → the project version it first appeared in.
    pub action_history: BTreeMap<String, String>,
    pub sql_state: SqlState,
    /// Every emitted migration, by path under `generated/sql/`: the SHA-256 the integrity
    /// file lists for it.
    pub sql_migrations: BTreeMap<String, String>,
}

impl Prior {
    /// Reads `generated` (the project's `generated/`; missing files are a first run).
    /// Fails, naming the file, when what is there cannot be built on: a state, history or
    /// integrity file that is not what `generate` writes.
    pub fn read(generated: &Path) -> Result<Prior, Error> {
        Ok(Prior {
            action_history: read_json(
                generated,
                ACTION_HISTORY,
                "a JSON object of action name to version",
            )?
            .unwrap_or_default(),
            sql_state: read_json(generated, SQL_STATE, "what `cargo xtask generate` writes")?
                .unwrap_or_default(),
            sql_migrations: sql::listed_migrations(generated)?,
        })
    }

    /// The version action `name` first appeared in: as recorded, else `current`.
    pub fn first_version<'a>(&'a self, name: &str, current: &'a str) -> &'a str {
        self.action_history
            .get(name)
            .map_or(current, String::as_str)
    }
}

/// `generated/<file>` as JSON; `None` when it does not exist.
fn read_json<T: DeserializeOwned>(
    generated: &Path,
    file: &str,
    what: &str,
) -> Result<Option<T>, Error> {
    let path = generated.join(file);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path)(e)),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        Error::State(format!(
            "generated/{file} is not {what} ({e}); restore it from version control"
        ))
    })
}
