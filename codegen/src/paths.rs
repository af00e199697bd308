//! Relative paths as the generator shows and stores them: `/`-separated strings, on every
//! platform, in messages, in the model and under `generated/`.

use std::path::Path;

/// `p` (relative) with `/` between its components.
pub fn slash(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
