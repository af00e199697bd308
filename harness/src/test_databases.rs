//! `cargo harness test-databases`: the PostgreSQL and MariaDB servers of the SQL tests by
//! hand, until Enter is pressed.

use std::path::Path;

use anyhow::Result;

use crate::services::databases::Databases;
use crate::services::{mariadb, postgres};

pub fn run(root: &Path) -> Result<bool> {
    let databases = Databases::start(root)?;
    for key in [postgres::URL_ENV, mariadb::URL_ENV] {
        println!("export {key}={}", std::env::var(key).unwrap_or_default());
    }
    eprintln!("press Enter to stop the servers");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    databases.stop();
    Ok(true)
}
