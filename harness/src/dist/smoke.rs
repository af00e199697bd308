//! The package as a fresh machine gets it: unpacked (`dpkg-deb -x`) into a scratch root,
//! configured the way an operator does (the packaged server.yaml and environment file,
//! their /etc paths pointed at that root, a token made by the packaged `mistral-actions
//! token new`), and the packaged server started from it. The e2e runs its servers the
//! same way; [`check`] is ci's smoke test of the package.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use harness_contract::{MistralEnv, OpenStackEnv, APPCRED_CLOUD, ENV, MISTRAL_ENV, USER_CLOUD};

use crate::services::mistral_api;
use crate::services::process::{self, Background};

pub const SERVER_BIN: &str = "mistral-actions-server";
pub const CLI_BIN: &str = "mistral-actions";

/// A package's files under a directory of their own.
pub struct Unpacked {
    pub dir: PathBuf,
}

pub fn unpack(root: &Path, deb: &Path, name: &str) -> Result<Unpacked> {
    let dir = root.join("target/dist/work/unpacked").join(name);
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let status = Command::new("dpkg-deb")
        .arg("-x")
        .arg(deb)
        .arg(&dir)
        .status()
        .context("cannot run dpkg-deb")?;
    if !status.success() {
        bail!("dpkg-deb -x {} failed", deb.display());
    }
    Ok(Unpacked { dir })
}

fn append(path: &Path, text: &str) -> Result<()> {
    let mut old =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    old.push_str(text);
    fs::write(path, old).with_context(|| format!("cannot write {}", path.display()))
}

impl Unpacked {
    pub fn bin(&self, name: &str) -> PathBuf {
        self.dir.join("usr/bin").join(name)
    }

    pub fn config(&self) -> PathBuf {
        self.dir.join("etc/mistral-actions/server.yaml")
    }

    pub fn env_file(&self) -> PathBuf {
        self.dir.join("etc/default/mistral-actions-server")
    }

    pub fn token_file(&self) -> PathBuf {
        self.dir.join("etc/mistral-actions/token")
    }

    /// What an operator does after installing: the packaged server.yaml with its
    /// /etc/mistral-actions paths under this root and `yaml` appended (keys the packaged
    /// file leaves commented), `vars` written to the environment file, and a bearer token
    /// made by the packaged CLI (as postinst does).
    pub fn configure(&self, vars: &[(&str, &str)], yaml: &str) -> Result<()> {
        let config = self.config();
        let text = fs::read_to_string(&config)
            .with_context(|| format!("cannot read {}", config.display()))?;
        let etc = self.dir.join("etc/mistral-actions");
        let pointed = text.replace("/etc/mistral-actions/", &format!("{}/", etc.display()));
        fs::write(&config, format!("{pointed}{yaml}"))
            .with_context(|| format!("cannot write {}", config.display()))?;
        let lines: String = vars.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        append(&self.env_file(), &lines)?;
        self.new_token()
    }

