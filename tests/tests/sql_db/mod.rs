//! Real PostgreSQL and MariaDB for the SQL registration tests, driven through their
//! command-line clients exactly as operators apply the generated files (`psql -f`,
//! `mysql < file`). `cargo xtask ci` starts both servers and exports their URLs; every test
//! gets a database of its own, dropped at the end.

#![allow(dead_code)] // each test binary uses part of it

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use codegen::model::{Dialect, SchemaGeneration};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn targets() -> Vec<(Dialect, SchemaGeneration)> {
    let mut out = Vec::new();
    for d in Dialect::ALL {
        for g in SchemaGeneration::ALL {
            out.push((d.clone(), g.clone()));
        }
    }
    out
}

/// The shared schema fixture: `action_definitions_v2` as Mistral's migrations create it.
pub fn schema_file(dialect: &Dialect, generation: &SchemaGeneration) -> PathBuf {
    let rev = match generation {
        SchemaGeneration::PikeToTrain => "rev024-pike-to-train",
        SchemaGeneration::Ussuri => "rev038-ussuri",
        SchemaGeneration::VictoriaTo2026 => "rev045-victoria-to-2026",
    };
    root()
        .join("codegen/fixtures/mistral/schema")
        .join(format!("{}-{rev}.sql", dialect.as_str()))
}

fn server_url(dialect: &Dialect) -> String {
    let key = match dialect {
        Dialect::Postgresql => "MA_TEST_POSTGRES_URL",
        Dialect::Mysql => "MA_TEST_MYSQL_URL",
    };
    match std::env::var(key) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "{key} is not set: this test applies the generated SQL to a real {} server, which \
             `cargo xtask ci` installs and starts. To run it alone: `cargo harness test-databases` \
             in another shell and export the variables it prints.",
            match dialect {
                Dialect::Postgresql => "PostgreSQL",
                Dialect::Mysql => "MariaDB",
            }
        ),
    }
}

/// `mysql://user@host:port/` → (user, host, port).
fn mysql_parts(url: &str) -> (String, String, String) {
    let rest = url
        .strip_prefix("mysql://")
        .expect("MA_TEST_MYSQL_URL starts with mysql://");
    let rest = rest.split('/').next().unwrap();
    let (user, hostport) = rest.split_once('@').expect("user@host:port");
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "3306"));
    (user.to_string(), host.to_string(), port.to_string())
}

/// A database of its own for one test, holding Mistral's table; dropped on drop.
pub struct Db {
    pub dialect: Dialect,
    pub generation: SchemaGeneration,
    name: String,
    server: String,
}

impl Db {
    pub fn new(dialect: &Dialect, generation: &SchemaGeneration, test: &str) -> Db {
        let server = server_url(dialect);
        let name = format!(
            "ma_{}_{}_{}",
            test,
            generation.as_str().replace('-', "_"),
            std::process::id()
        )
        .to_lowercase();
        let db = Db {
            dialect: dialect.clone(),
            generation: generation.clone(),
            name,
            server,
        };
        db.admin(&format!("DROP DATABASE IF EXISTS {0}", db.name));
        db.admin(&match dialect {
            Dialect::Postgresql => format!(
                "CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0",
                db.name
            ),
            Dialect::Mysql => format!(
                "CREATE DATABASE {} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
                db.name
            ),
        });
        db.apply_file(&schema_file(dialect, generation))
            .expect("the schema fixture loads");
        db
    }

    /// This database as an SQLAlchemy URL, for Mistral's own code.
    pub fn sqlalchemy_url(&self) -> String {
        match self.dialect {
            Dialect::Postgresql => format!(
                "{}{}",
                self.server
                    .replacen("postgresql://", "postgresql+psycopg2://", 1),
                self.name
            ),
            Dialect::Mysql => {
                let (user, host, port) = mysql_parts(&self.server);
                format!(
                    "mysql+pymysql://{user}@{host}:{port}/{}?charset=utf8mb4",
                    self.name
                )
            }
        }
    }

    fn client(&self, database: &str, force: bool) -> Command {
        match self.dialect {
            Dialect::Postgresql => {
                let mut cmd = Command::new("psql");
                cmd.arg(format!("{}{database}", self.server)).args([
                    "-X",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                ]);
                cmd
            }
            Dialect::Mysql => {
                let (user, host, port) = mysql_parts(&self.server);
                let mut cmd = Command::new("mariadb");
                cmd.args(["--no-defaults", "-B", "-N", "-r"])
                    .arg(format!("-h{host}"))
                    .arg(format!("-P{port}"))
                    .arg(format!("-u{user}"));
                if force {
                    cmd.arg("--force");
                }
                if !database.is_empty() {
                    cmd.arg(database);
                }
                cmd
            }
        }
    }

    fn run(&self, mut cmd: Command, input: &[u8]) -> Output {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", cmd.get_program()));
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    }

