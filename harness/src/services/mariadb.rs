//! A throwaway MariaDB server for the tests: Debian's mariadb-server (installed with apt
//! if missing), a fresh data directory under `target/services/mariadb`, listening on
//! 127.0.0.1 at a free port; `root` without a password, from loopback only.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{anyhow, bail, ensure, Context, Result};

use super::process::{self, Background};

pub const URL_ENV: &str = "MA_TEST_MYSQL_URL";
const SERVER: &str = "/usr/sbin/mariadbd";

pub struct MariaDb {
    server: Background,
    pub port: u16,
    socket: PathBuf,
}

pub fn ensure_installed() -> Result<()> {
    if Path::new(SERVER).exists() && super::have("mariadb-install-db") && super::have("mariadb") {
        return Ok(());
    }
    super::apt_install(&["mariadb-server", "mariadb-client"])
        .context("MariaDB (needed by the SQL registration tests) cannot be installed")?;
    if Path::new(SERVER).exists() {
        Ok(())
    } else {
        Err(anyhow!(
            "the mariadb-server package installed but {SERVER} is missing"
        ))
    }
}

fn client_via_socket(socket: &Path, sql: &str) -> Result<()> {
    let out = Command::new("mariadb")
        .arg("--no-defaults")
        .arg(format!("--socket={}", socket.display()))
        .args(["-uroot", "-e", sql])
        .output()
        .context("cannot run the mariadb client")?;
    ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr).trim_end()
    );
    Ok(())
}

impl MariaDb {
    /// A fresh server (earlier data removed), started and answering queries over TCP.
    pub fn start(root: &Path) -> Result<Self> {
        ensure_installed()?;
        let dir = super::state_dir(root, "mariadb");
        let pid_file = dir.with_extension("pid");
        let marker = dir.to_string_lossy().into_owned();
        process::kill_leftover(&pid_file, &marker);
        let _ = fs::remove_dir_all(&dir);
        let data = dir.join("data");
        fs::create_dir_all(&data).with_context(|| format!("cannot create {}", data.display()))?;
        let out = Command::new("mariadb-install-db")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args([
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ])
            .output()
            .context("cannot run mariadb-install-db")?;
        if !out.status.success() {
            bail!(
                "mariadb-install-db failed ({}):\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let port = process::free_port(Some(13306))?;
        let socket = dir.join("mysqld.sock");
        let mut cmd = Command::new(SERVER);
        cmd.arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", socket.display()))
            .arg(format!("--pid-file={}", dir.join("mariadbd.pid").display()))
            .arg(format!("--port={port}"))
            .args(["--bind-address=127.0.0.1", "--user=root", "--skip-log-bin"])
            .args([
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_general_ci",
            ])
            .args([
                "--innodb-flush-log-at-trx-commit=0",
                "--max-connections=200",
            ]);
        let server =
            Background::spawn("mariadbd", cmd, &dir.join("server.log"), &pid_file, &marker)?;
        let mut db = MariaDb {
            server,
            port,
            socket,
        };
        let socket = db.socket.clone();
        let took = db
            .server
            .wait_ready("accepting queries", Duration::from_secs(60), || {
                client_via_socket(&socket, "SELECT 1").is_ok()
            })?;
        // install-db creates root@localhost only; the tests and Mistral come over TCP.
        client_via_socket(
            &db.socket,
            "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; \
             GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;",
        )
        .context("cannot allow root over TCP")?;
        eprintln!(
            "    mariadb ready on 127.0.0.1:{port} in {:.1}s",
            took.as_secs_f32()
        );
        Ok(db)
    }

    /// `mysql://root@127.0.0.1:PORT/database`, as the tests read it.
    pub fn url(&self, database: &str) -> String {
        format!("mysql://root@127.0.0.1:{}/{database}", self.port)
    }

    pub fn stop(mut self) {
        self.server.stop();
    }
}