    /// `mistral-actions token new` of the package, into this root's token file.
    pub fn new_token(&self) -> Result<()> {
        let out = Command::new(self.bin(CLI_BIN))
            .args(["token", "new"])
            .arg(self.token_file())
            .output()
            .with_context(|| format!("cannot run the packaged {CLI_BIN}"))?;
        if !out.status.success() {
            bail!(
                "{CLI_BIN} token new failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    pub fn token(&self) -> Result<String> {
        fs::read_to_string(self.token_file())
            .map(|t| t.trim().to_string())
            .with_context(|| format!("cannot read {}", self.token_file().display()))
    }

    /// The environment file's variables, as systemd's `EnvironmentFile=` reads them.
    pub fn env_vars(&self) -> Result<Vec<(String, String)>> {
        let path = self.env_file();
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect())
    }

    /// The packaged CLI with `args` (callers pass this root's `--env-file` where it matters).
    pub fn cli(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(self.bin(CLI_BIN));
        cmd.args(args);
        cmd
    }
}

/// The packaged server, run as the unit runs it (`--config`, the environment file's
/// variables and nothing of this shell's OS_* / MISTRAL_ACTIONS_*), on `port`.
pub struct PackagedServer {
    process: Background,
    pub url: String,
}

impl PackagedServer {
    pub fn start(unpacked: &Unpacked, name: &str, port: u16, logs: &Path) -> Result<Self> {
        let binary = unpacked.bin(SERVER_BIN);
        let mut cmd = Command::new(&binary);
        cmd.arg("--config")
            .arg(unpacked.config())
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .current_dir("/");
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("OS_") || key.starts_with("MISTRAL_ACTIONS_") {
                cmd.env_remove(&*key);
            }
        }
        cmd.envs(unpacked.env_vars()?);
        let log = logs.join(format!("{name}.log"));
        let mut process = Background::spawn(
            name,
            cmd,
            &log,
            &logs.join(format!("{name}.pid")),
            &binary.to_string_lossy(),
        )?
        .stop_with(libc::SIGTERM, Duration::from_secs(20));
        let url = format!("http://127.0.0.1:{port}");
        // Ready, not just alive: logged in to Keystone with the services its actions use
        // in the catalog, as a load balancer's health check wants it.
        let ready = format!("{url}/readyz");
        process.wait_ready(
            "answering /readyz with 200",
            Duration::from_secs(30),
            || process::listening(port) && mistral_api::http_ok(&ready),
        )?;
        Ok(PackagedServer { process, url })
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// SIGTERM (in-flight calls finish), as `systemctl stop` does.
    pub fn stop(&mut self) {
        self.process.stop();
    }

