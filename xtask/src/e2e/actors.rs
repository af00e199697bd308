//! Our side of the chain: the action server Mistral's std.http calls, and the stub
//! OpenStack it talks to, both built from the workspace and run as background processes
//! with their logs under `target/services/e2e`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::services::mistral_api;
use crate::services::process::{self, Background};

pub const SERVER_BIN: &str = "mistral-actions-server";
pub const STUB_BIN: &str = "stub-openstack";

pub struct Binaries {
    server: PathBuf,
    stub: PathBuf,
}

fn dir(root: &Path) -> PathBuf {
    crate::services::state_dir(root, "e2e")
}

/// Builds the two binaries (debug, as the tests do, so a warm ci builds nothing).
pub fn build(root: &Path) -> Result<Binaries, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build", "--quiet", "-p", SERVER_BIN, "-p", STUB_BIN, "--bins",
        ])
        .status()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    if !status.success() {
        return Err(format!(
            "cargo build -p {SERVER_BIN} -p {STUB_BIN} failed ({status})"
        ));
    }
    let bin = |name: &str| root.join("target").join("debug").join(name);
    let binaries = Binaries {
        server: bin(SERVER_BIN),
        stub: bin(STUB_BIN),
    };
    for path in [&binaries.server, &binaries.stub] {
        if !path.exists() {
            return Err(format!("cargo built no {}", path.display()));
        }
    }
    Ok(binaries)
}

/// The stub OpenStack with its fixtures.
pub struct Stub {
    _process: Background,
    /// The `OS_*` variables it printed, for the action server.
    pub os_env: Vec<(String, String)>,
    /// The ids of its fixtures (`STUB_FIXTURE_<NAME>` lines), by name.
    pub fixtures: std::collections::BTreeMap<String, String>,
}

impl Stub {
    pub fn start(root: &Path, binaries: &Binaries) -> Result<Stub, String> {
        let dir = dir(root);
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let log = dir.join("stub-openstack.log");
        let _ = fs::remove_file(&log);
        let port = process::free_port(None)?;
        let mut cmd = Command::new(&binaries.stub);
        cmd.arg(format!("127.0.0.1:{port}"));
        let mut process = Background::spawn(
            "stub-openstack",
            cmd,
            &log,
            &dir.join("stub-openstack.pid"),
            &binaries.stub.to_string_lossy(),
        )?;
        // It prints its `OS_*` lines, then READY.
        let read = || fs::read_to_string(&log).unwrap_or_default();
        process.wait_ready("ready", Duration::from_secs(30), || {
            read().lines().any(|l| l == "READY")
        })?;
        let printed = read();
        let lines: Vec<(&str, &str)> = printed.lines().filter_map(|l| l.split_once('=')).collect();
        let os_env: Vec<(String, String)> = lines
            .iter()
            .filter(|(k, _)| k.starts_with("OS_"))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let fixtures = lines
            .iter()
            .filter_map(|(k, v)| {
                Some((k.strip_prefix("STUB_FIXTURE_")?.to_string(), v.to_string()))
            })
            .collect();
        let auth = os_env.iter().find(|(k, _)| k == "OS_AUTH_URL");
        eprintln!(
            "    stub-openstack (pid {}) with Keystone at {}",
            process.pid(),
            auth.map_or("?", |(_, v)| v.as_str())
        );
        Ok(Stub {
            _process: process,
            os_env,
            fixtures,
        })
    }
}

/// mistral-actions-server with a fresh bearer token, pointed at the stub.
pub struct ActionServer {
    _process: Background,
    /// What Mistral's environment gives as `mistral_actions_url`.
    pub url: String,
    pub token: String,
}

impl ActionServer {
    pub fn start(root: &Path, binaries: &Binaries, stub: &Stub) -> Result<ActionServer, String> {
        let dir = dir(root);
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
        let mut cmd = Command::new(&binaries.server);
        cmd.args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--config")
            .arg(&config)
            .env("MISTRAL_ACTIONS_TOKEN", &token)
            .current_dir(&dir)
            .env_remove("MISTRAL_ACTIONS_CONFIG")
            .env_remove("OS_CLOUD")
            .env_remove("OS_CLIENT_CONFIG_FILE")
            .envs(stub.os_env.iter().map(|(k, v)| (k, v)));
        let mut process = Background::spawn(
            SERVER_BIN,
            cmd,
            &log,
            &dir.join("mistral-actions-server.pid"),
            &binaries.server.to_string_lossy(),
        )?;
        let url = format!("http://127.0.0.1:{port}");
        let health = format!("{url}/healthz");
        process.wait_ready("answering /healthz", Duration::from_secs(30), || {
            process::listening(port) && mistral_api::http_ok(&health)
        })?;
        eprintln!(
            "    {SERVER_BIN} (pid {}) at {url}, bearer token required",
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
