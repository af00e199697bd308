//! Files that must stay exactly as an earlier run wrote them (append-only SQL migrations,
//! hundreds of MB on large spec sets): the emitter declares the SHA-256 a list of an
//! earlier run holds for each ([`super::FileSet::keep`]); `output` verifies them on disk,
//! through the hash cache, and refuses to go on when one was edited or removed.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use super::hash_cache::HashCache;
use super::{FileSet, Fingerprint, Wanted, GENERATED_DIR};
use crate::Error;

/// Why kept files must stay as they are, for the message when some did not.
#[derive(Debug, PartialEq, Eq)]
pub struct KeepRule {
    /// What the files are, in the plural (`emitted SQL migrations`).
    pub what: &'static str,
    /// The file under `generated/` that lists their sums.
    pub listed_in: &'static str,
    /// What to do about it.
    pub remedy: &'static str,
}

/// A kept file: the sum it must have, and its fingerprint once verified.
#[derive(Debug, Clone)]
pub(crate) struct Kept {
    pub(crate) sha256: String,
    rule: &'static KeepRule,
    verified: Arc<OnceLock<Fingerprint>>,
}

impl Kept {
    pub(crate) fn new(sha256: String, rule: &'static KeepRule) -> Kept {
        Kept {
            sha256,
            rule,
            verified: Arc::default(),
        }
    }

    /// The fingerprint taken when the file was verified.
    pub(crate) fn verified(&self) -> Option<&Fingerprint> {
        self.verified.get()
    }
}

impl PartialEq for Kept {
    fn eq(&self, other: &Kept) -> bool {
        self.sha256 == other.sha256 && self.rule == other.rule
    }
}

impl Eq for Kept {}

/// Verifies every kept file of `set` not verified yet: its size and mtime as the hash
/// cache knows them, else its bytes hashed (several files at once: they are large).
/// Refuses, naming each file, if one was edited or removed. Writes nothing.
pub(crate) fn verify(root: &Path, set: &FileSet) -> Result<(), Error> {
    let dir = root.join(GENERATED_DIR);
    let pending: Vec<(&str, &Kept)> = set
        .files
        .iter()
        .filter_map(|(path, wanted)| match wanted {
            Wanted::Kept(k) if k.verified().is_none() => Some((path.as_str(), k)),
            _ => None,
        })
        .collect();
    if pending.is_empty() {
        return Ok(());
    }
    let hashes = HashCache::load(root);
    let results = crate::parallel::map(&pending, |(path, _)| hashes.fingerprint(&dir.join(path)));
    let mut problems: Vec<(&KeepRule, String)> = Vec::new();
    for ((path, kept), result) in pending.into_iter().zip(results) {
        let rule = kept.rule;
        match result {
            Ok(fingerprint) if fingerprint.sha256 == kept.sha256 => {
                let _ = kept.verified.set(fingerprint);
            }
            Ok(_) => problems.push((
                rule,
                format!(
                    "generated/{path} was edited: its SHA-256 no longer matches generated/{}",
                    rule.listed_in
                ),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => problems.push((
                rule,
                format!(
                    "generated/{path} is listed in generated/{} but was removed",
                    rule.listed_in
                ),
            )),
            Err(source) => {
                return Err(Error::Io {
                    path: dir.join(path),
                    source,
                })
            }
        }
    }
    let Some((rule, _)) = problems.first() else {
        return Ok(());
    };
    let rule = *rule;
    let lines: Vec<&str> = problems
        .iter()
        .filter(|(r, _)| *r == rule)
        .map(|(_, line)| line.as_str())
        .collect();
    Err(Error::State(format!(
        "{} are append-only and {} changed:\n  {}\n{}",
        rule.what,
        if lines.len() == 1 {
            "one was"
        } else {
            "some were"
        },
        lines.join("\n  "),
        rule.remedy
    )))
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::output::sha256_hex;

    const RULE: KeepRule = KeepRule {
        what: "emitted things",
        listed_in: "sums",
        remedy: "restore them",
    };

    /// A set keeping `things/a` and `things/b` with the sums of their text now.
    fn kept(things: &Path) -> FileSet {
        let mut set = FileSet::default();
        for name in ["a", "b"] {
            let text = fs::read(things.join(name)).unwrap();
            set.keep(format!("things/{name}"), sha256_hex(&text), &RULE);
        }
        set
    }

    #[test]
    fn edits_and_removals_are_refused_by_name_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let things = dir.path().join("generated/things");
        fs::create_dir_all(&things).unwrap();
        for name in ["a", "b"] {
            fs::write(things.join(name), format!("-- {name}\n")).unwrap();
        }
        let set = kept(&things);
        verify(dir.path(), &set).unwrap();
        let verified = |set: &FileSet| {
            set.files
                .values()
                .all(|w| matches!(w, Wanted::Kept(k) if k.verified().is_some()))
        };
        assert!(verified(&set));

        let set = kept(&things);
        fs::write(things.join("a"), "-- edited\n").unwrap();
        fs::remove_file(things.join("b")).unwrap();
        let Err(Error::State(msg)) = verify(dir.path(), &set) else {
            panic!("an edited and a removed file were accepted");
        };
        assert_eq!(
            msg,
            "emitted things are append-only and some were changed:\n  \
             generated/things/a was edited: its SHA-256 no longer matches generated/sums\n  \
             generated/things/b is listed in generated/sums but was removed\n\
             restore them"
        );
        assert!(!verified(&set));
        assert!(
            !dir.path().join("target").exists(),
            "verifying wrote a cache"
        );
    }
}