    /// SIGHUP, as the unit's `ExecReload` sends it.
    pub fn reload(&self) {
        self.process.signal(libc::SIGHUP);
    }
}

fn post(url: &str, token: &str, body: &serde_json::Value) -> Result<(u16, String)> {
    let response = ureq::post(url)
        .timeout(Duration::from_secs(60))
        .set("Authorization", &format!("Bearer {token}"))
        .set("Content-Type", "application/json")
        .send_string(&body.to_string());
    match response {
        Ok(r) => Ok((r.status(), r.into_string().unwrap_or_default())),
        Err(ureq::Error::Status(code, r)) => Ok((code, r.into_string().unwrap_or_default())),
        Err(e) => Err(anyhow!("POST {url}: {e}")),
    }
}

/// ci's smoke test of the package, on the tests' OpenStack: `config check` passes (and
/// fails, naming the cloud, for a wrong one) without printing a secret; the server
/// is ready (/readyz), runs an action, refuses a wrong token, and takes a rotated token
/// on SIGHUP.
pub fn check(root: &Path, deb: &Path) -> Result<()> {
    let env = OpenStackEnv::from_env().with_context(|| {
        format!(
            "the packaged server's smoke test needs the tests' OpenStack ({ENV}): run it in \
             `cargo xtask ci` or after `cargo harness openstack`"
        )
    })?;
    let unpacked = unpack(root, deb, "smoke")?;
    let clouds_yaml = env.clouds_yaml.to_string_lossy().into_owned();
    unpacked.configure(
        &[
            ("OS_CLOUD", APPCRED_CLOUD),
            ("OS_CLIENT_CONFIG_FILE", &clouds_yaml),
        ],
        "",
    )?;
    let token = unpacked.token()?;
    config_check(&unpacked, &token)?;
    plan_check(&unpacked, &env)?;

    let logs = root.join("target/dist/work/logs");
    let port = process::free_port(None)?;
    let _ = fs::remove_file(logs.join("smoke-server.log"));
    let mut server = PackagedServer::start(&unpacked, "smoke-server", port, &logs)?;
    let action = format!("{}/v1/actions/int32bit.glance.images.filter_by", server.url);
    let (status, body) = post(&action, &token, &serde_json::json!({"status": "active"}))?;
    if status != 200 || !body.contains("\"result\":[{") {
        bail!("the packaged server answered {status} to filter_by: {body}");
    }
    let (status, _) = post(&action, "wrong", &serde_json::json!({}))?;
    if status != 401 {
        bail!("a wrong token got {status}, expected 401");
    }
    eprintln!(
        "    packaged server (pid {}) under the packaged config: /readyz 200, int32bit.glance.images.filter_by 200, a wrong token 401",
        server.pid()
    );
    // `systemctl reload`: a new token file, then SIGHUP.
    unpacked.new_token()?;
    let rotated = unpacked.token()?;
    server.reload();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (status, _) = post(&action, &rotated, &serde_json::json!({"status": "active"}))?;
        if status == 200 {
            break;
        }
        if std::time::Instant::now() > deadline {
            bail!("the rotated token still gets {status} 10 s after SIGHUP");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!("    token new + SIGHUP (the unit's ExecReload): the new token is accepted");
    server.stop();
    Ok(())
}

/// `mistral-actions plan` of the package on the packaged tree: its help, and, when ci's
/// Mistral is up (`MA_TEST_MISTRAL`), a plan against it as the test user (which writes
/// nothing): the package holds what apply reads.
fn plan_check(unpacked: &Unpacked, env: &OpenStackEnv) -> Result<()> {
    let help = unpacked
        .cli(&["plan", "--help"])
        .output()
        .with_context(|| format!("cannot run {CLI_BIN} plan --help"))?;
    let text = String::from_utf8_lossy(&help.stdout);
    if !help.status.success() || !text.contains("--generated") {
        bail!("{CLI_BIN} plan --help: {text}");
    }
    if MistralEnv::from_env().is_err() {
        eprintln!("    {CLI_BIN} plan --help: ok (no {MISTRAL_ENV}: no plan against Mistral)");
        return Ok(());
    }
    let tree = unpacked.dir.join("usr/share/mistral-actions");
    let mut cmd = unpacked.cli(&["plan", "--generated", &tree.to_string_lossy()]);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("OS_") {
            cmd.env_remove(key);
        }
    }
    let out = cmd
        .env("OS_CLIENT_CONFIG_FILE", &env.clouds_yaml)
        .env("OS_CLOUD", USER_CLOUD)
        .env("MISTRAL_ACTIONS_URL", "http://127.0.0.1:8989")
        .env("MISTRAL_ACTIONS_TOKEN", "smoke")
        .output()
        .with_context(|| format!("cannot run {CLI_BIN} plan"))?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let code = out.status.code();
    if !matches!(code, Some(0 | 2)) || !said.contains(&tree.to_string_lossy().into_owned()) {
        bail!("{CLI_BIN} plan of the packaged tree (exit {code:?}):\n{said}");
    }
    eprintln!(
        "    {CLI_BIN} plan of the packaged tree against ci's Mistral: exit {}, `{}`",
        code.unwrap_or_default(),
        said.lines()
            .find(|l| l.starts_with("Plan:") || l.starts_with("No changes"))
            .unwrap_or_default()
    );
    Ok(())
}

/// `mistral-actions config check` of the package, as the service sees it.
fn config_check(unpacked: &Unpacked, token: &str) -> Result<()> {
    let config = unpacked.config().to_string_lossy().into_owned();
    let env_file = unpacked.env_file().to_string_lossy().into_owned();
    let run = |env_file: &str| -> Result<(bool, String)> {
        let out = unpacked
            .cli(&[
                "config",
                "check",
                "--config",
                &config,
                "--env-file",
                env_file,
            ])
            .output()
            .with_context(|| format!("cannot run {CLI_BIN} config check"))?;
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        Ok((out.status.success(), text))
    };
    let (ok, text) = run(&env_file)?;
    if !ok || !text.contains("logged in") || text.contains(token) {
        bail!("{CLI_BIN} config check (exit ok: {ok}):\n{text}");
    }
    let wrong = unpacked.dir.join("wrong-cloud.env");
    let vars = fs::read_to_string(&env_file).with_context(|| format!("cannot read {env_file}"))?;
    fs::write(
        &wrong,
        vars.replace(
            &format!("OS_CLOUD={APPCRED_CLOUD}"),
            "OS_CLOUD=no-such-cloud",
        ),
    )
    .with_context(|| format!("cannot write {}", wrong.display()))?;
    let (ok, said) = run(&wrong.to_string_lossy())?;
    if ok || !said.contains("no cloud 'no-such-cloud'") {
        bail!("{CLI_BIN} config check with a wrong cloud (exit ok: {ok}):\n{said}");
    }
    eprintln!(
        "    {CLI_BIN} config check: ok, logged in, no secret printed; a wrong cloud: exit 1, `{}`",
        said.lines()
            .find(|l| l.starts_with("error:"))
            .unwrap_or_default()
    );
    Ok(())
}
