//! Our side of the chain: the action server Mistral's std.http calls, built from the
//! workspace and run in the background with its log under `target/services/e2e`, logged in
//! to the real OpenStack with an application credential, as a deployment would run it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::services::mistral_api;
use crate::services::process::{self, Background};

pub const SERVER_BIN: &str = "mistral-actions-server";

/// The cloud of clouds.yaml the server logs in as: the test user's application credential.
pub const CLOUD: &str = "ma-test-appcred";

fn dir(root: &Path) -> PathBuf {
    crate::services::state_dir(root, "e2e")
}

/// Builds the server (debug, as the tests do, so a warm ci builds nothing); its path.
pub fn build(root: &Path) -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["build", "--quiet", "-p", SERVER_BIN, "--bin", SERVER_BIN])
        .status()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build -p {SERVER_BIN} failed ({status})"));
    }
    let path = root.join("target").join("debug").join(SERVER_BIN);
    if !path.exists() {
        return Err(format!("cargo built no {}", path.display()));
    }
    Ok(path)
}

/// mistral-actions-server with a fresh bearer token, as [`CLOUD`] of `clouds_yaml`.
pub struct ActionServer {
    _process: Background,
    /// What Mistral's environment gives as `mistral_actions_url`.
    pub url: String,
    pub token: String,
}

impl ActionServer {
    pub fn start(root: &Path, binary: &Path, clouds_yaml: &Path) -> Result<ActionServer, String> {
        let dir = dir(root);
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let log = dir.join("mistral-actions-server.log");
        let _ = fs::remove_file(&log);
        let token = random_token()?;
        let port = process::free_port(Some(8989))?;
        let config = dir.join("mistral-actions-server.yaml");
        let allow: Vec<String> = super::cases::EXEC_ALLOW
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect();
        fs::write(
            &config,
            format!(
                "exec:\n  allow: [{}]\n  timeout_secs: 10\n",
                allow.join(", ")
            ),
        )
        .map_err(|e| format!("cannot write {}: {e}", config.display()))?;
        let mut cmd = Command::new(binary);
        cmd.args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--config")
            .arg(&config)
            .env("MISTRAL_ACTIONS_TOKEN", &token)
            .current_dir(&dir)
            .env_remove("MISTRAL_ACTIONS_CONFIG");
        // Only the cloud named here: no OS_* of the caller's shell may mix in.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("OS_") {
                cmd.env_remove(key);
            }
        }
        cmd.env("OS_CLOUD", CLOUD)
            .env("OS_CLIENT_CONFIG_FILE", clouds_yaml);
        let mut process = Background::spawn(
            SERVER_BIN,
            cmd,
            &log,
            &dir.join("mistral-actions-server.pid"),
            &binary.to_string_lossy(),
        )?;
        let url = format!("http://127.0.0.1:{port}");
        let health = format!("{url}/healthz");
        process.wait_ready("answering /healthz", Duration::from_secs(30), || {
            process::listening(port) && mistral_api::http_ok(&health)
        })?;
        eprintln!(
            "    {SERVER_BIN} (pid {}) at {url}, bearer token required, OS_CLOUD={CLOUD}",
            process.pid()
        );
        Ok(ActionServer {
            _process: process,
            url,
            token,
        })
    }
}

/// 32 hex digits from the kernel's random source, new for each run.
fn random_token() -> Result<String, String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("cannot read /dev/urandom: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
