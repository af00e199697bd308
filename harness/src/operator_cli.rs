//! The operator CLI (`mistral-actions`) as an operator runs it: none of this process's
//! login (`OS_*`) or `MISTRAL_URL` leaks in, so each caller says exactly which cloud,
//! project and Mistral it means.

use std::path::Path;
use std::process::Command;

/// `exe` with every `OS_*` variable and `MISTRAL_URL` of this process removed.
pub fn command(exe: &Path) -> Command {
    let mut cmd = Command::new(exe);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("OS_") || key == "MISTRAL_URL" {
            cmd.env_remove(&*key);
        }
    }
    cmd
}
