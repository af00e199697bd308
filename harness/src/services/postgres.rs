//! A throwaway PostgreSQL server for the tests: Debian's binaries (installed with apt if
//! missing), a fresh cluster under `target/services/postgres`, listening on 127.0.0.1 at a
//! free port with trust auth. PostgreSQL refuses to run as root, so the cluster belongs to
//! the `postgres` system user.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};

use super::process::{self, Background};

pub const URL_ENV: &str = "MA_TEST_POSTGRES_URL";
const USER: &str = "postgres";

pub struct Postgres {
    server: Background,
    pub port: u16,
    bin: PathBuf,
}

/// The newest `/usr/lib/postgresql/<version>/bin` holding a server.
fn bin_dir() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("postgres").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// Installs Debian's PostgreSQL server and client if no server binaries are there.
pub fn ensure_installed() -> Result<PathBuf> {
    if let (Some(bin), true) = (bin_dir(), super::have("psql")) {
        return Ok(bin);
    }
    super::apt_install(&["postgresql", "postgresql-client"])
        .context("PostgreSQL (needed by the SQL registration tests) cannot be installed")?;
    bin_dir().context(
        "the postgresql package installed but /usr/lib/postgresql/*/bin/postgres is missing",
    )
}

fn ids(user: &str) -> Result<(u32, u32)> {
    let id = |flag: &str| -> Result<u32> {
        let out = Command::new("id")
            .args([flag, user])
            .output()
            .context("cannot run id")?;
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(|_| {
                anyhow!("no system user `{user}` (Debian's postgresql package creates it)")
            })
    };
    Ok((id("-u")?, id("-g")?))
}

fn as_user(program: PathBuf, uid: u32, gid: u32) -> Command {
    let mut cmd = Command::new(program);
    cmd.uid(uid).gid(gid).env("LC_ALL", "C.UTF-8");
    cmd
}

/// `target/services/postgres`, unless the `postgres` user cannot reach it (a checkout under
/// a private home directory): then a directory of ours under the system temp dir, which
/// `target/services/postgres` points to.
fn data_home(root: &Path, uid: u32, gid: u32) -> Result<PathBuf> {
    let wanted = super::state_dir(root, "postgres");
    let parent = wanted.parent().expect("under target/").to_path_buf();
    fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let reachable = Command::new("test")
        .arg("-x")
        .arg(&parent)
        .uid(uid)
        .gid(gid)
        .status()
        .is_ok_and(|s| s.success());
    if reachable {
        if wanted.is_symlink() {
            let _ = fs::remove_file(&wanted);
        }
        return Ok(wanted);
    }
    let digest: u32 = root
        .to_string_lossy()
        .bytes()
        .fold(5381u32, |h, b| h.wrapping_mul(33) ^ b as u32);
    let elsewhere = std::env::temp_dir().join(format!("mistral-actions-postgres-{digest:08x}"));
    if !wanted.is_symlink() {
        let _ = fs::remove_dir_all(&wanted);
        std::os::unix::fs::symlink(&elsewhere, &wanted)
            .with_context(|| format!("cannot link {}", wanted.display()))?;
    }
    Ok(elsewhere)
}

impl Postgres {
    /// A fresh cluster (earlier data removed), started and answering queries.
    pub fn start(root: &Path) -> Result<Self> {
        let bin = ensure_installed()?;
        let (uid, gid) = ids(USER)?;
        let pid_file = super::state_dir(root, "postgres").with_extension("pid");
        let dir = data_home(root, uid, gid)?;
        let marker = dir.to_string_lossy().into_owned();
        process::kill_leftover(&pid_file, &marker);
        let _ = fs::remove_dir_all(&dir);
        let data = dir.join("data");
        let sockets = dir.join("run");
        for d in [&dir, &sockets] {
            fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
            std::os::unix::fs::chown(d, Some(uid), Some(gid))
                .with_context(|| format!("cannot give {} to {USER}", d.display()))?;
        }
        let out = as_user(bin.join("initdb"), uid, gid)
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .output()
            .context("cannot run initdb")?;
        if !out.status.success() {
            bail!(
                "initdb failed ({}); the postgres user must be able to reach {}:\n{}",
                out.status,
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let port = process::free_port(Some(15432))?;
        let mut cmd = as_user(bin.join("postgres"), uid, gid);
        cmd.arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(&sockets)
            .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1"])
            .args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ])
            .args(["-c", "max_connections=200"]);
        let server =
            Background::spawn("postgres", cmd, &dir.join("server.log"), &pid_file, &marker)?
                .stop_with(libc::SIGINT, Duration::from_secs(10));
        let mut pg = Postgres { server, port, bin };
        let url = pg.url("postgres");
        let took = pg
            .server
            .wait_ready("accepting queries", Duration::from_secs(60), || {
                Command::new("psql")
                    .args([url.as_str(), "-XAtqc", "SELECT 1"])
                    .output()
                    .is_ok_and(|o| o.status.success())
            })?;
        eprintln!(
            "    postgres ({}) ready on 127.0.0.1:{port} in {:.1}s",
            pg.bin.display(),
            took.as_secs_f32()
        );
        Ok(pg)
    }

    /// A libpq URL (psql, the tests) for `database`.
    pub fn url(&self, database: &str) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/{database}", self.port)
    }

    pub fn stop(mut self) {
        self.server.stop();
    }
}
