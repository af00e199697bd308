//! The two database servers the SQL registration tests run against, started together by
//! `cargo xtask ci` and announced to the test processes through environment variables.

use std::path::Path;

use anyhow::Result;

use super::mariadb::{self, MariaDb};
use super::postgres::{self, Postgres};

/// Both servers; dropping it stops them.
pub struct Databases {
    pub postgres: Postgres,
    pub mariadb: MariaDb,
}

impl Databases {
    /// Starts both and exports `MA_TEST_POSTGRES_URL` and `MA_TEST_MYSQL_URL` (server URLs,
    /// without a database) to every process this one starts afterwards.
    pub fn start(root: &Path) -> Result<Self> {
        let postgres = Postgres::start(root)?;
        let mariadb = MariaDb::start(root)?;
        // Single-threaded here: ci starts services before anything else runs.
        std::env::set_var(postgres::URL_ENV, postgres.url(""));
        std::env::set_var(mariadb::URL_ENV, mariadb.url(""));
        Ok(Databases { postgres, mariadb })
    }

    pub fn stop(self) {
        self.postgres.stop();
        self.mariadb.stop();
    }
}
