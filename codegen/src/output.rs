//! Putting generated files on disk, or checking that they are there.
//!
//! Like rust-analyzer's `ensure_file_contents` and prost-build's `write_file_if_changed`:
//! compare first, write only on difference, atomically (temp file + rename), so an
//! interrupted run never leaves a half-written file and unchanged files keep their mtime.
//! `generated/.manifest` lists the files we own, so stale ones can be removed without ever
//! touching a file someone else put there.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use similar::TextDiff;

use crate::Error;

pub const GENERATED_DIR: &str = "generated";
pub const MANIFEST: &str = ".manifest";

/// Every file the specs produce, by path relative to `generated/`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileSet {
    files: BTreeMap<String, String>,
}

impl FileSet {
    pub fn insert(&mut self, path: impl Into<String>, contents: impl Into<String>) {
        let path = path.into();
        assert!(
            is_safe_relative(&path),
            "emitters must produce relative paths: {path}"
        );
        let previous = self.files.insert(path.clone(), contents.into());
        assert!(previous.is_none(), "two emitters produced {path}");
    }

    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
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
    fn with_manifest(&self) -> BTreeMap<String, String> {
        let mut all = self.files.clone();
        let mut listing = String::from(
            "# Files owned by `cargo xtask generate`; it removes those it no longer produces.\n",
        );
        let mut names: BTreeSet<&str> = self.files.keys().map(String::as_str).collect();
        names.insert(MANIFEST);
        for name in names {
            listing.push_str(name);
            listing.push('\n');
        }
        all.insert(MANIFEST.to_string(), listing);
        all
    }
}

fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// What `generate` did, or what `--check` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Created(String),
    Updated {
        path: String,
        diff: String,
    },
    Removed(String),
    /// In `generated/` but neither produced nor owned (check only).
    Unowned(String),
}

impl Change {
    pub fn path(&self) -> &str {
        match self {
            Change::Created(p) | Change::Removed(p) | Change::Unowned(p) => p,
            Change::Updated { path, .. } => path,
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn owned_files(dir: &Path) -> Result<BTreeSet<String>, Error> {
    let manifest = dir.join(MANIFEST);
    let text = match fs::read_to_string(&manifest) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(e) => return Err(io_err(&manifest)(e)),
    };
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#') && is_safe_relative(l))
        .map(str::to_string)
        .collect())
}

/// Compares `set` with `root/generated` and returns every difference, writing nothing.
pub fn check(root: &Path, set: &FileSet) -> Result<Vec<Change>, Error> {
    let dir = root.join(GENERATED_DIR);
    let wanted = set.with_manifest();
    let mut changes = Vec::new();
    for (path, contents) in &wanted {
        let full = dir.join(path);
        match fs::read(&full) {
            Ok(bytes) if bytes == contents.as_bytes() => {}
            Ok(bytes) => {
                let old = String::from_utf8_lossy(&bytes);
                let diff = TextDiff::from_lines(old.as_ref(), contents.as_str())
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("a/{GENERATED_DIR}/{path}"),
                        &format!("b/{GENERATED_DIR}/{path}"),
                    )
                    .to_string();
                changes.push(Change::Updated {
                    path: path.clone(),
                    diff,
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                changes.push(Change::Created(path.clone()))
            }
            Err(e) => return Err(io_err(&full)(e)),
        }
    }
    let owned = owned_files(&dir)?;
    for path in existing_files(&dir)? {
        if !wanted.contains_key(&path) {
            changes.push(if owned.contains(&path) {
                Change::Removed(path)
            } else {
                Change::Unowned(path)
            });
        }
    }
    changes.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(changes)
}

/// Makes `root/generated` hold `set`: writes changed files, removes owned stale ones,
/// leaves unowned files alone. Returns what changed (empty on a second run).
pub fn apply(root: &Path, set: &FileSet) -> Result<Vec<Change>, Error> {
    let changes = check(root, set)?;
    let dir = root.join(GENERATED_DIR);
    let wanted = set.with_manifest();
    let mut done = Vec::new();
    // The manifest goes last: if a run dies midway, the old one still lists what to clean.
    let (manifest, rest): (Vec<_>, Vec<_>) =
        changes.into_iter().partition(|c| c.path() == MANIFEST);
    for change in rest.into_iter().chain(manifest) {
        match &change {
            Change::Created(path) | Change::Updated { path, .. } => {
                write_atomically(&dir.join(path), wanted[path].as_bytes())?;
            }
            Change::Removed(path) => {
                let full = dir.join(path);
                fs::remove_file(&full).map_err(io_err(&full))?;
                remove_empty_parents(&dir, &full);
            }
            Change::Unowned(_) => continue,
        }
        done.push(change);
    }
    Ok(done)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let parent = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io_err(parent))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(parent)
        .map_err(io_err(parent))?;
    tmp.write_all(bytes).map_err(io_err(path))?;
    // Temp files are created 0600; generated files are ordinary checked-in files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o644)).map_err(io_err(path))?;
    }
    tmp.persist(path).map_err(|e| io_err(path)(e.error))?;
    Ok(())
}

fn remove_empty_parents(top: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == top || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

fn existing_files(dir: &Path) -> Result<Vec<String>, Error> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::Io {
            path: dir.to_path_buf(),
            source: e.into(),
        })?;
        if entry.file_type().is_file() {
            let rel: PathBuf = entry
                .path()
                .strip_prefix(dir)
                .unwrap_or(entry.path())
                .into();
            out.push(crate::spec::slash_path(&rel).to_string_lossy().into_owned());
        }
    }
    Ok(out)
}
