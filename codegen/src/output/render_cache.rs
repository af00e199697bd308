//! What earlier runs rendered: for each rendered file, the key it was rendered from and the
//! size and mtime the file had once it held that text. A later run that finds the same
//! key and the same size and mtime skips rendering and comparing it, as make or git's
//! index would. Keyed on content (the key hashes the inputs the emitter declared, which
//! are all its renderer receives) and on the generator itself (the running executable's
//! size and mtime, so a rebuild starts afresh); never on a list of sources.
//!
//! Only stats that cannot hide an edit are recorded: with sub-second mtimes, or mtimes
//! already old when recorded (see [`super::fingerprint`] on racy mtimes). The cache lives
//! in `target/codegen-cache/`; a fresh checkout (CI) has none and renders everything.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Entry {
    key: String,
    len: u64,
    mtime_ns: u128,
}

#[derive(Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Stored {
    generator: String,
    files: BTreeMap<String, Entry>,
}

pub struct RenderCache {
    file: PathBuf,
    generator: String,
    loaded: BTreeMap<String, Entry>,
    seen: Mutex<BTreeMap<String, Entry>>,
}

/// The running generator: its executable's path, size and mtime.
fn generator() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(format!(
        "{} {} {}",
        exe.display(),
        meta.len(),
        mtime.as_nanos()
    ))
}

fn stat(full: &Path) -> Option<(u64, u128, bool)> {
    let meta = std::fs::metadata(full).ok()?;
    let modified = meta.modified().ok()?;
    let ns = modified.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    let settled =
        ns % 1_000_000_000 != 0 || modified + super::fingerprint::RACY < SystemTime::now();
    Some((meta.len(), ns, settled))
}

impl RenderCache {
    /// The cache of the project at `root`; empty when missing, unreadable or written by
    /// another build of the generator.
    pub fn load(root: &Path) -> RenderCache {
        let file = root.join("target/codegen-cache/rendered.json");
        let generator = generator().unwrap_or_default();
        let loaded = std::fs::read_to_string(&file)
            .ok()
            .and_then(|t| serde_json::from_str::<Stored>(&t).ok())
            .filter(|s| !generator.is_empty() && s.generator == generator)
            .map(|s| s.files)
            .unwrap_or_default();
        RenderCache {
            file,
            generator,
            loaded,
            seen: Mutex::new(BTreeMap::new()),
        }
    }

    /// Whether `full` (generated file `path`) still holds the text rendered from the inputs
    /// whose key `key` gives (taken only when the size and mtime match).
    pub fn unchanged(&self, path: &str, full: &Path, key: impl FnOnce() -> String) -> bool {
        let Some(entry) = self.loaded.get(path) else {
            return false;
        };
        let same = stat(full).is_some_and(|(len, ns, _)| len == entry.len && ns == entry.mtime_ns)
            && entry.key == key();
        if same {
            self.keep(path, entry.clone());
        }
        same
    }

    /// `full` now holds the text rendered from `key`.
    pub fn record(&self, path: &str, key: &str, full: &Path) {
        if let Some((len, mtime_ns, true)) = stat(full) {
            let entry = Entry {
                key: key.to_string(),
                len,
                mtime_ns,
            };
            self.keep(path, entry);
        }
    }

    fn keep(&self, path: &str, entry: Entry) {
        self.seen
            .lock()
            .expect("render cache lock")
            .insert(path.to_string(), entry);
    }

    /// Keeps what this run saw for the next one (`apply` only: `--check` writes nothing).
    /// Best effort.
    pub fn save(self) {
        let files = self.seen.into_inner().unwrap_or_default();
        if files == self.loaded || self.generator.is_empty() {
            return;
        }
        let stored = Stored {
            generator: self.generator,
            files,
        };
        if let Some(dir) = self.file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(text) = serde_json::to_string(&stored) {
            let _ = std::fs::write(&self.file, text);
        }
    }
}
