//! RabbitMQ for Mistral's messaging (its in-memory `fake://` transport does not work across
//! mistral-server's forked processes) and for the real OpenStack services of the tests.
//! Debian's `rabbitmq-server`, run as a plain background process on 127.0.0.1 with
//! everything it writes (mnesia, logs, Erlang cookie) under `target/services/rabbitmq`.
//!
//! `cargo xtask ci` starts one broker before the tests and exports its default-vhost URL as
//! `MA_TEST_RABBITMQ_URL` ([`URL_ENV`]); `cargo harness e2e` reuses that broker when the
//! variable is set (Mistral keeps the default vhost) and starts its own otherwise. The
//! OpenStack services get a vhost of their own ([`RabbitMq::vhost`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};

use super::process::{self, Background};

/// Debian's scripts, called directly: `/usr/sbin/rabbitmq-server` would `su rabbitmq` and
/// write under /var.
const SBIN: &str = "/usr/lib/rabbitmq/bin";
const EPMD_PORT: u16 = 4369;

/// The transport URL of an already running broker's default vhost, for the processes
/// started after it.
pub const URL_ENV: &str = "MA_TEST_RABBITMQ_URL";

pub struct RabbitMq {
    server: Background,
    pub port: u16,
    dir: PathBuf,
    /// Erlang starts epmd (a daemon outside our process group) if none runs; we stop it
    /// again only if it was ours.
    started_epmd: bool,
}

/// Installs Debian's rabbitmq-server if its scripts are missing.
pub fn ensure_installed() -> Result<()> {
    if Path::new(SBIN).join("rabbitmq-server").exists() {
        return Ok(());
    }
    super::apt_install(&["rabbitmq-server"])
        .context("RabbitMQ (Mistral's message bus) cannot be installed")?;
    if Path::new(SBIN).join("rabbitmq-server").exists() {
        Ok(())
    } else {
        Err(anyhow!(
            "the rabbitmq-server package installed but {SBIN}/rabbitmq-server is missing"
        ))
    }
}

impl RabbitMq {
    /// Starts a fresh broker (earlier data removed) and waits until it answers.
    pub fn start(root: &Path) -> Result<Self> {
        ensure_installed()?;
        let dir = super::state_dir(root, "rabbitmq");
        let pid_file = dir.with_extension("pid");
        let marker = dir.to_string_lossy().into_owned();
        // A broker left by a killed run must go before its data does.
        process::kill_leftover(&pid_file, &marker);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("log"))
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let port = process::free_port(Some(5672))?;
        let dist_port = process::free_port(Some(25672))?;
        let started_epmd = !process::listening(EPMD_PORT);
        let mut cmd = Command::new(Path::new(SBIN).join("rabbitmq-server"));
        env(&mut cmd, &dir)
            .env("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .env("RABBITMQ_NODE_PORT", port.to_string())
            .env("RABBITMQ_DIST_PORT", dist_port.to_string())
            .env("RABBITMQ_PID_FILE", dir.join("rabbit.pid"))
            .env("RABBITMQ_LOGS", dir.join("log").join("rabbit.log"));
        let server = Background::spawn(
            "rabbitmq-server",
            cmd,
            &dir.join("log").join("server.out"),
            &pid_file,
            &marker,
        )?;
        let mut rabbit = RabbitMq {
            server,
            port,
            dir: dir.clone(),
            started_epmd,
        };
        let took = rabbit.server.wait_ready(
            "answering `rabbitmqctl status`",
            Duration::from_secs(90),
            || {
                let mut ctl = ctl(&dir);
                ctl.args(["-q", "status"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null());
                // Cheap check first: each rabbitmqctl call boots an Erlang VM.
                process::listening(port) && ctl.status().is_ok_and(|s| s.success())
            },
        )?;
        eprintln!(
            "    rabbitmq-server (pid {}) on 127.0.0.1:{port}, ready in {:.1}s",
            rabbit.server.pid(),
            took.as_secs_f32()
        );
        Ok(rabbit)
    }

    /// What Mistral's `[DEFAULT] transport_url` should say.
    pub fn transport_url(&self) -> String {
        format!("rabbit://guest:guest@127.0.0.1:{}/", self.port)
    }

    /// `MA_TEST_RABBITMQ_URL` for every process this one starts afterwards.
    pub fn export(&self) {
        // Single-threaded here: ci starts services before anything else runs.
        std::env::set_var(URL_ENV, self.transport_url());
    }

    /// Creates the vhost `name` (the guest user may use it) and returns its transport URL,
    /// so that a set of services keeps its queues and exchanges apart from Mistral's.
    pub fn vhost(&self, name: &str) -> Result<String> {
        for args in [
            vec!["-q", "add_vhost", name],
            vec![
                "-q",
                "set_permissions",
                "-p",
                name,
                "guest",
                ".*",
                ".*",
                ".*",
            ],
        ] {
            let out = ctl(&self.dir)
                .args(&args)
                .output()
                .context("cannot run rabbitmqctl")?;
            if !out.status.success() {
                bail!(
                    "`rabbitmqctl {}` failed ({}): {}",
                    args.join(" "),
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
        }
        Ok(format!("{}{name}", self.transport_url()))
    }

    fn shutdown(&mut self) {
        self.server.stop();
        if self.started_epmd {
            let _ = Command::new("epmd")
                .arg("-kill")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        self.started_epmd = false;
    }
}

impl Drop for RabbitMq {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A node name of this checkout's own: two checkouts on one machine (one epmd) must not
/// claim the same name.
fn node_name(dir: &Path) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    dir.hash(&mut h);
    format!("mistral-actions-{:08x}@localhost", h.finish() as u32)
}

/// The environment every RabbitMQ script needs to find this node and to keep off /etc and
/// /var: its own (empty) config files, its data dir, and HOME for the Erlang cookie.
fn env<'a>(cmd: &'a mut Command, dir: &Path) -> &'a mut Command {
    cmd.current_dir(dir)
        .env("HOME", dir)
        .env("RABBITMQ_NODENAME", node_name(dir))
        .env("RABBITMQ_CONF_ENV_FILE", dir.join("rabbitmq-env.conf"))
        .env("RABBITMQ_CONFIG_FILE", dir.join("rabbitmq"))
        .env("RABBITMQ_ADVANCED_CONFIG_FILE", dir.join("advanced.config"))
        .env("RABBITMQ_ENABLED_PLUGINS_FILE", dir.join("enabled_plugins"))
        .env("RABBITMQ_MNESIA_BASE", dir.join("mnesia"))
        .env("RABBITMQ_LOG_BASE", dir.join("log"))
        .env("ERL_EPMD_ADDRESS", "127.0.0.1")
}

fn ctl(dir: &Path) -> Command {
    let mut cmd = Command::new(Path::new(SBIN).join("rabbitmqctl"));
    env(&mut cmd, dir);
    cmd
}
