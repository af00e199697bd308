//! Putting generated files on disk, or checking that they are there.
//!
//! Like rust-analyzer's `ensure_file_contents` and prost-build's `write_file_if_changed`:
//! compare first, write only on difference, atomically (temp file + rename), so an
//! interrupted run never leaves a half-written file and unchanged files keep their mtime.
//! `generated/.manifest` lists the files we own, so stale ones can be removed without ever
//! touching a file someone else put there.
//!
//! Files that must stay exactly as an earlier run wrote them (append-only SQL migrations,
//! hundreds of MB on large spec sets) are not held as text: their emitter verifies them
//! on disk and hands over a [`Fingerprint`] ([`FileSet::keep`]).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use similar::TextDiff;

use crate::Error;

pub const GENERATED_DIR: &str = "generated";
pub const MANIFEST: &str = ".manifest";

/// A file on disk as hashed at one moment, with its size and mtime then, so a later look
/// can tell it is unchanged without reading it again (like git's index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    len: u64,
    /// Only for files last modified well before they were hashed: file systems stamp
    /// mtimes with a coarse clock, so an edit right after hashing could keep the mtime
    /// ("racy git"); such files are hashed again instead.
    modified: Option<SystemTime>,
}

/// How much older than the hashing an mtime must be to be trusted.
const RACY: Duration = Duration::from_secs(2);

impl Fingerprint {
    /// Hashes `path` in chunks (never holding the whole file).
    pub fn of(path: &Path) -> std::io::Result<Fingerprint> {
        let started = SystemTime::now();
        let mut file = fs::File::open(path)?;
        // Stat before reading: a write during the read changes the mtime, so `unchanged`
        // then re-hashes instead of trusting a stale sum.
        let meta = file.metadata()?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(Fingerprint {
            sha256: hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            len: meta.len(),
            modified: meta
                .modified()
                .ok()
                .filter(|m| m.checked_add(RACY).is_some_and(|m| m < started)),
        })
    }

    /// The size and mtime this fingerprint trusts, if any (see [`crate::hash_cache`]).
    pub(crate) fn stat(&self) -> Option<(u64, SystemTime)> {
        Some((self.len, self.modified?))
    }

    /// A fingerprint an earlier run recorded for a file whose size and mtime still match.
    pub(crate) fn remembered(sha256: String, len: u64, modified: SystemTime) -> Fingerprint {
        Fingerprint {
            sha256,
            len,
            modified: Some(modified),
        }
    }

    /// Whether `path` still holds these bytes: size and mtime as recorded, or else the
    /// same SHA-256. `Ok(false)` if it is gone.
    fn unchanged(&self, path: &Path) -> std::io::Result<bool> {
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        if meta.len() != self.len {
            return Ok(false);
        }
        if self.modified.is_some() && meta.modified().ok() == self.modified {
            // Unchanged since it was hashed (a write would have moved the mtime on).
            return Ok(true);
        }
        Ok(Fingerprint::of(path)?.sha256 == self.sha256)
    }
}

/// What one generated file must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wanted {
    Text(String),
    /// Already on disk and verified by its emitter; must stay byte for byte as it is.
    Kept(Fingerprint),
}

/// Every file the specs produce, by path relative to `generated/`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileSet {
    files: BTreeMap<String, Wanted>,
}

