//! SHA-256 sums of large files that earlier runs already hashed, trusted while the file's
//! size and mtime are unchanged (git's index does the same). Every run verifies every
//! emitted SQL migration against `generated/sql/integrity.sum`; with 10,000 actions that is
//! 200 MB to hash, which this skips for files nobody touched.
//!
//! Only fingerprints whose mtime was already old when hashed are kept (see
//! [`Fingerprint::of`]), so an edit within the file system's mtime granularity is never
//! missed. The cache lives in `target/codegen-cache/`; a fresh checkout (CI) has none and
//! hashes everything.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::output::Fingerprint;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Stored {
    sha256: String,
    len: u64,
    mtime_ns: u128,
}

pub struct HashCache {
    file: PathBuf,
    loaded: BTreeMap<PathBuf, Stored>,
    seen: Mutex<BTreeMap<PathBuf, Stored>>,
}

fn nanos(t: SystemTime) -> Option<u128> {
    t.duration_since(UNIX_EPOCH).ok().map(|d| d.as_nanos())
}

impl HashCache {
    /// The cache of the project at `root` (empty when missing or unreadable).
    pub fn load(root: &Path) -> HashCache {
        let file = root.join("target/codegen-cache/file-hashes.json");
        let loaded = std::fs::read_to_string(&file)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        HashCache {
            file,
            loaded,
            seen: Mutex::new(BTreeMap::new()),
        }
    }

    /// [`Fingerprint::of`] `path`, without reading it when an earlier run hashed it at the
    /// same size and mtime. Records nothing ([`HashCache::remember`] does).
    pub fn fingerprint(&self, path: &Path) -> std::io::Result<Fingerprint> {
        let meta = std::fs::metadata(path)?;
        let mtime = meta.modified().ok();
        let known = self
            .loaded
            .get(path)
            .filter(|s| s.len == meta.len() && mtime.and_then(nanos) == Some(s.mtime_ns));
        match (known, mtime) {
            (Some(stored), Some(mtime)) => Ok(Fingerprint::remembered(
                stored.sha256.clone(),
                stored.len,
                mtime,
            )),
            _ => Fingerprint::of(path),
        }
    }

    /// Keeps `fingerprint` of `path` for the next run, if its mtime can be trusted.
    pub(crate) fn remember(&self, path: &Path, fingerprint: &Fingerprint) {
        let Some((len, modified)) = fingerprint.stat() else {
            return;
        };
        if let Some(mtime_ns) = nanos(modified) {
            self.keep(path, fingerprint.sha256.clone(), len, mtime_ns);
        }
    }

    /// `path` was just written with bytes of SHA-256 `sha256`, so the next run need not
    /// read it back. Recorded only with a sub-second mtime, which a later edit moves on
    /// (the rule of [`super::render_cache`]); a whole-second mtime is hashed next time.
    pub(crate) fn written(&self, path: &Path, sha256: &str) {
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        let Some(mtime_ns) = meta.modified().ok().and_then(nanos) else {
            return;
        };
        if mtime_ns % 1_000_000_000 != 0 {
            self.keep(path, sha256.to_string(), meta.len(), mtime_ns);
        }
    }

    fn keep(&self, path: &Path, sha256: String, len: u64, mtime_ns: u128) {
        let stored = Stored {
            sha256,
            len,
            mtime_ns,
        };
        self.seen
            .lock()
            .expect("hash cache lock")
            .insert(path.to_path_buf(), stored);
    }

    /// Replaces the cache with what this run [remembered](HashCache::remember) and
    /// [wrote](HashCache::written), for the next run. Best effort: a cache that cannot be
    /// written only makes the next run slower.
    pub(crate) fn save(self) {
        let seen = self.seen.into_inner().unwrap_or_default();
        if seen == self.loaded {
            return;
        }
        if let Some(dir) = self.file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(text) = serde_json::to_string(&seen) {
            let _ = std::fs::write(&self.file, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn set_mtime(path: &Path, secs_ago: u64) {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(SystemTime::now() - Duration::from_secs(secs_ago))
            .unwrap();
    }

    /// The file's SHA-256 through the cache, remembered for the next run (as `apply` does).
    fn sha_of(root: &Path, file: &Path) -> String {
        let cache = HashCache::load(root);
        let fingerprint = cache.fingerprint(file).unwrap();
        cache.remember(file, &fingerprint);
        cache.save();
        fingerprint.sha256
    }

    #[test]
    fn trusts_unchanged_files_and_rehashes_touched_ones() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("generated/a.sql");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "one").unwrap();
        set_mtime(&file, 120);
        let one = sha_of(dir.path(), &file);
        let stamp = std::fs::metadata(&file).unwrap().modified().unwrap();

        // Same size and mtime: the recorded sum is trusted, the file not read (so bytes
        // swapped behind its back with the mtime put back go unseen, as with git's index).
        std::fs::write(&file, "two").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(stamp)
            .unwrap();
        assert_eq!(sha_of(dir.path(), &file), one);

        // Any other mtime: hashed again.
        set_mtime(&file, 60);
        assert_ne!(sha_of(dir.path(), &file), one);
    }

    #[test]
    fn a_file_hashed_as_it_was_written_is_not_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("generated/c.sql");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let kept = dir.path().join("generated/kept.sql");
        std::fs::write(&kept, "kept").unwrap();
        set_mtime(&kept, 120);
        sha_of(dir.path(), &kept);
        std::fs::write(&file, "new").unwrap();
        // Sub-second mtimes are what the rule relies on (whole seconds are hashed again).
        let stamp = SystemTime::now() - Duration::from_millis(123_456);
        let handle = std::fs::File::options().write(true).open(&file).unwrap();
        handle.set_modified(stamp).unwrap();
        let cache = HashCache::load(dir.path());
        let kept_again = cache.fingerprint(&kept).unwrap();
        cache.remember(&kept, &kept_again);
        cache.written(&file, "sum-taken-while-writing");
        cache.save();
        // Trusted without reading the bytes; the kept file is still known.
        let cache = HashCache::load(dir.path());
        assert_eq!(cache.loaded.len(), 2);
        assert_eq!(
            cache.fingerprint(&file).unwrap().sha256,
            "sum-taken-while-writing"
        );
    }

    #[test]
    fn fresh_files_are_not_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("b.sql");
        std::fs::write(&file, "new").unwrap();
        sha_of(dir.path(), &file);
        assert!(
            HashCache::load(dir.path()).loaded.is_empty(),
            "a racy mtime was cached"
        );
    }
}
