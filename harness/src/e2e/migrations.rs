//! The generated PostgreSQL migrations for the Mistral generation the e2e runs (Victoria to
//! 2026.x, which Mistral 23 is), applied with psql as an operator would.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};

const DIR: &str = "generated/sql/postgresql/victoria-to-2026";

pub struct Migrations {
    /// `NNNN_<slug>` stems in order.
    stems: Vec<String>,
    dir: PathBuf,
}

impl Migrations {
    /// Every `NNNN_*.up.sql` with its `.down.sql`; an error if there are none.
    pub fn find(root: &Path) -> Result<Self> {
        let dir = root.join(DIR);
        let entries = fs::read_dir(&dir).map_err(|e| {
            anyhow!("no generated PostgreSQL migrations in {DIR} ({e}); run `cargo xtask generate`")
        })?;
        let mut stems: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".up.sql").map(str::to_string)
            })
            .collect();
        stems.sort();
        if stems.is_empty() {
            bail!("no *.up.sql migration in {DIR}; run `cargo xtask generate`");
        }
        if let Some(stem) = stems
            .iter()
            .find(|s| !dir.join(format!("{s}.down.sql")).exists())
        {
            bail!("{DIR}/{stem}.up.sql has no {stem}.down.sql");
        }
        Ok(Migrations { stems, dir })
    }

    /// Every up migration, oldest first.
    pub fn apply_up(&self, database: &str) -> Result<()> {
        for stem in &self.stems {
            self.apply(database, &format!("{stem}.up.sql"))?;
        }
        Ok(())
    }

    /// Every down migration, newest first.
    pub fn apply_down(&self, database: &str) -> Result<()> {
        for stem in self.stems.iter().rev() {
            self.apply(database, &format!("{stem}.down.sql"))?;
        }
        Ok(())
    }

    fn apply(&self, database: &str, file: &str) -> Result<()> {
        let started = Instant::now();
        let out = Command::new("psql")
            .arg(database)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
            .arg(self.dir.join(file))
            .output()
            .context("cannot run psql")?;
        if !out.status.success() {
            bail!(
                "psql -f {DIR}/{file} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        eprintln!(
            "    psql -f {DIR}/{file}: {:.0} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join(DIR);
        fs::create_dir_all(&dir).unwrap();
        for f in files {
            fs::write(dir.join(f), "-- sql").unwrap();
        }
        root
    }

    #[test]
    fn ups_run_oldest_first_and_downs_newest_first() {
        let root = tree(&[
            "0002_b.up.sql",
            "0002_b.down.sql",
            "0001_a.up.sql",
            "0001_a.down.sql",
            "0010_c.up.sql",
            "0010_c.down.sql",
            "README",
        ]);
        let m = Migrations::find(root.path()).unwrap();
        assert_eq!(m.stems, ["0001_a", "0002_b", "0010_c"]);
    }

    #[test]
    fn an_up_without_its_down_is_refused() {
        let root = tree(&["0001_a.up.sql", "0001_a.down.sql", "0002_b.up.sql"]);
        let err = format!("{:#}", Migrations::find(root.path()).err().unwrap());
        assert!(
            err.contains("0002_b.up.sql has no 0002_b.down.sql"),
            "{err}"
        );
    }

    #[test]
    fn no_migrations_say_how_to_get_them() {
        let root = tree(&[]);
        let err = format!("{:#}", Migrations::find(root.path()).err().unwrap());
        assert!(err.contains("cargo xtask generate"), "{err}");
        let empty = tempfile::tempdir().unwrap();
        let err = format!("{:#}", Migrations::find(empty.path()).err().unwrap());
        assert!(err.contains("cargo xtask generate"), "{err}");
    }
}