impl FileSet {
    pub fn insert(&mut self, path: impl Into<String>, contents: impl Into<String>) {
        let mut contents = contents.into();
        // Texts built by pushing carry up to half their size in spare capacity, and the
        // set holds them all until the end.
        contents.shrink_to_fit();
        self.add(path.into(), Wanted::Text(contents));
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

    /// The text of `path`; `None` if not produced or [kept](FileSet::keep) (see
    /// [`FileSet::contents`]).
    pub fn get(&self, path: &str) -> Option<&str> {
        match self.files.get(path)? {
            Wanted::Text(t) => Some(t),
            Wanted::Kept(_) => None,
        }
    }

    /// The text of `path`, read from `root/generated` for a kept file.
    pub fn contents(&self, root: &Path, path: &str) -> Result<Option<Cow<'_, str>>, Error> {
        match self.files.get(path) {
            None => Ok(None),
            Some(Wanted::Text(t)) => Ok(Some(Cow::Borrowed(t))),
            Some(Wanted::Kept(_)) => {
                let full = root.join(GENERATED_DIR).join(path);
                let text = fs::read_to_string(&full).map_err(Error::io(&full))?;
                Ok(Some(Cow::Owned(text)))
            }
        }
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
    fn manifest(&self) -> String {
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
    fn with_manifest<'a>(
        &'a self,
        manifest: &'a Wanted,
    ) -> impl Iterator<Item = (&'a str, &'a Wanted)> {
        let files = self.files.iter().map(|(p, w)| (p.as_str(), w));
        files.chain([(MANIFEST, manifest)])
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

fn owned_files(dir: &Path) -> Result<BTreeSet<String>, Error> {
    let manifest = dir.join(MANIFEST);
    let text = match fs::read_to_string(&manifest) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(e) => return Err(Error::io(&manifest)(e)),
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
    let manifest = Wanted::Text(set.manifest());
    let mut changes = Vec::new();
    for (path, wanted) in set.with_manifest(&manifest) {
        let full = dir.join(path);
        match wanted {
            Wanted::Text(contents) => changes.extend(compare(&full, path, contents)?),
            Wanted::Kept(fingerprint) => {
                if !fingerprint.unchanged(&full).map_err(Error::io(&full))? {
                    return Err(Error::State(format!(
                        "generated/{path} changed or vanished during this run, yet it must stay as emitted (SHA-256 {}); restore it from version control",
                        fingerprint.sha256
                    )));
                }
            }
        }
    }
    let owned = owned_files(&dir)?;
    for path in existing_files(&dir)? {
        if path != MANIFEST && !set.files.contains_key(&path) {
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

/// `None` if `full` holds `contents`. Reads in chunks and stops at the first difference;
/// only a file that differs is read whole, for its diff.
fn compare(full: &Path, path: &str, contents: &str) -> Result<Option<Change>, Error> {
    let mut file = match fs::File::open(full) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Some(Change::Created(path.to_string())))
        }
        Err(e) => return Err(Error::io(full)(e)),
    };
    let len = file.metadata().map_err(Error::io(full))?.len();
    if len == contents.len() as u64
        && same_bytes(&mut file, contents.as_bytes()).map_err(Error::io(full))?
    {
        return Ok(None);
    }
    let bytes = fs::read(full).map_err(Error::io(full))?;
    if bytes == contents.as_bytes() {
        // Rewritten between the two reads: now it matches.
        return Ok(None);
    }
    let old = String::from_utf8_lossy(&bytes);
    let diff = TextDiff::from_lines(old.as_ref(), contents)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{GENERATED_DIR}/{path}"),
            &format!("b/{GENERATED_DIR}/{path}"),
        )
        .to_string();
    Ok(Some(Change::Updated {
        path: path.to_string(),
        diff,
    }))
}

/// Whether the rest of `file` is exactly `want`.
fn same_bytes(file: &mut fs::File, mut want: &[u8]) -> std::io::Result<bool> {
    let mut buf = vec![0u8; (1 << 16).min(want.len() + 1)];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(want.is_empty());
        }
        if n > want.len() || buf[..n] != want[..n] {
            return Ok(false);
        }
        want = &want[n..];
    }
}

