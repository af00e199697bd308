//! The SQL emitter's record of earlier runs: the state file, and the migrations the
//! integrity file lists, each hashed and compared with its sum.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::SQL_INTEGRITY as INTEGRITY;
use crate::output::{Fingerprint, HashCache};
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

/// A migration file already emitted, as listed in the integrity file.
#[derive(Debug, Clone)]
struct Emitted {
    /// Relative to `generated/sql/`.
    path: String,
    sha256: String,
}

/// Every migration the integrity file lists, verified on disk, by path under
/// `generated/sql/`.
pub fn verified_migrations(
    root: &Path,
    generated: &Path,
) -> Result<BTreeMap<String, Fingerprint>, Error> {
    verify_emitted(root, generated, &read_integrity(generated)?)
}

fn read_integrity(generated: &Path) -> Result<Vec<Emitted>, Error> {
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
        out.push(Emitted {
            path: file.to_string(),
            sha256: sum.to_string(),
        });
    }
    Ok(out)
}

/// Hashes every recorded migration (several at once: they are large), refusing if one was
/// edited or removed.
fn verify_emitted(
    root: &Path,
    generated: &Path,
    listed: &[Emitted],
) -> Result<BTreeMap<String, Fingerprint>, Error> {
    let hashes = HashCache::load(root);
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
    Err(Error::State(format!(
        "emitted SQL migrations are append-only and {} changed:\n  {}\nrestore them from version control (databases may already have run them); to change a registration, change the specs and run `cargo xtask generate`, which adds a new migration",
        if problems.len() == 1 { "one was" } else { "some were" },
        problems.join("\n  ")
    )))
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
        let kept = verify_emitted(dir.path(), dir.path(), &listed).unwrap();
        assert_eq!(kept.len(), 2);
        assert_eq!(
            kept["postgresql/ussuri/0002_b.up.sql"].sha256,
            listed[1].sha256
        );

        fs::write(migrations.join("0001_a.up.sql"), "-- edited\n").unwrap();
        fs::remove_file(migrations.join("0002_b.up.sql")).unwrap();
        let Err(Error::State(msg)) = verify_emitted(dir.path(), dir.path(), &listed) else {
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