    fn admin(&self, sql: &str) {
        let db = match self.dialect {
            Dialect::Postgresql => "postgres",
            Dialect::Mysql => "",
        };
        let out = self.run(self.client(db, false), format!("{sql};\n").as_bytes());
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs a script as an operator would; Err holds the client's stdout and stderr.
    pub fn apply(&self, sql: &str) -> Result<String, String> {
        self.apply_with(sql, false)
    }

    /// MySQL only: `mysql --force`, which goes on after errors.
    pub fn apply_with(&self, sql: &str, force: bool) -> Result<String, String> {
        let out = self.run(self.client(&self.name, force), sql.as_bytes());
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        // psql and mariadb --force exit 0 after errors in some modes: stderr tells.
        if out.status.success() && !stderr.contains("ERROR") {
            Ok(stdout)
        } else {
            Err(format!("{stdout}{stderr}"))
        }
    }

    /// Runs a script; whether it succeeded, and all the client printed (stdout, stderr).
    pub fn run_script(&self, sql: &str) -> (bool, String) {
        let out = self.run(self.client(&self.name, false), sql.as_bytes());
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let ok = out.status.success() && !stderr.contains("ERROR");
        (ok, format!("{stdout}{stderr}"))
    }

    /// `UPDATE … SET column = column || suffix` in this engine's words.
    pub fn append_sql(&self, column: &str, suffix: &str) -> String {
        match self.dialect {
            Dialect::Postgresql => format!("{column} = {column} || '{suffix}'"),
            Dialect::Mysql => format!("{column} = CONCAT({column}, '{suffix}')"),
        }
    }

    pub fn apply_file(&self, path: &Path) -> Result<String, String> {
        let sql =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        self.apply(&sql)
    }

    pub fn query(&self, sql: &str) -> String {
        let mut cmd = self.client(&self.name, false);
        if self.dialect == Dialect::Postgresql {
            cmd.args(["-A", "-t", "-F", "\t"]);
        }
        let out = self.run(cmd, format!("{sql};\n").as_bytes());
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn columns(&self) -> Vec<String> {
        let sql = match self.dialect {
            Dialect::Postgresql => "SELECT column_name FROM information_schema.columns WHERE table_name = 'action_definitions_v2' ORDER BY ordinal_position".to_string(),
            Dialect::Mysql => format!("SELECT column_name FROM information_schema.columns WHERE table_schema = '{}' AND table_name = 'action_definitions_v2' ORDER BY ordinal_position", self.name),
        };
        self.query(&sql).lines().map(str::to_string).collect()
    }

    /// Every row, every column, byte-exact (hex through the wire), sorted by id.
    pub fn snapshot(&self) -> Vec<BTreeMap<String, Option<String>>> {
        let columns = self.columns();
        let exprs: Vec<String> = columns
            .iter()
            .map(|c| match self.dialect {
                Dialect::Postgresql => {
                    format!("COALESCE(encode(convert_to({c}::text, 'UTF8'), 'hex'), 'N')")
                }
                Dialect::Mysql => format!("COALESCE(HEX(CONVERT({c} USING utf8mb4)), 'N')"),
            })
            .collect();
        let sep = match self.dialect {
            Dialect::Postgresql => "E'\\t'",
            Dialect::Mysql => "'\\t'",
        };
        let sql = format!(
            "SELECT concat_ws({sep}, {}) FROM action_definitions_v2 ORDER BY id",
            exprs.join(", ")
        );
        self.query(&sql)
            .lines()
            .map(|line| {
                columns
                    .iter()
                    .zip(line.split('\t'))
                    .map(|(c, v)| (c.clone(), (v != "N").then(|| unhex(v))))
                    .collect()
            })
            .collect()
    }

    /// Inserts a row nobody registered through us (Mistral's own API, the old tool…).
    pub fn plant(&self, id: &str, name: &str, tags: &str, is_system: bool, description: &str) {
        let q = |s: &str| match self.dialect {
            Dialect::Postgresql => format!("'{}'", s.replace('\'', "''")),
            Dialect::Mysql => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''")),
        };
        let (ns_col, ns_val) = if self.generation == SchemaGeneration::PikeToTrain {
            ("", "")
        } else {
            (", namespace", ", ''")
        };
        let sys = match (&self.dialect, is_system) {
            (Dialect::Postgresql, b) => b.to_string(),
            (Dialect::Mysql, b) => (b as u8).to_string(),
        };
        let sql = format!(
            "INSERT INTO action_definitions_v2 (created_at, scope, project_id, id, name, description, definition, spec, tags, input, is_system{ns_col}) \
             VALUES ('2020-01-02 03:04:05', 'public', '<default-project>', {}, {}, {}, 'x: 1', '{{}}', {}, 'a, b=1', {sys}{ns_val})",
            q(id), q(name), q(description), q(tags)
        );
        self.apply(&sql)
            .unwrap_or_else(|e| panic!("planting {name}: {e}"));
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.admin(&format!("DROP DATABASE IF EXISTS {}", self.name));
        }
    }
}

fn unhex(s: &str) -> String {
    let bytes: Vec<u8> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect();
    String::from_utf8(bytes).expect("UTF-8 from the database")
}
