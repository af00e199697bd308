//! What a file holds, as SHA-256: of bytes in memory ([`sha256_hex`]) or of a file on
//! disk, with the size and mtime it had then ([`Fingerprint`]).

use std::fs;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256: the one place the generator hashes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of `digest` (a lookup, not `format!` per byte: keys and sums are
/// taken for every action).
pub(crate) fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(digest.len() * 2);
    for b in digest {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

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
pub(super) const RACY: Duration = Duration::from_secs(2);

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
            sha256: hex(&hasher.finalize()),
            len: meta.len(),
            modified: meta
                .modified()
                .ok()
                .filter(|m| m.checked_add(RACY).is_some_and(|m| m < started)),
        })
    }

    /// The size and mtime this fingerprint trusts, if any (see [`super::hash_cache`]).
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
    pub(crate) fn unchanged(&self, path: &Path) -> std::io::Result<bool> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_nothing() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn an_old_file_is_trusted_by_its_stat_until_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let full = dir.path().join("0001.up.sql");
        fs::write(&full, "BEGIN;\n").unwrap();
        let long_ago = SystemTime::now() - Duration::from_secs(3600);
        let file = fs::File::options().write(true).open(&full).unwrap();
        file.set_modified(long_ago).unwrap();
        let fingerprint = Fingerprint::of(&full).unwrap();
        assert_eq!(fingerprint.modified, Some(long_ago));
        assert!(fingerprint.unchanged(&full).unwrap());
        fs::write(&full, "BEGIN:\n").unwrap();
        assert!(!fingerprint.unchanged(&full).unwrap());
    }
}