/// Makes `root/generated` hold `set`: writes changed files, removes owned stale ones,
/// leaves unowned files alone. Returns what changed (empty on a second run).
pub fn apply(root: &Path, set: &FileSet) -> Result<Vec<Change>, Error> {
    let changes = check(root, set)?;
    let dir = root.join(GENERATED_DIR);
    let mut done = Vec::new();
    // The manifest goes last: if a run dies midway, the old one still lists what to clean.
    let (manifest, rest): (Vec<_>, Vec<_>) =
        changes.into_iter().partition(|c| c.path() == MANIFEST);
    for change in rest.into_iter().chain(manifest) {
        match &change {
            Change::Created(path) | Change::Updated { path, .. } => {
                let listing;
                let text = match set.files.get(path) {
                    Some(Wanted::Text(t)) => t,
                    Some(Wanted::Kept(_)) => unreachable!("check reports no kept file"),
                    None => {
                        listing = set.manifest();
                        &listing
                    }
                };
                write_atomically(&dir.join(path), text.as_bytes())?;
            }
            Change::Removed(path) => {
                let full = dir.join(path);
                fs::remove_file(&full).map_err(Error::io(&full))?;
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
    fs::create_dir_all(parent).map_err(Error::io(parent))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(parent)
        .map_err(Error::io(parent))?;
    tmp.write_all(bytes).map_err(Error::io(path))?;
    // Temp files are created 0600; generated files are ordinary checked-in files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o644))
            .map_err(Error::io(path))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path)(e.error))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn project_with(path: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let full = root.path().join(GENERATED_DIR).join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(&full, text).unwrap();
        (root, full)
    }

    #[test]
    fn a_kept_file_passes_while_unchanged_and_stops_check_once_edited() {
        let (root, full) = project_with("sql/0001.up.sql", "BEGIN;\nCOMMIT;\n");
        let mut set = FileSet::default();
        set.keep("sql/0001.up.sql", Fingerprint::of(&full).unwrap());
        assert_eq!(set.get("sql/0001.up.sql"), None);
        let text = set
            .contents(root.path(), "sql/0001.up.sql")
            .unwrap()
            .unwrap();
        assert_eq!(text, "BEGIN;\nCOMMIT;\n");
        let created = apply(root.path(), &set).unwrap();
        assert_eq!(created, [Change::Created(MANIFEST.to_string())]);
        assert!(check(root.path(), &set).unwrap().is_empty());
        // Same size, so only the hash can tell.
        fs::write(&full, "BEGIN;\nCOMMIT:\n").unwrap();
        let err = check(root.path(), &set).unwrap_err().to_string();
        assert!(err.contains("generated/sql/0001.up.sql"), "{err}");
        fs::remove_file(&full).unwrap();
        assert!(apply(root.path(), &set).is_err());
    }

    #[test]
    fn an_old_file_is_trusted_by_its_stat_until_written_again() {
        let (_root, full) = project_with("sql/0001.up.sql", "BEGIN;\n");
        let long_ago = SystemTime::now() - Duration::from_secs(3600);
        let file = fs::File::options().write(true).open(&full).unwrap();
        file.set_modified(long_ago).unwrap();
        let fingerprint = Fingerprint::of(&full).unwrap();
        assert_eq!(fingerprint.modified, Some(long_ago));
        assert!(fingerprint.unchanged(&full).unwrap());
        fs::write(&full, "BEGIN:\n").unwrap();
        assert!(!fingerprint.unchanged(&full).unwrap());
    }

    #[test]
    fn a_same_size_edit_is_reported_with_a_diff() {
        let (root, full) = project_with("catalog.md", "one\ntwo\n");
        let mut set = FileSet::default();
        set.insert("catalog.md", "one\ntwo\n");
        apply(root.path(), &set).unwrap();
        fs::write(&full, "one\ntwO\n").unwrap();
        match check(root.path(), &set).unwrap().as_slice() {
            [Change::Updated { path, diff }] => {
                assert_eq!(path, "catalog.md");
                assert!(diff.contains("-twO\n+two\n"), "{diff}");
            }
            other => panic!("expected one update, got {other:?}"),
        }
        fs::write(&full, "one\ntwo\nthree\n").unwrap();
        assert_eq!(check(root.path(), &set).unwrap().len(), 1);
    }
}
