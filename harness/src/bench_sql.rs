//! `cargo xtask bench --sql`: the newest up migration of the synthetic project applied to
//! Mistral's table (Victoria…2026 shape) on the real PostgreSQL and MariaDB that
//! `cargo xtask ci` starts, beside the same rows loaded as 500-row INSERTs, and the down.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use codegen::emit::sql::{plain_inserts, Target};
use codegen::model::{Dialect, SchemaGeneration};
use codegen::registration::Row;
use codegen::Error;

use super::{secs, wait};
use crate::services::{databases::Databases, mariadb, postgres};

const DB: &str = "ma_bench";

pub fn run(root: &Path, dir: &Path, runs: usize) -> Result<bool, Error> {
    let started = match (
        std::env::var(postgres::URL_ENV),
        std::env::var(mariadb::URL_ENV),
    ) {
        (Ok(p), Ok(m)) if !p.is_empty() && !m.is_empty() => None,
        _ => match Databases::start(root) {
            Ok(d) => Some(d),
            Err(e) => {
                eprintln!("bench: cannot start the databases: {e}");
                return Ok(false);
            }
        },
    };
    let state: serde_json::Value = {
        let path = dir.join("generated/sql/state.json");
        let text = fs::read_to_string(&path).map_err(Error::io(&path))?;
        serde_json::from_str(&text).map_err(|e| Error::State(e.to_string()))?
    };
    let rows: BTreeMap<String, Row> =
        serde_json::from_value(state["rows"].clone()).map_err(|e| Error::State(e.to_string()))?;
    let rows: Vec<&Row> = rows.values().collect();
    println!("| engine | up migration (set-based) | same rows as 500-row INSERTs | ratio | down | up file | INSERTs file | size ratio |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut ok = true;
    for dialect in Dialect::ALL {
        let target = Target {
            dialect: dialect.clone(),
            generation: SchemaGeneration::VictoriaTo2026,
        };
        let base = dir.join("generated/sql").join(target.dir());
        let newest = |suffix: &str| -> Option<PathBuf> {
            let mut files: Vec<PathBuf> = fs::read_dir(&base)
                .ok()?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().ends_with(suffix))
                .collect();
            files.sort();
            files.pop()
        };
        let (Some(up), Some(down)) = (newest(".up.sql"), newest(".down.sql")) else {
            eprintln!("bench: no migration in {}", base.display());
            return Ok(false);
        };
        let inserts = dir.join(format!("target/bench-inserts-{}.sql", dialect.as_str()));
        fs::write(&inserts, plain_inserts(&target, &rows, 500)).map_err(Error::io(&inserts))?;
        let server = Server::new(&dialect);
        let (mut t_up, mut t_ins, mut t_down) = (vec![], vec![], vec![]);
        for _ in 0..runs.max(1) {
            let measured = server
                .fresh(root)
                .and_then(|_| server.apply(&up))
                .and_then(|u| server.apply(&down).map(|d| (u, d)))
                .and_then(|(u, d)| {
                    server
                        .fresh(root)
                        .and_then(|_| server.apply(&inserts))
                        .map(|i| (u, d, i))
                });
            match measured {
                Ok((u, d, i)) => {
                    t_up.push(u);
                    t_down.push(d);
                    t_ins.push(i);
                }
                Err(e) => {
                    eprintln!("bench: {}: {e}", dialect.as_str());
                    ok = false;
                    break;
                }
            }
        }
        server.drop_database();
        if t_up.is_empty() {
            continue;
        }
        let (u, i, d) = (median(t_up), median(t_ins), median(t_down));
        let size = |p: &Path| fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let (su, si) = (size(&up), size(&inserts));
        println!(
            "| {} | {} | {} | {:.2}× | {} | {:.1} MB | {:.1} MB | {:.2}× |",
            target.describe(),
            secs(u),
            secs(i),
            u.as_secs_f64() / i.as_secs_f64(),
            secs(d),
            su as f64 / 1e6,
            si as f64 / 1e6,
            su as f64 / si as f64
        );
    }
    if let Some(d) = started {
        d.stop();
    }
    Ok(ok)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

struct Server {
    dialect: Dialect,
    url: String,
}

impl Server {
    fn new(dialect: &Dialect) -> Server {
        let key = match dialect {
            Dialect::Postgresql => postgres::URL_ENV,
            Dialect::Mysql => mariadb::URL_ENV,
        };
        Server {
            dialect: dialect.clone(),
            url: std::env::var(key).unwrap_or_default(),
        }
    }

    fn client(&self, database: &str) -> Command {
        match self.dialect {
            Dialect::Postgresql => {
                let mut cmd = Command::new("psql");
                cmd.arg(format!("{}{database}", self.url)).args([
                    "-X",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                ]);
                cmd
            }
            Dialect::Mysql => {
                let rest = self.url.trim_start_matches("mysql://");
                let rest = rest.split('/').next().unwrap_or(rest);
                let (user, hostport) = rest.split_once('@').unwrap_or(("root", rest));
                let (host, port) = hostport.split_once(':').unwrap_or((hostport, "3306"));
                let mut cmd = Command::new("mariadb");
                cmd.args(["--no-defaults", "-B"])
                    .arg(format!("-h{host}"))
                    .arg(format!("-P{port}"))
                    .arg(format!("-u{user}"));
                if !database.is_empty() {
                    cmd.arg(database);
                }
                cmd
            }
        }
    }

    fn run(&self, database: &str, input: &[u8]) -> Result<(), String> {
        use std::io::Write;
        let mut child = self
            .client(database)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(input)
            .map_err(|e| e.to_string())?;
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.success() && !stderr.contains("ERROR") {
            Ok(())
        } else {
            Err(stderr.into_owned())
        }
    }

    /// A new database holding Mistral's table.
    fn fresh(&self, root: &Path) -> Result<(), String> {
        let (admin, create) = match self.dialect {
            Dialect::Postgresql => (
                "postgres",
                format!("CREATE DATABASE {DB} ENCODING 'UTF8' TEMPLATE template0"),
            ),
            Dialect::Mysql => (
                "",
                format!("CREATE DATABASE {DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"),
            ),
        };
        self.run(
            admin,
            format!("DROP DATABASE IF EXISTS {DB};\n{create};\n").as_bytes(),
        )?;
        let schema = root.join(format!(
            "codegen/fixtures/mistral/schema/{}-rev045-victoria-to-2026.sql",
            self.dialect.as_str()
        ));
        let text = fs::read(&schema).map_err(|e| format!("{}: {e}", schema.display()))?;
        self.run(DB, &text)
    }

    /// Applies `file` as an operator would (`psql -f`, `mysql < file`): its wall time.
    fn apply(&self, file: &Path) -> Result<Duration, String> {
        let mut cmd = self.client(DB);
        match self.dialect {
            Dialect::Postgresql => {
                cmd.arg("-f").arg(file);
            }
            Dialect::Mysql => {
                cmd.stdin(fs::File::open(file).map_err(|e| e.to_string())?);
            }
        }
        let (usage, ok) = wait(cmd).map_err(|e| e.to_string())?;
        if !ok {
            return Err(format!("{} failed", file.display()));
        }
        Ok(usage.wall)
    }

    fn drop_database(&self) {
        let admin = match self.dialect {
            Dialect::Postgresql => "postgres",
            Dialect::Mysql => "",
        };
        let _ = self.run(admin, format!("DROP DATABASE IF EXISTS {DB};\n").as_bytes());
    }
}
