//! The SQL emitter's record of earlier runs: the state file, and the migrations the
//! integrity file lists with their sums.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::SQL_INTEGRITY as INTEGRITY;
use crate::registration::Row;
use crate::Error;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SqlState {
    #[serde(default)]
    pub about: String,
    /// Migrations emitted so far per target directory (`postgresql/ussuri`).
    pub migrations: BTreeMap<String, u32>,
    /// Our rows once every emitted migration has run, by name.
    pub rows: BTreeMap<String, Row>,
}

/// Every migration the integrity file lists: path under `generated/sql/` → SHA-256 it
/// was emitted with. `output` verifies them ([`crate::output::FileSet::keep`]).
pub fn listed_migrations(generated: &Path) -> Result<BTreeMap<String, String>, Error> {
    let path = generated.join(INTEGRITY);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(source) => return Err(Error::Io { path, source }),
    };
    let mut out = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let Some((sum, file)) = line.split_once("  ") else {
            return Err(Error::State(format!(
                "generated/{INTEGRITY}: malformed line `{line}`; restore the file from version control"
            )));
        };
        let safe = !file.is_empty() && !file.split('/').any(|p| p.is_empty() || p == "..");
        if !safe {
            return Err(Error::State(format!(
                "generated/{INTEGRITY}: bad path `{file}`"
            )));
        }
        out.insert(file.to_string(), sum.to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::sha256_hex;

    #[test]
    fn integrity_lines_round_trip_and_bad_paths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("sql")).unwrap();
        fs::write(
            dir.path().join(INTEGRITY),
            format!(
                "# comment\n{}  postgresql/ussuri/0001_x.up.sql\n",
                sha256_hex(b"BEGIN;")
            ),
        )
        .unwrap();
        let listed = listed_migrations(dir.path()).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            listed["postgresql/ussuri/0001_x.up.sql"],
            sha256_hex(b"BEGIN;")
        );
        fs::write(
            dir.path().join(INTEGRITY),
            format!("{}  ../../etc/passwd\n", sha256_hex(b"")),
        )
        .unwrap();
        assert!(listed_migrations(dir.path()).is_err());
    }
}
