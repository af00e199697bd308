//! `mistral-actions token new`: a bearer token file, written so that the server never
//! reads a half-written one and no one but its owner can read it.

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

pub const DEFAULT_FILE: &str = "/etc/mistral-actions/token";

/// 256 bits from the kernel's random source, as 64 hex digits.
pub fn random_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

pub fn new(file: &Path) -> bool {
    match write(file) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            false
        }
    }
}

fn write(file: &Path) -> std::io::Result<()> {
    let token = random_token()?;
    if file == Path::new("-") {
        println!("{token}");
        return Ok(());
    }
    // A temporary file beside it, renamed over it: the server (which re-reads the file on
    // SIGHUP and when it changes) sees the old token or the new one, never a part.
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.new.{}", std::process::id()));
    let result = (|| {
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        out.write_all(format!("{token}\n").as_bytes())?;
        out.sync_all()?;
        // The service reads it as its own user: a replaced file keeps its owner.
        if let Ok(old) = fs::metadata(file) {
            std::os::unix::fs::chown(&temp, Some(old.uid()), Some(old.gid()))?;
        }
        fs::rename(&temp, file)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result?;
    let meta = fs::metadata(file)?;
    eprintln!(
        "wrote a new bearer token to {} (mode 0600, owner uid {} gid {}); the server takes it on SIGHUP (systemctl reload mistral-actions-server) or by itself within seconds, and accepts the previous one for token_overlap_secs",
        file.display(),
        meta.uid(),
        meta.gid()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_new_token_replaces_the_file_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        fs::write(&file, "old\n").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(new(&file));
        let text = fs::read_to_string(&file).unwrap();
        assert_eq!(text.trim().len(), 64);
        assert!(text.trim().chars().all(|c| c.is_ascii_hexdigit()));
        let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(new(&file));
        assert_ne!(fs::read_to_string(&file).unwrap(), text);
        // Nothing left beside it.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(!new(&dir.path().join("missing-dir/token")));
    }
}
