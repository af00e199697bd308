//! How the harness runs the services' programs: one-shot tools (`keystone-manage db_sync`,
//! …) with their output kept in a log, and daemons, each the leader of its own process group
//! (`process::Background`), with its log and pid file under `target/services/openstack/`.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::services::process::{self, Background};

use super::venv;

/// Where one run keeps its configs, data, logs and pid files.
#[derive(Clone)]
pub struct Ctx {
    pub root: PathBuf,
    /// `target/services/openstack`.
    pub dir: PathBuf,
    /// Added to the nice value of everything started: the services off the critical path
    /// (Keystone, then its seeding) yield the 2 CPUs to it while all start at once.
    pub nice: i32,
}

impl Ctx {
    pub fn new(root: &Path) -> Self {
        Ctx {
            root: root.to_path_buf(),
            dir: crate::services::state_dir(root, "openstack"),
            nice: 0,
        }
    }

    /// The same, starting things `nice` steps lower in CPU priority.
    pub fn niced(&self, nice: i32) -> Self {
        Ctx {
            nice,
            ..self.clone()
        }
    }

    /// `target/services/openstack/<service>`, created.
    pub fn service_dir(&self, service: &str) -> Result<PathBuf> {
        let dir = self.dir.join(service);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(dir)
    }

    pub fn log(&self, name: &str) -> PathBuf {
        self.dir.join("logs").join(format!("{name}.log"))
    }

    fn pid_file(&self, name: &str) -> PathBuf {
        self.dir.join("pids").join(format!("{name}.pid"))
    }

    /// Every command line of ours names a path under this directory: what
    /// `process::kill_leftover` checks before killing a group a killed run left.
    pub fn marker(&self) -> String {
        self.dir.to_string_lossy().into_owned()
    }

    /// Our Python package (`ma_openstack`: WSGI entry points, shims, responders).
    pub fn python_path(&self) -> PathBuf {
        self.root.join("harness").join("openstack").join("python")
    }

    /// A venv program, with our package importable, the venv first on PATH (oslo's
    /// helpers, `privsep-helper`, are found there) and Python's output unbuffered.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(venv::bin(&self.root, program));
        let path = std::env::var("PATH").unwrap_or_default();
        cmd.env("PYTHONPATH", self.python_path())
            .env(
                "PATH",
                format!("{}:{path}", venv::dir(&self.root).join("bin").display()),
            )
            .env("PYTHONUNBUFFERED", "1")
            // no __pycache__ in harness/openstack/python (the venv's own are made by pip)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONWARNINGS", "ignore")
            .current_dir(&self.dir);
        if self.nice != 0 {
            let nice = self.nice;
            // SAFETY: only nice(2), async-signal-safe, between fork and exec.
            unsafe {
                cmd.pre_exec(move || {
                    libc::nice(nice);
                    Ok(())
                });
            }
        }
        cmd
    }

    /// Runs a one-shot tool to completion; its output goes to `logs/<name>.log`, whose end
    /// the error shows.
    pub fn run(&self, name: &str, mut cmd: Command) -> Result<Duration> {
        let log = self.log(name);
        fs::create_dir_all(log.parent().expect("logs/"))
            .with_context(|| format!("cannot create {}", self.dir.display()))?;
        let started = Instant::now();
        let out = cmd
            .output()
            .with_context(|| format!("cannot run {:?}", cmd.get_program()))?;
        fs::write(&log, [&out.stdout[..], &out.stderr[..]].concat())
            .with_context(|| format!("cannot write {}", log.display()))?;
        if !out.status.success() {
            bail!(
                "`{name}` failed ({}); end of {}:\n{}",
                out.status,
                log.display(),
                process::tail(&log, 30)
            );
        }
        Ok(started.elapsed())
    }

    /// Starts a daemon as its own process group; `logs/<name>.log`, `pids/<name>.pid`.
    pub fn spawn(&self, name: &str, cmd: Command) -> Result<Background> {
        let pid_file = self.pid_file(name);
        fs::create_dir_all(pid_file.parent().expect("pids/"))
            .with_context(|| format!("cannot create {}", self.dir.display()))?;
        Ok(
            Background::spawn(name, cmd, &self.log(name), &pid_file, &self.marker())?
                .stop_with(libc::SIGTERM, Duration::from_secs(5)),
        )
    }

    /// A WSGI app of `ma_openstack.wsgi` under gunicorn on 127.0.0.1:`port`: one process,
    /// with `threads` threads (gunicorn's gthread worker; 1 is the sync worker, for the
    /// services that monkey-patch with eventlet). `tls`: certificate and key, for HTTPS.
    pub fn gunicorn(
        &self,
        name: &str,
        app: &str,
        port: u16,
        threads: u32,
        tls: Option<(&Path, &Path)>,
        env: &[(&str, String)],
    ) -> Result<Background> {
        let mut cmd = self.command("gunicorn");
        cmd.args(["--no-control-socket", "--graceful-timeout", "2"])
            .args(["--timeout", "120"])
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .args(["--workers", "1", "--threads"])
            .arg(threads.to_string())
            // The process title gunicorn sets names this, so a leftover is recognised.
            .arg("--name")
            .arg(self.dir.join(name))
            // One line per request, with its time in seconds, in the service's log.
            .args(["--access-logfile", "-", "--access-logformat"])
            .arg("%(t)s %(r)s %(s)s %(L)ss")
            .arg(format!("ma_openstack.wsgi:{app}()"));
        if let Some((cert, key)) = tls {
            cmd.arg("--certfile").arg(cert).arg("--keyfile").arg(key);
        }
        for (key, value) in env {
            cmd.env(key, value);
        }
        self.spawn(name, cmd)
    }
}

/// Whether an HTTP service answers on 127.0.0.1:`port` at `path`: any status counts (a
/// version document is 300, an API without a token 401); only no answer does not.
pub fn answers(port: u16, path: &str) -> bool {
    if !process::listening(port) {
        return false;
    }
    match ureq::get(&format!("http://127.0.0.1:{port}{path}"))
        .timeout(Duration::from_secs(5))
        .call()
    {
        Ok(_) | Err(ureq::Error::Status(..)) => true,
        Err(ureq::Error::Transport(_)) => false,
    }
}

/// Waits until `port` answers HTTP (see [`answers`]), or the process dies, or `timeout`.
pub fn wait_http(
    server: &mut Background,
    port: u16,
    path: &str,
    timeout: Duration,
) -> Result<Duration> {
    server.wait_ready(&format!("answering HTTP on port {port}"), timeout, || {
        answers(port, path)
    })
}
