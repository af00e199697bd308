//! Comparing a [`FileSet`] with `generated/` and making `generated/` hold it.

use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use similar::TextDiff;

use std::sync::Arc;

use super::hash_cache::HashCache;
use super::inputs::Keys;
use super::render_cache::RenderCache;
use super::{is_safe_relative, FileSet, Wanted, GENERATED_DIR, MANIFEST};
use crate::Error;

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

/// Compares `set` with `root/generated` and returns every difference, writing nothing
/// anywhere (no cache either).
pub fn check(root: &Path, set: &FileSet) -> Result<Vec<Change>, Error> {
    let keys = Arc::new(Keys::default());
    check_with(root, set, &RenderCache::load(root), &keys)
}

/// [`check`], files compared on every core; rendered files the cache knows unchanged are
/// not rendered, and missing ones need no rendering either.
fn check_with(
    root: &Path,
    set: &FileSet,
    cache: &RenderCache,
    keys: &Arc<Keys>,
) -> Result<Vec<Change>, Error> {
    super::kept::verify(root, set)?;
    let dir = root.join(GENERATED_DIR);
    let manifest = Wanted::Text(set.manifest());
    let wanted: Vec<(&str, &Wanted)> = set.with_manifest(&manifest).collect();
    let results = crate::parallel::map(&wanted, |(path, wanted)| {
        let full = dir.join(path);
        match wanted {
            Wanted::Text(contents) => compare(&full, path, contents),
            Wanted::Rendered(file) => {
                if cache.unchanged(path, &full, || file.key(keys)) {
                    return Ok(None);
                }
                if !full.exists() {
                    return Ok(Some(Change::Created(path.to_string())));
                }
                let mut bytes = Vec::new();
                file.render_into(&mut bytes).map_err(Error::io(&full))?;
                let text = String::from_utf8(bytes).expect("emitters render UTF-8");
                let change = compare(&full, path, &text)?;
                if change.is_none() {
                    cache.record(path, &file.key(keys), &full);
                }
                Ok(change)
            }
            Wanted::Kept(kept) => {
                let fingerprint = kept.verified().expect("kept files were verified");
                if !fingerprint.unchanged(&full).map_err(Error::io(&full))? {
                    return Err(Error::State(format!(
                        "generated/{path} changed or vanished during this run, yet it must stay as emitted (SHA-256 {}); restore it from version control",
                        kept.sha256
                    )));
                }
                Ok(None)
            }
        }
    });
    let mut changes = Vec::new();
    for result in results {
        changes.extend(result?);
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
    let cache = RenderCache::load(root);
    let keys = Arc::new(Keys::default());
    let changes = check_with(root, set, &cache, &keys)?;
    let dir = root.join(GENERATED_DIR);
    // The manifest goes last: if a run dies midway, the old one still lists what to clean.
    let (manifest, rest): (Vec<_>, Vec<_>) =
        changes.into_iter().partition(|c| c.path() == MANIFEST);
    // Files listing other files' sums go after them, when those sums are known.
    let last = |c: &Change| matches!(set.files.get(c.path()), Some(Wanted::Rendered(r)) if r.last);
    let (after, mut rest): (Vec<_>, Vec<_>) = rest.into_iter().partition(last);
    let first = rest.len();
    rest.extend(after);
    let write = |change: &Change| -> Result<bool, Error> {
        match change {
            Change::Created(path) | Change::Updated { path, .. } => {
                let full = dir.join(path);
                match set.files.get(path) {
                    Some(Wanted::Text(t)) => {
                        write_atomically(&full, |w| w.write_all(t.as_bytes()))?
                    }
                    Some(Wanted::Rendered(file)) => {
                        write_atomically(&full, |w| file.write_to(w))?;
                        cache.record(path, &file.key(&keys), &full);
                    }
                    Some(Wanted::Kept(_)) | None => {
                        unreachable!("check reports no kept or unknown file")
                    }
                }
            }
            Change::Removed(path) => {
                let full = dir.join(path);
                fs::remove_file(&full).map_err(Error::io(&full))?;
                remove_empty_parents(&dir, &full);
            }
            Change::Unowned(_) => return Ok(false),
        }
        Ok(true)
    };
    let mut results = crate::parallel::map(&rest[..first], write);
    results.extend(crate::parallel::map(&rest[first..], write));
    let mut done = Vec::new();
    for (change, result) in rest.into_iter().zip(results) {
        if result? {
            done.push(change);
        }
    }
    for change in manifest {
        let listing = set.manifest();
        write_atomically(&dir.join(MANIFEST), |w| w.write_all(listing.as_bytes()))?;
        done.push(change);
    }
    cache.save();
    remember_sums(root, set, &done);
    Ok(done)
}

/// Keeps, for the next run, the sums it would otherwise read files back for: of kept
/// files as verified, of files hashed as this run wrote them.
fn remember_sums(root: &Path, set: &FileSet, done: &[Change]) {
    let dir = root.join(GENERATED_DIR);
    let hashes = HashCache::load(root);
    for (path, wanted) in &set.files {
        if let Wanted::Kept(kept) = wanted {
            if let Some(fingerprint) = kept.verified() {
                hashes.remember(&dir.join(path), fingerprint);
            }
        }
    }
    for change in done {
        if let (
            Change::Created(path) | Change::Updated { path, .. },
            Some(Wanted::Rendered(file)),
        ) = (change, set.files.get(change.path()))
        {
            if let Some(sha256) = file.written_sha256() {
                hashes.written(&dir.join(path), sha256);
            }
        }
    }
    hashes.save();
}

fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    let parent = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(Error::io(parent))?;
    let tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(parent)
        .map_err(Error::io(parent))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, tmp);
    write(&mut out).map_err(Error::io(path))?;
    let tmp = out
        .into_inner()
        .map_err(|e| Error::io(path)(e.into_error()))?;
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
            out.push(crate::paths::slash(&rel));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{sha256_hex, KeepRule};

    const RULE: KeepRule = KeepRule {
        what: "emitted migrations",
        listed_in: "sql/integrity.sum",
        remedy: "restore them",
    };

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
        set.keep("sql/0001.up.sql", sha256_hex(b"BEGIN;\nCOMMIT;\n"), &RULE);
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

    /// A file's length, mtime and bytes.
    type Seen = (u64, std::time::SystemTime, Vec<u8>);

    /// Every file and directory under `dir`, with what each file holds.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, Option<Seen>)> {
        walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .map(|e| {
                let e = e.unwrap();
                let file = e.file_type().is_file().then(|| {
                    let meta = e.metadata().unwrap();
                    let bytes = fs::read(e.path()).unwrap();
                    (meta.len(), meta.modified().unwrap(), bytes)
                });
                (e.path().to_path_buf(), file)
            })
            .collect()
    }

    #[test]
    fn check_writes_nothing_anywhere_caches_included() {
        let dir = tempfile::tempdir().unwrap();
        crate::synthetic::write(dir.path(), 80, 10).unwrap();
        let (_, _, files) = crate::generate(dir.path()).unwrap();
        apply(dir.path(), &files).unwrap();
        let cache = dir.path().join("target/codegen-cache");
        assert!(cache.exists(), "apply keeps its caches");
        for caches in ["as apply left them", "removed"] {
            if caches == "removed" {
                fs::remove_dir_all(&cache).unwrap();
            }
            let before = snapshot(dir.path());
            let (_, _, files) = crate::generate(dir.path()).unwrap();
            assert!(check(dir.path(), &files).unwrap().is_empty());
            assert!(
                snapshot(dir.path()) == before,
                "check wrote under the project (caches {caches})"
            );
        }
    }

    static RENDERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    fn counted(text: &String, w: &mut dyn Write) -> std::io::Result<()> {
        RENDERS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        w.write_all(text.as_bytes())
    }

    /// `a.txt` rendered from `text`, and `sums` listing its SHA-256.
    fn rendered_set(text: &str) -> FileSet {
        let mut set = FileSet::default();
        set.render("a.txt", text.to_string(), counted);
        let sum = set.sha256_of("a.txt");
        set.render_after_others("sums", sum, |sum, w| writeln!(w, "{}  a.txt", sum.get()));
        set
    }

    #[test]
    fn rendered_files_are_rendered_once_and_skipped_while_their_inputs_and_stat_hold() {
        let renders = || RENDERS.load(std::sync::atomic::Ordering::SeqCst);
        let dir = tempfile::tempdir().unwrap();
        let set = rendered_set("one\n");
        let before = renders();
        apply(dir.path(), &set).unwrap();
        // Written once; its sum taken while writing, so the list needs no second render.
        assert_eq!(renders() - before, 1);
        let sums = fs::read_to_string(dir.path().join("generated/sums")).unwrap();
        assert_eq!(sums, format!("{}  a.txt\n", sha256_hex(b"one\n")));

        // Same inputs, file untouched: neither rendered nor compared.
        let before = renders();
        assert!(apply(dir.path(), &rendered_set("one\n"))
            .unwrap()
            .is_empty());
        assert!(check(dir.path(), &rendered_set("one\n"))
            .unwrap()
            .is_empty());
        assert_eq!(renders(), before);

        // Other inputs: rendered and written again.
        let changed = apply(dir.path(), &rendered_set("two\n")).unwrap();
        let paths: Vec<&str> = changed.iter().map(Change::path).collect();
        assert_eq!(paths, ["a.txt", "sums"]);
        assert_eq!(
            fs::read_to_string(dir.path().join("generated/a.txt")).unwrap(),
            "two\n"
        );

        // An edit the stat shows is caught even with the inputs unchanged.
        fs::write(dir.path().join("generated/a.txt"), "edited\n").unwrap();
        let drift = check(dir.path(), &rendered_set("two\n")).unwrap();
        assert_eq!(drift.len(), 1, "{drift:?}");
    }
}
