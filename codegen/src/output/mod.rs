//! Putting generated files on disk, or checking that they are there; the only layer that
//! hashes or caches.
//!
//! Emitters hand over a [`FileSet`]: for each path under `generated/`, what the file holds.
//!
//! - [`FileSet::insert`]: the text itself (small files).
//! - [`FileSet::render`]: what the file is made of (its inputs, see [`inputs`]) and a plain
//!   function that writes the text from them, called with the inputs and nothing else.
//!   `output` renders such a file only when it must write or compare it, streaming into
//!   the file, and keys its render cache on the inputs ([`render_cache`]).
//! - [`FileSet::keep`]: a file an earlier run wrote that must stay byte for byte as it is
//!   (append-only SQL migrations), with the SHA-256 an earlier run listed for it. `output`
//!   verifies it through its hash cache ([`hash_cache`]) and refuses an edited or removed
//!   one ([`kept`]).
//! - [`FileSet::sha256_of`]: another file's SHA-256 as an input (`sql/integrity.sum`),
//!   taken as that file is written.
//!
//! Writing is like rust-analyzer's `ensure_file_contents` and prost-build's
//! `write_file_if_changed`: compare first, write only on difference, atomically (temp
//! file + rename), so an interrupted run never leaves a half-written file and unchanged
//! files keep their mtime. `generated/.manifest` lists the files we own, so stale ones can
//! be removed without ever touching a file someone else put there. The caches live in
//! `target/codegen-cache/`; only [`apply`] writes them, [`check`] writes nothing anywhere.

mod disk;
mod fingerprint;
mod hash_cache;
pub mod inputs;
mod kept;
mod render_cache;
mod rendered;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path};

pub use disk::{apply, check, Change};
pub(crate) use fingerprint::hex;
pub use fingerprint::sha256_hex;
use fingerprint::Fingerprint;
pub use inputs::{Derived, List, Picked, Shared};
pub use kept::KeepRule;
pub use rendered::{Render, Sha256Of};

use kept::Kept;
use rendered::{Rendered, SumOf};

use crate::Error;

pub const GENERATED_DIR: &str = "generated";
pub const MANIFEST: &str = ".manifest";

/// What one generated file must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Wanted {
    Text(String),
    /// Rendered when needed.
    Rendered(Rendered),
    /// Already on disk, as an earlier run wrote it; must stay byte for byte as it is.
    Kept(Kept),
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

    /// `path` holds what `render` writes from `inputs`; `output` renders it only when it
    /// must.
    pub fn render<I>(&mut self, path: impl Into<String>, inputs: I, render: Render<I>)
    where
        I: serde::Serialize + Send + Sync + 'static,
    {
        self.add(path.into(), Wanted::Rendered(Rendered::new(inputs, render)));
    }

    /// [`FileSet::render`] for a file whose inputs hold other files' [`Sha256Of`]: written
    /// after every other file, when their sums are known.
    pub fn render_after_others<I>(&mut self, path: impl Into<String>, inputs: I, render: Render<I>)
    where
        I: serde::Serialize + Send + Sync + 'static,
    {
        let mut file = Rendered::new(inputs, render);
        file.last = true;
        self.add(path.into(), Wanted::Rendered(file));
    }

    /// `path` is already in `generated/`, as an earlier run wrote it with SHA-256 `sha256`
    /// (as `rule.listed_in` lists it), and must stay so: `output` refuses (an error, not a
    /// diff) if it was edited or removed, as nothing here can write it back.
    pub fn keep(&mut self, path: impl Into<String>, sha256: String, rule: &'static KeepRule) {
        self.add(path.into(), Wanted::Kept(Kept::new(sha256, rule)));
    }

    /// The SHA-256 of file `path` of this set, to list in another file's inputs. A
    /// rendered file's sum is taken as it is written, so listing it costs no second
    /// rendering.
    pub fn sha256_of(&mut self, path: &str) -> Sha256Of {
        let wanted = self
            .files
            .get_mut(path)
            .unwrap_or_else(|| panic!("no file {path} to take the sum of"));
        Sha256Of(match wanted {
            Wanted::Text(t) => SumOf::Known(sha256_hex(t.as_bytes())),
            Wanted::Kept(k) => SumOf::Known(k.sha256.clone()),
            Wanted::Rendered(r) => {
                r.hashed = true;
                SumOf::File(r.clone())
            }
        })
    }

    /// Verifies the files an earlier run wrote that must stay as they are (see
    /// [`FileSet::keep`]); `check` and `apply` do it too, if not done yet.
    pub fn verify_kept(&self, root: &Path) -> Result<(), Error> {
        kept::verify(root, self)
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
            Wanted::Rendered(r) => Some(r.text()),
            Wanted::Kept(_) => None,
        }
    }

    /// The text of `path`, read from `root/generated` for a kept file.
    pub fn contents(&self, root: &Path, path: &str) -> Result<Option<Cow<'_, str>>, Error> {
        match self.files.get(path) {
            None => Ok(None),
            Some(Wanted::Text(t)) => Ok(Some(Cow::Borrowed(t))),
            Some(Wanted::Rendered(r)) => Ok(Some(Cow::Borrowed(r.text()))),
            Some(Wanted::Kept(_)) => {
                let full = root.join(GENERATED_DIR).join(path);
                let text = fs::read_to_string(&full).map_err(Error::io(&full))?;
                Ok(Some(Cow::Owned(text)))
            }
        }
    }

    /// Lower-case hex SHA-256 of every file, by path: hashed for texts, as declared for
    /// kept files.
    pub fn sha256_sums(&self) -> impl Iterator<Item = (&str, Cow<'_, str>)> {
        self.files.iter().map(|(path, wanted)| {
            let sum = match wanted {
                Wanted::Text(t) => Cow::Owned(sha256_hex(t.as_bytes())),
                Wanted::Rendered(r) => Cow::Owned(r.sha256()),
                Wanted::Kept(k) => Cow::Borrowed(k.sha256.as_str()),
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
