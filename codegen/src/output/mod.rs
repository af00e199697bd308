//! Putting generated files on disk, or checking that they are there; the only layer that
//! hashes or caches.
//!
//! Like rust-analyzer's `ensure_file_contents` and prost-build's `write_file_if_changed`:
//! compare first, write only on difference, atomically (temp file + rename), so an
//! interrupted run never leaves a half-written file and unchanged files keep their mtime.
//! `generated/.manifest` lists the files we own, so stale ones can be removed without ever
//! touching a file someone else put there.
//!
//! Files that must stay exactly as an earlier run wrote them (append-only SQL migrations,
//! hundreds of MB on large spec sets) are not held as text: the prior stage verifies them
//! on disk and an emitter hands over their [`Fingerprint`] ([`FileSet::keep`]).

mod disk;
mod fingerprint;
mod hash_cache;
mod lazy;
mod render_cache;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path};

pub use disk::{apply, check, Change};
pub(crate) use fingerprint::hex;
pub use fingerprint::{sha256_hex, Fingerprint};
pub use hash_cache::HashCache;
pub use lazy::{content_key, Lazy};

use crate::Error;

pub const GENERATED_DIR: &str = "generated";
pub const MANIFEST: &str = ".manifest";

/// What one generated file must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    Text(String),
    /// Already on disk and verified by its emitter; must stay byte for byte as it is.
    Kept(Fingerprint),
    /// Rendered when needed (see [`lazy`]).
    Lazy(Lazy),
}

/// Every file the specs produce, by path relative to `generated/`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileSet {
    pub(crate) files: BTreeMap<String, Wanted>,
}

impl FileSet {
    pub fn insert(&mut self, path: impl Into<String>, contents: impl Into<String>) {
        let mut contents = contents.into();
        // Texts built by pushing carry up to half their size in spare capacity, and the
        // set holds them all until the end.
        contents.shrink_to_fit();
        self.add(path.into(), Wanted::Text(contents));
    }

    /// `path` holds what `lazy` renders; `output` renders it only when it must.
    pub fn insert_lazy(&mut self, path: impl Into<String>, lazy: Lazy) {
        self.add(path.into(), Wanted::Lazy(lazy));
    }

    /// `path` is already in `generated/` as `fingerprint` says and must stay so: `check`
    /// and `apply` refuse (an error, not a diff) if it changed since, as nothing here can
    /// write it back.
    pub fn keep(&mut self, path: impl Into<String>, fingerprint: Fingerprint) {
        self.add(path.into(), Wanted::Kept(fingerprint));
    }

    fn add(&mut self, path: String, wanted: Wanted) {
        assert!(
            is_safe_relative(&path),
            "emitters must produce relative paths: {path}"
        );
        let previous = self.files.insert(path.clone(), wanted);
        assert!(previous.is_none(), "two emitters produced {path}");
    }

    /// Moves every file of `other` in (emitters running side by side each fill their own).
    pub fn merge(&mut self, other: FileSet) {
        for (path, wanted) in other.files {
            self.add(path, wanted);
        }
    }

    /// Moves every file of `other` in, under the directory `dir`.
    pub fn merge_under(&mut self, dir: &str, other: FileSet) {
        for (path, wanted) in other.files {
            self.add(format!("{dir}/{path}"), wanted);
        }
    }

    /// The text of `path`; `None` if not produced or [kept](FileSet::keep) (see
    /// [`FileSet::contents`]).
    pub fn get(&self, path: &str) -> Option<&str> {
        match self.files.get(path)? {
            Wanted::Text(t) => Some(t),
            Wanted::Lazy(l) => Some(l.text()),
            Wanted::Kept(_) => None,
        }
    }

    /// The text of `path`, read from `root/generated` for a kept file.
    pub fn contents(&self, root: &Path, path: &str) -> Result<Option<Cow<'_, str>>, Error> {
        match self.files.get(path) {
            None => Ok(None),
            Some(Wanted::Text(t)) => Ok(Some(Cow::Borrowed(t))),
            Some(Wanted::Lazy(l)) => Ok(Some(Cow::Borrowed(l.text()))),
            Some(Wanted::Kept(_)) => {
                let full = root.join(GENERATED_DIR).join(path);
                let text = fs::read_to_string(&full).map_err(Error::io(&full))?;
                Ok(Some(Cow::Owned(text)))
            }
        }
    }

    /// Lower-case hex SHA-256 of every file, by path: hashed for texts, as verified for
    /// kept files.
    pub fn sha256_sums(&self) -> impl Iterator<Item = (&str, Cow<'_, str>)> {
        self.files.iter().map(|(path, wanted)| {
            let sum = match wanted {
                Wanted::Text(t) => Cow::Owned(sha256_hex(t.as_bytes())),
                Wanted::Lazy(l) => Cow::Owned(l.sha256()),
                Wanted::Kept(f) => Cow::Borrowed(f.sha256.as_str()),
            };
            (path.as_str(), sum)
        })
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The manifest lists itself too, so `--check` sees it like any other file.
    pub(crate) fn manifest(&self) -> String {
        let mut listing = String::from(
            "# Files owned by `cargo xtask generate`; it removes those it no longer produces.\n",
        );
        let mut names: BTreeSet<&str> = self.files.keys().map(String::as_str).collect();
        names.insert(MANIFEST);
        for name in names {
            listing.push_str(name);
            listing.push('\n');
        }
        listing
    }

    /// Every wanted file, the manifest included (not in path order).
    pub(crate) fn with_manifest<'a>(
        &'a self,
        manifest: &'a Wanted,
    ) -> impl Iterator<Item = (&'a str, &'a Wanted)> {
        let files = self.files.iter().map(|(p, w)| (p.as_str(), w));
        files.chain([(MANIFEST, manifest)])
    }
}

pub(crate) fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}
